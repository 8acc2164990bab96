"""Guards of Python's event intake: integers beyond 2^53 and blank ids are
rejected rows with the CLI's reasons, never rounded or taken as records."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import duly

POLICY = duly.Policy.from_yaml(
    'duly: 1\ntargets:\n  - name: a\n    start_when: event == "created"\n    goals: [{within: 1h}]\n'
)
AS_OF = dt.datetime(2026, 11, 2, 12, tzinfo=dt.timezone.utc)
AT = "2026-11-02T09:00:00Z"
BIG = "9007199254740993 is an integer beyond 2^53, which a number cannot hold exactly; write it as a string (\"9007199254740993\")"


def reasons(result: duly.Evaluation) -> list[tuple[int, str]]:
    return [(r.line, r.reason) for r in result.rejected]


def test_integers_beyond_2_to_the_53_from_dicts_are_rejected() -> None:
    events = [
        {"id": "T-1", "at": AT, "event": "created", "n": 2**53 + 1},
        {"id": "T-2", "at": AT, "event": "created", "n": 2**53},
        {"id": "T-3", "at": AT, "event": "created", "n": np.int64(2**53 + 1)},
        {"id": 2**53 + 1, "at": AT, "event": "created"},
    ]
    result = duly.evaluate(POLICY, events, AS_OF)
    assert reasons(result) == [(1, f"attribute 'n': {BIG}"), (3, f"attribute 'n': {BIG}")]
    assert sorted(t.id for t in result.timers) == ["9007199254740993", "T-2"]


def test_integer_columns_beyond_2_to_the_53_are_rejected() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"id": ["T-1", "T-2"], "at": [AT, AT], "event": ["created", "created"],
                          "n": np.array([2**53 + 1, -(2**53)], dtype=np.int64)})
    result = duly.evaluate(POLICY, frame, AS_OF)
    assert reasons(result) == [(1, f"attribute 'n': {BIG}")]
    assert [t.id for t in result.timers] == ["T-2"]


def test_blank_ids_are_rejected() -> None:
    result = duly.evaluate(POLICY, [{"id": " ", "at": AT, "event": "created"},
                                    {"id": "T-1", "at": AT, "event": "\t"}], AS_OF)
    assert reasons(result) == [(1, "id: blank (only whitespace)"), (2, "event: blank (only whitespace)")]
