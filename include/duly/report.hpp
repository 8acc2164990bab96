// duly/report.hpp: attainment reports and the HTML page a person opens.
//
// A report reads what the engine reports for (policy, events, as_of): the timer
// rows (with the `by` attribute carried to each cycle's deciding instant), the
// pauses, the firings, the segments and each breached record's explain
// transitions. It never replays events itself. The same report is written as a
// table, CSV or JSON Lines (the attainment rows) or as one self-contained HTML
// page (styles and SVG inline, no script, no request leaving it).
//
//   auto p = duly::load_policy("helpdesk.yaml").value();
//   auto batch = duly::read_events_jsonl(text);
//   duly::report r = duly::make_report(p, batch.events, as_of, {.by = "assignee"}).value();
//   duly::write_report(std::cout, r, duly::output_format::table);
//   duly::write_report_html(file, r);
//
// Counting (the same rules as the Python `duly.report`): every cycle is counted
// in exactly one of met, breached (stopped past due; active past due at as_of;
// ended reset or cancelled after running past due), no_goal (stopped with no goal
// in force), open (running or paused, not yet breached), cancelled, reset; a
// target that never started on a record counts as pending. attainment =
// met / (met + breached), kept as the two integers; the page shows the fraction
// and a percentage computed only for display.
//
// Thread-safety: pure functions over their arguments.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include <duly/error.hpp>
#include <duly/evaluate.hpp>
#include <duly/event.hpp>
#include <duly/export.hpp>
#include <duly/io.hpp>
#include <duly/policy.hpp>
#include <duly/time.hpp>

namespace duly {

// One row of the attainment table: a target, or a target and a value of the
// `by` attribute (taken at each cycle's deciding instant for the counts, at
// each second for the time columns).
struct attainment_row {
  std::string target;
  std::string kind;      // the target's labels.kind ("sla", "ola", "uc"; empty when unset)
  std::string supports;  // labels.supports (empty when unset)
  owned_value by_value;  // with report_options::by (null: unset)
  std::int64_t cycles = 0, met = 0, breached = 0, no_goal = 0, open = 0, cancelled = 0, reset = 0, pending = 0;
  // Nearest-rank percentiles of elapsed_seconds (business time) over the cycles
  // that stopped met or breached with a goal in force; empty when none.
  std::optional<seconds> p50, p90;
  // Business seconds the clock ran, wall-clock seconds it ran, wall-clock
  // seconds paused (split by the `by` value held at each second).
  std::int64_t running_seconds = 0, running_wall_seconds = 0, paused_seconds = 0;
};

// Cycles judged in one UTC month: met at their stop, breached at their stop
// (stopped past due) or at breached_at (breached while active).
struct month_row {
  std::chrono::year_month month;
  std::string target;
  std::int64_t met = 0, breached = 0;
};

// A breached cycle.
struct breach_row {
  std::string id;
  std::string target;
  std::int64_t cycle = 0;
  timer_state state = timer_state::breached;  // breached, or reset / cancelled after its due
  std::optional<instant> due, breached_at, stopped;
  std::optional<seconds> goal_seconds, elapsed_seconds;
  owned_value by_value;
  int timeline = -1;  // index into report::timelines; -1: over the cap
};

// One record's story: its timers, pauses and firings at as_of (from the
// evaluation) and its explain transitions.
struct record_timeline {
  std::string id;
  std::vector<timer_row> timers;
  std::vector<pause_row> pauses;
  std::vector<escalation_row> escalations;
  std::vector<explain_entry> entries;
};

struct report_options {
  // An event attribute to split the attainment table by (empty: per target).
  std::string by;
  // At most this many breached records get a timeline on the page (the most
  // recent breaches first); the page says how many were left out.
  std::size_t max_timelines = 50;
  // At most this many breached cycles are listed on the page.
  std::size_t max_breaches = 1000;
  // At most this many explain transitions are listed under a timeline.
  std::size_t max_entries = 500;
  // Shown in the page's heading and title (e.g. the policy file's name).
  std::string title;
};

struct report {
  instant as_of;
  std::string title;
  std::string by;                        // the by attribute, empty for none
  std::vector<attainment_row> targets;   // per target (the headline), in policy order
  std::vector<attainment_row> rows;      // per target and by value (= targets without by)
  std::vector<month_row> months;         // by month, then target order
  std::vector<breach_row> breaches;      // latest breached_at first; at most max_breaches
  std::size_t breaches_total = 0;        // breached cycles in all
  std::vector<record_timeline> timelines;
  std::size_t breached_records = 0;      // distinct records with a breached cycle
  std::size_t max_entries = 500;
  std::uint64_t events_applied = 0, events_ignored = 0, rejected = 0;
};

// The events of a store's records, grouped by the policy they are evaluated with.
struct report_group {
  const policy* used = nullptr;
  std::span<const event> events;
};

// The report of `events` under `p` at `as_of`. Errors (errc::invalid_argument,
// path "by"): `by` is id, at, target, cycle or a column of the report, or no
// event has that attribute. Cost: one evaluation with the `by` attribute
// carried, plus an explain of each record given a timeline.
[[nodiscard]] DULY_EXPORT result<report> make_report(const policy& p, std::span<const event> events, instant as_of,
                                                     const report_options& options = {});
// The same over groups of records, each with its own policy (a store's records
// keep the policy they were last run with); `order` gives the targets' order.
[[nodiscard]] DULY_EXPORT result<report> make_report(const policy& order, std::span<const report_group> groups,
                                                     instant as_of, const report_options& options = {});

// One record's timeline (for `duly explain --html`): its events evaluated and
// explained at as_of. Errors: errc::invalid_argument (path "id") when the
// record has no events at or before as_of.
[[nodiscard]] DULY_EXPORT result<record_timeline> make_record_timeline(const policy& p, std::span<const event> events,
                                                                       std::string_view id, instant as_of);

// The attainment rows as a table for people, CSV (target, the by attribute,
// cycles, met, breached, no_goal, open, cancelled, reset, pending, attainment,
// p50_seconds, p90_seconds, running_seconds, running_wall_seconds,
// paused_seconds) or JSON Lines (one "attainment" object per row, those keys).
DULY_EXPORT void write_report(std::ostream& out, const report& r, output_format format);

// The whole report as one self-contained HTML page.
DULY_EXPORT void write_report_html(std::ostream& out, const report& r);
// One record's timeline as such a page.
DULY_EXPORT void write_timeline_html(std::ostream& out, const record_timeline& t, instant as_of,
                                     std::string_view title = {});

}  // namespace duly
