"""Whole-process figures: the ``womsim`` command timed from outside, as a user runs it.

    python benchmarks/whole.py                  # every figure below (~6 min on 2 cores)
    python benchmarks/whole.py --only startup sweep --repeats 3

Figures (each the median of ``--repeats`` runs, each run a fresh process and output directory;
the machine's load is printed beside them):

- ``startup``: ``womsim graph.n=10 steps=1``, warm numba cache.
- ``cold``: the default run with an empty ``NUMBA_CACHE_DIR`` (the first run after install,
  which compiles the kernels), and whether it printed that it compiles.
- ``million``: ``womsim graph.n=1000000 strategy=[kol,rewards,fast_response] budget=1000000``
  at the documented defaults (180 days, threads chosen by womsim, the twin without strategies
  run for the money figures), and the same with ``baseline=none`` (the plan alone); with the
  loop's own seconds from run_info.json.
- ``agents``: ``engine=agents`` against the default vectorised engine at 10,000 consumers and
  180 days, whole process and loop (``seconds.run``): the ratio both ways.
- ``sweep``: ``womsim -m 'seed=range(200)'`` (the default scenario, the default launcher), and
  the report of the sweep (``python -m sim.report``) timed apart.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: the 1,000,000-consumer scenario: all three strategies at their documented defaults
MILLION = ["graph.n=1000000", "strategy=[kol,rewards,fast_response]", "budget=1000000"]
FIGURES = ("startup", "cold", "million", "agents", "sweep")


def load_average() -> str:
    """The 1-minute load average, for the line beside a figure."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def womsim(args: list[str], workdir: Path, env: dict | None = None) -> tuple[float, Path, str]:
    """Run ``womsim`` once as a user does (``python -m sim``); (wall seconds, output dir,
    stderr)."""
    out = Path(tempfile.mkdtemp(dir=workdir))
    cmd = [sys.executable, "-m", "sim", *args]
    if not any(a.startswith("-m") for a in args):
        cmd.append(f"hydra.run.dir={out}")
    else:
        cmd.append(f"hydra.sweep.dir={out}")
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=workdir,
                          env={**os.environ, **(env or {})})
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.strip()[-500:]}")
    return wall, out, proc.stderr


def loop_seconds(out: Path) -> float:
    """The simulation loop's seconds of a run (run_info.json)."""
    return float(json.loads((out / "run_info.json").read_text())["seconds"]["run"])


def median_runs(args: list[str], repeats: int, workdir: Path) -> tuple[float, float, list]:
    """Median whole-process and loop seconds of ``repeats`` runs, and every run's pair."""
    pairs = []
    for _ in range(repeats):
        wall, out, _ = womsim(args, workdir)
        pairs.append((round(wall, 3), round(loop_seconds(out), 3)))
    return (statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs),
            pairs)


def figure_startup(repeats: int, workdir: Path) -> dict:
    womsim(["graph.n=10", "steps=1"], workdir)  # the cache warm
    walls = [womsim(["graph.n=10", "steps=1"], workdir)[0] for _ in range(max(repeats, 5))]
    return {"command": "womsim graph.n=10 steps=1", "seconds": statistics.median(walls),
            "runs": [round(w, 3) for w in walls], "target_s": 1.5}


def figure_cold(repeats: int, workdir: Path) -> dict:
    walls, said = [], []
    for _ in range(max(1, min(repeats, 2))):
        with tempfile.TemporaryDirectory(dir=workdir) as cache:
            wall, _, err = womsim([], workdir, env={"NUMBA_CACHE_DIR": cache})
        walls.append(round(wall, 3))
        said.append("compil" in err.lower())
    return {"command": "womsim (empty NUMBA_CACHE_DIR)", "seconds": statistics.median(walls),
            "runs": walls, "printed_compiling": all(said), "target_s": 10.0}


def figure_million(repeats: int, workdir: Path) -> dict:
    rows = {}
    for name, extra in (("defaults", []), ("baseline=none", ["baseline=none"])):
        wall, loop, pairs = median_runs([*MILLION, *extra], repeats, workdir)
        rows[name] = {"seconds": wall, "loop_s": loop, "runs": pairs}
    return {"command": "womsim " + " ".join(MILLION), **rows, "target_s": 8.0}


def figure_agents(repeats: int, workdir: Path) -> dict:
    common = ["graph.n=10000", "steps=180"]
    v_wall, v_loop, v_runs = median_runs(common, repeats, workdir)
    a_wall, a_loop, a_runs = median_runs([*common, "engine=agents"], 1, workdir)
    return {"command": "womsim graph.n=10000 steps=180 [engine=agents]",
            "vectorized": {"seconds": v_wall, "loop_s": v_loop, "runs": v_runs},
            "agents": {"seconds": a_wall, "loop_s": a_loop, "runs": a_runs},
            "ratio_whole_process": a_wall / v_wall, "ratio_loop": a_loop / v_loop}


def figure_sweep(repeats: int, workdir: Path) -> dict:
    wall, out, _ = womsim(["-m", "seed=range(200)"], workdir)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim.report", str(out)], check=True,
                   capture_output=True, cwd=workdir)
    report = time.perf_counter() - start
    runs = sum(1 for _ in out.glob("*/metrics.json"))
    return {"command": "womsim -m 'seed=range(200)'", "seconds": wall, "runs": runs,
            "report_s": report, "target_s": 40.0}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="+", choices=FIGURES, default=list(FIGURES))
    ap.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    ap.add_argument("--json", help="write the figures as JSON here")
    args = ap.parse_args(argv)
    if args.repeats < 1:
        ap.error(f"--repeats {args.repeats}: allowed >= 1")
    results = {}
    with tempfile.TemporaryDirectory(prefix="womsim-bench-") as tmp:
        for name in args.only:
            before = load_average()
            result = globals()[f"figure_{name}"](args.repeats, Path(tmp))
            result["load_before"], result["load_after"] = before, load_average()
            results[name] = result
            print(f"{name}: {json.dumps(result)}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
    sys.exit(0)
