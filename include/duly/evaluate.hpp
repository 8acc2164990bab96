// duly/evaluate.hpp: the timer engine (see docs/timers.md).
//
// Evaluation is a pure function of (policy, events, as_of): it never reads the
// system clock. For every record and target it reports every cycle: when it
// started and ended, its goal, due instant, elapsed business time, wall-clock
// paused time, and state at `as_of`. Events after `as_of` are ignored, so any past
// moment can be replayed exactly.
//
//   auto p = duly::load_policy("helpdesk.yaml").value();
//   auto batch = duly::read_events_jsonl(file);
//   duly::evaluation r = duly::evaluate(p, batch.events, as_of);
//
// `evaluator` is the incremental form: feed events one at a time (in any order)
// and ask for the results at any `as_of`; they equal the batch call's.
//
// Thread-safety: `evaluate` may run on many threads at once over one shared
// policy. An `evaluator` is not synchronised: use one per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <duly/event.hpp>
#include <duly/export.hpp>
#include <duly/policy.hpp>
#include <duly/time.hpp>

namespace duly {

enum class timer_state : std::uint8_t { pending, running, paused, breached, met, cancelled, reset };

// "pending", "running", ...
[[nodiscard]] DULY_EXPORT std::string_view to_string(timer_state s) noexcept;

// One cycle of one target on one record (or the `pending` line of a target that
// never started, with cycle 0). Optional fields that do not apply are empty.
struct timer_row {
  std::string id;
  std::string target;
  int target_index = -1;
  std::int64_t cycle = 0;
  timer_state state = timer_state::pending;
  bool ended = false;                   // met, breached-and-stopped, cancelled, reset
  int goal_index = -1;                  // the goal in force (at the end, or now); -1 = none
  std::optional<seconds> goal_seconds;
  std::optional<instant> started;
  std::optional<instant> stopped;
  std::optional<instant> due;
  // The due, whenever the cycle was active past it: also for a cycle that then
  // ended cancelled or reset (its state stays so), so that no later event hides
  // a breach.
  std::optional<instant> breached_at;
  std::optional<seconds> elapsed_seconds;
  std::optional<seconds> remaining_seconds;
  std::optional<seconds> paused_seconds;
  std::optional<instant> next_wakeup;
  // (Members added after the first release come last, so that aggregate
  // initialisation written for it still compiles; the output keys "goal" and
  // "zone" follow goal_seconds.)
  // The goal's `within` as the policy wrote it ("2bd", "8h"); empty without a goal.
  std::string goal_text;
  // The IANA zone the goal in force was measured in: its calendar's zone, or the
  // zone its `timezone_from` attribute chose ("UTC" for a goal without a
  // calendar); empty without a goal.
  std::optional<std::string> zone;
  // With evaluate_options::carry: one value per carried attribute name (null when
  // unset), taken at the cycle's deciding instant: just before `breached_at` when
  // there is one (the events at that instant not applied), else just before
  // `stopped` for an ended cycle, else after every event up to as_of. A cycle
  // whose deciding instant is its start (it ends, or runs out, where it began)
  // takes the values after that instant's events.
  std::vector<owned_value> carried;
};

// One pause of a cycle: wall-clock [paused_from, paused_until), clipped to the
// cycle's [started, stopped or as_of]; `paused_until` is empty while the cycle
// is still paused at as_of. Per cycle the lengths add up to paused_seconds.
struct pause_row {
  std::string id;
  std::string target;
  int target_index = -1;
  std::int64_t cycle = 0;
  instant paused_from;
  std::optional<instant> paused_until;
};

// A piece of a cycle's wall-clock span [started, stopped or as_of), cut at every
// pause and resume and at every change of a carried attribute (only with
// evaluate_options::segments). `business_seconds` is the open time of a running
// piece on the calendar the cycle was finally measured on (wall-clock seconds
// for a cycle without a goal; 0 for a paused piece); per cycle the running
// pieces add up to elapsed_seconds (with a goal) and the paused pieces' lengths
// to paused_seconds. `carried`: the carried attributes' values during the piece.
struct segment_row {
  std::string id;
  std::string target;
  std::int64_t cycle = 0;
  instant from;
  instant until;
  bool paused = false;
  std::int64_t business_seconds = 0;
  std::vector<owned_value> carried;
};

// What evaluate() reports beyond the timers, firings and pauses. Both cost
// nothing when left empty/false.
struct evaluate_options {
  // Attribute names whose values each timer row (and segment) carries.
  std::vector<std::string> carry;
  // Fill evaluation::segments.
  bool segments = false;
  // Threads to evaluate on: 1 (the default) evaluates on the calling thread; 0
  // uses one per core (std::thread::hardware_concurrency()); n > 1 at most n.
  // Records are independent, so each thread evaluates a contiguous run of
  // them (in id order, about as many events each) and the runs are joined in
  // order: the evaluation is the same, row for row, whatever the count. A
  // batch gets no more than one thread per 20,000 events (fewer do not repay
  // starting one). Only the batch calls read it (not `evaluator`).
  unsigned threads = 1;
};

// One firing of an escalation point (see docs/escalations.md).
struct escalation_row {
  std::string id;
  std::string target;
  std::string escalation;
  std::int64_t cycle = 0;
  std::int64_t point = 0;                // 0 for the first, k for the k-th repeat
  int escalation_index = -1;             // index into policy::escalations()
  instant fired_at;
  std::string actions_json;
  // (Members added after the first release come last.)
  // The start of the firing's cycle, and how many earlier cycles of the same
  // record and target started at that same instant (0 for the first): what
  // names the cycle in the key, since the ordinal `cycle` changes when a late
  // event adds or removes an earlier cycle.
  instant cycle_started{};
  std::int64_t cycle_rank = 0;
  // When the firing is handed over: fired_at, or, when the escalation says
  // `deliver_in: CAL`, the first open instant of CAL at or after fired_at
  // (fired_at itself when CAL is open then, or when CAL has no open time within
  // ten years of it). The engine sets it on every firing; a row built by hand
  // may leave it empty, which means fired_at: read it with delivery(). A
  // store's run reports a firing only once its deliver_at has come (see
  // duly/store.hpp).
  std::optional<instant> deliver_at;
  [[nodiscard]] instant delivery() const noexcept { return deliver_at.value_or(fired_at); }

  // The firing's stable key, "id/target/escalation/START/point", START being
  // the cycle's start in compact UTC ("20261125T160000Z"), followed by "_2",
  // "_3", ... for the second, third, ... cycle that started at that same
  // instant: HD-1/resolution/team_lead/20261125T160000Z/0. The same firing
  // has the same key in every evaluation, at every as_of, whatever events
  // arrive late before its cycle, so a host can deduplicate on it. Target and
  // escalation names never contain '/' (the policy refuses it) and neither
  // does START or point: a key splits from the right, and the id (which may
  // contain '/') is what is left.
  [[nodiscard]] DULY_EXPORT std::string key() const;
};

struct evaluation {
  std::vector<timer_row> timers;             // by record id (first appearance), target, cycle
  std::vector<escalation_row> escalations;
  std::vector<rejected_row> rejected;        // passed through from the readers
  std::uint64_t events_applied = 0;          // events at or before as_of
  std::uint64_t events_ignored = 0;          // events after as_of
  // The earliest next_wakeup of any cycle: when a host should evaluate next.
  std::optional<instant> next_wakeup;
  std::vector<pause_row> pauses;             // by id, target, cycle, paused_from
  std::vector<segment_row> segments;         // with evaluate_options::segments; by id, target, cycle, from
};

// One line of a record's timeline (duly explain): an event applied, or what it
// caused on a target's cycle.
struct explain_entry {
  enum class kind : std::uint8_t {
    event,       // an event applied: `detail` lists its attribute updates as given
    start,       // a cycle started (`detail`: the condition that matched)
    stop,        // a cycle stopped and was judged (met or breached)
    cancel,      // a cycle ended cancelled
    reset,       // a cycle ended reset (the next one starts at the same instant)
    pause,       // the clock paused (pause_when began to hold)
    resume,      // the clock resumed
    goal,        // the goal in force changed (or was chosen at the start)
    due,         // the due instant moved
    breach,      // the due passed while the cycle was active
    at_risk,     // at_risk_when held for the first time
    escalation,  // an escalation point fired
    skipped,     // an escalation point was skipped: its `when` did not hold
  };
  instant at;
  kind type = kind::event;
  std::string target;        // empty for events
  std::int64_t cycle = 0;
  std::string event;         // event entries: the event's name
  std::uint64_t line = 0;    // event entries: the source line, when known
  std::string detail;        // human-readable: the rule, the values
};

[[nodiscard]] DULY_EXPORT std::string_view to_string(explain_entry::kind k) noexcept;

// A record's timeline up to as_of, with its timers and firings at as_of.
struct explanation {
  std::string id;
  std::vector<explain_entry> entries;  // in time order; at one instant: events, then what they caused
  std::vector<timer_row> timers;
  std::vector<escalation_row> escalations;
};

// Explains one record: every event (at or before as_of), which rule matched,
// each state change, pause spans, goal changes, due moves and escalations.
// A record with no events at or before as_of gives an empty explanation.
[[nodiscard]] DULY_EXPORT explanation explain(const policy& p, std::span<const event> events, std::string_view id,
                                             instant as_of);

// What to add to "no events for record 'T-3'" (the error of explaining a record
// with no events at or before the instant asked for) when rows of that record
// (by rejected_row::id) were rejected: " (its 1 row was rejected: SOURCE:4:
// REASON)", or with `has_events` (the record has events, none early enough)
// " (1 of its rows was rejected: ...)"; at most three rows are quoted, then
// "; and N more". Empty when none of `rejected` is the record's. `source`
// names the input ("events.jsonl", "<stdin>", "events"). Used by `duly
// explain` and the Python duly.explain, so that both say it alike.
[[nodiscard]] DULY_EXPORT std::string rejected_rows_note(std::string_view id, std::span<const rejected_row> rejected,
                                                         std::string_view source, bool has_events = false);

// Evaluates every record in `events` at `as_of`.
[[nodiscard]] DULY_EXPORT evaluation evaluate(const policy& p, std::span<const event> events, instant as_of);
// The same, with carried attributes and segments (see evaluate_options).
[[nodiscard]] DULY_EXPORT evaluation evaluate(const policy& p, std::span<const event> events, instant as_of,
                                              const evaluate_options& options);

// Events held as columns, for hosts that keep them that way (the Python
// package's DataFrame path): strings are given once in tables of distinct
// values and rows refer to them by index, so nothing is copied or allocated per
// event. Row i is the event with sequence i (ties at one instant keep row
// order): record id_values[id[i]], instant at[i], name name_values[name[i]], and
// for each attribute column whose codes[i] >= 0 the update name =
// values[codes[i]] (a null value clears the attribute; codes[i] < 0 leaves it
// alone). Rows whose `skip` byte is nonzero are left out (e.g. rejected by the
// host). Every span must hold one element per row (`skip` may be empty), every
// index must be in range, and all views must outlive the call. Equal ids under
// different indices are the same record.
struct event_columns {
  std::span<const std::string_view> id_values;
  std::span<const std::int64_t> id;
  std::span<const instant> at;
  std::span<const std::string_view> name_values;
  std::span<const std::int64_t> name;
  std::span<const std::uint8_t> skip;
  struct attribute {
    std::string_view name;
    std::span<const value> values;
    std::span<const std::int64_t> codes;
  };
  std::span<const attribute> attributes;
  // Nanoseconds past at[i] (the fraction of a second the input gave): rows of
  // one record apply in (at, fraction) order, ties in row order. Empty: all 0.
  // (Added after the first release: last, so aggregate initialisation written
  // for it still compiles.)
  std::span<const std::uint32_t> fraction;
};

// Evaluates events given as columns at `as_of`; the same result as evaluate()
// on the events they describe. Cost: O(rows) to group them by record plus the
// engine's work; no allocation per event.
[[nodiscard]] DULY_EXPORT evaluation evaluate(const policy& p, const event_columns& events, instant as_of);
[[nodiscard]] DULY_EXPORT evaluation evaluate(const policy& p, const event_columns& events, instant as_of,
                                              const evaluate_options& options);

class DULY_EXPORT evaluator {
 public:
  explicit evaluator(policy p);
  ~evaluator();
  evaluator(evaluator&&) noexcept;
  evaluator& operator=(evaluator&&) noexcept;

  // Adds one event. Cost: O(conditions) when events of a record come in time
  // order; an event earlier than its record's latest replays that record once.
  // results() replays a record only when some of its events lie after as_of.
  void add(event e);
  // The evaluation at `as_of` of every event added so far.
  [[nodiscard]] evaluation results(instant as_of) const;

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace duly
