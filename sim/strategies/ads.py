"""Paid mass media (ads): the non-word-of-mouth comparator."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.strategies.base import Strategy

if TYPE_CHECKING:
    from sim.model import WomModel


class AdsStrategy(Strategy):
    """Buy ``impressions_per_day`` impressions a day (while the budget lasts).

    Impressions fall on consumers uniformly at random; each makes an unaware consumer aware with
    probability ``effectiveness``, so the day's extra awareness probability is
    ``1 - exp(-effectiveness * impressions / n)``. Consumers reached by ads start with attitude
    ``tone``.
    """

    name = "ads"

    def __init__(self, cfg, budget: float = math.inf):
        super().__init__(cfg, budget)
        self.impressions = 0.0

    def brand_actions(self, model: WomModel) -> None:
        if not self.in_period(model.t):
            return
        cfg = self.cfg
        impressions = min(cfg.impressions_per_day, self.affordable(cfg.cost_per_impression))
        if impressions <= 0:
            return
        self.spend(impressions * cfg.cost_per_impression)
        self.impressions += impressions
        levers = model.levers
        levers.extra_awareness += -math.expm1(-cfg.effectiveness * impressions / model.graph.n)
        levers.ads_tone = cfg.tone

    def report(self) -> dict:
        return {"ads_impressions": self.impressions}
