"""``duly.Calendar``: business calendars on aware datetimes and numpy arrays.

A thin layer over ``duly._duly.Calendar``, which works on integer seconds.
Keyword arguments are turned into a JSON document and read by the same
validator as YAML/JSON files, so every way of making a calendar accepts the
same things and reports problems with the same element paths
(``hours.mon-fri[0]``).
"""

from __future__ import annotations

import datetime as _dt
import json
import numbers
import os
from collections.abc import Mapping, Sequence
from typing import Any, Union

import numpy as np
import numpy.typing as npt

from . import _duly
from ._convert import (
    DurationLike,
    InstantLike,
    broadcast_shape,
    datetime64_seconds,
    duration_seconds,
    durations_seconds,
    flat,
    instant_from_seconds,
    instant_seconds,
    type_name,
)
from ._errors import Error, InvalidArgumentError

__all__ = ["Calendar", "load_calendar"]

#: A window such as ``"09:00-17:00"``, or a list of them.
Windows = Union[str, Sequence[str]]
#: A date as ``datetime.date`` or ``"YYYY-MM-DD"``.
DateLike = Union[_dt.date, str]
#: A holiday: a date, or a rule such as ``{"month": 11, "weekday": "thu", "nth": 4}``.
HolidayLike = Union[DateLike, Mapping[str, Any]]
#: A time zone: an IANA name, a ``zoneinfo.ZoneInfo``, or ``datetime.timezone.utc``.
ZoneLike = Union[str, _dt.tzinfo]

_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# --- keyword arguments -> JSON document -----------------------------------------


def _json_value(x: object, path: str) -> Any:
    """Plain JSON data for a keyword argument; dates become ISO text."""
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, numbers.Integral):
        return int(x)
    if isinstance(x, numbers.Real):
        return float(x)
    if isinstance(x, _dt.datetime):
        raise InvalidArgumentError(f"expected a date, got the datetime {x}: use its .date()", path=path)
    if isinstance(x, _dt.date):
        return x.isoformat()
    if isinstance(x, Mapping):
        out = {}
        for key, value in x.items():
            if isinstance(key, _dt.datetime) or not isinstance(key, (str, _dt.date)):
                raise InvalidArgumentError(
                    f"keys must be text or dates, got {type_name(key)} {key!r}", path=path
                )
            k = key if isinstance(key, str) else key.isoformat()
            out[k] = _json_value(value, f"{path}.{k}" if path else k)
        return out
    if isinstance(x, (list, tuple)):
        return [_json_value(v, f"{path}[{i}]") for i, v in enumerate(x)]
    raise InvalidArgumentError(f"unexpected {type_name(x)} {x!r}", path=path)


def _zone_name(timezone: object) -> Any:
    if isinstance(timezone, str):
        return timezone
    key = getattr(timezone, "key", None)  # zoneinfo.ZoneInfo
    if isinstance(key, str):
        return key
    if timezone == _dt.timezone.utc:
        return "UTC"
    raise InvalidArgumentError(
        f"expected an IANA time zone name such as 'America/New_York' or a zoneinfo.ZoneInfo, "
        f"got {type_name(timezone)} {timezone!r}",
        path="timezone",
    )


def _document(timezone: object, hours: object, holidays: object, exceptions: object) -> str:
    doc: dict[str, Any] = {"timezone": _zone_name(timezone)}
    if hours is not None:
        doc["hours"] = _json_value(hours, "hours")
    if holidays is not None:
        doc["holidays"] = _json_value(holidays, "holidays")
    if exceptions is not None:
        doc["exceptions"] = _json_value(exceptions, "exceptions")
    return json.dumps(doc)


# --- validated spec -> canonical keyword arguments ----------------------------------


def _windows(ws: list[str]) -> Windows:
    return ws[0] if len(ws) == 1 else list(ws)


def _hours(days: list[list[str]]) -> dict[str, Windows]:
    if days[0] and all(d == days[0] for d in days):
        return {"daily": _windows(days[0])}
    out: dict[str, Windows] = {}
    i = 0
    while i < 7:
        if not days[i]:
            i += 1
            continue
        j = i
        while j + 1 < 7 and days[j + 1] == days[i]:
            j += 1
        key = _DAY_KEYS[i] if i == j else f"{_DAY_KEYS[i]}-{_DAY_KEYS[j]}"
        out[key] = _windows(days[i])
        i = j + 1
    return out


def _holiday(h: dict[str, Any]) -> HolidayLike:
    name = h["name"]
    kind = h["type"]
    if kind == "date":
        if not name or name == h["date"]:
            return str(h["date"])
        return {"name": name, "date": h["date"]}
    out: dict[str, Any] = {"name": name} if name else {}
    if kind == "fixed_day":
        out.update(month=h["month"], day=h["day"])
        if h["observed"] != "none":
            out["observed"] = h["observed"]
    elif kind == "nth_weekday":
        out.update(month=h["month"], weekday=h["weekday"], nth=h["nth"])
    else:
        out["easter"] = h["offset_days"]
    return out


def _canonical(spec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"timezone": spec["timezone"]}
    if spec["hours"] is not None:
        out["hours"] = _hours(spec["hours"])
    if spec["holidays"]:
        out["holidays"] = [_holiday(h) for h in spec["holidays"]]
    if spec["exceptions"]:
        out["exceptions"] = {d: list(ws) for d, ws in spec["exceptions"].items()}
    return out


# --- the calendar --------------------------------------------------------------------


class Calendar:
    """A time zone, weekly open hours, holidays and dated exceptions (SPEC section 3).

    Arguments mirror the calendar document::

        cal = duly.Calendar(
            timezone="America/New_York",
            hours={"mon-fri": "09:00-17:00"},        # absent: open 24x7
            holidays=[datetime.date(2026, 12, 25),   # dates or rules
                      {"name": "Thanksgiving", "month": 11, "weekday": "thu", "nth": 4}],
            exceptions={"2026-12-24": ["09:00-12:00"], "2026-12-31": []},
        )
        cal.add(datetime.datetime(2026, 11, 20, 16, tzinfo=ZoneInfo("America/New_York")),
                datetime.timedelta(hours=2))
        # -> datetime.datetime(2026, 11, 23, 15, 0, tzinfo=datetime.timezone.utc)  (Mon 10:00 EST)

    Instants are aware ``datetime``s in any zone (or ISO-8601 text with an
    offset); results are in UTC. Sub-second parts are floored. Invalid input
    raises a ``duly.Error`` subclass whose ``path`` names the element.

    Thread-safety: immutable; share it between threads freely. ``add_many`` and
    ``elapsed_many`` release the GIL while they compute. Calendars pickle (by
    their definition), so they travel to worker processes.
    """

    __slots__ = ("_native",)
    _native: _duly.Calendar

    def __init__(
        self,
        timezone: ZoneLike = "UTC",
        hours: Mapping[str, Windows] | None = None,
        holidays: Sequence[HolidayLike] | None = None,
        exceptions: Mapping[DateLike, Windows] | None = None,
    ) -> None:
        text = _document(timezone, hours, holidays, exceptions)
        try:
            native = _duly.Calendar.parse(text)
        except Error as e:
            # Positions would point into the generated JSON; the paths say it all.
            raise e.without_position() from None
        self._native = native

    @classmethod
    def _wrap(cls, native: _duly.Calendar) -> Calendar:
        self = cls.__new__(cls)
        self._native = native
        return self

    @classmethod
    def from_yaml(cls, text: str, *, source: str | None = None) -> Calendar:
        """Parse a YAML calendar document; errors carry ``line``, ``column`` and ``path``.

        ``source`` names the text in messages (like a file name).
        """
        return cls._wrap(_duly.Calendar.parse(text, source or ""))

    @classmethod
    def from_json(cls, text: str, *, source: str | None = None) -> Calendar:
        """Parse a JSON calendar document (same schema and reader as ``from_yaml``)."""
        return cls._wrap(_duly.Calendar.parse(text, source or ""))

    # --- what it is -------------------------------------------------------------

    @property
    def timezone(self) -> str:
        """The IANA name of the calendar's time zone."""
        return self._native.timezone

    def to_dict(self) -> dict[str, Any]:
        """The definition as ``Calendar(**kwargs)`` keyword arguments (plain JSON data)."""
        return _canonical(self._native.spec())

    def to_json(self) -> str:
        """The definition as a JSON calendar document; ``from_json`` reads it back."""
        return json.dumps(self.to_dict(), sort_keys=False)

    def with_timezone(self, timezone: ZoneLike) -> Calendar:
        """The same hours, holidays and exceptions read in another zone."""
        return Calendar._wrap(self._native.with_timezone(_zone_name(timezone)))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items())
        return f"duly.Calendar({args})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Calendar):
            return NotImplemented
        return self._native.spec() == other._native.spec()

    def __hash__(self) -> int:
        return hash(self.to_json())

    def __reduce__(self) -> tuple[Any, ...]:
        return (_from_json, (self.to_json(),))

    def __copy__(self) -> Calendar:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Calendar:
        return self

    # --- arithmetic on aware datetimes ------------------------------------------

    def add(self, t: InstantLike, d: DurationLike) -> _dt.datetime:
        """The earliest T >= t with d of open time in [t, T) (d >= 0).

        ``d`` is a ``timedelta`` or duration text: ``"4h"``, ``"1h30m"``, ``"2d"``
        (48 hours of open time), or ``"3bd"`` (business days, see
        ``add_business_days``). A deadline can fall exactly on a closing time.
        """
        ts = instant_seconds(t, "t")
        seconds, business_days = duration_seconds(d, "d")
        if business_days:
            return instant_from_seconds(self._native.add_business_days(ts, business_days))
        return instant_from_seconds(self._native.add(ts, seconds))

    def subtract(self, t: InstantLike, d: DurationLike) -> _dt.datetime:
        """The latest t0 <= t with d of open time in [t0, t) (d >= 0)."""
        ts = instant_seconds(t, "t")
        seconds, business_days = duration_seconds(d, "d")
        if business_days:
            raise InvalidArgumentError(
                f"business days ({d!r}) cannot be subtracted: give a duration such as '8h'", path="d"
            )
        return instant_from_seconds(self._native.subtract(ts, seconds))

    def elapsed(self, a: InstantLike, b: InstantLike) -> _dt.timedelta:
        """Open time in [a, b); negative when b < a."""
        return _dt.timedelta(
            seconds=self._native.elapsed(instant_seconds(a, "a"), instant_seconds(b, "b"))
        )

    def is_open(self, t: InstantLike) -> bool:
        """Whether the calendar is open at t."""
        return self._native.is_open(instant_seconds(t, "t"))

    def next_open(self, t: InstantLike) -> _dt.datetime:
        """The earliest open instant >= t."""
        return instant_from_seconds(self._native.next_open(instant_seconds(t, "t")))

    def next_close(self, t: InstantLike) -> _dt.datetime:
        """The earliest instant >= t that is not open."""
        return instant_from_seconds(self._native.next_close(instant_seconds(t, "t")))

    def add_business_days(self, t: InstantLike, n: int) -> _dt.datetime:
        """The last closing time of the n-th open day after t's local date (n >= 0; 0 gives t)."""
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            raise InvalidArgumentError(f"expected an int, got {type_name(n)}", path="n")
        return instant_from_seconds(self._native.add_business_days(instant_seconds(t, "t"), int(n)))

    def open_intervals(
        self, start: InstantLike, end: InstantLike
    ) -> list[tuple[_dt.datetime, _dt.datetime]]:
        """The merged open intervals that meet [start, end), clipped to it."""
        spans = self._native.open_intervals(instant_seconds(start, "start"), instant_seconds(end, "end"))
        return [(instant_from_seconds(a), instant_from_seconds(b)) for a, b in spans]

    # --- vectorised ---------------------------------------------------------------

    def add_many(self, starts: npt.ArrayLike, durations: npt.ArrayLike | DurationLike) -> npt.NDArray[np.datetime64]:
        """``add`` over arrays: datetime64 starts (read as UTC) plus timedelta64 durations.

        ``durations`` may also be one ``timedelta`` or duration text, used for
        every start. Shapes must be equal, or one side a single value. Any unit
        is accepted and floored to seconds; NaT in gives NaT out. Returns
        ``datetime64[s]`` (UTC). The loop runs without the GIL.
        """
        s = datetime64_seconds(starts, "starts")
        d = durations_seconds(durations, "durations")
        shape = broadcast_shape(s, "starts", d, "durations")
        out = self._native.add_many(flat(s), flat(d))
        return out.reshape(shape).view("datetime64[s]")

    def elapsed_many(self, starts: npt.ArrayLike, ends: npt.ArrayLike) -> npt.NDArray[np.timedelta64]:
        """``elapsed`` over datetime64 arrays (read as UTC); returns ``timedelta64[s]``.

        Shapes must be equal, or one side a single value; NaT in gives NaT out.
        The loop runs without the GIL.
        """
        a = datetime64_seconds(starts, "starts")
        b = datetime64_seconds(ends, "ends")
        shape = broadcast_shape(a, "starts", b, "ends")
        out = self._native.elapsed_many(flat(a), flat(b))
        return out.reshape(shape).view("timedelta64[s]")


def _from_json(text: str) -> Calendar:
    return Calendar.from_json(text)


def load_calendar(path: str | os.PathLike[str]) -> Calendar:
    """Read a calendar file (YAML or JSON); errors name the file, line and column."""
    return Calendar._wrap(_duly.Calendar.load(os.fspath(path)))
