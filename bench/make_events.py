#!/usr/bin/env python3
"""Writes a synthetic helpdesk event stream (JSON Lines) for throughput runs.

    python3 bench/make_events.py 125000 > /tmp/events.jsonl   # 1,000,000 events

Each ticket gets 8 events over a few days (created, assigned, replies, waits,
resolved), priorities P1-P3, tickets spread over 2026; stdlib only, seeded.
"""
import datetime as dt
import json
import random
import sys


def main() -> int:
    tickets = int(sys.argv[1]) if len(sys.argv) > 1 else 125000
    rng = random.Random(7)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    out = sys.stdout
    steps = [("assigned", {"status": "open", "assignee": "agent-7"}),
             ("replied", {"actor": "agent"}),
             ("updated", {"status": "waiting_on_customer"}),
             ("replied", {"actor": "customer", "status": "open"}),
             ("updated", {"status": "open", "assignee": "agent-9"}),
             ("replied", {"actor": "agent"}),
             ("updated", {"status": "resolved"})]
    for i in range(tickets):
        t = start + dt.timedelta(seconds=rng.randrange(365 * 86400))
        tid = f"T-{i}"
        out.write(json.dumps({"id": tid, "at": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "event": "created",
                              "priority": rng.choice(["P1", "P2", "P3", "P3"]), "channel": "email",
                              "status": "new"}) + "\n")
        for name, attrs in steps:
            t += dt.timedelta(seconds=rng.randrange(600, 6 * 3600))
            out.write(json.dumps({"id": tid, "at": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "event": name, **attrs}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
