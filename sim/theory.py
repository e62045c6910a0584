"""Closed-form and exact results that the diffusion presets are validated against."""

from __future__ import annotations

import numpy as np
from scipy import optimize

from sim.rules.presets import sir_transmissibility

__all__ = ["bass_recursion", "bass_two_node", "giant_component", "sir_transmissibility",
           "wom_as_si"]


def wom_as_si(attention: float, initial: int = 10) -> list[str]:
    """Overrides under which the word-of-mouth model's awareness spreads exactly like the ``sir``
    preset with ``beta = attention``, ``gamma = 0`` and ``initial_infected = initial``.

    Everyone aware is a promoter who posts every day (talkativeness 1, news never stale, no
    attitude decay, seeds with attitude 1), every tie is strong (w = 1), readers adopt the signal
    at once (susceptibility 1, huge persuasion, credibility 1), nobody buys and there is no mass
    media. A susceptible consumer with m aware neighbours then becomes aware on a day with
    probability 1 - (1 - attention)^m, which is SIR infection with beta = attention.
    """
    return ["model.media_awareness=0", f"model.initial_aware_count={initial}",
            "model.media_tone=1", f"model.attention={attention}", "model.persuasion=50",
            "model.news_memory=1e12", "model.hearsay_talk=1", "model.max_purchase_rate=0",
            "model.attitude_decay=0", "population.talkativeness.dist=constant",
            "population.talkativeness.mean=1", "population.susceptibility.dist=constant",
            "population.susceptibility.mean=1", "population.credibility.dist=constant",
            "population.credibility.mean=1", "graph.strong_tie_share=1"]


def bass_recursion(p: float, q: float, steps: int) -> np.ndarray:
    """Discrete Bass curve F(t+1) = F(t) + (p + q F(t)) (1 - F(t)), F(0) = 0; shape (steps+1,)."""
    f = np.zeros(steps + 1)
    for t in range(steps):
        f[t + 1] = f[t] + (p + q * f[t]) * (1 - f[t])
    return f


def bass_two_node(p: float, q: float, steps: int) -> np.ndarray:
    """Expected adopted fraction of the Bass preset on two linked nodes (exact Markov chain),
    the lower bound of adoption on networks; shape (steps+1,)."""
    none, one, both = 1.0, 0.0, 0.0
    out = [0.0]
    for _ in range(steps):
        none, one, both = (none * (1 - p) ** 2,
                           none * 2 * p * (1 - p) + one * (1 - p - q),
                           both + none * p * p + one * (p + q))
        out.append((one + 2 * both) / 2)
    return np.array(out)


def giant_component(c: float) -> float:
    """Largest root S of S = 1 - exp(-c S): the giant component of a Poisson graph with mean
    excess degree c (bond percolation / SIR final size); 0 when c <= 1."""
    if c <= 1:
        return 0.0
    return float(optimize.brentq(lambda s: s - 1 + np.exp(-c * s), 1e-9, 1.0))
