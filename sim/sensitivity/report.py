"""A finished study's files: sensitivity.parquet (the indices), evaluations.parquet (every run),
figures/ (a tornado chart per metric and the importance heatmap) and report.md (the short page:
what matters most, what barely at all). Every file is written atomically.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.io import atomic_write, atomic_write_text
from sim.sensitivity.analysis import importance
from sim.sensitivity.plots import metric_label, plot_importance, plot_morris, plot_sobol, short
from sim.sensitivity.study import Study

#: a parameter "barely matters" when, for every metric, its total index's upper bound is below
#: this (Sobol') ...
NEGLIGIBLE_ST = 0.02
#: ... or its μ* is below this share of the largest μ* of the metric (Morris)
NEGLIGIBLE_MU = 0.05


def negligible(study: Study, table: pd.DataFrame) -> list[str]:
    """The parameters that barely matter for any of the study's metrics (see
    :data:`NEGLIGIBLE_ST`, :data:`NEGLIGIBLE_MU`), in the study's order."""
    if table.empty:
        return []
    if study.method == "sobol":
        st = table[table["index"] == "ST"]
        worst = st.groupby("parameter")["high"].max()
        return [p for p in study.names if worst.get(p, np.inf) < NEGLIGIBLE_ST]
    share = importance(table).max(axis=1)
    return [p for p in study.names if share.get(p, np.inf) < NEGLIGIBLE_MU]


def save_figure(ax: Any, path: Path) -> Path:
    """Save the figure of ``ax`` to ``path`` (PNG) atomically."""
    figure = ax.figure
    figure.tight_layout()
    buf = io.BytesIO()
    figure.savefig(buf, format="png", dpi=120)
    data = buf.getvalue()

    def write(tmp: str) -> None:
        Path(tmp).write_bytes(data)

    return atomic_write(path, write)


def write_figures(study: Study, table: pd.DataFrame, outdir: Path) -> list[Path]:
    """One tornado chart per analysed metric and the importance heatmap, in ``figures/``."""
    paths = []
    draw = plot_sobol if study.method == "sobol" else plot_morris
    for metric in dict.fromkeys(table["metric"]):
        paths.append(save_figure(draw(table, metric), outdir / "figures" / f"{metric}.png"))
    imp = importance(table)
    if not imp.empty:
        paths.append(save_figure(plot_importance(imp, method=study.method),
                                 outdir / "figures" / "importance.png"))
    return paths


def _fmt(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _metric_table(study: Study, table: pd.DataFrame, metric: str, top: int = 10) -> list[str]:
    part = table[table["metric"] == metric].set_index(["index", "parameter"])
    if study.method == "sobol":
        order = part.loc["ST"]["value"].sort_values(ascending=False).index[:top]
        lines = ["| parameter | total index ST | first-order S1 |", "|---|---|---|"]
        for p in order:
            st, s1 = part.loc[("ST", p)], part.loc[("S1", p)]
            lines.append(f"| `{p}` | {st['value']:.3f} ± {st['conf']:.3f} | "
                         f"{s1['value']:.3f} ± {s1['conf']:.3f} |")
        return lines
    order = part.loc["mu_star"]["value"].sort_values(ascending=False).index[:top]
    lines = ["| parameter | μ* | μ | σ |", "|---|---|---|---|"]
    for p in order:
        mu_star = part.loc[("mu_star", p)]
        lines.append(f"| `{p}` | {_fmt(mu_star['value'])} ± {_fmt(mu_star['conf'])} | "
                     f"{_fmt(part.loc[('mu', p), 'value'])} | "
                     f"{_fmt(part.loc[('sigma', p), 'value'])} |")
    return lines


def report_markdown(study: Study, table: pd.DataFrame, notes: list[str],
                    facts: dict[str, Any]) -> str:
    """The study's page: settings, the ranking across metrics, what barely matters, and per
    metric its figure and table."""
    runs = facts["samples"] * study.seeds
    what = ("Morris screen (elementary effects)" if study.method == "morris"
            else "Sobol' indices (Saltelli sampling)")
    size = (f"{study.samples} trajectories ({study.levels} levels)" if study.method == "morris"
            else f"base size N = {study.samples}")
    lines = [
        f"# Sensitivity: {study.name}", "",
        f"{what} of {len(study.parameters)} parameters on "
        f"{', '.join(metric_label(m) for m in study.metrics)}: {size}, "
        f"{facts['samples']:,} samples, each "
        + (f"the mean of seeds {study.seed_list[0]}-{study.seed_list[-1]} (the same for every "
           "sample: common random "
           if study.seeds > 1 else f"on seed {study.seed_list[0]} (the same for every sample: "
           "common random ")
        + f"numbers), {runs:,} runs in {facts['seconds'] / 60:.1f} min of evaluation with "
        f"{facts['workers']} worker(s)."]
    if facts.get("command"):
        lines += ["", "```", facts["command"], "```"]
    if study.overrides:
        lines += ["", "Shared overrides: " + " ".join(f"`{o}`" for o in study.overrides)]
    imp = importance(table)
    if not imp.empty:
        label = ("total index ST" if study.method == "sobol"
                 else "μ* relative to the largest μ* of the metric")
        lines += ["", "## What matters", "",
                  f"Each cell is the parameter's {label}; rows sorted by their largest value.",
                  "", "| parameter | " + " | ".join(metric_label(m) for m in imp.columns) + " |",
                  "|---|" + "---|" * imp.shape[1]]
        for p, row in imp.iterrows():
            lines.append(f"| `{p}` | " + " | ".join(f"{v:.2f}" for v in row) + " |")
        lines += ["", "![importance](figures/importance.png)"]
    small = negligible(study, table)
    rule = (f"the upper end of its total index is below {NEGLIGIBLE_ST} for every metric"
            if study.method == "sobol"
            else f"its μ* is below {NEGLIGIBLE_MU:.0%} of the largest μ* for every metric")
    lines += ["", "## What barely matters", "",
              f"Parameters for which {rule}: "
              + (", ".join(f"`{p}`" for p in small) if small else "none") + "."]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    for metric in dict.fromkeys(table["metric"]):
        label = metric_label(metric)
        lines += ["", f"## {label[:1].upper() + label[1:]} (`{metric}`)", "",
                  f"![{metric}](figures/{metric}.png)", ""]
        lines += _metric_table(study, table, metric)
    lines += ["", "Parameters and their ranges:", "", "| parameter | distribution | bounds |",
              "|---|---|---|"]
    for p in study.parameters:
        bounds = ", ".join(f"{b:g}" for b in p.bounds)
        lines.append(f"| `{p.key}` | {p.dist}{' (rounded)' if p.integer else ''} | {bounds} |")
    return "\n".join(lines) + "\n"


def write_results(study: Study, table: pd.DataFrame, evaluations: pd.DataFrame,
                  notes: list[str], facts: dict[str, Any], outdir: Path) -> Path:
    """Write sensitivity.parquet, evaluations.parquet, figures/ and report.md; returns the
    report's path."""
    outdir = Path(outdir)
    atomic_write(outdir / "sensitivity.parquet",
                 lambda tmp: table.to_parquet(tmp, index=False))
    atomic_write(outdir / "evaluations.parquet",
                 lambda tmp: evaluations.to_parquet(tmp, index=False))
    write_figures(study, table, outdir)
    return atomic_write_text(outdir / "report.md", report_markdown(study, table, notes, facts))


def short_summary(study: Study, table: pd.DataFrame, top: int = 5) -> list[str]:
    """A few lines for the terminal: the top parameters of each metric."""
    lines = []
    index = "ST" if study.method == "sobol" else "mu_star"
    for metric in dict.fromkeys(table["metric"]):
        part = table[(table["metric"] == metric) & (table["index"] == index)]
        best = part.sort_values("value", ascending=False).head(top)
        lines.append(f"  {metric}: " + ", ".join(f"{short(r.parameter)} {_fmt(r.value)}"
                                                  for r in best.itertuples()))
    return lines
