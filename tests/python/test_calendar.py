"""duly.Calendar on aware datetimes: arithmetic against hand-computed values."""

from __future__ import annotations

import copy
import datetime as dt
import importlib.metadata
import json
import pathlib
import pickle
from zoneinfo import ZoneInfo

import pytest

import duly
from conftest import DENVER, NEW_YORK, EXAMPLE_CALENDAR_YAML, UTC, den, ny, utc

H = dt.timedelta(hours=1)


# --- the package ----------------------------------------------------------------


def test_version_matches_the_distribution_and_the_library() -> None:
    assert duly.__version__ == "0.1.0"
    assert duly.__version__ == importlib.metadata.version("duly")


def test_all_names_exist() -> None:
    for name in duly.__all__:
        assert hasattr(duly, name), name
    assert "Calendar" in duly.__all__ and "Error" in duly.__all__


# --- Mon-Fri 09:00-17:00 New York --------------------------------------------------


def test_add_runs_over_the_weekend(office: duly.Calendar) -> None:
    # Fri 16:00 + 2h: one hour on Friday, one on Monday morning.
    due = office.add(ny(2026, 11, 20, 16), dt.timedelta(hours=2))
    assert due == ny(2026, 11, 23, 10)
    assert due.tzinfo is dt.timezone.utc
    assert due == utc(2026, 11, 23, 15)


def test_add_can_end_exactly_at_closing_time(office: duly.Calendar) -> None:
    assert office.add(ny(2026, 11, 23, 9), 8 * H) == ny(2026, 11, 23, 17)
    assert office.add(ny(2026, 11, 23, 9), 8 * H + dt.timedelta(seconds=1)) == ny(
        2026, 11, 24, 9, 0, 1
    )


def test_add_zero_returns_the_start_even_when_closed(office: duly.Calendar) -> None:
    saturday = ny(2026, 11, 21, 12)
    assert office.add(saturday, dt.timedelta(0)) == saturday
    assert office.add(saturday, "0s") == saturday


def test_add_from_closed_time_starts_at_the_next_opening(office: duly.Calendar) -> None:
    assert office.add(ny(2026, 11, 21, 12), 30 * dt.timedelta(minutes=1)) == ny(2026, 11, 23, 9, 30)


def test_add_accepts_duration_text(office: duly.Calendar) -> None:
    start = ny(2026, 11, 23, 9)  # Monday
    assert office.add(start, "4h") == ny(2026, 11, 23, 13)
    assert office.add(start, "1h30m") == ny(2026, 11, 23, 10, 30)
    # 2d = 48 hours of open time = six 8-hour days: Mon..Fri and the next Monday.
    assert office.add(start, "2d") == ny(2026, 11, 30, 17)


def test_business_days(office: duly.Calendar) -> None:
    friday = ny(2026, 11, 20, 16)
    assert office.add_business_days(friday, 1) == ny(2026, 11, 23, 17)
    assert office.add(friday, "3bd") == ny(2026, 11, 25, 17)
    assert office.add_business_days(friday, 0) == friday
    # From a Saturday, the first open day after it is Monday.
    assert office.add_business_days(ny(2026, 11, 21, 12), 1) == ny(2026, 11, 23, 17)


def test_subtract(office: duly.Calendar) -> None:
    assert office.subtract(ny(2026, 11, 23, 10), 2 * H) == ny(2026, 11, 20, 16)
    assert office.subtract(ny(2026, 11, 23, 9), H) == ny(2026, 11, 20, 16)
    assert office.subtract(ny(2026, 11, 23, 12), "3h") == ny(2026, 11, 23, 9)
    assert office.subtract(ny(2026, 11, 23, 12), dt.timedelta(0)) == ny(2026, 11, 23, 12)


def test_elapsed(office: duly.Calendar) -> None:
    fri, mon = ny(2026, 11, 20, 16), ny(2026, 11, 23, 10)
    assert office.elapsed(fri, mon) == 2 * H
    assert office.elapsed(mon, fri) == -2 * H
    assert office.elapsed(fri, fri) == dt.timedelta(0)
    # A whole week: five 8-hour days.
    assert office.elapsed(ny(2026, 11, 23), ny(2026, 11, 30)) == 40 * H
    assert isinstance(office.elapsed(fri, mon), dt.timedelta)


def test_is_open(office: duly.Calendar) -> None:
    assert office.is_open(ny(2026, 11, 20, 9))
    assert office.is_open(ny(2026, 11, 20, 16, 59, 59))
    assert not office.is_open(ny(2026, 11, 20, 17))
    assert not office.is_open(ny(2026, 11, 20, 8, 59, 59))
    assert not office.is_open(ny(2026, 11, 21, 12))  # Saturday


def test_next_open_and_next_close(office: duly.Calendar) -> None:
    assert office.next_open(ny(2026, 11, 21, 12)) == ny(2026, 11, 23, 9)
    assert office.next_open(ny(2026, 11, 23, 10)) == ny(2026, 11, 23, 10)
    assert office.next_close(ny(2026, 11, 23, 10)) == ny(2026, 11, 23, 17)
    assert office.next_close(ny(2026, 11, 21, 12)) == ny(2026, 11, 21, 12)
    assert office.next_open(ny(2026, 11, 21, 12)).tzinfo is dt.timezone.utc


def test_open_intervals(office: duly.Calendar) -> None:
    spans = office.open_intervals(ny(2026, 11, 20, 12), ny(2026, 11, 23, 10))
    assert spans == [(ny(2026, 11, 20, 12), ny(2026, 11, 20, 17)), (ny(2026, 11, 23, 9), ny(2026, 11, 23, 10))]


# --- instants in and out ------------------------------------------------------------


@pytest.mark.parametrize(
    "start",
    [
        ny(2026, 11, 20, 16),
        utc(2026, 11, 20, 21),
        dt.datetime(2026, 11, 21, 2, 30, tzinfo=ZoneInfo("Asia/Kolkata")),
        dt.datetime(2026, 11, 20, 14, tzinfo=DENVER),
        dt.datetime(2026, 11, 20, 16, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        dt.datetime(2026, 11, 21, 8, 45, tzinfo=dt.timezone(dt.timedelta(hours=11, minutes=45))),
        "2026-11-20T21:00:00Z",
        "2026-11-20T16:00:00-05:00",
    ],
)
def test_any_aware_start_gives_the_same_utc_answer(office: duly.Calendar, start: object) -> None:
    due = office.add(start, 2 * H)  # type: ignore[arg-type]
    assert due == utc(2026, 11, 23, 15)
    assert due.tzinfo is dt.timezone.utc
    assert due.utcoffset() == dt.timedelta(0)


def test_dst_fold_is_respected() -> None:
    cal = duly.Calendar()  # 24x7 UTC
    first = dt.datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=0)  # EDT, 05:30Z
    second = dt.datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=1)  # EST, 06:30Z
    assert cal.add(first, "0s") == utc(2026, 11, 1, 5, 30)
    assert cal.add(second, "0s") == utc(2026, 11, 1, 6, 30)
    assert cal.elapsed(first, second) == H


def test_sub_second_parts_are_floored(office: duly.Calendar) -> None:
    t = ny(2026, 11, 23, 10, 0, 5)
    assert office.add(t + dt.timedelta(microseconds=999_999), "0s") == t
    assert office.add(t, dt.timedelta(seconds=1, microseconds=999_999)) == t + dt.timedelta(seconds=1)
    assert office.add(t, dt.timedelta(microseconds=999_999)) == t
    assert office.add("2026-11-23T15:00:05.750Z", "0s") == t


def test_default_calendar_is_open_all_the_time() -> None:
    cal = duly.Calendar()
    assert cal.timezone == "UTC"
    start = utc(2026, 11, 21, 3)
    assert cal.add(start, 4 * H) == start + 4 * H
    assert cal.elapsed(start, start + 30 * H) == 30 * H
    assert cal.is_open(start)


def test_timezone_from_zoneinfo_object() -> None:
    cal = duly.Calendar(timezone=NEW_YORK, hours={"mon-fri": "09:00-17:00"})
    assert cal.timezone == "America/New_York"
    assert cal.add(ny(2026, 11, 20, 16), 2 * H) == ny(2026, 11, 23, 10)
    assert duly.Calendar(timezone=dt.timezone.utc).timezone == "UTC"


def test_with_timezone(office: duly.Calendar) -> None:
    denver = office.with_timezone("America/Denver")
    assert denver.timezone == "America/Denver"
    assert denver.next_open(den(2026, 11, 21, 12)) == den(2026, 11, 23, 9)
    assert office.timezone == "America/New_York"


# --- DST and windows across midnight ------------------------------------------------


def test_spring_forward_window_opens_at_the_transition() -> None:
    # 2026-03-08: New York skips 02:00-03:00. A 02:30-04:00 window opens at 03:00 EDT.
    cal = duly.Calendar(timezone="America/New_York", hours={"daily": "02:30-04:00"})
    day = (ny(2026, 3, 8), ny(2026, 3, 9))
    assert cal.elapsed(*day) == H
    assert cal.next_open(ny(2026, 3, 8)) == utc(2026, 3, 8, 7)
    skipped = duly.Calendar(timezone="America/New_York", hours={"daily": "02:00-03:00"})
    assert skipped.elapsed(*day) == dt.timedelta(0)


def test_fall_back_window_runs_from_the_first_occurrence() -> None:
    # 2026-11-01: New York repeats 01:00-02:00. 01:30-03:00 lasts 2.5 hours.
    cal = duly.Calendar(timezone="America/New_York", hours={"daily": "01:30-03:00"})
    assert cal.elapsed(ny(2026, 11, 1), ny(2026, 11, 2)) == dt.timedelta(hours=2, minutes=30)
    assert cal.next_open(ny(2026, 11, 1)) == utc(2026, 11, 1, 5, 30)
    assert cal.next_close(utc(2026, 11, 1, 6)) == utc(2026, 11, 1, 8)


def test_window_across_midnight_belongs_to_its_start_day() -> None:
    cal = duly.Calendar(timezone="UTC", hours={"fri": "22:00-02:00"})
    assert cal.is_open(utc(2026, 11, 21, 1))  # Saturday 01:00, from Friday's window
    assert not cal.is_open(utc(2026, 11, 20, 1))  # Friday 01:00: Thursday has no window
    assert cal.add(utc(2026, 11, 20, 12), 3 * H) == utc(2026, 11, 21, 1)


# --- the example calendar of docs/calendars.md ------------------------------------------------------


def test_spec_example_lunch_break(spec_calendar: duly.Calendar) -> None:
    assert spec_calendar.timezone == "America/Denver"
    assert spec_calendar.add(den(2026, 11, 23, 11), 2 * H) == den(2026, 11, 23, 14)
    assert not spec_calendar.is_open(den(2026, 11, 23, 12, 30))


def test_spec_example_saturday_hours(spec_calendar: duly.Calendar) -> None:
    assert spec_calendar.is_open(den(2026, 11, 28, 10))
    assert not spec_calendar.is_open(den(2026, 11, 28, 13))
    assert not spec_calendar.is_open(den(2026, 11, 29, 10))  # Sunday
    # Friday 16:00 + 3h: Fri 16-17, Sat 09-11.
    assert spec_calendar.add(den(2026, 11, 20, 16), 3 * H) == den(2026, 11, 21, 11)


def test_spec_example_thanksgiving(spec_calendar: duly.Calendar) -> None:
    # 4th Thursday of November 2026 is the 26th.
    assert not spec_calendar.is_open(den(2026, 11, 26, 10))
    assert spec_calendar.is_open(den(2026, 11, 25, 10))
    assert spec_calendar.add(den(2026, 11, 25, 16), 2 * H) == den(2026, 11, 27, 9)
    assert spec_calendar.add(den(2026, 11, 25, 16), 2 * H) == utc(2026, 11, 27, 16)


def test_spec_example_rules_in_other_years(spec_calendar: duly.Calendar) -> None:
    assert not spec_calendar.is_open(den(2026, 5, 25, 10))  # last Monday of May 2026
    assert spec_calendar.is_open(den(2026, 5, 18, 10))
    assert not spec_calendar.is_open(den(2026, 4, 6, 10))  # Easter Monday (Easter: April 5)
    assert not spec_calendar.is_open(den(2027, 12, 24, 10))  # Christmas 2027 is a Saturday
    assert not spec_calendar.is_open(den(2022, 12, 26, 10))  # Christmas 2022 is a Sunday
    assert spec_calendar.is_open(den(2022, 12, 23, 10))


def test_spec_example_christmas_week(spec_calendar: duly.Calendar) -> None:
    assert spec_calendar.is_open(den(2026, 12, 24, 11))
    assert not spec_calendar.is_open(den(2026, 12, 24, 13, 30))  # exception: mornings only
    assert not spec_calendar.is_open(den(2026, 12, 25, 10))
    assert not spec_calendar.is_open(den(2026, 12, 31, 10))  # exception: closed
    # Mon-Wed 3 x 8h, Thu 4h, Fri holiday, Sat 4h.
    assert spec_calendar.elapsed(den(2026, 12, 21, 8), den(2026, 12, 28, 8)) == 32 * H
    assert spec_calendar.add_business_days(den(2026, 12, 23, 10), 1) == den(2026, 12, 24, 12)
    assert spec_calendar.add_business_days(den(2026, 12, 23, 10), 2) == den(2026, 12, 26, 13)


def test_spec_example_from_kwargs_matches_yaml(spec_calendar: duly.Calendar) -> None:
    cal = duly.Calendar(
        timezone="America/Denver",
        hours={"mon-fri": ["08:00-12:00", "13:00-17:00"], "sat": "09:00-13:00"},
        holidays=[
            dt.date(2026, 12, 25),
            {"name": "Thanksgiving", "month": 11, "weekday": "thu", "nth": 4},
            {"name": "Memorial Day", "month": 5, "weekday": "mon", "nth": -1},
            {"name": "Christmas", "month": 12, "day": 25, "observed": "nearest_weekday"},
            {"name": "Easter Monday", "easter": 1},
        ],
        exceptions={dt.date(2026, 12, 24): ["08:00-12:00"], "2026-12-31": []},
    )
    assert cal == spec_calendar
    assert cal.elapsed(den(2026, 12, 21, 8), den(2026, 12, 28, 8)) == 32 * H


def test_load_calendar(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "support.yaml"
    path.write_text(EXAMPLE_CALENDAR_YAML)
    cal = duly.load_calendar(path)
    assert cal == duly.Calendar.from_yaml(EXAMPLE_CALENDAR_YAML)
    assert duly.load_calendar(str(path)) == cal


def test_from_json() -> None:
    cal = duly.Calendar.from_json('{"timezone": "America/New_York", "hours": {"mon-fri": "09:00-17:00"}}')
    assert cal.add(ny(2026, 11, 20, 16), 2 * H) == ny(2026, 11, 23, 10)


# --- definition, repr, equality, pickling ---------------------------------------------


def test_to_dict_is_canonical(spec_calendar: duly.Calendar) -> None:
    assert spec_calendar.to_dict() == {
        "timezone": "America/Denver",
        "hours": {"mon-fri": ["08:00-12:00", "13:00-17:00"], "sat": "09:00-13:00"},
        "holidays": [
            "2026-12-25",
            {"name": "Thanksgiving", "month": 11, "weekday": "thu", "nth": 4},
            {"name": "Memorial Day", "month": 5, "weekday": "mon", "nth": -1},
            {"name": "Christmas", "month": 12, "day": 25, "observed": "nearest_weekday"},
            {"name": "Easter Monday", "easter": 1},
        ],
        "exceptions": {"2026-12-24": ["08:00-12:00"], "2026-12-31": []},
    }
    assert duly.Calendar(**spec_calendar.to_dict()) == spec_calendar
    assert duly.Calendar.from_json(spec_calendar.to_json()) == spec_calendar
    assert json.loads(spec_calendar.to_json()) == spec_calendar.to_dict()


def test_hours_are_grouped_in_canonical_form() -> None:
    cal = duly.Calendar(hours={"mon": "09:00-17:00", "tue-wed": "09:00-17:00", "fri": "10:00-12:00"})
    assert cal.to_dict()["hours"] == {"mon-wed": "09:00-17:00", "fri": "10:00-12:00"}
    assert duly.Calendar(hours={"daily": "00:00-24:00"}).to_dict()["hours"] == {"daily": "00:00-24:00"}
    assert duly.Calendar(hours={}).to_dict()["hours"] == {}


def test_repr_looks_like_a_constructor(office: duly.Calendar, spec_calendar: duly.Calendar) -> None:
    assert repr(office) == "duly.Calendar(timezone='America/New_York', hours={'mon-fri': '09:00-17:00'})"
    assert repr(duly.Calendar()) == "duly.Calendar(timezone='UTC')"
    for cal in (office, spec_calendar, duly.Calendar()):
        assert eval(repr(cal), {"duly": duly}) == cal


def test_equality_and_hash(office: duly.Calendar) -> None:
    same = duly.Calendar(timezone="America/New_York", hours={"mon": "09:00-17:00", "tue-fri": "09:00-17:00"})
    assert same == office and hash(same) == hash(office)
    assert office != duly.Calendar(timezone="America/New_York", hours={"mon-fri": "09:00-16:00"})
    assert office != "not a calendar"


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip(spec_calendar: duly.Calendar, protocol: int) -> None:
    back = pickle.loads(pickle.dumps(spec_calendar, protocol=protocol))
    assert isinstance(back, duly.Calendar)
    assert back == spec_calendar
    assert back.elapsed(den(2026, 12, 21, 8), den(2026, 12, 28, 8)) == 32 * H


def test_copy_shares_the_immutable_calendar(office: duly.Calendar) -> None:
    assert copy.copy(office) is office
    assert copy.deepcopy(office) is office
