"""WomModel: consumers on a social graph hearing, judging, buying, talking and leaving."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.config import PopulationConfig, WomModelConfig
from sim.daily import DailyModel
from sim.engines import ENGINES, Engine
from sim.graphs import Graph
from sim.metrics import snapshot
from sim.population import SOURCE_CODES, VIA_MEDIA, State, Traits
from sim.rules import wom
from sim.rules.crisis import Crisis
from sim.rules.draws import DayDraws, DrawSource
from sim.rules.fatigue import Fatigue
from sim.rules.groups import GroupTies
from sim.rules.levers import Levers
from sim.rules.wom import Day
from sim.strategies import Strategy
from sim.streams import Streams


class WomModel(DailyModel):
    """The word-of-mouth model on a given graph (it is a :class:`~sim.world.World`).

    Parameters
    ----------
    graph : Graph
        The social graph; consumer ``i`` is node ``i``.
    params : WomModelConfig
        The rules' parameters (docs/model.md).
    population : PopulationConfig
        Trait distributions.
    seed : int
        The run's seed; population, dynamics and strategy streams derive from it.
    engine : {"vectorized", "agents"}
        How the phases run: over arrays, or one :class:`~sim.agents.Consumer` at a time.
    strategies : sequence of Strategy
        The brand's strategies; each gets its own stream ``strategy.<name>``.
    threads : int or None
        How many chunks the vectorised engine's kernels split the consumers into, to run on
        that many threads (results are the same for any number); None: as many as there are
        idle cores, looked at again as the run goes (:mod:`sim.threads`).

    Notes
    -----
    :meth:`step` runs one day, in this order:

    1. brand actions: a scheduled crisis (if any) hits its share of customers, strategies set
       today's levers (over-marketing fatigue, when on, weakens paid pushes on tired
       consumers), then (paid and) mass media make consumers aware;
    2. experience: customers use the product (those hit by a crisis feel it worse), may
       complain; strategies react to complaints;
    3. talk: promoters and detractors post, neighbours read and update attitude; strategies
       react to posts;
    4. adoption: aware consumers buy; strategies react to purchases; over-marketing fatigue
       (when on): the day's brand exposures beyond irritation lower attitude and loyalty;
    5. loyalty: customers' loyalty moves, low loyalty churns;
    6. forgetting: attitudes decay toward neutral.

    ``records`` holds one :func:`~sim.metrics.snapshot` row per step, from step 0.
    """

    def __init__(self, graph: Graph, params: WomModelConfig, population: PopulationConfig, *,
                 seed: int, engine: str = "vectorized", strategies: Sequence[Strategy] = (),
                 threads: int | None = 1):
        streams = Streams(seed)
        super().__init__(rng=streams.fresh("mesa"))
        if engine not in ENGINES:
            raise ValueError(f"engine={engine!r}: allowed one of {', '.join(ENGINES)}")
        self.streams = streams
        self.graph = graph
        self.params = params
        self.t = 0
        self.traits = Traits.draw(population, graph.n, streams.get("population"))
        self.state = State.empty(graph.n)
        self._initial_awareness(streams.get("dynamics.initial"))
        self.day: Day | None = None
        self._draws: DayDraws | None = None
        self.levers = Levers.neutral(graph.n)
        self.groups: GroupTies | None = None  # a brand community's group ties, when there is one
        self.fatigue = Fatigue(getattr(params, "fatigue", None), graph.n)
        self.crisis = Crisis(getattr(params, "crisis", None), graph.n,
                             streams.get("dynamics.crisis"))
        self._draw_source = DrawSource(streams, graph.n)
        self.engine: Engine = ENGINES[engine](self, threads)
        self.conversions: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
        self.strategies = list(strategies)
        for strategy in self.strategies:
            strategy.setup(self, streams.get(f"strategy.{strategy.name}"))
        self.records: list[dict] = [snapshot(self, wom.count_state(self.state, params))]

    def _initial_awareness(self, rng: np.random.Generator) -> None:
        aware = rng.random(self.graph.n) < self.params.initial_aware
        if self.params.initial_aware_count:
            aware[rng.choice(self.graph.n, self.params.initial_aware_count, replace=False)] = True
        self.state.aware[aware] = True
        self.state.attitude[aware] = self.params.media_tone
        self.state.last_news[aware] = 0
        self.state.aware_via[aware] = VIA_MEDIA

    def step(self) -> None:
        """Advance one day (phases in the order of the class docstring)."""
        self.t += 1
        self.day = Day(t=self.t)
        self._draws = None
        self.levers.reset(self.chunk_bounds)
        engine = self.engine
        engine.start_day(self)
        self.crisis.brand_phase(self.t, self.state, self.levers)
        for strategy in self.strategies:
            strategy.brand_actions(self)
        self.fatigue.after_brand_actions(self.levers, self.graph)
        engine.brand_and_experience(self)
        for strategy in self.strategies:
            strategy.after_experience(self)
        engine.talk(self)
        self.fatigue.after_talk(self.day.posted, self.day.posters, self.levers, self.graph,
                                self.params.attention)
        for strategy in self.strategies:
            strategy.after_talk(self)
        engine.adoption(self)
        self.log_conversions(self.day.buyers)
        for strategy in self.strategies:
            strategy.after_adoption(self)
        self.fatigue.end_of_day(self.state, self.levers)
        self.records.append(snapshot(self, engine.loyalty_and_forgetting(self)))

    @property
    def draws(self) -> DayDraws:
        """Today's full table of draws (:class:`~sim.rules.draws.DayDraws`), computed on first
        use; the vectorised engine never needs it, it computes the entries it uses on the spot."""
        if self._draws is None:
            self._draws = self._draw_source.day(self.t)
        return self._draws

    @property
    def chunk_bounds(self) -> np.ndarray:
        """How per-consumer passes cut the consumers into chunks that run in parallel
        (``[0, n]``: serially; see :mod:`sim.rules.kernels`)."""
        chunks = getattr(self.engine, "chunks", None)  # the agents engine runs serially
        if chunks is None:
            return np.array([0, self.graph.n], dtype=np.int64)
        return chunks.consumers

    @property
    def draw_source(self) -> DrawSource:
        """The run's counter-based draws (:class:`~sim.rules.draws.DrawSource`)."""
        return self._draw_source

    def give_product(self, consumers: np.ndarray, attitude: float, source: str) -> None:
        """Make ``consumers`` aware customers with ``attitude`` today (a gift, a seeding); those
        not yet customers are logged as conversions from ``source`` (a name of
        :data:`~sim.population.SOURCE_CODES`). See :func:`sim.rules.wom.give_product`."""
        new = wom.give_product(self.state, consumers, t=self.t, attitude=attitude,
                               initial_loyalty=self.params.initial_loyalty,
                               source=SOURCE_CODES[source])
        self.log_conversions(new)

    def log_conversions(self, buyers: np.ndarray) -> None:
        """Remember today's new customers (their source and converter are in ``state``)."""
        if buyers.size:
            buyers = np.array(buyers, dtype=np.int32)  # a copy: the engine reuses its buffers
            self.conversions.append((self.t, buyers, self.state.source[buyers].copy(),
                                     self.state.converted_by[buyers].copy()))
