// The store of `duly run` and `duly state` (store.hpp explains the format).
#include "store.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>

#include "sqlite.hpp"

namespace duly::cli {
namespace {

using sqlite::database;
using sqlite::sqlite_error;
using sqlite::statement;

// "duly" in ASCII, so that `file` and other tools can tell a store apart.
constexpr std::int64_t application_id = 0x64756C79;
constexpr std::int64_t format_version = 1;

constexpr const char* schema_sql = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE policies(hash TEXT PRIMARY KEY, name TEXT NOT NULL, source TEXT NOT NULL);
CREATE TABLE events(seq INTEGER PRIMARY KEY, id TEXT NOT NULL, at INTEGER NOT NULL,
                    line TEXT NOT NULL UNIQUE, run INTEGER NOT NULL);
CREATE INDEX events_by_record ON events(id, seq);
CREATE TABLE records(id TEXT PRIMARY KEY, policy TEXT NOT NULL, open INTEGER NOT NULL,
                     next_wakeup INTEGER, evaluated_as_of INTEGER NOT NULL);
CREATE INDEX records_by_wakeup ON records(next_wakeup) WHERE next_wakeup IS NOT NULL;
CREATE TABLE firings(key TEXT PRIMARY KEY, id TEXT NOT NULL, fired_at INTEGER NOT NULL,
                     run INTEGER NOT NULL, printed INTEGER NOT NULL);
CREATE TABLE rejected(run INTEGER NOT NULL, line INTEGER NOT NULL, reason TEXT NOT NULL);
CREATE TABLE runs(run INTEGER PRIMARY KEY, as_of INTEGER NOT NULL, policy TEXT NOT NULL,
                  events_read INTEGER NOT NULL, events_new INTEGER NOT NULL,
                  events_duplicate INTEGER NOT NULL, rejected INTEGER NOT NULL,
                  records_evaluated INTEGER NOT NULL, firings_printed INTEGER NOT NULL);
)sql";

constexpr const char* tables[] = {"meta", "policies", "events", "records", "firings", "rejected", "runs"};

store_failure failure(store_status status, const std::string& file, const std::string& message) {
  return {status, file + ": " + message};
}

// What an SQLite error means for the person running duly.
store_failure explain_sqlite(const std::string& file, const sqlite_error& e) {
  switch (e.code) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return failure(store_status::busy, file, "the store is in use by another duly run (" + std::string(e.what()) +
                                                   "); try again later, or give --wait SECONDS");
    case SQLITE_NOTADB:
      return failure(store_status::unusable, file, "not a duly store: the file is not an SQLite database");
    case SQLITE_CORRUPT:
      return failure(store_status::unusable, file,
                     "the store is damaged (" + std::string(e.what()) + "); restore it from a backup");
    case SQLITE_FULL:
      return failure(store_status::unusable, file, "no space left to write the store (" + std::string(e.what()) + ")");
    case SQLITE_CANTOPEN:
      return failure(store_status::unusable, file, "cannot open the store (" + std::string(e.what()) + ")");
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return failure(store_status::unusable, file, "cannot write the store (" + std::string(e.what()) + ")");
    default:
      return failure(store_status::unusable, file, "store error: " + std::string(e.what()));
  }
}

// Checks that `db` is a duly store of a format this duly reads; an empty
// database becomes one when `create`.
std::optional<store_failure> check_format(database& db, const std::string& file, bool create) {
  const std::int64_t app = db.scalar("PRAGMA application_id");
  const std::int64_t version = db.scalar("PRAGMA user_version");
  const std::int64_t objects = db.scalar("SELECT count(*) FROM sqlite_master");
  if (app == 0 && version == 0 && objects == 0) {
    if (!create) return failure(store_status::unusable, file, "not a duly store: the database is empty (no run has written to it)");
    db.exec(schema_sql);
    db.exec(("PRAGMA application_id = " + std::to_string(application_id)).c_str());
    db.exec(("PRAGMA user_version = " + std::to_string(format_version)).c_str());
    return std::nullopt;
  }
  if (app != application_id)
    return failure(store_status::unusable, file, "not a duly store: an SQLite database of another program");
  if (version > format_version)
    return failure(store_status::unusable, file,
                   "written by a newer duly (store format " + std::to_string(version) + "; this duly reads format " +
                       std::to_string(format_version) + ")");
  statement has = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?");
  for (const char* t : tables) {
    has.bind(1, std::string_view(t));
    const bool found = has.step() && has.int64(0) == 1;
    has.reset();
    if (!found)
      return failure(store_status::unusable, file,
                     std::string("the store is damaged: its table '") + t + "' is missing; restore it from a backup");
  }
  return std::nullopt;
}

// The event as one JSON object with its attributes sorted by name: the same
// event always gives the same text, which is how re-delivery is recognised, and
// parse_event_json reads it back exactly.
std::string canonical_line(const event& e) {
  std::vector<const attribute_update*> updates;
  updates.reserve(e.updates.size());
  for (const auto& u : e.updates) updates.push_back(&u);
  std::stable_sort(updates.begin(), updates.end(),
                   [](const attribute_update* a, const attribute_update* b) { return a->name < b->name; });
  std::string out = "{\"id\":" + value::string(e.id).to_json() + ",\"at\":\"" + format_instant(e.at) +
                    "\",\"event\":" + value::string(e.name).to_json();
  for (const attribute_update* u : updates) {
    out += ',';
    out += value::string(u->name).to_json();
    out += ':';
    out += u->value.view().to_json();
  }
  out += '}';
  return out;
}

struct record_row {
  std::string policy;
  bool open = false;
  std::int64_t evaluated_as_of = 0;
};

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

record_row read_record(const statement& s, int first_col) {
  return {std::string(s.text(first_col)), s.int64(first_col + 1) != 0, s.int64(first_col + 2)};
}

// Compiled policies by fingerprint: the current one, and earlier ones from the
// store's own copy of their text.
class policy_cache {
 public:
  policy_cache(database& db, const policy& current, const std::string& file)
      : db_(db), current_(current), file_(file) {}

  tl::expected<const policy*, store_failure> get(const std::string& hash) {
    if (hash == current_.fingerprint()) return &current_;
    if (auto it = compiled_.find(hash); it != compiled_.end()) return &it->second;
    statement s = db_.prepare("SELECT name, source FROM policies WHERE hash = ?");
    s.bind(1, hash);
    if (!s.step())
      return tl::unexpected(failure(store_status::unusable, file_,
                                    "the store is damaged: policy " + hash + " is referenced but not kept"));
    auto p = parse_policy(s.text(1), s.text(0));
    if (!p)
      return tl::unexpected(failure(store_status::unusable, file_,
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

// Loads the events of the records in the temporary table `chosen`, by policy.
std::map<std::string, std::vector<event>> load_chosen_events(database& db, const std::string& file) {
  std::map<std::string, std::vector<event>> by_policy;
  statement s = db.prepare("SELECT e.seq, e.line, c.policy FROM events e JOIN chosen c ON c.id = e.id ORDER BY e.seq");
  while (s.step()) {
    auto e = parse_event_json(s.text(1));
    if (!e) throw sqlite_error(SQLITE_CORRUPT, "event " + std::to_string(s.int64(0)) + " in " + file +
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

std::int64_t count(const instant& t) { return t.time_since_epoch().count(); }
instant from_count(std::int64_t s) { return instant(seconds(s)); }

bool earlier_output(const escalation_row& a, const escalation_row& b) {
  if (a.fired_at != b.fired_at) return a.fired_at < b.fired_at;
  return a.key() < b.key();
}

// The records table and `chosen` temporary table for a run's or a state's
// selection.
void fill_chosen(database& db, const std::unordered_map<std::string, choice>& chosen) {
  db.exec("CREATE TEMP TABLE chosen(id TEXT PRIMARY KEY, policy TEXT NOT NULL)");
  statement ins = db.prepare("INSERT INTO chosen(id, policy) VALUES(?, ?)");
  for (const auto& [id, c] : chosen) {
    ins.bind(1, id).bind(2, c.policy);
    ins.run();
  }
}

store_result<run_outcome> run_in_transaction(database& db, const run_request& r,
                                             const std::function<bool(const run_outcome&)>& emit) {
  const std::string& file = r.store_file;
  const policy& current = *r.current;
  const std::string& hash = current.fingerprint();
  run_outcome out;

  const auto last_as_of = [&]() -> std::optional<std::int64_t> {
    statement s = db.prepare("SELECT max(as_of) FROM runs");
    return s.step() ? s.optional_int64(0) : std::nullopt;
  }();
  if (last_as_of && count(r.as_of) < *last_as_of)
    return tl::unexpected(failure(store_status::bad_input, file,
                                  "--as-of " + format_instant(r.as_of) + " is before the last run's (" +
                                      format_instant(from_count(*last_as_of)) +
                                      "): a store only moves forward; use `duly state` to look at the past"));
  out.run = db.scalar("SELECT max(run) FROM runs", 0) + 1;

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

  // This run's events, in input order; a re-delivered event changes nothing.
  std::set<std::string> touched;
  {
    std::vector<const event*> order;
    order.reserve(r.events.size());
    for (const auto& e : r.events) order.push_back(&e);
    std::stable_sort(order.begin(), order.end(),
                     [](const event* a, const event* b) { return a->sequence < b->sequence; });
    statement ins = db.prepare("INSERT OR IGNORE INTO events(id, at, line, run) VALUES(?, ?, ?, ?)");
    for (const event* e : order) {
      ins.bind(1, e->id).bind(2, count(e->at)).bind(3, canonical_line(*e)).bind(4, out.run);
      ins.run();
      if (db.changes() == 1) {
        ++out.events_new;
        touched.insert(e->id);
      } else {
        ++out.events_duplicate;
      }
    }
    statement rej = db.prepare("INSERT INTO rejected(run, line, reason) VALUES(?, ?, ?)");
    for (const auto& row : r.rejected) {
      rej.bind(1, out.run).bind(2, static_cast<std::int64_t>(row.line)).bind(3, row.reason);
      rej.run();
    }
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
    due.bind(1, count(r.as_of));
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
  for (auto& [policy_hash, events] : load_chosen_events(db, file)) {
    auto p = policies.get(policy_hash);
    if (!p) return tl::unexpected(p.error());
    const evaluation result = evaluate(**p, events, r.as_of);
    for (const escalation_row& f : result.escalations) {
      const std::string key = f.key();
      const choice& c = chosen.at(f.id);
      const bool quiet = (r.quiet_before && f.fired_at < *r.quiet_before) || (c.moved && count(f.fired_at) <= c.since);
      fire.bind(1, key).bind(2, f.id).bind(3, count(f.fired_at)).bind(4, out.run).bind(5, quiet ? 0 : 1);
      fire.run();
      if (db.changes() == 0) continue;  // printed (or passed over) by an earlier run
      if (quiet) {
        ++out.firings_suppressed;
      } else {
        out.printed.push_back(f);
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
    for (const auto& e : events) {
      auto& s = records[e.id];
      if (e.at > r.as_of && (!s.wakeup || e.at < *s.wakeup)) s.wakeup = e.at;
    }
    for (const auto& [id, s] : records) {
      save.bind(1, id).bind(2, policy_hash).bind(3, s.open ? 1 : 0);
      save.bind(4, s.wakeup ? std::optional<std::int64_t>(count(*s.wakeup)) : std::nullopt);
      save.bind(5, count(r.as_of));
      save.run();
    }
  }
  db.exec("DROP TABLE chosen");
  std::sort(out.printed.begin(), out.printed.end(), earlier_output);

  db.prepare(
        "INSERT INTO runs(run, as_of, policy, events_read, events_new, events_duplicate, rejected, "
        "records_evaluated, firings_printed) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, out.run)
      .bind(2, count(r.as_of))
      .bind(3, hash)
      .bind(4, static_cast<std::int64_t>(r.events.size()))
      .bind(5, static_cast<std::int64_t>(out.events_new))
      .bind(6, static_cast<std::int64_t>(out.events_duplicate))
      .bind(7, static_cast<std::int64_t>(r.rejected.size()))
      .bind(8, static_cast<std::int64_t>(out.records_evaluated))
      .bind(9, static_cast<std::int64_t>(out.printed.size()))
      .run();
  {
    statement s = db.prepare("SELECT min(next_wakeup) FROM records");
    if (s.step() && !s.is_null(0)) out.next_wakeup = from_count(s.int64(0));
  }
  if (!emit(out))
    return tl::unexpected(failure(store_status::bad_input, file, "the output could not be written; the run was rolled back"));
  return out;
}

}  // namespace

store_result<run_outcome> store_run(const run_request& r, const std::function<bool(const run_outcome&)>& emit) {
  try {
    database db(r.store_file, false, true);
    db.busy_timeout(static_cast<int>(std::min<std::int64_t>(r.wait.count(), 1'000'000'000)));
    // Write-ahead logging: `duly state` reading never blocks a run's commit.
    // Only for a duly store or an empty file: never convert another program's
    // database (check_format refuses it below).
    const std::int64_t app = db.scalar("PRAGMA application_id");
    if (app == application_id || (app == 0 && db.scalar("SELECT count(*) FROM sqlite_master") == 0))
      db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");  // a committed run survives a power cut
    db.exec("BEGIN IMMEDIATE");
    if (auto bad = check_format(db, r.store_file, true)) return tl::unexpected(*bad);
    auto out = run_in_transaction(db, r, emit);
    if (!out) return out;  // the database closes with the transaction open: rolled back
    db.exec("COMMIT");
    return out;
  } catch (const sqlite_error& e) {
    return tl::unexpected(explain_sqlite(r.store_file, e));
  }
}

store_result<evaluation> store_state(const state_request& r) {
  std::error_code ec;
  if (!std::filesystem::exists(r.store_file, ec))
    return tl::unexpected(failure(store_status::unusable, r.store_file, "no such store (`duly run` creates it)"));
  try {
    // Read-write (never created) so that SQLite can roll back the journal of
    // a killed run; read-only when the file cannot be written.
    std::optional<database> opened;
    try {
      opened.emplace(r.store_file, false, false);
    } catch (const sqlite_error& e) {
      if (e.code != SQLITE_CANTOPEN && e.code != SQLITE_READONLY && e.code != SQLITE_PERM) throw;
      opened.emplace(r.store_file, true, false);
    }
    database& db = *opened;
    db.busy_timeout(static_cast<int>(std::min<std::int64_t>(r.wait.count(), 1'000'000'000)));
    db.exec("BEGIN");  // one snapshot: a run committing meanwhile is not half seen
    if (auto bad = check_format(db, r.store_file, false)) return tl::unexpected(*bad);
    const std::string& hash = r.current->fingerprint();

    std::unordered_map<std::string, choice> chosen;
    {
      statement s = db.prepare("SELECT id, policy, open, evaluated_as_of FROM records");
      while (s.step()) chosen.emplace(std::string(s.text(0)), choose(read_record(s, 1), hash, r.recompute));
    }
    fill_chosen(db, chosen);
    policy_cache policies(db, *r.current, r.store_file);
    evaluation all;
    std::size_t groups = 0;
    for (auto& [policy_hash, events] : load_chosen_events(db, r.store_file)) {
      auto p = policies.get(policy_hash);
      if (!p) return tl::unexpected(p.error());
      evaluation part = evaluate(**p, events, r.as_of);
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
    db.exec("ROLLBACK");
    return all;
  } catch (const sqlite_error& e) {
    return tl::unexpected(explain_sqlite(r.store_file, e));
  }
}

}  // namespace duly::cli
