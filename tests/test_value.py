"""The value model: revenue, margin, NPV, and a plan's figures against its counterfactual twin."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import make_config
from sim.config import ValueConfig
from sim.run import run
from sim.value import daily_discount, first_purchases, incremental, run_value

N = 100


def rows(customers, loyalty, churned, purchases):
    """Time-series rows as the model makes them, from counts on N consumers."""
    out = []
    for c, lo, ch, p in zip(customers, loyalty, churned, purchases, strict=True):
        out.append({"customers": c / N, "mean_loyalty": lo if c else math.nan,
                    "churned": ch / N, "purchases": p})
    return out


def test_revenue_margin_and_npv_by_hand():
    cfg = ValueConfig(price=10.0, margin=4.0, repeat_rate=0.1, loyalty_weight=0.5,
                      discount_rate=0.2)
    # day 0: nobody; day 1: 10 buy; day 2: 5 more buy, 3 churn; day 3: nothing new
    records = rows([0, 10, 12, 12], [0.0, 0.5, 0.6, 0.6], [0, 0, 3, 3], [0, 10, 5, 0])
    value = run_value(records, N, cfg)
    # repeats on day t from the customers (and their loyalty) at the end of day t - 1
    repeats = [0.0, 0.0, 0.1 * (0.5 * 10 + 0.5 * 5.0), 0.1 * (0.5 * 12 + 0.5 * 7.2)]
    buys = np.array([0, 10, 5, 0]) + np.array(repeats)
    assert np.allclose(value.revenue, 10.0 * buys)
    assert np.allclose(value.margin, 4.0 * buys)
    rho = 1 - 3 / (0 + 10 + 12)
    assert value.retention == pytest.approx(rho)
    assert value.repeat_rate == pytest.approx(sum(repeats) / 22)
    d = 1.2 ** (1 / 365) - 1
    assert daily_discount(cfg) == pytest.approx(d)
    end_margin = 4.0 * 0.1 * (0.5 * 12 + 0.5 * 7.2)
    expected = sum(4.0 * b / (1 + d) ** t for t, b in enumerate(buys))
    expected += end_margin * rho / (1 + d - rho) / (1 + d) ** 3
    assert value.npv == pytest.approx(expected)
    # valued with another retention, only the remaining value changes
    other = run_value(records, N, cfg, retention=0.5)
    assert other.npv == pytest.approx(expected - end_margin * (rho / (1 + d - rho)
                                                               - 0.5 / (1 + d - 0.5))
                                      / (1 + d) ** 3)


def test_first_purchases_take_the_earliest_day_and_mark_gifts():
    gift = 6
    log = [(2, np.array([1, 3]), np.array([gift, 3]), None),
           (5, np.array([4, 1]), np.array([3, 3]), None)]
    day, gifted = first_purchases(log, 6, gift)
    assert day.tolist() == [-1, 2, -1, 2, 5, -1]
    assert gifted.tolist() == [False, True, False, False, False, False]


def test_decomposition_by_hand_sums_to_the_incremental_npv():
    cfg = ValueConfig(margin=2.0, repeat_rate=0.0, discount_rate=1e-12)  # ~no discounting
    plan = run_value(rows([0, 3], [0, 0.5], [0, 0], [0, 3]), N, cfg)
    twin = run_value(rows([0, 2], [0, 0.5], [0, 0], [0, 2]), N, cfg)
    # consumer 0 earlier with the plan, 1 only with it, 2 only without it, 3 a gift
    p = (np.array([1, 3, -1, 2]), np.array([False, False, False, True]))
    b = (np.array([4, -1, 5, -1]), np.array([False] * 4))
    out = incremental(plan, twin, p, b, cost=1.0, cfg=cfg)
    assert out["value_expansion"] == pytest.approx(2.0)  # consumer 1; the gift earns nothing
    assert out["value_acceleration"] == pytest.approx(0.0)  # no discounting, no stream
    assert out["value_lost"] == pytest.approx(2.0)
    assert out["incremental_customers"] == 2 - 1
    parts = out["value_expansion"] + out["value_acceleration"] - out["value_lost"]
    assert parts + out["value_retention"] == pytest.approx(out["incremental_npv"])
    assert out["roi"] == pytest.approx((out["incremental_npv"] - 1.0) / 1.0)


def test_roi_changes_sign_when_the_cost_passes_the_incremental_npv():
    cfg = ValueConfig()
    plan = run_value(rows([0, 30], [0, 0.5], [0, 0], [0, 30]), N, cfg)
    twin = run_value(rows([0, 10], [0, 0.5], [0, 0], [0, 10]), N, cfg)
    none = (np.full(4, -1), np.zeros(4, dtype=bool))
    gain = plan.npv - twin.npv
    assert gain > 0
    cheap = incremental(plan, twin, none, none, cost=0.5 * gain, cfg=cfg)["roi"]
    dear = incremental(plan, twin, none, none, cost=2.0 * gain, cfg=cfg)["roi"]
    assert cheap > 0 > dear
    assert incremental(plan, twin, none, none, cost=0.0, cfg=cfg)["roi"] is None


@pytest.mark.parametrize("overrides", [("strategy=kol", "budget=0"),
                                       ("strategy=[ads,rewards]", "budget=0")])
def test_a_plan_that_spends_nothing_is_worth_exactly_nothing(overrides):
    m = run(make_config("graph.n=300", "steps=40", *overrides)).metrics
    assert m["cost"] == 0
    for key in ("incremental_customers", "incremental_npv", "value_expansion",
                "value_acceleration", "value_lost", "value_retention"):
        assert m[key] == 0, key
    assert m["npv"] == m["baseline_npv"] and m["roi"] is None


def test_the_twin_is_the_run_without_strategies():
    with_plan = run(make_config("graph.n=300", "steps=40", "strategy=kol", "budget=2000"))
    without = run(make_config("graph.n=300", "steps=40"))
    assert with_plan.metrics["baseline_npv"] == without.metrics["npv"]
    assert without.metrics["incremental_npv"] == 0
    assert list(without.timeseries.columns[-2:]) == ["revenue", "margin"]
    skipped = run(make_config("graph.n=300", "steps=40", "strategy=kol", "budget=2000",
                              "baseline=none")).metrics
    assert "incremental_npv" not in skipped and "baseline_npv" not in skipped
    assert skipped["revenue"] == with_plan.metrics["revenue"]


def test_plans_on_one_world_share_one_twin(monkeypatch):
    import sim.twin

    built = []
    real = sim.twin.WomModel

    def counting(*args, **kwargs):
        built.append(kwargs.get("seed"))
        return real(*args, **kwargs)

    from sim.run import build_model

    monkeypatch.setattr(sim.twin, "WomModel", counting)
    sim.twin._twins.clear()
    cfg = make_config("graph.n=200", "steps=20", "strategy=kol", "budget=1000")
    model = build_model(cfg)
    model.run(20)
    from sim.schema import to_plain

    plain = to_plain(cfg)
    first, _ = sim.twin.value_figures(model, plain, 1000.0)
    again, _ = sim.twin.value_figures(model, plain, 1000.0)
    assert first == again and built == [0]


def test_runs_that_build_the_same_graph_share_the_twin(monkeypatch):
    import sim.twin

    built = []
    real = sim.twin.WomModel

    def counting(*args, **kwargs):
        built.append(kwargs.get("seed"))
        return real(*args, **kwargs)

    monkeypatch.setattr(sim.twin, "WomModel", counting)
    sim.twin._twins.clear()
    world = ("graph.n=200", "steps=20", "model.initial_aware=0.3", "budget=1000")
    kol = run(make_config(*world, "strategy=kol")).metrics
    ads = run(make_config(*world, "strategy=ads")).metrics
    other_seed = run(make_config(*world, "strategy=ads", "seed=1")).metrics
    assert built == [0, 1]
    assert kol["baseline_npv"] == ads["baseline_npv"] != other_seed["baseline_npv"]
