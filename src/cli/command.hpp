// The pieces every `duly` subcommand shares.
//
// main.cpp builds the CLI11 application and hands a `registry` to each
// subcommand's registration function (one per file: calendar_command.cpp, and
// later check, evaluate, explain). A subcommand adds its options to the app and
// registers the action to run when the user selects it; main parses the command
// line, runs the one selected action and turns the outcome into an exit code.
//
// Exit codes: 0 success, 1 bad input (a file, an instant, a duration; the message
// on stderr names where), 2 usage error (the command line itself); run and state
// add 3 (the store is busy) and 4 (the store cannot be used).
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include <duly/duly.hpp>

namespace duly::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_bad_input = 1;
inline constexpr int exit_usage = 2;

// Where a command reads and writes; tests and main pass the standard streams.
struct streams {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

// A selected command's work; returns the exit code.
using action = std::function<int(const streams&)>;

// Collects the actions of the leaf subcommands. Not thread-safe (it lives in
// main for one run).
class registry {
 public:
  explicit registry(CLI::App& root) : root_(root) {}

  [[nodiscard]] CLI::App& root() noexcept { return root_; }

  // Runs `run` when `command` is the command the user selected.
  void on_selected(CLI::App* command, action run) {
    actions_.emplace_back(command, std::move(run));
  }

  // After parsing: the action of the selected command, if any.
  [[nodiscard]] const action* selected() const {
    for (const auto& [command, run] : actions_) {
      if (command->parsed()) return &run;
    }
    return nullptr;
  }

 private:
  CLI::App& root_;
  std::vector<std::pair<CLI::App*, action>> actions_;
};

// Registration functions, one per subcommand file.
void register_calendar_command(registry& r);  // calendar_command.cpp
void register_policy_commands(registry& r);   // policy_commands.cpp: check, evaluate, explain
void register_store_commands(registry& r);    // store_commands.cpp: run, state, outbox
void register_serve_command(registry& r);     // serve_command.cpp: serve
void register_report_command(registry& r);    // report_command.cpp: report

// ---- helpers shared by subcommands (inputs.cpp) ----------------------------

// Prints "duly: <where>: <message>" for each diagnostic of `e` (its rendered
// form, with the source line and a caret, when it knows its position).
void report(const streams& io, std::string_view where, const error& e);
void report(const streams& io, std::string_view where, std::string_view message);

// Loads a calendar file (YAML or JSON). On failure prints the error, whose
// messages name the file and position, and returns nothing.
[[nodiscard]] std::optional<calendar> load_calendar_file(const streams& io,
                                                         const std::string& path);

// Loads a policy file (YAML or JSON). On failure prints every problem.
[[nodiscard]] std::optional<policy> load_policy_file(const streams& io, const std::string& path);

// Reads an events file ("-" = stdin) in `events_format` ("jsonl", "csv", or
// empty: from the file name, or for stdin from its first character). Bad rows
// are in the batch's `rejected`; a file that cannot be read (or a CSV header
// without id/at/event) prints the problem and returns nothing.
// Instants without an offset are read in `zone` when given (--zone). The
// input's limits are those of read_event_input (size, text only). `declared`:
// the policy's declared attributes, whose values of the wrong type are rejected
// rows (read_options::declared).
[[nodiscard]] std::optional<event_batch> read_event_file(const streams& io, const std::string& file,
                                                         const std::string& events_format,
                                                         const time_zone* zone = nullptr,
                                                         std::span<const attribute_spec> declared = {});

// --zone ZONE on a command that reads events: instants written without an
// offset are read as wall-clock times in ZONE.
void add_zone_option(CLI::App* cmd, std::string& zone);

// --wait SECONDS: a finite number of seconds from 0 to 1,000,000 ("nan",
// "inf" and negative values are refused as usage errors).
[[nodiscard]] CLI::Validator wait_seconds_validator();

// Parses an --as-of style instant (ISO-8601 with Z or an offset, years 1970 to
// 2199). On failure prints the problem under `option`.
[[nodiscard]] std::optional<instant> parse_as_of(const streams& io, const std::string& text,
                                                 std::string_view option = "--as-of");

// "1 row", "3 rows".
[[nodiscard]] std::string plural(std::uint64_t n, std::string_view word);

// --format text ("jsonl", "csv", "table"; the options check it) as a format.
[[nodiscard]] output_format to_output_format(const std::string& format);

// Whether tables are coloured: --color always, or auto on a terminal.
[[nodiscard]] bool use_color(const streams& io, const std::string& color);

// Under --strict: when `batch` has rejected rows, prints each with its line and
// "duly: <command>: N rows rejected (--strict): <consequence>", and returns true.
[[nodiscard]] bool refuse_rejected(const streams& io, const event_batch& batch, const std::string& events_file,
                                   std::string_view command, std::string_view consequence);

// Reads the zone of `--zone` (empty = none). On failure prints the error.
[[nodiscard]] bool load_input_zone(const streams& io, const std::string& name,
                                   std::optional<time_zone>& zone);

// A value that came from the command line or from a line of stdin, with the
// name to report problems under ("--at", "<stdin>:3").
struct located_text {
  std::string text;
  std::string where;
};

// The rows of input for a command whose options are `values` (option name and
// value). Each option whose value is "-" is read from stdin: one row per
// non-blank line, holding one field per such option (several fields are
// separated by commas or whitespace). Options with other values are the same
// in every row. Without any "-", there is one row. On a malformed line prints an
// error and returns nothing.
[[nodiscard]] std::optional<std::vector<std::vector<located_text>>> read_rows(
    const streams& io, const std::vector<std::pair<std::string, std::string>>& values);

// Writes `text` to `path` (through `path`.part, renamed over it, so that a
// reader never sees half a file). On failure prints the problem under
// `option` and returns false (report_command.cpp).
[[nodiscard]] bool write_output_file(const streams& io, const std::string& path, std::string_view option,
                                     const std::string& text);

// Parses an instant, reading text without an offset in `zone` when given.
[[nodiscard]] result<instant> parse_input_instant(const std::string& text,
                                                  const std::optional<time_zone>& zone);

}  // namespace duly::cli
