// The report's figures (duly/report.hpp): attainment rows, months, breaches and
// timelines, from the engine's evaluation and explain transitions.
//
// The counting follows the Python `duly.report` exactly (python/duly/analysis/
// attainment.py), so that the CLI, the page and the Python frame agree row by
// row; tests/python/test_html_report.py compares them.
#include <duly/report.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "report/report_text.hpp"

namespace duly {
namespace {

using report_detail::value_less;

// An invalid_argument error about the argument `path` ("by", "id").
error invalid(std::string message, std::string path) {
  diagnostic d;
  d.code = errc::invalid_argument;
  d.message = std::move(message);
  d.path = std::move(path);
  return error(std::move(d));
}

// The column a cycle is counted in.
enum class outcome { pending, met, breached, no_goal, open, cancelled, reset };

outcome outcome_of(const timer_row& t) {
  if (t.cycle == 0) return outcome::pending;
  switch (t.state) {
    case timer_state::running:
    case timer_state::paused: return outcome::open;
    case timer_state::met: return t.goal_seconds ? outcome::met : outcome::no_goal;
    case timer_state::breached: return outcome::breached;
    case timer_state::cancelled: return t.breached_at ? outcome::breached : outcome::cancelled;
    case timer_state::reset: return t.breached_at ? outcome::breached : outcome::reset;
    case timer_state::pending: return outcome::pending;
  }
  return outcome::pending;
}

// Per target: (family, place in family, kind, supports), so that an internal
// target (kind ola or uc, supporting an external one) sorts right after it.
struct target_place {
  std::size_t family = 0, place = 0;
  std::string kind, supports;
};

std::string label(const target& t, const char* key) {
  const auto it = t.labels.find(key);
  return it == t.labels.end() ? std::string() : it->second;
}

std::map<std::string, target_place> target_order(const policy& p, const std::set<std::string>& seen) {
  std::vector<std::string> order;
  std::map<std::string, const target*> defs;
  for (const target& t : p.targets()) {
    order.push_back(t.name);
    defs.emplace(t.name, &t);
  }
  for (const std::string& t : seen)
    if (!defs.contains(t) && std::find(order.begin(), order.end(), t) == order.end()) order.push_back(t);
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < order.size(); ++i) index.emplace(order[i], i);
  const auto internal = [](const std::string& k) { return k == "ola" || k == "uc"; };
  std::map<std::string, target_place> out;
  for (const std::string& name : order) {
    target_place tp;
    tp.family = index[name];
    if (auto d = defs.find(name); d != defs.end()) {
      tp.kind = label(*d->second, "kind");
      tp.supports = label(*d->second, "supports");
    }
    if (internal(tp.kind) && index.contains(tp.supports)) {
      const auto s = defs.find(tp.supports);
      if (s == defs.end() || !internal(label(*s->second, "kind"))) {
        tp.family = index[tp.supports];
        tp.place = 1 + index[name];
      }
    }
    out.emplace(name, std::move(tp));
  }
  return out;
}

// Nearest rank: the smallest value with at least p % of the values at or below it.
std::optional<seconds> percentile(std::vector<std::int64_t> values, std::int64_t p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const auto n = static_cast<std::int64_t>(values.size());
  const std::int64_t rank = std::max<std::int64_t>(1, (p * n + 99) / 100);
  return seconds(values[static_cast<std::size_t>(rank - 1)]);
}

struct row_key {
  std::string target;
  owned_value v;
};
struct row_key_less {
  bool operator()(const row_key& a, const row_key& b) const {
    if (a.target != b.target) return a.target < b.target;
    return value_less(a.v.view(), b.v.view());
  }
};

struct tally {
  attainment_row row;
  std::vector<std::int64_t> to_stop;
};

const owned_value& carried_or_null(const std::vector<owned_value>& carried) {
  static const owned_value null;
  return carried.empty() ? null : carried.front();
}

// The attainment rows of `e`: by the carried value (with_by, from the segments
// for the time columns) or per target (each cycle whole).
std::vector<attainment_row> attainment_rows(const evaluation& e, instant as_of, bool with_by, const policy& order) {
  std::map<row_key, tally, row_key_less> rows;
  const auto at = [&](const std::string& target, const owned_value& v) -> tally& {
    return rows[row_key{target, with_by ? v : owned_value{}}];
  };
  for (const timer_row& t : e.timers) {
    tally& r = at(t.target, carried_or_null(t.carried));
    const outcome o = outcome_of(t);
    if (t.cycle > 0) ++r.row.cycles;
    switch (o) {
      case outcome::pending: ++r.row.pending; break;
      case outcome::met: ++r.row.met; break;
      case outcome::breached: ++r.row.breached; break;
      case outcome::no_goal: ++r.row.no_goal; break;
      case outcome::open: ++r.row.open; break;
      case outcome::cancelled: ++r.row.cancelled; break;
      case outcome::reset: ++r.row.reset; break;
    }
    const bool judged = (o == outcome::met || o == outcome::breached) &&
                        (t.state == timer_state::met || t.state == timer_state::breached);
    if (judged && t.stopped && t.elapsed_seconds && t.goal_seconds) r.to_stop.push_back(t.elapsed_seconds->count());
  }
  if (with_by) {
    for (const segment_row& s : e.segments) {
      const std::int64_t span = (s.until - s.from).count();
      if (span <= 0) continue;  // an empty piece holds no time and makes no row
      tally& r = at(s.target, carried_or_null(s.carried));
      if (s.paused) {
        r.row.paused_seconds += span;
      } else {
        r.row.running_wall_seconds += span;
        r.row.running_seconds += s.business_seconds;
      }
    }
  } else {
    for (const timer_row& t : e.timers) {
      if (t.cycle <= 0 || !t.started) continue;
      const instant end = t.stopped ? *t.stopped : as_of;
      if (end <= *t.started) continue;
      const std::int64_t span = (end - *t.started).count();
      const std::int64_t paused = std::max<std::int64_t>(t.paused_seconds ? t.paused_seconds->count() : 0, 0);
      tally& r = at(t.target, owned_value{});
      r.row.paused_seconds += paused;
      r.row.running_wall_seconds += span - paused;
      r.row.running_seconds += t.elapsed_seconds ? t.elapsed_seconds->count() : span - paused;  // 24x7 without a goal
    }
  }

  std::set<std::string> seen;
  for (const auto& [k, _] : rows) seen.insert(k.target);
  const auto places = target_order(order, seen);
  std::vector<attainment_row> out;
  out.reserve(rows.size());
  for (auto& [k, r] : rows) {
    r.row.target = k.target;
    r.row.by_value = k.v;
    const target_place& tp = places.at(k.target);
    r.row.kind = tp.kind;
    r.row.supports = tp.supports;
    r.row.p50 = percentile(r.to_stop, 50);
    r.row.p90 = percentile(r.to_stop, 90);
    out.push_back(std::move(r.row));
  }
  std::stable_sort(out.begin(), out.end(), [&](const attainment_row& a, const attainment_row& b) {
    const target_place& pa = places.at(a.target);
    const target_place& pb = places.at(b.target);
    if (pa.family != pb.family) return pa.family < pb.family;
    if (value_less(a.by_value.view(), b.by_value.view())) return true;
    if (value_less(b.by_value.view(), a.by_value.view())) return false;
    if (pa.place != pb.place) return pa.place < pb.place;
    return a.target < b.target;
  });
  return out;
}

std::vector<month_row> month_rows(const evaluation& e, const policy& order) {
  std::map<std::pair<int, std::string>, month_row> months;  // (year * 12 + month, target)
  std::set<std::string> seen;
  for (const timer_row& t : e.timers) {
    const outcome o = outcome_of(t);
    std::optional<instant> when;
    if (o == outcome::met) when = t.stopped;
    else if (o == outcome::breached) when = (t.state == timer_state::breached && t.stopped) ? t.stopped : t.breached_at;
    if (!when) continue;
    const std::chrono::year_month_day d{std::chrono::floor<std::chrono::days>(*when)};
    const int key = static_cast<int>(d.year()) * 12 + static_cast<int>(static_cast<unsigned>(d.month())) - 1;
    month_row& m = months[{key, t.target}];
    m.month = d.year() / d.month();
    m.target = t.target;
    (o == outcome::met ? m.met : m.breached) += 1;
    seen.insert(t.target);
  }
  const auto places = target_order(order, seen);
  std::vector<month_row> out;
  for (auto& [_, m] : months) out.push_back(std::move(m));
  std::stable_sort(out.begin(), out.end(), [&](const month_row& a, const month_row& b) {
    if (a.month != b.month) return a.month < b.month;
    const target_place& pa = places.at(a.target);
    const target_place& pb = places.at(b.target);
    return std::tie(pa.family, pa.place) < std::tie(pb.family, pb.place);
  });
  return out;
}

constexpr std::string_view reserved_names[] = {
    "id",        "at",      "target",  "cycle",   "kind",       "supports",    "cycles",
    "met",       "breached", "no_goal", "open",   "cancelled",  "reset",       "pending",
    "attainment", "p50_seconds", "p90_seconds", "running_seconds", "running_wall_seconds", "paused_seconds"};

result<void> check_by(const std::string& by, std::span<const report_group> groups) {
  if (by.empty()) return {};
  for (const std::string_view r : reserved_names) {
    if (by == r) {
      return tl::unexpected(invalid(
                                             "'" + by + "' is not an attribute to split by: rows are always per " +
                                                 "target, and it names a column of the report; split by event " +
                                                 "attributes such as 'group' or 'priority'",
                                             "by"));
    }
  }
  std::set<std::string> names;
  for (const report_group& g : groups)
    for (const event& e : g.events)
      for (const attribute_update& u : e.updates) {
        if (u.name == by) return {};
        if (names.size() < 50) names.insert(u.name);
      }
  std::string listed;
  for (const std::string& n : names) listed += (listed.empty() ? "'" : ", '") + n + "'";
  return tl::unexpected(invalid(
                                         "no event has the attribute '" + by + "'; the events have: " +
                                             (listed.empty() ? std::string("none") : listed),
                                         "by"));
}

template <class T, class Id>
std::vector<T> of_record(const std::vector<T>& rows, const Id& id) {
  std::vector<T> out;
  for (const T& r : rows)
    if (r.id == id) out.push_back(r);
  return out;
}

}  // namespace

result<report> make_report(const policy& order, std::span<const report_group> groups, instant as_of,
                           const report_options& options) {
  if (auto ok = check_by(options.by, groups); !ok) return tl::unexpected(ok.error());
  evaluate_options eo;
  if (!options.by.empty()) {
    eo.carry = {options.by};
    eo.segments = true;
  }
  evaluation all;
  std::unordered_map<std::string, std::size_t> group_of;  // record id -> group
  for (std::size_t g = 0; g < groups.size(); ++g) {
    evaluation part = evaluate(*groups[g].used, groups[g].events, as_of, eo);
    for (const timer_row& t : part.timers) group_of.try_emplace(t.id, g);
    std::move(part.timers.begin(), part.timers.end(), std::back_inserter(all.timers));
    std::move(part.escalations.begin(), part.escalations.end(), std::back_inserter(all.escalations));
    std::move(part.pauses.begin(), part.pauses.end(), std::back_inserter(all.pauses));
    std::move(part.segments.begin(), part.segments.end(), std::back_inserter(all.segments));
    all.events_applied += part.events_applied;
    all.events_ignored += part.events_ignored;
  }

  report r;
  r.as_of = as_of;
  r.title = options.title;
  r.by = options.by;
  r.max_entries = options.max_entries;
  r.events_applied = all.events_applied;
  r.events_ignored = all.events_ignored;
  r.targets = attainment_rows(all, as_of, false, order);
  r.rows = options.by.empty() ? r.targets : attainment_rows(all, as_of, true, order);
  r.months = month_rows(all, order);

  for (const timer_row& t : all.timers) {
    if (outcome_of(t) != outcome::breached) continue;
    breach_row b;
    b.id = t.id;
    b.target = t.target;
    b.cycle = t.cycle;
    b.state = t.state;
    b.due = t.due;
    b.breached_at = t.breached_at;
    b.stopped = t.stopped;
    b.goal_seconds = t.goal_seconds;
    b.elapsed_seconds = t.elapsed_seconds;
    b.by_value = carried_or_null(t.carried);
    r.breaches.push_back(std::move(b));
  }
  // The latest breaches first: what a review looks at.
  std::stable_sort(r.breaches.begin(), r.breaches.end(), [](const breach_row& a, const breach_row& b) {
    const instant ta = a.breached_at.value_or(instant{}), tb = b.breached_at.value_or(instant{});
    if (ta != tb) return ta > tb;
    return std::tie(a.id, a.target, a.cycle) < std::tie(b.id, b.target, b.cycle);
  });
  r.breaches_total = r.breaches.size();

  // Timelines for the first max_timelines records in that order.
  std::unordered_map<std::string, int> timeline_of;
  std::unordered_set<std::string> breached_ids;
  std::vector<std::string> chosen;
  for (const breach_row& b : r.breaches) {
    if (!breached_ids.insert(b.id).second) continue;
    if (chosen.size() < options.max_timelines) {
      timeline_of.emplace(b.id, static_cast<int>(chosen.size()));
      chosen.push_back(b.id);
    }
  }
  r.breached_records = breached_ids.size();
  for (breach_row& b : r.breaches)
    if (auto it = timeline_of.find(b.id); it != timeline_of.end()) b.timeline = it->second;
  if (r.breaches.size() > options.max_breaches) r.breaches.resize(options.max_breaches);

  std::vector<std::vector<event>> record_events(chosen.size());
  for (const report_group& g : groups)
    for (const event& e : g.events)
      if (auto it = timeline_of.find(e.id); it != timeline_of.end())
        record_events[static_cast<std::size_t>(it->second)].push_back(e);
  for (std::size_t k = 0; k < chosen.size(); ++k) {
    record_timeline tl;
    tl.id = chosen[k];
    tl.timers = of_record(all.timers, tl.id);
    tl.pauses = of_record(all.pauses, tl.id);
    tl.escalations = of_record(all.escalations, tl.id);
    const report_group& g = groups[group_of.at(tl.id)];
    tl.entries = explain(*g.used, record_events[k], tl.id, as_of).entries;
    r.timelines.push_back(std::move(tl));
  }
  return r;
}

result<report> make_report(const policy& p, std::span<const event> events, instant as_of,
                           const report_options& options) {
  const report_group g{&p, events};
  return make_report(p, std::span<const report_group>(&g, 1), as_of, options);
}

result<record_timeline> make_record_timeline(const policy& p, std::span<const event> events, std::string_view id,
                                             instant as_of) {
  std::vector<event> mine;
  for (const event& e : events)
    if (e.id == id && e.at <= as_of) mine.push_back(e);
  if (mine.empty()) {
    return tl::unexpected(invalid(
                                           "no events for record '" + std::string(id) + "' at or before " +
                                               format_instant(as_of),
                                           "id"));
  }
  const evaluation e = evaluate(p, mine, as_of);
  record_timeline t;
  t.id = std::string(id);
  t.timers = e.timers;
  t.pauses = e.pauses;
  t.escalations = e.escalations;
  t.entries = explain(p, mine, id, as_of).entries;
  return t;
}

}  // namespace duly
