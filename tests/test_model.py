"""The model as a whole: invariants every step, determinism, engines, activation order."""

from __future__ import annotations

from operator import attrgetter

import numpy as np
import pytest

from conftest import make_config
from sim.engines import AgentEngine
from sim.metrics import TIMESERIES_COLUMNS
from sim.rules import wom
from sim.run import build_model, run

SMALL = ("graph.n=300", "steps=60")


def check_invariants(model) -> None:
    s = model.state
    assert not (s.customer & ~s.aware).any(), "customers must be aware"
    assert not (s.customer & ~s.ever_customer).any(), "customers must be ever-customers"
    assert not (s.churned & ~s.ever_customer).any(), "churned must have been customers"
    assert not (s.churned & s.customer).any(), "churned consumers are not customers"
    assert np.all((s.attitude >= -1) & (s.attitude <= 1))
    assert np.all((s.loyalty >= 0) & (s.loyalty <= 1))
    assert np.all(s.loyalty[~s.customer] == 0)
    row = model.records[-1]
    for key in ("reach", "adoption", "customers", "promoters", "detractors", "churned"):
        assert 0.0 <= row[key] <= 1.0, key
    assert -1.0 <= row["net_sentiment"] <= 1.0
    assert row["promoters"] + row["detractors"] <= row["reach"] + 1e-12


@pytest.mark.parametrize("overrides", [
    (),
    ("model.quality=0.4", "model.churn_threshold=0.4"),
    ("graph=ws", "model.negativity_bias=3", "model.initial_aware=0.1"),
])
def test_invariants_hold_every_step(overrides):
    model = build_model(make_config(*SMALL, *overrides, "seed=4"))
    check_invariants(model)
    for _ in range(60):
        model.step()
        check_invariants(model)
    assert model.state.ever_customer.any(), "scenario should exercise purchases"


def test_same_seed_same_metrics_and_different_seed_differs():
    a = run(make_config(*SMALL, "seed=11")).metrics
    b = run(make_config(*SMALL, "seed=11")).metrics
    c = run(make_config(*SMALL, "seed=12")).metrics
    assert a == b
    assert a != c


def test_timeseries_has_one_row_per_step_from_zero():
    result = run(make_config(*SMALL))
    ts = result.timeseries
    assert list(ts.columns) == list(TIMESERIES_COLUMNS)
    assert ts["step"].tolist() == list(range(61))
    assert ts["positive_messages"].sum() == result.metrics["positive_messages"]
    assert (ts["reach"].diff().dropna() >= 0).all()  # awareness is permanent
    assert (ts["adoption"].diff().dropna() >= 0).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("overrides", [
    (),
    ("model.quality=0.45", "model.churn_threshold=0.45", "model.initial_aware=0.05"),
    ("graph=sbm", "model.negativity_bias=3", "model.detractor_talk=2.5", "model.audience=1.5",
     "population.talkativeness.mean=0.4"),
])
def test_agent_engine_matches_vectorized_draw_for_draw(seed, overrides):
    cfgs = [make_config("graph.n=150", "steps=60", f"seed={seed}", f"engine={e}", *overrides)
            for e in ("vectorized", "agents")]
    fast, ref = (run(c) for c in cfgs)
    np.testing.assert_allclose(fast.timeseries.to_numpy(dtype=float),
                               ref.timeseries.to_numpy(dtype=float), rtol=1e-9, atol=1e-12)
    for name in ("aware", "customer", "ever_customer", "churned", "aware_via", "persuader",
                 "persuader_source", "source", "converted_by"):
        assert np.array_equal(getattr(fast.model.state, name), getattr(ref.model.state, name))
    np.testing.assert_allclose(fast.model.state.attitude, ref.model.state.attitude, atol=1e-12)
    assert ref.metrics["reach"] > 0.05


def test_agent_activation_order_does_not_change_results(monkeypatch):
    cfg = make_config("graph.n=120", "steps=30", "seed=5", "engine=agents")
    ordered = run(cfg).timeseries

    def shuffled_phase(self, decide, commit):
        self.consumers.shuffle_do(decide)
        self.consumers.shuffle_do(commit)

    monkeypatch.setattr(AgentEngine, "_phase", shuffled_phase)
    shuffled = run(cfg).timeseries
    np.testing.assert_allclose(ordered.to_numpy(dtype=float), shuffled.to_numpy(dtype=float),
                               atol=1e-12)


def test_agents_are_mesa_consumers_on_the_graph():
    model = build_model(make_config("graph.n=50", "engine=agents"))
    consumers = list(model.agents)
    assert len(consumers) == 50
    c = consumers[7]
    assert c.index == 7
    assert c.neighbor_indices == model.graph.neighbors(7).tolist()
    c.attitude = 0.5
    assert model.state.attitude[7] == 0.5


def test_no_talk_means_awareness_only_from_media():
    result = run(make_config(*SMALL, "population.talkativeness.dist=constant",
                             "population.talkativeness.mean=0", "model.complaint_rate=0"))
    ts = result.timeseries
    assert ts["aware_from_wom"].sum() == 0
    assert result.metrics["positive_messages"] == result.metrics["negative_messages"] == 0
    assert ts["reach"].iloc[-1] * 300 == ts["aware_from_media"].sum()


def test_no_media_and_nobody_aware_means_nothing_happens():
    result = run(make_config(*SMALL, "model.media_awareness=0"))
    assert result.metrics["reach"] == 0 and result.metrics["adoption"] == 0
    assert result.metrics["mean_loyalty"] is None and result.metrics["retention"] is None
    assert result.metrics["time_to_half_reach"] is None


def test_detractor_talk_raises_negative_share_of_messages():
    def negative_share(talk):
        pos = neg = 0
        for seed in range(5):
            m = run(make_config("graph.n=500", "steps=90", f"seed={seed}",
                                f"model.detractor_talk={talk}")).metrics
            pos, neg = pos + m["positive_messages"], neg + m["negative_messages"]
        return neg / (pos + neg)

    low, high = negative_share(1.0), negative_share(6.0)
    assert high > low + 0.1, (low, high)


def test_negativity_bias_weighs_negative_word_of_mouth_and_lowers_sentiment():
    def net_sentiment(bias):
        return np.mean([run(make_config("graph.n=500", "steps=90", f"seed={seed}",
                                        "model.quality=0.62",
                                        f"model.negativity_bias={bias}")).metrics["net_sentiment"]
                        for seed in range(5)])

    assert net_sentiment(4.0) < net_sentiment(1.0) - 0.05


def test_better_quality_gives_more_promoters_and_loyalty():
    def outcome(quality):
        ms = [run(make_config("graph.n=500", "steps=120", f"seed={s}",
                              f"model.quality={quality}")).metrics for s in range(4)]
        return (np.mean([m["net_sentiment"] for m in ms]),
                np.mean([m["retention"] for m in ms]))

    (net_lo, ret_lo), (net_hi, ret_hi) = outcome(0.5), outcome(0.85)
    assert net_hi > net_lo + 0.3
    assert ret_hi > ret_lo


def test_engines_agree_with_every_rule_and_strategy_active():
    overrides = ("graph.n=300", "steps=60", "seed=6", "model.initial_aware=0.2",
                 "model.quality=0.55", "model.churn_threshold=0.45",
                 "strategy=[kol,rewards,fast_response,ads]", "budget=20000")
    fast = run(make_config(*overrides, "engine=vectorized"))
    ref = run(make_config(*overrides, "engine=agents"))
    np.testing.assert_allclose(fast.timeseries.to_numpy(dtype=float),
                               ref.timeseries.to_numpy(dtype=float), rtol=1e-9, atol=1e-12)
    for key in ("adoption", "churn", "complaints", "complaints_recovered", "from_kol",
                "from_referral", "from_ads", "organic", "cost"):
        assert fast.metrics[key] == pytest.approx(ref.metrics[key]), key
    m = ref.metrics
    assert m["churn"] > 0 and m["complaints_recovered"] > 0 and m["from_referral"] > 0
    assert m["from_kol"] + m["seeded"] > 0 and m["from_ads"] > 0


#: the playbook of issue 17, every mechanism on: the engines must still agree draw for draw;
#: (overrides, figures that must be above 0 so that the mechanism was exercised)
PLAYBOOK = {
    "referral, contest, live streams": ((
        "strategy=[rewards,ugc,livestream]", "budget=20000", "strategy.ugc.start=20",
        "strategy.rewards.deal_seekers=paid_referees", "strategy.rewards.referee_reward=5",
        "strategy.rewards.referred_loyalty=0.01", "strategy.livestream.start=15",
        "strategy.livestream.host=kol", "strategy.livestream.every=5",
        "strategy.livestream.events=6"),
        ("rewards_referees_paid", "ugc_posts", "ugc_onlookers", "livestream_sales",
         "from_livestream")),
    "over-marketing fatigue": ((
        "model.fatigue.enabled=true", "model.fatigue.irritation=5",
        "strategy=[kol,rewards,ads,ugc,livestream]", "strategy.ads.impressions_per_day=3000",
        "strategy.ugc.start=20", "strategy.livestream.start=10", "strategy.livestream.every=3",
        # no audience limit: with it this small world's live streams sold nothing at seed 7
        # (the limit is exercised in test_agent_engine_matches_vectorized_draw_for_draw)
        "strategy.livestream.events=10", "model.audience=null"),
        ("from_ads", "from_kol", "livestream_sales", "model.fatigue.irritated")),
    "crisis and crisis plan": ((
        "model.crisis.day=20", "model.crisis.duration=10", "strategy=[fast_response,crisis_plan]",
        "strategy.crisis_plan.surge_capacity=5", "strategy.crisis_plan.compensation=50",
        "strategy.crisis_plan.budget=5000", "budget=2000"),
        ("crisis_hit", "crisis_answered", "crisis_recovered", "crisis_compensated",
         "complaints_recovered")),
    "brand community": ((
        "strategy=[community,ugc]", "strategy.community.capacity=80",
        "strategy.community.group_size=9", "strategy.community.moderation=0.5",
        "strategy.community.activity_every=3", "strategy.community.fans=true",
        "model.fatigue.enabled=true", "strategy.ugc.start=30"),
        ("community_members", "community_activities", "community_removed", "from_community")),
}


@pytest.mark.parametrize(("overrides", "active"), list(PLAYBOOK.values()), ids=list(PLAYBOOK))
def test_engines_agree_with_the_playbook(overrides, active):
    base = ("graph.n=300", "steps=60", "seed=7", "model.initial_aware=0.2", "model.quality=0.6",
            "model.churn_threshold=0.4", "baseline=none", *overrides)
    fast = run(make_config(*base, "engine=vectorized"))
    ref = run(make_config(*base, "engine=agents"))
    np.testing.assert_allclose(fast.timeseries.to_numpy(dtype=float),
                               ref.timeseries.to_numpy(dtype=float), rtol=1e-9, atol=1e-12)
    assert fast.conversions.equals(ref.conversions)
    for name in ("aware", "customer", "churned", "persuader", "persuader_source", "source"):
        assert np.array_equal(getattr(fast.model.state, name), getattr(ref.model.state, name))
    np.testing.assert_allclose(fast.model.state.attitude, ref.model.state.attitude, atol=1e-12)
    assert fast.metrics["cost"] == pytest.approx(ref.metrics["cost"])
    for key in active:  # a figure of metrics.json, or an attribute of the model
        got, want = ((fast.metrics[key], ref.metrics[key]) if not key.startswith("model.") else
                     (attrgetter(key[6:])(fast.model), attrgetter(key[6:])(ref.model)))
        assert got == want and got > 0, key


@pytest.mark.parametrize("graph", ["graph=ba", "graph=sbm"])
def test_results_do_not_depend_on_the_number_of_threads(graph, monkeypatch):
    # chunks of any size, however small (by default small populations run serially)
    monkeypatch.setattr(wom, "MIN_CONSUMERS_PER_CHUNK", 1)
    monkeypatch.setattr(wom, "MIN_READERS_PER_CHUNK", 1)
    overrides = (graph, "graph.n=5000", "steps=40", "seed=2", "model.initial_aware=0.05",
                 "model.quality=0.55", "model.churn_threshold=0.45",
                 "strategy=[kol,rewards,fast_response,ads]", "budget=20000")
    one = run(make_config(*overrides, "threads=1"))
    many = run(make_config(*overrides, "threads=3"))  # 3 chunks, on however many cores
    assert many.model.engine.chunks.consumers.size == 4
    assert many.model.engine.chunks.readers.size == 4
    assert one.timeseries.equals(many.timeseries)
    assert (one.run_info["threads"], many.run_info["threads"]) == (1, 3)
    assert one.metrics == many.metrics
    for name in ("aware", "attitude", "loyalty", "customer", "persuader", "source",
                 "converted_by", "last_news"):
        assert np.array_equal(getattr(one.model.state, name), getattr(many.model.state, name))
    assert one.metrics["complaints_recovered"] > 0 and one.metrics["from_referral"] > 0


def test_graph_cache_gives_the_same_run(tmp_path):
    plain = run(make_config(*SMALL, "seed=2"))
    first = run(make_config(*SMALL, "seed=2", f"graph.cache_dir={tmp_path}"))
    again = run(make_config(*SMALL, "seed=2", f"graph.cache_dir={tmp_path}"))
    assert len(list(tmp_path.glob("*.npz"))) == 1
    assert plain.timeseries.equals(first.timeseries) and first.timeseries.equals(again.timeseries)


def test_small_populations_run_serially():
    from sim.graphs import Graph

    def ring(n):
        nodes = np.arange(n)
        return Graph.from_edges(n, nodes, (nodes + 1) % n)

    n = 3 * wom.MIN_CONSUMERS_PER_CHUNK
    chunks = wom.Chunks.of(ring(n), 8)
    assert chunks.consumers.size - 1 == 3
    assert chunks.readers.size - 1 == min(8, n // wom.MIN_READERS_PER_CHUNK)
    small = wom.Chunks.of(ring(min(wom.MIN_CONSUMERS_PER_CHUNK, wom.MIN_READERS_PER_CHUNK) - 1), 8)
    assert small.consumers.size - 1 == 1 and small.readers.size - 1 == 1
