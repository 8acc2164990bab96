#!/usr/bin/env python3
"""Speed of ``duly.report``, ``duly.spans`` and friends against ``duly.evaluate``.

The events are those of bench/python_frame_bench.py: the real ServiceNow sample
(6,888 events of 890 incidents) copied N times with distinct ids (default 20:
137,760 events, 17,800 incidents), as a typed DataFrame, the example's policy,
as of 2017-03-01. Each call is timed on its own, best of ``--repeat`` runs, and
shown beside the evaluation (``duly.evaluate(policy, df, as_of)``) it reads:

    .venv/bin/python bench/python_report_bench.py                 # 20 copies
    .venv/bin/python bench/python_report_bench.py --copies 5 --repeat 5

The reports work on the engine's facts, so a report or spans call costs about
one more evaluation (the facts are those of a second evaluation) plus the
grouping; the target is at most twice the evaluation.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from collections.abc import Callable
from typing import Any

import duly

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from python_frame_bench import AS_OF, EXAMPLE, base_events, best, copied, frame  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    policy = duly.load_policy(EXAMPLE / "policy.yaml")
    df = frame(copied(base_events(), args.copies), categorical=False)
    print(f"{len(df):,} events, {df['id'].nunique():,} records")
    evaluate_s, result = best(lambda: duly.evaluate(policy, df, AS_OF), args.repeat)
    assert isinstance(result, duly.Evaluation)
    print(f"{'duly.evaluate(policy, df, as_of)':<52} {evaluate_s:8.3f} s   1.00x")
    calls: list[tuple[str, Callable[[], Any]]] = [
        ("duly.report(result)", lambda: duly.report(result)),
        ('duly.report(result, by="group")', lambda: duly.report(result, by="group")),
        ('duly.report(result, by="group", paused_by="state")',
         lambda: duly.report(result, by="group", paused_by="state")),
        ("duly.spans(result)", lambda: duly.spans(result)),
        ('duly.spans(result, by="group")', lambda: duly.spans(result, by="group")),
        ('duly.attainment_over_time(result, "W")', lambda: duly.attainment_over_time(result, "W")),
    ]
    for label, call in calls:
        seconds, _ = best(call, args.repeat)
        print(f"{label:<52} {seconds:8.3f} s {seconds / evaluate_s:6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
