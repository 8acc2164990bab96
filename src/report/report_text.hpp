// What the report's writers share (private to src/report/): the order of `by`
// values, how values, durations and attainment read, and HTML escaping.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <duly/time.hpp>
#include <duly/value.hpp>

namespace duly::report_detail {

// Group values in the order the Python report sorts them: booleans, then
// fractional numbers, then whole numbers, then text (as Python names their
// types: bool < float < int < str), each by value; null last.
[[nodiscard]] bool value_less(const value& a, const value& b) noexcept;

// A value as text for a cell: the text itself, a number as JSON writes it
// (42, 0.5), true / false; `null_text` for null.
[[nodiscard]] std::string value_text(const value& v, std::string_view null_text);

// Every unit, so that the text is exact: "1d 7h 50m 40s", "45s", "0s".
[[nodiscard]] std::string exact_duration(seconds d);

// met / judged as a percentage with two decimals, rounded half up for display
// only: "60.92%". judged must be positive.
[[nodiscard]] std::string percent_text(std::int64_t met, std::int64_t judged);

// The shortest decimal text that reads back as the double met / judged
// ("0.6092342342342343"), as Python prints the float; empty when judged is 0.
[[nodiscard]] std::string attainment_number(std::int64_t met, std::int64_t judged);

// "2026-11-23 15:30Z" (seconds only when not zero).
[[nodiscard]] std::string compact_instant(instant t);

// Appends `s` escaped for HTML text and attribute values (& < > " '). Bytes
// that are not UTF-8, control characters other than tab and newline, and
// Unicode noncharacters become U+FFFD, so that the page is always valid HTML.
// With max_code_points > 0, longer text is cut there and ends with "…".
void append_html(std::string& out, std::string_view s, std::size_t max_code_points = 0);

// The number of code points of valid UTF-8 text (each bad byte counts as one).
[[nodiscard]] std::size_t code_points(std::string_view s) noexcept;

}  // namespace duly::report_detail
