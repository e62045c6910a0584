"""Compiled (numba) helpers for the strategies' daily work over all consumers.

Each is one pass with no data-dependent branches where it can be, and each equals the numpy
expression in its docstring (the strategies' tests run through them).
"""

from __future__ import annotations

import numba
import numpy as np

from sim.population import ORGANIC, SOURCE_CODES
from sim.rules.kernels import gather
from sim.strategies.base import EPS

_jit = numba.njit(cache=True, nogil=True)
_par = numba.njit(cache=True, nogil=True, parallel=True)
_FROM_REFERRAL = SOURCE_CODES["from_referral"]


@_jit
def _enroll_range(lo, hi, customer, paid, cap, talk_multiplier, message_credibility, post_source,
                  talk_boost, credibility, members):
    first, last = np.uint64(lo), np.uint64(hi)
    for i in range(first, last):  # vectorised
        e = customer[i] & (paid[i] < cap)
        talk_multiplier[i] *= talk_boost if e else 1.0
        message_credibility[i] *= credibility if e else 1.0
        kind = post_source[i]
        post_source[i] = _FROM_REFERRAL if e & (kind == ORGANIC) else kind
    if members.size == 0:  # the members are not wanted
        return 0
    count = np.uint64(0)
    for i in range(first, last):
        members[first + count] = i
        count += np.uint64(customer[i] & (paid[i] < cap))
    return np.int64(count)


@_par
def _enroll_chunks(bounds, members, *args):
    counts = np.zeros(bounds.size - 1, dtype=np.int64)
    for c in numba.prange(bounds.size - 1):
        counts[c] = _enroll_range(bounds[c], bounds[c + 1], *args, members)
    return gather(members, bounds, counts)


def enroll(bounds, customer, paid, cap, talk_multiplier, message_credibility, post_source,
           talk_boost, credibility, members):
    """Enrol every customer paid less than ``cap``: ``talk_multiplier *= talk_boost``,
    ``message_credibility *= credibility`` and organic posts become referrals, i.e. with
    ``e = customer & (paid < cap)``: ``talk_multiplier[e] *= talk_boost`` (and so on). The
    enrolled consumers' indices go, increasing, to the front of ``members``; returns how many
    (``members`` empty: no list is made and 0 is returned). ``bounds`` cuts the consumers into
    chunks run in parallel (:mod:`sim.rules.kernels`)."""
    args = (customer, paid, cap, talk_multiplier, message_credibility, post_source, talk_boost,
            credibility)
    if bounds.size == 2:
        return _enroll_range(bounds[0], bounds[1], *args, members)
    return _enroll_chunks(bounds, members, *args)


@_jit
def _scale_range(lo, hi, until, t, values, factor):
    for i in range(np.uint64(lo), np.uint64(hi)):
        values[i] *= factor if until[i] >= t else 1.0


@_par
def _scale_chunks(bounds, *args):
    for c in numba.prange(bounds.size - 1):
        _scale_range(bounds[c], bounds[c + 1], *args)


def scale_until(bounds, until, t, values, factor):
    """``values[until >= t] *= factor`` (``bounds`` as for :func:`enroll`)."""
    if bounds.size == 2:
        _scale_range(bounds[0], bounds[1], until, t, values, factor)
    else:
        _scale_chunks(bounds, until, t, values, factor)


@_jit
def enqueue(new, t, delays, loyalty, who, posted_on, ready_at, loyalty_before, size):
    """Append complaints to a queue (its first ``size`` entries of ``who``, ``posted_on``,
    ``ready_at``, ``loyalty_before``, which must have room): complainer ``new[k]``, posted on day
    ``t``, ready at ``t + delays[k]``, with loyalty ``loyalty[new[k]]``. Returns the new size."""
    for k in range(new.size):
        i = new[k]
        who[size + k] = i
        posted_on[size + k] = t
        ready_at[size + k] = t + delays[k]
        loyalty_before[size + k] = loyalty[i]
    return size + new.size


@_jit
def due_rows(ready_at, size, t, limit, out):
    """Rows of a queue's first ``size`` entries that are ready by the end of day ``t``
    (``ready_at < t + 1``), earliest ready first (ties in queue order), at most ``limit`` of
    them, written to the front of ``out``; returns how many."""
    count = 0
    for row in range(size):
        out[count] = row
        count += ready_at[row] < t + 1
    if count == 0:
        return 0
    order = np.argsort(ready_at[out[:count]], kind="mergesort")
    rows = out[:count][order]
    count = min(count, limit)
    out[:count] = rows[:count]
    return count


@_jit
def answer(rows, t, who, posted_on, ready_at, loyalty_before, size, draws, recovery_max,
           halflife, recovery_attitude, recovery_bonus, repeat_recovery, answer_credibility,
           answer_memory, attitude, customer, loyalty, message_credibility, answered_until,
           recoveries):
    """Answer the complaints in queue ``rows`` on day ``t`` (see
    :class:`~sim.strategies.fast_response.FastResponseStrategy`) and remove them from the queue
    (the first ``size`` entries of ``who``, ``posted_on``, ``ready_at``, ``loyalty_before``,
    kept in order). ``draws`` holds one uniform per answer; an answer after a total delay of
    ``d`` days recovers the complainer when its draw is below
    ``recovery_max * 2 ** (-d / halflife)``. A first recovery lifts attitude to at least
    ``recovery_attitude`` and a customer's loyalty to at least ``loyalty_before +
    recovery_bonus``; a later one (``recoveries``, per consumer, counts them) closes only
    ``repeat_recovery`` of each gap. Returns (recovered, sum of delays, new size)."""
    recovered = 0
    delay_sum = 0.0
    done = np.zeros(size, dtype=np.bool_)
    for k in range(rows.size):
        row = rows[k]
        done[row] = True
        consumer = who[row]
        delay = max(ready_at[row], float(t)) - posted_on[row]
        delay_sum += delay
        if draws[k] < recovery_max * np.exp2(-delay / halflife):
            recovered += 1
            lift = 1.0 if recoveries[consumer] == 0 else repeat_recovery
            recoveries[consumer] += 1
            now = attitude[consumer]
            if now < recovery_attitude:  # (a lift of 1 lands exactly on the target)
                attitude[consumer] = (recovery_attitude if lift >= 1.0
                                      else now + lift * (recovery_attitude - now))
            if customer[consumer]:
                restored = loyalty_before[row] + recovery_bonus
                now = loyalty[consumer]
                if now < restored:
                    loyalty[consumer] = min(1.0, restored if lift >= 1.0
                                            else now + lift * (restored - now))
        if answered_until[consumer] < t:  # not shown yet today: today's posts count less too
            message_credibility[consumer] *= answer_credibility
        answered_until[consumer] = t + answer_memory
    kept = 0
    for row in range(size):
        if not done[row]:
            who[kept] = who[row]
            posted_on[kept] = posted_on[row]
            ready_at[kept] = ready_at[row]
            loyalty_before[kept] = loyalty_before[row]
            kept += 1
    return recovered, delay_sum, kept


@_jit
def pay_each(referrers, paid, cap, amount, limit, seen):
    """Pay ``amount`` once per entry of ``referrers``, in order (a referrer may earn several
    today), while the referrer's total stays within ``cap`` (judged on what they were paid
    before today) and at most ``limit`` payments in all; adds to ``paid``. ``seen`` is an (n,)
    int64 scratch that must come in zeroed and is left so. Returns how many were paid."""
    count = 0
    ok = np.zeros(referrers.size, dtype=np.bool_)
    for k in range(referrers.size):
        r = referrers[k]
        room = np.floor((cap + EPS - paid[r]) / amount)
        if seen[r] < room and count < limit:
            ok[k] = True
            count += 1
        seen[r] += 1
    for k in range(referrers.size):
        seen[referrers[k]] = 0
        if ok[k]:
            paid[referrers[k]] += amount
    return count


@_jit
def referred(buyers, source, referral, converted_by, referees, referrers):
    """Today's buyers whose source is ``referral`` go, in the buyers' order, to the front of
    ``referees``, and their referrers (``converted_by``) to the front of ``referrers``; returns
    how many. With ``b = buyers[source[buyers] == referral]``: ``referees[:b.size] = b`` and
    ``referrers[:b.size] = converted_by[b]``."""
    count = 0
    for k in range(buyers.size):
        i = buyers[k]
        if source[i] == referral:
            referees[count] = i
            referrers[count] = converted_by[i]
            count += 1
    return count
