"""A brand community: members recruited among customers (and fans), group chats that tie them to
each other, regular activities, and moderation."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.config import Checker, StrategyConfig
from sim.population import ORGANIC, SOURCE_CODES
from sim.rules.groups import GroupTies
from sim.strategies.base import EPS, Knob, Strategy, StrategyPlugin
from sim.vocabulary import Metric

if TYPE_CHECKING:
    from sim.world import World

_FROM_COMMUNITY = SOURCE_CODES["from_community"]
#: how members are recruited (``strategy.community.recruit``)
RECRUIT_RULES = ("engaged", "open")


@dataclass
class CommunityConfig(StrategyConfig):
    """A brand community: members, group ties among them, activities, moderation."""

    capacity: int = 200
    recruit: str = "engaged"
    signup_rate: float = 0.02
    fans: bool = False
    group_size: int = 20
    tie_weight: float = 0.3
    attention: float = 0.8
    activity_every: int = 7
    activity_talk_boost: float = 2.0
    activity_loyalty: float = 0.02
    moderation: float = 0.5
    cost_per_member_day: float = 0.5
    cost_per_activity: float = 200.0
    cost_per_manager_day: float = 50.0


def validate_community(check: Checker) -> None:
    """Check ``strategy.community``."""
    key = "strategy.community"
    check.integer(f"{key}.capacity", 0)
    check.one_of(f"{key}.recruit", RECRUIT_RULES)
    check.integer(f"{key}.group_size", 2)
    check.integer(f"{key}.activity_every", 1)
    for name in ("signup_rate", "tie_weight", "attention", "activity_loyalty", "moderation"):
        check.prob(f"{key}.{name}")
    if check.cfg.strategy.community.tie_weight == 0:
        check.fail(f"{key}.tie_weight", 0.0, "a value in (0, 1] (a tie has a strength)")
    check.at_least(f"{key}.activity_talk_boost", 0.0)
    for name in ("cost_per_member_day", "cost_per_activity", "cost_per_manager_day"):
        check.price(f"{key}.{name}")


class CommunityStrategy(Strategy):
    """A brand community from day ``start``, while the budget pays its days.

    **Members.** Each day the community takes new members up to ``capacity`` among the eligible
    (customers, and with ``fans`` also aware promoters who have not bought) who are not members
    yet: by ``recruit``, ``engaged`` invites the most engaged (highest attitude first), ``open``
    lets each eligible consumer sign up with probability ``signup_rate`` (the strategy's
    stream). Members stay members. It takes only as many as the budget pays for today.

    **Group ties.** Members are cut, in the order they joined, into groups of ``group_size``;
    every two members of a group are tied with strength ``tie_weight`` and read each other's
    posts with ``attention`` (the World's ``groups``, a second channel of the talk phase:
    :mod:`sim.rules.groups`). A member's post reaches their group as well as their followers;
    purchases members' posts cause are attributed ``from_community``.

    **Activities** every ``activity_every`` days from ``start`` (``cost_per_activity``): members
    post ``activity_talk_boost`` times as often that day, and customers among them gain
    ``activity_loyalty`` (belonging), both weakened by over-marketing fatigue when it is on.

    **Moderation**: each day a share ``moderation`` of the members' negative posts is removed
    from the groups (drawn per member and day); they still reach the members' own followers.
    Without moderation the denser ties spread complaints faster too.

    **Costs**: ``cost_per_member_day`` per member and ``cost_per_manager_day`` (the community
    manager) every day it runs; when a day cannot be paid, the community closes (the group ties
    go) for good.
    """

    name = "community"

    def __init__(self, cfg, budget: float = math.inf):
        super().__init__(cfg, budget)
        self.members = np.zeros(0, dtype=np.int64)
        self.is_member = np.zeros(0, dtype=bool)
        self.running = False
        self.closed_on: int | None = None
        self.counts = {"community_days": 0, "community_activities": 0,
                       "community_removed": 0}

    def setup(self, model: World, rng: np.random.Generator) -> None:
        super().setup(model, rng)
        self.is_member = np.zeros(model.graph.n, dtype=bool)

    def _day_cost(self, members: int) -> float:
        return self.cfg.cost_per_manager_day + self.cfg.cost_per_member_day * members

    def brand_actions(self, model: World) -> None:
        cfg, t = self.cfg, model.t
        if t < cfg.start or self.closed_on is not None:
            return
        if self._day_cost(self.members.size) > self.remaining + EPS:
            self._close(model)
            return
        self._recruit(model)
        self.spend(self._day_cost(self.members.size))
        self.running = True
        self.counts["community_days"] += 1
        members, levers = self.members, model.levers
        if members.size == 0:
            return
        source = levers.post_source[members]
        levers.post_source[members] = np.where(source == ORGANIC, _FROM_COMMUNITY, source)
        groups = model.groups
        if groups is not None:
            groups.muted[:] = False
            groups.muted[members] = self.rng.random(members.size) < cfg.moderation
        if (t - cfg.start) % cfg.activity_every == 0 and self.affordable(
                cfg.cost_per_activity) >= 1:
            self._activity(model)

    def _recruit(self, model: World) -> None:
        """Take new members, up to capacity and what the budget pays today; rebuild the
        groups when any join."""
        cfg, s = self.cfg, model.state
        room = cfg.capacity - self.members.size
        spare = self.remaining - self._day_cost(self.members.size)
        if cfg.cost_per_member_day > 0 and not math.isinf(spare):
            room = min(room, int(math.floor((spare + EPS) / cfg.cost_per_member_day)))
        if room <= 0:
            return
        eligible = s.customer.copy()
        if cfg.fans:
            eligible |= s.aware & ~s.churned & (s.attitude >= model.params.promoter_threshold)
        eligible &= ~self.is_member
        candidates = np.flatnonzero(eligible)
        if cfg.recruit == "open":
            candidates = candidates[self.rng.random(candidates.size) < cfg.signup_rate]
        else:  # the most engaged first: highest attitude, ties to the lowest index
            candidates = candidates[np.argsort(-s.attitude[candidates], kind="stable")]
        new = candidates[:room]
        if new.size == 0:
            return
        self.is_member[new] = True
        self.members = np.concatenate([self.members, new])
        model.groups = GroupTies.of(model.graph.n, self.members, cfg.group_size,
                                    cfg.tie_weight, cfg.attention)

    def _activity(self, model: World) -> None:
        cfg, levers, fatigue = self.cfg, model.levers, model.fatigue
        self.spend(cfg.cost_per_activity)
        self.counts["community_activities"] += 1
        members = self.members
        levers.talk_multiplier[members] *= fatigue.boost(members, cfg.activity_talk_boost)
        levers.loyalty_bonus[members] += cfg.activity_loyalty * fatigue.efficacy(members)
        fatigue.expose(members)

    def after_talk(self, model: World) -> None:
        groups = model.groups
        if not self.running or groups is None or self.members.size == 0:
            return
        members = self.members
        removed = (model.day.posted[members] < 0) & groups.muted[members]
        self.counts["community_removed"] += int(np.count_nonzero(removed))

    def _close(self, model: World) -> None:
        self.closed_on = model.t
        self.running = False
        model.groups = None

    def report(self) -> dict:
        return {**self.counts, "community_members": int(self.members.size),
                "community_closed_on": self.closed_on}


#: the dashboard's controls of the strategy, in display order
CONTROLS = (
    Knob("community_capacity", "capacity", "Community members", "int", 0, 10_000_000,
         slider=(0, 2000, 20), fmt="d"),
    Knob("community_recruit", "recruit", "Community recruitment", "choice",
         choices=RECRUIT_RULES),
    Knob("community_moderation", "moderation", "Community moderation", "float", 0.0, 1.0,
         slider=(0.0, 1.0, 0.05), fmt=".2f"),
)

PLUGIN = StrategyPlugin(
    label="Community", controls=CONTROLS,
    name="community", schema=CommunityConfig, strategy=CommunityStrategy,
    validate=validate_community,
    summary="A brand community: members recruited among customers (the most engaged, or open "
            "sign-up) up to a capacity, tied to each other in group chats that carry their "
            "posts with more attention; regular activities raise their posting and loyalty; "
            "moderation removes a share of complaints from the groups.",
    metrics=(
        Metric("community_members", "community members", "", "at the end", None, "count",
               strategy="community"),
        Metric("community_days", "community days", "day", "the community ran", None, "count",
               strategy="community"),
        Metric("community_activities", "community activities", "", "held", None, "count",
               strategy="community"),
        Metric("community_removed", "complaints moderated", "",
               "negative posts removed from the groups", None, "count", strategy="community"),
        Metric("community_closed_on", "community closed on day", "day", "budget spent", None,
               "day", missing="never", strategy="community"),
    ))
