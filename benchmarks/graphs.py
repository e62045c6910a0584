"""Benchmark graph building: time and peak memory of ``build_graph`` for large graphs.

Usage::

    python benchmarks/graphs.py             # ba at n = 1e4, 1e5, 1e6 (+ networkx up to 1e5)
    python benchmarks/graphs.py --big       # ... and n = 1e7
    python benchmarks/graphs.py --kinds ba,ws,er,powerlaw_cluster,sbm --repeat 3

Every row runs in a fresh subprocess, so its peak RSS (``resource.getrusage``'s ``ru_maxrss``)
is that of one build: the interpreter, imports and compiled kernels (``base MB``) plus the
graph. The compiled
kernels are loaded (or compiled, on a cold numba cache) by a small warm-up build first, whose
time is reported as ``warmup s``; ``seconds`` is the median over ``--repeat`` builds, each of a
complete :class:`~sim.graphs.Graph` (symmetric CSR, sorted rows, tie strengths drawn).

``impl`` is ``womsim`` (this package), ``networkx`` (the generator the package used before:
networkx's generator, then ``Graph.from_networkx`` and tie strengths) or ``cache`` (reloading the
graph with :func:`sim.graphs.cached_build`).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NX_MAX_N = 100_000
"""networkx rows only up to this size (a million nodes would take minutes)."""


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _config(kind: str, n: int, m: int):
    from sim.config import config_for_graph

    if kind in ("ba", "powerlaw_cluster"):
        return config_for_graph(kind, n=n, m=m)
    if kind == "ws":
        return config_for_graph(kind, n=n, k=2 * m, p=0.1)
    if kind in ("er", "sbm"):
        return config_for_graph(kind, n=n, mean_degree=2.0 * m)
    if kind == "complete":
        return config_for_graph(kind, n=n)
    raise SystemExit(f"unknown kind {kind!r}")


def _nx_build(cfg, rng):
    """The networkx path (how ba/ws/powerlaw_cluster graphs were built before)."""
    import networkx as nx

    from sim.graphs import Graph, assign_tie_strength

    seed = int(rng.integers(2**63 - 1))
    if cfg.kind == "ba":
        g = nx.barabasi_albert_graph(cfg.n, cfg.m, seed=seed)
    elif cfg.kind == "ws":
        g = nx.watts_strogatz_graph(cfg.n, cfg.k, cfg.p, seed=seed)
    elif cfg.kind == "powerlaw_cluster":
        g = nx.powerlaw_cluster_graph(cfg.n, cfg.m, cfg.p, seed=seed)
    else:
        raise SystemExit(f"no networkx generator for {cfg.kind}")
    return assign_tie_strength(Graph.from_networkx(g), cfg, rng)


def run_one(kind: str, n: int, m: int, impl: str, repeat: int) -> dict:
    """Time ``repeat`` builds in this process; return the measurements."""
    import numpy as np

    from sim.graphs import build_graph, cached_build

    t0 = time.perf_counter()
    build_graph(_config(kind, 200, min(m, 3)), np.random.default_rng(0))  # load the kernels
    warmup = time.perf_counter() - t0
    base = _rss_mb()
    cfg = _config(kind, n, m)
    times, edges = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        if impl == "cache":
            cached_build(cfg, 0, tmp)  # fill the cache
        for r in range(repeat):
            t = time.perf_counter()
            if impl == "womsim":
                g = build_graph(cfg, np.random.default_rng(r))
            elif impl == "networkx":
                g = _nx_build(cfg, np.random.default_rng(r))
            else:
                g = cached_build(cfg, 0, tmp)
            times.append(time.perf_counter() - t)
            edges = g.num_edges
            del g
    return {"kind": kind, "impl": impl, "n": n, "m": m, "seconds": statistics.median(times),
            "times": times, "edges": edges, "peak_mb": _rss_mb(), "base_mb": base,
            "warmup": warmup}


def _child(kind: str, n: int, m: int, impl: str, repeat: int) -> dict:
    cmd = [sys.executable, __file__, "--one", kind, str(n), str(m), impl, str(repeat)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--big", action="store_true", help="also n = 1e7")
    ap.add_argument("--kinds", default="ba", help="comma-separated graph kinds (default ba)")
    ap.add_argument("-m", type=int, default=5, help="links per new node (ba), k/2 (ws), ...")
    ap.add_argument("--repeat", type=int, default=3, help="builds per row (median reported)")
    ap.add_argument("--no-networkx", action="store_true", help="skip the networkx rows")
    ap.add_argument("--one", nargs=5, metavar=("KIND", "N", "M", "IMPL", "REPEAT"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        kind, n, m, impl, repeat = args.one
        print(json.dumps(run_one(kind, int(n), int(m), impl, int(repeat))))
        return

    sizes = [10_000, 100_000, 1_000_000] + ([10_000_000] if args.big else [])
    header = (f"{'kind':<17}{'impl':<10}{'n':>11}{'m':>4}{'seconds':>10}{'edges':>12}"
              f"{'peak MB':>10}{'base MB':>9}{'warmup s':>10}")
    print(header)
    print("-" * len(header))
    for kind in args.kinds.split(","):
        rows = [(n, "womsim") for n in sizes]
        if kind in ("ba", "ws", "powerlaw_cluster") and not args.no_networkx:
            rows += [(n, "networkx") for n in sizes if n <= NX_MAX_N]
        rows.append((1_000_000, "cache"))
        for n, impl in rows:
            r = _child(kind, n, args.m, impl, args.repeat)
            print(f"{r['kind']:<17}{r['impl']:<10}{r['n']:>11,}{r['m']:>4}{r['seconds']:>10.3f}"
                  f"{r['edges']:>12,}{r['peak_mb']:>10.0f}{r['base_mb']:>9.0f}"
                  f"{r['warmup']:>10.2f}", flush=True)


if __name__ == "__main__":
    main()
