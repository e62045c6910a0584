"""Configuration schema: dataclasses registered in Hydra's ConfigStore, and value checks.

The dataclasses give Hydra a schema, so a misspelt key or a value of the wrong type fails when the
config is composed. :func:`validate` then checks values (ranges, consistency, files) and raises a
:class:`~sim.errors.ConfigError` whose one-line message names the key, the value and what is
allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import MISSING

from sim.errors import ConfigError

# --------------------------------------------------------------------------------------------
# graphs


@dataclass
class GraphConfig:
    """Fields every graph kind has.

    ``strong_tie_share`` is the fraction of ties that are strong (weight 1); the others are weak
    with weight ``weak_tie_weight``. Loaded graphs with a weight column use their own weights.
    ``cache_dir``: when set, a built graph is saved there as ``.npz`` (keyed by the graph config
    and the seed) and reloaded by later runs instead of being built again.
    """

    kind: str = MISSING
    strong_tie_share: float = 0.3
    weak_tie_weight: float = 0.3
    cache_dir: str | None = None


@dataclass
class BAGraphConfig(GraphConfig):
    """Barabási–Albert preferential attachment: each new node links to ``m`` existing ones."""

    kind: str = "ba"
    n: int = 2000
    m: int = 3


@dataclass
class WSGraphConfig(GraphConfig):
    """Watts–Strogatz small world: ring of ``k`` nearest neighbours, each rewired w.p. ``p``."""

    kind: str = "ws"
    n: int = 2000
    k: int = 8
    p: float = 0.1


@dataclass
class ERGraphConfig(GraphConfig):
    """Erdős–Rényi G(n, p) with p chosen so the expected mean degree is ``mean_degree``."""

    kind: str = "er"
    n: int = 2000
    mean_degree: float = 8.0


@dataclass
class PowerlawClusterGraphConfig(GraphConfig):
    """Holme–Kim: preferential attachment with ``m`` links, each closing a triangle w.p. ``p``."""

    kind: str = "powerlaw_cluster"
    n: int = 2000
    m: int = 3
    p: float = 0.3


@dataclass
class SBMGraphConfig(GraphConfig):
    """Stochastic block model: ``communities`` equal blocks, ``homophily`` = expected share of a
    consumer's ties inside its own community, ``mean_degree`` the expected mean degree."""

    kind: str = "sbm"
    n: int = 2000
    communities: int = 10
    mean_degree: float = 8.0
    homophily: float = 0.9


@dataclass
class CompleteGraphConfig(GraphConfig):
    """Everybody knows everybody (the well-mixed population of classic diffusion models)."""

    kind: str = "complete"
    n: int = 500


@dataclass
class FileGraphConfig(GraphConfig):
    """An edge list on disk: ``u v [weight]`` per line, separated by whitespace, comma or tab.

    Lines starting with ``#`` or ``%`` are comments; a first line that is not an edge is taken as
    a header. Node ids may be any integers or strings. Edges are undirected. When the file has a
    weight column, its weights (divided by the largest) are the tie strengths and
    ``strong_tie_share`` / ``weak_tie_weight`` are ignored.
    """

    kind: str = "file"
    path: str = MISSING


GRAPH_SCHEMAS: dict[str, type[GraphConfig]] = {
    "ba": BAGraphConfig,
    "ws": WSGraphConfig,
    "er": ERGraphConfig,
    "powerlaw_cluster": PowerlawClusterGraphConfig,
    "sbm": SBMGraphConfig,
    "complete": CompleteGraphConfig,
    "file": FileGraphConfig,
}

def config_for_graph(kind: str, **values: Any) -> GraphConfig:
    """A graph config of the given kind with its defaults and ``values`` (e.g. ``n=500``)."""
    if kind not in GRAPH_SCHEMAS:
        raise ConfigError(f"graph.kind={kind!r} is invalid: allowed one of "
                          + ", ".join(GRAPH_SCHEMAS))
    return GRAPH_SCHEMAS[kind](**values)


# --------------------------------------------------------------------------------------------
# population traits


@dataclass
class TraitConfig:
    """A distribution on [0, 1] for a consumer trait.

    ``dist`` is ``constant`` (everyone has ``mean``), ``uniform`` (flat with the given mean and
    standard deviation ``sd``) or ``beta`` (Beta distribution with that mean and ``sd``).
    """

    dist: str = "beta"
    mean: float = 0.5
    sd: float = 0.1


@dataclass
class PopulationConfig:
    """How consumer traits are drawn (from the population stream)."""

    talkativeness: TraitConfig = field(default_factory=lambda: TraitConfig("beta", 0.15, 0.08))
    susceptibility: TraitConfig = field(default_factory=lambda: TraitConfig("beta", 0.5, 0.15))
    credibility: TraitConfig = field(default_factory=lambda: TraitConfig("beta", 0.7, 0.15))
    expectation: TraitConfig = field(default_factory=lambda: TraitConfig("beta", 0.6, 0.1))


# --------------------------------------------------------------------------------------------
# the word-of-mouth model's rules


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
    negativity_bias: float = 1.5
    hearsay_talk: float = 0.3
    attention: float = 0.5
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


# --------------------------------------------------------------------------------------------
# canonical diffusion presets (docs/validation.md)


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

# --------------------------------------------------------------------------------------------
# strategies (docs/strategies.md)


@dataclass
class StrategyConfig:
    """Fields every strategy has. ``budget`` caps its spending (money units); ``null`` means it
    gets its share of the run's total ``budget``, or is unlimited when there is none."""

    budget: float | None = None
    start: int = 1


@dataclass
class KolTier:
    """Price of one KOL with at least ``min_followers`` followers (graph degree)."""

    min_followers: int = 0
    price: float = 0.0


@dataclass
class KolConfig(StrategyConfig):
    """Seed key opinion leaders: give them the product and boost their posting for a period."""

    k: int | None = 10
    selector: str = "degree"
    min_followers: int = 0
    max_followers: int | None = None
    duration: int = 30
    talk_boost: float = 5.0
    attitude: float = 0.8
    credibility: float = 1.0
    tiers: list[KolTier] = field(default_factory=lambda: [
        KolTier(0, 100.0), KolTier(20, 400.0), KolTier(50, 1000.0), KolTier(100, 2500.0)])
    greedy_samples: int = 10000
    greedy_pass_on: float = 0.3
    betweenness_samples: int = 500


@dataclass
class RewardsConfig(StrategyConfig):
    """Referral rewards, optional per-share rewards and loyalty points for customers."""

    end: int | None = None
    referral_reward: float = 10.0
    share_reward: float = 0.0
    points_per_day: float = 0.0
    points_loyalty: float = 0.01
    talk_boost: float = 2.0
    credibility: float = 0.8
    cap_per_person: float = 100.0
    deal_seeker_drop: float = 0.3


@dataclass
class FastResponseConfig(StrategyConfig):
    """Answer complaints in public after a delay, with a daily capacity."""

    capacity: int = 20
    delay: float = 1.0
    delay_unit: str = "days"
    delay_dist: str = "exponential"
    recovery_max: float = 0.8
    recovery_halflife: float = 2.0
    recovery_attitude: float = 0.5
    recovery_bonus: float = 0.1
    answer_credibility: float = 0.3
    answer_memory: int = 14
    cost_per_response: float = 10.0
    cost_per_day: float = 20.0


@dataclass
class AdsConfig(StrategyConfig):
    """Paid mass media: impressions bought daily, each may make an unaware consumer aware."""

    end: int | None = None
    impressions_per_day: float = 5000.0
    cost_per_impression: float = 0.01
    effectiveness: float = 0.005
    tone: float = 0.2


@dataclass
class StrategySet:
    """The strategies of a run (``strategy=kol``, ``strategy=[kol,rewards]``, ...); absent = off."""

    kol: KolConfig | None = None
    rewards: RewardsConfig | None = None
    fast_response: FastResponseConfig | None = None
    ads: AdsConfig | None = None


STRATEGY_SCHEMAS: dict[str, type[StrategyConfig]] = {
    "kol": KolConfig,
    "rewards": RewardsConfig,
    "fast_response": FastResponseConfig,
    "ads": AdsConfig,
}

# --------------------------------------------------------------------------------------------
# the run


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
    seed: int = 0
    steps: int = 180
    engine: str = "vectorized"
    threads: int | None = None
    resume: bool = True


ENGINES = ("vectorized", "agents")


def register_configs() -> None:
    """Register the schemas with Hydra's ConfigStore (idempotent)."""
    from hydra.core.config_store import ConfigStore

    cs = ConfigStore.instance()
    cs.store(name="base_config", node=Config)
    for name, schema in GRAPH_SCHEMAS.items():
        cs.store(group="graph", name=name, node=schema)
    cs.store(group="model", name="wom", node=WomModelConfig)
    for name, schema in PRESET_SCHEMAS.items():
        cs.store(group="model", name=name, node=schema)
    cs.store(group="strategy", name="none", node={}, package="strategy")
    for name, schema in STRATEGY_SCHEMAS.items():
        cs.store(group="strategy", name=name, node=schema, package=f"strategy.{name}")


# --------------------------------------------------------------------------------------------
# value checks


def _get(cfg: Any, key: str) -> Any:
    node = cfg
    for part in key.split("."):
        if isinstance(node, dict):
            node = node[part]
        elif isinstance(node, list):
            node = node[int(part)]
        else:
            node = getattr(node, part)
    return node


class _Checker:
    """Collects value checks against a config; each failure is a one-line ConfigError."""

    def __init__(self, cfg: Any):
        self.cfg = cfg

    def fail(self, key: str, value: Any, allowed: str) -> None:
        raise ConfigError(f"{key}={value!r} is invalid: allowed {allowed}")

    def within(self, key: str, lo: float, hi: float, *, lo_open: bool = False,
               hi_open: bool = False) -> None:
        value = _get(self.cfg, key)
        ok_lo = value > lo if lo_open else value >= lo
        ok_hi = value < hi if hi_open else value <= hi
        if not (ok_lo and ok_hi):
            left = "(" if lo_open else "["
            right = ")" if hi_open else "]"
            self.fail(key, value, f"a value in {left}{lo}, {hi}{right}")

    def prob(self, key: str) -> None:
        self.within(key, 0.0, 1.0)

    def at_least(self, key: str, lo: float) -> None:
        value = _get(self.cfg, key)
        if value < lo:
            self.fail(key, value, f">= {lo}")

    def positive(self, key: str) -> None:
        value = _get(self.cfg, key)
        if not value > 0:
            self.fail(key, value, "> 0")

    def one_of(self, key: str, choices: tuple[str, ...] | list[str]) -> None:
        value = _get(self.cfg, key)
        if value not in choices:
            self.fail(key, value, "one of " + ", ".join(choices))


def validate_trait(check: _Checker, key: str) -> None:
    """Check one trait distribution: its kind, mean in [0, 1] and a feasible spread."""
    check.one_of(f"{key}.dist", ("constant", "uniform", "beta"))
    check.prob(f"{key}.mean")
    check.at_least(f"{key}.sd", 0.0)
    trait = _get(check.cfg, key)
    mean, sd = trait.mean, trait.sd
    if trait.dist == "beta" and sd > 0 and not (0 < mean < 1 and sd**2 < mean * (1 - mean)):
        check.fail(f"{key}.sd", sd, f"sd < sqrt(mean*(1-mean)) = {(mean * (1 - mean)) ** 0.5:.3g} "
                   f"with a mean strictly inside (0, 1) for a beta trait")
    if trait.dist == "uniform":
        half = sd * 3**0.5
        if mean - half < 0 or mean + half > 1:
            check.fail(f"{key}.sd", sd, f"sd <= {min(mean, 1 - mean) / 3**0.5:.3g} so that "
                       f"uniform({key}) stays inside [0, 1]")


def validate_graph(check: _Checker) -> None:
    """Check the graph section for the chosen kind."""
    g = check.cfg.graph
    check.one_of("graph.kind", tuple(GRAPH_SCHEMAS))
    check.prob("graph.strong_tie_share")
    check.within("graph.weak_tie_weight", 0.0, 1.0, lo_open=True)
    if g.kind != "file":
        check.at_least("graph.n", 2)
    if g.kind in ("ba", "powerlaw_cluster"):
        check.at_least("graph.m", 1)
        if g.m >= g.n:
            check.fail("graph.m", g.m, f"1 <= m < graph.n={g.n}")
    if g.kind == "powerlaw_cluster":
        check.prob("graph.p")
    if g.kind == "ws":
        check.prob("graph.p")
        check.at_least("graph.k", 2)
        if g.k >= g.n or g.k % 2:
            check.fail("graph.k", g.k, f"an even k with 2 <= k < graph.n={g.n}")
    if g.kind in ("er", "sbm"):
        check.within("graph.mean_degree", 0.0, g.n - 1, lo_open=True)
    if g.kind == "sbm":
        check.prob("graph.homophily")
        check.at_least("graph.communities", 1)
        if g.communities > g.n:
            check.fail("graph.communities", g.communities, f"1 <= communities <= graph.n={g.n}")
        block = g.n / g.communities
        inside, outside = g.homophily * g.mean_degree, (1 - g.homophily) * g.mean_degree
        if inside > block - 1 or outside > g.n - block:
            check.fail("graph.mean_degree", g.mean_degree,
                       f"a mean degree reachable with {g.communities} blocks of ~{block:.0f} "
                       f"consumers and homophily {g.homophily}: homophily * mean_degree <= "
                       f"{block - 1:.0f}")
    if g.kind == "file":
        path = Path(str(g.path)).expanduser()
        if not path.is_file():
            check.fail("graph.path", str(g.path), "an existing edge-list file")


def validate_wom(check: _Checker) -> None:
    """Check the word-of-mouth model's parameters."""
    for key in ("media_awareness", "initial_aware", "quality", "usage_rate", "experience_weight",
                "complaint_rate", "attention", "max_purchase_rate", "initial_loyalty",
                "satisfaction_loyalty", "wom_loyalty", "hearsay_talk", "churn_threshold",
                "churn_rate", "attitude_decay", "complaint_threshold", "promoter_threshold"):
        check.prob(f"model.{key}")
    check.within("model.media_tone", -1.0, 1.0)
    check.at_least("model.initial_aware_count", 0)
    n = _graph_size(check.cfg.graph)
    if n is not None and check.cfg.model.initial_aware_count > n:
        check.fail("model.initial_aware_count", check.cfg.model.initial_aware_count,
                   f"0 .. graph.n={n}")
    check.within("model.purchase_midpoint", -1.0, 1.0)
    check.at_least("model.quality_noise", 0.0)
    check.at_least("model.negativity_bias", 1.0)
    check.at_least("model.persuasion", 0.0)
    check.at_least("model.purchase_slope", 0.0)
    check.positive("model.news_memory")
    check.within("model.satisfaction_scale", 0.0, 1.0, lo_open=True)
    if check.cfg.model.promoter_threshold == 0:
        check.fail("model.promoter_threshold", 0.0, "a value in (0, 1]")


KOL_SELECTORS = ("random", "degree", "pagerank", "betweenness", "kcore", "fringe", "greedy")


def validate_strategies(check: _Checker) -> None:
    """Check budgets and each configured strategy's parameters."""
    cfg = check.cfg
    active = [name for name in STRATEGY_SCHEMAS if _get(cfg, f"strategy.{name}") is not None]
    if active and cfg.model.name != "wom":
        check.fail("strategy", "[" + ",".join(active) + "]",
                   f"no strategy with model={cfg.model.name} (strategies act on model=wom)")
    if cfg.budget is not None:
        check.at_least("budget", 0.0)
    for name, share in cfg.budget_shares.items():
        if name not in STRATEGY_SCHEMAS:
            check.fail(f"budget_shares.{name}", share, "keys among " + ", ".join(STRATEGY_SCHEMAS))
        check.prob(f"budget_shares.{name}")
    if sum(cfg.budget_shares.values()) > 1 + 1e-9:
        check.fail("budget_shares", dict(cfg.budget_shares), "shares summing to at most 1")
    for name in active:
        key = f"strategy.{name}"
        if _get(cfg, f"{key}.budget") is not None:
            check.at_least(f"{key}.budget", 0.0)
        check.at_least(f"{key}.start", 1)
        end = getattr(_get(cfg, key), "end", None)
        if end is not None and end < _get(cfg, f"{key}.start"):
            check.fail(f"{key}.end", end, f">= {key}.start")
    if "kol" in active:
        kol = cfg.strategy.kol
        check.one_of("strategy.kol.selector", KOL_SELECTORS)
        if kol.k is not None:
            check.at_least("strategy.kol.k", 0)
        check.at_least("strategy.kol.min_followers", 0)
        if kol.max_followers is not None and kol.max_followers < kol.min_followers:
            check.fail("strategy.kol.max_followers", kol.max_followers,
                       ">= strategy.kol.min_followers")
        check.at_least("strategy.kol.duration", 1)
        check.at_least("strategy.kol.talk_boost", 0.0)
        check.within("strategy.kol.attitude", -1.0, 1.0)
        check.prob("strategy.kol.credibility")
        check.prob("strategy.kol.greedy_pass_on")
        check.at_least("strategy.kol.greedy_samples", 1)
        check.at_least("strategy.kol.betweenness_samples", 1)
        if len(kol.tiers) == 0:
            check.fail("strategy.kol.tiers", [], "at least one {min_followers, price} tier")
        for i, _ in enumerate(kol.tiers):
            check.at_least(f"strategy.kol.tiers.{i}.min_followers", 0)
            check.at_least(f"strategy.kol.tiers.{i}.price", 0.0)
        if cfg.budget is None and kol.budget is None and kol.k is None:
            check.fail("strategy.kol.k", None, "a number of KOLs, or a budget to spend on them")
    if "rewards" in active:
        for key in ("referral_reward", "share_reward", "points_per_day", "cap_per_person",
                    "talk_boost"):
            check.at_least(f"strategy.rewards.{key}", 0.0)
        for key in ("points_loyalty", "credibility", "deal_seeker_drop"):
            check.prob(f"strategy.rewards.{key}")
    if "fast_response" in active:
        check.at_least("strategy.fast_response.capacity", 0)
        check.at_least("strategy.fast_response.delay", 0.0)
        check.one_of("strategy.fast_response.delay_unit", ("hours", "days"))
        check.one_of("strategy.fast_response.delay_dist", ("exponential", "fixed", "uniform"))
        for key in ("recovery_max", "recovery_bonus", "answer_credibility"):
            check.prob(f"strategy.fast_response.{key}")
        check.within("strategy.fast_response.recovery_attitude", -1.0, 1.0)
        check.positive("strategy.fast_response.recovery_halflife")
        check.at_least("strategy.fast_response.answer_memory", 0)
        check.at_least("strategy.fast_response.cost_per_response", 0.0)
        check.at_least("strategy.fast_response.cost_per_day", 0.0)
    if "ads" in active:
        check.at_least("strategy.ads.impressions_per_day", 0.0)
        check.at_least("strategy.ads.cost_per_impression", 0.0)
        check.prob("strategy.ads.effectiveness")
        check.within("strategy.ads.tone", -1.0, 1.0)


def validate_preset(check: _Checker) -> None:
    """Check a diffusion preset's parameters."""
    m = check.cfg.model
    check.one_of("model.name", ("wom", *PRESET_SCHEMAS))
    for key in ("p", "q", "beta", "gamma", "phi"):
        if hasattr(m, key):
            check.prob(f"model.{key}")
    n = _graph_size(check.cfg.graph)
    for key in ("seeds", "initial_infected"):
        if hasattr(m, key):
            check.at_least(f"model.{key}", 1)
            if n is not None and getattr(m, key) > n:
                check.fail(f"model.{key}", getattr(m, key), f"1 .. graph.n={n}")
    if getattr(m, "seed_ids", None) is not None and len(m.seed_ids) == 0:
        check.fail("model.seed_ids", [], "a non-empty list of node ids, or null")


def _graph_size(g: Any) -> int | None:
    return None if g.kind == "file" else int(g.n)


def validate(cfg: Any) -> None:
    """Check every value of a composed config; raise ConfigError naming the first bad key."""
    from omegaconf import OmegaConf

    if OmegaConf.is_config(cfg):
        cfg = OmegaConf.to_object(cfg)  # plain dataclasses: checking them is ~5x faster
    check = _Checker(cfg)
    check.at_least("steps", 1)
    if cfg.seed < 0:
        check.fail("seed", cfg.seed, "an integer >= 0")
    check.one_of("engine", ENGINES)
    if getattr(cfg, "threads", None) is not None:
        check.at_least("threads", 1)
    validate_graph(check)
    for trait in ("talkativeness", "susceptibility", "credibility", "expectation"):
        validate_trait(check, f"population.{trait}")
    if cfg.model.name == "wom":
        validate_wom(check)
    else:
        validate_preset(check)
    validate_strategies(check)
