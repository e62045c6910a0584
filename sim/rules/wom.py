"""The word-of-mouth model's rules, vectorised over consumers.

One step is one day. The phases, in order (see docs/model.md for the full specification):

1. ``brand``      -- mass media (and paid media) make unaware consumers aware.
2. ``experience`` -- customers use the product; satisfaction = disconfirmation of expectation;
                     dissatisfied users may complain.
3. ``talk``       -- promoters and detractors post to all their neighbours; receivers may read
                     them, become aware and move their attitude.
4. ``adoption``   -- aware non-customers buy with a probability rising with attitude.
5. ``loyalty``    -- customers' loyalty moves with satisfaction and heard word of mouth; low
                     loyalty leads to churn.
6. ``forgetting`` -- attitudes decay toward neutral.

Every phase first decides for all consumers from the state as it was when the phase began, then
commits, so results never depend on the order in which consumers are visited. Each function
mutates ``state`` in place and fills ``day`` with what later phases and the metrics need.
The per-agent reference in :mod:`sim.agents` implements the same formulas one consumer at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from sim.config import WomModelConfig
from sim.graphs import Graph
from sim.population import (
    NEVER,
    POST_KOL,
    POST_ORGANIC,
    POST_REFERRAL,
    SOURCE_CODES,
    VIA_ADS,
    VIA_MEDIA,
    VIA_WOM,
    State,
    Traits,
    sentiment_codes,
)
from sim.rules.csr import row_entries
from sim.rules.draws import DayDraws
from sim.rules.levers import Levers

#: largest per-message reading probability, keeps log(1 - p) finite
MAX_READ_PROB = 1.0 - 1e-12


@dataclass
class Day:
    """What one day produced: indices of consumers and counts, shared between phases.

    Arrays are float64/bool of shape (n,) unless noted.
    """

    t: int
    used: np.ndarray | None = None
    satisfaction: np.ndarray | None = None  # in [-1, 1], 0 for non-users
    complained: np.ndarray | None = None
    posted: np.ndarray | None = None  # int8: +1 positive post, -1 negative, 0 none
    heard: np.ndarray | None = None
    heard_signal: np.ndarray | None = None  # in [-1, 1], 0 for those who heard nothing
    newly_aware_media: np.ndarray | None = None
    newly_aware_wom: np.ndarray | None = None
    bought: np.ndarray | None = None
    churned: np.ndarray | None = None
    counts: dict[str, int] = field(default_factory=dict)


def freshness(last_news: np.ndarray, t: int, news_memory: float) -> np.ndarray:
    """How fresh each consumer's news is: exp(-(t - last_news) / news_memory), 0 if never."""
    age = (t - last_news).astype(np.float64)
    fresh = np.exp(-age / news_memory)
    fresh[last_news == NEVER] = 0.0
    return fresh


def purchase_probability(attitude: np.ndarray, p: WomModelConfig) -> np.ndarray:
    """Daily probability of buying: max_purchase_rate * logistic(slope * (attitude - midpoint))."""
    logit = p.purchase_slope * (attitude - p.purchase_midpoint)
    return p.max_purchase_rate / (1.0 + np.exp(-logit))


def satisfaction_of(experience: np.ndarray, expectation: np.ndarray, p: WomModelConfig):
    """Satisfaction in [-1, 1]: disconfirmation (experience - expectation) / satisfaction_scale."""
    return np.clip((experience - expectation) / p.satisfaction_scale, -1.0, 1.0)


def brand(state: State, draws: DayDraws, levers: Levers, p: WomModelConfig, day: Day) -> None:
    """Phase 1: unaware consumers become aware through mass media (draw < media_awareness,
    attitude media_tone) or paid ads (media_awareness <= draw < media_awareness +
    extra_awareness, attitude ads_tone)."""
    unaware = ~state.aware
    media = unaware & (draws.media < p.media_awareness)
    ads = unaware & ~media & (draws.media < p.media_awareness + levers.extra_awareness)
    new = media | ads
    state.aware[new] = True
    state.attitude[media] = p.media_tone
    state.attitude[ads] = levers.ads_tone
    state.aware_via[media] = VIA_MEDIA
    state.aware_via[ads] = VIA_ADS
    state.last_news[new] = day.t
    day.newly_aware_media = new
    day.counts["aware_from_media"] = int(media.sum())
    day.counts["aware_from_ads"] = int(ads.sum())


def experience(state: State, traits: Traits, draws: DayDraws, p: WomModelConfig, day: Day) -> None:
    """Phase 2: customers who use the product today update their attitude by satisfaction."""
    used = state.customer & (draws.use < p.usage_rate)
    felt = np.clip(p.quality + p.quality_noise * draws.noise, 0.0, 1.0)
    satisfaction = np.where(used, satisfaction_of(felt, traits.expectation, p), 0.0)
    dissatisfied = used & (satisfaction <= -p.complaint_threshold)
    complained = dissatisfied & (draws.complain < p.complaint_rate)
    state.attitude[used] += p.experience_weight * (satisfaction[used] - state.attitude[used])
    state.last_news[used] = day.t
    day.used, day.satisfaction, day.complained = used, satisfaction, complained
    day.counts["uses"] = int(used.sum())
    day.counts["complaints"] = int(complained.sum())


def posts(state: State, traits: Traits, draws: DayDraws, levers: Levers, p: WomModelConfig,
          day: Day) -> np.ndarray:
    """Who posts today and with which valence (int8: +1, -1, 0).

    Promoters post with probability talkativeness * freshness * talk_multiplier, times
    ``hearsay_talk`` for those who never bought (they only pass on what they heard); detractors
    with that times ``negativity_bias`` (capped at 1). Today's complainers always post negatively.
    """
    codes = sentiment_codes(state.attitude, state.aware, p.promoter_threshold)
    base = traits.talkativeness * freshness(state.last_news, day.t, p.news_memory)
    base = base * levers.talk_multiplier * np.where(state.ever_customer, 1.0, p.hearsay_talk)
    prob = np.where(codes < 0, np.minimum(1.0, base * p.negativity_bias), np.minimum(1.0, base))
    posted = np.where(draws.talk < prob, codes, 0).astype(np.int8)
    posted[day.complained] = -1
    return posted


def talk(state: State, traits: Traits, net: TalkMatrices, draws: DayDraws, levers: Levers,
         p: WomModelConfig, day: Day) -> None:
    """Phase 3: posts reach neighbours; readers become aware and move toward the heard signal.

    For receiver j with posting neighbours i (tie weight w_ij, valence v_i, sender credibility
    c_i = credibility_i * message_credibility_i, negativity bias L):

    - p_read_j = 1 - prod_i (1 - attention * w_ij): each post is read independently;
    - W+ = sum w_ij over positive posts, W- = L * sum w_ij over negative posts;
    - signal s_j = (sum w_ij c_i over positive - L * sum w_ij c_i over negative) / (W+ + W-);
    - if read: aware, attitude += susceptibility_j * (1 - exp(-persuasion (W+ + W-))) *
      (s_j - attitude), and the news is fresh for j.
    """
    posted = posts(state, traits, draws, levers, p, day)
    pos = (posted > 0).astype(np.float64)
    neg = (posted < 0).astype(np.float64)
    cred = traits.credibility * levers.message_credibility
    sums = net.weights @ np.column_stack([pos, neg, pos * cred, neg * cred])
    w_pos, w_neg = sums[:, 0], p.negativity_bias * sums[:, 1]
    c_pos, c_neg = sums[:, 2], p.negativity_bias * sums[:, 3]
    log_miss = net.read_log @ (pos + neg)
    exposed = (w_pos + w_neg) > 0
    heard = exposed & (draws.hear < -np.expm1(log_miss))
    total = np.where(exposed, w_pos + w_neg, 1.0)
    signal = np.where(heard, (c_pos - c_neg) / total, 0.0)
    pull = traits.susceptibility * -np.expm1(-p.persuasion * total)
    newly = heard & ~state.aware
    readers, persuaders = top_persuaders(net, posted, heard, cred)
    state.persuader[readers] = persuaders
    state.persuader_kind[readers] = levers.post_kind[persuaders]
    state.aware_via[newly] = VIA_WOM
    state.aware[heard] = True
    state.attitude[heard] += pull[heard] * (signal[heard] - state.attitude[heard])
    state.last_news[heard] = day.t
    day.posted, day.heard, day.heard_signal, day.newly_aware_wom = posted, heard, signal, newly
    day.counts["positive_messages"] = int((posted > 0).sum())
    day.counts["negative_messages"] = int((posted < 0).sum())
    day.counts["aware_from_wom"] = int(newly.sum())


def top_persuaders(net: TalkMatrices, posted: np.ndarray, heard: np.ndarray,
                   cred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every reader, the posting neighbour with the largest w_ij * c_i (ties: lowest index).

    Works from the posters' rows (the graph is symmetric), so the cost is the number of
    deliveries, not the number of ties.

    Returns
    -------
    readers, persuaders : int64 arrays of equal length
    """
    senders = np.flatnonzero(posted)
    indptr, indices, weights = net.weights.indptr, net.weights.indices, net.weights.data
    entry = row_entries(indptr, senders)
    receiver = indices[entry].astype(np.int64)
    sender = np.repeat(senders, indptr[senders + 1] - indptr[senders])
    score = weights[entry] * cred[sender]
    keep = heard[receiver]
    receiver, sender, score = receiver[keep], sender[keep], score[keep]
    order = np.lexsort((sender, -score, receiver))
    receiver, sender = receiver[order], sender[order]
    first = np.ones(receiver.size, dtype=bool)
    first[1:] = receiver[1:] != receiver[:-1]
    return receiver[first], sender[first]


@dataclass(frozen=True)
class TalkMatrices:
    """Sparse matrices the talk phase multiplies by, built once per run.

    Attributes
    ----------
    weights : csr_array (n, n) of tie strengths w_ij.
    read_log : csr_array (n, n) of log(1 - attention * w_ij); summed over posting neighbours it
        gives log P(read none of them).
    """

    weights: sp.csr_array
    read_log: sp.csr_array

    @classmethod
    def build(cls, graph: Graph, attention: float) -> TalkMatrices:
        """Build both matrices from the graph's CSR arrays."""
        shape = (graph.n, graph.n)
        read = np.minimum(attention * graph.weights, MAX_READ_PROB)
        return cls(
            weights=sp.csr_array((graph.weights, graph.indices, graph.indptr), shape=shape),
            read_log=sp.csr_array((np.log1p(-read), graph.indices, graph.indptr), shape=shape),
        )


def adoption(state: State, draws: DayDraws, p: WomModelConfig, day: Day) -> None:
    """Phase 4: aware consumers who are not (and never left as) customers buy."""
    eligible = state.aware & ~state.customer & ~state.churned
    bought = eligible & (draws.adopt < purchase_probability(state.attitude, p))
    state.source[bought] = purchase_source(state, bought)
    state.converted_by[bought] = state.persuader[bought]
    state.customer[bought] = True
    state.ever_customer[bought] = True
    state.loyalty[bought] = p.initial_loyalty
    state.last_news[bought] = day.t
    day.bought = bought
    day.counts["purchases"] = int(bought.sum())


def purchase_source(state: State, bought: np.ndarray) -> np.ndarray:
    """Source code of each purchase in ``bought``: the kind of the last persuasive post read,
    or, for buyers who never read one, how they became aware (media or ads)."""
    kind = state.persuader_kind[bought]
    via = state.aware_via[bought]
    source = np.where(via == VIA_ADS, SOURCE_CODES["from_ads"], SOURCE_CODES["from_media"])
    source = np.where(kind == POST_ORGANIC, SOURCE_CODES["organic"], source)
    source = np.where(kind == POST_KOL, SOURCE_CODES["from_kol"], source)
    source = np.where(kind == POST_REFERRAL, SOURCE_CODES["from_referral"], source)
    return source.astype(np.int8)


def loyalty(state: State, draws: DayDraws, levers: Levers, p: WomModelConfig, day: Day) -> None:
    """Phase 5: loyalty += satisfaction_loyalty * satisfaction + wom_loyalty * heard signal
    + loyalty_bonus (customers, clipped to [0, 1]); customers below churn_threshold leave
    w.p. churn_rate."""
    cust = state.customer
    change = (p.satisfaction_loyalty * day.satisfaction + p.wom_loyalty * day.heard_signal
              + levers.loyalty_bonus)
    state.loyalty[cust] = np.clip(state.loyalty[cust] + change[cust], 0.0, 1.0)
    leave = cust & (state.loyalty < p.churn_threshold) & (draws.churn < p.churn_rate)
    state.customer[leave] = False
    state.churned[leave] = True
    state.loyalty[leave] = 0.0
    day.churned = leave
    day.counts["churns"] = int(leave.sum())


def forgetting(state: State, p: WomModelConfig) -> None:
    """Phase 6: attitudes decay toward neutral by ``attitude_decay`` per day."""
    state.attitude *= 1.0 - p.attitude_decay
