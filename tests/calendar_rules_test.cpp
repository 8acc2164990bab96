// Tests of the holiday rules organisations keep: substitute days placed after
// the holidays that do not move (England's bank holidays), years in force
// (`since`/`until`), and yearly exceptions.
#include <duly/duly.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using duly::errc;

// England and Wales, as docs/calendars.md writes it (the rules; one-off dates
// are in the Python test against the holidays package).
constexpr const char* england = R"(
timezone: Europe/London
hours:
  mon-fri: "09:00-17:30"
holidays:
  - {name: New Year's Day, month: 1, day: 1, observed: substitute}
  - {name: Good Friday, easter: -2}
  - {name: Easter Monday, easter: 1}
  - {name: Early May bank holiday, month: 5, weekday: mon, nth: 1}
  - {name: Spring bank holiday, month: 5, weekday: mon, nth: -1}
  - {name: Summer bank holiday, month: 8, weekday: mon, nth: -1}
  - {name: Christmas Day, month: 12, day: 25, observed: substitute}
  - {name: Boxing Day, month: 12, day: 26, observed: substitute}
)";

duly::calendar parse(const char* text) {
  auto cal = duly::parse_calendar(text, "cal.yaml");
  EXPECT_TRUE(cal.has_value()) << (cal ? "" : cal.error().message());
  return cal ? *cal : duly::calendar{};
}

std::string dates(const std::vector<std::chrono::year_month_day>& ds, int month_from = 1) {
  std::string out;
  for (const auto& d : ds) {
    if (unsigned{d.month()} < static_cast<unsigned>(month_from)) continue;
    if (!out.empty()) out += " ";
    out += duly::format_instant(duly::instant{std::chrono::sys_days{d}}).substr(0, 10);
  }
  return out;
}

std::string show(const duly::result<duly::instant>& r) {
  if (!r) return "error: " + r.error().message();
  return duly::format_instant(*r);
}

TEST(SubstituteDays, EnglandYearEndsComeOutRight) {
  const auto cal = parse(england);
  struct row {
    int year;
    const char* december;  // the year's holidays in December
    const char* next_new_year;
  };
  const row rows[] = {
      // Christmas Saturday, Boxing Day Sunday: Monday and Tuesday.
      {2004, "2004-12-27 2004-12-28", "2005-01-03"},
      {2010, "2010-12-27 2010-12-28", "2011-01-03"},
      // Christmas Sunday: Boxing Day holds Monday, so Christmas is Tuesday.
      {2016, "2016-12-26 2016-12-27", "2017-01-02"},
      {2021, "2021-12-27 2021-12-28", "2022-01-03"},
      {2022, "2022-12-26 2022-12-27", "2023-01-02"},
      {2027, "2027-12-27 2027-12-28", "2028-01-03"},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(dates(cal.holidays_in(std::chrono::year{r.year}), 12), r.december) << r.year;
    EXPECT_EQ(dates(cal.holidays_in(std::chrono::year{r.year + 1})).substr(0, 10), r.next_new_year) << r.year;
  }
}

TEST(SubstituteDays, EnglandWholeYears) {
  const auto cal = parse(england);
  EXPECT_EQ(dates(cal.holidays_in(2021y)),
            "2021-01-01 2021-04-02 2021-04-05 2021-05-03 2021-05-31 2021-08-30 2021-12-27 2021-12-28");
  // Boxing Day on a Saturday moves to Monday; Christmas on Friday stays.
  EXPECT_EQ(dates(cal.holidays_in(2020y), 12), "2020-12-25 2020-12-28");
  EXPECT_EQ(dates(cal.holidays_in(2022y)),
            "2022-01-03 2022-04-15 2022-04-18 2022-05-02 2022-05-30 2022-08-29 2022-12-26 2022-12-27");
}

TEST(SubstituteDays, DeadlinesSkipThePlacedDays) {
  const auto cal = parse(england);
  // Friday 24 December 2021 17:00 GMT, 1 hour: 30 minutes that day, then
  // Monday 27 and Tuesday 28 are closed, so Wednesday 29 at 09:30.
  EXPECT_EQ(show(cal.add(*duly::parse_instant("2021-12-24T17:00:00Z"), 1h)), "2021-12-29T09:30:00Z");
  EXPECT_FALSE(cal.is_open(*duly::parse_instant("2016-12-27T12:00:00Z")));
  EXPECT_TRUE(cal.is_open(*duly::parse_instant("2016-12-28T12:00:00Z")));
  // One business day from Christmas Eve 2016 (a Saturday): Wednesday 28.
  EXPECT_EQ(show(cal.add_business_days(*duly::parse_instant("2016-12-24T12:00:00Z"), 1)), "2016-12-28T17:30:00Z");
}

TEST(SubstituteDays, MovesPastDatedHolidaysAndWeekdayRulesToo) {
  // A dated holiday on Monday pushes a Sunday substitute to Tuesday.
  const auto cal = parse(
      "holidays:\n"
      "  - 2026-07-06\n"
      "  - {month: 7, day: 5, observed: substitute}\n"
      "  - {month: 7, day: 4, observed: substitute}\n");
  // 4 July 2026 is a Saturday, 5 July a Sunday: 4 July goes first (Tuesday 7),
  // then 5 July (Wednesday 8), since Monday 6 is already a holiday.
  EXPECT_EQ(dates(cal.holidays_in(2026y), 7), "2026-07-06 2026-07-07 2026-07-08");
}

TEST(SubstituteDays, InYearGivesTheNextMondayAlone) {
  duly::holiday_rule h;
  h.type = duly::holiday_rule::kind::fixed_day;
  h.month = 12;
  h.day = 25;
  h.observed = duly::observed_rule::substitute;
  EXPECT_EQ(h.in_year(2021y), 2021y / 12 / 27);
  EXPECT_EQ(h.in_year(2016y), 2016y / 12 / 26);
  EXPECT_EQ(h.in_year(2023y), 2023y / 12 / 25);
}

TEST(YearsInForce, JuneteenthSince2021) {
  const auto cal = parse(
      "holidays:\n"
      "  - {name: Juneteenth, month: 6, day: 19, observed: nearest_weekday, since: 2021}\n"
      "  - {name: Old rule, month: 3, weekday: mon, nth: 1, until: 2020}\n"
      "  - {name: Window, easter: 1, since: 2022, until: 2023}\n"
      "  - {date: 2020-02-03, since: 2021}\n");
  EXPECT_EQ(dates(cal.holidays_in(2020y)), "2020-03-02");
  EXPECT_EQ(dates(cal.holidays_in(2021y)), "2021-06-18");
  EXPECT_EQ(dates(cal.holidays_in(2022y)), "2022-04-18 2022-06-20");
  EXPECT_EQ(dates(cal.holidays_in(2023y)), "2023-04-10 2023-06-19");
  EXPECT_EQ(dates(cal.holidays_in(2024y)), "2024-06-19");
}

TEST(YearsInForce, SubstituteRulesHonourTheirYears) {
  const auto cal = parse("holidays:\n  - {month: 12, day: 25, observed: substitute, until: 2020}\n");
  EXPECT_EQ(dates(cal.holidays_in(2016y)), "2016-12-26");
  EXPECT_EQ(dates(cal.holidays_in(2021y)), "");
}

TEST(YearsInForce, BadYearsAreReportedWithPositions) {
  const auto got = duly::parse_calendar_spec(
      "holidays:\n"
      "  - {month: 1, day: 1, since: 2030, until: 2020}\n"
      "  - {easter: 1, since: 1900}\n"
      "  - {easter: 1, until: soon}\n",
      "cal.yaml");
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().message(),
            "cal.yaml:2:44: holidays[0].until: until 2020 is before since 2030\n"
            "cal.yaml:3:24: holidays[1].since: must be a year from 1970 to 2199, got 1900\n"
            "cal.yaml:4:24: holidays[2].until: expected a whole number, got 'soon'");
}

TEST(YearsInForce, MakeChecksASpecBuiltInCode) {
  duly::calendar_spec spec;
  duly::holiday_rule h;
  h.type = duly::holiday_rule::kind::easter;
  h.since = 2030y;
  h.until = 2020y;
  spec.holidays.push_back(h);
  const auto cal = duly::calendar::make(spec);
  ASSERT_FALSE(cal.has_value());
  EXPECT_EQ(cal.error().message(), "holidays[0].until: until 2020 is before since 2030");
}

constexpr const char* yearly_doc = R"(
timezone: Europe/London
hours:
  mon-fri: "09:00-17:00"
holidays:
  - {name: Christmas Day, month: 12, day: 25, observed: substitute}
  - {name: Boxing Day, month: 12, day: 26, observed: substitute}
exceptions:
  - {name: Christmas Eve, month: 12, day: 24, hours: ["09:00-12:00"]}
  - {name: Maundy Thursday, easter: -3, hours: ["09:00-13:00"], since: 2027}
  - {date: 2026-12-24, hours: []}
  - {month: 12, day: 24, hours: ["10:00-11:00"]}
  - {name: Staff day, month: 6, weekday: fri, nth: 1, hours: []}
)";

TEST(YearlyExceptions, ReplaceTheHoursOfTheirDateEveryYear) {
  const auto cal = parse(yearly_doc);
  const auto at = [](const char* t) { return *duly::parse_instant(t); };
  // Christmas Eve 2025 (Wednesday): 09:00-12:00 only, from the first rule.
  EXPECT_EQ(cal.elapsed(at("2025-12-24T00:00:00Z"), at("2025-12-25T00:00:00Z")), 3h);
  // 2027 (Friday): the same rule.
  EXPECT_EQ(cal.elapsed(at("2027-12-24T00:00:00Z"), at("2027-12-25T00:00:00Z")), 3h);
  // 2026: the dated exception wins over the yearly one: closed.
  EXPECT_EQ(cal.elapsed(at("2026-12-24T00:00:00Z"), at("2026-12-25T00:00:00Z")), 0s);
  // A yearly exception on a weekend opens it: Christmas Eve 2028 is a Sunday.
  EXPECT_EQ(cal.elapsed(at("2028-12-24T00:00:00Z"), at("2028-12-25T00:00:00Z")), 3h);
  // Maundy Thursday since 2027: 2026-04-02 has the weekly 8 h, 2027-03-25 has
  // 09:00-13:00 GMT.
  EXPECT_EQ(cal.elapsed(at("2026-04-02T00:00:00+01:00"), at("2026-04-03T00:00:00+01:00")), 8h);
  EXPECT_EQ(cal.elapsed(at("2027-03-25T00:00:00Z"), at("2027-03-26T00:00:00Z")), 4h);
  // The first Friday of June is closed.
  EXPECT_FALSE(cal.is_open(at("2026-06-05T12:00:00+01:00")));
  EXPECT_TRUE(cal.is_open(at("2026-06-12T12:00:00+01:00")));
  // Holidays are still closed around them.
  EXPECT_FALSE(cal.is_open(at("2027-12-27T10:00:00Z")));
}

TEST(YearlyExceptions, AYearlyExceptionBeatsAHoliday) {
  const auto cal = parse(
      "holidays: [{month: 1, day: 1}]\n"
      "exceptions:\n"
      "  - {month: 1, day: 1, hours: [\"10:00-12:00\"]}\n");
  EXPECT_EQ(cal.elapsed(*duly::parse_instant("2026-01-01T00:00:00Z"), *duly::parse_instant("2026-01-02T00:00:00Z")),
            2h);
}

TEST(YearlyExceptions, ListAndMapFormsGiveTheSameDatedExceptions) {
  const auto list = duly::parse_calendar_spec("exceptions:\n  - {date: 2026-12-31, hours: [\"08:00-12:00\"]}\n");
  const auto map = duly::parse_calendar_spec("exceptions:\n  2026-12-31: [\"08:00-12:00\"]\n");
  ASSERT_TRUE(list && map);
  EXPECT_EQ(list->exceptions, map->exceptions);
  EXPECT_TRUE(list->yearly_exceptions.empty());
}

TEST(YearlyExceptions, BadEntriesAreReportedWithPositions) {
  const auto got = duly::parse_calendar_spec(
      "exceptions:\n"
      "  - {month: 12, day: 24}\n"
      "  - {month: 12, day: 24, hours: \"9-5\"}\n"
      "  - 2026-12-24\n"
      "  - {date: 2026-12-31, hours: []}\n"
      "  - {date: 2026-12-31, hours: []}\n"
      "  - {month: 12, weekday: mon, nth: 9, hours: [], colour: red}\n",
      "cal.yaml");
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().message(),
            "cal.yaml:2:5: exceptions[0].hours: missing: give the hours of that day, e.g. [\"08:00-12:00\"], or [] "
            "for closed\n"
            "cal.yaml:3:33: exceptions[1].hours: invalid window '9-5': '9': expected HH:MM, e.g. 08:00 or 17:30\n"
            "cal.yaml:4:5: exceptions[2]: expected {date: 2026-12-24, hours: [...]} or a holiday rule with hours, "
            "such as {month: 12, day: 24, hours: [\"08:00-12:00\"]}, got a value\n"
            "cal.yaml:6:12: exceptions[4].date: date given twice\n"
            "cal.yaml:7:36: exceptions[5].nth: must be 1 to 5, or -1 (last) to -5, got 9\n"
            "cal.yaml:7:50: exceptions[5].colour: unknown key (expected name, date, month, day, weekday, nth, "
            "observed, easter, since, until, hours)");
}

}  // namespace

// Calendar days (`30cd`): the same wall-clock reading N local days later in the
// calendar's zone, the first-reach rule across DST; open hours play no part.
TEST(CalendarDays, KeepTheWallClockAcrossDstChanges) {
  const auto cal = duly::parse_calendar("timezone: America/New_York\nhours: {mon-fri: \"09:00-17:00\"}\n");
  ASSERT_TRUE(cal.has_value()) << cal.error().message();
  // Net 30 from Thursday 15 October 2026 09:00 EDT: Saturday 14 November 09:00
  // EST (14:00Z); 720 hours would be 13:00Z, 08:00 EST.
  const auto start = *duly::parse_instant("2026-10-15T09:00:00-04:00");
  EXPECT_EQ(show(cal->add_calendar_days(start, 30)), "2026-11-14T14:00:00Z");
  EXPECT_EQ(show(cal->add(start, *duly::parse_duration("30cd"))), "2026-11-14T14:00:00Z");
  const auto round_the_clock = duly::parse_calendar("timezone: America/New_York\n");
  ASSERT_TRUE(round_the_clock.has_value());
  EXPECT_EQ(show(round_the_clock->add(start, *duly::parse_duration("30cd"))), "2026-11-14T14:00:00Z");
  EXPECT_EQ(show(round_the_clock->add(start, *duly::parse_duration("30d"))), "2026-11-14T13:00:00Z");
  // Into the spring-forward gap: 02:30 on 8 March 2026 does not exist; it is
  // reached at the change, 03:00 EDT (07:00Z).
  EXPECT_EQ(show(cal->add_calendar_days(*duly::parse_instant("2026-03-07T02:30:00-05:00"), 1)), "2026-03-08T07:00:00Z");
  // Into the repeated hour: 01:30 on 1 November 2026 is taken at its first
  // occurrence, 01:30 EDT (05:30Z).
  EXPECT_EQ(show(cal->add_calendar_days(*duly::parse_instant("2026-10-31T01:30:00-04:00"), 1)), "2026-11-01T05:30:00Z");
  EXPECT_EQ(show(cal->add_calendar_days(start, 0)), "2026-10-15T13:00:00Z");
  const auto late = cal->add_calendar_days(*duly::parse_instant("2199-12-01T00:00:00Z"), 40);
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().code(), errc::out_of_range);
  EXPECT_FALSE(cal->add_calendar_days(start, -1).has_value());
}
