"""The run says when it will compile its kernels first (sim/jit_cache.py)."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT
from sim.compose import compose_config
from sim.jit_cache import cold, uncached_kernels
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
