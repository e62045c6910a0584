"""Ranking consumers to seed as key opinion leaders (KOLs).

:func:`rank` orders consumers best first by one of the :data:`SELECTORS`: structural scores
(degree, PageRank, betweenness, k-core), controls (random order, lowest degree first) and
influence maximisation under the independent-cascade (IC) model by reverse-influence sampling
(``"greedy"``). :func:`ic_spread` and :func:`exact_ic_spread` measure how far a seed set's word
of mouth travels under that model.

Every selector is deterministic given the ``rng`` it is handed: ties in scores are broken by a
random permutation drawn once at the start of :func:`rank`, and networkx calls get integer seeds
drawn from ``rng``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx
import numba
import numpy as np

from sim.graphs.base import Graph

#: names accepted by :func:`rank`
SELECTORS: tuple[str, ...] = (
    "random", "degree", "pagerank", "betweenness", "kcore", "fringe", "greedy",
)

#: graphs up to this size get exact betweenness; larger ones are sampled
EXACT_BETWEENNESS_MAX_N = 2000
#: cap on the dense ``visited`` map of a batch of cascades (bytes, one per sample x node)
_VISITED_CAP = 1 << 25
#: cap on the CSR entries expanded at once while spreading a cascade frontier
_EXPAND_CAP = 1 << 22
#: most undirected edges :func:`exact_ic_spread` enumerates
EXACT_MAX_EDGES = 20
#: significant digits kept of floating-point scores, so rounding noise does not break ties
_SCORE_DIGITS = 10


# ------------------------------------------------------------------------------------------
# public API


def rank(
    graph: Graph,
    selector: str,
    rng: np.random.Generator,
    *,
    limit: int,
    candidates: np.ndarray | None = None,
    edge_prob: np.ndarray | None = None,
    samples: int = 10_000,
    betweenness_samples: int = 500,
) -> np.ndarray:
    """Consumers ordered best first for ``selector``, at most ``limit`` of them.

    Parameters
    ----------
    graph : Graph
        The social network.
    selector : str
        One of :data:`SELECTORS`: ``"random"`` (random order), ``"degree"`` (highest degree
        first), ``"pagerank"`` (weighted PageRank), ``"betweenness"`` (unweighted; exact up to
        2000 nodes, else estimated from ``betweenness_samples`` sources), ``"kcore"`` (core
        number, ties by degree), ``"fringe"`` (lowest degree first, a control) or ``"greedy"``
        (influence maximisation by reverse-influence sampling under the IC model).
    rng : np.random.Generator
        Source of all randomness (tie-breaks, sampling, networkx seeds).
    limit : int
        Most consumers returned; clipped to the number of candidates.
    candidates : np.ndarray of bool, shape (n,), optional
        Eligible consumers; the others are never returned. Default: everyone.
    edge_prob : np.ndarray of float64, shape (nnz,), optional
        For ``"greedy"`` (required there): probability that each stored tie (aligned with
        ``graph.indices``, symmetric) passes the word on.
    samples : int
        Number of reverse-reachable sets drawn by ``"greedy"``.
    betweenness_samples : int
        Sampled sources for approximate betweenness on graphs above 2000 nodes.

    Returns
    -------
    np.ndarray of int64, shape (min(limit, #candidates),)
        Distinct node ids, best first.

    Raises
    ------
    ValueError
        Unknown selector, negative limit, badly shaped inputs, or ``"greedy"`` without
        ``edge_prob``.

    Notes
    -----
    ``"greedy"`` costs time and memory in proportion to ``samples`` times the mean size of a
    reverse-reachable set: milliseconds on a 100k-node BA graph with ``edge_prob`` 0.05, but
    when the cascade is supercritical (sets span a sizeable part of the graph) it grows to
    ``samples x n``.
    """
    if selector not in _RANKERS:
        raise ValueError(f"unknown selector {selector!r}; expected one of {SELECTORS}")
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    n = graph.n
    mask = _candidate_mask(n, candidates)
    if selector == "greedy":
        if edge_prob is None:
            raise ValueError("selector 'greedy' needs edge_prob")
        edge_prob = _check_edge_prob(graph, edge_prob)
        if samples < 1:
            raise ValueError(f"samples must be >= 1, got {samples}")
    perm = rng.permutation(n)
    tiebreak = np.empty(n, dtype=np.int64)
    tiebreak[perm] = np.arange(n)
    ctx = _Context(graph=graph, rng=rng, mask=mask, perm=perm, tiebreak=tiebreak,
                   limit=min(int(limit), int(mask.sum())), edge_prob=edge_prob,
                   samples=int(samples), betweenness_samples=int(betweenness_samples))
    if ctx.limit == 0:
        return np.zeros(0, dtype=np.int64)
    order = _RANKERS[selector](ctx)
    return np.asarray(order[:ctx.limit], dtype=np.int64)


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
    edge_prob = _check_edge_prob(graph, edge_prob)
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
    edge_prob = _check_edge_prob(graph, edge_prob)
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


@dataclass(frozen=True)
class _Context:
    """Everything a ranker needs (built once by :func:`rank`)."""

    graph: Graph
    rng: np.random.Generator
    mask: np.ndarray          # bool (n,), eligible nodes
    perm: np.ndarray          # tie-break permutation: perm[0] wins ties
    tiebreak: np.ndarray      # position of each node in perm
    limit: int                # already clipped to the number of candidates
    edge_prob: np.ndarray | None
    samples: int
    betweenness_samples: int


def _candidate_mask(n: int, candidates: np.ndarray | None) -> np.ndarray:
    """``candidates`` as a bool mask of shape (n,) (all True when None)."""
    if candidates is None:
        return np.ones(n, dtype=bool)
    mask = np.asarray(candidates)
    if mask.dtype != bool or mask.shape != (n,):
        raise ValueError(
            f"candidates must be a bool mask of shape ({n},), got {mask.dtype} {mask.shape}"
        )
    return mask


def _check_edge_prob(graph: Graph, edge_prob: np.ndarray) -> np.ndarray:
    """``edge_prob`` as float64 of shape (nnz,) with values in [0, 1]."""
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
# score-based rankers


def _order_by(ctx: _Context, *keys: np.ndarray) -> np.ndarray:
    """Candidates sorted ascending by ``keys`` (first key primary), ties by the permutation."""
    nodes = np.flatnonzero(ctx.mask)
    tiebreak = ctx.tiebreak[nodes]
    if len(keys) == 1 and np.asarray(keys[0]).dtype.kind in "iu":
        # one integer key (degree): a single sort of key * n + tiebreak, as lexsort but faster
        key = np.asarray(keys[0])[nodes].astype(np.int64)
        n = np.int64(ctx.tiebreak.size)
        if nodes.size == 0 or int(np.abs(key).max()) < 2**62 // max(int(n), 1):
            return nodes[np.argsort(key * n + tiebreak, kind="stable")]
    sort_keys = [tiebreak] + [np.asarray(k)[nodes] for k in reversed(keys)]
    return nodes[np.lexsort(sort_keys)]


def _quantize(score: np.ndarray) -> np.ndarray:
    """Scores rounded to a fixed number of significant digits (relative to the largest)."""
    score = np.asarray(score, dtype=np.float64)
    top = float(np.abs(score).max()) if score.size else 0.0
    if top == 0.0:
        return score
    return np.round(score / top, _SCORE_DIGITS)


def _rank_random(ctx: _Context) -> np.ndarray:
    """Candidates in the order of the tie-break permutation."""
    return ctx.perm[ctx.mask[ctx.perm]]


def _rank_degree(ctx: _Context) -> np.ndarray:
    """Highest degree first."""
    return _order_by(ctx, -ctx.graph.degree)


def _rank_fringe(ctx: _Context) -> np.ndarray:
    """Lowest degree first (a control)."""
    return _order_by(ctx, ctx.graph.degree)


def _rank_pagerank(ctx: _Context) -> np.ndarray:
    """Highest weighted PageRank first."""
    return _order_by(ctx, -_quantize(pagerank(ctx.graph)))


def _rank_betweenness(ctx: _Context) -> np.ndarray:
    """Highest (unweighted) betweenness centrality first."""
    return _order_by(ctx, -_quantize(_betweenness(ctx)))


def _rank_kcore(ctx: _Context) -> np.ndarray:
    """Highest core number first, ties by degree then the permutation."""
    g = ctx.graph.to_networkx()
    core = nx.core_number(g)
    cores = np.fromiter((core[i] for i in range(ctx.graph.n)), dtype=np.int64,
                        count=ctx.graph.n)
    return _order_by(ctx, -cores, -ctx.graph.degree)


def _rank_greedy(ctx: _Context) -> np.ndarray:
    """Greedy maximum coverage of reverse-reachable sets, then the rest by degree."""
    assert ctx.edge_prob is not None
    rr = _rr_sets(ctx.graph, ctx.edge_prob, ctx.samples, ctx.rng)
    picked = _greedy_cover(rr, ctx)
    if picked.size >= ctx.limit:
        return picked
    rest = _rank_degree(ctx)
    rest = rest[~np.isin(rest, picked)]
    return np.concatenate([picked, rest])


def pagerank(graph: Graph, alpha: float = 0.85, tol: float = 1e-12,
             max_iter: int = 1000) -> np.ndarray:
    """Weighted PageRank by power iteration on the sparse adjacency matrix.

    A walker at ``j`` follows tie ``(j, i)`` with probability proportional to its strength;
    isolated nodes jump uniformly. Matches ``networkx.pagerank(G, weight="weight")``.

    Parameters
    ----------
    graph : Graph
    alpha : float
        Damping factor.
    tol : float
        Stop when the L1 change of the score vector falls below this.
    max_iter : int
        Most iterations.

    Returns
    -------
    np.ndarray of float64, shape (n,)
        Scores summing to 1.
    """
    n = graph.n
    if n == 0:
        return np.zeros(0)
    adj = graph.to_scipy()
    strength = np.asarray(adj.sum(axis=1)).ravel()
    dangling = strength == 0
    inv = np.divide(1.0, strength, out=np.zeros(n), where=~dangling)
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        new = alpha * (adj @ (x * inv)) + (alpha * x[dangling].sum() + 1.0 - alpha) / n
        done = np.abs(new - x).sum() < tol
        x = new
        if done:
            break
    return x / x.sum()


def _betweenness(ctx: _Context) -> np.ndarray:
    """Unweighted betweenness by Brandes' accumulation (compiled, :func:`brandes_from_sources`):
    exact (every node a source) on small graphs, else from ``betweenness_samples`` sources drawn
    from the selector's stream."""
    n = ctx.graph.n
    if n <= EXACT_BETWEENNESS_MAX_N or ctx.betweenness_samples >= n:
        sources = np.arange(n, dtype=np.int64)
    else:
        sources = ctx.rng.choice(n, size=ctx.betweenness_samples, replace=False).astype(np.int64)
    return brandes_from_sources(ctx.graph.indptr, ctx.graph.indices, sources)


@numba.njit(cache=True, nogil=True)
def brandes_from_sources(indptr: np.ndarray, indices: np.ndarray,
                         sources: np.ndarray) -> np.ndarray:
    """Unnormalised betweenness accumulated from the given BFS sources (Brandes 2001).

    With every node as a source this is twice networkx's unnormalised undirected betweenness;
    with a sample of sources it is an unbiased estimate up to a constant factor, which does not
    change the ranking. Cost: one BFS per source, O(len(sources) * (n + nnz)).

    Returns
    -------
    float64 array, shape (n,)
    """
    n = indptr.size - 1
    bc = np.zeros(n)
    dist = np.full(n, -1, dtype=np.int64)
    sigma = np.zeros(n)
    delta = np.zeros(n)
    order = np.empty(n, dtype=np.int64)
    for s in sources:
        dist[s] = 0
        sigma[s] = 1.0
        order[0] = s
        head, tail = 0, 1
        while head < tail:
            v = order[head]
            head += 1
            for k in range(indptr[v], indptr[v + 1]):
                w = indices[k]
                if dist[w] < 0:
                    dist[w] = dist[v] + 1
                    order[tail] = w
                    tail += 1
                if dist[w] == dist[v] + 1:
                    sigma[w] += sigma[v]
        for idx in range(tail - 1, -1, -1):
            w = order[idx]
            for k in range(indptr[w], indptr[w + 1]):
                v = indices[k]
                if dist[v] == dist[w] - 1:
                    delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w])
            if w != s:
                bc[w] += delta[w]
        for idx in range(tail):
            w = order[idx]
            dist[w] = -1
            sigma[w] = 0.0
            delta[w] = 0.0
    return bc


# ------------------------------------------------------------------------------------------
# cascades and reverse-influence sampling


def _gather_ranges(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``ptr[r] .. ptr[r + 1] - 1`` for every ``r`` in ``rows``, concatenated.

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
            entries, lengths = _gather_ranges(graph.indptr, nodes)
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
class _RRSets:
    """Reverse-reachable sets in both directions, as CSR arrays."""

    set_ptr: np.ndarray       # (samples + 1,) offsets into set_nodes
    set_nodes: np.ndarray     # members of each set, grouped by set
    node_ptr: np.ndarray      # (n + 1,) offsets into node_sets
    node_sets: np.ndarray     # sets containing each node, grouped by node


def _rr_sets(graph: Graph, edge_prob: np.ndarray, samples: int,
             rng: np.random.Generator) -> _RRSets:
    """Draw ``samples`` reverse-reachable sets from uniformly random roots."""
    n = graph.n
    roots = rng.integers(n, size=samples)
    sample, node = _cascades(graph, edge_prob, np.arange(samples, dtype=np.int64), roots,
                             samples, rng)
    set_ptr = np.zeros(samples + 1, dtype=np.int64)
    np.cumsum(np.bincount(sample, minlength=samples), out=set_ptr[1:])
    by_node = np.argsort(node, kind="stable")
    node_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(node, minlength=n), out=node_ptr[1:])
    return _RRSets(set_ptr=set_ptr, set_nodes=node, node_ptr=node_ptr,
                   node_sets=sample[by_node])


def _greedy_cover(rr: _RRSets, ctx: _Context) -> np.ndarray:
    """Greedy maximum coverage: candidates covering the most uncovered sets, while gains > 0.

    Coverage counts are kept in tie-break-permutation order, so ``argmax`` (first maximum)
    breaks ties by the permutation; covering a set decrements the count of all its members.
    """
    n = ctx.graph.n
    done = np.iinfo(np.int64).min // 2     # sentinel for picked and ineligible nodes
    position = ctx.tiebreak
    counts = np.diff(rr.node_ptr)[ctx.perm]
    counts[~ctx.mask[ctx.perm]] = done
    covered = np.zeros(rr.set_ptr.size - 1, dtype=bool)
    picked: list[int] = []
    while len(picked) < ctx.limit:
        best = int(np.argmax(counts))
        if counts[best] <= 0:
            break
        node = int(ctx.perm[best])
        picked.append(node)
        counts[best] = done
        sets = rr.node_sets[rr.node_ptr[node]:rr.node_ptr[node + 1]]
        sets = sets[~covered[sets]]
        covered[sets] = True
        members, _ = _gather_ranges(rr.set_ptr, sets)
        _decrement(counts, position[rr.set_nodes[members]], n)
    return np.array(picked, dtype=np.int64)


def _decrement(counts: np.ndarray, where: np.ndarray, n: int) -> None:
    """``counts[i] -= (number of times i occurs in where)``, in place."""
    if where.size > n // 8:
        counts -= np.bincount(where, minlength=n)
    else:
        np.subtract.at(counts, where, 1)


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


_RANKERS: dict[str, Callable[[_Context], np.ndarray]] = {
    "random": _rank_random,
    "degree": _rank_degree,
    "pagerank": _rank_pagerank,
    "betweenness": _rank_betweenness,
    "kcore": _rank_kcore,
    "fringe": _rank_fringe,
    "greedy": _rank_greedy,
}
