"""The hook protocol every strategy implements.

A strategy acts in the brand phase of each day by setting :class:`~sim.rules.levers.Levers` or
changing consumer state directly (e.g. giving KOLs the product), and may react after the other
phases (answer today's complaints, pay referral rewards for today's purchases). It draws only from
its own stream, so adding it shifts no other random number. It keeps its own spending in ``cost``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model import WomModel


class Strategy:
    """Base class: every hook does nothing, so a subclass overrides only what it uses.

    Attributes
    ----------
    name : str
        Registry name; the strategy's random stream is ``strategy.<name>``.
    cost : float
        Money spent so far.
    """

    name = "base"

    def __init__(self) -> None:
        self.cost = 0.0
        self.rng: np.random.Generator | None = None

    def setup(self, model: WomModel, rng: np.random.Generator) -> None:
        """Called once when the model is built, before step 0 is recorded."""
        self.rng = rng

    def brand_actions(self, model: WomModel) -> None:
        """Phase 1: act on today's levers or state."""

    def after_experience(self, model: WomModel) -> None:
        """After phase 2: ``model.day.complained`` holds today's complaints."""

    def after_adoption(self, model: WomModel) -> None:
        """After phase 4: ``model.day.bought`` holds today's purchases."""

    def report(self) -> dict:
        """Figures for metrics.json (at least the cost)."""
        return {"cost": self.cost}
