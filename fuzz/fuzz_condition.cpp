// Fuzzes the condition language (duly/condition.hpp): condition::compile on the
// whole input, then evaluate on a few attribute tables. Checks that
//  - a failed compile has a diagnostic whose column lies in the text and whose
//    render() works;
//  - evaluation is deterministic;
//  - the result does not depend on slot numbering: the same text compiled into a
//    slot table that already holds other names, given the same values by name,
//    evaluates the same;
//  - a condition that does not use `event` ignores the event's name.
#include <duly/condition.hpp>
#include <duly/value.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.hpp"

namespace {

using duly::value;

const std::vector<value>& pool() {
  static const std::vector<value> p = {
      value::null(),
      value::boolean(true),
      value::boolean(false),
      value::number(0),
      value::number(1),
      value::number(3),
      value::number(-1.5),
      value::number(14400),
      value::number(std::numeric_limits<double>::quiet_NaN()),
      value::number(std::numeric_limits<double>::infinity()),
      value::number(1795420800),
      value::string("P1"),
      value::string("P2"),
      value::string("gold"),
      value::string("agent"),
      value::string("created"),
      value::string(""),
      value::string("2026-11-23T10:00:00Z"),
      value::string("2026-11-23T05:00:00-05:00"),
      value::string("not an instant"),
  };
  return p;
}

const std::vector<value>& events() {
  static const std::vector<value> e = {value::null(), value::string("created"), value::string("replied"),
                                       value::number(1)};
  return e;
}

// The value of attribute `name` in variant `k`: the same for a name whatever its slot.
value value_of(std::string_view name, std::size_t k) {
  const std::size_t h = std::hash<std::string_view>{}(name);
  return pool()[(h + k * 7) % pool().size()];
}

struct context_data {
  std::vector<value> attributes;
  std::vector<std::uint8_t> changed;
};

context_data make_data(const duly::slot_table& slots, std::size_t k) {
  context_data d;
  for (const auto& name : slots.names()) {
    d.attributes.push_back(value_of(name, k));
    d.changed.push_back(static_cast<std::uint8_t>((std::hash<std::string_view>{}(name) >> (k % 8)) & 1));
  }
  if (k % 3 == 0) d.changed.clear();  // nothing changed
  return d;
}

duly::condition_context make_context(const context_data& d, std::size_t k, const value& event) {
  duly::condition_context ctx{d.attributes, d.changed, event, value::null(), value::null()};
  if (k % 2 == 1) ctx.due = value::number(1795420800 + static_cast<double>(k) * 3600);
  if (k % 4 == 1) ctx.remaining = value::number(3600);
  if (k % 4 == 3) ctx.remaining = value::number(-60);
  return ctx;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  duly::slot_table slots;
  const auto c = duly::condition::compile(text, slots);
  if (!c) {
    for (const auto& d : c.error().diagnostics()) {
      DULY_FUZZ_CHECK(d.column >= 0 && static_cast<std::size_t>(d.column) <= text.size() + 1,
                      "column " << d.column << " outside a text of " << text.size() << " bytes: " << d.message);
      DULY_FUZZ_CHECK(!d.message.empty(), "empty message");
    }
    (void)c.error().render();
    return 0;
  }

  // The same text in a table whose slots are numbered differently.
  duly::slot_table other;
  for (const char* name : {"zz_first", "priority", "status", "zz_second", "actor", "a", "b"}) other.slot_of(name);
  const auto c2 = duly::condition::compile(text, other);
  DULY_FUZZ_CHECK(c2.has_value(), "'" << text << "' compiles only into an empty slot table: "
                                      << c2.error().message());
  DULY_FUZZ_CHECK(c->uses_event() == c2->uses_event(), "uses_event differs for '" << text << "'");

  for (std::size_t k = 0; k < 8; ++k) {
    const auto d1 = make_data(slots, k);
    const auto d2 = make_data(other, k);
    for (const value& ev : events()) {
      const auto ctx1 = make_context(d1, k, ev);
      const auto ctx2 = make_context(d2, k, ev);
      const bool r = c->evaluate(ctx1);
      DULY_FUZZ_CHECK(r == c->evaluate(ctx1), "'" << text << "' is not deterministic");
      DULY_FUZZ_CHECK(r == c2->evaluate(ctx2), "'" << text << "' depends on slot numbering (variant " << k << ")");
      if (!c->uses_event()) {
        const auto ctx0 = make_context(d1, k, value::null());
        DULY_FUZZ_CHECK(r == c->evaluate(ctx0), "'" << text << "' does not use event but depends on it");
      }
    }
  }
  return 0;
}
