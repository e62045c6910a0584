"""DiffusionModel: a canonical diffusion preset (Bass, IC, LT, SIR, threshold) as a Mesa model."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.daily import DailyModel
from sim.graphs import Graph
from sim.preset_agents import AgentPreset
from sim.rules.presets import ACTIVE, PRESETS
from sim.streams import Streams

#: columns of timeseries.csv for presets
PRESET_COLUMNS = ("step", "reach", "active", "new_active")


class DiffusionModel(DailyModel):
    """Runs one preset on a graph; ``records`` holds one row per day from 0.

    Parameters
    ----------
    graph : Graph
    cfg : a preset config (``model.*``), with ``name`` one of :data:`~sim.rules.presets.PRESETS`
    seed : int
        Streams ``dynamics.preset`` (the dynamics) and ``dynamics.seeds`` (seed nodes) derive
        from it.
    engine : {"vectorized", "agents"}
        Arrays and CSR (:mod:`sim.rules.presets`), or one Mesa agent per node
        (:mod:`sim.preset_agents`, the reference).

    ``reach`` is the fraction ever active (adopted / activated / infected), ``active`` the fraction
    active now (infectious for SIR; for progressive models equal to reach).
    """

    def __init__(self, graph: Graph, cfg: Any, *, seed: int, engine: str = "vectorized"):
        streams = Streams(seed)
        super().__init__(rng=streams.fresh("mesa"))
        self.graph, self.params = graph, cfg
        self.t = 0
        dynamics, seeds = streams.get("dynamics.preset"), streams.get("dynamics.seeds")
        if engine == "agents":
            self.preset = AgentPreset(self, graph, cfg, dynamics, seeds)
        else:
            self.preset = PRESETS[cfg.name](graph, cfg, dynamics, seeds)
        self.strategies: list = []
        self.records: list[dict] = [self._row(int(self.preset.ever.sum()))]

    def _row(self, new: int) -> dict:
        n = self.graph.n
        return {"step": self.t, "reach": float(self.preset.ever.sum()) / n,
                "active": float((self.preset.status == ACTIVE).sum()) / n, "new_active": new}

    def step(self) -> None:
        """Advance the preset by one day."""
        self.t += 1
        self.records.append(self._row(self.preset.step()))


def preset_metrics(model: DiffusionModel) -> dict:
    """Final figures of a preset run: reach, active, peak_active, peak_step,
    time_to_half_reach, seeds."""
    rows = model.records
    reach = np.array([r["reach"] for r in rows])
    active = np.array([r["active"] for r in rows])
    half = np.flatnonzero(reach >= 0.5)
    return {
        "reach": rows[-1]["reach"],
        "active": rows[-1]["active"],
        "peak_active": float(active.max()),
        "peak_step": int(active.argmax()),
        "time_to_half_reach": int(half[0]) if half.size else None,
        "seed_nodes": [int(i) for i in model.preset.seed_nodes[:100]],
        "cost": 0.0,
    }
