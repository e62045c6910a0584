"""womsim-optimize: the search space, the study (budget constraint, resuming, determinism), the
confirmation on fresh seeds against an exhaustive grid, the outputs and the command."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
import yaml

from sim.compose import compose_config
from sim.optimize.__main__ import main
from sim.optimize.confirm import Interval
from sim.optimize.evaluate import evaluate
from sim.optimize.objectives import resolve_objectives
from sim.optimize.optimiser import optimise
from sim.optimize.space import (
    SpaceError,
    load_space,
    parse_space,
    plan_overrides,
    preset_names,
    shares_of,
)
from sim.optimize.study import STUDY_NAME
from sim.run import run

#: a small world: 400 consumers for 60 days, where the KOLs' share of 3,000 matters (measured
#: on seeds 1000..1004: share 0 gives ~2,000 of incremental NPV, 0.25 ~245,000, 1 ~312,000)
SMALL = ["graph=ba", "graph.n=400", "steps=60"]


def write_space(tmp_path: Path, name: str = "space", **data) -> Path:
    """A space file in ``tmp_path`` with ``data`` over a small two-strategy default."""
    content = {"base": SMALL, "budget": 3000, "split": ["kol", "rewards"], "trials": 4,
               "seeds": 2, "top": 2, "confirm_seeds": 3} | data
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(content), encoding="utf-8")
    return path


def run_space(path: Path, out: Path, *, confirm: bool = False, jobs: int = 1, **changes):
    """Load ``path``, apply ``changes`` and optimise it into ``out`` quietly."""
    import dataclasses

    space = dataclasses.replace(load_space(path), **changes)
    return optimise(space, resolve_objectives(space.objectives), out, jobs=jobs,
                    confirm_top=confirm, progress=False)


# --- the space --------------------------------------------------------------------------------

def test_stick_breaking_shares_sum_to_one_and_are_uniform_over_splits():
    space = parse_space({"budget": 1000, "split": ["kol", "rewards", "ads"]}, name="t")
    rng = np.random.default_rng(0)
    draws = np.array([list(shares_of(space, {"split.kol": a, "split.rewards": b}).values())
                      for a, b in rng.random((4000, 2))])
    assert np.allclose(draws.sum(axis=1), 1.0)
    assert (draws >= 0).all()
    # a uniform point of the simplex has mean 1/3 per share and P(share < 0.1) = 1 - 0.9^2
    assert np.allclose(draws.mean(axis=0), 1 / 3, atol=0.015)
    assert np.allclose((draws < 0.1).mean(axis=0), 1 - 0.9 ** 2, atol=0.03)
    two = parse_space({"budget": 1000, "split": ["kol", "rewards"]}, name="t")
    assert shares_of(two, {"split.kol": 0.6}) == {"kol": 0.6, "rewards": 0.4}


def test_plan_overrides_are_the_command_line():
    space = parse_space({"budget": 20000, "split": ["rewards", "kol"], "base": SMALL,
                         "params": [{"key": "strategy.kol.selector", "type": "categorical",
                                     "choices": ["degree", "pagerank"]}]}, name="t")
    overrides = plan_overrides(space, {"split.rewards": 0.25,
                                       "strategy.kol.selector": "pagerank"})
    assert overrides == SMALL + ["strategy=[kol,rewards]", "budget=20000",
                                 "+budget_shares.rewards=0.25", "+budget_shares.kol=0.75",
                                 "strategy.kol.selector=pagerank"]


def test_the_ready_preset_loads_and_checks():
    from sim.optimize.evaluate import check_space
    from sim.optimize.space import preset_path

    assert "kol_rewards_20k" in preset_names()
    space = load_space(preset_path("kol_rewards_20k"))
    assert space.budget == 20000 and space.split == ("kol", "rewards")
    check_space(space)


def test_every_kind_of_lever_can_be_searched():
    """The levers a strategist tunes (KOL count, tier bounds and selector; reward size and
    credibility; response capacity and delay; ad impressions; start days) are config keys
    the space accepts, at every bound."""
    from sim.optimize.evaluate import check_space

    levers = [
        {"key": "strategy.kol.k", "type": "int", "low": 1, "high": 30, "log": True},
        {"key": "strategy.kol.min_followers", "type": "int", "low": 0, "high": 10},
        {"key": "strategy.kol.selector", "type": "categorical",
         "choices": ["degree", "pagerank", "kcore", "random"]},
        {"key": "strategy.rewards.referrer_reward", "type": "float", "low": 1.0, "high": 30.0,
         "log": True},
        {"key": "strategy.rewards.credibility", "type": "float", "low": 0.3, "high": 1.0},
        {"key": "strategy.fast_response.capacity", "type": "int", "low": 1, "high": 50},
        {"key": "strategy.fast_response.delay", "type": "float", "low": 0.1, "high": 5.0},
        {"key": "strategy.ads.impressions_per_day", "type": "float", "low": 100.0,
         "high": 20000.0, "log": True},
        {"key": "strategy.ads.start", "type": "int", "low": 1, "high": 30},
        {"key": "strategy.kol.start", "type": "int", "low": 1, "high": 30},
    ]
    space = parse_space({"budget": 20000, "base": SMALL, "params": levers,
                         "split": ["kol", "rewards", "fast_response", "ads"]}, name="levers")
    check_space(space)
    assert len(space.split_params) == 3


def test_objectives_take_their_direction_from_the_catalog():
    npv, churn = resolve_objectives(["incremental_npv", "churn"])
    assert npv.direction == "maximize" and churn.direction == "minimize"
    with pytest.raises(SpaceError, match="baseline_npv.*no direction"):
        resolve_objectives(["baseline_npv"])
    with pytest.raises(SpaceError, match="no such metric"):
        resolve_objectives(["reahc"])


BAD_SPACES = [
    ("budget: 3000\nsplit: [kol, rewards\n", "not valid YAML at line"),
    ("budget: 3000\nsplit: [kol, rewards]\nparms: []\n", "parms: unknown key"),
    ("split: [kol, rewards]\n", "budget: required"),
    ("budget: -5\nsplit: [kol, rewards]\n", "budget: -5 is invalid"),
    ("budget: 3000\nsplit: [kol, reward]\n", "split: unknown strategy 'reward'"),
    ("budget: 3000\nsplit: [kol]\nparams:\n  - {key: strategy.kol.k, type: int, high: 9}\n",
     r"params\[0\] \(strategy.kol.k\).low: None is invalid"),
    ("budget: 3000\nsplit: [kol]\nparams:\n  - {key: strategy.kol.k, type: integer, low: 1, "
     "high: 9}\n", r"params\[0\] \(strategy.kol.k\).type: 'integer' is invalid"),
    ("budget: 3000\nsplit: [kol]\nparams:\n  - {key: strategy.kol.k, type: int, low: 9, "
     "high: 2}\n", r"strategy.kol.k\).high: 2 is invalid"),
    ("budget: 3000\nsplit: [kol]\nparams:\n  - {key: strategy.kol.selector, type: "
     "categorical, low: 1, choices: [degree, pagerank]}\n", r"selector\).low: not for a categ"),
    ("budget: 3000\nsplit: [kol]\nparams:\n  - {key: budget_shares.kol, type: float, low: 0, "
     "high: 1}\n", "budget_shares.kol is set by the optimiser"),
    ("budget: 3000\nsplit: [kol, rewards]\nbase: [strategy=ads]\n", "base: 'strategy=ads' sets"),
    ("budget: 3000\nsplit: [kol, rewards]\nobjectives: [baseline_npv]\n",
     "objective 'baseline_npv'"),
    ("budget: 3000\nsplit: [kol, rewards]\nseeds: 5\nconfirm_first_seed: 3\n",
     "confirm_first_seed: the confirmation seeds"),
    # these need the composed configs
    ("budget: 3000\nsplit: [kol]\nparams:\n  - {key: strategy.kol.selectr, type: categorical, "
     "choices: [degree, pagerank]}\n", r"params \(strategy.kol.selectr\): no such config key"),
    ("budget: 3000\nsplit: [kol]\nparams:\n  - {key: strategy.ads.tone, type: float, low: 0, "
     "high: 1}\n", "strategy.ads.tone.*strategy ads is not selected"),
    ("budget: 3000\nsplit: [kol, rewards]\nparams:\n  - {key: strategy.rewards.credibility, "
     "type: float, low: 0.5, high: 1.5}\n", "strategy.rewards.credibility=1.5 is invalid"),
    ("budget: 3000\nsplit: [kol, rewards]\nbase: [graph.n=abc]\n", "base: .*graph.n"),
]


@pytest.mark.parametrize(("text", "message"), BAD_SPACES)
def test_a_bad_space_file_is_one_line_naming_the_key(tmp_path, capsys, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["--space", str(path), "--out", str(tmp_path / "out"), "--jobs", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("womsim-optimize: error: ")
    assert re.search(message, err[0]), err[0]
    assert not (tmp_path / "out" / "study.db").exists()


def test_an_unknown_preset_lists_the_presets(capsys):
    assert main(["no_such_preset"]) == 2
    err = capsys.readouterr().err
    assert "no preset 'no_such_preset'" in err and "kol_rewards_20k" in err


# --- the search -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def grid_study(tmp_path_factory):
    """One parameter (the KOLs' share of 3,000), one objective, 8 trials on 3 seeds; the top
    plan confirmed on seeds 1000..1004."""
    tmp = tmp_path_factory.mktemp("grid")
    path = write_space(tmp, "grid", objectives=["incremental_npv"], trials=8, seeds=3, top=1,
                       confirm_seeds=5)
    return run_space(path, tmp / "out", confirm=True), load_space(path)


def test_the_confirmed_best_split_is_within_the_grid_optimum_interval(grid_study):
    result, space = grid_study
    seeds = space.fresh_seeds
    grid = {}
    for share in (0.0, 0.25, 0.5, 0.75, 1.0):
        ev = evaluate(plan_overrides(space, {"split.kol": share}), seeds, ["incremental_npv"])
        grid[share] = Interval.of(ev.values["incremental_npv"])
    best_share = max(grid, key=lambda s: grid[s].mean)
    worst = min(grid.values(), key=lambda iv: iv.mean)
    assert worst.high < grid[best_share].low  # the split matters in this world
    found = result.confirmation.plans[0]
    confirmed = found.intervals["incremental_npv"]
    assert confirmed.n == len(seeds) and found.fresh.seeds == seeds
    # within the grid optimum's interval, or above it (a share between grid points can be
    # better still): 8 trials suffice where a share of 0.25 would not (~245,000 < the low end)
    assert confirmed.mean >= grid[best_share].low, (found.shares, grid)


def test_the_printed_command_reproduces_the_confirmed_run(grid_study):
    result, space = grid_study
    plan = result.confirmation.plans[0]
    line = pd.read_csv(result.out / "top_plans.csv")["command"].iloc[0]
    words = shlex.split(line)
    assert words[0] == "womsim" and words[-1] == f"seed={space.fresh_seeds[0]}"
    metrics = run(compose_config(*words[1:])).metrics
    assert metrics["incremental_npv"] == pytest.approx(plan.fresh.values["incremental_npv"][0],
                                                       rel=1e-12)
    assert line in (result.out / "top_plans.md").read_text()


def test_the_dashboard_loads_the_confirmed_best_plan_and_runs_it_the_same(grid_study):
    from sim.app.plans import load_plan
    from sim.app.state import scenario_config

    result, space = grid_study
    plan = result.confirmation.plans[0]
    loaded = load_plan(str(result.out))
    assert loaded.world.seed == space.fresh_seeds[0]
    assert dict(loaded.scenario.budget_shares) == pytest.approx(plan.shares)
    assert loaded.not_carried == (), loaded.note
    metrics = run(scenario_config(loaded.world, loaded.scenario)).metrics
    assert metrics["incremental_npv"] == pytest.approx(plan.fresh.values["incremental_npv"][0],
                                                       rel=1e-12)


def test_outputs_hold_every_trial_and_the_ranked_plans(grid_study):
    result, space = grid_study
    out = result.out
    for name in ("study.db", "trials.parquet", "pareto.png", "importance.png", "top_plans.md",
                 "top_plans.csv"):
        assert (out / name).stat().st_size > 0, name
    trials = pd.read_parquet(out / "trials.parquet")
    assert list(trials["number"]) == list(range(space.trials))
    for column in ("state", "feasible", "pareto", "split.kol", "share.kol", "share.rewards",
                   "incremental_npv", "incremental_npv_se", "cost", "cost_max"):
        assert column in trials, column
    # a KOL share too small to buy one KOL (below 100 of 3,000) is refused by the model: the
    # trial fails with the reason, and counts
    failed = trials["state"] != "COMPLETE"
    assert (trials.loc[failed, "share.kol"] < 100 / 3000).all()
    assert trials.loc[failed, "error"].str.startswith("refused by the model").all()
    assert np.allclose(trials["share.kol"] + trials["share.rewards"], 1.0)
    assert (trials.loc[~failed, "incremental_npv_se"] > 0).all()
    top = pd.read_csv(out / "top_plans.csv")
    assert len(top) == 1 and top["incremental_npv_low"].iloc[0] < top["incremental_npv"].iloc[0]
    assert top["incremental_npv_vs_baseline"].iloc[0] == pytest.approx(
        top["incremental_npv"].iloc[0])  # incremental figures are 0 without a plan


def test_the_budget_is_a_hard_constraint(tmp_path):
    """Ads on a budget of their own beside the split: plans that overspend are infeasible, and
    neither the front nor the top plans hold one."""
    path = write_space(tmp_path, own_budget=["ads"], trials=8, seeds=2, top=2,
                       params=[{"key": "strategy.ads.budget", "type": "float", "low": 0.0,
                                "high": 3000.0}])
    result = run_space(path, tmp_path / "out", confirm=True)
    trials = result.trials
    # the only trials allowed to fail are those whose KOL share buys no KOL (covered above)
    failed = trials["state"] != "COMPLETE"
    assert (trials.loc[failed, "share.kol"] < 100 / 3000).all()
    assert failed.sum() < len(trials) / 2
    trials = trials[~failed]
    over = trials["cost_max"] > 3000 + 1e-9
    assert over.any() and (~over).any()  # the test space has both kinds
    assert not trials.loc[over, "feasible"].any()
    assert trials.loc[~over, "feasible"].all()
    assert not trials.loc[over, "pareto"].any()
    for trial in result.study.trials:
        if trial.number in trials["number"].values:
            assert (trial.constraints["budget"] > 0) == (trial.user_attrs["cost_max"] > 3000)
    for plan in result.confirmation.plans:
        assert max(plan.fresh.cost) <= 3000 + 1e-9
        assert not over[trials["number"] == plan.trial].any()


def test_a_split_alone_never_overspends(grid_study):
    result, space = grid_study
    complete = result.trials[result.trials["state"] == "COMPLETE"]
    assert (complete["cost_max"] <= space.budget + 1e-9).all()
    assert complete["feasible"].all()


def test_same_seed_same_trials(tmp_path):
    path = write_space(tmp_path, params=[{"key": "strategy.kol.k", "type": "int", "low": 1,
                                          "high": 20}], trials=6)
    runs = [run_space(path, tmp_path / f"out{i}").trials for i in range(2)]
    columns = ["number", "split.kol", "strategy.kol.k", "incremental_npv", "retention"]
    pd.testing.assert_frame_equal(runs[0][columns], runs[1][columns])
    other = run_space(path, tmp_path / "other", sampler_seed=1).trials
    assert not np.allclose(other["split.kol"], runs[0]["split.kol"])


def test_a_stopped_study_resumes_without_rerunning_finished_trials(tmp_path):
    path = write_space(tmp_path, trials=3)
    out = tmp_path / "out"
    first = run_space(path, out).study.trials
    # a run killed in the middle of a trial leaves it RUNNING in the storage
    storage = optuna.storages.RDBStorage(f"sqlite:///{out / 'study.db'}")
    study = optuna.load_study(study_name=STUDY_NAME, storage=storage)
    killed = study.ask({"split.kol": optuna.distributions.FloatDistribution(0, 1)})
    resumed = run_space(path, out, trials=6).study.trials
    for before, after in zip(first, resumed[:3], strict=False):
        assert after.params == before.params and after.values == before.values
        assert after.datetime_complete == before.datetime_complete  # not run again
    assert resumed[killed.number].state == optuna.trial.TrialState.FAIL
    retry = [t for t in resumed if t.user_attrs.get("retry_of") == killed.number]
    assert len(retry) == 1 and retry[0].params == killed.params
    assert retry[0].state == optuna.trial.TrialState.COMPLETE
    finished = [t for t in resumed if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(finished) == 6
    # the same command again finds the study done and runs nothing
    again = run_space(path, out, trials=6).study.trials
    assert [t.datetime_complete for t in again] == [t.datetime_complete for t in resumed]


def test_a_study_of_another_space_is_not_resumed(tmp_path, capsys):
    path = write_space(tmp_path, trials=2)
    out = tmp_path / "out"
    run_space(path, out)
    other = write_space(tmp_path, "other", trials=2, budget=4000)
    assert main(["--space", str(other), "--out", str(out), "--jobs", "1", "--quiet"]) == 2
    assert "holds a study with other budget" in capsys.readouterr().err


@pytest.mark.slow
def test_a_killed_command_resumes(tmp_path):
    """The real thing: the command killed (SIGKILL) mid-study, then run again asking for more
    trials than it had finished."""
    path = write_space(tmp_path, trials=40)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sim.optimize", "--space", str(path), "--out", str(out),
           "--jobs", "1", "--no-confirm"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if line.startswith("[optimize 3/40]"):
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    storage = optuna.storages.RDBStorage(f"sqlite:///{out / 'study.db'}")
    before = optuna.load_study(study_name=STUDY_NAME, storage=storage).trials
    done = [t for t in before if t.state == optuna.trial.TrialState.COMPLETE]
    assert 3 <= len(done) < 40
    after = run_space(path, out, trials=len(done) + 2).study.trials
    for t in done:
        assert after[t.number].datetime_complete == t.datetime_complete
    assert sum(t.state == optuna.trial.TrialState.COMPLETE for t in after) == len(done) + 2


@pytest.mark.slow
def test_the_womsim_command_gives_the_confirmed_figures(grid_study, tmp_path):
    """The command as printed, run by the real ``womsim`` (its checks and Hydra app)."""
    import json

    result, _ = grid_study
    plan = result.confirmation.plans[0]
    words = shlex.split(pd.read_csv(result.out / "top_plans.csv")["command"].iloc[0])
    proc = subprocess.run([sys.executable, "-m", "sim", *words[1:], "output.plot=false",
                           f"hydra.run.dir={tmp_path / 'run'}"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["incremental_npv"] == pytest.approx(
        plan.fresh.values["incremental_npv"][0], rel=1e-9)


@pytest.mark.slow
def test_worker_processes_give_the_trials_of_one_process(tmp_path):
    """Batches are told in trial order, so 2 workers find what 1 finds with the same batch."""
    path = write_space(tmp_path, trials=4)
    import dataclasses

    space = load_space(path)
    objectives = resolve_objectives(space.objectives)
    start = time.perf_counter()
    two = optimise(space, objectives, tmp_path / "two", jobs=2, batch=2, confirm_top=False,
                   progress=False).trials
    assert time.perf_counter() - start < 120
    one = optimise(dataclasses.replace(space), objectives, tmp_path / "one", jobs=1, batch=2,
                   confirm_top=False, progress=False).trials
    columns = ["number", "split.kol", "incremental_npv", "retention"]
    pd.testing.assert_frame_equal(one[columns], two[columns])


def test_the_command_prints_progress_top_plans_and_commands(tmp_path, capsys):
    path = write_space(tmp_path, trials=4, top=2)
    out = tmp_path / "out"
    assert main(["--space", str(path), "--out", str(out), "--jobs", "1"]) == 0
    captured = capsys.readouterr()
    assert "[optimize 4/4] trial 3" in captured.err and "best incremental NPV" in captured.err
    assert "Top plans, re-run on fresh seeds 1000..1002" in captured.out
    commands = [ln.strip() for ln in captured.out.splitlines()
                if ln.strip().startswith("womsim ")]
    assert len(commands) == 2 and all("seed=1000" in c for c in commands)
    assert "vs no plan" in captured.out
