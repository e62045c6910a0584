"""Automatic threads: one per idle core, re-checked during the run; results never change."""

from __future__ import annotations

import itertools

import numpy as np

import sim.engines
from conftest import make_config
from sim.rules import wom
from sim.run import run
from sim.threads import ThreadAdvisor, auto_threads


def test_small_runs_use_one_thread_and_large_ones_the_idle_cores():
    assert auto_threads(10_000, 2, idle=2.0) == 1
    assert auto_threads(10**6, 1, idle=1.0) == 1
    assert auto_threads(10**6, 2, idle=2.0) == 2
    assert auto_threads(10**6, 2, idle=0.3) == 1  # another process holds a core
    assert auto_threads(10**6, 4, idle=2.6) == 3


def test_the_advisor_does_not_count_this_process_as_another_one():
    advisor = ThreadAdvisor(cores=2)
    advisor.look()
    x = 0.0
    for i in range(2_000_000):  # keep this process busy for a while
        x += i * 1e-9
    advised = advisor.advise()
    assert advised is None or 1 <= advised <= 2


def test_automatic_runs_give_the_same_results_whatever_the_threads_chosen(monkeypatch):
    """An automatic run whose advice changes every few days (1, 2, 3 threads) gives exactly the
    results of a run on one thread."""
    monkeypatch.setattr(wom, "MIN_CONSUMERS_PER_CHUNK", 1)
    monkeypatch.setattr(wom, "MIN_READERS_PER_CHUNK", 1)
    monkeypatch.setattr(sim.engines, "MIN_CONSUMERS", 1)
    monkeypatch.setattr(sim.engines, "RECHECK_DAYS", 3)
    advice = itertools.cycle([2, 3, 1])
    monkeypatch.setattr(ThreadAdvisor, "advise", lambda self: next(advice))
    monkeypatch.setattr(sim.engines, "auto_threads", lambda n, cores: 2)
    monkeypatch.setattr(sim.engines.numba.config, "NUMBA_NUM_THREADS", 3)
    used = []
    real_use = sim.engines.VectorizedEngine._use

    def use(self, threads):
        used.append(threads)
        real_use(self, threads)

    monkeypatch.setattr(sim.engines.VectorizedEngine, "_use", use)
    overrides = ("graph.n=3000", "steps=30", "seed=4", "strategy=[kol,rewards,fast_response]",
                 "budget=5000", "baseline=none")
    one = run(make_config(*overrides, "threads=1"))
    used.clear()
    auto = run(make_config(*overrides))
    assert auto.model.engine.advisor is not None
    assert used[:4] == [2, 3, 1, 2]  # the chunks really changed along the run
    assert one.timeseries.equals(auto.timeseries)
    assert one.conversions.equals(auto.conversions)
    for name in ("aware", "attitude", "loyalty", "customer", "source"):
        assert np.array_equal(getattr(one.model.state, name), getattr(auto.model.state, name))
