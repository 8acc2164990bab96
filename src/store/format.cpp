// The store's file format (format.hpp describes it).
#include "store/format.hpp"

#include <algorithm>
#include <iterator>
#include <string_view>
#include <vector>

#include <duly/time.hpp>
#include <duly/value.hpp>

namespace duly::store_format {
namespace {

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

// Format 2 adds the outbox (a store of format 1 gains it in its next write).
constexpr const char* outbox_sql = R"sql(
CREATE TABLE outbox(cursor INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, key TEXT NOT NULL,
                    id TEXT NOT NULL, target TEXT NOT NULL, escalation TEXT NOT NULL,
                    cycle INTEGER NOT NULL, point INTEGER NOT NULL, fired_at INTEGER NOT NULL,
                    actions TEXT NOT NULL, run INTEGER NOT NULL);
)sql";

// Format 3 names a firing's cycle by its start in the firing keys (stores of
// formats 1 and 2 have the cycle's ordinal there: their keys are rewritten by
// store_detail::rekey_firings in the same transaction), keeps each event's
// fraction of a second (which orders events within a second), marks firings
// withdrawn, and gives outbox lines a reason (withdrawals).
constexpr const char* format_3_sql = R"sql(
ALTER TABLE events ADD COLUMN fraction INTEGER NOT NULL DEFAULT 0;
ALTER TABLE firings ADD COLUMN withdrawn INTEGER;
ALTER TABLE outbox ADD COLUMN cycle_started INTEGER;
ALTER TABLE outbox ADD COLUMN cycle_rank INTEGER;
ALTER TABLE outbox ADD COLUMN reason TEXT;
CREATE INDEX outbox_by_record ON outbox(id, cursor);
CREATE INDEX firings_by_record ON firings(id);
)sql";

// Format 4 keeps each outbox line's deliver_at (when the firing was handed
// over: its escalation's deliver_in); NULL in lines of older formats, which
// were handed over at fired_at.
constexpr const char* format_4_sql = R"sql(
ALTER TABLE outbox ADD COLUMN deliver_at INTEGER;
)sql";

constexpr const char* tables[] = {"meta", "policies", "events", "records", "firings", "rejected", "runs", "outbox"};
constexpr std::size_t tables_of_format_1 = 7;

void set_version(sqlite::database& db, std::int64_t v) {
  db.exec(("PRAGMA user_version = " + std::to_string(v)).c_str());
}

}  // namespace

error failure(errc code, const std::string& file, const std::string& message) {
  return error(code, file + ": " + message);
}

error explain_sqlite(const std::string& file, const sqlite::sqlite_error& e) {
  const std::string why = e.what();
  switch (e.code) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return failure(errc::store_busy, file,
                     "the store is in use by another duly run (" + why + "); try again later, or give --wait SECONDS");
    case SQLITE_NOTADB:
      return failure(errc::store_unusable, file, "not a duly store: the file is not an SQLite database");
    case SQLITE_CORRUPT:
      return failure(errc::store_unusable, file, "the store is damaged (" + why + "); restore it from a backup");
    case SQLITE_FULL:
      return failure(errc::io_error, file, "no space left to write the store (" + why + ")");
    case SQLITE_CANTOPEN:
      return failure(errc::io_error, file, "cannot open the store (" + why + ")");
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return failure(errc::io_error, file, "cannot write the store (" + why + ")");
    default:
      return failure(errc::store_unusable, file, "store error: " + why);
  }
}

bool is_store_or_empty(sqlite::database& db) {
  const std::int64_t app = db.scalar("PRAGMA application_id");
  return app == application_id || (app == 0 && db.scalar("SELECT count(*) FROM sqlite_master") == 0);
}

result<found> check(sqlite::database& db, const std::string& file, bool write, std::int64_t* migrated_from) {
  if (migrated_from != nullptr) *migrated_from = 0;
  const std::int64_t app = db.scalar("PRAGMA application_id");
  const std::int64_t user_version = db.scalar("PRAGMA user_version");
  const std::int64_t objects = db.scalar("SELECT count(*) FROM sqlite_master");
  if (app == 0 && user_version == 0 && objects == 0) {
    if (!write) return found::empty;
    db.exec(schema_sql);
    db.exec(outbox_sql);
    db.exec(format_3_sql);
    db.exec(format_4_sql);
    db.exec(("PRAGMA application_id = " + std::to_string(application_id)).c_str());
    set_version(db, version);
    return found::store;
  }
  if (app != application_id)
    return tl::unexpected(failure(errc::store_unusable, file, "not a duly store: an SQLite database of another program"));
  if (user_version > version)
    return tl::unexpected(failure(errc::store_unusable, file,
                                  "written by a newer duly (store format " + std::to_string(user_version) +
                                      "; this duly reads format " + std::to_string(version) + ")"));
  sqlite::statement has = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?");
  const std::size_t expected = user_version >= 2 ? std::size(tables) : tables_of_format_1;
  for (std::size_t i = 0; i < expected; ++i) {
    const char* t = tables[i];
    has.bind(1, std::string_view(t));
    const bool present = has.step() && has.int64(0) == 1;
    has.reset();
    if (!present)
      return tl::unexpected(failure(errc::store_unusable, file,
                                    std::string("the store is damaged: its table '") + t +
                                        "' is missing; restore it from a backup"));
  }
  if (user_version < version && write) {
    // Format 1 -> 2 -> 3 -> 4, in place, inside the caller's write
    // transaction: a run killed meanwhile leaves the store at the format it had.
    if (user_version < 2) db.exec(outbox_sql);
    if (user_version < 3) db.exec(format_3_sql);
    db.exec(format_4_sql);
    set_version(db, version);
    if (migrated_from != nullptr) *migrated_from = user_version;
  }
  return found::store;
}

bool has_outbox(sqlite::database& db) { return db.scalar("PRAGMA user_version") >= 2; }

bool has_format_3(sqlite::database& db) { return db.scalar("PRAGMA user_version") >= 3; }

bool has_format_4(sqlite::database& db) { return db.scalar("PRAGMA user_version") >= 4; }

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

}  // namespace duly::store_format
