// duly explain: a record's timeline in English, rendered from the typed
// transitions the engine reports (transitions.hpp) and the policy's texts.
// The state machine knows nothing of this file: it only tells an observer.
#include <duly/evaluate.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "engine/front_door.hpp"

namespace duly {

std::string rejected_rows_note(std::string_view id, std::span<const rejected_row> rejected, std::string_view source,
                               bool has_events) {
  constexpr std::size_t quoted = 3;
  std::size_t n = 0;
  std::string rows;
  for (const rejected_row& r : rejected) {
    if (r.id.empty() || r.id != id) continue;
    if (++n > quoted) continue;
    if (n > 1) rows += "; ";
    rows += std::string(source) + ":" + std::to_string(r.line) + ": " + r.reason;
  }
  if (n == 0) return {};
  if (n > quoted) rows += "; and " + std::to_string(n - quoted) + " more";
  const std::string count = std::to_string(n) + (n == 1 ? " row was" : " rows were");
  return has_events ? " (" + std::to_string(n) + " of its " + (n == 1 ? "rows was" : "rows were") + " rejected: " + rows + ")"
                    : " (its " + count + " rejected: " + rows + ")";
}

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

namespace detail {
namespace {

// Turns events and transitions into explain entries. Breaches and firings are
// found when the record is reported; they follow the rest, and finish() puts
// every entry in time order (at one instant: events, then what they caused,
// then breaches, then firings).
class explain_renderer final : public transition::observer {
 public:
  explain_renderer(const policy::impl& p, std::vector<explain_entry>& out) : policy_(&p), out_(&out) {}

  void applied(const event& e) override {
    explain_entry x;
    x.at = e.at;
    x.type = explain_entry::kind::event;
    x.event = e.name;
    x.line = e.line;
    for (const auto& u : e.updates) {
      if (!x.detail.empty()) x.detail += ", ";
      x.detail += u.name + "=" + u.value.view().to_json();
    }
    out_->push_back(std::move(x));
  }

  [[nodiscard]] std::string calendar_name(int k) const {
    return k >= 0 && static_cast<std::size_t>(k) < policy_->calendar_names.size()
               ? policy_->calendar_names[static_cast<std::size_t>(k)]
               : std::string("24x7 UTC");
  }

  void changed(const transition::record& r) override {
    const target& tg = policy_->targets[static_cast<std::size_t>(r.target)];
    std::visit([&](const auto& what) { render(r, tg, what); }, r.what);
  }

  // The entries in time order.
  void finish() {
    out_->insert(out_->end(), std::make_move_iterator(late_.begin()), std::make_move_iterator(late_.end()));
    out_->insert(out_->end(), std::make_move_iterator(fired_.begin()), std::make_move_iterator(fired_.end()));
    std::stable_sort(out_->begin(), out_->end(),
                     [](const explain_entry& a, const explain_entry& b) { return a.at < b.at; });
  }

 private:
  void add(std::vector<explain_entry>& to, const transition::record& r, const target& tg, explain_entry::kind k,
           std::string detail) {
    explain_entry x;
    x.at = r.at;
    x.type = k;
    x.target = tg.name;
    x.cycle = r.cycle;
    x.detail = std::move(detail);
    to.push_back(std::move(x));
  }
  void add(const transition::record& r, const target& tg, explain_entry::kind k, std::string detail) {
    add(*out_, r, tg, k, std::move(detail));
  }

  void render(const transition::record& r, const target& tg, const transition::start& s) {
    if (s.after_reset) return add(r, tg, explain_entry::kind::start, "after the reset");
    std::string d = "start_when: " + tg.start_when.text();
    if (tg.applies_when) d += "; applies_when: " + tg.applies_when->text();
    if (s.start != r.at) d += "; starts at " + tg.start_at + " = " + format_instant(s.start);
    add(r, tg, explain_entry::kind::start, std::move(d));
  }
  void render(const transition::record& r, const target& tg, const transition::pause&) {
    add(r, tg, explain_entry::kind::pause, "pause_when: " + tg.pause_when->text());
  }
  void render(const transition::record& r, const target& tg, const transition::resume& s) {
    add(r, tg, explain_entry::kind::resume, "pause_when no longer holds; paused " + format_duration(s.paused_for));
  }
  void render(const transition::record& r, const target& tg, const transition::goal& s) {
    std::string d;
    if (s.index < 0) {
      d = "no goal holds: no due, no breach";
    } else {
      const goal& g = tg.goals[static_cast<std::size_t>(s.index)];
      d = "goal " + std::to_string(s.index) + ": ";
      if (s.due_at) d += "due " + format_instant(*s.due_at) + " (from attribute " + g.due_from + ")";
      else d += "within " + format_duration(s.within) + ((s.decided & detail::from_within) ? " (from attribute " + g.within_from + ")" : std::string());
      d += " on ";
      if (s.calendar < 0) d += "24x7 UTC";
      else d += "calendar '" + calendar_name(s.calendar) + "'";
      if (s.decided & detail::from_calendar) d += " (from attribute " + g.calendar_from + ")";
      if (g.has_when) d += " (when " + g.when.text() + ")";
      if (!s.zone.empty()) d += ", zone " + std::string(s.zone);
    }
    add(r, tg, explain_entry::kind::goal, std::move(d));
  }
  void render(const transition::record& r, const target& tg, const transition::due& s) {
    // Only moves of the due are news: the engine sends it after every event.
    const auto [it, fresh] = dues_.try_emplace({r.target, r.cycle}, s.at);
    if (!fresh) {
      if (it->second == s.at) return;
      it->second = s.at;
    }
    if (s.at) {
      add(r, tg, explain_entry::kind::due,
          "due " + format_instant(*s.at) + " (elapsed " + format_duration(s.elapsed.value_or(seconds{0})) + " of " +
              format_duration(s.goal.value_or(seconds{0})) + ")");
    } else {
      add(r, tg, explain_entry::kind::due, s.has_goal ? "no due: paused short of the goal" : "no due: no goal holds");
    }
  }
  void render(const transition::record& r, const target& tg, const transition::stop& s) {
    std::string d = "stop_when: " + tg.stop_when->text() + "; " + std::string(to_string(s.judged));
    if (s.due) d += " (due " + format_instant(*s.due) + ")";
    add(r, tg, explain_entry::kind::stop, std::move(d));
  }
  void render(const transition::record& r, const target& tg, const transition::cancel&) {
    add(r, tg, explain_entry::kind::cancel, "cancel_when: " + tg.cancel_when->text());
  }
  void render(const transition::record& r, const target& tg, const transition::reset&) {
    add(r, tg, explain_entry::kind::reset, "reset_when: " + tg.reset_when->text());
  }
  void render(const transition::record& r, const target& tg, const transition::breach& s) {
    std::string d = "due " + format_instant(s.due) + " passed with the clock at the goal (" +
                    format_duration(s.goal.value_or(seconds{0})) + "): breached";
    if ((s.state == timer_state::cancelled || s.state == timer_state::reset) && s.ended)
      d += " (the cycle ended " + std::string(to_string(s.state)) + " later, at " + format_instant(*s.ended) +
           "; it stays counted as breached)";
    add(late_, r, tg, explain_entry::kind::breach, std::move(d));
  }
  void render(const transition::record& r, const target& tg, const transition::at_risk&) {
    add(r, tg, explain_entry::kind::at_risk, "at_risk_when: " + tg.at_risk_when->text());
  }
  void render(const transition::record& r, const target& tg, const transition::escalation& s) {
    const escalation& esc = policy_->escalations[static_cast<std::size_t>(s.index)];
    std::string d = esc.name + " point " + std::to_string(s.point) + " fired: " + esc.actions_json;
    if (!esc.deliver_in.empty()) {
      d += "; deliver_in '" + esc.deliver_in + "': ";
      if (s.deliver_at > r.at)
        d += "closed then, delivered at " + format_instant(s.deliver_at);
      else if (const int k = policy_->compiled_escalations[static_cast<std::size_t>(s.index)].deliver_calendar;
               k >= 0 && policy_->calendars[static_cast<std::size_t>(k)].is_open(r.at))
        d += "open then, delivered at once";
      else
        d += "no open time within ten years, delivered at once";
    }
    add(fired_, r, tg, explain_entry::kind::escalation, std::move(d));
  }
  void render(const transition::record& r, const target& tg, const transition::skipped& s) {
    const escalation& esc = policy_->escalations[static_cast<std::size_t>(s.index)];
    add(r, tg, explain_entry::kind::skipped,
        esc.name + " point " + std::to_string(s.point) + " (at " + esc.at_text +
            "): when does not hold: " + esc.when->text());
  }

  const policy::impl* policy_;
  std::vector<explain_entry>* out_;
  std::vector<explain_entry> late_;   // breaches
  std::vector<explain_entry> fired_;  // escalation firings
  std::map<std::pair<int, std::int64_t>, std::optional<instant>> dues_;  // the due last told, per cycle
};

}  // namespace
}  // namespace detail

explanation explain(const policy& p, std::span<const event> events, std::string_view id, instant as_of) {
  explanation out;
  out.id = std::string(id);
  const auto groups = detail::group_events(events, as_of, id);
  if (groups.ids.empty()) return out;
  detail::record_engine engine(p);
  detail::explain_renderer renderer(detail::compiled(p), out.entries);
  engine.set_observer(&renderer);
  for (const std::size_t row : groups.rows_of(0)) engine.apply(events[row]);
  evaluation result;
  detail::finish_record(engine, id, as_of, result);
  renderer.finish();
  out.timers = std::move(result.timers);
  out.escalations = std::move(result.escalations);
  return out;
}

}  // namespace duly
