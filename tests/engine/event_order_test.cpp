// Events apply in the order of their full-precision instants: fractions of a
// second decide the order within a second (ties keep input order), while all
// arithmetic uses the floored second. A `created` at .200 given after a
// `replied` at .700 of the same second is met, through every entry point:
// evaluate over events (JSON Lines, CSV), over columns, the incremental
// evaluator and explain.
#include <duly/duly.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace {

constexpr std::string_view policy_text = R"(duly: 1
targets:
  - name: response
    start_when: event == "created"
    stop_when: event == "replied"
    goals: [{within: 1h}]
)";

// Out of order in the input, in order by their fractions.
constexpr std::string_view jsonl = R"({"id":"A","at":"2026-11-23T10:00:00.700Z","event":"replied"}
{"id":"A","at":"2026-11-23T10:00:00.2Z","event":"created"}
{"id":"B","at":"2026-11-23T10:00:00.500Z","event":"created"}
{"id":"B","at":"2026-11-23T10:00:00.500Z","event":"replied"}
)";

duly::instant at(std::string_view text) { return duly::parse_instant(text).value(); }
const duly::instant as_of = at("2026-11-23T12:00:00Z");

void expect_met(const duly::evaluation& r, const char* how) {
  ASSERT_EQ(r.timers.size(), 2u) << how;
  for (const auto& t : r.timers) {
    EXPECT_EQ(t.state, duly::timer_state::met) << how << " " << t.id;
    EXPECT_EQ(t.started, at("2026-11-23T10:00:00Z")) << how;  // floored
    EXPECT_EQ(t.stopped, at("2026-11-23T10:00:00Z")) << how;
    EXPECT_EQ(t.elapsed_seconds, duly::seconds{0}) << how;
  }
}

TEST(EventOrder, FractionsAreRead) {
  EXPECT_EQ(duly::instant_fraction("2026-11-23T10:00:00.2Z"), 200000000u);
  EXPECT_EQ(duly::instant_fraction("2026-11-23T10:00:00,123456789123+01:00"), 123456789u);
  EXPECT_EQ(duly::instant_fraction(" 2026-11-23 10:00:00.000001Z "), 1000u);
  EXPECT_EQ(duly::instant_fraction("2026-11-23T10:00:00Z"), 0u);
  EXPECT_EQ(duly::instant_fraction("2026-11-23T10:00Z"), 0u);
  EXPECT_EQ(duly::parse_instant("2026-11-23T10:00:00.999Z").value(), at("2026-11-23T10:00:00Z"));
  const auto batch = duly::read_events_jsonl(jsonl);
  ASSERT_EQ(batch.events.size(), 4u);
  EXPECT_EQ(batch.events[0].fraction, 700000000u);
  EXPECT_EQ(batch.events[1].fraction, 200000000u);
}

TEST(EventOrder, EveryEntryPointOrdersByTheFullInstant) {
  const auto p = duly::parse_policy(policy_text, "order.yaml").value();
  const auto batch = duly::read_events_jsonl(jsonl);
  ASSERT_TRUE(batch.rejected.empty());
  expect_met(duly::evaluate(p, batch.events, as_of), "evaluate");

  auto csv = duly::read_events_csv(
      "id,at,event\nA,2026-11-23T10:00:00.700Z,replied\nA,2026-11-23T10:00:00.2Z,created\n"
      "B,2026-11-23T10:00:00.5Z,created\nB,2026-11-23T10:00:00.5Z,replied\n");
  ASSERT_TRUE(csv);
  expect_met(duly::evaluate(p, csv->events, as_of), "csv");

  duly::evaluator inc(p);
  for (const auto& e : batch.events) inc.add(e);
  expect_met(inc.results(as_of), "evaluator");

  // Columns, with and without the fractions (without: input order decides).
  const std::vector<std::string_view> ids = {"A", "B"};
  const std::vector<std::string_view> names = {"created", "replied"};
  const std::vector<std::int64_t> id = {0, 0, 1, 1}, name = {1, 0, 0, 1};
  std::vector<duly::instant> ats(4, at("2026-11-23T10:00:00Z"));
  const std::vector<std::uint32_t> fraction = {700000000, 200000000, 500000000, 500000000};
  duly::event_columns c;
  c.id_values = ids;
  c.id = id;
  c.at = ats;
  c.name_values = names;
  c.name = name;
  c.fraction = fraction;
  expect_met(duly::evaluate(p, c, as_of), "columns");
  c.fraction = {};
  const auto floored = duly::evaluate(p, c, as_of);
  ASSERT_EQ(floored.timers.size(), 2u);
  EXPECT_EQ(floored.timers[0].state, duly::timer_state::breached);  // replied came first: never stopped

  const auto x = duly::explain(p, batch.events, "A", as_of);
  ASSERT_GE(x.entries.size(), 2u);
  EXPECT_EQ(x.entries[0].event, "created");
}

// Records come in the order of their ids as text (bytes compared unsigned):
// ids that share their first eight bytes, a shorter id that is another's
// prefix, an embedded NUL and bytes from 0x80 up, given in no order.
TEST(EventOrder, RecordsComeInTheOrderOfTheirIds) {
  const auto p = duly::parse_policy(policy_text, "order.yaml").value();
  const std::vector<std::string> ids = {"ticket-10", "ticket-1", "ticket-100", "ticket-0002", "ticket-", "ticket",
                                        std::string("ticket\0x", 8), std::string("ticket\0", 7), "\xc3\xa9t\xc3\xa9",
                                        "\xff", "Ticket", "ticket-1\x80", "ticket-1a"};
  std::vector<duly::event> events;
  for (const auto& id : ids) {
    duly::event e;
    e.id = id;
    e.at = at("2026-11-23T10:00:00Z");
    e.name = "created";
    events.push_back(e);
  }
  std::vector<std::string> want = ids;
  std::sort(want.begin(), want.end());
  const auto r = duly::evaluate(p, events, as_of);
  std::vector<std::string> got;
  for (const auto& t : r.timers) got.push_back(t.id);
  EXPECT_EQ(got, want);
}

// An event may carry many attributes the policy never reads: the engine's
// name lookups (a small table of the names it has seen) give the same result
// as for the events without them, in the batch and in the incremental
// evaluator, however many names there are and however they collide.
TEST(EventOrder, ManyUpdateNamesGiveTheSameResult) {
  const auto p = duly::parse_policy(R"(duly: 1
targets:
  - name: resolution
    start_when: event == "created"
    stop_when: status == "done"
    pause_when: status == "waiting"
    goals: [{within: 4h}]
)", "names.yaml").value();
  std::vector<duly::event> plain, wide;
  const char* statuses[] = {"open", "waiting", "open", "waiting", "open", "done"};
  for (int r = 0; r < 3; ++r) {
    for (int k = 0; k < 6; ++k) {
      duly::event e;
      e.id = "R-" + std::to_string(r);
      e.at = at("2026-11-23T10:00:00Z") + duly::seconds{1200 * k + 60 * r};
      e.name = k == 0 ? "created" : "updated";
      e.updates.push_back({"status", duly::owned_value(duly::value::string(statuses[k]))});
      plain.push_back(e);
      // 150 other names, each event a different run of them around status.
      for (int n = 0; n < 150; ++n)
        e.updates.insert(e.updates.begin() + (n % 2 ? static_cast<std::ptrdiff_t>(e.updates.size()) : 0),
                         {"x" + std::to_string((n * 7 + k * 13 + r) % 150), duly::owned_value(duly::value::number(n))});
      wide.push_back(e);
    }
  }
  const auto a = duly::evaluate(p, plain, as_of), b = duly::evaluate(p, wide, as_of);
  ASSERT_EQ(a.timers.size(), 3u);
  duly::evaluator inc(p);
  for (const auto& e : wide) inc.add(e);
  const auto c = inc.results(as_of);
  for (const auto* other : {&b, &c}) {
    ASSERT_EQ(other->timers.size(), a.timers.size());
    for (std::size_t k = 0; k < a.timers.size(); ++k) {
      EXPECT_EQ(other->timers[k].state, a.timers[k].state) << k;
      EXPECT_EQ(other->timers[k].elapsed_seconds, a.timers[k].elapsed_seconds) << k;
      EXPECT_EQ(other->timers[k].paused_seconds, a.timers[k].paused_seconds) << k;
      EXPECT_EQ(other->timers[k].due, a.timers[k].due) << k;
    }
  }
  EXPECT_EQ(a.timers[0].state, duly::timer_state::met);
  EXPECT_EQ(a.timers[0].paused_seconds, duly::seconds{2400});
}

}  // namespace
