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

import weakref
from dataclasses import dataclass, field

import numpy as np

from sim.config import WomModelConfig
from sim.graphs import Graph
from sim.population import NOBODY, VIA_SEEDED, State, Traits
from sim.rules import kernels, talk_kernels
from sim.rules.draws import ADOPT, CHURN, COMPLAIN, HEAR, MEDIA, TALK, USE, DayDraws
from sim.rules.groups import GroupTies, kernel_args
from sim.rules.levers import Levers

#: largest per-message reading probability, keeps log(1 - p) finite
MAX_READ_PROB = kernels.MAX_READ_PROB


@dataclass
class Day:
    """What one day produced: indices of consumers and counts, shared between phases.

    Arrays are float64/bool of shape (n,) unless noted.
    """

    t: int
    used: np.ndarray | None = None
    complainers: np.ndarray | None = None  # indices of ``complained``, increasing (int32)
    posters: np.ndarray | None = None  # who posted, increasing (int32)
    buyers: np.ndarray | None = None  # indices of ``bought``, increasing (int32)
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
    #: arrays to reuse from day to day (by name), or None to allocate new ones each day
    buffers: dict[str, np.ndarray] | None = field(default=None, repr=False)

    def array(self, name: str, n: int, dtype) -> np.ndarray:
        """An uninitialised array of ``n`` for ``name`` (the phase fills every entry): from
        ``buffers`` when they are reused, else newly allocated."""
        if self.buffers is None:
            return np.empty(n, dtype=dtype)
        buf = self.buffers.get(name)
        if buf is None or buf.size != n or buf.dtype != dtype:
            buf = self.buffers[name] = np.empty(n, dtype=dtype)
        return buf


#: fewest consumers worth a chunk of their own in a per-consumer pass: such a pass costs 1-4 ns
#: a consumer, and a parallel region ~5 us to start (measured with 2 threads: n = 3,000 ran 27 %
#: slower in chunks than serially, n = 10,000 6 % faster; docs/benchmarks.md)
MIN_CONSUMERS_PER_CHUNK = 4_096
#: fewest readers worth a chunk of their own in the talk phase (~20 ns a reader)
MIN_READERS_PER_CHUNK = 2_048


def _parts(n: int, parts: int, smallest: int) -> int:
    """``parts``, or fewer so that each of ``n`` items' chunks holds at least ``smallest``."""
    return min(parts, max(1, n // max(1, smallest)))


@dataclass(frozen=True)
class Chunks:
    """How the kernels cut the consumers into chunks that run in parallel (see
    :mod:`sim.rules.kernels`): ``consumers`` into equal parts, ``readers`` into parts of equal
    work in the talk phase (ties and readers). The results never depend on it."""

    consumers: np.ndarray
    readers: np.ndarray

    @classmethod
    def of(cls, graph: Graph, parts: int = 1) -> Chunks:
        """Up to ``parts`` chunks of ``graph``'s consumers (1: serial), but none smaller than
        :data:`MIN_CONSUMERS_PER_CHUNK` consumers in the per-consumer passes or
        :data:`MIN_READERS_PER_CHUNK` readers in the talk phase."""
        n = graph.n
        return cls(kernels.split_bounds(n, _parts(n, parts, MIN_CONSUMERS_PER_CHUNK)),
                   kernels.split_bounds_by_degree(graph.indptr,
                                                  _parts(n, parts, MIN_READERS_PER_CHUNK)))

    @classmethod
    def serial(cls, n: int) -> Chunks:
        """One chunk of ``n`` consumers."""
        whole = np.array([0, n], dtype=np.int64)
        return cls(whole, whole)


def _chunks(chunks: Chunks | None, n: int) -> Chunks:
    return chunks if chunks is not None else Chunks.serial(n)


def _brand_args(state: State, draws: DayDraws, levers: Levers, p: WomModelConfig,
                day: Day) -> tuple:
    day.newly_aware_media = day.array("newly_aware_media", state.aware.size, bool)
    return (state.aware, state.attitude, state.aware_via, state.last_news, draws.media,
            draws.keys[MEDIA], day.t, p.media_awareness, levers.extra_awareness,
            levers.read("awareness_factor"), p.media_tone, levers.ads_tone, day.newly_aware_media)


def _experience_args(state: State, traits: Traits, draws: DayDraws, p: WomModelConfig,
                     day: Day, quality_shift: np.ndarray | None = None) -> tuple:
    n = state.aware.size
    if quality_shift is None:
        quality_shift = kernels.NO_LEVER
    day.used = day.array("used", n, bool)
    day.satisfaction = day.array("satisfaction", n, np.float64)
    day.complained = day.array("complained", n, bool)
    return (state.customer, draws.use, draws.noise, draws.complain, draws.keys[USE:COMPLAIN + 1],
            traits.expectation, state.attitude, quality_shift, state.last_news, day.t,
            p.usage_rate, p.quality, p.quality_noise, p.satisfaction_scale, p.experience_weight,
            p.complaint_threshold, p.complaint_rate, day.used, day.satisfaction, day.complained)


def brand(state: State, draws: DayDraws, levers: Levers, p: WomModelConfig, day: Day,
          chunks: Chunks | None = None) -> None:
    """Phase 1: unaware consumers become aware through mass media (draw < media_awareness,
    attitude media_tone) or paid ads (media_awareness <= draw < media_awareness +
    extra_awareness * awareness_factor, attitude ads_tone) (kernel: :func:`kernels.brand`)."""
    n_media, n_ads = kernels.brand(_chunks(chunks, state.aware.size).consumers,
                                   *_brand_args(state, draws, levers, p, day))
    day.counts["aware_from_media"] = n_media
    day.counts["aware_from_ads"] = n_ads


def experience(state: State, traits: Traits, draws: DayDraws, p: WomModelConfig, day: Day,
               chunks: Chunks | None = None, levers: Levers | None = None) -> None:
    """Phase 2: each customer uses the product w.p. usage_rate; felt quality
    e = clip(quality + quality_noise * z - quality_shift, 0, 1) (``levers`` None: no shift);
    satisfaction s = clip((e - expectation) / satisfaction_scale, -1, 1); attitude +=
    experience_weight * (s - attitude); users with s <= -complaint_threshold complain w.p.
    complaint_rate (kernel: :func:`kernels.experience`)."""
    n = state.aware.size
    complainers = day.array("complainers", n, np.int32)
    shift = levers.read("quality_shift") if levers is not None else None
    uses, complaints = kernels.experience(_chunks(chunks, n).consumers,
                                          *_experience_args(state, traits, draws, p, day, shift),
                                          complainers)
    day.complainers = complainers[:complaints]
    day.counts["uses"] = uses
    day.counts["complaints"] = complaints


def brand_and_experience(state: State, traits: Traits, draws: DayDraws, levers: Levers,
                         p: WomModelConfig, day: Day, chunks: Chunks | None = None) -> None:
    """Phases 1 and 2 in one parallel region (each only touches each consumer's own state)."""
    n = state.aware.size
    complainers = day.array("complainers", n, np.int32)
    n_media, n_ads, uses, complaints = kernels.brand_experience(
        _chunks(chunks, n).consumers, _brand_args(state, draws, levers, p, day),
        _experience_args(state, traits, draws, p, day, levers.read("quality_shift")), complainers)
    day.complainers = complainers[:complaints]
    day.counts.update(aware_from_media=n_media, aware_from_ads=n_ads, uses=uses,
                      complaints=complaints)


def posts(state: State, traits: Traits, draws: DayDraws, levers: Levers, p: WomModelConfig,
          day: Day, chunks: Chunks | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Who posts today and with which valence (int8: +1, -1, 0), and the posters in
    increasing order.

    Promoters post with probability talkativeness * freshness * talk_multiplier, times
    ``hearsay_talk`` for those who never bought (they only pass on what they heard); detractors
    with that times ``detractor_talk`` (capped at 1). Today's complainers always post negatively
    (kernel: :func:`talk_kernels.posts`).
    """
    n = state.aware.size
    posted = day.array("posted", n, np.int8)
    senders = day.array("posters", n, np.int32)
    n_pos, n_neg = talk_kernels.posts(
        _chunks(chunks, n).consumers, state.aware, state.attitude, state.ever_customer,
        state.last_news, traits.talkativeness, levers.read("talk_multiplier"), day.complained,
        draws.talk, draws.keys[TALK], day.t, p.promoter_threshold, p.news_memory,
        p.hearsay_talk, p.detractor_talk, posted, senders)
    day.counts["positive_messages"] = n_pos
    day.counts["negative_messages"] = n_neg
    return posted, senders[:n_pos + n_neg]


_REACH: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def reach_factors(graph: Graph, audience: float | None) -> np.ndarray:
    """Each poster's factor on the chance that a post is read over each social tie,
    ``r_i = min(1, audience / s_i)`` with ``s_i`` the sum of i's tie strengths (float64 of n;
    all 1 when ``audience`` is None). A post reaches at most ``audience`` units of tie strength
    in full: a poster with more ties spreads the same attention over all of them, so each tie
    of a hub is read less often (docs/model.md, phase 3). :func:`talk_kernels.poster_reach` for
    every consumer, computed once per graph and audience (read-only); the talk phase works them
    out for each day's posters instead."""
    cached = _REACH.get(graph)
    if cached is not None and cached[0] == audience:
        return cached[1]
    everyone = np.arange(graph.n, dtype=np.int32)  # the talk phase's posters' dtype
    factors = talk_kernels.poster_reach(everyone, graph.indptr, *graph.tie_args(), audience)
    factors.flags.writeable = False
    _REACH[graph] = (audience, factors)
    return factors


class TalkScratch:
    """Buffers of the talk kernel (:func:`talk_kernels.listen_push`): ``acc``, one row of
    :data:`~sim.rules.talk_kernels.ACC_WIDTH` float64 accumulators per reader (56 bytes; cleared
    again by the kernel after each day; padding rows to a 64-byte cache line measured no faster
    at 10**6 consumers), and ``readers`` (uint32) and ``reads`` (three float64 per reader) for
    the list of today's readers, :data:`~sim.rules.talk_kernels.READ_BLOCK` of them per chunk
    (:meth:`lists`)."""

    def __init__(self, n: int):
        width = talk_kernels.ACC_WIDTH
        self.acc = np.empty(n * width)
        self.acc.reshape(n, width)[:] = talk_kernels.ACC_CLEAR
        self.readers = np.empty(0, dtype=np.uint32)
        self.reads = np.empty(0)

    def lists(self, chunks: int) -> tuple[np.ndarray, np.ndarray]:
        """``readers`` and ``reads`` for ``chunks`` chunks of readers (grown when needed)."""
        size = chunks * talk_kernels.READ_BLOCK
        if self.readers.size < size:
            self.readers = np.empty(size, dtype=np.uint32)
            self.reads = np.empty(3 * size)
        return self.readers, self.reads


def talk(state: State, traits: Traits, graph: Graph, draws: DayDraws, levers: Levers,
         p: WomModelConfig, day: Day, scratch: TalkScratch | None = None,
         chunks: Chunks | None = None, groups: GroupTies | None = None) -> None:
    """Phase 3: posts reach neighbours; readers become aware and move toward the heard signal.

    For receiver j with posting neighbours i (tie weight w_ij, valence v_i, sender credibility
    c_i = credibility_i * message_credibility_i, post weight q_ij = w_ij * post_persuasion_i,
    negativity bias L):

    - p_read_j = 1 - prod_i (1 - attention * r_i * w_ij): each post is read independently,
      where r_i = min(1, audience / s_i) (:func:`reach_factors`) spreads the limited audience
      of a poster whose ties' strengths sum to s_i over all of them;
    - W+ = sum q_ij over positive posts, W- = L * sum q_ij over negative posts;
    - signal s_j = (sum q_ij c_i over positive - L * sum q_ij c_i over negative) / (W+ + W-);
    - if read: aware, attitude += susceptibility_j * (1 - exp(-persuasion (W+ + W-))) *
      (s_j - attitude), and the news is fresh for j; the reader remembers the most persuasive
      sender (largest q_ij c_i, ties to the lowest index) and the kind of its post.

    With ``groups`` (a brand community's group ties, :mod:`sim.rules.groups`) a post also goes
    over the poster's group ties, read with the group's attention instead of ``attention``
    (a negative post moderated today stays out of the group); a reader's sums run over both.

    Computed from today's posters' rows (:func:`talk_kernels.listen_push`): the cost is the number
    of deliveries, not of ties. ``scratch`` (reused between days) saves reallocating buffers.
    """
    n = state.aware.size
    chunks = _chunks(chunks, n)
    posted, senders = posts(state, traits, draws, levers, p, day, chunks)
    day.heard = day.array("heard", n, bool)
    day.heard_signal = day.array("heard_signal", n, np.float64)
    day.newly_aware_wom = day.array("newly_aware_wom", n, bool)
    scratch = scratch if scratch is not None else TalkScratch(n)
    reach = talk_kernels.poster_reach(senders, graph.indptr, *graph.tie_args(), p.audience)
    _, n_new = talk_kernels.listen_push(
        chunks.readers, graph.indptr, graph.indices, *graph.tie_args(), kernel_args(groups), posted,
        senders,
        traits.credibility, levers.read("message_credibility"), levers.read("post_persuasion"),
        levers.post_source,
        traits.susceptibility,
        draws.hear, draws.keys[HEAR], day.t, p.attention, reach,
        p.negativity_bias, p.persuasion,
        state.aware, state.attitude, state.last_news, state.aware_via, state.persuader,
        state.persuader_source, day.heard, day.heard_signal, day.newly_aware_wom, scratch.acc,
        *scratch.lists(chunks.readers.size - 1))
    day.posted = posted
    day.posters = senders
    day.counts["aware_from_wom"] = n_new


def adoption(state: State, draws: DayDraws, p: WomModelConfig, day: Day,
             chunks: Chunks | None = None, levers: Levers | None = None) -> None:
    """Phase 4: aware consumers who are neither customers nor churned buy with probability
    min(1, purchase_multiplier * max_purchase_rate / (1 + exp(-purchase_slope * (attitude -
    purchase_midpoint)))) (``levers`` None: a multiplier of 1); a buyer's source is the kind of
    the last persuasive post read, or how they became aware (media or ads) for those who never
    read one (kernel: :func:`kernels.adoption`)."""
    n = state.aware.size
    multiplier = levers.read("purchase_multiplier") if levers is not None else kernels.NO_LEVER
    day.bought = day.array("bought", n, bool)
    buyers = day.array("buyers", n, np.int32)
    count = kernels.adoption(
        _chunks(chunks, n).consumers, state.aware, state.customer, state.churned, state.attitude,
        multiplier, draws.adopt, draws.keys[ADOPT], day.t, p.max_purchase_rate,
        p.purchase_midpoint, p.purchase_slope, p.initial_loyalty, state.persuader,
        state.persuader_source, state.aware_via, state.ever_customer, state.loyalty,
        state.last_news, state.source, state.converted_by, day.bought, buyers)
    day.buyers = buyers[:count]
    day.counts["purchases"] = count


def loyalty(state: State, draws: DayDraws, levers: Levers, p: WomModelConfig, day: Day,
            chunks: Chunks | None = None) -> None:
    """Phase 5: loyalty += satisfaction_loyalty * satisfaction + wom_loyalty * heard signal
    + loyalty_bonus (customers, clipped to [0, 1]); customers below churn_threshold leave
    w.p. churn_rate (kernel: :func:`kernels.loyalty`)."""
    _loyalty(state, draws, levers, p, day, chunks, 1.0, np.zeros(0, dtype=np.int64))


def _loyalty(state: State, draws: DayDraws, levers: Levers, p: WomModelConfig, day: Day,
             chunks: Chunks | None, keep_attitude: float, counts: np.ndarray) -> None:
    day.churned = day.array("churned", state.aware.size, bool)
    day.counts["churns"] = kernels.loyalty(
        _chunks(chunks, state.aware.size).consumers, state.customer, state.loyalty,
        day.satisfaction, day.heard_signal, levers.read("loyalty_bonus"), draws.churn,
        draws.keys[CHURN], day.t, p.satisfaction_loyalty, p.wom_loyalty, p.churn_threshold,
        p.churn_rate, state.churned, day.churned, keep_attitude, state.aware, state.attitude,
        state.ever_customer, p.promoter_threshold, counts)


def forgetting(state: State, p: WomModelConfig) -> None:
    """Phase 6: attitudes decay toward neutral by ``attitude_decay`` per day."""
    state.attitude *= 1.0 - p.attitude_decay


def loyalty_and_forgetting(state: State, draws: DayDraws, levers: Levers, p: WomModelConfig,
                           day: Day, chunks: Chunks | None = None) -> tuple:
    """Phases 5 and 6 in one pass over the consumers (both only touch each consumer's own
    state); returns the end-of-day state counted on the way (as :func:`count_state`)."""
    counts = np.zeros(7, dtype=np.int64)
    _loyalty(state, draws, levers, p, day, chunks, 1.0 - p.attitude_decay, counts)
    return kernels.counts_tuple(counts)


def count_state(state: State, p: WomModelConfig, chunks: Chunks | None = None) -> tuple:
    """The state's counts for the metrics row: ``(aware, ever_customer, customers, promoters,
    detractors, churned, loyalty_sum)`` (:func:`kernels.state_counts`)."""
    return kernels.state_counts(state.aware, state.attitude, state.customer, state.ever_customer,
                                state.churned, state.loyalty, p.promoter_threshold,
                                _chunks(chunks, state.aware.size).consumers)


def give_product(state: State, consumers: np.ndarray, *, t: int, attitude: float,
                 initial_loyalty: float, source: int) -> np.ndarray:
    """Make ``consumers`` aware customers with ``attitude`` on day ``t``, outside the adoption
    phase (a gift, a seeding): the unaware among them count as aware by seeding, those not yet
    customers start with ``initial_loyalty`` and purchase source ``source``, converted by
    nobody; churned ones come back. Returns the new customers (int64 indices)."""
    state.aware_via[consumers[~state.aware[consumers]]] = VIA_SEEDED
    state.aware[consumers] = True
    state.attitude[consumers] = attitude
    new = consumers[~state.customer[consumers]]
    state.loyalty[new] = initial_loyalty
    state.customer[consumers] = True
    state.ever_customer[consumers] = True
    state.churned[consumers] = False
    state.source[new] = source
    state.converted_by[new] = NOBODY
    state.last_news[consumers] = t
    return new
