"""Marketing findings the word-of-mouth model's defaults reproduce (docs/validation.md,
"Marketing findings"): seeding (Hinz, Skiera, Barrot & Becker 2011) and the valence of word of
mouth (East, Hammond & Wright 2007; East, Hammond & Lomax 2008; Chevalier & Mayzlin 2006),
the NPV of bad news and the ties it travels over (Goldenberg, Libai, Moldovan & Muller 2007),
word of mouth against advertising, its elasticity and its carryover (Trusov, Bucklin & Pauwels
2009) and the service-recovery paradox
(de Matos, Henrique & Rossi 2007; Maxham & Netemeyer 2002). Row 8 of the table (Libai, Muller &
Peres 2013) is tests/test_value_of_seeding.py.

Every limit below comes from the spread of 20 repeats of the same test on other seeds
(``python experiments/validation.py --findings`` prints the figures of seeds 0-4 / 0-19).
"""

from __future__ import annotations

import statistics
from pathlib import Path

import numpy as np
import pytest

from conftest import make_config
from sim.graphs import build_graph
from sim.run import build_model, run
from sim.streams import Streams
from sim.value import run_value

pytestmark = [pytest.mark.validation, pytest.mark.slow]

DATA = Path(__file__).resolve().parent.parent / "data"
#: 20 KOLs for 30 days on the co-authorship graph, adoption counted at day 45 (issue 18)
SEEDING = ("graph=file", f"graph.path={DATA / 'ca-HepTh-lcc.txt'}", "steps=45", "baseline=none",
           "output.plot=false", "output.summary=false")
FACEBOOK = ("graph=file", f"graph.path={DATA / 'facebook_combined.txt'}")


def seeding_gains(seeds: range) -> dict[str, float]:
    """Mean over ``seeds`` of the consumers won beyond the KOLs themselves (who are given the
    product, so they would count whatever their effect), as a fraction of all consumers,
    against the same seed without a strategy; per selector."""
    gains: dict[str, list[float]] = {"degree": [], "betweenness": [], "random": [], "fringe": []}
    for seed in seeds:
        without = run(make_config(*SEEDING, f"seed={seed}")).model.state.ever_customer
        for selector, values in gains.items():
            model = run(make_config(*SEEDING, "strategy=kol", "strategy.kol.k=20",
                                    f"strategy.kol.selector={selector}", f"seed={seed}")).model
            others = np.ones(model.graph.n, dtype=bool)
            others[model.strategies[0].kols] = False
            values.append(int(model.state.ever_customer[others].sum()
                              - without[others].sum()) / model.graph.n)
    return {selector: statistics.mean(values) for selector, values in gains.items()}


def test_hubs_and_bridges_beat_random_seeding_by_a_margin_and_fringe_seeding_by_far():
    """Hinz et al. (2011): hubs and bridges alike, about +50 % over random seeding (the model:
    about 2.4x, see docs/validation.md), up to ~8x fringe seeding. Before the audience limit
    (model.audience=null) the same scenario gave degree / random 5.5 and degree / fringe 35.

    Limits from 20 blocks of 5 seeds (seeds 0-99): degree / random 1.81-3.00 (median 2.46),
    degree / fringe 6.0-10.5 (median 8.3), betweenness / degree 0.82-1.14 (median 0.96)."""
    gain = seeding_gains(range(5))
    assert gain["degree"] > gain["random"] > gain["fringe"] > 0
    hub_random = gain["degree"] / gain["random"]
    hub_fringe = gain["degree"] / gain["fringe"]
    assert 1.6 <= hub_random <= 3.3, gain
    assert 5.0 <= hub_fringe <= 12.5, gain
    assert 0.72 <= gain["betweenness"] / gain["degree"] <= 1.25, gain


def post_counts(graph: tuple[str, ...], seeds: range) -> list[tuple[int, int]]:
    """(positive, negative) posts of the default model over 180 days, per seed."""
    out = []
    for seed in seeds:
        m = run(make_config(*graph, "baseline=none", "output.plot=false",
                            "output.summary=false", f"seed={seed}")).metrics
        out.append((m["positive_messages"], m["negative_messages"]))
    return out


def test_positive_word_of_mouth_is_about_three_times_as_common_as_negative():
    """East, Hammond & Wright (2007): positive WOM about 3 times as common as negative across
    15 studies. Default model on a 3,000-consumer BA graph, seeds 0-9 pooled (before the split
    of negativity_bias: 3.8). Limits from 20 blocks of 10 seeds (seeds 0-199): 2.48-2.90
    (median 2.62)."""
    counts = post_counts(("graph.n=3000",), range(10))
    ratio = sum(p for p, _ in counts) / sum(n for _, n in counts)
    assert 2.2 <= ratio <= 3.1, ratio


def test_a_product_that_beats_expectations_gets_more_positive_than_negative_word_of_mouth():
    """Quality 0.7 against a mean expectation of 0.6: on the facebook graph every run must have
    more positive posts than negative. Before, seed 2 gave 0.81 (6 of seeds 0-19 at or below
    1); now the lowest ratio of each of 10 blocks of 20 seeds (seeds 0-199) is 2.43-2.82."""
    counts = post_counts(FACEBOOK, range(20))
    ratios = [p / n for p, n in counts]
    assert min(ratios) >= 2.0, ratios


#: a product failure for the whole horizon (Goldenberg, Libai, Moldovan & Muller 2007): every
#: customer whose crisis draw is below the share feels it on every use
BAD_NEWS = ("baseline=none", "output.plot=false", "output.summary=false", "model.crisis.day=1",
            "model.crisis.duration=180")
BAD_NEWS_SHARES = (0.02, 0.05, 0.10)


def bad_news(seeds: range) -> dict[float, dict[str, float]]:
    """Per share hit: the mean NPV lost against the same seed with a share of 0 (nobody hit,
    the same draws), as a fraction of that NPV; and ``leverage``, that loss over the hit
    customers' share of all customers (1 if the loss were no more than the hit customers'
    own worth), and the customers who never bought per consumer hit."""
    out: dict[float, dict[str, list[float]]] = {
        share: {"npv_loss": [], "leverage": [], "lost_per_hit": []} for share in BAD_NEWS_SHARES}
    for seed in seeds:
        ref = run(make_config(*BAD_NEWS, "model.crisis.share=0", f"seed={seed}"))
        customers = int(ref.model.state.ever_customer.sum())
        for share, values in out.items():
            result = run(make_config(*BAD_NEWS, f"model.crisis.share={share}", f"seed={seed}"))
            hit = int(result.model.crisis.hit.sum())
            loss = 1 - result.metrics["npv"] / ref.metrics["npv"]
            lost = customers - int(result.model.state.ever_customer.sum())
            values["npv_loss"].append(loss)
            values["leverage"].append(loss / (hit / customers))
            values["lost_per_hit"].append(lost / hit)
    return {share: {key: statistics.mean(v) for key, v in values.items()}
            for share, values in out.items()}


def test_a_failure_for_a_small_share_of_the_market_costs_a_large_share_of_its_npv():
    """Goldenberg, Libai, Moldovan & Muller (2007): a product failing for a small share of the
    market (their case: about 2 %) costs a substantial part of the NPV through negative word
    of mouth, more the larger the share. Default model, 180 days, seeds 0-4.

    Limits from 20 blocks of 5 seeds (seeds 0-99): the NPV lost at 2 % 0.104-0.211 (seeds 0-4:
    0.104), rising by 0.149 or more to 5 % and by 0.144 or more to 10 %; the loss at 2 % is
    6.6-9.5 times the hit customers' share of all customers (what losing every one of them
    would cost, if they were worth the average); 0.57-1.75 customers never won per consumer
    hit."""
    found = bad_news(range(5))
    low, mid, high = (found[share] for share in BAD_NEWS_SHARES)
    assert low["npv_loss"] >= 0.08, found
    assert mid["npv_loss"] - low["npv_loss"] >= 0.08, found
    assert high["npv_loss"] - mid["npv_loss"] >= 0.08, found
    assert low["leverage"] >= 4, found
    assert min(f["lost_per_hit"] for f in found.values()) >= 0.4, found


#: the ties' part of the damage: the bad-news scenario at a 2 % share on a market of 20,000
#: consumers (the default graph's kind, ten times larger, so that five seeds tell the tie
#: classes apart), with the weak ties, the strong ties or all ties silenced (strength 1e-6: a
#: post over them is practically never read) on the same graph, ties and draws
SILENT = 1e-6
TIE_CLASSES = {"default": (1.0, 0.3), "no weak ties": (1.0, SILENT),
               "no strong ties": (SILENT, 0.3), "no ties": (SILENT, SILENT)}


def bad_news_over_ties(seeds: range) -> dict[str, dict[str, float]]:
    """Per tie setting of :data:`TIE_CLASSES`: the mean over ``seeds`` of the NPV lost to a
    failure for 2 % of the market, against the same seed and ties at share 0, as a fraction of
    that NPV (``npv_loss``), and of the customers it never won, as a fraction of that run's
    customers (``customers_lost``)."""
    out: dict[str, dict[str, list[float]]] = {
        name: {"npv_loss": [], "customers_lost": []} for name in TIE_CLASSES}
    for seed in seeds:
        cfgs = {share: make_config(*BAD_NEWS, "graph.n=20000", f"model.crisis.share={share}",
                                   f"seed={seed}") for share in (0, 0.02)}
        graph = build_graph(cfgs[0].graph, Streams(seed).get("graph"))
        weight = graph.edges()[2]
        assert set(np.unique(weight)) == {np.float32(1.0), np.float32(0.3)}
        for name, (strong, weak) in TIE_CLASSES.items():
            ties = graph.with_edge_weights(np.where(weight == 1.0, strong, weak))
            npv, customers = {}, {}
            for share, cfg in cfgs.items():
                model = build_model(cfg, graph=ties)
                model.run(cfg.steps)
                npv[share] = run_value(model.records, model.graph.n, cfg.value).npv
                customers[share] = int(model.state.ever_customer.sum())
            out[name]["npv_loss"].append(1 - npv[0.02] / npv[0])
            out[name]["customers_lost"].append(1 - customers[0.02] / customers[0])
    return {name: {key: statistics.mean(v) for key, v in values.items()}
            for name, values in out.items()}


def test_weak_ties_carry_a_part_of_the_damage_of_bad_news_strong_ties_more():
    """Goldenberg, Libai, Moldovan & Muller (2007): weak ties spread the harmful word of a
    product failure and carry much of its damage. Measured by silencing each class of ties
    (docs/validation.md, finding 11), 2 % of the market hit for 180 days, 20,000 consumers,
    seeds 0-4: the customers never won are 2.18 % of the customers with all ties, 1.62 %
    without the weak ties, 0.85 % without the strong ties and none without any ties: the weak
    ties carry a quarter of that damage (0.26), the strong ties three fifths (0.61). The NPV
    lost is 0.170 with all ties and still 0.119 without any: 0.70 of it needs no word of mouth
    (the hit customers' own churn lowers the retention with which the NPV values every
    customer left at the end); the weak ties carry 0.07 of it.

    Limits from 20 blocks of 5 seeds (seeds 0-99): the weak ties' share of the customers lost
    0.114-0.324, the strong ties' 0.388-0.642, at least 0.063 above the weak ties'; the NPV
    lost without any ties 0.70-0.82 of the loss with all, the weak ties' share of the NPV lost
    0.017-0.126."""
    found = bad_news_over_ties(range(5))
    lost = {name: f["customers_lost"] for name, f in found.items()}
    loss = {name: f["npv_loss"] for name, f in found.items()}
    assert lost["no ties"] == 0, found  # without word of mouth the failure loses no customer
    weak = 1 - lost["no weak ties"] / lost["default"]
    strong = 1 - lost["no strong ties"] / lost["default"]
    assert 0.08 <= weak <= 0.40, found
    assert strong - weak >= 0.03, found
    assert 0.6 <= loss["no ties"] / loss["default"] <= 0.9, found
    assert loss["no weak ties"] <= loss["default"], found


def recoveries(seeds: range, steps: int = 180) -> dict[str, np.ndarray]:
    """Under ``strategy=fast_response``: for each recovery of a complainer who is a customer,
    attitude and loyalty just after it minus their level the day before the failure that led
    to the complaint; ``first`` for a consumer's first recovery, ``repeat`` for later ones.
    Rows (attitude change, loyalty change)."""
    out: dict[str, list[tuple[float, float]]] = {"first": [], "repeat": []}
    for seed in seeds:
        model = build_model(make_config("strategy=fast_response", f"seed={seed}"))
        team, state, n = model.strategies[0], model.state, model.graph.n
        queue = team.queue
        before_attitude, before_loyalty = np.zeros(n), np.zeros(n)
        waiting = np.zeros(n, dtype=bool)  # a complaint of this consumer awaits its answer
        last_attitude, last_loyalty = state.attitude.copy(), state.loyalty.copy()
        for _ in range(steps):
            recovered_before = queue.recoveries.copy()
            model.step()
            new = model.day.complainers
            new = new[~waiting[new]]
            before_attitude[new], before_loyalty[new] = last_attitude[new], last_loyalty[new]
            waiting[new] = True
            for c in np.flatnonzero(queue.recoveries > recovered_before):
                if waiting[c] and state.customer[c]:
                    kind = "first" if recovered_before[c] == 0 else "repeat"
                    out[kind].append((state.attitude[c] - before_attitude[c],
                                      state.loyalty[c] - before_loyalty[c]))
            waiting[queue.answered_until == model.t + team.cfg.answer_memory] = False
            last_attitude, last_loyalty = state.attitude.copy(), state.loyalty.copy()
    return {kind: np.array(rows) for kind, rows in out.items()}


def test_recovery_paradox_for_attitude_after_a_first_failure_only_and_never_for_loyalty():
    """de Matos, Henrique & Rossi (2007, meta-analysis of 24 studies): after a good recovery
    satisfaction ends above its level before the failure (the recovery paradox), repurchase
    intention and loyalty on average do not. Maxham & Netemeyer (2002): the paradox appears
    after a first failure, not after a second. Default fast_response, 180 days, seeds 0-4.
    Before (recovery_bonus 0.1, every recovery alike): attitude +0.32 and loyalty +0.025 after
    a first recovery, attitude +0.29 after a later one.

    Limits from 20 blocks of 5 seeds (seeds 0-99; about 900 first and 330 later recoveries a
    block): attitude after a first recovery +0.280 to +0.314 (seeds 0-4: +0.314), loyalty
    -0.063 to -0.055, attitude after a later recovery -0.022 to +0.004, and the first's lead
    over the later 0.279 or more."""
    found = recoveries(range(5))
    first, repeat = found["first"].mean(axis=0), found["repeat"].mean(axis=0)
    assert len(found["first"]) > 500 and len(found["repeat"]) > 150
    assert first[0] >= 0.2, first  # the paradox, for attitude
    assert first[1] <= 0.0, first  # none for loyalty
    assert repeat[0] <= 0.05, repeat  # none after a second failure
    assert first[0] - repeat[0] >= 0.2, (first, repeat)


#: Trusov, Bucklin & Pauwels (2009): daily sign-ups against word of mouth and marketing. A
#: flighted ad campaign (each day on with probability 0.5) gives the ads a schedule that varies
#: from day to day
ELASTICITY_DAYS, ELASTICITY_LAGS = 360, 7
ELASTICITY = ("strategy=ads", "strategy.ads.on_share=0.5", f"steps={ELASTICITY_DAYS}",
              "baseline=none")


def long_run_elasticities(seed: int) -> tuple[float, float]:
    """(ads, word of mouth): long-run elasticities of daily sign-ups (new customers) in a
    distributed-lag fit with a lagged dependent variable, log(1 + sign-ups_t) on lags 1-7 of
    log(1 + ad impressions) and of log(1 + positive posts), log(1 + sign-ups_{t-1}) and the
    log of the share not yet adopted (the Bass market left, without which saturation makes
    word of mouth look harmful): the sum of a channel's lag coefficients / (1 - the
    coefficient of lagged sign-ups)."""
    model = build_model(make_config(*ELASTICITY, f"seed={seed}"))
    ads, n = model.strategies[0], model.graph.n
    impressions, bought = [], 0.0
    for _ in range(ELASTICITY_DAYS):
        model.step()
        impressions.append(ads.impressions - bought)
        bought = ads.impressions
    adoption = np.array([row["adoption"] for row in model.records])
    posts = np.array([row["positive_messages"] for row in model.records[1:]], dtype=float)
    signups = np.log1p(np.diff(adoption) * n)
    media, wom = np.log1p(np.array(impressions)), np.log1p(posts)
    left = np.log(1 - adoption[:-1] + 1e-9)  # before each day
    lags = ELASTICITY_LAGS
    days = np.arange(lags, signups.size)
    columns = [np.ones(days.size)]
    columns += [media[days - lag] for lag in range(1, lags + 1)]
    columns += [wom[days - lag] for lag in range(1, lags + 1)]
    columns += [signups[days - 1], left[days]]
    beta = np.linalg.lstsq(np.column_stack(columns), signups[days], rcond=None)[0]
    carry = 1 - beta[-2]
    return float(beta[1:lags + 1].sum() / carry), float(beta[lags + 1:2 * lags + 1].sum() / carry)


def test_word_of_mouth_moves_daily_sign_ups_far_more_than_advertising():
    """Trusov, Bucklin & Pauwels (2009): in a social network site's daily sign-ups, the
    long-run elasticity of word-of-mouth referrals was 0.53, about 20-30 times that of media
    appearances (0.017) and promotional events (0.026). Flighted ads (on half the days, at
    random) for 360 days on the default graph; mean of seeds 0-4.

    Limits from 20 blocks of 5 seeds (seeds 0-99): the word-of-mouth elasticity 0.306-0.394
    (seeds 0-4: 0.338), the ads' -0.006-0.022 (0.003), the gap 0.303 or more."""
    found = np.array([long_run_elasticities(seed) for seed in range(5)]).mean(axis=0)
    media, wom = found
    assert wom >= 0.2, found
    assert abs(media) <= 0.06, found
    assert wom - media >= 0.2, found


#: Trusov, Bucklin & Pauwels (2009), carryover: the same seed with and without a one-day shock
#: on day 90 of 180 (common random numbers), on a market of 20,000 consumers (the default graph's
#: kind and density; large enough for one day's shock to stand out of the day-to-day noise)
CARRYOVER_DAY, CARRYOVER_DAYS = 90, 90
CARRYOVER = ("graph.n=20000", f"steps={CARRYOVER_DAY + CARRYOVER_DAYS}", "baseline=none")
#: one day of ads (the default plan's 2.5 impressions per consumer) and one day of extra word of
#: mouth (every customer urged to post, 20 times as likely, plain posts: no contest credibility
#: or content factor, no prizes)
SHOCKS = {
    "ads": ("strategy=ads", f"strategy.ads.start={CARRYOVER_DAY}",
            f"strategy.ads.end={CARRYOVER_DAY}", "strategy.ads.impressions_per_day=50000"),
    "wom": ("strategy=ugc", f"strategy.ugc.start={CARRYOVER_DAY}", "strategy.ugc.duration=1",
            "strategy.ugc.talk_boost=20", "strategy.ugc.content_quality=1",
            "strategy.ugc.credibility=1", "strategy.ugc.winners=0"),
}


def daily_signups(*overrides: str) -> np.ndarray:
    """New customers on each of days 1..steps of the carryover scenario with ``overrides``."""
    cfg = make_config(*CARRYOVER, *overrides)
    model = build_model(cfg)
    model.run(cfg.steps)
    adoption = np.array([row["adoption"] for row in model.records])
    return np.rint(np.diff(adoption) * model.graph.n)


def excess_signups(seeds: range) -> dict[str, np.ndarray]:
    """Per shock: the mean over ``seeds`` of the daily sign-ups above the same seed without it,
    from the shock's day (lag 0) to the run's last day."""
    out: dict[str, list[np.ndarray]] = {name: [] for name in SHOCKS}
    for seed in seeds:
        without = daily_signups(f"seed={seed}")
        for name, shock in SHOCKS.items():
            out[name].append((daily_signups(*shock, f"seed={seed}") - without)[CARRYOVER_DAY - 1:])
    return {name: np.mean(rows, axis=0) for name, rows in out.items()}


def mean_lag(excess: np.ndarray) -> float:
    """The mean number of days from the shock to its excess sign-ups."""
    return float((np.arange(excess.size) * excess).sum() / excess.sum())


def test_carryover_of_word_of_mouth_against_ads_is_the_measured_deviation():
    """Trusov, Bucklin & Pauwels (2009): word of mouth's effect on daily sign-ups lasts longer
    than marketing's. Not reproduced (docs/validation.md, finding 13): one day of ads wins
    about as many sign-ups as one day of extra word of mouth, but over a longer time. Ads make
    unaware consumers aware at attitude ``strategy.ads.tone`` = 0.2, below the purchase
    midpoint, so they buy at about 2.7 % a day or less. Seeds 0-4: ads 182 sign-ups over a
    mean lag of 33.7 days, word of mouth 192 over 22.0.

    Limits from 20 blocks of 5 seeds (seeds 0-99): excess sign-ups 165-207 (ads) and 172-217
    (word of mouth); mean lag 28.4-34.8 days (ads) and 16.3-25.0 (word of mouth), the ads'
    6.0-14.5 days longer in every block. A model in which word of mouth carried over as long
    as ads would fail the last check and should be documented anew."""
    excess = excess_signups(range(5))
    ads, wom = excess["ads"], excess["wom"]
    assert ads.sum() >= 100 and wom.sum() >= 100, (ads.sum(), wom.sum())
    assert 20 <= mean_lag(ads) <= 45, mean_lag(ads)
    assert 8 <= mean_lag(wom) <= 35, mean_lag(wom)
    assert mean_lag(ads) - mean_lag(wom) >= 3, (mean_lag(ads), mean_lag(wom))
