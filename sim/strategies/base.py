"""The hook protocol every strategy implements, its budget, and what a strategy plugin declares.

A strategy acts in the brand phase of each day by setting :class:`~sim.rules.levers.Levers` or
changing consumer state directly (e.g. giving KOLs the product), and may react after other
phases (answer today's complaints, pay for today's shares and referred purchases). It draws only
from its own stream ``strategy.<name>``, so adding it shifts no other random number. It never
spends more than its budget.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from sim.vocabulary import Metric

if TYPE_CHECKING:
    from sim.config import Checker
    from sim.world import World

#: spending tolerance for floating-point sums
EPS = 1e-9


class Strategy:
    """Base class: every hook does nothing, so a subclass overrides only what it uses.

    Parameters
    ----------
    cfg : StrategyConfig
        The strategy's parameters (``strategy.<name>.*``).
    budget : float
        The most it may spend (``math.inf`` for no limit).

    Attributes
    ----------
    cost : float
        Money spent so far (never more than ``budget``).
    """

    name = "base"

    def __init__(self, cfg: Any, budget: float = math.inf):
        if budget < 0:
            raise ValueError(f"budget must be >= 0, got {budget}")
        self.cfg = cfg
        self.budget = float(budget)
        self.cost = 0.0
        self.rng: np.random.Generator | None = None

    # ------------------------------------------------------------------ budget
    @property
    def remaining(self) -> float:
        """Budget left (``inf`` when unlimited)."""
        return self.budget - self.cost

    def affordable(self, unit_cost: float) -> int | float:
        """How many units of ``unit_cost`` the remaining budget buys (``inf`` if free)."""
        if unit_cost <= 0 or math.isinf(self.remaining):
            return math.inf
        return math.floor((self.remaining + EPS) / unit_cost)

    def spend(self, amount: float) -> None:
        """Record spending; raises if it would exceed the budget (a bug in the strategy)."""
        if amount > self.remaining + EPS:
            raise RuntimeError(f"{self.name} would overspend: {amount} > {self.remaining}")
        self.cost += float(amount)

    def in_period(self, t: int) -> bool:
        """Whether day ``t`` is inside the strategy's [start, end] period."""
        end = getattr(self.cfg, "end", None)
        return t >= self.cfg.start and (end is None or t <= end)

    # ------------------------------------------------------------------- hooks
    def setup(self, model: World, rng: np.random.Generator) -> None:
        """Called once when the model is built, before step 0 is recorded."""
        self.rng = rng

    def brand_actions(self, model: World) -> None:
        """Phase 1: act on today's levers or state."""

    def after_experience(self, model: World) -> None:
        """After phase 2: ``model.day.complained`` (``complainers``) holds today's complaints."""

    def after_talk(self, model: World) -> None:
        """After phase 3: ``model.day.posted`` (``posters``) holds today's posts."""

    def after_adoption(self, model: World) -> None:
        """After phase 4: ``model.day.bought`` (``buyers``) holds today's purchases."""

    # ----------------------------------------------------------------- outputs
    def report(self) -> dict:
        """Figures for metrics.json; keys are prefixed by the caller only where they clash."""
        return {}

    def artifacts(self, model: World) -> dict[str, Any]:
        """Extra JSON files to write beside metrics.json, by file name."""
        return {}


@dataclass(frozen=True)
class Knob:
    """One dashboard control of a strategy, bound to a field of its config schema.

    The dashboard builds its scenario fields, their checks, the widgets and the overrides it
    writes from these declarations, so a strategy's controls live in its own module. The
    control's default is the schema's.

    Attributes
    ----------
    name : str
        The control's field in the dashboard's scenario (``Scenario(<name>=...)``); unique over
        all strategies, so it usually starts with the strategy's name (``kol_k``).
    key : str
        The schema field it sets: ``strategy.<plugin>.<key>``.
    label : str
        Its name on the page and in error messages.
    kind : {"int", "float", "choice"}
        What it holds; a slider for numbers, a select for choices.
    lo, hi : float or None
        Inclusive bounds the control accepts (``None``: unbounded on that side).
    choices : tuple of str
        The allowed values of a ``choice``.
    slider : tuple of (min, max, step)
        The slider's range on the page (narrower than ``lo``-``hi``: typed values are allowed
        up to ``hi``).
    fmt : str
        Format spec of the value shown after the label on a slider.
    omit_zero : bool
        Leave the override out of the command while the value is 0 (a control added later,
        so that earlier commands read the same).
    unit : str
        The name of the strategy's ``choice`` control that holds this number's unit (its value
        is shown with it: "Response delay 2 days"); empty: the number has a fixed unit.
    unit_sliders : tuple of (unit, (min, max, step))
        The slider's range for each value of ``unit`` (``slider`` where none is given).
    """

    name: str
    key: str
    label: str
    kind: Literal["int", "float", "choice"]
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    slider: tuple[float, float, float] = (0, 1, 1)
    fmt: str = "g"
    omit_zero: bool = False
    unit: str = ""
    unit_sliders: tuple[tuple[str, tuple[float, float, float]], ...] = ()

    def slider_for(self, unit: str | None = None) -> tuple[float, float, float]:
        """The slider's (min, max, step) while the number is in ``unit``."""
        return dict(self.unit_sliders).get(unit, self.slider) if unit else self.slider


@dataclass(frozen=True)
class StrategyPlugin:
    """Everything the rest of womsim needs to know of one strategy, declared in its module.

    Attributes
    ----------
    name : str
        Its name in ``strategy=...`` and the ``strategy.<name>`` config key.
    schema : type
        Its config dataclass (a :class:`~sim.config.StrategyConfig`); Hydra's schema for
        ``strategy.<name>``.
    strategy : type[Strategy]
        Its hooks, built as ``strategy(cfg, budget)``.
    validate : callable
        ``validate(check)``: value checks of ``strategy.<name>`` beyond the shared fields (a
        :class:`~sim.config.Checker` over the whole run's config).
    summary : str
        One sentence for strategists: its row in docs/strategies.md.
    metrics : tuple of Metric
        The catalog's entries (label, unit, direction, format) of the figures its ``report()``
        puts in metrics.json; :mod:`sim.catalog` adds them to the one table every reader uses.
    label : str
        Its short name on the dashboard's buttons and cards (default: ``name``).
    controls : tuple of Knob
        Its dashboard controls, shown while it is selected, in display order.
    """

    name: str
    schema: type
    strategy: type[Strategy]
    validate: Callable[[Checker], None]
    summary: str
    metrics: tuple[Metric, ...] = ()
    label: str = ""
    controls: tuple[Knob, ...] = ()

    @property
    def title(self) -> str:
        """Its label, or its name when it declares none."""
        return self.label or self.name
