// duly.html_report: the report page of duly/report.hpp over events given as
// columns (as for evaluate), computed and written to bytes without the GIL.
//
// The page is the same C++ code as `duly report --html`: the Python layer only
// passes the evaluation's policy, events and as_of, and writes the bytes out.

#include "columns.hpp"

#include <sstream>
#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <duly/report.hpp>

namespace duly::python {
namespace {

py::bytes page_of(const policy_handle& p, i64 as_of, const std::vector<event>& events, const std::string& by,
                  std::size_t max_timelines, std::uint64_t rejected, const std::string& title) {
  check_as_of(as_of);
  report_options options;
  options.by = by;
  options.max_timelines = max_timelines;
  options.title = title;
  std::string html;
  std::optional<duly::error> failed;
  {
    py::gil_scoped_release release;
    auto r = make_report(p.compiled, std::span<const event>(events), instant{seconds{as_of}}, options);
    if (r) {
      r->rejected = rejected;
      std::ostringstream out;
      write_report_html(out, *r);
      html = std::move(out).str();
    } else {
      failed = std::move(r).error();
    }
  }
  if (failed) raise(std::move(*failed));
  return py::bytes(html);
}

py::bytes html_report_columns(const policy_handle& p, i64 as_of, const py::list& ids, const i64_array& at,
                              const py::list& names, const py::list& attributes, const py::object& accepted,
                              const std::string& by, std::size_t max_timelines, std::uint64_t rejected,
                              const std::string& title) {
  return page_of(p, as_of, build_events(ids, at, names, attributes, accepted), by, max_timelines, rejected, title);
}

py::bytes html_report_frame(const policy_handle& p, i64 as_of, const py::tuple& ids, const i64_array& at,
                            const py::tuple& names, const py::list& attributes, const py::object& accepted,
                            const std::string& by, std::size_t max_timelines, std::uint64_t rejected,
                            const std::string& title) {
  return page_of(p, as_of, frame_event_list(*read_frame(ids, at, names, attributes, accepted)), by, max_timelines,
                 rejected, title);
}

}  // namespace

void bind_report(py::module_& m) {
  m.def("html_report", &html_report_columns, py::arg("policy"), py::arg("as_of"), py::arg("ids"), py::arg("at"),
        py::arg("names"), py::arg("attributes"), py::arg("accepted") = py::none(), py::kw_only(),
        py::arg("by") = std::string(), py::arg("max_timelines") = 50, py::arg("rejected") = 0,
        py::arg("title") = std::string(),
        "The report page (UTF-8 bytes) of events given as columns at as_of (seconds); releases the GIL.");
  m.def("html_report_frame", &html_report_frame, py::arg("policy"), py::arg("as_of"), py::arg("ids"), py::arg("at"),
        py::arg("names"), py::arg("attributes"), py::arg("accepted") = py::none(), py::kw_only(),
        py::arg("by") = std::string(), py::arg("max_timelines") = 50, py::arg("rejected") = 0,
        py::arg("title") = std::string(), "html_report() on events given as for evaluate_frame.");
}

}  // namespace duly::python
