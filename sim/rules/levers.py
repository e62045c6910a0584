"""Levers: what the brand's actions (strategies) change in one day's rules.

Strategies never draw the model's dynamics numbers: in the brand phase they set levers, and the
rules read them. Neutral levers reproduce the no-strategy run exactly.
"""

from __future__ import annotations

import numpy as np

from sim.population import ORGANIC
from sim.rules.kernels import NO_LEVER, reset_levers


class Levers:
    """Per-day modifiers of the rules, reset to neutral at the start of every day.

    A per-consumer array is made the first time it is asked for by name (a strategy setting
    it): until then the rules' kernels read the lever's neutral value (:meth:`read`), so a run
    without strategies holds no lever array of ``n`` but ``post_source``, and resets none of
    them (a national market of 10**8 consumers saves 5.6 GB). Once made, an array lives for
    the rest of the run and is reset each day.

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

    #: the per-consumer multipliers, neutral at 1 (reset in this order)
    ONES = ("awareness_factor", "talk_multiplier", "message_credibility", "post_persuasion",
            "purchase_multiplier")
    #: the per-consumer additions, neutral at 0
    ZEROS = ("loyalty_bonus", "quality_shift")

    def __init__(self, n: int):
        self.extra_awareness = 0.0
        self.ads_tone = 0.0
        self.post_source = np.full(n, ORGANIC, dtype=np.int8)
        self._made: dict[str, np.ndarray] = {}

    @classmethod
    def neutral(cls, n: int) -> Levers:
        """Levers that change nothing."""
        return cls(n)

    @staticmethod
    def neutral_value(name: str) -> float:
        """The value of lever ``name`` that changes nothing: 1 for a multiplier, 0 for an
        addition."""
        if name in Levers.ONES:
            return 1.0
        if name in Levers.ZEROS:
            return 0.0
        raise AttributeError(f"no per-consumer lever {name!r}")

    def read(self, name: str) -> np.ndarray:
        """Today's values of lever ``name`` for the rules' kernels: the lever's own array once a
        strategy has asked for it, else :data:`~sim.rules.kernels.NO_LEVER` (empty: the kernels
        use the neutral value, :func:`~sim.rules.kernels.lever`)."""
        self.neutral_value(name)  # an unknown name fails here
        made = self._made.get(name)
        return made if made is not None else NO_LEVER

    def made(self) -> tuple[str, ...]:
        """The names of the per-consumer levers made so far (asked for by name)."""
        return tuple(self._made)

    def __getattr__(self, name: str) -> np.ndarray:
        # only called for names not set on the instance: the per-consumer levers, made neutral
        # on first use by name, since the caller may write them
        if name.startswith("_"):
            raise AttributeError(name)
        made = self.__dict__["_made"]
        array = made.get(name)
        if array is None:
            array = made[name] = np.full(self.post_source.size, self.neutral_value(name))
        return array

    def __setattr__(self, name: str, value: object) -> None:
        if name in self.ONES or name in self.ZEROS:  # e.g. ``levers.talk_multiplier *= x``
            array = np.asarray(value, dtype=np.float64)
            if array.shape != self.post_source.shape:
                raise ValueError(f"levers.{name} must have shape {self.post_source.shape}, "
                                 f"got {array.shape}")
            self._made[name] = array
            return
        object.__setattr__(self, name, value)

    def reset(self, bounds: np.ndarray | None = None) -> None:
        """Back to neutral, in place (the arrays are reused); ``bounds`` as in
        :mod:`sim.rules.kernels` (chunks reset in parallel)."""
        self.extra_awareness = 0.0
        self.ads_tone = 0.0
        if bounds is None:
            bounds = np.array([0, self.post_source.size], dtype=np.int64)
        made = self._made
        reset_levers(bounds, tuple(made[name] for name in self.ONES if name in made),
                     tuple(made[name] for name in self.ZEROS if name in made), self.post_source,
                     ORGANIC)
