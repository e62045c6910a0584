"""The whole run's schema: :class:`Config` assembled from the config families
(:mod:`sim.config`) and the strategy plugins (:mod:`sim.strategies`), its registration with
Hydra's ConfigStore, :func:`validate`, and the one conversion from Hydra's DictConfig to plain
dataclasses (:func:`to_plain`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from omegaconf import MISSING, OmegaConf
from omegaconf.errors import MissingMandatoryValue

from sim.config import (
    GRAPH_SCHEMAS,
    PRESET_SCHEMAS,
    Checker,
    GraphConfig,
    ModelConfig,
    PopulationConfig,
    ValueConfig,
    WomModelConfig,
    check_count_within_graph,
    expected_ties,
    validate_graph,
    validate_population,
    validate_preset,
    validate_value,
    validate_wom,
)
from sim.config.checks import clip
from sim.config.resources import (
    BYTES_PER_GREEDY_SAMPLE,
    BYTES_PER_STEP,
    check_fits,
    graph_and_model_bytes,
)
from sim.engines import ENGINES
from sim.errors import ConfigError
from sim.graphs import Graph
from sim.strategies import (
    STRATEGY_SCHEMAS,
    StrategySet,
    active_strategies,
    allocate_budgets,
    validate_strategies,
)
from sim.strategies.kol import validate_kol_graph


@dataclass
class OutputConfig:
    """What a run writes besides metrics.json and timeseries.csv."""

    plot: bool = True
    summary: bool = True


@dataclass
class Config:
    """The whole run: graph, population, model, strategies, seed and length."""

    graph: GraphConfig = MISSING
    model: ModelConfig = MISSING
    strategy: StrategySet = field(default_factory=StrategySet)
    budget: float | None = None
    budget_shares: dict[str, float] = field(default_factory=dict)
    population: PopulationConfig = field(default_factory=PopulationConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    value: ValueConfig = field(default_factory=ValueConfig)
    baseline: str = "twin"
    seed: int = 0
    steps: int = 180
    engine: str = "vectorized"
    threads: int | None = None
    resume: bool = True


def register_configs() -> None:
    """Register the schemas with Hydra's ConfigStore (idempotent)."""
    from hydra.core.config_store import ConfigStore

    cs = ConfigStore.instance()
    cs.store(name="base_config", node=Config)
    # The options of the graph and model groups are YAML files (sim/configs/graph/, model/),
    # each extending its schema here through its defaults list (/schema/graph/<kind>@_here_).
    # (Storing a schema under its option's own name relies on Hydra's automatic schema matching,
    # deprecated since Hydra 1.1: a warning on every run, and announced for removal.)
    for name, schema in GRAPH_SCHEMAS.items():
        cs.store(group="schema/graph", name=name, node=schema)
    cs.store(group="schema/model", name="wom", node=WomModelConfig)
    for name, schema in PRESET_SCHEMAS.items():
        cs.store(group="schema/model", name=name, node=schema)
    cs.store(group="strategy", name="none", node={}, package="strategy")
    for name, schema in STRATEGY_SCHEMAS.items():
        cs.store(group="strategy", name=name, node=schema, package=f"strategy.{name}")


def to_plain(cfg: Any) -> Any:
    """A composed DictConfig as plain dataclasses (:class:`Config` and its parts); anything
    else is returned as it is. The model's daily code reads attributes of plain dataclasses,
    which is much faster than reading a DictConfig."""
    return OmegaConf.to_object(cfg) if OmegaConf.is_config(cfg) else cfg


#: what a required key (``???`` in a config file) takes, for its error message
REQUIRED_HINTS = {"graph.path": "a path to an edge-list file (graph=file needs graph.path=...)"}


def checked_plain(cfg: Any) -> Any:
    """:func:`to_plain`, with a required value left unset (``???``) reported as a one-line
    ConfigError naming its key."""
    try:
        return to_plain(cfg)
    except MissingMandatoryValue as err:
        key = str(err.full_key or err.key)
        raise ConfigError(f"{key}='???' is invalid: allowed "
                          f"{REQUIRED_HINTS.get(key, 'a value: the key is required')}") from None


def validate(cfg: Any) -> None:
    """Check every value of a composed config; raise ConfigError naming the first bad key.

    Includes whether the run fits in this machine's memory (:func:`validate_memory`); what
    depends on a loaded file's graph is checked by :func:`validate_against_graph`."""
    cfg = checked_plain(cfg)  # plain dataclasses: checking them is ~5x faster
    check = Checker(cfg)
    check.integer("steps", 1)
    if not (isinstance(cfg.seed, int) and cfg.seed >= 0):
        check.fail("seed", cfg.seed, "an integer >= 0")
    check.one_of("engine", tuple(ENGINES))
    if getattr(cfg, "threads", None) is not None:
        check.integer("threads", 1)
    validate_graph(check)
    validate_population(check)
    if cfg.model.name == "wom":
        validate_wom(check)
    else:
        validate_preset(check)
    validate_strategies(check)
    validate_value(check)
    validate_memory(check)


def _greedy_samples(cfg: Any) -> int:
    kol = getattr(cfg.strategy, "kol", None)
    return int(kol.greedy_samples) if kol is not None and kol.selector == "greedy" else 0


def _runs_twin(cfg: Any) -> bool:
    """Whether the run also runs its twin without strategies (:mod:`sim.twin`)."""
    return (cfg.model.name == "wom" and getattr(cfg, "baseline", "none") == "twin"
            and bool(active_strategies(cfg.strategy)))


def validate_memory(check: Checker, graph: Graph | None = None) -> None:
    """Refuse a run that cannot fit in this machine's memory (:mod:`sim.config.resources`):
    before any work for a generated graph (from its expected ties), or, given the ``graph``
    loaded from a file, before the model is built."""
    cfg = check.cfg
    g = cfg.graph
    if graph is None:
        ties = expected_ties(g)
        if ties is None:  # a file: checked once loaded
            return
        n, key, value = float(g.n), "graph.n", g.n
        detail = f"graph={g.kind} with n={g.n:,}: ~{ties:.3g} ties"
    else:
        n, ties, key, value = float(graph.n), float(graph.num_edges), "graph.path", g.path
        detail = f"{graph.n:,} consumers and {graph.num_edges:,} ties loaded"
    models = 2 if _runs_twin(cfg) else 1
    graph_bytes = graph_and_model_bytes(g.kind, n, ties, cfg.engine, built=graph is not None,
                                        models=models,
                                        strategies=bool(active_strategies(cfg.strategy)))
    samples = _greedy_samples(cfg)
    parts = {key: (value, graph_bytes),
             "steps": (cfg.steps, models * BYTES_PER_STEP * cfg.steps),
             "strategy.kol.greedy_samples": (samples, BYTES_PER_GREEDY_SAMPLE * samples)}
    check_fits(check, parts, f"{detail}, engine={cfg.engine}, {cfg.steps:,} steps"
               + (f", {samples:,} greedy samples" if samples else "")
               + (", and the twin without strategies" if models == 2 else ""))


def validate_against_graph(cfg: Any, graph: Graph) -> None:
    """The checks that need the run's graph, made once it exists and before the model is
    built: for a loaded file, that it has a tie, that the run fits in memory and that counts
    of consumers (``model.initial_aware_count``, ``model.seeds``, ``model.initial_infected``,
    ``strategy.kol.k``) do not exceed its consumers; for every graph, that ``model.seed_ids``
    are its nodes and that KOLs can be found and paid (:func:`~sim.strategies.kol.
    validate_kol_graph`). Raises ConfigError naming the key."""
    cfg = checked_plain(cfg)
    check = Checker(cfg)
    n = graph.n
    if cfg.graph.kind == "file":
        if graph.num_edges == 0:
            check.fail("graph.path", str(cfg.graph.path),
                       f"a file with an edge between two different consumers (this one has "
                       f"{n:,} consumer{'s' if n != 1 else ''} and no such edge; self-loops "
                       f"are dropped)")
        validate_memory(check, graph)
    where = "graph.n" if cfg.graph.kind != "file" else "consumers in graph.path"
    m = cfg.model
    for key in ("initial_aware_count", "seeds", "initial_infected"):
        if hasattr(m, key):
            check_count_within_graph(check, f"model.{key}", 0 if key == "initial_aware_count"
                                     else 1, n, where)
    if getattr(m, "seed_ids", None):
        missing = _missing_ids(m.seed_ids, graph)
        if missing:
            check.fail("model.seed_ids", list(m.seed_ids),
                       f"ids of the graph's nodes; not found: {clip(repr(missing[:5]))}")
    kol = getattr(cfg.strategy, "kol", None)
    if kol is not None and cfg.model.name == "wom":
        if kol.k is not None:
            check_count_within_graph(check, "strategy.kol.k", 0, n, where)
        configs = active_strategies(cfg.strategy)
        budget = allocate_budgets(configs, cfg.budget, dict(cfg.budget_shares))["kol"]
        budget_key = "strategy.kol.budget" if kol.budget is not None else "budget"
        validate_kol_graph(check, graph, budget, budget_key)


def _missing_ids(ids: list[Any], graph: Graph) -> list[Any]:
    """The ``ids`` that name no node of ``graph`` (labels of a loaded graph, else numbers)."""
    if graph.labels is not None:
        known = {str(label) for label in graph.labels.tolist()}
        return [x for x in ids if str(x) not in known]
    return [x for x in ids if not (isinstance(x, int) and 0 <= x < graph.n)]
