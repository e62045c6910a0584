"""A plan evaluated on K seeds: the runs :func:`sim.run.run` makes of it, and their figures.

A plan is a list of overrides (:func:`sim.optimize.space.plan_overrides`). :func:`evaluate`
composes it once and runs it on each seed in turn, in one process: seeds are the only thing
that changes between the runs, and every plan meets the same seeds, hence the same consumers
and draws (common random numbers). Each run uses one thread (``threads=1``; results do not
depend on it), because the parallelism is across plans, one plan per worker process.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hydra.errors import HydraException
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.compose import compose_config
from sim.errors import ConfigError
from sim.optimize.space import Space, SpaceError, format_value, plan_overrides
from sim.run import run
from sim.schema import validate

#: every run of the optimiser has this override last: one thread per run, one run per core
ONE_THREAD = "threads=1"


@dataclass
class Evaluation:
    """The figures of one plan on its seeds.

    Attributes
    ----------
    seeds : list of int
    values : dict
        Metric name -> one value per seed (in the order of ``seeds``).
    cost : list of float
        The plan's spend on each seed (``cost`` of metrics.json).
    seconds : float
        Wall time of the evaluation.
    error : str or None
        Why the plan could not be evaluated (a refused config, a metric without a value),
        one line; ``values`` is then incomplete.
    """

    seeds: list[int]
    values: dict[str, list[float]] = field(default_factory=dict)
    cost: list[float] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


def evaluate(overrides: Sequence[str], seeds: Sequence[int], metrics: Sequence[str], *,
             required: bool = True) -> Evaluation:
    """Run the plan ``overrides`` on each of ``seeds`` and collect ``metrics``.

    A plan the model refuses (:class:`~sim.errors.ConfigError`, e.g. a KOL share too small to
    buy one KOL), or a metric without a value on some seed (``mean_loyalty`` with no customer
    left) when ``required``, gives an Evaluation with ``error`` set instead of raising: one bad
    plan does not stop a study. Anything else is a bug and is raised. With ``required=False``
    a missing value is NaN (the baseline has no ``roi``).
    """
    start = time.perf_counter()
    out = Evaluation(seeds=[int(s) for s in seeds], values={m: [] for m in metrics})
    try:
        cfg = compose_config(*overrides, ONE_THREAD)
        for seed in out.seeds:
            cfg.seed = seed
            result = run(cfg)
            for name in metrics:
                value = result.metrics.get(name)
                if value is None or (isinstance(value, float) and math.isnan(value)):
                    if required:
                        out.error = f"{name} has no value on seed {seed}"
                        return out
                    value = math.nan
                out.values[name].append(float(value))
            out.cost.append(float(result.metrics.get("cost") or 0.0))
    except ConfigError as err:
        out.error = f"refused by the model: {err}"
    finally:
        out.seconds = time.perf_counter() - start
    return out


_NOT_FOUND = object()


def check_space(space: Space) -> None:
    """Check a space against the composed configs before any trial runs; a SpaceError (one
    line) names the first problem.

    Every parameter's key must be a key of the scenario's config (with the selected
    strategies), and the plan must be accepted by the model's checks
    (:func:`sim.schema.validate`) with every parameter at its low end, at its high end, and at
    each of its choices. What depends on the graph, or on two parameters together, is found
    when a trial runs: the trial fails with the reason and the study goes on.
    """
    where = space.source or space.name
    middle = {name: 0.5 for name in space.split_params}
    first = {p.key: p.corners()[0] for p in space.params}
    cfg = _compose(plan_overrides(space, middle | first, with_params=False), where, "base")
    for p in space.params:
        if OmegaConf.select(cfg, p.key, default=_NOT_FOUND) is _NOT_FOUND:
            top = p.key.split(".")
            hint = ""
            if top[0] == "strategy" and len(top) > 1 and top[1] not in space.strategies:
                hint = (f": strategy {top[1]} is not selected (split: {', '.join(space.split)}"
                        + (f"; own_budget: {', '.join(space.own_budget)}" if space.own_budget
                           else "") + ")")
            raise SpaceError(f"{where}: params ({p.key}): no such config key{hint}")
    width = max([2] + [len(p.choices) for p in space.params])
    for i in range(width):
        corner = {p.key: p.corners()[min(i, len(p.corners()) - 1)] for p in space.params}
        overrides = plan_overrides(space, middle | corner)
        cfg = _compose(overrides, where, "params")
        try:
            validate(cfg)
        except ConfigError as err:
            raise SpaceError(f"{where}: params: the model refuses a bound: {err}") from None


def _compose(overrides: list[str], where: str, part: str) -> Any:
    try:
        return compose_config(*overrides, ONE_THREAD)
    except ConfigError as err:
        raise SpaceError(f"{where}: {part}: {err}") from None
    except (HydraException, OmegaConfBaseException) as err:
        line = next((ln.strip() for ln in str(err).splitlines() if ln.strip()), type(err).__name__)
        raise SpaceError(f"{where}: {part}: {line}") from None


def command(overrides: Sequence[str], seed: int | None = None) -> str:
    """The ``womsim`` command of a plan's run on ``seed`` (shell-quoted)."""
    import shlex

    words = list(overrides) + ([f"seed={format_value(int(seed))}"] if seed is not None else [])
    return "womsim " + " ".join(shlex.quote(w) for w in words)
