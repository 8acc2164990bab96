"""The engine's facts the analysis reads, and the reports built on them, on random streams.

Random histories (hypothesis) of a policy with starts, stops, pauses, cancels,
resets, goals that sometimes do not match, and a business calendar re-zoned by
an attribute. For each:

- every cycle's pauses (``Evaluation.pauses_frame()``) lie inside the cycle and
  add up to its ``paused_seconds``;
- ``duly.spans`` covers each cycle's wall-clock span exactly, its paused spans
  adding up to ``paused_seconds``, with and without ``by``;
- ``duly.report(by=...)`` splits add up to the engine's own totals: running
  business seconds to ``elapsed_seconds`` (wall-clock for cycles without a
  goal), paused seconds to ``paused_seconds``, counts to the unsplit report.
"""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import duly

POLICY = duly.Policy.from_yaml("""\
duly: 1
calendars:
  office:
    timezone: UTC
    hours: {mon-fri: "09:00-17:00"}
targets:
  - name: fix
    start_when: event == "opened" or (event == "reopened" and state != "resolved")
    stop_when: state == "resolved"
    pause_when: state == "waiting"
    cancel_when: state == "cancelled"
    reset_when: event == "reassigned"
    goals:
      - {when: priority == "P1", within: 2h}
      - {when: priority == "P2", within: 4h, calendar: office, timezone_from: tz}
  - name: reply
    start_when: event == "opened"
    stop_when: event == "replied"
    goals: [{within: 30m, calendar: office}]
""")

BASE = pd.Timestamp("2026-03-06T06:00:00Z")  # a Friday: weekends and a DST change in range
STATES = ["new", "open", "waiting", "resolved", "cancelled", None]

event_row = st.fixed_dictionaries(
    {
        "minute": st.integers(0, 60 * 24 * 5),
        "event": st.sampled_from(["opened", "updated", "replied", "reassigned", "reopened"]),
    },
    optional={
        "state": st.sampled_from(STATES),
        "priority": st.sampled_from(["P1", "P2", "P3"]),
        "group": st.sampled_from(["A", "B"]),
        "tz": st.sampled_from(["America/New_York", "Asia/Tokyo", "Europe/London"]),
    },
)


def history(rows: list[dict[str, Any]], records: int) -> list[dict[str, Any]]:
    out = []
    for n, r in enumerate(rows):
        e = {k: v for k, v in r.items() if k != "minute"}
        e["id"] = f"R{n % records}"
        e["at"] = (BASE + pd.Timedelta(minutes=r["minute"])).isoformat()
        out.append(e)
    return out


def seconds(column: pd.Series) -> pd.Series:
    return (column - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds().astype("int64")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(event_row, max_size=30),
    records=st.integers(1, 4),
    as_of_minute=st.integers(0, 60 * 24 * 6),
)
@example(  # paused, resumed, paused again and still paused past due; a zone that changes; a reset
    rows=[  # records alternate: R0, R1, R0, ...
        {"minute": 0, "event": "opened", "state": "new", "priority": "P2", "group": "A"},
        {"minute": 60, "event": "opened", "state": "new", "priority": "P1", "group": "B"},
        {"minute": 200, "event": "updated", "state": "waiting", "tz": "Asia/Tokyo"},
        {"minute": 3000, "event": "reassigned", "state": "open", "group": "A"},
        {"minute": 400, "event": "updated", "state": "open", "group": "B"},
        {"minute": 4000, "event": "updated", "state": "resolved"},
        {"minute": 900, "event": "updated", "state": "waiting"},
    ],
    records=2,
    as_of_minute=60 * 24 * 5,
)
def test_pauses_and_splits_add_up(rows: list[dict[str, Any]], records: int, as_of_minute: int) -> None:
    events = history(rows, records)
    as_of = (BASE + pd.Timedelta(minutes=as_of_minute)).isoformat()
    result = duly.evaluate(POLICY, events, as_of)
    timers = result.timers_frame()
    if len(rows) == 7 and as_of_minute == 60 * 24 * 5:  # the example above: it exercises what it says
        assert len(result.pauses_frame()) >= 2 and "reset" in set(timers["state"])
    started = timers[timers["cycle"] > 0].copy()
    started["end"] = started["stopped"].fillna(pd.Timestamp(result.as_of))
    key = ["id", "target", "cycle"]

    # Pauses lie inside their cycle and add up to paused_seconds.
    pauses = result.pauses_frame()
    assert list(pauses.columns) == ["id", "target", "cycle", "paused_from", "paused_until"]
    joined = pauses.merge(started, on=key, how="left", validate="many_to_one")
    assert joined["started"].notna().all()
    until = joined["paused_until"].fillna(joined["end"])
    assert (joined["paused_from"] >= joined["started"]).all() and (until <= joined["end"]).all()
    assert (until >= joined["paused_from"]).all()
    lengths = (seconds(until) - seconds(joined["paused_from"])).groupby([joined[k] for k in key]).sum()
    expected = started.set_index(key)["paused_seconds"].astype("int64")
    got = lengths.reindex(expected.index, fill_value=0)
    assert got.tolist() == expected.tolist()
    # A pause is open only while its cycle is still paused at as_of (past due or not).
    open_ = joined[joined["paused_until"].isna()]
    assert set(open_["state"]) <= {"paused", "breached"}

    wall = (seconds(started["end"]) - seconds(started["started"])).groupby(started["target"]).sum()
    paused = started["paused_seconds"].astype("int64").groupby(started["target"]).sum()
    business = started["elapsed_seconds"].astype("Int64").fillna(
        seconds(started["end"]) - seconds(started["started"]) - started["paused_seconds"]
    ).astype("int64").groupby(started["target"]).sum()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", duly.NoGoalWarning)
        total = duly.report(result).set_index("target")
        present = {k for e in events for k in e}  # a name no event has is an error (tested elsewhere)
        for by in [None] + [b for b in (["group"], ["group", "tz"]) if set(b) <= present]:
            s = duly.spans(result, by=by)
            per_kind = s.groupby(["target", "span"])["seconds"].sum()
            for target in wall.index:
                run = int(per_kind.get((target, "running"), 0))
                held = int(per_kind.get((target, "paused"), 0))
                assert held == paused[target], (by, target)
                assert run + held == wall[target], (by, target)
            if by is None:
                continue
            split = duly.report(result, by=by, paused_by="state" if "state" in present else None)
            sums = split.groupby("target")[
                ["cycles", "met", "breached", "no_goal", "open", "cancelled", "reset", "pending",
                 "running_seconds", "running_wall_seconds", "paused_seconds"]
            ].sum()
            for target in total.index:
                for column in sums.columns:
                    assert sums.loc[target, column] == total.loc[target, column], (by, target, column)
            for target in wall.index:
                assert sums.loc[target, "running_seconds"] == business[target], (by, target)
                assert sums.loc[target, "paused_seconds"] == paused[target], (by, target)
            status = [c for c in split.columns if c.startswith("paused_seconds[")]
            assert (split[status].sum(axis=1) == split["paused_seconds"]).all()
