// Input helpers shared by the subcommands: calendar files, instants, stdin rows.
#include "command.hpp"

#include <cctype>
#include <istream>
#include <ostream>

namespace duly::cli {

void report(const streams& io, std::string_view where, std::string_view message) {
  io.err << "duly: " << where << ": " << message << '\n';
}

void report(const streams& io, std::string_view where, const error& e) {
  for (const auto& d : e.diagnostics()) report(io, where, d.render());
}

std::optional<calendar> load_calendar_file(const streams& io, const std::string& path) {
  auto cal = load_calendar(path);
  if (!cal) {
    // The diagnostics already start with "file:line:column:", like a compiler's.
    io.err << cal.error().render() << '\n';
    return std::nullopt;
  }
  return std::move(*cal);
}

bool load_input_zone(const streams& io, const std::string& name,
                     std::optional<time_zone>& zone) {
  if (name.empty()) return true;
  auto z = time_zone::locate(name);
  if (!z) {
    report(io, "--zone", z.error());
    return false;
  }
  zone = std::move(*z);
  return true;
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits a stdin line into `n` fields: on commas when it has any, else on runs
// of whitespace. One field is the whole (trimmed) line, so that instants
// written with a space ("2026-11-23 08:30Z") work one per line.
std::vector<std::string> split_fields(std::string_view line, std::size_t n) {
  std::vector<std::string> fields;
  if (n == 1) {
    fields.emplace_back(line);
    return fields;
  }
  if (line.find(',') != std::string_view::npos) {
    std::size_t start = 0;
    while (true) {
      const auto comma = line.find(',', start);
      fields.emplace_back(trim(line.substr(start, comma - start)));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    return fields;
  }
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    const auto start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i > start) fields.emplace_back(line.substr(start, i - start));
  }
  return fields;
}

}  // namespace

std::optional<std::vector<std::vector<located_text>>> read_rows(
    const streams& io, const std::vector<std::pair<std::string, std::string>>& values) {
  std::vector<std::size_t> from_stdin;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i].second == "-") from_stdin.push_back(i);
  }
  std::vector<located_text> fixed;
  for (const auto& [option, value] : values) fixed.push_back({value, option});

  std::vector<std::vector<located_text>> rows;
  if (from_stdin.empty()) {
    rows.push_back(std::move(fixed));
    return rows;
  }

  bool ok = true;
  std::string line;
  int line_number = 0;
  while (std::getline(io.in, line)) {
    ++line_number;
    const auto content = trim(line);
    if (content.empty()) continue;
    const std::string where = "<stdin>:" + std::to_string(line_number);
    auto fields = split_fields(content, from_stdin.size());
    if (fields.size() != from_stdin.size()) {
      report(io, where,
             "expected " + std::to_string(from_stdin.size()) + " instants separated by a comma or "
             "whitespace, found " + std::to_string(fields.size()));
      ok = false;
      continue;
    }
    auto row = fixed;
    for (std::size_t k = 0; k < from_stdin.size(); ++k) {
      row[from_stdin[k]] = {std::move(fields[k]), where};
    }
    rows.push_back(std::move(row));
  }
  if (!ok) return std::nullopt;
  return rows;
}

result<instant> parse_input_instant(const std::string& text, const std::optional<time_zone>& zone) {
  return zone ? parse_instant(text, *zone) : parse_instant(text);
}

}  // namespace duly::cli
