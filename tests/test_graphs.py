"""Graphs: the CSR type, every generator kind, tie strengths and the edge-list loader."""

from __future__ import annotations

import dataclasses
import gzip
import math
import random
from types import SimpleNamespace

import networkx as nx
import numpy as np
import pytest
from omegaconf import OmegaConf

from conftest import DATA, path_graph
from sim.config import (
    GRAPH_SCHEMAS,
    BAGraphConfig,
    CompleteGraphConfig,
    ERGraphConfig,
    FileGraphConfig,
    PowerlawClusterGraphConfig,
    SBMGraphConfig,
    WSGraphConfig,
)
from sim.errors import ConfigError, GraphFileError
from sim.graphs import (
    BUILDERS,
    Graph,
    assign_tie_strength,
    build_graph,
    cached_build,
    compiled_generators,
    edgelist,
    load_edgelist,
    pyrandom,
)
from sim.graphs.cache import cache_key
from sim.graphs.generators import (
    _nx_seed,
    _sample_pair_indices,
    _unrank_pairs,
    sbm_blocks,
    sbm_probabilities,
)
from sim.streams import Streams

SMALL = {
    "ba": BAGraphConfig(n=300, m=3),
    "ws": WSGraphConfig(n=300, k=6, p=0.2),
    "er": ERGraphConfig(n=300, mean_degree=6.0),
    "powerlaw_cluster": PowerlawClusterGraphConfig(n=300, m=3, p=0.3),
    "sbm": SBMGraphConfig(n=300, communities=7, mean_degree=6.0, homophily=0.8),
    "complete": CompleteGraphConfig(n=40),
    "file": FileGraphConfig(path=str(DATA / "ca-HepTh-lcc.txt")),
}
RANDOM_KINDS = ["ba", "ws", "er", "powerlaw_cluster", "sbm"]


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def same_graph(a: Graph, b: Graph) -> bool:
    return (np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
            and np.array_equal(a.weights, b.weights))


def assert_valid(g: Graph) -> None:
    """Symmetric, no self-loops, no duplicates, weights in (0, 1]."""
    g.check()
    a = g.to_scipy()
    assert (a != a.T).nnz == 0
    assert a.diagonal().sum() == 0
    assert g.indptr.dtype == np.int64 and g.indices.dtype == np.int32
    assert g.weights.dtype == np.float32
    assert np.all(g.weights > 0) and np.all(g.weights <= 1)
    assert np.array_equal(g.degree, np.diff(g.indptr))


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


# ------------------------------------------------------------------------------------------
# the Graph type


def test_from_edges_merges_duplicates_and_drops_self_loops():
    g = Graph.from_edges(4, [0, 1, 2, 2, 3], [1, 0, 2, 3, 2], [0.2, 0.7, 1.0, 0.5, 0.4])
    assert_valid(g)
    assert g.n == 4 and g.num_edges == 2 and g.nnz == 4
    assert g.neighbors(0).tolist() == [1] and g.tie_weights(0).tolist() == [np.float32(0.7)]
    assert g.neighbors(2).tolist() == [3] and g.tie_weights(3).tolist() == [0.5]
    assert g.degree.tolist() == [1, 1, 1, 1]


def test_from_edges_sorts_rows_and_defaults_to_weight_one():
    g = Graph.from_edges(5, [4, 4, 4, 0], [2, 0, 3, 2])
    assert g.neighbors(4).tolist() == [0, 2, 3]
    assert g.neighbors(2).tolist() == [0, 4]
    assert np.all(g.weights == 1.0)
    assert_valid(g)


def test_from_edges_matches_dense_reference():
    r = rng(5)
    for _ in range(20):
        n = int(r.integers(1, 30))
        m = int(r.integers(0, 120))
        src, dst = r.integers(n, size=m), r.integers(n, size=m)
        w = r.uniform(0.01, 1.0, size=m)
        dense = np.zeros((n, n))
        for u, v, x in zip(src, dst, w, strict=True):
            if u != v:
                dense[u, v] = dense[v, u] = max(dense[u, v], x)
        g = Graph.from_edges(n, src, dst, w)
        assert_valid(g)
        assert np.array_equal(g.to_scipy().toarray(), dense.astype(np.float32))


def test_from_edges_rejects_out_of_range_ids():
    with pytest.raises(ValueError, match="0 .. 2"):
        Graph.from_edges(3, [0], [3])


def test_graph_is_frozen_and_read_only():
    g = Graph.from_edges(3, [0, 1], [1, 2])
    with pytest.raises(dataclasses.FrozenInstanceError):
        g.name = "x"
    with pytest.raises(ValueError):
        g.weights[0] = 0.5
    with pytest.raises(ValueError):
        g.neighbors(1)[0] = 2
    with pytest.raises(ValueError):
        g.degree[0] = 5  # worked out on first use, read-only too
    assert g.degree.tolist() == [1, 2, 1]


def test_row_pointers_must_not_decrease():
    with pytest.raises(ValueError, match="indptr must be non-decreasing"):
        Graph(np.array([0, 2, 1, 2]), np.array([1, 2]), np.ones(2, np.float32))


def test_edges_and_with_edge_weights_are_symmetric():
    g = Graph.from_edges(6, [0, 0, 1, 3, 5, 2], [1, 5, 2, 4, 3, 4])
    u, v, _ = g.edges()
    assert np.all(u < v) and u.size == g.num_edges
    w = np.linspace(0.1, 0.6, g.num_edges)
    h = g.with_edge_weights(w)
    assert_valid(h)
    w32 = w.astype(np.float32)  # weights are stored in single precision
    assert np.array_equal(h.edges()[2], w32)
    dense = h.to_scipy().toarray()
    assert np.all(dense[u, v] == w32) and np.all(dense[v, u] == w32)


def test_networkx_round_trip_and_labels():
    ng = nx.Graph()
    ng.add_edge("b", "a", weight=0.5)
    ng.add_edge("a", "c")
    g = Graph.from_networkx(ng, weight="weight", name="abc")
    assert g.labels.tolist() == ["b", "a", "c"]
    assert g.tie_weights(0).tolist() == [0.5] and g.weighted
    back = g.to_networkx()
    assert sorted(back.edges(data="weight")) == [(0, 1, 0.5), (1, 2, 1.0)]
    assert back.nodes[2]["label"] == "c"
    plain = Graph.from_networkx(nx.path_graph(4))
    assert plain.labels is None and not plain.weighted
    assert plain.num_edges == 3


def test_check_detects_asymmetry():
    g = Graph(indptr=[0, 1, 1], indices=[1], ties=[1.0])
    with pytest.raises(ValueError, match="not symmetric"):
        g.check()


# ------------------------------------------------------------------------------------------
# generators


@pytest.mark.parametrize("kind", sorted(SMALL))
def test_every_kind_builds_a_valid_graph(kind):
    cfg = SMALL[kind]
    g = build_graph(cfg, rng(1))
    assert_valid(g)
    if kind != "file":
        assert g.n == cfg.n
        assert g.labels is None
    assert g.name.startswith(kind)
    assert g.num_edges > 0


def test_builders_cover_all_config_kinds():
    """BUILDERS is the one registry of graph kinds: one builder for each config schema."""
    assert set(BUILDERS) == set(GRAPH_SCHEMAS)


@pytest.mark.parametrize("kind", RANDOM_KINDS)
def test_same_seed_same_graph_other_seed_other_graph(kind):
    cfg = SMALL[kind]
    a, b = build_graph(cfg, rng(3)), build_graph(cfg, rng(3))
    c = build_graph(cfg, rng(4))
    assert same_graph(a, b)
    assert not same_graph(a, c)


@pytest.mark.parametrize("kind", sorted(SMALL))
def test_no_global_random_state_is_used(kind):
    np.random.seed(11)  # noqa: NPY002 (the legacy global state must stay untouched)
    random.seed(11)
    np_state, py_state = np.random.get_state()[1].copy(), random.getstate()  # noqa: NPY002
    build_graph(SMALL[kind], rng(2))
    assert np.array_equal(np.random.get_state()[1], np_state)  # noqa: NPY002
    assert random.getstate() == py_state


def test_builds_from_omegaconf_node():
    cfg = OmegaConf.structured(BAGraphConfig(n=200, m=2))
    g = build_graph(cfg, rng(0))
    assert g.n == 200 and g.name == "ba(n=200, m=2)"


def test_unknown_kind_is_a_config_error():
    with pytest.raises(ConfigError, match="ba, ws, er"):
        build_graph(SimpleNamespace(kind="lattice"), rng(0))


def test_ba_mean_degree_is_about_2m():
    g = build_graph(BAGraphConfig(n=3000, m=4), rng(0))
    assert g.degree.mean() == pytest.approx(8.0, rel=0.01)
    assert g.degree.min() >= 4


def test_ws_without_rewiring_is_a_ring_lattice():
    g = build_graph(WSGraphConfig(n=500, k=8, p=0.0), rng(0))
    assert np.all(g.degree == 8)
    assert g.neighbors(0).tolist() == [1, 2, 3, 4, 496, 497, 498, 499]
    odd = build_graph(WSGraphConfig(n=100, k=5, p=0.0), rng(0))
    assert np.all(odd.degree == 4)  # networkx joins k // 2 neighbours on each side


def test_complete_graph_has_all_pairs():
    g = build_graph(CompleteGraphConfig(n=60), rng(0))
    assert g.num_edges == 60 * 59 // 2
    assert np.all(g.degree == 59)


def test_er_mean_degree_within_six_sd():
    n, d = 20000, 8.0
    p = d / (n - 1)
    pairs = n * (n - 1) / 2
    sd_mean_degree = 2 * math.sqrt(pairs * p * (1 - p)) / n
    for seed in range(3):
        g = build_graph(ERGraphConfig(n=n, mean_degree=d), rng(seed))
        assert abs(g.degree.mean() - d) < 6 * sd_mean_degree


def test_pair_sampling_includes_each_pair_with_probability_p():
    r, pairs, p, reps = rng(8), 15, 0.4, 3000
    counts = np.zeros(pairs)
    for _ in range(reps):
        k = _sample_pair_indices(pairs, p, r)
        assert np.unique(k).size == k.size
        counts += np.bincount(k, minlength=pairs)
    sd = math.sqrt(p * (1 - p) / reps)
    assert np.all(np.abs(counts / reps - p) < 6 * sd)


def test_unrank_pairs_is_exact():
    n = 60
    i, j = _unrank_pairs(np.arange(n * (n - 1) // 2))
    expected = [(a, b) for a in range(n) for b in range(a)]
    assert list(zip(i.tolist(), j.tolist(), strict=True)) == expected
    # large indices (up to the largest n, 2**31 - 1) still round-trip
    big_i = np.array([10**7 - 1, 9_999_999 - 5, 2**31 - 2, 2**31 - 2, 123_456_789])
    big_j = np.array([10**7 - 2, 0, 2**31 - 3, 0, 77])
    i, j = _unrank_pairs(big_i * (big_i - 1) // 2 + big_j)
    assert np.array_equal(i, big_i) and np.array_equal(j, big_j)


def test_sbm_blocks_are_balanced():
    blocks = sbm_blocks(103, 10)
    sizes = np.bincount(blocks)
    assert sizes.max() - sizes.min() <= 1 and sizes.sum() == 103
    assert np.all(np.diff(blocks) >= 0)


@pytest.mark.parametrize("homophily", [0.9, 0.3])
def test_sbm_homophily_and_mean_degree(homophily):
    n, c, d = 5000, 10, 8.0
    blocks = sbm_blocks(n, c)
    for seed in range(3):
        g = build_graph(SBMGraphConfig(n=n, communities=c, mean_degree=d, homophily=homophily),
                        rng(seed))
        u, v, _ = g.edges()
        inside = np.mean(blocks[u] == blocks[v])
        # ~20000 edges: sd of the share is at most 0.0033, of the mean degree about 0.057
        assert abs(inside - homophily) < 0.02
        assert abs(g.degree.mean() - d) < 0.35


def test_sbm_probabilities_are_clipped():
    p_in, p_out = sbm_probabilities(20, 10, 15.0, 1.0)
    assert p_in == 1.0 and p_out == 0.0
    assert sbm_probabilities(50, 1, 7.0, 0.2) == (pytest.approx(7 / 49), 0.0)


def test_strong_tie_share():
    cfg = ERGraphConfig(n=4000, mean_degree=8.0, strong_tie_share=0.25, weak_tie_weight=0.4)
    g = build_graph(cfg, rng(0))
    _, _, w = g.edges()
    assert set(np.unique(g.weights).tolist()) == {float(np.float32(0.4)), 1.0}
    sd = math.sqrt(0.25 * 0.75 / w.size)
    assert abs(np.mean(w == 1.0) - 0.25) < 6 * sd


def test_tie_strength_extremes():
    g = Graph.from_edges(4, [0, 1, 2], [1, 2, 3])
    all_strong = assign_tie_strength(g, SimpleNamespace(strong_tie_share=1.0,
                                                        weak_tie_weight=0.3), rng(0))
    all_weak = assign_tie_strength(g, SimpleNamespace(strong_tie_share=0.0,
                                                      weak_tie_weight=0.3), rng(0))
    assert np.all(all_strong.weights == 1.0) and np.all(all_weak.weights == np.float32(0.3))


# ------------------------------------------------------------------------------------------
# edge lists


def test_load_facebook():
    g = load_edgelist(DATA / "facebook_combined.txt")
    assert (g.n, g.num_edges) == (4039, 88234)
    assert g.labels.dtype == np.int64 and not g.weighted
    assert_valid(g)


def test_load_hepth_with_comment_and_repeated_edges():
    g = load_edgelist(DATA / "ca-HepTh-lcc.txt")
    assert (g.n, g.num_edges) == (8638, 24806)
    assert g.labels[:2].tolist() == [0, 5065]  # order of first appearance
    assert_valid(g)


def test_file_kind_draws_ties_for_unweighted_files():
    g = build_graph(FileGraphConfig(path=str(DATA / "ca-HepTh-lcc.txt"), strong_tie_share=0.5,
                                    weak_tie_weight=0.2), rng(0))
    assert set(np.unique(g.weights).tolist()) == {float(np.float32(0.2)), 1.0}


def test_csv_with_header_and_weights(tmp_path):
    path = write(tmp_path, "g.csv", "source,target,weight\nann,bob,2\nbob, cat ,4\n\"cat\",ann,1\n")
    g = load_edgelist(path)
    assert g.labels.tolist() == ["ann", "bob", "cat"]
    assert g.weighted and g.name == "file(g.csv)"
    dense = g.to_scipy().toarray()
    assert dense[0, 1] == 0.5 and dense[1, 2] == 1.0 and dense[2, 0] == 0.25
    # the file's weights survive tie-strength assignment
    built = build_graph(FileGraphConfig(path=str(path)), rng(0))
    assert np.array_equal(built.weights, g.weights)


def test_tsv_with_comments_and_self_loop(tmp_path):
    path = write(tmp_path, "g.tsv", "# comment\n% another\n\n10\t20\n20\t30\n30\t30\n")
    g = load_edgelist(path)
    assert g.labels.tolist() == [10, 20, 30]
    assert g.num_edges == 2 and not g.weighted


def test_string_ids_without_header(tmp_path):
    g = load_edgelist(write(tmp_path, "g.txt", "alice bob\nbob carol\n"))
    assert g.labels.tolist() == ["alice", "bob", "carol"] and g.num_edges == 2


def test_non_canonical_integer_ids_stay_distinct(tmp_path):
    g = load_edgelist(write(tmp_path, "g.txt", "007 1\n7 2\n"))
    assert g.labels.tolist() == ["007", "1", "7", "2"]


def test_gzip_file(tmp_path):
    path = tmp_path / "g.txt.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("1 2\n2 3\n")
    assert load_edgelist(path).num_edges == 2


@pytest.mark.parametrize(("text", "header"), [
    ("Source Target\n1 2\n", True),
    ("NODE1,node2\n1,2\n", True),
    ("from to weight\n1 2 0.5\n", True),
    ("a b c\n1 2 0.5\n", True),
    ("1 2\n2 3\n", False),
    ("x y 0.5\ny z 1\n", False),
])
def test_header_detection(tmp_path, text, header):
    g = load_edgelist(write(tmp_path, "g.txt", text))
    names = [str(x) for x in g.labels.tolist()]
    assert (g.num_edges == 1) == header
    assert not any(name.lower() in {"source", "node1", "from", "a"} for name in names)


@pytest.mark.parametrize(("text", "line", "problem"), [
    ("# c\n1 2\n42\n", 3, "expected 2 or 3 columns (u v [weight]), got 1: '42'"),
    ("1 2 3 4\n", 1, "expected 2 or 3 columns (u v [weight]), got 4"),
    ("1 2 0.5\n2 3 abc\n", 2, "weight 'abc' is not a number"),
    ("1 2 0.5\n\n2 3 -1\n", 3, "weight -1 must be > 0"),
    ("1 2 0\n", 1, "weight 0 must be > 0"),
    ("1 2 nan\n", 1, "weight nan must be a finite number > 0"),
    ("u v\n1 2\n2 3 0.5\n", 3, "expected 2 columns like line 2 (u v), got 3"),
    ("1,2\n2,\n", 2, "empty node id"),
])
def test_malformed_lines_name_the_line(tmp_path, text, line, problem):
    path = write(tmp_path, "bad.txt", text)
    with pytest.raises(GraphFileError) as err:
        load_edgelist(path)
    assert str(err.value).startswith(f"{path} line {line}: ")
    assert problem in str(err.value)


@pytest.mark.parametrize("text", ["", "# only a comment\n\n", "source target\n"])
def test_no_edges(tmp_path, text):
    with pytest.raises(GraphFileError, match="no edges found"):
        load_edgelist(write(tmp_path, "empty.txt", text))


def test_missing_file(tmp_path):
    with pytest.raises(GraphFileError, match="cannot read"):
        load_edgelist(tmp_path / "nope.txt")


def test_load_fast_path_and_errors_through_load_edgelist(tmp_path, monkeypatch):
    monkeypatch.setattr(edgelist, "FAST_MIN_BYTES", 0)  # every file tries the fast path
    g = load_edgelist(DATA / "ca-HepTh-lcc.txt")
    assert (g.n, g.num_edges) == (8638, 24806) and g.labels[:2].tolist() == [0, 5065]
    path = write(tmp_path, "bad.txt", "1 2 0.5\n\n2 3 -1\n")
    with pytest.raises(GraphFileError, match=r"bad.txt line 3: weight -1 must be > 0"):
        load_edgelist(path)


# ------------------------------------------------------------------------------------------
# compiled generators: the very graphs networkx builds


def structure(g: Graph) -> tuple[list[int], list[int]]:
    return g.indptr.tolist(), g.indices.tolist()


@pytest.mark.parametrize(("n", "m", "seed"), [
    (2, 1, 0), (10, 1, 1), (500, 3, 2), (2000, 5, 3), (300, 40, 4), (60, 59, 5),
])
def test_ba_is_networkx_graph(n, m, seed):
    indptr, indices = compiled_generators.ba_csr(pyrandom.py_random_state(seed), n, m,
                                         pyrandom.pyset_capacity(m))
    ours = Graph(indptr=indptr, indices=indices, ties=np.ones(indices.size))
    assert_valid(ours)
    assert structure(ours) == structure(
        Graph.from_networkx(nx.barabasi_albert_graph(n, m, seed=seed)))


@pytest.mark.parametrize(("n", "k", "p", "seed"), [
    (10, 2, 0.5, 0), (300, 6, 0.2, 1), (2000, 10, 0.3, 2), (20, 18, 0.9, 3), (7, 6, 1.0, 4),
    (500, 8, 1.0, 5), (101, 5, 0.0, 6),
])
def test_ws_is_networkx_graph(n, k, p, seed):
    src, dst = compiled_generators.ws_edges(pyrandom.py_random_state(seed), n, k, p)
    assert structure(Graph.from_edges(n, src, dst)) == structure(
        Graph.from_networkx(nx.watts_strogatz_graph(n, k, p, seed=seed)))


@pytest.mark.parametrize(("n", "m", "p", "seed"), [
    (10, 1, 0.5, 0), (300, 3, 0.3, 1), (2000, 5, 0.7, 2), (300, 10, 1.0, 3), (50, 50, 0.5, 4),
    (1000, 2, 0.0, 5), (400, 20, 0.9, 6),
])
def test_powerlaw_cluster_is_networkx_graph(n, m, p, seed):
    src, dst = compiled_generators.powerlaw_cluster_edges(pyrandom.py_random_state(seed), n, m, p,
                                                          pyrandom.pyset_capacity(m))
    assert structure(Graph.from_edges(n, src, dst)) == structure(
        Graph.from_networkx(nx.powerlaw_cluster_graph(n, m, p, seed=seed)))


@pytest.mark.parametrize("kind", ["ba", "ws", "powerlaw_cluster"])
def test_builders_keep_the_networkx_graph_of_each_run_seed(kind):
    """Same run seed, same graph and ties as when networkx built it (results stay comparable)."""
    cfg = SMALL[kind]
    g = build_graph(cfg, rng(7))
    r = rng(7)
    seed = _nx_seed(r)
    if kind == "ba":
        ref = nx.barabasi_albert_graph(cfg.n, cfg.m, seed=seed)
    elif kind == "ws":
        ref = nx.watts_strogatz_graph(cfg.n, cfg.k, cfg.p, seed=seed)
    else:
        ref = nx.powerlaw_cluster_graph(cfg.n, cfg.m, cfg.p, seed=seed)
    old = Graph.from_networkx(ref)
    strong = r.random(old.num_edges) < cfg.strong_tie_share  # the old tie draw
    old = old.with_edge_weights(np.where(strong, 1.0, cfg.weak_tie_weight))
    assert same_graph(g, old)


def test_ba_degree_distribution_matches_networkx_on_other_seeds():
    """Not only the same graphs for the same seed: the same law (independent seeds)."""
    n, m = 20000, 3
    ours = [build_graph(BAGraphConfig(n=n, m=m), rng(s)).degree for s in range(3)]
    theirs = [Graph.from_networkx(nx.barabasi_albert_graph(n, m, seed=100 + s)).degree
              for s in range(3)]
    for deg in ours + theirs:
        assert deg.sum() == 2 * m * (n - m) and deg.min() == m
    # measured over 20 seeds each: nodes of degree >= 20 about 1060 (sd 25), of degree >= 50
    # about 170 (sd 11), maximal degree about 500 (range 330 .. 780)
    for lo, tol in ((m, 0), (20, 150), (50, 60)):
        a = np.mean([np.count_nonzero(d >= lo) for d in ours])
        b = np.mean([np.count_nonzero(d >= lo) for d in theirs])
        assert abs(a - b) <= tol
    assert 250 < np.mean([d.max() for d in ours]) < 1000


def test_pyset_order_is_cpythons():
    r = random.Random(3)
    for _ in range(300):
        keys = [r.randrange(r.choice([10, 1000, 10**9])) for _ in range(r.randrange(1, 120))]
        cap = pyrandom.pyset_capacity(len(set(keys)))
        table, scratch = np.empty(cap, np.int64), np.empty(cap, np.int64)
        table[:8] = -1
        size, fill = 8, 0
        for k in keys:
            size, fill = pyrandom._pyset_add(table, size, fill, k, scratch)
        assert [k for k in table[:size].tolist() if k != -1] == list(set(keys))


def test_python_random_replay():
    mt = pyrandom.py_random_state(99)
    expected = random.Random(99)
    for n in (1, 2, 7, 1000, 2**31 - 1, 2**40 + 3):
        assert pyrandom._py_randbelow(mt, n) == expected._randbelow(n)
        assert pyrandom._py_random(mt) == expected.random()


# ------------------------------------------------------------------------------------------
# from_edges, ties and checks at scale


def reference_graph(n, src, dst, w):
    """A plain dict-based reference: {(u, v): weight} for u != v, both directions."""
    best = {}
    for u, v, x in zip(src.tolist(), dst.tolist(), w.tolist(), strict=True):
        if u != v:
            x = float(np.float32(x))
            for key in ((u, v), (v, u)):
                best[key] = max(best.get(key, 0.0), x)
    keys = sorted(best)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, np.array([k[0] for k in keys], dtype=np.int64) + 1, 1)
    return np.cumsum(indptr), [k[1] for k in keys], [best[k] for k in keys]


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint16])
def test_from_edges_matches_plain_reference_on_multigraphs(dtype):
    r = rng(11)
    for n, m in ((1, 5), (50, 2000), (3000, 20000)):
        src = r.integers(n, size=m).astype(dtype)
        dst = np.where(r.random(m) < 0.05, src, r.integers(n, size=m)).astype(dtype)  # loops
        dup = r.integers(m, size=m // 3)  # repeated edges, some reversed
        src = np.concatenate([src, dst[dup]])
        dst = np.concatenate([dst, src[dup]])
        w = r.choice([0.1, 0.25, 0.5, 1.0, 0.3], size=src.size)
        indptr, indices, weights = reference_graph(n, src, dst, w)
        g = Graph.from_edges(n, src, dst, w)
        assert_valid(g)
        assert g.indptr.tolist() == indptr.tolist() and g.indices.tolist() == indices
        assert g.weights.tolist() == weights
        plain = Graph.from_edges(n, src.tolist(), dst.tolist())
        assert plain.indices.tolist() == indices and np.all(plain.weights == 1.0)


def test_from_edges_empty_and_isolated():
    g = Graph.from_edges(5, [], [])
    assert g.n == 5 and g.nnz == 0 and g.degree.tolist() == [0] * 5
    assert Graph.from_edges(0, [], []).n == 0
    with pytest.raises(ValueError, match="0 .. 4"):
        Graph.from_edges(5, np.array([0, -1], dtype=np.int32), np.array([1, 2], dtype=np.int32))


def test_tie_strengths_are_the_draws_of_rng_random_in_edge_order():
    g = build_graph(ERGraphConfig(n=3000, mean_degree=6.0), rng(0))
    cfg = SimpleNamespace(strong_tie_share=0.4, weak_tie_weight=0.25)
    h = assign_tie_strength(g, cfg, rng(5))
    expected = np.where(rng(5).random(g.num_edges) < 0.4, 1.0, 0.25).astype(np.float32)
    assert np.array_equal(h.edges()[2], expected)
    assert_valid(h)
    r = rng(5)
    assign_tie_strength(g, cfg, r)  # leaves rng where rng.random(num_edges) would
    ref = rng(5)
    ref.random(g.num_edges)
    assert r.random() == ref.random()


def test_check_detects_weight_asymmetry():
    g = Graph(indptr=[0, 1, 2], indices=[1, 0], ties=[1.0, 0.5])
    with pytest.raises(ValueError, match="weights not symmetric"):
        g.check()


# ------------------------------------------------------------------------------------------
# the compiled edge-list parser gives exactly what the line-by-line parser gives


def same_loaded(a: Graph, b: Graph) -> bool:
    return (same_graph(a, b) and a.labels.dtype == b.labels.dtype
            and np.array_equal(a.labels, b.labels) and a.name == b.name
            and a.weighted == b.weighted)


@pytest.mark.parametrize("name", ["facebook_combined.txt", "ca-HepTh-lcc.txt"])
def test_fast_loader_equals_slow_loader_on_data(name):
    fast_graph = edgelist._load_fast(DATA / name)
    assert fast_graph is not None and same_loaded(fast_graph, edgelist._load_slow(DATA / name))


TRICKY = [
    "1 2\n2 3\n",
    "1,2\n2,3\n",
    "# c\n1 2 0.5\n2 3 1e-1\n3 4 0.12345678901234567\n4 5 123456789012345678901\n",
    "source,target,weight\n1,2,2\n2, 3 ,4\n\"3\",1,1\n",
    "1\t2\r\n2\t3\r\n",
    "\ufeff1 2\n2 3\n",
    "1 2\n\n   \n# x\n% y\n3 1\n   # indented comment\n",
    "1 2 .5\n2 3 5.\n3 4 +2E3\n4 5 7e-300\n",
    "'1' , \"2\"\n",
    "1 1\n1 2\n2 1\n",
    "-5 0\n0 -5\n",
    "123456789012345678 1\n",
    "from to\n1 2\n",
    "1 2 0.1\n2 3 0.30000000000000004\n",
    "5 6 3\n6 5 9\n",
]
NEEDS_SLOW = [
    "007 1\n7 2\n",  # non-canonical integers: string ids
    "a b\nb c\n",
    "-0 1\n",
    "' 1',2\n",  # a space inside the quotes stays in the id
    "1 2\r",  # a lone carriage return is a line break for Python
    "1 2\x0b3 4\n",  # so is a vertical tab
    "x y 0.5\ny z 1\n",
    "1234567890123456789 1\n",
    "1 2 1_0\n",  # Python's float accepts this
    "1 2 inf\n",
    "\u00e9 1\n",
    "1 2\n3 4 0.5\n",  # errors: the slow parser reports them
    "1 2 0\n",
    "1,2,\n",
    "1 2 3 4\n",
    "source target\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_fast_loader_equals_slow_loader_on_tricky_files(tmp_path, text):
    path = tmp_path / "g.txt"
    path.write_bytes(text.encode("utf-8"))
    fast_graph = edgelist._load_fast(path)
    assert fast_graph is not None
    assert same_loaded(fast_graph, edgelist._load_slow(path))


@pytest.mark.parametrize("text", NEEDS_SLOW)
def test_fast_loader_defers_what_it_does_not_handle(tmp_path, text):
    path = tmp_path / "g.txt"
    path.write_bytes(text.encode("utf-8"))
    assert edgelist._load_fast(path) is None


def test_fast_loader_on_random_weights_and_gzip(tmp_path):
    r = random.Random(0)
    lines = []
    for _ in range(3000):
        digits = r.randint(1, 22)
        w = r.choice([f"{r.uniform(0.1, 1):.{digits}f}", f"{r.uniform(1e-3, 1e5):.{digits}e}",
                      str(r.randint(1, 10**digits)), repr(r.random() + 1e-9)])
        lines.append(f"{r.randint(-50, 400)} {r.randint(0, 400)} {w}")
    text = "\n".join(lines) + "\n"
    plain = write(tmp_path, "w.txt", text)
    packed = tmp_path / "w.txt.gz"
    with gzip.open(packed, "wt") as fh:
        fh.write(text)
    for path in (plain, packed):
        fast_graph = edgelist._load_fast(path)
        assert fast_graph is not None and same_loaded(fast_graph, edgelist._load_slow(path))


# ------------------------------------------------------------------------------------------
# the graph cache


def test_cache_round_trip_is_identical(tmp_path):
    for cfg in (BAGraphConfig(n=500, m=2), FileGraphConfig(path=str(DATA / "ca-HepTh-lcc.txt")),
                SMALL["sbm"]):
        built = cached_build(cfg, 4, tmp_path)  # a miss: builds and stores
        loaded = cached_build(cfg, 4, tmp_path)  # a hit
        direct = build_graph(cfg, Streams(4).get("graph"))
        for g in (built, loaded):
            assert same_graph(g, direct) and g.name == direct.name
            assert g.weighted == direct.weighted
            assert (g.labels is None) == (direct.labels is None)
            if g.labels is not None:
                assert np.array_equal(g.labels, direct.labels)
    assert len(list(tmp_path.glob("*.npz"))) == 3


def test_cache_keys_and_generator_state(tmp_path):
    cfg = BAGraphConfig(n=300, m=2)
    assert cache_key(cfg, 1) != cache_key(cfg, 2)
    assert cache_key(cfg, 1) != cache_key(BAGraphConfig(n=300, m=3), 1)
    assert cache_key(cfg, 1) == cache_key(OmegaConf.structured(cfg), 1)
    # a generator comes back in the state the build leaves it in, hit or miss
    first, second, plain = rng(9), rng(9), rng(9)
    a, b = cached_build(cfg, first, tmp_path), cached_build(cfg, second, tmp_path)
    c = build_graph(cfg, plain)
    assert same_graph(a, c) and same_graph(b, c)
    assert first.random() == second.random() == plain.random()
    # no directory: just builds
    assert same_graph(cached_build(cfg, 1), build_graph(cfg, Streams(1).get("graph")))


def test_cache_notices_a_changed_file(tmp_path):
    path = write(tmp_path, "g.txt", "1 2\n2 3\n")
    cfg = FileGraphConfig(path=str(path))
    assert cached_build(cfg, 0, tmp_path / "cache").num_edges == 2
    path.write_text("1 2\n2 3\n3 4\n")
    assert cached_build(cfg, 0, tmp_path / "cache").num_edges == 3


def test_adjacency_is_the_unweighted_matrix_built_once():
    graph = path_graph(5, weight=0.3)
    adjacency = graph.adjacency()
    assert adjacency is graph.adjacency()  # every model on the graph shares one copy
    expected = np.zeros((5, 5))
    for i in range(4):
        expected[i, i + 1] = expected[i + 1, i] = 1.0
    assert np.array_equal(adjacency.toarray(), expected)
    assert np.array_equal(adjacency @ np.ones(5), graph.degree)
