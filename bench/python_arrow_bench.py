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
- polars: the same events as a polars DataFrame (``--skip-polars`` to leave out);
- pandas (``--pandas``): the pandas path of ``python_frame_bench.py`` on the same
  frame (``str`` columns), to compare; ``--skip-arrow`` measures only it (for an
  older duly, which reads no Arrow data).

Each line gives the best wall time and the best CPU time of the process (all
threads), which moves less when other work shares the machine.

Run from the repository root:

    .venv/bin/python bench/python_arrow_bench.py --repeat 5
"""

from __future__ import annotations

import argparse
import gc
import pathlib
import sys
import tempfile
import time
from typing import Any, Callable

import pyarrow.parquet as pq

import duly

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from python_frame_bench import AS_OF, EXAMPLE, base_events, copied, frame  # noqa: E402


def best(f: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(best wall seconds, best CPU seconds, the last result) of ``repeat`` runs."""
    wall, cpu, result = [], [], None
    for _ in range(repeat):
        result = None
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        result = f()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu), result


def line(what: str, n: int, wall: float, cpu: float) -> str:
    return f"{what:<23}: {wall:7.3f} s wall {n / wall:>12,.0f} events/s | {cpu:7.3f} s CPU {n / cpu:>12,.0f} events/s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-polars", action="store_true")
    parser.add_argument("--pandas", action="store_true", help="also the pandas path on the same frame")
    parser.add_argument("--skip-arrow", action="store_true", help="only the pandas path")
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

        def run(t: object) -> tuple[Any, Any, Any]:
            r = duly.evaluate(policy, t, AS_OF)
            return r, r.timers_table(), r.escalations_table()

        if args.pandas or args.skip_arrow:
            wall, cpu, out = best(lambda: duly.evaluate(policy, df, AS_OF).timers_frame(), args.repeat)
            print(line("pandas -> frame", n, wall, cpu) + f"  ({len(out):,} timer rows)")
        if args.skip_arrow:
            return 0
        wall, cpu, (result, timers, firings) = best(lambda: run(table), args.repeat)
        print(line("table -> tables", n, wall, cpu) + f"  ({timers.num_rows:,} timer rows, "
              f"{firings.num_rows:,} firings, {len(result.rejected):,} rejected)")
        wall, cpu, _ = best(lambda: run(pq.read_table(path)), args.repeat)
        print(line("read + table -> tables", n, wall, cpu))
        if not args.skip_polars:
            import polars as pl

            frame_pl = pl.from_arrow(table)
            wall, cpu, _ = best(lambda: run(frame_pl), args.repeat)
            print(line("polars -> tables", n, wall, cpu))
    return 0


if __name__ == "__main__":
    sys.exit(main())
