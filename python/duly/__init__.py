"""duly: customer commitments as deadlines, clocks, breaches and escalations.

    >>> import datetime, duly
    >>> from zoneinfo import ZoneInfo
    >>> cal = duly.Calendar(timezone="America/New_York", hours={"mon-fri": "09:00-17:00"})
    >>> cal.add(datetime.datetime(2026, 11, 20, 16, tzinfo=ZoneInfo("America/New_York")), "2h")
    datetime.datetime(2026, 11, 23, 15, 0, tzinfo=datetime.timezone.utc)

Policies turn events into timers and escalations::

    policy = duly.load_policy("examples/helpdesk/policy.yaml")
    result = duly.evaluate(policy, events, as_of="2026-11-30T17:00:00Z")  # dicts, a DataFrame, Arrow
    result.timers, result.escalations, result.rejected                   # objects
    result.timers_frame()                                                # a pandas DataFrame
    print(duly.explain(policy, events, "HD-1008"))                       # one record's timeline

Incremental runs keep their state in a store, the file of ``duly run``::

    with duly.Store("helpdesk.db") as store:
        fired = store.run(policy, new_events, as_of)   # a DataFrame of the new firings
        state = store.state(as_of)                     # an Evaluation of every record

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
    StoreBusyError,
    StoreUnusableError,
    UnknownZoneError,
    _install,
)

_install()

from ._calendar import Calendar, load_calendar  # noqa: E402  (needs the errors installed)
from ._evaluation import Evaluation, Firing, Rejected, Timer, evaluate  # noqa: E402
from ._explain import ExplainEntry, Explanation, explain  # noqa: E402
from ._history import events_from_history  # noqa: E402
from ._policy import Policy, load_policy  # noqa: E402
from ._warnings import NoGoalWarning  # noqa: E402
from .analysis import (  # noqa: E402
    Backtest,
    attainment_over_time,
    backtest,
    html_report,
    plot_attainment,
    plot_timeline,
    report,
    spans,
)
from ._store import Store  # noqa: E402

__version__: str = _duly.__version__

__all__ = [
    "Backtest",
    "Calendar",
    "Diagnostic",
    "Error",
    "Evaluation",
    "ExplainEntry",
    "Explanation",
    "Firing",
    "InvalidArgumentError",
    "IoError",
    "NeverClosesError",
    "NeverOpenError",
    "NoGoalWarning",
    "OutOfRangeError",
    "ParseError",
    "Policy",
    "Rejected",
    "Store",
    "StoreBusyError",
    "StoreUnusableError",
    "Timer",
    "UnknownZoneError",
    "__version__",
    "attainment_over_time",
    "backtest",
    "evaluate",
    "events_from_history",
    "explain",
    "html_report",
    "load_calendar",
    "load_policy",
    "plot_attainment",
    "plot_timeline",
    "report",
    "spans",
]
