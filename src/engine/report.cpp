// A record's results at as_of: every cycle measured into a timer row, the
// escalation firings up to as_of, each cycle's pauses, and (when asked) the
// values of carried attributes and each cycle's segments (see record.hpp).
#include "engine/record.hpp"

#include <algorithm>

namespace duly {

std::string escalation_row::key() const {
  // The cycle by its start, "2026-11-25T16:00:00Z" written as "20261125T160000Z".
  std::string start;
  for (const char c : format_instant(cycle_started))
    if (c != '-' && c != ':') start += c;
  if (cycle_rank > 0) start += "_" + std::to_string(cycle_rank + 1);
  return id + "/" + target + "/" + escalation + "/" + start + "/" + std::to_string(point);
}

std::string_view to_string(timer_state s) noexcept {
  switch (s) {
    case timer_state::pending: return "pending";
    case timer_state::running: return "running";
    case timer_state::paused: return "paused";
    case timer_state::breached: return "breached";
    case timer_state::met: return "met";
    case timer_state::cancelled: return "cancelled";
    case timer_state::reset: return "reset";
  }
  return "pending";
}

namespace detail {

void record_engine::carried_at(instant at, bool inclusive, std::vector<owned_value>& out) const {
  std::vector<value> now(carry_names_.size(), value::null());
  for (const auto& x : carry_log_) {
    if (x.at > at || (x.at == at && !inclusive)) break;
    now[static_cast<std::size_t>(x.index)] = x.v;
  }
  out.clear();
  out.reserve(now.size());
  for (const value& v : now) out.emplace_back(v);
}

void record_engine::add_segments(std::string_view id, const target& tg, const cycle_state& c, instant until,
                                 std::vector<segment_row>& out) const {
  if (until <= c.start) return;
  // Cut at every pause boundary and every carried change inside the span.
  std::vector<instant> cuts{c.start, until};
  for (const auto& p : c.pauses) {
    cuts.push_back(p.first);
    cuts.push_back(p.second);
  }
  if (c.paused_since) cuts.push_back(*c.paused_since);
  for (const auto& x : carry_log_) cuts.push_back(x.at);
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  const bool on_calendar = c.goal >= 0 && c.has_calendar;
  std::vector<value> now(carry_names_.size(), value::null());
  std::size_t log = 0;
  std::size_t pause = 0;
  const std::size_t first = out.size();
  for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
    const instant a = cuts[k], b = cuts[k + 1];
    if (b <= c.start) continue;
    if (a >= until) break;
    while (log < carry_log_.size() && carry_log_[log].at <= a) {
      now[static_cast<std::size_t>(carry_log_[log].index)] = carry_log_[log].v;
      ++log;
    }
    while (pause < c.pauses.size() && c.pauses[pause].second <= a) ++pause;
    const bool paused = (pause < c.pauses.size() && c.pauses[pause].first <= a) ||
                        (c.paused_since && *c.paused_since <= a);
    const std::int64_t business = paused ? 0 : on_calendar ? c.cal.elapsed(a, b).count() : (b - a).count();
    // Adjacent pieces alike in pause and values are one.
    if (out.size() > first) {
      segment_row& last = out.back();
      bool same = last.paused == paused && last.until == a;
      for (std::size_t v = 0; same && v < now.size(); ++v) same = last.carried[v].view() == now[v];
      if (same) {
        last.until = b;
        last.business_seconds += business;
        continue;
      }
    }
    segment_row row;
    row.id = std::string(id);
    row.target = tg.name;
    row.cycle = c.number;
    row.from = a;
    row.until = b;
    row.paused = paused;
    row.business_seconds = business;
    row.carried.reserve(now.size());
    for (const value& v : now) row.carried.emplace_back(v);
    out.push_back(std::move(row));
  }
}

std::optional<instant> record_engine::report(std::string_view id, instant as_of, evaluation& result,
                                             bool segments) const {
  std::vector<timer_row>& out = result.timers;
  std::vector<escalation_row>& firings = result.escalations;
  std::optional<instant> wakeup;
  const auto earliest = [](std::optional<instant>& a, const std::optional<instant>& b) {
    if (b && (!a || *b < *a)) a = b;
  };
  const bool carry = !carry_names_.empty();
  const std::size_t first_firing = firings.size();
  firings.insert(firings.end(), firings_.begin(), firings_.end());
  const std::size_t first_timer = out.size();
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    const target& tg = impl_->targets[i];
    const target_state& ts = targets_[i];
    if (ts.cycles.empty()) {
      timer_row row;
      row.id = std::string(id);
      row.target = tg.name;
      row.target_index = static_cast<int>(i);
      if (carry) carried_at(as_of, true, row.carried);
      out.push_back(std::move(row));
      continue;
    }
    for (const auto& c : ts.cycles) {
      timer_row row;
      row.id = std::string(id);
      row.target = tg.name;
      row.target_index = static_cast<int>(i);
      row.cycle = c.number;
      row.started = c.start;
      row.stopped = c.end;
      row.ended = c.end.has_value();
      row.goal_index = c.goal;
      if (c.goal >= 0) {
        // As written; a length from within_from as duration text; a dated
        // promise (due_from) as "by" and its instant.
        if (c.due_at) row.goal_text = "by " + format_instant(*c.due_at);
        else if (c.decided & from_within) row.goal_text = format_duration(c.within);
        else row.goal_text = tg.goals[static_cast<std::size_t>(c.goal)].within_text;
        if (c.has_calendar) row.zone = c.cal.zone().name();
      }
      const instant until = c.end ? *c.end : as_of;
      const auto m = measure(tg, c, until);
      row.goal_seconds = m.goal;
      row.due = m.due;
      row.elapsed_seconds = m.elapsed;
      row.paused_seconds = m.paused;
      if (m.goal && m.elapsed) row.remaining_seconds = *m.goal - *m.elapsed;
      if (c.end) {
        row.state = c.end_state;
        // Breached, or ended cancelled or reset after the due: the breach stays.
        if (m.due && *c.end > *m.due) row.breached_at = m.due;
      } else {
        const bool past_due = m.due && as_of > *m.due;
        row.state = past_due ? timer_state::breached : c.paused_since ? timer_state::paused : timer_state::running;
        if (past_due) row.breached_at = m.due;
        if (m.due && *m.due >= as_of) row.next_wakeup = *m.due + seconds{1};
        // Points between the last event and as_of fire now; the next one wakes the host.
        if (last_at_) {
          point_flags done = c.point_done;
          const auto next_point = scanner_.scan(i, c, attributes_, *last_at_, as_of, true, done, firings, observer_);
          earliest(row.next_wakeup, next_point);
        }
      }
      if (carry) {
        // Just before the deciding instant, so that the event that ends a cycle does
        // not decide whose it was; but a cycle decided at the instant it started
        // takes the values after that instant's events (before them the record may
        // have had none yet).
        if (row.breached_at) carried_at(*row.breached_at, *row.breached_at <= c.start, row.carried);
        else if (c.end) carried_at(*c.end, *c.end <= c.start, row.carried);
        else carried_at(as_of, true, row.carried);
      }
      // The pauses, clipped to the cycle (an open one has no end yet).
      for (const auto& p : c.pauses) {
        const instant from = std::max(p.first, c.start), to = std::min(p.second, until);
        if (to > from) result.pauses.push_back(pause_row{row.id, tg.name, static_cast<int>(i), c.number, from, to});
      }
      if (c.paused_since && !c.end)
        result.pauses.push_back(
            pause_row{row.id, tg.name, static_cast<int>(i), c.number, std::max(*c.paused_since, c.start), {}});
      if (segments) add_segments(id, tg, c, until, result.segments);
      // A wake-up from 2200 on lies outside the supported years: nothing to
      // wake for that any run could judge, so none is reported.
      if (row.next_wakeup && *row.next_wakeup >= max_supported_instant) row.next_wakeup.reset();
      earliest(wakeup, row.next_wakeup);
      out.push_back(std::move(row));
    }
  }
  scanner_.sort(firings, first_firing);
  for (std::size_t k = first_firing; k < firings.size(); ++k) firings[k].id = std::string(id);
  if (observer_) {
    // Breaches (the due passed while the cycle was active) and firings, as found at as_of.
    for (std::size_t k = first_timer; k < out.size(); ++k) {
      const timer_row& t = out[k];
      if (t.breached_at)
        observer_->changed({*t.breached_at, t.target_index, t.cycle,
                            transition::breach{*t.breached_at, t.goal_seconds, t.state, t.stopped}});
    }
    for (std::size_t k = first_firing; k < firings.size(); ++k) {
      const escalation_row& f = firings[k];
      const int target = impl_->compiled_escalations[static_cast<std::size_t>(f.escalation_index)].target_index;
      observer_->changed({f.fired_at, target, f.cycle, transition::escalation{f.escalation_index, f.point, f.delivery()}});
    }
  }
  return wakeup;
}

}  // namespace detail
}  // namespace duly
