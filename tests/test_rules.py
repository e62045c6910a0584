"""Each rule of the word-of-mouth model, one at a time, on hand-made arrays and tiny graphs."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from conftest import path_graph, star_graph
from sim.config import WomModelConfig
from sim.graphs import Graph
from sim.population import (
    SOURCE_CODES,
    VIA_ADS,
    VIA_MEDIA,
    VIA_WOM,
    State,
    Traits,
    sentiment_codes,
)
from sim.rules import wom
from sim.rules.draws import DayDraws
from sim.rules.levers import Levers


def traits(n, talk=1.0, sus=0.5, cred=0.8, expect=0.6) -> Traits:
    return Traits(np.full(n, talk), np.full(n, sus), np.full(n, cred), np.full(n, expect))


def draws(n, **values) -> DayDraws:
    """Draws that make every event happen (0.0) unless set; ``noise`` defaults to 0."""
    base = {name: np.zeros(n) for name in
            ("media", "use", "noise", "complain", "talk", "hear", "adopt", "churn")}
    for name, value in values.items():
        base[name] = np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy()
    return DayDraws(**base)


P = WomModelConfig()


def test_sentiment_thresholds():
    att = np.array([0.5, 0.3, 0.29, 0.0, -0.29, -0.3, -0.9, 0.9])
    aware = np.array([1, 1, 1, 1, 1, 1, 1, 0], dtype=bool)
    assert sentiment_codes(att, aware, 0.3).tolist() == [1, 1, 0, 0, 0, -1, -1, 0]


def test_brand_media_makes_unaware_aware_with_media_tone():
    s = State.empty(4)
    s.aware[0] = True
    s.attitude[0] = -0.5
    day = wom.Day(t=1)
    wom.brand(s, draws(4, media=[0.0, 0.001, 0.5, 0.0015]), Levers.neutral(4), P, day)
    assert s.aware.tolist() == [True, True, False, True]
    assert s.attitude.tolist() == [-0.5, P.media_tone, 0.0, P.media_tone]  # aware 0 untouched
    assert day.counts["aware_from_media"] == 2


def test_brand_extra_awareness_lever_adds_to_media():
    s = State.empty(3)
    levers = Levers.neutral(3)
    levers.extra_awareness = 0.5
    wom.brand(s, draws(3, media=[0.4, 0.6, 0.501]), levers, P, wom.Day(t=1))
    assert s.aware.tolist() == [True, False, True]


def test_experience_satisfaction_is_scaled_disconfirmation():
    p = replace(P, quality=0.7, quality_noise=0.1, satisfaction_scale=0.2, experience_weight=0.5)
    s = State.empty(3)
    s.customer[:] = [True, True, False]
    s.attitude[:] = 0.2
    day = wom.Day(t=5)
    wom.experience(s, traits(3, expect=0.6), draws(3, noise=[1.0, -10.0, 0.0]), p, day)
    # felt 0.8 -> (0.8-0.6)/0.2 = 1; felt clipped to 0 -> -1 (clipped); non-customer -> 0
    assert day.satisfaction.tolist() == pytest.approx([1.0, -1.0, 0.0])
    assert s.attitude.tolist() == pytest.approx([0.2 + 0.5 * 0.8, 0.2 + 0.5 * -1.2, 0.2])
    assert day.used.tolist() == [True, True, False]
    assert s.last_news.tolist() == [5, 5, -1]


def test_complaints_only_from_dissatisfied_users():
    p = replace(P, complaint_threshold=0.5, complaint_rate=1.0, quality_noise=0.1)
    s = State.empty(4)
    s.customer[:] = [True, True, True, False]
    day = wom.Day(t=1)
    # satisfaction: (0.7 + 0.1 z - 0.6) / 0.2 -> z=-3: -1 ; z=-2: -0.5 ; z=0: +0.5
    wom.experience(s, traits(4), draws(4, noise=[-3.0, -2.0, 0.0, -3.0]), p, day)
    assert day.complained.tolist() == [True, True, False, False]


def test_no_quality_failures_means_no_complaints():
    p = replace(P, quality=0.9, quality_noise=0.0, complaint_rate=1.0)
    s = State.empty(50)
    s.customer[:] = True
    day = wom.Day(t=1)
    rng = np.random.default_rng(0)
    wom.experience(s, traits(50, expect=0.6), draws(50, noise=rng.normal(size=50) * 5), p, day)
    assert day.counts["complaints"] == 0


def _talk(graph, state, tr, d, p, levers=None, t=1):
    day = wom.Day(t=t)
    day.complained = np.zeros(graph.n, dtype=bool)
    wom.talk(state, tr, graph, d, levers or Levers.neutral(graph.n), p, day)
    return day


def test_promoter_post_reaches_only_neighbours_with_exact_pull():
    g = path_graph(3)  # 0 - 1 - 2
    p = replace(P, attention=1.0, persuasion=1.0, hearsay_talk=1.0)
    s = State.empty(3)
    s.aware[0], s.attitude[0], s.last_news[0] = True, 0.9, 1
    day = _talk(g, s, traits(3, sus=0.5, cred=0.8), draws(3), p)
    assert day.posted.tolist() == [1, 0, 0]
    assert s.aware.tolist() == [True, True, False]
    expected = 0.5 * (1 - math.exp(-1.0)) * 0.8  # susceptibility * pull * credibility signal
    assert s.attitude[1] == pytest.approx(expected)
    assert s.attitude[2] == 0.0
    assert day.counts == {"positive_messages": 1, "negative_messages": 0, "aware_from_wom": 1}


def test_talk_probability_zero_means_nobody_new_becomes_aware():
    g = star_graph(5)
    s = State.empty(6)
    s.aware[0], s.attitude[0], s.last_news[0] = True, 0.9, 1
    day = _talk(g, s, traits(6, talk=0.0), draws(6), P)
    assert day.posted.sum() == 0 and s.aware.sum() == 1


def test_neutral_and_stale_consumers_do_not_post():
    g = path_graph(3)
    s = State.empty(3)
    s.aware[:] = True
    s.attitude[:] = [0.1, 0.9, -0.9]
    s.last_news[:] = [1, -1, 1]  # consumer 1 never had news
    day = _talk(g, s, traits(3), draws(3), replace(P, hearsay_talk=1.0))
    assert day.posted.tolist() == [0, 0, -1]


def test_talk_probability_decays_with_the_age_of_news():
    g = path_graph(2)
    p = replace(P, hearsay_talk=1.0, news_memory=14.0)
    fresh = math.exp(-10 / 14)  # news 10 days old at day 10
    for last_news, talk_draw, expected in ((10, 0.99, 1), (0, fresh - 1e-6, 1),
                                           (0, fresh + 1e-6, 0), (-1, 0.0, 0)):
        s = State.empty(2)
        s.aware[0], s.attitude[0], s.last_news[0] = True, 0.9, last_news
        day = _talk(g, s, traits(2, talk=1.0), draws(2, talk=[talk_draw, 1.0]), p, t=10)
        assert day.posted[0] == expected, (last_news, talk_draw)



def test_freshness_table_is_exact_ends_at_underflow_and_grows_for_long_memories():
    from sim.rules.talk_kernels import fresh_table

    assert fresh_table(2.0, 10).size > 10  # covers the day
    table = fresh_table(2.0, 5_000)
    ages = np.arange(table.size)
    assert table.tolist() == [math.exp(-a / 2.0) for a in ages.tolist()]  # bit for bit
    assert table[-1] == 0.0 and table[-2] > 0.0  # ends at the first age that underflows
    assert table.size < 5_000 and fresh_table(2.0, 10**6) is table  # not grown with the day
    long = fresh_table(1e12, 5_000)  # never underflows within a run: covers the day
    assert long.size > 5_000 and long[5_000] == math.exp(-5_000 / 1e12)


def test_news_older_than_the_freshness_table_is_stale_and_never_is_silent():
    """Days far past the age where freshness underflows read 0.0, as the singly computed
    exp(-age / news_memory) does; a draw of exactly 0 shows a non-zero probability."""
    g = path_graph(2)
    p = replace(P, hearsay_talk=1.0, news_memory=1.0)
    for t, last_news, expected in ((100_000, 99_300, 1), (100_000, 99_000, 0),
                                   (100_000, -1, 0), (3, 0, 1)):
        s = State.empty(2)
        s.aware[0], s.attitude[0], s.last_news[0] = True, 0.9, last_news
        day = _talk(g, s, traits(2, talk=1.0), draws(2, talk=[0.0, 1.0]), p, t=t)
        assert day.posted[0] == expected, (t, last_news)
    assert math.exp(-700.0) > 0.0 and math.exp(-1000.0) == 0.0  # why 700 posts and 1000 not

def test_hearsay_talks_less_than_own_experience():
    g = path_graph(2)
    s = State.empty(2)
    s.aware[:] = True
    s.attitude[:] = 0.9
    s.last_news[:] = 1
    s.ever_customer[0] = True
    p = replace(P, hearsay_talk=0.3)
    day = _talk(g, s, traits(2, talk=0.5), draws(2, talk=0.2), p)  # 0.2 < 0.5 but > 0.15
    assert day.posted.tolist() == [1, 0]


def test_detractor_talk_makes_negative_posts_more_likely_and_negativity_bias_does_not():
    g = path_graph(2)
    s = State.empty(2)
    s.aware[:] = True
    s.attitude[:] = [0.9, -0.9]
    s.last_news[:] = 1
    for bias, talk, expected in ((1.0, 2.0, [0, -1]), (3.0, 1.0, [0, 0])):
        p = replace(P, negativity_bias=bias, detractor_talk=talk, hearsay_talk=1.0)
        day = _talk(g, s.copy(), traits(2, talk=0.3), draws(2, talk=0.45), p)  # 0.45 > 0.3
        assert day.posted.tolist() == expected, (bias, talk)


def test_a_posters_audience_spreads_their_attention_over_all_their_ties():
    """A hub's post is read over each tie with attention * min(1, audience / strength): the
    same weight once read (each tie no more persuasive), a smaller chance of reading it."""
    from sim.rules.wom import reach_factors

    g = star_graph(4)  # centre 0, leaves 1..4, ties of strength 1: the centre's strength is 4
    assert reach_factors(g, None).tolist() == [1.0] * 5
    assert reach_factors(g, 2.0).tolist() == [0.5, 1.0, 1.0, 1.0, 1.0]
    p = replace(P, attention=0.5, audience=2.0, hearsay_talk=1.0)
    for hear, read in ((0.24, True), (0.26, False)):  # read w.p. 0.5 * 0.5 = 0.25, not 0.5
        s = State.empty(5)
        s.aware[0], s.attitude[0], s.last_news[0] = True, 0.9, 1
        day = _talk(g, s, traits(5), draws(5, hear=hear), p)
        assert day.heard[1:].tolist() == [read] * 4, hear
    s = State.empty(5)  # a leaf (strength 1 <= audience) is read with the full attention
    s.aware[1], s.attitude[1], s.last_news[1] = True, 0.9, 1
    assert _talk(g, s, traits(5), draws(5, hear=0.49), p).heard[0]


def test_negative_messages_weigh_more():
    g = star_graph(2)  # centre 0 hears leaf 1 (promoter) and leaf 2 (detractor)
    s = State.empty(3)
    s.aware[1:] = True
    s.attitude[1:] = [0.9, -0.9]
    s.last_news[1:] = 1
    for bias, sign in ((1.0, 0), (2.0, -1)):
        st = s.copy()
        _talk(g, st, traits(3, cred=0.8), draws(3), replace(P, negativity_bias=bias))
        assert np.sign(round(st.attitude[0], 12)) == sign


def test_tie_strength_and_credibility_scale_influence():
    def pull(weight, cred):
        g = path_graph(2, weight)
        s = State.empty(2)
        s.aware[0], s.attitude[0], s.last_news[0] = True, 0.9, 1
        _talk(g, s, traits(2, cred=cred), draws(2), replace(P, hearsay_talk=1.0))
        return s.attitude[1]

    assert 0 < pull(0.3, 0.8) < pull(1.0, 0.8)
    assert 0 < pull(1.0, 0.4) < pull(1.0, 0.8)


def test_message_credibility_lever_lowers_persuasion():
    g = path_graph(2)
    results = []
    for factor in (1.0, 0.5):
        s = State.empty(2)
        s.aware[0], s.attitude[0], s.last_news[0] = True, 0.9, 1
        levers = Levers.neutral(2)
        levers.message_credibility[:] = factor
        _talk(g, s, traits(2), draws(2), replace(P, hearsay_talk=1.0), levers)
        results.append(s.attitude[1])
    assert results[1] == pytest.approx(results[0] * 0.5)


def test_reading_probability_combines_posts_independently():
    g = star_graph(3, weight=0.5)  # centre hears three promoters, each read w.p. 0.5 * attention
    s = State.empty(4)
    s.aware[1:] = True
    s.attitude[1:] = 0.9
    s.last_news[1:] = 1
    p = replace(P, attention=0.4, hearsay_talk=1.0)
    p_read = 1 - (1 - 0.4 * 0.5) ** 3
    assert _talk(g, s.copy(), traits(4), draws(4, hear=p_read - 1e-9), p).heard[0]
    assert not _talk(g, s.copy(), traits(4), draws(4, hear=p_read + 1e-9), p).heard[0]


def test_complainers_always_post_negatively():
    g = path_graph(2)
    s = State.empty(2)
    s.aware[:] = True
    s.attitude[:] = 0.5
    day = wom.Day(t=1)
    day.complained = np.array([True, False])
    wom.talk(s, traits(2, talk=0.0), g, draws(2), Levers.neutral(2), P, day)
    assert day.posted.tolist() == [-1, 0]


def test_adoption_rises_with_attitude_and_skips_churned_and_customers():
    att = np.linspace(-1, 1, 21)
    prob = P.max_purchase_rate / (1 + np.exp(-P.purchase_slope * (att - P.purchase_midpoint)))
    for offset, buys in ((-1e-9, True), (1e-9, False)):  # buys exactly when the draw < prob
        s = State.empty(att.size)
        s.aware[:] = True
        s.attitude[:] = att
        day = wom.Day(t=1)
        wom.adoption(s, draws(att.size, adopt=prob + offset), P, day)
        assert day.bought.all() if buys else not day.bought.any()
    assert np.all(np.diff(prob) > 0) and prob.max() <= P.max_purchase_rate
    s = State.empty(4)
    s.aware[:] = [True, True, True, False]
    s.customer[1] = True
    s.churned[2] = True
    day = wom.Day(t=3)
    wom.adoption(s, draws(4), P, day)
    assert day.bought.tolist() == [True, False, False, False]
    assert s.loyalty[0] == P.initial_loyalty and s.ever_customer[0]


def test_loyalty_moves_with_satisfaction_and_wom_and_low_loyalty_churns():
    p = replace(P, satisfaction_loyalty=0.1, wom_loyalty=0.05, churn_threshold=0.2, churn_rate=1.0)
    s = State.empty(4)
    s.customer[:3] = True
    s.ever_customer[:3] = True
    s.loyalty[:3] = [0.5, 0.25, 0.5]
    day = wom.Day(t=1)
    day.satisfaction = np.array([1.0, -1.0, 0.0, 1.0])
    day.heard_signal = np.array([0.0, 0.0, -1.0, 1.0])
    wom.loyalty(s, draws(4), Levers.neutral(4), p, day)
    assert s.loyalty.tolist() == pytest.approx([0.6, 0.0, 0.45, 0.0])
    assert s.churned.tolist() == [False, True, False, False]
    assert s.customer.tolist() == [True, False, True, False]


def test_forgetting_decays_attitude_toward_neutral():
    s = State.empty(3)
    s.attitude[:] = [0.5, -0.5, 0.0]
    wom.forgetting(s, replace(P, attitude_decay=0.1))
    assert s.attitude.tolist() == pytest.approx([0.45, -0.45, 0.0])


def test_loyalty_bonus_lever_adds_to_customers_only():
    s = State.empty(2)
    s.customer[0] = s.ever_customer[0] = True
    s.loyalty[0] = 0.5
    levers = Levers.neutral(2)
    levers.loyalty_bonus[:] = 0.1
    day = wom.Day(t=1)
    day.satisfaction = np.zeros(2)
    day.heard_signal = np.zeros(2)
    wom.loyalty(s, draws(2, churn=1.0), levers, P, day)
    assert s.loyalty.tolist() == pytest.approx([0.6, 0.0])


def test_one_media_draw_separates_mass_media_from_ads():
    s = State.empty(3)
    levers = Levers.neutral(3)
    levers.extra_awareness, levers.ads_tone = 0.1, 0.4
    day = wom.Day(t=1)
    wom.brand(s, draws(3, media=[0.001, 0.05, 0.5]), levers, P, day)
    assert s.aware_via.tolist() == [VIA_MEDIA, VIA_ADS, 0]
    assert s.attitude.tolist() == pytest.approx([P.media_tone, 0.4, 0.0])
    assert day.counts["aware_from_media"] == 1 and day.counts["aware_from_ads"] == 1


def test_reader_remembers_most_persuasive_sender_and_its_kind():
    # centre 0 reads leaves 1, 2, 3
    g = Graph.from_edges(4, np.zeros(3, dtype=int), np.arange(1, 4), np.array([0.3, 1.0, 1.0]))
    s = State.empty(4)
    s.aware[1:] = True
    s.attitude[1:] = 0.9
    s.last_news[1:] = 1
    tr = traits(4)
    tr.credibility[:] = [0.5, 0.9, 0.6, 0.6]  # scores w*c: 0.27, 0.6, 0.6 -> tie, lowest index 2
    levers = Levers.neutral(4)
    levers.post_source[2] = SOURCE_CODES["from_kol"]
    day = _talk(g, s, tr, draws(4), replace(P, hearsay_talk=1.0), levers)
    assert day.heard[0]
    assert s.persuader[0] == 2 and s.persuader_source[0] == SOURCE_CODES["from_kol"]
    assert s.aware_via[0] == VIA_WOM
    assert s.persuader[1:].tolist() == [-1, -1, -1]


def test_purchase_source_follows_last_persuasive_post_else_awareness():
    s = State.empty(4)
    s.aware[:] = True
    s.attitude[:] = 1.0
    s.aware_via[:] = [VIA_MEDIA, VIA_ADS, VIA_ADS, VIA_WOM]
    s.persuader[:] = [-1, -1, 3, 0]
    s.persuader_source[:] = [0, 0, SOURCE_CODES["from_kol"], SOURCE_CODES["organic"]]
    wom.adoption(s, draws(4), P, wom.Day(t=2))
    names = {v: k for k, v in SOURCE_CODES.items()}
    assert [names[c] for c in s.source] == ["from_media", "from_ads", "from_kol", "organic"]
    assert s.converted_by.tolist() == [-1, -1, 3, 0]


def test_bernoulli_positions_have_the_right_distribution():
    from sim.rules.csr import bernoulli_positions, successful_entries

    rng = np.random.default_rng(4)
    counts = np.zeros(50)
    totals = []
    for _ in range(4000):
        hits = bernoulli_positions(rng, 50, 0.1)
        assert np.all(np.diff(hits) > 0) and (hits.size == 0 or (hits[0] >= 0 and hits[-1] < 50))
        counts[hits] += 1
        totals.append(hits.size)
    # each position succeeds w.p. 0.1: 4000 trials -> 400 +- 19 (sd); allow 5 sd
    assert np.all(np.abs(counts - 400) < 5 * 19)
    assert abs(np.var(totals) - 50 * 0.1 * 0.9) < 0.6  # binomial variance 4.5
    assert bernoulli_positions(rng, 7, 1.0).tolist() == list(range(7))
    assert bernoulli_positions(rng, 7, 0.0).size == 0
    g = star_graph(5)
    entries = successful_entries(rng, g.indptr, np.array([0, 3]), 1.0)
    assert entries.tolist() == list(range(g.indptr[0], g.indptr[1])) + [g.indptr[3]]


def test_fatigue_weakens_further_exposures_then_annoys():
    from sim.config.mechanisms import FatigueConfig
    from sim.rules.fatigue import Fatigue

    cfg = FatigueConfig(enabled=True, decay=0.5, saturation=2.0, irritation=3.0, annoyance=0.1)
    fatigue, s, levers = Fatigue(cfg, 3), State.empty(3), Levers.neutral(3)
    s.aware[:] = [True, True, False]
    s.attitude[:] = [0.5, -0.95, 0.0]
    assert np.allclose(fatigue.efficacy(), 1.0)
    fatigue.expose(np.array([0, 1, 1, 2]), 2.0)  # today's exposures: 2, 4, 2
    fatigue.end_of_day(s, levers)
    # beyond irritation 3: min(x, max(0, F + x - 3)) = 0, 1, 0
    assert s.attitude.tolist() == pytest.approx([0.5, -1.0, 0.0])  # -0.95 - 0.1, floored at -1
    assert levers.loyalty_bonus.tolist() == pytest.approx([0.0, -0.1, 0.0])
    assert fatigue.stock.tolist() == pytest.approx([1.0, 2.0, 1.0])  # (F + x) (1 - decay)
    assert fatigue.efficacy().tolist() == pytest.approx([2 / 3, 0.5, 2 / 3])  # 1 / (1 + F / 2)
    assert fatigue.boost(np.array([1]), 3.0).tolist() == pytest.approx([2.0])  # 1 + (3 - 1) e
    assert fatigue.irritated == 1 and fatigue.exposures == pytest.approx(8.0)
    off = Fatigue(FatigueConfig(), 3)
    off.expose(np.array([0]), 100.0)
    off.end_of_day(s, levers)
    assert off.efficacy() == 1.0 and off.boost(None, 3.0) == 3.0 and off.stock.size == 0


def test_group_ties_carry_posts_to_members_who_are_not_neighbours():
    from sim.rules.groups import GroupTies

    g = path_graph(4)  # 0 - 1 - 2 - 3: 3 is not 0's neighbour
    groups = GroupTies.of(4, np.array([3, 0]), size=2, weight=0.5, attention=0.8)
    assert groups.neighbors(0).tolist() == [3] and groups.neighbors(3).tolist() == [0]
    assert groups.neighbors(1).size == 0 and groups.tie_weights(0).tolist() == [0.5]
    p = replace(P, attention=1.0, persuasion=1.0, hearsay_talk=1.0)

    def hear(valence, muted, draw=0.39):
        s = State.empty(4)
        s.aware[0], s.attitude[0], s.last_news[0] = True, 0.9 * valence, 1
        groups.muted[:] = False
        groups.muted[0] = muted
        day = wom.Day(t=1)
        day.complained = np.zeros(4, dtype=bool)
        # reader 3 reads when its draw is below 1 - (1 - 0.8 * 0.5) = 0.4
        wom.talk(s, traits(4, sus=0.5, cred=0.8), g, draws(4, hear=draw), Levers.neutral(4), p,
                 day, groups=groups)
        return s, day

    s, day = hear(+1, muted=True)  # moderation removes only complaints
    assert s.aware.tolist() == [True, True, False, True]
    assert s.attitude[3] == pytest.approx(0.5 * (1 - math.exp(-0.5)) * 0.8)
    assert day.heard_signal[3] == pytest.approx(0.8) and s.persuader[3] == 0
    s, _ = hear(-1, muted=False)  # an unmoderated complaint reaches the group too
    assert s.aware[3] and s.attitude[3] < 0
    s, _ = hear(-1, muted=True)  # a moderated one reaches the neighbours only
    assert s.aware.tolist() == [True, True, False, False]
    s, _ = hear(+1, muted=False, draw=0.41)  # read with the group's attention, not the model's
    assert not s.aware[3] and s.aware[1]


def test_levers_are_made_on_first_use_and_unmade_ones_read_as_empty():
    """A per-consumer lever is an array of its own only once asked for by name; until then the
    rules' kernels get the empty NO_LEVER and use the neutral value."""
    from sim.rules.kernels import NO_LEVER

    levers = Levers.neutral(5)
    assert levers.made() == ()
    assert levers.read("talk_multiplier") is NO_LEVER and NO_LEVER.size == 0
    assert levers.read("quality_shift") is NO_LEVER
    levers.talk_multiplier[1] = 2.0  # made on first use, neutral elsewhere
    levers.loyalty_bonus += 0.5  # read, added to and set back: the same array
    assert levers.made() == ("talk_multiplier", "loyalty_bonus")
    assert levers.read("talk_multiplier").tolist() == [1, 2, 1, 1, 1]
    assert levers.read("loyalty_bonus").tolist() == [0.5] * 5
    assert levers.read("message_credibility") is NO_LEVER  # still unmade
    levers.reset()
    assert levers.read("talk_multiplier").tolist() == [1] * 5
    assert levers.read("loyalty_bonus").tolist() == [0] * 5
    with pytest.raises(ValueError, match="levers.quality_shift must have shape"):
        levers.quality_shift = np.zeros(3)
    with pytest.raises(AttributeError, match="no per-consumer lever 'nothing'"):
        levers.read("nothing")


@pytest.mark.parametrize("seed", [0, 1])
def test_unmade_levers_give_the_results_of_neutral_arrays_to_the_bit(seed):
    """Every lever the rules read, left unmade (the kernels' neutral value) or made and left
    neutral (an array of ones or zeros): the same 40 days, bit for bit."""
    from sim.config import PopulationConfig
    from sim.config.graphs import BAGraphConfig
    from sim.graphs import build_graph
    from sim.model import WomModel

    graph = build_graph(BAGraphConfig(n=3000, m=3), np.random.default_rng(seed))
    runs = []
    for made in (False, True):
        model = WomModel(graph, WomModelConfig(), PopulationConfig(), seed=seed, threads=1)
        if made:
            for name in Levers.ONES + Levers.ZEROS:
                getattr(model.levers, name)  # made, neutral
        model.run(40)
        assert set(model.levers.made()) == (set(Levers.ONES + Levers.ZEROS) if made else set())
        runs.append((model.records, model.state.attitude.copy(), model.state.loyalty.copy()))
    assert runs[0][0] == runs[1][0]
    assert np.array_equal(runs[0][1], runs[1][1]) and np.array_equal(runs[0][2], runs[1][2])


@pytest.mark.parametrize("strategies", [[], ["strategy=[kol,rewards,fast_response,ugc,community]",
                                             "budget=100000"]])
def test_a_run_makes_only_the_levers_its_strategies_set(strategies):
    from sim.compose import compose_config
    from sim.rules.kernels import NO_LEVER
    from sim.run import build_model

    model = build_model(compose_config("graph.n=3000", "steps=20", *strategies))
    model.run(20)
    assert NO_LEVER.size == 0
    assert bool(model.levers.made()) == bool(strategies)
    for name in model.levers.made():
        assert model.levers.read(name).shape == (3000,)


def test_talk_lists_are_a_block_per_chunk_not_a_row_per_consumer():
    """The talk phase's list of today's readers holds READ_BLOCK entries per chunk of readers
    (grown for more chunks), and a list too short for the chunks is refused."""
    from sim.rules import talk_kernels

    scratch = wom.TalkScratch(100_000)
    readers, reads = scratch.lists(2)
    assert readers.size == 2 * talk_kernels.READ_BLOCK and reads.size == 3 * readers.size
    assert scratch.lists(1)[0] is readers  # large enough already: reused
    assert scratch.lists(3)[0].size == 3 * talk_kernels.READ_BLOCK
    g = Graph.from_edges(3, [0, 1], [1, 2])
    with pytest.raises(ValueError, match="readers must hold 2048 entries per chunk"):
        talk_kernels.listen_push(np.array([0, 3]), g.indptr, g.indices, *g.tie_args(),
                                 *[None] * 25, readers[:10], reads)
