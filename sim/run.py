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
from sim.graphs.edgelist import edgelist_warnings
from sim.io import atomic_write, atomic_write_json, atomic_write_text
from sim.jit_cache import COMPILING, cold
from sim.metrics import TIMESERIES_COLUMNS, conversions_table, final_metrics
from sim.model import WomModel
from sim.schema import checked_plain, to_plain, validate, validate_against_graph
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
    run_info : dict
        The machine's facts about the run (run_info.json, :func:`run_info`): threads, seconds,
        host, versions, git commit, warnings. metrics.json depends only on config and seed.
    """

    metrics: dict
    timeseries: pd.DataFrame
    conversions: pd.DataFrame
    artifacts: dict
    model: WomModel
    run_info: dict


def graph_warnings(cfg: Any) -> list[str]:
    """What the run's graph source accepted but a person may not have meant, one line each,
    for the caller to show: e.g. a first line of an edge-list file skipped as a header
    (:func:`sim.graphs.edgelist.edgelist_warnings`); ``[]`` for generated graphs."""
    g = cfg.graph
    if g.kind != "file":
        return []
    return edgelist_warnings(Path(str(g.path)).expanduser())


def build_model(cfg: Any, graph: Graph | None = None) -> WomModel | DiffusionModel:
    """Validate ``cfg`` and build its model (and graph, from the graph stream, unless given):
    a :class:`WomModel` for ``model=wom``, else a :class:`DiffusionModel` preset.

    Every refusal (:class:`~sim.errors.ConfigError`, one line) comes before the work it would
    waste: the config's values before the graph is built, what depends on the graph
    (:func:`sim.schema.validate_against_graph`) before the model is. The model's ``warnings``
    (a list of one-line strings, :func:`graph_warnings`) say what was accepted with a doubt.
    """
    cfg = checked_plain(cfg)  # plain dataclasses from here on (fast attributes)
    validate(cfg)
    if graph is None:
        graph_cfg = cfg.graph
        if graph_cfg.cache_dir:
            graph = cached_build(graph_cfg, int(cfg.seed), graph_cfg.cache_dir)
        else:
            graph = build_graph(graph_cfg, Streams(cfg.seed).get("graph"))
    validate_against_graph(cfg, graph)
    model: WomModel | DiffusionModel
    if cfg.model.name != "wom":
        model = DiffusionModel(graph, cfg.model, seed=cfg.seed, engine=cfg.engine)
    else:
        strategies = build_strategies(cfg.strategy, cfg.budget, cfg.budget_shares)
        model = WomModel(graph, cfg.model, cfg.population, seed=cfg.seed, engine=cfg.engine,
                         strategies=strategies, threads=resolve_threads(cfg))
    model.warnings = graph_warnings(cfg)
    return model


def resolve_threads(cfg: Any) -> int | None:
    """The threads of a run: ``threads`` if set, else None: automatic, one per core that other
    processes leave idle, re-checked as the run goes (:mod:`sim.threads`)."""
    threads = getattr(cfg, "threads", None)
    return None if threads is None else int(threads)


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
    """Shows on stderr how far a run is: on a terminal, a bar redrawn in place (from
    ``after`` seconds on); elsewhere (a log file, a sweep's job) one line every ``every``
    seconds. A run that ends sooner shows nothing.

    Parameters
    ----------
    total : int
        Days of the run.
    enabled : bool
        False shows nothing.
    label : str
        Put before each line (a sweep's job); a labelled progress never draws a bar.
    every, after : float
        Seconds between lines; seconds before the bar appears.
    stream : text file, optional
        Where to write (default: ``sys.stderr``).
    """

    def __init__(self, total: int, *, enabled: bool = True, label: str = "", every: float = 5.0,
                 after: float = 1.0, stream: Any = None):
        self.total, self.enabled, self.label, self.every = total, enabled, label, every
        self.stream = stream if stream is not None else sys.stderr
        self.bar = not label and _is_terminal(self.stream)
        self.start = time.perf_counter()
        self.due = self.start + (after if self.bar else every)
        self.shown = False
        self.first: tuple[int, float] | None = None

    def __call__(self, t: int) -> None:
        """Called after day ``t``."""
        if not self.enabled:
            return
        now = time.perf_counter()
        if self.first is None:  # the rate is measured from the first day on (not compiling)
            self.first = (t, now)
        if now < self.due and not (t >= self.total and self.shown):
            return
        self.due = now + (0.2 if self.bar else self.every)
        self.shown = True
        self.stream.write(self.text(t, now - self.start))
        self.stream.flush()

    def text(self, t: int, elapsed: float) -> str:
        """The bar (``\\r`` first, a newline at the end of the run) or one line."""
        done = min(t / self.total, 1.0) if self.total else 1.0
        left = ""
        if self.first is not None and self.first[0] < t < self.total:
            day0, time0 = self.first
            rate = (self.start + elapsed - time0) / (t - day0)  # seconds per day
            left = f", about {_duration(rate * (self.total - t))} left"
        where = f"day {t}/{self.total} ({done:.0%}), {_duration(elapsed)}{left}"
        if self.bar:
            filled = round(30 * done)
            end = "\n" if t >= self.total else ""
            return f"\r  [{'#' * filled}{'.' * (30 - filled)}] {where}   {end}"
        return f"  {self.label + ': ' if self.label else ''}{where}\n"


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f}s"
    minutes = seconds / 60
    return f"{minutes:.0f} min" if minutes < 90 else f"{minutes / 60:.1f} h"


def run(cfg: Any, *, progress: bool = False, label: str = "") -> RunResult:
    """Run one simulation described by a composed config (validated first).

    Parameters
    ----------
    cfg : DictConfig or Config
        A composed config (see sim/configs/config.yaml).
    progress : bool
        Show how far the run is on stderr once it takes a while (:class:`Progress`), and say
        when its kernels are compiled first (:mod:`sim.jit_cache`).
    label : str
        What the progress lines start with (a sweep's job).
    """
    start = time.perf_counter()
    compiling = progress and cold()  # before the model's build compiles its part
    model = build_model(cfg)
    if compiling:  # said once the config is known to be good: a refused one gets one line
        print(COMPILING, file=sys.stderr, flush=True)
    built = time.perf_counter()
    model.run(cfg.steps, Progress(cfg.steps, enabled=progress, label=label))
    if isinstance(model, WomModel):  # the figures below (and a twin) do without it
        model.engine.release()
    ran = time.perf_counter()
    if isinstance(model, DiffusionModel):
        metrics, columns = preset_metrics(model), PRESET_COLUMNS
        conversions = pd.DataFrame(columns=["day", "consumer", "source", "converted_by"])
    else:
        metrics, columns = final_metrics(model, model.records), TIMESERIES_COLUMNS
        conversions = conversions_table(model)
    metrics.update(seed=int(cfg.seed), steps=int(cfg.steps), n=model.graph.n,
                   edges=model.graph.num_edges, graph=model.graph.name, engine=cfg.engine,
                   model=cfg.model.name, version=__version__)
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
    info = run_info(model, seconds={"build": built - start, "run": ran - built,
                                    "total": time.perf_counter() - start})
    return RunResult(metrics=metrics, timeseries=timeseries, conversions=conversions,
                     artifacts=artifacts, model=model, run_info=info)


def write_outputs(result: RunResult, outdir: str | Path) -> None:
    """Write timeseries.csv, conversions.csv, the strategies' files, run_info.json and, last,
    metrics.json into ``outdir``, each atomically (so a metrics.json marks a complete run)."""
    outdir = Path(outdir)
    buf = io.StringIO()
    result.timeseries.to_csv(buf, index=False, float_format="%.6g")
    atomic_write_text(outdir / "timeseries.csv", buf.getvalue())
    # written straight to the file: a national market's table runs to gigabytes of text
    atomic_write(outdir / "conversions.csv",
                 lambda tmp: result.conversions.to_csv(tmp, index=False))
    for name, data in result.artifacts.items():
        atomic_write_json(outdir / name, data)
    atomic_write_json(outdir / "run_info.json", result.run_info)
    atomic_write_json(outdir / "metrics.json", result.metrics)


def run_info(model: Any, *, seconds: dict[str, float]) -> dict:
    """What a run's results do not depend on, for run_info.json: the machine (host, Python,
    numba, numpy, threads), the code (womsim version, git commit), the time taken (seconds of
    building, running, in total) and the run's warnings."""
    import platform
    import socket

    import numba
    import numpy

    return {
        "version": __version__,
        "git_commit": git_commit(),
        "threads": getattr(getattr(model, "engine", None), "threads", 1),
        "seconds": {name: round(value, 3) for name, value in seconds.items()},
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host": socket.gethostname(),
        "python": platform.python_version(),
        "numba": numba.__version__,
        "numpy": numpy.__version__,
        "platform": platform.platform(),
        "warnings": list(getattr(model, "warnings", None) or []),
    }

