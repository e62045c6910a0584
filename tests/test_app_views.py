"""The dashboard's run driver, edits, legends and comparison figures, without a browser
(sim.app.driver, sim.app.edits, sim.app.legends, sim.app.diff_views, sim.app.views)."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest

from sim.app import diff_views, views
from sim.app.controls import ControlError, Scenario, World
from sim.app.driver import Driver, Redraw
from sim.app.edits import Edits, edit, error_scenario, parse_typed
from sim.app.legends import differing_settings, scenario_labels, slider_label
from sim.app.state import Comparison
from sim.strategies import PLUGINS


class FakeComparison:
    """Days and a horizon, as the driver sees a comparison; ``pause`` slows each step."""

    def __init__(self, steps: int, day: int = 0, pause: float = 0.0) -> None:
        self.world = SimpleNamespace(steps=steps)
        self.day = day
        self.pause = pause

    def step(self) -> None:
        time.sleep(self.pause)
        if self.day < self.world.steps:
            self.day += 1


@pytest.fixture
def driven():
    frames = []
    driver = Driver(FakeComparison(10), frames.append)
    thread = threading.Thread(target=driver.loop, daemon=True)
    thread.start()
    yield driver, frames
    driver.close()
    thread.join(timeout=5)
    assert not thread.is_alive()


def wait_for(check, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_steps_run_to_the_target_and_stop_at_the_horizon(driven):
    driver, frames = driven
    driver.set_pace(250, 3)
    driver.step()
    wait_for(lambda: frames[-1].day == 3)
    driver.run_to_end()
    wait_for(lambda: frames[-1].day == 10)
    assert not frames[-1].can_step and frames[-1].queued == 0
    driver.step()  # nothing beyond the horizon
    time.sleep(0.05)
    assert driver.model.day == 10
    with pytest.raises(ValueError, match="interval_ms"):
        driver.set_pace(0, 1)


def test_a_step_during_a_rebuild_is_queued_and_runs_on_the_new_comparison(driven):
    driver, frames = driven
    driver.step()
    wait_for(lambda: frames[-1].day == 1)
    driver.hold()
    driver.step()
    driver.step()
    time.sleep(0.05)
    old = driver.model
    assert old.day == 1, "a held comparison is not stepped"
    assert frames[-1].held and frames[-1].can_step and frames[-1].target == 3
    new = FakeComparison(10, day=1)  # rebuilt at the day shown before the Steps
    driver.swap(new)
    wait_for(lambda: frames[-1].day == 3 and frames[-1].model is new)
    assert old.day == 1 and not frames[-1].held
    driver.hold()
    driver.release()  # a failed rebuild: the comparison on show goes on
    driver.step()
    wait_for(lambda: new.day == 4)


def test_a_raised_horizon_lets_play_and_step_go_on(driven):
    driver, frames = driven
    driver.set_pace(50, 4)
    driver.play()
    wait_for(lambda: frames[-1].day == 10 and not frames[-1].playing)
    assert not frames[-1].can_step
    driver.hold()
    driver.run_to_end()  # while held: the end of the rebuilt comparison
    driver.swap(FakeComparison(20, day=10))
    wait_for(lambda: frames[-1].day == 20)
    assert frames[-1].horizon == 20 and not frames[-1].can_step


def test_play_keeps_to_its_interval_and_pauses(driven):
    driver, frames = driven
    driver.swap(FakeComparison(1000))
    driver.set_pace(100, 1)
    start = time.monotonic()
    driver.play()
    time.sleep(0.55)
    driver.play(False)
    elapsed = time.monotonic() - start
    day = driver.model.day
    assert 3 <= day <= elapsed / 0.1 + 1, day  # about one day per 100 ms, never faster
    time.sleep(0.3)
    assert driver.model.day == day and not frames[-1].playing


def test_rewind_holds_at_day_zero_until_swapped(driven):
    driver, frames = driven
    driver.run_to_end()
    wait_for(lambda: frames[-1].day == 10)
    driver.rewind()
    assert frames[-1].held and not frames[-1].playing
    driver.swap(FakeComparison(10))
    time.sleep(0.05)
    assert frames[-1].day == 0 and frames[-1].target == 0


def test_redraw_spaces_the_network_view_while_playing():
    now = [0.0]
    redraw = Redraw(charts=0.0, network=1.0, clock=lambda: now[0])
    assert redraw.due(final=False) == {"charts": True, "network": True}
    now[0] = 0.5
    assert redraw.due(final=False) == {"charts": True, "network": False}
    assert redraw.due(final=True) == {"charts": True, "network": True}
    now[0] = 1.6
    assert redraw.due(final=False)["network"]


# --------------------------------------------------------------------------------------------
# edits


SHOWN = {"world": World(n=300, steps=20), "a": Scenario(), "b": Scenario(strategies=("kol",))}


def test_typed_numbers_are_parsed_and_checked_by_the_control():
    assert parse_typed("a", "budget", " 1e4 ") == 10_000.0
    assert parse_typed("a", "budget", "") is None
    assert parse_typed("world", "steps", "30") == 30
    with pytest.raises(ControlError, match=r"Budget \(budget\) = 'abc' is invalid: allowed a "
                                           r"number >= 0 or empty \(no limit\)"):
        parse_typed("a", "budget", "abc")
    with pytest.raises(ControlError, match=r"Horizon \(days\) \(steps\) = '2.5'"):
        parse_typed("world", "steps", "2.5")
    with pytest.raises(ControlError, match=r"Seed \(seed\) = ''"):
        parse_typed("world", "seed", "")
    with pytest.raises(ValueError, match="not a number control"):
        parse_typed("a", "fatigue", "on")


def test_a_refused_entry_keeps_its_text_and_error_until_the_field_takes_a_value():
    shown, edits = edit(SHOWN, Edits(), "a", "budget", "-5", typed=True)
    assert shown is SHOWN
    assert edits.text("a", "budget", None) == "-5"
    assert "Budget (budget) = -5.0 is invalid" in edits.error("a", "budget")
    shown, edits = edit(shown, edits, "a", "budget", "abc", typed=True)  # another bad value
    assert "'abc'" in edits.error("a", "budget") and "-5" not in edits.error("a", "budget")
    shown, edits = edit(shown, edits, "b", "kol_k", 20)  # other fields keep their own
    assert shown["b"].kol_k == 20 and edits.error("a", "budget")
    shown, edits = edit(shown, edits, "a", "budget", "", typed=True)  # cleared: no limit
    assert edits.error("a", "budget") is None and shown["a"].budget is None
    assert edits.text("a", "budget", None) == ""
    shown, edits = edit(shown, edits, "a", "budget", "2500", typed=True)
    assert shown["a"].budget == 2500.0 and edits.text("a", "budget", 2500.0) == "2500"
    # a value refused by a rule across fields is the changed field's error
    _, edits = edit({**SHOWN, "world": World(graph="complete", n=1000)}, Edits(), "world",
                    "n", 5000)
    assert "complete graph" in edits.error("world", "n")
    kept = Edits().refused("a", "budget", "x", "e").refused("world", "seed", "y", "f")
    assert kept.cleared_scenario("world", "b").errors == {("a", "budget"): "e"}


def test_build_errors_name_their_scenario():
    assert error_scenario("Scenario B: strategy.kol.k = -1 ...") == "b"
    assert error_scenario("Graph kind (graph) = 'x'") == "world"


# --------------------------------------------------------------------------------------------
# legends


def test_legends_name_the_settings_that_differ():
    a = Scenario(strategies=("fast_response",), response_delay=2, response_unit="days")
    b = Scenario(strategies=("fast_response",), response_delay=1, response_unit="hours")
    labels = scenario_labels(a, b)
    assert labels == {"a": "A: Fast response, response delay 2 days",
                      "b": "B: Fast response, response delay 1 hour"}
    # a unit alone differing names the number it belongs to
    c = Scenario(strategies=("fast_response",), response_delay=2, response_unit="hours")
    assert scenario_labels(a, c)["b"] == "B: Fast response, response delay 2 hours"
    # a strategy's setting matters only while both run it; model settings and budget always
    d = Scenario(strategies=("kol",), kol_k=50, quality=0.8, budget=10_000.0)
    assert differing_settings(a, d) == ["quality", "budget"]
    assert scenario_labels(a, d) == {
        "a": "A: Fast response, product quality 0.7, no budget limit",
        "b": "B: KOLs, product quality 0.8, budget 10,000"}
    assert scenario_labels(Scenario(), Scenario()) == {"a": "A: no strategy",
                                                       "b": "B: same as A"}
    long = scenario_labels(Scenario(), Scenario(strategies=tuple(PLUGINS)), limit=30)["b"]
    assert len(long) <= 30 and long.endswith("…")


def test_slider_labels_show_their_unit():
    knobs = {k.name: k for k in PLUGINS["fast_response"].controls}
    s = Scenario(strategies=("fast_response",), response_delay=2, response_unit="days")
    assert slider_label(knobs["response_delay"], s) == "Response delay 2 days"
    kol = {k.name: k for k in PLUGINS["kol"].controls}
    assert slider_label(kol["kol_k"], None, 25) == "KOL count 25"


# --------------------------------------------------------------------------------------------
# figures


def test_axis_limits_never_collapse_and_start_at_zero_for_shares():
    assert views.axis_limits(np.array([0.0]), floor=0.0, least=1.0) == (0.0, 1.08)
    lo, hi = views.axis_limits(np.array([]), floor=0.0, least=1.0)
    assert lo == 0.0 and hi > 0.0
    lo, hi = views.axis_limits(np.array([-0.2, 0.1, np.nan]), symmetric=True, least=0.05)
    assert lo == -hi and hi == pytest.approx(0.216)
    assert views.axis_limits(np.array([20.0, 30.0]), least=1.0) == pytest.approx((19.2, 30.8))
    assert views.axis_unit("reach") == "% of consumers"
    assert views.axis_unit("net_sentiment") == "index, −1 to 1"


def test_difference_and_spread_follow_the_comparison():
    c = Comparison(World(n=300, steps=20, seed=5), Scenario(), Scenario(strategies=("kol",)))
    diff_plot, spread = diff_views.DifferencePlot(20), diff_views.SpreadPlot(20)
    series = {w: c.timeseries(w) for w in ("a", "b")}
    diff_plot.update(series)
    assert diff_plot.notes[0].get_text() == "no days run yet"
    assert diff_plot.axes[0].get_ylim()[0] < 0 < diff_plot.axes[0].get_ylim()[1]
    for _ in range(5):
        c.step()
    series = {w: c.timeseries(w) for w in ("a", "b")}
    days, reach = diff_views.difference_series(series, "reach")
    np.testing.assert_array_equal(days, np.arange(6))
    np.testing.assert_allclose(reach, 100 * (series["b"]["reach"] - series["a"]["reach"]))
    diff_plot.update(series)
    assert diff_plot.notes[0].get_text() == ""
    assert all("B − A (" in ax.get_ylabel() for ax in diff_plot.axes)
    assert diff_views.difference_unit("customers") == "pp"
    shares = diff_views.spread_shares(series["b"])
    np.testing.assert_allclose(sum(shares.values()), 100.0)
    assert spread.update(series).axes[0].collections  # the stacked areas are drawn
