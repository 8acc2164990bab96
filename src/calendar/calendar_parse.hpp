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
// The whole content of a file, or an io_error naming it.
result<std::string> read_file(const std::filesystem::path& path);

}  // namespace duly::detail
