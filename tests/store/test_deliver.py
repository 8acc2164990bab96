"""Business-hours delivery through `duly run` (`deliver_in: CAL` on an escalation).

Run by ctest (label "store") as `python3 test_deliver.py DULY [TestCase...]`.
Standard library only; the helpers are those of test_store.py.

- a firing whose deliver_at is after the run's as_of is not printed by that run
  (`-v` counts it as held), nor by a run before its deliver_at, and is printed
  once, with the next cursor and its own fired_at, by the first run at or after
  it; `duly outbox` then has it once; `duly evaluate` shows it at once, with its
  deliver_at;
- a run killed before its commit prints it again next time; one killed after
  its commit leaves it in the outbox and the next run does not print it again;
- CSV and the table carry deliver_at.
"""
from __future__ import annotations

import calendar
import json
import signal
import sys
import time
import unittest

import test_store
from test_store import StoreCase, jsonl

# The policy and events of every deliver test (tests/data/deliver/): created
# Friday 2026-11-27 16:30, solved 20:00: `now` fires 17:30; `lead` fires
# 18:30, with the office closed until Monday 2026-11-30 09:00.
DATA = test_store.ROOT / "tests" / "data" / "deliver"
POLICY = DATA / "policy.yaml"
EVENTS = [json.loads(line) for line in (DATA / "events.jsonl").read_text().splitlines()]
LEAD = "T-1/resolution/lead/20261127T163000Z/0"


def at(text: str) -> int:
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


class Deliver(StoreCase):
    def run_at(self, when: str, events: list[dict] | None = None, *extra: str) -> list[dict]:
        return self.run_step(events or [], at(when), *extra, policy=POLICY)

    def outbox(self) -> list[dict]:
        p = self.duly("outbox", "--store", str(self.store))
        self.assertEqual(p.returncode, 0, p.stderr)
        return [json.loads(line) for line in p.stdout.splitlines()]

    def test_a_firing_delivered_after_as_of_is_held_then_printed_once(self) -> None:
        p = self.duly("run", "--policy", str(POLICY), "--store", str(self.store), "--create", "--events", "-",
                      "--events-format", "jsonl", "--as-of", "2026-11-27T21:00:00Z", "-v", stdin=jsonl(EVENTS))
        self.assertEqual(p.returncode, 0, p.stderr)
        first = [json.loads(line) for line in p.stdout.splitlines()]
        self.assertEqual([x["key"] for x in first], ["T-1/resolution/now/20261127T163000Z/0"])
        self.assertEqual((first[0]["fired_at"], first[0]["deliver_at"], first[0]["cursor"]),
                         ("2026-11-27T17:30:00Z", "2026-11-27T17:30:00Z", 1))
        self.assertIn("1 firing printed, 1 held until their deliver_at; next wake-up 2026-11-30T09:00:00Z", p.stderr)
        # evaluate shows every firing up to as_of, the held one with its deliver_at.
        lead = [x for x in self.evaluate(EVENTS, at("2026-11-27T21:00:00Z"), policy=POLICY)
                if x["kind"] == "escalation" and x["escalation"] == "lead"]
        self.assertEqual([(x["fired_at"], x["deliver_at"]) for x in lead],
                         [("2026-11-27T18:30:00Z", "2026-11-30T09:00:00Z")])
        # Saturday, and Monday a second early: not yet.
        self.assertEqual(self.run_at("2026-11-28T12:00:00Z", EVENTS), [])
        self.assertEqual(self.run_at("2026-11-30T08:59:59Z"), [])
        self.assertEqual(len(self.outbox()), 1)
        # Monday 09:00: printed once, with the next cursor.
        monday = self.run_at("2026-11-30T09:00:00Z")
        self.assertEqual(monday, [{
            "kind": "escalation", "id": "T-1", "target": "resolution", "escalation": "lead", "cycle": 1, "point": 0,
            "fired_at": "2026-11-27T18:30:00Z", "deliver_at": "2026-11-30T09:00:00Z", "key": LEAD,
            "actions": [{"notify": ["team_lead"]}], "cursor": 2}])
        self.assertEqual(self.run_at("2026-11-30T12:00:00Z", EVENTS), [])
        self.assertEqual(self.outbox(), first + monday)

    def test_kills_around_the_commit_neither_lose_nor_double_a_held_firing(self) -> None:
        self.run_at("2026-11-27T21:00:00Z", EVENTS, "--create")
        args = ["run", "--policy", str(POLICY), "--store", str(self.store), "--events", "-",
                "--events-format", "jsonl", "--as-of", "2026-11-30T09:30:00Z"]
        # Killed after printing, before committing: the next run prints it again.
        p = self.duly(*args, stdin="", env={"DULY_TEST_KILL_BEFORE_COMMIT": "1"})
        self.assertEqual(p.returncode, -signal.SIGKILL)
        self.assertEqual([json.loads(line)["key"] for line in p.stdout.splitlines()], [LEAD])
        self.assertEqual(len(self.outbox()), 1)
        # Killed after its commit: the outbox has it, the next run does not print it.
        p = self.duly(*args, stdin="", env={"DULY_TEST_KILL_AFTER_COMMIT": "1"})
        self.assertEqual(p.returncode, -signal.SIGKILL)
        box = self.outbox()
        self.assertEqual([x["key"] for x in box][1:], [LEAD])
        self.assertEqual(self.run_at("2026-11-30T10:00:00Z"), [])
        self.assertEqual(len(self.outbox()), 2)

    def test_csv_and_the_table_carry_deliver_at(self) -> None:
        self.run_at("2026-11-27T21:00:00Z", EVENTS, "--create")
        p = self.duly("run", "--policy", str(POLICY), "--store", str(self.store), "--events", "-",
                      "--events-format", "jsonl", "--as-of", "2026-11-30T09:00:00Z", "--format", "csv", stdin="")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines(), [
            "id,target,escalation,cycle,point,fired_at,deliver_at,key,actions",
            f'T-1,resolution,lead,1,0,2026-11-27T18:30:00Z,2026-11-30T09:00:00Z,{LEAD},"[{{""notify"":[""team_lead""]}}]"'])
        table = self.duly("outbox", "--store", str(self.store), "--format", "table").stdout.splitlines()
        self.assertEqual(table[0].split()[:5], ["CURSOR", "KIND", "KEY", "FIRED_AT", "DELIVER_AT"])
        self.assertEqual(table[2].split()[:5], ["2", "escalation", LEAD, "2026-11-27T18:30:00Z", "2026-11-30T09:00:00Z"])
        evaluated = self.duly("evaluate", "--policy", str(POLICY), "--events", "-", "--events-format", "jsonl",
                              "--as-of", "2026-11-28T00:00:00Z", "--format", "table", stdin=jsonl(EVENTS)).stdout
        self.assertIn("FIRED              DELIVER            ID", evaluated)
        self.assertIn("2026-11-27 18:30Z  2026-11-30 09:00Z  T-1", evaluated)


def main() -> None:
    test_store.DULY = sys.argv[1]
    unittest.main(argv=[sys.argv[0], *sys.argv[2:]], verbosity=2)


if __name__ == "__main__":
    main()
