"""duly.backtest: two policies over one history (worked by hand on report_example.py)."""

from __future__ import annotations

import pathlib
import sys

import pandas as pd
import pytest

import duly

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from report_example import AS_OF, EVENTS, POLICY  # noqa: E402
from test_report import rows, servicenow  # noqa: E402

# Policy B: resolution 10 h instead of 8 h, team_fix 8 h instead of 4 h.
LOOSER = POLICY.replace("goals: [{within: 8h}]", "goals: [{within: 10h}]").replace(
    "goals: [{within: 4h}]", "goals: [{within: 8h}]"
)


@pytest.fixture(scope="module")
def backtest() -> duly.Backtest:
    return duly.backtest(duly.Policy.from_yaml(POLICY), duly.Policy.from_yaml(LOOSER), EVENTS, AS_OF)


def test_changes_by_hand(backtest: duly.Backtest) -> None:
    # T2 resolution: due 08:00 + 10 h + 3 h paused = 21:00, after as_of: still running.
    # T1 team_fix: from 10:00, 1 h, paused 2 h, 7 h more: due 20:00, stopped 19:00: met.
    # T2 team_fix: from 12:00, due 20:00 = as_of, not yet past: running.
    c = backtest.changes
    assert rows(c, ["id", "target", "cycle", "change", "state_a", "state_b"]) == [
        ("T2", "resolution", 1, "breached -> running", "breached", "running"),
        ("T1", "team_fix", 1, "breached -> met", "breached", "met"),
        ("T2", "team_fix", 1, "breached -> running", "breached", "running"),
    ]
    assert [d.strftime("%H:%M") for d in c["due_a"]] == ["19:00", "16:00", "16:00"]
    assert [d.strftime("%H:%M") for d in c["due_b"]] == ["21:00", "20:00", "20:00"]
    assert c["goal_seconds_b"].tolist() == [36000, 28800, 28800]
    assert len(backtest.newly_met()) == 3 and len(backtest.newly_breached()) == 0


def test_summary_by_hand(backtest: duly.Backtest) -> None:
    s = backtest.summary
    assert list(s.columns) == [
        "target", "kind", "supports", "cycles_a", "met_a", "breached_a", "attainment_a",
        "cycles_b", "met_b", "breached_b", "attainment_b", "attainment_change",
    ]
    assert rows(s, ["target", "kind", "supports", "cycles_a", "met_a", "breached_a",
                    "cycles_b", "met_b", "breached_b", "attainment_b"]) == [
        ("response", "sla", None, 4, 2, 1, 4, 2, 1, pytest.approx(2 / 3)),
        ("resolution", "sla", None, 4, 2, 1, 4, 2, 0, 1.0),
        ("team_fix", "ola", "resolution", 3, 1, 2, 3, 2, 0, 1.0),
    ]
    assert s["attainment_change"].tolist() == pytest.approx([0.0, 1 / 3, 2 / 3])
    assert repr(backtest) == (
        "<duly.Backtest as_of=2026-01-05T20:00:00Z: response 66.7% -> 66.7%, "
        "resolution 66.7% -> 100.0%, team_fix 33.3% -> 100.0%, 3 cycles changed>"
    )


def test_the_other_way_round_breaches() -> None:
    bt = duly.backtest(duly.Policy.from_yaml(LOOSER), duly.Policy.from_yaml(POLICY), iter(EVENTS), AS_OF)
    assert rows(bt.newly_breached(), ["id", "target", "change"]) == [
        ("T2", "resolution", "running -> breached"),
        ("T1", "team_fix", "met -> breached"),
        ("T2", "team_fix", "running -> breached"),
    ]


def test_summary_by_group(backtest: duly.Backtest) -> None:
    bt = duly.backtest(backtest.a.policy, backtest.b.policy, pd.DataFrame(EVENTS), AS_OF, by="group")
    s = bt.summary
    assert list(s.columns[:4]) == ["target", "kind", "supports", "group"]
    got = rows(s[s.target != "response"], ["target", "group", "cycles_a", "met_a", "breached_a",
                                            "cycles_b", "met_b", "breached_b"])
    assert got == [
        ("resolution", "A", 0, 0, 0, 0, 0, 0),
        ("resolution", "B", 3, 2, 1, 3, 2, 0),  # T2 still open under B: held by B at as_of
        ("team_fix", "B", 3, 1, 2, 3, 2, 0),
        ("resolution", "C", 1, 0, 0, 1, 0, 0),
        ("team_fix", "C", 0, 0, 0, 0, 0, 0),
    ]


def test_a_target_only_one_policy_has() -> None:
    without = POLICY[: POLICY.index("  - name: team_fix")] + POLICY[POLICY.index("  - name: response"):]
    bt = duly.backtest(duly.Policy.from_yaml(POLICY), duly.Policy.from_yaml(without), EVENTS, AS_OF)
    s = bt.summary.set_index("target")
    assert s.loc["team_fix", "cycles_b"] == 0 and pd.isna(s.loc["team_fix", "attainment_b"])
    assert rows(bt.changes, ["id", "target", "cycle", "change"]) == [
        ("T1", "team_fix", 1, "breached -> -"),
        ("T2", "team_fix", 1, "breached -> -"),
        ("T3", "team_fix", 1, "met -> -"),
        ("T4", "team_fix", 0, "pending -> -"),
    ]


def test_servicenow_p2_resolution_one_business_day_instead_of_two() -> None:
    policy, events = servicenow()
    tighter = duly.Policy.from_yaml(
        policy.source.replace('priority == "P2", within: 2bd', 'priority == "P2", within: 1bd')
    )
    assert tighter != policy
    bt = duly.backtest(policy, tighter, events, "2017-03-01T00:00:00Z", by="priority")
    newly = bt.newly_breached()
    assert len(newly) > 0 and len(bt.newly_met()) == 0
    assert set(newly["target"]) == {"resolution"}
    for row in newly.itertuples(index=False):
        # Stopped (or as_of) within the old due, after the new one.
        stop = row.stopped_a if not pd.isna(row.stopped_a) else pd.Timestamp(bt.a.as_of)
        assert row.due_b < stop <= row.due_a
        assert row.breached_at_b == row.due_b
    s = bt.summary.set_index(["target", "priority"])
    # Only P2 changes, by exactly the newly breached cycles.
    assert s.loc[("resolution", "P2"), "breached_b"] - s.loc[("resolution", "P2"), "breached_a"] == len(newly)
    others = s.drop(index=("resolution", "P2"))
    assert (others["breached_a"] == others["breached_b"]).all()
