// Pieces of the calendar reader that the policy reader reuses (not installed).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <duly/calendar.hpp>

#include "base/document.hpp"

namespace duly::detail {

result<window> parse_window(std::string_view text);
result<std::pair<std::vector<int>, int>> parse_day_key(std::string_view key);
// The short key of day d (0 = Monday): "mon".
std::string_view day_key(int d);
// Reads `since` and `until` (years in force) into h.
void read_years(document& doc, const YAML::Node& node, const std::string& path, holiday_rule& h);
std::optional<std::vector<window>> read_windows(document& doc, const YAML::Node& node, const std::string& path);
// A holiday rule; `with_hours` also allows the `hours` key of a yearly exception
// (the caller reads it).
std::optional<holiday_rule> read_holiday(document& doc, const YAML::Node& node, const std::string& path,
                                         bool with_hours = false);
// Reads a calendar at `node`; reports problems into `doc`. Relative `ics`
// paths are read from `base_dir` (empty: the working directory).
std::optional<calendar_spec> read_calendar(document& doc, const YAML::Node& node, const std::string& path,
                                           const std::filesystem::path& base_dir = {});
// Policy and calendar documents are read whole; beyond this size a file is
// refused (it is not a document a person wrote).
inline constexpr std::size_t document_max_bytes = std::size_t{16} << 20;
// The whole content of a text file, or an error naming it: io_error when it
// cannot be read, invalid_argument when it holds more than `max_bytes` or a NUL
// byte (a binary file, or a device such as /dev/zero: reading stops at once).
// Reads at most max_bytes + 1 bytes, in blocks, so it always ends.
result<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes = document_max_bytes);

}  // namespace duly::detail
