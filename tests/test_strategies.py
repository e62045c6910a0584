"""Strategies: fair comparison, budgets, attribution, and the direction of each effect.

Effect tests compare paired runs (same seed: common random numbers) over fixed seeds; the margins
were set from the spread measured over those seeds (see the closing note of the strategies issue).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from conftest import make_config, t_stat
from sim.errors import ConfigError
from sim.run import build_model, run
from sim.schema import validate
from sim.strategies import PLUGINS, allocate_budgets
from sim.strategies.kol import kol_prices

BASE = ("graph.n=1000", "steps=90")
SEEDS = range(10)
EFFECT_SEEDS = range(20)
#: the figures only a run with strategies reports (every plugin's own, and the cost figures)
STRATEGY_KEYS = {"cost", "cost_by_strategy", "cost_per_customer", "strategies",
                 "complaints_received", *(m.name for p in PLUGINS.values() for m in p.metrics)}


def assert_effect(diff: np.ndarray, sign: int, min_t: float = 3.0) -> None:
    """The mean paired difference has the expected sign and is at least ``min_t`` standard
    errors from zero (seeds are fixed, so this is deterministic; margins measured, see note)."""
    t = diff.mean() / (diff.std(ddof=1) / np.sqrt(diff.size))
    assert sign * t >= min_t, (diff.mean(), t)


def metric(overrides, key, seeds=SEEDS, at=None):
    values = []
    for seed in seeds:
        result = run(make_config(*BASE, f"seed={seed}", *overrides))
        values.append(result.timeseries[key].iloc[at] if at is not None else result.metrics[key])
    return np.array(values, dtype=float)


# ---------------------------------------------------------------------------- fair comparison

@pytest.mark.parametrize("strategy", ["kol", "rewards", "fast_response", "ads", "kol_rewards",
                                      "ugc", "livestream", "crisis_plan", "community"])
def test_zero_budget_reproduces_the_no_strategy_run_exactly(strategy):
    for seed in (0, 1):
        base = run(make_config(*BASE, f"seed={seed}"))
        zero = run(make_config(*BASE, f"seed={seed}", f"strategy={strategy}", "budget=0"))
        assert base.timeseries.equals(zero.timeseries)
        assert {k: v for k, v in base.metrics.items() if k not in STRATEGY_KEYS} == \
               {k: v for k, v in zero.metrics.items() if k not in STRATEGY_KEYS}
        assert zero.metrics["cost"] == 0


def test_strategies_face_the_same_graph_consumers_and_draws():
    a = build_model(make_config(*BASE, "seed=3"))
    b = build_model(make_config(*BASE, "seed=3", "strategy=[kol,rewards,fast_response,ads]"))
    assert np.array_equal(a.graph.indices, b.graph.indices)
    assert np.array_equal(a.graph.weights, b.graph.weights)
    for name in ("talkativeness", "susceptibility", "credibility", "expectation"):
        assert np.array_equal(getattr(a.traits, name), getattr(b.traits, name))
    for _ in range(15):
        a.step()
        b.step()
        for name in ("media", "use", "noise", "complain", "talk", "hear", "adopt", "churn"):
            assert np.array_equal(getattr(a.draws, name), getattr(b.draws, name)), name
    assert not np.array_equal(a.state.aware, b.state.aware), "the strategies should act"


# ------------------------------------------------------------------------------------ budgets

@pytest.mark.parametrize("overrides", [
    ("strategy=kol", "budget=3000", "strategy.kol.k=null"),
    ("strategy=kol", "budget=450", "strategy.kol.selector=random"),
    ("strategy=rewards", "budget=300", "strategy.rewards.points_per_day=0.5"),
    ("strategy=rewards", "budget=500", "strategy.rewards.share_reward=1"),
    ("strategy=rewards", "budget=400", "strategy.rewards.referee_reward=5",
     "strategy.rewards.deal_seekers=paid_referees", "strategy.rewards.referred_loyalty=0.01"),
    ("strategy=fast_response", "budget=777", "strategy.fast_response.capacity=3"),
    ("strategy=ads", "budget=123.45"),
    ("strategy=ugc", "budget=900", "model.initial_aware=0.3"),
    ("strategy=livestream", "budget=1234", "model.initial_aware=0.5",
     "strategy.livestream.discount=20", "strategy.livestream.purchase_boost=10"),
    ("strategy=crisis_plan", "budget=900", "model.crisis.day=40", "model.initial_aware=0.5"),
    ("strategy=community", "budget=2345", "model.initial_aware=0.5"),
    ("strategy=[kol,rewards,fast_response,ads,ugc,livestream,crisis_plan,community]",
     "budget=9000", "model.crisis.day=30", "model.initial_aware=0.3"),
    ("strategy=[kol,rewards,fast_response,ads]", "budget=4000"),
    ("strategy=kol_rewards", "budget=5000", "+budget_shares.kol=0.8",
     "+budget_shares.rewards=0.2"),
])
def test_budgets_are_never_exceeded(overrides):
    for seed in (0, 1, 2):
        cfg = make_config(*BASE, f"seed={seed}", *overrides)
        result = run(cfg)
        model = result.model
        budgets = {st.name: st.budget for st in model.strategies}
        for name, cost in result.metrics["cost_by_strategy"].items():
            assert cost <= budgets[name] + 1e-9, (name, cost, budgets[name])
        assert result.metrics["cost"] <= cfg.budget + 1e-9
        assert result.metrics["cost"] > 0


def test_budget_allocation_by_shares_and_own_budgets():
    class C:
        def __init__(self, budget=None):
            self.budget = budget

    assert allocate_budgets({"kol": C(), "ads": C()}, 100, {}) == {"kol": 50, "ads": 50}
    assert allocate_budgets({"kol": C(), "ads": C()}, 100, {"kol": 0.7, "ads": 0.3}) == \
        pytest.approx({"kol": 70, "ads": 30})
    assert allocate_budgets({"kol": C(10), "ads": C()}, 100, {}) == {"kol": 10, "ads": 100}
    assert allocate_budgets({"kol": C()}, None, {}) == {"kol": math.inf}


def test_rewards_programme_stops_when_budget_runs_out():
    result = run(make_config(*BASE, "seed=0", "strategy=rewards", "budget=200"))
    assert result.metrics["rewards_stopped_on"] is not None
    assert result.metrics["cost"] == pytest.approx(200)


# -------------------------------------------------------------------------------------- KOLs

def test_kol_prices_follow_follower_tiers():
    cfg = make_config("strategy=kol")
    prices = kol_prices(np.array([0, 19, 20, 49, 50, 99, 100, 5000]), cfg.strategy.kol.tiers)
    assert prices.tolist() == [100, 100, 400, 400, 1000, 1000, 2500, 2500]


def test_degree_selector_buys_hubs_within_k_and_budget(tmp_path):
    result = run(make_config(*BASE, "strategy=kol", "strategy.kol.k=5", "budget=100000"))
    kols = result.artifacts["kols.json"]["kols"]
    degree = result.model.graph.degree
    assert len(kols) == 5
    assert sorted(k["followers"] for k in kols) == sorted(np.sort(degree)[-5:].tolist())
    assert result.metrics["cost"] == pytest.approx(sum(k["price"] for k in kols))
    assert result.metrics["seeded"] == 5


def test_follower_range_selects_micro_influencers():
    cfg = make_config(*BASE, "strategy=kol", "strategy.kol.k=null", "strategy.kol.budget=1000",
                      "strategy.kol.max_followers=19", "strategy.kol.selector=degree")
    result = run(cfg)
    kols = result.artifacts["kols.json"]["kols"]
    assert len(kols) == 10 and all(k["followers"] <= 19 for k in kols)


def test_kols_json_is_written_with_labels_for_loaded_graphs(tmp_path):
    from conftest import DATA
    from sim.run import write_outputs

    cfg = make_config("graph=file", f"graph.path={DATA / 'ca-HepTh-lcc.txt'}", "steps=5",
                      "strategy=kol", "strategy.kol.k=3")
    result = run(cfg)
    write_outputs(result, tmp_path)
    data = json.loads((tmp_path / "kols.json").read_text())
    assert [k["followers"] for k in data["kols"]] == sorted(
        (k["followers"] for k in data["kols"]), reverse=True)
    assert (tmp_path / "conversions.csv").exists()


@pytest.mark.slow
def test_hub_seeding_beats_random_seeding_on_early_reach():
    hubs = metric(["strategy=kol"], "reach", EFFECT_SEEDS, at=20)
    rand = metric(["strategy=kol", "strategy.kol.selector=random"], "reach", EFFECT_SEEDS, at=20)
    # Limits from 10 blocks of 20 seeds (seeds 0-199, default model with the audience limit):
    # the block means of hubs - random ranged 0.039-0.048 (hubs ~0.14, random ~0.09: about +50%,
    # as Hinz et al. 2011 found), t 8.3-18.4. Single seeds can go either way (smallest -0.021),
    # so the check is on the paired mean, not on every seed.
    diff = hubs - rand
    assert diff.mean() >= 0.03 and t_stat(diff) >= 5


# ------------------------------------------------------------------------------ fast response

@pytest.mark.slow
def test_fast_responses_lower_detractors_and_raise_retention():
    answered = ["strategy=fast_response"]
    # measured over these 20 seeds: detractors -0.013 (t = -9.2), retention +0.012 (t = 5.0)
    assert_effect(metric(answered, "detractors", EFFECT_SEEDS)
                  - metric([], "detractors", EFFECT_SEEDS), -1)
    assert_effect(metric(answered, "retention", EFFECT_SEEDS)
                  - metric([], "retention", EFFECT_SEEDS), +1)


@pytest.mark.slow
def test_shorter_delay_is_at_least_as_good_as_longer():
    quick = ["strategy=fast_response", "strategy.fast_response.delay=2",
             "strategy.fast_response.delay_unit=hours"]
    slow = ["strategy=fast_response", "strategy.fast_response.delay=5"]
    recovered = (metric(quick, "complaints_recovered", EFFECT_SEEDS)
                 - metric(slow, "complaints_recovered", EFFECT_SEEDS))
    assert recovered.min() > 0  # measured: min 9, mean 20.7
    # measured: detractors -0.0049 (t = -5.5)
    assert_effect(metric(quick, "detractors", EFFECT_SEEDS)
                  - metric(slow, "detractors", EFFECT_SEEDS), -1)


def test_answers_count_and_recover_complaints():
    m = run(make_config(*BASE, "seed=1", "strategy=fast_response")).metrics
    assert 0 < m["complaints_recovered"] <= m["complaints_answered"] <= m["complaints_received"]
    assert m["complaints_received"] == m["complaints"]


# ------------------------------------------------------------------------------------ rewards

@pytest.mark.slow
def test_rewards_raise_message_volume():
    diff = metric(["strategy=rewards"], "positive_messages", EFFECT_SEEDS) - \
        metric([], "positive_messages", EFFECT_SEEDS)
    assert diff.min() > 0  # measured: min 177, mean 438 posts


@pytest.mark.slow
def test_credibility_of_incentivised_messages_changes_persuasion():
    trusted = ["strategy=rewards", "strategy.rewards.credibility=1"]
    doubted = ["strategy=rewards", "strategy.rewards.credibility=0.5"]
    diff = metric(trusted, "net_sentiment", EFFECT_SEEDS) - \
        metric(doubted, "net_sentiment", EFFECT_SEEDS)
    assert_effect(diff, +1)  # measured: mean +0.16, t = 10.4


def test_deal_seekers_lose_loyalty_when_programme_stops():
    # the rule before referral design, under which every referred buyer is a deal seeker (the
    # default counts only those paid a sign-up bonus), and no bond with the referrer
    kw = ("seed=2", "steps=120", "strategy=rewards", "strategy.rewards.end=60",
          "strategy.rewards.deal_seekers=all_referred", "strategy.rewards.referred_loyalty=0")
    with_drop = build_model(make_config("graph.n=1000", *kw))
    no_drop = build_model(make_config("graph.n=1000", *kw, "strategy.rewards.deal_seeker_drop=0"))
    for model in (with_drop, no_drop):
        model.run(60)
    seekers = with_drop.strategies[0].deal_seeker & with_drop.state.customer
    assert seekers.sum() > 5
    before = with_drop.state.loyalty[seekers].copy()
    with_drop.step()
    no_drop.step()
    assert with_drop.strategies[0].stopped_on == 61
    # the stop costs 0.3 loyalty; one day's satisfaction and word of mouth add at most 0.15
    assert np.all(with_drop.state.loyalty[seekers] <= np.maximum(0, before - 0.3) + 0.15 + 1e-9)
    assert with_drop.state.loyalty[seekers].mean() < no_drop.state.loyalty[seekers].mean() - 0.2


# ---------------------------------------------------------------------------------------- ads

def test_ads_raise_early_reach_and_are_attributed():
    diff = metric(["strategy=ads"], "reach", at=30) - metric([], "reach", at=30)
    assert diff.min() > 0.3  # measured over 20 seeds: min 0.54
    m = run(make_config(*BASE, "strategy=ads")).metrics
    assert m["from_ads"] > 0 and m["ads_impressions"] > 0


def test_flighted_ads_run_on_a_share_of_days_drawn_from_their_own_stream():
    days = 90  # BASE's horizon
    always = run(make_config(*BASE, "strategy=ads", "baseline=none"))
    assert always.metrics["ads_impressions"] == 5000 * days
    flighted = [run(make_config(*BASE, "strategy=ads", "strategy.ads.on_share=0.5",
                                "baseline=none", f"seed={seed}")).metrics for seed in (0, 1)]
    on_days = [m["ads_impressions"] / 5000 for m in flighted]
    # Binomial(90, 0.5): mean 45, sd 4.7; the two seeds draw different schedules
    assert all(30 <= d <= 60 and d == int(d) for d in on_days) and on_days[0] != on_days[1]
    assert flighted[0]["cost"] == pytest.approx(0.01 * 5000 * on_days[0])
    never = run(make_config(*BASE, "strategy=ads", "strategy.ads.on_share=0", "baseline=none"))
    plain = run(make_config(*BASE, "baseline=none"))
    assert never.metrics["ads_impressions"] == 0
    assert never.timeseries.equals(plain.timeseries)  # no ads day: the world without ads


# ---------------------------------------------------------------------------- attribution

def test_every_conversion_has_one_source():
    result = run(make_config(*BASE, "seed=4", "strategy=[kol,rewards,ads]", "budget=6000"))
    m, conv = result.metrics, result.conversions
    sources = ("from_media", "from_ads", "organic", "from_kol", "from_referral", "seeded")
    assert sum(m[s] for s in sources) == len(conv) == result.model.state.ever_customer.sum()
    assert m["from_kol"] > 0 and m["from_referral"] > 0 and m["from_ads"] > 0
    wom = conv[conv["source"].isin(["organic", "from_kol", "from_referral"])]
    assert (wom["converted_by"] >= 0).all()
    graph = result.model.graph
    for buyer, by in zip(wom["consumer"].head(50), wom["converted_by"].head(50), strict=True):
        assert by in graph.neighbors(buyer)
    assert (conv.loc[~conv.index.isin(wom.index), "converted_by"] == -1).all()


def test_no_strategy_has_no_paid_sources():
    m = run(make_config(*BASE)).metrics
    assert m["from_ads"] == m["from_kol"] == m["from_referral"] == m["seeded"] == 0
    assert m["cost"] == 0 and m["cost_by_strategy"] == {}


# ----------------------------------------------------------------------------- config errors

@pytest.mark.parametrize(("overrides", "key"), [
    (["strategy=kol", "strategy.kol.selector=famous"], "strategy.kol.selector"),
    (["strategy=kol", "strategy.kol.k=null"], "strategy.kol.k"),
    (["strategy=kol", "strategy.kol.min_followers=10", "strategy.kol.max_followers=5"],
     "strategy.kol.max_followers"),
    (["strategy=rewards", "strategy.rewards.credibility=1.5"], "strategy.rewards.credibility"),
    (["strategy=rewards", "strategy.rewards.end=0"], "strategy.rewards.end"),
    (["strategy=fast_response", "strategy.fast_response.delay_unit=weeks"],
     "strategy.fast_response.delay_unit"),
    (["strategy=ads", "strategy.ads.effectiveness=2"], "strategy.ads.effectiveness"),
    (["strategy=ads", "budget=-5"], "budget"),
    (["strategy=[kol,ads]", "budget=1000", "+budget_shares.ads=0.7", "+budget_shares.kol=0.6"],
     "budget_shares"),
    (["strategy=ads", "+budget_shares.tv=0.5"], "budget_shares.tv"),
])
def test_strategy_value_errors(overrides, key):
    with pytest.raises(ConfigError, match=f"^{key}="):
        validate(make_config(*overrides))


def test_referral_payments_match_a_plain_loop():
    from types import SimpleNamespace

    from sim.strategies.rewards import RewardsStrategy

    rng = np.random.default_rng(0)
    for trial in range(30):
        cfg = SimpleNamespace(cap_per_person=float(rng.integers(1, 6)) * 10)
        budget = float(rng.integers(0, 30)) * 10
        paid0 = rng.integers(0, 5, 20) * 10.0
        refs = rng.integers(0, 20, rng.integers(0, 40))
        fast = RewardsStrategy(cfg, budget)
        fast.paid = paid0.copy()
        count = fast._pay_each(refs, 10.0)
        paid, spent, expected = paid0.copy(), 0.0, 0
        for who in refs:  # the plain reference
            if paid[who] + 10 > cfg.cap_per_person:
                continue
            if spent + 10 > budget:
                break
            paid[who] += 10
            spent += 10
            expected += 1
        assert count == expected and np.array_equal(fast.paid, paid), trial
        assert fast.cost == spent


def test_complaint_queue_matches_a_plain_sorted_list():
    """The heap gives, day by day, the complaints a plain list sorted by (ready, arrival) gives:
    ties in ready time included, backlogs larger than the daily limit, and new complaints
    arriving between days."""
    from sim.strategies.complaints import ComplaintQueue

    rng = np.random.default_rng(5)
    for trial in range(30):
        queue, plain, arrival = ComplaintQueue(), [], 0
        loyalty = rng.uniform(0, 1, 40)
        for t in range(12):
            new = rng.integers(0, 40, int(rng.integers(0, 9)))
            delays = np.round(rng.uniform(0, 3, new.size), 1)  # ties included
            queue.add(new, t, delays, loyalty)
            for k, c in enumerate(new.tolist()):
                plain.append((t + delays[k], arrival, c, t, loyalty[c]))
                arrival += 1
            limit = int(rng.integers(0, 6))
            plain.sort()
            ready = [e for e in plain if e[0] < t + 1][:limit]
            plain = [e for e in plain if e not in ready]
            rows = queue.due(t, limit)
            assert rows.size == len(ready) and queue.size == len(plain), (trial, t)
            assert queue.batch_who[:rows.size].tolist() == [e[2] for e in ready], (trial, t)
            assert queue.batch_ready[:rows.size].tolist() == [e[0] for e in ready]
            assert queue.batch_posted[:rows.size].tolist() == [e[3] for e in ready]
            assert queue.batch_before[:rows.size].tolist() == [e[4] for e in ready]


def test_answer_kernel_matches_a_plain_loop():
    from sim.strategies import kernels

    rng = np.random.default_rng(5)
    for trial in range(30):
        count, n, t = int(rng.integers(0, 12)), 6, int(rng.integers(0, 6))
        who = rng.integers(0, n, count + 3)  # 3 unused slots
        ready = np.round(rng.uniform(0, t + 1, count + 3), 1)
        posted = np.floor(ready * rng.uniform(0, 1, count + 3))
        before = rng.uniform(0, 1, count + 3)
        draws = rng.uniform(0, 1, count)
        att, cust, loy = rng.uniform(-1, 1, n), rng.uniform(0, 1, n) < 0.5, rng.uniform(0, 1, n)
        cred, until = np.ones(n), rng.integers(t - 2, t + 2, n)
        times = rng.integers(0, 2, n)  # earlier recoveries: a later one closes 0.4 of each gap
        ref_att, ref_loy, ref_cred, ref_until = att.copy(), loy.copy(), cred.copy(), until.copy()
        ref_times = times.copy()
        ref_recovered, ref_delay = 0, 0.0
        for k in range(count):  # the plain reference
            c = who[k]
            delay = max(ready[k], t) - posted[k]
            ref_delay += delay
            if draws[k] < 0.8 * 2 ** (-delay / 2.0):
                ref_recovered += 1
                lift = 1.0 if ref_times[c] == 0 else 0.4
                ref_times[c] += 1
                ref_att[c] += lift * max(0.0, 0.5 - ref_att[c])
                if cust[c]:
                    gap = max(0.0, before[k] + 0.1 - ref_loy[c])
                    ref_loy[c] = min(1.0, ref_loy[c] + lift * gap)
            if ref_until[c] < t:
                ref_cred[c] *= 0.7
            ref_until[c] = t + 3
        recovered, delay_sum = kernels.answer(
            count, t, who, posted, ready, before, draws, 0.8, 2.0, 0.5, 0.1, 0.4, 0.7, 3, att,
            cust, loy, cred, until, times)
        assert recovered == ref_recovered, trial
        assert delay_sum == pytest.approx(ref_delay)
        for got, want in ((att, ref_att), (loy, ref_loy), (cred, ref_cred), (until, ref_until),
                          (times, ref_times)):
            assert np.allclose(got, want), trial


def test_referred_buyers_kernel_matches_numpy():
    from sim.strategies import kernels

    rng = np.random.default_rng(5)
    for trial in range(20):
        n = 50
        source = rng.integers(1, 7, n).astype(np.int8)
        converted_by = rng.integers(-1, n, n).astype(np.int32)
        buyers = np.sort(rng.choice(n, rng.integers(0, n), replace=False)).astype(np.int64)
        referees, referrers = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
        count = kernels.referred(buyers, source, 5, converted_by, referees, referrers)
        b = buyers[source[buyers] == 5]
        assert count == b.size and np.array_equal(referees[:count], b), trial
        assert np.array_equal(referrers[:count], converted_by[b]), trial


def test_enqueue_kernel_keeps_a_heap_by_ready_then_arrival():
    from sim.strategies import kernels

    ready, seq, who, posted, before = (np.zeros(8), np.zeros(8, dtype=np.int64),
                                       np.zeros(8, dtype=np.int64), np.zeros(8), np.zeros(8))
    loyalty = np.linspace(0.0, 0.9, 10)
    size, nxt = kernels.enqueue(np.array([4, 7]), 3, np.array([2.0, 0.5]), loyalty, ready, seq,
                                who, posted, before, 0, 0)
    size, nxt = kernels.enqueue(np.array([1, 2]), 5, np.array([0.0, 0.0]), loyalty, ready, seq,
                                who, posted, before, size, nxt)
    assert (size, nxt) == (4, 4)
    assert (who[0], ready[0], seq[0]) == (7, 3.5, 1)  # the earliest ready on top
    for i in range(1, size):  # every entry after its parent
        parent = (i - 1) // 2
        assert (ready[parent], seq[parent]) < (ready[i], seq[i])
    entries = sorted(zip(who[:4].tolist(), ready[:4].tolist(), posted[:4].tolist(),
                         before[:4].tolist(), strict=True))
    assert entries == [(1, 5.0, 5.0, loyalty[1]), (2, 5.0, 5.0, loyalty[2]),
                       (4, 5.0, 3.0, loyalty[4]), (7, 3.5, 3.0, loyalty[7])]
