"""Graph schemas (one dataclass per ``graph.kind``) and their value checks."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import MISSING

from sim.config import resources
from sim.config.checks import MAX_INT, Checker, clip
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
        if isinstance(g.n, int) and g.n > MAX_INT:  # no Graph holds it, nor any memory
            available = resources.available_memory()
            need = resources.format_bytes(resources.min_run_bytes(g.n))
            check.fail("graph.n", g.n, f"an integer in [2, {MAX_INT}]: {g.n:,} consumers "
                       f"would need at least {need} of memory"
                       + (f", and {resources.format_bytes(available)} is available"
                          if available else ""))
        check.integer("graph.n", 2, MAX_INT)
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
        try:
            found = path.is_file()
        except OSError as exc:  # e.g. a name too long for the file system
            check.fail("graph.path", str(g.path), f"an existing edge-list file ({exc.strerror})")
        if not found:
            check.fail("graph.path", str(g.path), "an existing edge-list file")
    if g.cache_dir is not None:
        problem = _unwritable(Path(str(g.cache_dir)).expanduser())
        if problem:
            check.fail("graph.cache_dir", str(g.cache_dir),
                       f"a directory that exists or can be created, and can be written ({problem})")


def _unwritable(directory: Path) -> str | None:
    """Why ``directory`` cannot hold cache files (None if it can): it, or the nearest of its
    parents that exists, must be a directory this process may write into."""
    probe = directory
    try:
        while not probe.exists():
            if probe.is_symlink():
                return f"{clip(str(probe))} is a broken link"
            if probe.parent == probe:
                break
            probe = probe.parent
        if not probe.is_dir():
            return f"{clip(str(probe))} is not a directory"
    except OSError as exc:  # e.g. a name too long for the file system
        return exc.strerror or type(exc).__name__
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"{clip(str(probe))} is not writable"
    return None


def expected_ties(g: Any) -> float | None:
    """The number of undirected ties a graph config is expected to have (None for a file)."""
    n = float(g.n) if g.kind != "file" else 0.0
    if g.kind in ("ba", "powerlaw_cluster"):
        return n * g.m
    if g.kind == "ws":
        return n * g.k / 2
    if g.kind in ("er", "sbm"):
        return n * g.mean_degree / 2
    if g.kind == "complete":
        return n * (n - 1) / 2
    return None


def graph_size(g: Any) -> int | None:
    """The number of consumers a graph config asks for (None for a file: known once loaded)."""
    return None if g.kind == "file" else int(g.n)
