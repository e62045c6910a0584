"""Against the winner's curse: the top plans run again on fresh seeds, with paired intervals.

The plan that looks best on the K search seeds is partly the luckiest on those seeds: its mean
there is biased upwards. :func:`confirm` runs each of the top plans, and the scenario without
any strategy (the baseline), on seeds none of them was chosen on. Every plan meets the same
fresh seeds, so differences are paired by seed (common random numbers): the 95 % interval of a
difference is the t interval of the per-seed differences.

Against the baseline: incremental figures (``incremental_npv``, ...) are 0 without a plan by
definition (a run without strategies is its own twin), so the difference is the plan's figure
itself; for the others (``retention``, ``mean_loyalty``, ...) it is the plan's figure minus the
run without strategies on the same seed. A figure the baseline does not have (``roi``: no cost)
has no difference.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np
from optuna.trial import FrozenTrial
from scipy import stats

from sim.optimize.evaluate import Evaluation, evaluate
from sim.optimize.objectives import Objective
from sim.optimize.space import Space, baseline_overrides, plan_overrides

#: the confidence level of every interval
LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """A mean and its 95 % t interval over seeds (NaN bounds with fewer than 2 values)."""

    mean: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Interval:
        """The interval of the mean of ``values``; NaN values make it all NaN."""
        x = np.asarray(values, dtype=float)
        if x.size == 0 or np.isnan(x).any():
            return cls(math.nan, math.nan, math.nan, int(x.size))
        mean = float(x.mean())
        if x.size < 2:
            return cls(mean, math.nan, math.nan, 1)
        half = float(stats.t.ppf(0.5 + LEVEL / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
        return cls(mean, mean - half, mean + half, int(x.size))

    @property
    def excludes_zero(self) -> bool:
        """True when the whole interval lies on one side of 0 (a clear difference)."""
        return self.low > 0 or self.high < 0


def paired(a: Sequence[float], b: Sequence[float]) -> Interval:
    """The interval of the mean of ``a - b``, paired seed by seed."""
    return Interval.of(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))


@dataclass
class ConfirmedPlan:
    """One top plan and its figures on the fresh seeds.

    Attributes
    ----------
    trial : int
        The trial that found it.
    search_rank : int
        Its place among the top plans on the search seeds (1 = first).
    params : dict
        The trial's parameters (``split.*`` included); ``shares`` the budget shares.
    overrides : list of str
        The plan as overrides (its ``womsim`` command without the seed).
    search : dict
        Objective name -> (mean, standard error) on the search seeds.
    fresh : Evaluation
        The runs on the fresh seeds.
    intervals, vs_baseline : dict
        Objective name -> :class:`Interval` of the plan's mean, and of its paired difference
        against the baseline.
    """

    trial: int
    search_rank: int
    params: dict
    shares: dict
    overrides: list[str]
    search: dict
    fresh: Evaluation
    intervals: dict = field(default_factory=dict)
    vs_baseline: dict = field(default_factory=dict)


@dataclass
class Confirmation:
    """The confirmed plans ranked by the first objective on the fresh seeds, the baseline's
    runs, and every pair's paired difference (``pairs[(i, j)][name]``: plan i minus plan j,
    by rank, 0-based)."""

    plans: list[ConfirmedPlan]
    baseline: Evaluation
    seeds: list[int]
    pairs: dict = field(default_factory=dict)


def confirm(space: Space, objectives: Sequence[Objective], top: Sequence[FrozenTrial], *,
            pool: Executor) -> Confirmation:
    """Run the ``top`` trials' plans and the baseline on the space's fresh seeds (one plan
    per worker, all seeds of a plan in one process) and compute the intervals."""
    seeds, names = space.fresh_seeds, [o.name for o in objectives]
    jobs = [pool.submit(evaluate, plan_overrides(space, t.params), seeds, names)
            for t in top]
    base_job = pool.submit(evaluate, baseline_overrides(space), seeds, names, required=False)
    evaluations = [job.result() for job in jobs]
    baseline = base_job.result()
    plans = []
    for rank, (trial, ev) in enumerate(zip(top, evaluations, strict=True), start=1):
        search = {o.name: (trial.values[i], trial.user_attrs.get(f"{o.name}_se", math.nan))
                  for i, o in enumerate(objectives)}
        plan = ConfirmedPlan(trial=trial.number, search_rank=rank, params=dict(trial.params),
                             shares=dict(trial.user_attrs.get("shares", {})),
                             overrides=plan_overrides(space, trial.params), search=search,
                             fresh=ev)
        if ev.error is None:
            for name in names:
                plan.intervals[name] = Interval.of(ev.values[name])
                if baseline.error is None:
                    plan.vs_baseline[name] = paired(ev.values[name], baseline.values[name])
        plans.append(plan)
    first = objectives[0]
    sign = 1.0 if first.maximise else -1.0
    plans.sort(key=lambda p: (p.fresh.error is not None,
                              -sign * p.intervals[first.name].mean if p.intervals else 0.0,
                              p.search_rank))
    out = Confirmation(plans=plans, baseline=baseline, seeds=seeds)
    ok = [p for p in plans if p.fresh.error is None]
    for i, a in enumerate(ok):
        for j in range(i + 1, len(ok)):
            b = ok[j]
            out.pairs[(plans.index(a), plans.index(b))] = {
                name: paired(a.fresh.values[name], b.fresh.values[name]) for name in names}
    return out
