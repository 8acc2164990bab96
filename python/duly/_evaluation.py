"""``duly.evaluate``: timers, escalation firings and rejected rows at an instant.

The events go to the compiled core as columns (see ``_events.py``), are
evaluated there with the GIL released, and come back as columns: the keys of
the JSON Lines output of ``duly evaluate`` (docs/cli.md). ``Evaluation``
turns them into objects (``Timer``, ``Firing``, ``Rejected``), pandas
DataFrames or Arrow tables on demand, through ``_results.py``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from . import _duly
from ._convert import InstantLike, instant_from_seconds, instant_seconds, type_name
from ._errors import Diagnostic, InvalidArgumentError
from ._events import EventColumns, FrameColumns, event_columns, is_arrow, is_dataframe
from ._policy import Policy
from ._results import (
    Firing,
    Rejected,
    Timer,
    escalations_to_frame,
    escalations_to_table,
    firings_from_columns,
    pauses_to_frame,
    pauses_to_table,
    rejected_rows,
    rejected_to_frame,
    timers_from_columns,
    timers_to_frame,
    timers_to_table,
)

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import, unused-ignore]

__all__ = ["Evaluation", "Firing", "Rejected", "Timer", "evaluate"]

#: What ``evaluate`` takes as events: dicts, or a pandas DataFrame.
EventsLike = Union[Iterable[Mapping[str, Any]], "DataFrame"]


class TimerResults:
    """The timer and firing rows that ``Evaluation`` and ``Explanation`` share:
    objects made on first access, frames built from the columns directly."""

    __slots__ = ("_columns", "_timers", "_escalations")

    def __init__(self, columns: dict[str, Any]) -> None:
        self._columns = columns
        self._timers: list[Timer] | None = None
        self._escalations: list[Firing] | None = None

    @property
    def timers(self) -> list[Timer]:
        """Every cycle of every (record, target) at ``as_of``; pending targets have a
        ``cycle == 0`` row."""
        if self._timers is None:
            self._timers = timers_from_columns(self._columns["timers"])
        return self._timers

    @property
    def escalations(self) -> list[Firing]:
        """Every escalation firing up to ``as_of``."""
        if self._escalations is None:
            self._escalations = firings_from_columns(self._columns["escalations"])
        return self._escalations

    def timers_frame(self) -> DataFrame:
        """The timers as a DataFrame, one row per cycle, columns as the JSON Lines keys.

        ``id``, ``target``, ``state``: ``string``; ``cycle`` and ``*_seconds``:
        ``Int64`` (nullable); instants: ``datetime64[ns, UTC]`` (NaT for null).
        """
        return timers_to_frame(self._columns["timers"])

    def escalations_frame(self) -> DataFrame:
        """The escalation firings as a DataFrame, columns as the JSON Lines keys.

        ``id``, ``target``, ``escalation``, ``key``: ``string``; ``cycle``,
        ``point``: ``Int64``; ``fired_at``, ``deliver_at``: ``datetime64[ns, UTC]``;
        ``actions``: ``object`` (the ``do`` list as Python data).
        """
        return escalations_to_frame(self._columns["escalations"])

    def timers_table(self) -> Any:
        """The timers as a pyarrow Table (``duly[arrow]``): the columns of ``timers_frame()``.

        ``id``, ``target``, ``state``, ``goal``, ``zone``: ``string``; ``cycle`` and
        ``*_seconds``: ``int64``; instants: ``timestamp[us, tz=UTC]``; null where a
        key does not apply. ``pyarrow.parquet.write_table(result.timers_table(), path)``
        writes it as Parquet.
        """
        return timers_to_table(self._columns["timers"])

    def escalations_table(self) -> Any:
        """The escalation firings as a pyarrow Table: the columns of ``escalations_frame()``,
        ``actions`` as JSON text (the ``do`` list, as the JSON Lines output has it)."""
        return escalations_to_table(self._columns["escalations"])


class Evaluation(TimerResults):
    """What ``duly.evaluate`` found at ``as_of``.

    - ``timers``: every cycle of every (record, target), by record (in order of
      first appearance), target and cycle, as ``Timer`` objects;
    - ``escalations``: every firing up to ``as_of``, as ``Firing`` objects;
    - ``rejected``: every input row that did not become an event, by line;
    - ``timers_frame()``, ``escalations_frame()``, ``rejected_frame()``: the
      same as pandas DataFrames whose columns are the JSON Lines keys.

    Objects are made on first access; the frames are built from the columns
    directly, without making them.
    """

    __slots__ = (
        "rejected",
        "as_of",
        "events_applied",
        "events_ignored",
        "next_wakeup",
        "policy",
        "events",
        "rows",
        "tz",
        "threads",
    )

    #: Rows that could not become events, by line.
    rejected: list[Rejected]
    #: The instant the evaluation is at.
    as_of: _dt.datetime
    #: Events at or before ``as_of``, applied.
    events_applied: int
    #: Events after ``as_of``, ignored.
    events_ignored: int
    #: The earliest ``next_wakeup`` of any cycle: when a host should evaluate next.
    next_wakeup: _dt.datetime | None
    #: The policy evaluated (``duly.report`` and the plots read it again).
    policy: Policy | None
    #: The events evaluated, kept when they can be read again (a DataFrame, list or
    #: tuple; ``None`` for a one-shot iterator), so that ``duly.report`` can evaluate
    #: them again with carried attributes (``_facts``).
    events: EventsLike | None
    #: How the events' rows were read (``"changes"`` or ``"snapshots"``) and the zone of
    #: their local times (``tz``), so that they are read again the same way.
    rows: str
    tz: str | None
    #: The ``threads`` it was evaluated on (``None``: one per core), for evaluating again.
    threads: int | None

    def __init__(self, columns: dict[str, Any], rejected: list[Rejected], as_of: int) -> None:
        super().__init__(columns)
        self.rejected = rejected
        self.as_of = instant_from_seconds(as_of)
        self.events_applied = int(columns["events_applied"])
        self.events_ignored = int(columns["events_ignored"])
        wakeup = columns["next_wakeup"]
        self.next_wakeup = None if wakeup is None else instant_from_seconds(wakeup)
        self.policy = None
        self.events = None
        self.rows = "changes"
        self.tz = None
        self.threads = None

    # --- DataFrames ------------------------------------------------------------------

    def pauses_frame(self) -> DataFrame:
        """Each cycle's pauses as a DataFrame, by ``id``, ``target``, ``cycle``, ``paused_from``.

        ``id``, ``target``: ``string``; ``cycle``: ``Int64``; ``paused_from``,
        ``paused_until``: ``datetime64[ns, UTC]``, ``paused_until`` NaT while the
        cycle is still paused at ``as_of``. Each pause lies inside its cycle
        (from its start to its stop or ``as_of``), and per cycle the pauses'
        lengths add up to ``paused_seconds``.
        """
        return pauses_to_frame(self._columns["pauses"])

    def pauses_table(self) -> Any:
        """Each cycle's pauses as a pyarrow Table: the columns of ``pauses_frame()``."""
        return pauses_to_table(self._columns["pauses"])

    def _facts(
        self, carry: Sequence[str], *, events: EventsLike | None = None, policy: Policy | None = None
    ) -> dict[str, Any]:
        """The engine's facts for reports: the kept policy and events (or those
        given) evaluated again at ``as_of`` with ``carry`` and segments (see
        ``_duly.evaluate``).

        Returns the native result: ``"timers"`` (the same rows, in the same order,
        with ``"carried"``: one list per name in ``carry``, one Python value per
        timer row, taken at the cycle's deciding instant), ``"pauses"`` and
        ``"segments"`` (``id``, ``target``, ``cycle``, ``from``, ``until`` (int64
        seconds), ``paused`` (bool), ``business_seconds`` (int64), ``carried``).
        Raises ``duly.InvalidArgumentError`` when no events were kept or given.
        """
        events = self.events if events is None else events
        policy = self.policy if policy is None else policy
        if events is None:
            raise InvalidArgumentError(
                "this needs the events again, and the evaluation did not keep them (they were a "
                "one-shot iterator): pass events=..., or evaluate a list or a DataFrame",
                path="events",
            )
        if not isinstance(policy, Policy):
            raise InvalidArgumentError("expected the duly.Policy that was evaluated", path="policy")
        names = list(carry)
        for i, name in enumerate(names):
            if not isinstance(name, str):
                raise InvalidArgumentError(f"expected an attribute name, got {type_name(name)}", path=f"carry[{i}]")
        return _run(policy, events, int(self.as_of.timestamp()), carry=names, segments=True,
                    rows=self.rows, tz=self.tz, threads=self.threads)[0]

    def rejected_frame(self) -> DataFrame:
        """The rejected rows as a DataFrame: ``line`` (``Int64``), ``reason`` (``string``)."""
        return rejected_to_frame(self.rejected)

    def __repr__(self) -> str:
        return (
            f"<duly.Evaluation as_of={self.as_of.isoformat().replace('+00:00', 'Z')}: "
            f"{len(self._columns['timers']['cycle'])} timers, "
            f"{len(self._columns['escalations']['cycle'])} escalations, {len(self.rejected)} rejected>"
        )


def require_policy(policy: object) -> Policy:
    """``policy`` if it is a ``duly.Policy``; otherwise an error that says how to make one."""
    if not isinstance(policy, Policy):
        raise InvalidArgumentError(
            f"expected a duly.Policy, got {type_name(policy)}: use duly.load_policy(path) "
            "or duly.Policy.from_yaml(text)",
            path="policy",
        )
    return policy


def check_strict(strict: object) -> None:
    """``strict`` must be a bool."""
    if not isinstance(strict, (bool, np.bool_)):
        raise InvalidArgumentError(f"expected True or False, got {type_name(strict)}", path="strict")


def refuse_rejected(columns: EventColumns | FrameColumns, consequence: str) -> None:
    """Under ``strict=True``: an ``InvalidArgumentError`` listing the rejected rows, if any."""
    _refuse(columns.rejected, consequence)


def refuse_declared(raw: dict[str, Any], consequence: str) -> None:
    """Under ``strict=True``, after a native call made with ``strict=True``: an
    ``InvalidArgumentError`` listing the rows whose values are not of their declared
    types, if any (the core then returned only those, evaluating nothing)."""
    _refuse([(int(line), str(reason)) for line, reason in raw["rejected"]], consequence)


def _refuse(rejected: list[tuple[int, str]], consequence: str) -> None:
    if not rejected:
        return
    diagnostics = [
        Diagnostic(code=InvalidArgumentError.code, message=reason, file="events", line=line)
        for line, reason in rejected
    ]
    count = len(diagnostics)
    raise InvalidArgumentError(
        f"{count} event row{'s' if count != 1 else ''} rejected (strict=True), {consequence}:\n"
        + "\n".join(str(d) for d in diagnostics),
        diagnostics=diagnostics,
    )


def evaluate(
    policy: Policy,
    events: EventsLike,
    as_of: InstantLike,
    *,
    strict: bool = False,
    rows: str = "changes",
    tz: str | None = None,
    threads: int | None = None,
) -> Evaluation:
    """Every timer, escalation firing and rejected row of ``events`` at ``as_of``.

    ``events`` is an iterable of dicts (``{"id": "T-1", "at": "2026-11-23T09:15:00-05:00",
    "event": "created", "priority": "P2"}``, as in a JSON Lines file), a pandas
    DataFrame with ``id``, ``at`` and ``event`` columns and one column per
    attribute, or the same as Arrow data: any object with ``__arrow_c_stream__``
    (a pyarrow Table or RecordBatchReader, a polars DataFrame, a DuckDB relation;
    needs pyarrow, ``duly[arrow]``):

    - ``at``: an aware ``datetime`` or ISO-8601 text with ``Z`` or an offset; in
      a frame, a column of timestamps with a zone (any unit) or such text. Naive
      datetimes and local-time text raise ``duly.InvalidArgumentError`` naming the
      row (``events[3].at``) or the column, unless ``tz`` names the IANA zone they
      were recorded in: then a local time that a DST change skips is taken at the
      change (02:30 on a spring-forward night is 03:00), and one it repeats at its
      first occurrence (the earlier instant), as calendars read local times.
    - ``rows="changes"`` (default): an absent key or an empty cell (NaN, NaT,
      ``pd.NA``, an Arrow null) leaves an attribute alone; ``None`` clears it, in
      a dict and in an object column of a DataFrame alike.
      ``rows="snapshots"`` (frames only): each row holds the record's whole state
      after its event, so an empty cell clears the attribute (columns the frame
      lacks are never touched).
    - A bad row (missing ``id``/``at``/``event``, an instant that cannot be read,
      a list or dict value...) is not an error: it is listed in ``.rejected`` with
      its 1-based position as ``line`` and the reason, worded as by the CLI, and
      the other rows are evaluated. With ``strict=True`` any rejected row raises
      ``duly.InvalidArgumentError`` listing them, and nothing is evaluated.

    ``as_of`` is an aware ``datetime`` or ISO-8601 text; events after it are
    ignored, so any past moment can be replayed. The evaluation itself runs with
    the GIL released, on ``threads`` threads: ``None`` (default) one per core,
    ``1`` the calling thread only (e.g. inside a process pool or a Spark task
    that already uses every core). Records are independent, so each thread
    takes a contiguous run of them and the runs are joined in order: the result
    is the same, row for row, whatever the count; a batch gets at most one
    thread per 20,000 events.
    """
    require_policy(policy)
    check_strict(strict)
    thread_count = check_threads(threads)
    as_of_seconds = instant_seconds(as_of, "as_of")
    columns = event_columns(events, rows, tz, needed(policy), thread_count)
    if strict:
        refuse_rejected(columns, "nothing evaluated")
    raw = _evaluate_columns(policy, columns, as_of_seconds, threads=thread_count, strict=bool(strict))
    if strict:  # values not of their declared types: the core found them and evaluated nothing
        refuse_declared(raw, "nothing evaluated")
    result = Evaluation(raw, rejected_rows(columns, raw), as_of_seconds)
    result.policy = policy
    result.events = events if rereadable(events) else None
    result.rows = rows
    result.tz = getattr(tz, "key", tz)
    result.threads = threads
    return result


def check_threads(threads: object) -> int:
    """``threads`` (None or a positive int) as the engine's count: 0 = one per core."""
    if threads is None:
        return 0
    if isinstance(threads, (bool, np.bool_)) or not isinstance(threads, (int, np.integer)):
        raise InvalidArgumentError(f"expected None or a positive whole number, got {type_name(threads)}", path="threads")
    if threads < 1:
        raise InvalidArgumentError(f"expected None or a positive whole number, got {int(threads)}", path="threads")
    return int(min(int(threads), 1024))


def needed(policy: Policy, carry: Sequence[str] = ()) -> set[str]:
    """The attributes an evaluation reads: the policy's, and the carried ones."""
    declared = {name for name, _, _ in policy._native.declared_attributes}  # their values' types are checked
    return set(policy._native.attribute_names) | declared | set(carry)


def rereadable(events: object) -> bool:
    """Whether events can be read a second time (not a one-shot iterator or stream)."""
    if isinstance(events, (list, tuple)) or is_dataframe(events):
        return True
    return is_arrow(events) and type(events).__name__ not in ("RecordBatchReader",)


def _evaluate_columns(
    policy: Policy, columns: Any, as_of_seconds: int, carry: Sequence[str] = (), segments: bool = False,
    threads: int = 0, strict: bool = False,
) -> dict[str, Any]:
    """The native result of ``columns`` at ``as_of_seconds``. With ``strict``, rows whose
    values are not of their declared types stop it before evaluating: the result then
    holds only ``"rejected"`` (see ``refuse_declared``)."""
    run = _duly.evaluate_frame if isinstance(columns, FrameColumns) else _duly.evaluate
    return run(
        policy._native,
        as_of_seconds,
        columns.ids,
        columns.at,
        columns.names,
        columns.attributes,
        columns.accepted,
        carry=list(carry),
        segments=segments,
        fraction=getattr(columns, "fraction", None),
        threads=threads,
        strict=strict,
    )


def _run(
    policy: Policy, events: EventsLike, as_of_seconds: int, *, carry: Sequence[str], segments: bool,
    rows: str = "changes", tz: str | None = None, threads: int | None = None,
) -> tuple[dict[str, Any], Any]:
    """The native result of ``events`` at ``as_of_seconds`` with ``carry`` and
    ``segments`` on ``threads`` (as for ``evaluate``), and the event columns it
    was read from."""
    count = check_threads(threads)
    columns = event_columns(events, rows, tz, needed(policy, carry), count)
    return _evaluate_columns(policy, columns, as_of_seconds, carry, segments, count), columns
