"""Plot functions of one run's time series: each takes the series and an optional Axes, draws,
and returns the Axes.

:func:`plot_series` draws columns against the day; the run's figure (``timeseries.png``) and
the dashboard's panels are both drawn with it, so a column looks and is labelled the same
everywhere (labels from :mod:`sim.catalog`). They use matplotlib's object API only (no pyplot
state, no backend choice), so they are safe to call from libraries, notebooks and worker
processes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.catalog import METRICS, metric

#: a run's time series: a DataFrame, or a mapping of column name to values (``step`` included)
Series = pd.DataFrame | Mapping[str, Sequence[float] | np.ndarray]

ADOPTION_SERIES = ("reach", "adoption", "customers")
SENTIMENT_SERIES = ("promoters", "detractors", "net_sentiment")
SENTIMENT_STYLES = {"promoters": {"color": "tab:green"}, "detractors": {"color": "tab:red"},
                    "net_sentiment": {"color": "black", "linestyle": "--"}}


def _axes(ax: Axes | None) -> Axes:
    return ax if ax is not None else Figure(figsize=(6, 4)).subplots()


def plot_series(df: Series, columns: Sequence[str], *, ax: Axes | None = None,
                labels: Mapping[str, str] | None = None, scale: float = 1.0,
                styles: Mapping[str, Mapping[str, Any]] | None = None, **line: Any) -> Axes:
    """Time-series columns against the day, one line each.

    Parameters
    ----------
    df : DataFrame or mapping of str to array
        One row (entry) per day: ``step`` and the columns drawn.
    columns : sequence of str
        The columns to draw, in order.
    ax : Axes, optional
        Where to draw; a new figure when None.
    labels : mapping, optional
        Legend text per column (default: the catalog's label of each).
    scale : float
        Factor applied to the values (100 draws shares in percent).
    styles : mapping, optional
        Line options per column (e.g. its colour), over the shared ones.
    **line
        Line options shared by every column (``color``, ``linestyle``, ``linewidth``...).

    Returns
    -------
    Axes
        One new line per column, in order; axes limits, titles and legend are the caller's.
    """
    ax = _axes(ax)
    for column in columns:
        label = (labels or {}).get(column, metric(column).label)
        options = {**line, **(styles or {}).get(column, {})}
        values = scale * np.asarray(df[column], dtype=float)
        ax.plot(df["step"], values, label=label, **options)
    return ax


def plot_reach(df: Series, *, ax: Axes | None = None) -> Axes:
    """Reach, ever-bought and current customers (shares of all consumers) against day."""
    ax = plot_series(df, ADOPTION_SERIES, ax=ax)
    ax.set(xlabel="day", ylabel=METRICS["reach"].unit, ylim=(0, 1.02),
           title="Reach and customers")
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    return ax


def plot_sentiment(df: Series, *, ax: Axes | None = None) -> Axes:
    """Promoters and detractors (shares of all) and net sentiment (of the aware) against day."""
    ax = plot_series(df, SENTIMENT_SERIES, ax=ax, styles=SENTIMENT_STYLES)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set(xlabel="day", ylabel="share / net score", ylim=(-1.02, 1.02), title="Sentiment")
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    return ax


def plot_diffusion(df: Series, *, ax: Axes | None = None) -> Axes:
    """A diffusion preset's reach (ever active) and currently active share against day."""
    ax = plot_series(df, ("reach", "active"), ax=ax, labels={"reach": "reach (ever active)"})
    ax.set(xlabel="day", ylabel=METRICS["active"].unit, ylim=(0, 1.02), title="Diffusion")
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    return ax


def timeseries_figure(df: pd.DataFrame, title: str = "") -> Figure:
    """A run's figure (``timeseries.png``): for the word-of-mouth model two panels (reach and
    customers; sentiment), for a diffusion preset (no ``customers`` column) one panel of reach
    and active."""
    if "customers" not in df:
        fig = Figure(figsize=(6, 4.2), layout="constrained")
        plot_diffusion(df, ax=fig.subplots())
        if title:
            fig.suptitle(title)
        return fig
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    plot_reach(df, ax=left)
    plot_sentiment(df, ax=right)
    if title:
        fig.suptitle(title)
    return fig
