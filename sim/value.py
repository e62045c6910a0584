"""What a run is worth: daily revenue and margin, net present value, and a plan's value against
its counterfactual twin, split as Libai, Muller & Peres (2013) split a seeding programme's value.

Pure functions of a finished run's records and purchases; formulas in docs/model.md, "Value".

Notation: day ``t = 1..T``; ``C_t``, ``L_t`` the number of customers and the sum of their
loyalty at the end of day ``t``; ``P_t`` the day's first purchases (adoption phase); ``w`` the
loyalty weight; ``d = (1 + discount_rate) ** (1 / 365) - 1`` the daily discount rate and
``D_t = (1 + d) ** -t``.

- repeat purchases on day ``t``: ``R_t = repeat_rate * ((1 - w) C_{t-1} + w L_{t-1})``
  (customers of the day before, each at a rate set by their loyalty);
- revenue ``price * (P_t + R_t)``, margin ``margin * (P_t + R_t)``;
- daily retention ``rho = 1 - churns / customer-days`` over the run (``customer-days`` =
  ``sum C_{t-1}``);
- value of the customers still active at the end: their expected daily margin
  ``M_T = margin * repeat_rate * ((1 - w) C_T + w L_T)`` kept with probability ``rho`` a day:
  ``M_T * rho / (1 + d - rho)``;
- ``npv = sum_t D_t * margin_t + D_T * M_T * rho / (1 + d - rho)``.

A run with strategies values its remaining customers with its twin's ``rho``: measured over
a run, retention depends on how long the customers have been customers (those won earlier have
had more time to prove loyal), so two runs' own estimates differ even when their customers do
not. One ``rho`` for both keeps the comparison to what the plan changed by the end: how many
customers there are and how loyal.

Against the twin (the same config and seed without strategies: common random numbers), each
consumer's first purchase day with the plan (``p``) and without (``b``) gives Libai et al.'s
decomposition. A customer won on day ``t`` is worth ``V(t) = D_t * (first + stream)``, with
``first`` the margin of the first purchase (0 for a consumer given the product) and
``stream = margin * r_b * rho_b / (1 + d - rho_b)`` the expected repeat margin of a customer in
the world without the plan (``r_b`` the twin's repeat purchases per customer-day,
``sum R_t / sum C_{t-1}``, and ``rho_b`` its retention):

- ``value_expansion = sum V(p)`` over consumers who bought with the plan only;
- ``value_acceleration = sum V(p) - V(b)`` over consumers who bought in both runs (positive when
  the plan won them earlier);
- ``value_lost = sum V(b)`` over consumers who bought without the plan only;
- ``value_retention`` = ``incremental_npv`` minus the three above: what the plan changed in
  repeat buying and churn of customers (loyalty), so the four terms sum to ``incremental_npv``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.config.value import ValueConfig

DAYS_PER_YEAR = 365.0


def daily_discount(cfg: ValueConfig) -> float:
    """The daily rate ``d`` equivalent to the yearly ``discount_rate``."""
    return (1.0 + cfg.discount_rate) ** (1.0 / DAYS_PER_YEAR) - 1.0


@dataclass(frozen=True)
class RunValue:
    """A run's money figures.

    Attributes
    ----------
    revenue, margin : float64 arrays, shape (T + 1,)
        Per day from day 0 (0 on day 0), in the currency.
    npv : float
        Discounted margin over the run plus the remaining value of the customers active at
        the end.
    retention : float
        Daily retention ``rho`` measured over the run.
    repeat_rate : float
        Repeat purchases per customer-day over the run (0 without customers).
    """

    revenue: np.ndarray
    margin: np.ndarray
    npv: float
    retention: float
    repeat_rate: float

    def totals(self, currency: str) -> dict:
        """``revenue``, ``margin``, ``npv``, ``currency`` for metrics.json."""
        return {"revenue": float(self.revenue.sum()), "margin": float(self.margin.sum()),
                "npv": self.npv, "currency": currency}


def _counts(records: Sequence[dict], n: int) -> tuple[np.ndarray, ...]:
    customers = np.rint(np.array([r["customers"] for r in records]) * n)
    loyalty = np.nan_to_num(np.array([r["mean_loyalty"] for r in records], dtype=float)) * customers
    churned = np.rint(np.array([r["churned"] for r in records]) * n)
    purchases = np.array([r["purchases"] for r in records], dtype=float)
    return customers, loyalty, churned, purchases


def run_value(records: Sequence[dict], n: int, cfg: ValueConfig,
              retention: float | None = None) -> RunValue:
    """Revenue, margin and NPV of a run from its time-series rows (``records``, one per day
    from 0, as :func:`sim.metrics.snapshot` makes them) on ``n`` consumers.

    ``retention`` values the customers active at the end with a given daily retention instead
    of the run's own (a plan is valued with its twin's: see the module docstring)."""
    customers, loyalty, churned, purchases = _counts(records, n)
    w = cfg.loyalty_weight
    repeats = np.zeros(len(records))
    repeats[1:] = cfg.repeat_rate * ((1 - w) * customers[:-1] + w * loyalty[:-1])
    buys = purchases + repeats
    buys[0] = 0.0
    revenue, margin = cfg.price * buys, cfg.margin * buys
    churns = np.maximum(np.diff(churned), 0.0).sum()
    customer_days = customers[:-1].sum()
    rho = 1.0 - churns / customer_days if customer_days > 0 else 0.0
    d = daily_discount(cfg)
    steps = len(records) - 1
    discount = (1.0 + d) ** -np.arange(steps + 1, dtype=float)
    end_margin = cfg.margin * cfg.repeat_rate * ((1 - w) * customers[-1] + w * loyalty[-1])
    kept = rho if retention is None else retention
    remaining = end_margin * kept / (1.0 + d - kept)
    npv = float((margin * discount).sum() + discount[-1] * remaining)
    per_customer_day = float(repeats.sum() / customer_days) if customer_days > 0 else 0.0
    return RunValue(revenue=revenue, margin=margin, npv=npv, retention=float(rho),
                    repeat_rate=per_customer_day)


def first_purchases(conversions: Sequence[tuple], n: int, gift_source: int) -> tuple:
    """Each consumer's first purchase day (-1: never) and whether it was a gift (the product
    given, source ``gift_source``), from a model's conversion log."""
    day = np.full(n, -1, dtype=np.int32)
    gift = np.zeros(n, dtype=bool)
    for t, buyers, sources, _ in reversed(conversions):  # earliest last: it wins
        day[buyers] = t
        gift[buyers] = sources == gift_source
    return day, gift


def incremental(plan: RunValue, twin: RunValue, plan_first: tuple, twin_first: tuple, *,
                cost: float, cfg: ValueConfig) -> dict:
    """A plan's figures against its twin (see the module docstring).

    Parameters
    ----------
    plan, twin : RunValue
        The run with strategies and the same run without them.
    plan_first, twin_first : (day, gift) arrays
        :func:`first_purchases` of each run.
    cost : float
        What the plan spent.

    Returns
    -------
    dict
        ``incremental_customers``, ``incremental_npv``, ``roi``, ``cost_per_incremental_customer``,
        ``value_expansion``, ``value_acceleration``, ``value_lost``, ``value_retention``.
    """
    (p_day, p_gift), (b_day, b_gift) = plan_first, twin_first
    d = daily_discount(cfg)
    rho = twin.retention
    stream = cfg.margin * twin.repeat_rate * rho / (1.0 + d - rho)

    def worth(day: np.ndarray, gift: np.ndarray) -> np.ndarray:
        first = np.where(gift, 0.0, cfg.margin)
        return (1.0 + d) ** -day.astype(float) * (first + stream)

    p_bought, b_bought = p_day >= 0, b_day >= 0
    expanded, lost, both = p_bought & ~b_bought, b_bought & ~p_bought, p_bought & b_bought
    expansion = float(worth(p_day[expanded], p_gift[expanded]).sum())
    value_lost = float(worth(b_day[lost], b_gift[lost]).sum())
    acceleration = float((worth(p_day[both], p_gift[both])
                          - worth(b_day[both], b_gift[both])).sum())
    inc_npv = plan.npv - twin.npv
    inc_customers = int(expanded.sum()) - int(lost.sum())
    return {
        "incremental_customers": inc_customers,
        "incremental_npv": inc_npv,
        "roi": (inc_npv - cost) / cost if cost > 0 else None,
        "cost_per_incremental_customer": cost / inc_customers if inc_customers > 0 else None,
        "value_expansion": expansion,
        "value_acceleration": acceleration,
        "value_lost": value_lost,
        "value_retention": inc_npv - (expansion + acceleration - value_lost),
    }
