// A run of the store (store::run): the records it evaluates, the firings it
// reports and records, each record's next wake-up, and the run log.
#include <algorithm>
#include <map>

#include "store/format.hpp"
#include "store/records.hpp"

namespace duly::store_detail {
namespace {

using sqlite::database;
using sqlite::statement;
using store_format::failure;

bool active(const timer_row& t) {
  return !t.ended && (t.state == timer_state::running || t.state == timer_state::paused ||
                      t.state == timer_state::breached);
}

}  // namespace


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
  // The outbox keeps every firing reported, in the order reported.
  {
    statement put = db.prepare(
        "INSERT INTO outbox(kind, key, id, target, escalation, cycle, point, fired_at, actions, run) "
        "VALUES('escalation', ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (store_firing& f : out.fired) {
      put.bind(1, f.key).bind(2, f.row.id).bind(3, f.row.target).bind(4, f.row.escalation);
      put.bind(5, f.row.cycle).bind(6, f.row.point).bind(7, count(f.row.fired_at));
      put.bind(8, f.row.actions_json.empty() ? std::string_view("[]") : std::string_view(f.row.actions_json));
      put.bind(9, out.run);
      put.run();
      f.cursor = db.last_insert_rowid();
    }
  }

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

}  // namespace duly::store_detail
