"""Compiled (numba) open-addressing hash table of non-negative int64 keys.

Fibonacci hashing (``_slot``: the top bits of ``key * 0x9E3779B97F4A7C15``) with linear
probing; a table is an int64 array of a power-of-two size holding -1 in its empty slots, and
``shift`` is 64 minus the log2 of that size. ``_hash_remove`` deletes by backward shifting, so
lookups need no tombstones. Used for the edge set of :func:`sim.graphs.compiled_generators.ws_edges`
and, through ``_slot`` alone, the id table of
:func:`sim.graphs.edgelist_parse.number_by_first_appearance`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_HASH_MULT = np.uint64(0x9E3779B97F4A7C15)


@njit(cache=True)
def _slot(key, shift):
    return np.int64((np.uint64(key) * _HASH_MULT) >> np.uint64(shift))


@njit(cache=True)
def _hash_has(table, shift, key):
    mask = table.size - 1
    i = _slot(key, shift)
    while True:
        k = table[i]
        if k == key:
            return True
        if k == -1:
            return False
        i = (i + 1) & mask


@njit(cache=True)
def _hash_add(table, shift, key):
    mask = table.size - 1
    i = _slot(key, shift)
    while table[i] != -1:
        i = (i + 1) & mask
    table[i] = key


@njit(cache=True)
def _hash_remove(table, shift, key):
    """Delete ``key`` (present) by backward shifting, so probing needs no tombstones."""
    mask = table.size - 1
    i = _slot(key, shift)
    while table[i] != key:
        i = (i + 1) & mask
    j = i
    while True:
        j = (j + 1) & mask
        k = table[j]
        if k == -1:
            break
        h = _slot(k, shift)
        stay = (i < h <= j) if i <= j else (h > i or h <= j)
        if not stay:
            table[i] = k
            i = j
    table[i] = -1
