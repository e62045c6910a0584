"""KOL / influencer seeding: pay key opinion leaders to use and talk about the product."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.config import Checker, StrategyConfig, check_count_within_graph, graph_size
from sim.population import SOURCE_CODES
from sim.strategies.base import EPS, Knob, Strategy, StrategyPlugin
from sim.strategies.selectors import rank
from sim.vocabulary import Metric

if TYPE_CHECKING:
    from sim.graphs import Graph
    from sim.world import World

_FROM_KOL = SOURCE_CODES["from_kol"]

#: the ``strategy.kol.selector`` choices (:func:`~sim.strategies.selectors.rank`)
KOL_SELECTORS = ("random", "degree", "pagerank", "betweenness", "kcore", "fringe", "greedy")


@dataclass
class KolTier:
    """Price of one KOL with at least ``min_followers`` followers (graph degree)."""

    min_followers: int = 0
    price: float = 0.0


@dataclass
class KolConfig(StrategyConfig):
    """Seed key opinion leaders: give them the product and boost their posting for a period."""

    k: int | None = 10
    selector: str = "degree"
    min_followers: int = 0
    max_followers: int | None = None
    duration: int = 30
    talk_boost: float = 5.0
    attitude: float = 0.8
    credibility: float = 1.0
    tiers: list[KolTier] = field(default_factory=lambda: [
        KolTier(0, 100.0), KolTier(20, 400.0), KolTier(50, 1000.0), KolTier(100, 2500.0)])
    greedy_samples: int = 10000
    greedy_pass_on: float = 0.3
    betweenness_samples: int = 500


def validate_kol(check: Checker) -> None:
    """Check ``strategy.kol`` (the run's ``budget`` too: KOLs need a number or a budget)."""
    cfg = check.cfg
    kol = cfg.strategy.kol
    check.one_of("strategy.kol.selector", KOL_SELECTORS)
    if kol.k is not None:
        check_count_within_graph(check, "strategy.kol.k", 0, graph_size(cfg.graph))
    check.integer("strategy.kol.min_followers", 0)
    if kol.max_followers is not None:
        check.integer("strategy.kol.max_followers", kol.min_followers,
                      lo_text=f"strategy.kol.min_followers={kol.min_followers}")
    check.integer("strategy.kol.duration", 1)
    check.at_least("strategy.kol.talk_boost", 0.0)
    check.within("strategy.kol.attitude", -1.0, 1.0)
    check.prob("strategy.kol.credibility")
    check.prob("strategy.kol.greedy_pass_on")
    check.integer("strategy.kol.greedy_samples", 1)
    check.integer("strategy.kol.betweenness_samples", 1)
    if len(kol.tiers) == 0:
        check.fail("strategy.kol.tiers", [], "at least one {min_followers, price} tier")
    for i, _ in enumerate(kol.tiers):
        check.integer(f"strategy.kol.tiers.{i}.min_followers", 0)
        check.price(f"strategy.kol.tiers.{i}.price")
    if cfg.budget is None and kol.budget is None and kol.k is None:
        check.fail("strategy.kol.k", None, "a number of KOLs, or a budget to spend on them")


def validate_kol_graph(check: Checker, graph: Graph, budget: float, budget_key: str) -> None:
    """Check ``strategy.kol`` against the run's graph, before the model is built: some
    consumer's follower count (degree) must lie in [``min_followers``, ``max_followers``], and
    a ``budget`` (the KOLs' budget, set at ``budget_key``) other than 0 or unlimited must buy at
    least the cheapest of them. ``k=0`` and a budget of 0 mean no KOLs, and pass."""
    kol = check.cfg.strategy.kol
    if kol.k == 0 or graph.n == 0:
        return
    degree = graph.degree
    candidates = degree >= kol.min_followers
    if kol.max_followers is not None:
        candidates &= degree <= kol.max_followers
    if not candidates.any():
        low, top = int(degree.min()), int(degree.max())
        if kol.min_followers > top:
            check.fail("strategy.kol.min_followers", kol.min_followers,
                       f"at most the graph's largest degree, {top} followers: no consumer of "
                       f"{graph.name} can be a KOL")
        if kol.max_followers is not None and kol.max_followers < low:
            check.fail("strategy.kol.max_followers", kol.max_followers,
                       f"at least the graph's smallest degree, {low} followers: no consumer of "
                       f"{graph.name} can be a KOL")
        check.fail("strategy.kol.min_followers", kol.min_followers,
                   f"a follower range that holds a consumer: nobody in {graph.name} has "
                   f"{kol.min_followers} to {kol.max_followers} followers (degrees run from "
                   f"{low} to {top})")
    if budget <= 0 or math.isinf(budget):
        return
    prices = kol_prices(degree[candidates], kol.tiers)
    cheapest = float(prices.min())
    if cheapest > budget + EPS:
        value = check.cfg.budget if budget_key == "budget" else kol.budget
        share = "" if budget_key != "budget" else f" (the KOLs' share: {budget:g})"
        check.fail(budget_key, value,
                   f"a budget that buys at least one KOL: {budget:g}{share} is below the "
                   f"cheapest candidate's price, {cheapest:g} (strategy.kol.tiers)")


def kol_prices(degree: np.ndarray, tiers) -> np.ndarray:
    """Price of each consumer as a KOL: the price of the highest tier whose ``min_followers``
    their follower count (degree) reaches; consumers below every tier cost the lowest tier."""
    tiers = sorted(tiers, key=lambda tier: tier.min_followers)
    thresholds = np.array([tier.min_followers for tier in tiers])
    prices = np.array([tier.price for tier in tiers], dtype=float)
    index = np.searchsorted(thresholds, degree, side="right") - 1
    return prices[np.clip(index, 0, None)]


class KolStrategy(Strategy):
    """Choose KOLs by a selector, buy as many as ``k`` and the budget allow, then on day
    ``start`` give them the product (customers with attitude ``attitude``) and, for ``duration``
    days, multiply their posting probability by ``talk_boost`` and their posts' credibility by
    ``credibility``. Each KOL costs the price of their follower tier, paid on day ``start``.
    """

    name = "kol"

    def __init__(self, cfg, budget: float = math.inf):
        super().__init__(cfg, budget)
        self.kols = np.zeros(0, dtype=np.int64)
        self.prices = np.zeros(0)

    def setup(self, model: World, rng: np.random.Generator) -> None:
        super().setup(model, rng)
        cfg, graph = self.cfg, model.graph
        degree = graph.degree
        candidates = degree >= cfg.min_followers
        if cfg.max_followers is not None:
            candidates &= degree <= cfg.max_followers
        prices = kol_prices(degree, cfg.tiers)
        n_cand = int(candidates.sum())
        if n_cand == 0 or (cfg.k is not None and cfg.k == 0):
            return
        cheapest = prices[candidates].min()
        wanted = min(n_cand, cfg.k if cfg.k is not None else n_cand,
                     self.affordable(cheapest) if cheapest > 0 else n_cand)
        if wanted == 0:
            return
        edge_prob = None
        if cfg.selector == "greedy":
            edge_prob = np.minimum(1.0, model.params.attention * graph.weights * cfg.greedy_pass_on)
        # non-greedy rankings are cheap: rank everyone so unaffordable picks can be skipped
        limit = wanted if cfg.selector == "greedy" and math.isinf(self.budget) else n_cand
        order = rank(graph, cfg.selector, rng, limit=limit, candidates=candidates,
                     edge_prob=edge_prob, samples=cfg.greedy_samples,
                     betweenness_samples=cfg.betweenness_samples)
        chosen, left = [], self.remaining
        for node in order:
            if len(chosen) == wanted:
                break
            if prices[node] <= left + EPS:
                chosen.append(int(node))
                left -= prices[node]
        self.kols = np.array(chosen, dtype=np.int64)
        self.prices = prices[self.kols]

    def brand_actions(self, model: World) -> None:
        cfg, t = self.cfg, model.t
        if self.kols.size == 0 or not cfg.start <= t < cfg.start + cfg.duration:
            return
        if t == cfg.start:
            self._seed(model)
        levers = model.levers
        levers.talk_multiplier[self.kols] *= cfg.talk_boost
        levers.message_credibility[self.kols] *= cfg.credibility
        levers.post_source[self.kols] = _FROM_KOL

    def _seed(self, model: World) -> None:
        """Pay the KOLs and give them the product."""
        self.spend(float(self.prices.sum()))
        model.give_product(self.kols, self.cfg.attitude, "seeded")

    def report(self) -> dict:
        return {"kols": int(self.kols.size)}

    def artifacts(self, model: World) -> dict:
        labels = model.graph.labels
        ids = [labels[i].item() if labels is not None else int(i) for i in self.kols]
        return {"kols.json": {
            "selector": self.cfg.selector,
            "start": self.cfg.start,
            "duration": self.cfg.duration,
            "kols": [{"id": node_id, "node": int(i), "followers": int(model.graph.degree[i]),
                      "price": float(p)} for node_id, i, p in zip(ids, self.kols, self.prices,
                                                                  strict=True)],
            "cost": self.cost,
        }}


#: the dashboard's controls of the strategy, in display order
CONTROLS = (
    Knob("kol_k", "k", "KOL count", "int", 0, 100_000, slider=(0, 200, 1), fmt="d"),
    Knob("kol_selector", "selector", "KOL selector", "choice", choices=KOL_SELECTORS),
)

PLUGIN = StrategyPlugin(
    label="KOLs", controls=CONTROLS,
    name="kol", schema=KolConfig, strategy=KolStrategy, validate=validate_kol,
    summary="Seed key opinion leaders chosen by a selector (degree, PageRank, betweenness, "
            "k-core, greedy influence, random, fringe): give them the product and boost their "
            "posting for a period; each costs the price of their follower tier.",
    metrics=(
        Metric("kols", "KOLs seeded", "", "given the product", None, "count", strategy="kol"),
    ))
