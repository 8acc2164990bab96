"""duly.Store: the store of ``duly run`` from Python.

Open and create, re-delivery, runs returning each new firing once, state equal
to ``duly.evaluate`` over the same events, the recompute modes, a busy store
(a second connection holding the write lock), damaged, foreign and newer
files, and a store written by duly 0.1's ``duly run``
(tests/store/data/README.md).
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import random
import shutil
import sqlite3
import threading

import pandas as pd
import pytest

import duly

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "store" / "data"
POLICY_FILE = DATA / "v1_helpdesk.policy.yaml"
EVENTS_FILE = DATA / "v1_helpdesk.events.jsonl"
END = "2026-12-03T00:00:00Z"


@pytest.fixture()
def policy() -> duly.Policy:
    return duly.load_policy(POLICY_FILE)


@pytest.fixture()
def events() -> list[dict]:
    return [json.loads(line) for line in EVENTS_FILE.read_text().splitlines()]


def keys(frame: pd.DataFrame) -> list[str]:
    return sorted(frame["key"].tolist())


def test_a_new_store_runs_and_reports_each_firing_once(tmp_path: pathlib.Path, policy: duly.Policy,
                                                        events: list[dict]) -> None:
    path = tmp_path / "s.db"
    with duly.Store(path) as store:
        assert repr(store) == f"duly.Store({str(path)!r})"
        assert store.info()["runs"] == 0
        assert store.state(END).timers == []
        fired = store.run(policy, events, END)
        whole = duly.evaluate(policy, events, END)
        assert list(fired.columns) == [*whole.escalations_frame().columns, "cursor"]
        assert fired["cursor"].tolist() == list(range(1, len(fired) + 1))
        assert keys(fired) == sorted(f.key for f in whole.escalations)
        assert fired["fired_at"].is_monotonic_increasing
        assert fired.attrs["run"] == 1 and fired.attrs["events_new"] == len(events) - 1
        assert [r.line for r in fired.attrs["rejected"]] == [23]
        assert fired.attrs["next_wakeup"] == store.info()["next_wakeup"] > whole.as_of
        # The same events again, keys reversed and rows shuffled: re-deliveries.
        again = [dict(reversed(list(e.items()))) for e in events]
        random.Random(1).shuffle(again)
        second = store.run(policy, again, END)
        assert len(second) == 0
        assert second.attrs["events_new"] == 0 and second.attrs["events_duplicate"] == len(events) - 1
        assert len(store.run(policy, None, END)) == 0
    assert store.closed
    with pytest.raises(duly.InvalidArgumentError, match="the store is closed"):
        store.run(policy, None, END)
    # The CLI's duly run and duly state open it (same format); the Python stdlib too.
    assert sqlite3.connect(path).execute("SELECT count(*) FROM runs").fetchone()[0] == 3


def test_state_equals_evaluate_over_chunked_runs(tmp_path: pathlib.Path, policy: duly.Policy,
                                                 events: list[dict]) -> None:
    good = [e for e in events if "T25" not in e["at"]]
    cuts = ["2026-11-24T00:00:00Z", "2026-11-26T12:00:00Z", "2026-11-28T00:00:00Z", END]
    frame = pd.DataFrame(good)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    reported: list[str] = []
    with duly.Store(tmp_path / "s.db") as store:
        previous = None
        for cut in cuts:
            t = pd.Timestamp(cut)
            chunk = frame[(frame["at"] <= t) & ((frame["at"] > previous) if previous is not None else True)]
            reported += store.run(policy, chunk, cut)["key"].tolist()  # a DataFrame in, as evaluate takes it
            previous = t
        whole = duly.evaluate(policy, good, END)
        assert sorted(reported) == sorted(f.key for f in whole.escalations)
        state = store.state(END)
        pd.testing.assert_frame_equal(state.timers_frame(), whole.timers_frame())
        pd.testing.assert_frame_equal(state.escalations_frame(), whole.escalations_frame())
        assert len(whole.pauses_frame()) > 0  # the helpdesk waits on customers: pauses to compare
        pd.testing.assert_frame_equal(state.pauses_frame(), whole.pauses_frame())
        assert state.policy is not None and state.policy.fingerprint == policy.fingerprint  # the latest run's
        past = store.state("2026-11-25T00:00:00Z", policy)
        assert past.timers == duly.evaluate(policy, good, "2026-11-25T00:00:00Z").timers


def test_as_of_before_the_last_runs_is_refused(tmp_path: pathlib.Path, policy: duly.Policy) -> None:
    path = tmp_path / "s.db"
    with duly.Store(path) as store:
        store.run(policy, None, "2026-11-26T00:00:00Z")
        with pytest.raises(duly.InvalidArgumentError) as e:
            store.run(policy, None, "2026-11-25T00:00:00Z")
    assert str(e.value) == (f"{path}: --as-of 2026-11-25T00:00:00Z is before the last run's (2026-11-26T00:00:00Z): "
                            "a store only moves forward; use `duly state` to look at the past")


def test_strict_and_quiet_before(tmp_path: pathlib.Path, policy: duly.Policy, events: list[dict]) -> None:
    with duly.Store(tmp_path / "s.db") as store:
        with pytest.raises(duly.InvalidArgumentError, match=r"1 event row rejected \(strict=True\), nothing stored"):
            store.run(policy, events, END, strict=True)
        assert store.info()["events"] == 0
        quiet = store.run(policy, events, END, quiet_before="2026-11-27T00:00:00Z")
        expected = [f.key for f in duly.evaluate(policy, events, END).escalations
                    if f.fired_at >= dt.datetime(2026, 11, 27, tzinfo=dt.timezone.utc)]
        assert keys(quiet) == sorted(expected)
        assert quiet.attrs["firings_suppressed"] > 0


def _recompute_goals(tmp_path: pathlib.Path, policy: duly.Policy, mode: str) -> dict[str, int]:
    stricter = duly.Policy.from_yaml(POLICY_FILE.read_text().replace(
        '{when: priority == "P1", within: 4h}', '{when: priority == "P1", within: 2h}'))
    a_and_b = [
        {"id": "A", "at": "2026-11-02T14:00:00Z", "event": "created", "priority": "P1", "channel": "email"},
        {"id": "A", "at": "2026-11-02T14:30:00Z", "event": "replied", "actor": "agent"},
        {"id": "A", "at": "2026-11-02T15:00:00Z", "event": "updated", "status": "resolved"},
        {"id": "B", "at": "2026-11-02T16:00:00Z", "event": "created", "priority": "P1", "channel": "email"},
    ]
    with duly.Store(tmp_path / f"{mode}.db") as store:
        store.run(policy, a_and_b, "2026-11-02T16:30:00Z")
        changed = store.run(stricter, None, "2026-11-02T16:40:00Z", recompute=mode)
        assert changed.attrs["policy_changed"] and len(changed) == 0
        state = store.state("2026-11-02T17:00:00Z", stricter, recompute=mode)
        return {t.id: t.goal_seconds for t in state.timers if t.target == "resolution"}


@pytest.mark.parametrize(("mode", "a", "b"), [("none", 4, 4), ("open", 4, 2), ("all", 2, 2)])
def test_recompute_modes(tmp_path: pathlib.Path, policy: duly.Policy, mode: str, a: int, b: int) -> None:
    assert _recompute_goals(tmp_path, policy, mode) == {"A": a * 3600, "B": b * 3600}


def test_bad_options_name_their_argument(tmp_path: pathlib.Path, policy: duly.Policy) -> None:
    with duly.Store(tmp_path / "s.db") as store:
        with pytest.raises(duly.InvalidArgumentError) as e:
            store.run(policy, None, END, recompute="some")
        assert e.value.path == "recompute"
        with pytest.raises(duly.InvalidArgumentError) as e:
            store.run(policy, None, END, wait=5)  # type: ignore[arg-type]
        assert e.value.path == "wait"
        with pytest.raises(duly.InvalidArgumentError) as e:
            store.run(policy, None, dt.datetime(2026, 12, 3))
        assert e.value.path == "as_of"


def test_a_busy_store_raises_then_waits(tmp_path: pathlib.Path, policy: duly.Policy, events: list[dict]) -> None:
    path = tmp_path / "s.db"
    with duly.Store(path) as store:
        store.run(policy, None, "2026-11-20T00:00:00Z")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    try:
        store = duly.Store(path)
        with pytest.raises(duly.StoreBusyError) as e:
            store.run(policy, events, "2026-11-21T00:00:00Z")
        assert str(e.value) == (f"{path}: the store is in use by another duly run (database is locked); "
                                "try again later, or give --wait SECONDS")
        assert store.state("2026-11-21T00:00:00Z") is not None  # a snapshot meanwhile
        release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
        release.start()
        fired = store.run(policy, events, "2026-11-21T00:00:00Z", wait=dt.timedelta(seconds=20))
        release.join()
        assert fired.attrs["events_new"] == len(events) - 1
        store.close()
    finally:
        holder.close()


def test_runs_from_threads_take_turns(tmp_path: pathlib.Path, policy: duly.Policy, events: list[dict]) -> None:
    store = duly.Store(tmp_path / "s.db", wait=dt.timedelta(seconds=30))
    frames: list[pd.DataFrame] = []
    threads = [threading.Thread(target=lambda: frames.append(store.run(policy, events, END))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.close()
    assert sorted(k for f in frames for k in f["key"]) == sorted(f.key for f in duly.evaluate(policy, events, END).escalations)


def test_files_that_are_not_stores(tmp_path: pathlib.Path, policy: duly.Policy) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(random.Random(0).randbytes(8192))
    with pytest.raises(duly.StoreUnusableError) as e:
        duly.Store(junk)
    assert str(e.value) == f"{junk}: not a duly store: the file is not an SQLite database"
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE customers(name TEXT)").connection.commit()
    with pytest.raises(duly.StoreUnusableError, match="an SQLite database of another program"):
        duly.Store(foreign)
    with pytest.raises(duly.IoError) as e:
        duly.Store(tmp_path / "nope.db", create=False)
    assert str(e.value) == f"{tmp_path / 'nope.db'}: no such store (`duly run --create` makes a new one)"
    assert not (tmp_path / "nope.db").exists()


def test_damaged_and_newer_stores(tmp_path: pathlib.Path, policy: duly.Policy, events: list[dict]) -> None:
    path = tmp_path / "s.db"
    with duly.Store(path) as store:
        store.run(policy, events, END)
    newer = tmp_path / "newer.db"
    shutil.copy(path, newer)
    db = sqlite3.connect(newer)
    db.execute("PRAGMA user_version = 9")
    db.commit()
    db.close()
    with pytest.raises(duly.StoreUnusableError) as e:
        duly.Store(newer)
    assert str(e.value) == f"{newer}: written by a newer duly (store format 9; this duly reads format 4)"
    db = sqlite3.connect(path)
    db.execute("DROP TABLE firings")
    db.commit()
    db.close()
    with pytest.raises(duly.StoreUnusableError) as e:
        duly.Store(path)
    assert str(e.value) == f"{path}: the store is damaged: its table 'firings' is missing; restore it from a backup"
    assert isinstance(e.value, duly.Error) and isinstance(e.value, ValueError)


def _lines_include(actual: list[dict], expected_file: pathlib.Path) -> None:
    expected = [json.loads(line) for line in expected_file.read_text().splitlines()]
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        # Release 0.1's keys named the cycle by its ordinal; they name it by its start now.
        assert {k: a.get(k) for k in e if k != "key"} == {k: v for k, v in e.items() if k != "key"}
        if "key" in e:
            assert a["key"].startswith(f"{a['id']}/{a['target']}/{a['escalation']}/")
            assert a["key"].endswith(f"/{a['point']}")


def _iso(t: dt.datetime | None) -> str | None:
    return None if t is None else t.isoformat().replace("+00:00", "Z")


def test_a_store_written_by_duly_0_1(tmp_path: pathlib.Path, policy: duly.Policy, events: list[dict]) -> None:
    path = tmp_path / "v1.db"
    shutil.copy(DATA / "v1_helpdesk.db", path)
    with duly.Store(path) as store:
        info = store.info()
        assert (info["format_version"], info["runs"], info["events"]) == (1, 2, 23)
        assert len(store.outbox()) == 0  # format 1 has no outbox until its next run
        assert info["policy_fingerprint"] == policy.fingerprint
        state = store.state("2026-11-30T17:00:00Z")
        timers = [{"kind": "timer", **{k: (_iso(v) if isinstance(v, dt.datetime) else v)
                                       for k, v in vars_of(t).items()}} for t in state.timers]
        firings = [{"kind": "escalation", **{k: (_iso(v) if isinstance(v, dt.datetime) else v)
                                            for k, v in vars_of(f).items()}} for f in state.escalations]
        _lines_include(timers + firings, DATA / "v1_helpdesk.state.jsonl")
        fired = store.run(policy, events, END)  # every event again: re-deliveries
        assert fired.attrs["events_new"] == 0 and not fired.attrs["policy_changed"]
        rows = [{"kind": "escalation", "id": r.id, "target": r.target, "escalation": r.escalation,
                 "cycle": int(r.cycle), "point": int(r.point), "fired_at": _iso(r.fired_at.to_pydatetime()),
                 "deliver_at": _iso(r.deliver_at.to_pydatetime()), "key": r.key, "actions": r.actions} for r in fired.itertuples()]
        _lines_include(rows, DATA / "v1_helpdesk.next_run.jsonl")
        assert store.info()["format_version"] == 4  # migrated in place by that run
        # Only the firings 0.1 had not printed (its keys were rewritten, not forgotten).
        then = {f.key for f in duly.evaluate(policy, events, "2026-11-30T17:00:00Z").escalations}
        assert keys(fired) == sorted(f.key for f in duly.evaluate(policy, events, END).escalations if f.key not in then)
        assert store.outbox()["key"].tolist() == fired["key"].tolist()


def vars_of(obj: object) -> dict:
    return {name: getattr(obj, name) for name in obj.__slots__}  # type: ignore[attr-defined]


def test_the_outbox(tmp_path: pathlib.Path, policy: duly.Policy, events: list[dict]) -> None:
    with duly.Store(tmp_path / "s.db") as store:
        reported: list[str] = []
        cursors: list[int] = []
        for cut in ("2026-11-25T00:00:00Z", "2026-11-27T00:00:00Z", END):
            fired = store.run(policy, events, cut)
            reported += fired["key"].tolist()
            cursors += fired["cursor"].tolist()
        box = store.outbox()
        assert box["key"].tolist() == reported and box["cursor"].tolist() == cursors == sorted(cursors)
        assert set(box["kind"]) == {"escalation"} and box["run"].is_monotonic_increasing
        assert sorted(reported) == sorted(f.key for f in duly.evaluate(policy, events, END).escalations)
        page = store.outbox(after=cursors[1], limit=2)
        assert page["cursor"].tolist() == cursors[2:4]
        assert len(store.outbox(after=cursors[-1])) == 0
        assert store.info()["last_cursor"] == cursors[-1]
        with pytest.raises(duly.InvalidArgumentError) as e:
            store.outbox(after=-1)
        assert e.value.path == "after"


def test_a_read_only_store_is_never_written(tmp_path: pathlib.Path, policy: duly.Policy, events: list[dict]) -> None:
    path = tmp_path / "s.db"
    with duly.Store(path) as store:
        store.run(policy, events, "2026-11-27T00:00:00Z")
    before = path.read_bytes()
    with duly.Store(path, read_only=True) as store:
        assert len(store.state(END).timers) == 20
        assert len(store.outbox()) > 0
        with pytest.raises(duly.InvalidArgumentError) as e:
            store.run(policy, None, END)
        assert str(e.value) == f"{path}: the store is open read-only"
    assert path.read_bytes() == before
    with pytest.raises(duly.IoError):
        duly.Store(tmp_path / "nope.db", read_only=True)


def test_a_late_event_that_undoes_a_firing_withdraws_it_once(tmp_path: pathlib.Path, policy: duly.Policy) -> None:
    created = {"id": "W-1", "at": "2026-11-23T09:00:00Z", "event": "created", "priority": "P1", "channel": "phone"}
    resolved = {"id": "W-1", "at": "2026-11-23T10:00:00Z", "event": "updated", "status": "resolved"}
    with duly.Store(tmp_path / "w.db") as store:
        fired = store.run(policy, [created], "2026-11-23T13:00:00Z")
        assert fired["key"].tolist() == ["W-1/resolution/team_lead/20261123T090000Z/0"]
        assert fired.attrs["withdrawals"].empty
        late = store.run(policy, [resolved], "2026-11-23T14:00:00Z")
        assert late.empty  # no new firing
        withdrawn = late.attrs["withdrawals"]
        assert withdrawn["kind"].tolist() == ["withdrawal"]
        assert withdrawn["key"].tolist() == fired["key"].tolist()
        assert withdrawn["fired_at"].tolist() == fired["fired_at"].tolist()
        assert withdrawn["reason"].iloc[0].startswith("the cycle that started at 2026-11-23T09:00:00Z now ends met")
        assert store.run(policy, [created, resolved], "2026-11-24T00:00:00Z").attrs["withdrawals"].empty  # once
        box = store.outbox()
        assert box["kind"].tolist() == ["escalation", "withdrawal"]
        assert box["key"].tolist() == [fired["key"].iloc[0]] * 2
        assert box["cursor"].tolist() == sorted(box["cursor"].tolist())
        assert pd.isna(box["reason"].iloc[0]) and box["reason"].iloc[1] == withdrawn["reason"].iloc[0]
        assert box["cursor"].iloc[1] == withdrawn["cursor"].iloc[0]
