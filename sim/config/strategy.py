"""Fields and checks every strategy shares; each strategy's own schema lives in its module
(:mod:`sim.strategies`)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.checks import Checker, lookup


@dataclass
class StrategyConfig:
    """Fields every strategy has. ``budget`` caps its spending (money units); ``null`` means it
    gets its share of the run's total ``budget``, or is unlimited when there is none."""

    budget: float | None = None
    start: int = 1


def validate_common(check: Checker, key: str) -> None:
    """Check the fields every strategy has (``budget``, ``start`` and, if it has one, ``end``)
    of the strategy at ``key`` (e.g. ``strategy.kol``)."""
    if lookup(check.cfg, f"{key}.budget") is not None:
        check.at_least(f"{key}.budget", 0.0)
    check.at_least(f"{key}.start", 1)
    end = getattr(lookup(check.cfg, key), "end", None)
    if end is not None and end < lookup(check.cfg, f"{key}.start"):
        check.fail(f"{key}.end", end, f">= {key}.start")
