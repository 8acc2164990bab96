"""Guards of `duly run` (issue 12): `--max-rejected N|P%`.

Run by ctest (label "store") as `python3 test_guards.py DULY [TestCase...]`;
standard library only, the helpers of test_store.py. Each guard with its
whole message; a refused run stores nothing.
"""
from __future__ import annotations

import sys
import unittest

import test_store
from test_store import POLICY, StoreCase

# Four rows, two of them rejected (lines 2 and 3).
ROWS = ('{"id":"A","at":"2026-11-02T10:00:00Z","event":"created"}\n'
        "not json\n"
        '{"id":"B","at":"2026-13-02T10:00:00Z","event":"created"}\n'
        '{"id":"C","at":"2026-11-02T10:00:00Z","event":"created"}\n')


class Guards(StoreCase):
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


def main() -> None:
    test_store.DULY = sys.argv[1]
    unittest.main(argv=[sys.argv[0], *sys.argv[2:]], verbosity=2)


if __name__ == "__main__":
    main()
