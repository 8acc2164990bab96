"""Pictures of an evaluation with matplotlib (``pip install 'duly[plot]'``).

matplotlib is imported on first use only. The functions draw on a
``matplotlib.figure.Figure`` made without ``pyplot`` (no global state, no GUI
backend needed: they work in threads and on servers), return it, and save it
as PNG when given a ``path``.
"""

from __future__ import annotations

import datetime
import importlib
import os
from typing import TYPE_CHECKING, Any

import numpy as np

from .._errors import InvalidArgumentError
from .._evaluation import Evaluation
from ._common import NAT, Cycles, require_evaluation, target_order, type_name
from .over_time import attainment_over_time
from .spans import spans

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_attainment", "plot_timeline"]

_COLOURS = {"running": "#4c9a2a", "paused": "#b0b0b0", "breached": "#c0392b"}


def _figure_module() -> Any:
    try:
        return importlib.import_module("matplotlib.figure")
    except ImportError as e:
        raise ImportError("duly's plots need matplotlib: pip install 'duly[plot]'") from e


def _canvas(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        figure = ax.get_figure()
        if figure is None:
            raise InvalidArgumentError("the Axes belongs to no figure", path="ax")
        return figure, ax  # type: ignore[return-value]
    figure = _figure_module().Figure(figsize=size, layout="constrained")
    return figure, figure.add_subplot()


def _save(figure: Figure, path: str | os.PathLike[str] | None) -> None:
    if path is None:
        return
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidArgumentError(f"expected a file path, got {type_name(path)}", path="path")
    figure.savefig(os.fspath(path), format="png", dpi=110)


def plot_attainment(
    result: Evaluation,
    freq: str = "W",
    *,
    path: str | os.PathLike[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Attainment over time, one line per target (``duly.attainment_over_time``).

    Each point is the share of the cycles judged in a period (``freq``: a pandas
    period alias, ``"D"``, ``"W"``, ``"M"``...) that were met; its marker's size
    grows with the number judged. Saved as PNG when ``path`` is given; drawn on
    ``ax`` when given::

        >>> fig = duly.plot_attainment(result, "M", path="attainment.png")
    """
    result = require_evaluation(result)
    figure, axes = _canvas(ax, (9.0, 4.5))
    data = attainment_over_time(result, freq)
    for target in dict.fromkeys(data["target"].tolist()):
        rows = data[data["target"] == target]
        judged = (rows["met"] + rows["breached"]).to_numpy(dtype=float)
        x = rows["period"].dt.tz_localize(None).to_numpy()
        y = 100 * rows["attainment"].to_numpy(dtype=float)
        (line,) = axes.plot(x, y, label=str(target), linewidth=1.4)
        axes.scatter(x, y, s=8 + 40 * judged / max(judged.max(), 1.0), color=line.get_color(), zorder=3)
    axes.set_ylim(-2, 102)
    axes.set_ylabel("attainment (% met of judged)")
    axes.set_xlabel(f"period ({freq}, UTC)")
    axes.grid(True, alpha=0.3)
    if len(data):
        axes.legend(loc="lower left")
    axes.set_title(title or f"Attainment per target, as of {result.as_of:%Y-%m-%d %H:%M}Z")
    _save(figure, path)
    return figure


def plot_timeline(
    result: Evaluation,
    id: str,
    *,
    path: str | os.PathLike[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """One record's cycles as bars: running (green), paused (grey), and running
    past due (red, from ``breached_at``); escalation firings as black triangles,
    due instants as thin vertical ticks. One row per target and cycle, labelled
    with the goal in force as the policy wrote it (``resolution #1 (2bd)``)::

        >>> fig = duly.plot_timeline(result, "HD-1008", path="HD-1008.png")

    The pauses are the evaluation's own (``Evaluation.pauses_frame()``). A record without cycles raises
    ``duly.InvalidArgumentError`` with ``path="id"``.
    """
    result = require_evaluation(result)
    if not isinstance(id, str):
        raise InvalidArgumentError(f"expected the record id as str, got {type_name(id)}", path="id")
    cycles = Cycles(result)
    mine = np.flatnonzero((cycles.id == id) & (cycles.cycle > 0)).tolist()
    if not mine:
        raise InvalidArgumentError(f"no cycles for record '{id}'", path="id")
    figure, axes = _canvas(ax, (10.0, 1.2 + 0.55 * len(mine)))
    mdates = importlib.import_module("matplotlib.dates")
    order = target_order(result.policy, {str(cycles.target[i]) for i in mine})
    mine.sort(key=lambda i: (order[str(cycles.target[i])][:2], int(cycles.cycle[i])))
    row_of = {(str(cycles.target[i]), int(cycles.cycle[i])): n for n, i in enumerate(mine)}
    breach = {(str(cycles.target[i]), int(cycles.cycle[i])): int(cycles.breached_at[i]) for i in mine}

    def day(s: int) -> float:
        return float(mdates.date2num(datetime.datetime.fromtimestamp(s, datetime.timezone.utc)))

    pieces = spans(result, ids=id)
    drawn: set[str] = set()
    for target, cycle, kind, start, end in pieces[["target", "cycle", "span", "start", "end"]].itertuples(index=False):
        key = (str(target), int(cycle))
        a, b = int(start.timestamp()), int(end.timestamp())
        parts = [(a, b, str(kind))]
        cut = breach.get(key, NAT)
        if kind == "running" and cut != NAT and cut < b:
            parts = [(a, max(a, cut), "running"), (max(a, cut), b, "breached")]
        for x, y, what in parts:
            if y <= x:
                continue
            label = None if what in drawn else ("running past due" if what == "breached" else what)
            drawn.add(what)
            axes.barh(row_of[key], day(y) - day(x), left=day(x), height=0.5, color=_COLOURS[what], label=label)
    timers = result.timers_frame()
    timers = timers[timers["id"] == id]
    for target, cycle, due in timers[["target", "cycle", "due"]].itertuples(index=False):
        key = (str(target), int(cycle))
        if key in row_of and not _is_nat(due):
            r = row_of[key]
            axes.vlines(day(int(due.timestamp())), r - 0.35, r + 0.35, color="black", linewidth=1)
    firings = result.escalations_frame()
    firings = firings[firings["id"] == id]
    fired = [
        (row_of[(str(t), int(c))], day(int(s.timestamp())))
        for t, c, s in firings[["target", "cycle", "fired_at"]].itertuples(index=False)
        if (str(t), int(c)) in row_of
    ]
    if fired:
        ys, xs = zip(*fired)
        axes.scatter(xs, ys, marker="v", color="black", s=36, zorder=4, label="escalation")
    goal = {
        (str(t), int(c)): g
        for t, c, g in timers[["target", "cycle", "goal"]].itertuples(index=False)
        if isinstance(g, str) and g
    }

    def row_label(i: int) -> str:
        key = (str(cycles.target[i]), int(cycles.cycle[i]))
        return f"{key[0]} #{key[1]}" + (f" ({goal[key]})" if key in goal else "")  # the goal as written

    axes.set_yticks(range(len(mine)), [row_label(i) for i in mine])
    axes.invert_yaxis()
    axes.xaxis_date()
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(axes.xaxis.get_major_locator()))
    axes.grid(True, axis="x", alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    axes.set_title(title or f"{id}, as of {result.as_of:%Y-%m-%d %H:%M}Z (UTC)")
    _save(figure, path)
    return figure


def _is_nat(x: object) -> bool:
    return type(x).__name__ == "NaTType"
