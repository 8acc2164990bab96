"""What the analysis modules share: argument checks, the cycles of an evaluation
as arrays, the engine's facts, target order and grouping keys.

Everything here reads what ``duly.evaluate`` returned (``timers_frame()``,
``pauses_frame()``) or what the engine reports when asked again with carried
attributes (``Evaluation._facts``): no events are replayed and nothing is guessed.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Union

import numpy as np
import numpy.typing as npt

from .._errors import InvalidArgumentError
from .._evaluation import EventsLike, Evaluation, evaluate
from .._policy import Policy

#: What ``by`` may be: one attribute name or several.
ByLike = Union[str, Sequence[str], None]

#: The int64 that stands for "no value" in the timer columns (NaT's bit pattern).
NAT = np.iinfo(np.int64).min

# Target kinds that support an external target (``labels.kind``, with ``labels.supports``).
_INTERNAL = ("ola", "uc")


def pandas() -> Any:
    """pandas, imported on first use (``import duly`` does not need it)."""
    try:
        return importlib.import_module("pandas")
    except ImportError as e:  # pragma: no cover - pandas is installed for the tests
        raise ImportError("duly's reports need pandas: pip install pandas") from e


def type_name(v: object) -> str:
    return type(v).__name__


def is_dataframe(v: object) -> bool:
    return type(v).__name__ == "DataFrame" and hasattr(v, "columns")


# --- arguments ---------------------------------------------------------------------------


def names(by: object, what: str) -> list[str]:
    """``by`` (one attribute name, several, or None) as a list, checked."""
    if by is None:
        return []
    if isinstance(by, str):
        by = [by]
    if not isinstance(by, Iterable):
        raise InvalidArgumentError(f"expected an attribute name or a list of them, got {type_name(by)}", path=what)
    out = list(by)
    for i, name in enumerate(out):
        if not isinstance(name, str):
            raise InvalidArgumentError(f"expected an attribute name, got {type_name(name)}", path=f"{what}[{i}]")
        if name in ("id", "at", "target", "cycle"):
            raise InvalidArgumentError(
                f"'{name}' is not an attribute: rows are always per target; group by event attributes "
                "such as 'group' or 'priority'",
                path=what,
            )
    if len(set(out)) != len(out):
        raise InvalidArgumentError(f"an attribute is named twice: {out}", path=what)
    return out


def require_evaluation(result: object) -> Evaluation:
    if not isinstance(result, Evaluation):
        raise InvalidArgumentError(
            f"expected what duly.evaluate returns (a duly.Evaluation), got {type_name(result)}", path="result"
        )
    return result


def _attributes_of(events: Any) -> set[str]:
    """The attribute names the events have: a DataFrame's columns, or every key of the dicts."""
    if is_dataframe(events):
        return {c for c in events.columns if isinstance(c, str)}
    if hasattr(type(events), "__arrow_c_stream__"):
        from .._arrow_events import table_of

        return set(table_of(events).column_names)
    seen: set[str] = set()
    for e in events:
        if isinstance(e, Mapping):
            seen.update(k for k in e.keys() if isinstance(k, str))
    return seen


def check_attributes(events: Any, wanted: Mapping[str, str]) -> None:
    """Every name in ``wanted`` (name -> the argument that gave it) is an attribute of
    some event; else an error naming the argument and listing the attributes there are."""
    if not wanted:
        return
    there = _attributes_of(events)
    if not there and not is_dataframe(events) and not hasattr(type(events), "__arrow_c_stream__"):
        return  # no events at all: nothing to group
    for name, argument in wanted.items():
        if name not in there:
            have = sorted(there - {"id", "at"})
            listed = ", ".join(f"'{n}'" for n in have) if have else "none"
            raise InvalidArgumentError(
                f"no event has the attribute '{name}'; the events have: {listed}", path=argument
            )


# --- the cycles ----------------------------------------------------------------------------


def _seconds(column: Any) -> npt.NDArray[np.int64]:
    """A ``datetime64[ns, UTC]`` column as int64 seconds, NAT for NaT."""
    ns = np.asarray(column.array.asi8, dtype=np.int64)
    return np.where(ns == NAT, NAT, ns // 10**9)


def _ints(column: Any) -> npt.NDArray[np.int64]:
    """An ``Int64`` column as int64, NAT for <NA>."""
    return np.asarray(column.to_numpy(dtype=np.int64, na_value=NAT), dtype=np.int64)


class Cycles:
    """The timer rows of an evaluation as arrays (instants and seconds as int64, NAT for null).

    Made from ``Evaluation.timers_frame()``, or (``native``) from the timer columns
    of the engine's facts, which are the same rows in the same order."""

    def __init__(self, result: Evaluation, native: Mapping[str, Any] | None = None) -> None:
        self.as_of = int(result.as_of.timestamp())
        if native is not None:
            c = native
            self.id: npt.NDArray[np.object_] = text_column(c["id"])
            self.target: npt.NDArray[np.object_] = text_column(c["target"])
            self.state: npt.NDArray[np.object_] = text_column(c["state"])
            for name, key in (("cycle", "cycle"), ("goal", "goal_seconds"), ("started", "started"),
                              ("stopped", "stopped"), ("breached_at", "breached_at"),
                              ("elapsed", "elapsed_seconds"), ("paused", "paused_seconds")):
                setattr(self, name, np.asarray(c[key], dtype=np.int64))
        else:
            t = result.timers_frame()
            self.id = t["id"].to_numpy(dtype=object)
            self.target = t["target"].to_numpy(dtype=object)
            self.state = t["state"].to_numpy(dtype=object)
            self.cycle = _ints(t["cycle"])
            self.goal = _ints(t["goal_seconds"])
            self.started = _seconds(t["started"])
            self.stopped = _seconds(t["stopped"])
            self.breached_at = _seconds(t["breached_at"])
            self.elapsed = _ints(t["elapsed_seconds"])
            self.paused = _ints(t["paused_seconds"])
        self.end = np.where(self.stopped == NAT, self.as_of, self.stopped)  # a cycle's span ends here

    def __len__(self) -> int:
        return len(self.id)

    def outcomes(self) -> npt.NDArray[np.object_]:
        """The column each row is counted in: ``pending`` (cycle 0), ``met``,
        ``breached`` (also a cycle that ended ``reset`` or ``cancelled`` after running
        past due: a breach is not undone by reclassifying or cancelling the record),
        ``no_goal`` (stopped with no goal in force), ``open``, ``cancelled``, ``reset``."""
        out = self.state.copy()
        out[np.isin(self.state, ("running", "paused"))] = "open"
        out[(self.state == "met") & (self.goal == NAT)] = "no_goal"
        ended = np.isin(self.state, ("cancelled", "reset")) & (self.breached_at != NAT)
        out[ended] = "breached"
        out[self.cycle == 0] = "pending"
        return out

    def judged_at(self) -> npt.NDArray[np.int64]:
        """When each cycle was judged (met or breached), NAT for the others: its stop,
        or its ``breached_at`` for one breached while active (still open, or ended
        reset or cancelled after its due)."""
        outcome = self.outcomes()
        met = outcome == "met"
        breached = outcome == "breached"
        stopped_breach = breached & (self.state == "breached") & (self.stopped != NAT)
        at = np.full(len(self), NAT, dtype=np.int64)
        at[met] = self.stopped[met]
        at[breached] = self.breached_at[breached]
        at[stopped_breach] = self.stopped[stopped_breach]
        return at


# --- the engine's facts ---------------------------------------------------------------------


def text_column(column: Any) -> npt.NDArray[np.object_]:
    """A native text column (``(codes, distinct values)``, or a list) as an object array."""
    if isinstance(column, tuple) and len(column) == 2:
        codes, distinct = column
        table = np.empty(len(distinct) + 1, dtype=object)
        table[: len(distinct)] = distinct
        table[len(distinct)] = None
        codes = np.asarray(codes, dtype=np.int64)
        return table[np.where(codes < 0, len(distinct), codes)]
    out = np.empty(len(column), dtype=object)
    out[:] = list(column)
    return out


def facts(
    result: Evaluation, carry: list[str], wanted: Mapping[str, str], events: EventsLike | None,
    policy: Policy | None,
) -> tuple[dict[str, Any], Cycles]:
    """The engine's facts for ``result`` with the attributes ``carry``: the native
    ``timers`` (with ``carried``) and ``segments``, from the events and policy kept by
    ``evaluate``, or those given (evaluated again at the same ``as_of``, and checked
    to give the same timers); and the cycles, from those timers."""
    source = result
    if events is not None or policy is not None:
        p = result.policy if policy is None else policy
        if not isinstance(p, Policy):
            raise InvalidArgumentError("expected the duly.Policy that was evaluated", path="policy")
        e = result.events if events is None else events
        if e is None:
            source._facts(carry)  # raises the error that says the events were not kept
        if not (is_dataframe(e) or isinstance(e, (list, tuple)) or hasattr(type(e), "__arrow_c_stream__")):
            e = list(e)  # type: ignore[arg-type]
        source = evaluate(p, e, result.as_of, rows=result.rows, tz=result.tz, threads=result.threads)
    if source.events is not None:
        check_attributes(source.events, wanted)
    out: dict[str, Any] = source._facts(carry)
    cycles = Cycles(result, out["timers"])
    if source is not result:
        mine = Cycles(result)
        if len(mine) != len(cycles) or not (
            np.array_equal(mine.cycle, cycles.cycle) and np.array_equal(mine.started, cycles.started)
            and bool((mine.state == cycles.state).all()) and bool((mine.id == cycles.id).all())
        ):
            raise InvalidArgumentError(
                "the events (and policy) given do not give the evaluation's timers: pass those that were evaluated",
                path="events",
            )
    return out, cycles


def carried(columns: Mapping[str, Any], n: int, k: int) -> npt.NDArray[np.object_]:
    """The ``k``-th carried attribute of native columns as an object array (``n`` rows)."""
    values = columns["carried"][k]
    out = np.empty(n, dtype=object)
    out[:] = list(values)
    return out


# --- order and keys ----------------------------------------------------------------------


def target_order(
    policy: Policy | None, targets: Iterable[str]
) -> dict[str, tuple[int, int, str | None, str | None]]:
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


def sort_key(v: object) -> tuple[bool, str, Any]:
    """Group values in a stable order: by type name, then value; None last."""
    return (v is None, type(v).__name__, v if v is not None else 0)


def plain(v: object) -> object:
    """numpy scalars as Python values, so that groups compare and print plainly;
    a missing value (NaN, pd.NA) as None."""
    if isinstance(v, np.generic):
        v = v.item()
    if (isinstance(v, float) and v != v) or type(v).__name__ == "NAType":
        return None
    return v


def group_codes(columns: list[npt.NDArray[np.object_]]) -> tuple[npt.NDArray[np.int64], list[tuple[object, ...]]]:
    """Rows of several object columns as one code per row, and the distinct tuples.

    Values are told apart as a dict would (``1 == 1.0 == True``); ``None`` is a value."""
    n = len(columns[0]) if columns else 0
    if not columns:
        return np.zeros(n, dtype=np.int64), [()]
    pd = pandas()
    codes = []
    uniques = []
    for column in columns:
        c, u = pd.factorize(column, use_na_sentinel=False)
        codes.append(np.asarray(c, dtype=np.int64))
        uniques.append([plain(v) for v in np.asarray(u, dtype=object)])
    if len(codes) == 1:
        return codes[0], [(v,) for v in uniques[0]]
    sizes = [max(len(u), 1) for u in uniques]
    if float(np.prod(np.array(sizes, dtype=np.float64))) < 2.0**62:
        # One int64 per row (mixed radix), factorized by hashing: far cheaper than
        # sorting rows of several columns.
        combined = codes[0].copy()
        for c, size in zip(codes[1:], sizes[1:]):
            combined = combined * size + c
        inverse, distinct = pd.factorize(combined)
        keys = []
        for value in np.asarray(distinct, dtype=np.int64).tolist():
            parts = []
            for size in reversed(sizes[1:]):
                value, part = divmod(value, size)
                parts.append(part)
            parts.append(value)
            keys.append(tuple(uniques[k][p] for k, p in enumerate(reversed(parts))))
        return np.asarray(inverse, dtype=np.int64), keys
    stacked = np.stack(codes, axis=1)
    rows, inverse = np.unique(stacked, axis=0, return_inverse=True)
    keys = [tuple(uniques[k][int(row[k])] for k in range(len(columns))) for row in rows]
    return np.asarray(inverse, dtype=np.int64).reshape(-1), keys
