"""Summaries, in the catalog's words: one run's headline figures (printed by ``womsim``), a sweep's
means with 95% intervals per condition (printed at the end of ``womsim -m``, written to
``summary.txt``) and the report's ``summary.csv``.

Labels and number formats come from :mod:`sim.catalog`; collecting the runs is
:mod:`sim.report.collect`'s part and the statistics :mod:`sim.report.stats`'.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from sim import catalog
from sim.report.collect import collect_runs
from sim.report.conditions import condition_label
from sim.report.stats import format_interval, mean_ci, summarise

__all__ = ["PLAN_ROWS", "PRESET_ROWS", "RUN_ROWS", "SUMMARY_METRICS", "Row", "collect_runs",
           "condition_label", "format_table", "mean_ci", "summarise", "summary_frame",
           "summary_rows", "summary_table"]

#: headline figures of a strategy comparison (the sweep summary)
SUMMARY_METRICS = ("reach", "customers", "net_sentiment", "mean_loyalty", "retention",
                   "cost_per_customer")


@dataclass(frozen=True)
class Row:
    """One line of a run's summary: one metric, or a few side by side.

    Attributes
    ----------
    metrics : tuple of str
        The metrics shown, by name.
    label : str, optional
        The line's label (default: the metrics' labels joined by ``" / "``).
    joiner : str
        What goes between the values.
    """

    metrics: tuple[str, ...]
    label: str | None = None
    joiner: str = " / "

    def text(self) -> str:
        """The line's label."""
        if self.label is not None:
            return self.label
        return " / ".join(catalog.metric(m).label for m in self.metrics)

    def value(self, metrics: Mapping[str, object]) -> str:
        """The line's values, each written as its catalog entry says (money with the run's
        currency, when it has one)."""
        return self.joiner.join(_written(catalog.metric(m), metrics[m], metrics)
                                for m in self.metrics)


def _written(metric: catalog.Metric, value: object, metrics: Mapping[str, object]) -> str:
    text = metric.format(value)
    currency = metrics.get("currency")
    if metric.display == "money" and currency and value is not None:
        return f"{text} {currency}"
    return text


def _rows(*names: str | tuple[str, ...]) -> tuple[Row, ...]:
    return tuple(Row(n if isinstance(n, tuple) else (n,)) for n in names)


#: the lines of a word-of-mouth run's summary, after the graph, consumers and days
RUN_ROWS = _rows("reach", "adoption", "customers", ("promoters", "detractors"), "net_sentiment",
                 "mean_loyalty", "retention", "time_to_half_reach", "positive_messages",
                 "negative_messages", "complaints", "cost", "cost_per_customer", "revenue",
                 "npv")

#: the lines of a run with strategies against its twin (the same run without them)
PLAN_ROWS = _rows("incremental_npv", "roi", "incremental_customers",
                  "cost_per_incremental_customer", "value_expansion", "value_acceleration",
                  "value_lost", "value_retention")

#: the lines of a diffusion preset's summary (model=bass, sir, ...)
PRESET_ROWS = (*_rows("reach", "active"),
               Row(("peak_active", "peak_step"), label="peak active", joiner=" on day "))


def summary_rows(metrics: Mapping[str, object]) -> list[tuple[str, str]]:
    """One run's summary as (label, value) lines.

    A word-of-mouth run shows the graph, the consumers, the days, :data:`RUN_ROWS` and then
    the figures of each strategy it ran (catalog entries with that ``strategy``); a diffusion
    preset its model, graph, nodes, days and :data:`PRESET_ROWS`. Lines whose metrics the run
    lacks are left out.

    Parameters
    ----------
    metrics : mapping
        The contents of a run's metrics.json.

    Returns
    -------
    list of (str, str)
    """
    if metrics.get("model", "wom") != "wom":
        head = [("model", str(metrics["model"])), ("graph", str(metrics["graph"])),
                ("nodes", f"{metrics['n']:,}"), ("days", str(metrics["steps"]))]
        rows = PRESET_ROWS
    else:
        head = [("graph", str(metrics["graph"])), ("consumers", f"{metrics['n']:,}"),
                ("days", str(metrics["steps"]))]
        ran = set(metrics.get("strategies") or ())
        rows = (*RUN_ROWS, *(PLAN_ROWS if ran else ()),
                *(Row((m.name,)) for m in catalog.METRICS.values()
                  if m.strategy is not None and m.strategy in ran))
    return head + [(row.text(), row.value(metrics)) for row in rows
                   if all(m in metrics for m in row.metrics)]


def summary_table(metrics: Mapping[str, object]) -> str:
    """One run's headline figures as a two-column text table (what ``womsim`` prints).

    Parameters
    ----------
    metrics : mapping
        The contents of a run's metrics.json.

    Returns
    -------
    str
        One line per :func:`summary_rows` entry, labels padded to one width.
    """
    rows = summary_rows(metrics)
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def format_table(summary: pd.DataFrame, metrics: Sequence[str] = SUMMARY_METRICS) -> str:
    """A plain-text table: one row per condition, ``mean [low, high]`` per metric.

    Parameters
    ----------
    summary : DataFrame
        :func:`summarise` output.
    metrics : sequence of str
        The columns of the table, in order.

    Returns
    -------
    str
        Header, rule and one line per condition (``runs``: the most runs with a value).
    """
    if summary.empty:
        return "(no finished runs)"
    cells: dict[str, dict[str, str]] = {}
    seeds: dict[str, int] = {}
    for row in summary.itertuples():
        text = "n/a" if math.isnan(row.mean) else format_interval(row.mean, row.ci_low,
                                                                   row.ci_high)
        cells.setdefault(row.condition, {})[row.metric] = text
        seeds[row.condition] = max(seeds.get(row.condition, 0), row.n)
    header = ["condition", "runs", *metrics]
    body = [[c, str(seeds[c]), *(cells[c].get(m, "n/a") for m in metrics)] for c in cells]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in [header, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def summary_frame(summary: pd.DataFrame, paired: pd.DataFrame, baseline: str,
                  labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The table of a report's summary.csv.

    Parameters
    ----------
    summary : DataFrame
        :func:`summarise` output (``condition, metric, mean, ci_low, ci_high, n``).
    paired : DataFrame
        :func:`~sim.report.stats.paired_differences` output against ``baseline``.
    baseline : str
        The baseline condition.
    labels : mapping, optional
        Condition -> short label (swept parameters only).

    Returns
    -------
    DataFrame
        ``condition, metric, mean, ci_low, ci_high, n`` (as printed by the sweep summary),
        the paired difference against the baseline (``diff_mean, diff_ci_low, diff_ci_high,
        pairs``), ``baseline`` and the condition's ``label``.
    """
    paired = paired.rename(columns={"mean": "diff_mean", "ci_low": "diff_ci_low",
                                    "ci_high": "diff_ci_high", "n": "pairs"})
    table = summary.merge(paired.drop(columns="baseline"), on=["condition", "metric"],
                          how="left")
    table["baseline"] = baseline
    table["label"] = table["condition"].map(labels or {}).fillna(table["condition"])
    return table
