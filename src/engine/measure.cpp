// Measuring a cycle: its goal in seconds, elapsed open time over its running
// spans, paused wall-clock time and due (see cycle.hpp).
#include "engine/cycle.hpp"

#include <algorithm>

namespace duly::detail {

std::int64_t paused_within(const cycle_state& c, instant from, instant to) {
  std::int64_t total = 0;
  const auto add = [&](instant a, instant b) {
    a = std::max(a, from);
    b = std::min(b, to);
    if (b > a) total += (b - a).count();
  };
  for (const auto& p : c.pauses) add(p.first, p.second);
  if (c.paused_since) add(*c.paused_since, to);
  return total;
}

measurement measure(const target&, const cycle_state& c, instant until, bool with_due) {
  measurement m;
  if (until < c.start) until = c.start;
  if (c.goal < 0 || !c.has_calendar) {
    m.paused = seconds{paused_within(c, c.start, until)};
    return m;
  }
  const calendar& cal = c.cal;

  // The goal in seconds of running time; business and calendar days become
  // the open time from the start to their deadline, a dated promise the open
  // time from the start to it (0 when it lies before the start).
  if (c.due_at || !c.within.is_seconds()) {
    measure_cache& gc = c.cache;
    if (!gc.goal_valid || gc.goal_index != c.goal) {
      if (c.due_at) {
        gc.goal_seconds = std::max(seconds{0}, cal.elapsed(c.start, *c.due_at));
      } else {
        auto d = cal.add(c.start, c.within);
        gc.goal_seconds = d ? std::optional<seconds>(cal.elapsed(c.start, *d)) : std::nullopt;
      }
      gc.goal_index = c.goal;
      gc.goal_valid = true;
    }
    if (!gc.goal_seconds) {
      m.paused = seconds{paused_within(c, c.start, until)};
      return m;
    }
    m.goal = *gc.goal_seconds;
  } else {
    m.goal = c.within.value;
  }

  // Running spans: [start, until) less the pauses, in order. Pauses that ended
  // by `until` are summed once and kept (measure_cache), so measuring a cycle
  // with many pauses again after each event costs only the new pauses.
  std::int64_t elapsed = 0;
  std::int64_t paused = 0;
  std::optional<instant> due;
  std::int64_t need = m.goal->count();
  if (need == 0) due = c.start;
  instant cursor = c.start;
  std::size_t first = 0;
  measure_cache& sc = c.cache;
  if (sc.spans_valid && sc.spans_goal == c.goal && sc.spans_goal_seconds == m.goal->count() && sc.spans_zone == c.zone &&
      sc.pauses <= c.pauses.size() && sc.cursor <= until) {
    elapsed = sc.elapsed;
    paused = sc.paused;
    due = sc.due;
    need = sc.need;
    cursor = sc.cursor;
    first = sc.pauses;
  }
  const auto run = [&](instant a, instant b) {
    if (b <= a) return;
    const auto open = cal.elapsed(a, b).count();
    if (!due && open >= need) {
      if (auto d = cal.add(a, seconds{need})) due = *d;
    }
    if (!due) need -= open;
    elapsed += open;
  };
  std::size_t consumed = first;
  for (std::size_t k = first; k < c.pauses.size(); ++k) {
    const auto& p = c.pauses[k];
    if (p.first >= until) break;
    run(cursor, std::min(p.first, until));
    cursor = std::max(cursor, std::min(p.second, until));
    const instant a = std::max(p.first, c.start), b = std::min(p.second, until);
    if (b > a) paused += (b - a).count();
    if (p.second <= until) consumed = k + 1;
  }
  if (consumed > first && consumed == c.pauses.size()) {
    // Every closed pause is behind `until`: remember where we are.
    sc.spans_valid = true;
    sc.spans_goal = c.goal;
    sc.spans_goal_seconds = m.goal->count();
    if (sc.spans_zone != c.zone) sc.spans_zone = c.zone;
    sc.pauses = consumed;
    sc.elapsed = elapsed;
    sc.paused = paused;
    sc.due = due;
    sc.need = need;
    sc.cursor = cursor;
  }
  if (c.paused_since && *c.paused_since < until) paused += (until - std::max(*c.paused_since, c.start)).count();
  m.paused = seconds{paused};
  const bool paused_now = c.paused_since && *c.paused_since <= until && !c.end;
  if (c.paused_since && *c.paused_since < until) {
    run(cursor, *c.paused_since);
    cursor = until;
  }
  run(cursor, until);
  m.elapsed = seconds{elapsed};
  if (!with_due) return m;
  if (!due && !paused_now) {
    // The clock is assumed to keep running after the end or as_of.
    if (auto d = cal.add(until, seconds{need})) due = *d;
  }
  m.due = c.due_at ? c.due_at : due;  // a dated promise: pauses do not move it
  return m;
}

}  // namespace duly::detail
