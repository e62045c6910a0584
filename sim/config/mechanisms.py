"""Schemas and checks of the word-of-mouth model's optional mechanisms: over-marketing fatigue
and a scheduled crisis (docs/model.md, "Over-marketing fatigue" and "Crises"). Both are off
unless a config turns them on, so every earlier run gives the same results."""

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


@dataclass
class CrisisConfig:
    """A scheduled product failure or scandal: from ``day`` for ``duration`` days a share
    ``share`` of the customers have experiences ``severity`` worse. None (``day=null``): no
    crisis."""

    day: int | None = None
    share: float = 0.3
    severity: float = 0.5
    duration: int = 14


def validate_fatigue(check: Checker) -> None:
    """Check ``model.fatigue``."""
    check.prob("model.fatigue.decay")
    check.positive("model.fatigue.saturation")
    check.at_least("model.fatigue.irritation", 0.0)
    check.prob("model.fatigue.annoyance")


def validate_crisis(check: Checker) -> None:
    """Check ``model.crisis``: a crisis day inside the run, a share, how bad, how long."""
    crisis = check.cfg.model.crisis
    if crisis.day is not None:
        steps = check.cfg.steps
        check.integer("model.crisis.day", 1, steps, hi_text=f"steps={steps}")
    check.prob("model.crisis.share")
    check.prob("model.crisis.severity")
    check.integer("model.crisis.duration", 1)


def validate_mechanisms(check: Checker) -> None:
    """Check the optional mechanisms of ``model=wom``."""
    validate_fatigue(check)
    validate_crisis(check)
