"""Group ties: extra ties among the members of a brand community (group chats), a second channel
of the talk phase (docs/model.md, phase 3, *Group channel*).

Members are cut, in the order they joined, into groups of ``size``; every two members of a group
are tied with strength ``weight`` and read each other's posts with ``attention`` (the model's
``attention`` is for the social graph). A member's post goes to their social neighbours and to
their group; a negative post by a member the moderators remove today (``muted``) goes to their
neighbours only. The ties are kept as a CSR matrix (rows sorted), like the graph's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class GroupTies:
    """The group channel of ``n`` consumers.

    Attributes
    ----------
    indptr : int64 array, shape (n + 1,)
    indices : int32 array, shape (nnz,)
        Row ``i`` (``indices[indptr[i]:indptr[i + 1]]``, increasing): the other members of
        ``i``'s group; empty for non-members.
    weights : float32 array, shape (nnz,)
        Each group tie's strength.
    attention : float
        The chance of reading one post over a group tie of strength 1.
    muted : bool array, shape (n,)
        Members whose negative posts moderation removes from the group today.
    """

    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    attention: float
    muted: np.ndarray

    @classmethod
    def of(cls, n: int, members: np.ndarray, size: int, weight: float,
           attention: float) -> GroupTies:
        """Groups of ``size`` of ``members`` (int array, in the order they joined), each a
        clique of ties of strength ``weight``."""
        members = np.asarray(members, dtype=np.int64)
        src, dst = [], []
        for first in range(0, members.size, size):
            group = members[first:first + size]
            if group.size < 2:
                continue
            a, b = np.meshgrid(group, group, indexing="ij")
            other = a != b
            src.append(a[other])
            dst.append(b[other])
        src = np.concatenate(src) if src else np.zeros(0, dtype=np.int64)
        dst = np.concatenate(dst) if dst else np.zeros(0, dtype=np.int64)
        order = np.lexsort((dst, src))
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
        return cls(indptr=indptr, indices=dst[order].astype(np.int32),
                   weights=np.full(src.size, weight, dtype=np.float32),
                   attention=float(attention), muted=np.zeros(n, dtype=bool))

    def neighbors(self, i: int) -> np.ndarray:
        """The other members of ``i``'s group (empty for non-members)."""
        return self.indices[self.indptr[i]:self.indptr[i + 1]]

    def tie_weights(self, i: int) -> np.ndarray:
        """The strengths of ``i``'s group ties, in the order of :meth:`neighbors`."""
        return self.weights[self.indptr[i]:self.indptr[i + 1]]


#: the channel's arguments to the talk kernel when there is no community
NO_GROUPS = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32),
             np.zeros(0, dtype=np.float32), 0.0, np.zeros(0, dtype=np.bool_))


def kernel_args(groups: GroupTies | None) -> tuple:
    """``(indptr, indices, weights, attention, muted)`` of ``groups`` for the talk kernel
    (:data:`NO_GROUPS` when None)."""
    if groups is None:
        return NO_GROUPS
    return groups.indptr, groups.indices, groups.weights, groups.attention, groups.muted
