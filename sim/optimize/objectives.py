"""What the optimiser maximises or minimises: metrics of a run, each in the direction the
catalog gives it (:attr:`sim.catalog.Metric.higher_is_better`), averaged over seeds."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.catalog import METRICS, Metric
from sim.optimize.space import SpaceError

#: the objectives when a space and the command line name none
DEFAULT_OBJECTIVES = ("incremental_npv", "retention")


@dataclass(frozen=True)
class Objective:
    """One objective: a metric and which way is better."""

    metric: Metric

    @property
    def name(self) -> str:
        """The metric's key in metrics.json."""
        return self.metric.name

    @property
    def maximise(self) -> bool:
        """True when higher values are better."""
        return bool(self.metric.higher_is_better)

    @property
    def direction(self) -> str:
        """Optuna's word for the direction: ``"maximize"`` or ``"minimize"``."""
        return "maximize" if self.maximise else "minimize"

    def better(self, a: float, b: float) -> bool:
        """Whether value ``a`` is strictly better than ``b``."""
        return a > b if self.maximise else a < b

    def format(self, value: float) -> str:
        """A value as people read it (the catalog's display format)."""
        return self.metric.format(value)


def with_direction() -> list[str]:
    """The metrics that may be objectives: those with a direction, in catalog order."""
    return [name for name, m in METRICS.items() if m.higher_is_better is not None]


def resolve_objectives(names: Sequence[str]) -> tuple[Objective, ...]:
    """The objectives named ``names``; a SpaceError for an unknown metric, one without a
    direction, or a name given twice."""
    if not names:
        raise SpaceError("objectives: name at least one metric")
    out: list[Objective] = []
    for name in names:
        metric = METRICS.get(name)
        if metric is None:
            raise SpaceError(f"objective {name!r}: no such metric (choose among: "
                             f"{', '.join(with_direction())})")
        if metric.higher_is_better is None:
            raise SpaceError(f"objective {name!r}: {metric.label} has no direction (neither "
                             f"higher nor lower is better); choose among: "
                             f"{', '.join(with_direction())}")
        if any(o.name == name for o in out):
            raise SpaceError(f"objective {name!r} is named twice")
        out.append(Objective(metric))
    return tuple(out)


def mean_and_se(values: Sequence[float]) -> tuple[float, float]:
    """The mean of ``values`` and its standard error (sample standard deviation / sqrt(n);
    NaN for a single value)."""
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return math.nan, math.nan
    se = float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else math.nan
    return float(x.mean()), se
