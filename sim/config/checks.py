"""Value checks: one-line errors that name the key, the value and what is allowed."""

from __future__ import annotations

from typing import Any

from sim.errors import ConfigError


def lookup(cfg: Any, key: str) -> Any:
    """The value at a dotted ``key`` (``strategy.kol.tiers.0.price``) of a plain config."""
    node = cfg
    for part in key.split("."):
        if isinstance(node, dict):
            node = node[part]
        elif isinstance(node, list):
            node = node[int(part)]
        else:
            node = getattr(node, part)
    return node


class Checker:
    """Collects value checks against a config; each failure is a one-line ConfigError."""

    def __init__(self, cfg: Any):
        self.cfg = cfg

    def fail(self, key: str, value: Any, allowed: str) -> None:
        raise ConfigError(f"{key}={value!r} is invalid: allowed {allowed}")

    def within(self, key: str, lo: float, hi: float, *, lo_open: bool = False,
               hi_open: bool = False) -> None:
        value = lookup(self.cfg, key)
        ok_lo = value > lo if lo_open else value >= lo
        ok_hi = value < hi if hi_open else value <= hi
        if not (ok_lo and ok_hi):
            left = "(" if lo_open else "["
            right = ")" if hi_open else "]"
            self.fail(key, value, f"a value in {left}{lo}, {hi}{right}")

    def prob(self, key: str) -> None:
        self.within(key, 0.0, 1.0)

    def at_least(self, key: str, lo: float) -> None:
        value = lookup(self.cfg, key)
        if value < lo:
            self.fail(key, value, f">= {lo}")

    def positive(self, key: str) -> None:
        value = lookup(self.cfg, key)
        if not value > 0:
            self.fail(key, value, "> 0")

    def one_of(self, key: str, choices: tuple[str, ...] | list[str]) -> None:
        value = lookup(self.cfg, key)
        if value not in choices:
            self.fail(key, value, "one of " + ", ".join(choices))


