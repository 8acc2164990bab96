// Tests of `{ics: PATH}` holiday entries: iCalendar files read with libical
// (all-day, multi-day, timed across a DST change, recurring and excluded
// events), their errors (naming the file and line) and the limits that bound
// the work on a hostile file. The .ics files are in tests/data/ics.
#include <duly/duly.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using duly::errc;

const std::filesystem::path data_dir = DULY_TEST_DATA "/ics";

duly::instant at(const char* text) { return *duly::parse_instant(text); }

duly::result<duly::calendar> with_ics(const std::string& extra, const char* file,
                                      const std::string& head = "timezone: UTC\n") {
  return duly::parse_calendar(head + "holidays:\n  - {ics: " + file + "}\n" + extra, "cal.yaml", data_dir);
}

duly::calendar must(duly::result<duly::calendar> r) {
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
  return r ? *r : duly::calendar{};
}

std::string dates(const std::vector<std::chrono::year_month_day>& ds) {
  std::string out;
  for (const auto& d : ds) {
    if (!out.empty()) out += " ";
    out += duly::format_instant(duly::instant{std::chrono::sys_days{d}}).substr(0, 10);
  }
  return out;
}

std::string message(const duly::result<duly::calendar>& r) { return r ? std::string("ok") : r.error().message(); }

TEST(IcsHolidays, AllDayEventsCloseTheirDates) {
  const auto cal = must(with_ics("", "all_day.ics"));
  // The cancelled event (4 May) closes nothing; an event without DTEND is one day.
  EXPECT_EQ(dates(cal.holidays_in(2026y)), "2026-01-01 2026-04-03 2026-04-06 2026-12-28");
  EXPECT_EQ(cal.spec().holidays.front().name, "New Year's Day");
  EXPECT_EQ(cal.elapsed(at("2026-04-02T00:00:00Z"), at("2026-04-08T00:00:00Z")), 96h);
}

TEST(IcsHolidays, MultiDayEventsCloseEveryDateOfTheirSpan) {
  const auto cal = must(with_ics("", "multi_day.ics"));
  // [DTSTART, DTEND): 24 to 27 December; DURATION:P3D: 30 September to 2 October.
  EXPECT_EQ(dates(cal.holidays_in(2026y)), "2026-09-30 2026-10-01 2026-10-02 2026-12-24 2026-12-25 2026-12-26 2026-12-27");
}

TEST(IcsHolidays, TimedEventsCloseTheirSpanOfRealTime) {
  const auto cal = must(with_ics("", "timed.ics", "timezone: Europe/Berlin\n"));
  // 01:00 EST to 04:00 EDT on the spring-forward night: 06:00Z to 08:00Z, two hours.
  EXPECT_EQ(cal.elapsed(at("2026-03-08T00:00:00Z"), at("2026-03-09T00:00:00Z")), 22h);
  EXPECT_TRUE(cal.is_open(at("2026-03-08T05:59:59Z")));
  EXPECT_FALSE(cal.is_open(at("2026-03-08T06:00:00Z")));
  EXPECT_FALSE(cal.is_open(at("2026-03-08T07:59:59Z")));
  EXPECT_TRUE(cal.is_open(at("2026-03-08T08:00:00Z")));
  // UTC: 05:00Z to 08:00Z on 1 November.
  EXPECT_EQ(cal.elapsed(at("2026-11-01T00:00:00Z"), at("2026-11-02T00:00:00Z")), 21h);
  // Floating: 10:00-11:30 in the calendar's zone (Berlin, CEST): 08:00Z-09:30Z.
  EXPECT_EQ(cal.next_close(at("2026-06-02T07:00:00Z")).value(), at("2026-06-02T08:00:00Z"));
  EXPECT_EQ(cal.next_open(at("2026-06-02T08:00:00Z")).value(), at("2026-06-02T09:30:00Z"));
  // ...and it follows the calendar into another zone.
  const auto tokyo = cal.with_zone(*duly::time_zone::locate("Asia/Tokyo"));
  EXPECT_EQ(tokyo.next_close(at("2026-06-01T23:00:00Z")).value(), at("2026-06-02T01:00:00Z"));
  // A VTIMEZONE of the file that is not an IANA name (Outlook's names): 09:00 EDT.
  EXPECT_EQ(cal.next_close(at("2026-07-15T12:00:00Z")).value(), at("2026-07-15T13:00:00Z"));
  EXPECT_EQ(cal.next_open(at("2026-07-15T13:00:00Z")).value(), at("2026-07-15T14:00:00Z"));
}

TEST(IcsHolidays, DeadlinesStepOverTimedClosures) {
  const auto cal = must(duly::parse_calendar(
      "timezone: America/New_York\n"
      "hours: {daily: \"00:00-24:00\"}\n"
      "holidays: [{ics: timed.ics}]\n",
      "cal.yaml", data_dir));
  // 00:30 EST + 1 h: 30 minutes to 01:00, closed until 04:00 EDT, then 30 more.
  EXPECT_EQ(cal.add(at("2026-03-08T05:30:00Z"), 1h).value(), at("2026-03-08T08:30:00Z"));
  EXPECT_EQ(cal.subtract(at("2026-03-08T08:30:00Z"), 1h).value(), at("2026-03-08T05:30:00Z"));
}

TEST(IcsHolidays, RecurringAndExcludedEvents) {
  const auto cal = must(with_ics("", "recurring.ics", "timezone: Europe/London\n"));
  // Yearly on 24 December to 2030, but not 2027; RDATE adds 4 July 2026.
  EXPECT_EQ(dates(cal.holidays_in(2026y)), "2026-07-04 2026-12-24");
  EXPECT_EQ(dates(cal.holidays_in(2027y)), "");
  EXPECT_EQ(dates(cal.holidays_in(2030y)), "2030-12-24");
  EXPECT_EQ(dates(cal.holidays_in(2031y)), "");
  // Weekly on Friday 16:00 London, five times: 6 March, not 13 (EXDATE), 20
  // moved to Thursday 19 09:00 (RECURRENCE-ID), 27, and 3 April in summer time.
  const auto closed_at = [&](const char* t) { return !cal.is_open(at(t)); };
  EXPECT_TRUE(closed_at("2026-03-06T16:30:00Z"));
  EXPECT_FALSE(closed_at("2026-03-13T16:30:00Z"));
  EXPECT_FALSE(closed_at("2026-03-20T16:30:00Z"));
  EXPECT_TRUE(closed_at("2026-03-19T09:30:00Z"));
  EXPECT_TRUE(closed_at("2026-03-27T16:30:00Z"));
  EXPECT_TRUE(closed_at("2026-04-03T15:30:00Z"));
  EXPECT_FALSE(closed_at("2026-04-03T16:30:00Z"));
  EXPECT_FALSE(closed_at("2026-04-10T15:30:00Z"));
}

TEST(IcsHolidays, SinceAndUntilFilterTheFile) {
  const auto cal = must(duly::parse_calendar("holidays: [{ics: recurring.ics, since: 2028, until: 2029}]\n", "cal.yaml",
                                             data_dir));
  EXPECT_EQ(dates(cal.holidays_in(2026y)), "");
  EXPECT_EQ(dates(cal.holidays_in(2028y)), "2028-12-24");
  EXPECT_EQ(dates(cal.holidays_in(2030y)), "");
}

TEST(IcsHolidays, PathsAreRelativeToTheFileThatNamesThem) {
  const auto dir = std::filesystem::temp_directory_path() / "duly_ics_relative";
  std::filesystem::create_directories(dir / "feeds");
  std::filesystem::copy_file(data_dir / "all_day.ics", dir / "feeds" / "uk.ics",
                             std::filesystem::copy_options::overwrite_existing);
  {
    std::ofstream(dir / "cal.yaml") << "holidays: [{ics: feeds/uk.ics}]\n";
  }
  const auto cal = duly::load_calendar(dir / "cal.yaml");
  ASSERT_TRUE(cal.has_value()) << cal.error().message();
  EXPECT_EQ(dates(cal->holidays_in(2026y)), "2026-01-01 2026-04-03 2026-04-06 2026-12-28");
  // From text with no base directory: the working directory.
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  const auto from_text = duly::parse_calendar("holidays: [{ics: feeds/uk.ics}]\n");
  std::filesystem::current_path(cwd);
  EXPECT_TRUE(from_text.has_value()) << message(from_text);
}

TEST(IcsHolidays, ErrorsNameTheFileAndLine) {
  const auto bad = with_ics("", "bad.ics");
  ASSERT_FALSE(bad.has_value());
  const std::string f = (data_dir / "bad.ics").string();
  EXPECT_EQ(bad.error().message(),
            f + ":4: holidays[0].ics: VEVENT has no DTSTART\n" +
            f + ":12: holidays[0].ics: unknown time zone 'Mars/Olympus': neither an IANA name nor a VTIMEZONE of "
                "the file\n" +
            f + ":19: holidays[0].ics: DTEND is before DTSTART");
  const auto missing = with_ics("", "nowhere.ics");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), errc::io_error);
  EXPECT_EQ(missing.error().message(), (data_dir / "nowhere.ics").string() +
                                           ": holidays[0].ics: cannot open the file for reading: No such file or "
                                           "directory");
}

// Writes `text` to a temporary .ics file and reads a calendar naming it.
duly::result<duly::calendar> from_text(const std::string& name, const std::string& text) {
  const auto file = std::filesystem::temp_directory_path() / name;
  std::ofstream(file, std::ios::binary) << text;
  return duly::parse_calendar("holidays: [{ics: " + file.string() + "}]\n");
}

std::string event(const std::string& body) {
  return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:x\r\n" + body +
         "END:VEVENT\r\nEND:VCALENDAR\r\n";
}

TEST(IcsHolidays, HostileFilesAreBoundedWork) {
  const auto tmp = std::filesystem::temp_directory_path();
  // A rule with no end, every minute: too many occurrences.
  const auto minutely = from_text("duly_minutely.ics", event("DTSTART:20260101T000000Z\r\nDTEND:20260101T000030Z\r\n"
                                                             "RRULE:FREQ=MINUTELY\r\n"));
  ASSERT_FALSE(minutely.has_value());
  EXPECT_EQ(minutely.error().code(), errc::invalid_argument);
  EXPECT_EQ(minutely.error().message(), (tmp / "duly_minutely.ics").string() +
                                            ":4: holidays[0].ics: more than 200000 occurrences over the supported "
                                            "years 1970 to 2199");
  // Every second from year 1, with a COUNT: the steps before 1970 count too.
  const auto ancient = from_text("duly_ancient.ics", event("DTSTART:00010101T000000Z\r\nDTEND:00010101T000001Z\r\n"
                                                           "RRULE:FREQ=SECONDLY;COUNT=2000000000\r\n"));
  ASSERT_FALSE(ancient.has_value());
  EXPECT_EQ(ancient.error().message(), (tmp / "duly_ancient.ics").string() +
                                           ":8: holidays[0].ics: the file's recurrence rules take more than 500000 "
                                           "steps");
  // Without COUNT, a rule from before 1970 starts at 1970.
  const auto old = from_text("duly_old.ics", event("DTSTART;VALUE=DATE:19000101\r\nRRULE:FREQ=YEARLY\r\n"));
  ASSERT_TRUE(old.has_value()) << message(old);
  EXPECT_EQ(dates(old->holidays_in(1970y)), "1970-01-01");
  // A huge COUNT of a rule that matches nothing before 2200 is cut by the step limit or the years.
  const auto huge = from_text("duly_huge.ics", event("DTSTART;VALUE=DATE:20260101\r\n"
                                                     "RRULE:FREQ=DAILY;COUNT=2000000000;BYMONTH=2;BYMONTHDAY=30\r\n"));
  EXPECT_TRUE(huge.has_value()) << message(huge);
  // Deep nesting.
  std::string deep = "BEGIN:VCALENDAR\r\n";
  for (int i = 0; i < 20; ++i) deep += "BEGIN:X-NEST\r\n";
  const auto nested = from_text("duly_deep.ics", deep);
  ASSERT_FALSE(nested.has_value());
  EXPECT_EQ(nested.error().message(),
            (tmp / "duly_deep.ics").string() + ":9: holidays[0].ics: components nest deeper than 8 levels");
  // A file over 16 MiB is refused before it is read.
  const auto big = tmp / "duly_big.ics";
  {
    std::ofstream out(big, std::ios::binary);
    const std::string line(1023, 'X');
    for (int i = 0; i < 17 * 1024; ++i) out << line << '\n';
  }
  const auto large = duly::parse_calendar("holidays: [{ics: " + big.string() + "}]\n");
  ASSERT_FALSE(large.has_value());
  EXPECT_EQ(large.error().message(), big.string() + ": holidays[0].ics: the file has 17825792 bytes; iCalendar files "
                                                    "over 16 MiB are refused");
  std::filesystem::remove(big);
  // A device is not read at all.
  const auto device = duly::parse_calendar("holidays: [{ics: /dev/zero}]\n");
  ASSERT_FALSE(device.has_value());
  EXPECT_EQ(device.error().message(), "/dev/zero: holidays[0].ics: not a regular file");
  // Not an iCalendar file at all.
  const auto junk = from_text("duly_junk.ics", "hello\n");
  ASSERT_FALSE(junk.has_value());
  EXPECT_EQ(junk.error().message(),
            (tmp / "duly_junk.ics").string() + ":1: holidays[0].ics: not an iCalendar file: expected BEGIN:VCALENDAR");
}

TEST(ClosedSpans, WrittenInTheDocument) {
  const auto cal = duly::parse_calendar(
      "timezone: America/New_York\n"
      "holidays:\n"
      "  - {name: Outage, start: 2026-03-08T01:00, end: \"2026-03-08T04:00:00\"}\n"
      "  - {start: 2026-06-01T09:00, end: 2026-06-01T10:00, timezone: UTC}\n");
  ASSERT_TRUE(cal.has_value()) << cal.error().message();
  EXPECT_EQ(cal->elapsed(at("2026-03-08T00:00:00Z"), at("2026-03-09T00:00:00Z")), 22h);
  EXPECT_FALSE(cal->is_open(at("2026-06-01T09:30:00Z")));
  const auto bad = duly::parse_calendar_spec(
      "holidays:\n"
      "  - {start: 2026-03-08T01:00, end: 2026-03-08T00:00}\n"
      "  - {start: 2026-03-08 01:00, end: 2026-03-08T02:00, timezone: Mars/Base}\n"
      "  - {start: 2026-03-08T01:00}\n",
      "cal.yaml");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message(),
            "cal.yaml:2:36: holidays[0].end: must be after start\n"
            "cal.yaml:3:13: holidays[1].start: expected a wall-clock time such as 2026-03-08T01:30 (no offset), got "
            "'2026-03-08 01:00'\n"
            "cal.yaml:3:64: holidays[1].timezone: unknown time zone 'Mars/Base': not in the system tz database "
            "(/usr/share/zoneinfo)\n"
            "cal.yaml:4:5: holidays[2].end: missing: give the end of the closed span, e.g. 2026-03-08T05:00");
}

}  // namespace

namespace {

TEST(IcsHolidays, LibicalParseErrorsNameTheEventLine) {
  const auto tmp = std::filesystem::temp_directory_path();
  const auto got = from_text("duly_garbage.ics", event("DTSTART:2026-13-45\r\n"));
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().message(),
            (tmp / "duly_garbage.ics").string() + ":6: holidays[0].ics: DTSTART is not a real date or time");
  const auto rule = from_text("duly_rule.ics", event("DTSTART:20260101T090000Z\r\nRRULE:FREQ=BOGUS\r\n"));
  ASSERT_FALSE(rule.has_value());
  EXPECT_EQ(rule.error().message(), (tmp / "duly_rule.ics").string() +
                                        ":7: holidays[0].ics: Can't parse as RECUR value in RRULE property. Removing "
                                        "entire property: FREQ=BOGUS");
}

}  // namespace

namespace {

// What `duly check` reports for a policy's calendars: an ics path beside the
// policy file, its problems with the .ics file's lines, and the new forms'
// problems with the policy's positions.
TEST(PolicyCalendars, IcsPathsAreBesideThePolicyAndProblemsArePositioned) {
  const auto dir = std::filesystem::temp_directory_path() / "duly_policy_ics";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(data_dir / "all_day.ics", dir / "uk.ics", std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(data_dir / "bad.ics", dir / "bad.ics", std::filesystem::copy_options::overwrite_existing);
  const auto write = [&](const char* text) { std::ofstream(dir / "policy.yaml") << text; };
  write(R"(duly: 1
calendars:
  uk:
    timezone: Europe/London
    holidays: [{ics: uk.ics}]
targets:
  - {name: a, start_when: "true", goals: [{within: 1h, calendar: uk}]}
)");
  const auto good = duly::load_policy(dir / "policy.yaml");
  ASSERT_TRUE(good.has_value()) << good.error().message();
  EXPECT_EQ(dates(good->calendars()[0].holidays_in(2026y)), "2026-01-01 2026-04-03 2026-04-06 2026-12-28");
  write(R"(duly: 1
calendars:
  uk:
    holidays:
      - {ics: bad.ics}
      - {month: 12, day: 25, observed: substitutes}
  desk:
    versions:
      - {from: 2026-06-01}
      - {from: 2026-01-01}
targets:
  - {name: a, start_when: "true", goals: [{within: 1h, calendar: uk}]}
)");
  const auto bad = duly::load_policy(dir / "policy.yaml");
  ASSERT_FALSE(bad.has_value());
  const std::string p = (dir / "policy.yaml").string();
  const std::string f = (dir / "bad.ics").string();
  EXPECT_EQ(bad.error().message(),
            f + ":4: calendars.uk.holidays[0].ics: VEVENT has no DTSTART\n" + p +
                ":6:40: calendars.uk.holidays[1].observed: unknown rule 'substitutes': expected none, "
                "nearest_weekday, next_weekday, previous_weekday or substitute\n" +
                p + ":10:16: calendars.desk.versions[1].from: from 2026-01-01 is not after the previous version's "
                    "from 2026-06-01\n" +
                f + ":12: calendars.uk.holidays[0].ics: unknown time zone 'Mars/Olympus': neither an IANA name nor "
                    "a VTIMEZONE of the file\n" +
                f + ":19: calendars.uk.holidays[0].ics: DTEND is before DTSTART");
}

}  // namespace

namespace {

TEST(IcsHolidays, DtendInAnotherZoneIsReadOnTheEventsClock) {
  const auto tmp = std::filesystem::temp_directory_path();
  // 09:00 in New York to 15:00Z (11:00 EDT): two hours.
  const auto got = from_text("duly_two_zones.ics", event("DTSTART;TZID=America/New_York:20260601T090000\r\n"
                                                         "DTEND:20260601T150000Z\r\n"));
  ASSERT_TRUE(got.has_value()) << message(got);
  EXPECT_EQ(got->elapsed(at("2026-06-01T00:00:00Z"), at("2026-06-02T00:00:00Z")), 22h);
  EXPECT_FALSE(got->is_open(at("2026-06-01T14:59:59Z")));
  EXPECT_TRUE(got->is_open(at("2026-06-01T15:00:00Z")));
}

}  // namespace
