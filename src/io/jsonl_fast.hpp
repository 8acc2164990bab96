// The fast path of the JSON Lines reader (not installed): a flat object whose
// values are strings without \u escapes, numbers, bools or null, with id, at and
// event strings. It accepts a line only when it is sure that nlohmann would read
// the same event and the validator (event_check) finds no problem; on anything
// else it gives up and the line goes through the SAX reader (jsonl_reader.cpp),
// whose verdicts and messages are the reference. It exists for speed:
// nlohmann's lexer copies every character it reads.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <duly/event.hpp>

#include "base/text.hpp"

namespace duly::detail {

class fast_line_parser {
 public:
  // True when `line` was read into `e` (which is then complete), checked by
  // `check`.
  bool parse(std::string_view line, event_check& check, event& e) {
    p_ = line.data();
    end_ = line.data() + line.size();
    count_ = 0;
    skip_ws();
    if (!eat('{')) return false;
    skip_ws();
    if (!eat('}')) {
      for (;;) {
        if (count_ == fields_.size()) fields_.emplace_back();
        if (count_ == max_fields) return false;  // keeps the duplicate check linear
        field& f = fields_[count_++];
        if (!eat('"') || !string(f.name)) return false;
        skip_ws();
        if (!eat(':')) return false;
        skip_ws();
        if (!value(f)) return false;
        skip_ws();
        if (eat(',')) {
          skip_ws();
          continue;
        }
        if (eat('}')) break;
        return false;
      }
    }
    skip_ws();
    if (p_ != end_) return false;
    return build(check, e);
  }

 private:
  enum class kind : std::uint8_t { null, boolean, number, string };
  struct field {
    std::string name;
    kind k = kind::null;
    bool b = false;
    double d = 0;
    std::string text;
  };
  static constexpr std::size_t max_fields = 32;

  // The fields through the one validator; any problem gives up (the SAX reader
  // words it).
  bool build(event_check& check, event& e) {
    check.start(e);
    e.updates.reserve(count_);
    for (std::size_t i = 0; i < count_; ++i) {
      field& f = fields_[i];
      const bool required = f.name == "id" || f.name == "at" || f.name == "event";
      if (required) {
        if (f.k != kind::string) return false;  // integer ids and wrong kinds: the SAX reader
        if (f.name == "id") check.id(f.text);
        else if (f.name == "at") check.at(f.text);
        else check.name(f.text);
      } else {
        switch (f.k) {
          case kind::null: check.attribute(f.name, owned_value()); break;
          case kind::boolean: check.attribute(f.name, owned_value(value::boolean(f.b))); break;
          case kind::number: check.attribute(f.name, owned_value(value::number(f.d))); break;
          case kind::string: check.attribute(f.name, owned_value(value::string(f.text))); break;
        }
      }
      if (!check.ok()) return false;
    }
    return check.finish();
  }

  void skip_ws() noexcept {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\r' || *p_ == '\n')) ++p_;
  }
  bool eat(char c) noexcept {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool literal(std::string_view word) noexcept {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  bool value(field& f) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '"':
        ++p_;
        f.k = kind::string;
        return string(f.text);
      case 't':
        f.k = kind::boolean;
        f.b = true;
        return literal("true");
      case 'f':
        f.k = kind::boolean;
        f.b = false;
        return literal("false");
      case 'n':
        f.k = kind::null;
        return literal("null");
      default:
        f.k = kind::number;
        return number(f.d);
    }
  }

  // The rest of a string after its opening quote, decoded into `out`.
  bool string(std::string& out) {
    out.clear();
    for (;;) {
      const char* run = p_;
      while (p_ != end_) {
        const auto c = static_cast<unsigned char>(*p_);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++p_;
      }
      out.append(run, static_cast<std::size_t>(p_ - run));
      if (p_ == end_) return false;
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c >= 0x80) {
        const std::size_t n = detail::utf8_sequence(std::string_view(p_, static_cast<std::size_t>(end_ - p_)), 0);
        if (n == 0) return false;
        out.append(p_, n);
        p_ += n;
        continue;
      }
      // A backslash.
      if (++p_ == end_) return false;
      switch (*p_++) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        default: return false;  // \u escapes (and errors) are left to nlohmann
      }
    }
  }

  // A JSON number, converted as nlohmann converts it: integers through int64
  // or uint64, the rest through a correctly rounded decimal conversion.
  bool number(double& out) {
    const char* begin = p_;
    eat('-');
    if (p_ == end_ || !detail::is_digit(*p_)) return false;
    if (*p_ == '0') ++p_;
    else
      while (p_ != end_ && detail::is_digit(*p_)) ++p_;
    bool integer = true;
    if (eat('.')) {
      integer = false;
      if (p_ == end_ || !detail::is_digit(*p_)) return false;
      while (p_ != end_ && detail::is_digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integer = false;
      ++p_;
      if (!eat('+')) eat('-');
      if (p_ == end_ || !detail::is_digit(*p_)) return false;
      while (p_ != end_ && detail::is_digit(*p_)) ++p_;
    }
    if (integer) {
      // Integers beyond 2^53 are the SAX reader's to reject, with the reason.
      std::int64_t i = 0;
      if (const auto r = std::from_chars(begin, p_, i); r.ec == std::errc() && r.ptr == p_) {
        out = static_cast<double>(i);
        return event_check::exact_integer(i);
      }
      return false;
    }
    const auto r = std::from_chars(begin, p_, out);
    return r.ec == std::errc() && r.ptr == p_ && std::isfinite(out);
  }

  std::vector<field> fields_;
  std::size_t count_ = 0;
  const char* p_ = nullptr;
  const char* end_ = nullptr;
};

}  // namespace duly::detail
