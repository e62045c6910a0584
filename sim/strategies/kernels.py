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
def _before(ready_at, seq, a, b):
    """Whether heap entry ``a`` comes out before ``b``: earlier ready, then earlier posted."""
    return ready_at[a] < ready_at[b] or (ready_at[a] == ready_at[b] and seq[a] < seq[b])


@_jit
def _swap(i, j, ready_at, seq, who, posted_on, loyalty_before):
    ready_at[i], ready_at[j] = ready_at[j], ready_at[i]
    seq[i], seq[j] = seq[j], seq[i]
    who[i], who[j] = who[j], who[i]
    posted_on[i], posted_on[j] = posted_on[j], posted_on[i]
    loyalty_before[i], loyalty_before[j] = loyalty_before[j], loyalty_before[i]


@_jit
def enqueue(new, t, delays, loyalty, ready_at, seq, who, posted_on, loyalty_before, size,
            next_seq):
    """Push complaints onto a queue kept as a binary min-heap (its first ``size`` entries of
    ``ready_at``, ``seq``, ``who``, ``posted_on``, ``loyalty_before``, which must have room),
    ordered by the day each can be answered and then by arrival (``seq``): complainer
    ``new[k]``, posted on day ``t``, ready at ``t + delays[k]``, with loyalty
    ``loyalty[new[k]]``. O(log size) each. Returns (new size, next sequence number)."""
    for k in range(new.size):
        i = size
        ready_at[i] = t + delays[k]
        seq[i] = next_seq
        who[i] = new[k]
        posted_on[i] = t
        loyalty_before[i] = loyalty[new[k]]
        size += 1
        next_seq += 1
        while i > 0:
            parent = (i - 1) // 2
            if not _before(ready_at, seq, i, parent):
                break
            _swap(i, parent, ready_at, seq, who, posted_on, loyalty_before)
            i = parent
    return size, next_seq


@_jit
def pop_due(t, limit, ready_at, seq, who, posted_on, loyalty_before, size, out_who,
            out_posted, out_ready, out_before):
    """Take off the heap (see :func:`enqueue`) the complaints ready by the end of day ``t``
    (``ready_at < t + 1``), earliest ready first and, among those ready at the same time, the
    earliest posted first, at most ``limit`` of them; copied to the front of the ``out_*``
    arrays. O(log size) each, whatever the backlog. Returns (how many, new size)."""
    count = 0
    while count < limit and size > 0 and ready_at[0] < t + 1:
        out_who[count] = who[0]
        out_posted[count] = posted_on[0]
        out_ready[count] = ready_at[0]
        out_before[count] = loyalty_before[0]
        count += 1
        size -= 1
        if size == 0:
            break
        _swap(0, size, ready_at, seq, who, posted_on, loyalty_before)
        i = 0
        while True:
            child = 2 * i + 1
            if child >= size:
                break
            if child + 1 < size and _before(ready_at, seq, child + 1, child):
                child += 1
            if not _before(ready_at, seq, child, i):
                break
            _swap(i, child, ready_at, seq, who, posted_on, loyalty_before)
            i = child
    return count, size


@_jit
def answer(count, t, who, posted_on, ready_at, loyalty_before, draws, recovery_max, halflife,
           recovery_attitude, recovery_bonus, repeat_recovery, answer_credibility,
           answer_memory, attitude, customer, loyalty, message_credibility, answered_until,
           recoveries):
    """Answer on day ``t`` the first ``count`` complaints of a batch taken off the queue
    (:func:`pop_due`; see :class:`~sim.strategies.fast_response.FastResponseStrategy`):
    complainer ``who``, posted on ``posted_on``, ready at ``ready_at``, with loyalty
    ``loyalty_before`` when complaining. ``draws`` holds one uniform per answer; an answer after
    a total delay of ``d`` days recovers the complainer when its draw is below
    ``recovery_max * 2 ** (-d / halflife)``. A first recovery lifts attitude to at least
    ``recovery_attitude`` and a customer's loyalty to at least ``loyalty_before +
    recovery_bonus``; a later one (``recoveries``, per consumer, counts them) closes only
    ``repeat_recovery`` of each gap. Returns (recovered, sum of delays)."""
    recovered = 0
    delay_sum = 0.0
    for row in range(count):
        consumer = who[row]
        delay = max(ready_at[row], float(t)) - posted_on[row]
        delay_sum += delay
        if draws[row] < recovery_max * np.exp2(-delay / halflife):
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
    return recovered, delay_sum


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
