// Reading calendar documents (YAML or JSON) into a calendar_spec: the whole
// document, versions, exceptions in either form, closed spans and `{ics: PATH}`
// holiday entries (read by ics.cpp).
#include <duly/calendar.hpp>

#include <cctype>
#include <string>

#include "base/document.hpp"
#include "calendar/calendar_parse.hpp"
#include "calendar/ics.hpp"

namespace duly {

using namespace std::chrono;

namespace detail {

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
                       "day '" + std::string(day_key(static_cast<int>(k))) + "' is already given by '" + set_by[k] + "'");
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


}  // namespace duly
