"""A crisis plan: when a scheduled crisis (``model.crisis``) is detected, a surge of responders,
a public statement and compensation for those hit; and the crisis's toll (customers lost, days
until net sentiment recovers)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.config import Checker, StrategyConfig
from sim.strategies import kernels
from sim.strategies.base import Knob, Strategy, StrategyPlugin
from sim.strategies.complaints import ComplaintQueue
from sim.vocabulary import Metric

if TYPE_CHECKING:
    from sim.world import World


@dataclass
class CrisisPlanConfig(StrategyConfig):
    """Detection, a surge of responders, a public statement and compensation."""

    detection_delay: int = 2
    surge_capacity: int = 100
    surge_days: int = 21
    recovery_max: float = 0.8
    recovery_halflife: float = 2.0
    recovery_attitude: float = 0.5
    recovery_bonus: float = 0.0
    repeat_recovery: float = 0.5
    answer_credibility: float = 0.3
    answer_memory: int = 14
    statement_credibility: float = 0.5
    statement_days: int = 14
    compensation: float = 20.0
    compensation_attitude: float = 0.3
    compensation_loyalty: float = 0.2
    cost_per_response: float = 10.0
    cost_per_day: float = 200.0
    cost_statement: float = 1000.0


def validate_crisis_plan(check: Checker) -> None:
    """Check ``strategy.crisis_plan``."""
    key = "strategy.crisis_plan"
    for name in ("detection_delay", "surge_capacity", "answer_memory"):
        check.integer(f"{key}.{name}", 0)
    for name in ("surge_days", "statement_days"):
        check.integer(f"{key}.{name}", 1)
    for name in ("recovery_max", "recovery_bonus", "repeat_recovery", "answer_credibility",
                 "statement_credibility", "compensation_attitude", "compensation_loyalty"):
        check.prob(f"{key}.{name}")
    check.within(f"{key}.recovery_attitude", -1.0, 1.0)
    check.positive(f"{key}.recovery_halflife")
    for name in ("compensation", "cost_per_response", "cost_per_day", "cost_statement"):
        check.price(f"{key}.{name}")


def recovery_days(net_sentiment: np.ndarray, start: int) -> int | None:
    """Days from ``start`` until the daily ``net_sentiment`` (indexed by day) is back at its
    level of the day before, once it fell below it: 0 if it never fell, None if it never came
    back."""
    before = net_sentiment[start - 1]
    after = net_sentiment[start:]
    below = np.flatnonzero(after < before)
    if below.size == 0:
        return 0
    back = np.flatnonzero(after[below[0]:] >= before)
    return int(below[0] + back[0]) if back.size else None


class CrisisPlanStrategy(Strategy):
    """The brand's response to the run's crisis (``model.crisis``; without one it does nothing).

    The brand learns of the failure ``detection_delay`` days after it starts. From then, for
    ``surge_days`` days, a surge team answers up to ``surge_capacity`` complaints a day, oldest
    first, among those made since the crisis began (each staffed day ``cost_per_day``, each
    answer ``cost_per_response``): an answer after *d* days recovers the complainer with
    probability ``recovery_max * 0.5 ** (d / recovery_halflife)`` (attitude at least
    ``recovery_attitude``, a customer's loyalty back to its level when complaining plus
    ``recovery_bonus``; ``repeat_recovery`` of each gap for a consumer recovered before), and
    the complainer's posts are believed ``answer_credibility`` as much
    for ``answer_memory`` days, as with :mod:`~sim.strategies.fast_response`. On detection a
    public statement (``cost_statement``; none when ``statement_credibility`` is 1) makes the
    posts of those hit believed ``statement_credibility`` as much for ``statement_days`` days,
    and each consumer hit so far, and each hit later, is compensated (``compensation`` each,
    while the budget lasts): attitude ``+ compensation_attitude`` (at most 1), and a customer's
    loyalty ``+ compensation_loyalty``. State it writes (declared in :mod:`sim.world`): the
    attitude and loyalty of recovered complainers, the attitude of compensated consumers.

    It also measures the crisis, with or without money to act: the consumers hit, the customers
    of the day before the crisis who are no longer customers at the end, and the days until
    net sentiment is back at its level of the day before (:func:`recovery_days`).
    """

    name = "crisis_plan"

    def __init__(self, cfg, budget: float = math.inf):
        super().__init__(cfg, budget)
        self.queue = ComplaintQueue()
        self.compensated = np.zeros(0, dtype=bool)
        self.statement_until = -1
        self.statement_day: int | None = None
        self.customers_before: np.ndarray | None = None
        self._model: World | None = None
        self.counts = {"crisis_answered": 0, "crisis_recovered": 0, "crisis_compensated": 0,
                       "crisis_surge_days": 0}

    def setup(self, model: World, rng: np.random.Generator) -> None:
        super().setup(model, rng)
        n = model.graph.n
        self.queue.setup(n)
        self.compensated = np.zeros(n, dtype=bool)
        self._model = model

    @property
    def detected_on(self) -> int | None:
        """The day the brand learns of the crisis (None without one)."""
        crisis = self._model.crisis if self._model is not None else None
        return crisis.start + self.cfg.detection_delay if crisis is not None and crisis.on else None

    def brand_actions(self, model: World) -> None:
        crisis, t, cfg = model.crisis, model.t, self.cfg
        if not crisis.on or t < crisis.start:
            return
        if t == crisis.start:
            self.customers_before = model.state.customer.copy()
        levers = model.levers
        kernels.scale_until(model.chunk_bounds, self.queue.answered_until, t,
                            levers.message_credibility, cfg.answer_credibility)
        detected = self.detected_on
        if t == detected and cfg.statement_credibility < 1 and self.affordable(
                cfg.cost_statement) >= 1:
            self.spend(cfg.cost_statement)
            self.statement_day, self.statement_until = t, t + cfg.statement_days - 1
        if t <= self.statement_until:
            levers.message_credibility[crisis.hit] *= cfg.statement_credibility
        if t >= detected:
            self._compensate(model, np.flatnonzero(crisis.hit & ~self.compensated))

    def _compensate(self, model: World, who: np.ndarray) -> None:
        cfg = self.cfg
        if who.size == 0:
            return
        count = min(who.size, self.affordable(cfg.compensation))
        if count < who.size:
            who = np.sort(self.rng.permutation(who)[:int(count)])
        self.spend(cfg.compensation * who.size)
        self.compensated[who] = True
        s = model.state
        s.attitude[who] = np.minimum(1.0, s.attitude[who] + cfg.compensation_attitude)
        model.levers.loyalty_bonus[who] += cfg.compensation_loyalty
        self.counts["crisis_compensated"] += int(who.size)

    def after_experience(self, model: World) -> None:
        crisis, t, cfg = model.crisis, model.t, self.cfg
        detected = self.detected_on
        if detected is None or t < crisis.start or t >= detected + cfg.surge_days:
            return
        new = model.day.complainers
        if new.size:
            self.queue.add(new, t, np.zeros(new.size), model.state.loyalty)
        if t < detected or self.affordable(cfg.cost_per_day) < 1:
            return
        self.spend(cfg.cost_per_day)
        self.counts["crisis_surge_days"] += 1
        limit = min(cfg.surge_capacity, self.affordable(cfg.cost_per_response), self.queue.size)
        rows = self.queue.due(t, limit)
        if rows.size:
            self._answer(model, rows)

    def _answer(self, model: World, rows: np.ndarray) -> None:
        cfg, s = self.cfg, model.state
        self.spend(cfg.cost_per_response * rows.size)
        draws = self.rng.random(rows.size)
        recovered, _ = self.queue.answer(rows, model.t, draws, cfg, s,
                                         model.levers.message_credibility)
        self.counts["crisis_answered"] += int(rows.size)
        self.counts["crisis_recovered"] += int(recovered)

    def report(self) -> dict:
        model = self._model
        crisis = model.crisis if model is not None else None
        if crisis is None or not crisis.on or self.customers_before is None:
            return {**self.counts, "crisis_hit": 0, "crisis_customers_lost": None,
                    "crisis_recovery_days": None, "crisis_statement_day": None}
        net = np.array([row["net_sentiment"] for row in model.records])
        lost = int(np.count_nonzero(self.customers_before & ~model.state.customer))
        return {**self.counts, "crisis_hit": int(np.count_nonzero(crisis.hit)),
                "crisis_customers_lost": lost,
                "crisis_recovery_days": recovery_days(net, crisis.start),
                "crisis_statement_day": self.statement_day}


#: the dashboard's controls of the strategy, in display order
CONTROLS = (
    Knob("crisis_detection", "detection_delay", "Crisis detected after (days)", "int", 0, 3650,
         slider=(0, 30, 1), fmt="d"),
    Knob("crisis_capacity", "surge_capacity", "Crisis answers per day", "int", 0, 10_000_000,
         slider=(0, 500, 10), fmt="d"),
)

PLUGIN = StrategyPlugin(
    label="Crisis plan", controls=CONTROLS,
    name="crisis_plan", schema=CrisisPlanConfig, strategy=CrisisPlanStrategy,
    validate=validate_crisis_plan,
    summary="A crisis plan for the run's scheduled crisis (model.crisis): after a detection "
            "delay a surge of responders answers complaints, a public statement makes the "
            "posts of those hit believed less for a while, and those hit are compensated; it "
            "reports the customers lost and the days until net sentiment recovers.",
    metrics=(
        Metric("crisis_hit", "consumers hit by the crisis", "", "over the crisis", None,
               "count", strategy="crisis_plan"),
        Metric("crisis_customers_lost", "customers lost in the crisis", "",
               "customers before it who are not at the end", False, "count",
               missing="no crisis", strategy="crisis_plan"),
        Metric("crisis_recovery_days", "days to recover sentiment", "days",
               "until net sentiment is back at its level before the crisis", False, "day",
               missing="never", strategy="crisis_plan"),
        Metric("crisis_statement_day", "statement on day", "day", "the public statement",
               None, "day", missing="none", strategy="crisis_plan"),
        Metric("crisis_answered", "crisis complaints answered", "", "by the surge team", True,
               "count", strategy="crisis_plan"),
        Metric("crisis_recovered", "crisis complainers won back", "", "by an answer", True,
               "count", strategy="crisis_plan"),
        Metric("crisis_compensated", "consumers compensated", "", "among those hit", None,
               "count", strategy="crisis_plan"),
        Metric("crisis_surge_days", "surge days", "day", "with the surge team paid", None,
               "count", strategy="crisis_plan"),
    ))
