"""Result objects and frames as plain rows, for comparing them with JSON lines
(used by test_evaluate.py and test_explain.py)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd


def rows(objects: list[Any]) -> list[dict[str, Any]]:
    """Objects as dicts keyed as the JSON lines (Timer.goal_text is the key "goal")."""
    return [{("goal" if k == "goal_text" else k): v for k, v in dataclasses.asdict(o).items()} for o in objects]


def frame_rows(frame: Any) -> list[dict[str, Any]]:
    """DataFrame records with plain Python values: NA -> None, Timestamp -> datetime."""
    out = []
    for record in frame.to_dict("records"):
        row = {}
        for k, v in record.items():
            if v is pd.NA or v is pd.NaT:
                v = None
            elif isinstance(v, pd.Timestamp):
                v = v.to_pydatetime()
            elif isinstance(v, np.integer):
                v = int(v)
            row[k] = v
        out.append(row)
    return out
