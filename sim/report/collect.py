"""Read a sweep directory's result files into tables (runs, time series, conversions, failures).

A sweep directory (``womsim -m ...``) holds Hydra's ``multirun.yaml`` and one sub-directory per
job. A finished job has ``metrics.json`` (plus ``timeseries.csv``, ``conversions.csv``,
``run_info.json`` and ``.hydra/``); a failed one has ``error.json``; any other is unfinished.
Whether a job is finished is decided exactly as resuming the sweep decides it
(:func:`sim.jobs.job_state`), and the jobs the sweep should have come from its multirun.yaml
(:func:`sim.jobs.expected_jobs`), so that jobs never started are counted as missing. This module
only reads those files: it never imports the model or runs a simulation. What a job's overrides
say (its condition, its parameters) is :mod:`sim.report.conditions`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.catalog import SOURCES
from sim.io import atomic_write
from sim.jobs import COMPLETE, FAILED, expected_jobs, job_state
from sim.report.conditions import condition_label, short_labels, typed_overrides
from sim.report.sweep_config import shared_config, sweep_command

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: purchase sources, in the catalog's order
_SOURCE_NAMES = tuple(source.name for source in SOURCES)


class ReportError(ValueError):
    """A problem with the input of a report (no such directory, no finished runs, unknown
    baseline...): reported in one line, never with a traceback."""


@dataclass(frozen=True)
class Collected:
    """Everything read from a sweep directory.

    Attributes
    ----------
    sweep_dir : Path
        The directory read.
    runs : DataFrame
        One row per finished run: ``job, job_num, condition, seed``, one column per override key
        (typed values), then every flat entry of metrics.json.
    timeseries : DataFrame
        Tidy time series: ``job, condition, seed, step`` and the columns of timeseries.csv.
    conversions : DataFrame
        Purchases per run and source: ``job, condition, seed, source, count`` (zeros included).
    failed : list of dict
        Failed jobs: ``job, job_num, condition, overrides, type, error`` (the error's first line).
    params : list of str
        Swept parameters: override keys (other than seed) whose values differ between runs.
    unfinished : list of str
        Jobs neither finished nor failed: job directories without complete results (resume
        runs them again), then the sweep's jobs that have no directory at all.
    missing : list of str
        The jobs of the sweep (its multirun.yaml) that are neither finished nor failed.
    expected : int or None
        How many jobs the sweep has (None when multirun.yaml cannot tell).
    shared_config : dict
        The part of the jobs' ``.hydra/config.yaml`` that is the same in every finished job.
    varying_config : list of str
        Dotted config keys whose values differ between jobs (a key's sub-keys left out).
    command : str or None
        The sweep's command line, rebuilt from multirun.yaml.
    """

    sweep_dir: Path
    runs: pd.DataFrame
    timeseries: pd.DataFrame
    conversions: pd.DataFrame
    failed: list[dict] = field(default_factory=list)
    params: list[str] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    expected: int | None = None
    shared_config: dict = field(default_factory=dict)
    varying_config: list[str] = field(default_factory=list)
    command: str | None = None

    @property
    def status(self) -> str:
        """The sweep's jobs in a few words: ``4 of 12 jobs finished, 2 failed, 6 missing``."""
        return jobs_status(len(self.runs), len(self.failed), len(self.missing), self.expected)

    @property
    def conditions(self) -> list[str]:
        """Condition labels in order of first appearance (job number order)."""
        return list(pd.unique(self.runs["condition"]))

    @property
    def seeds(self) -> list:
        """Distinct seeds, ascending."""
        return sorted(pd.unique(self.runs["seed"].dropna()))

    @property
    def labels(self) -> dict[str, str]:
        """Condition -> short label made of the swept parameters only (the full label when
        that would not tell conditions apart)."""
        return short_labels(self.runs, self.params)

    @property
    def shared_overrides(self) -> list[str]:
        """``key=value`` overrides that every condition has (not swept, not the seed)."""
        tokens = [set(c.split()) for c in self.conditions if c != "(default)"]
        if len(tokens) < len(self.conditions) or not tokens:
            return []
        common = set.intersection(*tokens)
        return [t for t in self.conditions[0].split() if t in common]

    def info(self, key: str) -> list:
        """Distinct values of a descriptive metrics.json entry (e.g. ``"graph"``) over the runs."""
        column = f"{key}_metric" if f"{key}_metric" in self.runs else key
        if column not in self.runs:
            return []
        return list(pd.unique(self.runs[column].dropna()))


def collect(sweep_dir: str | Path, *, out: str | Path | None = None,
            write: bool = True) -> Collected:
    """Read every job of a sweep directory into tables, and save them as Parquet.

    Parameters
    ----------
    sweep_dir : str or Path
        The sweep directory (``hydra.sweep.dir``).
    out : str or Path, optional
        Where ``runs.parquet`` and ``timeseries.parquet`` go (default: ``sweep_dir``).
    write : bool
        Whether to write the Parquet files (atomically).

    Returns
    -------
    Collected
        The runs, time series, conversions, failures and swept parameters.

    Raises
    ------
    ReportError
        If ``sweep_dir`` is not a directory or holds no finished run.
    """
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.exists():
        raise ReportError(f"no such sweep directory: {sweep_dir}")
    if not sweep_dir.is_dir():
        raise ReportError(f"not a directory: {sweep_dir}")
    finished, failed, unfinished = _scan_jobs(sweep_dir)
    expected = expected_jobs(sweep_dir)
    missing = _missing(expected, finished, failed)
    unfinished += [job for job in missing if job not in unfinished]
    if not finished:
        status = jobs_status(0, len(failed), len(missing), len(expected) if expected else None)
        raise ReportError(f"no finished runs (metrics.json) under {sweep_dir} ({status})")
    runs, params = _runs_frame(finished)
    shared, varying = shared_config([job["dir"] for job in finished])
    collected = Collected(
        sweep_dir=sweep_dir, runs=runs, timeseries=_timeseries_frame(finished),
        conversions=_conversions_frame(finished), failed=failed, params=params,
        unfinished=unfinished, missing=missing,
        expected=len(expected) if expected is not None else None, shared_config=shared,
        varying_config=varying, command=sweep_command(sweep_dir))
    if write:
        write_tables(collected, out if out is not None else sweep_dir)
    return collected


def sweep_status(sweep_dir: str | Path) -> tuple[str, list[str]]:
    """The jobs of a sweep directory in a few words (:func:`jobs_status`) and the missing
    jobs' names, from the files that mark each job's state (no results read)."""
    sweep_dir = Path(sweep_dir)
    states = {job.name: job_state(job) for job in _job_dirs(sweep_dir)}
    finished = [name for name, state in states.items() if state == COMPLETE]
    failed = [name for name, state in states.items() if state == FAILED]
    expected = expected_jobs(sweep_dir)
    missing = [job for job in expected or [] if states.get(job) not in (COMPLETE, FAILED)]
    return jobs_status(len(finished), len(failed), len(missing),
                       len(expected) if expected is not None else None), missing


def jobs_status(finished: int, failed: int, missing: int, expected: int | None) -> str:
    """``4 of 12 jobs finished, 2 failed, 6 missing`` (``4 jobs finished, ...`` when the
    number of jobs is unknown)."""
    count = expected if expected is not None else finished
    total = f" of {expected}" if expected is not None else ""
    return (f"{finished}{total} {'job' if count == 1 else 'jobs'} finished, {failed} failed, "
            f"{missing} missing")


def collect_runs(sweep_dir: str | Path) -> pd.DataFrame:
    """One row per finished job under ``sweep_dir``: ``job, job_num, condition, seed``, the
    override keys and the flat (number, string or null) entries of its metrics.json; an empty
    DataFrame when there is none. Reads metrics only (no time series), writes nothing."""
    if not Path(sweep_dir).is_dir():
        return pd.DataFrame()
    finished, _, _ = _scan_jobs(Path(sweep_dir))
    return _runs_frame(finished)[0] if finished else pd.DataFrame()


def write_tables(collected: Collected, out: str | Path) -> list[Path]:
    """Write ``runs.parquet`` and ``timeseries.parquet`` into ``out`` atomically."""
    out = Path(out)
    return [_write_parquet(collected.runs, out / "runs.parquet"),
            _write_parquet(collected.timeseries, out / "timeseries.parquet")]


def _write_parquet(df: pd.DataFrame, path: Path) -> Path:
    def write(tmp: str) -> None:
        df.to_parquet(tmp, index=False)

    return atomic_write(path, write)


def resolve_baseline(conditions: list[str], baseline: str | None = None) -> str:
    """The condition to compare against.

    Parameters
    ----------
    conditions : list of str
        Condition labels in order.
    baseline : str, optional
        A condition label, or some of its ``key=value`` overrides in any order (e.g.
        ``"strategy=none"`` for ``"strategy=none graph.n=500"``). Default: the first condition
        with ``strategy=none`` if any, else the first condition.

    Returns
    -------
    str
        The matching condition label.

    Raises
    ------
    ReportError
        If ``baseline`` matches no condition or several.
    """
    if baseline is None:
        return next((c for c in conditions if "strategy=none" in c.split()), conditions[0])
    if baseline in conditions:
        return baseline
    wanted = set(baseline.split())
    matches = [c for c in conditions if wanted <= set(c.split())]
    if len(matches) == 1:
        return matches[0]
    choices = "; ".join(conditions)
    if not matches:
        raise ReportError(f"unknown baseline {baseline!r}: the conditions are {choices}")
    raise ReportError(f"ambiguous baseline {baseline!r}: it matches {'; '.join(matches)}")


# --- reading jobs -----------------------------------------------------------------------------

def _job_dirs(sweep_dir: Path) -> list[Path]:
    """The sweep's job directories: sub-directories with Hydra's record or a result."""
    if not sweep_dir.is_dir():
        return []
    return sorted(p for p in sweep_dir.iterdir() if p.is_dir() and any(
        (p / name).exists() for name in (".hydra", "metrics.json", "error.json")))


def _scan_jobs(sweep_dir: Path) -> tuple[list[dict], list[dict], list[str]]:
    """Finished jobs (dicts with dir, job, job_num, overrides, condition, metrics with the
    entries of run_info.json), failed jobs and unfinished job names, in job number order.
    Finished means what resume means (:func:`sim.jobs.job_state`)."""
    finished, failed, unfinished = [], [], []
    for job_dir in _job_dirs(sweep_dir):
        state = job_state(job_dir)
        if state not in (COMPLETE, FAILED):
            unfinished.append(job_dir.name)
            continue
        job = _job_record(job_dir)
        if state == COMPLETE:
            try:
                job["metrics"] = {**_run_info(job_dir),
                                  **json.loads((job_dir / "metrics.json").read_text())}
                finished.append(job)
                continue
            except (OSError, ValueError) as err:
                job["error_record"] = {"type": type(err).__name__,
                                       "error": f"unreadable metrics.json: {err}"}
        failed.append(_failure(job_dir, job))
    key = _job_order
    return sorted(finished, key=key), sorted(failed, key=key), unfinished


def _run_info(job_dir: Path) -> dict:
    """A job's run_info.json (threads, git commit, host, versions...), or {}."""
    try:
        info = json.loads((job_dir / "run_info.json").read_text())
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def _missing(expected: list[str] | None, finished: list[dict], failed: list[dict]) -> list[str]:
    ended = {job["job"] for job in (*finished, *failed)}
    return [job for job in expected or [] if job not in ended]


def _job_order(job: dict) -> tuple[int, str]:
    num = job["job_num"]
    return (num if num >= 0 else 1 << 30, job["job"])


def _job_record(job_dir: Path) -> dict:
    overrides = _read_overrides(job_dir)
    return {"dir": job_dir, "job": job_dir.name, "job_num": job_num(job_dir),
            "overrides": overrides, "condition": condition_label(overrides)}


def _read_overrides(job_dir: Path) -> list[str]:
    path = job_dir / ".hydra" / "overrides.yaml"
    if not path.exists():
        return []
    try:
        loaded = yaml.load(path.read_text(), Loader=_LOADER)
    except (OSError, yaml.YAMLError):
        return []
    return [str(o) for o in loaded] if isinstance(loaded, list) else []


def _failure(job_dir: Path, job: dict) -> dict:
    record = job.get("error_record")
    if record is None:
        try:
            record = json.loads((job_dir / "error.json").read_text())
        except (OSError, ValueError) as err:
            record = {"type": type(err).__name__, "error": f"unreadable error.json: {err}"}
    overrides = job["overrides"] or [str(o) for o in record.get("overrides") or []]
    message = str(record.get("error", "")).strip().splitlines()
    return {"job": job["job"], "job_num": job["job_num"], "condition": condition_label(overrides),
            "overrides": overrides, "type": str(record.get("type") or "Error"),
            "error": message[0] if message else ""}


def job_num(job_dir: Path) -> int:
    """The job's number in its sweep (launch order), from .hydra/hydra.yaml; -1 if unknown."""
    path = job_dir / ".hydra" / "hydra.yaml"
    if not path.exists():
        return -1
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("num:"):
            try:
                return int(stripped.split(":", 1)[1])
            except ValueError:
                return -1
    return -1


# --- tables -----------------------------------------------------------------------------------

def _runs_frame(finished: list[dict]) -> tuple[pd.DataFrame, list[str]]:
    """The runs table and the swept parameters."""
    overrides = [typed_overrides(job["overrides"]) for job in finished]
    metrics = [{k: v for k, v in job["metrics"].items() if not isinstance(v, dict | list)}
               for job in finished]
    keys = [k for k in dict.fromkeys(k for o in overrides for k in o) if k != "seed"]
    params = [k for k in keys if len({repr(o.get(k, _MISSING)) for o in overrides}) > 1]
    renamed = _renamed_metrics(keys, overrides, metrics)
    rows = []
    for job, typed, flat in zip(finished, overrides, metrics, strict=True):
        row = {"job": job["job"], "job_num": job["job_num"], "condition": job["condition"],
               "seed": flat.get("seed", typed.get("seed"))}
        row.update({k: typed.get(k) for k in keys})
        row.update({renamed.get(k, k): v for k, v in flat.items() if k != "seed"})
        rows.append(row)
    runs = pd.DataFrame(rows)
    for column in runs.columns:
        runs[column] = _uniform_column(runs[column])
    return runs, params


def _renamed_metrics(keys: list[str], overrides: list[dict], metrics: list[dict]) -> dict:
    """Metrics named like an override key but with other values (e.g. ``graph``: ``ba`` as an
    override, ``ba(n=400, m=3)`` as a metric) are kept as ``<name>_metric``."""
    renamed = {}
    for key in keys:
        if any(key in m for m in metrics) and any(
                m.get(key) != o.get(key) for m, o in zip(metrics, overrides, strict=True)):
            renamed[key] = f"{key}_metric"
    return renamed


_MISSING = object()


def _uniform_column(column: pd.Series) -> pd.Series:
    """A column Parquet can store: numbers stay numbers, booleans booleans, a mix becomes text."""
    values = column.dropna()
    if values.empty:
        return column.astype(float)
    if pd.api.types.is_numeric_dtype(column.dtype):
        return column
    kinds = {_kind(v) for v in values}
    if kinds == {"number"}:
        return pd.to_numeric(column)
    if len(kinds) == 1:
        return column
    return column.map(lambda v: None if v is None or v is pd.NA or v != v else str(v))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "text"


def _timeseries_frame(finished: list[dict]) -> pd.DataFrame:
    frames = []
    for job in finished:
        path = job["dir"] / "timeseries.csv"
        if not path.exists():
            continue
        df = pd.read_csv(path)
        df.insert(0, "seed", job["metrics"].get("seed"))
        df.insert(0, "condition", job["condition"])
        df.insert(0, "job", job["job"])
        frames.append(df)
    if not frames:
        return pd.DataFrame(columns=["job", "condition", "seed", "step"])
    return pd.concat(frames, ignore_index=True)


def _conversions_frame(finished: list[dict]) -> pd.DataFrame:
    """Purchases per run and source, from conversions.csv (metrics.json counts if missing)."""
    rows = []
    for job in finished:
        counts = _conversion_counts(job)
        for source in [*_SOURCE_NAMES, *sorted(set(counts) - set(_SOURCE_NAMES))]:
            rows.append({"job": job["job"], "condition": job["condition"],
                         "seed": job["metrics"].get("seed"), "source": source,
                         "count": int(counts.get(source, 0))})
    return pd.DataFrame(rows, columns=["job", "condition", "seed", "source", "count"])


def _conversion_counts(job: dict) -> dict[str, int]:
    path = job["dir"] / "conversions.csv"
    if path.exists():
        try:
            sources = pd.read_csv(path, usecols=["source"])["source"]
            return {str(k): int(v) for k, v in sources.value_counts().items()}
        except (OSError, ValueError):
            pass
    metrics = job["metrics"]
    return {s: int(metrics[s]) for s in _SOURCE_NAMES if isinstance(metrics.get(s), int | float)}
