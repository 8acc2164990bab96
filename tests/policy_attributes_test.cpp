// Tests of declared attributes (`attributes:` in a policy, docs/policy.md
// "Declaring attributes"): the section as read, the errors and warnings that
// `duly check` gives with it, and a policy without it behaving as before.
#include <duly/policy.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

// A policy with `attributes:` and one target whose goals are `goals` (YAML
// flow items, one a line, starting on line 9).
std::string declared(const std::string& goals, const std::string& extra_attributes = "") {
  return "duly: 1\n"
         "attributes:\n"
         "  priority: { type: text, values: [P1, P2, P3] }\n"
         "  promised_at: { type: instant }\n"
         "  tier: { type: text }\n" +
         extra_attributes +
         "targets:\n"
         "  - name: resolution\n"
         "    start_when: event == \"created\"\n"
         "    goals:\n" +
         goals;
}

// Every diagnostic of a failed parse as "line:column: path: message".
std::vector<std::string> problems(const std::string& text) {
  const auto p = duly::parse_policy(text, "p.yaml");
  std::vector<std::string> out;
  if (p) return out;
  for (const auto& d : p.error().diagnostics())
    out.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.path + ": " + d.message);
  return out;
}

std::vector<std::string> warnings(const duly::policy& p) {
  std::vector<std::string> out;
  for (const auto& d : p.warnings())
    out.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.path + ": " + d.message);
  return out;
}

TEST(DeclaredAttributes, ReadAsWrittenWithPositions) {
  const auto p = duly::parse_policy(declared("      - { when: priority == \"P1\", within: 4h }\n"
                                             "      - { due_from: promised_at }\n",
                                             "  tags: { type: list }\n  n: { type: number }\n"
                                             "  vip: { type: bool }\n  sla: { type: duration }\n"),
                                    "p.yaml");
  ASSERT_TRUE(p) << p.error().message();
  const auto& a = p->spec().attributes;
  ASSERT_EQ(a.size(), 7u);
  EXPECT_EQ(a[0].name, "priority");
  EXPECT_EQ(a[0].type, duly::attribute_type::text);
  EXPECT_EQ(a[0].values, (std::vector<std::string>{"P1", "P2", "P3"}));
  EXPECT_EQ(a[0].where.line, 3);
  EXPECT_EQ(a[0].where.column, 3);
  EXPECT_EQ(a[1].type, duly::attribute_type::timestamp);
  EXPECT_EQ(duly::to_string(a[1].type), "instant");
  EXPECT_TRUE(a[1].values.empty());
  EXPECT_EQ(a[3].type, duly::attribute_type::list);
  EXPECT_EQ(a[4].type, duly::attribute_type::number);
  EXPECT_EQ(a[5].type, duly::attribute_type::boolean);
  EXPECT_EQ(duly::to_string(a[5].type), "bool");
  EXPECT_EQ(a[6].type, duly::attribute_type::duration);
  EXPECT_TRUE(p->warnings().empty());
}

TEST(DeclaredAttributes, TheSectionsOwnMistakes) {
  EXPECT_EQ(problems("duly: 1\nattributes:\n  priority: { type: string }\n"
                     "targets: [{name: t, start_when: event == \"a\", goals: [{within: 1h}]}]\n"),
            std::vector<std::string>{"3:21: attributes.priority.type: unknown type 'string' (expected text, "
                                     "number, bool, instant, duration or list)"});
  EXPECT_EQ(problems("duly: 1\nattributes:\n  n: { type: number, values: [1, 2] }\n  m: {}\n  id: { type: text }\n"
                     "  x: { type: text, values: [] }\n  y: { type: text, values: [a, a] }\n  z: text\n"
                     "targets: [{name: t, start_when: event == \"a\", goals: [{within: 1h}]}]\n"),
            (std::vector<std::string>{
                "3:30: attributes.n.values: values are for text attributes only (this one is number)",
                "4:6: attributes.m.type: missing: the attribute's type, one of text, number, bool, instant, duration "
                "or list",
                "5:3: attributes.id: 'id' is an event's own field, not an attribute",
                "6:28: attributes.x.values: empty: list the values, or leave values out for any text",
                "7:32: attributes.y.values[1]: 'a' is listed twice",
                "8:6: attributes.z: expected a map of keys and values, got a value",
            }));
}

// The study's mistake: P1 unquoted is an attribute, always null.
TEST(DeclaredAttributes, AValueWrittenWithoutQuotesIsAnErrorThatSaysSo) {
  EXPECT_EQ(problems(declared("      - { when: priority == P1, within: 4h }\n")),
            std::vector<std::string>{"10:29: targets[0].goals[0].when: 'P1' is not a declared attribute: did you "
                                     "mean \"P1\"? (a value of 'priority'; text goes in quotes)"});
  // Either side, and in a list of another attribute's comparison.
  EXPECT_EQ(problems(declared("      - { when: P2 == priority, within: 4h }\n")),
            std::vector<std::string>{"10:17: targets[0].goals[0].when: 'P2' is not a declared attribute: did you "
                                     "mean \"P2\"? (a value of 'priority'; text goes in quotes)"});
  // A value of some declared text attribute, even when not compared with it.
  EXPECT_EQ(problems(declared("      - { when: tier == P3, within: 4h }\n")),
            std::vector<std::string>{"10:25: targets[0].goals[0].when: 'P3' is not a declared attribute: did you "
                                     "mean \"P3\"? (a value of 'priority'; text goes in quotes)"});
}

TEST(DeclaredAttributes, AMisspeltNameNamesTheClosest) {
  EXPECT_EQ(problems(declared("      - { when: prority == \"P1\", within: 4h }\n")),
            std::vector<std::string>{
                "10:17: targets[0].goals[0].when: 'prority' is not a declared attribute: did you mean 'priority'?"});
  EXPECT_EQ(problems(declared("      - { when: exists(Tier), within: 4h }\n")),
            std::vector<std::string>{
                "10:24: targets[0].goals[0].when: 'Tier' is not a declared attribute: did you mean 'tier'?"});
  // Nothing close: the declared names.
  EXPECT_EQ(problems(declared("      - { when: customer == \"acme\", within: 4h }\n")),
            std::vector<std::string>{"10:17: targets[0].goals[0].when: 'customer' is not a declared attribute "
                                     "(declared: priority, promised_at, tier)"});
}

TEST(DeclaredAttributes, KeysThatNameAttributesAreChecked) {
  EXPECT_EQ(problems(declared("      - { due_from: promised }\n")),
            std::vector<std::string>{
                "10:21: targets[0].goals[0].due_from: 'promised' is not a declared attribute: did you mean "
                "'promised_at'?"});
  EXPECT_EQ(problems(declared("      - { due_from: tier }\n      - { within: 1h, calendar_from: promised_at }\n")),
            (std::vector<std::string>{
                "10:21: targets[0].goals[0].due_from: 'tier' is declared text, but due_from reads an instant",
                "11:38: targets[0].goals[1].calendar_from: 'promised_at' is declared instant, but calendar_from "
                "reads a calendar's name (text)"}));
  EXPECT_TRUE(duly::parse_policy(declared("      - { within_from: sla, within: 1h, timezone_from: tier }\n",
                                          "  sla: { type: number }\n")));
}

TEST(DeclaredAttributes, AValueOutsideTheListIsAWarning) {
  const auto p = duly::parse_policy(declared("      - { when: priority == \"P4\", within: 4h }\n"
                                             "      - when: priority in [\"P1\", 'P5'] and tier == \"gold\"\n"
                                             "        within: 8h\n"),
                                    "p.yaml");
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(warnings(*p),
            (std::vector<std::string>{
                "10:29: targets[0].goals[0].when: \"P4\" is not a declared value of 'priority' (declared: P1, P2, P3)",
                "11:34: targets[0].goals[1].when: \"P5\" is not a declared value of 'priority' (declared: P1, P2, P3)"}));
  const auto& d = p->warnings().front();
  EXPECT_EQ(d.file, "p.yaml");
  EXPECT_EQ(d.source_line, "      - { when: priority == \"P4\", within: 4h }");
  // Text attributes without values take any text.
  EXPECT_TRUE(duly::parse_policy(declared("      - { when: tier == \"anything\", within: 4h }\n"))->warnings().empty());
}

TEST(DeclaredAttributes, EventAndRiskNamesAreNotAttributes) {
  const std::string text = declared("      - { within: 4h }\n") +
                           "    at_risk_when: remaining < 1h or due < promised_at\n"
                           "    stop_when: event == \"resolved\"\n";
  const auto p = duly::parse_policy(text, "p.yaml");
  ASSERT_TRUE(p) << p.error().message();
}

// Without `attributes:` nothing changes: P1 is an attribute (always null), no
// warnings, and --explain-names lists it.
TEST(DeclaredAttributes, WithoutDeclarationsAPolicyBehavesAsBefore) {
  const auto p = duly::parse_policy(
      "duly: 1\ntargets:\n  - name: t\n    start_when: event == \"created\"\n"
      "    goals: [{ when: priority == P1, within: 4h }, { when: priority == \"P9\", due_from: promised }]\n",
      "p.yaml");
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_TRUE(p->warnings().empty());
  EXPECT_TRUE(p->spec().attributes.empty());
  EXPECT_EQ(p->slots().names(), (std::vector<std::string>{"priority", "P1", "promised"}));
}

}  // namespace
