"""Plot functions: each takes a result table and an optional Axes, draws, and returns the Axes.

They use matplotlib's object API only (no pyplot state, no backend choice), so they are safe to
call from libraries, notebooks and worker processes.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

ADOPTION_SERIES = {"reach": "reach (aware)", "adoption": "ever bought",
                   "customers": "customers now"}
SENTIMENT_SERIES = {"promoters": "promoters", "detractors": "detractors",
                    "net_sentiment": "net sentiment"}


def _axes(ax: Axes | None) -> Axes:
    return ax if ax is not None else Figure(figsize=(6, 4)).subplots()


def plot_reach(df: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Reach, ever-bought and current customers (fractions of all consumers) against day."""
    ax = _axes(ax)
    for column, label in ADOPTION_SERIES.items():
        ax.plot(df["step"], df[column], label=label)
    ax.set(xlabel="day", ylabel="fraction of consumers", ylim=(0, 1.02),
           title="Reach and customers")
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    return ax


def plot_sentiment(df: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Promoters and detractors (fractions of all) and net sentiment (of the aware) against day."""
    ax = _axes(ax)
    ax.plot(df["step"], df["promoters"], color="tab:green", label=SENTIMENT_SERIES["promoters"])
    ax.plot(df["step"], df["detractors"], color="tab:red", label=SENTIMENT_SERIES["detractors"])
    ax.plot(df["step"], df["net_sentiment"], color="black", linestyle="--",
            label=SENTIMENT_SERIES["net_sentiment"])
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set(xlabel="day", ylabel="fraction / net score", ylim=(-1.02, 1.02), title="Sentiment")
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    return ax


def plot_diffusion(df: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """A diffusion preset's reach (ever active) and currently active fraction against day."""
    ax = _axes(ax)
    ax.plot(df["step"], df["reach"], label="reach (ever active)")
    ax.plot(df["step"], df["active"], label="active now")
    ax.set(xlabel="day", ylabel="fraction of nodes", ylim=(0, 1.02), title="Diffusion")
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    return ax


def timeseries_figure(df: pd.DataFrame, title: str = "") -> Figure:
    """The word-of-mouth model: two panels (reach and customers; sentiment). A diffusion preset
    (no ``customers`` column): one panel of reach and active."""
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
