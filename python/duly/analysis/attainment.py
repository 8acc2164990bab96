"""``duly.report``: attainment, time to stop, running and paused time, per target and group.

The counts come from the timer rows of the evaluation; with ``by`` or
``paused_by``, each cycle is counted under the attribute values the engine
carried to its deciding instant, and the time columns add up the engine's
segments (each cycle's span cut at every pause, resume and change of a carried
attribute, with the business seconds of each running piece). Every figure is an
exact integer number of seconds; nothing is sampled, replayed or guessed.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .._errors import InvalidArgumentError
from .._evaluation import EventsLike, Evaluation
from .._policy import Policy
from .._warnings import NoGoalWarning
from ._common import (
    NAT,
    ByLike,
    Cycles,
    carried,
    facts,
    group_codes,
    names,
    pandas,
    require_evaluation,
    sort_key,
    target_order,
    text_column,
)

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import, unused-ignore]

__all__ = ["report"]

_COUNTS = ("cycles", "met", "breached", "no_goal", "open", "cancelled", "reset", "pending")


def _percentile(values: npt.NDArray[np.int64], keys: npt.NDArray[np.int64], nkeys: int, p: int) -> list[int | None]:
    """Per key, the nearest-rank percentile of ``values``: the smallest value with at
    least ``p`` % of the key's values at or below it (None for a key without values)."""
    out: list[int | None] = [None] * nkeys
    if len(values) == 0:
        return out
    order = np.lexsort((values, keys))
    keys, values = keys[order], values[order]
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    count = np.diff(np.r_[first, len(keys)])
    rank = np.maximum(1, -(-p * count // 100))
    for key, v in zip(keys[first].tolist(), values[first + rank - 1].tolist()):
        out[key] = v
    return out


def _warn_without_goals(cycles: Cycles) -> None:
    """``NoGoalWarning`` for each target none of whose cycles had a goal in force."""
    started = cycles.cycle > 0
    targets, counts = np.unique(cycles.target[started].astype(str), return_counts=True)
    with_goal = set(cycles.target[started & (cycles.goal != NAT)].tolist())
    for target, n in zip(targets.tolist(), counts.tolist()):
        if target not in with_goal:
            warnings.warn(
                f"target '{target}': no goal matched any of its {n} cycle{'s' if n != 1 else ''} "
                "(no goal's 'when' held); they are counted under no_goal, not in attainment",
                NoGoalWarning,
                stacklevel=3,
            )


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
    - ``running_seconds``: business seconds the clock ran *while the record had
      this row's ``by`` values*; so with ``by="group"`` it is the time the clock
      ran while each group held the record. Business seconds are the open
      seconds of the calendar the engine finally measured the cycle on (the
      goal in force at its end, in the zone it was read in), over the running
      pieces; so per target, whatever ``by`` is, the rows add up exactly to the
      cycles' ``elapsed_seconds``. A cycle with no goal in force (no
      ``elapsed_seconds``) counts wall-clock seconds.
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
    running or paused, and for pending targets. The time columns split each
    cycle's time by the values held at each second instead: the rows'
    ``paused_seconds`` add up to the cycles' ``paused_seconds``, and
    ``running_wall_seconds + paused_seconds`` to the cycles' wall-clock spans.

    Rows are in policy order, each internal target (``kind: ola`` or ``uc`` with
    ``supports: <target>``) right after the external target it supports; with
    ``by``, by group first, so that for each group the supporting targets sit
    beside the one they serve. ``by`` and ``paused_by`` evaluate the events kept
    by ``evaluate`` again (a list or a DataFrame; pass ``events=`` otherwise),
    asking the engine to carry those attributes: about the cost of one more
    evaluation. A name no event has raises ``duly.InvalidArgumentError`` naming
    the argument and listing the attributes there are.

    A target none of whose cycles had a goal in force (its goals' ``when`` never
    held) gives a ``duly.NoGoalWarning``.
    """
    result = require_evaluation(result)
    group_names = names(by, "by")
    status = names(paused_by, "paused_by")
    if len(status) > 1:
        raise InvalidArgumentError("expected one attribute name", path="paused_by")
    pd = pandas()
    carry = group_names + [s for s in status if s not in group_names]
    wanted = {**{s: "paused_by" for s in status}, **{g: "by" for g in group_names}}
    src_policy = policy if policy is not None else result.policy
    if carry:
        f, cycles = facts(result, carry, wanted, events, policy)
    else:
        cycles = Cycles(result)
    n = len(cycles)
    outcome = cycles.outcomes()

    # The time rows: the engine's segments, or each cycle whole when nothing is carried.
    status_values: npt.NDArray[np.object_] | None = None
    if carry:
        timer_values = [carried(f["timers"], n, k) for k in range(len(group_names))]
        seg = f["segments"]
        m = len(seg["from"])
        span = np.asarray(seg["until"], dtype=np.int64) - np.asarray(seg["from"], dtype=np.int64)
        keep = span > 0  # an empty piece holds no time and makes no row
        span = span[keep]
        is_paused = np.asarray(seg["paused"], dtype=bool)[keep]
        time_target = text_column(seg["target"])[keep]
        time_values = [carried(seg, m, k)[keep] for k in range(len(group_names))]
        wall = np.where(is_paused, 0, span)
        business = np.where(is_paused, 0, np.asarray(seg["business_seconds"], dtype=np.int64)[keep])
        paused = np.where(is_paused, span, 0)
        if status:
            status_values = carried(seg, m, carry.index(status[0]))[keep]
    else:
        timer_values = []
        whole = (cycles.cycle > 0) & (cycles.end > cycles.started)
        span = (cycles.end - cycles.started)[whole]
        paused = np.maximum(cycles.paused[whole], 0)
        wall = span - paused
        elapsed = cycles.elapsed[whole]
        business = np.where(elapsed != NAT, elapsed, wall)  # 24x7 without a goal
        time_target = cycles.target[whole]
        time_values = []
        is_paused = np.zeros(len(span), dtype=bool)

    key, keys = group_codes(
        [np.concatenate([cycles.target, time_target])]
        + [np.concatenate([a, b]) for a, b in zip(timer_values, time_values)]
    )
    k_timer, k_time = key[:n], key[n:]
    nkeys = len(keys)

    def total(codes: npt.NDArray[np.int64], weights: Any) -> npt.NDArray[np.int64]:
        return np.bincount(codes, weights=np.asarray(weights, dtype=np.float64), minlength=nkeys).astype(np.int64)

    counts = {c: total(k_timer, outcome == c) for c in _COUNTS if c != "cycles"}
    counts["cycles"] = total(k_timer, cycles.cycle > 0)
    judged = np.isin(outcome, ("met", "breached")) & np.isin(cycles.state, ("met", "breached"))
    to_stop = judged & (cycles.stopped != NAT) & (cycles.elapsed != NAT) & (cycles.goal != NAT)
    p50 = _percentile(cycles.elapsed[to_stop], k_timer[to_stop], nkeys, 50)
    p90 = _percentile(cycles.elapsed[to_stop], k_timer[to_stop], nkeys, 90)
    _warn_without_goals(cycles)

    order = target_order(src_policy, {str(k[0]) for k in keys})
    rank = sorted(
        range(nkeys),
        key=lambda i: (order[str(keys[i][0])][0], tuple(sort_key(v) for v in keys[i][1:]),
                       order[str(keys[i][0])][1], str(keys[i][0])),
    )
    pick = np.array(rank, dtype=np.int64)
    data: dict[str, Any] = {
        "target": pd.array([str(keys[i][0]) for i in rank], dtype="string"),
        "kind": pd.array([order[str(keys[i][0])][2] for i in rank], dtype="string"),
        "supports": pd.array([order[str(keys[i][0])][3] for i in rank], dtype="string"),
    }
    for g, name in enumerate(group_names):
        data[name] = pd.array([keys[i][1 + g] for i in rank]) if rank else pd.array([], dtype="string")
    for column in _COUNTS:
        data[column] = counts[column][pick] if nkeys else np.zeros(0, dtype=np.int64)
    met, breached = data["met"], data["breached"]
    with np.errstate(invalid="ignore", divide="ignore"):
        data["attainment"] = np.where(met + breached > 0, met / np.maximum(met + breached, 1), np.nan)
    data["p50_seconds"] = pd.array([p50[i] for i in rank], dtype="Int64")
    data["p90_seconds"] = pd.array([p90[i] for i in rank], dtype="Int64")
    for column, values in (("running_seconds", business), ("running_wall_seconds", wall), ("paused_seconds", paused)):
        data[column] = total(k_time, values)[pick] if nkeys else np.zeros(0, dtype=np.int64)
    if status_values is not None:
        held = np.flatnonzero(is_paused)
        s_code, s_keys = group_codes([status_values[held]]) if len(held) else (np.zeros(0, np.int64), [])
        for j in sorted(range(len(s_keys)), key=lambda j: sort_key(s_keys[j][0])):
            value = s_keys[j][0]
            label = "paused_seconds[<null>]" if value is None else f"paused_seconds[{value}]"
            data[label] = total(k_time[held], np.where(s_code == j, paused[held], 0))[pick]
    return pd.DataFrame(data)
