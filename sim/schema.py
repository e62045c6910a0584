"""The whole run's schema: :class:`Config` assembled from the config families
(:mod:`sim.config`) and the strategy plugins (:mod:`sim.strategies`), its registration with
Hydra's ConfigStore, :func:`validate`, and the one conversion from Hydra's DictConfig to plain
dataclasses (:func:`to_plain`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from omegaconf import MISSING, OmegaConf

from sim.config import (
    GRAPH_SCHEMAS,
    PRESET_SCHEMAS,
    Checker,
    GraphConfig,
    ModelConfig,
    PopulationConfig,
    ValueConfig,
    WomModelConfig,
    validate_graph,
    validate_population,
    validate_preset,
    validate_value,
    validate_wom,
)
from sim.engines import ENGINES
from sim.strategies import STRATEGY_SCHEMAS, StrategySet, validate_strategies


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


def validate(cfg: Any) -> None:
    """Check every value of a composed config; raise ConfigError naming the first bad key."""
    cfg = to_plain(cfg)  # plain dataclasses: checking them is ~5x faster
    check = Checker(cfg)
    check.at_least("steps", 1)
    if cfg.seed < 0:
        check.fail("seed", cfg.seed, "an integer >= 0")
    check.one_of("engine", tuple(ENGINES))
    if getattr(cfg, "threads", None) is not None:
        check.at_least("threads", 1)
    validate_graph(check)
    validate_population(check)
    if cfg.model.name == "wom":
        validate_wom(check)
    else:
        validate_preset(check)
    validate_strategies(check)
    validate_value(check)
