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
controls' effect), steps them together and reports their KPIs and the differences B - A, and
their money and plan figures (:mod:`sim.app.money`: spend against budget, revenue, NPV and the
figures against no plan, each strategy's own figures), stepping beside them the twin runs those
need.

What each control accepts, and the :class:`World` and :class:`Scenario` they make up, is
:mod:`sim.app.controls`. Invalid controls raise :class:`~sim.app.controls.ControlError` with a
one-line message naming the control, the value and what is allowed (or the config key, for
checks made by :func:`sim.schema.validate`).
"""

from __future__ import annotations

import math
import shlex
import threading
from collections import OrderedDict
from typing import Literal

import mesa
import numpy as np
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.app.controls import ControlError, Scenario, World, budget_overrides, check_responsive
from sim.app.controls import hydra_number as _fmt
from sim.app.money import (
    MONEY_KPIS,
    SpendLog,
    StrategyFigures,
    run_figures,
    strategy_figures,
    twin_plan,
)
from sim.catalog import SOURCES
from sim.compose import compose_config
from sim.errors import UserError
from sim.graphs import Graph, build_graph
from sim.metrics import conversion_counts, cost_metrics
from sim.model import WomModel
from sim.population import sentiment_codes
from sim.run import build_model
from sim.schema import to_plain, validate
from sim.strategies import PLUGINS
from sim.streams import Streams

Which = Literal["a", "b"]

#: KPIs compared between the scenarios, in display order (their labels: :mod:`sim.catalog`)
KPIS = ("reach", "customers", "net_sentiment", "mean_loyalty", "cost_per_customer")
#: sentiment status of a consumer in :meth:`Comparison.status`
UNAWARE, NEUTRAL, PROMOTER, DETRACTOR = 0, 1, 2, 3
#: time series offered by :meth:`Comparison.timeseries`
SERIES = ("step", "reach", "customers", "net_sentiment", "mean_loyalty", "promoters",
          "detractors")


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
    if s.fatigue == "on":  # the model's optional mechanisms: written only when on
        out.append("model.fatigue.enabled=true")
    if s.crisis_day:
        out.append(f"model.crisis.day={s.crisis_day}")
    if not s.strategies:
        out.append("strategy=none")
    elif len(s.strategies) == 1:
        out.append(f"strategy={s.strategies[0]}")
    else:
        out.append(f"strategy=[{','.join(s.strategies)}]")
    for name in s.strategies:  # each selected strategy's own controls (its plugin's)
        for knob in PLUGINS[name].controls:
            value = getattr(s, knob.name)
            if knob.omit_zero and not value:
                continue
            shown = value if isinstance(value, str) else _fmt(value)
            out.append(f"strategy.{name}.{knob.key}={shown}")
    out += budget_overrides(s)
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
            graph = build_graph(to_plain(cfg.graph), Streams(cfg.seed).get("graph"))
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
    twins : dict
        Each scenario's twin (``"a"``, ``"b"``: :func:`sim.app.money.twin_plan`), stepped with
        the scenarios: the scenario itself without strategies, else the other scenario or a
        model of its own; None with ``baseline=none``.
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
        self.twins = twin_plan({"a": self.model_a, "b": self.model_b},
                               {"a": cfg_a, "b": cfg_b})
        self._extra = [m for m in {id(t): t for t in self.twins.values() if t is not None}.values()
                       if m is not self.model_a and m is not self.model_b]
        self._spend = {"a": SpendLog(), "b": SpendLog()}
        self._figures: dict[str, tuple[int, dict]] = {}
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
                for twin in self._extra:
                    twin.step()
                self._spend["a"].record(self.model_a)
                self._spend["b"].record(self.model_b)
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

    def config(self, which: Which) -> DictConfig:
        """Scenario ``"a"``'s or ``"b"``'s composed config."""
        self.scenario(which)
        return self.cfg_a if which == "a" else self.cfg_b

    def currency(self, which: Which) -> str:
        """The label of scenario ``which``'s money figures (``value.currency``)."""
        return str(self.config(which).value.currency)

    def figures(self, which: Which) -> dict:
        """Every figure the run's metrics.json would hold had it ended today (cost, revenue,
        NPV, the figures against no plan, time to half reach, each strategy's, ...), plus
        ``budget`` (the strategies' budgets in total; ``inf``: no limit; None: no strategies);
        computed once a day.
        """
        model = self.model(which)
        with self.lock:
            cached = self._figures.get(which)
            if cached is None or cached[0] != self.day:
                figures = run_figures(model, self.config(which), self.twins[which])
                self._figures[which] = cached = (self.day, figures)
        return cached[1]

    def money(self, which: Which) -> dict[str, float | None]:
        """Today's money and plan KPIs (:data:`sim.app.money.MONEY_KPIS`) and ``budget``;
        the figures against no plan are None with ``baseline=none``."""
        figures = self.figures(which)
        return {key: figures.get(key) for key in (*MONEY_KPIS, "budget")}

    def money_differences(self) -> dict[str, float | None]:
        """B - A for each of :data:`sim.app.money.MONEY_KPIS` (None where either has none)."""
        ma, mb = self.money("a"), self.money("b")
        return {key: None if ma[key] is None or mb[key] is None else mb[key] - ma[key]
                for key in MONEY_KPIS}

    def strategy_figures(self, which: Which) -> list[StrategyFigures]:
        """Per active strategy of scenario ``which``: its spend, budget, the days it spent and
        its plugin's figures today."""
        model = self.model(which)
        with self.lock:
            return strategy_figures(model, self._spend[which])

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
