"""A small history whose report was worked out by hand (tests/python/test_report.py).

Three targets on a 24x7 clock, four tickets, as of 2026-01-05T20:00:00Z:

- ``resolution`` (SLA, 8 h, paused while waiting on the customer or a vendor);
- ``response`` (SLA, 1 h to the first reply);
- ``team_fix`` (OLA supporting ``resolution``: 4 h from the moment group B holds
  the ticket to its resolution, paused as ``resolution``). It is first in the
  document, yet reports right after ``resolution``.
"""

from __future__ import annotations

POLICY = """\
duly: 1
targets:
  - name: team_fix
    labels: {kind: ola, supports: resolution}
    start_when: group == "B"
    stop_when: state == "resolved"
    pause_when: state in ["waiting_customer", "waiting_vendor"]
    goals: [{within: 4h}]
  - name: response
    labels: {kind: sla}
    start_when: event == "opened"
    stop_when: event == "replied"
    goals: [{within: 1h}]
  - name: resolution
    labels: {kind: sla}
    start_when: event == "opened"
    stop_when: state == "resolved"
    pause_when: state in ["waiting_customer", "waiting_vendor"]
    goals: [{within: 8h}]
"""

AS_OF = "2026-01-05T20:00:00Z"


def ev(id: str, hhmm: str, event: str, **attributes: object) -> dict[str, object]:
    return {"id": id, "at": f"2026-01-05T{hhmm}:00Z", "event": event, **attributes}


EVENTS = [
    # T1: A opens it, B takes it at 10:00, waits on the customer 11:00-13:00,
    # resolves at 19:00: resolution met exactly at due (8 h running), team_fix
    # (from 10:00) breached at 16:00 with B holding it.
    ev("T1", "09:00", "opened", group="A", state="new"),
    ev("T1", "09:30", "replied"),
    ev("T1", "10:00", "assigned", group="B"),
    ev("T1", "11:00", "updated", state="waiting_customer"),
    ev("T1", "13:00", "updated", state="in_progress"),
    ev("T1", "19:00", "updated", state="resolved"),
    # T2: A opens it, no reply (response breached at 09:00 under A), waits on a
    # vendor 09:00-12:00 under A, B takes it at 12:00: resolution due 19:00,
    # breached under B; team_fix from 12:00, breached at 16:00.
    ev("T2", "08:00", "opened", group="A", state="new"),
    ev("T2", "09:00", "updated", state="waiting_vendor"),
    ev("T2", "12:00", "assigned", group="B", state="in_progress"),
    # T3: all within B, all met.
    ev("T3", "10:00", "opened", group="B", state="new"),
    ev("T3", "10:20", "replied"),
    ev("T3", "12:00", "updated", state="resolved"),
    # T4: C opened it at 19:30, still open; team_fix never started (pending).
    ev("T4", "19:30", "opened", group="C", state="new"),
]
