"""The search: an Optuna study of plans, stored in the output directory and resumable.

Optuna's ask-and-tell interface drives it. Trials are asked in batches (default: one per
worker), each trial is one plan evaluated on the study's K seeds in a worker process
(:func:`sim.optimize.evaluate.evaluate`), and a batch is told in trial order once all of it is
back. The sampler's history at every ask is thus the same whatever order the workers finish
in: the same seed and batch size give the same trials.

The sampler is multi-objective TPE (``TPESampler(multivariate=True, constant_liar=True)``;
docs/optimisation.md says why). A trial records, as user attributes, each objective's mean and
standard error over the seeds, the values per seed, the budget shares and the spend; the
budget is a constraint (``Trial.set_constraint``: the most the plan spent on any seed minus the
budget, feasible when at most 0), so the sampler and the Pareto front respect it.

The study lives in ``study.db`` (SQLite). Running the same command again resumes it: finished
trials are kept, and trials a killed run left unfinished are run again with the same
parameters.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import FrozenTrial, TrialState

from sim.optimize.evaluate import Evaluation, evaluate
from sim.optimize.objectives import Objective, mean_and_se
from sim.optimize.space import Space, SpaceError, plan_overrides, shares_of

#: the name of the one study in a ``study.db``
STUDY_NAME = "womsim-optimize"


def distributions(space: Space) -> dict[str, BaseDistribution]:
    """Optuna's distribution of every parameter: the budget split's ``split.*`` values in
    [0, 1], then the space's parameters."""
    out: dict[str, BaseDistribution] = {name: FloatDistribution(0.0, 1.0)
                                        for name in space.split_params}
    for p in space.params:
        if p.type == "categorical":
            out[p.key] = CategoricalDistribution(list(p.choices))
        elif p.type == "int":
            out[p.key] = IntDistribution(int(p.low), int(p.high), log=p.log,
                                         step=int(p.step or 1))
        else:
            out[p.key] = FloatDistribution(p.low, p.high, log=p.log, step=p.step)
    return out


def startup_trials(trials: int) -> int:
    """Random trials before TPE models the results: a fifth of the study, 4 to 10 (Optuna's
    default is 10, too many for a short study)."""
    return max(4, min(10, trials // 5))


def make_sampler(space: Space, previous: int) -> optuna.samplers.TPESampler:
    """The study's sampler. Its seed is drawn from the space's ``sampler_seed`` and the number
    of trials already stored, so a resumed study does not replay the random draws of its
    start."""
    seed = int(np.random.SeedSequence([space.sampler_seed, previous]).generate_state(1)[0])
    return optuna.samplers.TPESampler(multivariate=True, constant_liar=True, seed=seed,
                                      n_startup_trials=startup_trials(space.trials))


def open_study(space: Space, objectives: Sequence[Objective], out: Path) -> optuna.Study:
    """The study in ``out/study.db``, created if new; a SpaceError if it was started with
    another scenario, space, objectives or seeds (:meth:`Space.study_key`)."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    out.mkdir(parents=True, exist_ok=True)
    storage = optuna.storages.RDBStorage(f"sqlite:///{(out / 'study.db').resolve()}")
    key = space.study_key() | {"objectives": [o.name for o in objectives]}
    previous = 0
    try:
        stored = optuna.load_study(study_name=STUDY_NAME, storage=storage)
        previous = len(stored.trials)
    except KeyError:
        stored = None
    if stored is not None and stored.user_attrs.get("space") not in (None, key):
        old = stored.user_attrs["space"]
        what = next((k for k in key if old.get(k) != key[k]), "space")
        raise SpaceError(f"{out / 'study.db'} holds a study with other {what} "
                         f"({old.get(what)!r}, now {key[what]!r}): give another --out, or "
                         f"delete the directory to start again")
    study = optuna.create_study(storage=storage, study_name=STUDY_NAME, load_if_exists=True,
                                sampler=make_sampler(space, previous),
                                directions=[o.direction for o in objectives])
    if stored is None:
        study.set_user_attr("space", key)
    return study


def is_finished(trial: FrozenTrial) -> bool:
    """A trial that counts towards the study's total: complete, or failed for a reason of
    its own (a plan the model refuses). A trial stopped by an interruption does not count."""
    return trial.state == TrialState.COMPLETE or (
        trial.state == TrialState.FAIL and "error" in trial.user_attrs)


def is_feasible(trial: FrozenTrial) -> bool:
    """A complete trial whose spend stayed within the budget on every seed."""
    return trial.state == TrialState.COMPLETE and all(
        v <= 0 for v in trial.constraints.values())


def recover(study: optuna.Study) -> int:
    """Make the trials an interrupted run left unfinished fail, and queue their parameters
    to be run again first; the number queued."""
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study.tell(trial.number, state=TrialState.FAIL)
    trials = study.get_trials(deepcopy=False)
    retried = {t.user_attrs.get("retry_of") for t in trials}
    queued = 0
    for trial in trials:
        if trial.state == TrialState.FAIL and "error" not in trial.user_attrs \
                and trial.number not in retried and trial.params:
            study.enqueue_trial(trial.params, user_attrs={"retry_of": trial.number})
            queued += 1
    return queued


def record(study: optuna.Study, trial: optuna.Trial, space: Space,
           objectives: Sequence[Objective], ev: Evaluation) -> FrozenTrial:
    """Tell the study the evaluation ``ev`` of ``trial``: its objectives' means (standard
    errors and per-seed values as user attributes), its spend and budget constraint, or its
    failure."""
    trial.set_user_attr("shares", shares_of(space, trial.params))
    trial.set_user_attr("seconds", round(ev.seconds, 3))
    trial.set_user_attr("seeds", ev.seeds)
    if ev.error is not None:
        trial.set_user_attr("error", ev.error)
        return study.tell(trial, state=TrialState.FAIL)
    values = []
    for o in objectives:
        mean, se = mean_and_se(ev.values[o.name])
        trial.set_user_attr(f"{o.name}_se", se)
        trial.set_user_attr(f"{o.name}_per_seed", ev.values[o.name])
        values.append(mean)
    trial.set_user_attr("cost", float(np.mean(ev.cost)))
    trial.set_user_attr("cost_max", max(ev.cost))
    trial.set_constraint("budget", max(ev.cost) - space.budget)
    return study.tell(trial, values)


class InProcess(Executor):
    """An executor that runs each task at once in this process (``--jobs 1``)."""

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` now; its future is already done."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:
            future.set_exception(err)
        return future


def workers(jobs: int) -> Executor:
    """``jobs`` worker processes (started fresh: a forked child of a process that has run
    numba's threads can hang), or this process for one job."""
    if jobs <= 1:
        return InProcess()
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))


@dataclass
class Progress:
    """One line per finished trial on ``stream``: trials done / total, the trial's figures,
    the best feasible value of the first objective so far, the Pareto front's size, time."""

    objectives: Sequence[Objective]
    total: int
    stream: TextIO | None = None
    enabled: bool = True

    def __post_init__(self) -> None:
        self.start = time.perf_counter()
        self.count = 0

    def trial(self, study: optuna.Study, frozen: FrozenTrial, done: int, budget: float) -> None:
        """Show the line of ``frozen``, the ``done``-th finished trial."""
        if not self.enabled:
            return
        self.count += 1
        elapsed = time.perf_counter() - self.start
        left = (self.total - done) * elapsed / self.count
        head = f"[optimize {done}/{self.total}] trial {frozen.number}"
        if frozen.state != TrialState.COMPLETE:
            line = f"{head} failed: {frozen.user_attrs.get('error', 'interrupted')}"
        else:
            figures = ", ".join(
                f"{o.metric.label} {o.format(v)} ± {o.format(frozen.user_attrs[o.name + '_se'])}"
                for o, v in zip(self.objectives, frozen.values, strict=True))
            if not is_feasible(frozen):
                figures += (f"; infeasible: spent {frozen.user_attrs['cost_max']:,.2f} > "
                            f"budget {budget:,.2f}")
            line = f"{head}: {figures}"
        parts = [line]
        best = best_so_far(study, self.objectives[0])
        o = self.objectives[0]
        parts.append(f"best {o.metric.label} {o.format(best.values[0])} (trial {best.number})"
                     if best is not None else "no feasible plan yet")
        if len(self.objectives) > 1:
            parts[-1] += f", {len(study.best_trials)} on the Pareto front"
        parts.append(_clock(elapsed) + (f", ~{_clock(left)} left" if done < self.total else ""))
        line = " | ".join(parts)
        stream = self.stream if self.stream is not None else sys.stderr
        print(line, file=stream, flush=True)


def best_so_far(study: optuna.Study, objective: Objective) -> FrozenTrial | None:
    """The feasible complete trial best on ``objective`` (the study's first), or None."""
    feasible = [t for t in study.get_trials(deepcopy=False) if is_feasible(t)]
    if not feasible:
        return None
    sign = 1.0 if objective.maximise else -1.0
    return max(feasible, key=lambda t: (sign * t.values[0], -t.number))


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


def search(space: Space, objectives: Sequence[Objective], out: Path, *, pool: Executor,
           batch: int, progress: Progress | None = None,
           after_batch: Callable[[optuna.Study], None] | None = None) -> optuna.Study:
    """Run the study in ``out`` until ``space.trials`` trials are finished (or resume it);
    the study.

    ``batch`` trials are asked at a time and evaluated on ``pool``. If the search is
    interrupted (Ctrl-C), the trials in flight are marked failed and run again on resume.
    ``after_batch(study)`` is called after each batch (e.g. to write trials.parquet).
    """
    study = open_study(space, objectives, out)
    recover(study)
    dists = distributions(space)
    seeds, metrics = space.search_seeds, [o.name for o in objectives]
    done = sum(is_finished(t) for t in study.get_trials(deepcopy=False))
    while done < space.trials:
        asked = [study.ask(dists) for _ in range(min(batch, space.trials - done))]
        try:
            futures = [pool.submit(evaluate, plan_overrides(space, t.params), seeds, metrics)
                       for t in asked]
            results = [f.result() for f in futures]
        except BaseException:
            for t in asked:
                study.tell(t, state=TrialState.FAIL, skip_if_finished=True)
            raise
        for trial, ev in zip(asked, results, strict=True):
            frozen = record(study, trial, space, objectives, ev)
            done += 1
            if progress is not None:
                progress.trial(study, frozen, done, space.budget)
        if after_batch is not None:
            after_batch(study)
    return study


def top_trials(study: optuna.Study, objectives: Sequence[Objective], count: int
               ) -> list[FrozenTrial]:
    """The ``count`` plans to confirm: feasible complete trials by Pareto rank (the front
    first, then the front of the rest, ...), within a rank by the first objective; a plan
    found twice (the same parameters) is taken once."""
    trials = [t for t in study.get_trials(deepcopy=False) if is_feasible(t)]
    if not trials:
        return []
    signs = np.array([-1.0 if o.maximise else 1.0 for o in objectives])
    losses = np.array([t.values for t in trials]) * signs  # lower is better in every column
    ranks = pareto_ranks(losses)
    order = sorted(range(len(trials)), key=lambda i: (ranks[i], losses[i, 0], trials[i].number))
    chosen, seen = [], set()
    for i in order:
        key = tuple(sorted((k, repr(v)) for k, v in trials[i].params.items()))
        if key not in seen:
            seen.add(key)
            chosen.append(trials[i])
        if len(chosen) == count:
            break
    return chosen


def pareto_ranks(losses: np.ndarray) -> np.ndarray:
    """Non-domination rank of each row of ``losses`` (n, m), lower better in every column:
    0 for the Pareto front, 1 for the front of the rest, ..."""
    n = losses.shape[0]
    ranks = np.full(n, -1)
    left = np.arange(n)
    rank = 0
    while left.size:
        sub = losses[left]
        dominated = np.array([
            bool(np.any(np.all(sub <= sub[i], axis=1) & np.any(sub < sub[i], axis=1)))
            for i in range(left.size)])
        ranks[left[~dominated]] = rank
        left = left[dominated]
        rank += 1
    return ranks


def pareto_mask(study_trials: Sequence[FrozenTrial], objectives: Sequence[Objective]
                ) -> list[bool]:
    """Whether each trial is on the Pareto front of the feasible complete trials."""
    feasible = [i for i, t in enumerate(study_trials) if is_feasible(t)]
    mask = [False] * len(study_trials)
    if feasible:
        signs = np.array([-1.0 if o.maximise else 1.0 for o in objectives])
        losses = np.array([study_trials[i].values for i in feasible]) * signs
        for i, r in zip(feasible, pareto_ranks(losses), strict=True):
            mask[i] = bool(r == 0)
    return mask

