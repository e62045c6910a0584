"""Rewards and incentives: referral rewards, per-share rewards, loyalty points."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.config import Checker, StrategyConfig
from sim.population import SOURCE_CODES
from sim.strategies import kernels
from sim.strategies.base import EPS, Strategy, StrategyPlugin
from sim.vocabulary import Metric

if TYPE_CHECKING:
    from sim.world import World


@dataclass
class RewardsConfig(StrategyConfig):
    """Referral rewards, optional per-share rewards and loyalty points for customers."""

    end: int | None = None
    referral_reward: float = 10.0
    share_reward: float = 0.0
    points_per_day: float = 0.0
    points_loyalty: float = 0.01
    talk_boost: float = 2.0
    credibility: float = 0.8
    cap_per_person: float = 100.0
    deal_seeker_drop: float = 0.3


def validate_rewards(check: Checker) -> None:
    """Check ``strategy.rewards``."""
    for key in ("referral_reward", "share_reward", "points_per_day", "cap_per_person",
                "talk_boost"):
        check.at_least(f"strategy.rewards.{key}", 0.0)
    for key in ("points_loyalty", "credibility", "deal_seeker_drop"):
        check.prob(f"strategy.rewards.{key}")


_NO_MEMBERS = np.zeros(0, dtype=np.int64)
_FROM_REFERRAL = SOURCE_CODES["from_referral"]


class RewardsStrategy(Strategy):
    """A reward programme for customers, from day ``start`` to ``end`` or until the budget runs out.

    While it runs, every customer who has not reached ``cap_per_person`` is enrolled: their
    posting probability is multiplied by ``talk_boost``, their posts are incentivised (credibility
    times ``credibility`` < 1: readers trust them less) and count as referrals. When a consumer
    buys after reading a referral post, its sender earns ``referral_reward`` and the buyer is a
    *deal seeker*. Optional: ``share_reward`` per positive post of an enrolled customer, and
    ``points_per_day`` loyalty points per customer (cost per customer per day; each day adds
    ``points_loyalty`` to loyalty). When the programme stops, the deal seekers who are still
    customers lose ``deal_seeker_drop`` loyalty: people who came for the reward leave more.
    """

    name = "rewards"

    def __init__(self, cfg, budget: float = math.inf):
        super().__init__(cfg, budget)
        self.paid = np.zeros(0)
        self.deal_seeker = np.zeros(0, dtype=bool)
        self._seen = np.zeros(0, dtype=np.int64)  # scratch of kernels.pay_each
        self.running = False
        self.stopped_on: int | None = None
        self.counts = {"referrals_paid": 0, "shares_paid": 0, "points_paid": 0,
                       "deal_seekers": 0}

    def setup(self, model: World, rng: np.random.Generator) -> None:
        super().setup(model, rng)
        self.paid = np.zeros(model.graph.n)
        self.deal_seeker = np.zeros(model.graph.n, dtype=bool)
        self._members = np.empty(model.graph.n, dtype=np.int64)
        self._referrers = np.empty(model.graph.n, dtype=np.int64)

    def _unit(self) -> float:
        units = [c for c in (self.cfg.referral_reward, self.cfg.share_reward,
                             self.cfg.points_per_day) if c > 0]
        return min(units) if units else 0.0

    def brand_actions(self, model: World) -> None:
        t = model.t
        can_pay = self.remaining + EPS >= self._unit() and self.remaining > 0
        should_run = self.in_period(t) and can_pay and self.stopped_on is None
        if self.running and not should_run:
            self._stop(model)
        self.running = should_run
        if not should_run:
            return
        cfg, levers = self.cfg, model.levers
        points = cfg.points_per_day > 0  # only points need the list of members
        count = kernels.enroll(model.chunk_bounds, model.state.customer, self.paid,
                               cfg.cap_per_person, levers.talk_multiplier,
                               levers.message_credibility, levers.post_source, cfg.talk_boost,
                               cfg.credibility, self._members if points else _NO_MEMBERS)
        if points:
            self._pay_points(model, self._members[:count].copy())

    def _pay_points(self, model: World, members: np.ndarray) -> None:
        cfg = self.cfg
        count = min(members.size, self.affordable(cfg.points_per_day))
        if count < members.size:
            members = self.rng.permutation(members)[:count]
        self._pay(members, cfg.points_per_day)
        model.levers.loyalty_bonus[members] += cfg.points_loyalty
        self.counts["points_paid"] += int(members.size)

    def _pay(self, who: np.ndarray, amount: float) -> np.ndarray:
        """Pay ``amount`` to each of ``who`` under the cap, in order, while the budget lasts."""
        who = who[self.paid[who] + amount <= self.cfg.cap_per_person + EPS]
        who = who[: min(who.size, self.affordable(amount))]
        self.spend(amount * who.size)
        np.add.at(self.paid, who, amount)
        return who

    def after_talk(self, model: World) -> None:
        if not self.running or self.cfg.share_reward <= 0:
            return
        posters = model.day.posters
        sharers = posters[(model.day.posted[posters] > 0)
                          & (model.levers.post_source[posters] == _FROM_REFERRAL)]
        self.counts["shares_paid"] += int(self._pay(sharers, self.cfg.share_reward).size)

    def after_adoption(self, model: World) -> None:
        if not self.running:
            return
        s = model.state
        count = kernels.referred(model.day.buyers, s.source, _FROM_REFERRAL, s.converted_by,
                                 self.deal_seeker, self._referrers)
        self.counts["deal_seekers"] += count
        if self.cfg.referral_reward > 0 and count:
            paid = self._pay_each(self._referrers[:count], self.cfg.referral_reward)
            self.counts["referrals_paid"] += paid

    def _pay_each(self, referrers: np.ndarray, amount: float) -> int:
        """Pay one reward per referral in the given order (a referrer may earn several today),
        while the referrer stays under the cap and the budget lasts; returns how many were
        paid."""
        if referrers.size == 0:
            return 0
        if self._seen.size != self.paid.size:
            self._seen = np.zeros(self.paid.size, dtype=np.int64)
        limit = self.affordable(amount)
        count = kernels.pay_each(referrers, self.paid, self.cfg.cap_per_person, amount,
                                 referrers.size if math.isinf(limit) else int(limit), self._seen)
        self.spend(amount * count)
        return int(count)

    def _stop(self, model: World) -> None:
        """The programme ends: deal seekers who are still customers lose loyalty."""
        self.stopped_on = model.t
        s = model.state
        hit = self.deal_seeker & s.customer
        s.loyalty[hit] = np.maximum(0.0, s.loyalty[hit] - self.cfg.deal_seeker_drop)

    def report(self) -> dict:
        return {**{f"rewards_{k}": v for k, v in self.counts.items()},
                "rewards_stopped_on": self.stopped_on}


PLUGIN = StrategyPlugin(
    name="rewards", schema=RewardsConfig, strategy=RewardsStrategy, validate=validate_rewards,
    summary="A reward programme for customers: referral rewards paid when a referred reader "
            "buys, optional rewards per share and daily loyalty points; incentivised posts are "
            "believed less, and deal seekers lose loyalty when the programme stops.",
    metrics=(
        Metric("rewards_referrals_paid", "referral rewards paid", "", "over the run", None,
               "count", strategy="rewards"),
        Metric("rewards_shares_paid", "share rewards paid", "", "over the run", None, "count",
               strategy="rewards"),
        Metric("rewards_points_paid", "loyalty points paid", "", "customer-days of points", None,
               "count", strategy="rewards"),
        Metric("rewards_deal_seekers", "deal seekers", "", "buyers won by a referral", None,
               "count", strategy="rewards"),
        Metric("rewards_stopped_on", "rewards stopped on day", "day", "budget or end reached", None,
               "day", missing="never", strategy="rewards"),
    ))
