// The record state machine: attribute updates and each target's cycle through
// the rules of the timer semantics, after every event (see record.hpp):
//
// - no cycle running: when applies_when (if any) and start_when hold and
//   stop_when does not, a cycle starts (at the start_at attribute's instant
//   when set), paused at once if pause_when holds;
// - a cycle running or paused, the first that applies: cancel_when ends it
//   cancelled, stop_when ends it (met when at or before its due, else
//   breached), reset_when ends it reset and starts the next at once; otherwise
//   it is paused exactly while pause_when holds.
//
// The goal is chosen again after every event that changed an attribute the
// choice reads (after every event when a goal's `when` reads is_open(), whose
// answer moves with the event's instant; or the event name or changed(), which a
// goal's `when` sees as null and false, treated alike to stay safe): the same
// inputs choose the same goal. Transitions go to the observer
// as typed records (transitions.hpp) only when there is one.
#include "engine/record.hpp"

#include <algorithm>

namespace duly::detail {

namespace {

// A goal's length from a within_from attribute: duration text ("6h", "3bd",
// "30cd") or a finite, non-negative number of seconds (a fraction is floored)
// up to the longest duration. Anything else is unreadable.
std::optional<duration_spec> goal_length(const value& v) {
  if (v.kind() == value_kind::string) {
    auto d = parse_duration(v.as_string());
    if (d) return *d;
    return std::nullopt;
  }
  if (v.kind() == value_kind::number) {
    const double n = v.as_number();
    if (!(n >= 0) || n > static_cast<double>(max_duration.count())) return std::nullopt;  // NaN too
    return duration_spec{seconds{static_cast<std::int64_t>(n)}};
  }
  return std::nullopt;
}

}  // namespace

record_engine::record_engine(const policy& p) : impl_(&compiled(p)), scanner_(compiled(p)) {
  attributes_.assign(impl_->slots.size(), value::null());
  changed_.assign(impl_->slots.size(), 0);
  targets_.resize(impl_->targets.size());
  goal_inputs_.resize(impl_->targets.size());
  for (std::size_t i = 0; i < impl_->targets.size(); ++i) {
    goal_inputs& in = goal_inputs_[i];
    const auto& goals = impl_->targets[i].goals;
    for (std::size_t g = 0; g < goals.size(); ++g) {
      if (goals[g].has_when) {
        const auto read = goals[g].when.slots_read();
        in.slots.insert(in.slots.end(), read.begin(), read.end());
        in.always = in.always || goals[g].when.reads_more_than_attributes();
      }
      const compiled_goal& cg = impl_->compiled_targets[i].goals[g];
      for (const int slot : {cg.timezone_slot, cg.calendar_from_slot, cg.within_from_slot, cg.due_from_slot})
        if (slot >= 0) in.slots.push_back(slot);
    }
    std::sort(in.slots.begin(), in.slots.end());
    in.slots.erase(std::unique(in.slots.begin(), in.slots.end()), in.slots.end());
  }
}

bool record_engine::goal_inputs_changed(std::size_t i) const noexcept {
  const goal_inputs& in = goal_inputs_[i];
  if (in.always) return true;
  for (const int slot : in.slots)
    if (changed_[static_cast<std::size_t>(slot)] != 0) return true;
  return false;
}

void record_engine::reset() {
  std::fill(attributes_.begin(), attributes_.end(), value::null());
  for (auto& t : targets_) {
    t.cycles.clear();
    t.active = false;
  }
  last_at_.reset();
  applied_ = 0;
  firings_.clear();
  carry_log_.clear();
}

void record_engine::set_carry(std::span<const std::string> names) {
  carry_names_.assign(names.begin(), names.end());
  carry_log_.clear();
}

void record_engine::tell(instant at, std::size_t i, const cycle_state& c, transition::data what) const {
  observer_->changed({at, static_cast<int>(i), c.number, std::move(what)});
}

void record_engine::tell_due(instant at, std::size_t i, const cycle_state& c) const {
  if (!observer_) return;
  const auto m = measure(impl_->targets[i], c, at);
  tell(at, i, c, transition::due{m.due, m.elapsed, m.goal, c.goal >= 0});
}

void record_engine::advance(instant from, instant until) {
  const std::size_t first = firings_.size();
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    target_state& ts = targets_[i];
    if (!ts.active) continue;
    cycle_state& c = ts.cycles.back();
    (void)scanner_.scan(i, c, attributes_, from, until, false, c.point_done, firings_, observer_);
  }
  scanner_.sort(firings_, first);
}

instant record_engine::start_instant(std::size_t i, const target_state& ts, instant t) const {
  const int slot = impl_->compiled_targets[i].start_at_slot;
  if (slot < 0) return t;
  const value v = attributes_[static_cast<std::size_t>(slot)];
  if (v.kind() != value_kind::string) return t;
  auto at = parse_instant(v.as_string());
  if (!at) return t;
  // A retroactive start lies between the previous cycle's end and the event
  // that starts the cycle: never in the future, never overlapping.
  instant start = std::min(*at, t);
  if (!ts.cycles.empty() && ts.cycles.back().end) start = std::max(start, *ts.cycles.back().end);
  return start;
}

void record_engine::choose_goal(std::size_t i, cycle_state& c) {
  const target& tg = impl_->targets[i];
  const auto& compiled_goals = impl_->compiled_targets[i].goals;
  const condition_context ctx{attributes_,  {}, value::null(), value::null(), value::null(), impl_->calendars,
                              event_at_.time_since_epoch().count()};
  const auto attribute = [&](int slot) { return slot < 0 ? value::null() : attributes_[static_cast<std::size_t>(slot)]; };
  int chosen = -1;
  duration_spec within;
  std::optional<instant> due_at;
  std::uint8_t decided = 0;
  for (std::size_t g = 0; g < tg.goals.size(); ++g) {
    const goal& gl = tg.goals[g];
    if (gl.has_when && !gl.when.evaluate(ctx)) continue;
    // Its length: the due_from instant, else within_from, else within; a goal
    // that none of them gives does not hold.
    const compiled_goal& cg = compiled_goals[g];
    decided = 0;
    due_at.reset();
    if (const value d = attribute(cg.due_from_slot); d.kind() == value_kind::string) {
      if (auto t = parse_instant(d.as_string()); t && *t >= min_supported_instant && *t < max_supported_instant) {
        due_at = *t;
        decided = from_due;
      }
    }
    if (!due_at) {
      if (auto w = goal_length(attribute(cg.within_from_slot))) {
        within = *w;
        decided = from_within;
      } else if (gl.has_within) {
        within = gl.within;
      } else {
        continue;
      }
    }
    chosen = static_cast<int>(g);
    break;
  }
  std::string_view zone;
  int cal_index = -1;
  if (chosen >= 0) {
    const compiled_goal& g = compiled_goals[static_cast<std::size_t>(chosen)];
    cal_index = g.calendar_index;
    if (const value n = attribute(g.calendar_from_slot); n.kind() == value_kind::string) {
      if (const int k = impl_->calendar_index(n.as_string()); k >= 0) {
        cal_index = k;
        decided |= from_calendar;
      }
    }
    if (const value z = attribute(g.timezone_slot); z.kind() == value_kind::string) zone = z.as_string();
  } else {
    within = {};
    due_at.reset();
    decided = 0;
  }
  if (chosen == c.goal && zone == c.zone && c.has_calendar && cal_index == c.calendar_index && within == c.within &&
      due_at == c.due_at)
    return;
  if (observer_ && (chosen != c.goal || !c.goal_chosen || cal_index != c.calendar_index || !(within == c.within) ||
                    due_at != c.due_at))
    tell(event_at_, i, c, transition::goal{chosen, zone, cal_index, within, due_at, decided});
  c.goal_chosen = true;
  ++c.goal_changes;
  c.goal = chosen;
  c.zone.assign(zone);
  c.calendar_index = cal_index;
  c.within = within;
  c.due_at = due_at;
  c.decided = decided;
  if (chosen >= 0) {
    c.cal = impl_->calendar_in_zone(cal_index, zone);
    c.has_calendar = true;
  } else {
    c.has_calendar = false;
  }
  c.cache.goal_valid = false;
  c.cache.spans_valid = false;
}

void record_engine::begin_cycle(std::size_t i, instant start, bool paused) {
  target_state& ts = targets_[i];
  // Starts never go back (a retroactive start stays after the previous end), so
  // the cycles that share this start are the last ones.
  std::int64_t rank = 0;
  for (auto it = ts.cycles.rbegin(); it != ts.cycles.rend() && it->start == start; ++it) ++rank;
  cycle_state& c = ts.cycles.emplace_back();  // made in place: a cycle is large
  c.number = static_cast<std::int64_t>(ts.cycles.size());
  c.start = start;
  c.start_rank = rank;
  if (paused) c.paused_since = start;
  c.point_done.assign(scanner_.points(i), 0);
  ts.active = true;
}

void record_engine::end_cycle(std::size_t i, instant t, timer_state how) {
  target_state& ts = targets_[i];
  cycle_state& c = ts.cycles.back();
  if (c.paused_since) {
    c.pauses.emplace_back(*c.paused_since, std::max(t, *c.paused_since));
    c.paused_since.reset();
  }
  c.end = t;
  c.end_state = how;
  // The goal was chosen after the last event: choose again only if this one
  // changed what the choice reads.
  if (!c.goal_chosen || goal_inputs_changed(i)) choose_goal(i, c);
  if (how == timer_state::met && c.goal >= 0 && c.has_calendar) {
    // A stop: met when t <= due, else breached. A dated promise is its due;
    // otherwise the elapsed time at t settles it without the due (which is the
    // first instant the elapsed time reaches the goal) unless it equals the goal.
    bool breached = false;
    if (c.due_at) {
      breached = t > *c.due_at;
    } else {
      const target& tg = impl_->targets[i];
      const auto m = measure(tg, c, t, false);
      if (m.goal && m.elapsed && *m.elapsed >= *m.goal) {
        if (*m.elapsed > *m.goal) {
          breached = true;
        } else {
          const auto due = measure(tg, c, t).due;
          breached = due && t > *due;
        }
      }
    }
    if (breached) c.end_state = timer_state::breached;
  }
  ts.active = false;
}

int record_engine::slot_of(std::string_view name) {
  std::uint32_t key = static_cast<std::uint32_t>(name.size());
  if (!name.empty())
    key = key * 31 + static_cast<unsigned char>(name.front()) * 7 + static_cast<unsigned char>(name.back());
  std::uint8_t& entry = name_index_[(key * 2654435761u) >> 26];  // the top 6 bits: 64 entries
  if (entry != 0 && names_[entry - 1u].first == name) return names_[entry - 1u].second;
  // Seen before but its entry taken by another name (two names that map to one
  // entry alternate there): point the entry back at it rather than adding it again.
  for (std::size_t k = 0; k < names_.size(); ++k)
    if (names_[k].first == name) {
      entry = static_cast<std::uint8_t>(k + 1);
      return names_[k].second;
    }
  const int slot = impl_->slots.find(name);
  if (names_.size() < names_max) {
    names_.emplace_back(name, slot);
    entry = static_cast<std::uint8_t>(names_.size());
  }
  return slot;
}

void record_engine::apply(const event& e) {
  scratch_.clear();
  for (const auto& u : e.updates) scratch_.push_back(slot_update{slot_of(u.name), u.value.view()});
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
  event_at_ = e.at;
  if (observer_ && source != nullptr) observer_->applied(*source);
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
  const condition_context ctx{attributes_,  changed_, value::string(e.name), value::null(), value::null(),
                              impl_->calendars, e.at.time_since_epoch().count()};
  const auto holds = [&](const std::optional<condition>& c) { return c && c->evaluate(ctx); };

  // 2. Each target's transition, then its goal.
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    const target& tg = impl_->targets[i];
    target_state& ts = targets_[i];
    if (!ts.active) {
      // start_when first: it holds on few events (conditions have no side effects).
      if (tg.start_when.evaluate(ctx) && (!tg.applies_when || tg.applies_when->evaluate(ctx)) && !holds(tg.stop_when)) {
        const instant start = start_instant(i, ts, e.at);
        const bool paused = holds(tg.pause_when);
        begin_cycle(i, start, paused);
        cycle_state& c = ts.cycles.back();
        if (observer_) {
          tell(e.at, i, c, transition::start{start, false});
          if (paused) tell(e.at, i, c, transition::pause{});
        }
        choose_goal(i, c);
        tell_due(e.at, i, c);
      }
      continue;
    }
    if (holds(tg.cancel_when)) {
      end_cycle(i, e.at, timer_state::cancelled);
      if (observer_) tell(e.at, i, ts.cycles.back(), transition::cancel{});
    } else if (holds(tg.stop_when)) {
      end_cycle(i, e.at, timer_state::met);
      if (observer_) {
        const cycle_state& c = ts.cycles.back();
        tell(e.at, i, c, transition::stop{c.end_state, measure(tg, c, e.at).due});
      }
    } else if (holds(tg.reset_when)) {
      end_cycle(i, e.at, timer_state::reset);
      if (observer_) tell(e.at, i, ts.cycles.back(), transition::reset{});
      const bool paused = holds(tg.pause_when);
      begin_cycle(i, e.at, paused);
      cycle_state& c = ts.cycles.back();
      if (observer_) {
        tell(e.at, i, c, transition::start{e.at, true});
        if (paused) tell(e.at, i, c, transition::pause{});
      }
      choose_goal(i, c);
      tell_due(e.at, i, c);
    } else {
      cycle_state& c = ts.cycles.back();
      const bool pause = holds(tg.pause_when);
      if (pause && !c.paused_since) {
        c.paused_since = std::max(e.at, c.start);
        if (observer_) tell(e.at, i, c, transition::pause{});
      } else if (!pause && c.paused_since) {
        c.pauses.emplace_back(*c.paused_since, std::max(e.at, *c.paused_since));
        if (observer_) tell(e.at, i, c, transition::resume{e.at - *c.paused_since});
        c.paused_since.reset();
      }
      if (!c.goal_chosen || goal_inputs_changed(i)) choose_goal(i, c);
      tell_due(e.at, i, c);
    }
  }
  // 3. After the event: early warnings and raised escalations.
  for (std::size_t i = 0; i < targets_.size(); ++i)
    if (targets_[i].active) scanner_.after_event(i, targets_[i].cycles.back(), ctx, e.at, firings_, observer_);
  last_at_ = e.at;
  ++applied_;
}

}  // namespace duly::detail
