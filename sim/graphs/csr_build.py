"""Compiled (numba) assembly of symmetric CSR graphs, and per-entry weights on them.

:func:`csr_unweighted` and :func:`csr_weighted` turn an undirected edge list into the sorted,
symmetric CSR arrays of :class:`~sim.graphs.Graph` (self-loops dropped, repeated edges
merged); :func:`symmetric_weights` and :func:`tie_strength_codes` give both stored directions
of every edge the same weight (the codes: strong or weak, a byte a tie); :func:`tie_weight`
reads an entry's strength, coded or not, in compiled code; :func:`check_symmetric` verifies a
CSR. The row sorting and row
pointer helpers (``_sort_segment``, ``_cumsum_ptr``) are shared with the compiled generators
(:mod:`sim.graphs.compiled_generators`).

Randomness
----------
No kernel here reads or seeds global random state (numba's own ``np.random`` is never used).
:func:`tie_strength_codes` takes the run's :class:`numpy.random.Generator` itself and calls
its ``random()`` inside compiled code (numba supports Generator objects): it advances that
generator exactly as ``rng.random(num_edges)`` would, without materialising the draws.

Memory
------
Node ids are int32 and row pointers int64; scratch arrays are sized for the output.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.extending import overload

# ----------------------------------------------------------------------------------------
# row sorting and row pointers (shared with sim.graphs.compiled_generators)


@njit(cache=True)
def _insertion_sort(a, lo, hi):
    """Sort ``a[lo:hi]`` in place (fast for the short rows of sparse graphs)."""
    for i in range(lo + 1, hi):
        x = a[i]
        j = i - 1
        while j >= lo and a[j] > x:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = x


_GAPS = np.array([1, 4, 10, 23, 57, 132, 301, 701, 1750, 4376, 10941, 27353, 68383, 170958,
                  427396, 1068491, 2671228, 6678071, 16695178, 41737946, 104344866, 260862166,
                  652155416, 1630388541], dtype=np.int64)
"""Shell sort gaps (Ciura's, then growing by 2.5)."""


@njit(cache=True)
def _sort_segment(a, lo, hi):
    """Sort ``a[lo:hi]`` in place: insertion sort for short rows, Shell sort for long ones
    (no call into numba's generic sort, which costs a second of compilation per dtype)."""
    size = hi - lo
    if size <= 24:
        _insertion_sort(a, lo, hi)
        return
    g = 0
    while g + 1 < _GAPS.size and _GAPS[g + 1] < size:
        g += 1
    while g >= 0:
        gap = _GAPS[g]
        for i in range(lo + gap, hi):
            x = a[i]
            j = i
            while j - gap >= lo and a[j - gap] > x:
                a[j] = a[j - gap]
                j -= gap
            a[j] = x
        g -= 1


@njit(cache=True)
def _cumsum_ptr(deg):
    """Row pointers (int64, length n + 1) from per-row counts."""
    n = deg.size
    indptr = np.empty(n + 1, np.int64)
    indptr[0] = 0
    acc = np.int64(0)
    for i in range(n):
        acc += deg[i]
        indptr[i + 1] = acc
    return indptr


# ----------------------------------------------------------------------------------------
# CSR assembly from an edge list


@njit(cache=True)
def _degrees(n, src, dst):
    """Entries per row (self-loops skipped); ``ok`` False if an id lies outside ``0 .. n-1``."""
    deg = np.zeros(n, np.int64)
    for e in range(src.size):
        u = np.int64(src[e])
        v = np.int64(dst[e])
        if u < 0 or v < 0 or u >= n or v >= n:
            return deg, False
        if u != v:
            deg[u] += 1
            deg[v] += 1
    return deg, True


@njit(cache=True)
def csr_unweighted(n, src, dst):
    """Symmetric CSR of the undirected edges ``(src[e], dst[e])``, rows sorted, no weights.

    Self-loops are dropped and repeated edges merged.

    Returns
    -------
    indptr : int64 (n + 1,), indices : int32 (nnz,), ok : bool
        ``ok`` is False (and the arrays empty) if an id is out of range.
    """
    deg, ok = _degrees(n, src, dst)
    if not ok:
        return np.zeros(1, np.int64), np.empty(0, np.int32), False
    ptr = _cumsum_ptr(deg)
    cols = np.empty(ptr[n], np.int32)
    cur = ptr[:-1].copy()
    for e in range(src.size):
        u = src[e]
        v = dst[e]
        if u != v:
            cols[cur[u]] = v
            cur[u] += 1
            cols[cur[v]] = u
            cur[v] += 1
    # sort each row, drop repeats, compact in place (writes never overtake reads)
    indptr = np.empty(n + 1, np.int64)
    indptr[0] = 0
    p = np.int64(0)
    for r in range(n):
        a, b = ptr[r], ptr[r + 1]
        _sort_segment(cols, a, b)
        for i in range(a, b):
            if i == a or cols[i] != cols[i - 1]:
                cols[p] = cols[i]
                p += 1
        indptr[r + 1] = p
    if p < cols.size:
        cols = cols[:p].copy()
    return indptr, cols, True


@njit(cache=True)
def csr_weighted(n, src, dst, wbits):
    """Like :func:`csr_unweighted`, with weights; repeated edges keep their largest weight.

    Parameters
    ----------
    wbits : uint32 (m,)
        The float32 weights as bits (``w.view(np.uint32)``).

    Returns
    -------
    indptr : int64 (n + 1,), indices : int32 (nnz,), wbits : uint32 (nnz,), ok : bool
        The returned weights are float32 bits too (``.view(np.float32)``).
    """
    deg, ok = _degrees(n, src, dst)
    if not ok:
        return np.zeros(1, np.int64), np.empty(0, np.int32), np.empty(0, np.uint32), False
    ptr = _cumsum_ptr(deg)
    # key = column << 32 | order-preserving image of the weight bits: sorting keys sorts a row
    # by column, then weight, so the last of a run of equal columns holds the largest weight.
    keys = np.empty(ptr[n], np.int64)
    cur = ptr[:-1].copy()
    for e in range(src.size):
        u = src[e]
        v = dst[e]
        if u != v:
            b = np.int64(wbits[e])
            o = (b ^ 0xFFFFFFFF) if b & 0x80000000 else (b | 0x80000000)
            keys[cur[u]] = (np.int64(v) << 32) | o
            cur[u] += 1
            keys[cur[v]] = (np.int64(u) << 32) | o
            cur[v] += 1
    indptr = np.empty(n + 1, np.int64)
    indptr[0] = 0
    p = np.int64(0)
    for r in range(n):
        a, b = ptr[r], ptr[r + 1]
        _sort_segment(keys, a, b)
        for i in range(a, b):
            if i == b - 1 or (keys[i] >> 32) != (keys[i + 1] >> 32):
                keys[p] = keys[i]
                p += 1
        indptr[r + 1] = p
    indices = np.empty(p, np.int32)
    out = np.empty(p, np.uint32)
    for i in range(p):
        k = keys[i]
        indices[i] = np.int32(k >> 32)
        o = k & 0xFFFFFFFF
        out[i] = np.uint32((o & 0x7FFFFFFF) if o & 0x80000000 else (o ^ 0xFFFFFFFF))
    return indptr, indices, out, True


@njit(cache=True)
def symmetric_weights(indptr, indices, edge_weights):
    """Per-entry float32 weights from one weight per undirected edge, in ``Graph.edges`` order.

    Row ``u``'s entries above the diagonal take the next weights in turn; the mirror entry
    ``(v, u)`` is the next free slot at the start of row ``v`` (rows are sorted, and the rows
    ``u < v`` are visited in increasing order), so no search or sort is needed.
    """
    n = indptr.size - 1
    out = np.empty(indices.size, np.float32)
    low = indptr[:-1].copy()
    k = 0
    for u in range(n):
        for j in range(indptr[u], indptr[u + 1]):
            v = indices[j]
            if v > u:
                w = np.float32(edge_weights[k])
                k += 1
                out[j] = w
                out[low[v]] = w
                low[v] += 1
    return out


@njit(cache=True)
def tie_strength_codes(indptr, indices, rng, share):
    """Strong (code 0) w.p. ``share`` else weak (code 1), one ``rng.random()`` per edge: uint8
    per stored entry, both directions of an edge alike.

    Edges are visited in ``Graph.edges`` order, so the draws are those of
    ``rng.random(num_edges) < share``.
    """
    n = indptr.size - 1
    out = np.empty(indices.size, np.uint8)
    low = indptr[:-1].copy()
    for u in range(n):
        for j in range(indptr[u], indptr[u + 1]):
            v = indices[j]
            if v > u:
                code = np.uint8(0) if rng.random() < share else np.uint8(1)
                out[j] = code
                out[low[v]] = code
                low[v] += 1
    return out


#: the ``levels`` of ties that hold their strengths themselves (:func:`tie_weight`)
NO_LEVELS = np.zeros(0, dtype=np.float32)
NO_LEVELS.setflags(write=False)


def tie_weight(ties, levels, k):
    """The strength of stored entry ``k``: ``levels[ties[k]]`` for coded ties, else
    ``ties[k]`` (see :class:`~sim.graphs.base.Graph`); compiled kernels call it."""
    return levels[ties[k]] if levels.size else ties[k]


@overload(tie_weight, inline="always")
def _tie_weight(ties, levels, k):
    if isinstance(ties.dtype, types.Integer):
        return lambda ties, levels, k: levels[ties[k]]
    return lambda ties, levels, k: ties[k]


@njit(cache=True)
def non_decreasing(a):
    """Whether ``a`` never decreases (row pointers), without a temporary the size of ``a``."""
    for i in range(1, a.size):
        if a[i] < a[i - 1]:
            return False
    return True


@njit(cache=True)
def check_symmetric(indptr, indices, weights):
    """0 if every entry ``(u, v, w)`` has its mirror ``(v, u, w)``, 1 if the structure is not
    symmetric, 2 if only the weights differ. Rows must already be sorted."""
    n = indptr.size - 1
    for u in range(n):
        for j in range(indptr[u], indptr[u + 1]):
            v = indices[j]
            lo, hi = indptr[v], indptr[v + 1]
            while lo < hi:  # binary search for u in row v
                mid = (lo + hi) >> 1
                if indices[mid] < u:
                    lo = mid + 1
                else:
                    hi = mid
            if lo == indptr[v + 1] or indices[lo] != u:
                return 1
            if weights[lo] != weights[j]:
                return 2
    return 0
