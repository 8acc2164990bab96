"""duly.Error and its subclasses: classes, paths, positions and messages."""

from __future__ import annotations

import datetime as dt
import pathlib
import pickle
from typing import Any

import pytest

import duly
from conftest import ny, utc

H = dt.timedelta(hours=1)


def test_hierarchy() -> None:
    assert issubclass(duly.Error, ValueError)
    for cls, code in [
        (duly.InvalidArgumentError, "invalid_argument"),
        (duly.ParseError, "parse_error"),
        (duly.UnknownZoneError, "unknown_zone"),
        (duly.OutOfRangeError, "out_of_range"),
        (duly.NeverOpenError, "never_open"),
        (duly.NeverClosesError, "never_closes"),
        (duly.IoError, "io_error"),
    ]:
        assert issubclass(cls, duly.Error)
        assert cls.code == code


# --- bad calendar keyword arguments ----------------------------------------------------

BAD_KWARGS: list[tuple[dict[str, Any], type[duly.Error], str, str]] = [
    ({"hours": {"mon-fri": "25:00-26:00"}}, duly.InvalidArgumentError, "hours.mon-fri", "'25:00'"),
    ({"hours": {"mon-fri": ["09:00-12:00", "25:00-26:00"]}}, duly.InvalidArgumentError, "hours.mon-fri[1]", "'25:00'"),
    ({"hours": {"mon-fri": "9-17"}}, duly.InvalidArgumentError, "hours.mon-fri", "'9-17'"),
    ({"hours": {"mon-fri": "noon-17:00"}}, duly.InvalidArgumentError, "hours.mon-fri", "'noon'"),
    ({"hours": {"funday": "09:00-17:00"}}, duly.InvalidArgumentError, "hours.funday", "unknown day 'funday'"),
    ({"hours": {"mon": 9}}, duly.InvalidArgumentError, "hours.mon", ""),
    ({"timezone": "Mars/Base"}, duly.UnknownZoneError, "timezone", "Mars/Base"),
    (
        {"holidays": [{"month": 11, "weekday": "thu", "nth": 6}]},
        duly.InvalidArgumentError,
        "holidays[0].nth",
        "got 6",
    ),
    (
        {"holidays": [{"month": 11, "weekday": "thursday-ish", "nth": 1}]},
        duly.InvalidArgumentError,
        "holidays[0].weekday",
        "thursday-ish",
    ),
    ({"holidays": ["2026-02-30"]}, duly.InvalidArgumentError, "holidays[0]", "2026-02-30"),
    ({"holidays": [dt.date(2026, 1, 1), {"month": 13, "day": 1}]}, duly.InvalidArgumentError, "holidays[1].month", "13"),
    ({"holidays": [dt.datetime(2026, 1, 1)]}, duly.InvalidArgumentError, "holidays[0]", "datetime"),
    ({"exceptions": {"2026-02-30": []}}, duly.InvalidArgumentError, "exceptions.2026-02-30", "2026-02-30"),
    ({"exceptions": {dt.date(2026, 12, 24): ["8-12"]}}, duly.InvalidArgumentError, "exceptions.2026-12-24[0]", "8-12"),
    ({"exceptions": {1: []}}, duly.InvalidArgumentError, "exceptions", "keys"),
    ({"timezone": 5}, duly.InvalidArgumentError, "timezone", "int"),
    ({"hours": {"mon": object()}}, duly.InvalidArgumentError, "hours.mon", "object"),
]


@pytest.mark.parametrize(("kwargs", "cls", "path", "text"), BAD_KWARGS)
def test_bad_keyword_arguments(kwargs: dict[str, Any], cls: type[duly.Error], path: str, text: str) -> None:
    with pytest.raises(cls) as info:
        duly.Calendar(**kwargs)
    e = info.value
    assert isinstance(e, duly.Error) and isinstance(e, ValueError)
    assert e.path == path
    assert text in str(e)
    # Positions would point into generated JSON: kwargs errors have none.
    assert e.line is None and e.column is None and e.file is None
    assert str(e).startswith(f"{path}: ")
    assert e.diagnostics[0].path == path


def test_unknown_zone_message_names_it() -> None:
    with pytest.raises(duly.UnknownZoneError) as info:
        duly.Calendar(timezone="Mars/Base")
    assert "'Mars/Base'" in str(info.value)
    assert info.value.code == "unknown_zone"


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(duly.Error) as info:
        duly.Calendar(
            timezone="Mars/Base",
            hours={"mon-fri": "9-17", "funday": "09:00-10:00"},
            holidays=[{"month": 11, "weekday": "thu", "nth": 6}],
        )
    paths = [d.path for d in info.value.diagnostics]
    assert sorted(paths) == sorted(["timezone", "hours.mon-fri", "hours.funday", "holidays[0].nth"])
    assert len(str(info.value).splitlines()) == 4


# --- documents keep their positions --------------------------------------------------


def test_yaml_errors_carry_line_column_and_path() -> None:
    text = "timezone: UTC\nhours:\n  mon-fri: [\"09:00-12:00\", \"25:00-26:00\"]\n"
    with pytest.raises(duly.InvalidArgumentError) as info:
        duly.Calendar.from_yaml(text)
    e = info.value
    assert (e.line, e.column, e.path, e.file) == (3, 28, "hours.mon-fri[1]", None)
    assert str(e).startswith("3:28: hours.mon-fri[1]: invalid window '25:00-26:00'")
    assert e.render().splitlines()[1:] == ['  mon-fri: ["09:00-12:00", "25:00-26:00"]', " " * 27 + "^"]


def test_yaml_source_name_and_file_errors(tmp_path: pathlib.Path) -> None:
    with pytest.raises(duly.UnknownZoneError) as info:
        duly.Calendar.from_yaml("timezone: Mars/Base\n", source="support.yaml")
    assert str(info.value).startswith("support.yaml:1:11: timezone: ")
    path = tmp_path / "bad.yaml"
    path.write_text("hours:\n  funday: 09:00-10:00\n")
    with pytest.raises(duly.InvalidArgumentError) as info2:
        duly.load_calendar(path)
    e = info2.value
    assert (e.file, e.line, e.column, e.path) == (str(path), 2, 3, "hours.funday")


def test_json_errors_keep_positions() -> None:
    with pytest.raises(duly.InvalidArgumentError) as info:
        duly.Calendar.from_json('{"hours": {"mon": "09:00-17:00"},\n "holidays": [{"month": 11, "weekday": "thu", "nth": 6}]}')
    assert info.value.line == 2 and info.value.path == "holidays[0].nth"


def test_malformed_document_is_a_parse_error() -> None:
    with pytest.raises(duly.ParseError) as info:
        duly.Calendar.from_yaml("hours: [\n")
    assert info.value.line is not None


def test_unknown_key_in_a_document() -> None:
    with pytest.raises(duly.InvalidArgumentError) as info:
        duly.Calendar.from_yaml("timezone: UTC\nopening: 9\n")
    assert info.value.path == "opening"


def test_missing_file_is_an_io_error(tmp_path: pathlib.Path) -> None:
    with pytest.raises(duly.IoError) as info:
        duly.load_calendar(tmp_path / "nope.yaml")
    assert "nope.yaml" in str(info.value)


# --- bad arguments to the arithmetic ----------------------------------------------------


def test_naive_datetime_says_how_to_fix_it(office: duly.Calendar) -> None:
    with pytest.raises(duly.InvalidArgumentError) as info:
        office.add(dt.datetime(2026, 11, 23, 9), H)
    e = info.value
    assert e.path == "t"
    assert str(e).startswith(
        "t: naive datetime 2026-11-23 09:00:00: attach a time zone, e.g. "
        "dt.replace(tzinfo=datetime.timezone.utc) or "
    )
    assert "zoneinfo.ZoneInfo(" in str(e)


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda c: c.elapsed(ny(2026, 11, 23, 9), dt.datetime(2026, 11, 23, 10)), "b"),
        (lambda c: c.elapsed(dt.datetime(2026, 11, 23, 10), ny(2026, 11, 23, 9)), "a"),
        (lambda c: c.subtract(dt.datetime(2026, 11, 23, 10), H), "t"),
        (lambda c: c.is_open(dt.datetime(2026, 11, 23, 10)), "t"),
        (lambda c: c.next_open(dt.datetime(2026, 11, 23, 10)), "t"),
        (lambda c: c.next_close(dt.datetime(2026, 11, 23, 10)), "t"),
        (lambda c: c.add_business_days(dt.datetime(2026, 11, 23, 10), 1), "t"),
    ],
)
def test_every_method_rejects_naive_datetimes(office: duly.Calendar, call: Any, path: str) -> None:
    with pytest.raises(duly.InvalidArgumentError, match="naive datetime") as info:
        call(office)
    assert info.value.path == path


def test_text_without_offset_is_rejected(office: duly.Calendar) -> None:
    with pytest.raises(duly.InvalidArgumentError) as info:
        office.add("2026-11-23T09:00:00", H)
    assert info.value.path == "t"


@pytest.mark.parametrize("bad", [dt.date(2026, 11, 23), 1763888400, 1763888400.0, None])
def test_instants_of_the_wrong_type(office: duly.Calendar, bad: object) -> None:
    with pytest.raises(duly.InvalidArgumentError) as info:
        office.is_open(bad)  # type: ignore[arg-type]
    assert info.value.path == "t"


def test_negative_durations(office: duly.Calendar) -> None:
    with pytest.raises(duly.InvalidArgumentError) as info:
        office.add(ny(2026, 11, 23, 9), -H)
    assert info.value.path == "d"
    assert "negative" in str(info.value)
    with pytest.raises(duly.InvalidArgumentError) as info:
        office.subtract(ny(2026, 11, 23, 9), dt.timedelta(microseconds=-1))
    assert info.value.path == "d"
    with pytest.raises(duly.InvalidArgumentError) as info:
        office.add_business_days(ny(2026, 11, 23, 9), -1)
    assert info.value.path == "n"


@pytest.mark.parametrize("bad", ["4x", "", "-4h", "h4", "3bd2h"])
def test_bad_duration_text(office: duly.Calendar, bad: str) -> None:
    with pytest.raises(duly.InvalidArgumentError) as info:
        office.add(ny(2026, 11, 23, 9), bad)
    assert info.value.path == "d"


def test_other_bad_durations(office: duly.Calendar) -> None:
    with pytest.raises(duly.InvalidArgumentError, match="int") as info:
        office.add(ny(2026, 11, 23, 9), 3600)  # type: ignore[arg-type]
    assert info.value.path == "d"
    with pytest.raises(duly.InvalidArgumentError, match="business days"):
        office.subtract(ny(2026, 11, 23, 9), "2bd")
    with pytest.raises(duly.InvalidArgumentError):
        office.add_business_days(ny(2026, 11, 23, 9), 1.5)  # type: ignore[arg-type]


def test_out_of_range_instants(office: duly.Calendar) -> None:
    for t in (utc(1969, 12, 31, 23, 59, 59), utc(2200, 1, 1), utc(9999, 1, 1)):
        with pytest.raises(duly.OutOfRangeError) as info:
            office.is_open(t)
        assert info.value.path == "t"
        with pytest.raises(duly.OutOfRangeError):
            office.add(t, H)
        with pytest.raises(duly.OutOfRangeError):
            office.elapsed(t, utc(2026, 1, 1))
    assert office.is_open(utc(1970, 1, 1, 15)) is True  # Thursday 10:00 in New York
    with pytest.raises(duly.OutOfRangeError):
        office.add(utc(2199, 12, 1), dt.timedelta(days=100_000))


def test_never_open_and_never_closes() -> None:
    closed = duly.Calendar(hours={})
    with pytest.raises(duly.NeverOpenError):
        closed.add(utc(2026, 11, 23), H)
    with pytest.raises(duly.NeverOpenError):
        closed.next_open(utc(2026, 11, 23))
    assert closed.add(utc(2026, 11, 23), "0s") == utc(2026, 11, 23)
    assert closed.elapsed(utc(2026, 1, 1), utc(2027, 1, 1)) == dt.timedelta(0)
    with pytest.raises(duly.NeverClosesError):
        duly.Calendar().next_close(utc(2026, 11, 23))


# --- the exception objects -----------------------------------------------------------------


def test_errors_pickle() -> None:
    with pytest.raises(duly.Error) as info:
        duly.Calendar.from_yaml("timezone: Mars/Base\nhours: {funday: '09:00-10:00'}\n", source="x.yaml")
    back = pickle.loads(pickle.dumps(info.value))
    assert type(back) is type(info.value)
    assert str(back) == str(info.value)
    assert back.diagnostics == info.value.diagnostics
    assert (back.line, back.column, back.path, back.file) == (1, 11, "timezone", "x.yaml")


def test_errors_can_be_raised_by_users() -> None:
    e = duly.InvalidArgumentError("bad thing", path="x.y")
    assert str(e) == "x.y: bad thing"
    assert e.path == "x.y" and e.line is None
    assert e.diagnostics == [duly.Diagnostic(code="invalid_argument", message="bad thing", path="x.y")]
    assert str(duly.Error("plain")) == "plain"


def test_every_code_of_the_library_has_a_class() -> None:
    from duly import _duly, _errors

    codes = _duly.error_codes()
    assert codes[1] == "invalid_argument" and len(codes) >= 7
    for name in codes.values():
        assert _errors.error_class(name) is not duly.Error, name
