"""The value model's parameters (``value.*``): what a purchase and a kept customer are worth.

Meanings, units, defaults and their sources: docs/model.md, "Value".
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.checks import Checker

#: ``baseline`` choices: ``twin`` runs the same config without strategies on the same seed
#: beside every run with strategies; ``none`` skips it (no incremental figures)
BASELINES = ("twin", "none")


@dataclass
class ValueConfig:
    """Money per purchase, repeat buying, discounting and the currency label.

    ``price`` and ``margin`` are money per purchase; a customer with loyalty ``l`` buys again
    at ``repeat_rate * ((1 - loyalty_weight) + loyalty_weight * l)`` purchases a day;
    ``discount_rate`` is yearly; ``currency`` labels every money figure.
    """

    currency: str = "EUR"
    price: float = 50.0
    margin: float = 15.0
    repeat_rate: float = 1 / 30
    loyalty_weight: float = 0.5
    discount_rate: float = 0.12


def validate_value(check: Checker) -> None:
    """Check ``value.*`` and ``baseline``."""
    cfg = check.cfg
    if not str(cfg.value.currency).strip():
        check.fail("value.currency", cfg.value.currency, "a non-empty label such as EUR or USD")
    check.at_least("value.price", 0.0)
    check.at_least("value.margin", 0.0)
    if cfg.value.margin > cfg.value.price:
        check.fail("value.margin", cfg.value.margin, f"at most value.price={cfg.value.price}")
    check.within("value.repeat_rate", 0.0, 1.0)
    check.prob("value.loyalty_weight")
    # > 0: customers kept forever (no churn) are worth a finite, discounted perpetuity
    check.within("value.discount_rate", 0.0, 1.0, lo_open=True)
    check.one_of("baseline", BASELINES)
