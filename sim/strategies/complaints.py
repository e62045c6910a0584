"""The queue of complaints waiting for a public answer, shared by the strategies that answer
complaints (``fast_response``, ``crisis_plan``); its compiled parts are in
:mod:`sim.strategies.kernels`."""

from __future__ import annotations

import numpy as np

from sim.strategies import kernels


class ComplaintQueue:
    """Unanswered complaints in order of arrival (the first :attr:`size` entries of the
    arrays), and until when each consumer's posts carry a public answer.

    Attributes
    ----------
    size : int
        Complaints waiting.
    who, posted_on, ready_at, loyalty_before : arrays
        Per complaint: the complainer, the day posted, the day it can be answered, and the
        complainer's loyalty when complaining.
    answered_until : int64 array, shape (n,)
        Last day each consumer's posts are discounted by a public answer (-1: none).
    recoveries : int64 array, shape (n,)
        How many times each consumer has been recovered (a later recovery gives back less:
        ``repeat_recovery``).
    """

    def __init__(self) -> None:
        self.size = 0
        self.who = np.zeros(16, dtype=np.int64)
        self.posted_on = np.zeros(16)
        self.ready_at = np.zeros(16)
        self.loyalty_before = np.zeros(16)
        self.rows = np.zeros(16, dtype=np.int64)
        self.answered_until = np.zeros(0, dtype=np.int64)
        self.recoveries = np.zeros(0, dtype=np.int64)

    def setup(self, n: int) -> None:
        """Size the per-consumer memory of answers for ``n`` consumers."""
        self.answered_until = np.full(n, -1, dtype=np.int64)
        self.recoveries = np.zeros(n, dtype=np.int64)

    def add(self, who: np.ndarray, t: int, delays: np.ndarray, loyalty: np.ndarray) -> None:
        """Append today's complaints by ``who`` (posted on day ``t``, ready ``delays`` later,
        with the complainers' current ``loyalty``)."""
        end = self.size + who.size
        if end > self.who.size:
            grow = max(end, 2 * self.who.size)
            for name in ("who", "posted_on", "ready_at", "loyalty_before", "rows"):
                old = getattr(self, name)
                new = np.zeros(grow, dtype=old.dtype)
                new[:self.size] = old[:self.size]
                setattr(self, name, new)
        self.size = kernels.enqueue(who, t, delays, loyalty, self.who, self.posted_on,
                                    self.ready_at, self.loyalty_before, self.size)

    def due(self, t: int, limit: int) -> np.ndarray:
        """The rows of up to ``limit`` complaints ready on day ``t``, oldest first."""
        count = kernels.due_rows(self.ready_at, self.size, t, limit, self.rows)
        return self.rows[:count]

    def answer(self, rows: np.ndarray, t: int, draws: np.ndarray, cfg, state,
               credibility: np.ndarray) -> tuple[int, float]:
        """Answer ``rows`` on day ``t`` (service recovery with ``draws``, the answers' public
        credibility discount; ``cfg`` has the recovery and answer parameters) and take them off
        the queue; returns (recovered, sum of the answers' delays in days)."""
        recovered, delay_sum, self.size = kernels.answer(
            rows, t, self.who, self.posted_on, self.ready_at, self.loyalty_before, self.size,
            draws, cfg.recovery_max, cfg.recovery_halflife, cfg.recovery_attitude,
            cfg.recovery_bonus, cfg.repeat_recovery, cfg.answer_credibility, cfg.answer_memory,
            state.attitude, state.customer, state.loyalty, credibility, self.answered_until,
            self.recoveries)
        return recovered, delay_sum
