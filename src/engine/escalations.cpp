// Escalation scanning: points on a cycle's elapsed clock, fired or skipped in a
// window of time; early warnings and raises after an event (see escalations.hpp).
#include "engine/escalations.hpp"

#include <algorithm>

namespace duly::detail {

escalation_scanner::escalation_scanner(const policy::impl& p) : impl_(&p) {
  points_.resize(p.targets.size());
  raised_.assign(p.targets.size(), 0);
  for (std::size_t k = 0; k < p.escalations.size(); ++k) {
    const escalation& esc = p.escalations[k];
    const int target = p.compiled_escalations[k].target_index;
    if (target < 0) continue;
    if (esc.raise_when) raised_[static_cast<std::size_t>(target)] = 1;
    for (std::int64_t r = 0; r <= esc.repeat_times; ++r)
      points_[static_cast<std::size_t>(target)].push_back({static_cast<int>(k), r});
  }
}

std::int64_t escalation_scanner::position(const point_ref& p, std::int64_t goal) const {
  const escalation& esc = impl_->escalations[static_cast<std::size_t>(p.escalation)];
  std::int64_t e = 0;
  switch (esc.at.type) {
    case escalation_point::kind::percent: e = (esc.at.percent * goal + 99) / 100; break;  // ceil
    case escalation_point::kind::due: e = goal + esc.at.offset.count(); break;
    case escalation_point::kind::start: e = esc.at.offset.count(); break;
    case escalation_point::kind::at_risk:
    case escalation_point::kind::manual: break;  // not on the elapsed clock
  }
  e = std::max<std::int64_t>(e, 0);
  return e + p.repeat * esc.repeat_every.count();
}

std::optional<instant> escalation_scanner::scan(std::size_t i, const cycle_state& c, std::span<const value> attributes,
                                                instant from, instant until, bool inclusive,
                                                point_flags& done, std::vector<escalation_row>& out,
                                                transition::observer* observer) const {
  const auto& points = points_[i];
  if (points.empty() || c.end || c.goal < 0) return std::nullopt;
  // A window after the last one, the clock state unchanged: nothing fires before
  // the memo's instant (cycle.hpp, scan_memo).
  scan_memo& memo = c.scanned;
  const bool at_risk = c.at_risk_since.has_value();
  const bool same_state = memo.valid && memo.pauses == c.pauses.size() && memo.paused_since == c.paused_since &&
                          memo.goal_changes == c.goal_changes && memo.at_risk == at_risk;
  if (!inclusive && same_state && (!memo.next || until <= *memo.next)) return memo.next;
  const auto remember = [&](std::optional<instant> next) {
    if (inclusive) return next;
    memo.valid = true;
    memo.pauses = c.pauses.size();
    memo.paused_since = c.paused_since;
    memo.goal_changes = c.goal_changes;
    memo.at_risk = at_risk;
    memo.next = next;
    return next;
  };
  // The clock has just stopped: the memo was found running, and the only change
  // since is a pause that began at P, before the earliest point the memo
  // expects. Every unfired point then lies beyond the elapsed time at P (it
  // would have fired by P otherwise), so none fires while the pause lasts.
  if (memo.valid && c.paused_since && !memo.paused_since && memo.pauses == c.pauses.size() &&
      memo.goal_changes == c.goal_changes && memo.at_risk == at_risk && (!memo.next || *memo.next > *c.paused_since))
    return remember(std::nullopt);
  const target& tg = impl_->targets[i];
  const measurement m = measure(tg, c, from, false);
  if (!m.goal || !m.elapsed) return remember(std::nullopt);
  const std::int64_t elapsed = m.elapsed->count();
  const bool running = !c.paused_since;
  condition_context ctx{attributes, {}, value::null(), value::null(), value::null(), impl_->calendars, 0};
  std::optional<instant> next;
  const auto in_window = [&](instant fire) { return fire < until || (inclusive && fire == until); };
  // Fires (or skips) point k at `fire`.
  const auto fire_point = [&](std::size_t k, instant fire) {
    done[k] = 1;
    ctx.now = fire.time_since_epoch().count();  // is_open: at the firing instant
    const escalation& esc = impl_->escalations[static_cast<std::size_t>(points[k].escalation)];
    if (esc.when && !esc.when->evaluate(ctx)) {  // skipped for this cycle
      if (observer)
        observer->changed({fire, static_cast<int>(i), c.number,
                           transition::skipped{points[k].escalation, points[k].repeat}});
      return;
    }
    out.push_back(firing(tg, c, points[k], fire));
  };
  const auto earliest = [&](instant fire) {
    if (!next || fire < *next) next = fire;
  };
  // The points reached by `from` fire at once, an early warning where it
  // holds; those still ahead on a running clock are kept, with their
  // positions, for below.
  boost::container::small_vector<std::pair<std::int64_t, std::size_t>, 16> ahead;  // (position, point)
  for (std::size_t k = 0; k < points.size(); ++k) {
    if (done[k]) continue;
    const escalation& esc = impl_->escalations[static_cast<std::size_t>(points[k].escalation)];
    if (esc.at.type == escalation_point::kind::manual) continue;  // only raised
    if (esc.at.type == escalation_point::kind::at_risk) {
      if (!c.at_risk_since) continue;
      const instant fire = std::max(*c.at_risk_since, from);
      if (in_window(fire)) fire_point(k, fire);
      else earliest(fire);
    } else if (const std::int64_t e = position(points[k], m.goal->count()); elapsed >= e) {
      if (in_window(from)) fire_point(k, from);
      else earliest(from);
    } else {
      ahead.emplace_back(e, k);
    }
  }
  if (!running) return remember(next);
  // The points ahead, nearest first (ties in point order): a point's firing
  // instant grows with its position, so the calendar is walked for each one
  // that fires in the window and for the first that does not (the next
  // instant), not for the rest.
  std::sort(ahead.begin(), ahead.end());
  for (const auto& [e, k] : ahead) {
    const auto fire = c.cal.add(from, seconds{e - elapsed});
    if (!fire) break;  // the calendar does not reach it, nor any point further on
    if (!in_window(*fire)) {
      earliest(*fire);
      break;
    }
    fire_point(k, *fire);
  }
  return remember(next);
}

escalation_row escalation_scanner::firing(const target& tg, const cycle_state& c, const point_ref& p,
                                          instant at) const {
  const escalation& esc = impl_->escalations[static_cast<std::size_t>(p.escalation)];
  escalation_row row;
  row.target = tg.name;
  row.escalation = esc.name;
  row.cycle = c.number;
  row.cycle_started = c.start;
  row.cycle_rank = c.start_rank;
  row.point = p.repeat;
  row.escalation_index = p.escalation;
  row.fired_at = at;
  row.deliver_at = impl_->deliver_at(static_cast<std::size_t>(p.escalation), at);
  row.actions_json = esc.actions_json;
  return row;
}

void escalation_scanner::after_event(std::size_t i, cycle_state& c, const condition_context& event_ctx, instant at,
                                     std::vector<escalation_row>& out, transition::observer* observer) const {
  const target& tg = impl_->targets[i];
  // Early warning: the first time at_risk_when holds in this cycle.
  if (tg.at_risk_when && !c.at_risk_since) {
    condition_context ctx = event_ctx;
    const measurement m = measure(tg, c, at);
    if (m.due) ctx.due = value::number(static_cast<double>(m.due->time_since_epoch().count()));
    if (m.goal && m.elapsed) ctx.remaining = value::number(static_cast<double>((*m.goal - *m.elapsed).count()));
    if (tg.at_risk_when->evaluate(ctx)) {
      c.at_risk_since = at;
      if (observer) observer->changed({at, static_cast<int>(i), c.number, transition::at_risk{}});
    }
  }
  // Escalations raised by hand: the escalation's next unfired point, now.
  if (!raised_[i]) return;
  const auto& points = points_[i];
  const condition_context plain{event_ctx.attributes, {}, value::null(), value::null(), value::null(),
                                event_ctx.calendars, event_ctx.now};
  std::vector<std::uint8_t> raised_now(points.size(), 0);
  for (std::size_t k = 0; k < points.size(); ++k) {
    const escalation& esc = impl_->escalations[static_cast<std::size_t>(points[k].escalation)];
    if (!esc.raise_when || c.point_done[k]) continue;
    // Only the first unfired point of each escalation.
    bool earlier_open = false;  // or fired by this very event
    for (std::size_t j = 0; j < k; ++j)
      earlier_open = earlier_open ||
                     (points[j].escalation == points[k].escalation && (!c.point_done[j] || raised_now[j]));
    if (earlier_open || !esc.raise_when->evaluate(event_ctx)) continue;
    if (esc.when && !esc.when->evaluate(plain)) continue;
    c.point_done[k] = 1;
    raised_now[k] = 1;
    out.push_back(firing(tg, c, points[k], at));
  }
}

void escalation_scanner::sort(std::vector<escalation_row>& out, std::size_t first) const {
  if (out.size() < first + 2) return;  // nothing to order (and no buffer to get)
  const auto target_of = [&](const escalation_row& r) {
    return impl_->compiled_escalations[static_cast<std::size_t>(r.escalation_index)].target_index;
  };
  std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
                   [&](const escalation_row& a, const escalation_row& b) {
                     if (a.fired_at != b.fired_at) return a.fired_at < b.fired_at;
                     if (target_of(a) != target_of(b)) return target_of(a) < target_of(b);
                     if (a.escalation_index != b.escalation_index) return a.escalation_index < b.escalation_index;
                     return a.point < b.point;
                   });
}

}  // namespace duly::detail
