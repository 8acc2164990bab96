// The record state machine (not installed): one record's events through a
// compiled policy, shared by every entry point (evaluate.cpp's batch calls and
// incremental evaluator, and explain).
//
// A record's state is its attributes (views into the events' values, by slot)
// and, per target, its cycles. Applying an event updates the attributes, moves
// each target's cycle through start / cancel / stop / reset / pause (the rules
// below, in this order), chooses every affected cycle's goal again, and lets
// the escalation scanner fire what the time since the last event reached.
// `report` measures every cycle at as_of into timer rows (report.cpp).
//
// Thread-safety: one record_engine per thread; the policy is shared read-only.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <duly/evaluate.hpp>

#include "engine/cycle.hpp"
#include "engine/escalations.hpp"
#include "engine/transitions.hpp"
#include "rules/compiled_policy.hpp"

namespace duly::detail {

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

// A carried attribute set at an instant.
struct carry_change {
  instant at;
  int index = -1;
  value v;
};

class record_engine {
 public:
  explicit record_engine(const policy& p);

  // Forgets everything (for the next record); keeps the carried names and the observer.
  void reset();
  // Applies one event; events must come in (at, sequence) order.
  void apply(const event& e);
  // The same for an event whose updates' slots are resolved (an observer sees
  // its transitions but not the event itself: its update names are not at hand).
  void apply(const event_view& e);
  // Appends a timer row per cycle (or a pending row) of every target at as_of,
  // the escalation firings up to as_of, the cycles' pauses and, with
  // `segments`, their segments to `out`. Returns the earliest next_wakeup.
  // Tells the observer, if any, of every breach and firing.
  std::optional<instant> report(std::string_view id, instant as_of, evaluation& out, bool segments = false) const;

  // Carries the attributes `names` (evaluate_options::carry): apply(const event&)
  // finds them among the updates by name; apply(const event_view&) takes them
  // resolved. Empty (the default): nothing carried, nothing logged.
  void set_carry(std::span<const std::string> names);
  // Tells `o` (null: nobody) of every event and transition. Without an observer
  // no transition records are made.
  void set_observer(transition::observer* o) noexcept { observer_ = o; }
  [[nodiscard]] std::uint64_t applied() const noexcept { return applied_; }

 private:
  void apply_view(const event_view& e, const event* source);
  void choose_goal(std::size_t i, cycle_state& c);
  void begin_cycle(std::size_t i, instant start, bool paused);
  void end_cycle(std::size_t i, instant t, timer_state how);
  [[nodiscard]] instant start_instant(std::size_t target, const target_state& ts, instant t) const;
  // Fires the escalation points of every active cycle in [from, until).
  void advance(instant from, instant until);
  void tell(instant at, std::size_t i, const cycle_state& c, transition::data what) const;
  void tell_due(instant at, std::size_t i, const cycle_state& c) const;
  // The carried values after the changes before `at` (and at it, when `inclusive`).
  void carried_at(instant at, bool inclusive, std::vector<owned_value>& out) const;
  void add_segments(std::string_view id, const target& tg, const cycle_state& c, instant until,
                    std::vector<segment_row>& out) const;

  // What a target's goal choice reads (choose_goal): the attribute slots of its
  // goals' `when`s and *_from keys, and whether a `when` reads more than
  // attributes (is_open(), the event, changed()). Without that, a cycle whose
  // goal was chosen keeps its choice while none of those slots changes.
  struct goal_inputs {
    std::vector<int> slots;
    bool always = false;
  };
  // Whether target i's goal may choose differently after the current event's updates.
  [[nodiscard]] bool goal_inputs_changed(std::size_t i) const noexcept;

  const policy::impl* impl_;
  escalation_scanner scanner_;
  std::vector<goal_inputs> goal_inputs_;  // per target
  std::vector<value> attributes_;
  std::vector<std::uint8_t> changed_;
  std::vector<slot_update> scratch_;  // apply(const event&)'s resolved updates
  // The update names apply(const event&) has resolved, with their slots: a
  // record's events repeat a few names, and finding one again is cheaper than
  // hashing it. `name_index_` is a direct-mapped table (by a name's length and
  // ends) of 1 + the index of the name last resolved there in `names_`; small,
  // since the incremental evaluator keeps an engine per record.
  static constexpr std::size_t name_index_size = 64;
  static constexpr std::size_t names_max = 64;
  std::array<std::uint8_t, name_index_size> name_index_{};
  std::vector<std::pair<std::string, int>> names_;
  [[nodiscard]] int slot_of(std::string_view name);
  std::vector<std::string> carry_names_;
  std::vector<carry_update> carry_scratch_;
  std::vector<carry_change> carry_log_;  // this record's carried-attribute updates, in order
  std::vector<target_state> targets_;
  std::vector<escalation_row> firings_;  // fired before the last event's instant
  transition::observer* observer_ = nullptr;
  std::optional<instant> last_at_;
  instant event_at_{};  // the instant of the event being applied
  std::uint64_t applied_ = 0;
};

}  // namespace duly::detail
