"""Sweeps: job directory names, parallel runs, resume, failures that do not stop the rest (even a
killed process), locks, and the report's count of jobs."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

from sim.io import atomic_write_text, remove_temp_files
from sim.jobs import (
    COMPLETE,
    LOCK_NAME,
    UNFINISHED,
    JobLock,
    job_dirname,
    job_state,
    lock_job,
    read_lock,
)
from sim.report.collect import collect


def womsim(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def test_job_dirname_puts_seed_last_and_skips_hydra_keys():
    assert job_dirname(["seed=3", "strategy=kol", "graph.n=500"]) == \
        "strategy=kol,graph.n=500,seed=3"
    assert job_dirname(["+experiment=x", "hydra.launcher.n_jobs=2", "seed=1"]) == "seed=1"
    assert job_dirname([]) == "default"
    assert "/" not in job_dirname(["graph.path=/data/edges.csv", "seed=0"])
    long = job_dirname([f"k{i}=v" for i in range(100)])
    assert len(long) <= 200 and long != job_dirname([f"k{i}=w" for i in range(100)])


def test_sweep_records_failures_resumes_and_redoes_broken_jobs(tmp_path):
    sweep = tmp_path / "sweep"
    args = ("-m", "seed=0,1", "model.quality=0.7,1.5", "graph.n=200", "steps=15",
            "output.plot=false", "output.summary=false", f"hydra.sweep.dir={sweep}")
    first = womsim(*args, cwd=tmp_path)
    assert first.returncode == 1, first.stderr  # a job failed: the sweep says so
    good = sorted(p.parent.name for p in sweep.glob("*/metrics.json"))
    bad = sorted(p.parent.name for p in sweep.glob("*/error.json"))
    rest = "graph.n=200,steps=15,output.plot=False,output.summary=False"
    assert good == [f"model.quality=0.7,{rest},seed=0", f"model.quality=0.7,{rest},seed=1"]
    assert bad == [f"model.quality=1.5,{rest},seed=0", f"model.quality=1.5,{rest},seed=1"]
    for name in good:  # sweep jobs already run side by side: one thread each
        assert json.loads((sweep / name / "run_info.json").read_text())["threads"] == 1
    error = json.loads((sweep / bad[0] / "error.json").read_text())
    assert error["type"] == "ConfigError" and "model.quality=1.5" in error["error"]
    assert "FAILED" in first.stderr and "[womsim 4/4]" in first.stdout + first.stderr
    assert first.stderr.strip().splitlines()[-1] == (
        f"womsim: 2 done, 0 skipped, 2 failed (see {sweep / bad[0] / 'error.json'} and 1 more)")
    assert not list(sweep.glob(".womsim-sweep-*")) and not list(sweep.glob("*/.womsim.lock"))

    # a job that crashed half-way (no metrics.json) or lost a file is redone, and the report
    # counts it as resume does; complete ones are skipped, each with its own count
    (sweep / good[1] / "metrics.json").unlink()
    (sweep / bad[0] / "error.json").unlink()
    collected = collect(sweep, write=False)
    assert len(collected.runs) == 1 and [f["job"] for f in collected.failed] == [bad[1]]
    assert collected.missing == [bad[0], good[1]] and collected.expected == 4
    assert collected.status == "1 of 4 jobs finished, 1 failed, 2 missing"
    kept = (sweep / good[0] / "metrics.json").stat().st_mtime_ns
    second = womsim(*args, cwd=tmp_path)
    assert second.returncode == 1, second.stderr
    out = second.stdout + second.stderr
    assert out.count("skipped, already complete") == 1
    assert sorted(re.findall(r"\[womsim (\d)/4\]", out)) == ["1", "2", "3", "4"]  # one each
    assert (sweep / good[1] / "metrics.json").exists()
    assert (sweep / good[0] / "metrics.json").stat().st_mtime_ns == kept
    assert "womsim: 1 done, 1 skipped, 2 failed" in second.stderr

    # a changed config in the same directory is not mistaken for complete
    third = womsim(*args[:-1], "model.attention=0.4", f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert "skipped" not in third.stdout


def test_a_killed_job_is_recorded_and_the_others_finish(tmp_path):
    """A job whose process is killed (as the kernel's out-of-memory killer does) fails alone:
    the test kills the process named in the job's lock file, as the kernel would."""
    sweep = tmp_path / "sweep"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "-m", "seed=0,1", "steps=10,4000", "graph.n=300",
         "output.plot=false", "output.summary=false", f"hydra.sweep.dir={sweep}"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    victim = "steps=4000,graph.n=300,output.plot=False,output.summary=False,seed=1"
    lock = sweep / victim / LOCK_NAME
    deadline = time.monotonic() + 240
    while (record := read_lock(lock)) is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert record is not None, proc.communicate()
    os.kill(record["pid"], signal.SIGKILL)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, err
    assert "Traceback" not in err and "TerminatedWorkerError" not in err
    assert len(list(sweep.glob("*/metrics.json"))) == 3
    error = json.loads((sweep / victim / "error.json").read_text())
    assert error["type"] == "JobKilled" and "signal 9 (SIGKILL)" in error["error"]
    assert not lock.exists() and not list((sweep / victim).glob(".*.tmp-*"))
    assert err.strip().splitlines()[-1].startswith("womsim: 3 done, 0 skipped, 1 failed (see ")


def test_job_locks_keep_a_job_to_one_process_and_dead_ones_are_taken_over(tmp_path):
    mine = lock_job(tmp_path)
    assert isinstance(mine, JobLock) and mine.pid == os.getpid()
    assert lock_job(tmp_path) == read_lock(tmp_path / LOCK_NAME)  # held: who holds it
    mine.release()
    assert not (tmp_path / LOCK_NAME).exists()

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname()}))
    taken = lock_job(tmp_path)
    assert isinstance(taken, JobLock) and read_lock(tmp_path / LOCK_NAME)["pid"] == os.getpid()
    taken.release()
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": 1, "host": "another-machine"}))
    assert not isinstance(lock_job(tmp_path), JobLock)  # cannot be checked from here: kept


def test_temporary_files_of_a_killed_write_are_removed(tmp_path):
    atomic_write_text(tmp_path / "metrics.json", "{}")
    left = tmp_path / ".timeseries.png.tmp-k3j2h1g0.png"  # what a killed savefig leaves
    left.write_bytes(b"partial")
    (tmp_path / ".hidden").write_text("not ours")
    assert remove_temp_files(tmp_path) == [left]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".hidden", "metrics.json"]


def test_a_job_without_its_time_series_is_unfinished_for_resume_and_report(tmp_path):
    job = tmp_path / "job"
    job.mkdir()
    (job / "metrics.json").write_text(json.dumps({"config_hash": "x"}))
    assert job_state(job) == UNFINISHED  # no timeseries.csv
    (job / "timeseries.csv").write_text("step\n0\n")
    assert job_state(job) == COMPLETE  # no saved config: the files decide


def test_sweeps_run_in_parallel_by_default(tmp_path):
    proc = womsim("--cfg", "hydra", cwd=tmp_path)
    assert proc.returncode == 0
    assert "JoblibLauncher" in proc.stdout and "n_jobs: -1" in proc.stdout


def test_the_sweeper_skips_hydras_second_composition_only_after_womsims_check(monkeypatch):
    """Hydra's basic sweeper composes every job before launching; womsim's sweeper leaves that
    out once the womsim command has checked every job (and only then)."""
    from hydra_plugins.womsim_sweeper.checked_sweeper import CHECKED_ENV, CheckedSweeper

    composed = []
    monkeypatch.setattr("hydra.plugins.sweeper.Sweeper.validate_batch_is_legal",
                        lambda self, batch: composed.append(list(batch)))
    sweeper = CheckedSweeper(max_batch_size=None, params=None)
    monkeypatch.setenv(CHECKED_ENV, "1")
    sweeper.validate_batch_is_legal([["seed=0"], ["seed=1"]])
    assert composed == []
    monkeypatch.delenv(CHECKED_ENV)
    sweeper.validate_batch_is_legal([["seed=0"], ["seed=1"]])
    assert composed == [[["seed=0"], ["seed=1"]]]


def test_only_a_checked_command_marks_its_jobs_checked(monkeypatch):
    import sim.cli
    from hydra_plugins.womsim_sweeper.checked_sweeper import CHECKED_ENV

    monkeypatch.setattr(sim.cli, "app", lambda: None)
    for argv, checked in ((["womsim", "-m", "seed=0,1"], "1"),
                          (["womsim", "--config-dir", "/tmp", "-m", "seed=0,1"], None)):
        monkeypatch.setenv(CHECKED_ENV, "1")  # a stale mark from a parent process
        monkeypatch.setattr(sys, "argv", argv)
        sim.cli.main()
        assert os.environ.get(CHECKED_ENV) == checked, argv


def test_the_sweepers_whose_jobs_reports_count_exist():
    import importlib

    from hydra_plugins.womsim_sweeper.checked_sweeper import CheckedSweeperConf
    from sim.jobs import BASIC_SWEEPERS

    assert CheckedSweeperConf._target_ in BASIC_SWEEPERS
    for target in BASIC_SWEEPERS:
        module, _, name = target.rpartition(".")
        assert hasattr(importlib.import_module(module), name), target


def test_a_worker_warms_up_once_on_a_small_copy_of_its_first_job(monkeypatch):
    """Before its first forked job a worker runs the job's config once on a small default graph
    for 3 days, serially, outputs elsewhere; never again, and a failure there stops nothing."""
    from sim import jobs
    from sim.compose import compose_config

    monkeypatch.setattr(jobs, "_warm", [])
    seen = []

    def execute(cfg, outdir, label=""):
        seen.append((cfg.graph.kind, cfg.graph.n, cfg.steps, cfg.threads, cfg.budget,
                     label, outdir.exists()))
        raise RuntimeError("a warm-up that fails")

    job = compose_config("graph=ws", "graph.n=5000", "strategy=[kol,rewards]", "budget=10")
    jobs.warm_up(job, execute)  # the failure is the job's own to meet
    jobs.warm_up(job, execute)
    assert seen == [("ba", jobs.WARM_UP_CONSUMERS, 3, 1, 10, "warm-up", True)]
    assert job.graph.n == 5000 and job.steps == 180  # the job itself unchanged
