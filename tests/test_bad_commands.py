"""Mistakes on the womsim command line: one line each, exit status 2, no traceback, nothing
written.

The many cases, generated from the real config (a sample of its keys, every option group), are
checked in-process with the function the command uses (:class:`sim.cli.CommandChecker`); a few
run the real command in a subprocess (about 3 s each).
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from omegaconf import DictConfig

from sim.cli import CommandChecker, CommandError
from sim.compose import compose_config
from sim.errors import ConfigError

KINDS = {"IntegerNode": "an integer", "FloatNode": "a number", "BooleanNode": "true or false"}


def leaves(node: DictConfig, prefix: str = "") -> list[tuple[str, str]]:
    """(dotted key, node type) of every value of a composed config."""
    out = []
    for name in node.keys():
        child = node._get_node(name)
        path = f"{prefix}.{name}" if prefix else str(name)
        if isinstance(child, DictConfig):
            out += leaves(child, path) if not child._is_none() else []
        else:
            out.append((path, type(child).__name__))
    return out


KEYS = leaves(compose_config())
#: every third key with a part long enough to misspell
SAMPLE = [key for key, _ in KEYS if any(len(part) >= 5 for part in key.split("."))][::3]
TYPED = [(key, kind) for key, kind in KEYS if kind in KINDS][::4]


def misspell(key: str) -> tuple[str, str]:
    """``model.quality`` -> (``model.qualty``, ``model``): the last part of 5 letters or more
    without its middle letter, and where it is."""
    parts = key.split(".")
    i = max(j for j, part in enumerate(parts) if len(part) >= 5)
    middle = len(parts[i]) // 2
    parts[i] = parts[i][:middle] + parts[i][middle + 1:]
    return ".".join(parts), ".".join(parts[:i])


@pytest.fixture(scope="module")
def checker():
    with CommandChecker() as c:
        yield c


def problem(checker: CommandChecker, *overrides: str, multirun: bool = False) -> str:
    with pytest.raises(CommandError) as info:
        checker.check(list(overrides), multirun=multirun)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_the_sample_covers_every_part_of_the_config():
    assert len(SAMPLE) >= 10 and len(TYPED) >= 8
    assert {key.split(".")[0] for key in SAMPLE} >= {"graph", "model", "population"}


@pytest.mark.parametrize("key", SAMPLE)
def test_misspelt_key_names_the_key_it_meant(checker, key):
    wrong, head = misspell(key)
    message = problem(checker, f"{wrong}=1")
    where = f"no such key in {head}" if head else "no such key"
    assert message == f"{wrong}=1 is invalid: {where} (did you mean {key}?)"
    assert problem(checker, f"+{wrong}=1").startswith(f"+{wrong}=1 is invalid: {where}")


@pytest.mark.parametrize(("key", "kind"), TYPED)
def test_wrong_type_names_the_type(checker, key, kind):
    assert problem(checker, f"{key}=abc") == f"{key}=abc is invalid: {key} takes {KINDS[kind]}"


@pytest.mark.parametrize(("line", "expected"), [
    ("graph.n=1.5", "graph.n=1.5 is invalid: graph.n takes an integer"),
    ("model.quality=high", "model.quality=high is invalid: model.quality takes a number"),
    ("model.quality=null", "model.quality=null is invalid: model.quality takes a number, not null"),
    ("+budget_shares.kol=abc",
     "+budget_shares.kol=abc is invalid: budget_shares.kol takes a number"),
])
def test_wrong_value_types(checker, line, expected):
    assert problem(checker, line) == expected


@pytest.mark.parametrize("group", ["graph", "model", "strategy", "hydra/launcher"])
def test_unknown_option_lists_the_options_or_the_closest(checker, group):
    options = sorted(checker.loader.get_group_options(group))
    assert problem(checker, f"{group}=xyz") == (
        f"{group}=xyz is invalid: no such option in {group} (options: {', '.join(options)})")
    typo = options[-1] + "x"
    assert problem(checker, f"{group}={typo}").endswith(f"(did you mean {group}={options[-1]}?)")


@pytest.mark.parametrize("line", ["+model.foo=1", "+graph.foo=1", "+population.foo=1",
                                  "+strategy.foo=1", "+foo=1", "+output.foo=1",
                                  "+budget_share.kol=0.5", "++model.foo=1"])
def test_plus_keys_womsim_would_ignore_are_refused(checker, line):
    assert "is invalid: no such key" in problem(checker, line)


def test_plus_entries_of_budget_shares_are_allowed_for_real_strategies(checker):
    checker.check(["strategy=kol", "budget=5000", "+budget_shares.kol=0.5"])
    assert problem(checker, "+budget_shares.kolx=0.5") == (
        "+budget_shares.kolx=0.5 is invalid: no such strategy in budget_shares "
        "(did you mean budget_shares.kol?)")
    assert "add it with +: +budget_shares.kol=0.5" in problem(checker, "budget_shares.kol=0.5")


def test_plus_hydra_keys_stay_hydras_business(checker):
    checker.check(["+hydra.launcher.ray_init=1"], values=False)


def test_a_strategys_keys_need_the_strategy(checker):
    assert problem(checker, "strategy.kol.k=5") == (
        "strategy.kol.k=5 is invalid: the kol strategy is not selected (add strategy=kol, or "
        "list it: strategy=[...,kol])")
    checker.check(["strategy=kol", "strategy.kol.k=5"])
    assert problem(checker, "strategy=kol", "strategy.kol.kk=5").endswith(
        "no such key in strategy.kol (did you mean strategy.kol.k?)")


def test_groups_and_plus(checker):
    assert "add it with +: +experiment=kol_tiers" in problem(checker, "experiment=kol_tiers")
    assert "without the +: graph=ws" in problem(checker, "+graph=ws")
    assert "already set (without the +: steps=5)" in problem(checker, "+steps=5")
    assert problem(checker, "~model.quality").endswith("cannot be removed, only set "
                                                       "(model.quality=...)")
    assert problem(checker, "grph=ba").endswith("(did you mean graph?)")


def test_sweeps_are_checked_job_by_job_before_any_starts(checker):
    assert problem(checker, "seed=0,1") == ("seed=0,1 is a sweep: add -m (--multirun) to run "
                                            "one job per value")
    assert problem(checker, "seed=0,1", "model.qualty=0.5", multirun=True).startswith(
        "model.qualty=0.5 is invalid: no such key in model")
    assert problem(checker, "strategy=none,kol", "strategy.kol.k=5", multirun=True).startswith(
        "strategy.kol.k=5 is invalid with strategy=none: the kol strategy is not selected")
    assert "no such option in graph" in problem(checker, "graph=ba,xyz", multirun=True)
    assert "did you mean strategy.kol.selector?" in problem(
        checker, "+experiment=kol_tiers", "strategy.kol.selectr=degree")
    checker.check(["+experiment=kol_tiers"])  # its own sweep (hydra.sweeper.params) is fine


def test_a_single_runs_values_are_checked_before_it_starts(checker):
    with pytest.raises(ConfigError, match="model.quality=1.5"):
        checker.check(["model.quality=1.5"])
    checker.check(["model.quality=1.5", "seed=0,1"], multirun=True)  # a sweep's job fails alone


def test_unreadable_override(checker):
    assert problem(checker, "steps=[1").startswith("cannot read 'steps=[1': ")


# --- the real command: one line, exit status 2, nothing written -------------------------------

@pytest.mark.parametrize("args", [
    ["model.qualty=0.5"],
    ["graph.nn=5"],
    ["steps=abc"],
    ["model.quality=high"],
    ["graph=xyz"],
    ["strategy=foo"],
    ["+model.foo=1"],
    ["+budget_share.kol=0.5"],
    ["strategy.kol.k=5"],
    ["-m", "seed=0,1", "model.qualty=0.5"],
])
def test_command_says_one_line_and_writes_nothing(tmp_path, args):
    proc = subprocess.run(
        [sys.executable, "-m", "sim", *args, f"hydra.run.dir={tmp_path / 'run'}",
         f"hydra.sweep.dir={tmp_path / 'sweep'}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("womsim: error: "), proc.stderr
    assert "Traceback" not in proc.stderr and not proc.stdout
    assert not (tmp_path / "run").exists() and not (tmp_path / "sweep").exists()
