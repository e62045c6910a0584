"""Engines run the phases of a day: vectorised over arrays, or agent by agent (the reference).

Both read the same draws and levers and write the same state and :class:`~sim.rules.wom.Day`
record, so a run gives the same result on either engine (up to floating-point rounding).

An engine has four phase groups, the points between which strategies' hooks run
(:meth:`sim.model.World.step`): ``brand_and_experience`` (phases 1 and 2), ``talk``
(phase 3), ``adoption`` (phase 4) and ``loyalty_and_forgetting`` (phases 5 and 6), which
returns the end-of-day counts of the state for the day's metrics row. ``start_day`` prepares
the day record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numba
import numpy as np

from sim.agents import Consumer
from sim.population import VIA_ADS, VIA_MEDIA
from sim.rules import wom
from sim.threads import MIN_CONSUMERS, RECHECK_DAYS, ThreadAdvisor, auto_threads

if TYPE_CHECKING:
    from sim.world import World


class Engine(Protocol):
    """How a model's day is computed (see the module docstring for the phase groups)."""

    name: str
    threads: int

    def start_day(self, m: World) -> None:
        """Prepare ``m.day`` for today's phases."""
        ...

    def brand_and_experience(self, m: World) -> None:
        """Phases 1 (brand actions, mass media) and 2 (experience, complaints)."""
        ...

    def talk(self, m: World) -> None:
        """Phase 3: posts, reading, attitude updates."""
        ...

    def adoption(self, m: World) -> None:
        """Phase 4: purchases (``m.day.buyers``)."""
        ...

    def loyalty_and_forgetting(self, m: World) -> tuple:
        """Phases 5 (loyalty, churn) and 6 (forgetting); returns the end-of-day counts
        (:func:`sim.rules.wom.count_state`)."""
        ...

    def release(self) -> None:
        """Drop what only the days' phases use (made again by the next day), so that the
        figures computed after a run have that memory."""
        ...


class VectorizedEngine:
    """Each phase is a few numpy/scipy operations over all consumers (the default)."""

    name = "vectorized"

    def __init__(self, model: World, threads: int | None = 1):
        self.scratch: wom.TalkScratch | None = None  # made by the first talk phase
        self.draws = model.draw_source.lazy()
        self.graph = model.graph
        self.buffers: dict[str, np.ndarray] = {}
        self.advisor: ThreadAdvisor | None = None
        if threads is None:  # automatic: one thread per idle core, looked at again and again
            cores = int(numba.config.NUMBA_NUM_THREADS)
            threads = auto_threads(model.graph.n, cores)
            if cores > 1 and model.graph.n >= MIN_CONSUMERS:
                self.advisor = ThreadAdvisor(cores)
                self.advisor.look()
        self._use(max(1, int(threads)))

    def _use(self, threads: int) -> None:
        self.threads = threads
        self.chunks = wom.Chunks.of(self.graph, threads)

    def start_day(self, model: World) -> None:
        """The day's arrays reuse the engine's buffers (valid until the next day starts); an
        automatic run looks at the idle cores every :data:`~sim.threads.RECHECK_DAYS` days and
        changes its chunks to match (results do not depend on them)."""
        model.day.buffers = self.buffers
        if self.advisor is not None and model.t % RECHECK_DAYS == 0:
            advised = self.advisor.advise()
            if advised is not None and advised != self.threads:
                self._use(advised)

    def brand_and_experience(self, m: World) -> None:
        """Phases 1 and 2 in one parallel region."""
        wom.brand_and_experience(m.state, m.traits, self.draws, m.levers, m.params, m.day,
                                 self.chunks)

    def talk(self, m: World) -> None:
        if self.scratch is None:
            self.scratch = wom.TalkScratch(m.graph.n)
        wom.talk(m.state, m.traits, m.graph, self.draws, m.levers, m.params, m.day, self.scratch,
                 self.chunks, m.groups)

    def adoption(self, m: World) -> None:
        wom.adoption(m.state, self.draws, m.params, m.day, self.chunks, m.levers)

    def loyalty_and_forgetting(self, m: World) -> tuple:
        """Phases 5 and 6 in one pass, counting the end-of-day state on the way."""
        return wom.loyalty_and_forgetting(m.state, self.draws, m.levers, m.params, m.day,
                                          self.chunks)

    def release(self) -> None:
        """Drop the talk phase's accumulator rows (56 bytes a consumer)."""
        self.scratch = None


class AgentEngine:
    """Each phase asks every :class:`~sim.agents.Consumer` to decide, then every one to commit."""

    name = "agents"

    threads = 1

    def __init__(self, model: World, threads: int | None = 1):
        for index in range(model.graph.n):
            Consumer(model, index)
        self.consumers = model.agents_by_type[Consumer]  # the model is a mesa.Model

    def start_day(self, m: World) -> None:
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

    def brand_and_experience(self, m: World) -> None:
        self._phase("decide_brand", "commit_brand")
        via = m.state.aware_via[m.day.newly_aware_media]
        m.day.counts["aware_from_media"] = int((via == VIA_MEDIA).sum())
        m.day.counts["aware_from_ads"] = int((via == VIA_ADS).sum())
        self._phase("decide_experience", "commit_experience")
        m.day.counts["uses"] = int(m.day.used.sum())
        m.day.complainers = np.flatnonzero(m.day.complained).astype(np.int32)
        m.day.counts["complaints"] = int(m.day.complainers.size)

    def talk(self, m: World) -> None:
        self._phase("decide_post", "commit_post")
        self._phase("decide_listen", "commit_listen")
        m.day.counts["positive_messages"] = int((m.day.posted > 0).sum())
        m.day.counts["negative_messages"] = int((m.day.posted < 0).sum())
        m.day.counts["aware_from_wom"] = int(m.day.newly_aware_wom.sum())
        m.day.posters = np.flatnonzero(m.day.posted).astype(np.int32)

    def adoption(self, m: World) -> None:
        self._phase("decide_adoption", "commit_adoption")
        m.day.buyers = np.flatnonzero(m.day.bought).astype(np.int32)
        m.day.counts["purchases"] = int(m.day.buyers.size)

    def loyalty_and_forgetting(self, m: World) -> tuple:
        self._phase("decide_loyalty", "commit_loyalty")
        m.day.counts["churns"] = int(m.day.churned.sum())
        self.consumers.do("forget")
        return wom.count_state(m.state, m.params)

    def release(self) -> None:
        """Nothing: the consumers hold what the phases use."""


ENGINES = {"vectorized": VectorizedEngine, "agents": AgentEngine}
