#!/usr/bin/env python3
"""Write an example's report page with `duly report --html` and check it.

    python3 report_check.py path/to/duly POLICY EVENTS AS_OF OUT.html [--by ATTR]

Runs `duly report --html OUT.html` and `duly evaluate --format jsonl` on the same
input, reads the page back with Python's HTML parser (the standard library
only), and checks that its headline and attainment table count exactly the
cycles the timer lines report: met, breached (also a cycle reset or cancelled
after its due), per target. Used by CI for the helpdesk example (ctest
example.helpdesk.report_page) and the ServiceNow study (servicenow/run_example.py).
Exits 1 when a check fails.
"""
from __future__ import annotations

import argparse
import collections
import html.parser
import json
import subprocess
import sys


class Cards(html.parser.HTMLParser):
    """The headline cards: target -> {data-col: data-value}, and the record timelines."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: dict[str, dict[str, str]] = {}
        self.timelines: list[str] = []
        self._card: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "section" and "data-target" in a:
            self._card = a["data-target"]
            self.cards[self._card] = {}
        elif tag == "dd" and self._card is not None and "data-value" in a:
            self.cards[self._card][a["data-col"]] = a["data-value"]
        elif tag == "article" and "data-id" in a:
            self.timelines.append(a["data-id"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._card = None


def check(duly: str, policy: str, events: str, as_of: str, out: str, by: str | None = None) -> list[str]:
    """The problems found (empty when the page is right)."""
    args = [duly, "report", "--policy", policy, "--events", events, "--as-of", as_of, "--html", out]
    if by:
        args += ["--by", by]
    run = subprocess.run(args, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        return [f"duly report failed ({run.returncode}): {run.stderr}"]
    lines = subprocess.run([duly, "evaluate", "--policy", policy, "--events", events, "--as-of", as_of],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    breached_ids = set()
    for line in lines:
        t = json.loads(line)
        if t["kind"] != "timer" or t["cycle"] == 0:
            continue
        c = counts[t["target"]]
        c["cycles"] += 1
        if t["state"] == "met" and t["goal_seconds"] is not None:
            c["met"] += 1
        elif t["state"] == "breached" or (t["state"] in ("reset", "cancelled") and t["breached_at"]):
            c["breached"] += 1
            breached_ids.add(t["id"])
    with open(out, encoding="utf-8") as f:
        page = Cards()
        page.feed(f.read())
    problems = []
    if sorted(page.cards) != sorted(counts):
        problems.append(f"page targets {sorted(page.cards)} != timer targets {sorted(counts)}")
    for target, c in counts.items():
        card = page.cards.get(target, {})
        for key in ("cycles", "met", "breached"):
            if int(card.get(key, -1)) != c[key]:
                problems.append(f"{target}: page {key} {card.get(key)} != {c[key]} from duly evaluate")
    if len(page.timelines) != min(len(breached_ids), 50) or not set(page.timelines) <= breached_ids:
        problems.append(f"{len(page.timelines)} timelines for {len(breached_ids)} breached records")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser()
    for name in ("duly", "policy", "events", "as_of", "out"):
        parser.add_argument(name)
    parser.add_argument("--by")
    a = parser.parse_args()
    problems = check(a.duly, a.policy, a.events, a.as_of, a.out, a.by)
    for p in problems:
        print(f"report_check: {p}", file=sys.stderr)
    if not problems:
        print(f"report_check: {a.out} written and checked")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
