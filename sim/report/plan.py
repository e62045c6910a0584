"""The plan of a sweep report: which metrics it tabulates, which statistics it computes and which
figures it draws, in order, each with its section, title and how to read it.

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

from sim.catalog import SOURCES
from sim.report import figures as fg
from sim.report.collect import Collected
from sim.report.stats import (
    conversion_means,
    heatmap_table,
    paired_differences,
    summarise,
    timeseries_bands,
)

#: final figures tabulated in a report, per condition and as paired differences
REPORT_METRICS = ("reach", "customers", "net_sentiment", "mean_loyalty", "retention", "cost",
                  "cost_per_customer")
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
FIGURE_NAME = re.compile(r"^(ts|kpi|paired|cost_vs|heatmap)_\w+$|^conversions_by_source$")


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
    """
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
}

SECTIONS = {"ts": "Time series", "kpi": "Final KPIs", "paired": "Paired differences",
            "cost": "Cost against outcome", "heatmap": "Heatmaps",
            "conversions": "Conversions by source"}


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
        Time series, final KPIs, paired differences, cost against outcome, heatmaps (two
        swept parameters only) and conversions by source.
    """
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
