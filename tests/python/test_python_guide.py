"""docs/python.md runs as written: every ```python block, in order, in one namespace.

The blocks run in a temporary directory holding a link to the repository's
``examples/`` (so that the paths the guide uses resolve and the files it writes
land elsewhere). A block right after the HTML comment
``<!-- doc-test: skip (why) -->`` is not run; the guide says which and why.
"""

from __future__ import annotations

import os
import pathlib
import re
import sys
from typing import Any

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "python.md"
SKIP = re.compile(r"<!--\s*doc-test:\s*skip\s*\((?P<why>[^)]+)\)\s*-->\s*$")


def blocks(text: str) -> list[tuple[int, str, str | None]]:
    """``(line, code, skip reason or None)`` of every ```python block, in order."""
    out: list[tuple[int, str, str | None]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```python":
            start = i + 1
            j = start
            while lines[j].strip() != "```":
                j += 1
            before = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
            m = SKIP.search(before)
            indent = len(lines[i]) - len(lines[i].lstrip())
            code = "\n".join(line[indent:] for line in lines[start:j])
            out.append((start + 1, code, m.group("why") if m else None))
            i = j
        i += 1
    return out


def test_the_guide_has_blocks_and_few_skips() -> None:
    found = blocks(GUIDE.read_text(encoding="utf-8"))
    assert len(found) >= 10
    assert [why for _, _, why in found if why] == [
        "needs a Dask scheduler at tcp://scheduler:8786 and an S3 bucket",
        "needs a Spark cluster and an S3 bucket; tests/python/test_spark.py runs the same calls on local[2]",
    ]


# dask's Parquet reader (2026.8) uses an inplace= that pandas 3.1 deprecates: not ours.
@pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame:Warning")
def test_every_python_block_runs(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib")
    pytest.importorskip("dask.dataframe")
    pytest.importorskip("pyarrow")
    import matplotlib

    matplotlib.use("Agg")
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "__guide__"}
    ran = 0
    for line, code, why in blocks(GUIDE.read_text(encoding="utf-8")):
        if why is not None:
            continue
        try:
            exec(compile(code, f"{GUIDE}:{line}", "exec"), namespace)
        except Exception as e:  # pragma: no cover - the failure is the report
            raise AssertionError(f"docs/python.md, the block at line {line} failed: {e!r}") from e
        ran += 1
    assert ran >= 10
    # What the guide says it writes is there.
    for made in ("incidents.parquet", "incidents", "attainment_by_month.png", "INC0000062.png"):
        assert os.path.exists(made), made
    assert sys.modules.get("duly") is not None
