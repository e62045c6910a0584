"""Running a study's samples: in parallel processes, resumable, every sample on the same seeds.

The samples are cut into chunks; a worker process runs one chunk (each sample on each of the
study's seeds) and the parent writes its results as one file,
``evaluations/part-<first sample>-<count>.parquet``, atomically. A study run again skips the
samples whose file exists, so a killed study loses at most the chunks that were running.

Why processes and not ``womsim -m``: a default run takes ~0.03 s, while a Hydra job composes its
config (~0.2 s) and writes a directory of files; a Sobol' study has tens of thousands of runs.
Each worker here composes the shared config once (:class:`~sim.sensitivity.evaluate.
WomsimEvaluator`) and runs on one thread (``threads=1``), one worker per core.
"""

from __future__ import annotations

import math
import multiprocessing
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.io import atomic_write
from sim.sensitivity.evaluate import Evaluator, FunctionEvaluator, WomsimEvaluator
from sim.sensitivity.study import Study

PARTS = "evaluations"


class SampleError(RuntimeError):
    """A sample's run failed; the message names the sample, its values and the seed."""


class SampleRefused(UserError):
    """womsim refused a sample's config (a one-line ConfigError), naming the sample."""


def make_evaluator(study: Study, integer: dict[str, bool] | None = None) -> Evaluator:
    """The study's evaluator: its test function, or womsim with the study's overrides."""
    if study.function:
        return FunctionEvaluator(study.function, study.metrics)
    return WomsimEvaluator(study.overrides, study.metrics, integer)


def read_parts(outdir: Path) -> pd.DataFrame:
    """Every finished evaluation of the study in ``outdir``: columns sample, seed, metrics."""
    files = sorted((Path(outdir) / PARTS).glob("part-*.parquet"))
    if not files:
        return pd.DataFrame(columns=["sample", "seed"])
    table = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    return table.drop_duplicates(["sample", "seed"], keep="last").sort_values(
        ["sample", "seed"], ignore_index=True)


def finished_samples(table: pd.DataFrame, seeds: Sequence[int]) -> set[int]:
    """The samples evaluated on every one of ``seeds``."""
    if table.empty:
        return set()
    part = table[table["seed"].isin(list(seeds))]
    counts = part.groupby("sample")["seed"].nunique()
    return set(counts.index[counts == len(seeds)].astype(int))


def evaluate_chunk(evaluator: Evaluator, names: Sequence[str], X: np.ndarray,
                   samples: Sequence[int], seeds: Sequence[int],
                   fixed: dict[str, float] | None = None) -> list[dict[str, Any]]:
    """Rows (sample, seed, outputs) of ``samples`` on every seed (``fixed``: values of
    parameters that are not sampled)."""
    rows = []
    for i in samples:
        values = {**(fixed or {}), **dict(zip(names, (float(v) for v in X[i]), strict=True))}
        for seed in seeds:
            try:
                out = evaluator(values, seed)
            except UserError as err:
                raise SampleRefused(f"sample {i} on seed {seed} ({_show(values)}): {err}") from None
            except Exception as err:
                raise SampleError(f"sample {i} on seed {seed} ({_show(values)}) failed: "
                                  f"{type(err).__name__}: {err}") from err
            rows.append({"sample": int(i), "seed": int(seed), **out})
    return rows


def _show(values: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:.4g}" for k, v in values.items())


# --- worker processes ---------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(study: Study, integer: dict[str, bool], X: np.ndarray) -> None:
    _WORKER.update(evaluator=make_evaluator(study, integer), study=study, X=X)


def _work(samples: list[int]) -> tuple[list[int], list[dict[str, Any]]]:
    study: Study = _WORKER["study"]
    return samples, evaluate_chunk(_WORKER["evaluator"], study.names, _WORKER["X"], samples,
                                   study.seed_list, study.fixed)


def chunk_size(study: Study) -> int:
    """Samples per chunk: about 64 runs (a few seconds of womsim), 1,024 evaluations of a test
    function."""
    return max(1, (1024 if study.function else 64) // study.seeds)


def chunks(todo: Sequence[int], size: int) -> Iterator[list[int]]:
    """``todo`` cut into lists of at most ``size``."""
    for start in range(0, len(todo), size):
        yield list(todo[start:start + size])


def write_part(outdir: Path, samples: list[int], rows: list[dict[str, Any]]) -> Path:
    """One finished chunk's rows, written atomically."""
    path = Path(outdir) / PARTS / f"part-{samples[0]:07d}-{len(samples)}.parquet"
    frame = pd.DataFrame(rows)
    return atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))


def run_samples(study: Study, X: np.ndarray, outdir: Path, *, workers: int = 1,
                integer: dict[str, bool] | None = None,
                progress: Callable[[int, int, float], None] | None = None) -> dict[str, Any]:
    """Evaluate every sample of ``X`` not yet finished in ``outdir`` (on each of the study's
    seeds), ``workers`` processes side by side (1: in this process).

    Returns counts: ``total`` samples, ``skipped`` (finished before), ``ran`` and ``seconds``.
    """
    outdir = Path(outdir)
    (outdir / PARTS).mkdir(parents=True, exist_ok=True)
    for leftover in (outdir / PARTS).glob(".part-*"):  # an interrupted atomic_write's
        leftover.unlink(missing_ok=True)
    done = finished_samples(read_parts(outdir), study.seed_list)
    todo = [i for i in range(len(X)) if i not in done]
    start = time.perf_counter()
    report = progress or (lambda done_, total, seconds: None)
    finished = 0
    todo_chunks = list(chunks(todo, chunk_size(study)))
    if todo_chunks and workers <= 1:
        evaluator = make_evaluator(study, integer)
        for part in todo_chunks:
            write_part(outdir, part, evaluate_chunk(evaluator, study.names, X, part,
                                                    study.seed_list, study.fixed))
            finished += len(part)
            report(finished, len(todo), time.perf_counter() - start)
    elif todo_chunks:
        context = multiprocessing.get_context("spawn")  # numba's threads do not survive fork
        with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                 initializer=_init_worker,
                                 initargs=(study, integer or {}, X)) as pool:
            pending = set()
            queue = iter(todo_chunks)
            for part in queue:  # keep two chunks per worker queued, not all of them
                pending.add(pool.submit(_work, part))
                if len(pending) >= 2 * workers:
                    break
            while pending:
                ready, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in ready:
                    part, rows = future.result()
                    write_part(outdir, part, rows)
                    finished += len(part)
                    report(finished, len(todo), time.perf_counter() - start)
                    nxt = next(queue, None)
                    if nxt is not None:
                        pending.add(pool.submit(_work, nxt))
    return {"total": len(X), "skipped": len(done), "ran": len(todo),
            "seconds": time.perf_counter() - start}


class Progress:
    """A line on stderr every ``every`` seconds: samples done, time, time left."""

    def __init__(self, prog: str, seeds: int, every: float = 10.0, stream: Any = None):
        self.prog, self.seeds, self.every = prog, seeds, every
        self.stream = stream if stream is not None else sys.stderr
        self.due = every

    def __call__(self, done: int, total: int, seconds: float) -> None:
        if seconds < self.due and done < total:
            return
        self.due = seconds + self.every
        left = seconds * (total - done) / done if done else math.nan
        tail = f", about {_duration(left)} left" if done < total else ""
        self.stream.write(f"{self.prog}: {done:,}/{total:,} samples ({done / total:.0%}, "
                          f"{done * self.seeds:,} runs), {_duration(seconds)}{tail}\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"
