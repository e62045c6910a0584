"""The dashboard's "Run N seeds" (sim.app.seeds, sim.app.seed_views): paired differences B - A
over whole runs on N seeds, checked against plain references (scipy's t interval, single-seed
comparisons, the command line's runs)."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from scipy import stats

from sim.app.controls import ControlError, Scenario, World
from sim.app.seed_views import band_figure
from sim.app.seeds import (
    BAND_SERIES,
    DEFAULT_SEEDS,
    MAX_SEEDS,
    MIN_SEEDS,
    SEED_KPIS,
    SeedRun,
    SeedStudy,
    check_seeds,
    paired_difference,
    run_seeds,
    seed_list,
)
from sim.app.state import (
    KPIS,
    Comparison,
    command_overrides,
    compose_overrides,
    scenario_command,
)
from sim.errors import ConfigError
from sim.run import run

SMALL = World(n=300, steps=30, seed=11)
PLAN_NOW = Scenario()
WHAT_IF = Scenario(strategies=("kol", "rewards"), kol_k=8, budget=3000.0)


@pytest.fixture(scope="module")
def study() -> SeedStudy:
    return run_seeds(SMALL, PLAN_NOW, WHAT_IF, 3)


# --------------------------------------------------------------------------------------------
# the control


@pytest.mark.parametrize("n", [MIN_SEEDS, 3, DEFAULT_SEEDS, MAX_SEEDS])
def test_allowed_numbers_of_seeds(n):
    assert check_seeds(n) == n
    assert check_seeds(np.int64(n)) == n


@pytest.mark.parametrize("bad", [1, 0, -3, 51, 1000, 2.5, 5.0, "5", None, True])
def test_a_bad_number_of_seeds_is_refused_in_one_line(bad):
    with pytest.raises(ControlError) as info:
        check_seeds(bad)
    message = str(info.value)
    assert message == (f"Seeds to run (n_seeds) = {bad!r} is invalid: allowed an integer in "
                       f"[{MIN_SEEDS}, {MAX_SEEDS}]")
    assert "\n" not in message


def test_seeds_start_at_the_worlds_seed_and_stay_valid():
    assert seed_list(World(seed=7), 4) == [7, 8, 9, 10]
    with pytest.raises(ControlError, match=r"Seeds to run \(n_seeds\) = 5 is invalid with Seed"):
        seed_list(World(seed=2**31 - 3), 5)
    with pytest.raises(ControlError, match="allowed an integer in"):
        run_seeds(SMALL, PLAN_NOW, WHAT_IF, 1)


# --------------------------------------------------------------------------------------------
# the statistics, against a plain reference


A_VALUES = [0.401, 0.325, 0.3435, 0.363, 0.334]
B_VALUES = [0.442, 0.3605, 0.419, 0.397, 0.3185]


def test_paired_difference_is_scipys_t_interval_on_the_paired_differences():
    d = paired_difference("customers", A_VALUES, B_VALUES)
    diff = np.array(B_VALUES) - np.array(A_VALUES)
    reference = stats.ttest_1samp(diff, 0.0).confidence_interval(0.95)
    assert d.mean == pytest.approx(diff.mean(), abs=1e-15)
    assert (d.low, d.high) == pytest.approx((reference.low, reference.high), abs=1e-12)
    # by hand: t(0.975, 4) = 2.7764451
    half = 2.7764451052 * diff.std(ddof=1) / math.sqrt(5)
    assert (d.low, d.high) == pytest.approx((diff.mean() - half, diff.mean() + half), abs=1e-9)
    assert (d.pairs, d.better) == (5, 4)  # the last seed is worse for B
    assert d.mean_a == pytest.approx(np.mean(A_VALUES)) and d.mean_b == pytest.approx(
        np.mean(B_VALUES))


def test_two_seeds_still_give_a_t_interval():
    d = paired_difference("reach", [0.5, 0.6], [0.52, 0.65])
    # t(0.975, 1) = 12.7062047; differences 0.02 and 0.05: mean 0.035, sd 0.0212132
    half = 12.7062047362 * 0.0212132034 / math.sqrt(2)
    assert (d.mean, d.low, d.high) == pytest.approx((0.035, 0.035 - half, 0.035 + half),
                                                    abs=1e-9)
    reference = stats.ttest_1samp([0.02, 0.05], 0.0).confidence_interval(0.95)
    assert (d.low, d.high) == pytest.approx((reference.low, reference.high), abs=1e-12)


def test_better_is_lower_where_the_catalog_says_so():
    cost = paired_difference("cost_per_customer", [10.0, 12.0, 9.0], [8.0, 12.5, 9.0])
    assert (cost.better, cost.pairs) == (1, 3)  # lower: seed 0 only (seed 2 is a tie)
    reach = paired_difference("reach", [0.1, 0.2, 0.3], [0.2, 0.1, 0.3])
    assert reach.better == 1
    neither = paired_difference("baseline_npv", [1.0, 2.0], [3.0, 4.0])  # no better way
    assert neither.better == 0


def test_seeds_where_a_side_has_no_value_are_left_out():
    d = paired_difference("mean_loyalty", [0.8, None, 0.7, float("nan")], [0.9, 0.5, 0.6, 0.4])
    assert d.pairs == 2 and d.better == 1
    assert d.mean == pytest.approx(0.0, abs=1e-15)
    one = paired_difference("mean_loyalty", [0.8, None], [0.9, 0.5])
    assert one.pairs == 1 and one.texts()["interval"] == "n/a"
    none = paired_difference("mean_loyalty", [None, None], [0.9, 0.5])
    assert none.pairs == 0 and math.isnan(none.mean)
    assert none.texts() == {"kpi": "Mean loyalty", "a": "n/a", "b": "n/a", "mean": "n/a",
                            "interval": "n/a", "better": "0 of 0"}
    with pytest.raises(ValueError, match="2 values of A but 1 of B"):
        paired_difference("reach", [0.1, 0.2], [0.3])


def test_cells_use_the_units_of_the_kpi_cards():
    shares = paired_difference("customers", A_VALUES, B_VALUES).texts()
    assert shares == {"kpi": "Customers now", "a": "35.3%", "b": "38.7%", "mean": "+3.4 pp",
                      "interval": "[-0.6 pp, +7.4 pp]", "better": "4 of 5"}
    money = paired_difference("cost_per_customer", [10.0, 12.0, 9.0], [8.0, 12.5, 9.0]).texts()
    assert money["mean"] == "-0.50" and money["interval"].startswith("[-")
    assert money["a"] == "10.33" and money["better"] == "1 of 3"
    sentiment = paired_difference("net_sentiment", [0.2, 0.3], [0.25, 0.31]).texts()
    assert sentiment["mean"] == "+0.030"


# --------------------------------------------------------------------------------------------
# the runs


def test_each_seed_has_the_single_seed_views_figures(study):
    assert study.seeds == [11, 12, 13]
    for k, seed in enumerate(study.seeds):
        one = Comparison(World(n=SMALL.n, steps=SMALL.steps, seed=seed), PLAN_NOW, WHAT_IF,
                         day=SMALL.steps)
        for which, runs in (("a", study.runs_a), ("b", study.runs_b)):
            kpis = one.kpis(which)
            assert {key: runs[k].kpis[key] for key in (*KPIS, "cost")} == {
                key: kpis[key] for key in (*KPIS, "cost")}
            ts = one.timeseries(which)
            for key in BAND_SERIES:
                np.testing.assert_array_equal(runs[k].series[key], ts[key])


def test_each_seed_has_the_figures_of_the_command_line(study):
    for k, seed in enumerate(study.seeds):
        for which, scenario, runs in (("a", PLAN_NOW, study.runs_a),
                                      ("b", WHAT_IF, study.runs_b)):
            command = scenario_command(World(n=SMALL.n, steps=SMALL.steps, seed=seed),
                                       scenario)
            assert f" seed={seed} " in command
            metrics = run(compose_overrides(command_overrides(command))).metrics
            assert runs[k].kpis == {key: metrics[key] for key in SEED_KPIS}, (which, seed)


def test_the_table_holds_the_paired_differences_seed_by_seed(study):
    table = study.table()
    assert list(table["kpi"]) == list(SEED_KPIS)
    for key in SEED_KPIS:
        per_seed = study.per_seed(key)
        diff = per_seed["diff"].dropna().to_numpy()
        row = table.set_index("kpi").loc[key]
        assert row["mean"] == pytest.approx(diff.mean(), abs=1e-12)
        if diff.size > 1 and diff.std() > 0:
            ci = stats.ttest_1samp(diff, 0.0).confidence_interval(0.95)
            assert (row["low"], row["high"]) == pytest.approx((ci.low, ci.high), abs=1e-9)
    # the what-if spends money on every seed and reaches more consumers on some
    cost = table.set_index("kpi").loc["cost"]
    assert cost["mean"] > 0 and cost["better"] == 0 and cost["pairs"] == 3


def test_identical_scenarios_differ_by_nothing():
    same = run_seeds(SMALL, WHAT_IF, WHAT_IF, 2)
    for d in same.differences():
        assert (d.mean, d.low, d.high) == (0.0, 0.0, 0.0), d.key
        assert d.better == 0 and d.pairs == 2
        assert d.texts()["better"] == "0 of 2"


def test_progress_is_reported_seed_by_seed_and_a_study_can_be_stopped():
    calls: list[tuple[int, int]] = []
    run_seeds(World(n=100, steps=5, seed=3), PLAN_NOW, PLAN_NOW, 3,
              on_seed=lambda k, n: calls.append((k, n)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
    asked: list[int] = []

    def keep_going() -> bool:
        asked.append(1)
        return len(asked) < 2

    assert run_seeds(World(n=100, steps=5), PLAN_NOW, PLAN_NOW, 4,
                     keep_going=keep_going) is None
    assert len(asked) == 2


def test_invalid_controls_are_refused_before_any_run():
    calls: list[tuple[int, int]] = []
    big = World(n=60_000, steps=5)
    slow = Scenario(strategies=("kol",), kol_selector="betweenness")
    with pytest.raises(ControlError, match="^Scenario B: KOL selector"):
        run_seeds(big, PLAN_NOW, slow, 2, on_seed=lambda k, n: calls.append((k, n)))
    assert calls == []
    with pytest.raises(ControlError, match=r"^Scenario A: graph.mean_degree=8.0 is invalid"):
        run_seeds(World(graph="sbm", n=10), PLAN_NOW, PLAN_NOW, 2)


def test_a_refusal_during_a_run_names_the_scenario(monkeypatch):
    def refuse(cfg):
        if cfg.strategy.kol is not None:
            raise ConfigError("strategy.kol.k=8 is invalid: allowed nothing (test)")
        return run(cfg)

    monkeypatch.setattr("sim.app.seeds.run", refuse)
    with pytest.raises(ControlError, match=r"^Scenario B: strategy.kol.k=8 is invalid"):
        run_seeds(World(n=100, steps=5), PLAN_NOW, WHAT_IF, 2)


def test_a_and_b_must_share_the_seeds():
    runs = (SeedRun(1, dict.fromkeys(SEED_KPIS, 0.0), {}),)
    with pytest.raises(ValueError, match="same seeds"):
        SeedStudy(SMALL, PLAN_NOW, PLAN_NOW, runs, (SeedRun(2, runs[0].kpis, {}),))


# --------------------------------------------------------------------------------------------
# the bands and the figure


def test_bands_are_the_mean_and_t_interval_over_the_seeds(study):
    bands = study.bands()
    assert set(bands["metric"]) == set(BAND_SERIES)
    for which, runs in (("a", study.runs_a), ("b", study.runs_b)):
        for key in BAND_SERIES:
            rows = bands[(bands["condition"] == which) & (bands["metric"] == key)]
            values = np.array([r.series[key] for r in runs])  # seeds x days
            assert list(rows["step"]) == list(range(SMALL.steps + 1))
            np.testing.assert_allclose(rows["mean"], values.mean(axis=0), atol=1e-15)
            half = stats.t.ppf(0.975, 2) * values.std(axis=0, ddof=1) / math.sqrt(3)
            np.testing.assert_allclose(rows["ci_high"], values.mean(axis=0) + half, atol=1e-12)
            np.testing.assert_allclose(rows["ci_low"], values.mean(axis=0) - half, atol=1e-12)


def test_band_figure_draws_each_series_for_a_and_b(study):
    fig = band_figure(study, {"a": "A: none", "b": "B: KOLs, Rewards"})
    axes = fig.get_axes()
    assert [ax.get_title() for ax in axes] == ["Reach (%)", "Customers now (%)"]
    for ax in axes:
        assert [line.get_label() for line in ax.get_lines()] == ["A: none", "B: KOLs, Rewards"]
        assert len(ax.collections) == 2  # the bands
        top = max(line.get_ydata().max() for line in ax.get_lines())
        assert 0 < top <= 100
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    assert buffer.tell() > 5_000


def test_the_pages_table_has_a_row_per_kpi(study):
    from sim.app.page import seeds_table_html

    html = seeds_table_html(study)
    for key in SEED_KPIS:
        assert f"womsim-seeds-row-{key}" in html
    customers = study.differences()[SEED_KPIS.index("customers")].texts()
    assert customers["interval"] in html and f"{customers['better']}" in html
