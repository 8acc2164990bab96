// duly/io.hpp: writing evaluations as JSON Lines, CSV or a table for people.
//
// JSON Lines (see docs/cli.md): a `timer` line per cycle, an `escalation` line per
// firing, a `rejected` line per bad input row; instants in UTC with `Z`; a key that
// does not apply is null. CSV has the timer keys as columns (null = empty cell).
// The table aligns columns, shows durations as "2h 15m" and marks breached rows.
//
// Thread-safety: pure functions.
#pragma once

#include <ostream>
#include <span>
#include <string>

#include <duly/evaluate.hpp>
#include <duly/export.hpp>

namespace duly {

enum class output_format { jsonl, csv, table };

struct write_options {
  // Table only: colour breached rows with ANSI escapes (for a terminal).
  bool color = false;
};

// One JSON object, no trailing newline, keys in the documented order (docs/cli.md).
[[nodiscard]] DULY_EXPORT std::string to_json(const timer_row& row);
[[nodiscard]] DULY_EXPORT std::string to_json(const escalation_row& row);
[[nodiscard]] DULY_EXPORT std::string to_json(const rejected_row& row);

// "2h 15m", "3d 4h", "45s", "0s"; negative values get a leading '-'.
[[nodiscard]] DULY_EXPORT std::string human_duration(seconds d);

// An explanation as a table for people ("table") or as JSON Lines, one object
// per entry followed by the record's timer and escalation lines ("jsonl").
DULY_EXPORT void write_explanation(std::ostream& out, const explanation& e, output_format format);
[[nodiscard]] DULY_EXPORT std::string to_json(const explain_entry& entry, std::string_view id);

// Escalation firings (and the rejected rows of their input) alone, as `duly run`
// prints them: JSON Lines (escalation then rejected lines), CSV (one row per
// firing with its key; rejected rows are left out) or a table.
DULY_EXPORT void write_firings(std::ostream& out, std::span<const escalation_row> firings,
                               std::span<const rejected_row> rejected, output_format format);
// Rejected rows alone, as `duly evaluate` ends its output with them (`duly
// explain` after the timeline): JSON Lines (one rejected line each), a table
// (a blank line, "2 rejected rows:", then "line 4: REASON" each; nothing when
// there are none) or CSV (nothing: the caller says on stderr what was left out).
DULY_EXPORT void write_rejected(std::ostream& out, std::span<const rejected_row> rejected, output_format format);
DULY_EXPORT void write_evaluation(std::ostream& out, const evaluation& result, output_format format,
                                  const write_options& options = {});

}  // namespace duly
