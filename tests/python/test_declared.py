"""Declared attributes from Python (docs/policy.md, "Declaring attributes"): the
policy's declarations and warnings, and rows whose values are not of their declared
types rejected alike for dicts, DataFrames and Arrow data, as the JSON Lines reader
rejects them."""

from __future__ import annotations

import pathlib

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


# --- explain: the same rejected rows, and strict ------------------------------------------------

STRICT_MESSAGE = (
    "3 event rows rejected (strict=True), {}:\n"
    "events:2: attribute 'promised_at': declared instant, got \"tomorrow\"\n"
    "events:3: attribute 'priority': declared text, got 2\n"
    "events:5: attribute 'sla': declared duration, got \"soon\""
)


def test_explain_lists_the_rows_not_of_their_declared_types() -> None:
    story = duly.explain(policy(), ROWS, "T-1")
    assert rejected(story) == REJECTED  # of every record, as evaluate lists them
    assert [(x.event, x.line) for x in story.entries if x.what == "event"] == [("created", 1)]
    assert repr(story).endswith(", 3 rejected>")
    pd = pytest.importorskip("pandas")
    assert story.rejected_frame().to_dict("list") == {
        "line": [line for line, _ in REJECTED],
        "reason": [reason for _, reason in REJECTED],
    }
    frame = pd.DataFrame(ROWS)
    frame["at"] = pd.to_datetime(frame["at"])
    assert rejected(duly.explain(policy(), frame, "T-4")) == REJECTED
    pa = pytest.importorskip("pyarrow")
    table = pa.Table.from_pandas(frame.assign(priority=frame["priority"].astype(str)))
    assert rejected(duly.explain(policy(), table, "T-4")) == [REJECTED[0], REJECTED[2]]


def test_explain_lists_the_readers_rejected_rows_with_the_declared_ones() -> None:
    rows = [*ROWS, {"id": "T-6", "event": "created"}]
    assert rejected(duly.explain(policy(), rows, "T-1")) == [*REJECTED, (6, "at: missing")]
    assert rejected(duly.evaluate(policy(), rows, AS_OF)) == [*REJECTED, (6, "at: missing")]


def test_strict_names_each_row_and_its_reason() -> None:
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.evaluate(policy(), ROWS, AS_OF, strict=True)
    assert str(e.value) == STRICT_MESSAGE.format("nothing evaluated")
    assert [(d.file, d.line, d.message) for d in e.value.diagnostics] == [("events", n, r) for n, r in REJECTED]
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.explain(policy(), ROWS, "T-1", strict=True)
    assert str(e.value) == STRICT_MESSAGE.format("nothing explained")
    assert [(d.file, d.line, d.message) for d in e.value.diagnostics] == [("events", n, r) for n, r in REJECTED]
    with pytest.raises(duly.InvalidArgumentError, match="expected True or False, got str"):
        duly.explain(policy(), ROWS, "T-1", strict="yes")  # type: ignore[arg-type]
    good = [r for i, r in enumerate(ROWS, 1) if i not in (2, 3, 5)]
    assert str(duly.explain(policy(), good, "T-1", strict=True)) == str(duly.explain(policy(), good, "T-1"))


def test_strict_refuses_before_explaining() -> None:
    # Explaining a record without events raises "no events for record"; under strict the
    # rejected rows are refused first, so that check is never reached.
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.explain(policy(), ROWS, "T-9", strict=True)
    assert str(e.value) == STRICT_MESSAGE.format("nothing explained")
    with pytest.raises(duly.InvalidArgumentError, match="no events for record 'T-9'"):
        duly.explain(policy(), ROWS, "T-9")


def test_strict_refuses_before_evaluating() -> None:
    # The core finds the rows not of their declared types while building the events; under
    # strict it hands back only those, with no timers: nothing was evaluated.
    from duly._evaluation import _evaluate_columns, needed
    from duly._events import event_columns

    as_of = 1_796_126_400  # AS_OF
    inputs: list[object] = [ROWS]
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(ROWS)
    frame["at"] = pd.to_datetime(frame["at"])
    inputs.append(frame)
    for events in inputs:
        columns = event_columns(events, needed=needed(policy()))
        raw = _evaluate_columns(policy(), columns, as_of, strict=True)
        assert raw == {"rejected": REJECTED}
        assert "timers" in _evaluate_columns(policy(), columns, as_of)


def test_explaining_a_record_whose_rows_were_all_rejected_says_so() -> None:
    # T-3's one row is not of its declared types: "no events" alone would hide why.
    inputs: list[object] = [ROWS]
    pd = pytest.importorskip("pandas")
    inputs.append(pd.DataFrame(ROWS))
    for events in inputs:
        with pytest.raises(duly.InvalidArgumentError) as e:
            duly.explain(policy(), events, "T-3")
        assert str(e.value) == (
            "id: no events for record 'T-3' (its 1 row was rejected: events:3: attribute 'priority': declared text, got 2)"
        )
        assert e.value.path == "id"
        with pytest.raises(duly.InvalidArgumentError) as e:
            duly.explain(policy(), events, "T-3", "2026-12-01T08:00:00Z")
        assert str(e.value) == (
            "id: no events for record 'T-3' at or before 2026-12-01T08:00:00Z "
            "(its 1 row was rejected: events:3: attribute 'priority': declared text, got 2)"
        )
    # A record with an accepted event too, all after as_of.
    rows = [*ROWS, {"id": "T-3", "at": "2026-12-01T10:00:00Z", "event": "created", "priority": "P1"}]
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.explain(policy(), rows, "T-3", "2026-12-01T09:30:00Z")
    assert str(e.value) == (
        "id: no events for record 'T-3' at or before 2026-12-01T09:30:00Z "
        "(1 of its rows was rejected: events:3: attribute 'priority': declared text, got 2)"
    )
    # A record none of whose rows was rejected: the message is as before.
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.explain(policy(), ROWS, "T-9")
    assert str(e.value) == "id: no events for record 'T-9'"


def test_store_run_rejects_rows_not_of_their_declared_types(tmp_path: pathlib.Path) -> None:
    # As `duly run`: such rows are not stored as events; they are kept with the run among
    # its rejected rows and listed, by line, with the Python readers' own.
    import sqlite3

    rows = [*ROWS, {"id": "T-6", "event": "created"}]
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(ROWS)
    frame["at"] = pd.to_datetime(frame["at"])
    for name, events, expected in (("dicts", rows, [*REJECTED, (6, "at: missing")]), ("frame", frame, REJECTED)):
        path = tmp_path / f"{name}.db"
        with duly.Store(path) as store:
            fired = store.run(policy(), events, AS_OF)
            assert [(r.line, r.reason) for r in fired.attrs["rejected"]] == expected
            assert all(isinstance(r, duly.Rejected) for r in fired.attrs["rejected"])
            assert store.info()["events"] == 2
            assert sorted({t.id for t in store.state(AS_OF).timers}) == ["T-1", "T-4"]
            assert store.state(AS_OF).timers == duly.evaluate(policy(), events, AS_OF).timers
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT line, reason FROM rejected ORDER BY line").fetchall() == expected
            assert db.execute("SELECT rejected FROM runs").fetchall() == [(len(expected),)]


def test_store_run_strict_refuses_rows_not_of_their_declared_types(tmp_path: pathlib.Path) -> None:
    with duly.Store(tmp_path / "s.db") as store:
        with pytest.raises(duly.InvalidArgumentError) as e:
            store.run(policy(), ROWS, AS_OF, strict=True)
        assert str(e.value) == STRICT_MESSAGE.format("nothing stored")
        assert [(d.file, d.line, d.message) for d in e.value.diagnostics] == [("events", n, r) for n, r in REJECTED]
        assert store.info()["events"] == 0 and store.info()["runs"] == 0
        good = [r for i, r in enumerate(ROWS, 1) if i not in (2, 3, 5)]
        assert store.run(policy(), good, AS_OF, strict=True).attrs["rejected"] == []
        assert store.info()["events"] == 2
