"""The brand's interaction strategies: registry, budgets and construction from a config."""

from __future__ import annotations

import math
from typing import Any

from sim.strategies.ads import AdsStrategy
from sim.strategies.base import Strategy
from sim.strategies.fast_response import FastResponseStrategy
from sim.strategies.kol import KolStrategy
from sim.strategies.rewards import RewardsStrategy

#: name in ``strategy=...`` -> class
STRATEGIES: dict[str, type[Strategy]] = {
    "kol": KolStrategy,
    "rewards": RewardsStrategy,
    "fast_response": FastResponseStrategy,
    "ads": AdsStrategy,
}


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


def _plain(cfg: Any) -> Any:
    """A DictConfig as its dataclass (attribute access in the daily hooks stays cheap)."""
    from omegaconf import DictConfig, OmegaConf

    return OmegaConf.to_object(cfg) if isinstance(cfg, DictConfig) else cfg


def build_strategies(strategy_set: Any, total: float | None = None,
                     shares: dict[str, float] | None = None) -> list[Strategy]:
    """Instantiate the configured strategies with their budgets."""
    configs = {name: _plain(cfg) for name, cfg in active_strategies(strategy_set).items()}
    budgets = allocate_budgets(configs, total, dict(shares or {}))
    return [STRATEGIES[name](cfg, budgets[name]) for name, cfg in configs.items()]


__all__ = ["STRATEGIES", "Strategy", "active_strategies", "allocate_budgets", "build_strategies"]
