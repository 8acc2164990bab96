// Tests of the timer engine (duly/evaluate.hpp; docs/timers.md) and of the
// policy reader's messages (duly/policy.hpp; docs/policy.md).
//
// Scenario tables: each case is a small policy (YAML text), a list of events,
// an as_of and the timer rows expected at as_of, worked out by hand from
// docs/timers.md. Every scenario is run through the batch call
// (duly::evaluate) and through the incremental duly::evaluator, fed in input
// order and in reverse order; all three must give the expected rows.
//
// Instants are written as ISO-8601 text (local time with an offset where a
// calendar's zone matters, so a wall clock can check them); durations as
// duration text (`1h30m`, `-30m`); `-` is an empty (null) field. The expected
// rows list: id, target, cycle, state, goal_seconds, started, stopped, due,
// breached_at, elapsed_seconds, remaining_seconds, paused_seconds, next_wakeup.
//
// Reading of the spec used where it is silent (the engine's documented
// choices): records in ascending id order, targets in policy order, every
// cycle in order, a `pending` row (cycle 0, every optional empty) for a target
// that never started; a business-day goal is the open time from the cycle
// start to the business-day deadline; a cycle without a goal reports only
// paused_seconds; next_wakeup = due + 1 s for an active cycle whose due is not
// before as_of; a reset's new cycle starts at the event instant.
#include <duly/duly.hpp>

#include <algorithm>
#include <chrono>
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

instant at(std::string_view text) {
  const auto t = duly::parse_instant(text);
  EXPECT_TRUE(t.has_value()) << text << ": " << (t ? "" : t.error().message());
  return t ? *t : instant{};
}

using duly_test::ev;

std::vector<duly::event> make_events(const std::vector<ev>& list) { return duly_test::make_events(list, &at); }

// One timer row, every field as canonical text ("-" when empty).
struct row {
  std::string id, target;
  std::int64_t cycle = 0;
  std::string state, goal, started, stopped, due, breached_at, elapsed, remaining, paused, next_wakeup;
};

std::string canonical_instant(const std::string& text) {
  if (text == "-") return text;
  return duly::format_instant(at(text));
}

std::string canonical_duration(const std::string& text) {
  if (text == "-") return text;
  const bool negative = !text.empty() && text.front() == '-';
  const auto d = duly::parse_duration(negative ? std::string_view(text).substr(1) : std::string_view(text));
  EXPECT_TRUE(d.has_value() && !d->is_business_days()) << text;
  if (!d) return "?" + text;
  return duly::format_duration(negative ? -d->value : d->value);
}

row canonical(row r) {
  for (auto* f : {&r.started, &r.stopped, &r.due, &r.breached_at, &r.next_wakeup}) *f = canonical_instant(*f);
  for (auto* f : {&r.goal, &r.elapsed, &r.remaining, &r.paused}) *f = canonical_duration(*f);
  return r;
}

std::string text(const std::optional<instant>& t) { return t ? duly::format_instant(*t) : "-"; }
std::string text(const std::optional<duly::seconds>& d) { return d ? duly::format_duration(*d) : "-"; }

row from_engine(const duly::timer_row& r) {
  return row{r.id,
             r.target,
             r.cycle,
             std::string(duly::to_string(r.state)),
             text(r.goal_seconds),
             text(r.started),
             text(r.stopped),
             text(r.due),
             text(r.breached_at),
             text(r.elapsed_seconds),
             text(r.remaining_seconds),
             text(r.paused_seconds),
             text(r.next_wakeup)};
}

std::vector<row> from_engine(const duly::evaluation& e) {
  std::vector<row> out;
  for (const auto& r : e.timers) out.push_back(from_engine(r));
  return out;
}

std::string show(const std::vector<row>& rows) {
  std::ostringstream os;
  for (const auto& r : rows) {
    os << "  {\"" << r.id << "\", \"" << r.target << "\", " << r.cycle << ", \"" << r.state << "\", \""
       << r.goal << "\", \"" << r.started << "\", \"" << r.stopped << "\", \"" << r.due << "\", \""
       << r.breached_at << "\", \"" << r.elapsed << "\", \"" << r.remaining << "\", \"" << r.paused
       << "\", \"" << r.next_wakeup << "\"},\n";
  }
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

struct scenario {
  std::string name;
  std::string policy;
  std::vector<ev> events;
  std::string as_of;
  std::vector<row> expected;
};

void run(const scenario& s) {
  SCOPED_TRACE(s.name);
  const duly::policy p = compile(s.policy);
  const auto events = make_events(s.events);
  const instant as_of = at(s.as_of);
  std::vector<row> expected;
  for (const auto& r : s.expected) expected.push_back(canonical(r));

  // Compared as text, one row a line, so a mismatch shows as a line diff.
  const std::string want = show(expected);
  EXPECT_EQ(show(from_engine(duly::evaluate(p, events, as_of))), want) << "evaluate(), " << s.name;

  duly::evaluator forward(p);
  for (const auto& e : events) forward.add(e);
  EXPECT_EQ(show(from_engine(forward.results(as_of))), want) << "evaluator, events in input order, " << s.name;

  duly::evaluator backward(p);
  for (auto it = events.rbegin(); it != events.rend(); ++it) backward.add(*it);
  EXPECT_EQ(show(from_engine(backward.results(as_of))), want) << "evaluator, events in reverse order, " << s.name;
}

// --- policies ---------------------------------------------------------------

// 24x7 UTC, one 4h goal, every rule.
constexpr const char* basic_policy = R"(duly: 1
targets:
  - name: resolution
    start_when: event == "created"
    stop_when: event == "resolved" or status == "done"
    pause_when: status == "hold"
    reset_when: event == "reopened"
    cancel_when: event == "cancelled" or status == "cancelled"
    goals:
      - within: 4h
)";

// Monday to Friday 09:00-17:00 UTC, 8h.
constexpr const char* office_policy = R"(duly: 1
calendars:
  office: { timezone: UTC, hours: { mon-fri: "09:00-17:00" } }
targets:
  - name: resolution
    start_when: event == "created"
    stop_when: event == "resolved"
    pause_when: status == "hold"
    goals:
      - { within: 8h, calendar: office }
)";

// Every day 08:00-20:00 in New York, 10h.
constexpr const char* new_york_policy = R"(duly: 1
calendars:
  ny: { timezone: America/New_York, hours: { daily: "08:00-20:00" } }
targets:
  - name: resolution
    start_when: event == "created"
    stop_when: event == "resolved"
    pause_when: status == "hold"
    goals:
      - { within: 10h, calendar: ny }
)";

// Goals by priority, all 24x7.
constexpr const char* priority_policy = R"(duly: 1
targets:
  - name: resolution
    start_when: event == "created"
    stop_when: event == "resolved"
    goals:
      - { when: priority == "P1", within: 1h }
      - { when: priority == "P2", within: 4h }
      - { within: 8h }
)";

// P1 on 24x7, anything else on office hours: same length, other calendar.
constexpr const char* calendar_change_policy = R"(duly: 1
calendars:
  office: { hours: { mon-fri: "09:00-17:00" } }
targets:
  - name: resolution
    start_when: event == "created"
    stop_when: event == "resolved"
    pause_when: status == "hold"
    goals:
      - { when: priority == "P1", within: 2h }
      - { within: 2h, calendar: office }
)";

// --- scenarios --------------------------------------------------------------

TEST(EngineScenario, ARunningClock) {
  run({"running", basic_policy,
       {{"A", "2026-11-23T10:00:00Z", "created"}},
       "2026-11-23T11:00:00Z",
       {{"A", "resolution", 1, "running", "4h", "2026-11-23T10:00:00Z", "-", "2026-11-23T14:00:00Z", "-", "1h",
         "3h", "0s", "2026-11-23T14:00:01Z"}}});
}

TEST(EngineScenario, StartAndStopOnTheSameEventStartNoCycle) {
  run({"start and stop on one event", basic_policy,
       {
           // A: the creating event already says done: no cycle.
           {"A", "2026-11-23T10:00:00Z", "created", {{"status", "done"}}},
           // B: a later event says done: stop.
           {"B", "2026-11-23T10:00:00Z", "created"},
           {"B", "2026-11-23T11:00:00Z", "note", {{"status", "done"}}},
           // C: after a met cycle, a new start while stop holds starts nothing.
           {"C", "2026-11-23T10:00:00Z", "created"},
           {"C", "2026-11-23T10:30:00Z", "resolved"},
           {"C", "2026-11-23T11:00:00Z", "created", {{"status", "done"}}},
       },
       "2026-11-23T12:00:00Z",
       {
           {"A", "resolution", 0, "pending", "-", "-", "-", "-", "-", "-", "-", "-", "-"},
           {"B", "resolution", 1, "met", "4h", "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z",
            "2026-11-23T14:00:00Z", "-", "1h", "3h", "0s", "-"},
           {"C", "resolution", 1, "met", "4h", "2026-11-23T10:00:00Z", "2026-11-23T10:30:00Z",
            "2026-11-23T14:00:00Z", "-", "30m", "3h30m", "0s", "-"},
       }});
}

TEST(EngineScenario, StopAtDueIsMetAndOneSecondLaterBreached) {
  run({"stop at due", basic_policy,
       {
           {"A", "2026-11-23T10:00:00Z", "created"},
           {"A", "2026-11-23T14:00:00Z", "resolved"},  // exactly at due
           {"B", "2026-11-23T10:00:00Z", "created"},
           {"B", "2026-11-23T14:00:01Z", "resolved"},  // one second after
           {"C", "2026-11-23T10:00:01Z", "created"},   // active, as_of == due
           {"D", "2026-11-23T10:00:00Z", "created"},   // active, as_of == due + 1s
       },
       "2026-11-23T14:00:01Z",
       {
           {"A", "resolution", 1, "met", "4h", "2026-11-23T10:00:00Z", "2026-11-23T14:00:00Z",
            "2026-11-23T14:00:00Z", "-", "4h", "0s", "0s", "-"},
           {"B", "resolution", 1, "breached", "4h", "2026-11-23T10:00:00Z", "2026-11-23T14:00:01Z",
            "2026-11-23T14:00:00Z", "2026-11-23T14:00:00Z", "4h0m1s", "-1s", "0s", "-"},
           {"C", "resolution", 1, "running", "4h", "2026-11-23T10:00:01Z", "-", "2026-11-23T14:00:01Z", "-",
            "4h", "0s", "0s", "2026-11-23T14:00:02Z"},
           {"D", "resolution", 1, "breached", "4h", "2026-11-23T10:00:00Z", "-", "2026-11-23T14:00:00Z",
            "2026-11-23T14:00:00Z", "4h0m1s", "-1s", "0s", "-"},
       }});
}

TEST(EngineScenario, ResetEndsACycleAndStartsTheNext) {
  run({"reset", basic_policy,
       {
           // A: one reset, two cycles.
           {"A", "2026-11-23T10:00:00Z", "created"},
           {"A", "2026-11-23T11:00:00Z", "reopened"},
           // B: reset while on hold; the new cycle is paused at once.
           {"B", "2026-11-23T10:00:00Z", "created"},
           {"B", "2026-11-23T10:30:00Z", "note", {{"status", "hold"}}},
           {"B", "2026-11-23T11:00:00Z", "reopened"},
           // C: reset past due: the cycle ends reset and keeps breached_at = due.
           {"C", "2026-11-23T06:00:00Z", "created"},
           {"C", "2026-11-23T11:00:00Z", "reopened"},
           // D: two resets, three cycles.
           {"D", "2026-11-23T10:00:00Z", "created"},
           {"D", "2026-11-23T10:20:00Z", "reopened"},
           {"D", "2026-11-23T10:40:00Z", "reopened"},
           // E: reset_when on an ended cycle does nothing (start_when does not hold).
           {"E", "2026-11-23T10:00:00Z", "created"},
           {"E", "2026-11-23T10:30:00Z", "resolved"},
           {"E", "2026-11-23T11:00:00Z", "reopened"},
       },
       "2026-11-23T12:00:00Z",
       {
           {"A", "resolution", 1, "reset", "4h", "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z",
            "2026-11-23T14:00:00Z", "-", "1h", "3h", "0s", "-"},
           {"A", "resolution", 2, "running", "4h", "2026-11-23T11:00:00Z", "-", "2026-11-23T15:00:00Z", "-", "1h",
            "3h", "0s", "2026-11-23T15:00:01Z"},
           // Ended while paused: the clock is taken to run on after the end.
           {"B", "resolution", 1, "reset", "4h", "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z",
            "2026-11-23T14:30:00Z", "-", "30m", "3h30m", "30m", "-"},
           {"B", "resolution", 2, "paused", "4h", "2026-11-23T11:00:00Z", "-", "-", "-", "0s", "4h", "1h", "-"},
           {"C", "resolution", 1, "reset", "4h", "2026-11-23T06:00:00Z", "2026-11-23T11:00:00Z",
            "2026-11-23T10:00:00Z", "2026-11-23T10:00:00Z", "5h", "-1h", "0s", "-"},
           {"C", "resolution", 2, "running", "4h", "2026-11-23T11:00:00Z", "-", "2026-11-23T15:00:00Z", "-", "1h",
            "3h", "0s", "2026-11-23T15:00:01Z"},
           {"D", "resolution", 1, "reset", "4h", "2026-11-23T10:00:00Z", "2026-11-23T10:20:00Z",
            "2026-11-23T14:00:00Z", "-", "20m", "3h40m", "0s", "-"},
           {"D", "resolution", 2, "reset", "4h", "2026-11-23T10:20:00Z", "2026-11-23T10:40:00Z",
            "2026-11-23T14:20:00Z", "-", "20m", "3h40m", "0s", "-"},
           {"D", "resolution", 3, "running", "4h", "2026-11-23T10:40:00Z", "-", "2026-11-23T14:40:00Z", "-",
            "1h20m", "2h40m", "0s", "2026-11-23T14:40:01Z"},
           {"E", "resolution", 1, "met", "4h", "2026-11-23T10:00:00Z", "2026-11-23T10:30:00Z",
            "2026-11-23T14:00:00Z", "-", "30m", "3h30m", "0s", "-"},
       }});
}

TEST(EngineScenario, CancelEndsTheCycleAndKeepsABreach) {
  run({"cancel", basic_policy,
       {
           {"A", "2026-11-23T10:00:00Z", "created"},
           {"A", "2026-11-23T11:00:00Z", "cancelled"},
           // B: cancelled past due: state cancelled, breached_at = due (the breach stays).
           {"B", "2026-11-23T06:00:00Z", "created"},
           {"B", "2026-11-23T11:00:00Z", "cancelled"},
           // C: cancel and stop on one event: cancel wins (rule 2a before 2b).
           {"C", "2026-11-23T10:00:00Z", "created"},
           {"C", "2026-11-23T11:00:00Z", "resolved", {{"status", "cancelled"}}},
           // D: after a cancel, the next start begins cycle 2.
           {"D", "2026-11-23T09:00:00Z", "created"},
           {"D", "2026-11-23T09:30:00Z", "cancelled"},
           {"D", "2026-11-23T11:00:00Z", "created"},
       },
       "2026-11-23T12:00:00Z",
       {
           {"A", "resolution", 1, "cancelled", "4h", "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z",
            "2026-11-23T14:00:00Z", "-", "1h", "3h", "0s", "-"},
           {"B", "resolution", 1, "cancelled", "4h", "2026-11-23T06:00:00Z", "2026-11-23T11:00:00Z",
            "2026-11-23T10:00:00Z", "2026-11-23T10:00:00Z", "5h", "-1h", "0s", "-"},
           {"C", "resolution", 1, "cancelled", "4h", "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z",
            "2026-11-23T14:00:00Z", "-", "1h", "3h", "0s", "-"},
           {"D", "resolution", 1, "cancelled", "4h", "2026-11-23T09:00:00Z", "2026-11-23T09:30:00Z",
            "2026-11-23T13:00:00Z", "-", "30m", "3h30m", "0s", "-"},
           {"D", "resolution", 2, "running", "4h", "2026-11-23T11:00:00Z", "-", "2026-11-23T15:00:00Z", "-", "1h",
            "3h", "0s", "2026-11-23T15:00:01Z"},
       }});
}

TEST(EngineScenario, RulesApplyInOrderCancelStopResetPause) {
  constexpr const char* policy = R"(duly: 1
targets:
  - name: resolution
    start_when: event == "created"
    cancel_when: event == "drop" or status == "void"
    stop_when: event == "close"
    reset_when: event == "reopen" or changed(team)
    pause_when: status == "hold"
    goals: [ { within: 4h } ]
)";
  run({"rule order", policy,
       {
           // A: stop and reset (team changes) on one event: stop wins.
           {"A", "2026-11-23T10:00:00Z", "created", {{"team", "x"}}},
           {"A", "2026-11-23T11:00:00Z", "close", {{"team", "y"}}},
           // B: cancel and stop on one event: cancel wins.
           {"B", "2026-11-23T10:00:00Z", "created"},
           {"B", "2026-11-23T11:00:00Z", "close", {{"status", "void"}}},
           // C: reset and pause on one event: reset, the new cycle paused at once.
           {"C", "2026-11-23T10:00:00Z", "created"},
           {"C", "2026-11-23T11:00:00Z", "reopen", {{"status", "hold"}}},
           // E: changed() holds only when the value changes.
           {"E", "2026-11-23T10:00:00Z", "created", {{"team", "x"}}},
           {"E", "2026-11-23T11:00:00Z", "note", {{"team", "x"}}},
           {"E", "2026-11-23T11:30:00Z", "note", {{"team", "y"}}},
       },
       "2026-11-23T12:00:00Z",
       {
           {"A", "resolution", 1, "met", "4h", "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z",
            "2026-11-23T14:00:00Z", "-", "1h", "3h", "0s", "-"},
           {"B", "resolution", 1, "cancelled", "4h", "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z",
            "2026-11-23T14:00:00Z", "-", "1h", "3h", "0s", "-"},
           {"C", "resolution", 1, "reset", "4h", "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z",
            "2026-11-23T14:00:00Z", "-", "1h", "3h", "0s", "-"},
           {"C", "resolution", 2, "paused", "4h", "2026-11-23T11:00:00Z", "-", "-", "-", "0s", "4h", "1h", "-"},
           {"E", "resolution", 1, "reset", "4h", "2026-11-23T10:00:00Z", "2026-11-23T11:30:00Z",
            "2026-11-23T14:00:00Z", "-", "1h30m", "2h30m", "0s", "-"},
           {"E", "resolution", 2, "running", "4h", "2026-11-23T11:30:00Z", "-", "2026-11-23T15:30:00Z", "-",
            "30m", "3h30m", "0s", "2026-11-23T15:30:01Z"},
       }});
}

TEST(EngineScenario, PauseAcrossAWeekend) {
  // Fri 2026-11-27, Mon 2026-11-30; office hours Mon-Fri 09:00-17:00 UTC, 8h.
  run({"weekend pause", office_policy,
       {
           // A: on hold from Friday 16:00 to Monday 10:00.
           {"A", "2026-11-27T15:00:00Z", "created"},
           {"A", "2026-11-27T16:00:00Z", "note", {{"status", "hold"}}},
           {"A", "2026-11-30T10:00:00Z", "note", {{"status", "open"}}},
           // B: still on hold at as_of.
           {"B", "2026-11-27T15:00:00Z", "created"},
           {"B", "2026-11-27T16:00:00Z", "note", {{"status", "hold"}}},
           // C: stopped while on hold.
           {"C", "2026-11-27T15:00:00Z", "created"},
           {"C", "2026-11-27T16:00:00Z", "note", {{"status", "hold"}}},
           {"C", "2026-11-30T10:00:00Z", "resolved"},
           // D: no pause at all: the weekend is closed anyway.
           {"D", "2026-11-27T15:00:00Z", "created"},
       },
       "2026-11-30T12:00:00Z",
       {
           // 1h on Friday, paused 66h of wall clock, 2h on Monday.
           {"A", "resolution", 1, "running", "8h", "2026-11-27T15:00:00Z", "-", "2026-11-30T17:00:00Z", "-", "3h",
            "5h", "66h", "2026-11-30T17:00:01Z"},
           {"B", "resolution", 1, "paused", "8h", "2026-11-27T15:00:00Z", "-", "-", "-", "1h", "7h", "68h", "-"},
           // Ended while paused: due assumes the clock runs on from 10:00 Monday.
           {"C", "resolution", 1, "met", "8h", "2026-11-27T15:00:00Z", "2026-11-30T10:00:00Z",
            "2026-11-30T17:00:00Z", "-", "1h", "7h", "66h", "-"},
           // 2h on Friday, 3h on Monday.
           {"D", "resolution", 1, "running", "8h", "2026-11-27T15:00:00Z", "-", "2026-11-30T15:00:00Z", "-", "5h",
            "3h", "0s", "2026-11-30T15:00:01Z"},
       }});
}

TEST(EngineScenario, PauseAcrossFallBackInNewYork) {
  // DST ends Sunday 2026-11-01 02:00 EDT -> 01:00 EST. Open daily 08:00-20:00.
  run({"fall back pause", new_york_policy,
       {
           {"A", "2026-10-31T16:00:00-04:00", "created"},
           {"A", "2026-10-31T18:00:00-04:00", "note", {{"status", "hold"}}},
           {"A", "2026-11-02T10:00:00-05:00", "note", {{"status", "open"}}},
           // B: runs through Sunday instead (08:00-20:00 EST is 12h).
           {"B", "2026-10-31T19:00:00-04:00", "created"},
       },
       "2026-11-02T12:00:00-05:00",
       {
           // 2h Saturday + 2h Monday; Saturday 18:00 EDT to Monday 10:00 EST is 41h of real time.
           {"A", "resolution", 1, "running", "10h", "2026-10-31T20:00:00Z", "-", "2026-11-02T18:00:00-05:00", "-",
            "4h", "6h", "41h", "2026-11-02T18:00:01-05:00"},
           // 1h Saturday, then 9h on Sunday from 08:00 EST: due Sunday 17:00 EST.
           {"B", "resolution", 1, "breached", "10h", "2026-10-31T23:00:00Z", "-", "2026-11-01T17:00:00-05:00",
            "2026-11-01T17:00:00-05:00", "17h", "-7h", "0s", "-"},
       }});
}

TEST(EngineScenario, PauseAcrossSpringForwardInNewYork) {
  // DST starts Sunday 2026-03-08 02:00 EST -> 03:00 EDT. Open daily 08:00-20:00.
  run({"spring forward pause", new_york_policy,
       {
           {"A", "2026-03-07T18:00:00-05:00", "created"},
           {"A", "2026-03-07T19:00:00-05:00", "note", {{"status", "hold"}}},
           {"A", "2026-03-09T09:00:00-04:00", "note", {{"status", "open"}}},
       },
       "2026-03-09T11:00:00-04:00",
       {
           // 1h Saturday + 2h Monday; Saturday 19:00 EST to Monday 09:00 EDT is 37h of real time.
           {"A", "resolution", 1, "running", "10h", "2026-03-07T23:00:00Z", "-", "2026-03-09T18:00:00-04:00", "-",
            "3h", "7h", "37h", "2026-03-09T18:00:01-04:00"},
       }});
}

TEST(EngineScenario, AroundTheClockInNewYorkCountsRealSecondsOverFallBack) {
  constexpr const char* policy = R"(duly: 1
calendars:
  ny24: { timezone: America/New_York }
targets:
  - name: resolution
    start_when: event == "created"
    goals: [ { within: 24h, calendar: ny24 } ]
)";
  // Saturday 12:00 EDT + 24h of real time is Sunday 11:00 EST.
  run({"24x7 over fall back", policy,
       {{"A", "2026-10-31T12:00:00-04:00", "created"}},
       "2026-11-01T10:00:00-05:00",
       {{"A", "resolution", 1, "running", "24h", "2026-10-31T16:00:00Z", "-", "2026-11-01T11:00:00-05:00", "-",
         "23h", "1h", "0s", "2026-11-01T11:00:01-05:00"}}});
}

TEST(EngineScenario, GoalChangesMidCycleAreMeasuredAgainWhole) {
  run({"goal changes", priority_policy,
       {
           // A: tighter goal (4h -> 1h) already exceeded: breached at start + 1h.
           {"A", "2026-11-23T10:00:00Z", "created", {{"priority", "P2"}}},
           {"A", "2026-11-23T11:00:00Z", "note", {{"priority", "P1"}}},
           // B: looser goal (1h -> 8h) after the 1h due passed: running again.
           {"B", "2026-11-23T10:00:00Z", "created", {{"priority", "P1"}}},
           {"B", "2026-11-23T11:30:00Z", "note", {{"priority", "P3"}}},
           // C: tighter goal (8h -> 4h) not yet reached.
           {"C", "2026-11-23T11:30:00Z", "created", {{"priority", "P3"}}},
           {"C", "2026-11-23T11:45:00Z", "note", {{"priority", "P2"}}},
           // D: the stop is judged with the goal chosen after the stop's updates (4h).
           {"D", "2026-11-23T10:00:00Z", "created", {{"priority", "P1"}}},
           {"D", "2026-11-23T11:30:00Z", "resolved", {{"priority", "P2"}}},
           // E: ... and breached when that goal is tighter (1h).
           {"E", "2026-11-23T09:00:00Z", "created", {{"priority", "P3"}}},
           {"E", "2026-11-23T11:30:00Z", "resolved", {{"priority", "P1"}}},
           // F: clearing the attribute falls through to the default goal.
           {"F", "2026-11-23T10:00:00Z", "created", {{"priority", "P1"}}},
           {"F", "2026-11-23T10:30:00Z", "note", {{"priority", nullptr}}},
       },
       "2026-11-23T12:00:00Z",
       {
           {"A", "resolution", 1, "breached", "1h", "2026-11-23T10:00:00Z", "-", "2026-11-23T11:00:00Z",
            "2026-11-23T11:00:00Z", "2h", "-1h", "0s", "-"},
           {"B", "resolution", 1, "running", "8h", "2026-11-23T10:00:00Z", "-", "2026-11-23T18:00:00Z", "-", "2h",
            "6h", "0s", "2026-11-23T18:00:01Z"},
           {"C", "resolution", 1, "running", "4h", "2026-11-23T11:30:00Z", "-", "2026-11-23T15:30:00Z", "-", "30m",
            "3h30m", "0s", "2026-11-23T15:30:01Z"},
           {"D", "resolution", 1, "met", "4h", "2026-11-23T10:00:00Z", "2026-11-23T11:30:00Z",
            "2026-11-23T14:00:00Z", "-", "1h30m", "2h30m", "0s", "-"},
           {"E", "resolution", 1, "breached", "1h", "2026-11-23T09:00:00Z", "2026-11-23T11:30:00Z",
            "2026-11-23T10:00:00Z", "2026-11-23T10:00:00Z", "2h30m", "-1h30m", "0s", "-"},
           {"F", "resolution", 1, "running", "8h", "2026-11-23T10:00:00Z", "-", "2026-11-23T18:00:00Z", "-", "2h",
            "6h", "0s", "2026-11-23T18:00:01Z"},
       }});
}

TEST(EngineScenario, ACalendarChangeBetweenGoalsMeasuresTheWholeCycleAgain) {
  // Monday 2026-11-23; office hours 09:00-17:00 UTC.
  run({"calendar change", calendar_change_policy,
       {
           // A: office -> 24x7: 07:00 to 10:30 all counts; due 09:00 passed.
           {"A", "2026-11-23T07:00:00Z", "created", {{"priority", "P3"}}},
           {"A", "2026-11-23T10:00:00Z", "note", {{"priority", "P1"}}},
           // B: 24x7 -> office: only 09:00 to 10:30 counts.
           {"B", "2026-11-23T07:00:00Z", "created", {{"priority", "P1"}}},
           {"B", "2026-11-23T08:30:00Z", "note", {{"priority", "P3"}}},
           // C: the earlier pause (07:30-09:30) stays as it was on the new calendar.
           {"C", "2026-11-23T07:00:00Z", "created", {{"priority", "P1"}}},
           {"C", "2026-11-23T07:30:00Z", "note", {{"status", "hold"}}},
           {"C", "2026-11-23T09:30:00Z", "note", {{"status", "open"}}},
           {"C", "2026-11-23T10:00:00Z", "note", {{"priority", "P3"}}},
       },
       "2026-11-23T10:30:00Z",
       {
           {"A", "resolution", 1, "breached", "2h", "2026-11-23T07:00:00Z", "-", "2026-11-23T09:00:00Z",
            "2026-11-23T09:00:00Z", "3h30m", "-1h30m", "0s", "-"},
           {"B", "resolution", 1, "running", "2h", "2026-11-23T07:00:00Z", "-", "2026-11-23T11:00:00Z", "-",
            "1h30m", "30m", "0s", "2026-11-23T11:00:01Z"},
           {"C", "resolution", 1, "running", "2h", "2026-11-23T07:00:00Z", "-", "2026-11-23T11:30:00Z", "-", "1h",
            "1h", "2h", "2026-11-23T11:30:01Z"},
       }});
}

TEST(EngineScenario, RetroactiveStartAt) {
  constexpr const char* policy = R"(duly: 1
targets:
  - name: resolution
    start_when: event == "created"
    stop_when: event == "resolved"
    pause_when: status == "hold"
    reset_when: event == "reopened"
    start_at: opened_at
    goals: [ { within: 4h } ]
)";
  run({"start_at", policy,
       {
           // A: an instant with an offset, before the event.
           {"A", "2026-11-23T12:00:00Z", "created", {{"opened_at", "2026-11-23T09:00:00-01:00"}}},
           // B: unparsable: the event's instant.
           {"B", "2026-11-23T12:00:00Z", "created", {{"opened_at", "yesterday"}}},
           // C: unset: the event's instant.
           {"C", "2026-11-23T12:00:00Z", "created"},
           // D: not text: the event's instant.
           {"D", "2026-11-23T12:00:00Z", "created", {{"opened_at", 5.0}}},
           // E: a reset's new cycle starts at the reset, not at start_at.
           {"E", "2026-11-23T11:00:00Z", "created", {{"opened_at", "2026-11-23T10:00:00Z"}}},
           {"E", "2026-11-23T12:00:00Z", "reopened"},
           // F: set by an earlier event; breached by as_of.
           {"F", "2026-11-23T09:00:00Z", "note", {{"opened_at", "2026-11-23T08:00:00Z"}}},
           {"F", "2026-11-23T11:00:00Z", "created"},
           // G: paused at once: the pause begins at the cycle's start.
           {"G", "2026-11-23T12:00:00Z", "created", {{"opened_at", "2026-11-23T10:00:00Z"}, {"status", "hold"}}},
       },
       "2026-11-23T13:00:00Z",
       {
           {"A", "resolution", 1, "running", "4h", "2026-11-23T10:00:00Z", "-", "2026-11-23T14:00:00Z", "-", "3h",
            "1h", "0s", "2026-11-23T14:00:01Z"},
           {"B", "resolution", 1, "running", "4h", "2026-11-23T12:00:00Z", "-", "2026-11-23T16:00:00Z", "-", "1h",
            "3h", "0s", "2026-11-23T16:00:01Z"},
           {"C", "resolution", 1, "running", "4h", "2026-11-23T12:00:00Z", "-", "2026-11-23T16:00:00Z", "-", "1h",
            "3h", "0s", "2026-11-23T16:00:01Z"},
           {"D", "resolution", 1, "running", "4h", "2026-11-23T12:00:00Z", "-", "2026-11-23T16:00:00Z", "-", "1h",
            "3h", "0s", "2026-11-23T16:00:01Z"},
           {"E", "resolution", 1, "reset", "4h", "2026-11-23T10:00:00Z", "2026-11-23T12:00:00Z",
            "2026-11-23T14:00:00Z", "-", "2h", "2h", "0s", "-"},
           {"E", "resolution", 2, "running", "4h", "2026-11-23T12:00:00Z", "-", "2026-11-23T16:00:00Z", "-", "1h",
            "3h", "0s", "2026-11-23T16:00:01Z"},
           {"F", "resolution", 1, "breached", "4h", "2026-11-23T08:00:00Z", "-", "2026-11-23T12:00:00Z",
            "2026-11-23T12:00:00Z", "5h", "-1h", "0s", "-"},
           {"G", "resolution", 1, "paused", "4h", "2026-11-23T10:00:00Z", "-", "-", "-", "0s", "4h", "3h", "-"},
       }});
}

TEST(EngineScenario, ARecordWithNoMatchingGoalHasNoDue) {
  constexpr const char* policy = R"(duly: 1
targets:
  - name: resolution
    start_when: event == "created"
    stop_when: event == "resolved"
    pause_when: status == "hold"
    goals: [ { when: priority == "P1", within: 1h } ]
)";
  run({"no goal", policy,
       {
           {"A", "2026-11-23T10:00:00Z", "created", {{"priority", "P3"}}},
           {"B", "2026-11-23T10:00:00Z", "created", {{"priority", "P3"}}},
           {"B", "2026-11-23T11:00:00Z", "note", {{"status", "hold"}}},
           // C: a stop without a goal is met.
           {"C", "2026-11-23T10:00:00Z", "created", {{"priority", "P3"}}},
           {"C", "2026-11-23T11:00:00Z", "resolved"},
           // D: a goal appears: the whole cycle is measured on it.
           {"D", "2026-11-23T10:00:00Z", "created", {{"priority", "P3"}}},
           {"D", "2026-11-23T11:30:00Z", "note", {{"priority", "P1"}}},
           // E: the goal goes away.
           {"E", "2026-11-23T10:00:00Z", "created", {{"priority", "P1"}}},
           {"E", "2026-11-23T10:30:00Z", "note", {{"priority", "P3"}}},
           // F: the stop's own updates leave no goal: met, though 1h had passed under P1.
           {"F", "2026-11-23T10:00:00Z", "created", {{"priority", "P1"}}},
           {"F", "2026-11-23T11:30:00Z", "resolved", {{"priority", "P3"}}},
       },
       "2026-11-23T12:00:00Z",
       {
           {"A", "resolution", 1, "running", "-", "2026-11-23T10:00:00Z", "-", "-", "-", "-", "-", "0s", "-"},
           {"B", "resolution", 1, "paused", "-", "2026-11-23T10:00:00Z", "-", "-", "-", "-", "-", "1h", "-"},
           {"C", "resolution", 1, "met", "-", "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z", "-", "-", "-", "-",
            "0s", "-"},
           {"D", "resolution", 1, "breached", "1h", "2026-11-23T10:00:00Z", "-", "2026-11-23T11:00:00Z",
            "2026-11-23T11:00:00Z", "2h", "-1h", "0s", "-"},
           {"E", "resolution", 1, "running", "-", "2026-11-23T10:00:00Z", "-", "-", "-", "-", "-", "0s", "-"},
           {"F", "resolution", 1, "met", "-", "2026-11-23T10:00:00Z", "2026-11-23T11:30:00Z", "-", "-", "-", "-",
            "0s", "-"},
       }});
}

TEST(EngineScenario, EventsAfterAsOfAreIgnored) {
  const scenario s{"after as_of", basic_policy,
                   {
                       {"A", "2026-11-23T10:00:00Z", "created"},
                       {"A", "2026-11-23T13:00:00Z", "resolved"},
                       {"B", "2026-11-23T13:00:00Z", "created"},  // not reported at all
                       {"C", "2026-11-23T10:00:00Z", "created"},
                       {"C", "2026-11-23T12:00:01Z", "reopened"},
                       {"D", "2026-11-23T10:00:00Z", "created"},
                       {"D", "2026-11-23T12:00:00Z", "resolved"},  // at as_of: applied
                   },
                   "2026-11-23T12:00:00Z",
                   {
                       {"A", "resolution", 1, "running", "4h", "2026-11-23T10:00:00Z", "-", "2026-11-23T14:00:00Z",
                        "-", "2h", "2h", "0s", "2026-11-23T14:00:01Z"},
                       {"C", "resolution", 1, "running", "4h", "2026-11-23T10:00:00Z", "-", "2026-11-23T14:00:00Z",
                        "-", "2h", "2h", "0s", "2026-11-23T14:00:01Z"},
                       {"D", "resolution", 1, "met", "4h", "2026-11-23T10:00:00Z", "2026-11-23T12:00:00Z",
                        "2026-11-23T14:00:00Z", "-", "2h", "2h", "0s", "-"},
                   }};
  run(s);
  const auto p = compile(s.policy);
  const auto events = make_events(s.events);
  const auto r = duly::evaluate(p, events, at(s.as_of));
  EXPECT_EQ(r.events_applied, 4u);
  EXPECT_EQ(r.events_ignored, 3u);
  // The same events replayed at a later as_of see everything.
  const auto later = duly::evaluate(p, events, at("2026-11-23T13:00:00Z"));
  EXPECT_EQ(later.events_applied, 7u);
  EXPECT_EQ(later.events_ignored, 0u);
}

TEST(EngineScenario, AppliesWhenFalseLeavesTheTargetPending) {
  constexpr const char* policy = R"(duly: 1
targets:
  - name: first_response
    applies_when: channel != "internal"
    start_when: event == "created"
    stop_when: event == "replied"
    goals: [ { within: 1h } ]
)";
  run({"applies_when", policy,
       {
           {"A", "2026-11-23T10:00:00Z", "created", {{"channel", "internal"}}},
           // B: applies_when is checked when a cycle would start, not afterwards.
           {"B", "2026-11-23T10:00:00Z", "created", {{"channel", "internal"}}},
           {"B", "2026-11-23T10:30:00Z", "note", {{"channel", "email"}}},
           {"C", "2026-11-23T10:00:00Z", "created", {{"channel", "email"}}},
           {"C", "2026-11-23T10:30:00Z", "note", {{"channel", "internal"}}},
           // D: a missing attribute is null, and null != "internal".
           {"D", "2026-11-23T10:00:00Z", "created"},
           {"D", "2026-11-23T10:30:00Z", "replied"},
           // E: a later start that does apply.
           {"E", "2026-11-23T10:00:00Z", "created", {{"channel", "internal"}}},
           {"E", "2026-11-23T11:00:00Z", "created", {{"channel", "email"}}},
       },
       "2026-11-23T12:00:00Z",
       {
           {"A", "first_response", 0, "pending", "-", "-", "-", "-", "-", "-", "-", "-", "-"},
           {"B", "first_response", 0, "pending", "-", "-", "-", "-", "-", "-", "-", "-", "-"},
           {"C", "first_response", 1, "breached", "1h", "2026-11-23T10:00:00Z", "-", "2026-11-23T11:00:00Z",
            "2026-11-23T11:00:00Z", "2h", "-1h", "0s", "-"},
           {"D", "first_response", 1, "met", "1h", "2026-11-23T10:00:00Z", "2026-11-23T10:30:00Z",
            "2026-11-23T11:00:00Z", "-", "30m", "30m", "0s", "-"},
           {"E", "first_response", 1, "running", "1h", "2026-11-23T11:00:00Z", "-", "2026-11-23T12:00:00Z", "-",
            "1h", "0s", "0s", "2026-11-23T12:00:01Z"},
       }});
}

TEST(EngineScenario, TiesAtOneInstantApplyInInputOrder) {
  run({"ties", basic_policy,
       {
           // A: created then resolved at one instant: a cycle of zero length, met.
           {"A", "2026-11-23T10:00:00Z", "created"},
           {"A", "2026-11-23T10:00:00Z", "resolved"},
           // B: resolved then created: the clock runs.
           {"B", "2026-11-23T10:00:00Z", "resolved"},
           {"B", "2026-11-23T10:00:00Z", "created"},
           // C: hold and release at one instant: no pause.
           {"C", "2026-11-23T10:00:00Z", "created"},
           {"C", "2026-11-23T11:00:00Z", "note", {{"status", "hold"}}},
           {"C", "2026-11-23T11:00:00Z", "note", {{"status", "open"}}},
           // D: release and hold at one instant: paused from then on.
           {"D", "2026-11-23T10:00:00Z", "created"},
           {"D", "2026-11-23T11:00:00Z", "note", {{"status", "open"}}},
           {"D", "2026-11-23T11:00:00Z", "note", {{"status", "hold"}}},
           // E: input out of time order: `at` order wins.
           {"E", "2026-11-23T11:00:00Z", "resolved"},
           {"E", "2026-11-23T10:00:00Z", "created"},
           // F: explicit sequence numbers order a tie (created has the lower one).
           {"F", "2026-11-23T10:00:00Z", "resolved", {}, 101},
           {"F", "2026-11-23T10:00:00Z", "created", {}, 100},
       },
       "2026-11-23T12:00:00Z",
       {
           {"A", "resolution", 1, "met", "4h", "2026-11-23T10:00:00Z", "2026-11-23T10:00:00Z",
            "2026-11-23T14:00:00Z", "-", "0s", "4h", "0s", "-"},
           {"B", "resolution", 1, "running", "4h", "2026-11-23T10:00:00Z", "-", "2026-11-23T14:00:00Z", "-", "2h",
            "2h", "0s", "2026-11-23T14:00:01Z"},
           {"C", "resolution", 1, "running", "4h", "2026-11-23T10:00:00Z", "-", "2026-11-23T14:00:00Z", "-", "2h",
            "2h", "0s", "2026-11-23T14:00:01Z"},
           {"D", "resolution", 1, "paused", "4h", "2026-11-23T10:00:00Z", "-", "-", "-", "1h", "3h", "1h", "-"},
           {"E", "resolution", 1, "met", "4h", "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z",
            "2026-11-23T14:00:00Z", "-", "1h", "3h", "0s", "-"},
           {"F", "resolution", 1, "met", "4h", "2026-11-23T10:00:00Z", "2026-11-23T10:00:00Z",
            "2026-11-23T14:00:00Z", "-", "0s", "4h", "0s", "-"},
       }});
}

TEST(EngineScenario, TimezoneFromAKnownAndAnUnknownZone) {
  constexpr const char* policy = R"(duly: 1
calendars:
  office: { timezone: UTC, hours: { mon-fri: "09:00-17:00" } }
targets:
  - name: resolution
    start_when: event == "created"
    stop_when: event == "resolved"
    goals:
      - { within: 2h, calendar: office, timezone_from: customer_tz }
)";
  // Monday 2026-11-23. In New York (EST) the office opens at 14:00Z.
  run({"timezone_from", policy,
       {
           {"K", "2026-11-23T13:00:00Z", "created", {{"customer_tz", "America/New_York"}}},
           // Unknown, missing or non-text zone: the calendar's own zone (UTC).
           {"U", "2026-11-23T13:00:00Z", "created", {{"customer_tz", "Mars/Olympus"}}},
           {"M", "2026-11-23T13:00:00Z", "created"},
           {"N", "2026-11-23T13:00:00Z", "created", {{"customer_tz", 5.0}}},
           // Z: the zone changes mid-cycle to Tokyo (office 00:00Z-08:00Z): measured
           // again whole, nothing of 13:00Z-15:30Z is open there.
           {"Z", "2026-11-23T13:00:00Z", "created", {{"customer_tz", "America/New_York"}}},
           {"Z", "2026-11-23T14:30:00Z", "note", {{"customer_tz", "Asia/Tokyo"}}},
       },
       "2026-11-23T15:30:00Z",
       {
           {"K", "resolution", 1, "running", "2h", "2026-11-23T13:00:00Z", "-", "2026-11-23T16:00:00Z", "-",
            "1h30m", "30m", "0s", "2026-11-23T16:00:01Z"},
           {"M", "resolution", 1, "breached", "2h", "2026-11-23T13:00:00Z", "-", "2026-11-23T15:00:00Z",
            "2026-11-23T15:00:00Z", "2h30m", "-30m", "0s", "-"},
           {"N", "resolution", 1, "breached", "2h", "2026-11-23T13:00:00Z", "-", "2026-11-23T15:00:00Z",
            "2026-11-23T15:00:00Z", "2h30m", "-30m", "0s", "-"},
           {"U", "resolution", 1, "breached", "2h", "2026-11-23T13:00:00Z", "-", "2026-11-23T15:00:00Z",
            "2026-11-23T15:00:00Z", "2h30m", "-30m", "0s", "-"},
           {"Z", "resolution", 1, "running", "2h", "2026-11-23T13:00:00Z", "-", "2026-11-24T11:00:00+09:00", "-",
            "0s", "2h", "0s", "2026-11-24T11:00:01+09:00"},
       }});
}

TEST(EngineScenario, BusinessDayGoalWithAPause) {
  constexpr const char* policy = R"(duly: 1
calendars:
  office: { hours: { mon-fri: "09:00-17:00" } }
targets:
  - name: resolution
    start_when: event == "created"
    stop_when: event == "resolved"
    pause_when: status == "hold"
    goals: [ { within: 2bd, calendar: office } ]
)";
  // Monday 2026-11-23 to Thursday 2026-11-26, office hours 09:00-17:00 UTC.
  run({"business days", policy,
       {
           // A: 2bd from Monday 10:00 ends Wednesday 17:00: 7h + 8h + 8h = 23h.
           // On hold Monday 11:00 to Tuesday 11:00 (8h of open time lost).
           {"A", "2026-11-23T10:00:00Z", "created"},
           {"A", "2026-11-23T11:00:00Z", "note", {{"status", "hold"}}},
           {"A", "2026-11-24T11:00:00Z", "note", {{"status", "open"}}},
           // B: no pause: due is the business-day deadline itself.
           {"B", "2026-11-23T10:00:00Z", "created"},
           // C: created on a Saturday: the 2nd open day after it is Tuesday (16h).
           {"C", "2026-11-21T10:00:00Z", "created"},
           // D: created after hours on Monday: Wednesday 17:00 again (16h).
           {"D", "2026-11-23T18:00:00Z", "created"},
       },
       "2026-11-24T12:00:00Z",
       {
           {"A", "resolution", 1, "running", "23h", "2026-11-23T10:00:00Z", "-", "2026-11-26T17:00:00Z", "-", "2h",
            "21h", "24h", "2026-11-26T17:00:01Z"},
           {"B", "resolution", 1, "running", "23h", "2026-11-23T10:00:00Z", "-", "2026-11-25T17:00:00Z", "-", "10h",
            "13h", "0s", "2026-11-25T17:00:01Z"},
           {"C", "resolution", 1, "running", "16h", "2026-11-21T10:00:00Z", "-", "2026-11-24T17:00:00Z", "-", "11h",
            "5h", "0s", "2026-11-24T17:00:01Z"},
           {"D", "resolution", 1, "running", "16h", "2026-11-23T18:00:00Z", "-", "2026-11-25T17:00:00Z", "-", "3h",
            "13h", "0s", "2026-11-25T17:00:01Z"},
       }});
}

TEST(EngineScenario, BusinessDaysAreCountedInTheRecordsZone) {
  constexpr const char* policy = R"(duly: 1
calendars:
  office: { timezone: UTC, hours: { mon-fri: "09:00-17:00" } }
  ny: { timezone: America/New_York, hours: { mon-fri: "09:00-17:00" } }
targets:
  - name: resolution
    start_when: event == "created"
    goals:
      - { when: site == "ny", within: 1bd, calendar: ny }
      - { within: 1bd, calendar: office, timezone_from: tz }
)";
  // T: on UTC office hours 1bd from Monday 10:00Z is Tuesday 17:00Z (15h);
  // when the zone becomes Tokyo the goal is worked out again from the start,
  // Monday 19:00 JST: Tuesday 17:00 JST = 08:00Z, 8h of open time.
  run({"business days in the record's zone", policy,
       {
           {"T", "2026-11-23T10:00:00Z", "created", {{"tz", "UTC"}}},
           {"T", "2026-11-23T12:00:00Z", "note", {{"tz", "Asia/Tokyo"}}},
       },
       "2026-11-23T13:00:00Z",
       {{"T", "resolution", 1, "running", "8h", "2026-11-23T10:00:00Z", "-", "2026-11-24T08:00:00Z", "-", "0s", "8h",
         "0s", "2026-11-24T08:00:01Z"}}});
  // N: New York over the fall-back weekend: Friday 16:00 EDT + 1bd is Monday
  // 17:00 EST, 1h on Friday + 8h on Monday.
  run({"business days over fall back", policy,
       {{"N", "2026-10-30T16:00:00-04:00", "created", {{"site", "ny"}}}},
       "2026-11-02T10:00:00-05:00",
       {{"N", "resolution", 1, "running", "9h", "2026-10-30T20:00:00Z", "-", "2026-11-02T17:00:00-05:00", "-", "2h",
         "7h", "0s", "2026-11-02T17:00:01-05:00"}}});
}

TEST(EngineScenario, DaysAreTwentyFourHoursOfRunningTime) {
  constexpr const char* policy = R"(duly: 1
calendars:
  office: { hours: { mon-fri: "09:00-17:00" } }
targets:
  - name: resolution
    start_when: event == "created"
    goals: [ { within: 1d, calendar: office } ]
)";
  // 24h of office time from Monday 09:00 is three office days: Wednesday 17:00.
  run({"days", policy,
       {{"A", "2026-11-23T09:00:00Z", "created"}},
       "2026-11-23T12:00:00Z",
       {{"A", "resolution", 1, "running", "24h", "2026-11-23T09:00:00Z", "-", "2026-11-25T17:00:00Z", "-", "3h",
         "21h", "0s", "2026-11-25T17:00:01Z"}}});
}

TEST(EngineScenario, RowsComeByRecordIdThenTargetInPolicyOrder) {
  constexpr const char* policy = R"(duly: 1
targets:
  - name: first_response
    start_when: event == "created"
    stop_when: event == "replied"
    goals: [ { within: 1h } ]
  - name: resolution
    start_when: event == "created"
    stop_when: event == "resolved"
    goals: [ { within: 8h } ]
)";
  run({"order", policy,
       {
           {"T-9", "2026-11-23T10:00:00Z", "created"},
           {"T-10", "2026-11-23T10:00:00Z", "note"},
           {"A", "2026-11-23T10:30:00Z", "created"},
           {"T-9", "2026-11-23T10:15:00Z", "replied"},
       },
       "2026-11-23T11:00:00Z",
       {
           {"A", "first_response", 1, "running", "1h", "2026-11-23T10:30:00Z", "-", "2026-11-23T11:30:00Z", "-",
            "30m", "30m", "0s", "2026-11-23T11:30:01Z"},
           {"A", "resolution", 1, "running", "8h", "2026-11-23T10:30:00Z", "-", "2026-11-23T18:30:00Z", "-", "30m",
            "7h30m", "0s", "2026-11-23T18:30:01Z"},
           // Ids compare as text: "T-10" < "T-9".
           {"T-10", "first_response", 0, "pending", "-", "-", "-", "-", "-", "-", "-", "-", "-"},
           {"T-10", "resolution", 0, "pending", "-", "-", "-", "-", "-", "-", "-", "-", "-"},
           {"T-9", "first_response", 1, "met", "1h", "2026-11-23T10:00:00Z", "2026-11-23T10:15:00Z",
            "2026-11-23T11:00:00Z", "-", "15m", "45m", "0s", "-"},
           {"T-9", "resolution", 1, "running", "8h", "2026-11-23T10:00:00Z", "-", "2026-11-23T18:00:00Z", "-", "1h",
            "7h", "0s", "2026-11-23T18:00:01Z"},
       }});
}

TEST(EngineScenario, TheEvaluatorAnswersForAnyAsOf) {
  // One evaluator, asked at several moments, equals the batch call each time.
  const auto p = compile(basic_policy);
  const auto events = make_events({
      {"A", "2026-11-23T10:00:00Z", "created"},
      {"A", "2026-11-23T11:00:00Z", "note", {{"status", "hold"}}},
      {"A", "2026-11-23T12:00:00Z", "note", {{"status", "open"}}},
      {"A", "2026-11-23T13:00:00Z", "reopened"},
      {"A", "2026-11-23T16:00:00Z", "resolved"},
  });
  duly::evaluator inc(p);
  for (const auto& e : events) inc.add(e);
  for (const char* t : {"2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z", "2026-11-23T11:30:00Z",
                        "2026-11-23T13:00:00Z", "2026-11-23T15:00:00Z", "2026-11-23T17:00:00Z",
                        "2026-11-23T18:00:00Z"}) {
    SCOPED_TRACE(t);
    EXPECT_EQ(show(from_engine(inc.results(at(t)))), show(from_engine(duly::evaluate(p, events, at(t)))));
  }
  // At 11:30, paused half an hour.
  EXPECT_EQ(show(from_engine(inc.results(at("2026-11-23T11:30:00Z")))),
            show({canonical({"A", "resolution", 1, "paused", "4h", "2026-11-23T10:00:00Z", "-", "-", "-", "1h",
                              "3h", "30m", "-"})}));
}

// --- policy errors ----------------------------------------------------------
//
// Error text is part of the contract: every message is asserted whole, as
// "file:line:column: path: message", and for conditions also rendered with the
// source line and a caret under the offending character.

// The whole message of a policy that must not compile.
std::string policy_error(std::string_view text, std::string_view name = "policy.yaml") {
  const auto p = duly::parse_policy(text, name);
  if (p) return "(compiled)";
  return p.error().message();
}

// The message rendered with source lines and carets.
std::string policy_render(std::string_view text, std::string_view name = "policy.yaml") {
  const auto p = duly::parse_policy(text, name);
  if (p) return "(compiled)";
  return p.error().render();
}

TEST(EnginePolicyErrors, UnknownKeyNamesItsPathAndTheKeysExpected) {
  EXPECT_EQ(policy_render(R"(duly: 1
targets:
  - name: a
    start_when: event == "created"
    colour: red
    goals: [{within: 4h}]
)"),
            "policy.yaml:5:5: targets[0].colour: unknown key (expected name, labels, applies_when, start_when, "
            "stop_when, pause_when, reset_when, cancel_when, at_risk_when, start_at, goals)\n"
            "    colour: red\n"
            "    ^");
  // At the top, in a goal and in a calendar, all reported at once, in
  // document order.
  EXPECT_EQ(policy_error(R"(duly: 1
target:
  - name: a
targets:
  - name: a
    start_when: event == "created"
    goals:
      - { within: 4h, calender: office }
calendars:
  office: { hours: { mon-fri: "09:00-17:00" }, holiday: [] }
)"),
            "policy.yaml:2:1: target: unknown key (expected duly, attributes, calendars, targets, escalations)\n"
            "policy.yaml:8:23: targets[0].goals[0].calender: unknown key (expected when, within, calendar, "
            "timezone_from, calendar_from, within_from, due_from)\n"
            "policy.yaml:10:48: calendars.office.holiday: unknown key (expected timezone, hours, holidays, "
            "exceptions, versions)");
  // In an escalation and its repeat.
  EXPECT_EQ(policy_error(R"(duly: 1
targets:
  - name: a
    start_when: event == "created"
    goals: [{within: 4h}]
escalations:
  - name: lead
    target: a
    at: due
    notify: [lead]
    repeat: { every: 1h, times: 2, until: 5h }
)"),
            "policy.yaml:10:5: escalations[0].notify: unknown key (expected name, target, at, when, raise_when, repeat, do, "
            "deliver_in)\n"
            "policy.yaml:11:36: escalations[0].repeat.until: unknown key (expected every, times)");
}

TEST(EnginePolicyErrors, AKeyGivenTwice) {
  EXPECT_EQ(policy_render(R"(duly: 1
calendars:
  office: { hours: { mon-fri: "09:00-17:00" } }
  office: { hours: { mon-fri: "08:00-16:00" } }
targets:
  - name: a
    start_when: event == "created"
    start_when: event == "opened"
    goals: [ { within: 4h } ]
)"),
            "policy.yaml:4:3: calendars.office: key 'office' is given twice\n"
            "  office: { hours: { mon-fri: \"08:00-16:00\" } }\n"
            "  ^\n"
            "policy.yaml:8:5: targets[0].start_when: key 'start_when' is given twice\n"
            "    start_when: event == \"opened\"\n"
            "    ^");
}

TEST(EnginePolicyErrors, UnknownCalendarListsTheDefinedOnes) {
  EXPECT_EQ(policy_render(R"(duly: 1
calendars:
  office: { hours: { mon-fri: "09:00-17:00" } }
  weekend: { hours: { sat-sun: "10:00-14:00" } }
targets:
  - name: a
    start_when: event == "created"
    goals:
      - { within: 4h, calendar: offfice }
)"),
            "policy.yaml:9:33: targets[0].goals[0].calendar: unknown calendar 'offfice' (defined: office, weekend); "
            "did you mean 'office'?\n"
            "      - { within: 4h, calendar: offfice }\n"
            "                                ^");
  EXPECT_EQ(policy_error(R"(duly: 1
targets:
  - name: a
    start_when: event == "created"
    goals: [ { within: 3bd, calendar: office } ]
)"),
            "policy.yaml:5:39: targets[0].goals[0].calendar: unknown calendar 'office' (the policy defines no "
            "calendars)");
  // A calendar that fails to load is reported where it is defined.
  EXPECT_EQ(policy_error(R"(duly: 1
calendars:
  office: { timezone: Mars/Olympus }
targets:
  - name: a
    start_when: event == "created"
    goals: [ { within: 4h } ]
)"),
            "policy.yaml:3:23: calendars.office.timezone: unknown time zone 'Mars/Olympus': not in the system tz "
            "database (/usr/share/zoneinfo)");
}

TEST(EnginePolicyErrors, BadDurations) {
  EXPECT_EQ(policy_render(R"(duly: 1
targets:
  - name: a
    start_when: event == "created"
    goals:
      - { when: priority == "P1", within: 1h }
      - { within: 4hours }
)"),
            "policy.yaml:7:19: targets[0].goals[1].within: invalid duration '4hours': expected a number and a unit: "
            "45s, 30m, 4h, 1h30m, 2d, business days such as 3bd, or calendar days such as 30cd\n"
            "      - { within: 4hours }\n"
            "                  ^");
  EXPECT_EQ(policy_error(R"(duly: 1
targets:
  - name: a
    start_when: event == "created"
    goals: [ { within: -4h }, { within: "4 h" } ]
)"),
            "policy.yaml:5:24: targets[0].goals[0].within: invalid duration '-4h': a duration cannot be negative\n"
            "policy.yaml:5:41: targets[0].goals[1].within: invalid duration '4 h': unknown unit ' ' (s, m, h, d, bd or "
            "cd)");
  EXPECT_EQ(policy_error(R"(duly: 1
targets:
  - name: a
    start_when: event == "created"
    goals: [ { when: priority == "P1" } ]
)"),
            "policy.yaml:5:14: targets[0].goals[0].within: missing: how long, e.g. within: 4h or within: 3bd");
}

TEST(EnginePolicyErrors, BadConditionCaretInsideADoubleQuotedYamlScalar) {
  // The condition is `priority == 'P1' and and tier == "gold"`; the second
  // `and` is at column 22 of the condition, column 39 of the line.
  EXPECT_EQ(policy_render(R"(duly: 1
targets:
  - name: a
    start_when: "priority == 'P1' and and tier == \"gold\""
    goals: [ { within: 4h } ]
)"),
            "policy.yaml:4:39: targets[0].start_when: expected a value, got 'and'\n"
            R"(    start_when: "priority == 'P1' and and tier == \"gold\"")"
            "\n"
            "                                      ^");
  // After escaped quotes: the caret goes past the two backslashes, to the
  // closing quote where a condition was expected.
  EXPECT_EQ(policy_render(R"(duly: 1
targets:
  - name: a
    start_when: event == "created"
    goals:
      - { when: "priority == \"P1\" and", within: 1h }
)"),
            "policy.yaml:6:40: targets[0].goals[0].when: expected a condition after 'and'\n"
            R"(      - { when: "priority == \"P1\" and", within: 1h })"
            "\n"
            "                                       ^");
}

TEST(EnginePolicyErrors, BadConditionCaretInsideAJsonStringWithEscapedQuotes) {
  // `event == "created" and tier === "gold"`: the third `=` is column 31 of the
  // condition; two escaped quotes before it move it to column 64 of the line.
  EXPECT_EQ(policy_render(R"({"duly": 1, "targets": [
  {"name": "a", "start_when": "event == \"created\" and tier === \"gold\"", "goals": [{"within": "4h"}]}
]})",
                          "policy.json"),
            "policy.json:2:64: targets[0].start_when: '=' is not an operator: write '==' to compare\n"
            R"(  {"name": "a", "start_when": "event == \"created\" and tier === \"gold\"", "goals": [{"within": "4h"}]})"
            "\n"
            "                                                               ^");
  EXPECT_EQ(
      policy_error(
          R"({"duly": 1, "targets": [{"name": "a", "start_when": "tier == \"gold\" or", "goals": [{"within": "4h"}]}]})",
          "policy.json"),
      "policy.json:1:73: targets[0].start_when: expected a condition after 'or'");
}

TEST(EnginePolicyErrors, BadConditionInOtherScalarStyles) {
  // Plain and single-quoted ('' is one quote) scalars map columns too; a
  // condition over several lines names its own column instead.
  EXPECT_EQ(policy_render(R"(duly: 1
targets:
  - name: a
    start_when: event = "created"
    stop_when: 'priority == ''P1'' and and x'
    pause_when: |
      status == "hold"
        and or
    goals: [ { within: 4h } ]
)"),
            "policy.yaml:4:23: targets[0].start_when: '=' is not an operator: write '==' to compare\n"
            "    start_when: event = \"created\"\n"
            "                      ^\n"
            "policy.yaml:5:40: targets[0].stop_when: expected a value, got 'and'\n"
            "    stop_when: 'priority == ''P1'' and and x'\n"
            "                                       ^\n"
            "policy.yaml:6:17: targets[0].pause_when: expected a value, got 'or' (column 24 of the condition)\n"
            "    pause_when: |\n"
            "                ^");
}

TEST(EnginePolicyErrors, MissingStartWhen) {
  EXPECT_EQ(policy_render(R"(duly: 1
targets:
  - name: a
    start_when: event == "created"
    goals: [ { within: 4h } ]
  - name: b
    stop_when: event == "closed"
    goals: [ { within: 4h } ]
)"),
            "policy.yaml:6:5: targets[1].start_when: missing: when does the clock start? e.g. start_when: event == "
            "\"created\"\n"
            "  - name: b\n"
            "    ^");
}

TEST(EnginePolicyErrors, DuplicateTarget) {
  EXPECT_EQ(policy_render(R"(duly: 1
targets:
  - name: a
    start_when: event == "created"
    goals: [ { within: 4h } ]
  - name: a
    start_when: event == "created"
    goals: [ { within: 8h } ]
)"),
            "policy.yaml:6:11: targets[1].name: target 'a' is defined twice\n"
            "  - name: a\n"
            "          ^");
}

TEST(EnginePolicyErrors, UnknownEscalationTarget) {
  EXPECT_EQ(policy_render(R"(duly: 1
targets:
  - name: a
    start_when: event == "created"
    goals: [ { within: 4h } ]
escalations:
  - name: lead
    target: resolution
    at: 75%
)"),
            "policy.yaml:8:13: escalations[0].target: unknown target 'resolution' (defined: a)\n"
            "    target: resolution\n"
            "            ^");
}

TEST(EnginePolicyErrors, BadEscalationAt) {
  EXPECT_EQ(policy_error(R"(duly: 1
targets:
  - name: a
    start_when: event == "created"
    goals: [ { within: 4h } ]
escalations:
  - { name: e1, target: a, at: due * 2 }
  - { name: e2, target: a, at: due + 3bd }
  - { name: e3, target: a, at: 75 percent }
  - { name: e4, target: a, at: start }
  - { name: e5, target: a, at: "" }
  - { name: e6, target: a, at: due+1x }
  - { name: e7, target: a }
)"),
            "policy.yaml:7:32: escalations[0].at: invalid point 'due * 2': expected P% (e.g. 75%), due, due + D, due "
            "- D, start + D, at_risk or manual\n"
            "policy.yaml:8:32: escalations[1].at: invalid point 'due + 3bd': business days cannot offset a point; "
            "use hours\n"
            "policy.yaml:9:32: escalations[2].at: invalid point '75 percent': expected P% (e.g. 75%), due, due + D, "
            "due - D, start + D, at_risk or manual\n"
            "policy.yaml:10:32: escalations[3].at: invalid point 'start': expected P% (e.g. 75%), due, due + D, due "
            "- D, start + D, at_risk or manual\n"
            "policy.yaml:11:32: escalations[4].at: invalid point '': expected P% (e.g. 75%), due, due + D, due - D, "
            "start + D, at_risk or manual\n"
            "policy.yaml:12:32: escalations[5].at: invalid point 'due+1x': invalid duration '1x': unknown unit 'x' (s, m, h, d, bd or cd)\n"
            "policy.yaml:13:5: escalations[6].at: missing: when does it fire? e.g. at: 75%, due, due + 2h, start + "
            "30m, at_risk, manual");
}

TEST(EnginePolicyErrors, EveryProblemIsReportedAtOnce) {
  const auto p = duly::parse_policy(R"(duly: 2
targets:
  - name: a
    start_when: event == "created" and
    goals: [ { within: 4x, calendar: nope } ]
escalations:
  - { name: e, target: b, at: due }
)",
                                    "policy.yaml");
  ASSERT_FALSE(p.has_value());
  // The error's code is its first diagnostic's.
  EXPECT_EQ(p.error().code(), duly::errc::invalid_argument);
  EXPECT_EQ(p.error().message(),
            "policy.yaml:1:7: duly: unsupported schema version 2 (this duly reads version 1)\n"
            "policy.yaml:4:39: targets[0].start_when: expected a condition after 'and'\n"
            "policy.yaml:5:24: targets[0].goals[0].within: invalid duration '4x': unknown unit 'x' (s, m, h, d, bd or "
            "cd)\n"
            "policy.yaml:5:38: targets[0].goals[0].calendar: unknown calendar 'nope' (the policy defines no "
            "calendars)\n"
            "policy.yaml:7:24: escalations[0].target: unknown target 'b' (defined: a)");
  ASSERT_EQ(p.error().diagnostics().size(), 5u);
  const auto& d = p.error().diagnostics()[1];
  EXPECT_EQ(d.code, duly::errc::parse_error);
  EXPECT_EQ(d.file, "policy.yaml");
  EXPECT_EQ(d.line, 4);
  EXPECT_EQ(d.column, 39);
  EXPECT_EQ(d.path, "targets[0].start_when");
  EXPECT_EQ(d.source_line, R"(    start_when: event == "created" and)");
}

TEST(EnginePolicyErrors, ATargetWithoutGoalsOrAPolicyWithoutTargets) {
  EXPECT_EQ(policy_error("duly: 1\ntargets: []\n"),
            "policy.yaml:2:10: targets: a policy needs at least one target");
  EXPECT_EQ(policy_error("duly: 1\n"), "policy.yaml: targets: missing: a policy needs at least one target");
  EXPECT_EQ(policy_error("duly: 1\ntargets:\n  - name: a\n    start_when: event == \"created\"\n"),
            "policy.yaml:3:5: targets[0].goals: missing: give at least one goal, e.g. goals: [{within: 4h}]");
}

}  // namespace
