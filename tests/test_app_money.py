"""The dashboard's money and plan KPIs (sim/app/money.py, ``Comparison.money``): the figures a
run's metrics.json holds for the same config ended on the same day, spend within budget, the
value model's incremental NPV and ROI, and per-strategy figures from the plugin registry."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from sim.app import money
from sim.app.controls import STRATEGY_NAMES, Scenario, World
from sim.app.state import Comparison, compose_overrides, scenario_overrides
from sim.catalog import METRICS, Metric
from sim.population import SOURCE_CODES
from sim.run import run, write_outputs
from sim.strategies import PLUGINS
from sim.value import first_purchases, incremental, run_value

WORLD = World(n=1000, steps=120, seed=3)
#: a plan on both sides, B on other parameters: each has a twin of its own
PLAN_A = Scenario(strategies=("rewards", "fast_response"))
PLAN_B = Scenario(strategies=("kol",), quality=0.8)
DAY = 40


def run_to(world: World, scenario: Scenario, day: int, *extra: str):
    """The command line's run of ``scenario`` ended on ``day``."""
    overrides = [o for o in scenario_overrides(world, scenario) if not o.startswith("steps=")]
    return run(compose_overrides([*overrides, f"steps={day}", *extra]))


@pytest.fixture(scope="module")
def plans() -> Comparison:
    return Comparison(WORLD, PLAN_A, PLAN_B, day=DAY)


@pytest.mark.parametrize("which", ["a", "b"])
def test_kpis_equal_the_runs_metrics_json_on_the_same_day(plans: Comparison, which: str,
                                                          tmp_path) -> None:
    result = run_to(WORLD, plans.scenario(which), DAY)
    write_outputs(result, tmp_path)
    written = json.loads((tmp_path / "metrics.json").read_text())
    kpis = plans.money(which)
    for key in money.MONEY_KPIS:
        assert kpis[key] == pytest.approx(written[key], rel=1e-12, abs=1e-9), key
    figures = plans.figures(which)
    shared = set(figures) & set(written) - {"budget"}
    assert {"revenue", "npv", "incremental_npv", "roi", "kols", "complaints_answered"} & shared
    for key in shared:
        expected, got = written[key], figures[key]
        if isinstance(expected, float):
            assert got == pytest.approx(expected, rel=1e-12, abs=1e-9), key
        else:
            assert got == expected, key
    assert kpis["incremental_npv"] != 0.0 and kpis["cost"] > 0.0


def test_roi_and_incremental_npv_equal_the_value_models(plans: Comparison) -> None:
    for which in ("a", "b"):
        scenario = plans.scenario(which)
        plan = run_to(WORLD, scenario, DAY).model
        twin = run_to(WORLD, replace(scenario, strategies=()), DAY).model
        n, value, gift = plan.graph.n, plans.config(which).value, SOURCE_CODES["seeded"]
        base = run_value(twin.records, n, value)
        own = run_value(plan.records, n, value, retention=base.retention)
        cost = sum(st.cost for st in plan.strategies)
        expected = incremental(own, base, first_purchases(plan.conversions, n, gift),
                               first_purchases(twin.conversions, n, gift), cost=cost, cfg=value)
        kpis = plans.money(which)
        assert kpis["npv"] == pytest.approx(own.npv, rel=1e-12)
        assert kpis["baseline_npv"] == pytest.approx(base.npv, rel=1e-12)
        for key in ("incremental_npv", "roi", "incremental_customers",
                    "cost_per_incremental_customer"):
            assert kpis[key] == pytest.approx(expected[key], rel=1e-12), (which, key)


def test_without_strategies_nothing_is_incremental() -> None:
    c = Comparison(WORLD, Scenario(), Scenario(strategies=("kol",)), day=10)
    a = c.money("a")
    assert a["cost"] == 0.0 and a["incremental_npv"] == 0.0 and a["roi"] is None
    assert a["budget"] is None
    assert a["npv"] == a["baseline_npv"] > 0.0
    assert c.money("b")["baseline_npv"] == pytest.approx(a["npv"])  # A is B's twin
    assert c.money_differences()["npv"] == pytest.approx(c.money("b")["npv"] - a["npv"])


def test_twins_are_shared_and_stepped_with_the_scenarios(plans: Comparison) -> None:
    opening = Comparison(WORLD, Scenario(), Scenario(strategies=("kol",)))
    assert opening.twins == {"a": opening.model_a, "b": opening.model_a}
    assert opening._extra == []
    same = Comparison(WORLD, Scenario(strategies=("ads",)), Scenario(strategies=("kol",)))
    assert same.twins["a"] is same.twins["b"] and len(same._extra) == 1
    assert plans.twins["a"] is not plans.twins["b"] and len(plans._extra) == 2
    assert all(t.t == plans.day for t in plans.twins.values())
    plans.step()
    assert all(t.t == plans.day == DAY + 1 for t in plans.twins.values())


def test_no_baseline_gives_own_figures_only() -> None:
    c = Comparison(WORLD, Scenario(strategies=("kol",)), day=5)
    cfg = c.cfg_a.copy()
    cfg.baseline = "none"
    assert money.twin_plan({"a": c.model_a}, {"a": cfg}) == {"a": None}
    figures = money.run_figures(c.model_a, cfg, None)
    assert "incremental_npv" not in figures and figures["npv"] > 0
    assert figures["npv"] == pytest.approx(run_to(WORLD, c.a, 5, "baseline=none").metrics["npv"])


def test_spend_never_exceeds_the_budget() -> None:
    budget = 3000.0
    c = Comparison(World(n=1000, steps=60, seed=1),
                   Scenario(strategies=("kol", "fast_response"), budget=budget))
    assert c.money("a")["budget"] == pytest.approx(budget)
    while c.running:
        c.step()
        kpis = c.money("a")
        assert kpis["cost"] <= budget + 1e-9
        for sf in c.strategy_figures("a"):
            assert sf.spent <= sf.budget + 1e-9 and sf.budget == pytest.approx(budget / 2)
    spent = {sf.name: sf for sf in c.strategy_figures("a")}
    assert spent["kol"].spent > 0 and spent["kol"].first_spend == spent["kol"].last_spend == 1
    assert spent["fast_response"].last_spend is not None
    assert c.money("a")["cost"] == pytest.approx(sum(sf.spent for sf in spent.values()))


@pytest.mark.parametrize("name", STRATEGY_NAMES)
def test_strategy_rows_are_the_plugins_metrics(name: str) -> None:
    scenario = Scenario(strategies=(name,), crisis_day=5 if name == "crisis_plan" else 0)
    c = Comparison(World(n=500, steps=30), scenario, day=12)
    (sf,) = c.strategy_figures("a")
    declared = [m.name for m in PLUGINS[name].metrics]
    report = c.model_a.strategies[0].report()
    assert [m.name for m, _ in sf.rows][:len(declared)] == declared
    assert {m.name for m, _ in sf.rows} == set(declared) | set(report)
    for m, v in sf.rows:
        assert m == METRICS.get(m.name, m) and v == report.get(m.name)
    assert sf.spent == c.model_a.strategies[0].cost
    assert c.strategy_figures("b") == c.strategy_figures("a")


def test_a_plugins_new_metric_shows_without_other_changes(monkeypatch) -> None:
    c = Comparison(World(n=500, steps=30), Scenario(strategies=("kol",)), day=3)
    new = (Metric("kols", "KOLs bought", "", "given the product", None, "count", strategy="kol"),
           Metric("kol_followers", "KOL followers", "", "summed", None, "count",
                  strategy="kol"))
    monkeypatch.setitem(PLUGINS, "kol", replace(PLUGINS["kol"], metrics=new))
    (sf,) = c.strategy_figures("a")
    assert [(m.label, v) for m, v in sf.rows] == [("KOLs bought", 10), ("KOL followers", None)]


def test_texts_carry_units_currency_and_meaning() -> None:
    cost, roi, reach = METRICS["cost"], METRICS["roi"], METRICS["customers"]
    assert money.format_value(cost, 1234.5, "EUR") == "1,234.50 EUR"
    assert money.format_value(cost, None, "EUR") == "n/a"
    assert money.format_difference(cost, -10.0, "EUR") == "-10.00 EUR"
    assert money.format_value(roi, 0.5, "EUR") == "+0.500"
    assert money.tooltip(cost, "USD") == "Cost: USD, per run. Lower is better."
    assert "customers now" in money.tooltip(reach, "EUR")
    assert money.spend_text(1000.0, 4000.0, "EUR") == "1,000.00 of 4,000.00 EUR (25%)"
    assert money.spend_text(5.0, math.inf, "EUR") == "5.00 EUR, no budget limit"
    assert money.spend_text(0.0, None, "EUR") == "0.00 EUR, no strategies"
    assert money.spend_days(None, None) == "nothing yet"
    assert money.spend_days(1, 1) == "on day 1" and money.spend_days(2, 9) == "days 2–9"


def test_page_tables_show_the_money_and_strategy_figures(plans: Comparison) -> None:
    pytest.importorskip("solara")
    from sim.app import page

    table = page.money_table_html(plans)
    assert table.count('class="womsim-money-row ') == len(money.MONEY_KPIS)
    assert "EUR" in table and 'title="ROI: (incremental NPV - cost) / cost.' in table
    (kol,) = plans.strategy_figures("b")
    html = page.strategy_table_html(kol, "EUR")
    assert "womsim-strategy-figure-kols" in html and ">KOLs seeded<" in html
    assert "on day 1" in html
    assert page.PAGE_TITLE == "womsim"
