"""The blocks of a sweep report: headings, paragraphs, lists, tables, code and figures, in the
order the report shows them.

The report is assembled once as a list of blocks (:func:`report_blocks`) and rendered twice by
:mod:`sim.report.render`, as Markdown and as HTML, so that both files say the same thing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import yaml

from sim import catalog
from sim.report import figures as fg
from sim.report.collect import Collected
from sim.report.plan import (
    DECISION_COLUMNS,
    PLAN_METRICS,
    SECTIONS,
    Decision,
    RenderedFigure,
    ReportStats,
    Verdict,
)
from sim.report.stats import excludes_zero, format_interval


@dataclass(frozen=True)
class Heading:
    """A heading of level 1-4."""

    level: int
    text: str


@dataclass(frozen=True)
class Para:
    """A paragraph; inline Markdown: `code` and **bold**."""

    text: str


@dataclass(frozen=True)
class Bullets:
    """A bulleted list (items in inline Markdown)."""

    items: list[str]


@dataclass(frozen=True)
class Table:
    """A table of text cells (inline Markdown); columns after the first are right-aligned."""

    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Code:
    """A fenced code block."""

    language: str
    text: str


@dataclass(frozen=True)
class Image:
    """A saved figure, linked in Markdown and embedded in HTML."""

    figure: RenderedFigure


Block = Heading | Para | Bullets | Table | Code | Image


def report_blocks(collected: Collected, stats: ReportStats,
                  rendered: list[RenderedFigure]) -> list[Block]:
    """The report's content, in order.

    Parameters
    ----------
    collected : Collected
        The sweep's tables.
    stats : ReportStats
        Their statistics (:func:`sim.report.plan.compute_stats`).
    rendered : list of RenderedFigure
        The saved figures, in the plan's order.

    Returns
    -------
    list of Block
        Title and what was run, the decision summary (sweeps with money against a twin), the
        sweep, configuration, results per condition, paired differences, figures, failed jobs
        and the files written.
    """
    title, what, *sweep = _headline(collected, stats)
    return [title, what, *_decision_blocks(collected, stats, rendered), *sweep,
            *_config_blocks(collected), *_condition_table(collected, stats),
            *_paired_table(collected, stats), *_figure_blocks(rendered),
            *_failure_blocks(collected), *_file_blocks()]


def report_title(collected: Collected) -> str:
    """The report's title: the sweep directory's name."""
    return f"womsim sweep report: {collected.sweep_dir.resolve().name}"


def _headline(collected: Collected, stats: ReportStats) -> list[Block]:
    runs = collected.runs
    per_condition = runs.groupby("condition", sort=False).size()
    seeds = collected.seeds
    seeds_text = f"{_count(len(seeds), 'seed')} ({_range_text(seeds)})" if seeds else "no seed"
    counts = sorted(set(per_condition))
    runs_each = (f"{_count(counts[0], 'run')} each" if len(counts) == 1
                 else f"{counts[0]}-{counts[-1]} runs each")
    failed = f", **{len(collected.failed)} failed**" if collected.failed else ""
    unfinished = f", {len(collected.unfinished)} unfinished" if collected.unfinished else ""
    what = (f"**{_count(len(runs), 'run')}** of **{_count(len(per_condition), 'condition')}** "
            f"({runs_each}) over {seeds_text}{failed}{unfinished}.")
    setup = (f"Graph {_values(collected.info('graph'))} with n = {_values(collected.info('n'))} "
             f"consumers, {_values(collected.info('steps'))} days, engine "
             f"{_values(collected.info('engine'))}, model {_values(collected.info('model'))}; "
             f"womsim {_values(collected.info('version'))}, git commit "
             f"{_values([str(c)[:12] for c in collected.info('git_commit')])}.")
    items = [f"Sweep directory: `{collected.sweep_dir}`"]
    if collected.command:
        items.append(f"Command: `{collected.command}`")
    items.append(f"Swept parameters: {_params_text(collected)}")
    if collected.shared_overrides:
        note = " (left out of the labels below)" if collected.params else ""
        items.append(f"Overrides shared by every condition{note}: "
                     f"`{' '.join(collected.shared_overrides)}`")
    items.append(f"Baseline for paired differences: `{collected.labels[stats.baseline]}`")
    return [Heading(1, report_title(collected)), Para(what), Heading(2, "The sweep"),
            Para(setup), Bullets(items)]


# --- the decision summary ---------------------------------------------------------------------

def _decision_blocks(collected: Collected, stats: ReportStats,
                     rendered: list[RenderedFigure]) -> list[Block]:
    decision = stats.decision
    if decision is None:
        return _no_decision(collected.runs)
    labels, currency = collected.labels, decision.currency
    money = f" Money in {currency} (metrics.json `currency`)." if currency else ""
    if "/" in currency:
        money += " **The runs use different currencies: their money is not comparable.**"
    blocks: list[Block] = [
        Heading(2, "Decision summary"),
        Para("Conditions ranked by incremental NPV: each run's NPV minus that of its twin, the "
             "same world and seed without strategies, so every run's figure is already a "
             "difference paired by seed; brackets hold the 95% t-interval over seeds. ROI is "
             f"(incremental NPV - cost) / cost.{money}"),
        _ranking_table(decision, collected),
        Bullets([*(_verdict_line(v, labels, currency) for v in decision.verdicts),
                 *_efficient_line(decision, labels)]),
        Para("Each line compares the conditions with a plan. The best one is not "
             "distinguishable from another when their difference, taken seed by seed, has a "
             "95% interval that includes 0 (or only one seed is shared): the seeds run cannot "
             "tell the two apart, more seeds may.")]
    for figure in rendered:
        if figure.spec.section == "decision":
            blocks += [Heading(3, figure.spec.title), Image(figure),
                       Para(f"How to read: {figure.spec.about}")]
    return blocks


def _no_decision(runs: pd.DataFrame) -> list[Block]:
    """Why a word-of-mouth sweep has no decision summary (nothing for the diffusion presets)."""
    if "customers" not in runs:
        return []
    if "incremental_npv" in runs and runs["incremental_npv"].notna().any():
        why = "no condition runs a plan (a strategy that spends or changes customers or NPV)"
    else:
        why = ("the runs have no incremental figures (they ran with `baseline=none`, or before "
               "womsim valued runs in money)")
    return [Heading(2, "Decision summary"), Para(f"No decision summary: {why}.")]


def _ranking_table(decision: Decision, collected: Collected) -> Table:
    summary = decision.summary.set_index(["condition", "metric"])
    runs = collected.runs.groupby("condition", sort=False).size()
    columns = [m for m in DECISION_COLUMNS if (decision.summary["metric"] == m).any()]
    rows = []
    for rank, condition in enumerate(decision.ranking, start=1):
        plan = "" if condition in decision.plans else " (no plan)"
        cells = [str(rank), f"`{collected.labels[condition]}`{plan}", str(runs[condition])]
        for metric in columns:
            key = (condition, metric)
            row = summary.loc[key] if key in summary.index else None
            cells.append("n/a" if row is None else _stat_text(
                metric, row["mean"], row["ci_low"], row["ci_high"], int(row["n"]),
                int(runs[condition])))
        rows.append(cells)
    header = ["rank", "condition", "runs",
              *(_column(m, decision.currency, catalog.metric(m).label) for m in columns)]
    return Table(header, rows)


def _stat_text(metric: str, mean: float, low: float, high: float, n: int, runs: int) -> str:
    """``mean [low, high]`` in the catalog's format, and how many runs had a value if not all."""
    entry = catalog.metric(metric)
    if mean is None or math.isnan(mean):
        return entry.missing
    text = entry.format(mean)
    if low != high:
        text += f" [{entry.format(low)}, {entry.format(high)}]"
    return text if n >= runs else f"{text} ({n} of {runs} runs)"


def _verdict_line(verdict: Verdict, labels: dict[str, str], currency: str) -> str:
    entry = catalog.metric(verdict.metric)
    unit = f" {currency}" if currency and entry.display == "money" else ""
    value = (f"{entry.format(verdict.mean)} [{entry.format(verdict.ci_low)}, "
             f"{entry.format(verdict.ci_high)}]{unit}")
    line = f"**Best on {verdict.criterion}**: `{labels[verdict.best]}`, {value}"
    compared = verdict.lead[verdict.lead["n"] > 0]
    if compared.empty:
        return f"{line}; the only plan with a value."
    ties = compared[~compared["distinguishable"]]
    if len(ties):
        rivals = " and ".join(f"`{labels[r.condition]}` ({_lead_text(entry, r, unit)})"
                              for r in ties.itertuples(index=False))
        return f"{line}; not distinguishable from {rivals}."
    runner = next(compared.itertuples(index=False))
    return (f"{line}; ahead of the runner-up `{labels[runner.condition]}` "
            f"({_lead_text(entry, runner, unit)}).")


def _efficient_line(decision: Decision, labels: dict[str, str]) -> list[str]:
    if not decision.efficient:
        return []
    names = ", ".join(f"`{labels[c]}`" for c in decision.efficient)
    return [f"**Efficient** (no other condition costs as little or less and adds more "
            f"incremental NPV), cheapest first: {names}."]


def _lead_text(entry: catalog.Metric, row, unit: str) -> str:
    seeds = "1 seed" if row.n == 1 else f"{row.n} seeds"
    return (f"difference {entry.format_delta(row.mean)} [{entry.format_delta(row.ci_low)}, "
            f"{entry.format_delta(row.ci_high)}]{unit}, paired over {seeds}")


def _column(metric: str, currency: str, text: str | None = None) -> str:
    """A table's header for a metric: its name (or ``text``), with the currency for money."""
    text = text or metric
    if currency and catalog.metric(metric).display == "money":
        return f"{text} ({currency})"
    return text


def _params_text(collected: Collected) -> str:
    if not collected.params:
        return "none besides the seed"
    parts = []
    for param in collected.params:
        values = ", ".join(fg.value_text(v) for v in pd.unique(collected.runs[param].dropna()))
        parts.append(f"`{param}` ({values})")
    return "; ".join(parts)


def _config_blocks(collected: Collected) -> list[Block]:
    if not collected.shared_config:
        return []
    text = yaml.safe_dump(collected.shared_config, sort_keys=False, default_flow_style=False)
    varying = ", ".join(f"`{k}`" for k in collected.varying_config) or "nothing"
    return [Heading(2, "Configuration"),
            Para("The configuration shared by every finished job (`.hydra/config.yaml`); "
                 f"differs between jobs: {varying}."),
            Code("yaml", text.rstrip("\n"))]


def _condition_table(collected: Collected, stats: ReportStats) -> list[Block]:
    metrics = [m for m in stats.metrics if (stats.summary["metric"] == m).any()]
    cells = _interval_cells(stats.summary)
    runs = collected.runs.groupby("condition", sort=False).size()
    rows = [[f"`{collected.labels[c]}`", str(runs[c]),
             *(cells.get((c, m), "n/a") for m in metrics)] for c in collected.conditions]
    return [Heading(2, "Results per condition"),
            Para("Mean over the runs (seeds) of each condition at the end of the runs, with the "
                 "95% t-interval of the mean in brackets."),
            Table(["condition", "runs", *(_column(m, stats.currency) for m in metrics)], rows)]


def _paired_table(collected: Collected, stats: ReportStats) -> list[Block]:
    base = collected.labels[stats.baseline]
    heading = Heading(2, f"Paired differences against {base}")
    if stats.paired.empty:
        return [heading, Para("Only one condition: nothing to compare.")]
    metrics = [m for m in stats.metrics if (stats.paired["metric"] == m).any()]
    cells = _interval_cells(stats.paired, bold_if_nonzero=True)
    pairs = stats.paired.groupby("condition", sort=False)["n"].max()
    rows = [[f"`{collected.labels[c]}`", str(pairs[c]),
             *(cells.get((c, m), "n/a") for m in metrics)]
            for c in collected.conditions if c in pairs]
    left_out = [m for m in PLAN_METRICS if m in stats.metrics]
    twin = (f" Left out: {', '.join(f'`{m}`' for m in left_out)}, already differences from "
            "each run's twin." if left_out else "")
    return [heading,
            Para(f"Each condition minus the baseline `{base}`, seed by seed (pairs: seeds with "
                 "runs in both); the mean difference and its 95% t-interval. Runs with the same "
                 "seed share the graph, the consumers and the random streams (common random "
                 "numbers), so the pairs remove most of the noise. **Bold**: the interval "
                 f"excludes 0.{twin}"),
            Table(["condition", "pairs", *(_column(m, stats.currency) for m in metrics)], rows)]


def _interval_cells(table: pd.DataFrame, bold_if_nonzero: bool = False) -> dict:
    cells = {}
    for row in table.itertuples(index=False):
        text = format_interval(row.mean, row.ci_low, row.ci_high)
        if bold_if_nonzero and text != "n/a" and excludes_zero(row.ci_low, row.ci_high):
            text = f"**{text}**"
        cells[(row.condition, row.metric)] = text
    return cells


def _figure_blocks(rendered: list[RenderedFigure]) -> list[Block]:
    blocks: list[Block] = [Heading(2, "Figures")]
    section = None
    for figure in (f for f in rendered if f.spec.section != "decision"):
        if figure.spec.section != section:
            section = figure.spec.section
            blocks.append(Heading(3, SECTIONS[section]))
        blocks += [Heading(4, figure.spec.title), Image(figure),
                   Para(f"How to read: {figure.spec.about}")]
    return blocks


def _failure_blocks(collected: Collected) -> list[Block]:
    blocks: list[Block] = [Heading(2, "Failed jobs")]
    if not collected.failed:
        blocks.append(Para("None."))
    else:
        blocks.append(Para(f"{len(collected.failed)} job(s) failed (their `error.json` has the "
                           "traceback); they are left out of every table and figure:"))
        blocks.append(Bullets([f"`{f['job']}`: {f['type']}: {f['error']}"
                               for f in collected.failed]))
    if collected.unfinished:
        blocks.append(Para("Unfinished job directories (neither metrics.json nor error.json): "
                           + ", ".join(f"`{j}`" for j in collected.unfinished)))
    return blocks


def _file_blocks() -> list[Block]:
    return [Heading(2, "Files"), Bullets([
        "`runs.parquet`: one row per finished run (swept parameters, seed, condition, every "
        "metric)",
        "`timeseries.parquet`: every run's time series (job, condition, seed, step, columns)",
        "`summary.csv`: the tables above (mean, ci_low, ci_high, n; paired differences)",
        "`figures/`: every figure as PNG and SVG"])]


def runs_text(collected: Collected) -> str:
    """What was collected, in a few words: runs, conditions, seeds, failures."""
    return (f"{_count(len(collected.runs), 'run')} "
            f"({_count(len(collected.conditions), 'condition')}, "
            f"{_count(len(collected.seeds), 'seed')}, {len(collected.failed)} failed)")


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _values(values: list) -> str:
    if not values:
        return "?"
    return ", ".join(f"`{v}`" for v in values)


def _range_text(seeds: list) -> str:
    ints = [int(s) for s in seeds]
    if ints == list(range(ints[0], ints[0] + len(ints))) and len(ints) > 2:
        return f"{ints[0]}-{ints[-1]}"
    return ", ".join(str(s) for s in ints)
