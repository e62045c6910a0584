"""Influence estimation under the independent-cascade (IC) model.

In the IC model every tie, when its source first hears the word, passes it on once with its
own probability (``edge_prob``, one value per stored CSR entry, symmetric). This module
measures how far a seed set's word of mouth travels and samples the sets the ``"greedy"`` KOL
selector of :mod:`sim.strategies.selectors` covers:

* :func:`ic_spread`: Monte Carlo expected spread, many cascades simulated at once;
* :func:`exact_ic_spread`: exact expected spread of a tiny graph, by enumerating every
  live-edge subgraph (a reference for validation);
* :func:`rr_sets`: reverse-reachable (RR) sets from uniformly random roots, the input of
  reverse-influence sampling (:class:`RRSets`).

All randomness comes from the ``rng`` passed in. The graph is undirected, so one routine
(:func:`_cascades`) spreads forward cascades and reverse-reachable sets alike. This module
knows nothing of rankings; :mod:`sim.strategies.selectors` imports from it, never the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.graphs.base import Graph

__all__ = [
    "EXACT_MAX_EDGES",
    "RRSets",
    "check_edge_prob",
    "exact_ic_spread",
    "gather_ranges",
    "ic_spread",
    "rr_sets",
]

#: cap on the dense ``visited`` map of a batch of cascades (bytes, one per sample x node)
_VISITED_CAP = 1 << 25
#: cap on the CSR entries expanded at once while spreading a cascade frontier
_EXPAND_CAP = 1 << 22
#: most undirected edges :func:`exact_ic_spread` enumerates
EXACT_MAX_EDGES = 20


# ------------------------------------------------------------------------------------------
# public API


def ic_spread(
    graph: Graph,
    seeds: np.ndarray,
    edge_prob: np.ndarray,
    rng: np.random.Generator,
    runs: int,
) -> tuple[float, float]:
    """Monte Carlo expected spread of an independent cascade from ``seeds``.

    Parameters
    ----------
    graph : Graph
    seeds : array_like of int
        Initially active nodes (duplicates count once).
    edge_prob : np.ndarray of float64, shape (nnz,)
        Per stored tie, the probability that it passes the word on.
    rng : np.random.Generator
    runs : int
        Number of simulated cascades (>= 1).

    Returns
    -------
    mean : float
        Average number of nodes activated, seeds included.
    stderr : float
        Standard error of ``mean`` (``nan`` for a single run).
    """
    if runs < 1:
        raise ValueError(f"runs must be >= 1, got {runs}")
    edge_prob = check_edge_prob(graph, edge_prob)
    seeds = _check_seeds(graph, seeds)
    if seeds.size == 0:
        return 0.0, 0.0
    sid = np.repeat(np.arange(runs, dtype=np.int64), seeds.size)
    nodes = np.tile(seeds, runs)
    owner, _ = _cascades(graph, edge_prob, sid, nodes, runs, rng)
    sizes = np.bincount(owner, minlength=runs).astype(np.float64)
    stderr = float(sizes.std(ddof=1) / np.sqrt(runs)) if runs > 1 else float("nan")
    return float(sizes.mean()), stderr


def exact_ic_spread(graph: Graph, seeds: np.ndarray, edge_prob: np.ndarray) -> float:
    """Exact expected independent-cascade spread from ``seeds``, by enumeration.

    Every undirected edge is live independently with the probability of its ``(u < v)``
    entry in ``edge_prob``; the spread of a live-edge subgraph is the number of nodes
    connected to a seed. All ``2**m`` subgraphs are enumerated.

    Parameters
    ----------
    graph : Graph
        At most :data:`EXACT_MAX_EDGES` (20) undirected edges.
    seeds : array_like of int
    edge_prob : np.ndarray of float64, shape (nnz,)

    Returns
    -------
    float
        Expected number of activated nodes, seeds included.
    """
    if graph.num_edges > EXACT_MAX_EDGES:
        raise ValueError(
            f"exact_ic_spread enumerates 2**edges subgraphs; the graph has {graph.num_edges} "
            f"edges, more than {EXACT_MAX_EDGES}"
        )
    edge_prob = check_edge_prob(graph, edge_prob)
    seeds = _check_seeds(graph, seeds)
    rows = graph.rows()
    upper = graph.indices > rows
    u, v, p = rows[upper], graph.indices[upper], edge_prob[upper]
    # isolated seeds count 1 each; relabel the nodes with ties 0..k-1 (k <= 40) as uint64 bits
    isolated = graph.degree[seeds] == 0
    touched = np.unique(np.concatenate([u, v]))
    local = np.full(graph.n, -1, dtype=np.int64)
    local[touched] = np.arange(touched.size)
    seed_bits = np.uint64(0)
    for s in local[seeds[~isolated]].tolist():
        seed_bits |= np.uint64(1) << np.uint64(s)
    expected = _enumerate_live_edges(local[u], local[v], p, seed_bits)
    return float(np.count_nonzero(isolated)) + expected


# ------------------------------------------------------------------------------------------
# input checks


def check_edge_prob(graph: Graph, edge_prob: np.ndarray) -> np.ndarray:
    """``edge_prob`` as float64 of shape (nnz,) with values in [0, 1].

    Parameters
    ----------
    graph : Graph
    edge_prob : array_like of float
        Per stored tie (aligned with ``graph.indices``), the probability that it passes the
        word on.

    Returns
    -------
    np.ndarray of float64, shape (nnz,)

    Raises
    ------
    ValueError
        Wrong shape, or a value outside [0, 1].
    """
    p = np.asarray(edge_prob, dtype=np.float64)
    if p.shape != (graph.nnz,):
        raise ValueError(f"edge_prob must have shape ({graph.nnz},), got {p.shape}")
    if p.size and not (p.min() >= 0.0 and p.max() <= 1.0):
        raise ValueError("edge_prob values must lie in [0, 1]")
    return p


def _check_seeds(graph: Graph, seeds: np.ndarray) -> np.ndarray:
    """Distinct seed ids as int64, checked to lie in ``0 .. n-1``."""
    seeds = np.unique(np.asarray(seeds, dtype=np.int64).ravel())
    if seeds.size and (seeds[0] < 0 or seeds[-1] >= graph.n):
        raise ValueError(f"seed ids must lie in 0 .. {graph.n - 1}")
    return seeds


# ------------------------------------------------------------------------------------------
# cascades and reverse-influence sampling


def gather_ranges(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``ptr[r] .. ptr[r + 1] - 1`` for every ``r`` in ``rows``, concatenated.

    Parameters
    ----------
    ptr : np.ndarray of int64
        CSR offsets (``indptr``-like, non-decreasing).
    rows : np.ndarray of int64
        Rows whose ranges are gathered, in output order.

    Returns
    -------
    positions : np.ndarray of int64
    lengths : np.ndarray of int64, shape (len(rows),)
        Number of positions contributed by each row.
    """
    starts = ptr[rows]
    lengths = ptr[rows + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), lengths
    offsets = np.cumsum(lengths) - lengths
    positions = np.arange(total, dtype=np.int64) + np.repeat(starts - offsets, lengths)
    return positions, lengths


def _pieces(frontier: np.ndarray, cost: np.ndarray) -> list[np.ndarray]:
    """Split ``frontier`` into consecutive pieces each costing about ``_EXPAND_CAP`` or less."""
    total = int(cost.sum())
    if total <= _EXPAND_CAP:
        return [frontier]
    cum = np.cumsum(cost)
    cuts = np.searchsorted(cum, np.arange(_EXPAND_CAP, total, _EXPAND_CAP), side="right")
    cuts = np.unique(np.clip(cuts, 1, frontier.size - 1))
    return np.split(frontier, cuts)


def _cascades(
    graph: Graph,
    edge_prob: np.ndarray,
    start_sample: np.ndarray,
    start_node: np.ndarray,
    n_samples: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Run ``n_samples`` independent cascades at once; return every (sample, node) reached.

    Cascade ``s`` starts from the nodes ``start_node[start_sample == s]``. Every stored tie
    is tried (live with its ``edge_prob``) at most once per cascade, when its source is
    reached. The graph is undirected, so the same routine gives forward cascades and
    reverse-reachable sets. Samples are processed in batches sharing one dense ``visited``
    map, so memory stays bounded by ``_VISITED_CAP`` plus the output.

    Returns
    -------
    sample, node : np.ndarray of int64, of equal length
        Sorted by sample, then node.
    """
    n = graph.n
    batch = max(1, min(n_samples, _VISITED_CAP // max(n, 1)))
    order = np.argsort(start_sample, kind="stable")
    start_sample, start_node = start_sample[order], start_node[order]
    visited = np.zeros(batch * n, dtype=bool)
    out_sample, out_node = [], []
    for b0 in range(0, n_samples, batch):
        lo, hi = np.searchsorted(start_sample, [b0, b0 + batch])
        keys = np.unique((start_sample[lo:hi] - b0) * n + start_node[lo:hi])
        reached = np.sort(_spread_batch(graph, edge_prob, keys, visited, rng))
        visited[reached] = False
        out_sample.append(reached // n + b0)
        out_node.append(reached % n)
    return np.concatenate(out_sample), np.concatenate(out_node)


def _spread_batch(
    graph: Graph,
    edge_prob: np.ndarray,
    keys: np.ndarray,
    visited: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Spread one batch of cascades from ``keys`` (``sample * n + node``); return all reached.

    ``visited`` must be all False on entry; it is left True at the returned keys.
    """
    n = graph.n
    degree = graph.degree
    visited[keys] = True
    found = [keys]
    frontier = keys
    while frontier.size:
        nxt = []
        for piece in _pieces(frontier, degree[frontier % n]):
            nodes = piece % n
            entries, lengths = gather_ranges(graph.indptr, nodes)
            live = rng.random(entries.size) < edge_prob[entries]
            base = np.repeat(piece - nodes, lengths)[live]
            targets = base + graph.indices[entries[live]]
            targets = np.unique(targets[~visited[targets]])
            visited[targets] = True
            nxt.append(targets)
        frontier = np.concatenate(nxt)
        found.append(frontier)
    return np.concatenate(found)


@dataclass(frozen=True)
class RRSets:
    """Reverse-reachable sets in both directions, as CSR arrays.

    Attributes
    ----------
    set_ptr : np.ndarray of int64, shape (samples + 1,)
        Offsets into ``set_nodes``.
    set_nodes : np.ndarray of int64
        Members of each set, grouped by set (sorted within a set).
    node_ptr : np.ndarray of int64, shape (n + 1,)
        Offsets into ``node_sets``.
    node_sets : np.ndarray of int64
        Sets containing each node, grouped by node.
    """

    set_ptr: np.ndarray
    set_nodes: np.ndarray
    node_ptr: np.ndarray
    node_sets: np.ndarray


def rr_sets(graph: Graph, edge_prob: np.ndarray, samples: int,
            rng: np.random.Generator) -> RRSets:
    """Draw ``samples`` reverse-reachable sets from uniformly random roots.

    The reverse-reachable set of a root is every node whose cascade would reach it: on an
    undirected graph, the nodes reached by one cascade from the root.

    Parameters
    ----------
    graph : Graph
    edge_prob : np.ndarray of float64, shape (nnz,)
        Per stored tie, the probability that it passes the word on (already checked, e.g. by
        :func:`check_edge_prob`).
    samples : int
        Number of sets (>= 1).
    rng : np.random.Generator
        Draws the roots, then the live ties.

    Returns
    -------
    RRSets
    """
    n = graph.n
    roots = rng.integers(n, size=samples)
    sample, node = _cascades(graph, edge_prob, np.arange(samples, dtype=np.int64), roots,
                             samples, rng)
    set_ptr = np.zeros(samples + 1, dtype=np.int64)
    np.cumsum(np.bincount(sample, minlength=samples), out=set_ptr[1:])
    by_node = np.argsort(node, kind="stable")
    node_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(node, minlength=n), out=node_ptr[1:])
    return RRSets(set_ptr=set_ptr, set_nodes=node, node_ptr=node_ptr,
                  node_sets=sample[by_node])


# ------------------------------------------------------------------------------------------
# exact spread


def _enumerate_live_edges(u: np.ndarray, v: np.ndarray, p: np.ndarray,
                          seed_bits: np.uint64) -> float:
    """Expected number of nodes reached from ``seed_bits`` over all live-edge subgraphs.

    Nodes are bits of a uint64 (at most 64 of them); subgraph ``s`` has edge ``e`` live iff
    bit ``e`` of ``s`` is set.
    """
    m = u.size
    if seed_bits == 0:
        return 0.0
    subsets = np.arange(1 << m, dtype=np.uint64)
    weight = np.ones(subsets.size)
    live = []
    for e in range(m):
        bit = ((subsets >> np.uint64(e)) & np.uint64(1)).astype(bool)
        weight *= np.where(bit, p[e], 1.0 - p[e])
        live.append(bit)
    reach = np.full(subsets.size, seed_bits, dtype=np.uint64)
    one = np.uint64(1)
    while True:
        before = reach.copy()
        for e in range(m):
            bu, bv = np.uint64(u[e]), np.uint64(v[e])
            hit = live[e] & (((reach >> bu) & one).astype(bool)
                             | ((reach >> bv) & one).astype(bool))
            reach[hit] |= (one << bu) | (one << bv)
        if np.array_equal(reach, before):
            break
    return float(np.sum(weight * np.bitwise_count(reach)))
