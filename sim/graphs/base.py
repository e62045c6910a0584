"""The social network: an undirected, weighted graph stored as a symmetric CSR matrix.

Consumers are the nodes ``0 .. n-1``. Row ``i`` of the CSR arrays lists the neighbours of ``i``
(sorted) and the strength of each tie. Every undirected edge ``{u, v}`` is stored twice, as
``(u, v)`` and ``(v, u)``, with the same weight, so a node's row is all it needs to talk to its
neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import chain
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from sim.graphs import csr_build


def _readonly(a: Any, dtype: Any = None) -> np.ndarray:
    """A read-only view of ``a`` (as a C-contiguous array of ``dtype``); ``a`` stays writable."""
    view = np.ascontiguousarray(a, dtype=dtype).view()
    view.setflags(write=False)
    return view


@dataclass(frozen=True, eq=False, repr=False)
class Graph:
    """An undirected graph with tie strengths, as symmetric CSR arrays.

    Parameters
    ----------
    indptr : np.ndarray of int64, shape (n + 1,)
        Row pointers: the neighbours of node ``i`` are ``indices[indptr[i]:indptr[i + 1]]``.
    indices : np.ndarray of int32, shape (nnz,)
        Neighbour ids, sorted ascending within each row; no self-loops, no duplicates.
    ties : np.ndarray of shape (nnz,)
        The tie strength of each stored entry: float32 strengths in (0, 1] (other float dtypes
        are converted), or, with ``levels``, uint8 codes into ``levels``;
        ``weight(u, v) == weight(v, u)``. :attr:`weights` gives the strengths either way.
    labels : np.ndarray of shape (n,) or None
        Original node ids of a loaded graph (``labels[i]`` is the id of node ``i``): int64 when
        all ids were integers, strings otherwise. ``None`` for generated graphs.
    name : str
        Human-readable description, e.g. ``"ba(n=2000, m=3)"``.
    weighted : bool
        True when the weights come from the data (an edge list's weight column); tie-strength
        assignment then keeps them instead of drawing strong and weak ties.
    levels : np.ndarray of float32, optional
        The strengths that ``ties`` codes stand for (at most 256). Drawn strong and weak ties
        are stored so: a byte a tie instead of four (a BA graph of 10**8 consumers with m = 3
        holds 1.8 GB less). None: ``ties`` holds the strengths.

    Notes
    -----
    The arrays are made read-only. The constructor checks shapes and dtypes only; use
    :meth:`check` to verify the full invariants (symmetry, sorted rows, weight range).
    """

    indptr: np.ndarray
    indices: np.ndarray
    ties: np.ndarray
    labels: np.ndarray | None = None
    name: str = ""
    weighted: bool = False
    levels: np.ndarray | None = None
    _degree: np.ndarray | None = field(init=False, repr=False, compare=False, default=None)
    _adjacency: sp.csr_array | None = field(init=False, repr=False, compare=False,
                                            default=None)

    def __post_init__(self) -> None:
        indptr = _readonly(self.indptr, np.int64)
        indices = _readonly(self.indices, np.int32)
        levels = self.levels
        if levels is None:
            ties = _readonly(self.ties, np.float32)
        else:
            levels = _readonly(levels, np.float32)
            ties = _readonly(self.ties, np.uint8)
            if levels.ndim != 1 or not 1 <= levels.size <= 256:
                raise ValueError(f"levels must be a 1-d array of 1 to 256 strengths, "
                                 f"got shape {levels.shape}")
        if indptr.ndim != 1 or indptr.size < 1 or indptr[0] != 0:
            raise ValueError("indptr must be a 1-d array of length n + 1 starting at 0")
        nnz = int(indptr[-1])
        if indices.shape != (nnz,) or ties.shape != (nnz,):
            raise ValueError(
                f"indices and ties must have shape ({nnz},) = (indptr[-1],), "
                f"got {indices.shape} and {ties.shape}"
            )
        n = indptr.size - 1
        if n and not csr_build.non_decreasing(indptr):
            raise ValueError("indptr must be non-decreasing")
        labels = self.labels
        if labels is not None:
            labels = _readonly(labels)
            if labels.shape != (n,):
                raise ValueError(f"labels must have shape ({n},), got {labels.shape}")
        object.__setattr__(self, "indptr", indptr)
        object.__setattr__(self, "indices", indices)
        object.__setattr__(self, "ties", ties)
        object.__setattr__(self, "levels", levels)
        object.__setattr__(self, "labels", labels)

    # ------------------------------------------------------------------------------------
    # sizes

    @property
    def n(self) -> int:
        """Number of nodes."""
        return self.indptr.size - 1

    @property
    def nnz(self) -> int:
        """Number of stored entries (each undirected edge counts twice)."""
        return int(self.indptr[-1])

    @property
    def num_edges(self) -> int:
        """Number of undirected edges, ``nnz // 2``."""
        return self.nnz // 2

    @property
    def degree(self) -> np.ndarray:
        """Degree of every node: np.ndarray of int64, shape (n,) (read-only), worked out on
        first use (a run that never asks holds no array of it)."""
        if self._degree is None:
            object.__setattr__(self, "_degree", _readonly(np.diff(self.indptr)))
        return self._degree

    def __repr__(self) -> str:
        return f"Graph(name={self.name!r}, n={self.n}, edges={self.num_edges})"

    # ------------------------------------------------------------------------------------
    # access

    def adjacency(self) -> sp.csr_array:
        """The unweighted adjacency matrix (float64 ones at the stored entries), built on first
        use and kept: every model on this graph shares one copy (on a complete graph of 5,000
        nodes it holds 400 MB)."""
        if self._adjacency is None:
            data = np.ones(self.nnz)
            object.__setattr__(self, "_adjacency", sp.csr_array(
                (data, self.indices, self.indptr), shape=(self.n, self.n)))
        return self._adjacency

    def neighbors(self, i: int) -> np.ndarray:
        """Neighbours of node ``i``: a read-only int32 view, shape (degree[i],), sorted."""
        return self.indices[self.indptr[i]:self.indptr[i + 1]]

    @property
    def weights(self) -> np.ndarray:
        """The tie strength of every stored entry: float32, shape (nnz,), read-only. A graph
        that stores codes (``levels``) makes the array on each call: loops should ask
        :meth:`tie_strength` for the entries they need."""
        if self.levels is None:
            return self.ties
        return _readonly(self.levels[self.ties])

    def tie_strength(self, entries: Any) -> np.ndarray:
        """The strengths (float32) of the stored entries ``entries`` (indices or a slice)."""
        ties = self.ties[entries]
        return ties if self.levels is None else self.levels[ties]

    def tie_args(self) -> tuple[np.ndarray, np.ndarray]:
        """``(ties, levels)`` for the compiled kernels (:func:`tie_weight`): levels empty when
        ``ties`` holds the strengths."""
        return self.ties, self.levels if self.levels is not None else csr_build.NO_LEVELS

    def tie_weights(self, i: int) -> np.ndarray:
        """Tie strengths of node ``i``'s ties, aligned with :meth:`neighbors` (float32)."""
        return self.tie_strength(slice(self.indptr[i], self.indptr[i + 1]))

    def rows(self) -> np.ndarray:
        """Row (source node) of every stored entry: np.ndarray of int32, shape (nnz,)."""
        return np.repeat(np.arange(self.n, dtype=np.int32), self.degree)

    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each undirected edge once, as ``u < v``, in CSR (row-major, sorted) order.

        Returns
        -------
        u, v : np.ndarray of int32, shape (num_edges,)
        weight : np.ndarray of float32, shape (num_edges,)
        """
        rows = self.rows()
        upper = self.indices > rows
        return rows[upper], self.indices[upper], self.tie_strength(upper)

    def with_edge_weights(self, edge_weights: np.ndarray, *, weighted: bool = False) -> Graph:
        """A copy of the graph whose weights are ``edge_weights``, given per undirected edge.

        Parameters
        ----------
        edge_weights : array_like of float, shape (num_edges,)
            One weight per edge, in the order of :meth:`edges`. Both stored directions get it.
        weighted : bool
            Value of the new graph's ``weighted`` flag.
        """
        edge_weights = np.ascontiguousarray(edge_weights, dtype=np.float32)
        if edge_weights.shape != (self.num_edges,):
            raise ValueError(
                f"edge_weights must have shape ({self.num_edges},), got {edge_weights.shape}"
            )
        weights = csr_build.symmetric_weights(self.indptr, self.indices, edge_weights)
        return replace(self, ties=weights, levels=None, weighted=weighted)

    # ------------------------------------------------------------------------------------
    # conversions

    def to_scipy(self) -> sp.csr_array:
        """The weighted adjacency matrix as a ``scipy.sparse.csr_array`` (float64, n x n)."""
        return sp.csr_array(
            (self.weights.astype(np.float64), self.indices.copy(), self.indptr.copy()),
            shape=(self.n, self.n),
        )

    def to_networkx(self) -> nx.Graph:
        """A ``networkx.Graph`` on nodes ``0 .. n-1`` with a ``weight`` edge attribute.

        Original ids, when the graph has labels, are in the node attribute ``label``.
        """
        g = nx.Graph(name=self.name)
        if self.labels is None:
            g.add_nodes_from(range(self.n))
        else:
            g.add_nodes_from((i, {"label": lab}) for i, lab in enumerate(self.labels.tolist()))
        u, v, w = self.edges()
        g.add_weighted_edges_from(zip(u.tolist(), v.tolist(), w.tolist(), strict=True))
        return g

    # ------------------------------------------------------------------------------------
    # constructors

    @classmethod
    def from_edges(
        cls,
        n: int,
        src: Any,
        dst: Any,
        weights: Any = None,
        *,
        labels: np.ndarray | None = None,
        name: str = "",
        weighted: bool = False,
    ) -> Graph:
        """Build a graph from an edge list (compiled; fine for tens of millions of edges).

        Edges are undirected: ``(u, v)`` and ``(v, u)`` are the same edge. Self-loops are
        dropped; duplicate edges are merged, keeping the largest weight. Runs in linear time
        plus a sort of each row; int32 or int64 end points are used without a copy.

        Parameters
        ----------
        n : int
            Number of nodes; ids must lie in ``0 .. n-1``.
        src, dst : array_like of int, shape (m,)
            End points of the edges.
        weights : array_like of float, shape (m,), optional
            Tie strength of each edge, in (0, 1] (stored as float32). Default 1.0 for every
            edge.
        labels : np.ndarray of shape (n,), optional
            Original node ids (see :class:`Graph`).
        name : str
            Description of the graph.
        weighted : bool
            Whether the weights come from data (see :class:`Graph`).

        Returns
        -------
        Graph
        """
        n = int(n)
        src, dst = _index_array(src), _index_array(dst)
        if src.shape != dst.shape:
            raise ValueError(f"src and dst differ in length: {src.size} != {dst.size}")
        if src.dtype != dst.dtype:
            src, dst = src.astype(np.int64), dst.astype(np.int64)
        w = None
        if weights is not None:
            w = np.ascontiguousarray(np.asarray(weights).ravel(), dtype=np.float32)
            if w.shape != src.shape:
                raise ValueError(f"weights has length {w.size}, expected {src.size}")
        if n < 0 or n >= 2**31:
            raise ValueError(f"n must be in [0, 2**31), got {n}")
        if w is None:
            indptr, indices, ok = csr_build.csr_unweighted(n, src, dst)
            w = np.ones(indices.size, dtype=np.float32)
        else:
            indptr, indices, wbits, ok = csr_build.csr_weighted(n, src, dst, w.view(np.uint32))
            w = wbits.view(np.float32)
        if not ok:
            raise ValueError(f"edge end points must lie in 0 .. {n - 1}")
        return cls(indptr=indptr, indices=indices, ties=w, labels=labels, name=name,
                   weighted=weighted)

    @classmethod
    def from_networkx(cls, G: nx.Graph, *, name: str = "", weight: str | None = None) -> Graph:
        """Build a graph from a networkx graph (directions, if any, are ignored).

        Parameters
        ----------
        G : networkx.Graph
            Nodes are renumbered ``0 .. n-1`` in ``G``'s node order.
        name : str
            Description of the graph.
        weight : str, optional
            Edge attribute holding tie strengths in (0, 1] (missing values count as 1.0).
            Default: all ties 1.0.

        Returns
        -------
        Graph
            With ``labels`` holding the original nodes unless they are exactly ``range(n)``.
        """
        nodes = list(G.nodes)
        n = len(nodes)
        m = G.number_of_edges()
        plain = nodes == list(range(n))
        if plain:
            ends = chain.from_iterable(G.edges())
        else:
            index = {node: i for i, node in enumerate(nodes)}
            ends = (index[x] for x in chain.from_iterable(G.edges()))
        flat = np.fromiter(ends, dtype=np.int64, count=2 * m)
        src, dst = flat[0::2], flat[1::2]
        w = None
        if weight is not None:
            w = np.fromiter((d for _, _, d in G.edges(data=weight, default=1.0)),
                            dtype=np.float64, count=m)
        labels = None if plain else _labels_array(nodes)
        return cls.from_edges(n, src, dst, w, labels=labels, name=name,
                              weighted=weight is not None)

    # ------------------------------------------------------------------------------------
    # checks

    def check(self) -> None:
        """Verify every invariant; raise ValueError naming the first one broken.

        Checks: sorted rows without duplicates or self-loops, ids in range, weights in (0, 1],
        and symmetry of structure and weights. Costs a few passes over the arrays.
        """
        n = self.n
        rows = self.rows()
        if self.nnz and (self.indices.min() < 0 or self.indices.max() >= n):
            raise ValueError("neighbour ids out of range")
        if np.any(self.indices == rows):
            raise ValueError("self-loop present")
        keys = rows.astype(np.int64) * n + self.indices
        if np.any(np.diff(keys) <= 0):
            raise ValueError("rows not strictly sorted (unsorted or duplicate neighbours)")
        if self.levels is not None and self.nnz and int(self.ties.max()) >= self.levels.size:
            raise ValueError(f"tie codes outside 0 .. {self.levels.size - 1}")
        strengths = self.ties if self.levels is None else self.levels
        if not np.all((strengths > 0) & (strengths <= 1)):
            raise ValueError("weights outside (0, 1]")
        del rows, keys
        status = csr_build.check_symmetric(self.indptr, self.indices, self.ties)
        if status == 1:
            raise ValueError("structure not symmetric")
        if status == 2:
            raise ValueError("weights not symmetric")


def _labels_array(ids: list[Any]) -> np.ndarray:
    """Node ids as an array: int64 if all are integers, str if all are strings, else object."""
    if all(isinstance(x, (int, np.integer)) and not isinstance(x, bool) for x in ids):
        return np.array(ids, dtype=np.int64)
    if all(isinstance(x, str) for x in ids):
        return np.array(ids, dtype=str)
    out = np.empty(len(ids), dtype=object)
    for i, x in enumerate(ids):
        out[i] = x
    return out


def _index_array(a: Any) -> np.ndarray:
    """``a`` as a flat, contiguous int32 or int64 array (other dtypes become int64)."""
    a = np.asarray(a)
    if a.dtype != np.int32 and a.dtype != np.int64:
        a = a.astype(np.int64)
    return np.ascontiguousarray(a.ravel())
