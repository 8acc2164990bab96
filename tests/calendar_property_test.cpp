// Property test: duly::calendar against a slow, obviously-correct reference.
//
// The reference knows nothing of the library's interval tables, holiday code or
// first_reach(). For each calendar it reads the wall clock (through date-tz,
// which reads the system tz database) at the start of every minute of a
// four-and-a-half-year span, and marks a bitmap of open minutes: each window of
// each local date is open from the first minute whose wall reading is >= its
// start to the first minute whose wall reading is >= its end (docs/calendars.md,
// "first reaches"). Holidays are worked out by plain loops over the days of a
// month and a table of Easter dates. Every boundary is a whole minute (the
// zones used change offset on whole minutes), so a minute is open or closed
// throughout, and second-resolution questions are answered exactly.
//
// A versioned calendar is modelled the same way, version by version: each
// version's windows are clipped to the minutes from the first one whose wall
// reading (in that version's zone) is >= 00:00 of its `from`, to the next
// version's first; business days count each version's local dates from its
// `from` to the next one's, and t's local date is read in the zone in force.
//
// Each random case picks a start instant at second resolution and a duration
// of 0 to 40 hours (sometimes up to a week) and compares is_open, next_open,
// next_close, elapsed (both ways), add, subtract, add_business_days and
// open_intervals with the reference, which answers by walking minute by minute.
//
// Environment:
//   DULY_PROPERTY_SEED   the seed (default 20261123; printed either way)
//   DULY_PROPERTY_CASES  the number of cases over all calendars (default 120000)
#include <duly/calendar.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <date/tz.h>
#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using duly::instant;
using std::int64_t;
using std::chrono::sys_days;

constexpr int number_of_calendars = 7;

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoull(v, nullptr, 10);
}

std::uint64_t property_seed() { return env_number("DULY_PROPERTY_SEED", 20261123); }
std::uint64_t property_cases() { return env_number("DULY_PROPERTY_CASES", 120000); }

std::string text(instant t) { return duly::format_instant(t); }

std::string show(const duly::result<instant>& r) {
  if (!r) return "error: " + r.error().message();
  return text(*r);
}

constexpr instant utc(int y, unsigned mo, unsigned d) {
  return instant{sys_days{std::chrono::year{y} / std::chrono::month{mo} / std::chrono::day{d}}};
}

// --- building calendar specs ---------------------------------------------------

std::vector<duly::window> windows(std::initializer_list<std::pair<int, int>> hm_pairs) {
  // {{8 * 60, 12 * 60}, ...} in minutes.
  std::vector<duly::window> out;
  for (const auto& [s, e] : hm_pairs) out.push_back({duly::time_of_day{s}, duly::time_of_day{e}});
  return out;
}

constexpr int hm(int h, int m = 0) { return h * 60 + m; }

sys_days ymd(int y, unsigned m, unsigned d) {
  return sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

duly::holiday_rule on_date(int y, unsigned m, unsigned d) {
  duly::holiday_rule h;
  h.type = duly::holiday_rule::kind::date;
  h.date = std::chrono::year_month_day{ymd(y, m, d)};
  return h;
}

duly::holiday_rule fixed_day(unsigned month, unsigned day, duly::observed_rule observed) {
  duly::holiday_rule h;
  h.type = duly::holiday_rule::kind::fixed_day;
  h.month = month;
  h.day = day;
  h.observed = observed;
  return h;
}

duly::holiday_rule nth_weekday(unsigned month, std::chrono::weekday wd, int nth) {
  duly::holiday_rule h;
  h.type = duly::holiday_rule::kind::nth_weekday;
  h.month = month;
  h.weekday = wd;
  h.nth = nth;
  return h;
}

duly::holiday_rule easter(int offset_days) {
  duly::holiday_rule h;
  h.type = duly::holiday_rule::kind::easter;
  h.offset_days = offset_days;
  return h;
}

struct named_spec {
  const char* name;
  duly::calendar_spec spec;
};

named_spec new_york_office() {
  using duly::observed_rule;
  using std::chrono::Monday;
  using std::chrono::Thursday;
  duly::calendar_spec s;
  s.timezone = "America/New_York";
  const auto day = windows({{hm(8), hm(12)}, {hm(13), hm(17)}});
  s.hours = std::array<std::vector<duly::window>, 7>{day, day, day, day, day, {}, {}};
  s.holidays = {
      fixed_day(1, 1, observed_rule::nearest_weekday),   nth_weekday(1, Monday, 3),
      nth_weekday(2, Monday, 3),                         nth_weekday(5, Monday, -1),
      fixed_day(6, 19, observed_rule::nearest_weekday),  fixed_day(7, 4, observed_rule::nearest_weekday),
      nth_weekday(9, Monday, 1),                         nth_weekday(10, Monday, 2),
      fixed_day(11, 11, observed_rule::nearest_weekday), nth_weekday(11, Thursday, 4),
      fixed_day(12, 25, observed_rule::nearest_weekday), easter(-2),
  };
  s.exceptions[ymd(2025, 12, 24)] = windows({{hm(8), hm(12)}});
  s.exceptions[ymd(2025, 12, 31)] = {};
  s.exceptions[ymd(2026, 11, 26)] = windows({{hm(10), hm(14)}});       // Thanksgiving opens
  s.exceptions[ymd(2026, 3, 8)] = windows({{hm(1), hm(4)}});           // spring forward
  s.exceptions[ymd(2026, 11, 1)] = windows({{hm(0, 30), hm(3)}});      // fall back
  s.exceptions[ymd(2027, 3, 13)] = windows({{hm(22), hm(4)}});         // into spring forward
  s.exceptions[ymd(2027, 11, 6)] = windows({{hm(23), hm(1, 30)}});     // into fall back
  s.exceptions[ymd(2028, 2, 29)] = windows({{hm(12), hm(13)}});        // leap day
  s.exceptions[ymd(2027, 12, 31)] = windows({{hm(9), hm(10)}});        // beats observed New Year
  return {"new_york_office", std::move(s)};
}

named_spec london_nights() {
  using duly::observed_rule;
  using std::chrono::Monday;
  duly::calendar_spec s;
  s.timezone = "Europe/London";
  const auto day = windows({{hm(9), hm(17, 30)}, {hm(22), hm(2)}});
  s.hours = std::array<std::vector<duly::window>, 7>{day, day, day, day, day, windows({{hm(22), hm(6)}}), {}};
  s.holidays = {
      fixed_day(1, 1, observed_rule::next_weekday),   easter(-2), easter(1),
      nth_weekday(5, Monday, 1),                      nth_weekday(5, Monday, -1),
      nth_weekday(8, Monday, -1),                     fixed_day(12, 25, observed_rule::next_weekday),
      fixed_day(12, 26, observed_rule::previous_weekday),
  };
  s.exceptions[ymd(2026, 3, 29)] = windows({{hm(0, 30), hm(1, 30)}});  // Sunday, spring forward
  s.exceptions[ymd(2026, 10, 25)] = windows({{hm(0, 30), hm(2, 30)}});  // Sunday, fall back
  s.exceptions[ymd(2027, 12, 31)] = windows({{hm(22), hm(6)}});         // into the new year
  s.exceptions[ymd(2028, 3, 26)] = windows({{hm(1), hm(2)}});           // the skipped hour only
  s.exceptions[ymd(2027, 10, 31)] = windows({{hm(1, 30), hm(1, 45)}});  // inside the repeated hour
  return {"london_nights", std::move(s)};
}

named_spec lord_howe() {
  using duly::observed_rule;
  duly::calendar_spec s;
  s.timezone = "Australia/Lord_Howe";
  const auto day = windows({{hm(1), hm(3)}, {hm(9), hm(17)}});
  s.hours = std::array<std::vector<duly::window>, 7>{
      day, day, day, day, day, windows({{hm(1), hm(3)}}), windows({{hm(1, 45), hm(2, 15)}, {hm(2), hm(2, 40)}})};
  s.holidays = {
      fixed_day(1, 26, observed_rule::next_weekday), fixed_day(4, 25, observed_rule::none),
      easter(-2), easter(1), fixed_day(12, 25, observed_rule::next_weekday), fixed_day(12, 26, observed_rule::none),
      fixed_day(1, 1, observed_rule::previous_weekday),  // 2028-01-01 (Sat) is observed on 2027-12-31
  };
  s.exceptions[ymd(2026, 10, 4)] = windows({{hm(2), hm(2, 30)}});   // Sunday, all skipped
  s.exceptions[ymd(2027, 4, 4)] = windows({{hm(1, 30), hm(2)}});    // Sunday, repeated half hour
  return {"lord_howe", std::move(s)};
}

named_spec kolkata() {
  duly::calendar_spec s;
  s.timezone = "Asia/Kolkata";
  const auto day = windows({{hm(9, 30), hm(13)}, {hm(14), hm(18, 30)}});
  s.hours = std::array<std::vector<duly::window>, 7>{day, day, day, day, day, windows({{hm(10), hm(14)}}), {}};
  s.holidays = {
      fixed_day(1, 26, duly::observed_rule::none), fixed_day(8, 15, duly::observed_rule::none),
      fixed_day(10, 2, duly::observed_rule::none), on_date(2026, 11, 8), on_date(2027, 10, 29),
      easter(-110),  // in December of the year before
  };
  s.exceptions[ymd(2026, 11, 7)] = {};
  s.exceptions[ymd(2027, 12, 31)] = windows({{hm(18), hm(2)}});
  return {"kolkata", std::move(s)};
}

named_spec chicago_edges() {
  duly::calendar_spec s;
  s.timezone = "America/Chicago";
  s.hours = std::array<std::vector<duly::window>, 7>{
      windows({{hm(0), hm(0)}}),                           // Monday: the whole day
      windows({{hm(18), hm(24)}}),                         // Tuesday evening to 24:00
      windows({{hm(0), hm(6)}, {hm(12), hm(24)}}),         // Wednesday
      windows({{hm(23), hm(23)}}),                         // Thursday 23:00 to Friday 23:00
      {},                                                  // Friday
      windows({{hm(10), hm(10, 30)}, {hm(10, 30), hm(11)}}),  // touching
      windows({{hm(1), hm(3)}, {hm(22), hm(24)}}),         // Sunday: DST nights, then into Monday
  };
  s.holidays = {fixed_day(7, 4, duly::observed_rule::none), nth_weekday(5, std::chrono::Sunday, 2)};
  s.exceptions[ymd(2026, 11, 1)] = windows({{hm(0), hm(24)}});          // fall back: 25 hours
  s.exceptions[ymd(2027, 11, 7)] = windows({{hm(1, 30), hm(1, 30)}});   // first 01:30 to next day's
  s.exceptions[ymd(2027, 3, 14)] = windows({{hm(2), hm(2)}});           // from the gap, 24 hours
  return {"chicago_edges", std::move(s)};
}

// Santiago changes its clocks at midnight: on the spring-forward night Sunday
// 00:00 never happens, and on the fall-back night Saturday 23:00-24:00 happens
// twice, so "24:00" and "00:00" are reached at unusual instants.
named_spec santiago_midnight() {
  duly::calendar_spec s;
  s.timezone = "America/Santiago";
  const auto day = windows({{hm(8), hm(18)}});
  s.hours = std::array<std::vector<duly::window>, 7>{
      day, day, day, day, day,
      windows({{hm(20), hm(24)}, {hm(23, 30), hm(0, 30)}}),  // Saturday
      windows({{hm(0), hm(2)}, {hm(9), hm(13)}}),            // Sunday
  };
  s.holidays = {fixed_day(9, 18, duly::observed_rule::none), fixed_day(9, 19, duly::observed_rule::none),
                easter(-2), nth_weekday(9, std::chrono::Saturday, 2)};
  s.exceptions[ymd(2026, 4, 4)] = windows({{hm(23), hm(23, 30)}});  // Saturday, in the repeated hour
  return {"santiago_midnight", std::move(s)};
}

// A versioned calendar: New York office hours with holidays, then from
// Wednesday 3 June 2026 Tokyo (its midnight falls at 11:00 EDT, inside a New
// York window), whose Sunday is open around the clock; then from Sunday 14
// March 2027 London with night windows across midnight: the Tokyo Sunday
// window is cut at London's midnight. Each version's hours, holidays and
// exceptions are its own.
named_spec versions_three_zones() {
  duly::calendar_spec s;
  auto ny = new_york_office().spec;
  duly::calendar_spec tokyo;
  tokyo.timezone = "Asia/Tokyo";
  const auto day = windows({{hm(9), hm(18)}});
  tokyo.hours = std::array<std::vector<duly::window>, 7>{day, day, day, day, day, {}, windows({{hm(0), hm(24)}})};
  tokyo.holidays = {fixed_day(1, 1, duly::observed_rule::none), nth_weekday(9, std::chrono::Monday, 3)};
  tokyo.exceptions[ymd(2026, 12, 31)] = windows({{hm(9), hm(12)}});
  duly::calendar_spec london;
  london.timezone = "Europe/London";
  const auto night = windows({{hm(22), hm(6)}});
  london.hours = std::array<std::vector<duly::window>, 7>{night, night, night, night, night, {}, windows({{hm(12), hm(2)}})};
  london.holidays = {easter(1)};
  s.versions.push_back({ymd(2024, 1, 1), std::move(ny)});
  s.versions.push_back({ymd(2026, 6, 3), std::move(tokyo)});
  s.versions.push_back({ymd(2027, 3, 14), std::move(london)});
  return {"versions_three_zones", std::move(s)};
}

// --- the reference -------------------------------------------------------------

// Western Easter Sunday, from a table (the reference must not share the
// library's algorithm).
std::optional<sys_days> easter_sunday(int y) {
  static const std::map<int, sys_days> table = {
      {2022, ymd(2022, 4, 17)}, {2023, ymd(2023, 4, 9)}, {2024, ymd(2024, 3, 31)},
      {2025, ymd(2025, 4, 20)}, {2026, ymd(2026, 4, 5)}, {2027, ymd(2027, 3, 28)},
      {2028, ymd(2028, 4, 16)}, {2029, ymd(2029, 4, 1)}, {2030, ymd(2030, 4, 21)},
  };
  const auto it = table.find(y);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

unsigned days_in_month(int y, unsigned m) {
  unsigned n = 28;
  while (n < 31 && (std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{n + 1}).ok()) ++n;
  return n;
}

// The holiday dates a rule gives for year y, by plain enumeration.
std::vector<sys_days> reference_holidays(const duly::holiday_rule& h, int y) {
  using K = duly::holiday_rule::kind;
  std::vector<sys_days> out;
  switch (h.type) {
    case K::date:
      if (static_cast<int>(h.date.year()) == y) out.push_back(sys_days{h.date});
      break;
    case K::fixed_day: {
      if (h.day > days_in_month(y, h.month)) break;
      sys_days d = ymd(y, h.month, h.day);
      const unsigned wd = std::chrono::weekday{d}.iso_encoding();  // 6 Sat, 7 Sun
      using duly::observed_rule;
      if (h.observed == observed_rule::nearest_weekday) {
        if (wd == 6) d -= std::chrono::days{1};
        if (wd == 7) d += std::chrono::days{1};
      } else if (h.observed == observed_rule::next_weekday) {
        if (wd == 6) d += std::chrono::days{2};
        if (wd == 7) d += std::chrono::days{1};
      } else if (h.observed == observed_rule::previous_weekday) {
        if (wd == 6) d -= std::chrono::days{1};
        if (wd == 7) d -= std::chrono::days{2};
      }
      out.push_back(d);
      break;
    }
    case K::nth_weekday: {
      std::vector<sys_days> matching;
      for (unsigned day = 1; day <= days_in_month(y, h.month); ++day) {
        const sys_days d = ymd(y, h.month, day);
        if (std::chrono::weekday{d} == h.weekday) matching.push_back(d);
      }
      const int count = static_cast<int>(matching.size());
      if (h.nth > 0 && h.nth <= count) out.push_back(matching[static_cast<std::size_t>(h.nth - 1)]);
      if (h.nth < 0 && -h.nth <= count) out.push_back(matching[static_cast<std::size_t>(count + h.nth)]);
      break;
    }
    case K::easter:
      if (auto e = easter_sunday(y)) out.push_back(*e + std::chrono::days{h.offset_days});
      break;
  }
  return out;
}

// UTC offsets from date-tz, remembering the current sys_info so that a scan
// over consecutive instants stays cheap.
class offsets {
 public:
  explicit offsets(const std::string& zone) {
    if (zone != "UTC") tz_ = date::locate_zone(zone);
  }
  int64_t at(int64_t t) {
    if (tz_ == nullptr) return 0;
    if (!(t >= begin_ && t < end_)) {
      const auto info = tz_->get_info(date::sys_seconds{std::chrono::seconds{t}});
      begin_ = info.begin.time_since_epoch().count();
      end_ = info.end.time_since_epoch().count();
      offset_ = info.offset.count();
    }
    return offset_;
  }

 private:
  const date::time_zone* tz_ = nullptr;
  int64_t begin_ = 1, end_ = 0, offset_ = 0;
};

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

class reference {
 public:
  // Minutes [begin, end) are modelled; answers are only asked well inside.
  reference(const duly::calendar_spec& spec, instant begin, instant end)
      : spec_(spec), begin_(begin.time_since_epoch().count()) {
    n_ = (end - begin).count() / 60;
    open_.assign(static_cast<std::size_t>(n_), 0);
    // Local dates whose windows lie inside the modelled span.
    first_day_ = floor_div(begin_, 86400) + 2;
    last_day_ = floor_div(begin_ + 60 * n_, 86400) - 3;
    day_close_.assign(static_cast<std::size_t>(last_day_ - first_day_ + 1), -1);
    zones_.reserve(std::max<std::size_t>(1, spec.versions.size()));
    if (spec.versions.empty()) {
      zones_.emplace_back(spec.timezone);
      version_minutes_.push_back(0);
      mark(spec, zones_.back(), 0, n_, first_day_, last_day_ + 1);
    } else {
      // Each version from the first minute its own wall clock reads >= 00:00 of
      // its `from` (the first from the start), to the next version's start;
      // its local dates from its `from` to the next one's.
      for (const auto& v : spec.versions) {
        zones_.emplace_back(v.calendar.timezone);
        const auto reach = readings(zones_.back());
        const int64_t from_wall = v.from.time_since_epoch().count() * 86400;
        version_minutes_.push_back(version_minutes_.empty() ? 0 : first_at_least(reach, from_wall));
      }
      for (std::size_t k = 0; k < spec.versions.size(); ++k) {
        const bool last = k + 1 == spec.versions.size();
        const int64_t lo = version_minutes_[k];
        const int64_t hi = last ? n_ : version_minutes_[k + 1];
        const int64_t day_lo = k == 0 ? first_day_ : spec.versions[k].from.time_since_epoch().count();
        const int64_t day_hi = last ? last_day_ + 1 : spec.versions[k + 1].from.time_since_epoch().count();
        mark(spec.versions[k].calendar, zones_[k], lo, hi, day_lo, day_hi);
      }
    }
    cum_.assign(static_cast<std::size_t>(n_) + 1, 0);
    for (int64_t m = 0; m < n_; ++m)
      cum_[static_cast<std::size_t>(m) + 1] = cum_[static_cast<std::size_t>(m)] + open_[static_cast<std::size_t>(m)];
  }

 private:
  // Wall readings at each minute's start; running maximum, so that "the first
  // minute whose reading is >= x" is a binary search.
  std::vector<int64_t> readings(offsets& zone) const {
    std::vector<int64_t> reach(static_cast<std::size_t>(n_));
    int64_t high = std::numeric_limits<int64_t>::min();
    for (int64_t m = 0; m < n_; ++m) {
      const int64_t t = begin_ + 60 * m;
      high = std::max(high, t + zone.at(t));
      reach[static_cast<std::size_t>(m)] = high;
    }
    return reach;
  }
  static int64_t first_at_least(const std::vector<int64_t>& reach, int64_t wall) {
    return static_cast<int64_t>(std::lower_bound(reach.begin(), reach.end(), wall) - reach.begin());
  }

  // Marks the open minutes of `spec`'s windows clipped to minutes [lo, hi) (a
  // version is in force by the instant), and the last close of the local dates
  // [day_lo, day_hi) (business days count each version's dates from its `from`).
  void mark(const duly::calendar_spec& spec, offsets& zone, int64_t lo, int64_t hi, int64_t day_lo, int64_t day_hi) {
    const auto reach = readings(zone);
    const instant begin{duly::seconds{begin_}};
    const instant end{duly::seconds{begin_ + 60 * n_}};
    std::set<sys_days> holidays;
    const int y0 = static_cast<int>(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(begin)}.year());
    const int y1 = static_cast<int>(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(end)}.year());
    for (int y = y0 - 1; y <= y1 + 1; ++y)
      for (const auto& h : spec.holidays)
        for (const auto d : reference_holidays(h, y)) holidays.insert(d);

    for (int64_t day = first_day_; day <= last_day_; ++day) {
      const sys_days d{std::chrono::days{day}};
      const std::vector<duly::window>* ws = nullptr;
      static const std::vector<duly::window> none;
      static const std::vector<duly::window> all_day = windows({{0, 1440}});
      if (auto it = spec.exceptions.find(d); it != spec.exceptions.end()) {
        ws = &it->second;
      } else if (holidays.count(d) != 0) {
        ws = &none;
      } else if (!spec.hours) {
        ws = &all_day;
      } else {
        ws = &(*spec.hours)[std::chrono::weekday{d}.iso_encoding() - 1];
      }
      for (const auto& w : *ws) {
        const int64_t midnight = day * 86400;
        const int64_t start_wall = midnight + 60 * w.start.minutes();
        const int64_t end_wall = midnight + (w.end <= w.start ? 86400 : 0) + 60 * w.end.minutes();
        int64_t s = first_at_least(reach, start_wall);
        int64_t e = first_at_least(reach, end_wall);
        if (s <= 0 || e >= n_) throw std::logic_error("reference span too short");
        s = std::max(s, lo);
        e = std::min(e, hi);
        if (e <= s) continue;
        for (int64_t m = s; m < e; ++m) open_[static_cast<std::size_t>(m)] = 1;
        if (day < day_lo || day >= day_hi) continue;
        auto& close = day_close_[static_cast<std::size_t>(day - first_day_)];
        close = std::max(close, e);
      }
    }
  }

  // The zone of the version in force at minute m.
  offsets& zone_at(int64_t m) {
    std::size_t k = 0;
    while (k + 1 < version_minutes_.size() && version_minutes_[k + 1] <= m) ++k;
    return zones_[k];
  }

 public:
  [[nodiscard]] bool is_open(instant t) const { return open_at(minute_of(t)); }

  // Open seconds in [a, b), negative when b < a.
  [[nodiscard]] int64_t elapsed(instant a, instant b) const { return before(b) - before(a); }

  [[nodiscard]] instant add(instant t, int64_t d) const {
    if (d == 0) return t;
    const int64_t target = before(t) + d;
    const std::uint8_t* open = open_.data();
    const int64_t* cum = cum_.data();
    for (int64_t m = minute_of(t);; ++m) {
      check(m);
      if (open[m] && (cum[m] + 1) * 60 >= target) return at(m, target - cum[m] * 60);
    }
  }

  [[nodiscard]] instant subtract(instant t, int64_t d) const {
    if (d == 0) return t;
    const int64_t target = before(t) - d;
    const std::uint8_t* open = open_.data();
    const int64_t* cum = cum_.data();
    for (int64_t m = minute_of(t);; --m) {
      check(m);
      if (open[m] && cum[m] * 60 <= target) return at(m, target - cum[m] * 60);
    }
  }

  [[nodiscard]] instant next_open(instant t) const {
    int64_t m = minute_of(t);
    if (open_at(m)) return t;
    while (!open_at(++m)) check(m);
    return at(m, 0);
  }

  [[nodiscard]] instant next_close(instant t) const {
    int64_t m = minute_of(t);
    if (!open_at(m)) return t;
    while (open_at(++m)) check(m);
    return at(m, 0);
  }

  [[nodiscard]] instant add_business_days(instant t, int64_t n) {
    if (n == 0) return t;
    const int64_t secs = t.time_since_epoch().count();
    int64_t day = floor_div(secs + zone_at(minute_of(t)).at(secs), 86400);  // the local date of t
    while (n > 0) {
      ++day;
      if (day - first_day_ >= static_cast<int64_t>(day_close_.size())) throw std::logic_error("reference span too short");
      if (day_close_[static_cast<std::size_t>(day - first_day_)] >= 0) --n;
    }
    return at(day_close_[static_cast<std::size_t>(day - first_day_)], 0);
  }

  [[nodiscard]] std::vector<duly::interval> open_intervals(instant a, instant b) const {
    std::vector<duly::interval> out;
    if (a >= b) return out;
    for (int64_t m = minute_of(a); at(m, 0) < b; ++m) {
      check(m);
      if (!open_at(m)) continue;
      const instant s = std::max(a, at(m, 0));
      const instant e = std::min(b, at(m, 60));
      if (!out.empty() && out.back().end == s) {
        out.back().end = e;
      } else {
        out.push_back({s, e});
      }
    }
    return out;
  }

  [[nodiscard]] int64_t open_minutes() const { return cum_.back(); }

 private:
  [[nodiscard]] int64_t minute_of(instant t) const { return floor_div(t.time_since_epoch().count() - begin_, 60); }
  [[nodiscard]] instant at(int64_t m, int64_t s) const { return instant{duly::seconds{begin_ + 60 * m + s}}; }
  void check(int64_t m) const {
    if (m < 0 || m >= n_) throw std::logic_error("reference span too short");
  }
  [[nodiscard]] bool open_at(int64_t m) const {
    check(m);
    return open_[static_cast<std::size_t>(m)] != 0;
  }
  // Open seconds in [begin, t).
  [[nodiscard]] int64_t before(instant t) const {
    const int64_t s = t.time_since_epoch().count() - begin_;
    const int64_t m = floor_div(s, 60);
    check(m);
    return cum_[static_cast<std::size_t>(m)] * 60 + (open_at(m) ? s - 60 * m : 0);
  }

  duly::calendar_spec spec_;
  std::vector<offsets> zones_;            // one per version (one for a plain calendar)
  std::vector<int64_t> version_minutes_;  // the minute each version comes into force
  int64_t begin_;
  int64_t n_ = 0;
  std::vector<std::uint8_t> open_;
  std::vector<int64_t> cum_;
  int64_t first_day_ = 0;
  int64_t last_day_ = 0;
  std::vector<int64_t> day_close_;  // per local date: the minute its last window closes, or -1
};

std::string show(const std::vector<duly::interval>& v) {
  std::string out = "[";
  for (const auto& i : v) {
    if (out.size() > 1) out += ", ";
    out += text(i.start) + " - " + text(i.end);
  }
  return out + "]";
}

std::string show(const duly::result<std::vector<duly::interval>>& r) {
  if (!r) return "error: " + r.error().message();
  return show(*r);
}

// --- the property ----------------------------------------------------------------

// Modelled span and the span random starts come from.
constexpr instant model_begin = utc(2024, 10, 1);
constexpr instant model_end = utc(2029, 4, 1);
constexpr instant starts_begin = utc(2025, 1, 1);
constexpr instant starts_end = utc(2028, 12, 1);

void run_property(const named_spec& named, int index) {
  const std::uint64_t seed = property_seed();
  const std::uint64_t cases = (property_cases() + number_of_calendars - 1) / number_of_calendars;
  std::cout << "[ property ] calendar " << named.name << ": seed " << seed << " (DULY_PROPERTY_SEED), "
            << cases << " cases (DULY_PROPERTY_CASES=" << property_cases() << " over " << number_of_calendars
            << " calendars)" << std::endl;
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  ::testing::Test::RecordProperty("cases", std::to_string(cases));

  const auto made = duly::calendar::make(named.spec);
  ASSERT_TRUE(made.has_value()) << made.error().message();
  const duly::calendar& cal = *made;
  reference ref(named.spec, model_begin, model_end);
  ASSERT_GT(ref.open_minutes(), 0);

  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(index));
  const auto uniform = [&](int64_t lo, int64_t hi) {  // [lo, hi]
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  const int64_t span = (starts_end - starts_begin).count();

  int mismatches = 0;
  std::uint64_t checks = 0;
  const auto expect = [&](std::uint64_t k, const std::string& what, const std::string& got,
                          const std::string& want) {
    ++checks;
    if (got == want) return;
    if (++mismatches <= 25) {
      ADD_FAILURE() << "calendar " << named.name << ", seed " << seed << ", case " << k << ": " << what
                    << "\n  library:   " << got << "\n  reference: " << want;
    }
  };

  for (std::uint64_t k = 0; k < cases; ++k) {
    // A start at second resolution, often on a minute, quarter hour or hour,
    // where window boundaries are.
    int64_t s = uniform(0, span - 1);
    const int64_t snap = uniform(0, 99);
    if (snap < 5) s -= s % 3600;
    else if (snap < 15) s -= s % 900;
    else if (snap < 40) s -= s % 60;
    const instant t = starts_begin + duly::seconds{s};

    // 0 to 40 hours, now and then up to a week.
    int64_t d = 0;
    const int64_t pick = uniform(0, 99);
    if (pick < 3) d = 0;
    else if (pick < 90) d = uniform(1, 40 * 3600);
    else d = uniform(1, 7 * 24 * 3600);
    if (uniform(0, 2) == 0) d -= d % 60;
    const duly::seconds dd{d};
    const std::string args = "(" + text(t) + ", " + std::to_string(d) + "s = " + duly::format_duration(dd) + ")";

    expect(k, "is_open(" + text(t) + ")", cal.is_open(t) ? "open" : "closed", ref.is_open(t) ? "open" : "closed");
    expect(k, "next_open(" + text(t) + ")", show(cal.next_open(t)), text(ref.next_open(t)));
    expect(k, "next_close(" + text(t) + ")", show(cal.next_close(t)), text(ref.next_close(t)));

    const auto added = cal.add(t, dd);
    const instant want_added = ref.add(t, d);
    expect(k, "add" + args, show(added), text(want_added));
    expect(k, "subtract" + args, show(cal.subtract(t, dd)), text(ref.subtract(t, d)));

    // elapsed over a wall-clock span either way, and back from the deadline.
    const instant u = t + duly::seconds{uniform(-d - 3600, d + 3600)};
    expect(k, "elapsed(" + text(t) + ", " + text(u) + ")", std::to_string(cal.elapsed(t, u).count()),
           std::to_string(ref.elapsed(t, u)));
    expect(k, "elapsed(" + text(u) + ", " + text(t) + ")", std::to_string(cal.elapsed(u, t).count()),
           std::to_string(ref.elapsed(u, t)));
    expect(k, "elapsed(t, add" + args + ")", std::to_string(cal.elapsed(t, want_added).count()),
           std::to_string(d));

    const int64_t n = uniform(0, 10);
    expect(k, "add_business_days(" + text(t) + ", " + std::to_string(n) + ")",
           show(cal.add_business_days(t, n)), text(ref.add_business_days(t, n)));

    if (k % 16 == 0) {
      const instant b = t + duly::seconds{uniform(0, 3 * 86400)};
      expect(k, "open_intervals(" + text(t) + ", " + text(b) + ")", show(cal.open_intervals(t, b)),
             show(ref.open_intervals(t, b)));
    }
  }
  std::cout << "[ property ] calendar " << named.name << ": " << cases << " cases, " << checks << " checks, "
            << mismatches << " mismatches" << std::endl;
  EXPECT_EQ(mismatches, 0) << "re-run with DULY_PROPERTY_SEED=" << seed;
}

TEST(CalendarProperty, NewYorkOfficeWithHolidaysAndExceptions) { run_property(new_york_office(), 0); }
TEST(CalendarProperty, LondonWithMidnightCrossingWindows) { run_property(london_nights(), 1); }
TEST(CalendarProperty, LordHoweHalfHourDst) { run_property(lord_howe(), 2); }
TEST(CalendarProperty, KolkataHalfHourOffset) { run_property(kolkata(), 3); }
TEST(CalendarProperty, ChicagoWith2400AndWholeDayWindows) { run_property(chicago_edges(), 4); }
TEST(CalendarProperty, SantiagoChangesClocksAtMidnight) { run_property(santiago_midnight(), 5); }
TEST(CalendarProperty, VersionsAcrossThreeZones) { run_property(versions_three_zones(), 6); }

// The reference itself, on the documented examples, so that a broken reference
// cannot agree with a broken library.
TEST(CalendarProperty, ReferenceFollowsTheSpecExamples) {
  duly::calendar_spec s;
  s.timezone = "America/New_York";
  s.hours = std::array<std::vector<duly::window>, 7>{};
  s.exceptions[ymd(2026, 3, 8)] = windows({{hm(2, 30), hm(4)}});
  s.exceptions[ymd(2027, 3, 14)] = windows({{hm(2), hm(3)}});
  s.exceptions[ymd(2026, 11, 1)] = windows({{hm(1, 30), hm(3)}});
  reference ref(s, model_begin, model_end);
  EXPECT_EQ(show(ref.open_intervals(utc(2026, 3, 7), utc(2026, 3, 10))),
            "[2026-03-08T07:00:00Z - 2026-03-08T08:00:00Z]");
  EXPECT_EQ(show(ref.open_intervals(utc(2027, 3, 13), utc(2027, 3, 16))), "[]");
  EXPECT_EQ(show(ref.open_intervals(utc(2026, 10, 31), utc(2026, 11, 3))),
            "[2026-11-01T05:30:00Z - 2026-11-01T08:00:00Z]");
  EXPECT_EQ(ref.open_minutes(), 60 + 150);
  // US holidays by enumeration.
  const auto ny = new_york_office();
  std::set<std::string> got;
  for (const auto& h : ny.spec.holidays)
    for (const auto d : reference_holidays(h, 2026)) got.insert(text(instant{d}).substr(0, 10));
  EXPECT_EQ(got, (std::set<std::string>{"2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25",
                                        "2026-06-19", "2026-07-03", "2026-09-07", "2026-10-12", "2026-11-11",
                                        "2026-11-26", "2026-12-25"}));
}

}  // namespace
