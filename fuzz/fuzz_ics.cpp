// Fuzzes the iCalendar reader behind `{ics: PATH}` holiday entries
// (src/calendar/ics.cpp, over libical): any bytes either fail with
// diagnostics that each name the file (and a line inside the text, where
// given), or give dated holidays inside 1970 to 2199 and closed spans that end
// after they start, within the documented limits. A calendar made of what was
// read builds, and is closed at the start of every closed span it keeps.
#include <duly/calendar.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "calendar/ics.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto got = duly::detail::parse_ics(text, "fuzz.ics", "holidays[0].ics");
  const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  if (!got) {
    for (const auto& d : got.error().diagnostics()) {
      DULY_FUZZ_CHECK(d.file == "fuzz.ics", "diagnostic without the file: " << d.to_string());
      DULY_FUZZ_CHECK(d.line >= 0 && d.line <= lines, "line " << d.line << " outside the text: " << d.to_string());
      DULY_FUZZ_CHECK(!d.message.empty(), "empty message");
    }
    return 0;
  }
  DULY_FUZZ_CHECK(got->dates.size() + got->spans.size() <= duly::detail::ics_max_occurrences,
                  "more occurrences than the limit: " << got->dates.size() + got->spans.size());
  for (const auto& h : got->dates) {
    DULY_FUZZ_CHECK(h.type == duly::holiday_rule::kind::date && h.date.ok(), "not a valid dated holiday");
    DULY_FUZZ_CHECK(h.date.year() >= std::chrono::year{1970} && h.date.year() <= std::chrono::year{2199},
                    "date outside the supported years: " << int{h.date.year()});
  }
  for (const auto& s : got->spans) DULY_FUZZ_CHECK(s.end > s.start, "a closed span that does not end after it starts");

  duly::calendar_spec spec;
  spec.timezone = "America/New_York";
  spec.holidays = got->dates;
  spec.closed = got->spans;
  const auto cal = duly::calendar::make(spec);
  DULY_FUZZ_CHECK(cal.has_value(), "what the reader gave does not make a calendar: " << cal.error().message());
  for (std::size_t i = 0; i < spec.closed.size() && i < 64; ++i) {
    const auto& s = spec.closed[i];
    const auto zone = s.timezone.empty() ? cal->zone() : *duly::time_zone::locate(s.timezone);
    const auto start = zone.first_reach(s.start);
    const auto end = zone.first_reach(s.end);
    if (start >= end || start < duly::min_supported_instant || start >= duly::max_supported_instant) continue;
    DULY_FUZZ_CHECK(!cal->is_open(start), "open at the start of a closed span " << duly_fuzz::show(start));
  }
  return 0;
}
