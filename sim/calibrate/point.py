"""The fast alternative: an Optuna point fit (TPE) of the distance, each trial the mean over
``seeds`` seeds, the same for every trial (common random numbers, so two trials differ by their
parameters, not their luck).

The study lives in ``optuna.db`` in the output directory: a calibration run again continues up
to ``trials``. Trials go to worker processes with Optuna's ask-and-tell interface, a batch of
one per worker at a time.

What it gives is a point, not a posterior: the ranges reported beside it are the spread of the
best 10 % of trials, a sign of how flat the fit is near its best, not a credible interval.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibrate.simulate import SeriesDistance, SeriesModel
from sim.calibrate.smc import executor
from sim.calibrate.spec import Spec

DB = "optuna.db"
_WORKER: dict[str, Any] = {}


def _init(model: SeriesModel, distance: SeriesDistance) -> None:
    _WORKER.update(model=model, distance=distance)


def trial_distance(model: SeriesModel, distance: SeriesDistance, values: dict[str, float],
                   seeds: int) -> float:
    """The distance of ``values`` averaged over seeds 0 .. seeds-1."""
    return float(np.mean([distance.between(model.flat(values, s)) for s in range(seeds)]))


def _objective(values: dict[str, float], seeds: int) -> float:
    return trial_distance(_WORKER["model"], _WORKER["distance"], values, seeds)


def suggest(trial: Any, spec: Spec) -> dict[str, float]:
    """A trial's parameter values within the priors' bounds."""
    return {p.key: trial.suggest_float(p.key, p.low, p.high, log=p.prior == "loguniform")
            for p in spec.parameters}


def run_point_fit(spec: Spec, model: SeriesModel, distance: SeriesDistance, outdir: Path, *,
                  workers: int = 1, quiet: bool = False) -> Any:
    """Run (or continue) the Optuna study of ``spec`` in ``outdir/optuna.db``; returns it."""
    import optuna

    if quiet:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = f"sqlite:///{Path(outdir).resolve() / DB}"
    study = optuna.create_study(study_name=spec.name, storage=storage, load_if_exists=True,
                                direction="minimize",
                                sampler=optuna.samplers.TPESampler(seed=spec.seed))
    deadline = time.monotonic() + 60 * spec.max_minutes if spec.max_minutes else None

    def left() -> int:
        done = len(study.get_trials(states=(optuna.trial.TrialState.COMPLETE,)))
        return spec.trials - done

    if workers <= 1:
        while left() > 0 and (deadline is None or time.monotonic() < deadline):
            trial = study.ask()
            study.tell(trial, trial_distance(model, distance, suggest(trial, spec), spec.seeds))
        return study
    with executor(workers, _init, (model, distance)) as pool:
        while left() > 0 and (deadline is None or time.monotonic() < deadline):
            batch = [study.ask() for _ in range(min(workers, left()))]
            futures = [pool.submit(_objective, suggest(t, spec), spec.seeds) for t in batch]
            for trial, future in zip(batch, futures, strict=True):
                study.tell(trial, future.result())
    return study


def best_and_spread(study: Any, spec: Spec, share: float = 0.1) -> tuple[dict[str, float],
                                                                         pd.DataFrame]:
    """The best trial's values, and the trials of the best ``share`` (their values and
    distances), whose spread is reported beside the point."""
    trials = [t for t in study.trials if t.value is not None]
    trials.sort(key=lambda t: t.value)
    keep = trials[:max(2, int(round(share * len(trials))))]
    frame = pd.DataFrame([{**t.params, "distance": t.value} for t in keep])
    return dict(trials[0].params), frame[[*spec.names, "distance"]]
