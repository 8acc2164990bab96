"""Result columns as Python objects, pandas DataFrames and Arrow tables.

The compiled core sends a result back as columns (the keys of the JSON Lines
output of ``duly evaluate``, docs/cli.md): string columns encoded as codes into
their distinct values, instants and durations as int64 seconds with the int64
minimum for null. ``duly.evaluate``, ``duly.explain`` and ``duly.Store`` turn
them into ``Timer``, ``Firing`` and ``Rejected`` objects, frames and tables
here, on demand.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ._convert import NAT, instant_from_seconds
from ._events import EventColumns, FrameColumns, pandas_module

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import, unused-ignore]

def _timedelta(seconds: int | None) -> _dt.timedelta | None:
    return None if seconds is None else _dt.timedelta(seconds=seconds)


@dataclasses.dataclass(frozen=True, slots=True)
class Timer:
    """One cycle of one target on one record, at ``as_of`` (a ``timer`` line of the CLI).

    Fields are the JSON Lines keys: instants are UTC-aware ``datetime``s,
    ``*_seconds`` are ``int`` seconds, and a key that does not apply is ``None``;
    the key ``goal`` (the goal's ``within`` as the policy wrote it, ``"2bd"``) is
    the field ``goal_text``, since ``goal`` is ``goal_seconds`` as a ``timedelta``.
    ``zone`` is the IANA zone the goal was measured in.
    A target that never started on a record has one row with ``cycle == 0`` and
    ``state == "pending"``. ``state`` is one of ``pending``, ``running``,
    ``paused``, ``breached``, ``met``, ``cancelled``, ``reset``.
    """

    id: str
    target: str
    cycle: int
    state: str
    goal_seconds: int | None
    goal_text: str | None
    zone: str | None
    started: _dt.datetime | None
    stopped: _dt.datetime | None
    due: _dt.datetime | None
    breached_at: _dt.datetime | None
    elapsed_seconds: int | None
    remaining_seconds: int | None
    paused_seconds: int | None
    next_wakeup: _dt.datetime | None

    @property
    def goal(self) -> _dt.timedelta | None:
        """``goal_seconds`` as a ``timedelta``."""
        return _timedelta(self.goal_seconds)

    @property
    def elapsed(self) -> _dt.timedelta | None:
        """``elapsed_seconds`` (running time on the goal's calendar) as a ``timedelta``."""
        return _timedelta(self.elapsed_seconds)

    @property
    def remaining(self) -> _dt.timedelta | None:
        """``remaining_seconds`` as a ``timedelta``; negative past the goal."""
        return _timedelta(self.remaining_seconds)

    @property
    def paused(self) -> _dt.timedelta | None:
        """``paused_seconds`` (wall-clock time spent paused) as a ``timedelta``."""
        return _timedelta(self.paused_seconds)


@dataclasses.dataclass(frozen=True, slots=True)
class Firing:
    """One firing of an escalation point (an ``escalation`` line of the CLI).

    ``point`` counts the repeats (0 for the first); ``deliver_at`` is when the
    firing is handed over: ``fired_at``, or with the escalation's
    ``deliver_in: CAL`` the first open instant of CAL at or after it; ``key`` is
    ``"id/target/escalation/START/point"`` (the cycle named by its start,
    ``20261125T160000Z``), the same for the same firing in every run, whatever
    events arrive late, so a host can deduplicate; ``actions`` is the escalation's
    ``do`` list as plain data, for the host to carry out.
    """

    id: str
    target: str
    escalation: str
    cycle: int
    point: int
    fired_at: _dt.datetime
    deliver_at: _dt.datetime
    key: str
    actions: list[Any]


@dataclasses.dataclass(frozen=True, slots=True)
class Rejected:
    """An input row that could not become an event: its 1-based ``line`` and the reason."""

    line: int
    reason: str


def strings(column: tuple[npt.NDArray[np.int64], list[str]]) -> npt.NDArray[np.object_]:
    """An encoded string column (codes, distinct values) as an object array.

    Rows share the distinct ``str`` objects: no string is made per row.
    """
    codes, distinct = column
    table = np.empty(len(distinct), dtype=object)
    table[:] = distinct
    return table[codes]


def optional_strings(column: tuple[npt.NDArray[np.int64], list[str]]) -> npt.NDArray[np.object_]:
    """An encoded string column whose code -1 means null, as an object array (None for null)."""
    codes, distinct = column
    table = np.empty(len(distinct) + 1, dtype=object)
    table[: len(distinct)] = distinct
    table[len(distinct)] = None
    return table[np.where(codes < 0, len(distinct), codes)]


def string_array(pd: Any, column: tuple[npt.NDArray[np.int64], list[str]]) -> Any:
    """An encoded string column as a pandas ``string`` array."""
    return pd.array(strings(column), dtype="string")


def _optional_ints(a: npt.NDArray[np.int64]) -> list[int | None]:
    return [None if v == NAT else v for v in a.tolist()]


def _optional_instants(a: npt.NDArray[np.int64]) -> list[_dt.datetime | None]:
    return [None if v == NAT else instant_from_seconds(v) for v in a.tolist()]


_TIMER_INSTANTS = ("started", "stopped", "due", "breached_at", "next_wakeup")
_TIMER_SECONDS = ("goal_seconds", "elapsed_seconds", "remaining_seconds", "paused_seconds")


def rejected_rows(columns: EventColumns | FrameColumns, raw: dict[str, Any]) -> list[Rejected]:
    """Every rejected row, by line: those of the Python readers (``columns``) and those
    the core found not of their declared types (``raw["rejected"]``)."""
    found = columns.rejected + [(int(line), str(reason)) for line, reason in raw["rejected"]]
    return [Rejected(line, reason) for line, reason in sorted(found)]


def rejected_to_frame(rejected: Sequence[Rejected]) -> DataFrame:
    """Rejected rows as a DataFrame: ``line`` (``Int64``), ``reason`` (``string``)."""
    pd = pandas_module()
    return pd.DataFrame(
        {
            "line": int_array(pd, np.array([r.line for r in rejected], dtype=np.int64)),
            "reason": pd.array([r.reason for r in rejected], dtype="string"),
        }
    )


def timers_from_columns(c: dict[str, Any]) -> list[Timer]:
    """``Timer`` objects from the timer columns of ``_duly.evaluate`` / ``_duly.explain``."""
    return [
        Timer(*row)
        for row in zip(
            strings(c["id"]).tolist(),
            strings(c["target"]).tolist(),
            c["cycle"].tolist(),
            strings(c["state"]).tolist(),
            _optional_ints(c["goal_seconds"]),
            optional_strings(c["goal"]).tolist(),
            optional_strings(c["zone"]).tolist(),
            _optional_instants(c["started"]),
            _optional_instants(c["stopped"]),
            _optional_instants(c["due"]),
            _optional_instants(c["breached_at"]),
            _optional_ints(c["elapsed_seconds"]),
            _optional_ints(c["remaining_seconds"]),
            _optional_ints(c["paused_seconds"]),
            _optional_instants(c["next_wakeup"]),
        )
    ]


def firings_from_columns(c: dict[str, Any]) -> list[Firing]:
    """``Firing`` objects from the escalation columns."""
    return [
        Firing(*row)
        for row in zip(
            strings(c["id"]).tolist(),
            strings(c["target"]).tolist(),
            strings(c["escalation"]).tolist(),
            c["cycle"].tolist(),
            c["point"].tolist(),
            [instant_from_seconds(s) for s in c["fired_at"].tolist()],
            [instant_from_seconds(s) for s in c["deliver_at"].tolist()],
            c["key"],
            [json.loads(a) for a in c["actions"]],
        )
    ]


def timers_to_frame(c: dict[str, Any]) -> DataFrame:
    """The timer columns as a DataFrame (see ``Evaluation.timers_frame``)."""
    pd = pandas_module()
    data: dict[str, Any] = {
        "id": string_array(pd, c["id"]),
        "target": string_array(pd, c["target"]),
        "cycle": int_array(pd, c["cycle"]),
        "state": string_array(pd, c["state"]),
        "goal_seconds": int_array(pd, c["goal_seconds"]),
        "goal": pd.array(optional_strings(c["goal"]), dtype="string"),
        "zone": pd.array(optional_strings(c["zone"]), dtype="string"),
    }
    for key in ("started", "stopped", "due", "breached_at", "elapsed_seconds",
                "remaining_seconds", "paused_seconds", "next_wakeup"):
        data[key] = instant_array(pd, c[key]) if key in _TIMER_INSTANTS else int_array(pd, c[key])
    return pd.DataFrame(data)


def pauses_to_frame(c: dict[str, Any]) -> DataFrame:
    """The pause columns as a DataFrame (see ``Evaluation.pauses_frame``)."""
    pd = pandas_module()
    return pd.DataFrame(
        {
            "id": string_array(pd, c["id"]),
            "target": string_array(pd, c["target"]),
            "cycle": int_array(pd, c["cycle"]),
            "paused_from": instant_array(pd, c["paused_from"]),
            "paused_until": instant_array(pd, c["paused_until"]),
        }
    )


def escalations_to_frame(c: dict[str, Any]) -> DataFrame:
    """The escalation columns as a DataFrame (see ``Evaluation.escalations_frame``)."""
    pd = pandas_module()
    actions = np.empty(len(c["actions"]), dtype=object)
    actions[:] = [json.loads(a) for a in c["actions"]]
    return pd.DataFrame(
        {
            "id": string_array(pd, c["id"]),
            "target": string_array(pd, c["target"]),
            "escalation": string_array(pd, c["escalation"]),
            "cycle": int_array(pd, c["cycle"]),
            "point": int_array(pd, c["point"]),
            "fired_at": instant_array(pd, c["fired_at"]),
            "deliver_at": instant_array(pd, c["deliver_at"]),
            "key": pd.array(c["key"], dtype="string"),
            "actions": pd.Series(actions, dtype=object),
        }
    )



# --- columns -> pyarrow Tables ------------------------------------------------------------


def _arrow_strings(pa: Any, column: tuple[npt.NDArray[np.int64], list[str]]) -> Any:
    """An encoded string column (code -1 = null) as an Arrow string array, decoded from
    its dictionary (each distinct value converted once)."""
    codes, distinct = column
    codes = np.asarray(codes, dtype=np.int64)
    indices = pa.array(np.where(codes < 0, 0, codes), type=pa.int64(), mask=codes < 0)
    dictionary = pa.array(distinct, type=pa.string())
    return pa.DictionaryArray.from_arrays(indices, dictionary).dictionary_decode()


def _arrow_ints(pa: Any, a: npt.NDArray[np.int64]) -> Any:
    values = np.ascontiguousarray(a, dtype=np.int64)
    return pa.array(values, type=pa.int64(), mask=values == NAT)


def _arrow_instants(pa: Any, a: npt.NDArray[np.int64]) -> Any:
    """timestamp[us, tz=UTC] from int64 seconds, null for NaT."""
    values = np.ascontiguousarray(a, dtype=np.int64)
    null = values == NAT
    return pa.array(np.where(null, 0, values) * 1_000_000, type=pa.timestamp("us", tz="UTC"), mask=null)


def timers_to_table(c: dict[str, Any]) -> Any:
    """The timer columns as a pyarrow Table (see ``Evaluation.timers_table``)."""
    from ._arrow_events import pyarrow_modules

    pa, _ = pyarrow_modules()
    data: dict[str, Any] = {
        "id": _arrow_strings(pa, c["id"]),
        "target": _arrow_strings(pa, c["target"]),
        "cycle": _arrow_ints(pa, c["cycle"]),
        "state": _arrow_strings(pa, c["state"]),
        "goal_seconds": _arrow_ints(pa, c["goal_seconds"]),
        "goal": _arrow_strings(pa, c["goal"]),
        "zone": _arrow_strings(pa, c["zone"]),
    }
    for key in ("started", "stopped", "due", "breached_at", "elapsed_seconds",
                "remaining_seconds", "paused_seconds", "next_wakeup"):
        data[key] = _arrow_instants(pa, c[key]) if key in _TIMER_INSTANTS else _arrow_ints(pa, c[key])
    return pa.table(data)


def pauses_to_table(c: dict[str, Any]) -> Any:
    """The pause columns as a pyarrow Table (see ``Evaluation.pauses_table``)."""
    from ._arrow_events import pyarrow_modules

    pa, _ = pyarrow_modules()
    return pa.table(
        {
            "id": _arrow_strings(pa, c["id"]),
            "target": _arrow_strings(pa, c["target"]),
            "cycle": _arrow_ints(pa, c["cycle"]),
            "paused_from": _arrow_instants(pa, c["paused_from"]),
            "paused_until": _arrow_instants(pa, c["paused_until"]),
        }
    )


def escalations_to_table(c: dict[str, Any]) -> Any:
    """The escalation columns as a pyarrow Table (see ``Evaluation.escalations_table``)."""
    from ._arrow_events import pyarrow_modules

    pa, _ = pyarrow_modules()
    return pa.table(
        {
            "id": _arrow_strings(pa, c["id"]),
            "target": _arrow_strings(pa, c["target"]),
            "escalation": _arrow_strings(pa, c["escalation"]),
            "cycle": _arrow_ints(pa, c["cycle"]),
            "point": _arrow_ints(pa, c["point"]),
            "fired_at": _arrow_instants(pa, c["fired_at"]),
            "deliver_at": _arrow_instants(pa, c["deliver_at"]),
            "key": pa.array(list(c["key"]), type=pa.string()),
            "actions": pa.array(list(c["actions"]), type=pa.string()),
        }
    )


def int_array(pd: Any, a: npt.NDArray[np.int64]) -> Any:
    """A nullable Int64 array, NaT (the int64 minimum) as <NA>."""
    values = np.ascontiguousarray(a, dtype=np.int64)
    return pd.arrays.IntegerArray(values, values == NAT)


def instant_array(pd: Any, a: npt.NDArray[np.int64]) -> Any:
    """datetime64[ns, UTC] from int64 seconds, NaT for null."""
    ns = np.ascontiguousarray(a, dtype=np.int64).view("datetime64[s]").astype("datetime64[ns]")
    return pd.DatetimeIndex(ns).tz_localize("UTC").array
