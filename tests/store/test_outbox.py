"""Tests of the outbox of `duly run` (issue 12): `duly outbox` and the cursors.

Run by ctest (label "store") as `python3 test_outbox.py DULY [TestCase...]`.
Standard library only; the helpers are those of test_store.py.

- every firing a run reports is in the outbox once, in cursor order, and
  `duly run` prints each with its cursor;
- a run killed after its commit (the window a test hook widens) has printed
  firings the next run will not print again: the outbox still holds them;
- runs killed at random moments: the outbox ends with every firing of one
  evaluation exactly once, cursors increasing;
- `--after` and `--limit` page through it; a store of duly 0.1 is migrated;
- a late event that undoes a printed firing makes one withdrawal line, printed
  by the run and kept in the outbox, with the keys withdrawal.schema.json lists.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import unittest

import test_store
from test_store import EPOCH_2026_11_02, POLICY, ROOT, StoreCase, chunks_by_time, iso, jsonl, random_events


class Outbox(StoreCase):
    def outbox(self, *extra: str) -> list[dict]:
        p = self.duly("outbox", "--store", str(self.store), *extra)
        self.assertEqual(p.returncode, 0, p.stderr)
        return [json.loads(line) for line in p.stdout.splitlines()]

    def test_run_prints_cursors_and_the_outbox_keeps_them(self) -> None:
        events = random_events(random.Random(5), 40)
        end = EPOCH_2026_11_02 + 60 * 86400
        printed: list[dict] = []
        for chunk, cut in zip(chunks_by_time(events, [end - 30 * 86400, end]), [end - 30 * 86400, end]):
            printed += [x for x in self.run_step(chunk, cut) if x["kind"] == "escalation"]
        self.assertEqual([x["cursor"] for x in printed], list(range(1, len(printed) + 1)))
        box = self.outbox()
        self.assertEqual(box, printed)
        self.assertEqual(sorted(x["key"] for x in box), sorted(self.keys(self.evaluate(events, end))))
        self.assertEqual(self.outbox("--after", "3", "--limit", "2"), printed[3:5])
        self.assertEqual(self.outbox("--after", str(len(printed))), [])
        csv = self.duly("outbox", "--store", str(self.store), "--format", "csv", "--limit", "1").stdout.splitlines()
        self.assertEqual(csv[0], "cursor,kind,key,id,target,escalation,cycle,point,fired_at,deliver_at,actions,reason")
        self.assertTrue(csv[1].startswith("1,escalation," + printed[0]["key"] + ","))

    def test_kill_after_commit_loses_nothing_from_the_outbox(self) -> None:
        events = random_events(random.Random(21), 40)
        end = EPOCH_2026_11_02 + 60 * 86400
        p = self.duly("run", "--policy", str(POLICY), "--store", str(self.store), "--events", "-", "--events-format",
                      "jsonl", "--as-of", iso(end), stdin=jsonl(events), env={"DULY_TEST_KILL_AFTER_COMMIT": "1"})
        self.assertEqual(p.returncode, -signal.SIGKILL)
        printed = [json.loads(x) for x in p.stdout.splitlines()]
        self.assertTrue(printed)
        self.assertEqual(self.run_step(events, end), [])  # committed: the next run prints nothing
        self.assertEqual(self.outbox(), printed)           # but the outbox has every one

    def test_random_kills_leave_each_firing_once_in_cursor_order(self) -> None:
        rng = random.Random(7)
        events = random_events(rng, 3000)
        end = EPOCH_2026_11_02 + 60 * 86400
        started = time.monotonic()
        self.duly("run", "--policy", str(POLICY), "--store", str(self.tmp / "scratch.db"), "--events", "-",
                  "--events-format", "jsonl", "--as-of", iso(end), stdin=jsonl(events))
        whole_run = time.monotonic() - started
        cuts = [EPOCH_2026_11_02 + d * 86400 for d in (8, 15, 22, 30, 38, 45, 52)] + [end]
        kills = 0
        for n, (chunk, cut) in enumerate(zip(chunks_by_time(events, cuts), cuts)):
            first_try = True
            while True:
                # Some runs die right after their commit (the hook widens that
                # window: the first try of every other chunk, and at random),
                # others at a random moment, before or after it.
                after_commit = kills < 12 and ((first_try and n % 2 == 1) or rng.random() < 0.2)
                first_try = False
                proc = subprocess.Popen([test_store.DULY, "run", *test_store.RUN_DEFAULTS, "--policy", str(POLICY), "--store", str(self.store),
                                         "--events", "-", "--events-format", "jsonl", "--as-of", iso(cut)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, env={**os.environ,
                                                        "DULY_TEST_KILL_AFTER_COMMIT": "1" if after_commit else "0"})
                killer = None
                if not after_commit and kills < 12 and rng.random() < 0.8:
                    killer = threading.Timer(rng.uniform(0.0, whole_run * (0.2 + len(chunk) / len(events))), proc.kill)
                    killer.start()
                try:
                    proc.communicate(jsonl(chunk), timeout=120)
                except BrokenPipeError:
                    proc.communicate()
                if killer is not None:
                    killer.cancel()
                if proc.returncode == 0:
                    break
                self.assertEqual(proc.returncode, -signal.SIGKILL)
                kills += 1
        self.assertGreaterEqual(kills, 3, "too few runs were killed for the test to mean anything")
        box = self.outbox()
        cursors = [x["cursor"] for x in box]
        self.assertEqual(cursors, sorted(cursors))
        self.assertEqual(len(set(cursors)), len(cursors))
        keys = [x["key"] for x in box]
        self.assertEqual(len(keys), len(set(keys)), "a firing twice in the outbox")
        self.assertEqual(sorted(keys), sorted(self.keys(self.evaluate(events, end))))

    def test_a_late_event_that_undoes_a_firing_is_withdrawn_once(self) -> None:
        t0 = EPOCH_2026_11_02 + 7 * 86400 + 9 * 3600  # Mon 2026-11-09 09:00Z
        created = {"id": "W-1", "at": iso(t0), "event": "created", "priority": "P1", "channel": "phone"}
        resolved = {"id": "W-1", "at": iso(t0 + 3600), "event": "updated", "status": "resolved"}
        fired = self.run_step([created], t0 + 4 * 3600)
        self.assertEqual([x["kind"] for x in fired], ["escalation"])
        late = self.run_step([resolved], t0 + 5 * 3600)
        self.assertEqual([x["kind"] for x in late], ["withdrawal"])
        w = late[0]
        schema = json.loads((ROOT / "schemas" / "withdrawal.schema.json").read_text())
        self.assertEqual(list(w), schema["required"])
        self.assertEqual((w["key"], w["fired_at"], w["actions"]), (fired[0]["key"], fired[0]["fired_at"], fired[0]["actions"]))
        self.assertEqual(w["cursor"], fired[0]["cursor"] + 1)
        self.assertIn("now ends met", w["reason"])
        self.assertEqual(self.run_step([created, resolved], t0 + 6 * 3600), [])  # once
        self.assertEqual(self.outbox(), fired + late)
        table = self.duly("outbox", "--store", str(self.store), "--format", "table").stdout
        self.assertIn("withdrawal", table)

    def test_a_store_of_duly_0_1_is_migrated_by_its_next_run(self) -> None:
        shutil.copy(ROOT / "tests" / "store" / "data" / "v1_helpdesk.db", self.store)
        policy = ROOT / "tests" / "store" / "data" / "v1_helpdesk.policy.yaml"
        self.assertEqual(self.outbox(), [])
        printed = self.run_step([], EPOCH_2026_11_02 + 31 * 86400, policy=policy)  # 2026-12-03
        self.assertEqual(len(printed), 7)
        self.assertEqual(self.outbox(), printed)


def main() -> None:
    test_store.DULY = sys.argv[1]
    unittest.main(argv=[sys.argv[0], *sys.argv[2:]], verbosity=2)


if __name__ == "__main__":
    main()
