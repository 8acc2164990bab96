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
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _duly
from ._calendar_spec import (
    _INT64,
    DateLike,
    HolidayLike,
    Windows,
    ZoneLike,
    _canonical,
    _document,
    _zone_name,
)
from ._convert import (
    DurationLike,
    InstantLike,
    broadcast_shape,
    datetime64_seconds,
    document_text,
    duration_seconds,
    durations_seconds,
    file_path,
    flat,
    instant_from_seconds,
    is_integer,
    instant_seconds,
    source_name,
    type_name,
)
from ._errors import Error, InvalidArgumentError, OutOfRangeError

__all__ = ["Calendar", "load_calendar"]

def _blame(e: Error, out_of_range: str, other: str) -> Error:
    """``e`` with a path when it has none: ``out_of_range`` for a result past the
    supported years or a too long duration, ``other`` (the instant) otherwise."""
    if e.path is not None:
        return e
    return e.with_path(out_of_range if isinstance(e, OutOfRangeError) else other)


# --- the calendar --------------------------------------------------------------------


class Calendar:
    """A time zone, weekly open hours, holidays and dated exceptions (docs/calendars.md).

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
        holidays: Iterable[HolidayLike] | Mapping[DateLike, str] | None = None,
        exceptions: Mapping[DateLike, Windows] | Sequence[Mapping[str, Any]] | None = None,
        *,
        versions: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        if versions is not None and (hours is not None or holidays is not None or exceptions is not None):
            raise InvalidArgumentError(
                "with versions, give timezone, hours, holidays and exceptions inside each version", path="versions"
            )
        text = _document(timezone, hours, holidays, exceptions, versions)
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
    def from_yaml(
        cls, text: str, *, source: str | None = None, base_dir: str | os.PathLike[str] | None = None
    ) -> Calendar:
        """Parse a YAML calendar document; errors carry ``line``, ``column`` and ``path``.

        ``source`` names the text in messages (like a file name). Relative
        ``{ics: PATH}`` holiday files are read from ``base_dir`` (default: the
        working directory).
        """
        base = "" if base_dir is None else os.fspath(base_dir)
        return cls._wrap(_duly.Calendar.parse(document_text(text, "calendar"), source_name(source), base))

    @classmethod
    def from_json(
        cls, text: str, *, source: str | None = None, base_dir: str | os.PathLike[str] | None = None
    ) -> Calendar:
        """Parse a JSON calendar document (same schema and reader as ``from_yaml``)."""
        base = "" if base_dir is None else os.fspath(base_dir)
        return cls._wrap(_duly.Calendar.parse(document_text(text, "calendar"), source_name(source), base))

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
        return json.dumps(self.to_dict(), sort_keys=False, ensure_ascii=False)

    def holidays_in(self, year: int) -> list[_dt.date]:
        """The holidays of a local year, after substitute days are placed, sorted.

        Exceptions and timed closures are not included; empty outside 1970-2199.
        """
        if not is_integer(year):
            raise InvalidArgumentError(f"expected a year as an int, got {type_name(year)}", path="year")
        y = int(year)
        if not 1 <= y <= 9999:
            return []
        return [_dt.date.fromisoformat(d) for d in self._native.holidays_in(y)]

    def with_timezone(self, timezone: ZoneLike) -> Calendar:
        """The same hours, holidays and exceptions read in another zone."""
        name = _zone_name(timezone)
        try:
            return Calendar._wrap(self._native.with_timezone(name))
        except Error as e:
            raise e.with_path("timezone") from None

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
        (48 hours of open time), ``"3bd"`` (business days, see
        ``add_business_days``) or ``"30cd"`` (calendar days, see
        ``add_calendar_days``). A deadline can fall exactly on a closing time.
        """
        ts = instant_seconds(t, "t")
        seconds, business_days, calendar_days = duration_seconds(d, "d")
        try:
            if business_days:
                return instant_from_seconds(self._native.add_business_days(ts, business_days))
            if calendar_days:
                return instant_from_seconds(self._native.add_calendar_days(ts, calendar_days))
            return instant_from_seconds(self._native.add(ts, seconds))
        except Error as e:
            raise _blame(e, "d", "t") from None

    def subtract(self, t: InstantLike, d: DurationLike) -> _dt.datetime:
        """The latest t0 <= t with d of open time in [t0, t) (d >= 0)."""
        ts = instant_seconds(t, "t")
        seconds, business_days, calendar_days = duration_seconds(d, "d")
        if business_days or calendar_days:
            kind = "business" if business_days else "calendar"
            raise InvalidArgumentError(
                f"{kind} days ({d!r}) cannot be subtracted: give a duration such as '8h'", path="d"
            )
        try:
            return instant_from_seconds(self._native.subtract(ts, seconds))
        except Error as e:
            raise _blame(e, "d", "t") from None

    def elapsed(self, a: InstantLike, b: InstantLike) -> _dt.timedelta:
        """Open time in [a, b); negative when b < a."""
        sa, sb = instant_seconds(a, "a"), instant_seconds(b, "b")
        try:
            return _dt.timedelta(seconds=self._native.elapsed(sa, sb))
        except Error as e:
            raise _blame(e, "b", "a") from None

    def is_open(self, t: InstantLike) -> bool:
        """Whether the calendar is open at t."""
        return self._native.is_open(instant_seconds(t, "t"))

    def next_open(self, t: InstantLike) -> _dt.datetime:
        """The earliest open instant >= t."""
        ts = instant_seconds(t, "t")
        try:
            return instant_from_seconds(self._native.next_open(ts))
        except Error as e:
            raise _blame(e, "t", "t") from None

    def next_close(self, t: InstantLike) -> _dt.datetime:
        """The earliest instant >= t that is not open."""
        ts = instant_seconds(t, "t")
        try:
            return instant_from_seconds(self._native.next_close(ts))
        except Error as e:
            raise _blame(e, "t", "t") from None

    def add_business_days(self, t: InstantLike, n: int) -> _dt.datetime:
        """The last closing time of the n-th open day after t's local date (n >= 0; 0 gives t)."""
        if not is_integer(n):
            raise InvalidArgumentError(f"expected an int, got {type_name(n)}", path="n")
        ts = instant_seconds(t, "t")
        days = int(n)
        if days >= _INT64:
            raise OutOfRangeError(
                "that many business days fall after the supported years 1970 to 2199", path="n"
            )
        if days < -_INT64:
            raise InvalidArgumentError("negative number of business days: n must be >= 0", path="n")
        try:
            return instant_from_seconds(self._native.add_business_days(ts, days))
        except Error as e:
            raise _blame(e, "n", "t") from None

    def add_calendar_days(self, t: InstantLike, n: int) -> _dt.datetime:
        """t's wall-clock reading n local days later in the calendar's zone (n >= 0; 0 gives t).

        Open hours play no part; a time a DST change skips is reached at the change,
        a repeated one at its first occurrence ("net 30" as ``"30cd"``).
        """
        if not is_integer(n):
            raise InvalidArgumentError(f"expected an int, got {type_name(n)}", path="n")
        ts = instant_seconds(t, "t")
        days = int(n)
        if days >= _INT64:
            raise OutOfRangeError(
                "that many calendar days fall after the supported years 1970 to 2199", path="n"
            )
        if days < -_INT64:
            raise InvalidArgumentError("negative number of calendar days: n must be >= 0", path="n")
        try:
            return instant_from_seconds(self._native.add_calendar_days(ts, days))
        except Error as e:
            raise _blame(e, "n", "t") from None

    def open_intervals(
        self, start: InstantLike, end: InstantLike
    ) -> list[tuple[_dt.datetime, _dt.datetime]]:
        """The merged open intervals that meet [start, end), clipped to it."""
        s, e_ = instant_seconds(start, "start"), instant_seconds(end, "end")
        try:
            spans = self._native.open_intervals(s, e_)
        except Error as e:
            raise _blame(e, "end", "start") from None
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
    return Calendar._wrap(_duly.Calendar.load(file_path(path)))
