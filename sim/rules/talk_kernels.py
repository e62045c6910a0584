"""Compiled (numba) kernels of the talk phase: who posts, and how posts reach, are read by and
move each reader.

Written like the other phase kernels (:mod:`sim.rules.kernels`: ``bounds`` first, one
``_..._range`` loop per chunk, unsigned indices, branch-free decision passes), and tested
against the per-agent reference the same way.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from sim.graphs.csr_build import NO_LEVELS, tie_weight
from sim.population import NEVER, VIA_WOM
from sim.rules.draws import draw
from sim.rules.kernels import (
    _BLOCK,
    _FIVE,
    _FOUR,
    _ONE,
    _SIX,
    _THREE,
    _TWO,
    MAX_READ_PROB,
    gather,
    lever,
)

_jit = numba.njit(cache=True, nogil=True)
_par = numba.njit(cache=True, nogil=True, parallel=True)


@_jit
def _fresh_table(news_memory, most):
    """exp(-age / news_memory) at index ``age`` (the same values as computed singly) for ages
    0, 1, ... until the first at which it underflows to 0.0, which ends the table (every older
    age reads that last entry), or until ``most`` entries, whichever comes first."""
    size = 1
    while size < most and math.exp(-(size - 1) / news_memory) != 0.0:
        size += 1
    fresh = np.empty(size)
    for age in range(size):
        fresh[age] = math.exp(-age / news_memory)
    return fresh


_FRESH_TABLES: dict[float, np.ndarray] = {}


def fresh_table(news_memory: float, t: int) -> np.ndarray:
    """The freshness of news by age for day ``t``: every age 0..t, or up to the age at which it
    underflows to 0.0 (the last entry). Built once per ``news_memory`` and grown (doubling)
    only while a long-memory run outgrows it, so a day costs no table work: rebuilding a table
    of size t every day made long runs O(T^2) (2e5 days took 318 s)."""
    table = _FRESH_TABLES.get(news_memory)
    if table is None or (table.size <= t and table[-1] != 0.0):
        size = 1024 if table is None else 2 * table.size
        table = _fresh_table(float(news_memory), max(size, t + 1))
        table.flags.writeable = False
        if len(_FRESH_TABLES) > 16:
            _FRESH_TABLES.clear()
        _FRESH_TABLES[news_memory] = table
    return table


@_jit
def _posts_range(lo, hi, fresh_by_age, aware, attitude, ever_customer, last_news, talkativeness,
                 talk_multiplier, complained, talk, key, t, promoter_threshold, hearsay_talk,
                 detractor_talk, posted, senders):
    first, last = np.uint64(lo), np.uint64(hi)
    oldest = np.int64(fresh_by_age.size - 1)
    # decide every post, a block at a time: first look up the block's freshness, then decide
    # (a loop with no lookups, branches or lists, which the compiler vectorises)
    fresh = np.empty(_BLOCK)
    for start in range(first, last, _BLOCK):
        stop = min(start + _BLOCK, last)
        for i in range(start, stop):
            news = np.int64(last_news[i])
            age = np.uint64(min(t - news, oldest))  # ages past the table's end read 0.0
            fresh[i - start] = fresh_by_age[age] if news != NEVER else 0.0
        for i in range(start, stop):
            a = attitude[i]
            sign = np.int8(a >= promoter_threshold) - np.int8(a <= -promoter_threshold)
            prob = talkativeness[i] * fresh[i - start] * lever(talk_multiplier, i, 1.0)
            prob *= 1.0 if ever_customer[i] else hearsay_talk
            prob *= detractor_talk if sign < 0 else 1.0
            u = draw(talk, key, t, i)
            post = sign if aware[i] & (u < min(1.0, prob)) else np.int8(0)
            posted[i] = np.int8(-1) if complained[i] else post
    # then list the posters
    n_posts = n_neg = np.uint64(0)
    for i in range(first, last):
        post = posted[i]
        senders[first + n_posts] = i
        n_posts += np.uint64(post != 0)
        n_neg += np.uint64(post < 0)
    return np.int64(n_posts), np.int64(n_neg)


@_par
def _posts_chunks(bounds, senders, *args):
    counts = np.zeros((bounds.size - 1, 2), dtype=np.int64)
    for c in numba.prange(bounds.size - 1):
        counts[c, 0], counts[c, 1] = _posts_range(bounds[c], bounds[c + 1], *args, senders)
    return gather(senders, bounds, counts[:, 0].copy()), counts[:, 1].sum()


def posts(bounds, aware, attitude, ever_customer, last_news, talkativeness, talk_multiplier,
          complained, talk, key, t, promoter_threshold, news_memory, hearsay_talk,
          detractor_talk, posted, senders):
    """Who posts today: +1 promoter post, -1 detractor post or complaint, 0 none. The posters'
    indices go, increasing, to the front of ``senders``. Returns (positive, negative) posts.

    Detractors' chance is multiplied by ``detractor_talk`` (capped at 1).

    Written without data-dependent branches: every consumer's probability and draw are
    computed and the decision is a select (a mispredicted branch costs more than the draw)."""
    args = (fresh_table(news_memory, t), aware, attitude, ever_customer, last_news,
            talkativeness, talk_multiplier, complained, talk, key, t, promoter_threshold,
            hearsay_talk, detractor_talk, posted)
    if bounds.size == 2:
        total, negative = _posts_range(bounds[0], bounds[1], *args, senders)
    else:
        total, negative = _posts_chunks(bounds, senders, *args)
    return total - negative, negative


def poster_reach(senders, indptr, ties, levels, audience):
    """Each of today's posters' factor on the chance that a post is read over each social tie,
    ``r_i = min(1, audience / s_i)`` with ``s_i`` the sum of poster i's tie strengths (float64,
    one per entry of ``senders``; all 1 when ``audience`` is None): the factors of
    :func:`sim.rules.wom.reach_factors` (which calls this for every consumer) for today's
    posters only, worked out each day instead of stored for every consumer (8 bytes a
    consumer)."""
    if audience is None:
        return np.ones(senders.size)
    return _poster_reach(senders, indptr, ties, levels, float(audience))


@_jit
def _poster_reach(senders, indptr, ties, levels, audience):
    factors = np.empty(senders.size)
    for s in range(senders.size):
        i = senders[s]
        total = 0.0  # in row order
        for k in range(indptr[i], indptr[i + 1]):
            total += np.float64(tie_weight(ties, levels, k))
        factors[s] = audience / total if total > audience else 1.0
    return factors


#: readers decided at a time in the talk phase, so that each chunk's list of today's readers
#: (``readers``, ``reads``: 28 bytes a reader) needs this many entries, not one per consumer
#: (2.8 GB at 10**8 consumers), and stays in cache between the two passes
READ_BLOCK = 2048
_READ_BLOCK = np.uint64(READ_BLOCK)

#: an accumulator row with nothing delivered: W+, W-, C+, C-, P(miss), best score,
#: best sender + 1 (see :func:`listen_push`)
ACC_CLEAR = (0.0, 0.0, 0.0, 0.0, 1.0, -1.0, 0.0)
#: float64 fields in a reader's row of accumulators (:data:`ACC_CLEAR`)
ACC_WIDTH = len(ACC_CLEAR)
_WIDTH = np.uint64(ACC_WIDTH)


@numba.njit(cache=True, nogil=True, inline="always")
def _deliver(start, end, lo, last, indices, ties, levels, attention, sender, cred, quality,
             side, acc):
    """Deliver one post to the readers of one row ``[start, end)`` of a CSR matrix of ties
    (``indices``; strengths ``ties``, ``levels``: :func:`tie_weight`) that lie in the chunk
    ``[lo, last)``."""
    if lo != 0:
        start += np.uint64(np.searchsorted(indices[start:end], lo))
    for k in range(start, end):
        j = np.uint64(indices[k])
        if j >= last:
            break
        w = np.float64(tie_weight(ties, levels, k))
        r = _WIDTH * j
        weight = w * quality  # the post's weight in the reader's pull and signal
        score = weight * cred
        best = acc[r + _FIVE]
        better = score > best
        acc[r + _SIX] = sender if better else acc[r + _SIX]
        acc[r + _FIVE] = score if better else best
        acc[r + _FOUR] *= 1.0 - min(attention * w, MAX_READ_PROB)
        acc[r + side] += weight
        acc[r + _TWO + side] += score


@_jit
def _listen_range(lo, hi, indptr, indices, ties, levels, g_indptr, g_indices, g_weights,
                  g_attention, g_muted, posted, senders, credibility, message_credibility,
                  post_persuasion, post_source, susceptibility, hear, key, t, attention, reach,
                  negativity_bias, persuasion, aware, attitude, last_news, aware_via, persuader,
                  persuader_source, heard, heard_signal, newly, acc, readers, reads, region):
    last = np.uint64(hi)
    groups = g_indptr.size != 0
    for s in range(senders.size):
        i = np.uint64(senders[s])
        cred = credibility[i] * lever(message_credibility, i, 1.0)
        quality = lever(post_persuasion, i, 1.0)
        side = np.uint64(0 if posted[i] > 0 else 1)
        sender = i + 1.0
        _deliver(np.uint64(indptr[i]), np.uint64(indptr[i + _ONE]), lo, last, indices, ties,
                 levels, attention * reach[s], sender, cred, quality, side, acc)
        # the group channel: after the sender's social ties, as the reference reads them; a
        # negative post moderation removes today stays out of the group
        if groups and not (side == _ONE and g_muted[i]):
            _deliver(np.uint64(g_indptr[i]), np.uint64(g_indptr[i + _ONE]), lo, last, g_indices,
                     g_weights, NO_LEVELS, g_attention, sender, cred, quality, side, acc)
    # then, block by block of READ_BLOCK readers: pass 1 over every reader, without
    # data-dependent branches, decides who reads today; those readers and what pass 2 needs of
    # their rows go to this chunk's region of ``readers`` and ``reads`` (``region`` on), and
    # every row is cleared; pass 2 updates the readers who read. Each pass touches only its
    # own readers' entries, so blocks give the same results as one pass over the chunk.
    base = np.uint64(region)
    count = 0
    n_new = 0
    for block in range(np.uint64(lo), last, _READ_BLOCK):
        block_end = min(block + _READ_BLOCK, last)
        m = np.uint64(0)
        for j in range(block, block_end):
            r = _WIDTH * j
            total = acc[r] + negativity_bias * acc[r + _ONE]
            best = acc[r + _SIX]
            reached = best != 0.0  # the first delivery always names a sender
            read = reached & (total > 0) & (draw(hear, key, t, j) < 1.0 - acc[r + _FOUR])
            heard[j] = read
            heard_signal[j] = 0.0
            newly[j] = False
            q = _THREE * (base + m)
            readers[base + m] = j
            reads[q] = total
            reads[q + _ONE] = acc[r + _TWO] - negativity_bias * acc[r + _THREE]
            reads[q + _TWO] = best
            m += np.uint64(read)
            count += reached
            for f in range(ACC_WIDTH):
                acc[r + np.uint64(f)] = ACC_CLEAR[f]
        for k in range(base, base + m):
            j = np.uint64(readers[k])
            q = _THREE * k
            total = reads[q]
            signal = reads[q + _ONE] / total
            pull = susceptibility[j] * -math.expm1(-persuasion * total)
            best = np.uint64(reads[q + _TWO]) - _ONE
            heard_signal[j] = signal
            if not aware[j]:
                newly[j] = True
                aware_via[j] = VIA_WOM
                n_new += 1
            persuader[j] = best
            persuader_source[j] = post_source[best]
            aware[j] = True
            attitude[j] += pull * (signal - attitude[j])
            last_news[j] = t
    return count, n_new


@_par
def _listen_chunks(bounds, *args):
    counts = np.zeros((bounds.size - 1, 2), dtype=np.int64)
    for c in numba.prange(bounds.size - 1):
        counts[c, 0], counts[c, 1] = _listen_range(bounds[c], bounds[c + 1], *args,
                                                   c * READ_BLOCK)
    return counts[:, 0].sum(), counts[:, 1].sum()


def listen_push(bounds, indptr, indices, ties, levels, groups, posted, senders, credibility,
                message_credibility, post_persuasion, post_source, susceptibility, hear, key, t,
                attention, reach, negativity_bias, persuasion, aware, attitude, last_news,
                aware_via, persuader, persuader_source, heard, heard_signal, newly, acc, readers,
                reads):
    """Phase 3 from the posters' side (push): visit only the rows of today's posters (the graph
    is symmetric), so the cost is the number of deliveries, not of ties. The ties' strengths
    are ``ties`` and ``levels`` (:meth:`sim.graphs.Graph.tie_args`).

    ``senders`` must be increasing, so that each reader's sums accumulate in increasing sender
    order, exactly as the reference (:meth:`sim.agents.Consumer.decide_listen`) sums over its
    neighbours. A chunk of readers ``[lo, hi)`` takes from every poster's (sorted) row just the
    span of its readers. ``acc`` is a flat float64 scratch array of :data:`ACC_WIDTH` n
    entries, one row per reader (:data:`ACC_CLEAR` gives the fields); every row must come in as
    :data:`ACC_CLEAR`, and is left so. A reader was reached when its row names a sender (the
    first delivery always does: scores ``w * credibility`` are >= 0, the clear row's best is
    -1). The delivery loop has no data-dependent branches and no dependency from one delivery
    to the next (either would stall it on every random access); indices are unsigned, which
    spares numba's negative-index wraparound on every access. Then a pass over all readers
    decides, again without branches, who reads (``readers``, uint32 of :data:`READ_BLOCK` per
    chunk, and ``reads``, float64 of 3 times as many, are scratch for the list), and a last
    pass updates just those who read (both passes a block of :data:`READ_BLOCK` readers at a
    time): a reached
    reader reads with probability 1 - P(miss) (about two in five do, at n = 10,000), so a branch
    there would be mispredicted often. Fills ``heard``, ``heard_signal`` and ``newly`` (all
    entries). Returns (readers reached by a post, readers newly aware).

    ``reach`` (float64, one per poster in ``senders``: :func:`poster_reach`) scales each
    poster's ``attention`` over their social ties (a poster's limited audience).

    ``groups`` is the group channel, ``(indptr, indices, weights, attention, muted)``
    (:func:`sim.rules.groups.kernel_args`; empty arrays: none): a poster's post also goes over
    their group ties, read with the group's ``attention``, after their social ties (so each
    reader's sums run in sender order, social before group), unless it is negative and the
    poster is ``muted`` (moderated) today.
    """
    if readers.size < (bounds.size - 1) * READ_BLOCK or reads.size < 3 * readers.size:
        raise ValueError(f"readers must hold {READ_BLOCK} entries per chunk and reads 3 times "
                         f"as many ({bounds.size - 1} chunks)")
    args = (indptr, indices, ties, levels, *groups, posted, senders, credibility,
            message_credibility, post_persuasion, post_source, susceptibility, hear, key, t,
            attention, reach, negativity_bias, persuasion, aware, attitude, last_news, aware_via,
            persuader, persuader_source, heard, heard_signal, newly, acc, readers, reads)
    if bounds.size == 2:
        return _listen_range(bounds[0], bounds[1], *args, 0)
    return _listen_chunks(bounds, *args)
