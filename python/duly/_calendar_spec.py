"""Calendar keyword arguments as calendar documents, and back.

``duly.Calendar(...)`` turns its keyword arguments into a JSON document for the
C++ reader (``_document``), so every way of making a calendar accepts the same
things; ``to_dict`` turns the validated definition back into canonical keyword
arguments (``_canonical``).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Union

import numpy as np

from ._convert import check_text, is_integer, type_name
from ._errors import InvalidArgumentError

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
