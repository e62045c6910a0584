"""Engines run the phases of a day: vectorised over arrays, or agent by agent (the reference).

Both read the same draws and levers and write the same state and :class:`~sim.rules.wom.Day`
record, so a run gives the same result on either engine (up to floating-point rounding).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.population import VIA_ADS, VIA_MEDIA
from sim.rules import wom

if TYPE_CHECKING:
    from sim.model import WomModel


class VectorizedEngine:
    """Each phase is a few numpy/scipy operations over all consumers (the default)."""

    name = "vectorized"

    def __init__(self, model: WomModel, threads: int = 1):
        self.scratch = wom.TalkScratch(model.graph.n)
        self.draws = model.draw_source.lazy()
        self.threads = max(1, int(threads))
        self.chunks = wom.Chunks.of(model.graph, self.threads)
        self.buffers: dict[str, np.ndarray] = {}

    def start_day(self, model: WomModel) -> None:
        """The day's arrays reuse the engine's buffers (valid until the next day starts)."""
        model.day.buffers = self.buffers

    def brand(self, m: WomModel) -> None:
        """Phases 1 and 2 together (one parallel region)."""
        wom.brand_and_experience(m.state, m.traits, self.draws, m.levers, m.params, m.day,
                                 self.chunks)

    def experience(self, m: WomModel) -> None:
        """Already done in :meth:`brand`."""

    def talk(self, m: WomModel) -> None:
        wom.talk(m.state, m.traits, m.graph, self.draws, m.levers, m.params, m.day, self.scratch,
                 self.chunks)

    def adoption(self, m: WomModel) -> None:
        wom.adoption(m.state, self.draws, m.params, m.day, self.chunks)

    def loyalty(self, m: WomModel) -> None:
        """Phases 5 and 6 together (one pass), counting the end-of-day state on the way."""
        wom.loyalty_and_forgetting(m.state, self.draws, m.levers, m.params, m.day, self.chunks)

    def forgetting(self, m: WomModel) -> None:
        """Already done in :meth:`loyalty`'s pass."""


class AgentEngine:
    """Each phase asks every :class:`~sim.agents.Consumer` to decide, then every one to commit."""

    name = "agents"

    def __init__(self, model: WomModel, threads: int = 1):
        from sim.agents import Consumer

        for index in range(model.graph.n):
            Consumer(model, index)
        self.consumers = model.agents_by_type[Consumer]

    def start_day(self, m: WomModel) -> None:
        """Allocate the day's record; the agents fill in their own entries."""
        n = m.graph.n
        d = m.day
        for name in ("used", "complained", "heard", "newly_aware_media", "newly_aware_wom",
                     "bought", "churned"):
            setattr(d, name, np.zeros(n, dtype=bool))
        d.satisfaction = np.zeros(n)
        d.heard_signal = np.zeros(n)
        d.posted = np.zeros(n, dtype=np.int8)

    def _phase(self, decide: str, commit: str) -> None:
        self.consumers.do(decide)
        self.consumers.do(commit)

    def brand(self, m: WomModel) -> None:
        self._phase("decide_brand", "commit_brand")
        via = m.state.aware_via[m.day.newly_aware_media]
        m.day.counts["aware_from_media"] = int((via == VIA_MEDIA).sum())
        m.day.counts["aware_from_ads"] = int((via == VIA_ADS).sum())

    def experience(self, m: WomModel) -> None:
        self._phase("decide_experience", "commit_experience")
        m.day.counts["uses"] = int(m.day.used.sum())
        m.day.complainers = np.flatnonzero(m.day.complained)
        m.day.counts["complaints"] = int(m.day.complainers.size)

    def talk(self, m: WomModel) -> None:
        self._phase("decide_post", "commit_post")
        self._phase("decide_listen", "commit_listen")
        m.day.counts["positive_messages"] = int((m.day.posted > 0).sum())
        m.day.counts["negative_messages"] = int((m.day.posted < 0).sum())
        m.day.counts["aware_from_wom"] = int(m.day.newly_aware_wom.sum())
        m.day.posters = np.flatnonzero(m.day.posted)

    def adoption(self, m: WomModel) -> None:
        self._phase("decide_adoption", "commit_adoption")
        m.day.buyers = np.flatnonzero(m.day.bought)
        m.day.counts["purchases"] = int(m.day.buyers.size)

    def loyalty(self, m: WomModel) -> None:
        self._phase("decide_loyalty", "commit_loyalty")
        m.day.counts["churns"] = int(m.day.churned.sum())

    def forgetting(self, m: WomModel) -> None:
        self.consumers.do("forget")


ENGINES = {"vectorized": VectorizedEngine, "agents": AgentEngine}
