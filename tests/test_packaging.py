"""womsim as users install it: a wheel in a fresh virtual environment, run from elsewhere.

The editable install of the checkout hides packaging mistakes (files outside ``sim/`` are still
found), so this test builds a wheel, installs it into a new venv and runs the venv's ``womsim``
from a directory outside the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

GRAPH_LINE = "graph: ba, complete, er, file, powerlaw_cluster, sbm, ws"
MODEL_LINE = "model: bass, independent_cascade, linear_threshold, sir, threshold, wom"


def run(cmd: list[str | Path], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A venv holding only the wheel of this checkout (dependencies come from the system site)."""
    tmp = tmp_path_factory.mktemp("packaging")
    # build from a copy of what the wheel is made of, so the checkout gets no build/ directory
    src = tmp / "src"
    shutil.copytree(ROOT / "sim", src / "sim",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    proc = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp / "dist", src],
               cwd=tmp)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = (tmp / "dist").glob("womsim-*.whl")

    env_dir = tmp / "venv"
    proc = run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", env_dir],
               cwd=tmp)
    assert proc.returncode == 0, proc.stderr
    python = env_dir / "bin" / "python"
    # the system's pip, run by the venv's interpreter, installs into the venv; --force-reinstall
    # because the system site already has womsim (the editable checkout)
    proc = run([python, "-m", "pip", "install", "--no-deps", "--force-reinstall", "-q", wheel],
               cwd=tmp)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return env_dir


@pytest.mark.slow
def test_the_venv_imports_the_installed_wheel_not_the_checkout(venv, tmp_path):
    proc = run([venv / "bin" / "python", "-c",
                "import sim, sim.compose, sysconfig; "
                "print(sim.__file__); print(sim.compose.CONFIG_DIR); "
                "print(sysconfig.get_paths()['purelib'])"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    module, config_dir, site = (Path(line) for line in proc.stdout.split())
    assert site.is_relative_to(venv) and module.is_relative_to(site), (module, site)
    assert Path(config_dir, "config.yaml").is_file() and Path(config_dir).is_relative_to(site)
    assert not module.is_relative_to(ROOT)


@pytest.mark.slow
def test_the_installed_command_runs_from_any_directory(venv, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    proc = run([venv / "bin" / "womsim", "graph.n=50", "steps=3", "output.plot=false",
                f"hydra.run.dir={out}"], cwd=elsewhere)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n"] == 50 and metrics["steps"] == 3

    proc = run([venv / "bin" / "womsim", "--help"], cwd=elsewhere)
    assert proc.returncode == 0, proc.stderr
    assert GRAPH_LINE in proc.stdout.splitlines() and MODEL_LINE in proc.stdout.splitlines()
    assert "strategy: " in proc.stdout and "experiment: " in proc.stdout
