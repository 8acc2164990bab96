// The compiled form behind duly::calendar (not installed): per-UTC-year tables
// of merged open intervals and the calendar::impl that builds them lazily.
// Built in calendar_tables.cpp, made and checked in calendar_make.cpp, used by
// the arithmetic of calendar.cpp.
#pragma once

#include <duly/calendar.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace duly {

namespace detail {

using std::int64_t;



inline constexpr int first_year = 1970;
inline constexpr int year_count = 230;  // 1970 .. 2199
inline constexpr int64_t ten_years = int64_t{3653} * 86400;

constexpr int64_t year_begin_seconds(int y) {
  return std::chrono::sys_seconds{std::chrono::sys_days{std::chrono::year{y} / std::chrono::January / 1}}.time_since_epoch().count();
}

struct year_starts {
  std::array<int64_t, year_count + 1> at{};
  constexpr year_starts() {
    for (int i = 0; i <= year_count; ++i) at[static_cast<std::size_t>(i)] = year_begin_seconds(first_year + i);
  }
};
inline constexpr year_starts year_start{};
static_assert(year_start.at[year_count] == max_supported_instant.time_since_epoch().count());

// Index of the UTC year holding `t`, for t in [min, max).
inline int year_index(int64_t t) noexcept {
  int i = static_cast<int>(t / 31556952);  // mean Gregorian year
  if (i >= year_count) i = year_count - 1;
  while (year_start.at[static_cast<std::size_t>(i)] > t) --i;
  while (year_start.at[static_cast<std::size_t>(i) + 1] <= t) ++i;
  return i;
}

inline bool in_range(int64_t t) noexcept {
  return t >= 0 && t < max_supported_instant.time_since_epoch().count();
}

}  // namespace detail

using detail::first_year;
using detail::in_range;
using detail::ten_years;
using detail::year_count;
using detail::year_index;
using detail::year_start;

// The number of elements of the sorted `v` that are <= t (std::upper_bound's
// index), or < t with `strict` (std::lower_bound's). Without a branch on the
// data: the calendar's hot paths search a year's intervals at every step, and
// a branchy search mispredicts about every other comparison.
template <bool strict = false>
[[nodiscard]] inline std::size_t count_until(const std::vector<int64_t>& v, int64_t t) noexcept {
  std::size_t n = v.size();
  if (n == 0) return 0;
  const int64_t* base = v.data();
  while (n > 1) {
    const std::size_t half = n / 2;
    // An add of 0 or half, not a branch (the compiler keeps a ?: as one).
    base += static_cast<std::size_t>(strict ? base[half - 1] < t : base[half - 1] <= t) * half;
    n -= half;
  }
  return static_cast<std::size_t>(base - v.data()) + ((strict ? *base < t : *base <= t) ? 1 : 0);
}

// One UTC year of a calendar: merged open intervals [starts[i], ends[i]) with
// the open seconds from the year's start to ends[i] in cum_end[i]; and the
// open local dates of the same-numbered local year with their last closing time.
struct year_table {
  int64_t begin = 0;
  int64_t end = 0;
  std::vector<int64_t> starts;
  std::vector<int64_t> ends;
  std::vector<int64_t> cum_end;
  int64_t total = 0;
  std::vector<int32_t> open_days;    // local days since 1970-01-01, sorted
  std::vector<int64_t> day_opens;    // first opening instant of each open day
  std::vector<int64_t> day_closes;   // last closing instant of each open day

  // Open seconds in [begin, t), for t in [begin, end].
  [[nodiscard]] int64_t position(int64_t t) const noexcept {
    const std::size_t k = count_until(starts, t);
    if (k == 0) return 0;
    const std::size_t i = k - 1;
    return cum_end[i] - (ends[i] - std::min(t, ends[i]));
  }
  // Index of the interval holding t, or -1.
  [[nodiscard]] std::ptrdiff_t holding(int64_t t) const noexcept {
    const std::size_t k = count_until(starts, t);
    if (k == 0) return -1;
    const std::size_t i = k - 1;
    return t < ends[i] ? static_cast<std::ptrdiff_t>(i) : -1;
  }
};
struct calendar::impl {
  calendar_spec spec;
  time_zone zone;
  std::array<std::vector<window>, 7> weekly;  // 0 = Monday
  std::map<int32_t, std::vector<window>> exceptions;

  std::vector<int32_t> dated;               // holidays of kind::date, local days, sorted
  std::vector<std::pair<int64_t, int64_t>> closed;  // closed spans as instants, merged, sorted
  std::vector<const holiday_rule*> rules;   // the other holidays

  // A versioned calendar: each version a whole calendar, the instant it comes
  // into force (the first: the beginning of time) and its first local date.
  std::vector<std::shared_ptr<const impl>> parts;
  std::vector<int64_t> part_starts;
  std::vector<int32_t> part_first_days;

  mutable std::array<std::atomic<const year_table*>, year_count> tables{};
  mutable std::mutex build_mutex;
  mutable std::vector<std::unique_ptr<const year_table>> owned;

  // Compiles a validated spec read in zone `z` (for a versioned spec, its last
  // version's zone); each version becomes a calendar of its own.
  impl(calendar_spec s, time_zone z);

  // Adds [s, e) less the closed spans to `out`.
  template <class F>
  void open_pieces(int64_t s, int64_t e, F&& out) const {
    auto it = std::upper_bound(closed.begin(), closed.end(), s,
                               [](int64_t v, const std::pair<int64_t, int64_t>& c) { return v < c.second; });
    for (; it != closed.end() && it->first < e && s < e; ++it) {
      if (it->first > s) out(s, it->first);
      s = std::max(s, it->second);
    }
    if (s < e) out(s, e);
  }

  // The table of year index i (0 = 1970), built on first use.
  const year_table& table(int i) const {
    const auto k = static_cast<std::size_t>(i);
    if (const year_table* p = tables[k].load(std::memory_order_acquire)) return *p;
    std::lock_guard lock(build_mutex);
    if (const year_table* p = tables[k].load(std::memory_order_relaxed)) return *p;
    auto built = std::make_unique<const year_table>(build(i));
    const year_table* p = built.get();
    owned.push_back(std::move(built));
    tables[k].store(p, std::memory_order_release);
    return *p;
  }

  // The holidays of local years y-2 .. y+2 as local days since 1970, sorted.
  // Holidays that do not move (dates, weekday and Easter rules, fixed days with
  // another observed rule, substitute days that fall on a weekday) are placed
  // first; then each substitute day on a weekend, in order of its nominal date,
  // on the first following Monday to Friday that is not already a holiday.
  std::vector<int32_t> holidays_around(int y) const;

  // The dates of local years y-1 .. y+1 that yearly exceptions give, with their
  // hours; the first rule listed wins a date. A substitute day moves past the
  // calendar's holidays as a holiday would.
  std::map<int32_t, const std::vector<window>*> yearly_exceptions_around(
      int y, const std::vector<int32_t>& holidays) const;

  static bool is_weekend(int32_t d) {
    const std::chrono::weekday wd{std::chrono::sys_days{std::chrono::days{d}}};
    return wd == std::chrono::Saturday || wd == std::chrono::Sunday;
  }

  // The version in force at t.
  std::size_t part_at(int64_t t) const {
    const auto it = std::upper_bound(part_starts.begin(), part_starts.end(), t);
    return static_cast<std::size_t>(std::max<std::ptrdiff_t>(it - part_starts.begin() - 1, 0));
  }
  const time_zone& zone_at(int64_t t) const { return parts.empty() ? zone : parts[part_at(t)]->zone; }

  // A versioned calendar's year: each version's open intervals clipped to the
  // span it is in force, and its open days of the local dates it covers (each
  // day's last close clipped to the version's end).
  year_table build_versioned(int i) const;

  // The end of the last open time before `hi` (hi when open just before it).
  int64_t last_close_before(int64_t hi) const;

  year_table build(int i) const;

  // Open seconds in [a, b) for a <= b, both in [min, max].
  int64_t elapsed_in_range(int64_t a, int64_t b) const {
    if (a >= b) return 0;
    const int ia = year_index(a);
    const int ib = year_index(b - 1);  // b may be a year's end
    const year_table& ta = table(ia);
    if (ia == ib) return ta.position(b) - ta.position(a);
    int64_t sum = ta.total - ta.position(a);
    for (int i = ia + 1; i < ib; ++i) sum += table(i).total;
    return sum + table(ib).position(b);
  }
};

}  // namespace duly
