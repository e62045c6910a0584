"""The plan of a sweep report: which metrics it tabulates, which statistics it computes (the
decision summary among them) and which figures it draws, in order, each with its section, title
and how to read it.

Nothing here writes a file: :mod:`sim.report.render` saves the figures and renders the document
that :mod:`sim.report.document` assembles.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from sim import catalog
from sim.catalog import SOURCES
from sim.report import figures as fg
from sim.report.collect import Collected
from sim.report.stats import (
    conversion_means,
    efficient_frontier,
    excludes_zero,
    heatmap_table,
    paired_differences,
    paired_lead,
    summarise,
    timeseries_bands,
)

#: final figures tabulated in a report, per condition and (but :data:`PLAN_METRICS`) as paired
#: differences
REPORT_METRICS = ("reach", "customers", "net_sentiment", "mean_loyalty", "retention", "cost",
                  "cost_per_customer", "npv", "incremental_npv", "roi")
#: figures of a plan against its twin: already paired by seed (no paired differences), and left
#: out when no condition runs a plan
PLAN_METRICS = ("incremental_npv", "roi")
#: the decision summary's figures, per condition
DECISION_METRICS = ("incremental_npv", "roi", "cost_per_incremental_customer", "cost",
                    "incremental_customers", *(name for name, _ in fg.VALUE_PARTS),
                    "reach", "mean_loyalty", "retention")
#: the decision summary's table, after the condition: incremental NPV (the rank) and the rest
DECISION_COLUMNS = ("incremental_npv", "roi", "cost_per_incremental_customer", "cost")
#: time-series columns drawn with bands
TIMESERIES_METRICS = ("reach", "customers", "net_sentiment", "mean_loyalty")
#: outcomes drawn against the cost
COST_OUTCOMES = ("reach", "customers", "net_sentiment", "mean_loyalty")
#: metrics drawn as heatmaps when two parameters are swept
HEATMAP_METRICS = ("customers", "net_sentiment", "mean_loyalty", "cost_per_customer")
#: metrics left out when no condition spends anything
COST_METRICS = ("cost", "cost_per_customer")
#: figures of the canonical diffusion presets (model=bass, sir, ...), which have no customers
PRESET_METRICS = ("active", "peak_active", "peak_step", "time_to_half_reach")
PRESET_TIMESERIES = ("active",)

#: file stems of the report's figures (an earlier build's files named so may be removed)
FIGURE_NAME = re.compile(r"^(ts|kpi|paired|cost_vs|heatmap)_\w+$"
                         r"|^conversions_by_source$|^value_decomposition$")


@dataclass(frozen=True)
class Criterion:
    """What plans are compared on in the decision summary: ``name`` (None: the label of the
    metric used) and the metrics that can measure it, the first the runs have used."""

    name: str | None
    metrics: tuple[str, ...]


#: the decision summary's lines, in order
CRITERIA = (Criterion(None, ("incremental_npv",)), Criterion(None, ("roi",)),
            Criterion("loyalty", ("mean_loyalty", "retention")), Criterion(None, ("reach",)))


@dataclass(frozen=True)
class Verdict:
    """The best plan on one criterion and how far ahead of the other plans it is.

    Attributes
    ----------
    criterion : str
        What is compared, in words ("ROI", "loyalty (mean loyalty)").
    metric : str
        The metric compared.
    best : str
        The plan (condition) with the best mean.
    mean, ci_low, ci_high : float
        The best plan's mean and 95% t interval over seeds.
    lead : DataFrame
        :func:`~sim.report.stats.paired_lead` of the best plan over the others (the runner-up
        first), with a column ``distinguishable``: at least two seed pairs and an interval
        that excludes 0.
    """

    criterion: str
    metric: str
    best: str
    mean: float
    ci_low: float
    ci_high: float
    lead: pd.DataFrame

    @property
    def ties(self) -> list[str]:
        """The plans the best one is not distinguishable from, runner-up first."""
        compared = self.lead[self.lead["n"] > 0]
        return list(compared.loc[~compared["distinguishable"], "condition"])


@dataclass(frozen=True)
class Decision:
    """The decision summary: conditions ranked by incremental NPV and the best plan on each
    criterion (:data:`CRITERIA`).

    Attributes
    ----------
    currency : str
        The runs' currency ("" if they do not say; several joined by "/").
    ranking : tuple of str
        Every condition, highest mean incremental NPV first (missing values last).
    plans : tuple of str
        The conditions that run a plan (they spend, or change customers or NPV).
    summary : DataFrame
        :func:`~sim.report.stats.summarise` of :data:`DECISION_METRICS` per condition.
    verdicts : tuple of Verdict
        One per criterion the runs measure.
    efficient : tuple of str
        The conditions on the efficient frontier of mean cost against mean incremental NPV
        (:func:`~sim.report.stats.efficient_frontier`), cheapest first.
    """

    currency: str
    ranking: tuple[str, ...]
    plans: tuple[str, ...]
    summary: pd.DataFrame
    verdicts: tuple[Verdict, ...]
    efficient: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportStats:
    """The statistics a report shows (tables from :mod:`sim.report.stats`)."""

    baseline: str
    metrics: tuple[str, ...]
    summary: pd.DataFrame
    paired: pd.DataFrame
    bands: pd.DataFrame
    conversions: pd.DataFrame
    currency: str = ""
    decision: Decision | None = None


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


def compute_stats(collected: Collected, baseline: str) -> ReportStats:
    """Per-condition intervals, paired differences, time-series bands and conversion means.

    Parameters
    ----------
    collected : Collected
        The sweep's tables (:func:`sim.report.collect.collect`).
    baseline : str
        The condition paired differences are taken against.

    Returns
    -------
    ReportStats
        With the decision summary (:func:`compute_decision`) when the runs have money figures
        against a twin.
    """
    runs, metrics = collected.runs, report_metrics(collected.runs)
    return ReportStats(
        baseline=baseline, metrics=metrics,
        summary=summarise(runs, metrics),
        paired=paired_differences(runs, baseline, [m for m in metrics if m not in PLAN_METRICS]),
        bands=timeseries_bands(collected.timeseries, timeseries_metrics(collected.timeseries)),
        conversions=conversion_means(collected.conversions),
        currency=run_currency(runs), decision=compute_decision(runs))


def report_metrics(runs: pd.DataFrame) -> tuple[str, ...]:
    """The final figures tabulated: :data:`REPORT_METRICS` that the runs have (without
    :data:`PLAN_METRICS` when no run has a plan); for sweeps of the diffusion presets (no
    ``customers``) also their reach, activity and timing figures."""
    plans = has_plan(runs)
    metrics = [m for m in REPORT_METRICS if m in runs and (plans or m not in PLAN_METRICS)]
    if "customers" not in runs:
        metrics += [m for m in PRESET_METRICS if m in runs]
    return tuple(metrics)


def run_currency(runs: pd.DataFrame) -> str:
    """The currency of the runs' money (metrics.json ``currency``): "" when they do not say,
    several joined by "/" (then money of different conditions is not comparable)."""
    if "currency" not in runs:
        return ""
    return "/".join(str(c) for c in pd.unique(runs["currency"].dropna()))


def _numbers(runs: pd.DataFrame, metric: str) -> pd.Series:
    if metric not in runs:
        return pd.Series(np.nan, index=runs.index)
    return pd.to_numeric(runs[metric], errors="coerce")


def _plan_rows(runs: pd.DataFrame) -> pd.Series:
    """Which runs have a plan: they spend, or their customers or NPV differ from their twin's
    (a run without strategies is its own twin: cost and incremental figures 0)."""
    moved = pd.Series(False, index=runs.index)
    for metric in ("cost", "incremental_npv", "incremental_customers"):
        moved |= _numbers(runs, metric).fillna(0).ne(0)
    return moved


def has_plan(runs: pd.DataFrame) -> bool:
    """Whether any run has a plan (see :func:`plan_conditions`)."""
    return bool(_plan_rows(runs).any())


def plan_conditions(runs: pd.DataFrame) -> list[str]:
    """The conditions with a plan: some run of theirs spends, or its customers or NPV differ
    from its twin's; in order of first appearance."""
    if runs.empty:
        return []
    planned = _plan_rows(runs).groupby(runs["condition"], sort=False).any()
    return [str(c) for c, yes in planned.items() if yes]


def compute_decision(runs: pd.DataFrame, confidence: float = 0.95) -> Decision | None:
    """The decision summary of a sweep's runs, or None when there is nothing to decide.

    Every run with strategies was run beside its twin (the same world and seed without them),
    so its ``incremental_npv`` is already a difference paired by seed; the intervals of its
    means are over seeds. The best plan on each criterion (:data:`CRITERIA`) is compared with
    every other plan seed by seed (:func:`~sim.report.stats.paired_lead`).

    Parameters
    ----------
    runs : DataFrame
        One row per run: ``condition``, ``seed`` and the metrics of metrics.json.
    confidence : float
        Coverage of the intervals.

    Returns
    -------
    Decision or None
        None when the runs have no ``incremental_npv`` (diffusion presets, ``baseline=none``,
        runs older than the value model) or no condition runs a plan.
    """
    if not _numbers(runs, "incremental_npv").notna().any():
        return None
    plans = plan_conditions(runs)
    if not plans:
        return None
    summary = summarise(runs, [m for m in DECISION_METRICS if m in runs], confidence)
    ranking = _ranked(summary, "incremental_npv", list(pd.unique(runs["condition"])))
    verdicts = []
    for criterion in CRITERIA:
        verdict = _verdict(runs, summary, criterion, plans, confidence)
        if verdict is not None:
            verdicts.append(verdict)
    return Decision(currency=run_currency(runs), ranking=tuple(ranking), plans=tuple(plans),
                    summary=summary, verdicts=tuple(verdicts), efficient=_efficient(summary))


def _efficient(summary: pd.DataFrame) -> tuple[str, ...]:
    means = summary.pivot_table(index="condition", columns="metric", values="mean",
                                aggfunc="first", sort=False)
    if not {"cost", "incremental_npv"} <= set(means.columns):
        return ()
    means = means.sort_values("cost", kind="stable")
    mask = efficient_frontier(means["cost"], means["incremental_npv"])
    return tuple(str(c) for c in means.index[mask])


def _ranked(summary: pd.DataFrame, metric: str, conditions: list[str]) -> list[str]:
    """``conditions`` best first on ``metric`` (the catalog's direction; higher when it says
    neither), those without a mean last, ties in their order."""
    means = summary[summary["metric"] == metric].set_index("condition")["mean"]
    means = pd.to_numeric(means.reindex(conditions), errors="coerce")
    sign = -1.0 if catalog.metric(metric).higher_is_better is False else 1.0
    order = sorted(range(len(conditions)),
                   key=lambda i: (np.isnan(means.iloc[i]), -sign * np.nan_to_num(means.iloc[i])))
    return [conditions[i] for i in order]


def _verdict(runs: pd.DataFrame, summary: pd.DataFrame, criterion: Criterion,
             plans: list[str], confidence: float) -> Verdict | None:
    for metric in criterion.metrics:
        rows = summary[(summary["metric"] == metric) & summary["condition"].isin(plans)]
        rows = rows[np.isfinite(rows["mean"].to_numpy(dtype=float))]
        if rows.empty:
            continue
        ranked = _ranked(rows, metric, list(rows["condition"]))
        best = rows.set_index("condition").loc[ranked[0]]
        lead = paired_lead(runs, ranked[0], ranked[1:], metric, confidence)
        lead["distinguishable"] = [
            bool(n >= 2 and excludes_zero(low, high))
            for n, low, high in zip(lead["n"], lead["ci_low"], lead["ci_high"], strict=True)]
        label = catalog.metric(metric).label
        return Verdict(criterion=f"{criterion.name} ({label})" if criterion.name else label,
                       metric=metric, best=ranked[0], mean=float(best["mean"]),
                       ci_low=float(best["ci_low"]), ci_high=float(best["ci_high"]), lead=lead)
    return None


def timeseries_metrics(timeseries: pd.DataFrame) -> tuple[str, ...]:
    """The time series drawn: :data:`TIMESERIES_METRICS` (and ``active`` for the diffusion
    presets) that the runs have."""
    return tuple(m for m in (*TIMESERIES_METRICS, *PRESET_TIMESERIES) if m in timeseries)


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
    "conversions": ("Each bar splits the purchases of a run by how they were won ("
                    + "; ".join(f"{s.label}: {s.about}" for s in SOURCES)
                    + "), averaged over the runs of the condition; its length is the mean "
                    "number of purchases per run."),
    "frontier": ("Each point is a condition's mean cost (horizontal) and mean incremental NPV "
                 "(vertical: its NPV minus its twin's, the same world and seed without the "
                 "plan), with 95% intervals over seeds both ways. The dashed black line joins "
                 "the efficient conditions: no other condition costs as little or less and "
                 "adds more NPV. The dotted grey line is break-even, incremental NPV = cost "
                 "(ROI 0): a plan above it earns back more than it spends; one below the zero "
                 "line loses value even before its cost. Money in {currency}."),
    "value": ("Each bar splits a plan's mean incremental NPV over seeds into Libai, Muller & "
              "Peres's (2013) four parts: "
              + "; ".join(f"{catalog.metric(name).label}: {catalog.metric(name).about}"
                          for name, _ in fg.VALUE_PARTS)
              + ". Value lost is subtracted, so it is drawn left of zero, as are the other "
                "parts when negative (a plan that delays purchases, or worsens repeat buying "
                "and churn). The parts sum to the incremental NPV, the black diamond, drawn "
                "with its 95% interval. Money in {currency}."),
}

#: figure kinds shown in the decision summary rather than under Figures
DECISION_KINDS = {"frontier": "decision", "value": "decision"}

SECTIONS = {"decision": "Decision summary", "ts": "Time series", "kpi": "Final KPIs",
            "paired": "Paired differences", "cost": "Cost against outcome",
            "heatmap": "Heatmaps", "conversions": "Conversions by source"}


def figure_specs(collected: Collected, stats: ReportStats) -> Iterator[FigureSpec]:
    """The report's figures, in order; figures without data are left out.

    Parameters
    ----------
    collected : Collected
        The sweep's tables.
    stats : ReportStats
        Their statistics (:func:`compute_stats`).

    Yields
    ------
    FigureSpec
        The decision summary's cost against incremental NPV and value decomposition (runs
        with money against a twin only), time series, final KPIs, paired differences, cost
        against outcome, heatmaps (two swept parameters only) and conversions by source.
    """
    labels, colors = collected.labels, fg.condition_colors(collected.conditions)
    opts = {"labels": labels, "colors": colors}
    base_label = labels[stats.baseline]
    spends = _has_cost(stats.summary)
    if stats.decision is not None:
        yield from _decision_specs(stats.decision, opts, many=len(collected.conditions) > 1)
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


def _decision_specs(decision: Decision, opts: dict, many: bool) -> Iterator[FigureSpec]:
    summary, currency = decision.summary, decision.currency or "the runs' currency"
    money = {"currency": decision.currency or None}
    if many and _has_cost(summary) and _has_values(summary, "incremental_npv"):
        yield _spec("cost_vs_incremental_npv", "frontier", "cost against incremental NPV", "",
                    lambda: fg.plot_cost_incremental_npv(summary, **money, **opts),
                    currency=currency)
    parts = summary[summary["condition"].isin(decision.plans)]
    if any(_has_values(parts, name) for name, _ in fg.VALUE_PARTS):
        yield _spec("value_decomposition", "value", "where the incremental NPV comes from", "",
                    lambda: fg.plot_value_decomposition(parts, **money, labels=opts["labels"]),
                    currency=currency)


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
    return FigureSpec(name=name, section=DECISION_KINDS.get(kind, kind), title=title,
                      about=about, draw=draw)


def _has_values(table: pd.DataFrame, metric: str) -> bool:
    rows = table[table["metric"] == metric]
    return bool(len(rows)) and bool(np.isfinite(rows["mean"].to_numpy(dtype=float)).any())


def _has_cost(summary: pd.DataFrame) -> bool:
    cost = summary.loc[summary["metric"] == "cost", "mean"].to_numpy(dtype=float)
    return bool(np.nan_to_num(cost).any())
