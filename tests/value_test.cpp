// List values (duly/value.hpp): the canonical text list_builder makes, and
// what is read back from it: membership, the item count, the items.
#include <duly/value.hpp>

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace {

using duly::list_builder;
using duly::owned_value;
using duly::value;
using duly::value_kind;

std::string canonical(const std::vector<value>& items) {
  list_builder b;
  for (const value& v : items) EXPECT_TRUE(b.add(v));
  return b.text();
}

TEST(ListValue, CanonicalTextIsTheItemsInOrderWithoutSpaces) {
  EXPECT_EQ(list_builder().text(), "[]");
  EXPECT_EQ(canonical({value::string("vip"), value::number(3), value::number(0.5), value::boolean(false)}),
            R"(["vip",3,0.5,false])");
  // -0 is 0, so that [0] and [-0] are one list, as 0 == -0.
  EXPECT_EQ(canonical({value::number(-0.0)}), "[0]");
  // Escapes as value::to_json writes them.
  EXPECT_EQ(canonical({value::string("a\"b\\c\nd\te\x01")}), R"(["a\"b\\c\nd\te\u0001"])");
  EXPECT_EQ(canonical({value::string("Zürich, 東京")}), "[\"Zürich, 東京\"]");
}

TEST(ListValue, RefusesWhatAListCannotHold) {
  list_builder b;
  EXPECT_FALSE(b.add(value::null()));
  EXPECT_FALSE(b.add(value::number(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_FALSE(b.add(value::number(std::numeric_limits<double>::infinity())));
  EXPECT_FALSE(b.add(value::list("[1]")));
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.text(), "[]");
}

TEST(ListValue, ContainsComparesItemsByKindAndValue) {
  const std::string text = canonical({value::string("a\"b"), value::string("é\n"), value::number(42),
                                      value::number(1e300), value::boolean(true), value::string("")});
  const value l = value::list(text);
  EXPECT_TRUE(l.is_list());
  EXPECT_EQ(l.list_size(), 6u);
  EXPECT_TRUE(l.contains(value::string("a\"b")));
  EXPECT_TRUE(l.contains(value::string("é\n")));
  EXPECT_TRUE(l.contains(value::string("")));
  EXPECT_FALSE(l.contains(value::string("a")));   // no prefix match
  EXPECT_FALSE(l.contains(value::string("a\"bc")));
  EXPECT_TRUE(l.contains(value::number(42)));
  EXPECT_TRUE(l.contains(value::number(1e300)));
  EXPECT_FALSE(l.contains(value::string("42")));  // kinds differ
  EXPECT_TRUE(l.contains(value::boolean(true)));
  EXPECT_FALSE(l.contains(value::boolean(false)));
  EXPECT_FALSE(l.contains(value::null()));
  EXPECT_FALSE(l.contains(l));
  // Only a list contains anything.
  EXPECT_FALSE(value::string(text).contains(value::number(42)));
  EXPECT_EQ(value::string(text).list_size(), 0u);
  EXPECT_EQ(value::list("[]").list_size(), 0u);
  EXPECT_FALSE(value::list("[]").contains(value::string("")));
}

TEST(ListValue, ItemsReadBackAsWritten) {
  const std::vector<value> items = {value::string("x\\y\"z"), value::string("\x1f"), value::number(-2.25),
                                    value::number(9007199254740992.0), value::boolean(false)};
  const std::string text = canonical(items);
  const auto back = duly::list_items(value::list(text));
  ASSERT_EQ(back.size(), items.size());
  for (std::size_t i = 0; i < items.size(); ++i) EXPECT_TRUE(back[i].view() == items[i]) << i;
  EXPECT_TRUE(duly::list_items(value::string("[1]")).empty());
}

TEST(ListValue, EqualityIsWholeListsAndOwnedValuesKeepThem) {
  const std::string a = canonical({value::string("a"), value::string("b")});
  const std::string b = canonical({value::string("b"), value::string("a")});
  EXPECT_TRUE(value::list(a) == value::list(a));
  EXPECT_FALSE(value::list(a) == value::list(b));
  EXPECT_FALSE(value::list(a) == value::string(a));  // kinds differ
  EXPECT_FALSE(value::less(value::list(a), value::list(b)));  // no order
  EXPECT_FALSE(value::orderable(value::list(a), value::list(b)));
  const owned_value kept(value::list(a));
  EXPECT_EQ(kept.kind(), value_kind::list);
  EXPECT_EQ(kept.view().list_text(), a);
  EXPECT_EQ(kept.view().to_json(), R"(["a","b"])");
}

}  // namespace
