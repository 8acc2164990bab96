#!/usr/bin/env python3
"""End-to-end speed of ``duly.evaluate`` from a pyarrow Table read from Parquet.

The events of ``bench/python_frame_bench.py`` (the ServiceNow sample copied N
times with distinct ids; default 100: 688,800 events, 89,000 incidents), typed
as there (``at`` and ``opened_at`` timestamps with a zone, text, counts as
floats, ``made_sla`` bool), are written once to a Parquet file and read back
with ``pyarrow.parquet.read_table``. Timed, best of ``--repeat`` runs:

- table: ``duly.evaluate(policy, table, as_of)`` then ``timers_table()`` and
  ``escalations_table()`` (Arrow in, Arrow out);
- read + table: the same, with ``read_table`` of the file inside the timing;
- polars: the same events as a polars DataFrame (``--skip-polars`` to leave out).

Run from the repository root:

    .venv/bin/python bench/python_arrow_bench.py --repeat 5
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile

import pyarrow.parquet as pq

import duly

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from python_frame_bench import AS_OF, EXAMPLE, base_events, best, copied, frame  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-polars", action="store_true")
    args = parser.parse_args()

    policy = duly.load_policy(EXAMPLE / "policy.yaml")
    df = frame(copied(base_events(), args.copies), categorical=False)
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "events.parquet"
        df.to_parquet(path, index=False)
        table = pq.read_table(path)
        n = table.num_rows
        print(f"{n:,} events in {path.stat().st_size / 1e6:.1f} MB of Parquet, "
              f"{table['id'].num_chunks} chunks per column")
        print("types: " + ", ".join(f"{f.name}={f.type}" for f in table.schema))

        def run(t: object) -> tuple[object, object, object]:
            r = duly.evaluate(policy, t, AS_OF)
            return r, r.timers_table(), r.escalations_table()

        seconds, (result, timers, firings) = best(lambda: run(table), args.repeat)  # type: ignore[misc]
        print(f"table -> tables        : {seconds:7.3f} s  {n / seconds:>12,.0f} events/s  "
              f"({timers.num_rows:,} timer rows, {firings.num_rows:,} firings, "  # type: ignore[attr-defined]
              f"{len(result.rejected):,} rejected)")  # type: ignore[attr-defined]
        seconds, _ = best(lambda: run(pq.read_table(path)), args.repeat)
        print(f"read + table -> tables : {seconds:7.3f} s  {n / seconds:>12,.0f} events/s")
        if not args.skip_polars:
            import polars as pl

            frame_pl = pl.from_arrow(table)
            seconds, _ = best(lambda: run(frame_pl), args.repeat)
            print(f"polars -> tables       : {seconds:7.3f} s  {n / seconds:>12,.0f} events/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
