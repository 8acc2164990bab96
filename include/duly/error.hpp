// duly/error.hpp: errors as values.
//
// Every operation that can fail on user input returns `duly::result<T>`, an alias
// of `tl::expected<T, duly::error>`, so that moving to `std::expected` later is a
// one-line change. An error carries a stable code and one or more diagnostics;
// each diagnostic may know where it happened (file, line, column, and a path to
// the failing element such as `hours.mon-fri[0]`). Parsers report every problem
// they find at once, so an error can hold several diagnostics.
//
// Thread-safety: `error` and `diagnostic` are plain values.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include <duly/export.hpp>

namespace duly {

// Stable error codes. Their numeric values never change once released.
enum class errc : int {
  invalid_argument = 1,  // a value is malformed or out of its domain
  parse_error = 2,       // a document (YAML, JSON, CSV, ...) could not be read
  unknown_zone = 3,      // an IANA time zone name the system does not know
  out_of_range = 4,      // outside the supported years (1970 to 2199)
  never_open = 5,        // a calendar with no open time within ten years
  never_closes = 6,      // a calendar with no closed time within ten years
  io_error = 7,          // a file could not be read (or a store written: no space, no permission)
  store_busy = 8,        // a store is held by another run for longer than the wait allowed
  store_unusable = 9,    // not a duly store, a damaged one, or one written by a newer duly
};

// Short lower-case name of a code, e.g. "unknown_zone".
DULY_EXPORT std::string_view to_string(errc code) noexcept;

// One problem, with its position when known. Lines and columns count from 1;
// 0 means unknown.
struct diagnostic {
  errc code = errc::invalid_argument;
  std::string message;      // what is wrong, naming the offending value
  std::string path;         // element path, e.g. "holidays[1].nth"; may be empty
  std::string file;         // source name; may be empty
  int line = 0;
  int column = 0;
  std::string source_line;  // the text of `line`, for rendering a caret; may be empty

  // "file:line:column: path: message", leaving out the parts that are unknown.
  [[nodiscard]] DULY_EXPORT std::string to_string() const;
  // to_string() followed, when the source line is known, by that line and a
  // caret under `column`.
  [[nodiscard]] DULY_EXPORT std::string render() const;
};

// An error: one or more diagnostics. The first diagnostic's code is the error's.
class DULY_EXPORT error {
 public:
  error(errc code, std::string message);
  explicit error(diagnostic d);
  // `ds` must not be empty.
  explicit error(std::vector<diagnostic> ds);

  [[nodiscard]] errc code() const noexcept { return diagnostics_.front().code; }
  // Every diagnostic as diagnostic::to_string(), one per line.
  [[nodiscard]] const std::string& message() const noexcept { return message_; }
  [[nodiscard]] const std::vector<diagnostic>& diagnostics() const noexcept {
    return diagnostics_;
  }
  // Every diagnostic as diagnostic::render(), one after another.
  [[nodiscard]] std::string render() const;

 private:
  std::vector<diagnostic> diagnostics_;
  std::string message_;
};

template <class T>
using result = tl::expected<T, error>;

// Shorthand for returning an error from a function that returns result<T>.
[[nodiscard]] inline tl::unexpected<error> fail(errc code, std::string message) {
  return tl::unexpected<error>(error(code, std::move(message)));
}

}  // namespace duly
