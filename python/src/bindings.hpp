// Internal declarations shared by the binding translation units of duly._duly.
//
// The extension speaks integer seconds only: instants are int64 seconds since
// the Unix epoch (UTC), durations are int64 seconds. Conversion from and to
// datetime, timedelta and numpy arrays lives in the pure-Python layer
// (python/duly/), which keeps this module small and free of pybind11/chrono.h.
#pragma once

#include <cstdint>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pybind11/pybind11.h>

#include <duly/error.hpp>
#include <duly/event.hpp>
#include <duly/value.hpp>

namespace duly::python {

namespace py = pybind11;

// A duly::error on its way to Python. The module's exception translator turns
// it into the duly.Error subclass that the Python layer registered for its code
// (see errors.cpp and duly/_errors.py).
class native_error : public std::exception {
 public:
  explicit native_error(duly::error e) : error_(std::move(e)) {}
  [[nodiscard]] const duly::error& error() const noexcept { return error_; }
  [[nodiscard]] const char* what() const noexcept override { return error_.message().c_str(); }

 private:
  duly::error error_;
};

[[noreturn]] inline void raise(duly::error e) { throw native_error(std::move(e)); }
[[noreturn]] inline void raise(errc code, std::string message, std::string path = {}) {
  diagnostic d;
  d.code = code;
  d.message = std::move(message);
  d.path = std::move(path);
  throw native_error(duly::error(std::move(d)));
}

// The value of a result, or a native_error.
template <class T>
T unwrap(result<T>&& r) {
  if (!r) raise(std::move(r).error());
  return *std::move(r);
}

// Text from the library as a Python str. Documents read from Python are UTF-8
// (str is encoded, files are checked by read_document), but file names and
// messages quoting them may hold any bytes: those that are not UTF-8 become
// backslash escapes (\xe9) rather than a UnicodeDecodeError.
inline py::str text(std::string_view s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "backslashreplace");
  if (o == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

// Rejected rows as the (line, reason) pairs duly.Rejected is made from.
inline py::list rejected_pairs(const std::vector<rejected_row>& rows) {
  py::list out;
  for (const auto& row : rows) out.append(py::make_tuple(row.line, text(row.reason)));
  return out;
}

// The bytes of a document file, or nullopt when it cannot be read (the caller
// then lets the library's own loader report why, worded as the CLI words it).
// A file that is not UTF-8 raises a parse_error at its first bad byte: Python
// works on text, so a policy's `source` must be text, and names read from the
// file must come back as the str they were.
std::optional<std::string> read_document(const std::filesystem::path& path);

// Raises a parse_error at the first byte of `bytes` that is not UTF-8; `file`
// names the document in the message.
void check_utf8(std::string_view bytes, const std::string& file);

// A list attribute value on its way from Python (duly._duly.ListValue): the
// Python layer makes one with make_list() from a list or tuple, and the event
// readers of this module take it wherever they take a str or a number.
struct list_cell {
  owned_value list;
};

// The list_cell `o` holds, or nullptr when it is not one.
const list_cell* as_list_cell(PyObject* o);

// An attribute value as Python data: None, bool, str, a number (an int when it
// is a whole number that a double holds exactly, else a float), or a list of
// those.
py::object python_value(const value& v);

void bind_errors(py::module_& m);
void bind_time(py::module_& m);
void bind_calendar(py::module_& m);
void bind_policy(py::module_& m);
void bind_events(py::module_& m);
void bind_results(py::module_& m);
void bind_store(py::module_& m);
void bind_report(py::module_& m);

}  // namespace duly::python
