"""duly.report, duly.spans and duly.attainment_over_time.

The numbers for the small history of report_example.py were worked out by hand
(see that module's docstring and the comments below); the ServiceNow sample
checks that the splits add up to the engine's own totals.
"""

from __future__ import annotations

import csv
import io
import json
import pathlib
import pickle
import sys
from typing import Any

import numpy as np
import pandas as pd
import pytest

import duly

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from report_example import (  # noqa: E402
    AS_OF,
    BUSINESS_AS_OF,
    BUSINESS_EVENTS,
    BUSINESS_POLICY,
    EVENTS,
    ev,
    POLICY,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]
COUNTS = ["cycles", "met", "breached", "no_goal", "open", "cancelled", "reset", "pending"]


@pytest.fixture(scope="module")
def policy() -> duly.Policy:
    return duly.Policy.from_yaml(POLICY)


@pytest.fixture(scope="module")
def result(policy: duly.Policy) -> duly.Evaluation:
    return duly.evaluate(policy, EVENTS, AS_OF)


def rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple[Any, ...]]:
    """The frame's rows as plain tuples (<NA> and NaN as None)."""
    out = []
    for row in frame[columns].astype(object).itertuples(index=False):
        out.append(tuple(None if (v is pd.NA or (isinstance(v, float) and v != v)) else v for v in row))
    return out


def test_report_per_target_by_hand(result: duly.Evaluation) -> None:
    r = duly.report(result)
    assert list(r.columns) == [
        "target", "kind", "supports", *COUNTS, "attainment", "p50_seconds", "p90_seconds",
        "running_seconds", "running_wall_seconds", "paused_seconds",
    ]
    # A 24x7 clock: business time is wall-clock time.
    assert r["running_seconds"].tolist() == r["running_wall_seconds"].tolist()
    # response: T1 met (30 min), T3 met (20 min), T2 breached (no reply), T4 running.
    #   time to stop [1200, 1800]: p50 = 1200 (rank ceil(0.5*2) = 1), p90 = 1800 (rank 2).
    #   running: T1 09:00-09:30 1800 + T2 08:00-20:00 43200 + T3 1200 + T4 19:30-20:00 1800 = 48000.
    # resolution: T1 met at 19:00 exactly at due (09:00 + 8 h running + 2 h paused),
    #   T3 met (2 h), T2 breached at 19:00 (08:00 + 8 h + 3 h paused), T4 running.
    #   time to stop [7200, 28800]; running 28800 + 32400 + 7200 + 1800 = 70200;
    #   paused T1 11:00-13:00 7200 + T2 09:00-12:00 10800 = 18000.
    # team_fix (OLA, first in the document, reported after resolution which it supports):
    #   T1 from 10:00, due 16:00 (1 h, 2 h paused, 3 h), stopped 19:00: breached,
    #   elapsed 25200; T2 from 12:00, breached at 16:00, still open; T3 met (7200);
    #   T4 never with B: pending. Time to stop [7200, 25200].
    assert rows(r, ["target", "kind", "supports", *COUNTS, "p50_seconds", "p90_seconds",
                    "running_seconds", "paused_seconds"]) == [
        ("response", "sla", None, 4, 2, 1, 0, 1, 0, 0, 0, 1200, 1800, 48000, 0),
        ("resolution", "sla", None, 4, 2, 1, 0, 1, 0, 0, 0, 7200, 28800, 70200, 18000),
        ("team_fix", "ola", "resolution", 3, 1, 2, 0, 0, 0, 0, 1, 7200, 25200, 61200, 7200),
    ]
    assert r["attainment"].tolist() == pytest.approx([2 / 3, 2 / 3, 1 / 3])
    assert str(r["p50_seconds"].dtype) == "Int64"
    assert r["running_seconds"].dtype == np.int64


def test_report_by_owner_says_who_held_the_clock(result: duly.Evaluation) -> None:
    r = duly.report(result, by="group", paused_by="state")
    assert list(r.columns)[:4] == ["target", "kind", "supports", "group"]
    assert list(r.columns)[-3:] == [
        "paused_seconds", "paused_seconds[waiting_customer]", "paused_seconds[waiting_vendor]",
    ]
    # Counted under the holder just before the deciding instant: T2's response ran
    # out at 09:00 with A; T1's and T2's resolution and team_fix ran out / stopped
    # with B. Time is split by the holder at each second: resolution ran 09:00-10:00
    # (T1) and 08:00-09:00 (T2) with A, and T2 waited on the vendor 09:00-12:00 with A.
    assert rows(r, ["target", "group", *COUNTS, "p50_seconds", "p90_seconds", "running_seconds",
                    "paused_seconds", "paused_seconds[waiting_customer]", "paused_seconds[waiting_vendor]"]) == [
        ("response", "A", 2, 1, 1, 0, 0, 0, 0, 0, 1800, 1800, 1800 + 4 * 3600, 0, 0, 0),
        ("response", "B", 1, 1, 0, 0, 0, 0, 0, 0, 1200, 1200, 8 * 3600 + 1200, 0, 0, 0),
        ("response", "C", 1, 0, 0, 0, 1, 0, 0, 0, None, None, 1800, 0, 0, 0),
        ("resolution", "A", 0, 0, 0, 0, 0, 0, 0, 0, None, None, 3600 + 3600, 10800, 0, 10800),
        ("resolution", "B", 3, 2, 1, 0, 0, 0, 0, 0, 7200, 28800, 25200 + 28800 + 7200, 7200, 7200, 0),
        ("team_fix", "B", 3, 1, 2, 0, 0, 0, 0, 0, 7200, 25200, 25200 + 28800 + 7200, 7200, 7200, 0),
        ("resolution", "C", 1, 0, 0, 0, 1, 0, 0, 0, None, None, 1800, 0, 0, 0),
        ("team_fix", "C", 0, 0, 0, 0, 0, 0, 0, 1, None, None, 0, 0, 0, 0),
    ]
    attainment = r["attainment"].tolist()
    assert attainment[0] == 0.5 and attainment[1] == 1.0 and attainment[4] == pytest.approx(2 / 3)
    assert np.isnan(attainment[2]) and np.isnan(attainment[3])


def test_report_splits_add_up_to_the_totals(result: duly.Evaluation) -> None:
    total = duly.report(result).set_index("target")
    columns = ["running_seconds", "running_wall_seconds", "paused_seconds", *COUNTS]
    split = duly.report(result, by="group").groupby("target")[columns].sum()
    for column in columns:
        assert split[column].to_dict() == total[column].to_dict(), column


def test_spans_of_one_record(result: duly.Evaluation) -> None:
    s = duly.spans(result, by="group", ids="T1")
    got = [(t, c, k, a.strftime("%H:%M"), b.strftime("%H:%M"), n, g)
           for t, c, k, a, b, n, g in s[["target", "cycle", "span", "start", "end", "seconds", "group"]]
           .itertuples(index=False)]
    assert got == [
        ("team_fix", 1, "running", "10:00", "11:00", 3600, "B"),
        ("team_fix", 1, "paused", "11:00", "13:00", 7200, "B"),
        ("team_fix", 1, "running", "13:00", "19:00", 21600, "B"),
        ("response", 1, "running", "09:00", "09:30", 1800, "A"),
        ("resolution", 1, "running", "09:00", "10:00", 3600, "A"),
        ("resolution", 1, "running", "10:00", "11:00", 3600, "B"),
        ("resolution", 1, "paused", "11:00", "13:00", 7200, "B"),
        ("resolution", 1, "running", "13:00", "19:00", 21600, "B"),
    ]
    assert str(s["start"].dtype) == "datetime64[ns, UTC]"
    everything = duly.spans(result)
    assert set(everything["id"]) == {"T1", "T2", "T3", "T4"}
    assert list(everything.columns) == ["id", "target", "cycle", "span", "start", "end", "seconds"]


def test_report_from_a_dataframe_equals_from_dicts(policy: duly.Policy, result: duly.Evaluation) -> None:
    frame = pd.DataFrame(EVENTS)
    frame["at"] = pd.to_datetime(frame["at"], utc=True).dt.tz_convert("America/New_York")
    from_frame = duly.evaluate(policy, frame, AS_OF)
    pd.testing.assert_frame_equal(
        duly.report(from_frame, by="group", paused_by="state"), duly.report(result, by="group", paused_by="state")
    )


def test_rejected_rows_and_later_events_are_not_replayed(policy: duly.Policy, result: duly.Evaluation) -> None:
    events = EVENTS + [
        {"id": "T1", "at": "2026-01-05T25:00:00Z", "event": "assigned", "group": "Z"},  # rejected
        {"id": "T2", "at": "2026-01-05T21:00:00Z", "event": "assigned", "group": "Z"},  # after as_of
    ]
    again = duly.evaluate(policy, events, AS_OF)
    assert len(again.rejected) == 1
    pd.testing.assert_frame_equal(duly.report(again, by="group"), duly.report(result, by="group"))


def test_one_shot_events_need_to_be_passed_again(policy: duly.Policy, result: duly.Evaluation) -> None:
    once = duly.evaluate(policy, iter(EVENTS), AS_OF)
    assert once.events is None and once.policy == policy
    pd.testing.assert_frame_equal(duly.report(once), duly.report(result))  # no replay needed
    with pytest.raises(duly.InvalidArgumentError, match="did not keep them") as e:
        duly.report(once, by="group")
    assert e.value.path == "events"
    pd.testing.assert_frame_equal(duly.report(once, by="group", events=EVENTS), duly.report(result, by="group"))


def test_report_after_pickling(result: duly.Evaluation) -> None:
    back = pickle.loads(pickle.dumps(result))
    pd.testing.assert_frame_equal(duly.report(back, by="group"), duly.report(result, by="group"))


@pytest.mark.parametrize(
    ("kwargs", "path", "message"),
    [
        ({"by": "id"}, "by", "'id' is not an attribute"),
        ({"by": ["group", "group"]}, "by", "named twice"),
        ({"by": "team"}, "by", "no event has the attribute 'team'"),
        ({"by": 5}, "by", "expected an attribute name or a list of them, got int"),
        ({"paused_by": ["state", "group"]}, "paused_by", "expected one attribute name"),
    ],
)
def test_bad_arguments(result: duly.Evaluation, kwargs: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(duly.InvalidArgumentError, match=message) as e:
        duly.report(result, **kwargs)
    assert e.value.path == path


def test_report_needs_an_evaluation() -> None:
    with pytest.raises(duly.InvalidArgumentError, match="expected what duly.evaluate returns") as e:
        duly.report([])  # type: ignore[arg-type]
    assert e.value.path == "result"


def test_attainment_over_time(result: duly.Evaluation) -> None:
    a = duly.attainment_over_time(result, "h")
    got = [(p.strftime("%H:%M"), t, m, b) for p, t, m, b in a[["period", "target", "met", "breached"]]
           .itertuples(index=False)]
    # Judged at the stop, or at breached_at for a cycle still open past due.
    assert got == [
        ("09:00", "response", 1, 1),     # T1 met 09:30, T2 breached at 09:00
        ("10:00", "response", 1, 0),     # T3 met 10:20
        ("12:00", "resolution", 1, 0),   # T3
        ("12:00", "team_fix", 1, 0),     # T3
        ("16:00", "team_fix", 0, 1),     # T2 ran out at 16:00 and is still open
        ("19:00", "resolution", 1, 1),   # T1 met at due, T2 ran out at 19:00
        ("19:00", "team_fix", 0, 1),     # T1 stopped (late) at 19:00
    ]
    assert a["attainment"].tolist() == [0.5, 1.0, 1.0, 1.0, 0.0, 0.5, 0.0]
    assert list(a.columns) == ["period", "target", "met", "breached", "attainment"]


def servicenow() -> tuple[duly.Policy, list[dict[str, Any]]]:
    sys.path.insert(0, str(ROOT / "examples" / "servicenow"))
    import convert  # type: ignore[import-not-found]

    out = io.StringIO()
    with open(ROOT / "examples/servicenow/data/servicenow_incidents_sample.csv", newline="", encoding="utf-8") as f:
        convert.convert(csv.DictReader(f), out)
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    return duly.load_policy(ROOT / "examples/servicenow/policy.yaml"), events


def test_servicenow_splits_match_the_engine() -> None:
    policy, events = servicenow()
    result = duly.evaluate(policy, events, "2017-03-01T00:00:00Z")
    timers = result.timers_frame()
    started = timers[timers.cycle > 0]
    end = started["stopped"].fillna(pd.Timestamp(result.as_of))
    wall = ((end - started["started"]).dt.total_seconds().astype("int64")).groupby(started["target"]).sum()
    paused = started["paused_seconds"].astype("int64").groupby(started["target"]).sum()
    elapsed = started["elapsed_seconds"].astype("int64").groupby(started["target"]).sum()  # business time

    total = duly.report(result).set_index("target")
    assert total.loc["response", "met"] == 541 and total.loc["response", "breached"] == 347
    assert total.loc["resolution", "met"] == 736 and total.loc["resolution", "breached"] == 165
    split = duly.report(result, by="group", paused_by="state")
    sums = split.groupby("target").sum(numeric_only=True)
    for target in ("response", "resolution"):
        assert sums.loc[target, "paused_seconds"] == paused[target]
        assert sums.loc[target, "running_wall_seconds"] + sums.loc[target, "paused_seconds"] == wall[target]
        # running_seconds is business time: the service desk's open hours over the
        # running spans, split by holder, adds up exactly to the engine's elapsed_seconds.
        assert sums.loc[target, "running_seconds"] == elapsed[target] == total.loc[target, "running_seconds"]
        assert sums.loc[target, "running_seconds"] < sums.loc[target, "running_wall_seconds"]
        for column in COUNTS:
            assert sums.loc[target, column] == total.loc[target, column]
    # Split by record too: each record's rows add up to its cycles' elapsed_seconds.
    tagged = [{**e, "record": e["id"]} for e in events]  # the id as an attribute, to split by it
    per_id = duly.report(result, by=["record", "group"], events=tagged)
    per_id = per_id.groupby(["target", "record"])["running_seconds"].sum()
    per_cycle = started.assign(record=started["id"]).groupby(["target", "record"])["elapsed_seconds"].sum()
    got = per_id.astype("int64").to_dict()
    expected = per_cycle.astype("int64").to_dict()
    assert {k: v for k, v in got.items() if k not in expected} == {  # targets that never started
        ("response", "INC0000131"): 0, ("response", "INC0000135"): 0,
    }
    assert {k: v for k, v in got.items() if k in expected} == expected
    by_status = [c for c in split.columns if c.startswith("paused_seconds[")]
    assert set(by_status) >= {"paused_seconds[Awaiting User Info]", "paused_seconds[Awaiting Vendor]"}
    assert (split[by_status].sum(axis=1) == split["paused_seconds"]).all()


# --- business time ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def business() -> duly.Evaluation:
    return duly.evaluate(duly.Policy.from_yaml(BUSINESS_POLICY), BUSINESS_EVENTS, BUSINESS_AS_OF)


def test_running_seconds_are_business_time(business: duly.Evaluation) -> None:
    # Worked out in report_example.py: per record, elapsed (business) and wall running time.
    #   B1 25200 of 32400 (3600 paused), B2 28800 of 43200, B3 25200 of 32400 (New York's
    #   hours, the zone at its stop), B4 7200 of 14400 (New York's: Tokyo came after the stop).
    timers = business.timers_frame()
    assert timers["elapsed_seconds"].tolist() == [25200, 28800, 25200, 7200]
    r = duly.report(business)
    assert rows(r, ["target", *COUNTS, "p50_seconds", "p90_seconds", "running_seconds",
                    "running_wall_seconds", "paused_seconds"]) == [
        ("fix", 4, 1, 3, 0, 0, 0, 0, 0, 25200, 25200, 86400, 122400, 3600),
    ]
    # Split by holder: A 3600 (B1 09-10) + 3600 (B2 14-15Z) + 3600 (B3 14-15Z) + 7200 (B4
    # 14-16Z) = 18000 business of 7200 + 10800 + 10800 + 14400 = 43200 wall; B 21600 (B1)
    # + 25200 (B2) + 21600 (B3) = 68400 of 25200 + 32400 + 21600 = 79200.
    g = duly.report(business, by="group")
    assert rows(g, ["target", "group", *COUNTS, "p50_seconds", "p90_seconds", "running_seconds",
                    "running_wall_seconds", "paused_seconds"]) == [
        ("fix", "A", 1, 1, 0, 0, 0, 0, 0, 0, 7200, 7200, 18000, 43200, 0),
        ("fix", "B", 3, 0, 3, 0, 0, 0, 0, 0, 25200, 25200, 68400, 79200, 3600),
    ]
    assert g["running_seconds"].sum() == timers["elapsed_seconds"].sum()


def test_business_time_per_record_adds_up_to_elapsed(business: duly.Evaluation) -> None:
    per_id = duly.report(business, by=["group", "id_copy"], events=[
        {**e, "id_copy": e["id"]} for e in BUSINESS_EVENTS
    ]).groupby("id_copy")["running_seconds"].sum()
    assert per_id.to_dict() == {"B1": 25200, "B2": 28800, "B3": 25200, "B4": 7200}
    # paused_by alone splits the time too, and still adds up.
    assert duly.report(business, paused_by="state")["running_seconds"].tolist() == [86400]


def test_business_time_from_a_dataframe(business: duly.Evaluation) -> None:
    frame = pd.DataFrame(BUSINESS_EVENTS)  # customer_tz NaN where absent: left alone
    from_frame = duly.evaluate(duly.Policy.from_yaml(BUSINESS_POLICY), frame, BUSINESS_AS_OF)
    pd.testing.assert_frame_equal(duly.report(from_frame, by="group"), duly.report(business, by="group"))


def test_business_time_without_the_zone_attribute() -> None:
    # No event carries customer_tz: every cycle on the calendar's own zone, no error.
    events = [{k: v for k, v in e.items() if k != "customer_tz"} for e in BUSINESS_EVENTS]
    for frame in (False, True):
        data: Any = pd.DataFrame(events) if frame else events
        result = duly.evaluate(duly.Policy.from_yaml(BUSINESS_POLICY), data, BUSINESS_AS_OF)
        g = duly.report(result, by="group")
        assert g["running_seconds"].sum() == result.timers_frame()["elapsed_seconds"].sum()
        assert g["running_wall_seconds"].sum() == 122400


def test_cycles_without_a_goal_run_on_a_24x7_clock() -> None:
    policy = duly.Policy.from_yaml(BUSINESS_POLICY.replace(
        "goals: [{within: 4h,", 'goals: [{when: group == "B", within: 4h,'))
    result = duly.evaluate(policy, BUSINESS_EVENTS, BUSINESS_AS_OF)
    timers = result.timers_frame()
    assert timers["elapsed_seconds"].isna().tolist() == [False, False, False, True]  # B4: A only, no goal
    for by in (None, "group"):
        r = duly.report(result, by=by)
        # B4 counts its wall-clock running time, 14400; the others their business time.
        assert r["running_seconds"].sum() == timers["elapsed_seconds"].sum() + 14400


# --- what a data scientist hit -----------------------------------------------------------------


def test_cycles_without_a_goal_are_counted_apart() -> None:
    # response has a goal for group A only: T3 (group B) stops at 10:20 with none in
    # force. It used to count as met, with the int64 minimum as its time to stop in
    # the percentiles; now it is no_goal, out of attainment and percentiles.
    policy = duly.Policy.from_yaml(POLICY.replace("goals: [{within: 1h}]", 'goals: [{when: group == "A", within: 1h}]'))
    result = duly.evaluate(policy, EVENTS, AS_OF)
    r = duly.report(result).set_index("target")
    response = r.loc["response"]
    # T1 met (1800); T2 open (B took it at 12:00, so no goal holds any more); T3 no
    # goal; T4 (group C) open without a goal.
    assert [int(response[c]) for c in COUNTS] == [4, 1, 0, 1, 2, 0, 0, 0]
    assert response["attainment"] == 1.0
    assert (response["p50_seconds"], response["p90_seconds"]) == (1800, 1800)
    g = duly.report(result, by="group")
    assert rows(g[g.target == "response"], ["group", "met", "breached", "no_goal", "open", "p50_seconds"]) == [
        ("A", 1, 0, 0, 0, 1800), ("B", 0, 0, 1, 1, None), ("C", 0, 0, 0, 1, None),
    ]


def test_a_target_whose_goals_never_match_warns() -> None:
    policy = duly.Policy.from_yaml(POLICY.replace("goals: [{within: 1h}]", 'goals: [{when: priority == "P1", within: 1h}]'))
    result = duly.evaluate(policy, EVENTS, AS_OF)
    with pytest.warns(duly.NoGoalWarning) as caught:
        r = duly.report(result).set_index("target")
    assert [str(w.message) for w in caught] == [
        "target 'response': no goal matched any of its 4 cycles (no goal's 'when' held); "
        "they are counted under no_goal, not in attainment",
    ]
    assert caught[0].filename == __file__  # points at the caller
    response = r.loc["response"]
    assert [int(response[c]) for c in COUNTS] == [4, 0, 0, 2, 2, 0, 0, 0]
    assert np.isnan(response["attainment"])
    assert response["p50_seconds"] is pd.NA and response["p90_seconds"] is pd.NA  # not -9223372036854775808
    assert issubclass(duly.NoGoalWarning, UserWarning)


def test_a_misspelt_paused_by_names_itself_and_what_there_is(result: duly.Evaluation) -> None:
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.report(result, by="group", paused_by="statu")
    assert str(e.value) == "paused_by: no event has the attribute 'statu'; the events have: 'event', 'group', 'state'"
    assert e.value.path == "paused_by"
    frame = duly.evaluate(result.policy, pd.DataFrame(EVENTS), AS_OF)
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.report(frame, by="grup")
    assert str(e.value) == "by: no event has the attribute 'grup'; the events have: 'event', 'group', 'state'"
    assert e.value.path == "by"


def test_a_cycle_cancelled_or_reset_past_due_counts_as_breached() -> None:
    # T1's resolution runs past its due (17:00) and is cancelled at 18:00; T2's is
    # reset at 17:30, past its due (16:00), and starts again. Both keep breached_at;
    # their state stays cancelled / reset, and reports count them as breached, under
    # the group that held them when the clock ran out.
    policy = duly.Policy.from_yaml(POLICY.replace(
        'pause_when: state in ["waiting_customer", "waiting_vendor"]\n    goals: [{within: 8h}]',
        'pause_when: state in ["waiting_customer", "waiting_vendor"]\n'
        '    cancel_when: state == "cancelled"\n    reset_when: event == "reclassified"\n    goals: [{within: 8h}]',
    ))
    events = [
        ev("T1", "09:00", "opened", group="A", state="new"),
        ev("T1", "17:30", "assigned", group="B"),
        ev("T1", "18:00", "updated", state="cancelled"),
        ev("T2", "08:00", "opened", group="A", state="new"),
        ev("T2", "17:30", "reclassified", group="B"),
    ]
    result = duly.evaluate(policy, events, AS_OF)
    t = result.timers_frame()
    t = t[t.target == "resolution"]
    assert rows(t, ["id", "cycle", "state"]) == [("T1", 1, "cancelled"), ("T2", 1, "reset"), ("T2", 2, "running")]
    assert [b.strftime("%H:%M") for b in t["breached_at"].iloc[:2]] == ["17:00", "16:00"]
    r = duly.report(result, by="group")
    assert rows(r[r.target == "resolution"], ["group", *COUNTS]) == [
        ("A", 2, 0, 2, 0, 0, 0, 0, 0),  # the clock ran out while A held both
        ("B", 1, 0, 0, 0, 1, 0, 0, 0),  # T2's second cycle, open
    ]
    a = duly.attainment_over_time(result, "h")
    assert rows(a[a.target == "resolution"], ["met", "breached"]) == [(0, 1), (0, 1)]  # at 16:00 and 17:00


def test_a_cycle_that_ends_where_it_began_counts_under_the_values_set_then() -> None:
    # T5 is opened and replied to in the same second, by group D: its response cycle
    # starts and stops at 11:00. Just before 11:00 the ticket had no group at all, so
    # it counts under D, set at that instant (not under <NA>).
    result = duly.evaluate(duly.Policy.from_yaml(POLICY), EVENTS + [
        ev("T5", "11:00", "opened", group="D", state="new"), ev("T5", "11:00", "replied"),
    ], AS_OF)
    r = duly.report(result, by="group")
    assert rows(r[(r.target == "response") & (r.group == "D")], ["cycles", "met", "p50_seconds"]) == [(1, 1, 0)]
    assert r["group"].isna().sum() == 0


def test_events_given_must_be_those_evaluated(result: duly.Evaluation) -> None:
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.report(result, by="group", events=EVENTS[:-1])  # T4 left out
    assert str(e.value) == (
        "events: the events (and policy) given do not give the evaluation's timers: pass those that were evaluated"
    )
