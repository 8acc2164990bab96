// duly/boost.hpp: opt-in interop with Boost.Date_Time.
//
// Include this header only if your code uses Boost.Date_Time; the rest of duly
// speaks std::chrono and does not need Boost. It converts a UTC
// `boost::posix_time::ptime` to and from a `duly::instant`, and a
// `boost::gregorian::date` to the `std::chrono` date types duly accepts
// wherever a date is expected (calendar_spec exceptions, holiday dates).
//
//   auto t = duly::from_ptime(boost::posix_time::time_from_string("2026-11-23 15:30:00"));
//   // t == 2026-11-23T15:30:00Z
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>

#include <boost/date_time/gregorian/gregorian_types.hpp>
#include <boost/date_time/posix_time/posix_time_types.hpp>

#include <duly/error.hpp>
#include <duly/time.hpp>

namespace duly {

namespace detail {
inline const boost::gregorian::date& boost_epoch() {
  static const boost::gregorian::date epoch(1970, 1, 1);
  return epoch;
}
}  // namespace detail

// A UTC ptime to an instant (sub-second parts are floored). Special values
// (not_a_date_time, +/-infinity) are an `errc::invalid_argument` error.
[[nodiscard]] inline result<instant> from_ptime(const boost::posix_time::ptime& t) {
  if (t.is_special()) return fail(errc::invalid_argument, "ptime: not a date-time: special value");
  const auto days = (t.date() - detail::boost_epoch()).days();
  const auto tod = t.time_of_day();
  auto secs = tod.total_seconds();
  if (tod.is_negative() && tod.fractional_seconds() != 0) --secs;
  return instant{seconds{std::int64_t{days} * 86400 + secs}};
}

// An instant to a UTC ptime.
[[nodiscard]] inline boost::posix_time::ptime to_ptime(instant t) {
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const auto rest = (t - days).count();
  const boost::gregorian::date d = detail::boost_epoch() +
                                   boost::gregorian::days(days.time_since_epoch().count());
  return boost::posix_time::ptime(d, boost::posix_time::seconds(static_cast<long>(rest)));
}

// A gregorian date to the std::chrono date duly uses.
[[nodiscard]] inline std::chrono::sys_days from_date(const boost::gregorian::date& d) {
  return std::chrono::sys_days{std::chrono::days{(d - detail::boost_epoch()).days()}};
}
[[nodiscard]] inline std::chrono::year_month_day to_year_month_day(const boost::gregorian::date& d) {
  return std::chrono::year_month_day{from_date(d)};
}
[[nodiscard]] inline boost::gregorian::date to_date(std::chrono::sys_days d) {
  return detail::boost_epoch() + boost::gregorian::days(d.time_since_epoch().count());
}

}  // namespace duly
