"""The rest of the playbook (issue 17): referral design, UGC contests, live streams, over-marketing
fatigue, crises and crisis plans, brand communities.

Effect tests compare paired runs (same seed: common random numbers) over fixed seeds, so they are
deterministic; each limit was set from the spread measured over those seeds, written beside it
(mean, standard deviation and t of the paired difference).
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import make_config, t_stat
from sim.errors import ConfigError
from sim.run import run
from sim.schema import validate

SEEDS = range(20)


def values(overrides, key, seeds=SEEDS, *, base=(), pick=None):
    """``key`` of metrics.json (or ``pick(result)``) for each seed."""
    out = []
    for seed in seeds:
        result = run(make_config(*base, f"seed={seed}", "baseline=none", *overrides))
        out.append(pick(result) if pick is not None else result.metrics[key])
    return np.array(out, dtype=float)


def same_run(a, b) -> None:
    """Two runs with identical time series and conversions."""
    assert a.timeseries.equals(b.timeseries)
    assert a.conversions.equals(b.conversions)


# ------------------------------------------------------------------------- referral design

#: the reward programme's defaults are the referral design (referrer-only rewards,
#: deal_seekers=paid_referees, referred_loyalty=0.01)
REFERRAL = ("graph.n=1000", "steps=150", "model.quality=0.68", "strategy=rewards",
            "strategy.rewards.end=60")


def test_referral_reward_is_the_referrers_reward_under_its_earlier_name():
    base = ("graph.n=500", "steps=60", "seed=1", "strategy=rewards", "baseline=none")
    old = run(make_config(*base, "strategy.rewards.referral_reward=20"))
    new = run(make_config(*base, "strategy.rewards.referrer_reward=20"))
    same_run(old, new)
    m = new.metrics
    assert m["rewards_referrals_paid"] > 0
    assert m["cost"] == pytest.approx(20 * m["rewards_referrals_paid"])
    with pytest.raises(ConfigError, match="^strategy.rewards.referral_reward=5"):
        validate(make_config("strategy=rewards", "strategy.rewards.referral_reward=5",
                             "strategy.rewards.referrer_reward=7"))


def test_deal_seekers_follow_the_referees_reward():
    base = ("graph.n=800", "steps=90", "seed=2", "strategy=rewards", "baseline=none")
    legacy = run(make_config(*base, "strategy.rewards.deal_seekers=all_referred")).metrics
    assert legacy["rewards_deal_seekers"] == legacy["rewards_referred"] > 0
    referrer_only = run(make_config(*base)).metrics  # the default: paid_referees
    assert referrer_only["rewards_deal_seekers"] == 0 < referrer_only["rewards_referred"]
    two_sided = run(make_config(*base, "strategy.rewards.referee_reward=5")).metrics
    assert two_sided["rewards_deal_seekers"] == two_sided["rewards_referees_paid"] > 0
    assert two_sided["cost"] == pytest.approx(10 * two_sided["rewards_referrals_paid"]
                                              + 5 * two_sided["rewards_referees_paid"])


def test_referred_customers_churn_less_under_referrer_only_rewards():
    referred_churn = "rewards_referred_churn"
    only = values([], referred_churn, base=REFERRAL)
    bonus = values(["strategy.rewards.referee_reward=10"], referred_churn, base=REFERRAL)
    # share of referred customers who left, over these 20 seeds: 0.048 with referrer-only
    # rewards against 0.144 with a sign-up bonus (its takers are deal seekers and lose loyalty
    # when the programme stops): mean -0.096, sd 0.119, t = -3.6; over 11 blocks of 20 other
    # seeds (seeds 20-239; one seed without referred customers dropped) t = -2.7 to -4.6
    assert t_stat(only - bonus) <= -2
    unbound = values(["strategy.rewards.referred_loyalty=0"], referred_churn, base=REFERRAL)
    # the bond with a referrer who stays: 0.048 against 0.136 without it: mean -0.089,
    # sd 0.089, t = -4.5; blocks t = -3.7 to -5.2
    assert t_stat(only - unbound) <= -2.5


# ---------------------------------------------------------------------------- UGC contests

UGC = ("graph.n=1000", "steps=120", "strategy=ugc", "strategy.ugc.start=60")


def test_contest_invites_customers_and_recognises_winners_in_public():
    from sim.population import SOURCE_CODES
    from sim.run import build_model

    model = build_model(make_config("graph.n=500", "steps=60", "seed=3", "model.initial_aware=0.3",
                                    "strategy=ugc", "strategy.ugc.start=30",
                                    "strategy.ugc.duration=10"))
    ugc = model.strategies[0]
    model.run(30)  # day 30: the first contest day
    invited = model.state.customer.copy()  # the brand phase saw the same customers
    levers = model.levers
    assert invited.sum() > 20
    assert np.allclose(levers.talk_multiplier[invited], 1.5)
    assert np.allclose(levers.post_persuasion[invited], 1.2)
    assert np.allclose(levers.message_credibility[invited], 0.85)
    assert (levers.post_source[invited] == SOURCE_CODES["from_ugc"]).all()
    model.run(10)  # days 31..40: the contest ends on day 39, the winners are named on day 40
    assert ugc.counts["ugc_contest_days"] == 10 and ugc.winners.size == 5
    assert np.allclose(levers.loyalty_bonus[ugc.winners], 0.2)
    onlookers = levers.loyalty_bonus == 0.02
    assert onlookers.sum() == ugc.counts["ugc_onlookers"] > 0
    assert ugc.cost == pytest.approx(10 * 30 + 5 * 200)


def test_contest_posts_rise_and_are_believed_less():
    def contest_posts(result):
        return result.timeseries["positive_messages"].iloc[60:88].sum()

    contest = values([], "", base=UGC, pick=contest_posts)
    none = values([], "", base=UGC[:2], pick=contest_posts)
    # measured over these 20 seeds: +95 positive posts in the contest's 28 days (sd 51, t = 8.4,
    # smallest +36)
    assert (contest - none).min() > 0 and t_stat(contest - none) >= 3
    trusted = values(["strategy.ugc.credibility=1"], "adoption", base=UGC)
    doubted = values(["strategy.ugc.credibility=0.5"], "adoption", base=UGC)
    # entries believed half as much win fewer customers: -0.086 adoption (sd 0.045, t = 8.5)
    assert t_stat(trusted - doubted) >= 3


# ------------------------------------------------------------------------------ live streams

LIVE = ("graph.n=1000", "steps=120", "strategy=livestream", "strategy.livestream.start=60")
EVENT_DAYS = [60, 67, 74, 81]


def test_live_stream_viewers_hear_the_host_and_get_the_offer():
    from sim.population import SOURCE_CODES
    from sim.run import build_model

    model = build_model(make_config("graph.n=500", "steps=30", "seed=4", "model.initial_aware=0.4",
                                    "strategy=livestream", "strategy.livestream.start=10",
                                    "strategy.livestream.host=kol", "strategy.livestream.events=1"))
    live = model.strategies[0]
    model.run(9)
    some = np.arange(0, 500, 7)
    before = model.state.attitude[some].copy()
    live._watch(model, some)  # the pull of watching, alone
    host = int(np.argmax(model.graph.degree))
    target = 0.8 * model.traits.credibility[host] * 0.6
    pull = model.traits.susceptibility[some] * (1 - np.exp(-model.params.persuasion))
    assert np.allclose(model.state.attitude[some], before + pull * (target - before))
    model.step()  # day 10: the event
    viewers = live.viewers
    assert live.host == host and viewers.size > 3
    assert set(viewers.tolist()) <= set(model.graph.neighbors(host).tolist())
    s = model.state
    assert s.aware[viewers].all() and (s.last_news[viewers] == 10).all()
    assert np.allclose(model.levers.purchase_multiplier[live.offered], 2.0)
    bought = viewers[s.source[viewers] == SOURCE_CODES["from_livestream"]]
    assert (s.converted_by[bought] == host).all()
    assert live.cost == pytest.approx(500 + 5 * live.counts["livestream_sales"])


def test_live_stream_days_sell_more():
    def event_day_purchases(result):
        return result.timeseries.set_index("step").loc[EVENT_DAYS, "purchases"].sum()

    live = values([], "", base=LIVE, pick=event_day_purchases)
    none = values([], "", base=LIVE[:2], pick=event_day_purchases)
    # Limits from 10 blocks of 20 seeds (seeds 0-199): the block means of live - none ranged
    # +2.4 to +3.4 purchases on the four event days, t 5.5-10.0; single seeds can lose one
    # purchase (the stream changes who meets whom), so the check is on the paired mean.
    diff = live - none
    assert diff.mean() >= 1.5 and t_stat(diff) >= 4


# ------------------------------------------------------------------ over-marketing fatigue

FATIGUE_SEEDS = range(15)
ADS = ("graph.n=1000", "steps=120")


def ad_plan(impressions: int, fatigue: bool) -> list[str]:
    return [f"model.fatigue.enabled={str(fatigue).lower()}", "strategy=ads",
            f"strategy.ads.impressions_per_day={impressions}"]


def test_fatigue_off_or_without_pushes_changes_nothing():
    base = ("graph.n=500", "steps=60", "seed=3", "baseline=none")
    plain = run(make_config(*base))
    same_run(plain, run(make_config(*base, "model.fatigue.enabled=true")))  # no pushes at all
    ads = run(make_config(*base, "strategy=ads"))
    off = run(make_config(*base, "strategy=ads", "model.fatigue.enabled=false",
                          "model.fatigue.annoyance=0.5"))
    same_run(ads, off)
    assert not run(make_config(*base, "strategy=ads", "model.fatigue.enabled=true")
                   ).timeseries.equals(ads.timeseries)


def test_fatigue_makes_more_ads_worth_less_and_too_many_harmful():
    def adoption(impressions, fatigue):
        return values(ad_plan(impressions, fatigue), "adoption", FATIGUE_SEEDS, base=ADS)

    none = values([], "adoption", FATIGUE_SEEDS, base=ADS)
    single, double = adoption(2500, True), adoption(5000, True)
    # 2.5 impressions per consumer a day, then twice as many; measured over 10 seeds: +0.36
    # adoption, then +0.02 more: twice the plan is far from twice the effect
    # (2 g1 - g2: mean 0.34, sd 0.13, t = 8.2)
    assert t_stat(2 * (single - none) - (double - none)) >= 3
    # and fatigue is why doubling adds so little: its gain falls from +0.076 without fatigue to
    # +0.021 with it (paired difference -0.055, sd 0.043, t = -4.0)
    plain_gain = adoption(5000, False) - adoption(2500, False)
    assert t_stat((double - single) - plain_gain) <= -3
    # an extreme plan (25 a day) annoys everyone it reaches: -0.22 adoption against no ads
    # (sd 0.067, t = -10.5, largest -0.15); without fatigue it wins +0.67
    extreme = adoption(50000, True)
    assert (extreme - none).max() < 0 and t_stat(extreme - none) <= -3
    assert (adoption(50000, False) - none).min() > 0


# ------------------------------------------------------------------- crises and crisis plans

CRISIS = ("graph.n=1000", "steps=180", "model.crisis.day=100", "strategy=crisis_plan")


def test_a_crisis_hits_its_share_of_customers_for_its_days_and_complaints_surge():
    from sim.run import build_model

    base = ("graph.n=1000", "steps=40", "seed=2", "model.initial_aware=0.5", "baseline=none")
    cfg = (*base, "model.crisis.day=20", "model.crisis.duration=5", "model.crisis.share=0.4")
    model = build_model(make_config(*cfg))
    model.run(19)
    assert not model.crisis.hit.any() and model.crisis.start == 20 and model.crisis.end == 24
    model.step()  # day 20
    hit = model.crisis.hit_today
    customers = model.state.customer | model.day.churned  # customers as the day began
    assert customers[hit].all() and 0.3 < hit.size / customers.sum() < 0.5
    assert np.allclose(model.levers.quality_shift[hit], 0.5)
    assert model.levers.quality_shift.sum() == pytest.approx(0.5 * hit.size)
    model.run(10)  # after the crisis, nobody's experience is shifted
    assert model.levers.quality_shift.max() == 0 and model.crisis.hit_today.size == 0
    with_crisis = run(make_config(*cfg)).timeseries["complaints"]
    without = run(make_config(*base)).timeseries["complaints"]
    assert with_crisis.iloc[:20].equals(without.iloc[:20])
    assert with_crisis.iloc[20:25].sum() > 3 * without.iloc[20:25].sum()


def test_crisis_plans_shorten_the_recovery_and_lose_fewer_customers():
    def toll(result):  # a run that never recovered counts as the days left
        days, m = result.metrics["crisis_recovery_days"], result.metrics
        return (days if days is not None else 181 - 100), m["crisis_customers_lost"]

    none = values(["strategy.crisis_plan.budget=0"], "", base=CRISIS, pick=toll)
    plan = values([], "", base=CRISIS, pick=toll)
    # measured over these 20 seeds (2026-12-03 defaults): net sentiment back after 8.6 days
    # with the default plan, 54.4 without (paired difference -45.75, sd 13.2, t = -15.5)
    assert t_stat(plan[:, 0] - none[:, 0]) <= -3
    # customers lost: 11.8 with the plan, 17.7 without (-5.95, sd 2.6, t = -10.2)
    assert t_stat(plan[:, 1] - none[:, 1]) <= -3


# --------------------------------------------------------------------------- brand community

COMMUNITY = ("graph.n=1000", "steps=150", "baseline=none")
COMMUNITY_SEEDS = range(10)


def test_members_get_group_ties_activities_and_their_own_source():
    from sim.run import build_model

    model = build_model(make_config("graph.n=600", "steps=40", "seed=5", "model.initial_aware=0.5",
                                    "strategy=community", "strategy.community.capacity=50",
                                    "strategy.community.group_size=10",
                                    "strategy.community.start=20"))
    community = model.strategies[0]
    model.run(19)
    assert model.groups is None
    model.step()  # day 20: members join, the first activity
    members = community.members
    assert members.size == 50 and model.state.customer[members].all()
    groups = model.groups
    for first in range(0, 50, 10):  # groups of 10 in the order they joined: cliques
        group = np.sort(members[first:first + 10])
        for i in group:
            assert groups.neighbors(int(i)).tolist() == [j for j in group if j != i]
    assert np.allclose(model.levers.talk_multiplier[members], 2.0)
    assert np.allclose(model.levers.loyalty_bonus[members], 0.02)
    assert community.cost == pytest.approx(50 + 0.5 * 50 + 200)
    model.run(20)
    assert run(make_config("graph.n=600", "steps=40", "seed=5", "model.initial_aware=0.5",
                           "strategy=community", "strategy.community.start=20",
                           "baseline=none")).metrics["from_community"] > 0


def test_community_members_are_more_loyal_and_stay():
    community = ("strategy=community", "strategy.community.start=40")
    loyalty, retained = [], []
    for seed in COMMUNITY_SEEDS:
        with_it = run(make_config(*COMMUNITY, *community, f"seed={seed}")).model
        without = run(make_config(*COMMUNITY, f"seed={seed}")).model
        members = with_it.strategies[0].is_member
        figures = []
        for s in (with_it.state, without.state):
            kept = members & s.customer
            figures.append((s.loyalty[kept].mean(), kept.sum() / (members & s.ever_customer).sum()))
        loyalty.append(figures[0][0] - figures[1][0])
        retained.append(figures[0][1] - figures[1][1])
    # measured over these 10 seeds (200 members from day 40, paired with the same consumers
    # without a community): members' mean loyalty at the end +0.094 (sd 0.016, t = 19.2);
    # share of members still customers +0.086 (sd 0.021, t = 12.7)
    assert t_stat(np.array(loyalty)) >= 3 and min(loyalty) > 0
    assert t_stat(np.array(retained)) >= 3
