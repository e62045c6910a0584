"""Build a sweep's report: collect the runs, compute statistics, draw and save the figures, and
write ``report.md``, a self-contained ``report.html`` and ``summary.csv``.

The report is first assembled as a list of blocks (headings, paragraphs, tables, code, figures)
and then rendered twice, as Markdown and as HTML, so that both files say the same thing.
"""

from __future__ import annotations

import base64
import html
import io
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import yaml
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.io import atomic_write, atomic_write_text
from sim.report import figures as fg
from sim.report.collect import Collected, ReportError, collect, resolve_baseline, write_tables
from sim.report.stats import (
    REPORT_METRICS,
    TIMESERIES_METRICS,
    conversion_means,
    excludes_zero,
    format_interval,
    heatmap_table,
    paired_differences,
    summarise,
    timeseries_bands,
)

FORMATS = ("png", "svg", "pdf")
COST_OUTCOMES = ("reach", "customers", "net_sentiment", "mean_loyalty")
HEATMAP_METRICS = ("customers", "net_sentiment", "mean_loyalty", "cost_per_customer")
COST_METRICS = ("cost", "cost_per_customer")
#: figures of the canonical diffusion presets (model=bass, sir, ...), which have no customers
PRESET_METRICS = ("active", "peak_active", "peak_step", "time_to_half_reach")
PRESET_TIMESERIES = ("active",)
DPI = 100

Progress = Callable[[str], None]


def print_progress(line: str) -> None:
    """Print one progress line to stderr (the default progress of :func:`build_report`)."""
    print(f"womsim-report: {line}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class ReportStats:
    """The statistics a report shows (tables from :mod:`sim.report.stats`)."""

    baseline: str
    metrics: tuple[str, ...]
    summary: pd.DataFrame
    paired: pd.DataFrame
    bands: pd.DataFrame
    conversions: pd.DataFrame


@dataclass(frozen=True)
class FigureSpec:
    """A figure to draw: file stem, section, title, how to read it, and how to draw it."""

    name: str
    section: str
    title: str
    about: str
    draw: Callable[[], Axes]


@dataclass
class RenderedFigure:
    """A saved figure: its spec, the files written (format -> path) and their bytes."""

    spec: FigureSpec
    files: dict[str, Path] = field(default_factory=dict)
    data: dict[str, bytes] = field(default_factory=dict)


def build_report(sweep_dir: str | Path, *, out: str | Path | None = None,
                 baseline: str | None = None, formats: Sequence[str] = ("png", "svg"),
                 progress: Progress | None = print_progress) -> Path:
    """Build the report of a sweep directory.

    Writes into ``out``: ``runs.parquet``, ``timeseries.parquet``, ``figures/<name>.<format>``,
    ``summary.csv``, ``report.md`` and ``report.html`` (all atomically).

    Parameters
    ----------
    sweep_dir : str or Path
        The sweep directory (``hydra.sweep.dir`` of a ``womsim -m`` run).
    out : str or Path, optional
        Output directory (default: ``sweep_dir``).
    baseline : str, optional
        Condition to compare against, or some of its overrides (e.g. ``"strategy=none"``).
        Default: the condition with ``strategy=none`` if any, else the first condition.
    formats : sequence of str
        Figure formats among ``png``, ``svg``, ``pdf``.
    progress : callable, optional
        Called with one line per stage (default: print to stderr); None for silence.

    Returns
    -------
    Path
        The path of ``report.html``.

    Raises
    ------
    ReportError
        (a ValueError) when the directory is missing, holds no finished run, the baseline is
        unknown or a format is not supported.
    """
    say = progress or (lambda line: None)
    formats = check_formats(formats)
    out = Path(out) if out is not None else Path(sweep_dir)
    start = time.perf_counter()
    collected = collect(sweep_dir, write=False)
    base = resolve_baseline(collected.conditions, baseline)
    write_tables(collected, out)
    say(f"collected {_runs_text(collected)} from {collected.sweep_dir} "
        f"in {time.perf_counter() - start:.1f}s")

    start = time.perf_counter()
    stats = compute_stats(collected, base)
    say(f"statistics against the baseline {collected.labels[base]!r} "
        f"in {time.perf_counter() - start:.1f}s")

    start = time.perf_counter()
    rendered = [save_figure(spec, out / "figures", formats)
                for spec in figure_specs(collected, stats)]
    remove_stale_figures(out / "figures", rendered)
    say(f"{len(rendered)} figures ({', '.join(formats)}) in {out / 'figures'} "
        f"in {time.perf_counter() - start:.1f}s")

    start = time.perf_counter()
    blocks = report_blocks(collected, stats, rendered)
    table = summary_table(stats, collected.labels)
    atomic_write_text(out / "summary.csv", table.to_csv(index=False))
    atomic_write_text(out / "report.md", render_markdown(blocks))
    html_path = atomic_write_text(out / "report.html",
                                  render_html(blocks, title=_title(collected)))
    say(f"wrote report.md, report.html and summary.csv in {out} "
        f"in {time.perf_counter() - start:.1f}s")
    return html_path


def check_formats(formats: Sequence[str] | str) -> tuple[str, ...]:
    """Validate figure formats (a sequence or a comma-separated string)."""
    if isinstance(formats, str):
        formats = formats.split(",")
    cleaned = tuple(dict.fromkeys(f.strip().lower().lstrip(".") for f in formats if f.strip()))
    unknown = [f for f in cleaned if f not in FORMATS]
    if unknown or not cleaned:
        raise ReportError(f"unsupported figure format {', '.join(unknown) or '(none)'}: "
                          f"choose among {', '.join(FORMATS)}")
    return cleaned


def compute_stats(collected: Collected, baseline: str) -> ReportStats:
    """Per-condition intervals, paired differences, time-series bands and conversion means."""
    runs, metrics = collected.runs, report_metrics(collected.runs)
    return ReportStats(
        baseline=baseline, metrics=metrics,
        summary=summarise(runs, metrics),
        paired=paired_differences(runs, baseline, metrics),
        bands=timeseries_bands(collected.timeseries, timeseries_metrics(collected.timeseries)),
        conversions=conversion_means(collected.conversions))


def report_metrics(runs: pd.DataFrame) -> tuple[str, ...]:
    """The final figures tabulated: :data:`REPORT_METRICS` that the runs have; for sweeps of
    the diffusion presets (no ``customers``) also their reach, activity and timing figures."""
    metrics = [m for m in REPORT_METRICS if m in runs]
    if "customers" not in runs:
        metrics += [m for m in PRESET_METRICS if m in runs]
    return tuple(metrics)


def timeseries_metrics(timeseries: pd.DataFrame) -> tuple[str, ...]:
    """The time series drawn: :data:`TIMESERIES_METRICS` (and ``active`` for the diffusion
    presets) that the runs have."""
    return tuple(m for m in (*TIMESERIES_METRICS, *PRESET_TIMESERIES) if m in timeseries)


def summary_table(stats: ReportStats, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """The stats table of summary.csv: ``condition, metric, mean, ci_low, ci_high, n`` (as
    printed by the sweep summary) plus the paired difference against the baseline
    (``diff_mean, diff_ci_low, diff_ci_high, pairs, baseline``) and the condition's short
    ``label`` (swept parameters only)."""
    paired = stats.paired.rename(columns={"mean": "diff_mean", "ci_low": "diff_ci_low",
                                          "ci_high": "diff_ci_high", "n": "pairs"})
    table = stats.summary.merge(paired.drop(columns="baseline"), on=["condition", "metric"],
                                how="left")
    table["baseline"] = stats.baseline
    table["label"] = table["condition"].map(labels or {}).fillna(table["condition"])
    return table


# --- figures ----------------------------------------------------------------------------------

HOW_TO_READ = {
    "ts": ("The line is the mean of {metric} over the seeds of each condition, day by day; the "
           "shaded band is its 95% confidence interval. Bands that do not overlap are "
           "differences the number of seeds resolves; overlapping bands can still differ "
           "when compared seed by seed (see the paired differences)."),
    "kpi": ("Each bar is the mean of {metric} at the end of the runs over the seeds of a "
            "condition; the whisker is the 95% t-interval of that mean."),
    "paired": ("Each point is the mean over seeds of the difference in {metric} between a "
               "condition and the baseline `{baseline}`, taken seed by seed; the line is its "
               "95% t-interval. Runs with the same seed share the graph, the consumers and the "
               "random draws, so these intervals are much narrower than those of the means: "
               "an interval that does not cross the dashed zero line is an effect of the "
               "condition."),
    "cost": ("Each point is a condition's mean cost (horizontal) and mean {metric} "
             "(vertical), with 95% intervals both ways. The dashed line joins the efficient "
             "conditions: no other condition costs as little and achieves as much {metric}. "
             "A condition below or right of the line gets less for its money."),
    "heatmap": ("Each cell is the mean of {metric} over seeds for one combination of "
                "`{rows}` (rows) and `{cols}` (columns); the number is the value, the colour "
                "scale is on the right. An empty cell has no finished run."),
    "conversions": ("Each bar splits the purchases of a run by how they were won (mass media, "
                    "ads, organic word of mouth, KOL posts, referral posts, KOLs given the "
                    "product), averaged over the runs of the condition; its length is the mean "
                    "number of purchases per run."),
}

SECTIONS = {"ts": "Time series", "kpi": "Final KPIs", "paired": "Paired differences",
            "cost": "Cost against outcome", "heatmap": "Heatmaps",
            "conversions": "Conversions by source"}


def figure_specs(collected: Collected, stats: ReportStats) -> Iterator[FigureSpec]:
    """The report's figures, in order; figures without data are left out."""
    labels, colors = collected.labels, fg.condition_colors(collected.conditions)
    opts = {"labels": labels, "colors": colors}
    base_label = labels[stats.baseline]
    spends = _has_cost(stats.summary)
    shown = [m for m in stats.metrics if _has_values(stats.summary, m)
             and (spends or m not in COST_METRICS)]
    for metric in pd.unique(stats.bands["metric"]):
        if _has_values(stats.bands, metric):
            yield _spec(f"ts_{metric}", "ts", f"{metric} over time", metric,
                        lambda m=metric: fg.plot_timeseries(stats.bands, m, **opts))
    for metric in shown:
        yield _spec(f"kpi_{metric}", "kpi", f"{metric} per condition", metric,
                    lambda m=metric: fg.plot_kpi(stats.summary, m, **opts))
    for metric in shown:
        if _has_values(stats.paired, metric):
            yield _spec(f"paired_{metric}", "paired", f"{metric} minus the baseline", metric,
                        lambda m=metric: fg.plot_paired(stats.paired, m, **opts),
                        baseline=base_label)
    if spends and len(collected.conditions) > 1:
        for metric in COST_OUTCOMES:
            if _has_values(stats.summary, metric):
                yield _spec(f"cost_vs_{metric}", "cost", f"cost against {metric}", metric,
                            lambda m=metric: fg.plot_cost_outcome(stats.summary, m, **opts))
    yield from _heatmap_specs(collected, spends)
    if stats.conversions["mean"].fillna(0).gt(0).any():
        yield _spec("conversions_by_source", "conversions", "conversions by source", "",
                    lambda: fg.plot_conversions(stats.conversions, labels=labels))


def _heatmap_specs(collected: Collected, spends: bool) -> Iterator[FigureSpec]:
    if len(collected.params) != 2:
        return
    rows, cols = collected.params
    for metric in HEATMAP_METRICS:
        if metric not in collected.runs or (metric in COST_METRICS and not spends):
            continue
        table = heatmap_table(collected.runs, metric, rows, cols)
        if np.isfinite(table.to_numpy(dtype=float)).any():
            yield _spec(f"heatmap_{metric}", "heatmap", f"{metric} by {rows} and {cols}", metric,
                        lambda t=table: fg.plot_heatmap(t), rows=rows, cols=cols)


def _spec(name: str, kind: str, title: str, metric: str, draw: Callable[[], Axes],
          **fields: str) -> FigureSpec:
    about = HOW_TO_READ[kind].format(metric=metric, **fields)
    return FigureSpec(name=name, section=kind, title=title, about=about, draw=draw)


def _has_values(table: pd.DataFrame, metric: str) -> bool:
    rows = table[table["metric"] == metric]
    return bool(len(rows)) and bool(np.isfinite(rows["mean"].to_numpy(dtype=float)).any())


def _has_cost(summary: pd.DataFrame) -> bool:
    cost = summary.loc[summary["metric"] == "cost", "mean"].to_numpy(dtype=float)
    return bool(np.nan_to_num(cost).any())


def save_figure(spec: FigureSpec, directory: Path, formats: Sequence[str]) -> RenderedFigure:
    """Draw a figure and write it in every format into ``directory`` (atomically)."""
    figure = spec.draw().figure
    rendered = RenderedFigure(spec)
    for fmt in formats:
        data = render_figure(figure, fmt)
        path = directory / f"{spec.name}.{fmt}"
        atomic_write(path, lambda tmp, d=data: Path(tmp).write_bytes(d))
        rendered.files[fmt], rendered.data[fmt] = path, data
    return rendered


FIGURE_NAME = re.compile(r"^(ts|kpi|paired|cost_vs|heatmap)_\w+$|^conversions_by_source$")


def remove_stale_figures(directory: Path, rendered: list[RenderedFigure]) -> list[Path]:
    """Delete figure files of an earlier build that this build did not make (only files named
    like the report's figures, in a figure format), so figures/ matches the report."""
    made = {path for figure in rendered for path in figure.files.values()}
    stale = [p for p in directory.glob("*.*") if p.suffix[1:] in FORMATS
             and FIGURE_NAME.match(p.stem) and p not in made]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def render_figure(figure: Figure, fmt: str) -> bytes:
    """A figure's bytes in a format, without a date stamp and with stable SVG ids (so the same
    data give the same files)."""
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt in ("svg", "pdf") else None
    with matplotlib.rc_context({"svg.hashsalt": "womsim-report", "svg.fonttype": "path"}):
        figure.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
    return buffer.getvalue()


# --- the document -----------------------------------------------------------------------------

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
    """The report's content, in order."""
    return [*_headline(collected, stats), *_config_blocks(collected),
            *_condition_table(collected, stats), *_paired_table(collected, stats),
            *_figure_blocks(rendered), *_failure_blocks(collected), *_file_blocks()]


def _title(collected: Collected) -> str:
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
    return [Heading(1, _title(collected)), Para(what), Para(setup), Bullets(items)]


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
            Table(["condition", "runs", *metrics], rows)]


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
    return [heading,
            Para(f"Each condition minus the baseline `{base}`, seed by seed (pairs: seeds with "
                 "runs in both); the mean difference and its 95% t-interval. Runs with the same "
                 "seed share the graph, the consumers and the random streams (common random "
                 "numbers), so the pairs remove most of the noise. **Bold**: the interval "
                 "excludes 0."),
            Table(["condition", "pairs", *metrics], rows)]


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
    for figure in rendered:
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


def _runs_text(collected: Collected) -> str:
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


# --- rendering --------------------------------------------------------------------------------

def render_markdown(blocks: list[Block]) -> str:
    """The blocks as Markdown (figures linked relative to the report's directory)."""
    parts = []
    for block in blocks:
        if isinstance(block, Heading):
            parts.append(f"{'#' * block.level} {block.text}")
        elif isinstance(block, Para):
            parts.append(block.text)
        elif isinstance(block, Bullets):
            parts.append("\n".join(f"- {item}" for item in block.items))
        elif isinstance(block, Table):
            parts.append(_markdown_table(block))
        elif isinstance(block, Code):
            parts.append(f"```{block.language}\n{block.text}\n```")
        elif isinstance(block, Image):
            parts.append(_markdown_image(block.figure))
    return "\n\n".join(parts) + "\n"


def _markdown_table(table: Table) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    align = ["---", *["---:"] * (len(table.header) - 1)]
    return "\n".join([line(table.header), line(align), *(line(r) for r in table.rows)])


def _markdown_image(figure: RenderedFigure) -> str:
    files = {fmt: f"figures/{path.name}" for fmt, path in figure.files.items()}
    shown = files.get("png") or files.get("svg")
    links = " · ".join(f"[{fmt.upper()}]({path})" for fmt, path in files.items())
    image = f"![{figure.spec.title}]({shown})\n\n" if shown else ""
    return f"{image}{links}"


CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em auto;
       max-width: 1100px; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; border-bottom: 2px solid #ddd; padding-bottom: .3em; }
h2 { font-size: 1.3em; border-bottom: 1px solid #eee; padding-bottom: .2em; margin-top: 2em; }
h3 { font-size: 1.12em; margin-top: 1.6em; } h4 { font-size: 1em; margin-bottom: .3em; }
code { background: #f3f3f3; padding: 0 .25em; border-radius: 3px; font-size: .92em; }
pre { background: #f6f8fa; padding: .8em; overflow-x: auto; border-radius: 4px;
      font-size: .85em; max-height: 32em; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: .88em; margin: .6em 0; }
th, td { border: 1px solid #ddd; padding: .3em .55em; white-space: nowrap; }
th { background: #f3f3f3; } td:not(:first-child) { text-align: right;
     font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #fafafa; }
figure { margin: .4em 0 .2em 0; } figure img, figure svg { max-width: 100%; height: auto; }
p.read { color: #555; font-size: .92em; }
"""


def render_html(blocks: list[Block], title: str) -> str:
    """The blocks as one self-contained HTML page: inline CSS, figures embedded (base64 PNG, or
    inline SVG when no PNG was made), no external resource."""
    body = []
    for block in blocks:
        if isinstance(block, Heading):
            body.append(f"<h{block.level}>{_inline(block.text)}</h{block.level}>")
        elif isinstance(block, Para):
            css = ' class="read"' if block.text.startswith("How to read:") else ""
            body.append(f"<p{css}>{_inline(block.text)}</p>")
        elif isinstance(block, Bullets):
            items = "".join(f"<li>{_inline(item)}</li>" for item in block.items)
            body.append(f"<ul>{items}</ul>")
        elif isinstance(block, Table):
            body.append(_html_table(block))
        elif isinstance(block, Code):
            body.append(f'<pre><code class="language-{html.escape(block.language)}">'
                        f"{html.escape(block.text)}</code></pre>")
        elif isinstance(block, Image):
            body.append(_html_image(block.figure))
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def _inline(text: str) -> str:
    """Escape text for HTML, then render `code` and **bold**."""
    escaped = html.escape(text, quote=False)
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)


def _html_table(table: Table) -> str:
    head = "".join(f"<th>{_inline(h)}</th>" for h in table.header)
    rows = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>"
                   for row in table.rows)
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")


def _html_image(figure: RenderedFigure) -> str:
    alt = html.escape(figure.spec.title)
    if "png" in figure.data:
        encoded = base64.b64encode(figure.data["png"]).decode("ascii")
        content = f'<img src="data:image/png;base64,{encoded}" alt="{alt}">'
    elif "svg" in figure.data:
        content = _inline_svg(figure.data["svg"].decode("utf-8"))
    else:
        names = ", ".join(f"figures/{p.name}" for p in figure.files.values())
        content = f"<p>(figure saved as {html.escape(names)})</p>"
    return f"<figure>{content}</figure>"


def _inline_svg(svg: str) -> str:
    """An SVG document as an element to put inside HTML (no XML declaration or doctype)."""
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg, flags=re.DOTALL)
    return svg.strip()
