// Instants and durations as integer seconds: text forms and supported range.
#include "bindings.hpp"

#include <cstdint>
#include <optional>
#include <string>

#include <pybind11/stl.h>

#include <duly/time.hpp>
#include <duly/zone.hpp>

namespace duly::python {

void bind_time(py::module_& m) {
  m.attr("MIN_SUPPORTED_SECONDS") = min_supported_instant.time_since_epoch().count();
  m.attr("MAX_SUPPORTED_SECONDS") = max_supported_instant.time_since_epoch().count();
  m.attr("MAX_DURATION_SECONDS") = max_duration.count();

  m.def(
      "parse_instant",
      [](const std::string& text, const std::optional<std::string>& timezone) -> std::int64_t {
        if (timezone) {
          const time_zone zone = unwrap(time_zone::locate(*timezone));
          return unwrap(duly::parse_instant(text, zone)).time_since_epoch().count();
        }
        return unwrap(duly::parse_instant(text)).time_since_epoch().count();
      },
      py::arg("text"), py::arg("timezone") = py::none(),
      "ISO-8601 text -> seconds since the epoch. Text without an offset needs `timezone`.");

  m.def(
      "format_instant",
      [](std::int64_t t) { return duly::format_instant(instant{seconds{t}}); }, py::arg("t"),
      "Seconds since the epoch -> '2026-11-23T15:30:00Z'.");

  m.def(
      "parse_duration",
      [](const std::string& text) {
        const duration_spec d = unwrap(duly::parse_duration(text));
        return py::make_tuple(d.value.count(), d.business_days, d.calendar_days);
      },
      py::arg("text"),
      "'1h30m' -> (5400, 0, 0); '3bd' -> (0, 3, 0); '30cd' -> (0, 0, 30): (seconds, business days, calendar days).");

  m.def(
      "format_duration", [](std::int64_t d) { return duly::format_duration(seconds{d}); },
      py::arg("seconds"), "5400 -> '1h30m'.");
}

}  // namespace duly::python
