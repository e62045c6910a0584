"""Collect the runs of a sweep directory and summarise them per condition with 95% intervals."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import stats

#: headline figures of a strategy comparison
SUMMARY_METRICS = ("reach", "customers", "net_sentiment", "mean_loyalty", "retention",
                   "cost_per_customer")


def condition_label(overrides: list[str]) -> str:
    """The overrides that define a job's condition: all but the seed, the experiment preset
    and hydra.* settings, joined by spaces."""
    skip = ("seed=", "hydra.", "+hydra.", "+experiment=", "experiment=")
    keep = [o for o in overrides if not o.startswith(skip)]
    return " ".join(keep) if keep else "(default)"


def collect_runs(sweep_dir: str | Path) -> pd.DataFrame:
    """One row per finished job under ``sweep_dir``: ``condition``, ``seed`` and the flat
    (number, string or null) entries of its metrics.json."""
    rows = []
    for metrics_path in sorted(Path(sweep_dir).glob("*/metrics.json")):
        job = metrics_path.parent
        overrides_path = job / ".hydra" / "overrides.yaml"
        overrides = yaml.safe_load(overrides_path.read_text()) if overrides_path.exists() else []
        metrics = json.loads(metrics_path.read_text())
        row = {k: v for k, v in metrics.items() if not isinstance(v, dict | list)}
        row["condition"] = condition_label(overrides or [])
        row["job"] = job.name
        row["job_num"] = _job_num(job)
        rows.append(row)
    runs = pd.DataFrame(rows)
    return runs.sort_values("job_num", kind="stable").reset_index(drop=True) if rows else runs


def _job_num(job: Path) -> int:
    """The job's number in its sweep (launch order), from .hydra/hydra.yaml; -1 if unknown."""
    path = job / ".hydra" / "hydra.yaml"
    if not path.exists():
        return -1
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("num:"):
            return int(stripped.split(":", 1)[1])
    return -1


def mean_ci(values, confidence: float = 0.95) -> tuple[float, float, float, int]:
    """Mean and two-sided t confidence interval of the non-missing ``values``.

    Returns ``(mean, low, high, n)``; with one value the interval is the value itself, with none
    everything is NaN.
    """
    x = pd.to_numeric(pd.Series(values), errors="coerce").dropna().to_numpy(dtype=float)
    if x.size == 0:
        return math.nan, math.nan, math.nan, 0
    mean = float(x.mean())
    if x.size == 1:
        return mean, mean, mean, 1
    half = float(stats.t.ppf(0.5 + confidence / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return mean, mean - half, mean + half, int(x.size)


def summarise(runs: pd.DataFrame, metrics=SUMMARY_METRICS) -> pd.DataFrame:
    """Per condition and metric: mean, ci_low, ci_high and n (runs with a value)."""
    records = []
    for condition, group in runs.groupby("condition", sort=False):
        for metric in metrics:
            if metric not in group:
                continue
            mean, low, high, n = mean_ci(group[metric])
            records.append({"condition": condition, "metric": metric, "mean": mean,
                            "ci_low": low, "ci_high": high, "n": n})
    return pd.DataFrame(records)


def format_table(summary: pd.DataFrame, metrics=SUMMARY_METRICS) -> str:
    """A plain-text table: one row per condition, ``mean [low, high]`` per metric."""
    if summary.empty:
        return "(no finished runs)"
    cells: dict[str, dict[str, str]] = {}
    seeds: dict[str, int] = {}
    for row in summary.itertuples():
        text = "n/a" if math.isnan(row.mean) else _fmt(row.mean, row.ci_low, row.ci_high)
        cells.setdefault(row.condition, {})[row.metric] = text
        seeds[row.condition] = max(seeds.get(row.condition, 0), row.n)
    header = ["condition", "runs", *metrics]
    body = [[c, str(seeds[c]), *(cells[c].get(m, "n/a") for m in metrics)] for c in cells]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in [header, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(mean: float, low: float, high: float) -> str:
    digits = 1 if abs(mean) >= 100 else 3
    return f"{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"
