"""Consumer trait distributions (``population.*``) and their value checks."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.config.checks import Checker, lookup


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


def validate_trait(check: Checker, key: str) -> None:
    """Check one trait distribution: its kind, mean in [0, 1] and a feasible spread."""
    check.one_of(f"{key}.dist", ("constant", "uniform", "beta"))
    check.prob(f"{key}.mean")
    check.at_least(f"{key}.sd", 0.0)
    trait = lookup(check.cfg, key)
    mean, sd = trait.mean, trait.sd
    if trait.dist == "beta" and sd > 0 and not (0 < mean < 1 and sd**2 < mean * (1 - mean)):
        check.fail(f"{key}.sd", sd, f"sd < sqrt(mean*(1-mean)) = {(mean * (1 - mean)) ** 0.5:.3g} "
                   f"with a mean strictly inside (0, 1) for a beta trait")
    if trait.dist == "uniform":
        half = sd * 3**0.5
        if mean - half < 0 or mean + half > 1:
            check.fail(f"{key}.sd", sd, f"sd <= {min(mean, 1 - mean) / 3**0.5:.3g} so that "
                       f"uniform({key}) stays inside [0, 1]")


def validate_population(check: Checker) -> None:
    """Check every trait of ``population``."""
    for trait in ("talkativeness", "susceptibility", "credibility", "expectation"):
        validate_trait(check, f"population.{trait}")
