"""The type information shipped with duly: inline types, _duly.pyi and py.typed."""

from __future__ import annotations

import importlib.resources
import pathlib
import textwrap

import pytest

mypy_api = pytest.importorskip("mypy.api")

SOURCE = pathlib.Path(__file__).resolve().parents[2] / "python" / "duly"

USAGE = textwrap.dedent(
    """
    import datetime
    import numpy as np
    import numpy.typing as npt
    import duly

    cal = duly.Calendar(timezone="America/New_York", hours={"mon-fri": "09:00-17:00"})
    t = datetime.datetime(2026, 11, 20, 16, tzinfo=datetime.timezone.utc)
    due: datetime.datetime = cal.add(t, datetime.timedelta(hours=2))
    due = cal.add(t, "3bd")
    used: datetime.timedelta = cal.elapsed(t, due)
    flag: bool = cal.is_open(t)
    many: npt.NDArray[np.datetime64] = cal.add_many(np.array([t], "datetime64[s]"), "1h")
    spans: npt.NDArray[np.timedelta64] = cal.elapsed_many(many, many)
    try:
        duly.load_calendar("support.yaml")
    except duly.Error as e:
        line: int | None = e.line
        where: str | None = e.path
        first: duly.Diagnostic = e.diagnostics[0]
    version: str = duly.__version__

    policy: duly.Policy = duly.load_policy("policy.yaml")
    policy = duly.Policy.from_yaml("duly: 1", source="p.yaml")
    names: tuple[str, ...] = policy.targets
    result: duly.Evaluation = duly.evaluate(
        policy, [{"id": "T-1", "at": t, "event": "created", "priority": "P1"}], t, strict=True
    )
    timer: duly.Timer = result.timers[0]
    due2: datetime.datetime | None = timer.due
    goal: int | None = timer.goal_seconds
    left: datetime.timedelta | None = timer.remaining
    firing: duly.Firing = result.escalations[0]
    fired: datetime.datetime = firing.fired_at
    bad: duly.Rejected = result.rejected[0]
    bad_line: int = bad.line
    frame = result.timers_frame()
    result = duly.evaluate(policy, frame, "2026-11-30T17:00:00Z")

    story: duly.Explanation = duly.explain(policy, frame, "HD-1008")
    story = duly.explain(policy, [{"id": "T-1", "at": t, "event": "created"}], "T-1", as_of=t, strict=True)
    entry: duly.ExplainEntry = story.entries[0]
    when: datetime.datetime = entry.at
    what: str = entry.what
    on: str | None = entry.target
    cycle: int | None = entry.cycle
    line_no: int | None = entry.line
    detail: str = entry.detail
    table: str = str(story)
    lines: str = story.to_json_lines()
    story_timer: duly.Timer = story.timers[0]
    story_firing: duly.Firing = story.escalations[0]
    story_frame = story.entries_frame()
    record: str = story.id
    story_as_of: datetime.datetime = story.as_of
    story_rejected: list[duly.Rejected] = story.rejected
    """
)


def run_mypy(*args: str) -> None:
    out, err, status = mypy_api.run(list(args))
    assert status == 0, out + err


def test_the_package_type_checks_strictly(tmp_path: pathlib.Path) -> None:
    run_mypy("--strict", "--cache-dir", str(tmp_path / "cache"), str(SOURCE))


def test_the_installed_package_is_typed(tmp_path: pathlib.Path) -> None:
    assert importlib.resources.files("duly").joinpath("py.typed").is_file()
    assert importlib.resources.files("duly").joinpath("_duly.pyi").is_file()
    usage = tmp_path / "usage.py"
    usage.write_text(USAGE)
    run_mypy("--strict", "--cache-dir", str(tmp_path / "cache"), str(usage))


def test_stubs_match_the_extension(tmp_path: pathlib.Path) -> None:
    stubtest = pytest.importorskip("mypy.stubtest")
    allow = tmp_path / "allowlist.txt"
    # pybind11 classes have their own metaclass, which stubs do not spell out;
    # _duly.Policy and _duly.event_check (static functions only) have no
    # constructor (pybind11's __init__ only raises TypeError).
    allow.write_text(
        "duly._duly.Calendar\nduly._duly.Policy\nduly._duly.Policy.__init__\n"
        "duly._duly.event_check\nduly._duly.event_check.__init__\nduly._duly.Store\n"
        "duly._duly.ListValue\nduly._duly.ListValue.__init__\n"
    )
    status = stubtest.test_stubs(
        stubtest.parse_options(["--allowlist", str(allow), "--mypy-config-file", str(tmp_path / "none.ini"), "duly._duly"])
    )
    assert status == 0
