"""The dashboard's money and plan figures, day by day (plain Python, no UI).

On day *t* a scenario's figures are those its run's metrics.json would hold had the run ended
on day *t* (``womsim ... steps=t``): :func:`run_figures` computes them with the command line's
own functions (:func:`sim.metrics.final_metrics` and the value model, :mod:`sim.value`), so
spend, revenue, NPV, the figures against no plan and each strategy's own figures are the same
numbers a run reports. Labels, units and tooltips come from the one metric table,
:data:`sim.catalog.METRICS`; money is in the config's currency (``value.currency``).

"Against no plan" needs the twin run (the same world, parameters and seed without any
strategy, as :func:`sim.twin.twin_of` builds it) on the same day. The comparison steps it beside
the scenarios (:func:`twin_plan`): a scenario without strategies is its own twin, and a
scenario whose twin is the other scenario (A without strategies and B a plan on the same
parameters: the page's opening) shares that model, so a twin of its own is stepped only when a
plan has no such partner. A day of the model is a few milliseconds even at 100,000 consumers,
so an extra model keeps the page responsive, and the incremental figures are shown on every day
rather than only at the horizon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sim.catalog import METRICS, Metric, metric
from sim.metrics import final_metrics
from sim.model import WomModel
from sim.strategies import PLUGINS
from sim.twin import figures_against
from sim.value import run_value

#: the money and plan KPIs of the page, in display order (labels: :data:`sim.catalog.METRICS`)
MONEY_KPIS = ("cost", "revenue", "npv", "baseline_npv", "incremental_npv", "roi",
              "incremental_customers", "cost_per_incremental_customer", "time_to_half_reach")


# --------------------------------------------------------------------------------------------
# the twin


def twin_key(model: WomModel, cfg: Any) -> tuple:
    """What a run's twin depends on besides the shared graph and seed: the model's parameters,
    the population and the engine."""
    return repr(model.params), repr(cfg.population), str(cfg.engine)


def build_twin(model: WomModel, cfg: Any) -> WomModel:
    """A fresh twin of ``model`` at day 0: the same graph, parameters, population, seed and
    engine without strategies (as :func:`sim.twin.twin_of` builds it)."""
    automatic = getattr(model.engine, "advisor", None) is not None
    threads = None if automatic else getattr(model.engine, "threads", 1)
    return WomModel(model.graph, model.params, cfg.population, seed=int(cfg.seed),
                    engine=cfg.engine, threads=threads)


def twin_plan(models: dict[str, WomModel], cfgs: dict[str, Any]) -> dict[str, WomModel | None]:
    """Each scenario's twin: itself without strategies, else a scenario without strategies on
    the same parameters, else a new model (shared by scenarios with the same parameters);
    None with ``baseline=none`` (no figures against no plan)."""
    twins: dict[str, WomModel | None] = {}
    built: dict[tuple, WomModel] = {}
    plain = {twin_key(m, cfgs[w]): m for w, m in models.items() if not m.strategies}
    for which, model in models.items():
        cfg = cfgs[which]
        if cfg.baseline == "none":
            twins[which] = None
        elif not model.strategies:
            twins[which] = model
        else:
            key = twin_key(model, cfg)
            twin = plain.get(key)
            if twin is None:
                twin = built.get(key)
            if twin is None:
                twin = built[key] = build_twin(model, cfg)
            twins[which] = twin
    return twins


# --------------------------------------------------------------------------------------------
# the figures


def value_so_far(model: WomModel, cfg: Any, twin: WomModel | None, cost: float) -> dict:
    """The value model's metrics.json figures of ``model``'s run so far, ``twin`` being its twin
    on the same day (``model`` itself without strategies; None: own figures only), as
    :func:`sim.twin.value_figures` computes them for a finished run."""
    value = cfg.value
    if twin is None:
        return run_value(model.records, model.graph.n, value).totals(value.currency)
    if twin.t != model.t:
        raise ValueError(f"the twin is on day {twin.t}, the run on day {model.t}")
    own = twin is model
    out, _ = figures_against(model, value, cost, None if own else twin.records,
                             None if own else twin.conversions)
    return out


def run_figures(model: WomModel, cfg: Any, twin: WomModel | None) -> dict:
    """Every figure metrics.json would hold for ``model``'s run ended today (the run's
    description, seed, steps and the like aside), plus ``budget``: the total of the strategies'
    budgets (``inf``: no limit; None: no strategies)."""
    out = final_metrics(model, model.records)
    out.update(value_so_far(model, cfg, twin, out["cost"]))
    out["budget"] = (float(sum(st.budget for st in model.strategies)) if model.strategies
                     else None)
    return out


# --------------------------------------------------------------------------------------------
# per strategy


@dataclass(frozen=True)
class StrategyFigures:
    """One strategy's figures so far.

    Attributes
    ----------
    name : str
        The strategy (a key of :data:`sim.strategies.PLUGINS`).
    spent, budget : float
        Money spent so far and its budget (``inf``: no limit).
    first_spend, last_spend : int or None
        The first and last day it spent money (None: not yet).
    rows : tuple of (Metric, value)
        Its plugin's metrics (``PLUGIN.metrics``) with today's values, then any other figure
        its report gives.
    """

    name: str
    spent: float
    budget: float
    first_spend: int | None
    last_spend: int | None
    rows: tuple[tuple[Metric, Any], ...]


class SpendLog:
    """The first and last day each strategy of a model spent money (recorded after each day)."""

    def __init__(self) -> None:
        self._cost: dict[str, float] = {}
        self.first: dict[str, int] = {}
        self.last: dict[str, int] = {}

    def record(self, model: WomModel) -> None:
        """Note which strategies spent on the day ``model`` has just run."""
        for st in model.strategies:
            if st.cost > self._cost.get(st.name, 0.0):
                self.first.setdefault(st.name, int(model.t))
                self.last[st.name] = int(model.t)
            self._cost[st.name] = float(st.cost)


def strategy_figures(model: WomModel, log: SpendLog | None = None) -> list[StrategyFigures]:
    """Per active strategy, in the model's order, its spend and its plugin's figures today."""
    out = []
    for st in model.strategies:
        report = st.report()
        declared = PLUGINS[st.name].metrics
        names = {m.name for m in declared}
        rows = [(m, report.get(m.name)) for m in declared]
        rows += [(metric(k), v) for k, v in report.items() if k not in names]
        out.append(StrategyFigures(
            name=st.name, spent=float(st.cost), budget=float(st.budget),
            first_spend=None if log is None else log.first.get(st.name),
            last_spend=None if log is None else log.last.get(st.name), rows=tuple(rows)))
    return out


# --------------------------------------------------------------------------------------------
# text


def format_value(m: Metric, value: Any, currency: str) -> str:
    """A figure as the catalog writes it, money followed by the currency."""
    text = m.format(value)
    if m.display == "money" and text != m.missing:
        return f"{text} {currency}"
    return text


def format_difference(m: Metric, delta: float | None, currency: str) -> str:
    """A difference B - A as the catalog writes it, money followed by the currency."""
    text = m.format_delta(delta)
    return f"{text} {currency}" if m.display == "money" and text != "n/a" else text


def tooltip(m: Metric, currency: str) -> str:
    """What a figure means, from its catalog entry: ``"Cost: EUR, per run."``; money in the
    currency, shares as shares."""
    unit = currency if m.unit == "money" else m.unit
    detail = ", ".join(part for part in (unit, m.about) if part)
    better = {True: " Higher is better.", False: " Lower is better."}.get(m.higher_is_better, "")
    return f"{m.title}: {detail}.{better}" if detail else f"{m.title}.{better}"


def spend_text(spent: float, budget: float | None, currency: str) -> str:
    """``"1,000.00 of 5,000.00 EUR (20%)"``, ``"1,000.00 EUR, no budget limit"`` or, for a
    budget of None (no strategies), ``"0.00 EUR, no strategies"``."""
    money = METRICS["cost"]
    if budget is None:
        return f"{money.format(spent)} {currency}, no strategies"
    if math.isinf(budget):
        return f"{money.format(spent)} {currency}, no budget limit"
    share = f" ({100 * spent / budget:.0f}%)" if budget > 0 else ""
    return f"{money.format(spent)} of {money.format(budget)} {currency}{share}"


def spend_days(first: int | None, last: int | None) -> str:
    """When a strategy spent: ``"on day 1"``, ``"days 1–30"`` or ``"nothing yet"``."""
    if first is None or last is None:
        return "nothing yet"
    return f"on day {first}" if first == last else f"days {first}–{last}"
