"""The random numbers one day of the word-of-mouth model uses, drawn up front per named stream.

Uniforms are float32 (resolution 2**-24, ample for daily probabilities) to halve the cost of
drawing them; both engines read the very same values.

Each phase draws a fixed number of values per consumer per day from its own stream, whoever is
eligible, so the draws a consumer faces on a day never depend on what other consumers or any
strategy did. Both engines read the same arrays, which is what makes them comparable draw for
draw and makes strategy comparisons use common random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.streams import Streams

#: stream names used by the word-of-mouth model's phases
DYNAMICS_STREAMS = ("media", "experience", "complaint", "talk", "hear", "adoption", "churn")


@dataclass(frozen=True)
class DayDraws:
    """Uniforms on [0, 1) (and one standard normal) for one day, each float32 of shape (n,).

    Attributes
    ----------
    media : an unaware consumer becomes aware through mass media when ``media < p``.
    use : a customer uses the product today when ``use < usage_rate``.
    noise : standard normal deviation of today's experience from product quality.
    complain : a dissatisfied user complains when ``complain < complaint_rate``.
    talk : a promoter/detractor posts when ``talk < p_post``.
    hear : a consumer with posting neighbours reads them when ``hear < p_hear``.
    adopt : an eligible consumer buys when ``adopt < p_buy``.
    churn : a customer below the churn threshold leaves when ``churn < churn_rate``.
    """

    media: np.ndarray
    use: np.ndarray
    noise: np.ndarray
    complain: np.ndarray
    talk: np.ndarray
    hear: np.ndarray
    adopt: np.ndarray
    churn: np.ndarray


class DrawSource:
    """Draws :class:`DayDraws` day after day from the ``dynamics.*`` streams of a run."""

    def __init__(self, streams: Streams, n: int):
        self.n = n
        self._rng = {name: streams.get(f"dynamics.{name}") for name in DYNAMICS_STREAMS}

    def day(self) -> DayDraws:
        """The next day's draws."""
        n, rng = self.n, self._rng
        experience = rng["experience"]
        f32 = np.float32
        use = experience.random(n, dtype=f32)
        noise = experience.standard_normal(n, dtype=f32)
        return DayDraws(
            media=rng["media"].random(n, dtype=f32),
            use=use,
            noise=noise,
            complain=rng["complaint"].random(n, dtype=f32),
            talk=rng["talk"].random(n, dtype=f32),
            hear=rng["hear"].random(n, dtype=f32),
            adopt=rng["adoption"].random(n, dtype=f32),
            churn=rng["churn"].random(n, dtype=f32),
        )
