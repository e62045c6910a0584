"""Compiled (numba) kernels of the word-of-mouth phases, one loop over consumers each.

Each kernel is a pure function of arrays: the random numbers come in pre-drawn (``sim.rules.draws``)
and the results go out through preallocated arrays, so the kernels hold no random state. The
arithmetic is written in float64 in the same order as the per-agent reference
(:mod:`sim.agents`), which is why the two engines agree draw for draw (tested). Decisions of a
phase depend only on state that the phase does not change, so updating in place is still
synchronous: e.g. in :func:`listen_push` a reader's update reads its neighbours' posts (fixed for
the day) and never their attitudes.
"""

from __future__ import annotations

import math

import numba
import numpy as np

NEVER = -1
MAX_READ_PROB = 1.0 - 1e-12
VIA_WOM = 3
_jit = numba.njit(cache=True, nogil=True)


@_jit
def experience(customer, use, noise, expectation, attitude, last_news, t, usage_rate, quality,
               quality_noise, satisfaction_scale, experience_weight, complaint_threshold,
               complaint_rate, complain, used, satisfaction, complained):
    """Phase 2 for every consumer; fills ``used``, ``satisfaction``, ``complained``."""
    for i in range(customer.size):
        used[i] = False
        satisfaction[i] = 0.0
        complained[i] = False
        if customer[i] and np.float64(use[i]) < usage_rate:
            felt = min(1.0, max(0.0, quality + quality_noise * np.float64(noise[i])))
            s = min(1.0, max(-1.0, (felt - expectation[i]) / satisfaction_scale))
            used[i] = True
            satisfaction[i] = s
            complained[i] = s <= -complaint_threshold and np.float64(complain[i]) < complaint_rate
            attitude[i] += experience_weight * (s - attitude[i])
            last_news[i] = t


@_jit
def posts(aware, attitude, ever_customer, last_news, talkativeness, talk_multiplier, complained,
          talk, t, promoter_threshold, news_memory, hearsay_talk, negativity_bias, posted):
    """Who posts today: +1 promoter post, -1 detractor post or complaint, 0 none."""
    fresh_by_age = np.empty(t + 1)  # exp(-age / news_memory), the same values as computed singly
    for age in range(t + 1):
        fresh_by_age[age] = math.exp(-age / news_memory)
    for i in range(aware.size):
        posted[i] = 0
        if complained[i]:
            posted[i] = -1
            continue
        if not aware[i]:
            continue
        a = attitude[i]
        if a >= promoter_threshold:
            sign = 1
        elif a <= -promoter_threshold:
            sign = -1
        else:
            continue
        fresh = 0.0
        if last_news[i] != NEVER:
            fresh = fresh_by_age[t - last_news[i]]
        prob = talkativeness[i] * fresh * talk_multiplier[i]
        prob *= 1.0 if ever_customer[i] else hearsay_talk
        if sign < 0:
            prob *= negativity_bias
        if np.float64(talk[i]) < min(1.0, prob):
            posted[i] = sign


@_jit
def loyalty(customer, loyalty_, satisfaction, heard_signal, loyalty_bonus, churn,
            satisfaction_loyalty, wom_loyalty, churn_threshold, churn_rate, churned, left):
    """Phase 5: move customers' loyalty, then churn the low ones; fills ``left``."""
    for i in range(customer.size):
        left[i] = False
        if not customer[i]:
            continue
        change = (satisfaction_loyalty * satisfaction[i] + wom_loyalty * heard_signal[i]
                  + loyalty_bonus[i])
        value = min(1.0, max(0.0, loyalty_[i] + change))
        if value < churn_threshold and np.float64(churn[i]) < churn_rate:
            customer[i] = False
            churned[i] = True
            loyalty_[i] = 0.0
            left[i] = True
        else:
            loyalty_[i] = value


@_jit
def listen_push(indptr, indices, weights, posted, senders, credibility, message_credibility,
                post_kind, susceptibility, hear, t, attention, negativity_bias, persuasion,
                aware, attitude, last_news, aware_via, persuader, persuader_kind,
                heard, heard_signal, newly, acc, touched):
    """Phase 3 from the posters' side (push): visit only the rows of today's posters (the graph
    is symmetric), so the cost is the number of deliveries, not of ties.

    ``senders`` must be increasing, so that each reader's sums accumulate in increasing sender
    order, exactly as the reference (:meth:`sim.agents.Consumer.decide_listen`) sums over its
    neighbours. ``acc`` is an (n, 8) float64 scratch
    array, one 64-byte row per reader (W+, W-, C+, C-, P(miss), best score, best sender + 1,
    unused), and ``touched`` an (n,) int64 scratch; ``acc`` must come in zeroed and is left
    zeroed. Returns the number of readers reached by a post.
    """
    count = 0
    for s in range(senders.size):
        i = senders[s]
        cred = credibility[i] * message_credibility[i]
        valence = posted[i]
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            w = np.float64(weights[k])
            row = acc[j]
            if row[6] == 0.0:
                touched[count] = j
                count += 1
                row[4] = 1.0
                row[5] = -1.0
            if w * cred > row[5]:
                row[5] = w * cred
                row[6] = i + 1.0
            row[4] *= 1.0 - min(attention * w, MAX_READ_PROB)
            if valence > 0:
                row[0] += w
                row[2] += w * cred
            else:
                row[1] += w
                row[3] += w * cred
    for r in range(count):
        j = touched[r]
        row = acc[j]
        total = row[0] + negativity_bias * row[1]
        if total > 0 and np.float64(hear[j]) < 1.0 - row[4]:
            signal = (row[2] - negativity_bias * row[3]) / total
            pull = susceptibility[j] * -math.expm1(-persuasion * total)
            best = np.int64(row[6]) - 1
            heard[j] = True
            heard_signal[j] = signal
            if not aware[j]:
                newly[j] = True
                aware_via[j] = VIA_WOM
            persuader[j] = best
            persuader_kind[j] = post_kind[best]
            aware[j] = True
            attitude[j] += pull * (signal - attitude[j])
            last_news[j] = t
        row[:] = 0.0
    return count


@_jit
def adoption(aware, customer, churned, attitude, adopt, max_purchase_rate, purchase_midpoint,
             purchase_slope, bought):
    """Phase 4 decisions: an aware consumer who is neither a customer nor churned buys when
    ``adopt < max_purchase_rate / (1 + exp(-slope (attitude - midpoint)))``; fills ``bought``."""
    count = 0
    for i in range(aware.size):
        bought[i] = False
        if aware[i] and not customer[i] and not churned[i]:
            prob = max_purchase_rate / (
                1.0 + math.exp(-purchase_slope * (attitude[i] - purchase_midpoint)))
            if np.float64(adopt[i]) < prob:
                bought[i] = True
                count += 1
    return count


@_jit
def state_counts(aware, attitude, customer, ever_customer, churned, loyalty_, threshold):
    """One pass over the state: (aware, ever customers, customers, promoters, detractors,
    churned, sum of customers' loyalty)."""
    n_aware = n_ever = n_customers = n_promoters = n_detractors = n_churned = 0
    loyalty_sum = 0.0
    for i in range(aware.size):
        if aware[i]:
            n_aware += 1
            if attitude[i] >= threshold:
                n_promoters += 1
            elif attitude[i] <= -threshold:
                n_detractors += 1
        if ever_customer[i]:
            n_ever += 1
        if customer[i]:
            n_customers += 1
            loyalty_sum += loyalty_[i]
        if churned[i]:
            n_churned += 1
    return n_aware, n_ever, n_customers, n_promoters, n_detractors, n_churned, loyalty_sum
