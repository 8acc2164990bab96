// Reading POST /v1/events bodies (body.hpp).
#include "serve/body.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace duly::serve {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

char first_char(std::string_view body) {
  std::string_view t = trim(body.substr(0, std::min<std::size_t>(body.size(), 4096)));
  if (t.size() >= 3 && static_cast<unsigned char>(t[0]) == 0xEF && static_cast<unsigned char>(t[1]) == 0xBB &&
      static_cast<unsigned char>(t[2]) == 0xBF)
    t = trim(t.substr(3));  // a byte order mark
  return t.empty() ? '\0' : t.front();
}

problem too_large(std::string code, std::string message) { return {413, std::move(code), std::move(message)}; }

}  // namespace

answer<body_kind> kind_of(std::string_view content_type, std::string_view body) {
  std::string type = lower(trim(content_type.substr(0, content_type.find(';'))));
  if (type == "application/x-ndjson" || type == "application/jsonl" || type == "application/x-jsonlines" ||
      type == "application/jsonlines" || type == "application/json-lines")
    return body_kind::jsonl;
  if (type == "text/csv") return body_kind::csv;
  if (type == "application/json") return first_char(body) == '[' ? body_kind::json_array : body_kind::jsonl;
  if (type.empty()) {
    const char c = first_char(body);
    if (c == '[') return body_kind::json_array;
    if (c == '{' || c == '\0') return body_kind::jsonl;
    return body_kind::csv;
  }
  return tl::unexpected(problem{415, "unsupported_media_type",
                                "Content-Type '" + std::string(content_type) +
                                    "' is not one of application/x-ndjson (JSON Lines), application/json (an array "
                                    "of events) or text/csv"});
}

std::size_t invalid_utf8_at(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
      return i;
    i += len;
  }
  return std::string_view::npos;
}

answer<void> check_size(std::string_view body, const body_limits& limits) {
  if (body.size() > limits.max_body_bytes)
    return tl::unexpected(too_large("body_too_large", "the body is " + std::to_string(body.size()) +
                                                          " bytes, more than the limit of " +
                                                          std::to_string(limits.max_body_bytes)));
  if (const std::size_t bad = invalid_utf8_at(body); bad != std::string_view::npos)
    return tl::unexpected(problem{400, "not_utf8", "the body is not UTF-8 text (byte " + std::to_string(bad) + ")"});
  return {};
}

answer<event_batch> read_body(std::string_view body, body_kind kind, const body_limits& limits,
                              const read_options& options) {
  if (auto ok = check_size(body, limits); !ok) return tl::unexpected(ok.error());
  if (kind != body_kind::json_array) {
    // Line lengths and the row count before any parsing: the cost of a refusal
    // is one pass over the bytes.
    std::size_t line = 0;
    std::size_t rows = 0;
    std::size_t start = 0;
    while (start <= body.size()) {
      std::size_t end = body.find('\n', start);
      if (end == std::string_view::npos) end = body.size();
      ++line;
      const std::string_view text = body.substr(start, end - start);
      if (text.size() > limits.max_line_bytes)
        return tl::unexpected(too_large("line_too_long", "line " + std::to_string(line) + " is " +
                                                             std::to_string(text.size()) +
                                                             " bytes, more than the limit of " +
                                                             std::to_string(limits.max_line_bytes)));
      if (!trim(text).empty()) ++rows;
      start = end + 1;
    }
    if (kind == body_kind::csv && rows > 0) --rows;  // the header
    if (rows > limits.max_rows)
      return tl::unexpected(too_large("too_many_rows", "the body has " + std::to_string(rows) +
                                                           " rows, more than the limit of " +
                                                           std::to_string(limits.max_rows) + " per request"));
  }
  switch (kind) {
    case body_kind::jsonl: return read_events_jsonl(body, options);
    case body_kind::csv: {
      auto batch = read_events_csv(body, options);
      if (!batch) return tl::unexpected(problem{400, "bad_csv", "the CSV cannot be read: " + batch.error().message()});
      return std::move(*batch);
    }
    case body_kind::json_array: {
      nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
      if (doc.is_discarded() || !doc.is_array()) {
        std::string why;
        try {
          [[maybe_unused]] const nlohmann::json again = nlohmann::json::parse(body);  // throws the reason if not JSON
          why = "it is valid JSON but not an array";
        } catch (const nlohmann::json::exception& e) {
          why = e.what();
        }
        return tl::unexpected(problem{400, "bad_json", "the body is not a JSON array of events: " + why});
      }
      if (doc.size() > limits.max_rows)
        return tl::unexpected(too_large("too_many_rows", "the array has " + std::to_string(doc.size()) +
                                                             " elements, more than the limit of " +
                                                             std::to_string(limits.max_rows) + " per request"));
      // Each element as one JSON Lines line, so that the library's reader
      // checks it: line i of the text is element i of the array.
      std::string lines;
      lines.reserve(body.size() + doc.size());
      std::size_t i = 0;
      for (const auto& element : doc) {
        ++i;
        std::string text = element.dump();
        if (text.size() > limits.max_line_bytes)
          return tl::unexpected(too_large("line_too_long", "element " + std::to_string(i) + " is " +
                                                               std::to_string(text.size()) +
                                                               " bytes, more than the limit of " +
                                                               std::to_string(limits.max_line_bytes)));
        // A blank element keeps its line so that numbers still match.
        lines += text;
        lines += '\n';
      }
      return read_events_jsonl(lines, options);
    }
  }
  return event_batch{};
}

}  // namespace duly::serve
