"""Fast responses: answering complaints in public, with a delay and a daily capacity."""

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

HOURS_PER_DAY = 24.0
#: units of ``delay``
DELAY_UNITS = ("hours", "days")


def draw_delays(rng: np.random.Generator, size: int, mean: float, dist: str) -> np.ndarray:
    """Response delays in days: ``exponential`` (mean ``mean``), ``fixed`` or ``uniform`` on
    [0, 2 mean]."""
    if dist == "exponential":
        return rng.exponential(mean, size) if mean > 0 else np.zeros(size)
    if dist == "fixed":
        return np.full(size, float(mean))
    if dist == "uniform":
        return rng.uniform(0.0, 2.0 * mean, size)
    raise ValueError(f"delay_dist={dist!r}: allowed exponential, fixed, uniform")


@dataclass
class FastResponseConfig(StrategyConfig):
    """Answer complaints in public after a delay, with a daily capacity."""

    capacity: int = 20
    delay: float = 1.0
    delay_unit: str = "days"
    delay_dist: str = "exponential"
    recovery_max: float = 0.8
    recovery_halflife: float = 2.0
    recovery_attitude: float = 0.5
    recovery_bonus: float = 0.0
    repeat_recovery: float = 0.5
    answer_credibility: float = 0.3
    answer_memory: int = 14
    cost_per_response: float = 10.0
    cost_per_day: float = 20.0


def validate_fast_response(check: Checker) -> None:
    """Check ``strategy.fast_response``."""
    check.integer("strategy.fast_response.capacity", 0)
    check.at_least("strategy.fast_response.delay", 0.0)
    check.one_of("strategy.fast_response.delay_unit", DELAY_UNITS)
    check.one_of("strategy.fast_response.delay_dist", ("exponential", "fixed", "uniform"))
    for key in ("recovery_max", "recovery_bonus", "repeat_recovery", "answer_credibility"):
        check.prob(f"strategy.fast_response.{key}")
    check.within("strategy.fast_response.recovery_attitude", -1.0, 1.0)
    check.positive("strategy.fast_response.recovery_halflife")
    check.integer("strategy.fast_response.answer_memory", 0)
    check.price("strategy.fast_response.cost_per_response")
    check.price("strategy.fast_response.cost_per_day")


class FastResponseStrategy(Strategy):
    """A customer-service team that answers complaints in public.

    Each complaint is ready to be answered ``delay`` after it was posted (a random delay from
    ``delay_dist``, in ``delay_unit``); each day the team answers up to ``capacity`` ready
    complaints, oldest first, so a backlog adds to the delay. An answer costs
    ``cost_per_response``, and every staffed day ``cost_per_day``; with no budget left the team
    stops. An answer after total delay *d* days recovers the complainer with probability
    ``recovery_max * 0.5 ** (d / recovery_halflife)``: their attitude rises to at least
    ``recovery_attitude`` and, if still a customer, their loyalty returns to its level when
    complaining plus ``recovery_bonus`` (service recovery); a consumer recovered before gets back
    only ``repeat_recovery`` of each gap. Answered or not, the public answer lowers
    the credibility of the complainer's posts by ``answer_credibility`` for ``answer_memory``
    days, today's complaint included when it is answered the same day. Unanswered complaints
    keep their full weight.
    """

    name = "fast_response"

    def __init__(self, cfg, budget: float = math.inf):
        super().__init__(cfg, budget)
        self.queue = ComplaintQueue()
        self.delay_sum = 0.0
        self.counts = {"complaints_received": 0, "complaints_answered": 0,
                       "complaints_recovered": 0, "staffed_days": 0}

    def setup(self, model: World, rng: np.random.Generator) -> None:
        super().setup(model, rng)
        self.queue.setup(model.graph.n)

    def brand_actions(self, model: World) -> None:
        kernels.scale_until(model.chunk_bounds, self.queue.answered_until, model.t,
                            model.levers.message_credibility, self.cfg.answer_credibility)

    def after_experience(self, model: World) -> None:
        cfg, t = self.cfg, model.t
        new = model.day.complainers
        self.counts["complaints_received"] += int(new.size)
        if new.size:
            scale = HOURS_PER_DAY if cfg.delay_unit == "hours" else 1.0
            delays = draw_delays(self.rng, new.size, cfg.delay / scale, cfg.delay_dist)
            self.queue.add(new, t, delays, model.state.loyalty)
        if t < cfg.start or not self._staff_today():
            return
        limit = min(cfg.capacity, self.affordable(cfg.cost_per_response), self.queue.size)
        rows = self.queue.due(t, limit)
        if rows.size:
            self._answer(model, rows)

    def _staff_today(self) -> bool:
        if self.affordable(self.cfg.cost_per_day) < 1:
            return False
        self.spend(self.cfg.cost_per_day)
        self.counts["staffed_days"] += 1
        return True

    def _answer(self, model: World, rows: np.ndarray) -> None:
        cfg, s = self.cfg, model.state
        self.spend(cfg.cost_per_response * rows.size)
        draws = self.rng.random(rows.size)
        recovered, delay_sum = self.queue.answer(rows, model.t, draws, cfg, s,
                                                 model.levers.message_credibility)
        self.delay_sum += delay_sum
        self.counts["complaints_answered"] += int(rows.size)
        self.counts["complaints_recovered"] += int(recovered)

    def report(self) -> dict:
        return {**self.counts,
                "complaints_backlog": int(self.queue.size),
                "mean_response_delay_days": (self.delay_sum / self.counts["complaints_answered"]
                                             if self.counts["complaints_answered"] else None)}


#: the dashboard's controls of the strategy, in display order
CONTROLS = (
    Knob("response_delay", "delay", "Response delay", "float", 0.0, 1e6,
         slider=(0.0, 14.0, 0.25), unit="response_unit",
         unit_sliders=(("hours", (0.0, 72.0, 0.5)), ("days", (0.0, 14.0, 0.25)))),
    Knob("response_unit", "delay_unit", "Response delay unit", "choice", choices=DELAY_UNITS),
    Knob("response_capacity", "capacity", "Responses per day", "int", 0, 10_000_000,
         slider=(0, 500, 5), fmt="d"),
)

PLUGIN = StrategyPlugin(
    label="Fast response", controls=CONTROLS,
    name="fast_response", schema=FastResponseConfig, strategy=FastResponseStrategy,
    validate=validate_fast_response,
    summary="A customer-service team answers complaints in public after a delay, up to a daily "
            "capacity: fast answers recover complainers, and answered complaints weigh less.",
    metrics=(
        Metric("complaints_answered", "complaints answered", "", "over the run", True, "count",
               strategy="fast_response"),
        Metric("complaints_recovered", "complainers won back", "", "by an answer", True, "count",
               strategy="fast_response"),
        Metric("complaints_backlog", "complaints unanswered", "", "at the end", False, "count",
               strategy="fast_response"),
        Metric("mean_response_delay_days", "mean days to answer", "days",
               "from complaint to answer", False, "number", strategy="fast_response"),
        Metric("staffed_days", "staffed days", "day", "with responders paid", None, "count",
               strategy="fast_response"),
    ))
