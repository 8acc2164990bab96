"""List attributes (a ticket's tags) through every input: dicts, DataFrames,
Arrow, the CLI's JSON Lines and CSV, and the store, with one policy that uses
`x in ATTR`, `has_any`, `has_all`, whole-list `==` and `changed()` on a list."""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import duly

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "build" / "bin" / "duly"
AS_OF = "2026-11-24T12:00:00Z"

POLICY = duly.Policy.from_yaml("""
targets:
  - name: reply
    start_when: event == "created"
    stop_when: event == "replied"
    goals:
      - {when: '"vip" in tags', within: 1h}
      - {when: 'has_all(tags, ["billing", "eu"])', within: 2h}
      - {within: 8h}
  - name: retag_review
    start_when: event == "updated" and changed(tags) and has_any(tags, ["legal", 7])
    stop_when: event == "replied" or tags == ["done"]
    goals: [{within: 30m}]
escalations:
  - name: vip_due
    target: reply
    at: due
    when: '"vip" in tags and "muted" not in tags'
    do: [{notify: [lead]}]
""")

TAGS = ["vip", "billing", "eu", "legal", "muted", "printer", 7, True, "done"]
TEXT_TAGS = ["vip", "billing", "eu", "legal", "muted", "printer", "done"]


def stream(seed: int, tags: list[Any] = TAGS) -> list[dict[str, Any]]:
    """Random tickets whose events set random tag lists (some the same again)."""
    TAGS = tags  # noqa: N806 - the pool this stream draws from
    r = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for t in range(40):
        at = 1_795_000_000 + r.randrange(0, 3600 * 10)
        rows.append({"id": f"T-{t}", "at": at, "event": "created", "tags": r.sample(TAGS, r.randrange(0, 4))})
        for _ in range(r.randrange(0, 5)):
            at += r.randrange(60, 3600 * 3)
            kind = r.choice(["updated", "updated", "replied"])
            row: dict[str, Any] = {"id": f"T-{t}", "at": at, "event": kind}
            if kind == "updated":
                row["tags"] = r.choice([r.sample(TAGS, r.randrange(0, 4)), rows[-1].get("tags", []), ["done"]])
            rows.append(row)
    for row in rows:
        row["at"] = pd.Timestamp(row["at"], unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
    return rows


def answers(result: duly.Evaluation) -> tuple[list[Any], list[Any], list[Any]]:
    return (
        [(t.id, t.target, t.cycle, t.state, t.goal_seconds, t.due) for t in result.timers],
        [(f.id, f.escalation, f.fired_at) for f in result.escalations],
        [(r.line, r.reason) for r in result.rejected],
    )


@pytest.mark.parametrize("seed", range(5))
def test_every_python_input_gives_the_same_answers(seed: int) -> None:
    rows = stream(seed)
    want = answers(duly.evaluate(POLICY, rows, AS_OF))
    assert want[0] and not want[2]
    tuples = [{**r, "tags": tuple(r["tags"])} if "tags" in r else r for r in rows]
    assert answers(duly.evaluate(POLICY, tuples, AS_OF)) == want
    frame = pd.DataFrame(rows)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    # A frame's empty cell is NaN (no change), as an absent key is.
    assert answers(duly.evaluate(POLICY, frame, AS_OF)) == want


@pytest.mark.parametrize("seed", range(3))
def test_arrow_list_columns_give_the_answers_of_dicts(seed: int) -> None:
    pa = pytest.importorskip("pyarrow")
    rows = stream(seed, TEXT_TAGS)
    want = answers(duly.evaluate(POLICY, rows, AS_OF))
    table = pa.table({
        "id": [r["id"] for r in rows],
        "at": pa.array(pd.to_datetime([r["at"] for r in rows], utc=True)),
        "event": [r["event"] for r in rows],
        "tags": pa.array([r.get("tags") for r in rows], pa.list_(pa.string())),
    })
    assert answers(duly.evaluate(POLICY, table, AS_OF)) == want
    large = table.set_column(3, "tags", table["tags"].cast(pa.large_list(pa.large_string())))
    assert answers(duly.evaluate(POLICY, large.slice(0), AS_OF)) == want


def test_the_tags_decide() -> None:
    rows = [
        {"id": "A", "at": "2026-11-23T09:00:00Z", "event": "created", "tags": ["vip"]},
        {"id": "B", "at": "2026-11-23T09:00:00Z", "event": "created", "tags": ["eu", "billing"]},
        {"id": "C", "at": "2026-11-23T09:00:00Z", "event": "created", "tags": ["vip", "muted"]},
        {"id": "C", "at": "2026-11-23T09:10:00Z", "event": "updated", "tags": ["vip", "muted"]},  # not a change
        {"id": "C", "at": "2026-11-23T09:20:00Z", "event": "updated", "tags": ["muted", "legal"]},
        {"id": "C", "at": "2026-11-23T09:30:00Z", "event": "updated", "tags": ["done"]},
    ]
    r = duly.evaluate(POLICY, rows, "2026-11-23T10:30:00Z")
    goals = {(t.id, t.target): (t.goal_seconds, t.state) for t in r.timers}
    assert goals[("A", "reply")] == (3600, "breached")
    assert goals[("B", "reply")] == (7200, "running")
    assert goals[("C", "reply")][0] == 8 * 3600  # the goal is chosen again: vip was taken off
    assert goals[("C", "retag_review")] == (1800, "met")  # started on "legal", stopped on ["done"]
    # "muted" mutes the escalation for C; A's fires at its due.
    assert [(f.id, f.escalation) for f in r.escalations] == [("A", "vip_due")]


@pytest.mark.skipif(not CLI.exists(), reason="the CLI is not built (build/bin/duly)")
def test_the_cli_reads_lists_from_json_lines_and_csv(tmp_path: Path) -> None:
    rows = stream(11)
    want = duly.evaluate(POLICY, rows, AS_OF)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY.source)
    (tmp_path / "events.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["id", "at", "event", "tags:list"])
    for r in rows:
        w.writerow([r["id"], r["at"], r["event"], json.dumps(r["tags"]) if "tags" in r else ""])
    (tmp_path / "events.csv").write_text(out.getvalue())
    for events in ("events.jsonl", "events.csv"):
        got = subprocess.run(
            [str(CLI), "evaluate", "--policy", str(policy), "--events", events, "--as-of", AS_OF],
            cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True,
        ).stdout.splitlines()
        timers = [line for line in map(json.loads, got) if line["kind"] == "timer"]
        assert [(t["id"], t["target"], t["cycle"], t["state"]) for t in timers] == [
            (t.id, t.target, t.cycle, t.state) for t in want.timers
        ], events


def test_the_store_keeps_lists_between_runs(tmp_path: Path) -> None:
    rows = stream(3)
    rows.sort(key=lambda r: r["at"])
    half = len(rows) // 2
    one_shot = duly.evaluate(POLICY, rows, AS_OF)
    with duly.Store(tmp_path / "s.duly") as store:
        first = store.run(POLICY, rows[:half], rows[half]["at"])
        second = store.run(POLICY, rows[half:], AS_OF)
    fired = sorted(list(first["id"]) + list(second["id"]))
    assert fired  # the stream makes firings in both halves or one
    assert fired == sorted(f.id for f in one_shot.escalations)


def test_explain_shows_a_list_as_json() -> None:
    rows = [{"id": "A", "at": "2026-11-23T09:00:00Z", "event": "created", "tags": ["vip", 7, True, 2.5]}]
    story = duly.explain(POLICY, rows, "A", "2026-11-23T12:00:00Z")
    assert [e.detail for e in story.entries if e.what == "event"] == ['tags=["vip",7,true,2.5]']
