// The store (duly/store.hpp): opening, adding events, runs and state.
// format.hpp describes the file; sqlite.hpp wraps the SQLite C API, whose
// exceptions stop at each public function here and become duly::error values;
// run.cpp holds a run's work, records.hpp what a run and a state share.
#include <duly/store.hpp>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <cstdint>
#include <iterator>

#include "store/format.hpp"
#include "store/records.hpp"
#include "store/sqlite.hpp"

namespace duly {
namespace {

using sqlite::database;
using sqlite::sqlite_error;
using sqlite::statement;
using store_format::failure;
using namespace store_detail;

int timeout_ms(std::chrono::milliseconds wait) {
  return static_cast<int>(std::clamp<std::int64_t>(wait.count(), 0, 1'000'000'000));
}

// Inside a write transaction: the store checked, made, or migrated to this
// duly's format (an older store's firing keys rewritten too).
result<void> migrate(database& db, const std::string& file) {
  std::int64_t from = 0;
  if (auto found = store_format::check(db, file, true, &from); !found) return tl::unexpected(std::move(found).error());
  if (from == 1 || from == 2) return rekey_firings(db, file);
  return {};
}

// The meta key that keeps a consumer's delivery position.
std::string delivered_key(std::string_view consumer) { return "delivered:" + std::string(consumer); }

// records() of one record, inside records()'s read transaction: its row and
// its events through the indexes on record id; none when the store has no
// event for it.
result<std::optional<store::policy_events>> record_events(database& db, const std::string& file,
                                                          const policy& current, const state_options& options) {
  const std::string& id = *options.id;
  choice c{current.fingerprint(), false, 0};
  {
    statement s = db.prepare("SELECT policy, open, evaluated_as_of FROM records WHERE id = ?");
    s.bind(1, id);
    if (s.step()) c = choose(read_record(s, 0), current.fingerprint(), options.recompute);
  }
  std::vector<event> events;
  {
    statement s = db.prepare(store_format::has_format_3(db)
                                 ? "SELECT seq, line, fraction FROM events WHERE id = ? ORDER BY seq"
                                 : "SELECT seq, line, 0 FROM events WHERE id = ? ORDER BY seq");
    s.bind(1, id);
    while (s.step()) {
      auto e = parse_event_json(s.text(1));
      if (!e)
        throw sqlite_error(SQLITE_CORRUPT, "event " + std::to_string(s.int64(0)) + " in " + file +
                                               " cannot be read back: " + e.error().message());
      const std::int64_t fraction = s.int64(2);
      if (fraction < 0 || fraction >= 1'000'000'000)
        throw sqlite_error(SQLITE_CORRUPT, "event " + std::to_string(s.int64(0)) + " in " + file +
                                               " has a fraction of a second out of range: " + std::to_string(fraction));
      e->fraction = static_cast<std::uint32_t>(fraction);
      e->sequence = static_cast<std::uint64_t>(s.int64(0));
      events.push_back(std::move(*e));
    }
  }
  if (events.empty()) return std::nullopt;
  policy_cache policies(db, &current, file);
  auto p = policies.get(c.policy);
  if (!p) return tl::unexpected(p.error());
  return store::policy_events{**p, std::move(events)};
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
  if (!options.create || options.read_only) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
      return tl::unexpected(failure(errc::io_error, path, "no such store (`duly run --create` makes a new one)"));
  }
  try {
    std::unique_ptr<impl> p;
    store_options o = options;
    if (o.read_only) o.create = false;
    try {
      p = std::make_unique<impl>(path, o, o.read_only);
    } catch (const sqlite_error& e) {
      // Read-write so that SQLite can recover after a killed run; a store that
      // is only read may be a file this user cannot write.
      if (o.create || o.read_only || (e.code != SQLITE_CANTOPEN && e.code != SQLITE_READONLY && e.code != SQLITE_PERM))
        throw;
      p = std::make_unique<impl>(path, o, true);
    }
    database& db = p->db;
    p->wait(std::nullopt);
    // A larger page cache (64 MiB) and memory-mapped reads: runs and a
    // service's stream of adds touch the events' indexes all over, and pages
    // copied in by read() calls were a large part of an add's time.
    db.exec("PRAGMA cache_size = -65536");
    db.exec("PRAGMA mmap_size = 268435456");
    if (o.create) {
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
      if (*found == store_format::found::empty && !o.create)
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
  if (impl_->options.read_only) return tl::unexpected(failure(errc::invalid_argument, impl_->path, "the store is open read-only"));
  try {
    impl_->wait(std::nullopt);
    transaction t(db, "BEGIN IMMEDIATE");
    if (auto migrated = migrate(db, impl_->path); !migrated) return tl::unexpected(std::move(migrated).error());
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
  if (impl_->options.read_only) return tl::unexpected(failure(errc::invalid_argument, impl_->path, "the store is open read-only"));
  try {
    impl_->wait(options.wait);
    transaction t(db, "BEGIN IMMEDIATE");
    if (auto migrated = migrate(db, impl_->path); !migrated) return tl::unexpected(std::move(migrated).error());
    auto out = run_in_transaction(db, impl_->path, current, events, as_of, options);
    if (!out) return out;  // rolled back
    t.commit();
    return out;
  } catch (const sqlite_error& e) {
    return tl::unexpected(store_format::explain_sqlite(impl_->path, e));
  }
}

// The records a state evaluates, by the policy each is evaluated with: inside
// one read transaction, so that a run committing meanwhile is not half seen.
result<std::vector<store::policy_events>> store::records(const policy& current, const state_options& options) {
  database& db = impl_->db;
  const std::string& file = impl_->path;
  try {
    impl_->wait(options.wait);
    transaction t(db, "BEGIN");
    auto found = store_format::check(db, file, false);
    if (!found) return tl::unexpected(std::move(found).error());
    std::vector<policy_events> out;
    if (*found == store_format::found::empty) return out;
    if (options.id) {
      auto one = record_events(db, file, current, options);
      if (!one) return tl::unexpected(std::move(one).error());
      if (*one) out.push_back(std::move(**one));
      return out;
    }
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
    policy_cache policies(db, &current, file);
    for (auto& [policy_hash, events] : load_chosen_events(db, file)) {
      auto p = policies.get(policy_hash);
      if (!p) return tl::unexpected(p.error());
      out.push_back(policy_events{**p, std::move(events)});
    }
    return out;  // the snapshot ends with the transaction (rolled back: nothing was written)
  } catch (const sqlite_error& e) {
    return tl::unexpected(store_format::explain_sqlite(file, e));
  }
}

result<evaluation> store::state(const policy& current, instant as_of, const state_options& options) {
  auto groups = records(current, options);
  if (!groups) return tl::unexpected(std::move(groups).error());
  evaluation all;
  for (const policy_events& g : *groups) {
    evaluation part = evaluate(g.used, g.events, as_of);
    std::move(part.timers.begin(), part.timers.end(), std::back_inserter(all.timers));
    std::move(part.escalations.begin(), part.escalations.end(), std::back_inserter(all.escalations));
    std::move(part.pauses.begin(), part.pauses.end(), std::back_inserter(all.pauses));
    all.events_applied += part.events_applied;
    all.events_ignored += part.events_ignored;
    if (part.next_wakeup && (!all.next_wakeup || *part.next_wakeup < *all.next_wakeup))
      all.next_wakeup = part.next_wakeup;
  }
  if (groups->size() > 1) {
    // Records in id order, as one evaluation gives them.
    std::stable_sort(all.timers.begin(), all.timers.end(),
                     [](const timer_row& a, const timer_row& b) { return a.id < b.id; });
    std::stable_sort(all.escalations.begin(), all.escalations.end(),
                     [](const escalation_row& a, const escalation_row& b) { return a.id < b.id; });
    std::stable_sort(all.pauses.begin(), all.pauses.end(),
                     [](const pause_row& a, const pause_row& b) { return a.id < b.id; });
  }
  return all;
}

result<std::optional<policy>> store::latest_policy() {
  database& db = impl_->db;
  try {
    impl_->wait(std::nullopt);
    transaction t(db, "BEGIN");
    auto found = store_format::check(db, impl_->path, false);
    if (!found) return tl::unexpected(std::move(found).error());
    if (*found == store_format::found::empty) return std::optional<policy>();
    statement s = db.prepare(
        "SELECT p.hash, p.name, p.source FROM meta m JOIN policies p ON p.hash = m.value WHERE m.key = 'policy'");
    if (!s.step()) return std::optional<policy>();
    auto p = parse_policy(s.text(2), s.text(1));
    if (!p)
      return tl::unexpected(failure(errc::store_unusable, impl_->path,
                                    "the store's latest policy " + std::string(s.text(1)) + " (" +
                                        std::string(s.text(0)) + ") no longer compiles: " + p.error().message()));
    return std::optional<policy>(std::move(*p));
  } catch (const sqlite_error& e) {
    return tl::unexpected(store_format::explain_sqlite(impl_->path, e));
  }
}

result<std::optional<stored_record>> store::record(std::string_view id) {
  database& db = impl_->db;
  const std::string& file = impl_->path;
  try {
    impl_->wait(std::nullopt);
    transaction t(db, "BEGIN");
    auto found = store_format::check(db, file, false);
    if (!found) return tl::unexpected(std::move(found).error());
    if (*found == store_format::found::empty) return std::optional<stored_record>();
    stored_record out;
    {
      statement s = db.prepare("SELECT seq, line FROM events WHERE id = ? ORDER BY seq");
      s.bind(1, std::string(id));
      while (s.step()) {
        auto e = parse_event_json(s.text(1));
        if (!e)
          return tl::unexpected(failure(errc::store_unusable, file,
                                        "event " + std::to_string(s.int64(0)) + " cannot be read back: " +
                                            e.error().message()));
        e->sequence = static_cast<std::uint64_t>(s.int64(0));
        e->line = 0;
        out.events.push_back(std::move(*e));
      }
    }
    if (out.events.empty()) return std::optional<stored_record>();
    statement r = db.prepare(
        "SELECT p.hash, p.name, p.source FROM records r JOIN policies p ON p.hash = r.policy WHERE r.id = ?");
    r.bind(1, std::string(id));
    if (r.step()) {
      out.policy_fingerprint = std::string(r.text(0));
      out.policy_name = std::string(r.text(1));
      auto p = parse_policy(r.text(2), r.text(1));
      if (!p)
        return tl::unexpected(failure(errc::store_unusable, file,
                                      "the policy " + out.policy_name + " (" + out.policy_fingerprint +
                                          ") of record '" + std::string(id) + "' no longer compiles: " +
                                          p.error().message()));
      out.record_policy = std::move(*p);
    }
    return std::optional<stored_record>(std::move(out));
  } catch (const sqlite_error& e) {
    return tl::unexpected(store_format::explain_sqlite(file, e));
  }
}

result<std::vector<outbox_entry>> store::outbox(const outbox_options& options) {
  database& db = impl_->db;
  try {
    impl_->wait(std::nullopt);
    transaction t(db, "BEGIN");
    auto found = store_format::check(db, impl_->path, false);
    if (!found) return tl::unexpected(std::move(found).error());
    std::vector<outbox_entry> out;
    if (*found == store_format::found::empty || !store_format::has_outbox(db)) return out;
    // Columns that older formats lack read as NULL.
    const char* later = store_format::has_format_4(db)   ? "cycle_started, cycle_rank, reason, deliver_at"
                        : store_format::has_format_3(db) ? "cycle_started, cycle_rank, reason, NULL"
                                                         : "NULL, NULL, NULL, NULL";
    statement s = db.prepare(std::string("SELECT cursor, kind, key, id, target, escalation, cycle, point, fired_at, "
                                         "actions, run, ") +
                             later +
                             " FROM outbox WHERE cursor > ?1 AND (?3 IS NULL OR id = ?3) ORDER BY cursor LIMIT ?2");
    s.bind(1, options.after);
    s.bind(2, options.limit ? static_cast<std::int64_t>(std::min<std::size_t>(*options.limit, INT64_MAX)) : -1);
    if (options.id) s.bind(3, std::string_view(*options.id));
    while (s.step()) {
      outbox_entry e;
      e.cursor = s.int64(0);
      e.kind = std::string(s.text(1));
      e.key = std::string(s.text(2));
      e.row.id = std::string(s.text(3));
      e.row.target = std::string(s.text(4));
      e.row.escalation = std::string(s.text(5));
      e.row.cycle = s.int64(6);
      e.row.point = s.int64(7);
      e.row.fired_at = from_count(s.int64(8));
      e.row.actions_json = std::string(s.text(9));
      e.run = s.int64(10);
      if (!s.is_null(11)) e.row.cycle_started = from_count(s.int64(11));
      if (!s.is_null(12)) e.row.cycle_rank = s.int64(12);
      if (!s.is_null(13)) e.reason = std::string(s.text(13));
      if (!s.is_null(14)) e.row.deliver_at = from_count(s.int64(14));  // else: at fired_at
      out.push_back(std::move(e));
    }
    return out;
  } catch (const sqlite_error& e) {
    return tl::unexpected(store_format::explain_sqlite(impl_->path, e));
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
    if (store_format::has_outbox(db)) out.last_cursor = db.scalar("SELECT max(cursor) FROM outbox", 0);
    {
      statement s = db.prepare("SELECT policy, count(*) FROM records GROUP BY policy ORDER BY policy");
      while (s.step()) out.record_policies.emplace_back(std::string(s.text(0)), static_cast<std::uint64_t>(s.int64(1)));
    }
    return out;
  } catch (const sqlite_error& e) {
    return tl::unexpected(store_format::explain_sqlite(impl_->path, e));
  }
}

result<bool> store::has_record(std::string_view id) {
  database& db = impl_->db;
  try {
    impl_->wait(std::nullopt);
    transaction t(db, "BEGIN");
    auto found = store_format::check(db, impl_->path, false);
    if (!found) return tl::unexpected(std::move(found).error());
    if (*found == store_format::found::empty) return false;
    statement s = db.prepare("SELECT 1 FROM events WHERE id = ? LIMIT 1");
    s.bind(1, id);
    return s.step();
  } catch (const sqlite_error& e) {
    return tl::unexpected(store_format::explain_sqlite(impl_->path, e));
  }
}

result<store_schedule> store::schedule() {
  database& db = impl_->db;
  try {
    impl_->wait(std::nullopt);
    transaction t(db, "BEGIN");
    auto found = store_format::check(db, impl_->path, false);
    if (!found) return tl::unexpected(std::move(found).error());
    store_schedule out;
    if (*found == store_format::found::empty) return out;
    // min() over the partial index records_by_wakeup; the latest run by its
    // primary key (as_of only moves forward, so it is the largest).
    if (statement s = db.prepare("SELECT min(next_wakeup) FROM records WHERE next_wakeup IS NOT NULL");
        s.step() && !s.is_null(0))
      out.next_wakeup = from_count(s.int64(0));
    out.events_pending = pending_from(db).has_value();
    if (statement s = db.prepare("SELECT as_of FROM runs ORDER BY run DESC LIMIT 1"); s.step())
      out.last_as_of = from_count(s.int64(0));
    if (store_format::has_outbox(db)) out.last_cursor = db.scalar("SELECT max(cursor) FROM outbox", 0);
    return out;
  } catch (const sqlite_error& e) {
    return tl::unexpected(store_format::explain_sqlite(impl_->path, e));
  }
}

result<std::int64_t> store::delivered(std::string_view consumer) {
  database& db = impl_->db;
  try {
    impl_->wait(std::nullopt);
    transaction t(db, "BEGIN");
    auto found = store_format::check(db, impl_->path, false);
    if (!found) return tl::unexpected(std::move(found).error());
    if (*found == store_format::found::empty) return std::int64_t{0};
    statement s = db.prepare("SELECT value FROM meta WHERE key = ?");
    s.bind(1, delivered_key(consumer));
    if (!s.step()) return std::int64_t{0};
    const std::string_view text = s.text(0);
    std::int64_t cursor = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), cursor);
    if (ec != std::errc() || end != text.data() + text.size())
      return tl::unexpected(failure(errc::store_unusable, impl_->path,
                                    "the store is damaged: the delivery position of '" + std::string(consumer) +
                                        "' is not a number: '" + std::string(text) + "'"));
    return cursor;
  } catch (const sqlite_error& e) {
    return tl::unexpected(store_format::explain_sqlite(impl_->path, e));
  }
}

result<void> store::set_delivered(std::string_view consumer, std::int64_t cursor) {
  database& db = impl_->db;
  if (impl_->options.read_only) return tl::unexpected(failure(errc::invalid_argument, impl_->path, "the store is open read-only"));
  if (consumer.empty()) return tl::unexpected(failure(errc::invalid_argument, impl_->path, "a delivery position needs a consumer's name"));
  if (cursor < 0)
    return tl::unexpected(failure(errc::invalid_argument, impl_->path,
                                  "a delivery position is a cursor (0 or more), got " + std::to_string(cursor)));
  try {
    impl_->wait(std::nullopt);
    transaction t(db, "BEGIN IMMEDIATE");
    if (auto made = migrate(db, impl_->path); !made) return tl::unexpected(std::move(made).error());
    // Kept as text in meta (no new table: the file format stays that of
    // `duly run`); CAST compares it as a number so that it never moves back.
    db.prepare(
          "INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2 "
          "WHERE CAST(value AS INTEGER) < CAST(?2 AS INTEGER)")
        .bind(1, delivered_key(consumer))
        .bind(2, std::to_string(cursor))
        .run();
    t.commit();
    return {};
  } catch (const sqlite_error& e) {
    return tl::unexpected(store_format::explain_sqlite(impl_->path, e));
  }
}

}  // namespace duly
