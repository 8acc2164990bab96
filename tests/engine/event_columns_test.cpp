// duly::evaluate over event_columns (the columnar batch call the Python
// DataFrame path uses) gives the same evaluation as over the events themselves:
// random streams, ids split over several codes, skipped rows, unread columns;
// and the same on several threads (evaluate_options::threads) as on one.
#include <duly/duly.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;

constexpr std::string_view policy_text = R"(duly: 1
calendars:
  office: {timezone: America/New_York, hours: {mon-fri: "09:00-17:00"}}
targets:
  - name: response
    start_when: event == "created"
    stop_when: event == "replied" or n >= 3
    pause_when: status == "waiting"
    goals:
      - {when: priority == "P1", within: 1h}
      - {within: 4h, calendar: office}
  - name: resolution
    start_when: event == "created" or changed(reopened)
    stop_when: status == "done"
    reset_when: event == "reopened"
    goals: [{within: 8h, calendar: office}]
escalations:
  - {name: half, target: response, at: 50%, repeat: {every: 30m, times: 2}, do: [{notify: [lead]}]}
)";

auto key(const duly::timer_row& t) {
  return std::tuple(t.id, t.target, t.cycle, t.state, t.goal_seconds, t.started, t.stopped, t.due, t.breached_at,
                    t.elapsed_seconds, t.remaining_seconds, t.paused_seconds, t.next_wakeup);
}
auto key(const duly::escalation_row& e) { return std::tuple(e.id, e.target, e.escalation, e.cycle, e.point, e.fired_at); }
auto key(const duly::pause_row& p) { return std::tuple(p.id, p.target, p.cycle, p.paused_from, p.paused_until); }
auto key(const duly::segment_row& s) {
  return std::tuple(s.id, s.target, s.cycle, s.from, s.until, s.paused, s.business_seconds, s.carried);
}

// Columns over the given vectors (spans: the vectors must outlive them).
duly::event_columns columns_of(const std::vector<std::string_view>& ids, const std::vector<std::int64_t>& id,
                               const std::vector<duly::instant>& at, const std::vector<std::string_view>& names,
                               const std::vector<std::int64_t>& name, const std::vector<std::uint8_t>& skip,
                               const std::vector<duly::event_columns::attribute>& attributes) {
  duly::event_columns columns;
  columns.id_values = ids;
  columns.id = id;
  columns.at = at;
  columns.name_values = names;
  columns.name = name;
  columns.skip = skip;
  columns.attributes = attributes;
  return columns;
}

// The events that `columns` describe, row by row (the skipped rows left out):
// the other door to the same evaluation.
std::vector<duly::event> events_of(const duly::event_columns& columns) {
  std::vector<duly::event> events;
  for (std::size_t i = 0; i < columns.id.size(); ++i) {
    if (columns.skip[i]) continue;
    duly::event e;
    e.id = std::string(columns.id_values[static_cast<std::size_t>(columns.id[i])]);
    e.at = columns.at[i];
    e.name = std::string(columns.name_values[static_cast<std::size_t>(columns.name[i])]);
    e.sequence = i;
    e.line = i + 1;
    for (const auto& a : columns.attributes)
      if (a.codes[i] >= 0)
        e.updates.push_back({std::string(a.name), duly::owned_value(a.values[static_cast<std::size_t>(a.codes[i])])});
    events.push_back(std::move(e));
  }
  return events;
}

TEST(EventColumns, EvaluateEqualsTheEventBatch) {
  const auto p = duly::parse_policy(policy_text, "columns.yaml");
  ASSERT_TRUE(p) << p.error().message();
  // Distinct values; "B" appears under two codes (one record all the same).
  const std::vector<std::string_view> ids = {"A", "B", "C", "B", "D"};
  const std::vector<std::string_view> names = {"created", "update", "replied", "reopened"};
  const std::vector<duly::value> priorities = {duly::value::string("P1"), duly::value::string("P2"), duly::value::null()};
  const std::vector<duly::value> statuses = {duly::value::string("open"), duly::value::string("waiting"),
                                             duly::value::string("done")};
  std::mt19937_64 rng(7);
  std::size_t segments = 0;
  for (int round = 0; round < 50; ++round) {
    const std::size_t n = 1 + rng() % 200;
    std::vector<std::int64_t> id(n), name(n), priority(n), status(n), number_code(n), unread(n, 0);
    std::vector<duly::instant> at(n);
    std::vector<duly::value> numbers(n);
    std::vector<std::uint8_t> skip(n);
    const auto start = duly::instant{std::chrono::sys_days{std::chrono::year{2026} / 1 / 5}.time_since_epoch()};
    for (std::size_t i = 0; i < n; ++i) {
      id[i] = static_cast<std::int64_t>(rng() % ids.size());
      name[i] = static_cast<std::int64_t>(rng() % names.size());
      at[i] = start + std::chrono::minutes(rng() % (4 * 24 * 60));
      priority[i] = static_cast<std::int64_t>(rng() % (priorities.size() + 1)) - 1;
      status[i] = static_cast<std::int64_t>(rng() % (statuses.size() + 1)) - 1;
      numbers[i] = duly::value::number(static_cast<double>(rng() % 5));
      number_code[i] = rng() % 2 ? static_cast<std::int64_t>(i) : -1;
      skip[i] = rng() % 10 == 0 ? 1 : 0;
    }
    const std::vector<duly::value> flags = {duly::value::boolean(false)};
    const std::vector<duly::event_columns::attribute> attributes = {
        {"priority", priorities, priority}, {"status", statuses, status}, {"n", numbers, number_code},
        {"unread", flags, unread}};
    const duly::event_columns columns = columns_of(ids, id, at, names, name, skip, attributes);
    const std::vector<duly::event> events = events_of(columns);
    const auto as_of = start + std::chrono::days(3);
    const duly::evaluation a = duly::evaluate(*p, columns, as_of);
    const duly::evaluation b = duly::evaluate(*p, std::span<const duly::event>(events), as_of);
    ASSERT_EQ(a.timers.size(), b.timers.size()) << "round " << round;
    for (std::size_t k = 0; k < a.timers.size(); ++k) EXPECT_EQ(key(a.timers[k]), key(b.timers[k])) << round;
    ASSERT_EQ(a.escalations.size(), b.escalations.size()) << "round " << round;
    for (std::size_t k = 0; k < a.escalations.size(); ++k)
      EXPECT_EQ(key(a.escalations[k]), key(b.escalations[k])) << round;
    EXPECT_EQ(a.events_applied, b.events_applied);
    EXPECT_EQ(a.events_ignored, b.events_ignored);
    EXPECT_EQ(a.next_wakeup, b.next_wakeup);
    ASSERT_EQ(a.pauses.size(), b.pauses.size()) << "round " << round;
    for (std::size_t k = 0; k < a.pauses.size(); ++k) EXPECT_EQ(key(a.pauses[k]), key(b.pauses[k])) << round;

    // Carried attributes and segments: the same from both doors ("missing" has no column).
    const duly::evaluate_options options{{"status", "n", "missing"}, true};
    const duly::evaluation ca = duly::evaluate(*p, columns, as_of, options);
    const duly::evaluation cb = duly::evaluate(*p, std::span<const duly::event>(events), as_of, options);
    ASSERT_EQ(ca.timers.size(), a.timers.size()) << "round " << round;
    ASSERT_EQ(cb.timers.size(), a.timers.size()) << "round " << round;
    for (std::size_t k = 0; k < a.timers.size(); ++k) {
      EXPECT_EQ(key(ca.timers[k]), key(a.timers[k])) << round;
      EXPECT_EQ(ca.timers[k].carried, cb.timers[k].carried) << round;
      ASSERT_EQ(ca.timers[k].carried.size(), 3u);
      EXPECT_EQ(ca.timers[k].carried[2], duly::owned_value()) << round;
    }
    EXPECT_TRUE(a.segments.empty());
    ASSERT_EQ(ca.segments.size(), cb.segments.size()) << "round " << round;
    segments += ca.segments.size();
    for (std::size_t k = 0; k < ca.segments.size(); ++k) EXPECT_EQ(key(ca.segments[k]), key(cb.segments[k])) << round;
  }
  EXPECT_GT(segments, 0u);
}

// Every field of a row, for comparing evaluations on different thread counts.
auto full_key(const duly::timer_row& t) {
  return std::tuple(key(t), t.target_index, t.ended, t.goal_index, t.goal_text, t.zone, t.carried);
}
auto full_key(const duly::escalation_row& e) {
  return std::tuple(key(e), e.escalation_index, e.actions_json, e.cycle_started, e.cycle_rank);
}
auto full_key(const duly::pause_row& r) { return std::tuple(key(r), r.target_index); }
auto full_key(const duly::segment_row& s) { return key(s); }

template <class Rows>
void expect_same_rows(const Rows& a, const Rows& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t k = 0; k < a.size(); ++k) ASSERT_EQ(full_key(a[k]), full_key(b[k])) << what << " row " << k;
}

void expect_same(const duly::evaluation& a, const duly::evaluation& b, const std::string& what) {
  expect_same_rows(a.timers, b.timers, what + ": timers");
  expect_same_rows(a.escalations, b.escalations, what + ": escalations");
  expect_same_rows(a.pauses, b.pauses, what + ": pauses");
  expect_same_rows(a.segments, b.segments, what + ": segments");
  EXPECT_EQ(a.events_applied, b.events_applied) << what;
  EXPECT_EQ(a.events_ignored, b.events_ignored) << what;
  EXPECT_EQ(a.next_wakeup, b.next_wakeup) << what;
}

// Records split over threads give the evaluation of one thread, row for row,
// from both doors (events and columns), with carried attributes and segments:
// random streams large enough for several threads (one per 20,000 events),
// ids under several codes, rows out of time order, skipped rows, rows after
// as_of, one record much larger than the others.
TEST(EventColumns, ThreadsGiveTheSameEvaluation) {
  const auto p = duly::parse_policy(policy_text, "columns.yaml");
  ASSERT_TRUE(p) << p.error().message();
  std::mt19937_64 rng(11);
  for (int round = 0; round < 3; ++round) {
    const std::size_t records = round == 0 ? 1000 : 3000 + rng() % 3000;
    std::vector<std::string> id_text;
    for (std::size_t r = 0; r < records; ++r) id_text.push_back("R-" + std::to_string(rng() % 100000));
    id_text.push_back(id_text.front());  // one id under two codes
    const std::vector<std::string_view> ids(id_text.begin(), id_text.end());
    const std::vector<std::string_view> names = {"created", "update", "replied", "reopened"};
    const std::vector<duly::value> priorities = {duly::value::string("P1"), duly::value::string("P2"),
                                                 duly::value::null()};
    const std::vector<duly::value> statuses = {duly::value::string("open"), duly::value::string("waiting"),
                                               duly::value::string("done")};
    const std::size_t n = 65000 + rng() % 30000;
    std::vector<std::int64_t> id(n), name(n), priority(n), status(n);
    std::vector<duly::instant> at(n);
    std::vector<std::uint8_t> skip(n);
    const auto start = duly::instant{std::chrono::sys_days{std::chrono::year{2026} / 1 / 5}.time_since_epoch()};
    for (std::size_t i = 0; i < n; ++i) {
      // One row in 32 goes to record 0 (in round 2): one record far larger than the rest.
      id[i] = static_cast<std::int64_t>(round == 2 && rng() % 32 == 0 ? 0 : rng() % ids.size());
      name[i] = static_cast<std::int64_t>(rng() % names.size());
      at[i] = start + std::chrono::minutes(rng() % (8 * 24 * 60));
      priority[i] = static_cast<std::int64_t>(rng() % (priorities.size() + 1)) - 1;
      status[i] = static_cast<std::int64_t>(rng() % (statuses.size() + 1)) - 1;
      skip[i] = rng() % 20 == 0 ? 1 : 0;
    }
    const std::vector<duly::event_columns::attribute> attributes = {{"priority", priorities, priority},
                                                                    {"status", statuses, status}};
    const duly::event_columns columns = columns_of(ids, id, at, names, name, skip, attributes);
    const std::vector<duly::event> events = events_of(columns);
    const auto as_of = start + std::chrono::days(6);  // the last two days' rows are ignored
    for (const bool extras : {false, true}) {
      duly::evaluate_options one;
      if (extras) one = duly::evaluate_options{{"status", "priority"}, true};
      const duly::evaluation a = duly::evaluate(*p, columns, as_of, one);
      const duly::evaluation b = duly::evaluate(*p, std::span<const duly::event>(events), as_of, one);
      EXPECT_GT(a.timers.size(), records);
      EXPECT_GT(a.events_ignored, 0u);
      EXPECT_FALSE(a.escalations.empty());
      EXPECT_FALSE(a.pauses.empty());
      expect_same(a, b, "columns and events");
      for (const unsigned threads : {2u, round == 1 ? 0u : 3u, 8u}) {
        duly::evaluate_options many = one;
        many.threads = threads;
        const std::string what = "round " + std::to_string(round) + ", " + std::to_string(threads) + " threads";
        expect_same(duly::evaluate(*p, columns, as_of, many), a, what + " (columns)");
        expect_same(duly::evaluate(*p, std::span<const duly::event>(events), as_of, many), a, what + " (events)");
      }
    }
  }
}

}  // namespace
