// SQL run straight on a store file, for the store tests that make the files
// older duly versions, other programs or damage leave behind.
#pragma once

#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>

namespace duly_test {

// Runs `sql` (one or more statements) on the SQLite file at `path`; a test
// failure, with SQLite's reason, when it cannot.
inline void exec(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* why = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &why), SQLITE_OK) << (why ? why : "");
  sqlite3_free(why);
  sqlite3_close(db);
}

}  // namespace duly_test
