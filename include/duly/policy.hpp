// duly/policy.hpp: policy documents (see docs/policy.md), parsed and compiled.
//
// A policy names calendars, targets (commitments measured on a record) with their
// conditions and ordered goals, and escalations. `parse_policy` reads YAML or JSON
// (one schema), reports every problem at once as
// "file:line:column: path: message", and compiles conditions and names into an
// immutable `policy`: a cheap handle with read-only views. `targets()` and
// `escalations()` show what each part says (names, texts, compiled conditions);
// `spec()` the policy as written, with source positions (duly/policy_spec.hpp).
// What compiling resolved (calendar indices, attribute slots, the target of an
// escalation) is kept inside, for the engine only.
//
// Thread-safety: a `policy` is an immutable handle; copies share it and it may be
// used by any number of threads at once (calendars re-zoned by `timezone_from`
// are cached inside, under a lock).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <duly/calendar.hpp>
#include <duly/condition.hpp>
#include <duly/error.hpp>
#include <duly/export.hpp>
#include <duly/policy_spec.hpp>
#include <duly/time.hpp>

namespace duly {

namespace detail {
struct policy_access;  // the library's way in to the compiled form (src/rules/)
}

// One goal of a target: the first whose `when` holds governs the cycle.
struct goal {
  condition when;                 // always true when absent
  bool has_when = false;
  duration_spec within;           // seconds of running time, business or calendar days
  bool has_within = false;        // `within` was given (it may be left out with within_from or due_from)
  std::string calendar;           // a name in the policy's calendars; empty = 24x7 UTC
  std::string timezone_from;      // attribute holding an IANA zone; empty = none
  std::string within_text;        // `within` as written ("2bd", "8h"); empty when absent
  // Per-record commitments, each an attribute name (empty = none):
  // calendar_from names a calendar of the policy (missing, null or unknown: `calendar`);
  // within_from holds the goal's length, duration text or a number of seconds
  // (missing or unreadable: `within`); due_from holds the due instant, a dated
  // promise that pauses do not move (missing or unreadable: within_from, then
  // `within`). A goal whose length none of them gives does not hold.
  std::string calendar_from;
  std::string within_from;
  std::string due_from;
};

// One commitment measured on a record.
struct target {
  std::string name;
  std::map<std::string, std::string> labels;
  std::optional<condition> applies_when;
  condition start_when;
  std::optional<condition> stop_when;
  std::optional<condition> pause_when;
  std::optional<condition> reset_when;
  std::optional<condition> cancel_when;
  // Early warning: checked after every event of an active cycle, with `due` and
  // `remaining` available; an escalation `at: at_risk` fires the first time it holds.
  std::optional<condition> at_risk_when;
  std::string start_at;           // attribute with the cycle's start instant; empty = none
  std::vector<goal> goals;
};

// Where an escalation point lies on a cycle's elapsed clock (see docs/escalations.md).
struct escalation_point {
  // percent: P% of the goal; due: goal + offset; start: offset; at_risk: the
  // first time the target's at_risk_when holds; manual: only when raised.
  enum class kind { percent, due, start, at_risk, manual };
  kind type = kind::due;
  std::int64_t percent = 0;       // kind::percent
  seconds offset{0};              // due + offset, or start + offset
};

struct escalation {
  std::string name;
  std::string target;             // the name of a target of the policy
  escalation_point at;
  std::string at_text;
  std::optional<condition> when;
  // Raises the escalation at once when it holds on an event of an active cycle
  // (its next unfired point; at most 1 + repeat.times a cycle).
  std::optional<condition> raise_when;
  seconds repeat_every{0};
  std::int64_t repeat_times = 0;
  std::string actions_json;       // the `do` list as JSON text, returned to the host as data
  // (Members added after the first release come last.)
  // A calendar of the policy in whose open hours the firings are handed over
  // (`deliver_in`); empty = at once. Each firing keeps its fired_at and gains
  // deliver_at, the first open instant of this calendar at or after it.
  std::string deliver_in;
};

class DULY_EXPORT policy {
 public:
  [[nodiscard]] const std::vector<target>& targets() const noexcept;
  [[nodiscard]] const std::vector<escalation>& escalations() const noexcept;
  [[nodiscard]] const std::vector<std::string>& calendar_names() const noexcept;
  [[nodiscard]] const std::vector<calendar>& calendars() const noexcept;
  // Attribute names the policy reads, by slot.
  [[nodiscard]] const slot_table& slots() const noexcept;
  // The calendar of `goal` for a record whose `timezone_from` attribute is
  // `zone_name` (empty or unknown: the calendar's own zone). Cached.
  [[nodiscard]] calendar goal_calendar(const goal& g, std::string_view zone_name) const;
  // A stable fingerprint of the policy text (FNV-1a, hex).
  [[nodiscard]] const std::string& fingerprint() const noexcept;
  // The source text the policy was compiled from.
  [[nodiscard]] const std::string& source() const noexcept;
  // The policy as written, with the file, line and column of each calendar,
  // target, goal, escalation and condition.
  [[nodiscard]] const policy_spec& spec() const noexcept;
  // What compiling found doubtful without refusing the policy, in document
  // order, each with its position like an error's diagnostics: with declared
  // attributes (`attributes:`), a text literal compared with a declared text
  // attribute that is not one of its `values`
  //   policy.yaml:9:29: targets[0].goals[0].when: "P4" is not a declared value of 'priority' (declared: P1, P2, P3)
  [[nodiscard]] const std::vector<diagnostic>& warnings() const noexcept;

  // The compiled form, opaque outside the library.
  struct impl;

 private:
  friend struct detail::policy_access;
  explicit policy(std::shared_ptr<const impl> p) : impl_(std::move(p)) {}
  std::shared_ptr<const impl> impl_;
};

// Parses and compiles a policy document (YAML or JSON).
[[nodiscard]] DULY_EXPORT result<policy> parse_policy(std::string_view text, std::string_view source_name = {});
// Reads a policy file; messages name the file.
[[nodiscard]] DULY_EXPORT result<policy> load_policy(const std::filesystem::path& path);

}  // namespace duly
