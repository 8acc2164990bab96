// The store (duly/store.hpp): opening, adding events, runs and state.
// format.hpp describes the file; sqlite.hpp wraps the SQLite C API, whose
// exceptions stop at each public function here and become duly::error values.
#include <duly/store.hpp>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <iterator>
#include <map>
#include <set>
#include <unordered_map>

#include "store/format.hpp"
#include "store/sqlite.hpp"

namespace duly {
namespace {

using sqlite::database;
using sqlite::sqlite_error;
using sqlite::statement;
using store_format::failure;

std::int64_t count(const instant& t) { return t.time_since_epoch().count(); }
instant from_count(std::int64_t s) { return instant(seconds(s)); }

int timeout_ms(std::chrono::milliseconds wait) {
  return static_cast<int>(std::clamp<std::int64_t>(wait.count(), 0, 1'000'000'000));
}

// Rolls back on the way out unless committed: the store keeps one connection
// across calls, so a failed run must not leave its transaction open.
class transaction {
 public:
  transaction(database& db, const char* begin) : db_(db) { db_.exec(begin); }
  ~transaction() {
    if (db_.in_transaction()) db_.exec_quietly("ROLLBACK");
  }
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  void commit() { db_.exec("COMMIT"); }

 private:
  database& db_;
};

struct record_row {
  std::string policy;
  bool open = false;
  std::int64_t evaluated_as_of = 0;
};

record_row read_record(const statement& s, int first_col) {
  return {std::string(s.text(first_col)), s.int64(first_col + 1) != 0, s.int64(first_col + 2)};
}

// The policy a record is evaluated with, and whether it moved to the current
// policy (its earlier firings then count as seen).
struct choice {
  std::string policy;
  bool moved = false;
  std::int64_t since = 0;  // moved: the record's last evaluation
};

choice choose(const std::optional<record_row>& row, const std::string& current, recompute_mode mode) {
  if (!row) return {current, false, 0};
  if (row->policy != current && (mode == recompute_mode::all || (mode == recompute_mode::open && row->open)))
    return {current, true, row->evaluated_as_of};
  return {row->policy, false, 0};
}

// Compiled policies by fingerprint: the current one, and earlier ones from the
// store's own copy of their text.
class policy_cache {
 public:
  policy_cache(database& db, const policy& current, const std::string& file)
      : db_(db), current_(current), file_(file) {}

  result<const policy*> get(const std::string& hash) {
    if (hash == current_.fingerprint()) return &current_;
    if (auto it = compiled_.find(hash); it != compiled_.end()) return &it->second;
    statement s = db_.prepare("SELECT name, source FROM policies WHERE hash = ?");
    s.bind(1, hash);
    if (!s.step())
      return tl::unexpected(failure(errc::store_unusable, file_,
                                    "the store is damaged: policy " + hash + " is referenced but not kept"));
    auto p = parse_policy(s.text(1), s.text(0));
    if (!p)
      return tl::unexpected(failure(errc::store_unusable, file_,
                                    "the store's earlier policy " + std::string(s.text(0)) + " (" + hash +
                                        ") no longer compiles: " + p.error().message() +
                                        "; move its records to the current policy with --recompute all"));
    return &compiled_.emplace(hash, std::move(*p)).first->second;
  }

 private:
  database& db_;
  const policy& current_;
  const std::string& file_;
  std::map<std::string, policy> compiled_;
};

// The temporary table `chosen`: the records a run or a state evaluates, with
// the policy for each.
void fill_chosen(database& db, const std::unordered_map<std::string, choice>& chosen) {
  db.exec("CREATE TEMP TABLE chosen(id TEXT PRIMARY KEY, policy TEXT NOT NULL)");
  statement ins = db.prepare("INSERT INTO chosen(id, policy) VALUES(?, ?)");
  for (const auto& [id, c] : chosen) {
    ins.bind(1, id).bind(2, c.policy);
    ins.run();
  }
}

// The events of the records in `chosen`, by policy, in store order.
std::map<std::string, std::vector<event>> load_chosen_events(database& db, const std::string& file) {
  std::map<std::string, std::vector<event>> by_policy;
  statement s = db.prepare("SELECT e.seq, e.line, c.policy FROM events e JOIN chosen c ON c.id = e.id ORDER BY e.seq");
  while (s.step()) {
    auto e = parse_event_json(s.text(1));
    if (!e)
      throw sqlite_error(SQLITE_CORRUPT, "event " + std::to_string(s.int64(0)) + " in " + file +
                                             " cannot be read back: " + e.error().message());
    e->sequence = static_cast<std::uint64_t>(s.int64(0));
    by_policy[std::string(s.text(2))].push_back(std::move(*e));
  }
  return by_policy;
}

bool active(const timer_row& t) {
  return !t.ended && (t.state == timer_state::running || t.state == timer_state::paused ||
                      t.state == timer_state::breached);
}

// The number the next run gets (events added before it carry it too).
std::int64_t next_run(database& db) { return db.scalar("SELECT max(run) FROM runs", 0) + 1; }

// Stores events in `sequence` order, and rejected rows, under run `run`.
// Returns the ids of records that got a new event.
std::set<std::string> insert_events(database& db, std::span<const event> events, std::span<const rejected_row> rejected,
                                    std::int64_t run, add_result& counts) {
  std::set<std::string> touched;
  std::vector<const event*> order;
  order.reserve(events.size());
  for (const auto& e : events) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(), [](const event* a, const event* b) { return a->sequence < b->sequence; });
  statement ins = db.prepare("INSERT OR IGNORE INTO events(id, at, line, run) VALUES(?, ?, ?, ?)");
  for (const event* e : order) {
    ins.bind(1, e->id).bind(2, count(e->at)).bind(3, store_format::canonical_line(*e)).bind(4, run);
    ins.run();
    if (db.changes() == 1) {
      ++counts.events_new;
      touched.insert(e->id);
    } else {
      ++counts.events_duplicate;
    }
  }
  statement rej = db.prepare("INSERT INTO rejected(run, line, reason) VALUES(?, ?, ?)");
  for (const auto& row : rejected) {
    rej.bind(1, run).bind(2, static_cast<std::int64_t>(row.line)).bind(3, row.reason);
    rej.run();
  }
  return touched;
}

// The first seq of the events add() stored that no run has evaluated yet.
std::optional<std::int64_t> pending_from(database& db) {
  statement s = db.prepare("SELECT value FROM meta WHERE key = 'pending'");
  if (!s.step()) return std::nullopt;
  const std::string_view text = s.text(0);
  std::int64_t seq = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seq);
  if (ec != std::errc() || end != text.data() + text.size())
    throw sqlite_error(SQLITE_CORRUPT, "meta 'pending' is not a number: '" + std::string(text) + "'");
  return seq;
}

// One run inside its transaction (store::run opens and commits it).
result<run_result> run_in_transaction(database& db, const std::string& file, const policy& current,
                                      std::span<const event> events, instant as_of, const run_options& r) {
  const std::string& hash = current.fingerprint();
  run_result out;

  const auto last_as_of = [&]() -> std::optional<std::int64_t> {
    statement s = db.prepare("SELECT max(as_of) FROM runs");
    return s.step() ? s.optional_int64(0) : std::nullopt;
  }();
  if (last_as_of && count(as_of) < *last_as_of)
    return tl::unexpected(failure(errc::invalid_argument, file,
                                  "--as-of " + format_instant(as_of) + " is before the last run's (" +
                                      format_instant(from_count(*last_as_of)) +
                                      "): a store only moves forward; use `duly state` to look at the past"));
  out.run = next_run(db);

  {
    statement s = db.prepare("SELECT value FROM meta WHERE key = 'policy'");
    out.policy_changed = s.step() && s.text(0) != hash;
  }
  db.prepare("INSERT OR IGNORE INTO policies(hash, name, source) VALUES(?, ?, ?)")
      .bind(1, hash)
      .bind(2, r.policy_name)
      .bind(3, current.source())
      .run();
  db.prepare("INSERT INTO meta(key, value) VALUES('policy', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .bind(1, hash)
      .run();

  // This run's events; a re-delivered event changes nothing. Records that got
  // events from add() since the last run are evaluated too.
  add_result added;
  std::set<std::string> touched = insert_events(db, events, r.rejected, out.run, added);
  out.events_new = added.events_new;
  out.events_duplicate = added.events_duplicate;
  if (const auto first = pending_from(db)) {
    statement s = db.prepare("SELECT DISTINCT id FROM events WHERE seq >= ?");
    s.bind(1, *first);
    while (s.step()) touched.emplace(s.text(0));
    db.exec("DELETE FROM meta WHERE key = 'pending'");
  }

  // Which records to evaluate: those with new events, those whose wake-up has
  // come, and those the policy change moves.
  std::unordered_map<std::string, choice> chosen;
  {
    statement one = db.prepare("SELECT policy, open, evaluated_as_of FROM records WHERE id = ?");
    for (const auto& id : touched) {
      one.bind(1, id);
      std::optional<record_row> row;
      if (one.step()) row = read_record(one, 0);
      one.reset();
      chosen.emplace(id, choose(row, hash, r.recompute));
    }
    std::string sql = "SELECT id, policy, open, evaluated_as_of FROM records WHERE next_wakeup <= ?1";
    if (r.recompute == recompute_mode::open) sql += " OR (policy != ?2 AND open = 1)";
    if (r.recompute == recompute_mode::all) sql += " OR policy != ?2";
    statement due = db.prepare(sql);
    due.bind(1, count(as_of));
    if (r.recompute != recompute_mode::none) due.bind(2, hash);
    while (due.step()) {
      std::string id(due.text(0));
      if (chosen.count(id) == 0) chosen.emplace(std::move(id), choose(read_record(due, 1), hash, r.recompute));
    }
    if (r.recompute == recompute_mode::none) {
      statement kept = db.prepare("SELECT count(*) FROM records WHERE policy != ? AND open = 1");
      kept.bind(1, hash);
      if (kept.step()) out.records_kept_on_old_policy = static_cast<std::uint64_t>(kept.int64(0));
    }
  }
  out.records_evaluated = chosen.size();
  fill_chosen(db, chosen);

  policy_cache policies(db, current, file);
  statement fire = db.prepare("INSERT OR IGNORE INTO firings(key, id, fired_at, run, printed) VALUES(?, ?, ?, ?, ?)");
  statement save = db.prepare(
      "INSERT INTO records(id, policy, open, next_wakeup, evaluated_as_of) VALUES(?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT(id) DO UPDATE SET policy = ?2, open = ?3, next_wakeup = ?4, evaluated_as_of = ?5");
  for (auto& [policy_hash, record_events] : load_chosen_events(db, file)) {
    auto p = policies.get(policy_hash);
    if (!p) return tl::unexpected(p.error());
    evaluation result = evaluate(**p, record_events, as_of);
    for (escalation_row& f : result.escalations) {
      std::string key = f.key();
      const choice& c = chosen.at(f.id);
      const bool quiet = (r.quiet_before && f.fired_at < *r.quiet_before) || (c.moved && count(f.fired_at) <= c.since);
      fire.bind(1, key).bind(2, f.id).bind(3, count(f.fired_at)).bind(4, out.run).bind(5, quiet ? 0 : 1);
      fire.run();
      if (db.changes() == 0) continue;  // reported (or passed over) by an earlier run
      if (quiet) {
        ++out.firings_suppressed;
      } else {
        out.fired.push_back({std::move(key), std::move(f)});
      }
    }
    // Each record's state for the next run: open or not, and when to wake it.
    struct summary {
      bool open = false;
      std::optional<instant> wakeup;
    };
    std::map<std::string_view, summary> records;
    for (const timer_row& t : result.timers) {
      auto& s = records[t.id];
      s.open = s.open || active(t);
      if (t.next_wakeup && (!s.wakeup || *t.next_wakeup < *s.wakeup)) s.wakeup = t.next_wakeup;
    }
    // Events after as_of apply when they come due: wake the record then.
    for (const auto& e : record_events) {
      auto& s = records[e.id];
      if (e.at > as_of && (!s.wakeup || e.at < *s.wakeup)) s.wakeup = e.at;
    }
    for (const auto& [id, s] : records) {
      save.bind(1, id).bind(2, policy_hash).bind(3, s.open ? 1 : 0);
      save.bind(4, s.wakeup ? std::optional<std::int64_t>(count(*s.wakeup)) : std::nullopt);
      save.bind(5, count(as_of));
      save.run();
    }
  }
  db.exec("DROP TABLE chosen");
  std::sort(out.fired.begin(), out.fired.end(), [](const store_firing& a, const store_firing& b) {
    if (a.row.fired_at != b.row.fired_at) return a.row.fired_at < b.row.fired_at;
    return a.key < b.key;
  });

  db.prepare(
        "INSERT INTO runs(run, as_of, policy, events_read, events_new, events_duplicate, rejected, "
        "records_evaluated, firings_printed) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, out.run)
      .bind(2, count(as_of))
      .bind(3, hash)
      .bind(4, static_cast<std::int64_t>(events.size()))
      .bind(5, static_cast<std::int64_t>(out.events_new))
      .bind(6, static_cast<std::int64_t>(out.events_duplicate))
      .bind(7, static_cast<std::int64_t>(r.rejected.size()))
      .bind(8, static_cast<std::int64_t>(out.records_evaluated))
      .bind(9, static_cast<std::int64_t>(out.fired.size()))
      .run();
  {
    statement s = db.prepare("SELECT min(next_wakeup) FROM records");
    if (s.step() && !s.is_null(0)) out.next_wakeup = from_count(s.int64(0));
  }
  if (r.before_commit) {
    if (auto done = r.before_commit(out); !done) return tl::unexpected(std::move(done).error());
  }
  return out;
}

}  // namespace

std::string_view to_string(recompute_mode mode) noexcept {
  switch (mode) {
    case recompute_mode::none: return "none";
    case recompute_mode::open: return "open";
    case recompute_mode::all: return "all";
  }
  return "none";
}

result<recompute_mode> parse_recompute_mode(std::string_view name) {
  for (auto m : {recompute_mode::none, recompute_mode::open, recompute_mode::all})
    if (name == to_string(m)) return m;
  return fail(errc::invalid_argument,
              "unknown recompute mode '" + std::string(name) + "': expected none, open or all");
}

struct store::impl {
  impl(std::string p, const store_options& o, bool read_only)
      : path(std::move(p)), options(o), db(path, read_only, o.create) {}
  std::string path;
  store_options options;
  database db;

  void wait(const std::optional<std::chrono::milliseconds>& override_wait) {
    db.busy_timeout(timeout_ms(override_wait.value_or(options.wait)));
  }
};

store::store(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}
store::store(store&&) noexcept = default;
store& store::operator=(store&&) noexcept = default;
store::~store() = default;

const std::string& store::path() const noexcept { return impl_->path; }

result<store> store::open(std::string path, const store_options& options) {
  if (!options.create) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
      return tl::unexpected(failure(errc::io_error, path, "no such store (`duly run` creates it)"));
  }
  try {
    std::unique_ptr<impl> p;
    try {
      p = std::make_unique<impl>(path, options, false);
    } catch (const sqlite_error& e) {
      // Read-write so that SQLite can recover after a killed run; a store that
      // is only read may be a file this user cannot write.
      if (options.create || (e.code != SQLITE_CANTOPEN && e.code != SQLITE_READONLY && e.code != SQLITE_PERM))
        throw;
      p = std::make_unique<impl>(path, options, true);
    }
    database& db = p->db;
    p->wait(std::nullopt);
    if (options.create) {
      // Write-ahead logging: a state reading never blocks a run's commit. Only
      // for a duly store or an empty file: never convert another program's
      // database (the check below refuses it).
      if (store_format::is_store_or_empty(db)) db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = FULL");  // a committed run survives a power cut
    }
    {
      transaction t(db, "BEGIN");
      auto found = store_format::check(db, path, false);
      if (!found) return tl::unexpected(std::move(found).error());
      if (*found == store_format::found::empty && !options.create)
        return tl::unexpected(failure(errc::store_unusable, path,
                                      "not a duly store: the database is empty (no run has written to it)"));
    }
    return store(std::move(p));
  } catch (const sqlite_error& e) {
    return tl::unexpected(store_format::explain_sqlite(path, e));
  }
}

result<add_result> store::add(std::span<const event> events, std::span<const rejected_row> rejected) {
  database& db = impl_->db;
  try {
    impl_->wait(std::nullopt);
    transaction t(db, "BEGIN IMMEDIATE");
    if (auto found = store_format::check(db, impl_->path, true); !found) return tl::unexpected(std::move(found).error());
    const std::int64_t run = next_run(db);
    const std::int64_t first_seq = db.scalar("SELECT max(seq) FROM events", 0) + 1;
    add_result out;
    insert_events(db, events, rejected, run, out);
    if (out.events_new > 0 && !pending_from(db))
      db.prepare("INSERT INTO meta(key, value) VALUES('pending', ?)").bind(1, std::to_string(first_seq)).run();
    t.commit();
    return out;
  } catch (const sqlite_error& e) {
    return tl::unexpected(store_format::explain_sqlite(impl_->path, e));
  }
}

result<run_result> store::run(const policy& current, std::span<const event> events, instant as_of,
                              const run_options& options) {
  database& db = impl_->db;
  try {
    impl_->wait(options.wait);
    transaction t(db, "BEGIN IMMEDIATE");
    if (auto found = store_format::check(db, impl_->path, true); !found) return tl::unexpected(std::move(found).error());
    auto out = run_in_transaction(db, impl_->path, current, events, as_of, options);
    if (!out) return out;  // rolled back
    t.commit();
    return out;
  } catch (const sqlite_error& e) {
    return tl::unexpected(store_format::explain_sqlite(impl_->path, e));
  }
}

result<evaluation> store::state(const policy& current, instant as_of, const state_options& options) {
  database& db = impl_->db;
  const std::string& file = impl_->path;
  try {
    impl_->wait(options.wait);
    transaction t(db, "BEGIN");  // one snapshot: a run committing meanwhile is not half seen
    auto found = store_format::check(db, file, false);
    if (!found) return tl::unexpected(std::move(found).error());
    if (*found == store_format::found::empty) return evaluation{};
    const std::string& hash = current.fingerprint();

    std::unordered_map<std::string, choice> chosen;
    {
      statement s = db.prepare("SELECT id, policy, open, evaluated_as_of FROM records");
      while (s.step()) chosen.emplace(std::string(s.text(0)), choose(read_record(s, 1), hash, options.recompute));
    }
    // Records added by add() and not yet run are evaluated with the current policy.
    if (const auto first = pending_from(db)) {
      statement s = db.prepare("SELECT DISTINCT id FROM events WHERE seq >= ?");
      s.bind(1, *first);
      while (s.step()) chosen.try_emplace(std::string(s.text(0)), choice{hash, false, 0});
    }
    fill_chosen(db, chosen);
    policy_cache policies(db, current, file);
    evaluation all;
    std::size_t groups = 0;
    for (auto& [policy_hash, events] : load_chosen_events(db, file)) {
      auto p = policies.get(policy_hash);
      if (!p) return tl::unexpected(p.error());
      evaluation part = evaluate(**p, events, as_of);
      ++groups;
      std::move(part.timers.begin(), part.timers.end(), std::back_inserter(all.timers));
      std::move(part.escalations.begin(), part.escalations.end(), std::back_inserter(all.escalations));
      all.events_applied += part.events_applied;
      all.events_ignored += part.events_ignored;
      if (part.next_wakeup && (!all.next_wakeup || *part.next_wakeup < *all.next_wakeup))
        all.next_wakeup = part.next_wakeup;
    }
    if (groups > 1) {
      // Records in id order, as one evaluation gives them.
      std::stable_sort(all.timers.begin(), all.timers.end(),
                       [](const timer_row& a, const timer_row& b) { return a.id < b.id; });
      std::stable_sort(all.escalations.begin(), all.escalations.end(),
                       [](const escalation_row& a, const escalation_row& b) { return a.id < b.id; });
    }
    return all;  // the snapshot ends with the transaction (rolled back: nothing was written)
  } catch (const sqlite_error& e) {
    return tl::unexpected(store_format::explain_sqlite(file, e));
  }
}

result<store_info> store::info() {
  database& db = impl_->db;
  try {
    impl_->wait(std::nullopt);
    transaction t(db, "BEGIN");
    auto found = store_format::check(db, impl_->path, false);
    if (!found) return tl::unexpected(std::move(found).error());
    store_info out;
    if (*found == store_format::found::empty) return out;
    out.format_version = db.scalar("PRAGMA user_version");
    out.runs = db.scalar("SELECT count(*) FROM runs");
    if (statement s = db.prepare("SELECT max(as_of) FROM runs"); s.step() && !s.is_null(0))
      out.last_as_of = from_count(s.int64(0));
    if (statement s = db.prepare("SELECT value FROM meta WHERE key = 'policy'"); s.step())
      out.policy_fingerprint = std::string(s.text(0));
    out.records = static_cast<std::uint64_t>(db.scalar("SELECT count(*) FROM records"));
    out.events = static_cast<std::uint64_t>(db.scalar("SELECT count(*) FROM events"));
    if (const auto first = pending_from(db)) {
      statement s = db.prepare("SELECT count(*) FROM events WHERE seq >= ?");
      s.bind(1, *first);
      if (s.step()) out.events_pending = static_cast<std::uint64_t>(s.int64(0));
    }
    if (statement s = db.prepare("SELECT min(next_wakeup) FROM records"); s.step() && !s.is_null(0))
      out.next_wakeup = from_count(s.int64(0));
    return out;
  } catch (const sqlite_error& e) {
    return tl::unexpected(store_format::explain_sqlite(impl_->path, e));
  }
}

}  // namespace duly
