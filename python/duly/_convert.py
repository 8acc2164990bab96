"""Conversions between Python/numpy time values and the integer seconds of ``duly._duly``.

Instants cross into C++ as int64 seconds since the Unix epoch (UTC) and
durations as int64 seconds; sub-second parts are floored (duly works in whole seconds).

- In: an *aware* ``datetime`` (any tzinfo) or ISO-8601 text with an offset.
  A naive datetime is an error that says how to fix it.
- Out: a ``datetime`` in ``datetime.timezone.utc``.
- Durations: ``timedelta`` or duration text (``"4h"``, ``"1h30m"``, ``"3bd"``).
- Arrays: numpy ``datetime64`` (read as UTC) and ``timedelta64`` of any unit,
  NaT kept as NaT (int64 minimum).
"""

from __future__ import annotations

import datetime as _dt
import numbers
import os
from fractions import Fraction
from typing import Any, SupportsInt, TypeGuard, Union

import numpy as np
import numpy.typing as npt

from . import _duly
from ._errors import Error, InvalidArgumentError

UTC = _dt.timezone.utc
EPOCH = _dt.datetime(1970, 1, 1, tzinfo=UTC)
NAT = np.iinfo(np.int64).min
_I64_MAX = np.iinfo(np.int64).max
_I64_MIN_VALUE = NAT + 1  # the most negative int64 that is not NaT

#: What an instant argument may be.
InstantLike = Union[_dt.datetime, str]
#: What a duration argument may be.
DurationLike = Union[_dt.timedelta, str]


def type_name(x: object) -> str:
    """``int``, ``numpy.ndarray``: a type's name for messages."""
    t = type(x)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def is_integer(x: object) -> TypeGuard[SupportsInt]:
    """An int or numpy integer, not a bool (an int to Python) nor a timedelta64
    (a numpy integer whose int() fails)."""
    return isinstance(x, numbers.Integral) and not isinstance(x, (bool, np.bool_, np.timedelta64))


def text_problem(s: str) -> str | None:
    """What makes ``s`` unusable as text (a lone surrogate), or None when it is fine.

    A ``str`` can hold code points that UTF-8 cannot encode (``"\\udcff"``, left
    by ``surrogateescape`` decoding or by a bad ``\\u`` escape); the compiled core
    works on UTF-8.
    """
    if s.isascii():  # constant time: CPython keeps the flag
        return None
    try:
        s.encode("utf-8")
    except UnicodeEncodeError as e:
        return f"not valid Unicode text: lone surrogate {s[e.start]!r} at index {e.start}"
    return None


def check_text(s: str, name: str) -> str:
    """``s`` itself, or an InvalidArgumentError naming ``name``."""
    problem = text_problem(s)
    if problem is not None:
        raise InvalidArgumentError(problem, path=name)
    return s


def bad_text_rows(values: list[str]) -> list[int]:
    """Positions of the strings of ``values`` that are not valid text (one pass when none is)."""
    try:
        "".join(values).encode("utf-8")
    except UnicodeEncodeError:
        return [i for i, v in enumerate(values) if text_problem(v) is not None]
    return []


def document_text(text: object, what: str) -> str:
    """The ``text`` argument of ``from_yaml``/``from_json``: a str of valid text."""
    if isinstance(text, str):
        return check_text(str(text), "text")
    raise InvalidArgumentError(
        f"expected the {what} document as str, got {type_name(text)}"
        + (": decode it first, e.g. text.decode('utf-8')" if isinstance(text, (bytes, bytearray)) else ""),
        path="text",
    )


def source_name(source: object) -> str:
    """The ``source`` argument of ``from_yaml``/``from_json``: None or a str."""
    if source is None:
        return ""
    if isinstance(source, str):
        return check_text(str(source), "source")
    raise InvalidArgumentError(f"expected the source name as str or None, got {type_name(source)}", path="source")


def file_path(path: object, name: str = "path") -> bytes:
    """A file path (str, bytes or os.PathLike) as the bytes the OS gets."""
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise InvalidArgumentError(
            f"expected a file path (str or os.PathLike), got {type_name(path)}", path=name
        )
    try:
        raw = os.fsencode(path)
    except UnicodeEncodeError as e:
        raise InvalidArgumentError(
            f"not a valid file name: {e.object[e.start]!r} at index {e.start} cannot be encoded", path=name
        ) from None
    except TypeError as e:  # an os.PathLike whose __fspath__ returns something else
        raise InvalidArgumentError(f"not a file path: {e}", path=name) from None
    if b"\0" in raw:
        raise InvalidArgumentError(f"a file name cannot contain a NUL character: {os.fsdecode(raw)!r}", path=name)
    return raw


def is_nat(x: object) -> bool:
    """pandas' NaT (a datetime subclass), recognised without importing pandas."""
    return type(x).__name__ == "NaTType"


#: Instants that ``_duly.format_instant`` writes correctly: years 0001 to 9999.
_FORMATTABLE = (-62135596800, 253402300800)


def format_instant(s: int) -> str:
    """``2026-11-23T15:30:00Z``; outside years 0001-9999, ``<seconds>s``."""
    if _FORMATTABLE[0] <= s < _FORMATTABLE[1]:
        return _duly.format_instant(s)
    return f"{s}s"


def naive_message(dt: _dt.datetime) -> str:
    return (
        f"naive datetime {dt}: attach a time zone, e.g. "
        "dt.replace(tzinfo=datetime.timezone.utc) or "
        'dt.replace(tzinfo=zoneinfo.ZoneInfo("America/New_York"))'
    )


def instant_seconds(t: object, name: str) -> int:
    """An aware datetime or ISO-8601 text -> seconds since the epoch (floored)."""
    if is_nat(t):
        raise InvalidArgumentError("NaT is not an instant", path=name)
    if isinstance(t, _dt.datetime):
        if t.tzinfo is None or t.utcoffset() is None:
            raise InvalidArgumentError(naive_message(t), path=name)
        delta = t - EPOCH
        # timedelta keeps days and seconds floored, so this floors sub-seconds.
        return delta.days * 86400 + delta.seconds
    if isinstance(t, str):
        try:
            return _duly.parse_instant(check_text(str(t), name))
        except Error as e:
            raise e.with_path(name) from None
    if isinstance(t, _dt.date):
        raise InvalidArgumentError(
            f"expected an aware datetime, got the date {t}: use e.g. "
            "datetime.datetime.combine(d, datetime.time(), tzinfo=datetime.timezone.utc)",
            path=name,
        )
    raise InvalidArgumentError(
        f"expected an aware datetime.datetime or ISO-8601 text, got {type_name(t)}", path=name
    )


def instant_from_seconds(s: int) -> _dt.datetime:
    """Seconds since the epoch -> a UTC-aware datetime."""
    return EPOCH + _dt.timedelta(seconds=s)


def duration_seconds(d: object, name: str) -> tuple[int, int]:
    """A timedelta or duration text -> (seconds, business days); seconds floored."""
    if is_nat(d):
        raise InvalidArgumentError("NaT is not a duration", path=name)
    if isinstance(d, _dt.timedelta):
        return d.days * 86400 + d.seconds, 0
    if isinstance(d, str):
        try:
            seconds, business_days = _duly.parse_duration(check_text(str(d), name))
        except Error as e:
            raise e.with_path(name) from None
        return seconds, business_days
    if isinstance(d, np.timedelta64):
        s = int(timedelta64_seconds(np.asarray(d), name).reshape(-1)[0])
        if s == NAT:
            raise InvalidArgumentError("NaT is not a duration", path=name)
        return s, 0
    raise InvalidArgumentError(
        f"expected a datetime.timedelta or duration text such as '4h' or '1h30m', got {type_name(d)}",
        path=name,
    )


# --- numpy arrays -------------------------------------------------------------

# Length of one tick of each linear numpy unit, in seconds.
_UNIT_SECONDS: dict[str, Fraction] = {
    "W": Fraction(604800),
    "D": Fraction(86400),
    "h": Fraction(3600),
    "m": Fraction(60),
    "s": Fraction(1),
    "ms": Fraction(1, 10**3),
    "us": Fraction(1, 10**6),
    "ns": Fraction(1, 10**9),
    "ps": Fraction(1, 10**12),
    "fs": Fraction(1, 10**15),
    "as": Fraction(1, 10**18),
}


def _ticks_to_seconds(ticks: npt.NDArray[np.int64], tick: Fraction) -> npt.NDArray[np.int64]:
    """floor(ticks * tick) for int64 ticks, NaT kept, overflow saturated.

    A value that does not fit becomes the largest (or most negative non-NaT)
    int64, far outside the supported range, so the compiled core reports it as
    out of range (or as a negative duration) with its index.
    """
    if tick == 1:
        return ticks  # already seconds (a view: callers never write to it)
    nat = ticks == NAT
    num, den = tick.numerator, tick.denominator
    if den == 1:
        limit = _I64_MAX // num
        over = (ticks > limit) | (ticks < -limit)
        out = np.where(over, _saturated(ticks), ticks * np.where(over, 0, num))
    elif num == 1:
        out = np.floor_divide(ticks, den)
    else:
        # floor(t * num / den) without overflowing t * num.
        q, r = np.divmod(ticks, den)
        limit = _I64_MAX // num // 2
        over = (q > limit) | (q < -limit)
        q = np.where(over, 0, q)
        out = np.where(over, _saturated(q), q * num + (r * num) // den)
    return np.where(nat, NAT, out).astype(np.int64, copy=False)


def _saturated(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    return np.where(values < 0, _I64_MIN_VALUE, _I64_MAX)


def _array(x: object, name: str) -> npt.NDArray[Any]:
    dtype = getattr(x, "dtype", None)
    if dtype is not None and getattr(dtype, "tz", None) is not None and hasattr(x, "to_numpy"):
        # A time-zone-aware pandas Series or DatetimeIndex: its UTC values.
        x = x.to_numpy(dtype=f"datetime64[{getattr(dtype, 'unit', 'ns')}]")
    if isinstance(x, np.ma.MaskedArray):
        # Masked elements are missing values: NaT, as for pandas' NaT.
        mask = np.ma.getmaskarray(x)
        arr = np.ma.getdata(x)
        arr = arr.astype(arr.dtype.newbyteorder("="))  # a native-order copy
        if arr.dtype.kind in "mM" and mask.any():
            arr.view(np.int64)[mask] = NAT
        return _array(arr, name)
    arr = np.asarray(x)
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr


def datetime64_seconds(x: object, name: str) -> npt.NDArray[np.int64]:
    """A datetime64 array (any unit, read as UTC) -> int64 seconds, same shape."""
    arr = _array(x, name)
    if arr.dtype.kind != "M":
        raise InvalidArgumentError(
            f"expected a numpy datetime64 array, got dtype {arr.dtype}", path=name
        )
    unit, count = np.datetime_data(arr.dtype)
    ticks = arr.view(np.int64)
    if unit in _UNIT_SECONDS:
        return _ticks_to_seconds(ticks, _UNIT_SECONDS[unit] * count)
    # Years, months and the generic unit: numpy converts those exactly; values
    # that would overflow as seconds are out of range anyway.
    too_far = (ticks != NAT) & (np.abs(np.where(ticks == NAT, 0, ticks)) > 10**9)
    safe = np.where(too_far, 0, ticks).view(arr.dtype)
    out = safe.astype("datetime64[s]").view(np.int64)
    return np.where(too_far, _saturated(ticks), out).astype(np.int64, copy=False)


def datetime64_fraction(x: object, name: str) -> npt.NDArray[np.uint32]:
    """A datetime64 array (any unit, read as UTC) -> the nanoseconds past each
    floored second (uint32, 0 for NaT and for units of a second or coarser)."""
    arr = _array(x, name)
    unit, count = np.datetime_data(arr.dtype)
    per_second = {"ms": 10**3, "us": 10**6, "ns": 10**9}.get(unit)
    ticks = arr.view(np.int64)
    if per_second is None or per_second % count != 0:
        return np.zeros(ticks.shape, dtype=np.uint32)
    per_second //= count
    within = np.mod(np.where(ticks == NAT, 0, ticks), per_second)
    return (within * (10**9 // per_second)).astype(np.uint32)


def timedelta64_seconds(x: object, name: str) -> npt.NDArray[np.int64]:
    """A timedelta64 array (fixed-length unit) -> int64 seconds (floored), same shape."""
    arr = _array(x, name)
    if arr.dtype.kind != "m":
        raise InvalidArgumentError(
            f"expected a numpy timedelta64 array, got dtype {arr.dtype}", path=name
        )
    unit, count = np.datetime_data(arr.dtype)
    ticks = arr.view(np.int64)
    if unit == "generic":
        if np.any(ticks != NAT):
            raise InvalidArgumentError(
                f"timedelta64 without a unit has no length in seconds: give one, e.g. "
                f"np.timedelta64(4, 'h')",
                path=name,
            )
        return ticks.astype(np.int64)
    if unit not in _UNIT_SECONDS:
        raise InvalidArgumentError(
            f"{arr.dtype} has no fixed length in seconds: use days or smaller units", path=name
        )
    return _ticks_to_seconds(ticks, _UNIT_SECONDS[unit] * count)


def durations_seconds(x: object, name: str) -> npt.NDArray[np.int64]:
    """A timedelta64 array, or one timedelta / duration text -> int64 seconds."""
    if isinstance(x, (_dt.timedelta, str)):
        seconds, business_days = duration_seconds(x, name)
        if business_days:
            raise InvalidArgumentError(
                f"business days ({x!r}) are not supported here: use add_business_days", path=name
            )
        return np.array(seconds, dtype=np.int64)
    return timedelta64_seconds(x, name)


def broadcast_shape(
    a: npt.NDArray[Any], a_name: str, b: npt.NDArray[Any], b_name: str
) -> tuple[int, ...]:
    """Equal shapes, or one side a scalar (0-d); otherwise an error naming both."""
    if a.shape == b.shape or b.ndim == 0:
        return a.shape
    if a.ndim == 0:
        return b.shape
    raise InvalidArgumentError(
        f"{a_name} has shape {a.shape} but {b_name} has shape {b.shape}: "
        "give arrays of one shape, or a single value",
        path=b_name,
    )


def flat(a: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """A C-contiguous 1-d int64 view or copy."""
    return np.ascontiguousarray(a, dtype=np.int64).reshape(-1)

