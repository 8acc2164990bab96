"""Tests of `duly run` and `duly state` over a store (issue 6).

Run by ctest (label "store") as `python3 test_store.py DULY [TestCase...]`,
where DULY is the duly binary. Standard library only, so it runs before the
virtual environment exists.

What is checked:
- incremental runs over chunks print exactly the firings of one evaluation
  over everything, each once; `duly state` equals `duly evaluate`;
- re-delivered events change nothing and print nothing;
- a run killed at any moment (SIGKILL at random instants, and at the worst
  moment: after printing, before the commit) loses nothing: the next run
  prints what the killed one did not commit, with the same keys;
- a second run on a busy store waits (--wait) or refuses with exit 3;
- a corrupted, truncated, foreign or newer store gives exit 4 and a message,
  never a crash;
- policy changes follow --recompute none|open|all.
"""
from __future__ import annotations

import calendar
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from pathlib import Path

DULY = ""
ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "examples" / "helpdesk" / "policy.yaml"

EPOCH_2026_11_02 = 1793577600  # Mon 2026-11-02T00:00:00Z


def iso(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def random_events(rng: random.Random, records: int, span_days: int = 40) -> list[dict]:
    """Helpdesk tickets: created, replied, waiting on the customer, resolved,
    reopened, reclassified; attribute changes on the way."""
    events = []
    for n in range(records):
        rid = f"T-{n:04d}"
        t = EPOCH_2026_11_02 + rng.randrange(span_days * 86400)
        prio = rng.choice(["P1", "P2", "P3"])
        events.append({"id": rid, "at": iso(t), "event": "created", "priority": prio,
                       "channel": rng.choice(["email", "phone", "internal"]), "status": "new"})
        for _ in range(rng.randrange(6)):
            t += rng.randrange(60, 3 * 86400)
            kind = rng.choice(["replied", "waiting", "open", "resolved", "reopened", "reclassified"])
            if kind == "replied":
                events.append({"id": rid, "at": iso(t), "event": "replied", "actor": rng.choice(["agent", "customer"])})
            elif kind == "waiting":
                events.append({"id": rid, "at": iso(t), "event": "updated", "status": "waiting_on_customer"})
            elif kind == "open":
                events.append({"id": rid, "at": iso(t), "event": "updated", "status": "open"})
            elif kind == "resolved":
                events.append({"id": rid, "at": iso(t), "event": "updated", "status": "resolved"})
            elif kind == "reopened":
                events.append({"id": rid, "at": iso(t), "event": "reopened", "status": "open"})
            else:
                events.append({"id": rid, "at": iso(t), "event": "reclassified",
                               "priority": rng.choice(["P1", "P2", "P3"])})
    return events


def jsonl(events: list[dict]) -> str:
    return "".join(json.dumps(e) + "\n" for e in events)


# A test's first run makes its store, and the tests live in simulated time
# (November 2026 and later), so `duly run` gets --create and --max-ahead none;
# tests of those guards pass guards=True and give their own options.
RUN_DEFAULTS = ("--create", "--max-ahead", "none")


def run_args(args: tuple[str, ...] | list[str], guards: bool = False) -> list[str]:
    args = list(args)
    if args and args[0] == "run" and not guards:
        return ["run", *RUN_DEFAULTS, *args[1:]]
    return args


class StoreCase(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.TemporaryDirectory()
        self.tmp = Path(self.dir.name)
        self.store = self.tmp / "store.db"

    def tearDown(self) -> None:
        self.dir.cleanup()

    def duly(self, *args: str, stdin: str | None = None, env: dict | None = None,
             timeout: float = 120, guards: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run([DULY, *run_args(args, guards)], input=stdin, capture_output=True, encoding="utf-8", errors="replace", timeout=timeout,
                              env={**os.environ, **(env or {})})

    def run_step(self, events: list[dict], as_of: int, *extra: str, policy: Path = POLICY,
                 expect_rc: int = 0) -> list[dict]:
        p = self.duly("run", "--policy", str(policy), "--store", str(self.store), "--events", "-",
                      "--events-format", "jsonl", "--as-of", iso(as_of), *extra, stdin=jsonl(events))
        self.assertEqual(p.returncode, expect_rc, p.stderr)
        return [json.loads(line) for line in p.stdout.splitlines()]

    def evaluate(self, events: list[dict], as_of: int, policy: Path = POLICY) -> list[dict]:
        p = self.duly("evaluate", "--policy", str(policy), "--events", "-", "--events-format", "jsonl",
                      "--as-of", iso(as_of), stdin=jsonl(events))
        self.assertEqual(p.returncode, 0, p.stderr)
        return [json.loads(line) for line in p.stdout.splitlines()]

    def state(self, as_of: int, *extra: str, policy: Path = POLICY) -> str:
        p = self.duly("state", "--policy", str(policy), "--store", str(self.store), "--as-of", iso(as_of), *extra)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    @staticmethod
    def keys(lines: list[dict]) -> list[str]:
        return [x["key"] for x in lines if x["kind"] == "escalation"]


def chunks_by_time(events: list[dict], cuts: list[int]) -> list[list[dict]]:
    """Events split at the cut instants (each chunk holds what happened before its cut)."""
    out: list[list[dict]] = [[] for _ in cuts]
    for e in events:
        t = calendar.timegm(time.strptime(e["at"], "%Y-%m-%dT%H:%M:%SZ"))
        for i, cut in enumerate(cuts):
            if t <= cut:
                out[i].append(e)
                break
        else:
            out[-1].append(e)
    return out


class Incremental(StoreCase):
    def test_chunks_equal_one_evaluation(self) -> None:
        for seed in range(4):
            with self.subTest(seed=seed):
                self.setUp()
                rng = random.Random(seed)
                events = random_events(rng, 60)
                end = EPOCH_2026_11_02 + 60 * 86400
                cuts = sorted(rng.sample(range(EPOCH_2026_11_02, end, 3600), 7)) + [end]
                printed: list[str] = []
                for chunk, cut in zip(chunks_by_time(events, cuts), cuts):
                    rng.shuffle(chunk)  # arrival order within an export does not matter
                    printed += self.keys(self.run_step(chunk, cut))
                whole = self.evaluate(events, end)
                self.assertEqual(len(printed), len(set(printed)), "a firing printed twice")
                self.assertEqual(sorted(printed), sorted(self.keys(whole)))
                # state at the end is what one evaluation prints, line for line.
                expected = self.duly("evaluate", "--policy", str(POLICY), "--events", "-", "--events-format",
                                     "jsonl", "--as-of", iso(end), stdin=jsonl(events)).stdout
                self.assertEqual(self.state(end), expected)
                self.tearDown()

    def test_wakeups_alone_fire_escalations(self) -> None:
        # All events in the first run; later runs bring nothing new, and the
        # firings still come out, each in the run whose as_of first passes it.
        events = random_events(random.Random(7), 40)
        self.run_step(events, EPOCH_2026_11_02)  # nothing has happened yet at this as_of
        printed: list[str] = []
        for step in range(1, 30):
            as_of = EPOCH_2026_11_02 + step * 2 * 86400
            for line in self.run_step([], as_of):
                self.assertLessEqual(line["fired_at"], iso(as_of))
                self.assertGreater(line["fired_at"], iso(as_of - 2 * 86400))
                printed.append(line["key"])
        self.assertEqual(sorted(printed), sorted(self.keys(self.evaluate(events, EPOCH_2026_11_02 + 58 * 86400))))

    def test_redelivery_is_silent(self) -> None:
        events = random_events(random.Random(3), 30)
        end = EPOCH_2026_11_02 + 60 * 86400
        first = self.run_step(events, end)
        self.assertTrue(self.keys(first))
        before = sqlite3.connect(self.store).execute("SELECT count(*) FROM events").fetchone()[0]
        # The same events again, reordered and with attributes in another key order.
        again = [dict(reversed(list(e.items()))) for e in events]
        random.Random(1).shuffle(again)
        self.assertEqual(self.run_step(again, end), [])
        after = sqlite3.connect(self.store).execute("SELECT count(*) FROM events").fetchone()[0]
        self.assertEqual(before, after)
        p = self.duly("run", "--policy", str(POLICY), "--store", str(self.store), "--events", "-", "--events-format",
                      "jsonl", "--as-of", iso(end), "-v", stdin=jsonl(again))
        self.assertIn(f"0 new events, {len(events)} duplicates", p.stderr)

    def test_late_event_changes_history(self) -> None:
        # An event that arrives late (its instant before the last run's as_of)
        # is applied where it belongs; firings it newly causes are printed.
        created = {"id": "L-1", "at": "2026-11-02T14:00:00Z", "event": "created", "priority": "P1", "channel": "email"}
        self.run_step([created], EPOCH_2026_11_02 + 86400)
        # Resolved before any escalation: the late event stops the clock in the past.
        late = {"id": "L-1", "at": "2026-11-02T14:30:00Z", "event": "updated", "status": "resolved"}
        self.run_step([late], EPOCH_2026_11_02 + 2 * 86400)
        timers = [json.loads(x) for x in self.state(EPOCH_2026_11_02 + 2 * 86400).splitlines()]
        resolution = [t for t in timers if t["kind"] == "timer" and t["target"] == "resolution"]
        self.assertEqual(resolution[0]["state"], "met")

    def test_as_of_moves_forward_only(self) -> None:
        self.run_step([], EPOCH_2026_11_02 + 86400)
        p = self.duly("run", "--policy", str(POLICY), "--store", str(self.store), "--events", "-", "--events-format",
                      "jsonl", "--as-of", iso(EPOCH_2026_11_02), stdin="")
        self.assertEqual(p.returncode, 1)
        self.assertIn("is before the last run's", p.stderr)
        # state looks at any moment.
        self.state(EPOCH_2026_11_02)

    def test_quiet_before_records_history_without_printing(self) -> None:
        events = random_events(random.Random(5), 30)
        end = EPOCH_2026_11_02 + 60 * 86400
        cut = EPOCH_2026_11_02 + 20 * 86400
        quiet = self.run_step(events, end, "--quiet-before", iso(cut))
        all_keys = self.keys(self.evaluate(events, end))
        expected = [x["key"] for x in self.evaluate(events, end) if x["kind"] == "escalation" and x["fired_at"] >= iso(cut)]
        self.assertEqual(sorted(self.keys(quiet)), sorted(expected))
        self.assertLess(len(expected), len(all_keys))
        self.assertEqual(self.run_step([], end), [])

    def test_rejected_rows_are_reported_and_kept(self) -> None:
        good = {"id": "R-1", "at": "2026-11-02T14:00:00Z", "event": "created", "priority": "P1"}
        p = self.duly("run", "--policy", str(POLICY), "--store", str(self.store), "--events", "-", "--events-format",
                      "jsonl", "--as-of", "2026-11-10T00:00:00Z",
                      stdin=json.dumps(good) + "\n" + '{"id":"R-2","at":"2026-13-01T00:00:00Z","event":"x"}\n')
        self.assertEqual(p.returncode, 0, p.stderr)
        rejected = [json.loads(x) for x in p.stdout.splitlines() if '"rejected"' in x]
        self.assertEqual([r["line"] for r in rejected], [2])
        self.assertEqual(sqlite3.connect(self.store).execute("SELECT line FROM rejected").fetchall(), [(2,)])
        # --strict: the run fails and the store stays as it was.
        p = self.duly("run", "--policy", str(POLICY), "--store", str(self.store), "--events", "-", "--events-format",
                      "jsonl", "--as-of", "2026-11-11T00:00:00Z", "--strict",
                      stdin='{"id":"R-3","at":"2026-11-10T00:00:00Z","event":"created"}\nnot json\n')
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, "")
        self.assertEqual(sqlite3.connect(self.store).execute("SELECT count(*) FROM events").fetchone()[0], 1)

    def test_formats(self) -> None:
        events = random_events(random.Random(11), 20)
        end = EPOCH_2026_11_02 + 60 * 86400
        p = self.duly("run", "--policy", str(POLICY), "--store", str(self.store), "--events", "-", "--events-format",
                      "jsonl", "--as-of", iso(end), "--format", "csv", stdin=jsonl(events))
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = p.stdout.splitlines()
        self.assertEqual(rows[0], "id,target,escalation,cycle,point,fired_at,deliver_at,key,actions")
        self.assertEqual(len(rows) - 1, len(self.keys(self.evaluate(events, end))))
        table = self.state(end, "--format", "table")
        self.assertIn("TARGET", table)


class Crashes(StoreCase):
    def test_kill_before_commit_reprints_the_same_keys(self) -> None:
        events = random_events(random.Random(21), 40)
        end = EPOCH_2026_11_02 + 60 * 86400
        p = self.duly("run", "--policy", str(POLICY), "--store", str(self.store), "--events", "-", "--events-format",
                      "jsonl", "--as-of", iso(end), stdin=jsonl(events), env={"DULY_TEST_KILL_BEFORE_COMMIT": "1"})
        self.assertEqual(p.returncode, -signal.SIGKILL)
        printed_by_killed = [json.loads(x)["key"] for x in p.stdout.splitlines()]
        self.assertTrue(printed_by_killed)
        # Nothing was committed: the store holds no run, no event, no firing.
        db = sqlite3.connect(self.store)
        self.assertEqual(db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0], 0)
        db.close()
        again = self.keys(self.run_step(events, end))
        self.assertEqual(again, printed_by_killed)

    def test_random_kills_never_lose_a_firing(self) -> None:
        rng = random.Random(99)
        events = random_events(rng, 3000)
        end = EPOCH_2026_11_02 + 60 * 86400
        # How long a whole run takes here, so that kills land inside runs.
        started = time.monotonic()
        self.duly("run", "--policy", str(POLICY), "--store", str(self.tmp / "scratch.db"), "--events", "-",
                  "--events-format", "jsonl", "--as-of", iso(end), stdin=jsonl(events))
        whole_run = time.monotonic() - started
        cuts = [EPOCH_2026_11_02 + d * 86400 for d in (10, 20, 30, 45)] + [end]
        committed: list[str] = []  # printed by runs that finished
        seen: set[str] = set()     # printed by any run
        kills = 0
        committed_runs = 0
        log: list[tuple[str, bool]] = []  # (key, printed by a run that finished), in order
        for chunk, cut in zip(chunks_by_time(events, cuts), cuts):
            while True:
                proc = subprocess.Popen([DULY, "run", *RUN_DEFAULTS, "--policy", str(POLICY), "--store", str(self.store),
                                         "--events", "-", "--events-format", "jsonl", "--as-of", iso(cut)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
                killer = None
                if kills < 12 and rng.random() < 0.8:
                    share = whole_run * (0.2 + len(chunk) / len(events))
                    killer = threading.Timer(rng.uniform(0.0, share), proc.kill)
                    killer.start()
                try:
                    out, err = proc.communicate(jsonl(chunk), timeout=120)
                except BrokenPipeError:
                    out, err = proc.communicate()
                if killer is not None:
                    killer.cancel()
                keys = []
                for line in out.splitlines():
                    try:
                        keys.append(json.loads(line)["key"])
                    except (ValueError, KeyError):
                        pass  # the kill cut the line short
                seen.update(keys)
                log += [(k, proc.returncode == 0) for k in keys]
                if proc.returncode == 0:
                    committed += keys
                    committed_runs += 1
                    break
                self.assertEqual(proc.returncode, -signal.SIGKILL, err)
                kills += 1
                # The store is never left half-written: it still opens and reads
                # (once a run has committed; before that it is rightly empty).
                if committed_runs:
                    self.state(cut)
        self.assertGreaterEqual(kills, 3, "too few runs were killed for the test to mean anything")
        expected = self.keys(self.evaluate(events, end))
        # Nothing lost: every firing was printed by some run. (A run killed
        # after its commit, while closing, printed its firings for good; one
        # killed before it sees them printed again by the next run.)
        self.assertEqual(seen, set(expected))
        # Nothing repeated by runs that finished, and nothing a finished run
        # printed comes again later.
        self.assertEqual(len(committed), len(set(committed)), "a finished run repeated a firing")
        self.assertTrue(set(committed).issubset(expected))
        final: set[str] = set()
        for key, finished in log:
            self.assertNotIn(key, final, "printed again after a finished run printed it")
            if finished:
                final.add(key)


class Concurrency(StoreCase):
    def test_busy_store_refuses_then_waits(self) -> None:
        self.run_step([], EPOCH_2026_11_02)
        holder = sqlite3.connect(self.store, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        try:
            p = self.duly("run", "--policy", str(POLICY), "--store", str(self.store), "--events", "-",
                          "--events-format", "jsonl", "--as-of", iso(EPOCH_2026_11_02 + 60), stdin="")
            self.assertEqual(p.returncode, 3, p.stderr)
            self.assertIn("in use by another duly run", p.stderr)
            release = threading.Timer(0.5, lambda: holder.execute("COMMIT"))
            release.start()
            p = self.duly("run", "--policy", str(POLICY), "--store", str(self.store), "--events", "-",
                          "--events-format", "jsonl", "--as-of", iso(EPOCH_2026_11_02 + 60), "--wait", "20", stdin="")
            release.join()
            self.assertEqual(p.returncode, 0, p.stderr)
        finally:
            holder.close()

    def test_parallel_runs_are_serialised(self) -> None:
        events = random_events(random.Random(4), 60)
        end = EPOCH_2026_11_02 + 60 * 86400
        procs = [subprocess.Popen([DULY, "run", *RUN_DEFAULTS, "--policy", str(POLICY), "--store", str(self.store), "--events", "-",
                                   "--events-format", "jsonl", "--as-of", iso(end), "--wait", "60"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(4)]
        outs = [p.communicate(jsonl(events), timeout=120) for p in procs]
        self.assertEqual([p.returncode for p in procs], [0] * 4, [o[1] for o in outs])
        keys = [json.loads(line)["key"] for out, _ in outs for line in out.splitlines()]
        self.assertEqual(sorted(keys), sorted(self.keys(self.evaluate(events, end))))


class BadStores(StoreCase):
    def check_unusable(self, message: str) -> None:
        for args in (("run", "--events", "-", "--events-format", "jsonl"), ("state",)):
            p = self.duly(*args, "--policy", str(POLICY), "--store", str(self.store), "--as-of", "2026-11-10T00:00:00Z",
                          stdin="")
            self.assertEqual(p.returncode, 4, (args, p.stderr))
            self.assertIn(str(self.store), p.stderr)
            self.assertIn(message, p.stderr)
            self.assertEqual(p.stdout, "")

    def test_random_bytes(self) -> None:
        self.store.write_bytes(random.Random(0).randbytes(8192))
        self.check_unusable("not a duly store")

    def test_text_file(self) -> None:
        self.store.write_text("id,at,event\nT-1,2026-11-02T00:00:00Z,created\n" * 20)
        self.check_unusable("not a duly store")

    def test_foreign_database(self) -> None:
        db = sqlite3.connect(self.store)
        db.execute("CREATE TABLE customers(name TEXT)")
        db.commit()
        db.close()
        self.check_unusable("another program")

    def test_newer_format(self) -> None:
        self.run_step([], EPOCH_2026_11_02)
        db = sqlite3.connect(self.store)
        db.execute("PRAGMA user_version = 9")
        db.commit()
        db.close()
        self.check_unusable("newer duly")

    def test_missing_table(self) -> None:
        self.run_step([], EPOCH_2026_11_02)
        db = sqlite3.connect(self.store)
        db.execute("DROP TABLE firings")
        db.commit()
        db.close()
        self.check_unusable("damaged")

    def test_truncated_and_scribbled(self) -> None:
        events = random_events(random.Random(8), 200)
        self.run_step(events, EPOCH_2026_11_02 + 60 * 86400)
        data = bytearray(self.store.read_bytes())
        rng = random.Random(2)
        for trial in range(12):
            damaged = bytearray(data)
            if trial % 3 == 0:
                damaged = damaged[: rng.randrange(100, len(damaged))]
            else:
                for _ in range(rng.randrange(1, 200)):
                    damaged[rng.randrange(100, len(damaged))] = rng.randrange(256)
            self.store.write_bytes(bytes(damaged))
            for args in (("state",), ("run", "--events", "-", "--events-format", "jsonl")):
                p = self.duly(*args, "--policy", str(POLICY), "--store", str(self.store), "--as-of",
                              iso(EPOCH_2026_11_02 + 61 * 86400), stdin="")
                # Either the damage missed what this run reads, or a clean refusal.
                self.assertIn(p.returncode, (0, 4), p.stderr)
                self.assertGreaterEqual(p.returncode, 0, "killed by a signal")
                if p.returncode == 4:
                    self.assertTrue(p.stderr.startswith(f"duly: {self.store}: "), p.stderr)

    def test_missing_store_for_state(self) -> None:
        p = self.duly("state", "--policy", str(POLICY), "--store", str(self.tmp / "nope.db"), "--as-of",
                      "2026-11-10T00:00:00Z")
        self.assertEqual(p.returncode, 4)
        self.assertIn("no such store", p.stderr)


class PolicyChanges(StoreCase):
    def setUp(self) -> None:
        super().setUp()
        # The same helpdesk policy with P1 resolution at 2h instead of 4h.
        text = POLICY.read_text()
        self.assertIn("{when: priority == \"P1\", within: 4h}", text)
        self.stricter = self.tmp / "stricter.yaml"
        self.stricter.write_text(text.replace("{when: priority == \"P1\", within: 4h}",
                                              "{when: priority == \"P1\", within: 2h}"))

    def scenario(self, mode: str | None) -> tuple[list[dict], str]:
        # Two P1 tickets: A done before the change, B in flight across it.
        a = [{"id": "A", "at": "2026-11-02T14:00:00Z", "event": "created", "priority": "P1", "channel": "email"},
             {"id": "A", "at": "2026-11-02T14:30:00Z", "event": "replied", "actor": "agent"},
             {"id": "A", "at": "2026-11-02T15:00:00Z", "event": "updated", "status": "resolved"}]
        b = [{"id": "B", "at": "2026-11-02T16:00:00Z", "event": "created", "priority": "P1", "channel": "email"}]
        self.run_step(a + b, EPOCH_2026_11_02 + 16 * 3600 + 1800)  # 16:30
        extra = ("--recompute", mode) if mode else ()
        out = self.run_step([], EPOCH_2026_11_02 + 16 * 3600 + 2400, *extra, policy=self.stricter)  # 16:40
        goals = {t["id"] + "/" + t["target"]: t["goal_seconds"]
                 for t in (json.loads(x) for x in self.state(EPOCH_2026_11_02 + 17 * 3600, *extra,
                                                             policy=self.stricter).splitlines())
                 if t["kind"] == "timer"}
        return out, json.dumps(goals, sort_keys=True)

    def test_none_keeps_records_on_their_policy(self) -> None:
        _, goals = self.scenario(None)
        self.assertEqual(json.loads(goals)["B/resolution"], 4 * 3600)
        self.assertEqual(json.loads(goals)["A/resolution"], 4 * 3600)
        # A new record gets the new policy.
        self.run_step([{"id": "C", "at": "2026-11-02T16:50:00Z", "event": "created", "priority": "P1"}],
                      EPOCH_2026_11_02 + 17 * 3600, policy=self.stricter)
        goals2 = {t["id"]: t["goal_seconds"] for t in (json.loads(x) for x in self.state(
            EPOCH_2026_11_02 + 17 * 3600, policy=self.stricter).splitlines())
                  if t["kind"] == "timer" and t["target"] == "resolution"}
        self.assertEqual(goals2, {"A": 4 * 3600, "B": 4 * 3600, "C": 2 * 3600})

    def test_open_moves_records_in_flight(self) -> None:
        _, goals = self.scenario("open")
        self.assertEqual(json.loads(goals)["B/resolution"], 2 * 3600)
        self.assertEqual(json.loads(goals)["A/resolution"], 4 * 3600)

    def test_all_moves_every_record(self) -> None:
        _, goals = self.scenario("all")
        self.assertEqual(json.loads(goals)["B/resolution"], 2 * 3600)
        self.assertEqual(json.loads(goals)["A/resolution"], 2 * 3600)

    def test_moved_records_do_not_replay_old_news(self) -> None:
        # B's 75% point under the new policy (16:00 + 1h30m = 17:30) lies after
        # the switch: it prints. Under `all`, a firing the new policy puts
        # before the record's last evaluation is recorded, not printed.
        out, _ = self.scenario("open")
        self.assertEqual(out, [])
        later = self.run_step([], EPOCH_2026_11_02 + 18 * 3600, "--recompute", "open", policy=self.stricter)
        self.assertEqual([x["escalation"] for x in later], ["team_lead"])
        self.assertEqual(later[0]["fired_at"], "2026-11-02T17:30:00Z")


def main() -> None:
    global DULY
    DULY = sys.argv[1]
    unittest.main(argv=[sys.argv[0], *sys.argv[2:]], verbosity=2)


if __name__ == "__main__":
    main()
