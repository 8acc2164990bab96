// A cycle of one target on one record, and its measurement (not installed).
//
// The state machine (record.hpp) moves cycles through start, pause, resume and
// end; `measure` reads a cycle's clock at an instant: its goal in seconds, the
// open time of the goal's calendar over its running spans, its wall-clock
// paused time and its due. Measuring is the engine's hot path, so a cycle keeps
// caches of what does not change between measurements (measure_cache).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/container/small_vector.hpp>

#include <duly/calendar.hpp>
#include <duly/evaluate.hpp>
#include <duly/policy.hpp>

namespace duly::detail {

// A cycle's closed pauses and its points' flags: most cycles have a few of
// each, kept inside the cycle rather than allocated (a record's cycles are made
// and dropped at the engine's pace).
using pause_spans = boost::container::small_vector<std::pair<instant, instant>, 4>;
using point_flags = boost::container::small_vector<std::uint8_t, 16>;

// What measuring a cycle again need not redo: the goal of a business-day goal
// in seconds (once per goal and calendar), and the running totals up to the end
// of its last closed pause, for one goal and calendar.
struct measure_cache {
  bool goal_valid = false;
  int goal_index = -1;
  std::optional<seconds> goal_seconds;

  bool spans_valid = false;
  int spans_goal = -1;
  std::int64_t spans_goal_seconds = 0;
  std::string spans_zone;
  std::size_t pauses = 0;  // closed pauses summed
  std::int64_t elapsed = 0;
  std::int64_t paused = 0;
  std::optional<instant> due;
  std::int64_t need = 0;
  instant cursor;
};

// What the escalation scanner's last scan of a cycle over a window (not
// inclusive) found: the earliest instant an unfired point fires (none: no point
// can fire), and the cycle's clock state it was found for. While that state
// holds (no pause began or ended, the goal was not chosen differently,
// at_risk_when did not start holding), the points fire where they did, so a
// window that ends by `next` fires nothing. One change carries over: a pause
// that began before `next` stops the clock short of every unfired point, so
// nothing fires while it lasts (escalation_scanner::scan).
struct scan_memo {
  bool valid = false;
  std::size_t pauses = 0;
  std::optional<instant> paused_since;
  std::uint64_t goal_changes = 0;
  bool at_risk = false;
  std::optional<instant> next;
};

// Which of a goal's attributes decided it for a cycle (cycle_state::decided).
enum goal_source : std::uint8_t {
  from_calendar = 1,  // calendar_from named the calendar
  from_within = 2,    // within_from gave the length
  from_due = 4,       // due_from gave the due instant
};

// One cycle of one target.
struct cycle_state {
  std::int64_t number = 0;
  instant start;
  // How many earlier cycles of this target started at the same instant (a
  // reset starts the next cycle where the last one ended): with `start`, what
  // names the cycle in a firing's key.
  std::int64_t start_rank = 0;
  std::optional<instant> end;
  timer_state end_state = timer_state::running;
  pause_spans pauses;                                // closed wall-clock pause spans, in order
  std::optional<instant> paused_since;               // an open pause
  int goal = -1;                                     // goal in force; -1 = none
  std::string zone;                                  // timezone_from value the calendar was chosen for
  int calendar_index = -1;                           // the goal's calendar (calendar_from or calendar); -1 = 24x7 UTC
  duration_spec within;                              // the goal's length (within_from or within)
  std::optional<instant> due_at;                     // a dated promise (due_from): the due instant
  std::uint8_t decided = 0;                          // goal_source bits: which attributes decided
  calendar cal;                                      // the goal's calendar (re-zoned)
  bool has_calendar = false;
  bool goal_chosen = false;  // the goal was chosen at least once
  std::uint64_t goal_changes = 0;  // how many times choose_goal changed the goal, its calendar or length
  // When the target's at_risk_when first held in this cycle.
  std::optional<instant> at_risk_since;
  // One flag per escalation point of the target: fired or skipped this cycle.
  point_flags point_done;
  mutable measure_cache cache;
  mutable scan_memo scanned;
};

struct target_state {
  std::vector<cycle_state> cycles;
  bool active = false;
};

// A cycle measured up to an instant.
struct measurement {
  std::optional<seconds> goal;
  std::optional<seconds> elapsed;
  std::optional<seconds> paused;
  std::optional<instant> due;
};

// The cycle's clock at `until` (its start if earlier): the goal in force in
// seconds, elapsed open time, paused wall-clock time and the due, the clock
// assumed to run on after `until` unless it is paused then. Without a goal (or
// with a business-day goal its calendar cannot place) only `paused` is set.
// Cost: the pauses closed since the last measurement, plus a calendar walk.
// Without `with_due` the due is not worked out (m.due stays unset): for callers
// that read only the goal and elapsed time.
[[nodiscard]] measurement measure(const target& tg, const cycle_state& c, instant until, bool with_due = true);

// The cycle's wall-clock pause spans clipped to [from, to), in seconds.
[[nodiscard]] std::int64_t paused_within(const cycle_state& c, instant from, instant to);

}  // namespace duly::detail
