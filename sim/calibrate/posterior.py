"""What a fit says: each parameter's posterior summary (weighted mean, median and 90 % interval)
and the posterior predictive band, the spread of runs drawn from the posterior over the
observed rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.calibrate.observed import Observed
from sim.calibrate.simulate import SeriesModel
from sim.calibrate.smc import executor
from sim.calibrate.spec import Spec

#: the interval reported for every fitted parameter and drawn as the predictive band
LOW, HIGH = 0.05, 0.95
#: seeds of the predictive runs start here, away from the point fit's seeds 0, 1, ...
PREDICTIVE_SEED = 1_000_000


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float | Sequence[float]
                      ) -> np.ndarray:
    """Quantiles of a weighted sample (the midpoint rule of the cumulative weights)."""
    order = np.argsort(values)
    v, w = np.asarray(values, dtype=float)[order], np.asarray(weights, dtype=float)[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cum, v)


def summarize(frame: pd.DataFrame, weights: np.ndarray, spec: Spec) -> pd.DataFrame:
    """One row per fitted parameter: mean, median, the 90 % interval (q05, q95) and the
    prior's bounds."""
    rows = []
    for p in spec.parameters:
        values = frame[p.key].to_numpy(dtype=float)
        q05, q50, q95 = weighted_quantile(values, weights, [LOW, 0.5, HIGH])
        rows.append({"parameter": p.key, "mean": float(np.average(values, weights=weights)),
                     "median": float(q50), "q05": float(q05), "q95": float(q95),
                     "prior": p.prior, "prior_low": p.low, "prior_high": p.high})
    return pd.DataFrame(rows)


def draw(frame: pd.DataFrame, weights: np.ndarray, count: int, seed: int) -> list[dict]:
    """``count`` parameter sets drawn from the weighted sample (with replacement)."""
    rng = np.random.default_rng([seed, 7])
    picks = rng.choice(len(frame), size=count, p=weights)
    return [{k: float(v) for k, v in frame.iloc[i].items()} for i in picks]


_WORKER: dict[str, Any] = {}


def _init(model: SeriesModel) -> None:
    _WORKER["model"] = model


def _series(values: dict[str, float], seed: int) -> dict[str, np.ndarray]:
    return _WORKER["model"].series(values, seed)


def predictive_runs(model: SeriesModel, draws: list[dict], *, workers: int = 1
                    ) -> list[dict[str, np.ndarray]]:
    """One run per parameter set of ``draws``, each on a seed of its own."""
    seeds = [PREDICTIVE_SEED + j for j in range(len(draws))]
    names = model.spec.names
    draws = [{k: d[k] for k in names} for d in draws]
    if workers <= 1:
        return [model.series(d, s) for d, s in zip(draws, seeds, strict=True)]
    with executor(workers, _init, (model,)) as pool:
        return list(pool.map(_series, draws, seeds, chunksize=4))


def band(observed: Observed, runs: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """The predictive band, tidy: one row per observed column and row, with the observed value
    (NaN where missing), the runs' median and their 5 % and 95 % quantiles."""
    rows = []
    for column in observed.columns:
        values = np.vstack([r[column] for r in runs])
        q05, q50, q95 = np.quantile(values, [LOW, 0.5, HIGH], axis=0)
        for j, t in enumerate(observed.index):
            rows.append({"series": column, observed.unit: int(t),
                         "observed": float(observed.values[column][j]), "median": q50[j],
                         "q05": q05[j], "q95": q95[j]})
    return pd.DataFrame(rows)


def coverage(table: pd.DataFrame) -> float:
    """The share of observed values inside the band."""
    seen = table.dropna(subset=["observed"])
    inside = (seen["observed"] >= seen["q05"]) & (seen["observed"] <= seen["q95"])
    return float(inside.mean()) if len(seen) else float("nan")
