"""duly.plot_attainment and duly.plot_timeline: PNG pictures with matplotlib (optional)."""

from __future__ import annotations

import json
import pathlib
import sys

import pytest

import duly

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

ROOT = pathlib.Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def result() -> duly.Evaluation:
    policy = duly.load_policy(ROOT / "examples/helpdesk/policy.yaml")
    events = [json.loads(x) for x in (ROOT / "examples/helpdesk/events.jsonl").read_text().splitlines()]
    return duly.evaluate(policy, events, "2026-11-30T17:00:00Z")


def is_png(path: pathlib.Path) -> bool:
    data = path.read_bytes()
    return data[:8] == PNG and len(data) > 5000


def test_attainment_png(result: duly.Evaluation, tmp_path: pathlib.Path) -> None:
    fig = duly.plot_attainment(result, "D", path=tmp_path / "attainment.png")
    assert is_png(tmp_path / "attainment.png")
    (axes,) = fig.axes
    assert [line.get_label() for line in axes.get_lines()] == ["first_response", "resolution"]
    # first_response: 2 met on Nov 23, 1 of 2 on Nov 25, 0 of 2 on Nov 27 (attainment_over_time).
    assert list(axes.get_lines()[0].get_ydata()) == [100.0, 50.0, 0.0]


def test_timeline_png_with_pauses_breaches_and_escalations(result: duly.Evaluation, tmp_path: pathlib.Path) -> None:
    fig = duly.plot_timeline(result, "HD-1008", path=str(tmp_path / "HD-1008.png"))
    assert is_png(tmp_path / "HD-1008.png")
    (axes,) = fig.axes
    # Each cycle labelled with its goal as the policy wrote it.
    assert [t.get_text() for t in axes.get_yticklabels()] == ["first_response #1 (4h)", "resolution #1 (2bd)"]
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert legend == ["running", "running past due", "paused"]  # first_response breached at 21:00
    assert len(axes.patches) == 5  # fr: running, past due; resolution: running, paused, running
    fig = duly.plot_timeline(result, "HD-1007", path=tmp_path / "HD-1007.png")
    (axes,) = fig.axes
    markers = [c for c in axes.collections if c.get_label() == "escalation"]
    assert len(markers) == 1 and len(markers[0].get_offsets()) == 4  # the ladder of resolution #2
    assert is_png(tmp_path / "HD-1007.png")


def test_drawing_on_given_axes(result: duly.Evaluation) -> None:
    from matplotlib.figure import Figure

    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert duly.plot_attainment(result, ax=left) is fig
    assert duly.plot_timeline(result, "HD-1002", ax=right) is fig
    assert right.get_title().startswith("HD-1002")


def test_bad_arguments(result: duly.Evaluation, tmp_path: pathlib.Path) -> None:
    with pytest.raises(duly.InvalidArgumentError, match="no cycles for record 'HD-9999'") as e:
        duly.plot_timeline(result, "HD-9999")
    assert e.value.path == "id"
    with pytest.raises(duly.InvalidArgumentError, match="not a pandas period alias"):
        duly.plot_attainment(result, "fortnight")
    with pytest.raises(duly.InvalidArgumentError, match="expected a file path"):
        duly.plot_attainment(result, path=5)  # type: ignore[arg-type]


def test_without_matplotlib(result: duly.Evaluation, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install 'duly\[plot\]'"):
        duly.plot_attainment(result)
