// duly/event.hpp: records' events and the readers for JSON Lines and CSV.
//
// An event is a record id, an instant, an event name and attribute updates
// (SPEC section 4): every other key sets an attribute to a string, number, bool,
// or null to clear it. A record's events apply in `at` order; ties keep input
// order (`sequence`). Readers account for every input row: it becomes an event,
// or a `rejected_row` with its line number and the reason.
//
// Thread-safety: plain values; the readers are pure functions of their input.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include <duly/error.hpp>
#include <duly/export.hpp>
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
};

// An input row that could not become an event.
struct rejected_row {
  std::uint64_t line = 0;
  std::string reason;  // e.g. "at: not an ISO-8601 instant: '2026-13-01' (...)"
};

// What a reader produced: every row is in exactly one of the two lists.
struct event_batch {
  std::vector<event> events;
  std::vector<rejected_row> rejected;
  std::uint64_t rows = 0;  // data rows read (blank lines excluded)
};

enum class event_format { jsonl, csv };

struct read_options {
  // Names the input in messages.
  std::string source_name;
  // First value of event::sequence (to keep order across several inputs).
  std::uint64_t first_sequence = 0;
};

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

// Parses one JSON object (a JSON Lines line) into an event, or the reason it is
// rejected.
[[nodiscard]] DULY_EXPORT result<event> parse_event_json(std::string_view line);

}  // namespace duly
