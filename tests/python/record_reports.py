#!/usr/bin/env python3
"""Record what the reports return on the examples, to check later code equal to it.

    .venv/bin/python tests/python/record_reports.py        # writes tests/python/data/reports/*.json

Each case evaluates one example (the helpdesk, helpdesk ladder and order-to-cash
examples, the ServiceNow sample as examples/python/servicenow_study.py reads it,
and the two hand-worked histories of report_example.py) and records
``duly.report`` (alone, with ``by=``, with ``by=`` and ``paused_by=``),
``duly.spans`` (alone and with ``by=``), ``duly.attainment_over_time`` and, for
ServiceNow and report_example, ``duly.backtest`` (its summary and changes).

The files were first written by the code before the reports were rebuilt on the
engine's facts (commit "tests: record the reports before ..."), and
tests/python/test_report_recorded.py checks today's results equal to them, except
for the differences it lists, each with its reason. Run this again only to
accept a change on purpose, and say why in that test.
"""

from __future__ import annotations

import csv
import io
import json
import math
import pathlib
import sys
from collections.abc import Callable
from typing import Any

import pandas as pd

import duly

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DATA = HERE / "data" / "reports"
sys.path.insert(0, str(HERE))

from report_example import (  # noqa: E402
    AS_OF,
    BUSINESS_AS_OF,
    BUSINESS_EVENTS,
    BUSINESS_POLICY,
    EVENTS,
    POLICY,
)


def jsonl(path: pathlib.Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def servicenow_events() -> pd.DataFrame:
    """The ServiceNow sample as a DataFrame, as examples/python/servicenow_study.py reads it."""
    sys.path.insert(0, str(ROOT / "examples" / "servicenow"))
    import convert  # type: ignore[import-not-found, import-untyped, unused-ignore]

    out = io.StringIO()
    with open(ROOT / "examples/servicenow/data/servicenow_incidents_sample.csv", newline="", encoding="utf-8") as f:
        convert.convert(csv.DictReader(f), out)
    events = pd.DataFrame([json.loads(line) for line in out.getvalue().splitlines()])
    events["at"] = pd.to_datetime(events["at"], utc=True)
    return events


class Case:
    """One example: its policy, events, as_of, and the attributes to group by."""

    def __init__(
        self, name: str, policy: Callable[[], duly.Policy], events: Callable[[], Any], as_of: str,
        by: str, paused_by: str, backtest: tuple[str, str, str] | None = None, freq: str = "D",
    ) -> None:
        self.name, self.policy, self.events, self.as_of = name, policy, events, as_of
        self.by, self.paused_by, self.backtest, self.freq = by, paused_by, backtest, freq


P2 = '{when: priority == "P2", within: 2bd, calendar: service_desk}'
LOOSER = ("goals: [{within: 8h}]", "goals: [{within: 8h}]", "goals: [{within: 10h}]")

CASES = [
    Case("helpdesk", lambda: duly.load_policy(ROOT / "examples/helpdesk/policy.yaml"),
         lambda: jsonl(ROOT / "examples/helpdesk/events.jsonl"), "2026-11-30T17:00:00Z", "priority", "status"),
    Case("helpdesk_ladder", lambda: duly.load_policy(ROOT / "examples/helpdesk_ladder/policy.yaml"),
         lambda: jsonl(ROOT / "examples/helpdesk_ladder/events.jsonl"), "2027-02-15T12:00:00Z", "assignee", "status"),
    Case("order_to_cash", lambda: duly.load_policy(ROOT / "examples/order_to_cash/policy.yaml"),
         lambda: jsonl(ROOT / "examples/order_to_cash/events.jsonl"), "2027-04-15T17:00:00Z", "customer", "status"),
    Case("servicenow", lambda: duly.load_policy(ROOT / "examples/servicenow/policy.yaml"), servicenow_events,
         "2017-03-01T00:00:00Z", "group", "state", backtest=(P2, P2.replace("2bd", "8h"), P2.replace("2bd", "6h")),
         freq="W"),
    Case("report_example", lambda: duly.Policy.from_yaml(POLICY), lambda: EVENTS, AS_OF, "group", "state",
         backtest=LOOSER, freq="h"),
    Case("report_business", lambda: duly.Policy.from_yaml(BUSINESS_POLICY), lambda: BUSINESS_EVENTS,
         BUSINESS_AS_OF, "group", "state", freq="h"),
]


def plain(v: Any) -> Any:
    """A cell as JSON: instants as ISO text, NA/NaN/NaT as None, numpy scalars as Python."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def encode(frame: pd.DataFrame) -> dict[str, Any]:
    """A frame as ``{"columns": [...], "rows": [[...], ...]}``."""
    return {
        "columns": [str(c) for c in frame.columns],
        "rows": [[plain(v) for v in row] for row in frame.astype(object).itertuples(index=False)],
    }


def compute(case: Case) -> dict[str, dict[str, Any]]:
    """Every recorded frame of a case, by name."""
    policy = case.policy()
    events = case.events()
    result = duly.evaluate(policy, events, case.as_of)
    out = {
        "report": duly.report(result),
        "report_by": duly.report(result, by=case.by),
        "report_by_paused_by": duly.report(result, by=case.by, paused_by=case.paused_by),
        "report_paused_by": duly.report(result, paused_by=case.paused_by),
        "spans": duly.spans(result),
        "spans_by": duly.spans(result, by=case.by),
        "attainment_over_time": duly.attainment_over_time(result, case.freq),
    }
    if case.backtest is not None:
        text, for_a, for_b = case.backtest
        assert text in policy.source
        a = duly.Policy.from_yaml(policy.source.replace(text, for_a))
        b = duly.Policy.from_yaml(policy.source.replace(text, for_b))
        bt = duly.backtest(a, b, events, case.as_of, by=case.by)
        out["backtest_summary"] = bt.summary
        out["backtest_changes"] = bt.changes
    return {name: encode(frame) for name, frame in out.items()}


def main() -> int:
    DATA.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        path = DATA / f"{case.name}.json"
        path.write_text(json.dumps(compute(case), indent=None, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
