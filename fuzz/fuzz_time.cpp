// Fuzzes the text forms of duly/time.hpp: parse_instant (with and without a
// zone), parse_duration, parse_date and time_of_day::parse, with round trips:
//  - format_instant(parse_instant(x)) parses back to the same instant and
//    formats the same (for instants whose year has four digits);
//  - text with an offset reads the same whatever zone is given;
//  - text without one is read at the instant a wall clock first reaches it:
//    to_local(t) >= the text's wall time > to_local(t - 1s);
//  - format_duration(parse_duration(x)) parses back to the same duration;
//  - parse_date(x) formats back to x exactly;
//  - time_of_day::parse(x).to_string() parses back to the same time.
// The whole input is the text given to every parser.
#include <duly/time.hpp>
#include <duly/zone.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"

namespace {

using namespace std::chrono;
using duly::instant;

// Years 0000 to 9999: the instants format_instant writes with four digits.
constexpr std::int64_t first_four_digit = -62167219200;  // 0000-01-01T00:00:00Z
constexpr std::int64_t after_four_digit = 253402300800;  // 10000-01-01T00:00:00Z

const std::array<duly::time_zone, 6>& zones() {
  static const std::array<duly::time_zone, 6> z = {
      duly::time_zone{},
      duly::time_zone::locate("America/New_York").value(),
      duly::time_zone::locate("Asia/Kolkata").value(),
      duly::time_zone::locate("Australia/Lord_Howe").value(),  // 30-minute DST change
      duly::time_zone::locate("Pacific/Apia").value(),         // skipped a whole day in 2011
      duly::time_zone::locate("Europe/Dublin").value(),        // negative DST in tzdata
  };
  return z;
}

void check_instant(std::string_view text) {
  const auto t = duly::parse_instant(text);
  const auto as_utc = duly::parse_instant(text, zones()[0]);
  if (t) {
    const std::int64_t v = t->time_since_epoch().count();
    const std::string f = duly::format_instant(*t);
    if (v >= first_four_digit && v < after_four_digit) {
      const auto back = duly::parse_instant(f);
      DULY_FUZZ_CHECK(back.has_value(), "format_instant(parse_instant('" << text << "')) = '" << f
                                                                           << "' does not parse: "
                                                                           << back.error().message());
      DULY_FUZZ_CHECK(*back == *t, "'" << text << "' -> " << v << " -> '" << f << "' -> "
                                       << back->time_since_epoch().count());
      DULY_FUZZ_CHECK(duly::format_instant(*back) == f, "format is not stable for '" << text << "'");
    }
    // An explicit offset wins over any zone.
    for (const auto& z : zones()) {
      const auto tz = duly::parse_instant(text, z);
      DULY_FUZZ_CHECK(tz.has_value() && *tz == *t,
                      "'" << text << "' reads differently in zone " << z.name());
    }
    DULY_FUZZ_CHECK(as_utc.has_value() && *as_utc == *t, "'" << text << "' differs with UTC given");
    return;
  }
  // Without an offset: a wall-clock time, read in each zone by the DST rule.
  if (!as_utc) return;
  const local_seconds wall{as_utc->time_since_epoch()};
  for (const auto& z : zones()) {
    const auto tz = duly::parse_instant(text, z);
    DULY_FUZZ_CHECK(tz.has_value(), "'" << text << "' reads in UTC but not in " << z.name() << ": "
                                        << tz.error().message());
    const auto v = tz->time_since_epoch().count();
    if (v < first_four_digit || v >= after_four_digit) continue;
    DULY_FUZZ_CHECK(z.to_local(*tz) >= wall, "'" << text << "' in " << z.name() << " -> " << v
                                                 << " whose wall time is earlier than the text");
    DULY_FUZZ_CHECK(z.to_local(*tz - duly::seconds{1}) < wall,
                    "'" << text << "' in " << z.name() << " -> " << v
                        << ", but the wall clock reached the text earlier");
  }
}

void check_duration(std::string_view text) {
  const auto d = duly::parse_duration(text);
  if (!d) return;
  DULY_FUZZ_CHECK(d->business_days >= 0 && d->value.count() >= 0, "negative duration from '" << text << "'");
  DULY_FUZZ_CHECK(d->value <= duly::max_duration, "'" << text << "' is longer than max_duration");
  DULY_FUZZ_CHECK(!(d->is_business_days() && d->value.count() != 0), "'" << text << "' is both kinds");
  const std::string f = duly::format_duration(*d);
  const auto back = duly::parse_duration(f);
  DULY_FUZZ_CHECK(back.has_value(), "'" << text << "' -> '" << f << "' does not parse: " << back.error().message());
  DULY_FUZZ_CHECK(*back == *d, "'" << text << "' -> '" << f << "' parses to something else");
  DULY_FUZZ_CHECK(duly::format_duration(*back) == f, "format is not stable for '" << text << "'");
}

void check_date(std::string_view text) {
  const auto d = duly::parse_date(text);
  if (!d) return;
  const std::string f = duly::format_instant(sys_seconds{*d}).substr(0, 10);
  DULY_FUZZ_CHECK(f == text, "parse_date('" << text << "') formats as '" << f << "'");
}

void check_time_of_day(std::string_view text) {
  const auto t = duly::time_of_day::parse(text);
  if (!t) return;
  DULY_FUZZ_CHECK(t->minutes() >= 0 && t->minutes() <= 1440, "'" << text << "' -> " << t->minutes() << " min");
  const std::string f = t->to_string();
  const auto back = duly::time_of_day::parse(f);
  DULY_FUZZ_CHECK(back.has_value() && *back == *t, "'" << text << "' -> '" << f << "' does not read back");
  if (text.size() == 5) DULY_FUZZ_CHECK(f == text, "'" << text << "' formats as '" << f << "'");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);  // owned: ASan sees overreads
  check_instant(text);
  check_duration(text);
  check_date(text);
  check_time_of_day(text);
  return 0;
}
