"""Sweep summaries: intervals on known data, and the strategy comparison end to end."""

from __future__ import annotations

import ast
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import catalog, vocabulary
from sim.catalog import METRICS, SOURCES
from sim.population import SOURCE_NAMES
from sim.report import plan
from sim.report.summary import (
    PRESET_ROWS,
    RUN_ROWS,
    SUMMARY_METRICS,
    condition_label,
    format_table,
    mean_ci,
    summarise,
    summary_table,
)
from sim.strategies import PLUGINS

SIM = Path(__file__).resolve().parent.parent / "sim"

#: metrics.json of the default run (womsim, seed 0), the figures the summary reads
DEFAULT_RUN = {
    "reach": 0.9315, "adoption": 0.6315, "customers": 0.597, "promoters": 0.4085,
    "detractors": 0.0405, "net_sentiment": 0.3950617283950617,
    "mean_loyalty": 0.8318247392914419, "retention": 0.9453681710213777,
    "churn": 0.05463182897862233, "time_to_half_reach": 105, "positive_messages": 5581,
    "negative_messages": 1319, "complaints": 754, "cost": 0.0, "cost_by_strategy": {},
    "cost_per_customer": 0.0, "complaints_received": 754, "complaints_answered": 0,
    "complaints_recovered": 0, "seed": 0, "steps": 180, "n": 2000,
    "graph": "ba(n=2000, m=3)", "model": "wom", "strategies": []}


# --- one vocabulary ---------------------------------------------------------------------------

def test_sources_are_the_populations_purchase_sources():
    assert set(s.name for s in SOURCES) == set(SOURCE_NAMES.values())
    assert [s.name for s in SOURCES] == list(SOURCE_NAMES.values())  # the stacking order
    assert len({s.label for s in SOURCES}) == len(SOURCES)


def test_vocabulary_is_the_lowest_layer():
    tree = ast.parse((SIM / "vocabulary.py").read_text())
    imported = [a.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for a in node.names]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [m for m in imported if m == "sim" or m.startswith("sim.")]


def test_readers_take_the_tables_from_the_catalog():
    """The summary, the report and the dashboard read :mod:`sim.catalog` (where strategies
    add their entries), never the vocabulary itself."""
    readers = []
    for path in [SIM / "cli.py", SIM / "run.py", *(SIM / "report").rglob("*.py"),
                 *(SIM / "app").rglob("*.py")]:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom) else
                     [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            if isinstance(node, ast.ImportFrom) and node.module == "sim":
                names = [f"sim.{a.name}" for a in node.names]
            if "sim.vocabulary" in names:
                readers.append(path.relative_to(SIM).as_posix())
    assert readers == []
    assert "sim.vocabulary" in (SIM / "catalog.py").read_text()
    assert catalog.SOURCES is vocabulary.SOURCES
    assert vocabulary.METRICS.items() <= catalog.METRICS.items()
    assert {m.strategy for m in catalog.METRICS.values()} - {None} == set(PLUGINS)


def test_every_metric_a_summary_or_report_shows_is_in_the_catalog():
    shown = {*SUMMARY_METRICS, *plan.REPORT_METRICS, *plan.TIMESERIES_METRICS,
             *plan.COST_OUTCOMES, *plan.HEATMAP_METRICS, *plan.COST_METRICS,
             *plan.PRESET_METRICS, *plan.PRESET_TIMESERIES,
             *(m for row in (*RUN_ROWS, *PRESET_ROWS) for m in row.metrics)}
    assert shown <= set(METRICS)
    assert all(name == m.name for name, m in METRICS.items())
    for m in METRICS.values():
        assert m.label == m.label.strip(), m.label
        first = m.label.split()[0].removesuffix("s")
        assert m.label[0].islower() or first.isupper(), m.label  # acronyms ("KOLs") aside
        assert m.axis_label.startswith(m.name)


def test_metric_formats():
    assert METRICS["reach"].format(0.1234) == "12.3%"
    assert METRICS["net_sentiment"].format(0.05) == "+0.050"
    assert METRICS["mean_loyalty"].format(0.8318) == "0.832"
    assert METRICS["cost"].format(10270) == "10,270.00"
    assert METRICS["positive_messages"].format(5581) == "5,581"
    assert METRICS["time_to_half_reach"].format(105) == "105"
    assert METRICS["retention"].format(np.float64(0.5)) == "50.0%"
    for name in ("reach", "mean_loyalty", "cost_per_customer", "net_sentiment"):
        assert METRICS[name].format(None) == "n/a" and METRICS[name].format(math.nan) == "n/a"
    assert METRICS["time_to_half_reach"].format(None) == "never"
    assert METRICS["reach"].format("?") == "?"
    assert METRICS["customers"].format_delta(-0.012) == "-1.2 pp"
    assert METRICS["cost_per_customer"].format_delta(3.0) == "+3.00"
    assert METRICS["mean_loyalty"].format_delta(0.01) == "+0.010"
    assert METRICS["positive_messages"].format_delta(12) == "+12"
    assert METRICS["mean_loyalty"].format_delta(None) == "n/a"
    assert METRICS["net_sentiment"].title == "Net sentiment"
    assert METRICS["reach"].axis_label == "reach (share of consumers aware of the brand)"
    assert METRICS["net_sentiment"].axis_label == \
        "net_sentiment ((promoters - detractors) / aware)"
    unknown = catalog.metric("rewards_new_figure")
    assert (unknown.label, unknown.format(2.5), unknown.axis_label) == \
        ("rewards new figure", "2.500", "rewards_new_figure")
    assert catalog.source("organic").label == "organic WOM"
    assert catalog.source("gift").label == "gift"


# --- one run's summary ------------------------------------------------------------------------

def test_summary_of_the_default_run():
    assert summary_table(DEFAULT_RUN) == "\n".join([
        "graph                   ba(n=2000, m=3)",
        "consumers               2,000",
        "days                    180",
        "reach                   93.2%",
        "ever bought             63.1%",
        "customers now           59.7%",
        "promoters / detractors  40.8% / 4.0%",
        "net sentiment           +0.395",
        "mean loyalty            0.832",
        "retention               94.5%",
        "half reach on day       105",
        "positive messages       5,581",
        "negative messages       1,319",
        "complaints              754",
        "cost                    0.00",
        "cost per customer       0.00",
    ])


def test_summary_says_what_is_missing_and_what_each_strategy_did():
    quiet = {**DEFAULT_RUN, "mean_loyalty": None, "retention": None, "time_to_half_reach": None,
             "net_sentiment": math.nan, "cost_per_customer": None}
    lines = dict(line.split("  ", 1) for line in summary_table(quiet).splitlines())
    assert lines["mean loyalty"].strip() == "n/a" and lines["retention"].strip() == "n/a"
    assert lines["half reach on day"].strip() == "never"
    assert lines["net sentiment"].strip() == "n/a"
    assert "KOLs seeded" not in summary_table({**DEFAULT_RUN, "kols": 10})  # kol did not run
    kol = summary_table({**DEFAULT_RUN, "kols": 10, "strategies": ["kol"]})
    assert kol.splitlines()[-1].split() == ["KOLs", "seeded", "10"]
    answered = summary_table({**DEFAULT_RUN, "strategies": ["fast_response"],
                              "mean_response_delay_days": 0.954, "complaints_backlog": 4,
                              "staffed_days": 60})
    assert "complaints answered     0" in answered and "mean days to answer     0.954" in answered
    assert "complaints received" not in answered  # the same count as complaints


def test_summary_of_a_diffusion_preset():
    preset = {"model": "bass", "graph": "ba(n=500, m=3)", "n": 500, "steps": 50, "reach": 1.0,
              "active": 1.0, "peak_active": 1.0, "peak_step": 38, "cost": 0.0}
    assert summary_table(preset) == "\n".join([
        "model        bass", "graph        ba(n=500, m=3)", "nodes        500",
        "days         50", "reach        100.0%", "active now   100.0%",
        "peak active  100.0% on day 38"])


# --- sweep summaries --------------------------------------------------------------------------


def test_mean_ci_matches_textbook_t_interval():
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    mean, low, high, n = mean_ci(x)
    half = stats.t.ppf(0.975, 4) * np.std(x, ddof=1) / np.sqrt(5)  # 2.776 * 1.581 / 2.236
    assert (mean, n) == (3.0, 5)
    assert low == pytest.approx(3 - half) and high == pytest.approx(3 + half)
    assert half == pytest.approx(1.9632, abs=1e-4)


def test_mean_ci_ignores_missing_values_and_handles_tiny_samples():
    assert mean_ci([None, 2.0, np.nan])[:3] == (2.0, 2.0, 2.0)
    assert all(np.isnan(v) for v in mean_ci([None])[:3])


def test_condition_label_drops_seed_experiment_and_hydra():
    assert condition_label(["strategy=kol", "seed=3", "+experiment=x", "hydra.verbose=true"]) == \
        "strategy=kol"
    assert condition_label(["seed=1"]) == "(default)"


def test_summarise_and_format_table():
    runs = pd.DataFrame({"condition": ["a", "a", "b", "b"], "reach": [0.1, 0.3, 0.5, 0.5],
                         "mean_loyalty": [None, 0.5, 0.6, 0.8]})
    s = summarise(runs, metrics=("reach", "mean_loyalty"))
    row = s[(s.condition == "a") & (s.metric == "reach")].iloc[0]
    assert row["mean"] == pytest.approx(0.2) and row["n"] == 2
    assert s[(s.condition == "a") & (s.metric == "mean_loyalty")].iloc[0]["n"] == 1
    table = format_table(s, metrics=("reach", "mean_loyalty"))
    assert table.splitlines()[2].startswith("a ") and "0.500 [0.500, 0.500]" in table


@pytest.mark.slow
def test_strategy_comparison_experiment_prints_table(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "-m", "+experiment=strategy_comparison",
         "seed=range(2)", "graph.n=300", "steps=30",
         f"hydra.sweep.dir={tmp_path}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    table = proc.stdout.split("95% intervals")[1]
    for condition in ("none", "kol", "rewards", "fast_response", "ads", "kol_rewards"):
        assert f"strategy={condition} " in table
    for metric in ("reach", "customers", "net_sentiment", "mean_loyalty", "retention",
                   "cost_per_customer"):
        assert metric in table
    assert (tmp_path / "summary.txt").exists() and (tmp_path / "report.html").exists()
    assert len(list(tmp_path.glob("*/metrics.json"))) == 12
