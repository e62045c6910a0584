"""Writers of report files (figures) for a single run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.io import atomic_write
from sim.report.plots import timeseries_figure


def save_timeseries_png(df: pd.DataFrame, path: str | Path, title: str = "") -> Path:
    """Draw :func:`~sim.report.plots.timeseries_figure` and write it as PNG atomically."""
    fig = timeseries_figure(df, title)
    return atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=110))
