"""Speed and memory of womsim, against its own per-agent reference and against peers.

    python benchmarks/run.py                # n = 1e4 .. 1e6, prints a table (a few minutes)
    python benchmarks/run.py --big          # adds n = 1e7 (needs ~8 GB)
    python benchmarks/run.py --quick        # n = 1e4 .. 1e5 only
    python benchmarks/run.py --plot docs/benchmarks.png --json benchmarks/results.json
    python benchmarks/run.py --huge         # adds the national market (benchmarks/huge.py)

After the in-process table, the same run prints the whole-process figures of
``benchmarks/whole.py`` (start-up, the first run's compile, 1,000,000 consumers with all
strategies at the defaults, the agents engine's ratio both ways, a 200-run sweep) and the
thread counts under a competing load of ``benchmarks/load.py``; ``--no-whole`` and
``--no-load`` leave them out.

Every measurement runs in its own process, so the peak RSS column is that run's own high-water
mark. Rows:

- ``womsim vectorized``: the default word-of-mouth model, Barabási–Albert m = 5, all three
  strategies on (KOL seeding, rewards, fast responses), 180 days; seconds include building the
  graph (shown separately as ``graph s``) and the model; agent-steps/s exclude the graph. Each
  process first runs 40 days on another, smaller population (8,192 consumers for the vectorised
  engine, so that every parallel path runs; 1,000 for the agents engine), so that one-off
  start-up (imports, loading numba's cached machine code) is not counted; ``warmup_s`` in the
  JSON.
  Run with one thread and with every core (``threads=``); results are the same either way.
  At n = 10,000 and 100,000 the model is built and run 7 and 3 times on the same graph and the
  median run is reported (``run_s`` in the JSON lists them all); larger n run once.
- ``womsim agents``: the same with ``engine=agents`` (one Mesa agent per consumer), n = 10,000.
- ``womsim sir`` vs ``NDlib SIRModel``: the same BA graph, beta = 0.01, gamma = 0.005, 50 days;
  node-steps per second (NDlib needs the ``[bench]`` extra).
- ``womsim independent_cascade`` vs ``cynetdiff``: the same graph, p = 0.05, 10 seeds, mean
  seconds per complete cascade over several cascades (cynetdiff from the ``[bench]`` extra).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

#: all three strategies at their documented defaults (fast responses at the default capacity of
#: 20 a day: the complaint queue costs O(answers + new complaints) a day whatever the backlog)
STRATEGIES = ["strategy=[kol,rewards,fast_response]", "budget=1000000"]


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_graph(n: int, seed: int = 0):
    from sim.config import config_for_graph
    from sim.graphs import build_graph as build
    from sim.streams import Streams

    return build(config_for_graph("ba", n=n, m=5), Streams(seed).get("graph"))


#: consumers of the 40-day warm-up run, by engine: enough for the vectorised engine to take every
#: parallel path (chunks of at least 4,096 consumers), so that loading their cached machine code
#: is not timed; the agents engine has no such paths
WARMUP_N = {"vectorized": 8_192, "agents": 1_000}
#: runs of the vectorised engine per measurement, by n (the median is reported): a run at
#: n = 10,000 lasts ~0.1 s, so a single run would show the shared machine's noise more than
#: the engine; the agents reference runs once (~25 s)
RUNS = {10_000: 7, 100_000: 3}


def bench_wom(n: int, steps: int, engine: str, threads: int = 1, runs: int = 1) -> dict:
    """Build the graph once, then build and run the model ``runs`` times; ``seconds`` is the
    graph's time plus the median run's (``run_s`` lists every run)."""
    import statistics

    from sim.compose import compose_config
    from sim.run import build_model

    cfg = compose_config("graph=ba", f"graph.n={n}", "graph.m=5", f"steps={steps}",
                         f"engine={engine}", f"threads={threads}", *STRATEGIES)
    warm = time.perf_counter()
    build_model(compose_config(f"graph.n={WARMUP_N[engine]}", f"engine={engine}",
                               f"threads={threads}", *STRATEGIES)).run(40)
    warm_s = time.perf_counter() - warm
    start = time.perf_counter()
    graph = build_graph(n)
    graph_s = time.perf_counter() - start
    run_s = []
    for _ in range(runs):
        start = time.perf_counter()
        model = build_model(cfg, graph=graph)
        model.run(steps)
        run_s.append(time.perf_counter() - start)
    median = statistics.median(run_s)
    return {"graph_s": graph_s, "seconds": graph_s + median, "steps": steps,
            "rate": n * steps / median, "reach": model.records[-1]["reach"],
            "warmup_s": warm_s, "runs": runs, "run_s": run_s}


def bench_sir(n: int, steps: int) -> dict:
    from sim.config import SIRConfig
    from sim.diffusion import DiffusionModel

    graph = build_graph(n)
    start = time.perf_counter()
    model = DiffusionModel(graph, SIRConfig(beta=0.01, gamma=0.005, initial_infected=n // 100),
                           seed=1)
    model.run(steps)
    took = time.perf_counter() - start
    return {"seconds": took, "steps": steps, "rate": n * steps / took,
            "reach": model.records[-1]["reach"]}


def bench_ndlib(n: int, steps: int) -> dict:
    import ndlib.models.epidemics as ep
    import ndlib.models.ModelConfig as mc

    graph = build_graph(n).to_networkx()
    start = time.perf_counter()
    model = ep.SIRModel(graph, seed=1)
    config = mc.Configuration()
    config.add_model_parameter("beta", 0.01)
    config.add_model_parameter("gamma", 0.005)
    config.add_model_parameter("fraction_infected", 0.01)
    model.set_initial_status(config)
    model.iteration_bunch(steps, progress_bar=False)
    took = time.perf_counter() - start
    return {"seconds": took, "steps": steps, "rate": n * steps / took}


def bench_ic(n: int, cascades: int) -> dict:
    import numpy as np

    from sim.config import IndependentCascadeConfig
    from sim.rules.presets import IndependentCascade

    graph = build_graph(n)
    rng = np.random.default_rng(3)
    sizes = []
    start = time.perf_counter()
    for _ in range(cascades):
        cascade = IndependentCascade(graph, IndependentCascadeConfig(p=0.05, seeds=10), rng, rng)
        while cascade.step():
            pass
        sizes.append(int(cascade.ever.sum()))
    took = time.perf_counter() - start
    return {"seconds": took / cascades, "steps": 1, "rate": None,
            "mean_size": float(np.mean(sizes)), "cascades": cascades}


def bench_cynetdiff(n: int, cascades: int) -> dict:
    import numpy as np
    from cynetdiff.models import IndependentCascadeModel

    graph = build_graph(n)
    starts = graph.indptr[:-1].astype(np.uint32)
    edges = graph.indices.astype(np.uint32)
    model = IndependentCascadeModel(starts, edges, activation_prob=0.05, rng=3)
    rng = np.random.default_rng(3)
    sizes = []
    start = time.perf_counter()
    for _ in range(cascades):
        model.reset_model()
        model.set_seeds(rng.choice(n, 10, replace=False).tolist())
        model.advance_until_completion()
        sizes.append(model.get_num_activated_nodes())
    took = time.perf_counter() - start
    return {"seconds": took / cascades, "steps": 1, "rate": None,
            "mean_size": float(np.mean(sizes)), "cascades": cascades}


BENCHES = {"wom": bench_wom, "sir": bench_sir, "ndlib": bench_ndlib, "ic": bench_ic,
           "cynetdiff": bench_cynetdiff}


def measure(kind: str, *args) -> dict | None:
    """Run one benchmark in a fresh process; None (with a note) when a peer is not installed."""
    code = (f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            f"import run as b; r = b.BENCHES[{kind!r}](*{list(args)!r}); "
            f"r['rss_mb'] = b.peak_rss_mb(); print(json.dumps(r))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        print(f"  ({kind} {args}: skipped: {last})", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--big", action="store_true", help="also n = 10,000,000")
    ap.add_argument("--quick", action="store_true", help="only n <= 100,000")
    ap.add_argument("--json", help="write the rows as JSON here")
    ap.add_argument("--plot", help="write a log-log plot of seconds vs n here (PNG)")
    ap.add_argument("--no-whole", action="store_true",
                    help="leave out the whole-process figures (benchmarks/whole.py)")
    ap.add_argument("--no-load", action="store_true",
                    help="leave out the thread counts under load (benchmarks/load.py)")
    ap.add_argument("--huge", action="store_true",
                    help="also 100,000,000 consumers, BA m = 3 (benchmarks/huge.py; ~19.5 GB)")
    args = ap.parse_args(argv)
    sizes = [10_000, 100_000] + ([] if args.quick else [1_000_000]) + \
        ([10_000_000] if args.big else [])
    print(f"# {platform.node()} | {platform.processor() or platform.machine()} | "
          f"python {platform.python_version()}", flush=True)
    rows = []

    def add(system: str, n: int, result: dict | None, ref: float | None = None) -> None:
        if result is None:
            return
        row = {"system": system, "n": n, **result}
        if ref:
            row["ratio"] = (result["rate"] / ref) if result.get("rate") else ref / result[
                "seconds"]
        rows.append(row)
        rate = f"{result['rate']:,.0f}" if result.get("rate") else "-"
        ratio = (f"{row['ratio']:.{0 if row['ratio'] >= 10 else 1}f}x" if "ratio" in row
                 else "")
        graph = f"{result['graph_s']:.2f}" if "graph_s" in result else "-"
        print(f"{system:<32} {n:>11,} {result['steps']:>6} {graph:>8} {result['seconds']:>10.3f} "
              f"{rate:>16} {result['rss_mb']:>9.0f} {ratio:>9}", flush=True)

    print(f"{'system':<32} {'n':>11} {'steps':>6} {'graph s':>8} {'seconds':>10} "
          f"{'agent-steps/s':>16} {'RSS MB':>9} {'ratio':>9}")
    agents = measure("wom", 10_000, 180, "agents")
    add("womsim agents (reference)", 10_000, agents)
    cores = os.cpu_count() or 1
    for n in sizes:
        for threads in sorted({1, cores}):
            result = measure("wom", n, 180, "vectorized", threads, RUNS.get(n, 1))
            add(f"womsim vectorized, {threads} thread{'s' if threads > 1 else ''}", n, result,
                agents["rate"] if agents and n == 10_000 else None)
    ndlib = measure("ndlib", 100_000, 50)
    add("NDlib SIRModel", 100_000, ndlib)
    add("womsim sir", 100_000, measure("sir", 100_000, 50), ndlib["rate"] if ndlib else None)
    ic_n = 100_000 if args.quick else 1_000_000
    cyn = measure("cynetdiff", ic_n, 20)
    add("cynetdiff IC (s per cascade)", ic_n, cyn)
    ours = measure("ic", ic_n, 20)
    add("womsim independent_cascade", ic_n, ours, cyn["seconds"] if cyn else None)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    if args.plot:
        plot(rows, Path(args.plot))
    sys.path.insert(0, str(Path(__file__).parent))
    status = 0
    if not args.no_whole:
        import whole

        print("\n# whole process (benchmarks/whole.py)", flush=True)
        whole.main(["--json", str(Path(args.json).with_name("whole.json"))] if args.json else [])
    if not args.no_load:
        import load

        print("\n# default threads under load (benchmarks/load.py)", flush=True)
        status = load.main([])
    if args.huge:
        print("\n# national market (benchmarks/huge.py)", flush=True)
        code = subprocess.run([sys.executable, str(Path(__file__).with_name("huge.py")), "--json",
                               str(Path(__file__).with_name("huge.json"))]).returncode
        status = status or code
    return status


def plot(rows: list[dict], path: Path) -> None:
    """Log-log seconds vs n for the word-of-mouth engines."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    systems = sorted({r["system"] for r in rows if r["system"].startswith("womsim vectorized")})
    for system in [*systems, "womsim agents (reference)"]:
        pts = sorted((r["n"], r["seconds"] * 180 / r["steps"]) for r in rows
                     if r["system"] == system)
        if pts:
            xs, ys = zip(*pts, strict=True)
            ax.loglog(xs, ys, "o-", label=system + (" (scaled to 180 days)" if "agents" in system
                                                    else ""))
    ax.set(xlabel="consumers n", ylabel="seconds for 180 days (incl. graph)",
           title="Word-of-mouth model, BA m=5, three strategies")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    sys.exit(main())
