"""Marketing finding: referred customers churn less and are worth more than other customers
(Schmitt, Skiera & Van den Bulte 2011; docs/validation.md, "Marketing findings"), under the
reward programme's default referral design (docs/strategies.md, "rewards").

The limits come from the spread of 20 blocks of 10 other seeds (seeds 10-209).
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import make_config
from sim.population import SOURCE_CODES
from sim.run import build_model
from sim.value import daily_discount

pytestmark = [pytest.mark.validation, pytest.mark.slow]

#: a referral programme for the first 90 days (a quarter's acquisition cohort, as in the source),
#: its customers followed for 910 more days (about the source's 33 months)
STEPS, END = 1000, 90
REFERRALS = ("strategy=rewards", f"steps={STEPS}", f"strategy.rewards.end={END}",
             "baseline=none", "output.plot=false", "output.summary=false")
#: the rules before referral design: every referred buyer a deal seeker, no bond to the referrer
LEGACY = ("strategy.rewards.deal_seekers=all_referred", "strategy.rewards.referred_loyalty=0")
FROM_REFERRAL = SOURCE_CODES["from_referral"]


def cohort(seeds: range, *overrides: str) -> dict[str, float]:
    """Referred customers against the other customers won in the programme's days 1-90, pooled
    over ``seeds``: each customer's value and whether they left over the same tenure, the 910
    days after their first purchase (the run's last day for one who bought on day 90).

    A customer's value is what womsim's value model books to them (docs/model.md, "Value"): the
    margin of the first purchase plus that of the expected repeat purchases, on each day
    ``repeat_rate * ((1 - w) + w * loyalty)`` of yesterday's loyalty while still a customer,
    discounted at ``value.discount_rate`` from the day they bought. Returns ``value_gain``
    (a referred customer's mean value over another's, minus 1), ``referred_churn`` and
    ``others_churn`` (shares who left) and ``churn_cut`` (1 - their ratio)."""
    tenure = STEPS - END
    sums = dict.fromkeys(("referred", "others", "referred_value", "others_value",
                          "referred_left", "others_left"), 0.0)
    for seed in seeds:
        cfg = make_config(*REFERRALS, f"seed={seed}", *overrides)
        model = build_model(cfg)
        value, state = cfg.value, model.state
        w, rate = value.loyalty_weight, value.repeat_rate
        discount = (1.0 + daily_discount(value)) ** -np.arange(STEPS + 1, dtype=float)
        n = model.graph.n
        first = np.full(n, -1)  # first purchase day
        left = np.full(n, -1)  # the day a customer left
        worth = np.zeros(n)  # discounted purchases
        for t in range(1, STEPS + 1):
            age = t - first
            within = (first > 0) & (age <= tenure)
            repeats = rate * ((1 - w) * state.customer[within] + w * state.loyalty[within])
            worth[within] += discount[age[within]] * repeats
            model.step()
            left[(left < 0) & state.churned] = t
            new = (first < 0) & state.ever_customer
            first[new] = t
            worth[new] += 1.0
        worth *= value.margin
        gone = (left > 0) & (left - first <= tenure)
        source = np.zeros(n, dtype=np.int64)  # of the first purchase
        for _, buyers, sources, _ in model.conversions:
            source[buyers] = np.where(source[buyers] == 0, sources, source[buyers])
        won = (first >= 1) & (first <= END)
        for name, who in (("referred", won & (source == FROM_REFERRAL)),
                          ("others", won & (source != FROM_REFERRAL))):
            sums[name] += who.sum()
            sums[f"{name}_value"] += worth[who].sum()
            sums[f"{name}_left"] += gone[who].sum()
    referred_churn = sums["referred_left"] / sums["referred"]
    others_churn = sums["others_left"] / sums["others"]
    return {"value_gain": (sums["referred_value"] / sums["referred"])
            / (sums["others_value"] / sums["others"]) - 1,
            "referred_churn": referred_churn, "others_churn": others_churn,
            "churn_cut": 1 - referred_churn / others_churn}


def test_referred_customers_churn_less_and_are_worth_more():
    """Schmitt, Skiera & Van den Bulte (2011, Journal of Marketing 75(1)) followed about 10,000
    customers of a German bank for about 33 months: customers won through its referral
    programme were worth at least 16 % more than others acquired at the same time, and stayed
    longer (about 18 % less likely to leave). Van den Bulte et al. (2018) trace the lower churn
    to the referrer staying a customer. Scenario: the default graph (2,000 consumers), the
    reward programme with its defaults (referrer-only rewards, ``deal_seekers=paid_referees``,
    ``referred_loyalty`` 0.01) on days 1-90; referred customers (first purchase attributed
    ``from_referral``) against the other customers won on those days, over the same 910 days
    of tenure (``cohort``). Seeds 0-9: value +17.0 %, churn 4.9 % against 19.9 % (a cut of
    76 %). Under the rules before referral design (every referred buyer a deal seeker, losing
    loyalty when the programme stops; no bond to the referrer) referred customers churn more
    (30.7 % against 19.8 %) and are worth 13.8 % less.

    Limits from 20 blocks of 10 seeds (seeds 10-209): value gain 0.151-0.197 (median 0.170),
    churn cut 0.67-0.85 (median 0.77); before referral design, value gain -0.146 to -0.057,
    churn cut -0.62 to -0.14. The model's value gap comes only through loyalty (a purchase's
    margin is the same for everyone), so the churn cut that carries a 16 % value gap is far
    larger than the source's 18 % (docs/validation.md)."""
    seeds = range(10)
    found = cohort(seeds)
    assert found["referred_churn"] < found["others_churn"], found
    assert found["churn_cut"] >= 0.55, found
    assert 0.13 <= found["value_gain"] <= 0.22, found
    legacy = cohort(seeds, *LEGACY)
    assert legacy["churn_cut"] <= -0.05, legacy
    assert legacy["value_gain"] <= -0.03, legacy
