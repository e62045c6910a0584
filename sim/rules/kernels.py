"""Compiled (numba) kernels of the word-of-mouth phases, one loop over consumers each.

Each kernel is a pure function of arrays: the random numbers are the counter-based draws of
:mod:`sim.rules.draws` (read from the day's table, or computed on the spot when the table row
is empty), and the results go out through preallocated arrays, so the kernels hold no random
state. The arithmetic is written in float64 in the same order as the per-agent reference
(:mod:`sim.agents`), which is why the two engines agree draw for draw (tested). Decisions of a
phase depend only on state that the phase does not change, so updating in place is still
synchronous: e.g. in :func:`~sim.rules.talk_kernels.listen_push` (the talk phase's kernels have
a module of their own) a reader's update reads its neighbours' posts (fixed for the day) and
never their attitudes.

Every phase kernel takes ``bounds`` first: increasing consumer indices ``[0, ..., n]`` that cut
the consumers into chunks. With one chunk (``[0, n]``) the kernel runs serially on the calling
thread; with more, the chunks run in parallel (numba ``prange``). Each phase is written once, as
a loop over consumers ``lo <= i < hi`` (the ``_..._range`` functions); a chunk only writes its
own consumers' entries, lists of consumers (posters, complainers, buyers) are gathered in chunk
order, and counts are integers, so the results are the same, bit for bit, for any ``bounds``
(tested).

How the loops are written, because it decides their speed (measured, docs/benchmarks.md):

- indices are unsigned (``np.uint64``): with signed ones numba checks every access for a
  negative index, which made the loyalty pass 2.7 times and a whole day 1.3 times slower;
- no data-dependent branch on a coin flip (``x and y`` is a branch in numba; ``x & y`` is not):
  where only some consumers need work (users of the product, those who may buy, readers), a
  branch-free pass lists them and a second pass works on the list;
- a pass that decides for every consumer keeps lookups and lists out of its loop, so that the
  compiler vectorises it (the posts kernel first looks up a block's freshness).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from sim.population import (
    FROM_ADS,
    FROM_MEDIA,
    VIA_ADS,
    VIA_MEDIA,
)
from sim.rules.draws import draw, draw_normal

MAX_READ_PROB = 1.0 - 1e-12
_jit = numba.njit(cache=True, nogil=True)
_par = numba.njit(cache=True, nogil=True, parallel=True)
# unsigned offsets: index arithmetic in uint64 skips numba's negative-index wraparound
_ONE, _TWO, _THREE, _FOUR, _FIVE, _SIX, _EIGHT = (np.uint64(v) for v in (1, 2, 3, 4, 5, 6, 8))
#: consumers per block in kernels that split a block's work into a lookup loop and a loop the
#: compiler vectorises
_BLOCK = np.uint64(512)


def split_bounds(n: int, parts: int) -> np.ndarray:
    """``bounds`` cutting ``range(n)`` into ``parts`` chunks of (nearly) equal size."""
    parts = max(1, min(int(parts), max(n, 1)))
    return np.linspace(0, n, parts + 1).round().astype(np.int64)


#: in the talk phase, a reader costs about as much as this many of its ties (measured at
#: n = 10,000: ~7 ns a reader; ~7 ns a delivery, and about one tie in six delivers a post)
READER_COST_IN_TIES = 6.0


def split_bounds_by_degree(indptr: np.ndarray, parts: int) -> np.ndarray:
    """``bounds`` cutting the consumers into ``parts`` chunks of (nearly) equal work in the talk
    phase: ties (hubs receive the most posts) plus :data:`READER_COST_IN_TIES` per reader."""
    n = indptr.size - 1
    parts = max(1, min(int(parts), max(n, 1)))
    work = indptr.astype(np.float64) + READER_COST_IN_TIES * np.arange(n + 1)
    cuts = np.searchsorted(work, np.linspace(0.0, work[-1], parts + 1)[1:-1])
    return np.concatenate([[0], cuts, [n]]).astype(np.int64)


@_jit
def gather(buffer, bounds, counts):
    """Move each chunk's list (``counts[c]`` entries from ``bounds[c]``) to the front of
    ``buffer``, in chunk order; returns the total length."""
    total = 0
    for c in range(bounds.size - 1):
        lo, m = bounds[c], counts[c]
        if total != lo:
            for q in range(m):
                buffer[total + q] = buffer[lo + q]
        total += m
    return total


# ----------------------------------------------------------------------------- levers

@_jit
def _fill_range(lo, hi, values, value):
    for i in range(np.uint64(lo), np.uint64(hi)):
        values[i] = value


@_par
def _fill_chunks(bounds, values, value):
    for c in numba.prange(bounds.size - 1):
        _fill_range(bounds[c], bounds[c + 1], values, value)


def reset_levers(bounds, ones, zeros, post_source, organic):
    """Neutral per-consumer levers: every array of the tuple ``ones`` (multipliers) back to 1,
    of ``zeros`` (additions) to 0, and organic posts (chunks in parallel, one array at a
    time)."""
    fills = [(values, 1.0) for values in ones] + [(values, 0.0) for values in zeros]
    fills.append((post_source, post_source.dtype.type(organic)))
    for values, value in fills:
        if bounds.size == 2:
            _fill_range(bounds[0], bounds[1], values, value)
        else:
            _fill_chunks(bounds, values, value)


#: a per-consumer lever that no strategy made: the kernels read its neutral value instead
#: (:func:`lever`); writable, like a made lever, so that both are the same array type
NO_LEVER = np.zeros(0)


@numba.njit(cache=True, nogil=True, inline="always")
def lever(values, i, neutral):
    """Consumer ``i``'s value of a per-consumer lever: ``values[i]``, or ``neutral`` when
    ``values`` is empty (no strategy made the lever: :meth:`sim.rules.levers.Levers.read`).
    The rules apply the neutral value as they would the array's, so both give the same
    results to the bit."""
    return values[i] if values.size != 0 else neutral


# ------------------------------------------------------------------------------ 1. brand

@_jit
def _brand_range(lo, hi, aware, attitude, aware_via, last_news, media, key, t, media_awareness,
                 extra_awareness, awareness_factor, media_tone, ads_tone, newly):
    n_media = n_ads = 0
    for i in range(np.uint64(lo), np.uint64(hi)):
        newly[i] = False
        if aware[i]:
            continue
        u = draw(media, key, t, i)
        if u < media_awareness:
            attitude[i] = media_tone
            aware_via[i] = VIA_MEDIA
            n_media += 1
        elif u < media_awareness + extra_awareness * lever(awareness_factor, i, 1.0):
            attitude[i] = ads_tone
            aware_via[i] = VIA_ADS
            n_ads += 1
        else:
            continue
        aware[i] = True
        last_news[i] = t
        newly[i] = True
    return n_media, n_ads


@_par
def _brand_chunks(bounds, *args):
    counts = np.zeros((bounds.size - 1, 2), dtype=np.int64)
    for c in numba.prange(bounds.size - 1):
        counts[c, 0], counts[c, 1] = _brand_range(bounds[c], bounds[c + 1], *args)
    return counts[:, 0].sum(), counts[:, 1].sum()


def brand(bounds, aware, attitude, aware_via, last_news, media, key, t, media_awareness,
          extra_awareness, awareness_factor, media_tone, ads_tone, newly):
    """Phase 1: unaware consumers become aware through media (``media < media_awareness``)
    or ads (below ``media_awareness + extra_awareness * awareness_factor``); fills ``newly``.
    Returns (aware from media, aware from ads)."""
    args = (aware, attitude, aware_via, last_news, media, key, t, media_awareness,
            extra_awareness, awareness_factor, media_tone, ads_tone, newly)
    if bounds.size == 2:
        return _brand_range(bounds[0], bounds[1], *args)
    return _brand_chunks(bounds, *args)


# ------------------------------------------------------------------------- 2. experience

@_jit
def _experience_range(lo, hi, customer, use, noise, complain, keys, expectation, attitude,
                      quality_shift, last_news, t, usage_rate, quality, quality_noise,
                      satisfaction_scale,
                      experience_weight, complaint_threshold, complaint_rate, used,
                      satisfaction, complained, complainers):
    # pass 1, branch-free: who uses the product today (the users' list goes to the front of
    # ``complainers``, which pass 2 overwrites from the front, never ahead of its reading)
    first, last = np.uint64(lo), np.uint64(hi)
    use_key = keys[0]
    for i in range(first, last):  # vectorised
        used[i] = customer[i] & (draw(use, use_key, t, i) < usage_rate)
        satisfaction[i] = 0.0
        complained[i] = False
    n_used = np.uint64(0)
    for i in range(first, last):
        complainers[first + n_used] = i
        n_used += np.uint64(used[i])
    # pass 2: the users only
    n_complaints = np.uint64(0)
    for k in range(first, first + n_used):
        i = np.uint64(complainers[k])
        z = draw_normal(noise, keys[1], t, i)
        felt = min(1.0, max(0.0, quality + quality_noise * z - lever(quality_shift, i, 0.0)))
        s = min(1.0, max(-1.0, (felt - expectation[i]) / satisfaction_scale))
        satisfaction[i] = s
        if s <= -complaint_threshold and draw(complain, keys[2], t, i) < complaint_rate:
            complained[i] = True
            complainers[first + n_complaints] = i
            n_complaints += np.uint64(1)
        attitude[i] += experience_weight * (s - attitude[i])
        last_news[i] = t
    return np.int64(n_used), np.int64(n_complaints)


@_par
def _experience_chunks(bounds, complainers, *args):
    counts = np.zeros((bounds.size - 1, 2), dtype=np.int64)
    for c in numba.prange(bounds.size - 1):
        counts[c, 0], counts[c, 1] = _experience_range(bounds[c], bounds[c + 1], *args,
                                                       complainers)
    return counts[:, 0].sum(), gather(complainers, bounds, counts[:, 1].copy())


def experience(bounds, customer, use, noise, complain, keys, expectation, attitude, quality_shift,
               last_news, t, usage_rate, quality, quality_noise, satisfaction_scale,
               experience_weight, complaint_threshold, complaint_rate, used, satisfaction,
               complained, complainers):
    """Phase 2 for every consumer; fills ``used``, ``satisfaction``, ``complained``, and the
    complainers' indices, increasing, at the front of ``complainers``. ``keys`` are the (use,
    noise, complain) stream keys. Returns (uses, complaints)."""
    args = (customer, use, noise, complain, keys, expectation, attitude, quality_shift, last_news,
            t, usage_rate, quality, quality_noise, satisfaction_scale, experience_weight,
            complaint_threshold, complaint_rate, used, satisfaction, complained)
    if bounds.size == 2:
        return _experience_range(bounds[0], bounds[1], *args, complainers)
    return _experience_chunks(bounds, complainers, *args)


@_par
def _brand_experience_chunks(bounds, complainers, brand_args, experience_args):
    counts = np.zeros((bounds.size - 1, 4), dtype=np.int64)
    for c in numba.prange(bounds.size - 1):
        lo, hi = bounds[c], bounds[c + 1]
        counts[c, 0], counts[c, 1] = _brand_range(lo, hi, *brand_args)
        counts[c, 2], counts[c, 3] = _experience_range(lo, hi, *experience_args, complainers)
    n_complaints = gather(complainers, bounds, counts[:, 3].copy())
    return counts[:, 0].sum(), counts[:, 1].sum(), counts[:, 2].sum(), n_complaints


def brand_experience(bounds, brand_args, experience_args, complainers):
    """:func:`brand` then :func:`experience` (their arguments but ``bounds`` and
    ``complainers`` as tuples) in one parallel region: each chunk does both phases for its
    consumers (no consumer's brand phase depends on another's experience). Returns (aware from
    media, aware from ads, uses, complaints)."""
    if bounds.size == 2:
        return (*_brand_range(bounds[0], bounds[1], *brand_args),
                *_experience_range(bounds[0], bounds[1], *experience_args, complainers))
    return _brand_experience_chunks(bounds, complainers, brand_args, experience_args)


# --------------------------------------------------------------------------- 4. adoption

@_jit
def _adoption_range(lo, hi, aware, customer, churned, attitude, purchase_multiplier, adopt, key,
                    t, max_purchase_rate, purchase_midpoint, purchase_slope, initial_loyalty,
                    persuader, persuader_source, aware_via, ever_customer, loyalty_, last_news,
                    source, converted_by, bought, buyers):
    # pass 1, branch-free: who may buy (listed at the front of ``buyers``, which pass 2
    # overwrites from the front, never ahead of its reading)
    first = np.uint64(lo)
    n_eligible = np.uint64(0)
    for i in range(first, np.uint64(hi)):
        bought[i] = False
        buyers[first + n_eligible] = i
        n_eligible += np.uint64(aware[i] & (not customer[i]) & (not churned[i]))
    # pass 2: those who may buy
    count = np.uint64(0)
    for k in range(first, first + n_eligible):
        i = np.uint64(buyers[k])
        prob = max_purchase_rate / (
            1.0 + math.exp(-purchase_slope * (attitude[i] - purchase_midpoint)))
        prob = min(1.0, prob * lever(purchase_multiplier, i, 1.0))
        if draw(adopt, key, t, i) < prob:
            bought[i] = True
            buyers[first + count] = i
            count += np.uint64(1)
            from_post = persuader_source[i]
            if from_post != 0:
                source[i] = from_post
            elif aware_via[i] == VIA_ADS:
                source[i] = FROM_ADS
            else:
                source[i] = FROM_MEDIA
            converted_by[i] = persuader[i]
            customer[i] = True
            ever_customer[i] = True
            loyalty_[i] = initial_loyalty
            last_news[i] = t
    return np.int64(count)


@_par
def _adoption_chunks(bounds, buyers, *args):
    counts = np.zeros(bounds.size - 1, dtype=np.int64)
    for c in numba.prange(bounds.size - 1):
        counts[c] = _adoption_range(bounds[c], bounds[c + 1], *args, buyers)
    return gather(buyers, bounds, counts)


def adoption(bounds, aware, customer, churned, attitude, purchase_multiplier, adopt, key, t,
             max_purchase_rate, purchase_midpoint, purchase_slope, initial_loyalty, persuader,
             persuader_source, aware_via, ever_customer, loyalty_, last_news, source,
             converted_by, bought, buyers):
    """Phase 4: an aware consumer who is neither a customer nor churned buys when
    ``adopt < min(1, purchase_multiplier * max_purchase_rate / (1 + exp(-slope (attitude -
    midpoint))))``. A buyer becomes a
    customer with ``initial_loyalty``; the purchase's source is the kind of the last persuasive
    post read, or, for those who never read one, how they became aware (media or ads); the
    converter is that post's sender. Fills ``bought`` and the buyers' indices, increasing, at
    the front of ``buyers``; returns the number of buyers."""
    args = (aware, customer, churned, attitude, purchase_multiplier, adopt, key, t,
            max_purchase_rate, purchase_midpoint, purchase_slope, initial_loyalty, persuader,
            persuader_source, aware_via, ever_customer, loyalty_, last_news, source, converted_by,
            bought)
    if bounds.size == 2:
        return _adoption_range(bounds[0], bounds[1], *args, buyers)
    return _adoption_chunks(bounds, buyers, *args)


# ---------------------------------------------------------------------------- 5. loyalty

@_jit
def _loyalty_range(lo, hi, customer, loyalty_, satisfaction, heard_signal, loyalty_bonus, churn,
                   key, t, satisfaction_loyalty, wom_loyalty, churn_threshold, churn_rate,
                   churned, left, keep_attitude, aware, attitude, ever_customer, threshold,
                   counts):
    n_left = 0
    for i in range(np.uint64(lo), np.uint64(hi)):
        # computed for everyone and kept for customers (a branch on ``customer`` would be
        # mispredicted while customers are neither few nor most)
        is_customer = customer[i]
        old = loyalty_[i]
        change = (satisfaction_loyalty * satisfaction[i] + wom_loyalty * heard_signal[i]
                  + lever(loyalty_bonus, i, 0.0))
        value = min(1.0, max(0.0, old + change))
        leave = False
        if is_customer & (value < churn_threshold):
            leave = draw(churn, key, t, i) < churn_rate
        left[i] = leave
        customer[i] = is_customer & (not leave)
        churned[i] = churned[i] | leave
        loyalty_[i] = 0.0 if leave else (value if is_customer else old)
        n_left += leave
        attitude[i] *= keep_attitude
    if counts.size:
        _count_range(lo, hi, aware, attitude, customer, ever_customer, churned, loyalty_,
                     threshold, counts)
    return n_left


@_par
def _loyalty_chunks(bounds, counts, *args):
    left = np.zeros(bounds.size - 1, dtype=np.int64)
    partial = np.zeros((bounds.size - 1, counts.size), dtype=np.int64)
    for c in numba.prange(bounds.size - 1):
        left[c] = _loyalty_range(bounds[c], bounds[c + 1], *args, partial[c])
    for c in range(bounds.size - 1):
        counts += partial[c]
    return left.sum()


def loyalty(bounds, customer, loyalty_, satisfaction, heard_signal, loyalty_bonus, churn, key, t,
            satisfaction_loyalty, wom_loyalty, churn_threshold, churn_rate, churned, left,
            keep_attitude, aware, attitude, ever_customer, threshold, counts):
    """Phase 5: move customers' loyalty, then churn the low ones; fills ``left``. Returns the
    number who left.

    In the same pass: phase 6 (``attitude *= keep_attitude``; 1.0 leaves attitudes as they are)
    and, unless ``counts`` is empty, the end-of-day :func:`state_counts` added into ``counts``
    (int64, shape (7,), loyalty in fixed point)."""
    args = (customer, loyalty_, satisfaction, heard_signal, loyalty_bonus, churn, key, t,
            satisfaction_loyalty, wom_loyalty, churn_threshold, churn_rate, churned, left,
            keep_attitude, aware, attitude, ever_customer, threshold)
    if bounds.size == 2:
        return _loyalty_range(bounds[0], bounds[1], *args, counts)
    return _loyalty_chunks(bounds, counts, *args)


# ---------------------------------------------------------------------------- 6. metrics

#: customers' loyalty is summed in fixed point, in units of 2**-32: exact integers, so the sum
#: is the same in any order (any number of threads, fused into a phase or not)
LOYALTY_UNIT = 2.0**32


@_jit
def _count_range(lo, hi, aware, attitude, customer, ever_customer, churned, loyalty_, threshold,
                 counts):
    """Add consumers ``lo <= i < hi`` to ``counts``: aware, ever customers, customers,
    promoters, detractors, churned, and customers' loyalty in units of 1 / LOYALTY_UNIT."""
    n_aware = n_ever = n_customers = n_promoters = n_detractors = n_churned = 0
    loyalty_sum = 0
    for i in range(np.uint64(lo), np.uint64(hi)):
        is_aware = np.int64(aware[i])
        n_aware += is_aware
        n_promoters += is_aware & np.int64(attitude[i] >= threshold)
        n_detractors += is_aware & np.int64(attitude[i] <= -threshold)
        n_ever += np.int64(ever_customer[i])
        is_customer = np.int64(customer[i])
        n_customers += is_customer
        loyalty_sum += is_customer * np.int64(loyalty_[i] * LOYALTY_UNIT + 0.5)
        n_churned += np.int64(churned[i])
    counts[0] += n_aware
    counts[1] += n_ever
    counts[2] += n_customers
    counts[3] += n_promoters
    counts[4] += n_detractors
    counts[5] += n_churned
    counts[6] += loyalty_sum


@_par
def _counts_chunks(bounds, aware, attitude, customer, ever_customer, churned, loyalty_,
                   threshold):
    partial = np.zeros((bounds.size - 1, 7), dtype=np.int64)
    for c in numba.prange(bounds.size - 1):
        _count_range(bounds[c], bounds[c + 1], aware, attitude, customer, ever_customer, churned,
                     loyalty_, threshold, partial[c])
    return partial.sum(axis=0)


def counts_tuple(counts) -> tuple:
    """:func:`state_counts`' tuple from the 7 integer counts (loyalty back to a float)."""
    return (*(int(x) for x in counts[:6]), int(counts[6]) / LOYALTY_UNIT)


def state_counts(aware, attitude, customer, ever_customer, churned, loyalty_, threshold,
                 bounds=None):
    """One pass over the state: (aware, ever customers, customers, promoters, detractors,
    churned, sum of customers' loyalty). Branch-free; the loyalty sum is exact in fixed point
    (:data:`LOYALTY_UNIT`), so it never depends on ``bounds`` (chunks run in parallel)."""
    if bounds is None or bounds.size == 2:
        counts = np.zeros(7, dtype=np.int64)
        _count_range(0, aware.size, aware, attitude, customer, ever_customer, churned, loyalty_,
                     threshold, counts)
    else:
        counts = _counts_chunks(bounds, aware, attitude, customer, ever_customer, churned,
                                loyalty_, threshold)
    return counts_tuple(counts)
