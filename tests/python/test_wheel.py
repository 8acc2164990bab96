"""What a wheel of duly ships for a data scientist: typed API for reports, backtests,
plots and Dask, examples that type-check. (scripts/check_wheel.sh installs the wheel
itself into a clean virtual environment.)"""

from __future__ import annotations

import importlib.resources
import pathlib
import textwrap

import pytest

mypy_api = pytest.importorskip("mypy.api")

ROOT = pathlib.Path(__file__).resolve().parents[2]

USAGE = textwrap.dedent(
    """
    import duly
    import duly.dask

    policy = duly.load_policy("policy.yaml")
    result = duly.evaluate(policy, [{"id": "T-1", "at": "2026-11-23T09:00:00Z", "event": "created"}],
                           "2026-11-30T17:00:00Z")
    kept: duly.Policy | None = result.policy
    frame = duly.report(result, by=["group"], paused_by="state")
    frame = duly.report(result, "group", events=[], policy=policy)
    spans = duly.spans(result, by="group", ids=["T-1"])
    over = duly.attainment_over_time(result, "M")
    bt: duly.Backtest = duly.backtest(policy, policy, [], "2026-11-30T17:00:00Z", by="priority")
    a: duly.Evaluation = bt.a
    changed = bt.newly_breached()
    fig = duly.plot_attainment(result, "W", path="a.png")
    fig = duly.plot_timeline(result, "T-1", path="t.png", title="T-1")
    f: duly.dask.DaskFrames = duly.dask.evaluate_frames(policy, None, "2026-11-30T17:00:00Z")
    """
)


def run_mypy(*args: str) -> None:
    out, err, status = mypy_api.run(list(args))
    assert status == 0, out + err


def test_the_new_api_type_checks(tmp_path: pathlib.Path) -> None:
    usage = tmp_path / "usage.py"
    usage.write_text(USAGE)
    run_mypy("--strict", "--cache-dir", str(tmp_path / "cache"), str(usage))


def test_the_python_examples_type_check(tmp_path: pathlib.Path) -> None:
    examples = sorted(str(p) for p in (ROOT / "examples" / "python").glob("*.py"))
    assert examples
    run_mypy("--strict", "--cache-dir", str(tmp_path / "cache"), *examples)


def test_the_installed_package_has_its_modules() -> None:
    files = importlib.resources.files("duly")
    for name in ("py.typed", "_duly.pyi", "analysis/attainment.py", "analysis/spans.py", "analysis/backtest.py",
                 "analysis/plot.py", "dask.py"):
        assert files.joinpath(name).is_file(), name
