"""Schemas and checks of the word-of-mouth model's optional mechanisms: over-marketing fatigue
(docs/model.md, "Over-marketing fatigue"). Off unless a config turns it on, so every earlier
run gives the same results."""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.checks import Checker


@dataclass
class FatigueConfig:
    """Over-marketing fatigue: every brand exposure counts; recent ones make the next work less
    and, past ``irritation``, annoy (attitude and loyalty down). Off unless ``enabled``."""

    enabled: bool = False
    decay: float = 0.1
    saturation: float = 10.0
    irritation: float = 50.0
    annoyance: float = 0.001


def validate_fatigue(check: Checker) -> None:
    """Check ``model.fatigue``."""
    check.prob("model.fatigue.decay")
    check.positive("model.fatigue.saturation")
    check.at_least("model.fatigue.irritation", 0.0)
    check.prob("model.fatigue.annoyance")


def validate_mechanisms(check: Checker) -> None:
    """Check the optional mechanisms of ``model=wom``."""
    validate_fatigue(check)
