// duly/event.hpp: records' events and the readers for JSON Lines and CSV.
//
// An event is a record id, an instant, an event name and attribute updates
// (see docs/timers.md): every other key sets an attribute to a string, number, bool,
// a list of those, or null to clear it. A record's events apply in `at` order; ties keep input
// order (`sequence`). Readers account for every input row: it becomes an event,
// or a `rejected_row` with its line number and the reason.
//
// Thread-safety: plain values; the readers are pure functions of their input.
#pragma once

#include <cstdint>
#include <istream>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <duly/error.hpp>
#include <duly/export.hpp>
#include <duly/policy_spec.hpp>
#include <duly/time.hpp>
#include <duly/value.hpp>

namespace duly {

struct attribute_update {
  std::string name;
  owned_value value;  // null clears the attribute
};

struct event {
  std::string id;
  instant at;
  std::string name;
  std::vector<attribute_update> updates;
  std::uint64_t sequence = 0;  // input order, for ties at the same instant
  std::uint64_t line = 0;      // source line, 0 when not read from text
  // Nanoseconds past `at` (0 to 999,999,999): the fraction of a second the
  // input gave. It decides the order of events within one second (`at`, then
  // `fraction`, then `sequence`); all arithmetic uses `at`, the floored second.
  std::uint32_t fraction = 0;
};

// An input row that could not become an event.
struct rejected_row {
  std::uint64_t line = 0;
  std::string reason;  // e.g. "at: not an ISO-8601 instant: '2026-13-01' (...)"
  // The record the row was for, when it gave a valid id (empty otherwise: a
  // row without one, or one that is not JSON): what tells a record whose every
  // row was rejected from one that has none (see rejected_rows_note).
  std::string id;
};

// What a reader produced: every row is in exactly one of the two lists.
struct event_batch {
  std::vector<event> events;
  std::vector<rejected_row> rejected;
  std::uint64_t rows = 0;  // data rows read (blank lines excluded)
};

// What an event must have, checked in one place. Every reader (JSON Lines, CSV,
// and the Python bindings' dicts and DataFrames) hands the fields of a row to an
// event_check as it finds them, so that a problem reads the same whatever the
// input. A rejected row's reason is its problems in the order found (fields in
// input order, then the required fields that never came), joined by "; ":
//
//   id: empty; at: not an ISO-8601 instant: '2026-13-01' (...); event: missing
//
// The rules: `id` and `event` are text that is not empty nor only whitespace
// (readers turn an integer id into its exact decimal text); `at` is an ISO-8601
// instant with an offset (or, with a zone given, a wall-clock time read in that
// zone; or an instant), from 1970-01-01 up to but not including 2200-01-01 UTC, since an
// instant outside those years would give wrong answers downstream rather than
// errors; each field appears once. Every other key is an attribute: its name is
// not empty and appears once, and its value is null (clears it), a bool, a
// finite number, text, or a list of bools, finite numbers and text (at most
// max_list_items items; no null, no nested list, no object), never an object.
//
// Thread-safety: an event_check is a plain mutable object; the static
// functions are pure.
class DULY_EXPORT event_check {
 public:
  enum class field : std::uint8_t { id, at, event };

  // How a message names a value of the wrong kind: scalars that are short by
  // nature as themselves, the rest by their kind.
  enum class shape : std::uint8_t { null, boolean, number, string, object, list, other };
  // null -> "null", boolean and number -> `literal` ("true", "1.5"),
  // string -> "a string", object -> "an object", list -> "a list", other ->
  // `literal` as given (e.g. "a datetime.date").
  [[nodiscard]] static std::string describe(shape s, std::string_view literal = {});

  // --- one row -------------------------------------------------------------
  // Starts a row whose event is built in `e` (cleared first).
  void start(event& e);
  // The zone in which `at` text without a UTC offset is read as a wall-clock
  // time (nullptr, the default: such text is rejected). A time a DST change
  // skips is read as the instant of the change, a repeated one as its first
  // occurrence (the earlier offset). Not owned: it must outlive the check.
  void set_zone(const time_zone* zone) noexcept { zone_ = zone; }
  // The attributes a policy declares (policy_spec::attributes): an update of a
  // declared attribute whose value is not of its type is a problem,
  // "attribute 'promised_at': declared instant, got \"tomorrow\"" (see
  // declared_problem). Null always clears; undeclared attributes are taken as
  // they are. Not owned: the declarations must outlive the check. Empty, the
  // default: nothing is checked.
  void set_declared(std::span<const attribute_spec> declared);
  // The declaration of `name`, or nullptr.
  [[nodiscard]] const attribute_spec* declared(std::string_view name) const noexcept;

  void id(std::string text);    // "id: empty"; "id: blank (only whitespace)"; "id: appears twice"
  void at(std::string_view text);  // parsed; "at: not an ISO-8601 instant: ..."
  void at(instant t);           // "at: instant ... is outside the supported years 1970 to 2199"
  void name(std::string text);  // the event's name: "event: empty"
  // A required field left empty where the format has no other way to omit it
  // (a CSV cell, a DataFrame cell): "<field>: missing", in its place.
  void missing(field f);
  // A required field with a value of the wrong kind, `got` as describe() names it:
  // "id: expected a string or an integer, got 1.5". `also` names another accepted
  // form: "at: expected an ISO-8601 instant as a string or an aware datetime, ...".
  void wrong_type(field f, std::string_view got, std::string_view also = {});
  // A required field whose value could not be read as text: "<field>: <why>".
  void unreadable(field f, std::string_view why);

  // An attribute update: "attribute '': the name is empty";
  // "attribute 'x': appears twice".
  void attribute(std::string name, owned_value v);
  // An attribute whose value cannot be taken: "attribute 'x': <why>", with `why`
  // one of the reasons below or a reader's own.
  void attribute_problem(std::string_view name, std::string_view why);
  // A problem of the row as a whole (e.g. "expected 3 cells, got 2").
  void problem(std::string text);

  // Ends the row: the required fields that never came are "missing". True when
  // the event is complete; otherwise reason() says why.
  bool finish();
  [[nodiscard]] bool ok() const noexcept { return problems_.empty(); }
  [[nodiscard]] const std::vector<std::string>& problems() const noexcept { return problems_; }
  // The problems joined by "; ".
  [[nodiscard]] std::string reason() const;

  // --- the same checks, one value at a time (for readers that check a column's
  // distinct values once, as the DataFrame path does) -------------------------
  // The problem of an id or event name, or "" when it is fine.
  [[nodiscard]] static std::string text_problem(field f, std::string_view text);
  // The instant of `at` text (without an offset: read in `zone`, when given),
  // or the problem ("at: ...") as the error message.
  [[nodiscard]] static result<instant> read_at(std::string_view text, const time_zone* zone = nullptr);
  // The problem of an instant outside the supported years, or "".
  [[nodiscard]] static std::string at_problem(instant t);
  [[nodiscard]] static std::string missing_text(field f);
  [[nodiscard]] static std::string wrong_type_text(field f, std::string_view got, std::string_view also = {});
  [[nodiscard]] static std::string unreadable_text(field f, std::string_view why);
  [[nodiscard]] static std::string attribute_text(std::string_view name, std::string_view why);
  // The problem of an attribute's name ("attribute '': the name is empty"), or "".
  [[nodiscard]] static std::string attribute_name_problem(std::string_view name);
  // Reasons for attribute_problem: "objects are not supported (...)",
  // "'abc' is not a number", "'yes' is not a bool (expected true or false)".
  [[nodiscard]] static std::string nested();
  // The most items a list value may have: a longer one is a rejected row.
  static constexpr std::size_t max_list_items = 1000;
  // An item a list cannot hold, `got` as describe() names it, `index` 1-based:
  //   "item 2 of the list is a list: a list holds only text, numbers and bools
  //    (no null, no lists, no objects)"
  [[nodiscard]] static std::string list_item_problem(std::size_t index, std::string_view got);
  // "a list of 1200 items is over the limit of 1000 items"
  [[nodiscard]] static std::string list_too_long(std::size_t items);
  // An integer beyond 2^53 cannot be held exactly by a number (a double):
  // rather than round it, and so take two different values for one, the row is
  // rejected. `literal` is the integer as written.
  //   "9007199254740993 is an integer beyond 2^53, which a number cannot hold
  //    exactly; write it as a string ("9007199254740993")"
  [[nodiscard]] static std::string inexact_integer(std::string_view literal);
  // Whether an integer fits a number exactly: |n| <= 2^53.
  [[nodiscard]] static constexpr bool exact_integer(std::int64_t n) noexcept {
    return n >= -max_exact_integer && n <= max_exact_integer;
  }
  static constexpr std::int64_t max_exact_integer = std::int64_t{1} << 53;
  [[nodiscard]] static std::string not_a_number(std::string_view text);
  [[nodiscard]] static std::string not_a_bool(std::string_view text);
  // Why `v` is not a value of the declared attribute `a`, or "" when it is:
  // text is a string; number a number; bool a bool; instant ISO-8601 text
  // with a UTC offset, within the supported years; duration duration text
  // ("6h", "3bd") or a number of seconds from 0; list a list. Null is always
  // a value (it clears). E.g. "declared instant, got \"tomorrow\"",
  // "declared number, got \"high\"", "declared text, got 3".
  [[nodiscard]] static std::string declared_problem(const attribute_spec& a, const value& v);
  // The problems joined by "; ".
  [[nodiscard]] static std::string join(const std::vector<std::string>& problems);

 private:
  bool is_duplicate(std::string_view name);

  event* e_ = nullptr;
  std::vector<std::string> problems_;
  std::unordered_set<std::string> names_;  // attribute names, for long rows only
  const time_zone* zone_ = nullptr;
  std::unordered_map<std::string_view, const attribute_spec*> declared_;
  bool seen_[3] = {false, false, false};
};

enum class event_format { jsonl, csv };

struct read_options {
  // Names the input in messages.
  std::string source_name;
  // First value of event::sequence (to keep order across several inputs).
  std::uint64_t first_sequence = 0;
  // Reads `at` text without a UTC offset as a wall-clock time in this zone
  // (event_check::set_zone); nullptr: such rows are rejected. Not owned.
  const time_zone* zone = nullptr;
  // A policy's declared attributes (event_check::set_declared): a value of the
  // wrong type is a rejected row. In CSV, a column without a type in its header
  // takes its declared attribute's: number and bool cells are read as numbers
  // and bools, duration cells that are numbers as seconds. Not owned. Empty:
  // nothing is checked.
  std::span<const attribute_spec> declared = {};
};

// Limits of an events input, so that a wrong file (a device such as
// /dev/zero, a binary file, a runaway export) ends with an error rather than
// with memory exhausted or thousands of rejected rows:
// - a line (a JSON Lines object, a CSV line) over max_event_line_bytes is a
//   rejected row ("line too long");
// - a whole input over max_event_input_bytes is refused (read_event_input);
// - an input with a NUL byte, or whose first block is more than 1% control
//   characters, is not a text export and is refused (event_text_problem).
inline constexpr std::size_t max_event_line_bytes = std::size_t{64} << 20;       // 64 MiB
inline constexpr std::uint64_t max_event_input_bytes = std::uint64_t{2} << 30;   // 2 GiB

// Why `block`, the bytes of an events input from byte `offset` (0-based) on,
// cannot be a text export, or "" when it may be: a NUL byte ("not a text
// export: a NUL byte at byte 17"), or, for the block at offset 0, more than 1%
// of its first 64 KiB in control characters other than tab, CR and LF. Pure.
[[nodiscard]] DULY_EXPORT std::string event_text_problem(std::string_view block, std::uint64_t offset);

// Reads a whole events input from `in` in blocks, refusing (errc::invalid_argument)
// one over `max_bytes` or one that event_text_problem() says is not text, as
// soon as the block that shows it is read (so a device that never ends, such
// as /dev/zero, ends at once); errc::io_error on a read error. `name` names
// the input in messages.
[[nodiscard]] DULY_EXPORT result<std::string> read_event_input(std::istream& in, std::string_view name,
                                                               std::uint64_t max_bytes = max_event_input_bytes);

// JSON Lines: one object per line with "id", "at", "event" and attributes. Blank
// lines are skipped. A bad line is rejected with its reason; the reader never
// fails on content, only on I/O.
[[nodiscard]] DULY_EXPORT event_batch read_events_jsonl(std::istream& in, const read_options& options = {});
[[nodiscard]] DULY_EXPORT event_batch read_events_jsonl(std::string_view text, const read_options& options = {});

// CSV (RFC 4180): a header row with id, at, event and attribute columns. An empty
// cell means "no change". Cells are text, unless the header gives a column a
// type: `count:number`, `vip:bool`, `note:string`. A header without id, at and
// event is an error (errc::parse_error) naming the missing column.
[[nodiscard]] DULY_EXPORT result<event_batch> read_events_csv(std::istream& in, const read_options& options = {});
[[nodiscard]] DULY_EXPORT result<event_batch> read_events_csv(std::string_view text, const read_options& options = {});

// For hosts that build events themselves (the Python bindings' dicts,
// DataFrames and Arrow data): the events with a value that is not of its
// declared type (event_check::declared_problem) are moved out of `events` into
// `rejected`, each as a rejected row with the event's `line` and the reason the
// readers give ("attribute 'promised_at': declared instant, got \"tomorrow\"";
// several joined by "; "). The others keep their order. Empty `declared`:
// nothing changes.
DULY_EXPORT void reject_declared_mismatches(std::vector<event>& events, std::span<const attribute_spec> declared,
                                            std::vector<rejected_row>& rejected);

// Parses one JSON object (a JSON Lines line) into an event, or the reason it is
// rejected.
[[nodiscard]] DULY_EXPORT result<event> parse_event_json(std::string_view line);

}  // namespace duly
