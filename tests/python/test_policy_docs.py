"""The worked examples of docs/policy.md, read from the page: the policy, the
events and the table the page shows, checked through the `duly` CLI when it is
built (build/bin/duly) and through the Python package always."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

import duly

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "policy.md"
CLI = ROOT / "build" / "bin" / "duly"


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def after(first_line: str, kind: str) -> str:
    """The first ```kind block after the ```yaml block whose first line is ``first_line``."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index("```yaml\n" + first_line + "\n")
    return re.search(rf"```{kind}\n(.*?)```", text[start + 8:], flags=re.S).group(1)  # type: ignore[union-attr]


def policy_block(first_line: str) -> str:
    for block in blocks("yaml"):
        if block.splitlines()[0] == first_line:
            return block
    raise AssertionError(f"no yaml block starting {first_line!r} in {DOC}")


LISTS = "# Worked example: list attributes"


def test_list_attributes_in_python() -> None:
    policy = duly.Policy.from_yaml(policy_block(LISTS), source="policy.md")
    events = [json.loads(line) for line in after(LISTS, "jsonl").splitlines()]
    result = duly.evaluate(policy, events, "2026-11-23T18:00:00Z")
    table = after(LISTS, "text").splitlines()
    shown = [line.split()[1:5] if line.startswith("!") else line.split()[:4] for line in table[1:5]]
    assert [[t.id, t.target, str(t.cycle), t.state] for t in result.timers] == shown
    assert [(r.line, r.reason) for r in result.rejected] == [
        (5, table[-1].split(": ", 1)[1])
    ]


@pytest.mark.skipif(not CLI.exists(), reason="the CLI is not built (build/bin/duly)")
def test_list_attributes_in_the_cli(tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").write_text(policy_block(LISTS))
    (tmp_path / "events.jsonl").write_text(after(LISTS, "jsonl"))
    out = subprocess.run(
        [str(CLI), "evaluate", "--policy", "policy.yaml", "--events", "events.jsonl",
         "--as-of", "2026-11-23T18:00:00Z", "--format", "table"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True,
    )
    assert out.stdout == after(LISTS, "text")
