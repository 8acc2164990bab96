// List values (value.hpp): the builder of their canonical text, and reading
// that text back: membership without allocating, the item count, the items.
//
// The canonical text is JSON that this file and json_writer.cpp write, so the
// reader below need only know that form: items separated by ',' with no
// spaces; strings in double quotes with the escapes append_json_string writes
// (\" \\ \n \r \t \u00XX, and \ufffd); numbers as append_json_number writes them;
// true and false.
#include <duly/value.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>

#include "base/json_writer.hpp"

namespace duly {

namespace {

// One item of a list's text: `text` is the item as written (a string with its
// quotes).
struct list_item {
  value_kind kind = value_kind::null;
  std::string_view text;
};

// Calls f(list_item) for each item of the canonical text, in order, until f
// returns true; returns whether one did.
template <class F>
bool for_each_item(std::string_view list, F&& f) noexcept {
  if (list.size() < 2) return false;
  std::size_t i = 1;  // past '['
  const std::size_t end = list.size() - 1;  // the ']'
  while (i < end) {
    list_item item;
    const std::size_t from = i;
    if (list[i] == '"') {
      ++i;
      while (i < end && list[i] != '"') i += list[i] == '\\' ? 2 : 1;
      ++i;  // the closing quote
      item.kind = value_kind::string;
    } else {
      while (i < end && list[i] != ',') ++i;
      item.kind = list[from] == 't' || list[from] == 'f' ? value_kind::boolean : value_kind::number;
    }
    item.text = list.substr(from, i - from);
    if (f(item)) return true;
    ++i;  // past ','
  }
  return false;
}

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the UTF-8 bytes of code point `cp` (below 0x10000) to `out`, which
// holds at least 3 bytes; returns how many.
std::size_t utf8_bytes(std::uint32_t cp, char* out) noexcept {
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  out[0] = static_cast<char>(0xE0 | (cp >> 12));
  out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[2] = static_cast<char>(0x80 | (cp & 0x3F));
  return 3;
}

// Calls f(bytes) with the decoded text of a quoted canonical string, piece by
// piece, until f returns false; returns whether it went to the end.
template <class F>
bool decode_string(std::string_view quoted, F&& f) noexcept {
  const std::string_view s = quoted.substr(1, quoted.size() - 2);
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t run = i;
    while (run < s.size() && s[run] != '\\') ++run;
    if (run > i && !f(s.substr(i, run - i))) return false;
    i = run;
    if (i >= s.size()) break;
    const char e = i + 1 < s.size() ? s[i + 1] : '\\';
    char buf[3];
    std::size_t n = 1;
    std::size_t used = 2;
    switch (e) {
      case 'n': buf[0] = '\n'; break;
      case 'r': buf[0] = '\r'; break;
      case 't': buf[0] = '\t'; break;
      case 'u': {
        std::uint32_t cp = 0;
        for (std::size_t k = 0; k < 4; ++k) {
          const int d = i + 2 + k < s.size() ? hex_digit(s[i + 2 + k]) : -1;
          cp = cp * 16 + static_cast<std::uint32_t>(d < 0 ? 0 : d);
        }
        n = utf8_bytes(cp, buf);
        used = 6;
        break;
      }
      default: buf[0] = e;  // \" and \\ (and anything else, as itself)
    }
    if (!f(std::string_view(buf, n))) return false;
    i += used;
  }
  return true;
}

bool string_equals(std::string_view quoted, std::string_view text) noexcept {
  std::size_t at = 0;
  const bool whole = decode_string(quoted, [&](std::string_view piece) {
    if (text.substr(at, piece.size()) != piece) return false;
    at += piece.size();
    return true;
  });
  return whole && at == text.size();
}

double number_of(std::string_view text) noexcept {
  double d = 0;
  std::from_chars(text.data(), text.data() + text.size(), d);
  return d;
}

bool item_equals(const list_item& item, const value& v) noexcept {
  if (item.kind != v.kind()) return false;
  switch (v.kind()) {
    case value_kind::string: return string_equals(item.text, v.as_string());
    case value_kind::number: return number_of(item.text) == v.as_number();
    case value_kind::boolean: return (item.text == "true") == v.as_bool();
    default: return false;
  }
}

owned_value item_value(const list_item& item) {
  switch (item.kind) {
    case value_kind::string: {
      std::string text;
      decode_string(item.text, [&](std::string_view piece) {
        text += piece;
        return true;
      });
      return owned_value(value::string(text));
    }
    case value_kind::number: return owned_value(value::number(number_of(item.text)));
    case value_kind::boolean: return owned_value(value::boolean(item.text == "true"));
    default: return owned_value();
  }
}

}  // namespace

bool value::contains(const value& item) const noexcept {
  if (kind_ != value_kind::list) return false;
  if (item.kind() != value_kind::string && item.kind() != value_kind::number && item.kind() != value_kind::boolean)
    return false;
  return for_each_item(string_, [&](const list_item& it) { return item_equals(it, item); });
}

std::size_t value::list_size() const noexcept {
  if (kind_ != value_kind::list) return 0;
  std::size_t n = 0;
  for_each_item(string_, [&](const list_item&) {
    ++n;
    return false;
  });
  return n;
}

std::vector<owned_value> list_items(const value& list) {
  std::vector<owned_value> out;
  if (!list.is_list()) return out;
  for_each_item(list.list_text(), [&](const list_item& it) {
    out.push_back(item_value(it));
    return false;
  });
  return out;
}

bool list_builder::add(const value& item) {
  switch (item.kind()) {
    case value_kind::string:
      if (size_ > 0) text_ += ',';
      detail::append_json_string(text_, item.as_string());
      break;
    case value_kind::number: {
      const double d = item.as_number();
      if (!std::isfinite(d)) return false;
      if (size_ > 0) text_ += ',';
      detail::append_json_number(text_, d == 0 ? 0.0 : d);  // -0 is 0
      break;
    }
    case value_kind::boolean:
      if (size_ > 0) text_ += ',';
      text_ += item.as_bool() ? "true" : "false";
      break;
    default: return false;
  }
  ++size_;
  return true;
}

}  // namespace duly
