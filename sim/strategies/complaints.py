"""The queue of complaints waiting for a public answer, shared by the strategies that answer
complaints (``fast_response``, ``crisis_plan``); its compiled parts are in
:mod:`sim.strategies.kernels`.

The queue is a binary min-heap ordered by the day each complaint can be answered, then by
arrival, so a day costs O((answers + new complaints) · log backlog) whatever the backlog: the
team takes the earliest ready complaints off the top and never scans the rest.
"""

from __future__ import annotations

import numpy as np

from sim.strategies import kernels

#: the per-complaint arrays of the heap, and of the batch taken off it
_HEAP = ("ready_at", "seq", "who", "posted_on", "loyalty_before")
_BATCH = ("batch_who", "batch_posted", "batch_ready", "batch_before")


class ComplaintQueue:
    """Unanswered complaints (the first :attr:`size` entries of the heap arrays), and until when
    each consumer's posts carry a public answer.

    Attributes
    ----------
    size : int
        Complaints waiting.
    ready_at, seq, who, posted_on, loyalty_before : arrays
        Per complaint (in heap order): the day it can be answered, its arrival number, the
        complainer, the day posted, and the complainer's loyalty when complaining.
    answered_until : int64 array, shape (n,)
        Last day each consumer's posts are discounted by a public answer (-1: none).
    recoveries : int64 array, shape (n,)
        How many times each consumer has been recovered (a later recovery gives back less:
        ``repeat_recovery``).
    """

    def __init__(self) -> None:
        self.size = 0
        self.next_seq = 0
        self.ready_at = np.zeros(16)
        self.seq = np.zeros(16, dtype=np.int64)
        self.who = np.zeros(16, dtype=np.int64)
        self.posted_on = np.zeros(16)
        self.loyalty_before = np.zeros(16)
        self.batch_who = np.zeros(16, dtype=np.int64)
        self.batch_posted = np.zeros(16)
        self.batch_ready = np.zeros(16)
        self.batch_before = np.zeros(16)
        self.rows = np.arange(16, dtype=np.int64)
        self.answered_until = np.zeros(0, dtype=np.int64)
        self.recoveries = np.zeros(0, dtype=np.int64)

    def setup(self, n: int) -> None:
        """Size the per-consumer memory of answers for ``n`` consumers."""
        self.answered_until = np.full(n, -1, dtype=np.int64)
        self.recoveries = np.zeros(n, dtype=np.int64)

    def _grow(self, names: tuple[str, ...], need: int, keep: int) -> None:
        if need <= getattr(self, names[0]).size:
            return
        grow = max(need, 2 * getattr(self, names[0]).size)
        for name in names:
            old = getattr(self, name)
            new = np.zeros(grow, dtype=old.dtype)
            new[:keep] = old[:keep]
            setattr(self, name, new)

    def add(self, who: np.ndarray, t: int, delays: np.ndarray, loyalty: np.ndarray) -> None:
        """Queue today's complaints by ``who`` (posted on day ``t``, ready ``delays`` later,
        with the complainers' current ``loyalty``)."""
        self._grow(_HEAP, self.size + who.size, self.size)
        self.size, self.next_seq = kernels.enqueue(
            who, t, delays, loyalty, self.ready_at, self.seq, self.who, self.posted_on,
            self.loyalty_before, self.size, self.next_seq)

    def due(self, t: int, limit: int) -> np.ndarray:
        """Take off the queue up to ``limit`` complaints ready on day ``t``, earliest ready
        first; returns their rows in the batch that :meth:`answer` answers."""
        self._grow(_BATCH, min(limit, self.size), 0)
        if self.rows.size < self.batch_who.size:
            self.rows = np.arange(self.batch_who.size, dtype=np.int64)
        count, self.size = kernels.pop_due(
            t, limit, self.ready_at, self.seq, self.who, self.posted_on, self.loyalty_before,
            self.size, self.batch_who, self.batch_posted, self.batch_ready, self.batch_before)
        return self.rows[:count]

    def answer(self, rows: np.ndarray, t: int, draws: np.ndarray, cfg, state,
               credibility: np.ndarray) -> tuple[int, float]:
        """Answer the batch ``rows`` (from :meth:`due`) on day ``t`` (service recovery with
        ``draws``, the answers' public credibility discount; ``cfg`` has the recovery and answer
        parameters); returns (recovered, sum of the answers' delays in days)."""
        return kernels.answer(
            rows.size, t, self.batch_who, self.batch_posted, self.batch_ready,
            self.batch_before, draws, cfg.recovery_max, cfg.recovery_halflife,
            cfg.recovery_attitude, cfg.recovery_bonus, cfg.repeat_recovery,
            cfg.answer_credibility, cfg.answer_memory, state.attitude, state.customer,
            state.loyalty, credibility, self.answered_until, self.recoveries)
