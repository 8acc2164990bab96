// The store of `duly run` and `duly state`: an SQLite file that keeps every
// record's events, the policies they were evaluated with, each record's next
// wake-up, and every escalation firing already printed.
//
// A run is one transaction (BEGIN IMMEDIATE ... COMMIT): a run killed at any
// moment leaves the store as it was, and SQLite rolls the half-written run back
// when the file is next opened. Firings are printed before the commit, so a
// killed run may have printed some that the next run prints again, with the
// same keys; nothing is ever lost. A second run on the same store waits up to
// `wait` for the first to finish and then refuses (store_status::busy).
//
// Format (PRAGMA application_id 0x64756C79 "duly", user_version 1):
//   meta(key, value)           'policy' = the fingerprint of the latest run's policy
//   policies(hash, name, source)
//   events(seq, id, at, line, run)   line = the event as canonical JSON, UNIQUE:
//                                    a re-delivered event is recognised by it
//   records(id, policy, open, next_wakeup, evaluated_as_of)
//   firings(key, id, fired_at, run, printed)
//   rejected(run, line, reason)
//   runs(run, as_of, policy, events_read, events_new, events_duplicate,
//        rejected, records_evaluated, firings_printed)
//
// Thread-safety: one store per thread; SQLite's file locks keep processes apart.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <duly/duly.hpp>

namespace duly::cli {

// What happens to records evaluated with an earlier policy when the policy
// changes (docs/integration.md).
enum class recompute_mode { none, open, all };

enum class store_status {
  ok,
  bad_input,  // the run's own input: --as-of before the last run's
  busy,       // another run holds the store
  unusable,   // not a duly store, corrupt, newer format, I/O error
};

struct store_failure {
  store_status status = store_status::unusable;
  std::string message;  // names the store file
};

struct run_request {
  std::string store_file;
  const policy* current = nullptr;       // the policy given on the command line
  std::string policy_name;               // its file name, kept for people reading the store
  instant as_of;
  std::vector<event> events;             // this run's new input (sequence = input order)
  std::vector<rejected_row> rejected;    // kept in the store for the record
  recompute_mode recompute = recompute_mode::none;
  std::optional<instant> quiet_before;   // firings before it are recorded, not printed
  std::chrono::milliseconds wait{0};
};

struct run_outcome {
  std::vector<escalation_row> printed;   // firings no earlier run printed, by fired_at then key
  std::uint64_t events_new = 0;
  std::uint64_t events_duplicate = 0;
  std::uint64_t records_evaluated = 0;
  std::uint64_t records_kept_on_old_policy = 0;  // in flight, left on their policy (recompute none)
  std::uint64_t firings_suppressed = 0;  // recorded, not printed (--quiet-before, recompute)
  std::int64_t run = 0;
  bool policy_changed = false;
  std::optional<instant> next_wakeup;    // earliest wake-up of any record after this run
};

template <class T>
using store_result = tl::expected<T, store_failure>;

// Runs one incremental step. `emit` prints the firings; the transaction
// commits only after it returns true (it returns false when the output could
// not be written, and the run is rolled back).
[[nodiscard]] store_result<run_outcome> store_run(const run_request& request,
                                                  const std::function<bool(const run_outcome&)>& emit);

struct state_request {
  std::string store_file;
  const policy* current = nullptr;
  instant as_of;
  recompute_mode recompute = recompute_mode::none;
  std::chrono::milliseconds wait{0};
};

// Every timer and firing of every record in the store at `as_of`, each record
// evaluated with the policy `duly run` would use for it. Read-only.
[[nodiscard]] store_result<evaluation> store_state(const state_request& request);

}  // namespace duly::cli
