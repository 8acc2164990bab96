"""Events from Arrow data as the columns ``duly._duly.evaluate_frame`` takes.

Anything that hands its data over by the Arrow C stream interface
(``__arrow_c_stream__``: a pyarrow Table or RecordBatchReader, a polars
DataFrame, a DuckDB relation, ...) is read through pyarrow (``duly[arrow]``)
into a ``pyarrow.Table``, and its columns go to the compiled core as they are:

- numbers, bools and timestamps as their Arrow buffers, chunk by chunk, with
  their offsets (a slice) and null bitmaps: the C++ side reads them in place,
  nothing is copied or converted in Python (``event_bindings.cpp``);
- text as a dictionary: ``pyarrow.compute.dictionary_encode`` (or the column's
  own dictionary), whose indices go over as buffers and whose distinct values
  are checked once each by the validator of every other input
  (``_event_values.py``).

Timestamps may have any unit (floored to the second) and must have a zone (any
zone, or UTC); a naive timestamp column raises, saying how to give it one, unless
``tz`` names the zone its wall-clock readings were taken in. Empty cells (nulls,
and NaN in a float column) leave an attribute alone in ``rows="changes"`` and
clear it in ``rows="snapshots"``, as for a pandas DataFrame (``_frame_events.py``).
"""

from __future__ import annotations

import importlib
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _duly
from ._convert import NAT, format_instant, text_problem, type_name
from ._errors import InvalidArgumentError
from ._event_values import (
    MISSING,
    at_fraction,
    at_value,
    check,
    event_value,
    id_value,
    list_value,
    not_a_number,
)
from ._frame_events import FrameColumns, Problems

_REQUIRED = ("id", "at", "event")
_YEAR_1 = -62135596800  # 0001-01-01T00:00:00Z
_YEAR_10000 = 253402300800  # 10000-01-01T00:00:00Z
_PER_SECOND = {"s": 1, "ms": 1000, "us": 1_000_000, "ns": 1_000_000_000}

#: One Arrow chunk for the C++ side: (type, offset, length, validity, data).
Chunk = tuple[str, int, int, Any, Any]


def pyarrow_modules() -> tuple[Any, Any]:
    """(pyarrow, pyarrow.compute), imported on first use (``duly[arrow]``)."""
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.compute")
    except ImportError as e:  # pragma: no cover - pyarrow is installed for the tests
        raise ImportError("reading Arrow data needs pyarrow: pip install 'duly[arrow]'") from e


def table_of(events: object) -> Any:
    """Arrow data of any kind as a ``pyarrow.Table`` (no copy for a Table)."""
    pa, _ = pyarrow_modules()
    if isinstance(events, pa.Table):
        return events
    if isinstance(events, pa.RecordBatch):
        return pa.Table.from_batches([events])
    if isinstance(events, pa.RecordBatchReader):
        return events.read_all()
    module = type(events).__module__
    if module.startswith("polars") and type(events).__name__ == "LazyFrame":
        raise InvalidArgumentError("a polars LazyFrame has no rows yet: pass lazy.collect()", path="events")
    if not hasattr(type(events), "__arrow_c_stream__"):
        raise InvalidArgumentError(
            f"expected Arrow data (an object with __arrow_c_stream__), got {type_name(events)}", path="events"
        )
    try:
        return pa.RecordBatchReader.from_stream(events).read_all()
    except (TypeError, ValueError, pa.ArrowException) as e:
        raise InvalidArgumentError(
            f"could not read {type_name(events)} as an Arrow table: {e}", path="events"
        ) from None


def chunked(series: Any) -> Any:
    """A pandas Series of an Arrow dtype as its ``pyarrow.ChunkedArray`` (no copy)."""
    pa, _ = pyarrow_modules()
    arrow = series.array.__arrow_array__()
    return arrow if isinstance(arrow, pa.ChunkedArray) else pa.chunked_array([arrow])


# --- buffers ---------------------------------------------------------------------------


def _physical(pa: Any, t: Any) -> str:
    """The layout code of a fixed-width type for the C++ side."""
    if pa.types.is_boolean(t):
        return "b"
    if pa.types.is_floating(t):
        return f"f{t.bit_width // 8}"
    if pa.types.is_signed_integer(t) or pa.types.is_timestamp(t):
        return f"i{t.bit_width // 8}"
    if pa.types.is_unsigned_integer(t):
        return f"u{t.bit_width // 8}"
    raise AssertionError(f"no layout for {t}")  # pragma: no cover - callers pick the types


def chunks(column: Any) -> list[Chunk]:
    """A fixed-width column's chunks, each with its own offset and buffers (read in place)."""
    pa, _ = pyarrow_modules()
    out: list[Chunk] = []
    for chunk in column.chunks:
        if len(chunk) == 0:
            continue
        if pa.types.is_dictionary(chunk.type):
            chunk = chunk.indices
        validity, data = chunk.buffers()[:2]
        if chunk.null_count == 0:
            validity = None
        out.append((_physical(pa, chunk.type), chunk.offset, len(chunk), validity, data))
    return out


def _null_rows(pc: Any, column: Any) -> npt.NDArray[np.intp]:
    if column.null_count == 0:
        return np.empty(0, dtype=np.intp)
    return np.flatnonzero(pc.is_null(column).to_numpy(zero_copy_only=False))


def _codes(pc: Any, column: Any) -> npt.NDArray[np.int64]:
    """A dictionary column's indices as int64, -1 for null (a copy: only for problems)."""
    pa, _ = pyarrow_modules()
    parts = [np.asarray(pc.fill_null(c.indices.cast(pa.int64()), -1).to_numpy(zero_copy_only=False))
             for c in column.chunks]
    return np.concatenate(parts).astype(np.int64, copy=False) if parts else np.empty(0, dtype=np.int64)


def _spread(problems: Problems, codes: npt.NDArray[np.int64], found: dict[int, str], size: int) -> None:
    problems.add_by_code(codes, found, size)


def _is_text(pa: Any, t: Any) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t))


def _encoded(column: Any) -> Any:
    """The column dictionary-encoded, one dictionary for all its chunks."""
    pa, pc = pyarrow_modules()
    t = column.type
    if pa.types.is_dictionary(t):
        return column.unify_dictionaries() if column.num_chunks > 1 else column
    if pa.types.is_string_view(t):
        column = column.cast(pa.large_string())
    return pc.dictionary_encode(column)


def _dictionary(column: Any) -> list[Any]:
    """The distinct values of an encoded column (one dictionary for all chunks)."""
    pa, _ = pyarrow_modules()
    for chunk in column.chunks:
        return list(chunk.dictionary.to_pylist())
    return []


def _naive_error(name: str, t: Any) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"column {name!r} holds timestamps without a time zone ({t}): give them one, e.g. with "
        f"pyarrow: table.set_column(table.schema.get_field_index({name!r}), {name!r}, "
        f"pyarrow.compute.assume_timezone(table[{name!r}], 'UTC')); with polars: "
        f"df.with_columns(pl.col({name!r}).dt.replace_time_zone('UTC')); or pass "
        "tz='America/New_York' (the zone they were recorded in) to evaluate",
        path=name,
    )


def _column_error(name: str, t: Any, expected: str) -> InvalidArgumentError:
    return InvalidArgumentError(f"column {name!r} has type {t}: expected {expected}", path=name)


def _local_seconds(column: Any) -> npt.NDArray[np.int64]:
    """A timestamp column's values (any unit) as int64 seconds, NaT for null (a copy)."""
    pa, pc = pyarrow_modules()
    ticks = pc.fill_null(column.cast(pa.int64()), NAT).to_numpy(zero_copy_only=False)
    ticks = np.asarray(ticks, dtype=np.int64)
    per = _PER_SECOND[column.type.unit]
    return np.where(ticks == NAT, NAT, np.floor_divide(ticks, per)).astype(np.int64)


def _timestamp(name: str, column: Any, tz: str | None) -> tuple[Any, npt.NDArray[np.int64] | None]:
    """(what the C++ side takes: (ticks per second, chunks) or int64 seconds, seconds if made)."""
    t = column.type
    if t.tz is None:
        if tz is None:
            raise _naive_error(name, t)
        seconds = _duly.local_to_instants(tz, _local_seconds(column))
        return seconds, seconds
    return (_PER_SECOND[t.unit], chunks(column)), None


def _seconds_range(pc: Any, column: Any, seconds: npt.NDArray[np.int64] | None) -> tuple[int, int] | None:
    """(lowest, highest) seconds of a timestamp column, None when all null."""
    if seconds is not None:
        valid = seconds[seconds != NAT]
        return None if valid.size == 0 else (int(valid.min()), int(valid.max()))
    mm = pc.min_max(column)
    lo, hi = mm["min"].value, mm["max"].value
    if lo is None:
        return None
    per = _PER_SECOND[column.type.unit]
    return lo // per, hi // per


# --- columns ---------------------------------------------------------------------------


def text_column(column: Any, name: str, problems: Problems, encoded: Any = None) -> tuple[Any, list[Any]]:
    """The id or event column: (index chunks, distinct text); rows without a usable value
    get their problem. ``encoded``: the column already dictionary-encoded, if it was."""
    pa, pc = pyarrow_modules()
    value_of = id_value if name == "id" else event_value
    t = column.type
    if pa.types.is_null(t):
        problems.add_many(np.arange(len(column)), MISSING[name])
        return np.full(len(column), -1, dtype=np.int64), []
    if name == "id" and pa.types.is_integer(t):
        column = column.cast(pa.string())
    if encoded is None:
        encoded = _encoded(column)
    raw = _dictionary(encoded)
    values: list[Any] = list(raw)
    found: dict[int, str] = {}
    if _is_text(pa, encoded.type.value_type) and None not in raw:
        if "" in values:
            found[values.index("")] = check.text_problem(name, "")
    else:
        for k, v in enumerate(raw):
            if v is None:
                found[k] = MISSING[name]
                values[k] = ""
                continue
            text, problem = value_of(v)
            if problem is not None:
                found[k] = problem
                values[k] = ""
            else:
                values[k] = text
    if found:
        _spread(problems, _codes(pc, encoded), found, len(values))
    problems.add_many(_null_rows(pc, encoded), MISSING[name])
    return chunks(encoded), values


def _fraction(column: Any) -> npt.NDArray[np.uint32] | None:
    """The nanoseconds past each floored second of a timestamp column (they order
    events within a second); None when the unit is seconds or all are 0."""
    pa, pc = pyarrow_modules()
    per = _PER_SECOND[column.type.unit]
    if per == 1:
        return None
    ticks = np.asarray(pc.fill_null(column.cast(pa.int64()), 0).to_numpy(zero_copy_only=False), dtype=np.int64)
    within = np.mod(ticks, per)
    if not within.any():
        return None
    return (within * (1_000_000_000 // per)).astype(np.uint32)


def at_column(column: Any, problems: Problems, tz: str | None) -> tuple[Any, npt.NDArray[np.uint32] | None]:
    """The ``at`` column: ((ticks per second, chunks) or int64 seconds, the nanoseconds
    past each second or None)."""
    pa, pc = pyarrow_modules()
    t = column.type
    n = len(column)
    if pa.types.is_null(t) or (column.null_count == n and not pa.types.is_timestamp(t)):
        problems.add_many(np.arange(n), MISSING["at"])
        return np.zeros(n, dtype=np.int64), None
    if pa.types.is_timestamp(t):
        at, seconds = _timestamp("at", column, tz)
        problems.add_many(_null_rows(pc, column), MISSING["at"])
        span = _seconds_range(pc, column, seconds)
        if span is not None and (span[0] < _duly.MIN_SUPPORTED_SECONDS or span[1] >= _duly.MAX_SUPPORTED_SECONDS):
            s = _local_seconds(column) if seconds is None else seconds
            outside = np.flatnonzero(
                (s != NAT) & ((s < _duly.MIN_SUPPORTED_SECONDS) | (s >= _duly.MAX_SUPPORTED_SECONDS))
            )
            for row in outside.tolist():
                problems.add(row, check.at_problem(int(s[row])))
        return at, _fraction(column)
    if _is_text(pa, t) or (pa.types.is_dictionary(t) and _is_text(pa, t.value_type)):
        encoded = _encoded(column)
        raw = _dictionary(encoded)
        codes = _codes(pc, encoded)
        first = np.full(len(raw), -1, dtype=np.int64)
        rows = np.flatnonzero(codes >= 0)[::-1]
        first[codes[rows]] = rows
        parsed = np.zeros(len(raw) + 1, dtype=np.int64)
        parts = np.zeros(len(raw) + 1, dtype=np.uint32)
        bad = np.zeros(len(raw) + 1, dtype=bool)
        bad[-1] = True
        found: dict[int, str] = {}
        for k, v in enumerate(raw):
            if v is None:
                found[k] = MISSING["at"]
                bad[k] = True
                continue
            seconds_k, problem = at_value(v, f"at[{first[k]}]", tz, naive_raises=True)
            if problem is not None:
                found[k] = problem
                bad[k] = True
            else:
                parts[k] = at_fraction(v)
            parsed[k] = seconds_k
        problems.add_many(np.flatnonzero(codes < 0), MISSING["at"])
        problems.add_by_code(codes, found, len(raw))
        seconds = parsed[codes]
        unusable = bad[codes]
        seconds[unusable] = 0
        fraction = parts[codes]
        fraction[unusable] = 0
        return seconds, (fraction if fraction.any() else None)
    raise _column_error("at", t, "timestamps with a time zone (e.g. timestamp[us, tz=UTC]) or ISO-8601 text")


def attribute_column(
    name: str, column: Any, problems: Problems, clears: bool, tz: str | None, encoded: Any = None
) -> tuple[Any, ...]:
    """One attribute column: (name, kind, values, codes, empty_clears). ``encoded``: the
    column already dictionary-encoded, if it was."""
    pa, pc = pyarrow_modules()
    t = column.type
    n = len(column)
    if pa.types.is_null(t):
        return (name, "values", [], np.full(n, -1, dtype=np.int64), clears)
    if pa.types.is_boolean(t):
        return (name, "values", [False, True], chunks(column), clears)
    if pa.types.is_decimal(t) or pa.types.is_float16(t):
        column = column.cast(pa.float64())
        t = column.type
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        if pa.types.is_floating(t):
            inf = pc.is_inf(column)
            if pc.any(inf).as_py():
                values = column.to_numpy()
                for row in np.flatnonzero(pc.fill_null(inf, False).to_numpy(zero_copy_only=False)).tolist():
                    problems.add(row, not_a_number(name, float(values[row])))
        return (name, "number", chunks(column), None, clears)
    if pa.types.is_timestamp(t):
        values, seconds = _timestamp(name, column, tz)
        span = _seconds_range(pc, column, seconds)
        if span is not None and (span[0] < _YEAR_1 or span[1] >= _YEAR_10000):
            s = _local_seconds(column) if seconds is None else seconds
            for row in np.flatnonzero((s != NAT) & ((s < _YEAR_1) | (s >= _YEAR_10000))).tolist():
                problems.add(row, check.attribute_text(
                    name, f"instant {format_instant(int(s[row]))} is outside the years 0001 to 9999"))
            if seconds is None:
                seconds = s.copy()
            seconds[(seconds < _YEAR_1) | (seconds >= _YEAR_10000)] = NAT
            values = seconds
        return (name, "instant", values, None, clears)
    if pa.types.is_dictionary(t) and not _is_text(pa, t.value_type):
        return attribute_column(name, column.cast(t.value_type), problems, clears, tz)
    if _is_text(pa, t) or pa.types.is_dictionary(t):
        if encoded is None:
            encoded = _encoded(column)
        raw = _dictionary(encoded)
        if None not in raw:
            return (name, "values", raw, chunks(encoded), clears)
        # A null in the dictionary is an empty cell.
        values = [v for v in raw]
        found = {k: None for k, v in enumerate(raw) if v is None}
        codes = _codes(pc, encoded)
        dropped = np.zeros(len(raw), dtype=bool)
        dropped[list(found)] = True
        codes = np.where((codes >= 0) & dropped[np.maximum(codes, 0)], -1, codes)
        return (name, "values", values, codes, clears)
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t) or (
        hasattr(pa.types, "is_list_view") and (pa.types.is_list_view(t) or pa.types.is_large_list_view(t))
    ):
        # List values (a ticket's tags): each distinct list is made once; a null
        # cell is an empty one.
        lists: list[Any] = []
        codes = np.full(n, -1, dtype=np.int64)
        seen: dict[str, int] = {}
        for row, cell in enumerate(column.to_pylist()):
            if cell is None:
                continue
            made, problem = list_value(name, cell)
            if problem is not None:
                problems.add(row, problem)
                continue
            code = seen.setdefault(made.text, len(lists))  # type: ignore[attr-defined]
            if code == len(lists):
                lists.append(made)
            codes[row] = code
        return (name, "values", lists, codes, clears)
    if pa.types.is_struct(t) or pa.types.is_map(t):
        rows = np.flatnonzero(~pc.is_null(column).to_numpy(zero_copy_only=False))
        for row in rows.tolist():
            problems.add(row, check.attribute_text(name, check.nested()))
        return (name, "values", [], np.full(n, -1, dtype=np.int64), clears)
    raise _column_error(
        name, t, "text, numbers, bools or timestamps with a time zone (an attribute value)"
    )


def _check_names(names: list[Any]) -> None:
    for c in names:
        if not isinstance(c, str):  # pragma: no cover - Arrow names are text
            raise InvalidArgumentError(f"column names must be text, got {type_name(c)}", path="events")
        problem = text_problem(c)
        if problem is not None:
            raise InvalidArgumentError(f"column {c!r}: the name is {problem}", path="events")
        if not c:
            raise InvalidArgumentError("a column has an empty name", path="events")
    dups = sorted({c for c in names if names.count(c) > 1})
    if dups:
        raise InvalidArgumentError(f"column {dups[0]!r} appears more than once", path="events")
    for c in _REQUIRED:
        if c not in names:
            raise InvalidArgumentError(
                f"the events have no {c!r} column (they need id, at and event; they have "
                f"{', '.join(map(repr, names)) or 'no columns'})",
                path="events",
            )


#: Rows from which the text columns are encoded on several threads at once.
_PARALLEL_ROWS = 100_000


def _encoded_at_once(table: Any, wanted: list[str], threads: int) -> dict[str, Any]:
    """The text columns ``wanted`` dictionary-encoded, on up to ``threads`` threads
    (0: one per core) when the table is large: pyarrow encodes with the GIL released."""
    if threads == 1 or len(wanted) < 2 or table.num_rows < _PARALLEL_ROWS:
        return {}
    workers = min(len(wanted), threads or os.cpu_count() or 1)
    if workers < 2:
        return {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(wanted, pool.map(lambda name: _encoded(table.column(name)), wanted)))


def from_arrow(
    events: object, rows: str = "changes", tz: str | None = None, needed: set[str] | None = None,
    threads: int = 0,
) -> FrameColumns:
    """Arrow data -> columns; see the module docstring. A text column that is not
    ``needed`` (the evaluation never reads it) is left out: Arrow text is always
    valid, so it cannot reject a row, and encoding it would be wasted. The text
    columns read are encoded at once on up to ``threads`` threads (0: one per core)."""
    pa, _ = pyarrow_modules()
    table = table_of(events)
    names = list(table.column_names)
    _check_names(names)
    n = table.num_rows
    problems = Problems()
    ids: Any = None
    events_: Any = None
    at: Any = None
    fraction: npt.NDArray[np.uint32] | None = None
    attributes: list[Any] = []
    clears = rows == "snapshots"

    def is_text(t: Any) -> bool:
        return _is_text(pa, t) or (pa.types.is_dictionary(t) and _is_text(pa, t.value_type))

    read = [c for c, column in zip(names, table.columns)
            if c != "at" and is_text(column.type) and (c in _REQUIRED or needed is None or c in needed)]
    encoded = _encoded_at_once(table, read, threads)
    for c, column in zip(names, table.columns):
        if c == "id":
            ids = text_column(column, "id", problems, encoded.get(c))
        elif c == "event":
            events_ = text_column(column, "event", problems, encoded.get(c))
        elif c == "at":
            at, fraction = at_column(column, problems, tz)
        elif needed is not None and c not in needed and is_text(column.type):
            continue
        else:
            attributes.append(attribute_column(c, column, problems, clears, tz, encoded.get(c)))
    rejected = [(row + 1, check.join(p)) for row, p in sorted(problems.by_row.items())]
    accepted = None
    if rejected:
        accepted = np.ones(n, dtype=bool)
        accepted[[row for row in problems.by_row]] = False
    return FrameColumns(
        ids=ids, at=at, names=events_, attributes=attributes, accepted=accepted, rejected=rejected, rows=n,
        fraction=fraction,
    )
