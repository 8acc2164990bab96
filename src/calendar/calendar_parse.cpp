// Reading calendar documents (YAML or JSON, SPEC section 3) into a calendar_spec.
#include <duly/calendar.hpp>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "calendar/calendar_parse.hpp"
#include "calendar/ics.hpp"
#include "base/document.hpp"

namespace duly {

namespace {

using namespace std::chrono;
using detail::document;
using detail::join;

constexpr std::array<std::string_view, 7> day_names = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr std::array<std::string_view, 7> long_day_names = {"monday", "tuesday",  "wednesday", "thursday",
                                                            "friday", "saturday", "sunday"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// 0 = Monday .. 6 = Sunday, or -1.
int day_number(std::string_view name) {
  const std::string n = lower(name);
  for (std::size_t i = 0; i < 7; ++i)
    if (n == day_names[i] || n == long_day_names[i]) return static_cast<int>(i);
  return -1;
}

}  // namespace

namespace detail {

// "08:00-17:00" -> window, or a message.
result<window> parse_window(std::string_view text) {
  const auto bad = [&](const std::string& why) {
    return fail(errc::invalid_argument, "invalid window '" + std::string(text) + "': " + why);
  };
  const auto dash = text.find('-');
  if (dash == std::string_view::npos || text.find('-', dash + 1) != std::string_view::npos)
    return bad("expected HH:MM-HH:MM, e.g. 08:00-17:00");
  const auto part = [&](std::string_view s) -> result<time_of_day> {
    auto t = time_of_day::parse(s);
    if (!t) {
      // Keep the reason, drop the "invalid time of day" prefix the window repeats.
      std::string m = t.error().message();
      const std::string prefix = "invalid time of day ";
      if (m.rfind(prefix, 0) == 0) m.erase(0, prefix.size());
      return bad(m);
    }
    return t;
  };
  auto start = part(text.substr(0, dash));
  if (!start) return tl::unexpected(start.error());
  auto end = part(text.substr(dash + 1));
  if (!end) return tl::unexpected(end.error());
  if (start->minutes() == 1440) return bad("24:00 can only end a window");
  return window{*start, *end};
}

// Reads a day key: "mon", "mon-fri", "fri-mon" (wraps), "daily". Returns the
// days it covers and its precedence (2 = one day, 1 = a range, 0 = daily).
result<std::pair<std::vector<int>, int>> parse_day_key(std::string_view key) {
  const auto bad = [&] {
    return fail(errc::invalid_argument,
                "unknown day '" + std::string(key) +
                    "': expected mon, tue, wed, thu, fri, sat, sun, a range such as mon-fri, or daily");
  };
  if (lower(key) == "daily") return std::pair{std::vector<int>{0, 1, 2, 3, 4, 5, 6}, 0};
  const auto dash = key.find('-');
  if (dash == std::string_view::npos) {
    const int d = day_number(key);
    if (d < 0) return bad();
    return std::pair{std::vector<int>{d}, 2};
  }
  const int a = day_number(key.substr(0, dash));
  const int b = day_number(key.substr(dash + 1));
  if (a < 0 || b < 0) return bad();
  std::vector<int> days;
  for (int d = a;; d = (d + 1) % 7) {
    days.push_back(d);
    if (d == b) break;
  }
  return std::pair{std::move(days), 1};
}

std::optional<std::vector<window>> read_windows(document& doc, const YAML::Node& node,
                                                const std::string& path) {
  std::vector<window> out;
  bool good = true;
  const auto one = [&](const YAML::Node& n, const std::string& p) {
    auto text = doc.string(n, p);
    if (!text) {
      good = false;
      return;
    }
    auto w = parse_window(*text);
    if (!w) {
      doc.report(n, p, w.error().message());
      good = false;
      return;
    }
    out.push_back(*w);
  };
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) one(node[i], detail::index(path, i));
  } else if (node.IsScalar()) {
    one(node, path);
  } else {
    doc.report(node, path,
               "expected a window such as \"08:00-17:00\" or a list of them, got " +
                   std::string(detail::kind_name(node)));
    return std::nullopt;
  }
  if (!good) return std::nullopt;
  return out;
}

// `since` and `until`: the years a rule is in force, inclusive.
static void read_years(document& doc, const YAML::Node& node, const std::string& path, holiday_rule& h) {
  const auto one = [&](const char* key) -> std::optional<year> {
    if (!node[key]) return std::nullopt;
    auto y = doc.integer(node[key], join(path, key));
    if (!y) return std::nullopt;
    if (*y < 1970 || *y > 2199) {
      doc.report(node[key], join(path, key), "must be a year from 1970 to 2199, got " + std::to_string(*y));
      return std::nullopt;
    }
    return year{static_cast<int>(*y)};
  };
  h.since = one("since");
  h.until = one("until");
  if (h.since && h.until && *h.until < *h.since)
    doc.report(node["until"], join(path, "until"),
               "until " + std::to_string(int{*h.until}) + " is before since " + std::to_string(int{*h.since}));
}

std::optional<holiday_rule> read_holiday(document& doc, const YAML::Node& node, const std::string& path,
                                         bool with_hours) {
  holiday_rule h;
  if (node.IsScalar()) {
    auto d = parse_date(node.Scalar());
    if (!d) {
      doc.report(node, path, d.error().message());
      return std::nullopt;
    }
    h.type = holiday_rule::kind::date;
    h.date = year_month_day{*d};
    h.name = node.Scalar();
    return h;
  }
  if (!node.IsMap()) {
    doc.report(node, path,
               "expected a date (2026-12-25) or a rule such as {month: 11, weekday: thu, nth: 4}, got " +
                   std::string(detail::kind_name(node)));
    return std::nullopt;
  }
  const std::size_t before = doc.problem_count();
  if (with_hours) {
    doc.check_keys(node, path,
                   {"name", "date", "month", "day", "weekday", "nth", "observed", "easter", "since", "until", "hours"});
  } else {
    doc.check_keys(node, path, {"name", "date", "month", "day", "weekday", "nth", "observed", "easter", "since", "until"});
  }
  if (node["name"]) {
    if (auto n = doc.string(node["name"], join(path, "name"))) h.name = *n;
  }
  read_years(doc, node, path, h);
  const bool has_date = bool(node["date"]), has_easter = bool(node["easter"]),
             has_weekday = bool(node["weekday"]) || bool(node["nth"]), has_day = bool(node["day"]);
  const int kinds = int{has_date} + int{has_easter} + int{has_weekday} + int{has_day};
  if (kinds != 1) {
    doc.report(node, path,
               kinds == 0 ? "a holiday rule needs one of: date; month and day; month, weekday and nth; or easter"
                          : "a holiday rule takes only one of: date; day; weekday and nth; easter");
    return std::nullopt;
  }
  const auto month_of = [&]() -> unsigned {
    if (!node["month"]) {
      doc.report(node, join(path, "month"), "missing: give the month, 1 to 12");
      return 0;
    }
    auto m = doc.integer(node["month"], join(path, "month"));
    if (!m) return 0;
    if (*m < 1 || *m > 12) {
      doc.report(node["month"], join(path, "month"), "must be 1 to 12, got " + std::to_string(*m));
      return 0;
    }
    return static_cast<unsigned>(*m);
  };
  const auto reject = [&](const char* key, const char* why) {
    if (node[key]) doc.report(node[key], join(path, key), why);
  };
  if (has_date) {
    h.type = holiday_rule::kind::date;
    reject("month", "not used with date");
    reject("observed", "not used with date; give the observed date itself");
    if (auto text = doc.string(node["date"], join(path, "date"))) {
      if (auto d = parse_date(*text)) {
        h.date = year_month_day{*d};
      } else {
        doc.report(node["date"], join(path, "date"), d.error().message());
      }
    }
  } else if (has_easter) {
    h.type = holiday_rule::kind::easter;
    reject("month", "not used with easter");
    reject("observed", "not used with easter");
    if (auto off = doc.integer(node["easter"], join(path, "easter"))) {
      if (*off < -300 || *off > 300) {
        doc.report(node["easter"], join(path, "easter"),
                   "days from Easter Sunday must be -300 to 300, got " + std::to_string(*off));
      } else {
        h.offset_days = static_cast<int>(*off);
      }
    }
  } else if (has_weekday) {
    h.type = holiday_rule::kind::nth_weekday;
    h.month = month_of();
    reject("observed", "not used with a weekday rule");
    if (!node["weekday"]) {
      doc.report(node, join(path, "weekday"), "missing: give the weekday, mon to sun");
    } else if (auto w = doc.string(node["weekday"], join(path, "weekday"))) {
      const int d = day_number(*w);
      if (d < 0) {
        doc.report(node["weekday"], join(path, "weekday"),
                   "unknown weekday '" + *w + "': expected mon, tue, wed, thu, fri, sat or sun");
      } else {
        h.weekday = std::chrono::weekday{static_cast<unsigned>(d + 1)};  // 1 = Monday .. 7 = Sunday
      }
    }
    if (!node["nth"]) {
      doc.report(node, join(path, "nth"), "missing: give nth, 1 to 5 or -1 (last) to -5");
    } else if (auto n = doc.integer(node["nth"], join(path, "nth"))) {
      if (*n == 0 || *n > 5 || *n < -5) {
        doc.report(node["nth"], join(path, "nth"),
                   "must be 1 to 5, or -1 (last) to -5, got " + std::to_string(*n));
      } else {
        h.nth = static_cast<int>(*n);
      }
    }
  } else {
    h.type = holiday_rule::kind::fixed_day;
    h.month = month_of();
    if (auto d = doc.integer(node["day"], join(path, "day"))) {
      if (h.month != 0 && (*d < 1 || *d > 31 ||
                           !(year{2000} / std::chrono::month{h.month} / day{static_cast<unsigned>(*d)}).ok())) {
        doc.report(node["day"], join(path, "day"),
                   "day " + std::to_string(*d) + " does not exist in month " + std::to_string(h.month));
      } else {
        h.day = static_cast<unsigned>(*d);
      }
    }
    if (node["observed"]) {
      if (auto o = doc.string(node["observed"], join(path, "observed"))) {
        if (*o == "none") h.observed = observed_rule::none;
        else if (*o == "nearest_weekday") h.observed = observed_rule::nearest_weekday;
        else if (*o == "next_weekday") h.observed = observed_rule::next_weekday;
        else if (*o == "previous_weekday") h.observed = observed_rule::previous_weekday;
        else if (*o == "substitute") h.observed = observed_rule::substitute;
        else
          doc.report(node["observed"], join(path, "observed"),
                     "unknown rule '" + *o +
                         "': expected none, nearest_weekday, next_weekday, previous_weekday or substitute");
      }
    }
  }
  if (doc.problem_count() != before) return std::nullopt;
  return h;
}

// `exceptions` as a list: {date: D, hours: [...]} entries are dated exceptions,
// any holiday rule form plus `hours` a yearly one.
static void read_exception_list(document& doc, const YAML::Node& list, const std::string& path,
                                calendar_spec& spec) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node e = list[i];
    const std::string p = detail::index(path, i);
    if (!e.IsMap()) {
      doc.report(e, p,
                 "expected {date: 2026-12-24, hours: [...]} or a holiday rule with hours, such as "
                 "{month: 12, day: 24, hours: [\"08:00-12:00\"]}, got " + std::string(detail::kind_name(e)));
      continue;
    }
    auto rule = read_holiday(doc, e, p, true);
    std::optional<std::vector<window>> hours;
    if (!e["hours"]) {
      doc.report(e, join(p, "hours"), "missing: give the hours of that day, e.g. [\"08:00-12:00\"], or [] for closed");
    } else if (e["hours"].IsNull()) {
      hours.emplace();
    } else {
      hours = read_windows(doc, e["hours"], join(p, "hours"));
    }
    if (!rule || !hours) continue;
    if (rule->type == holiday_rule::kind::date && !rule->since && !rule->until) {
      if (!spec.exceptions.emplace(sys_days{rule->date}, std::move(*hours)).second)
        doc.report(e["date"], join(p, "date"), "date given twice");
    } else {
      spec.yearly_exceptions.push_back({std::move(*rule), std::move(*hours)});
    }
  }
}

// "2026-03-08T01:30" or "2026-03-08T01:30:00": a wall-clock time.
static std::optional<local_seconds> read_local_time(document& doc, const YAML::Node& node, const std::string& path) {
  auto text = doc.string(node, path);
  if (!text) return std::nullopt;
  const auto bad = [&] {
    doc.report(node, path, "expected a wall-clock time such as 2026-03-08T01:30 (no offset), got '" + *text + "'");
    return std::nullopt;
  };
  if (text->size() < 16 || (*text)[10] != 'T') return bad();
  auto d = parse_date(text->substr(0, 10));
  if (!d) return bad();
  std::string clock = text->substr(11);
  int secs = 0;
  if (clock.size() == 8 && clock[5] == ':' && std::isdigit(static_cast<unsigned char>(clock[6])) &&
      std::isdigit(static_cast<unsigned char>(clock[7]))) {
    secs = (clock[6] - '0') * 10 + (clock[7] - '0');
    if (secs > 59) return bad();
    clock.resize(5);
  }
  auto t = time_of_day::parse(clock);
  if (!t || clock.size() != 5 || t->minutes() >= 1440) return bad();
  return local_seconds{d->time_since_epoch()} + t->since_midnight() + seconds{secs};
}

// {start: LOCAL, end: LOCAL, timezone: ZONE, name: ...}: a closed span.
static std::optional<closed_span> read_closed_span(document& doc, const YAML::Node& node, const std::string& path) {
  const std::size_t before = doc.problem_count();
  doc.check_keys(node, path, {"name", "start", "end", "timezone"});
  closed_span s;
  if (node["name"]) {
    if (auto n = doc.string(node["name"], join(path, "name"))) s.name = *n;
  }
  if (node["timezone"]) {
    if (auto z = doc.string(node["timezone"], join(path, "timezone"))) {
      if (auto found = time_zone::locate(*z)) {
        s.timezone = *z;
      } else {
        doc.report(node["timezone"], join(path, "timezone"), found.error().message(), found.error().code());
      }
    }
  }
  auto start = read_local_time(doc, node["start"], join(path, "start"));
  if (!node["end"]) {
    doc.report(node, join(path, "end"), "missing: give the end of the closed span, e.g. 2026-03-08T05:00");
  } else if (auto end = read_local_time(doc, node["end"], join(path, "end")); end && start) {
    if (*end <= *start) {
      doc.report(node["end"], join(path, "end"), "must be after start");
    } else {
      s.start = *start;
      s.end = *end;
    }
  }
  if (doc.problem_count() != before) return std::nullopt;
  return s;
}

// {ics: PATH, since: Y, until: Y}: the events of an iCalendar file.
static void read_ics_entry(document& doc, const YAML::Node& node, const std::string& path,
                           const std::filesystem::path& base_dir, calendar_spec& spec) {
  const std::size_t before = doc.problem_count();
  doc.check_keys(node, path, {"ics", "since", "until"});
  holiday_rule years;
  read_years(doc, node, path, years);
  auto file = doc.string(node["ics"], join(path, "ics"));
  if (!file || doc.problem_count() != before) return;
  std::filesystem::path p(*file);
  if (p.is_relative() && !base_dir.empty()) p = base_dir / p;
  auto got = read_ics(p, join(path, "ics"));
  if (!got) {
    for (const auto& d : got.error().diagnostics()) doc.add(d);
    return;
  }
  const auto in_force = [&](year y) { return !(years.since && y < *years.since) && !(years.until && y > *years.until); };
  for (auto& h : got->dates)
    if (in_force(h.date.year())) spec.holidays.push_back(std::move(h));
  for (auto& s : got->spans)
    if (in_force(year_month_day{sys_days{floor<days>(s.start).time_since_epoch()}}.year()))
      spec.closed.push_back(std::move(s));
}

static std::optional<calendar_spec> read_calendar_body(document& doc, const YAML::Node& node, const std::string& path,
                                                       const std::filesystem::path& base_dir, bool is_version);

// versions: [{from: DATE, <calendar>}, ...]
static std::optional<calendar_spec> read_versions(document& doc, const YAML::Node& node, const std::string& path,
                                                  const std::filesystem::path& base_dir) {
  const std::size_t before = doc.problem_count();
  calendar_spec spec;
  for (const char* key : {"timezone", "hours", "holidays", "exceptions"})
    if (node[key])
      doc.report(node[key], join(path, key),
                 "with versions, give timezone, hours, holidays and exceptions inside each version");
  const auto list = node["versions"];
  const std::string vpath = join(path, "versions");
  if (!doc.is_list(list, vpath)) return std::nullopt;
  if (list.size() == 0) doc.report(list, vpath, "give at least one version: {from: 2026-01-01, hours: ...}");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node v = list[i];
    const std::string p = detail::index(vpath, i);
    if (!doc.is_map(v, p)) continue;
    calendar_version version;
    bool good = true;
    if (!v["from"]) {
      doc.report(v, join(p, "from"), "missing: give the date this version starts, e.g. from: 2026-04-01");
      good = false;
    } else if (auto text = doc.string(v["from"], join(p, "from"))) {
      if (auto d = parse_date(*text)) {
        version.from = *d;
        if (!spec.versions.empty() && version.from <= spec.versions.back().from)
          doc.report(v["from"], join(p, "from"),
                     "from " + *text + " is not after the previous version's from " +
                         format_instant(sys_seconds{spec.versions.back().from}).substr(0, 10));
      } else {
        doc.report(v["from"], join(p, "from"), d.error().message());
        good = false;
      }
    } else {
      good = false;
    }
    auto body = read_calendar_body(doc, v, p, base_dir, true);
    if (!body || !good) continue;
    version.calendar = std::move(*body);
    spec.versions.push_back(std::move(version));
  }
  if (doc.problem_count() != before) return std::nullopt;
  return spec;
}

std::optional<calendar_spec> read_calendar(document& doc, const YAML::Node& node, const std::string& path,
                                           const std::filesystem::path& base_dir) {
  if (!node.IsDefined() || node.IsNull()) return calendar_spec{};  // empty document: 24x7 UTC
  if (!doc.is_map(node, path)) return std::nullopt;
  if (node["versions"]) {
    doc.check_keys(node, path, {"timezone", "hours", "holidays", "exceptions", "versions"});
    return read_versions(doc, node, path, base_dir);
  }
  return read_calendar_body(doc, node, path, base_dir, false);
}

static std::optional<calendar_spec> read_calendar_body(document& doc, const YAML::Node& node, const std::string& path,
                                                       const std::filesystem::path& base_dir, bool is_version) {
  const std::size_t before = doc.problem_count();
  calendar_spec spec;
  if (is_version) {
    doc.check_keys(node, path, {"from", "timezone", "hours", "holidays", "exceptions"});
  } else {
    doc.check_keys(node, path, {"timezone", "hours", "holidays", "exceptions", "versions"});
  }

  if (const auto tz = node["timezone"]) {
    if (auto name = doc.string(tz, join(path, "timezone"))) {
      if (auto z = time_zone::locate(*name)) {
        spec.timezone = *name;
      } else {
        doc.report(tz, join(path, "timezone"), z.error().message(), z.error().code());
      }
    }
  }

  if (const auto hours = node["hours"]; hours && !hours.IsNull()) {
    const std::string hpath = join(path, "hours");
    if (doc.is_map(hours, hpath)) {
      std::array<std::vector<window>, 7> week{};
      std::array<int, 7> level{-1, -1, -1, -1, -1, -1, -1};  // precedence that set each day
      std::array<std::string, 7> set_by{};
      for (const auto& kv : hours) {
        const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
        const std::string kpath = join(hpath, key);
        auto days = parse_day_key(key);
        if (!days) {
          doc.report(kv.first, kpath, days.error().message());
          continue;
        }
        auto windows = read_windows(doc, kv.second, kpath);
        if (!windows) continue;
        for (const int d : days->first) {
          const auto k = static_cast<std::size_t>(d);
          if (level[k] == days->second) {
            doc.report(kv.first, kpath,
                       "day '" + std::string(day_names[k]) + "' is already given by '" + set_by[k] + "'");
          } else if (level[k] < days->second) {
            week[k] = *windows;
            level[k] = days->second;
            set_by[k] = key;
          }
        }
      }
      spec.hours = week;
    }
  }

  if (const auto hol = node["holidays"]; hol && !hol.IsNull()) {
    const std::string hpath = join(path, "holidays");
    if (doc.is_list(hol, hpath)) {
      for (std::size_t i = 0; i < hol.size(); ++i) {
        const YAML::Node h = hol[i];
        const std::string p = detail::index(hpath, i);
        if (h.IsMap() && h["ics"]) {
          read_ics_entry(doc, h, p, base_dir, spec);
        } else if (h.IsMap() && h["start"]) {
          if (auto s = read_closed_span(doc, h, p)) spec.closed.push_back(std::move(*s));
        } else if (auto rule = read_holiday(doc, h, p)) {
          spec.holidays.push_back(std::move(*rule));
        }
      }
    }
  }

  if (const auto exc = node["exceptions"]; exc && !exc.IsNull()) {
    const std::string epath = join(path, "exceptions");
    if (exc.IsSequence()) {
      read_exception_list(doc, exc, epath, spec);
    } else if (doc.is_map(exc, epath)) {
      for (const auto& kv : exc) {
        const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
        const std::string kpath = join(epath, key);
        auto d = parse_date(key);
        if (!d) {
          doc.report(kv.first, kpath, d.error().message());
          continue;
        }
        std::optional<std::vector<window>> windows;
        if (kv.second.IsNull()) {
          windows.emplace();  // "2026-12-31:" with nothing: closed
        } else {
          windows = read_windows(doc, kv.second, kpath);
        }
        if (!windows) continue;
        if (!spec.exceptions.emplace(*d, std::move(*windows)).second)
          doc.report(kv.first, kpath, "date given twice");
      }
    }
  }
  if (doc.problem_count() != before) return std::nullopt;
  return spec;
}

}  // namespace detail

result<calendar_spec> parse_calendar_spec(std::string_view text, std::string_view source_name,
                                          const std::filesystem::path& base_dir) {
  detail::document doc(text, source_name);
  if (!doc.load()) return tl::unexpected(doc.make_error());
  auto spec = detail::read_calendar(doc, doc.root(), "", base_dir);
  if (!spec || !doc.ok()) return tl::unexpected(doc.make_error());
  return std::move(*spec);
}

result<calendar> parse_calendar(std::string_view text, std::string_view source_name,
                                const std::filesystem::path& base_dir) {
  auto spec = parse_calendar_spec(text, source_name, base_dir);
  if (!spec) return tl::unexpected(std::move(spec.error()));
  return calendar::make(std::move(*spec));
}

result<calendar> load_calendar(const std::filesystem::path& path) {
  auto text = detail::read_file(path);
  if (!text) return tl::unexpected(std::move(text.error()));
  return parse_calendar(*text, path.string(), path.parent_path());
}

namespace detail {

result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  const auto io_error = [&](std::string what) {
    diagnostic d;
    d.code = errc::io_error;
    d.message = std::move(what);
    d.file = path.string();
    return tl::unexpected(error(std::move(d)));
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return io_error("is a directory, not a file");
  if (!in) {
    const int e = errno;
    return io_error(e != 0 ? "cannot open the file for reading: " + std::string(std::strerror(e))
                           : std::string("cannot open the file for reading"));
  }
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return io_error("error while reading the file");
  return out.str();
}

}  // namespace detail

}  // namespace duly
