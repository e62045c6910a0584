"""Loading a plan into the dashboard (sim/app/plans.py): a womsim command, a run directory or an
optimiser's confirmed plans become the dashboard's World and Scenario, and every setting without
a dashboard control is named."""

from __future__ import annotations

import shlex
import subprocess
import sys

import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim.app.controls import ControlError, Scenario, World
from sim.app.plans import RUN_CONFIG, TOP_PLANS, command_overrides, load_plan
from sim.app.state import scenario_config, scenario_overrides
from sim.compose import compose_config
from sim.optimize.evaluate import command

SMALL = World(n=300, steps=20, seed=5)
PLANS = [
    (World(), Scenario()),
    (SMALL, Scenario(quality=0.55, negativity_bias=2.5, fatigue="on", crisis_day=9,
                     strategies=("ads", "kol", "fast_response", "rewards"), kol_k=7,
                     kol_selector="pagerank", referral_reward=12.5, reward_credibility=0.6,
                     referee_reward=5.0, response_delay=3, response_unit="hours",
                     response_capacity=15, ads_impressions=2000, budget=4000.0)),
    (World(graph="ws", n=500, seed=2, steps=60),
     Scenario(strategies=("ugc", "livestream", "crisis_plan", "community"), ugc_days=20,
              ugc_prize=50.0, live_host="kol", live_events=2, crisis_detection=1,
              crisis_capacity=40, community_capacity=30, community_recruit="open",
              community_moderation=0.2, crisis_day=10, budget=900.0,
              budget_shares={"ugc": 0.25, "livestream": 0.25, "crisis_plan": 0.2,
                             "community": 0.3})),
]


def as_command(world: World, scenario: Scenario) -> str:
    return "womsim " + " ".join(shlex.quote(o) for o in scenario_overrides(world, scenario))


@pytest.mark.parametrize("world, scenario", PLANS)
def test_a_dashboard_command_loads_back_into_the_same_controls(world, scenario):
    loaded = load_plan(as_command(world, scenario))
    assert (loaded.world, loaded.scenario) == (world, scenario)
    assert loaded.not_carried == ()
    assert loaded.note.startswith("Loaded the command womsim ") and "\n" not in loaded.note


def test_a_run_directory_loads_the_config_the_run_used(tmp_path):
    world, scenario = PLANS[1]
    cfg = compose_config(*scenario_overrides(world, scenario), "graph.m=4")
    (tmp_path / RUN_CONFIG).parent.mkdir()
    OmegaConf.save(cfg, tmp_path / RUN_CONFIG)
    loaded = load_plan(str(tmp_path))
    assert (loaded.world, loaded.scenario) == (world, scenario)
    assert loaded.not_carried == ("graph.m=4 (dashboard: 3)",)
    assert loaded.note == (f"Loaded the run {tmp_path}; 1 setting without a dashboard control "
                           "take the dashboard's values: graph.m=4 (dashboard: 3).")


def test_the_directory_of_a_womsim_run_loads_its_plan(tmp_path):
    out = tmp_path / "run"
    subprocess.run([sys.executable, "-m", "sim", "graph.n=200", "steps=3", "seed=7",
                    "strategy=kol", "strategy.kol.k=3", "strategy.kol.duration=5",
                    f"hydra.run.dir={out}"], check=True, capture_output=True, cwd=tmp_path)
    loaded = load_plan(str(out))
    assert loaded.world == World(n=200, steps=3, seed=7)
    assert loaded.scenario == Scenario(strategies=("kol",), kol_k=3)
    assert loaded.not_carried == ("strategy.kol.duration=5 (dashboard: 30)",)


def test_settings_without_a_control_are_named_and_the_rest_is_the_plan():
    loaded = load_plan("womsim graph.n=400 strategy=kol strategy.kol.k=12 "
                       "strategy.kol.duration=10 model.usage_rate=0.5 steps=30 seed=3")
    assert loaded.world == World(n=400, steps=30, seed=3)
    assert loaded.scenario == Scenario(strategies=("kol",), kol_k=12)
    assert loaded.not_carried == ("model.usage_rate=0.5 (dashboard: 0.3)",
                                  "strategy.kol.duration=10 (dashboard: 30)")
    assert "2 settings without a dashboard control" in loaded.note
    # the dashboard's own config is the plan's, but for those two settings
    shown = OmegaConf.to_container(scenario_config(loaded.world, loaded.scenario))
    plan = OmegaConf.to_container(compose_config(
        "graph.n=400", "strategy=kol", "strategy.kol.k=12", "steps=30", "seed=3"))
    assert shown == plan


def test_the_referral_rewards_earlier_name_is_read():
    loaded = load_plan("womsim strategy=rewards strategy.rewards.referral_reward=20")
    assert loaded.scenario.referral_reward == 20.0 and loaded.not_carried == ()


def write_top_plans(directory, plans):
    directory.mkdir(exist_ok=True)
    rows = [{"rank": rank, "trial": rank * 3, "command": command(overrides, seed=1000)}
            for rank, overrides in enumerate(plans, start=1)]
    pd.DataFrame(rows).to_csv(directory / TOP_PLANS, index=False)


def test_an_optimisers_confirmed_plans_load_by_rank(tmp_path):
    base = ["graph=ba", "graph.n=400", "steps=60", "strategy=[kol,rewards]", "budget=3000"]
    write_top_plans(tmp_path, [base + ["+budget_shares.kol=0.568", "+budget_shares.rewards=0.432"],
                               base + ["+budget_shares.kol=0.5", "+budget_shares.rewards=0.5",
                                       "strategy.kol.k=30"]])
    best = load_plan(str(tmp_path))
    assert best.world == World(n=400, steps=60, seed=1000)
    assert best.scenario == Scenario(strategies=("kol", "rewards"), budget=3000.0,
                                     budget_shares={"kol": 0.568, "rewards": 0.432})
    assert best.note == f"Loaded plan 1 of 2 confirmed in {tmp_path}."
    second = load_plan(f"{tmp_path}#2")
    assert second.scenario.kol_k == 30 and second.scenario.budget_shares == (
        ("kol", 0.5), ("rewards", 0.5))
    assert load_plan(str(tmp_path / TOP_PLANS)).scenario == best.scenario
    with pytest.raises(ControlError, match=r"rank 3 is invalid for .*: allowed 1 to 2"):
        load_plan(f"{tmp_path}#3")


def test_a_budget_split_is_written_as_the_optimiser_writes_it():
    s = Scenario(strategies=("kol", "rewards"), budget=3000.0,
                 budget_shares=(("rewards", 0.4), ("kol", 0.6)))
    assert s.budget_shares == (("kol", 0.6), ("rewards", 0.4))
    out = scenario_overrides(World(), s)
    assert out[-3:] == ["budget=3000", "+budget_shares.kol=0.6", "+budget_shares.rewards=0.4"]
    cfg = scenario_config(World(), s)
    assert dict(cfg.budget_shares) == {"kol": 0.6, "rewards": 0.4}
    # without a budget, or for a strategy no longer selected, no share is written
    assert not any("budget" in o for o in scenario_overrides(World(), Scenario(
        strategies=("kol",), budget_shares={"kol": 1.0})))
    assert "+budget_shares.rewards=0.4" not in scenario_overrides(World(), Scenario(
        strategies=("kol",), budget=10.0, budget_shares={"kol": 0.6, "rewards": 0.4}))


@pytest.mark.parametrize("shares", [
    {"tv": 0.5}, {"kol": 1.5}, {"kol": -0.1}, {"kol": float("nan")}, {"kol": 0.7, "ads": 0.4},
    "kol=0.5", 3, [("kol",)], {"kol": True}])
def test_bad_budget_splits_are_refused_in_one_line(shares):
    with pytest.raises(ControlError, match=r"^Budget split \(budget_shares\) = .* is invalid: "
                                           r"allowed shares in \[0, 1\] of kol, rewards") as info:
        Scenario(budget_shares=shares)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("text, message", [
    ("", r"^Plan: empty: give a womsim command"),
    ("womsim graph.n=100,200", r"^Plan: graph.n=100,200 is a sweep"),
    ("womsim -m 'seed=range(0,5)'", r"^Plan: seed=range\(0,5\) is a sweep"),
    ("womsim --cfg job", r"^Plan: option '--cfg' is not a plan setting"),
    ("womsim graph.n", r"^Plan: 'graph.n' is not an override: allowed key=value"),
    ("womsim 'graph.n=5", r"^Plan: the command cannot be read"),
    ("womsim model=bass", r"^Plan: model=bass is invalid for the dashboard: allowed wom"),
    ("womsim graph.n=500000", r"^Plan: Consumers \(n\) = 500000 is invalid"),
    ("womsim graph=complete graph.n=5000", r"^Plan: Consumers \(n\) = 5000 is invalid for a "
                                           r"complete graph"),
    ("womsim strategy=kol strategy.kol.k=-3", r"^Plan: strategy.kol.k=-3 is invalid"),
    ("womsim steps=nan", r"^Plan: .*steps"),
    ("/no/such/run#2", r"^Plan: '/no/such/run' does not exist"),
])
def test_bad_plans_are_refused_in_one_line(text, message):
    with pytest.raises(ControlError, match=message) as info:
        load_plan(text)
    assert "\n" not in str(info.value)


def test_directories_that_hold_no_plan_are_refused(tmp_path):
    with pytest.raises(ControlError, match=r"neither a run directory nor an optimiser's output"):
        load_plan(str(tmp_path))
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ControlError, match=r"neither a run directory"):
        load_plan(str(tmp_path / "notes.txt"))
    with pytest.raises(ControlError, match=r"rank #x is invalid: allowed a whole number"):
        load_plan(f"{tmp_path}#x")


def test_hydra_settings_and_the_multirun_flag_are_not_part_of_a_plan():
    assert command_overrides("python -m sim -m hydra.run.dir=/tmp/x graph.n=50 seed=2") == [
        "graph.n=50", "seed=2"]
