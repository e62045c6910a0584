"""Paid mass media (ads): the non-word-of-mouth comparator."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.config import Checker, StrategyConfig
from sim.config.checks import MAX_AMOUNT
from sim.strategies.base import Knob, Strategy, StrategyPlugin
from sim.vocabulary import Metric

if TYPE_CHECKING:
    from sim.world import World


@dataclass
class AdsConfig(StrategyConfig):
    """Paid mass media: impressions bought daily, each may make an unaware consumer aware."""

    end: int | None = None
    impressions_per_day: float = 5000.0
    cost_per_impression: float = 0.01
    effectiveness: float = 0.005
    tone: float = 0.2
    on_share: float = 1.0


def validate_ads(check: Checker) -> None:
    """Check ``strategy.ads``."""
    check.within("strategy.ads.impressions_per_day", 0.0, MAX_AMOUNT)
    check.price("strategy.ads.cost_per_impression")
    check.prob("strategy.ads.effectiveness")
    check.within("strategy.ads.tone", -1.0, 1.0)
    check.prob("strategy.ads.on_share")


class AdsStrategy(Strategy):
    """Buy ``impressions_per_day`` impressions a day (while the budget lasts).

    Impressions fall on consumers uniformly at random; each makes an unaware consumer aware with
    probability ``effectiveness``, so the day's extra awareness probability is
    ``1 - exp(-effectiveness * impressions / n)``. Consumers reached by ads start with attitude
    ``tone``. With ``on_share`` below 1 the campaign is flighted: each day of its period it runs
    with probability ``on_share`` (a draw from the strategy's own stream), so the schedule varies
    from day to day as a media plan's bursts do; 1 (the default) runs every day and draws
    nothing.
    """

    name = "ads"

    def __init__(self, cfg, budget: float = math.inf):
        super().__init__(cfg, budget)
        self.impressions = 0.0

    def brand_actions(self, model: World) -> None:
        if not self.in_period(model.t):
            return
        cfg = self.cfg
        if cfg.on_share < 1.0 and self.rng.random() >= cfg.on_share:
            return  # a day off the flighting schedule
        impressions = min(cfg.impressions_per_day, self.affordable(cfg.cost_per_impression))
        if impressions <= 0:
            return
        self.spend(impressions * cfg.cost_per_impression)
        self.impressions += impressions
        levers = model.levers
        levers.extra_awareness += -math.expm1(-cfg.effectiveness * impressions / model.graph.n)
        levers.ads_tone = cfg.tone
        model.fatigue.expose_everyone(impressions / model.graph.n)  # over-marketing fatigue

    def report(self) -> dict:
        return {"ads_impressions": self.impressions}


#: the dashboard's controls of the strategy, in display order
CONTROLS = (
    Knob("ads_impressions", "impressions_per_day", "Ad impressions per day", "float", 0.0,
         1e12, slider=(0, 100_000, 1000), fmt=",.0f"),
)

PLUGIN = StrategyPlugin(
    label="Ads", controls=CONTROLS,
    name="ads", schema=AdsConfig, strategy=AdsStrategy, validate=validate_ads,
    summary="Paid mass media, the non-word-of-mouth comparator: impressions bought every day "
            "make unaware consumers aware with a given tone.",
    metrics=(
        Metric("ads_impressions", "ad impressions", "", "bought over the run", None, "count",
               strategy="ads"),
    ))
