"""The engine's facts in Python: each timer's goal text and zone, each cycle's
pauses (Evaluation.pauses_frame), and, for the reports, carried attributes and
segments (Evaluation._facts)."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
from typing import Any

import pytest

import duly

pd = pytest.importorskip("pandas")

ROOT = pathlib.Path(__file__).resolve().parents[2]
HELPDESK = ROOT / "examples" / "helpdesk"
AS_OF = "2026-11-30T17:00:00Z"


def helpdesk_events() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (HELPDESK / "events.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def result() -> duly.Evaluation:
    return duly.evaluate(duly.load_policy(HELPDESK / "policy.yaml"), helpdesk_events(), AS_OF)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.timezone.utc)


def test_goal_text_and_zone(result: duly.Evaluation) -> None:
    frame = result.timers_frame()
    row = frame[(frame.id == "HD-1001") & (frame.target == "resolution")].iloc[0]
    assert (row["goal"], row["goal_seconds"], row["zone"]) == ("2bd", 81900, "America/New_York")
    pending = frame[frame.state == "pending"].iloc[0]
    assert pending["goal"] is pd.NA and pending["zone"] is pd.NA
    assert str(frame["goal"].dtype) == "string" and str(frame["zone"].dtype) == "string"
    timer = next(t for t in result.timers if t.id == "HD-1001" and t.target == "resolution")
    assert (timer.goal_text, timer.zone, timer.goal) == ("2bd", "America/New_York", dt.timedelta(seconds=81900))


def test_pauses_add_up_to_paused_seconds(result: duly.Evaluation) -> None:
    pauses = result.pauses_frame()
    assert list(pauses.columns) == ["id", "target", "cycle", "paused_from", "paused_until"]
    as_of = pd.Timestamp(AS_OF)
    lengths = (pauses.paused_until.fillna(as_of) - pauses.paused_from).dt.total_seconds()
    by_cycle = lengths.groupby([pauses.id, pauses.target, pauses.cycle]).sum()
    timers = result.timers_frame()
    for t in timers.itertuples():
        if t.cycle == 0:
            continue
        assert by_cycle.get((t.id, t.target, t.cycle), 0) == t.paused_seconds, (t.id, t.target, t.cycle)
    # HD-1008's resolution clock was on hold over the weekend, and ran again on Monday.
    hd = pauses[pauses.id == "HD-1008"]
    assert hd.paused_from.tolist() == [pd.Timestamp("2026-11-27T16:30:00Z")]
    assert hd.paused_until.tolist() == [pd.Timestamp("2026-11-30T14:00:00Z")]
    # HD-1004 is still waiting: no end yet.
    assert pauses[pauses.id == "HD-1004"].paused_until.isna().tolist() == [True]


def test_facts_carry_attributes_and_cut_segments(result: duly.Evaluation) -> None:
    facts = result._facts(["status", "priority", "no_such"])
    timers, segments = facts["timers"], facts["segments"]
    assert len(timers["carried"]) == 3 and all(len(c) == len(timers["cycle"]) for c in timers["carried"])
    assert set(timers["carried"][2]) == {None}
    frame = result.timers_frame()
    assert timers["cycle"].tolist() == frame.cycle.tolist()
    # The running pieces add up to elapsed_seconds, the paused ones to paused_seconds.
    seg = pd.DataFrame({k: segments[k] for k in ("cycle", "from", "until", "paused", "business_seconds")})
    seg["id"] = duly._results.strings(segments["id"])
    seg["target"] = duly._results.strings(segments["target"])
    seg["length"] = seg.until - seg["from"]
    for t in frame.itertuples():
        if t.cycle == 0:
            continue
        mine = seg[(seg.id == t.id) & (seg.target == t.target) & (seg.cycle == t.cycle)]
        assert mine[~mine.paused].business_seconds.sum() == t.elapsed_seconds
        assert mine[mine.paused].length.sum() == t.paused_seconds
    # HD-1008's resolution: "new", then on hold (paused), then "open" again.
    hd = seg[(seg.id == "HD-1008") & (seg.target == "resolution")]
    statuses = [segments["carried"][0][i] for i in hd.index]
    assert statuses == ["new", "waiting_on_customer", "open"]
    assert hd.paused.tolist() == [False, True, False]


def test_facts_from_a_frame_equal_facts_from_dicts(result: duly.Evaluation) -> None:
    policy = duly.load_policy(HELPDESK / "policy.yaml")
    from_frame = duly.evaluate(policy, pd.DataFrame(helpdesk_events()), AS_OF)._facts(["status"])
    from_dicts = result._facts(["status"])
    assert from_frame["timers"]["carried"] == from_dicts["timers"]["carried"]
    assert from_frame["segments"]["carried"] == from_dicts["segments"]["carried"]
    assert from_frame["segments"]["business_seconds"].tolist() == from_dicts["segments"]["business_seconds"].tolist()


def test_facts_need_the_events() -> None:
    policy = duly.load_policy(HELPDESK / "policy.yaml")
    once = duly.evaluate(policy, (e for e in helpdesk_events()), AS_OF)
    with pytest.raises(duly.InvalidArgumentError, match="did not keep them"):
        once._facts(["status"])


def test_a_cancelled_breach_keeps_breached_at() -> None:
    policy = duly.Policy.from_yaml(
        "duly: 1\ntargets:\n  - name: fix\n    start_when: event == \"open\"\n    cancel_when: event == \"drop\"\n"
        "    goals: [{within: 1h}]\n"
    )
    events = [
        {"id": "A", "at": "2026-11-23T10:00:00Z", "event": "open"},
        {"id": "A", "at": "2026-11-23T12:00:00Z", "event": "drop"},
        {"id": "B", "at": "2026-11-23T10:00:00Z", "event": "open"},
        {"id": "B", "at": "2026-11-23T10:30:00Z", "event": "drop"},
    ]
    timers = duly.evaluate(policy, events, "2026-11-24T00:00:00Z").timers
    assert [(t.id, t.state, t.breached_at) for t in timers] == [
        ("A", "cancelled", utc(2026, 11, 23, 11)),
        ("B", "cancelled", None),
    ]
    text = str(duly.explain(policy, events, "A"))
    assert "it stays counted as breached" in text
