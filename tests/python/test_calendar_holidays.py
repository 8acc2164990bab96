"""Calendar(holidays=...) with the holidays package and mixed inputs, and the
check that the package's England 2000-2040 equals the rules and one-off dates
written in docs/calendars.md."""

from __future__ import annotations

import datetime as dt
import pickle

import holidays
import pytest

import duly
from test_calendar_docs import doc_block, utc

YEARS = range(2000, 2041)


def test_the_holidays_package_object_works_as_it_is() -> None:
    eng = holidays.country_holidays("GB", subdiv="ENG", years=range(2020, 2031))
    cal = duly.Calendar(timezone="Europe/London", hours={"mon-fri": "09:00-17:30"}, holidays=eng)
    assert cal.add(utc("2021-12-24T15:30:00Z"), "4h") == utc("2021-12-29T11:00:00Z")
    assert not cal.is_open(utc("2022-09-19T12:00:00Z"))  # the state funeral
    assert {"name": "New Year's Day", "date": "2020-01-01"} in cal.to_dict()["holidays"]
    assert pickle.loads(pickle.dumps(cal)) == cal


def test_england_2000_to_2040_equals_the_documented_rules() -> None:
    """The package lists each weekend date as well as its observed weekday; the
    calendar closes the weekend anyway, so weekdays are compared."""
    package = holidays.country_holidays("GB", subdiv="ENG", years=YEARS)
    cal = duly.Calendar.from_yaml(doc_block("# England and Wales bank holidays"))
    for year in YEARS:
        want = sorted(d for d in package if d.year == year and d.weekday() < 5)
        assert cal.holidays_in(year) == want, year


def test_dates_and_rules_mixed_in_any_iterable() -> None:
    gen = (h for h in [dt.date(2026, 12, 24), "2026-12-31", {"name": "Christmas", "month": 12, "day": 25}])
    cal = duly.Calendar(holidays=gen)
    assert cal.holidays_in(2026) == [dt.date(2026, 12, 24), dt.date(2026, 12, 25), dt.date(2026, 12, 31)]
    assert duly.Calendar(holidays=(dt.date(2026, 1, 2),)).holidays_in(2026) == [dt.date(2026, 1, 2)]
    assert duly.Calendar(holidays={dt.date(2026, 1, 2)}).holidays_in(2026) == [dt.date(2026, 1, 2)]
    mapping = duly.Calendar(holidays={dt.date(2026, 5, 1): "May Day", "2026-05-04": None})
    assert mapping.holidays_in(2026) == [dt.date(2026, 5, 1), dt.date(2026, 5, 4)]


def test_bad_holidays_say_where() -> None:
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.Calendar(holidays={1: "one"})
    assert e.value.path == "holidays"
    assert str(e.value) == "holidays: a mapping of holidays needs dates as keys, got int 1"
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.Calendar(holidays="2026-12-25")
    assert e.value.path == "holidays"
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.Calendar(holidays=[dt.date(2026, 1, 1), dt.datetime(2026, 1, 2, 9)])
    assert e.value.path == "holidays[1]"
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.Calendar(holidays={dt.date(2026, 1, 1): 3})
    assert e.value.path == "holidays.2026-01-01"


def test_new_rule_forms_from_python() -> None:
    cal = duly.Calendar(
        timezone="Europe/London",
        hours={"mon-fri": "09:00-17:00"},
        holidays=[{"month": 12, "day": 25, "observed": "substitute"},
                  {"month": 12, "day": 26, "observed": "substitute"},
                  {"month": 6, "day": 19, "since": 2021},
                  {"start": "2026-03-02T10:00", "end": "2026-03-02T11:00"}],
        exceptions=[{"month": 12, "day": 24, "hours": ["09:00-12:00"]}],
    )
    assert [d for d in cal.holidays_in(2021) if d.month == 12] == [dt.date(2021, 12, 27), dt.date(2021, 12, 28)]
    assert cal.elapsed(utc("2026-03-02T00:00:00Z"), utc("2026-03-03T00:00:00Z")) == dt.timedelta(hours=7)
    assert cal.elapsed(utc("2025-12-24T00:00:00Z"), utc("2025-12-25T00:00:00Z")) == dt.timedelta(hours=3)
    assert duly.Calendar(**cal.to_dict()) == cal
    assert pickle.loads(pickle.dumps(cal)) == cal


def test_versions_from_python() -> None:
    cal = duly.Calendar(versions=[
        {"from": dt.date(2025, 1, 1), "timezone": "America/New_York", "hours": {"mon-fri": "09:00-17:00"}},
        {"from": "2026-06-03", "timezone": "Asia/Tokyo", "hours": {"mon-fri": "09:00-17:00"}},
    ])
    assert cal.add(utc("2026-06-02T13:00:00Z"), "4h") == utc("2026-06-03T02:00:00Z")
    assert pickle.loads(pickle.dumps(cal)) == cal
    with pytest.raises(duly.InvalidArgumentError) as e:
        duly.Calendar(hours={"mon": "09:00-17:00"}, versions=[])
    assert e.value.path == "versions"


def test_ics_paths_from_text_and_files(tmp_path: object) -> None:
    import pathlib

    base = pathlib.Path(str(tmp_path))
    (base / "feeds").mkdir()
    (base / "feeds" / "x.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a\r\n"
        "DTSTART;VALUE=DATE:20261228\r\nSUMMARY:Shutdown\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    (base / "cal.yaml").write_text("holidays: [{ics: feeds/x.ics}]\n")
    assert duly.load_calendar(base / "cal.yaml").holidays_in(2026) == [dt.date(2026, 12, 28)]
    text = "holidays: [{ics: feeds/x.ics}]\n"
    assert duly.Calendar.from_yaml(text, base_dir=base).holidays_in(2026) == [dt.date(2026, 12, 28)]
    with pytest.raises(duly.Error) as e:
        duly.Calendar.from_yaml(text, base_dir=base / "nowhere")
    assert "nowhere/feeds/x.ics" in str(e.value)
