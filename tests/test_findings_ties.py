"""Strong and weak ties, and mass media's share of new customers (Goldenberg, Libai & Muller
2001; docs/validation.md, "Marketing findings").

Goldenberg, Libai & Muller ("Talk of the network", Marketing Letters 12(3), 2001) varied the
chance that a strong tie and that a weak tie passes the word in a cellular-automata model and
measured the time to reach a given penetration: the weak ties' effect approximated or exceeded
the strong ties', although each weak tie is less likely to pass the word; advertising's share of
new adopters is high early and falls over time.

Here the factorial is on the default graph (BA, 2,000 consumers; 30 % of ties strong, w = 1, the
others weak, w = 0.3), run for 180 days: each class's strength is cut by a third on its own
(strong ties to 2/3, or weak ties to 0.2), the same graph, ties and draws otherwise. A relative
cut is an elasticity: it weighs each class at its own level, as a weak tie's lower chance of
passing the word asks; an equal absolute cut would favour the weak ties (0.1 is a third of a
weak tie, a tenth of a strong one). A strong tie is already at the largest strength, 1, so the
classes are cut rather than raised (raising the weak ties to 0.45 speeds the default up by
about as much as cutting them to 0.2 slows it down).

Every limit comes from the spread of 10 blocks of 10 seeds (seeds 0-99) of the same
computation (``python experiments/validation.py --findings`` prints the figures of seeds 0-9).
"""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
import pytest

from conftest import make_config
from sim.graphs import build_graph
from sim.population import SOURCE_CODES
from sim.run import build_model
from sim.streams import Streams

pytestmark = [pytest.mark.validation, pytest.mark.slow]

#: the default model on the default graph for 180 days
TIES = ("baseline=none", "output.plot=false", "output.summary=false", "steps=180")
#: (strong, weak) tie strengths: the defaults, strong ties cut by a third, weak ties cut by a third
DEFAULT, STRONG_CUT, WEAK_CUT = (1.0, 0.3), (2 / 3, 0.3), (1.0, 0.2)
SEEDS = range(10)
#: periods (first and last day) of the mass-media share of new customers
PERIODS = ((1, 28), (29, 56), (57, 90), (91, 180))


@functools.cache
def tie_run(seed: int, strong: float, weak: float) -> dict[str, np.ndarray]:
    """The default model on seed ``seed``'s default graph with strong ties of strength
    ``strong`` and weak ties of strength ``weak`` (the same ties, population and draws): reach
    and adoption per day, and new customers per day, all and from mass media (aware through
    mass media, no post read: the source ``from_media``)."""
    cfg = make_config(*TIES, f"seed={seed}")
    graph = build_graph(cfg.graph, Streams(seed).get("graph"))
    assert set(np.unique(graph.weights)) == {np.float32(1.0), np.float32(0.3)}
    weights = np.where(graph.weights == 1.0, strong, weak).astype(np.float32)
    model = build_model(cfg, graph=replace(graph, ties=weights, levels=None))
    model.run(cfg.steps)
    buyers = np.zeros(cfg.steps + 1, dtype=np.int64)
    media = np.zeros(cfg.steps + 1, dtype=np.int64)
    for day, who, source, _ in model.conversions:
        buyers[day] += who.size
        media[day] += int((source == SOURCE_CODES["from_media"]).sum())
    return {"reach": np.array([r["reach"] for r in model.records]),
            "adoption": np.array([r["adoption"] for r in model.records]),
            "buyers": buyers, "media": media}


def crossing_day(curve: np.ndarray, level: float) -> int:
    """The first day ``curve`` reaches ``level``."""
    reached = np.flatnonzero(curve >= level)
    assert reached.size, f"{level} not reached in {curve.size - 1} days"
    return int(reached[0])


def delays(seeds: range, column: str, level: float) -> dict[str, float]:
    """Mean over ``seeds`` of the days by which cutting the strong ties (``strong``) and the
    weak ties (``weak``) by a third delays the day ``column`` reaches ``level``."""
    out: dict[str, list[int]] = {"strong": [], "weak": []}
    for seed in seeds:
        base = crossing_day(tie_run(seed, *DEFAULT)[column], level)
        for name, strengths in (("strong", STRONG_CUT), ("weak", WEAK_CUT)):
            out[name].append(crossing_day(tie_run(seed, *strengths)[column], level) - base)
    return {name: float(np.mean(days)) for name, days in out.items()}


def test_weak_ties_spread_the_word_at_least_as_much_as_strong_ties():
    """Goldenberg, Libai & Muller (2001): the weak ties' effect on the time to a given
    penetration approximates or exceeds the strong ties'. The word passing is awareness: the
    day half the consumers have heard of the brand (day 146 under the defaults, seeds 0-9).
    Cutting the weak ties by a third delays it by 4.8 days, cutting the strong ties by 4.2
    (seeds 0-9: weak / strong 1.14).

    Limits from 10 blocks of 10 seeds (seeds 0-99): weak / strong 1.14-1.89 (median 1.45;
    seeds 0-9 are the lowest block), delays 2.7-4.7 days (strong) and 4.8-6.5 (weak). The test
    asks for the finding itself, weak / strong >= 1, and each cut to delay by a day or more."""
    delay = delays(SEEDS, "reach", 0.5)
    assert delay["strong"] >= 1 and delay["weak"] >= 1, delay
    assert delay["weak"] / delay["strong"] >= 1.0, delay


def test_on_purchases_weak_ties_weigh_less_than_strong_ties():
    """The purchase side of the same factorial, where the model departs from the finding: a
    post read over a weak tie informs as well as one over a strong tie but moves attitude less
    (its weight is w), and buying takes a moved attitude. The day 16 % of consumers have bought
    (day 124 under the defaults) is delayed 2.7 days by the weak-tie cut and 4.6 by the
    strong-tie cut (seeds 0-9: weak / strong 0.59); the ratio rises over the life cycle (seeds
    0-99: 0.19 at 2.5 %, 0.53 at 10 %, 0.71 at 16 %, 0.82 at 25 %).

    Limits from 10 blocks of 10 seeds (seeds 0-99): weak / strong 0.50-0.89 (median 0.70),
    delays 4.1-4.9 days (strong) and 2.4-4.2 (weak). The test asks for weak / strong in
    0.35-1.05 and each cut to delay by a day or more: a model in which weak ties came to
    weigh as much on purchases would fail it and should be documented anew."""
    delay = delays(SEEDS, "adoption", 0.16)
    assert delay["strong"] >= 1 and delay["weak"] >= 1, delay
    assert 0.35 <= delay["weak"] / delay["strong"] <= 1.05, delay


def media_shares(seeds: range) -> list[float]:
    """The share of new customers from mass media in each of :data:`PERIODS`, pooled over
    ``seeds`` (default tie strengths)."""
    runs = [tie_run(seed, *DEFAULT) for seed in seeds]
    return [sum(int(r["media"][first:last + 1].sum()) for r in runs)
            / sum(int(r["buyers"][first:last + 1].sum()) for r in runs)
            for first, last in PERIODS]


def test_mass_media_share_of_new_customers_is_high_early_and_falls():
    """Goldenberg, Libai & Muller (2001): advertising's share of new adopters is high in the
    first stage and falls quickly. Default model, 180 days, seeds 0-9 pooled: the share of new
    customers whose source is mass media (aware through it, no post read) is 0.97 in days
    1-28, 0.77 in 29-56, 0.54 in 57-90 and 0.29 in 91-180.

    Limits from 10 blocks of 10 seeds (seeds 0-99): 0.930-0.985, 0.728-0.822, 0.536-0.583,
    0.265-0.295, each period at least 0.137 below the one before. The test asks for at least
    0.85 in days 1-28, at most 0.40 in days 91-180 and a fall of at least 0.05 from each
    period to the next."""
    shares = media_shares(SEEDS)
    assert shares[0] >= 0.85, shares
    assert shares[-1] <= 0.40, shares
    falls = np.diff(shares)
    assert (falls <= -0.05).all(), shares
