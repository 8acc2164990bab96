"""Events from Python (dicts or a pandas DataFrame) as the columns ``duly._duly.evaluate`` takes.

An event is ``id`` (the record), ``at`` (an aware instant), ``event`` (its
name) and attribute updates.
Both inputs account for every row, like the C++ readers of JSON Lines and CSV:
it becomes an event, or a rejected row ``(line, reason)`` with ``line`` its
1-based position and ``reason`` given by the same validator as theirs, the
core's ``event_check`` (``"at: not an ISO-8601 instant: ..."``, ``"id: missing"``;
several problems joined by ``"; "``): this layer only converts Python types
(``_event_values.py``). Dicts are read here, DataFrames in ``_frame_events.py``. Mistakes of the calling code rather than of the data, such
as a naive datetime or a DataFrame without an ``at`` column, raise
``duly.InvalidArgumentError`` instead.

What "no change" and "clear" mean, one rule for every input:

- rows="changes" (the default): an absent key or an empty cell (NaN, NaT,
  ``pd.NA``, an Arrow null) leaves the attribute alone; ``None`` clears it (JSON
  ``null``), in a dict and in a DataFrame's object column alike, so that
  ``DataFrame.to_dict("records")`` gives the same answers as the frame.
- rows="snapshots" (frames and Arrow data only): each row is the record's whole
  state after its event, so an empty cell clears the attribute; columns the
  frame lacks are never touched.

Values: ``str``, ``bool``, ``int`` and ``float`` (numbers are doubles, as in
JSON), and aware ``datetime``s, which are passed on as ISO-8601 UTC text (the
form in which JSON Lines carry instants, e.g. for ``start_at``). Lists and
dicts are rejected rows, as nested JSON is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, Optional

import numpy as np
import numpy.typing as npt

from ._convert import bad_text_rows, text_problem, type_name
from . import _duly
from ._errors import Error, InvalidArgumentError
from ._event_values import (
    KEEP,
    MISSING,
    at_fraction,
    at_value,
    attribute_value,
    check,
    event_value,
    id_value,
    is_missing,
    safe_repr,
)
from ._frame_events import FrameColumns as FrameColumns
from ._frame_events import from_frame
from ._frame_events import is_dataframe as is_dataframe  # re-exported for the other modules
from ._frame_events import pandas_module as pandas_module

#: One attribute column for ``_duly.evaluate``: (name, kind, values, rows, order);
#: ``order`` ranks each value among its event's updates (dicts: the key's position),
#: so that an event's updates keep the order of its keys as in a JSON line.
AttributeColumn = tuple[str, str, Any, Optional[npt.NDArray[np.int64]], Optional[npt.NDArray[np.int64]]]


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
    #: Nanoseconds past each row's ``at`` (the order within a second); None: all 0.
    fraction: npt.NDArray[np.uint32] | None = None


_EXPECTED = "an iterable of event dicts, a pandas DataFrame or Arrow data (an object with __arrow_c_stream__)"
ROWS = ("changes", "snapshots")


def check_rows(rows: object) -> str:
    """``rows`` must be "changes" or "snapshots"."""
    if not isinstance(rows, str) or rows not in ROWS:
        raise InvalidArgumentError(
            f"expected rows='changes' (an empty cell leaves an attribute alone) or rows='snapshots' "
            f"(each row is the record's whole state: an empty cell clears it), got {safe_repr(rows)}",
            path="rows",
        )
    return str(rows)


def check_tz(tz: object) -> str | None:
    """``tz``: None or an IANA zone name that exists."""
    if tz is None:
        return None
    name = getattr(tz, "key", tz)  # a zoneinfo.ZoneInfo
    if not isinstance(name, str):
        raise InvalidArgumentError(f"expected an IANA zone name such as 'America/New_York', got {type_name(tz)}",
                                   path="tz")
    try:
        _duly.parse_instant("2000-01-01T00:00:00", name)
    except Error as e:
        raise e.with_path("tz") from None
    return name


def is_arrow(events: object) -> bool:
    """Whether events hand their data over by the Arrow C stream interface."""
    return hasattr(type(events), "__arrow_c_stream__")


def event_columns(
    events: object, rows: str = "changes", tz: str | None = None, needed: set[str] | None = None,
    threads: int = 0,
) -> EventColumns | FrameColumns:
    """Dicts, a DataFrame or Arrow data -> columns; see the module docstring. ``needed``:
    the attributes the evaluation reads (others may be left out once checked);
    ``threads``: how many threads Arrow text columns may be encoded on (0: one per core)."""
    rows = check_rows(rows)
    tz = check_tz(tz)
    if is_dataframe(events):
        return from_frame(events, rows, tz)
    if is_arrow(events) or type(events).__module__.startswith("polars"):
        from ._arrow_events import from_arrow

        return from_arrow(events, rows, tz, needed, threads)
    if isinstance(events, Mapping):
        raise InvalidArgumentError(
            f"expected {_EXPECTED}, got one dict: put it in a list, [event]",
            path="events",
        )
    if isinstance(events, (str, bytes, bytearray)) or not isinstance(events, Iterable):
        raise InvalidArgumentError(f"expected {_EXPECTED}, got {type_name(events)}", path="events")
    if rows == "snapshots":
        raise InvalidArgumentError(
            "rows='snapshots' needs a frame (a pandas DataFrame or Arrow data), whose columns say "
            "which attributes a row holds; in dicts, clear an attribute with None",
            path="rows",
        )
    return _from_records(events, tz)


# --- dicts ---------------------------------------------------------------------------------


def _from_records(events: Iterable[object], tz: str | None = None) -> EventColumns:
    ids: list[Any] = []
    at: list[int] = []
    fraction: list[int] = []
    names: list[Any] = []
    accepted: list[bool] = []
    rejected: list[tuple[int, str]] = []
    attributes: dict[str, tuple[list[int], list[object], list[int]]] = {}
    good_keys: set[str] = set()  # attribute names already found to be valid text

    for i, row in enumerate(events):
        rid: str | None = None
        rat = 0
        rfraction = 0
        rname: str | None = None
        problems: list[str] = []
        updates: list[tuple[str, object]] = []
        if not isinstance(row, Mapping):
            problems.append(f"not a dict: got {type_name(row)}")
        else:
            seen_id = seen_at = seen_event = False
            for key, v in row.items():
                if key == "id":
                    if is_missing(v):
                        continue
                    seen_id = True
                    rid, problem = id_value(v)
                elif key == "at":
                    if is_missing(v):
                        continue
                    seen_at = True
                    rat, problem = at_value(v, f"events[{i}].at", tz)
                    if problem is None:
                        rfraction = at_fraction(v)
                elif key == "event":
                    if is_missing(v):
                        continue
                    seen_event = True
                    rname, problem = event_value(v)
                elif not isinstance(key, str):
                    problem = f"attribute {safe_repr(key)}: the name is not a string"
                elif not key:
                    problem = check.attribute_name_problem(key)
                else:
                    if key not in good_keys:
                        name_problem = text_problem(key)
                        if name_problem is not None:
                            problems.append(f"attribute {safe_repr(key)}: the name is {name_problem}")
                            continue
                        good_keys.add(key)
                    value, problem = attribute_value(key, v, f"events[{i}].{key}", tz)
                    if problem is None and value is not KEEP:
                        updates.append((key, value))
                if problem is not None:
                    problems.append(problem)
            if not seen_id:
                problems.append(MISSING["id"])
            if not seen_at:
                problems.append(MISSING["at"])
            if not seen_event:
                problems.append(MISSING["event"])

        ok = not problems
        ids.append(rid)
        at.append(rat)
        fraction.append(rfraction)
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
            rejected.append((i + 1, check.join(problems)))

    # Rows otherwise fine but with a text value that is not valid text: rejected
    # now (the core skips rows that are not accepted, cells included).
    for row, problems in _late_text_problems(attributes).items():
        accepted[row] = False
        rejected.append((row + 1, check.join(problems)))
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
        fraction=np.array(fraction, dtype=np.uint32) if any(fraction) else None,
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
            late.setdefault(rows[j], []).append(check.attribute_text(key, str(text_problem(str(values[j])))))
    return late
