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
    of the strategy at ``key`` (e.g. ``strategy.kol``): a budget is an amount of money; the
    period must lie inside the run (``start`` and ``end`` at most ``steps``: a strategy that
    would start after the last day never acts)."""
    if lookup(check.cfg, f"{key}.budget") is not None:
        check.amount(f"{key}.budget")
    steps = check.cfg.steps
    check.integer(f"{key}.start", 1, steps, hi_text=f"steps={steps}")
    end = getattr(lookup(check.cfg, key), "end", None)
    if end is not None:
        start = lookup(check.cfg, f"{key}.start")
        check.integer(f"{key}.end", start, steps, lo_text=f"{key}.start={start}",
                      hi_text=f"steps={steps}")
