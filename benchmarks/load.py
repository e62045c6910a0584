"""Thread counts under load: is the default (``threads`` unset) ever much slower than the best
fixed thread count when another process keeps a core busy?

The script starts the competing process itself (a Python loop spinning on one core), then runs
the ``womsim`` command as a user does - whole process, default scenario, a fresh output
directory each time - at each size with the default threads, ``threads=1`` and ``threads=2``,
interleaved round by round so that drifts of the shared machine hit all three alike. It prints,
per size and setting, the median whole-process seconds and the median seconds of the simulation
loop (``seconds.run`` in run_info.json), and the default's ratio to the best fixed count.

    python benchmarks/load.py                     # n = 10^4, 10^5, 10^6 (~5 min on 2 cores)
    python benchmarks/load.py --sizes 10000 --rounds 5 --no-load
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: the settings compared: the default and the fixed thread counts
SETTINGS = {"default": [], "threads=1": ["threads=1"], "threads=2": ["threads=2"]}
#: days per size: the default horizon, shorter at 10^6 so that a round stays near a minute
DAYS = {10_000: 180, 100_000: 180, 1_000_000: 60}
TARGET = 1.3


def spinner() -> subprocess.Popen:
    """A process that keeps one core busy until killed."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def one_run(n: int, days: int, extra: list[str], workdir: Path) -> tuple[float, float, int]:
    """(whole-process seconds, loop seconds, threads used) of one ``womsim`` run."""
    out = Path(tempfile.mkdtemp(dir=workdir))
    cmd = [sys.executable, "-m", "sim", f"graph.n={n}", f"steps={days}", "output.summary=false",
           f"hydra.run.dir={out}", *extra]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=workdir)
    wall = time.perf_counter() - start
    info = json.loads((out / "run_info.json").read_text())
    return wall, float(info["seconds"]["run"]), int(info["threads"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=list(DAYS))
    ap.add_argument("--rounds", type=int, default=3, help="runs of each setting per size")
    ap.add_argument("--no-load", action="store_true", help="no competing process")
    args = ap.parse_args(argv)
    if args.rounds < 1:
        ap.error(f"--rounds {args.rounds}: allowed >= 1")
    busy = None if args.no_load else spinner()
    load = "none" if busy is None else "one process spinning on one core"
    print(f"load: {load}; {args.rounds} interleaved rounds; whole `womsim` process, default "
          "scenario (output.summary=false)")
    failed = False
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            one_run(1000, 2, [], work)  # warm numba's cache and the file system
            print(f"{'n':>10} {'days':>5} {'setting':>10} {'threads':>7} {'wall s':>8} "
                  f"{'loop s':>8}")
            for n in args.sizes:
                days = DAYS.get(n, 180)
                runs: dict[str, list[tuple[float, float, int]]] = {k: [] for k in SETTINGS}
                for _ in range(args.rounds):
                    for name, extra in SETTINGS.items():
                        runs[name].append(one_run(n, days, extra, work))
                med = {name: (statistics.median(r[0] for r in rs),
                              statistics.median(r[1] for r in rs),
                              sorted({r[2] for r in rs})) for name, rs in runs.items()}
                for name, (wall, loop, threads) in med.items():
                    print(f"{n:>10,} {days:>5} {name:>10} {'/'.join(map(str, threads)):>7} "
                          f"{wall:>8.2f} {loop:>8.3f}")
                for i, what in ((0, "whole process"), (1, "loop")):
                    best = min(med[k][i] for k in SETTINGS if k != "default")
                    ratio = med["default"][i] / best
                    ok = ratio <= TARGET
                    failed |= not ok
                    print(f"{'':>10} default / best fixed, {what}: {ratio:.2f} "
                          f"({'within' if ok else 'OVER'} {TARGET})")
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
