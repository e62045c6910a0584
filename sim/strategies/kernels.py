"""Compiled (numba) helpers for the strategies' daily work over all consumers.

Each is one pass with no data-dependent branches where it can be, and each equals the numpy
expression in its docstring (the strategies' tests run through them).
"""

from __future__ import annotations

import numba

from sim.population import POST_ORGANIC, POST_REFERRAL

_jit = numba.njit(cache=True, nogil=True)


@_jit
def enroll(customer, paid, cap, talk_multiplier, message_credibility, post_kind, talk_boost,
           credibility, members):
    """Enrol every customer paid less than ``cap``: ``talk_multiplier *= talk_boost``,
    ``message_credibility *= credibility`` and organic posts become referrals, i.e. with
    ``e = customer & (paid < cap)``: ``talk_multiplier[e] *= talk_boost`` (and so on). The
    enrolled consumers' indices go, increasing, to the front of ``members``; returns how many."""
    count = 0
    for i in range(customer.size):
        e = customer[i] and paid[i] < cap
        talk_multiplier[i] *= talk_boost if e else 1.0
        message_credibility[i] *= credibility if e else 1.0
        kind = post_kind[i]
        post_kind[i] = POST_REFERRAL if e and kind == POST_ORGANIC else kind
        members[count] = i
        count += e
    return count


@_jit
def scale_until(until, t, values, factor):
    """``values[until >= t] *= factor``."""
    for i in range(until.size):
        values[i] *= factor if until[i] >= t else 1.0
