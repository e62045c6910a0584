"""The dashboard's "Run N seeds": scenarios A and B as whole runs on N seeds, and their paired
differences B - A with 95 % intervals (plain Python, no UI).

One seed answers "what happened this time", not "what to expect": two scenarios can swap places
from one seed to the next. :func:`run_seeds` runs both scenarios of a world on seeds
``seed, seed + 1, ..., seed + N - 1``, each the ``womsim`` command the page shows for that seed
(:func:`scenario_configs`, then :func:`sim.run.run`), so a seed's figures are the
single-seed view's at the horizon. A and B on one seed share the graph, the consumers and the
luck (common random numbers), so each seed gives one paired difference B - A; :class:`SeedStudy`
summarises them per KPI: their mean, a 95 % t interval (``N - 1`` degrees of freedom, also for
N = 2) and how many seeds B did better on. It also gives the mean daily series of A and B with
their 95 % bands over the seeds (:func:`sim.report.stats.timeseries_bands`, as the sweep report
draws them).
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from sim.app.controls import Control, ControlError, Scenario, World, check_responsive
from sim.app.state import KPIS, scenario_config
from sim.catalog import METRICS
from sim.errors import UserError
from sim.report.stats import mean_ci, timeseries_bands
from sim.run import run

#: how many seeds the control allows, and its default
MIN_SEEDS, MAX_SEEDS, DEFAULT_SEEDS = 2, 50, 5
#: the control of N (its label names it in error messages)
SEEDS_CONTROL = Control("Seeds to run", "int", MIN_SEEDS, MAX_SEEDS)
#: the KPIs compared over seeds: the dashboard's cards, then the money figures (``npv`` as the
#: ``womsim`` command reports it: with strategies, remaining customers are valued with the
#: retention of the run's twin without them, docs/model.md "Value")
SEED_KPIS = (*KPIS, "cost", "npv")
#: daily series averaged over the seeds (drawn with bands)
BAND_SERIES = ("reach", "customers")
#: the coverage of the intervals and bands
CONFIDENCE = 0.95
#: differences this small count as a tie (neither scenario better)
TIE = 1e-12


def check_seeds(value: object) -> int:
    """N as an int, or :class:`ControlError`: ``Seeds to run (n_seeds) = 1 is invalid: allowed
    an integer in [2, 50]``."""
    return int(SEEDS_CONTROL.check("n_seeds", value))


def seed_list(world: World, n_seeds: int) -> list[int]:
    """The seeds of a study: the world's seed and the next ``n_seeds - 1``."""
    n_seeds = check_seeds(n_seeds)
    last = world.seed + n_seeds - 1
    if last > 2**31 - 1:
        raise ControlError(f"Seeds to run (n_seeds) = {n_seeds} is invalid with Seed (seed) = "
                           f"{world.seed}: the last seed, {last}, would be above {2**31 - 1}")
    return list(range(world.seed, world.seed + n_seeds))


@dataclass(frozen=True)
class SeedRun:
    """One scenario's run on one seed: its final KPIs (``None`` where a KPI has no value, e.g.
    mean loyalty without customers) and its daily :data:`BAND_SERIES` from day 0."""

    seed: int
    kpis: dict[str, float | None]
    series: dict[str, np.ndarray]


def scenario_configs(world: World, scenario: Scenario, seeds: Sequence[int], *,
                     label: str = "") -> list[DictConfig]:
    """The config of ``scenario`` on each of ``seeds``: composed and validated once (what the
    ``womsim`` command with ``seed=<first>`` runs), then copied with each seed (composing takes
    ~0.2 s, ten times a run of 2,000 consumers for 180 days).

    Raises
    ------
    ControlError
        When the scenario's config is invalid (the message starts with ``label``).
    """
    base = scenario_config(replace(world, seed=seeds[0]), scenario, label=label)
    out = []
    for seed in seeds:
        cfg = copy.deepcopy(base)
        cfg.seed = int(seed)
        out.append(cfg)
    return out


def run_config(cfg: DictConfig) -> SeedRun:
    """Run one scenario's config to its horizon, as its ``womsim`` command does
    (:func:`sim.run.run`); its KPIs and daily series."""
    result = run(cfg)
    kpis = {key: _number(result.metrics.get(key)) for key in SEED_KPIS}
    series = {key: result.timeseries[key].to_numpy(dtype=float) for key in BAND_SERIES}
    return SeedRun(seed=int(cfg.seed), kpis=kpis, series=series)


def _number(value: object) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


@dataclass(frozen=True)
class KpiDifference:
    """One KPI's paired difference B - A over the seeds.

    Attributes
    ----------
    key : str
        The KPI (a name of :data:`sim.catalog.METRICS`).
    mean, low, high : float
        Mean of the paired differences and its 95 % t interval (NaN without pairs; the mean
        itself with one pair).
    pairs : int
        Seeds where both A and B have a value (all of them, except e.g. mean loyalty on a seed
        where a scenario has no customers).
    better : int
        Seeds where B did better than A: higher, or lower for a KPI where lower is better
        (:attr:`sim.vocabulary.Metric.higher_is_better`, e.g. cost per customer); 0 for a KPI
        that is neither.
    mean_a, mean_b : float
        Each scenario's mean over the same seeds.
    """

    key: str
    mean: float
    low: float
    high: float
    pairs: int
    better: int
    mean_a: float
    mean_b: float

    @property
    def excludes_zero(self) -> bool:
        """Whether the interval lies on one side of 0 (the seeds resolve the difference)."""
        return bool((self.low > 0 and self.high > 0) or (self.low < 0 and self.high < 0))

    def texts(self) -> dict[str, str]:
        """The table's cells, in the units of the KPI cards: ``kpi``, ``a``, ``b``, ``mean``,
        ``interval`` (``[-9.9 pp, -3.0 pp]``) and ``better`` (``2 of 5``)."""
        metric = METRICS[self.key]
        missing = math.isnan(self.mean)
        return {
            "kpi": metric.title,
            "a": metric.format(None if missing else self.mean_a),
            "b": metric.format(None if missing else self.mean_b),
            "mean": metric.format_delta(None if missing else self.mean),
            "interval": "n/a" if self.pairs < 2 else
            f"[{metric.format_delta(self.low)}, {metric.format_delta(self.high)}]",
            "better": f"{self.better} of {self.pairs}",
        }


def paired_difference(key: str, a: Sequence[float | None], b: Sequence[float | None], *,
                      confidence: float = CONFIDENCE) -> KpiDifference:
    """The paired difference B - A of one KPI from its values on the same seeds.

    Parameters
    ----------
    key : str
        The KPI (which way is better comes from :data:`sim.catalog.METRICS`).
    a, b : sequence of float or None
        The KPI of A and of B, seed by seed; a seed where either is None or NaN is left out.
    confidence : float
        Coverage of the t interval.
    """
    if len(a) != len(b):
        raise ValueError(f"{key}: {len(a)} values of A but {len(b)} of B")
    pairs = [(float(x), float(y)) for x, y in zip(a, b, strict=True)
             if _number(x) is not None and _number(y) is not None]
    xa = np.array([p[0] for p in pairs], dtype=float)
    xb = np.array([p[1] for p in pairs], dtype=float)
    diff = xb - xa
    mean, low, high, count = mean_ci(diff, confidence)
    up = METRICS[key].higher_is_better
    if up is None:
        better = 0
    else:
        better = int(np.sum(diff > TIE) if up else np.sum(diff < -TIE))
    return KpiDifference(key=key, mean=mean, low=low, high=high, pairs=count, better=better,
                         mean_a=float(xa.mean()) if count else math.nan,
                         mean_b=float(xb.mean()) if count else math.nan)


@dataclass(frozen=True)
class SeedStudy:
    """Scenarios A and B of one world run on several seeds (what :func:`run_seeds` returns).

    Attributes
    ----------
    world : World
        The world; its ``seed`` is the first seed.
    a, b : Scenario
        The scenarios.
    runs_a, runs_b : tuple of SeedRun
        Each scenario's runs, seed by seed (the same seeds, in the same order).
    seconds : float
        Wall time of the study (composing the configs and the runs).
    """

    world: World
    a: Scenario
    b: Scenario
    runs_a: tuple[SeedRun, ...]
    runs_b: tuple[SeedRun, ...]
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if [r.seed for r in self.runs_a] != [r.seed for r in self.runs_b]:
            raise ValueError("A and B must be run on the same seeds")

    @property
    def seeds(self) -> list[int]:
        """The seeds, in order."""
        return [r.seed for r in self.runs_a]

    def controls(self) -> dict[str, World | Scenario]:
        """The controls the study was run with (compare them with the page's)."""
        return {"world": self.world, "a": self.a, "b": self.b}

    def per_seed(self, key: str) -> pd.DataFrame:
        """One KPI seed by seed: columns ``seed``, ``a``, ``b``, ``diff`` (B - A; NaN where a
        side has no value)."""
        a = np.array([np.nan if r.kpis[key] is None else r.kpis[key] for r in self.runs_a])
        b = np.array([np.nan if r.kpis[key] is None else r.kpis[key] for r in self.runs_b])
        return pd.DataFrame({"seed": self.seeds, "a": a, "b": b, "diff": b - a})

    def differences(self) -> list[KpiDifference]:
        """Every KPI of :data:`SEED_KPIS`, in display order."""
        return [paired_difference(key, [r.kpis[key] for r in self.runs_a],
                                  [r.kpis[key] for r in self.runs_b]) for key in SEED_KPIS]

    def table(self) -> pd.DataFrame:
        """:meth:`differences` as a table: one row per KPI, columns ``kpi, mean, low, high,
        pairs, better, mean_a, mean_b``."""
        rows = [{"kpi": d.key, "mean": d.mean, "low": d.low, "high": d.high, "pairs": d.pairs,
                 "better": d.better, "mean_a": d.mean_a, "mean_b": d.mean_b}
                for d in self.differences()]
        return pd.DataFrame(rows)

    def bands(self, keys: Sequence[str] = BAND_SERIES) -> pd.DataFrame:
        """Mean daily series of A and B with their 95 % t bands over the seeds: columns
        ``condition`` (``"a"``, ``"b"``), ``metric``, ``step``, ``mean``, ``ci_low``,
        ``ci_high``, ``n`` (:func:`sim.report.stats.timeseries_bands`)."""
        frames = []
        for which, runs in (("a", self.runs_a), ("b", self.runs_b)):
            for r in runs:
                frame = pd.DataFrame({key: r.series[key] for key in keys})
                frame.insert(0, "step", np.arange(len(frame)))
                frame.insert(0, "condition", which)
                frames.append(frame)
        return timeseries_bands(pd.concat(frames, ignore_index=True), list(keys), CONFIDENCE)


def run_seeds(world: World, a: Scenario, b: Scenario, n_seeds: int = DEFAULT_SEEDS, *,
              on_seed: Callable[[int, int], None] | None = None,
              keep_going: Callable[[], bool] | None = None) -> SeedStudy | None:
    """Run A and B to the horizon on ``n_seeds`` seeds from ``world.seed``.

    Every control is checked before the first run (:class:`ControlError`, one line naming the
    control, the value and what is allowed).

    Parameters
    ----------
    world, a, b : World, Scenario, Scenario
        The controls, as the single-seed view has them.
    n_seeds : int
        N, from :data:`MIN_SEEDS` to :data:`MAX_SEEDS`.
    on_seed : callable, optional
        Called as ``on_seed(k, n)`` before the runs of the k-th of the n seeds (k from 1).
    keep_going : callable, optional
        Asked before each seed; False stops the study, which then returns None.
    """
    start = time.perf_counter()
    seeds = seed_list(world, n_seeds)
    for label, scenario in (("Scenario A", a), ("Scenario B", b)):
        check_responsive(world, scenario, label=label)
    configs_a = scenario_configs(world, a, seeds, label="Scenario A")
    configs_b = scenario_configs(world, b, seeds, label="Scenario B")
    runs_a, runs_b = [], []
    for k, (cfg_a, cfg_b) in enumerate(zip(configs_a, configs_b, strict=True), start=1):
        if keep_going is not None and not keep_going():
            return None
        if on_seed is not None:
            on_seed(k, len(seeds))
        for label, cfg, runs in (("Scenario A", cfg_a, runs_a), ("Scenario B", cfg_b, runs_b)):
            try:
                runs.append(run_config(cfg))
            except ControlError:
                raise
            except UserError as err:  # refused by a check made on the built graph
                raise ControlError(f"{label}: {err}") from err
    return SeedStudy(world=world, a=a, b=b, runs_a=tuple(runs_a), runs_b=tuple(runs_b),
                     seconds=time.perf_counter() - start)
