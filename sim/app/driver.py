"""Stepping the dashboard's comparison in the background, so that no click is lost.

A :class:`Driver` owns the :class:`~sim.app.state.Comparison` on show and a *target day*: Step
moves the target on by the days per step, Run to end sets it to the horizon, Play moves it on
once per interval. One loop (:meth:`Driver.loop`, run in a background thread) steps the
comparison toward the target and reports each :class:`Frame` to the page.

While a control change rebuilds the scenarios the driver is *held*: the comparison on show is
not stepped, Steps still move the target, and the rebuilt comparison (:meth:`Driver.swap`) is
stepped on to it, so a Step clicked during an update lands on the new scenarios. At the end of
the horizon Play pauses; a comparison with a later horizon (swapped in after the horizon is
raised) can be stepped and played on from the day reached.

Redrawing the charts takes longer than stepping small models, so while playing a frame redraws
the KPIs every time and the charts and the network view only every so often (:class:`Redraw`);
the last frame of a Step, a Play or a Run to end redraws everything.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: seconds between frames while running to the end (each frame redraws the charts)
RUN_FRAME = 0.5
#: a target beyond any horizon: "the end", whatever the horizon of the rebuilt comparison
END = 10**9


@dataclass(frozen=True, eq=False)
class Frame:
    """What the page shows after a change of the driver's state.

    Attributes
    ----------
    model : Comparison
        The comparison on show.
    day, horizon : int
        The day it has reached and its last day.
    target : int
        The day asked for (later than ``day`` while steps are queued).
    playing, held : bool
        Whether Play is on; whether a rebuild is under way (steps are queued meanwhile).
    chart_day, network_day : int
        The day the charts and the network view were last due to be redrawn.
    """

    model: Any
    day: int
    horizon: int
    target: int
    playing: bool
    held: bool
    chart_day: int
    network_day: int

    @property
    def can_step(self) -> bool:
        """Step, Play and Run to end have days left to run (while held: always, the rebuilt
        scenarios may have a later horizon)."""
        return self.held or self.target < self.horizon

    @property
    def queued(self) -> int:
        """Days asked for and not yet run."""
        return max(self.target - self.day, 0)


class Redraw:
    """Which views a frame redraws while playing: the charts at most every ``charts``
    seconds, the network view at most every ``network`` seconds (the KPIs: every frame)."""

    def __init__(self, charts: float = 0.0, network: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.every = {"charts": float(charts), "network": float(network)}
        self.clock = clock
        self.last = {"charts": -float("inf"), "network": -float("inf")}

    def due(self, *, final: bool) -> dict[str, bool]:
        """Per view, whether this frame redraws it (always on a ``final`` frame)."""
        now = self.clock()
        out = {}
        for view, every in self.every.items():
            out[view] = final or now - self.last[view] >= every
            if out[view]:
                self.last[view] = now
        return out


class Driver:
    """Steps a comparison toward the day asked for (see the module's docstring).

    Parameters
    ----------
    model : Comparison
        The comparison to show first.
    on_frame : callable
        Called with a :class:`Frame` after each frame and each change of state (from the
        thread that made the change; the loop's thread for frames).
    redraw : Redraw, optional
        When the charts are redrawn while playing (default: charts every frame, the network
        view every second).
    """

    def __init__(self, model: Any, on_frame: Callable[[Frame], None], *,
                 redraw: Redraw | None = None) -> None:
        self._cond = threading.Condition()
        self._model = model
        self._target = model.day
        self._playing = False
        self._held = False
        self._closed = False
        self._interval = 0.25
        self._days = 1
        self._drawn = {"charts": model.day, "network": model.day}
        self.redraw = redraw or Redraw()
        self.on_frame = on_frame
        self._report_lock = threading.Lock()  # frames are delivered in the order built

    # -- state -----------------------------------------------------------------------------

    @property
    def model(self) -> Any:
        """The comparison on show."""
        return self._model

    @property
    def target(self) -> int:
        """The day asked for (while held, it may lie beyond the horizon on show: the rebuilt
        comparison caps it at its own)."""
        with self._cond:
            return self._target

    def frame(self) -> Frame:
        """The current state as a :class:`Frame`."""
        with self._cond:
            m = self._model
            return Frame(model=m, day=m.day, horizon=m.world.steps,
                         target=min(max(self._target, m.day), m.world.steps),
                         playing=self._playing, held=self._held,
                         chart_day=self._drawn["charts"], network_day=self._drawn["network"])

    def _changed(self) -> None:
        self._cond.notify_all()

    def _report(self) -> None:
        with self._report_lock:
            self.on_frame(self.frame())

    # -- what the buttons do ---------------------------------------------------------------

    def set_pace(self, interval_ms: float, days_per_step: int) -> None:
        """Play's interval between frames (ms) and the days a Step or a frame runs."""
        if interval_ms <= 0 or days_per_step < 1:
            raise ValueError(f"interval_ms={interval_ms!r} and days_per_step={days_per_step!r}:"
                             " allowed interval > 0 and at least 1 day")
        with self._cond:
            self._interval = interval_ms / 1000.0
            self._days = int(days_per_step)
            self._changed()

    def step(self) -> None:
        """Ask for the days per step beyond the day asked for so far (queued while held)."""
        with self._cond:
            target = max(self._target, self._model.day) + self._days
            self._target = target if self._held else min(target, self._model.world.steps)
            self._changed()
        self._report()

    def run_to_end(self) -> None:
        """Ask for the horizon (while held: the rebuilt comparison's)."""
        with self._cond:
            self._target = END if self._held else self._model.world.steps
            self._playing = False
            self._changed()
        self._report()

    def play(self, on: bool = True) -> None:
        """Start (or, with ``on=False``, pause) playing; nothing to play at the horizon."""
        with self._cond:
            self._playing = bool(on) and self._model.day < self._model.world.steps
            if not self._playing:  # a pause keeps the day reached
                self._target = self._model.day
            self._changed()
        self._report()

    def hold(self) -> None:
        """A rebuild has started: stop stepping the comparison on show, queue Steps."""
        with self._cond:
            self._held = True
            self._changed()
        self._report()

    def release(self) -> None:
        """The rebuild failed: go on with the comparison on show."""
        with self._cond:
            self._held = False
            self._changed()
        self._report()

    def rewind(self) -> None:
        """Reset: pause, ask for day 0 and hold until the day-0 comparison is swapped in."""
        with self._cond:
            self._playing = False
            self._target = 0
            self._held = True
            self._changed()
        self._report()

    def swap(self, model: Any) -> None:
        """Show ``model`` (a rebuilt comparison, at any day up to the target) and step it on
        to the day asked for."""
        with self._cond:
            self._model = model
            self._held = False
            self._target = min(max(self._target, 0), model.world.steps)
            if model.day > self._target:
                self._target = model.day
            self._drawn = {"charts": model.day, "network": model.day}
            self._changed()
        self._report()

    def close(self) -> None:
        """Stop the loop."""
        with self._cond:
            self._closed = True
            self._changed()

    # -- the loop --------------------------------------------------------------------------

    def _work(self) -> bool:
        m = self._model
        if self._held:
            return False
        return m.day < min(self._target, m.world.steps) or (
            self._playing and m.day < m.world.steps)

    def loop(self) -> None:
        """Step toward the target until :meth:`close`: one frame per Step, per interval while
        playing, and every :data:`RUN_FRAME` seconds on a longer run."""
        while True:
            with self._cond:
                while not self._closed and not self._work():
                    self._cond.wait()
                if self._closed:
                    return
                model, playing = self._model, self._playing
                if playing and model.day >= self._target:  # the next frame of Play
                    self._target = min(model.day + self._days, model.world.steps)
                due_at = time.monotonic() + self._interval
            self._run(model, playing)
            if playing:
                with self._cond:  # wait out the interval (a pause or a change ends it)
                    while (not self._closed and self._playing and self._model is model
                           and not self._held and time.monotonic() < due_at):
                        self._cond.wait(timeout=max(due_at - time.monotonic(), 0.0))
                    if self._playing and model.day >= model.world.steps:
                        self._playing = False  # the end: Play can go on once it is raised
                        self._report_locked()

    def _report_locked(self) -> None:
        self._cond.release()
        try:
            self._report()
        finally:
            self._cond.acquire()

    def _run(self, model: Any, playing: bool) -> None:
        """Step ``model`` to the target (one frame), reporting on the way when it is long."""
        last = time.monotonic()
        while True:
            with self._cond:
                stop = (self._closed or self._held or self._model is not model
                        or model.day >= min(self._target, model.world.steps))
            if stop:
                break
            model.step()
            if not playing and time.monotonic() - last >= RUN_FRAME:
                self._frame(model, final=False)
                last = time.monotonic()
        with self._cond:
            final = not self._playing or model.day >= model.world.steps
        self._frame(model, final=final or not playing)

    def _frame(self, model: Any, *, final: bool) -> None:
        due = self.redraw.due(final=final)
        with self._cond:
            if self._model is not model:
                return
            for view, yes in due.items():
                if yes:
                    self._drawn[view] = model.day
        self._report()
