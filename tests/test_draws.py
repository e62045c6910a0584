"""The counter-based daily draws: their definition, their distribution, and the two ways to read
them (the day's full table and on the spot) agreeing."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from scipy import stats

from sim.rules.draws import (
    DYNAMICS_STREAMS,
    NOISE,
    NORMAL_TABLE,
    DayDraws,
    DrawSource,
    draw,
    draw_normal,
    normal,
    uniform,
)
from sim.streams import Streams

MASK = 2**64 - 1


def splitmix64(key: int, t: int, i: int) -> int:
    """The plain definition: SplitMix64's output at position t * 2**32 + i after ``key``."""
    z = (key + (t * 2**32 + i) * 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


@numba.njit
def _on_the_spot(keys, t, n, out):
    empty = np.zeros(0, dtype=np.float32)
    for s in range(out.shape[0]):
        for i in range(n):
            if s == NOISE:
                out[s, i] = draw_normal(empty, keys[s], t, i)
            else:
                out[s, i] = draw(empty, keys[s], t, i)


def test_uniforms_follow_the_plain_definition():
    key = Streams(4).key("dynamics.talk")
    for t, i in [(0, 0), (1, 0), (1, 1), (17, 999_999), (180, 2**31)]:
        assert uniform(np.uint64(key), t, i) == (splitmix64(key, t, i) >> 40) / 2**24


def test_the_days_table_equals_the_draws_computed_on_the_spot():
    source = DrawSource(Streams(11), 500)
    for t in (1, 2, 90):
        table = np.stack([getattr(source.day(t), f) for f in
                          ("media", "use", "noise", "complain", "talk", "hear", "adopt",
                           "churn")])
        spot = np.empty((len(DYNAMICS_STREAMS), 500))
        _on_the_spot(source.keys, t, 500, spot)
        assert np.array_equal(table.astype(np.float64), spot)


def test_draws_depend_on_seed_stream_day_and_consumer_only():
    a, b = DrawSource(Streams(3), 1000), DrawSource(Streams(3), 2000)
    assert np.array_equal(a.day(5).talk, b.day(5).talk[:1000])  # not on n
    assert not np.array_equal(a.day(5).talk, a.day(6).talk)
    assert not np.array_equal(a.day(5).talk, a.day(5).hear)
    assert not np.array_equal(a.day(5).talk, DrawSource(Streams(4), 1000).day(5).talk)


def test_uniforms_and_normals_have_the_right_distribution():
    source = DrawSource(Streams(0), 200_000)
    day = source.day(7)
    for name in ("media", "use", "complain", "talk", "hear", "adopt", "churn"):
        values = getattr(day, name).astype(np.float64)
        assert values.min() >= 0.0 and values.max() < 1.0
        assert stats.kstest(values, "uniform").pvalue > 0.01, name
    noise = day.noise.astype(np.float64)
    assert stats.kstest(noise, "norm").pvalue > 0.01
    assert abs(noise.mean()) < 0.01 and abs(noise.std() - 1.0) < 0.01
    assert np.abs(noise).max() <= NORMAL_TABLE[-1] + 1e-6
    # streams, days and neighbouring consumers are uncorrelated
    other = source.day(8)
    for x, y in [(day.talk, day.hear), (day.talk, other.talk), (day.talk[:-1], day.talk[1:])]:
        assert abs(np.corrcoef(x, y)[0, 1]) < 0.01


def test_normal_is_the_interpolated_inverse_cdf():
    key = np.uint64(Streams(2).key("dynamics.noise"))
    for i in range(50):
        u = (splitmix64(int(key), 3, i) >> 40) / 2**24
        assert normal(key, 3, i) == pytest.approx(stats.norm.ppf(u), abs=2e-3) or abs(
            stats.norm.ppf(u)) > 3.5


def test_explicit_tables_are_read_as_given():
    draws = DayDraws(media=np.array([0.25, 0.5]))
    assert draw(draws.media, draws.keys[0], 1, 1) == 0.5
