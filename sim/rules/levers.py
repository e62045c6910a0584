"""Levers: what the brand's actions (strategies) change in one day's rules.

Strategies never draw the model's dynamics numbers: in the brand phase they set levers, and the
rules read them. Neutral levers reproduce the no-strategy run exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.population import ORGANIC
from sim.rules.kernels import reset_levers


@dataclass
class Levers:
    """Per-day modifiers of the rules, reset to neutral at the start of every day.

    Attributes
    ----------
    extra_awareness : float
        Added to ``model.media_awareness``: daily probability that an unaware consumer becomes
        aware through paid ads today (an unaware consumer whose media draw falls between the two
        thresholds is counted as reached by ads).
    ads_tone : float
        Attitude of consumers who become aware through ads today.
    awareness_factor : float64 array, shape (n,)
        Multiplies ``extra_awareness`` for each consumer (1 = unchanged; < 1 for consumers
        tired of the brand's ads: over-marketing fatigue).
    talk_multiplier : float64 array, shape (n,)
        Multiplies each consumer's probability of posting today (1 = unchanged).
    message_credibility : float64 array, shape (n,)
        Multiplies the credibility of each consumer's posts today (1 = unchanged; < 1 for
        incentivised messages or complaints answered in public).
    post_persuasion : float64 array, shape (n,)
        Multiplies the weight of each consumer's posts today in their readers' pull and signal,
        and in which post persuaded most (1 = unchanged; > 1 for better content, e.g. a UGC
        contest's entries). The chance of reading a post does not change.
    post_source : int8 array, shape (n,)
        Where a purchase caused by each consumer's post today comes from (a
        :data:`~sim.population.SOURCE_CODES` code: ``organic`` unless a strategy says otherwise,
        e.g. ``from_kol``, ``from_referral``), used to attribute conversions.
    purchase_multiplier : float64 array, shape (n,)
        Multiplies each consumer's probability of buying today (capped at 1; 1 = unchanged;
        e.g. a live stream's time-limited offer).
    loyalty_bonus : float64 array, shape (n,)
        Added to customers' loyalty in the loyalty phase (e.g. loyalty points).
    quality_shift : float64 array, shape (n,)
        Subtracted from the quality each consumer feels when using the product today (0 =
        unchanged; > 0 for those hit by a crisis: a failed batch, a scandal).
    """

    extra_awareness: float
    ads_tone: float
    awareness_factor: np.ndarray
    talk_multiplier: np.ndarray
    message_credibility: np.ndarray
    post_persuasion: np.ndarray
    post_source: np.ndarray
    purchase_multiplier: np.ndarray
    loyalty_bonus: np.ndarray
    quality_shift: np.ndarray

    #: the per-consumer multipliers, neutral at 1 (reset in this order)
    ONES = ("awareness_factor", "talk_multiplier", "message_credibility", "post_persuasion",
            "purchase_multiplier")
    #: the per-consumer additions, neutral at 0
    ZEROS = ("loyalty_bonus", "quality_shift")

    def reset(self, bounds: np.ndarray | None = None) -> None:
        """Back to neutral, in place (the arrays are reused); ``bounds`` as in
        :mod:`sim.rules.kernels` (chunks reset in parallel)."""
        self.extra_awareness = 0.0
        self.ads_tone = 0.0
        if bounds is None:
            bounds = np.array([0, self.talk_multiplier.size], dtype=np.int64)
        reset_levers(bounds, tuple(getattr(self, name) for name in self.ONES),
                     tuple(getattr(self, name) for name in self.ZEROS), self.post_source, ORGANIC)

    @classmethod
    def neutral(cls, n: int) -> Levers:
        """Levers that change nothing."""
        return cls(extra_awareness=0.0, ads_tone=0.0,
                   post_source=np.full(n, ORGANIC, dtype=np.int8),
                   **{name: np.ones(n) for name in cls.ONES},
                   **{name: np.zeros(n) for name in cls.ZEROS})
