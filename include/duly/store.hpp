// duly/store.hpp: the store, where incremental runs keep their state.
//
// A store is one SQLite file that keeps every record's events, the policies
// they were evaluated with, each record's next wake-up, and every escalation
// firing already reported. `duly run` and `duly state` are thin users of it; a
// host that embeds duly uses it the same way:
//
//   auto s = duly::store::open("/var/lib/duly/o2c.db").value();
//   auto p = duly::load_policy("o2c.yaml").value();
//   auto batch = duly::read_events_jsonl(export_text);
//   duly::result<duly::run_result> r = s.run(p, batch.events, as_of);
//   for (const duly::store_firing& f : r->fired) act_on(f.key, f.row);   // each firing once
//   duly::result<duly::evaluation> now = s.state(p, as_of);               // every record
//
// A run adds the new events (a re-delivered event, equal as canonical JSON to
// one already stored, changes nothing), evaluates the records that got events,
// whose wake-up has come or that a policy change moves (`recompute_mode`), and
// returns the firings no earlier run reported whose deliver_at is at or before
// `as_of` (deliver_at is fired_at unless the escalation says `deliver_in: CAL`:
// then the first open instant of CAL at or after fired_at; a firing made but
// not yet due for delivery is held, its record woken at its deliver_at, and
// reported by the first run at or after it). A run is one SQLite transaction: a
// run that fails or is killed at any moment leaves the store as it was, and the
// next run reports what it did not commit, with the same keys. Over a series of
// runs, the firings reported are exactly those of one `evaluate` over all the
// events at the last `as_of` whose deliver_at is at or before it, each once.
//
// Errors are values: `errc::store_busy` (another run holds the store for longer
// than the wait allowed), `errc::store_unusable` (not a duly store, damaged,
// written by a newer duly), `errc::io_error` (cannot be opened or written, no
// space), `errc::invalid_argument` (the request itself: an `as_of` before the
// last run's). Messages start with the store's path, as `duly run` prints them.
//
// The file format is that of `duly run` (docs/integration.md lists its tables):
// format 4 keeps each outbox line's deliver_at; format 3 named a firing's cycle
// by its start in the keys, kept fractions of a second and withdrawals. Formats
// 3, 2 (the outbox) and 1 (release 0.1) open,
// are read as they are, and are migrated in place by their first run or add
// (inside its transaction): their stored keys are rewritten to the new form,
// so no firing reported before is reported again under its new key.
//
// Thread-safety: a `store` owns one SQLite connection and is not synchronised:
// use it from one thread at a time (it may move between threads). Any number of
// stores, in threads or processes, may open the same file: SQLite's file locks
// serialise their runs, and `state` reads a consistent snapshot without blocking
// a run (write-ahead logging).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <duly/error.hpp>
#include <duly/evaluate.hpp>
#include <duly/event.hpp>
#include <duly/export.hpp>
#include <duly/io.hpp>
#include <duly/policy.hpp>
#include <duly/time.hpp>

namespace duly {

// What happens to records last evaluated with another policy (the store keeps
// each record's policy fingerprint, `policy::fingerprint()`) when a run or a
// state uses a new one:
//   none: they keep the policy they were evaluated with (new records take the new one);
//   open: those with a cycle in flight (running, paused, breached and not stopped) move;
//   all:  every record moves, and its whole history is judged again.
// A moved record's firings at or before its last evaluation are recorded as
// seen, not reported (they would be stale news).
enum class recompute_mode : std::uint8_t { none, open, all };

// "none", "open", "all".
[[nodiscard]] DULY_EXPORT std::string_view to_string(recompute_mode mode) noexcept;
// The mode named "none", "open" or "all"; otherwise errc::invalid_argument.
[[nodiscard]] DULY_EXPORT result<recompute_mode> parse_recompute_mode(std::string_view name);

struct store_options {
  // Make the file, and the store in it, when there is none. Without it a
  // missing file is errc::io_error ("no such store") and an empty database
  // errc::store_unusable. A new store's tables are written by its first run.
  bool create = true;
  // Open for reading only (state, outbox, info): the file is never written,
  // and a run or add() is errc::invalid_argument. Implies no create.
  bool read_only = false;
  // How long a run waits for another run to finish before errc::store_busy
  // (0: refuse at once). Capped at about 11.5 days.
  std::chrono::milliseconds wait{0};
};

// One firing a run reported.
struct store_firing {
  // The firing's stable key (escalation_row::key():
  // "id/target/escalation/START/point", the cycle named by its start): the
  // same firing has the same key in every run, so a host can deduplicate on it.
  std::string key;
  escalation_row row;
  // Its place in the store's outbox (see outbox()): increasing in the order
  // of `run_result::fired`, never reused.
  std::int64_t cursor = 0;
};

// A line of the store's outbox: a firing a run reported, kept for good with
// its cursor, so that a host that delivers and then remembers the last cursor
// it delivered loses nothing, whether or not the run that made the firing was
// killed after its commit.
//
// A withdrawal (kind "withdrawal") says that a firing reported earlier (its
// `key`; `row` holds that firing's fields as reported) is no longer reached:
// a late event changed the record's history so that the point does not fire
// (the cycle now ends before it, starts elsewhere or not at all, or the point
// now lies after the run's as_of). Each reported firing is withdrawn at most
// once; if it fires again later, it is reported again (a new escalation line
// with the same key) and may be withdrawn again.
struct outbox_entry {
  std::int64_t cursor = 0;     // increasing, never reused
  std::string kind;            // "escalation" or "withdrawal"
  std::string key;             // as reported (a line of an older store keeps its older key)
  escalation_row row;          // escalation_index is -1 (the store keeps names, not indices)
  std::int64_t run = 0;        // the run that reported it
  std::string reason;          // withdrawals: why, for people ("" for escalations)
};

struct outbox_options {
  std::int64_t after = 0;                // entries with a cursor above this one
  std::optional<std::size_t> limit;      // at most this many (none: all)
  // Only the entries of this record (its firings and withdrawals, for
  // `duly explain --store`); none: every record's.
  std::optional<std::string> id;
};

struct run_result {
  // The firings whose deliver_at is at or before as_of that no earlier run
  // reported, in the order they are handed over: by deliver_at, then fired_at,
  // then key (deliver_at is fired_at unless the escalation says deliver_in).
  std::vector<store_firing> fired;
  // The withdrawals this run made (kind "withdrawal", with their cursors, by
  // key), after the firings in cursor order.
  std::vector<outbox_entry> withdrawn;
  std::int64_t run = 0;                  // this run's number in the store (1, 2, ...)
  std::uint64_t events_new = 0;          // events given to this run and stored
  std::uint64_t events_duplicate = 0;    // events given to this run already in the store
  std::uint64_t records_evaluated = 0;
  std::uint64_t records_kept_on_old_policy = 0;  // in flight, left on their policy (recompute none)
  std::uint64_t firings_suppressed = 0;  // recorded as seen, not reported (quiet_before, recompute)
  bool policy_changed = false;           // the policy differs from the previous run's
  std::optional<instant> next_wakeup;    // the earliest wake-up of any record after this run
  // Firings at or before as_of whose deliver_at (the escalation's deliver_in)
  // is after it: neither reported nor recorded by this run. Their record wakes
  // by then, and the first run at or after their deliver_at reports them (each
  // once, under its key, with the next cursors).
  std::uint64_t firings_held = 0;
};

struct run_options {
  recompute_mode recompute = recompute_mode::none;
  // Firings before this instant are recorded as seen, not reported (a first
  // load of history).
  std::optional<instant> quiet_before;
  // Kept beside the policy's text, for people reading the store (the CLI
  // gives the policy's file name).
  std::string policy_name;
  // Input rows that did not become events, kept with the run for the record.
  std::span<const rejected_row> rejected;
  // Overrides store_options::wait for this run.
  std::optional<std::chrono::milliseconds> wait;
  // Called inside the run's transaction once its outcome is known, before it
  // commits: `duly run` prints the firings here, so that a run whose output
  // could not be written is not committed. An error it returns rolls the run
  // back and is what run() returns.
  std::function<result<void>(const run_result&)> before_commit;
};

struct state_options {
  recompute_mode recompute = recompute_mode::none;
  // Overrides store_options::wait.
  std::optional<std::chrono::milliseconds> wait;
  // Only this record (`duly state --id`, `duly serve`'s GET /v1/records/{id}):
  // the evaluation of its events alone, with the policy chosen for it. Its
  // events are read by the index on record id, so the
  // cost is that record's history, not the store's. An id the store does not
  // know gives an empty evaluation.
  std::optional<std::string> id;
};

// When the store next needs a run, from indexes only (no scan of the records):
// what a service that schedules itself (`duly serve`) waits for.
struct store_schedule {
  std::optional<instant> next_wakeup;    // the earliest wake-up of any record
  bool events_pending = false;           // add() stored events that no run has evaluated yet
  std::optional<instant> last_as_of;     // the latest run's as_of (the next run may not be earlier)
  std::int64_t last_cursor = 0;          // the outbox's latest cursor (0: empty)
};

// What add() did with the events it was given.
struct add_result {
  std::uint64_t events_new = 0;
  std::uint64_t events_duplicate = 0;
};

// One record as the store keeps it (`duly explain --store`).
struct stored_record {
  std::vector<event> events;          // in store order; `sequence` is the store's
  std::string policy_fingerprint;     // the policy it was last evaluated with ("" before any run)
  std::string policy_name;            // that policy's name as the run gave it (its file name)
  std::optional<policy> record_policy;  // that policy, compiled from the store's copy
};

// Facts about a store, for people and monitoring.
struct store_info {
  std::int64_t format_version = 0;       // PRAGMA user_version of the file (0: nothing written yet)
  std::int64_t runs = 0;                 // runs committed
  std::optional<instant> last_as_of;     // the latest run's as_of: the next run may not be earlier
  std::string policy_fingerprint;        // the latest run's policy (empty before the first run)
  std::uint64_t records = 0;             // records evaluated at least once
  std::uint64_t events = 0;              // events stored, re-deliveries counted once
  std::uint64_t events_pending = 0;      // added by add() and not yet evaluated by a run
  std::optional<instant> next_wakeup;    // the earliest wake-up of any record
  std::int64_t last_cursor = 0;          // the outbox's latest cursor (0: empty)
  // The fingerprints of the policies records were last evaluated with, and how
  // many records each (by fingerprint).
  std::vector<std::pair<std::string, std::uint64_t>> record_policies;
};

class DULY_EXPORT store {
 public:
  // The file format this duly writes (PRAGMA user_version). It reads formats 1
  // (duly 0.1), 2 and 3 too, and migrates them in place by their first write.
  static constexpr std::int64_t format_version = 4;

  // Opens the store at `path`, or makes it (options.create). Checks that an
  // existing file is a duly store of a format this duly reads; the checks run
  // again inside every run and state, so a file changed by another process
  // meanwhile is never misread. Errors: errc::io_error (missing without
  // create, cannot be opened), errc::store_unusable (not a duly store,
  // damaged, newer format), errc::store_busy. Cost: opening the file and a few
  // reads of its schema.
  [[nodiscard]] static result<store> open(std::string path, const store_options& options = {});

  store(store&&) noexcept;
  store& operator=(store&&) noexcept;
  ~store();  // closes the connection

  // The path it was opened with.
  [[nodiscard]] const std::string& path() const noexcept;

  // Adds events without evaluating them (one transaction): the next run
  // evaluates their records. Events are taken in `sequence` order; a
  // re-delivery changes nothing. Cost: one indexed insert per event.
  [[nodiscard]] result<add_result> add(std::span<const event> events, std::span<const rejected_row> rejected = {});

  // One incremental step at `as_of`: adds `events` (as add() would), evaluates
  // with `current` every record that got an event (here or by add() since the
  // last run), whose wake-up has come, or that `options.recompute` moves, and
  // returns the firings no earlier run reported. Records keep the policy they
  // were evaluated with (by fingerprint; the store keeps every policy's text)
  // unless the recompute mode moves them. Errors: errc::invalid_argument when
  // `as_of` is before the last run's (a store only moves forward: use state()
  // to look at the past), an earlier policy of the store that no longer
  // compiles (errc::store_unusable), the errors of open() and of
  // `before_commit`; on any error nothing is stored. Cost: the evaluation of
  // the records chosen, reading only their events (an index on record id),
  // plus one insert per new event and per new firing; not the size of history.
  [[nodiscard]] result<run_result> run(const policy& current, std::span<const event> events, instant as_of,
                                       const run_options& options = {});

  // Every timer and firing of every record in the store at `as_of` (any
  // instant, past ones too), each record evaluated with the policy a run with
  // `current` and `options.recompute` would use for it: what `evaluate` gives
  // over all the stored events, records in id order when they were evaluated
  // with more than one policy. Read-only, from one snapshot; an empty new
  // store gives an empty evaluation. Cost: evaluating every stored event.
  [[nodiscard]] result<evaluation> state(const policy& current, instant as_of, const state_options& options = {});

  // The events of every stored record (or of options.id alone), grouped by
  // the policy `state` evaluates them with (chosen as for `state`), in store
  // order: what a report over the store reads (`make_report` takes them as
  // report_group). Read-only, from one snapshot. Cost: reading every stored
  // event and compiling the store's earlier policies.
  struct policy_events {
    policy used;
    std::vector<event> events;
  };
  [[nodiscard]] result<std::vector<policy_events>> records(const policy& current,
                                                           const state_options& options = {});

  // The policy of the latest run, compiled from the store's copy of its text
  // (nullopt before the first run): what `state` needs when the caller has no
  // policy of its own. Errors: a copy that no longer compiles
  // (errc::store_unusable), the errors of open(). Cost: compiling the policy.
  [[nodiscard]] result<std::optional<policy>> latest_policy();

  // The events of record `id` and the policy it was last evaluated with
  // (nullopt: the store has no event of that record). Read-only, one
  // snapshot. Errors: a stored event or policy that cannot be read back
  // (errc::store_unusable), the errors of open(). Cost: the record's events
  // (an index on record id) and compiling its policy.
  [[nodiscard]] result<std::optional<stored_record>> record(std::string_view id);

  // The outbox in cursor order: every firing a run reported, after
  // `options.after`. A store of format 1 (duly 0.1) has an empty outbox until
  // its next run. Read-only. Cost: an index range of the outbox.
  [[nodiscard]] result<std::vector<outbox_entry>> outbox(const outbox_options& options = {});

  // Counts and the latest run, from one snapshot. Cost: a scan of the events'
  // and records' indexes.
  [[nodiscard]] result<store_info> info();

  // Whether the store holds any event of record `id` (its timers at an
  // instant before its first event are none, yet it is known). Read-only.
  // Cost: one index lookup.
  [[nodiscard]] result<bool> has_record(std::string_view id);

  // When the next run is due, from one snapshot. Read-only. Cost: a few
  // index lookups (the earliest wake-up, the latest run, the latest cursor),
  // whatever the size of the store.
  [[nodiscard]] result<store_schedule> schedule();

  // The delivery position of `consumer` (a name such as "webhook"): the last
  // outbox cursor it has delivered, kept in the store so that delivery resumes
  // there after a restart; 0 when it has delivered nothing. Read-only. Cost:
  // one lookup.
  [[nodiscard]] result<std::int64_t> delivered(std::string_view consumer);

  // Records that `consumer` has delivered every outbox entry up to `cursor`
  // (one transaction, synced to disk like a run). The position never moves
  // back: a smaller cursor than the one kept changes nothing. Errors: a
  // read-only store (errc::invalid_argument), a negative cursor or an empty
  // name (errc::invalid_argument), the errors of open(). Cost: one write.
  [[nodiscard]] result<void> set_delivered(std::string_view consumer, std::int64_t cursor);

 private:
  struct impl;
  explicit store(std::unique_ptr<impl> p) noexcept;
  std::unique_ptr<impl> impl_;
};

// An outbox entry as one JSON object, as `duly outbox` and `duly run` print it:
// an escalation as the escalation line of duly/io.hpp (with the key as stored)
// followed by "cursor"; a withdrawal as
//   {"kind":"withdrawal","key":...,"id":...,"target":...,"escalation":...,
//    "point":...,"fired_at":...,"deliver_at":...,"actions":...,"reason":...,"cursor":...}
// with the withdrawn firing's fields.
[[nodiscard]] DULY_EXPORT std::string to_json(const outbox_entry& entry);

// Outbox entries as JSON Lines, CSV (cursor,kind,key,id,target,escalation,cycle,
// point,fired_at,deliver_at,actions,reason) or a table for people.
DULY_EXPORT void write_outbox(std::ostream& out, std::span<const outbox_entry> entries, output_format format);

}  // namespace duly
