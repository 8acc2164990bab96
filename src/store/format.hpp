// The store's file format: its schema, the check that a file is a duly store of
// a format this duly reads, the canonical text of an event (how re-delivery is
// recognised), and what an SQLite failure means for the person running duly.
//
// Format 4 (PRAGMA application_id 0x64756C79 "duly", user_version 4):
//   meta(key, value)           'policy'  = the fingerprint of the latest run's policy
//                              'pending' = the first seq of events add() stored that
//                                          no run has evaluated yet (absent: none)
//   policies(hash, name, source)
//   events(seq, id, at, line, run, fraction)
//                              line = the event as canonical JSON (its instant floored
//                              to the second), UNIQUE: a re-delivered event is
//                              recognised by it; fraction = the nanoseconds past `at`
//                              the input gave (they order events within a second)
//   records(id, policy, open, next_wakeup, evaluated_as_of)
//   firings(key, id, fired_at, run, printed, withdrawn)
//                              every firing reported or recorded quietly, by its key
//                              (escalation_row::key()); withdrawn = the run that
//                              withdrew it (a late event undid it), NULL while it
//                              stands, 0 for a key of an older format that names no
//                              firing any more (never withdrawn)
//   rejected(run, line, reason)
//   runs(run, as_of, policy, events_read, events_new, events_duplicate,
//        rejected, records_evaluated, firings_printed)
//   outbox(cursor, kind, key, id, target, escalation, cycle, point, fired_at,
//          actions, run, cycle_started, cycle_rank, reason, deliver_at)
//                              every firing a run reported (kind 'escalation') and
//                              every withdrawal (kind 'withdrawal': the withdrawn
//                              firing's fields, `reason` why), cursor increasing
//                              (AUTOINCREMENT: never reused); `key` as printed
//                              (lines of older formats keep their older keys);
//                              deliver_at = when it was handed over (NULL in lines
//                              of older formats: at fired_at)
// Instants are integer seconds since the Unix epoch (UTC).
//
// A firing whose deliver_at lies after a run's as_of is not written anywhere by
// that run: the record's next_wakeup is set no later than that deliver_at, so
// the run then evaluates it again, and reports and records it (one key, once).
//
// Format 3 is format 4 without outbox.deliver_at. Format 2 is format 3 without events.fraction, firings.withdrawn and
// outbox.cycle_started, cycle_rank and reason, and with firing keys that name the cycle by its ordinal
// (id/target/escalation/cycle/point); format 1 (duly 0.1) is format 2 without
// the outbox. Both are read as they are and migrated in place by the first
// write (a run or add), inside that write's transaction: the columns are added
// and the stored keys rewritten to the keys the same firings have now.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <duly/error.hpp>
#include <duly/event.hpp>

#include "store/sqlite.hpp"

namespace duly::store_format {

// "duly" in ASCII, so that `file` and other tools can tell a store apart.
inline constexpr std::int64_t application_id = 0x64756C79;
inline constexpr std::int64_t version = 4;

// "<file>: <message>" with `code`.
[[nodiscard]] error failure(errc code, const std::string& file, const std::string& message);

// What an SQLite error means for the person running duly, naming the file.
[[nodiscard]] error explain_sqlite(const std::string& file, const sqlite::sqlite_error& e);

// What check() found.
enum class found { store, empty };

// Checks that `db` is a duly store of a format this duly reads. An empty
// database (no schema yet) is `found::empty`. With `write` (inside a write
// transaction) an empty database becomes a store first and gives
// `found::store`, and a store of an older format is migrated to format 4 (its
// keys are then the caller's to rewrite: `migrated_from`, when given, is set to
// the format it had, 0 when nothing was migrated).
[[nodiscard]] result<found> check(sqlite::database& db, const std::string& file, bool write,
                                  std::int64_t* migrated_from = nullptr);

// Whether the store has the outbox (format 2; a format 1 store not yet written).
[[nodiscard]] bool has_outbox(sqlite::database& db);

// Whether the store is of format 3 (fractions, withdrawals).
[[nodiscard]] bool has_format_3(sqlite::database& db);

// Whether the store is of format 4 (outbox lines keep deliver_at).
[[nodiscard]] bool has_format_4(sqlite::database& db);

// Whether the database is a duly store or still empty (as opposed to another
// program's): only then may the store change its journal mode.
[[nodiscard]] bool is_store_or_empty(sqlite::database& db);

// The event as one JSON object with its attributes sorted by name: the same
// event always gives the same text, which is how re-delivery is recognised, and
// parse_event_json reads it back exactly.
[[nodiscard]] std::string canonical_line(const event& e);

}  // namespace duly::store_format
