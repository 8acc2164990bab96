"""The step script of docs/integration.md, run as the docs say, with kills.

Run by ctest (label "store") as `python3 test_step_script.py DULY [TestCase...]`;
standard library only. The script is taken from docs/integration.md (the
``sh`` block that starts with ``#!/bin/sh``); only its first assignment line,
the paths of the store, policy, spool and export folders, is replaced by
temporary ones. A simulated scheduler then runs it once per tick over each ERP
example of examples/erp (the JSON Lines exports are written as CSV, since the
script reads CSV exports), with stand-ins on PATH for `date` (the simulated
clock), `logger`, `deliver-action` (which fails now and then) and `duly` (the
real binary, exec'd, which also tells the test its pid and sets the kill hooks).
On random ticks `duly run` is killed with SIGKILL: at a random moment, or by its
test hooks just before its commit (after printing) or just after it.

What is checked, for each example: every firing of one `duly evaluate` over all
its exports at the last tick is delivered at least once; no firing (the same
record, target, escalation, point and instant) is delivered under two keys;
the keys compared are those the CLI prints, whatever their format.
"""
from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import random
import re
import signal
import stat
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

DULY = ""
ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "integration.md"
EXAMPLES = ROOT / "examples" / "erp"

TICKS_BETWEEN_STEPS = 3      # extra scheduler ticks between two exports
KILL_SHARE = 0.4             # share of ticks whose `duly run` is killed
DELIVERY_FAILURE_SHARE = 0.15
SCRIPT_TIMEOUT = 60          # seconds for one tick of the script
TICKS_AT_END = 6             # clean ticks at the end, so that everything is delivered


def step_script() -> str:
    """The step script exactly as docs/integration.md shows it."""
    text = DOC.read_text(encoding="utf-8")
    m = re.search(r"```sh\n(#!/bin/sh\n.*?)```", text, re.S)
    if m is None:
        raise AssertionError("docs/integration.md has no ```sh block starting with #!/bin/sh")
    return m.group(1)


def with_paths(script: str, store: Path, policy: Path, spool: Path, exports: Path) -> str:
    """The script with its configuration line (store=...; exports=...) on temporary paths."""
    lines = script.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("store="):
            assert "policy=" in line and "spool=" in line and "exports=" in line, line
            lines[i] = f"store={store}; policy={policy}; spool={spool}; exports={exports}\n"
            return "".join(lines)
    raise AssertionError("the step script has no configuration line starting with store=")


def load_steps(example: Path) -> list:
    """The STEPS of examples/erp/<example>/run.py (imported, not run)."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        spec = importlib.util.spec_from_file_location(f"erp_{example.name}", example / "run.py")
        module = importlib.util.module_from_spec(spec)
        assert spec.loader is not None
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(EXAMPLES))
    return module.STEPS


def as_csv(path: Path) -> str:
    """An export as CSV text: CSV as it is, JSON Lines with a typed header made from
    every export of its example (so that all of them share one header)."""
    if path.suffix == ".csv":
        return path.read_text(encoding="utf-8")
    columns: dict[str, str] = {}
    for other in sorted(path.parent.glob("*.jsonl")):
        for line in other.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            for k, v in json.loads(line).items():
                if v is None:
                    raise AssertionError(f"{other}: a null in column {k} has no CSV form")
                columns.setdefault(k, "bool" if isinstance(v, bool) else
                                   "number" if isinstance(v, (int, float)) else "string")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([k if t == "string" or k in ("id", "at", "event") else f"{k}:{t}" for k, t in columns.items()])
    for r in rows:
        w.writerow(["" if k not in r else ("true" if r[k] is True else "false" if r[k] is False else r[k])
                    for k in columns])
    return out.getvalue()


STANDINS = {
    # The simulated clock, whatever the arguments (the script asks for UTC ISO-8601).
    "date": '#!/bin/sh\ncat "$CTL/now"\n',
    "logger": '#!/bin/sh\nprintf "%s\\n" "$*" >> "$CTL/log"\n',
    # Delivers a line, or fails on the Nth call of this tick when "$CTL/fail-at" says N.
    "deliver-action": """#!/bin/sh
n=$(( $(cat "$CTL/calls" 2>/dev/null || echo 0) + 1 ))
echo $n > "$CTL/calls"
if [ -e "$CTL/fail-at" ] && [ "$(cat "$CTL/fail-at")" = "$n" ]; then exit 1; fi
printf '%s\\n' "$1" >> "$CTL/delivered"
""",
    # The real duly: tells the test the pid of `duly run` and sets its kill hooks.
    "duly": """#!/bin/sh
if [ "$1" = run ]; then
  echo $$ > "$CTL/run.pid"
  case $(cat "$CTL/mode") in
    before) DULY_TEST_KILL_BEFORE_COMMIT=1; export DULY_TEST_KILL_BEFORE_COMMIT ;;
    after) DULY_TEST_KILL_AFTER_COMMIT=1; export DULY_TEST_KILL_AFTER_COMMIT ;;
  esac
fi
DULY_TEST_CLOCK=$(cat "$CTL/now"); export DULY_TEST_CLOCK
exec "$REAL_DULY" "$@"
""",
}


def iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(seconds)))


def seconds_of(text: str) -> int:
    import calendar
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


class StepScript(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.TemporaryDirectory()
        self.tmp = Path(self.dir.name)

    def tearDown(self) -> None:
        self.dir.cleanup()

    def test_the_documented_script_on_cursors_survives_kills(self) -> None:
        script = step_script()
        for k, example in enumerate(sorted(p for p in EXAMPLES.iterdir() if (p / "run.py").exists())):
            with self.subTest(example=example.name):
                self.run_example(script, example, random.Random(1000 + k))

    def run_example(self, script: str, example: Path, rng: random.Random) -> None:
        base = self.tmp / example.name
        ctl, bin_, spool, exports = base / "ctl", base / "bin", base / "spool", base / "exports"
        for d in (ctl, bin_, spool, exports, exports / "done"):
            d.mkdir(parents=True)
        store, policy = base / "store.db", example / "policy.yaml"
        for name, text in STANDINS.items():
            (bin_ / name).write_text(text)
            (bin_ / name).chmod(0o755)
        step = base / "o2c-step.sh"
        step.write_text(with_paths(script, store, policy, spool, exports))
        step.chmod(step.stat().st_mode | stat.S_IXUSR)
        env = {**os.environ, "PATH": f"{bin_}:{os.environ.get('PATH', '/usr/bin:/bin')}", "CTL": str(ctl),
               "REAL_DULY": DULY}
        for hook in ("DULY_TEST_KILL_BEFORE_COMMIT", "DULY_TEST_KILL_AFTER_COMMIT", "DULY_TEST_CLOCK"):
            env.pop(hook, None)

        steps = load_steps(example)
        times = [seconds_of(s.as_of) for s in steps]
        # The scheduler's ticks: each export's own, and a few between them.
        ticks: list[int] = []
        previous = times[0] - 3600
        for t in times:
            ticks += sorted(rng.randrange(previous + 1, t) for _ in range(TICKS_BETWEEN_STEPS)) + [t]
            previous = t
        ticks += [times[-1]] * TICKS_AT_END

        # Installed once, as the docs say: the store is made with --create.
        (ctl / "now").write_text(iso(times[0] - 3600))
        (ctl / "mode").write_text("none")
        made = subprocess.run(["duly", "run", "--create", "--policy", str(policy), "--store", str(store),
                               "--events", "/dev/null", "--events-format", "jsonl", "--as-of",
                               iso(times[0] - 3600)], env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(made.returncode, 0, made.stderr)

        kills = {"random": 0, "before": 0, "after": 0}
        for n, tick in enumerate(ticks):
            for s, t in zip(steps, times):
                name = f"changes-{Path(s.export).stem}.csv"
                if t <= tick and not (exports / name).exists() and not (exports / "done" / name).exists():
                    (exports / name).write_text(as_csv(example / "exports" / s.export), encoding="utf-8")
            (ctl / "now").write_text(iso(tick))
            (ctl / "calls").write_text("0")
            final = n >= len(ticks) - TICKS_AT_END
            fail_at = ctl / "fail-at"
            fail_at.unlink(missing_ok=True)
            mode = "none"
            if not final:
                if rng.random() < DELIVERY_FAILURE_SHARE:
                    fail_at.write_text(str(rng.randrange(1, 4)))
                if rng.random() < KILL_SHARE:
                    mode = rng.choice(["random", "before", "after"])
            (ctl / "mode").write_text(mode)
            (ctl / "run.pid").unlink(missing_ok=True)
            proc = subprocess.Popen(["sh", str(step)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True)
            if mode == "random":
                # SIGKILL `duly run` at a random moment of its life (it may be over by then).
                deadline = time.monotonic() + 10
                while not (ctl / "run.pid").exists() and proc.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.001)
                time.sleep(rng.uniform(0, 0.05))
                try:
                    pid = int((ctl / "run.pid").read_text())
                    # Only while that pid is still our `duly run` (or its wrapper about to exec it).
                    if proc.poll() is None and b"duly" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        os.kill(pid, signal.SIGKILL)
                        kills["random"] += 1
                except (OSError, ValueError):
                    pass
            elif mode in kills:
                kills[mode] += 1
            out, err = proc.communicate(timeout=SCRIPT_TIMEOUT)
            if final:
                self.assertEqual(proc.returncode, 0, f"tick {n} ({iso(tick)}): {err}\n{self.log(ctl)}")
            else:
                self.assertIn(proc.returncode, (0, 1, 137, -9), f"tick {n}: {err}\n{self.log(ctl)}")

        # Every export was taken.
        self.assertEqual(sorted(p.name for p in exports.glob("changes-*.csv")), [])
        # Every exit code was logged.
        self.assertIn("run on", self.log(ctl))
        self.assertIn("outbox after", self.log(ctl))
        self.assertGreater(sum(kills.values()), 0)

        delivered = [json.loads(line) for line in (ctl / "delivered").read_text().splitlines()]
        firings = [d for d in delivered if d.get("kind") == "escalation"]
        keys_of: dict[tuple, set] = {}
        for f in firings:
            keys_of.setdefault(self.identity(f), set()).add(f["key"])
        doubled = {k: v for k, v in keys_of.items() if len(v) > 1}
        self.assertEqual(doubled, {}, "a firing delivered under two keys")

        # One evaluation over all the exports (one header, every export's rows) at the last tick.
        texts = [as_csv(example / "exports" / s.export) for s in steps]
        headers = {t.splitlines()[0] for t in texts}
        self.assertEqual(len(headers), 1, "the exports of an example share one header")
        everything = self.tmp / f"{example.name}-all.csv"
        everything.write_text(texts[0].splitlines(keepends=True)[0] +
                              "".join("".join(t.splitlines(keepends=True)[1:]) for t in texts), encoding="utf-8")
        p = subprocess.run([DULY, "evaluate", "--policy", str(policy), "--events", str(everything),
                            "--as-of", iso(ticks[-1])], capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        expected = [x for x in map(json.loads, p.stdout.splitlines()) if x["kind"] == "escalation"]
        self.assertGreater(len(expected), 0)
        missing = [e for e in expected if self.identity(e) not in keys_of]
        self.assertEqual(missing, [], f"firings never delivered ({kills} kills)")
        print(f"{example.name}: {len(ticks)} ticks, kills {kills}, {len(firings)} lines delivered, "
              f"{len(keys_of)} firings, {len(expected)} in one evaluation", file=sys.stderr)

    @staticmethod
    def identity(f: dict) -> tuple:
        return (f["id"], f["target"], f["escalation"], f["point"], f["fired_at"])

    @staticmethod
    def log(ctl: Path) -> str:
        p = ctl / "log"
        return p.read_text() if p.exists() else ""


def main() -> None:
    global DULY
    DULY = sys.argv[1]
    unittest.main(argv=[sys.argv[0], *sys.argv[2:]], verbosity=2)


if __name__ == "__main__":
    main()
