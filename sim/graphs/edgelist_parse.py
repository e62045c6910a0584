"""Compiled (numba) edge-list parsing: the fast path of :mod:`sim.graphs.edgelist`.

:func:`scan_text` checks that a file is plain ASCII and finds its first data line,
:func:`parse_edges` reads the edge lines in one pass over the bytes (canonical integer ids,
decimal weights, exactly rounded), and :func:`number_by_first_appearance` numbers the ids
``0 .. n-1`` as the line-by-line parser does. Whatever they do not handle, they report, and
:mod:`sim.graphs.edgelist` reads the file with its exact parser instead.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.graphs.int_hash import _slot


@njit(cache=True)
def _is_space(c):
    return c == 32 or c == 9 or c == 13


@njit(cache=True)
def scan_text(buf, start):
    """Check that ``buf[start:]`` is plain ASCII the fast parser understands, and find the first
    line that is not blank or a comment.

    Allowed bytes: printable ASCII, tab, ``\\n``, and ``\\r`` right before ``\\n``. Lines are
    split at ``\\n``; spaces, tabs and that ``\\r`` are whitespace.

    Returns
    -------
    ok : bool
    line_start, line_end : int64
        The first data line (without its line break); ``-1, -1`` if there is none.
    """
    size = buf.size
    for i in range(start, size):
        c = buf[i]
        if c >= 127 or (c < 32 and c != 9 and c != 10 and c != 13):
            return False, -1, -1
        if c == 13 and (i + 1 >= size or buf[i + 1] != 10):
            return False, -1, -1
    i = start
    while i < size:
        j = i
        while j < size and buf[j] != 10:
            j += 1
        q = i
        while q < j and _is_space(buf[q]):
            q += 1
        if q < j and buf[q] != 35 and buf[q] != 37:  # not '#' or '%'
            return True, i, j
        i = j + 1
    return True, -1, -1


@njit(cache=True)
def _node_token(buf, a, b):
    """A canonically written integer (``0``, ``-12``, no sign ``+``, no leading zeros, at
    most 18 digits): (True, value), else (False, 0)."""
    neg = buf[a] == 45
    if neg:
        a += 1
    nd = b - a
    if nd < 1 or nd > 18:
        return False, 0
    if buf[a] == 48 and (nd > 1 or neg):  # "0" only; no "-0" or "007"
        return False, 0
    v = np.int64(0)
    for i in range(a, b):
        d = buf[i] - 48
        if d < 0 or d > 9:
            return False, 0
        v = v * 10 + d
    return True, -v if neg else v


_POW10 = np.array([10.0 ** i for i in range(23)])


@njit(cache=True)
def _weight_token(buf, a, b):
    """Parse a decimal ``[+-]digits[.digits][(e|E)[+-]digits]`` (or ``.digits``).

    Returns (status, value): status 0 = not in this grammar (the caller falls back to the exact
    parser), 1 = parsed, exactly rounded (Clinger's fast path: mantissa < 2**53 and a power
    of ten <= 22), 2 = in the grammar but needs Python's ``float`` for exact rounding.
    """
    i = a
    neg = False
    if i < b and (buf[i] == 43 or buf[i] == 45):
        neg = buf[i] == 45
        i += 1
    mant = np.int64(0)
    digits = 0  # significant digits accumulated
    big = False
    scale = 0
    nint = 0
    while i < b and 48 <= buf[i] <= 57:
        if digits > 0 or buf[i] != 48:
            if digits < 18:
                mant = mant * 10 + (buf[i] - 48)
                digits += 1
            else:
                big = True
                scale += 1
        nint += 1
        i += 1
    nfrac = 0
    if i < b and buf[i] == 46:
        i += 1
        while i < b and 48 <= buf[i] <= 57:
            if digits > 0 or buf[i] != 48:
                if digits < 18:
                    mant = mant * 10 + (buf[i] - 48)
                    digits += 1
                    scale -= 1
                else:
                    big = True
            else:
                scale -= 1
            nfrac += 1
            i += 1
    if nint + nfrac == 0:
        return 0, 0.0
    if i < b and (buf[i] == 101 or buf[i] == 69):
        i += 1
        eneg = False
        if i < b and (buf[i] == 43 or buf[i] == 45):
            eneg = buf[i] == 45
            i += 1
        if i >= b:
            return 0, 0.0
        ex = 0
        while i < b and 48 <= buf[i] <= 57:
            if ex < 100000:
                ex = ex * 10 + (buf[i] - 48)
            i += 1
        scale += -ex if eneg else ex
    if i != b:
        return 0, 0.0
    if big or mant >= (np.int64(1) << 53) or scale > 22 or scale < -22:
        return 2, 0.0
    v = float(mant)
    if scale >= 0:
        v = v * _POW10[scale]
    else:
        v = v / _POW10[-scale]
    return 1, -v if neg else v


@njit(cache=True)
def parse_edges(buf, start, comma):
    """Parse the edge lines of ``buf[start:]`` (header already skipped) for the fast path.

    Every non-blank, non-comment line must have the same number of fields (2 or 3), node ids
    must be canonical integers and weights plain decimals; in comma mode a field may be
    wrapped in spaces and quote characters. Anything else makes ``ok`` False and the caller
    uses the exact line-by-line parser, which reports the problem.

    Returns
    -------
    ok : bool
    src, dst : int64 (edges,)
        The node ids as written.
    weights : float64 (edges,) or empty
        NaN where ``slow`` is set.
    slow : int64 (k, 2)
        Byte spans ``[a, b)`` of the weights that need Python's ``float`` for exact rounding.
    slow_edge : int64 (k,)
        The edge each of those weights belongs to.
    """
    size = buf.size
    lines = 1
    for i in range(start, size):
        if buf[i] == 10:
            lines += 1
    src = np.empty(lines, np.int64)
    dst = np.empty(lines, np.int64)
    wts = np.empty(lines, np.float64)
    slow = np.empty((0, 2), np.int64)
    slow_edge = np.empty(0, np.int64)
    slow_list = []
    fail = (False, src[:0], dst[:0], wts[:0], slow, slow_edge)
    ncols = 0
    e = 0
    starts = np.empty(3, np.int64)
    ends = np.empty(3, np.int64)
    i = start
    while i < size:
        j = i
        while j < size and buf[j] != 10:
            j += 1
        q = i
        while q < j and _is_space(buf[q]):
            q += 1
        if q == j or buf[q] == 35 or buf[q] == 37:
            i = j + 1
            continue
        nf = 0
        if comma:
            a = i
            while True:
                b = a
                while b < j and buf[b] != 44:
                    b += 1
                # field buf[a:b]: spaces, quotes, token, quotes, spaces
                x = a
                while x < b and _is_space(buf[x]):
                    x += 1
                while x < b and (buf[x] == 34 or buf[x] == 39):
                    x += 1
                y = x
                while y < b and not _is_space(buf[y]) and buf[y] != 34 and buf[y] != 39:
                    y += 1
                z = y
                while z < b and (buf[z] == 34 or buf[z] == 39):
                    z += 1
                while z < b and _is_space(buf[z]):
                    z += 1
                if z != b or y == x or nf >= 3:
                    return fail
                starts[nf] = x
                ends[nf] = y
                nf += 1
                if b >= j:
                    break
                a = b + 1
        else:
            x = q
            while x < j:
                y = x
                while y < j and not _is_space(buf[y]):
                    y += 1
                if nf >= 3:
                    return fail
                starts[nf] = x
                ends[nf] = y
                nf += 1
                x = y
                while x < j and _is_space(buf[x]):
                    x += 1
        if ncols == 0:
            if nf != 2 and nf != 3:
                return fail
            ncols = nf
        elif nf != ncols:
            return fail
        ok, u = _node_token(buf, starts[0], ends[0])
        if not ok:
            return fail
        ok, v = _node_token(buf, starts[1], ends[1])
        if not ok:
            return fail
        src[e] = u
        dst[e] = v
        if ncols == 3:
            status, w = _weight_token(buf, starts[2], ends[2])
            if status == 0:
                return fail
            if status == 2:
                slow_list.append((e, starts[2], ends[2]))
                w = np.nan
            wts[e] = w
        e += 1
        i = j + 1
    if e == 0:
        return fail
    k = len(slow_list)
    slow = np.empty((k, 2), np.int64)
    slow_edge = np.empty(k, np.int64)
    for r in range(k):
        slow_edge[r] = slow_list[r][0]
        slow[r, 0] = slow_list[r][1]
        slow[r, 1] = slow_list[r][2]
    w_out = wts[:e].copy() if ncols == 3 else wts[:0].copy()
    return True, src[:e].copy(), dst[:e].copy(), w_out, slow, slow_edge


@njit(cache=True)
def number_by_first_appearance(src, dst):
    """Number the ids ``0 .. n-1`` in order of first appearance in ``src[0], dst[0], src[1], ...``.

    Returns
    -------
    a, b : int32 (edges,)
        The node numbers of ``src`` and ``dst``.
    labels : int64 (n,)
        The id of each node number.
    """
    num = src.size
    bits = 12
    cap = 1 << bits
    keys = np.empty(cap, np.int64)
    vals = np.full(cap, -1, np.int32)
    labels = np.empty(1024, np.int64)
    count = 0
    a = np.empty(num, np.int32)
    b = np.empty(num, np.int32)
    for e in range(2 * num):
        key = src[e >> 1] if e & 1 == 0 else dst[e >> 1]
        mask = cap - 1
        i = _slot(key, 64 - bits)
        while vals[i] != -1 and keys[i] != key:
            i = (i + 1) & mask
        if vals[i] == -1:
            if count == labels.size:
                grown = np.empty(2 * labels.size, np.int64)
                grown[:count] = labels
                labels = grown
            labels[count] = key
            keys[i] = key
            vals[i] = count
            node = count
            count += 1
            if 2 * count > cap:  # keep the load below one half
                bits += 1
                cap = 1 << bits
                mask = cap - 1
                keys = np.empty(cap, np.int64)
                vals = np.full(cap, -1, np.int32)
                for r in range(count):
                    key2 = labels[r]
                    i2 = _slot(key2, 64 - bits)
                    while vals[i2] != -1:
                        i2 = (i2 + 1) & mask
                    keys[i2] = key2
                    vals[i2] = r
        else:
            node = vals[i]
        if e & 1 == 0:
            a[e >> 1] = node
        else:
            b[e >> 1] = node
    return a, b, labels[:count].copy()
