"""The what-if dashboard page: Solara, with Mesa's ``UserInputs`` for sliders and selects.

Serve it with ``womsim-app`` (127.0.0.1, offline) or ``solara run sim/app/page.py``.

The page compares two scenarios of one world. Its left column holds the controls (the Run
card, A's and B's controls side by side, the world, "Load a plan", "Run N seeds"), its right
column the results (five KPI cards, the charts, money and strategy figures, the commands).
A :class:`~sim.app.driver.Driver` steps the :class:`~sim.app.state.Comparison` in the
background (Step, Play, Run to end, Reset), holding while a control change rebuilds the
scenarios so that Steps clicked meanwhile run on the new ones. Edits are checked by
:mod:`sim.app.edits`, plans are read by :mod:`sim.app.plans`, views are :mod:`sim.app.panels`
and controls :mod:`sim.app.inputs`; the first build (in the background, behind a banner, when
numba's cache lacks the kernels) is :mod:`sim.app.warmup`; this module wires them together.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import solara
import solara.server.settings

# Mesa's ComponentsView (not used here) trips solara's hook linter when imported: not our code
warnings.filterwarnings("ignore", message=".*ComponentsView: `use_state` found despite early",
                        category=UserWarning)
# served on 127.0.0.1 over http, solara falls back to a samesite=lax cookie: fine, not embedded
warnings.filterwarnings("ignore", message="Cookies with samesite=none require https",
                        category=UserWarning)

from sim.app import panels  # noqa: E402
from sim.app.controls import ControlError, Scenario, World  # noqa: E402
from sim.app.driver import Driver, Frame, Redraw  # noqa: E402
from sim.app.edits import Edits, edit, error_scenario  # noqa: E402
from sim.app.inputs import (  # noqa: E402
    PlanCard,
    RunCard,
    ScenarioControls,
    SeedsControls,
    SeedsState,
    WorldControls,
    knob_input,
)
from sim.app.offline import apply_offline_settings  # noqa: E402
from sim.app.seeds import DEFAULT_SEEDS, check_seeds, run_seeds  # noqa: E402
from sim.app.state import Comparison  # noqa: E402
from sim.app.tables import (  # noqa: E402  (the tables, as the page shows them)
    money_table_html,
    seeds_table_html,
    strategy_table_html,
)
from sim.app.warmup import CompilingBanner, compile_kernels, use_first_build  # noqa: E402

apply_offline_settings()
#: the browser tab's title: the page sets it, and the server's first HTML says it too
PAGE_TITLE = "womsim"
solara.server.settings.theme.title = PAGE_TITLE

#: what the page opens with: the plan now (no strategy) against seeding 10 KOLs
DEFAULT_WORLD = World()
DEFAULT_A = Scenario()
DEFAULT_B = Scenario(strategies=("kol",))
#: seconds a control must rest before the scenarios are rebuilt (sliders send many values)
REBUILD_DELAY = 0.25
#: seconds "Run N seeds" pauses after each progress update, so that the page shows it
SEED_PAUSE = 0.05
#: while playing: seconds between redraws of the charts and of the network view
CHART_EVERY, NETWORK_EVERY = 0.0, 1.0

__all__ = ["DEFAULT_A", "DEFAULT_B", "DEFAULT_WORLD", "PAGE_TITLE", "Dashboard", "Page",
           "knob_input", "money_table_html", "seeds_table_html", "strategy_table_html"]

CSS = """
.womsim-figure img { max-width: 100%; height: auto; }
.womsim-kpis { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 6px; }
.womsim-kpi { padding: 4px 8px !important; }
.womsim-kpi-label { font-size: 0.78rem; color: #555; display: block; }
.womsim-kpi-delta { font-size: 1.35rem; font-weight: 600; display: block; line-height: 1.3; }
.womsim-kpi-values { font-size: 0.78rem; display: block; }
.womsim-command { white-space: pre-wrap; word-break: break-all; font-size: 0.8rem;
                  background: #f5f5f5; padding: 6px; border-radius: 4px; }
.womsim-day { font-size: 1.1rem; font-weight: 600; }
.womsim-seeds-table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
.womsim-seeds-table th, .womsim-seeds-table td { padding: 3px 6px; text-align: right;
                                                 border-bottom: 1px solid #e0e0e0; }
.womsim-seeds-table th:first-child, .womsim-seeds-table td:first-child { text-align: left; }
.womsim-seeds-table td.womsim-seeds-mean { font-weight: 600; }
.womsim-money-table, .womsim-strategy-table { border-collapse: collapse; width: 100%;
                                              font-size: 0.85rem; }
.womsim-money-table th, .womsim-money-table td, .womsim-strategy-table td {
    padding: 3px 6px; text-align: right; border-bottom: 1px solid #e0e0e0; }
.womsim-money-table th:first-child, .womsim-money-table td:first-child,
.womsim-strategy-table td:first-child { text-align: left; }
.womsim-money-table td[title], .womsim-strategy-table td[title] { cursor: help; }
.womsim-spend { min-width: 220px; flex: 1 1 220px; padding: 4px 8px !important; }
.womsim-spend-total { font-size: 1.1rem; font-weight: 600; display: block; }
.womsim-strategy-card { min-width: 220px; flex: 1 1 220px; }
.womsim-note { font-size: 0.8rem; color: #555; }
.womsim-layout { display: grid; grid-template-columns: minmax(460px, 40%) minmax(0, 1fr);
                 gap: 10px; align-items: start; }
.womsim-pair { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
               gap: 6px; align-items: start; }
.womsim-field-error { margin: -4px 0 6px 0 !important; font-size: 0.8rem; }
.womsim-layout .v-card__title { font-size: 1rem; padding: 8px 10px; }
"""


def _start_driver(driver: Driver) -> None:
    driver.loop()


def _first_comparison() -> Comparison:
    return Comparison(DEFAULT_WORLD, DEFAULT_A, DEFAULT_B)


@solara.component
def Page() -> None:
    """The dashboard page: its title and app bar, then the :func:`Dashboard` on the default
    scenarios. When numba's cache lacks the kernels (the first start after install or
    upgrade), the kernels are compiled and the first scenarios built in the background while
    the page says so (:mod:`sim.app.warmup`); on a warm cache they are built at once, in the
    first render."""
    solara.Title(PAGE_TITLE)
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle("womsim — what if?")
    first = use_first_build(_first_comparison, prepare=compile_kernels)
    if first.value is None:
        CompilingBanner(first.error)
    else:
        Dashboard(first.value)


@solara.component
def Dashboard(first: Comparison) -> None:
    """The dashboard on ``first``: controls on the left, results on the right.

    A control change is a *request* (the controls show it at once, a refused value stays in
    its field with its error); the driver holds, a background task waits a moment (a dragged
    slider sends many values), rebuilds both scenarios with the latest request, runs them to
    the day asked for (Steps clicked meanwhile included) and swaps them in. Only controls that
    built are kept for Reset; a rejected build shows its error in the card of the scenario it
    names and leaves the running comparison alone.
    """
    driver = solara.use_memo(lambda: Driver(first, lambda _: None, redraw=Redraw(
        CHART_EVERY, NETWORK_EVERY)), [])
    frame = solara.use_reactive(solara.use_memo(driver.frame, [driver]))  # a stable start
    driver.on_frame = frame.set
    solara.lab.use_task(lambda: _start_driver(driver), dependencies=[driver],
                        prefer_threaded=True)
    solara.use_effect(lambda: driver.close, [])
    applied = solara.use_reactive(first.controls())  # what Reset rebuilds from
    shown = solara.use_reactive(first.controls())  # what the controls show
    edits = solara.use_reactive(Edits())
    request = solara.use_reactive(None)  # (controls, number) to build, or None
    build_error = solara.use_reactive(None)
    play_interval = solara.use_reactive(250)
    days_per_step = solara.use_reactive(1)
    plan_text = solara.use_reactive("")
    plan_note = solara.use_reactive(None)
    plan_error = solara.use_reactive(None)
    n_seeds = solara.use_reactive(DEFAULT_SEEDS)  # what the field holds, checked or not
    seeds_error = solara.use_reactive(None)
    seeds_progress = solara.use_reactive((1, DEFAULT_SEEDS))  # (k, N) while a study runs
    study = solara.use_reactive(None)  # the last SeedStudy
    study_error = solara.use_reactive(None)
    driver.set_pace(play_interval.value, days_per_step.value)

    def rebuild() -> None:
        if request.value is None:
            return
        wanted, _ = request.value
        time.sleep(REBUILD_DELAY)
        if not task.is_current():
            return
        try:
            new = Comparison(**wanted)
        except ControlError as err:
            if task.is_current():
                build_error.set(str(err))
                driver.release()
            return
        while new.day < min(driver.target, new.world.steps):  # Steps queued meanwhile too
            if not task.is_current():
                return
            new.step()
        if task.is_current():
            build_error.set(None)
            applied.set(new.controls())
            driver.swap(new)

    task = solara.lab.use_task(rebuild, dependencies=[request.value], prefer_threaded=True)

    def ask(wanted: dict[str, Any]) -> None:
        shown.set(wanted)
        build_error.set(None)
        driver.hold()
        number = request.value[1] + 1 if request.value else 1
        request.set((wanted, number))

    def change(which: str, name: str, value: Any, typed: bool) -> None:
        wanted, new_edits = edit(shown.value, edits.value, which, name, value, typed=typed)
        edits.set(new_edits)
        if wanted[which] != shown.value[which]:
            ask(wanted)

    def reset() -> None:
        driver.rewind()
        shown.set(applied.value)
        edits.set(Edits())
        build_error.set(None)
        request.set((applied.value, (request.value[1] + 1) if request.value else 1))

    def load_plan(which: str) -> None:
        from sim.app.plans import load_plan as read_plan  # the plan reader, loaded on use

        try:
            plan = read_plan(plan_text.value)
        except ControlError as err:
            plan_error.set(str(err))
            return
        plan_error.set(None)
        plan_note.set(f"Into {which.upper()}: {plan.note}")
        edits.set(edits.value.cleared_scenario("world", which))
        ask({**shown.value, "world": plan.world, which: plan.scenario})

    def on_seed(k: int, total: int) -> None:
        seeds_progress.set((k, total))
        time.sleep(SEED_PAUSE)  # lets the server send the progress before the runs go on

    def run_many() -> None:
        wanted = shown.value
        try:
            result = run_seeds(wanted["world"], wanted["a"], wanted["b"],
                               check_seeds(n_seeds.value), on_seed=on_seed,
                               keep_going=seeds_task.is_current)
        except ControlError as err:
            study_error.set(str(err))
            return
        if result is not None and seeds_task.is_current():
            study_error.set(None)
            study.set(result)

    seeds_task = solara.lab.use_task(run_many, dependencies=None, prefer_threaded=True)
    seeds = SeedsState(n=n_seeds, n_error=seeds_error, progress=seeds_progress, study=study,
                       run_error=study_error, task=seeds_task)

    def start_seeds() -> None:
        try:  # the first seed is shown as soon as the button is pressed
            seeds_progress.set((1, check_seeds(n_seeds.value)))
        except ControlError as err:
            seeds_error.set(str(err))
            return
        seeds_task()

    def set_n(value: int | None) -> None:
        n_seeds.set(value)
        try:
            check_seeds(value)
        except ControlError as err:
            seeds_error.set(str(err))
        else:
            seeds_error.set(None)

    f: Frame = frame.value
    errors = {"world": None, "a": None, "b": None}
    if build_error.value:
        errors[error_scenario(build_error.value)] = build_error.value
    buttons = {"reset": reset, "step": driver.step, "end": driver.run_to_end,
               "play": lambda: driver.play(not f.playing)}
    with solara.Div(classes=["womsim-layout"]):
        with solara.Column(style={"gap": "6px"}, classes=["womsim-controls"]):
            RunCard(f, days_per_step, play_interval, buttons, updating=task.pending)
            with solara.Div(classes=["womsim-pair"]):
                for which in ("a", "b"):
                    ScenarioControls(which, shown.value[which], edits.value, errors[which],
                                     on_change=lambda n, v, t, w=which: change(w, n, v, t))
            solara.Button("Copy A to B", outlined=True, dense=True,
                          classes=["womsim-copy-a-b"],
                          on_click=lambda: ask({**shown.value, "b": shown.value["a"]}))
            with solara.Div(classes=["womsim-pair"]):
                WorldControls(shown.value["world"], edits.value, errors["world"],
                              on_change=lambda n, v, t: change("world", n, v, t))
                PlanCard(plan_text, plan_note.value, plan_error.value, on_load=load_plan)
            SeedsControls(seeds, on_n=set_n, on_run=start_seeds)
        with solara.Column(style={"gap": "8px"}, classes=["womsim-results"]):
            panels.KpiCards(f)
            with solara.Div(classes=["womsim-pair"]):
                panels.TimeseriesView(f)
                panels.DifferenceView(f)
            with solara.Div(classes=["womsim-pair"]):
                panels.NetworkView(f)
                panels.ConversionsView(f)
            panels.MoneyView(f)
            panels.StrategyCards(f)
            panels.SeedResultsSlot(study, shown.value)
            panels.CommandsView(f.model)
