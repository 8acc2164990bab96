"""``duly.spans``: every cycle's wall-clock time cut into running and paused spans.

Without ``by`` the spans are the evaluation's own facts: each cycle's pauses
(``Evaluation.pauses_frame()``) and the running time between them. With ``by``
they are the engine's segments, cut also where a carried attribute changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .._evaluation import EventsLike, Evaluation
from .._policy import Policy
from ._common import NAT, ByLike, Cycles, carried, facts, names, pandas, require_evaluation, text_column

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import, unused-ignore]

__all__ = ["spans"]


def _instants(pd: Any, seconds: npt.NDArray[np.int64]) -> Any:
    return pd.DatetimeIndex(seconds.view("datetime64[s]").astype("datetime64[ns]")).tz_localize("UTC").array


def _from_pauses(result: Evaluation, cycles: Cycles, rows: npt.NDArray[np.int64]) -> dict[str, Any]:
    """Pieces (timer row, start, end, paused) of the cycles ``rows``, from their pauses."""
    p = result.pauses_frame()
    row_of = {(cycles.id[i], cycles.target[i], int(cycles.cycle[i])): int(i) for i in rows.tolist()}
    pauses: dict[int, list[tuple[int, int]]] = {}
    if len(p):
        start = np.asarray(p["paused_from"].array.asi8, dtype=np.int64) // 10**9
        until_ns = np.asarray(p["paused_until"].array.asi8, dtype=np.int64)
        for rid, target, cycle, a, b in zip(
            p["id"].tolist(), p["target"].tolist(), p["cycle"].tolist(), start.tolist(), until_ns.tolist()
        ):
            i = row_of.get((rid, target, int(cycle)))
            if i is not None:  # still paused at as_of: until the cycle's end
                pauses.setdefault(i, []).append((int(a), int(cycles.end[i]) if b == NAT else b // 10**9))
    plain = np.array([i for i in rows.tolist() if i not in pauses], dtype=np.int64)
    pieces: list[tuple[int, int, int, bool]] = []  # cycles with pauses: running and paused pieces
    for i, held in pauses.items():
        at = int(cycles.started[i])
        for x, y in sorted(held):
            if x > at:
                pieces.append((i, at, x, False))
            pieces.append((i, x, y, True))
            at = max(at, y)
        if at < cycles.end[i]:
            pieces.append((i, at, int(cycles.end[i]), False))
    row = np.concatenate([plain, np.array([q[0] for q in pieces], dtype=np.int64)])
    a_ = np.concatenate([cycles.started[plain], np.array([q[1] for q in pieces], dtype=np.int64)])
    b_ = np.concatenate([cycles.end[plain], np.array([q[2] for q in pieces], dtype=np.int64)])
    paused = np.concatenate([np.zeros(len(plain), dtype=bool), np.array([q[3] for q in pieces], dtype=bool)])
    keep = b_ > a_
    return {"row": row[keep], "start": a_[keep], "end": b_[keep], "paused": paused[keep], "values": []}


def _from_segments(
    result: Evaluation, cycles: Cycles, rows: npt.NDArray[np.int64], group_names: list[str],
    events: EventsLike | None, policy: Policy | None,
) -> dict[str, Any]:
    """Pieces of the cycles ``rows`` from the engine's segments carrying ``group_names``
    (the engine cuts a cycle only where a value changes, or at a pause or resume)."""
    pd = pandas()
    f, _ = facts(result, group_names, {g: "by" for g in group_names}, events, policy)
    seg = f["segments"]
    m = len(seg["from"])
    wanted = pd.DataFrame({
        "id": cycles.id[rows], "target": cycles.target[rows], "cycle": cycles.cycle[rows], "row": rows,
    })
    pieces = pd.DataFrame({
        "id": text_column(seg["id"]), "target": text_column(seg["target"]),
        "cycle": np.asarray(seg["cycle"], dtype=np.int64), "at": np.arange(m, dtype=np.int64),
    })
    found = pieces.merge(wanted, on=["id", "target", "cycle"], how="inner", sort=False)
    at = found["at"].to_numpy(dtype=np.int64)
    row = found["row"].to_numpy(dtype=np.int64)
    start = np.asarray(seg["from"], dtype=np.int64)[at]
    end = np.asarray(seg["until"], dtype=np.int64)[at]
    keep = end > start
    at = at[keep]
    return {
        "row": row[keep], "start": start[keep], "end": end[keep],
        "paused": np.asarray(seg["paused"], dtype=bool)[at],
        "values": [carried(seg, m, k)[at].tolist() for k in range(len(group_names))],
    }


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
    targets have no spans. Without ``by`` the spans are the evaluation's pauses
    (``Evaluation.pauses_frame()``) and the running time between them; with
    ``by``, the kept events (or ``events=``) are evaluated again with those
    attributes carried, as for ``duly.report``. Rows are in the order of the
    evaluation's timers, each cycle's spans in time order.
    """
    result = require_evaluation(result)
    group_names = names(by, "by")
    wanted: set[str] | None = None
    if ids is not None:
        wanted = {ids} if isinstance(ids, str) else {str(i) for i in ids}
    pd = pandas()
    cycles = Cycles(result)
    mine = cycles.cycle > 0
    if wanted is not None:
        mine &= np.isin(cycles.id, list(wanted))
    rows = np.flatnonzero(mine)
    if group_names:
        pieces = _from_segments(result, cycles, rows, group_names, events, policy)
    else:
        pieces = _from_pauses(result, cycles, rows)
    order = np.lexsort((pieces["start"], pieces["row"]))
    row = pieces["row"][order]
    start, end = pieces["start"][order], pieces["end"][order]
    data: dict[str, Any] = {
        "id": pd.array(cycles.id[row], dtype="string"),
        "target": pd.array(cycles.target[row], dtype="string"),
        "cycle": pd.array(cycles.cycle[row], dtype="Int64"),
        "span": pd.array(np.where(pieces["paused"][order], "paused", "running"), dtype="string"),
        "start": _instants(pd, start),
        "end": _instants(pd, end),
        "seconds": end - start,
    }
    for k, name in enumerate(group_names):
        values = [pieces["values"][k][j] for j in order.tolist()]
        data[name] = pd.array(values) if values else pd.array([], dtype="string")
    return pd.DataFrame(data)
