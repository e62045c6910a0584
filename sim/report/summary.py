"""Collect the runs of a sweep directory and summarise them per condition with 95% intervals.

The sweep summary printed at the end of ``womsim -m`` (:class:`sim.report.callbacks.SweepSummary`).
The work is done in :mod:`sim.report.collect` (reading) and :mod:`sim.report.stats`
(statistics); this module keeps the names the callbacks and tests use.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from sim.report.collect import collect_runs, condition_label
from sim.report.stats import SUMMARY_METRICS, format_interval, mean_ci, summarise

__all__ = ["SUMMARY_METRICS", "collect_runs", "condition_label", "format_table", "mean_ci",
           "summarise"]


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
