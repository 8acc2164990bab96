// The condition language (see docs/policy.md, Conditions): evaluation tables for every operator
// and function, the comparison rules of value.hpp, and syntax errors asserted
// whole, column and caret included.
#include <duly/condition.hpp>

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace {

using duly::condition;
using duly::errc;
using duly::slot_table;
using duly::value;

// A record: attribute name -> value (strings kept alive by the map), the
// attributes the current event changed, and the event's name.
struct record {
  std::map<std::string, value> attributes;
  std::vector<std::string> changed;
  std::optional<std::string> event;
  value due;
  value remaining;
};

bool eval(std::string_view text, const record& r, bool risk_names = false) {
  slot_table slots;
  auto c = condition::compile(text, slots, risk_names);
  EXPECT_TRUE(c.has_value()) << text << ": " << (c ? "" : c.error().render());
  if (!c) return false;
  std::vector<value> attrs(slots.size());
  std::vector<std::uint8_t> changed(slots.size(), 0);
  for (const auto& [name, v] : r.attributes)
    if (const int s = slots.find(name); s >= 0) attrs[static_cast<std::size_t>(s)] = v;
  for (const auto& name : r.changed)
    if (const int s = slots.find(name); s >= 0) changed[static_cast<std::size_t>(s)] = 1;
  duly::condition_context ctx{attrs, changed, r.event ? value::string(*r.event) : value::null(), r.due, r.remaining};
  return c->evaluate(ctx);
}

TEST(Condition, ComparisonsFollowTheValueRules) {
  const record r{{{"priority", value::string("P1")},
                  {"count", value::number(3)},
                  {"vip", value::boolean(true)},
                  {"note", value::null()}},
                 {},
                 std::nullopt,
                 {},
                 {}};
  struct row {
    const char* text;
    bool expected;
  };
  const row rows[] = {
      {R"(priority == "P1")", true},
      {R"(priority == 'P1')", true},
      {R"(priority != "P1")", false},
      {R"(priority < "P2")", true},  // strings order byte-wise
      {"count == 3", true},
      {"count >= 3", true},
      {"count > 3", false},
      {"count < 3.5", true},
      {"count <= 2", false},
      {"vip == true", true},
      {"vip", true},               // a bare name holds when it is the boolean true
      {"count", false},            // anything else is false
      {"note == null", true},      // null == null
      {"missing == null", true},   // a missing attribute is null
      {"missing != null", false},
      {R"(count == "3")", false},  // different kinds are never equal
      {R"(count != "3")", true},
      {R"(count < "4")", false},   // ordering only between two numbers or two strings
      {R"(count >= "1")", false},
      {"vip > false", false},
      {"missing < 1", false},
      {"count == 1m", false},      // a duration is its seconds: 1m = 60
      {"count < 1m", true},
  };
  for (const auto& [text, expected] : rows) EXPECT_EQ(eval(text, r), expected) << text;
}

TEST(Condition, ListsAndBooleanOperators) {
  const record r{{{"priority", value::string("P2")}, {"tier", value::string("gold")}}, {}, std::nullopt, {}, {}};
  struct row {
    const char* text;
    bool expected;
  };
  const row rows[] = {
      {R"(priority in ["P1", "P2"])", true},
      {R"(priority in ["P1"])", false},
      {R"(priority not in ["P1"])", true},
      {R"(priority in [])", false},
      {R"(missing in [null, "x"])", true},
      {R"(priority in [2, "P2", true])", true},
      {R"(priority == "P1" or tier == "gold")", true},
      {R"(priority == "P1" and tier == "gold")", false},
      {R"(not priority == "P1")", true},
      // `and` binds tighter than `or`; `not` tighter than both.
      {R"(tier == "gold" or priority == "P1" and priority == "P3")", true},
      {R"((tier == "gold" or priority == "P1") and priority == "P3")", false},
      {R"(not tier == "gold" or priority == "P2")", true},
      {R"(not (tier == "gold" or priority == "P2"))", false},
      {"true", true},
      {"false", false},
      {"not false and true", true},
  };
  for (const auto& [text, expected] : rows) EXPECT_EQ(eval(text, r), expected) << text;
}

// List values (a ticket's tags): membership, has_any, has_all, whole-list ==.
TEST(Condition, ListAttributes) {
  duly::list_builder b;
  b.add(value::string("vip"));
  b.add(value::string("billing"));
  b.add(value::number(3));
  b.add(value::boolean(true));
  const std::string tags = b.text();
  ASSERT_EQ(tags, R"(["vip","billing",3,true])");
  const std::string empty = duly::list_builder().text();
  const record r{{{"tags", value::list(tags)},
                  {"none", value::list(empty)},
                  {"tag", value::string("billing")},
                  {"priority", value::string("P1")}},
                 {},
                 std::nullopt,
                 {},
                 {}};
  struct row {
    const char* text;
    bool expected;
  };
  const row rows[] = {
      {R"("vip" in tags)", true},
      {R"("VIP" in tags)", false},
      {R"("vip" not in tags)", false},
      {R"("legal" not in tags)", true},
      {R"(3 in tags)", true},
      {R"("3" in tags)", false},  // kinds differ, as everywhere
      {R"(true in tags)", true},
      {R"(tag in tags)", true},  // an attribute's value
      {R"(priority in tags)", false},
      {R"(nowhere in tags)", false},  // null is never an item
      {R"("vip" in nowhere)", false},  // a missing attribute holds no list
      {R"("vip" not in nowhere)", true},
      {R"("P1" in priority)", false},  // text is not a list: no substring test
      {R"(has_any(tags, ["legal", "vip"]))", true},
      {R"(has_any(tags, ["legal"]))", false},
      {R"(has_any(tags, []))", false},
      {R"(has_all(tags, ["vip", 3]))", true},
      {R"(has_all(tags, ["vip", "legal"]))", false},
      {R"(has_all(tags, []))", true},
      {R"(has_all(none, []))", true},
      {R"(has_any(priority, ["P1"]))", false},  // not a list
      {R"(has_all(nowhere, []))", false},
      {R"(tags == ["vip", "billing", 3, true])", true},
      {R"(tags == ["billing", "vip", 3, true])", false},  // order counts
      {R"(["vip", "billing", 3, true] == tags)", true},
      {R"(tags != ["vip"])", true},
      {R"(none == [])", true},
      {R"(nowhere == [])", false},  // missing is null, not an empty list
      {R"(tags in ["vip", "billing"])", false},  // a list is no scalar of a literal list
      {R"(tags == "vip")", false},
      {R"(exists(none))", true},  // an empty list is there
  };
  for (const auto& [text, expected] : rows) EXPECT_EQ(eval(text, r), expected) << text;
}

TEST(Condition, ListSyntaxErrors) {
  struct row {
    const char* text;
    int column;
    const char* message;
  };
  const row rows[] = {
      {R"(tags < ["a"])", 6, "lists have no order: compare a list with == or !=, or test its items with in, has_any or has_all"},
      {R"(tags == ["a", null])", 9, "a list compared whole holds only text, numbers and bools (no null)"},
      {R"(["a"])", 1, R"(a list is not a condition: compare it, e.g. tags == ["vip"])"},
      {R"(has_any("a", ["a"]))", 9, R"(has_any() takes an attribute name and a list, e.g. has_any(tags, ["vip", "billing"]))"},
      {R"(has_all(tags))", 13, R"(expected ',' and a list after the attribute name, e.g. has_all(tags, ["vip", "billing"]))"},
      {R"(has_all(tags, "a"))", 15, R"(expected a list such as ["vip", "billing"], e.g. has_all(tags, ["vip", "billing"]))"},
      {R"(has_any(tags, ["a"])", 20, "expected ')' after the list"},
      {R"("a" in exists(tags))", 8, R"(expected a list such as ["P1", "P2"] or a list attribute after 'in')"},
  };
  for (const auto& [text, column, message] : rows) {
    SCOPED_TRACE(text);
    slot_table slots;
    const auto got = condition::compile(text, slots);
    ASSERT_FALSE(got.has_value());
    EXPECT_EQ(got.error().message(), "1:" + std::to_string(column) + ": " + message);
  }
}

TEST(Condition, ExistsChangedAndTheEventName) {
  record r{{{"assignee", value::string("ana")}, {"status", value::string("open")}, {"cleared", value::null()}},
           {"status"},
           std::string("updated"),
           {},
           {}};
  EXPECT_TRUE(eval("exists(assignee)", r));
  EXPECT_FALSE(eval("exists(cleared)", r));  // null is not there
  EXPECT_FALSE(eval("exists(nowhere)", r));
  EXPECT_TRUE(eval("changed(status)", r));
  EXPECT_FALSE(eval("changed(assignee)", r));
  EXPECT_TRUE(eval(R"(event == "updated" and changed(status))", r));
  EXPECT_FALSE(eval(R"(event == "created")", r));
  r.event.reset();  // a condition not tied to one event sees event as null
  EXPECT_TRUE(eval("event == null", r));

  slot_table slots;
  EXPECT_TRUE(condition::compile(R"(event == "x")", slots)->uses_event());
  EXPECT_FALSE(condition::compile(R"(status == "x")", slots)->uses_event());
  EXPECT_EQ(condition::compile(R"(status  ==  "x")", slots)->text(), R"(status  ==  "x")");
}

TEST(Condition, RiskNamesReadTheCyclesDueAndRemaining) {
  // 2026-11-23T17:00:00Z = 1795453200.
  record r{{{"eta", value::string("2026-11-23T18:00:00Z")}, {"early", value::string("2026-11-23T16:00:00+00:00")}},
           {},
           std::nullopt,
           value::number(1795453200),
           value::number(3 * 3600)};
  EXPECT_TRUE(eval("eta > due", r, true));      // instant text compares as an instant with due
  EXPECT_FALSE(eval("early > due", r, true));
  EXPECT_TRUE(eval("remaining < 4h", r, true));
  EXPECT_FALSE(eval("remaining < 2h", r, true));
  // Elsewhere `due` and `remaining` are ordinary attributes (missing: null).
  EXPECT_TRUE(eval("due == null and remaining == null", r, false));
}

TEST(Condition, SlotsAreSharedByTheConditionsOfAPolicy) {
  slot_table slots;
  ASSERT_TRUE(condition::compile(R"(priority == "P1" and exists(assignee))", slots));
  ASSERT_TRUE(condition::compile(R"(priority in ["P2"] or changed(status))", slots));
  EXPECT_EQ(slots.size(), 3u);
  EXPECT_EQ(slots.find("priority"), 0);
  EXPECT_EQ(slots.find("assignee"), 1);
  EXPECT_EQ(slots.find("status"), 2);
  EXPECT_EQ(slots.find("event"), -1);  // the event's name is not an attribute
}

TEST(Condition, SaysWhatItReads) {
  slot_table slots;
  const std::string calendars[] = {"support"};
  const auto a = condition::compile(R"(tier == "gold" and (priority in ["P1"] or exists(assignee)) and tier != "x")",
                                    slots);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->slots_read(), (std::vector<int>{0, 1, 2}));  // tier, priority, assignee: each once, ascending
  EXPECT_FALSE(a->reads_more_than_attributes());
  const auto b = condition::compile(R"("vip" in tags or has_any(labels, ["a"]))", slots);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->slots_read(), (std::vector<int>{3, 4}));
  EXPECT_FALSE(b->reads_more_than_attributes());
  // What can change while no attribute it reads does: the event, changed(), is_open(), due and remaining.
  EXPECT_TRUE(condition::compile(R"(event == "created")", slots)->reads_more_than_attributes());
  EXPECT_TRUE(condition::compile(R"(status == "x" or changed(tier))", slots)->reads_more_than_attributes());
  EXPECT_EQ(condition::compile(R"(status == "x" or changed(tier))", slots)->slots_read(), (std::vector<int>{0, 5}));
  EXPECT_TRUE(condition::compile(R"(not is_open("support"))", slots, false, calendars)->reads_more_than_attributes());
  EXPECT_TRUE(condition::compile("remaining < 4h", slots, true)->reads_more_than_attributes());
  EXPECT_FALSE(condition::compile("remaining < 4h", slots, false)->reads_more_than_attributes());
  EXPECT_TRUE(condition().slots_read().empty());  // always true
  EXPECT_FALSE(condition().reads_more_than_attributes());
}

TEST(Condition, SyntaxErrorsSayWhatAndWhereWithACaret) {
  struct row {
    const char* text;
    int column;
    const char* message;
  };
  const row rows[] = {
      {"priority == ", 13, "expected a value after '=='"},
      {R"(priority = "P1")", 10, "'=' is not an operator: write '==' to compare"},
      {"(a == 1", 1, "unclosed '(': add ')'"},
      {"a == 1)", 7, "unexpected ')' after a complete condition"},
      {"a in 5", 6, R"(expected a list such as ["P1", "P2"] or a list attribute after 'in')"},
      {"foo(a)", 1, "unknown function 'foo' (expected exists, changed, is_open, has_any or has_all)"},
      {R"(a == "x)", 6, R"(unterminated string: add the closing ")"},
      {"a == 'x", 6, "unterminated string: add the closing '"},
      {"a == 1 b", 8, "unexpected 'b' after a complete condition"},
      {"", 1, R"(empty condition: write one such as status == "open")"},
      {"exists(1)", 8, "exists() takes an attribute name, e.g. exists(assignee)"},
      {"changed()", 9, "changed() takes an attribute name, e.g. changed(assignee)"},
      {"a @ b", 3, "unexpected character '@'"},
      {"not", 4, "expected a condition after 'not'"},
      {"a in [1, ", 10, "unterminated list: add ']'"},
      {"x == 1.2.3", 6, "not a number or a duration: '1.2.3'"},
  };
  for (const auto& [text, column, message] : rows) {
    SCOPED_TRACE(text);
    slot_table slots;
    const auto got = condition::compile(text, slots);
    ASSERT_FALSE(got.has_value());
    EXPECT_EQ(got.error().code(), errc::parse_error);
    const auto& d = got.error().diagnostics().front();
    EXPECT_EQ(d.line, 1);
    EXPECT_EQ(d.column, column);
    EXPECT_EQ(d.source_line, text);
    EXPECT_EQ(got.error().message(), "1:" + std::to_string(column) + ": " + message);
  }
  slot_table slots;
  EXPECT_EQ(condition::compile("priority == ", slots).error().render(),
            "1:13: expected a value after '=='\n"
            "priority == \n"
            "            ^");
}

}  // namespace
