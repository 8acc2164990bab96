// What the Python layer calls while it converts events: the validator of
// events (duly::event_check: what an event must have and how each problem is
// worded, so that dicts and DataFrames are judged as JSON Lines and CSV are) and
// the dictionary encoder of object columns.

#include "columns.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <duly/event.hpp>

namespace duly::python {
namespace {

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

}  // namespace

py::tuple encode_column(const py::array& cells, const py::tuple& missing_types, bool none_missing) {
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
    } else if ((o == Py_None && none_missing) || (PyFloat_Check(o) && std::isnan(PyFloat_AS_DOUBLE(o))) ||
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

namespace {

event_check::field field_of(const std::string& name) {
  if (name == "id") return event_check::field::id;
  if (name == "at") return event_check::field::at;
  if (name == "event") return event_check::field::event;
  raise(errc::invalid_argument, "unknown event field " + single_quoted(name) + " (expected id, at or event)", "field");
}

event_check::shape shape_of(const std::string& name) {
  using shape = event_check::shape;
  static const std::pair<const char*, shape> shapes[] = {
      {"null", shape::null},     {"boolean", shape::boolean}, {"number", shape::number}, {"string", shape::string},
      {"object", shape::object}, {"list", shape::list},       {"other", shape::other}};
  for (const auto& [n, s] : shapes)
    if (name == n) return s;
  raise(errc::invalid_argument, "unknown shape " + single_quoted(name), "shape");
}

// The validator of events (duly::event_check), for the Python layer's dict and
// DataFrame paths: it converts Python values, these say whether they make an
// event and word every problem, as the JSON Lines and CSV readers do.
void bind_event_check(py::module_& m) {
  using ec = event_check;
  auto c = py::class_<ec>(m, "event_check", "What an event must have, and the wording of each problem.");
  c.def_static("describe", [](const std::string& shape, std::string_view literal) {
        return ec::describe(shape_of(shape), literal);
      }, py::arg("shape"), py::arg("literal") = "");
  c.def_static("text_problem", [](const std::string& f, std::string_view text) { return ec::text_problem(field_of(f), text); },
               py::arg("field"), py::arg("text"));
  c.def_static("read_at", [](std::string_view text) -> py::tuple {
        auto t = ec::read_at(text);
        if (!t) return py::make_tuple(0, t.error().message());
        return py::make_tuple(t->time_since_epoch().count(), "");
      }, py::arg("text"), "(seconds, '') or (0, problem)");
  c.def_static("instant_fraction", [](std::string_view text) { return duly::instant_fraction(text); },
               py::arg("text"), "The nanoseconds past the second written in ISO-8601 text (0: none).");
  c.def_static("at_problem", [](i64 s) { return ec::at_problem(instant{seconds{s}}); }, py::arg("seconds"));
  c.def_static("missing_text", [](const std::string& f) { return ec::missing_text(field_of(f)); }, py::arg("field"));
  c.def_static("wrong_type_text", [](const std::string& f, std::string_view got, std::string_view also) {
        return ec::wrong_type_text(field_of(f), got, also);
      }, py::arg("field"), py::arg("got"), py::arg("also") = "");
  c.def_static("unreadable_text", [](const std::string& f, std::string_view why) { return ec::unreadable_text(field_of(f), why); },
               py::arg("field"), py::arg("why"));
  c.def_static("attribute_text", &ec::attribute_text, py::arg("name"), py::arg("why"));
  c.def_static("attribute_name_problem", &ec::attribute_name_problem, py::arg("name"));
  c.def_static("nested", &ec::nested);
  c.def_static("list_item_problem", &ec::list_item_problem, py::arg("index"), py::arg("got"));
  c.def_static("list_too_long", &ec::list_too_long, py::arg("items"));
  c.attr("max_list_items") = ec::max_list_items;
  c.def_static("not_a_number", &ec::not_a_number, py::arg("text"));
  c.def_static("inexact_integer", &ec::inexact_integer, py::arg("literal"));
  c.def_static("join", &ec::join, py::arg("problems"));
}

}  // namespace

namespace {

// make_list(items) -> (ListValue, None) or (None, problem): a list or tuple of
// str, bool, int and float (the Python layer turns numpy scalars into these
// first), judged by the list rules of the JSON Lines reader.
py::tuple make_list(const py::sequence& items) {
  const auto n = static_cast<std::size_t>(py::len(items));
  if (n > event_check::max_list_items) return py::make_tuple(py::none(), event_check::list_too_long(n));
  list_builder b;
  for (std::size_t i = 0; i < n; ++i) {
    const py::object item = items[static_cast<py::ssize_t>(i)];
    PyObject* o = item.ptr();
    const auto problem = [&](const std::string& why) { return py::make_tuple(py::none(), why); };
    if (PyBool_Check(o)) {
      b.add(value::boolean(o == Py_True));
    } else if (PyUnicode_Check(o)) {
      Py_ssize_t size = 0;
      const char* data = PyUnicode_AsUTF8AndSize(o, &size);
      if (data == nullptr) {
        PyErr_Clear();
        return problem("item " + std::to_string(i + 1) + " of the list is not valid Unicode text (a lone surrogate)");
      }
      b.add(value::string(std::string_view(data, static_cast<std::size_t>(size))));
    } else if (PyLong_Check(o)) {
      int overflow = 0;
      const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
      if (overflow != 0 || !event_check::exact_integer(v))
        return problem("item " + std::to_string(i + 1) + " of the list: " +
                       event_check::inexact_integer(py::str(item).cast<std::string>()));
      b.add(value::number(static_cast<double>(v)));
    } else if (PyFloat_Check(o)) {
      const double d = PyFloat_AS_DOUBLE(o);
      if (!std::isfinite(d))
        return problem("item " + std::to_string(i + 1) + " of the list: " +
                       event_check::not_a_number(py::repr(item).cast<std::string>()));
      b.add(value::number(d));
    } else {
      const char* got = o == Py_None                                   ? "null"
                        : PyList_Check(o) || PyTuple_Check(o)          ? "a list"
                        : PyDict_Check(o)                              ? "an object"
                                                                       : nullptr;
      return problem(event_check::list_item_problem(
          i + 1, got != nullptr ? std::string(got) : std::string("a ") + Py_TYPE(o)->tp_name));
    }
  }
  return py::make_tuple(py::cast(list_cell{owned_value(value::list(b.text()))}), py::none());
}

}  // namespace

const list_cell* as_list_cell(PyObject* o) {
  static PyTypeObject* const type = reinterpret_cast<PyTypeObject*>(py::type::of<list_cell>().ptr());
  if (Py_TYPE(o) != type) return nullptr;
  return &py::handle(o).cast<const list_cell&>();
}

void bind_list_cell(py::module_& m) {
  py::class_<list_cell>(m, "ListValue", "A list attribute value, as the core holds it (make it with make_list).")
      .def_property_readonly("text", [](const list_cell& c) { return std::string(c.list.view().list_text()); },
                             "The canonical JSON text of the list.")
      .def("items", [](const list_cell& c) { return python_value(c.list.view()); }, "The items as a Python list.")
      .def("__repr__", [](const list_cell& c) { return "ListValue(" + std::string(c.list.view().list_text()) + ")"; })
      .def("__eq__", [](const list_cell& a, const list_cell& b) { return a.list == b.list; })
      .def("__hash__", [](const list_cell& c) { return py::hash(py::str(std::string(c.list.view().list_text()))); });
  m.def("make_list", &make_list, py::arg("items"),
        "(ListValue, None) for a list or tuple of str, bool, int and finite float; (None, problem) otherwise.");
}

void bind_events(py::module_& m) {
  bind_list_cell(m);
  m.def("encode_column", &encode_column, py::arg("cells"), py::arg("missing_types") = py::tuple(),
        py::arg("none_missing") = true,
        "Dictionary-encode an object array: (codes int64, distinct values, all_text); -1 = missing "
        "(NaN, the missing types, and None unless none_missing is false).");
  bind_event_check(m);
}

}  // namespace duly::python
