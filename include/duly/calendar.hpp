// duly/calendar.hpp: business calendars, the arithmetic every deadline stands on.
//
// A calendar is a time zone, weekly open hours (several windows a day, windows
// across midnight, 24:00 ends), holidays (dates and rules) and dated exceptions.
// It answers: is it open now, how much open time lies between two instants, and
// which instant is a given amount of open time after (or before) another.
//
// Semantics:
//  - Each window of a local date is open from the instant a wall clock first
//    reaches its start to the instant it first reaches its end (the DST rule of
//    duly/zone.hpp). A window whose end <= start runs past midnight and belongs
//    to the date it starts on. Windows starting on a holiday are closed; an
//    exception replaces the weekly windows of its date (it wins over a holiday).
//  - elapsed(a, b) is the open seconds in [a, b); elapsed(b, a) = -elapsed(a, b).
//  - add(t, d), d > 0, is the earliest T >= t with elapsed(t, T) = d, so a
//    deadline can fall exactly on a closing time. subtract(T, d) is the latest
//    t <= T with elapsed(t, T) = d.
//  - add_business_days(t, n): the last closing time of the n-th open day after
//    t's local date.
//  - A versioned calendar (calendar_spec::versions) is one calendar: each span
//    of time is measured on the version in force then; business days count
//    each version's local dates from its `from` up to the next version's.
//  - Instants from 1970-01-01 to the end of 2199 (UTC) are supported; beyond is
//    an `errc::out_of_range` error. A calendar with no open time within ten
//    years makes add, subtract and next_open fail with `errc::never_open`.
//
// Cost: the calendar lazily builds, per UTC year and once, a table of merged
// open intervals with cumulative open time (a few microseconds a year for a
// typical calendar). After that, add, subtract and elapsed within a year are
// two binary searches plus arithmetic; spans across years add one step a year.
//
// Thread-safety: a `calendar` is an immutable handle. Copies share their tables,
// and every member function may be called from any number of threads at once,
// including the first calls that build the tables.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <duly/error.hpp>
#include <duly/export.hpp>
#include <duly/time.hpp>
#include <duly/zone.hpp>

namespace duly {

// One open window of a day, in wall-clock time. `end <= start` runs past
// midnight (into the next day); `end` may be 24:00.
struct window {
  time_of_day start;
  time_of_day end;
  friend constexpr bool operator==(const window&, const window&) = default;
};

// How a fixed-day holiday that falls on a weekend is observed.
enum class observed_rule {
  none,              // on its date, whatever the weekday
  nearest_weekday,   // Saturday -> Friday before, Sunday -> Monday after
  next_weekday,      // Saturday or Sunday -> Monday after
  previous_weekday,  // Saturday or Sunday -> Friday before
  // Saturday or Sunday -> the first following Monday to Friday that is not
  // already a holiday of the calendar. The calendar places holidays on a weekday
  // (and those without a moving rule) first, then the moving ones in order of
  // their nominal date: in England Christmas on Saturday 25 and Boxing Day on
  // Sunday 26 December 2021 are Monday 27 and Tuesday 28.
  substitute,
};

// A holiday: a date, or a rule that yields at most one date a year.
struct holiday_rule {
  enum class kind {
    date,         // one date: `date`
    fixed_day,    // every year on `month`/`day`, shifted by `observed`
    nth_weekday,  // the `nth` `weekday` of `month`; nth in 1..5 or -5..-1 (-1 = last)
    easter,       // `offset_days` from Western (Gregorian) Easter Sunday
  };
  kind type = kind::date;
  std::string name;
  std::chrono::year_month_day date{};
  unsigned month = 1;
  unsigned day = 1;
  std::chrono::weekday weekday{};
  int nth = 1;
  observed_rule observed = observed_rule::none;
  int offset_days = 0;
  // Years in force, inclusive; outside them the rule gives nothing (for a fixed
  // day, the year of its nominal date, before any observed shift).
  std::optional<std::chrono::year> since;
  std::optional<std::chrono::year> until;

  // The date this rule yields in `year`, if any (a 5th Monday may not exist;
  // Feb 29 exists only in leap years; nothing outside since/until). A
  // `substitute` rule gives its weekend date's next Monday here; the calendar
  // moves it further past its other holidays (calendar::holidays_in).
  [[nodiscard]] DULY_EXPORT std::optional<std::chrono::year_month_day> in_year(
      std::chrono::year year) const;
};

// A span of real time that is closed whatever the hours say: a timed event of
// an iCalendar file, or `{start: 2026-03-08T01:00, end: ..., timezone: ...}`.
// `start` and `end` are wall-clock times in `timezone`, read by the DST rule of
// duly/zone.hpp; an empty `timezone` is the calendar's own zone (an iCalendar
// "floating" time), so it follows calendar::with_zone.
struct closed_span {
  std::string name;
  std::string timezone;
  std::chrono::local_seconds start{};
  std::chrono::local_seconds end{};
  friend bool operator==(const closed_span&, const closed_span&) = default;
};

// Special hours on the date a holiday rule gives each year (every 24 December,
// three days before Easter); empty hours = closed. A dated exception on the
// same date wins.
struct yearly_exception {
  holiday_rule rule;
  std::vector<window> hours;
};

struct calendar_version;

// Everything a calendar is made of; the validated form of the YAML/JSON schema.
struct calendar_spec {
  std::string timezone = "UTC";
  // Weekly windows, index 0 = Monday ... 6 = Sunday. Absent = open 24x7.
  std::optional<std::array<std::vector<window>, 7>> hours;
  std::vector<holiday_rule> holidays;
  // Special hours that replace a date's weekly windows; empty = closed.
  std::map<std::chrono::sys_days, std::vector<window>> exceptions;
  // Special hours every year; where two give the same date, the first listed wins.
  std::vector<yearly_exception> yearly_exceptions;
  // Spans of real time closed whatever the hours and exceptions say.
  std::vector<closed_span> closed;
  // A calendar whose hours change: when not empty, the calendar is these
  // versions and the fields above are unused (left at their defaults).
  std::vector<calendar_version> versions;
};

// One version of a calendar: in force from the instant its own zone's wall
// clock first reaches 00:00 of `from` until the next version's start; the first
// version also covers all time before its `from`. `calendar` has no versions.
struct calendar_version {
  std::chrono::sys_days from{};
  calendar_spec calendar;
};

// An open span [start, end).
struct interval {
  instant start;
  instant end;
  friend constexpr bool operator==(const interval&, const interval&) = default;
};

class DULY_EXPORT calendar {
 public:
  // Open 24x7 in UTC.
  calendar();

  // Builds a calendar from a spec; fails on an unknown zone or invalid values.
  [[nodiscard]] static result<calendar> make(calendar_spec spec);

  [[nodiscard]] const calendar_spec& spec() const noexcept;
  // The calendar's zone; for a versioned calendar, its last version's.
  [[nodiscard]] const time_zone& zone() const noexcept;
  // The zone in force at t (differs from zone() only for versioned calendars).
  [[nodiscard]] const time_zone& zone_at(instant t) const noexcept;
  // The same hours, holidays and exceptions read in another zone (every
  // version's, for a versioned calendar).
  [[nodiscard]] calendar with_zone(const time_zone& zone) const;

  // Earliest T >= t with elapsed(t, T) = d (d >= 0).
  //   Mon-Fri 09:00-17:00 UTC: add(Fri 16:00, 2h) -> Mon 10:00
  [[nodiscard]] result<instant> add(instant t, seconds d) const;
  // add() for seconds, add_business_days() for business days.
  [[nodiscard]] result<instant> add(instant t, const duration_spec& d) const;
  // Latest t <= T with elapsed(t, T) = d (d >= 0).
  [[nodiscard]] result<instant> subtract(instant t, seconds d) const;
  // Open seconds in [a, b), negative when b < a. Open time outside the
  // supported range is not counted; use try_elapsed() to get an error instead.
  [[nodiscard]] seconds elapsed(instant a, instant b) const;
  [[nodiscard]] result<seconds> try_elapsed(instant a, instant b) const;
  // False outside the supported range.
  [[nodiscard]] bool is_open(instant t) const;
  // Earliest open instant >= t.
  [[nodiscard]] result<instant> next_open(instant t) const;
  // Earliest instant >= t that is not open.
  [[nodiscard]] result<instant> next_close(instant t) const;
  // The last closing time of the n-th open day after t's local date (n >= 0;
  // n = 0 returns t). An open day is a local date with some open time.
  [[nodiscard]] result<instant> add_business_days(instant t, std::int64_t n) const;
  // The holidays of local year `y` after placement (substitute days moved past
  // the others), sorted, each once; empty outside 1970 to 2199. Exceptions and
  // timed closures are not included.
  //   England 2021: ..., 2021-12-27 (Christmas), 2021-12-28 (Boxing Day)
  [[nodiscard]] std::vector<std::chrono::year_month_day> holidays_in(std::chrono::year y) const;
  // The merged open intervals that meet [from, to), clipped to it.
  [[nodiscard]] result<std::vector<interval>> open_intervals(instant from, instant to) const;

  struct impl;

 private:
  explicit calendar(std::shared_ptr<const impl> p) : impl_(std::move(p)) {}
  std::shared_ptr<const impl> impl_;
};

// Parses a calendar document (YAML or JSON, the schema of docs/calendars.md):
//   timezone: America/Denver
//   hours: { mon-fri: ["08:00-12:00", "13:00-17:00"], sat: "09:00-13:00" }
//   holidays: [2026-12-25, {name: Thanksgiving, month: 11, weekday: thu, nth: 4}]
//   exceptions: { 2026-12-24: ["08:00-12:00"], 2026-12-31: [] }
// Every problem is reported at once, each as "source:line:column: path: message".
// `source_name` names the text in messages (a file name, or empty).
// A holiday entry `{ics: PATH}` reads an iCalendar file (RFC 5545, with
// libical): all-day events become dated holidays, timed ones closed spans,
// recurrences expanded over 1970 to 2199. A relative PATH is read from
// `base_dir` (empty: the working directory). Its problems name that file and
// line. Files over 16 MiB, nesting deeper than 8 components, more than 200,000
// occurrences, or recurrence rules that take more than 500,000 steps in all, are
// errors (`errc::invalid_argument`), so a hostile file is bounded work.
[[nodiscard]] DULY_EXPORT result<calendar_spec> parse_calendar_spec(std::string_view text,
                                                                    std::string_view source_name = {},
                                                                    const std::filesystem::path& base_dir = {});
[[nodiscard]] DULY_EXPORT result<calendar> parse_calendar(std::string_view text,
                                                          std::string_view source_name = {},
                                                          const std::filesystem::path& base_dir = {});
// Reads and parses a calendar file; messages name the file; `ics` paths are
// relative to the file's directory.
[[nodiscard]] DULY_EXPORT result<calendar> load_calendar(const std::filesystem::path& path);

}  // namespace duly
