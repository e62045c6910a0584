"""Model schemas: the word-of-mouth model's parameters and the canonical diffusion presets,
with their value checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from omegaconf import MISSING

from sim.config.checks import Checker
from sim.config.graphs import graph_size
from sim.config.mechanisms import CrisisConfig, FatigueConfig, validate_mechanisms


@dataclass
class ModelConfig:
    """Which model runs; the word-of-mouth model (``wom``) is the default."""

    name: str = MISSING


@dataclass
class WomModelConfig(ModelConfig):
    """Parameters of the word-of-mouth model; meanings, units and ranges in docs/model.md."""

    name: str = "wom"
    # (1) brand actions: mass-media baseline
    media_awareness: float = 0.002
    media_tone: float = 0.1
    initial_aware: float = 0.0
    initial_aware_count: int = 0
    # (2) experience
    quality: float = 0.7
    quality_noise: float = 0.15
    usage_rate: float = 0.3
    satisfaction_scale: float = 0.2
    experience_weight: float = 0.3
    complaint_threshold: float = 0.5
    complaint_rate: float = 0.3
    # (3) talk
    promoter_threshold: float = 0.3
    negativity_bias: float = 1.25
    detractor_talk: float = 2.5
    hearsay_talk: float = 0.3
    attention: float = 0.5
    audience: float | None = 2.0
    persuasion: float = 1.0
    news_memory: float = 14.0
    # (4) adoption
    max_purchase_rate: float = 0.1
    purchase_midpoint: float = 0.3
    purchase_slope: float = 10.0
    # (5) loyalty
    initial_loyalty: float = 0.5
    satisfaction_loyalty: float = 0.1
    wom_loyalty: float = 0.05
    churn_threshold: float = 0.2
    churn_rate: float = 0.2
    # (6) forgetting
    attitude_decay: float = 0.01
    # optional mechanisms, off unless set (sim/config/mechanisms.py)
    fatigue: FatigueConfig = field(default_factory=FatigueConfig)
    crisis: CrisisConfig = field(default_factory=CrisisConfig)


@dataclass
class SeededPresetConfig(ModelConfig):
    """Presets started from seed consumers: ``seeds`` random ones, or the explicit ``seed_ids``
    (node numbers; for loaded graphs, the ids in the file)."""

    seeds: int = 1
    seed_ids: list[Any] | None = None


@dataclass
class BassConfig(ModelConfig):
    """Bass diffusion: a non-adopter adopts w.p. p + q * (adopted fraction of its neighbours)."""

    name: str = "bass"
    p: float = 0.01
    q: float = 0.3


@dataclass
class IndependentCascadeConfig(SeededPresetConfig):
    """Independent cascade: each newly active node activates each inactive neighbour once, with
    probability ``p`` (or the tie strength when ``use_weights``)."""

    name: str = "independent_cascade"
    p: float = 0.1
    use_weights: bool = False


@dataclass
class LinearThresholdConfig(SeededPresetConfig):
    """Linear threshold: uniform random thresholds, tie weights normalised per node."""

    name: str = "linear_threshold"


@dataclass
class SIRConfig(ModelConfig):
    """Discrete-time SIR: infection (each infectious node, each susceptible neighbour, w.p.
    ``beta``) then recovery (w.p. ``gamma``) every day."""

    name: str = "sir"
    beta: float = 0.1
    gamma: float = 0.2
    initial_infected: int = 1


@dataclass
class ThresholdConfig(SeededPresetConfig):
    """Watts' fractional threshold model: active when a fraction >= ``phi`` of neighbours is."""

    name: str = "threshold"
    phi: float = 0.18


PRESET_SCHEMAS: dict[str, type[ModelConfig]] = {
    "bass": BassConfig,
    "independent_cascade": IndependentCascadeConfig,
    "linear_threshold": LinearThresholdConfig,
    "sir": SIRConfig,
    "threshold": ThresholdConfig,
}


def check_count_within_graph(check: Checker, key: str, lo: int, n: int | None,
                             where: str = "graph.n") -> None:
    """A number of consumers at ``key``: an integer from ``lo`` to the graph's ``n`` consumers
    (``where`` says where n comes from); ``n`` None (a file not loaded yet) checks the range
    only."""
    if n is None:
        check.integer(key, lo)
    else:
        check.integer(key, lo, n, hi_text=f"{where}={n}")


def validate_wom(check: Checker) -> None:
    """Check the word-of-mouth model's parameters."""
    for key in ("media_awareness", "initial_aware", "quality", "usage_rate", "experience_weight",
                "complaint_rate", "attention", "max_purchase_rate", "initial_loyalty",
                "satisfaction_loyalty", "wom_loyalty", "hearsay_talk", "churn_threshold",
                "churn_rate", "attitude_decay", "complaint_threshold", "promoter_threshold"):
        check.prob(f"model.{key}")
    check.within("model.media_tone", -1.0, 1.0)
    check_count_within_graph(check, "model.initial_aware_count", 0, graph_size(check.cfg.graph))
    check.within("model.purchase_midpoint", -1.0, 1.0)
    check.at_least("model.quality_noise", 0.0)
    check.at_least("model.negativity_bias", 1.0)
    check.at_least("model.detractor_talk", 0.0)
    if check.cfg.model.audience is not None:
        check.positive("model.audience")
    check.at_least("model.persuasion", 0.0)
    check.at_least("model.purchase_slope", 0.0)
    check.positive("model.news_memory")
    check.within("model.satisfaction_scale", 0.0, 1.0, lo_open=True)
    if check.cfg.model.promoter_threshold == 0:
        check.fail("model.promoter_threshold", 0.0, "a value in (0, 1]")
    validate_mechanisms(check)


def validate_preset(check: Checker) -> None:
    """Check a diffusion preset's parameters."""
    m = check.cfg.model
    check.one_of("model.name", ("wom", *PRESET_SCHEMAS))
    for key in ("p", "q", "beta", "gamma", "phi"):
        if hasattr(m, key):
            check.prob(f"model.{key}")
    n = graph_size(check.cfg.graph)
    for key in ("seeds", "initial_infected"):
        if hasattr(m, key):
            check_count_within_graph(check, f"model.{key}", 1, n)
    if getattr(m, "seed_ids", None) is not None and len(m.seed_ids) == 0:
        check.fail("model.seed_ids", [], "a non-empty list of node ids, or null")
