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
  The second kind may be an edge written wrongly (``1 2 heavy``, ``"alice smith" bob``), so it is
  skipped with a warning (:func:`edgelist_warnings`).
* Node ids are any strings without separators. Nodes are numbered ``0 .. n-1`` in order of first
  appearance; the original ids are kept in ``Graph.labels`` (int64 if all ids are integers
  written canonically, strings otherwise).
* The weight column is optional, but if the first edge has one, every edge must. Weights must be
  finite numbers > 0; they are divided by the largest so they lie in (0, 1].
* Self-loops are dropped (their nodes are kept); repeated edges are merged, keeping the
  largest weight.

Problems raise :class:`~sim.errors.GraphFileError` with the message
``"<path> line <k>: <problem>"`` (an echoed line cut to about 80 characters).

Speed
-----
Files of :data:`FAST_MIN_BYTES` or more first go through a compiled parser
(:func:`sim.graphs.edgelist_parse.parse_edges`) that handles the common case, plain ASCII with
integer ids and decimal weights, in one pass over the bytes. Whenever a file is anything else
(string ids, odd whitespace or encodings, a malformed line...), it gives up and the line-by-line
parser below reads the file instead, so results and error messages are the same on both paths.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sim.config.checks import clip
from sim.errors import GraphFileError
from sim.graphs import edgelist_parse
from sim.graphs.base import Graph

_Fail = Callable[[int, str], GraphFileError]
"""Makes the error for a problem on the given edge row (index into the data rows)."""

FAST_MIN_BYTES = 1 << 20
"""Files at least this large (on disk) try the compiled parser first."""

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
    try:
        big = path.stat().st_size >= FAST_MIN_BYTES
    except OSError:
        big = False  # the line-by-line reader reports the problem
    graph = _load_fast(path) if big else None
    return graph if graph is not None else _load_slow(path)


def _load_fast(path: Path) -> Graph | None:
    """The graph read by the compiled parser, or None if the file needs the exact parser.

    Returns a graph identical to :func:`_load_slow`'s whenever it returns one: it accepts only
    plain ASCII (tab, ``\\n`` and ``\\r\\n`` the only control characters), canonically written
    integer ids and decimal weights that are finite and > 0; the header line is judged by the
    same code as the exact parser.
    """
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                raw = fh.read()
        else:
            raw = path.read_bytes()
    except (OSError, EOFError):
        return None
    buf = np.frombuffer(raw, dtype=np.uint8)
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    ok, first_start, first_end = edgelist_parse.scan_text(buf, bom)
    if not ok or first_start < 0:
        return None
    first = raw[first_start:first_end].decode("ascii").removesuffix("\r")
    comma = "," in first
    start = first_end + 1 if _is_header(_splitter(comma)(first)) else first_start
    ok, src, dst, weights, slow, slow_edge = edgelist_parse.parse_edges(buf, start, comma)
    if not ok:
        return None
    if weights.size:
        for (a, b), e in zip(slow.tolist(), slow_edge.tolist(), strict=True):
            weights[e] = float(raw[a:b].decode("ascii"))
        if not np.all(np.isfinite(weights) & (weights > 0)):
            return None
        weights = weights / weights.max()
    a, b, labels = edgelist_parse.number_by_first_appearance(src, dst)
    del src, dst
    weighted = weights.size > 0
    return Graph.from_edges(
        labels.size, a, b, weights if weighted else None,
        labels=labels, name=f"file({path.name})", weighted=weighted,
    )


def _load_slow(path: Path) -> Graph:
    """:func:`load_edgelist` by the exact, line-by-line parser."""
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
            raise fail(empty[0], f"empty node id: {clip(lines[numbers[empty[0]]].strip())!r}")

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


def _named_header(fields: list[str]) -> bool:
    """Whether a header line names its columns with a usual column name (a sure header)."""
    return any(field.lower() in HEADER_NAMES for field in fields)


def edgelist_warnings(path: str | os.PathLike[str]) -> list[str]:
    """What :func:`load_edgelist` accepts in the file but a person may not have meant, one
    line each: a first line skipped as a header although it names no usual column (three
    fields, the third not a number), which may be an edge written wrongly.

    Reads the file only up to its first non-comment line. Returns ``[]`` when there is nothing
    to say, or when the file cannot be read (:func:`load_edgelist` reports that).
    """
    path = Path(path)
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8-sig") as fh:
            for k, line in enumerate(fh):
                if line.lstrip()[:1] in ("", "#", "%"):
                    continue
                line = line.rstrip("\r\n")
                fields = _splitter("," in line)(line)
                if not _is_header(fields) or _named_header(fields):
                    return []
                return [f"{path} line {k + 1}: {clip(line.strip())!r} was skipped as a header "
                        f"(its third field {clip(fields[2], 30)!r} is not a weight); if it is "
                        f"an edge, write ids without spaces and a number as its weight"]
    except (OSError, EOFError, UnicodeDecodeError):
        return []
    return []


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
                      f"({'u v weight' if ncols == 3 else 'u v'}), got {got}: {clip(text)!r}")
    raise fail(r, f"expected 2 or 3 columns (u v [weight]), got {got}: {clip(text)!r}")


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
                raise fail(r, f"weight {clip(text)!r} is not a number") from None
    bad = np.flatnonzero(~(np.isfinite(weights) & (weights > 0)))
    if bad.size:
        r = int(bad[0])
        text = column[r]
        problem = "must be > 0" if np.isfinite(weights[r]) else "must be a finite number > 0"
        raise fail(r, f"weight {clip(text)} {problem}")
    return weights
