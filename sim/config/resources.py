"""Whether a run fits in this machine's memory, estimated from its config before any work.

The estimate is linear in what a run holds: its ties, its consumers (per engine), its days (the
time series grows by one row a day) and, for KOLs chosen by ``greedy``, the reverse-reachable
samples. The figures below were measured as the peak resident memory (``ru_maxrss``) of
building and running, minus that of the same run at n = 1,000 (the interpreter, imports and
compiled kernels: about 270 MB), on Linux x86-64, Python 3.11, numpy 2 (docs/model.md,
"Memory"):

============================  ==========================================================
what                          measured
============================  ==========================================================
building a graph              BA n=1e6 m=3: 92 MB (31 B/tie); m=10: 25 B/tie; ER 37 and
                              32 B/tie; WS 29; Holme-Kim 39; complete n=3,000 and 10,000:
                              30 and 32 B/tie; SBM n=1e6: 68 B/tie
running, engine=vectorized    BA m=3, graph and model, the peak of the days (``run``,
                              minus n = 1,000): n=1e6 199 MB, n=4e6 813 MB: ~203
                              B/consumer, of which the graph holds 38 (8 B of row
                              pointer, 10 B/tie: two stored directions of an int32
                              neighbour and a one-byte tie code); m=10: 271 MB; with
                              kol, rewards and fast_response and their twin: 428 MB
running, engine=agents        n=2e4, 1e5, 3e5: 1.55, 1.70, 1.66 kB/consumer
the diffusion presets         n=1e6: 92 to 225 MB (below the word-of-mouth model);
                              agents n=1e5 (SIR): 1.2 kB/consumer
the time series               n=50 over 2e5 days: 230 MB, ~1.2 kB/day (rows, table, CSV)
============================  ==========================================================

A run's peak is the larger of building its graph and running on it, plus its days. A run with
strategies also runs its twin without them on the same graph (``baseline=twin``,
:mod:`sim.twin`), which doubles the model's and the days' share. The constants round the
measurements up, so the estimate errs on the safe side by up to ~30 % (complete graphs).
Measured with ``python -c`` around :func:`sim.run.build_model`, ``model.run`` and
:func:`sim.run.run`, reading ``resource.getrusage(resource.RUSAGE_SELF).ru_maxrss``.
"""

from __future__ import annotations

import os
from typing import Any

from sim.config.checks import Checker

#: peak bytes per undirected tie while a graph of each kind is built (measured, rounded up)
BUILD_BYTES_PER_TIE = {"sbm": 70.0, "ba": 32.0}
DEFAULT_BUILD_BYTES_PER_TIE = 40.0
#: bytes per consumer while a graph is built (row pointers, degrees)
BUILD_BYTES_PER_CONSUMER = 16.0
#: bytes per tie a generated graph holds (two stored directions: int32 neighbour, one-byte
#: tie code; a loaded graph, weighted or not, is checked once it is in memory)
HELD_BYTES_PER_TIE = 10.0
#: bytes per consumer of a running model, by engine (state, traits, the talk phase's rows,
#: the graph's row pointers; agents), rounded up: 165 measured for the vectorised engine
RUN_BYTES_PER_CONSUMER = {"vectorized": 180.0, "agents": 1750.0}
#: bytes per consumer that strategies add (the levers they make, up to seven float64 arrays,
#: and their own state): 1e6 consumers with kol, rewards and fast_response and their twin
#: measured 428 MB against 199 MB without
STRATEGY_BYTES_PER_CONSUMER = 60.0
#: bytes per day of the time series (its rows, the table and the CSV text)
BYTES_PER_STEP = 1200.0
#: bytes per reverse-reachable sample of the ``greedy`` KOL selector, at the least (root, set
#: pointer and one member)
BYTES_PER_GREEDY_SAMPLE = 48.0


def available_memory() -> int | None:
    """Bytes of memory this process can still get: ``MemAvailable`` of /proc/meminfo, else the
    free physical pages (``os.sysconf``); None when neither is known."""
    try:
        with open("/proc/meminfo", "rb") as fh:
            for line in fh:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, AttributeError):
        return None


def graph_and_model_bytes(kind: str, n: float, ties: float, engine: str, *,
                          built: bool = False, models: int = 1,
                          strategies: bool | None = None) -> float:
    """Peak bytes of building a graph of ``kind`` with ``n`` consumers and ``ties`` ties (unless
    ``built``: it exists already) and running ``models`` models on it with ``engine`` (2 for a
    run with strategies and its twin without, :mod:`sim.twin`), the first with ``strategies``
    (None: when there are 2 models)."""
    per_consumer = models * RUN_BYTES_PER_CONSUMER.get(engine,
                                                       max(RUN_BYTES_PER_CONSUMER.values()))
    if strategies or (strategies is None and models > 1):
        per_consumer += STRATEGY_BYTES_PER_CONSUMER
    if built:  # the graph is already in memory: only the model is to come
        return per_consumer * n
    build = (BUILD_BYTES_PER_TIE.get(kind, DEFAULT_BUILD_BYTES_PER_TIE) * ties
             + BUILD_BYTES_PER_CONSUMER * n)
    return max(build, HELD_BYTES_PER_TIE * ties + per_consumer * n)


def min_run_bytes(n: float) -> float:
    """The least memory a run on ``n`` consumers can take (the vectorised engine, no ties)."""
    return min(RUN_BYTES_PER_CONSUMER.values()) * n


def format_bytes(count: float) -> str:
    """``count`` bytes as people read it: 512 B, 3.4 MB, 1.2 TB (powers of 1000)."""
    for unit, size in (("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= size:
            return f"{count / size:.3g} {unit}"
    return f"{count:.0f} B"


def check_fits(check: Checker, parts: dict[str, tuple[Any, float]], detail: str,
               available: int | None = None) -> None:
    """Refuse a run whose memory, the sum of ``parts`` (key -> (value, bytes)), exceeds what
    is available (:func:`available_memory` unless given). The error names the key of the
    largest part and says how much is needed and how much is available; ``detail`` says what
    the estimate was made of."""
    need = sum(size for _, size in parts.values())
    if available is None:
        available = available_memory()
    if available is None or need <= available:
        return
    key = max(parts, key=lambda k: parts[k][1])
    check.fail(key, parts[key][0],
               f"a run that fits in memory: this one needs about {format_bytes(need)} "
               f"({detail}) but {format_bytes(available)} is available")
