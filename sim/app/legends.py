"""Words for the dashboard's charts and controls: legends that name the settings in which A
and B differ, and control labels with their units (plain Python, no UI).

Everything is derived from the :class:`~sim.app.controls.Scenario` fields and the controls the
strategy plugins declare (:data:`sim.app.controls.KNOBS`), so a new strategy's settings are
named without changing this module. A numeric control whose plugin also declares a choice
control named by its ``Knob.unit`` (fast responses: *Response delay* and *Response delay
unit*) is shown with that unit (``response delay 2 days``).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from sim.app.controls import KNOBS, SCENARIO_CONTROLS, Scenario
from sim.strategies import PLUGINS
from sim.strategies.base import Knob

#: longest legend label before it is cut with "…"
MAX_LABEL = 70


def unit_knob(knob: Knob) -> Knob | None:
    """The choice control giving ``knob``'s unit (its plugin's ``Knob.unit``), if any."""
    if not knob.unit or knob.unit not in KNOBS:
        return None
    return KNOBS[knob.unit][1]


def _unit(name: str, value: float) -> str:
    """A unit name, singular for exactly 1 (``1 hour``, ``2 hours``)."""
    return name[:-1] if value == 1 and name.endswith("s") else name


def knob_value(knob: Knob, scenario: Scenario) -> str:
    """A strategy control's value as shown after its label, with its unit if it has one."""
    value = getattr(scenario, knob.name)
    if knob.kind == "choice":
        return str(value)
    text = f"{value:{knob.fmt}}"
    unit = unit_knob(knob)
    return f"{text} {_unit(getattr(scenario, unit.name), value)}" if unit else text


def _base_label(name: str) -> str:
    label = KNOBS[name][1].label if name in KNOBS else SCENARIO_CONTROLS[name].label
    return label.split(" (")[0]


def setting_text(scenario: Scenario, name: str) -> str:
    """One setting in a few words, e.g. ``quality 0.8``, ``no budget limit``,
    ``response delay 1 hour``."""
    if name in KNOBS:
        knob = KNOBS[name][1]
        return f"{knob.label.lower()} {knob_value(knob, scenario)}"
    label = _base_label(name).lower()
    value = getattr(scenario, name)
    control = SCENARIO_CONTROLS[name]
    if control.kind == "optional_float" and value is None:
        return f"no {label} limit"
    if isinstance(value, float):
        return f"{label} {value:,.6g}"
    return f"{label} {value}"


def differing_settings(a: Scenario, b: Scenario) -> list[str]:
    """The settings (scenario fields) that differ between A and B and matter to both: the
    model's and the budget always, a strategy's only while both run it; a unit differing
    names its number. ``strategies`` is left out (legends name them anyway)."""
    out: list[str] = []
    for f in fields(Scenario):
        name = f.name
        if name == "strategies" or getattr(a, name) == getattr(b, name):
            continue
        if name in KNOBS:
            plugin, knob = KNOBS[name]
            if plugin not in a.strategies or plugin not in b.strategies:
                continue
            if knob.kind == "choice":  # a unit: name the number it belongs to instead
                number = next((k for k in PLUGINS[plugin].controls if k.unit == knob.name),
                              None)
                if number is not None:
                    name = number.name
        if name not in out:
            out.append(name)
    return out


def strategies_text(scenario: Scenario) -> str:
    """The scenario's strategies by title (``no strategy`` without)."""
    return ", ".join(PLUGINS[s].title for s in scenario.strategies) or "no strategy"


def scenario_labels(a: Scenario, b: Scenario, *, limit: int = MAX_LABEL) -> dict[str, str]:
    """Legend labels of A and B: their strategies and the settings in which they differ,
    e.g. ``A: Fast response, response delay 2 days`` and ``B: Fast response, response delay
    1 hour``; ``B: same as A`` when nothing differs."""
    differ = differing_settings(a, b)
    out = {}
    for which, s in (("a", a), ("b", b)):
        words = [strategies_text(s), *(setting_text(s, name) for name in differ)]
        text = f"{which.upper()}: " + ", ".join(words)
        out[which] = text if len(text) <= limit else text[:limit - 1].rstrip(", ") + "…"
    if a == b:
        out["b"] = "B: same as A"
    return out


def slider_label(knob: Knob, scenario: Scenario | None = None, value: Any = None) -> str:
    """A strategy control's slider label: its label, value and unit (``Response delay 2
    days``)."""
    if scenario is None:
        return f"{knob.label} {value:{knob.fmt}}"
    return f"{knob.label} {knob_value(knob, scenario)}"
