// (About 500 lines: one concern, an RFC 5545 event model over libical's C API; split, it would scatter.)
// iCalendar files as holidays and closed spans. libical parses (RFC 5545) and
// expands recurrence rules; this file bounds the work, finds line numbers for
// messages (libical keeps none), and turns each occurrence into duly's terms.
#include "calendar/ics.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <libical/ical.h>

#include "calendar/calendar_parse.hpp"

namespace duly::detail {

namespace {

using namespace std::chrono;

// The lines of the text where each component begins, for messages: libical
// reports no positions, but its components come in the order of their BEGIN
// lines, so the k-th VEVENT of the file is the k-th "BEGIN:VEVENT".
struct line_index {
  std::vector<int> event_lines;  // line of each BEGIN:VEVENT, in order
  std::vector<std::string_view> lines;
};

bool starts_with_nocase(std::string_view line, std::string_view prefix) {
  if (line.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(line[i])) != prefix[i]) return false;
  return true;
}

struct reader {
  std::string file;
  std::string path;
  std::vector<diagnostic> problems;
  line_index index;
  ics_contents out;
  std::size_t occurrences = 0;
  std::size_t rule_steps = 0;  // over every RRULE of the file
  bool stopped = false;  // a limit was hit: report it once and stop

  void report(int line, std::string message, errc code = errc::parse_error) {
    diagnostic d;
    d.code = code;
    d.message = std::move(message);
    d.path = path;
    d.file = file;
    d.line = line;
    if (line > 0 && static_cast<std::size_t>(line) <= index.lines.size())
      d.source_line = std::string(index.lines[static_cast<std::size_t>(line) - 1]);
    problems.push_back(std::move(d));
  }

  void limit(int line, std::string message) {
    report(line, std::move(message), errc::invalid_argument);
    stopped = true;
  }

  // Splits the text into lines and checks the nesting of BEGIN/END.
  bool scan(std::string_view text) {
    std::size_t pos = 0;
    int depth = 0;
    int line_no = 0;
    while (pos <= text.size()) {
      auto nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view line = text.substr(pos, nl - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      index.lines.push_back(line);
      ++line_no;
      if (starts_with_nocase(line, "BEGIN:")) {
        if (++depth > ics_max_depth) {
          limit(line_no, "components nest deeper than " + std::to_string(ics_max_depth) + " levels");
          return false;
        }
        if (starts_with_nocase(line, "BEGIN:VEVENT")) index.event_lines.push_back(line_no);
      } else if (starts_with_nocase(line, "END:")) {
        --depth;
      }
      pos = nl + 1;
    }
    return true;
  }

  // The line of the first `property` within the event that begins at `line`.
  int property_line(int line, std::string_view property) const {
    for (auto i = static_cast<std::size_t>(line); i < index.lines.size(); ++i) {
      const auto l = index.lines[i];
      if (starts_with_nocase(l, "END:VEVENT")) break;
      if (starts_with_nocase(l, property) && l.size() > property.size() &&
          (l[property.size()] == ':' || l[property.size()] == ';'))
        return static_cast<int>(i) + 1;
    }
    return line;
  }

  bool count_occurrence(int line) {
    if (++occurrences > ics_max_occurrences) {
      limit(line, "more than " + std::to_string(ics_max_occurrences) +
                      " occurrences over the supported years 1970 to 2199");
      return false;
    }
    return true;
  }
};

// How an event's times are read: in an IANA zone (read by duly's DST rule), as
// UTC, floating (the calendar's zone), or through a VTIMEZONE of the file that
// is not an IANA name (converted by libical to UTC).
struct event_zone {
  enum class kind { floating, utc, iana, vtimezone } type = kind::floating;
  std::string name;
  std::optional<time_zone> iana;  // kind::iana
  icaltimezone* ical = nullptr;   // kind::vtimezone
};

std::string tzid_of(icalproperty* prop) {
  if (!prop) return {};
  icalparameter* p = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
  const char* tz = p ? icalparameter_get_tzid(p) : nullptr;
  return tz ? tz : "";
}

std::optional<event_zone> zone_of(const icaltimetype& t, icalproperty* prop) {
  event_zone z;
  if (icaltime_is_utc(t)) {
    z.type = event_zone::kind::utc;
    return z;
  }
  const std::string tzid = tzid_of(prop);
  if (tzid.empty()) return z;  // floating
  if (auto found = time_zone::locate(tzid)) {
    z.type = event_zone::kind::iana;
    z.name = tzid;
    z.iana = std::move(*found);
    return z;
  }
  if (t.zone) {
    z.type = event_zone::kind::vtimezone;
    z.ical = const_cast<icaltimezone*>(t.zone);
    return z;
  }
  return std::nullopt;
}

local_seconds wall(const icaltimetype& t) {
  const auto d = local_days{year{t.year} / static_cast<unsigned>(t.month) / static_cast<unsigned>(t.day)};
  return d + hours{t.hour} + minutes{t.minute} + seconds{t.second};
}

int32_t day_number(const icaltimetype& t) {
  return static_cast<int32_t>(
      sys_days{year{t.year} / static_cast<unsigned>(t.month) / static_cast<unsigned>(t.day)}.time_since_epoch().count());
}

bool in_supported_years(const icaltimetype& t) { return t.year >= 1970 && t.year <= 2199; }

// libical takes DTSTART:20261345 as a date; duly does not.
bool is_real_time(const icaltimetype& t) {
  if (t.year < 1 || t.year > 9999 || t.month < 1 || t.month > 12 || t.day < 1) return false;
  if (!(year{t.year} / static_cast<unsigned>(t.month) / static_cast<unsigned>(t.day)).ok()) return false;
  return t.is_date || (t.hour >= 0 && t.hour < 24 && t.minute >= 0 && t.minute < 60 && t.second >= 0 && t.second <= 60);
}

// "Can't parse as RECUR value in RRULE property. ..." -> "RRULE".
std::string property_named_in(std::string_view message) {
  const auto end = message.find(" property");
  if (end == std::string_view::npos) return {};
  const auto start = message.rfind(' ', end - 1);
  return start == std::string_view::npos ? std::string() : std::string(message.substr(start + 1, end - start - 1));
}

// One VEVENT's occurrences as (start, end) in the event's own terms.
class event_reader {
 public:
  event_reader(reader& r, icalcomponent* ev, int line) : r_(r), ev_(ev), line_(line) {}

  // Excluded starts (EXDATE and overridden instances), in the event's terms.
  std::set<int64_t> excluded_times;
  std::set<int32_t> excluded_days;

  bool read() {
    icalproperty* start_prop = icalcomponent_get_first_property(ev_, ICAL_DTSTART_PROPERTY);
    if (!start_prop) {
      r_.report(line_, "VEVENT has no DTSTART");
      return false;
    }
    start_ = icalcomponent_get_dtstart(ev_);
    if (icaltime_is_null_time(start_) || !icaltime_is_valid_time(start_) || !is_real_time(start_)) {
      r_.report(r_.property_line(line_, "DTSTART"), "DTSTART is not a real date or time");
      return false;
    }
    all_day_ = start_.is_date != 0;
    if (!all_day_) {
      auto z = zone_of(start_, start_prop);
      if (!z) {
        r_.report(r_.property_line(line_, "DTSTART"),
                  "unknown time zone '" + tzid_of(start_prop) +
                      "': neither an IANA name nor a VTIMEZONE of the file");
        return false;
      }
      zone_ = *z;
    }
    const icaltimetype end = icalcomponent_get_dtend(ev_);
    if (!icaltime_is_null_time(end) && !is_real_time(end)) {
      r_.report(r_.property_line(line_, "DTEND"), "DTEND is not a real date or time");
      return false;
    }
    if (icaltime_is_null_time(end)) {
      length_ = all_day_ ? 86400 : 0;  // RFC 5545: a date lasts one day, a date-time an instant
    } else if (all_day_) {
      length_ = int64_t{day_number(end) - day_number(start_)} * 86400;
    } else if (zone_.type == event_zone::kind::vtimezone) {
      // Stored as UTC: the length in real seconds.
      const auto utc = icaltimezone_get_utc_timezone();
      length_ = static_cast<int64_t>(icaltime_as_timet_with_zone(end, end.zone ? end.zone : utc)) -
                static_cast<int64_t>(icaltime_as_timet_with_zone(start_, start_.zone ? start_.zone : utc));
    } else {
      // Stored as wall-clock times of the event's zone: DTEND read on that clock
      // (moved there when it names another zone or UTC).
      icalproperty* end_prop = icalcomponent_get_first_property(ev_, ICAL_DTEND_PROPERTY);
      const bool other_zone = end_prop && (tzid_of(end_prop) != tzid_of(start_prop) ||
                                           icaltime_is_utc(end) != icaltime_is_utc(start_));
      length_ = (wall(other_zone ? in_event_terms(end, end_prop) : end) - wall(start_)).count();
    }
    if (length_ < 0) {
      r_.report(r_.property_line(line_, "DTEND"), "DTEND is before DTSTART");
      return false;
    }
    const char* summary = icalcomponent_get_summary(ev_);
    name_ = summary ? summary : "";
    return true;
  }

  void exclude(const icaltimetype& t, icalproperty* prop) {
    if (t.is_date) {
      excluded_days.insert(day_number(t));
      return;
    }
    excluded_times.insert(key(t, prop));
  }

  void expand() {
    std::set<int64_t> seen;
    const auto occur = [&](const icaltimetype& t, std::optional<int64_t> length = std::nullopt) {
      if (r_.stopped || !in_supported_years(t)) return;
      if (!seen.insert(key_as_start(t)).second) return;
      add(t, length.value_or(length_));
    };
    occur(start_);
    for (icalproperty* p = icalcomponent_get_first_property(ev_, ICAL_RRULE_PROPERTY); p && !r_.stopped;
         p = icalcomponent_get_next_property(ev_, ICAL_RRULE_PROPERTY)) {
      const icalrecurrencetype rule = icalproperty_get_rrule(p);
      std::unique_ptr<icalrecur_iterator, void (*)(icalrecur_iterator*)> it(icalrecur_iterator_new(rule, start_),
                                                                            icalrecur_iterator_free);
      if (!it) {
        r_.report(r_.property_line(line_, "RRULE"), "invalid RRULE");
        continue;
      }
      // A rule without COUNT that starts before 1970 jumps to 1970 rather than
      // stepping through the centuries before it.
      if (start_.year < 1970 && rule.count == 0) {
        icaltimetype from = start_;
        from.year = 1970;
        from.month = 1;
        from.day = 1;
        (void)icalrecur_iterator_set_start(it.get(), from);
      }
      for (icaltimetype t = icalrecur_iterator_next(it.get()); !icaltime_is_null_time(t);
           t = icalrecur_iterator_next(it.get())) {
        if (t.year > 2199 || r_.stopped) break;
        if (++r_.rule_steps > ics_max_rule_steps) {
          r_.limit(r_.property_line(line_, "RRULE"), "the file's recurrence rules take more than " +
                                                         std::to_string(ics_max_rule_steps) + " steps");
          break;
        }
        t.zone = start_.zone;
        occur(t);
      }
    }
    for (icalproperty* p = icalcomponent_get_first_property(ev_, ICAL_RDATE_PROPERTY); p && !r_.stopped;
         p = icalcomponent_get_next_property(ev_, ICAL_RDATE_PROPERTY)) {
      const icaldatetimeperiodtype rd = icalproperty_get_rdate(p);
      if (!icaltime_is_null_time(rd.time)) {
        icaltimetype t = rd.time;
        if (!t.is_date && !icaltime_is_utc(t)) t.zone = start_.zone;
        occur(in_event_terms(t, p));
      } else if (!icaltime_is_null_time(rd.period.start)) {
        icaltimetype s = rd.period.start;
        icaltimetype e = rd.period.end;
        if (icaltime_is_null_time(e)) e = icaltime_add(s, rd.period.duration);
        const int64_t len = icaltime_as_timet(e) - icaltime_as_timet(s);
        occur(in_event_terms(s, p), std::max<int64_t>(len, 0));
      }
    }
  }

 private:
  // An RDATE/EXDATE in UTC or another zone, moved to the event's wall clock.
  [[nodiscard]] icaltimetype in_event_terms(icaltimetype t, icalproperty* prop) const {
    if (t.is_date || all_day_) return t;
    const int64_t k = key(t, prop);
    if (zone_.type == event_zone::kind::utc || zone_.type == event_zone::kind::vtimezone) {
      icaltimetype u = icaltime_from_timet_with_zone(static_cast<time_t>(k), 0, icaltimezone_get_utc_timezone());
      if (zone_.type == event_zone::kind::vtimezone) u = icaltime_convert_to_zone(u, zone_.ical);
      return u;
    }
    if (zone_.type == event_zone::kind::iana) {
      const auto local = zone_.iana->to_local(instant{seconds{k}});
      const auto d = floor<days>(local);
      const year_month_day ymd{sys_days{d.time_since_epoch()}};
      const hh_mm_ss hms{local - d};
      icaltimetype out = t;
      out.year = int{ymd.year()};
      out.month = static_cast<int>(unsigned{ymd.month()});
      out.day = static_cast<int>(unsigned{ymd.day()});
      out.hour = static_cast<int>(hms.hours().count());
      out.minute = static_cast<int>(hms.minutes().count());
      out.second = static_cast<int>(hms.seconds().count());
      out.zone = start_.zone;
      return out;
    }
    return t;
  }

  // A comparable key for a start time given in `prop` (EXDATE, RDATE,
  // RECURRENCE-ID): UTC seconds where the time is absolute, wall-clock seconds
  // for floating times. A time without TZID is in the event's own zone.
  [[nodiscard]] int64_t key(const icaltimetype& t, icalproperty* prop) const {
    if (icaltime_is_utc(t)) return icaltime_as_timet(t);
    if (const std::string tzid = tzid_of(prop); !tzid.empty()) {
      if (auto z = time_zone::locate(tzid)) return z->first_reach(wall(t)).time_since_epoch().count();
      if (t.zone) return icaltime_as_timet_with_zone(t, t.zone);
      if (zone_.type == event_zone::kind::vtimezone) return icaltime_as_timet_with_zone(t, zone_.ical);
    }
    return key_start(t);
  }

  [[nodiscard]] int64_t key_as_start(const icaltimetype& t) const {
    if (all_day_ || t.is_date) return day_number(t);
    return key_start(t);
  }

  [[nodiscard]] int64_t key_start(const icaltimetype& t) const {
    switch (zone_.type) {
      case event_zone::kind::utc: return icaltime_as_timet(t);
      case event_zone::kind::iana:
        return zone_.iana->first_reach(wall(t)).time_since_epoch().count();
      case event_zone::kind::vtimezone: return icaltime_as_timet_with_zone(t, zone_.ical);
      case event_zone::kind::floating: return wall(t).time_since_epoch().count();
    }
    return 0;
  }

  void add(const icaltimetype& t, int64_t length) {
    if (all_day_ || t.is_date) {
      const int32_t first = day_number(t);
      if (excluded_days.count(first)) return;
      const auto n = static_cast<int32_t>(std::max<int64_t>(1, (length + 86399) / 86400));
      for (int32_t d = first; d < first + n; ++d) {
        if (!r_.count_occurrence(line_)) return;
        holiday_rule h;
        h.type = holiday_rule::kind::date;
        h.name = name_;
        h.date = year_month_day{sys_days{days{d}}};
        if (h.date.year() >= year{1970} && h.date.year() <= year{2199}) r_.out.dates.push_back(std::move(h));
      }
      return;
    }
    if (excluded_days.count(day_number(t)) || excluded_times.count(key_start(t))) return;
    if (length == 0) return;  // an instant closes nothing
    if (!r_.count_occurrence(line_)) return;
    closed_span s;
    s.name = name_;
    switch (zone_.type) {
      case event_zone::kind::floating: break;
      case event_zone::kind::iana: s.timezone = zone_.name; break;
      case event_zone::kind::utc:
      case event_zone::kind::vtimezone: s.timezone = "UTC"; break;
    }
    if (zone_.type == event_zone::kind::vtimezone || zone_.type == event_zone::kind::utc) {
      s.start = local_seconds{seconds{key_start(t)}};
    } else {
      s.start = wall(t);
    }
    s.end = s.start + seconds{length};
    r_.out.spans.push_back(std::move(s));
  }

  reader& r_;
  icalcomponent* ev_;
  int line_;
  icaltimetype start_{};
  bool all_day_ = false;
  event_zone zone_;
  int64_t length_ = 0;
  std::string name_;
};

using component_ptr = std::unique_ptr<icalcomponent, void (*)(icalcomponent*)>;

}  // namespace

result<ics_contents> parse_ics(std::string_view text, const std::string& file, const std::string& element_path) {
  reader r;
  r.file = file;
  r.path = element_path;
  const auto fail_with_problems = [&]() -> result<ics_contents> { return tl::unexpected(error(std::move(r.problems))); };
  if (text.size() > ics_max_bytes) {
    r.limit(0, "the file has " + std::to_string(text.size()) + " bytes; iCalendar files over " +
                   std::to_string(ics_max_bytes >> 20) + " MiB are refused");
    return fail_with_problems();
  }
  if (text.find('\0') != std::string_view::npos) {
    r.report(0, "the file contains a NUL byte: not an iCalendar text file");
    return fail_with_problems();
  }
  if (!r.scan(text)) return fail_with_problems();

  icalerror_set_errors_are_fatal(0);
  const std::string owned(text);
  component_ptr root(icalparser_parse_string(owned.c_str()), icalcomponent_free);
  icalerror_clear_errno();
  if (!root || (icalcomponent_isa(root.get()) != ICAL_VCALENDAR_COMPONENT &&
                icalcomponent_isa(root.get()) != ICAL_XROOT_COMPONENT)) {
    r.report(1, "not an iCalendar file: expected BEGIN:VCALENDAR");
    return fail_with_problems();
  }
  std::vector<icalcomponent*> calendars;
  if (icalcomponent_isa(root.get()) == ICAL_VCALENDAR_COMPONENT) {
    calendars.push_back(root.get());
  } else {
    for (icalcomponent* c = icalcomponent_get_first_component(root.get(), ICAL_VCALENDAR_COMPONENT); c;
         c = icalcomponent_get_next_component(root.get(), ICAL_VCALENDAR_COMPONENT))
      calendars.push_back(c);
  }

  // Events in file order, each with its BEGIN line.
  struct event_at {
    icalcomponent* ev;
    int line;
  };
  std::vector<event_at> events;
  for (icalcomponent* cal : calendars) {
    for (icalproperty* p = icalcomponent_get_first_property(cal, ICAL_XLICERROR_PROPERTY); p;
         p = icalcomponent_get_next_property(cal, ICAL_XLICERROR_PROPERTY))
      r.report(0, icalproperty_get_xlicerror(p));
    for (icalcomponent* ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
         ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
      const std::size_t k = events.size();
      events.push_back({ev, k < r.index.event_lines.size() ? r.index.event_lines[k] : 0});
    }
  }

  // Instances that another event overrides (RECURRENCE-ID), by UID.
  std::map<std::string, std::vector<std::pair<icaltimetype, icalproperty*>>> overridden;
  for (const auto& e : events) {
    bool bad = false;
    for (icalproperty* p = icalcomponent_get_first_property(e.ev, ICAL_XLICERROR_PROPERTY); p;
         p = icalcomponent_get_next_property(e.ev, ICAL_XLICERROR_PROPERTY)) {
      const std::string m = icalproperty_get_xlicerror(p);
      const std::string prop = property_named_in(m);
      r.report(prop.empty() ? e.line : r.property_line(e.line, prop), m);
      bad = true;
    }
    if (bad) continue;
    if (icalproperty* rid = icalcomponent_get_first_property(e.ev, ICAL_RECURRENCEID_PROPERTY)) {
      const char* uid = icalcomponent_get_uid(e.ev);
      overridden[uid ? uid : ""].emplace_back(icalproperty_get_recurrenceid(rid), rid);
    }
  }
  if (!r.problems.empty()) return fail_with_problems();

  for (const auto& e : events) {
    if (r.stopped) break;
    if (icalcomponent_get_status(e.ev) == ICAL_STATUS_CANCELLED) continue;
    event_reader er(r, e.ev, e.line);
    if (!er.read()) continue;
    const bool is_override = icalcomponent_get_first_property(e.ev, ICAL_RECURRENCEID_PROPERTY) != nullptr;
    for (icalproperty* p = icalcomponent_get_first_property(e.ev, ICAL_EXDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(e.ev, ICAL_EXDATE_PROPERTY))
      er.exclude(icalproperty_get_exdate(p), p);
    if (!is_override) {
      const char* uid = icalcomponent_get_uid(e.ev);
      if (auto it = overridden.find(uid ? uid : ""); uid && it != overridden.end())
        for (const auto& [t, p] : it->second) er.exclude(t, p);
    }
    er.expand();
  }
  if (!r.problems.empty()) return fail_with_problems();
  return std::move(r.out);
}

result<ics_contents> read_ics(const std::filesystem::path& file, const std::string& element_path) {
  const auto refuse = [&](std::string message) -> result<ics_contents> {
    diagnostic d;
    d.code = errc::invalid_argument;
    d.message = std::move(message);
    d.path = element_path;
    d.file = file.string();
    return tl::unexpected(error(std::move(d)));
  };
  std::error_code ec;
  // Only regular files: a device or a pipe (/dev/zero, a FIFO) could be read forever.
  if (std::filesystem::exists(file, ec) && !std::filesystem::is_regular_file(file, ec))
    return refuse("not a regular file");
  const auto size = std::filesystem::file_size(file, ec);
  if (!ec && size > ics_max_bytes)
    return refuse("the file has " + std::to_string(size) + " bytes; iCalendar files over " +
                  std::to_string(ics_max_bytes >> 20) + " MiB are refused");
  auto text = read_file(file);
  if (!text) {
    auto ds = text.error().diagnostics();
    for (auto& d : ds) d.path = element_path;
    return tl::unexpected(error(std::move(ds)));
  }
  return parse_ics(*text, file.string(), element_path);
}

}  // namespace duly::detail
