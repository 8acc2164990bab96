// Input helpers shared by the subcommands: calendar files, instants, stdin rows.
#include "command.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <istream>
#include <ostream>
#include <sstream>

#include <unistd.h>

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

std::optional<policy> load_policy_file(const streams& io, const std::string& path) {
  auto p = load_policy(path);
  if (!p) {
    io.err << p.error().render() << '\n';
    return std::nullopt;
  }
  return std::move(*p);
}

// Reads the whole events input and parses it in the format asked for, or the
// one its name (or, for stdin, its first character) suggests.
std::optional<event_batch> read_event_file(const streams& io, const std::string& file, const std::string& events_format,
                                           const time_zone* zone, std::span<const attribute_spec> declared) {
  std::string name = file == "-" ? std::string("<stdin>") : file;
  result<std::string> read = fail(errc::io_error, "");
  if (file == "-") {
    read = read_event_input(io.in, name);
  } else {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) {
      report(io, file, "is a directory, not an events file");
      return std::nullopt;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      report(io, file, "cannot open the file for reading");
      return std::nullopt;
    }
    read = read_event_input(in, name);
  }
  if (!read) {
    io.err << "duly: " << read.error().message() << '\n';  // it names the input
    return std::nullopt;
  }
  const std::string& text = *read;
  std::string format = events_format;
  if (format.empty()) {
    const auto ends_with = [&](std::string_view s) {
      return file.size() >= s.size() && file.compare(file.size() - s.size(), s.size(), s) == 0;
    };
    if (ends_with(".csv")) {
      format = "csv";
    } else if (ends_with(".jsonl") || ends_with(".ndjson") || ends_with(".json")) {
      format = "jsonl";
    } else {
      const auto first = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
      format = first != std::string::npos && text[first] == '{' ? "jsonl" : "csv";
    }
  }
  read_options ro;
  ro.source_name = name;
  ro.zone = zone;
  ro.declared = declared;
  if (format == "csv") {
    auto batch = read_events_csv(std::string_view(text), ro);
    if (!batch) {
      report(io, name, batch.error());
      return std::nullopt;
    }
    return std::move(*batch);
  }
  return read_events_jsonl(std::string_view(text), ro);
}

void add_zone_option(CLI::App* cmd, std::string& zone) {
  cmd->add_option("--zone", zone,
                  "Read event instants written without an offset as wall-clock times in this IANA zone "
                  "(a time a DST change skips: the instant of the change; a repeated one: its first occurrence)")
      ->type_name("ZONE");
}

CLI::Validator wait_seconds_validator() {
  return CLI::Validator(
      [](std::string& v) -> std::string {
        double d = 0;
        const char* b = v.data();
        const auto [end, ec] = std::from_chars(b, b + v.size(), d);
        if (ec != std::errc() || end != b + v.size() || !std::isfinite(d) || d < 0 || d > 1e6)
          return "expected a number of seconds from 0 to 1000000, got '" + v + "'";
        return {};
      },
      "SECONDS");
}

std::string plural(std::uint64_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

output_format to_output_format(const std::string& format) {
  if (format == "csv") return output_format::csv;
  if (format == "table") return output_format::table;
  return output_format::jsonl;
}

bool use_color(const streams& io, const std::string& color) {
  return color == "always" || (color == "auto" && &io.out == &std::cout && ::isatty(1));
}

bool refuse_rejected(const streams& io, const event_batch& batch, const std::string& events_file,
                     std::string_view command, std::string_view consequence) {
  if (batch.rejected.empty()) return false;
  const std::string where = events_file == "-" ? "<stdin>" : events_file;
  for (const auto& r : batch.rejected) report(io, where + ":" + std::to_string(r.line), r.reason);
  io.err << "duly: " << command << ": " << plural(batch.rejected.size(), "row") << " rejected (--strict): "
         << consequence << '\n';
  return true;
}

std::optional<instant> parse_as_of(const streams& io, const std::string& text, std::string_view option) {
  auto t = parse_instant(text);
  if (t && (*t < min_supported_instant || *t >= max_supported_instant))
    t = fail(errc::out_of_range, "instant " + format_instant(*t) + " is outside the supported years 1970 to 2199");
  if (!t) {
    report(io, option, t.error());
    return std::nullopt;
  }
  return *t;
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
