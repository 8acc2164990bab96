"""The worked calendar examples of docs/calendars.md, read from the page and
checked against what the page says (England and Wales, the US federal calendar
with Juneteenth since 2021, a versioned calendar)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import duly

DOC = Path(__file__).resolve().parents[2] / "docs" / "calendars.md"
UTC = dt.timezone.utc


def doc_block(first_line: str) -> str:
    """The ```yaml block of docs/calendars.md whose first line is ``first_line``."""
    for block in re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S):
        if block.splitlines()[0] == first_line:
            return block
    raise AssertionError(f"no yaml block starting {first_line!r} in {DOC}")


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_england_and_wales() -> None:
    cal = duly.Calendar.from_yaml(doc_block("# England and Wales bank holidays"), source="calendars.md")
    assert [d for d in cal.holidays_in(2021) if d.month == 12] == [dt.date(2021, 12, 27), dt.date(2021, 12, 28)]
    assert cal.holidays_in(2022)[0] == dt.date(2022, 1, 3)
    assert [d for d in cal.holidays_in(2016) if d.month == 12] == [dt.date(2016, 12, 26), dt.date(2016, 12, 27)]
    assert cal.add(utc("2021-12-24T15:30:00Z"), "4h") == utc("2021-12-29T11:00:00Z")


def test_us_federal_with_juneteenth_since_2021() -> None:
    cal = duly.Calendar.from_yaml(doc_block("# US federal holidays"), source="calendars.md")
    assert [d for d in cal.holidays_in(2020) if d.month == 6] == []
    assert [d for d in cal.holidays_in(2021) if d.month == 6] == [dt.date(2021, 6, 18)]
    assert [d for d in cal.holidays_in(2022) if d.month == 6] == [dt.date(2022, 6, 20)]
    assert cal.add_business_days(utc("2021-06-17T16:00:00Z"), 1) == utc("2021-06-21T21:00:00Z")
    assert cal.add_business_days(utc("2020-06-18T16:00:00Z"), 1) == utc("2020-06-19T21:00:00Z")
    assert dt.date(2021, 12, 31) in cal.holidays_in(2021)


def test_versioned_desk() -> None:
    cal = duly.Calendar.from_yaml(doc_block("# Worked example: a desk that moves from New York to Tokyo"))
    assert cal.elapsed(utc("2026-06-02T00:00:00Z"), utc("2026-06-02T23:00:00Z")) == dt.timedelta(hours=2)
    assert cal.add(utc("2026-06-02T13:00:00Z"), "4h") == utc("2026-06-03T02:00:00Z")
    assert cal.add_business_days(utc("2026-06-01T16:00:00Z"), 1) == utc("2026-06-02T15:00:00Z")
    assert cal.add_business_days(utc("2026-06-01T16:00:00Z"), 2) == utc("2026-06-03T08:00:00Z")
    assert cal.timezone == "Asia/Tokyo"


@pytest.mark.parametrize(
    "first_line",
    ["# England and Wales bank holidays", "# US federal holidays",
     "# Worked example: a desk that moves from New York to Tokyo"],
)
def test_worked_examples_round_trip(first_line: str) -> None:
    cal = duly.Calendar.from_yaml(doc_block(first_line))
    again = duly.Calendar(**cal.to_dict())
    assert again == cal
    assert duly.Calendar.from_json(cal.to_json()) == cal
