// A thin RAII layer over the SQLite C API for the store (duly/store.hpp).
//
// Failures throw `sqlite_error` carrying SQLite's result code and message; the
// store (store.cpp) catches it at its boundary and turns it into a duly::error
// (format.cpp: explain_sqlite), so no exception leaves the store's functions.
//
// Thread-safety: a `database` and its statements belong to one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <sqlite3.h>

namespace duly::sqlite {

struct sqlite_error : std::runtime_error {
  sqlite_error(int result_code, const std::string& message) : std::runtime_error(message), code(result_code) {}
  int code;  // SQLite's primary result code (SQLITE_BUSY, SQLITE_NOTADB, ...)
};

class statement {
 public:
  statement(sqlite3* db, std::string_view sql) : db_(db) {
    if (const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
        rc != SQLITE_OK) {
      fail(rc);
    }
  }
  ~statement() { sqlite3_finalize(stmt_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
  statement& bind(int i, std::string_view v) {
    return check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  statement& bind(int i, const std::optional<std::int64_t>& v) {
    return v ? bind(i, *v) : check(sqlite3_bind_null(stmt_, i));
  }

  // Steps once: true while there is a row to read.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(rc);
  }
  // Runs a statement that returns no rows, then makes it ready to bind again.
  void run() {
    while (step()) {
    }
    reset();
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  [[nodiscard]] bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  [[nodiscard]] std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  [[nodiscard]] std::optional<std::int64_t> optional_int64(int col) const {
    if (is_null(col)) return std::nullopt;
    return int64(col);
  }
  [[nodiscard]] std::string_view text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    const int n = sqlite3_column_bytes(stmt_, col);
    return p == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(p), n);
  }

 private:
  statement& check(int rc) {
    if (rc != SQLITE_OK) fail(rc);
    return *this;
  }
  [[noreturn]] void fail(int rc) const { throw sqlite_error(rc & 0xFF, sqlite3_errmsg(db_)); }

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class database {
 public:
  // Opens `path` read-write (creating it when `create`) or read-only.
  database(const std::string& path, bool read_only, bool create) {
    const int flags = read_only ? SQLITE_OPEN_READONLY
                                : (SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0));
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      db_ = nullptr;
      throw sqlite_error(rc & 0xFF, message);
    }
    sqlite3_extended_result_codes(db_, 0);
  }
  ~database() { sqlite3_close(db_); }
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  void exec(const char* sql) {
    char* message = nullptr;
    if (const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message); rc != SQLITE_OK) {
      const std::string text = message != nullptr ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      throw sqlite_error(rc & 0xFF, text);
    }
  }
  // Runs `sql` ignoring failure (a ROLLBACK on the way out of an error).
  void exec_quietly(const char* sql) noexcept { sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }
  // Whether a transaction is open (not in autocommit mode).
  [[nodiscard]] bool in_transaction() const noexcept { return sqlite3_get_autocommit(db_) == 0; }
  void busy_timeout(int milliseconds) { sqlite3_busy_timeout(db_, milliseconds); }
  [[nodiscard]] statement prepare(std::string_view sql) { return statement(db_, sql); }
  // The rowid of the last INSERT.
  [[nodiscard]] std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  // Rows changed by the last INSERT, UPDATE or DELETE.
  [[nodiscard]] int changes() const { return sqlite3_changes(db_); }
  // One integer from a query that returns one row (or `fallback` without a row).
  std::int64_t scalar(std::string_view sql, std::int64_t fallback = 0) {
    statement s = prepare(sql);
    return s.step() && !s.is_null(0) ? s.int64(0) : fallback;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace duly::sqlite
