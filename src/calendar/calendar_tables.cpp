// Building a calendar's tables: holidays placed per year (substitute days
// after the others), yearly exceptions, closed spans cut out of the windows,
// and a versioned calendar's years stitched from its versions' tables.
#include <algorithm>
#include <limits>
#include <optional>
#include <string>

#include "calendar/calendar_impl.hpp"

namespace duly {

using namespace std::chrono;

calendar::impl::impl(calendar_spec s, time_zone z) : spec(std::move(s)), zone(std::move(z)) {
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

// The holidays of local years y-2 .. y+2 as local days since 1970, sorted.
// Holidays that do not move (dates, weekday and Easter rules, fixed days with
// another observed rule, substitute days that fall on a weekday) are placed
// first; then each substitute day on a weekend, in order of its nominal date,
// on the first following Monday to Friday that is not already a holiday.
std::vector<int32_t> calendar::impl::holidays_around(int y) const {
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
std::map<int32_t, const std::vector<window>*> calendar::impl::yearly_exceptions_around(
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

// A versioned calendar's year: each version's open intervals clipped to the
// span it is in force, and its open days of the local dates it covers (each
// day's last close clipped to the version's end).
year_table calendar::impl::build_versioned(int i) const {
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
int64_t calendar::impl::last_close_before(int64_t hi) const {
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

year_table calendar::impl::build(int i) const {
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

}  // namespace duly
