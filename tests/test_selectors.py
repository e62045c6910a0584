"""KOL selectors (rankings, greedy RIS) and influence estimation (independent-cascade spread,
exact and Monte Carlo)."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest

from conftest import path_graph, star_graph
from sim.graphs import Graph
from sim.strategies import influence, selectors
from sim.strategies.influence import exact_ic_spread, ic_spread
from sim.strategies.selectors import SELECTORS, pagerank, rank


def edge_probs(graph: Graph, per_edge) -> np.ndarray:
    """Symmetric per-entry probabilities from one value per undirected edge (or a scalar)."""
    per_edge = np.broadcast_to(np.asarray(per_edge, dtype=np.float64), (graph.num_edges,))
    return graph.with_edge_weights(per_edge).weights.copy()


def ba_graph(n: int = 60, m: int = 2, seed: int = 1) -> Graph:
    return Graph.from_networkx(nx.barabasi_albert_graph(n, m, seed=seed))


def small_random_graph(seed: int, max_edges: int = 14) -> tuple[Graph, np.ndarray]:
    """A random graph on 6..10 nodes with at most ``max_edges`` edges, probabilities 0.3-0.5."""
    r = np.random.default_rng(seed)
    n = int(r.integers(6, 11))
    m = min(int(r.integers(n, 2 * n)), max_edges)
    g = Graph.from_networkx(nx.gnm_random_graph(n, m, seed=seed))
    return g, edge_probs(g, r.uniform(0.3, 0.5, g.num_edges))


# ------------------------------------------------------------------------------------------
# common contract


@pytest.mark.parametrize("selector", SELECTORS)
def test_valid_distinct_respects_mask_limit_and_seed(selector):
    g = ba_graph()
    ep = edge_probs(g, 0.2)
    mask = np.zeros(g.n, dtype=bool)
    mask[::3] = True
    kwargs = dict(candidates=mask, edge_prob=ep, samples=2000)
    order = rank(g, selector, np.random.default_rng(7), limit=8, **kwargs)
    assert order.dtype == np.int64
    assert order.shape == (8,)
    assert len(set(order.tolist())) == 8
    assert np.all(mask[order])
    again = rank(g, selector, np.random.default_rng(7), limit=8, **kwargs)
    np.testing.assert_array_equal(order, again)
    # limit is clipped to the number of candidates; a full ranking lists every candidate once
    full = rank(g, selector, np.random.default_rng(7), limit=10 * g.n, **kwargs)
    assert sorted(full.tolist()) == np.flatnonzero(mask).tolist()
    assert rank(g, selector, np.random.default_rng(7), limit=0, **kwargs).size == 0


@pytest.mark.parametrize("selector", SELECTORS)
def test_every_candidate_without_mask(selector):
    g = ba_graph(30)
    order = rank(g, selector, np.random.default_rng(3), limit=g.n,
                 edge_prob=edge_probs(g, 0.3), samples=500)
    assert sorted(order.tolist()) == list(range(g.n))


def test_bad_arguments():
    g = ba_graph(20)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="unknown selector 'nope'.*'greedy'"):
        rank(g, "nope", rng, limit=3)
    with pytest.raises(ValueError, match="edge_prob"):
        rank(g, "greedy", rng, limit=3)
    with pytest.raises(ValueError, match="edge_prob must have shape"):
        rank(g, "greedy", rng, limit=3, edge_prob=np.full(3, 0.1))
    with pytest.raises(ValueError, match="candidates"):
        rank(g, "degree", rng, limit=3, candidates=np.ones(g.n, dtype=int))
    with pytest.raises(ValueError, match="limit"):
        rank(g, "degree", rng, limit=-1)


def test_ties_broken_randomly_but_reproducibly():
    g = star_graph(10)
    leaves = np.ones(g.n, dtype=bool)
    leaves[0] = False
    firsts = {int(rank(g, "degree", np.random.default_rng(s), limit=1, candidates=leaves)[0])
              for s in range(10)}
    assert len(firsts) > 1
    assert firsts <= set(range(1, 11))


# ------------------------------------------------------------------------------------------
# structural selectors


def test_degree_and_fringe_on_star():
    g = star_graph(6)
    rng = np.random.default_rng(1)
    assert rank(g, "degree", rng, limit=1)[0] == 0
    fringe = rank(g, "fringe", np.random.default_rng(1), limit=g.n)
    assert fringe[0] != 0
    assert fringe[-1] == 0


def test_pagerank_centre_of_star_and_matches_networkx():
    assert rank(star_graph(6), "pagerank", np.random.default_rng(0), limit=1)[0] == 0
    G = nx.barabasi_albert_graph(80, 2, seed=4)
    for u, v in G.edges:
        G[u][v]["w"] = 0.05 + ((3 * u + 7 * v) % 10) / 10
    g = Graph.from_networkx(G, weight="w")
    expected = nx.pagerank(G, weight="w", tol=1e-12)
    np.testing.assert_allclose(pagerank(g), [expected[i] for i in range(g.n)], atol=1e-9)


def test_kcore_puts_clique_first():
    clique = list(itertools.combinations(range(5), 2))
    pendant = [(4, 5), (5, 6), (6, 7), (7, 8)]
    src, dst = zip(*(clique + pendant), strict=True)
    g = Graph.from_edges(9, src, dst)
    order = rank(g, "kcore", np.random.default_rng(2), limit=g.n)
    assert set(order[:5].tolist()) == set(range(5))
    assert order[0] == 4  # same core number, highest degree


def test_betweenness_middle_of_path():
    g = path_graph(5)
    order = rank(g, "betweenness", np.random.default_rng(0), limit=5)
    assert order[0] == 2
    assert set(order[1:3].tolist()) == {1, 3}


def test_betweenness_sampled_on_large_graph_is_reproducible():
    g = path_graph(2100)
    a = rank(g, "betweenness", np.random.default_rng(5), limit=5, betweenness_samples=10)
    b = rank(g, "betweenness", np.random.default_rng(5), limit=5, betweenness_samples=10)
    np.testing.assert_array_equal(a, b)
    assert np.all(a > 0) and np.all(a < 2099)  # end points have zero betweenness


# ------------------------------------------------------------------------------------------
# independent-cascade spread


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 1.0])
def test_exact_spread_triangle(p):
    g = Graph.from_edges(3, [0, 1, 0], [1, 2, 2])
    expected = 1 + 2 * (p + p**2 - p**3)
    assert exact_ic_spread(g, [0], np.full(g.nnz, p)) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("k, p", [(1, 0.3), (4, 0.25), (7, 0.6)])
def test_exact_spread_star_from_centre(k, p):
    g = star_graph(k)
    assert exact_ic_spread(g, [0], np.full(g.nnz, p)) == pytest.approx(1 + k * p, abs=1e-12)


def test_exact_spread_edge_cases():
    g = Graph.from_edges(5, [0, 1], [1, 2])
    ep = np.full(g.nnz, 0.5)
    # node 4 is isolated: counts once; duplicates count once; no seeds spread nothing
    assert exact_ic_spread(g, [4, 4], ep) == pytest.approx(1.0)
    assert exact_ic_spread(g, [1, 4], ep) == pytest.approx(3.0)
    assert exact_ic_spread(g, [], ep) == 0.0
    with pytest.raises(ValueError, match="edges"):
        exact_ic_spread(path_graph(22), [0], np.full(42, 0.5))


def test_ic_spread_deterministic_extremes():
    g = ba_graph(40)
    mean, se = ic_spread(g, [0, 5], np.ones(g.nnz), np.random.default_rng(0), 50)
    assert (mean, se) == (40.0, 0.0)
    mean, se = ic_spread(g, [0, 5, 5], np.zeros(g.nnz), np.random.default_rng(0), 50)
    assert (mean, se) == (2.0, 0.0)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_ic_spread_agrees_with_exact(seed):
    r = np.random.default_rng(100 + seed)
    g = Graph.from_networkx(nx.gnm_random_graph(8, 11, seed=seed))
    ep = edge_probs(g, r.uniform(0.1, 0.7, g.num_edges))
    seeds = r.choice(8, size=2, replace=False)
    exact = exact_ic_spread(g, seeds, ep)
    mean, se = ic_spread(g, seeds, ep, np.random.default_rng(seed), 20_000)
    assert 0 < se < 0.05
    assert abs(mean - exact) < 4 * se
    again = ic_spread(g, seeds, ep, np.random.default_rng(seed), 20_000)
    assert again == (mean, se)


# ------------------------------------------------------------------------------------------
# greedy influence maximisation

#: greedy's top pair vs the exhaustive best pair (exact spreads). Measured with
#: samples=20000 over 60 random graphs: worst ratio 0.964 (greedy itself is not optimal for
#: pairs); over the seeds below the worst is 0.970.
GREEDY_PAIR_TOLERANCE = 0.96


@pytest.mark.validation
@pytest.mark.parametrize("seed", range(10))
def test_greedy_pair_close_to_best_pair(seed):
    g, ep = small_random_graph(seed)
    best = max(exact_ic_spread(g, pair, ep) for pair in itertools.combinations(range(g.n), 2))
    pick = rank(g, "greedy", np.random.default_rng(seed), limit=2, edge_prob=ep, samples=20_000)
    value = exact_ic_spread(g, pick, ep)
    assert value >= (1 - 1 / math.e) * best
    assert value >= GREEDY_PAIR_TOLERANCE * best


def test_greedy_picks_centre_of_star():
    g = star_graph(8)
    order = rank(g, "greedy", np.random.default_rng(0), limit=1, edge_prob=np.full(g.nnz, 0.4),
                 samples=2000)
    assert order[0] == 0


def test_greedy_continues_by_degree_when_coverage_runs_out():
    # with dead ties every RR set is its root: after the roots, greedy falls back to degree
    g = star_graph(30)
    order = rank(g, "greedy", np.random.default_rng(3), limit=g.n, edge_prob=np.zeros(g.nnz),
                 samples=3)
    assert sorted(order.tolist()) == list(range(g.n))
    assert 0 in order[:4]  # the centre is one of the <= 3 roots or the first fallback
    assert np.all(np.diff(g.degree[order[3:]]) <= 0)


#: greedy (RIS, samples=50000) vs degree on BA(500, 2), 10 seeds, edge_prob 0.1 (MC spreads).
#: Measured greedy/degree: 0.983, 0.990, 1.000 for the seeds below (0.980 .. 1.000 over 6 seeds;
#: with samples=10000 0.954 .. 0.994; with 200000 greedy finds degree's seed set). Degree is
#: near optimal on BA graphs; degree/random measured 2.28 .. 2.41.
GREEDY_VS_DEGREE = 0.97


@pytest.mark.validation
def test_greedy_and_degree_beat_random_on_ba():
    g = Graph.from_networkx(nx.barabasi_albert_graph(500, 2, seed=1))
    ep = np.full(g.nnz, 0.1)

    def spread(selector: str, seed: int, **kw) -> float:
        seeds = rank(g, selector, np.random.default_rng(seed), limit=10, edge_prob=ep, **kw)
        return ic_spread(g, seeds, ep, np.random.default_rng(99), 10_000)[0]

    degree = spread("degree", 0)
    for seed in (0, 1, 2):
        assert spread("greedy", seed, samples=50_000) >= GREEDY_VS_DEGREE * degree
        assert degree > 1.5 * spread("random", seed)


def test_compiled_brandes_matches_networkx_betweenness():
    import networkx as nx

    from sim.strategies.selectors import brandes_from_sources

    for seed in range(3):
        g = nx.gnm_random_graph(60, 150, seed=seed)
        graph = Graph.from_networkx(g)
        ours = brandes_from_sources(graph.indptr, graph.indices, np.arange(60))
        ref = nx.betweenness_centrality(g, normalized=False)
        np.testing.assert_allclose(ours / 2, [ref[i] for i in range(60)], rtol=1e-9, atol=1e-9)


def test_sampled_betweenness_is_reproducible_and_finds_hubs_on_large_graphs():
    from sim.config import config_for_graph
    from sim.graphs import build_graph

    graph = build_graph(config_for_graph("ba", n=50_000, m=3), np.random.default_rng(0))
    first = rank(graph, "betweenness", np.random.default_rng(1), limit=10)
    assert np.array_equal(first, rank(graph, "betweenness", np.random.default_rng(1), limit=10))
    assert set(first[:3]) <= set(np.argsort(-graph.degree)[:30])  # hubs carry the paths


def test_integer_keys_sort_as_lexsort():
    # the single-sort path for degree must order exactly like lexsort (ties by the permutation)
    from sim.strategies.selectors import _Context, _order_by

    rng = np.random.default_rng(4)
    n = 500
    perm = rng.permutation(n)
    tiebreak = np.empty(n, dtype=np.int64)
    tiebreak[perm] = np.arange(n)
    mask = rng.random(n) < 0.7
    ctx = _Context(graph=None, rng=rng, mask=mask, perm=perm, tiebreak=tiebreak, limit=n,
                   edge_prob=None, samples=1, betweenness_samples=1)
    key = -rng.integers(0, 6, n)  # many ties
    nodes = np.flatnonzero(mask)
    expected = nodes[np.lexsort([tiebreak[nodes], key[nodes]])]
    assert np.array_equal(_order_by(ctx, key), expected)
    assert np.array_equal(_order_by(ctx, key.astype(float)), expected)


# ------------------------------------------------------------------------------------------
# module layout


def test_influence_names_still_importable_from_selectors():
    # other modules import these from selectors; they must stay the very same functions
    for name in ("ic_spread", "exact_ic_spread"):
        assert name in selectors.__all__
        assert getattr(selectors, name) is getattr(influence, name)


def test_influence_does_not_import_selectors():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(influence))
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names]
    assert not [name for name in imported if name and "selectors" in name]
