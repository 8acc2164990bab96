// duly::policy and duly::evaluate on integer seconds and columns.
//
// `Policy` is an opaque, immutable handle on a compiled duly::policy (plus the
// name its source was read under, so that a copy re-parsed from `source` for
// pickling reports problems the same way).
//
// `evaluate` takes the events as columns, not as one Python object per event, so
// that the pure-Python layer can hand over whole DataFrame columns and the C++
// side never looks up attributes of Python objects per event:
//
//   ids        list of n str         (read only where `accepted` is true)
//   at         int64[n]              seconds since the epoch
//   names      list of n str         the event names
//   attributes list of (name, kind, values, rows[, order]) with `rows` None
//              (values has one value per event) or int64[k] (values[j] belongs
//              to event rows[j]; events that are not listed leave the attribute
//              alone), and `order` None or int64[k]: the rank of values[j] among
//              its event's updates (dicts: the key's position in the dict), so
//              that an event's updates keep the order of its keys, as the JSON
//              Lines reader keeps them (it shows in `explain`); without it, an
//              event's updates come in column order, as the CSV reader's do.
//              kind "object":  a list of None (clears the attribute), bool, int,
//                              float or str
//                   "number":  float64 array (NaN leaves the attribute alone)
//                   "boolean": bool array
//                   "instant": int64 seconds (INT64_MIN = NaT leaves it alone);
//                              stored as ISO-8601 text, as JSON Lines carry them
//   accepted   bool[n] or None       rows the Python layer rejected are skipped
//
// Row i becomes an event with sequence i (ties at one instant keep row order)
// and line i + 1. The events are evaluated with the GIL released; results come
// back as columns too (see `timer_columns`), instants and durations as int64 with
// INT64_MIN for null.
//
// `explain` takes the same columns plus a record id and an optional as_of (None:
// the record's latest event, as `duly explain` does) and returns that record's
// timeline as columns (`entry_columns`), its timers and firings, and the CLI's
// table and JSON Lines texts (write_explanation), all computed without the GIL.
#include "bindings.hpp"

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

using i64 = std::int64_t;
using i64_array = py::array_t<i64, py::array::c_style | py::array::forcecast>;
using f64_array = py::array_t<double, py::array::c_style | py::array::forcecast>;
using bool_array = py::array_t<bool, py::array::c_style | py::array::forcecast>;

// Null instants and durations in the int64 columns (numpy's NaT).
constexpr i64 null_i64 = std::numeric_limits<i64>::min();

struct policy_handle {
  duly::policy compiled;
  std::string source_name;
};

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

// --- events in ------------------------------------------------------------------

std::string single_quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string_view utf8(PyObject* o, const char* column, std::size_t row) {
  if (!PyUnicode_Check(o)) {
    raise(errc::invalid_argument,
          std::string("expected str, got ") + Py_TYPE(o)->tp_name,
          std::string(column) + "[" + std::to_string(row) + "]");
  }
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(o, &size);
  if (data == nullptr) {
    // A lone surrogate (the Python layer rejects such rows before they get here).
    PyErr_Clear();
    raise(errc::invalid_argument, "not valid Unicode text (a lone surrogate)",
          std::string(column) + "[" + std::to_string(row) + "]");
  }
  return {data, static_cast<std::size_t>(size)};
}

[[noreturn]] void bad_cell(const std::string& attribute, std::size_t row, const std::string& why) {
  raise(errc::invalid_argument, "attribute " + single_quoted(attribute) + ": " + why, "events[" + std::to_string(row) + "]");
}

// The value of one cell of an "object" column. The Python layer has already
// turned everything else into these types (or rejected the row).
owned_value object_value(PyObject* o, const std::string& attribute, std::size_t row) {
  const auto bad = [&](const std::string& why) { bad_cell(attribute, row, why); };
  if (o == Py_None) return owned_value();
  if (PyBool_Check(o)) return owned_value(value::boolean(o == Py_True));
  if (PyUnicode_Check(o)) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(o, &size);
    if (data == nullptr) {
      PyErr_Clear();
      bad("not valid Unicode text (a lone surrogate)");
    }
    return owned_value(value::string(std::string_view(data, static_cast<std::size_t>(size))));
  }
  if (PyFloat_Check(o)) {
    const double d = PyFloat_AS_DOUBLE(o);
    if (!std::isfinite(d)) bad("not a finite number");
    return owned_value(value::number(d));
  }
  if (PyLong_Check(o)) {
    const double d = PyLong_AsDouble(o);
    if (d == -1.0 && PyErr_Occurred()) {
      PyErr_Clear();
      bad("integer too large");
    }
    return owned_value(value::number(d));
  }
  bad_cell(attribute, row, std::string("unsupported value of type ") + Py_TYPE(o)->tp_name);
}

std::vector<event> build_events(const py::list& ids, const i64_array& at, const py::list& names,
                                const py::list& attributes, const py::object& accepted_arg) {
  const std::size_t n = ids.size();
  if (static_cast<std::size_t>(at.size()) != n || names.size() != n) {
    raise(errc::invalid_argument, "ids, at and names must have one element per event (" + std::to_string(n) + ", " +
                                      std::to_string(at.size()) + ", " + std::to_string(names.size()) + ")");
  }
  std::vector<char> accepted(n, 1);
  if (!accepted_arg.is_none()) {
    const auto mask = accepted_arg.cast<bool_array>();
    if (static_cast<std::size_t>(mask.size()) != n) raise(errc::invalid_argument, "accepted must have one element per event");
    const bool* m = mask.data();
    for (std::size_t i = 0; i < n; ++i) accepted[i] = m[i] ? 1 : 0;
  }

  std::vector<event> all(n);
  const i64* t = at.data();
  for (std::size_t i = 0; i < n; ++i) {
    if (!accepted[i]) continue;
    event& e = all[i];
    e.id = std::string(utf8(PyList_GET_ITEM(ids.ptr(), static_cast<Py_ssize_t>(i)), "ids", i));
    e.at = instant{seconds{t[i]}};
    e.name = std::string(utf8(PyList_GET_ITEM(names.ptr(), static_cast<Py_ssize_t>(i)), "names", i));
    e.sequence = i;
    e.line = i + 1;
  }

  const auto column_of = [](py::handle item) {
    auto column = item.cast<py::tuple>();
    if (column.size() != 4 && column.size() != 5)
      raise(errc::invalid_argument, "an attribute column is (name, kind, values, rows[, order])");
    return column;
  };
  // With an `order` on some column, each event's updates are put in the order of
  // their ranks (as the keys of a JSON line), not in column order.
  bool ordered = false;
  for (const py::handle item : attributes) {
    const auto column = column_of(item);
    if (column.size() == 5 && !column[4].is_none()) ordered = true;
  }
  // (event, rank) of every update, in the order pushed: per event, the order of
  // its updates.
  std::vector<std::pair<std::size_t, i64>> ranked;

  for (const py::handle item : attributes) {
    const auto column = column_of(item);
    if (!PyUnicode_Check(column[0].ptr()) || !PyUnicode_Check(column[1].ptr()))
      raise(errc::invalid_argument, "an attribute column's name and kind must be str");
    const auto name = std::string(utf8(column[0].ptr(), "attribute names", 0));
    const auto kind = std::string(utf8(column[1].ptr(), "attribute kinds", 0));
    const py::object values = column[2];
    const py::object rows_arg = column[3];

    std::optional<i64_array> rows;
    std::size_t k = n;
    if (!rows_arg.is_none()) {
      rows = rows_arg.cast<i64_array>();
      k = static_cast<std::size_t>(rows->size());
    }
    const i64* r = rows ? rows->data() : nullptr;
    std::optional<i64_array> order;
    if (column.size() == 5 && !column[4].is_none()) {
      order = column[4].cast<i64_array>();
      if (static_cast<std::size_t>(order->size()) != k)
        raise(errc::invalid_argument, "order must have one element per row", "order of " + name);
    }
    const i64* o = order ? order->data() : nullptr;
    // Calls f(j, row, event) for every cell j that belongs to an accepted event.
    const auto for_each_cell = [&](auto&& f) {
      for (std::size_t j = 0; j < k; ++j) {
        std::size_t row = j;
        if (r != nullptr) {
          if (r[j] < 0 || static_cast<std::size_t>(r[j]) >= n)
            raise(errc::invalid_argument, "row " + std::to_string(r[j]) + " out of range", "rows of " + name);
          row = static_cast<std::size_t>(r[j]);
        }
        if (!accepted[row]) continue;
        event& e = all[row];
        const std::size_t before = e.updates.size();
        f(j, row, e);
        if (ordered && e.updates.size() != before)
          ranked.emplace_back(row, o != nullptr ? o[j] : std::numeric_limits<i64>::max());
      }
    };
    const auto check_size = [&](std::size_t size) {
      if (size != k)
        raise(errc::invalid_argument,
              "attribute " + single_quoted(name) + " has " + std::to_string(size) + " values for " + std::to_string(k) + " rows");
    };

    if (kind == "object") {
      if (!PyList_Check(values.ptr())) raise(errc::invalid_argument, "an object column must be a list", name);
      check_size(static_cast<std::size_t>(PyList_GET_SIZE(values.ptr())));
      for_each_cell([&](std::size_t j, std::size_t row, event& e) {
        e.updates.push_back(
            attribute_update{name, object_value(PyList_GET_ITEM(values.ptr(), static_cast<Py_ssize_t>(j)), name, row)});
      });
    } else if (kind == "number") {
      const auto a = values.cast<f64_array>();
      check_size(static_cast<std::size_t>(a.size()));
      const double* v = a.data();
      for_each_cell([&](std::size_t j, std::size_t row, event& e) {
        if (std::isnan(v[j])) return;
        if (!std::isfinite(v[j])) bad_cell(name, row, "not a finite number");
        e.updates.push_back(attribute_update{name, owned_value(value::number(v[j]))});
      });
    } else if (kind == "boolean") {
      const auto a = values.cast<bool_array>();
      check_size(static_cast<std::size_t>(a.size()));
      const bool* v = a.data();
      for_each_cell([&](std::size_t j, std::size_t, event& e) {
        e.updates.push_back(attribute_update{name, owned_value(value::boolean(v[j]))});
      });
    } else if (kind == "instant") {
      const auto a = values.cast<i64_array>();
      check_size(static_cast<std::size_t>(a.size()));
      const i64* v = a.data();
      for_each_cell([&](std::size_t j, std::size_t, event& e) {
        if (v[j] == null_i64) return;
        const std::string text = format_instant(instant{seconds{v[j]}});
        e.updates.push_back(attribute_update{name, owned_value(value::string(text))});
      });
    } else {
      raise(errc::invalid_argument,
            "unknown column kind " + single_quoted(kind) + " (expected object, number, boolean or instant)", name);
    }
  }

  if (ordered) {
    // Each event's ranks, contiguous: event i's are ranks[start[i] .. start[i + 1]).
    std::vector<std::size_t> start(n + 1, 0);
    for (const auto& [row, rank] : ranked) ++start[row + 1];
    for (std::size_t i = 0; i < n; ++i) start[i + 1] += start[i];
    std::vector<i64> ranks(ranked.size());
    {
      std::vector<std::size_t> next(start.begin(), start.end() - 1);
      for (const auto& [row, rank] : ranked) ranks[next[row]++] = rank;
    }
    std::vector<std::size_t> perm;
    std::vector<attribute_update> sorted;
    for (std::size_t i = 0; i < n; ++i) {
      auto& updates = all[i].updates;
      const i64* rank = ranks.data() + start[i];
      const std::size_t m = start[i + 1] - start[i];
      if (m < 2 || std::is_sorted(rank, rank + m)) continue;
      perm.resize(m);
      std::iota(perm.begin(), perm.end(), std::size_t{0});
      std::stable_sort(perm.begin(), perm.end(), [&](std::size_t a, std::size_t b) { return rank[a] < rank[b]; });
      sorted.clear();
      for (const std::size_t j : perm) sorted.push_back(std::move(updates[j]));
      updates.swap(sorted);
    }
  }

  std::vector<event> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    if (accepted[i]) out.push_back(std::move(all[i]));
  return out;
}

// --- events in, as a DataFrame's columns ----------------------------------------
//
// The DataFrame path hands over whole columns, strings as tables of distinct
// values with int64 codes per row (pandas factorize / categorical codes), so
// each distinct string is read once:
//
//   ids, names  (codes int64[n], values list of str); row i is values[codes[i]]
//   at          int64[n] seconds
//   attributes  list of (name, kind, values, codes):
//       "values":  values a list of None (clears), bool, int, float or str;
//                  codes int64[n], values[codes[i]] for row i, -1 = no change
//       "number":  values float64[n], NaN = no change; codes None
//       "instant": values int64[n] seconds, INT64_MIN = no change; codes None;
//                  set as ISO-8601 UTC text, as JSON Lines carry instants
//   accepted    bool[n] or None: rows the Python layer rejected are skipped
//
// The columns are read into a duly::event_columns (views into the Python
// objects, which the caller holds for the whole call) and evaluated with the GIL
// released; no Python object is touched per row.

// "2026-11-23T15:30:00Z" for years 0001 to 9999, written by hand: format_instant
// goes through snprintf, ten times slower, and this runs once per cell.
void write_instant(i64 s, char* out) {
  const i64 day = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
  const i64 tod = s - day * 86400;
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  const auto put = [&](int at, unsigned v, int width) {
    for (int k = width - 1; k >= 0; --k, v /= 10) out[at + k] = static_cast<char>('0' + v % 10);
  };
  put(0, static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
  out[4] = '-';
  put(5, static_cast<unsigned>(ymd.month()), 2);
  out[7] = '-';
  put(8, static_cast<unsigned>(ymd.day()), 2);
  out[10] = 'T';
  put(11, static_cast<unsigned>(tod / 3600), 2);
  out[13] = ':';
  put(14, static_cast<unsigned>(tod / 60 % 60), 2);
  out[16] = ':';
  put(17, static_cast<unsigned>(tod % 60), 2);
  out[19] = 'Z';
}
constexpr std::size_t instant_text_size = 20;

struct frame_events {
  std::vector<std::string_view> id_values, name_values;
  std::vector<instant> at;
  std::vector<std::uint8_t> skip;
  std::vector<std::string> names;                 // attribute names
  std::vector<std::vector<value>> values;         // per attribute
  std::vector<std::vector<i64>> own_codes;        // per attribute, when made here
  std::vector<std::span<const i64>> codes;        // per attribute
  std::vector<std::unique_ptr<char[]>> texts;     // instant texts
  std::vector<event_columns::attribute> attributes;
  std::vector<py::object> keep;                   // arrays read in place
  std::span<const i64> id, name;
  event_columns view() const {
    event_columns c;
    c.id_values = id_values;
    c.id = id;
    c.at = at;
    c.name_values = name_values;
    c.name = name;
    c.skip = skip;
    c.attributes = attributes;
    return c;
  }
};

std::span<const i64> keep_i64(frame_events& f, const py::handle& o, std::size_t n, const std::string& what) {
  auto a = py::reinterpret_borrow<py::object>(o).cast<i64_array>();
  if (static_cast<std::size_t>(a.size()) != n)
    raise(errc::invalid_argument, what + " must have one element per row (" + std::to_string(n) + "), got " +
                                      std::to_string(a.size()));
  std::span<const i64> out(a.data(), n);
  f.keep.push_back(std::move(a));
  return out;
}

std::vector<std::string_view> utf8_values(const py::handle& list, const char* what) {
  if (!PyList_Check(list.ptr())) raise(errc::invalid_argument, std::string(what) + " values must be a list");
  const auto k = static_cast<std::size_t>(PyList_GET_SIZE(list.ptr()));
  std::vector<std::string_view> out(k);
  for (std::size_t j = 0; j < k; ++j) out[j] = utf8(PyList_GET_ITEM(list.ptr(), static_cast<Py_ssize_t>(j)), what, j);
  return out;
}

// codes[i] must index `size` values for every row that is not skipped.
void check_codes(const frame_events& f, std::span<const i64> codes, std::size_t size, i64 lowest,
                 const std::string& what) {
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (!f.skip.empty() && f.skip[i] != 0) continue;
    if (codes[i] < lowest || codes[i] >= static_cast<i64>(size))
      raise(errc::invalid_argument, "code " + std::to_string(codes[i]) + " out of range", what + "[" + std::to_string(i) + "]");
  }
}

// encode_column(cells, missing_types) -> (codes int64[n], distinct list, all_text)
//
// Dictionary-encodes an object column in one pass (pandas' factorize takes two
// and merges values that compare equal across types: True, 1 and 1.0). Cells
// that are None, a float NaN or of one of `missing_types` (pd.NA's, pd.NaT's
// types) get code -1. str cells are merged by their text; any other object is
// its own entry, merged only with itself, for the Python layer to judge.
// `all_text` says whether every entry is a str whose UTF-8 form could be read
// (a lone surrogate cannot be: such a str is its own entry too).
class text_table {
 public:
  explicit text_table(std::size_t hint) {
    std::size_t capacity = 64;
    while (capacity < hint * 2) capacity *= 2;
    slots_.assign(capacity, -1);
    mask_ = capacity - 1;
  }
  // The index of `s` among the texts seen so far, adding it as `next` if new.
  i64 find_or_add(std::string_view s, i64 next) {
    std::size_t h = std::hash<std::string_view>{}(s) & mask_;
    while (true) {
      const i64 k = slots_[h];
      if (k < 0) break;
      if (texts_[static_cast<std::size_t>(k)].first == s) return texts_[static_cast<std::size_t>(k)].second;
      h = (h + 1) & mask_;
    }
    slots_[h] = static_cast<i64>(texts_.size());
    texts_.emplace_back(s, next);
    if (texts_.size() * 2 > slots_.size()) grow();
    return next;
  }

 private:
  void grow() {
    slots_.assign(slots_.size() * 2, -1);
    mask_ = slots_.size() - 1;
    for (std::size_t k = 0; k < texts_.size(); ++k) {
      std::size_t h = std::hash<std::string_view>{}(texts_[k].first) & mask_;
      while (slots_[h] >= 0) h = (h + 1) & mask_;
      slots_[h] = static_cast<i64>(k);
    }
  }
  std::vector<i64> slots_;
  std::vector<std::pair<std::string_view, i64>> texts_;
  std::size_t mask_ = 0;
};

py::tuple encode_column(const py::array& cells, const py::tuple& missing_types) {
  if (cells.ndim() != 1 || cells.dtype().kind() != 'O' || !(cells.flags() & py::array::c_style))
    raise(errc::invalid_argument, "expected a contiguous one-dimensional object array", "cells");
  const auto n = static_cast<std::size_t>(cells.size());
  auto* const* data = static_cast<PyObject* const*>(cells.data());
  std::vector<PyTypeObject*> missing;
  for (const py::handle t : missing_types)
    if (PyType_Check(t.ptr())) missing.push_back(reinterpret_cast<PyTypeObject*>(t.ptr()));

  py::array_t<i64> codes(static_cast<py::ssize_t>(n));
  i64* c = codes.mutable_data();
  py::list distinct;
  bool all_text = true;
  text_table texts(std::min<std::size_t>(n, 1u << 16));
  std::unordered_map<PyObject*, i64> others;
  PyObject* previous = nullptr;
  i64 previous_code = -1;
  for (std::size_t i = 0; i < n; ++i) {
    PyObject* o = data[i];
    if (o == previous) {  // runs of one object are common (repeated values)
      c[i] = previous_code;
      continue;
    }
    i64 code = -1;
    if (PyUnicode_Check(o)) {
      Py_ssize_t size = 0;
      const char* utf8_data = PyUnicode_AsUTF8AndSize(o, &size);
      if (utf8_data != nullptr) {
        const auto next = static_cast<i64>(PyList_GET_SIZE(distinct.ptr()));
        code = texts.find_or_add(std::string_view(utf8_data, static_cast<std::size_t>(size)), next);
        if (code == next) distinct.append(o);
      } else {
        PyErr_Clear();  // a lone surrogate: the Python layer says so
        all_text = false;
        auto [it, fresh] = others.try_emplace(o, static_cast<i64>(PyList_GET_SIZE(distinct.ptr())));
        if (fresh) distinct.append(o);
        code = it->second;
      }
    } else if (o == Py_None || (PyFloat_Check(o) && std::isnan(PyFloat_AS_DOUBLE(o))) ||
               std::find(missing.begin(), missing.end(), Py_TYPE(o)) != missing.end()) {
      code = -1;
    } else {
      all_text = false;
      auto [it, fresh] = others.try_emplace(o, static_cast<i64>(PyList_GET_SIZE(distinct.ptr())));
      if (fresh) distinct.append(o);
      code = it->second;
    }
    c[i] = code;
    previous = o;
    previous_code = code;
  }
  return py::make_tuple(std::move(codes), std::move(distinct), all_text);
}

std::unique_ptr<frame_events> read_frame(const py::tuple& ids, const i64_array& at, const py::tuple& names,
                                         const py::list& attributes, const py::object& accepted) {
  auto f = std::make_unique<frame_events>();
  const auto n = static_cast<std::size_t>(at.size());
  if (n >= std::numeric_limits<std::uint32_t>::max()) raise(errc::invalid_argument, "too many rows", "events");
  if (ids.size() != 2 || names.size() != 2) raise(errc::invalid_argument, "ids and names are (codes, values)");
  if (!accepted.is_none()) {
    const auto mask = accepted.cast<bool_array>();
    if (static_cast<std::size_t>(mask.size()) != n) raise(errc::invalid_argument, "accepted must have one element per row");
    f->skip.resize(n);
    const bool* m = mask.data();
    for (std::size_t i = 0; i < n; ++i) f->skip[i] = m[i] ? 0 : 1;
  }
  f->id = keep_i64(*f, ids[0], n, "id codes");
  f->id_values = utf8_values(ids[1], "ids");
  check_codes(*f, f->id, f->id_values.size(), 0, "ids");
  f->name = keep_i64(*f, names[0], n, "name codes");
  f->name_values = utf8_values(names[1], "names");
  check_codes(*f, f->name, f->name_values.size(), 0, "names");
  f->at.resize(n);
  const i64* t = at.data();
  for (std::size_t i = 0; i < n; ++i) f->at[i] = instant{seconds{t[i]}};

  const std::size_t columns = attributes.size();
  f->names.resize(columns);
  f->values.resize(columns);
  f->own_codes.resize(columns);
  f->codes.resize(columns);
  for (std::size_t c = 0; c < columns; ++c) {
    const auto column = attributes[c].cast<py::tuple>();
    if (column.size() != 4) raise(errc::invalid_argument, "an attribute column is (name, kind, values, codes)");
    const auto name = std::string(utf8(column[0].ptr(), "attribute names", c));
    const auto kind = std::string(utf8(column[1].ptr(), "attribute kinds", c));
    f->names[c] = name;
    auto& values = f->values[c];
    auto& own = f->own_codes[c];
    const auto skipped = [&](std::size_t i) { return !f->skip.empty() && f->skip[i] != 0; };
    if (kind == "values") {
      const py::handle list = column[2];
      if (!PyList_Check(list.ptr())) raise(errc::invalid_argument, "a values column must be a list", name);
      const auto k = static_cast<std::size_t>(PyList_GET_SIZE(list.ptr()));
      values.resize(k);
      for (std::size_t j = 0; j < k; ++j) {
        PyObject* o = PyList_GET_ITEM(list.ptr(), static_cast<Py_ssize_t>(j));
        if (o == Py_None) values[j] = value::null();
        else if (PyBool_Check(o)) values[j] = value::boolean(o == Py_True);
        else if (PyUnicode_Check(o)) values[j] = value::string(utf8(o, name.c_str(), j));
        else if (PyFloat_Check(o) || PyLong_Check(o)) {
          const double d = PyFloat_Check(o) ? PyFloat_AS_DOUBLE(o) : PyLong_AsDouble(o);
          if (d == -1.0 && PyErr_Occurred()) {
            PyErr_Clear();
            raise(errc::invalid_argument, "integer too large", name + "[" + std::to_string(j) + "]");
          }
          if (!std::isfinite(d)) raise(errc::invalid_argument, "not a finite number", name + "[" + std::to_string(j) + "]");
          values[j] = value::number(d);
        } else {
          raise(errc::invalid_argument, std::string("unsupported value of type ") + Py_TYPE(o)->tp_name,
                name + "[" + std::to_string(j) + "]");
        }
      }
      f->codes[c] = keep_i64(*f, column[3], n, "codes of " + name);
      check_codes(*f, f->codes[c], k, -1, name);
    } else if (kind == "number") {
      const auto a = column[2].cast<f64_array>();
      if (static_cast<std::size_t>(a.size()) != n) raise(errc::invalid_argument, "one value per row", name);
      const double* v = a.data();
      values.resize(n);
      own.assign(n, -1);
      for (std::size_t i = 0; i < n; ++i) {
        if (std::isnan(v[i]) || skipped(i)) continue;
        if (!std::isfinite(v[i])) raise(errc::invalid_argument, "not a finite number", name + "[" + std::to_string(i) + "]");
        values[i] = value::number(v[i]);
        own[i] = static_cast<i64>(i);
      }
      f->codes[c] = own;
    } else if (kind == "instant") {
      const auto a = column[2].cast<i64_array>();
      if (static_cast<std::size_t>(a.size()) != n) raise(errc::invalid_argument, "one value per row", name);
      const i64* v = a.data();
      values.resize(n);
      own.assign(n, -1);
      auto text = std::make_unique<char[]>(n * instant_text_size);
      constexpr i64 year_1 = -62135596800;     // 0001-01-01T00:00:00Z
      constexpr i64 year_10000 = 253402300800;  // 10000-01-01T00:00:00Z
      for (std::size_t i = 0; i < n; ++i) {
        if (v[i] == null_i64 || skipped(i)) continue;
        if (v[i] < year_1 || v[i] >= year_10000)
          raise(errc::invalid_argument, "instant outside the years 0001 to 9999", name + "[" + std::to_string(i) + "]");
        char* out = text.get() + i * instant_text_size;
        write_instant(v[i], out);
        values[i] = value::string(std::string_view(out, instant_text_size));
        own[i] = static_cast<i64>(i);
      }
      f->texts.push_back(std::move(text));
      f->codes[c] = own;
    } else {
      raise(errc::invalid_argument,
            "unknown column kind " + single_quoted(kind) + " (expected values, number or instant)", name);
    }
  }
  f->attributes.resize(columns);
  for (std::size_t c = 0; c < columns; ++c)
    f->attributes[c] = event_columns::attribute{f->names[c], f->values[c], f->codes[c]};
  return f;
}

// The events of a frame one by one (for explain, which traces their updates in
// column order, as the CSV reader lists a line's).
std::vector<event> frame_event_list(const frame_events& f) {
  const event_columns c = f.view();
  std::vector<event> out;
  out.reserve(c.at.size());
  for (std::size_t i = 0; i < c.at.size(); ++i) {
    if (!c.skip.empty() && c.skip[i] != 0) continue;
    event e;
    e.id = std::string(c.id_values[static_cast<std::size_t>(c.id[i])]);
    e.at = c.at[i];
    e.name = std::string(c.name_values[static_cast<std::size_t>(c.name[i])]);
    e.sequence = i;
    e.line = i + 1;
    for (const auto& a : c.attributes) {
      const i64 code = a.codes[i];
      if (code >= 0) e.updates.push_back(attribute_update{std::string(a.name), owned_value(a.values[static_cast<std::size_t>(code)])});
    }
    out.push_back(std::move(e));
  }
  return out;
}

// --- results out -----------------------------------------------------------------

i64 count(instant t) { return t.time_since_epoch().count(); }
i64 or_null(const std::optional<instant>& t) { return t ? count(*t) : null_i64; }
i64 or_null(const std::optional<seconds>& d) { return d ? d->count() : null_i64; }

// Fills an int64 column of `n` values from f(i).
template <class F>
py::array_t<i64> int_column(std::size_t n, F&& f) {
  py::array_t<i64> out(static_cast<py::ssize_t>(n));
  i64* o = out.mutable_data();
  for (std::size_t i = 0; i < n; ++i) o[i] = f(i);
  return out;
}

// A column of n strings as (codes int64[n], values list of str): each distinct
// string becomes one Python str, and rows refer to it by index, so that the
// Python layer builds frames (and objects) without a str per row.
template <class F>
py::tuple encoded_str_column(std::size_t n, F&& f) {
  py::array_t<i64> codes(static_cast<py::ssize_t>(n));
  i64* c = codes.mutable_data();
  std::vector<std::string_view> distinct;
  std::unordered_map<std::string_view, i64> index;
  i64 previous = -1;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view s = f(i);
    if (previous >= 0 && distinct[static_cast<std::size_t>(previous)] == s) {
      c[i] = previous;
      continue;
    }
    auto [it, fresh] = index.try_emplace(s, static_cast<i64>(distinct.size()));
    if (fresh) distinct.push_back(s);
    c[i] = previous = it->second;
  }
  py::list values(static_cast<py::ssize_t>(distinct.size()));
  for (std::size_t k = 0; k < distinct.size(); ++k) {
    PyObject* o = PyUnicode_DecodeUTF8(distinct[k].data(), static_cast<Py_ssize_t>(distinct[k].size()), "replace");
    if (o == nullptr) throw py::error_already_set();
    PyList_SET_ITEM(values.ptr(), static_cast<Py_ssize_t>(k), o);
  }
  return py::make_tuple(std::move(codes), std::move(values));
}

template <class F>
py::list str_column(std::size_t n, F&& f) {
  py::list out(static_cast<py::ssize_t>(n));
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view s = f(i);
    PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
    if (o == nullptr) throw py::error_already_set();
    PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), o);
  }
  return out;
}

// The timer keys of the JSON Lines output (SPEC section 9), in order.
py::dict timer_columns(const std::vector<timer_row>& rows) {
  const std::size_t n = rows.size();
  py::dict c;
  c["id"] = encoded_str_column(n, [&](std::size_t i) -> std::string_view { return rows[i].id; });
  c["target"] = encoded_str_column(n, [&](std::size_t i) -> std::string_view { return rows[i].target; });
  c["cycle"] = int_column(n, [&](std::size_t i) { return rows[i].cycle; });
  c["state"] = encoded_str_column(n, [&](std::size_t i) { return to_string(rows[i].state); });
  // Not JSON Lines keys (timers_frame leaves them out): what duly.report needs to
  // measure a cycle's pieces on its goal's calendar (Policy._business_elapsed).
  c["target_index"] = int_column(n, [&](std::size_t i) { return static_cast<i64>(rows[i].target_index); });
  c["goal_index"] = int_column(n, [&](std::size_t i) { return static_cast<i64>(rows[i].goal_index); });
  c["goal_seconds"] = int_column(n, [&](std::size_t i) { return or_null(rows[i].goal_seconds); });
  c["started"] = int_column(n, [&](std::size_t i) { return or_null(rows[i].started); });
  c["stopped"] = int_column(n, [&](std::size_t i) { return or_null(rows[i].stopped); });
  c["due"] = int_column(n, [&](std::size_t i) { return or_null(rows[i].due); });
  c["breached_at"] = int_column(n, [&](std::size_t i) { return or_null(rows[i].breached_at); });
  c["elapsed_seconds"] = int_column(n, [&](std::size_t i) { return or_null(rows[i].elapsed_seconds); });
  c["remaining_seconds"] = int_column(n, [&](std::size_t i) { return or_null(rows[i].remaining_seconds); });
  c["paused_seconds"] = int_column(n, [&](std::size_t i) { return or_null(rows[i].paused_seconds); });
  c["next_wakeup"] = int_column(n, [&](std::size_t i) { return or_null(rows[i].next_wakeup); });
  return c;
}

// The escalation keys of the JSON Lines output; `actions` as JSON text.
py::dict escalation_columns(const std::vector<escalation_row>& rows) {
  const std::size_t n = rows.size();
  std::vector<std::string> keys(n);
  for (std::size_t i = 0; i < n; ++i) keys[i] = rows[i].key();
  py::dict c;
  c["id"] = encoded_str_column(n, [&](std::size_t i) -> std::string_view { return rows[i].id; });
  c["target"] = encoded_str_column(n, [&](std::size_t i) -> std::string_view { return rows[i].target; });
  c["escalation"] = encoded_str_column(n, [&](std::size_t i) -> std::string_view { return rows[i].escalation; });
  c["cycle"] = int_column(n, [&](std::size_t i) { return rows[i].cycle; });
  c["point"] = int_column(n, [&](std::size_t i) { return rows[i].point; });
  c["fired_at"] = int_column(n, [&](std::size_t i) { return count(rows[i].fired_at); });
  c["key"] = str_column(n, [&](std::size_t i) -> std::string_view { return keys[i]; });
  c["actions"] = str_column(n, [&](std::size_t i) -> std::string_view {
    return rows[i].actions_json.empty() ? std::string_view("[]") : std::string_view(rows[i].actions_json);
  });
  return c;
}

void check_as_of(i64 as_of) {
  if (as_of < count(min_supported_instant) || as_of >= count(max_supported_instant)) {
    raise(errc::out_of_range,
          "instant " + format_instant(instant{seconds{as_of}}) + " is outside the supported range [" +
              format_instant(min_supported_instant) + ", " + format_instant(max_supported_instant) + ")",
          "as_of");
  }
}

// A list of n str or None (None where f(i) gives no value).
template <class F>
py::list optional_str_column(std::size_t n, F&& f) {
  py::list out(static_cast<py::ssize_t>(n));
  for (std::size_t i = 0; i < n; ++i) {
    const std::optional<std::string_view> s = f(i);
    PyObject* o = nullptr;
    if (s) {
      o = PyUnicode_DecodeUTF8(s->data(), static_cast<Py_ssize_t>(s->size()), "replace");
      if (o == nullptr) throw py::error_already_set();
    } else {
      o = Py_NewRef(Py_None);
    }
    PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), o);
  }
  return out;
}

// The keys of the CLI's `explain` JSON lines (to_json(explain_entry, id)), in
// order, without kind and id: an event entry has no target or cycle, any other
// entry no event or line; a line that is not known is null too.
py::dict entry_columns(const std::vector<explain_entry>& rows) {
  const std::size_t n = rows.size();
  const auto is_event = [&](std::size_t i) { return rows[i].type == explain_entry::kind::event; };
  py::dict c;
  c["at"] = int_column(n, [&](std::size_t i) { return count(rows[i].at); });
  c["what"] = str_column(n, [&](std::size_t i) { return to_string(rows[i].type); });
  c["target"] = optional_str_column(n, [&](std::size_t i) -> std::optional<std::string_view> {
    if (is_event(i)) return std::nullopt;
    return std::string_view(rows[i].target);
  });
  c["cycle"] = int_column(n, [&](std::size_t i) { return is_event(i) ? null_i64 : rows[i].cycle; });
  c["event"] = optional_str_column(n, [&](std::size_t i) -> std::optional<std::string_view> {
    if (!is_event(i)) return std::nullopt;
    return std::string_view(rows[i].event);
  });
  c["line"] = int_column(n, [&](std::size_t i) {
    return is_event(i) && rows[i].line > 0 ? static_cast<i64>(rows[i].line) : null_i64;
  });
  c["detail"] = str_column(n, [&](std::size_t i) -> std::string_view { return rows[i].detail; });
  return c;
}

py::str utf8_str(const std::string& s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
  if (o == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

py::dict explain_events(const policy_handle& p, const std::string& id, const std::optional<i64>& as_of_arg,
                        const std::vector<event>& events) {

  struct outcome {
    std::optional<instant> as_of;
    explanation e;
    std::string table;
    std::string json;
  };
  outcome r = [&] {
    py::gil_scoped_release release;
    outcome o;
    o.as_of = as_of_arg ? std::optional<instant>(instant{seconds{*as_of_arg}}) : std::nullopt;
    if (!as_of_arg) {
      // Default: the record's latest event, so the whole history shows (as `duly explain`).
      for (const auto& e : events)
        if (e.id == id && (!o.as_of || e.at > *o.as_of)) o.as_of = e.at;
    }
    if (!o.as_of) return o;
    o.e = duly::explain(p.compiled, std::span<const event>(events), id, *o.as_of);
    if (o.e.entries.empty()) return o;
    std::ostringstream table;
    write_explanation(table, o.e, output_format::table);
    o.table = std::move(table).str();
    std::ostringstream json;
    write_explanation(json, o.e, output_format::jsonl);
    o.json = std::move(json).str();
    return o;
  }();
  if (!r.as_of) raise(errc::invalid_argument, "no events for record " + single_quoted(id), "id");
  if (r.e.entries.empty()) {
    raise(errc::invalid_argument,
          "no events for record " + single_quoted(id) + " at or before " + format_instant(*r.as_of), "id");
  }

  py::dict out;
  out["id"] = utf8_str(r.e.id);
  out["as_of"] = count(*r.as_of);
  out["entries"] = entry_columns(r.e.entries);
  out["timers"] = timer_columns(r.e.timers);
  out["escalations"] = escalation_columns(r.e.escalations);
  out["table"] = utf8_str(r.table);
  out["json"] = utf8_str(r.json);
  return out;
}

py::dict evaluation_dict(const evaluation& r) {
  py::dict out;
  out["timers"] = timer_columns(r.timers);
  out["escalations"] = escalation_columns(r.escalations);
  py::list rejected;
  for (const auto& row : r.rejected) rejected.append(py::make_tuple(row.line, row.reason));
  out["rejected"] = rejected;
  out["events_applied"] = r.events_applied;
  out["events_ignored"] = r.events_ignored;
  out["next_wakeup"] = r.next_wakeup ? py::object(py::int_(count(*r.next_wakeup))) : py::none();
  return out;
}

py::dict evaluate_frame(const policy_handle& p, i64 as_of, const py::tuple& ids, const i64_array& at,
                        const py::tuple& names, const py::list& attributes, const py::object& accepted) {
  check_as_of(as_of);
  const auto frame = read_frame(ids, at, names, attributes, accepted);
  evaluation r = [&] {
    py::gil_scoped_release release;
    return duly::evaluate(p.compiled, frame->view(), instant{seconds{as_of}});
  }();
  return evaluation_dict(r);
}

py::dict explain_columns(const policy_handle& p, const std::string& id, const std::optional<i64>& as_of_arg,
                         const py::list& ids, const i64_array& at, const py::list& names, const py::list& attributes,
                         const py::object& accepted) {
  if (as_of_arg) check_as_of(*as_of_arg);
  return explain_events(p, id, as_of_arg, build_events(ids, at, names, attributes, accepted));
}

py::dict explain_frame(const policy_handle& p, const std::string& id, const std::optional<i64>& as_of_arg,
                       const py::tuple& ids, const i64_array& at, const py::tuple& names, const py::list& attributes,
                       const py::object& accepted) {
  if (as_of_arg) check_as_of(*as_of_arg);
  return explain_events(p, id, as_of_arg, frame_event_list(*read_frame(ids, at, names, attributes, accepted)));
}

py::dict evaluate_columns(const policy_handle& p, i64 as_of, const py::list& ids, const i64_array& at,
                          const py::list& names, const py::list& attributes, const py::object& accepted) {
  check_as_of(as_of);
  std::vector<event> events = build_events(ids, at, names, attributes, accepted);
  evaluation r = [&] {
    py::gil_scoped_release release;
    return duly::evaluate(p.compiled, std::span<const event>(events), instant{seconds{as_of}});
  }();
  return evaluation_dict(r);
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
                  "Parse and compile a YAML or JSON policy document (SPEC section 6).")
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

  m.def("evaluate", &evaluate_columns, py::arg("policy"), py::arg("as_of"), py::arg("ids"), py::arg("at"),
        py::arg("names"), py::arg("attributes"), py::arg("accepted") = py::none(),
        "Evaluate events given as columns at as_of (seconds); releases the GIL while evaluating.");
  m.def("evaluate_frame", &evaluate_frame, py::arg("policy"), py::arg("as_of"), py::arg("ids"), py::arg("at"),
        py::arg("names"), py::arg("attributes"), py::arg("accepted") = py::none(),
        "Evaluate events given as a DataFrame's columns (codes and tables of distinct values) at as_of "
        "(seconds); releases the GIL while evaluating.");
  m.def("encode_column", &encode_column, py::arg("cells"), py::arg("missing_types") = py::tuple(),
        "Dictionary-encode an object array: (codes int64, distinct values, all_text); -1 = missing.");
  m.def("explain_frame", &explain_frame, py::arg("policy"), py::arg("id"), py::arg("as_of"), py::arg("ids"),
        py::arg("at"), py::arg("names"), py::arg("attributes"), py::arg("accepted") = py::none(),
        "explain() on events given as for evaluate_frame.");
  m.def("explain", &explain_columns, py::arg("policy"), py::arg("id"), py::arg("as_of"), py::arg("ids"), py::arg("at"),
        py::arg("names"), py::arg("attributes"), py::arg("accepted") = py::none(),
        "Explain one record of events given as columns up to as_of (seconds; None: its latest event); "
        "releases the GIL while explaining.");
}

}  // namespace duly::python
