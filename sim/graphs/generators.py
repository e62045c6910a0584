"""Graph builders, one per ``graph.kind``, and tie-strength assignment.

Every builder has the signature ``build_<kind>(cfg, rng) -> Graph`` and draws all its randomness
from ``rng``, so one seed gives one graph. :func:`build_graph` dispatches on ``cfg.kind`` and then
draws strong and weak ties.

``ba``, ``ws`` and ``powerlaw_cluster`` replay networkx's generators in compiled code
(:mod:`sim.graphs.compiled_generators`): they draw one seed from ``rng`` as networkx was given,
and build exactly the graph networkx would build from it, about a hundred times faster. ``er``,
``sbm`` and ``complete`` sample in numpy. networkx is only called for the degenerate ``ws`` case
``k >= n``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from sim.errors import ConfigError
from sim.graphs.base import Graph
from sim.graphs.compiled_generators import ba_csr, powerlaw_cluster_edges, ws_edges
from sim.graphs.csr_build import tie_strength_codes
from sim.graphs.edgelist import load_edgelist
from sim.graphs.pyrandom import py_random_state, pyset_capacity

Builder = Callable[[Any, np.random.Generator], Graph]


def _nx_seed(rng: np.random.Generator) -> int:
    """A seed for a networkx generator, drawn from ``rng``."""
    return int(rng.integers(2**63 - 1))


# ----------------------------------------------------------------------------------------
# sampling node pairs (shared by er and sbm)


def _sample_pair_indices(num_pairs: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Each of ``num_pairs`` candidate pairs independently with probability ``p``.

    Draws the number of successes from Binomial(num_pairs, p), then that many distinct
    indices uniformly, which is the same distribution as independent coin flips.

    Returns
    -------
    np.ndarray of int64, shape (k,)
        Chosen indices in ``0 .. num_pairs-1`` (unordered).
    """
    p = float(np.clip(p, 0.0, 1.0))
    if num_pairs <= 0 or p == 0.0:
        return np.empty(0, dtype=np.int64)
    if p == 1.0:
        return np.arange(num_pairs, dtype=np.int64)
    k = int(rng.binomial(num_pairs, p))
    return rng.choice(num_pairs, size=k, replace=False, shuffle=False).astype(np.int64)


def _unrank_pairs(k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pair ``(i, j)`` with ``j < i`` of each index in the order ``k = i(i-1)/2 + j``.

    Parameters
    ----------
    k : np.ndarray of int64, shape (m,)

    Returns
    -------
    i, j : np.ndarray of int64, shape (m,)
    """
    k = np.asarray(k, dtype=np.int64)
    i = np.floor((1.0 + np.sqrt(1.0 + 8.0 * k)) / 2.0).astype(np.int64)
    # Correct the float estimate by at most one step either way.
    i -= (i * (i - 1) // 2) > k
    i += ((i + 1) * i // 2) <= k
    j = k - i * (i - 1) // 2
    return i, j


# ----------------------------------------------------------------------------------------
# builders


def build_ba(cfg: Any, rng: np.random.Generator) -> Graph:
    """Barabási–Albert graph with ``cfg.n`` nodes, each new node attaching to ``cfg.m``.

    networkx's model (:func:`networkx.barabasi_albert_graph`): a star on ``m + 1`` nodes, then
    each new node links to ``m`` distinct existing nodes chosen with probability proportional
    to their degree, so there are ``m (n - m)`` edges. Compiled
    (:func:`~sim.graphs.compiled_generators.ba_csr`); the same graph networkx builds from the
    seed drawn from ``rng``.
    """
    n, m = int(cfg.n), int(cfg.m)
    if m < 1 or m >= n:
        raise nx.NetworkXError(
            f"Barabási–Albert network must have m >= 1 and m < n, m = {m}, n = {n}"
        )
    mt = py_random_state(_nx_seed(rng))
    indptr, indices = ba_csr(mt, n, m, pyset_capacity(m))
    return Graph(indptr=indptr, indices=indices, ties=np.zeros(indices.size, np.uint8),
                 levels=np.ones(1, np.float32), name=f"ba(n={n}, m={m})")


def build_ws(cfg: Any, rng: np.random.Generator) -> Graph:
    """Watts–Strogatz small world: ring lattice of ``cfg.k`` neighbours rewired w.p. ``cfg.p``.

    Each node is joined to its ``k // 2`` nearest neighbours on each side, so an odd ``k``
    gives degree ``k - 1`` (networkx's convention). networkx's algorithm, compiled
    (:func:`~sim.graphs.compiled_generators.ws_edges`): the same graph networkx builds from the
    seed drawn from ``rng``.
    """
    n, k, p = int(cfg.n), int(cfg.k), float(cfg.p)
    name = f"ws(n={n}, k={k}, p={p:g})"
    if k >= n:  # networkx: complete graph if k == n, error if k > n
        return Graph.from_networkx(nx.watts_strogatz_graph(n, k, p, seed=_nx_seed(rng)),
                                   name=name)
    src, dst = ws_edges(py_random_state(_nx_seed(rng)), n, k, p)
    return Graph.from_edges(n, src, dst, name=name)


def build_er(cfg: Any, rng: np.random.Generator) -> Graph:
    """Erdős–Rényi G(n, p) with ``p = mean_degree / (n - 1)`` (sampled in numpy)."""
    n, d = int(cfg.n), float(cfg.mean_degree)
    p = d / (n - 1) if n > 1 else 0.0
    i, j = _unrank_pairs(_sample_pair_indices(n * (n - 1) // 2, p, rng))
    return Graph.from_edges(n, i, j, name=f"er(n={n}, mean_degree={d:g})")


def sbm_blocks(n: int, communities: int) -> np.ndarray:
    """Community of each node in the SBM: contiguous blocks whose sizes differ by at most 1.

    Returns
    -------
    np.ndarray of int64, shape (n,)
        Block id of node ``i``; the first ``n % communities`` blocks have one extra node.
    """
    sizes = _block_sizes(n, communities)
    return np.repeat(np.arange(communities, dtype=np.int64), sizes)


def _block_sizes(n: int, communities: int) -> np.ndarray:
    base, extra = divmod(n, communities)
    return base + (np.arange(communities) < extra).astype(np.int64)


def sbm_probabilities(n: int, communities: int, mean_degree: float,
                      homophily: float) -> tuple[float, float]:
    """Within- and between-block edge probabilities of the SBM.

    Chosen so that the expected number of edges is ``n * mean_degree / 2`` and the expected
    share of them inside a block is ``homophily``; then clipped to [0, 1] (a clipped value
    means the requested mean degree or homophily is not reachable).

    Returns
    -------
    p_in, p_out : float
    """
    sizes = _block_sizes(n, communities)
    pairs_in = float(np.sum(sizes * (sizes - 1) // 2))
    pairs_out = n * (n - 1) / 2 - pairs_in
    edges = n * mean_degree / 2
    if pairs_out == 0:  # one block: every pair is inside it
        return min(edges / pairs_in, 1.0), 0.0
    if pairs_in == 0:  # blocks of one node: every pair is between blocks
        return 0.0, min(edges / pairs_out, 1.0)
    p_in = homophily * edges / pairs_in
    p_out = (1.0 - homophily) * edges / pairs_out
    return float(np.clip(p_in, 0, 1)), float(np.clip(p_out, 0, 1))


def build_sbm(cfg: Any, rng: np.random.Generator) -> Graph:
    """Stochastic block model with equal communities (see :func:`sbm_probabilities`)."""
    n, c = int(cfg.n), int(cfg.communities)
    d, h = float(cfg.mean_degree), float(cfg.homophily)
    p_in, p_out = sbm_probabilities(n, c, d, h)
    sizes = _block_sizes(n, c)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    src, dst = [], []
    # Within blocks: the blocks of one size together, as one range of pair indices.
    for size in np.unique(sizes):
        per_block = int(size) * (int(size) - 1) // 2
        if per_block == 0:
            continue
        block_starts = starts[sizes == size]
        k = _sample_pair_indices(block_starts.size * per_block, p_in, rng)
        i, j = _unrank_pairs(k % per_block)
        offset = block_starts[k // per_block]
        src.append(offset + i)
        dst.append(offset + j)
    # Between blocks: G(n, p_out) on all pairs, keeping those that cross blocks.
    block = sbm_blocks(n, c)
    i, j = _unrank_pairs(_sample_pair_indices(n * (n - 1) // 2, p_out, rng))
    cross = block[i] != block[j]
    src.append(i[cross])
    dst.append(j[cross])
    name = f"sbm(n={n}, communities={c}, mean_degree={d:g}, homophily={h:g})"
    return Graph.from_edges(n, np.concatenate(src), np.concatenate(dst), name=name)


def build_powerlaw_cluster(cfg: Any, rng: np.random.Generator) -> Graph:
    """Holme–Kim graph: preferential attachment of ``m`` links, triangles w.p. ``p``.

    networkx's algorithm (:func:`networkx.powerlaw_cluster_graph`, starting from ``m``
    isolated nodes), compiled (:func:`~sim.graphs.compiled_generators.powerlaw_cluster_edges`):
    the same graph networkx builds from the seed drawn from ``rng``.
    """
    n, m, p = int(cfg.n), int(cfg.m), float(cfg.p)
    if m < 1 or n < m:
        raise nx.NetworkXError(f"NetworkXError must have m>1 and m<n, m={m},n={n}")
    if p > 1 or p < 0:
        raise nx.NetworkXError(f"NetworkXError p must be in [0,1], p={p}")
    mt = py_random_state(_nx_seed(rng))
    src, dst = powerlaw_cluster_edges(mt, n, m, p, pyset_capacity(m))
    return Graph.from_edges(n, src, dst, name=f"powerlaw_cluster(n={n}, m={m}, p={p:g})")


def build_complete(cfg: Any, rng: np.random.Generator) -> Graph:
    """Complete graph on ``cfg.n`` nodes (``rng`` unused)."""
    n = int(cfg.n)
    i, j = np.triu_indices(n, k=1)
    return Graph.from_edges(n, i, j, name=f"complete(n={n})")


def build_file(cfg: Any, rng: np.random.Generator) -> Graph:
    """Edge list from ``cfg.path`` (see :func:`sim.graphs.edgelist.load_edgelist`)."""
    return load_edgelist(Path(str(cfg.path)).expanduser())


BUILDERS: dict[str, Builder] = {
    "ba": build_ba,
    "ws": build_ws,
    "er": build_er,
    "powerlaw_cluster": build_powerlaw_cluster,
    "sbm": build_sbm,
    "complete": build_complete,
    "file": build_file,
}
"""The one registry of graph kinds: ``graph.kind`` -> builder. Its keys are those of the config
layer's schema table (:data:`sim.config.GRAPH_SCHEMAS`; tests/test_graphs.py checks it)."""


# ----------------------------------------------------------------------------------------
# tie strength and dispatch


def assign_tie_strength(graph: Graph, cfg: Any, rng: np.random.Generator) -> Graph:
    """Draw a strong or weak tie for every undirected edge.

    Each edge, in the order of :meth:`Graph.edges`, is strong (weight 1.0) with probability
    ``cfg.strong_tie_share`` and weak (weight ``cfg.weak_tie_weight``) otherwise; both stored
    directions get the same weight. A graph whose weights came from data
    (``graph.weighted``, e.g. an edge list with a weight column) is returned unchanged.

    Parameters
    ----------
    graph : Graph
    cfg : GraphConfig
        Provides ``strong_tie_share`` and ``weak_tie_weight``.
    rng : np.random.Generator
        Draws ``graph.num_edges`` uniforms, exactly those of ``rng.random(graph.num_edges)``
        (in compiled code, without materialising them).

    Returns
    -------
    Graph
        With its ties coded (``levels``: ``1.0`` and ``float32(cfg.weak_tie_weight)``).
    """
    if graph.weighted:
        return graph
    codes = tie_strength_codes(graph.indptr, graph.indices, rng, float(cfg.strong_tie_share))
    levels = np.array([1.0, cfg.weak_tie_weight], dtype=np.float32)
    return replace(graph, ties=codes, levels=levels, weighted=False)


def build_graph(cfg: Any, rng: np.random.Generator) -> Graph:
    """Build the graph ``cfg`` describes and assign its tie strengths.

    Parameters
    ----------
    cfg : GraphConfig
        A graph config (dataclass or OmegaConf node); ``cfg.kind`` selects the builder.
    rng : np.random.Generator
        The only source of randomness (the ``graph`` stream).

    Returns
    -------
    Graph

    Raises
    ------
    ConfigError
        If ``cfg.kind`` is not a known kind.
    GraphFileError
        If ``kind`` is ``file`` and the file cannot be read.
    """
    kind = cfg.kind
    if kind not in BUILDERS:
        raise ConfigError(f"graph.kind={kind!r} is invalid: allowed one of {', '.join(BUILDERS)}")
    graph = BUILDERS[kind](cfg, rng)
    return assign_tie_strength(graph, cfg, rng)
