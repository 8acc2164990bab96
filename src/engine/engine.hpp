// The per-record timer engine, shared by the batch call, the incremental
// evaluator and (later) explanations and the store (not installed).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <duly/evaluate.hpp>

namespace duly::detail {

// Running totals of a cycle up to the end of its last closed pause, for one
// goal and calendar (see record_engine::measure).
struct span_cache {
  bool valid = false;
  int goal = -1;
  std::int64_t goal_seconds = 0;
  std::string zone;
  std::size_t pauses = 0;  // closed pauses summed
  std::int64_t elapsed = 0;
  std::int64_t paused = 0;
  std::optional<instant> due;
  std::int64_t need = 0;
  instant cursor;
};

// One cycle of one target.
struct cycle_state {
  std::int64_t number = 0;
  instant start;
  std::optional<instant> end;
  timer_state end_state = timer_state::running;
  std::vector<std::pair<instant, instant>> pauses;  // closed wall-clock pause spans, in order
  std::optional<instant> paused_since;               // an open pause
  int goal = -1;                                     // goal in force; -1 = none
  std::string zone;                                  // timezone_from value the calendar was chosen for
  calendar cal;                                      // the goal's calendar (re-zoned)
  bool has_calendar = false;
  // Business-day goals in seconds, computed once per (goal, calendar).
  mutable bool goal_cache_valid = false;
  mutable int cached_goal_index = -1;
  mutable std::optional<seconds> cached_goal;
  mutable span_cache spans;
  // The due last written to a trace (explain only).
  std::optional<instant> traced_due;
  bool due_traced = false;
  bool goal_chosen = false;  // choose_goal ran at least once
  // When the target's at_risk_when first held in this cycle.
  std::optional<instant> at_risk_since;
  // One flag per escalation point of the target: fired or skipped this cycle.
  std::vector<std::uint8_t> point_done;
};

// An escalation point of a target: the escalation and which repeat (0 = first).
struct point_ref {
  int escalation = -1;
  std::int64_t repeat = 0;
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

// One attribute update with its slot resolved (slot < 0: the policy never reads it).
struct slot_update {
  int slot = -1;
  value v;
};

// An update of a carried attribute (evaluate_options::carry): its index there.
struct carry_update {
  int index = -1;
  value v;
};

// An event as the engine applies it: views into storage that outlives the
// record's evaluation (the record's attributes point into it).
struct event_view {
  instant at;
  std::string_view name;
  std::uint64_t sequence = 0;
  std::span<const slot_update> updates;
  std::span<const carry_update> carried;  // empty unless attributes are carried
};

// A carried attribute's value changed (set) at an instant.
struct carry_change {
  instant at;
  int index = -1;
  value v;
};

class record_engine {
 public:
  explicit record_engine(const policy& p);

  // Forgets everything (for the next record).
  void reset();
  // Applies one event; events must come in (at, sequence) order.
  void apply(const event& e);
  // The same for an event whose updates' slots are resolved (no tracing: the
  // update names are not at hand).
  void apply(const event_view& e);
  // Appends a timer row per cycle (or a pending row) of every target at as_of,
  // and the escalation firings up to as_of. Returns the earliest next_wakeup.
  // Also appends the cycles' pauses and, with `segments`, their segments to `out`.
  std::optional<instant> report(std::string_view id, instant as_of, evaluation& out, bool segments = false) const;
  // Carries the attributes `names` (evaluate_options::carry): apply(const event&)
  // finds them among the updates by name; apply(const event_view&) takes them
  // resolved. Empty: nothing carried, nothing logged.
  void set_carry(std::span<const std::string> names);

  [[nodiscard]] measurement measure(const target& tg, const cycle_state& c, instant until) const;
  [[nodiscard]] const std::vector<target_state>& targets() const noexcept { return targets_; }
  // Writes a timeline of everything apply() does into `trace` (null: off).
  void set_trace(std::vector<explain_entry>* trace) noexcept { trace_ = trace; }
  [[nodiscard]] std::uint64_t applied() const noexcept { return applied_; }

 private:
  void choose_goal(const target& tg, cycle_state& c) const;
  void begin_cycle(target_state& ts, instant start, bool paused);
  void end_cycle(const target& tg, target_state& ts, instant t, timer_state how);
  [[nodiscard]] instant start_instant(const target& tg, const target_state& ts, instant t) const;
  // The elapsed-clock position of a point under a goal of `goal` seconds.
  [[nodiscard]] std::int64_t point_position(const point_ref& p, std::int64_t goal) const;
  // Fires (or skips) the points of target i's active cycle whose firing instant
  // lies in [from, until) (or [from, until] when `inclusive`), marking them in
  // `done` and appending firings to `out`. Returns the earliest firing instant
  // beyond the window, if any.
  std::optional<instant> scan(std::size_t i, const cycle_state& c, instant from, instant until, bool inclusive,
                              std::vector<std::uint8_t>& done, std::vector<escalation_row>& out) const;
  // Runs scan() for every target over [from, until) and keeps the firings.
  void advance(instant from, instant until);
  // After an event: early warning and escalations raised by it.
  void after_event(instant at, const condition_context& ctx);
  // apply() with, for traces, the event it came from (null: not traced).
  void apply_view(const event_view& e, const event* source);
  [[nodiscard]] escalation_row firing(const target& tg, const cycle_state& c, const point_ref& p, instant at) const;
  // The carried values after the changes before `at` (and at it, when `inclusive`).
  void carried_at(instant at, bool inclusive, std::vector<owned_value>& out) const;
  void add_segments(std::string_view id, const target& tg, const cycle_state& c, instant until,
                    std::vector<segment_row>& out) const;

  const policy* policy_;
  const policy::impl* impl_;
  std::vector<value> attributes_;
  std::vector<std::uint8_t> changed_;
  std::vector<slot_update> scratch_;  // apply(const event&)'s resolved updates
  std::vector<std::string> carry_names_;
  std::vector<carry_update> carry_scratch_;
  std::vector<carry_change> carry_log_;  // this record's carried-attribute updates, in order
  std::vector<target_state> targets_;
  std::vector<std::vector<point_ref>> points_;  // per target
  std::vector<escalation_row> firings_;         // fired before the last event's instant
  std::vector<explain_entry>* trace_ = nullptr;
  [[nodiscard]] bool earlier_firing(const escalation_row& a, const escalation_row& b) const;
  void note(instant at, explain_entry::kind k, const target& tg, const cycle_state& c, std::string detail) const;
  void note_due(instant at, const target& tg, cycle_state& c) const;
  std::optional<instant> last_at_;
  instant last_event_at_{};  // the instant of the event being applied (for traces)
  std::uint64_t last_sequence_ = 0;
  std::uint64_t applied_ = 0;
};

}  // namespace duly::detail
