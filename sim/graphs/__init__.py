"""Social networks: the :class:`Graph` type, generators for each ``graph.kind`` and edge lists."""

from sim.graphs.base import Graph
from sim.graphs.edgelist import load_edgelist
from sim.graphs.generators import BUILDERS, assign_tie_strength, build_graph

__all__ = ["BUILDERS", "Graph", "assign_tie_strength", "build_graph", "load_edgelist"]
