"""The diffusion presets one Mesa agent at a time (``engine=agents``): the readable reference.

Each :class:`Node` decides from the state at the start of the day and the model commits after
everyone has decided, as in :mod:`sim.rules.presets`. Per-edge chances (IC, SIR) are drawn here
one edge at a time from the ``dynamics.preset`` stream, in agent order; the vectorised presets
draw the same Bernoulli trials by geometric skipping, so the two engines agree in distribution,
not draw for draw (tested with two-sample tests over many seeds).
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from sim.graphs import Graph
from sim.rules.presets import ACTIVE, RECOVERED, SUSCEPTIBLE, choose_seeds


class Node(mesa.Agent):
    """One node of a diffusion preset: its status and its neighbours."""

    def __init__(self, model: mesa.Model, index: int, graph: Graph):
        super().__init__(model)
        self.index = index
        self.neighbors = graph.neighbors(index).tolist()
        self.weights = graph.tie_weights(index).astype(float).tolist()
        self.status = SUSCEPTIBLE
        self.next_status = SUSCEPTIBLE
        self.threshold = 0.0


class AgentPreset:
    """Same interface as :class:`sim.rules.presets.Preset` (``status``, ``ever``, ``seed_nodes``,
    ``step()``), run by Mesa agents."""

    def __init__(self, model: mesa.Model, graph: Graph, cfg: Any, rng: np.random.Generator,
                 seed_rng: np.random.Generator):
        self.name, self.cfg, self.rng, self.graph = cfg.name, cfg, rng, graph
        self.nodes = [Node(model, i, graph) for i in range(graph.n)]
        self.ever = np.zeros(graph.n, dtype=bool)
        self.fresh: list[Node] = []
        if cfg.name == "linear_threshold":
            thresholds = rng.random(graph.n)
            for node in self.nodes:
                node.threshold = float(thresholds[node.index])
        if cfg.name == "bass":
            self.seed_nodes = np.zeros(0, dtype=np.int64)
        else:
            count = cfg.initial_infected if cfg.name == "sir" else cfg.seeds
            ids = getattr(cfg, "seed_ids", None)
            self.seed_nodes = choose_seeds(graph, count, ids, seed_rng)
        for i in self.seed_nodes:
            self._activate(self.nodes[int(i)])

    @property
    def status(self) -> np.ndarray:
        """int8 status per node (0 susceptible, 1 active, 2 recovered)."""
        return np.array([node.status for node in self.nodes], dtype=np.int8)

    def _activate(self, node: Node) -> None:
        node.status = ACTIVE
        self.ever[node.index] = True
        self.fresh.append(node)

    def step(self) -> int:
        """One day: every node decides, then all commit; returns the number newly active."""
        decide = getattr(self, f"_decide_{self.name}")
        new = decide()
        for node in new:
            self._activate(node)
        return len(new)

    # each _decide_* returns the nodes that become active today, reading only today's start state
    def _decide_bass(self) -> list[Node]:
        p, q = self.cfg.p, self.cfg.q
        new = []
        for node in self.nodes:
            if node.status == ACTIVE:
                continue
            adopted = sum(self.nodes[j].status == ACTIVE for j in node.neighbors)
            share = adopted / max(len(node.neighbors), 1)
            if self.rng.random() < p + q * share:
                new.append(node)
        return new

    def _decide_independent_cascade(self) -> list[Node]:
        frontier, self.fresh = self.fresh, []
        new: dict[int, Node] = {}
        for node in frontier:
            for j, w in zip(node.neighbors, node.weights, strict=True):
                prob = w if self.cfg.use_weights else self.cfg.p
                if self.rng.random() < prob and self.nodes[j].status == SUSCEPTIBLE:
                    new[j] = self.nodes[j]
            node.status = RECOVERED  # spent its one chance
        return list(new.values())

    def _decide_sir(self) -> list[Node]:
        infectious = [node for node in self.nodes if node.status == ACTIVE]
        new: dict[int, Node] = {}
        for node in infectious:
            for j in node.neighbors:
                if self.rng.random() < self.cfg.beta and self.nodes[j].status == SUSCEPTIBLE:
                    new[j] = self.nodes[j]
        for node in infectious:
            if self.rng.random() < self.cfg.gamma:
                node.status = RECOVERED
        return list(new.values())

    def _decide_linear_threshold(self) -> list[Node]:
        new = []
        for node in self.nodes:
            if self.ever[node.index]:
                continue
            total = sum(node.weights)
            active = sum(w for j, w in zip(node.neighbors, node.weights, strict=True)
                         if self.ever[j])
            if total > 0 and active / total >= node.threshold:
                new.append(node)
        return new

    def _decide_threshold(self) -> list[Node]:
        new = []
        for node in self.nodes:
            if self.ever[node.index] or not node.neighbors:
                continue
            active = sum(self.ever[j] for j in node.neighbors)
            if active >= self.cfg.phi * len(node.neighbors):
                new.append(node)
        return new
