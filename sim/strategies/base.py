"""The hook protocol every strategy implements, and its budget.

A strategy acts in the brand phase of each day by setting :class:`~sim.rules.levers.Levers` or
changing consumer state directly (e.g. giving KOLs the product), and may react after other
phases (answer today's complaints, pay for today's shares and referred purchases). It draws only
from its own stream ``strategy.<name>``, so adding it shifts no other random number. It never
spends more than its budget.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.model import WomModel

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
    def setup(self, model: WomModel, rng: np.random.Generator) -> None:
        """Called once when the model is built, before step 0 is recorded."""
        self.rng = rng

    def brand_actions(self, model: WomModel) -> None:
        """Phase 1: act on today's levers or state."""

    def after_experience(self, model: WomModel) -> None:
        """After phase 2: ``model.day.complained`` (``complainers``) holds today's complaints."""

    def after_talk(self, model: WomModel) -> None:
        """After phase 3: ``model.day.posted`` (``posters``) holds today's posts."""

    def after_adoption(self, model: WomModel) -> None:
        """After phase 4: ``model.day.bought`` (``buyers``) holds today's purchases."""

    # ----------------------------------------------------------------- outputs
    def report(self) -> dict:
        """Figures for metrics.json; keys are prefixed by the caller only where they clash."""
        return {}

    def artifacts(self, model: WomModel) -> dict[str, Any]:
        """Extra JSON files to write beside metrics.json, by file name."""
        return {}
