"""Consumer traits and state, held as arrays indexed by consumer (graph node) number."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from sim.config import PopulationConfig, TraitConfig
from sim.vocabulary import SOURCES

NEVER = -1  # sentinel for "no step yet" in step-valued arrays
NOBODY = -1  # sentinel for "no consumer" in consumer-valued arrays

# how a consumer became aware (State.aware_via)
VIA_NONE, VIA_MEDIA, VIA_ADS, VIA_WOM, VIA_SEEDED = 0, 1, 2, 3, 4

# where a purchase came from (State.source; Levers.post_source and State.persuader_source say
# where a purchase that a post causes comes from): codes 1, 2, ... in the order of the
# vocabulary's sources (sim.vocabulary.SOURCES, which names and labels them); 0 = none
SOURCE_NAMES = {code: source.name for code, source in enumerate(SOURCES, start=1)}
SOURCE_CODES = {name: code for code, name in SOURCE_NAMES.items()}
FROM_MEDIA, FROM_ADS = SOURCE_CODES["from_media"], SOURCE_CODES["from_ads"]
ORGANIC = SOURCE_CODES["organic"]


def draw_trait(spec: TraitConfig, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``n`` values on [0, 1] from a trait distribution.

    Parameters
    ----------
    spec : TraitConfig
        ``constant`` (all equal ``mean``), ``uniform`` (flat, given mean and sd) or ``beta``
        (Beta with the given mean and sd; ``sd == 0`` gives the constant).
    n : int
        Number of consumers.
    rng : numpy.random.Generator
        The population stream.

    Returns
    -------
    numpy.ndarray of float64, shape (n,)
    """
    if spec.dist == "constant" or spec.sd == 0:
        return np.full(n, float(spec.mean))
    if spec.dist == "uniform":
        half = spec.sd * np.sqrt(3.0)
        return rng.uniform(spec.mean - half, spec.mean + half, size=n)
    if spec.dist == "beta":
        # method of moments: mean = a / (a + b), var = mean (1 - mean) / (a + b + 1)
        total = spec.mean * (1 - spec.mean) / spec.sd**2 - 1
        return rng.beta(spec.mean * total, (1 - spec.mean) * total, size=n)
    raise ValueError(f"unknown trait distribution {spec.dist!r}: use constant, uniform or beta")


@dataclass
class Traits:
    """Fixed per-consumer traits, each float64 of shape (n,) with values in [0, 1].

    Attributes
    ----------
    talkativeness : base daily probability of posting about the brand while having an opinion.
    susceptibility : how far one day's heard word of mouth moves the consumer's attitude.
    credibility : how much the consumer's own posts are believed by those who read them.
    expectation : the experience quality the consumer expects; below it they are dissatisfied.
    """

    talkativeness: np.ndarray
    susceptibility: np.ndarray
    credibility: np.ndarray
    expectation: np.ndarray

    @classmethod
    def draw(cls, cfg: PopulationConfig, n: int, rng: np.random.Generator) -> Traits:
        """Draw all traits in a fixed order from the population stream."""
        return cls(**{f.name: draw_trait(getattr(cfg, f.name), n, rng) for f in fields(cls)})


@dataclass
class State:
    """Per-consumer state, one entry per consumer.

    Attributes
    ----------
    aware : bool, has heard of the brand (permanent).
    attitude : float64 in [-1, 1], opinion of the brand; sentiment is derived from it.
    customer : bool, currently a customer.
    ever_customer : bool, has bought at least once.
    churned : bool, was a customer and left (does not buy again).
    loyalty : float64 in [0, 1], meaningful while a customer (0 otherwise).
    last_news : int32, last step the consumer had something new to talk about (-1: never).
    aware_via : int8, how the consumer became aware (VIA_* codes; 0 = not aware).
    persuader : int32, sender of the most persuasive post in the last read batch (-1: none).
    persuader_source : int8, the source (SOURCE_NAMES code) a purchase caused by that post is
        attributed to (0 = none).
    source : int8, where the consumer's (last) purchase came from (SOURCE_NAMES codes; 0 = none).
    converted_by : int32, the consumer whose post converted this one (-1: none).
    """

    aware: np.ndarray
    attitude: np.ndarray
    customer: np.ndarray
    ever_customer: np.ndarray
    churned: np.ndarray
    loyalty: np.ndarray
    last_news: np.ndarray
    aware_via: np.ndarray
    persuader: np.ndarray
    persuader_source: np.ndarray
    source: np.ndarray
    converted_by: np.ndarray

    @classmethod
    def empty(cls, n: int) -> State:
        """Everybody unaware, neutral, not a customer."""
        return cls(
            aware=np.zeros(n, dtype=bool),
            attitude=np.zeros(n),
            customer=np.zeros(n, dtype=bool),
            ever_customer=np.zeros(n, dtype=bool),
            churned=np.zeros(n, dtype=bool),
            loyalty=np.zeros(n),
            last_news=np.full(n, NEVER, dtype=np.int32),
            aware_via=np.zeros(n, dtype=np.int8),
            persuader=np.full(n, NOBODY, dtype=np.int32),
            persuader_source=np.zeros(n, dtype=np.int8),
            source=np.zeros(n, dtype=np.int8),
            converted_by=np.full(n, NOBODY, dtype=np.int32),
        )

    def copy(self) -> State:
        """A deep copy."""
        return State(**{f.name: getattr(self, f.name).copy() for f in fields(self)})


def sentiment_codes(attitude: np.ndarray, aware: np.ndarray, threshold: float) -> np.ndarray:
    """Sentiment per consumer: 1 promoter, -1 detractor, 0 neutral or unaware.

    A consumer is a promoter when aware with ``attitude >= threshold`` and a detractor when aware
    with ``attitude <= -threshold``.
    """
    codes = np.zeros(attitude.shape, dtype=np.int8)
    codes[aware & (attitude >= threshold)] = 1
    codes[aware & (attitude <= -threshold)] = -1
    return codes
