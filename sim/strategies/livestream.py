"""Live selling events (livestreams) hosted by the brand or a KOL, on scheduled days."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.config import Checker, StrategyConfig, graph_size
from sim.errors import ConfigError
from sim.population import NOBODY, SOURCE_CODES, VIA_MEDIA, VIA_WOM
from sim.strategies.base import Knob, Strategy, StrategyPlugin
from sim.vocabulary import Metric

if TYPE_CHECKING:
    from sim.world import World

_FROM_LIVESTREAM = SOURCE_CODES["from_livestream"]
#: who hosts the events (``strategy.livestream.host``)
HOSTS = ("brand", "kol")


@dataclass
class LivestreamConfig(StrategyConfig):
    """Live selling events on a schedule: viewers hear the host, get a time-limited offer and
    have their complaints answered live."""

    events: int = 4
    every: int = 7
    host: str = "brand"
    host_node: int | None = None
    watch_share: float = 0.1
    host_attitude: float = 0.8
    credibility: float = 0.6
    weight: float = 1.0
    purchase_boost: float = 2.0
    discount: float = 5.0
    answer_credibility: float = 0.3
    cost_per_event: float = 500.0


def validate_livestream(check: Checker) -> None:
    """Check ``strategy.livestream``."""
    cfg = check.cfg.strategy.livestream
    check.integer("strategy.livestream.events", 0)
    check.integer("strategy.livestream.every", 1)
    check.one_of("strategy.livestream.host", HOSTS)
    if cfg.host_node is not None:
        n = graph_size(check.cfg.graph)
        check.integer("strategy.livestream.host_node", 0, (n - 1) if n is not None else 2**31 - 1,
                      hi_text=f"graph.n-1={n - 1}" if n is not None else None)
    for key in ("watch_share", "credibility", "answer_credibility"):
        check.prob(f"strategy.livestream.{key}")
    check.within("strategy.livestream.host_attitude", -1.0, 1.0)
    check.at_least("strategy.livestream.weight", 0.0)
    check.at_least("strategy.livestream.purchase_boost", 0.0)
    check.price("strategy.livestream.discount")
    check.price("strategy.livestream.cost_per_event")


class LivestreamStrategy(Strategy):
    """``events`` live selling events, on day ``start`` and every ``every`` days after.

    The host is the brand or a KOL (``host_node``, or the consumer with the most followers).
    A share ``watch_share`` of the host's followers watches (the brand's followers: every
    consumer aware of it; a KOL's: their neighbours in the graph), drawn from the strategy's
    stream. Each viewer becomes aware, has news to tell, and is pulled toward the host's
    stance: ``attitude += susceptibility * (1 - exp(-persuasion * weight)) * (host_attitude *
    c - attitude)``, with ``c`` the host's credibility (the brand's 1, a KOL's their own)
    times ``credibility``; the stream is the last persuasive message they heard, so their
    purchase, until they read a post, is attributed ``from_livestream`` (converted by the KOL
    host, or by nobody for the brand). A time-limited offer multiplies the viewers' purchase
    probability that day by ``purchase_boost`` (through
    :attr:`~sim.rules.levers.Levers.purchase_multiplier`) at ``discount`` per sale; it is
    offered only to as many viewers as the budget could pay if all bought. Complaints viewers
    make that day are answered live: their posts' credibility times ``answer_credibility``.
    Each event costs ``cost_per_event``; an event the budget cannot pay is not held.

    State it writes (declared in :mod:`sim.world`): viewers' ``aware``, ``aware_via`` (if new),
    ``attitude``, ``last_news``, ``persuader`` and ``persuader_source``.
    """

    name = "livestream"

    def __init__(self, cfg, budget: float = math.inf):
        super().__init__(cfg, budget)
        self.host = NOBODY
        self.viewers = np.zeros(0, dtype=np.int64)
        self.offered = np.zeros(0, dtype=np.int64)
        self.event_days: list[int] = []
        self.counts = {"livestream_events": 0, "livestream_viewers": 0, "livestream_sales": 0,
                       "livestream_answered": 0}

    def setup(self, model: World, rng: np.random.Generator) -> None:
        super().setup(model, rng)
        cfg = self.cfg
        if cfg.host == "kol":
            n = model.graph.n
            if cfg.host_node is not None and not 0 <= cfg.host_node < n:
                raise ConfigError(f"strategy.livestream.host_node={cfg.host_node} is invalid: "
                                  f"allowed a node of the graph, 0 .. {n - 1}")
            self.host = int(cfg.host_node if cfg.host_node is not None
                            else np.argmax(model.graph.degree))
        self.schedule = {cfg.start + k * cfg.every for k in range(cfg.events)}

    def brand_actions(self, model: World) -> None:
        self.viewers = self.offered = self.viewers[:0]
        cfg, t = self.cfg, model.t
        if t not in self.schedule or self.affordable(cfg.cost_per_event) < 1:
            return
        self.spend(cfg.cost_per_event)
        self.counts["livestream_events"] += 1
        self.event_days.append(t)
        s = model.state
        followers = (np.flatnonzero(s.aware) if self.host == NOBODY
                     else model.graph.neighbors(self.host).astype(np.int64))
        viewers = followers[self.rng.random(followers.size) < cfg.watch_share]
        self.viewers = viewers
        self.counts["livestream_viewers"] += int(viewers.size)
        if viewers.size == 0:
            return
        self._watch(model, viewers)
        offers = min(viewers.size, self.affordable(cfg.discount))
        self.offered = (viewers if offers == viewers.size
                        else np.sort(self.rng.permutation(viewers)[:int(offers)]))
        model.levers.purchase_multiplier[self.offered] *= model.fatigue.boost(self.offered,
                                                                              cfg.purchase_boost)

    def _watch(self, model: World, viewers: np.ndarray) -> None:
        """The viewers hear the host: aware, fresh news, pulled toward the host's stance."""
        cfg, s, p = self.cfg, model.state, model.params
        host_cred = 1.0 if self.host == NOBODY else float(model.traits.credibility[self.host])
        target = cfg.host_attitude * host_cred * cfg.credibility
        new = viewers[~s.aware[viewers]]
        s.aware_via[new] = VIA_MEDIA if self.host == NOBODY else VIA_WOM
        s.aware[viewers] = True
        pull = model.traits.susceptibility[viewers] * -math.expm1(-p.persuasion * cfg.weight)
        pull = pull * model.fatigue.efficacy(viewers)  # a tired viewer listens less
        model.fatigue.expose(viewers)
        s.attitude[viewers] += pull * (target - s.attitude[viewers])
        s.last_news[viewers] = model.t
        s.persuader[viewers] = self.host
        s.persuader_source[viewers] = _FROM_LIVESTREAM

    def after_experience(self, model: World) -> None:
        if self.viewers.size == 0:
            return
        answered = self.viewers[model.day.complained[self.viewers]]
        model.levers.message_credibility[answered] *= self.cfg.answer_credibility
        self.counts["livestream_answered"] += int(answered.size)

    def after_adoption(self, model: World) -> None:
        if self.offered.size == 0:
            return
        sales = int(np.count_nonzero(model.day.bought[self.offered]))
        if sales and self.cfg.discount > 0:  # the offers were limited to what the budget pays
            self.spend(sales * self.cfg.discount)
        self.counts["livestream_sales"] += sales

    def report(self) -> dict:
        return dict(self.counts)


#: the dashboard's controls of the strategy, in display order
CONTROLS = (
    Knob("live_host", "host", "Live stream host", "choice", choices=HOSTS),
    Knob("live_events", "events", "Live streams", "int", 0, 3650, slider=(0, 26, 1), fmt="d"),
)

PLUGIN = StrategyPlugin(
    label="Live streams", controls=CONTROLS,
    name="livestream", schema=LivestreamConfig, strategy=LivestreamStrategy,
    validate=validate_livestream,
    summary="Live selling events hosted by the brand or a KOL on scheduled days: a share of "
            "the host's followers watches, hears of the brand and is pulled toward the host's "
            "stance, gets a time-limited offer (a discount per sale) and has complaints "
            "answered live.",
    metrics=(
        Metric("livestream_events", "live streams held", "", "over the run", None, "count",
               strategy="livestream"),
        Metric("livestream_viewers", "live stream views", "", "viewers summed over events",
               True, "count", strategy="livestream"),
        Metric("livestream_sales", "live stream sales", "", "offer purchases on event days",
               True, "count", strategy="livestream"),
        Metric("livestream_answered", "complaints answered live", "", "by the host", None,
               "count", strategy="livestream"),
    ))
