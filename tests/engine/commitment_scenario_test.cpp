// Guards per-record commitments: goals that take their calendar
// (`calendar_from`), their length (`within_from`) or a dated promise
// (`due_from`) from the record, and the calendar-days unit (`30cd`). Each case
// is worked out by hand; every scenario runs through the batch call and the
// incremental evaluator, which must agree.
#include <duly/duly.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "scenario_events.hpp"

namespace {

using duly::instant;
using duly_test::ev;

instant at(std::string_view text) {
  const auto t = duly::parse_instant(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t ? *t : instant{};
}

std::string show(const std::optional<instant>& t) { return t ? duly::format_instant(*t) : "-"; }
std::string show(const std::optional<duly::seconds>& s) { return s ? std::to_string(s->count()) : "-"; }

duly::policy load(std::string_view text) {
  auto p = duly::parse_policy(text, "policy.yaml");
  EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().message());
  return std::move(*p);
}

// The timer rows at as_of as "target cycle state goal goal_seconds due
// breached_at elapsed zone" lines, checked equal between the batch call and
// the incremental evaluator.
std::vector<std::string> rows(const duly::policy& p, const std::vector<ev>& list, std::string_view as_of) {
  const auto events = duly_test::make_events(list, &at);
  const auto batch = duly::evaluate(p, events, at(as_of));
  duly::evaluator inc(p);
  for (const auto& e : events) inc.add(e);
  const auto step = inc.results(at(as_of));
  std::vector<std::string> out, again;
  for (const auto* ev_rows : {&batch.timers, &step.timers}) {
    auto& o = ev_rows == &batch.timers ? out : again;
    for (const auto& t : *ev_rows)
      o.push_back(t.target + " " + std::to_string(t.cycle) + " " + std::string(duly::to_string(t.state)) + " " +
                  (t.goal_text.empty() ? "-" : t.goal_text) + " " + show(t.goal_seconds) + " " + show(t.due) + " " +
                  show(t.breached_at) + " " + show(t.elapsed_seconds) + " " + t.zone.value_or("-"));
  }
  EXPECT_EQ(out, again) << "batch and incremental differ";
  return out;
}

constexpr const char* contracts = R"(
calendars:
  acme: {timezone: America/New_York, hours: {mon-fri: "09:00-17:00"}}
  globex: {timezone: Europe/Berlin, hours: {mon-fri: "08:00-16:00"}}
  support: {timezone: UTC, hours: {mon-fri: "09:00-17:00"}}
targets:
  - name: response
    start_when: event == "created"
    stop_when: event == "replied"
    pause_when: status == "waiting"
    reset_when: event == "reopened"
    goals:
      - {when: promised != null, due_from: promised, calendar_from: customer_calendar, calendar: support}
      - {when: tier == "contract", within_from: contract_hours, calendar_from: customer_calendar, calendar: support}
      - {within: 4h, calendar_from: customer_calendar, calendar: support}
)";

TEST(CalendarFrom, TheRecordNamesItsCalendarAndUnknownNamesFallBack) {
  const auto p = load(contracts);
  // Monday 23 November 2026. ACME: 09:00 New York = 14:00Z, 4 open hours → 18:00Z.
  EXPECT_EQ(rows(p, {{"A", "2026-11-23T14:00:00Z", "created", {{"customer_calendar", std::string("acme")}}}},
                 "2026-11-23T15:00:00Z"),
            (std::vector<std::string>{
                "response 1 running 4h 14400 2026-11-23T18:00:00Z - 3600 America/New_York"}));
  // Globex (Berlin, 08:00-16:00 CET = 07:00-15:00Z): from 14:00Z 1 h that day, 3 h Tuesday → 10:00Z.
  EXPECT_EQ(rows(p, {{"G", "2026-11-23T14:00:00Z", "created", {{"customer_calendar", std::string("globex")}}}},
                 "2026-11-23T15:00:00Z"),
            (std::vector<std::string>{"response 1 running 4h 14400 2026-11-24T10:00:00Z - 3600 Europe/Berlin"}));
  // A name the policy does not define, a number and null: the goal's calendar
  // (support, UTC 09-17): 3 h Monday, 1 h Tuesday.
  for (const duly_test::attr& bad : {duly_test::attr(std::string("initech")), duly_test::attr(7.0),
                                     duly_test::attr(nullptr)}) {
    EXPECT_EQ(rows(p, {{"U", "2026-11-23T14:00:00Z", "created", {{"customer_calendar", bad}}}}, "2026-11-23T15:00:00Z"),
              (std::vector<std::string>{"response 1 running 4h 14400 2026-11-24T10:00:00Z - 3600 UTC"}));
  }
  // A change of calendar measures the whole cycle again on the new one.
  EXPECT_EQ(rows(p,
                 {{"C", "2026-11-23T14:00:00Z", "created", {{"customer_calendar", std::string("acme")}}},
                  {"C", "2026-11-23T16:00:00Z", "moved", {{"customer_calendar", std::string("globex")}}}},
                 "2026-11-23T16:00:00Z"),
            (std::vector<std::string>{"response 1 running 4h 14400 2026-11-24T10:00:00Z - 3600 Europe/Berlin"}));
}

TEST(WithinFrom, TextOrSecondsFromTheRecordAndUnreadableFallsBack) {
  const auto p = load(contracts);
  const auto one = [&](duly_test::attr hours) {
    return rows(p,
                {{"W", "2026-11-23T10:00:00Z", "created",
                  {{"tier", std::string("contract")}, {"contract_hours", hours}}}},
                "2026-11-23T11:00:00Z");
  };
  EXPECT_EQ(one(std::string("2h")), (std::vector<std::string>{"response 1 running 2h 7200 2026-11-23T12:00:00Z - 3600 UTC"}));
  EXPECT_EQ(one(5400.0), (std::vector<std::string>{"response 1 running 1h30m 5400 2026-11-23T11:30:00Z - 3600 UTC"}));
  // 1bd on support: the close of Tuesday, 17:00Z; goal = 7 h Monday + 8 h Tuesday.
  EXPECT_EQ(one(std::string("1bd")), (std::vector<std::string>{"response 1 running 1bd 54000 2026-11-24T17:00:00Z - 3600 UTC"}));
  // Unreadable (text, negative, bool, NaN-free junk): the goal has no `within`, so
  // it does not hold and the next goal (4h) governs.
  for (const duly_test::attr& bad : {duly_test::attr(std::string("soon")), duly_test::attr(-5.0),
                                     duly_test::attr(true), duly_test::attr(nullptr)}) {
    EXPECT_EQ(one(bad), (std::vector<std::string>{"response 1 running 4h 14400 2026-11-23T14:00:00Z - 3600 UTC"}));
  }
}

TEST(WithinFrom, FallsBackToWithinWhenGiven) {
  const auto p = load(R"(
targets:
  - name: t
    start_when: event == "created"
    goals:
      - {within_from: sla, within: 8h}
)");
  EXPECT_EQ(rows(p, {{"X", "2026-11-23T10:00:00Z", "created", {{"sla", std::string("x")}}}}, "2026-11-23T11:00:00Z"),
            (std::vector<std::string>{"t 1 running 8h 28800 2026-11-23T18:00:00Z - 3600 UTC"}));
  EXPECT_EQ(rows(p, {{"X", "2026-11-23T10:00:00Z", "created", {{"sla", std::string("30m")}}}}, "2026-11-23T11:00:00Z"),
            (std::vector<std::string>{"t 1 breached 30m 1800 2026-11-23T10:30:00Z 2026-11-23T10:30:00Z 3600 UTC"}));
}

TEST(WithinFrom, AGoalChangeToAFixedGoalMeasuresTheCycleAgain) {
  const auto p = load(contracts);
  // Contract 2h from 10:00Z; at 11:00 the tier changes: the fixed 4h goal
  // governs the whole cycle, due 14:00Z.
  EXPECT_EQ(rows(p,
                 {{"W", "2026-11-23T10:00:00Z", "created",
                   {{"tier", std::string("contract")}, {"contract_hours", std::string("2h")}}},
                  {"W", "2026-11-23T11:00:00Z", "reclassified", {{"tier", std::string("basic")}}}},
                 "2026-11-23T13:00:00Z"),
            (std::vector<std::string>{"response 1 running 4h 14400 2026-11-23T14:00:00Z - 10800 UTC"}));
  // The other way: past the contract's 2 h when it applies: breached at once, at 12:00Z.
  EXPECT_EQ(rows(p,
                 {{"W", "2026-11-23T10:00:00Z", "created", {{"contract_hours", std::string("2h")}}},
                  {"W", "2026-11-23T13:00:00Z", "reclassified", {{"tier", std::string("contract")}}}},
                 "2026-11-23T13:30:00Z"),
            (std::vector<std::string>{
                "response 1 breached 2h 7200 2026-11-23T12:00:00Z 2026-11-23T12:00:00Z 12600 UTC"}));
}

TEST(GoalChoice, IsOpenInAWhenIsJudgedOnEveryEvent) {
  // The engine chooses a goal again only after an event that changed an
  // attribute the choice reads, except when a goal's `when` reads is_open(),
  // which can change with the event's instant alone.
  const auto p = load(R"(
calendars:
  office: {timezone: UTC, hours: {mon-fri: "09:00-17:00"}}
targets:
  - name: response
    start_when: event == "created"
    goals:
      - {when: is_open("office"), within: 1h}
      - {when: tier == "gold", within: 3h}
      - {within: 4h}
)");
  // Created on a Monday before opening (4h), then an event in office hours that
  // changes nothing: the 1h goal governs the cycle, breached at 09:00.
  EXPECT_EQ(rows(p,
                 {{"G", "2026-11-23T08:00:00Z", "created", {{"tier", std::string("basic")}}},
                  {"G", "2026-11-23T09:30:00Z", "noted", {{"tier", std::string("basic")}}}},
                 "2026-11-23T09:45:00Z"),
            (std::vector<std::string>{
                "response 1 breached 1h 3600 2026-11-23T09:00:00Z 2026-11-23T09:00:00Z 6300 UTC"}));
  EXPECT_EQ(rows(p, {{"G", "2026-11-23T08:00:00Z", "created"}}, "2026-11-23T09:45:00Z"),
            (std::vector<std::string>{"response 1 running 4h 14400 2026-11-23T12:00:00Z - 6300 UTC"}));
}

TEST(GoalChoice, AChangedAttributeChoosesAgainAndLaterEventsKeepTheChoice) {
  const auto p = load(R"(
targets:
  - name: response
    start_when: event == "created"
    goals:
      - {when: tier == "gold", within: 3h}
      - {when: 'has_any(tags, ["vip"])', within: 2h}
      - {within: 4h}
)");
  // Set to gold by one event and left alone after: 3h from then on; set back: 4h.
  EXPECT_EQ(rows(p,
                 {{"G", "2026-11-23T10:00:00Z", "created"},
                  {"G", "2026-11-23T10:20:00Z", "upgraded", {{"tier", std::string("gold")}}},
                  {"G", "2026-11-23T10:40:00Z", "noted"},
                  {"G", "2026-11-23T10:41:00Z", "noted", {{"tier", std::string("gold")}}}},
                 "2026-11-23T10:45:00Z"),
            (std::vector<std::string>{"response 1 running 3h 10800 2026-11-23T13:00:00Z - 2700 UTC"}));
  EXPECT_EQ(rows(p,
                 {{"G", "2026-11-23T10:00:00Z", "created", {{"tier", std::string("gold")}}},
                  {"G", "2026-11-23T10:20:00Z", "noted"},
                  {"G", "2026-11-23T10:40:00Z", "downgraded", {{"tier", std::string("basic")}}},
                  {"G", "2026-11-23T10:42:00Z", "noted"}},
                 "2026-11-23T10:45:00Z"),
            (std::vector<std::string>{"response 1 running 4h 14400 2026-11-23T14:00:00Z - 2700 UTC"}));
}

TEST(DueFrom, ADatedPromiseIsTheDueAndItsGoalIsTheOpenTimeToIt) {
  const auto p = load(contracts);
  // Promised Tuesday 12:00Z, created Monday 15:00Z on support: 2 h Monday + 3 h Tuesday.
  EXPECT_EQ(rows(p,
                 {{"D", "2026-11-23T15:00:00Z", "created", {{"promised", std::string("2026-11-24T12:00:00Z")}}}},
                 "2026-11-23T16:00:00Z"),
            (std::vector<std::string>{
                "response 1 running by 2026-11-24T12:00:00Z 18000 2026-11-24T12:00:00Z - 3600 UTC"}));
}

TEST(DueFrom, APauseDoesNotMoveIt) {
  const auto p = load(contracts);
  // Paused 16:00-Tuesday 10:00Z: the due stays at the promise; elapsed is 1 h
  // Monday + 1 h Tuesday (10-11) at 11:00Z.
  EXPECT_EQ(rows(p,
                 {{"D", "2026-11-23T15:00:00Z", "created", {{"promised", std::string("2026-11-24T12:00:00Z")}}},
                  {"D", "2026-11-23T16:00:00Z", "wait", {{"status", std::string("waiting")}}},
                  {"D", "2026-11-24T10:00:00Z", "back", {{"status", std::string("open")}}}},
                 "2026-11-24T11:00:00Z"),
            (std::vector<std::string>{
                "response 1 running by 2026-11-24T12:00:00Z 18000 2026-11-24T12:00:00Z - 7200 UTC"}));
  // Still paused when the promise passes: breached all the same.
  EXPECT_EQ(rows(p,
                 {{"D", "2026-11-23T15:00:00Z", "created", {{"promised", std::string("2026-11-24T12:00:00Z")}}},
                  {"D", "2026-11-23T16:00:00Z", "wait", {{"status", std::string("waiting")}}}},
                 "2026-11-24T13:00:00Z"),
            (std::vector<std::string>{"response 1 breached by 2026-11-24T12:00:00Z 18000 2026-11-24T12:00:00Z "
                                      "2026-11-24T12:00:00Z 3600 UTC"}));
}

TEST(DueFrom, APromiseBeforeTheStartIsBreachedAtOnceWithAZeroGoal) {
  const auto p = load(contracts);
  EXPECT_EQ(rows(p,
                 {{"D", "2026-11-23T15:00:00Z", "created", {{"promised", std::string("2026-11-20T12:00:00Z")}}},
                  {"D", "2026-11-23T16:00:00Z", "replied"}},
                 "2026-11-23T17:00:00Z"),
            (std::vector<std::string>{"response 1 breached by 2026-11-20T12:00:00Z 0 2026-11-20T12:00:00Z "
                                      "2026-11-20T12:00:00Z 3600 UTC"}));
}

TEST(DueFrom, NotAnInstantFallsBackToTheNextGoal) {
  const auto p = load(contracts);
  for (const duly_test::attr& bad : {duly_test::attr(std::string("next week")), duly_test::attr(1764000000.0),
                                     duly_test::attr(std::string("2026-11-24T12:00:00")),
                                     duly_test::attr(std::string("2300-01-01T00:00:00Z"))}) {
    EXPECT_EQ(rows(p, {{"D", "2026-11-23T10:00:00Z", "created", {{"promised", bad}}}}, "2026-11-23T11:00:00Z"),
              (std::vector<std::string>{"response 1 running 4h 14400 2026-11-23T14:00:00Z - 3600 UTC"}));
  }
}

TEST(DueFrom, AResetReadsThePromiseAgainForTheNewCycle) {
  const auto p = load(contracts);
  // The ending cycle's goal is chosen after the ending event's updates (as for
  // any goal), so both cycles read the new promise.
  EXPECT_EQ(rows(p,
                 {{"D", "2026-11-23T10:00:00Z", "created", {{"promised", std::string("2026-11-23T12:00:00Z")}}},
                  {"D", "2026-11-23T11:00:00Z", "reopened", {{"promised", std::string("2026-11-23T16:00:00Z")}}}},
                 "2026-11-23T13:00:00Z"),
            (std::vector<std::string>{
                "response 1 reset by 2026-11-23T16:00:00Z 21600 2026-11-23T16:00:00Z - 3600 UTC",
                "response 2 running by 2026-11-23T16:00:00Z 18000 2026-11-23T16:00:00Z - 7200 UTC"}));
}

TEST(DueFrom, EscalationPointsAreReadOnThatGoal) {
  const auto p = load(R"(
targets:
  - name: delivery
    start_when: event == "ordered"
    stop_when: event == "delivered"
    goals:
      - {due_from: promised_at}
escalations:
  - {name: half, target: delivery, at: 50%, do: [{notify: [ops]}]}
  - {name: late, target: delivery, at: due, do: [{notify: [ops]}]}
)");
  const auto events = duly_test::make_events(
      {{"O", "2026-11-23T10:00:00Z", "ordered", {{"promised_at", std::string("2026-11-25T10:00:00Z")}}}}, &at);
  const auto e = duly::evaluate(p, events, at("2026-11-26T00:00:00Z"));
  ASSERT_EQ(e.escalations.size(), 2u);
  EXPECT_EQ(e.escalations[0].escalation, "half");
  EXPECT_EQ(duly::format_instant(e.escalations[0].fired_at), "2026-11-24T10:00:00Z");
  EXPECT_EQ(e.escalations[1].escalation, "late");
  EXPECT_EQ(duly::format_instant(e.escalations[1].fired_at), "2026-11-25T10:00:00Z");
}

TEST(CalendarDays, NetThirtyKeepsTheTimeOfDayAcrossTheClockChange) {
  const auto p = load(R"(
calendars:
  billing: {timezone: America/Chicago}
targets:
  - name: payment
    start_when: event == "invoiced"
    goals:
      - {within: 30cd, calendar: billing}
)");
  // Friday 12 February 2027 10:00 CST → Sunday 14 March 10:00 CDT (15:00Z): one hour short of 720 h.
  EXPECT_EQ(rows(p, {{"I", "2027-02-12T10:00:00-06:00", "invoiced"}}, "2027-02-13T16:00:00Z"),
            (std::vector<std::string>{"payment 1 running 30cd 2588400 2027-03-14T15:00:00Z - 86400 America/Chicago"}));
}

TEST(Explain, SaysWhichAttributeDecided) {
  const auto p = load(contracts);
  const auto events = duly_test::make_events(
      {{"E", "2026-11-23T14:00:00Z", "created",
        {{"customer_calendar", std::string("acme")}, {"tier", std::string("contract")},
         {"contract_hours", std::string("3h")}}},
       {"E", "2026-11-23T15:00:00Z", "promise", {{"promised", std::string("2026-11-24T20:00:00Z")}}}},
      &at);
  const auto x = duly::explain(p, events, "E", at("2026-11-23T16:00:00Z"));
  std::vector<std::string> goals;
  for (const auto& entry : x.entries)
    if (entry.type == duly::explain_entry::kind::goal) goals.push_back(entry.detail);
  EXPECT_EQ(goals, (std::vector<std::string>{
                       "goal 1: within 3h (from attribute contract_hours) on calendar 'acme' (from attribute "
                       "customer_calendar) (when tier == \"contract\")",
                       "goal 0: due 2026-11-24T20:00:00Z (from attribute promised) on calendar 'acme' (from attribute "
                       "customer_calendar) (when promised != null)"}));
}

TEST(PolicyReader, AGoalNeedsALengthFromSomewhere) {
  const auto bad = duly::parse_policy(R"(
targets:
  - name: t
    start_when: event == "created"
    goals:
      - {calendar_from: cal}
)",
                                      "policy.yaml");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("targets[0].goals[0].within: missing"), std::string::npos)
      << bad.error().message();
  const auto wrong = duly::parse_policy(R"(
targets:
  - name: t
    start_when: event == "created"
    goals:
      - {due_from: "not a name"}
)",
                                        "policy.yaml");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_NE(wrong.error().message().find("targets[0].goals[0].due_from: expected an attribute name"),
            std::string::npos)
      << wrong.error().message();
}

TEST(IsOpen, AtTheEventsInstantAndAtAnEscalationsFiringInstant) {
  const auto p = load(R"(
calendars:
  office: {timezone: UTC, hours: {mon-fri: "09:00-17:00"}}
targets:
  - name: t
    start_when: event == "created" and is_open("office")
    goals:
      - {within: 8h}
escalations:
  - {name: ping, target: t, at: start + 1h, when: is_open("office"), do: []}
)");
  // Created Monday 07:30Z: the office is closed, nothing starts.
  EXPECT_EQ(rows(p, {{"A", "2026-11-23T07:30:00Z", "created"}}, "2026-11-23T12:00:00Z"),
            (std::vector<std::string>{"t 0 pending - - - - - -"}));
  // Created 09:00Z: starts; the ping at 10:00Z fires.
  const auto fired = duly::evaluate(p, duly_test::make_events({{"B", "2026-11-23T09:00:00Z", "created"}}, &at),
                                    at("2026-11-23T12:00:00Z"));
  ASSERT_EQ(fired.escalations.size(), 1u);
  EXPECT_EQ(duly::format_instant(fired.escalations[0].fired_at), "2026-11-23T10:00:00Z");
  // Created 16:30Z: the ping falls at 17:30Z, closed: skipped.
  const auto skipped = duly::evaluate(p, duly_test::make_events({{"C", "2026-11-23T16:30:00Z", "created"}}, &at),
                                      at("2026-11-23T20:00:00Z"));
  EXPECT_TRUE(skipped.escalations.empty());
  // An unknown calendar is an error at load, naming the defined ones.
  const auto bad = duly::parse_policy(R"(
calendars:
  office: {timezone: UTC}
targets:
  - {name: t, start_when: is_open("offce"), goals: [{within: 1h}]}
)",
                                      "policy.yaml");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("unknown calendar 'offce' (defined: office)"), std::string::npos)
      << bad.error().message();
}

TEST(CalendarFiles, PathsAreRelativeToThePolicyAndErrorsPointIntoTheFile) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("duly-calendar-files-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  fs::remove_all(dir);
  fs::create_directories(dir / "customers");
  const auto write = [](const fs::path& f, std::string_view text) { std::ofstream(f) << text; };
  write(dir / "customers" / "acme.yaml", "timezone: America/New_York\nhours:\n  mon-fri: \"09:00-17:00\"\n");
  write(dir / "customers" / "bad.yaml", "timezone: America/New_York\nhours:\n  mon-fri: \"09:00-25:00\"\n");
  const std::string policy_text = R"(
calendars:
  acme: {file: customers/acme.yaml}
targets:
  - name: t
    start_when: event == "created"
    goals:
      - {within: 4h, calendar_from: cal}
)";
  write(dir / "policy.yaml", policy_text);
  auto p = duly::load_policy(dir / "policy.yaml");
  ASSERT_TRUE(p.has_value()) << p.error().message();
  EXPECT_EQ(rows(*p, {{"A", "2026-11-23T14:00:00Z", "created", {{"cal", std::string("acme")}}}}, "2026-11-23T15:00:00Z"),
            (std::vector<std::string>{"t 1 running 4h 14400 2026-11-23T18:00:00Z - 3600 America/New_York"}));
  // A bad calendar file: the message points into that file.
  write(dir / "policy.yaml", R"(
calendars:
  acme: {file: customers/bad.yaml}
  gone: {file: customers/none.yaml}
targets:
  - {name: t, start_when: event == "created", goals: [{within: 4h}]}
)");
  const auto bad = duly::load_policy(dir / "policy.yaml");
  ASSERT_FALSE(bad.has_value());
  const std::string m = bad.error().message();
  EXPECT_NE(m.find((dir / "customers" / "bad.yaml").string() + ":3:"), std::string::npos) << m;
  EXPECT_NE(m.find("none.yaml"), std::string::npos) << m;
  EXPECT_NE(m.find("calendars.gone.file"), std::string::npos) << m;
  fs::remove_all(dir);
}

}  // namespace

namespace {

// A stop is met at or before the due, breached after it. The engine settles it
// from the elapsed time at the stop unless that equals the goal exactly, when
// the due itself decides: a stop after the close of the day the goal ran out is
// breached with no more open time elapsed than the goal.
TEST(StopAtTheGoal, ElapsedEqualToTheGoalAfterTheCloseIsBreached) {
  const auto p = load(R"(duly: 1
calendars:
  office: {timezone: UTC, hours: {mon-fri: "09:00-17:00"}}
targets:
  - name: res
    start_when: event == "created"
    stop_when: event == "resolved"
    goals:
      - {within: 1h, calendar: office}
)");
  // Friday 2026-11-27, 16:00: the hour runs out at 17:00, the close.
  const std::vector<ev> list = {
      {"A", "2026-11-27T16:00:00Z", "created"}, {"A", "2026-11-27T17:00:00Z", "resolved"},  // at the due
      {"B", "2026-11-27T16:00:00Z", "created"}, {"B", "2026-11-28T10:00:00Z", "resolved"},  // Saturday
      {"C", "2026-11-27T16:00:00Z", "created"}, {"C", "2026-11-27T16:59:59Z", "resolved"},
      {"D", "2026-11-27T16:00:00Z", "created"}, {"D", "2026-11-30T09:00:01Z", "resolved"},  // Monday
  };
  EXPECT_EQ(rows(p, list, "2026-12-01T00:00:00Z"),
            (std::vector<std::string>{
                "res 1 met 1h 3600 2026-11-27T17:00:00Z - 3600 UTC",
                "res 1 breached 1h 3600 2026-11-27T17:00:00Z 2026-11-27T17:00:00Z 3600 UTC",
                "res 1 met 1h 3600 2026-11-27T17:00:00Z - 3599 UTC",
                "res 1 breached 1h 3600 2026-11-27T17:00:00Z 2026-11-27T17:00:00Z 3601 UTC",
            }));
}

}  // namespace
