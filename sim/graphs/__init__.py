"""Social networks: the :class:`Graph` type, generators for each ``graph.kind``, edge lists and
a disk cache of built graphs."""

from sim.graphs.base import Graph
from sim.graphs.cache import cached_build
from sim.graphs.edgelist import load_edgelist
from sim.graphs.generators import BUILDERS, assign_tie_strength, build_graph

__all__ = ["BUILDERS", "Graph", "assign_tie_strength", "build_graph", "cached_build",
           "load_edgelist"]
