// The one JSON writer (json_writer.hpp), and value::to_json, which is written
// with it.
#include "base/json_writer.hpp"

#include <cmath>
#include <cstdio>

#include "base/text.hpp"

namespace duly::detail {

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    // Runs of characters written as they are, copied at once.
    std::size_t run = i;
    while (run < s.size()) {
      const auto u = static_cast<unsigned char>(s[run]);
      if (u < 0x20 || u == '"' || u == '\\' || u >= 0x80) break;
      ++run;
    }
    out.append(s.data() + i, run - i);
    i = run;
    if (i == s.size()) break;
    const auto u = static_cast<unsigned char>(s[i]);
    if (u >= 0x80) {
      const std::size_t n = utf8_sequence(s, i);
      if (n == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(s.data() + i, n);
        i += n;
      }
      continue;
    }
    switch (u) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:  // the other control characters
        out += "\\u00";
        out += hex[u >> 4];
        out += hex[u & 0xF];
    }
    ++i;
  }
  out += '"';
}

void append_json_number(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[32];
  if (d == std::floor(d) && std::fabs(d) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", d);
  else std::snprintf(buf, sizeof buf, "%.17g", d);
  out += buf;
}

void append_json_value(std::string& out, const value& v) {
  switch (v.kind()) {
    case value_kind::null: out += "null"; return;
    case value_kind::boolean: out += v.as_bool() ? "true" : "false"; return;
    case value_kind::number: append_json_number(out, v.as_number()); return;
    case value_kind::string: append_json_string(out, v.as_string()); return;
    case value_kind::list: out += v.list_text(); return;  // canonical JSON already
  }
  out += "null";
}

bool is_json_number(std::string_view t) noexcept {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t from = i;
    while (i < t.size() && is_digit(t[i])) ++i;
    return i > from;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') ++i;
  else if (i < t.size() && t[i] >= '1' && t[i] <= '9') digits();
  else return false;
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

}  // namespace duly::detail

namespace duly {

std::string value::to_json() const {
  std::string out;
  detail::append_json_value(out, *this);
  return out;
}

}  // namespace duly
