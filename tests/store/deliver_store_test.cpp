// The store and business-hours delivery (`deliver_in: CAL`): a run reports a
// firing only once its deliver_at has come, holds the others (neither reported
// nor recorded, the record woken at their deliver_at), and the first run at or
// after it reports each once, with the next cursor; a held firing that a late
// event undoes is never reported (and so never withdrawn); the outbox keeps
// deliver_at, and a store of format 3 reads it as fired_at.
//
// Dates: Friday 2026-11-27 to Monday 2026-11-30; `office` is open Monday to
// Friday 09:00-17:00 UTC. The policy is tests/data/deliver/policy.yaml, that of
// the Python deliver tests.
#include <duly/duly.hpp>
#include <duly/store.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "sqlite_exec.hpp"

namespace fs = std::filesystem;

namespace {

using duly_test::exec;

duly::instant at(const char* text) { return duly::parse_instant(text).value(); }

using events = std::vector<duly::event>;

duly::event ev(const char* id, const char* when, const char* name, std::uint64_t seq) {
  duly::event e;
  e.id = id;
  e.at = at(when);
  e.name = name;
  e.sequence = seq;
  return e;
}

class Deliver : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir_ = fs::temp_directory_path() / ("duly-deliver-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::create_directories(dir_);
    auto p = duly::load_policy(DULY_TEST_DATA "/deliver/policy.yaml");
    ASSERT_TRUE(p) << p.error().message();
    policy_.emplace(std::move(*p));
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string file() const { return (dir_ / "s.db").string(); }
  const duly::policy& policy() const { return *policy_; }

  static std::vector<std::string> keys(const std::vector<duly::store_firing>& fired) {
    std::vector<std::string> out;
    for (const auto& f : fired) out.push_back(f.key);
    return out;
  }

  fs::path dir_;
  std::optional<duly::policy> policy_;
};

TEST_F(Deliver, AFiringHeldForItsDeliverAtIsReportedOnceWhenItComes) {
  auto s = duly::store::open(file()).value();
  // Created Friday 16:30, solved 20:00: `now` fires 17:30 (no deliver_in),
  // `lead` 18:30 with the office closed: delivered Monday 09:00.
  const events record = {ev("T-1", "2026-11-27T16:30:00Z", "created", 1),
                                           ev("T-1", "2026-11-27T20:00:00Z", "solved", 2)};
  auto first = s.run(policy(), record, at("2026-11-27T21:00:00Z"));
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(keys(first->fired), (std::vector<std::string>{"T-1/resolution/now/20261127T163000Z/0"}));
  EXPECT_EQ(first->fired[0].row.delivery(), at("2026-11-27T17:30:00Z"));
  EXPECT_EQ(first->firings_held, 1u);
  // The cycle has ended: the record wakes for the held firing only.
  EXPECT_EQ(first->next_wakeup, at("2026-11-30T09:00:00Z"));
  EXPECT_EQ(s.schedule()->next_wakeup, at("2026-11-30T09:00:00Z"));

  // Saturday: not yet (the record is not even evaluated).
  auto saturday = s.run(policy(), record, at("2026-11-28T12:00:00Z"));
  ASSERT_TRUE(saturday);
  EXPECT_TRUE(saturday->fired.empty());
  EXPECT_EQ(saturday->firings_held, 0u);
  EXPECT_EQ(saturday->records_evaluated, 0u);

  // Monday 09:00: reported, with the next cursor, its fired_at unchanged.
  auto monday = s.run(policy(), {}, at("2026-11-30T09:00:00Z"));
  ASSERT_TRUE(monday);
  ASSERT_EQ(keys(monday->fired), (std::vector<std::string>{"T-1/resolution/lead/20261127T163000Z/0"}));
  EXPECT_EQ(monday->fired[0].row.fired_at, at("2026-11-27T18:30:00Z"));
  EXPECT_EQ(monday->fired[0].row.delivery(), at("2026-11-30T09:00:00Z"));
  EXPECT_EQ(monday->fired[0].cursor, first->fired[0].cursor + 1);
  EXPECT_EQ(monday->firings_held, 0u);
  EXPECT_FALSE(monday->next_wakeup);

  // Never again, however often it runs or the events come again.
  auto later = s.run(policy(), record, at("2026-11-30T12:00:00Z"));
  ASSERT_TRUE(later);
  EXPECT_TRUE(later->fired.empty());
  EXPECT_TRUE(later->withdrawn.empty());

  const auto box = s.outbox().value();
  ASSERT_EQ(box.size(), 2u);
  EXPECT_EQ(box[1].key, "T-1/resolution/lead/20261127T163000Z/0");
  EXPECT_EQ(box[1].row.fired_at, at("2026-11-27T18:30:00Z"));
  EXPECT_EQ(box[1].row.delivery(), at("2026-11-30T09:00:00Z"));
  EXPECT_EQ(duly::to_json(box[1]),
            R"({"kind":"escalation","id":"T-1","target":"resolution","escalation":"lead","cycle":1,"point":0,)"
            R"("fired_at":"2026-11-27T18:30:00Z","deliver_at":"2026-11-30T09:00:00Z",)"
            R"("key":"T-1/resolution/lead/20261127T163000Z/0","actions":[{"notify":["team_lead"]}],"cursor":2})");
  // The state shows the firing whatever the delivery: it fired on Friday.
  const auto friday = s.state(policy(), at("2026-11-27T21:00:00Z")).value();
  ASSERT_EQ(friday.escalations.size(), 2u);
  EXPECT_EQ(friday.escalations[1].delivery(), at("2026-11-30T09:00:00Z"));
}

TEST_F(Deliver, AHeldFiringThatALateEventUndoesIsNeverReported) {
  auto s = duly::store::open(file()).value();
  auto first = s.run(policy(), events{ev("T-2", "2026-11-27T16:30:00Z", "created", 1)}, at("2026-11-27T19:00:00Z"));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->fired.size(), 1u);  // now
  EXPECT_EQ(first->firings_held, 1u);  // lead
  // A late event: solved at 18:00, before the lead point (18:30).
  auto late = s.run(policy(), events{ev("T-2", "2026-11-27T18:00:00Z", "solved", 2)}, at("2026-11-28T10:00:00Z"));
  ASSERT_TRUE(late);
  EXPECT_TRUE(late->fired.empty());
  EXPECT_TRUE(late->withdrawn.empty());  // it was never handed over
  EXPECT_EQ(late->firings_held, 0u);
  auto monday = s.run(policy(), {}, at("2026-11-30T09:00:00Z"));
  ASSERT_TRUE(monday);
  EXPECT_TRUE(monday->fired.empty());
  EXPECT_EQ(s.outbox().value().size(), 1u);
}

TEST_F(Deliver, OneRunHandsFiringsOverInDeliverAtOrder) {
  auto s = duly::store::open(file()).value();
  // T-3's lead (Friday 18:30) waits for Monday 09:00; T-4's `now` (Monday
  // 08:30) goes at once, before it; T-4's lead (09:30) after.
  auto r = s.run(policy(),
                 events{ev("T-3", "2026-11-27T16:30:00Z", "created", 1), ev("T-4", "2026-11-30T07:30:00Z", "created", 2)},
                 at("2026-11-30T10:00:00Z"));
  ASSERT_TRUE(r);
  EXPECT_EQ(keys(r->fired), (std::vector<std::string>{
                                "T-3/resolution/now/20261127T163000Z/0",
                                "T-4/resolution/now/20261130T073000Z/0",
                                "T-3/resolution/lead/20261127T163000Z/0",
                                "T-4/resolution/lead/20261130T073000Z/0",
                            }));
  for (std::size_t i = 0; i < r->fired.size(); ++i) EXPECT_EQ(r->fired[i].cursor, static_cast<std::int64_t>(i + 1));
  EXPECT_EQ(r->firings_held, 0u);
}

TEST_F(Deliver, RunsAtAnyInstantsReportExactlyTheDeliveredFiringsOnce) {
  // Records created at random instants over a week, runs every few hours:
  // what the runs report is, each once, what one evaluation at the last as_of
  // gives with deliver_at at or before it; and every reported firing was
  // reported by the first run at or after its deliver_at.
  std::mt19937 rng(20261127);
  events all;
  const auto start = at("2026-11-26T00:00:00Z");
  for (std::uint64_t i = 0; i < 40; ++i) {
    duly::event e;
    e.id = "R-" + std::to_string(i);
    e.at = start + duly::seconds{std::uniform_int_distribution<std::int64_t>(0, 6 * 86400)(rng)};
    e.name = "created";
    e.sequence = i;
    all.push_back(e);
  }
  auto s = duly::store::open(file()).value();
  std::map<std::string, std::int64_t> reported;  // key -> run
  std::vector<duly::instant> as_ofs;
  for (auto t = start; t <= start + duly::seconds{8 * 86400}; t += duly::seconds{5 * 3600 + 17 * 60}) {
    std::vector<duly::event> now;  // each event given to the first run at or after it
    for (const auto& e : all)
      if (e.at <= t && (as_ofs.empty() || e.at > as_ofs.back())) now.push_back(e);
    auto r = s.run(policy(), now, t);
    ASSERT_TRUE(r) << r.error().message();
    for (const auto& f : r->fired) {
      EXPECT_TRUE(reported.emplace(f.key, r->run).second) << f.key << " reported twice";
      EXPECT_LE(f.row.delivery(), t);
      if (!as_ofs.empty()) {
        EXPECT_GT(f.row.delivery(), as_ofs.back()) << f.key << " was held too long";
      }
    }
    as_ofs.push_back(t);
  }
  const auto whole = duly::evaluate(policy(), all, as_ofs.back());
  std::set<std::string> expected;
  std::size_t held_somewhere = 0;
  for (const auto& f : whole.escalations) {
    if (f.delivery() <= as_ofs.back()) expected.insert(f.key());
    held_somewhere += f.delivery() != f.fired_at ? 1 : 0;
  }
  std::set<std::string> got;
  for (const auto& [k, run] : reported) got.insert(k);
  EXPECT_EQ(got, expected);
  EXPECT_GT(held_somewhere, 5u);  // the case is exercised
}

TEST_F(Deliver, AFormat3StoreReadsDeliverAtAsFiredAtAndIsMigratedByItsNextWrite) {
  {
    auto s = duly::store::open(file()).value();
    ASSERT_TRUE(s.run(policy(), events{ev("T-5", "2026-11-30T10:00:00Z", "created", 1)}, at("2026-11-30T12:00:00Z")));
  }
  // As duly 0.3 wrote it: no outbox.deliver_at.
  exec(file(), "ALTER TABLE outbox DROP COLUMN deliver_at; PRAGMA user_version = 3;");
  auto s = duly::store::open(file()).value();
  EXPECT_EQ(s.info()->format_version, 3);
  const auto old = s.outbox().value();
  ASSERT_EQ(old.size(), 2u);
  for (const auto& e : old) EXPECT_EQ(e.row.delivery(), e.row.fired_at);
  // Its next run migrates it in place; the new line keeps its deliver_at.
  auto r = s.run(policy(), events{ev("T-6", "2026-11-30T15:30:00Z", "created", 2)}, at("2026-12-01T10:00:00Z"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(s.info()->format_version, duly::store::format_version);
  const auto box = s.outbox().value();
  ASSERT_EQ(box.size(), 4u);
  EXPECT_EQ(box[0].row.delivery(), box[0].row.fired_at);
  EXPECT_EQ(box[3].key, "T-6/resolution/lead/20261130T153000Z/0");
  EXPECT_EQ(box[3].row.delivery(), at("2026-12-01T09:00:00Z"));
}

}  // namespace
