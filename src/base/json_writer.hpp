// The one JSON writer: every JSON text duly produces goes through here (result
// lines, explain lines, the actions of a policy's `do` lists, attribute values
// in explain details, and the store's canonical event lines, which is why its
// output for valid UTF-8 must never change: a store recognises a re-delivered
// event by the exact bytes of that line).
//
// Strings (RFC 8259, which requires UTF-8):
// - `"` and `\` are escaped, `\n`, `\r` and `\t` get their short escapes and the
//   other control characters U+0000 to U+001F are written `\u00XX` (lowercase
//   hex); DEL (0x7F), `/` and all other characters are written as they are;
// - valid UTF-8 passes through unchanged (no `\u` escapes for non-ASCII);
// - each byte that does not belong to a valid UTF-8 sequence (a stray
//   continuation byte, a truncated sequence, an overlong form, a surrogate, a
//   code point above U+10FFFF) becomes one U+FFFD, written `\ufffd`, so that the
//   output is always valid JSON. The original bytes are not recoverable.
//
// Not installed; thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <duly/value.hpp>

namespace duly::detail {

// Appends `s` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view s);

// Appends a number: integers below 1e15 in magnitude without a fraction
// ("42", "-3"), others with 17 significant digits ("0.10000000000000001");
// NaN and infinities, which JSON cannot hold, as null.
void append_json_number(std::string& out, double d);

// Appends null, true, false, a number or a string.
void append_json_value(std::string& out, const value& v);

// Whether `text` is a JSON number as RFC 8259 writes one: -?(0|[1-9][0-9]*)
// (.[0-9]+)?([eE][+-]?[0-9]+)?. ("+1", ".5", "1." and "01" are not.)
[[nodiscard]] bool is_json_number(std::string_view text) noexcept;

// Builds one JSON object field by field: {"kind":"timer","id":"T-1",...}.
// Keys are names written in the code ("kind", "goal_seconds"): plain ASCII
// that needs no escaping, so they are copied as they are; values are escaped.
class json_object {
 public:
  json_object() : out_("{") {}

  json_object& string(std::string_view key, std::string_view text) {
    append_key(key);
    append_json_string(out_, text);
    return *this;
  }
  json_object& integer(std::string_view key, std::int64_t n) {
    append_key(key);
    out_ += std::to_string(n);
    return *this;
  }
  json_object& null(std::string_view key) {
    append_key(key);
    out_ += "null";
    return *this;
  }
  json_object& value(std::string_view key, const duly::value& v) {
    append_key(key);
    append_json_value(out_, v);
    return *this;
  }
  // `json` must already be JSON text (e.g. a list of actions).
  json_object& raw(std::string_view key, std::string_view json) {
    append_key(key);
    out_ += json;
    return *this;
  }

  // The object's text, closed.
  [[nodiscard]] std::string str() && {
    out_ += '}';
    return std::move(out_);
  }

 private:
  void append_key(std::string_view key) {
    if (out_.size() > 1) out_ += ',';
    out_ += '"';
    out_ += key;
    out_ += "\":";
  }

  std::string out_;
};

}  // namespace duly::detail
