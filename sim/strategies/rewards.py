"""Rewards and incentives: referral rewards (to the referrer, to the new customer or both),
per-share rewards, loyalty points; deal seekers, and referred customers' loyalty to a referrer
who stays."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.config import Checker, StrategyConfig
from sim.population import SOURCE_CODES
from sim.rules.fatigue import NUDGE
from sim.strategies import kernels
from sim.strategies.base import EPS, Knob, Strategy, StrategyPlugin
from sim.vocabulary import Metric

if TYPE_CHECKING:
    from sim.world import World

#: who counts as a deal seeker (``strategy.rewards.deal_seekers``): only those paid a referee
#: reward (a sign-up bonus: what attracts deal seekers; the default), or every buyer won by a
#: referral post (the rule before referral design)
DEAL_SEEKER_RULES = ("all_referred", "paid_referees")


@dataclass
class RewardsConfig(StrategyConfig):
    """Referral rewards, optional per-share rewards and loyalty points for customers."""

    end: int | None = None
    referrer_reward: float = 10.0
    referee_reward: float = 0.0
    referral_reward: float | None = None
    deal_seekers: str = "paid_referees"
    referred_loyalty: float = 0.01  # calibrated to Schmitt, Skiera & Van den Bulte (2011)
    share_reward: float = 0.0
    points_per_day: float = 0.0
    points_loyalty: float = 0.01
    talk_boost: float = 2.0
    credibility: float = 0.8
    cap_per_person: float = 100.0
    deal_seeker_drop: float = 0.3


def referrer_reward(cfg: RewardsConfig) -> float:
    """The referrer's reward: ``referral_reward`` (its earlier name) when set, else
    ``referrer_reward``."""
    return float(cfg.referral_reward if cfg.referral_reward is not None else cfg.referrer_reward)


def validate_rewards(check: Checker) -> None:
    """Check ``strategy.rewards``."""
    cfg = check.cfg.strategy.rewards
    for key in ("referrer_reward", "referee_reward", "share_reward", "points_per_day"):
        check.price(f"strategy.rewards.{key}")
    if cfg.referral_reward is not None:
        check.price("strategy.rewards.referral_reward")
        if cfg.referrer_reward not in (RewardsConfig.referrer_reward, cfg.referral_reward):
            check.fail("strategy.rewards.referral_reward", cfg.referral_reward,
                       "null when strategy.rewards.referrer_reward is set (referral_reward is "
                       f"its earlier name; referrer_reward={cfg.referrer_reward:g})")
    check.amount("strategy.rewards.cap_per_person")
    check.at_least("strategy.rewards.talk_boost", 0.0)
    for key in ("points_loyalty", "credibility", "deal_seeker_drop", "referred_loyalty"):
        check.prob(f"strategy.rewards.{key}")
    check.one_of("strategy.rewards.deal_seekers", DEAL_SEEKER_RULES)


_NO_MEMBERS = np.zeros(0, dtype=np.int64)
_FROM_REFERRAL = SOURCE_CODES["from_referral"]


class RewardsStrategy(Strategy):
    """A reward programme for customers, from day ``start`` to ``end`` or until the budget runs out.

    While it runs, every customer who has not reached ``cap_per_person`` is enrolled: their
    posting probability is multiplied by ``talk_boost``, their posts are incentivised (credibility
    times ``credibility`` < 1: readers trust them less) and count as referrals. When a consumer
    buys after reading a referral post, its sender earns the referrer's reward
    (``referrer_reward``, or ``referral_reward``, its earlier name) and the buyer the referee's
    (``referee_reward``, a sign-up bonus). *Deal seekers* are, by ``deal_seekers``, every such
    buyer (``all_referred``) or those paid a referee reward (``paid_referees``). Optional:
    ``share_reward`` per positive post of an enrolled customer, and ``points_per_day`` loyalty
    points per customer (cost per customer per day; each day adds ``points_loyalty`` to
    loyalty). When the programme stops, the deal seekers who are still customers lose
    ``deal_seeker_drop`` loyalty: people who came for the reward leave more.

    Referred customers (bought after a referral post) gain ``referred_loyalty`` loyalty every day
    while their referrer is still a customer (the referrer's presence binds them to the brand;
    through :attr:`~sim.rules.levers.Levers.loyalty_bonus`, also after the programme ends); 0
    turns the advantage off.
    """

    name = "rewards"

    def __init__(self, cfg, budget: float = math.inf):
        super().__init__(cfg, budget)
        self.referrer_reward = 0.0  # set in setup (referral_reward or referrer_reward)
        self.paid = np.zeros(0)
        self.deal_seeker = np.zeros(0, dtype=bool)
        self._seen = np.zeros(0, dtype=np.int64)  # scratch of kernels.pay_each
        self.running = False
        self.stopped_on: int | None = None
        # referred customers and their referrers, in the order they bought
        self.referees = np.zeros(0, dtype=np.int64)
        self.referrers = np.zeros(0, dtype=np.int64)
        self._churned: np.ndarray | None = None
        self.counts = {"referrals_paid": 0, "referees_paid": 0, "shares_paid": 0,
                       "points_paid": 0, "deal_seekers": 0}

    def setup(self, model: World, rng: np.random.Generator) -> None:
        super().setup(model, rng)
        self.referrer_reward = referrer_reward(self.cfg)
        n = model.graph.n
        self.paid = np.zeros(n)
        self.deal_seeker = np.zeros(n, dtype=bool)
        self._members = np.empty(n, dtype=np.int64)
        self._referees = np.empty(n, dtype=np.int64)
        self._referrers = np.empty(n, dtype=np.int64)
        self._churned = model.state.churned

    def _unit(self) -> float:
        units = [c for c in (self.referrer_reward, self.cfg.referee_reward, self.cfg.share_reward,
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
        cfg, levers, fatigue = self.cfg, model.levers, model.fatigue
        listed = cfg.points_per_day > 0 or fatigue.on  # only they need the list of members
        count = kernels.enroll(model.chunk_bounds, model.state.customer, self.paid,
                               cfg.cap_per_person, levers.talk_multiplier,
                               levers.message_credibility, levers.post_source, cfg.talk_boost,
                               cfg.credibility, self._members if listed else _NO_MEMBERS)
        if fatigue.on and count and cfg.talk_boost > 0:  # a tired member's boost works less
            members = self._members[:count]
            tired = fatigue.boost(members, cfg.talk_boost) / cfg.talk_boost
            levers.talk_multiplier[members] *= tired
            fatigue.expose(members, NUDGE)
        if cfg.points_per_day > 0:
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
        if self.running:
            self._referred_today(model)
        if self.cfg.referred_loyalty > 0 and self.referees.size:
            staying = model.state.customer[self.referrers]
            model.levers.loyalty_bonus[self.referees[staying]] += self.cfg.referred_loyalty

    def _referred_today(self, model: World) -> None:
        """Today's buyers won by a referral post: pay their referrers and, with a referee
        reward, them; mark the deal seekers; remember who referred whom."""
        s, cfg = model.state, self.cfg
        count = kernels.referred(model.day.buyers, s.source, _FROM_REFERRAL, s.converted_by,
                                 self._referees, self._referrers)
        if not count:
            return
        referees = self._referees[:count].copy()
        if self.referrer_reward > 0:
            paid = self._pay_each(self._referrers[:count], self.referrer_reward)
            self.counts["referrals_paid"] += paid
        if cfg.referee_reward > 0:
            bonus = self._pay(referees, cfg.referee_reward)
            self.counts["referees_paid"] += int(bonus.size)
        else:
            bonus = referees[:0]
        seekers = referees if cfg.deal_seekers == "all_referred" else bonus
        self.deal_seeker[seekers] = True
        self.counts["deal_seekers"] += int(seekers.size)
        self.referees = np.concatenate([self.referees, referees])
        self.referrers = np.concatenate([self.referrers, self._referrers[:count]])

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
        referred = int(self.referees.size)
        churned = (int(self._churned[self.referees].sum()) / referred
                   if referred and self._churned is not None else None)
        return {**{f"rewards_{k}": v for k, v in self.counts.items()},
                "rewards_referred": referred, "rewards_referred_churn": churned,
                "rewards_stopped_on": self.stopped_on}


#: the dashboard's controls of the strategy, in display order
CONTROLS = (
    Knob("referral_reward", "referrer_reward", "Referral reward", "float", 0.0,
         1e9, slider=(0.0, 100.0, 1.0)),
    Knob("reward_credibility", "credibility", "Reward credibility", "float", 0.0, 1.0,
         slider=(0.0, 1.0, 0.05), fmt=".2f"),
    Knob("referee_reward", "referee_reward", "New customer's reward", "float", 0.0, 1e9,
         slider=(0.0, 100.0, 1.0), omit_zero=True),
)

PLUGIN = StrategyPlugin(
    label="Rewards", controls=CONTROLS,
    name="rewards", schema=RewardsConfig, strategy=RewardsStrategy, validate=validate_rewards,
    summary="A reward programme for customers: referral rewards to the referrer, the new "
            "customer or both when a referred reader buys, optional rewards per share and daily "
            "loyalty points; incentivised posts are believed less, deal seekers lose loyalty "
            "when the programme stops, and referred customers can stay longer while their "
            "referrer does.",
    metrics=(
        Metric("rewards_referrals_paid", "referral rewards paid", "", "over the run", None,
               "count", strategy="rewards"),
        Metric("rewards_referees_paid", "referee rewards paid", "", "sign-up bonuses over the run",
               None, "count", strategy="rewards"),
        Metric("rewards_referred", "referred customers", "", "bought after a referral post", None,
               "count", strategy="rewards"),
        Metric("rewards_referred_churn", "referred customers who left",
               "share of referred customers", "who left by the end", False, "percent",
               strategy="rewards"),
        Metric("rewards_shares_paid", "share rewards paid", "", "over the run", None, "count",
               strategy="rewards"),
        Metric("rewards_points_paid", "loyalty points paid", "", "customer-days of points", None,
               "count", strategy="rewards"),
        Metric("rewards_deal_seekers", "deal seekers", "", "buyers won by a referral", None,
               "count", strategy="rewards"),
        Metric("rewards_stopped_on", "rewards stopped on day", "day", "budget or end reached", None,
               "day", missing="never", strategy="rewards"),
    ))
