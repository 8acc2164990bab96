// Calendar arithmetic over lazily built per-year tables of open intervals.
//
// For each UTC year in the supported range the calendar builds, on first use and
// once, a `year_table`: the open intervals of that year merged and sorted, with the
// cumulative open time at the end of each. Open time between two instants of the
// same year is then two binary searches and a subtraction, and `add` is one more
// binary search over the cumulative column. Spans across years step a year at a
// time, using each year's total.
//
// The same pass records each local date's last closing time, keyed by local
// civil year, which is what business-day deadlines need.
#include <duly/calendar.hpp>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <limits>
#include <mutex>
#include <string>

namespace duly {

namespace {

using namespace std::chrono;
using std::int64_t;

constexpr int first_year = 1970;
constexpr int year_count = 230;  // 1970 .. 2199
constexpr int64_t ten_years = int64_t{3653} * 86400;

constexpr int64_t year_begin_seconds(int y) {
  return sys_seconds{sys_days{year{y} / January / 1}}.time_since_epoch().count();
}

struct year_starts {
  std::array<int64_t, year_count + 1> at{};
  constexpr year_starts() {
    for (int i = 0; i <= year_count; ++i) at[static_cast<std::size_t>(i)] = year_begin_seconds(first_year + i);
  }
};
constexpr year_starts year_start{};
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

error out_of_range_error(instant t) {
  return error(errc::out_of_range, "instant " + format_instant(t) +
                                       " is outside the supported years 1970 to 2199");
}

}  // namespace

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
    const auto it = std::upper_bound(starts.begin(), starts.end(), t);
    if (it == starts.begin()) return 0;
    const auto i = static_cast<std::size_t>(it - starts.begin() - 1);
    return cum_end[i] - (ends[i] - std::min(t, ends[i]));
  }
  // Index of the interval holding t, or -1.
  [[nodiscard]] std::ptrdiff_t holding(int64_t t) const noexcept {
    const auto it = std::upper_bound(starts.begin(), starts.end(), t);
    if (it == starts.begin()) return -1;
    const auto i = it - starts.begin() - 1;
    return t < ends[static_cast<std::size_t>(i)] ? i : -1;
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

  impl(calendar_spec s, time_zone z) : spec(std::move(s)), zone(std::move(z)) {
    for (std::size_t k = 0; k < spec.versions.size(); ++k) {
      const auto& v = spec.versions[k];
      auto part = std::make_shared<const impl>(v.calendar, time_zone::locate(v.calendar.timezone).value());
      part_starts.push_back(k == 0 ? std::numeric_limits<int64_t>::min()
                                   : part->zone.first_reach(local_seconds{v.from.time_since_epoch()})
                                         .time_since_epoch()
                                         .count());
      part_first_days.push_back(k == 0 ? std::numeric_limits<int32_t>::min()
                                       : static_cast<int32_t>(v.from.time_since_epoch().count()));
      parts.push_back(std::move(part));
    }
    if (spec.hours) {
      weekly = *spec.hours;
    } else {
      for (auto& day : weekly) day = {window{time_of_day{0}, time_of_day{1440}}};
    }
    for (const auto& [date, windows] : spec.exceptions)
      exceptions.emplace(static_cast<int32_t>(date.time_since_epoch().count()), windows);
    for (const auto& h : spec.holidays) {
      if (h.type != holiday_rule::kind::date) {
        rules.push_back(&h);
      } else if (h.in_year(h.date.year())) {
        dated.push_back(static_cast<int32_t>(sys_days{h.date}.time_since_epoch().count()));
      }
    }
    std::sort(dated.begin(), dated.end());
    dated.erase(std::unique(dated.begin(), dated.end()), dated.end());
    for (const auto& c : spec.closed) {
      const time_zone cz = c.timezone.empty() ? zone : time_zone::locate(c.timezone).value();
      const int64_t a = cz.first_reach(c.start).time_since_epoch().count();
      const int64_t b = cz.first_reach(c.end).time_since_epoch().count();
      if (a < b) closed.emplace_back(a, b);
    }
    std::sort(closed.begin(), closed.end());
    std::vector<std::pair<int64_t, int64_t>> merged;
    for (const auto& c : closed) {
      if (!merged.empty() && c.first <= merged.back().second) {
        merged.back().second = std::max(merged.back().second, c.second);
      } else {
        merged.push_back(c);
      }
    }
    closed = std::move(merged);
  }

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
  std::vector<int32_t> holidays_around(int y) const {
    std::vector<int32_t> out;
    const auto first = static_cast<int32_t>(sys_days{year{y - 2} / January / 1}.time_since_epoch().count());
    const auto last = static_cast<int32_t>(sys_days{year{y + 2} / December / 31}.time_since_epoch().count());
    for (auto it = std::lower_bound(dated.begin(), dated.end(), first); it != dated.end() && *it <= last; ++it)
      out.push_back(*it);
    std::vector<int32_t> moving;
    for (int yy = y - 2; yy <= y + 2; ++yy) {
      for (const auto* rule : rules) {
        if (rule->observed == observed_rule::substitute && rule->type == holiday_rule::kind::fixed_day) {
          if ((rule->since && year{yy} < *rule->since) || (rule->until && year{yy} > *rule->until)) continue;
          const year_month_day nominal{year{yy}, month{rule->month}, day{rule->day}};
          if (!nominal.ok()) continue;
          const auto d = static_cast<int32_t>(sys_days{nominal}.time_since_epoch().count());
          (is_weekend(d) ? moving : out).push_back(d);
        } else if (auto d = rule->in_year(year{yy})) {
          out.push_back(static_cast<int32_t>(sys_days{*d}.time_since_epoch().count()));
        }
      }
    }
    std::sort(out.begin(), out.end());
    std::sort(moving.begin(), moving.end());
    for (int32_t d : moving) {
      while (is_weekend(d) || std::binary_search(out.begin(), out.end(), d)) ++d;
      out.insert(std::lower_bound(out.begin(), out.end(), d), d);
    }
    return out;
  }

  // The dates of local years y-1 .. y+1 that yearly exceptions give, with their
  // hours; the first rule listed wins a date. A substitute day moves past the
  // calendar's holidays as a holiday would.
  std::map<int32_t, const std::vector<window>*> yearly_exceptions_around(
      int y, const std::vector<int32_t>& holidays) const {
    std::map<int32_t, const std::vector<window>*> out;
    for (const auto& e : spec.yearly_exceptions) {
      for (int yy = y - 1; yy <= y + 1; ++yy) {
        const auto& r = e.rule;
        std::optional<int32_t> d;
        if (r.observed == observed_rule::substitute && r.type == holiday_rule::kind::fixed_day) {
          if ((r.since && year{yy} < *r.since) || (r.until && year{yy} > *r.until)) continue;
          const year_month_day nominal{year{yy}, month{r.month}, day{r.day}};
          if (!nominal.ok()) continue;
          auto c = static_cast<int32_t>(sys_days{nominal}.time_since_epoch().count());
          if (is_weekend(c))
            while (is_weekend(c) || std::binary_search(holidays.begin(), holidays.end(), c)) ++c;
          d = c;
        } else if (auto ymd = r.in_year(year{yy})) {
          d = static_cast<int32_t>(sys_days{*ymd}.time_since_epoch().count());
        }
        if (d) out.emplace(*d, &e.hours);
      }
    }
    return out;
  }

  static bool is_weekend(int32_t d) {
    const weekday wd{sys_days{days{d}}};
    return wd == Saturday || wd == Sunday;
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
  year_table build_versioned(int i) const {
    year_table t;
    t.begin = year_start.at[static_cast<std::size_t>(i)];
    t.end = year_start.at[static_cast<std::size_t>(i) + 1];
    int64_t cum = 0;
    for (std::size_t k = 0; k < parts.size(); ++k) {
      const impl& part = *parts[k];
      const int64_t lo = part_starts[k];
      const int64_t hi = k + 1 < parts.size() ? part_starts[k + 1] : std::numeric_limits<int64_t>::max();
      const int32_t first_day = part_first_days[k];
      const int32_t end_day = k + 1 < parts.size() ? part_first_days[k + 1] : std::numeric_limits<int32_t>::max();
      const year_table& pt = part.table(i);
      if (lo < t.end && hi > t.begin) {
        for (std::size_t j = 0; j < pt.starts.size(); ++j) {
          const int64_t s = std::max(pt.starts[j], lo);
          const int64_t e = std::min(pt.ends[j], hi);
          if (e <= s) continue;
          if (!t.ends.empty() && s <= t.ends.back()) {  // touching at a version's start: merge
            if (e > t.ends.back()) {
              cum += e - t.ends.back();
              t.ends.back() = e;
              t.cum_end.back() = cum;
            }
            continue;
          }
          cum += e - s;
          t.starts.push_back(s);
          t.ends.push_back(e);
          t.cum_end.push_back(cum);
        }
      }
      for (std::size_t j = 0; j < pt.open_days.size(); ++j) {
        const int32_t d = pt.open_days[j];
        if (d < first_day || d >= end_day || pt.day_opens[j] >= hi) continue;
        int64_t close = pt.day_closes[j];
        if (close > hi) close = part.last_close_before(hi);
        if (close <= pt.day_opens[j]) continue;
        t.open_days.push_back(d);
        t.day_opens.push_back(pt.day_opens[j]);
        t.day_closes.push_back(close);
      }
    }
    t.total = cum;
    return t;
  }

  // The end of the last open time before `hi` (hi when open just before it).
  int64_t last_close_before(int64_t hi) const {
    const int64_t probe = hi - 1;
    if (!in_range(probe)) return std::numeric_limits<int64_t>::min();
    for (int i = year_index(probe); i >= 0; --i) {
      const year_table& yt = table(i);
      const auto it = std::upper_bound(yt.starts.begin(), yt.starts.end(), probe);
      if (it != yt.starts.begin()) return std::min(yt.ends[static_cast<std::size_t>(it - yt.starts.begin() - 1)], hi);
      if (hi - yt.begin > ten_years) break;
    }
    return std::numeric_limits<int64_t>::min();
  }

  year_table build(int i) const {
    if (!parts.empty()) return build_versioned(i);
    const int y = first_year + i;
    year_table t;
    t.begin = year_start.at[static_cast<std::size_t>(i)];
    t.end = year_start.at[static_cast<std::size_t>(i) + 1];

    const auto holidays = holidays_around(y);
    const auto is_holiday = [&](int32_t d) {
      return std::binary_search(holidays.begin(), holidays.end(), d);
    };
    const int32_t local_year_first = static_cast<int32_t>(t.begin / 86400);
    const int32_t local_year_last = static_cast<int32_t>(t.end / 86400) - 1;

    struct raw { int64_t start, end; };
    std::vector<raw> spans;
    // A window of date D ends by D+2 00:00 local and zones are within a day
    // of UTC, so dates from three days before the year to one after cover it.
    const auto yearly = yearly_exceptions_around(y, holidays);
    for (int32_t d = local_year_first - 3; d <= local_year_last + 1; ++d) {
      const std::vector<window>* windows;
      if (auto it = exceptions.find(d); it != exceptions.end()) {
        windows = &it->second;
      } else if (auto yt = yearly.find(d); yt != yearly.end()) {
        windows = yt->second;
      } else if (is_holiday(d)) {
        continue;
      } else {
        const weekday wd{sys_days{days{d}}};
        windows = &weekly[wd.iso_encoding() - 1];
      }
      int64_t last_close = 0;
      int64_t first_open = std::numeric_limits<int64_t>::max();
      bool open_day = false;
      const local_seconds midnight{local_days{days{d}}};
      for (const auto& w : *windows) {
        const auto start_local = midnight + w.start.since_midnight();
        const auto end_local = midnight + (w.end <= w.start ? days{1} : days{0}) + w.end.since_midnight();
        const int64_t s = zone.first_reach(start_local).time_since_epoch().count();
        const int64_t e = zone.first_reach(end_local).time_since_epoch().count();
        if (e <= s) continue;  // e.g. 02:00-03:00 on a spring-forward night
        open_pieces(s, e, [&](int64_t ps, int64_t pe) {
          spans.push_back({ps, pe});
          open_day = true;
          first_open = std::min(first_open, ps);
          last_close = std::max(last_close, pe);
        });
      }
      if (open_day && d >= local_year_first && d <= local_year_last) {
        t.open_days.push_back(d);
        t.day_opens.push_back(first_open);
        t.day_closes.push_back(last_close);
      }
    }

    std::sort(spans.begin(), spans.end(), [](const raw& a, const raw& b) { return a.start < b.start; });
    int64_t cum = 0;
    for (const auto& sp : spans) {
      const int64_t s = std::max(sp.start, t.begin);
      const int64_t e = std::min(sp.end, t.end);
      if (e <= s) continue;
      if (!t.ends.empty() && s <= t.ends.back()) {  // overlapping or touching: merge
        if (e > t.ends.back()) {
          cum += e - t.ends.back();
          t.ends.back() = e;
          t.cum_end.back() = cum;
        }
        continue;
      }
      cum += e - s;
      t.starts.push_back(s);
      t.ends.push_back(e);
      t.cum_end.push_back(cum);
    }
    t.total = cum;
    return t;
  }

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

namespace {

const std::shared_ptr<const calendar::impl>& always_open_utc() {
  static const auto p = std::make_shared<const calendar::impl>(calendar_spec{}, time_zone{});
  return p;
}

error invalid(std::string message) { return error(errc::invalid_argument, std::move(message)); }

// Checks what the parser cannot have checked for a spec built in code.
std::vector<diagnostic> validate(const calendar_spec& spec) {
  std::vector<diagnostic> out;
  const auto add = [&](std::string path, std::string message) {
    out.push_back({errc::invalid_argument, std::move(message), std::move(path), {}, 0, 0, {}});
  };
  const auto check_windows = [&](const std::vector<window>& ws, const std::string& path) {
    for (std::size_t k = 0; k < ws.size(); ++k) {
      const auto& w = ws[k];
      const auto p = path + "[" + std::to_string(k) + "]";
      if (w.start.minutes() < 0 || w.start.minutes() >= 1440)
        add(p, "window start " + std::to_string(w.start.minutes()) + " min must be 00:00 to 23:59");
      if (w.end.minutes() < 0 || w.end.minutes() > 1440)
        add(p, "window end " + std::to_string(w.end.minutes()) + " min must be 00:00 to 24:00");
    }
  };
  if (spec.hours) {
    static constexpr const char* names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    for (std::size_t d = 0; d < 7; ++d) check_windows((*spec.hours)[d], std::string("hours.") + names[d]);
  }
  const auto check_rule = [&](const holiday_rule& h, const std::string& p) {
    using K = holiday_rule::kind;
    if (h.type == K::date && !h.date.ok()) add(p, "invalid date");
    if ((h.type == K::fixed_day || h.type == K::nth_weekday) && (h.month < 1 || h.month > 12))
      add(p + ".month", "must be 1 to 12, got " + std::to_string(h.month));
    if (h.type == K::fixed_day && h.month >= 1 && h.month <= 12 &&
        !(year{2000} / month{h.month} / day{h.day}).ok())
      add(p + ".day", "day " + std::to_string(h.day) + " does not exist in month " + std::to_string(h.month));
    if (h.type == K::nth_weekday && (h.nth == 0 || h.nth > 5 || h.nth < -5))
      add(p + ".nth", "must be 1 to 5, or -1 (last) to -5, got " + std::to_string(h.nth));
    if (h.type == K::nth_weekday && !h.weekday.ok()) add(p + ".weekday", "invalid weekday");
    if (h.since && h.until && *h.until < *h.since)
      add(p + ".until", "until " + std::to_string(int{*h.until}) + " is before since " + std::to_string(int{*h.since}));
    if (h.type == K::easter && (h.offset_days < -300 || h.offset_days > 300))
      add(p + ".easter", "offset must be -300 to 300 days, got " + std::to_string(h.offset_days));
  };
  for (std::size_t k = 0; k < spec.holidays.size(); ++k)
    check_rule(spec.holidays[k], "holidays[" + std::to_string(k) + "]");
  for (std::size_t k = 0; k < spec.yearly_exceptions.size(); ++k) {
    const auto p = "exceptions[" + std::to_string(k) + "]";
    check_rule(spec.yearly_exceptions[k].rule, p);
    check_windows(spec.yearly_exceptions[k].hours, p + ".hours");
  }
  for (const auto& [date, ws] : spec.exceptions)
    check_windows(ws, "exceptions." + format_instant(sys_seconds{date}).substr(0, 10));
  for (std::size_t k = 0; k < spec.closed.size(); ++k) {
    const auto& c = spec.closed[k];
    const auto p = "closed[" + std::to_string(k) + "]";
    if (!c.timezone.empty() && !time_zone::locate(c.timezone)) add(p + ".timezone", "unknown time zone '" + c.timezone + "'");
    if (c.end <= c.start) add(p + ".end", "must be after start");
  }
  return out;
}

}  // namespace

calendar::calendar() : impl_(always_open_utc()) {}

result<calendar> calendar::make(calendar_spec spec) {
  std::vector<diagnostic> problems;
  const auto check_zone = [&](const std::string& name, const std::string& path) -> std::optional<time_zone> {
    auto zone = time_zone::locate(name);
    if (zone) return *zone;
    auto d = zone.error().diagnostics().front();
    d.path = path;
    problems.push_back(std::move(d));
    return std::nullopt;
  };
  std::optional<time_zone> zone;
  if (spec.versions.empty()) {
    zone = check_zone(spec.timezone, "timezone");
    auto more = validate(spec);
    problems.insert(problems.end(), more.begin(), more.end());
  } else {
    const calendar_spec plain;
    if (spec.hours || !spec.holidays.empty() || !spec.exceptions.empty() || !spec.yearly_exceptions.empty() ||
        !spec.closed.empty() || spec.timezone != plain.timezone)
      problems.push_back({errc::invalid_argument,
                          "a calendar with versions gives its timezone, hours, holidays and exceptions in each "
                          "version",
                          "versions", {}, 0, 0, {}});
    for (std::size_t k = 0; k < spec.versions.size(); ++k) {
      const auto& v = spec.versions[k];
      const std::string p = "versions[" + std::to_string(k) + "]";
      if (k > 0 && v.from <= spec.versions[k - 1].from)
        problems.push_back({errc::invalid_argument,
                            "from " + format_instant(sys_seconds{v.from}).substr(0, 10) + " is not after the previous "
                                "version's from " + format_instant(sys_seconds{spec.versions[k - 1].from}).substr(0, 10),
                            p + ".from", {}, 0, 0, {}});
      if (!v.calendar.versions.empty())
        problems.push_back({errc::invalid_argument, "a version cannot have versions of its own", p + ".versions", {}, 0,
                            0, {}});
      auto z = check_zone(v.calendar.timezone, p + ".timezone");
      if (k + 1 == spec.versions.size()) zone = z;
      for (auto d : validate(v.calendar)) {
        d.path = p + "." + d.path;
        problems.push_back(std::move(d));
      }
    }
  }
  if (!problems.empty()) return tl::unexpected(error(std::move(problems)));
  return calendar(std::make_shared<const impl>(std::move(spec), std::move(*zone)));
}

const calendar_spec& calendar::spec() const noexcept { return impl_->spec; }
const time_zone& calendar::zone() const noexcept { return impl_->zone; }
const time_zone& calendar::zone_at(instant t) const noexcept {
  return impl_->zone_at(t.time_since_epoch().count());
}

calendar calendar::with_zone(const time_zone& zone) const {
  calendar_spec s = impl_->spec;
  if (s.versions.empty()) {
    if (zone == impl_->zone) return *this;
    s.timezone = zone.name();
  } else {
    bool same = true;
    for (auto& v : s.versions) {
      same = same && v.calendar.timezone == zone.name();
      v.calendar.timezone = zone.name();
    }
    if (same) return *this;
  }
  return calendar(std::make_shared<const impl>(std::move(s), zone));
}

std::vector<year_month_day> calendar::holidays_in(year y) const {
  std::vector<year_month_day> out;
  const int yi = int{y};
  if (yi < first_year || yi >= first_year + year_count) return out;
  const auto first = sys_days{y / January / 1}.time_since_epoch().count();
  const auto last = sys_days{y / December / 31}.time_since_epoch().count();
  const auto collect = [&](const impl& part, int32_t from_day, int32_t to_day) {
    for (const int32_t d : part.holidays_around(yi)) {
      if (d < first || d > last || d < from_day || d >= to_day) continue;
      if (!out.empty() && sys_days{out.back()} == sys_days{days{d}}) continue;
      out.emplace_back(sys_days{days{d}});
    }
  };
  if (impl_->parts.empty()) {
    collect(*impl_, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
  } else {
    for (std::size_t k = 0; k < impl_->parts.size(); ++k)
      collect(*impl_->parts[k], impl_->part_first_days[k],
              k + 1 < impl_->parts.size() ? impl_->part_first_days[k + 1] : std::numeric_limits<int32_t>::max());
  }
  return out;
}

result<instant> calendar::add(instant t, seconds d) const {
  if (d > max_duration || d < -max_duration)
    return fail(errc::out_of_range, "duration " + std::to_string(d.count()) + "s is longer than the supported " +
                                        std::to_string(max_duration.count()) + "s");
  if (d < seconds{0}) return subtract(t, -d);
  const int64_t t0 = t.time_since_epoch().count();
  if (!in_range(t0)) return tl::unexpected(out_of_range_error(t));
  if (d == seconds{0}) return t;
  int i = year_index(t0);
  const year_table* yt = &impl_->table(i);
  int64_t c = yt->position(t0) + d.count();
  // The last instant known to be followed by no open time: open time running
  // out for ten years in a row means the calendar is never open again.
  int64_t quiet_since = yt->total > yt->position(t0) ? yt->end : t0;
  while (c > yt->total) {
    c -= yt->total;
    if (++i == year_count)
      return fail(errc::out_of_range, "deadline " + format_duration(d) + " after " + format_instant(t) +
                                          " falls after the supported years 1970 to 2199");
    yt = &impl_->table(i);
    if (yt->total > 0) {
      quiet_since = yt->end;
    } else if (yt->end - quiet_since >= ten_years) {
      return fail(errc::never_open, "calendar has no open time within ten years after " +
                                        format_instant(instant{seconds{std::max(quiet_since, t0)}}));
    }
  }
  const auto j = static_cast<std::size_t>(std::lower_bound(yt->cum_end.begin(), yt->cum_end.end(), c) -
                                          yt->cum_end.begin());
  return instant{seconds{yt->ends[j] - (yt->cum_end[j] - c)}};
}

result<instant> calendar::add(instant t, const duration_spec& d) const {
  if (d.is_business_days()) return add_business_days(t, d.business_days);
  return add(t, d.value);
}

result<instant> calendar::subtract(instant t, seconds d) const {
  if (d > max_duration || d < -max_duration)
    return fail(errc::out_of_range, "duration " + std::to_string(d.count()) + "s is longer than the supported " +
                                        std::to_string(max_duration.count()) + "s");
  if (d < seconds{0}) return add(t, -d);
  const int64_t t0 = t.time_since_epoch().count();
  if (!(in_range(t0) || t0 == max_supported_instant.time_since_epoch().count()))
    return tl::unexpected(out_of_range_error(t));
  if (d == seconds{0}) return t;
  int i = year_index(t0 == 0 ? 0 : t0 - 1);  // t may be a year's end
  const year_table* yt = &impl_->table(i);
  int64_t c = yt->position(t0) - d.count();
  int64_t quiet_until = c + d.count() > 0 ? yt->begin : t0;  // see add()
  while (c < 0) {
    if (--i < 0)
      return fail(errc::out_of_range, format_duration(d) + " before " + format_instant(t) +
                                          " falls before the supported years 1970 to 2199");
    yt = &impl_->table(i);
    c += yt->total;
    if (yt->total > 0) {
      quiet_until = yt->begin;
    } else if (quiet_until - yt->begin >= ten_years) {
      return fail(errc::never_open, "calendar has no open time within ten years before " +
                                        format_instant(instant{seconds{std::min(quiet_until, t0)}}));
    }
  }
  const auto j = static_cast<std::size_t>(std::upper_bound(yt->cum_end.begin(), yt->cum_end.end(), c) -
                                          yt->cum_end.begin());
  const int64_t before = yt->cum_end[j] - (yt->ends[j] - yt->starts[j]);
  return instant{seconds{yt->starts[j] + (c - before)}};
}

seconds calendar::elapsed(instant a, instant b) const {
  constexpr int64_t hi = max_supported_instant.time_since_epoch().count();
  int64_t x = std::clamp<int64_t>(a.time_since_epoch().count(), 0, hi);
  int64_t y = std::clamp<int64_t>(b.time_since_epoch().count(), 0, hi);
  if (x <= y) return seconds{impl_->elapsed_in_range(x, y)};
  return seconds{-impl_->elapsed_in_range(y, x)};
}

result<seconds> calendar::try_elapsed(instant a, instant b) const {
  constexpr int64_t hi = max_supported_instant.time_since_epoch().count();
  for (const instant t : {a, b}) {
    const int64_t v = t.time_since_epoch().count();
    if (v < 0 || v > hi) return tl::unexpected(out_of_range_error(t));
  }
  return elapsed(a, b);
}

bool calendar::is_open(instant t) const {
  const int64_t t0 = t.time_since_epoch().count();
  if (!in_range(t0)) return false;
  return impl_->table(year_index(t0)).holding(t0) >= 0;
}

result<instant> calendar::next_open(instant t) const {
  const int64_t t0 = t.time_since_epoch().count();
  if (!in_range(t0)) return tl::unexpected(out_of_range_error(t));
  int i = year_index(t0);
  const year_table& yt = impl_->table(i);
  const auto it = std::upper_bound(yt.starts.begin(), yt.starts.end(), t0);
  if (it != yt.starts.begin() && t0 < yt.ends[static_cast<std::size_t>(it - yt.starts.begin() - 1)]) return t;
  if (it != yt.starts.end()) return instant{seconds{*it}};
  while (++i < year_count) {
    const year_table& next = impl_->table(i);
    if (!next.starts.empty()) return instant{seconds{next.starts.front()}};
    if (next.end - t0 >= ten_years)
      return fail(errc::never_open, "calendar has no open time within ten years after " + format_instant(t));
  }
  return fail(errc::out_of_range, "calendar has no open time after " + format_instant(t) +
                                      " within the supported years 1970 to 2199");
}

result<instant> calendar::next_close(instant t) const {
  const int64_t t0 = t.time_since_epoch().count();
  if (!in_range(t0)) return tl::unexpected(out_of_range_error(t));
  int i = year_index(t0);
  const year_table* yt = &impl_->table(i);
  const auto j = yt->holding(t0);
  if (j < 0) return t;
  int64_t close = yt->ends[static_cast<std::size_t>(j)];
  // An interval that reaches the end of its year may go on in the next one.
  while (close == yt->end) {
    if (++i == year_count)
      return fail(errc::out_of_range, "calendar does not close after " + format_instant(t) +
                                          " within the supported years 1970 to 2199");
    yt = &impl_->table(i);
    if (yt->starts.empty() || yt->starts.front() != close) break;
    close = yt->ends.front();
    if (close - t0 >= ten_years)
      return fail(errc::never_closes, "calendar does not close within ten years after " + format_instant(t));
  }
  return instant{seconds{close}};
}

result<instant> calendar::add_business_days(instant t, std::int64_t n) const {
  const int64_t t0 = t.time_since_epoch().count();
  if (!in_range(t0)) return tl::unexpected(out_of_range_error(t));
  if (n < 0) return tl::unexpected(invalid("business days must be zero or more, got " + std::to_string(n)));
  if (n == 0) return t;
  const auto local_day = floor<days>(impl_->zone_at(t0).to_local(t)).time_since_epoch().count();
  const int local_year = static_cast<int>(year_month_day{sys_days{days{local_day}}}.year());
  int i = local_year - first_year;
  // The first hours of 1970 UTC may still be 1969 locally: every open day of
  // 1970 is then after t's date.
  if (i == -1) i = 0;
  if (i < 0 || i >= year_count)
    return fail(errc::out_of_range, std::to_string(n) + " business days after " + format_instant(t) +
                                        " fall after the supported years 1970 to 2199");
  const year_table* yt = &impl_->table(i);
  auto k = static_cast<std::size_t>(
      std::upper_bound(yt->open_days.begin(), yt->open_days.end(), static_cast<int32_t>(local_day)) -
      yt->open_days.begin());
  std::int64_t remaining = n;  // open days still to count, the k-th of this year first
  int64_t years_without_open = 0;
  while (static_cast<std::int64_t>(yt->open_days.size() - k) < remaining) {
    const auto here = static_cast<std::int64_t>(yt->open_days.size() - k);
    remaining -= here;
    years_without_open = here == 0 ? years_without_open + 1 : 0;
    if (years_without_open > 10)
      return fail(errc::never_open, "calendar has no open day within ten years after " + format_instant(t));
    if (++i == year_count)
      return fail(errc::out_of_range, std::to_string(n) + " business days after " + format_instant(t) +
                                          " fall after the supported years 1970 to 2199");
    yt = &impl_->table(i);
    k = 0;
  }
  return instant{seconds{yt->day_closes[k + static_cast<std::size_t>(remaining) - 1]}};
}

result<std::vector<interval>> calendar::open_intervals(instant from, instant to) const {
  const int64_t a = from.time_since_epoch().count();
  const int64_t b = to.time_since_epoch().count();
  constexpr int64_t hi = max_supported_instant.time_since_epoch().count();
  if (a < 0 || a > hi) return tl::unexpected(out_of_range_error(from));
  if (b < 0 || b > hi) return tl::unexpected(out_of_range_error(to));
  std::vector<interval> out;
  if (a >= b) return out;
  for (int i = year_index(a), last = year_index(b - 1); i <= last; ++i) {
    const year_table& yt = impl_->table(i);
    auto it = std::upper_bound(yt.ends.begin(), yt.ends.end(), a);  // first ending after a
    for (auto k = static_cast<std::size_t>(it - yt.ends.begin()); k < yt.starts.size() && yt.starts[k] < b; ++k) {
      const int64_t s = std::max(yt.starts[k], a);
      const int64_t e = std::min(yt.ends[k], b);
      if (!out.empty() && out.back().end.time_since_epoch().count() == s) {
        out.back().end = instant{seconds{e}};  // continues across a year's end
      } else {
        out.push_back({instant{seconds{s}}, instant{seconds{e}}});
      }
    }
  }
  return out;
}

}  // namespace duly
