"""Plot functions of a sensitivity table (:mod:`sim.sensitivity.analysis`): each takes the
table and an optional Axes, draws, and returns the Axes. matplotlib's object API only (no
pyplot state, no backend choice); only :mod:`sim.sensitivity.report` writes files.

Parameters are drawn as tornado charts: one horizontal bar each, the most influential on top.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.catalog import metric as catalog_metric


def _axes(ax: Axes | None, height: float = 4.0) -> Axes:
    return ax if ax is not None else Figure(figsize=(6.5, height)).subplots()


def short(parameter: str) -> str:
    """A parameter's name on an axis: its config key without a leading ``model.``."""
    return parameter.removeprefix("model.")


def metric_label(name: str) -> str:
    """The catalog's label of a metric (a test function's output keeps its name)."""
    return catalog_metric(name).label


def _rows(table: pd.DataFrame, metric: str, index: str) -> pd.DataFrame:
    part = table[(table["metric"] == metric) & (table["index"] == index)]
    return part.set_index("parameter")


def plot_sobol(table: pd.DataFrame, metric: str, *, ax: Axes | None = None,
               top: int | None = None) -> Axes:
    """Total (ST) and first-order (S1) Sobol' indices of ``metric``, one pair of bars per
    parameter sorted by ST, with their bootstrap confidence intervals.

    Parameters
    ----------
    table : DataFrame
        A sensitivity table of method ``sobol``.
    metric : str
        The output whose indices are drawn.
    ax : Axes, optional
        Where to draw; a new figure when None.
    top : int, optional
        Draw only the ``top`` parameters with the largest ST.

    Returns
    -------
    Axes
    """
    st, s1 = _rows(table, metric, "ST"), _rows(table, metric, "S1")
    order = st["value"].sort_values(ascending=False).index[:top]
    ax = _axes(ax, 1.2 + 0.35 * len(order))
    y = np.arange(len(order))[::-1]
    ax.barh(y + 0.18, st.loc[order, "value"], height=0.36, xerr=st.loc[order, "conf"],
            color="tab:blue", alpha=0.45, label="total (ST)", capsize=2)
    ax.barh(y - 0.18, s1.loc[order, "value"], height=0.36, xerr=s1.loc[order, "conf"],
            color="tab:blue", label="first order (S1)", capsize=2)
    ax.set_yticks(y, [short(p) for p in order])
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_xlabel("Sobol' index: share of the variance (95% bootstrap interval)")
    ax.set_title(metric_label(metric))
    ax.legend(loc="lower right", fontsize="small")
    return ax


def plot_morris(table: pd.DataFrame, metric: str, *, ax: Axes | None = None,
                top: int | None = None) -> Axes:
    """Morris's μ* (mean absolute elementary effect) of ``metric`` per parameter, sorted, with
    its bootstrap confidence interval, and σ (spread of the effects: interactions and
    non-linearity) as a marker.

    Parameters
    ----------
    table : DataFrame
        A sensitivity table of method ``morris``.
    metric : str
        The output whose effects are drawn.
    ax : Axes, optional
        Where to draw; a new figure when None.
    top : int, optional
        Draw only the ``top`` parameters with the largest μ*.

    Returns
    -------
    Axes
    """
    mu, sigma = _rows(table, metric, "mu_star"), _rows(table, metric, "sigma")
    order = mu["value"].sort_values(ascending=False).index[:top]
    ax = _axes(ax, 1.2 + 0.3 * len(order))
    y = np.arange(len(order))[::-1]
    ax.barh(y, mu.loc[order, "value"], height=0.6, xerr=mu.loc[order, "conf"],
            color="tab:blue", label="μ* (95% bootstrap interval)", capsize=2)
    ax.plot(sigma.loc[order, "value"], y, "k|", markersize=10, label="σ")
    ax.set_yticks(y, [short(p) for p in order])
    ax.set_xlabel("elementary effect over the whole range (in the metric's unit)")
    ax.set_title(metric_label(metric))
    ax.legend(loc="lower right", fontsize="small")
    return ax


def plot_importance(importance: pd.DataFrame, *, ax: Axes | None = None,
                    method: str = "sobol") -> Axes:
    """A heatmap of :func:`~sim.sensitivity.analysis.importance`: parameters (rows, most
    influential on top) by metrics (columns), each cell its total index (Sobol') or its μ*
    relative to the metric's largest (Morris), written in the cell.

    Returns
    -------
    Axes
    """
    ax = _axes(ax, 1.0 + 0.28 * len(importance))
    values = importance.to_numpy(dtype=float)
    image = ax.imshow(values, aspect="auto", cmap="Blues", vmin=0.0,
                      vmax=max(1e-9, float(np.nanmax(values))) if values.size else 1.0)
    ax.set_xticks(range(importance.shape[1]), [metric_label(m) for m in importance.columns])
    ax.set_yticks(range(importance.shape[0]), [short(p) for p in importance.index])
    ax.tick_params(axis="x", labelrotation=20)
    top = float(np.nanmax(values)) if values.size else 1.0
    for (i, j), v in np.ndenumerate(values):
        ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7,
                color="white" if v > 0.6 * top else "black")
    label = "total index ST" if method == "sobol" else "μ* / largest μ* of the metric"
    ax.figure.colorbar(image, ax=ax, label=label)
    return ax
