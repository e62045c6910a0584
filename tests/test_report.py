"""Sweep reports: collection, statistics on known data, figures, report files and the CLI."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.catalog import METRICS, SOURCES
from sim.report import figures as fg
from sim.report.__main__ import main
from sim.report.collect import Collected, ReportError, collect, collect_runs, resolve_baseline
from sim.report.conditions import parse_override
from sim.report.document import report_blocks
from sim.report.plan import (
    HOW_TO_READ,
    TIMESERIES_METRICS,
    FigureSpec,
    RenderedFigure,
    compute_decision,
    compute_stats,
    figure_specs,
    report_metrics,
)
from sim.report.plots import plot_series, timeseries_figure
from sim.report.render import remove_stale_figures, render_markdown
from sim.report.stats import (
    conversion_means,
    efficient_frontier,
    heatmap_table,
    mean_ci,
    paired_differences,
    paired_lead,
    summarise,
    timeseries_bands,
)

SEEDS = (0, 1, 2)
FAILED_JOB = "strategy=kol,model.quality=0.7,seed=9"
UNFINISHED_JOB = "strategy=kol,model.quality=0.7,seed=8"


# --- fixtures: one small sweep (2 strategies x 2 qualities x 3 seeds) and its report ----------

@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """A finished 12-run sweep plus a failed job (error.json only) and an unfinished one."""
    root = tmp_path_factory.mktemp("report")
    sweep_dir = root / "sweep"
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "-m", f"seed={','.join(map(str, SEEDS))}",
         "strategy=none,kol", "model.quality=0.6,0.8", "budget=2000", "graph.n=200", "steps=20",
         "output.plot=false", "output.summary=false", f"hydra.sweep.dir={sweep_dir}"],
        cwd=root, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    failed = sweep_dir / FAILED_JOB
    (failed / ".hydra").mkdir(parents=True)
    overrides = ["seed=9", "strategy=kol", "model.quality=0.7"]
    (failed / ".hydra" / "overrides.yaml").write_text("".join(f"- {o}\n" for o in overrides))
    (failed / "error.json").write_text(json.dumps({
        "error": "boom: the graph fell apart\nsecond line", "type": "RuntimeError",
        "traceback": "Traceback (most recent call last): ...", "overrides": overrides}))
    (sweep_dir / UNFINISHED_JOB / ".hydra").mkdir(parents=True)
    return sweep_dir


@pytest.fixture(scope="module")
def report(sweep):
    """Build the report with the CLI in-process; returns (exit status, stderr, stdout)."""
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        status = main([str(sweep)])
    return status, err.getvalue(), out.getvalue()


@pytest.fixture(scope="module")
def collected(sweep):
    return collect(sweep, write=False)


# --- the report files -------------------------------------------------------------------------

def test_report_writes_every_file_and_one_progress_line_per_stage(sweep, report):
    status, stderr, stdout = report
    assert status == 0, stderr
    assert stdout.strip() == str(sweep / "report.html")
    for name in ("report.html", "report.md", "summary.csv", "runs.parquet",
                 "timeseries.parquet"):
        assert (sweep / name).stat().st_size > 0, name
    pngs = sorted(p.stem for p in (sweep / "figures").glob("*.png"))
    svgs = sorted(p.stem for p in (sweep / "figures").glob("*.svg"))
    assert pngs == svgs and len(pngs) >= 10
    for stem in ("ts_reach", "ts_customers", "ts_net_sentiment", "ts_mean_loyalty",
                 "kpi_reach", "paired_customers", "cost_vs_customers",
                 "conversions_by_source", "cost_vs_incremental_npv", "value_decomposition",
                 "kpi_incremental_npv", "kpi_roi", "paired_npv"):
        assert stem in pngs
    lines = stderr.strip().splitlines()
    assert len(lines) == 4 and all(line.startswith("womsim-report: ") for line in lines)
    assert "12 runs" in lines[0] and "1 failed" in lines[0]


def test_html_is_self_contained_and_embeds_every_figure(sweep, report):
    page = (sweep / "report.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "<script" not in page and "<link" not in page
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == len(list((sweep / "figures").glob("*.png")))
    assert base64.b64decode(images[0])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<table>" in page and "<pre><code" in page


def test_report_md_headline_tables_and_figure_links(sweep, report):
    md = (sweep / "report.md").read_text()
    assert "**12 runs** of **4 conditions**" in md
    assert "3 seeds (0-2)" in md and "`ba(n=200, m=3)`" in md and "`20` days" in md
    assert "`strategy` (none, kol)" in md and "`model.quality` (0.6, 0.8)" in md
    assert "```yaml\n" in md and "negativity_bias:" in md
    assert "| condition | runs | reach | customers | net_sentiment | mean_loyalty | retention" in md
    assert "| incremental_npv (EUR) | roi |" in md
    # the report opens with the decision summary, its two figures inside it
    assert md.index("## Decision summary") < md.index("## The sweep") < md.index("## Figures")
    decision = md.split("## Decision summary")[1].split("## The sweep")[0]
    assert "| rank | condition | runs | incremental NPV (EUR) | ROI |" in decision
    assert "`strategy=kol model.quality=" in decision and "(no plan)" in decision
    assert "figures/cost_vs_incremental_npv.png" in decision
    assert "figures/value_decomposition.png" in decision
    for criterion in ("incremental NPV", "ROI", "loyalty (mean loyalty)", "reach"):
        assert f"**Best on {criterion}**: `strategy=kol model.quality=" in decision
    assert "## Paired differences against strategy=none model.quality=0.6" in md
    for link in re.findall(r"\]\((figures/[^)]+)\)", md):
        assert (sweep / link).exists(), link
    assert md.count("How to read:") == len(list((sweep / "figures").glob("*.png")))


def test_condition_table_matches_a_direct_groupby_of_runs_parquet(sweep, report):
    runs = pd.read_parquet(sweep / "runs.parquet")
    assert len(runs) == 12
    direct = runs.groupby("condition")[["reach", "customers", "mean_loyalty", "cost"]].mean()
    summary = pd.read_csv(sweep / "summary.csv")
    table = summary.pivot(index="condition", columns="metric", values="mean")
    for metric in direct.columns:
        np.testing.assert_allclose(table.loc[direct.index, metric], direct[metric])
    md = (sweep / "report.md").read_text()
    for condition, row in direct.iterrows():
        label = " ".join(t for t in condition.split() if t.startswith(("strategy=", "model.")))
        line = next(x for x in md.splitlines() if x.startswith(f"| `{label}` | 3 |"))
        assert f"| {row['reach']:.3f} [" in line


def test_failed_job_is_listed_and_the_rest_collected(sweep, report, collected):
    assert len(collected.runs) == 12
    assert [f["job"] for f in collected.failed] == [FAILED_JOB]
    assert collected.failed[0]["error"] == "boom: the graph fell apart"
    assert collected.unfinished == [UNFINISHED_JOB]
    md = (sweep / "report.md").read_text()
    failures = md.split("## Failed jobs")[1]
    assert f"`{FAILED_JOB}`: RuntimeError: boom: the graph fell apart" in failures
    assert UNFINISHED_JOB in failures and "second line" not in md


def test_heatmap_only_when_two_parameters_are_swept(sweep, report, collected, tmp_path):
    assert collected.params == ["strategy", "model.quality"]
    assert (sweep / "figures" / "heatmap_customers.png").exists()
    one = tmp_path / "one"
    for job in sweep.glob("*model.quality=0.6*"):
        shutil.copytree(job, one / job.name)
    single = collect(one, write=False)
    assert single.params == ["strategy"]
    names = [s.name for s in figure_specs(single, compute_stats(single, single.conditions[0]))]
    assert "ts_reach" in names and not any(n.startswith("heatmap_") for n in names)


def test_rebuild_removes_only_stale_figure_files(tmp_path):
    for name in ("ts_reach.png", "kpi_old.svg", "notes.png", "kpi_old.txt"):
        (tmp_path / name).write_text("x")
    kept = RenderedFigure(FigureSpec("ts_reach", "ts", "", "", draw=lambda: None),
                          files={"png": tmp_path / "ts_reach.png"})
    assert remove_stale_figures(tmp_path, [kept]) == [tmp_path / "kpi_old.svg"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kpi_old.txt", "notes.png",
                                                          "ts_reach.png"]


def test_report_metrics_adapt_to_diffusion_presets():
    wom = pd.DataFrame(columns=["reach", "customers", "cost", "active_users"])
    assert report_metrics(wom) == ("reach", "customers", "cost")
    preset = pd.DataFrame(columns=["reach", "active", "peak_step", "cost"])
    assert report_metrics(preset) == ("reach", "cost", "active", "peak_step")


# --- the decision summary on a synthetic sweep -------------------------------------------------

DECISION_SEEDS = range(6)


def decision_runs(money: bool = True) -> pd.DataFrame:
    """Six seeds of four conditions: no plan; ``big``, first on incremental NPV; ``close``, a
    whisker behind it with noise of its own (the two are not distinguishable) and first on
    reach; ``cheap``, a fifth of the cost, first on ROI and loyalty. Noise of mean 0 over the
    seeds, so the means are the figures below."""
    world = np.array([0.02, -0.01, 0.0, 0.01, -0.03, 0.01])  # what a seed does to everyone
    noise = {"none": np.zeros(6), "big": np.array([1.0, -1.0, 2.0, -2.0, 0.5, -0.5]),
             "close": np.array([-1.0, 2.0, 1.0, -2.0, -0.5, 0.5]),
             "cheap": np.array([0.1, -0.1, 0.2, -0.2, 0.0, 0.0])}
    plans = {  # strategy: cost, incremental NPV, its noise's scale, reach, mean loyalty
        "none": (0.0, 0.0, 0.0, 0.50, 0.60), "big": (5000.0, 100_000.0, 8000.0, 0.90, 0.70),
        "close": (5000.0, 99_000.0, 8000.0, 0.95, 0.69),
        "cheap": (1000.0, 60_000.0, 5000.0, 0.70, 0.80)}
    rows = []
    for strategy, (cost, inc, scale, reach, loyalty) in plans.items():
        for seed in DECISION_SEEDS:
            value = inc + scale * noise[strategy][seed]
            jitter = 0.001 * noise[strategy][seed]
            row = {"job": f"{strategy}-{seed}", "job_num": len(rows),
                   "condition": f"strategy={strategy}", "seed": seed, "strategy": strategy,
                   "reach": reach + world[seed] + jitter, "customers": reach / 2,
                   "mean_loyalty": loyalty + world[seed] + jitter, "cost": cost}
            if money:
                won = round(value / 400)
                row.update(npv=50_000.0 + value, incremental_npv=value, currency="EUR",
                           roi=(value - cost) / cost if cost else None,
                           incremental_customers=won,
                           cost_per_incremental_customer=cost / won if cost else None,
                           value_expansion=0.7 * value, value_acceleration=0.1 * value,
                           value_lost=0.05 * value, value_retention=0.25 * value)
            rows.append(row)
    return pd.DataFrame(rows)


def synthetic_collected(runs: pd.DataFrame) -> Collected:
    return Collected(sweep_dir=Path("synthetic"), runs=runs,
                     timeseries=pd.DataFrame(columns=["job", "condition", "seed", "step"]),
                     conversions=pd.DataFrame(columns=["job", "condition", "seed", "source",
                                                       "count"]),
                     params=["strategy"])


def synthetic_markdown(runs: pd.DataFrame) -> str:
    collected = synthetic_collected(runs)
    stats = compute_stats(collected, "strategy=none")
    figures = [RenderedFigure(spec) for spec in figure_specs(collected, stats)]
    return render_markdown(report_blocks(collected, stats, figures))


def test_decision_ranks_by_incremental_npv_and_names_the_best_plan_on_each_criterion():
    decision = compute_decision(decision_runs())
    assert decision.ranking == ("strategy=big", "strategy=close", "strategy=cheap",
                                "strategy=none")
    assert decision.plans == ("strategy=big", "strategy=close", "strategy=cheap")
    assert decision.currency == "EUR"
    best = {v.metric: v.best for v in decision.verdicts}
    assert best == {"incremental_npv": "strategy=big", "roi": "strategy=cheap",
                    "mean_loyalty": "strategy=cheap", "reach": "strategy=close"}
    verdicts = {v.metric: v for v in decision.verdicts}
    assert verdicts["incremental_npv"].ties == ["strategy=close"]  # overlapping: a tie
    assert verdicts["roi"].ties == [] and verdicts["reach"].ties == []
    lead = verdicts["incremental_npv"].lead.set_index("condition")
    assert list(lead.index) == ["strategy=close", "strategy=cheap"]  # runner-up first
    assert lead.loc["strategy=cheap", "distinguishable"]
    assert decision.efficient == ("strategy=none", "strategy=cheap", "strategy=big")


def test_decision_summary_opens_the_report_and_says_not_distinguishable():
    md = synthetic_markdown(decision_runs())
    assert md.index("## Decision summary") < md.index("## The sweep")
    decision = md.split("## Decision summary")[1].split("## The sweep")[0]
    ranks = [line.split(" | ")[1] for line in decision.splitlines()
             if line.startswith("| ") and line[2].isdigit()]
    assert ranks == ["`strategy=big`", "`strategy=close`", "`strategy=cheap`",
                     "`strategy=none` (no plan)"]
    assert "Money in EUR" in decision and "| incremental NPV (EUR) | ROI |" in decision
    lines = {line.split("**")[1]: line for line in decision.splitlines()
             if line.startswith("- **")}
    assert lines["Best on incremental NPV"].startswith(
        "- **Best on incremental NPV**: `strategy=big`, 1")
    assert "EUR; not distinguishable from `strategy=close` (difference +" in \
        lines["Best on incremental NPV"]
    assert "`strategy=cheap`" in lines["Best on ROI"]
    assert "ahead of the runner-up `strategy=big`" in lines["Best on ROI"]
    assert "`strategy=cheap`" in lines["Best on loyalty (mean loyalty)"]
    assert lines["Best on reach"].startswith("- **Best on reach**: `strategy=close`, 95.0% [")
    # a share's difference in percentage points
    assert "ahead of the runner-up `strategy=big` (difference +5.0 pp [" in lines["Best on reach"]
    assert lines["Efficient"].endswith("`strategy=none`, `strategy=cheap`, `strategy=big`.")


def test_sweeps_without_money_build_reports_without_a_decision_summary():
    runs = decision_runs(money=False)
    assert compute_decision(runs) is None
    collected = synthetic_collected(runs)
    names = [spec.name for spec in figure_specs(collected, compute_stats(collected,
                                                                         "strategy=none"))]
    assert "kpi_reach" in names
    assert "cost_vs_incremental_npv" not in names and "value_decomposition" not in names
    md = synthetic_markdown(runs)
    assert "No decision summary: the runs have no incremental figures" in md
    assert "Best on" not in md and "## Results per condition" in md
    preset = runs.drop(columns=["customers", "mean_loyalty", "cost"]).assign(active=0.1)
    md = synthetic_markdown(preset)
    assert "Decision summary" not in md and "## Results per condition" in md
    nothing_planned = decision_runs()
    nothing_planned = nothing_planned[nothing_planned["strategy"] == "none"]
    assert compute_decision(nothing_planned) is None
    assert "incremental_npv" not in report_metrics(nothing_planned)


def test_paired_lead_is_the_best_minus_each_rival():
    runs = pd.DataFrame({"condition": ["a"] * 3 + ["b"] * 3, "seed": [0, 1, 2] * 2,
                         "m": [5.0, 6.0, 7.0, 4.0, 4.0, 4.0]})
    lead = paired_lead(runs, "a", ["a", "b", "c"], "m").set_index("condition")
    expected = mean_ci([1.0, 2.0, 3.0])
    assert tuple(lead.loc["b", ["mean", "ci_low", "ci_high", "n"]]) == pytest.approx(expected)
    assert lead.loc["c", "n"] == 0 and list(lead.index) == ["b", "c"]


def test_cost_against_incremental_npv_and_value_decomposition_figures():
    decision = compute_decision(decision_runs())
    ax = fg.plot_cost_incremental_npv(decision.summary, currency="EUR")
    assert len(ax.containers) == 4  # one point with intervals per condition
    lines = {line.get_label(): line for line in ax.get_lines()}
    front = lines["efficient frontier"]
    assert list(front.get_xdata()) == pytest.approx([0.0, 1000.0, 5000.0])
    assert "break-even (ROI 0)" in lines
    assert ax.get_xlabel() == "cost (EUR per run)"
    assert ax.get_ylabel().startswith("incremental_npv (EUR")

    plans = decision.summary[decision.summary["condition"].isin(decision.plans)]
    ax = fg.plot_value_decomposition(plans, currency="EUR")
    assert len(ax.patches) == 4 * 3  # four parts for each plan
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:4] == [METRICS["value_expansion"].label, METRICS["value_acceleration"].label,
                          METRICS["value_lost"].label + " (subtracted)",
                          METRICS["value_retention"].label]
    means = plans.pivot_table(index="condition", columns="metric", values="mean")
    first = means.loc["strategy=big"]
    bars = [ax.containers[i].patches[0] for i in range(4)]
    assert bars[0].get_x() == 0 and bars[0].get_width() == pytest.approx(
        first["value_expansion"])
    assert bars[2].get_x() == 0  # value lost: from zero to the left
    assert bars[2].get_width() == pytest.approx(-first["value_lost"])
    right = bars[3].get_x() + bars[3].get_width()
    assert right + bars[2].get_width() == pytest.approx(first["incremental_npv"])
    diamonds = ax.containers[4].lines[0]
    assert list(diamonds.get_xdata()) == pytest.approx(
        list(means.loc[list(decision.plans), "incremental_npv"]))


# --- collection -------------------------------------------------------------------------------

def test_collect_types_parameters_and_labels_conditions(collected):
    runs = collected.runs
    assert runs["model.quality"].dtype == float and runs["seed"].dtype == np.int64
    assert sorted(runs["seed"].unique()) == list(SEEDS)
    assert list(runs["job_num"]) == sorted(runs["job_num"])
    assert collected.conditions[0] == ("strategy=none model.quality=0.6 budget=2000 graph.n=200 "
                                       "steps=20 output.plot=False output.summary=False")
    assert collected.labels[collected.conditions[1]] == "strategy=none model.quality=0.8"
    ts = collected.timeseries
    assert list(ts.columns[:4]) == ["job", "condition", "seed", "step"]
    assert len(ts) == 12 * 21
    conv = collected.conversions.pivot(index="job", columns="source", values="count")
    counts = runs.set_index("job").loc[conv.index, list(conv.columns)]
    assert (conv == counts).all().all()  # conversions.csv agrees with metrics.json


def test_collect_runs_keeps_the_summary_columns(sweep):
    runs = collect_runs(sweep)
    assert len(runs) == 12 and {"condition", "seed", "reach", "job"} <= set(runs.columns)


def test_parse_override_types_values():
    assert parse_override("model.quality=0.6") == ("model.quality", 0.6)
    assert parse_override("+budget_shares.kol=7") == ("budget_shares.kol", 7)
    assert parse_override("strategy=none") == ("strategy", "none")
    assert parse_override("output.plot=False") == ("output.plot", False)
    assert parse_override("budget=null") == ("budget", None)
    assert parse_override("strategy=[kol,rewards]") == ("strategy", "[kol,rewards]")
    assert parse_override("~strategy") is None


def test_resolve_baseline():
    conditions = ["strategy=kol graph.n=5", "strategy=none graph.n=5", "strategy=ads graph.n=5"]
    assert resolve_baseline(conditions) == "strategy=none graph.n=5"
    assert resolve_baseline(conditions[::2]) == "strategy=kol graph.n=5"
    assert resolve_baseline(conditions, "graph.n=5 strategy=ads") == "strategy=ads graph.n=5"
    with pytest.raises(ReportError, match="unknown baseline"):
        resolve_baseline(conditions, "strategy=rewards")
    with pytest.raises(ReportError, match="ambiguous"):
        resolve_baseline(conditions, "graph.n=5")


# --- statistics on known data -----------------------------------------------------------------

def test_paired_differences_on_known_data():
    runs = pd.DataFrame({
        "condition": ["base"] * 4 + ["treat"] * 4,
        "seed": [0, 1, 2, 7, 0, 1, 2, 5],           # seeds 7 and 5 have no partner
        "reach": [1.0, 2.0, 3.0, 100.0, 2.0, 4.0, 3.0, -50.0]})
    paired = paired_differences(runs, "base", metrics=["reach"])
    row = paired.iloc[0]
    half = stats.t.ppf(0.975, 2) * 1.0 / np.sqrt(3)  # differences 1, 2, 0: mean 1, sd 1
    assert (row["condition"], row["baseline"], row["n"]) == ("treat", "base", 3)
    assert row["mean"] == pytest.approx(1.0)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(1 - half), pytest.approx(1 + half))
    assert half == pytest.approx(2.4841, abs=1e-4)
    with pytest.raises(ValueError, match="baseline"):
        paired_differences(runs, "nope", metrics=["reach"])


def test_mean_ci_and_bands_agree_on_known_data():
    x = [2.0, 4.0, 9.0]
    mean, low, high, n = mean_ci(x)
    half = stats.t.ppf(0.975, 2) * np.std(x, ddof=1) / np.sqrt(3)
    assert (mean, n) == (5.0, 3) and (low, high) == (pytest.approx(5 - half),
                                                      pytest.approx(5 + half))
    ts = pd.DataFrame({"condition": ["a"] * 6 + ["b"] * 2, "step": [0, 1] * 4,
                       "reach": [2.0, 1.0, 4.0, np.nan, 9.0, 3.0, 0.5, 0.7]})
    bands = timeseries_bands(ts, ["reach"]).set_index(["condition", "step"])
    assert bands.loc[("a", 0), "ci_low"] == pytest.approx(low)
    assert bands.loc[("a", 0), "ci_high"] == pytest.approx(high)
    a1 = mean_ci([1.0, 3.0])
    assert tuple(bands.loc[("a", 1), ["mean", "ci_low", "ci_high", "n"]]) == pytest.approx(a1)
    assert tuple(bands.loc[("b", 0), ["mean", "ci_low", "ci_high"]]) == (0.5, 0.5, 0.5)


def test_efficient_frontier_on_known_points():
    cost = [0.0, 10.0, 5.0, 10.0, 20.0, np.nan]
    outcome = [0.1, 0.5, 0.5, 0.4, 0.5, 0.9]
    assert list(efficient_frontier(cost, outcome)) == [True, False, True, False, False, False]
    assert list(efficient_frontier([1, 2], [0.1, 0.3])) == [True, True]
    assert list(efficient_frontier([1, 2], [0.1, 0.3], higher_is_better=False)) == [True, False]


def test_heatmap_table_and_conversion_means():
    runs = pd.DataFrame({"p": [2, 1, 2, 1], "q": ["x", "x", "y", "y"], "m": [1, 2, 3, 5.0]})
    table = heatmap_table(runs, "m", "p", "q")
    assert list(table.index) == [1, 2] and list(table.columns) == ["x", "y"]
    assert table.loc[1, "y"] == 5.0 and table.attrs["metric"] == "m"
    conv = pd.DataFrame({"condition": ["a"] * 4, "job": ["j1", "j1", "j2", "j2"],
                         "source": ["organic", "seeded"] * 2, "count": [2, 0, 4, 1]})
    means = conversion_means(conv).set_index("source")
    assert means.loc["organic", "mean"] == 3.0 and means.loc["seeded", "n"] == 2


# --- figures ----------------------------------------------------------------------------------

def test_timeseries_figures_have_one_line_per_condition(collected):
    bands = timeseries_bands(collected.timeseries, TIMESERIES_METRICS)
    k = len(collected.conditions)
    for metric in TIMESERIES_METRICS:
        ax = fg.plot_timeseries(bands, metric, labels=collected.labels)
        assert len(ax.get_lines()) == k and len(ax.collections) == k  # lines and bands
        assert ax.get_xlabel() == "day" and ax.get_ylabel().startswith(metric)
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend == [collected.labels[c] for c in collected.conditions]


def test_kpi_paired_cost_conversion_and_heatmap_figures(collected):
    k = len(collected.conditions)
    summary = summarise(collected.runs, ["reach", "customers", "cost"])
    ax = fg.plot_kpi(summary, "customers")
    assert len(ax.patches) == k and ax.get_xlabel().startswith("customers")
    assert [t.get_text() for t in ax.get_yticklabels()] == collected.conditions

    paired = paired_differences(collected.runs, collected.conditions[0], ["reach"])
    ax = fg.plot_paired(paired, "reach", labels=collected.labels)
    assert len(ax.containers) == k - 1 and "difference vs baseline" in ax.get_xlabel()
    assert any(list(line.get_xdata()) == [0, 0] for line in ax.get_lines())  # the zero line

    ax = fg.plot_cost_outcome(summary, "customers")
    assert len(ax.containers) == k
    assert ax.get_xlabel().startswith("cost") and ax.get_ylabel().startswith("customers")
    assert [line.get_label() for line in ax.get_lines()].count("efficient frontier") == 1

    means = conversion_means(collected.conversions)
    used = means.groupby("source")["mean"].sum().gt(0).sum()
    ax = fg.plot_conversions(means)
    assert len(ax.patches) == k * used and ax.get_xlabel() == "purchases per run (mean)"

    table = heatmap_table(collected.runs, "customers", *collected.params)
    ax = fg.plot_heatmap(table)
    assert (ax.get_ylabel(), ax.get_xlabel()) == ("strategy", "model.quality")
    assert len(ax.get_images()) == 1 and len(ax.texts) == 4


def test_run_figure_and_its_panels_are_drawn_with_plot_series(collected):
    ts = collected.timeseries[collected.timeseries["job"] == collected.runs["job"].iloc[0]]
    ax = plot_series(ts, ("reach", "customers"), scale=100.0, color="black")
    assert [line.get_label() for line in ax.get_lines()] == ["reach", "customers now"]
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), 100 * ts["customers"])
    assert {line.get_color() for line in ax.get_lines()} == {"black"}
    left, right = timeseries_figure(ts, "a run").axes
    assert [t.get_text() for t in left.get_legend().get_texts()] == \
        [METRICS[m].label for m in ("reach", "adoption", "customers")]
    assert left.get_ylabel() == METRICS["reach"].unit
    assert [t.get_text() for t in right.get_legend().get_texts()] == \
        ["promoters", "detractors", "net sentiment"]


def test_conversion_legend_and_how_to_read_use_the_catalogs_source_labels(collected):
    ax = fg.plot_conversions(conversion_means(collected.conversions))
    shown = [t.get_text() for t in ax.get_legend().get_texts()]
    labels = [s.label for s in SOURCES]
    assert shown and all(text in labels for text in shown)
    assert shown == [label for label in labels if label in shown]  # in the catalog's order
    assert all(s.label in HOW_TO_READ["conversions"] for s in SOURCES)


# --- the command line -------------------------------------------------------------------------

def run_main(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(list(argv))
    return status, err.getvalue()


def test_cli_bad_input_is_one_line_and_status_2(sweep, tmp_path):
    status, err = run_main(str(tmp_path / "missing"))
    assert status == 2 and err.count("\n") == 1 and "no such sweep directory" in err
    (tmp_path / "empty").mkdir()
    status, err = run_main(str(tmp_path / "empty"))
    assert status == 2 and err.count("\n") == 1 and "no finished runs" in err
    status, err = run_main(str(sweep), "--baseline", "strategy=rewards", "--out", str(tmp_path))
    assert status == 2 and err.count("\n") == 1 and "unknown baseline 'strategy=rewards'" in err
    assert not (tmp_path / "runs.parquet").exists()  # nothing written for bad input
    status, err = run_main(str(sweep), "--formats", "gif", "--out", str(tmp_path))
    assert status == 2 and err.count("\n") == 1 and "gif" in err


def test_python_m_sim_report_reports_a_missing_dir_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "sim.report", str(tmp_path / "nope")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("womsim-report: error: no such sweep directory")
