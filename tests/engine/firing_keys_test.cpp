// Firing keys name the cycle by its start, not by its ordinal: a late event
// that adds or removes an earlier cycle changes the ordinals of the later
// cycles but none of their firings' keys; cycles that start at one instant
// (a reset) are told apart by their order there; escalation names with '/'
// are refused, and ids with '/' still give keys that split from the right.
#include <duly/duly.hpp>

#include <algorithm>
#include <iterator>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace {

constexpr std::string_view policy_text = R"(duly: 1
targets:
  - name: handling
    applies_when: channel != "internal"
    start_when: event == "opened"
    stop_when: event == "closed"
    reset_when: event == "reassigned"
    goals: [{within: 4h}]
escalations:
  - {name: nudge, target: handling, at: start + 30m, repeat: {every: 1h, times: 1}}
  - {name: late, target: handling, at: due}
)";

duly::instant at(std::string_view text) { return duly::parse_instant(text).value(); }

duly::event ev(std::string id, std::string_view when, std::string name, std::uint64_t seq,
               std::vector<duly::attribute_update> updates = {}) {
  duly::event e;
  e.id = std::move(id);
  e.at = at(when);
  e.name = std::move(name);
  e.sequence = seq;
  e.updates = std::move(updates);
  return e;
}

std::set<std::string> keys_of(const duly::evaluation& r) {
  std::set<std::string> out;
  for (const auto& f : r.escalations) out.insert(f.key());
  return out;
}

// Cycles at 09:00 and 14:00 (and what a late event adds at 06:00).
std::vector<duly::event> base() {
  return {ev("T/1", "2026-11-23T09:00:00Z", "opened", 10), ev("T/1", "2026-11-23T10:00:00Z", "closed", 11),
          ev("T/1", "2026-11-23T14:00:00Z", "opened", 12), ev("T/1", "2026-11-23T20:00:00Z", "closed", 13)};
}

const duly::instant as_of = at("2026-11-24T00:00:00Z");

TEST(FiringKeys, NameTheCycleByItsStart) {
  const auto p = duly::parse_policy(policy_text, "keys.yaml").value();
  const auto r = duly::evaluate(p, base(), as_of);
  const std::set<std::string> expected = {
      "T/1/handling/nudge/20261123T090000Z/0", "T/1/handling/nudge/20261123T140000Z/0",
      "T/1/handling/nudge/20261123T140000Z/1", "T/1/handling/late/20261123T140000Z/0"};
  EXPECT_EQ(keys_of(r), expected);
  for (const auto& f : r.escalations) {
    EXPECT_EQ(f.cycle_rank, 0);
    EXPECT_EQ(f.cycle_started, f.cycle == 1 ? at("2026-11-23T09:00:00Z") : at("2026-11-23T14:00:00Z"));
  }
}

TEST(FiringKeys, ALateEarlierCycleKeepsEveryOtherKey) {
  const auto p = duly::parse_policy(policy_text, "keys.yaml").value();
  const auto before = keys_of(duly::evaluate(p, base(), as_of));
  auto events = base();
  // Arrive last, belong first: a cycle at 06:00 renumbers the two others.
  events.push_back(ev("T/1", "2026-11-23T06:00:00Z", "opened", 20));
  events.push_back(ev("T/1", "2026-11-23T08:00:00Z", "closed", 21));
  const auto r = duly::evaluate(p, events, as_of);
  const auto after = keys_of(r);
  EXPECT_TRUE(std::includes(after.begin(), after.end(), before.begin(), before.end()));
  std::set<std::string> added;
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(), std::inserter(added, added.end()));
  EXPECT_EQ(added, (std::set<std::string>{"T/1/handling/nudge/20261123T060000Z/0",
                                          "T/1/handling/nudge/20261123T060000Z/1"}));
  // The ordinals did move.
  const auto last = std::max_element(r.escalations.begin(), r.escalations.end(),
                                     [](const auto& a, const auto& b) { return a.cycle < b.cycle; });
  EXPECT_EQ(last->cycle, 3);
}

TEST(FiringKeys, ALateEventThatRemovesAnEarlierCycleKeepsEveryOtherKey) {
  const auto p = duly::parse_policy(policy_text, "keys.yaml").value();
  const auto before = keys_of(duly::evaluate(p, base(), as_of));
  auto events = base();
  // The record was internal until 12:00: the 09:00 cycle never applied.
  events.push_back(ev("T/1", "2026-11-23T08:00:00Z", "update", 20, {{"channel", duly::owned_value(duly::value::string("internal"))}}));
  events.push_back(ev("T/1", "2026-11-23T12:00:00Z", "update", 21, {{"channel", duly::owned_value(duly::value::string("web"))}}));
  const auto r = duly::evaluate(p, events, as_of);
  const auto after = keys_of(r);
  std::set<std::string> expected = before;
  expected.erase("T/1/handling/nudge/20261123T090000Z/0");
  EXPECT_EQ(after, expected);
  for (const auto& f : r.escalations) EXPECT_EQ(f.cycle, 1);  // the 14:00 cycle is now the first
}

TEST(FiringKeys, CyclesStartingAtOneInstantAreToldApartByTheirOrderThere) {
  const auto p = duly::parse_policy(policy_text, "keys.yaml").value();
  // Opened, then reassigned twice in the same second: three cycles start at 09:00.
  const std::vector<duly::event> events = {ev("A", "2026-11-23T09:00:00Z", "opened", 1),
                                           ev("A", "2026-11-23T09:00:00Z", "reassigned", 2),
                                           ev("A", "2026-11-23T09:00:00Z", "reassigned", 3),
                                           ev("A", "2026-11-23T10:00:00Z", "closed", 4)};
  const auto r = duly::evaluate(p, events, as_of);
  // Only the last one runs long enough to nudge.
  ASSERT_EQ(r.escalations.size(), 1u);
  EXPECT_EQ(r.escalations[0].cycle, 3);
  EXPECT_EQ(r.escalations[0].cycle_rank, 2);
  EXPECT_EQ(r.escalations[0].key(), "A/handling/nudge/20261123T090000Z_3/0");
}

TEST(FiringKeys, EveryEntryPointGivesTheSameKeys) {
  const auto p = duly::parse_policy(policy_text, "keys.yaml").value();
  auto events = base();
  events.push_back(ev("T/1", "2026-11-23T06:00:00Z", "opened", 20));
  events.push_back(ev("T/1", "2026-11-23T08:00:00Z", "closed", 21));
  duly::evaluator inc(p);
  for (const auto& e : events) inc.add(e);
  EXPECT_EQ(keys_of(inc.results(as_of)), keys_of(duly::evaluate(p, events, as_of)));
  const auto x = duly::explain(p, events, "T/1", as_of);
  std::set<std::string> explained;
  for (const auto& f : x.escalations) explained.insert(f.key());
  EXPECT_EQ(explained, keys_of(duly::evaluate(p, events, as_of)));
}

TEST(FiringKeys, EscalationNamesWithASlashAreRefused) {
  std::string text(policy_text);
  text.replace(text.find("name: late"), 10, "name: la/te");
  const auto p = duly::parse_policy(text, "slash.yaml");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message().find("slash.yaml:11:"), std::string::npos) << p.error().message();
  EXPECT_NE(p.error().message().find("escalations[1].name: an escalation name may not contain '/'"),
            std::string::npos)
      << p.error().message();
}

}  // namespace
