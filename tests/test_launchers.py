"""The optional launchers run a small sweep locally (CI installs the [ray] and [slurm] extras)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def sweep(tmp_path, launcher: str, *extra: str) -> list:
    out = tmp_path / launcher
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "-m", f"hydra/launcher={launcher}", "seed=0,1",
         "graph.n=200", "steps=10", "output.plot=false", "output.summary=false",
         f"hydra.sweep.dir={out}", *extra],
        cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return sorted(p.parent.name for p in out.glob("*/metrics.json"))


@pytest.mark.slow
def test_ray_launcher_runs_two_jobs_on_a_local_ray_instance(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_ray_launcher", reason="install the [ray] extra")
    jobs = sweep(tmp_path, "ray", "+hydra.launcher.ray.init.num_cpus=2")
    assert [j.rsplit(",", 1)[-1] for j in jobs] == ["seed=0", "seed=1"]


@pytest.mark.slow
def test_submitit_launcher_runs_two_jobs_locally(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher", reason="install the [slurm] extra")
    jobs = sweep(tmp_path, "submitit_local", "hydra.launcher.timeout_min=10")
    assert [j.rsplit(",", 1)[-1] for j in jobs] == ["seed=0", "seed=1"]
