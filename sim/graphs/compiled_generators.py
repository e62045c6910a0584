"""Compiled (numba) replays of networkx's random graph generators.

:func:`ba_csr` (``barabasi_albert_graph``), :func:`ws_edges` (``watts_strogatz_graph``) and
:func:`powerlaw_cluster_edges` (``powerlaw_cluster_graph``) run networkx's algorithms step by
step, at compiled speed; the builders of :mod:`sim.graphs.generators` call them.

Randomness
----------
No kernel reads or seeds global random state. Each takes the state of a ``random.Random(seed)``
(:func:`sim.graphs.pyrandom.py_random_state` of a seed the caller drew from the run's numpy
Generator, as it did for networkx) and draws from it with Python's own MT19937, ``random()``
and ``_randbelow``, keeping networkx's candidate sets in CPython's set order
(:mod:`sim.graphs.pyrandom`). The result is the very graph networkx would build for that seed.

Memory
------
Node ids are int32 and row pointers int64; scratch arrays are sized for the output (a BA graph
with ``n = 10**7, m = 5`` peaks at about 1.5 GB, its CSR and tie strengths included).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.graphs.csr_build import _cumsum_ptr, _sort_segment
from sim.graphs.int_hash import _hash_add, _hash_has, _hash_remove
from sim.graphs.pyrandom import _py_randbelow, _py_random, _random_subset

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
# Watts–Strogatz (the edges in a hash set, sim.graphs.int_hash)


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
