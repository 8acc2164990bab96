// Calendar arithmetic over lazily built per-year tables of open intervals.
//
// For each UTC year in the supported range the calendar builds, on first use and
// once, a `year_table` (calendar_impl.hpp): the open intervals of that year merged
// and sorted, with the cumulative open time at the end of each. Open time between
// two instants of the same year is then two binary searches and a subtraction,
// and `add` is one more binary search over the cumulative column. Spans across
// years step a year at a time, using each year's total.
//
// The same pass records each local date's last closing time, keyed by local
// civil year, which is what business-day deadlines need.
#include <algorithm>
#include <string>

#include "calendar/calendar_impl.hpp"

namespace duly {

namespace {

using namespace std::chrono;

error out_of_range_error(instant t) {
  return error(errc::out_of_range, "instant " + format_instant(t) +
                                       " is outside the supported years 1970 to 2199");
}

error invalid(std::string message) { return error(errc::invalid_argument, std::move(message)); }

}  // namespace

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
  const std::size_t j = count_until<true>(yt->cum_end, c);  // the first interval ending at or after c
  return instant{seconds{yt->ends[j] - (yt->cum_end[j] - c)}};
}

result<instant> calendar::add(instant t, const duration_spec& d) const {
  if (d.is_business_days()) return add_business_days(t, d.business_days);
  if (d.is_calendar_days()) return add_calendar_days(t, d.calendar_days);
  return add(t, d.value);
}

result<instant> calendar::add_calendar_days(instant t, std::int64_t n) const {
  const int64_t t0 = t.time_since_epoch().count();
  if (!in_range(t0)) return tl::unexpected(out_of_range_error(t));
  if (n < 0) return tl::unexpected(invalid("calendar days must be zero or more, got " + std::to_string(n)));
  if (n == 0) return t;
  if (n > 100000)
    return fail(errc::out_of_range, std::to_string(n) + " calendar days after " + format_instant(t) +
                                        " fall after the supported years 1970 to 2199");
  // The same wall-clock reading n local days later, in the zone in force at t,
  // taken where a clock first reaches it (a time a DST change skips is reached
  // at the change; a repeated one at its first occurrence).
  const time_zone& zone = impl_->zone_at(t0);
  const instant out = zone.first_reach(zone.to_local(t) + days{n});
  if (out >= max_supported_instant)
    return fail(errc::out_of_range, std::to_string(n) + " calendar days after " + format_instant(t) +
                                        " fall after the supported years 1970 to 2199");
  return std::max(out, t);
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
  const std::size_t j = count_until(yt->cum_end, c);  // the first interval ending after c
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
