// Typed transitions of a record's cycles, and the observer that receives them
// (not installed).
//
// The state machine (record.hpp), the escalation scanner and the record's
// report tell an observer what happens, as data: which target and cycle, at
// which instant, and what (a start, a pause, a goal chosen, a due moved, a
// point fired...). `duly explain` is such an observer: explain.cpp renders the
// English text from these records and the policy. Without an observer the
// engine makes no transition records at all.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include <duly/evaluate.hpp>
#include <duly/event.hpp>

namespace duly::detail::transition {

// A cycle started (at `start`: the event's instant, or earlier by `start_at`);
// `after_reset`: it follows a cycle that ended reset at the same instant.
struct start {
  instant start;
  bool after_reset = false;
};
// The clock paused: pause_when began to hold (or held when the cycle started).
struct pause {};
// The clock ran again after `paused_for` of wall-clock time.
struct resume {
  seconds paused_for{0};
};
// The goal in force was chosen (first time) or changed: an index into the
// target's goals (-1: none holds), and the `timezone_from` zone it was chosen
// for (empty: the calendar's own).
struct goal {
  int index = -1;
  std::string_view zone;
  int calendar = -1;                // the calendar in force (-1: 24x7 UTC)
  duration_spec within;             // the length in force (unless due_at)
  std::optional<instant> due_at;    // a dated promise
  std::uint8_t decided = 0;         // goal_source bits (cycle.hpp): which attributes decided
};
// The cycle's due after an event (sent after every event that touches an
// active cycle; an observer keeps the changes). `has_goal` false: no goal holds.
struct due {
  std::optional<instant> at;
  std::optional<seconds> elapsed;
  std::optional<seconds> goal;
  bool has_goal = false;
};
// The cycle stopped and was judged (met or breached) against `due`.
struct stop {
  timer_state judged = timer_state::met;
  std::optional<instant> due;
};
struct cancel {};
struct reset {};
// The due passed while the cycle was active (sent when the record is reported).
// `state` is the cycle's state at as_of; `ended` when it ended later.
struct breach {
  instant due;
  std::optional<seconds> goal;
  timer_state state = timer_state::breached;
  std::optional<instant> ended;
};
// at_risk_when held for the first time in the cycle.
struct at_risk {};
// An escalation point fired (sent when the record is reported, in firing
// order): an index into the policy's escalations, the repeat (0 = first) and
// when it is handed over (escalation_row::deliver_at).
struct escalation {
  int index = -1;
  std::int64_t point = 0;
  instant deliver_at{};
};
// An escalation point was skipped: its `when` did not hold when it came due.
struct skipped {
  int index = -1;
  std::int64_t point = 0;
};

using data = std::variant<start, pause, resume, goal, due, stop, cancel, reset, breach, at_risk, escalation, skipped>;

// One transition of one cycle of one target.
struct record {
  instant at;
  int target = -1;  // index into the policy's targets
  std::int64_t cycle = 0;
  data what;
};

// Receives a record's events as they are applied and the transitions they cause,
// in the order the engine makes them.
class observer {
 public:
  virtual ~observer() = default;
  // An event about to be applied (only events given whole, with their names).
  virtual void applied(const event& e) = 0;
  virtual void changed(const record& r) = 0;
};

}  // namespace duly::detail::transition
