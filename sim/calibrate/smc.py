"""Approximate Bayesian computation by sequential Monte Carlo (pyabc's ABC-SMC).

Each generation keeps ``population`` parameter sets whose run came within the generation's
distance threshold of the observed series; the threshold falls from generation to generation
(pyabc's median rule), and the last population is the posterior sample. pyabc's database,
``abc.db`` in the output directory, holds every generation: a calibration run again continues
from its last generation up to ``generations`` (a larger number asks for more).

In parallel, runs go to worker processes (spawned, each composing womsim's config once) through
pyabc's :class:`~pyabc.sampler.ConcurrentFutureSampler`; with one worker they run in this
process (:class:`~pyabc.sampler.SingleCoreSampler`).
"""

from __future__ import annotations

import datetime
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibrate.simulate import SeriesDistance, SeriesModel
from sim.calibrate.spec import Spec

DB = "abc.db"


def prior(spec: Spec) -> Any:
    """pyabc's prior: each parameter uniform or log-uniform on its bounds."""
    import pyabc

    rvs = {}
    for p in spec.parameters:
        if p.prior == "loguniform":
            rvs[p.key] = pyabc.RV("loguniform", p.low, p.high)
        else:
            rvs[p.key] = pyabc.RV("uniform", p.low, p.high - p.low)
    return pyabc.Distribution(**rvs)


def executor(workers: int, initializer: Any = None, initargs: tuple = ()) -> ProcessPoolExecutor:
    """Worker processes, spawned (numba's threads do not survive a fork)."""
    return ProcessPoolExecutor(max_workers=workers, initializer=initializer, initargs=initargs,
                               mp_context=multiprocessing.get_context("spawn"))


def sampler(workers: int, pool: ProcessPoolExecutor | None) -> Any:
    """pyabc's sampler: in this process, or on ``pool`` (a few runs per job: a run is short)."""
    from pyabc.sampler import ConcurrentFutureSampler, SingleCoreSampler

    if workers <= 1 or pool is None:
        return SingleCoreSampler()
    return ConcurrentFutureSampler(pool, client_max_jobs=2 * workers, batch_size=4)


def run_smc(spec: Spec, model: SeriesModel, distance: SeriesDistance, outdir: Path, *,
            workers: int = 1, quiet: bool = False) -> Any:
    """Run (or continue) the ABC-SMC of ``spec`` with its database in ``outdir``; returns
    pyabc's History.

    Parameters
    ----------
    spec : Spec
        The calibration: priors, ``population``, ``generations``, ``min_epsilon``,
        ``max_minutes``.
    model, distance
        The simulated series and its distance to the observed one.
    outdir : Path
        Holds ``abc.db``.
    workers : int
        Processes side by side.
    quiet : bool
        Keep pyabc's per-generation log lines quiet.
    """
    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING if quiet else logging.INFO)
    db = f"sqlite:///{Path(outdir).resolve() / DB}"
    pool = executor(workers) if workers > 1 else None
    try:
        abc = pyabc.ABCSMC(model, prior(spec), distance, population_size=spec.population,
                           sampler=sampler(workers, pool))
        done = generations_done(outdir)
        if done:
            abc.load(db, 1)
        else:
            abc.new(db, {"series": distance.target})
        left = spec.generations - done
        if left > 0 and not reached(abc.history, spec.min_epsilon):
            walltime = (datetime.timedelta(minutes=spec.max_minutes)
                        if spec.max_minutes else None)
            abc.run(minimum_epsilon=spec.min_epsilon, max_nr_populations=left,
                    max_walltime=walltime)
        return abc.history
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def generations_done(outdir: Path) -> int:
    """Generations in the database of ``outdir`` (0 without one)."""
    import pyabc

    path = Path(outdir) / DB
    if not path.exists():
        return 0
    history = pyabc.History(f"sqlite:///{path.resolve()}", _id=1)
    try:
        return int(history.max_t) + 1 if history.n_populations else 0
    except Exception:  # noqa: BLE001 - a database without a run yet: start anew
        return 0


def reached(history: Any, minimum_epsilon: float) -> bool:
    """Whether the last generation's threshold is already at or below ``minimum_epsilon``."""
    if minimum_epsilon <= 0 or not history.n_populations:
        return False
    eps = history.get_all_populations()["epsilon"].iloc[-1]
    return bool(eps <= minimum_epsilon)


def posterior(history: Any) -> tuple[pd.DataFrame, np.ndarray]:
    """The last generation: parameter sets (one row each) and their normalised weights."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    weights = np.asarray(weights, dtype=float)
    return frame.reset_index(drop=True), weights / weights.sum()


def generations(history: Any) -> pd.DataFrame:
    """One row per generation: t, epsilon, particles, samples (runs it took)."""
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    return pd.DataFrame({"t": pops["t"].astype(int), "epsilon": pops["epsilon"],
                         "particles": pops["particles"], "runs": pops["samples"]})
