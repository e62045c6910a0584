"""An observed series: the CSV a brand brings, read with one-line errors naming the line, and
the same figures taken from a womsim run for comparison.

The CSV has a header and one row per day, week or period (``day``, ``week`` or ``period`` as
the first column), then one or more of the columns of :data:`SERIES`. ``#`` lines are comments;
an empty cell, ``NA`` or ``nan`` is a missing value, and days may be left out::

    # new customers and mentions a day since launch
    day,new_customers,positive_mentions,negative_mentions
    1,3,10,2
    2,5,,1
    4,9,21,3

A day ``d`` is the model's day ``d`` (day 0 is before the first day). Week ``w`` is days
``7(w-1)+1 ... 7w``; period ``p`` is days ``k(p-1)+1 ... kp`` for the ``steps_per_period`` k of
the calibration (a year of yearly sales, say). Counts in the file are of the real market;
:func:`model_series` scales the model's consumers up to it (``market_size``).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import UserError


@dataclass(frozen=True)
class SeriesKind:
    """One kind of observed figure and how a run gives it.

    Attributes
    ----------
    name : str
        The CSV column.
    column : str
        The column of the run's timeseries it comes from.
    how : {"sum", "last", "mean"}
        Over the days of a week or period: the sum (a day's counts), the value on the last day
        (a state), or the mean.
    scaled : bool
        Whether it is a count of people or posts (scaled by market size / consumers) or a ratio.
    """

    name: str
    column: str
    how: str
    scaled: bool
    label: str


SERIES: dict[str, SeriesKind] = {k.name: k for k in (
    SeriesKind("new_customers", "purchases", "sum", True, "new customers"),
    SeriesKind("cumulative_adopters", "adoption", "last", True, "cumulative adopters"),
    SeriesKind("positive_mentions", "positive_messages", "sum", True, "positive mentions"),
    SeriesKind("negative_mentions", "negative_messages", "sum", True, "negative mentions"),
    SeriesKind("net_sentiment", "net_sentiment", "mean", False, "net sentiment"),
)}
#: the time columns and the model days one row covers (``period``: set by the calibration)
UNITS = {"day": 1, "week": 7, "period": None}
MISSING = {"", "na", "nan", "n/a", "null"}


class DataError(UserError):
    """The observed CSV cannot be used; the message is one line naming the file and line."""


@dataclass(frozen=True)
class Observed:
    """An observed series.

    Attributes
    ----------
    path : str
        Where it was read from.
    unit : {"day", "week", "period"}
        What one row covers.
    index : ndarray of int, shape (rows,)
        The day, week or period of each row, increasing.
    values : dict of str to ndarray of float, shape (rows,)
        Each observed column (:data:`SERIES`), NaN where missing.
    """

    path: str
    unit: str
    index: np.ndarray
    values: dict[str, np.ndarray]

    @property
    def columns(self) -> list[str]:
        """The observed columns, in the file's order."""
        return list(self.values)

    def frame(self) -> pd.DataFrame:
        """The series as a table: the time column, then the observed columns."""
        return pd.DataFrame({self.unit: self.index, **self.values})

    def days(self, steps_per_period: int | None = None) -> int:
        """The days a run needs to cover every row."""
        return int(self.index.max()) * steps_per(self.unit, steps_per_period)


def steps_per(unit: str, steps_per_period: int | None) -> int:
    """Model days per row of ``unit``."""
    k = UNITS[unit] or steps_per_period
    if not k:
        raise DataError("a series by period needs steps_per_period (model days per period)")
    return int(k)


def _number(text: str, where: str, column: str) -> float:
    if text.strip().lower() in MISSING:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise DataError(f"{where}: {text.strip()!r} in column {column} is not a number") from None
    if not math.isfinite(value):
        raise DataError(f"{where}: {text.strip()!r} in column {column} is not a finite number")
    return value


def read_observed(path: str | Path) -> Observed:
    """Read an observed series (module docstring); any problem is a :class:`DataError` naming
    the file and the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise DataError(f"{path}: cannot read: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not a UTF-8 text file") from None
    header: list[str] | None = None
    index: list[int] = []
    rows: list[list[float]] = []
    for number, fields in enumerate(csv.reader(text.splitlines()), start=1):
        where = f"{path} line {number}"
        if not fields or not "".join(fields).strip() or fields[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [f.strip() for f in fields]
            _check_header(header, where)
            continue
        if len(fields) != len(header):
            raise DataError(f"{where}: {len(fields)} fields, the header has {len(header)}")
        time = fields[0].strip()
        if not time.lstrip("-").isdigit():
            raise DataError(f"{where}: {header[0]} {time!r} is not a whole number")
        t = int(time)
        low = 0 if header[0] == "day" else 1
        if t < low:
            raise DataError(f"{where}: {header[0]} {t} is before the first ({low})")
        if index and t <= index[-1]:
            raise DataError(f"{where}: {header[0]} {t} does not come after {header[0]} "
                            f"{index[-1]} (rows must go forward in time, each once)")
        values = [_number(f, where, c) for f, c in zip(fields[1:], header[1:], strict=True)]
        for value, column in zip(values, header[1:], strict=True):
            if SERIES[column].scaled and value < 0:
                raise DataError(f"{where}: {value:g} in column {column} is negative")
            if column == "net_sentiment" and not -1 <= value <= 1 and not math.isnan(value):
                raise DataError(f"{where}: {value:g} in column net_sentiment is outside "
                                "[-1, 1]")
        index.append(t)
        rows.append(values)
    if header is None:
        raise DataError(f"{path}: no header line (e.g. day,new_customers)")
    if not rows:
        raise DataError(f"{path}: no data rows after the header")
    table = np.array(rows, dtype=float).reshape(len(rows), len(header) - 1)
    values = {c: table[:, j] for j, c in enumerate(header[1:])}
    for column, column_values in values.items():
        if np.isnan(column_values).all():
            raise DataError(f"{path}: column {column} has no value")
    return Observed(str(path), header[0], np.array(index, dtype=np.int64), values)


def _check_header(header: list[str], where: str) -> None:
    if header[0] not in UNITS:
        raise DataError(f"{where}: the first column is {header[0]!r}; it must be the time: "
                        "day, week or period")
    if len(header) < 2:
        raise DataError(f"{where}: no observed column after {header[0]} (known: "
                        f"{', '.join(SERIES)})")
    for column in header[1:]:
        if column not in SERIES:
            raise DataError(f"{where}: unknown column {column!r} (known: {', '.join(SERIES)})")
    if len(set(header)) != len(header):
        raise DataError(f"{where}: a column appears twice in the header")


def model_series(timeseries: pd.DataFrame, observed: Observed, *, n: int, market_size: float,
                 steps_per_period: int | None = None) -> dict[str, np.ndarray]:
    """The observed columns as a run gives them, row for row: a day's counts summed over the
    row's days, a state on its last day, a ratio averaged; counts of consumers and posts scaled
    by ``market_size / n`` (people in the market per consumer of the model).

    Parameters
    ----------
    timeseries : DataFrame
        A run's time series (one row per day from 0; ``sim.run.RunResult.timeseries``).
    observed : Observed
        The series to match (its unit, rows and columns).
    n : int
        Consumers in the run.
    market_size : float
        The people the run's n consumers stand for.
    steps_per_period : int, optional
        Model days per period (a series by ``period``).
    """
    k = steps_per(observed.unit, steps_per_period)
    scale = market_size / n
    out = {}
    last = observed.index * k
    need = int(last.max())
    if len(timeseries) <= need:
        raise DataError(f"the run has {len(timeseries) - 1} days; the series needs {need}")
    for column in observed.columns:
        kind = SERIES[column]
        daily = timeseries[kind.column].to_numpy(dtype=float)
        if kind.column == "adoption":
            daily = daily * n  # a share of consumers: count them
        if kind.how == "last":
            values = daily[last]
        else:
            cum = np.concatenate([[0.0], np.cumsum(np.nan_to_num(daily))])
            first = np.maximum(last - k + 1, 0)
            total = cum[last + 1] - cum[first]
            values = total / (last - first + 1) if kind.how == "mean" else total
        out[column] = values * scale if kind.scaled else values
    return out


def from_timeseries(timeseries: pd.DataFrame, columns: Sequence[str], *, unit: str = "day",
                    n: int | None = None, market_size: float | None = None,
                    steps_per_period: int | None = None, days: int | None = None,
                    missing: Sequence[int] = ()) -> pd.DataFrame:
    """A run's figures written as an observed series (the CSV's table): for a test or a demo
    of a calibration to data the model made itself. ``missing`` lists rows left out.

    Parameters
    ----------
    timeseries : DataFrame
        The run's time series.
    columns : sequence of str
        The observed columns (:data:`SERIES`).
    unit : {"day", "week", "period"}
        What one row covers.
    n, market_size : int, float, optional
        Consumers of the run and the people they stand for (default: the same, no scaling).
    steps_per_period : int, optional
        Model days per period.
    days : int, optional
        The days the series covers (default: the whole run).
    missing : sequence of int
        Days, weeks or periods to leave out.
    """
    k = steps_per(unit, steps_per_period)
    total_days = (len(timeseries) - 1) if days is None else days
    first = 1
    index = np.arange(first, total_days // k + 1)
    shell = Observed("run", unit, index, {c: np.zeros(len(index)) for c in columns})
    n_consumers = int(n) if n is not None else 1
    series = model_series(timeseries, shell, n=n_consumers,
                          market_size=market_size if market_size is not None else n_consumers,
                          steps_per_period=steps_per_period)
    table = pd.DataFrame({unit: index, **series})
    return table[~table[unit].isin(list(missing))].reset_index(drop=True)


def write_observed(table: pd.DataFrame, path: str | Path, comment: str = "") -> Path:
    """Write a series table as an observed CSV (a ``#`` comment line first, if given)."""
    path = Path(path)
    text = "".join(f"# {line}\n" for line in comment.splitlines()) + table.to_csv(
        index=False, float_format="%.6g")
    path.write_text(text)
    return path


def labels(columns: Mapping[str, object] | Sequence[str]) -> dict[str, str]:
    """What people read for each observed column."""
    return {c: SERIES[c].label for c in columns}
