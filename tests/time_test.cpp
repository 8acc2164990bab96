// Tests of duly/time.hpp (instants, durations, times of day and their text
// forms) and of the Boost.Date_Time interop in duly/boost.hpp.
#include <duly/time.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <boost/date_time/gregorian/gregorian.hpp>
#include <boost/date_time/posix_time/posix_time.hpp>
#include <gtest/gtest.h>

#include <duly/boost.hpp>
#include <duly/calendar.hpp>
#include <duly/zone.hpp>

namespace {

using namespace std::chrono_literals;
using duly::errc;
using duly::instant;
using std::chrono::sys_days;

// 2026-11-23T15:30:00Z and friends, built without going through the parser.
constexpr instant utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return instant{sys_days{std::chrono::year{y} / std::chrono::month{mo} / std::chrono::day{d}}} +
         std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{s};
}

duly::time_zone zone(std::string_view name) {
  auto z = duly::time_zone::locate(name);
  EXPECT_TRUE(z.has_value()) << name << ": " << (z ? "" : z.error().message());
  return z ? *z : duly::time_zone{};
}

// ---------------------------------------------------------------------------
// parse_instant

TEST(ParseInstant, AcceptsZuluAndOffsets) {
  struct row {
    const char* text;
    instant expected;
  };
  const row rows[] = {
      {"2026-11-23T15:30:00Z", utc(2026, 11, 23, 15, 30)},
      {"2026-11-23T15:30:00z", utc(2026, 11, 23, 15, 30)},
      {"2026-11-23T08:30:00-07:00", utc(2026, 11, 23, 15, 30)},
      {"2026-11-23T21:00:00+05:30", utc(2026, 11, 23, 15, 30)},
      {"2026-11-23T08:30-0700", utc(2026, 11, 23, 15, 30)},
      {"2026-11-23T21:00:00+0530", utc(2026, 11, 23, 15, 30)},
      {"2026-11-23T15:30Z", utc(2026, 11, 23, 15, 30)},
      {"2026-11-23 08:30:00.250+05:30", utc(2026, 11, 23, 3, 0)},
      {"2026-11-23T15:30:00+00:00", utc(2026, 11, 23, 15, 30)},
      {"2026-11-23T15:30:00-00:00", utc(2026, 11, 23, 15, 30)},
      // The offset moves the instant across a date and a year.
      {"2026-12-31T23:30:00-01:00", utc(2027, 1, 1, 0, 30)},
      {"2027-01-01T00:30:00+01:00", utc(2026, 12, 31, 23, 30)},
      {"2028-02-29T12:00:00Z", utc(2028, 2, 29, 12)},
      {"1970-01-01T00:00:00Z", instant{}},
      {"2199-12-31T23:59:59Z", duly::max_supported_instant - 1s},
      // Surrounding white space is ignored.
      {"  2026-11-23T15:30:00Z\n", utc(2026, 11, 23, 15, 30)},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.text);
    const auto got = duly::parse_instant(r.text);
    ASSERT_TRUE(got.has_value()) << got.error().message();
    EXPECT_EQ(duly::format_instant(*got), duly::format_instant(r.expected));
    EXPECT_EQ(*got, r.expected);
  }
}

TEST(ParseInstant, FloorsFractionsOfASecond) {
  struct row {
    const char* text;
    instant expected;
  };
  const row rows[] = {
      {"2026-11-23T15:30:00.999Z", utc(2026, 11, 23, 15, 30, 0)},
      {"2026-11-23T15:30:59.999999999Z", utc(2026, 11, 23, 15, 30, 59)},
      {"2026-11-23T15:30:00,5Z", utc(2026, 11, 23, 15, 30, 0)},
      {"2026-11-23T15:30:07.000+01:00", utc(2026, 11, 23, 14, 30, 7)},
      // Floored towards the past, also before the epoch.
      {"1969-12-31T23:59:59.5Z", instant{} - 1s},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.text);
    const auto got = duly::parse_instant(r.text);
    ASSERT_TRUE(got.has_value()) << got.error().message();
    EXPECT_EQ(*got, r.expected);
  }
}

TEST(ParseInstant, MissingOffsetIsAnErrorThatSaysSo) {
  const auto got = duly::parse_instant("2026-11-23T15:30:00");
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().code(), errc::invalid_argument);
  EXPECT_EQ(got.error().message(),
            "instant '2026-11-23T15:30:00' has no UTC offset: add Z or an offset such as +01:00, "
            "or name a time zone for it");
}

TEST(ParseInstant, RejectsMalformedText) {
  struct row {
    const char* text;
    const char* message;
  };
  const row rows[] = {
      {"", "not an ISO-8601 instant: '' (expected YYYY-MM-DDTHH:MM:SS followed by Z or an offset "
           "such as +01:00)"},
      {"tomorrow", "not an ISO-8601 instant: 'tomorrow' (expected YYYY-MM-DDTHH:MM:SS followed by Z "
                   "or an offset such as +01:00)"},
      {"2026-13-01T00:00:00Z", "not an ISO-8601 instant: '2026-13-01T00:00:00Z' (month 13 does not exist)"},
      {"2026-02-30T00:00:00Z",
       "not an ISO-8601 instant: '2026-02-30T00:00:00Z' (day 30 does not exist in February 2026)"},
      {"2027-02-29T00:00:00Z",
       "not an ISO-8601 instant: '2027-02-29T00:00:00Z' (day 29 does not exist in February 2027)"},
      {"2026-11-23", "not an ISO-8601 instant: '2026-11-23' (a date is not an instant: give a time of "
                     "day too, e.g. T00:00:00Z)"},
      {"2026-11-23T24:00:00Z", "not an ISO-8601 instant: '2026-11-23T24:00:00Z' (hour 24 is out of range 00 to 23)"},
      {"2026-11-23T12:60:00Z",
       "not an ISO-8601 instant: '2026-11-23T12:60:00Z' (minute 60 is out of range 00 to 59)"},
      {"2026-11-23T15:30:00Zjunk",
       "not an ISO-8601 instant: '2026-11-23T15:30:00Zjunk' (unexpected 'junk' after the offset)"},
      {"2026-11-23T15:30:00 UTC",
       "not an ISO-8601 instant: '2026-11-23T15:30:00 UTC' (unexpected ' UTC' after the time)"},
      {"2026-11-23T15:30:00+5:30",
       "not an ISO-8601 instant: '2026-11-23T15:30:00+5:30' (expected the offset as +HH:MM, +HHMM or +HH)"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.text);
    const auto got = duly::parse_instant(r.text);
    ASSERT_FALSE(got.has_value()) << duly::format_instant(*got);
    EXPECT_EQ(got.error().code(), errc::invalid_argument);
    EXPECT_EQ(got.error().message(), r.message);
  }
}

TEST(ParseInstant, WithZoneReadsWallClockTime) {
  const auto denver = zone("America/Denver");
  const auto got = duly::parse_instant("2026-11-23T08:30:00", denver);
  ASSERT_TRUE(got.has_value()) << got.error().message();
  EXPECT_EQ(*got, utc(2026, 11, 23, 15, 30));
}

TEST(ParseInstant, WithZoneTakesSkippedTimesAtTheChangeAndRepeatedOnesFirst) {
  const auto ny = zone("America/New_York");
  struct row {
    const char* text;
    instant expected;
  };
  const row rows[] = {
      // Spring forward 2026-03-08: 02:00 EST becomes 03:00 EDT at 07:00Z.
      {"2026-03-08T01:59:59", utc(2026, 3, 8, 6, 59, 59)},
      {"2026-03-08T02:00:00", utc(2026, 3, 8, 7)},
      {"2026-03-08T02:30:00", utc(2026, 3, 8, 7)},
      {"2026-03-08T02:59:59", utc(2026, 3, 8, 7)},
      {"2026-03-08T03:00:00", utc(2026, 3, 8, 7)},
      {"2026-03-08T03:00:01", utc(2026, 3, 8, 7, 0, 1)},
      // Fall back 2026-11-01: 02:00 EDT becomes 01:00 EST at 06:00Z.
      {"2026-11-01T00:59:59", utc(2026, 11, 1, 4, 59, 59)},
      {"2026-11-01T01:00:00", utc(2026, 11, 1, 5)},
      {"2026-11-01T01:30:00", utc(2026, 11, 1, 5, 30)},
      {"2026-11-01T01:59:59", utc(2026, 11, 1, 5, 59, 59)},
      {"2026-11-01T02:00:00", utc(2026, 11, 1, 7)},
      // An explicit offset wins over the zone: the second 01:30.
      {"2026-11-01T01:30:00-05:00", utc(2026, 11, 1, 6, 30)},
      {"2026-11-01T01:30:00Z", utc(2026, 11, 1, 1, 30)},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.text);
    const auto got = duly::parse_instant(r.text, ny);
    ASSERT_TRUE(got.has_value()) << got.error().message();
    EXPECT_EQ(duly::format_instant(*got), duly::format_instant(r.expected));
  }
}

TEST(ParseInstant, WithZoneStillRejectsMalformedText) {
  const auto got = duly::parse_instant("2026-02-30T10:00:00", zone("Europe/London"));
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().code(), errc::invalid_argument);
  EXPECT_EQ(got.error().message(),
            "not an ISO-8601 instant: '2026-02-30T10:00:00' (day 30 does not exist in February 2026)");
}

// ---------------------------------------------------------------------------
// format_instant

TEST(FormatInstant, WritesUtcWithZ) {
  struct row {
    instant t;
    const char* text;
  };
  const row rows[] = {
      {utc(2026, 11, 23, 15, 30), "2026-11-23T15:30:00Z"},
      {instant{}, "1970-01-01T00:00:00Z"},
      {utc(2028, 2, 29, 23, 59, 59), "2028-02-29T23:59:59Z"},
      {duly::max_supported_instant - 1s, "2199-12-31T23:59:59Z"},
      {duly::max_supported_instant, "2200-01-01T00:00:00Z"},
      {utc(2026, 1, 2, 3, 4, 5), "2026-01-02T03:04:05Z"},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(duly::format_instant(r.t), r.text);
    const auto back = duly::parse_instant(r.text);
    ASSERT_TRUE(back.has_value()) << r.text;
    EXPECT_EQ(*back, r.t) << r.text;
  }
}

// ---------------------------------------------------------------------------
// parse_date

TEST(ParseDate, ReadsRealDatesAndExplainsImpossibleOnes) {
  EXPECT_EQ(duly::parse_date("2026-11-23"), sys_days{std::chrono::year{2026} / 11 / 23});
  EXPECT_EQ(duly::parse_date("2028-02-29"), sys_days{std::chrono::year{2028} / 2 / 29});
  struct row {
    const char* text;
    const char* message;
  };
  const row rows[] = {
      {"2026-02-30", "invalid date '2026-02-30': day 30 does not exist in February 2026"},
      {"2027-02-29", "invalid date '2027-02-29': day 29 does not exist in February 2027"},
      {"2026-04-31", "invalid date '2026-04-31': day 31 does not exist in April 2026"},
      {"2026-13-01", "invalid date '2026-13-01': month 13 does not exist"},
      {"2026-1-5", "invalid date '2026-1-5': expected YYYY-MM-DD"},
      {"2026-11-23T00:00:00Z", "invalid date '2026-11-23T00:00:00Z': expected YYYY-MM-DD"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.text);
    const auto got = duly::parse_date(r.text);
    ASSERT_FALSE(got.has_value());
    EXPECT_EQ(got.error().code(), errc::invalid_argument);
    EXPECT_EQ(got.error().message(), r.message);
  }
}

// ---------------------------------------------------------------------------
// parse_duration / format_duration

TEST(ParseDuration, ReadsSecondsMinutesHoursDaysAndBusinessDays) {
  struct row {
    const char* text;
    duly::duration_spec expected;
  };
  const row rows[] = {
      {"45s", {45s, 0}},
      {"30m", {30min, 0}},
      {"4h", {4h, 0}},
      {"1h30m", {90min, 0}},
      {"2d", {48h, 0}},
      {"1d2h30m15s", {26h + 30min + 15s, 0}},
      {"0s", {0s, 0}},
      {"90m", {90min, 0}},
      {"3bd", {0s, 3}},
      {"1bd", {0s, 1}},
      {"30cd", {0s, 0, 30}},
      {"1cd", {0s, 0, 1}},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.text);
    const auto got = duly::parse_duration(r.text);
    ASSERT_TRUE(got.has_value()) << got.error().message();
    EXPECT_EQ(*got, r.expected);
    EXPECT_EQ(got->is_business_days(), r.expected.business_days > 0);
    EXPECT_EQ(got->is_calendar_days(), r.expected.calendar_days > 0);
    EXPECT_EQ(got->is_seconds(), r.expected.business_days == 0 && r.expected.calendar_days == 0);
  }
}

TEST(ParseDuration, RejectsNegativeEmptyAndMalformedText) {
  struct row {
    const char* text;
    const char* message;
  };
  const row rows[] = {
      {"-4h", "invalid duration '-4h': a duration cannot be negative"},
      {"", "invalid duration '': expected a number and a unit: 45s, 30m, 4h, 1h30m, 2d, business days "
           "such as 3bd, or calendar days such as 30cd"},
      {"4x", "invalid duration '4x': unknown unit 'x' (s, m, h, d, bd or cd)"},
      {"1m1h", "invalid duration '1m1h': units must come in the order d, h, m, s, each at most once"},
      {"1h1h", "invalid duration '1h1h': units must come in the order d, h, m, s, each at most once"},
      {"3bd2h", "invalid duration '3bd2h': business days (bd) cannot be combined with other units"},
      {"2h3bd", "invalid duration '2h3bd': business days (bd) cannot be combined with other units"},
      {"30cd1h", "invalid duration '30cd1h': calendar days (cd) cannot be combined with other units"},
      {"1d30cd", "invalid duration '1d30cd': calendar days (cd) cannot be combined with other units"},
      {"4", "invalid duration '4': missing unit after 4 (s, m, h, d, bd or cd)"},
      {"h", "invalid duration 'h': expected a number and a unit: 45s, 30m, 4h, 1h30m, 2d, business days "
            "such as 3bd, or calendar days such as 30cd"},
      // A sign alone, or a sign inside (found by the JSON Schema agreement test).
      {"+", "invalid duration '+': expected a number and a unit: 45s, 30m, 4h, 1h30m, 2d, business days "
            "such as 3bd, or calendar days such as 30cd"},
      {"1h-0m", "invalid duration '1h-0m': expected a number and a unit: 45s, 30m, 4h, 1h30m, 2d, business days "
                "such as 3bd, or calendar days such as 30cd"},
      {"++1h", "invalid duration '++1h': expected a number and a unit: 45s, 30m, 4h, 1h30m, 2d, business days "
               "such as 3bd, or calendar days such as 30cd"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.text);
    const auto got = duly::parse_duration(r.text);
    ASSERT_FALSE(got.has_value()) << duly::format_duration(*got);
    EXPECT_EQ(got.error().code(), errc::invalid_argument);
    EXPECT_EQ(got.error().message(), r.message);
  }
}

TEST(ParseDuration, TooLongIsOutOfRangeNotAnOverflow) {
  for (const char* text : {"99999999999999999999s", "10001000d", "9223372036854775807h"}) {
    SCOPED_TRACE(text);
    const auto got = duly::parse_duration(text);
    ASSERT_FALSE(got.has_value());
    EXPECT_EQ(got.error().code(), errc::out_of_range);
    EXPECT_EQ(got.error().message(), std::string("duration '") + text + "' is too long");
  }
  // The longest accepted duration itself is fine.
  const auto longest = duly::parse_duration(std::to_string(duly::max_duration.count()) + "s");
  ASSERT_TRUE(longest.has_value());
  EXPECT_EQ(longest->value, duly::max_duration);
}

TEST(FormatDuration, WritesTheShortestTextParseDurationReadsBack) {
  struct row {
    duly::seconds d;
    const char* text;
  };
  const row rows[] = {
      {0s, "0s"},       {45s, "45s"},         {60s, "1m"},           {5400s, "1h30m"},
      {4h, "4h"},       {172800s, "2d"},      {90061s, "1d1h1m1s"},  {86399s, "23h59m59s"},
      {3601s, "1h1s"},  {-5400s, "-1h30m"},   {-1s, "-1s"},          {100h, "4d4h"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.text);
    EXPECT_EQ(duly::format_duration(r.d), r.text);
    if (r.d >= 0s) {
      const auto back = duly::parse_duration(r.text);
      ASSERT_TRUE(back.has_value()) << back.error().message();
      EXPECT_EQ(back->value, r.d);
    }
  }
  EXPECT_EQ(duly::format_duration(duly::duration_spec{0s, 3}), "3bd");
  EXPECT_EQ(duly::format_duration(duly::duration_spec{0s, 0, 30}), "30cd");
  EXPECT_EQ(duly::format_duration(duly::duration_spec{5400s, 0}), "1h30m");
  EXPECT_EQ(duly::format_duration(duly::duration_spec{}), "0s");
}

TEST(FormatDuration, RoundTripsThroughParseDuration) {
  for (std::int64_t s = 0; s < 200000; s += 37) {
    const duly::seconds d{s};
    const auto text = duly::format_duration(d);
    const auto back = duly::parse_duration(text);
    ASSERT_TRUE(back.has_value()) << text;
    ASSERT_EQ(back->value, d) << text;
  }
}

// ---------------------------------------------------------------------------
// time_of_day

TEST(TimeOfDay, ParsesHoursAndMinutesUpTo2400) {
  struct row {
    const char* text;
    int minutes;
    const char* canonical;
  };
  const row rows[] = {
      {"00:00", 0, "00:00"},     {"08:00", 480, "08:00"}, {"8:00", 480, "08:00"},
      {"17:30", 1050, "17:30"},  {"23:59", 1439, "23:59"}, {"24:00", 1440, "24:00"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.text);
    const auto got = duly::time_of_day::parse(r.text);
    ASSERT_TRUE(got.has_value()) << got.error().message();
    EXPECT_EQ(got->minutes(), r.minutes);
    EXPECT_EQ(got->since_midnight(), duly::seconds{r.minutes * 60});
    EXPECT_EQ(got->to_string(), r.canonical);
  }
  static_assert(duly::time_of_day{8, 30}.minutes() == 510);
  static_assert(duly::time_of_day{24, 0} > duly::time_of_day{23, 59});
  static_assert(duly::time_of_day{} == duly::time_of_day{0});
}

TEST(TimeOfDay, RejectsWhatIsNotAClockTime) {
  struct row {
    const char* text;
    const char* message;
  };
  const row rows[] = {
      {"25:00", "invalid time of day '25:00': hours must be 00 to 23, or 24:00 for the end of the day"},
      {"24:01", "invalid time of day '24:01': hours must be 00 to 23, or 24:00 for the end of the day"},
      {"12:60", "invalid time of day '12:60': minutes must be 00 to 59"},
      {"9", "invalid time of day '9': expected HH:MM, e.g. 08:00 or 17:30"},
      {"noon", "invalid time of day 'noon': expected HH:MM, e.g. 08:00 or 17:30"},
      {"", "invalid time of day '': expected HH:MM, e.g. 08:00 or 17:30"},
      {"123:00", "invalid time of day '123:00': expected HH:MM, e.g. 08:00 or 17:30"},
      {"08:0", "invalid time of day '08:0': expected HH:MM, e.g. 08:00 or 17:30"},
      {"08:00:00", "invalid time of day '08:00:00': expected HH:MM, e.g. 08:00 or 17:30"},
      {"-1:00", "invalid time of day '-1:00': expected HH:MM, e.g. 08:00 or 17:30"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.text);
    const auto got = duly::time_of_day::parse(r.text);
    ASSERT_FALSE(got.has_value()) << got->to_string();
    EXPECT_EQ(got.error().code(), errc::invalid_argument);
    EXPECT_EQ(got.error().message(), r.message);
  }
}

// ---------------------------------------------------------------------------
// Boost.Date_Time interop (duly/boost.hpp)

TEST(BoostInterop, PtimeConvertsToAndFromAnInstant) {
  namespace pt = boost::posix_time;
  const auto t = duly::from_ptime(pt::time_from_string("2026-11-23 15:30:00"));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, utc(2026, 11, 23, 15, 30));
  EXPECT_EQ(duly::to_ptime(*t), pt::time_from_string("2026-11-23 15:30:00"));
  EXPECT_EQ(duly::to_ptime(instant{}), pt::ptime(boost::gregorian::date(1970, 1, 1)));
  EXPECT_EQ(duly::to_ptime(duly::max_supported_instant - 1s),
            pt::time_from_string("2199-12-31 23:59:59"));
  // Round trips over the supported range, at odd seconds.
  for (std::int64_t s = 0; s < duly::max_supported_instant.time_since_epoch().count();
       s += 86400 * 97 + 3613) {
    const instant x{duly::seconds{s}};
    const auto back = duly::from_ptime(duly::to_ptime(x));
    ASSERT_TRUE(back.has_value());
    ASSERT_EQ(*back, x) << duly::format_instant(x);
  }
}

TEST(BoostInterop, PtimeFractionsAreFlooredAndSpecialValuesRejected) {
  namespace pt = boost::posix_time;
  const auto later = duly::from_ptime(pt::time_from_string("2026-11-23 15:30:00.750"));
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(*later, utc(2026, 11, 23, 15, 30));
  const auto before_epoch = duly::from_ptime(pt::time_from_string("1969-12-31 23:59:59.500"));
  ASSERT_TRUE(before_epoch.has_value());
  EXPECT_EQ(*before_epoch, instant{} - 1s);
  for (const auto special : {pt::ptime(boost::date_time::not_a_date_time), pt::ptime(boost::date_time::pos_infin),
                             pt::ptime(boost::date_time::neg_infin)}) {
    const auto got = duly::from_ptime(special);
    ASSERT_FALSE(got.has_value());
    EXPECT_EQ(got.error().code(), errc::invalid_argument);
    EXPECT_EQ(got.error().message(), "ptime: not a date-time: special value");
  }
}

TEST(BoostInterop, GregorianDateConvertsToChronoDates) {
  namespace bg = boost::gregorian;
  EXPECT_EQ(duly::from_date(bg::date(2026, 11, 23)), sys_days{std::chrono::year{2026} / 11 / 23});
  EXPECT_EQ(duly::from_date(bg::date(1970, 1, 1)), sys_days{});
  EXPECT_EQ(duly::from_date(bg::date(2028, 2, 29)), sys_days{std::chrono::year{2028} / 2 / 29});
  EXPECT_EQ(duly::to_year_month_day(bg::date(2199, 12, 31)),
            std::chrono::year{2199} / 12 / 31);
  for (bg::date d(1970, 1, 1); d < bg::date(2200, 1, 1); d += bg::days(89)) {
    ASSERT_EQ(duly::to_date(duly::from_date(d)), d) << bg::to_iso_extended_string(d);
  }
}

TEST(BoostInterop, GregorianDatesServeAsCalendarDates) {
  namespace bg = boost::gregorian;
  duly::calendar_spec spec;
  spec.hours = std::array<std::vector<duly::window>, 7>{};
  for (int d = 0; d < 5; ++d) (*spec.hours)[d] = {{duly::time_of_day{9, 0}, duly::time_of_day{17, 0}}};
  spec.exceptions[duly::from_date(bg::date(2026, 11, 24))] = {};  // closed Tuesday
  duly::holiday_rule h;
  h.type = duly::holiday_rule::kind::date;
  h.date = duly::to_year_month_day(bg::date(2026, 11, 25));
  spec.holidays.push_back(h);
  const auto cal = duly::calendar::make(spec);
  ASSERT_TRUE(cal.has_value()) << cal.error().message();
  // Mon 16:00 + 2h: 1h on Monday, Tuesday and Wednesday closed, Thursday 10:00.
  const auto due = cal->add(utc(2026, 11, 23, 16), 2h);
  ASSERT_TRUE(due.has_value()) << due.error().message();
  EXPECT_EQ(*due, utc(2026, 11, 26, 10));
}

}  // namespace
