// The report's shared text helpers (report_text.hpp).
#include "report/report_text.hpp"

#include <charconv>
#include <cmath>
#include <utility>

#include "base/json_writer.hpp"
#include "base/text.hpp"

namespace duly::report_detail {
namespace {

// 0 bool, 1 float, 2 int, 3 str, 4 list, 5 null: Python's type names in order, null last.
int type_rank(const value& v) noexcept {
  switch (v.kind()) {
    case value_kind::boolean: return 0;
    case value_kind::number: {
      const double d = v.as_number();
      // The Python layer turns whole numbers a double holds exactly into ints.
      const bool whole = std::isfinite(d) && std::trunc(d) == d && std::fabs(d) <= 9007199254740992.0;
      return whole ? 2 : 1;
    }
    case value_kind::string: return 3;
    case value_kind::list: return 4;
    case value_kind::null: return 5;
  }
  return 5;
}

// The code point at s[i] and its length, or U+FFFD and 1 for a byte that is not UTF-8.
std::pair<char32_t, std::size_t> decode(std::string_view s, std::size_t i) noexcept {
  const std::size_t n = detail::utf8_sequence(s, i);
  if (n == 0) return {U'\uFFFD', 1};
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  char32_t c = 0;
  switch (n) {
    case 1: c = b(0); break;
    case 2: c = ((b(0) & 0x1Fu) << 6) | (b(1) & 0x3Fu); break;
    case 3: c = ((b(0) & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu); break;
    default: c = ((b(0) & 0x07u) << 18) | ((b(1) & 0x3Fu) << 12) | ((b(2) & 0x3Fu) << 6) | (b(3) & 0x3Fu); break;
  }
  return {c, n};
}

// Characters that HTML does not allow as text: controls (other than tab,
// newline, form feed and carriage return) and noncharacters.
bool unfit(char32_t c) noexcept {
  if (c == U'\t' || c == U'\n' || c == U'\f' || c == U'\r') return false;
  if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) return true;
  if (c >= 0xFDD0 && c <= 0xFDEF) return true;
  return (c & 0xFFFE) == 0xFFFE;
}

}  // namespace

bool value_less(const value& a, const value& b) noexcept {
  const int ra = type_rank(a), rb = type_rank(b);
  if (ra != rb) return ra < rb;
  switch (a.kind()) {
    case value_kind::boolean:
    case value_kind::number: return a.as_number() < b.as_number();
    case value_kind::string:
    case value_kind::list: return a.as_string() < b.as_string();
    case value_kind::null: return false;
  }
  return false;
}

std::string value_text(const value& v, std::string_view null_text) {
  switch (v.kind()) {
    case value_kind::null: return std::string(null_text);
    case value_kind::boolean: return v.as_bool() ? "true" : "false";
    case value_kind::number: {
      std::string out;
      detail::append_json_number(out, v.as_number());
      return out;
    }
    case value_kind::string: return std::string(v.as_string());
    case value_kind::list: return std::string(v.list_text());  // its JSON text
  }
  return std::string(null_text);
}

std::string exact_duration(seconds d) {
  const std::int64_t n = d.count();
  std::uint64_t left = n < 0 ? ~static_cast<std::uint64_t>(n) + 1 : static_cast<std::uint64_t>(n);
  if (left == 0) return "0s";
  static constexpr std::pair<std::uint64_t, char> units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
  std::string out = n < 0 ? "-" : "";
  for (const auto& [size, letter] : units) {
    const std::uint64_t k = left / size;
    left %= size;
    if (k == 0) continue;
    if (out.size() > (n < 0 ? 1u : 0u)) out += ' ';
    out += std::to_string(k);
    out += letter;
  }
  return out;
}

std::string percent_text(std::int64_t met, std::int64_t judged) {
  // Hundredths of a percent, rounded half up, in integers (counts are far below 2^40).
  const std::int64_t h = (met * 20000 + judged) / (2 * judged);
  std::string out = std::to_string(h / 100) + ".";
  const std::int64_t frac = h % 100;
  if (frac < 10) out += '0';
  out += std::to_string(frac) + "%";
  return out;
}

std::string attainment_number(std::int64_t met, std::int64_t judged) {
  if (judged <= 0) return {};
  const double a = static_cast<double>(met) / static_cast<double>(judged);
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, a);
  std::string out(buf, r.ptr);
  // Python writes 1.0 and 0.0; to_chars writes 1 and 0.
  if (out.find_first_of(".e") == std::string::npos) out += ".0";
  return out;
}

std::string compact_instant(instant t) {
  std::string s = format_instant(t);  // 2026-11-23T15:30:00Z
  if (s.size() == 20 && s[10] == 'T') {
    s[10] = ' ';
    if (s.compare(16, 3, ":00") == 0) s.erase(16, 3);
  }
  return s;
}

std::size_t code_points(std::string_view s) noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++n) i += decode(s, i).second;
  return n;
}

void append_html(std::string& out, std::string_view s, std::size_t max_code_points) {
  std::size_t shown = 0;
  for (std::size_t i = 0; i < s.size();) {
    if (max_code_points > 0 && shown == max_code_points) {
      out += "\xE2\x80\xA6";  // …
      return;
    }
    auto [c, n] = decode(s, i);
    const bool bad = detail::utf8_sequence(s, i) == 0 || unfit(c);
    ++shown;
    if (bad) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      i += n;
      continue;
    }
    switch (c) {
      case U'&': out += "&amp;"; break;
      case U'<': out += "&lt;"; break;
      case U'>': out += "&gt;"; break;
      case U'"': out += "&quot;"; break;
      case U'\'': out += "&#39;"; break;
      case U'\r': out += ' '; break;
      default: out.append(s.substr(i, n));
    }
    i += n;
  }
}

}  // namespace duly::report_detail
