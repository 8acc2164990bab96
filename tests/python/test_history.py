"""duly.events_from_history: field-history rows of one (id, at) become one event.

Checks several fields changed at one instant, typed and text values with a
type column, null values as clears, the event column, Arrow input, and that the
events give the answers of the same changes written as dicts.
"""

from __future__ import annotations


import pytest

import duly

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")

AS_OF = "2026-01-09T00:00:00Z"
POLICY = duly.Policy.from_yaml(
    """
duly: 1
targets:
  - name: resolution
    start_when: event == "created"
    stop_when: state == "resolved"
    pause_when: assignee == null
    goals:
      - {when: priority == "P1" and reopened > 0, within: 1h}
      - {when: priority == "P1", within: 4h}
      - {within: 8h}
""",
    source="history-test.yaml",
)


def history() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("T1", "2026-01-05T14:00:00Z", "created", "priority", "P1", "string"),
            ("T1", "2026-01-05T14:00:00Z", "created", "assignee", "ann", "string"),
            ("T1", "2026-01-05T14:00:00Z", "created", "reopened", "0", "integer"),
            ("T2", "2026-01-05T14:05:00Z", "created", "priority", "P3", "string"),
            ("T1", "2026-01-05T15:00:00Z", None, "assignee", None, "string"),
            ("T1", "2026-01-05T15:00:00Z", None, "reopened", "1", "integer"),
            ("T2", "2026-01-05T15:00:00Z", "updated", "assignee", "bob", "string"),
            ("T1", "2026-01-05T16:00:00Z", None, "assignee", "cy", "string"),
            ("T1", "2026-01-05T16:00:00Z", None, "state", "resolved", "string"),
            ("T1", "2026-01-05T16:00:00Z", None, "vip", "true", "boolean"),
        ],
        columns=["ticket", "changed_at", "action", "field", "new_value", "kind"],
    )


def test_rows_of_one_instant_are_one_event() -> None:
    events = duly.events_from_history(history(), id="ticket", at="changed_at", field="field",
                                      value="new_value", event="action", type="kind")
    assert list(events.columns) == ["id", "at", "event", "priority", "assignee", "reopened", "state", "vip"]
    assert len(events) == 5
    first = events.iloc[0]
    assert (first["id"], first["event"], first["priority"], first["assignee"], first["reopened"]) == \
        ("T1", "created", "P1", "ann", 0.0)
    second = events.iloc[2]
    assert second["assignee"] is None  # a null value: a clear
    assert second["event"] == "updated"  # no event named: the default name
    assert second["priority"] is pd.NA  # not set by this event
    assert events.iloc[4]["vip"] is True
    expected = [
        {"id": "T1", "at": "2026-01-05T14:00:00Z", "event": "created", "priority": "P1", "assignee": "ann",
         "reopened": 0.0},
        {"id": "T2", "at": "2026-01-05T14:05:00Z", "event": "created", "priority": "P3"},
        {"id": "T1", "at": "2026-01-05T15:00:00Z", "event": "updated", "assignee": None, "reopened": 1.0},
        {"id": "T2", "at": "2026-01-05T15:00:00Z", "event": "updated", "assignee": "bob"},
        {"id": "T1", "at": "2026-01-05T16:00:00Z", "event": "updated", "assignee": "cy", "state": "resolved",
         "vip": True},
    ]
    got = duly.evaluate(POLICY, events, AS_OF)
    want = duly.evaluate(POLICY, expected, AS_OF)
    assert got.timers == want.timers
    t1 = [t for t in got.timers if t.id == "T1"][0]
    assert (t1.state, t1.goal_text, t1.paused_seconds) == ("breached", "1h", 3600)


def test_typed_values_and_arrow_input() -> None:
    h = pd.DataFrame({
        "id": ["A", "A", "A"],
        "at": pd.to_datetime(["2026-01-05T14:00Z", "2026-01-05T14:00Z", "2026-01-05T15:00Z"], utc=True),
        "field": ["priority", "reopened", "priority"],
        "value": pd.Series(["P1", 2, None], dtype=object),
    })
    events = duly.events_from_history(h)
    assert events["at"].dtype == h["at"].dtype
    assert events.iloc[0]["reopened"] == 2 and events.iloc[1]["priority"] is None
    text = pa.Table.from_pandas(h.assign(value=["P1", "2", None], kind=["text", "integer", "text"]),
                                preserve_index=False)
    from_arrow = duly.events_from_history(text, type="kind")
    assert list(from_arrow["priority"]) == ["P1", None]
    assert from_arrow.iloc[0]["reopened"] == 2.0
    r = duly.evaluate(POLICY, events, AS_OF)
    assert r.timers == duly.evaluate(POLICY, from_arrow, AS_OF).timers


def test_same_field_twice_last_wins_and_errors() -> None:
    h = pd.DataFrame({"id": ["A", "A"], "at": ["2026-01-05T14:00:00Z"] * 2, "field": ["p", "p"], "value": ["1", "2"]})
    assert duly.events_from_history(h).iloc[0]["p"] == "2"
    with pytest.raises(duly.InvalidArgumentError, match="no column 'when'") as e:
        duly.events_from_history(h, at="when")
    assert e.value.path == "at"
    bad = h.assign(kind=["number", "number"], value=["1", "x"])
    with pytest.raises(duly.InvalidArgumentError, match="'x' is not a number") as e:
        duly.events_from_history(bad, type="kind")
    assert e.value.path == "value[1]"
    with pytest.raises(duly.InvalidArgumentError, match="unknown type 'money'"):
        duly.events_from_history(h.assign(kind=["money", "number"]), type="kind")
    with pytest.raises(duly.InvalidArgumentError, match="would overwrite"):
        duly.events_from_history(h.assign(field=["at", "p"]))
    assert len(duly.events_from_history(h.iloc[:0])) == 0
