"""Test functions with known sensitivity indices, run through the same machinery as womsim.

A study whose YAML names ``function: sim.sensitivity.functions:ishigami`` evaluates the
function instead of a womsim run: same sampling, same parallel and resumable execution, same
seed averaging and analysis. ``tests/test_sensitivity.py`` checks the indices it finds against
the analytic ones given here.

Every function takes the sample's values by parameter name and a seed, and returns the outputs
by metric name, as :func:`sim.sensitivity.evaluate.womsim_outputs` does for a run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np


def ishigami(values: Mapping[str, float], seed: int, a: float = 7.0,
             b: float = 0.1) -> dict[str, float]:
    """Ishigami & Homma (1990): ``y = sin x1 + a sin² x2 + b x3⁴ sin x1`` with x_i uniform on
    [-π, π] (parameters ``x1``, ``x2``, ``x3``); the seed is not used."""
    x1, x2, x3 = values["x1"], values["x2"], values["x3"]
    return {"y": math.sin(x1) + a * math.sin(x2) ** 2 + b * x3 ** 4 * math.sin(x1)}


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> dict[str, dict[str, float]]:
    """The Ishigami function's first-order (``S1``) and total (``ST``) indices, by parameter.

    With x_i uniform on [-π, π]: V1 = (1 + b π⁴/5)² / 2, V2 = a²/8, V3 = 0, V13 = 8 b² π⁸ / 225
    and V = V1 + V2 + V13 (Saltelli et al. 2008, Global Sensitivity Analysis: The Primer,
    section 4.7)."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = 8 * b**2 * pi**8 / 225
    total = v1 + v2 + v13
    return {"x1": {"S1": v1 / total, "ST": (v1 + v13) / total},
            "x2": {"S1": v2 / total, "ST": v2 / total},
            "x3": {"S1": 0.0, "ST": v13 / total}}


#: the weights of :func:`linear`, by parameter
LINEAR_WEIGHTS = {"x1": 4.0, "x2": 2.0, "x3": 1.0, "x4": 0.0}


def linear(values: Mapping[str, float], seed: int) -> dict[str, float]:
    """An additive function ``y = Σ w_i x_i`` (weights :data:`LINEAR_WEIGHTS`) plus noise that
    depends on the seed only, as a simulation's luck does under common random numbers: averaged
    over the same seeds for every sample, the noise adds the same constant to each, so the
    indices are those of the noiseless function. ``y_private`` adds noise that differs from
    sample to sample too (as with independent seeds), which does not average away.
    ``y_partial`` is ``y`` without noise where ``x1 <= 0.9`` and has no value (NaN) elsewhere,
    as retention has none where nobody bought."""
    y = sum(w * values[name] for name, w in LINEAR_WEIGHTS.items())
    common = np.random.default_rng([seed, 0]).normal(0.0, 1.0)
    key = [seed, 1, *np.frombuffer(np.array(list(values.values())).tobytes(), np.uint32)]
    private = np.random.default_rng(key).normal(0.0, 1.0)
    partial = y if values["x1"] <= 0.9 else math.nan
    return {"y": y + float(common), "y_private": y + float(private), "y_partial": partial}


def linear_indices(bounds: Mapping[str, tuple[float, float]]) -> dict[str, dict[str, float]]:
    """:func:`linear`'s indices without noise for x_i uniform on ``bounds``: the share of each
    term in the variance, ``w_i² (hi - lo)² / Σ_j w_j² (hi_j - lo_j)²``, first-order and total
    alike (no interactions)."""
    parts = {name: (w * (bounds[name][1] - bounds[name][0])) ** 2
             for name, w in LINEAR_WEIGHTS.items()}
    total = sum(parts.values())
    return {name: {"S1": v / total, "ST": v / total} for name, v in parts.items()}
