"""Sweeps: job directory names, parallel runs, resume, and failures that do not stop the rest."""

from __future__ import annotations

import json
import subprocess
import sys

from sim.jobs import job_dirname


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
    assert first.returncode == 0, first.stderr
    good = sorted(p.parent.name for p in sweep.glob("*/metrics.json"))
    bad = sorted(p.parent.name for p in sweep.glob("*/error.json"))
    rest = "graph.n=200,steps=15,output.plot=False,output.summary=False"
    assert good == [f"model.quality=0.7,{rest},seed=0", f"model.quality=0.7,{rest},seed=1"]
    assert bad == [f"model.quality=1.5,{rest},seed=0", f"model.quality=1.5,{rest},seed=1"]
    for name in good:  # sweep jobs already run side by side: one thread each
        assert json.loads((sweep / name / "metrics.json").read_text())["threads"] == 1
    error = json.loads((sweep / bad[0] / "error.json").read_text())
    assert error["type"] == "ConfigError" and "model.quality=1.5" in error["error"]
    assert "FAILED" in first.stderr and "[womsim 4/4]" in first.stdout + first.stderr

    # a job that crashed half-way (no metrics.json) is redone; complete ones are skipped
    broken = sweep / good[1]
    (broken / "metrics.json").unlink()
    kept = (sweep / good[0] / "metrics.json").stat().st_mtime_ns
    second = womsim(*args, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout.count("skipped, already complete") == 1
    assert (broken / "metrics.json").exists()
    assert (sweep / good[0] / "metrics.json").stat().st_mtime_ns == kept

    # a changed config in the same directory is not mistaken for complete
    third = womsim(*args[:-1], "model.attention=0.4", f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert "skipped" not in third.stdout


def test_sweeps_run_in_parallel_by_default(tmp_path):
    proc = womsim("--cfg", "hydra", cwd=tmp_path)
    assert proc.returncode == 0
    assert "JoblibLauncher" in proc.stdout and "n_jobs: -1" in proc.stdout
