"""The dashboard's first scenarios, and what the page shows while they are built.

Building the first :class:`~sim.app.state.Comparison` takes well under a second when numba's
on-disk cache holds the simulation's kernels, and 10-20 s the first time after install or
upgrade, when it compiles them (:func:`sim.jit_cache.cold`). On a warm cache the page builds
them at once, as before, in the render that draws the page. On a cold one it draws the page's
shell at once with :data:`COMPILING_BANNER` and, in a background thread, first compiles the
kernels that stepping and the strategies use too (:func:`compile_kernels`), then builds them;
the dashboard replaces the banner when they are ready (:func:`use_first_build`,
:func:`CompilingBanner`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import solara
import solara.lab

from sim import jit_cache
from sim.app.controls import Scenario, World
from sim.app.state import Comparison
from sim.strategies import PLUGINS

#: what the page says while the first build compiles the kernels
COMPILING_BANNER = ("Compiling the simulation kernels once (about 10-20 s) ... This happens "
                    "on the first start after install or upgrade; later starts load them from "
                    "numba's cache.")

#: the small comparison :func:`compile_kernels` steps: few consumers, a few days
WARMUP_WORLD = World(n=50, steps=5)

__all__ = ["COMPILING_BANNER", "WARMUP_WORLD", "CompilingBanner", "FirstBuild",
           "compile_kernels", "use_first_build"]


def compile_kernels() -> Comparison:
    """Build a :data:`WARMUP_WORLD` comparison of no strategy against every strategy and run
    it to its horizon: on a cold cache this compiles the kernels that building, stepping and
    each strategy use (kernels are compiled per type, not per size), so that neither the first
    Step nor a strategy chosen later stops to compile them. Returns that comparison."""
    small = Comparison(WARMUP_WORLD, Scenario(), Scenario(strategies=tuple(PLUGINS)))
    while small.day < small.world.steps:
        small.step()
    return small


@dataclass(frozen=True)
class FirstBuild:
    """The state of the first build.

    Attributes
    ----------
    value : object or None
        What the build returned; None while it runs or when it failed.
    error : BaseException or None
        Why the background build failed, if it did.
    background : bool
        Whether the build runs (or ran) in the background: the kernels were not cached.
    """

    value: Any
    error: BaseException | None
    background: bool


def use_first_build(build: Callable[[], Any],
                    prepare: Callable[[], Any] | None = None) -> FirstBuild:
    """A Solara hook: ``build()`` once per page, at once when numba's cache holds the kernels
    (no thread, no second render), or else in a background thread, after ``prepare()`` (e.g.
    :func:`compile_kernels`), while the page shows its shell (:func:`sim.jit_cache.cold`
    tells which, once per page)."""
    now = solara.use_memo(lambda: None if jit_cache.cold() else (build(),), [])

    def in_background() -> Any:
        if prepare is not None:
            prepare()
        return build()

    # a warm cache: dependencies=None, so the task never runs and never re-renders the page
    task = solara.lab.use_task(in_background, dependencies=[] if now is None else None,
                               prefer_threaded=True, raise_error=False)
    if now is not None:
        return FirstBuild(value=now[0], error=None, background=False)
    error = task.exception if task.error else None
    return FirstBuild(value=task.value if task.finished else None, error=error,
                      background=True)


@solara.component
def CompilingBanner(error: BaseException | None = None) -> None:
    """The page's shell while the first build runs: the banner and a running bar, or the
    build's error in one line."""
    if error is not None:
        solara.Error(f"The first scenarios could not be built: {type(error).__name__}: {error}",
                     classes=["womsim-first-error"])
        return
    with solara.Column(classes=["womsim-compiling"], style={"max-width": "760px"}):
        solara.Info(COMPILING_BANNER, classes=["womsim-compiling-text"])
        solara.ProgressLinear(True)
