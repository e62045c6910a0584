"""Sweep jobs: directory names, the state of a job (the one test of completeness that resume and
the report share), failure records, the jobs a sweep has, per-job locks and the sweep's log.

A job's directory holds ``metrics.json`` (written last) when it finished, ``error.json`` when it
failed, and ``.womsim.lock`` while a process runs it. While a sweep runs, its jobs append one line
each to the sweep's log (``.womsim-sweep-<id>.log`` in the sweep directory), which gives the
``[womsim k/N]`` counter and the sweep's final count of jobs done, skipped and failed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from sim.io import atomic_write_json, remove_temp_files

MAX_NAME = 200
SKIP_IN_NAME = ("hydra.", "+hydra.", "experiment=", "+experiment=")


def job_dirname(overrides: list[str] | Any) -> str:
    """A job's directory name: its overrides joined by commas, the seed last.

    Hydra's own ``override_dirname`` sorts keys alphabetically; here the order is the one given,
    except that ``seed=...`` goes to the end so that a person can find a condition by eye.
    Characters that cannot appear in a file name are replaced, and long names are shortened
    with a hash so they stay unique.
    """
    items = [str(o) for o in overrides if not str(o).startswith(SKIP_IN_NAME)]
    seeds = [o for o in items if o.startswith(("seed=", "+seed="))]
    rest = [o for o in items if o not in seeds]
    name = ",".join(rest + seeds) or "default"
    name = name.replace("/", "_").replace("\\", "_").replace(" ", "")
    if len(name) > MAX_NAME:
        digest = hashlib.sha1(name.encode()).hexdigest()[:10]
        name = f"{name[:MAX_NAME - 11]}~{digest}"
    return name


#: raised whenever the same config starts giving different results (2: counter-based draws), so
#: that resuming a sweep redoes the jobs an older womsim ran instead of mixing the two
RESULTS_REVISION = 2


def config_hash(cfg: Any) -> str:
    """SHA-256 of :data:`RESULTS_REVISION` and the resolved run config (without the ``hydra``
    node, and without ``threads``, which never changes results)."""
    if OmegaConf.is_config(cfg):
        data = OmegaConf.to_container(cfg, resolve=True)
        data.pop("threads", None)
        text = OmegaConf.to_yaml(OmegaConf.create(data))
    else:
        text = repr(cfg)
    text = f"results revision {RESULTS_REVISION}\n{text}"
    return hashlib.sha256(text.encode()).hexdigest()


def is_complete(outdir: Path, cfg: Any) -> bool:
    """Whether ``outdir`` holds the finished results of exactly this config: ``metrics.json``
    and ``timeseries.csv``, and the config's hash recorded in metrics.json. With ``cfg`` None
    (a directory without ``.hydra/config.yaml``) the files alone decide."""
    metrics = Path(outdir) / "metrics.json"
    if not metrics.exists() or not (Path(outdir) / "timeseries.csv").exists():
        return False
    try:
        recorded = json.loads(metrics.read_text()).get("config_hash")
    except (ValueError, OSError, AttributeError):
        return False
    return cfg is None or recorded == config_hash(cfg)


def saved_config(job_dir: Path) -> DictConfig | None:
    """The job's config as Hydra saved it (``.hydra/config.yaml``), or None."""
    path = Path(job_dir) / ".hydra" / "config.yaml"
    try:
        loaded = OmegaConf.load(path)
    except Exception:  # noqa: BLE001 - a missing or damaged file: no config to compare with
        return None
    return loaded if isinstance(loaded, DictConfig) else None


#: the states of a job directory
COMPLETE, FAILED, UNFINISHED = "complete", "failed", "unfinished"


def job_state(job_dir: Path, cfg: Any = None) -> str:
    """:data:`COMPLETE` (resume skips it), :data:`FAILED` (``error.json``) or
    :data:`UNFINISHED` (resume runs it again), for the job's config ``cfg`` (default: the one
    saved in the job's directory). Resume and ``womsim-report`` both decide with this."""
    job_dir = Path(job_dir)
    if is_complete(job_dir, cfg if cfg is not None else saved_config(job_dir)):
        return COMPLETE
    if (job_dir / "error.json").exists():
        return FAILED
    return UNFINISHED


class JobKilled(RuntimeError):
    """A job's process ended without finishing or recording a failure (e.g. killed when the
    machine ran out of memory)."""


def record_failure(outdir: Path, error: BaseException, overrides: list[str]) -> Path:
    """Write ``error.json`` (error, type, traceback, overrides) into a failed job's directory."""
    return atomic_write_json(outdir / "error.json", {
        "error": str(error),
        "type": type(error).__name__,
        "traceback": "".join(traceback.format_exception(error)),
        "overrides": list(overrides),
    })


# --- the jobs of a sweep ----------------------------------------------------------------------

#: ``hydra.sweep.subdir`` in sim/configs/config.yaml: job directories named by job_dirname
JOB_SUBDIR = "${womsim_jobdir:${hydra.overrides.task}}"


def sweep_jobs(saved: Any) -> list[list[str]]:
    """The overrides of each job of a sweep, in launch order, from its config (the composed
    multirun config, or multirun.yaml): Hydra's basic sweeper crosses ``hydra.sweeper.params``
    with the command line's overrides, and so does this (with the sweeper's own code)."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    params = OmegaConf.select(saved, "hydra.sweeper.params", default=None) or {}
    task = OmegaConf.select(saved, "hydra.overrides.task", default=None) or []
    lines = [f"{key}={value}" for key, value in params.items()] + [str(o) for o in task]
    parsed = OverridesParser.create().parse_overrides(lines)
    return [list(job) for batch in BasicSweeper.split_arguments(parsed, None) for job in batch]


#: sweepers that split a sweep into jobs as Hydra's basic sweeper does (womsim's is one)
BASIC_SWEEPERS = ("hydra._internal.core_plugins.basic_sweeper.BasicSweeper",
                  "hydra_plugins.womsim_sweeper.checked_sweeper.CheckedSweeper")


def expected_jobs(sweep_dir: Path) -> list[str] | None:
    """The directory names of every job of the sweep saved in ``sweep_dir/multirun.yaml``;
    None when it cannot be told (no multirun.yaml, another sweeper or job directory name)."""
    path = Path(sweep_dir) / "multirun.yaml"
    if not path.exists():
        return None
    try:
        saved = OmegaConf.load(path)
        sweeper = str(OmegaConf.select(saved, "hydra.sweeper._target_", default=""))
        subdir = OmegaConf.to_container(saved.hydra.sweep, resolve=False).get("subdir")
        if sweeper not in BASIC_SWEEPERS or subdir != JOB_SUBDIR:
            return None
        return [job_dirname(job) for job in sweep_jobs(saved)]
    except Exception:  # noqa: BLE001 - the list of jobs is extra information, never an error
        return None


def sweep_size(sweep_dir: Path) -> int | None:
    """Number of jobs in the sweep saved in ``sweep_dir`` (None when it cannot be told)."""
    jobs = expected_jobs(sweep_dir)
    return len(jobs) if jobs is not None else None


# --- locks: one process per job ---------------------------------------------------------------

LOCK_NAME = ".womsim.lock"
#: a lock file still empty after this long was left by a process that died while creating it
LOCK_GRACE_S = 60.0


@dataclass(frozen=True)
class JobLock:
    """The lock of a job directory, held by process ``pid`` (see :func:`lock_job`)."""

    path: Path
    pid: int

    def release(self) -> None:
        """Remove the lock file if it is still this holder's."""
        if (read_lock(self.path) or {}).get("pid") == self.pid:
            self.path.unlink(missing_ok=True)


def read_lock(path: Path) -> dict | None:
    """A lock file's record (pid, host, started), or None if absent, empty or unreadable."""
    try:
        record = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` of this machine is running (a zombie is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def _is_stale(path: Path, record: dict | None) -> bool:
    if record is None:  # being written, or its writer died before writing: judge by its age
        try:
            return time.time() - path.stat().st_mtime > LOCK_GRACE_S
        except OSError:
            return True  # gone meanwhile: try again
    if record.get("host") != socket.gethostname():
        return False  # another machine's process: it cannot be checked from here
    return not process_alive(int(record.get("pid", -1)))


def lock_job(job_dir: Path) -> JobLock | dict:
    """Take the job's lock (``.womsim.lock``, created atomically with ``O_EXCL``).

    Returns the :class:`JobLock` (release it when the job ends), or the record of the lock
    (pid, host, started) when another live process holds it. A lock left by a dead process of
    this machine is taken over.
    """
    path = Path(job_dir) / LOCK_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(5):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            record = read_lock(path)
            if not _is_stale(path, record):
                return record or {}
            _take_over(path, record)
            continue
        with os.fdopen(fd, "w") as fh:
            json.dump({"pid": os.getpid(), "host": socket.gethostname(),
                       "started": time.strftime("%Y-%m-%dT%H:%M:%S")}, fh)
        return JobLock(path, os.getpid())
    return read_lock(path) or {}


def _take_over(path: Path, stale: dict | None) -> None:
    """Remove the stale lock ``path`` unless another process replaced it meanwhile: only the
    process holding ``<lock>.takeover`` (created with O_EXCL) may remove it."""
    guard = path.with_name(path.name + ".takeover")
    try:
        fd = os.open(guard, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        try:
            if time.time() - guard.stat().st_mtime > LOCK_GRACE_S:
                guard.unlink(missing_ok=True)
        except OSError:
            pass
        time.sleep(0.05)
        return
    os.close(fd)
    try:
        if read_lock(path) == stale:
            path.unlink(missing_ok=True)
    finally:
        guard.unlink(missing_ok=True)


# --- the sweep's log: progress and the final count --------------------------------------------

#: environment variable naming the running sweep's log (set for the jobs by ``womsim -m``)
SWEEP_RUN_ENV = "WOMSIM_SWEEP_RUN"
#: the statuses a job logs
DONE, SKIPPED, BUSY = "done", "skipped", "busy"


def sweep_log(sweep_dir: Path, run_id: str) -> Path:
    """The log of the sweep run ``run_id`` in ``sweep_dir``."""
    return Path(sweep_dir) / f".womsim-sweep-{run_id}.log"


def start_sweep_log(sweep_dir: Path, total: int | None) -> str:
    """Create a new sweep run's log (its first line: the number of jobs); returns its id."""
    run_id = f"{os.getpid()}-{time.time_ns()}"
    path = sweep_log(sweep_dir, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"jobs\t{total if total is not None else '?'}\n")
    return run_id


def log_job(sweep_dir: Path, status: str, job: str) -> str:
    """Append ``status`` (done, skipped, busy or failed) of ``job`` to the running sweep's log
    and return the progress ``k/N`` (jobs ended so far in this run / jobs in the sweep), or ""
    outside a sweep run."""
    run_id = os.environ.get(SWEEP_RUN_ENV)
    path = sweep_log(sweep_dir, run_id) if run_id else None
    if path is None or not path.exists():
        return ""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, f"{status}\t{job}\n".encode())  # one write: lines never interleave
    finally:
        os.close(fd)
    total, ended = _read_log(path)
    return f"{sum(len(v) for v in ended.values())}/{total}"


def read_sweep_log(sweep_dir: Path, run_id: str) -> dict[str, list[str]]:
    """The jobs of a sweep run by status (done, skipped, busy, failed)."""
    return _read_log(sweep_log(sweep_dir, run_id))[1]


def _read_log(path: Path) -> tuple[str, dict[str, list[str]]]:
    lines = path.read_text().splitlines()
    total = lines[0].partition("\t")[2] if lines else "?"
    ended: dict[str, list[str]] = {}
    for line in lines[1:]:
        status, _, job = line.partition("\t")
        ended.setdefault(status, []).append(job)
    return total, ended


def begin_sweep(config: Any) -> tuple[str, int | None]:
    """Open the log of a sweep that starts (``config``: its composed multirun config) and name
    it in :data:`SWEEP_RUN_ENV` for the jobs; returns (its id, the number of jobs)."""
    try:
        total: int | None = len(sweep_jobs(config))
    except Exception:  # noqa: BLE001 - a sweeper of another kind: no job count
        total = None
    run_id = start_sweep_log(Path(str(config.hydra.sweep.dir)), total)
    os.environ[SWEEP_RUN_ENV] = run_id  # the launcher starts its processes after this
    return run_id, total


def end_sweep(sweep_dir: Path, run_id: str, total: int | None) -> tuple[str, list[str]]:
    """Close a sweep's log; returns its last line (:func:`sweep_outcome`) and the failed jobs."""
    path = sweep_log(sweep_dir, run_id)
    ended = read_sweep_log(sweep_dir, run_id) if path.exists() else {}
    path.unlink(missing_ok=True)
    os.environ.pop(SWEEP_RUN_ENV, None)
    return sweep_outcome(sweep_dir, ended, total), ended.get(FAILED, [])


def sweep_outcome(sweep_dir: Path, ended: dict[str, list[str]], total: int | None) -> str:
    """The sweep's last line: ``womsim: N done, K skipped, F failed (see ...)``."""
    done, failed = ended.get(DONE, []), ended.get(FAILED, [])
    skipped, busy = ended.get(SKIPPED, []), ended.get(BUSY, [])
    line = f"womsim: {len(done)} done, {len(skipped) + len(busy)} skipped, {len(failed)} failed"
    if busy:
        line += f" ({len(busy)} skipped as another process runs them)"
    unseen = (total or 0) - sum(len(jobs) for jobs in ended.values())
    if unseen > 0:
        line += f", {unseen} never started"
    if failed:
        more = f" and {len(failed) - 1} more" if len(failed) > 1 else ""
        line += f" (see {sweep_dir / failed[0] / 'error.json'}{more})"
    return line


# --- running a job of a sweep ----------------------------------------------------------------

#: consumers of the small run that loads a worker's compiled kernels before its first job
WARM_UP_CONSUMERS = 300
_warm: list[bool] = []  # set once this process has run its warm-up


def warm_up(cfg: Any, execute: Callable[..., None]) -> None:
    """Run ``cfg`` once on a small default graph for 3 days, outputs into a temporary directory,
    in this process, once: the jobs forked from it then find numba's machine code and
    matplotlib loaded (measured: a default job's run took 0.20-0.25 s in a child of a fresh
    process, 0.024 s in a child of a warmed one). The small run is serial (one chunk, one
    thread), so no OpenMP thread pool is started before the forks. Whatever goes wrong in it
    is left to the jobs themselves to meet and report."""
    if _warm:
        return
    _warm.append(True)
    import tempfile

    from omegaconf import open_dict

    from sim.config.graphs import BAGraphConfig

    try:
        small = cfg.copy()
        with open_dict(small):
            small.graph = OmegaConf.structured(BAGraphConfig(n=WARM_UP_CONSUMERS))
            small.steps, small.threads = 3, 1
            small.output.summary = False
        with tempfile.TemporaryDirectory() as tmp:
            execute(small, Path(tmp), label="warm-up")
    except Exception:  # noqa: BLE001 - an optimisation only: each job still runs in full
        pass


def run_sweep_job(cfg: Any, outdir: Path, overrides: list[str], sweep_dir: Path,
                  execute: Callable[..., None], *, isolate: bool = True) -> None:
    """One job of a sweep (:func:`sweep_job`), in a child process when ``isolate``: if that
    process dies (killed when memory runs out), the job is recorded as failed and the other
    jobs go on."""
    if not isolate:
        sweep_job(cfg, outdir, overrides, sweep_dir, execute)
        return
    warm_up(cfg, execute)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: run the job, never return into Hydra's code
        status = 1
        try:
            sweep_job(cfg, outdir, overrides, sweep_dir, execute)
            status = 0
        except BaseException:  # noqa: BLE001 - whatever happens, end this process here
            traceback.print_exc()
        finally:
            for handler in logging.getLogger().handlers:
                handler.flush()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        how = f"killed by signal {number} ({signal.Signals(number).name})"
    else:
        how = f"ended with exit status {os.WEXITSTATUS(status)}"
    error = JobKilled(f"the job's process was {how} before it finished "
                      "(out of memory? see README, Sweeps)")
    if not (outdir / "error.json").exists():  # (the child removes an old one when it starts)
        record_failure(outdir, error, overrides)
    JobLock(outdir / LOCK_NAME, pid).release()  # if the child held it
    remove_temp_files(outdir)
    progress = log_job(sweep_dir, FAILED, outdir.name)
    print(f"{_tag(progress)} FAILED: {_label(overrides)}: {error}", file=sys.stderr, flush=True)


def sweep_job(cfg: Any, outdir: Path, overrides: list[str], sweep_dir: Path,
              execute: Callable[..., None]) -> None:
    """Skip the job if complete or run by another process, else run it under its lock with
    ``execute(cfg, outdir, label=...)``; record a failure instead of raising. Prints one line:
    ``[womsim k/N]`` (jobs ended in this sweep run / jobs in the sweep), what happened and the
    job's overrides."""
    label, job = _label(overrides), outdir.name
    if cfg.resume and job_state(outdir, cfg) == COMPLETE:
        print(f"{_tag(log_job(sweep_dir, SKIPPED, job))} skipped, already complete: {label}",
              flush=True)
        return
    lock = lock_job(outdir)
    if not isinstance(lock, JobLock):
        owner = f"process {lock.get('pid', '?')} on {lock.get('host', '?')}"
        print(f"{_tag(log_job(sweep_dir, BUSY, job))} skipped, {owner} is running it: {label}",
              flush=True)
        return
    try:
        if cfg.resume and job_state(outdir, cfg) == COMPLETE:  # finished while we waited
            print(f"{_tag(log_job(sweep_dir, SKIPPED, job))} skipped, already complete: "
                  f"{label}", flush=True)
            return
        remove_temp_files(outdir)
        (outdir / "error.json").unlink(missing_ok=True)
        start = time.perf_counter()
        try:
            execute(cfg, outdir, label=label)
        except Exception as err:  # noqa: BLE001 - one job's failure must not stop the sweep
            record_failure(outdir, err, overrides)
            remove_temp_files(outdir)
            print(f"{_tag(log_job(sweep_dir, FAILED, job))} FAILED: {label}: "
                  f"{type(err).__name__}: {err}", file=sys.stderr, flush=True)
            return
        print(f"{_tag(log_job(sweep_dir, DONE, job))} done in "
              f"{time.perf_counter() - start:.1f}s: {label}", flush=True)
    finally:
        lock.release()


def _label(overrides: list[str]) -> str:
    return " ".join(overrides) or "(default)"


def _tag(progress: str) -> str:
    return f"[womsim {progress}]" if progress else "[womsim]"
