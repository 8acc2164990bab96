"""duly.Policy and duly.load_policy: reading, what a policy says, errors, pickling."""

from __future__ import annotations

import copy
import json
import pathlib
import pickle
import textwrap

import pytest

import duly

ROOT = pathlib.Path(__file__).resolve().parents[2]
HELPDESK = ROOT / "examples" / "helpdesk" / "policy.yaml"

SMALL_YAML = textwrap.dedent(
    """\
    duly: 1
    calendars:
      office: {timezone: America/New_York, hours: {mon-fri: "09:00-17:00"}}
    targets:
      - name: response
        labels: {kind: ola}
        start_when: event == "created"
        stop_when: event == "replied"
        goals:
          - {when: priority == "P1", within: 1h}
          - {within: 4h, calendar: office}
    escalations:
      - name: lead
        target: response
        at: 75%
        do: [{notify: [lead]}]
    """
)

SMALL_JSON = json.dumps(
    {
        "duly": 1,
        "calendars": {"office": {"timezone": "America/New_York", "hours": {"mon-fri": "09:00-17:00"}}},
        "targets": [
            {
                "name": "response",
                "labels": {"kind": "ola"},
                "start_when": 'event == "created"',
                "stop_when": 'event == "replied"',
                "goals": [{"when": 'priority == "P1"', "within": "1h"}, {"within": "4h", "calendar": "office"}],
            }
        ],
        "escalations": [{"name": "lead", "target": "response", "at": "75%", "do": [{"notify": ["lead"]}]}],
    }
)


@pytest.fixture(scope="module")
def helpdesk() -> duly.Policy:
    return duly.load_policy(HELPDESK)


# --- reading ------------------------------------------------------------------------------


def test_load_policy_reads_the_helpdesk_example(helpdesk: duly.Policy) -> None:
    assert helpdesk.targets == ("first_response", "resolution")
    assert helpdesk.escalations == ("team_lead", "support_manager")
    assert helpdesk.calendars == ("support",)
    assert helpdesk.labels == {"first_response": {"kind": "sla"}, "resolution": {"kind": "sla"}}
    assert helpdesk.source == HELPDESK.read_text()
    assert helpdesk.source_name == str(HELPDESK)


def test_load_policy_takes_str_and_pathlike() -> None:
    assert duly.load_policy(str(HELPDESK)) == duly.load_policy(HELPDESK)


def test_from_yaml_and_from_json_read_one_schema() -> None:
    y = duly.Policy.from_yaml(SMALL_YAML)
    j = duly.Policy.from_json(SMALL_JSON)
    for p in (y, j):
        assert p.targets == ("response",)
        assert p.escalations == ("lead",)
        assert p.calendars == ("office",)
        assert p.labels == {"response": {"kind": "ola"}}
        assert p.source_name is None
    # Different texts: different fingerprints, even for the same meaning.
    assert y != j


def test_fingerprint_is_of_the_text(helpdesk: duly.Policy) -> None:
    fp = helpdesk.fingerprint
    assert len(fp) == 16 and all(c in "0123456789abcdef" for c in fp)
    same = duly.Policy.from_yaml(HELPDESK.read_text())
    assert same.fingerprint == fp
    assert same == helpdesk and hash(same) == hash(helpdesk)
    edited = duly.Policy.from_yaml(HELPDESK.read_text() + "\n# a comment\n")
    assert edited.fingerprint != fp
    assert edited != helpdesk


def test_source_names_the_text_in_messages() -> None:
    p = duly.Policy.from_yaml(SMALL_YAML, source="small.yaml")
    assert p.source_name == "small.yaml"
    with pytest.raises(duly.Error) as e:
        duly.Policy.from_yaml("duly: 1\ntargets: [\n", source="broken.yaml")
    assert e.value.file == "broken.yaml"


def test_repr(helpdesk: duly.Policy) -> None:
    assert repr(helpdesk) == (
        f"<duly.Policy {str(HELPDESK)!r} targets=['first_response', 'resolution'] "
        f"escalations=['team_lead', 'support_manager'] fingerprint={helpdesk.fingerprint!r}>"
    )
    assert repr(duly.Policy.from_yaml(SMALL_YAML)).startswith("<duly.Policy targets=['response']")


def test_policy_has_no_public_constructor() -> None:
    with pytest.raises(TypeError, match="from_yaml"):
        duly.Policy()


def test_policy_text_must_be_str() -> None:
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.Policy.from_yaml(SMALL_YAML.encode())  # type: ignore[arg-type]
    assert str(e.value) == "text: expected the policy document as str, got bytes: decode it first, e.g. text.decode('utf-8')"


def test_policies_are_immutable(helpdesk: duly.Policy) -> None:
    with pytest.raises(AttributeError):
        helpdesk.fingerprint = "x"  # type: ignore[misc]
    assert copy.copy(helpdesk) is helpdesk
    assert copy.deepcopy(helpdesk) is helpdesk


# --- pickling -----------------------------------------------------------------------------


def test_pickle_round_trip(helpdesk: duly.Policy) -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(helpdesk, protocol=protocol))
        assert back == helpdesk
        assert back is not helpdesk
        assert back.source == helpdesk.source
        assert back.source_name == helpdesk.source_name
        assert back.targets == helpdesk.targets


def test_a_pickled_policy_evaluates_the_same(helpdesk: duly.Policy) -> None:
    events = [
        {"id": "T-1", "at": "2026-11-23T09:15:00-05:00", "event": "created", "priority": "P2", "channel": "email"}
    ]
    back = pickle.loads(pickle.dumps(helpdesk))
    a = duly.evaluate(helpdesk, events, "2026-11-24T17:00:00Z")
    b = duly.evaluate(back, events, "2026-11-24T17:00:00Z")
    assert a.timers == b.timers and a.escalations == b.escalations


# --- errors: the whole message, position included -----------------------------------------


def test_condition_syntax_error_names_line_column_and_path() -> None:
    text = 'duly: 1\ntargets:\n  - name: t\n    start_when: event == \n    goals: [{within: 4h}]\n'
    with pytest.raises(duly.ParseError) as e:
        duly.Policy.from_yaml(text, source="p.yaml")
    err = e.value
    assert str(err) == "p.yaml:4:25: targets[0].start_when: expected a value after '=='"
    assert (err.file, err.line, err.column, err.path) == ("p.yaml", 4, 25, "targets[0].start_when")
    assert err.render() == (
        "p.yaml:4:25: targets[0].start_when: expected a value after '=='\n"
        "    start_when: event == \n"
        "                        ^"
    )


def test_every_problem_is_reported_at_once() -> None:
    text = textwrap.dedent(
        """\
        duly: 1
        targets:
          - name: t
            start_when: event == "created" and
            goals:
              - {within: 4x}
          - name: u
            start_when: event == "x"
            goals: [{within: 1h, calendar: nope}]
        """
    )
    with pytest.raises(duly.Error) as e:
        duly.Policy.from_yaml(text, source="bad.yaml")
    err = e.value
    assert isinstance(err, duly.ParseError)  # the first problem's code
    assert str(err) == (
        "bad.yaml:4:39: targets[0].start_when: expected a condition after 'and'\n"
        "bad.yaml:6:18: targets[0].goals[0].within: invalid duration '4x': unknown unit 'x' (s, m, h, d, bd or cd)\n"
        "bad.yaml:9:36: targets[1].goals[0].calendar: unknown calendar 'nope' (the policy defines no calendars)"
    )
    assert [(d.code, d.line, d.column, d.path) for d in err.diagnostics] == [
        ("parse_error", 4, 39, "targets[0].start_when"),
        ("invalid_argument", 6, 18, "targets[0].goals[0].within"),
        ("invalid_argument", 9, 36, "targets[1].goals[0].calendar"),
    ]


def test_bad_value_is_an_invalid_argument_error() -> None:
    text = 'duly: 1\ntargets:\n  - name: t\n    start_when: event == "a"\n    goals: [{within: 4x}]\n'
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.Policy.from_yaml(text, source="p.yaml")
    assert str(e.value) == (
        "p.yaml:5:22: targets[0].goals[0].within: invalid duration '4x': unknown unit 'x' (s, m, h, d, bd or cd)"
    )
    assert (e.value.line, e.value.column, e.value.path) == (5, 22, "targets[0].goals[0].within")


def test_unknown_key_is_reported_with_its_path() -> None:
    text = SMALL_YAML.replace("    labels: {kind: ola}\n", "    labels: {kind: ola}\n    colour: red\n")
    with pytest.raises(duly.Error) as e:
        duly.Policy.from_yaml(text, source="p.yaml")
    assert e.value.path == "targets[0].colour"
    assert (e.value.line, e.value.column) == (7, 5)
    assert str(e.value).startswith("p.yaml:7:5: targets[0].colour: unknown key (expected name, labels, ")


def test_unknown_zone_in_a_policy_calendar() -> None:
    text = SMALL_YAML.replace("America/New_York", "Mars/Base")
    with pytest.raises(duly.UnknownZoneError) as e:
        duly.Policy.from_yaml(text, source="p.yaml")
    assert str(e.value).splitlines()[0] == (
        "p.yaml:3:22: calendars.office.timezone: unknown time zone 'Mars/Base': "
        "not in the system tz database (/usr/share/zoneinfo)"
    )
    assert e.value.path == "calendars.office.timezone"


def test_yaml_syntax_error() -> None:
    with pytest.raises(duly.ParseError) as e:
        duly.Policy.from_yaml("duly: 1\ntargets: [\n", source="p.yaml")
    assert str(e.value) == "p.yaml:3:1: end of sequence flow not found"
    assert (e.value.line, e.value.column, e.value.path) == (3, 1, None)


def test_empty_document() -> None:
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.Policy.from_yaml("")
    assert str(e.value) == "empty policy: expected duly: 1, calendars and targets"


def test_load_policy_errors_name_the_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text('duly: 1\ntargets:\n  - name: t\n    start_when: event == \n    goals: [{within: 4h}]\n')
    with pytest.raises(duly.ParseError) as e:
        duly.load_policy(path)
    assert str(e.value) == f"{path}:4:25: targets[0].start_when: expected a value after '=='"
    assert e.value.file == str(path)


def test_missing_file_is_an_io_error(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "missing.yaml"
    with pytest.raises(duly.IoError) as e:
        duly.load_policy(path)
    assert str(e.value) == f"{path}: cannot open the file for reading: No such file or directory"


def test_policy_errors_pickle() -> None:
    with pytest.raises(duly.ParseError) as e:
        duly.Policy.from_yaml('duly: 1\ntargets:\n  - name: t\n    start_when: event == \n    goals: [{within: 4h}]\n')
    back = pickle.loads(pickle.dumps(e.value))
    assert type(back) is duly.ParseError
    assert str(back) == str(e.value)
    assert back.diagnostics == e.value.diagnostics
