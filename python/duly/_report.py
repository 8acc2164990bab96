"""``duly.report`` and ``duly.spans``: where the clock went, per target and group.

A report is built from what ``duly.evaluate`` returns. The timer rows give each
cycle's outcome (``met``, ``breached``...), its business time (``elapsed_seconds``),
its wall-clock paused time and the goal in force; they do not say *when* a cycle
was paused, nor who held the record while its clock ran. Those come from two more
sources (and the business time of each piece of a running span from the goal's
calendar, in one call to the compiled core):

- **pause spans**: the record's timeline (``duly.explain``), whose ``pause`` and
  ``resume`` entries say when each cycle stopped and started counting; asked
  only for records with a cycle that was ever paused;
- **attributes over time**: the events themselves, replayed here record by
  record in the engine's order (by ``at``, rows at one instant in input order;
  rejected rows and events after ``as_of`` left out), so that the value of any
  attribute (``group``, ``state``...) is known at every second.

Every figure is an exact integer number of seconds; nothing is sampled.
"""

from __future__ import annotations

import bisect
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Union, cast

import numpy as np

from ._convert import NAT, instant_seconds, is_integer, type_name
from ._errors import Error, InvalidArgumentError
from ._evaluation import EventsLike, Evaluation, strings
from ._events import is_dataframe, pandas_module
from ._explain import explain
from ._policy import Policy
from ._warnings import NoGoalWarning

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import, unused-ignore]

__all__ = ["attainment_over_time", "report", "spans"]

#: What ``by`` may be: one attribute name or several.
ByLike = Union[str, Sequence[str], None]

_KEEP: Any = object()  # an event that leaves the attribute alone
_COUNTS = ("cycles", "met", "breached", "no_goal", "open", "cancelled", "reset", "pending")
_INTERNAL = ("ola", "uc")  # target kinds that support an external target (SPEC section 6)


# --- arguments ---------------------------------------------------------------------------


def _names(by: object, what: str) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        by = [by]
    if not isinstance(by, Iterable):
        raise InvalidArgumentError(f"expected an attribute name or a list of them, got {type_name(by)}", path=what)
    names = list(by)
    for i, name in enumerate(names):
        if not isinstance(name, str):
            raise InvalidArgumentError(f"expected an attribute name, got {type_name(name)}", path=f"{what}[{i}]")
        if name in ("id", "at", "target", "cycle"):
            raise InvalidArgumentError(
                f"'{name}' is not an attribute: rows are always per target; group by event attributes "
                "such as 'group' or 'priority'",
                path=what,
            )
    if len(set(names)) != len(names):
        raise InvalidArgumentError(f"an attribute is named twice: {names}", path=what)
    return names


def _require_evaluation(result: object) -> Evaluation:
    if not isinstance(result, Evaluation):
        raise InvalidArgumentError(
            f"expected what duly.evaluate returns (a duly.Evaluation), got {type_name(result)}", path="result"
        )
    return result


def _sources(result: Evaluation, events: EventsLike | None, policy: Policy | None) -> tuple[Any, Policy]:
    """The events and policy to replay: the arguments, else those kept by ``evaluate``."""
    events = result.events if events is None else events
    policy = result.policy if policy is None else policy
    if events is None:
        raise InvalidArgumentError(
            "this replays the events over time, and the evaluation did not keep them (they were a "
            "one-shot iterator): pass events=..., or evaluate a list or a DataFrame",
            path="events",
        )
    if not isinstance(policy, Policy):
        raise InvalidArgumentError("expected the duly.Policy that was evaluated", path="policy")
    return events, policy


# --- attributes over time ------------------------------------------------------------------


def _is_empty(v: object) -> bool:
    """NaN, NaT or pd.NA: a cell that leaves the attribute alone."""
    if isinstance(v, (float, np.floating)):
        return bool(v != v)
    if isinstance(v, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(v))
    return type(v).__name__ in ("NaTType", "NAType")


def _plain(v: object) -> object:
    """numpy scalars as Python values, so that groups compare and print plainly."""
    if isinstance(v, np.generic):
        return v.item()
    return v


def _record_id(v: object) -> str | None:
    if isinstance(v, str):
        return v
    if is_integer(v):
        return str(int(v))
    return None


class _Timelines:
    """The values of some attributes over time, per record, as the engine applied them.

    For a record, ``times`` holds each instant at which one of the attributes was
    updated and ``values[i]`` the attributes' values after all the events at
    ``times[i]`` (``None`` for unset); before ``times[0]`` every value is ``None``.
    Events at one instant collapse into one step, as the engine evaluates the
    record only between instants for the purpose of time spent.
    """

    def __init__(
        self, events: Any, names: list[str], skip_lines: set[int], as_of: int, optional: Iterable[str] = (),
        paths: Mapping[str, str] | None = None,
    ) -> None:
        self.names = names
        self.rows: dict[str, list[int]] = defaultdict(list)  # 0-based input rows per record
        self.times: dict[str, list[int]] = {}
        self.values: dict[str, list[tuple[object, ...]]] = {}
        # (record, instant) -> the values after each of several rows at that instant
        # that changed them, but the last (which is in ``values``).
        self.between: dict[tuple[str, int], list[tuple[object, ...]]] = {}
        skip = set(optional)  # names that may be absent from every event
        where = dict(paths or {})
        if is_dataframe(events):
            ids, at, updates = self._from_frame(events, names, skip, where)
        else:
            ids, at, updates = self._from_records(events, names, skip, where)
        order: dict[str, list[int]] = defaultdict(list)
        for row, (rid, t) in enumerate(zip(ids, at)):
            if rid is None or t is None or t > as_of or (row + 1) in skip_lines:
                continue
            order[rid].append(row)
        for rid, rows in order.items():
            rows.sort(key=lambda r: cast(int, at[r]))  # stable: rows at one instant keep input order
            self.rows[rid] = rows
            state: list[object] = [None] * len(names)
            times: list[int] = []
            values: list[tuple[object, ...]] = []
            for r in rows:
                changed = False
                for k, column in enumerate(updates):
                    v = column[r]
                    if v is not _KEEP and (type(v) is not type(state[k]) or v != state[k]):
                        state[k] = v
                        changed = True
                if not changed:
                    continue
                t = cast(int, at[r])
                if times and times[-1] == t:
                    self.between.setdefault((rid, t), []).append(values[-1])
                    values[-1] = tuple(state)
                else:
                    times.append(t)
                    values.append(tuple(state))
            self.times[rid] = times
            self.values[rid] = values

    @staticmethod
    def _from_records(
        events: Any, names: list[str], optional: set[str], where: dict[str, str]
    ) -> tuple[list[str | None], list[int | None], list[list[object]]]:
        ids: list[str | None] = []
        at: list[int | None] = []
        updates: list[list[object]] = [[] for _ in names]
        seen: set[str] = set()
        for e in events:
            if not isinstance(e, Mapping):
                ids.append(None)
                at.append(None)
                for column in updates:
                    column.append(_KEEP)
                continue
            seen.update(k for k in e.keys() if isinstance(k, str))
            ids.append(_record_id(e.get("id")))
            try:
                at.append(instant_seconds(e.get("at"), "at"))
            except Error:
                at.append(None)
            for k, name in enumerate(names):
                v = e.get(name, _KEEP)
                updates[k].append(_KEEP if v is not _KEEP and v is not None and _is_empty(v) else _plain(v))
        missing = [n for n in names if n not in seen and n not in optional]
        if missing and ids:
            raise _missing_attribute(missing[0], seen, where)
        return ids, at, updates

    @staticmethod
    def _from_frame(
        df: Any, names: list[str], optional: set[str], where: dict[str, str]
    ) -> tuple[list[str | None], list[int | None], list[list[object]]]:
        pd = pandas_module()
        for name in names:
            if name not in df.columns and name not in optional:
                raise _missing_attribute(name, {c for c in df.columns if isinstance(c, str)}, where)
        ids = [_record_id(_plain(v)) for v in df["id"].tolist()]
        column = df["at"]
        at: list[int | None]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            ns = column.dt.tz_convert("UTC").astype("datetime64[ns, UTC]").array.asi8
            at = [None if v == NAT else v // 10**9 for v in ns.tolist()]
        else:
            at = []
            for v in column.tolist():
                try:
                    at.append(instant_seconds(v, "at"))
                except Error:
                    at.append(None)
        updates: list[list[object]] = []
        for name in names:
            if name not in df.columns:
                updates.append([_KEEP] * len(ids))
                continue
            values = df[name].astype(object).tolist()
            # A DataFrame cannot clear an attribute: an empty cell leaves it alone.
            updates.append([_KEEP if v is None or _is_empty(v) else _plain(v) for v in values])
        return ids, at, updates

    def at(self, rid: str, t: int, *, before: bool) -> tuple[object, ...]:
        """The values in effect at ``t``: after the events at ``t`` or, with
        ``before``, after those strictly before ``t`` only."""
        times = self.times.get(rid, [])
        i = (bisect.bisect_left(times, t) if before else bisect.bisect_right(times, t)) - 1
        return self.values[rid][i] if i >= 0 else (None,) * len(self.names)

    def candidates(self, rid: str, t: int) -> list[tuple[object, ...]]:
        """The values in effect at ``t`` (after its events), then before ``t``,
        then after each of several rows at ``t`` that changed them."""
        return [self.at(rid, t, before=False), self.at(rid, t, before=True), *self.between.get((rid, t), [])]

    def split(self, rid: str, a: int, b: int) -> list[tuple[int, int, tuple[object, ...]]]:
        """``[a, b)`` cut where the values change: ``(start, end, values)`` pieces."""
        if b <= a:
            return []
        times = self.times.get(rid, [])
        values = self.values.get(rid, [])
        i = bisect.bisect_right(times, a) - 1
        out: list[tuple[int, int, tuple[object, ...]]] = []
        start = a
        while start < b:
            current = values[i] if i >= 0 else (None,) * len(self.names)
            end = times[i + 1] if i + 1 < len(times) else b
            end = min(end, b)
            out.append((start, end, current))
            start = end
            i += 1
        return out


def _missing_attribute(name: str, there: Iterable[str], where: dict[str, str]) -> InvalidArgumentError:
    """The error for a ``by`` / ``paused_by`` name that no event has: it names the
    argument and lists the attributes the events do have."""
    have = sorted(set(there) - {"id", "at"})
    listed = ", ".join(f"'{n}'" for n in have) if have else "none"
    return InvalidArgumentError(
        f"no event has the attribute '{name}'; the events have: {listed}", path=where.get(name, "by")
    )


# --- pause spans -----------------------------------------------------------------------


_Cycle = tuple[str, str, int]  # (id, target, cycle)


def _pause_spans(
    events: Any,
    policy: Policy,
    result: Evaluation,
    timelines: _Timelines,
    records: Iterable[str],
    timers: dict[_Cycle, tuple[int, int, int]],
) -> dict[_Cycle, list[tuple[int, int]]]:
    """The paused spans ``[a, b)`` of every cycle of ``records``, from their timelines.

    ``timers`` maps each cycle to ``(started, end, paused_seconds)`` with ``end`` the
    stop or ``as_of``; the spans of a cycle add up to its ``paused_seconds``, which
    is checked (a mismatch means the events changed since they were evaluated).
    """
    frame = is_dataframe(events)
    out: dict[_Cycle, list[tuple[int, int]]] = defaultdict(list)
    for rid in records:
        rows = timelines.rows.get(rid, [])
        subset = events.iloc[rows] if frame else [events[r] for r in rows]
        story = explain(policy, subset, rid, as_of=result.as_of)
        c = story._columns["entries"]
        started_at: dict[tuple[str, int], int] = {}
        open_since: dict[tuple[str, int], int] = {}
        for at, what, target, cycle in zip(c["at"].tolist(), c["what"], c["target"], c["cycle"].tolist()):
            if target is None:
                continue
            key = (target, cycle)
            if what == "start":
                started_at[key] = at
            elif what == "pause":
                first = timers.get((rid, target, cycle), (at, at, 0))[0]
                # A cycle that starts paused is paused from its start (which a
                # start_at attribute may put before the event); later pauses from the event.
                open_since[key] = first if started_at.get(key) == at else max(at, first)
            elif what in ("resume", "stop", "cancel", "reset") and key in open_since:
                a = open_since.pop(key)
                if at > a:
                    out[(rid, target, cycle)].append((a, at))
        for (target, cycle), a in open_since.items():
            end = timers.get((rid, target, cycle), (a, a, 0))[1]
            if end > a:
                out[(rid, target, cycle)].append((a, end))
    for cycle_key, spans_ in out.items():
        expected = timers[cycle_key][2] if cycle_key in timers else None
        if expected is not None and sum(b - a for a, b in spans_) != expected:
            raise InvalidArgumentError(
                f"record '{cycle_key[0]}', {cycle_key[1]} cycle {cycle_key[2]}: the pauses replayed do not add up to the "
                "evaluated paused_seconds; were the events changed after duly.evaluate?",
                path="events",
            )
    return out


def _without(a: int, b: int, holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``[a, b)`` less the sorted, disjoint ``holes``."""
    out = []
    start = a
    for h0, h1 in sorted(holes):
        if h0 > start:
            out.append((start, min(h0, b)))
        start = max(start, h1)
    if start < b:
        out.append((start, b))
    return [(x, y) for x, y in out if y > x]


# --- the cycles, once --------------------------------------------------------------------


class _Cycles:
    """The timer columns of an evaluation as plain lists, plus what report needs of them."""

    def __init__(self, result: Evaluation) -> None:
        c = result._columns["timers"]
        self.id: list[str] = strings(c["id"]).tolist()
        self.target: list[str] = strings(c["target"]).tolist()
        self.cycle: list[int] = c["cycle"].tolist()
        self.state: list[str] = strings(c["state"]).tolist()
        self.started: list[int] = c["started"].tolist()
        self.stopped: list[int] = c["stopped"].tolist()
        self.breached_at: list[int] = c["breached_at"].tolist()
        self.elapsed: list[int] = c["elapsed_seconds"].tolist()
        self.paused: list[int] = c["paused_seconds"].tolist()
        self.target_index: list[int] = c["target_index"].tolist()
        self.goal_index: list[int] = c["goal_index"].tolist()  # the goal in force at the end; -1: none
        self.goal: list[int] = c["goal_seconds"].tolist()  # NAT: no goal in force
        self.as_of = int(result.as_of.timestamp())

    def __len__(self) -> int:
        return len(self.id)

    def end(self, i: int) -> int:
        """Where the cycle's wall-clock span ends: its stop, or ``as_of``."""
        return self.as_of if self.stopped[i] == NAT else self.stopped[i]

    def bounds(self) -> dict[_Cycle, tuple[int, int, int]]:
        return {
            (self.id[i], self.target[i], self.cycle[i]): (self.started[i], self.end(i), max(self.paused[i], 0))
            for i in range(len(self))
            if self.cycle[i] > 0
        }

    def is_breached(self, i: int) -> bool:
        """Breached, or ended ``reset`` / ``cancelled`` after running past due: a
        breach is not undone by reclassifying or cancelling the record."""
        state = self.state[i]
        return state == "breached" or (state in ("cancelled", "reset") and self.breached_at[i] != NAT)

    def outcome(self, i: int) -> str:
        """The column a started cycle is counted in: ``met``, ``breached``,
        ``no_goal`` (stopped without a goal in force), ``open``, ``cancelled`` or ``reset``."""
        state = self.state[i]
        if self.is_breached(i):
            return "breached"
        if state == "met" and self.goal[i] == NAT:
            return "no_goal"
        if state in ("running", "paused"):
            return "open"
        return state

    def deciding(self, i: int) -> tuple[int, bool]:
        """The instant whose holder a cycle is counted under, and whether it is the
        holder *before* the instant (the events at that instant not yet applied)."""
        if self.is_breached(i):
            return self.breached_at[i], True  # who held the record when the clock ran out
        if self.stopped[i] != NAT:
            return self.stopped[i], True  # who held it when it stopped
        return self.as_of, False  # who holds it now (also for pending targets)


def _spans(
    result: Evaluation, cycles: _Cycles, timelines: _Timelines | None, events: Any, policy: Policy | None,
    ids: set[str] | None,
) -> dict[_Cycle, list[tuple[int, int]]]:
    need = {cycles.id[i] for i in range(len(cycles)) if cycles.cycle[i] > 0 and cycles.paused[i] > 0}
    if ids is not None:
        need &= ids
    if not need:
        return {}
    assert timelines is not None and policy is not None
    return _pause_spans(events, policy, result, timelines, sorted(need), cycles.bounds())


# --- business time -----------------------------------------------------------------------


def _zone_attributes(policy: Policy, cycles: _Cycles) -> list[str]:
    """The ``timezone_from`` attributes of the goals in force at the cycles' ends."""
    zones = policy._native.goal_timezones
    out: list[str] = []
    for t, g in set(zip(cycles.target_index, cycles.goal_index)):
        if g >= 0 and 0 <= t < len(zones) and g < len(zones[t]) and zones[t][g] and zones[t][g] not in out:
            out.append(zones[t][g])
    return sorted(out)


def _business(
    policy: Policy, cycles: _Cycles, timelines: _Timelines, piece_cycle: list[int], a: list[int], b: list[int]
) -> list[int]:
    """The business seconds of running pieces ``[a, b)`` of cycles ``piece_cycle``.

    As the engine measures a cycle (SPEC section 7): the open seconds of the
    calendar of the goal in force at the cycle's end (its stop, or ``as_of``), the
    whole cycle on that one calendar, read in the zone the goal's
    ``timezone_from`` attribute held then (an unknown or non-text zone keeps the
    calendar's own). A cycle without ``elapsed_seconds`` (no goal in force) runs
    on a 24x7 clock: its pieces count wall-clock seconds.

    One call to the compiled core for all pieces. The zone is the attribute's
    value after the events at the end instant; the engine takes it just after the
    event that ended the cycle, so when the pieces of a cycle do not add up to its
    ``elapsed_seconds``, the value before that instant, then after each event at
    it, are tried in turn (only when the zone changed at the very instant a cycle
    ended).
    """
    if not piece_cycle:
        return []
    native = policy._native
    goal_tz = native.goal_timezones
    zone_k = {name: k for k, name in enumerate(timelines.names)}
    cand: dict[int, list[str | None]] = {}
    for i in set(piece_cycle):
        g = cycles.goal_index[i] if cycles.elapsed[i] != NAT else -1
        t = cycles.target_index[i]
        attr = goal_tz[t][g] if 0 <= t < len(goal_tz) and 0 <= g < len(goal_tz[t]) else ""
        if not attr:
            cand[i] = [None]
            continue
        k = zone_k[attr]
        options: list[str | None] = []
        for values in timelines.candidates(cycles.id[i], cycles.end(i)):
            v = values[k]
            z = v if isinstance(v, str) else None
            if z not in options:
                options.append(z)
        cand[i] = options
    choice = dict.fromkeys(cand, 0)
    zones: list[str] = []
    codes: dict[str, int] = {}

    def code(z: str | None) -> int:
        if z is None:
            return -1
        if z not in codes:
            codes[z] = len(zones)
            zones.append(z)
        return codes[z]

    idx = np.array(piece_cycle, dtype=np.int64)
    elapsed = np.array(cycles.elapsed, dtype=np.int64)
    ti = np.array(cycles.target_index, dtype=np.int64)[idx]
    gi = np.where(elapsed != NAT, np.array(cycles.goal_index, dtype=np.int64), -1)[idx]
    start = np.array(a, dtype=np.int64)
    end = np.array(b, dtype=np.int64)
    out = np.zeros(len(piece_cycle), dtype=np.int64)
    todo = np.arange(len(piece_cycle))
    while len(todo):
        zc = np.array([code(cand[piece_cycle[r]][choice[piece_cycle[r]]]) for r in todo.tolist()], dtype=np.int64)
        out[todo] = native._business_elapsed(ti[todo], gi[todo], zc, zones, start[todo], end[todo])
        sums = np.zeros(len(cycles), dtype=np.int64)
        np.add.at(sums, idx, out)
        retry = {
            i for i in cand
            if elapsed[i] != NAT and sums[i] != elapsed[i] and choice[i] + 1 < len(cand[i])
        }
        for i in retry:
            choice[i] += 1
        todo = np.flatnonzero(np.isin(idx, np.array(sorted(retry), dtype=np.int64)))
    return out.tolist()


# --- report ------------------------------------------------------------------------------


def _percentile(sorted_values: list[int], p: int) -> int:
    """Nearest rank: the smallest value with at least ``p`` % of the values at or below it."""
    rank = max(1, -(-p * len(sorted_values) // 100))
    return sorted_values[rank - 1]


def _target_order(policy: Policy | None, targets: Iterable[str]) -> dict[str, tuple[int, int, str | None, str | None]]:
    """Per target: (family, place in family, kind, supports) so that internal
    targets (kind ola / uc) sort right after the external target they support."""
    labels = policy.labels if policy is not None else {}
    order = list(policy.targets) if policy is not None else []
    for t in sorted(set(targets) - set(order)):
        order.append(t)
    index = {t: i for i, t in enumerate(order)}
    out = {}
    for t in order:
        kind = labels.get(t, {}).get("kind")
        supports = labels.get(t, {}).get("supports")
        family, place = index[t], 0
        if kind in _INTERNAL and supports in index and labels.get(supports, {}).get("kind") not in _INTERNAL:
            family, place = index[supports], 1 + index[t]
        out[t] = (family, place, kind, supports)
    return out


def _warn_without_goals(cycles: _Cycles) -> None:
    """``NoGoalWarning`` for each target none of whose cycles had a goal in force."""
    started: dict[str, int] = defaultdict(int)
    with_goal: set[str] = set()
    for i in range(len(cycles)):
        if cycles.cycle[i] > 0:
            started[cycles.target[i]] += 1
            if cycles.goal[i] != NAT:
                with_goal.add(cycles.target[i])
    for target, n in started.items():
        if target not in with_goal:
            warnings.warn(
                f"target '{target}': no goal matched any of its {n} cycle{'s' if n != 1 else ''} "
                "(no goal's 'when' held); they are counted under no_goal, not in attainment",
                NoGoalWarning,
                stacklevel=3,
            )


def _sort_key(v: object) -> tuple[bool, str, Any]:
    return (v is None, type(v).__name__, v if v is not None else 0)


def report(
    result: Evaluation,
    by: ByLike = None,
    *,
    paused_by: str | None = None,
    events: EventsLike | None = None,
    policy: Policy | None = None,
) -> DataFrame:
    """Attainment, time to stop, paused and running time, per target and group.

    One row per target, or per target and combination of values of the ``by``
    attributes (event attributes such as ``"group"`` or ``"priority"``).

    Example (the helpdesk example, as of 2026-11-30T17:00:00Z)::

        >>> result = duly.evaluate(policy, events, "2026-11-30T17:00:00Z")
        >>> duly.report(result)[["target", "cycles", "met", "breached", "attainment"]]
                   target  cycles  met  breached  attainment
        0  first_response       8    3         3        0.50
        1      resolution      11    3         1        0.75
        >>> duly.report(result, by="assignee", paused_by="status")   # who held the clock

    Columns (seconds are exact integers):

    - ``target``, ``kind`` (the target's ``labels.kind``: ``sla``, ``ola``, ``uc``, or
      ``<NA>``), ``supports`` (``labels.supports``: the external target an
      internal one serves), then one column per ``by`` attribute.
    - ``cycles``: cycles started, each counted in one of ``met``, ``breached``
      (stopped past due, active past due at ``as_of``, or ended ``reset`` or
      ``cancelled`` after running past due: a breach is not undone by
      reclassifying or cancelling the record), ``no_goal`` (stopped with no goal
      in force: nothing was promised, so neither met nor breached), ``open``
      (running or paused, not yet breached), ``cancelled``, ``reset``;
      ``pending``: records on which the target never started.
    - ``attainment``: ``met / (met + breached)``, NaN when nothing was judged.
    - ``p50_seconds``, ``p90_seconds``: business time to stop, the nearest-rank
      percentiles of ``elapsed_seconds`` (open seconds of the goal's calendar)
      over the cycles that stopped ``met`` or ``breached`` with a goal in force;
      ``<NA>`` when none.

    A target none of whose cycles had a goal in force (its goals' ``when`` never
    held) gives a ``duly.NoGoalWarning``.
    - ``running_seconds``: business seconds the clock ran *while the record had
      this row's ``by`` values*; so with ``by="group"`` it is the time the clock
      ran while each group held the record. Business seconds are the open
      seconds of the calendar of the goal in force at the cycle's end (its stop,
      or ``as_of``), read in the zone of that goal's ``timezone_from`` attribute
      as the record had it then, over the cycle's running spans: the whole cycle
      on that one calendar, as the engine measures ``elapsed_seconds`` (SPEC
      section 7). A cycle with no goal in force (no ``elapsed_seconds``) counts
      on a 24x7 clock, i.e. in wall-clock seconds.
    - ``running_wall_seconds``: the same in wall-clock seconds (from each cycle's
      start to its stop or ``as_of``, less its pauses).
    - ``paused_seconds``: wall-clock seconds paused (as the engine reports
      ``paused_seconds``), split the same way; with
      ``paused_by="state"`` also ``paused_seconds[<value>]``, one column per value
      the ``state`` attribute had while paused (``paused_seconds[<null>]`` while
      unset): which status paused the clock.

    The counting columns (``cycles`` ... ``p90_seconds``) put each cycle under the
    ``by`` values the record had at its deciding instant: just before its breach
    (``breached_at``) for a breached cycle, *who held the clock when it ran out*;
    just before its stop for one that ended otherwise; at ``as_of`` for one still
    running or paused, and for pending targets. (For a cycle that ends at the
    instant it started, after that instant's events.) The time columns split each
    cycle's time by the values held at each second instead. So, per target and
    whatever ``by`` is, the rows' ``running_seconds`` add up exactly to the
    cycles' ``elapsed_seconds`` (plus the wall-clock running time of cycles
    without a goal), their ``paused_seconds`` to the cycles' ``paused_seconds``,
    and ``running_wall_seconds + paused_seconds`` to the cycles' wall-clock spans.

    Rows are in policy order, each internal target (``kind: ola`` or ``uc`` with
    ``supports: <target>``) right after the external target it supports; with
    ``by``, by group first, so that for each group the supporting targets sit
    beside the one they serve. ``by`` and ``paused_by`` replay the events kept by
    ``evaluate`` (a list or a DataFrame; pass ``events=`` otherwise) and explain
    the records that were ever paused.
    """
    result = _require_evaluation(result)
    names = _names(by, "by")
    status = _names(paused_by, "paused_by")
    if len(status) > 1:
        raise InvalidArgumentError("expected one attribute name", path="paused_by")
    pd = pandas_module()
    cycles = _Cycles(result)
    attributes = names + [s for s in status if s not in names]
    timelines: _Timelines | None = None
    src_policy = policy if policy is not None else result.policy
    src_events: Any = None
    if attributes:
        src_events, src_policy = _sources(result, events, policy)
        skip = {r.line for r in result.rejected}
        zones = [z for z in _zone_attributes(src_policy, cycles) if z not in attributes]
        paths = {**{n: "paused_by" for n in status}, **{n: "by" for n in names}}
        timelines = _Timelines(src_events, attributes + zones, skip, cycles.as_of, optional=zones, paths=paths)
    status_k = attributes.index(status[0]) if status else -1
    nkeys = len(names)

    Key = tuple[str, tuple[object, ...]]
    counts: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    to_stop: dict[Key, list[int]] = defaultdict(list)
    paused_split: dict[Key, dict[object, int]] = defaultdict(lambda: defaultdict(int))
    statuses: set[object] = set()
    pauses = _spans(result, cycles, timelines, src_events, src_policy, None) if attributes else {}
    run_cycle: list[int] = []  # running pieces: cycle, [start, end), row
    run_a: list[int] = []
    run_b: list[int] = []
    run_key: list[Key] = []
    for i in range(len(cycles)):
        rid, target = cycles.id[i], cycles.target[i]
        if timelines is not None:
            t, before = cycles.deciding(i)
            if before and cycles.cycle[i] > 0 and t <= cycles.started[i]:
                before = False
            group = timelines.at(rid, t, before=before)[:nkeys]
        else:
            group = ()
        row = counts[(target, group)]
        state = cycles.state[i]
        if cycles.cycle[i] == 0:
            row["pending"] += 1
            continue
        row["cycles"] += 1
        outcome = cycles.outcome(i)
        row[outcome] += 1
        if outcome in ("met", "breached") and state in ("met", "breached") and cycles.stopped[i] != NAT \
                and cycles.elapsed[i] != NAT and cycles.goal[i] != NAT:
            to_stop[(target, group)].append(cycles.elapsed[i])
        a, b = cycles.started[i], cycles.end(i)
        if timelines is None:
            if b > a:
                paused = max(cycles.paused[i], 0)
                counts[(target, group)]["paused_seconds"] += paused
                counts[(target, group)]["running_wall_seconds"] += b - a - paused
                # The engine's business time of the whole cycle; 24x7 without a goal.
                business = cycles.elapsed[i] if cycles.elapsed[i] != NAT else b - a - paused
                counts[(target, group)]["running_seconds"] += business
            continue
        holes = pauses.get((rid, target, cycles.cycle[i]), [])
        for x, y in _without(a, b, holes):
            for p, q, values in timelines.split(rid, x, y):
                key = (target, values[:nkeys])
                counts[key]["running_wall_seconds"] += q - p
                run_cycle.append(i)
                run_a.append(p)
                run_b.append(q)
                run_key.append(key)
        for x, y in holes:
            for p, q, values in timelines.split(rid, x, y):
                key = (target, values[:nkeys])
                counts[key]["paused_seconds"] += q - p
                if status_k >= 0:
                    statuses.add(values[status_k])
                    paused_split[key][values[status_k]] += q - p

    _warn_without_goals(cycles)
    if run_cycle:
        assert timelines is not None and src_policy is not None
        for key, seconds in zip(run_key, _business(src_policy, cycles, timelines, run_cycle, run_a, run_b)):
            counts[key]["running_seconds"] += seconds

    order = _target_order(src_policy, {t for t, _ in counts})
    keys = sorted(
        counts,
        key=lambda k: (order[k[0]][0], tuple(_sort_key(v) for v in k[1]), order[k[0]][1], k[0]),
    )
    status_columns = sorted(statuses, key=_sort_key)

    def label(v: object) -> str:
        return "paused_seconds[<null>]" if v is None else f"paused_seconds[{v}]"

    data: dict[str, Any] = {
        "target": pd.array([k[0] for k in keys], dtype="string"),
        "kind": pd.array([order[k[0]][2] for k in keys], dtype="string"),
        "supports": pd.array([order[k[0]][3] for k in keys], dtype="string"),
    }
    for n, name in enumerate(names):
        data[name] = pd.array([k[1][n] for k in keys]) if keys else pd.array([], dtype="string")
    for column in _COUNTS:
        data[column] = np.array([counts[k][column] for k in keys], dtype=np.int64)
    judged = data["met"] + data["breached"]
    with np.errstate(invalid="ignore", divide="ignore"):
        data["attainment"] = np.where(judged > 0, data["met"] / np.maximum(judged, 1), np.nan)
    for p in (50, 90):
        stops = [sorted(to_stop[k]) for k in keys]
        data[f"p{p}_seconds"] = pd.array([_percentile(v, p) if v else None for v in stops], dtype="Int64")
    data["running_seconds"] = np.array([counts[k]["running_seconds"] for k in keys], dtype=np.int64)
    data["running_wall_seconds"] = np.array([counts[k]["running_wall_seconds"] for k in keys], dtype=np.int64)
    data["paused_seconds"] = np.array([counts[k]["paused_seconds"] for k in keys], dtype=np.int64)
    for s in status_columns:
        data[label(s)] = np.array([paused_split[k].get(s, 0) for k in keys], dtype=np.int64)
    return pd.DataFrame(data)


# --- spans -------------------------------------------------------------------------------


def spans(
    result: Evaluation,
    by: ByLike = None,
    *,
    ids: Iterable[str] | str | None = None,
    events: EventsLike | None = None,
    policy: Policy | None = None,
) -> DataFrame:
    """Every cycle's wall-clock time cut into ``running`` and ``paused`` spans.

    One row per span: ``id``, ``target``, ``cycle``, ``span`` (``running`` or
    ``paused``), ``start``, ``end`` (``datetime64[ns, UTC]``; a cycle's last span
    ends at its stop or at ``as_of``), ``seconds`` (``end - start``), and one
    column per ``by`` attribute with the value the record had over the span (a
    span is cut where one of them changes). This is what ``duly.report`` adds
    up (``seconds`` are wall-clock: ``running_wall_seconds`` and
    ``paused_seconds``; its ``running_seconds`` count the open seconds of the
    goal's calendar within the running spans); pivot it for any other breakdown::

        >>> s = duly.spans(result, by="assignee", ids="HD-1008")
        >>> s[["target", "span", "start", "end", "seconds", "assignee"]]

    ``ids`` limits the rows to some records (a single id or several). Pending
    targets have no spans. The pauses come from ``duly.explain`` of each record
    that was ever paused.
    """
    result = _require_evaluation(result)
    names = _names(by, "by")
    wanted: set[str] | None = None
    if ids is not None:
        wanted = {ids} if isinstance(ids, str) else {str(i) for i in ids}
    pd = pandas_module()
    cycles = _Cycles(result)
    rows = [i for i in range(len(cycles)) if cycles.cycle[i] > 0 and (wanted is None or cycles.id[i] in wanted)]
    need = any(cycles.paused[i] > 0 for i in rows)
    timelines: _Timelines | None = None
    src_events: Any = None
    src_policy = policy if policy is not None else result.policy
    if names or need:
        src_events, src_policy = _sources(result, events, policy)
        timelines = _Timelines(src_events, names, {r.line for r in result.rejected}, cycles.as_of)
    pauses = _spans(result, cycles, timelines, src_events, src_policy, wanted)
    out: dict[str, list[Any]] = {k: [] for k in ("id", "target", "cycle", "span", "start", "end", *names)}
    for i in rows:
        rid, target, cycle = cycles.id[i], cycles.target[i], cycles.cycle[i]
        holes = pauses.get((rid, target, cycle), [])
        pieces = [(x, y, "running") for x, y in _without(cycles.started[i], cycles.end(i), holes)]
        pieces += [(x, y, "paused") for x, y in holes]
        for x, y, kind in sorted(pieces):
            parts = timelines.split(rid, x, y) if (timelines is not None and names) else [(x, y, ())]
            for p, q, values in parts:
                out["id"].append(rid)
                out["target"].append(target)
                out["cycle"].append(cycle)
                out["span"].append(kind)
                out["start"].append(p)
                out["end"].append(q)
                for n, name in enumerate(names):
                    out[name].append(values[n])
    start = np.array(out["start"], dtype=np.int64)
    end = np.array(out["end"], dtype=np.int64)

    def instants(a: Any) -> Any:
        return pd.DatetimeIndex(a.view("datetime64[s]").astype("datetime64[ns]")).tz_localize("UTC").array

    data: dict[str, Any] = {
        "id": pd.array(out["id"], dtype="string"),
        "target": pd.array(out["target"], dtype="string"),
        "cycle": pd.array(out["cycle"], dtype="Int64"),
        "span": pd.array(out["span"], dtype="string"),
        "start": instants(start),
        "end": instants(end),
        "seconds": end - start,
    }
    for name in names:
        data[name] = pd.array(out[name]) if out[name] else pd.array([], dtype="string")
    return pd.DataFrame(data)


# --- attainment over time ----------------------------------------------------------------


def attainment_over_time(result: Evaluation, freq: str = "W") -> DataFrame:
    """Attainment per target and period: ``met / (met + breached)`` of the cycles
    judged in each period.

    A cycle is judged when it stops ``met`` or ``breached`` (at ``stopped``), or
    when an active cycle passes its due (at ``breached_at``). ``freq`` is a
    pandas period alias (``"D"``, ``"W"``, ``"M"``...; periods in UTC). Columns:
    ``period`` (the period's start, ``datetime64[ns, UTC]``), ``target``, ``met``,
    ``breached``, ``attainment``; periods without a judged cycle are left out::

        >>> duly.attainment_over_time(result, "D").head(2)
    """
    result = _require_evaluation(result)
    if not isinstance(freq, str):
        raise InvalidArgumentError(f"expected a pandas period alias such as 'W', got {type_name(freq)}", path="freq")
    pd = pandas_module()
    cycles = _Cycles(result)
    target: list[str] = []
    when: list[int] = []
    met: list[int] = []
    for i in range(len(cycles)):
        state = cycles.state[i]
        if state == "met":
            t = cycles.stopped[i]
        elif state == "breached":
            t = cycles.stopped[i] if cycles.stopped[i] != NAT else cycles.breached_at[i]
        else:
            continue
        target.append(cycles.target[i])
        when.append(t)
        met.append(1 if state == "met" else 0)
    columns = ["period", "target", "met", "breached", "attainment"]
    if not target:
        return pd.DataFrame({c: [] for c in columns})
    at = pd.DatetimeIndex(np.array(when, dtype=np.int64).view("datetime64[s]").astype("datetime64[ns]"))
    try:
        period = at.to_period(freq).start_time
    except ValueError as e:
        raise InvalidArgumentError(f"not a pandas period alias: {freq!r} ({e})", path="freq") from None
    frame = pd.DataFrame({"period": period, "target": target, "met": met})
    frame["breached"] = 1 - frame["met"]
    g = frame.groupby(["period", "target"], sort=True).sum().reset_index()
    g["period"] = g["period"].dt.tz_localize("UTC")
    g["target"] = g["target"].astype("string")
    g["attainment"] = g["met"] / (g["met"] + g["breached"])
    order = _target_order(result.policy, set(target))
    g["_o"] = [order[t][:2] for t in g["target"]]
    g = g.sort_values(["period", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return g[columns]
