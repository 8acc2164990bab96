#!/usr/bin/env python3
"""Turn a ServiceNow incident audit export into duly events (JSON Lines).

The export (data/servicenow_incidents_sample.csv) has one row per update of an
incident, with `sys_updated_at` in `DD-MM-YYYY HH:MM` and no time zone; we read
those times as UTC. For each incident we emit:

- one `opened` event at its `opened_at`, carrying the fields known at the first
  row we see of it (priority, group, channel...), and
- one `update` event per row, at `sys_updated_at`, carrying the row's state,
  priority, assignment group, reassignment and reopen counts.

`?` (a missing value) sets nothing. Rows whose `sys_updated_at` cannot be read
are passed through with the bad text in `at`, so duly rejects them with their
line number instead of this script dropping them silently.

    python3 convert.py data/servicenow_incidents_sample.csv > events.jsonl
"""
import csv
import json
import sys

PRIORITY = {"1 - Critical": "P1", "2 - High": "P2", "3 - Moderate": "P3", "4 - Low": "P4"}


def iso(text: str) -> str:
    """'29-02-2016 01:16' -> '2016-02-29T01:16:00Z'; anything else unchanged."""
    try:
        date, time = text.split(" ")
        d, m, y = date.split("-")
        hh, mm = time.split(":")
        if not (len(d) == 2 and len(m) == 2 and len(y) == 4 and len(hh) == 2 and len(mm) == 2):
            return text
        return f"{y}-{m}-{d}T{hh}:{mm}:00Z"
    except ValueError:
        return text


def attrs(row: dict) -> dict:
    out = {}
    for key, name in (("incident_state", "state"), ("assignment_group", "group"),
                      ("contact_type", "channel"), ("category", "category")):
        if row[key] != "?":
            out[name] = row[key]
    if row["priority"] in PRIORITY:
        out["priority"] = PRIORITY[row["priority"]]
    for key in ("reassignment_count", "reopen_count"):
        if row[key].isdigit():
            out[key] = int(row[key])
    if row["opened_at"] != "?":
        out["opened_at"] = iso(row["opened_at"])
    out["made_sla"] = row["made_sla"] == "TRUE"
    return out


def convert(rows, out) -> int:
    seen = set()
    count = 0
    for row in rows:
        number = row["number"]
        if number not in seen and row["opened_at"] != "?":
            seen.add(number)
            first = attrs(row)
            first.pop("state", None)  # the state comes with the updates
            out.write(json.dumps({"id": number, "at": iso(row["opened_at"]), "event": "opened", **first}) + "\n")
            count += 1
        out.write(json.dumps({"id": number, "at": iso(row["sys_updated_at"]), "event": "update", **attrs(row)}) + "\n")
        count += 1
    return count


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: convert.py INCIDENTS.csv > events.jsonl", file=sys.stderr)
        return 2
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        convert(csv.DictReader(f), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
