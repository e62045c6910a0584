"""The run says when it will compile its kernels first (sim/jit_cache.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT
from sim.compose import compose_config
from sim.jit_cache import COMPILING, cold, uncached_kernels
from sim.run import run


def test_with_an_empty_cache_the_kernels_are_cold(tmp_path):
    code = "import sim.run; from sim.jit_cache import cold; print(cold())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT, env={"NUMBA_CACHE_DIR": str(tmp_path),
                                                    "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == "True"


def test_after_a_run_the_kernels_load_from_the_cache():
    run(compose_config("graph.n=60", "steps=3", "strategy=[kol,rewards,fast_response]"))
    assert not cold(), uncached_kernels()


def _womsim_cold(tmp_path, *args):
    import os

    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    return subprocess.run([sys.executable, "-m", "sim", *args, f"hydra.run.dir={tmp_path / 'run'}",
                           "output.summary=false"], capture_output=True, text=True, env=env,
                          cwd=tmp_path)


def test_a_refused_value_on_a_cold_cache_is_still_one_line(tmp_path):
    out = _womsim_cold(tmp_path, "graph.n=500", "strategy=kol", "strategy.kol.min_followers=100")
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [out.stderr.strip()]
    assert "min_followers=100 is invalid" in out.stderr


@pytest.mark.slow
def test_the_first_run_says_it_compiles_and_the_next_does_not(tmp_path):
    first = _womsim_cold(tmp_path, "graph.n=50", "steps=2")
    assert first.returncode == 0, first.stderr
    assert COMPILING in first.stderr
    second = _womsim_cold(tmp_path, "graph.n=50", "steps=2")
    assert second.returncode == 0 and COMPILING not in second.stderr
