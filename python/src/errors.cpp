// duly::error -> Python exceptions.
//
// The exception classes (duly.Error and its subclasses) are defined in Python
// (duly/_errors.py), so that they are ordinary, picklable classes with typed
// attributes. On import, the Python layer hands this module a factory:
//   factory(code: int, message: str, diagnostics: list[tuple]) -> BaseException
// and the translator below raises what it returns. Without a factory (only if
// duly._duly were loaded on its own) errors surface as plain ValueError.
#include "bindings.hpp"

#include <string_view>

namespace duly::python {
namespace {

// A strong reference kept for the life of the process on purpose: releasing it
// at interpreter shutdown would run Python code after finalisation started.
PyObject* error_factory = nullptr;

py::tuple diagnostic_tuple(const diagnostic& d) {
  return py::make_tuple(static_cast<int>(d.code), d.message, d.path, d.file, d.line, d.column,
                        d.source_line);
}

void set_python_error(const duly::error& e) {
  if (error_factory != nullptr) {
    try {
      py::list diagnostics;
      for (const auto& d : e.diagnostics()) diagnostics.append(diagnostic_tuple(d));
      auto factory = py::reinterpret_borrow<py::object>(error_factory);
      py::object exc = factory(static_cast<int>(e.code()), e.message(), diagnostics);
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
      return;
    } catch (py::error_already_set& failure) {
      // The factory itself failed: report that rather than hide it.
      failure.restore();
      return;
    }
  }
  PyErr_SetString(PyExc_ValueError, e.message().c_str());
}

}  // namespace

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
