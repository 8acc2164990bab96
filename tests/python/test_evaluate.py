"""duly.evaluate on dicts and DataFrames, checked against the CLI's reviewed output.

examples/helpdesk/expected.stdout is what `duly evaluate --format jsonl` prints
for examples/helpdesk at 2026-11-30T17:00:00Z; evaluating the same events from
Python, as dicts or as a DataFrame, must give the same rows.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import json
import pathlib
import pickle
import subprocess
import textwrap
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

import duly

from result_rows import frame_rows, rows

from conftest import utc

pd = pytest.importorskip("pandas")

ROOT = pathlib.Path(__file__).resolve().parents[2]
HELPDESK = ROOT / "examples" / "helpdesk"
AS_OF = "2026-11-30T17:00:00Z"
CLI = ROOT / "build" / "bin" / "duly"

TIMER_KEYS = [
    "id", "target", "cycle", "state", "goal_seconds", "goal", "zone", "started", "stopped", "due", "breached_at",
    "elapsed_seconds", "remaining_seconds", "paused_seconds", "next_wakeup",
]
# duly.Timer's fields: the keys, with "goal" (the text) as goal_text, since
# Timer.goal is goal_seconds as a timedelta.
TIMER_FIELDS = ["goal_text" if k == "goal" else k for k in TIMER_KEYS]
FIRING_KEYS = ["id", "target", "escalation", "cycle", "point", "fired_at", "deliver_at", "key", "actions"]
INSTANT_KEYS = {"started", "stopped", "due", "breached_at", "next_wakeup", "fired_at", "deliver_at"}


def instant(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def expected_lines(kind: str) -> list[dict[str, Any]]:
    """The lines of one kind of expected.stdout, without "kind", instants as datetimes."""
    out = []
    for line in (HELPDESK / "expected.stdout").read_text().splitlines():
        row = json.loads(line)
        if row.pop("kind") != kind:
            continue
        out.append({k: instant(v) if k in INSTANT_KEYS else v for k, v in row.items()})
    return out


def helpdesk_events() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (HELPDESK / "events.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def policy() -> duly.Policy:
    return duly.load_policy(HELPDESK / "policy.yaml")


def check_helpdesk(result: duly.Evaluation, *, rejected_reason: str | None = None) -> None:
    assert rows(result.timers) == expected_lines("timer")
    assert rows(result.escalations) == expected_lines("escalation")
    expected_rejected = expected_lines("rejected")
    if rejected_reason is not None:
        expected_rejected = [{"line": 23, "reason": rejected_reason}]
    assert rows(result.rejected) == expected_rejected


# --- the helpdesk example ---------------------------------------------------------------------


def test_the_expected_output_has_every_kind_of_line() -> None:
    assert len(expected_lines("timer")) == 20
    assert len(expected_lines("escalation")) == 6
    assert expected_lines("rejected") == [
        {"line": 23, "reason": "at: not an ISO-8601 instant: '2026-11-30T25:00:00-05:00' (hour 25 is out of range 00 to 23)"}
    ]


def test_helpdesk_from_dicts_matches_the_cli(policy: duly.Policy) -> None:
    result = duly.evaluate(policy, helpdesk_events(), AS_OF)
    check_helpdesk(result)
    assert result.events_applied == 23
    assert result.events_ignored == 0
    assert result.as_of == utc(2026, 11, 30, 17)
    wakeups = [t.next_wakeup for t in result.timers if t.next_wakeup is not None]
    assert result.next_wakeup == min(wakeups)


def test_field_names_are_the_jsonl_keys() -> None:
    assert [f.name for f in dataclasses.fields(duly.Timer)] == TIMER_FIELDS
    assert [f.name for f in dataclasses.fields(duly.Firing)] == FIRING_KEYS
    assert [f.name for f in dataclasses.fields(duly.Rejected)] == ["line", "reason"]
    assert list(expected_lines("timer")[0]) == TIMER_KEYS
    assert list(expected_lines("escalation")[0]) == FIRING_KEYS
    assert list(expected_lines("rejected")[0]) == ["line", "reason"]


def test_helpdesk_from_dicts_with_datetimes(policy: duly.Policy) -> None:
    events = helpdesk_events()
    new_york = ZoneInfo("America/New_York")
    for e in events[:22] + events[23:]:
        # The same instants as aware datetimes, in New York's zone.
        e["at"] = dt.datetime.fromisoformat(e["at"]).astimezone(new_york)
    check_helpdesk(duly.evaluate(policy, events, dt.datetime(2026, 11, 30, 12, tzinfo=new_york)))


def test_helpdesk_from_a_generator(policy: duly.Policy) -> None:
    check_helpdesk(duly.evaluate(policy, (e for e in helpdesk_events()), AS_OF))


def test_helpdesk_from_a_dataframe_of_text(policy: duly.Policy) -> None:
    # Absent keys become empty cells: no change, as for dicts.
    frame = pd.DataFrame(helpdesk_events())
    check_helpdesk(duly.evaluate(policy, frame, AS_OF))


def test_helpdesk_from_a_dataframe_of_datetimes(policy: duly.Policy) -> None:
    frame = pd.DataFrame(helpdesk_events())
    frame["at"] = pd.to_datetime(frame["at"], utc=True, format="ISO8601", errors="coerce")
    assert str(frame["at"].dtype).endswith(", UTC]")
    check_helpdesk(duly.evaluate(policy, frame, AS_OF), rejected_reason="at: missing")
    # Any zone will do: the instants are the same.
    frame["at"] = frame["at"].dt.tz_convert("America/Denver")
    check_helpdesk(duly.evaluate(policy, frame, AS_OF), rejected_reason="at: missing")
    # And the same with columns in another order.
    frame = frame[["event", "status", "at", "priority", "id", "actor", "channel"]]
    check_helpdesk(duly.evaluate(policy, frame, AS_OF), rejected_reason="at: missing")


def test_helpdesk_frames_match_the_cli(policy: duly.Policy) -> None:
    result = duly.evaluate(policy, pd.DataFrame(helpdesk_events()), AS_OF)
    timers = result.timers_frame()
    assert list(timers.columns) == TIMER_KEYS
    assert frame_rows(timers) == expected_lines("timer")
    firings = result.escalations_frame()
    assert list(firings.columns) == FIRING_KEYS
    assert frame_rows(firings) == expected_lines("escalation")
    rejected = result.rejected_frame()
    assert list(rejected.columns) == ["line", "reason"]
    assert frame_rows(rejected) == expected_lines("rejected")


# --- frames ------------------------------------------------------------------------------------


TIMER_DTYPES = {
    "id": "string", "target": "string", "cycle": "Int64", "state": "string",
    "goal_seconds": "Int64", "goal": "string", "zone": "string", "started": "datetime64[ns, UTC]", "stopped": "datetime64[ns, UTC]",
    "due": "datetime64[ns, UTC]", "breached_at": "datetime64[ns, UTC]", "elapsed_seconds": "Int64",
    "remaining_seconds": "Int64", "paused_seconds": "Int64", "next_wakeup": "datetime64[ns, UTC]",
}
FIRING_DTYPES = {
    "id": "string", "target": "string", "escalation": "string", "cycle": "Int64", "point": "Int64",
    "fired_at": "datetime64[ns, UTC]", "deliver_at": "datetime64[ns, UTC]", "key": "string", "actions": "object",
}


@pytest.mark.parametrize("events", [helpdesk_events(), []], ids=["helpdesk", "empty"])
def test_frame_dtypes(policy: duly.Policy, events: list[dict[str, Any]]) -> None:
    result = duly.evaluate(policy, events, AS_OF)
    timers = result.timers_frame()
    assert {k: str(v) for k, v in timers.dtypes.items()} == TIMER_DTYPES
    firings = result.escalations_frame()
    assert {k: str(v) for k, v in firings.dtypes.items()} == FIRING_DTYPES
    assert {k: str(v) for k, v in result.rejected_frame().dtypes.items()} == {"line": "Int64", "reason": "string"}
    assert len(timers) == len(result.timers)
    assert len(firings) == len(result.escalations)


def test_frame_nulls(policy: duly.Policy) -> None:
    timers = duly.evaluate(policy, helpdesk_events(), AS_OF).timers_frame()
    pending = timers[timers["state"] == "pending"].iloc[0]
    assert pending["cycle"] == 0
    assert pending["goal_seconds"] is pd.NA
    assert pending["started"] is pd.NaT
    assert timers["stopped"].isna().sum() == sum(1 for r in expected_lines("timer") if r["stopped"] is None)


# --- objects -----------------------------------------------------------------------------------


def test_timer_objects(policy: duly.Policy) -> None:
    result = duly.evaluate(policy, helpdesk_events(), AS_OF)
    t = result.timers[0]
    assert (t.id, t.target, t.cycle, t.state) == ("HD-1001", "first_response", 1, "met")
    assert t.started == utc(2026, 11, 23, 14, 15)
    assert t.started is not None and t.started.tzinfo is dt.timezone.utc
    assert t.goal == dt.timedelta(hours=4)
    assert t.elapsed == dt.timedelta(hours=1, minutes=45)
    assert t.remaining == dt.timedelta(hours=2, minutes=15)
    assert t.paused == dt.timedelta(0)
    assert t.breached_at is None
    pending = next(t for t in result.timers if t.state == "pending")
    assert pending.goal is None and pending.elapsed is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.state = "running"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(t)) == t
    assert result.timers is result.timers  # made once


def test_firings_and_wakeups_by_hand(policy: duly.Policy) -> None:
    # A P1 ticket, never answered: resolution is 4h round the clock from 14:00Z.
    # team_lead at 75% = 3h; support_manager at due + 2h = 6h, then every 4h, twice.
    events = [{"id": "E-1", "at": "2026-11-23T14:00:00Z", "event": "created", "priority": "P1", "channel": "phone"}]
    result = duly.evaluate(policy, events, "2026-11-24T12:00:00Z")
    manager = [{"notify": ["support_manager"]}, {"set": {"escalated": True}}]
    assert [(f.escalation, f.point, f.fired_at, f.key, f.actions) for f in result.escalations] == [
        ("team_lead", 0, utc(2026, 11, 23, 17), "E-1/resolution/team_lead/20261123T140000Z/0", [{"notify": ["team_lead"]}]),
        ("support_manager", 0, utc(2026, 11, 23, 20), "E-1/resolution/support_manager/20261123T140000Z/0", manager),
        ("support_manager", 1, utc(2026, 11, 24, 0), "E-1/resolution/support_manager/20261123T140000Z/1", manager),
        ("support_manager", 2, utc(2026, 11, 24, 4), "E-1/resolution/support_manager/20261123T140000Z/2", manager),
    ]
    # Earlier, only the first has fired; the next wake-up is the next point.
    early = duly.evaluate(policy, events, "2026-11-23T18:30:00Z")
    assert [f.escalation for f in early.escalations] == ["team_lead"]
    assert early.next_wakeup == utc(2026, 11, 23, 20)


def test_repr(policy: duly.Policy) -> None:
    result = duly.evaluate(policy, helpdesk_events(), AS_OF)
    assert repr(result) == "<duly.Evaluation as_of=2026-11-30T17:00:00Z: 20 timers, 6 escalations, 1 rejected>"


# --- attributes: no change, clearing, types ----------------------------------------------------

WAITING = duly.Policy.from_yaml(
    textwrap.dedent("""\
    duly: 1
    targets:
      - name: resolution
        start_when: event == "created"
        stop_when: status == "done"
        pause_when: status == "waiting"
        goals: [{within: 4h}]
    """)
)
CREATED_WAITING = {"id": "A", "at": "2026-01-05T10:00:00Z", "event": "created", "status": "waiting"}


def state_after(update: dict[str, Any], events: Any = None) -> tuple[str, int | None, int | None]:
    if events is None:
        events = [CREATED_WAITING, {"id": "A", "at": "2026-01-05T11:00:00Z", "event": "updated", **update}]
    (t,) = duly.evaluate(WAITING, events, "2026-01-05T12:00:00Z").timers
    return t.state, t.elapsed_seconds, t.paused_seconds


def test_none_in_a_dict_clears_the_attribute() -> None:
    assert state_after({"status": None}) == ("running", 3600, 3600)


def test_an_absent_key_leaves_the_attribute_alone() -> None:
    assert state_after({}) == ("paused", 0, 7200)


@pytest.mark.parametrize("empty", [float("nan"), np.nan, pd.NA, pd.NaT, np.float64("nan")], ids=repr)
def test_an_empty_cell_in_a_dict_leaves_the_attribute_alone(empty: object) -> None:
    # What DataFrame.to_dict("records") gives for an empty cell.
    assert state_after({"status": empty}) == ("paused", 0, 7200)


def status_frame(cell: object) -> Any:
    return pd.DataFrame(
        {
            "id": ["A", "A"],
            "at": pd.to_datetime(["2026-01-05T10:00:00Z", "2026-01-05T11:00:00Z"]),
            "event": ["created", "updated"],
            "status": pd.Series(["waiting", cell], dtype=object),
        }
    )


@pytest.mark.parametrize("empty", [np.nan, pd.NA], ids=repr)
def test_an_empty_cell_in_a_dataframe_leaves_the_attribute_alone(empty: object) -> None:
    assert state_after({}, status_frame(empty)) == ("paused", 0, 7200)


def test_none_in_an_object_column_clears_the_attribute_as_in_a_dict() -> None:
    assert state_after({}, status_frame(None)) == ("running", 3600, 3600)


def test_an_empty_cell_of_a_snapshot_row_clears_the_attribute() -> None:
    (t,) = duly.evaluate(WAITING, status_frame(np.nan), "2026-01-05T12:00:00Z", rows="snapshots").timers
    assert (t.state, t.elapsed_seconds, t.paused_seconds) == ("running", 3600, 3600)


TYPED = duly.Policy.from_yaml(
    textwrap.dedent("""\
    duly: 1
    targets:
      - name: t
        applies_when: vip == true and count >= 2 and tier == "gold"
        start_when: event == "created"
        start_at: opened_at
        goals: [{within: 1h}]
    """)
)


def typed_frame() -> Any:
    at = pd.Timestamp("2026-01-05T10:00:00Z")
    return pd.DataFrame(
        {
            "id": ["A", "B", "C", "D", "E"],
            "at": [at] * 5,
            "event": ["created"] * 5,
            "vip": [True, True, False, True, True],
            "count": pd.array([2, 3, 5, None, 2], dtype="Int64"),
            "tier": pd.Categorical(["gold", "gold", "gold", "gold", "silver"]),
            "opened_at": pd.to_datetime(
                ["2026-01-05T09:30:00Z", None, "2026-01-05T09:00:00Z", None, None], utc=True
            ).tz_convert("Europe/Paris"),
        }
    )


def summary(result: duly.Evaluation) -> list[tuple[str, str, dt.datetime | None]]:
    return [(t.id, t.state, t.started) for t in result.timers]


EXPECTED_TYPED = [
    ("A", "running", utc(2026, 1, 5, 9, 30)),  # starts at opened_at
    ("B", "running", utc(2026, 1, 5, 10)),     # no opened_at: at the event
    ("C", "pending", None),                    # not a vip
    ("D", "pending", None),                    # no count
    ("E", "pending", None),                    # silver
]


def test_dataframe_attribute_dtypes() -> None:
    frame = typed_frame()
    assert summary(duly.evaluate(TYPED, frame, "2026-01-05T10:20:00Z")) == EXPECTED_TYPED


def test_dataframe_nullable_dtypes() -> None:
    policy = duly.Policy.from_yaml(
        'duly: 1\ntargets:\n  - name: t\n    applies_when: vip == true and tier == "gold" and n > 1.5\n'
        '    start_when: event == "created"\n    goals: [{within: 1h}]\n'
    )
    frame = pd.DataFrame(
        {
            "id": ["A", "B", "C", "D"],
            "at": pd.to_datetime(["2026-01-05T10:00:00Z"] * 4),
            "event": ["created"] * 4,
            "vip": pd.array([True, None, True, True], dtype="boolean"),
            "tier": pd.array(["gold", "gold", None, "gold"], dtype="string"),
            "n": pd.array([2.0, 2.0, 2.0, None], dtype="Float64"),
        }
    )
    result = duly.evaluate(policy, frame, "2026-01-05T10:30:00Z")
    assert [(t.id, t.state) for t in result.timers] == [
        ("A", "running"), ("B", "pending"), ("C", "pending"), ("D", "pending")
    ]


def test_dicts_with_typed_values() -> None:
    events = [
        {k: v for k, v in row.items() if v is not None}
        for row in [
            {"id": "A", "at": utc(2026, 1, 5, 10), "event": "created", "vip": True, "count": 2,
             "tier": "gold", "opened_at": utc(2026, 1, 5, 9, 30)},
            {"id": "B", "at": utc(2026, 1, 5, 10), "event": "created", "vip": np.bool_(True),
             "count": np.int64(3), "tier": "gold"},
            {"id": "C", "at": utc(2026, 1, 5, 10), "event": "created", "vip": False, "count": 5.0,
             "tier": "gold", "opened_at": "2026-01-05T09:00:00Z"},
            {"id": "D", "at": utc(2026, 1, 5, 10), "event": "created", "vip": True, "tier": "gold"},
            {"id": "E", "at": utc(2026, 1, 5, 10), "event": "created", "vip": True, "count": np.float32(2),
             "tier": np.str_("silver")},
        ]
    ]
    assert summary(duly.evaluate(TYPED, events, "2026-01-05T10:20:00Z")) == EXPECTED_TYPED
    # The same from DataFrame.to_dict("records"): empty cells are NaN / NaT / <NA>.
    records = typed_frame().to_dict("records")
    assert summary(duly.evaluate(TYPED, records, "2026-01-05T10:20:00Z")) == EXPECTED_TYPED


def test_integer_ids_are_text() -> None:
    events = [{"id": 42, "at": "2026-01-05T10:00:00Z", "event": "created", "status": "new"}]
    (t,) = duly.evaluate(WAITING, events, "2026-01-05T11:00:00Z").timers
    assert t.id == "42"
    frame = pd.DataFrame({"id": [42], "at": ["2026-01-05T10:00:00Z"], "event": ["created"]})
    (t,) = duly.evaluate(WAITING, frame, "2026-01-05T11:00:00Z").timers
    assert t.id == "42"


def test_events_after_as_of_are_ignored() -> None:
    events = [CREATED_WAITING, {"id": "A", "at": "2026-01-05T13:00:00Z", "event": "updated", "status": None}]
    result = duly.evaluate(WAITING, events, "2026-01-05T12:00:00Z")
    assert (result.events_applied, result.events_ignored) == (1, 1)
    assert result.timers[0].state == "paused"


def test_ties_keep_input_order() -> None:
    at = "2026-01-05T10:00:00Z"
    created = {"id": "A", "at": at, "event": "created"}
    done = {"id": "A", "at": at, "event": "updated", "status": "done"}
    assert duly.evaluate(WAITING, [created, done], "2026-01-05T12:00:00Z").timers[0].state == "met"
    # The other way round, status is already "done" when "created" comes: stop_when
    # holds too, so no cycle starts (an idle target starts only when stop_when does not hold).
    assert duly.evaluate(WAITING, [done, created], "2026-01-05T12:00:00Z").timers[0].state == "pending"


# --- rejected rows ---------------------------------------------------------------------------


BAD_ROWS: list[tuple[Any, str]] = [
    ({"id": "A"}, "at: missing; event: missing"),
    ({"at": "x"}, "at: not an ISO-8601 instant: 'x' (expected YYYY-MM-DDTHH:MM:SS followed by Z or an offset "
                  "such as +01:00); id: missing; event: missing"),
    ({}, "id: missing; at: missing; event: missing"),
    ({"id": "", "at": 5, "event": 7, "tags": ["a", ["b"]], "m": {"k": 1}},
     "id: empty; at: expected an ISO-8601 instant as a string or an aware datetime, got 5; event: expected a "
     "string, got 7; attribute 'tags': item 2 of the list is a list: a list holds only text, numbers and bools "
     "(no null, no lists, no objects); attribute 'm': objects are not supported (a value is text, a number, a bool, null, or a list of text, numbers and bools)"),
    ({"id": 12, "at": "2026-01-05T10:00:00", "event": "created"},
     "at: instant '2026-01-05T10:00:00' has no UTC offset: add Z or an offset such as +01:00, or name a time "
     "zone for it"),
    ({"id": True, "at": "2026-01-05T10:00:00Z", "event": ""},
     "id: expected a string or an integer, got true; event: empty"),
    ({"id": 1.5, "at": None, "event": None, "": 1},
     "id: expected a string or an integer, got 1.5; at: expected an ISO-8601 instant as a string or an aware "
     "datetime, got null; event: expected a string, got null; attribute '': the name is empty"),
    ({"id": "A", "at": utc(2300, 1, 1), "event": "x"},
     "at: instant 2300-01-01T00:00:00Z is outside the supported years 1970 to 2199"),
    ({"id": "A", "at": "2026-01-05T10:00:00Z", "event": "x", "n": float("inf"), "d": dt.date(2026, 1, 1)},
     "attribute 'n': 'inf' is not a number; attribute 'd': unsupported value of type datetime.date (expected str, "
     "a number, bool, an aware datetime, a list, or None to clear)"),
    ("nope", "not a dict: got str"),
]


def test_bad_rows_are_rejected_with_their_line_and_the_rest_is_evaluated() -> None:
    good = {"id": "G", "at": "2026-01-05T10:00:00Z", "event": "created"}
    events = [good] + [row for row, _ in BAD_ROWS] + [dict(good, id="H")]
    result = duly.evaluate(WAITING, events, "2026-01-05T12:00:00Z")
    assert rows(result.rejected) == [{"line": i + 2, "reason": reason} for i, (_, reason) in enumerate(BAD_ROWS)]
    assert [t.id for t in result.timers] == ["G", "H"]
    assert result.events_applied == 2


@pytest.mark.skipif(not CLI.is_file(), reason="needs the CLI (build/bin/duly)")
def test_rejection_reasons_are_those_of_the_jsonl_reader(tmp_path: pathlib.Path) -> None:
    # The rows JSON can carry and both readers word alike: Python accepts
    # datetimes for `at` (and says so when it gets something else) and checks
    # the supported range; JSON has no infinity.
    same = [row for row, _ in BAD_ROWS[:9] if isinstance(row.get("at", ""), str)]
    same = [row for row in same if not any(isinstance(v, (float, dt.date)) for v in row.values())]
    assert len(same) == 5
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(row) + "\n" for row in same))
    out = subprocess.run(
        [str(CLI), "evaluate", "--policy", str(HELPDESK / "policy.yaml"), "--events", str(events),
         "--as-of", "2026-01-05T12:00:00Z"],
        check=True, capture_output=True, text=True,
    ).stdout
    cli = [json.loads(line) for line in out.splitlines() if '"kind":"rejected"' in line]
    python = duly.evaluate(duly.load_policy(HELPDESK / "policy.yaml"), same, "2026-01-05T12:00:00Z").rejected
    assert [{"line": r["line"], "reason": r["reason"]} for r in cli] == rows(python)


def test_bad_rows_in_a_dataframe() -> None:
    frame = pd.DataFrame(
        {
            "id": ["A", None, "", "D", "E"],
            "at": ["2026-01-05T10:00:00Z", "2026-01-05T10:00:00Z", None, "2026-13-01T00:00:00Z", "2026-01-05T10:00:00Z"],
            "event": ["created", "created", "created", None, "created"],
            "n": [1.0, 2.0, 3.0, 4.0, float("inf")],
            "tags": [None, None, None, None, ["x", None]],
        }
    )
    result = duly.evaluate(WAITING, frame, "2026-01-05T12:00:00Z")
    assert rows(result.rejected) == [
        {"line": 2, "reason": "id: missing"},
        {"line": 3, "reason": "id: empty; at: missing"},
        {"line": 4, "reason": "at: not an ISO-8601 instant: '2026-13-01T00:00:00Z' (month 13 does not exist); "
                              "event: missing"},
        {"line": 5, "reason": "attribute 'n': 'inf' is not a number; attribute 'tags': item 2 of the list is null: "
                              "a list holds only text, numbers and bools (no null, no lists, no objects)"},
    ]
    assert [t.id for t in result.timers] == ["A"]


def test_strict_mode_raises_listing_every_rejected_row(policy: duly.Policy) -> None:
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.evaluate(policy, helpdesk_events(), AS_OF, strict=True)
    err = e.value
    assert str(err) == (
        "1 event row rejected (strict=True), nothing evaluated:\n"
        "events:23: at: not an ISO-8601 instant: '2026-11-30T25:00:00-05:00' (hour 25 is out of range 00 to 23)"
    )
    assert err.line == 23
    assert [(d.line, d.message) for d in err.diagnostics] == [
        (23, "at: not an ISO-8601 instant: '2026-11-30T25:00:00-05:00' (hour 25 is out of range 00 to 23)")
    ]
    with pytest.raises(duly.InvalidArgumentError, match=r"^1 event row rejected"):
        duly.evaluate(policy, pd.DataFrame(helpdesk_events()), AS_OF, strict=True)
    # Without rejected rows, strict mode changes nothing.
    events = helpdesk_events()
    del events[22]
    assert rows(duly.evaluate(policy, events, AS_OF, strict=True).timers) == expected_lines("timer")


def test_strict_mode_counts_rows() -> None:
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.evaluate(WAITING, [{}, {"id": "A"}], "2026-01-05T12:00:00Z", strict=True)
    assert str(e.value) == (
        "2 event rows rejected (strict=True), nothing evaluated:\n"
        "events:1: id: missing; at: missing; event: missing\n"
        "events:2: at: missing; event: missing"
    )


# --- mistakes of the caller: errors -------------------------------------------------------------


def test_naive_datetime_in_a_dict_is_an_error_naming_the_row() -> None:
    events = [CREATED_WAITING, {"id": "A", "at": dt.datetime(2026, 1, 5, 11), "event": "updated"}]
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.evaluate(WAITING, events, "2026-01-05T12:00:00Z")
    assert str(e.value) == (
        "events[1].at: naive datetime 2026-01-05 11:00:00: attach a time zone, e.g. "
        'dt.replace(tzinfo=datetime.timezone.utc) or dt.replace(tzinfo=zoneinfo.ZoneInfo("America/New_York"))'
    )
    assert e.value.path == "events[1].at"


def test_naive_datetime_attribute_is_an_error_naming_the_row() -> None:
    events = [dict(CREATED_WAITING, opened_at=dt.datetime(2026, 1, 5, 9))]
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.evaluate(WAITING, events, "2026-01-05T12:00:00Z")
    assert e.value.path == "events[0].opened_at"
    assert "naive datetime 2026-01-05 09:00:00: attach a time zone" in str(e.value)


def test_naive_as_of_is_an_error() -> None:
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.evaluate(WAITING, [CREATED_WAITING], dt.datetime(2026, 1, 5, 12))
    assert e.value.path == "as_of"
    assert str(e.value).startswith("as_of: naive datetime 2026-01-05 12:00:00: attach a time zone")


def test_as_of_out_of_range() -> None:
    with pytest.raises(duly.OutOfRangeError) as e:
        duly.evaluate(WAITING, [CREATED_WAITING], "2300-01-01T00:00:00Z")
    assert str(e.value) == (
        "as_of: instant 2300-01-01T00:00:00Z is outside the supported range "
        "[1970-01-01T00:00:00Z, 2200-01-01T00:00:00Z)"
    )


def test_as_of_as_text_without_offset() -> None:
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.evaluate(WAITING, [CREATED_WAITING], "2026-01-05T12:00:00")
    assert e.value.path == "as_of"


def test_naive_datetime64_column_is_an_error_naming_the_column() -> None:
    frame = pd.DataFrame({"id": ["A"], "at": pd.to_datetime(["2026-01-05T10:00:00"]), "event": ["created"]})
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.evaluate(WAITING, frame, "2026-01-05T12:00:00Z")
    assert e.value.path == "at"
    assert str(e.value) == (
        "at: column 'at' holds naive datetimes (datetime64[us]): give them a time zone, e.g. "
        "df['at'] = df['at'].dt.tz_localize('UTC') (or the zone they were recorded in, e.g. 'America/New_York')"
    ).replace("datetime64[us]", str(frame["at"].dtype))
    frame["at"] = frame["at"].dt.tz_localize("UTC")
    frame["opened_at"] = pd.to_datetime(["2026-01-05T09:00:00"])
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.evaluate(WAITING, frame, "2026-01-05T12:00:00Z")
    assert e.value.path == "opened_at"
    assert "column 'opened_at' holds naive datetimes" in str(e.value)


def test_naive_datetime_objects_in_a_text_column() -> None:
    frame = pd.DataFrame(
        {"id": ["A", "B"], "at": pd.Series(["2026-01-05T10:00:00Z", dt.datetime(2026, 1, 5, 10)], dtype=object),
         "event": ["created", "created"]}
    )
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.evaluate(WAITING, frame, "2026-01-05T12:00:00Z")
    assert e.value.path == "at[1]"


def test_dataframe_without_a_required_column() -> None:
    frame = pd.DataFrame({"id": ["A"], "event": ["created"], "status": ["new"]})
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.evaluate(WAITING, frame, "2026-01-05T12:00:00Z")
    assert str(e.value) == (
        "events: the DataFrame has no 'at' column (it needs id, at and event; it has 'id', 'event', 'status')"
    )


def test_dataframe_column_of_the_wrong_dtype() -> None:
    frame = pd.DataFrame({"id": ["A"], "at": [1767607200], "event": ["created"]})
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.evaluate(WAITING, frame, "2026-01-05T12:00:00Z")
    assert str(e.value) == (
        "at: column 'at' has dtype int64: expected datetimes with a time zone (e.g. datetime64[ns, UTC]) "
        "or ISO-8601 text"
    )
    frame = pd.DataFrame({"id": ["A"], "at": ["2026-01-05T10:00:00Z"], "event": ["created"],
                          "wait": pd.to_timedelta(["1h"])})
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.evaluate(WAITING, frame, "2026-01-05T12:00:00Z")
    assert e.value.path == "wait"


def test_events_must_be_dicts_or_a_dataframe() -> None:
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.evaluate(WAITING, CREATED_WAITING, "2026-01-05T12:00:00Z")  # type: ignore[arg-type, unused-ignore]  # (Any without pandas stubs)
    assert str(e.value) == (
        "events: expected an iterable of event dicts, a pandas DataFrame or Arrow data (an object with "
        "__arrow_c_stream__), got one dict: put it in a list, [event]"
    )
    with pytest.raises(duly.InvalidArgumentError, match="got int"):
        duly.evaluate(WAITING, 5, "2026-01-05T12:00:00Z")  # type: ignore[arg-type, unused-ignore]
    with pytest.raises(duly.InvalidArgumentError, match="^policy: expected a duly.Policy, got str"):
        duly.evaluate("policy.yaml", [CREATED_WAITING], "2026-01-05T12:00:00Z")  # type: ignore[arg-type]


# --- threads ------------------------------------------------------------------------------------


def test_one_policy_from_many_threads(policy: duly.Policy) -> None:
    events = helpdesk_events()
    expected = rows(duly.evaluate(policy, events, AS_OF).timers)
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: rows(duly.evaluate(policy, events, AS_OF).timers), range(16)))
    assert all(r == expected for r in results)


# --- differential: dicts, DataFrame and the CLI agree on random streams --------------------------


def random_events(seed: int, n: int) -> list[dict[str, Any]]:
    """Tickets over three weeks; absent keys (not None) where nothing changes."""
    rng = np.random.default_rng(seed)
    start = dt.datetime(2026, 11, 16, tzinfo=dt.timezone.utc)
    choices = {
        "priority": ["P1", "P2", "P3"],
        "status": ["new", "open", "waiting_on_customer", "resolved", "cancelled"],
        "actor": ["agent", "customer"],
        "channel": ["email", "phone", "internal"],
    }
    events = []
    for _ in range(n):
        at = start + dt.timedelta(seconds=int(rng.integers(0, 21 * 86400)))
        e: dict[str, Any] = {
            "id": f"T-{int(rng.integers(0, n // 5))}",
            "at": at.isoformat().replace("+00:00", "Z"),
            "event": str(rng.choice(["created", "replied", "updated", "reopened", "reclassified"])),
        }
        for key, values in choices.items():
            if rng.random() < 0.4:
                e[key] = str(rng.choice(values))
        events.append(e)
    return events


@pytest.mark.parametrize("seed", [1, 2])
def test_dicts_dataframe_and_cli_agree(policy: duly.Policy, seed: int, tmp_path: pathlib.Path) -> None:
    events = random_events(seed, 3000)
    as_of = "2026-12-01T00:00:00Z"
    from_dicts = duly.evaluate(policy, events, as_of)
    frame = pd.DataFrame(events)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    from_frame = duly.evaluate(policy, frame, as_of)
    assert from_dicts.timers == from_frame.timers
    assert from_dicts.escalations == from_frame.escalations
    assert frame_rows(from_frame.timers_frame()) == rows(from_dicts.timers)
    assert frame_rows(from_frame.escalations_frame()) == rows(from_dicts.escalations)
    assert len(from_dicts.escalations) > 0
    if not CLI.is_file():
        pytest.skip("needs the CLI (build/bin/duly) for the rest")
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    out = subprocess.run(
        [str(CLI), "evaluate", "--policy", str(HELPDESK / "policy.yaml"), "--events", str(path), "--as-of", as_of],
        check=True, capture_output=True, text=True,
    ).stdout
    lines = [json.loads(line) for line in out.splitlines()]
    convert = [
        {k: instant(v) if k in INSTANT_KEYS else v for k, v in line.items() if k != "kind"} for line in lines
    ]
    kinds = [line["kind"] for line in lines]
    assert [c for c, k in zip(convert, kinds) if k == "timer"] == rows(from_dicts.timers)
    assert [c for c, k in zip(convert, kinds) if k == "escalation"] == rows(from_dicts.escalations)
