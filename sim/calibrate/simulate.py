"""The model a calibration fits: womsim at a parameter set, its run written as the observed
columns (:func:`sim.calibrate.observed.model_series`), and the distance to the observed series.

The distance is the mean over the observed columns of each column's root-mean-square error on
the rows it has, divided by the column's largest observed value, so that a column of thousands
of mentions does not drown one of a few new customers a day. A column of counts (new customers,
mentions) is compared as its running total over the observed rows: a day's count is mostly
noise when it is a handful, and the error of the counts themselves favours parameters that
predict too few (0 is close to most days of a sparse series), while the running total keeps
both the level and the timing.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from sim.calibrate.observed import SERIES, Observed, model_series
from sim.calibrate.spec import MARKET, Spec, SpecError
from sim.sensitivity.evaluate import WomsimEvaluator, check_keys


def run_overrides(spec: Spec, observed: Observed) -> tuple[str, ...]:
    """The spec's overrides, with ``steps`` long enough for the whole series."""
    days = observed.days(spec.steps_per_period)
    given = [o for o in spec.overrides if o.split("=", 1)[0].lstrip("+") == "steps"]
    if given:
        try:
            steps = int(given[-1].split("=", 1)[1])
        except ValueError:
            raise SpecError(f"overrides: {given[-1]!r} is not a whole number of days") from None
        if steps < days:
            raise SpecError(f"overrides: {given[-1]} is shorter than the series ({days} days)")
        return tuple(spec.overrides)
    return (*spec.overrides, f"steps={days}")


def flatten(series: Mapping[str, np.ndarray], observed: Observed) -> np.ndarray:
    """The values of ``series`` on the rows the observed series has, column after column; a
    column of counts as its running total over those rows."""
    parts = []
    for c in observed.columns:
        values = np.asarray(series[c], dtype=float)[~np.isnan(observed.values[c])]
        parts.append(np.cumsum(values) if SERIES[c].how == "sum" else values)
    return np.concatenate(parts)


class SeriesDistance:
    """The distance between a simulated and the observed series (module docstring), on
    :func:`flatten`-ed values. Called as pyabc calls a distance: ``distance(x, x0)``."""

    def __init__(self, observed: Observed):
        self.slices, self.scales = [], []
        start = 0
        self.target = flatten(observed.values, observed)
        for c in observed.columns:
            rows = int((~np.isnan(observed.values[c])).sum())
            part = self.target[start:start + rows]
            self.slices.append(slice(start, start + rows))
            self.scales.append(max(float(np.abs(part).max()), 1e-12))
            start += rows

    def between(self, simulated: np.ndarray, target: np.ndarray | None = None) -> float:
        """The distance of flattened ``simulated`` from ``target`` (default: the observed)."""
        target = self.target if target is None else target
        errors = [np.sqrt(np.mean((simulated[s] - target[s]) ** 2)) / scale
                  for s, scale in zip(self.slices, self.scales, strict=True)]
        return float(np.mean(errors))

    def __call__(self, x: Mapping[str, Any], x0: Mapping[str, Any], *args: Any,
                 **kwargs: Any) -> float:
        return self.between(np.asarray(x["series"]), np.asarray(x0["series"]))


#: this process's composed configs, by shared overrides and integer keys
_EVALUATORS: dict[tuple, WomsimEvaluator] = {}


class SeriesModel:
    """womsim at a parameter set, as the observed columns. Composes the shared config once per
    process (and again after pickling: the composed config is not sent to workers).

    Parameters
    ----------
    spec : Spec
        The calibration.
    observed : Observed
        The series to match.
    """

    def __init__(self, spec: Spec, observed: Observed):
        self.spec, self.observed = spec, observed
        self.overrides = run_overrides(spec, observed)
        self.integer = {p.key: p.integer for p in spec.parameters if p.is_config}
        self._evaluator: WomsimEvaluator | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_evaluator"] = None
        return state

    @property
    def evaluator(self) -> WomsimEvaluator:
        """The composed shared config (once per process: pyabc sends a copy of the model with
        every job, and composing takes longer than a run)."""
        if self._evaluator is None:
            key = (self.overrides, tuple(sorted(self.integer.items())))
            if key not in _EVALUATORS:
                _EVALUATORS[key] = WomsimEvaluator(self.overrides, (), self.integer)
            self._evaluator = _EVALUATORS[key]
        return self._evaluator

    def check(self) -> dict[str, bool]:
        """Check the fitted keys against the composed config (ConfigError for an unknown
        one); returns which hold integers."""
        keys = [p.key for p in self.spec.parameters if p.is_config]
        found = check_keys(self.evaluator.base, keys)
        self.integer.update(found)
        self.evaluator.integer.update(found)
        return found

    @property
    def n(self) -> int:
        """Consumers of the composed graph (``graph.n``; a loaded graph's after its run)."""
        return int(getattr(self.evaluator.base.graph, "n", 0) or 0)

    def market(self, values: Mapping[str, float], n: int) -> float:
        """The people the run's consumers stand for."""
        if MARKET in values:
            return float(values[MARKET])
        return self.spec.market_size if self.spec.market_size is not None else float(n)

    def series(self, values: Mapping[str, float], seed: int) -> dict[str, np.ndarray]:
        """The observed columns of one run at ``values`` on ``seed``."""
        from sim.run import run

        config_values = {k: float(v) for k, v in values.items() if k != MARKET}
        result = run(self.evaluator.config(config_values, seed))
        n = result.model.graph.n
        return model_series(result.timeseries, self.observed, n=n,
                            market_size=self.market(values, n),
                            steps_per_period=self.spec.steps_per_period)

    def flat(self, values: Mapping[str, float], seed: int) -> np.ndarray:
        """:meth:`series`, flattened on the observed rows."""
        return flatten(self.series(values, seed), self.observed)

    def seed_of(self, values: Mapping[str, float]) -> int:
        """A run's seed from its parameter values and the calibration's seed: distinct
        proposals get distinct luck, and the same proposal the same."""
        data = np.array([float(values[k]) for k in sorted(values)], dtype=float).tobytes()
        return (zlib.crc32(data) ^ (self.spec.seed * 2654435761)) % (2**31 - 1)

    def __call__(self, parameters: Mapping[str, float]) -> dict[str, np.ndarray]:
        """pyabc's model: the flattened series on a seed of its own."""
        values = {k: float(parameters[k]) for k in self.spec.names}
        return {"series": self.flat(values, self.seed_of(values))}
