"""The DataFrame path of duly.evaluate equals the dict path (and the CLI).

A DataFrame crosses into C++ column by column, text dictionary-encoded once per
distinct value; the dicts go row by row. Both must give the same timers,
firings, rejected rows (same reasons, same 1-based lines) and counts, for any
events: random streams (hypothesis) and the awkward frames (categoricals,
mixed object columns, all-empty columns, slices, duplicated index labels).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import pathlib
import subprocess
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import duly

pd = pytest.importorskip("pandas")

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = ROOT / "build" / "bin" / "duly"
SERVICENOW = ROOT / "examples" / "servicenow"
UTC = dt.timezone.utc
AS_OF = "2026-01-09T00:00:00Z"

POLICY = duly.Policy.from_yaml(
    """
duly: 1
calendars:
  office: {timezone: America/New_York, hours: {mon-fri: "09:00-17:00"}}
targets:
  - name: response
    applies_when: vip != false
    start_when: event == "created"
    stop_when: event == "replied" or (n != null and n >= 3)
    pause_when: status == "waiting"
    cancel_when: status == "cancelled"
    start_at: opened_at
    goals:
      - {when: priority == "P1", within: 1h}
      - {when: priority == "P2", within: 4h, calendar: office}
      - {within: 1bd, calendar: office}
  - name: resolution
    start_when: event == "created" or changed(reopened)
    stop_when: status == "done"
    reset_when: event == "reopened"
    goals:
      - {when: n > 1.5, within: 2h}
      - {within: 8h, calendar: office}
escalations:
  - {name: half, target: response, at: 50%, do: [{notify: [lead]}]}
  - name: late
    target: resolution
    at: due
    when: priority != "P3"
    repeat: {every: 1h, times: 2}
    do: [{notify: [manager]}, {set: {escalated: true}}]
""",
    source="frame-test.yaml",
)

START = dt.datetime(2026, 1, 5, 8, tzinfo=UTC)


def same(a: duly.Evaluation, b: duly.Evaluation) -> None:
    assert a.timers == b.timers
    assert a.escalations == b.escalations
    assert a.rejected == b.rejected
    assert (a.events_applied, a.events_ignored, a.next_wakeup) == (b.events_applied, b.events_ignored, b.next_wakeup)
    pd.testing.assert_frame_equal(a.timers_frame(), b.timers_frame())
    pd.testing.assert_frame_equal(a.escalations_frame(), b.escalations_frame())
    pd.testing.assert_frame_equal(a.rejected_frame(), b.rejected_frame())


def as_dicts(df: Any) -> list[dict[str, Any]]:
    """The frame's rows as event dicts, by the rule of change frames: an empty cell
    (NaN, NA, NaT) is a key left out, and None in an object column of an attribute
    clears it, as None does in a dict (in id, at and event it is a missing value)."""
    out = []
    columns = [(c, df[c].dtype == object, df[c].tolist() if df[c].dtype == object else list(df[c])) for c in df.columns]
    for i in range(len(df)):
        row: dict[str, Any] = {}
        for name, is_object, values in columns:
            v = values[i]
            if v is None and is_object and name not in ("id", "at", "event"):
                row[name] = None
            elif not (v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))):
                row[name] = v
        out.append(row)
    return out


def check(df: Any, as_of: str = AS_OF) -> duly.Evaluation:
    """Evaluates df as a frame and as dicts, asserts they agree, returns the frame's result."""
    from_frame = duly.evaluate(POLICY, df, as_of)
    from_dicts = duly.evaluate(POLICY, as_dicts(df), as_of)
    same(from_frame, from_dicts)
    return from_frame


# --- random streams -------------------------------------------------------------------

MISSING = object()


def cell(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.just(MISSING), values)


event_rows = st.fixed_dictionaries(
    {
        "id": st.one_of(st.sampled_from(["A", "B", "C", "déjà", "E-1"]), st.sampled_from(["", MISSING])),
        "minutes": st.integers(0, 6 * 24 * 60),
        "event": st.one_of(st.sampled_from(["created", "update", "replied", "reopened"]), st.just(MISSING)),
        "priority": cell(st.sampled_from(["P1", "P2", "P3", ""])),
        "status": cell(st.sampled_from(["open", "waiting", "done", "cancelled"])),
        "n": cell(st.sampled_from([0.0, 1.0, 2.0, 3.5, 7.0])),
        "vip": cell(st.booleans()),
        "opened": cell(st.integers(-120, 120)),
        "reopened": cell(st.integers(0, 3)),
    }
)

as_text = st.sampled_from(["datetime", "text", "mixed"])
text_kind = st.sampled_from(["str", "object", "category", "string"])


def build(rows: list[dict[str, Any]], at_kind: str, kind: str) -> Any:
    records = []
    for i, r in enumerate(rows):
        at = START + dt.timedelta(minutes=r["minutes"])
        if at_kind == "text" or (at_kind == "mixed" and i % 2):
            at_value: Any = at.isoformat().replace("+00:00", "Z")
        else:
            at_value = at
        rec: dict[str, Any] = {"id": r["id"], "at": at_value, "event": r["event"]}
        for key in ("priority", "status", "n", "vip", "reopened"):
            rec[key] = r[key]
        rec["opened_at"] = MISSING if r["opened"] is MISSING else at + dt.timedelta(minutes=r["opened"])
        records.append({k: (None if v is MISSING else v) for k, v in rec.items()})
    df = pd.DataFrame(records, columns=["id", "at", "event", "priority", "status", "n", "vip", "reopened", "opened_at"])
    if at_kind == "datetime":
        df["at"] = pd.to_datetime(df["at"], utc=True)
    if df["opened_at"].notna().any():
        df["opened_at"] = pd.to_datetime(df["opened_at"], utc=True)
    for c in ("id", "event", "priority", "status"):
        if kind == "category":
            df[c] = df[c].astype("category")
        elif kind == "string":
            df[c] = df[c].astype("string")
        elif kind == "object":
            df[c] = df[c].astype(object)
    return df


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(event_rows, max_size=40), at_kind=as_text, kind=text_kind)
def test_random_streams_agree(rows: list[dict[str, Any]], at_kind: str, kind: str) -> None:
    check(build(rows, at_kind, kind))


# --- edge cases --------------------------------------------------------------------------


def frame(**columns: Any) -> Any:
    n = len(next(iter(columns.values())))
    base = {
        "id": ["A", "B", "A", "B", "A", "C"][:n],
        "at": pd.date_range("2026-01-05T14:00Z", periods=n, freq="37min"),
        "event": ["created", "created", "update", "replied", "update", "created"][:n],
    }
    base.update(columns)
    return pd.DataFrame(base)


def test_categorical_columns() -> None:
    df = frame(priority=["P1", "P2", None, "P1", "P3", "P2"], status=["open", "open", "waiting", "open", "open", "done"])
    typed = df.copy()
    for c in ("id", "event", "priority", "status"):
        typed[c] = pd.Categorical(typed[c], categories=sorted(set(typed[c].dropna())) + ["unused"])
    same(duly.evaluate(POLICY, typed, AS_OF), check(df))
    # Categories of numbers and of bools are numbers and bools.
    check(frame(n=pd.Categorical([1.0, 2.0, None, 3.5, 1.0, 2.0]), vip=pd.Categorical([True, False, True, None, False, True])))


def test_object_columns_with_mixed_types() -> None:
    # True, 1 and 1.0 compare equal in Python; they stay a bool and numbers.
    mixed = np.array([1, True, 1.0, "1", None, float("nan")], dtype=object)
    df = frame(n=mixed, vip=np.array([True, 1, "x", False, None, 0.0], dtype=object))
    check(df)
    story = duly.explain(POLICY, df, "B", as_of=AS_OF)
    assert [e.detail for e in story.entries if e.what == "event"] == ["n=true, vip=1", 'n="1", vip=false']
    # Lists, dicts and unsupported objects reject their rows, as in dicts.
    bad = check(frame(priority=np.array(["P1", ["x", None], {"a": 1}, b"raw", dt.date(2026, 1, 1), "P2"], dtype=object)))
    assert [r.line for r in bad.rejected] == [2, 3, 4, 5]


def test_all_empty_columns() -> None:
    n = 6
    check(frame(n=[float("nan")] * n, priority=[None] * n, status=pd.array([None] * n, dtype="string"),
                vip=pd.array([None] * n, dtype="boolean"), reopened=pd.array([None] * n, dtype="Int64"),
                opened_at=pd.Series([pd.NaT] * n, dtype="datetime64[ns, UTC]")))
    no_at = frame(priority=["P1"] * n)
    no_at["at"] = pd.Series([pd.NaT] * n, dtype="datetime64[ns, UTC]")
    result = duly.evaluate(POLICY, no_at, AS_OF)
    assert [(r.line, r.reason) for r in result.rejected] == [(i + 1, "at: missing") for i in range(n)]
    no_ids = frame(priority=["P1"] * n)
    no_ids["id"] = [None] * n
    assert [r.reason for r in duly.evaluate(POLICY, no_ids, AS_OF).rejected] == ["id: missing"] * n


def test_sliced_and_non_contiguous_frames() -> None:
    rng = np.random.default_rng(5)
    n = 400
    wide = pd.DataFrame(
        {
            "id": rng.choice(["A", "B", "C", "D"], n),
            "at": pd.Timestamp("2026-01-05T08:00Z") + pd.to_timedelta(rng.integers(0, 4 * 24 * 60, n), unit="min"),
            "event": rng.choice(["created", "update", "replied", "reopened"], n),
            "priority": rng.choice(["P1", "P2", "P3"], n),
            "status": rng.choice(["open", "waiting", "done"], n),
            "junk": rng.random(n),
        }
    )
    block = pd.DataFrame(rng.choice([0.0, 1.0, 2.0, np.nan], (n, 3)), columns=["n", "reopened", "other"])
    df = pd.concat([wide, block], axis=1)
    check(df.iloc[::3])  # every third row: strided columns
    check(df[df["priority"] != "P2"][["event", "n", "id", "status", "at"]])  # filtered, reordered
    check(df.iloc[::-1])  # reversed
    check(df.iloc[50:120].set_index("event", drop=False))


def test_duplicated_index_labels() -> None:
    df = frame(priority=["P1", "P2", "P2", "P1", "P3", ""], id=["A", "", "A", "B", "A", "C"])
    df.index = [7, 7, 7, 3, 3, 3]
    result = check(df)
    assert [r.line for r in result.rejected] == [2]  # positions, not labels


def test_lone_surrogates_reject_rows() -> None:
    # (The dict path stops at the id here: it checks attribute text only on rows
    # that are otherwise fine; a frame lists every column's problem, as before.)
    df = frame(priority=["P1", "P\udcff", "P2", "P1", "P3", "P2"], id=["A", "B\udcff", "A", "B", "A", "C"])
    result = duly.evaluate(POLICY, df, AS_OF)
    dicts = duly.evaluate(POLICY, as_dicts(df), AS_OF)
    assert (result.timers, result.escalations) == (dicts.timers, dicts.escalations)
    assert [r.line for r in result.rejected] == [r.line for r in dicts.rejected] == [2]
    assert [r.reason for r in result.rejected] == [
        "id: not valid Unicode text: lone surrogate '\\udcff' at index 1; "
        "attribute 'priority': not valid Unicode text: lone surrogate '\\udcff' at index 1"
    ]
    cat = df.astype({"id": "category", "priority": "category"})
    same(duly.evaluate(POLICY, cat, AS_OF), result)


def test_integer_ids_and_many_records() -> None:
    rng = np.random.default_rng(11)
    n = 3000
    df = pd.DataFrame(
        {
            "id": rng.integers(0, 500, n),
            "at": pd.Timestamp("2026-01-05T08:00Z") + pd.to_timedelta(rng.integers(0, 4 * 24 * 3600, n), unit="s"),
            "event": rng.choice(["created", "update", "replied", "reopened"], n),
            "priority": rng.choice(["P1", "P2", "P3"], n),
            "n": rng.choice([0.0, 2.0, np.nan], n),
        }
    )
    check(df)
    df["id"] = df["id"].astype("Int64")
    df.loc[5, "id"] = pd.NA
    assert check(df).rejected[0].reason == "id: missing"


def test_explain_from_a_frame_equals_from_dicts() -> None:
    df = frame(priority=pd.Categorical(["P1", "P2", None, "P1", "P3", "P2"]), n=[1.0, None, 3.0, 2.0, None, 1.0],
               opened_at=pd.date_range("2026-01-05T13:00Z", periods=6, freq="h"))
    a = duly.explain(POLICY, df, "A", as_of=AS_OF)
    b = duly.explain(POLICY, as_dicts(df), "A", as_of=AS_OF)
    assert str(a) == str(b)
    assert a.to_json_lines() == b.to_json_lines()


def servicenow_events() -> list[dict[str, Any]]:
    import csv
    import io
    import sys

    sys.path.insert(0, str(SERVICENOW))
    try:
        import convert  # examples/servicenow/convert.py
    finally:
        sys.path.pop(0)
    with open(SERVICENOW / "data" / "servicenow_incidents_sample.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = io.StringIO()
    convert.convert(rows, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_servicenow_sample_frame_equals_dicts() -> None:
    policy = duly.load_policy(SERVICENOW / "policy.yaml")
    events = servicenow_events()
    df = pd.DataFrame(events)
    typed = df.copy()
    typed["at"] = pd.to_datetime(typed["at"], utc=True, format="ISO8601")
    typed["opened_at"] = pd.to_datetime(typed["opened_at"], utc=True, format="ISO8601")
    dicts = duly.evaluate(policy, events, "2017-03-01T00:00:00Z")
    same(duly.evaluate(policy, df, "2017-03-01T00:00:00Z"), dicts)
    same(duly.evaluate(policy, typed, "2017-03-01T00:00:00Z"), dicts)
    same(duly.evaluate(policy, typed.astype({"id": "category", "state": "category"}), "2017-03-01T00:00:00Z"), dicts)


@pytest.mark.skipif(not CLI.is_file(), reason="needs the CLI (build/bin/duly)")
def test_servicenow_sample_frame_equals_cli(tmp_path: pathlib.Path) -> None:
    events = servicenow_events()
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    out = subprocess.run(
        [str(CLI), "evaluate", "--policy", str(SERVICENOW / "policy.yaml"), "--events", str(path),
         "--as-of", "2017-03-01T00:00:00Z"],
        check=True, capture_output=True, text=True,
    ).stdout
    cli = [json.loads(line) for line in out.splitlines()]
    df = pd.DataFrame(events)
    df["at"] = pd.to_datetime(df["at"], utc=True, format="ISO8601")
    result = duly.evaluate(duly.load_policy(SERVICENOW / "policy.yaml"), df, "2017-03-01T00:00:00Z")

    def text(v: Any) -> Any:
        return v.isoformat().replace("+00:00", "Z") if isinstance(v, dt.datetime) else v

    timers = [{k: v for k, v in line.items() if k != "kind"} for line in cli if line["kind"] == "timer"]
    assert [{k: text(v) for k, v in vars_of(t).items()} for t in result.timers] == [
        {k: line.get(k) for k in vars_of(result.timers[0])} for line in timers
    ]
    assert len([line for line in cli if line["kind"] == "rejected"]) == len(result.rejected)


def vars_of(x: Any) -> dict[str, Any]:
    """An object's fields keyed as the JSON lines (Timer.goal_text is the key "goal")."""
    import dataclasses

    return {("goal" if k == "goal_text" else k): v for k, v in dataclasses.asdict(x).items()}
