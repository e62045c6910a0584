"""What the dashboard's controls accept: each control's limits or choices, and the
:class:`World` and :class:`Scenario` they make up, checked on construction.

Invalid values raise :class:`ControlError` with a one-line message naming the control, the value
and what is allowed. Turning checked controls into configs and models is :mod:`sim.app.state`'s
part.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, field, fields, make_dataclass
from typing import Any, Literal

from sim.config import GRAPH_SCHEMAS, WomModelConfig
from sim.errors import UserError
from sim.strategies import PLUGINS
from sim.strategies.base import Knob

#: graph kinds offered by the dashboard (``graph=file`` needs a path: use the command line)
GRAPH_KINDS = tuple(kind for kind in GRAPH_SCHEMAS if kind != "file")
#: strategies, in the order of ``strategy=[...]``
STRATEGY_NAMES = tuple(PLUGINS)
#: the dashboard's size limits (the ``womsim`` command has none)
MAX_CONSUMERS = 200_000
MAX_COMPLETE = 3_000
#: the (sampled, compiled) betweenness selector takes ~3 s at 50,000 consumers, ~6 s at 100,000
MAX_BETWEENNESS = 50_000


class ControlError(UserError):
    """A dashboard control has a value the simulator does not allow; the message says which
    control, the value and what is allowed."""


@dataclass(frozen=True)
class Control:
    """What one control accepts.

    Attributes
    ----------
    label : str
        The control's name on the page (used in error messages).
    kind : {"int", "float", "choice", "multi", "optional_float", "shares"}
        ``multi``: a subset of ``choices``; ``optional_float``: a number or ``None``;
        ``shares``: a share in [0, 1] for some of ``choices`` (a mapping or pairs), at most 1 in
        total.
    lo, hi : float or None
        Inclusive bounds of a number (``None``: unbounded on that side).
    choices : tuple of str
        Allowed values of a ``choice`` or ``multi`` control.
    """

    label: str
    kind: Literal["int", "float", "choice", "multi", "optional_float", "shares"]
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()

    def check(self, name: str, value: Any) -> Any:
        """Return ``value`` normalised (ints as int, floats as float, subsets as a tuple in
        ``choices`` order), or raise :class:`ControlError`."""
        if self.kind == "choice":
            if value not in self.choices:
                self._fail(name, value, "one of " + ", ".join(self.choices))
            return value
        if self.kind == "multi":
            if isinstance(value, str) or not _is_iterable(value):
                self._fail(name, value, "a list of " + ", ".join(self.choices))
            chosen = list(value)
            for item in chosen:
                if item not in self.choices:
                    self._fail(name, value, "a list of " + ", ".join(self.choices))
            return tuple(c for c in self.choices if c in chosen)
        if self.kind == "shares":
            return self._check_shares(name, value)
        if self.kind == "optional_float" and value is None:
            return None
        given = value
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                self._fail(name, value, "an integer " + self._range())
            value = int(value)
        else:
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(
                    value):
                extra = " or empty (no limit)" if self.kind == "optional_float" else ""
                self._fail(name, value, "a number " + self._range() + extra)
            value = float(value)
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            what = "an integer " if self.kind == "int" else "a number "
            extra = " or empty (no limit)" if self.kind == "optional_float" else ""
            self._fail(name, given, what + self._range() + extra)
        return value

    def _check_shares(self, name: str, value: Any) -> tuple[tuple[str, float], ...]:
        allowed = ("shares in [0, 1] of " + ", ".join(self.choices)
                   + ", at most 1 in total (e.g. {'kol': 0.6, 'rewards': 0.4})")
        if value is None:
            return ()
        if isinstance(value, str) or not _is_iterable(value):
            self._fail(name, value, allowed)
        try:
            pairs = list(value.items()) if hasattr(value, "items") else [tuple(p) for p in value]
        except TypeError:
            self._fail(name, value, allowed)
        given = {}
        for pair in pairs:
            if len(pair) != 2 or pair[0] not in self.choices or pair[0] in given:
                self._fail(name, value, allowed)
            share = pair[1]
            if (isinstance(share, bool) or not isinstance(share, numbers.Real)
                    or not math.isfinite(share) or not 0.0 <= share <= 1.0):
                self._fail(name, value, allowed)
            given[pair[0]] = float(share)
        if sum(given.values()) > 1.0 + 1e-9:
            self._fail(name, value, allowed)
        return tuple((c, given[c]) for c in self.choices if c in given)

    def _range(self) -> str:
        if self.lo is not None and self.hi is not None:
            return f"in [{hydra_number(self.lo)}, {hydra_number(self.hi)}]"
        if self.lo is not None:
            return f">= {hydra_number(self.lo)}"
        if self.hi is not None:
            return f"<= {hydra_number(self.hi)}"
        return ""

    def _fail(self, name: str, value: Any, allowed: str) -> None:
        raise ControlError(f"{self.label} ({name}) = {value!r} is invalid: allowed {allowed}")


def _is_iterable(value: Any) -> bool:
    try:
        iter(value)
    except TypeError:
        return False
    return True


#: the controls shared by both scenarios
WORLD_CONTROLS: dict[str, Control] = {
    "graph": Control("Graph kind", "choice", choices=GRAPH_KINDS),
    "n": Control("Consumers", "int", 10, MAX_CONSUMERS),
    "seed": Control("Seed", "int", 0, 2**31 - 1),
    "steps": Control("Horizon (days)", "int", 1, 3650),
}

#: each strategy's dashboard controls (declared by its plugin), by control name
KNOBS: dict[str, tuple[str, Knob]] = {
    knob.name: (plugin.name, knob) for plugin in PLUGINS.values() for knob in plugin.controls}


def _knob_control(knob: Knob) -> Control:
    return Control(knob.label, knob.kind, knob.lo, knob.hi, knob.choices)


#: the controls of one scenario: the model's, the strategies', each strategy's own, the budget
SCENARIO_CONTROLS: dict[str, Control] = {
    "quality": Control("Product quality", "float", 0.0, 1.0),
    "negativity_bias": Control("Negativity bias", "float", 1.0, 100.0),
    "fatigue": Control("Over-marketing fatigue", "choice", choices=("off", "on")),
    "crisis_day": Control("Crisis on day (0: none)", "int", 0, 3650),
    "strategies": Control("Strategies", "multi", choices=STRATEGY_NAMES),
    **{name: _knob_control(knob) for name, (_, knob) in KNOBS.items()},
    "budget": Control("Budget", "optional_float", 0.0, None),
    "budget_shares": Control("Budget split", "shares", choices=STRATEGY_NAMES),
}


@dataclass(frozen=True)
class World:
    """What both scenarios share: the graph (kind and number of consumers), the seed and the
    horizon in days. Values are checked on construction (:class:`ControlError`)."""

    graph: str = "ba"
    n: int = 2000
    seed: int = 0
    steps: int = 180

    def __post_init__(self) -> None:
        _check_fields(self, WORLD_CONTROLS)
        if self.graph == "complete" and self.n > MAX_COMPLETE:
            raise ControlError(f"Consumers (n) = {self.n} is invalid for a complete graph: allowed "
                               f"at most {MAX_COMPLETE} (every pair is a tie)")


_KNOB_TYPES = {"int": int, "float": float, "choice": str}


def _scenario_post_init(self: Any) -> None:
    _check_fields(self, SCENARIO_CONTROLS)


#: the dataclass fields of a scenario: the model's controls, the strategies, each plugin's
#: controls (defaults from its config schema) and the budget
_SCENARIO_FIELDS: list[tuple[str, type, Any]] = [
    ("quality", float, field(default=WomModelConfig.quality)),
    ("negativity_bias", float, field(default=WomModelConfig.negativity_bias)),
    ("fatigue", str, field(default="off")),
    ("crisis_day", int, field(default=0)),
    ("strategies", tuple, field(default=())),
    *[(name, _KNOB_TYPES[knob.kind], field(default=getattr(PLUGINS[plugin].schema, knob.key)))
      for name, (plugin, knob) in KNOBS.items()],
    ("budget", float | None, field(default=None)),
    ("budget_shares", tuple, field(default=())),
]

Scenario = make_dataclass("Scenario", _SCENARIO_FIELDS, frozen=True,
                          namespace={"__post_init__": _scenario_post_init})
Scenario.__module__ = __name__
Scenario.__doc__ = """One scenario's controls; a strategy's parameters matter only while it is
selected.

Its fields are the model's controls (``quality``, ``negativity_bias``, ``fatigue``,
``crisis_day``), ``strategies``, every control the strategy plugins declare
(:data:`KNOBS`, e.g. ``kol_k``), ``budget`` and ``budget_shares``: how the budget is split
between the strategies (``(("kol", 0.6), ("rewards", 0.4))``; a mapping is accepted; empty:
equal parts, as ``budget=`` alone gives). Defaults are the simulator's (its config
schemas); values are checked on construction (:class:`ControlError`). ``strategies`` is kept in
the order of :data:`STRATEGY_NAMES`.
"""


def _check_fields(obj: Any, controls: dict[str, Control]) -> None:
    for f in fields(obj):
        object.__setattr__(obj, f.name, controls[f.name].check(f.name, getattr(obj, f.name)))


def hydra_number(x: float | int) -> str:
    """A number as Hydra reads it back exactly (integral floats without ``.0``)."""
    if isinstance(x, numbers.Integral):
        return str(int(x))
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def check_responsive(world: World, scenario: Scenario, *, label: str = "") -> None:
    """Refuse combinations that would keep the dashboard busy for minutes (the ``womsim``
    command runs them): the betweenness KOL selector on more than :data:`MAX_BETWEENNESS`
    consumers."""
    if ("kol" in scenario.strategies and scenario.kol_selector == "betweenness"
            and world.n > MAX_BETWEENNESS):
        prefix = f"{label}: " if label else ""
        raise ControlError(
            f"{prefix}KOL selector (kol_selector) = 'betweenness' is invalid with {world.n:,} "
            f"consumers: allowed up to {MAX_BETWEENNESS:,} in the dashboard (it takes minutes "
            "beyond); pick another selector or run the womsim command")


def budget_overrides(scenario: Any) -> list[str]:
    """The overrides of a scenario's budget: ``budget=`` and, while it is set, the shares of the
    selected strategies (``+budget_shares.<name>=``), as the optimiser writes them."""
    if scenario.budget is None:
        return []
    out = [f"budget={hydra_number(scenario.budget)}"]
    out += [f"+budget_shares.{name}={hydra_number(share)}"
            for name, share in scenario.budget_shares if name in scenario.strategies]
    return out


def controls_dict(value: World | Scenario) -> dict[str, Any]:
    """A world's or scenario's controls as a plain dict (``World(**d)`` / ``Scenario(**d)``
    rebuild it)."""
    return asdict(value)
