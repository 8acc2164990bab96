"""``duly.evaluate(..., threads=)``: records split over threads give the result
of one thread, row for row.

The engine gives a batch at most one thread per 20,000 events, so the inputs
here are larger than that: the ServiceNow sample copied 10 times (68,880
events: up to 3 threads) as a pyarrow Table, a pandas DataFrame and dicts, and
random streams of the frame tests' policy (escalations, pauses, resets,
business calendars) of 50,000 to 70,000 events, with records of very different
sizes and rows out of time order.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import random
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

import duly

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from test_frame import CLI, POLICY, SERVICENOW, servicenow_events  # noqa: E402

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")

UTC = dt.timezone.utc
SERVICENOW_AS_OF = "2017-03-01T00:00:00Z"


def same(a: duly.Evaluation, b: duly.Evaluation) -> None:
    assert a.timers == b.timers
    assert a.escalations == b.escalations
    assert a.rejected == b.rejected
    assert (a.events_applied, a.events_ignored, a.next_wakeup) == (b.events_applied, b.events_ignored, b.next_wakeup)
    assert a.timers_table().equals(b.timers_table())
    assert a.escalations_table().equals(b.escalations_table())
    assert a.pauses_table().equals(b.pauses_table())


def copies(events: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    return [{**e, "id": f"{e['id']}-{k}"} for k in range(n) for e in events]


@pytest.fixture(scope="module")
def servicenow() -> list[dict[str, Any]]:
    return copies(servicenow_events(), 10)


def test_servicenow_sample_on_threads(servicenow: list[dict[str, Any]]) -> None:
    policy = duly.load_policy(SERVICENOW / "policy.yaml")
    df = pd.DataFrame(servicenow)
    df["at"] = pd.to_datetime(df["at"], utc=True, format="ISO8601")
    df["opened_at"] = pd.to_datetime(df["opened_at"], utc=True, format="ISO8601")
    table = pa.Table.from_pandas(df, preserve_index=False)
    one = duly.evaluate(policy, table, SERVICENOW_AS_OF, threads=1)
    assert len(one.timers) > 17_000
    assert len(one.pauses_frame()) > 0
    for threads in (2, 3, None):
        same(duly.evaluate(policy, table, SERVICENOW_AS_OF, threads=threads), one)
        same(duly.evaluate(policy, df, SERVICENOW_AS_OF, threads=threads), one)
    same(duly.evaluate(policy, servicenow, SERVICENOW_AS_OF, threads=None), one)
    same(duly.evaluate(policy, servicenow, SERVICENOW_AS_OF, threads=1), one)
    # The reports' facts (carried attributes and segments) are evaluated again on
    # the evaluation's threads: the same on any count.
    many = duly.evaluate(policy, table, SERVICENOW_AS_OF, threads=3)
    assert many.threads == 3
    a, b = one._facts(["priority", "state"]), many._facts(["priority", "state"])
    assert a["segments"]["carried"] == b["segments"]["carried"]
    for key in ("from", "until", "business_seconds"):
        assert np.array_equal(a["segments"][key], b["segments"][key])
    assert a["timers"]["carried"] == b["timers"]["carried"]


@pytest.mark.skipif(not CLI.is_file(), reason="needs the CLI (build/bin/duly)")
def test_cli_prints_the_same_on_threads(servicenow: list[dict[str, Any]], tmp_path: pathlib.Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in servicenow))

    def run(*threads: str) -> str:
        return subprocess.run(
            [str(CLI), "evaluate", "--policy", str(SERVICENOW / "policy.yaml"), "--events", str(path),
             "--as-of", SERVICENOW_AS_OF, *threads],
            check=True, capture_output=True, text=True,
        ).stdout

    one = run("--threads", "1")
    assert one.count('"kind":"timer"') > 17_000
    assert run("--threads", "3") == one
    assert run() == one


def random_stream(seed: int) -> list[dict[str, Any]]:
    """Events of the frame tests' policy: a few thousand records, one of them far
    larger than the rest, rows shuffled out of time order."""
    rng = random.Random(seed)
    start = dt.datetime(2026, 1, 5, 8, tzinfo=UTC)
    records = [f"R-{rng.randrange(10**6)}" for _ in range(rng.randrange(2000, 5000))]
    rows = []
    for _ in range(rng.randrange(50_000, 70_000)):
        e: dict[str, Any] = {
            "id": records[0] if rng.random() < 0.02 else rng.choice(records),
            "at": start + dt.timedelta(minutes=rng.randrange(6 * 24 * 60)),
            "event": rng.choice(["created", "update", "replied", "reopened", "update"]),
        }
        for name, values in (
            ("priority", ["P1", "P2", "P3", None]),
            ("status", ["open", "waiting", "done", "cancelled"]),
            ("n", [0, 1, 2, 3]),
            ("vip", [True, False]),
        ):
            if rng.random() < 0.3:
                e[name] = rng.choice(values)
        rows.append(e)
    return rows


@pytest.mark.parametrize("seed", [1, 2])
def test_random_streams_on_threads(seed: int) -> None:
    events = random_stream(seed)
    as_of = "2026-01-10T00:00:00Z"  # the last day's events are ignored
    one = duly.evaluate(POLICY, events, as_of, threads=1)
    assert one.escalations and one.events_ignored > 0 and len(one.pauses_frame()) > 0
    df = pd.DataFrame(events)
    df["at"] = pd.to_datetime(df["at"], utc=True)
    for threads in (2, None):
        same(duly.evaluate(POLICY, events, as_of, threads=threads), one)
    frame_one = duly.evaluate(POLICY, df, as_of, threads=1)
    for threads in (3, 8):
        same(duly.evaluate(POLICY, df, as_of, threads=threads), frame_one)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_threads_must_be_a_positive_whole_number(bad: object) -> None:
    events = [{"id": "A", "at": "2026-01-05T09:00:00Z", "event": "created"}]
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.evaluate(POLICY, events, "2026-01-06T00:00:00Z", threads=bad)  # type: ignore[arg-type]
    assert e.value.path == "threads"
    assert "positive whole number" in str(e.value)
