"""KOL / influencer seeding: pay key opinion leaders to use and talk about the product."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.population import POST_KOL, SOURCE_CODES, VIA_SEEDED
from sim.strategies.base import EPS, Strategy
from sim.strategies.selectors import rank

if TYPE_CHECKING:
    from sim.model import WomModel


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

    def setup(self, model: WomModel, rng: np.random.Generator) -> None:
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

    def brand_actions(self, model: WomModel) -> None:
        cfg, t = self.cfg, model.t
        if self.kols.size == 0 or not cfg.start <= t < cfg.start + cfg.duration:
            return
        if t == cfg.start:
            self._seed(model)
        levers = model.levers
        levers.talk_multiplier[self.kols] *= cfg.talk_boost
        levers.message_credibility[self.kols] *= cfg.credibility
        levers.post_kind[self.kols] = POST_KOL

    def _seed(self, model: WomModel) -> None:
        """Pay the KOLs and give them the product."""
        self.spend(float(self.prices.sum()))
        s, kols, t = model.state, self.kols, model.t
        s.aware_via[kols[~s.aware[kols]]] = VIA_SEEDED
        s.aware[kols] = True
        s.attitude[kols] = self.cfg.attitude
        new = kols[~s.customer[kols]]
        s.loyalty[new] = model.params.initial_loyalty
        s.customer[kols] = True
        s.ever_customer[kols] = True
        s.churned[kols] = False
        s.source[new] = SOURCE_CODES["seeded"]
        s.converted_by[new] = -1
        s.last_news[kols] = t
        model.log_conversions(new)

    def report(self) -> dict:
        return {"kols": int(self.kols.size)}

    def artifacts(self, model: WomModel) -> dict:
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
