// Tests of the store (duly/store.hpp) through the library: open and create,
// re-delivery, runs reporting each firing once, state equal to one evaluation,
// --recompute modes, a busy store, damaged and foreign files, a newer format,
// and a store written by duly 0.1's `duly run` (tests/store/data/README.md).
#include <duly/duly.hpp>
#include <duly/store.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include "sqlite_exec.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

using duly_test::exec;

const fs::path data_dir = DULY_STORE_TEST_DATA;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return std::move(out).str();
}

duly::instant at(const char* text) { return duly::parse_instant(text).value(); }

// A fresh directory per test, removed at the end.
class Store : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = fs::temp_directory_path() /
           ("duly-store-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::create_directories(dir_);
    policy_text_ = read_text(data_dir / "v1_helpdesk.policy.yaml");
    policy_.emplace(duly::parse_policy(policy_text_, "helpdesk.yaml").value());
    auto batch = duly::read_events_jsonl(read_text(data_dir / "v1_helpdesk.events.jsonl"));
    events_ = std::move(batch.events);
    rejected_ = std::move(batch.rejected);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string file(const char* name = "s.db") const { return (dir_ / name).string(); }
  const duly::policy& policy() const { return *policy_; }

  // The helpdesk policy with P1 resolution at 2h instead of 4h.
  duly::policy stricter() const {
    std::string text = policy_text_;
    const std::string from = "{when: priority == \"P1\", within: 4h}";
    const auto pos = text.find(from);
    EXPECT_NE(pos, std::string::npos);
    text.replace(pos, from.size(), "{when: priority == \"P1\", within: 2h}");
    return duly::parse_policy(text, "stricter.yaml").value();
  }

  static std::vector<std::string> keys(const std::vector<duly::store_firing>& fired) {
    std::vector<std::string> out;
    for (const auto& f : fired) out.push_back(f.key);
    return out;
  }
  static std::vector<std::string> keys(const std::vector<duly::escalation_row>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.key());
    return out;
  }
  static std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  }
  static std::string jsonl(const duly::evaluation& e) {
    std::ostringstream out;
    duly::write_evaluation(out, e, duly::output_format::jsonl);
    return std::move(out).str();
  }

  fs::path dir_;
  std::string policy_text_;
  std::optional<duly::policy> policy_;
  std::vector<duly::event> events_;
  std::vector<duly::rejected_row> rejected_;
};

TEST_F(Store, OpenCreatesAnEmptyStoreWrittenByItsFirstRun) {
  auto s = duly::store::open(file());
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->path(), file());
  auto info = s->info();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->runs, 0);
  EXPECT_EQ(info->format_version, 0);
  auto empty = s->state(policy(), at("2026-12-01T00:00:00Z"));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->timers.empty());
  ASSERT_TRUE(s->run(policy(), {}, at("2026-11-20T00:00:00Z")));
  info = s->info();
  EXPECT_EQ(info->runs, 1);
  EXPECT_EQ(info->format_version, duly::store::format_version);
  EXPECT_EQ(info->policy_fingerprint, policy().fingerprint());
  EXPECT_EQ(info->last_as_of, at("2026-11-20T00:00:00Z"));
}

TEST_F(Store, OpenWithoutCreateRefusesAMissingOrEmptyFile) {
  duly::store_options no_create;
  no_create.create = false;
  auto missing = duly::store::open(file("nope.db"), no_create);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), duly::errc::io_error);
  EXPECT_EQ(missing.error().message(), file("nope.db") + ": no such store (`duly run --create` makes a new one)");
  EXPECT_FALSE(fs::exists(file("nope.db")));
  std::ofstream(file("empty.db")).close();
  auto empty = duly::store::open(file("empty.db"), no_create);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code(), duly::errc::store_unusable);
  EXPECT_EQ(empty.error().message(),
            file("empty.db") + ": not a duly store: the database is empty (no run has written to it)");
}

TEST_F(Store, AReadOnlyStoreIsNeverWritten) {
  ASSERT_TRUE(duly::store::open(file()).value().run(policy(), events_, at("2026-11-26T00:00:00Z")));
  const std::string before = read_text(file());
  duly::store_options ro;
  ro.read_only = true;
  {
    auto s = duly::store::open(file(), ro);
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_TRUE(s->state(policy(), at("2026-12-01T00:00:00Z")));
    EXPECT_TRUE(s->outbox());
    auto r = s->run(policy(), events_, at("2026-12-01T00:00:00Z"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), duly::errc::invalid_argument);
    EXPECT_EQ(r.error().message(), file() + ": the store is open read-only");
    EXPECT_FALSE(s->add(events_));
  }
  EXPECT_EQ(read_text(file()), before);
  auto missing = duly::store::open(file("nope.db"), ro);
  ASSERT_FALSE(missing);
  EXPECT_FALSE(fs::exists(file("nope.db")));
}

TEST_F(Store, RunReportsEachFiringOnceAndRecognisesRedelivery) {
  auto s = duly::store::open(file()).value();
  const auto as_of = at("2026-12-03T00:00:00Z");
  auto first = s.run(policy(), events_, as_of);
  ASSERT_TRUE(first) << first.error().message();
  const auto whole = duly::evaluate(policy(), events_, as_of);
  EXPECT_FALSE(first->fired.empty());
  EXPECT_EQ(sorted(keys(first->fired)), sorted(keys(whole.escalations)));
  EXPECT_EQ(first->events_new, events_.size());
  EXPECT_EQ(first->run, 1);
  for (std::size_t i = 1; i < first->fired.size(); ++i)
    EXPECT_LE(first->fired[i - 1].row.fired_at, first->fired[i].row.fired_at);
  for (const auto& f : first->fired) EXPECT_EQ(f.key, f.row.key());

  // The same events again, in reverse order with their attributes reversed:
  // re-deliveries, nothing new reported.
  auto again = events_;
  std::reverse(again.begin(), again.end());
  for (std::size_t i = 0; i < again.size(); ++i) {
    again[i].sequence = i;
    std::reverse(again[i].updates.begin(), again[i].updates.end());
  }
  auto second = s.run(policy(), again, as_of);
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->fired.empty());
  EXPECT_EQ(second->events_new, 0u);
  EXPECT_EQ(second->events_duplicate, events_.size());
  EXPECT_EQ(s.info()->events, events_.size());
}

TEST_F(Store, ChunkedRunsEqualOneEvaluationAndStateEqualsEvaluate) {
  auto s = duly::store::open(file()).value();
  std::vector<duly::instant> cuts = {at("2026-11-24T00:00:00Z"), at("2026-11-26T12:00:00Z"),
                                     at("2026-11-28T00:00:00Z"), at("2026-12-05T00:00:00Z")};
  // Each event in the run of the first cut at or after it, shuffled: arrival
  // order within an export does not matter.
  std::vector<std::vector<duly::event>> chunks(cuts.size());
  for (const auto& e : events_) {
    std::size_t i = 0;
    while (i + 1 < cuts.size() && e.at > cuts[i]) ++i;
    chunks[i].push_back(e);
  }
  std::vector<std::string> reported;
  for (std::size_t c = 0; c < cuts.size(); ++c) {
    std::shuffle(chunks[c].begin(), chunks[c].end(), std::mt19937(static_cast<unsigned>(c)));
    for (std::size_t i = 0; i < chunks[c].size(); ++i) chunks[c][i].sequence = i;
    auto r = s.run(policy(), chunks[c], cuts[c]);
    ASSERT_TRUE(r) << r.error().message();
    for (auto& k : keys(r->fired)) reported.push_back(k);
  }
  const auto whole = duly::evaluate(policy(), events_, cuts.back());
  EXPECT_EQ(sorted(reported), sorted(keys(whole.escalations)));
  EXPECT_EQ(std::set<std::string>(reported.begin(), reported.end()).size(), reported.size());
  auto state = s.state(policy(), cuts.back());
  ASSERT_TRUE(state);
  EXPECT_EQ(jsonl(*state), jsonl(whole));
  // Any instant, the past too.
  EXPECT_EQ(jsonl(*s.state(policy(), cuts[1])), jsonl(duly::evaluate(policy(), events_, cuts[1])));
}

// One record: record() gives its events and its policy, state() with an id its
// lines alone (what `duly explain --store` and `duly state --id` print).
TEST_F(Store, OneRecordsEventsPolicyAndState) {
  auto s = duly::store::open(file()).value();
  const duly::instant as_of = at("2026-12-05T00:00:00Z");
  ASSERT_TRUE(s.run(policy(), events_, as_of));
  const std::string id = events_.front().id;
  auto rec = s.record(id);
  ASSERT_TRUE(rec) << rec.error().message();
  ASSERT_TRUE(rec->has_value());
  std::vector<duly::event> mine;
  for (const auto& e : events_)
    if (e.id == id) mine.push_back(e);
  ASSERT_EQ((*rec)->events.size(), mine.size());
  for (std::size_t i = 0; i < mine.size(); ++i) {
    EXPECT_EQ((*rec)->events[i].at, mine[i].at);
    EXPECT_EQ((*rec)->events[i].name, mine[i].name);
  }
  EXPECT_EQ((*rec)->policy_fingerprint, policy().fingerprint());
  ASSERT_TRUE((*rec)->record_policy);
  EXPECT_EQ((*rec)->record_policy->fingerprint(), policy().fingerprint());
  EXPECT_FALSE(s.record("no such record")->has_value());

  duly::state_options one;
  one.id = id;
  auto state = s.state(policy(), as_of, one);
  ASSERT_TRUE(state);
  EXPECT_EQ(jsonl(*state), jsonl(duly::evaluate(policy(), mine, as_of)));
  one.id = "no such record";
  EXPECT_TRUE(s.state(policy(), as_of, one)->timers.empty());
  auto info = s.info().value();
  ASSERT_EQ(info.record_policies.size(), 1u);
  EXPECT_EQ(info.record_policies[0].first, policy().fingerprint());
}

TEST_F(Store, AsOfBeforeTheLastRunsIsRefused) {
  auto s = duly::store::open(file()).value();
  ASSERT_TRUE(s.run(policy(), events_, at("2026-11-26T00:00:00Z")));
  auto back = s.run(policy(), {}, at("2026-11-25T00:00:00Z"));
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().code(), duly::errc::invalid_argument);
  EXPECT_EQ(back.error().message(), file() +
                                        ": --as-of 2026-11-25T00:00:00Z is before the last run's "
                                        "(2026-11-26T00:00:00Z): a store only moves forward; use `duly state` to "
                                        "look at the past");
  EXPECT_EQ(s.info()->runs, 1);
}

TEST_F(Store, AddedEventsAreEvaluatedByTheNextRun) {
  auto s = duly::store::open(file()).value();
  auto added = s.add(events_, rejected_);
  ASSERT_TRUE(added) << added.error().message();
  EXPECT_EQ(added->events_new, events_.size());
  EXPECT_EQ(s.add(events_)->events_duplicate, events_.size());
  EXPECT_EQ(s.info()->events_pending, events_.size());
  const auto as_of = at("2026-12-03T00:00:00Z");
  // state sees them before any run.
  EXPECT_EQ(jsonl(*s.state(policy(), as_of)), jsonl(duly::evaluate(policy(), events_, as_of)));
  auto r = s.run(policy(), {}, as_of);
  ASSERT_TRUE(r);
  EXPECT_EQ(sorted(keys(r->fired)), sorted(keys(duly::evaluate(policy(), events_, as_of).escalations)));
  EXPECT_EQ(s.info()->events_pending, 0u);
  EXPECT_TRUE(s.run(policy(), {}, as_of)->fired.empty());
}

TEST_F(Store, AnErrorBeforeCommitRollsTheRunBack) {
  auto s = duly::store::open(file()).value();
  duly::run_options o;
  std::size_t seen = 0;
  o.before_commit = [&](const duly::run_result& r) -> duly::result<void> {
    seen = r.fired.size();
    return duly::fail(duly::errc::io_error, "could not deliver");
  };
  const auto as_of = at("2026-12-03T00:00:00Z");
  auto failed = s.run(policy(), events_, as_of, o);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message(), "could not deliver");
  EXPECT_GT(seen, 0u);
  EXPECT_EQ(s.info()->events, 0u);
  // The same connection goes on: the next run reports the same firings.
  auto again = s.run(policy(), events_, as_of);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->fired.size(), seen);
}

TEST_F(Store, QuietBeforeRecordsHistoryWithoutReportingIt) {
  auto s = duly::store::open(file()).value();
  duly::run_options o;
  o.quiet_before = at("2026-11-27T00:00:00Z");
  const auto as_of = at("2026-12-03T00:00:00Z");
  auto r = s.run(policy(), events_, as_of, o);
  ASSERT_TRUE(r);
  std::vector<std::string> expected;
  for (const auto& f : duly::evaluate(policy(), events_, as_of).escalations)
    if (f.fired_at >= *o.quiet_before) expected.push_back(f.key());
  EXPECT_EQ(sorted(keys(r->fired)), sorted(expected));
  EXPECT_GT(r->firings_suppressed, 0u);
  EXPECT_TRUE(s.run(policy(), {}, as_of)->fired.empty());
}

// Two P1 tickets: A done before the policy change, B in flight across it.
class Recompute : public Store {
 protected:
  std::map<std::string, std::int64_t> goals_after_change(duly::recompute_mode mode) {
    auto s = duly::store::open(file()).value();
    auto batch = duly::read_events_jsonl(
        R"({"id":"A","at":"2026-11-02T14:00:00Z","event":"created","priority":"P1","channel":"email"}
{"id":"A","at":"2026-11-02T14:30:00Z","event":"replied","actor":"agent"}
{"id":"A","at":"2026-11-02T15:00:00Z","event":"updated","status":"resolved"}
{"id":"B","at":"2026-11-02T16:00:00Z","event":"created","priority":"P1","channel":"email"})");
    EXPECT_TRUE(s.run(policy(), batch.events, at("2026-11-02T16:30:00Z")));
    const auto strict = stricter();
    duly::run_options o;
    o.recompute = mode;
    auto r = s.run(strict, {}, at("2026-11-02T16:40:00Z"), o);
    EXPECT_TRUE(r);
    EXPECT_TRUE(r->policy_changed);
    EXPECT_TRUE(r->fired.empty());
    if (mode == duly::recompute_mode::none) {
      EXPECT_EQ(r->records_kept_on_old_policy, 1u);
    }
    duly::state_options so;
    so.recompute = mode;
    std::map<std::string, std::int64_t> goals;
    const auto state = s.state(strict, at("2026-11-02T17:00:00Z"), so);
    EXPECT_TRUE(state);
    for (const auto& t : state->timers)
      if (t.target == "resolution") goals[t.id] = t.goal_seconds->count();
    if (mode == duly::recompute_mode::open) {
      // B's 75% point under the new policy (17:30) lies after the switch: reported.
      auto later = s.run(strict, {}, at("2026-11-02T18:00:00Z"), o);
      EXPECT_EQ(keys(later->fired), std::vector<std::string>{"B/resolution/team_lead/20261102T160000Z/0"});
    }
    return goals;
  }
};

TEST_F(Recompute, NoneKeepsRecordsOnTheirPolicy) {
  EXPECT_EQ(goals_after_change(duly::recompute_mode::none), (std::map<std::string, std::int64_t>{{"A", 4 * 3600}, {"B", 4 * 3600}}));
}

TEST_F(Recompute, OpenMovesRecordsInFlight) {
  EXPECT_EQ(goals_after_change(duly::recompute_mode::open), (std::map<std::string, std::int64_t>{{"A", 4 * 3600}, {"B", 2 * 3600}}));
}

TEST_F(Recompute, AllMovesEveryRecord) {
  EXPECT_EQ(goals_after_change(duly::recompute_mode::all), (std::map<std::string, std::int64_t>{{"A", 2 * 3600}, {"B", 2 * 3600}}));
}

TEST(RecomputeMode, Names) {
  EXPECT_EQ(duly::parse_recompute_mode("open").value(), duly::recompute_mode::open);
  EXPECT_EQ(duly::to_string(duly::recompute_mode::all), "all");
  EXPECT_EQ(duly::parse_recompute_mode("some").error().message(),
            "unknown recompute mode 'some': expected none, open or all");
}

TEST_F(Store, ABusyStoreRefusesThenWaits) {
  {
    auto s = duly::store::open(file()).value();
    ASSERT_TRUE(s.run(policy(), {}, at("2026-11-20T00:00:00Z")));
  }
  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(file().c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto s = duly::store::open(file()).value();
  auto busy = s.run(policy(), events_, at("2026-11-21T00:00:00Z"));
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code(), duly::errc::store_busy);
  EXPECT_EQ(busy.error().message(), file() +
                                        ": the store is in use by another duly run (database is locked); try "
                                        "again later, or give --wait SECONDS");
  // state reads a snapshot meanwhile.
  EXPECT_TRUE(s.state(policy(), at("2026-11-21T00:00:00Z")));
  std::thread release([&] {
    std::this_thread::sleep_for(300ms);
    sqlite3_exec(holder, "COMMIT", nullptr, nullptr, nullptr);
  });
  duly::run_options o;
  o.wait = 20s;
  auto waited = s.run(policy(), events_, at("2026-11-21T00:00:00Z"), o);
  release.join();
  sqlite3_close(holder);
  ASSERT_TRUE(waited) << waited.error().message();
  EXPECT_EQ(waited->events_new, events_.size());
}

// Writes `bytes` as the store file and expects open() to refuse it with `code`
// and exactly `message` after the file name.
void expect_refused(const std::string& path, duly::errc code, const std::string& message) {
  auto s = duly::store::open(path);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), code);
  EXPECT_EQ(s.error().message(), path + ": " + message);
}

TEST_F(Store, FilesThatAreNotDulyStoresAreRefused) {
  {
    std::ofstream out(file(), std::ios::binary);
    std::mt19937 rng(0);
    for (int i = 0; i < 8192; ++i) out.put(static_cast<char>(rng() & 0xFF));
  }
  expect_refused(file(), duly::errc::store_unusable, "not a duly store: the file is not an SQLite database");
  exec(file("foreign.db"), "CREATE TABLE customers(name TEXT)");
  expect_refused(file("foreign.db"), duly::errc::store_unusable,
                 "not a duly store: an SQLite database of another program");
}

TEST_F(Store, DamagedAndNewerStoresAreRefused) {
  ASSERT_TRUE(duly::store::open(file()).value().run(policy(), events_, at("2026-11-26T00:00:00Z")));
  fs::copy_file(file(), file("newer.db"));
  exec(file("newer.db"), "PRAGMA user_version = 9");
  expect_refused(file("newer.db"), duly::errc::store_unusable,
                 "written by a newer duly (store format 9; this duly reads format 4)");
  exec(file(), "DROP TABLE firings");
  expect_refused(file(), duly::errc::store_unusable,
                 "the store is damaged: its table 'firings' is missing; restore it from a backup");
}

TEST_F(Store, ScribbledStoresGiveErrorsNotCrashes) {
  ASSERT_TRUE(duly::store::open(file()).value().run(policy(), events_, at("2026-11-26T00:00:00Z")));
  const std::string good = read_text(file());
  std::mt19937 rng(2);
  for (int trial = 0; trial < 12; ++trial) {
    std::string bad = good;
    if (trial % 3 == 0) {
      bad.resize(100 + rng() % (good.size() - 100));
    } else {
      for (unsigned k = 0, n = 1 + rng() % 200; k < n; ++k) bad[100 + rng() % (good.size() - 100)] = static_cast<char>(rng());
    }
    std::ofstream(file("bad.db"), std::ios::binary | std::ios::trunc) << bad;
    auto s = duly::store::open(file("bad.db"));
    if (!s) {
      EXPECT_TRUE(s.error().code() == duly::errc::store_unusable || s.error().code() == duly::errc::io_error);
      EXPECT_EQ(s.error().message().rfind(file("bad.db") + ": ", 0), 0u) << s.error().message();
      continue;
    }
    auto st = s->state(policy(), at("2026-11-27T00:00:00Z"));
    auto r = s->run(policy(), {}, at("2026-11-27T00:00:00Z"));
    for (const duly::error* e : {st ? nullptr : &st.error(), r ? nullptr : &r.error()})
      if (e != nullptr) {
        EXPECT_EQ(e->message().rfind(file("bad.db") + ": ", 0), 0u) << e->message();
      }
  }
}

// Each key of every line of `expected` (JSON Lines) has the same value in the
// same line of `actual`: lines may have gained keys since. The firing key
// itself is left out (release 0.1 named the cycle by its ordinal; now by its
// start): lines with a "key" are checked against the fields they carry instead.
void expect_lines_include(const std::string& actual, const std::string& expected) {
  std::istringstream a(actual), e(expected);
  std::string la, le;
  int n = 0;
  while (std::getline(e, le)) {
    ++n;
    ASSERT_TRUE(std::getline(a, la)) << "line " << n << " missing: " << le;
    const auto ja = nlohmann::json::parse(la), je = nlohmann::json::parse(le);
    for (const auto& [k, v] : je.items()) {
      if (k != "key") {
        EXPECT_EQ(ja.value(k, nlohmann::json()), v) << "line " << n << " key " << k;
      }
    }
    if (je.contains("key")) {
      const std::string key = ja.at("key");
      const std::string head = ja.at("id").get<std::string>() + "/" + ja.at("target").get<std::string>() + "/" +
                               ja.at("escalation").get<std::string>() + "/";
      EXPECT_EQ(key.rfind(head, 0), 0u) << key;
      EXPECT_EQ(key.substr(key.rfind('/')), "/" + std::to_string(ja.at("point").get<int>())) << key;
    }
  }
  EXPECT_FALSE(std::getline(a, la)) << "extra line: " << la;
}

TEST_F(Store, AStoreWrittenByDuly01OpensRunsAndGivesTheSameState) {
  fs::copy_file(data_dir / "v1_helpdesk.db", file());
  auto s = duly::store::open(file());
  ASSERT_TRUE(s) << s.error().message();
  auto info = s->info().value();
  EXPECT_EQ(info.format_version, 1);
  EXPECT_EQ(info.runs, 2);
  EXPECT_EQ(info.last_as_of, at("2026-11-30T17:00:00Z"));
  EXPECT_EQ(info.policy_fingerprint, policy().fingerprint());
  EXPECT_EQ(info.events, 23u);

  auto state = s->state(policy(), at("2026-11-30T17:00:00Z"));
  ASSERT_TRUE(state) << state.error().message();
  expect_lines_include(jsonl(*state), read_text(data_dir / "v1_helpdesk.state.jsonl"));

  // Every event again: all re-deliveries (the canonical text is unchanged).
  auto run = s->run(policy(), events_, at("2026-12-03T00:00:00Z"));
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_EQ(run->events_new, 0u);
  EXPECT_EQ(run->events_duplicate, events_.size());
  EXPECT_FALSE(run->policy_changed);
  std::ostringstream printed;
  std::vector<duly::escalation_row> rows;
  for (const auto& f : run->fired) rows.push_back(f.row);
  duly::write_firings(printed, rows, {}, duly::output_format::jsonl);
  expect_lines_include(printed.str(), read_text(data_dir / "v1_helpdesk.next_run.jsonl"));
  EXPECT_EQ(run->run, 3);
  // Exactly the firings release 0.1 would have printed next: none of those it
  // printed before comes again under its new key.
  std::vector<std::string> next_keys;
  {
    const auto whole = duly::evaluate(policy(), events_, at("2026-12-03T00:00:00Z"));
    const auto then = duly::evaluate(policy(), events_, at("2026-11-30T17:00:00Z"));
    std::set<std::string> before;
    for (const auto& f : then.escalations) before.insert(f.key());
    for (const auto& f : whole.escalations)
      if (before.count(f.key()) == 0) next_keys.push_back(f.key());
  }
  EXPECT_EQ(sorted(keys(run->fired)), sorted(next_keys));
  // The run migrated the store to the current format in place: its firings are in the
  // outbox from cursor 1 (those of duly 0.1's runs were printed before).
  EXPECT_EQ(s->info()->format_version, duly::store::format_version);
  auto box = s->outbox().value();
  ASSERT_EQ(box.size(), run->fired.size());
  for (std::size_t i = 0; i < box.size(); ++i) {
    EXPECT_EQ(box[i].cursor, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(box[i].key, run->fired[i].key);
    EXPECT_EQ(run->fired[i].cursor, box[i].cursor);
  }
}

TEST_F(Store, AFormat1StoreIsReadAsItIsUntilItsNextRun) {
  fs::copy_file(data_dir / "v1_helpdesk.db", file());
  const std::string before = read_text(file());
  {
    auto s = duly::store::open(file()).value();
    EXPECT_TRUE(s.outbox().value().empty());
    EXPECT_TRUE(s.state(policy(), at("2026-11-30T17:00:00Z")));
    EXPECT_EQ(s.info()->format_version, 1);
    // A run that fails before its commit leaves it at format 1.
    duly::run_options o;
    o.before_commit = [](const duly::run_result&) -> duly::result<void> { return duly::fail(duly::errc::io_error, "no"); };
    EXPECT_FALSE(s.run(policy(), {}, at("2026-12-03T00:00:00Z"), o));
    EXPECT_EQ(s.info()->format_version, 1);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file().c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE name = 'outbox'", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

// The keys a store of format 1 or 2 kept, id/target/escalation/cycle/point.
std::set<std::string> stored_keys(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT key FROM firings", -1, &st, nullptr);
  std::set<std::string> out;
  while (sqlite3_step(st) == SQLITE_ROW) out.insert(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

TEST_F(Store, MigrationRewritesTheKeysOfAFormat1Store) {
  fs::copy_file(data_dir / "v1_helpdesk.db", file());
  const auto old_keys = stored_keys(file());
  ASSERT_FALSE(old_keys.empty());
  // Each old key is the ordinal form of a firing evaluate makes at the last run's as_of.
  const auto then = duly::evaluate(policy(), events_, at("2026-11-30T17:00:00Z"));
  std::set<std::string> expected;
  for (const auto& f : then.escalations) {
    const std::string ordinal = f.id + "/" + f.target + "/" + f.escalation + "/" + std::to_string(f.cycle) + "/" +
                                std::to_string(f.point);
    if (old_keys.count(ordinal) != 0) expected.insert(f.key());
  }
  EXPECT_EQ(expected.size(), old_keys.size());
  {
    auto s = duly::store::open(file()).value();
    ASSERT_TRUE(s.add({}));  // any write migrates
    EXPECT_EQ(s.info()->format_version, duly::store::format_version);
  }
  EXPECT_EQ(stored_keys(file()), expected);
}

TEST_F(Store, AFormat2StoreIsMigratedWithoutReportingItsFiringsAgain) {
  // A format 2 store: release 0.1's with the outbox of format 2 (as the run of
  // duly 0.2 made it), holding one line printed with its ordinal key.
  fs::copy_file(data_dir / "v1_helpdesk.db", file());
  exec(file(),
       "CREATE TABLE outbox(cursor INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, key TEXT NOT NULL, "
       "id TEXT NOT NULL, target TEXT NOT NULL, escalation TEXT NOT NULL, cycle INTEGER NOT NULL, "
       "point INTEGER NOT NULL, fired_at INTEGER NOT NULL, actions TEXT NOT NULL, run INTEGER NOT NULL);"
       "INSERT INTO outbox(kind, key, id, target, escalation, cycle, point, fired_at, actions, run) "
       "SELECT 'escalation', key, id, 'resolution', 'x', 1, 0, fired_at, '[]', run FROM firings LIMIT 1;"
       "PRAGMA user_version = 2;");
  auto s = duly::store::open(file()).value();
  EXPECT_EQ(s.info()->format_version, 2);
  const auto old_line = s.outbox().value();
  ASSERT_EQ(old_line.size(), 1u);
  auto run = s.run(policy(), events_, at("2026-12-03T00:00:00Z"));
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_EQ(run->fired.size(), 7u);  // the next run's firings only (v1_helpdesk.next_run.jsonl)
  EXPECT_TRUE(run->withdrawn.empty());
  EXPECT_EQ(s.info()->format_version, duly::store::format_version);
  const auto box = s.outbox().value();
  ASSERT_EQ(box.size(), 8u);
  EXPECT_EQ(box[0].key, old_line[0].key);  // printed lines stay as printed
  EXPECT_EQ(box[1].cursor, 2);
  // The same run again prints nothing.
  auto again = s.run(policy(), events_, at("2026-12-03T00:00:00Z"));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->fired.empty());
}

TEST_F(Store, ALateEarlierCycleReportsOnlyItsOwnFirings) {
  // The reopened ticket of the helpdesk example gains an earlier cycle late:
  // the firings of its later cycles (renumbered) are not reported again.
  auto s = duly::store::open(file()).value();
  auto first = s.run(policy(), events_, at("2026-12-03T00:00:00Z"));
  ASSERT_TRUE(first);
  // A record with two cycles, then two late events that add a cycle before them.
  std::string id;
  for (const auto& f : first->fired)
    if (f.row.cycle == 2) id = f.row.id;
  ASSERT_FALSE(id.empty()) << "no record with a second cycle in the example";
  duly::instant earliest = duly::max_supported_instant;
  duly::event created;
  for (const auto& e : events_)
    if (e.id == id && e.at < earliest) {
      earliest = e.at;
      created = e;
    }
  duly::event a = created, b = created;
  a.at = earliest - std::chrono::hours(30);
  b.at = earliest - std::chrono::hours(29);
  b.name = "resolved";
  b.updates = {{"status", duly::owned_value(duly::value::string("resolved"))}};
  auto second = s.run(policy(), std::vector<duly::event>{a, b}, at("2026-12-03T00:00:00Z"));
  ASSERT_TRUE(second) << second.error().message();
  std::vector<duly::event> all = events_;
  all.push_back(a);
  all.push_back(b);
  const auto whole = duly::evaluate(policy(), all, at("2026-12-03T00:00:00Z"));
  std::set<std::string> reported;
  for (const auto& f : first->fired) reported.insert(f.key);
  for (const auto& f : second->fired) {
    EXPECT_EQ(f.row.id, id);
    EXPECT_TRUE(reported.insert(f.key).second) << "reported twice: " << f.key;
  }
  std::set<std::string> expected;
  for (const auto& f : whole.escalations) expected.insert(f.key());
  EXPECT_EQ(reported, expected);
}

// A P1 ticket of the helpdesk policy (resolution 4h round the clock, team_lead at 75%).
duly::event ticket(const char* when, const char* name, std::vector<duly::attribute_update> updates,
                   std::uint64_t seq) {
  duly::event e;
  e.id = "W-1";
  e.at = at(when);
  e.name = name;
  e.updates = std::move(updates);
  e.sequence = seq;
  return e;
}

TEST_F(Store, ALateEventThatUndoesAFiringWithdrawsItOnce) {
  auto s = duly::store::open(file()).value();
  const auto created = ticket("2026-11-23T09:00:00Z", "created",
                              {{"priority", duly::owned_value(duly::value::string("P1"))}, {"channel", duly::owned_value(duly::value::string("phone"))}}, 1);
  auto first = s.run(policy(), std::vector<duly::event>{created}, at("2026-11-23T13:00:00Z"));
  ASSERT_TRUE(first);
  ASSERT_EQ(first->fired.size(), 1u);
  const std::string key = first->fired[0].key;
  EXPECT_EQ(key, "W-1/resolution/team_lead/20261123T090000Z/0");
  EXPECT_TRUE(first->withdrawn.empty());
  // Resolved at 10:00, told late: the 12:00 firing should not have been.
  const auto resolved = ticket("2026-11-23T10:00:00Z", "updated", {{"status", duly::owned_value(duly::value::string("resolved"))}}, 2);
  auto second = s.run(policy(), std::vector<duly::event>{resolved}, at("2026-11-23T14:00:00Z"));
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_TRUE(second->fired.empty());
  ASSERT_EQ(second->withdrawn.size(), 1u);
  const duly::outbox_entry& w = second->withdrawn[0];
  EXPECT_EQ(w.kind, "withdrawal");
  EXPECT_EQ(w.key, key);
  EXPECT_EQ(w.row.id, "W-1");
  EXPECT_EQ(w.row.escalation, "team_lead");
  EXPECT_EQ(w.row.fired_at, at("2026-11-23T12:00:00Z"));
  EXPECT_EQ(w.row.actions_json, first->fired[0].row.actions_json);
  EXPECT_EQ(w.reason, "the cycle that started at 2026-11-23T09:00:00Z now ends met at 2026-11-23T10:00:00Z, not "
                      "after the point (2026-11-23T12:00:00Z)");
  EXPECT_GT(w.cursor, first->fired[0].cursor);
  EXPECT_EQ(duly::to_json(w),
            "{\"kind\":\"withdrawal\",\"key\":\"" + key +
                "\",\"id\":\"W-1\",\"target\":\"resolution\",\"escalation\":\"team_lead\",\"point\":0,"
                "\"fired_at\":\"2026-11-23T12:00:00Z\",\"deliver_at\":\"2026-11-23T12:00:00Z\",\"actions\":" +
                w.row.actions_json + ",\"reason\":\"" + w.reason +
                "\",\"cursor\":" + std::to_string(w.cursor) + "}");
  // Never again: the same events again, later runs.
  for (const char* when : {"2026-11-23T15:00:00Z", "2026-11-24T15:00:00Z"}) {
    auto again = s.run(policy(), std::vector<duly::event>{created, resolved}, at(when));
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->fired.empty());
    EXPECT_TRUE(again->withdrawn.empty());
  }
  const auto box = s.outbox().value();
  ASSERT_EQ(box.size(), 2u);
  EXPECT_EQ(box[0].kind, "escalation");
  EXPECT_EQ(box[1].kind, "withdrawal");
  EXPECT_EQ(box[1].reason, w.reason);
  EXPECT_EQ(box[1].key, key);
  // One record's lines.
  duly::outbox_options mine;
  mine.id = "W-1";
  EXPECT_EQ(s.outbox(mine)->size(), 2u);
  mine.id = "W-2";
  EXPECT_TRUE(s.outbox(mine)->empty());
}

TEST_F(Store, AWithdrawnFiringThatFiresAgainIsReportedAgainWithItsKey) {
  auto s = duly::store::open(file()).value();
  const auto created = ticket("2026-11-23T09:00:00Z", "created",
                              {{"priority", duly::owned_value(duly::value::string("P1"))}, {"channel", duly::owned_value(duly::value::string("phone"))}}, 1);
  auto first = s.run(policy(), std::vector<duly::event>{created}, at("2026-11-23T13:00:00Z"));
  ASSERT_TRUE(first);
  ASSERT_EQ(first->fired.size(), 1u);
  // Told late: waiting on the customer from 10:00 to 12:00, so 75% comes at 14:00.
  const std::vector<duly::event> pause = {
      ticket("2026-11-23T10:00:00Z", "updated", {{"status", duly::owned_value(duly::value::string("waiting_on_customer"))}}, 2),
      ticket("2026-11-23T12:00:00Z", "updated", {{"status", duly::owned_value(duly::value::string("open"))}}, 3)};
  auto second = s.run(policy(), pause, at("2026-11-23T13:00:00Z"));
  ASSERT_TRUE(second);
  ASSERT_EQ(second->withdrawn.size(), 1u);
  EXPECT_EQ(second->withdrawn[0].reason,
            "the point no longer fires by 2026-11-23T13:00:00Z in the cycle that started at 2026-11-23T09:00:00Z: a "
            "late event moved it (a pause, a goal) or its `when` no longer holds");
  auto third = s.run(policy(), {}, at("2026-11-23T15:00:00Z"));
  ASSERT_TRUE(third);
  ASSERT_EQ(third->fired.size(), 1u);
  EXPECT_EQ(third->fired[0].key, first->fired[0].key);
  EXPECT_EQ(third->fired[0].row.fired_at, at("2026-11-23T14:00:00Z"));
  EXPECT_TRUE(third->withdrawn.empty());
  std::vector<std::string> kinds;
  const auto box = s.outbox().value();
  for (const auto& e : box) kinds.push_back(e.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"escalation", "withdrawal", "escalation"}));
}

TEST_F(Store, TheOutboxKeepsEveryReportedFiringInCursorOrder) {
  auto s = duly::store::open(file()).value();
  std::vector<std::string> reported;
  std::int64_t last = 0;
  for (const char* cut : {"2026-11-25T00:00:00Z", "2026-11-27T00:00:00Z", "2026-12-03T00:00:00Z"}) {
    auto r = s.run(policy(), events_, at(cut));
    ASSERT_TRUE(r);
    for (const auto& f : r->fired) {
      EXPECT_GT(f.cursor, last);
      last = f.cursor;
      reported.push_back(f.key);
    }
  }
  auto box = s.outbox().value();
  ASSERT_EQ(box.size(), reported.size());
  for (std::size_t i = 0; i < box.size(); ++i) {
    EXPECT_EQ(box[i].key, reported[i]);
    EXPECT_EQ(box[i].kind, "escalation");
    EXPECT_EQ(box[i].row.key(), box[i].key);
  }
  EXPECT_EQ(s.info()->last_cursor, last);
  duly::outbox_options page;
  page.after = box[1].cursor;
  page.limit = 2;
  auto part = s.outbox(page).value();
  ASSERT_EQ(part.size(), 2u);
  EXPECT_EQ(part[0].cursor, box[2].cursor);
  EXPECT_EQ(part[1].cursor, box[3].cursor);
  page.after = last;
  EXPECT_TRUE(s.outbox(page).value().empty());
  // The whole outbox is one evaluation's firings, each once.
  EXPECT_EQ(sorted(reported), sorted(keys(duly::evaluate(policy(), events_, at("2026-12-03T00:00:00Z")).escalations)));
  // As JSON Lines: the escalation line with its cursor at the end.
  std::ostringstream out;
  duly::write_outbox(out, std::span<const duly::outbox_entry>(box.data(), 1), duly::output_format::jsonl);
  EXPECT_EQ(out.str(), duly::to_json(box[0].row).substr(0, duly::to_json(box[0].row).size() - 1) + ",\"cursor\":" +
                           std::to_string(box[0].cursor) + "}\n");
  std::ostringstream csv;
  duly::write_outbox(csv, std::span<const duly::outbox_entry>(box.data(), 1), duly::output_format::csv);
  EXPECT_EQ(csv.str().substr(0, csv.str().find('\n')),
            "cursor,kind,key,id,target,escalation,cycle,point,fired_at,deliver_at,actions,reason");
}

// For `duly serve`: one record's state, the schedule, delivery positions.
TEST_F(Store, StateOfOneRecordIsItsLinesOfTheWholeState) {
  auto s = duly::store::open(file()).value();
  const auto as_of = at("2026-12-03T00:00:00Z");
  ASSERT_TRUE(s.add(events_));  // pending: evaluated with the current policy
  std::set<std::string> ids;
  for (const auto& e : events_) ids.insert(e.id);
  ASSERT_GE(ids.size(), 2u);
  const auto check_all = [&] {
    const auto whole = duly::evaluate(policy(), events_, as_of);
    for (const auto& id : ids) {
      duly::state_options o;
      o.id = id;
      auto one = s.state(policy(), as_of, o);
      ASSERT_TRUE(one) << one.error().message();
      duly::evaluation expected;
      for (const auto& t : whole.timers)
        if (t.id == id) expected.timers.push_back(t);
      for (const auto& f : whole.escalations)
        if (f.id == id) expected.escalations.push_back(f);
      ASSERT_FALSE(one->timers.empty()) << id;
      EXPECT_EQ(jsonl(*one), jsonl(expected)) << id;
    }
  };
  check_all();
  ASSERT_TRUE(s.run(policy(), {}, as_of));
  check_all();
  EXPECT_TRUE(s.has_record(*ids.begin()).value());
  EXPECT_FALSE(s.has_record("NO-SUCH-RECORD").value());
  // Before its first event a record has no timers, yet it is known.
  duly::state_options early;
  early.id = *ids.begin();
  EXPECT_TRUE(s.state(policy(), at("1999-01-01T00:00:00Z"), early)->timers.empty());
  duly::state_options unknown;
  unknown.id = "NO-SUCH-RECORD";
  auto none = s.state(policy(), as_of, unknown);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->timers.empty());
  EXPECT_TRUE(none->escalations.empty());
}

TEST_F(Store, ScheduleSaysWhenTheNextRunIsDue) {
  auto s = duly::store::open(file()).value();
  auto empty = s.schedule();
  ASSERT_TRUE(empty) << empty.error().message();
  EXPECT_FALSE(empty->next_wakeup);
  EXPECT_FALSE(empty->events_pending);
  EXPECT_FALSE(empty->last_as_of);
  EXPECT_EQ(empty->last_cursor, 0);
  ASSERT_TRUE(s.add(events_));
  EXPECT_TRUE(s.schedule()->events_pending);
  const auto as_of = at("2026-11-24T00:00:00Z");
  auto r = s.run(policy(), {}, as_of);
  ASSERT_TRUE(r);
  auto after = s.schedule().value();
  EXPECT_FALSE(after.events_pending);
  EXPECT_EQ(after.last_as_of, as_of);
  EXPECT_EQ(after.next_wakeup, r->next_wakeup);
  EXPECT_EQ(after.next_wakeup, s.info()->next_wakeup);
  ASSERT_TRUE(after.next_wakeup);
  EXPECT_GT(*after.next_wakeup, as_of);
  EXPECT_EQ(after.last_cursor, s.info()->last_cursor);
  // A run at the wake-up moves it on.
  ASSERT_TRUE(s.run(policy(), {}, *after.next_wakeup));
  const auto next = s.schedule()->next_wakeup;
  EXPECT_TRUE(!next || *next > *after.next_wakeup);
}

TEST_F(Store, DeliveryPositionsAreKeptAndNeverMoveBack) {
  const std::string path = file();
  {
    auto s = duly::store::open(path).value();
    EXPECT_EQ(s.delivered("webhook").value(), 0);
    ASSERT_TRUE(s.set_delivered("webhook", 7));
    ASSERT_TRUE(s.set_delivered("webhook", 3));  // never back
    ASSERT_TRUE(s.set_delivered("other", 12));
    EXPECT_EQ(s.delivered("webhook").value(), 7);
    auto bad = s.set_delivered("webhook", -1);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code(), duly::errc::invalid_argument);
    EXPECT_EQ(bad.error().message(), path + ": a delivery position is a cursor (0 or more), got -1");
    EXPECT_FALSE(s.set_delivered("", 1));
  }
  duly::store_options ro;
  ro.read_only = true;
  auto r = duly::store::open(path, ro).value();
  EXPECT_EQ(r.delivered("webhook").value(), 7);
  EXPECT_EQ(r.delivered("other").value(), 12);
  EXPECT_EQ(r.set_delivered("webhook", 9).error().code(), duly::errc::invalid_argument);
  // The store still runs as before: the position is kept beside its tables.
  auto w = duly::store::open(path).value();
  ASSERT_TRUE(w.run(policy(), events_, at("2026-11-26T00:00:00Z")));
  EXPECT_EQ(w.delivered("webhook").value(), 7);
}

}  // namespace

