"""What a component may see and touch of a running model: the :class:`World` protocol.

Engines, the per-agent reference, strategies and reporters are typed against this protocol,
never against :class:`~sim.model.WomModel` itself, so no component depends on the whole model
and the model depends on them, not the other way round.

What a component may change:

* **levers** (:class:`~sim.rules.levers.Levers`): a strategy's normal way to act, reset to
  neutral every day;
* **the day record** (:class:`~sim.rules.wom.Day`): filled by the engine's phases, read by
  strategies' hooks and the reporters;
* **state**, only through the documented writes: :meth:`World.give_product` (make consumers
  customers outside the adoption phase), and the state writes a strategy's docstring declares
  (service recovery raises a complainer's attitude and loyalty; a stopped reward programme
  lowers deal seekers' loyalty; a live stream makes its viewers aware, gives them news, pulls
  their attitude toward the host's stance and is the last persuasive message they heard; a
  crisis plan raises the attitude of the consumers it compensates); and ``groups``, a brand
  community's group ties, which change who hears whom.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

    from sim.graphs.base import Graph
    from sim.population import State, Traits
    from sim.rules.crisis import Crisis
    from sim.rules.draws import DayDraws, DrawSource
    from sim.rules.fatigue import Fatigue
    from sim.rules.groups import GroupTies
    from sim.rules.levers import Levers
    from sim.rules.wom import Day


class Spender(Protocol):
    """What reporters read of a strategy: its name, what it spent and its own figures."""

    name: str
    cost: float

    def report(self) -> dict:
        """The strategy's figures for metrics.json."""
        ...


class World(Protocol):
    """The running word-of-mouth model as its components see it.

    Attributes
    ----------
    t : int
        Today (0 before the first step).
    graph : Graph
        The social graph; consumer ``i`` is node ``i``.
    params : WomModelConfig
        The rules' parameters.
    state, traits : State, Traits
        Per-consumer arrays.
    levers : Levers
        Today's modifiers of the rules.
    day : Day or None
        Today's record (None before the first step).
    conversions : list of (day, buyers, sources, converted_by)
        Every purchase so far, one entry per day and kind of conversion.
    strategies : sequence of Spender
        The brand's strategies, in registry order.
    fatigue : Fatigue
        Over-marketing fatigue (:class:`~sim.rules.fatigue.Fatigue`): a strategy counts its
        exposures there (``expose``) and scales its effect by their ``efficacy`` (``boost``);
        it does nothing when off.
    records : list of dict
        The time series so far, one row per day from day 0 (yesterday's is the last).
    crisis : Crisis
        The run's scheduled crisis (:class:`~sim.rules.crisis.Crisis`; ``on`` False without
        one): its days and the consumers hit.
    groups : GroupTies or None
        Extra ties among a brand community's members (:class:`~sim.rules.groups.GroupTies`), a
        second channel of the talk phase; None without a community. The community strategy
        sets it (and its ``muted``) and removes it when the community closes.
    """

    t: int
    graph: Graph
    params: Any
    state: State
    traits: Traits
    levers: Levers
    day: Day | None
    conversions: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]
    strategies: Sequence[Spender]
    fatigue: Fatigue
    records: list[dict]
    crisis: Crisis
    groups: GroupTies | None

    @property
    def draws(self) -> DayDraws:
        """Today's full table of draws (the per-agent reference reads it)."""
        ...

    @property
    def draw_source(self) -> DrawSource:
        """The run's counter-based draws."""
        ...

    @property
    def chunk_bounds(self) -> np.ndarray:
        """How per-consumer passes cut the consumers into chunks (``[0, n]``: serially)."""
        ...

    def log_conversions(self, buyers: np.ndarray) -> None:
        """Remember today's new customers (their source and converter are in ``state``)."""
        ...

    def give_product(self, consumers: np.ndarray, attitude: float, source: str) -> None:
        """Make ``consumers`` aware customers with ``attitude`` today (a gift, a seeding);
        those not yet customers are logged as conversions from ``source``."""
        ...
