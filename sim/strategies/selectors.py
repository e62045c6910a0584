"""Ranking consumers to seed as key opinion leaders (KOLs).

:func:`rank` orders consumers best first by one of the :data:`SELECTORS`: structural scores
(degree, PageRank, betweenness, k-core), controls (random order, lowest degree first) and
influence maximisation under the independent-cascade (IC) model by reverse-influence sampling
(``"greedy"``): the reverse-reachable sets come from :mod:`sim.strategies.influence`, and
this module picks the consumers that cover most of them.

Influence estimation (how far a seed set's word of mouth travels) lives in
:mod:`sim.strategies.influence`; :func:`ic_spread` and :func:`exact_ic_spread` are re-exported
here so existing ``from sim.strategies.selectors import ...`` lines keep working.

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
from sim.strategies.influence import (
    RRSets,
    check_edge_prob,
    exact_ic_spread,
    gather_ranges,
    ic_spread,
    rr_sets,
)

__all__ = [
    "EXACT_BETWEENNESS_MAX_N",
    "SELECTORS",
    "brandes_from_sources",
    "pagerank",
    "rank",
    # re-exported from sim.strategies.influence, for existing importers
    "exact_ic_spread",
    "ic_spread",
]

#: names accepted by :func:`rank`
SELECTORS: tuple[str, ...] = (
    "random", "degree", "pagerank", "betweenness", "kcore", "fringe", "greedy",
)

#: graphs up to this size get exact betweenness; larger ones are sampled
EXACT_BETWEENNESS_MAX_N = 2000
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
        edge_prob = check_edge_prob(graph, edge_prob)
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
    rr = rr_sets(ctx.graph, ctx.edge_prob, ctx.samples, ctx.rng)
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
# greedy maximum coverage of reverse-reachable sets


def _greedy_cover(rr: RRSets, ctx: _Context) -> np.ndarray:
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
        members, _ = gather_ranges(rr.set_ptr, sets)
        _decrement(counts, position[rr.set_nodes[members]], n)
    return np.array(picked, dtype=np.int64)


def _decrement(counts: np.ndarray, where: np.ndarray, n: int) -> None:
    """``counts[i] -= (number of times i occurs in where)``, in place."""
    if where.size > n // 8:
        counts -= np.bincount(where, minlength=n)
    else:
        np.subtract.at(counts, where, 1)


_RANKERS: dict[str, Callable[[_Context], np.ndarray]] = {
    "random": _rank_random,
    "degree": _rank_degree,
    "pagerank": _rank_pagerank,
    "betweenness": _rank_betweenness,
    "kcore": _rank_kcore,
    "fringe": _rank_fringe,
    "greedy": _rank_greedy,
}
