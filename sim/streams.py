"""Named random streams derived from one integer seed.

Every random decision in a run draws from a stream named after what it decides (``graph``,
``population``, ``dynamics.talk``, ``strategy.kol``, ...). A stream's generator depends only on the
seed and its name, never on which other streams exist or how much they were used, so adding a
strategy does not shift any other draw: runs with the same seed face the same graph, the same
consumers and the same luck (common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(name: str) -> int:
    """A stable 32-bit integer for a stream name (CRC-32 of its UTF-8 bytes)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Factory of independent, reproducible generators keyed by name.

    Parameters
    ----------
    seed : int
        The run's seed (>= 0). Everything random in the run follows from it.

    Examples
    --------
    >>> s = Streams(7)
    >>> a = s.get("graph").random()
    >>> b = Streams(7).get("graph").random()
    >>> a == b
    True
    """

    def __init__(self, seed: int):
        if int(seed) != seed or seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
        self.seed = int(seed)
        self._cache: dict[str, np.random.Generator] = {}

    def get(self, name: str) -> np.random.Generator:
        """The generator for ``name``; the same object on every call within this run."""
        if name not in self._cache:
            self._cache[name] = self.fresh(name)
        return self._cache[name]

    def key(self, name: str) -> int:
        """A 64-bit key for ``name``, from the same seed sequence as :meth:`fresh` (for
        counter-based draws: see :mod:`sim.rules.draws`)."""
        return int(self._sequence(name).generate_state(1, np.uint64)[0])

    def _sequence(self, name: str) -> np.random.SeedSequence:
        return np.random.SeedSequence(entropy=self.seed, spawn_key=(stream_key(name),))

    def fresh(self, name: str) -> np.random.Generator:
        """A new generator for ``name``, at the start of its sequence."""
        return np.random.Generator(np.random.PCG64(self._sequence(name)))
