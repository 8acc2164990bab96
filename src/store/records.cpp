// Which records a run or a state evaluates, with which policy, and their
// events (records.hpp).
#include "store/records.hpp"

#include <algorithm>
#include <charconv>

#include "store/format.hpp"

namespace duly::store_detail {

using sqlite::database;
using sqlite::sqlite_error;
using sqlite::statement;
using store_format::failure;

record_row read_record(const statement& s, int first_col) {
  return {std::string(s.text(first_col)), s.int64(first_col + 1) != 0, s.int64(first_col + 2)};
}

choice choose(const std::optional<record_row>& row, const std::string& current, recompute_mode mode) {
  if (!row) return {current, false, 0};
  if (row->policy != current && (mode == recompute_mode::all || (mode == recompute_mode::open && row->open)))
    return {current, true, row->evaluated_as_of};
  return {row->policy, false, 0};
}

result<const policy*> policy_cache::get(const std::string& hash) {
  if (current_ != nullptr && hash == current_->fingerprint()) return current_;
  if (auto it = compiled_.find(hash); it != compiled_.end()) return &it->second;
  statement s = db_.prepare("SELECT name, source FROM policies WHERE hash = ?");
  s.bind(1, hash);
  if (!s.step())
    return tl::unexpected(
        failure(errc::store_unusable, file_, "the store is damaged: policy " + hash + " is referenced but not kept"));
  auto p = parse_policy(s.text(1), s.text(0));
  if (!p)
    return tl::unexpected(failure(errc::store_unusable, file_,
                                  "the store's earlier policy " + std::string(s.text(0)) + " (" + hash +
                                      ") no longer compiles: " + p.error().message() +
                                      "; move its records to the current policy with --recompute all"));
  return &compiled_.emplace(hash, std::move(*p)).first->second;
}

void fill_chosen(database& db, const std::unordered_map<std::string, choice>& chosen) {
  db.exec("CREATE TEMP TABLE chosen(id TEXT PRIMARY KEY, policy TEXT NOT NULL)");
  statement ins = db.prepare("INSERT INTO chosen(id, policy) VALUES(?, ?)");
  for (const auto& [id, c] : chosen) {
    ins.bind(1, id).bind(2, c.policy);
    ins.run();
  }
}

std::map<std::string, std::vector<event>> load_chosen_events(database& db, const std::string& file) {
  std::map<std::string, std::vector<event>> by_policy;
  const bool fractions = store_format::has_format_3(db);
  statement s = db.prepare(fractions ? "SELECT e.seq, e.line, c.policy, e.fraction FROM events e JOIN chosen c "
                                       "ON c.id = e.id ORDER BY e.seq"
                                     : "SELECT e.seq, e.line, c.policy, 0 FROM events e JOIN chosen c "
                                       "ON c.id = e.id ORDER BY e.seq");
  while (s.step()) {
    auto e = parse_event_json(s.text(1));
    if (!e)
      throw sqlite_error(SQLITE_CORRUPT, "event " + std::to_string(s.int64(0)) + " in " + file +
                                             " cannot be read back: " + e.error().message());
    const std::int64_t fraction = s.int64(3);
    if (fraction < 0 || fraction >= 1'000'000'000)
      throw sqlite_error(SQLITE_CORRUPT, "event " + std::to_string(s.int64(0)) + " in " + file +
                                             " has a fraction of a second out of range: " + std::to_string(fraction));
    e->fraction = static_cast<std::uint32_t>(fraction);
    e->sequence = static_cast<std::uint64_t>(s.int64(0));
    by_policy[std::string(s.text(2))].push_back(std::move(*e));
  }
  return by_policy;
}

std::string ordinal_key(const escalation_row& f) {
  return f.id + "/" + f.target + "/" + f.escalation + "/" + std::to_string(f.cycle) + "/" + std::to_string(f.point);
}

result<void> rekey_firings(database& db, const std::string& file) {
  std::optional<std::int64_t> last;
  {
    statement s = db.prepare("SELECT max(as_of) FROM runs");
    if (s.step()) last = s.optional_int64(0);
  }
  if (!last || db.scalar("SELECT count(*) FROM firings") == 0) return {};
  std::unordered_map<std::string, choice> chosen;
  {
    statement s = db.prepare("SELECT id, policy FROM records");
    while (s.step()) chosen.emplace(std::string(s.text(0)), choice{std::string(s.text(1)), false, 0});
  }
  fill_chosen(db, chosen);
  policy_cache policies(db, nullptr, file);
  db.exec("CREATE TEMP TABLE rekeyed(old TEXT PRIMARY KEY, new TEXT NOT NULL)");
  {
    statement put = db.prepare("INSERT OR IGNORE INTO rekeyed(old, new) VALUES(?, ?)");
    for (auto& [policy_hash, record_events] : load_chosen_events(db, file)) {
      auto p = policies.get(policy_hash);
      if (!p) return tl::unexpected(p.error());
      const evaluation result = evaluate(**p, record_events, from_count(*last));
      for (const escalation_row& f : result.escalations) {
        put.bind(1, ordinal_key(f)).bind(2, f.key());
        put.run();
      }
    }
  }
  // A key of a firing no evaluation makes now stays as a marker (withdrawn = 0).
  db.exec("UPDATE firings SET withdrawn = 0 WHERE key NOT IN (SELECT old FROM rekeyed)");
  db.exec("UPDATE firings SET key = (SELECT new FROM rekeyed WHERE old = firings.key) "
          "WHERE key IN (SELECT old FROM rekeyed)");
  db.exec("DROP TABLE rekeyed");
  db.exec("DROP TABLE chosen");
  return {};
}

std::int64_t next_run(database& db) { return db.scalar("SELECT max(run) FROM runs", 0) + 1; }

std::set<std::string> insert_events(database& db, std::span<const event> events, std::span<const rejected_row> rejected,
                                    std::int64_t run, add_result& counts) {
  std::set<std::string> touched;
  std::vector<const event*> order;
  order.reserve(events.size());
  for (const auto& e : events) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(), [](const event* a, const event* b) { return a->sequence < b->sequence; });
  statement ins = db.prepare("INSERT OR IGNORE INTO events(id, at, line, run, fraction) VALUES(?, ?, ?, ?, ?)");
  for (const event* e : order) {
    ins.bind(1, e->id).bind(2, count(e->at)).bind(3, store_format::canonical_line(*e)).bind(4, run);
    ins.bind(5, static_cast<std::int64_t>(e->fraction));
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

}  // namespace duly::store_detail
