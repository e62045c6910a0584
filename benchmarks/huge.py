"""A national market: memory and time of one large default run (BA, m = 3, 180 days).

    python benchmarks/huge.py                    # 100,000,000 consumers (~19.5 GB, ~11 min)
    python benchmarks/huge.py --n 10000000       # the same at 10^7 (~3 GB, ~1.5 min)

Runs the default scenario in this process as ``womsim graph.n=<n> graph.m=3`` does (build, run,
figures, outputs into a temporary directory) and prints:

- the peak resident set of the process (``ru_maxrss``) and the seconds of each part;
- the bytes per consumer and per tie (stored entry: every undirected tie is stored twice) of
  the graph and of the model's state, from the arrays the finished model holds (traits, state,
  levers, the day's arrays, the talk phase's buffers), largest first.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import sys
import tempfile
import time

import numpy as np


def arrays_of(obj, path: str = "model", seen: dict | None = None, depth: int = 0) -> dict:
    """Every numpy array reachable from ``obj`` through attributes, dicts and short sequences:
    {id of the base array: (path, bytes)}, each base counted once."""
    seen = {} if seen is None else seen
    if depth > 5 or isinstance(obj, (int, float, str, bool, type(None))):
        return seen
    if isinstance(obj, np.ndarray):
        base = obj if obj.base is None else obj.base
        if id(base) not in seen:
            seen[id(base)] = (path, int(getattr(base, "nbytes", obj.nbytes)))
        return seen
    if isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj[:50]):
            arrays_of(item, f"{path}[{i}]", seen, depth + 1)
        return seen
    if isinstance(obj, dict):
        for key, value in list(obj.items())[:200]:
            arrays_of(value, f"{path}.{key}", seen, depth + 1)
        return seen
    fields = getattr(obj, "__dict__", None)
    if fields is None and dataclasses.is_dataclass(obj):
        fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    for key, value in (fields or {}).items():
        arrays_of(value, f"{path}.{key}", seen, depth + 1)
    return seen


def peak_rss_gb() -> float:
    """This process's peak resident set so far, GiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def watch_the_days() -> dict:
    """What the run holds only while its days go on: the engine drops the talk phase's buffers
    when the days are done (``release``), so they are noted then, with the peak so far."""
    from sim.engines import VectorizedEngine

    seen: dict = {}
    release = VectorizedEngine.release

    def noting(engine: VectorizedEngine) -> None:  # sizes only: the buffers must go
        seen.update(scratch=arrays_of(engine.scratch, "model.engine.scratch (the days only)"),
                    peak_rss_gb=peak_rss_gb())
        release(engine)

    VectorizedEngine.release = noting
    return seen


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000_000, help="consumers")
    ap.add_argument("--steps", type=int, default=180, help="days")
    ap.add_argument("--threads", default=None, help="threads (default: womsim chooses)")
    ap.add_argument("--json", help="write the figures as JSON here")
    args = ap.parse_args(argv)
    if args.n < 10 or args.steps < 1:
        ap.error(f"--n {args.n} --steps {args.steps}: allowed --n >= 10, --steps >= 1")
    from sim.compose import compose_config
    from sim.run import run, write_outputs

    overrides = [f"graph.n={args.n}", "graph.m=3", f"steps={args.steps}"]
    if args.threads is not None:
        overrides.append(f"threads={args.threads}")
    cfg = compose_config(*overrides)
    days = watch_the_days()
    start = time.perf_counter()
    result = run(cfg, progress=True)
    ran = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        write_outputs(result, out)
    wrote = time.perf_counter()
    model = result.model
    graph = model.graph
    found = {**arrays_of(model), **days.get("scratch", {})}
    parts = {"graph": {}, "state": {}}
    for path, size in found.values():
        parts["graph" if path.startswith("model.graph") else "state"][path] = size
    n, entries = graph.n, graph.nnz
    figures = {
        "n": n, "ties_stored": entries, "steps": args.steps, "threads": result.run_info["threads"],
        "peak_rss_gb": peak_rss_gb(),
        "peak_rss_gb_by_the_last_day": days.get("peak_rss_gb"),
        "seconds": {**result.run_info["seconds"], "outputs": wrote - ran,
                    "whole": wrote - start},
        "graph_bytes_per_consumer": sum(parts["graph"].values()) / n,
        "graph_bytes_per_tie": sum(parts["graph"].values()) / max(entries, 1),
        "state_bytes_per_consumer": sum(parts["state"].values()) / n,
        "arrays": {path: size / n for part in parts.values()
                   for path, size in sorted(part.items(), key=lambda kv: -kv[1]) if size >= n},
        "customers": result.metrics["customers"],
    }
    print(json.dumps(figures, indent=2), flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(figures, fh, indent=2)
    return figures


if __name__ == "__main__":
    main()
    sys.exit(0)
