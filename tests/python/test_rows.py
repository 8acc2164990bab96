"""rows="changes" and rows="snapshots": frames that clear attributes answer as JSON Lines.

One random stream of changes (set, clear or leave each attribute) is written
three ways: as JSON Lines (the reference: null clears), as a change frame (None
in object columns clears, an empty cell leaves alone) and as snapshot rows (each
row the record's whole state after its event, an empty cell clears), in pandas,
pyarrow and polars; all must give the same timers, firings and counts.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import duly

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")

UTC = dt.timezone.utc
AS_OF = "2026-01-09T00:00:00Z"
START = dt.datetime(2026, 1, 5, 8, tzinfo=UTC)

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
    pause_when: status == "waiting" or assignee == null
    start_at: opened_at
    goals:
      - {when: priority == "P1", within: 1h}
      - {when: priority == "P2", within: 4h, calendar: office}
      - {within: 1bd, calendar: office}
  - name: resolution
    start_when: event == "created" or changed(tier)
    stop_when: status == "done"
    goals:
      - {when: tier == "gold", within: 2h}
      - {when: n > 1.5, within: 3h}
      - {within: 8h, calendar: office}
escalations:
  - {name: late, target: resolution, at: due, do: [{notify: [manager]}]}
""",
    source="rows-test.yaml",
)

ATTRIBUTES = {
    "priority": st.sampled_from(["P1", "P2", "P3"]),
    "status": st.sampled_from(["open", "waiting", "done"]),
    "assignee": st.sampled_from(["ann", "bob"]),
    "tier": st.sampled_from(["gold", "silver"]),
    "n": st.sampled_from([0.0, 1.0, 2.0, 3.5]),
    "vip": st.booleans(),
    "opened": st.integers(-90, 90),
}
KEEP, CLEAR = "keep", "clear"


def op(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.just(KEEP), st.just(CLEAR), values)


stream_rows = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["A", "B", "C"]),
        "minutes": st.integers(0, 3 * 24 * 60),
        "event": st.sampled_from(["created", "update", "replied"]),
        **{k: op(v) for k, v in ATTRIBUTES.items()},
    }
)


def at_of(r: dict[str, Any]) -> dt.datetime:
    return START + dt.timedelta(minutes=r["minutes"])


def value_of(key: str, v: Any, r: dict[str, Any]) -> Any:
    if key == "opened":
        return at_of(r) + dt.timedelta(minutes=v)
    return v


def name_of(key: str) -> str:
    return "opened_at" if key == "opened" else key


def json_lines(stream: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stream as JSON Lines read back: null clears, an absent key leaves alone."""
    lines = []
    for r in stream:
        d: dict[str, Any] = {"id": r["id"], "at": at_of(r).isoformat(), "event": r["event"]}
        for key in ATTRIBUTES:
            if r[key] == CLEAR:
                d[name_of(key)] = None
            elif r[key] != KEEP:
                v = value_of(key, r[key], r)
                d[name_of(key)] = v.isoformat() if isinstance(v, dt.datetime) else v
        lines.append(json.dumps(d))
    return [json.loads(line) for line in lines]


def change_frame(stream: list[dict[str, Any]]) -> Any:
    """Object columns: None clears, NaN leaves alone (pd.NA would too, but
    to_dict("records") turns pd.NA into None)."""
    rows = []
    for r in stream:
        d: dict[str, Any] = {"id": r["id"], "at": at_of(r), "event": r["event"]}
        for key in ATTRIBUTES:
            v = r[key]
            d[name_of(key)] = None if v == CLEAR else float("nan") if v == KEEP else value_of(key, v, r)
        rows.append(d)
    columns = ["id", "at", "event"] + [name_of(k) for k in ATTRIBUTES]
    df = pd.DataFrame(rows, columns=columns, dtype=object)
    df["at"] = pd.to_datetime(df["at"], utc=True)
    return df


def snapshots(stream: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row with its record's whole state after its event (events apply in `at`
    order, ties in input order); None where an attribute is unset."""
    order = sorted(range(len(stream)), key=lambda i: (stream[i]["minutes"], i))
    state: dict[str, dict[str, Any]] = {}
    out: list[dict[str, Any] | None] = [None] * len(stream)
    for i in order:
        r = stream[i]
        s = state.setdefault(r["id"], {name_of(k): None for k in ATTRIBUTES})
        for key in ATTRIBUTES:
            if r[key] == CLEAR:
                s[name_of(key)] = None
            elif r[key] != KEEP:
                s[name_of(key)] = value_of(key, r[key], r)
        out[i] = {"id": r["id"], "at": at_of(r), "event": r["event"], **s}
    return [row for row in out if row is not None]


def snapshot_frame(stream: list[dict[str, Any]], kind: str) -> Any:
    """Typed columns, as an export has them: empty cells are NaN, <NA>, NaT or null."""
    rows = snapshots(stream)
    columns = ["id", "at", "event"] + [name_of(k) for k in ATTRIBUTES]
    df = pd.DataFrame(rows, columns=columns)
    df["at"] = pd.to_datetime(df["at"], utc=True)
    df["opened_at"] = pd.to_datetime(df["opened_at"], utc=True)
    df["n"] = df["n"].astype("float64")
    df["vip"] = df["vip"].astype("boolean")
    if kind == "category":
        for c in ("priority", "status", "assignee", "tier"):
            df[c] = df[c].astype("category")
    if kind == "pandas" or kind == "category":
        return df
    table = pa.Table.from_pandas(df, preserve_index=False)
    if kind == "arrow":
        return table
    if kind == "arrow-chunked":
        half = table.num_rows // 2
        return pa.concat_tables([table.slice(0, half), table.slice(half)])
    if kind == "arrow-dictionary":
        return table.set_column(3, "priority", table["priority"].dictionary_encode())
    if kind == "polars":
        return pl.from_arrow(table)
    raise AssertionError(kind)


def same(a: duly.Evaluation, b: duly.Evaluation) -> None:
    assert a.timers == b.timers
    assert a.escalations == b.escalations
    assert a.rejected == b.rejected
    assert (a.events_applied, a.events_ignored, a.next_wakeup) == (b.events_applied, b.events_ignored, b.next_wakeup)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stream=st.lists(stream_rows, max_size=30),
    kind=st.sampled_from(["pandas", "category", "arrow", "arrow-chunked", "arrow-dictionary", "polars"]),
)
def test_changes_and_snapshots_equal_json_lines(stream: list[dict[str, Any]], kind: str) -> None:
    reference = duly.evaluate(POLICY, json_lines(stream), AS_OF)
    same(duly.evaluate(POLICY, change_frame(stream), AS_OF), reference)
    same(duly.evaluate(POLICY, change_frame(stream).to_dict("records"), AS_OF), reference)
    same(duly.evaluate(POLICY, snapshot_frame(stream, kind), AS_OF, rows="snapshots"), reference)


def test_a_cleared_attribute_changes_the_goal() -> None:
    """The issue's case: a record whose tier is cleared loses the gold goal."""
    base = {"id": "T", "event": "update"}
    created = {"id": "T", "at": "2026-01-05T14:00:00Z", "event": "created", "tier": "gold", "assignee": "ann"}
    cleared = {**base, "at": "2026-01-05T14:10:00Z", "tier": None}
    by_dicts = duly.evaluate(POLICY, [created, cleared], AS_OF)
    snap = pd.DataFrame([
        {"id": "T", "at": "2026-01-05T14:00:00Z", "event": "created", "tier": "gold", "assignee": "ann"},
        {"id": "T", "at": "2026-01-05T14:10:00Z", "event": "update", "tier": None, "assignee": "ann"},
    ])
    by_snapshots = duly.evaluate(POLICY, snap, AS_OF, rows="snapshots")
    by_changes = duly.evaluate(POLICY, snap, AS_OF)  # pandas' str column: None is NaN, no change
    resolution = [t for t in by_dicts.timers if t.target == "resolution"]
    assert resolution[0].goal_text == "8h"
    assert by_snapshots.timers == by_dicts.timers
    assert [t.goal_text for t in by_changes.timers if t.target == "resolution"][0] == "2h"


def test_snapshots_leave_columns_the_frame_lacks() -> None:
    """A snapshot frame without a `status` column never sets or clears status; its
    empty `assignee` cell clears assignee (and pauses the response clock)."""
    rows = [
        {"id": "T", "at": "2026-01-05T14:00:00Z", "event": "created", "assignee": "ann"},
        {"id": "T", "at": "2026-01-05T15:00:00Z", "event": "update", "assignee": None},
    ]
    result = duly.evaluate(POLICY, pd.DataFrame(rows), AS_OF, rows="snapshots")
    same(result, duly.evaluate(POLICY, rows, AS_OF))
    assert result.timers[0].state == "paused"


def test_rows_is_checked() -> None:
    with pytest.raises(duly.InvalidArgumentError, match="rows='changes'") as e:
        duly.evaluate(POLICY, [], AS_OF, rows="snapshot")
    assert e.value.path == "rows"
    with pytest.raises(duly.InvalidArgumentError, match="needs a frame") as e:
        duly.evaluate(POLICY, [{"id": "A", "at": AS_OF, "event": "x"}], AS_OF, rows="snapshots")
    assert e.value.path == "rows"


def test_none_is_one_rule_for_dicts_and_frames() -> None:
    """pd.DataFrame(rows, dtype=object) and df.to_dict("records") answer as the dicts do."""
    rows = [
        {"id": "T", "at": "2026-01-05T14:00:00Z", "event": "created", "tier": "gold", "assignee": "ann"},
        {"id": "T", "at": "2026-01-05T14:10:00Z", "event": "update", "tier": None},
    ]
    by_dicts = duly.evaluate(POLICY, rows, AS_OF)
    df = pd.DataFrame(rows, dtype=object)
    same(duly.evaluate(POLICY, df, AS_OF), by_dicts)
    same(duly.evaluate(POLICY, df.to_dict("records"), AS_OF), by_dicts)
