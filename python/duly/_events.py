"""Events from Python (dicts or a pandas DataFrame) as the columns ``duly._duly.evaluate`` takes.

An event is ``id`` (the record), ``at`` (an aware instant), ``event`` (its
name) and attribute updates.
Both inputs account for every row, like the C++ readers of JSON Lines and CSV:
it becomes an event, or a rejected row ``(line, reason)`` with ``line`` its
1-based position and ``reason`` worded as the readers word it
(``"at: not an ISO-8601 instant: ..."``, ``"id: missing"``; several problems
joined by ``"; "``). Mistakes of the calling code rather than of the data, such
as a naive datetime or a DataFrame without an ``at`` column, raise
``duly.InvalidArgumentError`` instead.

What "no change" and "clear" mean:

- dicts: an absent key leaves the attribute alone; ``None`` clears it (JSON
  ``null``). NaN, NaT and ``pd.NA`` (what ``DataFrame.to_dict("records")``
  gives for an empty cell) leave it alone too.
- DataFrame: an empty cell (NaN, None, NaT, ``pd.NA``) leaves it alone, as an
  empty CSV cell does; a DataFrame cannot clear an attribute.

Values: ``str``, ``bool``, ``int`` and ``float`` (numbers are doubles, as in
JSON), and aware ``datetime``s, which are passed on as ISO-8601 UTC text (the
form in which JSON Lines carry instants, e.g. for ``start_at``). Lists and
dicts are rejected rows, as nested JSON is.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import importlib
import math
import numbers
import sys
from collections.abc import Iterable, Mapping
from typing import Any, Optional

import numpy as np
import numpy.typing as npt

from . import _duly
from ._convert import (
    NAT,
    bad_text_rows,
    datetime64_seconds,
    format_instant,
    instant_seconds,
    is_integer,
    text_problem,
    type_name,
)
from ._errors import Error, InvalidArgumentError

#: One attribute column for ``_duly.evaluate``: (name, kind, values, rows, order);
#: ``order`` ranks each value among its event's updates (dicts: the key's position),
#: so that an event's updates keep the order of its keys as in a JSON line.
AttributeColumn = tuple[str, str, Any, Optional[npt.NDArray[np.int64]], Optional[npt.NDArray[np.int64]]]

_REQUIRED = ("id", "at", "event")
_YEAR_1 = -62135596800  # 0001-01-01T00:00:00Z
_YEAR_10000 = 253402300800  # 10000-01-01T00:00:00Z
_KEEP = object()  # an attribute value that leaves the attribute alone
_INT_LIMIT = 2**1023  # beyond this an int is not a finite double


@dataclasses.dataclass
class EventColumns:
    """Events as columns; rows that are not ``accepted`` are in ``rejected``."""

    ids: list[Any]
    at: npt.NDArray[np.int64]
    names: list[Any]
    attributes: list[AttributeColumn]
    accepted: npt.NDArray[np.bool_] | None
    rejected: list[tuple[int, str]]
    rows: int


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


def event_columns(events: object) -> EventColumns | FrameColumns:
    """Dicts or a DataFrame -> columns; see the module docstring."""
    if is_dataframe(events):
        return _from_frame(events)
    if isinstance(events, Mapping):
        raise InvalidArgumentError(
            "expected an iterable of event dicts or a pandas DataFrame, got one dict: "
            "put it in a list, [event]",
            path="events",
        )
    if isinstance(events, (str, bytes, bytearray)) or not isinstance(events, Iterable):
        raise InvalidArgumentError(
            f"expected an iterable of event dicts or a pandas DataFrame, got {type_name(events)}",
            path="events",
        )
    return _from_records(events)


# --- single values -----------------------------------------------------------------------


def _is_missing(x: object) -> bool:
    """NaN, NaT or pd.NA: an empty cell. (None is not: in dicts it clears.)"""
    if isinstance(x, (float, np.floating)):
        return bool(x != x)
    if isinstance(x, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(x))
    return type(x).__name__ in ("NaTType", "NAType")


def _integer_text(v: int) -> str | None:
    """str(v), or None when Python will not write it (more than 4300 digits by default)."""
    try:
        return str(v)
    except ValueError:
        return None


def _describe(v: object) -> str:
    """How the C++ readers name a value in a message: short scalars as themselves."""
    if v is None:
        return "null"
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if is_integer(v):
        i = int(v)
        return _integer_text(i) or f"an integer of {i.bit_length()} bits"
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, str):
        return "a string"
    if isinstance(v, Mapping):
        return "an object"
    if isinstance(v, (list, tuple)):
        return "a list"
    return f"a {type_name(v)}"


def _in_range(s: int) -> bool:
    return _duly.MIN_SUPPORTED_SECONDS <= s < _duly.MAX_SUPPORTED_SECONDS


def _outside_range(s: int) -> str:
    return (
        f"at: instant {format_instant(s)} is outside the supported range "
        f"[{format_instant(_duly.MIN_SUPPORTED_SECONDS)}, "
        f"{format_instant(_duly.MAX_SUPPORTED_SECONDS)})"
    )


def _safe_repr(x: object) -> str:
    """repr(x) for a message: at most 60 characters, and never an exception."""
    try:
        r = repr(x)
    except Exception:  # noqa: BLE001 - a broken or too deep __repr__ must not stop the others
        return f"<{type_name(x)}>"
    return r if len(r) <= 60 else r[:57] + "..."


def _id_value(v: object) -> tuple[str | None, str | None]:
    """(id, None) or (None, problem)."""
    if isinstance(v, str):
        if not v:
            return None, "id: empty"
        problem = None if v.isascii() else text_problem(v)
        return (str(v), None) if problem is None else (None, "id: " + problem)
    if is_integer(v):
        text = _integer_text(int(v))
        return (text, None) if text is not None else (None, "id: the integer has too many digits")
    return None, "id: expected a string or an integer, got " + _describe(v)


def _event_value(v: object) -> tuple[str | None, str | None]:
    if isinstance(v, str):
        if not v:
            return None, "event: empty"
        problem = None if v.isascii() else text_problem(v)
        return (str(v), None) if problem is None else (None, "event: " + problem)
    return None, "event: expected a string, got " + _describe(v)


def _at_value(v: object, path: str) -> tuple[int, str | None]:
    """(seconds, None) or (0, problem). A naive datetime raises."""
    if isinstance(v, str):
        problem = None if v.isascii() else text_problem(v)
        if problem is not None:
            return 0, "at: " + problem
        try:
            s = _duly.parse_instant(str(v))
        except Error as e:
            return 0, "at: " + e.message
    elif isinstance(v, _dt.datetime):
        s = instant_seconds(v, path)
    else:
        return 0, "at: expected an ISO-8601 instant as a string or an aware datetime, got " + _describe(v)
    if not _in_range(s):
        return 0, _outside_range(s)
    return s, None


def _attribute_value(name: str, v: object, path: str) -> tuple[object, str | None]:
    """(value for the C++ side, None), (_KEEP, None) or (None, problem). Naive datetimes raise."""
    t = type(v)
    if t is str or t is bool or v is None:
        # A str is checked for lone surrogates later, a whole column at once
        # (_late_text_problems): one pass in C instead of a call per value.
        return v, None
    if t is int:
        if -_INT_LIMIT < v < _INT_LIMIT:  # type: ignore[operator]
            return v, None
        return None, f"attribute '{name}': the number {_describe(v)} is too large"
    if t is float:
        if math.isfinite(v):  # type: ignore[arg-type]
            return v, None
        return (_KEEP, None) if v != v else (None, f"attribute '{name}': {v} is not a number")
    if _is_missing(v):
        return _KEEP, None
    if isinstance(v, str):
        return str(v), None
    if isinstance(v, (bool, np.bool_)):
        return bool(v), None
    if isinstance(v, _dt.datetime):
        return _duly.format_instant(instant_seconds(v, path)), None
    if is_integer(v):
        return _attribute_value(name, int(v), path)
    if isinstance(v, numbers.Real) and not isinstance(v, np.timedelta64):
        try:
            f = float(v)
        except OverflowError:  # e.g. Fraction(10**400)
            return None, f"attribute '{name}': the number is too large"
        return _attribute_value(name, f, path)
    if isinstance(v, (Mapping, list, tuple, set, frozenset)):
        return None, f"attribute '{name}': objects and lists are not supported"
    return None, (
        f"attribute '{name}': unsupported value of type {type_name(v)} "
        "(expected str, a number, bool, an aware datetime, or None to clear)"
    )


# --- dicts ---------------------------------------------------------------------------------


def _from_records(events: Iterable[object]) -> EventColumns:
    ids: list[Any] = []
    at: list[int] = []
    names: list[Any] = []
    accepted: list[bool] = []
    rejected: list[tuple[int, str]] = []
    attributes: dict[str, tuple[list[int], list[object], list[int]]] = {}
    good_keys: set[str] = set()  # attribute names already found to be valid text

    for i, row in enumerate(events):
        rid: str | None = None
        rat = 0
        rname: str | None = None
        problems: list[str] = []
        updates: list[tuple[str, object]] = []
        if not isinstance(row, Mapping):
            problems.append(f"not a dict: got {type_name(row)}")
        else:
            seen_id = seen_at = seen_event = False
            for key, v in row.items():
                if key == "id":
                    if _is_missing(v):
                        continue
                    seen_id = True
                    rid, problem = _id_value(v)
                elif key == "at":
                    if _is_missing(v):
                        continue
                    seen_at = True
                    rat, problem = _at_value(v, f"events[{i}].at")
                elif key == "event":
                    if _is_missing(v):
                        continue
                    seen_event = True
                    rname, problem = _event_value(v)
                elif not isinstance(key, str):
                    problem = f"attribute {_safe_repr(key)}: the name is not a string"
                elif not key:
                    problem = "attribute '': the name is empty"
                else:
                    if key not in good_keys:
                        name_problem = text_problem(key)
                        if name_problem is not None:
                            problems.append(f"attribute {_safe_repr(key)}: the name is {name_problem}")
                            continue
                        good_keys.add(key)
                    value, problem = _attribute_value(key, v, f"events[{i}].{key}")
                    if problem is None and value is not _KEEP:
                        updates.append((key, value))
                if problem is not None:
                    problems.append(problem)
            if not seen_id:
                problems.append("id: missing")
            if not seen_at:
                problems.append("at: missing")
            if not seen_event:
                problems.append("event: missing")

        ok = not problems
        ids.append(rid)
        at.append(rat)
        names.append(rname)
        accepted.append(ok)
        if ok:
            for rank, (key, value) in enumerate(updates):
                column = attributes.get(key)
                if column is None:
                    column = attributes[key] = ([], [], [])
                column[0].append(i)
                column[1].append(value)
                column[2].append(rank)
        else:
            rejected.append((i + 1, "; ".join(problems)))

    # Rows otherwise fine but with a text value that is not valid text: rejected
    # now (the core skips rows that are not accepted, cells included).
    for row, problems in _late_text_problems(attributes).items():
        accepted[row] = False
        rejected.append((row + 1, "; ".join(problems)))
    rejected.sort()

    return EventColumns(
        ids=ids,
        at=np.array(at, dtype=np.int64),
        names=names,
        attributes=[
            (key, "object", values, np.array(rows, dtype=np.int64), np.array(ranks, dtype=np.int64))
            for key, (rows, values, ranks) in attributes.items()
        ],
        accepted=np.array(accepted, dtype=bool) if rejected else None,
        rejected=rejected,
        rows=len(ids),
    )


def _late_text_problems(attributes: dict[str, tuple[list[int], list[object], list[int]]]) -> dict[int, list[str]]:
    """{row: problems} for the str values with lone surrogates, by row."""
    late: dict[int, list[str]] = {}
    for key, (rows, values, _) in attributes.items():
        try:
            bad = bad_text_rows(values)  # type: ignore[arg-type]  # all str: one join, in C
        except TypeError:  # not all str: check the str ones
            texts = [(j, v) for j, v in enumerate(values) if isinstance(v, str)]
            bad = [texts[k][0] for k in bad_text_rows([v for _, v in texts])]
        for j in bad:
            late.setdefault(rows[j], []).append(f"attribute '{key}': {text_problem(str(values[j]))}")
    return late


# --- DataFrames ----------------------------------------------------------------------------
#
# A DataFrame goes over whole columns at a time: numbers, bools and datetimes as
# numpy buffers, text (and any object column) dictionary-encoded as int64 codes
# per row and a list of its distinct values (``_duly.encode_column``, or a
# categorical's codes and categories). Checks and conversions run once per
# distinct value, and the problems found are spread to the rows with that code,
# so no Python object is made or looked at per row unless the column mixes types.

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
            found[values.index("")] = f"{name}: empty"
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
    problems.add_many(np.flatnonzero(codes < 0), f"{name}: missing")
    return codes, values


def _at_column(series: Any, problems: _Problems) -> npt.NDArray[np.int64]:
    pd = pandas_module()
    dtype = series.dtype
    n = len(series)
    if _is_tz_aware(dtype) and not _is_categorical(pd, dtype):
        seconds = datetime64_seconds(series, "at").astype(np.int64, copy=True)
        unusable = seconds == NAT
        problems.add_many(np.flatnonzero(unusable), "at: missing")
    elif dtype.kind == "M" and not _is_categorical(pd, dtype):
        if series.isna().all():
            problems.add_many(np.arange(n), "at: missing")
            return np.zeros(n, dtype=np.int64)
        raise _naive_column_error("at", dtype)
    elif dtype.kind == "O" or _is_categorical(pd, dtype):
        # Text or datetime objects, once per distinct value (naive datetimes raise).
        codes, raw, _ = _encode(series)
        first = _first_rows(codes, len(raw))
        parsed = np.zeros(len(raw) + 1, dtype=np.int64)
        bad = np.zeros(len(raw) + 1, dtype=bool)
        bad[-1] = True  # code -1: missing
        found: dict[int, str] = {}
        for k, v in enumerate(raw):
            if _scalar_missing(pd, v):
                bad[k] = True
                codes = _drop_codes(codes, [k], len(raw))
                continue
            s, problem = _at_value(v, f"at[{first[k]}]")
            if problem is not None:
                found[k] = problem
                bad[k] = True
            parsed[k] = s
        problems.add_many(np.flatnonzero(codes < 0), "at: missing")
        problems.add_by_code(codes, found, len(raw))
        seconds = parsed[codes]
        unusable = bad[codes]
    elif series.isna().all():
        problems.add_many(np.arange(n), "at: missing")
        return np.zeros(n, dtype=np.int64)
    else:
        raise _column_error(
            "at", dtype, "datetimes with a time zone (e.g. datetime64[ns, UTC]) or ISO-8601 text"
        )
    seconds[unusable] = 0
    outside = np.flatnonzero(
        ~unusable & ((seconds < _duly.MIN_SUPPORTED_SECONDS) | (seconds >= _duly.MAX_SUPPORTED_SECONDS))
    )
    for row in outside.tolist():
        problems.add(row, _outside_range(int(seconds[row])))
    return seconds


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
            problems.add(row, f"attribute '{name}': instant {format_instant(int(seconds[row]))} is outside the years 0001 to 9999")
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
            problems.add(row, f"attribute '{name}': {numbers_[row]} is not a number")
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
            value, problem = _attribute_value(name, v, f"{name}[{first[k]}]")
            if problem is None and isinstance(value, str) and not value.isascii():
                text = text_problem(value)
                problem = None if text is None else f"attribute '{name}': {text}"
            if problem is not None:
                found[k] = problem
                values[k] = None
            elif value is _KEEP or value is None:
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


def _from_frame(df: Any) -> FrameColumns:
    columns = list(df.columns)
    for c in columns:
        if not isinstance(c, str):
            raise InvalidArgumentError(
                f"column names must be text, got {type_name(c)} {_safe_repr(c)}: rename it, "
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
    attributes: list[FrameAttribute] = []
    # Column by column, in the frame's order, as the CSV reader reads cells.
    for c in columns:
        series = df[c]
        if c == "id":
            ids = _text_column(series, "id", _id_value, problems)
        elif c == "event":
            names = _text_column(series, "event", _event_value, problems)
        elif c == "at":
            at = _at_column(series, problems)
        else:
            attributes.append(_attribute_column(c, series, problems))

    rejected = [(row + 1, "; ".join(p)) for row, p in sorted(problems.by_row.items())]
    accepted = None
    if rejected:
        accepted = np.ones(n, dtype=bool)
        accepted[[row for row in problems.by_row]] = False
    return FrameColumns(
        ids=ids, at=at, names=names, attributes=attributes, accepted=accepted, rejected=rejected, rows=n
    )
