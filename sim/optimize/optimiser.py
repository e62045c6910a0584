"""The whole optimisation in one call: check the space, search (or resume), write the trials and
figures, confirm the top plans on fresh seeds, write the ranked plans."""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import optuna
import pandas as pd

from sim.io import atomic_write_text
from sim.optimize.confirm import Confirmation, confirm
from sim.optimize.evaluate import check_space
from sim.optimize.objectives import Objective
from sim.optimize.outputs import (
    importances,
    plot_importance,
    plot_pareto,
    top_plans_markdown,
    top_plans_table,
    trials_table,
    write_figure,
    write_table,
)
from sim.optimize.space import Space, SpaceError
from sim.optimize.study import Progress, is_finished, search, top_trials, workers


@dataclass
class Optimisation:
    """What :func:`optimise` did.

    Attributes
    ----------
    out : Path
        The output directory.
    study : optuna.Study
    trials : pandas.DataFrame
        trials.parquet.
    confirmation : Confirmation or None
        The top plans on the fresh seeds (None with ``confirm_top=False`` or no feasible plan).
    files : list of Path
        Every file written.
    seconds : float
    """

    out: Path
    study: optuna.Study
    trials: pd.DataFrame
    confirmation: Confirmation | None = None
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold ``out/.optimize.lock`` while the block runs; a SpaceError if another optimisation
    holds it (two processes must not run one study's trials)."""
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / ".optimize.lock", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SpaceError(f"{out}: another womsim-optimize is running on this directory"
                             ) from None
        yield
    finally:
        os.close(fd)


def optimise(space: Space, objectives: Sequence[Objective], out: str | Path, *, jobs: int = 1,
             batch: int | None = None, confirm_top: bool = True, progress: bool = True,
             stream: TextIO | None = None, check: bool = True) -> Optimisation:
    """Run (or resume) the study of ``space`` in ``out`` on ``jobs`` worker processes and
    confirm its top plans.

    Parameters
    ----------
    space : Space
    objectives : sequence of Objective
        The first ranks the top plans.
    out : path
        The output directory: study.db, trials.parquet, pareto.png, importance.png,
        top_plans.md, top_plans.csv.
    jobs : int
        Worker processes (1: this process).
    batch : int, optional
        Trials asked at a time (default ``jobs``); the trials depend on it and on the seed.
    confirm_top : bool
        Re-run the top plans on fresh seeds.
    progress : bool
        One line per finished trial on ``stream`` (default stderr).
    check : bool
        Check the space against the composed configs first
        (:func:`~sim.optimize.evaluate.check_space`; the command has done it already).
    """
    start = time.perf_counter()
    out = Path(out)
    if check:
        check_space(space)
    stream = stream if stream is not None else sys.stderr
    files: list[Path] = []

    def save_trials(study: optuna.Study) -> None:
        write_table(trials_table(study, space, objectives), out / "trials.parquet")

    with locked(out):
        pool = workers(jobs)
        try:
            study = search(space, objectives, out, pool=pool, batch=batch or jobs,
                           progress=Progress(objectives, space.trials, stream, progress),
                           after_batch=save_trials)
            trials = trials_table(study, space, objectives)
            files.append(write_table(trials, out / "trials.parquet"))
            top = top_trials(study, objectives, space.top)
            files.append(write_figure(plot_pareto(trials, objectives,
                                                  top=[t.number for t in top]),
                                      out / "pareto.png"))
            table = importances(study, objectives)
            if table:
                files.append(write_figure(plot_importance(table, objectives),
                                          out / "importance.png"))
            result = Optimisation(out=out, study=study, trials=trials, files=files)
            if confirm_top and top:
                if progress:
                    what = f"top {len(top)} plans" if len(top) > 1 else "top plan"
                    print(f"[optimize] confirming the {what} on fresh seeds "
                          f"{space.fresh_seeds[0]}..{space.fresh_seeds[-1]} ...", file=stream,
                          flush=True)
                result.confirmation = confirm(space, objectives, top, pool=pool)
                done = sum(is_finished(t) for t in study.get_trials(deepcopy=False))
                files.append(write_table(top_plans_table(result.confirmation, space,
                                                         objectives), out / "top_plans.csv"))
                markdown = top_plans_markdown(result.confirmation, space, objectives,
                                              trials=done)
                files.append(atomic_write_text(out / "top_plans.md", markdown))
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
    result.seconds = time.perf_counter() - start
    return result
