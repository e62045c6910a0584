"""Figures of a sweep report: each function draws one table from :mod:`sim.report.stats` on an
Axes and returns it.

Every function has the form ``plot_x(df, *, ax=None, **opts) -> Axes``: with ``ax=None`` it
creates its own :class:`~matplotlib.figure.Figure` (object API only: no pyplot, no backend
choice), so it is safe in libraries, notebooks and worker processes. Common options:

- ``labels``: mapping condition -> text shown for it (default: the condition label);
- ``colors``: mapping condition -> colour (default: :func:`condition_colors`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from sim import catalog
from sim.report.stats import efficient_frontier

#: above this many conditions legends go beside the plot
LEGEND_INSIDE_MAX = 6

#: Libai, Muller & Peres's (2013) parts of a plan's incremental NPV and the sign each adds with
#: (expansion + acceleration - lost + retention = incremental NPV; docs/model.md, "Value")
VALUE_PARTS = (("value_expansion", 1.0), ("value_acceleration", 1.0), ("value_lost", -1.0),
               ("value_retention", 1.0))


def metric_label(metric: str, currency: str | None = None) -> str:
    """Axis text for a metric: its name, unit and what it counts (:attr:`Metric.axis_label
    <sim.vocabulary.Metric.axis_label>` of the catalog's entry); with ``currency``, money is
    said in it (``"cost (EUR per run)"``)."""
    entry = catalog.metric(metric)
    if currency and entry.unit == "money":
        return f"{entry.name} ({' '.join(p for p in (currency, entry.about) if p)})"
    return entry.axis_label


def condition_colors(conditions: Sequence[str]) -> dict[str, tuple]:
    """One colour per condition, in order: tab10 up to 10 conditions, tab20 up to 20, then a
    continuous colormap."""
    k = len(conditions)
    if k <= 10:
        cmap = colormaps["tab10"]
        return {c: cmap(i) for i, c in enumerate(conditions)}
    if k <= 20:
        cmap = colormaps["tab20"]
        return {c: cmap(i) for i, c in enumerate(conditions)}
    cmap = colormaps["viridis"]
    return {c: cmap(i / (k - 1)) for i, c in enumerate(conditions)}


def plot_timeseries(bands: pd.DataFrame, metric: str, *, ax: Axes | None = None,
                    labels: Mapping[str, str] | None = None,
                    colors: Mapping[str, tuple] | None = None,
                    title: str | None = None) -> Axes:
    """Mean of a time-series metric per condition against day, with a shaded CI band.

    Parameters
    ----------
    bands : DataFrame
        :func:`sim.report.stats.timeseries_bands` output (``condition, metric, step, mean,
        ci_low, ci_high``).
    metric : str
        The metric to draw (e.g. ``"reach"``, ``"customers"``, ``"net_sentiment"``,
        ``"mean_loyalty"``).
    ax : Axes, optional
        Where to draw; a new figure when None.
    labels, colors : mapping, optional
        Text and colour per condition.
    title : str, optional
        Axes title (default: the metric and "mean and 95% band over seeds").

    Returns
    -------
    Axes
        One line (and one band) per condition.
    """
    data = bands[bands["metric"] == metric]
    if data.empty:
        raise ValueError(f"no time series of {metric!r} in the bands table")
    conditions = list(pd.unique(data["condition"]))
    ax = _axes(ax, (7.5 if len(conditions) > LEGEND_INSIDE_MAX else 6.4, 4.0))
    colors = colors or condition_colors(conditions)
    for condition, group in data.groupby("condition", sort=False):
        color = colors.get(condition)
        ax.plot(group["step"], group["mean"], color=color, linewidth=1.6,
                label=_label(condition, labels))
        ax.fill_between(group["step"], group["ci_low"], group["ci_high"], color=color,
                        alpha=0.2, linewidth=0)
    ax.set(xlabel="day", ylabel=metric_label(metric),
           title=title or f"{metric}: mean and 95% band over seeds")
    ax.grid(alpha=0.3)
    _legend(ax, len(conditions))
    return ax


def plot_kpi(summary: pd.DataFrame, metric: str, *, ax: Axes | None = None,
             labels: Mapping[str, str] | None = None,
             colors: Mapping[str, tuple] | None = None,
             title: str | None = None) -> Axes:
    """A final KPI per condition as horizontal bars with 95% interval error bars.

    Parameters
    ----------
    summary : DataFrame
        :func:`sim.report.stats.summarise` output (``condition, metric, mean, ci_low,
        ci_high, n``).
    metric : str
        The metric to draw.
    ax : Axes, optional
        Where to draw; a new figure when None.
    labels, colors : mapping, optional
        Text and colour per condition.
    title : str, optional
        Axes title.

    Returns
    -------
    Axes
        One bar (patch) per condition, conditions top to bottom in order.
    """
    data = _rows_of(summary, metric)
    conditions = list(data["condition"])
    ax = _axes(ax, _bar_size(len(conditions)))
    colors = colors or condition_colors(conditions)
    y = np.arange(len(conditions))
    mean = data["mean"].to_numpy(dtype=float)
    ax.barh(y, mean, xerr=_errors(data), color=[colors.get(c) for c in conditions],
            capsize=3, error_kw={"elinewidth": 1, "ecolor": "black"})
    _condition_ticks(ax, y, conditions, labels)
    ax.axvline(0, color="black", linewidth=0.8)
    _money_ticks(ax.xaxis, metric)
    ax.set(xlabel=metric_label(metric), ylabel="condition",
           title=title or f"{metric} at the last day (mean, 95% interval)")
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_cost_outcome(summary: pd.DataFrame, outcome: str = "customers", *,
                      cost: str = "cost", ax: Axes | None = None,
                      labels: Mapping[str, str] | None = None,
                      colors: Mapping[str, tuple] | None = None,
                      higher_is_better: bool | None = None, currency: str | None = None,
                      title: str | None = None) -> Axes:
    """Mean cost against mean outcome per condition, with interval error bars both ways, and
    the efficient frontier (conditions no other one beats on both) as a dashed line.

    Parameters
    ----------
    summary : DataFrame
        :func:`sim.report.stats.summarise` output holding both ``cost`` and ``outcome``.
    outcome : str
        The metric on the vertical axis.
    cost : str
        The metric on the horizontal axis.
    ax : Axes, optional
        Where to draw; a new figure when None.
    labels, colors : mapping, optional
        Text and colour per condition.
    higher_is_better : bool, optional
        Direction of the outcome for the frontier (default: the catalog's entry of
        ``outcome``; higher when it says neither).
    currency : str, optional
        The currency money axes are labelled in.
    title : str, optional
        Axes title.

    Returns
    -------
    Axes
        One error-bar container per condition (``ax.containers``) and one line labelled
        ``"efficient frontier"``.
    """
    x, y = _rows_of(summary, cost), _rows_of(summary, outcome)
    both = x.merge(y, on="condition", suffixes=("_x", "_y"))
    conditions = list(both["condition"])
    ax = _axes(ax, (7.5 if len(conditions) > LEGEND_INSIDE_MAX else 6.4, 4.4))
    colors = colors or condition_colors(conditions)
    for row in both.itertuples(index=False):
        ax.errorbar(row.mean_x, row.mean_y,
                    xerr=[[row.mean_x - row.ci_low_x], [row.ci_high_x - row.mean_x]],
                    yerr=[[row.mean_y - row.ci_low_y], [row.ci_high_y - row.mean_y]],
                    fmt="o", markersize=7, capsize=3, color=colors.get(row.condition),
                    label=_label(row.condition, labels))
    if higher_is_better is None:
        higher_is_better = catalog.metric(outcome).higher_is_better is not False
    mask = efficient_frontier(both["mean_x"], both["mean_y"], higher_is_better=higher_is_better)
    front = both[mask].sort_values("mean_x")
    ax.plot(front["mean_x"], front["mean_y"], linestyle="--", color="black", marker="o",
            markersize=13, markerfacecolor="none", linewidth=1, label="efficient frontier",
            zorder=1)
    _money_ticks(ax.xaxis, cost)
    _money_ticks(ax.yaxis, outcome)
    ax.set(xlabel=metric_label(cost, currency), ylabel=metric_label(outcome, currency),
           title=title or f"{outcome} against {cost} (means, 95% intervals)")
    ax.grid(alpha=0.3)
    _legend(ax, len(conditions) + 1)
    return ax


def plot_cost_incremental_npv(summary: pd.DataFrame, *, ax: Axes | None = None,
                              labels: Mapping[str, str] | None = None,
                              colors: Mapping[str, tuple] | None = None,
                              currency: str | None = None, title: str | None = None) -> Axes:
    """Mean cost against mean incremental NPV per condition: :func:`plot_cost_outcome` (its
    ``summary``, ``labels``, ``colors``, ``currency`` and ``title``) with ``incremental_npv``
    as the outcome, plus the zero line and the break-even line incremental NPV = cost (ROI 0).

    Returns
    -------
    Axes
        One error-bar container per condition, the lines ``"efficient frontier"`` and
        ``"break-even (ROI 0)"``.
    """
    label = catalog.metric("incremental_npv").label
    entries = summary.loc[summary["metric"] == "cost", "condition"].nunique() + 2
    ax = _axes(ax, (7.5 if entries > LEGEND_INSIDE_MAX else 6.4, 4.4))
    ax = plot_cost_outcome(summary, "incremental_npv", ax=ax, labels=labels, colors=colors,
                           higher_is_better=True, currency=currency,
                           title=title or f"{label} against cost (means, 95% intervals)")
    ax.axhline(0, color="grey", linewidth=0.8)
    low, high = ax.get_xlim()
    ends = np.array([min(low, 0.0), high])
    ax.plot(ends, ends, linestyle=":", color="grey", linewidth=1.2, label="break-even (ROI 0)")
    ax.set_xlim(low, high)
    _legend(ax, entries)
    return ax


def plot_value_decomposition(summary: pd.DataFrame, *, ax: Axes | None = None,
                             labels: Mapping[str, str] | None = None,
                             currency: str | None = None, title: str | None = None) -> Axes:
    """Each condition's mean incremental NPV split into its parts (:data:`VALUE_PARTS`) as
    stacked horizontal bars: parts that add value stack right of zero, value lost and negative
    parts left of it; a diamond with its 95% interval marks the incremental NPV (the sum).

    Parameters
    ----------
    summary : DataFrame
        :func:`sim.report.stats.summarise` output holding the parts (missing parts count 0)
        and, for the diamonds, ``incremental_npv``.
    ax : Axes, optional
        Where to draw; a new figure when None.
    labels : mapping, optional
        Text per condition.
    currency : str, optional
        The currency the axis is labelled in.
    title : str, optional
        Axes title.

    Returns
    -------
    Axes
        One patch per condition and part (zero-width for a part of 0) and, with
        ``incremental_npv``, one error-bar container.
    """
    names = [name for name, _ in VALUE_PARTS]
    data = summary[summary["metric"].isin(names)]
    if data.empty:
        raise ValueError("no rows for the parts of the incremental NPV")
    conditions = list(pd.unique(data["condition"]))
    table = (data.pivot_table(index="condition", columns="metric", values="mean",
                              aggfunc="first", sort=False)
             .reindex(index=conditions, columns=names).fillna(0.0))
    ax = _axes(ax, _bar_size(len(conditions), extra=2.2))
    y = np.arange(len(conditions))
    right, left = np.zeros(len(conditions)), np.zeros(len(conditions))
    palette = colormaps["tab10"]
    for (name, sign), color in zip(VALUE_PARTS, (2, 9, 3, 4), strict=True):
        width = sign * table[name].to_numpy(dtype=float)
        start = np.where(width >= 0, right, left)
        text = catalog.metric(name).label + (" (subtracted)" if sign < 0 else "")
        ax.barh(y, width, left=start, color=palette(color), label=text, height=0.6)
        right, left = right + np.clip(width, 0, None), left + np.clip(width, None, 0)
    total = summary[summary["metric"] == "incremental_npv"].set_index("condition")
    total = total.reindex(conditions).dropna(subset=["mean"])
    if len(total):
        rows = [conditions.index(c) for c in total.index]
        ax.errorbar(total["mean"], rows, xerr=_errors(total), fmt="D", color="black",
                    markersize=6, capsize=3, label=catalog.metric("incremental_npv").label)
    ax.axvline(0, color="black", linewidth=0.8)
    _condition_ticks(ax, y, conditions, labels)
    _money_ticks(ax.xaxis, "incremental_npv")
    ax.set(xlabel=metric_label("incremental_npv", currency), ylabel="condition",
           title=title or "Where the incremental NPV comes from (means over seeds)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    return ax


def plot_heatmap(table: pd.DataFrame, *, ax: Axes | None = None, metric: str | None = None,
                 cmap: str = "viridis", title: str | None = None) -> Axes:
    """The mean of a metric for every combination of two swept parameters, as a colour grid
    with the values written in the cells and a colour bar.

    Parameters
    ----------
    table : DataFrame
        :func:`sim.report.stats.heatmap_table` output: index = first parameter (rows),
        columns = second parameter.
    ax : Axes, optional
        Where to draw; a new figure when None.
    metric : str, optional
        The metric's name for the colour bar (default: ``table.attrs["metric"]``).
    cmap : str
        Colormap name.
    title : str, optional
        Axes title.

    Returns
    -------
    Axes
        x label = the columns' parameter, y label = the rows' parameter.
    """
    metric = metric or table.attrs.get("metric", "")
    rows, cols = table.shape
    ax = _axes(ax, (max(4.8, 1.1 * cols + 2.8), max(3.2, 0.55 * rows + 1.6)))
    values = table.to_numpy(dtype=float)
    image = ax.imshow(np.ma.masked_invalid(values), aspect="auto", cmap=cmap, origin="lower")
    ax.set_xticks(np.arange(cols), [value_text(v) for v in table.columns])
    ax.set_yticks(np.arange(rows), [value_text(v) for v in table.index])
    _annotate_cells(ax, values, image)
    ax.figure.colorbar(image, ax=ax, label=metric_label(metric))
    ax.set(xlabel=str(table.columns.name), ylabel=str(table.index.name),
           title=title or f"{metric}: mean over seeds")
    return ax


def plot_conversions(means: pd.DataFrame, *, ax: Axes | None = None,
                     labels: Mapping[str, str] | None = None,
                     source_colors: Mapping[str, tuple] | None = None,
                     title: str | None = None) -> Axes:
    """Purchases by source per condition as stacked horizontal bars (mean per run).

    Parameters
    ----------
    means : DataFrame
        :func:`sim.report.stats.conversion_means` output (``condition, source, mean``).
    ax : Axes, optional
        Where to draw; a new figure when None.
    labels : mapping, optional
        Text per condition.
    source_colors : mapping, optional
        Colour per source.
    title : str, optional
        Axes title.

    Returns
    -------
    Axes
        One patch per condition and source that occurs (sources never seen are left out).
    """
    table = means.pivot_table(index="condition", columns="source", values="mean",
                              aggfunc="first", sort=False).fillna(0.0)
    conditions = list(pd.unique(means["condition"]))
    table = table.reindex(conditions)
    known = [source.name for source in catalog.SOURCES]
    sources = [s for s in [*known, *sorted(set(table.columns) - set(known))]
               if s in table and (table[s] > 0).any()]
    ax = _axes(ax, _bar_size(len(conditions), extra=1.8))
    palette = colormaps["Set2"]
    y = np.arange(len(conditions))
    left = np.zeros(len(conditions))
    for i, source in enumerate(sources):
        width = table[source].to_numpy(dtype=float)
        color = (source_colors or {}).get(source, palette(i % palette.N))
        ax.barh(y, width, left=left, color=color, label=catalog.source(source).label)
        left += width
    _condition_ticks(ax, y, conditions, labels)
    ax.set(xlabel="purchases per run (mean)", ylabel="condition",
           title=title or "Conversions by source")
    ax.grid(axis="x", alpha=0.3)
    if sources:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
                  title="source")
    return ax


def plot_paired(paired: pd.DataFrame, metric: str, *, ax: Axes | None = None,
                labels: Mapping[str, str] | None = None,
                colors: Mapping[str, tuple] | None = None,
                title: str | None = None) -> Axes:
    """A forest plot of paired differences against the baseline: per condition the mean
    difference (point) and its 95% interval (line), with a dashed line at zero.

    Parameters
    ----------
    paired : DataFrame
        :func:`sim.report.stats.paired_differences` output (``condition, baseline, metric,
        mean, ci_low, ci_high, n``).
    metric : str
        The metric to draw.
    ax : Axes, optional
        Where to draw; a new figure when None.
    labels, colors : mapping, optional
        Text and colour per condition.
    title : str, optional
        Axes title.

    Returns
    -------
    Axes
        One error-bar container per condition (``ax.containers``) and the zero line.
    """
    data = _rows_of(paired, metric)
    conditions = list(data["condition"])
    baseline = str(data["baseline"].iloc[0]) if "baseline" in data and len(data) else ""
    ax = _axes(ax, _bar_size(len(conditions)))
    colors = colors or condition_colors(conditions)
    ax.axvline(0, color="grey", linestyle="--", linewidth=1)
    for i, row in enumerate(data.itertuples(index=False)):
        ax.errorbar(row.mean, i, xerr=[[row.mean - row.ci_low], [row.ci_high - row.mean]],
                    fmt="o", markersize=7, capsize=4, color=colors.get(row.condition))
    _condition_ticks(ax, np.arange(len(conditions)), conditions, labels)
    ax.set(xlabel=f"{metric}: difference vs baseline (paired by seed)", ylabel="condition",
           title=title or f"{metric} minus {_label(baseline, labels)}")
    ax.grid(axis="x", alpha=0.3)
    return ax


# --- helpers ----------------------------------------------------------------------------------

def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    return ax if ax is not None else Figure(figsize=size, layout="constrained").subplots()


def _bar_size(k: int, extra: float = 0.0) -> tuple[float, float]:
    return 7.0 + extra, max(2.6, 0.38 * k + 1.4)


def _label(condition: str, labels: Mapping[str, str] | None) -> str:
    """The text shown for a condition ("$" escaped: matplotlib would read it as math)."""
    return (labels or {}).get(condition, condition).replace("$", r"\$")


def _rows_of(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    data = table[table["metric"] == metric]
    if data.empty:
        raise ValueError(f"no rows for metric {metric!r}")
    return data.reset_index(drop=True)


def _errors(data: pd.DataFrame) -> np.ndarray:
    """Error bar lengths below and above the means (0 where the interval is missing)."""
    mean = data["mean"].to_numpy(dtype=float)
    low = np.nan_to_num(mean - data["ci_low"].to_numpy(dtype=float))
    high = np.nan_to_num(data["ci_high"].to_numpy(dtype=float) - mean)
    return np.vstack([low, high])


def _money_ticks(axis: Axis, metric: str) -> None:
    """Thousands separators on an axis of money (the catalog's ``display``)."""
    if catalog.metric(metric).display == "money":
        axis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def _condition_ticks(ax: Axes, y: np.ndarray, conditions: list[str],
                     labels: Mapping[str, str] | None) -> None:
    ax.set_yticks(y, [_label(c, labels) for c in conditions])
    ax.set_ylim(len(conditions) - 0.5, -0.5)  # first condition on top


def _legend(ax: Axes, entries: int) -> None:
    if entries > LEGEND_INSIDE_MAX:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    else:
        ax.legend(loc="best", fontsize="small")


def value_text(value: object) -> str:
    """A parameter value as text (floats without trailing zeros)."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _annotate_cells(ax: Axes, values: np.ndarray, image) -> None:
    """Write each cell's value, in black or white for contrast."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return
    for (r, c), v in np.ndenumerate(values):
        if not np.isfinite(v):
            continue
        red, green, blue, _ = image.cmap(image.norm(v))
        light = 0.299 * red + 0.587 * green + 0.114 * blue > 0.5
        ax.text(c, r, f"{v:.3g}", ha="center", va="center", fontsize="small",
                color="black" if light else "white")
