"""``duly.attainment_over_time``: met / (met + breached) of the cycles judged in each period."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._errors import InvalidArgumentError
from .._evaluation import Evaluation
from ._common import NAT, Cycles, pandas, require_evaluation, target_order, type_name

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import, unused-ignore]

__all__ = ["attainment_over_time"]


def attainment_over_time(result: Evaluation, freq: str = "W") -> DataFrame:
    """Attainment per target and period: ``met / (met + breached)`` of the cycles
    judged in each period.

    A cycle is judged when it stops ``met`` or ``breached`` (at ``stopped``), or
    when an active cycle passes its due (at ``breached_at``; also for one that
    later ended ``reset`` or ``cancelled``). Cycles that stopped without a goal in
    force are not judged. ``freq`` is a pandas period alias (``"D"``, ``"W"``,
    ``"M"``...; periods in UTC). Columns: ``period`` (the period's start,
    ``datetime64[ns, UTC]``), ``target``, ``met``, ``breached``, ``attainment``;
    periods without a judged cycle are left out::

        >>> duly.attainment_over_time(result, "D").head(2)
    """
    result = require_evaluation(result)
    if not isinstance(freq, str):
        raise InvalidArgumentError(f"expected a pandas period alias such as 'W', got {type_name(freq)}", path="freq")
    pd = pandas()
    cycles = Cycles(result)
    when = cycles.judged_at()
    judged = when != NAT
    target = cycles.target[judged].astype(str).tolist()
    met = (cycles.outcomes()[judged] == "met").astype(np.int64)
    columns = ["period", "target", "met", "breached", "attainment"]
    if not target:
        return pd.DataFrame({c: [] for c in columns})
    at = pd.DatetimeIndex(when[judged].view("datetime64[s]").astype("datetime64[ns]"))
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
    order = target_order(result.policy, set(target))
    g["_o"] = [order[t][:2] for t in g["target"]]
    g = g.sort_values(["period", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return g[columns]
