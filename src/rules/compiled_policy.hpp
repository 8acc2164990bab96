// The compiled policy's insides (not installed): what compiling resolved, kept
// apart from the public views of duly/policy.hpp. The policy reader fills it
// and the engine reads it through detail::compiled(policy); nothing outside
// the library can reach it.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <duly/policy.hpp>

namespace duly {

// Per goal: what its names resolved to.
struct compiled_goal {
  int calendar_index = -1;  // into calendars, -1 = 24x7 UTC
  int timezone_slot = -1;   // attribute slot of timezone_from, -1 = none
  int calendar_from_slot = -1;  // attribute slots of calendar_from, within_from, due_from; -1 = none
  int within_from_slot = -1;
  int due_from_slot = -1;
};

// Per target (parallel to policy::impl::targets).
struct compiled_target {
  int start_at_slot = -1;   // attribute slot of start_at, -1 = none
  std::vector<compiled_goal> goals;  // parallel to target::goals
};

// Per escalation (parallel to policy::impl::escalations).
struct compiled_escalation {
  int target_index = -1;    // into targets
  int deliver_calendar = -1;  // into calendars: deliver_in; -1 = handed over at fired_at
};

struct policy::impl {
  std::string source;
  std::string fingerprint;
  policy_spec spec;
  slot_table slots;
  std::vector<std::string> calendar_names;
  std::vector<calendar> calendars;
  std::vector<target> targets;
  std::vector<compiled_target> compiled_targets;
  std::vector<escalation> escalations;
  std::vector<compiled_escalation> compiled_escalations;
  calendar default_calendar;  // 24x7 UTC, for goals without a calendar
  std::vector<diagnostic> warnings;  // policy::warnings()

  // The calendar of goal `goal` of target `target` in the zone named by a
  // record attribute (empty or unknown: the calendar's own). Cached.
  [[nodiscard]] calendar calendar_for(std::size_t target, std::size_t goal, std::string_view zone_name) const;
  // The same by resolved indices.
  [[nodiscard]] calendar calendar_for(const compiled_goal& g, std::string_view zone_name) const;
  // Calendar `index` (-1: 24x7 UTC) read in the zone `zone_name` (empty or
  // unknown: its own). Cached.
  [[nodiscard]] calendar calendar_in_zone(int index, std::string_view zone_name) const;
  // When a firing of escalation `escalation` made at `fired_at` is handed over:
  // the first open instant at or after it of the escalation's deliver_in
  // calendar; `fired_at` itself without deliver_in, and when that calendar has
  // no open time within ten years of it (or before the end of 2199), so that a
  // calendar that is never open holds no firing for ever.
  [[nodiscard]] instant deliver_at(std::size_t escalation, instant fired_at) const;
  // The index of the calendar named `name`, -1 when the policy has none of that name.
  [[nodiscard]] int calendar_index(std::string_view name) const noexcept;

  mutable std::mutex zoned_mutex;
  mutable std::map<std::pair<int, std::string>, calendar> zoned;
};

namespace detail {

struct policy_access {
  static const policy::impl& of(const policy& p) noexcept { return *p.impl_; }
  static policy make(std::shared_ptr<const policy::impl> impl) { return policy(std::move(impl)); }
};

// The compiled form of `p`, for the engine.
inline const policy::impl& compiled(const policy& p) noexcept { return policy_access::of(p); }

}  // namespace detail
}  // namespace duly
