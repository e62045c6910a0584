"""The names shown to people: every final metric and every purchase source, said once.

A metric's entry gives its name (the key in metrics.json, a column of runs.parquet and, for the
figures recorded daily, of timeseries.csv), the label people read, its unit, which way is
better and how its values are written. The command line's summary, the sweep report and the
dashboard all read these tables, through :mod:`sim.catalog` (where strategies will add their own
entries); nothing else spells a label or a number format.

This is the lowest layer: it imports nothing from ``sim``.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Literal

#: how a metric's values are written
Display = Literal["percent", "number", "signed", "money", "count", "day"]


@dataclass(frozen=True)
class Metric:
    """One metric of a run, as people see it.

    Attributes
    ----------
    name : str
        The key in metrics.json (and the column of the result tables).
    label : str
        What people read, lower case ("net sentiment"); :attr:`title` capitalises it.
    unit : str
        What a value counts: ``"share of consumers"``, ``"money"``, ``"day"``, ... or ``""``.
    about : str
        A few words completing the unit on an axis ("aware of the brand", "per run"), or "".
    higher_is_better : bool or None
        Which way is an improvement (None: neither, e.g. a count of KOLs).
    display : {"percent", "number", "signed", "money", "count", "day"}
        How a value is written: ``percent`` a share as ``12.3%``; ``number`` ``0.832``;
        ``signed`` ``+0.395``; ``money`` ``10,270.00``; ``count`` ``5,581``; ``day`` ``105``.
    missing : str
        The text for a missing value (None or NaN): ``"n/a"``, or what the absence means
        (``"never"`` for a day that never came).
    strategy : str or None
        The strategy that reports the metric (None: every run of the word-of-mouth model).
    """

    name: str
    label: str
    unit: str = ""
    about: str = ""
    higher_is_better: bool | None = None
    display: Display = "number"
    missing: str = "n/a"
    strategy: str | None = None

    @property
    def title(self) -> str:
        """The label with a capital first letter, for a heading or a card."""
        return self.label[:1].upper() + self.label[1:]

    @property
    def axis_label(self) -> str:
        """Axis text: the name and, in brackets, the unit and what it counts
        (``"reach (share of consumers aware of the brand)"``)."""
        detail = " ".join(part for part in (self.unit, self.about) if part)
        return f"{self.name} ({detail})" if detail else self.name

    def format(self, value: object) -> str:
        """A value as people read it (see :attr:`display`); :attr:`missing` for None or NaN,
        and other non-numbers as ``str``."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self.missing
        if not isinstance(value, numbers.Real):
            return str(value)
        if self.display == "percent":
            return f"{100 * value:.1f}%"
        if self.display == "signed":
            return f"{value:+.3f}"
        if self.display == "money":
            return f"{value:,.2f}"
        if self.display == "count":
            return f"{value:,.0f}"
        if self.display == "day":
            return f"{value:.0f}"
        return f"{value:.3f}"

    def format_delta(self, delta: float | None) -> str:
        """A difference of two values, signed: shares in percentage points (``+1.2 pp``),
        money with two decimals, counts and days whole, other numbers with three decimals;
        ``"n/a"`` for None or NaN."""
        if delta is None or (isinstance(delta, float) and math.isnan(delta)):
            return "n/a"
        if self.display == "percent":
            return f"{100 * delta:+.1f} pp"
        if self.display == "money":
            return f"{delta:+,.2f}"
        if self.display in ("count", "day"):
            return f"{delta:+,.0f}"
        return f"{delta:+.3f}"


@dataclass(frozen=True)
class Source:
    """Where a purchase came from (the ``source`` of conversions.csv, a key of metrics.json).

    Attributes
    ----------
    name : str
        The name in conversions.csv and metrics.json.
    label : str
        What people read (a legend entry, an axis tick).
    about : str
        What makes a purchase come from this source, in a few words (no semicolon: lists of
        sources are joined with ``"; "``).
    """

    name: str
    label: str
    about: str = ""


def _table(*metrics: Metric) -> dict[str, Metric]:
    return {m.name: m for m in metrics}


_SHARE = "share of consumers"
_OF_EVER = "share of ever customers"
_NODES = "share of nodes"

#: every final figure a summary, report or dashboard shows, by name
METRICS: dict[str, Metric] = _table(
    # the word-of-mouth model, every run
    Metric("reach", "reach", _SHARE, "aware of the brand", True, "percent"),
    Metric("adoption", "ever bought", _SHARE, "who ever bought", True, "percent"),
    Metric("customers", "customers now", _SHARE, "who are customers now", True, "percent"),
    Metric("promoters", "promoters", _SHARE, "aware with a positive attitude", True, "percent"),
    Metric("detractors", "detractors", _SHARE, "aware with a negative attitude", False,
           "percent"),
    Metric("net_sentiment", "net sentiment", "", "(promoters - detractors) / aware", True,
           "signed"),
    Metric("mean_loyalty", "mean loyalty", "", "of current customers", True, "number"),
    Metric("retention", "retention", _OF_EVER, "who are customers now", True, "percent"),
    Metric("churn", "churn", _OF_EVER, "who left", False, "percent"),
    Metric("time_to_half_reach", "half reach on day", "day",
           "when half the consumers were aware", False, "day", missing="never"),
    Metric("positive_messages", "positive messages", "", "posted over the run", True, "count"),
    Metric("negative_messages", "negative messages", "", "posted over the run", False,
           "count"),
    Metric("complaints", "complaints", "", "made over the run", False, "count"),
    Metric("cost", "cost", "money", "per run", False, "money"),
    Metric("cost_per_customer", "cost per customer", "money", "per consumer who ever bought",
           False, "money"),
    # the value model (docs/model.md, "Value"): money in the run's currency
    Metric("revenue", "revenue", "money", "over the run", True, "money"),
    Metric("margin", "margin", "money", "over the run", True, "money"),
    Metric("npv", "NPV", "money", "discounted margin, kept customers' remaining value included",
           True, "money"),
    Metric("baseline_npv", "NPV without the plan", "money", "of the twin run", None, "money"),
    Metric("incremental_npv", "incremental NPV", "money", "NPV minus the twin's", True, "money"),
    Metric("roi", "ROI", "", "(incremental NPV - cost) / cost", True, "signed"),
    Metric("incremental_customers", "incremental customers", "",
           "bought with the plan only, minus without it only", True, "count"),
    Metric("cost_per_incremental_customer", "cost per incremental customer", "money",
           "per customer won by the plan", False, "money"),
    Metric("value_expansion", "value from expansion", "money",
           "customers who bought with the plan only", True, "money"),
    Metric("value_acceleration", "value from acceleration", "money",
           "customers won earlier than without the plan", True, "money"),
    Metric("value_lost", "value lost", "money", "customers who bought without the plan only",
           False, "money"),
    Metric("value_retention", "value from retention", "money",
           "repeat buying and churn of customers changed by the plan", True, "money"),
    # the classic diffusion presets (model=bass, sir, ...)
    Metric("active", "active now", _NODES, "active now", None, "percent"),
    Metric("peak_active", "peak active", _NODES, "active at the peak", None, "percent"),
    Metric("peak_step", "peak on day", "day", "of the peak", None, "day", missing="never"),
)

#: purchase sources in the order they are listed and stacked
SOURCES: tuple[Source, ...] = (
    Source("from_media", "mass media", "aware through mass media, no word of mouth read"),
    Source("from_ads", "ads", "aware through ads, no word of mouth read"),
    Source("organic", "organic WOM", "persuaded most by an ordinary consumer's post"),
    Source("from_kol", "KOL posts", "persuaded most by a KOL's post"),
    Source("from_referral", "referral posts", "persuaded most by a rewarded referral post"),
    Source("seeded", "seeded KOLs", "KOLs given the product"),
    Source("from_ugc", "contest posts", "persuaded most by a post entered in a UGC contest"),
    Source("from_livestream", "live streams", "persuaded last by a live stream watched"),
    Source("from_community", "community posts", "persuaded most by a community member's post"),
)
