"""The brand's interaction strategies (hooks into the phases of a day)."""

from sim.strategies.base import Strategy

__all__ = ["Strategy"]
