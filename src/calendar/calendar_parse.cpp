// The pieces of calendar documents: windows, day keys, holiday rules and their
// years in force (calendar_document.cpp reads whole documents with them).
#include <duly/calendar.hpp>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "calendar/calendar_parse.hpp"
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

std::string_view day_key(int d) { return day_names[static_cast<std::size_t>(d)]; }

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
void read_years(document& doc, const YAML::Node& node, const std::string& path, holiday_rule& h) {
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

result<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  const auto io_error = [&](std::string what, errc code = errc::io_error) {
    diagnostic d;
    d.code = code;
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
  std::string out;
  std::string block(std::size_t{1} << 16, '\0');
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) break;
    if (const void* nul = std::memchr(block.data(), '\0', got); nul != nullptr)
      return io_error("not a text file: a NUL byte at byte " +
                          std::to_string(out.size() + static_cast<std::size_t>(static_cast<const char*>(nul) - block.data()) + 1),
                      errc::invalid_argument);
    if (out.size() + got > max_bytes)
      return io_error("larger than " + std::to_string(max_bytes >> 20) + " MiB: not a document this reads",
                      errc::invalid_argument);
    out.append(block.data(), got);
  }
  if (in.bad()) return io_error("error while reading the file");
  return out;
}

}  // namespace detail

}  // namespace duly
