// Instants and durations as integer seconds: text forms and supported range.
#include "bindings.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include <pybind11/numpy.h>
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
      "local_to_instants",
      [](const std::string& timezone, const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& local) {
        const time_zone zone = unwrap(time_zone::locate(timezone));
        constexpr std::int64_t nat = std::numeric_limits<std::int64_t>::min();
        py::array_t<std::int64_t> out(local.size());
        const std::int64_t* in = local.data();
        std::int64_t* o = out.mutable_data();
        const auto n = static_cast<std::size_t>(local.size());
        {
          py::gil_scoped_release release;
          for (std::size_t i = 0; i < n; ++i) {
            // Wall-clock readings far outside the supported years stay as they are
            // (the caller reports them out of range).
            if (in[i] == nat || in[i] < -86400LL * 366 * 2000 || in[i] > 86400LL * 366 * 2000) {
              o[i] = in[i];
              continue;
            }
            o[i] = zone.first_reach(std::chrono::local_seconds{seconds{in[i]}}).time_since_epoch().count();
          }
        }
        return out;
      },
      py::arg("timezone"), py::arg("local"),
      "Wall-clock readings in `timezone` (int64 seconds since 1970-01-01T00:00 local; the int64 minimum is NaT) "
      "-> instants: a reading a DST change skips is taken at the change, a repeated one at its first occurrence.");

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
