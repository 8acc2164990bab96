"""The warnings duly gives (``warnings.warn``); each is a ``UserWarning``."""

from __future__ import annotations

__all__ = ["NoGoalWarning"]


class NoGoalWarning(UserWarning):
    """A target's goals never matched: none of its cycles had a goal in force.

    ``duly.report`` gives it once per such target. Those cycles have no due and
    cannot be met or breached: the report counts them under ``no_goal``, not in
    ``attainment`` or the percentiles. Usually a goal's ``when`` names an
    attribute or value the events do not have (``priority == "P1"`` when the
    export says ``"1 - Critical"``); a last goal without ``when`` catches the rest.
    Silence it with ``warnings.simplefilter("ignore", duly.NoGoalWarning)``.
    """
