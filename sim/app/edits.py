"""Edits of the dashboard's controls, in plain Python: what was typed, whether the control
takes it, and where an error belongs.

An :class:`Edits` keeps, per field (``("world" | "a" | "b", control name)``), the text typed
into it while the control refuses it and the one-line error, so that the page shows the text
and the error beside the field; a value the control takes clears both. :func:`edit` applies
one change to the controls shown (a dict ``{"world": World, "a": Scenario, "b": Scenario}``);
:func:`error_scenario` tells which card an error raised when the scenarios are built belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sim.app.controls import SCENARIO_CONTROLS, WORLD_CONTROLS, ControlError

Field = tuple[str, str]

def controls_of(which: str) -> dict:
    """The controls of ``"world"`` or of a scenario (``"a"``, ``"b"``)."""
    if which == "world":
        return WORLD_CONTROLS
    if which in ("a", "b"):
        return SCENARIO_CONTROLS
    raise ValueError(f"which={which!r}: use 'world', 'a' or 'b'")


def parse_typed(which: str, name: str, text: str | None) -> Any:
    """The value of control ``name`` typed as ``text``, checked by the control.

    An empty field is ``None`` for a control that may be empty (the budget: no limit).

    Raises
    ------
    ControlError
        Naming the control, the text and what is allowed.
    """
    control = controls_of(which)[name]
    text = "" if text is None else str(text).strip()
    if control.kind not in ("int", "float", "optional_float"):
        raise ValueError(f"{name} is not a number control")
    if not text and control.kind == "optional_float":
        return None
    try:
        value: Any = int(text) if control.kind == "int" else float(text)
    except ValueError:
        value = text  # refused by the check below, with the control's own message
    return control.check(name, value)


@dataclass(frozen=True)
class Edits:
    """Per field: the text typed while it is refused, and its error."""

    typed: dict[Field, str] = field(default_factory=dict)
    errors: dict[Field, str] = field(default_factory=dict)

    def error(self, which: str, name: str) -> str | None:
        """The error of a field (``None``: none)."""
        return self.errors.get((which, name))

    def text(self, which: str, name: str, value: Any) -> str:
        """What a number field shows: the refused text, else ``value`` ("" for ``None``)."""
        if (which, name) in self.typed:
            return self.typed[which, name]
        if value is None:
            return ""
        return f"{value:g}" if isinstance(value, float) else str(value)

    def refused(self, which: str, name: str, text: str, error: str) -> Edits:
        """These edits with ``text`` and its ``error`` kept for the field."""
        return Edits({**self.typed, (which, name): text}, {**self.errors, (which, name): error})

    def cleared(self, *fields: Field) -> Edits:
        """These edits without the text and errors of ``fields``."""
        return Edits({k: v for k, v in self.typed.items() if k not in fields},
                     {k: v for k, v in self.errors.items() if k not in fields})

    def cleared_scenario(self, *which: str) -> Edits:
        """These edits without any kept for the given ``"world"``/``"a"``/``"b"``."""
        return self.cleared(*[k for k in {*self.typed, *self.errors} if k[0] in which])


def edit(shown: dict[str, Any], edits: Edits, which: str, name: str, value: Any, *,
         typed: bool = False) -> tuple[dict[str, Any], Edits]:
    """Apply one change of control ``name`` of ``which`` to the controls ``shown``.

    ``value`` is the widget's value, or with ``typed=True`` the text typed (parsed by
    :func:`parse_typed`). A refused change leaves ``shown`` as it is and keeps the text and
    the error for the field; an accepted one clears the field's. Returns the controls to show
    and the edits.
    """
    text = "" if value is None else str(value)
    try:
        if typed:
            value = parse_typed(which, name, value)
        updated = replace(shown[which], **{name: value})
    except ControlError as err:
        return shown, edits.refused(which, name, text, str(err))
    return {**shown, which: updated}, edits.cleared((which, name))


def error_scenario(message: str) -> str:
    """Where a build error belongs: ``"a"`` or ``"b"`` when it names the scenario, else
    ``"world"``."""
    for which in ("a", "b"):
        if message.startswith(f"Scenario {which.upper()}"):
            return which
    return "world"
