"""The dashboard's comparison figures: B − A over time and who thinks what over time (plain
matplotlib figures made without pyplot, as :mod:`sim.app.views` makes its figures).

Each plot builds its figure once and then only updates the data. Every axis names its unit;
before the first day the axes keep a sensible range and say so instead of drawing an empty
range around zero.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim import catalog
from sim.app.views import DPI, SCENARIO_COLORS, STATUS_COLORS, STATUS_NAMES, axis_limits

#: the series compared day by day (:meth:`sim.app.state.Comparison.timeseries`)
DIFFERENCE_SERIES = ("reach", "customers", "net_sentiment", "mean_loyalty")
#: the states stacked in the spread chart, bottom up (:mod:`sim.app.state` codes)
SPREAD_ORDER = (3, 1, 2, 0)  # detractor, neutral, promoter, unaware


def difference_unit(key: str) -> str:
    """The unit of a difference B − A of ``key``: percentage points for shares."""
    entry = catalog.metric(key)
    if entry.display == "percent":
        return "pp"
    return "points, −1 to 1 scale" if key == "net_sentiment" else "points, 0 to 1 scale"


def difference_series(series: dict[str, dict[str, np.ndarray]], key: str) -> tuple[
        np.ndarray, np.ndarray]:
    """Days and B − A of ``key`` on the days both scenarios have (shares in percentage
    points; NaN where either has no value)."""
    a, b = series["a"], series["b"]
    n = min(len(a["step"]), len(b["step"]))
    scale = 100.0 if catalog.metric(key).display == "percent" else 1.0
    diff = scale * (np.asarray(b[key][:n], float) - np.asarray(a[key][:n], float))
    return np.asarray(a["step"][:n], float), diff


class DifferencePlot:
    """B − A of reach, customers, net sentiment and mean loyalty over time, a zero line in
    each panel; the line is green where B is ahead (the catalog says which way is better).

    Parameters
    ----------
    horizon : int
        Last day of the x axis.
    width : float
        Figure width in inches.
    """

    def __init__(self, horizon: int, *, width: float = 4.4) -> None:
        self.figure = Figure(figsize=(width, width * 0.72), dpi=DPI)
        self.axes = self.figure.subplots(2, 2, sharex=True).ravel()
        self.figure.subplots_adjust(left=0.14, right=0.98, top=0.9, bottom=0.12, hspace=0.4,
                                    wspace=0.38)
        self.lines: dict[str, Line2D] = {}
        self.notes = []
        for ax, key in zip(self.axes, DIFFERENCE_SERIES, strict=True):
            (self.lines[key],) = ax.plot([], [], color="#444444", lw=1.4)
            ax.axhline(0.0, color="#888888", lw=0.7)
            ax.set_title(catalog.metric(key).title, fontsize=8, y=1.0, pad=2)
            ax.set_ylabel(f"B − A ({difference_unit(key)})", fontsize=7)
            ax.tick_params(labelsize=7)
            ax.set_xlim(0, max(horizon, 1))
            ax.grid(alpha=0.3)
            self.notes.append(ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center",
                                      va="center", fontsize=7, color="#777777"))
        for ax in self.axes[2:]:
            ax.set_xlabel("time (days)", fontsize=7)
        self.figure.suptitle("B − A over time (above 0: B higher)", fontsize=8, y=0.99)

    def update(self, series: dict[str, dict[str, np.ndarray]]) -> Figure:
        """Show B − A of ``series`` (per scenario: ``Comparison.timeseries``)."""
        for ax, note, key in zip(self.axes, self.notes, DIFFERENCE_SERIES, strict=True):
            days, diff = difference_series(series, key)
            self.lines[key].set_data(days, diff)
            finite = diff[np.isfinite(diff)]
            ax.set_ylim(*axis_limits(finite, symmetric=True,
                                     least=1.0 if difference_unit(key) == "pp" else 0.02))
            note.set_text("" if days.size > 1 else "no days run yet")
        return self.figure


def spread_shares(ts: dict[str, np.ndarray]) -> dict[int, np.ndarray]:
    """Per sentiment state, its share of consumers (%) each day: unaware = 1 − reach,
    promoters, detractors, neutral = the rest of the aware."""
    reach = np.asarray(ts["reach"], float)
    promoters = np.asarray(ts["promoters"], float)
    detractors = np.asarray(ts["detractors"], float)
    neutral = np.clip(reach - promoters - detractors, 0.0, None)
    return {0: 100 * (1 - reach), 1: 100 * neutral, 2: 100 * promoters, 3: 100 * detractors}


class SpreadPlot:
    """Who thinks what over time: the shares of detractors, neutral, promoters and unaware
    consumers stacked, one panel per scenario (the word spreading, day by day).

    Parameters
    ----------
    horizon : int
        Last day of the x axis.
    labels : dict, optional
        Panel title per scenario.
    width : float
        Figure width in inches.
    """

    def __init__(self, horizon: int, labels: dict[str, str] | None = None, *,
                 width: float = 4.4) -> None:
        self.labels = labels or {"a": "A", "b": "B"}
        self.horizon = max(horizon, 1)
        self.figure = Figure(figsize=(width, width * 0.5), dpi=DPI)
        self.axes = dict(zip(self.labels, np.atleast_1d(
            self.figure.subplots(1, len(self.labels), sharey=True)), strict=True))
        self.figure.subplots_adjust(left=0.13, right=0.98, top=0.85, bottom=0.3, wspace=0.08)
        for which, ax in self.axes.items():
            self._frame(which, ax)
        handles = [Line2D([], [], color=STATUS_COLORS[c], lw=6, label=STATUS_NAMES[c])
                   for c in reversed(SPREAD_ORDER)]
        self.figure.legend(handles=handles, loc="lower center", ncol=4, fontsize=7,
                           frameon=False, borderaxespad=0.1)

    def _frame(self, which: str, ax) -> None:
        ax.clear()
        ax.set_xlim(0, self.horizon)
        ax.set_ylim(0, 100)
        ax.set_title(self.labels[which], fontsize=7, pad=2, color=SCENARIO_COLORS[which])
        ax.tick_params(labelsize=7)
        ax.set_xlabel("time (days)", fontsize=7)
        if which == next(iter(self.axes)):
            ax.set_ylabel("% of consumers", fontsize=7)

    def update(self, series: dict[str, dict[str, np.ndarray]]) -> Figure:
        """Show ``series`` (per scenario: ``Comparison.timeseries``)."""
        for which, ax in self.axes.items():
            self._frame(which, ax)
            ts = series[which]
            shares = spread_shares(ts)
            days = np.asarray(ts["step"], float)
            if days.size < 2:
                ax.text(0.5, 0.5, "no days run yet", transform=ax.transAxes, ha="center",
                        va="center", fontsize=7, color="#777777")
                continue
            ax.stackplot(days, *[shares[c] for c in SPREAD_ORDER],
                         colors=[STATUS_COLORS[c] for c in SPREAD_ORDER], linewidth=0)
        return self.figure
