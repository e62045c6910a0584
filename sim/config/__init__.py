"""Configuration schemas of the model's parts and their value checks, one module per family.

The dataclasses give Hydra a schema, so a misspelt key or a value of the wrong type fails when
the config is composed; the ``validate_*`` functions then check values and raise a
:class:`~sim.errors.ConfigError` whose one-line message names the key, the value and what is
allowed. Strategies keep their own schemas and checks in their modules; the whole run's schema
(:class:`~sim.schema.Config`) is assembled in :mod:`sim.schema`.
"""

from sim.config.checks import Checker, lookup
from sim.config.graphs import (
    GRAPH_SCHEMAS,
    BAGraphConfig,
    CompleteGraphConfig,
    ERGraphConfig,
    FileGraphConfig,
    GraphConfig,
    PowerlawClusterGraphConfig,
    SBMGraphConfig,
    WSGraphConfig,
    config_for_graph,
    expected_ties,
    graph_size,
    validate_graph,
)
from sim.config.models import (
    PRESET_SCHEMAS,
    BassConfig,
    IndependentCascadeConfig,
    LinearThresholdConfig,
    ModelConfig,
    SeededPresetConfig,
    SIRConfig,
    ThresholdConfig,
    WomModelConfig,
    check_count_within_graph,
    validate_preset,
    validate_wom,
)
from sim.config.population import PopulationConfig, TraitConfig, validate_population
from sim.config.strategy import StrategyConfig, validate_common
from sim.config.value import BASELINES, ValueConfig, validate_value

__all__ = [
    "BASELINES", "GRAPH_SCHEMAS", "PRESET_SCHEMAS", "BAGraphConfig", "BassConfig", "Checker",
    "CompleteGraphConfig", "ERGraphConfig", "FileGraphConfig", "GraphConfig",
    "IndependentCascadeConfig", "LinearThresholdConfig", "ModelConfig", "PopulationConfig",
    "PowerlawClusterGraphConfig", "SBMGraphConfig", "SIRConfig", "SeededPresetConfig",
    "StrategyConfig", "ThresholdConfig", "TraitConfig", "ValueConfig", "WSGraphConfig",
    "WomModelConfig", "check_count_within_graph", "config_for_graph", "expected_ties",
    "graph_size", "lookup", "validate_common", "validate_graph", "validate_population",
    "validate_preset", "validate_value", "validate_wom",
]
