"""One event field or attribute value from Python, judged by the core's validator.

The Python layer only converts Python types (numpy scalars, datetimes, NaN and
NaT, lone surrogates); whether a value makes a valid ``id``, ``at``, ``event``
or attribute, and how every problem is worded, comes from the compiled core's
``event_check`` (the validator the JSON Lines and CSV readers use), so that a
rejected row reads the same whatever the input. Used by the dict path
(``_events.py``) and the DataFrame path (``_frame_events.py``).
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import _duly
from ._convert import instant_seconds, is_integer, text_problem, type_name
from ._errors import InvalidArgumentError

check = _duly.event_check

KEEP = object()  # an attribute value that leaves the attribute alone
_INT_LIMIT = 2**1023  # beyond this an int is not a finite double
EXACT_INTEGER = 2**53  # beyond this a double does not hold every int
#: The problems of a required field that never came, e.g. "id: missing".
MISSING = {f: check.missing_text(f) for f in ("id", "at", "event")}


def is_missing(x: object) -> bool:
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


def float_text(v: float | np.floating[Any]) -> str:
    """A float as messages show it: repr, so 1.5, 1e+300, inf."""
    return repr(float(v))


def describe(v: object) -> str:
    """How a message names a value of the wrong kind (the core's wording)."""
    if v is None:
        return check.describe("null")
    if isinstance(v, (bool, np.bool_)):
        return check.describe("boolean", "true" if v else "false")
    if is_integer(v):
        i = int(v)
        text = _integer_text(i)
        return check.describe("number", text) if text is not None else check.describe(
            "other", f"an integer of {i.bit_length()} bits"
        )
    if isinstance(v, (float, np.floating)):
        return check.describe("number", float_text(v))
    if isinstance(v, str):
        return check.describe("string")
    if isinstance(v, Mapping):
        return check.describe("object")
    if isinstance(v, (list, tuple)):
        return check.describe("list")
    return check.describe("other", f"a {type_name(v)}")


def safe_repr(x: object) -> str:
    """repr(x) for a message: at most 60 characters, and never an exception."""
    try:
        r = repr(x)
    except Exception:  # noqa: BLE001 - a broken or too deep __repr__ must not stop the others
        return f"<{type_name(x)}>"
    return r if len(r) <= 60 else r[:57] + "..."


def _text_field(field: str, v: str) -> tuple[str | None, str | None]:
    # Text that UTF-8 cannot carry (a lone surrogate) cannot cross into the core.
    unreadable = None if v.isascii() else text_problem(v)
    problem = check.text_problem(field, v) if unreadable is None else check.unreadable_text(field, unreadable)
    return (None, problem) if problem else (str(v), None)


def id_value(v: object) -> tuple[str | None, str | None]:
    """(id, None) or (None, problem)."""
    if isinstance(v, str):
        return _text_field("id", v)
    if is_integer(v):
        text = _integer_text(int(v))
        if text is None:
            return None, check.unreadable_text("id", "the integer has too many digits")
        return text, None
    return None, check.wrong_type_text("id", describe(v))


def event_value(v: object) -> tuple[str | None, str | None]:
    """(event name, None) or (None, problem)."""
    if isinstance(v, str):
        return _text_field("event", v)
    return None, check.wrong_type_text("event", describe(v))


def _naive_text(v: str) -> bool:
    """Whether v is an ISO-8601 local time without an offset (it reads with a zone)."""
    try:
        _duly.parse_instant(v, "UTC")
    except ValueError:
        return False
    return True


def naive_text_error(v: str, path: str) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"{safe_repr(v)} is a local time without an offset or 'Z': say which zone the times "
        "were recorded in, duly.evaluate(..., tz='America/New_York') (or tz='UTC'), or write "
        "the offset in the text ('2026-01-05T08:00:00-05:00')",
        path=path,
    )


def local_seconds(v: _dt.datetime) -> int:
    """The wall-clock reading of a datetime as seconds since 1970-01-01T00:00 (its zone ignored)."""
    delta = v.replace(tzinfo=None) - _dt.datetime(1970, 1, 1)
    return delta.days * 86400 + delta.seconds


def zoned_seconds(local: int, tz: str) -> int:
    """A wall-clock reading in zone ``tz`` as an instant (duly's DST rule)."""
    return int(_duly.local_to_instants(tz, np.array([local], dtype=np.int64))[0])


def at_value(v: object, path: str, tz: str | None = None, naive_raises: bool = False) -> tuple[int, str | None]:
    """(seconds, None) or (0, problem). A naive datetime raises, unless ``tz`` names the
    zone it was recorded in; so does naive text with ``naive_raises`` (a frame's column,
    where every row would be rejected), which is otherwise a rejected row as in JSON Lines."""
    if isinstance(v, str):
        unreadable = None if v.isascii() else text_problem(v)
        if unreadable is not None:
            return 0, check.unreadable_text("at", unreadable)
        s, problem = check.read_at(str(v))
        if problem and tz is not None and _naive_text(str(v)):
            return at_seconds(_duly.parse_instant(str(v), tz))
        if problem and naive_raises and _naive_text(str(v)):
            raise naive_text_error(str(v), path)
        return (s, None) if not problem else (0, problem)
    if isinstance(v, _dt.datetime):
        if tz is not None and (v.tzinfo is None or v.utcoffset() is None) and type(v).__name__ != "NaTType":
            return at_seconds(zoned_seconds(local_seconds(v), tz))
        s = instant_seconds(v, path)
    else:
        return 0, check.wrong_type_text("at", describe(v), "an aware datetime")
    return at_seconds(s)


def at_fraction(v: object) -> int:
    """The nanoseconds past the second of an ``at`` value that ``at_value`` read:
    they order events within a second (0 when it has none)."""
    if isinstance(v, str):
        return int(check.instant_fraction(v))
    if isinstance(v, _dt.datetime):
        return v.microsecond * 1000
    return 0


def at_seconds(s: int) -> tuple[int, str | None]:
    """(seconds, None) for an instant in the supported years, else (0, problem)."""
    problem = check.at_problem(s)
    return (s, None) if not problem else (0, problem)


def not_a_number(name: str, v: float) -> str:
    """The problem of an infinite number (JSON has no infinity)."""
    return check.attribute_text(name, check.not_a_number(float_text(v)))


def list_value(name: str, items: Any) -> tuple[object, str | None]:
    """A list or tuple as a list value (text, numbers and bools; numpy scalars as
    their Python values), or the problem, worded by the core."""
    if len(items) > check.max_list_items:
        return None, check.attribute_text(name, check.list_too_long(len(items)))
    plain = [x.item() if isinstance(x, np.generic) else x for x in items]
    made, problem = _duly.make_list(plain)
    return (made, None) if problem is None else (None, check.attribute_text(name, problem))


def attribute_value(name: str, v: object, path: str, tz: str | None = None) -> tuple[object, str | None]:
    """(value for the C++ side, None), (KEEP, None) or (None, problem). Naive datetimes raise."""
    t = type(v)
    if t is str or t is bool or v is None:
        # A str is checked for lone surrogates later, a whole column at once
        # (late_text_problems): one pass in C instead of a call per value.
        return v, None
    if t is int:
        if -EXACT_INTEGER <= v <= EXACT_INTEGER:  # type: ignore[operator]
            return v, None
        # Beyond 2^53 a number (a double) would round it: rejected, never rounded.
        if -_INT_LIMIT < v < _INT_LIMIT:  # type: ignore[operator]
            return None, check.attribute_text(name, check.inexact_integer(str(v)))
        return None, check.attribute_text(name, f"the number {describe(v)} is too large")
    if t is float:
        if math.isfinite(v):  # type: ignore[arg-type]
            return v, None
        return (KEEP, None) if v != v else (None, not_a_number(name, v))  # type: ignore[arg-type]
    if is_missing(v):
        return KEEP, None
    if isinstance(v, str):
        return str(v), None
    if isinstance(v, (bool, np.bool_)):
        return bool(v), None
    if isinstance(v, _dt.datetime):
        if tz is not None and (v.tzinfo is None or v.utcoffset() is None):
            return _duly.format_instant(zoned_seconds(local_seconds(v), tz)), None
        return _duly.format_instant(instant_seconds(v, path)), None
    if is_integer(v):
        return attribute_value(name, int(v), path)
    if isinstance(v, numbers.Real) and not isinstance(v, np.timedelta64):
        try:
            f = float(v)
        except OverflowError:  # e.g. Fraction(10**400)
            return None, check.attribute_text(name, "the number is too large")
        return attribute_value(name, f, path)
    if isinstance(v, (list, tuple)):
        return list_value(name, v)
    if isinstance(v, np.ndarray) and v.ndim == 1:  # a list cell of pandas (e.g. from Arrow or parquet)
        return list_value(name, v.tolist())
    if isinstance(v, (Mapping, set, frozenset)):
        return None, check.attribute_text(name, check.nested())
    return None, check.attribute_text(
        name,
        f"unsupported value of type {type_name(v)} "
        "(expected str, a number, bool, an aware datetime, a list, or None to clear)",
    )
