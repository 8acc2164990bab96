// Physical lines of an input, for the event readers (not installed).
//
// Both readers work line by line over physical lines (LF or CRLF; a UTF-8 BOM
// at the start is dropped), from a string or a stream read in blocks.
#pragma once

#include <cstdint>
#include <cstring>
#include <istream>
#include <string>
#include <string_view>

#include "base/text.hpp"

namespace duly::detail {

inline constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

}  // namespace duly::detail

namespace duly {
// The reason of a rejected row whose line is over max_event_line_bytes.
std::string line_too_long(std::size_t bytes);
}  // namespace duly

namespace duly::detail {

inline bool is_blank(std::string_view s) noexcept {
  for (const char c : s)
    if (!is_space(c)) return false;
  return true;
}

// Calls f(line, number) for every physical line of `text`: without its '\n' or
// "\r\n", numbered from 1, the BOM of the first line removed.
template <class F>
void for_each_line(std::string_view text, F&& f) {
  std::uint64_t number = 0;
  std::size_t begin = 0;
  while (begin < text.size()) {
    const void* nl = std::memchr(text.data() + begin, '\n', text.size() - begin);
    const std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) : text.size();
    std::string_view line = text.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (++number == 1 && line.starts_with(utf8_bom)) line.remove_prefix(utf8_bom.size());
    f(line, number);
    begin = end + 1;
  }
}

// The same over a stream, read in blocks (a line may be longer than a block).
// Returns the number of the last line read, and sets `failed` when the stream
// reported an I/O error (badbit, or an exception from a stream that throws).
template <class F>
std::uint64_t for_each_line(std::istream& in, F&& f, bool& failed) {
  failed = false;
  std::string buf(std::size_t{1} << 16, '\0');
  std::size_t begin = 0, end = 0;
  std::uint64_t number = 0;
  const auto emit = [&](std::size_t from, std::size_t to) {
    std::string_view line(buf.data() + from, to - from);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (++number == 1 && line.starts_with(utf8_bom)) line.remove_prefix(utf8_bom.size());
    f(line, number);
  };
  try {
    std::size_t scanned = 0;  // bytes of [begin, end) known to hold no '\n'
    for (;;) {
      const void* nl = std::memchr(buf.data() + begin + scanned, '\n', end - begin - scanned);
      if (nl) {
        const auto at = static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data());
        emit(begin, at);
        begin = at + 1;
        scanned = 0;
        continue;
      }
      scanned = end - begin;
      if (!in) break;
      if (begin > 0) {
        std::memmove(buf.data(), buf.data() + begin, end - begin);
        end -= begin;
        begin = 0;
      }
      if (end == buf.size()) buf.resize(buf.size() * 2);
      in.read(buf.data() + end, static_cast<std::streamsize>(buf.size() - end));
      const auto got = in.gcount();
      end += static_cast<std::size_t>(got);
      if (got == 0 && !in) break;
    }
    if (end > begin) emit(begin, end);
    failed = in.bad();
  } catch (...) {
    failed = true;
  }
  return number;
}

}  // namespace duly::detail
