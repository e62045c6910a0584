"""A scheduled crisis: a product failure or scandal that makes experiences fail for a while
(docs/model.md, "Crises").

From day ``day`` for ``duration`` days, each customer whose fixed crisis draw is below ``share``
is hit: every use of the product that day feels ``severity`` worse (the lever
:attr:`~sim.rules.levers.Levers.quality_shift`), so satisfaction falls and complaints surge.
Each consumer's draw comes once, when the model is built, from the stream ``dynamics.crisis``;
so the same consumers are hit in a run and in its twin, whatever the strategies do, and
customers who buy during the crisis can be hit too. Both engines read the lever.
"""

from __future__ import annotations

import numpy as np

from sim.population import State
from sim.rules.levers import Levers


class Crisis:
    """The crisis of ``n`` consumers under ``cfg`` (a
    :class:`~sim.config.mechanisms.CrisisConfig`; None or ``day=None``: no crisis).

    Attributes
    ----------
    on : bool
        Whether a crisis is scheduled.
    start, end : int
        Its first and last day (0, -1 without a crisis).
    hit : bool array, shape (n,) (empty without a crisis)
        Consumers hit so far.
    hit_today : int64 array
        The consumers hit today (empty on other days).
    """

    def __init__(self, cfg, n: int, rng: np.random.Generator):
        self.cfg = cfg
        self.on = cfg is not None and cfg.day is not None
        self.start = int(cfg.day) if self.on else 0
        self.end = self.start + int(cfg.duration) - 1 if self.on else -1
        self._draw = rng.random(n) if self.on else np.zeros(0)
        self.hit = np.zeros(n if self.on else 0, dtype=bool)
        self.hit_today = np.zeros(0, dtype=np.int64)

    def active(self, t: int) -> bool:
        """Whether day ``t`` is a crisis day."""
        return self.on and self.start <= t <= self.end

    def brand_phase(self, t: int, state: State, levers: Levers) -> None:
        """On a crisis day: today's customers under the share are hit, their experiences today
        ``severity`` worse."""
        if not self.active(t):
            self.hit_today = self.hit_today[:0]
            return
        today = np.flatnonzero(state.customer & (self._draw < self.cfg.share))
        self.hit[today] = True
        self.hit_today = today
        levers.quality_shift[today] = self.cfg.severity
