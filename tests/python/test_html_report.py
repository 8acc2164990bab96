"""The report page and `duly report` against `duly.report`, `duly evaluate` and
`duly explain` on the examples and the ServiceNow study: every number the page
shows (read back with an HTML parser, never grepped) equals theirs; the page is
valid HTML (html5lib, strict); hostile values are escaped; the CLI's page and
`duly.html_report`'s are the same bytes (one implementation); `duly report
--store` reads a store without changing it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import pathlib
import subprocess
import sys
import warnings

import pytest

import duly

from html_page import check_valid, read_page, value
import report_example

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CLI = ROOT / "build" / "bin" / "duly"
needs_cli = pytest.mark.skipif(not CLI.is_file(), reason="needs the CLI (build/bin/duly)")

HELPDESK_AS_OF = "2026-11-30T17:00:00Z"
SERVICENOW_AS_OF = "2017-03-01T00:00:00Z"
COUNTS = ("cycles", "met", "breached", "no_goal", "open", "cancelled", "reset", "pending")


def jsonl_events(path: pathlib.Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def helpdesk() -> tuple[duly.Policy, list[dict]]:
    return duly.load_policy("examples/helpdesk/policy.yaml"), jsonl_events(EXAMPLES / "helpdesk" / "events.jsonl")


@pytest.fixture(scope="module")
def servicenow(tmp_path_factory: pytest.TempPathFactory) -> tuple[duly.Policy, list[dict], pathlib.Path]:
    out = tmp_path_factory.mktemp("servicenow") / "incidents.jsonl"
    with open(out, "w", encoding="utf-8") as f:
        subprocess.run([sys.executable, str(EXAMPLES / "servicenow" / "convert.py"),
                        str(EXAMPLES / "servicenow" / "data" / "servicenow_incidents_sample.csv")],
                       stdout=f, check=True)
    return duly.load_policy("examples/servicenow/policy.yaml"), jsonl_events(out), out


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # policies are named by their relative path in the page


def page_of(result: duly.Evaluation, tmp_path: pathlib.Path, by: str | None = None, **kw) -> tuple[str, object]:
    path = duly.html_report(result, tmp_path / "page.html", by, **kw)
    text = path.read_text(encoding="utf-8")
    check_valid(text)
    return text, read_page(text)


def by_value(cell: tuple[dict[str, str], str]) -> object:
    kind = cell[0].get("data-kind")
    text = cell[1]
    if kind == "null":
        return None
    if kind == "number":
        f = float(text)
        return int(f) if f.is_integer() else f
    if kind == "bool":
        return text == "true"
    return text


def na(v: object) -> object:
    """pandas' missing values as None; numpy integers as int."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or type(v).__name__ == "NAType":
        return None
    return v.item() if hasattr(v, "item") else v


def check_against_report(page, result: duly.Evaluation, by: str | None) -> None:
    """The attainment table and the headline equal duly.report, row by row and in order."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", duly.NoGoalWarning)
        expected = duly.report(result, by=by)
        totals = duly.report(result)
    rows = page.tables["attainment-table"].records()
    assert len(rows) == len(expected)
    for row, (_, want) in zip(rows, expected.iterrows()):
        assert row["target"][1] == want["target"]
        if by is not None:
            assert by_value(row["by"]) == na(want[by])
        for c in COUNTS:
            assert value(row[c]) == int(want[c]), (want["target"], c)
        met, judged = int(row["attainment"][0]["data-met"]), int(row["attainment"][0]["data-judged"])
        assert (met, judged) == (int(want["met"]), int(want["met"] + want["breached"]))
        if judged:
            assert met / judged == want["attainment"]
        else:
            assert math.isnan(want["attainment"])
        for c in ("p50_seconds", "p90_seconds"):
            assert value(row[c]) == na(want[c])
    assert list(page.cards) == list(totals["target"])
    for _, want in totals.iterrows():
        card = page.cards[want["target"]]
        for c in ("cycles", "met", "breached"):
            assert int(card[c]) == int(want[c])
        for c in ("no_goal", "open", "cancelled", "reset", "pending"):
            assert int(card.get(c) or 0) == int(want[c])
        for c in ("p50_seconds", "p90_seconds"):
            assert (None if card[c] is None else int(card[c])) == na(want[c])


def check_months(page, result: duly.Evaluation) -> None:
    expected = duly.attainment_over_time(result, "M")
    rows = page.tables["months-table"].records()
    assert len(rows) == len(expected)
    for row, (_, want) in zip(rows, expected.iterrows()):
        assert row["month"][0]["data-value"] == want["period"].strftime("%Y-%m")
        assert row["target"][1] == want["target"]
        assert (value(row["met"]), value(row["breached"])) == (int(want["met"]), int(want["breached"]))


def breached_cycles(result: duly.Evaluation) -> list[duly.Timer]:
    return [t for t in result.timers
            if t.state == "breached" or (t.state in ("reset", "cancelled") and t.breached_at is not None)]


def check_breaches_and_timelines(page, result: duly.Evaluation, policy, events, cap: int = 50) -> None:
    breached = breached_cycles(result)
    ids = {t.id for t in breached}
    assert int(page.attributes["data-breaches"][""]) == len(breached)
    assert int(page.attributes["data-records"][""]) == len(ids)
    listed = page.tables["breaches-table"].records() if breached else []
    assert len(listed) == min(len(breached), 1000)
    # The latest breach first.
    at = [r["breached_at"][1] for r in listed]
    assert at == sorted(at, reverse=True)
    assert len(page.records) == min(len(ids), cap)
    assert int(page.attributes["data-timelines"]["note"]) == len(page.records)
    assert int(page.attributes["data-left-out"]["note"]) == len(ids) - len(page.records)
    # Links go to timelines that exist.
    for link in page.links:
        if link.startswith("#record-"):
            assert link[1:] in page.anchors
    # Each timeline's timers are duly evaluate's rows of that record, and its list the explain transitions.
    for rid in page.records[:10]:
        mine = [t for t in result.timers if t.id == rid]
        rows = page.timers[rid].records()
        assert len(rows) == len(mine)
        for row, t in zip(rows, mine):
            assert (row["target"][1], value(row["cycle"]), row["state"][1]) == (t.target, t.cycle, t.state)
            assert value(row["elapsed_seconds"]) == t.elapsed_seconds
            assert value(row["remaining_seconds"]) == t.remaining_seconds
            assert value(row["paused_seconds"]) == t.paused_seconds
            assert (row["due"][1] == "-") == (t.due is None)
        story = duly.explain(policy, events, rid, as_of=result.as_of)
        assert page.explain[rid] == [e.what for e in story.entries][: len(page.explain[rid])]
        assert len(page.explain[rid]) == min(len(story.entries), 500)


# --- the examples -------------------------------------------------------------------------


@pytest.mark.parametrize("by", [None, "priority", "channel"])
def test_helpdesk_page_equals_report(helpdesk, tmp_path: pathlib.Path, by: str | None) -> None:
    policy, events = helpdesk
    result = duly.evaluate(policy, events, HELPDESK_AS_OF)
    _, page = page_of(result, tmp_path, by)
    check_against_report(page, result, by)
    check_months(page, result)
    check_breaches_and_timelines(page, result, policy, events)
    assert page.scripts == 0


def test_hand_worked_report_page(tmp_path: pathlib.Path) -> None:
    """The report worked out by hand (report_example.py): an OLA listed right after the SLA it supports."""
    policy = duly.Policy.from_yaml(report_example.POLICY)
    result = duly.evaluate(policy, report_example.EVENTS, report_example.AS_OF)
    for by in (None, "group"):
        _, page = page_of(result, tmp_path, by)
        check_against_report(page, result, by)
        check_months(page, result)


def test_servicenow_page_equals_report(servicenow, tmp_path: pathlib.Path) -> None:
    policy, events, _ = servicenow
    result = duly.evaluate(policy, events, SERVICENOW_AS_OF)
    _, page = page_of(result, tmp_path, "group")
    check_against_report(page, result, "group")
    check_months(page, result)
    check_breaches_and_timelines(page, result, policy, events)
    # The study's figures (docs/python.md): response 541 met of 888, resolution 736 of 901.
    assert {t: (int(c["met"]), int(c["breached"])) for t, c in page.cards.items()} == {
        "response": (541, 347), "resolution": (736, 165)}


def test_timeline_cap_is_said_on_the_page(servicenow, tmp_path: pathlib.Path) -> None:
    policy, events, _ = servicenow
    result = duly.evaluate(policy, events, SERVICENOW_AS_OF)
    _, page = page_of(result, tmp_path, max_timelines=5)
    ids = {t.id for t in breached_cycles(result)}
    assert len(page.records) == 5
    assert int(page.attributes["data-left-out"]["note"]) == len(ids) - 5
    assert sum(1 for link in page.links if link.startswith("#record-")) == sum(
        1 for r in page.tables["breaches-table"].records() if r["id"][1] in page.records)


def test_charts_have_accessible_names(helpdesk, tmp_path: pathlib.Path) -> None:
    policy, events = helpdesk
    _, page = page_of(duly.evaluate(policy, events, HELPDESK_AS_OF), tmp_path)
    assert page.svgs
    for svg in page.svgs:
        assert svg["role"] == "img"
        title, desc = svg["aria-labelledby"].split()
        assert title in page.anchors and desc in page.anchors
    assert page.svg_titles >= 2 * len(page.svgs)


# --- hostile values ---------------------------------------------------------------------------

HOSTILE_POLICY = """\
duly: 1
targets:
  - name: response
    start_when: event == "opened"
    stop_when: event == "replied"
    goals: [{within: 1h}]
"""

SCRIPT = '<script>alert("x")</script>'
QUOTES = "\"'><img src=x onerror=alert(1)>"
RTL = "مرحبا بالعالم ‮evil‬"
LONG = "x" * 5000


def hostile_events() -> list[dict]:
    out = []
    for i, (rid, team) in enumerate([(SCRIPT, QUOTES), (QUOTES, RTL), (RTL, LONG), ("bell\x07\x00", SCRIPT)]):
        out.append({"id": rid, "at": f"2026-01-0{i + 1}T09:00:00Z", "event": "opened", "team": team,
                    "note": SCRIPT + QUOTES})
        out.append({"id": rid, "at": f"2026-01-0{i + 1}T12:00:00Z", "event": "replied"})
    return out


def test_hostile_values_are_escaped(tmp_path: pathlib.Path) -> None:
    policy = duly.Policy.from_yaml(HOSTILE_POLICY)
    result = duly.evaluate(policy, hostile_events(), "2026-01-10T00:00:00Z")
    text, page = page_of(result, tmp_path, "team")
    tree = check_valid(text)
    assert page.scripts == 0 and not tree.findall(".//script") and not tree.findall(".//img")
    assert not [e for e in tree.iter() if any(k.startswith("on") for k in e.attrib)]
    shown = "".join(page.text)
    for v in (SCRIPT, QUOTES, RTL):
        assert v in shown  # shown as text, not markup
    assert "x" * 500 + "…" in shown and "x" * 2001 not in shown  # long text is cut, with an ellipsis
    assert "\x07" not in text and "\x00" not in text  # control characters become U+FFFD
    assert "bell\ufffd\ufffd" in shown
    # Every record breached (3 h to a 1 h goal): each has a timeline, linked by number, not by its id.
    assert len(page.records) == 4
    assert set(page.records) == {SCRIPT, QUOTES, RTL, "bell\ufffd\ufffd"}
    assert all(link.startswith("#record-") and link[8:].isdigit() for link in page.links if link.startswith("#r"))
    rows = page.tables["attainment-table"].records()
    assert {by_value(r["by"]) for r in rows} == {QUOTES, RTL, LONG[:500] + "…", SCRIPT}


@needs_cli
def test_cli_escapes_bytes_that_are_not_utf8(tmp_path: pathlib.Path) -> None:
    (tmp_path / "policy.yaml").write_text(HOSTILE_POLICY)
    (tmp_path / "events.csv").write_bytes(
        b"id,at,event,team\nT\xe9-1,2026-01-01T09:00:00Z,opened,caf\xe9 <b>\nT\xe9-1,2026-01-01T12:00:00Z,replied,\n")
    run = subprocess.run([str(CLI), "report", "--policy", "policy.yaml", "--events", "events.csv", "--as-of",
                          "2026-01-10T00:00:00Z", "--by", "team", "--html", "page.html"],
                         cwd=tmp_path, capture_output=True, check=False)
    assert run.returncode == 0, run.stderr
    text = (tmp_path / "page.html").read_bytes().decode("utf-8")  # valid UTF-8
    check_valid(text)
    page = read_page(text)
    assert page.records == ["T\ufffd-1"]
    assert by_value(page.tables["attainment-table"].records()[0]["by"]) == "caf\ufffd <b>"


# --- the CLI: the same page, and the table formats -----------------------------------------------


def cli(*args: str, cwd: pathlib.Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), *args], cwd=cwd, capture_output=True, text=True, check=False)


@needs_cli
@pytest.mark.parametrize("by", [None, "priority"])
def test_cli_page_is_the_python_page(helpdesk, tmp_path: pathlib.Path, by: str | None) -> None:
    policy, events = helpdesk
    result = duly.evaluate(policy, events, HELPDESK_AS_OF)
    mine = duly.html_report(result, tmp_path / "python.html", by).read_bytes()
    args = ["report", "--policy", "examples/helpdesk/policy.yaml", "--events", "examples/helpdesk/events.jsonl",
            "--as-of", HELPDESK_AS_OF, "--html", str(tmp_path / "cli.html")]
    if by:
        args += ["--by", by]
    run = cli(*args)
    assert run.returncode == 0 and run.stdout == "" and run.stderr == "", run.stderr
    assert (tmp_path / "cli.html").read_bytes() == mine
    assert not (tmp_path / "cli.html.part").exists()


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@needs_cli
@pytest.mark.parametrize("example", ["helpdesk", "servicenow"])
def test_cli_csv_and_jsonl_equal_report(example: str, helpdesk, servicenow) -> None:
    if example == "helpdesk":
        policy, events = helpdesk
        events_file, as_of, by = "examples/helpdesk/events.jsonl", HELPDESK_AS_OF, "priority"
        policy_file = "examples/helpdesk/policy.yaml"
    else:
        policy, events, path = servicenow
        events_file, as_of, by = str(path), SERVICENOW_AS_OF, "group"
        policy_file = "examples/servicenow/policy.yaml"
    result = duly.evaluate(policy, events, as_of)
    for split in (None, by):
        expected = duly.report(result, by=split)
        args = ["report", "--policy", policy_file, "--events", events_file, "--as-of", as_of]
        if split:
            args += ["--by", split]
        got_csv = csv_rows(cli(*args, "--format", "csv").stdout)
        got_jsonl = [json.loads(x) for x in cli(*args, "--format", "jsonl").stdout.splitlines()]
        assert len(got_csv) == len(got_jsonl) == len(expected)
        columns = ["target", "kind", "supports", *([split] if split else []), *COUNTS, "attainment",
                   "p50_seconds", "p90_seconds", "running_seconds", "running_wall_seconds", "paused_seconds"]
        assert list(got_csv[0]) == columns
        for row, line, (_, want) in zip(got_csv, got_jsonl, expected.iterrows()):
            assert line["kind"] == "attainment"
            for c in columns:
                w = na(want[c])
                key = "target_kind" if c == "kind" else c
                if c == "attainment":
                    assert (float(row[c]) if row[c] else None) == w and line[c] == w
                elif isinstance(w, int):
                    assert int(row[c]) == w and line[key] == w, c
                else:
                    assert (row[c] or None) == w and line[key] == w, c


@needs_cli
def test_cli_table(tmp_path: pathlib.Path) -> None:
    run = cli("report", "--policy", "examples/helpdesk/policy.yaml", "--events", "examples/helpdesk/events.jsonl",
              "--as-of", HELPDESK_AS_OF)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["TARGET", "CYCLES", "MET", "BREACHED", "NO", "GOAL", "OPEN", "CANCELLED", "RESET",
                                "PENDING", "ATTAINMENT", "P50", "P90"]
    assert lines[-1].startswith("2 targets, ")


@needs_cli
def test_cli_errors(tmp_path: pathlib.Path) -> None:
    base = ["report", "--policy", "examples/helpdesk/policy.yaml", "--as-of", HELPDESK_AS_OF]
    run = cli(*base, "--events", "examples/helpdesk/events.jsonl", "--by", "team")
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr == ("duly: --by: no event has the attribute 'team'; the events have: 'actor', 'channel', "
                          "'priority', 'status'\n")
    run = cli(*base, "--events", "examples/helpdesk/events.jsonl", "--by", "cycles")
    assert run.returncode == 1 and run.stderr.startswith("duly: --by: 'cycles' is not an attribute to split by")
    run = cli(*base)
    assert run.returncode == 2 and run.stderr.startswith("duly report: give exactly one of --events and --store")
    run = cli("report", "--events", "examples/helpdesk/events.jsonl", "--as-of", HELPDESK_AS_OF)
    assert run.returncode == 2 and "--policy is required with --events" in run.stderr
    run = cli(*base, "--events", "examples/helpdesk/events.jsonl", "--html", str(tmp_path / "no" / "page.html"))
    assert run.returncode == 1 and run.stderr.startswith("duly: --html: cannot write ")


def test_python_errors(helpdesk, tmp_path: pathlib.Path) -> None:
    policy, events = helpdesk
    result = duly.evaluate(policy, events, HELPDESK_AS_OF)
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.html_report(result, tmp_path / "p.html", by="team")
    assert e.value.path == "by" and "no event has the attribute 'team'" in str(e.value)
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.html_report(result, tmp_path / "p.html", by=3)  # type: ignore[arg-type]
    assert e.value.path == "by"
    with pytest.raises(duly.IoError):
        duly.html_report(result, tmp_path / "no" / "p.html")
    one_shot = duly.evaluate(policy, iter(events), HELPDESK_AS_OF)
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.html_report(one_shot, tmp_path / "p.html")
    assert e.value.path == "events"
    assert duly.html_report(one_shot, tmp_path / "p.html", events=events).read_bytes() == duly.html_report(
        result, tmp_path / "q.html").read_bytes()


def test_from_a_dataframe(helpdesk, tmp_path: pathlib.Path) -> None:
    pd = pytest.importorskip("pandas")
    policy, events = helpdesk
    frame = pd.DataFrame(events)
    a = duly.html_report(duly.evaluate(policy, events, HELPDESK_AS_OF), tmp_path / "a.html", "priority")
    b = duly.html_report(duly.evaluate(policy, frame, HELPDESK_AS_OF), tmp_path / "b.html", "priority")
    check_against_report(read_page(b.read_text()), duly.evaluate(policy, frame, HELPDESK_AS_OF), "priority")
    assert read_page(a.read_text()).tables["attainment-table"].records() == read_page(
        b.read_text()).tables["attainment-table"].records()


# --- a store ----------------------------------------------------------------------------------------


@needs_cli
def test_report_on_a_store(helpdesk, tmp_path: pathlib.Path) -> None:
    policy, events = helpdesk
    db = tmp_path / "helpdesk.db"
    with duly.Store(db) as store:
        store.run(policy, events[:12], as_of="2026-11-25T00:00:00Z")
        store.run(policy, events[12:], as_of=HELPDESK_AS_OF)
    before = db.read_bytes()
    from_events = cli("report", "--policy", "examples/helpdesk/policy.yaml", "--events",
                      "examples/helpdesk/events.jsonl", "--as-of", HELPDESK_AS_OF, "--by", "priority",
                      "--format", "csv")
    for extra in ([], ["--policy", "examples/helpdesk/policy.yaml"]):
        run = cli("report", "--store", str(db), "--as-of", HELPDESK_AS_OF, "--by", "priority", "--format", "csv",
                  *extra)
        assert run.returncode == 0, run.stderr
        assert run.stdout == from_events.stdout
    run = cli("report", "--store", str(db), "--as-of", HELPDESK_AS_OF, "--html", str(tmp_path / "store.html"))
    assert run.returncode == 0, run.stderr
    page = read_page((tmp_path / "store.html").read_text())
    check_against_report(page, duly.evaluate(policy, events, HELPDESK_AS_OF), None)
    assert db.read_bytes() == before  # read-only
    run = cli("report", "--store", str(tmp_path / "missing.db"), "--as-of", HELPDESK_AS_OF)
    assert run.returncode == 4 and not (tmp_path / "missing.db").exists()


# --- duly explain --html -------------------------------------------------------------------------------


@needs_cli
def test_explain_html(helpdesk, tmp_path: pathlib.Path) -> None:
    policy, events = helpdesk
    run = cli("explain", "--policy", "examples/helpdesk/policy.yaml", "--events", "examples/helpdesk/events.jsonl",
              "--id", "HD-1008", "--as-of", HELPDESK_AS_OF, "--html", str(tmp_path / "HD-1008.html"))
    assert run.returncode == 0 and run.stdout == "", run.stderr
    text = (tmp_path / "HD-1008.html").read_text()
    check_valid(text)
    page = read_page(text)
    assert page.records == ["HD-1008"]
    story = duly.explain(policy, events, "HD-1008", as_of=HELPDESK_AS_OF)
    assert page.explain["HD-1008"] == [e.what for e in story.entries]
    rows = page.timers["HD-1008"].records()
    assert [(r["target"][1], value(r["cycle"]), r["state"][1], value(r["elapsed_seconds"]),
             value(r["paused_seconds"])) for r in rows] == [
        (t.target, t.cycle, t.state, t.elapsed_seconds, t.paused_seconds) for t in story.timers]
    assert page.svgs and page.svgs[0]["role"] == "img"
    run = cli("explain", "--policy", "examples/helpdesk/policy.yaml", "--events", "examples/helpdesk/events.jsonl",
              "--id", "HD-9999", "--html", str(tmp_path / "none.html"))
    assert run.returncode == 1 and not (tmp_path / "none.html").exists()
