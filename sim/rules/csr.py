"""Small helpers over CSR arrays shared by the rules."""

from __future__ import annotations

import numpy as np


def row_entries(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Positions in ``indices``/``weights`` of every entry of the given rows, row after row.

    Parameters
    ----------
    indptr : int64 array, shape (n + 1,)
    rows : int array, shape (k,)

    Returns
    -------
    int64 array, shape (sum of the rows' lengths,)
    """
    rows = np.asarray(rows, dtype=np.int64)
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(total, dtype=np.int64)


def bernoulli_positions(rng: np.random.Generator, total: int, p: float) -> np.ndarray:
    """Positions of the successes in ``total`` independent Bernoulli(``p``) trials.

    Exact, by geometric skipping: the gaps between successes are geometric, so the cost is
    proportional to the number of successes (about ``total * p``), not to ``total``.

    Returns
    -------
    int64 array, increasing, values in [0, total)
    """
    if total <= 0 or p <= 0:
        return np.zeros(0, dtype=np.int64)
    if p >= 1:
        return np.arange(total, dtype=np.int64)
    chunks, end = [], -1
    expected = total * p
    while True:
        size = int(expected + 6 * np.sqrt(expected) + 16)
        positions = end + np.cumsum(rng.geometric(p, size))
        chunks.append(positions[positions < total])
        if positions[-1] >= total:
            return np.concatenate(chunks)
        end = int(positions[-1])
        expected = (total - end) * p


def successful_entries(rng: np.random.Generator, indptr: np.ndarray, rows: np.ndarray,
                       p: float) -> np.ndarray:
    """The CSR entries of ``rows`` that succeed, each independently with probability ``p``.

    Equivalent to ``row_entries(indptr, rows)[rng.random(size) < p]`` in distribution, but draws
    only about (number of entries) * p random numbers.
    """
    rows = np.asarray(rows, dtype=np.int64)
    lengths = indptr[rows + 1] - indptr[rows]
    ends = np.cumsum(lengths)
    hits = bernoulli_positions(rng, int(ends[-1]) if ends.size else 0, p)
    owner = np.searchsorted(ends, hits, side="right")
    return indptr[rows[owner]] + hits - (ends[owner] - lengths[owner])
