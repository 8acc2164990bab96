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
import math
import numbers
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Union

import numpy as np
import numpy.typing as npt

from . import _duly
from ._convert import (
    DurationLike,
    InstantLike,
    broadcast_shape,
    check_text,
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

#: A window such as ``"09:00-17:00"``, or a list of them.
Windows = Union[str, Sequence[str]]
#: A date as ``datetime.date`` or ``"YYYY-MM-DD"``.
DateLike = Union[_dt.date, str]
#: A holiday: a date, or a rule such as ``{"month": 11, "weekday": "thu", "nth": 4}``.
HolidayLike = Union[DateLike, Mapping[str, Any]]
#: A time zone: an IANA name, a ``zoneinfo.ZoneInfo``, or ``datetime.timezone.utc``.
ZoneLike = Union[str, _dt.tzinfo]

_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: How deep keyword arguments may nest (a calendar needs 3 levels: a holiday rule
#: in the holidays list); deeper data, or a list that contains itself, is an error
#: rather than a RecursionError.
_MAX_DEPTH = 16
#: Integers beyond int64 are errors here (the reader takes whole numbers within it).
_INT64 = 2**63


# --- keyword arguments -> JSON document -----------------------------------------


def _json_value(x: object, path: str, depth: int = 0) -> Any:
    """Plain JSON data for a keyword argument; dates become ISO text."""
    if depth > _MAX_DEPTH:
        raise InvalidArgumentError(f"nested more than {_MAX_DEPTH} levels deep (or contains itself)", path=path)
    if x is None or isinstance(x, bool):
        return x
    if isinstance(x, str):
        return check_text(str(x), path)
    if isinstance(x, np.bool_):
        return bool(x)
    if is_integer(x):
        i = int(x)
        if not -_INT64 <= i < _INT64:
            raise InvalidArgumentError("the integer is out of range (more than 64 bits)", path=path)
        return i
    if isinstance(x, numbers.Real) and not isinstance(x, np.timedelta64):
        try:
            f = float(x)
        except OverflowError:
            f = math.inf
        if not math.isfinite(f):
            raise InvalidArgumentError(f"expected a finite number, got {f}", path=path)
        return f
    if isinstance(x, _dt.datetime):
        raise InvalidArgumentError(f"expected a date, got the datetime {x}: use its .date()", path=path)
    if isinstance(x, _dt.date):
        return x.isoformat()
    if isinstance(x, Mapping):
        out = {}
        for key, value in x.items():
            if isinstance(key, _dt.datetime) or not isinstance(key, (str, _dt.date)):
                raise InvalidArgumentError(
                    f"keys must be text or dates, got {type_name(key)} {_short_repr(key)}", path=path
                )
            k = check_text(str(key), path) if isinstance(key, str) else key.isoformat()
            out[k] = _json_value(value, f"{path}.{k}" if path else k, depth + 1)
        return out
    if isinstance(x, (list, tuple)):
        return [_json_value(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(x)]
    raise InvalidArgumentError(f"unexpected {type_name(x)} {_short_repr(x)}", path=path)


def _holidays_value(x: object) -> list[Any]:
    """``holidays=`` as JSON data: a mapping of dates to names (such as the
    ``holidays`` package's objects), or any iterable of dates, date text and rule
    dicts, mixed."""
    if isinstance(x, Mapping):
        out: list[Any] = []
        for key, name in x.items():
            if isinstance(key, _dt.datetime) or not isinstance(key, (_dt.date, str)):
                raise InvalidArgumentError(
                    f"a mapping of holidays needs dates as keys, got {type_name(key)} {_short_repr(key)}",
                    path="holidays",
                )
            day = key.isoformat() if isinstance(key, _dt.date) else check_text(str(key), "holidays")
            path = f"holidays.{day}"
            if name is None or name == "":
                out.append(day)
            elif isinstance(name, str):
                out.append({"name": check_text(str(name), path), "date": day})
            else:
                raise InvalidArgumentError(
                    f"expected the holiday's name as text, got {type_name(name)} {_short_repr(name)}", path=path
                )
        return out
    if isinstance(x, (str, bytes)) or not isinstance(x, Iterable):
        raise InvalidArgumentError(
            f"expected dates and rules (a list, or a mapping of dates to names), got {type_name(x)} {_short_repr(x)}",
            path="holidays",
        )
    return [_json_value(h, f"holidays[{i}]", 1) for i, h in enumerate(x)]


def _short_repr(x: object) -> str:
    """repr(x) for a message: at most 80 characters, and never an exception."""
    try:
        r = repr(x)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not hide the real problem
        return f"<{type_name(x)}>"
    return r if len(r) <= 80 else r[:77] + "..."


def _blame(e: Error, out_of_range: str, other: str) -> Error:
    """``e`` with a path when it has none: ``out_of_range`` for a result past the
    supported years or a too long duration, ``other`` (the instant) otherwise."""
    if e.path is not None:
        return e
    return e.with_path(out_of_range if isinstance(e, OutOfRangeError) else other)


def _zone_name(timezone: object) -> Any:
    if isinstance(timezone, str):
        return check_text(str(timezone), "timezone")
    key = getattr(timezone, "key", None)  # zoneinfo.ZoneInfo
    if isinstance(key, str):
        return key
    if timezone == _dt.timezone.utc:
        return "UTC"
    raise InvalidArgumentError(
        f"expected an IANA time zone name such as 'America/New_York' or a zoneinfo.ZoneInfo, "
        f"got {type_name(timezone)} {_short_repr(timezone)}",
        path="timezone",
    )


def _document(timezone: object, hours: object, holidays: object, exceptions: object, versions: object = None) -> str:
    if versions is not None:
        if isinstance(versions, (str, bytes, Mapping)) or not isinstance(versions, Iterable):
            raise InvalidArgumentError(f"expected a list of versions, got {type_name(versions)}", path="versions")
        out = []
        for i, v in enumerate(versions):
            if not isinstance(v, Mapping):
                raise InvalidArgumentError(
                    f"expected a version such as {{'from': '2026-01-01', 'hours': ...}}, got {type_name(v)}",
                    path=f"versions[{i}]",
                )
            entry = json.loads(
                _document(v.get("timezone", "UTC"), v.get("hours"), v.get("holidays"), v.get("exceptions"))
            )
            extra = {k: v[k] for k in v if k not in ("timezone", "hours", "holidays", "exceptions")}
            out.append({**_json_value(extra, f"versions[{i}]", 1), **entry})
        return json.dumps({"versions": out}, ensure_ascii=False, allow_nan=False)
    doc: dict[str, Any] = {"timezone": _zone_name(timezone)}
    if hours is not None:
        doc["hours"] = _json_value(hours, "hours")
    if holidays is not None:
        doc["holidays"] = _holidays_value(holidays)
    if exceptions is not None:
        doc["exceptions"] = _json_value(exceptions, "exceptions")
    # ensure_ascii=False: the reader (YAML) takes UTF-8 but not the JSON escapes of
    # surrogate pairs ("\\ud83c\\udf84") that json.dumps writes for characters
    # beyond the BMP by default.
    return json.dumps(doc, ensure_ascii=False, allow_nan=False)


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
    years = {k: h[k] for k in ("since", "until") if h.get(k) is not None}
    if kind == "date":
        if (not name or name == h["date"]) and not years:
            return str(h["date"])
        return {"name": name, "date": h["date"], **years}
    out: dict[str, Any] = {"name": name} if name else {}
    if kind == "fixed_day":
        out.update(month=h["month"], day=h["day"])
        if h["observed"] != "none":
            out["observed"] = h["observed"]
    elif kind == "nth_weekday":
        out.update(month=h["month"], weekday=h["weekday"], nth=h["nth"])
    else:
        out["easter"] = h["offset_days"]
    out.update(years)
    return out


def _canonical(spec: dict[str, Any]) -> dict[str, Any]:
    if "versions" in spec:
        return {"versions": [{"from": v["from"], **_canonical(v)} for v in spec["versions"]]}
    out: dict[str, Any] = {"timezone": spec["timezone"]}
    if spec["hours"] is not None:
        out["hours"] = _hours(spec["hours"])
    holidays: list[Any] = [_holiday(h) for h in spec["holidays"]]
    for c in spec.get("closed", []):
        span = {k: c[k] for k in ("name", "timezone") if c[k]}
        holidays.append({**span, "start": c["start"], "end": c["end"]})
    if holidays:
        out["holidays"] = holidays
    if spec.get("yearly_exceptions"):
        dated: list[dict[str, Any]] = [{"date": d, "hours": list(ws)} for d, ws in spec["exceptions"].items()]
        yearly: list[dict[str, Any]] = []
        for e in spec["yearly_exceptions"]:
            rule = _holiday(e)
            entry: dict[str, Any] = {"date": rule} if isinstance(rule, str) else dict(rule)  # type: ignore[arg-type]
            entry["hours"] = list(e["hours"])
            yearly.append(entry)
        out["exceptions"] = dated + yearly
    elif spec["exceptions"]:
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
        (48 hours of open time), or ``"3bd"`` (business days, see
        ``add_business_days``). A deadline can fall exactly on a closing time.
        """
        ts = instant_seconds(t, "t")
        seconds, business_days = duration_seconds(d, "d")
        try:
            if business_days:
                return instant_from_seconds(self._native.add_business_days(ts, business_days))
            return instant_from_seconds(self._native.add(ts, seconds))
        except Error as e:
            raise _blame(e, "d", "t") from None

    def subtract(self, t: InstantLike, d: DurationLike) -> _dt.datetime:
        """The latest t0 <= t with d of open time in [t0, t) (d >= 0)."""
        ts = instant_seconds(t, "t")
        seconds, business_days = duration_seconds(d, "d")
        if business_days:
            raise InvalidArgumentError(
                f"business days ({d!r}) cannot be subtracted: give a duration such as '8h'", path="d"
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
