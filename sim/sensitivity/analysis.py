"""Sampling and analysis with SALib: Morris elementary effects (the cheap screen) and Sobol'
indices (first-order and total, with bootstrap confidence intervals), as one tidy table.

The table (sensitivity.parquet) has one row per metric, parameter and index:

=============  ==========================================================================
column         meaning
=============  ==========================================================================
method         ``morris`` or ``sobol``
metric         the output analysed (a key of metrics.json, or a test function's output)
parameter      the input (a config key); ``parameter2`` the second one of an ``S2`` row
index          ``S1``, ``ST``, ``S2`` (Sobol'); ``mu_star``, ``mu``, ``sigma`` (Morris)
value          the estimate
conf           half-width of its bootstrap confidence interval (``conf_level``), or NaN
low, high      value - conf, value + conf
=============  ==========================================================================
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from sim.sensitivity.study import Study

COLUMNS = ["method", "metric", "parameter", "parameter2", "index", "value", "conf", "low",
           "high"]


def sample(study: Study) -> np.ndarray:
    """The study's input samples, one row per sample, one column per parameter (unrounded:
    integer keys are rounded when a run is set up). The same study always gives the same
    samples (``sample_seed``)."""
    problem = study.problem()
    if study.method == "morris":
        return morris_sample.sample(problem, study.samples, num_levels=study.levels,
                                    seed=study.sample_seed)
    return sobol_sample.sample(problem, study.samples, calc_second_order=study.second_order,
                               seed=study.sample_seed)


def analyze(study: Study, X: np.ndarray, outputs: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Indices of every metric of ``outputs`` (one row per sample, in order; the mean over the
    study's seeds). A metric without a value in some samples (retention where nobody ever
    bought) is analysed on the blocks of samples that have one (:func:`block_size`), if more
    than half do. Returns the tidy table and notes on metrics left out, in part or whole, or
    that did not vary."""
    rows: list[dict] = []
    notes: list[str] = []
    size = block_size(study)
    for metric in study.metrics:
        y = outputs[metric].to_numpy(dtype=float)
        blocks = np.isnan(y).reshape(-1, size).any(axis=1)
        if blocks.any():
            unit = "trajectories" if study.method == "morris" else "base samples"
            if blocks.mean() > 0.5:
                notes.append(f"{metric}: not analysed, {blocks.sum()} of {len(blocks)} {unit} "
                             "have a sample with no value on any seed")
                continue
            notes.append(f"{metric}: {blocks.sum()} of {len(blocks)} {unit} left out, as a "
                         "sample of theirs has no value on any seed (the indices describe the "
                         "rest of the space)")
        keep = np.repeat(~blocks, size)
        y, x = y[keep], X[keep]
        if np.ptp(y) <= 1e-12 * max(1.0, float(np.abs(y).max())):
            notes.append(f"{metric}: the same value ({y[0]:g}) in every sample; no parameter "
                         "moves it")
            rows += [_row(study.method, metric, name, index, 0.0, 0.0)
                     for name in study.names for index in _indices(study)]
            continue
        rows += (_morris(study, x, y, metric) if study.method == "morris"
                 else _sobol(study, y, metric))
    return pd.DataFrame(rows, columns=COLUMNS), notes


def block_size(study: Study) -> int:
    """Rows of one Morris trajectory (D + 1) or of one Saltelli base sample (D + 2, or 2D + 2
    with second-order indices): a sample without a value takes its whole block out."""
    d = len(study.parameters)
    if study.method == "morris":
        return d + 1
    return 2 * d + 2 if study.second_order else d + 2


def _indices(study: Study) -> tuple[str, ...]:
    return ("mu_star", "mu", "sigma") if study.method == "morris" else ("S1", "ST")


def _row(method: str, metric: str, parameter: str, index: str, value: float, conf: float,
         parameter2: str | None = None) -> dict:
    value, conf = float(value), float(conf)
    return {"method": method, "metric": metric, "parameter": parameter,
            "parameter2": parameter2, "index": index, "value": value, "conf": conf,
            "low": value - conf, "high": value + conf}


def _morris(study: Study, X: np.ndarray, y: np.ndarray, metric: str) -> list[dict]:
    res = morris_analyze.analyze(study.problem(), X, y, num_resamples=study.resamples,
                                 conf_level=study.conf_level, num_levels=study.levels,
                                 seed=study.sample_seed)
    rows = []
    for j, name in enumerate(study.names):
        rows.append(_row("morris", metric, name, "mu_star", res["mu_star"][j],
                         res["mu_star_conf"][j]))
        rows.append(_row("morris", metric, name, "mu", res["mu"][j], np.nan))
        rows.append(_row("morris", metric, name, "sigma", res["sigma"][j], np.nan))
    return rows


def _sobol(study: Study, y: np.ndarray, metric: str) -> list[dict]:
    with warnings.catch_warnings():
        # SALib warns when a bootstrap resample happens to be constant; the interval says it
        warnings.filterwarnings("ignore", message="Constant values encountered")
        res = sobol_analyze.analyze(study.problem(), y, calc_second_order=study.second_order,
                                    num_resamples=study.resamples, conf_level=study.conf_level,
                                    seed=study.sample_seed)
    rows = []
    for j, name in enumerate(study.names):
        rows.append(_row("sobol", metric, name, "S1", res["S1"][j], res["S1_conf"][j]))
        rows.append(_row("sobol", metric, name, "ST", res["ST"][j], res["ST_conf"][j]))
    if study.second_order:
        for j, a in enumerate(study.names):
            for k in range(j + 1, len(study.names)):
                rows.append(_row("sobol", metric, a, "S2", res["S2"][j, k],
                                 res["S2_conf"][j, k], parameter2=study.names[k]))
    return rows


def importance(table: pd.DataFrame) -> pd.DataFrame:
    """How much each parameter matters for each metric, comparable across metrics: the total
    index ST (Sobol'), or μ* divided by the largest μ* of that metric (Morris). One row per
    parameter, one column per metric, rows sorted by their largest value."""
    if table.empty:
        return pd.DataFrame()
    method = table["method"].iloc[0]
    index = "ST" if method == "sobol" else "mu_star"
    part = table[table["index"] == index].pivot(index="parameter", columns="metric",
                                                values="value")
    part = part[[m for m in dict.fromkeys(table["metric"]) if m in part.columns]]
    if method == "morris":
        top = part.max(axis=0).replace(0.0, np.nan)
        part = (part / top).fillna(0.0)
    return part.loc[part.max(axis=1).sort_values(ascending=False).index]
