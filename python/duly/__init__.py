"""duly: customer commitments as deadlines, on business calendars.

    >>> import datetime, duly
    >>> from zoneinfo import ZoneInfo
    >>> cal = duly.Calendar(timezone="America/New_York", hours={"mon-fri": "09:00-17:00"})
    >>> cal.add(datetime.datetime(2026, 11, 20, 16, tzinfo=ZoneInfo("America/New_York")), "2h")
    datetime.datetime(2026, 11, 23, 15, 0, tzinfo=datetime.timezone.utc)

Instants are aware ``datetime`` objects (any zone) in and UTC-aware out;
durations are ``timedelta`` or text such as ``"4h"``; ``add_many`` and
``elapsed_many`` take numpy ``datetime64``/``timedelta64`` arrays. Errors are
``duly.Error`` subclasses (themselves ``ValueError``).
"""

from __future__ import annotations

from . import _duly
from ._errors import (
    Diagnostic,
    Error,
    InvalidArgumentError,
    IoError,
    NeverClosesError,
    NeverOpenError,
    OutOfRangeError,
    ParseError,
    UnknownZoneError,
    _install,
)

_install()

from ._calendar import Calendar, load_calendar  # noqa: E402  (needs the errors installed)

__version__: str = _duly.__version__

__all__ = [
    "Calendar",
    "Diagnostic",
    "Error",
    "InvalidArgumentError",
    "IoError",
    "NeverClosesError",
    "NeverOpenError",
    "OutOfRangeError",
    "ParseError",
    "UnknownZoneError",
    "__version__",
    "load_calendar",
]
