// Hostile and extreme input: each case either works or fails with a clear
// error, within bounded time and memory (docs/limits.md).
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <duly/duly.hpp>

namespace {

using namespace std::chrono_literals;

duly::instant at(const char* text) { return duly::parse_instant(text).value(); }

constexpr const char* tiny_policy = R"(duly: 1
targets:
  - name: resolution
    start_when: event == "open"
    stop_when: status == "done"
    pause_when: status == "hold"
    goals: [{within: 8h}]
escalations:
  - {name: lead, target: resolution, at: 50%, repeat: {every: 1h, times: 3}}
)";

TEST(Limits, DeeplyNestedYamlIsAnErrorNotACrash) {
  const std::string deep = "duly: 1\ntargets: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  const auto p = duly::parse_policy(deep, "deep.yaml");
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code(), duly::errc::parse_error);
  const auto c = duly::parse_calendar("hours: " + std::string(100000, '{'), "deep.yaml");
  ASSERT_FALSE(c.has_value());
}

TEST(Limits, AliasesThatExpandExponentiallyAreCapped) {
  std::string text = std::string(tiny_policy) + "  - name: boom\n    target: resolution\n    at: due\n    do:\n"
                     "      - &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 12; ++i) {
    const std::string prev = "*a" + std::to_string(i - 1);
    text += "      - &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k ? ", " : "") + prev;
    text += "]\n";
  }
  const auto p = duly::parse_policy(text, "laughs.yaml");
  ASSERT_FALSE(p.has_value());
  EXPECT_NE(p.error().message().find("escalations[1].do: actions too large or too deeply nested"), std::string::npos)
      << p.error().message();
}

TEST(Limits, AMillionEventsOnOneRecord) {
  const auto p = duly::parse_policy(tiny_policy).value();
  std::vector<duly::event> events;
  events.reserve(1000000);
  const duly::instant t0 = at("2026-01-01T00:00:00Z");
  for (int i = 0; i < 1000000; ++i) {
    duly::event e;
    e.id = "R";
    e.at = t0 + duly::seconds{i * 30};
    e.name = i == 0 ? "open" : "update";
    e.sequence = static_cast<std::uint64_t>(i);
    e.updates.push_back({"status", duly::owned_value(duly::value::string(i % 2 ? "hold" : "work"))});
    events.push_back(std::move(e));
  }
  const auto r = duly::evaluate(p, events, at("2027-01-01T00:00:00Z"));
  ASSERT_EQ(r.timers.size(), 1u);
  EXPECT_EQ(r.events_applied, 1000000u);
  // Running and paused alternate every 30 s, running first: the 960th running
  // half-minute (8 h in all) ends 30 s before 16 h.
  EXPECT_EQ(r.timers[0].due, t0 + 16h - 30s);
  EXPECT_EQ(r.escalations.size(), 4u);
}

TEST(Limits, ATenMegabyteAttribute) {
  const auto p = duly::parse_policy(tiny_policy).value();
  const std::string big(10 * 1024 * 1024, 'x');
  const std::string line = R"({"id":"R","at":"2026-01-01T00:00:00Z","event":"open","note":")" + big + "\"}\n";
  const auto batch = duly::read_events_jsonl(std::string_view(line));
  ASSERT_EQ(batch.events.size(), 1u);
  EXPECT_EQ(batch.events[0].updates[0].value.view().as_string().size(), big.size());
  const auto r = duly::evaluate(p, batch.events, at("2026-01-01T01:00:00Z"));
  EXPECT_EQ(r.timers[0].state, duly::timer_state::running);
}

TEST(Limits, EnormousDurationsAreOutOfRange) {
  const auto d = duly::parse_duration("1000000000000000000s");
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().code(), duly::errc::out_of_range);
  EXPECT_EQ(d.error().message(), "duration '1000000000000000000s' is too long");
  duly::calendar always;
  const auto r = always.add(at("2026-01-01T00:00:00Z"), duly::seconds{1000000000000000000});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), duly::errc::out_of_range);
}

TEST(Limits, YearsOneAnd9999ParseButCalendarsRefuseThem) {
  const auto y1 = duly::parse_instant("0001-01-01T00:00:00Z");
  const auto y9999 = duly::parse_instant("9999-12-31T23:59:59Z");
  ASSERT_TRUE(y1.has_value());
  ASSERT_TRUE(y9999.has_value());
  EXPECT_EQ(duly::format_instant(*y1), "0001-01-01T00:00:00Z");
  EXPECT_EQ(duly::format_instant(*y9999), "9999-12-31T23:59:59Z");
  duly::calendar always;
  EXPECT_EQ(always.add(*y1, 1h).error().code(), duly::errc::out_of_range);
  EXPECT_EQ(always.add(*y9999, 1h).error().code(), duly::errc::out_of_range);
  EXPECT_FALSE(always.is_open(*y9999));
  // Events in those years are rejected rows, not wrong answers.
  const auto batch = duly::read_events_jsonl(std::string_view(
      R"({"id":"R","at":"0001-01-01T00:00:00Z","event":"open"})"
      "\n"
      R"({"id":"R","at":"9999-12-31T23:59:59Z","event":"open"})"
      "\n"));
  EXPECT_TRUE(batch.events.empty());
  ASSERT_EQ(batch.rejected.size(), 2u);
  EXPECT_EQ(batch.rejected[0].reason, "at: instant 0001-01-01T00:00:00Z is outside the supported years 1970 to 2199");
}

TEST(Limits, ACalendarOpenOneMinuteAYear) {
  const auto cal = duly::parse_calendar(R"(
hours: {}
exceptions:
  2026-06-01: ["12:00-12:01"]
  2027-06-01: ["12:00-12:01"]
  2028-06-01: ["12:00-12:01"]
)").value();
  EXPECT_EQ(cal.add(at("2026-01-01T00:00:00Z"), 2min).value(), at("2027-06-01T12:01:00Z"));
  EXPECT_EQ(cal.elapsed(at("2026-01-01T00:00:00Z"), at("2029-01-01T00:00:00Z")), 3min);
  // Past the last open minute: ten quiet years, then a clear error.
  const auto never = cal.add(at("2026-01-01T00:00:00Z"), 4min);
  ASSERT_FALSE(never.has_value());
  EXPECT_EQ(never.error().code(), duly::errc::never_open);
}

TEST(Limits, HugeConditionsAreBounded) {
  duly::slot_table slots;
  const auto nested = duly::condition::compile(std::string(5000, '(') + "a == 1" + std::string(5000, ')'), slots);
  ASSERT_FALSE(nested.has_value());
  EXPECT_EQ(nested.error().message().find("condition nested too deeply") != std::string::npos, true)
      << nested.error().message();
  std::string wide = "a == 0";
  for (int i = 1; i < 20000; ++i) wide += " or a == " + std::to_string(i);
  const auto c = duly::condition::compile(wide, slots);
  ASSERT_TRUE(c.has_value());
}

}  // namespace
