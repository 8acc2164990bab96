// The timer engine (SPEC section 7): replaying a record's events through a
// compiled policy, and measuring every cycle at `as_of`.
//
// A record's state is its attributes (views into the events' strings, by slot)
// and, per target, its cycles. Applying an event updates the attributes, moves
// each target's cycle through start / cancel / stop / reset / pause, and chooses
// every affected cycle's goal again. Measuring a cycle walks its running spans
// (start to end or as_of, less its pauses) on the goal's calendar.
#include <duly/evaluate.hpp>

#include <algorithm>
#include <cassert>
#include <deque>
#include <numeric>
#include <string_view>
#include <unordered_map>

#include "engine/engine.hpp"
#include "rules/policy_impl.hpp"

namespace duly {

std::string escalation_row::key() const {
  return id + "/" + target + "/" + escalation + "/" + std::to_string(cycle) + "/" + std::to_string(point);
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

namespace {

// Wall-clock pause spans of a cycle clipped to [from, to).
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

}  // namespace

record_engine::record_engine(const policy& p) : policy_(&p), impl_(&p.internals()) {
  attributes_.assign(impl_->slots.size(), value::null());
  changed_.assign(impl_->slots.size(), 0);
  targets_.resize(impl_->targets.size());
  points_.resize(impl_->targets.size());
  for (std::size_t k = 0; k < impl_->escalations.size(); ++k) {
    const escalation& esc = impl_->escalations[k];
    if (esc.target_index < 0) continue;
    for (std::int64_t r = 0; r <= esc.repeat_times; ++r)
      points_[static_cast<std::size_t>(esc.target_index)].push_back({static_cast<int>(k), r});
  }
}

void record_engine::reset() {
  std::fill(attributes_.begin(), attributes_.end(), value::null());
  for (auto& t : targets_) {
    t.cycles.clear();
    t.active = false;
  }
  last_at_.reset();
  last_sequence_ = 0;
  applied_ = 0;
  firings_.clear();
  carry_log_.clear();
}

void record_engine::set_carry(std::span<const std::string> names) {
  carry_names_.assign(names.begin(), names.end());
  carry_log_.clear();
}

std::int64_t record_engine::point_position(const point_ref& p, std::int64_t goal) const {
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

std::optional<instant> record_engine::scan(std::size_t i, const cycle_state& c, instant from, instant until,
                                           bool inclusive, std::vector<std::uint8_t>& done,
                                           std::vector<escalation_row>& out) const {
  const auto& points = points_[i];
  if (points.empty() || c.end || c.goal < 0) return std::nullopt;
  const target& tg = impl_->targets[i];
  const measurement m = measure(tg, c, from);
  if (!m.goal || !m.elapsed) return std::nullopt;
  const std::int64_t elapsed = m.elapsed->count();
  const bool running = !c.paused_since;
  const condition_context ctx{attributes_, {}, value::null(), value::null(), value::null()};
  std::optional<instant> next;
  for (std::size_t k = 0; k < points.size(); ++k) {
    if (done[k]) continue;
    const escalation& kind_of = impl_->escalations[static_cast<std::size_t>(points[k].escalation)];
    if (kind_of.at.type == escalation_point::kind::manual) continue;  // only raised
    std::optional<instant> fire;
    const std::int64_t e = point_position(points[k], m.goal->count());
    if (kind_of.at.type == escalation_point::kind::at_risk) {
      if (c.at_risk_since) fire = std::max(*c.at_risk_since, from);
    } else if (elapsed >= e) {
      fire = from;
    } else if (running) {
      if (auto f = c.cal.add(from, seconds{e - elapsed})) fire = *f;
    }
    if (!fire) continue;
    if (*fire < until || (inclusive && *fire == until)) {
      done[k] = 1;
      const escalation& esc = impl_->escalations[static_cast<std::size_t>(points[k].escalation)];
      if (esc.when && !esc.when->evaluate(ctx)) {  // skipped for this cycle
        note(*fire, explain_entry::kind::skipped, tg, c,
             esc.name + " point " + std::to_string(points[k].repeat) + " (at " + esc.at_text +
                 "): when does not hold: " + esc.when->text());
        continue;
      }
      out.push_back(firing(tg, c, points[k], *fire));
    } else if (!next || *fire < *next) {
      next = fire;
    }
  }
  return next;
}

escalation_row record_engine::firing(const target& tg, const cycle_state& c, const point_ref& p, instant at) const {
  const escalation& esc = impl_->escalations[static_cast<std::size_t>(p.escalation)];
  escalation_row row;
  row.target = tg.name;
  row.escalation = esc.name;
  row.cycle = c.number;
  row.point = p.repeat;
  row.escalation_index = p.escalation;
  row.fired_at = at;
  row.actions_json = esc.actions_json;
  return row;
}

void record_engine::after_event(instant at, const condition_context& event_ctx) {
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    target_state& ts = targets_[i];
    if (!ts.active) continue;
    const target& tg = impl_->targets[i];
    cycle_state& c = ts.cycles.back();
    // Early warning: the first time at_risk_when holds in this cycle.
    if (tg.at_risk_when && !c.at_risk_since) {
      condition_context ctx = event_ctx;
      const measurement m = measure(tg, c, at);
      if (m.due) ctx.due = value::number(static_cast<double>(m.due->time_since_epoch().count()));
      if (m.goal && m.elapsed) ctx.remaining = value::number(static_cast<double>((*m.goal - *m.elapsed).count()));
      if (tg.at_risk_when->evaluate(ctx)) {
        c.at_risk_since = at;
        note(at, explain_entry::kind::at_risk, tg, c, "at_risk_when: " + tg.at_risk_when->text());
      }
    }
    // Escalations raised by hand: the escalation's next unfired point, now.
    const auto& points = points_[i];
    const condition_context plain{attributes_, {}, value::null(), value::null(), value::null()};
    std::vector<std::uint8_t> raised_now(points.size(), 0);
    for (std::size_t k = 0; k < points.size(); ++k) {
      const escalation& esc = impl_->escalations[static_cast<std::size_t>(points[k].escalation)];
      if (!esc.raise_when || c.point_done[k]) continue;
      // Only the first unfired point of each escalation.
      bool earlier_open = false;  // or fired by this very event
      for (std::size_t j = 0; j < k; ++j)
        earlier_open = earlier_open || (points[j].escalation == points[k].escalation &&
                                        (!c.point_done[j] || raised_now[j]));
      if (earlier_open || !esc.raise_when->evaluate(event_ctx)) continue;
      if (esc.when && !esc.when->evaluate(plain)) continue;
      c.point_done[k] = 1;
      raised_now[k] = 1;
      firings_.push_back(firing(tg, c, points[k], at));
    }
  }
}

// Firings in time order; at one instant by target (policy order), escalation
// (policy order), then point.
bool record_engine::earlier_firing(const escalation_row& a, const escalation_row& b) const {
  if (a.fired_at != b.fired_at) return a.fired_at < b.fired_at;
  const auto target_of = [&](const escalation_row& r) {
    return impl_->escalations[static_cast<std::size_t>(r.escalation_index)].target_index;
  };
  if (target_of(a) != target_of(b)) return target_of(a) < target_of(b);
  if (a.escalation_index != b.escalation_index) return a.escalation_index < b.escalation_index;
  return a.point < b.point;
}

void record_engine::advance(instant from, instant until) {
  const std::size_t first = firings_.size();
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    target_state& ts = targets_[i];
    if (!ts.active) continue;
    cycle_state& c = ts.cycles.back();
    (void)scan(i, c, from, until, false, c.point_done, firings_);
  }
  std::stable_sort(firings_.begin() + static_cast<std::ptrdiff_t>(first), firings_.end(), [this](const escalation_row& a, const escalation_row& b) { return earlier_firing(a, b); });
}

instant record_engine::start_instant(const target& tg, const target_state& ts, instant t) const {
  if (tg.start_at_slot < 0) return t;
  const value v = attributes_[static_cast<std::size_t>(tg.start_at_slot)];
  if (v.kind() != value_kind::string) return t;
  auto at = parse_instant(v.as_string());
  if (!at) return t;
  // A retroactive start lies between the previous cycle's end and the event
  // that starts the cycle: never in the future, never overlapping.
  instant start = std::min(*at, t);
  if (!ts.cycles.empty() && ts.cycles.back().end) start = std::max(start, *ts.cycles.back().end);
  return start;
}

void record_engine::note(instant at, explain_entry::kind k, const target& tg, const cycle_state& c,
                         std::string detail) const {
  if (!trace_) return;
  explain_entry x;
  x.at = at;
  x.type = k;
  x.target = tg.name;
  x.cycle = c.number;
  x.detail = std::move(detail);
  trace_->push_back(std::move(x));
}

void record_engine::note_due(instant at, const target& tg, cycle_state& c) const {
  if (!trace_) return;
  const auto m = measure(tg, c, at);
  if (c.due_traced && m.due == c.traced_due) return;
  c.due_traced = true;
  c.traced_due = m.due;
  if (m.due) {
    note(at, explain_entry::kind::due, tg, c,
         "due " + format_instant(*m.due) + " (elapsed " + format_duration(m.elapsed.value_or(seconds{0})) + " of " +
             format_duration(m.goal.value_or(seconds{0})) + ")");
  } else {
    note(at, explain_entry::kind::due, tg, c, c.goal < 0 ? "no due: no goal holds" : "no due: paused short of the goal");
  }
}

void record_engine::choose_goal(const target& tg, cycle_state& c) const {
  const condition_context ctx{attributes_, {}, value::null(), value::null(), value::null()};
  int chosen = -1;
  for (std::size_t g = 0; g < tg.goals.size(); ++g) {
    if (!tg.goals[g].has_when || tg.goals[g].when.evaluate(ctx)) {
      chosen = static_cast<int>(g);
      break;
    }
  }
  std::string_view zone;
  if (chosen >= 0) {
    const goal& g = tg.goals[static_cast<std::size_t>(chosen)];
    if (g.timezone_slot >= 0) {
      const value z = attributes_[static_cast<std::size_t>(g.timezone_slot)];
      if (z.kind() == value_kind::string) zone = z.as_string();
    }
  }
  if (chosen == c.goal && zone == c.zone && c.has_calendar) return;
  if (trace_ && (chosen != c.goal || !c.goal_chosen)) {
    std::string d;
    if (chosen < 0) {
      d = "no goal holds: no due, no breach";
    } else {
      const goal& g = tg.goals[static_cast<std::size_t>(chosen)];
      d = "goal " + std::to_string(chosen) + ": within " + format_duration(g.within) + " on " +
          (g.calendar.empty() ? std::string("24x7 UTC") : "calendar '" + g.calendar + "'");
      if (g.has_when) d += " (when " + g.when.text() + ")";
      if (!zone.empty()) d += ", zone " + std::string(zone);
    }
    note(last_event_at_, explain_entry::kind::goal, tg, c, std::move(d));
  }
  c.goal_chosen = true;
  c.goal = chosen;
  c.zone.assign(zone);
  if (chosen >= 0) {
    c.cal = impl_->calendar_for(tg.goals[static_cast<std::size_t>(chosen)], zone);
    c.has_calendar = true;
  } else {
    c.has_calendar = false;
  }
  c.goal_cache_valid = false;
}

void record_engine::begin_cycle(target_state& ts, instant start, bool paused) {
  cycle_state c;
  c.number = static_cast<std::int64_t>(ts.cycles.size()) + 1;
  c.start = start;
  if (paused) c.paused_since = start;
  c.point_done.assign(points_[static_cast<std::size_t>(&ts - targets_.data())].size(), 0);
  ts.cycles.push_back(std::move(c));
  ts.active = true;
}

void record_engine::end_cycle(const target& tg, target_state& ts, instant t, timer_state how) {
  cycle_state& c = ts.cycles.back();
  if (c.paused_since) {
    c.pauses.emplace_back(*c.paused_since, std::max(t, *c.paused_since));
    c.paused_since.reset();
  }
  c.end = t;
  c.end_state = how;
  choose_goal(tg, c);
  if (how == timer_state::met) {
    // A stop: met when t <= due, else breached.
    const auto m = measure(tg, c, t);
    if (m.due && t > *m.due) c.end_state = timer_state::breached;
  }
  ts.active = false;
}

void record_engine::apply(const event& e) {
  scratch_.clear();
  for (const auto& u : e.updates) scratch_.push_back(slot_update{impl_->slots.find(u.name), u.value.view()});
  carry_scratch_.clear();
  if (!carry_names_.empty()) {
    for (const auto& u : e.updates) {
      const auto k = std::find(carry_names_.begin(), carry_names_.end(), u.name);
      if (k != carry_names_.end())
        carry_scratch_.push_back(carry_update{static_cast<int>(k - carry_names_.begin()), u.value.view()});
    }
  }
  apply_view(event_view{e.at, e.name, e.sequence, scratch_, carry_scratch_}, &e);
}

void record_engine::apply(const event_view& e) { apply_view(e, nullptr); }

void record_engine::apply_view(const event_view& e, const event* source) {
  // 0. Escalation points that fire before this instant, after the last one's events.
  if (last_at_ && e.at > *last_at_) advance(*last_at_, e.at);
  last_event_at_ = e.at;
  if (trace_ && source != nullptr) {
    explain_entry x;
    x.at = e.at;
    x.type = explain_entry::kind::event;
    x.event = source->name;
    x.line = source->line;
    for (const auto& u : source->updates) {
      if (!x.detail.empty()) x.detail += ", ";
      x.detail += u.name + "=" + u.value.view().to_json();
    }
    trace_->push_back(std::move(x));
  }
  // 1. Attribute updates.
  for (const auto& u : e.carried) carry_log_.push_back(carry_change{e.at, u.index, u.v});
  std::fill(changed_.begin(), changed_.end(), 0);
  for (const auto& u : e.updates) {
    if (u.slot < 0) continue;  // the policy never reads it
    const auto k = static_cast<std::size_t>(u.slot);
    if (!(attributes_[k] == u.v)) {
      attributes_[k] = u.v;
      changed_[k] = 1;
    }
  }
  const condition_context ctx{attributes_, changed_, value::string(e.name), value::null(), value::null()};
  const auto holds = [&](const std::optional<condition>& c) { return c && c->evaluate(ctx); };

  // 2. Each target's transition, then its goal.
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    const target& tg = impl_->targets[i];
    target_state& ts = targets_[i];
    if (!ts.active) {
      if ((!tg.applies_when || tg.applies_when->evaluate(ctx)) && tg.start_when.evaluate(ctx) && !holds(tg.stop_when)) {
        const instant start = start_instant(tg, ts, e.at);
        const bool paused = holds(tg.pause_when);
        begin_cycle(ts, start, paused);
        cycle_state& c = ts.cycles.back();
        if (trace_) {
          std::string d = "start_when: " + tg.start_when.text();
          if (tg.applies_when) d += "; applies_when: " + tg.applies_when->text();
          if (start != e.at) d += "; starts at " + tg.start_at + " = " + format_instant(start);
          note(e.at, explain_entry::kind::start, tg, c, std::move(d));
          if (paused) note(e.at, explain_entry::kind::pause, tg, c, "pause_when: " + tg.pause_when->text());
        }
        choose_goal(tg, c);
        note_due(e.at, tg, c);
      }
      continue;
    }
    if (holds(tg.cancel_when)) {
      end_cycle(tg, ts, e.at, timer_state::cancelled);
      note(e.at, explain_entry::kind::cancel, tg, ts.cycles.back(), "cancel_when: " + tg.cancel_when->text());
    } else if (holds(tg.stop_when)) {
      end_cycle(tg, ts, e.at, timer_state::met);
      if (trace_) {
        const cycle_state& c = ts.cycles.back();
        const auto m = measure(tg, c, e.at);
        std::string d = "stop_when: " + tg.stop_when->text() + "; " + std::string(to_string(c.end_state));
        if (m.due) d += " (due " + format_instant(*m.due) + ")";
        note(e.at, explain_entry::kind::stop, tg, c, std::move(d));
      }
    } else if (holds(tg.reset_when)) {
      end_cycle(tg, ts, e.at, timer_state::reset);
      note(e.at, explain_entry::kind::reset, tg, ts.cycles.back(), "reset_when: " + tg.reset_when->text());
      const bool paused = holds(tg.pause_when);
      begin_cycle(ts, e.at, paused);
      cycle_state& c = ts.cycles.back();
      note(e.at, explain_entry::kind::start, tg, c, "after the reset");
      if (paused) note(e.at, explain_entry::kind::pause, tg, c, "pause_when: " + tg.pause_when->text());
      choose_goal(tg, c);
      note_due(e.at, tg, c);
    } else {
      cycle_state& c = ts.cycles.back();
      const bool pause = holds(tg.pause_when);
      if (pause && !c.paused_since) {
        c.paused_since = std::max(e.at, c.start);
        note(e.at, explain_entry::kind::pause, tg, c, "pause_when: " + tg.pause_when->text());
      } else if (!pause && c.paused_since) {
        c.pauses.emplace_back(*c.paused_since, std::max(e.at, *c.paused_since));
        note(e.at, explain_entry::kind::resume, tg, c,
             "pause_when no longer holds; paused " + format_duration(e.at - *c.paused_since));
        c.paused_since.reset();
      }
      choose_goal(tg, c);
      note_due(e.at, tg, c);
    }
  }
  after_event(e.at, ctx);
  last_at_ = e.at;
  last_sequence_ = e.sequence;
  ++applied_;
}

measurement record_engine::measure(const target& tg, const cycle_state& c, instant until) const {
  measurement m;
  if (until < c.start) until = c.start;
  if (c.goal < 0 || !c.has_calendar) {
    m.paused = seconds{paused_within(c, c.start, until)};
    return m;
  }
  const goal& g = tg.goals[static_cast<std::size_t>(c.goal)];
  const calendar& cal = c.cal;

  // The goal in seconds of running time; business days become the open time
  // from the start to the business-day deadline.
  if (g.within.is_business_days()) {
    if (!c.goal_cache_valid || c.cached_goal_index != c.goal) {
      auto d = cal.add_business_days(c.start, g.within.business_days);
      c.cached_goal = d ? std::optional<seconds>(cal.elapsed(c.start, *d)) : std::nullopt;
      c.cached_goal_index = c.goal;
      c.goal_cache_valid = true;
    }
    if (!c.cached_goal) {
      m.paused = seconds{paused_within(c, c.start, until)};
      return m;
    }
    m.goal = *c.cached_goal;
  } else {
    m.goal = g.within.value;
  }

  // Running spans: [start, until) less the pauses, in order. Pauses that ended
  // by `until` are summed once and kept (span_cache), so measuring a cycle
  // with many pauses again after each event costs only the new pauses.
  std::int64_t elapsed = 0;
  std::int64_t paused = 0;
  std::optional<instant> due;
  std::int64_t need = m.goal->count();
  if (need == 0) due = c.start;
  instant cursor = c.start;
  std::size_t first = 0;
  span_cache& sc = c.spans;
  if (sc.valid && sc.goal == c.goal && sc.goal_seconds == m.goal->count() && sc.zone == c.zone &&
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
    sc.valid = true;
    sc.goal = c.goal;
    sc.goal_seconds = m.goal->count();
    if (sc.zone != c.zone) sc.zone = c.zone;
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
  if (!due && !paused_now) {
    // The clock is assumed to keep running after the end or as_of.
    if (auto d = cal.add(until, seconds{need})) due = *d;
  }
  m.due = due;
  return m;
}

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
        row.goal_text = tg.goals[static_cast<std::size_t>(c.goal)].within_text;
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
          std::vector<std::uint8_t> done = c.point_done;
          const auto next_point = scan(i, c, *last_at_, as_of, true, done, firings);
          earliest(row.next_wakeup, next_point);
        }
      }
      if (carry) {
        if (row.breached_at) carried_at(*row.breached_at, false, row.carried);
        else if (c.end) carried_at(*c.end, false, row.carried);
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
      earliest(wakeup, row.next_wakeup);
      out.push_back(std::move(row));
    }
  }
  std::stable_sort(firings.begin() + static_cast<std::ptrdiff_t>(first_firing), firings.end(), [this](const escalation_row& a, const escalation_row& b) { return earlier_firing(a, b); });
  for (std::size_t k = first_firing; k < firings.size(); ++k) firings[k].id = std::string(id);
  return wakeup;
}

}  // namespace detail

// ---------------------------------------------------------------------------
// batch

namespace {

bool before(const event* a, const event* b) {
  if (a->at != b->at) return a->at < b->at;
  return a->sequence < b->sequence;
}

}  // namespace

evaluation evaluate(const policy& p, std::span<const event> events, instant as_of) {
  return evaluate(p, events, as_of, evaluate_options{});
}

evaluation evaluate(const policy& p, std::span<const event> events, instant as_of, const evaluate_options& options) {
  evaluation out;
  // Group by record, keeping input order inside each group.
  std::unordered_map<std::string_view, std::size_t> index;
  std::vector<std::string_view> ids;
  std::vector<std::vector<const event*>> groups;
  for (const event& e : events) {
    if (e.at > as_of) {
      ++out.events_ignored;
      continue;
    }
    auto [it, fresh] = index.try_emplace(e.id, groups.size());
    if (fresh) {
      ids.push_back(e.id);
      groups.emplace_back();
    }
    groups[it->second].push_back(&e);
  }
  std::vector<std::size_t> order(ids.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ids[a] < ids[b]; });

  detail::record_engine engine(p);
  engine.set_carry(options.carry);
  for (const std::size_t r : order) {
    auto& group = groups[r];
    std::stable_sort(group.begin(), group.end(), before);
    engine.reset();
    for (const event* e : group) engine.apply(*e);
    out.events_applied += group.size();
    const auto w = engine.report(ids[r], as_of, out, options.segments);
    if (w && (!out.next_wakeup || *w < *out.next_wakeup)) out.next_wakeup = w;
  }
  return out;
}

evaluation evaluate(const policy& p, const event_columns& ev, instant as_of) {
  return evaluate(p, ev, as_of, evaluate_options{});
}

evaluation evaluate(const policy& p, const event_columns& ev, instant as_of, const evaluate_options& options) {
  evaluation out;
  const std::size_t n = ev.at.size();
  const std::size_t m = ev.id_values.size();
  const bool any_skip = !ev.skip.empty();
  // Rows by record: a counting sort on the id index keeps input order inside
  // each record.
  std::vector<std::size_t> start(m + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (any_skip && ev.skip[i] != 0) continue;
    if (ev.at[i] > as_of) {
      ++out.events_ignored;
      continue;
    }
    ++start[static_cast<std::size_t>(ev.id[i]) + 1];
  }
  for (std::size_t k = 0; k < m; ++k) start[k + 1] += start[k];
  std::vector<std::uint32_t> rows(start[m]);
  {
    std::vector<std::size_t> next(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < n; ++i) {
      if ((any_skip && ev.skip[i] != 0) || ev.at[i] > as_of) continue;
      rows[next[static_cast<std::size_t>(ev.id[i])]++] = static_cast<std::uint32_t>(i);
    }
  }
  // Records in id order, as the batch call over events orders them.
  std::vector<std::size_t> order;
  order.reserve(m);
  for (std::size_t k = 0; k < m; ++k)
    if (start[k + 1] > start[k]) order.push_back(k);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return ev.id_values[a] < ev.id_values[b]; });

  // Each attribute column's slot; columns the policy never reads are dropped.
  const auto& slots = p.internals().slots;
  std::vector<std::pair<int, const event_columns::attribute*>> columns;
  for (const auto& a : ev.attributes) {
    const int slot = slots.find(a.name);
    if (slot >= 0) columns.emplace_back(slot, &a);
  }
  // The carried attributes' columns (a name without a column stays null).
  std::vector<std::pair<int, const event_columns::attribute*>> carry_columns;
  for (std::size_t k = 0; k < options.carry.size(); ++k)
    for (const auto& a : ev.attributes)
      if (a.name == options.carry[k]) {
        carry_columns.emplace_back(static_cast<int>(k), &a);
        break;
      }

  detail::record_engine engine(p);
  engine.set_carry(options.carry);
  std::vector<std::uint32_t> group;
  std::vector<detail::slot_update> updates;
  updates.reserve(columns.size());
  std::vector<detail::carry_update> carried;
  carried.reserve(carry_columns.size());
  for (std::size_t j = 0; j < order.size();) {
    // One record: its index and any later ones with the same text.
    const std::string_view id = ev.id_values[order[j]];
    group.assign(rows.begin() + static_cast<std::ptrdiff_t>(start[order[j]]),
                 rows.begin() + static_cast<std::ptrdiff_t>(start[order[j] + 1]));
    std::size_t next = j + 1;
    for (; next < order.size() && ev.id_values[order[next]] == id; ++next)
      group.insert(group.end(), rows.begin() + static_cast<std::ptrdiff_t>(start[order[next]]),
                   rows.begin() + static_cast<std::ptrdiff_t>(start[order[next] + 1]));
    if (next > j + 1) std::sort(group.begin(), group.end());
    j = next;
    // In (at, row) order: rows are ascending, so a stable sort on at suffices.
    const auto earlier = [&](std::uint32_t a, std::uint32_t b) { return ev.at[a] < ev.at[b]; };
    if (!std::is_sorted(group.begin(), group.end(), earlier)) std::stable_sort(group.begin(), group.end(), earlier);

    engine.reset();
    for (const std::uint32_t row : group) {
      updates.clear();
      for (const auto& [slot, a] : columns) {
        const std::int64_t code = a->codes[row];
        if (code >= 0) updates.push_back(detail::slot_update{slot, a->values[static_cast<std::size_t>(code)]});
      }
      carried.clear();
      for (const auto& [k, a] : carry_columns) {
        const std::int64_t code = a->codes[row];
        if (code >= 0) carried.push_back(detail::carry_update{k, a->values[static_cast<std::size_t>(code)]});
      }
      engine.apply(detail::event_view{ev.at[row], ev.name_values[static_cast<std::size_t>(ev.name[row])], row,
                                      updates, carried});
    }
    out.events_applied += group.size();
    const auto w = engine.report(id, as_of, out, options.segments);
    if (w && (!out.next_wakeup || *w < *out.next_wakeup)) out.next_wakeup = w;
  }
  return out;
}

// ---------------------------------------------------------------------------
// explain

std::string_view to_string(explain_entry::kind k) noexcept {
  using K = explain_entry::kind;
  switch (k) {
    case K::event: return "event";
    case K::start: return "start";
    case K::stop: return "stop";
    case K::cancel: return "cancel";
    case K::reset: return "reset";
    case K::pause: return "pause";
    case K::resume: return "resume";
    case K::goal: return "goal";
    case K::due: return "due";
    case K::breach: return "breach";
    case K::at_risk: return "at_risk";
    case K::escalation: return "escalation";
    case K::skipped: return "skipped";
  }
  return "event";
}

explanation explain(const policy& p, std::span<const event> events, std::string_view id, instant as_of) {
  explanation out;
  out.id = std::string(id);
  std::vector<const event*> mine;
  for (const event& e : events)
    if (e.id == id && e.at <= as_of) mine.push_back(&e);
  if (mine.empty()) return out;
  std::stable_sort(mine.begin(), mine.end(), before);
  detail::record_engine engine(p);
  engine.set_trace(&out.entries);
  for (const event* e : mine) engine.apply(*e);
  evaluation result;
  (void)engine.report(id, as_of, result);
  out.timers = std::move(result.timers);
  out.escalations = std::move(result.escalations);
  for (const auto& t : out.timers) {
    if (!t.breached_at) continue;
    explain_entry x;
    x.at = *t.breached_at;
    x.type = explain_entry::kind::breach;
    x.target = t.target;
    x.cycle = t.cycle;
    x.detail = "due " + format_instant(*t.breached_at) + " passed with the clock at the goal (" +
               format_duration(t.goal_seconds.value_or(seconds{0})) + "): breached";
    if (t.state == timer_state::cancelled || t.state == timer_state::reset)
      x.detail += " (the cycle ended " + std::string(to_string(t.state)) + " later, at " + format_instant(*t.stopped) +
                  "; it stays counted as breached)";
    out.entries.push_back(std::move(x));
  }
  for (const auto& f : out.escalations) {
    explain_entry x;
    x.at = f.fired_at;
    x.type = explain_entry::kind::escalation;
    x.target = f.target;
    x.cycle = f.cycle;
    x.detail = f.escalation + " point " + std::to_string(f.point) + " fired: " + f.actions_json;
    out.entries.push_back(std::move(x));
  }
  // Events at an instant first, then what they caused, then firings at it.
  std::stable_sort(out.entries.begin(), out.entries.end(),
                   [](const explain_entry& a, const explain_entry& b) { return a.at < b.at; });
  return out;
}

// ---------------------------------------------------------------------------
// incremental

struct evaluator::state {
  policy pol;
  std::deque<event> events;  // stable addresses: record states point into them
  struct record {
    std::vector<const event*> events;  // in (at, sequence, arrival) order
    detail::record_engine engine;      // state after all of `events`
    explicit record(const policy& p) : engine(p) {}
  };
  std::map<std::string, std::unique_ptr<record>, std::less<>> records;
  explicit state(policy p) : pol(std::move(p)) {}
};

evaluator::evaluator(policy p) : state_(std::make_unique<state>(std::move(p))) {}
evaluator::~evaluator() = default;
evaluator::evaluator(evaluator&&) noexcept = default;
evaluator& evaluator::operator=(evaluator&&) noexcept = default;

void evaluator::add(event e) {
  auto& s = *state_;
  s.events.push_back(std::move(e));
  const event* stored = &s.events.back();
  auto it = s.records.find(stored->id);
  if (it == s.records.end()) it = s.records.emplace(stored->id, std::make_unique<state::record>(s.pol)).first;
  auto& rec = *it->second;
  if (rec.events.empty() || !before(stored, rec.events.back())) {
    rec.events.push_back(stored);
    rec.engine.apply(*stored);
    return;
  }
  // Late arrival: put it in its place and replay the record once.
  rec.events.insert(std::upper_bound(rec.events.begin(), rec.events.end(), stored, before), stored);
  rec.engine.reset();
  for (const event* x : rec.events) rec.engine.apply(*x);
}

evaluation evaluator::results(instant as_of) const {
  evaluation out;
  const auto& s = *state_;
  for (const auto& [id, rec] : s.records) {
    if (rec->events.back()->at <= as_of) {
      out.events_applied += rec->events.size();
      const auto w = rec->engine.report(id, as_of, out);
      if (w && (!out.next_wakeup || *w < *out.next_wakeup)) out.next_wakeup = w;
      continue;
    }
    // Some events lie after as_of: replay the ones before it.
    detail::record_engine replay(s.pol);
    std::size_t applied = 0;
    for (const event* x : rec->events) {
      if (x->at > as_of) {
        ++out.events_ignored;
        continue;
      }
      replay.apply(*x);
      ++applied;
    }
    out.events_applied += applied;
    if (applied > 0) {
      const auto w = replay.report(id, as_of, out);
      if (w && (!out.next_wakeup || *w < *out.next_wakeup)) out.next_wakeup = w;
    }
  }
  return out;
}

}  // namespace duly
