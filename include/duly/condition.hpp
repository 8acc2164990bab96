// duly/condition.hpp: the condition language of every `*_when` (see docs/policy.md, Conditions).
//
//   priority in ["P1", "P2"] and tier == "gold"
//   event == "replied" and actor == "agent"
//   not exists(assignee) or changed(status)
//
// Literals: strings in double or single quotes, numbers, true, false, null, lists
// [...] (right of `in` / `not in`), durations (4h, 1h30m: their seconds as a
// number). Names: attributes (letters, digits, `_`, `.`) and `event`, the name of
// the event being applied (null where a condition is not tied to one event).
// In `at_risk_when` (compiled with risk_names) two names change meaning: `due`, the cycle's current due instant
// (compared with an attribute holding ISO-8601 text, it compares as an instant:
// `eta > due`), and `remaining`, the goal's remaining running time in seconds
// (`remaining < 4h`). Elsewhere they are ordinary attributes.
// Operators: == != < <= > >= in, not in, and, or, not, ( ); functions exists(name),
// changed(name) and is_open("CAL") (the policy's calendar CAL is open at the
// instant the condition is evaluated: an event's instant, or an escalation's
// firing instant for its `when`). A missing attribute is null.
//
// A condition is compiled once: names resolve to slots of a `slot_table` shared
// by the conditions of one policy, and evaluation walks a flat array of nodes
// without allocating.
//
// Thread-safety: a compiled `condition` is immutable and may be evaluated from
// any number of threads. `slot_table` is a builder: use it from one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <duly/error.hpp>
#include <duly/export.hpp>
#include <duly/value.hpp>

namespace duly {

class calendar;

// Attribute names to dense slot numbers.
class DULY_EXPORT slot_table {
 public:
  // The slot of `name`, added if new.
  int slot_of(std::string_view name);
  // The slot of `name`, or -1.
  [[nodiscard]] int find(std::string_view name) const noexcept;
  [[nodiscard]] std::size_t size() const noexcept { return names_.size(); }
  [[nodiscard]] const std::vector<std::string>& names() const noexcept { return names_; }

 private:
  struct hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, int, hash, std::equal_to<>> index_;
  std::vector<std::string> names_;
};

// What a condition reads: the record's attributes by slot, which slots the
// current event changed, and the event's name (null when not tied to an event).
struct condition_context {
  std::span<const value> attributes;
  std::span<const std::uint8_t> changed;  // may be empty: nothing changed
  value event;
  value due;        // seconds since the epoch, or null
  value remaining;  // seconds, or null
  // For is_open("CAL"): the policy's calendars (by the index compile resolved
  // from `calendar_names`) and the instant of evaluation. Empty: is_open is false.
  std::span<const calendar> calendars = {};
  std::int64_t now = 0;  // seconds since the epoch
};

class DULY_EXPORT condition {
 public:
  // Always true (an absent condition).
  condition();

  // Compiles `text`, resolving names in `slots`. A syntax error is an
  // `errc::parse_error` whose diagnostic has the 1-based column in `text`,
  // `text` as its source line, and says what was expected:
  //   compile("priority == ", slots) -> "1:13: expected a value after '=='"
  // `risk_names`: `due` and `remaining` name the cycle's due and remaining time
  // (at_risk_when) instead of attributes.
  // `calendar_names`: the calendars is_open("CAL") may name (an unknown name is
  // an error listing them).
  [[nodiscard]] static result<condition> compile(std::string_view text, slot_table& slots,
                                                 bool risk_names = false,
                                                 std::span<const std::string> calendar_names = {});

  // Cost: proportional to the condition's size; never allocates.
  [[nodiscard]] bool evaluate(const condition_context& ctx) const noexcept;

  [[nodiscard]] const std::string& text() const noexcept;
  // Whether the condition mentions `event` (an event-tied condition).
  [[nodiscard]] bool uses_event() const noexcept;
  // The attribute slots the condition reads (through exists() and changed()
  // too), each once, ascending.
  [[nodiscard]] std::vector<int> slots_read() const;
  // Whether its value can change while none of the attributes it reads does:
  // it mentions `event`, changed(), is_open(), `due` or `remaining`.
  [[nodiscard]] bool reads_more_than_attributes() const noexcept;

  // What the condition reads, for checks against a policy's declared
  // attributes: each attribute name once, in the order first written, with the
  // 1-based column in text() where it is first written; the attributes it is
  // compared with (`priority == P1` reads P1, compared with priority), and the
  // text literals compared with it (`priority == "P4"`, `priority in ["P1",
  // "P4"]`), each with its column. `event`, and `due` and `remaining` in
  // at_risk_when, are not attributes.
  struct text_literal {
    std::string text;
    int column = 0;
  };
  struct attribute_use {
    std::string name;
    int column = 0;
    std::vector<std::string> compared_with;
    std::vector<text_literal> literals;
  };
  [[nodiscard]] const std::vector<attribute_use>& attributes_read() const noexcept;

  struct impl;

 private:
  explicit condition(std::shared_ptr<const impl> p) : impl_(std::move(p)) {}
  std::shared_ptr<const impl> impl_;
};

}  // namespace duly
