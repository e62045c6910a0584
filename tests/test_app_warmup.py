"""The dashboard's first build (sim.app.warmup, sim.app.page.Page): at once on a warm numba
cache, in the background behind the compiling banner on a cold one (``cold`` monkeypatched)."""

from __future__ import annotations

import threading

import ipyvuetify as v
import pytest
import solara

from sim.app import page, warmup
from sim.app.controls import ControlError
from sim.strategies import PLUGINS


def alerts(rc, class_: str) -> list:
    return rc.find(v.Alert, class_=class_).widgets


def alert_texts(rc, class_: str) -> list[str]:
    return ["".join(str(c) for c in w.children) for w in alerts(rc, class_)]


@solara.component
def Probe(build, renders: list, prepare=None) -> None:
    first = warmup.use_first_build(build, prepare)
    renders.append(first)
    with solara.Column():  # one root widget throughout, as the page has
        if first.value is None:
            warmup.CompilingBanner(first.error)
        else:
            solara.Info(f"built {first.value}", classes=["probe-value"])


@pytest.fixture
def cold_cache(monkeypatch):
    monkeypatch.setattr(warmup.jit_cache, "cold", lambda: True)


@pytest.fixture
def warm_cache(monkeypatch):
    monkeypatch.setattr(warmup.jit_cache, "cold", lambda: False)


def test_a_warm_cache_builds_at_once_in_the_first_render_and_renders_once(warm_cache):
    threads, renders, prepared = [], [], []

    def build() -> int:
        threads.append(threading.current_thread())
        return 7

    _, rc = solara.render(Probe(build, renders, lambda: prepared.append(1)), handle_error=False)
    try:
        assert alert_texts(rc, "probe-value") == ["built 7"]
        assert alerts(rc, "womsim-compiling-text") == []
        threading.Event().wait(0.2)  # no background task comes back to render again
        assert threads == [threading.main_thread()]
        assert len(renders) == 1 and renders[0].background is False
        assert prepared == [], "nothing to compile on a warm cache"
    finally:
        rc.close()


def test_a_cold_cache_shows_the_banner_at_once_and_builds_in_the_background(cold_cache):
    go, threads, renders = threading.Event(), [], []

    def prepare() -> None:
        threads.append(("prepare", threading.current_thread()))

    def build() -> int:
        threads.append(("build", threading.current_thread()))
        assert go.wait(10)
        return 7

    _, rc = solara.render(Probe(build, renders, prepare), handle_error=False)
    try:
        assert alert_texts(rc, "womsim-compiling-text") == [warmup.COMPILING_BANNER]
        assert "Compiling the simulation kernels once (about 10-20 s)" in warmup.COMPILING_BANNER
        assert alerts(rc, "probe-value") == []
        assert renders[0].background and renders[0].value is None
        go.set()
        rc.find(v.Alert, class_="probe-value").wait_for(timeout=10)
        assert alert_texts(rc, "probe-value") == ["built 7"]
        assert alerts(rc, "womsim-compiling-text") == []
        (first, worker), (second, same) = threads  # prepare, then build, in one thread
        assert (first, second) == ("prepare", "build") and worker is same
        assert worker is not threading.main_thread()
    finally:
        rc.close()


def test_a_failed_background_build_replaces_the_banner_with_its_error(cold_cache):
    def build() -> int:
        raise ControlError("graph.n=-3 is invalid: allowed an integer >= 2")

    _, rc = solara.render(Probe(build, []), handle_error=False)
    try:
        rc.find(v.Alert, class_="womsim-first-error").wait_for(timeout=10)
        assert alert_texts(rc, "womsim-first-error") == [
            "The first scenarios could not be built: ControlError: graph.n=-3 is invalid: "
            "allowed an integer >= 2"]
        assert alerts(rc, "womsim-compiling-text") == []
    finally:
        rc.close()


def test_compile_kernels_steps_every_strategy_to_the_small_horizon():
    small = warmup.compile_kernels()
    assert small.day == warmup.WARMUP_WORLD.steps == 5
    assert small.world.n == 50
    assert set(small.b.strategies) == set(PLUGINS) and small.a.strategies == ()


def test_the_page_on_a_cold_cache_shows_the_banner_then_the_dashboard(cold_cache, monkeypatch):
    go = threading.Event()
    real = page._first_comparison

    def slow_first():
        assert go.wait(30)
        return real()

    monkeypatch.setattr(page, "_first_comparison", slow_first)
    _, rc = solara.render(page.Page(), handle_error=False)
    try:
        assert alert_texts(rc, "womsim-compiling-text") == [warmup.COMPILING_BANNER]
        assert rc.find(class_="womsim-layout").widgets == []
        go.set()
        rc.find(class_="womsim-layout").wait_for(timeout=60)
        assert alerts(rc, "womsim-compiling-text") == []
        days = rc.find(v.Html, class_="womsim-day").widgets
        assert days and "Day 0 of 180" in str(days[0].children)
    finally:
        rc.close()


def test_the_page_on_a_warm_cache_is_the_dashboard_from_the_first_render(warm_cache):
    _, rc = solara.render(page.Page(), handle_error=False)
    try:
        assert rc.find(class_="womsim-layout").widgets != []
        assert alerts(rc, "womsim-compiling-text") == []
    finally:
        rc.close()
