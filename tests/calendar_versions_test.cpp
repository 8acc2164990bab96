// Tests of versioned calendars (`versions: [{from: DATE, <calendar>}, ...]`):
// one calendar whose hours, holidays and zone change at a date, measured on the
// version in force. Boundaries inside an open window, at midnight, with
// differing zones; business days; parsing and errors; and a policy whose goals,
// escalations and explain use a versioned calendar. The randomised comparison
// with the minute-by-minute reference is in calendar_property_test.cpp.
#include <duly/duly.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using duly::errc;

duly::instant at(const char* text) { return *duly::parse_instant(text); }

duly::calendar parse(const std::string& text) {
  auto cal = duly::parse_calendar(text, "cal.yaml");
  EXPECT_TRUE(cal.has_value()) << (cal ? "" : cal.error().message());
  return cal ? *cal : duly::calendar{};
}

std::string show(const duly::result<duly::instant>& r) {
  if (!r) return "error: " + r.error().message();
  return duly::format_instant(*r);
}

// A contract change: 09:00-17:00 until summer hours from 1 June 2026.
constexpr const char* summer = R"(
versions:
  - from: 2020-01-01
    timezone: Europe/London
    hours: {mon-fri: "09:00-17:00"}
    holidays: [{name: Christmas Day, month: 12, day: 25, observed: substitute}]
  - from: 2026-06-01
    timezone: Europe/London
    hours: {mon-thu: "08:00-18:00", fri: "08:00-13:00"}
)";

TEST(CalendarVersions, EachSpanIsMeasuredOnTheVersionInForce) {
  const auto cal = parse(summer);
  // Friday 29 May (8 h) and Monday 1 June (10 h), in BST.
  EXPECT_EQ(cal.elapsed(at("2026-05-29T00:00:00+01:00"), at("2026-06-02T00:00:00+01:00")), 18h);
  // Friday 16:00 + 3 h: 1 h on Friday, then Monday opens at 08:00: 10:00 BST.
  EXPECT_EQ(show(cal.add(at("2026-05-29T16:00:00+01:00"), 3h)), "2026-06-01T09:00:00Z");
  EXPECT_EQ(show(cal.subtract(at("2026-06-01T09:00:00Z"), 3h)), "2026-05-29T15:00:00Z");
  // The first version also covers all time before its `from`.
  EXPECT_EQ(cal.elapsed(at("2019-12-30T00:00:00Z"), at("2019-12-31T00:00:00Z")), 8h);
  // Christmas belongs to the first version only.
  EXPECT_EQ(cal.holidays_in(2025y), (std::vector{2025y / 12 / 25}));
  EXPECT_TRUE(cal.holidays_in(2026y).empty());
  // Business days: from Friday 29 May, the first open day is Monday 1 June,
  // which closes at 18:00 BST on the new hours.
  EXPECT_EQ(show(cal.add_business_days(at("2026-05-29T12:00:00+01:00"), 1)), "2026-06-01T17:00:00Z");
}

TEST(CalendarVersions, ABoundaryInsideAnOpenWindowCutsIt) {
  // Night shift 22:00-06:00 every day until 2026-03-02 (a Monday), then 24x7.
  const auto cal = parse(R"(
versions:
  - {from: 2026-01-01, hours: {daily: "22:00-06:00"}}
  - {from: 2026-03-02}
)");
  // Sunday 1 March 22:00 to Monday 00:00 is the old window; from 00:00 on, 24x7.
  EXPECT_EQ(cal.elapsed(at("2026-03-01T21:00:00Z"), at("2026-03-02T12:00:00Z")), 14h);
  EXPECT_TRUE(cal.is_open(at("2026-03-02T07:00:00Z")));
  EXPECT_FALSE(cal.is_open(at("2026-03-01T07:00:00Z")));
  // The intervals of the two versions touch at midnight and merge.
  const auto spans = cal.open_intervals(at("2026-03-01T00:00:00Z"), at("2026-03-03T00:00:00Z"));
  ASSERT_TRUE(spans.has_value());
  ASSERT_EQ(spans->size(), 2u);
  EXPECT_EQ(duly::format_instant((*spans)[1].start), "2026-03-01T22:00:00Z");
  EXPECT_EQ(duly::format_instant((*spans)[1].end), "2026-03-03T00:00:00Z");
  // Open from 22:00 on, around the clock for good.
  EXPECT_EQ(cal.next_close(at("2026-03-01T23:00:00Z")).error().code(), errc::never_closes);
}

TEST(CalendarVersions, AtMidnight) {
  const auto cal = parse(summer);
  // One second before the new version, Sunday 23:59:59 BST: closed; Monday opens at 08:00.
  EXPECT_EQ(show(cal.next_open(at("2026-05-31T23:59:59+01:00"))), "2026-06-01T07:00:00Z");
  EXPECT_EQ(show(cal.add(at("2026-05-31T23:59:59+01:00"), 1s)), "2026-06-01T07:00:01Z");
}

TEST(CalendarVersions, VersionsZonesMayDiffer) {
  // New York until Wednesday 3 June 2026, then Tokyo: the Tokyo version starts at
  // 00:00 JST on 3 June, 2026-06-02T15:00Z (11:00 EDT on Tuesday 2 June).
  const auto cal = parse(R"(
versions:
  - {from: 2026-01-01, timezone: America/New_York, hours: {mon-fri: "09:00-17:00"}}
  - {from: 2026-06-03, timezone: Asia/Tokyo, hours: {mon-fri: "09:00-17:00"}}
)");
  EXPECT_EQ(cal.zone().name(), "Asia/Tokyo");
  EXPECT_EQ(cal.zone_at(at("2026-06-02T14:59:59Z")).name(), "America/New_York");
  EXPECT_EQ(cal.zone_at(at("2026-06-02T15:00:00Z")).name(), "Asia/Tokyo");
  // Tuesday in New York is cut at 11:00 EDT: 2 hours.
  EXPECT_EQ(cal.elapsed(at("2026-06-02T00:00:00Z"), at("2026-06-02T23:00:00Z")), 2h);
  // 4 h from 09:00 EDT Tuesday: 2 h there, 2 h from 09:00 JST Wednesday.
  EXPECT_EQ(show(cal.add(at("2026-06-02T13:00:00Z"), 4h)), "2026-06-03T02:00:00Z");
  // Business days from Monday 1 June in New York: Tuesday (closing at the cut,
  // 11:00 EDT), then Wednesday in Tokyo (17:00 JST).
  EXPECT_EQ(show(cal.add_business_days(at("2026-06-01T16:00:00Z"), 1)), "2026-06-02T15:00:00Z");
  EXPECT_EQ(show(cal.add_business_days(at("2026-06-01T16:00:00Z"), 2)), "2026-06-03T08:00:00Z");
  // Re-zoning a versioned calendar re-zones every version.
  const auto utc = cal.with_zone(*duly::time_zone::locate("UTC"));
  EXPECT_EQ(utc.spec().versions[0].calendar.timezone, "UTC");
  EXPECT_EQ(utc.elapsed(at("2026-06-02T00:00:00Z"), at("2026-06-03T00:00:00Z")), 8h);
}

TEST(CalendarVersions, ParseErrorsArePositioned) {
  const auto bad = duly::parse_calendar_spec(R"(timezone: UTC
versions:
  - {from: 2026-06-01, hours: {mon: "09:00-17:00"}}
  - {from: 2026-01-01}
  - {hours: {mon: "09:00-17:00"}}
  - {from: 2027-01-01, versions: []}
)", "cal.yaml");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message(),
            "cal.yaml:1:11: timezone: with versions, give timezone, hours, holidays and exceptions inside each "
            "version\n"
            "cal.yaml:4:12: versions[1].from: from 2026-01-01 is not after the previous version's from 2026-06-01\n"
            "cal.yaml:5:5: versions[2].from: missing: give the date this version starts, e.g. from: 2026-04-01\n"
            "cal.yaml:6:24: versions[3].versions: unknown key (expected from, timezone, hours, holidays, "
            "exceptions)");
}

TEST(CalendarVersions, MakeChecksVersionsBuiltInCode) {
  duly::calendar_spec spec;
  spec.versions.push_back({std::chrono::sys_days{2026y / 6 / 1}, {}});
  spec.versions.push_back({std::chrono::sys_days{2026y / 1 / 1}, {}});
  spec.versions[1].calendar.timezone = "Mars/Base";
  const auto cal = duly::calendar::make(spec);
  ASSERT_FALSE(cal.has_value());
  EXPECT_EQ(cal.error().message(),
            "versions[1].from: from 2026-01-01 is not after the previous version's from 2026-06-01\n"
            "versions[1].timezone: unknown time zone 'Mars/Base': not in the system tz database "
            "(/usr/share/zoneinfo)");
}

// A policy whose goals, escalations and explain use a versioned calendar.
constexpr const char* policy_text = R"(duly: 1
calendars:
  desk:
    versions:
      - {from: 2026-01-01, timezone: America/New_York, hours: {mon-fri: "09:00-17:00"}}
      - {from: 2026-06-03, timezone: Asia/Tokyo, hours: {mon-fri: "09:00-17:00"}}
targets:
  - name: response
    start_when: event == "created"
    stop_when: event == "replied"
    goals:
      - {within: 4h, calendar: desk}
  - name: resolution
    start_when: event == "created"
    stop_when: event == "resolved"
    goals:
      - {within: 2bd, calendar: desk}
escalations:
  - name: lead
    target: response
    at: 50%
    do: [{notify: [lead]}]
)";

TEST(CalendarVersions, GoalsEscalationsAndExplainUseTheVersionInForce) {
  const auto p = duly::parse_policy(policy_text, "policy.yaml");
  ASSERT_TRUE(p.has_value()) << p.error().message();
  std::vector<duly::event> events;
  for (const char* line : {R"({"id":"T-1","at":"2026-06-02T13:00:00Z","event":"created"})",
                           R"({"id":"T-2","at":"2026-06-01T16:00:00Z","event":"created"})"}) {
    auto e = duly::parse_event_json(line);
    ASSERT_TRUE(e.has_value()) << e.error().message();
    events.push_back(std::move(*e));
  }
  const auto as_of = at("2026-06-10T00:00:00Z");
  const auto result = duly::evaluate(*p, events, as_of);
  std::vector<std::string> dues;
  for (const auto& r : result.timers) dues.push_back(r.id + " " + r.target + " " + show(*r.due));
  EXPECT_EQ(dues, (std::vector<std::string>{"T-1 response 2026-06-03T02:00:00Z", "T-1 resolution 2026-06-04T08:00:00Z",
                                            "T-2 response 2026-06-01T20:00:00Z",
                                            "T-2 resolution 2026-06-03T08:00:00Z"}));
  // 50% of T-1's response: 2 h of open time, the cut at 11:00 EDT Tuesday;
  // T-2's, 14:00 EDT on Monday.
  std::vector<std::string> fired;
  for (const auto& e : result.escalations) fired.push_back(e.id + " " + duly::format_instant(e.fired_at));
  EXPECT_EQ(fired, (std::vector<std::string>{"T-1 2026-06-02T15:00:00Z", "T-2 2026-06-01T18:00:00Z"}));
  const auto why = duly::explain(*p, events, "T-1", as_of);
  ASSERT_EQ(why.timers.size(), 2u);
  EXPECT_EQ(show(*why.timers[0].due), "2026-06-03T02:00:00Z");
  std::vector<std::string> escalated;
  for (const auto& e : why.entries)
    if (e.type == duly::explain_entry::kind::escalation) escalated.push_back(duly::format_instant(e.at));
  EXPECT_EQ(escalated, (std::vector<std::string>{"2026-06-02T15:00:00Z"}));
}

}  // namespace
