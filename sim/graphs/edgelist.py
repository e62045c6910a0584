"""Reading a graph from an edge-list file (SNAP style, CSV or TSV).

Format
------
One undirected edge per line: ``u v`` or ``u v weight``.

* Fields are separated by commas if the first edge line contains a comma, otherwise by any run
  of spaces and tabs. Around commas, spaces and surrounding quotes are stripped.
* Blank lines and lines starting with ``#`` or ``%`` are comments.
* The first non-comment line is a header, and skipped, if one of its fields is a usual column
  name (``source``, ``target``, ``src``, ``dst``, ``from``, ``to``, ``u``, ``v``, ``node1``,
  ``node2``, ``weight``, ``w``; any case) or if it has three fields and the third is not a number.
* Node ids are any strings without separators. Nodes are numbered ``0 .. n-1`` in order of first
  appearance; the original ids are kept in ``Graph.labels`` (int64 if all ids are integers
  written canonically, strings otherwise).
* The weight column is optional, but if the first edge has one, every edge must. Weights must be
  finite numbers > 0; they are divided by the largest so they lie in (0, 1].
* Self-loops are dropped (their nodes are kept); repeated edges are merged, keeping the
  largest weight.

Problems raise :class:`~sim.errors.GraphFileError` with the message
``"<path> line <k>: <problem>"``.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sim.errors import GraphFileError
from sim.graphs.base import Graph

_Fail = Callable[[int, str], GraphFileError]
"""Makes the error for a problem on the given edge row (index into the data rows)."""

HEADER_NAMES = frozenset(
    {"source", "target", "src", "dst", "from", "to", "u", "v", "node1", "node2", "weight", "w"}
)


def load_edgelist(path: str | os.PathLike[str]) -> Graph:
    """Read an undirected graph from an edge-list file (see the module docstring for the format).

    Parameters
    ----------
    path : str or path-like
        The file; a name ending in ``.gz`` is decompressed.

    Returns
    -------
    Graph
        With ``labels`` holding the original node ids, ``name`` ``"file(<file name>)"``, and
        ``weighted`` True (weights from the file, scaled to (0, 1]) if the file has a weight
        column, else all weights 1.0 and ``weighted`` False.

    Raises
    ------
    GraphFileError
        If the file cannot be read or a line is malformed; the message names the line.
    """
    path = Path(path)
    lines = _read_lines(path)
    numbers = [k for k, line in enumerate(lines) if line.lstrip()[:1] not in ("", "#", "%")]
    if not numbers:
        raise GraphFileError(f"{path}: no edges found")

    comma = "," in lines[numbers[0]]
    split = _splitter(comma)
    if _is_header(split(lines[numbers[0]])):
        header, numbers = numbers[0], numbers[1:]
        if not numbers:
            raise GraphFileError(
                f"{path}: no edges found (line {header + 1} was taken as a header)"
            )
    rows = [split(lines[k]) for k in numbers]

    def fail(row: int, problem: str) -> GraphFileError:
        k = numbers[row]
        return GraphFileError(f"{path} line {k + 1}: {problem}")

    ncols = _check_columns(rows, numbers, lines, fail)
    for col in (0, 1) if comma else ():
        empty = [r for r, fields in enumerate(rows) if not fields[col]]
        if empty:
            raise fail(empty[0], f"empty node id: {lines[numbers[empty[0]]].strip()!r}")

    nodes, labels = _number_nodes(rows)
    weights = None
    if ncols == 3:
        weights = _parse_weights([fields[2] for fields in rows], fail)
        weights = weights / weights.max()
    return Graph.from_edges(
        labels.size, nodes[0::2], nodes[1::2], weights,
        labels=labels, name=f"file({path.name})", weighted=ncols == 3,
    )


def _read_lines(path: Path) -> list[str]:
    """All lines of the file (gzip-decompressed if the name ends in ``.gz``)."""
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8-sig") as fh:
                return fh.read().splitlines()
        return path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise GraphFileError(f"{path}: not a UTF-8 text file ({exc.reason})") from None
    except (OSError, EOFError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise GraphFileError(f"{path}: cannot read the file: {reason}") from None


def _splitter(comma: bool) -> Callable[[str], list[str]]:
    """The function splitting one line into fields."""
    if not comma:
        return str.split

    def split_commas(line: str) -> list[str]:
        return [field.strip().strip("\"'") for field in line.split(",")]

    return split_commas


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_header(fields: list[str]) -> bool:
    """Whether the first non-comment line is a header rather than an edge."""
    if any(field.lower() in HEADER_NAMES for field in fields):
        return True
    return len(fields) == 3 and not _is_number(fields[2])


def _check_columns(
    rows: list[list[str]], numbers: list[int], lines: list[str], fail: _Fail
) -> int:
    """The number of columns (2 or 3), the same on every line; raise on the first bad line."""
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    ncols = int(lengths[0])
    bad = np.flatnonzero(lengths != ncols) if ncols in (2, 3) else np.array([0])
    if bad.size == 0:
        return ncols
    r = int(bad[0])
    got = int(lengths[r])
    text = lines[numbers[r]].strip()
    if got in (2, 3):
        first = numbers[0] + 1
        raise fail(r, f"expected {ncols} columns like line {first} "
                      f"({'u v weight' if ncols == 3 else 'u v'}), got {got}: {text!r}")
    raise fail(r, f"expected 2 or 3 columns (u v [weight]), got {got}: {text!r}")


def _number_nodes(rows: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Node numbers of the interleaved end points, and the original ids.

    Returns
    -------
    nodes : np.ndarray of int64, shape (2 * m,)
        ``nodes[0::2]`` are the sources, ``nodes[1::2]`` the targets.
    labels : np.ndarray, shape (n,)
        Original ids in order of first appearance (int64 or str).
    """
    ids = np.array([field for fields in rows for field in fields[:2]])
    as_int = _as_int_ids(ids)
    keys = ids if as_int is None else as_int
    uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return rank[inverse.ravel()], uniq[order]


def _as_int_ids(ids: np.ndarray) -> np.ndarray | None:
    """The ids as int64 if every one is an integer written canonically (``7``, not ``007``)."""
    try:
        ints = ids.astype(np.int64)
    except (ValueError, OverflowError):
        return None
    if not np.array_equal(ints.astype(ids.dtype), ids):
        return None
    return ints


def _parse_weights(column: list[str], fail: _Fail) -> np.ndarray:
    """The weight column as float64, each a finite number > 0."""
    try:
        weights = np.array(column, dtype=np.float64)
    except ValueError:
        weights = np.empty(len(column), dtype=np.float64)
        for r, text in enumerate(column):
            try:
                weights[r] = float(text)
            except ValueError:
                raise fail(r, f"weight {text!r} is not a number") from None
    bad = np.flatnonzero(~(np.isfinite(weights) & (weights > 0)))
    if bad.size:
        r = int(bad[0])
        text = column[r]
        problem = "must be > 0" if np.isfinite(weights[r]) else "must be a finite number > 0"
        raise fail(r, f"weight {text} {problem}")
    return weights
