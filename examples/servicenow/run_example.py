#!/usr/bin/env python3
"""Evaluate the ServiceNow incident sample with duly and check the result.

    python3 run_example.py path/to/duly [--as-of 2017-03-01T00:00:00Z] [--html OUT.html]

Converts data/servicenow_incidents_sample.csv to events (convert.py), runs
`duly evaluate --format jsonl` with policy.yaml, and checks that:
- every CSV row became an event, and every event line was applied or rejected;
- every incident has a line for both targets, and every incident that reached
  Resolved or Closed has a judged (met or breached) resolution cycle;
then prints what duly reports next to ServiceNow's own `made_sla` flag; and
writes the report page (`duly report --html`, by priority; to OUT.html, or a
temporary file) and checks its counts against the timer lines
(examples/report_check.py).
Exits 1 when a check fails.
"""
import argparse
import collections
import csv
import io
import json
import pathlib
import subprocess
import sys
import tempfile

import convert

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import report_check  # noqa: E402  (examples/report_check.py)

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE / "data" / "servicenow_incidents_sample.csv"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("duly")
    parser.add_argument("--as-of", default="2017-03-01T00:00:00Z")
    parser.add_argument("--html", help="write the report page here (default: a temporary file)")
    args = parser.parse_args()

    with open(DATA, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    events = io.StringIO()
    n_events = convert.convert(rows, events)
    incidents = {r["number"] for r in rows}

    run = subprocess.run([args.duly, "evaluate", "--policy", str(HERE / "policy.yaml"), "--events", "-",
                          "--events-format", "jsonl", "--as-of", args.as_of],
                         input=events.getvalue(), capture_output=True, text=True, check=False)
    if run.returncode != 0:
        print(run.stderr, file=sys.stderr)
        return 1
    lines = [json.loads(x) for x in run.stdout.splitlines()]
    timers = [x for x in lines if x["kind"] == "timer"]
    rejected = [x for x in lines if x["kind"] == "rejected"]

    problems = []
    expected_events = len(rows) + len(incidents)
    if n_events != expected_events:
        problems.append(f"{n_events} events from {len(rows)} rows, expected {expected_events}")
    by_target = collections.defaultdict(dict)
    for t in timers:
        by_target[t["target"]].setdefault(t["id"], []).append(t)
    for target in ("response", "resolution"):
        missing = incidents - by_target[target].keys()
        if missing:
            problems.append(f"{target}: no line for {len(missing)} incidents, e.g. {sorted(missing)[:3]}")
    finished = {r["number"] for r in rows if r["incident_state"] in ("Resolved", "Closed")}
    for number in sorted(finished):
        cycles = by_target["resolution"].get(number, [])
        if not any(c["state"] in ("met", "breached") for c in cycles):
            problems.append(f"{number}: resolved but no judged resolution cycle: {cycles}")
            break

    print(f"{len(rows)} rows, {len(incidents)} incidents -> {n_events} events; "
          f"{len(rejected)} rejected; {len(timers)} timer lines")
    for target in ("response", "resolution"):
        states = collections.Counter(t["state"] for ids in by_target[target].values() for t in ids)
        judged = states["met"] + states["breached"]
        rate = 100.0 * states["met"] / judged if judged else 0.0
        print(f"  {target:<11} " + ", ".join(f"{k} {v}" for k, v in sorted(states.items()))
              + f"; attainment {rate:.1f}% of {judged} judged")
    last_sla = {}
    for r in rows:
        last_sla[r["number"]] = r["made_sla"] == "TRUE"
    agree = total = 0
    for number, cycles in by_target["resolution"].items():
        judged = [c for c in cycles if c["state"] in ("met", "breached")]
        if judged and number in last_sla:
            total += 1
            agree += (judged[-1]["state"] == "met") == last_sla[number]
    print(f"  resolution verdict agrees with ServiceNow's made_sla on {agree} of {total} incidents")

    with tempfile.TemporaryDirectory() as tmp:
        events_file = pathlib.Path(tmp) / "incidents.jsonl"
        events_file.write_text(events.getvalue(), encoding="utf-8")
        page = args.html or str(pathlib.Path(tmp) / "servicenow.html")
        found = report_check.check(args.duly, str(HERE / "policy.yaml"), str(events_file), args.as_of, page,
                                   by="priority")
        problems += [f"report page: {p}" for p in found]
        if not found:
            print(f"  report page written and checked{': ' + page if args.html else ''}")
    for p in problems:
        print("FAIL:", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
