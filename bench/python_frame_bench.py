#!/usr/bin/env python3
"""End-to-end speed of ``duly.evaluate`` from a pandas DataFrame (and from dicts).

The events are the real ServiceNow sample (examples/servicenow: convert.py turns
/work/shared/data/servicenow_incidents_sample.csv, or the copy under
examples/servicenow/data/, into 6,888 events of 890 incidents) copied N times
(default 100: 688,800 events, 89,000 incidents), each copy with its own ids
(``INC0000045`` becomes ``INC0000045-007`` in copy 7).

The frame is typed as a data scientist would have it after reading the data:
``at`` and ``opened_at`` ``datetime64[ns, UTC]``, text columns pandas' default
string dtype (``--categorical``: ``category``), counts ``float64`` (NaN where
missing), ``made_sla`` ``bool``. Timed, end to end, best of ``--repeat`` runs:

- frame: ``duly.evaluate(policy, df, as_of)`` then ``timers_frame()`` and
  ``escalations_frame()`` (DataFrame in, result frames out);
- dicts: the same events as a list of dicts (``--skip-dicts`` to leave out).

Run from the repository root:

    .venv/bin/python bench/python_frame_bench.py            # 100 copies
    .venv/bin/python bench/python_frame_bench.py --copies 10 --repeat 5
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import pathlib
import sys
import time

import pandas as pd

import duly

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "servicenow"
AS_OF = "2017-03-01T00:00:00Z"


def sample_path() -> pathlib.Path:
    shared = pathlib.Path("/work/shared/data/servicenow_incidents_sample.csv")
    return shared if shared.exists() else EXAMPLE / "data" / "servicenow_incidents_sample.csv"


def base_events() -> list[dict[str, object]]:
    sys.path.insert(0, str(EXAMPLE))
    import convert  # examples/servicenow/convert.py

    with open(sample_path(), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = io.StringIO()
    convert.convert(rows, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def copied(events: list[dict[str, object]], copies: int) -> list[dict[str, object]]:
    out = []
    for k in range(copies):
        suffix = f"-{k:03d}"
        for e in events:
            d = dict(e)
            d["id"] = f"{e['id']}{suffix}"
            out.append(d)
    return out


def frame(events: list[dict[str, object]], categorical: bool) -> pd.DataFrame:
    df = pd.DataFrame(events)
    df["at"] = pd.to_datetime(df["at"], utc=True, format="ISO8601")
    df["opened_at"] = pd.to_datetime(df["opened_at"], utc=True, format="ISO8601")
    df["made_sla"] = df["made_sla"].astype(bool)
    for c in ("reassignment_count", "reopen_count"):
        df[c] = df[c].astype("float64")
    if categorical:
        for c in ("id", "event", "priority", "group", "channel", "category", "state"):
            df[c] = df[c].astype("category")
    return df


def best(f, repeat: int) -> tuple[float, object]:
    times = []
    result = None
    for _ in range(repeat):
        result = None
        gc.collect()
        t0 = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--categorical", action="store_true", help="text columns as category")
    parser.add_argument("--skip-dicts", action="store_true")
    args = parser.parse_args()

    policy = duly.load_policy(EXAMPLE / "policy.yaml")
    events = copied(base_events(), args.copies)
    df = frame(events, args.categorical)
    n = len(df)
    print(f"{n:,} events, {df['id'].nunique():,} records; duly {duly.__version__ if hasattr(duly, '__version__') else ''}")
    print("dtypes: " + ", ".join(f"{c}={t}" for c, t in df.dtypes.items()))

    def from_frame() -> tuple[object, object, object]:
        r = duly.evaluate(policy, df, AS_OF)
        return r, r.timers_frame(), r.escalations_frame()

    seconds, (result, timers, firings) = best(from_frame, args.repeat)  # type: ignore[misc]
    print(f"frame -> frames : {seconds:7.3f} s  {n / seconds:>12,.0f} events/s  "
          f"({len(timers):,} timer rows, {len(firings):,} firings, {len(result.rejected):,} rejected)")

    t0 = time.perf_counter()
    r = duly.evaluate(policy, df, AS_OF)
    t1 = time.perf_counter()
    r.timers_frame()
    r.escalations_frame()
    t2 = time.perf_counter()
    print(f"  of which evaluate {t1 - t0:.3f} s, result frames {t2 - t1:.3f} s (one run)")

    if not args.skip_dicts:
        seconds, _ = best(lambda: duly.evaluate(policy, events, AS_OF).timers_frame(), args.repeat)
        print(f"dicts -> frames : {seconds:7.3f} s  {n / seconds:>12,.0f} events/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
