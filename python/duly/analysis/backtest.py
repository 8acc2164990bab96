"""``duly.backtest``: what another policy would have done with the same history.

Both policies are evaluated over the same events at the same ``as_of`` with the
same engine; the result compares their attainment per target (and group, as
``duly.report`` groups) and lists every cycle whose outcome differs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .._convert import InstantLike
from .._evaluation import EventsLike, Evaluation, evaluate, require_policy
from .._policy import Policy
from ._common import ByLike, is_dataframe, names, pandas, target_order
from .attainment import report

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import, unused-ignore]

__all__ = ["Backtest", "backtest"]

_COMPARED = ("cycles", "met", "breached", "attainment")
_TIMER_COLUMNS = ("state", "goal_seconds", "started", "stopped", "due", "breached_at", "elapsed_seconds")


class Backtest:
    """Two policies over one history: ``duly.backtest`` returns one.

    - ``a``, ``b``: the two ``duly.Evaluation`` results;
    - ``summary``: attainment per target (and ``by`` group): ``target``, ``kind``,
      ``supports``, the ``by`` columns, then ``cycles_a``, ``met_a``,
      ``breached_a``, ``attainment_a``, the same with ``_b``, and
      ``attainment_change`` (``attainment_b - attainment_a``). Counts are those of
      ``duly.report`` (0 where a target or group appears under one policy only);
    - ``changes``: one row per cycle (``id``, ``target``, ``cycle``) whose
      ``state`` differs, or that exists under one policy only: ``change``
      (``"met -> breached"``; ``"-"`` for a missing side), then ``state``,
      ``goal_seconds``, ``started``, ``stopped``, ``due``, ``breached_at``,
      ``elapsed_seconds`` with ``_a`` and ``_b`` suffixes;
    - ``newly_breached()`` / ``newly_met()``: the ``changes`` rows that breach
      under ``b`` only / under ``a`` only.
    """

    __slots__ = ("a", "b", "by", "summary", "changes")

    a: Evaluation
    b: Evaluation
    by: list[str]
    summary: DataFrame
    changes: DataFrame

    def __init__(self, a: Evaluation, b: Evaluation, by: list[str]) -> None:
        self.a = a
        self.b = b
        self.by = by
        self.summary = _summary(a, b, by)
        self.changes = _changes(a, b)

    def newly_breached(self) -> DataFrame:
        """The cycles that breach under policy ``b`` and did not under ``a``."""
        c = self.changes
        return c[(c["state_b"] == "breached").fillna(False) & (c["state_a"] != "breached").fillna(True)]

    def newly_met(self) -> DataFrame:
        """The cycles that breached under policy ``a`` and do not under ``b``."""
        c = self.changes
        return c[(c["state_a"] == "breached").fillna(False) & (c["state_b"] != "breached").fillna(True)]

    def __repr__(self) -> str:
        rows = []
        if not self.by:
            for t, x, y in zip(self.summary["target"], self.summary["attainment_a"], self.summary["attainment_b"]):
                rows.append(f"{t} {_percent(x)} -> {_percent(y)}")
        return (
            f"<duly.Backtest as_of={self.a.as_of.isoformat().replace('+00:00', 'Z')}: "
            + (", ".join(rows) + ", " if rows else "")
            + f"{len(self.changes)} cycles changed>"
        )


def _percent(x: float) -> str:
    return "n/a" if x != x else f"{100 * x:.1f}%"


def _summary(a: Evaluation, b: Evaluation, by: list[str]) -> DataFrame:
    keys = ["target", *by]
    ra = report(a, by or None)
    rb = report(b, by or None)
    left = ra[["kind", "supports", *keys, *_COMPARED]]
    right = rb[["kind", "supports", *keys, *_COMPARED]]
    merged = left.merge(right, on=keys, how="outer", suffixes=("_a", "_b"), sort=False)
    merged["kind"] = merged["kind_a"].combine_first(merged["kind_b"])
    merged["supports"] = merged["supports_a"].combine_first(merged["supports_b"])
    for column in ("cycles", "met", "breached"):
        for side in ("_a", "_b"):
            merged[column + side] = merged[column + side].fillna(0).astype("int64")
    merged["attainment_change"] = merged["attainment_b"] - merged["attainment_a"]
    order = target_order(b.policy, set(merged["target"]))
    order_a = target_order(a.policy, set(merged["target"]))
    rank = [order_a.get(t, order[t])[:2] for t in merged["target"]]
    merged["_family"] = [r[0] for r in rank]
    merged["_place"] = [r[1] for r in rank]
    merged = merged.sort_values(["_family", *by, "_place"], kind="stable", na_position="last")
    columns = ["target", "kind", "supports", *by]
    columns += [c + s for s in ("_a", "_b") for c in _COMPARED] + ["attainment_change"]
    return merged[columns].reset_index(drop=True).astype({"target": "string", "kind": "string", "supports": "string"})


def _changes(a: Evaluation, b: Evaluation) -> DataFrame:
    pd = pandas()
    keys = ["id", "target", "cycle"]
    ta = a.timers_frame()
    tb = b.timers_frame()
    # A pending row (cycle 0) stands for "no cycle": compare it like any other.
    merged = ta[[*keys, *_TIMER_COLUMNS]].merge(
        tb[[*keys, *_TIMER_COLUMNS]], on=keys, how="outer", suffixes=("_a", "_b"), sort=False, indicator=True
    )
    differs = (merged["_merge"] != "both") | (merged["state_a"] != merged["state_b"]).fillna(True)
    merged = merged[differs.to_numpy(dtype=bool)].copy()
    change = [
        f"{'-' if x is pd.NA or x != x else x} -> {'-' if y is pd.NA or y != y else y}"
        for x, y in zip(merged["state_a"].astype(object), merged["state_b"].astype(object))
    ]
    merged.insert(3, "change", pd.array(change, dtype="string"))
    order = target_order(b.policy, set(merged["target"]))
    merged["_rank"] = [order[t][:2] for t in merged["target"]]
    merged = merged.sort_values(["_rank", "id", "cycle"], kind="stable")
    columns = [*keys, "change"] + [c + s for c in _TIMER_COLUMNS for s in ("_a", "_b")]
    return merged[columns].reset_index(drop=True)


def backtest(
    policy_a: Policy,
    policy_b: Policy,
    events: EventsLike,
    as_of: InstantLike,
    *,
    by: ByLike = None,
) -> Backtest:
    """Evaluate ``events`` under two policies and compare: what would ``b`` have done?

    Example: if P2 resolution were 6 hours instead of 8, which incidents would
    have breached? ::

        >>> now = duly.load_policy("policy.yaml")
        >>> tighter = duly.Policy.from_yaml(now.source.replace("within: 8h", "within: 6h"))
        >>> bt = duly.backtest(now, tighter, events, "2017-03-01T00:00:00Z")
        >>> bt.summary[["target", "attainment_a", "attainment_b", "attainment_change"]]
        >>> bt.newly_breached()[["id", "target", "cycle", "change", "due_a", "due_b"]]

    ``events`` and ``as_of`` are as for ``duly.evaluate`` (an iterator is read
    once into a list); ``by`` groups the summary as ``duly.report`` does (each
    cycle under the attribute values at its deciding instant). Targets are
    matched by name: one that only one policy has shows zero counts on the
    other side, and its cycles are listed as changes.
    """
    require_policy(policy_a)
    require_policy(policy_b)
    group_names = names(by, "by")
    if not (is_dataframe(events) or isinstance(events, (list, tuple))) and isinstance(events, Iterable):
        events = list(events)
    a = evaluate(policy_a, events, as_of)
    b = evaluate(policy_b, events, as_of)
    return Backtest(a, b, group_names)
