// Instants, durations and times of day: parsing and formatting.
#include <duly/time.hpp>

#include <array>
#include <charconv>
#include <cstdio>
#include <limits>
#include <string>

#include <duly/zone.hpp>

#include "base/text.hpp"

namespace duly {

namespace {

using namespace std::chrono;

// A cursor over ASCII text that reads fixed-width digit groups.
struct cursor {
  std::string_view s;
  std::size_t i = 0;

  [[nodiscard]] bool done() const { return i >= s.size(); }
  [[nodiscard]] char peek() const { return done() ? '\0' : s[i]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i;
    return true;
  }
  // Exactly `n` digits.
  bool digits(int n, int& out) {
    out = 0;
    for (int k = 0; k < n; ++k) {
      if (done() || !detail::is_digit(s[i])) return false;
      out = out * 10 + (s[i] - '0');
      ++i;
    }
    return true;
  }
};

std::string quoted(std::string_view text) {
  std::string out = "'";
  out += text;
  out += '\'';
  return out;
}

const std::array<const char*, 12> month_names = {"January", "February", "March",     "April",
                                                 "May",     "June",     "July",      "August",
                                                 "September", "October", "November", "December"};

struct civil_parts {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  bool has_offset = false;
  int offset_seconds = 0;
};

// Parses the ISO-8601 text into parts; on failure returns the reason, without
// the common "not an ISO-8601 instant" prefix.
result<civil_parts> parse_parts(std::string_view text) {
  const auto bad = [&](std::string why) {
    std::string msg = "not an ISO-8601 instant: " + quoted(text);
    if (!why.empty()) msg += " (" + why + ")";
    return fail(errc::invalid_argument, std::move(msg));
  };
  civil_parts p;
  cursor c{text};
  if (!c.digits(4, p.year) || !c.eat('-') || !c.digits(2, p.month) || !c.eat('-') ||
      !c.digits(2, p.day))
    return bad("expected YYYY-MM-DDTHH:MM:SS followed by Z or an offset such as +01:00");
  if (p.month < 1 || p.month > 12) return bad("month " + std::to_string(p.month) + " does not exist");
  const year_month_day ymd{year{p.year}, month{static_cast<unsigned>(p.month)},
                           day{static_cast<unsigned>(p.day)}};
  if (!ymd.ok())
    return bad("day " + std::to_string(p.day) + " does not exist in " +
               month_names[static_cast<std::size_t>(p.month - 1)] + " " + std::to_string(p.year));
  if (c.done()) return bad("a date is not an instant: give a time of day too, e.g. T00:00:00Z");
  if (!(c.eat('T') || c.eat('t') || c.eat(' ')))
    return bad("expected 'T' between the date and the time");
  if (!c.digits(2, p.hour) || !c.eat(':') || !c.digits(2, p.minute))
    return bad("expected the time as HH:MM or HH:MM:SS");
  if (c.eat(':')) {
    if (!c.digits(2, p.second)) return bad("expected two digits of seconds");
    if (c.eat('.') || c.eat(',')) {
      // Fractions are floored: skip the digits.
      if (c.done() || !detail::is_digit(c.peek())) return bad("expected digits after the decimal point");
      while (!c.done() && detail::is_digit(c.peek())) ++c.i;
    }
  }
  if (p.hour > 23) return bad("hour " + std::to_string(p.hour) + " is out of range 00 to 23");
  if (p.minute > 59) return bad("minute " + std::to_string(p.minute) + " is out of range 00 to 59");
  if (p.second > 59) return bad("second " + std::to_string(p.second) + " is out of range 00 to 59");
  if (c.done()) return p;
  if (c.eat('Z') || c.eat('z')) {
    p.has_offset = true;
  } else if (c.peek() == '+' || c.peek() == '-') {
    const int sign = c.peek() == '-' ? -1 : 1;
    ++c.i;
    int oh = 0, om = 0;
    if (!c.digits(2, oh)) return bad("expected the offset as +HH:MM, +HHMM or +HH");
    if (c.eat(':')) {
      if (!c.digits(2, om)) return bad("expected the offset as +HH:MM, +HHMM or +HH");
    } else if (!c.done()) {
      if (!c.digits(2, om)) return bad("expected the offset as +HH:MM, +HHMM or +HH");
    }
    if (oh > 23 || om > 59) return bad("offset out of range");
    p.has_offset = true;
    p.offset_seconds = sign * (oh * 3600 + om * 60);
  } else {
    return bad("unexpected " + quoted(text.substr(c.i)) + " after the time");
  }
  if (!c.done()) return bad("unexpected " + quoted(text.substr(c.i)) + " after the offset");
  return p;
}

local_seconds local_of(const civil_parts& p) {
  const year_month_day ymd{year{p.year}, month{static_cast<unsigned>(p.month)},
                           day{static_cast<unsigned>(p.day)}};
  return local_days{ymd} + hours{p.hour} + minutes{p.minute} + std::chrono::seconds{p.second};
}

}  // namespace

result<instant> parse_instant(std::string_view text) {
  text = detail::trim(text);
  auto p = parse_parts(text);
  if (!p) return tl::unexpected(std::move(p.error()));
  if (!p->has_offset)
    return fail(errc::invalid_argument,
                "instant " + quoted(text) +
                    " has no UTC offset: add Z or an offset such as +01:00, or name a time zone for it");
  return instant{local_of(*p).time_since_epoch()} - std::chrono::seconds{p->offset_seconds};
}

result<instant> parse_instant(std::string_view text, const time_zone& zone) {
  text = detail::trim(text);
  auto p = parse_parts(text);
  if (!p) return tl::unexpected(std::move(p.error()));
  if (p->has_offset)
    return instant{local_of(*p).time_since_epoch()} - std::chrono::seconds{p->offset_seconds};
  return zone.first_reach(local_of(*p));
}

std::uint32_t instant_fraction(std::string_view text) noexcept {
  text = detail::trim(text);
  // The parser reads fixed-width fields: YYYY-MM-DDTHH:MM:SS then '.' or ','.
  if (text.size() < 21 || text[16] != ':' || (text[19] != '.' && text[19] != ',')) return 0;
  std::uint32_t ns = 0;
  int digits = 0;
  for (std::size_t i = 20; i < text.size() && detail::is_digit(text[i]); ++i)
    if (digits < 9) {
      ns = ns * 10 + static_cast<std::uint32_t>(text[i] - '0');
      ++digits;
    }
  for (; digits < 9; ++digits) ns *= 10;
  return ns;
}

result<sys_days> parse_date(std::string_view text) {
  const auto bad = [&](const std::string& why) {
    return fail(errc::invalid_argument, "invalid date " + quoted(text) + ": " + why);
  };
  cursor c{text};
  int y = 0, m = 0, d = 0;
  if (!c.digits(4, y) || !c.eat('-') || !c.digits(2, m) || !c.eat('-') || !c.digits(2, d) || !c.done())
    return bad("expected YYYY-MM-DD");
  if (m < 1 || m > 12) return bad("month " + std::to_string(m) + " does not exist");
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok())
    return bad("day " + std::to_string(d) + " does not exist in " +
               month_names[static_cast<std::size_t>(m - 1)] + " " + std::to_string(y));
  return sys_days{ymd};
}

std::string format_instant(instant t) {
  const auto day_start = floor<days>(t);
  const year_month_day ymd{day_start};
  const hh_mm_ss<std::chrono::seconds> tod{t - day_start};
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", year, static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(tod.hours().count()),
                  static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()));
    return buf;
  }
  // The common case by hand: reports write an instant per row, and snprintf
  // costs several times the rest of the row.
  std::string out = "0000-00-00T00:00:00Z";
  const auto put = [&](std::size_t at, unsigned v, int digits) {
    for (int k = digits - 1; k >= 0; --k, v /= 10) out[at + static_cast<std::size_t>(k)] = static_cast<char>('0' + v % 10);
  };
  put(0, static_cast<unsigned>(year), 4);
  put(5, static_cast<unsigned>(ymd.month()), 2);
  put(8, static_cast<unsigned>(ymd.day()), 2);
  put(11, static_cast<unsigned>(tod.hours().count()), 2);
  put(14, static_cast<unsigned>(tod.minutes().count()), 2);
  put(17, static_cast<unsigned>(tod.seconds().count()), 2);
  return out;
}

result<duration_spec> parse_duration(std::string_view text) {
  const std::string_view original = text;
  text = detail::trim(text);
  const auto bad = [&](std::string why) {
    return fail(errc::invalid_argument, "invalid duration " + quoted(original) + ": " + std::move(why));
  };
  const char* usage =
      "expected a number and a unit: 45s, 30m, 4h, 1h30m, 2d, business days such as 3bd, or calendar days such as "
      "30cd";
  if (text.empty()) return bad(usage);
  if (text.front() == '-') return bad("a duration cannot be negative");
  if (text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return bad(usage);

  duration_spec out;
  constexpr std::array<std::pair<char, std::int64_t>, 4> units = {
      {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}}};
  std::size_t next_unit = 0;  // units must come in decreasing order, each once
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::int64_t n = 0;
    const auto* first = text.data() + i;
    // Each group starts with a digit: from_chars would read "-0" as zero.
    if (text[i] < '0' || text[i] > '9') return bad(usage);
    const auto [ptr, ec] = std::from_chars(first, text.data() + text.size(), n);
    if (ptr == first || n < 0) return bad(usage);
    if (ec == std::errc::result_out_of_range)
      return fail(errc::out_of_range, "duration " + quoted(original) + " is too long");
    i = static_cast<std::size_t>(ptr - text.data());
    if (i >= text.size()) return bad("missing unit after " + std::to_string(n) + " (s, m, h, d, bd or cd)");
    if (text.substr(i, 2) == "cd") {
      if (total != 0 || next_unit != 0 || i + 2 != text.size())
        return bad("calendar days (cd) cannot be combined with other units");
      if (n > 100000) return fail(errc::out_of_range, "duration " + quoted(original) + " is too long");
      out.calendar_days = n;
      return out;
    }
    if (text.substr(i, 2) == "bd") {
      if (total != 0 || next_unit != 0 || i + 2 != text.size())
        return bad("business days (bd) cannot be combined with other units");
      if (n > 100000) return fail(errc::out_of_range, "duration " + quoted(original) + " is too long");
      out.business_days = n;
      return out;
    }
    std::size_t u = next_unit;
    while (u < units.size() && units[u].first != text[i]) ++u;
    if (u == units.size()) {
      bool known = false;
      for (const auto& [c, _] : units) known = known || c == text[i];
      if (known) return bad("units must come in the order d, h, m, s, each at most once");
      return bad("unknown unit " + quoted(text.substr(i, 1)) + " (s, m, h, d, bd or cd)");
    }
    if (n > max_duration.count() / units[u].second)
      return fail(errc::out_of_range, "duration " + quoted(original) + " is too long");
    total += n * units[u].second;
    if (total > max_duration.count())
      return fail(errc::out_of_range, "duration " + quoted(original) + " is too long");
    next_unit = u + 1;
    ++i;
  }
  out.value = std::chrono::seconds{total};
  return out;
}

std::string format_duration(std::chrono::seconds d) {
  std::int64_t v = d.count();
  if (v == 0) return "0s";
  std::string out;
  std::uint64_t u;
  if (v < 0) {
    out += '-';
    u = static_cast<std::uint64_t>(-(v + 1)) + 1;  // safe for INT64_MIN
  } else {
    u = static_cast<std::uint64_t>(v);
  }
  constexpr std::array<std::pair<char, std::uint64_t>, 4> units = {
      {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}}};
  for (const auto& [c, size] : units) {
    if (u >= size) {
      out += std::to_string(u / size);
      out += c;
      u %= size;
    }
  }
  return out;
}

std::string format_duration(const duration_spec& d) {
  if (d.is_business_days()) return std::to_string(d.business_days) + "bd";
  if (d.is_calendar_days()) return std::to_string(d.calendar_days) + "cd";
  return format_duration(d.value);
}

result<time_of_day> time_of_day::parse(std::string_view text) {
  const auto bad = [&](const std::string& why) {
    return fail(errc::invalid_argument, "invalid time of day " + quoted(text) + ": " + why);
  };
  cursor c{text};
  int h = 0, m = 0;
  int hour_digits = 0;
  while (!c.done() && detail::is_digit(c.peek()) && hour_digits < 3) {
    h = h * 10 + (c.peek() - '0');
    ++c.i;
    ++hour_digits;
  }
  if (hour_digits == 0 || hour_digits > 2 || !c.eat(':') || !c.digits(2, m) || !c.done())
    return bad("expected HH:MM, e.g. 08:00 or 17:30");
  if (m > 59) return bad("minutes must be 00 to 59");
  if (h > 24 || (h == 24 && m != 0)) return bad("hours must be 00 to 23, or 24:00 for the end of the day");
  return time_of_day{h, m};
}

std::string time_of_day::to_string() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes_ / 60, minutes_ % 60);
  return buf;
}

}  // namespace duly
