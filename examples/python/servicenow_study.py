#!/usr/bin/env python3
"""A study of a real ServiceNow export with duly, from events to a backtest.

    python examples/python/servicenow_study.py [OUTPUT_DIR]

Reads examples/servicenow/data/servicenow_incidents_sample.csv (890 real
incidents, 2016-2017) as examples/servicenow/convert.py converts it, then, as a
data scientist would in a notebook:

1. evaluates the incident policy (examples/servicenow/policy.yaml) as of
   2017-03-01 from a pandas DataFrame;
2. reports attainment per target, then per assignment group: who held the
   clock when it ran out, and which status paused it;
3. backtests: if P2 resolution were 6 business hours instead of 8, which
   incidents would have breached?
4. saves the pictures (attainment per month, the timeline of one incident that
   would have breached) as PNG files in OUTPUT_DIR (default: a new temporary
   directory);

and checks its own results as it goes (each step asserts what it found), so
CI runs it (scripts/test.sh). Needs duly[plot].
"""

from __future__ import annotations

import csv
import io
import json
import pathlib
import sys
import tempfile

import matplotlib
import pandas as pd  # type: ignore[import-untyped, unused-ignore]

import duly

matplotlib.use("Agg")

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "servicenow"))
import convert  # type: ignore[import-not-found, import-untyped, unused-ignore]  # noqa: E402

AS_OF = "2017-03-01T00:00:00Z"
P2_RESOLUTION = '{when: priority == "P2", within: 2bd, calendar: service_desk}'


def load_events() -> pd.DataFrame:
    """The export as duly events: one row per event, a column per attribute."""
    out = io.StringIO()
    with open(ROOT / "examples/servicenow/data/servicenow_incidents_sample.csv", newline="", encoding="utf-8") as f:
        convert.convert(csv.DictReader(f), out)
    events = pd.DataFrame([json.loads(line) for line in out.getvalue().splitlines()])
    events["at"] = pd.to_datetime(events["at"], utc=True)
    return events


def main(argv: list[str]) -> int:
    out_dir = pathlib.Path(argv[1]) if len(argv) > 1 else pathlib.Path(tempfile.mkdtemp(prefix="duly-study-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    pd.set_option("display.width", 160)
    pd.set_option("display.max_columns", 20)

    # 1. Evaluate --------------------------------------------------------------------
    events = load_events()
    assert len(events) == 6888, len(events)  # 5,998 updates + 890 "opened"
    policy = duly.load_policy(ROOT / "examples/servicenow/policy.yaml")
    result = duly.evaluate(policy, events, AS_OF)
    print(result)
    assert result.rejected == [] and result.events_applied == 6888

    # 2. Report ----------------------------------------------------------------------
    overall = duly.report(result)
    print("\nAttainment per target:")
    print(overall[["target", "kind", "cycles", "met", "breached", "attainment", "p50_seconds", "p90_seconds"]])
    row = overall.set_index("target")
    assert (row.loc["response", "met"], row.loc["response", "breached"]) == (541, 347)
    assert (row.loc["resolution", "met"], row.loc["resolution", "breached"]) == (736, 165)

    by_group = duly.report(result, by="group", paused_by="state")
    resolution = by_group[by_group.target == "resolution"]
    worst = resolution.sort_values("breached", ascending=False).head(5)
    print("\nResolution, by the group that held the incident when its clock ran out (top 5 by breaches):")
    print(worst[["group", "cycles", "met", "breached", "attainment", "running_seconds", "paused_seconds"]])
    paused = [c for c in by_group.columns if c.startswith("paused_seconds[")]
    print("\nResolution time paused, by the status that paused it (hours):")
    print((resolution[paused].sum() / 3600).round(1).to_string())
    # The splits account for every second and every cycle.
    assert resolution["breached"].sum() == 165
    assert (by_group[paused].sum(axis=1) == by_group["paused_seconds"]).all()
    assert resolution["paused_seconds"].sum() == overall.set_index("target").loc["resolution", "paused_seconds"]
    assert resolution["running_seconds"].sum() == overall.set_index("target").loc["resolution", "running_seconds"]

    # 3. Backtest: P2 resolution in 8 business hours, or in 6? ------------------------------
    assert P2_RESOLUTION in policy.source
    eight = duly.Policy.from_yaml(policy.source.replace(P2_RESOLUTION, P2_RESOLUTION.replace("2bd", "8h")))
    six = duly.Policy.from_yaml(policy.source.replace(P2_RESOLUTION, P2_RESOLUTION.replace("2bd", "6h")))
    bt = duly.backtest(eight, six, events, AS_OF, by="priority")
    print("\n", bt, sep="")
    summary = bt.summary[bt.summary.target == "resolution"]
    print(summary[["priority", "met_a", "breached_a", "attainment_a", "met_b", "breached_b", "attainment_b"]])
    newly = bt.newly_breached()
    print(f"\n{len(newly)} incidents would have breached P2 resolution at 6 h:")
    print(newly[["id", "cycle", "change", "due_a", "due_b", "stopped_a"]].to_string(index=False))
    assert len(newly) > 0 and bt.newly_met().empty
    assert set(newly.target) == {"resolution"}
    p2 = summary.set_index("priority").loc["P2"]
    assert p2.breached_b - p2.breached_a == len(newly) and p2.attainment_b < p2.attainment_a
    assert (summary[summary.priority != "P2"]["attainment_change"].fillna(0) == 0).all()

    # 4. Pictures --------------------------------------------------------------------
    attainment_png = out_dir / "attainment_by_month.png"
    duly.plot_attainment(result, "M", path=attainment_png)
    story = str(newly.iloc[0]["id"])
    timeline_png = out_dir / f"timeline_{story}.png"
    duly.plot_timeline(bt.b, story, path=timeline_png)
    paused_ids = duly.spans(result).query("span == 'paused'")["id"]
    paused_id = str(paused_ids.iloc[0])
    paused_png = out_dir / f"timeline_{paused_id}.png"
    duly.plot_timeline(result, paused_id, path=paused_png)
    for png in (attainment_png, timeline_png, paused_png):
        data = png.read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 5000, png
        print(f"wrote {png}")
    print("servicenow study: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
