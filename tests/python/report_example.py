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


# --- business time -------------------------------------------------------------------------
#
# One target on an office calendar, Monday to Friday 09:00-17:00, read in the
# customer's zone when the ticket says it (timezone_from: customer_tz), as of
# Tuesday 2026-01-06T00:00:00Z. In January New York is UTC-5: its office hours
# are 14:00-22:00Z. Monday 2026-01-05 is a working day.

BUSINESS_POLICY = """\
duly: 1
calendars:
  office:
    timezone: UTC
    hours: {mon-fri: "09:00-17:00"}
targets:
  - name: fix
    labels: {kind: sla}
    start_when: event == "opened"
    stop_when: state == "resolved"
    pause_when: state == "waiting"
    goals: [{within: 4h, calendar: office, timezone_from: customer_tz}]
"""

BUSINESS_AS_OF = "2026-01-06T00:00:00Z"

BUSINESS_EVENTS = [
    # B1, no zone (the calendar's own, UTC 09:00-17:00). Runs 08:00-12:00 and
    # 13:00-18:00 (waiting 12:00-13:00 under B): wall 4 h + 5 h = 32400, business
    # 09-12 + 13-17 = 7 h = 25200. Due 14:00 (09-12 3 h, 13-14 1 h): stopped at 18:00,
    # breached, under B. A held it 08:00-10:00: wall 7200, business 09-10 3600; B
    # 10:00-12:00 and 13:00-18:00: wall 7200 + 18000 = 25200, business 7200 + 14400 = 21600.
    ev("B1", "08:00", "opened", group="A", state="new"),
    ev("B1", "10:00", "assigned", group="B"),
    ev("B1", "12:00", "updated", state="waiting"),
    ev("B1", "13:00", "updated", state="in_progress"),
    ev("B1", "18:00", "updated", state="resolved"),
    # B2, New York (14:00-22:00Z), still open: runs 12:00-24:00Z, wall 43200,
    # business 14-22 = 28800; due 18:00Z, breached under B. A 12:00-15:00: wall
    # 10800, business 14-15 3600; B 15:00-24:00: wall 32400, business 15-22 25200.
    ev("B2", "12:00", "opened", group="A", state="new", customer_tz="America/New_York"),
    ev("B2", "15:00", "assigned", group="B"),
    # B3, opened without a zone, New York from 15:00 on: the whole cycle is
    # measured on New York's hours (a change of zone measures the whole cycle
    # again), the hours A held it too.
    # Runs 12:00-21:00Z: wall 32400, business 14-21 = 25200; due 18:00Z, stopped
    # 21:00: breached under B. A 12-15: wall 10800, business 14-15 3600 (not the 3 h
    # of UTC's 09-17); B 15-21: wall 21600, business 21600.
    ev("B3", "12:00", "opened", group="A", state="new"),
    ev("B3", "15:00", "assigned", group="B", customer_tz="America/New_York"),
    ev("B3", "21:00", "updated", state="resolved"),
    # B4, New York, resolved at 16:00Z by A; the zone changes to Tokyo at that
    # instant, after the stop: the engine measured it on New York's hours (as the
    # stop left them), 14-16 = 7200 of a wall 14400; due 18:00Z, so met, under A.
    ev("B4", "12:00", "opened", group="A", state="new", customer_tz="America/New_York"),
    ev("B4", "16:00", "updated", state="resolved"),
    ev("B4", "16:00", "updated", customer_tz="Asia/Tokyo"),
]
