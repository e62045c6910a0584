"""Where one day of the word-of-mouth model spends its time, phase by phase.

    python benchmarks/phases.py                     # n = 10,000, one thread, 5 runs
    python benchmarks/phases.py --n 1000000 --runs 1 --threads 2

The scenario is the one of ``benchmarks/run.py`` (BA m = 5, KOL seeding, rewards and fast
responses on, 180 days). Every engine phase, every strategy hook, the levers' reset and the daily
snapshot are timed by wrapping them (a few hundred nanoseconds of overhead per call); the table
gives microseconds per day, averaged over the runs, and each part's share of the total.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from run import STRATEGIES, WARMUP_N, build_graph  # noqa: E402

ENGINE_PHASES = ("start_day", "brand_and_experience", "talk", "adoption", "loyalty_and_forgetting")
HOOKS = ("brand_actions", "after_experience", "after_talk", "after_adoption")


def timed(fn, totals: dict, label: str):
    """``fn`` wrapped to add its wall time to ``totals[label]``."""
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[label] += time.perf_counter() - start
    return wrapper


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--steps", type=int, default=180)
    args = ap.parse_args(argv)

    import sim.model
    from sim.compose import compose_config
    from sim.run import build_model

    cfg = compose_config("graph=ba", f"graph.n={args.n}", "graph.m=5", f"steps={args.steps}",
                         f"threads={args.threads}", *STRATEGIES)
    graph = build_graph(args.n)
    build_model(compose_config(f"graph.n={WARMUP_N['vectorized']}", f"threads={args.threads}",
                               *STRATEGIES)).run(40)  # as benchmarks/run.py: not timed
    totals: dict[str, float] = defaultdict(float)
    sim.model.snapshot = timed(sim.model.snapshot, totals, "snapshot (metrics row)")
    wall = 0.0
    for _ in range(args.runs):
        start = time.perf_counter()
        model = build_model(cfg, graph=graph)
        totals["building the model"] += time.perf_counter() - start
        for phase in ENGINE_PHASES:
            setattr(model.engine, phase, timed(getattr(model.engine, phase), totals,
                                               f"phase: {phase}"))
        for strategy in model.strategies:
            for hook in HOOKS:
                setattr(strategy, hook, timed(getattr(strategy, hook), totals,
                                              f"{strategy.name}.{hook}"))
        model.levers.reset = timed(model.levers.reset, totals, "levers reset")
        model.run(args.steps)
        wall += time.perf_counter() - start
    days = args.runs * args.steps
    per_day = wall / days
    print(f"n = {args.n:,}, threads = {args.threads}, {args.runs} runs of {args.steps} days: "
          f"{per_day * 1e6:,.0f} us a day ({args.n / per_day:,.0f} agent-steps/s)")
    print(f"{'part':<40} {'us/day':>10} {'share':>7}")
    for label, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"{label:<40} {seconds / days * 1e6:>10,.1f} {seconds / wall:>7.1%}")
    rest = wall - sum(totals.values())
    print(f"{'the rest (model.step glue)':<40} {rest / days * 1e6:>10,.1f} {rest / wall:>7.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
