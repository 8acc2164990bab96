"""Shared fixtures for the Python tests of duly.

Run from the repository root after `pip install .`:
    .venv/bin/python -m pytest
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

import duly

try:
    import pandas as _pd
except ImportError:  # pragma: no cover
    _pd = None
if _pd is not None:
    # pyarrow comes with the dask extra (requirements-dev.txt); pandas would then
    # back its text columns with Arrow, which cannot hold the lone surrogates that
    # the boundary tests put in frames. Keep pandas' Python-backed text columns,
    # which hold any str, as on a machine without pyarrow.
    _pd.set_option("mode.string_storage", "python")

NEW_YORK = ZoneInfo("America/New_York")
DENVER = ZoneInfo("America/Denver")
UTC = dt.timezone.utc

# The example calendar of the calendar format (docs/calendars.md).
EXAMPLE_CALENDAR_YAML = """\
timezone: America/Denver          # default UTC
hours:                            # absent = open 24x7
  mon-fri: ["08:00-12:00", "13:00-17:00"]
  sat: "09:00-13:00"
holidays:
  - 2026-12-25                               # a date
  - {name: Thanksgiving, month: 11, weekday: thu, nth: 4}
  - {name: Memorial Day, month: 5, weekday: mon, nth: -1}   # last Monday
  - {name: Christmas, month: 12, day: 25, observed: nearest_weekday}
  - {name: Easter Monday, easter: 1}         # days from Western Easter Sunday
exceptions:
  2026-12-24: ["08:00-12:00"]                # special hours replace that date's hours
  2026-12-31: []                             # closed
"""


def ny(*args: int) -> dt.datetime:
    """A wall-clock time in New York: ny(2026, 11, 20, 16) is Fri 16:00 EST."""
    return dt.datetime(*args, tzinfo=NEW_YORK)  # type: ignore[misc]


def den(*args: int) -> dt.datetime:
    """A wall-clock time in Denver."""
    return dt.datetime(*args, tzinfo=DENVER)  # type: ignore[misc]


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture(scope="session")
def office() -> duly.Calendar:
    """Mon-Fri 09:00-17:00 in New York."""
    return duly.Calendar(timezone="America/New_York", hours={"mon-fri": "09:00-17:00"})


@pytest.fixture(scope="session")
def spec_calendar() -> duly.Calendar:
    return duly.Calendar.from_yaml(EXAMPLE_CALENDAR_YAML)
