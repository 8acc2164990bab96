// Reading iCalendar (RFC 5545) files into holidays and closed spans, with
// libical (not installed; libical stays PRIVATE to the library).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <duly/calendar.hpp>

namespace duly::detail {

// What an iCalendar file closes: all-day events as dated holidays (one per
// date of [DTSTART, DTEND)), timed events as closed spans; RRULE, RDATE and
// EXDATE expanded over 1970 to 2199, cancelled events and overridden instances
// (RECURRENCE-ID) taken into account.
struct ics_contents {
  std::vector<holiday_rule> dates;
  std::vector<closed_span> spans;
};

// The limits that bound the work on a hostile file.
inline constexpr std::uintmax_t ics_max_bytes = 16u << 20;
inline constexpr int ics_max_depth = 8;
inline constexpr std::size_t ics_max_occurrences = 200000;
inline constexpr std::size_t ics_max_rule_steps = 500000;  // over all the rules of a file

// Reads `file`. Each problem is a diagnostic naming `file` (as given) and, where
// known, the line, with `element_path` as its path.
result<ics_contents> read_ics(const std::filesystem::path& file, const std::string& element_path);
// The same from text already read; `file` names it in messages.
result<ics_contents> parse_ics(std::string_view text, const std::string& file, const std::string& element_path);

}  // namespace duly::detail
