"""One study from its file to its report: screen, check, sample, run (resumable), analyse,
write. :func:`run_study` is what ``womsim-sensitivity`` calls.

The output directory holds ``study.json`` (the study, its digest and the time spent),
``samples.parquet`` (the inputs), ``evaluations/`` (the runs, a file per chunk), then the
results of :mod:`sim.sensitivity.report`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.io import atomic_write, atomic_write_json
from sim.sensitivity.analysis import analyze, importance, sample
from sim.sensitivity.evaluate import WomsimEvaluator, check_keys, check_ranges
from sim.sensitivity.execute import read_parts, run_samples
from sim.sensitivity.report import write_results
from sim.sensitivity.study import Parameter, Study, StudyError, check_method


@dataclass
class StudyResult:
    """What a finished study wrote and how long it took."""

    study: Study
    outdir: Path
    table: pd.DataFrame
    notes: list[str]
    counts: dict[str, Any]
    report: Path


def code_version(study: Study) -> str:
    """What the results depend on besides the study: womsim's version and results revision
    (a test function: its name only)."""
    if study.function:
        return f"function {study.function}"
    from sim import __version__
    from sim.jobs import RESULTS_REVISION

    return f"womsim {__version__} results revision {RESULTS_REVISION}"


def apply_screen(study: Study) -> Study:
    """The study with the ``top`` most influential parameters of the Morris study it screens
    from (by μ* relative to each metric's largest, the largest over the metrics), each with the
    distribution it had there."""
    if study.screen is None:
        return study
    source = Path(study.screen.study)
    try:
        record = json.loads((source / "study.json").read_text())
        table = pd.read_parquet(source / "sensitivity.parquet")
    except (OSError, ValueError) as err:
        raise StudyError(f"screen.study={str(source)!r}: no finished study there "
                         f"(study.json and sensitivity.parquet): {err}") from None
    ranking = importance(table).max(axis=1)
    chosen = list(ranking.index[:study.screen.top])
    specs = {p["key"]: p for p in record["study"]["parameters"]}
    parameters = tuple(Parameter(key=k, dist=specs[k]["dist"], bounds=tuple(specs[k]["bounds"]))
                       for k in specs if k in chosen)  # in the screen's order
    # a test function has no defaults: the parameters left out stay in the middle of their range
    fixed = ({k: (v["bounds"][0] + v["bounds"][1]) / 2 for k, v in specs.items()
              if k not in chosen} if study.function else {})
    screened = replace(study, parameters=parameters, fixed=fixed)
    check_method(replace(screened, screen=None), f"screen.study={source}")
    return screened


def prepare(study: Study) -> tuple[Study, WomsimEvaluator | None]:
    """Check the study against womsim before any run: keys exist and hold numbers (integer
    keys marked for rounding), metrics are known; returns the study and its evaluator."""
    study = apply_screen(study)
    if study.function:
        return study, None
    from sim.catalog import METRICS

    unknown = [m for m in study.metrics if m not in METRICS]
    if unknown:
        raise StudyError(f"metrics: {unknown[0]!r} is not a metric of womsim (known: "
                         f"{', '.join(list(METRICS)[:20])}, ...)")
    evaluator = WomsimEvaluator(study.overrides, study.metrics)
    integer = check_keys(evaluator.base, study.names)
    evaluator.integer.update(integer)
    parameters = tuple(replace(p, integer=integer[p.key]) for p in study.parameters)
    return replace(study, parameters=parameters), evaluator


def open_outdir(study: Study, outdir: Path, digest: str) -> dict[str, Any]:
    """The record in ``outdir/study.json`` (created for a new study); a directory holding
    another study's results is refused."""
    path = outdir / "study.json"
    if path.exists():
        try:
            record = json.loads(path.read_text())
        except ValueError:
            record = {}
        if record.get("digest") != digest:
            raise StudyError(f"{outdir} holds the results of another study (or of another "
                             "womsim version); give another --out or remove the directory")
        return record
    record = {"digest": digest, "code": code_version(study), "study": study.record(),
              "seconds": 0.0}
    atomic_write_json(path, record)
    return record


def run_study(study: Study, outdir: str | Path, *, workers: int = 1, progress: Any = None,
              command: str = "") -> StudyResult:
    """Run ``study`` into ``outdir``: the samples not finished there yet, then the analysis and
    its files. Running it again resumes (finished samples are skipped).

    Parameters
    ----------
    study : Study
        As :func:`sim.sensitivity.study.load_study` read it.
    outdir : path
        The study's directory.
    workers : int
        Processes side by side (1: in this process).
    progress : callable, optional
        Called as ``progress(done, total, seconds)`` after each chunk.
    command : str
        The command line, for the report.
    """
    outdir = Path(outdir)
    study, evaluator = prepare(study)
    X = sample(study)
    if evaluator is not None:
        check_ranges(evaluator, study.names, X)
    digest = study.digest(code_version(study))
    outdir.mkdir(parents=True, exist_ok=True)
    record = open_outdir(study, outdir, digest)
    samples = pd.DataFrame(X, columns=study.names)
    samples.insert(0, "sample", np.arange(len(X)))
    if not (outdir / "samples.parquet").exists():
        atomic_write(outdir / "samples.parquet",
                     lambda tmp: samples.to_parquet(tmp, index=False))
    integer = {p.key: p.integer for p in study.parameters}
    counts = run_samples(study, X, outdir, workers=workers, integer=integer, progress=progress)
    record["seconds"] = float(record.get("seconds", 0.0)) + counts["seconds"]
    record["workers"] = workers
    atomic_write_json(outdir / "study.json", record)

    evaluations = read_parts(outdir)
    evaluations = evaluations[evaluations["seed"].isin(study.seed_list)
                              & (evaluations["sample"] < len(X))]
    means = evaluations.groupby("sample")[list(study.metrics)].mean()
    means = means.reindex(range(len(X)))
    table, notes = analyze(study, X, means)
    facts = {"samples": len(X), "seconds": record["seconds"], "workers": workers,
             "command": command}
    report = write_results(study, table, evaluations.merge(samples, on="sample"), notes, facts,
                           outdir)
    return StudyResult(study=study, outdir=outdir, table=table, notes=notes, counts=counts,
                       report=report)
