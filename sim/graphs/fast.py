"""Compiled kernels (numba) that build large graphs: CSR assembly, generators, edge-list parsing.

Randomness
----------
No kernel reads or seeds global random state (numba's own ``np.random`` is never used).

* The generators (``ba``, ``ws``, ``powerlaw_cluster``) replay networkx's algorithms exactly:
  the caller draws an integer seed from the run's numpy Generator (as it did for networkx),
  :func:`py_random_state` turns it into the state of ``random.Random(seed)`` (a local instance),
  and the kernel runs Python's MT19937, ``random()`` and ``_randbelow`` on that state, together
  with CPython's set ordering for the candidate sets networkx keeps. The result is the very
  graph networkx would build for that seed, at compiled speed.
* :func:`tie_strength_weights` takes the run's :class:`numpy.random.Generator` itself and calls
  its ``random()`` inside compiled code (numba supports Generator objects): it advances that
  generator exactly as ``rng.random(num_edges)`` would, without materialising the draws.

Memory
------
Node ids are int32 and row pointers int64; scratch arrays are sized for the output (a BA graph
with ``n = 10**7, m = 5`` peaks at about 1.5 GB, its CSR and tie strengths included).
"""

from __future__ import annotations

import random

import numpy as np
from numba import njit

# ----------------------------------------------------------------------------------------
# small helpers


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
def tie_strength_weights(indptr, indices, rng, share, strong, weak):
    """Strong (``strong``) w.p. ``share`` else ``weak``, one ``rng.random()`` per edge.

    Edges are visited in ``Graph.edges`` order, so the draws are those of
    ``rng.random(num_edges) < share``.
    """
    n = indptr.size - 1
    out = np.empty(indices.size, np.float32)
    low = indptr[:-1].copy()
    s = np.float32(strong)
    w_ = np.float32(weak)
    for u in range(n):
        for j in range(indptr[u], indptr[u + 1]):
            v = indices[j]
            if v > u:
                w = s if rng.random() < share else w_
                out[j] = w
                out[low[v]] = w
                low[v] += 1
    return out


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


# ----------------------------------------------------------------------------------------
# Python's random.Random (MT19937) and CPython's set order, to replay networkx exactly
#
# networkx's generators draw from a ``random.Random(seed)`` and keep candidate nodes in Python
# sets, whose iteration (and ``pop``) order feeds back into later draws. Replaying both makes
# the compiled generators produce exactly networkx's graph for the same seed. The generator
# state is passed in as an int64 array: the 624 words of ``random.Random(seed).getstate()``
# followed by the position.


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


# ----------------------------------------------------------------------------------------
# Barabási–Albert


@njit(cache=True)
def ba_csr(mt, n, m, cap):
    """Barabási–Albert graph as symmetric CSR: ``networkx.barabasi_albert_graph(n, m, seed)``.

    Starts from a star on ``m + 1`` nodes (centre 0, leaves ``1 .. m``). Each new node
    ``s = m+1 .. n-1`` links to ``m`` distinct existing nodes drawn uniformly from the list in
    which every node appears once per incident edge ("repeated nodes"). The list is also the
    edge store: the targets of node ``s`` sit at ``rep[2m + 2m(s-m-1) : +m]``, followed by
    ``m`` copies of ``s``.

    Parameters
    ----------
    mt : int64 (625,)
        State of ``random.Random(seed)`` (advanced in place).
    cap : int
        :func:`pyset_capacity` of ``m``.

    Returns
    -------
    indptr : int64 (n + 1,), indices : int32 (2 m (n - m),)
        Rows sorted: a node's own targets (all smaller), then the later nodes that chose it
        (appended in increasing order).
    """
    total = 2 * m * (n - m)
    rep = np.empty(total, np.int32)
    for i in range(m):
        rep[i] = 0
        rep[m + i] = i + 1
    table = np.empty(cap, np.int64)
    scratch = np.empty(cap, np.int64)
    picks = np.empty(m, np.int64)
    length = 2 * m
    for s in range(m + 1, n):
        _random_subset(mt, rep, length, m, table, scratch, picks)
        for q in range(m):
            rep[length + q] = picks[q]
            rep[length + m + q] = s
        length += 2 * m

    deg = np.zeros(n, np.int64)
    deg[0] = m
    for j in range(1, m + 1):
        deg[j] = 1
    base = 2 * m
    for s in range(m + 1, n):
        deg[s] += m
        for q in range(m):
            deg[rep[base + q]] += 1
        base += 2 * m
    indptr = _cumsum_ptr(deg)
    deg = np.empty(0, np.int64)  # release it
    indices = np.empty(total, np.int32)
    cur = indptr[:-1].copy()  # next free slot for a later neighbour
    for j in range(1, m + 1):  # the star: leaf j's only own target is 0
        indices[indptr[j]] = 0
        cur[j] += 1
        indices[cur[0]] = j
        cur[0] += 1
    base = 2 * m
    for s in range(m + 1, n):
        row = indptr[s]
        for q in range(m):
            indices[row + q] = rep[base + q]
        _sort_segment(indices, row, row + m)
        cur[s] += m
        for q in range(m):
            t = rep[base + q]
            indices[cur[t]] = s
            cur[t] += 1
        base += 2 * m
    return indptr, indices


# ----------------------------------------------------------------------------------------
# Watts–Strogatz (an edge hash set with linear probing)


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


@njit(cache=True)
def _pair_key(u, v, n):
    return np.int64(u) * n + v if u < v else np.int64(v) * n + u


@njit(cache=True)
def ws_edges(mt, n, k, p):
    """Watts–Strogatz edges: ``networkx.watts_strogatz_graph(n, k, p, seed)`` for ``k < n``.

    A ring where each node links to its ``k // 2`` nearest neighbours on each side; then, for
    ``j = 1 .. k//2`` and each node ``u`` in order, the edge ``(u, u + j)`` is rewired w.p.
    ``p`` to ``(u, w)`` with ``w`` uniform, redrawn while ``w == u`` or ``(u, w)`` exists
    (giving up when ``u`` already links to everybody).

    Returns
    -------
    src, dst : int32 (n * (k // 2),)
    """
    half = k // 2
    num = n * half
    src = np.empty(num, np.int32)
    dst = np.empty(num, np.int32)
    bits = 4
    while (1 << bits) < 2 * num:
        bits += 1
    table = np.full(1 << bits, -1, np.int64)
    shift = 64 - bits
    for j in range(1, half + 1):
        for u in range(n):
            e = (j - 1) * n + u
            v = (u + j) % n
            src[e] = u
            dst[e] = v
            _hash_add(table, shift, _pair_key(u, v, n))
    deg = np.full(n, 2 * half, np.int64)
    for j in range(1, half + 1):
        for u in range(n):
            if _py_random(mt) < p:
                w = _py_randbelow(mt, n)
                ok = True
                while w == u or _hash_has(table, shift, _pair_key(u, w, n)):
                    w = _py_randbelow(mt, n)
                    if deg[u] >= n - 1:
                        ok = False
                        break
                if ok:
                    e = (j - 1) * n + u
                    v = dst[e]
                    _hash_remove(table, shift, _pair_key(u, v, n))
                    _hash_add(table, shift, _pair_key(u, w, n))
                    dst[e] = w
                    deg[v] -= 1
                    deg[w] += 1
    return src, dst


# ----------------------------------------------------------------------------------------
# Holme–Kim (powerlaw_cluster)


@njit(cache=True)
def _eligible(y, s, mine, first, last, linked, small):
    """Whether neighbour ``y`` of the target may close a triangle for new node ``s``: not
    ``s`` itself and not yet linked to ``s`` (``mine[first:last]`` are ``s``'s links)."""
    if y == s:
        return False
    if small:
        for q in range(first, last):
            if mine[q] == y:
                return False
        return True
    return linked[y] != s


@njit(cache=True)
def _adjacent(pool, start, size, a, b):
    """Whether ``a`` and ``b`` are linked (scanning the shorter adjacency)."""
    if size[a] > size[b]:
        a, b = b, a
    for q in range(start[a], start[a] + size[a]):
        if pool[q] == b:
            return True
    return False


@njit(cache=True)
def _append(pool, top, start, size, cap, a, b):
    """Append ``b`` to node ``a``'s adjacency, a growable array inside ``pool`` (moved to the
    end of the pool, with twice the room, when full). Returns the new (pool, top)."""
    if size[a] == cap[a]:
        newcap = max(2 * cap[a], 4)
        if top + newcap > pool.size:
            grown = np.empty(max(2 * pool.size, top + newcap), np.int32)
            grown[:top] = pool[:top]
            pool = grown
        pool[top:top + size[a]] = pool[start[a]:start[a] + size[a]]
        start[a] = top
        cap[a] = newcap
        top += newcap
    pool[start[a] + size[a]] = b
    size[a] += 1
    return pool, top


@njit(cache=True)
def powerlaw_cluster_edges(mt, n, m, p, cap):
    """Holme–Kim edges: ``networkx.powerlaw_cluster_graph(n, m, p, seed)``.

    Starts from ``m`` isolated nodes. Each new node draws ``m`` distinct candidates by
    preferential attachment (a Python set, popped in its slot order), links to the first,
    then for each further link closes a triangle w.p. ``p`` (to a uniform neighbour of the
    last candidate, in adjacency insertion order, not yet linked to it), else links to the
    next candidate. As in networkx, a candidate already linked by a triangle step still
    counts as a link (and enters the repeated-nodes list) but adds no edge.

    Adjacency lists are contiguous growable arrays (in insertion order, as networkx's dicts),
    so scanning a hub's neighbours reads memory in order.

    Returns
    -------
    src, dst : int32 (<= m (n - m),)
    """
    most = m * (n - m)
    src = np.empty(most, np.int32)
    dst = np.empty(most, np.int32)
    rep = np.empty(m + 2 * most, np.int32)
    for i in range(m):
        rep[i] = i
    length = m
    pool = np.empty(4 * most + 4 * n + 16, np.int32)
    top = 0
    start = np.zeros(n, np.int64)
    size = np.zeros(n, np.int64)
    room = np.zeros(n, np.int64)
    linked = np.full(n, -1, np.int32)  # linked[x] == s: edge (s, x) exists
    small = m <= 16
    table = np.empty(cap, np.int64)
    scratch = np.empty(cap, np.int64)
    picks = np.empty(m, np.int64)
    ne = 0
    for s in range(m, n):
        _random_subset(mt, rep, length, m, table, scratch, picks)
        first = ne
        popped = 1
        target = picks[0]
        x = target
        count = 0
        while count < m:
            if count > 0:
                x = -1
                if _py_random(mt) < p:
                    a0 = start[target]
                    a1 = a0 + size[target]
                    # ineligible neighbours: s itself (always linked to the target) and the
                    # other links of s that the target also links to
                    eligible = size[target] - 1
                    for q in range(first, ne):
                        if dst[q] != target and _adjacent(pool, start, size, dst[q], target):
                            eligible -= 1
                    if eligible > 0:
                        r = _py_randbelow(mt, eligible)
                        for q in range(a0, a1):
                            y = pool[q]
                            if _eligible(y, s, dst, first, ne, linked, small):
                                if r == 0:
                                    x = y
                                    break
                                r -= 1
                if x == -1:
                    target = picks[popped]
                    popped += 1
                    x = target
            if linked[x] != s:
                linked[x] = s
                src[ne] = s
                dst[ne] = x
                ne += 1
                pool, top = _append(pool, top, start, size, room, s, x)
                pool, top = _append(pool, top, start, size, room, x, s)
            rep[length] = x
            length += 1
            count += 1
        for q in range(m):
            rep[length + q] = s
        length += m
    return src[:ne].copy(), dst[:ne].copy()


# ----------------------------------------------------------------------------------------
# edge-list parsing (the fast path of sim.graphs.edgelist)


@njit(cache=True)
def _is_space(c):
    return c == 32 or c == 9 or c == 13


@njit(cache=True)
def scan_text(buf, start):
    """Check that ``buf[start:]`` is plain ASCII the fast parser understands, and find the first
    line that is not blank or a comment.

    Allowed bytes: printable ASCII, tab, ``\\n``, and ``\\r`` right before ``\\n``. Lines are
    split at ``\\n``; spaces, tabs and that ``\\r`` are whitespace.

    Returns
    -------
    ok : bool
    line_start, line_end : int64
        The first data line (without its line break); ``-1, -1`` if there is none.
    """
    size = buf.size
    for i in range(start, size):
        c = buf[i]
        if c >= 127 or (c < 32 and c != 9 and c != 10 and c != 13):
            return False, -1, -1
        if c == 13 and (i + 1 >= size or buf[i + 1] != 10):
            return False, -1, -1
    i = start
    while i < size:
        j = i
        while j < size and buf[j] != 10:
            j += 1
        q = i
        while q < j and _is_space(buf[q]):
            q += 1
        if q < j and buf[q] != 35 and buf[q] != 37:  # not '#' or '%'
            return True, i, j
        i = j + 1
    return True, -1, -1


@njit(cache=True)
def _node_token(buf, a, b):
    """A canonically written integer (``0``, ``-12``, no sign ``+``, no leading zeros, at
    most 18 digits): (True, value), else (False, 0)."""
    neg = buf[a] == 45
    if neg:
        a += 1
    nd = b - a
    if nd < 1 or nd > 18:
        return False, 0
    if buf[a] == 48 and (nd > 1 or neg):  # "0" only; no "-0" or "007"
        return False, 0
    v = np.int64(0)
    for i in range(a, b):
        d = buf[i] - 48
        if d < 0 or d > 9:
            return False, 0
        v = v * 10 + d
    return True, -v if neg else v


_POW10 = np.array([10.0 ** i for i in range(23)])


@njit(cache=True)
def _weight_token(buf, a, b):
    """Parse a decimal ``[+-]digits[.digits][(e|E)[+-]digits]`` (or ``.digits``).

    Returns (status, value): status 0 = not in this grammar (the caller falls back to the exact
    parser), 1 = parsed, exactly rounded (Clinger's fast path: mantissa < 2**53 and a power
    of ten <= 22), 2 = in the grammar but needs Python's ``float`` for exact rounding.
    """
    i = a
    neg = False
    if i < b and (buf[i] == 43 or buf[i] == 45):
        neg = buf[i] == 45
        i += 1
    mant = np.int64(0)
    digits = 0  # significant digits accumulated
    big = False
    scale = 0
    nint = 0
    while i < b and 48 <= buf[i] <= 57:
        if digits > 0 or buf[i] != 48:
            if digits < 18:
                mant = mant * 10 + (buf[i] - 48)
                digits += 1
            else:
                big = True
                scale += 1
        nint += 1
        i += 1
    nfrac = 0
    if i < b and buf[i] == 46:
        i += 1
        while i < b and 48 <= buf[i] <= 57:
            if digits > 0 or buf[i] != 48:
                if digits < 18:
                    mant = mant * 10 + (buf[i] - 48)
                    digits += 1
                    scale -= 1
                else:
                    big = True
            else:
                scale -= 1
            nfrac += 1
            i += 1
    if nint + nfrac == 0:
        return 0, 0.0
    if i < b and (buf[i] == 101 or buf[i] == 69):
        i += 1
        eneg = False
        if i < b and (buf[i] == 43 or buf[i] == 45):
            eneg = buf[i] == 45
            i += 1
        if i >= b:
            return 0, 0.0
        ex = 0
        while i < b and 48 <= buf[i] <= 57:
            if ex < 100000:
                ex = ex * 10 + (buf[i] - 48)
            i += 1
        scale += -ex if eneg else ex
    if i != b:
        return 0, 0.0
    if big or mant >= (np.int64(1) << 53) or scale > 22 or scale < -22:
        return 2, 0.0
    v = float(mant)
    if scale >= 0:
        v = v * _POW10[scale]
    else:
        v = v / _POW10[-scale]
    return 1, -v if neg else v


@njit(cache=True)
def parse_edges(buf, start, comma):
    """Parse the edge lines of ``buf[start:]`` (header already skipped) for the fast path.

    Every non-blank, non-comment line must have the same number of fields (2 or 3), node ids
    must be canonical integers and weights plain decimals; in comma mode a field may be
    wrapped in spaces and quote characters. Anything else makes ``ok`` False and the caller
    uses the exact line-by-line parser, which reports the problem.

    Returns
    -------
    ok : bool
    src, dst : int64 (edges,)
        The node ids as written.
    weights : float64 (edges,) or empty
        NaN where ``slow`` is set.
    slow : int64 (k, 2)
        Byte spans ``[a, b)`` of the weights that need Python's ``float`` for exact rounding.
    slow_edge : int64 (k,)
        The edge each of those weights belongs to.
    """
    size = buf.size
    lines = 1
    for i in range(start, size):
        if buf[i] == 10:
            lines += 1
    src = np.empty(lines, np.int64)
    dst = np.empty(lines, np.int64)
    wts = np.empty(lines, np.float64)
    slow = np.empty((0, 2), np.int64)
    slow_edge = np.empty(0, np.int64)
    slow_list = []
    fail = (False, src[:0], dst[:0], wts[:0], slow, slow_edge)
    ncols = 0
    e = 0
    starts = np.empty(3, np.int64)
    ends = np.empty(3, np.int64)
    i = start
    while i < size:
        j = i
        while j < size and buf[j] != 10:
            j += 1
        q = i
        while q < j and _is_space(buf[q]):
            q += 1
        if q == j or buf[q] == 35 or buf[q] == 37:
            i = j + 1
            continue
        nf = 0
        if comma:
            a = i
            while True:
                b = a
                while b < j and buf[b] != 44:
                    b += 1
                # field buf[a:b]: spaces, quotes, token, quotes, spaces
                x = a
                while x < b and _is_space(buf[x]):
                    x += 1
                while x < b and (buf[x] == 34 or buf[x] == 39):
                    x += 1
                y = x
                while y < b and not _is_space(buf[y]) and buf[y] != 34 and buf[y] != 39:
                    y += 1
                z = y
                while z < b and (buf[z] == 34 or buf[z] == 39):
                    z += 1
                while z < b and _is_space(buf[z]):
                    z += 1
                if z != b or y == x or nf >= 3:
                    return fail
                starts[nf] = x
                ends[nf] = y
                nf += 1
                if b >= j:
                    break
                a = b + 1
        else:
            x = q
            while x < j:
                y = x
                while y < j and not _is_space(buf[y]):
                    y += 1
                if nf >= 3:
                    return fail
                starts[nf] = x
                ends[nf] = y
                nf += 1
                x = y
                while x < j and _is_space(buf[x]):
                    x += 1
        if ncols == 0:
            if nf != 2 and nf != 3:
                return fail
            ncols = nf
        elif nf != ncols:
            return fail
        ok, u = _node_token(buf, starts[0], ends[0])
        if not ok:
            return fail
        ok, v = _node_token(buf, starts[1], ends[1])
        if not ok:
            return fail
        src[e] = u
        dst[e] = v
        if ncols == 3:
            status, w = _weight_token(buf, starts[2], ends[2])
            if status == 0:
                return fail
            if status == 2:
                slow_list.append((e, starts[2], ends[2]))
                w = np.nan
            wts[e] = w
        e += 1
        i = j + 1
    if e == 0:
        return fail
    k = len(slow_list)
    slow = np.empty((k, 2), np.int64)
    slow_edge = np.empty(k, np.int64)
    for r in range(k):
        slow_edge[r] = slow_list[r][0]
        slow[r, 0] = slow_list[r][1]
        slow[r, 1] = slow_list[r][2]
    w_out = wts[:e].copy() if ncols == 3 else wts[:0].copy()
    return True, src[:e].copy(), dst[:e].copy(), w_out, slow, slow_edge


@njit(cache=True)
def number_by_first_appearance(src, dst):
    """Number the ids ``0 .. n-1`` in order of first appearance in ``src[0], dst[0], src[1], ...``.

    Returns
    -------
    a, b : int32 (edges,)
        The node numbers of ``src`` and ``dst``.
    labels : int64 (n,)
        The id of each node number.
    """
    num = src.size
    bits = 12
    cap = 1 << bits
    keys = np.empty(cap, np.int64)
    vals = np.full(cap, -1, np.int32)
    labels = np.empty(1024, np.int64)
    count = 0
    a = np.empty(num, np.int32)
    b = np.empty(num, np.int32)
    for e in range(2 * num):
        key = src[e >> 1] if e & 1 == 0 else dst[e >> 1]
        mask = cap - 1
        i = _slot(key, 64 - bits)
        while vals[i] != -1 and keys[i] != key:
            i = (i + 1) & mask
        if vals[i] == -1:
            if count == labels.size:
                grown = np.empty(2 * labels.size, np.int64)
                grown[:count] = labels
                labels = grown
            labels[count] = key
            keys[i] = key
            vals[i] = count
            node = count
            count += 1
            if 2 * count > cap:  # keep the load below one half
                bits += 1
                cap = 1 << bits
                mask = cap - 1
                keys = np.empty(cap, np.int64)
                vals = np.full(cap, -1, np.int32)
                for r in range(count):
                    key2 = labels[r]
                    i2 = _slot(key2, 64 - bits)
                    while vals[i2] != -1:
                        i2 = (i2 + 1) & mask
                    keys[i2] = key2
                    vals[i2] = r
        else:
            node = vals[i]
        if e & 1 == 0:
            a[e >> 1] = node
        else:
            b[e >> 1] = node
    return a, b, labels[:count].copy()
