"""Over-marketing fatigue: every brand exposure of a consumer counts, recent ones weaken the next
and, past an irritation level, annoy (docs/model.md, "Over-marketing fatigue").

Each consumer holds a stock of recent exposures ``F`` (ad impressions, KOL posts read, reward
and contest nudges, live streams watched, community activities): strategies add today's
exposures ``x`` as they act (:meth:`Fatigue.expose`), and scale their own effect on a consumer
by the **efficacy** ``e = 1 / (1 + F / saturation)`` of the stock as the day began (a boost
``b`` becomes ``1 + (b - 1) e``). At the end of the day the exposures beyond ``irritation``
annoy: ``over = min(x, max(0, F + x - irritation))``; the consumer's attitude falls by
``annoyance * over`` (if aware; not below -1) and their loyalty by as much (through the
loyalty phase's ``loyalty_bonus`` lever). Then ``F = (F + x) (1 - decay)``.

The mechanism is shared by both engines (it runs between their phases, in numpy, on the shared
state), draws no random numbers, and does nothing when off.
"""

from __future__ import annotations

import numpy as np

from sim.graphs import Graph
from sim.population import SOURCE_CODES, State
from sim.rules.csr import row_entries
from sim.rules.levers import Levers

_FROM_KOL = SOURCE_CODES["from_kol"]
#: exposures a day of a standing programme to each consumer it enrols (reward programme,
#: contest invitation): a weekly reminder (assumption)
NUDGE = 1.0 / 7.0


class Fatigue:
    """The fatigue of ``n`` consumers under ``cfg`` (a
    :class:`~sim.config.mechanisms.FatigueConfig`, or None: off).

    Attributes
    ----------
    on : bool
        Whether the mechanism runs.
    stock : float64 array, shape (n,) (empty when off)
        Recent exposures carried into today, already decayed.
    today : float64 array, shape (n,) (empty when off)
        Today's exposures so far.
    exposures, irritated : float, int
        All exposures so far; consumer-days on which exposures annoyed.
    """

    def __init__(self, cfg, n: int):
        self.cfg = cfg
        self.on = bool(cfg is not None and cfg.enabled)
        size = n if self.on else 0
        self.stock = np.zeros(size)
        self.today = np.zeros(size)
        self._efficacy: np.ndarray | None = None
        self.exposures = 0.0
        self.irritated = 0

    def efficacy(self, consumers: np.ndarray | None = None) -> np.ndarray | float:
        """How much an exposure works on each of ``consumers`` (all when None) today:
        ``1 / (1 + stock / saturation)``; 1.0 when off."""
        if not self.on:
            return 1.0
        if self._efficacy is None:
            self._efficacy = 1.0 / (1.0 + self.stock / self.cfg.saturation)
        return self._efficacy if consumers is None else self._efficacy[consumers]

    def boost(self, consumers: np.ndarray | None, factor: float) -> np.ndarray | float:
        """A strategy's multiplier ``factor`` on ``consumers`` after fatigue:
        ``1 + (factor - 1) * efficacy``; ``factor`` itself when off."""
        if not self.on:
            return factor
        return 1.0 + (factor - 1.0) * self.efficacy(consumers)

    def expose(self, consumers: np.ndarray, amount: float | np.ndarray = 1.0) -> None:
        """Count ``amount`` exposures (one each by default; repeats add up) for ``consumers``."""
        if self.on and np.size(consumers):
            np.add.at(self.today, consumers, amount)

    def expose_everyone(self, amount: float) -> None:
        """Count ``amount`` exposures for every consumer (e.g. ad impressions spread at random:
        their expected number per consumer)."""
        if self.on:
            self.today += amount

    def after_brand_actions(self, levers: Levers, graph: Graph) -> None:
        """What fatigue does to today's paid pushes, once the strategies have set their levers:
        paid ads reach each consumer with their ``efficacy``
        (:attr:`~sim.rules.levers.Levers.awareness_factor`), and a KOL's posts are believed as
        much less as the KOL's followers are tired (credibility times their mean efficacy)."""
        if not self.on:
            return
        efficacy = self.efficacy()
        levers.awareness_factor *= efficacy
        kols = np.flatnonzero(levers.post_source == _FROM_KOL)
        for kol in kols:
            followers = graph.indices[graph.indptr[kol]:graph.indptr[kol + 1]]
            if followers.size:
                levers.message_credibility[kol] *= efficacy[followers].mean()

    def after_talk(self, posted: np.ndarray, posters: np.ndarray, levers: Levers, graph: Graph,
                   attention: float) -> None:
        """Count today's KOL posts as exposures of their followers: ``attention * w`` each,
        the chance the follower reads it over a tie of strength ``w``."""
        if not self.on or posters.size == 0:
            return
        kols = posters[(levers.post_source[posters] == _FROM_KOL) & (posted[posters] != 0)]
        if kols.size:
            entries = row_entries(graph.indptr, kols)
            self.expose(graph.indices[entries], attention * graph.tie_strength(entries))

    def end_of_day(self, state: State, levers: Levers) -> None:
        """Today's exposures beyond ``irritation`` lower attitude and loyalty; the stock takes
        today's exposures and decays. Runs before the loyalty phase (which applies the loyalty
        change to customers)."""
        if not self.on:
            return
        cfg, today = self.cfg, self.today
        total = self.stock + today
        over = np.minimum(today, np.maximum(0.0, total - cfg.irritation))
        annoyed = np.flatnonzero(over > 0)
        if annoyed.size:
            drop = cfg.annoyance * over[annoyed]
            aware = state.aware[annoyed]
            who = annoyed[aware]
            state.attitude[who] = np.maximum(-1.0, state.attitude[who] - drop[aware])
            levers.loyalty_bonus[annoyed] -= drop
            self.irritated += int(annoyed.size)
        self.exposures += float(today.sum())
        self.stock = total * (1.0 - cfg.decay)
        today[:] = 0.0
        self._efficacy = None
