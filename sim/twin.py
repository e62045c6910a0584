"""A run's money figures and, for a run with strategies, its counterfactual twin: the same
graph, parameters, population, seed and engine without any strategy.

The twin faces the same consumers and the same draws (common random numbers: the dynamics'
streams do not depend on the strategies), so the difference between the two runs is the plan's
effect, consumer by consumer (:mod:`sim.value`).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

import numpy as np

from sim.model import WomModel
from sim.population import SOURCE_CODES
from sim.value import first_purchases, incremental, run_value

#: twins kept in memory, most recent last: runs of several plans on one world and seed (a
#: sweep job's process, the dashboard, an optimiser's trials) share one twin
TWINS_KEPT = 8
_twins: OrderedDict[tuple, tuple[list[dict], list[tuple]]] = OrderedDict()


def graph_fingerprint(graph: Any) -> str:
    """A digest of a graph's ties and their strengths: graphs built anew from the same config
    and seed (every run builds its own) have the same one."""
    digest = hashlib.blake2b(digest_size=16)
    for array in (graph.indptr, graph.indices, *graph.tie_args()):  # strengths as stored
        digest.update(np.ascontiguousarray(array).view(np.uint8))
    return digest.hexdigest()


def twin_of(model: WomModel, cfg: Any) -> tuple[list[dict], list[tuple]]:
    """The records and conversion log of the run ``model`` would be without strategies, for
    ``cfg.steps`` days: run once per world (graph, parameters, population, seed, length,
    engine) and remembered (:data:`TWINS_KEPT`)."""
    key = (graph_fingerprint(model.graph), repr(model.params), repr(cfg.population),
           int(cfg.seed), int(cfg.steps), cfg.engine)
    if key in _twins:
        _twins.move_to_end(key)
        return _twins[key]
    automatic = getattr(model.engine, "advisor", None) is not None
    threads = None if automatic else getattr(model.engine, "threads", 1)
    twin = WomModel(model.graph, model.params, cfg.population, seed=int(cfg.seed),
                    engine=cfg.engine, threads=threads)
    twin.run(int(cfg.steps))
    _twins[key] = (twin.records, twin.conversions)
    while len(_twins) > TWINS_KEPT:
        _twins.popitem(last=False)
    return twin.records, twin.conversions


def value_figures(model: WomModel, cfg: Any, cost: float) -> tuple[dict, dict[str, np.ndarray]]:
    """The metrics.json figures of the value model for a finished word-of-mouth run, and its
    daily columns (:data:`sim.metrics.VALUE_COLUMNS`).

    With strategies and ``baseline=twin`` the twin is run, the plan's remaining customers are
    valued with the twin's retention, and the incremental figures
    (:func:`sim.value.incremental`) are added; without strategies they are 0 by definition
    (the run is its own twin) and ``roi`` is null. ``baseline=none``: the run's own figures
    only.
    """
    value = cfg.value
    if cfg.baseline == "none":
        plan = run_value(model.records, model.graph.n, value)
        return plan.totals(value.currency), {"revenue": plan.revenue, "margin": plan.margin}
    records, conversions = twin_of(model, cfg) if model.strategies else (None, None)
    out, plan = figures_against(model, value, cost, records, conversions)
    columns = {"revenue": plan.revenue, "margin": plan.margin}
    return out, columns


def figures_against(model: WomModel, value: Any, cost: float, twin_records: Any = None,
                    twin_conversions: Any = None) -> tuple[dict, Any]:
    """The value figures of ``model``'s run so far against its twin's records and conversions
    (None: the run is its own twin, as it is without strategies): the plan's totals, the
    twin's NPV and the incremental figures (:func:`sim.value.incremental`); and the plan's
    :class:`~sim.value.RunValue`. The plan's remaining customers are valued with the twin's
    retention."""
    n, gift = model.graph.n, SOURCE_CODES["seeded"]
    if twin_records is None:
        plan = twin_value = run_value(model.records, n, value)
        twin_conversions = model.conversions
    else:
        twin_value = run_value(twin_records, n, value)
        plan = run_value(model.records, n, value, retention=twin_value.retention)
    out = plan.totals(value.currency)
    plan_first = first_purchases(model.conversions, n, gift)
    twin_first = (plan_first if twin_conversions is model.conversions
                  else first_purchases(twin_conversions, n, gift))
    out.update(baseline_npv=twin_value.npv,
               **incremental(plan, twin_value, plan_first, twin_first, cost=cost, cfg=value))
    return out, plan
