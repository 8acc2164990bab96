// Escalation scenarios (docs/escalations.md, and the engine's `at_risk` and manual
// extensions), worked out by hand.
//
// Each scenario is a small policy (YAML), a list of events and one or more
// checks: an as_of, the escalation rows expected at that as_of (in order), the
// timer rows' state, due and next_wakeup, and evaluation::next_wakeup. Every
// check runs through duly::evaluate and through duly::evaluator fed in input
// order, in reverse order, in a shuffled order and with results() asked at
// other instants between the adds: all must give exactly the expected rows.
//
// Instants: "10:12:31" is that time on Monday 2026-11-23 UTC; anything longer
// is full ISO-8601 text. An expected firing is "label @ instant", with label =
// id/target/escalation/cycle/point (the cycle's ordinal; the firing's key
// names it by its start instead, checked in FiringKeysNameTheCycleByItsStart).
//
// The reading of the escalation rules used (and where it is silent, the engine's
// documented contract):
//  - a point E: P% = ceil(P * goal / 100) seconds, due +/- D = goal +/- D,
//    start + D = D; below zero counts as zero; repeat k adds k * every;
//  - it fires at F, the first instant at which elapsed (under the goal in force
//    then) reaches E; between events the goal is fixed; all events at an
//    instant are applied before the points at that instant are checked, so a
//    stop (or cancel) at F fires nothing and an event at F that sets an
//    attribute is seen by `when`;
//  - `when` is evaluated at F on the record's attributes then (event = null);
//    false skips the point for the cycle;
//  - firings up to and including as_of are reported; a timer's next_wakeup is
//    min(due + 1 s when due >= as_of, the cycle's earliest point after as_of
//    assuming no further event and the clock running as it is at as_of); a
//    paused cycle schedules no point; evaluation::next_wakeup is the min over
//    rows;
//  - rows of a record are in time order, ties in target, escalation (policy)
//    and point order; records by id;
//  - at_risk_when is checked after every event of an active cycle (with `due`
//    and `remaining`), and `at: at_risk` fires at the event where it first
//    holds, once a cycle; raise_when fires the escalation's next unfired point
//    at the event where it holds (at most 1 + repeat.times a cycle; a false
//    `when` ignores the raise; an ended cycle is not raised).
#include <duly/duly.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "scenario_events.hpp"

namespace {

using duly::instant;

// --- helpers ----------------------------------------------------------------

// "10:12:31" or "10:12" on Monday 2026-11-23 UTC, or full ISO-8601 text.
std::string full(std::string_view text) {
  if (text.size() <= 8) {
    std::string s = "2026-11-23T" + std::string(text);
    if (text.size() == 5) s += ":00";
    return s + "Z";
  }
  return std::string(text);
}

instant at(std::string_view text) {
  const auto t = duly::parse_instant(full(text));
  EXPECT_TRUE(t.has_value()) << text << ": " << (t ? "" : t.error().message());
  return t ? *t : instant{};
}

using duly_test::ev;

std::vector<duly::event> make_events(const std::vector<ev>& list) { return duly_test::make_events(list, &at); }

// A timer row as "id/target/cycle state due=... next=...".
struct timer {
  std::string key;  // id/target/cycle
  std::string state;
  std::string due;   // "-" = none
  std::string next;  // "-" = none
};

struct check {
  std::string as_of;
  std::vector<std::string> firings;  // "key @ instant", in order
  std::vector<timer> timers;         // every timer row, in order
  std::string next_wakeup;           // evaluation::next_wakeup, "-" = none
};

struct scenario {
  std::string name;
  std::string policy;
  std::vector<ev> events;
  std::vector<check> checks;
};

std::string show_instant(const std::optional<instant>& t) { return t ? duly::format_instant(*t) : "-"; }
std::string canonical_instant(std::string_view text) {
  return text == "-" ? std::string("-") : duly::format_instant(at(text));
}

std::string show_firings(const duly::evaluation& e) {
  std::ostringstream os;
  for (const auto& f : e.escalations)
    os << "  " << f.id << "/" << f.target << "/" << f.escalation << "/" << f.cycle << "/" << f.point << " @ "
       << duly::format_instant(f.fired_at) << "\n";
  return os.str();
}
std::string show_timers(const duly::evaluation& e) {
  std::ostringstream os;
  for (const auto& r : e.timers)
    os << "  " << r.id << "/" << r.target << "/" << r.cycle << " " << duly::to_string(r.state)
       << " due=" << show_instant(r.due) << " next=" << show_instant(r.next_wakeup) << "\n";
  os << "  evaluation.next_wakeup=" << show_instant(e.next_wakeup) << "\n";
  return os.str();
}

std::string want_firings(const check& c) {
  std::ostringstream os;
  for (const auto& f : c.firings) {
    const auto k = f.find(" @ ");
    EXPECT_NE(k, std::string::npos) << f;
    os << "  " << f.substr(0, k) << " @ " << canonical_instant(f.substr(k + 3)) << "\n";
  }
  return os.str();
}
std::string want_timers(const check& c) {
  std::ostringstream os;
  for (const auto& t : c.timers)
    os << "  " << t.key << " " << t.state << " due=" << canonical_instant(t.due)
       << " next=" << canonical_instant(t.next) << "\n";
  os << "  evaluation.next_wakeup=" << canonical_instant(c.next_wakeup) << "\n";
  return os.str();
}

duly::policy compile(std::string_view yaml) {
  auto p = duly::parse_policy(yaml, "scenario.yaml");
  if (!p) {
    ADD_FAILURE() << "policy does not compile:\n" << p.error().render();
    return duly::parse_policy("duly: 1\ntargets: [{name: x, start_when: 'false', goals: [{within: 1h}]}]").value();
  }
  return *p;
}

void expect(const duly::evaluation& got, const check& c, const std::string& how, const std::string& name) {
  EXPECT_EQ(show_firings(got), want_firings(c)) << how << ", " << name << ", as_of " << c.as_of;
  EXPECT_EQ(show_timers(got), want_timers(c)) << how << ", " << name << ", as_of " << c.as_of;
}

void run(const scenario& s) {
  SCOPED_TRACE(s.name);
  const duly::policy p = compile(s.policy);
  const auto events = make_events(s.events);

  duly::evaluator forward(p);
  for (const auto& e : events) forward.add(e);
  duly::evaluator backward(p);
  for (auto it = events.rbegin(); it != events.rend(); ++it) backward.add(*it);
  // A fixed shuffle (odd positions, then even ones reversed) with results()
  // asked after every add at each check's as_of: asking must change nothing.
  duly::evaluator shuffled(p);
  std::vector<std::size_t> order;
  for (std::size_t i = 1; i < events.size(); i += 2) order.push_back(i);
  for (std::size_t i = events.size(); i-- > 0;)
    if (i % 2 == 0) order.push_back(i);
  for (const std::size_t i : order) {
    shuffled.add(events[i]);
    for (const auto& c : s.checks) (void)shuffled.results(at(c.as_of));
  }

  for (const auto& c : s.checks) {
    const instant as_of = at(c.as_of);
    expect(duly::evaluate(p, events, as_of), c, "evaluate()", s.name);
    expect(forward.results(as_of), c, "evaluator, input order", s.name);
    expect(backward.results(as_of), c, "evaluator, reverse order", s.name);
    expect(shuffled.results(as_of), c, "evaluator, shuffled order", s.name);
  }
}

// A 24x7 target with a 4h goal and every rule; `escalations` is appended.
std::string basic(std::string_view escalations, std::string_view extra_target_keys = {}) {
  std::string s = R"(duly: 1
targets:
  - name: res
    start_when: event == "created"
    stop_when: event == "resolved"
    pause_when: status == "hold"
    reset_when: event == "reopened"
    cancel_when: event == "cancelled"
)";
  s += extra_target_keys;
  s += "    goals:\n      - within: 4h\nescalations:\n";
  s += escalations;
  return s;
}

// --- points on the elapsed clock --------------------------------------------

TEST(EscalationScenario, PercentPointsRoundUpToTheSecond) {
  // Goal 1001 s from 10:00:00: 1% = ceil(10.01) = 11 s, 50% = ceil(500.5) =
  // 501 s, 75% = ceil(750.75) = 751 s, 100% = 1001 s (the due).
  const std::string policy = R"(duly: 1
targets:
  - name: res
    start_when: event == "created"
    stop_when: event == "resolved"
    goals: [{within: 1001s}]
escalations:
  - { name: p1, target: res, at: 1% }
  - { name: p50, target: res, at: 50% }
  - { name: p75, target: res, at: 75% }
  - { name: p100, target: res, at: 100% }
)";
  run({"percent",
       policy,
       {{"A", "10:00", "created"}},
       {
           // One second before the 75% point: not reported, it is the next wakeup.
           {"10:12:30",
            {"A/res/p1/1/0 @ 10:00:11", "A/res/p50/1/0 @ 10:08:21"},
            {{"A/res/1", "running", "10:16:41", "10:12:31"}},
            "10:12:31"},
           // Exactly at the point: reported.
           {"10:12:31",
            {"A/res/p1/1/0 @ 10:00:11", "A/res/p50/1/0 @ 10:08:21", "A/res/p75/1/0 @ 10:12:31"},
            {{"A/res/1", "running", "10:16:41", "10:16:41"}},
            "10:16:41"},
           // At the due: 100% fires at the due instant; the cycle turns
           // breached one second later.
           {"10:16:41",
            {"A/res/p1/1/0 @ 10:00:11", "A/res/p50/1/0 @ 10:08:21", "A/res/p75/1/0 @ 10:12:31",
             "A/res/p100/1/0 @ 10:16:41"},
            {{"A/res/1", "running", "10:16:41", "10:16:42"}},
            "10:16:42"},
           {"11:00",
            {"A/res/p1/1/0 @ 10:00:11", "A/res/p50/1/0 @ 10:08:21", "A/res/p75/1/0 @ 10:12:31",
             "A/res/p100/1/0 @ 10:16:41"},
            {{"A/res/1", "breached", "10:16:41", "-"}},
            "-"},
       }});
}

TEST(EscalationScenario, DueMinusPlusAndStartPlusInTimeOrderTiesInPolicyOrder) {
  // Start 10:00, goal 4h, due 14:00. due - 5h is below zero: E = 0, it fires
  // at the start. start + 4h and due both fire at 14:00, in policy order.
  const std::string esc = R"(  - { name: after, target: res, at: due + 2h }
  - { name: at_due, target: res, at: due }
  - { name: lead, target: res, at: due - 1h }
  - { name: early, target: res, at: start + 30m }
  - { name: start4, target: res, at: start + 4h }
  - { name: zero, target: res, at: due - 5h }
)";
  run({"due and start offsets",
       basic(esc),
       {{"A", "10:00", "created"}},
       {
           {"10:00", {"A/res/zero/1/0 @ 10:00"}, {{"A/res/1", "running", "14:00", "10:30"}}, "10:30"},
           {"13:59:59",
            {"A/res/zero/1/0 @ 10:00", "A/res/early/1/0 @ 10:30", "A/res/lead/1/0 @ 13:00"},
            {{"A/res/1", "running", "14:00", "14:00"}},
            "14:00"},
           // Past due: the timer's wakeup is the due + 2h point.
           {"15:00",
            {"A/res/zero/1/0 @ 10:00", "A/res/early/1/0 @ 10:30", "A/res/lead/1/0 @ 13:00",
             "A/res/at_due/1/0 @ 14:00", "A/res/start4/1/0 @ 14:00"},
            {{"A/res/1", "breached", "14:00", "16:00"}},
            "16:00"},
           {"2026-11-24T00:00:00Z",
            {"A/res/zero/1/0 @ 10:00", "A/res/early/1/0 @ 10:30", "A/res/lead/1/0 @ 13:00",
             "A/res/at_due/1/0 @ 14:00", "A/res/start4/1/0 @ 14:00", "A/res/after/1/0 @ 16:00"},
            {{"A/res/1", "breached", "14:00", "-"}},
            "-"},
       }});
}

TEST(EscalationScenario, DueMinusLargerThanTheGoalFiresAtTheStartEvenWithARepeat) {
  // E = max(4h - 6h, 0) = 0; the repeats are E + 1h, E + 2h: 11:00 and 12:00.
  const std::string esc = R"(  - { name: z, target: res, at: due - 6h, repeat: { every: 1h, times: 2 } }
)";
  run({"below zero",
       basic(esc),
       {{"A", "10:00", "created"}},
       {{"11:30",
         {"A/res/z/1/0 @ 10:00", "A/res/z/1/1 @ 11:00"},
         {{"A/res/1", "running", "14:00", "12:00"}},
         "12:00"}}});
}

TEST(EscalationScenario, PausesDelayAPoint) {
  // 24x7, 4h. 50% = 2h. Run 10:00-11:00 (1h), hold 11:00-13:00, run again:
  // 2h reached at 14:00; due 16:00.
  const std::string esc = R"(  - { name: half, target: res, at: 50% }
  - { name: at_due, target: res, at: due }
)";
  run({"pause",
       basic(esc),
       {{"A", "10:00", "created"}, {"A", "11:00", "note", {{"status", "hold"}}}, {"A", "13:00", "note", {{"status", "open"}}}},
       {
           // Paused: no due, no point scheduled.
           {"12:00", {}, {{"A/res/1", "paused", "-", "-"}}, "-"},
           {"13:59:59", {}, {{"A/res/1", "running", "16:00", "14:00"}}, "14:00"},
           {"14:30", {"A/res/half/1/0 @ 14:00"}, {{"A/res/1", "running", "16:00", "16:00"}}, "16:00"},
       }});
}

TEST(EscalationScenario, APauseFromAPointsInstantOrASecondLater) {
  // 24x7, 4h from 10:00: 50% (half, and half_p1 only for P1) at 12:00.
  // A: held by an event at exactly 12:00. Events at an instant apply before its
  //    points, so the clock stops at 12:00 with 2h elapsed: the points at 2h
  //    are reached and fire at 12:00, paused or not. Open at 13:00: due 15:00.
  // B: held at 12:00:01: the points fired at 12:00 while running; 2h 1s
  //    elapsed, open at 13:00: due 14:59:59.
  // C: a P1 ticket never held: both points at one position fire at 12:00, in
  //    policy order; resolved at 13:00, met. A and B skip half_p1.
  const std::string esc = R"(  - { name: half, target: res, at: 50% }
  - { name: half_p1, target: res, at: 50%, when: priority == "P1" }
  - { name: at_due, target: res, at: due }
)";
  run({"pause at a point",
       basic(esc),
       {{"A", "10:00", "created"},
        {"A", "12:00", "note", {{"status", "hold"}}},
        {"A", "13:00", "note", {{"status", "open"}}},
        {"B", "10:00", "created"},
        {"B", "12:00:01", "note", {{"status", "hold"}}},
        {"B", "13:00", "note", {{"status", "open"}}},
        {"C", "10:00", "created", {{"priority", "P1"}}},
        {"C", "13:00", "resolved"}},
       {
           {"12:30",
            {"A/res/half/1/0 @ 12:00", "B/res/half/1/0 @ 12:00", "C/res/half/1/0 @ 12:00",
             "C/res/half_p1/1/0 @ 12:00"},
            {{"A/res/1", "paused", "-", "-"}, {"B/res/1", "paused", "-", "-"}, {"C/res/1", "running", "14:00", "14:00"}},
            "14:00"},
           {"16:00",
            {"A/res/half/1/0 @ 12:00", "A/res/at_due/1/0 @ 15:00", "B/res/half/1/0 @ 12:00",
             "B/res/at_due/1/0 @ 14:59:59", "C/res/half/1/0 @ 12:00", "C/res/half_p1/1/0 @ 12:00"},
            {{"A/res/1", "breached", "15:00", "-"},
             {"B/res/1", "breached", "14:59:59", "-"},
             {"C/res/1", "met", "14:00", "-"}},
            "-"},
       }});
}

TEST(EscalationScenario, PausesDelayAPointOnABusinessCalendar) {
  // Office Mon-Fri 09:00-17:00 UTC, goal 8h, 50% = 4h. Start Mon 15:00; 1h by
  // the hold at Mon 16:00; resume Tue 10:00; 3h more: Tue 13:00. Due: 4h more
  // after that, Tue 17:00.
  const std::string policy = R"(duly: 1
calendars:
  office: { timezone: UTC, hours: { mon-fri: "09:00-17:00" } }
targets:
  - name: res
    start_when: event == "created"
    stop_when: event == "resolved"
    pause_when: status == "hold"
    goals: [{within: 8h, calendar: office}]
escalations:
  - { name: half, target: res, at: 50% }
)";
  run({"pause on office hours",
       policy,
       {{"A", "15:00", "created"},
        {"A", "16:00", "note", {{"status", "hold"}}},
        {"A", "2026-11-24T10:00:00Z", "note", {{"status", "open"}}}},
       {
           {"2026-11-24T09:30:00Z", {}, {{"A/res/1", "paused", "-", "-"}}, "-"},
           {"2026-11-24T10:00:00Z",
            {},
            {{"A/res/1", "running", "2026-11-24T17:00:00Z", "2026-11-24T13:00:00Z"}},
            "2026-11-24T13:00:00Z"},
           {"2026-11-24T13:00:00Z",
            {"A/res/half/1/0 @ 2026-11-24T13:00:00Z"},
            {{"A/res/1", "running", "2026-11-24T17:00:00Z", "2026-11-24T17:00:01Z"}},
            "2026-11-24T17:00:01Z"},
       }});
}

// --- goal changes ---------------------------------------------------------------

constexpr const char* priority_policy = R"(duly: 1
targets:
  - name: res
    start_when: event == "created"
    stop_when: event == "resolved"
    pause_when: status == "hold"
    goals:
      - { when: priority == "P1", within: 1h }
      - { when: priority != "none", within: 4h }
escalations:
  - { name: p75, target: res, at: 75% }
  - { name: at_due, target: res, at: due }
  - { name: late, target: res, at: due + 30m }
)";

TEST(EscalationScenario, AGoalChangeThatJumpsPastAPointFiresAtTheChange) {
  // Start 10:00 on 4h: 75% = 3h (13:00). At 11:00 priority P1: goal 1h, 75% =
  // 45m and due = 1h are both already reached (elapsed 1h): they fire at
  // 11:00; due + 30m = 1h30m fires at 11:30.
  run({"goal change jumps",
       priority_policy,
       {{"A", "10:00", "created"}, {"A", "11:00", "note", {{"priority", "P1"}}}},
       {
           {"10:59:59", {}, {{"A/res/1", "running", "14:00", "13:00"}}, "13:00"},
           {"11:00",
            {"A/res/p75/1/0 @ 11:00", "A/res/at_due/1/0 @ 11:00"},
            {{"A/res/1", "running", "11:00", "11:00:01"}},
            "11:00:01"},
           {"12:00",
            {"A/res/p75/1/0 @ 11:00", "A/res/at_due/1/0 @ 11:00", "A/res/late/1/0 @ 11:30"},
            {{"A/res/1", "breached", "11:00", "-"}},
            "-"},
       }});
}

TEST(EscalationScenario, AGoalChangeWhilePausingStillFiresThePassedPoints) {
  // The same change, on an event that also pauses the clock: the cycle is
  // active (paused), elapsed 1h >= 45m and >= 1h, so both fire at 11:00;
  // due + 30m needs 30m more of running clock: never while paused.
  run({"goal change while pausing",
       priority_policy,
       {{"A", "10:00", "created"}, {"A", "11:00", "note", {{"priority", "P1"}, {"status", "hold"}}}},
       {{"15:00",
         {"A/res/p75/1/0 @ 11:00", "A/res/at_due/1/0 @ 11:00"},
         {{"A/res/1", "breached", "11:00", "-"}},
         "-"}}});
}

TEST(EscalationScenario, AGoalChangeThatMovesAPointLater) {
  // Start 10:00 as P1: 75% = 45m (10:45). At 10:30 priority P3: 4h goal, 75%
  // = 3h: 13:00; due 14:00.
  run({"goal change moves later",
       priority_policy,
       {{"A", "10:00", "created", {{"priority", "P1"}}}, {"A", "10:30", "note", {{"priority", "P3"}}}},
       {
           {"10:29", {}, {{"A/res/1", "running", "11:00", "10:45"}}, "10:45"},
           {"12:59:59", {}, {{"A/res/1", "running", "14:00", "13:00"}}, "13:00"},
           {"13:00", {"A/res/p75/1/0 @ 13:00"}, {{"A/res/1", "running", "14:00", "14:00"}}, "14:00"},
       }});
}

TEST(EscalationScenario, NoGoalMeansNoPointsUntilAGoalAppears) {
  // Start 10:00 with priority "none": no goal, nothing scheduled. At 11:30
  // priority P1: 1h goal, elapsed 1h30m: 75%, due and due + 30m all fire at
  // 11:30.
  run({"no goal",
       priority_policy,
       {{"A", "10:00", "created", {{"priority", "none"}}}, {"A", "11:30", "note", {{"priority", "P1"}}}},
       {
           {"11:00", {}, {{"A/res/1", "running", "-", "-"}}, "-"},
           {"11:30",
            {"A/res/p75/1/0 @ 11:30", "A/res/at_due/1/0 @ 11:30", "A/res/late/1/0 @ 11:30"},
            {{"A/res/1", "breached", "11:00", "-"}},
            "-"},
       }});
}

// --- when ---------------------------------------------------------------------------

TEST(EscalationScenario, WhenIsCheckedAtTheFiringInstant) {
  // 4h from 10:00: 50% at 12:00, due at 14:00, both `when: assignee != null`.
  // A: assigned at 12:30: 50% is skipped for the cycle (not fired later), due
  //    fires at 14:00 thanks to the earlier assignment.
  // B: assigned by an event at exactly 12:00: events at an instant apply
  //    before its points, so 50% fires at 12:00.
  // C: assigned from the start, unassigned by an event at 12:00: skipped.
  const std::string esc = R"(  - { name: half, target: res, at: 50%, when: assignee != null, do: [{notify: [lead]}] }
  - { name: at_due, target: res, at: due, when: assignee != null }
)";
  run({"when",
       basic(esc),
       {{"A", "10:00", "created"},
        {"A", "12:30", "assign", {{"assignee", "ann"}}},
        {"B", "10:00", "created"},
        {"B", "12:00", "assign", {{"assignee", "bob"}}},
        {"C", "10:00", "created", {{"assignee", "cy"}}},
        {"C", "12:00", "unassign", {{"assignee", nullptr}}}},
       {
           // The next wakeup does not depend on `when`, judged only at F.
           {"11:00",
            {},
            {{"A/res/1", "running", "14:00", "12:00"},
             {"B/res/1", "running", "14:00", "12:00"},
             {"C/res/1", "running", "14:00", "12:00"}},
            "12:00"},
           {"13:00",
            {"B/res/half/1/0 @ 12:00"},
            {{"A/res/1", "running", "14:00", "14:00"},
             {"B/res/1", "running", "14:00", "14:00"},
             {"C/res/1", "running", "14:00", "14:00"}},
            "14:00"},
           {"15:00",
            {"A/res/at_due/1/0 @ 14:00", "B/res/half/1/0 @ 12:00", "B/res/at_due/1/0 @ 14:00"},
            {{"A/res/1", "breached", "14:00", "-"},
             {"B/res/1", "breached", "14:00", "-"},
             {"C/res/1", "breached", "14:00", "-"}},
            "-"},
       }});
}

TEST(EscalationScenario, ActionsComeBackAsData) {
  const std::string esc = R"(  - { name: half, target: res, at: 50%, do: [{notify: [team_lead]}, {set: {level: 2}}] }
  - { name: bare, target: res, at: 50% }
)";
  const duly::policy p = compile(basic(esc));
  const auto events = make_events({{"A", "10:00", "created"}});
  const auto r = duly::evaluate(p, events, at("12:00"));
  ASSERT_EQ(r.escalations.size(), 2u);
  EXPECT_EQ(r.escalations[0].key(), "A/res/half/20261123T100000Z/0");
  EXPECT_EQ(r.escalations[0].id, "A");
  EXPECT_EQ(r.escalations[0].target, "res");
  EXPECT_EQ(r.escalations[0].escalation, "half");
  EXPECT_EQ(r.escalations[0].cycle, 1);
  EXPECT_EQ(r.escalations[0].point, 0);
  EXPECT_EQ(r.escalations[0].fired_at, at("12:00"));
  EXPECT_EQ(r.escalations[0].actions_json, R"([{"notify":["team_lead"]},{"set":{"level":2}}])");
  EXPECT_EQ(r.escalations[1].actions_json, "[]");
}

// --- repeats -----------------------------------------------------------------------

TEST(EscalationScenario, RepeatsEveryAndTimes) {
  // due at 14:00 plus 3 repeats every 1h: 14:00, 15:00, 16:00, 17:00.
  // 50% every 30m twice: 12:00, 12:30, 13:00.
  // A gated repeat (`when: assignee != null`, due every 1h twice: 14, 15, 16):
  // assigned at 14:30, so point 0 is skipped and points 1 and 2 fire.
  const std::string esc = R"(  - { name: nag, target: res, at: due, repeat: { every: 1h, times: 3 } }
  - { name: half, target: res, at: 50%, repeat: { every: 30m, times: 2 } }
  - { name: gated, target: res, at: due, when: assignee != null, repeat: { every: 1h, times: 2 } }
)";
  run({"repeats",
       basic(esc),
       {{"A", "10:00", "created"}, {"A", "14:30", "assign", {{"assignee", "ann"}}}},
       {
           {"12:30",
            {"A/res/half/1/0 @ 12:00", "A/res/half/1/1 @ 12:30"},
            {{"A/res/1", "running", "14:00", "13:00"}},
            "13:00"},
           {"16:00",
            {"A/res/half/1/0 @ 12:00", "A/res/half/1/1 @ 12:30", "A/res/half/1/2 @ 13:00", "A/res/nag/1/0 @ 14:00",
             "A/res/nag/1/1 @ 15:00", "A/res/gated/1/1 @ 15:00", "A/res/nag/1/2 @ 16:00", "A/res/gated/1/2 @ 16:00"},
            {{"A/res/1", "breached", "14:00", "17:00"}},
            "17:00"},
           {"18:00",
            {"A/res/half/1/0 @ 12:00", "A/res/half/1/1 @ 12:30", "A/res/half/1/2 @ 13:00", "A/res/nag/1/0 @ 14:00",
             "A/res/nag/1/1 @ 15:00", "A/res/gated/1/1 @ 15:00", "A/res/nag/1/2 @ 16:00", "A/res/gated/1/2 @ 16:00",
             "A/res/nag/1/3 @ 17:00"},
            {{"A/res/1", "breached", "14:00", "-"}},
            "-"},
       }});
}

// --- cycles --------------------------------------------------------------------------

TEST(EscalationScenario, AResetStartsThePointsAgain) {
  // Cycle 1 from 10:00: 50% at 12:00. Reopened at 13:00: cycle 2 from 13:00,
  // 50% at 15:00, due 17:00.
  const std::string esc = "  - { name: half, target: res, at: 50% }\n";
  run({"reset",
       basic(esc),
       {{"A", "10:00", "created"}, {"A", "13:00", "reopened"}},
       {
           {"13:00",
            {"A/res/half/1/0 @ 12:00"},
            {{"A/res/1", "reset", "14:00", "-"}, {"A/res/2", "running", "17:00", "15:00"}},
            "15:00"},
           {"16:00",
            {"A/res/half/1/0 @ 12:00", "A/res/half/2/0 @ 15:00"},
            {{"A/res/1", "reset", "14:00", "-"}, {"A/res/2", "running", "17:00", "17:00:01"}},
            "17:00:01"},
       }});
}

TEST(EscalationScenario, AStopAtDueFiresNoDuePointAndOneSecondLaterItDoes) {
  const std::string esc = R"(  - { name: lead, target: res, at: due - 1h }
  - { name: at_due, target: res, at: due }
)";
  run({"stop at due",
       basic(esc),
       {{"A", "10:00", "created"},
        {"A", "14:00", "resolved"},
        {"B", "10:00", "created"},
        {"B", "14:00:01", "resolved"}},
       {{"15:00",
         {"A/res/lead/1/0 @ 13:00", "B/res/lead/1/0 @ 13:00", "B/res/at_due/1/0 @ 14:00"},
         {{"A/res/1", "met", "14:00", "-"}, {"B/res/1", "breached", "14:00", "-"}},
         "-"}}});
}

TEST(EscalationScenario, ACancelledCycleFiresNoLaterPoint) {
  // start + 1h fires at 11:00 for both; 50% (12:00) never: A is cancelled at
  // 11:59, B exactly at 12:00 (ended, so not active at 12:00).
  const std::string esc = R"(  - { name: hour, target: res, at: start + 1h }
  - { name: half, target: res, at: 50% }
)";
  run({"cancel",
       basic(esc),
       {{"A", "10:00", "created"}, {"A", "11:59", "cancelled"}, {"B", "10:00", "created"}, {"B", "12:00", "cancelled"}},
       {{"15:00",
         {"A/res/hour/1/0 @ 11:00", "B/res/hour/1/0 @ 11:00"},
         {{"A/res/1", "cancelled", "14:00", "-"}, {"B/res/1", "cancelled", "14:00", "-"}},
         "-"}}});
}

TEST(EscalationScenario, RetroactiveStartFiresPassedPointsAtTheStartingEvent) {
  // start_at puts the start at 09:00; the cycle (and its goal) exist from the
  // created event at 10:00, where elapsed is already 1h: start + 30m fires at
  // 10:00, not 09:30; 50% (2h) at 11:00.
  const std::string esc = R"(  - { name: early, target: res, at: start + 30m }
  - { name: half, target: res, at: 50% }
)";
  run({"start_at",
       basic(esc, "    start_at: opened_at\n"),
       {{"A", "10:00", "created", {{"opened_at", "2026-11-23T04:00:00-05:00"}}}},
       {{"10:30", {"A/res/early/1/0 @ 10:00"}, {{"A/res/1", "running", "13:00", "11:00"}}, "11:00"}}});
}

TEST(EscalationScenario, PointsOnANewYorkCalendarAcrossFallBack) {
  // Daily 08:00-20:00 New York, goal 10h, 50% = 5h. Start Saturday 31 October
  // 19:00 EDT (23:00Z): 1h that evening. Sunday 1 November is the fall-back
  // day: it opens at 08:00 EST (13:00Z); 4h more: 12:00 EST (17:00Z). The due
  // is 9h after the opening: 17:00 EST (22:00Z).
  const std::string policy = R"(duly: 1
calendars:
  ny: { timezone: America/New_York, hours: { daily: "08:00-20:00" } }
targets:
  - name: res
    start_when: event == "created"
    stop_when: event == "resolved"
    goals: [{within: 10h, calendar: ny}]
escalations:
  - { name: half, target: res, at: 50% }
)";
  run({"new york",
       policy,
       {{"A", "2026-10-31T19:00:00-04:00", "created"}},
       {
           {"2026-11-01T16:59:59Z", {}, {{"A/res/1", "running", "2026-11-01T22:00:00Z", "2026-11-01T17:00:00Z"}},
            "2026-11-01T17:00:00Z"},
           {"2026-11-01T12:00:00-05:00",
            {"A/res/half/1/0 @ 2026-11-01T17:00:00Z"},
            {{"A/res/1", "running", "2026-11-01T22:00:00Z", "2026-11-01T22:00:01Z"}},
            "2026-11-01T22:00:01Z"},
       }});
}

TEST(EscalationScenario, PercentOfABusinessDayGoal) {
  // Office Mon-Fri 09:00-17:00 UTC, 1bd from Monday 10:00: the deadline is
  // Tuesday 17:00, so the goal is 7h + 8h = 15h of open time; 50% = 7h30m:
  // 7h on Monday, 30m on Tuesday: Tuesday 09:30. due + 1h: Wednesday 10:00.
  const std::string policy = R"(duly: 1
calendars:
  office: { timezone: UTC, hours: { mon-fri: "09:00-17:00" } }
targets:
  - name: res
    start_when: event == "created"
    stop_when: event == "resolved"
    goals: [{within: 1bd, calendar: office}]
escalations:
  - { name: half, target: res, at: 50% }
  - { name: after, target: res, at: due + 1h }
)";
  run({"business days",
       policy,
       {{"A", "10:00", "created"}},
       {
           {"2026-11-24T09:30:00Z",
            {"A/res/half/1/0 @ 2026-11-24T09:30:00Z"},
            {{"A/res/1", "running", "2026-11-24T17:00:00Z", "2026-11-24T17:00:01Z"}},
            "2026-11-24T17:00:01Z"},
           {"2026-11-24T20:00:00Z",
            {"A/res/half/1/0 @ 2026-11-24T09:30:00Z"},
            {{"A/res/1", "breached", "2026-11-24T17:00:00Z", "2026-11-25T10:00:00Z"}},
            "2026-11-25T10:00:00Z"},
       }});
}

TEST(EscalationScenario, TiesAcrossTargetsComeInTargetOrder) {
  // Both targets fire start + 1h at 11:00; `ack`'s escalation is listed first
  // in the policy, but `res` is the first target: res's row comes first.
  const std::string policy = R"(duly: 1
targets:
  - name: res
    start_when: event == "created"
    goals: [{within: 4h}]
  - name: ack
    start_when: event == "created"
    goals: [{within: 2h}]
escalations:
  - { name: hour, target: ack, at: start + 1h }
  - { name: hour, target: res, at: start + 1h }
)";
  run({"ties across targets",
       policy,
       {{"B", "10:00", "created"}, {"A", "10:00", "created"}},
       {{"11:00",
         {"A/res/hour/1/0 @ 11:00", "A/ack/hour/1/0 @ 11:00", "B/res/hour/1/0 @ 11:00", "B/ack/hour/1/0 @ 11:00"},
         {{"A/res/1", "running", "14:00", "14:00:01"},
          {"A/ack/1", "running", "12:00", "12:00:01"},
          {"B/res/1", "running", "14:00", "14:00:01"},
          {"B/ack/1", "running", "12:00", "12:00:01"}},
         "12:00:01"}}});
}

// --- next_wakeup ------------------------------------------------------------------------

TEST(EscalationScenario, NextWakeupOfRunningPausedAndEndedCyclesAndTheEvaluation) {
  // Two targets. `res` (4h) has due + 2h; `ack` (1h, no pause) has 50%.
  //  A: running from 10:00: res wakes at due + 1 s = 14:00:01 (before the
  //     16:00 point); ack's 50% fired at 10:30 and ack is breached since
  //     11:00 with no later point: no wakeup.
  //  B: created 10:00, held 10:30: res paused (no due, no point); ack from
  //     10:00 runs (50% fired 10:30, due 11:00 < 12:00).
  //  C: created 11:30: res due 15:30; ack 50% at 12:00 (the as_of): reported;
  //     ack next = due + 1 s = 12:30:01.
  const std::string policy = R"(duly: 1
targets:
  - name: res
    start_when: event == "created"
    stop_when: event == "resolved"
    pause_when: status == "hold"
    goals: [{within: 4h}]
  - name: ack
    start_when: event == "created"
    stop_when: event == "acked"
    goals: [{within: 1h}]
escalations:
  - { name: late, target: res, at: due + 2h }
  - { name: half, target: ack, at: 50% }
)";
  run({"next wakeup",
       policy,
       {{"A", "10:00", "created"},
        {"B", "10:00", "created"},
        {"B", "10:30", "note", {{"status", "hold"}}},
        {"C", "11:30", "created"}},
       {
           {"12:00",
            {"A/ack/half/1/0 @ 10:30", "B/ack/half/1/0 @ 10:30", "C/ack/half/1/0 @ 12:00"},
            {{"A/res/1", "running", "14:00", "14:00:01"},
             {"A/ack/1", "breached", "11:00", "-"},
             {"B/res/1", "paused", "-", "-"},
             {"B/ack/1", "breached", "11:00", "-"},
             {"C/res/1", "running", "15:30", "15:30:01"},
             {"C/ack/1", "running", "12:30", "12:30:01"}},
            "12:30:01"},
           // After A's due, its res wakes at the due + 2h point (16:00).
           {"15:00",
            {"A/ack/half/1/0 @ 10:30", "B/ack/half/1/0 @ 10:30", "C/ack/half/1/0 @ 12:00"},
            {{"A/res/1", "breached", "14:00", "16:00"},
             {"A/ack/1", "breached", "11:00", "-"},
             {"B/res/1", "paused", "-", "-"},
             {"B/ack/1", "breached", "11:00", "-"},
             {"C/res/1", "running", "15:30", "15:30:01"},
             {"C/ack/1", "breached", "12:30", "-"}},
            "15:30:01"},
       }});
}

// --- at_risk -------------------------------------------------------------------------------

TEST(EscalationScenario, AtRiskWhenAnEtaInAnotherOffsetIsPastTheDue) {
  // Due 14:00Z. 11:00: eta 15:00+02:00 = 13:00Z (later as text, earlier as an
  // instant): not at risk. 11:30: eta 09:30-05:00 = 14:30Z > due: fires at
  // 11:30. 12:00: still past due: it fires only once a cycle.
  const std::string esc = "  - { name: risk, target: res, at: at_risk }\n";
  run({"at_risk eta",
       basic(esc, "    at_risk_when: eta > due\n"),
       {{"A", "10:00", "created"},
        {"A", "11:00", "note", {{"eta", "2026-11-23T15:00:00+02:00"}}},
        {"A", "11:30", "note", {{"eta", "2026-11-23T09:30:00-05:00"}}},
        {"A", "12:00", "note", {{"eta", "2026-11-23T10:00:00-05:00"}}},
        // B: the eta is exactly the due: not past it.
        {"B", "10:00", "created", {{"eta", "2026-11-23T09:00:00-05:00"}}}},
       {
           {"11:29", {}, {{"A/res/1", "running", "14:00", "14:00:01"}, {"B/res/1", "running", "14:00", "14:00:01"}},
            "14:00:01"},
           {"13:00",
            {"A/res/risk/1/0 @ 11:30"},
            {{"A/res/1", "running", "14:00", "14:00:01"}, {"B/res/1", "running", "14:00", "14:00:01"}},
            "14:00:01"},
       }});
}

TEST(EscalationScenario, AtRiskOnRemainingIsCheckedOnlyAtEvents) {
  // remaining < 2h holds from 12:00 on, but is only checked at events.
  //  A: a note at 12:30 (remaining 1h30m): fires at 12:30; a note at 13:00
  //     does not fire it again.
  //  B: no event after the start: never fires.
  //  C: resolved at 12:30: the cycle is no longer active, nothing fires.
  //  D: a note at 11:00 (remaining 3h): not at risk; reopened at 12:30: cycle 2
  //     has remaining 4h; a note at 15:00 (remaining 1h30m) fires cycle 2.
  const std::string esc = "  - { name: risk, target: res, at: at_risk, do: [{page: oncall}] }\n";
  run({"at_risk remaining",
       basic(esc, "    at_risk_when: remaining < 2h\n"),
       {{"A", "10:00", "created"},
        {"A", "12:30", "note"},
        {"A", "13:00", "note"},
        {"B", "10:00", "created"},
        {"C", "10:00", "created"},
        {"C", "12:30", "resolved"},
        {"D", "10:00", "created"},
        {"D", "11:00", "note"},
        {"D", "12:30", "reopened"},
        {"D", "15:00", "note"}},
       {{"16:00",
         {"A/res/risk/1/0 @ 12:30", "D/res/risk/2/0 @ 15:00"},
         {{"A/res/1", "breached", "14:00", "-"},
          {"B/res/1", "breached", "14:00", "-"},
          {"C/res/1", "met", "14:00", "-"},
          {"D/res/1", "reset", "14:00", "-"},
          {"D/res/2", "running", "16:30", "16:30:01"}},
         "16:30:01"}}});
}

TEST(EscalationScenario, AtRiskFiresAfterAllTheEventsOfItsInstant) {
  // remaining < 2h holds at 12:30 (1h30m left).
  //  A: a note at 12:30 makes the cycle at risk, but a second event at 12:30
  //     resolves it: at-risk escalations fire after all the events of an
  //     instant, and the cycle is no longer active: nothing fires.
  //  B: a page at 12:30 raises `page` at once on its own event, then the
  //     resolve at 12:30: the raise stands, the at-risk one does not fire.
  //  C: the same page without the resolve: both fire at 12:30, in policy
  //     order (risk, then page).
  const std::string esc = R"(  - { name: risk, target: res, at: at_risk }
  - { name: page, target: res, at: manual, raise_when: event == "page" }
)";
  run({"at_risk and a stop at one instant",
       basic(esc, "    at_risk_when: remaining < 2h\n"),
       {{"A", "10:00", "created"},
        {"A", "12:30", "note"},
        {"A", "12:30", "resolved"},
        {"B", "10:00", "created"},
        {"B", "12:30", "page"},
        {"B", "12:30", "resolved"},
        {"C", "10:00", "created"},
        {"C", "12:30", "page"}},
       {{"13:00",
         {"B/res/page/1/0 @ 12:30", "C/res/risk/1/0 @ 12:30", "C/res/page/1/0 @ 12:30"},
         {{"A/res/1", "met", "14:00", "-"}, {"B/res/1", "met", "14:00", "-"}, {"C/res/1", "running", "14:00", "14:00:01"}},
         "14:00:01"}}});
}

TEST(EscalationScenario, DueAndRemainingAreAttributesOutsideAtRiskWhen) {
  // In an escalation's `when`, `due` is an ordinary attribute: A sets due =
  // "yes" before the 50% point (12:00), B never does.
  const std::string esc = "  - { name: half, target: res, at: 50%, when: due == \"yes\" and remaining == null }\n";
  run({"due as an attribute",
       basic(esc),
       {{"A", "10:00", "created"}, {"A", "11:00", "note", {{"due", "yes"}}}, {"B", "10:00", "created"}},
       {{"13:00",
         {"A/res/half/1/0 @ 12:00"},
         {{"A/res/1", "running", "14:00", "14:00:01"}, {"B/res/1", "running", "14:00", "14:00:01"}},
         "14:00:01"}}});
}

TEST(EscalationScenario, ATimezoneChangeReplacesThePoints) {
  // Office 09:00-17:00, read in the record's `tz`. Start Monday 09:00Z in UTC:
  // start + 3h at 12:00Z, due 17:00Z. At 10:00Z tz becomes Asia/Tokyo (UTC+9):
  // the office is open 00:00-08:00Z, so the cycle so far (Monday 18:00-19:00
  // JST) holds no open time; start + 3h moves to Tuesday 09:00 + 3h JST =
  // 03:00Z, the due to Tuesday 08:00Z.
  const std::string policy = R"(duly: 1
calendars:
  office: { timezone: UTC, hours: { mon-fri: "09:00-17:00" } }
targets:
  - name: res
    start_when: event == "created"
    stop_when: event == "resolved"
    goals: [{within: 8h, calendar: office, timezone_from: tz}]
escalations:
  - { name: three, target: res, at: start + 3h }
)";
  run({"timezone change",
       policy,
       {{"A", "09:00", "created"}, {"A", "10:00", "note", {{"tz", "Asia/Tokyo"}}}},
       {
           {"09:30", {}, {{"A/res/1", "running", "17:00", "12:00"}}, "12:00"},
           {"12:00",
            {},
            {{"A/res/1", "running", "2026-11-24T08:00:00Z", "2026-11-24T03:00:00Z"}},
            "2026-11-24T03:00:00Z"},
           {"2026-11-24T03:00:00Z",
            {"A/res/three/1/0 @ 2026-11-24T03:00:00Z"},
            {{"A/res/1", "running", "2026-11-24T08:00:00Z", "2026-11-24T08:00:01Z"}},
            "2026-11-24T08:00:01Z"},
       }});
}

// --- manual -------------------------------------------------------------------------------

TEST(EscalationScenario, ManualRaisesFireAtTheEventAtMostOnePlusTimes) {
  // `page` (at: manual, 2 repeats: at most 3 raises), `when: oncall != null`.
  //  A: 10:30 page without oncall: ignored (no point used); 10:40 oncall set;
  //     11:00, 11:10, 11:20 pages fire points 0, 1, 2; 11:30 page: nothing
  //     left. Manual points schedule nothing: next wakeup is due + 1 s.
  //  B: resolved at 11:00, paged at 11:30: an ended cycle is not raised;
  //     created again at 12:00 (cycle 2) and paged at 12:30: cycle 2 point 0.
  //  C: a page on the event that resolves: the cycle has ended, nothing.
  //  D: a page on the event that reopens: it raises the new cycle 2.
  const std::string esc = R"(  - name: page
    target: res
    at: manual
    raise_when: event == "page" or paged == true
    when: oncall != null
    repeat: { times: 2 }
)";
  run({"manual",
       basic(esc),
       {{"A", "10:00", "created"},
        {"A", "10:30", "page"},
        {"A", "10:40", "note", {{"oncall", "ann"}}},
        {"A", "11:00", "page"},
        {"A", "11:10", "page"},
        {"A", "11:20", "page"},
        {"A", "11:30", "page"},
        {"B", "10:00", "created", {{"oncall", "bob"}}},
        {"B", "11:00", "resolved"},
        {"B", "11:30", "page"},
        {"B", "12:00", "created"},
        {"B", "12:30", "page"},
        {"C", "10:00", "created", {{"oncall", "cy"}}},
        {"C", "11:00", "resolved", {{"paged", true}}},
        {"D", "10:00", "created", {{"oncall", "di"}}},
        {"D", "11:00", "reopened", {{"paged", true}}}},
       {
           {"11:15",
            {"A/res/page/1/0 @ 11:00", "A/res/page/1/1 @ 11:10", "D/res/page/2/0 @ 11:00"},
            {{"A/res/1", "running", "14:00", "14:00:01"},
             {"B/res/1", "met", "14:00", "-"},
             {"C/res/1", "met", "14:00", "-"},
             {"D/res/1", "reset", "14:00", "-"},
             {"D/res/2", "running", "15:00", "15:00:01"}},
            "14:00:01"},
           {"13:00",
            {"A/res/page/1/0 @ 11:00", "A/res/page/1/1 @ 11:10", "A/res/page/1/2 @ 11:20", "B/res/page/2/0 @ 12:30",
             "D/res/page/2/0 @ 11:00"},
            {{"A/res/1", "running", "14:00", "14:00:01"},
             {"B/res/1", "met", "14:00", "-"},
             {"B/res/2", "running", "16:00", "16:00:01"},
             {"C/res/1", "met", "14:00", "-"},
             {"D/res/1", "reset", "14:00", "-"},
             {"D/res/2", "running", "15:00", "15:00:01"}},
            "14:00:01"},
       }});
}

TEST(EscalationScenario, ARaisedTimedEscalationKeepsItsLaterPoints) {
  // `due` with one repeat (14:00, 15:00) that can also be raised: raised at
  // 11:00 it fires point 0 then; at 14:00 point 0 is done; point 1 fires at
  // 15:00. A second raise at 12:00 fires point 1 early (B).
  const std::string esc = R"(  - name: boss
    target: res
    at: due
    raise_when: event == "escalate"
    repeat: { every: 1h, times: 1 }
)";
  run({"raise a timed escalation",
       basic(esc),
       {{"A", "10:00", "created"},
        {"A", "11:00", "escalate"},
        {"B", "10:00", "created"},
        {"B", "11:00", "escalate"},
        {"B", "12:00", "escalate"}},
       {
           {"13:00",
            {"A/res/boss/1/0 @ 11:00", "B/res/boss/1/0 @ 11:00", "B/res/boss/1/1 @ 12:00"},
            {{"A/res/1", "running", "14:00", "14:00:01"}, {"B/res/1", "running", "14:00", "14:00:01"}},
            "14:00:01"},
           {"16:00",
            {"A/res/boss/1/0 @ 11:00", "A/res/boss/1/1 @ 15:00", "B/res/boss/1/0 @ 11:00", "B/res/boss/1/1 @ 12:00"},
            {{"A/res/1", "breached", "14:00", "-"}, {"B/res/1", "breached", "14:00", "-"}},
            "-"},
       }});
}

TEST(EscalationScenario, ARaiseAndATimedPointAtOneInstantComeInPolicyOrder) {
  // At 11:00 the timed `first` (start + 1h) and the manual `second` (raised by
  // the 11:00 event) both fire: rows at one instant come in target, then
  // escalation (policy) order, so `first` before `second`, whether raised or
  // timed. (docs/escalations.md, "Firing order", says raised ones come first
  // at an instant; the engine's contract, tested here, is policy order.)
  const std::string esc = R"(  - { name: first, target: res, at: start + 1h }
  - { name: second, target: res, at: manual, raise_when: event == "page" }
)";
  run({"tie raise and timed",
       basic(esc),
       {{"A", "10:00", "created"}, {"A", "11:00", "page"}},
       {
           {"11:00", {"A/res/first/1/0 @ 11:00", "A/res/second/1/0 @ 11:00"},
            {{"A/res/1", "running", "14:00", "14:00:01"}}, "14:00:01"},
           {"12:00", {"A/res/first/1/0 @ 11:00", "A/res/second/1/0 @ 11:00"},
            {{"A/res/1", "running", "14:00", "14:00:01"}}, "14:00:01"},
       }});
}

}  // namespace
