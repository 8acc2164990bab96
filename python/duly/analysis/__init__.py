"""Analysis of evaluations: reports, spans, attainment over time, backtests, plots.

The home of the code that studies what ``duly.evaluate`` returned. It reads only
what the engine reports: the timer rows (``Evaluation.timers_frame()``), each
cycle's pauses (``Evaluation.pauses_frame()``) and, to split time by an
attribute, the engine's facts of the same evaluation with those attributes
carried (``Evaluation._facts``: each cycle's attribute values at its deciding
instant, and its span cut into segments with their business seconds). It never
replays events, rebuilds pauses or tries time zones.

- ``attainment``: ``duly.report``;
- ``spans``: ``duly.spans``;
- ``over_time``: ``duly.attainment_over_time``;
- ``backtest``: ``duly.backtest`` and ``duly.Backtest``;
- ``plot``: ``duly.plot_attainment`` and ``duly.plot_timeline`` (matplotlib);
- ``page``: ``duly.html_report`` (the HTML page, written by the C++ library);
- ``_common``: argument checks, the cycles as arrays, grouping keys, target order.

The names are re-exported by ``duly``; import them from there.
"""

from __future__ import annotations

from .attainment import report
from .backtest import Backtest, backtest
from .over_time import attainment_over_time
from .page import html_report
from .plot import plot_attainment, plot_timeline
from .spans import spans

__all__ = [
    "Backtest", "attainment_over_time", "backtest", "html_report", "plot_attainment", "plot_timeline", "report", "spans",
]
