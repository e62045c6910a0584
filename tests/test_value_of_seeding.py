"""Libai, Muller & Peres (2013): without churn, over a horizon long enough for nearly everyone
who can buy to buy, the value of seeding is almost all acceleration; with churn, value the world
without seeding never has grows (docs/validation.md, "Where the value of seeding comes from")."""

from __future__ import annotations

import statistics

import pytest

from conftest import make_config
from sim.run import run

pytestmark = [pytest.mark.validation, pytest.mark.slow]

#: the study's scenario (sim/configs/experiment/value_of_seeding.yaml), seeds 0-9
SCENARIO = ("strategy=kol", "budget=10000", "steps=1000")


def shares(churn: float) -> dict[str, float]:
    """Each part's share of the mean incremental NPV over seeds 0-9."""
    runs = [run(make_config(*SCENARIO, f"model.churn_rate={churn}", f"seed={seed}")).metrics
            for seed in range(10)]
    total = statistics.mean(m["incremental_npv"] for m in runs)
    assert total > 0
    mean = {key: statistics.mean(m[key] for m in runs) / total
            for key in ("value_expansion", "value_acceleration", "value_lost", "value_retention")}
    mean["net_expansion"] = mean["value_expansion"] - mean["value_lost"]
    return mean


def test_seeding_value_is_acceleration_without_churn_and_less_so_with_it():
    # Limits from the spread of 20 blocks of 10 seeds (seeds 0-199): without churn the
    # acceleration share ranged 0.889-0.990 and the net expansion share 0.000-0.086; with
    # churn 0.2 the acceleration share ranged 0.609-0.717.
    without, with_churn = shares(0.0), shares(0.2)
    assert without["value_acceleration"] >= 0.85
    assert abs(without["net_expansion"]) <= 0.12
    assert with_churn["value_acceleration"] <= 0.78
    assert without["value_acceleration"] - with_churn["value_acceleration"] >= 0.12
