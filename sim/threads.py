"""How many threads a run uses when ``threads`` is not set: as many cores as are idle now.

The vectorised engine's results are the same for any number of threads (its chunks never
share an entry), so the choice changes speed only. It matters: on this 2-core machine, with one
other busy process, a 10,000-consumer day took 12 ms with 2 threads against 0.4-0.7 ms with 1
(OpenMP threads spin at every parallel region while the other core is taken), and a
1,000,000-consumer day 34 ms against 21 ms. On an idle machine 2 threads are faster
(docs/benchmarks.md).
So an automatic run measures how busy the cores are at its start and again every
:data:`RECHECK_DAYS` days, and uses one thread per core that other processes leave idle, one
thread when the model is too small to gain from more (:data:`MIN_CONSUMERS`). The rechecks cost
nothing: they compare the machine's CPU time since the last check with this process's own.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

#: below this many consumers a run uses one thread: parallel regions cost more than they save
#: when any other process is busy (measured: see the module docstring)
MIN_CONSUMERS = 200_000

#: an automatic run looks at the idle cores again after this many days
RECHECK_DAYS = 20

#: how long the cores are watched to tell how busy they are, in seconds
SAMPLE_SECONDS = 0.05


def _cpu_times() -> tuple[float, float] | None:
    """(idle, total) jiffies of all cores from /proc/stat, or None where it does not exist."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()[1:]
    except OSError:
        return None
    values = [float(x) for x in fields]
    idle = values[3] + (values[4] if len(values) > 4 else 0.0)  # idle + iowait
    return idle, sum(values)


def idle_cores(cores: int, seconds: float = SAMPLE_SECONDS) -> float:
    """How many of ``cores`` were idle over the last ``seconds`` (the 1-minute load average
    where /proc/stat is missing)."""
    before = _cpu_times()
    if before is None:
        try:
            return max(0.0, cores - os.getloadavg()[0])
        except OSError:
            return float(cores)
    time.sleep(seconds)
    after = _cpu_times()
    total = after[1] - before[1]
    if total <= 0:
        return float(cores)
    return cores * (after[0] - before[0]) / total


def auto_threads(n: int, cores: int, *, idle: float | None = None) -> int:
    """The threads for a run of ``n`` consumers on ``cores`` cores: 1 for small runs, else one
    per idle core (at least 1, at most ``cores``); ``idle`` measured unless given."""
    if cores <= 1 or n < MIN_CONSUMERS:
        return 1
    if idle is None:
        idle = idle_cores(cores)
    return max(1, min(cores, int(idle + 0.5)))


@dataclass
class ThreadAdvisor:
    """Advises an automatic run's threads from what other processes used since the last look.

    Parameters
    ----------
    cores : int
        The cores the run may use.
    """

    cores: int
    _since: tuple[float, float, float] | None = field(default=None, repr=False)

    def look(self) -> None:
        """Remember the machine's and this process's CPU time now."""
        times = _cpu_times()
        self._since = None if times is None else (*times, time.process_time())

    def advise(self) -> int | None:
        """Threads for the next days: one per core other processes left idle since the last
        :meth:`look` (which it repeats); None when that cannot be told."""
        before = self._since
        self.look()
        if before is None or self._since is None:
            return None
        idle, total, own = (a - b for a, b in zip(self._since, before, strict=True))
        if total <= 0:
            return None
        hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        per_core = total / self.cores  # jiffies of one core over the interval
        others_busy = max(0.0, (total - idle) - own * hz) / per_core
        return max(1, min(self.cores, int(self.cores - others_busy + 0.5)))
