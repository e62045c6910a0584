"""CPython's ``random.Random`` (MT19937) and set ordering, replayed in compiled code (numba).

networkx's generators draw from a ``random.Random(seed)`` and keep candidate nodes in Python
sets, whose iteration (and ``pop``) order feeds back into later draws. Replaying both makes the
compiled generators (:mod:`sim.graphs.compiled_generators`) produce exactly networkx's graph
for the same seed, at compiled speed.

Randomness
----------
No kernel reads or seeds global random state (numba's own ``np.random`` is never used). The
caller draws an integer seed from the run's numpy Generator (as it did for networkx);
:func:`py_random_state` turns it into the state of ``random.Random(seed)`` (a local instance),
and the kernels run Python's MT19937, ``random()`` and ``_randbelow`` on that state. The state
is passed around as an int64 array, advanced in place: the 624 words of
``random.Random(seed).getstate()`` followed by the position.

Contents
--------
* ``_mt_next``, ``_py_randbelow``, ``_py_random``: ``genrand_uint32``, ``Random._randbelow``
  and ``Random.random``.
* ``_pyset_add`` and :func:`pyset_capacity`: a set of non-negative ints with CPython's probe
  sequence and resizing, hence its iteration order.
* ``_random_subset``: networkx's helper of the same name, on both of the above.
"""

from __future__ import annotations

import random

import numpy as np
from numba import njit


def py_random_state(seed: int) -> np.ndarray:
    """The state of ``random.Random(seed)`` as the kernels take it: int64 (625,), the 624 words
    of MT19937 and the position."""
    return np.array(random.Random(seed).getstate()[1], dtype=np.int64)


@njit(cache=True)
def _mt_twist(mt):
    for k in range(624):
        y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7FFFFFFF)
        v = mt[(k + 397) % 624] ^ (y >> 1)
        if y & 1:
            v ^= 0x9908B0DF
        mt[k] = v


@njit(cache=True)
def _mt_next(mt):
    """Next 32-bit output (CPython's ``genrand_uint32``); ``mt[624]`` is the position."""
    if mt[624] >= 624:
        _mt_twist(mt)
        mt[624] = 0
    y = mt[mt[624]]
    mt[624] += 1
    y ^= y >> 11
    y ^= (y << 7) & 0x9D2C5680
    y ^= (y << 15) & 0xEFC60000
    y ^= y >> 18
    return y


@njit(cache=True)
def _py_randbelow(mt, n):
    """``random.Random._randbelow(n)`` (``getrandbits`` with rejection), for n < 2**63."""
    k = 0
    x = n
    while x > 0:
        k += 1
        x >>= 1
    while True:
        if k <= 32:
            r = _mt_next(mt) >> (32 - k)
        else:
            lo = _mt_next(mt)
            r = lo | ((_mt_next(mt) >> (64 - k)) << 32)
        if r < n:
            return r


@njit(cache=True)
def _py_random(mt):
    """``random.Random.random()``: 53 bits from two outputs."""
    a = _mt_next(mt) >> 5
    b = _mt_next(mt) >> 6
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def _pyset_find(table, mask, key):
    """CPython's probe sequence for a non-negative int ``key`` (its own hash): the slot
    holding ``key``, or the empty slot where it would go (``table`` holds -1 when empty)."""
    i = key & mask
    perturb = key
    while True:
        probes = 9 if i + 9 <= mask else 0
        j = i
        for _ in range(probes + 1):
            e = table[j]
            if e == -1 or e == key:
                return j
            j += 1
        perturb >>= 5
        i = (i * 5 + 1 + perturb) & mask


@njit(cache=True)
def _pyset_add(table, size, fill, key, scratch):
    """``set.add(key)`` on a set of non-negative ints without deletions.

    Returns (size, fill): the table size (a power of two, grown like CPython's
    ``set_table_resize``) and the number of elements.
    """
    j = _pyset_find(table, size - 1, key)
    if table[j] == key:
        return size, fill
    table[j] = key
    fill += 1
    if fill * 5 < (size - 1) * 3:
        return size, fill
    minused = fill * 2 if fill > 50000 else fill * 4
    newsize = 8
    while newsize <= minused:
        newsize <<= 1
    c = 0
    for q in range(size):  # reinsert in slot order
        if table[q] != -1:
            scratch[c] = table[q]
            c += 1
    table[:newsize] = -1
    for q in range(c):
        table[_pyset_find(table, newsize - 1, scratch[q])] = scratch[q]
    return newsize, fill


def pyset_capacity(m: int) -> int:
    """Largest table size a set of ``m`` ints reaches (to allocate once)."""
    size, fill = 8, 0
    for _ in range(m):
        fill += 1
        if fill * 5 >= (size - 1) * 3:
            minused = fill * 2 if fill > 50000 else fill * 4
            size = 8
            while size <= minused:
                size <<= 1
    return size


@njit(cache=True)
def _random_subset(mt, rep, length, m, table, scratch, out):
    """networkx's ``_random_subset(rep[:length], m, rng)``: draw until ``m`` distinct nodes;
    write them to ``out[:m]`` in the set's iteration order (which is also its ``pop`` order).

    At least ``m`` draws are always needed, so the first ``m`` indices are drawn before any
    of them is read: the (cache-missing) reads then overlap instead of queueing.
    """
    for q in range(m):
        scratch[q] = _py_randbelow(mt, length)
    for q in range(m):
        out[q] = rep[scratch[q]]
    table[:8] = -1
    size = 8
    fill = 0
    for q in range(m):
        size, fill = _pyset_add(table, size, fill, out[q], scratch)
    while fill < m:
        size, fill = _pyset_add(table, size, fill, np.int64(rep[_py_randbelow(mt, length)]),
                                scratch)
    c = 0
    for q in range(size):
        if table[q] != -1:
            out[c] = table[q]
            c += 1
