// Making calendars: checking a spec built in code (the parser checks documents
// as it reads them), versions, re-zoning, and the holidays of a year.
#include <limits>
#include <optional>
#include <string>

#include "calendar/calendar_impl.hpp"

namespace duly {

using namespace std::chrono;

namespace {

const std::shared_ptr<const calendar::impl>& always_open_utc() {
  static const auto p = std::make_shared<const calendar::impl>(calendar_spec{}, time_zone{});
  return p;
}

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

}  // namespace duly
