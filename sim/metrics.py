"""Reporters: pure functions of the model's state, per step and at the end of a run."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.population import SOURCE_NAMES

if TYPE_CHECKING:
    from sim.world import World

#: columns of timeseries.csv, in order (the money columns last)
TIMESERIES_COLUMNS = (
    "step", "reach", "adoption", "customers", "promoters", "detractors", "net_sentiment",
    "mean_loyalty", "churned", "positive_messages", "negative_messages", "complaints",
    "purchases", "aware_from_media", "aware_from_wom", "revenue", "margin",
)
#: the columns of :data:`TIMESERIES_COLUMNS` that the value model computes from the others
#: after the run (:func:`sim.value.run_value`); :func:`snapshot` does not make them
VALUE_COLUMNS = ("revenue", "margin")

DAILY_COUNTS = ("positive_messages", "negative_messages", "complaints", "purchases",
                "aware_from_media", "aware_from_wom")


def net_sentiment(promoters: int, detractors: int, aware: int) -> float:
    """(promoters - detractors) / aware, 0 when nobody is aware."""
    return (promoters - detractors) / aware if aware else 0.0


def snapshot(model: World, counted: tuple) -> dict:
    """One row of the time series: fractions of all consumers, plus the day's counts.

    ``counted`` is the state's counts at the end of the day, as
    :func:`sim.rules.wom.count_state` returns them (the last phase of a day counts them on its
    way). ``mean_loyalty`` is the mean over current customers (NaN when there are none);
    message and event columns count what happened during that day (0 at step 0).
    """
    n = model.graph.n
    aware, ever, customers, promoters, detractors, churned, loyalty_sum = counted
    counts = model.day.counts if model.day is not None else {}
    row = {
        "step": model.t,
        "reach": aware / n,
        "adoption": ever / n,
        "customers": customers / n,
        "promoters": promoters / n,
        "detractors": detractors / n,
        "net_sentiment": net_sentiment(promoters, detractors, aware),
        "mean_loyalty": loyalty_sum / customers if customers else math.nan,
        "churned": churned / n,
    }
    for name in DAILY_COUNTS:
        row[name] = int(counts.get(name, 0))
    return row


def _none_if_nan(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def final_metrics(model: World, rows: list[dict]) -> dict:
    """The figures of metrics.json for a finished run (see README, "Outputs")."""
    s = model.state
    last = rows[-1]
    ever = int(s.ever_customer.sum())
    current = int(s.customer.sum())
    reach = np.array([r["reach"] for r in rows])
    half = np.flatnonzero(reach >= 0.5)
    return {
        "reach": last["reach"],
        "adoption": last["adoption"],
        "customers": last["customers"],
        "promoters": last["promoters"],
        "detractors": last["detractors"],
        "net_sentiment": last["net_sentiment"],
        "mean_loyalty": _none_if_nan(last["mean_loyalty"]),
        "retention": current / ever if ever else None,
        "churn": int(s.churned.sum()) / ever if ever else None,
        "time_to_half_reach": int(rows[half[0]]["step"]) if half.size else None,
        "positive_messages": int(sum(r["positive_messages"] for r in rows)),
        "negative_messages": int(sum(r["negative_messages"] for r in rows)),
        "complaints": int(sum(r["complaints"] for r in rows)),
        **cost_metrics(model, ever),
        **conversion_counts(model),
        **complaint_metrics(model, rows),
    }


def cost_metrics(model: World, ever_customers: int) -> dict:
    """``cost`` (total), ``cost_by_strategy`` and ``cost_per_customer`` (cost per consumer who
    ever bought; null when nobody did)."""
    by = {st.name: float(st.cost) for st in model.strategies}
    cost = float(sum(by.values()))
    return {"cost": cost, "cost_by_strategy": by,
            "cost_per_customer": cost / ever_customers if ever_customers else None}


def conversion_counts(model: World) -> dict:
    """Number of purchases by source: from_media, from_ads, organic, from_kol, from_referral,
    seeded (KOLs given the product)."""
    counts = dict.fromkeys(SOURCE_NAMES.values(), 0)
    for _, _, sources, _ in model.conversions:
        for code, count in zip(*np.unique(sources, return_counts=True), strict=True):
            counts[SOURCE_NAMES[int(code)]] += int(count)
    return counts


def complaint_metrics(model: World, rows: list[dict]) -> dict:
    """Complaints received, answered and recovered (the last two 0 without fast responses),
    plus every strategy's own figures."""
    out = {"complaints_received": int(sum(r["complaints"] for r in rows)),
           "complaints_answered": 0, "complaints_recovered": 0}
    for strategy in model.strategies:
        for key, value in strategy.report().items():
            if key != "complaints_received":
                out[key] = value
    return out


def conversions_table(model: World):
    """Every purchase: ``day, consumer, source, converted_by`` (-1: nobody), as a DataFrame;
    ``consumer``/``converted_by`` are node numbers (graph labels in ``consumer_id``)."""
    import pandas as pd

    if model.conversions:
        day = np.repeat(np.array([t for t, _, _, _ in model.conversions]),
                        [b.size for _, b, _, _ in model.conversions])
        buyer = np.concatenate([b for _, b, _, _ in model.conversions])
        source = np.concatenate([s for _, _, s, _ in model.conversions])
        by = np.concatenate([c for _, _, _, c in model.conversions])
    else:
        day = buyer = source = by = np.zeros(0, dtype=np.int64)
    names = np.empty(max(SOURCE_NAMES) + 1, dtype=object)  # one shared string per source
    for code, name in SOURCE_NAMES.items():
        names[code] = name
    df = pd.DataFrame({"day": day, "consumer": buyer, "source": names[source],
                       "converted_by": by})
    labels = model.graph.labels
    if labels is not None:
        df.insert(2, "consumer_id", labels[buyer] if buyer.size else [])
    return df
