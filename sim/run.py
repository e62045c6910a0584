"""run(cfg) -> RunResult: build the graph and the model from a config, run it, write outputs."""

from __future__ import annotations

import functools
import io
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim import __version__
from sim.diffusion import PRESET_COLUMNS, DiffusionModel, preset_metrics
from sim.graphs import Graph, build_graph, cached_build
from sim.io import atomic_write_json, atomic_write_text
from sim.metrics import TIMESERIES_COLUMNS, conversions_table, final_metrics
from sim.model import WomModel
from sim.schema import to_plain, validate
from sim.strategies import build_strategies
from sim.streams import Streams
from sim.twin import value_figures


@dataclass
class RunResult:
    """What one run produced.

    Attributes
    ----------
    metrics : dict
        The contents of metrics.json.
    conversions : pandas.DataFrame
        Every purchase: day, consumer, source, converted_by (conversions.csv).
    artifacts : dict
        Strategies' extra JSON files by name (e.g. kols.json).
    timeseries : pandas.DataFrame
        One row per step from 0, columns :data:`~sim.metrics.TIMESERIES_COLUMNS`.
    model : WomModel
        The finished model, for further inspection.
    """

    metrics: dict
    timeseries: pd.DataFrame
    conversions: pd.DataFrame
    artifacts: dict
    model: WomModel


def build_model(cfg: Any, graph: Graph | None = None) -> WomModel | DiffusionModel:
    """Validate ``cfg`` and build its model (and graph, from the graph stream, unless given):
    a :class:`WomModel` for ``model=wom``, else a :class:`DiffusionModel` preset."""
    cfg = to_plain(cfg)  # plain dataclasses from here on (fast attributes)
    validate(cfg)
    if graph is None:
        graph_cfg = cfg.graph
        if graph_cfg.cache_dir:
            graph = cached_build(graph_cfg, int(cfg.seed), graph_cfg.cache_dir)
        else:
            graph = build_graph(graph_cfg, Streams(cfg.seed).get("graph"))
    if cfg.model.name != "wom":
        return DiffusionModel(graph, cfg.model, seed=cfg.seed, engine=cfg.engine)
    strategies = build_strategies(cfg.strategy, cfg.budget, cfg.budget_shares)
    return WomModel(graph, cfg.model, cfg.population, seed=cfg.seed, engine=cfg.engine,
                    strategies=strategies, threads=resolve_threads(cfg))


def resolve_threads(cfg: Any) -> int:
    """The threads of a run: ``threads`` if set, else every core numba may use."""
    threads = getattr(cfg, "threads", None)
    if threads is not None:
        return int(threads)
    import numba

    return int(numba.config.NUMBA_NUM_THREADS)


@functools.cache
def git_commit() -> str | None:
    """The commit of the womsim checkout this package runs from (None outside a git checkout)."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent,
                             capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


class Progress:
    """Prints ``step t/T`` to stderr about every 10% when a run is expected to take a while."""

    def __init__(self, total: int, *, enabled: bool):
        self.total, self.enabled = total, enabled
        self.every = max(1, total // 10)
        self.start = time.perf_counter()

    def __call__(self, t: int) -> None:
        if self.enabled and (t % self.every == 0 or t == self.total):
            elapsed = time.perf_counter() - self.start
            print(f"  step {t}/{self.total}  {elapsed:.1f}s", file=sys.stderr, flush=True)


def run(cfg: Any, *, progress: bool = False) -> RunResult:
    """Run one simulation described by a composed config (validated first).

    Parameters
    ----------
    cfg : DictConfig or Config
        A composed config (see sim/configs/config.yaml).
    progress : bool
        Print progress to stderr for large runs (n * steps >= 5e6).
    """
    model = build_model(cfg)
    show = progress and model.graph.n * cfg.steps >= 5_000_000
    model.run(cfg.steps, Progress(cfg.steps, enabled=show))
    if isinstance(model, DiffusionModel):
        metrics, columns = preset_metrics(model), PRESET_COLUMNS
        conversions = pd.DataFrame(columns=["day", "consumer", "source", "converted_by"])
    else:
        metrics, columns = final_metrics(model, model.records), TIMESERIES_COLUMNS
        conversions = conversions_table(model)
    metrics.update(seed=int(cfg.seed), steps=int(cfg.steps), n=model.graph.n,
                   edges=model.graph.num_edges, graph=model.graph.name, engine=cfg.engine,
                   threads=getattr(getattr(model, "engine", None), "threads", 1),
                   model=cfg.model.name, version=__version__, git_commit=git_commit())
    timeseries = pd.DataFrame(model.records, columns=list(columns))
    if isinstance(model, WomModel):  # money: revenue, NPV and the plan against its twin
        figures, daily = value_figures(model, to_plain(cfg), metrics["cost"])
        metrics.update(figures)
        for name, values in daily.items():
            timeseries[name] = values
    artifacts: dict = {}
    for strategy in model.strategies:
        artifacts.update(strategy.artifacts(model))
    metrics["strategies"] = [st.name for st in model.strategies]
    return RunResult(metrics=metrics, timeseries=timeseries, conversions=conversions,
                     artifacts=artifacts, model=model)


def write_outputs(result: RunResult, outdir: str | Path) -> None:
    """Write timeseries.csv, conversions.csv, the strategies' files and, last, metrics.json
    into ``outdir``, each atomically (so a metrics.json marks a complete run)."""
    outdir = Path(outdir)
    buf = io.StringIO()
    result.timeseries.to_csv(buf, index=False, float_format="%.6g")
    atomic_write_text(outdir / "timeseries.csv", buf.getvalue())
    buf = io.StringIO()
    result.conversions.to_csv(buf, index=False)
    atomic_write_text(outdir / "conversions.csv", buf.getvalue())
    for name, data in result.artifacts.items():
        atomic_write_json(outdir / name, data)
    atomic_write_json(outdir / "metrics.json", result.metrics)

