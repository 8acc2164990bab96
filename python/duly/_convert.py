"""Conversions between Python/numpy time values and the integer seconds of ``duly._duly``.

Instants cross into C++ as int64 seconds since the Unix epoch (UTC) and
durations as int64 seconds; sub-second parts are floored (SPEC section 2).

- In: an *aware* ``datetime`` (any tzinfo) or ISO-8601 text with an offset.
  A naive datetime is an error that says how to fix it.
- Out: a ``datetime`` in ``datetime.timezone.utc``.
- Durations: ``timedelta`` or duration text (``"4h"``, ``"1h30m"``, ``"3bd"``).
- Arrays: numpy ``datetime64`` (read as UTC) and ``timedelta64`` of any unit,
  NaT kept as NaT (int64 minimum).
"""

from __future__ import annotations

import datetime as _dt
from fractions import Fraction
from typing import Any, Union

import numpy as np
import numpy.typing as npt

from . import _duly
from ._errors import InvalidArgumentError

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


def naive_message(dt: _dt.datetime) -> str:
    return (
        f"naive datetime {dt}: attach a time zone, e.g. "
        "dt.replace(tzinfo=datetime.timezone.utc) or "
        'dt.replace(tzinfo=zoneinfo.ZoneInfo("America/New_York"))'
    )


def instant_seconds(t: object, name: str) -> int:
    """An aware datetime or ISO-8601 text -> seconds since the epoch (floored)."""
    if isinstance(t, _dt.datetime):
        if t.tzinfo is None or t.utcoffset() is None:
            raise InvalidArgumentError(naive_message(t), path=name)
        delta = t - EPOCH
        # timedelta keeps days and seconds floored, so this floors sub-seconds.
        return delta.days * 86400 + delta.seconds
    if isinstance(t, str):
        try:
            return _duly.parse_instant(t)
        except InvalidArgumentError as e:
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
    if isinstance(d, _dt.timedelta):
        return d.days * 86400 + d.seconds, 0
    if isinstance(d, str):
        try:
            seconds, business_days = _duly.parse_duration(d)
        except InvalidArgumentError as e:
            raise e.with_path(name) from None
        return seconds, business_days
    if isinstance(d, np.timedelta64):
        (s,) = timedelta64_seconds(np.asarray(d), name).tolist()
        if s == NAT:
            raise InvalidArgumentError("NaT is not a duration", path=name)
        return int(s), 0
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

