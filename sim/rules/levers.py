"""Levers: what the brand's actions (strategies) change in one day's rules.

Strategies never draw the model's dynamics numbers and never bypass the rules: in the brand
phase they set levers, and the rules read them. Neutral levers reproduce the no-strategy run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Levers:
    """Per-day modifiers of the rules, reset to neutral at the start of every day.

    Attributes
    ----------
    extra_awareness : float
        Added to ``model.media_awareness``: daily probability that an unaware consumer becomes
        aware through paid media today.
    talk_multiplier : float64 array, shape (n,)
        Multiplies each consumer's probability of posting today (1 = unchanged).
    message_credibility : float64 array, shape (n,)
        Multiplies the credibility of each consumer's posts today (1 = unchanged; < 1 for
        incentivised messages, which are trusted less).
    """

    extra_awareness: float
    talk_multiplier: np.ndarray
    message_credibility: np.ndarray

    @classmethod
    def neutral(cls, n: int) -> Levers:
        """Levers that change nothing."""
        return cls(extra_awareness=0.0, talk_multiplier=np.ones(n), message_credibility=np.ones(n))
