"""Canonical diffusion models on the same CSR graphs: Bass, independent cascade, linear
threshold, SIR and Watts' threshold model.

Each preset holds ``status`` (int8 per node: 0 susceptible / inactive, 1 active / infectious /
adopted, 2 recovered) and advances one day per :meth:`Preset.step`, returning how many nodes
became active that day. All randomness comes from the generator given at construction (the run's
``dynamics.preset`` stream); seed nodes are drawn from a separate ``dynamics.seeds`` stream.
docs/validation.md states each rule and the theory it is checked against.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from sim.graphs import Graph
from sim.rules.csr import row_entries, successful_entries

SUSCEPTIBLE, ACTIVE, RECOVERED = 0, 1, 2


def choose_seeds(graph: Graph, count: int, ids: list[Any] | None,
                 rng: np.random.Generator) -> np.ndarray:
    """Seed nodes: the given ``ids`` (graph labels for loaded graphs, else node numbers) or
    ``count`` distinct nodes drawn uniformly from ``rng``."""
    if ids is None:
        return rng.choice(graph.n, size=count, replace=False).astype(np.int64)
    if graph.labels is not None:
        lookup = {str(label): i for i, label in enumerate(graph.labels.tolist())}
        missing = [x for x in ids if str(x) not in lookup]
        nodes = [lookup.get(str(x)) for x in ids]
    else:
        missing = [x for x in ids if not (isinstance(x, int) and 0 <= x < graph.n)]
        nodes = list(ids)
    if missing:
        from sim.errors import ConfigError

        raise ConfigError(f"model.seed_ids={list(ids)!r} is invalid: allowed ids of the graph's "
                          f"nodes; not found: {missing[:5]}")
    return np.unique(np.asarray(nodes, dtype=np.int64))


class Preset:
    """Base: ``status`` array, ``ever`` (ever active) and the day counter."""

    name = "preset"

    def __init__(self, graph: Graph, cfg: Any, rng: np.random.Generator,
                 seed_rng: np.random.Generator):
        self.graph, self.cfg, self.rng = graph, cfg, rng
        self.status = np.zeros(graph.n, dtype=np.int8)
        self.ever = np.zeros(graph.n, dtype=bool)
        self.seed_nodes = np.zeros(0, dtype=np.int64)

    def activate(self, nodes: np.ndarray) -> None:
        """Make ``nodes`` active (status 1, ever active)."""
        self.status[nodes] = ACTIVE
        self.ever[nodes] = True

    def step(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError


class Bass(Preset):
    """Each day every non-adopter adopts with probability ``p + q * a_i / k_i`` (a_i adopted
    neighbours of its k_i), decided for all from the state at the start of the day."""

    name = "bass"

    def __init__(self, graph, cfg, rng, seed_rng):
        super().__init__(graph, cfg, rng, seed_rng)
        self.adjacency = graph.adjacency()
        self.degree = np.maximum(graph.degree, 1)

    def step(self) -> int:
        adopted = self.status == ACTIVE
        share = (self.adjacency @ adopted.astype(np.float64)) / self.degree
        prob = self.cfg.p + self.cfg.q * share
        new = ~adopted & (self.rng.random(self.graph.n) < prob)
        self.activate(new)
        return int(new.sum())


class IndependentCascade(Preset):
    """Nodes activated on day t try once, on day t + 1, to activate each inactive neighbour,
    independently with probability ``p`` (or the tie strength when ``use_weights``)."""

    name = "independent_cascade"

    def __init__(self, graph, cfg, rng, seed_rng):
        super().__init__(graph, cfg, rng, seed_rng)
        self.seed_nodes = choose_seeds(graph, cfg.seeds, cfg.seed_ids, seed_rng)
        self.activate(self.seed_nodes)
        self.frontier = self.seed_nodes

    def step(self) -> int:
        g = self.graph
        if self.cfg.use_weights:
            entries = row_entries(g.indptr, self.frontier)
            live = entries[self.rng.random(entries.size) < g.tie_strength(entries)]
        else:
            live = successful_entries(self.rng, g.indptr, self.frontier, self.cfg.p)
        targets = g.indices[live]
        new = np.unique(targets[self.status[targets] == SUSCEPTIBLE]).astype(np.int64)
        self.status[self.frontier] = RECOVERED  # spent its one chance
        self.ever[new] = True
        self.status[new] = ACTIVE
        self.frontier = new
        return int(new.size)


class LinearThreshold(Preset):
    """Each node draws a threshold U(0, 1); it becomes active when the summed weight of its active
    neighbours, normalised by its total tie weight, reaches the threshold (progressive)."""

    name = "linear_threshold"

    def __init__(self, graph, cfg, rng, seed_rng):
        super().__init__(graph, cfg, rng, seed_rng)
        self.threshold = rng.random(graph.n)
        weights = graph.weights
        strength = np.add.reduceat(weights, graph.indptr[:-1]) if graph.nnz else None
        strength = np.where(np.diff(graph.indptr) > 0, strength, 1.0) if graph.nnz else \
            np.ones(graph.n)
        rows = np.repeat(np.arange(graph.n), np.diff(graph.indptr))
        self.influence = sp.csr_array((weights / strength[rows], graph.indices,
                                       graph.indptr), shape=(graph.n, graph.n))
        self.seed_nodes = choose_seeds(graph, cfg.seeds, cfg.seed_ids, seed_rng)
        self.activate(self.seed_nodes)

    def step(self) -> int:
        active = self.ever
        pressure = self.influence @ active.astype(np.float64)
        new = ~active & (pressure >= self.threshold)
        self.activate(new)
        return int(new.sum())


class SIR(Preset):
    """Each day: (1) every node infectious at the start of the day infects each susceptible
    neighbour independently with probability ``beta`` (the newly infected are infectious from
    the next day); (2) every node infectious at the start of the day recovers with probability
    ``gamma``. Transmissibility per edge: T = beta / (beta + gamma - beta * gamma)."""

    name = "sir"

    def __init__(self, graph, cfg, rng, seed_rng):
        super().__init__(graph, cfg, rng, seed_rng)
        self.seed_nodes = choose_seeds(graph, cfg.initial_infected, None, seed_rng)
        self.activate(self.seed_nodes)

    def step(self) -> int:
        g = self.graph
        infectious = np.flatnonzero(self.status == ACTIVE)
        hit = g.indices[successful_entries(self.rng, g.indptr, infectious, self.cfg.beta)]
        new = np.unique(hit[self.status[hit] == SUSCEPTIBLE]).astype(np.int64)
        recover = infectious[self.rng.random(infectious.size) < self.cfg.gamma]
        self.status[recover] = RECOVERED
        self.activate(new)
        return int(new.size)


class WattsThreshold(Preset):
    """A node becomes active when the fraction of its neighbours that are active is at least
    ``phi`` (progressive, synchronous); started from ``seeds`` random nodes."""

    name = "threshold"

    def __init__(self, graph, cfg, rng, seed_rng):
        super().__init__(graph, cfg, rng, seed_rng)
        self.adjacency = graph.adjacency()
        self.degree = graph.degree
        self.seed_nodes = choose_seeds(graph, cfg.seeds, cfg.seed_ids, seed_rng)
        self.activate(self.seed_nodes)

    def step(self) -> int:
        active = self.ever
        count = self.adjacency @ active.astype(np.float64)
        new = ~active & (self.degree > 0) & (count >= self.cfg.phi * self.degree)
        self.activate(new)
        return int(new.sum())


PRESETS: dict[str, type[Preset]] = {cls.name: cls for cls in
                                    (Bass, IndependentCascade, LinearThreshold, SIR,
                                     WattsThreshold)}


def sir_transmissibility(beta: float, gamma: float) -> float:
    """Probability that an infection crosses one edge under the day order of :class:`SIR`."""
    return beta / (beta + gamma - beta * gamma)
