"""Declared attributes from Python (docs/policy.md, "Declaring attributes"): the
policy's declarations and warnings, and rows whose values are not of their declared
types rejected alike for dicts, DataFrames and Arrow data, as the JSON Lines reader
rejects them."""

from __future__ import annotations

import pytest

import duly

POLICY = """duly: 1
attributes:
  priority: { type: text, values: [P1, P2, P3] }
  promised_at: { type: instant }
  sla: { type: duration }
targets:
  - name: resolution
    start_when: event == "created"
    goals:
      - { when: priority == "P1", within: 4h }
      - when: priority in ["P2", "P4"]
        within_from: sla
        within: 1d
      - { due_from: promised_at }
"""

AS_OF = "2026-12-01T12:00:00Z"
AT = "2026-12-01T09:00:00Z"
ROWS = [
    {"id": "T-1", "at": AT, "event": "created", "priority": "P1"},
    {"id": "T-2", "at": AT, "event": "created", "priority": "P3", "promised_at": "tomorrow"},
    {"id": "T-3", "at": AT, "event": "created", "priority": 2},
    {"id": "T-4", "at": AT, "event": "created", "priority": "P2", "sla": "6h"},
    {"id": "T-5", "at": AT, "event": "created", "priority": "P2", "sla": "soon"},
]
REJECTED = [
    (2, "attribute 'promised_at': declared instant, got \"tomorrow\""),
    (3, "attribute 'priority': declared text, got 2"),
    (5, "attribute 'sla': declared duration, got \"soon\""),
]


def policy() -> duly.Policy:
    return duly.Policy.from_yaml(POLICY, source="p.yaml")


def test_declarations_and_warnings() -> None:
    p = policy()
    assert p.attributes == {
        "priority": {"type": "text", "values": ["P1", "P2", "P3"]},
        "promised_at": {"type": "instant"},
        "sla": {"type": "duration"},
    }
    assert p.warnings == (
        "p.yaml:11:34: targets[0].goals[1].when: \"P4\" is not a declared value of 'priority' (declared: P1, P2, P3)",
    )
    plain = duly.Policy.from_yaml("duly: 1\ntargets: [{name: t, start_when: event == \"a\", goals: [{within: 1h}]}]\n")
    assert plain.attributes == {} and plain.warnings == ()


def test_an_unquoted_value_is_an_error() -> None:
    with pytest.raises(duly.Error) as e:
        duly.Policy.from_yaml(POLICY.replace('priority == "P1"', "priority == P1"), source="p.yaml")
    assert "p.yaml:10:29: targets[0].goals[0].when: 'P1' is not a declared attribute: did you mean \"P1\"?" in str(e.value)


def rejected(result: duly.Evaluation) -> list[tuple[int, str]]:
    return [(r.line, r.reason) for r in result.rejected]


def test_dicts() -> None:
    result = duly.evaluate(policy(), ROWS, AS_OF)
    assert rejected(result) == REJECTED
    assert sorted(t.id for t in result.timers) == ["T-1", "T-4"]
    with pytest.raises(duly.InvalidArgumentError, match="3 event rows rejected"):
        duly.evaluate(policy(), ROWS, AS_OF, strict=True)


def test_frames_and_arrow() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(ROWS)
    frame["at"] = pd.to_datetime(frame["at"])
    result = duly.evaluate(policy(), frame, AS_OF)
    assert rejected(result) == REJECTED
    assert sorted(t.id for t in result.timers) == ["T-1", "T-4"]
    pa = pytest.importorskip("pyarrow")
    # Arrow columns have one type: priority as text, sla as text.
    table = pa.Table.from_pandas(frame.assign(priority=frame["priority"].astype(str)))
    result = duly.evaluate(policy(), table, AS_OF)
    assert rejected(result) == [REJECTED[0], REJECTED[2]]
