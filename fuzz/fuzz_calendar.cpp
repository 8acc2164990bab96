// Fuzzes business calendars (duly/calendar.hpp): parse_calendar on a YAML/JSON
// document, then calendar arithmetic at instants and durations decoded from the
// input, checking the laws of docs/calendars.md:
//  - add(t, d) = T: T >= t, elapsed(t, T) = d, and T is the earliest such;
//    subtract(T, d) = s: s <= T, elapsed(s, T) = d, and s is the latest such;
//    t <= subtract(add(t, d), d) with no open time between them, and
//    add(subtract(T, d), d) <= T likewise;
//  - elapsed is antisymmetric, additive, at most the wall-clock span, agrees
//    with try_elapsed, and add(t, elapsed(t, u)) <= u with nothing open between;
//  - is_open(t) iff elapsed(t, t + 1s) = 1s;
//  - next_open / next_close land on an open / closed instant with nothing /
//    everything open on the way, and fail only when there is nothing to find;
//  - add_business_days lands on a closing time and equals add(t, "nbd");
//  - open_intervals are sorted, merged, inside the span and sum to elapsed.
//
// Input layout: the calendar document, then a 40-byte block of parameters
// (the last 40 bytes; shorter inputs are all parameters). The seed corpus is
// real calendar files with such a block appended.
#include <duly/calendar.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"

namespace {

using duly::instant;
using duly::seconds;
using duly_fuzz::show;

constexpr std::size_t param_bytes = 40;
constexpr std::int64_t max_t = duly::max_supported_instant.time_since_epoch().count();
constexpr std::int64_t day = 86400;
constexpr std::int64_t year = 365 * day;
constexpr std::int64_t ten_years = 3653 * day;
constexpr std::int64_t y2026 = 1767225600;  // 2026-01-01T00:00:00Z

instant at(std::int64_t s) { return instant{seconds{s}}; }
std::int64_t val(instant t) { return t.time_since_epoch().count(); }
bool in_range(std::int64_t t) { return t >= 0 && t < max_t; }

// An instant: mostly a few years around now, sometimes anywhere in the
// supported range, near its edges, or outside it.
std::int64_t decode_instant(std::uint8_t mode, std::uint64_t u) {
  switch (mode % 8) {
    case 0: case 1: case 2: case 3: return y2026 - 2 * year + static_cast<std::int64_t>(u % (6 * year));
    case 4: return static_cast<std::int64_t>(u % static_cast<std::uint64_t>(max_t + 1));
    case 5: {
      const std::int64_t edge = (u & 1) ? max_t : 0;
      return edge + static_cast<std::int64_t>((u >> 1) % (20 * day)) - 10 * day;
    }
    case 6: return y2026 + static_cast<std::int64_t>(u % (40 * day));  // a few weeks: DST, year end
    default: return static_cast<std::int64_t>(u % static_cast<std::uint64_t>(4 * max_t)) - 2 * max_t;
  }
}

std::int64_t decode_duration(std::uint8_t mode, std::uint64_t u) {
  switch (mode % 8) {
    case 0: case 1: return static_cast<std::int64_t>(u % (4 * 7 * day));
    case 2: case 3: return static_cast<std::int64_t>(u % 61);
    case 4: return static_cast<std::int64_t>(u % (2 * year));
    case 5: return static_cast<std::int64_t>(u % (40 * year));
    case 6: return static_cast<std::int64_t>(u % static_cast<std::uint64_t>(duly::max_duration.count() + 2));
    default: return static_cast<std::int64_t>(u % (24 * 3600));
  }
}

const char* const zone_names[] = {"America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham",
                                  "Europe/Dublin",    "Pacific/Apia", "America/St_Johns",    "UTC"};

void check_add_subtract(const duly::calendar& cal, instant t, seconds d) {
  const auto T = cal.add(t, d);
  if (T) {
    DULY_FUZZ_CHECK(*T >= t, "add(" << show(t) << ", " << d.count() << "s) = " << show(*T) << " is earlier");
    DULY_FUZZ_CHECK(cal.elapsed(t, *T) == d, "elapsed(t, add(t, d)) = " << cal.elapsed(t, *T).count() << "s != "
                                                                     << d.count() << "s; t = " << show(t)
                                                                     << ", add = " << show(*T));
    if (d > seconds{0})
      DULY_FUZZ_CHECK(cal.elapsed(t, *T - seconds{1}) < d, "add(" << show(t) << ", " << d.count()
                                                                  << "s) = " << show(*T) << " is not the earliest");
    const auto s = cal.subtract(*T, d);
    DULY_FUZZ_CHECK(s.has_value(), "subtract(add(t, d), d) fails: " << s.error().message() << "; t = " << show(t)
                                                                     << ", d = " << d.count());
    DULY_FUZZ_CHECK(*s >= t && cal.elapsed(t, *s) == seconds{0},
                    "subtract(add(t, d), d) = " << show(*s) << " for t = " << show(t) << ", d = " << d.count());
  } else {
    const auto code = T.error().code();
    DULY_FUZZ_CHECK(code == duly::errc::out_of_range || code == duly::errc::never_open,
                    "add fails with " << T.error().message());
    if (code == duly::errc::never_open && in_range(val(t)))
      DULY_FUZZ_CHECK(cal.elapsed(t, at(std::min(val(t) + ten_years, max_t))) < d,
                      "add says never open, but there is open time: t = " << show(t));
    if (code == duly::errc::out_of_range && in_range(val(t)) && d <= duly::max_duration)
      DULY_FUZZ_CHECK(cal.elapsed(t, duly::max_supported_instant) < d,
                      "add says out of range, but the open time is there: t = " << show(t) << ", d = "
                                                                                  << d.count());
  }

  const auto s = cal.subtract(t, d);
  if (s) {
    DULY_FUZZ_CHECK(*s <= t, "subtract(" << show(t) << ", " << d.count() << "s) = " << show(*s) << " is later");
    DULY_FUZZ_CHECK(cal.elapsed(*s, t) == d, "elapsed(subtract(T, d), T) = " << cal.elapsed(*s, t).count()
                                                                         << "s != " << d.count()
                                                                         << "s; T = " << show(t));
    if (d > seconds{0})
      DULY_FUZZ_CHECK(cal.elapsed(*s + seconds{1}, t) < d, "subtract(" << show(t) << ", " << d.count()
                                                                       << "s) = " << show(*s) << " is not the latest");
    const auto back = cal.add(*s, d);
    DULY_FUZZ_CHECK(back.has_value(), "add(subtract(T, d), d) fails: " << back.error().message());
    DULY_FUZZ_CHECK(*back <= t && cal.elapsed(*back, t) == seconds{0},
                    "add(subtract(T, d), d) = " << show(*back) << " for T = " << show(t) << ", d = " << d.count());
  }
}

void check_elapsed(const duly::calendar& cal, instant a, instant b) {
  const seconds e = cal.elapsed(a, b);
  DULY_FUZZ_CHECK(cal.elapsed(b, a) == -e, "elapsed is not antisymmetric: " << show(a) << ", " << show(b));
  const std::int64_t lo = std::clamp<std::int64_t>(std::min(val(a), val(b)), 0, max_t);
  const std::int64_t hi = std::clamp<std::int64_t>(std::max(val(a), val(b)), 0, max_t);
  const std::int64_t abs_e = e.count() < 0 ? -e.count() : e.count();
  DULY_FUZZ_CHECK(abs_e <= hi - lo, "elapsed " << e.count() << "s is longer than the span");
  DULY_FUZZ_CHECK((val(a) <= val(b)) == (e.count() >= 0) || e.count() == 0, "elapsed has the wrong sign");
  const instant m = at(val(a) / 2 + val(b) / 2);
  DULY_FUZZ_CHECK(cal.elapsed(a, m) + cal.elapsed(m, b) == e,
                  "elapsed is not additive: " << show(a) << " .. " << show(m) << " .. " << show(b));
  const auto te = cal.try_elapsed(a, b);
  const bool both_in = val(a) >= 0 && val(a) <= max_t && val(b) >= 0 && val(b) <= max_t;
  DULY_FUZZ_CHECK(te.has_value() == both_in, "try_elapsed " << (te ? "succeeds" : "fails") << " for "
                                                            << show(a) << ", " << show(b));
  if (te) DULY_FUZZ_CHECK(*te == e, "try_elapsed differs from elapsed");

  if (both_in && val(a) <= val(b)) {
    const auto T = cal.add(a, e);
    if (!T) {
      // the calendar rule: ten quiet years between a and the open time of
      // [a, b) make add fail with never_open, though elapsed counts it.
      DULY_FUZZ_CHECK(T.error().code() == duly::errc::never_open,
                      "add(a, elapsed(a, b)) fails: " << T.error().message());
      DULY_FUZZ_CHECK(cal.elapsed(a, at(std::min(val(a) + ten_years, max_t))) < e,
                      "add(a, elapsed(a, b)) says never open, but there is open time: a = " << show(a));
      return;
    }
    DULY_FUZZ_CHECK(*T <= b && cal.elapsed(*T, b) == seconds{0},
                    "add(a, elapsed(a, b)) = " << show(*T) << " for a = " << show(a) << ", b = " << show(b));
  }
}

void check_open_close(const duly::calendar& cal, instant t) {
  const std::int64_t v = val(t);
  if (v >= 0 && v < max_t)
    DULY_FUZZ_CHECK(cal.is_open(t) == (cal.elapsed(t, t + seconds{1}) == seconds{1}),
                    "is_open disagrees with elapsed at " << show(t));
  else
    DULY_FUZZ_CHECK(!cal.is_open(t), "open outside the supported range at " << show(t));

  const auto o = cal.next_open(t);
  if (o) {
    DULY_FUZZ_CHECK(*o >= t && cal.elapsed(t, *o) == seconds{0}, "next_open(" << show(t) << ") = " << show(*o));
    if (val(*o) < max_t) DULY_FUZZ_CHECK(cal.is_open(*o), "next_open(" << show(t) << ") = " << show(*o) << " is closed");
  } else if (in_range(v)) {
    const auto code = o.error().code();
    DULY_FUZZ_CHECK(code == duly::errc::never_open || code == duly::errc::out_of_range,
                    "next_open fails with " << o.error().message());
    const std::int64_t until = code == duly::errc::never_open ? std::min(v + ten_years, max_t) : max_t;
    DULY_FUZZ_CHECK(cal.elapsed(t, at(until)) == seconds{0},
                    "next_open(" << show(t) << ") fails (" << o.error().message() << ") but there is open time");
  }

  const auto c = cal.next_close(t);
  if (c) {
    DULY_FUZZ_CHECK(*c >= t && cal.elapsed(t, *c) == *c - t, "next_close(" << show(t) << ") = " << show(*c));
    if (val(*c) < max_t) DULY_FUZZ_CHECK(!cal.is_open(*c), "next_close(" << show(t) << ") = " << show(*c) << " is open");
  } else if (in_range(v)) {
    const auto code = c.error().code();
    DULY_FUZZ_CHECK(code == duly::errc::never_closes || code == duly::errc::out_of_range,
                    "next_close fails with " << c.error().message());
  }
}

void check_business_days(const duly::calendar& cal, instant t, std::int64_t n) {
  const auto r = cal.add_business_days(t, n);
  const auto r2 = cal.add(t, duly::duration_spec{seconds{0}, n});
  DULY_FUZZ_CHECK(r.has_value() == r2.has_value() && (!r || *r == *r2),
                  "add(t, " << n << "bd) differs from add_business_days at " << show(t));
  if (!r) return;
  if (n == 0) {
    DULY_FUZZ_CHECK(*r == t, "add_business_days(t, 0) != t");
    return;
  }
  if (val(*r) > 0 && val(*r) <= max_t)
    DULY_FUZZ_CHECK(cal.elapsed(*r - seconds{1}, *r) == seconds{1},
                    "add_business_days(" << show(t) << ", " << n << ") = " << show(*r) << " is not a closing time");
  // The n-th open day after t's date ends after t (a day of slack for zones
  // whose clocks go back across midnight).
  DULY_FUZZ_CHECK(val(*r) > val(t) - day, "add_business_days(" << show(t) << ", " << n << ") = " << show(*r));
}

void check_intervals(const duly::calendar& cal, instant a, instant b) {
  if (val(b) - val(a) > 2 * year) b = at(val(a) + 2 * year);  // keep the list small
  const auto iv = cal.open_intervals(a, b);
  const bool ok_range = val(a) >= 0 && val(a) <= max_t && val(b) >= 0 && val(b) <= max_t;
  DULY_FUZZ_CHECK(iv.has_value() == ok_range, "open_intervals " << (iv ? "succeeds" : "fails") << " for "
                                                                << show(a) << ", " << show(b));
  if (!iv) return;
  std::int64_t sum = 0;
  for (std::size_t k = 0; k < iv->size(); ++k) {
    const auto& x = (*iv)[k];
    DULY_FUZZ_CHECK(x.start < x.end && x.start >= a && x.end <= b, "bad interval " << show(x.start) << " .. "
                                                                                   << show(x.end));
    if (k > 0) DULY_FUZZ_CHECK((*iv)[k - 1].end < x.start, "intervals not sorted and merged at " << k);
    DULY_FUZZ_CHECK(cal.is_open(x.start), "interval start " << show(x.start) << " is closed");
    if (x.end < b && val(x.end) < max_t) DULY_FUZZ_CHECK(!cal.is_open(x.end), "interval end " << show(x.end) << " is open");
    sum += (x.end - x.start).count();
  }
  DULY_FUZZ_CHECK(seconds{sum} == cal.elapsed(a, b), "open_intervals sum " << sum << "s != elapsed "
                                                                          << cal.elapsed(a, b).count() << "s");
}

void check_calendar(const duly::calendar& cal, duly_fuzz::bytes& p) {
  const std::uint8_t modes = p.u8();
  const std::uint8_t more = p.u8();
  const instant t = at(decode_instant(modes & 7, p.u64()));
  const instant u = at(decode_instant(static_cast<std::uint8_t>(modes >> 3), p.u64()));
  const seconds d{decode_duration(more & 7, p.u64())};
  const std::int64_t n = (more & 0x80) ? static_cast<std::int64_t>(p.u16() % 4000) : p.u8() % 64;

  check_add_subtract(cal, t, d);
  check_elapsed(cal, t, u);
  check_open_close(cal, t);
  check_open_close(cal, u);
  check_business_days(cal, t, n);
  check_intervals(cal, std::min(t, u), std::max(t, u));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::size_t text_size = size > param_bytes ? size - param_bytes : 0;
  const std::string text(reinterpret_cast<const char*>(data), text_size);
  duly_fuzz::bytes params(data + text_size, size - text_size);

  const auto cal = duly::parse_calendar(text, "fuzz.yaml");
  if (!cal) {
    (void)cal.error().render();
    return 0;
  }
  const std::uint8_t which = params.u8();
  check_calendar(*cal, params);
  // The same hours read in another zone (as a policy's timezone_from does).
  if (which & 1) {
    const auto z = duly::time_zone::locate(zone_names[(which >> 1) % std::size(zone_names)]);
    DULY_FUZZ_CHECK(z.has_value(), "zone lookup failed");
    check_calendar(cal->with_zone(*z), params);
  }
  return 0;
}
