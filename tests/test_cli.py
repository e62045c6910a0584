"""The womsim command end to end, in a subprocess, writing into a temporary directory."""

from __future__ import annotations

import json
import subprocess
import sys

import numba
import pandas as pd
import pytest
from omegaconf import OmegaConf

from conftest import DATA, ROOT
from sim.metrics import TIMESERIES_COLUMNS

METRIC_KEYS = {
    "reach", "adoption", "customers", "promoters", "detractors", "net_sentiment", "mean_loyalty",
    "retention", "churn", "time_to_half_reach", "positive_messages", "negative_messages", "cost",
    "seed", "steps", "n",
}


def womsim(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_default_run_writes_all_outputs(tmp_path):
    out = tmp_path / "run"
    proc = womsim("graph.n=400", "steps=40", "seed=3", f"hydra.run.dir={out}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert METRIC_KEYS <= metrics.keys()
    assert metrics["seed"] == 3 and metrics["steps"] == 40 and metrics["n"] == 400
    assert "threads" not in metrics and "git_commit" not in metrics  # machine facts apart:
    info = json.loads((out / "run_info.json").read_text())
    assert 1 <= info["threads"] <= numba.config.NUMBA_NUM_THREADS  # a single run: idle cores
    assert {"git_commit", "seconds", "host", "python", "numba"} <= info.keys()
    ts = pd.read_csv(out / "timeseries.csv")
    assert list(ts.columns) == list(TIMESERIES_COLUMNS) and len(ts) == 41
    assert (out / "timeseries.png").stat().st_size > 10_000
    assert (out / ".hydra" / "config.yaml").exists()
    assert "reach" in proc.stdout and "net sentiment" in proc.stdout
    assert not list(out.glob(".*.json")), "no temporary files left behind"


def test_same_config_and_seed_give_identical_metrics_file_on_any_machine(tmp_path):
    """metrics.json depends on config and seed only: not on threads, nor on being a sweep's
    job (the machine's facts are in run_info.json)."""
    args = ("graph=ws", "graph.n=300", "steps=30", "seed=7", "output.plot=false")
    texts = []
    for threads in (1, 2):
        out = tmp_path / f"threads{threads}"
        proc = womsim(*args, f"threads={threads}", f"hydra.run.dir={out}", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        texts.append((out / "metrics.json").read_bytes())
        assert json.loads((out / "run_info.json").read_text())["threads"] == threads
    proc = womsim("-m", *args, f"hydra.sweep.dir={tmp_path / 'sweep'}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    texts += [p.read_bytes() for p in (tmp_path / "sweep").glob("*/metrics.json")]
    assert len(texts) == 3 and texts[0] == texts[1] == texts[2]


def test_every_generated_graph_kind_runs(tmp_path):
    kinds = "ba,ws,er,powerlaw_cluster,sbm,complete"
    proc = womsim("-m", f"graph={kinds}", "graph.n=120", "steps=10", "output.plot=false",
                  f"hydra.sweep.dir={tmp_path / 'sweep'}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    found = sorted(p.parent.name for p in (tmp_path / "sweep").glob("*/metrics.json"))
    assert len(found) == 6, found
    for path in (tmp_path / "sweep").glob("*/metrics.json"):
        assert json.loads(path.read_text())["n"] == 120


def test_file_graph_runs_on_real_snap_data(tmp_path):
    out = tmp_path / "fb"
    proc = womsim("graph=file", f"graph.path={DATA / 'facebook_combined.txt'}", "steps=15",
                  f"hydra.run.dir={out}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((out / "metrics.json").read_text())["n"] == 4039


@pytest.mark.parametrize(("args", "needle"), [
    (["model.quality=1.5"], "model.quality=1.5"),
    (["graph.n=1"], "graph.n=1"),
    (["graph=file", "graph.path=missing.csv"], "graph.path='missing.csv'"),
])
def test_bad_value_gives_one_line_error_and_no_outputs(tmp_path, args, needle):
    out = tmp_path / "bad"
    proc = womsim(*args, f"hydra.run.dir={out}", cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in proc.stderr
    assert not (out / "metrics.json").exists()


def test_malformed_edge_list_names_the_line_and_leaves_no_directory(tmp_path):
    edges = tmp_path / "edges.csv"
    edges.write_text("source,target\n1,2\n2,3\n4\n")
    out = tmp_path / "new" / "o"  # found only once Hydra made the directory and its files
    proc = womsim("graph=file", f"graph.path={edges}", f"hydra.run.dir={out}", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "line 4" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "new").exists()


def test_a_refused_run_puts_an_existing_directory_back_as_it_was(tmp_path):
    from sim.io import RunDirState

    run = tmp_path / "run"
    (run / ".hydra").mkdir(parents=True)
    (run / ".hydra" / "config.yaml").write_text("old: config\n")
    (run / "cli.log").write_text("old log\n")
    (run / "metrics.json").write_text("{}")
    state = RunDirState.capture(run)
    (run / ".hydra" / "config.yaml").write_text("refused: config\n")  # what Hydra writes
    (run / ".hydra" / "overrides.yaml").write_text("- x=1\n")
    with open(run / "cli.log", "a") as log:
        log.write("refused run\n")
    state.restore()
    assert (run / ".hydra" / "config.yaml").read_text() == "old: config\n"
    assert not (run / ".hydra" / "overrides.yaml").exists()
    assert (run / "cli.log").read_text() == "old log\n" and (run / "metrics.json").exists()

    fresh = tmp_path / "a" / "b" / "run"
    state = RunDirState.capture(fresh)
    (fresh / ".hydra").mkdir(parents=True)
    (fresh / "cli.log").write_text("")
    state.restore()
    assert not (tmp_path / "a").exists()


def test_progress_shows_a_line_every_few_seconds_or_a_bar_on_a_terminal(monkeypatch):
    import io

    from sim import run as run_module

    clock = iter(float(t) for t in range(100))
    monkeypatch.setattr(run_module.time, "perf_counter", lambda: next(clock))
    stream = io.StringIO()
    progress = run_module.Progress(100, label="seed=1", every=5.0, stream=stream)
    for day in range(1, 41):
        progress(day)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 8 and lines[0].startswith("  seed=1: day 5/100 (5%), 5s, about")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    clock = iter(float(t) for t in range(100))
    bar = run_module.Progress(10, stream=Terminal(), after=1.0)
    for day in range(1, 11):
        bar(day)
    text = bar.stream.getvalue()
    assert text.startswith("\r  [") and "day 10/10 (100%)" in text and text.endswith("\n")
    quiet = run_module.Progress(10, stream=io.StringIO(), every=1e9)
    for day in range(1, 11):
        quiet(day)
    assert quiet.stream.getvalue() == ""  # a short run shows nothing


def test_misspelt_key_fails_with_the_key_it_meant(tmp_path):
    proc = womsim("graph.nn=5", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr == ("womsim: error: graph.nn=5 is invalid: no such key in graph "
                           "(did you mean graph.n?)\n")
    assert not (tmp_path / "results").exists()


def test_module_and_console_script_are_the_same_app():
    proc = subprocess.run([sys.executable, "-m", "sim", "--help"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0 and "graph: ba" in proc.stdout


def test_help_lists_the_config_groups_and_their_options(tmp_path):
    proc = womsim("--help", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("womsim: ") and any(x.startswith("Usage: womsim") for x in lines)
    assert "graph: ba, complete, er, file, powerlaw_cluster, sbm, ws" in lines
    assert "model: bass, independent_cascade, linear_threshold, sir, threshold, wom" in lines
    groups = {x.split(": ")[0]: x.split(": ")[1].split(", ") for x in lines
              if x.split(": ")[0] in ("strategy", "experiment")}
    assert {"none", "kol", "rewards", "fast_response", "ads", "kol_rewards"} <= set(
        groups["strategy"])
    assert "strategy_comparison" in groups["experiment"]
    assert "--cfg job" in proc.stdout and "README.md" in proc.stdout
    assert "== Config ==" not in proc.stdout, "short: the composed config only on --cfg job"
    assert "schema/" not in proc.stdout, "the typed schemas are not choices of their own"


@pytest.mark.parametrize("job", [
    ["graph.n=10", "steps=1"], ["strategy=[kol,rewards]", "strategy.kol.k=5", "budget=100"],
    ["graph=ws", "model.quality=0.5"], ["+experiment=kol_tiers"],
    ["strategy=ugc", "+budget_shares.ugc=1", "budget=5"], ["model=bass", "seed=4"],
    ["hydra.run.dir=/tmp/x", "steps=3"]])
def test_the_checked_config_of_a_run_is_the_config_hydra_composes(job):
    """The command check applies a run's key overrides to its composed groups instead of
    composing it again: the result is the same config."""
    from sim.cli import CommandChecker

    with CommandChecker() as checker:
        fast = OmegaConf.to_container(checker.job_config(job), resolve=True)
        composed = OmegaConf.to_container(checker.compose(job, with_hydra=False), resolve=True)
    assert fast == composed
