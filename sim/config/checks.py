"""Value checks: one-line errors that name the key, the value and what is allowed.

Every numeric check refuses NaN, and infinities unless a check is told a key allows them (no
key does today: ``null`` is how a config says "no limit"). Integers have an upper bound too
(:data:`MAX_INT` unless a check says otherwise), so that no count or day overflows the 64-bit
arithmetic of the compiled kernels.
"""

from __future__ import annotations

import math
from typing import Any

from sim.errors import ConfigError

MAX_INT = 2**31 - 1
"""The largest count or number of days any key takes (also the most consumers a graph holds)."""

MAX_AMOUNT = 1e12
"""The largest amount of money (budgets, prices, costs, rewards, caps) and of ad impressions."""

MIN_PRICE = 1e-6
"""The smallest price or cost other than 0: with :data:`MAX_AMOUNT`, what a budget buys stays a
count that 64-bit integers hold (1e12 / 1e-6 = 1e18 < 2**63)."""

ECHO_CHARS = 80
"""Echoed text (a value, a line of a file) is cut to about this many characters."""


def clip(text: str, limit: int = ECHO_CHARS) -> str:
    """``text`` cut to ``limit`` characters (with ``...`` and the full length when cut)."""
    if len(text) <= limit:
        return text
    return f"{text[:limit - 3]}... ({len(text):,} characters)"


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


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _finite(value: Any) -> bool:
    """Whether ``value`` is a finite number (any Python int is)."""
    return _is_int(value) or (_is_number(value) and math.isfinite(value))


def _num(x: float) -> str:
    """A bound as people write it: 0, 1, 0.5, 1e+12."""
    return f"{x:g}"


class Checker:
    """Collects value checks against a config; each failure is a one-line ConfigError."""

    def __init__(self, cfg: Any):
        self.cfg = cfg

    def fail(self, key: str, value: Any, allowed: str) -> None:
        raise ConfigError(f"{key}={clip(repr(value))} is invalid: allowed {allowed}")

    def within(self, key: str, lo: float, hi: float, *, lo_open: bool = False,
               hi_open: bool = False) -> None:
        """A finite number in the interval from ``lo`` to ``hi`` (closed unless ``*_open``)."""
        value = lookup(self.cfg, key)
        ok = _finite(value)
        if ok:
            ok_lo = value > lo if lo_open else value >= lo
            ok_hi = value < hi if hi_open else value <= hi
            ok = ok_lo and ok_hi
        if not ok:
            left = "(" if lo_open else "["
            right = ")" if hi_open else "]"
            self.fail(key, value, f"a value in {left}{_num(lo)}, {_num(hi)}{right}")

    def prob(self, key: str) -> None:
        """A probability or fraction: [0, 1]."""
        self.within(key, 0.0, 1.0)

    def at_least(self, key: str, lo: float, *, allow_inf: bool = False) -> None:
        """A finite number >= ``lo`` (``inf`` too when ``allow_inf``); integers also at most
        :data:`MAX_INT`."""
        value = lookup(self.cfg, key)
        if _is_int(value):
            self.integer(key, int(lo))
            return
        ok = _is_number(value) and value >= lo and (allow_inf or math.isfinite(value))
        if not ok:
            self.fail(key, value, f"{'a value' if allow_inf else 'a finite value'} >= {_num(lo)}")

    def positive(self, key: str) -> None:
        """A finite number > 0."""
        value = lookup(self.cfg, key)
        if not (_finite(value) and value > 0):
            self.fail(key, value, "a finite value > 0")

    def integer(self, key: str, lo: int, hi: int = MAX_INT, *, lo_text: str | None = None,
                hi_text: str | None = None) -> None:
        """An integer in [``lo``, ``hi``]; ``lo_text`` and ``hi_text`` say where a bound comes
        from (e.g. ``"graph.n=300"``)."""
        value = lookup(self.cfg, key)
        if not (_is_int(value) and lo <= value <= hi):
            self.fail(key, value, f"an integer in [{lo_text or lo}, {hi_text or hi}]")

    def amount(self, key: str) -> None:
        """An amount of money (a budget, a cap): finite, in [0, :data:`MAX_AMOUNT`]."""
        value = lookup(self.cfg, key)
        if not (_finite(value) and 0 <= value <= MAX_AMOUNT):
            self.fail(key, value, f"a finite amount in [0, {_num(MAX_AMOUNT)}]")

    def price(self, key: str) -> None:
        """A price or unit cost: 0 (free) or in [:data:`MIN_PRICE`, :data:`MAX_AMOUNT`]."""
        value = lookup(self.cfg, key)
        if not (_finite(value) and (value == 0 or MIN_PRICE <= value <= MAX_AMOUNT)):
            self.fail(key, value,
                      f"0 or a finite price in [{_num(MIN_PRICE)}, {_num(MAX_AMOUNT)}]")

    def one_of(self, key: str, choices: tuple[str, ...] | list[str]) -> None:
        value = lookup(self.cfg, key)
        if value not in choices:
            self.fail(key, value, "one of " + ", ".join(choices))
