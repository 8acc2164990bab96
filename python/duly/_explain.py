"""``duly.explain``: one record's timeline, as ``duly explain`` prints it.

The events go to the compiled core as the same columns as for ``duly.evaluate``
(see ``_events.py``). The core explains the record with the GIL released and
sends back the timeline as columns (the keys of the CLI's ``explain`` JSON
lines), the record's timer and escalation columns, and the CLI's two texts:
the table (``str(explanation)``) and the JSON Lines (``to_json_lines()``), both
written by the C++ ``write_explanation``, so they are the CLI's byte for byte.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _duly
from ._convert import NAT, InstantLike, check_text, instant_from_seconds, instant_seconds, is_integer, type_name
from ._errors import InvalidArgumentError
from ._evaluation import (
    EventsLike,
    TimerResults,
    check_strict,
    refuse_declared,
    refuse_rejected,
    require_policy,
)
from ._events import FrameColumns, event_columns, pandas_module
from ._policy import Policy
from ._results import (
    Rejected,
    instant_array,
    int_array,
    rejected_rows,
    rejected_to_frame,
)

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import, unused-ignore]

__all__ = ["ExplainEntry", "Explanation", "explain"]

@dataclasses.dataclass(frozen=True, slots=True)
class ExplainEntry:
    """One line of a record's timeline (an ``explain`` line of ``duly explain --format json``).

    ``what`` is ``"event"`` for an event applied, with its name in ``event``, its
    1-based input position in ``line`` (``None`` when unknown) and its attribute
    changes in ``detail``; ``target`` and ``cycle`` are then ``None``. Otherwise
    it is what the event (or the passing of time) did to ``target``'s cycle
    ``cycle``: ``start``, ``stop``, ``cancel``, ``reset``, ``pause``, ``resume``,
    ``goal``, ``due``, ``breach``, ``at_risk``, ``escalation`` or ``skipped``, with
    ``event`` and ``line`` ``None`` and ``detail`` saying which rule matched and
    with which values. ``at`` is a UTC-aware ``datetime``.
    """

    at: _dt.datetime
    what: str
    target: str | None
    cycle: int | None
    event: str | None
    line: int | None
    detail: str


class Explanation(TimerResults):
    """What ``duly.explain`` found for one record, up to ``as_of``.

    - ``entries``: the timeline as ``ExplainEntry`` objects, in time order (at
      one instant: the events, then what they caused);
    - ``timers``, ``escalations``: the record's ``Timer`` and ``Firing`` objects
      at ``as_of``, as ``duly.evaluate`` gives them;
    - ``rejected``: every input row that did not become an event, by line, as
      ``duly.evaluate`` lists them (of any record);
    - ``entries_frame()``, ``timers_frame()``, ``escalations_frame()``,
      ``rejected_frame()``: the same as pandas DataFrames;
    - ``str(explanation)``: the table ``duly explain`` prints;
      ``to_json_lines()``: what ``duly explain --format json`` prints.
    """

    __slots__ = ("_entries", "id", "as_of", "rejected")

    #: The record's id.
    id: str
    #: The instant the timeline runs to (by default the record's latest event).
    as_of: _dt.datetime
    #: Rows that could not become events (of any record), by line, as ``Evaluation.rejected``.
    rejected: list[Rejected]

    def __init__(self, columns: dict[str, Any], rejected: list[Rejected] | None = None) -> None:
        super().__init__(columns)
        self._entries: list[ExplainEntry] | None = None
        self.id = str(columns["id"])
        self.as_of = instant_from_seconds(int(columns["as_of"]))
        self.rejected = [] if rejected is None else rejected

    @property
    def entries(self) -> list[ExplainEntry]:
        """The timeline, in time order."""
        if self._entries is None:
            c = self._columns["entries"]
            self._entries = [
                ExplainEntry(*row)
                for row in zip(
                    [instant_from_seconds(s) for s in c["at"].tolist()],
                    c["what"],
                    c["target"],
                    [None if v == NAT else v for v in c["cycle"].tolist()],
                    c["event"],
                    [None if v == NAT else v for v in c["line"].tolist()],
                    c["detail"],
                )
            ]
        return self._entries

    # --- DataFrames ------------------------------------------------------------------

    def entries_frame(self) -> DataFrame:
        """The timeline as a DataFrame, columns as the JSON keys without ``kind`` and ``id``.

        ``at``: ``datetime64[ns, UTC]``; ``what``, ``target``, ``event``,
        ``detail``: ``string``; ``cycle``, ``line``: ``Int64``; ``<NA>`` for null.
        """
        pd = pandas_module()
        c = self._columns["entries"]
        return pd.DataFrame(
            {
                "at": instant_array(pd, c["at"]),
                "what": pd.array(c["what"], dtype="string"),
                "target": pd.array(c["target"], dtype="string"),
                "cycle": int_array(pd, c["cycle"]),
                "event": pd.array(c["event"], dtype="string"),
                "line": int_array(pd, c["line"]),
                "detail": pd.array(c["detail"], dtype="string"),
            }
        )

    def rejected_frame(self) -> DataFrame:
        """The rejected rows as a DataFrame: ``line`` (``Int64``), ``reason`` (``string``),
        as ``Evaluation.rejected_frame()``."""
        return rejected_to_frame(self.rejected)

    # --- text ------------------------------------------------------------------------

    def __str__(self) -> str:
        """The table ``duly explain`` prints: the timeline, then the timers at ``as_of``,
        then the rejected rows (if any)."""
        return str(self._columns["table"]) + self._rejected_text("table")

    def to_json_lines(self) -> str:
        """What ``duly explain --format json`` prints: one ``explain`` line per entry,
        then the record's ``timer`` and ``escalation`` lines and one ``rejected`` line
        per rejected row, each ending in a newline."""
        return str(self._columns["json"]) + self._rejected_text("jsonl")

    def _rejected_text(self, format: str) -> str:
        if not self.rejected:
            return ""
        return _duly.rejected_text([(r.line, r.reason) for r in self.rejected], format)

    def __repr__(self) -> str:
        return (
            f"<duly.Explanation id={self.id!r} as_of={self.as_of.isoformat().replace('+00:00', 'Z')}: "
            f"{len(self._columns['entries']['what'])} entries, "
            f"{len(self._columns['timers']['cycle'])} timers, "
            f"{len(self._columns['escalations']['cycle'])} escalations, {len(self.rejected)} rejected>"
        )


def _record_id(id: object) -> str:
    if isinstance(id, str):
        return check_text(str(id), "id")
    if is_integer(id):
        try:
            return str(int(id))  # as an integer id in the events becomes its text
        except ValueError:  # more digits than Python writes (4300 by default)
            raise InvalidArgumentError("the integer has too many digits to be an id", path="id") from None
    raise InvalidArgumentError(f"expected the record id as str, got {type_name(id)}", path="id")


def explain(
    policy: Policy,
    events: EventsLike,
    id: str | int,
    as_of: InstantLike | None = None,
    *,
    strict: bool = False,
    rows: str = "changes",
    tz: str | None = None,
) -> Explanation:
    """The timeline of record ``id``: what ``duly explain --id ID`` shows.

    Every event of the record at or before ``as_of`` (with its line and attribute
    changes), which rule matched, each cycle's start and end, pauses, goal
    choices, due moves, breaches and escalation points, in time order, then the
    record's timers and firings at ``as_of``.

    ``events`` are dicts, a pandas DataFrame or Arrow data exactly as for
    ``duly.evaluate`` (all records may be passed; rows of other records only cost
    the reading). A row's ``line`` is its 1-based position in ``events``. Rejected
    rows (of any record: a bad row may have no readable id) are left out of the
    timeline and listed in ``.rejected`` as ``duly.evaluate`` lists them, including
    rows whose values are not of their declared types; with ``strict=True`` any
    rejected row raises ``duly.InvalidArgumentError`` listing them, and nothing is
    explained. ``as_of`` is an aware ``datetime`` or ISO-8601 text; by default the
    record's latest event, so the whole history shows. ``rows`` and ``tz`` as for
    ``duly.evaluate``. A record with no events (at or before ``as_of``) raises
    ``duly.InvalidArgumentError`` with ``path="id"``. The explaining runs with
    the GIL released.
    """
    require_policy(policy)
    check_strict(strict)
    record = _record_id(id)
    as_of_seconds = None if as_of is None else instant_seconds(as_of, "as_of")
    columns = event_columns(events, rows, tz)
    if strict:
        refuse_rejected(columns, "nothing explained")
    run = _duly.explain_frame if isinstance(columns, FrameColumns) else _duly.explain
    raw = run(
        policy._native,
        record,
        as_of_seconds,
        columns.ids,  # type: ignore[arg-type, unused-ignore]
        columns.at,
        columns.names,  # type: ignore[arg-type, unused-ignore]
        columns.attributes,  # type: ignore[arg-type, unused-ignore]
        columns.accepted,
        fraction=getattr(columns, "fraction", None),
        strict=bool(strict),
    )
    if strict:  # values not of their declared types: the core found them and explained nothing
        refuse_declared(raw, "nothing explained")
    return Explanation(raw, rejected_rows(columns, raw))
