"""``duly.html_report``: the attainment report as one self-contained HTML page.

The page is written by the C++ library (``duly/report.hpp``), the same code as
``duly report --html``: this module only hands it the evaluation's policy,
events and ``as_of`` and writes the bytes it returns. Its numbers therefore
equal ``duly.report`` and ``duly evaluate`` on the same input.
"""

from __future__ import annotations

import os
import pathlib
from typing import Any

from .. import _duly
from .._convert import file_path, instant_seconds
from .._errors import InvalidArgumentError, IoError
from .._evaluation import EventsLike, Evaluation
from .._events import FrameColumns, event_columns
from .._policy import Policy
from ._common import require_evaluation, type_name

__all__ = ["html_report"]


def html_report(
    result: Evaluation,
    path: str | os.PathLike[str],
    by: str | None = None,
    *,
    events: EventsLike | None = None,
    policy: Policy | None = None,
    max_timelines: int = 50,
) -> pathlib.Path:
    """Write the attainment report of ``result`` to ``path`` as one HTML page.

    The page (no script, no request leaving it; styles and SVG inline) has a
    headline per target (cycles, met, breached, attainment, median and 90th
    percentile business time to stop), the attainment table (per value of the
    event attribute ``by`` when given), attainment by month as a chart, the
    breached cycles with links to their records' timelines, and per breached
    record (at most ``max_timelines``, the latest breaches first) a timeline of
    its cycles, pauses, due instants and escalation firings, with its explain
    transitions listed below::

        >>> result = duly.evaluate(policy, events, "2026-11-30T17:00:00Z")
        >>> duly.html_report(result, "helpdesk.html", by="assignee")
        PosixPath('helpdesk.html')

    The events and policy are those ``duly.evaluate`` kept (pass ``events=`` for
    an evaluation of a one-shot iterator). Returns the path written. A ``by``
    that no event has raises ``duly.InvalidArgumentError`` with ``path == "by"``;
    a file that cannot be written ``duly.IoError``.
    """
    result = require_evaluation(result)
    raw_path = file_path(path, "path")
    if by is not None and not isinstance(by, str):
        raise InvalidArgumentError(f"expected an attribute name or None, got {type_name(by)}", path="by")
    if by == "":
        raise InvalidArgumentError("expected an attribute name or None, got ''", path="by")
    if isinstance(max_timelines, bool) or not isinstance(max_timelines, int) or max_timelines < 0:
        raise InvalidArgumentError(f"expected a count (an int >= 0), got {max_timelines!r}", path="max_timelines")
    p = result.policy if policy is None else policy
    if not isinstance(p, Policy):
        raise InvalidArgumentError("expected the duly.Policy that was evaluated", path="policy")
    e = result.events if events is None else events
    if e is None:
        raise InvalidArgumentError(
            "the page needs the events again, and the evaluation did not keep them (they were a one-shot "
            "iterator): pass events=..., or evaluate a list or a DataFrame",
            path="events",
        )
    columns: Any = event_columns(e)  # the list or the frame form, passed on as they are
    run = _duly.html_report_frame if isinstance(columns, FrameColumns) else _duly.html_report
    page = run(
        p._native,
        instant_seconds(result.as_of, "as_of"),
        columns.ids,
        columns.at,
        columns.names,
        columns.attributes,
        columns.accepted,
        by=by or "",
        max_timelines=max_timelines,
        rejected=len(result.rejected),
        title=p.source_name or "",
    )
    target = pathlib.Path(os.fsdecode(raw_path))
    try:
        target.write_bytes(page)
    except OSError as err:
        raise IoError(f"{target}: cannot write the page: {err.strerror or err}", path="path") from None
    return target
