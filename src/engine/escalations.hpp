// Escalation scanning (not installed): where a cycle's escalation points lie on
// its elapsed clock, which of them fire in a window of time, the early warning
// (at_risk_when) and escalations raised by an event.
//
// A point at position E fires at the first instant at which elapsed >= E under
// the goal in force, only while the cycle is active, only if its `when` holds
// then (else it is skipped for the cycle), at most once per cycle.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <duly/evaluate.hpp>

#include "engine/cycle.hpp"
#include "engine/transitions.hpp"
#include "rules/compiled_policy.hpp"

namespace duly::detail {

// An escalation point of a target: the escalation and which repeat (0 = first).
struct point_ref {
  int escalation = -1;
  std::int64_t repeat = 0;
};

// The points of every target of one policy. Immutable after construction; the
// record's state comes in as arguments.
class escalation_scanner {
 public:
  explicit escalation_scanner(const policy::impl& p);

  // The number of points of target i (cycle_state::point_done has one flag each).
  [[nodiscard]] std::size_t points(std::size_t target) const noexcept { return points_[target].size(); }

  // Fires (or skips) the points of target i's active cycle `c` whose firing
  // instant lies in [from, until) (or [from, until] when `inclusive`), marking
  // them in `done` and appending firings to `out`; `when` is judged on
  // `attributes`. Returns the earliest firing instant beyond the window, if any.
  std::optional<instant> scan(std::size_t i, const cycle_state& c, std::span<const value> attributes, instant from,
                              instant until, bool inclusive, point_flags& done,
                              std::vector<escalation_row>& out, transition::observer* observer) const;

  // After an event at `at` (its context `event_ctx`): target i's early warning,
  // and the escalations the event raises by hand (each one's next unfired point).
  void after_event(std::size_t i, cycle_state& c, const condition_context& event_ctx, instant at,
                   std::vector<escalation_row>& out, transition::observer* observer) const;

  // Sorts out[first..] in firing order: by instant; at one instant by target
  // (policy order), escalation (policy order), then point.
  void sort(std::vector<escalation_row>& out, std::size_t first) const;

 private:
  [[nodiscard]] std::int64_t position(const point_ref& p, std::int64_t goal) const;
  [[nodiscard]] escalation_row firing(const target& tg, const cycle_state& c, const point_ref& p, instant at) const;

  const policy::impl* impl_;
  std::vector<std::vector<point_ref>> points_;  // per target
  std::vector<std::uint8_t> raised_;            // per target: an escalation of it has raise_when
};

}  // namespace duly::detail
