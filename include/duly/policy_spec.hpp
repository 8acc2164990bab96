// duly/policy_spec.hpp: a policy as written, with where each part was written.
//
// Parse -> compile -> evaluate: a policy document is read into this spec (names,
// texts and source positions, nothing resolved), and compiled into the
// immutable `duly::policy` handle of duly/policy.hpp, whose `spec()` returns the
// spec it was compiled from. Tools that point a user at a line of the policy
// (an editor, a report that says which goal governed a cycle) read positions
// here; the engine never does.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace duly {

// Where something was written: the file as the policy was loaded (empty when
// parsed from text without a name), 1-based line and column (0 when unknown).
struct source_position {
  std::string file;
  int line = 0;
  int column = 0;
};

// A condition as written (e.g. `event == "created"`) and where its text starts.
struct condition_spec {
  std::string text;
  source_position where;
};

struct goal_spec {
  source_position where;                // the goal's map in `goals:`
  std::optional<condition_spec> when;   // absent: always
  std::string within;                   // "4h", "2bd"
  std::string calendar;                 // empty: 24x7 UTC
  std::string timezone_from;            // empty: none
  std::string calendar_from;            // empty: none
  std::string within_from;              // empty: none
  std::string due_from;                 // empty: none
};

struct target_spec {
  source_position where;                // the target's map in `targets:`
  std::string name;
  std::map<std::string, std::string> labels;
  std::optional<condition_spec> applies_when;
  condition_spec start_when;
  std::optional<condition_spec> stop_when;
  std::optional<condition_spec> pause_when;
  std::optional<condition_spec> reset_when;
  std::optional<condition_spec> cancel_when;
  std::optional<condition_spec> at_risk_when;
  std::string start_at;                 // empty: none
  std::vector<goal_spec> goals;
};

struct escalation_spec {
  source_position where;                // the escalation's map in `escalations:`
  std::string name;
  std::string target;
  std::string at;                       // "75%", "due + 1h", "manual" (also when only raise_when is given)
  std::optional<condition_spec> when;
  std::optional<condition_spec> raise_when;
  std::string repeat_every;             // empty: no repeat
  std::int64_t repeat_times = 0;
  std::string actions_json;             // the `do` list as JSON text ("[]" when absent)
  std::string deliver_in;               // a calendar's name; empty: handed over at once
};

// The type of a declared attribute (`attributes:`): what its values must be,
// by the name a policy writes (attribute_type::timestamp is written `instant`).
//   text      a string
//   number    a number
//   bool      true or false
//   instant   ISO-8601 text with a UTC offset ("2026-12-01T17:00:00Z")
//   duration  duration text ("6h", "3bd", "30cd") or a number of seconds
//   list      a list of text, numbers and bools
enum class attribute_type : std::uint8_t { text, number, boolean, timestamp, duration, list };

// "text", "number", "bool", "instant", "duration", "list".
[[nodiscard]] constexpr std::string_view to_string(attribute_type t) noexcept {
  switch (t) {
    case attribute_type::text: return "text";
    case attribute_type::number: return "number";
    case attribute_type::boolean: return "bool";
    case attribute_type::timestamp: return "instant";
    case attribute_type::duration: return "duration";
    case attribute_type::list: return "list";
  }
  return "text";
}

// One entry of a policy's `attributes:`: an attribute the policy reads, its
// type, and for text the values it may take (empty: any text).
struct attribute_spec {
  std::string name;
  attribute_type type = attribute_type::text;
  std::vector<std::string> values;
  source_position where;                // the attribute's key in `attributes:`
};

struct calendar_entry {
  std::string name;
  source_position where;                // the calendar's key in `calendars:`
};

struct policy_spec {
  std::string source_name;
  std::vector<calendar_entry> calendars;  // names and positions (the calendars themselves: policy::calendars())
  std::vector<target_spec> targets;     // in document order
  std::vector<escalation_spec> escalations;
  // The declared attributes, in document order; empty when the policy has no
  // `attributes:` section (then nothing is checked against them).
  std::vector<attribute_spec> attributes;
};

}  // namespace duly
