// Reading a whole events input with its limits (duly/event.hpp): a size cap,
// and the check that the bytes are a text export at all, both applied block by
// block so that a device that never ends (/dev/zero) or a binary file is
// refused as soon as it shows itself.
#include <duly/event.hpp>

#include <cstring>
#include <istream>
#include <string>

namespace duly {

namespace {

constexpr std::size_t block_bytes = std::size_t{1} << 20;
constexpr std::size_t sniff_bytes = std::size_t{64} << 10;

bool is_control(unsigned char c) noexcept { return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F; }

}  // namespace

std::string event_text_problem(std::string_view block, std::uint64_t offset) {
  if (const void* nul = std::memchr(block.data(), '\0', block.size()); nul != nullptr) {
    const auto at = offset + static_cast<std::uint64_t>(static_cast<const char*>(nul) - block.data()) + 1;
    return "not a text export: a NUL byte at byte " + std::to_string(at) +
           " (duly reads JSON Lines or CSV text; is this a compressed or binary file?)";
  }
  if (offset != 0) return {};
  const std::string_view head = block.substr(0, sniff_bytes);
  std::size_t controls = 0;
  for (const char c : head) controls += is_control(static_cast<unsigned char>(c)) ? 1 : 0;
  // Text exports have none; a stray form feed or two is tolerated.
  if (controls > 2 && controls * 100 > head.size())
    return "not a text export: " + std::to_string(controls) + " control characters in its first " +
           std::to_string(head.size()) + " bytes (duly reads JSON Lines or CSV text; is this a binary file?)";
  return {};
}

result<std::string> read_event_input(std::istream& in, std::string_view name, std::uint64_t max_bytes) {
  const auto refuse = [&](errc code, std::string message) {
    diagnostic d;
    d.code = code;
    d.message = std::move(message);
    d.file = std::string(name);
    return tl::unexpected(error(std::move(d)));
  };
  std::string text;
  std::string block(block_bytes, '\0');
  try {
    while (in) {
      in.read(block.data(), static_cast<std::streamsize>(block.size()));
      const auto got = static_cast<std::size_t>(in.gcount());
      if (got == 0) break;
      const std::string_view part(block.data(), got);
      if (std::string problem = event_text_problem(part, text.size()); !problem.empty())
        return refuse(errc::invalid_argument, std::move(problem));
      if (text.size() + got > max_bytes)
        return refuse(errc::invalid_argument,
                      "the input is larger than " + std::to_string(max_bytes >> 20) +
                          " MiB, the limit of one events input: split the export");
      text.append(part);
    }
    if (in.bad()) return refuse(errc::io_error, "read error after byte " + std::to_string(text.size()));
  } catch (const std::bad_alloc&) {
    return refuse(errc::io_error, "out of memory after byte " + std::to_string(text.size()));
  } catch (const std::exception& e) {
    return refuse(errc::io_error, std::string("read error: ") + e.what());
  }
  return text;
}

}  // namespace duly
