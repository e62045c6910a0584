"""Statistics of a sweep's runs: means with t intervals over seeds, paired differences against a
baseline condition (paired by seed), the lead of the best condition over the others (paired by
seed), time-series bands, conversions by source, efficient frontier.

Every function is a pure function of DataFrames: it reads the tables that
:func:`sim.report.collect.collect` builds and returns new ones; nothing here reads files, and
which metrics to summarise is the caller's choice (:mod:`sim.report.plan`,
:mod:`sim.report.summary`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

STAT_COLUMNS = ["mean", "ci_low", "ci_high", "n"]


def mean_ci(values: Iterable, confidence: float = 0.95) -> tuple[float, float, float, int]:
    """Mean and two-sided t confidence interval of the non-missing ``values``.

    Parameters
    ----------
    values : iterable of numbers
        Missing values (None, NaN, non-numbers) are ignored.
    confidence : float
        Coverage of the interval (0.95: a 95% interval).

    Returns
    -------
    tuple
        ``(mean, low, high, n)``; with one value the interval is the value itself, with none
        everything is NaN and ``n`` is 0.
    """
    x = pd.to_numeric(pd.Series(values), errors="coerce").dropna().to_numpy(dtype=float)
    if x.size == 0:
        return math.nan, math.nan, math.nan, 0
    mean = float(x.mean())
    if x.size == 1:
        return mean, mean, mean, 1
    from scipy import stats  # ~0.25 s to import: only where an interval is computed

    half = float(stats.t.ppf(0.5 + confidence / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return mean, mean - half, mean + half, int(x.size)


def t_halfwidth(sd: np.ndarray, n: np.ndarray, confidence: float = 0.95) -> np.ndarray:
    """Half-width of the t interval of a mean, elementwise: 0 where ``n == 1``, NaN where
    ``n == 0`` (the same conventions as :func:`mean_ci`)."""
    from scipy import stats

    sd = np.asarray(sd, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = stats.t.ppf(0.5 + confidence / 2, np.where(n > 1, n - 1, np.nan))
        half = q * sd / np.sqrt(n)
    half = np.where(n == 1, 0.0, half)
    return np.where(n == 0, np.nan, half)


def summarise(runs: pd.DataFrame, metrics: Sequence[str], confidence: float = 0.95) -> pd.DataFrame:
    """Per condition and metric: mean, 95% t interval over the runs, and n.

    Parameters
    ----------
    runs : DataFrame
        One row per run with a ``condition`` column and one column per metric.
    metrics : sequence of str
        Metrics to summarise; those missing from ``runs`` are left out.
    confidence : float
        Coverage of the intervals.

    Returns
    -------
    DataFrame
        Columns ``condition, metric, mean, ci_low, ci_high, n`` (n: runs with a value), conditions
        in order of first appearance.
    """
    records = []
    for condition, group in runs.groupby("condition", sort=False):
        for metric in metrics:
            if metric not in group:
                continue
            mean, low, high, n = mean_ci(group[metric], confidence)
            records.append({"condition": condition, "metric": metric, "mean": mean,
                            "ci_low": low, "ci_high": high, "n": n})
    return pd.DataFrame(records, columns=["condition", "metric", *STAT_COLUMNS])


def paired_differences(runs: pd.DataFrame, baseline: str, metrics: Sequence[str],
                       confidence: float = 0.95) -> pd.DataFrame:
    """Each condition minus the baseline condition, paired by seed.

    For every condition other than ``baseline`` and every metric, only seeds present (with a
    value) in both conditions are used: the difference is taken per seed, then its mean and t
    interval. Runs sharing a condition and a seed are averaged first.

    Parameters
    ----------
    runs : DataFrame
        One row per run with ``condition``, ``seed`` and one column per metric.
    baseline : str
        The condition label to compare against.
    metrics : sequence of str
        Metrics to compare; those missing from ``runs`` are left out.
    confidence : float
        Coverage of the intervals.

    Returns
    -------
    DataFrame
        Columns ``condition, baseline, metric, mean, ci_low, ci_high, n`` (n: seed pairs).

    Raises
    ------
    ValueError
        If no run has the condition ``baseline``.
    """
    if not (runs["condition"] == baseline).any():
        raise ValueError(f"baseline condition {baseline!r} has no runs")
    metrics = [m for m in metrics if m in runs]
    per_seed = _per_seed_means(runs, metrics)
    base = per_seed[baseline]
    records = []
    for condition, table in per_seed.items():
        if condition == baseline:
            continue
        common = table.index.intersection(base.index)
        for metric in metrics:
            diff = table.loc[common, metric] - base.loc[common, metric]
            mean, low, high, n = mean_ci(diff, confidence)
            records.append({"condition": condition, "baseline": baseline, "metric": metric,
                            "mean": mean, "ci_low": low, "ci_high": high, "n": n})
    return pd.DataFrame(records, columns=["condition", "baseline", "metric", *STAT_COLUMNS])


def paired_lead(runs: pd.DataFrame, best: str, rivals: Sequence[str], metric: str,
                confidence: float = 0.95) -> pd.DataFrame:
    """How far ``best`` is ahead of each rival on ``metric``: ``best`` minus the rival, paired
    by seed (:func:`paired_differences` with ``best`` as the baseline, turned round).

    Parameters
    ----------
    runs : DataFrame
        One row per run with ``condition``, ``seed`` and ``metric``.
    best : str
        The leading condition.
    rivals : sequence of str
        The conditions compared with it (``best`` itself is skipped), in the order wanted.
    metric : str
        The metric compared.
    confidence : float
        Coverage of the intervals.

    Returns
    -------
    DataFrame
        Columns ``condition, mean, ci_low, ci_high, n`` (``condition``: the rival; n: seed
        pairs), in the order of ``rivals``; a rival without runs has NaN and n = 0.
    """
    others = [c for c in dict.fromkeys(rivals) if c != best]
    columns = ["condition", *STAT_COLUMNS]
    if not others:
        return pd.DataFrame(columns=columns)
    subset = runs[runs["condition"].isin([best, *others])]
    diff = paired_differences(subset, best, [metric], confidence).set_index("condition")
    records = []
    for rival in others:
        if rival in diff.index:
            row = diff.loc[rival]
            records.append({"condition": rival, "mean": -row["mean"], "ci_low": -row["ci_high"],
                            "ci_high": -row["ci_low"], "n": int(row["n"])})
        else:
            records.append({"condition": rival, "mean": math.nan, "ci_low": math.nan,
                            "ci_high": math.nan, "n": 0})
    return pd.DataFrame(records, columns=columns)


def _per_seed_means(runs: pd.DataFrame, metrics: list[str]) -> dict[str, pd.DataFrame]:
    """Condition -> table indexed by seed with the mean of each metric over that seed's runs."""
    values = runs[metrics].apply(pd.to_numeric, errors="coerce")
    values[["condition", "seed"]] = runs[["condition", "seed"]]
    return {condition: group.groupby("seed")[metrics].mean()
            for condition, group in values.groupby("condition", sort=False)}


def timeseries_bands(timeseries: pd.DataFrame, metrics: Sequence[str],
                     confidence: float = 0.95) -> pd.DataFrame:
    """Per condition, metric and step: mean over the runs and the t interval (a band).

    Parameters
    ----------
    timeseries : DataFrame
        Tidy time series: ``condition``, ``step`` and one column per metric, one row per run and
        step.
    metrics : sequence of str
        Columns to summarise; those missing are left out.
    confidence : float
        Coverage of the bands.

    Returns
    -------
    DataFrame
        Columns ``condition, metric, step, mean, ci_low, ci_high, n``, conditions in order of
        first appearance, steps ascending. Intervals follow :func:`mean_ci` (NaN values ignored).
    """
    metrics = [m for m in metrics if m in timeseries]
    columns = ["condition", "metric", "step", *STAT_COLUMNS]
    if not metrics or timeseries.empty:
        return pd.DataFrame(columns=columns)
    long = timeseries.melt(id_vars=["condition", "step"], value_vars=metrics,
                           var_name="metric", value_name="value")
    long["value"] = pd.to_numeric(long["value"], errors="coerce")
    order = pd.unique(timeseries["condition"])
    long["condition"] = pd.Categorical(long["condition"], categories=order, ordered=True)
    long["metric"] = pd.Categorical(long["metric"], categories=metrics, ordered=True)
    agg = (long.groupby(["condition", "metric", "step"], observed=True)["value"]
           .agg(["mean", "std", "count"]).reset_index())
    half = t_halfwidth(agg["std"].to_numpy(), agg["count"].to_numpy(), confidence)
    out = pd.DataFrame({
        "condition": agg["condition"].astype(str), "metric": agg["metric"].astype(str),
        "step": agg["step"], "mean": agg["mean"], "ci_low": agg["mean"] - half,
        "ci_high": agg["mean"] + half, "n": agg["count"].astype(int)})
    return out.reset_index(drop=True)


def conversion_means(conversions: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean purchases per run by source and condition, with t intervals.

    Parameters
    ----------
    conversions : DataFrame
        Tidy counts: ``condition, job, source, count`` with one row per run and source (zeros
        included).
    confidence : float
        Coverage of the intervals.

    Returns
    -------
    DataFrame
        Columns ``condition, source, mean, ci_low, ci_high, n`` (n: runs).
    """
    records = []
    for (condition, source), group in conversions.groupby(["condition", "source"], sort=False):
        mean, low, high, n = mean_ci(group["count"], confidence)
        records.append({"condition": condition, "source": source, "mean": mean,
                        "ci_low": low, "ci_high": high, "n": n})
    return pd.DataFrame(records, columns=["condition", "source", *STAT_COLUMNS])


def efficient_frontier(cost: Sequence[float], outcome: Sequence[float], *,
                       higher_is_better: bool = True) -> np.ndarray:
    """Which points no other point beats on both cost and outcome (the Pareto frontier).

    A point is dominated when another costs no more and achieves at least as much, and is
    strictly better on one of the two. Points with a missing value are never efficient.

    Parameters
    ----------
    cost, outcome : sequences of float
        One value per point (condition).
    higher_is_better : bool
        Whether a larger outcome is better (False for e.g. churn).

    Returns
    -------
    ndarray of bool
        True for the efficient points.
    """
    c = np.asarray(cost, dtype=float)
    y = np.asarray(outcome, dtype=float) * (1.0 if higher_is_better else -1.0)
    valid = ~(np.isnan(c) | np.isnan(y))
    efficient = valid.copy()
    for i in np.flatnonzero(valid):
        others = valid & (c <= c[i]) & (y >= y[i]) & ((c < c[i]) | (y > y[i]))
        efficient[i] = not others.any()
    return efficient


def heatmap_table(runs: pd.DataFrame, metric: str, rows: str, cols: str) -> pd.DataFrame:
    """Mean of ``metric`` over the runs for every combination of two parameters.

    Parameters
    ----------
    runs : DataFrame
        One row per run with columns ``rows``, ``cols`` and ``metric``.
    metric : str
        The metric to average.
    rows, cols : str
        The parameters on the table's index and columns (values sorted; numbers numerically).

    Returns
    -------
    DataFrame
        Index named ``rows``, columns named ``cols``; NaN for combinations without runs.
        ``attrs["metric"]`` holds ``metric``.
    """
    values = pd.to_numeric(runs[metric], errors="coerce")
    frame = pd.DataFrame({"r": runs[rows], "c": runs[cols], "v": values})
    table = frame.groupby(["r", "c"], dropna=False)["v"].mean().unstack("c")
    table = table.reindex(index=_sorted_values(runs[rows]), columns=_sorted_values(runs[cols]))
    table.index.name, table.columns.name = rows, cols
    table.attrs["metric"] = metric
    return table


def _sorted_values(values: pd.Series) -> list:
    """Distinct non-missing values, numerically sorted when they are numbers, else as strings."""
    unique = list(pd.unique(values.dropna()))
    try:
        return sorted(unique)
    except TypeError:
        return sorted(unique, key=str)


def excludes_zero(low: float, high: float) -> bool:
    """Whether the interval [low, high] lies entirely on one side of zero."""
    return bool((low > 0 and high > 0) or (low < 0 and high < 0))


def format_interval(mean: float, low: float, high: float) -> str:
    """``mean [low, high]`` with 3 decimals (1 for magnitudes of 100 and more); ``n/a`` when the
    mean is missing."""
    if mean is None or math.isnan(mean):
        return "n/a"
    digits = 1 if abs(mean) >= 100 else 3
    return f"{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"
