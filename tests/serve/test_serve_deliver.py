"""`duly serve` and business-hours delivery (`deliver_in: CAL` on an escalation).

Run by ctest (label "serve") as `python3 test_serve_deliver.py DULY`. Standard
library only; the Service and Receiver helpers are those of test_serve.py.

Under the manual clock: a firing made while CAL is closed is neither listed in
GET /v1/firings nor POSTed to the webhook before its deliver_at, not even a
second before; when the clock reaches it, it is listed and delivered once,
with its own fired_at, its deliver_at and the next cursor; moving the clock on,
or restarting the service, makes nothing twice.
"""
from __future__ import annotations

import json
import sys
import unittest

import test_serve
from test_serve import Base, Receiver

# The policy and events of every deliver test (tests/data/deliver/): created
# Friday 2026-11-27 16:30, solved 20:00: `now` fires 17:30; `lead` fires 18:30
# with the office closed, and is handed over Monday 09:00.
DATA = test_serve.ROOT / "tests" / "data" / "deliver"
POLICY = DATA / "policy.yaml"
EVENTS = [json.loads(line) for line in (DATA / "events.jsonl").read_text().splitlines()]
LEAD = "T-1/resolution/lead/20261127T163000Z/0"


class Deliver(Base):
    def test_a_firing_is_listed_and_delivered_at_its_deliver_at(self) -> None:
        rcv = Receiver()
        s = self.serve("--webhook", f"http://127.0.0.1:{rcv.port}/hook", "--retry-min", "0.05", "--retry-max", "0.5",
                       policy=POLICY)
        s.clock("2026-11-27T16:00:00Z")
        s.post_events(EVENTS)
        self.assertEqual(s.clock("2026-11-27T21:00:00Z")["fired"], 1)
        first = s.firings()
        self.assertEqual([x["key"] for x in first], ["T-1/resolution/now/20261127T163000Z/0"])
        rcv.wait_for(1, 30)
        # The weekend, and Monday a second before nine: nothing more.
        for t in ["2026-11-28T12:00:00Z", "2026-11-30T08:59:59Z"]:
            self.assertEqual(s.clock(t)["fired"], 0)
            self.assertEqual(s.firings(), first)
        self.assertEqual(len(rcv.got), 1)
        # Nine: listed and delivered, once.
        self.assertEqual(s.clock("2026-11-30T09:00:00Z")["fired"], 1)
        lines = s.firings()
        self.assertEqual(lines[1], {
            "kind": "escalation", "id": "T-1", "target": "resolution", "escalation": "lead", "cycle": 1, "point": 0,
            "fired_at": "2026-11-27T18:30:00Z", "deliver_at": "2026-11-30T09:00:00Z", "key": LEAD,
            "actions": [{"notify": ["team_lead"]}], "cursor": first[0]["cursor"] + 1})
        rcv.wait_for(2, 30)
        self.assertEqual([g[0] for g in rcv.got], [first[0]["key"], LEAD])
        self.assertEqual(json.loads(rcv.got[1][1]), lines[1])
        self.assertEqual(s.clock("2026-12-02T00:00:00Z")["fired"], 0)
        self.assertEqual(s.firings(), lines)
        self.assertEqual(s.stop(), 0)
        # A restart lists the same and delivers nothing again.
        s2 = self.serve("--webhook", f"http://127.0.0.1:{rcv.port}/hook", policy=POLICY)
        self.assertEqual(s2.firings(), lines)
        self.assertEqual(s2.clock("2026-12-03T00:00:00Z")["fired"], 0)
        self.assertEqual(len(rcv.got), 2)
        self.assertEqual(s2.stop(), 0)
        rcv.down()


def main() -> None:
    test_serve.DULY = sys.argv[1]
    unittest.main(argv=[sys.argv[0], *sys.argv[2:]], verbosity=2)


if __name__ == "__main__":
    main()
