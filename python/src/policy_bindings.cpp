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
      .def_property_readonly(
          "attribute_names", [](const policy_handle& p) { return p.compiled.slots().names(); },
          "The attribute names the policy reads (its conditions, start_at, timezone_from...).")
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
          "declared_attributes",
          [](const policy_handle& p) {
            py::list out;
            for (const auto& a : p.compiled.spec().attributes) {
              py::list values;
              for (const auto& v : a.values) values.append(text(v));
              out.append(py::make_tuple(text(a.name), text(std::string(to_string(a.type))), values));
            }
            return out;
          },
          "The declared attributes (`attributes:`), in document order: (name, type, values).")
      .def_property_readonly(
          "warnings",
          [](const policy_handle& p) {
            py::list out;
            for (const auto& d : p.compiled.warnings()) out.append(text(d.to_string()));
            return out;
          },
          "What compiling found doubtful, as 'file:line:column: path: message'.")
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
