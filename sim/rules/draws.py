"""The random numbers one day of the word-of-mouth model uses: one per consumer, day and stream.

The draws are *counter-based*: the uniform that consumer ``i`` faces on day ``t`` in stream ``s``
is a fixed function of the stream's 64-bit key (from the run's seed and the stream's name, see
:meth:`sim.streams.Streams.key`), ``t`` and ``i`` -- the SplitMix64 output at position
``t * 2**32 + i`` of the stream. Every value is therefore determined before the run starts, as if
the whole table had been drawn up front, and an engine may read any entry in any order: the
vectorised engine computes only the entries a phase actually uses, inside its compiled loops; the
per-agent reference reads the day's full table (:meth:`DrawSource.day`). Both see the very same
values, which is what makes them agree draw for draw, and what makes strategy comparisons use
common random numbers: the draws a consumer faces never depend on what other consumers or any
strategy did.

Uniforms have 24 bits (multiples of 2**-24 on [0, 1), exact in float32); the normal deviate of
the experience phase is the inverse normal CDF of such a uniform, interpolated in a table of
16,384 quantiles and rounded to float32 (so it is truncated at +-4.01: a true normal goes
beyond that with probability 6e-5).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numba
import numpy as np
from scipy.special import ndtri

from sim.streams import Streams

#: stream names used by the word-of-mouth model's phases, in the order of ``DayDraws`` fields
DYNAMICS_STREAMS = ("media", "use", "noise", "complaint", "talk", "hear", "adoption", "churn")
#: index of each stream's key in ``DayDraws.keys``
MEDIA, USE, NOISE, COMPLAIN, TALK, HEAR, ADOPT, CHURN = range(8)

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
#: quantiles of the standard normal at the midpoints of 2**14 equal bins of [0, 1]
NORMAL_TABLE = ndtri((np.arange(2**14) + 0.5) / 2**14)
_NORMAL_SCALE = 2.0**-24 * NORMAL_TABLE.size
_jit = numba.njit(cache=True, nogil=True)


@numba.njit(cache=True, nogil=True, inline="always")
def bits(key, t, i):
    """64 random bits for (stream key, day, consumer): SplitMix64 at position t * 2**32 + i."""
    z = np.uint64(key) + (np.uint64(t) * np.uint64(4294967296) + np.uint64(i)) * _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@numba.njit(cache=True, nogil=True, inline="always")
def uniform(key, t, i):
    """The uniform on [0, 1) (24 bits) for (stream key, day, consumer), as float64."""
    return np.float64(bits(key, t, i) >> np.uint64(40)) * 5.960464477539063e-08


@numba.njit(cache=True, nogil=True, inline="always")
def normal(key, t, i):
    """The standard normal for (stream key, day, consumer), rounded to float32: the inverse
    normal CDF of the 24-bit uniform, interpolated linearly in a table of
    ``NORMAL_TABLE.size`` quantiles (so it never exceeds ``NORMAL_TABLE[-1]`` ~ 4.01)."""
    u = np.float64(bits(key, t, i) >> np.uint64(40)) * _NORMAL_SCALE - 0.5
    k = min(max(np.int64(u), 0), NORMAL_TABLE.size - 2)
    frac = min(max(u - k, 0.0), 1.0)
    lo = NORMAL_TABLE[k]
    return np.float64(np.float32(lo + frac * (NORMAL_TABLE[k + 1] - lo)))


@numba.njit(cache=True, nogil=True, inline="always")
def draw(table, key, t, i):
    """Entry ``i`` of a day's pre-computed ``table`` row, or, when the row is empty, the same
    value computed on the spot from the stream key."""
    if table.size == 0:
        return uniform(key, t, i)
    return np.float64(table[i])


@numba.njit(cache=True, nogil=True, inline="always")
def draw_normal(table, key, t, i):
    """Like :func:`draw`, for the normal deviate."""
    if table.size == 0:
        return normal(key, t, i)
    return np.float64(table[i])


@_jit
def fill_day(keys, t, out):
    """Fill ``out`` (shape (8, n), float32) with day ``t``'s draws of every stream."""
    for s in range(out.shape[0]):
        key = keys[s]
        row = out[s]
        if s == NOISE:
            for i in range(row.size):
                row[i] = normal(key, t, i)
        else:
            for i in range(row.size):
                row[i] = uniform(key, t, i)


_EMPTY = np.zeros(0, dtype=np.float32)


def _empty() -> np.ndarray:
    return _EMPTY


def _no_keys() -> np.ndarray:
    return np.zeros(len(DYNAMICS_STREAMS), dtype=np.uint64)


@dataclass(frozen=True)
class DayDraws:
    """One day's draws, float32 (or float64) arrays of shape (n,), or empty to be computed on
    the spot from ``keys`` (see the module docstring).

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
    keys : uint64, shape (8,)
        The streams' keys, in the order of the fields above (used for empty fields).
    """

    media: np.ndarray = field(default_factory=_empty)
    use: np.ndarray = field(default_factory=_empty)
    noise: np.ndarray = field(default_factory=_empty)
    complain: np.ndarray = field(default_factory=_empty)
    talk: np.ndarray = field(default_factory=_empty)
    hear: np.ndarray = field(default_factory=_empty)
    adopt: np.ndarray = field(default_factory=_empty)
    churn: np.ndarray = field(default_factory=_empty)
    keys: np.ndarray = field(default_factory=_no_keys)


class DrawSource:
    """The draws of a run's ``dynamics.*`` streams."""

    def __init__(self, streams: Streams, n: int):
        self.n = n
        self.keys = np.array([streams.key(f"dynamics.{name}") for name in DYNAMICS_STREAMS],
                             dtype=np.uint64)

    def lazy(self) -> DayDraws:
        """Draws that the kernels compute on the spot (nothing is materialised)."""
        return DayDraws(keys=self.keys)

    def day(self, t: int) -> DayDraws:
        """Day ``t``'s full table of draws (8 float32 arrays of n)."""
        table = np.empty((len(DYNAMICS_STREAMS), self.n), dtype=np.float32)
        fill_day(self.keys, t, table)
        return DayDraws(*table, keys=self.keys)
