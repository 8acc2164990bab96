"""Events from a pandas DataFrame as the columns ``duly._duly.evaluate_frame`` takes.

A DataFrame goes over whole columns at a time: numbers, bools and datetimes as
numpy buffers, text (and any object column) dictionary-encoded as int64 codes
per row and a list of its distinct values (``_duly.encode_column``, or a
categorical's codes and categories). Checks and conversions run once per
distinct value, through the core's validator (``_event_values.py``), and the
problems found are spread to the rows with that code, so no Python object is
made or looked at per row unless the column mixes types. An empty cell (NaN,
None, NaT, ``pd.NA``) leaves the attribute alone, as an empty CSV cell does.
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
from typing import Any, Optional

import numpy as np
import numpy.typing as npt

from . import _duly
from ._convert import (
    NAT,
    bad_text_rows,
    datetime64_fraction,
    datetime64_seconds,
    format_instant,
    text_problem,
    type_name,
)
from ._errors import InvalidArgumentError
from ._event_values import (
    KEEP,
    MISSING,
    at_fraction,
    at_value,
    attribute_value,
    check,
    event_value,
    id_value,
    not_a_number,
    safe_repr,
)

_REQUIRED = ("id", "at", "event")
_YEAR_1 = -62135596800  # 0001-01-01T00:00:00Z
_YEAR_10000 = 253402300800  # 10000-01-01T00:00:00Z


def pandas_module() -> Any:
    """pandas, imported on first use (it is not a dependency of duly)."""
    try:
        return importlib.import_module("pandas")
    except ImportError as e:  # pragma: no cover - pandas is installed for the tests
        raise ImportError("this needs pandas: pip install pandas") from e


def is_dataframe(x: object) -> bool:
    """Whether x is a pandas DataFrame, without importing pandas."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(x, pd.DataFrame)



#: A column as (codes, distinct values): row i holds distinct[codes[i]]; -1 = empty.
Encoded = tuple[npt.NDArray[np.int64], list[Any]]
#: One attribute column for ``_duly.evaluate_frame``: (name, kind, values, codes).
FrameAttribute = tuple[str, str, Any, Optional[npt.NDArray[np.int64]]]


@dataclasses.dataclass
class FrameColumns:
    """A DataFrame's events as the columns ``_duly.evaluate_frame`` takes."""

    ids: Encoded
    at: npt.NDArray[np.int64]
    names: Encoded
    attributes: list[FrameAttribute]
    accepted: npt.NDArray[np.bool_] | None
    rejected: list[tuple[int, str]]
    rows: int
    #: Nanoseconds past each row's ``at`` (the order within a second); None: all 0.
    fraction: npt.NDArray[np.uint32] | None = None


class _Problems:
    """Problems of a DataFrame's rows, by row position, in the order found."""

    def __init__(self) -> None:
        self.by_row: dict[int, list[str]] = {}

    def add(self, row: int, problem: str) -> None:
        self.by_row.setdefault(row, []).append(problem)

    def add_many(self, rows: npt.NDArray[np.intp], problem: str) -> None:
        for row in rows.tolist():
            self.add(row, problem)

    def add_by_code(self, codes: npt.NDArray[np.int64], problems: dict[int, str], size: int) -> None:
        """Each row whose code has a problem gets it."""
        if not problems:
            return
        flagged = np.zeros(size, dtype=bool)
        flagged[list(problems)] = True
        rows = np.flatnonzero((codes >= 0) & flagged[codes])
        for row, code in zip(rows.tolist(), codes[rows].tolist()):
            self.add(row, problems[code])


def _column_error(name: str, dtype: object, expected: str) -> InvalidArgumentError:
    return InvalidArgumentError(f"column {name!r} has dtype {dtype}: expected {expected}", path=name)


def _naive_column_error(name: str, dtype: object) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"column {name!r} holds naive datetimes ({dtype}): give them a time zone, e.g. "
        f"df[{name!r}] = df[{name!r}].dt.tz_localize('UTC') (or the zone they were "
        "recorded in, e.g. 'America/New_York')",
        path=name,
    )


def _is_tz_aware(dtype: object) -> bool:
    return getattr(dtype, "tz", None) is not None


def _is_categorical(pd: Any, dtype: object) -> bool:
    return isinstance(dtype, pd.CategoricalDtype)


def _scalar_missing(pd: Any, v: object) -> bool:
    """Whether pandas counts v as an empty cell (NaN, NaT, NA, Decimal NaN...)."""
    if isinstance(v, str):
        return False
    try:
        r = pd.isna(v)
    except Exception:  # noqa: BLE001 - an odd object is simply not missing
        return False
    return isinstance(r, (bool, np.bool_)) and bool(r)


def _encode(series: Any) -> tuple[npt.NDArray[np.int64], list[Any], bool]:
    """(codes, distinct, all_text) of a column; see ``_duly.encode_column``."""
    pd = pandas_module()
    if _is_categorical(pd, series.dtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        distinct = series.cat.categories.to_numpy(dtype=object).tolist()
        all_text = all(type(v) is str for v in distinct) and not bad_text_rows(distinct)
        return codes, distinct, all_text
    cells = np.ascontiguousarray(series.to_numpy(dtype=object))
    codes, distinct, all_text = _duly.encode_column(cells, (type(pd.NA), type(pd.NaT)))
    return codes, distinct, bool(all_text)


def _first_rows(codes: npt.NDArray[np.int64], size: int) -> npt.NDArray[np.int64]:
    """The first row of each code (for messages that name a cell)."""
    first = np.full(size, -1, dtype=np.int64)
    rows = np.flatnonzero(codes >= 0)[::-1]
    first[codes[rows]] = rows  # the last assignment, the first row, wins
    return first


def _drop_codes(codes: npt.NDArray[np.int64], dropped: list[int], size: int) -> npt.NDArray[np.int64]:
    """codes with those of `dropped` values turned into -1 (empty cells)."""
    if not dropped:
        return codes
    remap = np.arange(size, dtype=np.int64)
    remap[dropped] = -1
    return np.where(codes >= 0, remap[codes], -1)


def _text_column(series: Any, name: str, value_of: Any, problems: _Problems) -> Encoded:
    """The id or event column, encoded; rows without a usable value get their problem."""
    pd = pandas_module()
    dtype = series.dtype
    if not _is_categorical(pd, dtype) and dtype.kind in "iu":
        codes, uniques = pd.factorize(series)
        codes = codes.astype(np.int64, copy=False)
        raw = np.asarray(uniques, dtype=object).tolist()
        all_text = False
    else:
        codes, raw, all_text = _encode(series)
    found: dict[int, str] = {}
    dropped: list[int] = []
    values: list[Any] = list(raw)
    if all_text:
        if "" in values:
            found[values.index("")] = check.text_problem(name, "")
    else:
        for k, v in enumerate(raw):
            if _scalar_missing(pd, v):
                dropped.append(k)
                continue
            text, problem = value_of(v)
            if problem is not None:
                found[k] = problem
                values[k] = ""
            else:
                values[k] = text
    codes = _drop_codes(codes, dropped, len(values))
    problems.add_by_code(codes, found, len(values))
    problems.add_many(np.flatnonzero(codes < 0), MISSING[name])
    return codes, values


def _at_column(series: Any, problems: _Problems) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32] | None]:
    """The ``at`` column as seconds, and the nanoseconds past them (None: none)."""
    pd = pandas_module()
    dtype = series.dtype
    n = len(series)
    fraction: npt.NDArray[np.uint32] | None = None
    if _is_tz_aware(dtype) and not _is_categorical(pd, dtype):
        seconds = datetime64_seconds(series, "at").astype(np.int64, copy=True)
        fraction = datetime64_fraction(series, "at")
        unusable = seconds == NAT
        problems.add_many(np.flatnonzero(unusable), MISSING["at"])
    elif dtype.kind == "M" and not _is_categorical(pd, dtype):
        if series.isna().all():
            problems.add_many(np.arange(n), MISSING["at"])
            return np.zeros(n, dtype=np.int64), None
        raise _naive_column_error("at", dtype)
    elif dtype.kind == "O" or _is_categorical(pd, dtype):
        # Text or datetime objects, once per distinct value (naive datetimes raise).
        codes, raw, _ = _encode(series)
        first = _first_rows(codes, len(raw))
        parsed = np.zeros(len(raw) + 1, dtype=np.int64)
        parts = np.zeros(len(raw) + 1, dtype=np.uint32)
        bad = np.zeros(len(raw) + 1, dtype=bool)
        bad[-1] = True  # code -1: missing
        found: dict[int, str] = {}
        for k, v in enumerate(raw):
            if _scalar_missing(pd, v):
                bad[k] = True
                codes = _drop_codes(codes, [k], len(raw))
                continue
            s, problem = at_value(v, f"at[{first[k]}]")
            if problem is not None:
                found[k] = problem
                bad[k] = True
            else:
                parts[k] = at_fraction(v)
            parsed[k] = s
        problems.add_many(np.flatnonzero(codes < 0), MISSING["at"])
        problems.add_by_code(codes, found, len(raw))
        seconds = parsed[codes]
        fraction = parts[codes] if parts.any() else None
        unusable = bad[codes]
    elif series.isna().all():
        problems.add_many(np.arange(n), MISSING["at"])
        return np.zeros(n, dtype=np.int64), None
    else:
        raise _column_error(
            "at", dtype, "datetimes with a time zone (e.g. datetime64[ns, UTC]) or ISO-8601 text"
        )
    seconds[unusable] = 0
    outside = np.flatnonzero(
        ~unusable & ((seconds < _duly.MIN_SUPPORTED_SECONDS) | (seconds >= _duly.MAX_SUPPORTED_SECONDS))
    )
    for row in outside.tolist():
        problems.add(row, check.at_problem(int(seconds[row])))
    if fraction is not None:
        fraction[unusable] = 0
        if not fraction.any():
            fraction = None
    return seconds, fraction


def _attribute_column(name: str, series: Any, problems: _Problems) -> FrameAttribute:
    pd = pandas_module()
    dtype = series.dtype
    categorical = _is_categorical(pd, dtype)
    if _is_tz_aware(dtype) and not categorical:
        seconds = datetime64_seconds(series, name).astype(np.int64, copy=True)
        # Written as ISO-8601 text, which has four-digit years: 0001 to 9999.
        unwritable = np.flatnonzero(
            (seconds != NAT) & ((seconds < _YEAR_1) | (seconds >= _YEAR_10000))
        )
        for row in unwritable.tolist():
            problems.add(
                row,
                check.attribute_text(
                    name, f"instant {format_instant(int(seconds[row]))} is outside the years 0001 to 9999"
                ),
            )
        seconds[unwritable] = NAT
        return (name, "instant", seconds, None)
    kind = "O" if categorical else dtype.kind
    if kind == "M":
        raise _naive_column_error(name, dtype)
    if kind == "b":
        flags = series.to_numpy(dtype=bool, na_value=False)
        codes = flags.astype(np.int64)
        if not isinstance(dtype, np.dtype):  # nullable: may hold <NA>
            codes[series.isna().to_numpy(dtype=bool)] = -1
        return (name, "values", [False, True], codes)
    if kind in "iuf":
        numbers_ = series.to_numpy(dtype=np.float64, na_value=np.nan)
        for row in np.flatnonzero(np.isinf(numbers_)).tolist():
            problems.add(row, not_a_number(name, float(numbers_[row])))
        return (name, "number", numbers_, None)
    if kind in "OSU":
        codes, raw, all_text = _encode(series)
        if all_text:
            return (name, "values", raw, codes)
        found: dict[int, str] = {}
        dropped: list[int] = []
        values: list[Any] = list(raw)
        first = _first_rows(codes, len(raw))
        for k, v in enumerate(raw):
            if _scalar_missing(pd, v):
                dropped.append(k)
                continue
            value, problem = attribute_value(name, v, f"{name}[{first[k]}]")
            if problem is None and isinstance(value, str) and not value.isascii():
                text = text_problem(value)
                problem = None if text is None else check.attribute_text(name, text)
            if problem is not None:
                found[k] = problem
                values[k] = None
            elif value is KEEP or value is None:
                dropped.append(k)
            else:
                values[k] = value
        codes = _drop_codes(codes, dropped, len(values))
        problems.add_by_code(codes, found, len(values))
        for k in found:
            values[k] = None
        return (name, "values", values, codes)
    raise _column_error(
        name, dtype, "text, numbers, bools or datetimes with a time zone (an attribute value)"
    )


def from_frame(df: Any) -> FrameColumns:
    """A DataFrame -> columns; see ``_events.py``."""
    columns = list(df.columns)
    for c in columns:
        if not isinstance(c, str):
            raise InvalidArgumentError(
                f"column names must be text, got {type_name(c)} {safe_repr(c)}: rename it, "
                "e.g. df.columns = df.columns.astype(str)",
                path="events",
            )
        problem = text_problem(c)
        if problem is not None:
            raise InvalidArgumentError(f"column {c!r}: the name is {problem}", path="events")
    if df.columns.has_duplicates:
        dups = sorted({c for c in columns if columns.count(c) > 1})
        raise InvalidArgumentError(f"column {dups[0]!r} appears more than once", path="events")
    for c in _REQUIRED:
        if c not in columns:
            raise InvalidArgumentError(
                f"the DataFrame has no {c!r} column (it needs id, at and event; it has "
                f"{', '.join(map(repr, columns)) or 'no columns'})",
                path="events",
            )
    for c in columns:
        if not c:
            raise InvalidArgumentError("a column has an empty name", path="events")

    n = len(df)
    problems = _Problems()
    empty: Encoded = (np.full(n, -1, dtype=np.int64), [])
    ids = names = empty
    at = np.zeros(n, dtype=np.int64)
    fraction: npt.NDArray[np.uint32] | None = None
    attributes: list[FrameAttribute] = []
    # Column by column, in the frame's order, as the CSV reader reads cells.
    for c in columns:
        series = df[c]
        if c == "id":
            ids = _text_column(series, "id", id_value, problems)
        elif c == "event":
            names = _text_column(series, "event", event_value, problems)
        elif c == "at":
            at, fraction = _at_column(series, problems)
        else:
            attributes.append(_attribute_column(c, series, problems))

    rejected = [(row + 1, check.join(p)) for row, p in sorted(problems.by_row.items())]
    accepted = None
    if rejected:
        accepted = np.ones(n, dtype=bool)
        accepted[[row for row in problems.by_row]] = False
    return FrameColumns(
        ids=ids, at=at, names=names, attributes=attributes, accepted=accepted, rejected=rejected, rows=n,
        fraction=fraction,
    )
