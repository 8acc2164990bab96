// Holiday rules: the date a rule yields in a year. Weekday-of-month rules use
// Boost.Date_Time's date generators.
#include <duly/calendar.hpp>

#include <boost/date_time/gregorian/gregorian.hpp>

namespace duly {

namespace {

using namespace std::chrono;
namespace bg = boost::gregorian;

year_month_day from_boost(const bg::date& d) {
  return year_month_day{year{d.year()}, month{static_cast<unsigned>(d.month())},
                        day{static_cast<unsigned>(d.day())}};
}

// Western (Gregorian) Easter Sunday: the anonymous Gregorian algorithm
// (Meeus/Jones/Butcher).
year_month_day western_easter(int y) {
  const int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
  const int f = (b + 8) / 25, g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4, k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int mon = (h + l - 7 * m + 114) / 31;
  const int day_of = (h + l - 7 * m + 114) % 31 + 1;
  return year_month_day{year{y}, month{static_cast<unsigned>(mon)},
                        std::chrono::day{static_cast<unsigned>(day_of)}};
}

sys_days observe(sys_days d, observed_rule rule) {
  const weekday wd{d};
  switch (rule) {
    case observed_rule::none: return d;
    case observed_rule::nearest_weekday:
      if (wd == Saturday) return d - days{1};
      if (wd == Sunday) return d + days{1};
      return d;
    case observed_rule::next_weekday:
    case observed_rule::substitute:  // the calendar moves it past other holidays
      if (wd == Saturday) return d + days{2};
      if (wd == Sunday) return d + days{1};
      return d;
    case observed_rule::previous_weekday:
      if (wd == Saturday) return d - days{1};
      if (wd == Sunday) return d - days{2};
      return d;
  }
  return d;
}

}  // namespace

std::optional<year_month_day> holiday_rule::in_year(std::chrono::year y) const {
  const int yi = static_cast<int>(y);
  if (type != kind::date && ((since && y < *since) || (until && y > *until))) return std::nullopt;
  switch (type) {
    case kind::date:
      if (date.year() == y && !(since && y < *since) && !(until && y > *until)) return date;
      return std::nullopt;
    case kind::fixed_day: {
      const year_month_day ymd{y, std::chrono::month{month}, std::chrono::day{day}};
      if (!ymd.ok()) return std::nullopt;  // Feb 29 outside leap years
      return year_month_day{observe(sys_days{ymd}, observed)};
    }
    case kind::nth_weekday: {
      // Boost weekdays count from Sunday = 0, as std::chrono's c_encoding does.
      const auto wd = static_cast<bg::greg_weekday::weekday_enum>(weekday.c_encoding());
      const auto mon = static_cast<unsigned short>(month);
      if (yi < 1400 || yi > 9999) return std::nullopt;  // Boost's supported years
      bg::date d;
      if (nth >= 1 && nth <= 4) {
        d = bg::nth_day_of_the_week_in_month(
                static_cast<bg::nth_day_of_the_week_in_month::week_num>(nth), wd, mon)
                .get_date(static_cast<unsigned short>(yi));
      } else if (nth == 5) {
        // Boost reads "fifth" as "last"; a true fifth may not exist.
        d = bg::first_day_of_the_week_in_month(wd, mon).get_date(static_cast<unsigned short>(yi)) +
            bg::weeks(4);
        if (d.month() != mon) return std::nullopt;
      } else if (nth <= -1 && nth >= -5) {
        d = bg::last_day_of_the_week_in_month(wd, mon).get_date(static_cast<unsigned short>(yi)) -
            bg::weeks(-nth - 1);
        if (d.month() != mon) return std::nullopt;
      } else {
        return std::nullopt;
      }
      return from_boost(d);
    }
    case kind::easter:
      return year_month_day{sys_days{western_easter(yi)} + days{offset_days}};
  }
  return std::nullopt;
}

}  // namespace duly
