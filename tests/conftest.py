"""Shared fixtures: compose the real Hydra configs, small hand-made graphs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.compose import compose_config
from sim.graphs import Graph
from sim.schema import register_configs

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

register_configs()


def t_stat(diff: np.ndarray) -> float:
    """A paired difference's mean in standard errors."""
    return float(diff.mean() / (diff.std(ddof=1) / np.sqrt(diff.size)))


def make_config(*overrides: str):
    """The composed default config with ``overrides`` (Hydra override syntax)."""
    return compose_config(*overrides)


@pytest.fixture
def cfg_factory():
    return make_config


def path_graph(n: int, weight: float = 1.0) -> Graph:
    """0 - 1 - ... - (n-1) with equal tie strengths."""
    src = np.arange(n - 1)
    return Graph.from_edges(n, src, src + 1, np.full(n - 1, weight), name=f"path({n})")


def star_graph(leaves: int, weight: float = 1.0) -> Graph:
    """Centre 0 linked to leaves 1..leaves."""
    dst = np.arange(1, leaves + 1)
    return Graph.from_edges(leaves + 1, np.zeros(leaves, dtype=np.int64), dst,
                            np.full(leaves, weight), name=f"star({leaves})")
