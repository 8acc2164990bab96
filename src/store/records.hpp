// What a run and a state share: the transaction guard, which records to
// evaluate with which policy, the store's policies compiled on demand, and the
// events of the records chosen. Private to src/store/.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <duly/store.hpp>

#include "store/sqlite.hpp"

namespace duly::store_detail {

inline std::int64_t count(const instant& t) { return t.time_since_epoch().count(); }
inline instant from_count(std::int64_t s) { return instant(seconds(s)); }

// Rolls back on the way out unless committed: a store keeps one connection
// across calls, so a failed run must not leave its transaction open.
class transaction {
 public:
  transaction(sqlite::database& db, const char* begin) : db_(db) { db_.exec(begin); }
  ~transaction() {
    if (db_.in_transaction()) db_.exec_quietly("ROLLBACK");
  }
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  void commit() { db_.exec("COMMIT"); }

 private:
  sqlite::database& db_;
};

// A row of `records`: the policy a record was last evaluated with, whether a
// cycle was in flight, and when.
struct record_row {
  std::string policy;
  bool open = false;
  std::int64_t evaluated_as_of = 0;
};

// Reads (policy, open, evaluated_as_of) from columns first_col.. of `s`.
[[nodiscard]] record_row read_record(const sqlite::statement& s, int first_col);

// The policy a record is evaluated with, and whether it moved to the current
// policy (its earlier firings then count as seen).
struct choice {
  std::string policy;
  bool moved = false;
  std::int64_t since = 0;  // moved: the record's last evaluation
};

// The choice for a record (`row`: none for a new one) under `mode`.
[[nodiscard]] choice choose(const std::optional<record_row>& row, const std::string& current, recompute_mode mode);

// Compiled policies by fingerprint: the current one, and earlier ones from the
// store's own copy of their text.
class policy_cache {
 public:
  // `current` may be null (a migration outside a run: only the store's copies).
  policy_cache(sqlite::database& db, const policy* current, const std::string& file)
      : db_(db), current_(current), file_(file) {}
  // The policy with fingerprint `hash`; errc::store_unusable when the store
  // does not keep it or it no longer compiles.
  [[nodiscard]] result<const policy*> get(const std::string& hash);

 private:
  sqlite::database& db_;
  const policy* current_;
  const std::string& file_;
  std::map<std::string, policy> compiled_;
};

// Fills the temporary table `chosen` (id, policy): the records to evaluate.
void fill_chosen(sqlite::database& db, const std::unordered_map<std::string, choice>& chosen);

// The events of the records in `chosen`, by policy, in store order (each
// with its fraction of a second, in a store of format 3). An event that
// cannot be read back throws SQLITE_CORRUPT.
[[nodiscard]] std::map<std::string, std::vector<event>> load_chosen_events(sqlite::database& db,
                                                                           const std::string& file);

// The key a firing had in stores of formats 1 and 2: id/target/escalation/cycle/point.
[[nodiscard]] std::string ordinal_key(const escalation_row& f);

// After check() migrated a store of format 1 or 2 (inside the same write
// transaction): rewrites each stored firing key from the cycle's ordinal to
// the cycle's start (escalation_row::key()), by evaluating every record with
// its policy at the last run's as_of (events after a record's last evaluation
// only add later cycles, so the ordinals of the firings it made are those of
// this evaluation). A key that no firing has now is marked withdrawn = 0: kept,
// so that it is never reported again, and never withdrawn, since what it named
// is no longer known. The outbox keeps the lines as they were printed.
// Errors: a stored policy that no longer compiles (errc::store_unusable).
[[nodiscard]] result<void> rekey_firings(sqlite::database& db, const std::string& file);

// The number the next run gets (events added before it carry it too).
[[nodiscard]] std::int64_t next_run(sqlite::database& db);

// Stores events in `sequence` order (a re-delivery changes nothing), and
// rejected rows, under run `run`. Returns the ids of records that got a new event.
std::set<std::string> insert_events(sqlite::database& db, std::span<const event> events,
                                    std::span<const rejected_row> rejected, std::int64_t run, add_result& counts);

// The first seq of the events add() stored that no run has evaluated yet.
[[nodiscard]] std::optional<std::int64_t> pending_from(sqlite::database& db);

// One run inside its transaction (store::run opens and commits it; run.cpp).
[[nodiscard]] result<run_result> run_in_transaction(sqlite::database& db, const std::string& file,
                                                    const policy& current, std::span<const event> events,
                                                    instant as_of, const run_options& options);

}  // namespace duly::store_detail
