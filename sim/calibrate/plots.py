"""Plot functions of a calibration: each takes its table and an optional Axes, draws, and
returns the Axes (matplotlib's object API only; :mod:`sim.calibrate.pipeline` writes files).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.calibrate.observed import SERIES


def _axes(ax: Axes | None) -> Axes:
    return ax if ax is not None else Figure(figsize=(6.5, 4)).subplots()


def plot_band(band: pd.DataFrame, series: str, *, ax: Axes | None = None,
              bass: Sequence[float] | None = None, unit: str | None = None) -> Axes:
    """The observed series (dots), the posterior predictive median (line) and its 90 % band,
    and optionally the Bass model's fit (dashed) over the same rows.

    Parameters
    ----------
    band : DataFrame
        :func:`sim.calibrate.posterior.band`: series, the time column, observed, median, q05,
        q95.
    series : str
        The observed column drawn.
    ax : Axes, optional
        Where to draw; a new figure when None.
    bass : sequence of float, optional
        The Bass fit's values on the same rows.
    unit : str, optional
        The time column (default: the band's second column).

    Returns
    -------
    Axes
    """
    ax = _axes(ax)
    part = band[band["series"] == series]
    unit = unit or [c for c in band.columns if c not in
                    ("series", "observed", "median", "q05", "q95")][0]
    t = part[unit].to_numpy()
    ax.fill_between(t, part["q05"], part["q95"], color="tab:blue", alpha=0.25,
                    label="womsim, 90% predictive band")
    ax.plot(t, part["median"], color="tab:blue", label="womsim, predictive median")
    if bass is not None:
        ax.plot(t, np.asarray(bass, dtype=float), color="tab:red", linestyle="--",
                label="Bass model, least-squares fit")
    ax.plot(t, part["observed"], "ko", markersize=3.5, label="observed")
    ax.set_xlabel(unit)
    ax.set_ylabel(SERIES[series].label)
    ax.legend(fontsize="small")
    return ax


def plot_marginal(values: np.ndarray, weights: np.ndarray, name: str, *,
                  ax: Axes | None = None, bounds: tuple[float, float] | None = None,
                  interval: tuple[float, float] | None = None,
                  truth: float | None = None) -> Axes:
    """A parameter's posterior: a weighted histogram over its prior's ``bounds``, its 90 %
    ``interval`` shaded and, when known, the ``truth``.

    Returns
    -------
    Axes
    """
    ax = _axes(ax)
    edges = np.linspace(*bounds, 31) if bounds else 30
    ax.hist(values, bins=edges, weights=weights, color="tab:blue", alpha=0.7)
    if interval is not None:
        ax.axvspan(*interval, color="tab:orange", alpha=0.2, label="90% interval")
    if truth is not None:
        ax.axvline(truth, color="black", linestyle="--", label="true value")
    ax.set_xlabel(name.removeprefix("model."))
    ax.set_yticks([])
    if interval is not None or truth is not None:
        ax.legend(fontsize="x-small")
    return ax
