// Helpers shared by duly's libFuzzer targets (fuzz/*.cpp).
//
// DULY_FUZZ_CHECK(cond, message-stream) aborts with a message when an
// invariant does not hold, so libFuzzer keeps the input as a crash. `bytes` is
// a little reader of fuzzer input: fixed-size numbers from the front, zeros once
// the input runs out (so every input decodes to something).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include <duly/time.hpp>

#define DULY_FUZZ_CHECK(cond, what)                                                        \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      std::ostringstream duly_fuzz_os_;                                                    \
      duly_fuzz_os_ << what;                                                               \
      std::fprintf(stderr, "\n%s:%d: invariant failed: %s\n  %s\n", __FILE__, __LINE__, #cond, \
                   duly_fuzz_os_.str().c_str());                                           \
      std::abort();                                                                        \
    }                                                                                      \
  } while (false)

namespace duly_fuzz {

class bytes {
 public:
  bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  [[nodiscard]] bool empty() const noexcept { return pos_ >= size_; }
  [[nodiscard]] std::size_t left() const noexcept { return empty() ? 0 : size_ - pos_; }

  std::uint8_t u8() noexcept { return empty() ? 0 : data_[pos_++]; }
  std::uint16_t u16() noexcept { return static_cast<std::uint16_t>(u8() | (u8() << 8)); }
  std::uint32_t u32() noexcept { return static_cast<std::uint32_t>(u16()) | (static_cast<std::uint32_t>(u16()) << 16); }
  std::uint64_t u64() noexcept { return static_cast<std::uint64_t>(u32()) | (static_cast<std::uint64_t>(u32()) << 32); }
  // A number in [0, n) (n > 0).
  std::uint64_t below(std::uint64_t n) noexcept { return u64() % n; }
  // Everything not read yet.
  std::string_view rest() noexcept {
    if (empty()) return {};
    std::string_view s(reinterpret_cast<const char*>(data_ + pos_), size_ - pos_);
    pos_ = size_;
    return s;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

inline std::string show(duly::instant t) {
  return duly::format_instant(t) + " (" + std::to_string(t.time_since_epoch().count()) + ")";
}

}  // namespace duly_fuzz
