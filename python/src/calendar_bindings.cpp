// duly::calendar on integer seconds, scalar and vectorised.
//
// Scalar calls take and return int64 seconds since the epoch (instants) and
// int64 seconds (durations). The *_many calls take flat, C-contiguous int64
// arrays (numpy datetime64[s] / timedelta64[s] viewed as int64, NaT being
// INT64_MIN) and run their loop with the GIL released: a calendar is immutable
// and safe to use from any number of threads at once.
#include "bindings.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <duly/calendar.hpp>

namespace duly::python {
namespace {

using i64 = std::int64_t;
using i64_array = py::array_t<i64, py::array::c_style>;

// numpy's NaT as an int64.
constexpr i64 nat = std::numeric_limits<i64>::min();

constexpr instant at(i64 t) { return instant{seconds{t}}; }
constexpr i64 count(instant t) { return t.time_since_epoch().count(); }

bool in_supported_range(i64 t) {
  return t >= count(min_supported_instant) && t < count(max_supported_instant);
}

std::string outside_range_message(i64 t) {
  return "instant " + (t >= -62135596800 && t < 253402300800 ? format_instant(at(t)) : std::to_string(t) + "s") +
         " is outside the supported range [" + format_instant(min_supported_instant) + ", " +
         format_instant(max_supported_instant) + ")";
}

void check_range(i64 t, const char* what) {
  if (!in_supported_range(t)) raise(errc::out_of_range, outside_range_message(t), what);
}

// --- calendar_spec as plain Python data -------------------------------------

const char* const weekday_keys[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

std::string date_text(std::chrono::year_month_day ymd) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

// "2026-03-08T01:00:00": a wall-clock time.
std::string local_text(std::chrono::local_seconds t) {
  return format_instant(instant{t.time_since_epoch()}).substr(0, 19);
}

std::string window_text(const window& w) { return w.start.to_string() + "-" + w.end.to_string(); }

py::list windows_list(const std::vector<window>& ws) {
  py::list out;
  for (const auto& w : ws) out.append(window_text(w));
  return out;
}

const char* observed_name(observed_rule r) {
  switch (r) {
    case observed_rule::none: return "none";
    case observed_rule::nearest_weekday: return "nearest_weekday";
    case observed_rule::next_weekday: return "next_weekday";
    case observed_rule::previous_weekday: return "previous_weekday";
    case observed_rule::substitute: return "substitute";
  }
  return "none";
}

py::dict holiday_dict(const holiday_rule& h) {
  py::dict d;
  d["name"] = text(h.name);
  switch (h.type) {
    case holiday_rule::kind::date:
      d["type"] = "date";
      d["date"] = date_text(h.date);
      break;
    case holiday_rule::kind::fixed_day:
      d["type"] = "fixed_day";
      d["month"] = h.month;
      d["day"] = h.day;
      d["observed"] = observed_name(h.observed);
      break;
    case holiday_rule::kind::nth_weekday:
      d["type"] = "nth_weekday";
      d["month"] = h.month;
      d["weekday"] = weekday_keys[h.weekday.c_encoding()];
      d["nth"] = h.nth;
      break;
    case holiday_rule::kind::easter:
      d["type"] = "easter";
      d["offset_days"] = h.offset_days;
      break;
  }
  d["since"] = h.since ? py::object(py::int_(int{*h.since})) : py::object(py::none());
  d["until"] = h.until ? py::object(py::int_(int{*h.until})) : py::object(py::none());
  return d;
}

// {"timezone": str, "hours": None | [7 lists of "HH:MM-HH:MM", Monday first],
//  "holidays": [dict], "exceptions": {"YYYY-MM-DD": [windows]}}
py::dict spec_dict(const calendar_spec& spec) {
  py::dict out;
  if (!spec.versions.empty()) {
    py::list versions;
    for (const auto& v : spec.versions) {
      py::dict d = spec_dict(v.calendar);
      d["from"] = date_text(std::chrono::year_month_day{v.from});
      versions.append(d);
    }
    out["versions"] = versions;
    return out;
  }
  out["timezone"] = text(spec.timezone);
  if (spec.hours) {
    py::list days;
    for (const auto& ws : *spec.hours) days.append(windows_list(ws));
    out["hours"] = days;
  } else {
    out["hours"] = py::none();
  }
  py::list holidays;
  for (const auto& h : spec.holidays) holidays.append(holiday_dict(h));
  out["holidays"] = holidays;
  py::dict exceptions;
  for (const auto& [day, ws] : spec.exceptions) {
    exceptions[py::str(date_text(std::chrono::year_month_day{day}))] = windows_list(ws);
  }
  out["exceptions"] = exceptions;
  py::list yearly;
  for (const auto& e : spec.yearly_exceptions) {
    py::dict d = holiday_dict(e.rule);
    d["hours"] = windows_list(e.hours);
    yearly.append(d);
  }
  out["yearly_exceptions"] = yearly;
  py::list closed;
  for (const auto& c : spec.closed) {
    py::dict d;
    d["name"] = text(c.name);
    d["timezone"] = text(c.timezone);
    d["start"] = local_text(c.start);
    d["end"] = local_text(c.end);
    closed.append(d);
  }
  out["closed"] = closed;
  return out;
}

// --- vectorised calls ---------------------------------------------------------

// The first failure of a loop, kept until the GIL is back.
struct element_failure {
  std::size_t index = 0;
  const char* argument = "";
  duly::error error{errc::invalid_argument, ""};
};

[[noreturn]] void raise_element(element_failure f) {
  std::vector<diagnostic> ds = f.error.diagnostics();
  const std::string path = std::string(f.argument) + "[" + std::to_string(f.index) + "]";
  for (auto& d : ds) d.path = d.path.empty() ? path : path + "." + d.path;
  raise(duly::error(std::move(ds)));
}

// Sizes must be equal, or one of them 1 (broadcast). Returns the result size.
std::size_t broadcast_size(const i64_array& a, const char* a_name, const i64_array& b, const char* b_name) {
  const auto n = static_cast<std::size_t>(a.size());
  const auto m = static_cast<std::size_t>(b.size());
  if (n == m || m == 1) return n;
  if (n == 1) return m;
  raise(errc::invalid_argument,
        std::string(a_name) + " has " + std::to_string(n) + " elements but " + b_name + " has " +
            std::to_string(m) + "; sizes must match or one must be a single value",
        b_name);
}

duly::error element_error(errc code, std::string message) { return duly::error(code, std::move(message)); }

i64_array add_many(const calendar& cal, const i64_array& starts, const i64_array& durations) {
  const std::size_t n = broadcast_size(starts, "starts", durations, "durations");
  i64_array out(static_cast<py::ssize_t>(n));
  const i64* s = starts.data();
  const i64* d = durations.data();
  const std::size_t s_step = starts.size() == 1 ? 0 : 1;
  const std::size_t d_step = durations.size() == 1 ? 0 : 1;
  i64* o = out.mutable_data();
  std::optional<element_failure> failure;
  {
    py::gil_scoped_release release;
    for (std::size_t i = 0; i < n; ++i) {
      const i64 t = s[i * s_step];
      const i64 dt = d[i * d_step];
      if (t == nat || dt == nat) {
        o[i] = nat;
        continue;
      }
      if (dt < 0) {
        failure = element_failure{i, "durations",
                                  element_error(errc::invalid_argument,
                                                "negative duration " + format_duration(seconds{dt}) +
                                                    ": add_many takes durations >= 0")};
        break;
      }
      if (!in_supported_range(t)) {
        failure = element_failure{i, "starts", element_error(errc::out_of_range, outside_range_message(t))};
        break;
      }
      auto r = cal.add(at(t), seconds{dt});
      if (!r) {
        // Out of range: a duration too long, or a deadline past the supported
        // years (the start was checked above); otherwise the calendar never opens.
        const char* argument = r.error().code() == errc::out_of_range ? "durations" : "starts";
        failure = element_failure{i, argument, std::move(r).error()};
        break;
      }
      o[i] = count(*r);
    }
  }
  if (failure) raise_element(std::move(*failure));
  return out;
}

i64_array elapsed_many(const calendar& cal, const i64_array& starts, const i64_array& ends) {
  const std::size_t n = broadcast_size(starts, "starts", ends, "ends");
  i64_array out(static_cast<py::ssize_t>(n));
  const i64* a = starts.data();
  const i64* b = ends.data();
  const std::size_t a_step = starts.size() == 1 ? 0 : 1;
  const std::size_t b_step = ends.size() == 1 ? 0 : 1;
  i64* o = out.mutable_data();
  std::optional<element_failure> failure;
  {
    py::gil_scoped_release release;
    for (std::size_t i = 0; i < n; ++i) {
      const i64 ta = a[i * a_step];
      const i64 tb = b[i * b_step];
      if (ta == nat || tb == nat) {
        o[i] = nat;
        continue;
      }
      if (!in_supported_range(ta)) {
        failure = element_failure{i, "starts", element_error(errc::out_of_range, outside_range_message(ta))};
        break;
      }
      if (!in_supported_range(tb)) {
        failure = element_failure{i, "ends", element_error(errc::out_of_range, outside_range_message(tb))};
        break;
      }
      auto r = cal.try_elapsed(at(ta), at(tb));
      if (!r) {
        failure = element_failure{i, "starts", std::move(r).error()};
        break;
      }
      o[i] = r->count();
    }
  }
  if (failure) raise_element(std::move(*failure));
  return out;
}

}  // namespace

void bind_calendar(py::module_& m) {
  py::class_<calendar>(m, "Calendar",
                       "A compiled business calendar on integer seconds (immutable, thread-safe).")
      .def(py::init<>(), "Open 24x7 in UTC.")
      .def_static(
          "parse",
          [](const std::string& text, const std::string& source_name, const std::filesystem::path& base_dir) {
            return unwrap(parse_calendar(text, source_name, base_dir));
          },
          py::arg("text"), py::arg("source_name") = std::string(), py::arg("base_dir") = std::filesystem::path(),
          "Parse a YAML or JSON calendar document; relative ics paths are read from base_dir (empty: the "
          "working directory).")
      .def_static(
          "load",
          [](const std::filesystem::path& path) {
            const std::optional<std::string> bytes = read_document(path);
            if (!bytes) return unwrap(load_calendar(path));  // reports why, as the CLI does
            check_utf8(*bytes, path.string());
            return unwrap(parse_calendar(*bytes, path.string(), path.parent_path()));
          },
          py::arg("path"), "Read and parse a calendar file (which must be UTF-8).")
      .def_property_readonly("timezone", [](const calendar& c) { return text(c.zone().name()); },
                             "The IANA name of the calendar's time zone.")
      .def("spec", [](const calendar& c) { return spec_dict(c.spec()); },
           "The calendar's validated definition as plain data.")
      .def(
          "holidays_in",
          [](const calendar& c, int y) {
            py::list out;
            for (const auto& d : c.holidays_in(std::chrono::year{y})) out.append(date_text(d));
            return out;
          },
          py::arg("year"), "The holiday dates of a local year after placement, as YYYY-MM-DD text.")
      .def(
          "with_timezone",
          [](const calendar& c, const std::string& name) {
            return c.with_zone(unwrap(time_zone::locate(name)));
          },
          py::arg("timezone"), "The same hours, holidays and exceptions read in another zone.")
      .def(
          "add",
          [](const calendar& c, i64 t, i64 d) {
            check_range(t, "t");
            if (d < 0) {
              raise(errc::invalid_argument,
                    "negative duration " + format_duration(seconds{d}) + ": add takes d >= 0; use subtract",
                    "d");
            }
            return count(unwrap(c.add(at(t), seconds{d})));
          },
          py::arg("t"), py::arg("d"), "Earliest T >= t with elapsed(t, T) == d (seconds).")
      .def(
          "subtract",
          [](const calendar& c, i64 t, i64 d) {
            check_range(t, "t");
            if (d < 0) {
              raise(errc::invalid_argument,
                    "negative duration " + format_duration(seconds{d}) + ": subtract takes d >= 0; use add",
                    "d");
            }
            return count(unwrap(c.subtract(at(t), seconds{d})));
          },
          py::arg("t"), py::arg("d"), "Latest t0 <= t with elapsed(t0, t) == d (seconds).")
      .def(
          "add_business_days",
          [](const calendar& c, i64 t, i64 n) {
            check_range(t, "t");
            if (n < 0) {
              raise(errc::invalid_argument,
                    "negative number of business days " + std::to_string(n) + ": n must be >= 0", "n");
            }
            return count(unwrap(c.add_business_days(at(t), n)));
          },
          py::arg("t"), py::arg("n"), "The last closing time of the n-th open day after t's local date.")
      .def(
          "add_calendar_days",
          [](const calendar& c, i64 t, i64 n) {
            check_range(t, "t");
            if (n < 0) {
              raise(errc::invalid_argument,
                    "negative number of calendar days " + std::to_string(n) + ": n must be >= 0", "n");
            }
            return count(unwrap(c.add_calendar_days(at(t), n)));
          },
          py::arg("t"), py::arg("n"), "t's wall-clock reading n local days later (first-reach rule across DST).")
      .def(
          "elapsed",
          [](const calendar& c, i64 a, i64 b) {
            check_range(a, "a");
            check_range(b, "b");
            return unwrap(c.try_elapsed(at(a), at(b))).count();
          },
          py::arg("a"), py::arg("b"), "Open seconds in [a, b); negative when b < a.")
      .def(
          "is_open",
          [](const calendar& c, i64 t) {
            check_range(t, "t");
            return c.is_open(at(t));
          },
          py::arg("t"), "Whether t is open time.")
      .def(
          "next_open",
          [](const calendar& c, i64 t) {
            check_range(t, "t");
            return count(unwrap(c.next_open(at(t))));
          },
          py::arg("t"), "Earliest open instant >= t.")
      .def(
          "next_close",
          [](const calendar& c, i64 t) {
            check_range(t, "t");
            return count(unwrap(c.next_close(at(t))));
          },
          py::arg("t"), "Earliest instant >= t that is not open.")
      .def(
          "open_intervals",
          [](const calendar& c, i64 from, i64 to) {
            check_range(from, "start");
            check_range(to, "end");
            std::vector<std::pair<i64, i64>> out;
            for (const auto& iv : unwrap(c.open_intervals(at(from), at(to)))) {
              out.emplace_back(count(iv.start), count(iv.end));
            }
            return out;
          },
          py::arg("start"), py::arg("end"), "The merged open intervals meeting [start, end), clipped to it.")
      .def("add_many", &add_many, py::arg("starts"), py::arg("durations"),
           "add() over flat int64 arrays (NaT = INT64_MIN passes through); releases the GIL.")
      .def("elapsed_many", &elapsed_many, py::arg("starts"), py::arg("ends"),
           "elapsed() over flat int64 arrays (NaT = INT64_MIN passes through); releases the GIL.");
}

}  // namespace duly::python
