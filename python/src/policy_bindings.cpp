// duly::policy and duly::evaluate on integer seconds and columns.
//
// `Policy` is an opaque, immutable handle on a compiled duly::policy (plus the
// name its source was read under, so that a copy re-parsed from `source` for
// pickling reports problems the same way).

#include "columns.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <duly/evaluate.hpp>
#include <duly/event.hpp>
#include <duly/io.hpp>
#include <duly/policy.hpp>

namespace duly::python {
namespace {

// --- conditions too long to evaluate -------------------------------------------
//
// The library evaluates a condition recursively, one stack frame per 'and' or
// 'or' of a chain (a chain compiles to a left-leaning tree), and its parser only
// bounds nesting ('not' and parentheses, 200 levels). A chain of some 40,000
// comparisons (a generated `a == 1 or a == 2 or ...`) parses, then overflows an
// 8 MiB stack (SIGSEGV) on the first event it is evaluated on, with no way for
// Python to catch it. So the Python boundary refuses such conditions when the
// policy is compiled: at most this many 'and'/'or' in one condition (with the
// 200 levels of nesting, some 1,200 frames of about 220 bytes: ~260 KiB, well
// within a main thread's 8 MiB and the default stack of Linux threads);
// `name in [...]` takes long lists of values.
constexpr std::size_t max_condition_operators = 1000;

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

// The 'and' and 'or' keywords of a condition's text (string literals skipped, as
// the condition lexer skips them).
std::size_t and_or_count(std::string_view s) {
  std::size_t n = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '"' || c == '\'') {
      ++i;
      while (i < s.size() && s[i] != c) i += s[i] == '\\' ? 2 : 1;
      ++i;
    } else if (is_word_char(c)) {
      const std::size_t start = i;
      while (i < s.size() && is_word_char(s[i])) ++i;
      const std::string_view word = s.substr(start, i - start);
      if (word == "and" || word == "or") ++n;
    } else {
      ++i;
    }
  }
  return n;
}

void check_conditions(const duly::policy& p, const std::string& source_name) {
  std::vector<diagnostic> problems;
  const auto check = [&](const condition& c, const std::string& path) {
    const std::size_t n = and_or_count(c.text());
    if (n <= max_condition_operators) return;
    diagnostic d;
    d.code = errc::parse_error;
    d.path = path;
    d.file = source_name;
    d.message = "condition too long: " + std::to_string(n) + " 'and'/'or' operators, at most " +
                std::to_string(max_condition_operators) + " (write a long list of values as name in [...])";
    problems.push_back(std::move(d));
  };
  const auto check_optional = [&](const std::optional<condition>& c, const std::string& path) {
    if (c) check(*c, path);
  };
  const auto& targets = p.targets();
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const target& t = targets[i];
    const std::string at = "targets[" + std::to_string(i) + "].";
    check_optional(t.applies_when, at + "applies_when");
    check(t.start_when, at + "start_when");
    check_optional(t.stop_when, at + "stop_when");
    check_optional(t.pause_when, at + "pause_when");
    check_optional(t.reset_when, at + "reset_when");
    check_optional(t.cancel_when, at + "cancel_when");
    check_optional(t.at_risk_when, at + "at_risk_when");
    for (std::size_t j = 0; j < t.goals.size(); ++j)
      if (t.goals[j].has_when) check(t.goals[j].when, at + "goals[" + std::to_string(j) + "].when");
  }
  const auto& escalations = p.escalations();
  for (std::size_t i = 0; i < escalations.size(); ++i) {
    const std::string at = "escalations[" + std::to_string(i) + "].";
    check_optional(escalations[i].when, at + "when");
    check_optional(escalations[i].raise_when, at + "raise_when");
  }
  if (!problems.empty()) raise(duly::error(std::move(problems)));
}

policy_handle parse(const std::string& text, const std::string& source_name) {
  auto r = [&] {
    py::gil_scoped_release release;
    return duly::parse_policy(text, source_name);
  }();
  policy_handle out{unwrap(std::move(r)), source_name};
  check_conditions(out.compiled, source_name);
  return out;
}

policy_handle load(const std::filesystem::path& path) {
  const std::optional<std::string> bytes = read_document(path);
  if (!bytes) {
    // Cannot be read: the library's loader says why, as the CLI does.
    auto r = [&] {
      py::gil_scoped_release release;
      return duly::load_policy(path);
    }();
    policy_handle out{unwrap(std::move(r)), path.string()};
    check_utf8(out.compiled.source(), out.source_name);
    check_conditions(out.compiled, out.source_name);
    return out;
  }
  check_utf8(*bytes, path.string());
  return parse(*bytes, path.string());
}

// Business time, row by row: the open seconds in [a[i], b[i]) of the calendar of
// goal goal_index[i] of target target_index[i] read in zone zones[zone[i]] (zone[i]
// < 0: none), which is the calendar the engine measures a cycle on
// (policy::goal_calendar: an empty or unknown zone, or a goal without
// timezone_from, keeps the calendar's own); goal_index[i] < 0 (no goal): 24x7,
// b - a. Counted as the engine counts (calendar::elapsed), with the GIL released.
py::array_t<i64> business_elapsed(const policy_handle& p, const i64_array& target_index, const i64_array& goal_index,
                                  const i64_array& zone, const py::list& zones, const i64_array& a,
                                  const i64_array& b) {
  const auto n = static_cast<std::size_t>(a.size());
  if (static_cast<std::size_t>(target_index.size()) != n || static_cast<std::size_t>(goal_index.size()) != n ||
      static_cast<std::size_t>(zone.size()) != n || static_cast<std::size_t>(b.size()) != n)
    raise(errc::invalid_argument, "target_index, goal_index, zone, a and b must have one element per row");
  std::vector<std::string_view> zone_names;
  zone_names.reserve(zones.size());
  for (std::size_t k = 0; k < zones.size(); ++k)
    zone_names.push_back(utf8(PyList_GET_ITEM(zones.ptr(), static_cast<Py_ssize_t>(k)), "zones", k));
  const auto& targets = p.compiled.targets();
  const i64* t = target_index.data();
  const i64* g = goal_index.data();
  const i64* z = zone.data();
  for (std::size_t i = 0; i < n; ++i) {
    if (g[i] < 0) continue;
    if (t[i] < 0 || static_cast<std::size_t>(t[i]) >= targets.size())
      raise(errc::invalid_argument, "target index " + std::to_string(t[i]) + " out of range", "target_index[" + std::to_string(i) + "]");
    if (static_cast<std::size_t>(g[i]) >= targets[static_cast<std::size_t>(t[i])].goals.size())
      raise(errc::invalid_argument, "goal index " + std::to_string(g[i]) + " out of range", "goal_index[" + std::to_string(i) + "]");
    if (z[i] >= static_cast<i64>(zone_names.size()))
      raise(errc::invalid_argument, "zone " + std::to_string(z[i]) + " out of range", "zone[" + std::to_string(i) + "]");
  }
  py::array_t<i64> out(static_cast<py::ssize_t>(n));
  i64* o = out.mutable_data();
  const i64* x = a.data();
  const i64* y = b.data();
  {
    py::gil_scoped_release release;
    // Rows come cycle by cycle: keep the last calendar, and the others by key.
    std::map<std::tuple<i64, i64, i64>, calendar> seen;
    std::tuple<i64, i64, i64> last_key{-1, -1, -2};
    const calendar* last = nullptr;
    for (std::size_t i = 0; i < n; ++i) {
      if (g[i] < 0) {
        o[i] = y[i] - x[i];
        continue;
      }
      const std::tuple<i64, i64, i64> key{t[i], g[i], z[i] < 0 ? -1 : z[i]};
      if (last == nullptr || key != last_key) {
        auto it = seen.find(key);
        if (it == seen.end()) {
          const goal& gl = targets[static_cast<std::size_t>(t[i])].goals[static_cast<std::size_t>(g[i])];
          const std::string_view name = z[i] < 0 ? std::string_view() : zone_names[static_cast<std::size_t>(z[i])];
          it = seen.emplace(key, p.compiled.goal_calendar(gl, name)).first;
        }
        last = &it->second;
        last_key = key;
      }
      o[i] = last->elapsed(instant{seconds{x[i]}}, instant{seconds{y[i]}}).count();
    }
  }
  return out;
}

py::list names_of(const auto& items) {
  py::list out;
  for (const auto& x : items) out.append(text(x.name));
  return out;
}

}  // namespace


void bind_policy(py::module_& m) {
  py::class_<policy_handle>(m, "Policy",
                            "A compiled policy (immutable, thread-safe). Build it with parse() or load().")
      .def_static("parse", &parse, py::arg("text"), py::arg("source_name") = std::string(),
                  "Parse and compile a YAML or JSON policy document (docs/policy.md).")
      .def_static("load", &load, py::arg("path"), "Read, parse and compile a policy file.")
      .def_property_readonly("target_names", [](const policy_handle& p) { return names_of(p.compiled.targets()); },
                             "Target names, in document order.")
      .def_property_readonly("escalation_names",
                             [](const policy_handle& p) { return names_of(p.compiled.escalations()); },
                             "Escalation names, in document order.")
      .def_property_readonly(
          "calendar_names",
          [](const policy_handle& p) {
            py::list out;
            for (const auto& name : p.compiled.calendar_names()) out.append(text(name));
            return out;
          },
          "Calendar names, in document order.")
      .def_property_readonly(
          "target_labels",
          [](const policy_handle& p) {
            py::list out;
            for (const auto& t : p.compiled.targets()) {
              py::dict labels;
              for (const auto& [key, value] : t.labels) labels[text(key)] = text(value);
              out.append(labels);
            }
            return out;
          },
          "Each target's labels, in document order.")
      .def_property_readonly(
          "escalation_targets",
          [](const policy_handle& p) {
            py::list out;
            for (const auto& e : p.compiled.escalations()) out.append(text(e.target));
            return out;
          },
          "The target of each escalation, in document order.")
      .def_property_readonly(
          "goal_timezones",
          [](const policy_handle& p) {
            py::list out;
            for (const auto& t : p.compiled.targets()) {
              py::list goals;
              for (const auto& g : t.goals) goals.append(text(g.timezone_from));
              out.append(goals);
            }
            return out;
          },
          "Per target, per goal: the timezone_from attribute ('' for none).")
      .def("_business_elapsed", &business_elapsed, py::arg("target_index"), py::arg("goal_index"), py::arg("zone"),
           py::arg("zones"), py::arg("a"), py::arg("b"),
           "Open seconds of [a, b) per row on the calendar of goal goal_index of target target_index, read in "
           "zone zones[zone] (-1: its own); goal_index -1: b - a. Releases the GIL.")
      .def_property_readonly(
          "fingerprint", [](const policy_handle& p) { return text(p.compiled.fingerprint()); },
          "A stable fingerprint of the source text (FNV-1a, hex).")
      .def_property_readonly(
          "source", [](const policy_handle& p) { return text(p.compiled.source()); }, "The source text.")
      .def_property_readonly(
          "source_name", [](const policy_handle& p) { return text(p.source_name); },
          "The name the source was read under (a file name, or empty).");
}

}  // namespace duly::python
