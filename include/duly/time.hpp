// duly/time.hpp: instants, durations and their text forms.
//
// duly keeps three kinds of time apart:
//  - an *instant* is an absolute point on the UTC time line with one-second
//    resolution (`duly::instant`, a `std::chrono::sys_seconds`);
//  - a *civil* time is a wall-clock reading with no zone
//    (`std::chrono::local_seconds`, `duly::time_of_day`);
//  - a *zone* maps between the two (duly/zone.hpp).
// Durations are whole seconds (`std::chrono::seconds`). Business-day durations
// (`3bd`) are not a number of seconds; `duly::duration_spec` keeps them apart.
//
// Thread-safety: everything here is a value type or a pure function.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <duly/error.hpp>
#include <duly/export.hpp>

namespace duly {

class time_zone;

using instant = std::chrono::sys_seconds;
using seconds = std::chrono::seconds;

// The supported range of instants: [1970-01-01T00:00:00Z, 2200-01-01T00:00:00Z).
// Calendar arithmetic outside it is an `errc::out_of_range` error.
inline constexpr instant min_supported_instant{seconds{0}};
inline constexpr instant max_supported_instant{seconds{7258118400}};  // 2200-01-01

// Parses ISO-8601 text with `Z` or an offset: `2026-11-23T15:30:00Z`,
// `2026-11-23T08:30:00-07:00`, `2026-11-23T08:30-0700`, `2026-11-23 08:30:00.250+05:30`.
// Seconds may be left out; fractions of a second are floored (instant_fraction
// gives them). Text without an offset is an error that says so.
//   parse_instant("2026-11-23T08:30:00-07:00") -> 2026-11-23T15:30:00Z
[[nodiscard]] DULY_EXPORT result<instant> parse_instant(std::string_view text);

// As above, but text without an offset is read as a wall-clock time in `zone`
// (a time skipped by a DST change is read as the instant of the change; a
// repeated one as its first occurrence). Text with an offset ignores `zone`.
[[nodiscard]] DULY_EXPORT result<instant> parse_instant(std::string_view text,
                                                        const time_zone& zone);

// The fraction of a second written in ISO-8601 text that parse_instant reads,
// in nanoseconds (digits past the ninth dropped): "2026-11-23T08:30:00.25Z" ->
// 250000000; 0 without a fraction. It orders events within one second, while
// all arithmetic uses the floored instant.
[[nodiscard]] DULY_EXPORT std::uint32_t instant_fraction(std::string_view text) noexcept;

// Parses a calendar date "YYYY-MM-DD"; a date that does not exist (2026-02-30)
// is an error that says why.
[[nodiscard]] DULY_EXPORT result<std::chrono::sys_days> parse_date(std::string_view text);

// "2026-11-23T15:30:00Z".
[[nodiscard]] DULY_EXPORT std::string format_instant(instant t);

// A parsed duration: either whole seconds of running time, or a number of
// business days (`3bd`, see calendar::add_business_days). Never negative.
struct duration_spec {
  seconds value{0};
  std::int64_t business_days = 0;

  [[nodiscard]] constexpr bool is_business_days() const noexcept { return business_days > 0; }
  friend constexpr bool operator==(const duration_spec&, const duration_spec&) = default;
};

// The longest duration accepted: 10,000 years of seconds. Longer text is an
// `errc::out_of_range` error rather than an overflow.
inline constexpr seconds max_duration{seconds{315576000000}};

// Parses `45s`, `30m`, `4h`, `1h30m`, `2d` (48 hours of running time),
// `1d2h30m15s` (units in decreasing order, each at most once), `0s`, and `3bd`
// (business days, alone). A negative or empty duration is an error.
//   parse_duration("1h30m") -> {value = 5400s}
//   parse_duration("3bd")   -> {business_days = 3}
[[nodiscard]] DULY_EXPORT result<duration_spec> parse_duration(std::string_view text);

// The shortest text parse_duration reads back: 5400s -> "1h30m", 0s -> "0s",
// 172800s -> "2d". Negative values get a leading '-'.
[[nodiscard]] DULY_EXPORT std::string format_duration(seconds d);
[[nodiscard]] DULY_EXPORT std::string format_duration(const duration_spec& d);

// A wall-clock time of day from 00:00 to 24:00 inclusive, in minutes. 24:00 is
// only meaningful as the end of a window.
class time_of_day {
 public:
  constexpr time_of_day() noexcept = default;
  // `minutes` must be in [0, 1440]; use parse() for unchecked input.
  constexpr explicit time_of_day(int minutes) noexcept : minutes_(minutes) {}
  constexpr time_of_day(int hours, int minutes) noexcept : minutes_(hours * 60 + minutes) {}

  [[nodiscard]] constexpr int minutes() const noexcept { return minutes_; }
  [[nodiscard]] constexpr seconds since_midnight() const noexcept {
    return seconds{std::int64_t{minutes_} * 60};
  }
  // "HH:MM" with 1 or 2 hour digits and 2 minute digits; 24:00 is allowed.
  [[nodiscard]] DULY_EXPORT static result<time_of_day> parse(std::string_view text);
  // "08:00", "24:00".
  [[nodiscard]] DULY_EXPORT std::string to_string() const;

  friend constexpr auto operator<=>(time_of_day, time_of_day) = default;

 private:
  int minutes_ = 0;
};

}  // namespace duly
