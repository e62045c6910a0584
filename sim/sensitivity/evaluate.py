"""What one sample is worth: a womsim run with the sample's values set on a composed config, or
a test function (the hook of :mod:`sim.sensitivity.functions`).

Composing a config with Hydra takes ~0.2 s, several times a default run (~0.03 s), so an
evaluator composes the shared overrides once and sets each sample's values on a copy of the
plain config (:func:`set_key`). Keys and types are checked once, before any run
(:func:`check_keys`), and the values at both ends of every range by womsim's own checks
(:func:`check_ranges`).
"""

from __future__ import annotations

import copy
import importlib
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from sim.config.checks import lookup
from sim.errors import ConfigError

#: what every run of a study shares beyond the study's overrides: one thread per run (runs go
#: side by side in processes), no twin run (a study without strategies has none anyway)
RUN_OVERRIDES = ("threads=1",)


class Evaluator(Protocol):
    """Outputs (by metric name) of the model at ``values`` (by parameter name) on ``seed``."""

    def __call__(self, values: Mapping[str, float], seed: int) -> dict[str, float]: ...


def set_key(cfg: Any, key: str, value: Any) -> None:
    """Set dotted ``key`` of a plain config to ``value`` in place."""
    head, _, last = key.rpartition(".")
    node = lookup(cfg, head) if head else cfg
    if isinstance(node, dict):
        node[last] = value
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        setattr(node, last, value)


def compose_plain(overrides: Sequence[str]) -> Any:
    """The plain config (dataclasses) composed from womsim ``overrides``; a bad override is a
    one-line :class:`~sim.errors.ConfigError`."""
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from sim.compose import compose_config
    from sim.schema import checked_plain

    try:
        return checked_plain(compose_config(*overrides, *RUN_OVERRIDES))
    except (HydraException, OmegaConfBaseException) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ConfigError(f"overrides {list(overrides)}: {first}") from None


def check_keys(cfg: Any, keys: Sequence[str]) -> dict[str, bool]:
    """For each key: whether it holds an integer (sampled values are then rounded). A key that
    is not in the config, or holds no number, is a one-line ConfigError."""
    integer = {}
    for key in keys:
        try:
            value = lookup(cfg, key)
        except (AttributeError, KeyError, IndexError, ValueError):
            raise ConfigError(f"parameter {key}: no such key in the composed config (see "
                              "womsim --cfg job)") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"parameter {key}: the key holds {value!r}, not a number")
        integer[key] = isinstance(value, int)
    return integer


class WomsimEvaluator:
    """Runs womsim: the shared ``overrides`` composed once, each sample's values set on a copy.

    Parameters
    ----------
    overrides : sequence of str
        womsim overrides every run shares (``graph.n=5000``).
    metrics : sequence of str
        The final figures returned (keys of metrics.json); a missing value (None) is NaN.
    integer : mapping of str to bool, optional
        Keys whose values are rounded (default: found from the composed config).
    """

    def __init__(self, overrides: Sequence[str], metrics: Sequence[str],
                 integer: Mapping[str, bool] | None = None):
        self.overrides = tuple(overrides)
        self.metrics = tuple(metrics)
        self.base = compose_plain(self.overrides)
        self.integer = dict(integer or {})

    def config(self, values: Mapping[str, float], seed: int) -> Any:
        """The plain config of one run: the base with ``values`` set and ``seed``."""
        cfg = copy.deepcopy(self.base)
        for key, value in values.items():
            if key not in self.integer:
                self.integer.update(check_keys(self.base, [key]))
            set_key(cfg, key, int(round(value)) if self.integer[key] else float(value))
        cfg.seed = int(seed)
        return cfg

    def __call__(self, values: Mapping[str, float], seed: int) -> dict[str, float]:
        from sim.run import run

        metrics = run(self.config(values, seed)).metrics
        return {name: _number(metrics.get(name)) for name in self.metrics}


def _number(value: Any) -> float:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return math.nan
    return float(value)


class FunctionEvaluator:
    """Calls ``module:callable`` (e.g. ``sim.sensitivity.functions:ishigami``) instead of
    womsim: the test hook, run through the same sampling, execution and analysis."""

    def __init__(self, target: str, metrics: Sequence[str]):
        self.target = target
        self.metrics = tuple(metrics)
        self.function = load_function(target)

    def __call__(self, values: Mapping[str, float], seed: int) -> dict[str, float]:
        out = self.function(dict(values), int(seed))
        missing = [m for m in self.metrics if m not in out]
        if missing:
            raise ConfigError(f"function {self.target} returned no {missing[0]!r} "
                              f"(it returned {sorted(out)})")
        return {m: _number(out[m]) for m in self.metrics}


def load_function(target: str) -> Callable[..., Mapping[str, float]]:
    """The callable named ``module:attribute``."""
    module_name, _, attr = target.partition(":")
    try:
        function = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as err:
        raise ConfigError(f"function {target!r} cannot be loaded: {err}") from None
    if not callable(function):
        raise ConfigError(f"function {target!r} is not callable")
    return function


def check_ranges(evaluator: WomsimEvaluator, names: Sequence[str], samples: np.ndarray) -> None:
    """womsim's own checks (:func:`sim.schema.validate`) on every parameter at the smallest
    and the largest value sampled, the others at their base values, before any run: a range
    that leaves what womsim allows is a one-line ConfigError naming it."""
    from sim.schema import validate

    base = {name: lookup(evaluator.base, name) for name in names}
    for j, name in enumerate(names):
        for end, value in (("smallest", samples[:, j].min()), ("largest", samples[:, j].max())):
            values = {**base, name: float(value)}
            try:
                validate(evaluator.config(values, evaluator.base.seed))
            except ConfigError as err:
                raise ConfigError(f"parameter {name}: its {end} sampled value {value:g} is "
                                  f"refused by womsim: {err}") from None
