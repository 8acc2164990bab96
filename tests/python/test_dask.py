"""duly.dask: the Dask path equals the local one; policies pickle to travel to workers."""

from __future__ import annotations

import json
import pathlib
import pickle
import sys

import pandas as pd
import pytest

import duly

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
import duly.dask  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from test_report import servicenow  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
HELPDESK_AS_OF = "2026-11-30T17:00:00Z"
KEYS = ["id", "target", "cycle"]


def helpdesk() -> tuple[duly.Policy, pd.DataFrame]:
    lines = (ROOT / "examples/helpdesk/events.jsonl").read_text().splitlines()
    return duly.load_policy(ROOT / "examples/helpdesk/policy.yaml"), pd.DataFrame([json.loads(x) for x in lines])


def ordered(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
@pytest.mark.parametrize("npartitions", [1, 3, 7])
def test_dask_equals_local_on_the_helpdesk(scheduler: str, npartitions: int) -> None:
    policy, events = helpdesk()
    local = duly.evaluate(policy, events, HELPDESK_AS_OF)
    ddf = dd.from_pandas(events, npartitions=npartitions, sort=False)
    f = duly.dask.evaluate_frames(policy, ddf, HELPDESK_AS_OF)
    timers, firings, rejected = dask.compute(f.timers, f.escalations, f.rejected, scheduler=scheduler)
    pd.testing.assert_frame_equal(ordered(timers, KEYS), ordered(local.timers_frame(), KEYS))
    pd.testing.assert_frame_equal(ordered(firings, ["key"]), ordered(local.escalations_frame(), ["key"]))
    # The rejected row is named by its input partition and row: line 23 of the file.
    sizes = ddf.map_partitions(len).compute(scheduler="synchronous").tolist()
    lines = [sum(sizes[:p]) + r + 1 for p, r in zip(rejected["partition"], rejected["row"])]
    assert lines == [r.line for r in local.rejected] == [23]
    assert rejected["reason"].tolist() == [r.reason for r in local.rejected]


@pytest.mark.parametrize("scheduler", ["synchronous", "threads", "processes"])
def test_dask_equals_local_on_servicenow(scheduler: str) -> None:
    policy, events = servicenow()
    frame = pd.DataFrame(events)
    local = duly.evaluate(policy, frame, "2017-03-01T00:00:00Z").timers_frame()
    ddf = dd.from_pandas(frame, npartitions=4, sort=False)
    timers = duly.dask.evaluate(policy, ddf, "2017-03-01T00:00:00Z", npartitions=5)
    assert isinstance(timers, dd.DataFrame) and timers.npartitions == 5
    assert dict(timers.dtypes) == dict(local.dtypes)  # meta matches the computed frames
    got = timers.compute(scheduler=scheduler)
    assert len(got) == 1791
    # Worker processes keep pandas' default text storage (Arrow, with pyarrow installed),
    # which the tests' own process sets to Python (conftest.py): same values, same dtype names.
    assert [str(t) for t in got.dtypes] == [str(t) for t in local.dtypes]
    same_process = scheduler != "processes"
    pd.testing.assert_frame_equal(
        ordered(got, KEYS), ordered(local, KEYS), check_dtype=same_process, check_column_type=same_process
    )


def test_rows_at_one_instant_keep_their_input_order_across_the_shuffle() -> None:
    policy = duly.Policy.from_yaml(
        "duly: 1\ntargets:\n  - name: t\n    start_when: state == 'open'\n    stop_when: state == 'done'\n"
        "    goals: [{within: 1h}]\n"
    )
    rows = []
    for i in range(40):
        # open then done at the same instant: no cycle; done then open: a running cycle.
        first, second = ("open", "done") if i % 2 else ("done", "open")
        rows.append({"id": i, "at": "2026-01-01T00:00:00Z", "event": "e", "state": first})
        rows.append({"id": i, "at": "2026-01-01T00:00:00Z", "event": "e", "state": second})
    frame = pd.DataFrame(rows)
    local = duly.evaluate(policy, frame, "2026-01-01T00:30:00Z").timers_frame()
    got = duly.dask.evaluate(policy, dd.from_pandas(frame, npartitions=6, sort=False), "2026-01-01T00:30:00Z")
    got = got.compute(scheduler="threads")
    pd.testing.assert_frame_equal(ordered(got, KEYS), ordered(local, KEYS))
    assert sorted(got[got.state == "running"]["id"].astype(int)) == list(range(0, 40, 2))


def test_policies_pickle_to_travel_to_workers() -> None:
    cloudpickle = pytest.importorskip("cloudpickle")
    policy, events = helpdesk()
    for dumps in (pickle.dumps, cloudpickle.dumps):
        back = pickle.loads(dumps(policy))
        assert back == policy and back is not policy
        assert back.source == policy.source and back.source_name == policy.source_name
        assert back.labels == policy.labels
        pd.testing.assert_frame_equal(
            duly.evaluate(back, events, HELPDESK_AS_OF).timers_frame(),
            duly.evaluate(policy, events, HELPDESK_AS_OF).timers_frame(),
        )


def test_bad_arguments() -> None:
    policy, events = helpdesk()
    with pytest.raises(duly.InvalidArgumentError, match="expected a dask DataFrame, got") as e:
        duly.dask.evaluate(policy, events, HELPDESK_AS_OF)
    assert e.value.path == "ddf"
    with pytest.raises(duly.InvalidArgumentError, match="no 'event' column"):
        duly.dask.evaluate(policy, dd.from_pandas(events.drop(columns="event"), npartitions=2), HELPDESK_AS_OF)
    with pytest.raises(duly.InvalidArgumentError, match="expected a duly.Policy"):
        duly.dask.evaluate("policy.yaml", dd.from_pandas(events, npartitions=2), HELPDESK_AS_OF)  # type: ignore[arg-type]
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.dask.evaluate(policy, dd.from_pandas(events, npartitions=2), "2026-11-30T17:00:00")
    assert e.value.path == "as_of"


def test_importing_duly_does_not_import_dask_or_matplotlib() -> None:
    import subprocess

    code = "import sys, duly; print('dask' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_dask_takes_snapshots_and_arrow_backed_partitions() -> None:
    """Partitions of Arrow dtypes (string[pyarrow], timestamp[us, tz=...][pyarrow]) and
    snapshot rows give the local answers."""
    pa = pytest.importorskip("pyarrow")
    policy = duly.Policy.from_yaml(
        "duly: 1\ntargets:\n  - name: t\n    start_when: event == 'created'\n    pause_when: assignee == null\n"
        "    goals: [{within: 2h}]\n"
    )
    n = 60
    frame = pd.DataFrame({
        "id": [f"R{i % 7}" for i in range(n)],
        "at": pd.date_range("2026-01-05T08:00Z", periods=n, freq="7min"),
        "event": ["created" if i < 7 else "updated" for i in range(n)],
        "assignee": [None if i % 3 == 0 else f"agent{i % 4}" for i in range(n)],
        "n": [float(i) if i % 5 else None for i in range(n)],
    })
    arrow = pa.Table.from_pandas(frame, preserve_index=False).to_pandas(types_mapper=pd.ArrowDtype)
    assert str(arrow["at"].dtype) == "timestamp[us, tz=UTC][pyarrow]"
    as_of = "2026-01-06T00:00:00Z"
    for rows in ("changes", "snapshots"):
        local = duly.evaluate(policy, frame, as_of, rows=rows).timers_frame()
        ddf = dd.from_pandas(arrow, npartitions=3, sort=False)
        got = duly.dask.evaluate(policy, ddf, as_of, rows=rows).compute(scheduler="synchronous")
        pd.testing.assert_frame_equal(ordered(got, KEYS), ordered(local, KEYS))
    paused = duly.evaluate(policy, frame, as_of, rows="snapshots").timers_frame()
    assert not paused.equals(duly.evaluate(policy, frame, as_of).timers_frame())  # the clears matter
