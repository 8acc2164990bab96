// Tests of duly/calendar.hpp: calendar arithmetic (case tables for weekends,
// lunch breaks, holidays of every rule kind, exceptions, midnight-crossing
// windows, 24:00 ends, DST gaps and overlaps, Feb 29, year ends, half-hour
// zones), its errors, and the calendar document parser.
//
// Instants in the tables are written as ISO-8601 text: starts in the
// calendar's local time with an offset (easy to check against a wall clock),
// expected results in UTC, exactly as format_instant writes them.
#include <duly/duly.hpp>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using duly::errc;
using duly::instant;
using std::chrono::sys_days;

// --- helpers ----------------------------------------------------------------

instant at(std::string_view text) {
  const auto t = duly::parse_instant(text);
  EXPECT_TRUE(t.has_value()) << text << ": " << (t ? "" : t.error().message());
  return t ? *t : instant{};
}

std::string show(const duly::result<instant>& r) {
  if (!r) return "error(" + std::string(duly::to_string(r.error().code())) + "): " + r.error().message();
  return duly::format_instant(*r);
}

duly::seconds dur(std::string_view text) {
  const auto d = duly::parse_duration(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d ? d->value : 0s;
}

sys_days date(std::string_view text) {
  const auto d = duly::parse_date(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d ? *d : sys_days{};
}

// "08:00-12:00 13:00-17:00" -> two windows; "" -> none.
std::vector<duly::window> windows(std::string_view list) {
  std::vector<duly::window> out;
  while (!list.empty()) {
    const auto space = list.find(' ');
    const auto item = list.substr(0, space);
    list = space == std::string_view::npos ? std::string_view{} : list.substr(space + 1);
    if (item.empty()) continue;
    const auto dash = item.find('-');
    const auto start = duly::time_of_day::parse(item.substr(0, dash));
    const auto end = duly::time_of_day::parse(item.substr(dash + 1));
    EXPECT_TRUE(start && end) << item;
    if (start && end) out.push_back({*start, *end});
  }
  return out;
}

// Weekly hours, Monday first.
duly::calendar_spec weekly(std::string tz, const std::array<const char*, 7>& days) {
  duly::calendar_spec spec;
  spec.timezone = std::move(tz);
  spec.hours.emplace();
  for (std::size_t d = 0; d < 7; ++d) (*spec.hours)[d] = windows(days[d]);
  return spec;
}

duly::calendar_spec mon_fri(std::string tz, const char* hours) {
  return weekly(std::move(tz), {hours, hours, hours, hours, hours, "", ""});
}

duly::calendar_spec never_open(std::string tz) {
  return weekly(std::move(tz), {"", "", "", "", "", "", ""});
}

duly::calendar build(duly::calendar_spec spec) {
  auto cal = duly::calendar::make(std::move(spec));
  EXPECT_TRUE(cal.has_value()) << (cal ? "" : cal.error().message());
  return cal ? *cal : duly::calendar{};
}

duly::holiday_rule on_date(const char* d) {
  duly::holiday_rule h;
  h.type = duly::holiday_rule::kind::date;
  h.name = d;
  h.date = std::chrono::year_month_day{date(d)};
  return h;
}

duly::holiday_rule fixed_day(const char* name, unsigned month, unsigned day,
                             duly::observed_rule observed = duly::observed_rule::none) {
  duly::holiday_rule h;
  h.type = duly::holiday_rule::kind::fixed_day;
  h.name = name;
  h.month = month;
  h.day = day;
  h.observed = observed;
  return h;
}

duly::holiday_rule nth_weekday(const char* name, unsigned month, std::chrono::weekday wd, int nth) {
  duly::holiday_rule h;
  h.type = duly::holiday_rule::kind::nth_weekday;
  h.name = name;
  h.month = month;
  h.weekday = wd;
  h.nth = nth;
  return h;
}

duly::holiday_rule easter(const char* name, int offset_days) {
  duly::holiday_rule h;
  h.type = duly::holiday_rule::kind::easter;
  h.name = name;
  h.offset_days = offset_days;
  return h;
}

std::vector<duly::holiday_rule> us_federal_holidays() {
  using duly::observed_rule;
  using std::chrono::Monday;
  using std::chrono::Thursday;
  return {
      fixed_day("New Year's Day", 1, 1, observed_rule::nearest_weekday),
      nth_weekday("Martin Luther King Jr. Day", 1, Monday, 3),
      nth_weekday("Presidents' Day", 2, Monday, 3),
      nth_weekday("Memorial Day", 5, Monday, -1),
      fixed_day("Juneteenth", 6, 19, observed_rule::nearest_weekday),
      fixed_day("Independence Day", 7, 4, observed_rule::nearest_weekday),
      nth_weekday("Labor Day", 9, Monday, 1),
      nth_weekday("Columbus Day", 10, Monday, 2),
      fixed_day("Veterans Day", 11, 11, observed_rule::nearest_weekday),
      nth_weekday("Thanksgiving", 11, Thursday, 4),
      fixed_day("Christmas", 12, 25, observed_rule::nearest_weekday),
  };
}

// Mon-Fri 08:00-12:00 and 13:00-17:00 in New York, no holidays.
duly::calendar ny_office() {
  return build(mon_fri("America/New_York", "08:00-12:00 13:00-17:00"));
}

duly::calendar ny_office_with_holidays() {
  auto spec = mon_fri("America/New_York", "08:00-12:00 13:00-17:00");
  spec.holidays = us_federal_holidays();
  return build(std::move(spec));
}

std::string show(const std::vector<duly::interval>& v) {
  std::string out = "[";
  for (const auto& i : v) {
    if (out.size() > 1) out += ", ";
    out += duly::format_instant(i.start) + " - " + duly::format_instant(i.end);
  }
  return out + "]";
}

std::string show(const duly::result<std::vector<duly::interval>>& r) {
  if (!r) return "error(" + std::string(duly::to_string(r.error().code())) + "): " + r.error().message();
  return show(*r);
}

// --- case tables ------------------------------------------------------------

struct add_row {
  const char* start;
  const char* duration;
  const char* expected;
  const char* why = "";
};

struct elapsed_row {
  const char* a;
  const char* b;
  const char* expected;  // a duration, or "-" followed by one
  const char* why = "";
};

struct instant_row {
  const char* t;
  const char* expected;
  const char* why = "";
};

struct open_row {
  const char* t;
  bool open;
  const char* why = "";
};

struct bd_row {
  const char* start;
  std::int64_t days;
  const char* expected;
  const char* why = "";
};

struct span_row {
  const char* from;
  const char* to;
  const char* expected;  // show(open_intervals)
  const char* why = "";
};

duly::seconds signed_duration(std::string_view text) {
  if (!text.empty() && text.front() == '-') return -dur(text.substr(1));
  return dur(text);
}

void check_add(const duly::calendar& cal, const std::vector<add_row>& rows) {
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string("add(") + r.start + ", " + r.duration + ") " + r.why);
    const auto got = cal.add(at(r.start), dur(r.duration));
    EXPECT_EQ(show(got), r.expected);
    if (got && dur(r.duration) > 0s) {
      // The definition: elapsed(t, T) = d, and nothing earlier reaches d.
      EXPECT_EQ(cal.elapsed(at(r.start), *got), dur(r.duration));
      EXPECT_LT(cal.elapsed(at(r.start), *got - 1s), dur(r.duration));
    }
    const auto spec = duly::parse_duration(r.duration);
    ASSERT_TRUE(spec.has_value());
    EXPECT_EQ(show(cal.add(at(r.start), *spec)), r.expected) << "add(instant, duration_spec)";
  }
}

void check_subtract(const duly::calendar& cal, const std::vector<add_row>& rows) {
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string("subtract(") + r.start + ", " + r.duration + ") " + r.why);
    const auto got = cal.subtract(at(r.start), dur(r.duration));
    EXPECT_EQ(show(got), r.expected);
    if (got && dur(r.duration) > 0s) {
      // The definition: elapsed(t, T) = d, and nothing later reaches d.
      EXPECT_EQ(cal.elapsed(*got, at(r.start)), dur(r.duration));
      EXPECT_LT(cal.elapsed(*got + 1s, at(r.start)), dur(r.duration));
    }
  }
}

void check_elapsed(const duly::calendar& cal, const std::vector<elapsed_row>& rows) {
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string("elapsed(") + r.a + ", " + r.b + ") " + r.why);
    const auto expected = signed_duration(r.expected);
    EXPECT_EQ(duly::format_duration(cal.elapsed(at(r.a), at(r.b))), duly::format_duration(expected));
    EXPECT_EQ(cal.elapsed(at(r.b), at(r.a)), -expected);
    const auto tried = cal.try_elapsed(at(r.a), at(r.b));
    ASSERT_TRUE(tried.has_value()) << tried.error().message();
    EXPECT_EQ(*tried, expected);
  }
}

void check_is_open(const duly::calendar& cal, const std::vector<open_row>& rows) {
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string("is_open(") + r.t + ") " + r.why);
    EXPECT_EQ(cal.is_open(at(r.t)), r.open);
  }
}

void check_next_open(const duly::calendar& cal, const std::vector<instant_row>& rows) {
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string("next_open(") + r.t + ") " + r.why);
    EXPECT_EQ(show(cal.next_open(at(r.t))), r.expected);
  }
}

void check_next_close(const duly::calendar& cal, const std::vector<instant_row>& rows) {
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string("next_close(") + r.t + ") " + r.why);
    EXPECT_EQ(show(cal.next_close(at(r.t))), r.expected);
  }
}

void check_business_days(const duly::calendar& cal, const std::vector<bd_row>& rows) {
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string("add_business_days(") + r.start + ", " + std::to_string(r.days) + ") " + r.why);
    EXPECT_EQ(show(cal.add_business_days(at(r.start), r.days)), r.expected);
    EXPECT_EQ(show(cal.add(at(r.start), duly::duration_spec{0s, r.days})), r.expected)
        << "add(instant, duration_spec)";
  }
}

void check_open_intervals(const duly::calendar& cal, const std::vector<span_row>& rows) {
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string("open_intervals(") + r.from + ", " + r.to + ") " + r.why);
    const auto got = cal.open_intervals(at(r.from), at(r.to));
    EXPECT_EQ(show(got), r.expected);
    if (got) {
      // The intervals add up to elapsed() and each is open throughout.
      duly::seconds sum{0};
      for (const auto& i : *got) {
        sum += i.end - i.start;
        EXPECT_TRUE(cal.is_open(i.start));
        EXPECT_TRUE(cal.is_open(i.end - 1s));
      }
      if (at(r.from) <= at(r.to)) {
        EXPECT_EQ(sum, cal.elapsed(at(r.from), at(r.to)));
      }
    }
  }
}

// --- weekends and lunch breaks ----------------------------------------------

TEST(Calendar, AddSkipsLunchBreaksAndWeekends) {
  check_add(ny_office(), {
      {"2026-11-23T09:00:00-05:00", "2h", "2026-11-23T16:00:00Z", "Monday morning"},
      {"2026-11-23T11:00:00-05:00", "2h", "2026-11-23T19:00:00Z", "across lunch"},
      {"2026-11-23T11:00:00-05:00", "1h", "2026-11-23T17:00:00Z", "lands exactly on the lunch close"},
      {"2026-11-23T12:30:00-05:00", "30m", "2026-11-23T18:30:00Z", "starts during lunch"},
      {"2026-11-20T16:00:00-05:00", "2h", "2026-11-23T14:00:00Z", "Friday afternoon over the weekend"},
      {"2026-11-21T10:00:00-05:00", "1s", "2026-11-23T13:00:01Z", "from a Saturday"},
      {"2026-11-23T07:00:00-05:00", "0s", "2026-11-23T12:00:00Z", "zero stays put, even when closed"},
      {"2026-11-22T07:00:00-05:00", "0s", "2026-11-22T12:00:00Z", "zero stays put on a Sunday"},
      {"2026-11-23T08:00:00-05:00", "8h", "2026-11-23T22:00:00Z", "a whole day ends at its close"},
      {"2026-11-23T08:00:00-05:00", "8h1s", "2026-11-24T13:00:01Z", "one second into Tuesday"},
      {"2026-11-23T16:59:59-05:00", "1s", "2026-11-23T22:00:00Z", "the last second of the day"},
      {"2026-11-23T17:00:00-05:00", "1s", "2026-11-24T13:00:01Z", "from the close"},
      {"2026-11-23T08:00:00-05:00", "40h", "2026-11-27T22:00:00Z", "a whole week"},
      {"2026-11-23T08:00:00-05:00", "2d", "2026-11-30T22:00:00Z", "2d is 48 hours of running time"},
      {"2026-11-23T09:00:30-05:00", "30s", "2026-11-23T14:01:00Z", "second resolution"},
      {"2026-10-30T16:00:00-04:00", "2h", "2026-11-02T14:00:00Z", "over the fall-back weekend"},
      {"2026-03-06T16:00:00-05:00", "2h", "2026-03-09T13:00:00Z", "over the spring-forward weekend"},
  });
}

TEST(Calendar, SubtractFindsTheLatestStart) {
  check_subtract(ny_office(), {
      {"2026-11-23T09:00:00-05:00", "2h", "2026-11-20T21:00:00Z", "back over the weekend"},
      {"2026-11-23T14:00:00-05:00", "2h", "2026-11-23T16:00:00Z", "back over lunch"},
      {"2026-11-23T13:00:00-05:00", "1h", "2026-11-23T16:00:00Z", "11:00, the latest with 1h before 13:00"},
      {"2026-11-23T12:30:00-05:00", "1h", "2026-11-23T16:00:00Z", "from inside lunch"},
      {"2026-11-23T08:00:00-05:00", "1s", "2026-11-20T21:59:59Z", "from the opening"},
      {"2026-11-23T13:00:00-05:00", "4h", "2026-11-23T13:00:00Z", "Monday's opening, not Friday's close"},
      {"2026-11-23T12:00:00-05:00", "4h", "2026-11-23T13:00:00Z", "a whole morning"},
      {"2026-11-22T10:00:00-05:00", "1h", "2026-11-20T21:00:00Z", "from a Sunday"},
      {"2026-11-23T10:00:00-05:00", "0s", "2026-11-23T15:00:00Z", "zero stays put"},
      {"2026-11-27T17:00:00-05:00", "40h", "2026-11-23T13:00:00Z", "a whole week"},
      {"2026-11-02T09:00:00-05:00", "2h", "2026-10-30T20:00:00Z", "back over the fall-back weekend"},
  });
}

TEST(Calendar, ElapsedCountsOpenSecondsAndIsNegativeBackwards) {
  check_elapsed(ny_office(), {
      {"2026-11-23T09:00:00-05:00", "2026-11-23T15:00:00-05:00", "5h", "minus lunch"},
      {"2026-11-20T16:00:00-05:00", "2026-11-23T09:00:00-05:00", "2h", "over a weekend"},
      {"2026-11-21T00:00:00-05:00", "2026-11-23T00:00:00-05:00", "0s", "a weekend"},
      {"2026-11-23T15:00:00-05:00", "2026-11-23T09:00:00-05:00", "-5h", "b before a"},
      {"2026-11-23T09:00:00-05:00", "2026-11-23T09:00:00-05:00", "0s", "empty"},
      {"2026-11-23T00:00:00-05:00", "2026-11-30T00:00:00-05:00", "40h", "a week"},
      {"2026-11-23T11:59:59-05:00", "2026-11-23T13:00:01-05:00", "2s", "around lunch"},
      {"2026-11-01T00:00:00-04:00", "2026-11-08T00:00:00-05:00", "40h", "the fall-back week"},
      {"2026-03-08T00:00:00-05:00", "2026-03-15T00:00:00-04:00", "40h", "the spring-forward week"},
      {"2026-01-01T00:00:00-05:00", "2027-01-01T00:00:00-05:00", "2088h", "2026: 261 weekdays"},
  });
}

TEST(Calendar, IsOpenFromOpeningUpToClosing) {
  check_is_open(ny_office(), {
      {"2026-11-23T08:00:00-05:00", true, "the opening is open"},
      {"2026-11-23T07:59:59-05:00", false, "just before"},
      {"2026-11-23T11:59:59-05:00", true, "last second before lunch"},
      {"2026-11-23T12:00:00-05:00", false, "lunch"},
      {"2026-11-23T12:59:59-05:00", false, "lunch"},
      {"2026-11-23T13:00:00-05:00", true, "after lunch"},
      {"2026-11-23T16:59:59-05:00", true, "last second"},
      {"2026-11-23T17:00:00-05:00", false, "the closing is closed"},
      {"2026-11-21T10:00:00-05:00", false, "Saturday"},
      {"2026-11-22T10:00:00-05:00", false, "Sunday"},
      {"2026-11-24T10:00:00-05:00", true, "Tuesday"},
      {"2026-07-15T08:30:00-04:00", true, "summer time"},
      {"2026-07-15T07:30:00-04:00", false, "summer time, before opening"},
  });
}

TEST(Calendar, NextOpenAndNextClose) {
  const auto cal = ny_office();
  check_next_open(cal, {
      {"2026-11-23T07:00:00-05:00", "2026-11-23T13:00:00Z", "before opening"},
      {"2026-11-23T09:00:00-05:00", "2026-11-23T14:00:00Z", "already open"},
      {"2026-11-23T09:00:01-05:00", "2026-11-23T14:00:01Z", "already open"},
      {"2026-11-23T12:00:00-05:00", "2026-11-23T18:00:00Z", "lunch"},
      {"2026-11-23T17:00:00-05:00", "2026-11-24T13:00:00Z", "at the close"},
      {"2026-11-20T17:00:00-05:00", "2026-11-23T13:00:00Z", "Friday close"},
      {"2026-11-21T10:00:00-05:00", "2026-11-23T13:00:00Z", "Saturday"},
  });
  check_next_close(cal, {
      {"2026-11-23T09:00:00-05:00", "2026-11-23T17:00:00Z", "morning"},
      {"2026-11-23T08:00:00-05:00", "2026-11-23T17:00:00Z", "at the opening"},
      {"2026-11-23T11:59:59-05:00", "2026-11-23T17:00:00Z", "last second"},
      {"2026-11-23T12:30:00-05:00", "2026-11-23T17:30:00Z", "already closed"},
      {"2026-11-23T13:00:00-05:00", "2026-11-23T22:00:00Z", "afternoon"},
      {"2026-11-21T10:00:00-05:00", "2026-11-21T15:00:00Z", "Saturday"},
  });
}

TEST(Calendar, AddBusinessDaysEndsAtTheLastCloseOfTheNthOpenDay) {
  check_business_days(ny_office(), {
      {"2026-11-23T10:00:00-05:00", 1, "2026-11-24T22:00:00Z", "Tuesday's close"},
      {"2026-11-23T10:00:00-05:00", 3, "2026-11-26T22:00:00Z", "Thursday's close"},
      {"2026-11-23T10:00:00-05:00", 5, "2026-11-30T22:00:00Z", "next Monday's close"},
      {"2026-11-20T10:00:00-05:00", 1, "2026-11-23T22:00:00Z", "Friday: Monday's close"},
      {"2026-11-21T10:00:00-05:00", 1, "2026-11-23T22:00:00Z", "Saturday: Monday's close"},
      {"2026-11-23T07:00:00-05:00", 1, "2026-11-24T22:00:00Z", "the start's own date does not count"},
      {"2026-11-23T23:30:00-05:00", 1, "2026-11-24T22:00:00Z", "the local date, not the UTC one"},
      {"2026-11-23T00:30:00-05:00", 0, "2026-11-23T05:30:00Z", "zero stays put"},
      {"2026-10-30T10:00:00-04:00", 1, "2026-11-02T22:00:00Z", "over the fall-back weekend"},
      {"2026-11-23T10:00:00-05:00", 20, "2026-12-21T22:00:00Z", "four weeks"},
  });
}

TEST(Calendar, AddTakesDurationSpecs) {
  const auto cal = ny_office();
  const auto t = at("2026-11-23T11:00:00-05:00");
  EXPECT_EQ(show(cal.add(t, duly::duration_spec{5400s, 0})), "2026-11-23T18:30:00Z");
  EXPECT_EQ(show(cal.add(t, duly::duration_spec{0s, 2})), "2026-11-25T22:00:00Z");
  EXPECT_EQ(show(cal.add(t, duly::duration_spec{})), "2026-11-23T16:00:00Z");
}

// --- holidays ---------------------------------------------------------------

TEST(HolidayRule, YieldsItsDateInAYear) {
  using duly::observed_rule;
  using std::chrono::Monday;
  using std::chrono::Thursday;
  using std::chrono::year;
  struct row {
    duly::holiday_rule rule;
    int year;
    const char* expected;  // "" when the rule yields nothing that year
    const char* why;
  };
  const row rows[] = {
      {on_date("2026-12-25"), 2026, "2026-12-25", "a date, its year"},
      {on_date("2026-12-25"), 2027, "", "a date, another year"},
      {fixed_day("Christmas", 12, 25), 2027, "2027-12-25", "on a Saturday, not observed"},
      {fixed_day("Christmas", 12, 25, observed_rule::nearest_weekday), 2026, "2026-12-25", "a Friday"},
      {fixed_day("Christmas", 12, 25, observed_rule::nearest_weekday), 2027, "2027-12-24", "Sat -> Fri"},
      {fixed_day("Christmas", 12, 25, observed_rule::nearest_weekday), 2022, "2022-12-26", "Sun -> Mon"},
      {fixed_day("Christmas", 12, 25, observed_rule::next_weekday), 2027, "2027-12-27", "Sat -> Mon"},
      {fixed_day("Christmas", 12, 25, observed_rule::next_weekday), 2022, "2022-12-26", "Sun -> Mon"},
      {fixed_day("Christmas", 12, 25, observed_rule::next_weekday), 2026, "2026-12-25", "a Friday"},
      {fixed_day("Christmas", 12, 25, observed_rule::previous_weekday), 2027, "2027-12-24", "Sat -> Fri"},
      {fixed_day("Christmas", 12, 25, observed_rule::previous_weekday), 2022, "2022-12-23", "Sun -> Fri"},
      {fixed_day("New Year", 1, 1, observed_rule::nearest_weekday), 2028, "2027-12-31",
       "observed in the year before"},
      {fixed_day("New Year", 1, 1, observed_rule::nearest_weekday), 2023, "2023-01-02", "Sun -> Mon"},
      {fixed_day("Leap day", 2, 29), 2028, "2028-02-29", "a leap year"},
      {fixed_day("Leap day", 2, 29), 2027, "", "not a leap year"},
      {fixed_day("Leap day", 2, 29), 2100, "", "2100 is not a leap year"},
      {fixed_day("Leap day", 2, 29), 2000, "2000-02-29", "2000 is"},
      {nth_weekday("Thanksgiving", 11, Thursday, 4), 2026, "2026-11-26", ""},
      {nth_weekday("Thanksgiving", 11, Thursday, 4), 2027, "2027-11-25", ""},
      {nth_weekday("Memorial Day", 5, Monday, -1), 2026, "2026-05-25", "last Monday"},
      {nth_weekday("Memorial Day", 5, Monday, -1), 2027, "2027-05-31", "last Monday on the 31st"},
      {nth_weekday("MLK", 1, Monday, 3), 2026, "2026-01-19", ""},
      {nth_weekday("Labor Day", 9, Monday, 1), 2026, "2026-09-07", ""},
      {nth_weekday("Fifth Monday", 6, Monday, 5), 2026, "2026-06-29", "June 2026 has five"},
      {nth_weekday("Fifth Monday", 11, Monday, 5), 2026, "2026-11-30", "November 2026 has five"},
      {nth_weekday("Fifth Monday", 2, Monday, 5), 2026, "", "February 2026 has four"},
      {nth_weekday("Fifth Monday", 2, Monday, 5), 2027, "", "February 2027 has four"},
      {nth_weekday("Second to last", 5, Monday, -2), 2026, "2026-05-18", ""},
      {nth_weekday("Fifth from last", 6, Monday, -5), 2026, "2026-06-01", ""},
      {nth_weekday("Fifth from last", 2, Monday, -5), 2026, "", "only four"},
      {easter("Easter Sunday", 0), 2026, "2026-04-05", ""},
      {easter("Good Friday", -2), 2026, "2026-04-03", ""},
      {easter("Easter Monday", 1), 2026, "2026-04-06", ""},
      {easter("Good Friday", -2), 2027, "2027-03-26", ""},
      {easter("Easter Monday", 1), 2027, "2027-03-29", ""},
      {easter("Good Friday", -2), 2024, "2024-03-29", ""},
      {easter("Easter Monday", 1), 2024, "2024-04-01", "into April"},
      {easter("Easter Sunday", 0), 2025, "2025-04-20", ""},
      {easter("Easter Sunday", 0), 2028, "2028-04-16", ""},
      {easter("Easter Sunday", 0), 2000, "2000-04-23", ""},
      {easter("Easter Sunday", 0), 2008, "2008-03-23", "early"},
      {easter("Easter Sunday", 0), 2038, "2038-04-25", "the latest possible"},
      {easter("Easter Sunday", 0), 2160, "2160-03-23", "far ahead"},
      {easter("Ascension", 39), 2026, "2026-05-14", ""},
      {easter("Whit Monday", 50), 2026, "2026-05-25", ""},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string(r.rule.name) + " " + std::to_string(r.year) + " " + r.why);
    const auto got = r.rule.in_year(year{r.year});
    if (*r.expected == '\0') {
      EXPECT_FALSE(got.has_value()) << duly::format_instant(instant{sys_days{*got}});
    } else {
      ASSERT_TRUE(got.has_value());
      EXPECT_EQ(duly::format_instant(instant{sys_days{*got}}).substr(0, 10), r.expected);
    }
  }
}

TEST(Calendar, HolidaysOfEveryKindAreClosed) {
  using duly::observed_rule;
  auto spec = mon_fri("America/New_York", "09:00-17:00");
  spec.holidays = {
      on_date("2026-06-10"),
      fixed_day("Independence Day", 7, 4, observed_rule::nearest_weekday),
      fixed_day("Christmas", 12, 25, observed_rule::next_weekday),
      fixed_day("New Year", 1, 1, observed_rule::previous_weekday),
      nth_weekday("Thanksgiving", 11, std::chrono::Thursday, 4),
      nth_weekday("Memorial Day", 5, std::chrono::Monday, -1),
      nth_weekday("Fifth Monday of February", 2, std::chrono::Monday, 5),
      easter("Good Friday", -2),
      easter("Easter Monday", 1),
  };
  check_is_open(build(spec), {
      {"2026-06-10T12:00:00-04:00", false, "a date"},
      {"2026-06-09T12:00:00-04:00", true, "the day before"},
      {"2026-06-11T12:00:00-04:00", true, "the day after"},
      {"2027-06-10T12:00:00-04:00", true, "a date holds in its year only"},
      {"2026-07-03T12:00:00-04:00", false, "July 4th (Sat) observed on Friday"},
      {"2026-07-06T12:00:00-04:00", true, "not on Monday"},
      {"2027-07-05T12:00:00-04:00", false, "July 4th 2027 (Sun) observed on Monday"},
      {"2027-12-27T12:00:00-05:00", false, "Christmas 2027 (Sat), next weekday"},
      {"2027-12-24T12:00:00-05:00", true, "not the Friday before"},
      {"2026-12-25T12:00:00-05:00", false, "Christmas 2026 on its Friday"},
      {"2027-12-31T12:00:00-05:00", false, "New Year 2028 (Sat), previous weekday, in 2027"},
      {"2026-01-01T12:00:00-05:00", false, "New Year 2026 on its Thursday"},
      {"2026-11-26T12:00:00-05:00", false, "Thanksgiving"},
      {"2026-11-19T12:00:00-05:00", true, "the third Thursday"},
      {"2026-05-25T12:00:00-04:00", false, "Memorial Day, last Monday"},
      {"2026-05-18T12:00:00-04:00", true, "the Monday before"},
      {"2026-02-23T12:00:00-05:00", true, "no fifth Monday in February 2026: the fourth stays open"},
      {"2026-04-03T12:00:00-04:00", false, "Good Friday"},
      {"2026-04-06T12:00:00-04:00", false, "Easter Monday"},
      {"2026-04-07T12:00:00-04:00", true, "Easter Tuesday"},
      {"2027-03-26T12:00:00-04:00", false, "Good Friday 2027"},
      {"2027-03-29T12:00:00-04:00", false, "Easter Monday 2027"},
  });
}

TEST(Calendar, AddSkipsUsFederalHolidays) {
  const auto cal = ny_office_with_holidays();
  check_add(cal, {
      {"2026-11-25T16:00:00-05:00", "2h", "2026-11-27T14:00:00Z", "over Thanksgiving"},
      {"2026-12-24T16:00:00-05:00", "2h", "2026-12-28T14:00:00Z", "over Christmas"},
      {"2026-07-02T16:00:00-04:00", "2h", "2026-07-06T13:00:00Z", "July 4th observed on Friday 3rd"},
      {"2026-05-22T16:00:00-04:00", "2h", "2026-05-26T13:00:00Z", "over Memorial Day"},
      {"2026-01-16T16:00:00-05:00", "2h", "2026-01-20T14:00:00Z", "over MLK day"},
      {"2027-12-23T16:00:00-05:00", "2h", "2027-12-27T14:00:00Z", "Christmas 2027 (Sat) observed Fri 24th"},
      {"2027-12-30T16:00:00-05:00", "2h", "2028-01-03T14:00:00Z", "New Year 2028 (Sat) observed Fri 31st"},
  });
  check_subtract(cal, {
      {"2026-11-27T09:00:00-05:00", "2h", "2026-11-25T21:00:00Z", "back over Thanksgiving"},
      {"2028-01-03T09:00:00-05:00", "2h", "2027-12-30T21:00:00Z", "back over an observed New Year"},
  });
  check_business_days(cal, {
      {"2026-11-25T10:00:00-05:00", 1, "2026-11-27T22:00:00Z", "Thanksgiving is not an open day"},
      {"2026-12-23T10:00:00-05:00", 2, "2026-12-28T22:00:00Z", "Christmas is not an open day"},
  });
}

// --- exceptions -------------------------------------------------------------

duly::calendar ny_office_with_exceptions() {
  auto spec = mon_fri("America/New_York", "08:00-12:00 13:00-17:00");
  spec.holidays = {
      fixed_day("New Year's Day", 1, 1, duly::observed_rule::nearest_weekday),
      nth_weekday("Thanksgiving", 11, std::chrono::Thursday, 4),
      fixed_day("Christmas", 12, 25, duly::observed_rule::nearest_weekday),
  };
  spec.exceptions[date("2026-12-24")] = windows("08:00-12:00");  // special hours
  spec.exceptions[date("2026-12-31")] = {};                      // closed
  spec.exceptions[date("2026-11-26")] = windows("10:00-14:00");  // beats Thanksgiving
  spec.exceptions[date("2026-11-28")] = windows("09:00-11:00");  // a Saturday opens
  return build(std::move(spec));
}

TEST(Calendar, ExceptionsReplaceTheHoursOfTheirDate) {
  const auto cal = ny_office_with_exceptions();
  check_is_open(cal, {
      {"2026-12-24T11:00:00-05:00", true, "special hours"},
      {"2026-12-24T13:30:00-05:00", false, "special hours replace the afternoon"},
      {"2026-12-31T10:00:00-05:00", false, "closed day"},
      {"2026-11-26T11:00:00-05:00", true, "an exception beats a holiday"},
      {"2026-11-26T09:00:00-05:00", false, "its hours, not the weekly ones"},
      {"2026-11-26T15:00:00-05:00", false, "its hours, not the weekly ones"},
      {"2026-11-28T10:00:00-05:00", true, "a Saturday opens"},
      {"2026-11-28T11:00:00-05:00", false, "until 11:00"},
      {"2027-11-25T11:00:00-05:00", false, "Thanksgiving 2027 has no exception"},
  });
  check_add(cal, {
      {"2026-12-24T11:00:00-05:00", "2h", "2026-12-28T14:00:00Z", "short day, then Christmas"},
      {"2026-12-30T16:00:00-05:00", "2h", "2027-01-04T14:00:00Z", "closed 31st, New Year, weekend"},
      {"2026-11-25T16:00:00-05:00", "2h", "2026-11-26T16:00:00Z", "into Thanksgiving's special hours"},
      {"2026-11-27T16:00:00-05:00", "2h", "2026-11-28T15:00:00Z", "into the Saturday"},
  });
  check_elapsed(cal, {
      {"2026-12-24T00:00:00-05:00", "2026-12-25T00:00:00-05:00", "4h", "special hours"},
      {"2026-11-26T00:00:00-05:00", "2026-11-29T00:00:00-05:00", "14h", "Thu 4h, Fri 8h, Sat 2h"},
  });
  check_business_days(cal, {
      {"2026-11-25T10:00:00-05:00", 1, "2026-11-26T19:00:00Z", "Thanksgiving opened by an exception"},
      {"2026-11-25T10:00:00-05:00", 3, "2026-11-28T16:00:00Z", "the opened Saturday counts"},
      {"2026-12-30T10:00:00-05:00", 1, "2027-01-04T22:00:00Z", "the closed day does not count"},
  });
}

// --- midnight-crossing windows ------------------------------------------------

TEST(Calendar, AWindowAcrossMidnightBelongsToTheDayItStarts) {
  auto spec = mon_fri("UTC", "22:00-06:00");
  spec.holidays = {on_date("2026-11-24")};  // a Tuesday
  const auto cal = build(spec);
  check_is_open(cal, {
      {"2026-11-23T03:00:00Z", false, "Monday early: Sunday has no window"},
      {"2026-11-23T23:00:00Z", true, "Monday night"},
      {"2026-11-24T03:00:00Z", true, "Monday's window runs into the holiday"},
      {"2026-11-24T05:59:59Z", true, "Monday's window's last second"},
      {"2026-11-24T06:00:00Z", false, "Monday's window's end"},
      {"2026-11-24T23:00:00Z", false, "the holiday's own window is closed"},
      {"2026-11-25T03:00:00Z", false, "still the holiday's window"},
      {"2026-11-25T22:00:00Z", true, "Wednesday night"},
      {"2026-11-28T05:59:59Z", true, "Friday's window runs into Saturday"},
      {"2026-11-28T06:00:00Z", false, ""},
      {"2026-11-28T23:00:00Z", false, "Saturday has no window"},
  });
  check_add(cal, {
      {"2026-11-23T21:00:00Z", "1h", "2026-11-23T23:00:00Z", "Monday night"},
      {"2026-11-23T23:00:00Z", "8h", "2026-11-25T23:00:00Z", "over the holiday"},
      {"2026-11-27T23:00:00Z", "8h", "2026-11-30T23:00:00Z", "over the weekend"},
  });
  check_next_close(cal, {{"2026-11-23T23:00:00Z", "2026-11-24T06:00:00Z", "the next morning"}});
  check_next_open(cal, {{"2026-11-24T06:00:00Z", "2026-11-25T22:00:00Z", "after the holiday"}});
  check_elapsed(cal, {
      {"2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z", "32h", "four nights"},
  });
  check_business_days(cal, {
      {"2026-11-23T10:00:00Z", 1, "2026-11-26T06:00:00Z", "Wednesday's window closes on Thursday"},
      {"2026-11-26T10:00:00Z", 1, "2026-11-28T06:00:00Z", "Friday's window closes on Saturday"},
  });
  check_open_intervals(cal, {
      {"2026-11-23T00:00:00Z", "2026-11-26T00:00:00Z",
       "[2026-11-23T22:00:00Z - 2026-11-24T06:00:00Z, 2026-11-25T22:00:00Z - 2026-11-26T00:00:00Z]",
       "clipped"},
  });
}

// --- 24:00 ends, 00:00-00:00, touching and overlapping windows ----------------

TEST(Calendar, TwentyFourHundredEndsAndWholeDayWindows) {
  const auto cal = build(weekly("UTC", {
      "18:00-24:00",              // Monday, then Tuesday goes on from midnight
      "00:00-06:00",              //
      "00:00-00:00",              // Wednesday: a whole day (end <= start)
      "12:00-12:00",              // Thursday noon to Friday noon
      "",                         //
      "09:00-12:00 12:00-15:00",  // touching windows
      "09:00-13:00 11:00-17:00",  // overlapping windows: no double counting
  }));
  check_open_intervals(cal, {
      {"2026-11-23T00:00:00Z", "2026-11-24T12:00:00Z", "[2026-11-23T18:00:00Z - 2026-11-24T06:00:00Z]",
       "24:00 meets Tuesday's 00:00"},
      {"2026-11-25T00:00:00Z", "2026-11-28T00:00:00Z",
       "[2026-11-25T00:00:00Z - 2026-11-26T00:00:00Z, 2026-11-26T12:00:00Z - 2026-11-27T12:00:00Z]",
       "whole days"},
      {"2026-11-28T00:00:00Z", "2026-11-29T00:00:00Z", "[2026-11-28T09:00:00Z - 2026-11-28T15:00:00Z]",
       "touching windows merge"},
      {"2026-11-29T00:00:00Z", "2026-11-30T00:00:00Z", "[2026-11-29T09:00:00Z - 2026-11-29T17:00:00Z]",
       "overlapping windows merge"},
      {"2026-11-23T19:00:00Z", "2026-11-23T19:00:00Z", "[]", "empty span"},
      {"2026-11-23T20:00:00Z", "2026-11-23T19:00:00Z", "[]", "reversed span"},
  });
  check_elapsed(cal, {
      {"2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z", "74h", "6 + 6 + 24 + 24 + 6 + 8"},
      {"2026-11-29T00:00:00Z", "2026-11-30T00:00:00Z", "8h", "overlap counted once"},
  });
  check_next_close(cal, {
      {"2026-11-23T20:00:00Z", "2026-11-24T06:00:00Z", "through midnight"},
      {"2026-11-28T11:00:00Z", "2026-11-28T15:00:00Z", "through touching windows"},
      {"2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z", "a whole day"},
  });
  check_is_open(cal, {
      {"2026-11-25T23:59:59Z", true, "Wednesday's last second"},
      {"2026-11-26T00:00:00Z", false, "Thursday before noon"},
      {"2026-11-27T11:59:59Z", true, "Thursday's window on Friday"},
      {"2026-11-27T12:00:00Z", false, ""},
  });
  check_add(cal, {
      {"2026-11-23T23:00:00Z", "2h", "2026-11-24T01:00:00Z", "through 24:00"},
      {"2026-11-28T11:00:00Z", "2h", "2026-11-28T13:00:00Z", "through touching windows"},
      {"2026-11-29T12:00:00Z", "5h", "2026-11-29T17:00:00Z", "through overlapping windows"},
  });
  check_business_days(cal, {
      {"2026-11-26T10:00:00Z", 1, "2026-11-28T15:00:00Z", "Friday has no window of its own"},
      {"2026-11-22T10:00:00Z", 1, "2026-11-24T00:00:00Z", "Monday's window ends at 24:00"},
      {"2026-11-24T10:00:00Z", 1, "2026-11-26T00:00:00Z", "Wednesday's whole day"},
  });
}

// --- DST gaps and overlaps (see docs/calendars.md) -----------------------------------

TEST(Calendar, NewYorkWindowsOnDstNightsFollowTheFirstReachRule) {
  auto spec = never_open("America/New_York");
  spec.exceptions[date("2026-03-08")] = windows("02:30-04:00");  // spring forward
  spec.exceptions[date("2027-03-14")] = windows("02:00-03:00");  // spring forward
  spec.exceptions[date("2026-11-01")] = windows("01:30-03:00");  // fall back
  spec.exceptions[date("2027-11-07")] = windows("01:30-01:45");  // fall back
  spec.exceptions[date("2028-03-12")] = windows("00:00-02:30");  // spring forward
  spec.exceptions[date("2029-03-10")] = windows("22:00-06:00");  // Saturday before spring forward
  spec.exceptions[date("2029-11-03")] = windows("22:00-06:00");  // Saturday before fall back
  const auto cal = build(spec);
  check_open_intervals(cal, {
      {"2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z", "[2026-03-08T07:00:00Z - 2026-03-08T08:00:00Z]",
       "02:30-04:00 opens at 03:00 EDT and lasts one hour"},
      {"2027-03-13T00:00:00Z", "2027-03-16T00:00:00Z", "[]", "02:00-03:00 holds no time"},
      {"2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z", "[2026-11-01T05:30:00Z - 2026-11-01T08:00:00Z]",
       "01:30-03:00 runs from the first 01:30 to 03:00 EST"},
      {"2027-11-06T00:00:00Z", "2027-11-09T00:00:00Z", "[2027-11-07T05:30:00Z - 2027-11-07T05:45:00Z]",
       "01:30-01:45 is open at its first occurrence only"},
      {"2028-03-11T00:00:00Z", "2028-03-14T00:00:00Z", "[2028-03-12T05:00:00Z - 2028-03-12T07:00:00Z]",
       "an end in the gap is reached at the change"},
      {"2029-03-09T00:00:00Z", "2029-03-13T00:00:00Z", "[2029-03-11T03:00:00Z - 2029-03-11T10:00:00Z]",
       "22:00-06:00 across spring forward: 7h"},
      {"2029-11-02T00:00:00Z", "2029-11-06T00:00:00Z", "[2029-11-04T02:00:00Z - 2029-11-04T11:00:00Z]",
       "22:00-06:00 across fall back: 9h"},
  });
  check_elapsed(cal, {
      {"2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00", "1h", "rule: one hour"},
      {"2027-03-14T00:00:00-05:00", "2027-03-15T00:00:00-04:00", "0s", "rule: no time"},
      {"2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", "2h30m", "rule: two and a half hours"},
  });
  check_add(cal, {
      {"2026-03-07T12:00:00Z", "1h", "2026-03-08T08:00:00Z", "the whole shortened window"},
      {"2026-03-07T12:00:00Z", "1h1s", "2026-11-01T05:30:01Z", "then the next window"},
      {"2026-11-01T05:30:00Z", "2h30m", "2026-11-01T08:00:00Z", "the whole lengthened window"},
      {"2026-11-01T01:45:00-05:00", "15m", "2026-11-01T07:00:00Z", "the second 01:45 is open too"},
  });
  check_business_days(cal, {
      {"2027-03-13T12:00:00Z", 1, "2027-11-07T05:45:00Z", "a day whose only window holds no time is not open"},
      {"2026-03-07T12:00:00Z", 1, "2026-03-08T08:00:00Z", "the spring-forward day"},
  });
}

TEST(Calendar, DstInANormalWeeklyWindow) {
  // Sunday 01:00-03:00 every week in New York.
  const auto cal = build(weekly("America/New_York", {"", "", "", "", "", "", "01:00-03:00"}));
  check_elapsed(cal, {
      {"2026-03-01T00:00:00-05:00", "2026-03-02T00:00:00-05:00", "2h", "a normal Sunday"},
      {"2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00", "1h", "spring forward"},
      {"2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", "3h", "fall back"},
  });
  check_is_open(cal, {
      {"2026-11-01T01:30:00-04:00", true, "first 01:30"},
      {"2026-11-01T01:30:00-05:00", true, "second 01:30"},
      {"2026-11-01T02:59:59-05:00", true, "02:59:59 EST"},
      {"2026-11-01T03:00:00-05:00", false, "03:00 EST"},
      {"2026-03-08T03:00:00-04:00", false, "03:00 EDT, the window's end"},
      {"2026-03-08T01:59:59-05:00", true, ""},
  });
  check_next_close(cal, {{"2026-03-08T01:00:00-05:00", "2026-03-08T07:00:00Z", "at the change"}});
}

TEST(Calendar, LondonWindowsOnDstNights) {
  auto spec = never_open("Europe/London");
  spec.exceptions[date("2026-03-29")] = windows("00:30-01:30");  // 01:00 GMT -> 02:00 BST
  spec.exceptions[date("2027-03-28")] = windows("01:00-02:00");  // the whole gap
  spec.exceptions[date("2026-10-25")] = windows("00:30-02:30");  // 02:00 BST -> 01:00 GMT
  spec.exceptions[date("2027-10-30")] = windows("22:00-06:00");  // Saturday before fall back
  const auto cal = build(spec);
  check_open_intervals(cal, {
      {"2026-03-28T00:00:00Z", "2026-03-31T00:00:00Z", "[2026-03-29T00:30:00Z - 2026-03-29T01:00:00Z]",
       "ends at the change: 30 minutes"},
      {"2027-03-27T00:00:00Z", "2027-03-30T00:00:00Z", "[]", "the skipped hour holds no time"},
      {"2026-10-24T00:00:00Z", "2026-10-27T00:00:00Z", "[2026-10-24T23:30:00Z - 2026-10-25T02:30:00Z]",
       "three hours"},
      {"2027-10-29T00:00:00Z", "2027-11-02T00:00:00Z", "[2027-10-30T21:00:00Z - 2027-10-31T06:00:00Z]",
       "22:00 BST to 06:00 GMT: nine hours"},
  });
  const auto office = build(mon_fri("Europe/London", "09:00-17:30"));
  check_open_intervals(office, {
      {"2026-07-15T00:00:00Z", "2026-07-16T00:00:00Z", "[2026-07-15T08:00:00Z - 2026-07-15T16:30:00Z]", "BST"},
      {"2026-01-14T00:00:00Z", "2026-01-15T00:00:00Z", "[2026-01-14T09:00:00Z - 2026-01-14T17:30:00Z]", "GMT"},
  });
  check_add(office, {
      {"2026-03-27T16:30:00Z", "2h", "2026-03-30T09:00:00Z", "Friday GMT to Monday BST"},
      {"2026-10-23T16:30:00+01:00", "2h", "2026-10-26T10:00:00Z", "Friday BST to Monday GMT"},
  });
}

TEST(Calendar, LordHoweShiftsByHalfAnHour) {
  auto spec = never_open("Australia/Lord_Howe");
  spec.exceptions[date("2026-10-04")] = windows("01:00-03:00");  // 02:00 -> 02:30
  spec.exceptions[date("2027-10-03")] = windows("02:00-02:30");  // the whole gap
  spec.exceptions[date("2026-04-05")] = windows("01:00-03:00");  // 02:00 -> 01:30
  spec.exceptions[date("2027-04-04")] = windows("01:30-02:00");  // the repeated half hour
  const auto cal = build(spec);
  check_open_intervals(cal, {
      {"2026-10-02T00:00:00Z", "2026-10-06T00:00:00Z", "[2026-10-03T14:30:00Z - 2026-10-03T16:00:00Z]",
       "spring forward: 1h30m"},
      {"2027-10-01T00:00:00Z", "2027-10-05T00:00:00Z", "[]", "the skipped half hour holds no time"},
      {"2026-04-03T00:00:00Z", "2026-04-07T00:00:00Z", "[2026-04-04T14:00:00Z - 2026-04-04T16:30:00Z]",
       "fall back: 2h30m"},
      {"2027-04-02T00:00:00Z", "2027-04-06T00:00:00Z", "[2027-04-03T14:30:00Z - 2027-04-03T15:30:00Z]",
       "01:30-02:00 covers both runs of the repeated half hour"},
  });
  check_add(cal, {
      {"2026-10-03T14:00:00Z", "1h30m", "2026-10-03T16:00:00Z", "the whole window"},
      {"2026-10-04T01:00:00+10:30", "30m", "2026-10-03T15:00:00Z", "half an hour in"},
  });
  check_subtract(cal, {{"2026-04-04T16:30:00Z", "2h30m", "2026-04-04T14:00:00Z", "the whole window"}});
}

// --- half-hour zone -----------------------------------------------------------

TEST(Calendar, KolkataHalfHourOffset) {
  const auto cal = build(mon_fri("Asia/Kolkata", "09:30-18:00"));
  check_add(cal, {
      {"2026-11-23T09:30:00+05:30", "8h30m", "2026-11-23T12:30:00Z", "a whole day"},
      {"2026-11-20T17:00:00+05:30", "2h", "2026-11-23T05:00:00Z", "Friday to Monday"},
      {"2026-11-22T20:30:00Z", "1h", "2026-11-23T05:00:00Z", "Sunday 20:30Z is Monday 02:00 IST"},
  });
  check_is_open(cal, {
      {"2026-11-23T04:00:00Z", true, "09:30 IST"},
      {"2026-11-23T03:59:59Z", false, ""},
      {"2026-11-23T12:30:00Z", false, "18:00 IST"},
      {"2026-11-22T20:30:00Z", false, "Monday 02:00 IST"},
  });
  check_business_days(cal, {
      {"2026-11-22T20:30:00Z", 1, "2026-11-24T12:30:00Z", "the local date is Monday"},
      {"2026-11-22T18:29:59Z", 1, "2026-11-23T12:30:00Z", "the local date is still Sunday"},
  });
  check_elapsed(cal, {{"2026-11-22T18:30:00Z", "2026-11-29T18:30:00Z", "42h30m", "a local week"}});
}

// --- Feb 29 and year ends -----------------------------------------------------

TEST(Calendar, LeapDays) {
  const auto plain = build(mon_fri("UTC", "09:00-17:00"));
  auto with_holiday = mon_fri("UTC", "09:00-17:00");
  with_holiday.holidays = {fixed_day("Leap day", 2, 29)};
  const auto closed = build(with_holiday);
  auto special = with_holiday;
  special.exceptions[date("2028-02-29")] = windows("12:00-13:00");
  const auto reopened = build(special);

  check_add(plain, {{"2028-02-28T16:00:00Z", "2h", "2028-02-29T10:00:00Z", "into Feb 29"}});
  check_add(closed, {{"2028-02-28T16:00:00Z", "2h", "2028-03-01T10:00:00Z", "over a Feb 29 holiday"}});
  check_elapsed(plain, {
      {"2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z", "168h", "21 weekdays"},
      {"2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z", "160h", "20 weekdays"},
  });
  check_elapsed(closed, {
      {"2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z", "160h", "Feb 29 closed"},
      {"2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z", "160h", "no Feb 29 in 2027"},
  });
  check_elapsed(reopened, {
      {"2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z", "161h", "the exception beats the holiday"},
  });
  check_business_days(closed, {{"2028-02-28T10:00:00Z", 1, "2028-03-01T17:00:00Z", "Feb 29 is not open"}});
  check_business_days(plain, {{"2028-02-28T10:00:00Z", 1, "2028-02-29T17:00:00Z", "Feb 29 is open"}});
}

TEST(Calendar, ArithmeticAcrossYearEnds) {
  const auto cal = build(mon_fri("UTC", "09:00-17:00"));
  check_add(cal, {
      {"2026-12-31T16:00:00Z", "2h", "2027-01-01T10:00:00Z", "into the next year"},
      {"2027-12-31T16:00:00Z", "2h", "2028-01-03T10:00:00Z", "into the next year, over a weekend"},
      {"2026-01-01T00:00:00Z", "4176h", "2027-12-31T17:00:00Z", "two whole years"},
      {"2026-01-01T00:00:00Z", "4176h1s", "2028-01-03T09:00:01Z", "two years and a second"},
  });
  check_subtract(cal, {
      {"2027-01-01T10:00:00Z", "2h", "2026-12-31T16:00:00Z", "into the year before"},
      {"2027-12-31T17:00:00Z", "4176h", "2026-01-01T09:00:00Z", "two whole years"},
  });
  check_elapsed(cal, {
      {"2026-12-31T16:00:00Z", "2027-01-01T10:00:00Z", "2h", ""},
      {"2026-01-01T00:00:00Z", "2028-01-01T00:00:00Z", "4176h", "522 weekdays"},
      {"2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z", "20872h", "ten years, 2609 weekdays"},
  });
  check_business_days(cal, {{"2026-12-31T10:00:00Z", 1, "2027-01-01T17:00:00Z", "into the next year"}});

  const duly::calendar always;  // 24x7 UTC
  check_add(always, {{"2026-12-31T23:00:00Z", "2h", "2027-01-01T01:00:00Z", "24x7"}});
  check_open_intervals(always, {
      {"2026-12-31T20:00:00Z", "2027-01-01T04:00:00Z", "[2026-12-31T20:00:00Z - 2027-01-01T04:00:00Z]",
       "one interval across the year end"},
  });
  check_elapsed(always, {{"2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z", "3653d", "ten years of wall time"}});

  auto nights = mon_fri("UTC", "22:00-06:00");
  nights.holidays = {on_date("2027-01-01")};
  check_is_open(build(nights), {
      {"2027-01-01T03:00:00Z", true, "New Year's Eve's window runs into the holiday"},
      {"2027-01-01T23:00:00Z", false, "the holiday's own window"},
  });
}

// --- other operations ---------------------------------------------------------

TEST(Calendar, OpenIntervalsAreMergedAndClipped) {
  check_open_intervals(ny_office(), {
      {"2026-11-23T00:00:00-05:00", "2026-11-25T00:00:00-05:00",
       "[2026-11-23T13:00:00Z - 2026-11-23T17:00:00Z, 2026-11-23T18:00:00Z - 2026-11-23T22:00:00Z, "
       "2026-11-24T13:00:00Z - 2026-11-24T17:00:00Z, 2026-11-24T18:00:00Z - 2026-11-24T22:00:00Z]",
       "two days"},
      {"2026-11-23T10:00:00-05:00", "2026-11-23T14:00:00-05:00",
       "[2026-11-23T15:00:00Z - 2026-11-23T17:00:00Z, 2026-11-23T18:00:00Z - 2026-11-23T19:00:00Z]",
       "clipped at both ends"},
      {"2026-11-21T00:00:00-05:00", "2026-11-23T00:00:00-05:00", "[]", "a weekend"},
  });
}

TEST(Calendar, DefaultCalendarIsOpenAroundTheClockInUtc) {
  const duly::calendar cal;
  EXPECT_EQ(cal.zone().name(), "UTC");
  EXPECT_EQ(cal.spec().timezone, "UTC");
  EXPECT_FALSE(cal.spec().hours.has_value());
  check_add(cal, {{"2026-11-23T15:30:00Z", "4h", "2026-11-23T19:30:00Z", ""}});
  check_subtract(cal, {{"2026-11-23T15:30:00Z", "4h", "2026-11-23T11:30:00Z", ""}});
  check_is_open(cal, {{"2026-11-21T03:00:00Z", true, "a Saturday night"}});
  check_next_open(cal, {{"2026-11-21T03:00:00Z", "2026-11-21T03:00:00Z", ""}});
  // A spec without hours is 24x7 too, in its own zone.
  duly::calendar_spec spec;
  spec.timezone = "America/New_York";
  spec.holidays = {on_date("2026-11-26")};
  const auto ny = build(spec);
  check_elapsed(ny, {
      {"2026-11-23T00:00:00-05:00", "2026-11-30T00:00:00-05:00", "6d", "a week minus Thanksgiving"},
      {"2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", "25h", "the fall-back day"},
  });
  check_next_close(ny, {{"2026-11-24T12:00:00Z", "2026-11-26T05:00:00Z", "the holiday's local midnight"}});
}

TEST(Calendar, WithZoneReadsTheSameHoursElsewhere) {
  const auto ny = ny_office();
  const auto london_zone = duly::time_zone::locate("Europe/London");
  ASSERT_TRUE(london_zone.has_value());
  const auto london = ny.with_zone(*london_zone);
  EXPECT_EQ(london.zone().name(), "Europe/London");
  EXPECT_EQ(london.spec().timezone, "Europe/London");
  EXPECT_EQ(ny.zone().name(), "America/New_York");
  check_is_open(london, {
      {"2026-11-23T08:00:00Z", true, "08:00 GMT"},
      {"2026-11-23T17:00:00Z", false, "17:00 GMT"},
  });
  check_is_open(ny, {{"2026-11-23T08:00:00Z", false, "03:00 EST"}});
}

TEST(Calendar, MakeReportsEveryProblemInASpec) {
  auto spec = mon_fri("Mars/Base", "09:00-17:00");
  (*spec.hours)[0].push_back({duly::time_of_day{1440}, duly::time_of_day{1440}});
  spec.holidays = {nth_weekday("Bad", 11, std::chrono::Thursday, 6), fixed_day("No such day", 2, 30)};
  const auto cal = duly::calendar::make(spec);
  ASSERT_FALSE(cal.has_value());
  EXPECT_EQ(cal.error().code(), errc::unknown_zone);
  EXPECT_EQ(cal.error().message(),
            "timezone: unknown time zone 'Mars/Base': not in the system tz database (/usr/share/zoneinfo)\n"
            "hours.mon[1]: window start 1440 min must be 00:00 to 23:59\n"
            "holidays[0].nth: must be 1 to 5, or -1 (last) to -5, got 6\n"
            "holidays[1].day: day 30 does not exist in month 2");
}

// --- errors ---------------------------------------------------------------------

TEST(Calendar, NeverOpenCalendarFailsInsteadOfLooping) {
  const auto cal = build(never_open("America/New_York"));
  const auto t = at("2026-11-23T15:30:00Z");
  const auto add = cal.add(t, 1h);
  ASSERT_FALSE(add.has_value());
  EXPECT_EQ(add.error().code(), errc::never_open);
  EXPECT_EQ(add.error().message(), "calendar has no open time within ten years after 2026-11-23T15:30:00Z");
  const auto next = cal.next_open(t);
  ASSERT_FALSE(next.has_value());
  EXPECT_EQ(next.error().code(), errc::never_open);
  EXPECT_EQ(next.error().message(), "calendar has no open time within ten years after 2026-11-23T15:30:00Z");
  const auto sub = cal.subtract(t, 1h);
  ASSERT_FALSE(sub.has_value());
  EXPECT_EQ(sub.error().code(), errc::never_open);
  EXPECT_EQ(sub.error().message(), "calendar has no open time within ten years before 2026-11-23T15:30:00Z");
  const auto bd = cal.add_business_days(t, 1);
  ASSERT_FALSE(bd.has_value());
  EXPECT_EQ(bd.error().code(), errc::never_open);
  EXPECT_EQ(bd.error().message(), "calendar has no open day within ten years after 2026-11-23T15:30:00Z");
  // What does not search still answers.
  EXPECT_EQ(cal.elapsed(t, t + 24h * 365), 0s);
  EXPECT_FALSE(cal.is_open(t));
  EXPECT_EQ(show(cal.next_close(t)), "2026-11-23T15:30:00Z");
  EXPECT_EQ(show(cal.open_intervals(t, t + 24h * 30)), "[]");
  EXPECT_EQ(show(cal.add(t, 0s)), "2026-11-23T15:30:00Z");
}

// A year whose table holds one, two or three intervals (the searches' smallest
// sizes): is_open, elapsed, add and subtract at every boundary and a second
// either side, against the intervals summed by hand.
TEST(Calendar, YearsOfOneTwoOrThreeIntervals) {
  const std::vector<std::string> days = {"2031-03-03", "2031-06-02", "2031-09-01"};
  for (std::size_t n = 1; n <= days.size(); ++n) {
    SCOPED_TRACE(n);
    auto spec = never_open("UTC");
    std::vector<std::pair<std::int64_t, std::int64_t>> open;  // the intervals, as seconds
    for (std::size_t k = 0; k < n; ++k) {
      spec.exceptions[date(days[k])] = windows("09:00-10:00");
      const auto from = at(days[k] + "T09:00:00Z").time_since_epoch().count();
      open.emplace_back(from, from + 3600);
    }
    const auto cal = build(spec);
    const auto elapsed = [&](std::int64_t a, std::int64_t b) {
      std::int64_t sum = 0;
      for (const auto& [s, e] : open) sum += std::max<std::int64_t>(0, std::min(b, e) - std::max(a, s));
      return sum;
    };
    std::vector<std::int64_t> probes;
    for (const auto& [s, e] : open)
      for (const std::int64_t d : {-1, 0, 1}) {
        probes.push_back(s + d);
        probes.push_back(e + d);
      }
    probes.push_back(at("2031-01-01T00:00:00Z").time_since_epoch().count());
    probes.push_back(at("2031-12-31T23:59:59Z").time_since_epoch().count());
    for (const std::int64_t t : probes) {
      const instant ti{duly::seconds{t}};
      bool inside = false;
      for (const auto& [s, e] : open) inside = inside || (t >= s && t < e);
      EXPECT_EQ(cal.is_open(ti), inside) << duly::format_instant(ti);
      for (const std::int64_t u : probes) {
        if (u >= t) {
          EXPECT_EQ(cal.elapsed(ti, instant{duly::seconds{u}}).count(), elapsed(t, u)) << t << " " << u;
        }
      }
      // add: the first instant by which d open seconds have passed (none left in
      // the year: no open time for ten years, an error); subtract the other way.
      for (const std::int64_t d : {std::int64_t{1}, std::int64_t{1800}, std::int64_t{3600}, std::int64_t{3601}}) {
        std::optional<std::int64_t> want;
        for (const auto& [s, e] : open) {
          if (want || e <= t) continue;
          const std::int64_t need = d - elapsed(t, s);
          if (std::max(t, s) + need <= e && need > 0) want = std::max(t, s) + need;
        }
        const auto got = cal.add(ti, duly::seconds{d});
        EXPECT_EQ(got.has_value(), want.has_value()) << duly::format_instant(ti) << " + " << d;
        if (got && want) {
          EXPECT_EQ(got->time_since_epoch().count(), *want) << duly::format_instant(ti) << " + " << d;
        }
        std::optional<std::int64_t> back;
        for (auto it = open.rbegin(); it != open.rend(); ++it) {
          const auto [s, e] = *it;
          if (back || s >= t) continue;
          const std::int64_t need = d - elapsed(e, t);
          if (std::min(t, e) - need >= s && need > 0) back = std::min(t, e) - need;
        }
        const auto sub = cal.subtract(ti, duly::seconds{d});
        EXPECT_EQ(sub.has_value(), back.has_value()) << duly::format_instant(ti) << " - " << d;
        if (sub && back) {
          EXPECT_EQ(sub->time_since_epoch().count(), *back) << duly::format_instant(ti) << " - " << d;
        }
      }
    }
  }
}

TEST(Calendar, OpenTimeYearsAwayIsFound) {
  auto spec = never_open("America/New_York");
  spec.exceptions[date("2030-06-03")] = windows("09:00-10:00");
  const auto cal = build(spec);
  EXPECT_EQ(show(cal.next_open(at("2026-11-23T15:30:00Z"))), "2030-06-03T13:00:00Z");
  EXPECT_EQ(show(cal.add(at("2026-11-23T15:30:00Z"), 30min)), "2030-06-03T13:30:00Z");
  EXPECT_EQ(show(cal.subtract(at("2034-01-01T00:00:00Z"), 30min)), "2030-06-03T13:30:00Z");
  EXPECT_EQ(show(cal.add_business_days(at("2026-11-23T15:30:00Z"), 1)), "2030-06-03T14:00:00Z");
}

TEST(Calendar, YearsOutsideTheSupportedRangeAreErrors) {
  const auto cal = ny_office();
  struct row {
    const char* t;
    const char* text;
  };
  for (const auto& r : {row{"1969-12-31T12:00:00Z", "1969-12-31T12:00:00Z"},
                        row{"2200-01-01T00:00:00Z", "2200-01-01T00:00:00Z"},
                        row{"2200-06-01T12:00:00Z", "2200-06-01T12:00:00Z"}}) {
    SCOPED_TRACE(r.t);
    const std::string expected =
        std::string("error(out_of_range): instant ") + r.text + " is outside the supported years 1970 to 2199";
    const auto t = at(r.t);
    EXPECT_EQ(show(cal.add(t, 1h)), expected);
    EXPECT_EQ(show(cal.next_open(t)), expected);
    EXPECT_EQ(show(cal.next_close(t)), expected);
    EXPECT_EQ(show(cal.add_business_days(t, 1)), expected);
    EXPECT_FALSE(cal.is_open(t));
    // 2200-01-01T00:00:00Z itself may end a span (it is the end of the range).
    if (t == duly::max_supported_instant) continue;
    const auto tried = cal.try_elapsed(t, at("2026-01-01T00:00:00Z"));
    ASSERT_FALSE(tried.has_value());
    EXPECT_EQ(tried.error().code(), errc::out_of_range);
    EXPECT_EQ(tried.error().message(), expected.substr(std::string("error(out_of_range): ").size()));
    const auto other = at("2026-01-01T00:00:00Z");
    EXPECT_EQ(show(cal.open_intervals(std::min(t, other), std::max(t, other))), expected);
  }
  // The end of the range as the end of a span.
  EXPECT_EQ(show(cal.open_intervals(at("2199-12-30T00:00:00Z"), duly::max_supported_instant)),
            "[2199-12-30T13:00:00Z - 2199-12-30T17:00:00Z, 2199-12-30T18:00:00Z - 2199-12-30T22:00:00Z, "
            "2199-12-31T13:00:00Z - 2199-12-31T17:00:00Z, 2199-12-31T18:00:00Z - 2199-12-31T22:00:00Z]");
  EXPECT_EQ(cal.elapsed(at("2199-12-30T00:00:00Z"), duly::max_supported_instant), 16h);
  EXPECT_EQ(show(cal.subtract(at("1969-12-31T12:00:00Z"), 1h)),
            "error(out_of_range): instant 1969-12-31T12:00:00Z is outside the supported years 1970 to 2199");
  EXPECT_EQ(show(cal.subtract(at("2200-01-01T00:00:01Z"), 1h)),
            "error(out_of_range): instant 2200-01-01T00:00:01Z is outside the supported years 1970 to 2199");

  // Results that would leave the range are errors too, not wrong answers.
  const duly::calendar always;
  EXPECT_EQ(show(always.add(at("2199-12-31T23:00:00Z"), 2h)),
            "error(out_of_range): deadline 2h after 2199-12-31T23:00:00Z falls after the supported years "
            "1970 to 2199");
  EXPECT_EQ(show(always.subtract(at("1970-01-01T01:00:00Z"), 2h)),
            "error(out_of_range): 2h before 1970-01-01T01:00:00Z falls before the supported years 1970 to 2199");
  EXPECT_EQ(show(always.subtract(at("2200-01-01T00:00:00Z"), 1h)), "2199-12-31T23:00:00Z");

  // elapsed() leaves out open time outside the range; try_elapsed() refuses.
  EXPECT_EQ(always.elapsed(at("1969-12-31T00:00:00Z"), at("1970-01-01T01:00:00Z")), 1h);
  EXPECT_EQ(always.elapsed(at("2199-12-31T23:00:00Z"), at("2200-01-02T00:00:00Z")), 1h);
  // At the edges themselves.
  EXPECT_EQ(show(always.add(at("1970-01-01T00:00:00Z"), 1h)), "1970-01-01T01:00:00Z");
  EXPECT_EQ(show(cal.add(at("2199-12-30T12:00:00Z"), 1h)), "2199-12-30T14:00:00Z");
}

// STYLE: saturate instead of overflowing. Durations too long for the supported
// years are errors, never wrapped-around instants.
TEST(Calendar, HugeDurationsAreErrorsNotOverflows) {
  const duly::calendar always;
  const auto cal = ny_office();
  const auto t = at("2026-11-23T15:30:00Z");
  for (const auto* c : {&always, &cal}) {
    for (const auto d : {duly::max_duration, duly::seconds::max(), duly::seconds::max() - 1s}) {
      SCOPED_TRACE(std::to_string(d.count()) + "s");
      EXPECT_EQ(show(c->add(t, d)).substr(0, 20), "error(out_of_range):") << show(c->add(t, d));
      EXPECT_EQ(show(c->subtract(t, d)).substr(0, 20), "error(out_of_range):") << show(c->subtract(t, d));
    }
  }
}

// add() and subtract() take d >= 0; the most negative duration must still
// come back as a value (the library turns a negative add into a subtract),
// not recurse until the stack runs out.
TEST(Calendar, MostNegativeDurationDoesNotCrash) {
  const duly::calendar always;
  const auto t = at("2026-11-23T15:30:00Z");
  EXPECT_FALSE(always.add(t, duly::seconds::min()).has_value());
  EXPECT_FALSE(always.subtract(t, duly::seconds::min()).has_value());
}

// An instant in the supported range whose local date is still 1969 (New York
// at 1970-01-01T02:00Z) has an answer in range too.
TEST(Calendar, BusinessDaysFromTheFirstLocalHoursOf1970) {
  duly::calendar_spec spec;
  spec.timezone = "America/New_York";
  const auto cal = build(spec);
  check_business_days(cal, {
      {"1970-01-01T02:00:00Z", 1, "1970-01-02T05:00:00Z", "local date 1969-12-31: the next is Jan 1st"},
      {"1970-01-01T05:00:00Z", 1, "1970-01-03T05:00:00Z", "local date 1970-01-01"},
  });
  check_next_open(cal, {{"1970-01-01T02:00:00Z", "1970-01-01T02:00:00Z", "open around the clock"}});
}

TEST(Calendar, AroundTheClockCalendarNeverCloses) {
  const duly::calendar always;
  const auto got = always.next_close(at("2026-11-23T15:30:00Z"));
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().code(), errc::never_closes);
  EXPECT_EQ(got.error().message(), "calendar does not close within ten years after 2026-11-23T15:30:00Z");

  // Closing once, years later, is found.
  duly::calendar_spec spec;
  spec.holidays = {on_date("2030-01-01")};
  check_next_close(build(spec), {{"2026-11-23T15:30:00Z", "2030-01-01T00:00:00Z", "a holiday years later"}});
}

// --- thread safety ------------------------------------------------------------

TEST(Calendar, IsSafeToShareBetweenThreadsWhileItBuildsItsTables) {
  const auto expected_cal = ny_office_with_holidays();
  std::vector<std::string> expected;
  for (int k = 0; k < 400; ++k) {
    const auto t = at("2026-01-01T00:00:00Z") + std::chrono::hours{k * 97};
    expected.push_back(show(expected_cal.add(t, std::chrono::hours{k % 50 + 1})));
  }
  const auto shared = ny_office_with_holidays();  // fresh: no table built yet
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      for (int k = 0; k < 400; ++k) {
        const int i = (k * 7 + w * 101) % 400;
        const auto t = at("2026-01-01T00:00:00Z") + std::chrono::hours{i * 97};
        if (show(shared.add(t, std::chrono::hours{i % 50 + 1})) != expected[static_cast<std::size_t>(i)])
          ++mismatches[static_cast<std::size_t>(w)];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int w = 0; w < 4; ++w) EXPECT_EQ(mismatches[static_cast<std::size_t>(w)], 0) << "thread " << w;
}

// --- calendar documents (YAML and JSON) ----------------------------------------

// the example document of docs/calendars.md, and the same in JSON.
constexpr const char* spec_yaml = R"(timezone: America/Denver          # default UTC
hours:                            # absent = open 24x7
  mon-fri: ["08:00-12:00", "13:00-17:00"]
  sat: "09:00-13:00"
holidays:
  - 2026-12-25                               # a date
  - {name: Thanksgiving, month: 11, weekday: thu, nth: 4}
  - {name: Memorial Day, month: 5, weekday: mon, nth: -1}   # last Monday
  - {name: Christmas, month: 12, day: 25, observed: nearest_weekday}
  - {name: Easter Monday, easter: 1}         # days from Western Easter Sunday
exceptions:
  2026-12-24: ["08:00-12:00"]                # special hours replace that date's hours
  2026-12-31: []                             # closed
)";

constexpr const char* spec_json = R"({
  "timezone": "America/Denver",
  "hours": {"mon-fri": ["08:00-12:00", "13:00-17:00"], "sat": "09:00-13:00"},
  "holidays": [
    "2026-12-25",
    {"name": "Thanksgiving", "month": 11, "weekday": "thu", "nth": 4},
    {"name": "Memorial Day", "month": 5, "weekday": "mon", "nth": -1},
    {"name": "Christmas", "month": 12, "day": 25, "observed": "nearest_weekday"},
    {"name": "Easter Monday", "easter": 1}
  ],
  "exceptions": {"2026-12-24": ["08:00-12:00"], "2026-12-31": []}
}
)";

std::string describe(const std::vector<duly::window>& ws) {
  std::string out;
  for (const auto& w : ws) out += " " + w.start.to_string() + "-" + w.end.to_string();
  return out.empty() ? " closed" : out;
}

// Every field of a spec, one per line.
std::string describe(const duly::calendar_spec& spec) {
  static constexpr const char* names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  static constexpr const char* kinds[] = {"date", "fixed_day", "nth_weekday", "easter"};
  static constexpr const char* observed[] = {"none", "nearest_weekday", "next_weekday", "previous_weekday"};
  std::string out = "timezone " + spec.timezone + "\n";
  if (!spec.hours) {
    out += "hours 24x7\n";
  } else {
    for (std::size_t d = 0; d < 7; ++d) out += std::string(names[d]) + ":" + describe((*spec.hours)[d]) + "\n";
  }
  for (const auto& h : spec.holidays) {
    out += std::string("holiday ") + kinds[static_cast<int>(h.type)] + " '" + h.name + "'";
    switch (h.type) {
      case duly::holiday_rule::kind::date:
        out += " " + duly::format_instant(instant{sys_days{h.date}}).substr(0, 10);
        break;
      case duly::holiday_rule::kind::fixed_day:
        out += " " + std::to_string(h.month) + "/" + std::to_string(h.day) + " " +
               observed[static_cast<int>(h.observed)];
        break;
      case duly::holiday_rule::kind::nth_weekday:
        out += " month " + std::to_string(h.month) + " weekday " + std::to_string(h.weekday.iso_encoding()) +
               " nth " + std::to_string(h.nth);
        break;
      case duly::holiday_rule::kind::easter:
        out += " " + std::to_string(h.offset_days);
        break;
    }
    out += "\n";
  }
  for (const auto& [d, ws] : spec.exceptions)
    out += "exception " + duly::format_instant(instant{d}).substr(0, 10) + ":" + describe(ws) + "\n";
  return out;
}

TEST(CalendarParse, YamlAndJsonGiveTheSameSpec) {
  const auto yaml = duly::parse_calendar_spec(spec_yaml);
  ASSERT_TRUE(yaml.has_value()) << yaml.error().render();
  const auto json = duly::parse_calendar_spec(spec_json);
  ASSERT_TRUE(json.has_value()) << json.error().render();
  EXPECT_EQ(describe(*yaml), describe(*json));
  EXPECT_EQ(describe(*yaml),
            "timezone America/Denver\n"
            "mon: 08:00-12:00 13:00-17:00\n"
            "tue: 08:00-12:00 13:00-17:00\n"
            "wed: 08:00-12:00 13:00-17:00\n"
            "thu: 08:00-12:00 13:00-17:00\n"
            "fri: 08:00-12:00 13:00-17:00\n"
            "sat: 09:00-13:00\n"
            "sun: closed\n"
            "holiday date '2026-12-25' 2026-12-25\n"
            "holiday nth_weekday 'Thanksgiving' month 11 weekday 4 nth 4\n"
            "holiday nth_weekday 'Memorial Day' month 5 weekday 1 nth -1\n"
            "holiday fixed_day 'Christmas' 12/25 nearest_weekday\n"
            "holiday easter 'Easter Monday' 1\n"
            "exception 2026-12-24: 08:00-12:00\n"
            "exception 2026-12-31: closed\n");
}

TEST(CalendarParse, ParsedCalendarFollowsItsDocument) {
  const auto cal = duly::parse_calendar(spec_yaml, "support.yaml");
  ASSERT_TRUE(cal.has_value()) << cal.error().render();
  EXPECT_EQ(cal->zone().name(), "America/Denver");
  check_is_open(*cal, {
      {"2026-11-23T08:30:00-07:00", true, "Monday morning"},
      {"2026-11-23T12:30:00-07:00", false, "lunch"},
      {"2026-11-28T12:30:00-07:00", true, "Saturday"},
      {"2026-11-29T10:00:00-07:00", false, "Sunday"},
      {"2026-11-26T10:00:00-07:00", false, "Thanksgiving"},
      {"2026-05-25T10:00:00-06:00", false, "Memorial Day"},
      {"2026-04-06T10:00:00-06:00", false, "Easter Monday"},
      {"2026-12-24T10:00:00-07:00", true, "special hours"},
      {"2026-12-24T14:00:00-07:00", false, "special hours"},
      {"2026-12-25T10:00:00-07:00", false, "Christmas"},
      {"2026-12-31T10:00:00-07:00", false, "closed by exception"},
      {"2027-12-24T10:00:00-07:00", false, "Christmas 2027 (Sat) observed on Friday"},
  });
  const auto from_json = duly::parse_calendar(spec_json);
  ASSERT_TRUE(from_json.has_value()) << from_json.error().render();
  const auto t = at("2026-11-25T16:00:00-07:00");
  EXPECT_EQ(show(cal->add(t, 3h)), show(from_json->add(t, 3h)));
  EXPECT_EQ(show(cal->add(t, 3h)), "2026-11-27T17:00:00Z");  // Wed 1h, Thanksgiving, Fri 08:00-10:00
}

TEST(CalendarParse, DayKeysRangesAndPrecedence) {
  struct row {
    const char* doc;
    const char* expected;
  };
  const row rows[] = {
      {"hours:\n"
       "  daily: \"10:00-14:00\"\n"
       "  mon-fri: \"09:00-17:00\"\n"
       "  Wednesday: [\"08:00-12:00\"]\n"
       "  sat-sun: []\n",
       "timezone UTC\nmon: 09:00-17:00\ntue: 09:00-17:00\nwed: 08:00-12:00\nthu: 09:00-17:00\n"
       "fri: 09:00-17:00\nsat: closed\nsun: closed\n"},
      {"hours: {fri-mon: \"10:00-11:00\", tue: \"22:00-06:00\", thu: \"18:00-24:00\"}\n",
       "timezone UTC\nmon: 10:00-11:00\ntue: 22:00-06:00\nwed: closed\nthu: 18:00-24:00\n"
       "fri: 10:00-11:00\nsat: 10:00-11:00\nsun: 10:00-11:00\n"},
      {"hours: {DAILY: \"00:00-00:00\"}\n",
       "timezone UTC\nmon: 00:00-00:00\ntue: 00:00-00:00\nwed: 00:00-00:00\nthu: 00:00-00:00\n"
       "fri: 00:00-00:00\nsat: 00:00-00:00\nsun: 00:00-00:00\n"},
      {"hours: {}\n",
       "timezone UTC\nmon: closed\ntue: closed\nwed: closed\nthu: closed\nfri: closed\nsat: closed\nsun: closed\n"},
      {"", "timezone UTC\nhours 24x7\n"},
      {"timezone: Asia/Kolkata\n", "timezone Asia/Kolkata\nhours 24x7\n"},
      {"exceptions:\n  2026-12-31:\n  2026-12-24: \"08:00-12:00\"\n",
       "timezone UTC\nhours 24x7\nexception 2026-12-24: 08:00-12:00\nexception 2026-12-31: closed\n"},
      {"holidays:\n  - {date: 2026-12-25}\n  - {month: 2, day: 29}\n  - {month: 1, day: 1, observed: previous_weekday}\n"
       "  - {month: 6, weekday: monday, nth: 5}\n  - {easter: -2}\n",
       "timezone UTC\nhours 24x7\nholiday date '' 2026-12-25\nholiday fixed_day '' 2/29 none\n"
       "holiday fixed_day '' 1/1 previous_weekday\nholiday nth_weekday '' month 6 weekday 1 nth 5\n"
       "holiday easter '' -2\n"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.doc);
    const auto spec = duly::parse_calendar_spec(r.doc);
    ASSERT_TRUE(spec.has_value()) << spec.error().render();
    EXPECT_EQ(describe(*spec), r.expected);
  }
  // "hours: {}" is never open; no hours at all is open around the clock.
  const auto closed = duly::parse_calendar("hours: {}\n");
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(show(closed->next_open(at("2026-11-23T00:00:00Z"))),
            "error(never_open): calendar has no open time within ten years after 2026-11-23T00:00:00Z");
  const auto always = duly::parse_calendar("");
  ASSERT_TRUE(always.has_value());
  EXPECT_EQ(show(always->add(at("2026-11-21T00:00:00Z"), 48h)), "2026-11-23T00:00:00Z");
}

struct bad_doc {
  const char* doc;
  errc code;
  const char* message;  // the whole of error::message()
};

void check_bad_docs(const std::vector<bad_doc>& rows) {
  for (const auto& r : rows) {
    SCOPED_TRACE(r.doc);
    const auto spec = duly::parse_calendar_spec(r.doc, "cal.yaml");
    ASSERT_FALSE(spec.has_value()) << describe(*spec);
    EXPECT_EQ(spec.error().code(), r.code) << duly::to_string(spec.error().code());
    EXPECT_EQ(spec.error().message(), r.message);
    // parse_calendar says the same.
    const auto cal = duly::parse_calendar(r.doc, "cal.yaml");
    ASSERT_FALSE(cal.has_value());
    EXPECT_EQ(cal.error().message(), r.message);
  }
}

TEST(CalendarParse, ReportsBadWindowsWithPositionAndPath) {
  check_bad_docs({
      {"timezone: UTC\nhours:\n  mon: \"25:00-26:00\"\n", errc::invalid_argument,
       "cal.yaml:3:8: hours.mon: invalid window '25:00-26:00': '25:00': hours must be 00 to 23, or 24:00 for "
       "the end of the day"},
      {"timezone: UTC\nhours:\n  mon-fri: [\"08:00-12:00\", \"9-17\"]\n", errc::invalid_argument,
       "cal.yaml:3:28: hours.mon-fri[1]: invalid window '9-17': '9': expected HH:MM, e.g. 08:00 or 17:30"},
      {"hours:\n  mon: noon-17:00\n", errc::invalid_argument,
       "cal.yaml:2:8: hours.mon: invalid window 'noon-17:00': 'noon': expected HH:MM, e.g. 08:00 or 17:30"},
      {"hours:\n  mon: \"12:60-13:00\"\n", errc::invalid_argument,
       "cal.yaml:2:8: hours.mon: invalid window '12:60-13:00': '12:60': minutes must be 00 to 59"},
      {"hours:\n  mon: \"24:00-08:00\"\n", errc::invalid_argument,
       "cal.yaml:2:8: hours.mon: invalid window '24:00-08:00': 24:00 can only end a window"},
      {"hours:\n  mon: \"08:00-17:00-18:00\"\n", errc::invalid_argument,
       "cal.yaml:2:8: hours.mon: invalid window '08:00-17:00-18:00': expected HH:MM-HH:MM, e.g. 08:00-17:00"},
      {"hours:\n  mon: {start: 1}\n", errc::invalid_argument,
       "cal.yaml:2:8: hours.mon: expected a window such as \"08:00-17:00\" or a list of them, got a map"},
      {"hours:\n  funday: \"09:00-17:00\"\n", errc::invalid_argument,
       "cal.yaml:2:3: hours.funday: unknown day 'funday': expected mon, tue, wed, thu, fri, sat, sun, a range "
       "such as mon-fri, or daily"},
      {"hours:\n  mon-someday: \"09:00-17:00\"\n", errc::invalid_argument,
       "cal.yaml:2:3: hours.mon-someday: unknown day 'mon-someday': expected mon, tue, wed, thu, fri, sat, "
       "sun, a range such as mon-fri, or daily"},
      {"hours:\n  mon-wed: \"08:00-17:00\"\n  wed-fri: \"09:00-17:00\"\n", errc::invalid_argument,
       "cal.yaml:3:3: hours.wed-fri: day 'wed' is already given by 'mon-wed'"},
  });
}

TEST(CalendarParse, ReportsBadZonesDatesAndKeysWithPositionAndPath) {
  check_bad_docs({
      {"timezone: Mars/Olympus_Mons\n", errc::unknown_zone,
       "cal.yaml:1:11: timezone: unknown time zone 'Mars/Olympus_Mons': not in the system tz database "
       "(/usr/share/zoneinfo)"},
      {"timezone: \"\"\n", errc::unknown_zone,
       "cal.yaml:1:11: timezone: unknown time zone '': give an IANA name such as America/New_York"},
      {"timezone: [UTC]\n", errc::invalid_argument, "cal.yaml:1:11: timezone: expected a text value, got a list"},
      {"holidays:\n  - {name: Thanksgiving, month: 11, weekday: thu, nth: 6}\n", errc::invalid_argument,
       "cal.yaml:2:56: holidays[0].nth: must be 1 to 5, or -1 (last) to -5, got 6"},
      {"holidays:\n  - 2026-02-30\n", errc::invalid_argument,
       "cal.yaml:2:5: holidays[0]: invalid date '2026-02-30': day 30 does not exist in February 2026"},
      {"holidays:\n  - {date: 2027-02-29}\n", errc::invalid_argument,
       "cal.yaml:2:12: holidays[0].date: invalid date '2027-02-29': day 29 does not exist in February 2027"},
      {"exceptions:\n  2026-02-30: []\n", errc::invalid_argument,
       "cal.yaml:2:3: exceptions.2026-02-30: invalid date '2026-02-30': day 30 does not exist in February 2026"},
      {"exceptions:\n  2026-12-24: [\"08:00-12:00\"]\n  2026-12-24: []\n", errc::invalid_argument,
       "cal.yaml:3:3: exceptions.2026-12-24: date given twice"},
      {"exceptions: [2026-12-24]\n", errc::invalid_argument,
       "cal.yaml:1:14: exceptions[0]: expected {date: 2026-12-24, hours: [...]} or a holiday rule with hours, such "
       "as {month: 12, day: 24, hours: [\"08:00-12:00\"]}, got a value"},
      {"holidays: 2026-12-25\n", errc::invalid_argument, "cal.yaml:1:11: holidays: expected a list, got a value"},
      {"colour: blue\ntimezone: UTC\n", errc::invalid_argument,
       "cal.yaml:1:1: colour: unknown key (expected timezone, hours, holidays, exceptions, versions)"},
      {"holidays:\n  - {name: X, month: 11, weekday: thu, nth: 4, when: never}\n", errc::invalid_argument,
       "cal.yaml:2:48: holidays[0].when: unknown key (expected name, date, month, day, weekday, nth, observed, "
       "easter, since, until)"},
      {"[1, 2]\n", errc::invalid_argument, "cal.yaml:1:1: expected a map of keys and values, got a list"},
      // JSON positions count the same way.
      {"{\"timezone\": \"UTC\", \"hours\": {\"mon\": \"9-17\"}, \"extra\": 1}", errc::invalid_argument,
       "cal.yaml:1:38: hours.mon: invalid window '9-17': '9': expected HH:MM, e.g. 08:00 or 17:30\n"
       "cal.yaml:1:47: extra: unknown key (expected timezone, hours, holidays, exceptions, versions)"},
      {"{\"timezone\": \"UTC\",\n \"holidays\": [{\"month\": 11, \"weekday\": \"thu\", \"nth\": 6}]}\n",
       errc::invalid_argument, "cal.yaml:2:54: holidays[0].nth: must be 1 to 5, or -1 (last) to -5, got 6"},
  });
}

TEST(CalendarParse, ReportsBadHolidayRules) {
  check_bad_docs({
      {"holidays:\n"
       "  - {month: 13, day: 1}\n"
       "  - {month: 2, day: 30}\n"
       "  - {month: 1, weekday: funday, nth: 1}\n"
       "  - {easter: 1, month: 3}\n"
       "  - {name: Nothing}\n"
       "  - {date: 2026-12-25, easter: 1}\n"
       "  - {month: 12, day: 25, observed: sometimes}\n"
       "  - {month: 5, weekday: mon}\n"
       "  - {easter: 400}\n"
       "  - {month: 11, weekday: thu, nth: zero}\n",
       errc::invalid_argument,
       "cal.yaml:2:13: holidays[0].month: must be 1 to 12, got 13\n"
       "cal.yaml:3:21: holidays[1].day: day 30 does not exist in month 2\n"
       "cal.yaml:4:25: holidays[2].weekday: unknown weekday 'funday': expected mon, tue, wed, thu, fri, sat or sun\n"
       "cal.yaml:5:24: holidays[3].month: not used with easter\n"
       "cal.yaml:6:5: holidays[4]: a holiday rule needs one of: date; month and day; month, weekday and nth; or "
       "easter\n"
       "cal.yaml:7:5: holidays[5]: a holiday rule takes only one of: date; day; weekday and nth; easter\n"
       "cal.yaml:8:36: holidays[6].observed: unknown rule 'sometimes': expected none, nearest_weekday, "
       "next_weekday, previous_weekday or substitute\n"
       "cal.yaml:9:5: holidays[7].nth: missing: give nth, 1 to 5 or -1 (last) to -5\n"
       "cal.yaml:10:14: holidays[8].easter: days from Easter Sunday must be -300 to 300, got 400\n"
       "cal.yaml:11:36: holidays[9].nth: expected a whole number, got 'zero'"},
  });
}

TEST(CalendarParse, ReportsEveryProblemAtOnceInDocumentOrder) {
  const char* doc =
      "timezone: Mars/Base\n"
      "hours:\n"
      "  mon-fri: [\"08:00-12:00\", \"13:00-26:00\"]\n"
      "  funday: \"09:00-17:00\"\n"
      "holidays:\n"
      "  - 2026-02-30\n"
      "  - {name: Thanksgiving, month: 11, weekday: thu, nth: 6}\n"
      "exceptions:\n"
      "  2026-12-24: noon-17:00\n"
      "colour: blue\n";
  const auto got = duly::parse_calendar(doc, "cal.yaml");
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().code(), errc::unknown_zone);  // the first problem's code
  EXPECT_EQ(got.error().message(),
            "cal.yaml:1:11: timezone: unknown time zone 'Mars/Base': not in the system tz database "
            "(/usr/share/zoneinfo)\n"
            "cal.yaml:3:28: hours.mon-fri[1]: invalid window '13:00-26:00': '26:00': hours must be 00 to 23, or "
            "24:00 for the end of the day\n"
            "cal.yaml:4:3: hours.funday: unknown day 'funday': expected mon, tue, wed, thu, fri, sat, sun, a range "
            "such as mon-fri, or daily\n"
            "cal.yaml:6:5: holidays[0]: invalid date '2026-02-30': day 30 does not exist in February 2026\n"
            "cal.yaml:7:56: holidays[1].nth: must be 1 to 5, or -1 (last) to -5, got 6\n"
            "cal.yaml:9:15: exceptions.2026-12-24: invalid window 'noon-17:00': 'noon': expected HH:MM, e.g. "
            "08:00 or 17:30\n"
            "cal.yaml:10:1: colour: unknown key (expected timezone, hours, holidays, exceptions, versions)");
  const auto& ds = got.error().diagnostics();
  ASSERT_EQ(ds.size(), 7u);
  EXPECT_EQ(ds[1].code, errc::invalid_argument);
  EXPECT_EQ(ds[1].file, "cal.yaml");
  EXPECT_EQ(ds[1].line, 3);
  EXPECT_EQ(ds[1].column, 28);
  EXPECT_EQ(ds[1].path, "hours.mon-fri[1]");
  EXPECT_EQ(ds[1].source_line, "  mon-fri: [\"08:00-12:00\", \"13:00-26:00\"]");
  EXPECT_EQ(ds[1].message,
            "invalid window '13:00-26:00': '26:00': hours must be 00 to 23, or 24:00 for the end of the day");
  // render() shows each source line with a caret under the column.
  EXPECT_EQ(ds[4].render(),
            "cal.yaml:7:56: holidays[1].nth: must be 1 to 5, or -1 (last) to -5, got 6\n"
            "  - {name: Thanksgiving, month: 11, weekday: thu, nth: 6}\n"
            "                                                       ^");
  EXPECT_NE(got.error().render().find("timezone: Mars/Base\n          ^\n"), std::string::npos);
}

TEST(CalendarParse, RenderClampsAColumnPastTheLine) {
  // yaml-cpp decodes a document starting with NUL as UTF-16/32, so its marks can
  // lie past the byte line (found by fuzz_calendar; fuzz/regressions/).
  duly::diagnostic d{errc::parse_error, "bad", {}, "cal.yaml", 1, 184, std::string(121, 'x')};
  EXPECT_EQ(d.render(), "cal.yaml:1:184: bad\n..." + std::string(60, 'x') + "\n" + std::string(63, ' ') + "^");
  d.source_line = "short";
  EXPECT_EQ(d.render(), "cal.yaml:1:184: bad\nshort\n     ^");
  std::string doc("\0timezone: UTC\n", 16);
  const auto got = duly::parse_calendar_spec(doc, "nul.yaml");
  ASSERT_FALSE(got.has_value());
  EXPECT_FALSE(got.error().render().empty());
}

TEST(CalendarParse, SyntaxErrorsAreParseErrorsWithAPosition) {
  check_bad_docs({
      {"hours: [1, 2\n", errc::parse_error, "cal.yaml:2:1: end of sequence flow not found"},
      {"{\"timezone\": \"UTC\",\n \"hours\": {\"mon\": \"09:00-17:00\",}\n", errc::parse_error,
       "cal.yaml:3:1: end of map flow not found"},
  });
}

TEST(CalendarParse, MessagesLeaveOutAnUnknownSourceName) {
  const auto got = duly::parse_calendar_spec("timezone: UTC\nhours:\n  mon: \"25:00-26:00\"\n");
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().message(),
            "3:8: hours.mon: invalid window '25:00-26:00': '25:00': hours must be 00 to 23, or 24:00 for the end "
            "of the day");
}

TEST(CalendarParse, LoadCalendarNamesTheFile) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("duly_calendar_test_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::filesystem::create_directories(dir);
  const auto good = dir / "good.yaml";
  const auto bad = dir / "bad.yaml";
  {
    std::ofstream(good) << spec_yaml;
    std::ofstream(bad) << "timezone: UTC\nhours:\n  mon: \"9-17\"\n";
  }
  const auto loaded = duly::load_calendar(good);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().render();
  EXPECT_EQ(loaded->zone().name(), "America/Denver");
  const auto failed = duly::load_calendar(bad);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().message(),
            bad.string() + ":3:8: hours.mon: invalid window '9-17': '9': expected HH:MM, e.g. 08:00 or 17:30");
  const auto missing = duly::load_calendar(dir / "missing.yaml");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), errc::io_error);
  EXPECT_EQ(missing.error().message(), (dir / "missing.yaml").string() + ": cannot open the file for reading: No such file or directory");
  std::filesystem::remove_all(dir);
}

// --- the minimal C++ surface compiles exactly as written --------

TEST(CalendarSurface, Section9SnippetCompilesAsWritten) {
  const std::string text = "timezone: America/Denver\nhours: {mon-fri: \"08:00-17:00\"}\n";
  const std::chrono::sys_seconds start = at("2026-11-23T15:30:00Z");  // Mon 08:30 MST
  // parse a calendar from YAML or JSON text (the schema of section 3)
  duly::result<duly::calendar> cal = duly::parse_calendar(text);
  ASSERT_TRUE(cal.has_value()) << cal.error().message();
  duly::result<std::chrono::sys_seconds> due = cal->add(start, std::chrono::hours(4));
  duly::result<std::chrono::sys_seconds> from = cal->subtract(due.value(), std::chrono::hours(4));
  std::chrono::seconds used = cal->elapsed(start, due.value());
  bool open = cal->is_open(start);

  EXPECT_EQ(show(due), "2026-11-23T19:30:00Z");
  EXPECT_EQ(show(from), "2026-11-23T15:30:00Z");
  EXPECT_EQ(used, std::chrono::hours(4));
  EXPECT_TRUE(open);
  // duly::error has .message().
  const duly::result<duly::calendar> bad = duly::parse_calendar("timezone: Nowhere/Special\n");
  ASSERT_FALSE(bad.has_value());
  const std::string message = bad.error().message();
  EXPECT_FALSE(message.empty());
}

}  // namespace
