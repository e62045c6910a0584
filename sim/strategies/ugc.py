"""User-generated content contests and public recognition of their winners."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.config import Checker, StrategyConfig
from sim.population import ORGANIC, SOURCE_CODES
from sim.rules.fatigue import NUDGE
from sim.strategies.base import EPS, Knob, Strategy, StrategyPlugin
from sim.vocabulary import Metric

if TYPE_CHECKING:
    from sim.world import World

_FROM_UGC = SOURCE_CODES["from_ugc"]


@dataclass
class UgcConfig(StrategyConfig):
    """A contest for customers' posts about the brand, with prizes and public recognition."""

    duration: int = 28
    talk_boost: float = 1.5
    content_quality: float = 1.2
    credibility: float = 0.85
    winners: int = 5
    prize: float = 200.0
    winner_loyalty: float = 0.2
    onlooker_loyalty: float = 0.02
    cost_per_day: float = 30.0


def validate_ugc(check: Checker) -> None:
    """Check ``strategy.ugc``."""
    check.integer("strategy.ugc.duration", 1)
    check.at_least("strategy.ugc.talk_boost", 0.0)
    check.at_least("strategy.ugc.content_quality", 0.0)
    check.integer("strategy.ugc.winners", 0)
    for key in ("credibility", "winner_loyalty", "onlooker_loyalty"):
        check.prob(f"strategy.ugc.{key}")
    check.price("strategy.ugc.prize")
    check.price("strategy.ugc.cost_per_day")


class UgcStrategy(Strategy):
    """A user-generated content contest from day ``start`` for ``duration`` days.

    On each contest day every customer is invited: their posting probability is multiplied by
    ``talk_boost``, their posts' weight in readers' pull by ``content_quality`` (the content
    they make for the contest) and their credibility by ``credibility`` (readers know the posts
    are entries: incentivised messages are trusted less), and purchases their posts cause are
    attributed ``from_ugc``. Every positive post is one entry in the prize draw. The day after
    the contest ``winners`` entrants are drawn (the more entries, the likelier), each paid
    ``prize`` and recognised in public: the winners gain ``winner_loyalty`` and the customers
    among their followers (neighbours), who see it, ``onlooker_loyalty`` (both through
    :attr:`~sim.rules.levers.Levers.loyalty_bonus`). Running the contest costs
    ``cost_per_day``; the prizes of the winners it can pay are set aside when it starts, so
    running costs never eat them, and it ends early when a day can no longer be paid.
    """

    name = "ugc"

    def __init__(self, cfg, budget: float = math.inf):
        super().__init__(cfg, budget)
        self.entries = np.zeros(0, dtype=np.int64)
        self.prize_pool = 0  # prizes set aside (a count of winners)
        self.running = False
        self.ended_on: int | None = None
        self._invited = np.zeros(0, dtype=np.int64)
        self.winners = np.zeros(0, dtype=np.int64)
        self.counts = {"ugc_contest_days": 0, "ugc_posts": 0, "ugc_winners": 0,
                       "ugc_onlookers": 0}

    def setup(self, model: World, rng: np.random.Generator) -> None:
        super().setup(model, rng)
        self.entries = np.zeros(model.graph.n, dtype=np.int64)

    def _day_affordable(self) -> bool:
        """Whether the budget beyond the prizes set aside pays one more contest day."""
        return self.remaining - self.prize_pool * self.cfg.prize + EPS >= self.cfg.cost_per_day

    def brand_actions(self, model: World) -> None:
        cfg, t = self.cfg, model.t
        if self.ended_on is not None:
            if t == self.ended_on + 1:
                self._award(model)
            return
        if t < cfg.start:
            return
        if t == cfg.start:
            affordable = self.affordable(cfg.prize)
            self.prize_pool = int(min(cfg.winners, affordable))
            if self.prize_pool == 0 and cfg.winners > 0:  # not even one prize: no contest
                self.ended_on = t - 1
                return
        if t >= cfg.start + cfg.duration or not self._day_affordable():
            self.ended_on = t - 1
            self.running = False
            self._award(model)
            return
        self.spend(cfg.cost_per_day)
        self.running = True
        self.counts["ugc_contest_days"] += 1
        self._invite(model)

    def _invite(self, model: World) -> None:
        cfg, levers = self.cfg, model.levers
        invited = np.flatnonzero(model.state.customer)
        self._invited = invited
        levers.talk_multiplier[invited] *= model.fatigue.boost(invited, cfg.talk_boost)
        model.fatigue.expose(invited, NUDGE)
        levers.post_persuasion[invited] *= cfg.content_quality
        levers.message_credibility[invited] *= cfg.credibility
        source = levers.post_source[invited]
        levers.post_source[invited] = np.where(source == ORGANIC, _FROM_UGC, source)

    def after_talk(self, model: World) -> None:
        if not self.running or self._invited.size == 0:
            return
        entrants = self._invited[model.day.posted[self._invited] > 0]
        self.entries[entrants] += 1
        self.counts["ugc_posts"] += int(entrants.size)

    def _award(self, model: World) -> None:
        """Draw the winners, pay their prizes and recognise them in public (today's levers)."""
        if self.counts["ugc_winners"] or self.prize_pool == 0:
            return
        entrants = np.flatnonzero(self.entries)
        count = min(self.prize_pool, entrants.size)
        if count == 0:
            return
        weights = self.entries[entrants] / self.entries[entrants].sum()
        winners = np.sort(self.rng.choice(entrants, size=count, replace=False, p=weights))
        self.spend(self.cfg.prize * count)
        self.prize_pool = 0
        graph, bonus = model.graph, model.levers.loyalty_bonus
        onlookers = np.unique(np.concatenate([graph.neighbors(int(w)) for w in winners]))
        onlookers = onlookers[~np.isin(onlookers, winners) & model.state.customer[onlookers]]
        bonus[onlookers] += self.cfg.onlooker_loyalty
        bonus[winners] += self.cfg.winner_loyalty
        self.winners = winners
        self.counts["ugc_winners"] = int(count)
        self.counts["ugc_onlookers"] = int(onlookers.size)

    def report(self) -> dict:
        return {**self.counts, "ugc_entrants": int(np.count_nonzero(self.entries))}


#: the dashboard's controls of the strategy, in display order
CONTROLS = (
    Knob("ugc_days", "duration", "Contest days", "int", 1, 3650, slider=(1, 90, 1), fmt="d"),
    Knob("ugc_prize", "prize", "Contest prize", "float", 0.0, 1e9, slider=(0.0, 1000.0, 10.0)),
)

PLUGIN = StrategyPlugin(
    label="UGC contest", controls=CONTROLS,
    name="ugc", schema=UgcConfig, strategy=UgcStrategy, validate=validate_ugc,
    summary="A user-generated content contest: for a period customers' posts are prize-draw "
            "entries, so they post more, with better content but less credibility; winners are "
            "paid a prize and recognised in public, which binds them and, a little, the "
            "customers who see it.",
    metrics=(
        Metric("ugc_contest_days", "contest days", "day", "the contest ran", None, "count",
               strategy="ugc"),
        Metric("ugc_posts", "contest posts", "", "positive posts entered", True, "count",
               strategy="ugc"),
        Metric("ugc_entrants", "contest entrants", "", "customers who entered", True, "count",
               strategy="ugc"),
        Metric("ugc_winners", "contest winners", "", "paid a prize and recognised", None,
               "count", strategy="ugc"),
        Metric("ugc_onlookers", "recognition onlookers", "",
               "customers who saw a winner recognised", None, "count", strategy="ugc"),
    ))
