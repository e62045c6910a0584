"""Compiled (numba) kernels of the word-of-mouth phases, one loop over consumers each.

Each kernel is a pure function of arrays: the random numbers are the counter-based draws of
:mod:`sim.rules.draws` (read from the day's table, or computed on the spot when the table row
is empty), and the results go out through preallocated arrays, so the kernels hold no random
state. The arithmetic is written in float64 in the same order as the per-agent reference
(:mod:`sim.agents`), which is why the two engines agree draw for draw (tested). Decisions of a
phase depend only on state that the phase does not change, so updating in place is still
synchronous: e.g. in :func:`listen_push` a reader's update reads its neighbours' posts (fixed for
the day) and never their attitudes.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from sim.population import (
    NEVER,
    POST_KOL,
    POST_ORGANIC,
    POST_REFERRAL,
    SOURCE_CODES,
    VIA_ADS,
    VIA_MEDIA,
    VIA_WOM,
)
from sim.rules.draws import draw, draw_normal

MAX_READ_PROB = 1.0 - 1e-12
_jit = numba.njit(cache=True, nogil=True)
_FROM_MEDIA = SOURCE_CODES["from_media"]
_FROM_ADS = SOURCE_CODES["from_ads"]
_ORGANIC = SOURCE_CODES["organic"]
_FROM_KOL = SOURCE_CODES["from_kol"]
_FROM_REFERRAL = SOURCE_CODES["from_referral"]


@_jit
def brand(aware, attitude, aware_via, last_news, media, key, t, media_awareness,
          extra_awareness, media_tone, ads_tone, newly):
    """Phase 1: unaware consumers become aware through media or ads; fills ``newly``.
    Returns (aware from media, aware from ads)."""
    n_media = n_ads = 0
    total = media_awareness + extra_awareness
    for i in range(aware.size):
        newly[i] = False
        if aware[i]:
            continue
        u = draw(media, key, t, i)
        if u < media_awareness:
            attitude[i] = media_tone
            aware_via[i] = VIA_MEDIA
            n_media += 1
        elif u < total:
            attitude[i] = ads_tone
            aware_via[i] = VIA_ADS
            n_ads += 1
        else:
            continue
        aware[i] = True
        last_news[i] = t
        newly[i] = True
    return n_media, n_ads


@_jit
def experience(customer, use, noise, complain, keys, expectation, attitude, last_news, t,
               usage_rate, quality, quality_noise, satisfaction_scale, experience_weight,
               complaint_threshold, complaint_rate, used, satisfaction, complained, complainers):
    """Phase 2 for every consumer; fills ``used``, ``satisfaction``, ``complained``, and the
    complainers' indices, increasing, at the front of ``complainers``. ``keys`` are the (use,
    noise, complain) stream keys. Returns (uses, complaints)."""
    n_used = n_complaints = 0
    for i in range(customer.size):
        used[i] = False
        satisfaction[i] = 0.0
        complained[i] = False
        if customer[i] and draw(use, keys[0], t, i) < usage_rate:
            z = draw_normal(noise, keys[1], t, i)
            felt = min(1.0, max(0.0, quality + quality_noise * z))
            s = min(1.0, max(-1.0, (felt - expectation[i]) / satisfaction_scale))
            used[i] = True
            satisfaction[i] = s
            n_used += 1
            if s <= -complaint_threshold and draw(complain, keys[2], t, i) < complaint_rate:
                complained[i] = True
                complainers[n_complaints] = i
                n_complaints += 1
            attitude[i] += experience_weight * (s - attitude[i])
            last_news[i] = t
    return n_used, n_complaints


@_jit
def posts(aware, attitude, ever_customer, last_news, talkativeness, talk_multiplier, complained,
          talk, key, t, promoter_threshold, news_memory, hearsay_talk, negativity_bias, posted,
          senders):
    """Who posts today: +1 promoter post, -1 detractor post or complaint, 0 none. The posters'
    indices go, increasing, to the front of ``senders``. Returns (positive, negative) posts.

    Written without data-dependent branches: every consumer's probability and draw are
    computed and the decision is a select (a mispredicted branch costs more than the draw)."""
    fresh_by_age = np.empty(t + 2)  # exp(-age / news_memory), the same values as computed singly
    for age in range(t + 1):
        fresh_by_age[age] = math.exp(-age / news_memory)
    fresh_by_age[t + 1] = 0.0  # no news ever
    n_posts = n_neg = 0
    for i in range(aware.size):
        a = attitude[i]
        sign = np.int64(a >= promoter_threshold) - np.int64(a <= -promoter_threshold)
        age = t - np.int64(last_news[i])
        fresh = fresh_by_age[age if last_news[i] != NEVER else t + 1]
        prob = talkativeness[i] * fresh * talk_multiplier[i]
        prob *= 1.0 if ever_customer[i] else hearsay_talk
        prob *= negativity_bias if sign < 0 else 1.0
        post = sign if aware[i] and draw(talk, key, t, i) < min(1.0, prob) else 0
        post = -1 if complained[i] else post
        posted[i] = post
        senders[n_posts] = i
        n_posts += post != 0
        n_neg += post < 0
    return n_posts - n_neg, n_neg


@_jit
def loyalty(customer, loyalty_, satisfaction, heard_signal, loyalty_bonus, churn, key, t,
            satisfaction_loyalty, wom_loyalty, churn_threshold, churn_rate, churned, left):
    """Phase 5: move customers' loyalty, then churn the low ones; fills ``left``. Returns the
    number who left."""
    n_left = 0
    for i in range(customer.size):
        left[i] = False
        if not customer[i]:
            continue
        change = (satisfaction_loyalty * satisfaction[i] + wom_loyalty * heard_signal[i]
                  + loyalty_bonus[i])
        value = min(1.0, max(0.0, loyalty_[i] + change))
        if value < churn_threshold and draw(churn, key, t, i) < churn_rate:
            customer[i] = False
            churned[i] = True
            loyalty_[i] = 0.0
            left[i] = True
            n_left += 1
        else:
            loyalty_[i] = value
    return n_left


#: an accumulator row with nothing delivered: W+, W-, C+, C-, P(miss), best score,
#: best sender + 1, unused (see :func:`listen_push`)
ACC_CLEAR = (0.0, 0.0, 0.0, 0.0, 1.0, -1.0, 0.0, 0.0)


@_jit
def listen_push(indptr, indices, weights, posted, senders, credibility, message_credibility,
                post_kind, susceptibility, hear, key, t, attention, negativity_bias, persuasion,
                aware, attitude, last_news, aware_via, persuader, persuader_kind,
                heard, heard_signal, newly, acc, reached):
    """Phase 3 from the posters' side (push): visit only the rows of today's posters (the graph
    is symmetric), so the cost is the number of deliveries, not of ties.

    ``senders`` must be increasing, so that each reader's sums accumulate in increasing sender
    order, exactly as the reference (:meth:`sim.agents.Consumer.decide_listen`) sums over its
    neighbours. ``acc`` is a flat float64 scratch array of 8 n entries, one 64-byte row per
    reader (:data:`ACC_CLEAR` gives the fields), and ``reached`` an (n,) uint8 scratch; every
    row of ``acc`` must come in as :data:`ACC_CLEAR` and ``reached`` as 0, and both are left
    so. The delivery loop has no data-dependent branches and no dependency from one delivery
    to the next (either would stall it on every random access). ``heard``, ``heard_signal``
    and ``newly`` must come in cleared (False / 0). Returns (readers reached by a post, readers
    newly aware).
    """
    for s in range(senders.size):
        i = senders[s]
        cred = credibility[i] * message_credibility[i]
        side = 0 if posted[i] > 0 else 1
        sender = i + 1.0
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            w = np.float64(weights[k])
            r = 8 * j
            reached[j] = 1
            score = w * cred
            better = score > acc[r + 5]
            acc[r + 6] = sender if better else acc[r + 6]
            acc[r + 5] = score if better else acc[r + 5]
            acc[r + 4] *= 1.0 - min(attention * w, MAX_READ_PROB)
            acc[r + side] += w
            acc[r + 2 + side] += score
    count = n_new = 0
    for j in range(reached.size):
        if not reached[j]:
            continue
        reached[j] = 0
        count += 1
        r = 8 * j
        total = acc[r] + negativity_bias * acc[r + 1]
        if total > 0 and draw(hear, key, t, j) < 1.0 - acc[r + 4]:
            signal = (acc[r + 2] - negativity_bias * acc[r + 3]) / total
            pull = susceptibility[j] * -math.expm1(-persuasion * total)
            best = np.int64(acc[r + 6]) - 1
            heard[j] = True
            heard_signal[j] = signal
            if not aware[j]:
                newly[j] = True
                aware_via[j] = VIA_WOM
                n_new += 1
            persuader[j] = best
            persuader_kind[j] = post_kind[best]
            aware[j] = True
            attitude[j] += pull * (signal - attitude[j])
            last_news[j] = t
        for q in range(8):
            acc[r + q] = ACC_CLEAR[q]
    return count, n_new


@_jit
def adoption(aware, customer, churned, attitude, adopt, key, t, max_purchase_rate,
             purchase_midpoint, purchase_slope, initial_loyalty, persuader, persuader_kind,
             aware_via, ever_customer, loyalty_, last_news, source, converted_by, bought,
             buyers):
    """Phase 4: an aware consumer who is neither a customer nor churned buys when
    ``adopt < max_purchase_rate / (1 + exp(-slope (attitude - midpoint)))``. A buyer becomes a
    customer with ``initial_loyalty``; the purchase's source is the kind of the last persuasive
    post read, or, for those who never read one, how they became aware (media or ads); the
    converter is that post's sender. Fills ``bought`` and the buyers' indices, increasing, at
    the front of ``buyers``; returns the number of buyers."""
    count = 0
    for i in range(aware.size):
        bought[i] = False
        if aware[i] and not customer[i] and not churned[i]:
            prob = max_purchase_rate / (
                1.0 + math.exp(-purchase_slope * (attitude[i] - purchase_midpoint)))
            if draw(adopt, key, t, i) < prob:
                bought[i] = True
                buyers[count] = i
                count += 1
                kind = persuader_kind[i]
                if kind == POST_ORGANIC:
                    source[i] = _ORGANIC
                elif kind == POST_KOL:
                    source[i] = _FROM_KOL
                elif kind == POST_REFERRAL:
                    source[i] = _FROM_REFERRAL
                elif aware_via[i] == VIA_ADS:
                    source[i] = _FROM_ADS
                else:
                    source[i] = _FROM_MEDIA
                converted_by[i] = persuader[i]
                customer[i] = True
                ever_customer[i] = True
                loyalty_[i] = initial_loyalty
                last_news[i] = t
    return count


@_jit
def state_counts(aware, attitude, customer, ever_customer, churned, loyalty_, threshold):
    """One pass over the state: (aware, ever customers, customers, promoters, detractors,
    churned, sum of customers' loyalty). Branch-free, so the compiler vectorises it."""
    n_aware = n_ever = n_customers = n_promoters = n_detractors = n_churned = 0
    loyalty_sum = 0.0
    for i in range(aware.size):
        is_aware = np.int64(aware[i])
        n_aware += is_aware
        n_promoters += is_aware & np.int64(attitude[i] >= threshold)
        n_detractors += is_aware & np.int64(attitude[i] <= -threshold)
        n_ever += np.int64(ever_customer[i])
        is_customer = customer[i]
        n_customers += np.int64(is_customer)
        loyalty_sum += loyalty_[i] if is_customer else 0.0
        n_churned += np.int64(churned[i])
    return n_aware, n_ever, n_customers, n_promoters, n_detractors, n_churned, loyalty_sum
