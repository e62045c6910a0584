"""Graph schemas (one dataclass per ``graph.kind``) and their value checks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import MISSING

from sim.config.checks import Checker
from sim.errors import ConfigError


@dataclass
class GraphConfig:
    """Fields every graph kind has.

    ``strong_tie_share`` is the fraction of ties that are strong (weight 1); the others are weak
    with weight ``weak_tie_weight``. Loaded graphs with a weight column use their own weights.
    ``cache_dir``: when set, a built graph is saved there as ``.npz`` (keyed by the graph config
    and the seed) and reloaded by later runs instead of being built again.
    """

    kind: str = MISSING
    strong_tie_share: float = 0.3
    weak_tie_weight: float = 0.3
    cache_dir: str | None = None


@dataclass
class BAGraphConfig(GraphConfig):
    """Barabási–Albert preferential attachment: each new node links to ``m`` existing ones."""

    kind: str = "ba"
    n: int = 2000
    m: int = 3


@dataclass
class WSGraphConfig(GraphConfig):
    """Watts–Strogatz small world: ring of ``k`` nearest neighbours, each rewired w.p. ``p``."""

    kind: str = "ws"
    n: int = 2000
    k: int = 8
    p: float = 0.1


@dataclass
class ERGraphConfig(GraphConfig):
    """Erdős–Rényi G(n, p) with p chosen so the expected mean degree is ``mean_degree``."""

    kind: str = "er"
    n: int = 2000
    mean_degree: float = 8.0


@dataclass
class PowerlawClusterGraphConfig(GraphConfig):
    """Holme–Kim: preferential attachment with ``m`` links, each closing a triangle w.p. ``p``."""

    kind: str = "powerlaw_cluster"
    n: int = 2000
    m: int = 3
    p: float = 0.3


@dataclass
class SBMGraphConfig(GraphConfig):
    """Stochastic block model: ``communities`` equal blocks, ``homophily`` = expected share of a
    consumer's ties inside its own community, ``mean_degree`` the expected mean degree."""

    kind: str = "sbm"
    n: int = 2000
    communities: int = 10
    mean_degree: float = 8.0
    homophily: float = 0.9


@dataclass
class CompleteGraphConfig(GraphConfig):
    """Everybody knows everybody (the well-mixed population of classic diffusion models)."""

    kind: str = "complete"
    n: int = 500


@dataclass
class FileGraphConfig(GraphConfig):
    """An edge list on disk: ``u v [weight]`` per line, separated by whitespace, comma or tab.

    Lines starting with ``#`` or ``%`` are comments; a first line that is not an edge is taken as
    a header. Node ids may be any integers or strings. Edges are undirected. When the file has a
    weight column, its weights (divided by the largest) are the tie strengths and
    ``strong_tie_share`` / ``weak_tie_weight`` are ignored.
    """

    kind: str = "file"
    path: str = MISSING


GRAPH_SCHEMAS: dict[str, type[GraphConfig]] = {
    "ba": BAGraphConfig,
    "ws": WSGraphConfig,
    "er": ERGraphConfig,
    "powerlaw_cluster": PowerlawClusterGraphConfig,
    "sbm": SBMGraphConfig,
    "complete": CompleteGraphConfig,
    "file": FileGraphConfig,
}

def config_for_graph(kind: str, **values: Any) -> GraphConfig:
    """A graph config of the given kind with its defaults and ``values`` (e.g. ``n=500``)."""
    if kind not in GRAPH_SCHEMAS:
        raise ConfigError(f"graph.kind={kind!r} is invalid: allowed one of "
                          + ", ".join(GRAPH_SCHEMAS))
    return GRAPH_SCHEMAS[kind](**values)


def validate_graph(check: Checker) -> None:
    """Check the graph section for the chosen kind."""
    g = check.cfg.graph
    check.one_of("graph.kind", tuple(GRAPH_SCHEMAS))
    check.prob("graph.strong_tie_share")
    check.within("graph.weak_tie_weight", 0.0, 1.0, lo_open=True)
    if g.kind != "file":
        check.at_least("graph.n", 2)
    if g.kind in ("ba", "powerlaw_cluster"):
        check.at_least("graph.m", 1)
        if g.m >= g.n:
            check.fail("graph.m", g.m, f"1 <= m < graph.n={g.n}")
    if g.kind == "powerlaw_cluster":
        check.prob("graph.p")
    if g.kind == "ws":
        check.prob("graph.p")
        check.at_least("graph.k", 2)
        if g.k >= g.n or g.k % 2:
            check.fail("graph.k", g.k, f"an even k with 2 <= k < graph.n={g.n}")
    if g.kind in ("er", "sbm"):
        check.within("graph.mean_degree", 0.0, g.n - 1, lo_open=True)
    if g.kind == "sbm":
        check.prob("graph.homophily")
        check.at_least("graph.communities", 1)
        if g.communities > g.n:
            check.fail("graph.communities", g.communities, f"1 <= communities <= graph.n={g.n}")
        block = g.n / g.communities
        inside, outside = g.homophily * g.mean_degree, (1 - g.homophily) * g.mean_degree
        if inside > block - 1 or outside > g.n - block:
            check.fail("graph.mean_degree", g.mean_degree,
                       f"a mean degree reachable with {g.communities} blocks of ~{block:.0f} "
                       f"consumers and homophily {g.homophily}: homophily * mean_degree <= "
                       f"{block - 1:.0f}")
    if g.kind == "file":
        path = Path(str(g.path)).expanduser()
        if not path.is_file():
            check.fail("graph.path", str(g.path), "an existing edge-list file")


def graph_size(g: Any) -> int | None:
    """The number of consumers a graph config asks for (None for a file: known once loaded)."""
    return None if g.kind == "file" else int(g.n)
