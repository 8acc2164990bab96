// Events in: the columns the Python layer hands over, read into duly events.
//
// Events come as columns, not as one Python object per event, so
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

#include "columns.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <set>
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

// --- events in ------------------------------------------------------------------



[[noreturn]] void bad_cell(const std::string& attribute, std::size_t row, const std::string& why) {
  raise(errc::invalid_argument, "attribute " + single_quoted(attribute) + ": " + why, "events[" + std::to_string(row) + "]");
}

// The value of one cell of an "object" column. The Python layer has already
// turned everything else into these types (or rejected the row).
owned_value object_value(PyObject* o, const std::string& attribute, std::size_t row) {
  const auto bad = [&](const std::string& why) { bad_cell(attribute, row, why); };
  if (o == Py_None) return owned_value();
  if (PyBool_Check(o)) return owned_value(value::boolean(o == Py_True));
  if (const list_cell* l = as_list_cell(o)) return l->list;
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


// --- Arrow arrays, read in place ------------------------------------------------
//
// The Arrow path (duly/_arrow_events.py) hands a column over as its chunks, each
// (type, offset, length, validity, data): `type` the physical layout ("i1" ...
// "i8", "u1" ... "u8", "f4", "f8", "b" for a bitmap of bools), `offset` and
// `length` in elements as the Arrow array has them (a slice keeps its parent's
// buffers and an offset), `validity` the null bitmap or None, `data` the values
// buffer. Buffers are read through the buffer protocol (pyarrow.Buffer), never
// copied; each is checked to hold offset + length elements.

struct chunk_view {
  char kind = 'i';  // 'i' signed, 'u' unsigned, 'f' float, 'b' bitmap
  int width = 8;    // bytes per element (bitmap: 0)
  std::size_t offset = 0, length = 0;
  const std::uint8_t* validity = nullptr;
  const std::uint8_t* data = nullptr;

  [[nodiscard]] bool valid(std::size_t i) const {
    if (validity == nullptr) return true;
    const std::size_t bit = offset + i;
    return ((validity[bit >> 3] >> (bit & 7)) & 1) != 0;
  }
  [[nodiscard]] i64 integer(std::size_t i) const {
    const std::size_t k = offset + i;
    switch (kind) {
      case 'b': return (data[k >> 3] >> (k & 7)) & 1;
      case 'u':
        switch (width) {
          case 1: return data[k];
          case 2: return reinterpret_cast<const std::uint16_t*>(data)[k];
          case 4: return reinterpret_cast<const std::uint32_t*>(data)[k];
          default: {
            const auto v = reinterpret_cast<const std::uint64_t*>(data)[k];
            return v > static_cast<std::uint64_t>(std::numeric_limits<i64>::max()) ? std::numeric_limits<i64>::max()
                                                                                      : static_cast<i64>(v);
          }
        }
      default:
        switch (width) {
          case 1: return reinterpret_cast<const std::int8_t*>(data)[k];
          case 2: return reinterpret_cast<const std::int16_t*>(data)[k];
          case 4: return reinterpret_cast<const std::int32_t*>(data)[k];
          default: return reinterpret_cast<const std::int64_t*>(data)[k];
        }
    }
  }
  [[nodiscard]] double number(std::size_t i) const {
    const std::size_t k = offset + i;
    if (kind == 'f') return width == 4 ? reinterpret_cast<const float*>(data)[k] : reinterpret_cast<const double*>(data)[k];
    if (kind == 'u' && width == 8) return static_cast<double>(reinterpret_cast<const std::uint64_t*>(data)[k]);
    return static_cast<double>(integer(i));
  }
};

// The chunks of one Arrow column; the buffers stay alive in `keep`.
std::vector<chunk_view> arrow_chunks(frame_events& f, const py::handle& chunks, std::size_t n, const std::string& what) {
  if (!PyList_Check(chunks.ptr())) raise(errc::invalid_argument, "an Arrow column is a list of chunks", what);
  std::vector<chunk_view> out;
  std::size_t rows = 0;
  const auto bytes_of = [&](const py::handle& o, std::size_t need, const char* part) -> const std::uint8_t* {
    auto b = py::reinterpret_borrow<py::buffer>(o);
    const py::buffer_info info = b.request();
    const auto size = static_cast<std::size_t>(info.size * info.itemsize);
    if (size < need)
      raise(errc::invalid_argument, std::string("the ") + part + " buffer holds " + std::to_string(size) +
                                        " bytes, fewer than its chunk needs (" + std::to_string(need) + ")", what);
    f.keep.push_back(py::reinterpret_borrow<py::object>(o));
    return static_cast<const std::uint8_t*>(info.ptr);
  };
  for (const py::handle item : chunks) {
    const auto t = item.cast<py::tuple>();
    if (t.size() != 5) raise(errc::invalid_argument, "an Arrow chunk is (type, offset, length, validity, data)", what);
    const auto type = t[0].cast<std::string>();
    chunk_view c;
    c.offset = t[1].cast<std::size_t>();
    c.length = t[2].cast<std::size_t>();
    if (type == "b") {
      c.kind = 'b';
      c.width = 0;
    } else if (type.size() == 2 && (type[0] == 'i' || type[0] == 'u' || type[0] == 'f') &&
               (type[1] == '1' || type[1] == '2' || type[1] == '4' || type[1] == '8') &&
               !(type[0] == 'f' && (type[1] == '1' || type[1] == '2'))) {
      c.kind = type[0];
      c.width = type[1] - '0';
    } else {
      raise(errc::invalid_argument, "unknown Arrow chunk type " + single_quoted(type), what);
    }
    const std::size_t end = c.offset + c.length;
    if (!t[3].is_none()) c.validity = bytes_of(t[3], (end + 7) / 8, "validity");
    if (c.length > 0) c.data = bytes_of(t[4], c.kind == 'b' ? (end + 7) / 8 : end * static_cast<std::size_t>(c.width), "data");
    rows += c.length;
    out.push_back(c);
  }
  if (rows != n)
    raise(errc::invalid_argument, "the chunks hold " + std::to_string(rows) + " rows, not " + std::to_string(n), what);
  return out;
}

// f(row, chunk, i) for every row of the chunks, in order.
template <class F>
void each_row(const std::vector<chunk_view>& chunks, F&& f) {
  std::size_t row = 0;
  for (const auto& c : chunks)
    for (std::size_t i = 0; i < c.length; ++i, ++row) f(row, c, i);
}

// Integer codes from index chunks (a dictionary's indices); null rows are -1.
std::vector<i64> arrow_codes(frame_events& f, const py::handle& chunks, std::size_t n, const std::string& what) {
  const auto views = arrow_chunks(f, chunks, n, what);
  std::vector<i64> codes(n);
  each_row(views, [&](std::size_t row, const chunk_view& c, std::size_t i) { codes[row] = c.valid(i) ? c.integer(i) : -1; });
  return codes;
}

// Floor of ticks / per_second, without overflow.
i64 floor_seconds(i64 ticks, i64 per_second) {
  if (per_second == 1) return ticks;
  i64 q = ticks / per_second;
  if (ticks % per_second != 0 && ticks < 0) --q;
  return q;
}

// (ticks per second, chunks): the seconds of a timestamp column; null = null_i64.
std::vector<i64> arrow_seconds(frame_events& f, const py::handle& spec, std::size_t n, const std::string& what) {
  const auto t = spec.cast<py::tuple>();
  if (t.size() != 2) raise(errc::invalid_argument, "an Arrow timestamp column is (ticks per second, chunks)", what);
  const i64 per_second = t[0].cast<i64>();
  if (per_second < 1) raise(errc::invalid_argument, "ticks per second must be positive", what);
  const auto views = arrow_chunks(f, t[1], n, what);
  std::vector<i64> out(n);
  each_row(views, [&](std::size_t row, const chunk_view& c, std::size_t i) {
    out[row] = c.valid(i) ? floor_seconds(c.integer(i), per_second) : null_i64;
  });
  return out;
}

// Codes given as an int64 array, or (Arrow) as a list of index chunks.
std::span<const i64> codes_of(frame_events& f, const py::handle& o, std::size_t n, const std::string& what,
                              std::vector<i64>& own) {
  if (PyList_Check(o.ptr())) {
    own = arrow_codes(f, o, n, what);
    return own;
  }
  return keep_i64(f, o, n, what);
}

}  // namespace

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

std::string single_quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

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

std::unique_ptr<frame_events> read_frame(const py::tuple& ids, const py::object& at, const py::tuple& names,
                                         const py::list& attributes, const py::object& accepted,
                                         const std::set<std::string, std::less<>>* wanted) {
  auto f = std::make_unique<frame_events>();
  if (ids.size() != 2 || names.size() != 2) raise(errc::invalid_argument, "ids and names are (codes, values)");
  // The number of rows: the length of `at` (an int64 array, or Arrow chunks).
  std::vector<i64> at_seconds;
  std::optional<i64_array> at_array;
  if (py::isinstance<py::tuple>(at)) {
    std::size_t rows = 0;
    const auto spec = at.cast<py::tuple>();
    if (spec.size() != 2 || !PyList_Check(spec[1].ptr()))
      raise(errc::invalid_argument, "an Arrow timestamp column is (ticks per second, chunks)", "at");
    for (const py::handle c : spec[1].cast<py::list>()) rows += c.cast<py::tuple>()[2].cast<std::size_t>();
    at_seconds = arrow_seconds(*f, at, rows, "at");
  } else {
    at_array = at.cast<i64_array>();
  }
  const auto n = at_array ? static_cast<std::size_t>(at_array->size()) : at_seconds.size();
  if (n >= std::numeric_limits<std::uint32_t>::max()) raise(errc::invalid_argument, "too many rows", "events");
  if (!accepted.is_none()) {
    const auto mask = accepted.cast<bool_array>();
    if (static_cast<std::size_t>(mask.size()) != n) raise(errc::invalid_argument, "accepted must have one element per row");
    f->skip.resize(n);
    const bool* m = mask.data();
    for (std::size_t i = 0; i < n; ++i) f->skip[i] = m[i] ? 0 : 1;
  }
  f->id = codes_of(*f, ids[0], n, "id codes", f->own_id);
  f->id_values = utf8_values(ids[1], "ids");
  check_codes(*f, f->id, f->id_values.size(), 0, "ids");
  f->name = codes_of(*f, names[0], n, "name codes", f->own_name);
  f->name_values = utf8_values(names[1], "names");
  check_codes(*f, f->name, f->name_values.size(), 0, "names");
  f->at.resize(n);
  const i64* t = at_array ? at_array->data() : at_seconds.data();
  for (std::size_t i = 0; i < n; ++i) f->at[i] = instant{seconds{t[i] == null_i64 ? 0 : t[i]}};

  // The columns to read: all, or those `wanted` names (what the policy reads).
  std::vector<py::tuple> kept;
  for (std::size_t c = 0; c < attributes.size(); ++c) {
    auto column = attributes[c].cast<py::tuple>();
    if (column.size() != 4 && column.size() != 5)
      raise(errc::invalid_argument, "an attribute column is (name, kind, values, codes[, empty_clears])");
    if (wanted != nullptr && !wanted->contains(std::string(utf8(column[0].ptr(), "attribute names", c)))) continue;
    kept.push_back(std::move(column));
  }
  const std::size_t columns = kept.size();
  f->names.resize(columns);
  f->values.resize(columns);
  f->own_codes.resize(columns);
  f->codes.resize(columns);
  for (std::size_t c = 0; c < columns; ++c) {
    const auto& column = kept[c];
    const auto name = std::string(utf8(column[0].ptr(), "attribute names", c));
    const auto kind = std::string(utf8(column[1].ptr(), "attribute kinds", c));
    // Snapshot rows: an empty cell clears the attribute instead of leaving it alone.
    const bool clears = column.size() == 5 && column[4].cast<bool>();
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
        else if (const list_cell* l = as_list_cell(o)) values[j] = l->list.view();  // kept alive by `list`
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
      f->codes[c] = codes_of(*f, column[3], n, "codes of " + name, own);
      check_codes(*f, f->codes[c], k, -1, name);
      if (clears) {
        values.push_back(value::null());
        if (own.empty()) own.assign(f->codes[c].begin(), f->codes[c].end());
        for (auto& code : own)
          if (code < 0) code = static_cast<i64>(k);
        f->codes[c] = own;
      }
    } else if (kind == "number") {
      // Counts, scores and flags hold few distinct numbers: each gets one value
      // that rows refer to, rather than a value per row (past `few_numbers`
      // distinct ones, the rows after get one each).
      constexpr std::size_t few_numbers = 4096;
      if (clears) values.push_back(value::null());
      own.assign(n, clears ? 0 : -1);
      std::unordered_map<std::uint64_t, i64> distinct;
      std::uint64_t previous_bits = 0;
      i64 previous = -1;
      const auto put = [&](std::size_t i, double d) {
        if (std::isnan(d) || skipped(i)) return;
        if (!std::isfinite(d)) raise(errc::invalid_argument, "not a finite number", name + "[" + std::to_string(i) + "]");
        const auto bits = std::bit_cast<std::uint64_t>(d);  // -0.0 and 0.0 stay apart
        if (previous >= 0 && bits == previous_bits) {
          own[i] = previous;
          return;
        }
        i64 code = static_cast<i64>(values.size());
        if (distinct.size() < few_numbers) {
          const auto [it, fresh] = distinct.try_emplace(bits, code);
          if (fresh) values.push_back(value::number(d));
          code = it->second;
        } else if (const auto it = distinct.find(bits); it != distinct.end()) {
          code = it->second;
        } else {
          values.push_back(value::number(d));
        }
        own[i] = previous = code;
        previous_bits = bits;
      };
      if (PyList_Check(column[2].ptr())) {
        const auto views = arrow_chunks(*f, column[2], n, name);
        each_row(views, [&](std::size_t row, const chunk_view& v, std::size_t i) {
          if (v.valid(i)) put(row, v.number(i));
        });
      } else {
        const auto a = column[2].cast<f64_array>();
        if (static_cast<std::size_t>(a.size()) != n) raise(errc::invalid_argument, "one value per row", name);
        const double* v = a.data();
        for (std::size_t i = 0; i < n; ++i) put(i, v[i]);
      }
      f->codes[c] = own;
    } else if (kind == "instant") {
      std::vector<i64> arrow;
      std::optional<i64_array> a;
      const i64* v = nullptr;
      if (py::isinstance<py::tuple>(column[2])) {
        arrow = arrow_seconds(*f, column[2], n, name);
        v = arrow.data();
      } else {
        a = column[2].cast<i64_array>();
        if (static_cast<std::size_t>(a->size()) != n) raise(errc::invalid_argument, "one value per row", name);
        v = a->data();
      }
      values.resize(n + (clears ? 1 : 0));
      if (clears) values[n] = value::null();
      own.assign(n, clears ? static_cast<i64>(n) : -1);
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

namespace {
using u32_array = py::array_t<std::uint32_t, py::array::c_style | py::array::forcecast>;

u32_array fractions_of(const py::object& fraction, std::size_t rows) {
  auto a = fraction.cast<u32_array>();
  if (static_cast<std::size_t>(a.size()) != rows)
    raise(errc::invalid_argument, "fraction must have one element per row (" + std::to_string(rows) + ", got " +
                                      std::to_string(a.size()) + ")");
  const std::uint32_t* f = a.data();
  for (std::size_t i = 0; i < rows; ++i)
    if (f[i] >= 1'000'000'000u) raise(errc::invalid_argument, "a fraction of a second is below 1e9 nanoseconds", "fraction");
  return a;
}
}  // namespace

void apply_fractions(std::vector<event>& events, const py::object& fraction, std::size_t rows) {
  if (fraction.is_none()) return;
  const auto a = fractions_of(fraction, rows);
  const std::uint32_t* f = a.data();
  for (event& e : events)
    if (e.sequence < rows) e.fraction = f[e.sequence];
}

void apply_fractions(frame_events& fe, const py::object& fraction) {
  if (fraction.is_none()) return;
  const auto a = fractions_of(fraction, fe.at.size());
  fe.fraction.assign(a.data(), a.data() + a.size());
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
    if (!c.fraction.empty()) e.fraction = c.fraction[i];
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

}  // namespace duly::python
