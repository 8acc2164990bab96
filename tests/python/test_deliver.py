"""Business-hours delivery (``deliver_in: CAL``) from Python.

Every firing has ``deliver_at`` (``Firing.deliver_at``, a ``datetime64[ns, UTC]``
column of ``escalations_frame()``, a ``timestamp[us, tz=UTC]`` column of
``escalations_table()``): ``fired_at`` without ``deliver_in`` or when CAL is
open, else the first open instant of CAL after it. ``duly.Store.run`` returns a
firing at its ``deliver_at``: a run before it holds it (``attrs["firings_held"]``),
the first run at or after it returns it once, and ``outbox()`` has the column.
"""

from __future__ import annotations

import json
import pathlib

import pandas as pd
import pytest

import duly

from conftest import utc

# The policy and events of every deliver test (tests/data/deliver/): created
# Friday 2026-11-27 16:30, solved 20:00: `now` at 17:30; `lead` at 18:30 with
# the office closed, delivered Monday 2026-11-30 09:00.
DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "deliver"
EVENTS = [json.loads(line) for line in (DATA / "events.jsonl").read_text().splitlines()]


@pytest.fixture()
def policy() -> duly.Policy:
    return duly.Policy.from_yaml((DATA / "policy.yaml").read_text())


def test_every_firing_has_deliver_at(policy: duly.Policy) -> None:
    result = duly.evaluate(policy, EVENTS, "2026-11-27T21:00:00Z")
    assert [(f.escalation, f.fired_at, f.deliver_at) for f in result.escalations] == [
        ("now", utc(2026, 11, 27, 17, 30), utc(2026, 11, 27, 17, 30)),
        ("lead", utc(2026, 11, 27, 18, 30), utc(2026, 11, 30, 9)),
    ]
    frame = result.escalations_frame()
    assert list(frame.columns)[5:8] == ["fired_at", "deliver_at", "key"]
    assert str(frame["deliver_at"].dtype) == "datetime64[ns, UTC]"
    assert frame["deliver_at"].tolist() == [pd.Timestamp("2026-11-27T17:30:00Z"), pd.Timestamp("2026-11-30T09:00:00Z")]
    # An empty frame has the column too.
    empty = duly.evaluate(policy, [], "2026-11-27T21:00:00Z").escalations_frame()
    assert "deliver_at" in empty.columns and str(empty["deliver_at"].dtype) == "datetime64[ns, UTC]"


def test_the_arrow_table_has_deliver_at(policy: duly.Policy) -> None:
    pa = pytest.importorskip("pyarrow")
    table = duly.evaluate(policy, EVENTS, "2026-11-27T21:00:00Z").escalations_table()
    assert table.schema.field("deliver_at").type == pa.timestamp("us", tz="UTC")
    assert table.column("deliver_at").to_pylist() == [utc(2026, 11, 27, 17, 30), utc(2026, 11, 30, 9)]


def test_the_store_returns_a_firing_at_its_deliver_at(policy: duly.Policy, tmp_path) -> None:
    store = duly.Store(tmp_path / "s.db")
    friday = store.run(policy, EVENTS, "2026-11-27T21:00:00Z")
    assert friday["key"].tolist() == ["T-1/resolution/now/20261127T163000Z/0"]
    assert friday.attrs["firings_held"] == 1
    assert friday.attrs["next_wakeup"] == utc(2026, 11, 30, 9)
    saturday = store.run(policy, None, "2026-11-28T12:00:00Z")
    assert len(saturday) == 0 and saturday.attrs["firings_held"] == 0
    monday = store.run(policy, None, "2026-11-30T09:00:00Z")
    assert monday["key"].tolist() == ["T-1/resolution/lead/20261127T163000Z/0"]
    assert monday["fired_at"].tolist() == [pd.Timestamp("2026-11-27T18:30:00Z")]
    assert monday["deliver_at"].tolist() == [pd.Timestamp("2026-11-30T09:00:00Z")]
    assert monday["cursor"].tolist() == [2]
    assert len(store.run(policy, EVENTS, "2026-11-30T12:00:00Z")) == 0
    box = store.outbox()
    assert box["deliver_at"].tolist() == [pd.Timestamp("2026-11-27T17:30:00Z"), pd.Timestamp("2026-11-30T09:00:00Z")]
    # The state shows both at once, as evaluate does.
    state = store.state("2026-11-27T21:00:00Z")
    assert [f.deliver_at for f in state.escalations] == [utc(2026, 11, 27, 17, 30), utc(2026, 11, 30, 9)]
