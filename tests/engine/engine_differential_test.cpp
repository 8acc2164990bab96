// Property test: the timer engine (duly::evaluate and duly::evaluator) against
// a slow, obviously-correct reference of the timer and escalation rules (docs/timers.md, docs/escalations.md) written here.
//
// The reference shares nothing with src/: it works in whole minutes (every
// random instant and every window boundary is a whole minute, so it is exact at
// one-second resolution), marks each minute of a 60-day span open or closed
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
//   at_risk_when remaining < N minutes                  (optional)
//   per-record goal keys on minute goals (optional): calendar_from: cust_cal
//                (office / lunch / night / an unknown name / null), within_from:
//                sla ("Nm" text, N*60 seconds, unreadable text, a negative
//                number, null; with or without a `within` to fall back to),
//                due_from: promised (an instant with an offset, text without
//                one, junk, a number, null)
//   goal `when`  also on a list attribute: "vip" in tags, has_any(tags, [...]),
//                has_all(tags, [...]), tags == ["vip"] (tags: a list of 0 to 3
//                of vip/eu/billing in any order, the same list again, the text
//                "vip" where a list is expected, null)
// with one or two targets, and zero to four escalations (docs/escalations.md and
// the engine's extensions):
//   at           P% | due | due + D | due - D | start + D | at_risk | manual
//   when         assignee != null | tier == "gold" | is_open("office") |
//                "vip" not in tags  (optional; is_open at the firing instant)
//   raise_when   event == "page"                        (optional; manual always)
//   repeat       every D, times 1..3                    (optional)
//   deliver_in   office | lunch | night                 (optional; chosen from
//                what was drawn, so the random stream is that of rounds before
//                it; the reference's deliver_at: the firing instant when the
//                calendar is open in its minute, else the next open minute)
// and replays random records (1 to 15 events each, interleaved, with
// same-instant ties and events after as_of). Instants and
// goals of a round fall on a grain of 1, 15 or 60 minutes, so that stops and
// as_of often land exactly on a due. Each round is checked at the as_of its
// events were drawn around and at an earlier one: every row is compared field
// by field with duly::evaluate, and duly::evaluate with duly::evaluator fed
// one event at a time, in a shuffled order and in time order; likewise every
// escalation firing (in order), and evaluation::next_wakeup. A mismatch prints
// the policy, the record's events and both sets of rows.
//
// Escalations in the reference: the record's timeline is walked minute by
// minute from its first event to as_of. Events at an instant are applied
// first (with the at_risk check and manual raises after each event); then
// every point of an active cycle whose position E is already reached by the
// cycle's elapsed (under the goal in force, measured on that goal's calendar
// over the running spans) fires at that instant; then, during a running open
// minute, a point with E strictly inside the minute fires at the second where
// elapsed reaches it. `when` is judged at the firing instant on the attributes
// then; a false `when` spends the point. Firings up to and including as_of are
// reported, ordered by instant, target, escalation and point. A running
// cycle's next point after as_of is found by counting open minutes forward
// (per-calendar prefix sums); a paused cycle or one without a goal schedules
// none; a timer's next_wakeup is the earlier of that and due + 1 s (when the
// due is not before as_of), and evaluation::next_wakeup the earliest of all.
// The at_risk check (`remaining` = goal - elapsed at the event) and manual
// raises (the escalation's first point not yet spent, if its `when` holds)
// follow each event of an active cycle; an at_risk point fires at the next
// check of its cycle (the same instant, after all its events) with a goal.
//
// Environment:
//   DULY_PROPERTY_SEED   the seed (default 20261126; printed either way)
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
#include <tuple>
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

// Minute 0 is Monday 2026-11-09T00:00Z. The reference covers 60 days.
constexpr sys_days day_zero = sys_days{year{2026} / November / 9};
constexpr int64_t horizon_days = 60;
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

// --- calendars (the reference's own reading of the calendar rules) ----------------

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
  // prefix[m]: open minutes in [0, m).
  std::vector<int64_t> prefix;
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
    rc.prefix.assign(static_cast<std::size_t>(horizon) + 1, 0);
    for (int64_t m = 0; m < horizon; ++m)
      rc.prefix[static_cast<std::size_t>(m) + 1] = rc.prefix[static_cast<std::size_t>(m)] + rc.open[static_cast<std::size_t>(m)];
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
  bool calendar_from = false;  // calendar_from: cust_cal
  int within_from = 0;         // 1: within_from: sla (and within); 2: within_from: sla without within
  bool due_from = false;       // due_from: promised
  int tags = 0;  // 1: "vip" in tags, 2: has_any(tags, ["eu", "billing"]), 3: has_all(tags, ["vip", "eu"]), 4: tags == ["vip"]
};

struct target_choice {
  std::string name;
  bool applies = false;
  int stop = 0;  // 0: event == "close"; 1: status == "done"; 2: either
  bool pause = false;
  bool reset = false;
  bool reset_on_team = false;
  bool reset_on_tags = false;  // reset_when: ... or changed(tags)
  bool cancel = false;
  bool start_at = false;
  int64_t at_risk_minutes = 0;  // > 0: at_risk_when: remaining < N minutes
  std::vector<goal_choice> goals;
};

struct escalation_choice {
  std::string name;
  int target = 0;
  enum kind_t { percent, due, start, at_risk, manual } kind = due;
  int64_t percent_value = 0;
  int64_t offset = 0;  // minutes: due + offset, start + offset
  int when = 0;        // 0: none, 1: assignee != null, 2: tier == "gold", 3: is_open("office"), 4: "vip" not in tags
  bool raise = false;  // raise_when: event == "page"
  int64_t every = 0;   // minutes (0 with times > 0: manual repeats without every)
  int64_t times = 0;
  bool actions = false;  // do: [{notify: [name]}]
  int deliver = 0;       // deliver_in: calendar_names[deliver]; 0 = none
};

struct policy_choice {
  std::vector<target_choice> targets;
  std::vector<escalation_choice> escalations;
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
    tc.reset_on_tags = tc.reset && r.chance(30);
    tc.cancel = r.chance(50);
    tc.start_at = r.chance(30);
    const auto minutes_goal = [&](int priority) {
      goal_choice g;
      g.priority = priority;
      g.cal = static_cast<int>(r.below(calendar_count));
      const int k = static_cast<int>(r.below(10));
      g.minutes = k == 0 ? 0 : k < 4 ? r.between(1, 120) : k < 8 ? r.between(60, 1200) : r.between(600, 3000);
      g.minutes -= g.minutes % grain;
      g.calendar_from = r.chance(20);
      g.within_from = r.chance(20) ? static_cast<int>(r.between(1, 2)) : 0;
      g.due_from = r.chance(15);
      g.tags = r.chance(30) ? static_cast<int>(r.between(1, 4)) : 0;
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
  // at_risk_when on some targets, and zero to four escalations.
  for (auto& tc : p.targets) {
    if (r.chance(30)) {
      tc.at_risk_minutes = r.between(10, 600);
      if (r.chance(60)) tc.at_risk_minutes = std::max(grain, tc.at_risk_minutes - tc.at_risk_minutes % grain);
      // Sometimes exactly a goal: remaining equals it when a cycle starts.
      const goal_choice& g = tc.goals[static_cast<std::size_t>(r.below(static_cast<int64_t>(tc.goals.size())))];
      if (g.business_days == 0 && g.minutes > 0 && r.chance(30)) tc.at_risk_minutes = g.minutes;
    }
  }
  const int escalations = r.chance(75) ? static_cast<int>(r.between(1, 4)) : 0;
  const auto aligned = [&](int64_t minutes) { return r.chance(70) ? minutes - minutes % grain : minutes; };
  for (int k = 0; k < escalations; ++k) {
    escalation_choice e;
    e.name = "e" + std::to_string(k);
    e.target = static_cast<int>(r.below(static_cast<int64_t>(p.targets.size())));
    const int kind = static_cast<int>(r.below(100));
    if (kind < 28) {
      e.kind = escalation_choice::percent;
      static constexpr std::array<int64_t, 6> usual = {25, 50, 75, 80, 90, 100};
      e.percent_value = r.chance(50) ? usual[static_cast<std::size_t>(r.below(6))] : r.between(0, 150);
    } else if (kind < 55) {
      e.kind = escalation_choice::due;
      e.offset = r.chance(25) ? 0 : aligned(r.between(-600, 600));
    } else if (kind < 75) {
      e.kind = escalation_choice::start;
      e.offset = r.chance(30) ? 0 : aligned(r.chance(50) ? r.between(0, 240) : r.between(0, 3000));
    } else if (kind < 87 && p.targets[static_cast<std::size_t>(e.target)].at_risk_minutes > 0) {
      e.kind = escalation_choice::at_risk;
    } else if (kind < 87) {
      e.kind = escalation_choice::due;
    } else {
      e.kind = escalation_choice::manual;
      e.raise = true;
    }
    const int when = static_cast<int>(r.below(6));
    e.when = when < 2 ? 0 : when - 1;
    if (e.kind != escalation_choice::manual && e.kind != escalation_choice::at_risk) e.raise = r.chance(15);
    if (e.kind != escalation_choice::at_risk && r.chance(35)) {
      e.times = r.between(1, 3);
      e.every = e.kind == escalation_choice::manual && r.chance(50) ? 0
                                                                     : std::max<int64_t>(1, aligned(r.between(1, 240)));
    }
    e.actions = r.chance(50);
    // deliver_in from what was drawn already (no draw of its own).
    e.deliver = static_cast<int>((k + e.offset + e.percent_value + e.times + (e.actions ? 1 : 0)) % calendar_count);
    p.escalations.push_back(std::move(e));
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
    if (t.reset)
      os << "    reset_when: event == \"reopen\"" << (t.reset_on_team ? " or changed(team)" : "")
         << (t.reset_on_tags ? " or changed(tags)" : "") << "\n";
    if (t.cancel) os << "    cancel_when: event == \"drop\"\n";
    if (t.start_at) os << "    start_at: opened_at\n";
    if (t.at_risk_minutes > 0) os << "    at_risk_when: remaining < " << t.at_risk_minutes << "m\n";
    os << "    goals:\n";
    for (const auto& g : t.goals) {
      os << "      - {";
      static constexpr std::array<const char*, 5> tag_conditions = {
          "", R"("vip" in tags)", R"(has_any(tags, ["eu", "billing"]))", R"(has_all(tags, ["vip", "eu"]))",
          R"(tags == ["vip"])"};
      if (g.priority != 0 || g.tags != 0) {
        os << " when: '";
        if (g.priority != 0) os << "priority == \"P" << g.priority << "\"" << (g.tags != 0 ? " and " : "");
        os << tag_conditions[static_cast<std::size_t>(g.tags)] << "',";
      }
      if (g.business_days > 0) os << " within: " << g.business_days << "bd,";
      else if (g.within_from != 2) os << " within: " << g.minutes << "m,";
      if (g.within_from != 0) os << " within_from: sla,";
      if (g.due_from) os << " due_from: promised,";
      if (g.calendar_from) os << " calendar_from: cust_cal,";
      if (g.cal != 0) os << " calendar: " << calendar_names[static_cast<std::size_t>(g.cal)];
      os << " }\n";
    }
  }
  if (!p.escalations.empty()) os << "escalations:\n";
  for (const auto& e : p.escalations) {
    os << "  - name: " << e.name << "\n    target: " << p.targets[static_cast<std::size_t>(e.target)].name
       << "\n    at: ";
    const auto offset = [](int64_t m) {
      return std::string(m < 0 ? " - " : " + ") + std::to_string(m < 0 ? -m : m) + "m";
    };
    switch (e.kind) {
      case escalation_choice::percent: os << e.percent_value << "%"; break;
      case escalation_choice::due: os << "due" << (e.offset == 0 ? std::string() : offset(e.offset)); break;
      case escalation_choice::start: os << "start" << offset(e.offset); break;
      case escalation_choice::at_risk: os << "at_risk"; break;
      case escalation_choice::manual: os << "manual"; break;
    }
    os << "\n";
    if (e.when == 1) os << "    when: assignee != null\n";
    if (e.when == 2) os << "    when: tier == \"gold\"\n";
    if (e.when == 3) os << "    when: is_open(\"office\")\n";
    if (e.when == 4) os << "    when: '\"vip\" not in tags'\n";
    if (e.raise) os << "    raise_when: event == \"page\"\n";
    if (e.times > 0) {
      os << "    repeat: {";
      if (e.every > 0) os << " every: " << e.every << "m,";
      os << " times: " << e.times << " }\n";
    }
    if (e.actions) os << "    do: [{notify: [" << e.name << "]}]\n";
    if (e.deliver > 0) os << "    deliver_in: " << calendar_names[static_cast<std::size_t>(e.deliver)] << "\n";
  }
  return os.str();
}

// --- events -------------------------------------------------------------------

struct update {
  std::string name;
  int kind = 0;  // 0 null, 1 string, 2 number, 3 a list of text
  std::string text;
  double number = 0;
  std::optional<int64_t> instant_minute;  // what `text` means as an instant, if anything
  std::vector<std::string> items;         // kind 3
  friend bool same_value(const update& a, const update& b) {
    if (a.kind != b.kind) return false;
    if (a.kind == 1) return a.text == b.text;
    if (a.kind == 2) return a.number == b.number;
    if (a.kind == 3) return a.items == b.items;
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

update text_update(std::string name, std::string value) { return update{std::move(name), 1, std::move(value), 0, {}, {}}; }
update null_update(std::string name) { return update{std::move(name), 0, {}, 0, {}, {}}; }

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
             : n < 66              ? "page"
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
    if (r.chance(15)) e.updates.push_back(r.chance(60) ? text_update("assignee", "ann") : null_update("assignee"));
    if (r.chance(12)) {
      const int k = static_cast<int>(r.below(3));
      e.updates.push_back(k == 0   ? text_update("tier", "gold")
                          : k == 1 ? text_update("tier", "silver")
                                   : null_update("tier"));
    }
    if (r.chance(15)) {
      const int k = static_cast<int>(r.below(10));
      if (k == 0) {
        e.updates.push_back(text_update("opened_at", "not a time"));
      } else if (k == 1) {
        e.updates.push_back(update{"opened_at", 2, {}, 5, {}, {}});
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
    if (r.chance(10)) {
      const int k = static_cast<int>(r.below(6));
      e.updates.push_back(k < 3    ? text_update("cust_cal", calendar_names[static_cast<std::size_t>(k + 1)])
                          : k == 3 ? text_update("cust_cal", "nowhere")
                          : k == 4 ? update{"cust_cal", 2, {}, 1, {}, {}}
                                   : null_update("cust_cal"));
    }
    if (r.chance(10)) {
      const int k = static_cast<int>(r.below(6));
      const int64_t len = std::max(grain, r.between(1, 600) / grain * grain);
      e.updates.push_back(k < 2    ? text_update("sla", std::to_string(len) + "m")
                          : k == 2 ? update{"sla", 2, {}, static_cast<double>(len * 60), {}, {}}
                          : k == 3 ? text_update("sla", "soon")
                          : k == 4 ? update{"sla", 2, {}, -60, {}, {}}
                                   : null_update("sla"));
    }
    if (r.chance(15)) {
      const int k = static_cast<int>(r.below(6));
      if (k < 3) {
        static constexpr std::array<const char*, 3> pool = {"vip", "eu", "billing"};
        update u{"tags", 3, {}, 0, {}, {}};
        for (const char* tag : pool)
          if (r.chance(45)) u.items.emplace_back(tag);
        if (u.items.size() > 1 && r.chance(50)) std::swap(u.items.front(), u.items.back());
        e.updates.push_back(std::move(u));
      } else if (k == 3) {
        e.updates.push_back(update{"tags", 3, {}, 0, {}, {"vip"}});
      } else {
        e.updates.push_back(k == 4 ? text_update("tags", "vip") : null_update("tags"));
      }
    }
    if (r.chance(10)) {
      const int k = static_cast<int>(r.below(7));
      if (k < 3) {
        const int64_t when = std::max<int64_t>(0, e.at + r.between(-600, 3000) / grain * grain);
        update u = text_update("promised", iso(when, k == 2 ? 120 : 0));
        u.instant_minute = when;
        e.updates.push_back(std::move(u));
      } else {
        e.updates.push_back(k == 3   ? text_update("promised", "tomorrow")
                            : k == 4 ? text_update("promised", "2026-11-25T10:00:00")
                            : k == 5 ? update{"promised", 2, {}, 1764000000, {}, {}}
                                     : null_update("promised"));
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
    duly::list_builder items;
    for (const auto& item : u.items) items.add(duly::value::string(item));
    const std::string list = items.text();
    duly::value v = u.kind == 1   ? duly::value::string(u.text)
                    : u.kind == 2 ? duly::value::number(u.number)
                    : u.kind == 3 ? duly::value::list(list)
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
  // The goal as resolved from the record: its calendar, its length in minutes
  // (or business days), or a dated promise (minute).
  int cal = 0;
  int64_t minutes = 0;
  int business_days = 0;
  std::optional<int64_t> due_at;
  int from = 0;  // which attributes decided: 1 promised, 2 sla, 4 cust_cal
  // Escalations: one flag per point of the target (fired, or spent by a false
  // `when`), when at_risk_when first held, and the running open minutes per
  // calendar: acc before `since`, plus [since, m) while running.
  std::vector<std::uint8_t> done;
  std::optional<int64_t> at_risk_since;
  std::array<int64_t, calendar_count> acc{};
  int64_t since = 0;
  std::map<int, int64_t> goal_cache;  // goal minutes by goal index
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
  // The items of a list attribute, or nullptr when it holds no list.
  const std::vector<std::string>* list(const std::string& name) const {
    const update* u = get(name);
    return u != nullptr && u->kind == 3 ? &u->items : nullptr;
  }
  bool has(const std::string& name, const std::string& item) const {
    const auto* l = list(name);
    return l != nullptr && std::find(l->begin(), l->end(), item) != l->end();
  }
  // The goal conditions on tags (goal_choice::tags), by plain code.
  bool tags_hold(int which) const {
    switch (which) {
      case 1: return has("tags", "vip");
      case 2: return has("tags", "eu") || has("tags", "billing");
      case 3: return has("tags", "vip") && has("tags", "eu");
      case 4: return list("tags") != nullptr && *list("tags") == std::vector<std::string>{"vip"};
      default: return true;
    }
  }
};

// Chooses cycle c's goal from the record's attributes: the first goal whose
// priority matches and whose length can be read (promised, then sla, then
// within), on cust_cal's calendar when it names one. Returns whether anything
// about the goal changed.
bool choose_goal(const target_choice& t, const attribute_store& a, ref_cycle& c) {
  int chosen = -1, cal = 0, bd = 0, from = 0;
  int64_t minutes = 0;
  std::optional<int64_t> due_at;
  for (std::size_t g = 0; g < t.goals.size() && chosen < 0; ++g) {
    const goal_choice& gc = t.goals[g];
    const int p = gc.priority;
    if (!(p == 0 || a.equals("priority", p == 1 ? "P1" : "P2"))) continue;
    if (!a.tags_hold(gc.tags)) continue;
    due_at.reset();
    bd = 0;
    from = 0;
    const update* promised = gc.due_from ? a.get("promised") : nullptr;
    const update* sla = gc.within_from != 0 ? a.get("sla") : nullptr;
    if (promised && promised->kind == 1 && promised->instant_minute) {
      due_at = *promised->instant_minute;
      from = 1;
    } else if (sla && sla->kind == 1 && !sla->text.empty() && sla->text.back() == 'm' && sla->text != "soon") {
      minutes = std::stoll(sla->text.substr(0, sla->text.size() - 1));
      from = 2;
    } else if (sla && sla->kind == 2 && sla->number >= 0) {
      minutes = static_cast<int64_t>(sla->number) / 60;
      from = 2;
    } else if (gc.within_from == 2) {
      continue;  // no length: the goal does not hold
    } else {
      minutes = gc.minutes;
      bd = gc.business_days;
    }
    chosen = static_cast<int>(g);
    cal = gc.cal;
    if (gc.calendar_from && a.get("cust_cal") && a.get("cust_cal")->kind == 1) {
      for (int k = 1; k < calendar_count; ++k)
        if (a.get("cust_cal")->text == calendar_names[static_cast<std::size_t>(k)]) {
          cal = k;
          from |= 4;
        }
    }
  }
  if (chosen < 0) {
    minutes = 0;
    bd = 0;
    due_at.reset();
  }
  const bool changed = chosen != c.goal || cal != c.cal || minutes != c.minutes || bd != c.business_days ||
                       due_at != c.due_at;
  c.goal = chosen;
  c.cal = cal;
  c.minutes = minutes;
  c.business_days = bd;
  c.due_at = due_at;
  c.from = from;
  return changed;
}

// The goal of cycle `c` in minutes of open time.
int64_t goal_minutes(const ref_cycle& c) {
  if (c.due_at) {
    int64_t n = 0;
    for (int64_t m = c.start; m < *c.due_at; ++m) n += is_open(c.cal, m) ? 1 : 0;
    return n;
  }
  if (c.business_days == 0) return c.minutes;
  // The last closing time of the N-th open day after the start's (UTC) date.
  const auto& rc = calendars()[static_cast<std::size_t>(c.cal)];
  int64_t day = c.start / 1440;
  int found = 0;
  while (found < c.business_days) {
    ++day;
    if (day >= horizon_days) throw std::out_of_range("horizon");
    if (rc.open_day[static_cast<std::size_t>(day)]) ++found;
  }
  const int64_t deadline = rc.last_close[static_cast<std::size_t>(day)];
  int64_t n = 0;
  for (int64_t m = c.start; m < deadline; ++m) n += is_open(c.cal, m) ? 1 : 0;
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
  const int64_t goal = goal_minutes(c);
  row.goal = goal * 60;
  // Walk the cycle minute by minute: elapsed over the running minutes up to
  // `until`, and the first instant at which it reaches the goal, running on
  // without pause after `until`.
  int64_t elapsed = 0;
  std::optional<int64_t> due;
  if (goal == 0) due = c.start;
  for (int64_t m = c.start; m < until; ++m) {
    if (paused_at(m) || !is_open(c.cal, m)) continue;
    ++elapsed;
    if (!due && elapsed == goal) due = m + 1;
  }
  if (c.due_at) due = *c.due_at;  // a dated promise: pauses do not move it
  if (!due && !paused_now) {
    int64_t count = elapsed;
    for (int64_t m = until;; ++m) {
      if (is_open(c.cal, m) && ++count == goal) {
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
      // Cancelled or reset after the due: the breach stays.
      row.state = c.end_state;
      if (due && *c.end > *due) row.breached_at = row.due;
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

// --- the reference: escalations ---------------------------------------------------

// One firing: the instant in epoch seconds.
struct esc_row {
  std::string id;
  std::string target;
  std::string escalation;
  int64_t cycle = 0;
  int64_t point = 0;
  int64_t at = 0;
  std::string actions;
  // id/target/escalation/START[_n]/point: the cycle named by its start (compact
  // UTC) and, when earlier cycles of the target started at the same minute,
  // its place among them (_2 for the second).
  std::string key;
  int64_t deliver_at = 0;  // epoch seconds
  friend bool operator==(const esc_row&, const esc_row&) = default;
  friend bool operator<(const esc_row& a, const esc_row& b) {
    return std::tie(a.id, a.at, a.target, a.escalation, a.cycle, a.point) <
           std::tie(b.id, b.at, b.target, b.escalation, b.cycle, b.point);
  }
};

esc_row from_engine(const duly::escalation_row& r) {
  return esc_row{r.id,   r.target, r.escalation, r.cycle, r.point, r.fired_at.time_since_epoch().count(), r.actions_json,
                 r.key(), r.delivery().time_since_epoch().count()};
}

std::string show(const esc_row& r) {
  return r.id + "/" + r.target + "/" + r.escalation + "/" + std::to_string(r.cycle) + "/" + std::to_string(r.point) +
         " @ " + show_instant(r.at) + " " + r.actions + " key " + r.key + " deliver " + show_instant(r.deliver_at);
}

// A point of a target: an escalation (index into policy_choice::escalations) and a repeat.
struct ref_point {
  int esc = 0;
  int64_t k = 0;
};

std::vector<std::vector<ref_point>> points_of(const policy_choice& p) {
  std::vector<std::vector<ref_point>> out(p.targets.size());
  for (std::size_t x = 0; x < p.escalations.size(); ++x) {
    const auto& e = p.escalations[x];
    for (int64_t k = 0; k <= e.times; ++k) out[static_cast<std::size_t>(e.target)].push_back({static_cast<int>(x), k});
  }
  return out;
}

bool timed(const escalation_choice& e) {
  return e.kind == escalation_choice::percent || e.kind == escalation_choice::due || e.kind == escalation_choice::start;
}

// A timed point's position in seconds of elapsed time (see docs/escalations.md).
int64_t position(const escalation_choice& e, int64_t goal_seconds, int64_t k) {
  int64_t base = 0;
  if (e.kind == escalation_choice::percent) {
    const int64_t x = e.percent_value * goal_seconds;
    base = x / 100 + (x % 100 != 0 ? 1 : 0);  // ceil, x >= 0
  } else if (e.kind == escalation_choice::due) {
    base = goal_seconds + e.offset * 60;
  } else if (e.kind == escalation_choice::start) {
    base = e.offset * 60;
  }
  return std::max<int64_t>(base, 0) + k * e.every * 60;
}

// `at`: the firing instant in seconds from day zero (for is_open).
bool when_holds(const escalation_choice& e, const attribute_store& a, int64_t at) {
  if (e.when == 1) return a.get("assignee") != nullptr;
  if (e.when == 2) return a.equals("tier", "gold");
  if (e.when == 3) return is_open(1, at >= 0 ? at / 60 : (at - 59) / 60);
  if (e.when == 4) return !a.has("tags", "vip");
  return true;
}

int64_t prefix(int cal, int64_t minute) {
  if (minute < 0 || minute > horizon) {
    ADD_FAILURE() << "the reference walked out of its horizon: minute " << minute;
    throw std::out_of_range("horizon");
  }
  return calendars()[static_cast<std::size_t>(cal)].prefix[static_cast<std::size_t>(minute)];
}

// Running open minutes of calendar `cal` in the cycle up to minute m (m at or
// after the last pause change).
int64_t elapsed_on(const ref_cycle& c, int cal, int64_t m) {
  int64_t e = c.acc[static_cast<std::size_t>(cal)];
  if (!c.paused_since) e += prefix(cal, m) - prefix(cal, c.since);
  return e;
}

// One pause of a cycle, in epoch seconds (until empty: still paused).
struct ref_pause {
  std::string id;
  std::string target;
  int64_t cycle = 0;
  int64_t from = 0;
  std::optional<int64_t> until;
  friend bool operator==(const ref_pause&, const ref_pause&) = default;
};

std::string show(const ref_pause& p) {
  return p.id + "/" + p.target + "/" + std::to_string(p.cycle) + " paused " + show_instant(p.from) + " to " +
         show_instant(p.until);
}

struct ref_result {
  std::vector<cmp_row> rows;
  std::vector<esc_row> firings;
  std::vector<ref_pause> pauses;
};

// Every row and firing of one record at as_of (none when no event is at or
// before it). `seen` counts the cases met.
ref_result reference_record(const policy_choice& p, std::vector<gen_event> events, int64_t as_of,
                            std::map<std::string, int>& seen) {
  std::stable_sort(events.begin(), events.end(), [](const gen_event& a, const gen_event& b) {
    return a.at != b.at ? a.at < b.at : a.sequence < b.sequence;
  });
  attribute_store attrs;
  std::vector<std::vector<ref_cycle>> cycles(p.targets.size());
  std::vector<char> active(p.targets.size(), 0);
  const auto points = points_of(p);
  struct fired {
    int64_t at;  // seconds since minute 0
    std::size_t target;
    int esc;
    int64_t k;
    int64_t cycle;
    bool raised;
  };
  std::vector<fired> fires;

  const auto goal_of = [&](std::size_t, ref_cycle& c) -> std::optional<int64_t> {
    if (c.goal < 0) return std::nullopt;
    auto it = c.goal_cache.find(c.goal);
    if (it == c.goal_cache.end()) it = c.goal_cache.emplace(c.goal, goal_minutes(c)).first;
    return it->second;
  };
  const auto cal_of = [&](std::size_t, const ref_cycle& c) { return c.cal; };
  const auto set_goal = [&](const target_choice& t, ref_cycle& c) {
    if (choose_goal(t, attrs, c)) c.goal_cache.clear();
    if (c.from & 1) ++seen["(goal from due_from)"];
    if ((c.from & 1) && c.due_at && *c.due_at < c.start) ++seen["(due_from before the start)"];
    if (c.from & 2) ++seen["(goal from within_from)"];
    if (c.from & 4) ++seen["(calendar from calendar_from)"];
    if (c.goal >= 0 && t.goals[static_cast<std::size_t>(c.goal)].tags != 0) ++seen["(goal chosen by a list condition)"];
  };
  // Spends point k of target i's active cycle at `at` seconds: fires it when its `when` holds.
  const auto spend = [&](std::size_t i, std::size_t k, int64_t at, const char* what, bool raised = false) {
    ref_cycle& c = cycles[i].back();
    c.done[k] = 1;
    const ref_point& pt = points[i][k];
    if (!when_holds(p.escalations[static_cast<std::size_t>(pt.esc)], attrs, at)) {
      ++seen["(esc skipped by when)"];
      if (p.escalations[static_cast<std::size_t>(pt.esc)].when == 4) ++seen["(esc skipped by a list condition)"];
      return;
    }
    fires.push_back({at, i, pt.esc, pt.k, static_cast<int64_t>(cycles[i].size()), raised});
    if (p.escalations[static_cast<std::size_t>(pt.esc)].when == 3) ++seen["(esc fired, is_open)"];
    ++seen[what];
    if (pt.k > 0) ++seen["(esc repeat fired)"];
    if (cycles[i].size() > 1) ++seen["(esc in a later cycle)"];
  };
  // At the whole minute m, after its events: the points already reached.
  const auto reached = [&](std::size_t i, int64_t m) {
    if (!active[i]) return;
    ref_cycle& c = cycles[i].back();
    const auto goal = goal_of(i, c);
    if (!goal) return;
    const int64_t elapsed = elapsed_on(c, cal_of(i, c), m) * 60;
    for (std::size_t k = 0; k < points[i].size(); ++k) {
      if (c.done[k]) continue;
      const auto& e = p.escalations[static_cast<std::size_t>(points[i][k].esc)];
      if (e.kind == escalation_choice::at_risk) {
        if (c.at_risk_since) spend(i, k, m * 60, "(esc at_risk fired)");
      } else if (timed(e) && position(e, *goal * 60, points[i][k].k) <= elapsed) {
        spend(i, k, m * 60, "(esc fired at a whole minute)");
      }
    }
  };
  // From the whole minute `from` (after its events) up to `to` (before its
  // events), with the state fixed: at each whole minute m the points already
  // reached fire at m; during an open running minute [m, m + 1) a point
  // strictly inside it fires at the second where elapsed reaches it.
  const auto walk = [&](int64_t from, int64_t to) {
    for (std::size_t i = 0; i < p.targets.size(); ++i) {
      if (!active[i] || points[i].empty()) continue;
      reached(i, from);
      ref_cycle& c = cycles[i].back();
      const auto goal = goal_of(i, c);
      if (!goal || c.paused_since) continue;  // nothing moves until the next event
      const int cal = cal_of(i, c);
      std::vector<std::pair<int64_t, std::size_t>> pending;  // (E, point), by E
      for (std::size_t k = 0; k < points[i].size(); ++k) {
        const auto& e = p.escalations[static_cast<std::size_t>(points[i][k].esc)];
        if (!c.done[k] && timed(e)) pending.emplace_back(position(e, *goal * 60, points[i][k].k), k);
      }
      std::stable_sort(pending.begin(), pending.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      const auto& open = calendars()[static_cast<std::size_t>(cal)].open;
      int64_t elapsed = elapsed_on(c, cal, from) * 60;
      std::size_t next = 0;
      for (int64_t m = from; m < to && next < pending.size(); ++m) {
        if (m >= horizon) throw std::out_of_range("horizon");
        while (next < pending.size() && pending[next].first <= elapsed)
          spend(i, pending[next++].second, m * 60, "(esc fired at a whole minute)");
        if (open[static_cast<std::size_t>(m)] == 0) continue;
        while (next < pending.size() && pending[next].first < elapsed + 60) {
          spend(i, pending[next].second, m * 60 + (pending[next].first - elapsed), "(esc fired inside a minute)");
          ++next;
        }
        elapsed += 60;
      }
    }
  };

  bool any = false;
  int64_t now = 0;  // the instant the record's state is at
  for (const auto& e : events) {
    if (e.at > as_of) continue;
    if (any && e.at > now) walk(now, e.at);
    any = true;
    now = e.at;
    bool team_changed = false;
    bool tags_changed = false;
    for (const auto& u : e.updates) {
      const update* old = attrs.get(u.name);
      const bool differs = old == nullptr ? u.kind != 0 : !same_value(*old, u);
      if (u.name == "team" && differs) team_changed = true;
      if (u.name == "tags" && differs) tags_changed = true;
      if (u.name == "tags" && u.kind == 3) ++seen["(list attribute)"];
      if (u.name == "tags" && !differs && u.kind == 3) ++seen["(the same list again)"];
      attrs.values[u.name] = u;
    }
    for (std::size_t i = 0; i < p.targets.size(); ++i) {
      const target_choice& t = p.targets[i];
      auto& cs = cycles[i];
      const bool stop = (t.stop != 1 && e.name == "close") || (t.stop != 0 && attrs.equals("status", "done"));
      const bool pause = t.pause && attrs.equals("status", "hold");
      const bool reset = t.reset && (e.name == "reopen" || (t.reset_on_team && team_changed) ||
                                     (t.reset_on_tags && tags_changed));
      const bool cancel = t.cancel && e.name == "drop";
      const bool applies = !t.applies || !attrs.equals("channel", "internal");
      const auto begin = [&](int64_t start) {
        ref_cycle c;
        c.start = start;
        c.since = start;
        if (pause) c.paused_since = start;
        set_goal(t, c);
        c.done.assign(points[i].size(), 0);
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
        set_goal(t, c);
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
          for (int cal = 0; cal < calendar_count; ++cal)
            c.acc[static_cast<std::size_t>(cal)] += prefix(cal, *c.paused_since) - prefix(cal, c.since);
        } else if (!pause && c.paused_since) {
          c.pauses.emplace_back(*c.paused_since, std::max(e.at, *c.paused_since));
          c.paused_since.reset();
          c.since = e.at;
        }
        set_goal(t, c);
      }
    }
    // After the event: the early warning, then manual raises.
    for (std::size_t i = 0; i < p.targets.size(); ++i) {
      if (!active[i]) continue;
      ref_cycle& c = cycles[i].back();
      const target_choice& t = p.targets[i];
      if (t.at_risk_minutes > 0 && !c.at_risk_since) {
        if (const auto goal = goal_of(i, c)) {
          const int64_t remaining = (*goal - elapsed_on(c, cal_of(i, c), e.at)) * 60;
          if (remaining < t.at_risk_minutes * 60) c.at_risk_since = e.at;
          if (remaining == t.at_risk_minutes * 60 &&
              std::any_of(points[i].begin(), points[i].end(), [&](const ref_point& pt) {
                return p.escalations[static_cast<std::size_t>(pt.esc)].kind == escalation_choice::at_risk;
              }))
            ++seen["(at_risk_when at its threshold)"];
        }
      }
      if (e.name != "page") continue;
      for (std::size_t x = 0; x < p.escalations.size(); ++x) {
        const auto& esc = p.escalations[x];
        if (!esc.raise || esc.target != static_cast<int>(i)) continue;
        // The escalation's first point not yet fired or spent.
        for (std::size_t k = 0; k < points[i].size(); ++k) {
          if (points[i][k].esc != static_cast<int>(x) || c.done[k]) continue;
          if (when_holds(esc, attrs, e.at * 60)) {
            spend(i, k, e.at * 60, "(esc raised)", true);
          } else {
            ++seen["(esc raise ignored by when)"];
          }
          break;
        }
      }
    }
  }
  ref_result out;
  if (!any) return out;
  walk(now, as_of);
  for (std::size_t i = 0; i < p.targets.size(); ++i) reached(i, as_of);

  const std::string& id = events.front().id;
  for (std::size_t i = 0; i < p.targets.size(); ++i) {
    if (cycles[i].empty()) {
      cmp_row pending;
      pending.id = id;
      pending.target = p.targets[i].name;
      pending.state = "pending";
      out.rows.push_back(pending);
      continue;
    }
    for (std::size_t k = 0; k < cycles[i].size(); ++k) {
      cmp_row row = measure(id, p.targets[i], cycles[i][k], static_cast<int64_t>(k + 1), as_of);
      ref_cycle& c = cycles[i][k];
      if (active[i] && k + 1 == cycles[i].size() && !c.paused_since) {
        // The earliest point after as_of, counting open minutes forward.
        if (const auto goal = goal_of(i, c)) {
          const int cal = cal_of(i, c);
          const int64_t elapsed = elapsed_on(c, cal, as_of);
          const auto& pre = calendars()[static_cast<std::size_t>(cal)].prefix;
          bool q_first = true;  // counts a cycle once
          for (std::size_t q = 0; q < points[i].size(); ++q) {
            const auto& e = p.escalations[static_cast<std::size_t>(points[i][q].esc)];
            if (c.done[q] || !timed(e)) continue;
            const int64_t at = position(e, *goal * 60, points[i][q].k);
            const int64_t minutes = (at + 59) / 60;  // open minutes the point needs in all
            EXPECT_GT(minutes, elapsed) << "a reached point was not spent";
            const auto j = std::lower_bound(pre.begin() + as_of, pre.end(), prefix(cal, as_of) + (minutes - elapsed));
            if (j == pre.end()) throw std::out_of_range("horizon");
            const int64_t minute = (j - pre.begin()) - 1;
            const int64_t wake = epoch_of_zero + minute * 60 + (at - (minutes - 1) * 60);
            if (!row.next_wakeup || wake < *row.next_wakeup) {
              if (q_first) ++seen["(point is the next wakeup)"];
              q_first = false;
              row.next_wakeup = wake;
            }
          }
        }
      }
      // The cycle's pauses: closed ones of some length, and an open one.
      for (const auto& [a, b] : c.pauses)
        if (b > a) out.pauses.push_back(ref_pause{id, p.targets[i].name, row.cycle, to_epoch_seconds(a), to_epoch_seconds(b)});
      if (c.paused_since && !c.end)
        out.pauses.push_back(ref_pause{id, p.targets[i].name, row.cycle, to_epoch_seconds(*c.paused_since), {}});
      out.rows.push_back(std::move(row));
    }
  }
  std::stable_sort(fires.begin(), fires.end(), [](const fired& a, const fired& b) {
    return std::tie(a.at, a.target, a.esc, a.k) < std::tie(b.at, b.target, b.esc, b.k);
  });
  for (std::size_t n = 0; n < fires.size(); ++n) {
    const fired& f = fires[n];
    // Ties at one instant: across targets with the escalations listed the
    // other way round, and within a target (a raise after an earlier
    // escalation's point, or any two escalations).
    if (n > 0 && fires[n - 1].at == f.at) {
      const fired& before = fires[n - 1];
      if (before.target != f.target && before.esc > f.esc) ++seen["(esc tie across targets)"];
      if (before.target == f.target && before.esc < f.esc) ++seen["(esc tie within a target)"];
      if (before.target == f.target && f.raised && !before.raised) ++seen["(esc raise tied after a point)"];
    }
    const auto& e = p.escalations[static_cast<std::size_t>(f.esc)];
    if (f.at == as_of * 60) ++seen["(esc fired at as_of)"];
    // The key from the cycle's start minute, written out by hand.
    const auto& cs = cycles[f.target];
    const int64_t start = cs[static_cast<std::size_t>(f.cycle - 1)].start;
    int64_t rank = 0;
    for (int64_t c = f.cycle - 1; c > 0 && cs[static_cast<std::size_t>(c - 1)].start == start; --c) ++rank;
    if (rank > 0) ++seen["(esc key of a cycle sharing its start)"];
    std::string when;
    for (const char ch : iso(start))
      if (ch != '-' && ch != ':') when += ch;
    if (rank > 0) when += "_" + std::to_string(rank + 1);
    // deliver_at: the firing instant when the calendar is open in its minute
    // (windows are whole minutes), else the start of the next open minute.
    int64_t deliver = f.at;
    if (e.deliver > 0) {
      int64_t m = f.at >= 0 ? f.at / 60 : (f.at - 59) / 60;
      if (!is_open(e.deliver, m)) {
        while (!is_open(e.deliver, m)) ++m;
        deliver = m * 60;
        ++seen["(esc delivered later)"];
      }
    }
    out.firings.push_back(esc_row{id, p.targets[f.target].name, e.name, f.cycle, f.k, epoch_of_zero + f.at,
                                  e.actions ? "[{\"notify\":[\"" + e.name + "\"]}]" : "[]",
                                  id + "/" + p.targets[f.target].name + "/" + e.name + "/" + when + "/" +
                                      std::to_string(f.k),
                                  epoch_of_zero + deliver});
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

std::string show_firings(const std::vector<esc_row>& rows) {
  std::string s;
  for (const auto& r : rows) s += "    " + show(r) + "\n";
  return s.empty() ? "    (none)\n" : s;
}

// A carried value as text: "null", "s:P1", "n:5".
std::string carried_text(const duly::value& v) {
  switch (v.kind()) {
    case duly::value_kind::null: return "null";
    case duly::value_kind::string: return "s:" + std::string(v.as_string());
    case duly::value_kind::number: return "n:" + std::to_string(v.as_number());
    case duly::value_kind::boolean: return v.as_bool() ? "b:true" : "b:false";
    case duly::value_kind::list: return "l:" + std::string(v.list_text());
  }
  return "?";
}

// A list of words as canonical JSON, written by hand: ["vip","eu"].
std::string to_engine_list(const update& u) {
  std::string out = "[";
  for (const auto& item : u.items) out += (out.size() > 1 ? ",\"" : "\"") + item + "\"";
  return out + "]";
}

// The value of attribute `name` after the record's events before `x` (epoch
// seconds; and at it, when `inclusive`), by the plain reading of the events.
std::string ref_value_at(const std::vector<gen_event>& events, const std::string& name, int64_t x, bool inclusive) {
  std::vector<const gen_event*> sorted;
  for (const auto& e : events) sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(), [](const gen_event* a, const gen_event* b) {
    return a->at != b->at ? a->at < b->at : a->sequence < b->sequence;
  });
  std::string out = "null";
  for (const gen_event* e : sorted) {
    const int64_t at = to_epoch_seconds(e->at);
    if (at > x || (at == x && !inclusive)) break;
    for (const auto& u : e->updates) {
      if (u.name != name) continue;
      out = u.kind == 0 ? "null" : u.kind == 1 ? "s:" + u.text : u.kind == 2 ? "n:" + std::to_string(u.number) : "l:" + to_engine_list(u);
    }
  }
  return out;
}

struct tally {
  int mismatches = 0;           // timer rows, next_wakeup, counts
  int escalation_mismatches = 0;  // firings that differ (not only in order)
  int order_mismatches = 0;     // the same firings in another order
  int fact_mismatches = 0;      // pauses, segments and carried values
  std::uint64_t pauses = 0;
  std::uint64_t segments = 0;
  std::uint64_t rows = 0;
  std::uint64_t firings = 0;
  std::map<std::string, int> seen;  // states and edge cases the reference met
};

// The engine's facts at `as_of`: each cycle's pauses equal the reference's and
// add up to paused_seconds; with carried attributes and segments the timers are
// the same, each cycle's segments cover it, their business seconds add up to
// elapsed_seconds and their paused lengths to paused_seconds, and the carried
// values are those the events give at the deciding instant (and during each
// segment).
void check_facts(const duly::policy& pol, std::map<std::string, std::vector<gen_event>>& input_of,
                 std::map<std::string, ref_result>& reference_of, const std::vector<duly::event>& engine_events,
                 const duly::evaluation& batch, duly::instant as_of, const std::string& where, tally& t) {
  const auto fail = [&](const std::string& what, const std::string& id) {
    if (++t.fact_mismatches > 5) return;
    ADD_FAILURE() << what << " (" << where << ", record " << id << ")\n"
                  << describe("(see above)\n", input_of[id], (as_of.time_since_epoch().count() - epoch_of_zero) / 60)
                  << "  reference timers:\n"
                  << show_rows(reference_of[id].rows);
  };
  // Pauses against the reference, record by record.
  std::map<std::string, std::vector<ref_pause>> got_pauses;
  for (const auto& p : batch.pauses)
    got_pauses[p.id].push_back(ref_pause{p.id, p.target, p.cycle, p.paused_from.time_since_epoch().count(),
                                         secs(p.paused_until)});
  for (auto& [id, ref] : reference_of) {
    t.pauses += ref.pauses.size();
    if (got_pauses[id] == ref.pauses) continue;
    std::string s = "pauses differ:\n  reference:\n";
    for (const auto& p : ref.pauses) s += "    " + show(p) + "\n";
    s += "  duly::evaluate:\n";
    for (const auto& p : got_pauses[id]) s += "    " + show(p) + "\n";
    fail(s, id);
  }

  // Carried attributes and segments.
  const std::vector<std::string> names = {"priority", "status", "tags"};
  const duly::evaluation facts = duly::evaluate(pol, engine_events, as_of, duly::evaluate_options{names, true});
  if (facts.timers.size() != batch.timers.size()) {
    fail("carrying attributes changes the timers", "(all)");
    return;
  }
  std::size_t seg = 0;
  std::size_t pause = 0;
  for (std::size_t k = 0; k < facts.timers.size(); ++k) {
    const duly::timer_row& row = facts.timers[k];
    if (!(from_engine(row) == from_engine(batch.timers[k]))) fail("carrying attributes changes a timer row", row.id);
    const auto& events = input_of[row.id];
    // The deciding instant: before breached_at, else before stopped, else at as_of;
    // after the events at it when it is the cycle's start.
    const int64_t x = secs(row.breached_at ? row.breached_at : row.stopped ? row.stopped : std::optional(as_of)).value();
    const bool at_start = (row.breached_at || row.stopped) && row.started && x <= secs(row.started).value();
    const bool inclusive = (!row.breached_at && !row.stopped) || at_start;
    if (row.carried.size() != names.size()) {
      fail("a timer row carries " + std::to_string(row.carried.size()) + " values", row.id);
      continue;
    }
    for (std::size_t n = 0; n < names.size(); ++n) {
      const std::string want = ref_value_at(events, names[n], x, inclusive);
      const std::string got = carried_text(row.carried[n].view());
      if (want != got)
        fail("timer " + show(from_engine(row)) + " carries " + names[n] + " = " + got + ", the events give " + want,
             row.id);
    }
    if (row.cycle == 0) continue;
    // Pauses add up to paused_seconds.
    int64_t paused = 0;
    for (; pause < batch.pauses.size() && batch.pauses[pause].id == row.id && batch.pauses[pause].target == row.target &&
           batch.pauses[pause].cycle == row.cycle;
         ++pause) {
      const auto& p = batch.pauses[pause];
      paused += (p.paused_until.value_or(as_of) - p.paused_from).count();
    }
    if (paused != row.paused_seconds.value_or(duly::seconds{-1}).count())
      fail("pauses of " + show(from_engine(row)) + " add up to " + std::to_string(paused) + "s", row.id);
    // Segments cover [started, stopped or as_of) and add up.
    const duly::instant until = row.stopped.value_or(as_of);
    duly::instant cursor = *row.started;
    int64_t business = 0, segment_paused = 0;
    for (; seg < facts.segments.size() && facts.segments[seg].id == row.id &&
           facts.segments[seg].target == row.target && facts.segments[seg].cycle == row.cycle;
         ++seg) {
      const auto& s = facts.segments[seg];
      ++t.segments;
      if (s.from != cursor || s.until <= s.from) fail("segments of " + show(from_engine(row)) + " leave a gap", row.id);
      cursor = s.until;
      if (s.paused) {
        segment_paused += (s.until - s.from).count();
        if (s.business_seconds != 0) fail("a paused segment has business seconds", row.id);
      } else {
        business += s.business_seconds;
      }
      for (std::size_t n = 0; n < names.size() && n < s.carried.size(); ++n) {
        const std::string want = ref_value_at(events, names[n], s.from.time_since_epoch().count(), true);
        if (carried_text(s.carried[n].view()) != want)
          fail("a segment from " + duly::format_instant(s.from) + " carries " + names[n] + " = " +
                   carried_text(s.carried[n].view()) + ", the events give " + want,
               row.id);
      }
    }
    if (cursor != std::max(until, *row.started)) fail("segments of " + show(from_engine(row)) + " end early", row.id);
    if (segment_paused != paused) fail("paused segments of " + show(from_engine(row)) + " add up to " + std::to_string(segment_paused) + "s", row.id);
    if (row.elapsed_seconds && business != row.elapsed_seconds->count())
      fail("running segments of " + show(from_engine(row)) + " add up to " + std::to_string(business) + "s", row.id);
  }
  if (seg != facts.segments.size()) fail("segments of no timer row", "(all)");
  if (pause != batch.pauses.size()) fail("pauses of no timer row, or out of order", "(all)");
}

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

  // Reference rows and firings, in ascending id order.
  std::vector<cmp_row> expected;
  std::vector<esc_row> expected_firings;
  std::map<std::string, ref_result> reference_of;
  std::uint64_t applied = 0;
  for (const auto& [id, evs] : input_of) {
    for (const auto& e : evs) applied += e.at <= as_of ? 1 : 0;
    ref_result ref = reference_record(choice, evs, as_of, t.seen);
    for (const auto& row : ref.rows) expected.push_back(row);
    for (const auto& row : ref.rows)
      if (row.breached_at && (row.state == "reset" || row.state == "cancelled")) ++t.seen["(breached, then " + row.state + ")"];
    for (const auto& f : ref.firings) expected_firings.push_back(f);
    reference_of[id] = std::move(ref);
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

  // Escalation firings, record by record: the same rows in the same order.
  std::vector<esc_row> actual_firings;
  for (const auto& f : batch.escalations) actual_firings.push_back(from_engine(f));
  if (actual_firings != expected_firings) {
    std::map<std::string, std::vector<esc_row>> want, got;
    for (const auto& f : expected_firings) want[f.id].push_back(f);
    for (const auto& f : actual_firings) got[f.id].push_back(f);
    std::set<std::string> ids;
    for (const auto& [id, rows] : want) ids.insert(id);
    for (const auto& [id, rows] : got) ids.insert(id);
    bool found = false;
    for (const auto& id : ids) {
      if (want[id] == got[id]) continue;
      found = true;
      auto a = want[id], b = got[id];
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      const bool order_only = a == b;
      int& count = order_only ? t.order_mismatches : t.escalation_mismatches;
      if (++count > 5) continue;
      ADD_FAILURE() << (order_only ? "escalation firings in another order" : "escalation firings differ") << " ("
                    << where << ", record " << id << ")\n"
                    << describe(yaml, input_of[id], as_of) << "  reference timers:\n"
                    << show_rows(reference_of[id].rows) << "  reference firings:\n"
                    << show_firings(want[id]) << "  duly::evaluate firings:\n"
                    << show_firings(got[id]);
    }
    if (!found) {
      ++t.order_mismatches;
      ADD_FAILURE() << "escalation firings: the same rows in another record order (" << where << ")";
    }
  }
  t.firings += expected_firings.size();

  // evaluation::next_wakeup: the earliest of the rows'.
  std::optional<int64_t> earliest;
  for (const auto& row : expected)
    if (row.next_wakeup && (!earliest || *row.next_wakeup < *earliest)) earliest = row.next_wakeup;
  if (secs(batch.next_wakeup) != earliest) {
    ++t.mismatches;
    if (t.mismatches <= 5)
      ADD_FAILURE() << "evaluation::next_wakeup " << show_instant(secs(batch.next_wakeup)) << ", the reference's "
                    << show_instant(earliest) << " (" << where << ")";
  }

  check_facts(pol, input_of, reference_of, engine_events, batch, as_of_instant, where, t);

  // The incremental evaluators equal the batch call.
  std::map<std::string, std::vector<cmp_row>> want;
  for (const auto& row : actual) want[row.id].push_back(row);
  for (std::size_t k = 0; k < evaluators.size(); ++k) {
    const std::string how = k == 0 ? "duly::evaluator (shuffled arrival)" : "duly::evaluator (time-ordered arrival)";
    const auto inc = evaluators[k]->results(as_of_instant);
    EXPECT_EQ(inc.events_applied, batch.events_applied) << how << ", " << where;
    EXPECT_EQ(inc.events_ignored, batch.events_ignored) << how << ", " << where;
    std::vector<esc_row> inc_firings;
    for (const auto& f : inc.escalations) inc_firings.push_back(from_engine(f));
    if (inc_firings != actual_firings) {
      ++t.escalation_mismatches;
      if (t.escalation_mismatches <= 5)
        ADD_FAILURE() << how << ": escalation firings differ from duly::evaluate (" << where << ")\n  duly::evaluate:\n"
                      << show_firings(actual_firings) << "  " << how << ":\n"
                      << show_firings(inc_firings);
    }
    if (inc.next_wakeup != batch.next_wakeup) {
      ++t.mismatches;
      if (t.mismatches <= 5)
        ADD_FAILURE() << how << ": next_wakeup " << show_instant(secs(inc.next_wakeup)) << ", duly::evaluate's "
                      << show_instant(secs(batch.next_wakeup)) << " (" << where << ")";
    }
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
  constexpr std::uint64_t default_seed = 20261126;
  const std::uint64_t seed = env_number("DULY_PROPERTY_SEED", default_seed);
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
  std::printf(
      "EngineDifferential: %llu records in %llu rounds, %llu rows and %llu firings compared, %d timer mismatches, "
      "%d escalation mismatches, %d escalation order mismatches; seen:",
      static_cast<unsigned long long>(records_done), static_cast<unsigned long long>(rounds),
      static_cast<unsigned long long>(t.rows), static_cast<unsigned long long>(t.firings), t.mismatches,
      t.escalation_mismatches, t.order_mismatches);
  std::printf(" %llu pauses, %llu segments, %d fact mismatches;", static_cast<unsigned long long>(t.pauses),
              static_cast<unsigned long long>(t.segments), t.fact_mismatches);
  for (const auto& [what, count] : t.seen) std::printf(" %s=%d", what.c_str(), count);
  std::printf("\n");
  EXPECT_EQ(t.mismatches, 0) << "seed " << seed;
  EXPECT_EQ(t.escalation_mismatches, 0) << "seed " << seed;
  EXPECT_EQ(t.order_mismatches, 0) << "seed " << seed;
  EXPECT_EQ(t.fact_mismatches, 0) << "seed " << seed;
  EXPECT_GT(t.pauses, 0u);
  EXPECT_GT(t.segments, 0u);
  // The generator reaches every state and the edge cases.
  for (const char* s : {"pending", "running", "paused", "breached", "met", "cancelled", "reset", "(stopped at due)",
                        "(as_of at due)", "(no goal)", "(zero goal)", "(business days)", "(ended after a pause)",
                        "(second cycle)", "(esc skipped by when)", "(esc repeat fired)", "(esc in a later cycle)",
                        "(esc at_risk fired)", "(esc fired at a whole minute)", "(esc fired inside a minute)",
                        "(esc raised)", "(esc raise ignored by when)", "(esc fired at as_of)",
                        "(esc tie within a target)", "(point is the next wakeup)", "(breached, then reset)",
                        "(breached, then cancelled)", "(goal from due_from)", "(due_from before the start)",
                        "(goal from within_from)", "(calendar from calendar_from)", "(esc fired, is_open)",
                        "(esc delivered later)", "(list attribute)", "(the same list again)",
                        "(goal chosen by a list condition)", "(esc skipped by a list condition)"})
    EXPECT_GT(t.seen[s], 0) << s;
  // Rarer ones depend on the few policies a seed draws: required at the
  // default seed, only reported with another.
  if (seed == default_seed) {
    for (const char* s : {"(esc tie across targets)", "(esc raise tied after a point)", "(at_risk_when at its threshold)",
                          "(esc key of a cycle sharing its start)"})
      EXPECT_GT(t.seen[s], 0) << s;
  }
}

}  // namespace
