// Conditions compiled and evaluated: the slot table, the evaluator, which does
// not allocate (condition::impl's eval, test and operand, defined here so that
// condition::evaluate inlines them), and what a compiled condition answers
// about itself. The lexer, the parser and condition::compile are in
// condition_parse.cpp; the node array both share is in condition_impl.hpp.
#include <duly/condition.hpp>

#include <algorithm>

#include <duly/calendar.hpp>
#include <duly/time.hpp>

#include "rules/condition_impl.hpp"

namespace duly {

// ---------------------------------------------------------------------------
// slot_table

int slot_table::slot_of(std::string_view name) {
  if (auto it = index_.find(name); it != index_.end()) return it->second;
  const int slot = static_cast<int>(names_.size());
  names_.emplace_back(name);
  index_.emplace(std::string(name), slot);
  return slot;
}

int slot_table::find(std::string_view name) const noexcept {
  const auto it = index_.find(name);
  return it == index_.end() ? -1 : it->second;
}

// ---------------------------------------------------------------------------
// evaluator

namespace {

// For comparisons with `due`: ISO-8601 text becomes seconds since the epoch.
value as_instant(const value& v) noexcept {
  if (v.kind() != value_kind::string) return v;
  auto t = parse_instant(v.as_string());
  return t ? value::number(static_cast<double>(t->time_since_epoch().count())) : value::null();
}

}  // namespace

value condition::impl::eval(int i, const condition_context& ctx) const noexcept {
  const node& n = nodes[static_cast<std::size_t>(i)];
  switch (n.code) {
    case op::literal:
    case op::attribute:
    case op::event: return operand(i, ctx);  // read in place there
    case op::due: return ctx.due;
    case op::remaining: return ctx.remaining;
    case op::exists:
    case op::changed:
    case op::in:
    case op::not_in:
    case op::and_:
    case op::or_:
    case op::not_: return value::boolean(test(i, ctx));  // the boolean shapes: test() judges them
    case op::is_open: return value::boolean(is_open(n, ctx));
    case op::eq:
    case op::ne:
    case op::lt:
    case op::gt:
    case op::le:
    case op::ge: {
      value x = eval(n.a, ctx), y = eval(n.b, ctx);
      if (n.instants) {
        x = as_instant(x);
        y = as_instant(y);
      }
      switch (n.code) {
        case op::eq: return value::boolean(x == y);
        case op::ne: return value::boolean(!(x == y));
        case op::lt: return value::boolean(value::less(x, y));
        case op::gt: return value::boolean(value::less(y, x));
        case op::le: return value::boolean(value::orderable(x, y) && !value::less(y, x));
        default: return value::boolean(value::orderable(x, y) && !value::less(x, y));
      }
    }
    case op::in_list:
    case op::not_in_list: {
      const bool found = eval(n.b, ctx).contains(eval(n.a, ctx));
      return value::boolean(n.code == op::in_list ? found : !found);
    }
    case op::has_any:
    case op::has_all: {
      const value l = eval(n.a, ctx);
      if (!l.is_list()) return value::boolean(false);
      const node& list = nodes[static_cast<std::size_t>(n.b)];
      const bool any = n.code == op::has_any;
      for (int k = 0; k < list.count; ++k)
        if (l.contains(lists[static_cast<std::size_t>(list.first + k)]) == any) return value::boolean(any);
      return value::boolean(!any);
    }
  }
  return value::null();
}

// An operand's value: literals, attributes and the event name read in
// place, without a call to eval (inlined: it is on every comparison's path).
value condition::impl::operand(int i, const condition_context& ctx) const noexcept {
  const node& n = nodes[static_cast<std::size_t>(i)];
  switch (n.code) {
    case op::literal: return n.literal;
    case op::attribute:
      return static_cast<std::size_t>(n.slot) < ctx.attributes.size()
                 ? ctx.attributes[static_cast<std::size_t>(n.slot)]
                 : value::null();
    case op::event: return ctx.event;
    default: return eval(i, ctx);
  }
}

bool condition::impl::is_open(const node& n, const condition_context& ctx) const noexcept {
  return static_cast<std::size_t>(n.slot) < ctx.calendars.size() &&
         ctx.calendars[static_cast<std::size_t>(n.slot)].is_open(instant{seconds{ctx.now}});
}

// eval(i, ctx).is_true(), with the boolean shapes (and, or, not, ==, !=, in,
// exists, changed) tested directly rather than through values; eval() hands
// those shapes here, so each is written once.
bool condition::impl::test(int i, const condition_context& ctx) const noexcept {
  const node& n = nodes[static_cast<std::size_t>(i)];
  switch (n.code) {
    case op::and_: return test(n.a, ctx) && test(n.b, ctx);
    case op::or_: return test(n.a, ctx) || test(n.b, ctx);
    case op::not_: return !test(n.a, ctx);
    case op::changed:
      return static_cast<std::size_t>(n.slot) < ctx.changed.size() && ctx.changed[static_cast<std::size_t>(n.slot)] != 0;
    case op::exists:
      return static_cast<std::size_t>(n.slot) < ctx.attributes.size() &&
             !ctx.attributes[static_cast<std::size_t>(n.slot)].is_null();
    case op::is_open: return is_open(n, ctx);
    case op::eq:
    case op::ne:
      if (n.instants) break;
      return (operand(n.a, ctx) == operand(n.b, ctx)) == (n.code == op::eq);
    case op::in:
    case op::not_in: {
      const value x = operand(n.a, ctx);
      const node& list = nodes[static_cast<std::size_t>(n.b)];
      bool found = false;
      for (int k = 0; k < list.count && !found; ++k) found = lists[static_cast<std::size_t>(list.first + k)] == x;
      return n.code == op::in ? found : !found;
    }
    default: break;
  }
  return eval(i, ctx).is_true();
}

// ---------------------------------------------------------------------------
// the compiled condition

namespace {

using node = condition::impl::node;
using op = condition::impl::op;

const std::shared_ptr<const condition::impl>& always_true() {
  static const auto p = [] {
    auto i = std::make_shared<condition::impl>();
    i->text = "true";
    node n;
    n.code = op::literal;
    n.literal = value::boolean(true);
    i->nodes.push_back(n);
    return std::shared_ptr<const condition::impl>(std::move(i));
  }();
  return p;
}

}  // namespace

condition::condition() : impl_(always_true()) {}

bool condition::evaluate(const condition_context& ctx) const noexcept {
  return impl_->test(static_cast<int>(impl_->nodes.size()) - 1, ctx);
}

const std::string& condition::text() const noexcept { return impl_->text; }
bool condition::uses_event() const noexcept { return impl_->uses_event; }
const std::vector<condition::attribute_use>& condition::attributes_read() const noexcept { return impl_->uses; }

std::vector<int> condition::slots_read() const {
  std::vector<int> out;
  for (const node& n : impl_->nodes)
    if ((n.code == op::attribute || n.code == op::exists || n.code == op::changed) && n.slot >= 0)
      out.push_back(n.slot);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool condition::reads_more_than_attributes() const noexcept {
  for (const node& n : impl_->nodes)
    if (n.code == op::event || n.code == op::changed || n.code == op::is_open || n.code == op::due ||
        n.code == op::remaining)
      return true;
  return false;
}

}  // namespace duly
