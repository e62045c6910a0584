"""Fast responses: answering complaints in public, with a delay and a daily capacity."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.strategies import kernels
from sim.strategies.base import Strategy

if TYPE_CHECKING:
    from sim.model import WomModel

HOURS_PER_DAY = 24.0


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


def recovery_probability(delay_days: np.ndarray, recovery_max: float, halflife: float):
    """Chance an answer wins the complainer back: ``recovery_max * 0.5 ** (delay / halflife)``."""
    return recovery_max * np.exp2(-np.asarray(delay_days) / halflife)


class FastResponseStrategy(Strategy):
    """A customer-service team that answers complaints in public.

    Each complaint is ready to be answered ``delay`` after it was posted (a random delay from
    ``delay_dist``, in ``delay_unit``); each day the team answers up to ``capacity`` ready
    complaints, oldest first, so a backlog adds to the delay. An answer costs
    ``cost_per_response``, and every staffed day ``cost_per_day``; with no budget left the team
    stops. An answer after total delay *d* days recovers the complainer with probability
    ``recovery_max * 0.5 ** (d / recovery_halflife)``: their attitude rises to at least
    ``recovery_attitude`` and, if still a customer, their loyalty returns to its level before the
    complaint plus ``recovery_bonus`` (service recovery). Answered or not, the public answer lowers
    the credibility of the complainer's posts by ``answer_credibility`` for ``answer_memory``
    days, today's complaint included when it is answered the same day. Unanswered complaints
    keep their full weight.
    """

    name = "fast_response"

    def __init__(self, cfg, budget: float = math.inf):
        super().__init__(cfg, budget)
        self.who = np.zeros(0, dtype=np.int64)
        self.posted_on = np.zeros(0)
        self.ready_at = np.zeros(0)
        self.loyalty_before = np.zeros(0)
        self.answered_until = np.zeros(0, dtype=np.int64)
        self.delays: list[float] = []
        self.counts = {"complaints_received": 0, "complaints_answered": 0,
                       "complaints_recovered": 0, "staffed_days": 0}

    def setup(self, model: WomModel, rng: np.random.Generator) -> None:
        super().setup(model, rng)
        self.answered_until = np.full(model.graph.n, -1, dtype=np.int64)

    def brand_actions(self, model: WomModel) -> None:
        kernels.scale_until(self.answered_until, model.t, model.levers.message_credibility,
                            self.cfg.answer_credibility)

    def after_experience(self, model: WomModel) -> None:
        cfg, t = self.cfg, model.t
        new = model.day.complainers
        self.counts["complaints_received"] += int(new.size)
        if new.size:
            scale = HOURS_PER_DAY if cfg.delay_unit == "hours" else 1.0
            delays = draw_delays(self.rng, new.size, cfg.delay / scale, cfg.delay_dist)
            self.who = np.concatenate([self.who, new])
            self.posted_on = np.concatenate([self.posted_on, np.full(new.size, float(t))])
            self.ready_at = np.concatenate([self.ready_at, t + delays])
            self.loyalty_before = np.concatenate([self.loyalty_before, model.state.loyalty[new]])
        if t < cfg.start or not self._staff_today():
            return
        due = np.flatnonzero(self.ready_at < t + 1)
        due = due[np.argsort(self.ready_at[due], kind="stable")]
        count = min(due.size, cfg.capacity, self.affordable(cfg.cost_per_response))
        if count > 0:
            self._answer(model, due[:count])

    def _staff_today(self) -> bool:
        if self.affordable(self.cfg.cost_per_day) < 1:
            return False
        self.spend(self.cfg.cost_per_day)
        self.counts["staffed_days"] += 1
        return True

    def _answer(self, model: WomModel, rows: np.ndarray) -> None:
        cfg, t, s = self.cfg, model.t, model.state
        self.spend(cfg.cost_per_response * rows.size)
        answered_at = np.maximum(self.ready_at[rows], float(t))
        delay = answered_at - self.posted_on[rows]
        self.delays.extend(delay.tolist())
        who = self.who[rows]
        recovered = self.rng.random(rows.size) < recovery_probability(
            delay, cfg.recovery_max, cfg.recovery_halflife)
        back = who[recovered]
        s.attitude[back] = np.maximum(s.attitude[back], cfg.recovery_attitude)
        keep = s.customer[back]
        restored = self.loyalty_before[rows][recovered][keep] + cfg.recovery_bonus
        s.loyalty[back[keep]] = np.minimum(1.0, np.maximum(s.loyalty[back[keep]], restored))
        not_yet_shown = who[self.answered_until[who] < t]
        model.levers.message_credibility[not_yet_shown] *= cfg.answer_credibility
        self.answered_until[who] = t + cfg.answer_memory
        self.counts["complaints_answered"] += int(rows.size)
        self.counts["complaints_recovered"] += int(recovered.sum())
        done = np.ones(self.who.size, dtype=bool)
        done[rows] = False
        self.who, self.posted_on = self.who[done], self.posted_on[done]
        self.ready_at, self.loyalty_before = self.ready_at[done], self.loyalty_before[done]

    def report(self) -> dict:
        return {**self.counts,
                "complaints_backlog": int(self.who.size),
                "mean_response_delay_days": float(np.mean(self.delays)) if self.delays else None}
