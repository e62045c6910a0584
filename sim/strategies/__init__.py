"""The brand's interaction strategies: the registry of plugins, budgets, checks and
construction from a config.

Each strategy is a plugin declared in its own module (:class:`~sim.strategies.base.StrategyPlugin`:
schema, checks, hooks, summary); registering it is its line in :data:`PLUGINS`.
"""

from __future__ import annotations

import math
from dataclasses import field, make_dataclass
from typing import Any

from sim.config import Checker, lookup, validate_common
from sim.strategies import (
    ads,
    community,
    crisis_plan,
    fast_response,
    kol,
    livestream,
    rewards,
    ugc,
)
from sim.strategies.base import Strategy, StrategyPlugin

#: every strategy, by its name in ``strategy=...``, in the order hooks run and reports list them
PLUGINS: dict[str, StrategyPlugin] = {plugin.name: plugin for plugin in (
    kol.PLUGIN,
    rewards.PLUGIN,
    fast_response.PLUGIN,
    ads.PLUGIN,
    ugc.PLUGIN,
    livestream.PLUGIN,
    crisis_plan.PLUGIN,
    community.PLUGIN,
)}

#: name in ``strategy=...`` -> class
STRATEGIES: dict[str, type[Strategy]] = {name: p.strategy for name, p in PLUGINS.items()}

#: name -> config schema (``strategy.<name>``)
STRATEGY_SCHEMAS: dict[str, type] = {name: p.schema for name, p in PLUGINS.items()}

#: the ``strategy`` section of a run: one optional field per plugin (absent = off)
StrategySet = make_dataclass(
    "StrategySet",
    [(name, schema | None, field(default=None)) for name, schema in STRATEGY_SCHEMAS.items()])
StrategySet.__module__ = __name__
StrategySet.__doc__ = ("The strategies of a run (``strategy=kol``, ``strategy=[kol,rewards]``, "
                       "...); absent = off.")


def validate_strategies(check: Checker) -> None:
    """Check budgets and each configured strategy's parameters.

    Budgets are amounts of money. Shares (``budget_shares``) need a total ``budget``; each
    names a selected strategy without a budget of its own, and once shares are given every
    selected strategy without its own budget needs one (``0`` for none): a plan never leaves a
    strategy without money, or a share unused, silently.
    """
    cfg = check.cfg
    active = [name for name in PLUGINS if lookup(cfg, f"strategy.{name}") is not None]
    if active and cfg.model.name != "wom":
        check.fail("strategy", "[" + ",".join(active) + "]",
                   f"no strategy with model={cfg.model.name} (strategies act on model=wom)")
    if cfg.budget is not None:
        check.amount("budget")
    shares = cfg.budget_shares
    for name, share in shares.items():
        key = f"budget_shares.{name}"
        if name not in PLUGINS:
            check.fail(key, share, "keys among " + ", ".join(PLUGINS))
        check.prob(key)
        if cfg.budget is None:
            check.fail(key, share, "shares of a total budget only: set budget=... as well")
        if name not in active:
            check.fail(key, share, "shares of the selected strategies only ("
                       + (", ".join(active) or "none selected") + ")")
        own = lookup(cfg, f"strategy.{name}.budget")
        if own is not None:
            check.fail(key, share, f"no share for a strategy with a budget of its own "
                                   f"(strategy.{name}.budget={own:g})")
    if sum(shares.values()) > 1 + 1e-9:
        check.fail("budget_shares", dict(shares), "shares summing to at most 1")
    unshared = [name for name in active
                if lookup(cfg, f"strategy.{name}.budget") is None and name not in shares]
    if shares and unshared:
        check.fail("budget_shares", dict(shares),
                   "a share for every selected strategy without a budget of its own (missing: "
                   + ", ".join(unshared) + "; give it 0 for none)")
    for name in active:
        validate_common(check, f"strategy.{name}")
    for name in active:
        PLUGINS[name].validate(check)


def strategies_table() -> str:
    """The Markdown table of every strategy and its summary, as docs/strategies.md shows it
    (a test keeps the two equal)."""
    rows = ["| strategy | what it does |", "|---|---|"]
    rows += [f"| `{name}` | {plugin.summary} |" for name, plugin in PLUGINS.items()]
    return "\n".join(rows)


def active_strategies(strategy_set: Any) -> dict[str, Any]:
    """The configured strategies (those not ``null``) by name, in registry order."""
    return {name: getattr(strategy_set, name) for name in STRATEGIES
            if getattr(strategy_set, name, None) is not None}


def allocate_budgets(configs: dict[str, Any], total: float | None,
                     shares: dict[str, float]) -> dict[str, float]:
    """Each strategy's budget: its own ``budget`` if set; otherwise its share of ``total``.

    Shares default to equal parts among the strategies without a budget of their own; given
    shares are used as they are (they must not sum to more than 1). With no total and no own
    budget a strategy is unlimited (``inf``).
    """
    budgets: dict[str, float] = {}
    shared = [name for name, cfg in configs.items() if cfg.budget is None]
    for name, cfg in configs.items():
        if cfg.budget is not None:
            budgets[name] = float(cfg.budget)
        elif total is None:
            budgets[name] = math.inf
        elif shares:
            budgets[name] = float(total) * float(shares.get(name, 0.0))
        else:
            budgets[name] = float(total) / len(shared)
    return budgets


def build_strategies(strategy_set: Any, total: float | None = None,
                     shares: dict[str, float] | None = None) -> list[Strategy]:
    """Instantiate the configured strategies (plain dataclasses, :func:`sim.schema.to_plain`)
    with their budgets."""
    configs = active_strategies(strategy_set)
    budgets = allocate_budgets(configs, total, dict(shares or {}))
    return [STRATEGIES[name](cfg, budgets[name]) for name, cfg in configs.items()]


__all__ = ["PLUGINS", "STRATEGIES", "STRATEGY_SCHEMAS", "Strategy", "StrategyPlugin",
           "StrategySet", "active_strategies", "allocate_budgets", "build_strategies",
           "strategies_table", "validate_strategies"]
