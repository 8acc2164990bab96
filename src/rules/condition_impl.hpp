// A compiled condition's insides (not installed): the flat node array the
// parser builds (condition_parse.cpp) and the evaluator walks (condition.cpp).
// Only those two files include it.
//
// The evaluator's member functions are declared here and defined in
// condition.cpp, beside condition::evaluate, so that the compiler inlines them
// there; they are inline and used nowhere else.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include <duly/condition.hpp>

namespace duly {

struct condition::impl {
  enum class op : std::uint8_t {
    literal, attribute, event, due, remaining, exists, changed, is_open,
    eq, ne, lt, le, gt, ge, in, not_in,
    in_list, not_in_list, has_any, has_all,  // x in ATTR (a list value); has_any/has_all(ATTR, [...])
    and_, or_, not_,
  };

  struct node {
    op code = op::literal;
    int a = -1;       // first operand (node index)
    int b = -1;       // second operand (node index)
    int slot = -1;    // attribute slot
    int first = 0;    // list literal: first index into `lists`
    int count = 0;    // list literal: length
    bool instants = false;  // a comparison with `due`: ISO-8601 text compares as an instant
    bool list = false;      // a list literal: `literal` is its list value (null when it holds a null)
    value literal;
  };

  std::string text;
  std::vector<node> nodes;  // root last
  std::vector<value> lists;
  std::deque<std::string> strings;  // storage for string literals (stable addresses)
  bool uses_event = false;
  std::vector<condition::attribute_use> uses;  // attributes_read()

  // The evaluator (condition.cpp). Thread-safe: const, and allocates nothing.
  [[nodiscard]] inline value eval(int i, const condition_context& ctx) const noexcept;
  [[nodiscard]] [[gnu::always_inline]] inline value operand(int i, const condition_context& ctx) const noexcept;
  [[nodiscard]] inline bool is_open(const node& n, const condition_context& ctx) const noexcept;
  [[nodiscard]] inline bool test(int i, const condition_context& ctx) const noexcept;
};

}  // namespace duly
