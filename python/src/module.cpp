// duly._duly: the compiled part of the duly Python package.
//
// Private: import `duly` instead, whose pure-Python layer converts datetimes,
// timedeltas and numpy arrays to the integer seconds this module speaks, and
// maps duly errors to the duly.Error classes.
#include "bindings.hpp"

#include <duly/version.hpp>

PYBIND11_MODULE(_duly, m) {
  m.doc() = "duly's compiled core on integer seconds (private; use the duly package).";
  m.attr("__version__") = duly::version_string;
  duly::python::bind_errors(m);
  duly::python::bind_time(m);
  duly::python::bind_calendar(m);
  duly::python::bind_policy(m);
  duly::python::bind_events(m);
  duly::python::bind_results(m);
  duly::python::bind_store(m);
  duly::python::bind_report(m);
}
