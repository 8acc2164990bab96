// Property test: the timer engine (duly::evaluate and duly::evaluator) against
// a slow, obviously-correct reference of SPEC section 7 written here.
//
// The reference shares nothing with src/: it works in whole minutes (every
// random instant and every window boundary is a whole minute, so it is exact at
// one-second resolution), marks each minute of a 45-day span open or closed
// from the calendars' weekly windows, holidays and exceptions by a plain loop
// over dates (UTC only), evaluates the conditions of a fixed vocabulary with
// plain code, replays each record's events through the rules of section 7, and
// measures every cycle by walking it minute by minute.
//
// Each round draws a policy from a template:
//   start_when   event == "open"
//   stop_when    event == "close" | status == "done" | either
//   pause_when   status == "hold"                       (optional)
//   reset_when   event == "reopen" [or changed(team)]   (optional)
//   cancel_when  event == "drop"                        (optional)
//   applies_when channel != "internal"                  (optional)
//   start_at     opened_at                              (optional)
//   goals        priority == "P1" / "P2" / always, in whole minutes on 24x7 or
//                one of three calendars, or a business-day goal on office hours
// with one or two targets, and replays random records (1 to 15 events each,
// interleaved, with same-instant ties and events after as_of). Instants and
// goals of a round fall on a grain of 1, 15 or 60 minutes, so that stops and
// as_of often land exactly on a due. Each round is checked at the as_of its
// events were drawn around and at an earlier one: every row is compared field
// by field with duly::evaluate, and duly::evaluate with duly::evaluator fed
// one event at a time, in a shuffled order and in time order. A mismatch
// prints the policy, the record's events and both sets of rows.
//
// Environment:
//   DULY_PROPERTY_SEED   the seed (default 20261123; printed either way)
//   DULY_DIFF_RECORDS    the number of records over all rounds (default 5000)
#include <duly/duly.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace {

using std::int64_t;
using std::chrono::sys_days;
using namespace std::chrono;

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoull(v, nullptr, 10);
}

// splitmix64: the same stream on every platform.
struct rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  int64_t below(int64_t n) { return static_cast<int64_t>(next() % static_cast<std::uint64_t>(n)); }
  int64_t between(int64_t lo, int64_t hi) { return lo + below(hi - lo + 1); }
  bool chance(int percent) { return below(100) < percent; }
};

// --- time in minutes ----------------------------------------------------------

// Minute 0 is Monday 2026-11-09T00:00Z. The reference covers 45 days.
constexpr sys_days day_zero = sys_days{year{2026} / November / 9};
constexpr int64_t horizon_days = 45;
constexpr int64_t horizon = horizon_days * 1440;
const int64_t epoch_of_zero = duration_cast<seconds>(day_zero.time_since_epoch()).count();

int64_t to_epoch_seconds(int64_t minute) { return epoch_of_zero + minute * 60; }
duly::instant to_instant(int64_t minute) { return duly::instant{seconds{to_epoch_seconds(minute)}}; }

int64_t day_of(sys_days d) { return (d - day_zero).count(); }

// "2026-11-12T14:05:00Z", or the same instant written in a zone `offset_minutes` east.
std::string iso(int64_t minute, int offset_minutes = 0) {
  const int64_t local = minute + offset_minutes;
  const sys_days d = day_zero + days{local >= 0 ? local / 1440 : (local - 1439) / 1440};
  const int64_t in_day = local - day_of(d) * 1440;
  const year_month_day ymd{d};
  char buf[64];
  if (offset_minutes == 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:00Z", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(in_day / 60),
                  static_cast<int>(in_day % 60));
  } else {
    const int a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:00%c%02d:%02d", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(in_day / 60),
                  static_cast<int>(in_day % 60), offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
  }
  return buf;
}

// --- calendars (the reference's own reading of SPEC section 3) ----------------

// 0 = 24x7 (no calendar), 1 = office, 2 = lunch, 3 = night.
constexpr int calendar_count = 4;
constexpr std::array<const char*, calendar_count> calendar_names = {"", "office", "lunch", "night"};

constexpr const char* calendars_yaml = R"(calendars:
  office:
    timezone: UTC
    hours: { mon-fri: "09:00-17:00", sat: "10:00-12:00" }
    holidays: [2026-11-26]
    exceptions: { 2026-11-27: ["09:00-12:00"] }
  lunch:
    hours: { mon-fri: ["08:00-12:00", "13:00-17:00"] }
    holidays: [2026-12-01]
  night:
    hours: { daily: "20:00-04:00" }
)";

struct span {
  int from;  // minutes since local midnight
  int to;    // may be <= from: runs past midnight
};

// The windows of a date on a calendar (weekday 0 = Monday).
std::vector<span> windows_of(int cal, int64_t day) {
  const int weekday = static_cast<int>(day % 7);
  switch (cal) {
    case 1: {
      if (day == day_of(sys_days{year{2026} / November / 26})) return {};  // holiday
      if (day == day_of(sys_days{year{2026} / November / 27})) return {{9 * 60, 12 * 60}};  // exception
      if (weekday <= 4) return {{9 * 60, 17 * 60}};
      if (weekday == 5) return {{10 * 60, 12 * 60}};
      return {};
    }
    case 2: {
      if (day == day_of(sys_days{year{2026} / December / 1})) return {};  // holiday
      if (weekday <= 4) return {{8 * 60, 12 * 60}, {13 * 60, 17 * 60}};
      return {};
    }
    case 3: return {{20 * 60, 4 * 60}};
    default: return {{0, 24 * 60}};
  }
}

struct reference_calendar {
  std::vector<std::uint8_t> open;  // per minute of the horizon
  // Per date: whether it is an open day, and its last closing minute.
  std::vector<std::uint8_t> open_day;
  std::vector<int64_t> last_close;
};

std::array<reference_calendar, calendar_count> build_calendars() {
  std::array<reference_calendar, calendar_count> out;
  for (int c = 0; c < calendar_count; ++c) {
    auto& rc = out[static_cast<std::size_t>(c)];
    rc.open.assign(static_cast<std::size_t>(horizon), 0);
    rc.open_day.assign(static_cast<std::size_t>(horizon_days), 0);
    rc.last_close.assign(static_cast<std::size_t>(horizon_days), 0);
    for (int64_t d = 0; d < horizon_days; ++d) {
      for (const span w : windows_of(c, d)) {
        const int64_t from = d * 1440 + w.from;
        const int64_t to = d * 1440 + (w.to <= w.from ? w.to + 1440 : w.to);
        if (to <= from) continue;
        rc.open_day[static_cast<std::size_t>(d)] = 1;
        rc.last_close[static_cast<std::size_t>(d)] = std::max(rc.last_close[static_cast<std::size_t>(d)], to);
        for (int64_t m = from; m < to && m < horizon; ++m) rc.open[static_cast<std::size_t>(m)] = 1;
      }
    }
  }
  return out;
}

const std::array<reference_calendar, calendar_count>& calendars() {
  static const auto cals = build_calendars();
  return cals;
}

bool is_open(int cal, int64_t minute) {
  if (minute < 0 || minute >= horizon) {
    ADD_FAILURE() << "the reference walked out of its horizon: minute " << minute;
    throw std::out_of_range("horizon");
  }
  return calendars()[static_cast<std::size_t>(cal)].open[static_cast<std::size_t>(minute)] != 0;
}

// --- the policy template ------------------------------------------------------

struct goal_choice {
  int priority = 0;  // 1: priority == "P1", 2: "P2", 0: always
  int cal = 0;       // index into calendar_names
  int64_t minutes = 0;
  int business_days = 0;  // > 0: `Nbd` instead of minutes
};

struct target_choice {
  std::string name;
  bool applies = false;
  int stop = 0;  // 0: event == "close"; 1: status == "done"; 2: either
  bool pause = false;
  bool reset = false;
  bool reset_on_team = false;
  bool cancel = false;
  bool start_at = false;
  std::vector<goal_choice> goals;
};

struct policy_choice {
  std::vector<target_choice> targets;
};

// `grain`: every goal is a multiple of it (1, 15 or 60 minutes), so that stops
// and as_of often fall exactly on a due.
policy_choice random_policy(rng& r, int64_t grain) {
  policy_choice p;
  const int n = r.chance(35) ? 2 : 1;
  for (int t = 0; t < n; ++t) {
    target_choice tc;
    tc.name = t == 0 ? "resolution" : "response";
    tc.applies = r.chance(30);
    tc.stop = static_cast<int>(r.below(3));
    tc.pause = r.chance(75);
    tc.reset = r.chance(50);
    tc.reset_on_team = tc.reset && r.chance(40);
    tc.cancel = r.chance(50);
    tc.start_at = r.chance(30);
    const auto minutes_goal = [&](int priority) {
      goal_choice g;
      g.priority = priority;
      g.cal = static_cast<int>(r.below(calendar_count));
      const int k = static_cast<int>(r.below(10));
      g.minutes = k == 0 ? 0 : k < 4 ? r.between(1, 120) : k < 8 ? r.between(60, 1200) : r.between(600, 3000);
      g.minutes -= g.minutes % grain;
      return g;
    };
    if (r.chance(80)) tc.goals.push_back(minutes_goal(1));
    if (r.chance(60)) tc.goals.push_back(minutes_goal(2));
    if (tc.goals.empty() || r.chance(50)) {
      if (r.chance(35)) {
        goal_choice g;
        g.priority = 0;
        g.cal = r.chance(50) ? 1 : 2;
        g.business_days = static_cast<int>(r.between(1, 3));
        tc.goals.push_back(g);
      } else {
        tc.goals.push_back(minutes_goal(0));
      }
    }
    p.targets.push_back(std::move(tc));
  }
  return p;
}

std::string to_yaml(const policy_choice& p) {
  std::ostringstream os;
  os << "duly: 1\n" << calendars_yaml << "targets:\n";
  for (const auto& t : p.targets) {
    os << "  - name: " << t.name << "\n";
    if (t.applies) os << "    applies_when: channel != \"internal\"\n";
    os << "    start_when: event == \"open\"\n";
    static constexpr std::array<const char*, 3> stops = {R"(event == "close")", R"(status == "done")",
                                                          R"(event == "close" or status == "done")"};
    os << "    stop_when: " << stops[static_cast<std::size_t>(t.stop)] << "\n";
    if (t.pause) os << "    pause_when: status == \"hold\"\n";
    if (t.reset) os << "    reset_when: event == \"reopen\"" << (t.reset_on_team ? " or changed(team)" : "") << "\n";
    if (t.cancel) os << "    cancel_when: event == \"drop\"\n";
    if (t.start_at) os << "    start_at: opened_at\n";
    os << "    goals:\n";
    for (const auto& g : t.goals) {
      os << "      - {";
      if (g.priority != 0) os << " when: priority == \"P" << g.priority << "\",";
      if (g.business_days > 0) os << " within: " << g.business_days << "bd";
      else os << " within: " << g.minutes << "m";
      if (g.cal != 0) os << ", calendar: " << calendar_names[static_cast<std::size_t>(g.cal)];
      os << " }\n";
    }
  }
  return os.str();
}

// --- events -------------------------------------------------------------------

struct update {
  std::string name;
  int kind = 0;  // 0 null, 1 string, 2 number
  std::string text;
  double number = 0;
  std::optional<int64_t> instant_minute;  // what `text` means as an instant, if anything
  friend bool same_value(const update& a, const update& b) {
    if (a.kind != b.kind) return false;
    if (a.kind == 1) return a.text == b.text;
    if (a.kind == 2) return a.number == b.number;
    return true;
  }
};

struct gen_event {
  std::string id;
  int64_t at = 0;  // minute
  std::string name;
  std::vector<update> updates;
  std::uint64_t sequence = 0;  // input order
};

update text_update(std::string name, std::string value) { return update{std::move(name), 1, std::move(value), 0, {}}; }
update null_update(std::string name) { return update{std::move(name), 0, {}, 0, {}}; }

// Events on multiples of `grain` minutes around `as_of`.
std::vector<gen_event> random_record(rng& r, const std::string& id, int64_t as_of, int64_t grain) {
  std::vector<gen_event> out;
  const int count = static_cast<int>(r.between(1, 15));
  const int64_t base = as_of - r.between(1, 5 * 1440);
  for (int i = 0; i < count; ++i) {
    gen_event e;
    e.id = id;
    if (!out.empty() && r.chance(20)) {
      e.at = out[static_cast<std::size_t>(r.below(static_cast<int64_t>(out.size())))].at;  // a tie
    } else {
      const int k = static_cast<int>(r.below(10));
      e.at = base + (k < 5 ? r.between(0, 600) : k < 9 ? r.between(0, 3 * 1440) : r.between(0, 6 * 1440));
      e.at -= e.at % grain;
    }
    const int n = static_cast<int>(r.below(100));
    e.name = i == 0 && r.chance(70) ? "open"
             : n < 25              ? "open"
             : n < 40              ? "close"
             : n < 50              ? "reopen"
             : n < 57              ? "drop"
                                   : "note";
    if (r.chance(40)) {
      static constexpr std::array<const char*, 5> statuses = {"open", "hold", "hold", "done", nullptr};
      const char* s = statuses[static_cast<std::size_t>(r.below(5))];
      e.updates.push_back(s ? text_update("status", s) : null_update("status"));
    }
    if (r.chance(30)) {
      static constexpr std::array<const char*, 4> priorities = {"P1", "P2", "P3", nullptr};
      const char* s = priorities[static_cast<std::size_t>(r.below(4))];
      e.updates.push_back(s ? text_update("priority", s) : null_update("priority"));
    }
    if (r.chance(15)) e.updates.push_back(text_update("channel", r.chance(50) ? "internal" : "email"));
    if (r.chance(12)) e.updates.push_back(text_update("team", r.chance(50) ? "a" : "b"));
    if (r.chance(15)) {
      const int k = static_cast<int>(r.below(10));
      if (k == 0) {
        e.updates.push_back(text_update("opened_at", "not a time"));
      } else if (k == 1) {
        e.updates.push_back(update{"opened_at", 2, {}, 5, {}});
      } else if (k == 2) {
        e.updates.push_back(null_update("opened_at"));
      } else {
        const int64_t back = r.between(0, 600);
        const int64_t when = e.at - (back - back % grain);
        const int offset = k < 6 ? 0 : static_cast<int>(r.between(-12, 14)) * 60 + (k == 9 ? 30 : 0);
        update u = text_update("opened_at", iso(when, offset));
        u.instant_minute = when;
        e.updates.push_back(std::move(u));
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

duly::event to_engine(const gen_event& g) {
  duly::event e;
  e.id = g.id;
  e.at = to_instant(g.at);
  e.name = g.name;
  e.sequence = g.sequence;
  for (const auto& u : g.updates) {
    duly::value v = u.kind == 1 ? duly::value::string(u.text)
                    : u.kind == 2 ? duly::value::number(u.number)
                                  : duly::value::null();
    e.updates.push_back({u.name, duly::owned_value(v)});
  }
  return e;
}

// --- rows -----------------------------------------------------------------------

struct cmp_row {
  std::string id;
  std::string target;
  int64_t cycle = 0;
  std::string state;
  bool ended = false;
  int goal_index = -1;
  std::optional<int64_t> goal, started, stopped, due, breached_at, elapsed, remaining, paused, next_wakeup;
  friend bool operator==(const cmp_row&, const cmp_row&) = default;
};

std::optional<int64_t> secs(const std::optional<duly::seconds>& d) {
  return d ? std::optional<int64_t>(d->count()) : std::nullopt;
}
std::optional<int64_t> secs(const std::optional<duly::instant>& t) {
  return t ? std::optional<int64_t>(t->time_since_epoch().count()) : std::nullopt;
}

cmp_row from_engine(const duly::timer_row& r) {
  cmp_row c;
  c.id = r.id;
  c.target = r.target;
  c.cycle = r.cycle;
  c.state = std::string(duly::to_string(r.state));
  c.ended = r.ended;
  c.goal_index = r.goal_index;
  c.goal = secs(r.goal_seconds);
  c.started = secs(r.started);
  c.stopped = secs(r.stopped);
  c.due = secs(r.due);
  c.breached_at = secs(r.breached_at);
  c.elapsed = secs(r.elapsed_seconds);
  c.remaining = secs(r.remaining_seconds);
  c.paused = secs(r.paused_seconds);
  c.next_wakeup = secs(r.next_wakeup);
  return c;
}

std::string show_instant(const std::optional<int64_t>& t) {
  if (!t) return "-";
  return duly::format_instant(duly::instant{seconds{*t}});
}
std::string show_seconds(const std::optional<int64_t>& d) { return d ? std::to_string(*d) + "s" : "-"; }

std::string show(const cmp_row& r) {
  std::ostringstream os;
  os << r.id << " " << r.target << " #" << r.cycle << " " << r.state << (r.ended ? " (ended)" : "")
     << " goal[" << r.goal_index << "]=" << show_seconds(r.goal) << " started=" << show_instant(r.started)
     << " stopped=" << show_instant(r.stopped) << " due=" << show_instant(r.due)
     << " breached_at=" << show_instant(r.breached_at) << " elapsed=" << show_seconds(r.elapsed)
     << " remaining=" << show_seconds(r.remaining) << " paused=" << show_seconds(r.paused)
     << " next_wakeup=" << show_instant(r.next_wakeup);
  return os.str();
}

// --- the reference ----------------------------------------------------------------

struct ref_cycle {
  int64_t start = 0;
  std::optional<int64_t> end;
  std::string end_state;  // "cancelled", "reset" or "stop"
  std::vector<std::pair<int64_t, int64_t>> pauses;
  std::optional<int64_t> paused_since;
  int goal = -1;
};

struct attribute_store {
  std::map<std::string, update> values;  // absent = null
  const update* get(const std::string& name) const {
    const auto it = values.find(name);
    return it == values.end() || it->second.kind == 0 ? nullptr : &it->second;
  }
  bool equals(const std::string& name, const std::string& literal) const {
    const update* u = get(name);
    return u != nullptr && u->kind == 1 && u->text == literal;
  }
};

int choose_goal(const target_choice& t, const attribute_store& a) {
  for (std::size_t g = 0; g < t.goals.size(); ++g) {
    const int p = t.goals[g].priority;
    if (p == 0 || a.equals("priority", p == 1 ? "P1" : "P2")) return static_cast<int>(g);
  }
  return -1;
}

// The goal of cycle `c` in minutes of open time.
int64_t goal_minutes(const goal_choice& g, const ref_cycle& c) {
  if (g.business_days == 0) return g.minutes;
  // The last closing time of the N-th open day after the start's (UTC) date.
  const auto& rc = calendars()[static_cast<std::size_t>(g.cal)];
  int64_t day = c.start / 1440;
  int found = 0;
  while (found < g.business_days) {
    ++day;
    if (day >= horizon_days) throw std::out_of_range("horizon");
    if (rc.open_day[static_cast<std::size_t>(day)]) ++found;
  }
  const int64_t deadline = rc.last_close[static_cast<std::size_t>(day)];
  int64_t n = 0;
  for (int64_t m = c.start; m < deadline; ++m) n += is_open(g.cal, m) ? 1 : 0;
  return n;
}

cmp_row measure(const std::string& id, const target_choice& t, const ref_cycle& c, std::int64_t number,
                int64_t as_of) {
  cmp_row row;
  row.id = id;
  row.target = t.name;
  row.cycle = number;
  row.ended = c.end.has_value();
  row.goal_index = c.goal;
  row.started = to_epoch_seconds(c.start);
  if (c.end) row.stopped = to_epoch_seconds(*c.end);
  const int64_t until = c.end ? *c.end : as_of;
  const auto paused_at = [&](int64_t m) {
    for (const auto& [a, b] : c.pauses)
      if (a <= m && m < b) return true;
    return c.paused_since && *c.paused_since <= m;
  };
  int64_t paused = 0;
  for (int64_t m = c.start; m < until; ++m) paused += paused_at(m) ? 1 : 0;
  row.paused = paused * 60;
  const bool paused_now = !c.end && c.paused_since.has_value();

  if (c.goal < 0) {
    row.state = c.end ? (c.end_state == "stop" ? "met" : c.end_state) : paused_now ? "paused" : "running";
    return row;
  }
  const goal_choice& g = t.goals[static_cast<std::size_t>(c.goal)];
  const int64_t goal = goal_minutes(g, c);
  row.goal = goal * 60;
  // Walk the cycle minute by minute: elapsed over the running minutes up to
  // `until`, and the first instant at which it reaches the goal, running on
  // without pause after `until`.
  int64_t elapsed = 0;
  std::optional<int64_t> due;
  if (goal == 0) due = c.start;
  for (int64_t m = c.start; m < until; ++m) {
    if (paused_at(m) || !is_open(g.cal, m)) continue;
    ++elapsed;
    if (!due && elapsed == goal) due = m + 1;
  }
  if (!due && !paused_now) {
    int64_t count = elapsed;
    for (int64_t m = until;; ++m) {
      if (is_open(g.cal, m) && ++count == goal) {
        due = m + 1;
        break;
      }
    }
  }
  row.elapsed = elapsed * 60;
  row.remaining = (goal - elapsed) * 60;
  if (due) row.due = to_epoch_seconds(*due);
  if (c.end) {
    if (c.end_state == "stop") {
      row.state = *c.end <= *due ? "met" : "breached";
      if (row.state == "breached") row.breached_at = row.due;
    } else {
      row.state = c.end_state;
    }
  } else if (due && as_of > *due) {
    row.state = "breached";
    row.breached_at = row.due;
  } else {
    row.state = paused_now ? "paused" : "running";
    if (due && *due >= as_of) row.next_wakeup = to_epoch_seconds(*due) + 1;
  }
  return row;
}

// Every row of one record at as_of, or none when no event is at or before it.
std::vector<cmp_row> reference_record(const policy_choice& p, std::vector<gen_event> events, int64_t as_of) {
  std::stable_sort(events.begin(), events.end(), [](const gen_event& a, const gen_event& b) {
    return a.at != b.at ? a.at < b.at : a.sequence < b.sequence;
  });
  attribute_store attrs;
  std::vector<std::vector<ref_cycle>> cycles(p.targets.size());
  std::vector<bool> active(p.targets.size(), false);
  bool any = false;
  for (const auto& e : events) {
    if (e.at > as_of) continue;
    any = true;
    bool team_changed = false;
    for (const auto& u : e.updates) {
      const update* old = attrs.get(u.name);
      const bool differs = old == nullptr ? u.kind != 0 : !same_value(*old, u);
      if (u.name == "team" && differs) team_changed = true;
      attrs.values[u.name] = u;
    }
    for (std::size_t i = 0; i < p.targets.size(); ++i) {
      const target_choice& t = p.targets[i];
      auto& cs = cycles[i];
      const bool stop = (t.stop != 1 && e.name == "close") || (t.stop != 0 && attrs.equals("status", "done"));
      const bool pause = t.pause && attrs.equals("status", "hold");
      const bool reset = t.reset && (e.name == "reopen" || (t.reset_on_team && team_changed));
      const bool cancel = t.cancel && e.name == "drop";
      const bool applies = !t.applies || !attrs.equals("channel", "internal");
      const auto begin = [&](int64_t start) {
        ref_cycle c;
        c.start = start;
        if (pause) c.paused_since = start;
        c.goal = choose_goal(t, attrs);
        cs.push_back(c);
        active[i] = true;
      };
      const auto finish = [&](const char* how) {
        ref_cycle& c = cs.back();
        if (c.paused_since) {
          c.pauses.emplace_back(*c.paused_since, std::max(e.at, *c.paused_since));
          c.paused_since.reset();
        }
        c.end = e.at;
        c.end_state = how;
        c.goal = choose_goal(t, attrs);
        active[i] = false;
      };
      if (!active[i]) {
        if (applies && e.name == "open" && !stop) {
          int64_t start = e.at;
          if (t.start_at) {
            if (const update* u = attrs.get("opened_at"); u && u->kind == 1 && u->instant_minute) {
              // Retroactive, but never after the event nor before the last cycle's end.
              start = std::min(*u->instant_minute, e.at);
              if (!cs.empty() && cs.back().end) start = std::max(start, *cs.back().end);
            }
          }
          begin(start);
        }
        continue;
      }
      if (cancel) {
        finish("cancelled");
      } else if (stop) {
        finish("stop");
      } else if (reset) {
        finish("reset");
        begin(e.at);
      } else {
        ref_cycle& c = cs.back();
        if (pause && !c.paused_since) {
          c.paused_since = std::max(e.at, c.start);
        } else if (!pause && c.paused_since) {
          c.pauses.emplace_back(*c.paused_since, std::max(e.at, *c.paused_since));
          c.paused_since.reset();
        }
        c.goal = choose_goal(t, attrs);
      }
    }
  }
  std::vector<cmp_row> out;
  if (!any) return out;
  const std::string& id = events.front().id;
  for (std::size_t i = 0; i < p.targets.size(); ++i) {
    if (cycles[i].empty()) {
      cmp_row pending;
      pending.id = id;
      pending.target = p.targets[i].name;
      pending.state = "pending";
      out.push_back(pending);
      continue;
    }
    for (std::size_t k = 0; k < cycles[i].size(); ++k)
      out.push_back(measure(id, p.targets[i], cycles[i][k], static_cast<int64_t>(k + 1), as_of));
  }
  return out;
}

// --- the test ---------------------------------------------------------------------

std::string describe(const std::string& yaml, const std::vector<gen_event>& events, int64_t as_of) {
  std::ostringstream os;
  os << "policy:\n" << yaml << "as_of: " << iso(as_of) << "\nevents (input order):\n";
  for (const auto& e : events) {
    os << "  {\"id\": \"" << e.id << "\", \"at\": \"" << iso(e.at) << "\", \"event\": \"" << e.name << "\"";
    for (const auto& u : e.updates) {
      os << ", \"" << u.name << "\": ";
      if (u.kind == 0) os << "null";
      else if (u.kind == 2) os << u.number;
      else os << "\"" << u.text << "\"";
    }
    os << "}  (sequence " << e.sequence << ")\n";
  }
  return os.str();
}

std::string show_rows(const std::vector<cmp_row>& rows) {
  std::string s;
  for (const auto& r : rows) s += "    " + show(r) + "\n";
  return s.empty() ? "    (none)\n" : s;
}

struct tally {
  int mismatches = 0;
  std::uint64_t rows = 0;
  std::map<std::string, int> seen;  // states and edge cases the reference met
};

// Compares, at `as_of`, the reference with duly::evaluate, and duly::evaluate
// with the two evaluators.
void check_round(const policy_choice& choice, const std::string& yaml, const duly::policy& pol,
                 const std::vector<gen_event>& input, const std::vector<duly::event>& engine_events,
                 const std::vector<const duly::evaluator*>& evaluators, int64_t as_of, const std::string& where,
                 tally& t) {
  std::map<std::string, std::vector<gen_event>> input_of;
  for (const auto& e : input) input_of[e.id].push_back(e);
  const duly::instant as_of_instant = to_instant(as_of);
  const duly::evaluation batch = duly::evaluate(pol, engine_events, as_of_instant);

  // Reference rows, in ascending id order.
  std::vector<cmp_row> expected;
  std::uint64_t applied = 0;
  for (const auto& [id, evs] : input_of) {
    for (const auto& e : evs) applied += e.at <= as_of ? 1 : 0;
    for (auto& row : reference_record(choice, evs, as_of)) expected.push_back(std::move(row));
  }
  EXPECT_EQ(batch.events_applied, applied) << where;
  EXPECT_EQ(batch.events_ignored, input.size() - applied) << where;

  const auto report = [&](const std::string& what, const std::string& id, const std::vector<cmp_row>& want,
                          const char* want_name, const std::vector<cmp_row>& got, const char* got_name) {
    ++t.mismatches;
    if (t.mismatches > 5) return;
    ADD_FAILURE() << what << " (" << where << ", record " << id << ")\n"
                  << describe(yaml, input_of[id], as_of) << "  " << want_name << ":\n"
                  << show_rows(want) << "  " << got_name << ":\n"
                  << show_rows(got);
  };

  // Field by field, record by record; then the order of the rows.
  std::vector<cmp_row> actual;
  for (const auto& row : batch.timers) actual.push_back(from_engine(row));
  if (actual != expected) {
    std::map<std::string, std::vector<cmp_row>> want, got;
    for (const auto& row : expected) want[row.id].push_back(row);
    for (const auto& row : actual) got[row.id].push_back(row);
    std::set<std::string> ids;
    for (const auto& [id, rows] : want) ids.insert(id);
    for (const auto& [id, rows] : got) ids.insert(id);
    const int before = t.mismatches;
    for (const auto& id : ids)
      if (want[id] != got[id]) report("mismatch", id, want[id], "reference", got[id], "duly::evaluate");
    if (t.mismatches == before) {
      ++t.mismatches;
      ADD_FAILURE() << "the same rows in another order (" << where << ")";
    }
  }
  t.rows += expected.size();
  for (const auto& row : expected) {
    ++t.seen[row.state];
    if (row.stopped && row.due && *row.stopped == *row.due) ++t.seen["(stopped at due)"];
    if (!row.ended && row.due && *row.due == to_epoch_seconds(as_of)) ++t.seen["(as_of at due)"];
    if (row.cycle > 0 && row.goal_index < 0) ++t.seen["(no goal)"];
    if (row.goal && *row.goal == 0) ++t.seen["(zero goal)"];
    if (row.goal_index >= 0 && choice.targets[row.target == "resolution" ? 0 : 1]
                                       .goals[static_cast<std::size_t>(row.goal_index)]
                                       .business_days > 0)
      ++t.seen["(business days)"];
    if (row.paused && *row.paused > 0 && row.ended) ++t.seen["(ended after a pause)"];
    if (row.cycle > 1) ++t.seen["(second cycle)"];
  }

  // The incremental evaluators equal the batch call.
  std::map<std::string, std::vector<cmp_row>> want;
  for (const auto& row : actual) want[row.id].push_back(row);
  for (std::size_t k = 0; k < evaluators.size(); ++k) {
    const std::string how = k == 0 ? "duly::evaluator (shuffled arrival)" : "duly::evaluator (time-ordered arrival)";
    const auto inc = evaluators[k]->results(as_of_instant);
    EXPECT_EQ(inc.events_applied, batch.events_applied) << how << ", " << where;
    EXPECT_EQ(inc.events_ignored, batch.events_ignored) << how << ", " << where;
    std::vector<cmp_row> inc_rows;
    for (const auto& row : inc.timers) inc_rows.push_back(from_engine(row));
    if (inc_rows == actual) continue;
    std::map<std::string, std::vector<cmp_row>> got;
    for (const auto& row : inc_rows) got[row.id].push_back(row);
    std::set<std::string> ids;
    for (const auto& [id, rows] : want) ids.insert(id);
    for (const auto& [id, rows] : got) ids.insert(id);
    const int before = t.mismatches;
    for (const auto& id : ids)
      if (want[id] != got[id]) report(how + " differs from duly::evaluate", id, want[id], "duly::evaluate", got[id], how.c_str());
    if (t.mismatches == before) {
      ++t.mismatches;
      ADD_FAILURE() << how << ": the same rows as duly::evaluate in another order (" << where << ")";
    }
  }
}

TEST(EngineDifferential, MatchesTheMinuteByMinuteReference) {
  const std::uint64_t seed = env_number("DULY_PROPERTY_SEED", 20261123);
  const std::uint64_t total = env_number("DULY_DIFF_RECORDS", 5000);
  std::printf("EngineDifferential: DULY_PROPERTY_SEED=%llu DULY_DIFF_RECORDS=%llu\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(total));
  RecordProperty("seed", std::to_string(seed));
  rng r{seed};
  (void)calendars();

  constexpr std::uint64_t per_round = 50;
  std::uint64_t records_done = 0, rounds = 0;
  tally t;
  while (records_done < total) {
    ++rounds;
    // A policy, a grain for its instants, and an as_of.
    static constexpr std::array<int64_t, 3> grains = {1, 15, 60};
    const int64_t grain = grains[static_cast<std::size_t>(r.below(3))];
    const policy_choice choice = random_policy(r, grain);
    const std::string yaml = to_yaml(choice);
    const auto compiled = duly::parse_policy(yaml, "random.yaml");
    ASSERT_TRUE(compiled.has_value()) << yaml << "\n" << compiled.error().render();
    const duly::policy& pol = *compiled;
    int64_t as_of = r.between(7 * 1440, 21 * 1440);
    as_of -= as_of % grain;

    // Records, interleaved into one input in a random order; the sequence is the
    // input position.
    const std::uint64_t n = std::min(per_round, total - records_done);
    records_done += n;
    std::vector<gen_event> input;
    for (std::uint64_t k = 0; k < n; ++k) {
      for (auto& e : random_record(r, "R" + std::to_string(r.below(100000)) + "-" + std::to_string(k), as_of, grain))
        input.push_back(std::move(e));
    }
    for (std::size_t i = input.size(); i > 1; --i)
      std::swap(input[i - 1], input[static_cast<std::size_t>(r.below(static_cast<int64_t>(i)))]);
    std::vector<duly::event> engine_events;
    for (std::size_t i = 0; i < input.size(); ++i) {
      input[i].sequence = i;
      engine_events.push_back(to_engine(input[i]));
    }

    // The incremental evaluator, fed one event at a time: in a shuffled order,
    // and in time order.
    std::vector<std::size_t> order(engine_events.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    for (std::size_t i = order.size(); i > 1; --i)
      std::swap(order[i - 1], order[static_cast<std::size_t>(r.below(static_cast<int64_t>(i)))]);
    duly::evaluator shuffled(pol);
    for (const std::size_t i : order) shuffled.add(engine_events[i]);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return engine_events[a].at != engine_events[b].at ? engine_events[a].at < engine_events[b].at
                                                        : engine_events[a].sequence < engine_events[b].sequence;
    });
    duly::evaluator in_time(pol);
    for (const std::size_t i : order) in_time.add(engine_events[i]);

    // At the as_of the events were drawn around, and at an earlier moment.
    const std::string where = "seed " + std::to_string(seed) + ", round " + std::to_string(rounds);
    check_round(choice, yaml, pol, input, engine_events, {&shuffled, &in_time}, as_of, where, t);
    int64_t earlier = as_of - r.between(0, 2 * 1440);
    earlier -= earlier % grain;
    check_round(choice, yaml, pol, input, engine_events, {&shuffled, &in_time}, earlier, where + ", earlier as_of", t);
  }
  std::printf("EngineDifferential: %llu records in %llu rounds, %llu rows compared, %d mismatches; seen:",
              static_cast<unsigned long long>(records_done), static_cast<unsigned long long>(rounds),
              static_cast<unsigned long long>(t.rows), t.mismatches);
  for (const auto& [what, count] : t.seen) std::printf(" %s=%d", what.c_str(), count);
  std::printf("\n");
  EXPECT_EQ(t.mismatches, 0) << "seed " << seed;
  // The generator reaches every state and the edge cases.
  for (const char* s : {"pending", "running", "paused", "breached", "met", "cancelled", "reset", "(stopped at due)",
                        "(as_of at due)", "(no goal)", "(zero goal)", "(business days)", "(ended after a pause)",
                        "(second cycle)"})
    EXPECT_GT(t.seen[s], 0) << s;
}

}  // namespace
