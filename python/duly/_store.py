"""``duly.Store``: incremental runs over the store of ``duly run``, from Python.

A store is one SQLite file that keeps every record's events, the policies they
were evaluated with, each record's next wake-up and every firing already
reported; the same file ``duly run`` and ``duly state`` use::

    with duly.Store("o2c.db") as store:
        fired = store.run(policy, new_events, as_of="2026-11-23T09:15:00Z")  # the new firings
        state = store.state("2026-11-23T09:15:00Z")                          # a duly.Evaluation

The work (SQLite and the evaluation) runs in the compiled core with the GIL
released.
"""

from __future__ import annotations

import datetime as _dt
import os
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _duly
from ._convert import InstantLike, instant_from_seconds, instant_seconds, is_integer, type_name
from ._errors import InvalidArgumentError
from ._evaluation import (
    Evaluation,
    EventsLike,
    check_strict,
    refuse_declared,
    refuse_rejected,
    require_policy,
)
from ._events import FrameColumns, event_columns, pandas_module
from ._policy import Policy
from ._results import (
    Rejected,
    escalations_to_frame,
    int_array,
)

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import, unused-ignore]

__all__ = ["Store"]

_RECOMPUTE = ("none", "open", "all")


def _wait_ms(wait: object, name: str = "wait") -> int:
    if not isinstance(wait, _dt.timedelta):
        raise InvalidArgumentError(f"expected a datetime.timedelta, got {type_name(wait)}", path=name)
    if wait < _dt.timedelta(0):
        raise InvalidArgumentError(f"a wait cannot be negative: {wait}", path=name)
    # At most about 11.5 days, as `duly run --wait` (SQLite's timeout is an int of milliseconds).
    return min(wait // _dt.timedelta(milliseconds=1), 1_000_000_000)


def _recompute(mode: object) -> str:
    if not isinstance(mode, str) or mode not in _RECOMPUTE:
        raise InvalidArgumentError(
            f"expected 'none', 'open' or 'all', got {mode!r}" if isinstance(mode, str)
            else f"expected 'none', 'open' or 'all', got {type_name(mode)}",
            path="recompute",
        )
    return mode


class Store:
    """The store at ``path``, opened (or made, with ``create=True``): the format of ``duly run``.

    - ``run(policy, events, as_of)`` adds the new events (an event already stored,
      whatever the order of its keys, is a re-delivery and changes nothing),
      evaluates the records that got events, whose wake-up has come or that a
      policy change moves, and returns the firings at or before ``as_of`` that no
      earlier run reported, each once: the frame of
      ``Evaluation.escalations_frame()`` (``key`` included).
    - ``state(as_of)`` is every stored record at ``as_of`` (any instant, past ones
      too), a ``duly.Evaluation`` equal to ``duly.evaluate`` over all the stored
      events.

    ``wait`` (a ``timedelta``) is how long a run waits for another run on the same
    store to finish before ``duly.StoreBusyError``. A file that is not a duly
    store, a damaged store or one written by a newer duly raises
    ``duly.StoreUnusableError``; a missing file without ``create`` and a store
    that cannot be written raise ``duly.IoError``. With ``read_only=True`` (for
    ``state``, ``outbox`` and ``info``) the file is never written, never made,
    and ``run`` raises ``duly.InvalidArgumentError``. Messages are those of
    ``duly run``, starting with the path.

    A ``Store`` holds one SQLite connection: ``close()`` it, or use it as a context
    manager. It may be shared between threads (calls take turns); several stores,
    in threads or processes, may open the same file, and their runs are
    serialised by SQLite's locks.
    """

    __slots__ = ("_native",)
    _native: _duly.Store

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True, read_only: bool = False,
                 wait: _dt.timedelta = _dt.timedelta(0)) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise InvalidArgumentError(f"expected a path (str or os.PathLike), got {type_name(path)}", path="path")
        for name, flag in (("create", create), ("read_only", read_only)):
            if not isinstance(flag, bool):
                raise InvalidArgumentError(f"expected True or False, got {type_name(flag)}", path=name)
        self._native = _duly.Store(os.fsdecode(path), create and not read_only, read_only, _wait_ms(wait))

    @property
    def path(self) -> str:
        """The path the store was opened with."""
        return self._native.path

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called."""
        return self._native.closed

    def close(self) -> None:
        """Closes the SQLite connection; later calls raise ``duly.InvalidArgumentError``."""
        self._native.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"duly.Store({self.path!r})"

    def run(
        self,
        policy: Policy,
        events: EventsLike | None,
        as_of: InstantLike,
        *,
        recompute: str = "none",
        quiet_before: InstantLike | None = None,
        wait: _dt.timedelta | None = None,
        strict: bool = False,
        rows: str = "changes",
        tz: str | None = None,
    ) -> DataFrame:
        """One incremental run at ``as_of``: the new firings, as a DataFrame.

        ``events`` are taken as ``duly.evaluate`` takes them (dicts or a DataFrame),
        or ``None`` for a run with no new events (it fires what has come due).
        Rejected rows, including those whose values are not of the types the
        policy declares (``attribute 'promised_at': declared instant, got
        "tomorrow"``), are not stored as events: they are kept with the run, as
        ``duly run`` keeps them, and listed by line in the frame's
        ``attrs["rejected"]``; with ``strict=True`` any rejected row raises
        ``duly.InvalidArgumentError`` listing them, and nothing is stored.

        ``recompute`` says what happens to records last evaluated with another
        policy: ``"none"`` (they keep theirs), ``"open"`` (those in flight move to
        this one), ``"all"``. Firings before ``quiet_before`` are recorded as seen
        and not returned (a first load of history). ``wait`` overrides the store's.

        The frame has the columns of ``Evaluation.escalations_frame()`` and
        ``cursor`` (its place in the outbox, see ``outbox()``), one row per new
        firing whose ``deliver_at`` is at or before ``as_of``, in the order they are
        handed over (by ``deliver_at``, then ``fired_at``, then ``key``). A firing
        whose escalation says ``deliver_in: CAL`` and which fired while CAL was
        closed is held until ``deliver_at`` (the run at or after it returns it,
        once). Its ``attrs`` hold ``run`` (the run's number), ``events_new``,
        ``events_duplicate``, ``records_evaluated``, ``firings_suppressed``,
        ``firings_held`` (made, but their ``deliver_at`` is after ``as_of``),
        ``policy_changed``, ``next_wakeup`` (when the store should run next) and
        ``rejected``. An ``as_of`` before the last run's raises
        ``duly.InvalidArgumentError``: a store only moves forward (``state`` looks
        at the past). On any error nothing is stored.
        """
        require_policy(policy)
        check_strict(strict)
        as_of_seconds = instant_seconds(as_of, "as_of")
        quiet = None if quiet_before is None else instant_seconds(quiet_before, "quiet_before")
        mode = _recompute(recompute)
        wait_ms = None if wait is None else _wait_ms(wait)
        rejected: list[tuple[int, str]] = []
        is_frame, ids, at, names, attributes, accepted = False, None, np.empty(0, dtype=np.int64), None, [], None
        fraction = None
        if events is not None:
            columns = event_columns(events, rows, tz)
            if strict:
                refuse_rejected(columns, "nothing stored")
            rejected = sorted(columns.rejected)
            is_frame = isinstance(columns, FrameColumns)
            ids, at, names = columns.ids, columns.at, columns.names
            attributes, accepted = list(columns.attributes), columns.accepted
            fraction = getattr(columns, "fraction", None)
        raw = self._native.run(policy._native, as_of_seconds, is_frame, ids, at, names, attributes, accepted,
                               rejected, mode, quiet, wait_ms, fraction=fraction, strict=bool(strict))
        if strict:  # values not of their declared types: the core found them and stored nothing
            refuse_declared(raw, "nothing stored")
        frame = escalations_to_frame(raw["escalations"])
        frame["cursor"] = int_array(pandas_module(), raw["cursor"])
        for key in ("run", "events_new", "events_duplicate", "records_evaluated", "records_kept_on_old_policy",
                    "firings_suppressed", "firings_held", "policy_changed"):
            frame.attrs[key] = raw[key]
        wakeup = raw["next_wakeup"]
        frame.attrs["next_wakeup"] = None if wakeup is None else instant_from_seconds(wakeup)
        frame.attrs["rejected"] = [Rejected(int(line), str(reason)) for line, reason in raw["rejected"]]
        frame.attrs["withdrawals"] = _outbox_frame(raw["withdrawals"])
        return frame

    def state(
        self,
        as_of: InstantLike,
        policy: Policy | None = None,
        *,
        recompute: str = "none",
        wait: _dt.timedelta | None = None,
    ) -> Evaluation:
        """Every stored record at ``as_of``, as ``duly.evaluate`` over all the stored events.

        Each record is evaluated with the policy it was last run with. ``policy``
        is what a run with it would use for new records and, under ``recompute``
        ``"open"`` or ``"all"``, for the records it moves; without it, the latest
        run's policy (kept in the store). Reads one snapshot and never blocks a
        run; ``as_of`` may be any instant. The result's ``policy`` is the policy
        used for new records (``None`` for a store no run has written).
        """
        if policy is not None:
            require_policy(policy)
        as_of_seconds = instant_seconds(as_of, "as_of")
        mode = _recompute(recompute)
        wait_ms = None if wait is None else _wait_ms(wait)
        raw = self._native.state(None if policy is None else policy._native, as_of_seconds, mode, wait_ms)
        result = Evaluation(raw, [], as_of_seconds)
        if policy is not None:
            result.policy = policy
        elif "policy" in raw:
            result.policy = Policy._wrap(raw["policy"])
        return result

    def outbox(self, after: int = 0, *, limit: int | None = None) -> DataFrame:
        """Every firing the store's runs reported with a cursor above ``after``, in cursor order.

        A host that delivers these and then remembers the last ``cursor`` it
        delivered loses nothing, whether or not the run that made them was killed
        after its commit. Columns: those of ``run()`` (``cursor`` last), then
        ``kind`` (``"escalation"``) and ``run`` (the run that reported it). A store
        written by duly 0.1 has an empty outbox until its next run.
        """
        for name, value in (("after", after), ("limit", limit)):
            if value is not None and (not is_integer(value) or isinstance(value, bool) or int(value) < 0):
                raise InvalidArgumentError(f"expected a non-negative int, got {value!r}", path=name)
        raw = self._native.outbox(int(after), None if limit is None else int(limit))
        return _outbox_frame(raw)

    def info(self) -> dict[str, Any]:
        """Facts about the store: ``format_version``, ``runs``, ``last_as_of`` (the next
        run may not be earlier), ``policy_fingerprint`` (the latest run's policy),
        ``records``, ``events``, ``events_pending``, ``next_wakeup``, ``last_cursor`` (the
        outbox's latest cursor)."""
        raw = dict(self._native.info())
        for key in ("last_as_of", "next_wakeup"):
            raw[key] = None if raw[key] is None else instant_from_seconds(raw[key])
        return raw


def _outbox_frame(raw: dict[str, Any]) -> DataFrame:
    """Outbox entries as a DataFrame: the escalation columns (each entry's key as
    stored), ``cursor``, ``kind``, ``run`` and ``reason``."""
    pd = pandas_module()
    frame = escalations_to_frame(raw["escalations"])
    frame["cursor"] = int_array(pd, raw["cursor"])
    frame["kind"] = pd.array(raw["kind"], dtype="string")
    frame["run"] = int_array(pd, raw["run"])
    frame["reason"] = pd.array(raw["reason"], dtype="string")
    return frame
