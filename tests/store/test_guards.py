"""Guards of `duly run`, `duly state`, `duly explain` and `duly evaluate` (issue 12).

Run by ctest as `python3 test_guards.py DULY [TestCase...]`; standard library
only, the helpers of test_store.py. Each guard with its whole message:
--max-rejected, --max-ahead, --create, empty exports, `explain --store` and
`state --id`, the warning when `state --policy` is not the store's policy,
exact 64-bit integers, --zone, size limits and binary input, --wait, blank ids,
`localtime` refused as a zone, and no wake-up past 2199. A refused run stores
nothing. Guards (label "store") needs a store; Inputs (label "cli") does not.
"""
from __future__ import annotations

import json
import os
import sys
import time
import unittest
from pathlib import Path

import test_store
from test_store import POLICY, StoreCase

# Four rows, two of them rejected (lines 2 and 3).
ROWS = ('{"id":"A","at":"2026-11-02T10:00:00Z","event":"created"}\n'
        "not json\n"
        '{"id":"B","at":"2026-13-02T10:00:00Z","event":"created"}\n'
        '{"id":"C","at":"2026-11-02T10:00:00Z","event":"created"}\n')

# One target, due one hour after `created`, and an escalation at the due.
TINY = """duly: 1
targets:
  - name: a
    start_when: event == "created"
    stop_when: event == "done"
    goals: [{within: 1h}]
escalations:
  - name: late
    target: a
    at: due
    do: [{notify: [lead]}]
"""
CLOCK = "2026-11-02T12:00:00Z"  # the system clock the tests pretend (DULY_TEST_CLOCK)


class GuardCase(StoreCase):
    def setUp(self) -> None:
        super().setUp()
        self.policy = self.tmp / "tiny.yaml"
        self.policy.write_text(TINY)

    def write(self, name: str, text: str | bytes) -> Path:
        p = self.tmp / name
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")
        return p

    def run_guarded(self, *args: str, stdin: str | None = None, clock: str = CLOCK):
        """`duly run` as a host runs it: no test defaults, the system clock at `clock`."""
        return self.duly("run", *args, stdin=stdin, env={"DULY_TEST_CLOCK": clock}, guards=True)

    def lines(self, text: str) -> list[dict]:
        return [json.loads(line) for line in text.splitlines()]


class Guards(GuardCase):
    # ---- --max-rejected ------------------------------------------------------------
    def run_with(self, limit: str):
        return self.duly("run", "--policy", str(POLICY), "--store", str(self.store), "--events", "-",
                         "--events-format", "jsonl", "--as-of", "2026-11-03T00:00:00Z", "--max-rejected", limit,
                         stdin=ROWS)

    def test_too_many_rejected_rows_store_nothing(self) -> None:
        for limit in ("1", "49%", "0"):
            with self.subTest(limit=limit):
                p = self.run_with(limit)
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertEqual(p.stdout, "")
                self.assertEqual(p.stderr.splitlines()[-1],
                                 f"duly: run: 2 of 4 rows rejected, more than --max-rejected {limit}: "
                                 "nothing stored, nothing evaluated")
                self.assertIn("duly: <stdin>:3: at: not an ISO-8601 instant", p.stderr)
                self.assertFalse(self.store.exists() and self.store.stat().st_size > 0)

    def test_within_the_limit_the_run_goes_on(self) -> None:
        for limit in ("2", "50%", "100%"):
            with self.subTest(limit=limit):
                self.setUp()
                p = self.run_with(limit)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(p.stdout.count('"kind":"rejected"'), 2)
                self.tearDown()

    def test_a_malformed_limit_is_a_usage_error(self) -> None:
        for limit in ("x", "5.5", "101%", "-1", "%"):
            with self.subTest(limit=limit):
                p = self.run_with(limit)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn("--max-rejected: expected a count such as 10 or a share such as 5%", p.stderr)

    # ---- --max-ahead -----------------------------------------------------------------
    def test_an_as_of_far_past_the_clock_is_refused(self) -> None:
        p = self.run_guarded("--create", "--policy", str(self.policy), "--store", str(self.store),
                             "--events", "/dev/null", "--events-format", "jsonl", "--as-of", "2072-11-02T12:00:00Z")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(p.stderr,
                         "duly: --as-of: 2072-11-02T12:00:00Z is more than 1d after the system clock "
                         "(2026-11-02T12:00:00Z): refused, since the run would fire everything due until then at "
                         "once and no later run could go back; check the clock and --as-of, or give --max-ahead D "
                         "(or none) if it is meant\n")
        self.assertFalse(self.store.exists())
        # A day ahead is allowed; more with --max-ahead, or none.
        for extra, as_of in (((), "2026-11-03T12:00:00Z"), (("--max-ahead", "3d"), "2026-11-05T12:00:00Z"),
                             (("--max-ahead", "none"), "2072-11-02T12:00:00Z")):
            with self.subTest(extra=extra):
                p = self.run_guarded("--create", *extra, "--policy", str(self.policy), "--store", str(self.store),
                                     "--events", "/dev/null", "--events-format", "jsonl", "--as-of", as_of)
                self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_guarded("--max-ahead", "3bd", "--policy", str(self.policy), "--store", str(self.store),
                             "--events", "/dev/null", "--as-of", CLOCK)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--max-ahead: expected a duration such as 1d or 6h, or none, got '3bd'", p.stderr)

    def test_the_real_clock_is_the_default(self) -> None:
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3 * 86400))
        p = self.duly("run", "--create", "--policy", str(self.policy), "--store", str(self.store), "--events",
                      "/dev/null", "--events-format", "jsonl", "--as-of", now,
                      env={"DULY_TEST_CLOCK": ""}, guards=True)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn(f"duly: --as-of: {now} is more than 1d after the system clock (", p.stderr)

    # ---- --create ----------------------------------------------------------------------
    def test_a_missing_store_is_made_only_with_create(self) -> None:
        args = ("--policy", str(self.policy), "--store", str(self.store), "--events", "/dev/null",
                "--events-format", "jsonl", "--as-of", CLOCK)
        p = self.run_guarded(*args)
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertEqual(p.stderr, f"duly: {self.store}: no such store (`duly run --create` makes a new one)\n")
        self.assertFalse(self.store.exists())
        self.assertEqual(self.run_guarded("--create", *args).returncode, 0)
        self.assertTrue(self.store.exists())
        # Once made, runs need no --create; --create on an existing store changes nothing.
        self.assertEqual(self.run_guarded(*args).returncode, 0)
        p = self.run_guarded("--create", *args)
        self.assertEqual(p.returncode, 0, p.stderr)

    # ---- empty exports ---------------------------------------------------------------
    def test_an_empty_export_is_zero_events_and_the_run_still_fires(self) -> None:
        first = self.write("first.csv", "id,at,event\nT-1,2026-11-02T09:00:00Z,created\n")
        p = self.run_guarded("--create", "--policy", str(self.policy), "--store", str(self.store),
                             "--events", str(first), "--as-of", "2026-11-02T09:30:00Z")
        self.assertEqual((p.returncode, p.stdout), (0, ""), p.stderr)
        for n, (name, text) in enumerate((("empty.csv", ""), ("header.csv", "id,at,event\n"),
                                          ("blank.csv", "\n\n"), ("empty.jsonl", ""))):
            with self.subTest(export=name):
                export = self.write(name, text)
                as_of = f"2026-11-02T10:0{n}:00Z"
                p = self.run_guarded("--policy", str(self.policy), "--store", str(self.store), "--events",
                                     str(export), "--as-of", as_of, "-v")
                self.assertEqual(p.returncode, 0, p.stderr)
                fired = [(x["id"], x["escalation"], x["fired_at"]) for x in self.lines(p.stdout)]
                # The wake-up (the due at 10:00) fires on the first empty run.
                self.assertEqual(fired, [("T-1", "late", "2026-11-02T10:00:00Z")] if n == 0 else [])
                self.assertIn(f"duly: run {n + 2} at {as_of}: 0 new events, 0 duplicates, 0 rejected rows", p.stderr)

    # ---- explain --store, state --id ---------------------------------------------------
    def test_explain_and_state_of_one_record_from_the_store(self) -> None:
        events = self.write("e.jsonl", '{"id":"T-1","at":"2026-11-02T09:00:00Z","event":"created"}\n'
                                       '{"id":"T-2","at":"2026-11-02T09:10:00Z","event":"created"}\n'
                                       '{"id":"T-1","at":"2026-11-02T09:20:00Z","event":"done"}\n')
        p = self.run_guarded("--create", "--policy", str(self.policy), "--store", str(self.store),
                             "--events", str(events), "--as-of", "2026-11-02T11:00:00Z")
        self.assertEqual(p.returncode, 0, p.stderr)
        os.chmod(self.store, 0o444)  # read-only: neither command writes
        try:
            for fmt in ("table", "json"):
                with self.subTest(format=fmt):
                    mine = self.duly("explain", "--store", str(self.store), "--id", "T-2", "--format", fmt,
                                     "--as-of", "2026-11-02T11:00:00Z")
                    self.assertEqual(mine.returncode, 0, mine.stderr)
                    theirs = self.duly("explain", "--policy", str(self.policy), "--events", str(events), "--id", "T-2",
                                       "--format", fmt, "--as-of", "2026-11-02T11:00:00Z")
                    # The same story; the store does not keep the export's line numbers.
                    want = theirs.stdout.replace(" (line 2)", "").replace('"line":2', '"line":null')
                    self.assertEqual(mine.stdout, want)
            p = self.duly("explain", "--store", str(self.store), "--id", "T-9")
            self.assertEqual(p.returncode, 1)
            self.assertEqual(p.stderr, f"duly: {self.store}: no events for record 'T-9' in the store\n")
            p = self.duly("explain", "--store", str(self.store), "--events", str(events), "--id", "T-1",
                          "--policy", str(self.policy))
            self.assertEqual(p.returncode, 2)
            self.assertIn("duly explain: give --events FILE or --store FILE (one of them)", p.stderr)

            full = self.state(test_store.calendar.timegm((2026, 11, 2, 11, 0, 0)), policy=self.policy)
            one = self.duly("state", "--policy", str(self.policy), "--store", str(self.store), "--as-of",
                            "2026-11-02T11:00:00Z", "--id", "T-2")
            self.assertEqual(one.returncode, 0, one.stderr)
            self.assertEqual(one.stdout, "".join(line + "\n" for line in full.splitlines() if '"id":"T-2"' in line))
            self.assertTrue(one.stdout)
            p = self.duly("state", "--policy", str(self.policy), "--store", str(self.store), "--as-of",
                          "2026-11-02T11:00:00Z", "--id", "T-9")
            self.assertEqual((p.returncode, p.stdout), (1, ""))
            self.assertEqual(p.stderr, f"duly: {self.store}: no record 'T-9' in the store\n")
        finally:
            os.chmod(self.store, 0o644)

    def test_explain_from_the_store_shows_its_withdrawals(self) -> None:
        helpdesk = Path(__file__).resolve().parents[2] / "examples" / "helpdesk" / "policy.yaml"
        rows = ['{"id":"W","at":"2026-11-23T09:00:00Z","event":"created","priority":"P1","channel":"phone"}',
                '{"id":"W","at":"2026-11-23T10:00:00Z","event":"updated","status":"resolved"}']
        printed = []
        for row, as_of in zip(rows, ["2026-11-23T13:00:00Z", "2026-11-23T14:00:00Z"]):
            p = self.duly("run", "--policy", str(helpdesk), "--store", str(self.store), "--events", "-",
                          "--events-format", "jsonl", "--as-of", as_of, stdin=row + "\n")
            self.assertEqual(p.returncode, 0, p.stderr)
            printed += self.lines(p.stdout)
        withdrawn = [x for x in printed if x["kind"] == "withdrawal"]
        self.assertTrue(withdrawn)  # the late resolve undid firings the first run printed
        p = self.duly("explain", "--store", str(self.store), "--id", "W", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        shown = [x for x in self.lines(p.stdout) if x["kind"] == "withdrawal"]
        self.assertEqual(shown, withdrawn)
        p = self.duly("explain", "--store", str(self.store), "--id", "W")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Withdrawn by the store's runs (a late event undid them):", p.stdout)
        for x in withdrawn:
            self.assertIn(x["key"], p.stdout)

    def test_state_warns_when_its_policy_is_not_the_stores(self) -> None:
        p = self.run_guarded("--create", "--policy", str(self.policy), "--store", str(self.store),
                             "--events", "-", "--events-format", "jsonl", "--as-of", CLOCK,
                             stdin='{"id":"T-1","at":"2026-11-02T09:00:00Z","event":"created"}\n'
                                   '{"id":"T-2","at":"2026-11-02T09:00:00Z","event":"created"}\n')
        self.assertEqual(p.returncode, 0, p.stderr)
        same = self.duly("state", "--policy", str(self.policy), "--store", str(self.store), "--as-of", CLOCK)
        self.assertEqual((same.returncode, same.stderr), (0, ""))
        other = self.write("other.yaml", TINY.replace("1h", "2h"))
        theirs = self.duly("check", str(other))
        self.assertEqual(theirs.returncode, 0)
        p = self.duly("state", "--policy", str(other), "--store", str(self.store), "--as-of", CLOCK)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stderr,
                         rf"^duly: state: warning: --policy {other} \([0-9a-f]+\) is not the policy 2 records of "
                         r"the store were evaluated with \([0-9a-f]+\); they keep theirs \(--recompute none\); "
                         rf"pass --recompute all to judge every record by {other}\n$")
        p = self.duly("state", "--policy", str(other), "--store", str(self.store), "--as-of", CLOCK,
                      "--recompute", "all")
        self.assertRegex(p.stderr, rf"; --recompute all judges every record by {other}\n$")

    # ---- wake-ups past 2199 ----------------------------------------------------------------
    def test_no_wakeup_past_2199(self) -> None:
        far = self.write("far.yaml", TINY.replace("1h", "70000d"))
        events = '{"id":"T-1","at":"2026-11-02T09:00:00Z","event":"created"}\n'
        p = self.duly("evaluate", "--policy", str(far), "--events", "-", "--events-format", "jsonl",
                      "--as-of", CLOCK, stdin=events)
        self.assertEqual(p.returncode, 0, p.stderr)
        timer = self.lines(p.stdout)[0]
        self.assertEqual((timer["state"], timer["next_wakeup"]), ("running", None))
        p = self.run_guarded("--create", "--policy", str(far), "--store", str(self.store), "--events", "-",
                             "--events-format", "jsonl", "--as-of", CLOCK, "-v", stdin=events)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stderr.endswith("; next wake-up none\n"), p.stderr)


class Inputs(GuardCase):
    """Guards of every command that reads events, a policy or an option."""

    def evaluate(self, events: str | Path, *extra: str, policy: Path | None = None):
        args = ["evaluate", "--policy", str(policy or self.policy), "--as-of", CLOCK, *extra]
        if isinstance(events, Path):
            return self.duly(*args, "--events", str(events))
        return self.duly(*args, "--events", "-", "--events-format", "jsonl", stdin=events)

    def test_empty_exports_are_zero_events(self) -> None:
        for name, text in (("e.csv", ""), ("h.csv", "id,at,event\n"), ("e.jsonl", ""), ("noext", "")):
            with self.subTest(name=name):
                p = self.evaluate(self.write(name, text))
                self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "", ""))

    # ---- exact integers -------------------------------------------------------------
    def test_integers_beyond_2_to_the_53_are_rejected_never_rounded(self) -> None:
        p = self.evaluate('{"id":"T-1","at":"2026-11-02T09:00:00Z","event":"created","n":9007199254740993}\n'
                          '{"id":"T-2","at":"2026-11-02T09:00:00Z","event":"created","n":9007199254740992}\n'
                          '{"id":"T-3","at":"2026-11-02T09:00:00Z","event":"created","n":-99999999999999999999}\n'
                          '{"id":9007199254740993,"at":"2026-11-02T09:00:00Z","event":"created"}\n'
                          '{"id":9007199254740992,"at":"2026-11-02T09:00:00Z","event":"created"}\n')
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = self.lines(p.stdout)
        self.assertEqual([x["reason"] for x in lines if x["kind"] == "rejected"], [
            "attribute 'n': 9007199254740993 is an integer beyond 2^53, which a number cannot hold exactly; "
            'write it as a string ("9007199254740993")',
            "attribute 'n': -99999999999999999999 is an integer beyond 2^53, which a number cannot hold exactly; "
            'write it as a string ("-99999999999999999999")'])
        # Integer ids are kept as their exact decimal text: two records, not one.
        self.assertEqual(sorted(x["id"] for x in lines if x["kind"] == "timer"),
                         ["9007199254740992", "9007199254740993", "T-2"])
        csv = self.write("n.csv", "id,at,event,n:number\nT-1,2026-11-02T09:00:00Z,created,9007199254740993\n"
                                  "T-2,2026-11-02T09:00:00Z,created,-9007199254740992\n")
        p = self.evaluate(csv)
        self.assertEqual([x["reason"] for x in self.lines(p.stdout) if x["kind"] == "rejected"], [
            "attribute 'n': 9007199254740993 is an integer beyond 2^53, which a number cannot hold exactly; "
            'write it as a string ("9007199254740993")'])

    def test_redelivery_does_not_confuse_integers_above_2_to_the_53(self) -> None:
        # As strings, two values differing only above 2^53 are two events, not a re-delivery.
        rows = ('{"id":"T-1","at":"2026-11-02T09:00:00Z","event":"created","n":"9007199254740993"}\n'
                '{"id":"T-1","at":"2026-11-02T09:00:00Z","event":"created","n":"9007199254740992"}\n')
        p = self.duly("run", "--policy", str(self.policy), "--store", str(self.store), "--events", "-",
                      "--events-format", "jsonl", "--as-of", CLOCK, "-v", stdin=rows)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("2 new events, 0 duplicates", p.stderr)
        # As numbers they are refused, so none is taken for the other.
        rows = rows.replace('"9007199254740993"', "9007199254740993").replace('"9007199254740992"', "9007199254740994")
        p = self.duly("run", "--policy", str(self.policy), "--store", str(self.store), "--events", "-",
                      "--events-format", "jsonl", "--as-of", CLOCK, "-v", stdin=rows)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("0 new events, 0 duplicates, 2 rejected rows", p.stderr)

    # ---- --zone ------------------------------------------------------------------------
    def test_zone_reads_instants_without_an_offset(self) -> None:
        rows = ('{"id":"T-1","at":"2026-11-02T10:00:00","event":"created"}\n'
                '{"id":"T-2","at":"2027-03-28T02:30:00","event":"created"}\n'    # skipped by the DST change
                '{"id":"T-3","at":"2026-10-25T02:30:00","event":"created"}\n'    # repeated by the DST change
                '{"id":"T-4","at":"2026-11-02T10:00:00+05:00","event":"created"}\n')
        p = self.evaluate(rows)
        self.assertEqual([x["reason"] for x in self.lines(p.stdout) if x["kind"] == "rejected"][0],
                         "at: instant '2026-11-02T10:00:00' has no UTC offset: add Z or an offset such as +01:00, "
                         "or name a time zone for it")
        p = self.duly("evaluate", "--policy", str(self.policy), "--as-of", "2027-04-01T00:00:00Z", "--events", "-",
                      "--events-format", "jsonl", "--zone", "Europe/Amsterdam", stdin=rows)
        self.assertEqual(p.returncode, 0, p.stderr)
        started = {x["id"]: x["started"] for x in self.lines(p.stdout) if x["kind"] == "timer"}
        self.assertEqual(started, {"T-1": "2026-11-02T09:00:00Z",   # CET, +01:00
                                   "T-2": "2027-03-28T01:00:00Z",   # the gap: the instant of the change
                                   "T-3": "2026-10-25T00:30:00Z",   # the overlap: the first (CEST, +02:00)
                                   "T-4": "2026-11-02T05:00:00Z"})  # an offset wins over --zone
        csv = self.write("z.csv", "id,at,event\nT-1,2026-11-02 06:00,created\n")
        p = self.evaluate(csv, "--zone", "America/New_York")
        self.assertEqual(self.lines(p.stdout)[0]["started"], "2026-11-02T11:00:00Z")
        p = self.duly("explain", "--policy", str(self.policy), "--events", str(csv), "--id", "T-1", "--zone",
                      "America/New_York", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('"at":"2026-11-02T11:00:00Z"', p.stdout)
        p = self.duly("run", "--policy", str(self.policy), "--store", str(self.store), "--events", str(csv),
                      "--as-of", "2026-11-02T15:30:00Z", "--zone", "America/New_York", "-v")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("1 new event, 0 duplicates, 0 rejected rows", p.stderr)

    def test_localtime_and_other_non_iana_names_are_refused_as_zones(self) -> None:
        for name, why in (("localtime", " (it is this machine's local setting, which differs between machines)"),
                          ("posixrules", " (it is this machine's local setting, which differs between machines)"),
                          ("posix/Europe/Paris", ""), ("right/UTC", ""), ("zone.tab", ""), ("Factory", "")):
            with self.subTest(zone=name):
                p = self.evaluate("", "--zone", name)
                self.assertEqual((p.returncode, p.stdout), (1, ""))
                self.assertEqual(p.stderr, f"duly: --zone: unknown time zone '{name}': not an IANA zone name{why}; "
                                           "give a name such as Europe/Amsterdam\n")
        policy = self.write("local.yaml", "duly: 1\ncalendars:\n  c: {timezone: localtime, hours: {daily: "
                                          "[\"09:00-17:00\"]}}\ntargets:\n  - name: a\n    start_when: event == "
                                          "\"created\"\n    goals: [{within: 1h, calendar: c}]\n")
        p = self.duly("check", str(policy))
        self.assertEqual(p.returncode, 1)
        self.assertIn("unknown time zone 'localtime': not an IANA zone name", p.stderr)

    # ---- blank ids ---------------------------------------------------------------------
    def test_blank_ids_are_rejected_rows(self) -> None:
        p = self.evaluate('{"id":"  ","at":"2026-11-02T09:00:00Z","event":"created"}\n'
                          '{"id":"\\t","at":"2026-11-02T09:00:00Z","event":" "}\n'
                          '{"id":"T-1","at":"2026-11-02T09:00:00Z","event":"created"}\n')
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([(x["line"], x["reason"]) for x in self.lines(p.stdout) if x["kind"] == "rejected"],
                         [(1, "id: blank (only whitespace)"),
                          (2, "id: blank (only whitespace); event: blank (only whitespace)")])
        csv = self.write("b.csv", 'id,at,event\n" ",2026-11-02T09:00:00Z,created\n')
        p = self.evaluate(csv, "--strict")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr, f"duly: {csv}:2: id: blank (only whitespace)\n"
                                   "duly: evaluate: 1 row rejected (--strict): nothing evaluated\n")

    # ---- --wait --------------------------------------------------------------------------
    def test_wait_must_be_a_finite_number_of_seconds(self) -> None:
        for value in ("nan", "NaN", "inf", "-1", "1e7", "x"):
            for command in (("state", "--policy", str(self.policy), "--as-of", CLOCK), ("outbox",)):
                with self.subTest(value=value, command=command[0]):
                    p = self.duly(*command, "--store", str(self.store), "--wait", value)
                    self.assertEqual(p.returncode, 2, p.stderr)
                    self.assertIn(f"--wait: expected a number of seconds from 0 to 1000000, got '{value}'", p.stderr)

    # ---- size limits and binary input ---------------------------------------------------
    def test_dev_zero_and_binary_files_are_not_exports(self) -> None:
        p = self.duly("evaluate", "--policy", str(self.policy), "--events", "/dev/zero", "--as-of", CLOCK, timeout=30)
        self.assertEqual((p.returncode, p.stdout), (1, ""))
        self.assertEqual(p.stderr, "duly: /dev/zero: not a text export: a NUL byte at byte 1 (duly reads JSON Lines "
                                   "or CSV text; is this a compressed or binary file?)\n")
        p = self.duly("run", "--policy", str(self.policy), "--store", str(self.store), "--events", "/dev/zero",
                      "--events-format", "jsonl", "--as-of", CLOCK, timeout=30)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertFalse(self.store.exists())
        binary = self.write("export.csv", bytes(range(256)) * 64)
        p = self.evaluate(binary)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr, f"duly: {binary}: not a text export: a NUL byte at byte 1 (duly reads JSON Lines "
                                   "or CSV text; is this a compressed or binary file?)\n")
        controls = self.write("controls.jsonl", "\x01\x02\x03\x04 some text\x05\x06\x07\x08\n" * 100)
        p = self.evaluate(controls)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr, f"duly: {controls}: not a text export: 800 control characters in its first 1900 "
                                   "bytes (duly reads JSON Lines or CSV text; is this a binary file?)\n")
        # From stdin too.
        p = self.duly("evaluate", "--policy", str(self.policy), "--events", "-", "--as-of", CLOCK, stdin="a\0b")
        self.assertEqual(p.returncode, 1)
        self.assertIn("duly: <stdin>: not a text export: a NUL byte at byte 2", p.stderr)

    def test_check_of_dev_zero_ends_with_an_error(self) -> None:
        p = self.duly("check", "/dev/zero", timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr, "/dev/zero: not a text file: a NUL byte at byte 1\n")
        big = self.write("big.yaml", "duly: 1\n" + "# padding\n" * (2 << 20))
        p = self.duly("check", str(big))
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr, f"{big}: larger than 16 MiB: not a document this reads\n")

    def test_a_line_over_64_mib_is_a_rejected_row(self) -> None:
        long_line = '{"id":"T-1","at":"2026-11-02T09:00:00Z","event":"created","x":"' + "a" * (64 << 20) + '"}\n'
        events = self.write("long.jsonl", long_line + '{"id":"T-2","at":"2026-11-02T09:00:00Z","event":"created"}\n')
        p = self.evaluate(events)
        self.assertEqual(p.returncode, 0, p.stderr)
        rejected = [x for x in self.lines(p.stdout) if x["kind"] == "rejected"]
        self.assertEqual(rejected, [{"kind": "rejected", "line": 1, "reason":
                                     f"line too long: {len(long_line) - 1} bytes, more than the 64 MiB limit of one line"}])


def main() -> None:
    test_store.DULY = sys.argv[1]
    unittest.main(argv=[sys.argv[0], *sys.argv[2:]], verbosity=2)


if __name__ == "__main__":
    main()
