"""Events apply in the order of their full-precision instants.

A ``created`` at .200 given after a ``replied`` at .700 of the same second is
met whichever way the events come: dicts with ISO-8601 text or aware
``datetime``s, a DataFrame with a ``datetime64[ns, UTC]`` column or text, and
through ``duly.Store`` when the ``created`` arrives in a later run. All
arithmetic uses the floored second; ties keep input order.
"""

from __future__ import annotations

import datetime as dt
import pathlib

import pandas as pd
import pytest

import duly

POLICY = duly.Policy.from_yaml(
    """duly: 1
targets:
  - name: response
    start_when: event == "created"
    stop_when: event == "replied"
    goals: [{within: 1h}]
"""
)
AS_OF = "2026-11-23T12:00:00Z"
UTC = dt.timezone.utc

TEXT = [
    {"id": "A", "at": "2026-11-23T10:00:00.700Z", "event": "replied"},
    {"id": "A", "at": "2026-11-23T10:00:00.2Z", "event": "created"},
    {"id": "B", "at": "2026-11-23T10:00:00.5Z", "event": "created"},
    {"id": "B", "at": "2026-11-23T10:00:00.5Z", "event": "replied"},  # a tie: input order
]


def states(result: duly.Evaluation) -> dict[str, str]:
    return {t.id: t.state for t in result.timers}


def with_datetimes(rows: list[dict]) -> list[dict]:
    return [{**r, "at": dt.datetime.fromisoformat(r["at"].replace("Z", "+00:00"))} for r in rows]


@pytest.mark.parametrize(
    "events",
    [
        pytest.param(TEXT, id="dicts, text"),
        pytest.param(with_datetimes(TEXT), id="dicts, datetimes"),
        pytest.param(pd.DataFrame(TEXT), id="frame, text"),
        pytest.param(
            pd.DataFrame(TEXT).assign(at=lambda f: pd.to_datetime(f["at"], utc=True, format="ISO8601")),
            id="frame, datetime64",
        ),
    ],
)
def test_fractions_order_events_within_a_second(events: object) -> None:
    result = duly.evaluate(POLICY, events, AS_OF)
    assert states(result) == {"A": "met", "B": "met"}
    started = {t.id: t.started for t in result.timers}
    assert started["A"] == dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # floored
    assert duly.explain(POLICY, events, "A", AS_OF).entries[0].event == "created"


def test_without_fractions_input_order_decides() -> None:
    floored = [{**r, "at": r["at"][:19] + "Z"} for r in TEXT]
    assert states(duly.evaluate(POLICY, floored, AS_OF))["A"] == "breached"


def test_the_store_orders_a_late_event_by_its_fraction(tmp_path: pathlib.Path) -> None:
    with duly.Store(tmp_path / "s.db") as store:
        store.run(POLICY, pd.DataFrame(TEXT[:1]), "2026-11-23T10:30:00Z")
        store.run(POLICY, TEXT[1:], AS_OF)  # the created comes a run later
        assert states(store.state(AS_OF)) == {"A": "met", "B": "met"}
        assert states(store.state(AS_OF)) == states(duly.evaluate(POLICY, TEXT, AS_OF))
