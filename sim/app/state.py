"""The dashboard's state logic, in plain Python (no UI): unit-testable without a browser.

A dashboard shows two scenarios of one :class:`World` (graph kind and size, seed, horizon): A, the
plan the brand has now, and B, the what-if. Each :class:`Scenario` is a handful of controls
(product quality, negativity bias, strategies and their key parameters, budget). The path from
controls to models is the command line's:

    controls -> :func:`scenario_overrides` (Hydra overrides) -> :func:`scenario_config`
    (:func:`~sim.compose.compose_config`, :func:`~sim.schema.validate`) -> ``build_model``

so :func:`scenario_command` (the ``womsim`` command with those overrides) reproduces a scenario
exactly. :class:`Comparison` builds both models on one shared graph and the same seed (common
random numbers: both face the same consumers and the same luck, so their differences are the
controls' effect), steps them together and reports their KPIs and the differences B - A.

Invalid controls raise :class:`ControlError` with a one-line message naming the control, the
value and what is allowed (or the config key, for checks made by :func:`sim.schema.validate`).
"""

from __future__ import annotations

import math
import numbers
import shlex
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

import mesa
import numpy as np
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.catalog import SOURCES
from sim.compose import compose_config
from sim.config import WomModelConfig
from sim.errors import UserError
from sim.graphs import Graph, build_graph
from sim.metrics import conversion_counts, cost_metrics
from sim.model import WomModel
from sim.population import sentiment_codes
from sim.run import build_model
from sim.schema import validate
from sim.strategies.ads import AdsConfig
from sim.strategies.fast_response import FastResponseConfig
from sim.strategies.kol import KOL_SELECTORS, KolConfig
from sim.strategies.rewards import RewardsConfig
from sim.streams import Streams

Which = Literal["a", "b"]

#: graph kinds offered by the dashboard (``graph=file`` needs a path: use the command line)
GRAPH_KINDS = ("ba", "ws", "er", "powerlaw_cluster", "sbm", "complete")
#: strategies, in the order of ``strategy=[...]``
STRATEGY_NAMES = ("kol", "rewards", "fast_response", "ads")
#: the dashboard's size limits (the ``womsim`` command has none)
MAX_CONSUMERS = 200_000
MAX_COMPLETE = 3_000
#: the (sampled, compiled) betweenness selector takes ~3 s at 50,000 consumers, ~6 s at 100,000
MAX_BETWEENNESS = 50_000
#: KPIs compared between the scenarios, in display order (their labels: :mod:`sim.catalog`)
KPIS = ("reach", "customers", "net_sentiment", "mean_loyalty", "cost_per_customer")
#: sentiment status of a consumer in :meth:`Comparison.status`
UNAWARE, NEUTRAL, PROMOTER, DETRACTOR = 0, 1, 2, 3
#: time series offered by :meth:`Comparison.timeseries`
SERIES = ("step", "reach", "customers", "net_sentiment", "mean_loyalty")


class ControlError(UserError):
    """A dashboard control has a value the simulator does not allow; the message says which
    control, the value and what is allowed."""


# --------------------------------------------------------------------------------------------
# controls


@dataclass(frozen=True)
class Control:
    """What one control accepts.

    Attributes
    ----------
    label : str
        The control's name on the page (used in error messages).
    kind : {"int", "float", "choice", "multi", "optional_float"}
        ``multi``: a subset of ``choices``; ``optional_float``: a number or ``None``.
    lo, hi : float or None
        Inclusive bounds of a number (``None``: unbounded on that side).
    choices : tuple of str
        Allowed values of a ``choice`` or ``multi`` control.
    """

    label: str
    kind: Literal["int", "float", "choice", "multi", "optional_float"]
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()

    def check(self, name: str, value: Any) -> Any:
        """Return ``value`` normalised (ints as int, floats as float, subsets as a tuple in
        ``choices`` order), or raise :class:`ControlError`."""
        if self.kind == "choice":
            if value not in self.choices:
                self._fail(name, value, "one of " + ", ".join(self.choices))
            return value
        if self.kind == "multi":
            if isinstance(value, str) or not _is_iterable(value):
                self._fail(name, value, "a list of " + ", ".join(self.choices))
            chosen = list(value)
            for item in chosen:
                if item not in self.choices:
                    self._fail(name, value, "a list of " + ", ".join(self.choices))
            return tuple(c for c in self.choices if c in chosen)
        if self.kind == "optional_float" and value is None:
            return None
        given = value
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                self._fail(name, value, "an integer " + self._range())
            value = int(value)
        else:
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(
                    value):
                extra = " or empty (no limit)" if self.kind == "optional_float" else ""
                self._fail(name, value, "a number " + self._range() + extra)
            value = float(value)
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            what = "an integer " if self.kind == "int" else "a number "
            extra = " or empty (no limit)" if self.kind == "optional_float" else ""
            self._fail(name, given, what + self._range() + extra)
        return value

    def _range(self) -> str:
        if self.lo is not None and self.hi is not None:
            return f"in [{_fmt(self.lo)}, {_fmt(self.hi)}]"
        if self.lo is not None:
            return f">= {_fmt(self.lo)}"
        if self.hi is not None:
            return f"<= {_fmt(self.hi)}"
        return ""

    def _fail(self, name: str, value: Any, allowed: str) -> None:
        raise ControlError(f"{self.label} ({name}) = {value!r} is invalid: allowed {allowed}")


def _is_iterable(value: Any) -> bool:
    try:
        iter(value)
    except TypeError:
        return False
    return True


#: the controls shared by both scenarios
WORLD_CONTROLS: dict[str, Control] = {
    "graph": Control("Graph kind", "choice", choices=GRAPH_KINDS),
    "n": Control("Consumers", "int", 10, MAX_CONSUMERS),
    "seed": Control("Seed", "int", 0, 2**31 - 1),
    "steps": Control("Horizon (days)", "int", 1, 3650),
}

#: the controls of one scenario
SCENARIO_CONTROLS: dict[str, Control] = {
    "quality": Control("Product quality", "float", 0.0, 1.0),
    "negativity_bias": Control("Negativity bias", "float", 1.0, 100.0),
    "strategies": Control("Strategies", "multi", choices=STRATEGY_NAMES),
    "kol_k": Control("KOL count", "int", 0, 100_000),
    "kol_selector": Control("KOL selector", "choice", choices=KOL_SELECTORS),
    "referral_reward": Control("Referral reward", "float", 0.0, 1e9),
    "reward_credibility": Control("Reward credibility", "float", 0.0, 1.0),
    "response_delay": Control("Response delay", "float", 0.0, 1e6),
    "response_unit": Control("Response delay unit", "choice", choices=("hours", "days")),
    "response_capacity": Control("Responses per day", "int", 0, 10_000_000),
    "ads_impressions": Control("Ad impressions per day", "float", 0.0, 1e12),
    "budget": Control("Budget", "optional_float", 0.0, None),
}


@dataclass(frozen=True)
class World:
    """What both scenarios share: the graph (kind and number of consumers), the seed and the
    horizon in days. Values are checked on construction (:class:`ControlError`)."""

    graph: str = "ba"
    n: int = 2000
    seed: int = 0
    steps: int = 180

    def __post_init__(self) -> None:
        _check_fields(self, WORLD_CONTROLS)
        if self.graph == "complete" and self.n > MAX_COMPLETE:
            raise ControlError(f"Consumers (n) = {self.n} is invalid for a complete graph: allowed "
                               f"at most {MAX_COMPLETE} (every pair is a tie)")


@dataclass(frozen=True)
class Scenario:
    """One scenario's controls. Parameters of a strategy matter only while it is selected.

    Defaults are the simulator's (``sim.config``); values are checked on construction
    (:class:`ControlError`). ``strategies`` is kept in the order of :data:`STRATEGY_NAMES`.
    """

    quality: float = WomModelConfig.quality
    negativity_bias: float = WomModelConfig.negativity_bias
    strategies: tuple[str, ...] = ()
    kol_k: int = KolConfig.k
    kol_selector: str = KolConfig.selector
    referral_reward: float = RewardsConfig.referral_reward
    reward_credibility: float = RewardsConfig.credibility
    response_delay: float = FastResponseConfig.delay
    response_unit: str = FastResponseConfig.delay_unit
    response_capacity: int = FastResponseConfig.capacity
    ads_impressions: float = AdsConfig.impressions_per_day
    budget: float | None = None

    def __post_init__(self) -> None:
        _check_fields(self, SCENARIO_CONTROLS)


def _check_fields(obj: World | Scenario, controls: dict[str, Control]) -> None:
    for f in fields(obj):
        object.__setattr__(obj, f.name, controls[f.name].check(f.name, getattr(obj, f.name)))


def _fmt(x: float | int) -> str:
    """A number as Hydra reads it back exactly (integral floats without ``.0``)."""
    if isinstance(x, numbers.Integral):
        return str(int(x))
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


# --------------------------------------------------------------------------------------------
# controls -> overrides -> config -> command


def scenario_overrides(world: World, scenario: Scenario) -> list[str]:
    """The Hydra overrides of a scenario, in the command line's syntax.

    Every control is written out, so the result does not depend on the configs' defaults; a
    strategy's parameters appear only when the strategy is selected.

    Examples
    --------
    >>> scenario_overrides(World(n=500), Scenario(strategies=("kol",), kol_k=5))[:4]
    ['graph=ba', 'graph.n=500', 'seed=0', 'steps=180']
    """
    s = scenario
    out = [f"graph={world.graph}", f"graph.n={world.n}", f"seed={world.seed}",
           f"steps={world.steps}", f"model.quality={_fmt(s.quality)}",
           f"model.negativity_bias={_fmt(s.negativity_bias)}"]
    if not s.strategies:
        out.append("strategy=none")
    elif len(s.strategies) == 1:
        out.append(f"strategy={s.strategies[0]}")
    else:
        out.append(f"strategy=[{','.join(s.strategies)}]")
    if "kol" in s.strategies:
        out += [f"strategy.kol.k={s.kol_k}", f"strategy.kol.selector={s.kol_selector}"]
    if "rewards" in s.strategies:
        out += [f"strategy.rewards.referral_reward={_fmt(s.referral_reward)}",
                f"strategy.rewards.credibility={_fmt(s.reward_credibility)}"]
    if "fast_response" in s.strategies:
        out += [f"strategy.fast_response.delay={_fmt(s.response_delay)}",
                f"strategy.fast_response.delay_unit={s.response_unit}",
                f"strategy.fast_response.capacity={s.response_capacity}"]
    if "ads" in s.strategies:
        out.append(f"strategy.ads.impressions_per_day={_fmt(s.ads_impressions)}")
    if s.budget is not None:
        out.append(f"budget={_fmt(s.budget)}")
    return out


_COMPOSE_LOCK = threading.Lock()


def compose_overrides(overrides: list[str], *, label: str = "") -> DictConfig:
    """Compose and validate a config from overrides, turning every failure into a one-line
    :class:`ControlError` (prefixed with ``label``, e.g. ``"Scenario B"``)."""
    prefix = f"{label}: " if label else ""
    try:
        with _COMPOSE_LOCK:  # Hydra's global state: one composition at a time
            cfg = compose_config(*overrides)
        validate(cfg)
    except UserError as err:
        raise ControlError(f"{prefix}{err}") from err
    except (HydraException, OmegaConfBaseException) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ControlError(f"{prefix}{first}") from err
    return cfg


def check_responsive(world: World, scenario: Scenario, *, label: str = "") -> None:
    """Refuse combinations that would keep the dashboard busy for minutes (the ``womsim``
    command runs them): the betweenness KOL selector on more than :data:`MAX_BETWEENNESS`
    consumers."""
    if ("kol" in scenario.strategies and scenario.kol_selector == "betweenness"
            and world.n > MAX_BETWEENNESS):
        prefix = f"{label}: " if label else ""
        raise ControlError(
            f"{prefix}KOL selector (kol_selector) = 'betweenness' is invalid with {world.n:,} "
            f"consumers: allowed up to {MAX_BETWEENNESS:,} in the dashboard (it takes minutes "
            "beyond); pick another selector or run the womsim command")


def scenario_config(world: World, scenario: Scenario, *, label: str = "") -> DictConfig:
    """The composed, validated config of a scenario (as ``womsim`` would run it)."""
    return compose_overrides(scenario_overrides(world, scenario), label=label)


def scenario_command(world: World, scenario: Scenario) -> str:
    """The ``womsim`` command that runs the scenario (shell-quoted where needed)."""
    return " ".join(["womsim", *(shlex.quote(o) for o in scenario_overrides(world, scenario))])


def command_overrides(command: str) -> list[str]:
    """The overrides of a ``womsim`` command line (the inverse of :func:`scenario_command`)."""
    words = shlex.split(command)
    if not words or words[0] != "womsim":
        raise ValueError(f"not a womsim command: {command!r}")
    return words[1:]


# --------------------------------------------------------------------------------------------
# the shared graph


_GRAPHS: OrderedDict[tuple[str, int], Graph] = OrderedDict()
_GRAPHS_LOCK = threading.Lock()
_GRAPHS_KEPT = 4


def shared_graph(cfg: DictConfig) -> Graph:
    """The graph of ``cfg`` built from its seed's graph stream, as :func:`sim.run.build_model`
    builds it; the last few are kept, so scenarios and rebuilds on one world share one graph."""
    key = (OmegaConf.to_yaml(cfg.graph), int(cfg.seed))
    with _GRAPHS_LOCK:
        graph = _GRAPHS.get(key)
        if graph is None:
            graph = build_graph(OmegaConf.to_object(cfg.graph), Streams(cfg.seed).get("graph"))
            _GRAPHS[key] = graph
            while len(_GRAPHS) > _GRAPHS_KEPT:
                _GRAPHS.popitem(last=False)
        _GRAPHS.move_to_end(key)
        return graph


# --------------------------------------------------------------------------------------------
# the comparison


class Comparison(mesa.Model):
    """Scenarios A and B of one world, built on one graph and stepped together.

    A :class:`mesa.Model` whose constructor takes only keywords, so Mesa's ``ModelController``
    can step it and reset it (``Comparison(**controls)``).

    Parameters
    ----------
    world : World, optional
        Graph, seed and horizon of both scenarios (default ``World()``).
    a : Scenario, optional
        The plan the brand has now (default ``Scenario()``).
    b : Scenario, optional
        The what-if (default: the same as ``a``).
    day : int
        Days to run at once after building (capped at the horizon): a control changed on day
        *t* re-runs both scenarios to day *t*.

    Raises
    ------
    ControlError
        When a scenario's config is invalid (the message starts with ``Scenario A`` or ``B``).

    Attributes
    ----------
    model_a, model_b : WomModel
        The two models; ``model_a.graph is model_b.graph``.
    cfg_a, cfg_b : DictConfig
        Their composed configs.
    lock : threading.RLock
        Held while stepping and while reading, so a page can read while another thread plays.
    """

    def __init__(self, world: World | None = None, a: Scenario | None = None,
                 b: Scenario | None = None, *, day: int = 0) -> None:
        world = World() if world is None else world
        a = Scenario() if a is None else a
        b = a if b is None else b
        for name, value, kind in (("world", world, World), ("a", a, Scenario),
                                  ("b", b, Scenario)):
            if not isinstance(value, kind):
                raise ControlError(f"{name} must be a {kind.__name__}, not {type(value).__name__}")
        for label, scenario in (("Scenario A", a), ("Scenario B", b)):
            check_responsive(world, scenario, label=label)
        cfg_a = scenario_config(world, a, label="Scenario A")
        cfg_b = scenario_config(world, b, label="Scenario B")
        super().__init__(seed=world.seed)
        self.world, self.a, self.b = world, a, b
        self.cfg_a, self.cfg_b = cfg_a, cfg_b
        self.graph = shared_graph(cfg_a)
        self.model_a = self._build(cfg_a, "Scenario A")
        self.model_b = self._build(cfg_b, "Scenario B")
        self.lock = threading.RLock()
        self.running = self.day < world.steps
        for _ in range(min(int(day), world.steps)):
            self._advance()

    def _build(self, cfg: DictConfig, label: str) -> WomModel:
        try:
            model = build_model(cfg, graph=self.graph)
        except UserError as err:
            raise ControlError(f"{label}: {err}") from err
        if not isinstance(model, WomModel):  # pragma: no cover - the app only composes model=wom
            raise ControlError(f"{label}: the dashboard runs the word-of-mouth model only")
        return model

    # -- running ---------------------------------------------------------------------------

    @property
    def day(self) -> int:
        """The day both models have reached (0 before the first step)."""
        return int(self.model_a.t)

    def controls(self) -> dict[str, World | Scenario]:
        """The keywords that rebuild this comparison at day 0 (what Mesa's Reset passes)."""
        return {"world": self.world, "a": self.a, "b": self.b}

    def step(self) -> None:
        """Advance both scenarios by one day; nothing happens past the horizon."""
        self._advance()

    def _advance(self) -> None:
        with self.lock:
            if self.day < self.world.steps:
                self.model_a.step()
                self.model_b.step()
            self.running = self.day < self.world.steps

    def model(self, which: Which) -> WomModel:
        """Scenario ``"a"``'s or ``"b"``'s model."""
        if which == "a":
            return self.model_a
        if which == "b":
            return self.model_b
        raise ValueError(f"which={which!r}: use 'a' or 'b'")

    def scenario(self, which: Which) -> Scenario:
        """Scenario ``"a"``'s or ``"b"``'s controls."""
        if which not in ("a", "b"):
            raise ValueError(f"which={which!r}: use 'a' or 'b'")
        return self.a if which == "a" else self.b

    # -- reading ---------------------------------------------------------------------------

    def kpis(self, which: Which) -> dict[str, float | None]:
        """Today's KPIs of one scenario.

        Returns
        -------
        dict
            ``reach``, ``customers`` (fractions of all consumers), ``net_sentiment``,
            ``mean_loyalty`` (among current customers; ``None`` when there are none),
            ``cost_per_customer`` (cost / consumers who ever bought; ``None`` when nobody did)
            and ``cost`` (spent so far).
        """
        model = self.model(which)
        with self.lock:
            row = model.records[-1]
            ever = int(model.state.ever_customer.sum())
            cost = cost_metrics(model, ever)
        loyalty = row["mean_loyalty"]
        return {
            "reach": float(row["reach"]),
            "customers": float(row["customers"]),
            "net_sentiment": float(row["net_sentiment"]),
            "mean_loyalty": None if loyalty is None or math.isnan(loyalty) else float(loyalty),
            "cost_per_customer": cost["cost_per_customer"],
            "cost": cost["cost"],
        }

    def differences(self) -> dict[str, float | None]:
        """B - A for each of :data:`KPIS` (``None`` where either side has no value)."""
        ka, kb = self.kpis("a"), self.kpis("b")
        return {key: None if ka[key] is None or kb[key] is None else kb[key] - ka[key]
                for key in KPIS}

    def timeseries(self, which: Which) -> dict[str, np.ndarray]:
        """One scenario's daily :data:`SERIES` so far (``mean_loyalty`` NaN without customers)."""
        model = self.model(which)
        with self.lock:
            rows = list(model.records)
        return {key: np.array([r[key] for r in rows], dtype=float) for key in SERIES}

    def conversions(self, which: Which) -> dict[str, int]:
        """Purchases so far by source (every source of :data:`sim.catalog.SOURCES`)."""
        model = self.model(which)
        with self.lock:
            counts = conversion_counts(model)
        return {source.name: int(counts.get(source.name, 0)) for source in SOURCES}

    def status(self, which: Which, nodes: np.ndarray | None = None) -> np.ndarray:
        """Each consumer's sentiment status (``nodes``' only, if given): :data:`UNAWARE`,
        :data:`NEUTRAL`, :data:`PROMOTER` or :data:`DETRACTOR` (int8)."""
        model = self.model(which)
        with self.lock:
            s = model.state
            aware = s.aware if nodes is None else s.aware[nodes]
            attitude = s.attitude if nodes is None else s.attitude[nodes]
            codes = sentiment_codes(attitude, aware, model.params.promoter_threshold)
        out = np.where(aware, NEUTRAL, UNAWARE).astype(np.int8)
        out[codes > 0] = PROMOTER
        out[codes < 0] = DETRACTOR
        return out

    def customers(self, which: Which, nodes: np.ndarray | None = None) -> np.ndarray:
        """Whether each consumer (of ``nodes``, if given) is a customer now."""
        model = self.model(which)
        with self.lock:
            customer = model.state.customer
            return (customer if nodes is None else customer[nodes]).copy()

    def command(self, which: Which) -> str:
        """The ``womsim`` command that reproduces scenario ``which``."""
        return scenario_command(self.world, self.scenario(which))

    def overrides(self, which: Which) -> list[str]:
        """The Hydra overrides of scenario ``which``."""
        return scenario_overrides(self.world, self.scenario(which))


def controls_dict(value: World | Scenario) -> dict[str, Any]:
    """A world's or scenario's controls as a plain dict (``World(**d)`` / ``Scenario(**d)``
    rebuild it)."""
    return asdict(value)
