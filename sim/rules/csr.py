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
