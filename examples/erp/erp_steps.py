"""Runs an ERP example in incremental steps with `duly run` and checks its output.

Shared by examples/erp/*/run.py (Python 3, standard library only). Each example
describes its steps: which export a scheduler hands to `duly run`, at which
`--as-of` (the time the scheduler ran), and exactly which escalation firings that
run must print (key and instant, with the reason in a comment). This module:

1. creates a store in a temporary directory;
2. runs `duly run --policy policy.yaml --store STORE --events exports/NN --as-of T -v`
   once per step, prints what the run printed as a narrative, and checks it
   (firing keys and `fired_at` in order, re-delivered rows, rejected rows);
3. checks that no firing key was printed twice over all the runs, and that the
   runs printed a withdrawal (once) for exactly the firings the example lists as
   withdrawn;
4. checks that `duly state` at the last `--as-of` is exactly `duly evaluate` over
   all the exports concatenated, and that the firings printed over all the steps
   are the firings of that one evaluation (minus the ones a late event withdrew,
   which each example lists and explains);
5. runs the example's own checks (`extra`), if any.

It raises `Failure` on the first check that fails; `main()` turns that into a
message on stderr and exit status 1.
"""
from __future__ import annotations

import dataclasses
import datetime
import json
import pathlib
import re
import subprocess
import sys
import tempfile
from typing import Callable, Optional

try:
    import zoneinfo
except ImportError:  # Python < 3.9: show UTC only
    zoneinfo = None


class Failure(Exception):
    """A check of the example failed."""


@dataclasses.dataclass
class Firing:
    key: str        # id/target/escalation/START/point (the cycle named by its start)
    fired_at: str   # UTC, as duly prints it
    why: str        # one line for the narrative: why this fires now


@dataclasses.dataclass
class Step:
    export: str                 # file under exports/
    as_of: str                  # when the scheduler ran
    title: str                  # what happened in the business since the last run
    expect: list                # [Firing], in the order duly prints them (fired_at, then key)
    duplicates: int = 0         # rows of this export the store already had (re-deliveries)
    rejected: int = 0           # bad rows duly must report


@dataclasses.dataclass
class Outcome:
    printed: dict               # step number -> list of escalation lines (dicts)
    final: list                 # `duly state` lines (dicts) at the last as-of


def _run(args: list, what: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise Failure(f"{what} exited {proc.returncode}:\n{proc.stderr}")
    return proc


def _lines(text: str) -> list:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class Clock:
    """Shows UTC instants also in the example's own time zone."""

    def __init__(self, zone: str):
        self.zone = zoneinfo.ZoneInfo(zone) if zoneinfo else None

    def show(self, utc_text: str) -> str:
        t = datetime.datetime.strptime(utc_text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
        if self.zone is None:
            return utc_text
        local = t.astimezone(self.zone)
        return f"{local:%a %d %b %H:%M} {local.tzname()} ({utc_text})"


def _concatenate(exports: list, here: pathlib.Path) -> tuple:
    """All exports as one input for `duly evaluate`: (text, format). CSV exports
    must share their header (an ERP export definition has fixed columns)."""
    suffixes = {p.suffix for p in exports}
    if len(suffixes) != 1:
        raise Failure(f"mixed export formats {sorted(suffixes)}: keep one format per example")
    if suffixes == {".jsonl"}:
        return "".join(p.read_text(encoding="utf-8") for p in exports), "jsonl"
    header = None
    body = []
    for p in exports:
        rows = p.read_text(encoding="utf-8").splitlines(keepends=True)
        if header is None:
            header = rows[0]
        elif rows[0] != header:
            raise Failure(f"{p.relative_to(here)}: header differs from the first export's")
        body.extend(rows[1:])
    return header + "".join(body), "csv"


def run_steps(here: pathlib.Path, duly: str, steps: list, zone: str,
              withdrawn: Optional[dict] = None,
              extra: Optional[Callable[[Outcome, Clock], None]] = None) -> None:
    """Runs the steps and every check. `withdrawn` maps a key printed by a step
    to the reason a later (late-arriving) event took it out of the history."""
    withdrawn = withdrawn or {}
    clock = Clock(zone)
    policy = here / "policy.yaml"
    _run([duly, "check", policy], "duly check")
    printed: dict = {}
    seen: dict = {}
    withdrawals: dict = {}  # key -> the step that printed its withdrawal
    with tempfile.TemporaryDirectory(prefix="duly-erp-") as tmp:
        store = pathlib.Path(tmp) / "store.db"
        for n, step in enumerate(steps, 1):
            export = here / "exports" / step.export
            print(f"== Step {n}: the scheduler runs at {clock.show(step.as_of)}")
            print(f"   export: exports/{step.export} -- {step.title}")
            proc = _run([duly, "run", "--policy", policy, "--store", store, "--events", export,
                         "--as-of", step.as_of, "-v"], f"step {n}: duly run")
            summary = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
            print(f"   {summary}")
            lines = _lines(proc.stdout)
            firings = [x for x in lines if x["kind"] == "escalation"]
            rejected = [x for x in lines if x["kind"] == "rejected"]
            for w in (x for x in lines if x["kind"] == "withdrawal"):
                print(f"   withdrawn {w['key']}")
                print(f"         why: {w['reason']}")
                if w["key"] in withdrawals:
                    raise Failure(f"step {n}: {w['key']} was already withdrawn by step {withdrawals[w['key']]}")
                withdrawals[w["key"]] = n
            printed[n] = firings
            expect = {f.key: f for f in step.expect}
            for f in firings:
                why = expect[f["key"]].why if f["key"] in expect else "(NOT EXPECTED)"
                print(f"   fired {clock.show(f['fired_at'])}  {f['key']}")
                print(f"         do {json.dumps(f['actions'])}")
                print(f"         why: {why}")
            for r in rejected:
                print(f"   rejected line {r['line']}: {r['reason']}")
            if not firings:
                print("   (no escalation is due)")
            got = [(f["key"], f["fired_at"]) for f in firings]
            want = [(f.key, f.fired_at) for f in step.expect]
            if got != want:
                raise Failure(f"step {n}: printed firings\n  {got}\nexpected\n  {want}")
            if len(rejected) != step.rejected:
                raise Failure(f"step {n}: {len(rejected)} rejected rows, expected {step.rejected}")
            m = re.search(r"(\d+) new events?, (\d+) duplicates?", summary)
            if not m:
                raise Failure(f"step {n}: no event counts in the -v summary: {summary!r}")
            if int(m.group(2)) != step.duplicates:
                raise Failure(f"step {n}: {m.group(2)} re-delivered rows, expected {step.duplicates}")
            for f in firings:
                if f["key"] in seen:
                    raise Failure(f"step {n}: {f['key']} was already printed by step {seen[f['key']]}")
                seen[f["key"]] = n
            print()

        final_as_of = steps[-1].as_of
        state = _run([duly, "state", "--policy", policy, "--store", store, "--as-of", final_as_of],
                     "duly state")
        exports = [here / "exports" / s.export for s in steps]
        text, fmt = _concatenate(exports, here)
        evaluate = subprocess.run([duly, "evaluate", "--policy", str(policy), "--events", "-",
                                   "--events-format", fmt, "--as-of", final_as_of],
                                  input=text, capture_output=True, text=True, check=False)
        if evaluate.returncode != 0:
            raise Failure(f"duly evaluate exited {evaluate.returncode}:\n{evaluate.stderr}")

    final = _lines(state.stdout)
    one_pass = [x for x in _lines(evaluate.stdout) if x["kind"] != "rejected"]
    if final != one_pass:
        diff = [json.dumps(x) for x in final if x not in one_pass][:3]
        diff += [json.dumps(x) for x in one_pass if x not in final][:3]
        raise Failure("duly state after the steps differs from duly evaluate over all exports:\n"
                      + "\n".join(diff))
    timers = [x for x in final if x["kind"] == "timer"]
    final_firings = {x["key"]: x["fired_at"] for x in final if x["kind"] == "escalation"}
    all_printed = {f["key"]: f["fired_at"] for fs in printed.values() for f in fs}
    for key, why in withdrawn.items():
        if key not in all_printed:
            raise Failure(f"{key}: listed as withdrawn but never printed")
        if key in final_firings:
            raise Failure(f"{key}: listed as withdrawn but still in the final history")
    if set(withdrawals) != set(withdrawn):
        raise Failure(f"withdrawals printed {sorted(withdrawals)}, expected {sorted(withdrawn)}")
    kept = {k: v for k, v in all_printed.items() if k not in withdrawn}
    if kept != final_firings:
        missing = sorted(set(final_firings) - set(kept))
        extra_keys = sorted(set(kept) - set(final_firings))
        raise Failure(f"firings printed over the steps differ from one evaluation: "
                      f"never printed {missing}; printed but not in the history {extra_keys}")

    print(f"== Final state at {clock.show(final_as_of)} (duly state)")
    for t in timers:
        due = t["due"] or "-"
        print(f"   {t['id']:<10} {t['target']:<20} cycle {t['cycle']}  {t['state']:<9} due {due}")
    print()
    print(f"checked: {len(steps)} runs printed exactly the expected {len(all_printed)} firings, none twice;")
    print(f"         duly state == duly evaluate over all {len(exports)} exports "
          f"({len(timers)} timers, {len(final_firings)} firings)")
    for key, why in withdrawn.items():
        print(f"         {key} was printed, then withdrawn from the history by a late event: {why}")
    if extra:
        extra(Outcome(printed=printed, final=final), clock)


def main(here: pathlib.Path, steps: list, zone: str, withdrawn: Optional[dict] = None,
         extra: Optional[Callable[[Outcome, Clock], None]] = None) -> int:
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} path/to/duly", file=sys.stderr)
        return 2
    try:
        run_steps(here, sys.argv[1], steps, zone, withdrawn, extra)
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    print("OK")
    return 0
