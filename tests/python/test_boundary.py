"""The Python boundary: no input from Python crashes the interpreter, and every
bad one raises a ``duly.Error`` subclass whose ``path`` names the argument (or
the DataFrame column, or the element) - or, for event data, becomes a rejected
row whose reason names the field.

The convention (docs/python.md, "Errors"): bad values *and* wrong Python types
of an argument are ``duly.InvalidArgumentError`` (a ``ValueError``), as they
have always been for instants, durations, events and policies; ``TypeError``
comes only from Python's own call checks (a wrong number of arguments, an
unknown keyword) and from ``duly.Policy()``, which cannot be called. Exceptions
raised by the caller's own objects (a generator that raises, a broken
``__int__``) pass through unchanged.

Every case runs in a child interpreter, so that a crash (a segfault in the
compiled core, a stack overflow) fails that case instead of killing pytest: the
child runs the cases one after the other and writes each outcome to a file; if
it dies, the case it was running is reported as crashed (with the child's
faulthandler traceback) and a new child goes on from the next case. The random
garbage of ``hypothesis`` (events as dicts and DataFrames, calendar keyword
arguments, method arguments, arrays, conditions) runs there too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
import pathlib
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import duly

# Text columns that can hold lone surrogates, also in the child interpreters (see conftest.py).
pd.set_option("mode.string_storage", "python")

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
HELPDESK = ROOT / "examples" / "helpdesk"

UTC = dt.timezone.utc
T = dt.datetime(2026, 11, 20, 16, tzinfo=UTC)
AS_OF = "2026-12-01T00:00:00Z"
OFFICE = duly.Calendar(timezone="America/New_York", hours={"mon-fri": "09:00-17:00"})
ALWAYS = duly.Calendar()
NEVER = duly.Calendar(hours={"mon": []})
POLICY = duly.load_policy(HELPDESK / "policy.yaml")
EVENT: dict[str, Any] = {
    "id": "A", "at": "2026-11-20T10:00:00Z", "event": "created", "priority": "P2", "channel": "email",
}

# --- the cases -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Case:
    """``call()`` raises ``raises`` with ``e.path == path`` and ``text`` in ``str(e)``,
    or (``raises`` None) returns a value for which ``check`` holds."""

    id: str
    call: Callable[[], object]
    raises: type[BaseException] | None = None
    path: str | None = None
    text: str = ""
    check: Callable[[Any], object] | None = None


CASES: list[Case] = []


def bad(id: str, call: Callable[[], object], raises: type[BaseException], path: str | None, text: str = "") -> None:
    CASES.append(Case(id, call, raises, path, text))


def ok(id: str, call: Callable[[], object], check: Callable[[Any], object] | None = None) -> None:
    CASES.append(Case(id, call, check=check))


def evaluate(events: object, **kwargs: Any) -> duly.Evaluation:
    return duly.evaluate(POLICY, events, AS_OF, **kwargs)


def rejects(id: str, events: Callable[[], object], *reasons: str) -> None:
    """Evaluating ``events()`` rejects rows (1, 2, ...) with these reasons (substrings)."""

    def check(r: duly.Evaluation) -> None:
        got = [x.reason for x in r.rejected]
        assert len(got) >= len(reasons), got
        for reason, text in zip(got, reasons):
            assert text in reason, (text, got)

    ok(id, lambda: evaluate(events()), check)


def event(**changes: Any) -> list[dict[str, Any]]:
    return [{**EVENT, **changes}]


def frame(**columns: Any) -> pd.DataFrame:
    """Two created tickets; ``columns`` replace or add columns."""
    df = pd.DataFrame(
        {
            "id": ["A", "B"],
            "at": pd.to_datetime(["2026-11-20T10:00Z", "2026-11-21T10:00Z"]),
            "event": ["created", "created"],
            "priority": ["P2", "P3"],
        }
    )
    for name, values in columns.items():
        df[name] = values
    return df


def deep_dict(depth: int) -> dict[str, Any]:
    root: dict[str, Any] = {}
    node = root
    for _ in range(depth):
        node["a"] = {}
        node = node["a"]
    return root


def deep_tuple(depth: int) -> tuple[Any, ...]:
    t: tuple[Any, ...] = ()
    for _ in range(depth):
        t = (t,)
    return t


DEEP_TUPLE = deep_tuple(50_000)  # made once: the garbage collector walks it whole


class BrokenRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr fails")


_TMP: list[pathlib.Path] = []


def tmp_file(name: bytes, content: bytes) -> bytes:
    """A file in a temporary directory of the child (removed with it); its path as bytes."""
    if not _TMP:
        _TMP.append(pathlib.Path(tempfile.mkdtemp(prefix="duly-boundary-")))
    path = os.fsencode(_TMP[0]) + b"/" + name
    with open(path, "wb") as f:
        f.write(content)
    return path


def chain(n: int) -> str:
    """A policy whose start_when has n 'or's."""
    condition = " or ".join(f'event == "e{i}"' for i in range(n)) + ' or event == "created"'
    return f"""duly: 1
calendars: {{}}
targets:
  - name: t
    start_when: '{condition}'
    goals:
      - {{within: 1h}}
"""


# Calendar(...) keyword arguments.
bad("Calendar.timezone.None", lambda: duly.Calendar(timezone=None), duly.InvalidArgumentError, "timezone", "NoneType")  # type: ignore[arg-type]
bad("Calendar.timezone.offset", lambda: duly.Calendar(timezone=dt.timezone(dt.timedelta(hours=2))),
    duly.InvalidArgumentError, "timezone", "IANA")
bad("Calendar.timezone.surrogate", lambda: duly.Calendar(timezone="Europe/\udcffParis"),
    duly.InvalidArgumentError, "timezone", "lone surrogate '\\udcff' at index 7")
bad("Calendar.timezone.nul", lambda: duly.Calendar(timezone="UTC\x00x"), duly.UnknownZoneError, "timezone")
bad("Calendar.timezone.long", lambda: duly.Calendar(timezone="A" * 1_000_000), duly.UnknownZoneError, "timezone")
bad("Calendar.timezone.path", lambda: duly.Calendar(timezone="../../etc/passwd"), duly.UnknownZoneError, "timezone")
bad("Calendar.hours.str", lambda: duly.Calendar(hours="mon-fri"), duly.InvalidArgumentError, "hours")  # type: ignore[arg-type]
bad("Calendar.hours.surrogate", lambda: duly.Calendar(hours={"mon": "09:00-1\udcff:00"}),
    duly.InvalidArgumentError, "hours.mon", "lone surrogate")
bad("Calendar.hours.surrogate-key", lambda: duly.Calendar(hours={"m\udcffn": "09:00-17:00"}),
    duly.InvalidArgumentError, "hours", "lone surrogate")
bad("Calendar.hours.nan", lambda: duly.Calendar(hours={"mon": math.nan}), duly.InvalidArgumentError, "hours.mon", "finite")  # type: ignore[dict-item]
bad("Calendar.hours.none-key", lambda: duly.Calendar(hours={None: "09:00-17:00"}), duly.InvalidArgumentError, "hours", "keys")  # type: ignore[dict-item]
bad("Calendar.hours.ndarray", lambda: duly.Calendar(hours={"mon": np.array(["09:00-17:00"])}),  # type: ignore[dict-item]
    duly.InvalidArgumentError, "hours.mon", "numpy.ndarray")
bad("Calendar.hours.deep", lambda: duly.Calendar(hours=deep_dict(100_000)),
    duly.InvalidArgumentError, "hours" + ".a" * 17, "nested")
_cycle: list[Any] = []
_cycle.append(_cycle)
bad("Calendar.holidays.cycle", lambda: duly.Calendar(holidays=_cycle), duly.InvalidArgumentError, "holidays" + "[0]" * 17, "itself")
bad("Calendar.holidays.huge-int", lambda: duly.Calendar(holidays=[{"month": 2**70, "day": 1}]),
    duly.InvalidArgumentError, "holidays[0].month", "64 bits")
bad("Calendar.holidays.huge-fraction", lambda: duly.Calendar(holidays=[{"easter": Fraction(10**400)}]),
    duly.InvalidArgumentError, "holidays[0].easter", "finite")
bad("Calendar.holidays.name-surrogate", lambda: duly.Calendar(holidays=[{"name": "\ud800", "month": 1, "day": 1}]),
    duly.InvalidArgumentError, "holidays[0].name", "lone surrogate")
bad("Calendar.holidays.broken-repr", lambda: duly.Calendar(holidays=[BrokenRepr()]),  # type: ignore[list-item]
    duly.InvalidArgumentError, "holidays[0]", "BrokenRepr")
bad("Calendar.exceptions.broken-repr-key", lambda: duly.Calendar(exceptions={BrokenRepr(): []}),  # type: ignore[dict-item]
    duly.InvalidArgumentError, "exceptions", "keys must be text or dates, got test_boundary.BrokenRepr <test_boundary.BrokenRepr>")
bad("Calendar.exceptions.bytes", lambda: duly.Calendar(exceptions={"2026-12-24": [b"09:00-12:00"]}),  # type: ignore[list-item]
    duly.InvalidArgumentError, "exceptions.2026-12-24[0]", "bytes")
bad("Calendar.too-many-arguments", lambda: duly.Calendar("UTC", None, None, None, 5), TypeError, None)  # type: ignore[call-arg]
bad("Calendar.unknown-keyword", lambda: duly.Calendar(zone="UTC"), TypeError, None)  # type: ignore[call-arg]


def _emoji_round_trip() -> duly.Calendar:
    # json.dumps escapes characters beyond the BMP as surrogate pairs, which the
    # document reader does not take: keyword arguments and to_json must not do so.
    cal = duly.Calendar(holidays=[{"name": "🎄 Noël", "month": 12, "day": 25}])
    assert duly.Calendar.from_json(cal.to_json()) == cal
    assert pickle.loads(pickle.dumps(cal)) == cal
    return cal


ok("Calendar.holidays.emoji-round-trip", _emoji_round_trip, lambda c: c.to_dict()["holidays"][0]["name"] == "🎄 Noël")
ok("Calendar.holidays.nul-in-name", lambda: duly.Calendar(holidays=[{"name": "a\x00b", "month": 1, "day": 1}]),
   lambda c: c.to_dict()["holidays"][0]["name"] == "a\x00b")
ok("Calendar.exceptions.many", lambda: duly.Calendar(
    exceptions={dt.date(2000, 1, 1) + dt.timedelta(days=i): [] for i in range(20_000)}))

# Documents: from_yaml / from_json, for calendars and policies.
for kind, parse in [
    ("Calendar.from_yaml", duly.Calendar.from_yaml),
    ("Calendar.from_json", duly.Calendar.from_json),
    ("Policy.from_yaml", duly.Policy.from_yaml),
    ("Policy.from_json", duly.Policy.from_json),
]:
    what = "calendar" if kind.startswith("Calendar") else "policy"
    bad(f"{kind}.text.None", lambda parse=parse: parse(None), duly.InvalidArgumentError, "text", f"{what} document as str, got NoneType")  # type: ignore[arg-type]
    bad(f"{kind}.text.int", lambda parse=parse: parse(5), duly.InvalidArgumentError, "text", "got int")  # type: ignore[arg-type]
    bad(f"{kind}.text.bytes", lambda parse=parse: parse(b"timezone: UTC"), duly.InvalidArgumentError, "text", "decode it first")  # type: ignore[arg-type]
    bad(f"{kind}.text.surrogate", lambda parse=parse: parse("timezone: \udcff"), duly.InvalidArgumentError, "text",
        "lone surrogate '\\udcff' at index 10")
    bad(f"{kind}.source.int", lambda parse=parse: parse("timezone: UTC", source=5), duly.InvalidArgumentError, "source")  # type: ignore[arg-type]
    bad(f"{kind}.source.surrogate", lambda parse=parse: parse("timezone: [", source="a\udcff"), duly.InvalidArgumentError, "source")
    bad(f"{kind}.deep", lambda parse=parse: parse("[" * 200_000), duly.ParseError, None)
    bad(f"{kind}.deep-json", lambda parse=parse: parse('{"a":' * 100_000), duly.ParseError, None)
    bad(f"{kind}.nul", lambda parse=parse: parse("timezone: UTC\x00\n"), duly.ParseError, None)
    bad(f"{kind}.two-documents", lambda parse=parse: parse("a: 1\n---\nb: 2\n"), duly.ParseError, None, "more than one document")
    # The reader takes UTF-8 but not JSON's escaped surrogate pairs (see docs/python.md).
    bad(f"{kind}.escaped-surrogate-pair", lambda parse=parse: parse('{"timezone": "\\ud83c\\udf84"}'), duly.ParseError, None)
bad("Calendar.from_yaml.long-line", lambda: duly.Calendar.from_yaml("timezone: " + "x" * 5_000_000),
    duly.UnknownZoneError, "timezone")
bad("Policy.from_yaml.long-line", lambda: duly.Policy.from_yaml("duly: 1\ntargets: " + "x" * 5_000_000),
    duly.InvalidArgumentError, "targets")
bad("Policy()", lambda: duly.Policy(), TypeError, None)

# Conditions the core could parse but not evaluate: its evaluator recurses once
# per 'and'/'or' and overflowed the stack (SIGSEGV) from about 40,000 of them.
ok("Policy.condition.1000-operators",
   lambda: duly.evaluate(duly.Policy.from_yaml(chain(1000)), event(), AS_OF),
   lambda r: r.timers[0].state == "breached")
bad("Policy.condition.1001-operators", lambda: duly.Policy.from_yaml(chain(1001)),
    duly.ParseError, "targets[0].start_when", "condition too long: 1001 'and'/'or' operators, at most 1000")
bad("Policy.condition.50000-operators", lambda: duly.evaluate(duly.Policy.from_yaml(chain(50_000)), event(), AS_OF),
    duly.ParseError, "targets[0].start_when", "too long")
bad("Policy.condition.goal", lambda: duly.Policy.from_yaml(
    chain(1).replace("{within: 1h}", "{when: '" + " and ".join(["a == 1"] * 2000) + "', within: 1h}")),
    duly.ParseError, "targets[0].goals[0].when", "too long")
bad("Policy.condition.escalation", lambda: duly.Policy.from_yaml(
    chain(1) + "escalations:\n  - {name: e, target: t, at: 50%, when: '" + " or ".join(["a == 1"] * 2000) + "', do: []}\n"),
    duly.ParseError, "escalations[0].when", "too long")
ok("Policy.condition.and-in-strings", lambda: duly.Policy.from_yaml(
    chain(1).replace('event == "created"', 'event in ["' + " and " * 3000 + '", "created"]')))

# Files.
for name, load in [("load_calendar", duly.load_calendar), ("load_policy", duly.load_policy)]:
    bad(f"{name}.None", lambda load=load: load(None), duly.InvalidArgumentError, "path", "got NoneType")  # type: ignore[arg-type]
    bad(f"{name}.int", lambda load=load: load(3), duly.InvalidArgumentError, "path", "got int")  # type: ignore[arg-type]
    bad(f"{name}.list", lambda load=load: load(["a.yaml"]), duly.InvalidArgumentError, "path", "got list")  # type: ignore[arg-type]
    bad(f"{name}.nul", lambda load=load: load("a\x00b.yaml"), duly.InvalidArgumentError, "path", "NUL")
    bad(f"{name}.surrogate", lambda load=load: load("/tmp/\ud800.yaml"), duly.InvalidArgumentError, "path", "cannot be encoded")
    bad(f"{name}.directory", lambda load=load: load(HELPDESK), duly.IoError, None, "is a directory")
    bad(f"{name}.missing", lambda load=load: load("/nonexistent/x.yaml"), duly.IoError, None, "/nonexistent/x.yaml")
    bad(f"{name}.missing-undecodable", lambda load=load: load(b"/nonexistent/\xff.yaml"), duly.IoError, None, "/nonexistent/\\xff.yaml")
    bad(f"{name}.missing-surrogateescape", lambda load=load: load("/nonexistent/\udcff.yaml"), duly.IoError, None, "\\xff")
    bad(f"{name}.long-name", lambda load=load: load("x" * 100_000), duly.IoError, None)
bad("load_policy.latin-1-comment",
    lambda: duly.load_policy(tmp_file(b"latin1.yaml", b"# caf\xe9\n" + (HELPDESK / "policy.yaml").read_bytes())),
    duly.ParseError, None, "latin1.yaml:1:6: not UTF-8 text: byte 0xE9")
bad("load_policy.latin-1-name",
    lambda: duly.load_policy(tmp_file(b"name.yaml", chain(1).replace("name: t", "name: t\xff".encode("latin-1").decode("latin-1")).encode("latin-1"))),
    duly.ParseError, None, "name.yaml:4:12: not UTF-8 text: byte 0xFF")
bad("load_calendar.latin-1",
    lambda: duly.load_calendar(tmp_file(b"cal.yaml", b'timezone: UTC\nholidays:\n  - {name: "caf\xe9", month: 1, day: 1}\n')),
    duly.ParseError, None, "cal.yaml:3:16:")


def _policy_from_undecodable_name() -> duly.Policy:
    policy = duly.load_policy(tmp_file(b"p\xff.yaml", (HELPDESK / "policy.yaml").read_bytes()))
    assert pickle.loads(pickle.dumps(policy)) == policy
    return policy


ok("load_policy.undecodable-file-name", _policy_from_undecodable_name,
   lambda p: p.source_name.endswith("p\\xff.yaml") and p.targets == ("first_response", "resolution"))
ok("load_calendar.bytes-path", lambda: duly.load_calendar(tmp_file(b"c.yaml", b"timezone: UTC\n")),
   lambda c: c.timezone == "UTC")

# Instant arguments of every Calendar method.
BAD_INSTANTS: list[tuple[str, object, type[duly.Error], str]] = [
    ("None", None, duly.InvalidArgumentError, "NoneType"),
    ("int", 1_700_000_000, duly.InvalidArgumentError, "got int"),
    ("huge-int", 2**70, duly.InvalidArgumentError, "got int"),
    ("float", 1.5, duly.InvalidArgumentError, "got float"),
    ("naive", dt.datetime(2026, 11, 20, 16), duly.InvalidArgumentError, "naive datetime"),
    ("date", dt.date(2026, 11, 20), duly.InvalidArgumentError, "got the date"),
    ("NaT", pd.NaT, duly.InvalidArgumentError, "NaT is not an instant"),
    ("datetime64", np.datetime64("2026-11-20T16:00"), duly.InvalidArgumentError, "numpy.datetime64"),
    ("surrogate", "2026-11-20T16:00:00\udcffZ", duly.InvalidArgumentError, "lone surrogate"),
    ("nul", "2026-11-20T16:00:00Z\x00", duly.InvalidArgumentError, "not an ISO-8601 instant"),
    ("no-offset", "2026-11-20T16:00:00", duly.InvalidArgumentError, "no UTC offset"),
    ("long", "2" * 1_000_000, duly.InvalidArgumentError, "not an ISO-8601 instant"),
    ("bytes", b"2026-11-20T16:00:00Z", duly.InvalidArgumentError, "got bytes"),
    ("max", dt.datetime.max.replace(tzinfo=UTC), duly.OutOfRangeError, "9999-12-31T23:59:59Z"),
    ("max-west", dt.datetime.max.replace(tzinfo=dt.timezone(-dt.timedelta(hours=23))), duly.OutOfRangeError, "outside"),
    ("min", dt.datetime.min.replace(tzinfo=UTC), duly.OutOfRangeError, "0001-01-01T00:00:00Z"),
    ("2200", "2200-01-01T00:00:00Z", duly.OutOfRangeError, "outside the supported range"),
    ("1969", "1969-12-31T23:59:59Z", duly.OutOfRangeError, "outside the supported range"),
]
INSTANT_METHODS: list[tuple[str, str, Callable[[object], object]]] = [
    ("add", "t", lambda t: OFFICE.add(t, "1h")),  # type: ignore[arg-type]
    ("subtract", "t", lambda t: OFFICE.subtract(t, "1h")),  # type: ignore[arg-type]
    ("is_open", "t", lambda t: OFFICE.is_open(t)),  # type: ignore[arg-type]
    ("next_open", "t", lambda t: OFFICE.next_open(t)),  # type: ignore[arg-type]
    ("next_close", "t", lambda t: OFFICE.next_close(t)),  # type: ignore[arg-type]
    ("add_business_days", "t", lambda t: OFFICE.add_business_days(t, 1)),  # type: ignore[arg-type]
    ("elapsed.a", "a", lambda t: OFFICE.elapsed(t, T)),  # type: ignore[arg-type]
    ("elapsed.b", "b", lambda t: OFFICE.elapsed(T, t)),  # type: ignore[arg-type]
    ("open_intervals.start", "start", lambda t: OFFICE.open_intervals(t, T)),  # type: ignore[arg-type]
    ("open_intervals.end", "end", lambda t: OFFICE.open_intervals(T, t)),  # type: ignore[arg-type]
    ("evaluate.as_of", "as_of", lambda t: duly.evaluate(POLICY, [EVENT], t)),  # type: ignore[arg-type]
    ("explain.as_of", "as_of", lambda t: duly.explain(POLICY, [EVENT], "A", as_of=t)),  # type: ignore[arg-type]
]
for method, argument, call in INSTANT_METHODS:
    for label, value, cls, text in BAD_INSTANTS:
        if method == "explain.as_of" and value is None:
            continue  # the default: the record's latest event
        bad(f"{method}.{label}", lambda call=call, value=value: call(value), cls, argument, text)

# Duration arguments.
BAD_DURATIONS: list[tuple[str, object, type[duly.Error], str]] = [
    ("None", None, duly.InvalidArgumentError, "NoneType"),
    ("int", 3600, duly.InvalidArgumentError, "got int"),
    ("huge-int", 2**70, duly.InvalidArgumentError, "got int"),
    ("float", 1.5, duly.InvalidArgumentError, "got float"),
    ("surrogate", "1\udcffh", duly.InvalidArgumentError, "lone surrogate"),
    ("nul", "1h\x00", duly.InvalidArgumentError, "invalid duration"),
    ("unit", "4x", duly.InvalidArgumentError, "invalid duration"),
    ("negative", dt.timedelta(seconds=-1), duly.InvalidArgumentError, "negative duration"),
    ("timedelta.min", dt.timedelta.min, duly.InvalidArgumentError, "negative duration"),
    ("timedelta.max", dt.timedelta.max, duly.OutOfRangeError, "longer than the supported"),
    ("text-too-long", "99999999999999999999999h", duly.OutOfRangeError, "too long"),
    ("past-2199", dt.timedelta(days=100_000), duly.OutOfRangeError, "supported years"),
    ("NaT", np.timedelta64("NaT"), duly.InvalidArgumentError, "NaT is not a duration"),
    ("pd.NaT", pd.NaT, duly.InvalidArgumentError, "NaT is not a duration"),
    ("years", np.timedelta64(1, "Y"), duly.InvalidArgumentError, "no fixed length"),
    ("generic", np.timedelta64(5), duly.InvalidArgumentError, "without a unit"),
    ("huge-weeks", np.timedelta64(2**62, "W"), duly.OutOfRangeError, "longer than the supported"),
    ("array", np.array([1], "m8[h]"), duly.InvalidArgumentError, "numpy.ndarray"),
]
for method, call2 in [("add", OFFICE.add), ("subtract", OFFICE.subtract)]:
    for label, value, cls, text in BAD_DURATIONS:
        if method == "subtract" and label == "past-2199":
            text = "before the supported years"
        bad(f"{method}.d.{label}", lambda call2=call2, value=value: call2(T, value), cls, "d", text)  # type: ignore[operator]
    ok(f"{method}.d.timedelta64", lambda call2=call2: call2(T, np.timedelta64(90, "m")),  # type: ignore[operator]
       lambda r, call2=call2: r == call2(T, dt.timedelta(minutes=90)))  # type: ignore[operator]
    ok(f"{method}.d.pandas-Timedelta", lambda call2=call2: call2(T, pd.Timedelta("1h")))  # type: ignore[operator]
bad("subtract.d.business-days", lambda: OFFICE.subtract(T, "3bd"), duly.InvalidArgumentError, "d", "business days")
bad("add.never-open", lambda: NEVER.add(T, "1h"), duly.NeverOpenError, "t")
bad("next_open.never-open", lambda: NEVER.next_open(T), duly.NeverOpenError, "t")
bad("next_close.24x7", lambda: ALWAYS.next_close(T), duly.NeverClosesError, "t")
bad("next_open.end-of-range", lambda: NEVER.next_open("2199-12-31T18:00:00Z"), duly.OutOfRangeError, "t")

# add_business_days(t, n).
for label, n, cls, text in [
    ("None", None, duly.InvalidArgumentError, "NoneType"),
    ("float", 1.0, duly.InvalidArgumentError, "float"),
    ("str", "1", duly.InvalidArgumentError, "str"),
    ("bool", True, duly.InvalidArgumentError, "bool"),
    ("numpy-bool", np.bool_(True), duly.InvalidArgumentError, "bool"),
    ("0-d-array", np.array(3), duly.InvalidArgumentError, "ndarray"),
    ("negative", -1, duly.InvalidArgumentError, "negative number of business days -1"),
    ("huge-negative", -(2**70), duly.InvalidArgumentError, "negative number of business days"),
    ("huge", 2**70, duly.OutOfRangeError, "supported years"),
    ("uint64-max", np.uint64(2**64 - 1), duly.OutOfRangeError, "supported years"),
    ("10**12", 10**12, duly.OutOfRangeError, "supported years"),
]:
    bad(f"add_business_days.n.{label}", lambda n=n: OFFICE.add_business_days(T, n), cls, "n", text)  # type: ignore[arg-type]
ok("add_business_days.n.int64", lambda: OFFICE.add_business_days(T, np.int64(3)))

# with_timezone.
for label, zone, cls in [
    ("None", None, duly.InvalidArgumentError),
    ("int", 5, duly.InvalidArgumentError),
    ("surrogate", "\udcff", duly.InvalidArgumentError),
    ("unknown", "Mars/Base", duly.UnknownZoneError),
    ("nul", "UTC\x00", duly.UnknownZoneError),
]:
    bad(f"with_timezone.{label}", lambda zone=zone: OFFICE.with_timezone(zone), cls, "timezone")  # type: ignore[arg-type]
ok("with_timezone.ZoneInfo", lambda: OFFICE.with_timezone(ZoneInfo("Europe/Paris")), lambda c: c.timezone == "Europe/Paris")

# add_many / elapsed_many.
S = np.array(["2026-11-20T21:00", "2026-11-23T14:00"], dtype="datetime64[s]")
D = np.array([2, 8], dtype="timedelta64[h]")


def readonly(a: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    a = a.copy()
    a.setflags(write=False)
    return a


BAD_STARTS: list[tuple[str, Callable[[], object], str]] = [
    ("None", lambda: None, "dtype object"),
    ("int", lambda: 5, "dtype int64"),
    ("list-of-datetimes", lambda: [T, T], "dtype object"),
    ("naive-and-aware", lambda: [T, dt.datetime(2026, 1, 1)], "dtype object"),
    ("object", lambda: np.array([T, T], dtype=object), "dtype object"),
    ("float", lambda: np.array([1.0, 2.0]), "dtype float64"),
    ("bool", lambda: np.array([True, False]), "dtype bool"),
    ("unicode", lambda: np.array(["2026-11-20T21:00", "x"]), "dtype <U16"),
    ("structured", lambda: np.zeros(2, dtype=[("a", "M8[s]"), ("b", "i8")]), "dtype [("),
    ("timedelta", lambda: D, "timedelta64[h]"),
    ("text", lambda: "2026-11-20T21:00Z", "dtype <U17"),
    ("dict", lambda: {"a": S}, "dtype object"),
]
for label, make, text in BAD_STARTS:
    bad(f"add_many.starts.{label}", lambda make=make: OFFICE.add_many(make(), "1h"), duly.InvalidArgumentError, "starts", text)  # type: ignore[arg-type]
    bad(f"elapsed_many.ends.{label}", lambda make=make: OFFICE.elapsed_many(S, make()), duly.InvalidArgumentError, "ends", text)  # type: ignore[arg-type]
for label, make, text in [
    ("None", lambda: None, "dtype object"),
    ("float", lambda: np.array([1.0, 2.0]), "dtype float64"),
    ("int", lambda: np.array([1, 2]), "dtype int64"),
    ("bool", lambda: np.array([True, False]), "dtype bool"),
    ("object", lambda: np.array([dt.timedelta(hours=1)] * 2, dtype=object), "dtype object"),
    ("unicode", lambda: np.array(["1h", "2h"]), "dtype <U2"),
    ("structured", lambda: np.zeros(2, dtype=[("a", "m8[s]")]), "dtype [("),
    ("months", lambda: np.array([1, 1], dtype="m8[M]"), "no fixed length"),
    ("business-days", lambda: "3bd", "business days"),
    ("shape", lambda: np.array([1, 2, 3], dtype="m8[h]"), "shape (3,)"),
    ("2-d", lambda: D.reshape(1, 2), "shape (1, 2)"),
    ("generic", lambda: np.array([5, 5], dtype="m8"), "without a unit"),
]:
    bad(f"add_many.durations.{label}", lambda make=make: OFFICE.add_many(S, make()), duly.InvalidArgumentError, "durations", text)  # type: ignore[arg-type]
bad("add_many.durations.negative", lambda: OFFICE.add_many(S, np.array([1, -1], "m8[s]")),
    duly.InvalidArgumentError, "durations[1]", "negative duration")
bad("add_many.durations.too-long", lambda: OFFICE.add_many(S, np.array([1, 2**62], "m8[W]")),
    duly.OutOfRangeError, "durations[1]", "longer than the supported")
bad("add_many.durations.timedelta-max", lambda: OFFICE.add_many(S, dt.timedelta.max),
    duly.OutOfRangeError, "durations[0]", "longer than the supported")
bad("add_many.durations.past-2199", lambda: OFFICE.add_many(S, np.array([1, 100_000], "m8[D]")),
    duly.OutOfRangeError, "durations[1]", "supported years")
bad("add_many.starts.int64-max", lambda: OFFICE.add_many(np.array([0, 2**63 - 1], "M8[s]"), "1h"),
    duly.OutOfRangeError, "starts[1]", "outside the supported range")
bad("add_many.starts.years", lambda: OFFICE.add_many(np.array([2**40], "M8[Y]"), "1h"),
    duly.OutOfRangeError, "starts[0]", "outside the supported range")
bad("add_many.starts.1969", lambda: OFFICE.add_many(np.array(["1969-12-31T23:59:59"], "M8[s]"), "1h"),
    duly.OutOfRangeError, "starts[0]", "1969-12-31T23:59:59Z")
bad("add_many.never-open", lambda: NEVER.add_many(S, "1h"), duly.NeverOpenError, "starts[0]")
bad("elapsed_many.ends.out-of-range", lambda: OFFICE.elapsed_many(S, np.array(["2026-11-20", "2300-01-01"], "M8[D]")),
    duly.OutOfRangeError, "ends[1]")
bad("elapsed_many.shape", lambda: OFFICE.elapsed_many(S, S[:1]), duly.InvalidArgumentError, "ends", "shape (1,)")
bad("elapsed_many.empty-and-one", lambda: OFFICE.elapsed_many(S[:0], S[:1]), duly.InvalidArgumentError, "ends", "shape")
EXPECTED = OFFICE.add_many(S, D)
for label, make_s, make_d, check in [
    ("2-d", lambda: S.reshape(1, 2), lambda: D.reshape(1, 2), lambda r: r.shape == (1, 2) and (r.ravel() == EXPECTED).all()),
    ("0-d", lambda: S[0], lambda: np.array(2, "m8[h]"), lambda r: r.shape == () and r == EXPECTED[0]),
    ("0-d-and-array", lambda: np.array(S[0]), lambda: D, lambda r: r.shape == (2,)),
    ("empty", lambda: S[:0], lambda: "1h", lambda r: r.shape == (0,) and r.dtype == "M8[s]"),
    ("empty-2-d", lambda: np.zeros((0, 3), "M8[s]"), lambda: D[:0].reshape(0, 0)[:, :0] if False else np.timedelta64(1, "h"),
     lambda r: r.shape == (0, 3)),
    ("NaT", lambda: np.array(["NaT", "2026-11-20T21:00"], "M8[s]"), lambda: np.array([1, "NaT"], "m8[h]"),
     lambda r: np.isnat(r).all()),
    ("non-contiguous", lambda: np.repeat(S, 3)[::3], lambda: np.repeat(D, 2)[::2], lambda r: (r == EXPECTED).all()),
    ("fortran", lambda: np.asfortranarray(np.stack([S, S])), lambda: np.asfortranarray(np.stack([D, D])),
     lambda r: (r == np.stack([EXPECTED, EXPECTED])).all()),
    ("big-endian", lambda: S.astype(">M8[s]"), lambda: D.astype(">m8[h]"), lambda r: (r == EXPECTED).all()),
    ("readonly", lambda: readonly(S), lambda: readonly(D), lambda r: (r == EXPECTED).all()),
    ("nanoseconds", lambda: S.astype("M8[ns]"), lambda: D.astype("m8[ns]"), lambda r: (r == EXPECTED).all()),
    ("attoseconds", lambda: np.array([1], "M8[as]"), lambda: np.array([10**18], "m8[as]"), lambda r: r.dtype == "M8[s]"),
    ("months", lambda: np.array(["2026-11"], "M8[M]"), lambda: "1h", lambda r: r[0] == np.datetime64("2026-11-02T15:00")),
    ("25-second-unit", lambda: np.array([5], "M8[25s]"), lambda: "1h", lambda r: r.dtype == "M8[s]"),
    ("masked", lambda: np.ma.masked_array(S, mask=[True, False]), lambda: np.ma.masked_array(D, mask=[False, False]),
     lambda r: np.isnat(r[0]) and r[1] == EXPECTED[1]),
    ("pandas-aware", lambda: pd.Series(pd.to_datetime(["2026-11-20T21:00Z", "2026-11-23T14:00Z"])),
     lambda: pd.Series(pd.to_timedelta(["2h", "8h"])), lambda r: (r == EXPECTED).all()),
    ("pandas-NaT", lambda: pd.Series([pd.NaT, pd.NaT], dtype="datetime64[ns, UTC]"), lambda: "1h", lambda r: np.isnat(r).all()),
]:
    ok(f"add_many.{label}", lambda make_s=make_s, make_d=make_d: OFFICE.add_many(make_s(), make_d()), check)  # type: ignore[arg-type]
ok("elapsed_many.masked", lambda: OFFICE.elapsed_many(np.ma.masked_array(S, mask=[False, True]), S),
   lambda r: r[0] == np.timedelta64(0, "s") and np.isnat(r[1]))

# evaluate / explain: arguments.
for name, call3 in [
    ("evaluate", lambda **k: duly.evaluate(**{"policy": POLICY, "events": [EVENT], "as_of": AS_OF, **k})),
    ("explain", lambda **k: duly.explain(**{"policy": POLICY, "events": [EVENT], "id": "A", **k})),
]:
    bad(f"{name}.policy.None", lambda call3=call3: call3(policy=None), duly.InvalidArgumentError, "policy", "NoneType")
    bad(f"{name}.policy.native", lambda call3=call3: call3(policy=POLICY._native), duly.InvalidArgumentError, "policy")
    bad(f"{name}.policy.path", lambda call3=call3: call3(policy=str(HELPDESK / "policy.yaml")), duly.InvalidArgumentError, "policy", "load_policy")
    bad(f"{name}.events.None", lambda call3=call3: call3(events=None), duly.InvalidArgumentError, "events", "NoneType")
    bad(f"{name}.events.dict", lambda call3=call3: call3(events=EVENT), duly.InvalidArgumentError, "events", "one dict")
    bad(f"{name}.events.str", lambda call3=call3: call3(events="A"), duly.InvalidArgumentError, "events", "got str")
    bad(f"{name}.events.int", lambda call3=call3: call3(events=5), duly.InvalidArgumentError, "events", "got int")
    bad(f"{name}.naive-at", lambda call3=call3: call3(events=[EVENT, {**EVENT, "at": dt.datetime(2026, 11, 20)}]),
        duly.InvalidArgumentError, "events[1].at", "naive")
    bad(f"{name}.naive-attribute", lambda call3=call3: call3(events=event(opened=pd.Timestamp("2026-11-20"))),
        duly.InvalidArgumentError, "events[0].opened", "naive")
    bad(f"{name}.frame.naive-at", lambda call3=call3: call3(events=frame(at=pd.to_datetime(["2026-11-20", "2026-11-21"]))),
        duly.InvalidArgumentError, "at", "naive")
bad("evaluate.strict.str", lambda: evaluate([EVENT], strict="no"), duly.InvalidArgumentError, "strict", "got str")
bad("evaluate.strict.None", lambda: evaluate([EVENT], strict=None), duly.InvalidArgumentError, "strict")
bad("evaluate.strict.rejected", lambda: evaluate(event(id=None), strict=True), duly.InvalidArgumentError, None, "events:1: id:")
bad("evaluate.missing-argument", lambda: duly.evaluate(POLICY, [EVENT]), TypeError, None)  # type: ignore[call-arg]
for label, record, text in [
    ("None", None, "NoneType"),
    ("float", 1.5, "float"),
    ("surrogate", "A\udcff", "lone surrogate"),
    ("huge-int", 10**5000, "too many digits"),
    ("unknown", "nope", "no events for record 'nope'"),
    ("nul", "A\x00", "no events for record"),
]:
    bad(f"explain.id.{label}", lambda record=record: duly.explain(POLICY, [EVENT], record), duly.InvalidArgumentError, "id", text)  # type: ignore[arg-type]
bad("explain.as_of.before", lambda: duly.explain(POLICY, [EVENT], "A", as_of="2000-01-01T00:00:00Z"),
    duly.InvalidArgumentError, "id", "at or before")
ok("explain.emoji-and-nul", lambda: duly.explain(POLICY, event(priority="P2", note="🎄\x00é"), "A"),
   lambda x: "🎄" in x.to_json_lines() and "\\u0000" in x.to_json_lines())

# evaluate: rows from dicts that are rejected, with the field named.
huge = 10**5000
for label, events, *reasons in [
    ("not-a-dict", lambda: [5], "not a dict: got int"),
    ("id.surrogate", lambda: event(id="A\udcff"), "id: not valid Unicode text: lone surrogate '\\udcff' at index 1"),
    ("id.float", lambda: event(id=1.5), "id: expected a string or an integer, got 1.5"),
    ("id.huge", lambda: event(id=huge), "id: the integer has too many digits"),
    ("id.bytes", lambda: event(id=b"A"), "id: expected a string or an integer, got a bytes"),
    ("id.list", lambda: event(id=[["A"]]), "id: expected a string or an integer, got a list"),
    ("event.surrogate", lambda: event(event="\ud800created"), "event: not valid Unicode text"),
    ("event.int", lambda: event(event=5), "event: expected a string, got 5"),
    ("at.surrogate", lambda: event(at="2026-11-20T10:00:00\udcffZ"), "at: not valid Unicode text"),
    ("at.huge-int", lambda: event(at=huge), "at: expected an ISO-8601 instant as a string or an aware datetime, got an integer of"),
    ("at.far", lambda: event(at=dt.datetime.max.replace(tzinfo=UTC)), "at: instant 9999-12-31T23:59:59Z is outside the supported years 1970 to 2199"),
    ("at.nul", lambda: event(at="2026-11-20T10:00:00Z\x00"), "at: not an ISO-8601 instant"),
    ("at.long", lambda: event(at="2" * 1_000_000), "at: not an ISO-8601 instant"),
    ("attribute.surrogate", lambda: event(priority="P\udcff"), "attribute 'priority': not valid Unicode text"),
    ("attribute.surrogate-mixed-column", lambda: [{**EVENT, "x": 1}, {**EVENT, "x": "\udcff"}, {**EVENT, "x": "\ud800", "y": "\udfff"}],
     "attribute 'x': not valid Unicode text: lone surrogate '\\udcff'",
     "attribute 'x': not valid Unicode text: lone surrogate '\\ud800' at index 0; attribute 'y'"),
    ("attribute.huge-int", lambda: event(priority=huge), "attribute 'priority': the number an integer of"),
    ("attribute.big-int", lambda: event(priority=2**1100), "attribute 'priority': the number 1"),
    ("attribute.huge-fraction", lambda: event(priority=Fraction(10**400)), "attribute 'priority': the number is too large"),
    ("attribute.beyond-2**53", lambda: event(priority=2**53 + 1), "attribute 'priority': 9007199254740993 is an integer beyond 2^53"),
    ("attribute.uint64-max", lambda: event(u=np.uint64(2**64 - 1)), "attribute 'u': 18446744073709551615 is an integer beyond 2^53"),
    ("attribute.inf", lambda: event(priority=math.inf), "attribute 'priority': 'inf' is not a number"),
    ("attribute.longdouble", lambda: event(priority=np.longdouble("1e4000")), "attribute 'priority': 'inf' is not a number"),
    ("attribute.decimal", lambda: event(priority=Decimal("1.5")), "unsupported value of type decimal.Decimal"),
    ("attribute.complex", lambda: event(priority=1j), "unsupported value of type complex"),
    ("attribute.deep-dict", lambda: event(priority=deep_dict(100_000)), "attribute 'priority': objects are not supported"),
    ("attribute.set", lambda: event(priority={1}), "objects are not supported"),
    ("attribute.list-of-lists", lambda: event(priority=[["P1"]]), "item 1 of the list is a list"),
    ("attribute.huge-list", lambda: event(priority=["P1"] * 1_000_000), "a list of 1000000 items is over the limit"),
    ("attribute.broken-repr", lambda: event(priority=BrokenRepr()), "unsupported value of type"),
    ("attribute.date", lambda: event(priority=dt.date(2026, 1, 1)), "unsupported value of type datetime.date"),
    ("attribute.timedelta", lambda: event(priority=dt.timedelta(1)), "unsupported value of type datetime.timedelta"),
    ("key.surrogate", lambda: [{**EVENT, "\udcff": "x"}], "attribute '\\udcff': the name is not valid Unicode text"),
    ("key.int", lambda: [{**EVENT, 5: "x"}], "attribute 5: the name is not a string"),
    ("key.deep-tuple", lambda: [{**EVENT, DEEP_TUPLE: "x"}], "attribute <tuple>: the name is not a string"),
    ("key.broken-repr", lambda: [{**EVENT, BrokenRepr(): "x"}], "attribute <"),
    ("key.long-bytes", lambda: [{**EVENT, b"x" * 1_000_000: 1}], "..."),
    ("key.empty", lambda: [{**EVENT, "": "x"}], "attribute '': the name is empty"),
]:
    rejects(f"evaluate.rejects.{label}", events, *reasons)
for label, events in [
    ("empty", lambda: []),
    ("generator", lambda: (dict(EVENT) for _ in range(3))),
    ("nul-everywhere", lambda: event(id="A\x00", event="created\x00", priority="P\x002", **{"k\x00": 1})),
    ("long-strings", lambda: event(id="x" * 1_000_000, priority="p" * 1_000_000, **{"k" * 100_000: 1})),
    ("numpy-scalars", lambda: event(id=np.int64(7), priority=np.str_("P2"), n=np.float32(1.5), b=np.bool_(True), u=np.uint64(2**53))),
    ("pandas-missing", lambda: event(priority=pd.NA, channel=np.nan, other=pd.NaT)),
    ("aware-attribute-far", lambda: event(opened=dt.datetime.max.replace(tzinfo=UTC))),
    ("mixed-zones", lambda: [EVENT, {**EVENT, "at": dt.datetime(2026, 11, 20, 12, tzinfo=ZoneInfo("Europe/Paris"))}]),
]:
    ok(f"evaluate.accepts.{label}", lambda events=events: evaluate(events()), lambda r: not r.rejected)

# evaluate: DataFrames.
for label, make, path, text in [
    ("no-columns", lambda: pd.DataFrame(), "events", "no 'id' column"),
    ("missing-at", lambda: frame().drop(columns="at"), "events", "no 'at' column"),
    ("duplicated-attribute", lambda: pd.concat([frame(), frame()[["priority"]]], axis=1), "events", "'priority' appears more than once"),
    ("duplicated-id", lambda: pd.concat([frame(), frame()[["id"]]], axis=1), "events", "'id' appears more than once"),
    ("int-column-names", lambda: frame().set_axis([0, 1, 2, 3], axis=1), "events", "column names must be text"),
    ("multiindex-columns", lambda: pd.concat({"x": frame()}, axis=1), "events", "column names must be text"),
    ("surrogate-column-name", lambda: frame().rename(columns={"priority": "pri\udcff"}), "events", "not valid Unicode text"),
    ("empty-column-name", lambda: frame().rename(columns={"priority": ""}), "events", "empty name"),
    ("at.int", lambda: frame(at=[1, 2]), "at", "dtype int64"),
    ("at.float", lambda: frame(at=[1.0, np.nan]), "at", "dtype float64"),
    ("at.bool", lambda: frame(at=[True, False]), "at", "dtype bool"),
    ("at.timedelta", lambda: frame(at=pd.to_timedelta(["1h", "2h"])), "at", "timedelta64"),
    ("at.Int64", lambda: frame(at=pd.array([1, None], dtype="Int64")), "at", "dtype Int64"),
    ("at.sparse", lambda: frame(at=pd.arrays.SparseArray([1.0, 2.0])), "at", "Sparse"),
    ("at.complex", lambda: frame(at=[1j, 2j]), "at", "complex128"),
    ("at.naive-and-aware", lambda: frame(at=pd.Series([T, dt.datetime(2026, 11, 20)], dtype=object)), "at[1]", "naive"),
    ("attribute.timedelta", lambda: frame(priority=pd.to_timedelta(["1h", "2h"])), "priority", "timedelta64"),
    ("attribute.naive", lambda: frame(opened=pd.to_datetime(["2026-01-01", "2026-01-02"])), "opened", "naive"),
    ("attribute.complex", lambda: frame(priority=[1j, 2j]), "priority", "complex128"),
    ("attribute.naive-cell", lambda: frame(opened=pd.Series([T, dt.datetime(2026, 1, 1)], dtype=object)), "opened[1]", "naive"),
]:
    bad(f"evaluate.frame.{label}", lambda make=make: evaluate(make()), duly.InvalidArgumentError, path, text)
YEAR_100000 = np.array([3_093_527_980_800, 0], dtype="M8[s]")  # 100000-01-01, 1970-01-01
for label, make, reason in [
    ("id.surrogate", lambda: frame(id=["A\udcff", "B"]), "id: not valid Unicode text"),
    ("id.huge", lambda: frame(id=pd.Series([huge, "B"], dtype=object)), "id: the integer has too many digits"),
    ("id.float", lambda: frame(id=[1.5, 2.0]), "id: expected a string or an integer, got 1.5"),
    ("id.empty", lambda: frame(id=["", "B"]), "id: empty"),
    ("event.surrogate", lambda: frame(event=["\udcff", "created"]), "event: not valid Unicode text"),
    ("at.surrogate", lambda: frame(at=["2026-11-20T10:00:00\udcffZ", "2026-11-20T11:00:00Z"]), "at: not valid Unicode text"),
    ("at.NaT", lambda: frame(at=pd.Series([pd.NaT, T], dtype="datetime64[ns, UTC]")), "at: missing"),
    ("at.period", lambda: frame(at=pd.period_range("2026-01", periods=2, freq="M")), "got a pandas.Period"),
    ("at.year-100000", lambda: frame(at=pd.Series(YEAR_100000).dt.tz_localize("UTC")),
     "at: instant 3093527980800s is outside the supported years 1970 to 2199"),
    ("attribute.surrogate", lambda: frame(priority=["P\udcff", "P2"]), "attribute 'priority': not valid Unicode text"),
    ("attribute.surrogate-string-dtype", lambda: frame(priority=pd.array(["P\udcff", None], dtype="string")),
     "attribute 'priority': not valid Unicode text"),
    ("attribute.surrogate-category", lambda: frame(priority=pd.Categorical(["P\udcff", "P2"])), "not valid Unicode text"),
    ("attribute.surrogate-mixed", lambda: frame(priority=pd.Series(["P\udcff", 1], dtype=object)), "not valid Unicode text"),
    ("attribute.huge-int", lambda: frame(priority=pd.Series([huge, 1], dtype=object)), "the number an integer of"),
    ("attribute.inf", lambda: frame(priority=[np.inf, 1.0]), "attribute 'priority': 'inf' is not a number"),
    ("attribute.uint64-max", lambda: frame(x=np.array([2**64 - 1, 0], dtype=np.uint64)),
     "attribute 'x': 18446744073709551615 is an integer beyond 2^53"),
    ("attribute.year-100000", lambda: frame(opened=pd.Series(YEAR_100000).dt.tz_localize("UTC")),
     "attribute 'opened': instant 3093527980800s is outside the years 0001 to 9999"),
    ("attribute.period", lambda: frame(priority=pd.period_range("2026-01", periods=2, freq="M")), "pandas.Period"),
    ("attribute.broken-repr", lambda: frame(priority=pd.Series([BrokenRepr(), "P2"], dtype=object)), "unsupported value"),
    ("attribute.lists", lambda: frame(priority=pd.Series([[1, [2]], {"a": 1}], dtype=object)),
     "item 2 of the list is a list"),
    ("attribute.objects", lambda: frame(priority=pd.Series([{"a": 1}, "P2"], dtype=object)), "objects are not supported"),
]:
    rejects(f"evaluate.frame.rejects.{label}", make, reason)
for label, make in [
    ("no-rows", lambda: frame().iloc[:0]),
    ("duplicated-rows", lambda: pd.concat([frame()] * 3)),
    ("duplicated-index", lambda: frame().set_axis([7, 7])),
    ("multiindex-rows", lambda: frame().set_index(pd.MultiIndex.from_tuples([(1, 2), (1, 2)]))),
    ("Int64", lambda: frame(n=pd.array([1, None], dtype="Int64"))),
    ("boolean", lambda: frame(b=pd.array([True, None], dtype="boolean"))),
    ("Float64", lambda: frame(x=pd.array([1.5, None], dtype="Float64"))),
    ("string", lambda: frame(priority=pd.array(["P2", None], dtype="string"))),
    ("category", lambda: frame(priority=pd.Categorical(["P2", None]), id=pd.Categorical(["A", "B"]))),
    ("sparse", lambda: frame(x=pd.arrays.SparseArray([1.0, np.nan]), y=pd.arrays.SparseArray([True, False]))),
    ("uint64", lambda: frame(x=np.array([2**53, 0], dtype=np.uint64), id=np.array([2**64 - 1, 1], dtype=np.uint64))),
    ("float16", lambda: frame(x=np.array([1, 2], dtype=np.float16))),
    ("aware-seconds", lambda: frame(at=pd.Series(np.array(["2026-11-20T10:00", "2026-11-20T11:00"], "M8[s]")).dt.tz_localize("Asia/Tokyo"))),
    ("at.category", lambda: frame(at=pd.Categorical(["2026-11-20T10:00Z", "2026-11-20T11:00Z"]))),
    ("at.mixed-zones", lambda: frame(at=pd.Series([T, T.astimezone(ZoneInfo("Europe/Paris"))], dtype=object))),
    ("all-missing-attribute", lambda: frame(x=[np.nan, np.nan], y=pd.Series([None, None], dtype=object))),
    ("nul-in-names", lambda: frame(**{"k\x00": ["a\x00", "b"]})),
    ("long-strings", lambda: frame(priority=["x" * 1_000_000, "y"])),
]:
    ok(f"evaluate.frame.accepts.{label}", lambda make=make: evaluate(make()), lambda r: not r.rejected)

# --- random garbage (hypothesis) -----------------------------------------------------------

# A fixed sample by default (the same examples each run); for a longer, random
# search: DULY_BOUNDARY_EXAMPLES=5000 python -m pytest tests/python/test_boundary.py
_EXAMPLES = os.environ.get("DULY_BOUNDARY_EXAMPLES")
FUZZ = settings(
    max_examples=int(_EXAMPLES) if _EXAMPLES else 150,
    deadline=None,
    derandomize=not _EXAMPLES,
    database=None,
    suppress_health_check=list(HealthCheck),
)
TEXT = st.text(max_size=8) | st.text(alphabet=st.sampled_from(["a", "é", "🎄", "\x00", "\udcff", "\ud800", " ", "Z"]), max_size=6)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(), TEXT, st.binary(max_size=4), st.dates(), st.timedeltas(), st.decimals(), st.fractions(), st.complex_numbers(),
    st.datetimes(timezones=st.none() | st.just(UTC) | st.timezones()),
    st.sampled_from([
        math.nan, math.inf, np.float64("-inf"), np.int64(-5), np.uint64(2**64 - 1), np.bool_(False), np.str_("P1"),
        np.float32("nan"), np.datetime64("NaT"), np.timedelta64(3, "h"), np.longdouble("1e4000"), pd.NaT, pd.NA,
        pd.Timestamp("2026-11-21T10:00Z"), pd.Timestamp("2026-11-21T10:00"), np.array(5), Fraction(10**400),
        object(), Ellipsis, int,
    ]),
    # Made on demand: hypothesis writes the elements of sampled_from with repr().
    st.builds(lambda: 10**5000), st.builds(lambda: DEEP_TUPLE), st.builds(BrokenRepr),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=8)
INSTANTS = st.sampled_from([
    "2026-11-20T10:00:00Z", "2026-11-21T08:30:00-05:00", "2026-11-30T25:00:00Z", "2026-11-20T10:00:00", "1969-12-31T23:59:59Z",
    "2300-01-01T00:00:00Z", dt.datetime(2026, 11, 22, 9, tzinfo=UTC), pd.Timestamp("2026-11-23T10:00Z"),
])
NAMES = st.sampled_from(["created", "replied", "reopened", "reclassified", "updated", ""])
KEYS = st.sampled_from(["priority", "channel", "status", "actor", "id", "at", "event"]) | TEXT | st.integers() | st.none()
ROW = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "id": st.sampled_from(["A", "B", 7]) | VALUES,
            "at": INSTANTS | VALUES,
            "event": NAMES | VALUES,
            "priority": st.sampled_from(["P1", "P2", "P3"]) | VALUES,
            "status": st.sampled_from(["resolved", "waiting_on_customer", "cancelled"]) | VALUES,
        },
    ).flatmap(lambda d: st.dictionaries(KEYS, VALUES, max_size=3).map(lambda extra: {**extra, **d})),
    VALUES,
)


def _accounted(r: duly.Evaluation, rows: int) -> None:
    assert r.events_applied + r.events_ignored + len(r.rejected) == rows, (r, rows)
    assert [x.line for x in r.rejected] == sorted({x.line for x in r.rejected})
    r.timers_frame(), r.escalations_frame(), r.rejected_frame()  # noqa: B018


@FUZZ
@given(events=st.lists(ROW, max_size=8), strict=st.booleans())
def fuzz_evaluate_dicts(events: list[Any], strict: bool) -> None:
    """Random rows: an Evaluation accounting for every row, or a naive datetime (the caller's mistake)."""
    try:
        r = evaluate(events, strict=strict)
    except duly.InvalidArgumentError as e:
        assert "naive datetime" in str(e) or (strict and "rejected (strict=True)" in str(e)), e
        assert e.path is None or e.path.startswith("events["), e.path
        return
    _accounted(r, len(events))
    try:
        duly.explain(POLICY, events, "A")
    except duly.InvalidArgumentError as e:
        assert e.path == "id" or "naive datetime" in str(e), e


def _column(kind: str, n: int, data: st.DataObject) -> Any:
    """A column of n values of a random kind, as pandas would hold it."""
    draw = data.draw
    if kind == "text":
        return draw(st.lists(TEXT | st.none(), min_size=n, max_size=n))
    if kind == "string":
        return pd.array(draw(st.lists(TEXT.filter(lambda s: s.isascii()) | st.none(), min_size=n, max_size=n)), dtype="string")
    if kind == "int":
        return np.array(draw(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=n, max_size=n)), dtype=np.int64)
    if kind == "float":
        return np.array(draw(st.lists(st.floats(), min_size=n, max_size=n)), dtype=np.float64)
    if kind == "bool":
        return np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    if kind == "Int64":
        return pd.array(draw(st.lists(st.integers(-(2**63), 2**63 - 1) | st.none(), min_size=n, max_size=n)), dtype="Int64")
    if kind == "boolean":
        return pd.array(draw(st.lists(st.booleans() | st.none(), min_size=n, max_size=n)), dtype="boolean")
    if kind == "category":
        return pd.Categorical(draw(st.lists(st.sampled_from(["P1", "P2", "created", "2026-11-20T10:00:00Z"]) | st.none(), min_size=n, max_size=n)))
    if kind in ("aware", "naive"):
        # Any int64 as ticks of the unit (NaT included), or an instant of 2023-2027.
        unit, scale = draw(st.sampled_from([("s", 1), ("ms", 10**3), ("us", 10**6), ("ns", 10**9)]))
        ticks = draw(st.lists(st.integers(-(2**63), 2**63 - 1) | st.integers(1_700_000_000, 1_800_000_000).map(lambda s: s * scale),
                              min_size=n, max_size=n))
        series = pd.Series(np.array(ticks, dtype=f"M8[{unit}]"))
        if kind == "naive":
            return series
        series = series.dt.tz_localize("UTC")
        try:
            return series.dt.tz_convert(draw(st.sampled_from(["UTC", "America/New_York"])))
        except (NotImplementedError, OverflowError, ValueError):  # pandas: outside datetime's years
            return series
    if kind == "timedelta":
        return pd.to_timedelta(draw(st.lists(st.integers(-(10**12), 10**12), min_size=n, max_size=n)), unit="s")
    if kind == "complex":
        return np.zeros(n, dtype=complex)
    if kind == "period":
        return pd.period_range("2026-01", periods=n, freq="D")
    return pd.Series(draw(st.lists(VALUES, min_size=n, max_size=n)), dtype=object)


COLUMN_KINDS = ["text", "string", "int", "float", "bool", "Int64", "boolean", "category", "aware", "naive", "timedelta",
                "complex", "period", "object"]


@FUZZ
@given(data=st.data(), n=st.integers(0, 5),
       columns=st.lists(st.tuples(st.sampled_from(["id", "at", "event", "priority", "status", "x"]) | TEXT,
                                  st.sampled_from(COLUMN_KINDS)), max_size=6))
def fuzz_evaluate_frames(data: st.DataObject, n: int, columns: list[tuple[str, str]]) -> None:
    """Random DataFrames: an Evaluation accounting for every row, or an error naming the frame or a column."""
    df = pd.DataFrame({i: _column(kind, n, data) for i, (_, kind) in enumerate(columns)}, index=range(n))
    df.columns = [name for name, _ in columns]
    try:
        r = evaluate(df)
    except duly.InvalidArgumentError as e:
        names = {name for name, _ in columns}
        assert e.path == "events" or (e.path or "").split("[")[0] in names, (e.path, str(e))
        return
    _accounted(r, n)


@FUZZ
@given(timezone=st.sampled_from(["UTC", "America/New_York"]) | VALUES, hours=VALUES, holidays=VALUES, exceptions=VALUES)
def fuzz_calendar_keywords(timezone: Any, hours: Any, holidays: Any, exceptions: Any) -> None:
    """Random keyword arguments: a Calendar that round-trips, or a duly.Error naming where."""
    try:
        cal = duly.Calendar(timezone=timezone, hours=hours, holidays=holidays, exceptions=exceptions)
    except duly.Error as e:
        assert e.path is not None and e.path.split(".")[0].split("[")[0] in ("timezone", "hours", "holidays", "exceptions"), e
        return
    assert duly.Calendar.from_json(cal.to_json()) == cal


ARGS = VALUES | INSTANTS | st.sampled_from(["1h", "3bd", "-1h", "99999999999999999999h", dt.timedelta(hours=2), dt.timedelta.max])


@FUZZ
@given(calendar=st.sampled_from([OFFICE, ALWAYS, NEVER]), method=st.sampled_from(
    ["add", "subtract", "elapsed", "is_open", "next_open", "next_close", "add_business_days", "open_intervals", "with_timezone"]),
    a=ARGS, b=ARGS | st.integers(-(10**30), 10**30))
def fuzz_calendar_methods(calendar: duly.Calendar, method: str, a: Any, b: Any) -> None:
    """Random arguments: a result, or a duly.Error naming an argument."""
    f = getattr(calendar, method)
    try:
        f(a) if method in ("is_open", "next_open", "next_close", "with_timezone") else f(a, b)
    except duly.Error as e:
        assert e.path in ("t", "d", "n", "a", "b", "start", "end", "timezone"), (e.path, str(e))


DTYPES = st.sampled_from(["M8[s]", "M8[ns]", "M8[D]", "M8[Y]", "M8[as]", "m8[s]", "m8[h]", "m8[M]", "f8", "i8", "?", "U3", "O", ">M8[s]"])


@FUZZ
@given(a=hnp.arrays(DTYPES, hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=3)),
       b=hnp.arrays(DTYPES, hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=3)),
       many=st.sampled_from(["add_many", "elapsed_many"]), calendar=st.sampled_from([OFFICE, NEVER]))
def fuzz_many_arrays(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any], many: str, calendar: duly.Calendar) -> None:
    """Random arrays of random dtypes and shapes: a result of the broadcast shape, or an error naming an argument."""
    try:
        out = getattr(calendar, many)(a, b)
    except duly.Error as e:
        assert (e.path or "").split("[")[0] in ("starts", "durations", "ends"), (e.path, str(e))
        return
    assert out.shape in (a.shape, b.shape)


WORDS = st.sampled_from(["and", "or", "not", "(", ")", "==", "!=", "<", ">=", "in", "[", "]", ",", "priority", "event",
                         '"P1"', "'x'", "1", "-2.5", "4h", "3bd", "true", "null", "changed", "due", "remaining", '"', "\\", "\x00", "é"])


@FUZZ
@given(words=st.lists(WORDS, max_size=25), field=st.sampled_from(["start_when", "stop_when", "at_risk_when"]))
def fuzz_conditions(words: list[str], field: str) -> None:
    """Random conditions: a policy that evaluates, or a duly.Error naming the condition."""
    text = " ".join(words).replace("'", "''")
    yaml = chain(1).replace("goals:", f"{field}: '{text}'\n    goals:", 1) if field != "start_when" else \
        chain(0).replace('\'event == "created"\'', f"'{text}'")
    try:
        policy = duly.Policy.from_yaml(yaml)
    except duly.Error as e:
        assert e.path is not None and e.path.startswith("targets[0]."), (e.path, str(e))
        return
    duly.evaluate(policy, [EVENT, {**EVENT, "at": "2026-11-21T10:00:00Z", "event": "replied", "priority": "P1"}], AS_OF)


for fuzz in (fuzz_evaluate_dicts, fuzz_evaluate_frames, fuzz_calendar_keywords, fuzz_calendar_methods,
             fuzz_many_arrays, fuzz_conditions):
    ok(f"hypothesis.{fuzz.__name__}", fuzz)


# --- running the cases in a child interpreter ------------------------------------------------


def _outcome(case: Case) -> dict[str, Any]:
    """What ``case.call()`` did, as JSON data."""
    try:
        value = case.call()
    except BaseException as e:  # noqa: BLE001 - every outcome is recorded
        notes = "\n".join(getattr(e, "__notes__", []))
        return {
            "raised": f"{type(e).__module__}.{type(e).__qualname__}",
            "path": getattr(e, "path", None) if isinstance(e, duly.Error) else None,
            "message": f"{e}\n{notes}".strip(),
        }
    result: dict[str, Any] = {"raised": None}
    if case.check is not None:
        try:
            result["check"] = case.check(value) is not False
        except BaseException as e:  # noqa: BLE001
            result["check"] = False
            result["message"] = f"check failed: {type(e).__name__}: {e}"
    return result


def _child(out: str, start: int) -> None:
    """Runs CASES[start:], appending {"start": id} before and {"id": ..., outcome} after each."""
    import faulthandler
    import warnings

    faulthandler.enable()
    warnings.simplefilter("error")  # as pytest is configured: a RuntimeWarning fails the case
    with open(out, "a", encoding="utf-8") as f:
        for case in CASES[start:]:
            f.write(json.dumps({"start": case.id}) + "\n")
            f.flush()
            f.write(json.dumps({"id": case.id, **_outcome(case)}) + "\n")
            f.flush()
    for d in _TMP:
        for p in d.iterdir():
            p.unlink()
        d.rmdir()


def _run_children(tmp: pathlib.Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(id, outcome) for every case; a child that dies marks its case crashed and a new one goes on."""
    out = tmp / "outcomes.jsonl"
    index = {c.id: i for i, c in enumerate(CASES)}
    start = 0
    while start < len(CASES):
        child = subprocess.run(
            [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import test_boundary as t; "
             "t._child(sys.argv[2], int(sys.argv[3]))", str(HERE), str(out), str(start)],
            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        )
        lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
        out.unlink(missing_ok=True)
        running = None
        for line in lines:
            if "start" in line:
                running = line["start"]
            else:
                running = None
                yield line["id"], line
        if child.returncode == 0 and running is None:
            return
        if running is None:  # died before its first case (an import error?)
            raise AssertionError(f"the child interpreter failed ({child.returncode}):\n{child.stderr[-5000:]}")
        yield running, {"crashed": child.returncode, "stderr": child.stderr[-5000:]}
        start = index[running] + 1


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return dict(_run_children(tmp_path_factory.mktemp("boundary")))


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_boundary(case: Case, outcomes: dict[str, dict[str, Any]]) -> None:
    got = outcomes.get(case.id)
    assert got is not None, "not run"
    assert "crashed" not in got, f"the interpreter died (exit status {got['crashed']}):\n{got['stderr']}"
    if case.raises is None:
        assert got["raised"] is None, f"raised {got['raised']}: {got['message']}"
        assert got.get("check", True), got.get("message", "the result failed its check")
        return
    expected = f"{case.raises.__module__}.{case.raises.__qualname__}"
    if case.raises.__module__ == "duly._errors":
        expected = f"duly._errors.{case.raises.__qualname__}"
    assert got["raised"] == expected, f"raised {got['raised']}: {got.get('message', '(returned)')}"
    assert got["path"] == case.path, got["message"]
    assert case.text in got["message"], got["message"]
    if case.path is not None and issubclass(case.raises, duly.Error):
        assert got["message"].startswith(f"{case.path}: ") or f": {case.path}: " in got["message"], got["message"]
