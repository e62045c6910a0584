"""Sweep summaries: intervals on known data, and the strategy comparison end to end."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.report.summary import condition_label, format_table, mean_ci, summarise


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
