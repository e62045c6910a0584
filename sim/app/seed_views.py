"""The figure of the dashboard's "Run N seeds": mean daily series of A and B with their 95 %
bands over the seeds (a plain matplotlib figure, made without pyplot, as :mod:`sim.app.views`
makes its figures)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.app.seeds import BAND_SERIES, SeedStudy
from sim.app.views import DPI, SCENARIO_COLORS
from sim.catalog import METRICS


def band_figure(study: SeedStudy, labels: dict[str, str] | None = None, *,
                keys: Sequence[str] = BAND_SERIES, width: float = 5.8) -> Figure:
    """One panel per series of ``keys`` (shares in %): the mean of A (solid) and of B (dashed)
    over the study's seeds, each with its shaded 95 % t band (:meth:`SeedStudy.bands`)."""
    labels = labels or {"a": "A", "b": "B"}
    bands = study.bands(keys)
    figure = Figure(figsize=(width, width * 0.42), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = np.atleast_1d(figure.subplots(1, len(keys), sharex=True))
    figure.subplots_adjust(left=0.08, right=0.98, top=0.8, bottom=0.17, wspace=0.22)
    n = len(study.seeds)
    for ax, key in zip(axes, keys, strict=True):
        metric = METRICS[key]
        scale = 100.0 if metric.display == "percent" else 1.0
        for which in ("a", "b"):
            rows = bands[(bands["metric"] == key) & (bands["condition"] == which)]
            step = rows["step"].to_numpy()
            ax.plot(step, scale * rows["mean"].to_numpy(), color=SCENARIO_COLORS[which],
                    lw=1.6, ls="-" if which == "a" else "--", label=labels[which])
            ax.fill_between(step, scale * rows["ci_low"].to_numpy(),
                            scale * rows["ci_high"].to_numpy(), color=SCENARIO_COLORS[which],
                            alpha=0.2, linewidth=0)
        unit = " (%)" if scale == 100.0 else ""
        ax.set_title(f"{metric.title}{unit}", fontsize=9, pad=3)
        ax.set_xlabel("day", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.set_xlim(0, max(study.world.steps, 1))
        ax.grid(alpha=0.3)
    handles = axes[0].get_lines()
    figure.legend(handles=handles, loc="upper center", ncol=2, fontsize=8, frameon=False,
                  borderaxespad=0.2, title=f"mean and 95 % band over {n} seeds",
                  title_fontsize=8)
    return figure
