"""The dashboard's controls (Solara components): the Run card (Step, Play, Run to end,
Reset), the world's and each scenario's controls, "Load a plan" and "Run N seeds".

A number typed into a field is checked when it is entered (Enter or leaving the field); a
refused value stays in the field, with its error right below it (:mod:`sim.app.edits`), until
the field holds a value the control takes. Sliders and selects are Mesa's ``UserInputs``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import solara
from mesa.visualization.solara_viz import UserInputs

from sim.app.controls import GRAPH_KINDS, STRATEGY_NAMES, Scenario, World
from sim.app.driver import Frame
from sim.app.edits import Edits
from sim.app.legends import slider_label
from sim.app.panels import NOTE, SCENARIO_TITLES, STRATEGY_LABELS
from sim.strategies import PLUGINS
from sim.strategies.base import Knob

SIZES = [500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000]
Change = Callable[[str, Any, bool], None]  # (control, value, typed)


@solara.component
def NumberField(which: str, name: str, label: str, value: Any, edits: Edits,
                on_change: Change, optional: bool = False) -> None:
    """A typed number; a refused entry is kept, with its error right below the field."""
    error = edits.error(which, name)
    solara.InputText(label, value=edits.text(which, name, value),
                     on_value=lambda text: on_change(name, text, True), error=bool(error),
                     classes=[f"womsim-field-{which}-{name}"] + (
                         [f"womsim-budget-{which}"] if name == "budget" else []),
                     placeholder="empty: no limit" if optional else None)
    if error:
        solara.Error(error, dense=True, icon=False,
                     classes=["womsim-field-error", f"womsim-error-{which}-{name}"])


@solara.component
def RunCard(frame: Frame, days_per_step: solara.Reactive, play_interval: solara.Reactive,
            on: dict[str, Callable[[], None]], updating: bool) -> None:
    """The day reached, Step / Play / Run to end / Reset and the pace of Play."""
    with solara.Card("Run", margin=0, classes=["womsim-run"]):
        with solara.Row(style={"align-items": "baseline", "flex-wrap": "wrap"}):
            solara.Text(f"Day {frame.day} of {frame.horizon}", classes=["womsim-day"])
            if frame.queued:
                solara.Text(f"→ day {frame.target} queued", classes=["womsim-queued"],
                            style={"font-size": "0.85rem", "color": "#1f77b4"})
        with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
            solara.Button("Reset", color="primary", on_click=on["reset"], dense=True,
                          classes=["womsim-reset"])
            solara.Button("❚❚ Pause" if frame.playing else "▶ Play", color="primary",
                          dense=True, on_click=on["play"], classes=["womsim-play"],
                          disabled=not frame.playing and not frame.can_step)
            solara.Button("Step", color="primary", dense=True, on_click=on["step"],
                          disabled=frame.playing or not frame.can_step,
                          classes=["womsim-step"])
            solara.Button("Run to end", color="primary", dense=True, outlined=True,
                          on_click=on["end"], disabled=frame.playing or not frame.can_step,
                          classes=["womsim-run-to-end"])
        solara.SliderInt(f"Days per step {days_per_step.value}", value=days_per_step, min=1,
                         max=30)
        solara.SliderInt(f"Play: a frame every {play_interval.value} ms", value=play_interval,
                         min=50, max=2000, step=50)
        if updating or frame.held:
            solara.Text("Updating the scenarios… Steps are queued and run on the new ones.",
                        classes=["womsim-updating"],
                        style={"font-size": "0.8rem", "color": "#1f77b4"})
        elif frame.day >= frame.horizon:
            solara.Text("At the horizon: raise it to run on, or Reset.",
                        classes=["womsim-at-end"], style=NOTE)
        else:
            solara.Text("A changed control re-runs both scenarios to the current day; Play "
                        "redraws the network view about once a second.", style=NOTE)


@solara.component
def WorldControls(world: World, edits: Edits, error: str | None, on_change: Change) -> None:
    """Graph kind and size, seed and horizon: shared by both scenarios."""
    sizes = SIZES if world.n in SIZES else sorted([*SIZES, world.n])
    with solara.Card("Both scenarios", margin=0, classes=["womsim-world"]):
        UserInputs({
            "graph": {"type": "Select", "label": "Graph kind", "value": world.graph,
                      "values": list(GRAPH_KINDS)},
            "n": {"type": "Select", "label": "Consumers", "value": world.n, "values": sizes},
        }, on_change=lambda name, value: on_change(name, value, False))
        for name in ("graph", "n"):
            if edits.error("world", name):
                solara.Error(edits.error("world", name), dense=True, icon=False,
                             classes=["womsim-field-error", f"womsim-error-world-{name}"])
        NumberField("world", "seed", "Seed", world.seed, edits, on_change)
        NumberField("world", "steps", "Horizon (days)", world.steps, edits, on_change)
        if error:
            solara.Error(error, dense=True, icon=False, classes=["womsim-error",
                                                                 "womsim-error-world"])


def knob_input(knob: Knob, value: Any, scenario: Scenario | None = None) -> dict[str, Any]:
    """Mesa's ``UserInputs`` entry of a strategy's control: a slider showing its value (and
    unit), or a select of its choices."""
    if knob.kind == "choice":
        return {"type": "Select", "label": knob.label, "value": value,
                "values": list(knob.choices)}
    unit = getattr(scenario, knob.unit) if knob.unit and scenario is not None else None
    lo, hi, step = knob.slider_for(unit)
    slider = "SliderInt" if knob.kind == "int" else "SliderFloat"
    return {"type": slider, "label": slider_label(knob, scenario, value), "value": value,
            "min": lo, "max": max(hi, value), "step": step}


@solara.component
def ScenarioControls(which: str, scenario: Scenario, edits: Edits, error: str | None,
                     on_change: Change) -> None:
    """One scenario's controls; a strategy's parameters show while it is selected. A build
    error of the scenario shows at the top of its card."""
    s = scenario
    ui = lambda name, value: on_change(name, value, False)  # noqa: E731
    with solara.Card(SCENARIO_TITLES[which], margin=0, classes=[f"womsim-scenario-{which}"]):
        if error:
            solara.Error(error, dense=True, icon=False,
                         classes=["womsim-error", f"womsim-error-{which}"])
        NumberField(which, "budget", "Budget (empty: no limit)", s.budget, edits, on_change,
                    optional=True)
        UserInputs({
            "quality": {"type": "SliderFloat", "label": f"Product quality {s.quality:.2f}",
                        "value": s.quality, "min": 0.0, "max": 1.0, "step": 0.01},
            "negativity_bias": {"type": "SliderFloat",
                                "label": f"Negativity bias {s.negativity_bias:.1f}",
                                "value": s.negativity_bias, "min": 1.0, "max": 5.0,
                                "step": 0.1},
            "fatigue": {"type": "Select", "label": "Over-marketing fatigue", "value": s.fatigue,
                        "values": ["off", "on"]},
            "crisis_day": {"type": "SliderInt",
                           "label": f"Crisis on day {s.crisis_day or 'none'}",
                           "value": s.crisis_day, "min": 0, "max": 365, "step": 1},
        }, on_change=ui)
        solara.Text("Strategies", style={"font-size": "0.85rem", "color": "#555"})
        solara.ToggleButtonsMultiple(
            value=list(s.strategies), on_value=lambda v: ui("strategies", tuple(v)),
            children=[solara.Button(STRATEGY_LABELS[name], value=name,
                                    classes=[f"womsim-strategy-{which}-{name}"])
                      for name in STRATEGY_NAMES],
            dense=True, classes=[f"womsim-strategies-{which}"],
            style={"flex-wrap": "wrap"})
        for plugin in PLUGINS.values():  # each selected strategy's own controls
            if plugin.name in s.strategies and plugin.controls:
                UserInputs({knob.name: knob_input(knob, getattr(s, knob.name), s)
                            for knob in plugin.controls}, on_change=ui)


@solara.component
def PlanCard(text: solara.Reactive, note: str | None, error: str | None,
             on_load: Callable[[str], None]) -> None:
    """"Load a plan": a ``womsim`` command, a run directory or an optimiser study, into A
    or B."""
    with solara.Card("Load a plan", margin=0, classes=["womsim-plan"]):
        solara.InputText("womsim command, run directory or study directory", value=text,
                         continuous_update=True, error=bool(error),
                         classes=["womsim-plan-text"])
        if error:
            solara.Error(error, dense=True, icon=False, classes=["womsim-plan-error"])
        with solara.Row(style={"gap": "4px"}):
            for which in ("a", "b"):
                solara.Button(f"Load into {which.upper()}", dense=True, outlined=True,
                              on_click=lambda which=which: on_load(which),
                              disabled=not (text.value or "").strip(),
                              classes=[f"womsim-plan-load-{which}"])
        if note and not error:
            solara.Success(note, dense=True, icon=False, classes=["womsim-plan-note"])


@dataclass(frozen=True)
class SeedsState:
    """What "Run N seeds" keeps between renders: N as typed, its error, the task, which seed it
    is on, the last study and the error of the last try."""

    n: solara.Reactive
    n_error: solara.Reactive
    progress: solara.Reactive
    study: solara.Reactive
    run_error: solara.Reactive
    task: Any


@solara.component
def SeedsControls(seeds: SeedsState, on_n: Callable[[int | None], None],
                  on_run: Callable[[], None]) -> None:
    """N, the "Run N seeds" button and, while it runs, which seed it is on.

    The state is read here, not in the page, so that progress re-renders this card only."""
    n_seeds, error, run_error = seeds.n.value, seeds.n_error.value, seeds.run_error.value
    running = seeds.task.pending
    with solara.Card("Run N seeds", margin=0, classes=["womsim-seeds"]):
        solara.InputInt("Seeds to run", value=n_seeds if isinstance(n_seeds, int) else None,
                        optional=True, on_value=on_n, classes=["womsim-seeds-n"])
        if error:
            solara.Error(error, dense=True, classes=["womsim-seeds-n-error"])
        label = f"Run {n_seeds} seeds" if not error and isinstance(n_seeds, int) else "Run seeds"
        with solara.Row(style={"align-items": "center"}):
            solara.Button(label, on_click=on_run, disabled=bool(error) or running,
                          color="primary", classes=["womsim-seeds-run"])
            if running:
                k, total = seeds.progress.value
                solara.Text(f"seed {k} of {total}", classes=["womsim-seeds-progress"],
                            style={"font-size": "0.85rem", "color": "#1f77b4"})
        if running:
            k, total = seeds.progress.value
            solara.ProgressLinear(100 * (k - 1) / total)
        else:
            solara.Text("Runs A and B to the horizon on N seeds from the world's seed on, and "
                        "shows B − A with 95 % intervals.", style=NOTE)
        if run_error:
            solara.Error(run_error, dense=True, classes=["womsim-seeds-error"])
