// Errors: formatting of diagnostics.
#include <duly/error.hpp>

#include <algorithm>
#include <string>

namespace duly {

std::string_view to_string(errc code) noexcept {
  switch (code) {
    case errc::invalid_argument: return "invalid_argument";
    case errc::parse_error: return "parse_error";
    case errc::unknown_zone: return "unknown_zone";
    case errc::out_of_range: return "out_of_range";
    case errc::never_open: return "never_open";
    case errc::never_closes: return "never_closes";
    case errc::io_error: return "io_error";
    case errc::store_busy: return "store_busy";
    case errc::store_unusable: return "store_unusable";
  }
  return "unknown";
}

std::string diagnostic::to_string() const {
  std::string out;
  if (!file.empty()) {
    out += file;
    out += ':';
  }
  if (line > 0) {
    out += std::to_string(line);
    out += ':';
    if (column > 0) {
      out += std::to_string(column);
      out += ':';
    }
  }
  if (!out.empty()) out += ' ';
  if (!path.empty()) {
    out += path;
    out += ": ";
  }
  out += message;
  return out;
}

namespace {
// Whether `part` (a view into `whole`) reaches the end of it.
bool from_end(std::string_view whole, std::string_view part) {
  return part.data() + part.size() == whole.data() + whole.size();
}
}  // namespace

std::string diagnostic::render() const {
  std::string out = to_string();
  if (!source_line.empty() && column > 0) {
    // Long lines show a window of them around the column.
    constexpr std::size_t window = 120;
    std::string_view text = source_line;
    // A column past the line (a mark from a decoder that read the bytes
    // differently, e.g. yaml-cpp taking a leading NUL for UTF-16) points just
    // past its end.
    std::size_t caret = std::min(static_cast<std::size_t>(column - 1), text.size());
    std::string prefix;
    if (text.size() > window) {
      const std::size_t from = caret > window / 2 ? caret - window / 2 : 0;
      if (from > 0) prefix = "...";
      text = text.substr(from, window);
      caret = caret - from + prefix.size();
    }
    const std::string shown = prefix + std::string(text) + (from_end(source_line, text) ? "" : "...");
    out += '\n';
    out += shown;
    out += '\n';
    // Keep tabs so the caret lines up under tab-indented text.
    for (std::size_t k = 0; k < caret; ++k) out += (k < shown.size() && shown[k] == '\t') ? '\t' : ' ';
    out += '^';
  }
  return out;
}

error::error(errc code, std::string message)
    : error(diagnostic{code, std::move(message), {}, {}, 0, 0, {}}) {}

error::error(diagnostic d) : error(std::vector<diagnostic>{std::move(d)}) {}

error::error(std::vector<diagnostic> ds) : diagnostics_(std::move(ds)) {
  if (diagnostics_.empty()) diagnostics_.push_back({errc::invalid_argument, "unknown error", {}, {}, 0, 0, {}});
  for (const auto& d : diagnostics_) {
    if (!message_.empty()) message_ += '\n';
    message_ += d.to_string();
  }
}

std::string error::render() const {
  std::string out;
  for (const auto& d : diagnostics_) {
    if (!out.empty()) out += '\n';
    out += d.render();
  }
  return out;
}

}  // namespace duly
