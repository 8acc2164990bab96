// duly::error -> Python exceptions.
//
// The exception classes (duly.Error and its subclasses) are defined in Python
// (duly/_errors.py), so that they are ordinary, picklable classes with typed
// attributes. On import, the Python layer hands this module a factory:
//   factory(code: int, message: str, diagnostics: list[tuple]) -> BaseException
// and the translator below raises what it returns. Without a factory (only if
// duly._duly were loaded on its own) errors surface as plain ValueError.
#include "bindings.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string_view>

namespace duly::python {
namespace {

// A strong reference kept for the life of the process on purpose: releasing it
// at interpreter shutdown would run Python code after finalisation started.
PyObject* error_factory = nullptr;

// Every string through text(): a message may quote a file name or a line of a
// file that is not UTF-8, and the error must still arrive as a duly.Error.
py::tuple diagnostic_tuple(const diagnostic& d) {
  return py::make_tuple(static_cast<int>(d.code), text(d.message), text(d.path), text(d.file), d.line,
                        d.column, text(d.source_line));
}

void set_python_error(const duly::error& e) {
  if (error_factory != nullptr) {
    try {
      py::list diagnostics;
      for (const auto& d : e.diagnostics()) diagnostics.append(diagnostic_tuple(d));
      auto factory = py::reinterpret_borrow<py::object>(error_factory);
      py::object exc = factory(static_cast<int>(e.code()), text(e.message()), diagnostics);
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
      return;
    } catch (py::error_already_set& failure) {
      // The factory itself failed: report that rather than hide it.
      failure.restore();
      return;
    }
  }
  try {
    PyErr_SetObject(PyExc_ValueError, text(e.message()).ptr());
  } catch (py::error_already_set& failure) {
    failure.restore();
  }
}

}  // namespace

std::optional<std::string> read_document(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(out).str();
}

void check_utf8(std::string_view bytes, const std::string& file) {
  PyObject* decoded = PyUnicode_DecodeUTF8(bytes.data(), static_cast<Py_ssize_t>(bytes.size()), "strict");
  if (decoded != nullptr) {
    Py_DECREF(decoded);
    return;
  }
  // Where the first bad byte is: Python's decoder says, exactly as str(bytes, "utf-8") would.
  Py_ssize_t start = 0;
  {
    py::error_already_set failure;  // fetches (and clears) the UnicodeDecodeError
    if (!failure.matches(PyExc_UnicodeDecodeError) ||
        PyUnicodeDecodeError_GetStart(failure.value().ptr(), &start) != 0) {
      PyErr_Clear();
      start = 0;
    }
  }
  const auto at = static_cast<std::size_t>(start);
  std::size_t line_start = 0;
  if (at > 0) {
    const std::size_t newline = bytes.rfind('\n', at - 1);
    if (newline != std::string_view::npos) line_start = newline + 1;
  }
  std::size_t line_end = bytes.find('\n', at);
  if (line_end == std::string_view::npos) line_end = bytes.size();
  diagnostic d;
  d.code = errc::parse_error;
  char byte[8];
  std::snprintf(byte, sizeof byte, "0x%02X", at < bytes.size() ? static_cast<unsigned>(static_cast<unsigned char>(bytes[at])) : 0U);
  d.message = std::string("not UTF-8 text: byte ") + byte +
              " cannot start or continue a character (save the file as UTF-8)";
  d.file = file;
  d.line = 1 + static_cast<int>(std::count(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  // Columns count characters; the part of the line before the bad byte is UTF-8.
  int column = 1;
  for (std::size_t i = line_start; i < at; ++i)
    if ((static_cast<unsigned char>(bytes[i]) & 0xC0) != 0x80) ++column;
  d.column = column;
  if (line_end - line_start <= 200) d.source_line = std::string(bytes.substr(line_start, line_end - line_start));
  raise(duly::error(std::move(d)));
}

void bind_errors(py::module_& m) {
  m.def(
      "_set_error_factory",
      [](py::object factory) {
        if (!PyCallable_Check(factory.ptr())) throw py::type_error("the error factory must be callable");
        PyObject* old = error_factory;
        error_factory = factory.release().ptr();
        Py_XDECREF(old);
      },
      py::arg("factory"),
      "Install the callable that turns a duly error into a Python exception (internal).");

  m.def(
      "error_codes",
      [] {
        py::dict codes;
        // Codes are numbered from 1 without gaps; to_string names unknown ones "unknown".
        for (int c = 1; c < 256; ++c) {
          const std::string_view name = to_string(static_cast<errc>(c));
          if (name == "unknown") break;
          codes[py::int_(c)] = py::str(std::string(name));
        }
        return codes;
      },
      "The stable error codes of duly::errc, as {number: name}.");

  py::register_local_exception_translator([](std::exception_ptr p) {
    if (!p) return;
    try {
      std::rethrow_exception(p);
    } catch (const native_error& e) {
      set_python_error(e.error());
    }
  });
}

}  // namespace duly::python
