// A run of the store (store::run): the records it evaluates, the firings it
// reports and records, each record's next wake-up, and the run log.
#include <algorithm>
#include <charconv>
#include <map>
#include <string_view>
#include <unordered_map>

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

// A key's cycle start ("20261125T160000Z", "20261125T160000Z_2") and point,
// split from the right (the id may contain '/'): what a withdrawal needs when
// the outbox has no line of the firing. Empty when the key is of another form.
struct key_parts {
  std::string target, escalation;
  instant start{};
  std::int64_t rank = 0;
  std::int64_t point = 0;
};

std::optional<key_parts> split_key(std::string_view key) {
  std::string_view part[4];
  for (int i = 3; i >= 0; --i) {
    const auto slash = key.rfind('/');
    if (slash == std::string_view::npos) return std::nullopt;
    part[i] = key.substr(slash + 1);
    key = key.substr(0, slash);
  }
  key_parts out;
  out.target = std::string(part[0]);
  out.escalation = std::string(part[1]);
  std::string_view start = part[2];
  if (const auto u = start.find('_'); u != std::string_view::npos) {
    const auto r = start.substr(u + 1);
    if (std::from_chars(r.data(), r.data() + r.size(), out.rank).ec != std::errc() || out.rank < 2) return std::nullopt;
    --out.rank;
    start = start.substr(0, u);
  }
  if (start.size() != 16 || start[8] != 'T' || start[15] != 'Z') return std::nullopt;
  const std::string iso = std::string(start.substr(0, 4)) + "-" + std::string(start.substr(4, 2)) + "-" +
                          std::string(start.substr(6, 2)) + "T" + std::string(start.substr(9, 2)) + ":" +
                          std::string(start.substr(11, 2)) + ":" + std::string(start.substr(13, 2)) + "Z";
  auto t = parse_instant(iso);
  if (!t) return std::nullopt;
  out.start = *t;
  const auto pt = part[3];
  if (std::from_chars(pt.data(), pt.data() + pt.size(), out.point).ec != std::errc()) return std::nullopt;
  return out;
}

// Why a firing of the record no longer comes, for people: from the record's
// cycles of that target now.
std::string withdrawal_reason(const key_parts& k, instant fired_at, const std::vector<const timer_row*>& cycles,
                              instant as_of) {
  std::int64_t seen = 0;
  for (const timer_row* t : cycles) {
    if (!t->started || *t->started != k.start) continue;
    if (seen++ != k.rank) continue;
    if (t->stopped && *t->stopped <= fired_at)
      return "the cycle that started at " + format_instant(k.start) + " now ends " + std::string(to_string(t->state)) +
             " at " + format_instant(*t->stopped) + ", not after the point (" + format_instant(fired_at) + ")";
    return "the point no longer fires by " + format_instant(as_of) +
           " in the cycle that started at " + format_instant(k.start) +
           ": a late event moved it (a pause, a goal) or its `when` no longer holds";
  }
  return "the record has no " + k.target + " cycle that started at " + format_instant(k.start) +
         " any more: a late event changed when, or whether, it started";
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

  policy_cache policies(db, &current, file);
  // A firing reported once is reported again only after it was withdrawn.
  statement fire = db.prepare(
      "INSERT INTO firings(key, id, fired_at, run, printed) VALUES(?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT(key) DO UPDATE SET fired_at = ?3, run = ?4, printed = ?5, withdrawn = NULL "
      "WHERE withdrawn > 0");
  // The firings standing for the records chosen, to find those no longer made.
  struct standing {
    std::string id;
    std::int64_t fired_at = 0;
    bool printed = false;
  };
  std::unordered_map<std::string, standing> stood;
  {
    statement s = db.prepare(
        "SELECT f.key, f.id, f.fired_at, f.printed FROM firings f JOIN chosen c ON c.id = f.id "
        "WHERE f.withdrawn IS NULL");
    while (s.step()) stood.emplace(std::string(s.text(0)), standing{std::string(s.text(1)), s.int64(2), s.int64(3) != 0});
  }
  struct withdrawal {
    std::string key;
    standing was;
    std::string reason;
    const policy* pol = nullptr;
    bool quiet = false;
  };
  std::vector<withdrawal> withdrawals;
  statement save = db.prepare(
      "INSERT INTO records(id, policy, open, next_wakeup, evaluated_as_of) VALUES(?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT(id) DO UPDATE SET policy = ?2, open = ?3, next_wakeup = ?4, evaluated_as_of = ?5");
  for (auto& [policy_hash, record_events] : load_chosen_events(db, file)) {
    auto p = policies.get(policy_hash);
    if (!p) return tl::unexpected(p.error());
    evaluation result = evaluate(**p, record_events, as_of);
    // Firings made whose deliver_at (deliver_in) is still to come: not recorded
    // now; the record wakes by the earliest of them, and the run then reports them.
    std::map<std::string_view, instant> held;
    for (escalation_row& f : result.escalations) {
      std::string key = f.key();
      const bool standing = stood.erase(key) > 0;  // still made (and reported before)
      const choice& c = chosen.at(f.id);
      const bool quiet = (r.quiet_before && f.fired_at < *r.quiet_before) || (c.moved && count(f.fired_at) <= c.since);
      if (!quiet && !standing && f.delivery() > as_of) {
        const auto [h, fresh] = held.try_emplace(f.id, f.delivery());
        if (!fresh && f.delivery() < h->second) h->second = f.delivery();
        ++out.firings_held;
        continue;
      }
      fire.bind(1, key).bind(2, f.id).bind(3, count(f.fired_at)).bind(4, out.run).bind(5, quiet ? 0 : 1);
      fire.run();
      if (db.changes() == 0) continue;  // reported (or passed over) by an earlier run
      if (quiet) {
        ++out.firings_suppressed;
      } else {
        out.fired.push_back({std::move(key), std::move(f)});
      }
    }
    // What stood for these records and is no longer made: withdrawn (quietly
    // when it was never reported, or when the record moved to another policy).
    {
      std::map<std::pair<std::string_view, std::string_view>, std::vector<const timer_row*>> cycles;
      for (const timer_row& t : result.timers) cycles[{t.id, t.target}].push_back(&t);
      for (auto it = stood.begin(); it != stood.end();) {
        const auto c = chosen.find(it->second.id);
        if (c == chosen.end() || c->second.policy != policy_hash) {
          ++it;
          continue;
        }
        withdrawal w{it->first, it->second, {}, *p, !it->second.printed || c->second.moved};
        if (const auto k = split_key(w.key)) {
          static const std::vector<const timer_row*> none;
          const auto cs = cycles.find({std::string_view(w.was.id), std::string_view(k->target)});
          w.reason = withdrawal_reason(*k, from_count(w.was.fired_at), cs == cycles.end() ? none : cs->second, as_of);
        } else {
          w.reason = "the firing is no longer made";
        }
        withdrawals.push_back(std::move(w));
        it = stood.erase(it);
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
    // Firings held for their deliver_at: wake the record then.
    for (const auto& [id, at] : held) {
      auto& s = records[id];
      if (!s.wakeup || at < *s.wakeup) s.wakeup = at;
    }
    for (const auto& [id, s] : records) {
      save.bind(1, id).bind(2, policy_hash).bind(3, s.open ? 1 : 0);
      save.bind(4, s.wakeup ? std::optional<std::int64_t>(count(*s.wakeup)) : std::nullopt);
      save.bind(5, count(as_of));
      save.run();
    }
  }
  db.exec("DROP TABLE chosen");
  // In the order they are handed over.
  std::sort(out.fired.begin(), out.fired.end(), [](const store_firing& a, const store_firing& b) {
    if (a.row.delivery() != b.row.delivery()) return a.row.delivery() < b.row.delivery();
    if (a.row.fired_at != b.row.fired_at) return a.row.fired_at < b.row.fired_at;
    return a.key < b.key;
  });
  // The outbox keeps every firing reported, in the order reported.
  {
    statement put = db.prepare(
        "INSERT INTO outbox(kind, key, id, target, escalation, cycle, point, fired_at, actions, run, cycle_started, "
        "cycle_rank, deliver_at) VALUES('escalation', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (store_firing& f : out.fired) {
      put.bind(1, f.key).bind(2, f.row.id).bind(3, f.row.target).bind(4, f.row.escalation);
      put.bind(5, f.row.cycle).bind(6, f.row.point).bind(7, count(f.row.fired_at));
      put.bind(8, f.row.actions_json.empty() ? std::string_view("[]") : std::string_view(f.row.actions_json));
      put.bind(9, out.run).bind(10, count(f.row.cycle_started)).bind(11, f.row.cycle_rank);
      put.bind(12, count(f.row.delivery()));
      put.run();
      f.cursor = db.last_insert_rowid();
    }
  }

  // Withdrawals, by key, after the firings; each firing withdrawn once (it
  // stands again only when it fires again).
  {
    std::sort(withdrawals.begin(), withdrawals.end(),
              [](const withdrawal& a, const withdrawal& b) { return a.key < b.key; });
    statement mark = db.prepare("UPDATE firings SET withdrawn = ? WHERE key = ?");
    statement line = db.prepare(
        "SELECT id, target, escalation, cycle, point, fired_at, actions, cycle_started, cycle_rank, deliver_at "
        "FROM outbox WHERE key = ? AND kind = 'escalation' ORDER BY cursor DESC LIMIT 1");
    statement put = db.prepare(
        "INSERT INTO outbox(kind, key, id, target, escalation, cycle, point, fired_at, actions, run, cycle_started, "
        "cycle_rank, reason, deliver_at) VALUES('withdrawal', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (withdrawal& w : withdrawals) {
      mark.bind(1, out.run).bind(2, w.key);
      mark.run();
      if (w.quiet) continue;
      outbox_entry e;
      e.kind = "withdrawal";
      e.key = w.key;
      e.run = out.run;
      e.reason = w.reason;
      line.bind(1, w.key);
      if (line.step()) {
        e.row.id = std::string(line.text(0));
        e.row.target = std::string(line.text(1));
        e.row.escalation = std::string(line.text(2));
        e.row.cycle = line.int64(3);
        e.row.point = line.int64(4);
        e.row.fired_at = from_count(line.int64(5));
        e.row.actions_json = std::string(line.text(6));
        if (!line.is_null(7)) e.row.cycle_started = from_count(line.int64(7));
        if (!line.is_null(8)) e.row.cycle_rank = line.int64(8);
        if (!line.is_null(9)) e.row.deliver_at = from_count(line.int64(9));
      } else {
        // Reported before the outbox kept its lines: the key and the policy say the rest.
        e.row.id = w.was.id;
        e.row.fired_at = from_count(w.was.fired_at);
        if (const auto k = split_key(w.key)) {
          e.row.target = k->target;
          e.row.escalation = k->escalation;
          e.row.point = k->point;
          e.row.cycle_started = k->start;
          e.row.cycle_rank = k->rank;
          for (const auto& x : w.pol->escalations())
            if (x.name == k->escalation && x.target == k->target) e.row.actions_json = x.actions_json;
        }
        if (e.row.actions_json.empty()) e.row.actions_json = "[]";
      }
      line.reset();
      put.bind(1, e.key).bind(2, e.row.id).bind(3, e.row.target).bind(4, e.row.escalation).bind(5, e.row.cycle);
      put.bind(6, e.row.point).bind(7, count(e.row.fired_at)).bind(8, e.row.actions_json).bind(9, out.run);
      put.bind(10, count(e.row.cycle_started)).bind(11, e.row.cycle_rank).bind(12, e.reason);
      put.bind(13, count(e.row.delivery()));
      put.run();
      e.cursor = db.last_insert_rowid();
      out.withdrawn.push_back(std::move(e));
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
