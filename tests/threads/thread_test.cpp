// Concurrency tests: one compiled policy and its calendars shared by eight
// threads (duly/policy.hpp, duly/calendar.hpp and duly/evaluate.hpp promise
// that immutable handles may be used from any number of threads at once,
// including the first calls that build a calendar's year tables and the
// policy's cache of calendars re-zoned by `timezone_from`).
//
// Every test builds *fresh* shared objects, releases all threads at once so that
// first uses collide, and compares what each thread got with a single-threaded
// run on separately compiled objects. Meant to run under ThreadSanitizer
// (-DDULY_SANITIZE=thread), where a data race fails the run even when results
// happen to agree.
//
// Reads examples/helpdesk/policy.yaml and examples/calendars/support.yaml under
// DULY_SOURCE_DIR (a compile definition: the repository's root).
#include <duly/duly.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <latch>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#ifndef DULY_SOURCE_DIR
#error "thread_test needs DULY_SOURCE_DIR, the repository's root, as a compile definition"
#endif

namespace {

using duly::instant;
using duly::seconds;
using namespace std::chrono;

constexpr int thread_count = 8;

std::string read_file(const std::string& relative) {
  const std::string path = std::string(DULY_SOURCE_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

duly::policy compile(const std::string& text) {
  auto p = duly::parse_policy(text, "thread_test.yaml");
  EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().render());
  return p ? *p : duly::parse_policy("duly: 1\ntargets: [{name: x, start_when: 'false', goals: [{within: 1h}]}]").value();
}

duly::calendar calendar_of(const std::string& text) {
  auto c = duly::parse_calendar(text, "thread_test.yaml");
  EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().render());
  return c ? *c : duly::calendar{};
}

instant at_year(int year) { return instant{sys_days{std::chrono::year{year} / January / 1}}; }

// Runs `work(i)` on thread_count threads released together.
void run_together(const std::function<void(int)>& work) {
  std::latch start(thread_count);
  std::vector<std::thread> threads;
  for (int i = 0; i < thread_count; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      work(i);
    });
  }
  for (auto& t : threads) t.join();
}

std::string dump(const duly::evaluation& r) {
  std::ostringstream out;
  duly::write_evaluation(out, r, duly::output_format::jsonl);
  out << "applied " << r.events_applied << " ignored " << r.events_ignored << " next_wakeup "
      << (r.next_wakeup ? duly::format_instant(*r.next_wakeup) : std::string("-")) << "\n";
  return out.str();
}

std::string dump(const duly::explanation& x) {
  std::ostringstream out;
  duly::write_explanation(out, x, duly::output_format::jsonl);
  return out.str();
}

template <class T>
std::string dump(const duly::result<T>& r) {
  if (!r) return "error " + std::string(duly::to_string(r.error().code()));
  if constexpr (std::is_same_v<T, instant>) return duly::format_instant(*r);
  else return std::to_string(r->count());
}

// --- events ---------------------------------------------------------------------

duly::event make_event(const std::string& id, instant t, std::string name,
                       std::vector<std::pair<std::string, duly::value>> set, std::uint64_t& sequence) {
  duly::event e;
  e.id = id;
  e.at = t;
  e.name = std::move(name);
  e.sequence = sequence++;
  for (auto& [k, v] : set) e.updates.push_back({k, duly::owned_value(v)});
  return e;
}

// Helpdesk tickets, record r created in year first_year + r % years, each with a
// few follow-ups: replies, waits on the customer, resolutions, reopenings,
// reclassifications, cancellations. `zones` (may be empty) sets customer_tz.
std::vector<duly::event> make_tickets(int records, int first_year, int years, std::uint32_t seed,
                                      const std::vector<std::string>& zones = {}) {
  std::mt19937 rng(seed);
  const auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  static const char* priorities[] = {"P1", "P2", "P3"};
  static const char* channels[] = {"email", "phone", "internal", "chat"};
  std::vector<duly::event> out;
  std::uint64_t sequence = 0;
  for (int r = 0; r < records; ++r) {
    const std::string id = "T-" + std::to_string(r);
    const int year = first_year + r % years;
    instant t = at_year(year) + seconds{std::int64_t{pick(365)} * 86400 + pick(86400)};
    std::vector<std::pair<std::string, duly::value>> created = {
        {"priority", duly::value::string(priorities[pick(3)])},
        {"channel", duly::value::string(channels[pick(4)])},
        {"status", duly::value::string("new")}};
    if (!zones.empty()) created.emplace_back("customer_tz", duly::value::string(zones[static_cast<std::size_t>(r) % zones.size()]));
    out.push_back(make_event(id, t, "created", created, sequence));
    const int follow_ups = 1 + pick(6);
    for (int k = 0; k < follow_ups; ++k) {
      t += seconds{std::int64_t{1 + pick(3)} * (pick(2) ? 600 : 86400) + pick(3600)};
      switch (pick(7)) {
        case 0: out.push_back(make_event(id, t, "replied", {{"actor", duly::value::string(pick(2) ? "agent" : "customer")}}, sequence)); break;
        case 1: out.push_back(make_event(id, t, "updated", {{"status", duly::value::string("waiting_on_customer")}}, sequence)); break;
        case 2: out.push_back(make_event(id, t, "updated", {{"status", duly::value::string("open")}}, sequence)); break;
        case 3: out.push_back(make_event(id, t, "updated", {{"status", duly::value::string("resolved")}}, sequence)); break;
        case 4: out.push_back(make_event(id, t, "reopened", {{"status", duly::value::string("open")}}, sequence)); break;
        case 5: out.push_back(make_event(id, t, "reclassified", {{"priority", duly::value::string(priorities[pick(3)])}}, sequence)); break;
        default:
          if (!zones.empty()) {
            out.push_back(make_event(id, t, "updated", {{"customer_tz", duly::value::string(zones[static_cast<std::size_t>(pick(static_cast<int>(zones.size())))])}}, sequence));
          } else {
            out.push_back(make_event(id, t, "updated", {{"status", duly::value::string("cancelled")}}, sequence));
          }
      }
    }
  }
  return out;
}

// The events of the records whose index is `i` modulo thread_count.
std::vector<duly::event> share_of(const std::vector<duly::event>& all, int i) {
  std::vector<duly::event> out;
  for (const auto& e : all)
    if (std::stoi(e.id.substr(2)) % thread_count == i) out.push_back(e);
  return out;
}

// --- tests ------------------------------------------------------------------------

// Eight threads evaluate different records (thread i owns the records of years
// i, i + 8, ...: its first calls build those years' tables while the others
// build theirs), then all records at once, then feed an evaluator in another
// order, then explain one record; a fresh policy, compared with a policy
// compiled separately and run on one thread.
TEST(Threads, SharedPolicyEvaluatesAsOnOneThread) {
  const std::string text = read_file("examples/helpdesk/policy.yaml");
  const auto all = make_tickets(480, 2010, 24, 20261123);
  const instant as_of = at_year(2034);
  const instant earlier = at_year(2021) + seconds{86400 * 100};

  const duly::policy reference = compile(text);
  std::array<std::string, thread_count> expected_share, expected_share_earlier, expected_explain;
  for (int i = 0; i < thread_count; ++i) {
    const auto mine = share_of(all, i);
    expected_share[static_cast<std::size_t>(i)] = dump(duly::evaluate(reference, mine, as_of));
    expected_share_earlier[static_cast<std::size_t>(i)] = dump(duly::evaluate(reference, mine, earlier));
    expected_explain[static_cast<std::size_t>(i)] = dump(duly::explain(reference, all, "T-" + std::to_string(i * 7), as_of));
  }
  const std::string expected_all = dump(duly::evaluate(reference, all, as_of));

  const duly::policy shared = compile(text);
  std::array<std::string, thread_count> got_share, got_all, got_evaluator, got_evaluator_earlier, got_explain;
  run_together([&](int i) {
    const auto k = static_cast<std::size_t>(i);
    const auto mine = share_of(all, i);
    got_share[k] = dump(duly::evaluate(shared, mine, as_of));
    got_all[k] = dump(duly::evaluate(shared, all, as_of));
    duly::evaluator ev(shared);
    std::vector<duly::event> shuffled = mine;
    std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(static_cast<unsigned>(i)));
    for (auto& e : shuffled) ev.add(std::move(e));
    got_evaluator[k] = dump(ev.results(as_of));
    got_evaluator_earlier[k] = dump(ev.results(earlier));
    got_explain[k] = dump(duly::explain(shared, all, "T-" + std::to_string(i * 7), as_of));
  });

  for (std::size_t k = 0; k < thread_count; ++k) {
    EXPECT_EQ(got_share[k], expected_share[k]) << "thread " << k;
    EXPECT_EQ(got_all[k], expected_all) << "thread " << k;
    EXPECT_EQ(got_evaluator[k], expected_share[k]) << "thread " << k;
    EXPECT_EQ(got_evaluator_earlier[k], expected_share_earlier[k]) << "thread " << k;
    EXPECT_EQ(got_explain[k], expected_explain[k]) << "thread " << k;
  }
}

// What a thread asks a calendar about one year: deadlines, open time, opening
// and closing, business days and open intervals at a few instants of it.
std::string probe_year(const duly::calendar& c, int year) {
  std::string out = std::to_string(year) + ":";
  const instant start = at_year(year);
  for (int k = 0; k < 4; ++k) {
    const instant t = start + seconds{std::int64_t{k} * 97 * 86400 + 13 * 3600 + k * 1234};
    out += " " + dump(c.add(t, seconds{4 * 3600}));
    out += " " + dump(c.subtract(t, seconds{11 * 3600}));
    out += " " + std::to_string(c.elapsed(t, t + seconds{90 * 86400}).count());
    out += " " + dump(c.next_open(t));
    out += " " + dump(c.next_close(t));
    out += " " + dump(c.add_business_days(t, 3));
    out += c.is_open(t) ? " open" : " closed";
    const auto iv = c.open_intervals(t, t + seconds{7 * 86400});
    out += " " + (iv ? std::to_string(iv->size()) : std::string("error"));
  }
  return out;
}

// Years thread i asks for: its own years across the whole supported range
// (1970 + i, 1978 + i, ...), then years every thread asks for at once.
std::vector<int> years_of(int i) {
  std::vector<int> ys;
  for (int y = 1970 + i; y < 2200; y += 8 * 3) ys.push_back(y);
  for (int y : {2026, 2027, 1970, 2199}) ys.push_back(y);
  return ys;
}

// Fresh calendars (and re-zoned copies, which have tables of their own) shared
// by eight threads, each asking for different years at once, plus one walk over
// the whole range while the tables are being built; several rounds, so first
// uses collide often.
TEST(Threads, FreshCalendarsBuildYearTablesConcurrently) {
  const std::string text = read_file("examples/calendars/support.yaml");
  const auto tokyo = duly::time_zone::locate("Asia/Tokyo").value();
  const auto howe = duly::time_zone::locate("Australia/Lord_Howe").value();

  const duly::calendar reference = calendar_of(text);
  const std::array<duly::calendar, 3> references = {reference, reference.with_zone(tokyo),
                                                    reference.with_zone(howe)};
  std::array<std::array<std::string, thread_count>, 3> expected;
  for (std::size_t c = 0; c < 3; ++c)
    for (int i = 0; i < thread_count; ++i)
      for (int y : years_of(i)) expected[c][static_cast<std::size_t>(i)] += probe_year(references[c], y) + "\n";
  const auto whole = [](const duly::calendar& c) {
    return std::to_string(c.elapsed(duly::min_supported_instant, duly::max_supported_instant).count());
  };
  const std::string expected_whole = whole(reference);

  for (int round = 0; round < 4; ++round) {
    const duly::calendar base = calendar_of(text);
    const std::array<duly::calendar, 3> shared = {base, base.with_zone(tokyo), base.with_zone(howe)};
    std::array<std::array<std::string, thread_count>, 3> got;
    std::array<std::string, thread_count> got_whole;
    run_together([&](int i) {
      const auto k = static_cast<std::size_t>(i);
      // Thread 0 walks every year while the others build theirs.
      if (i == 0) got_whole[k] = whole(shared[0]);
      for (std::size_t c = 0; c < 3; ++c) {
        // Start with a different calendar on each thread.
        const std::size_t which = (c + k) % 3;
        for (int y : years_of(i)) got[which][k] += probe_year(shared[which], y) + "\n";
      }
    });
    EXPECT_EQ(got_whole[0], expected_whole) << "round " << round;
    for (std::size_t c = 0; c < 3; ++c)
      for (std::size_t k = 0; k < thread_count; ++k)
        EXPECT_EQ(got[c][k], expected[c][k]) << "round " << round << ", calendar " << c << ", thread " << k;
  }
}

// A policy whose goals read their calendar in the record's zone
// (timezone_from): threads evaluating records in many zones at once fill the
// policy's cache of re-zoned calendars and build those calendars' tables
// concurrently; others ask goal_calendar() for the same zones directly.
TEST(Threads, TimezoneFromCalendarsAreSharedSafely) {
  const std::string text = R"(duly: 1
calendars:
  office:
    timezone: UTC
    hours: { mon-fri: ["09:00-12:00", "13:00-17:00"], sat: "22:00-02:00" }
    holidays:
      - {month: 12, day: 25, observed: nearest_weekday}
      - {month: 11, weekday: thu, nth: 4}
      - {easter: -2}
targets:
  - name: first_response
    applies_when: channel != "internal"
    start_when: event == "created"
    stop_when: event == "replied" and actor == "agent"
    cancel_when: status == "cancelled"
    goals:
      - {when: priority == "P1", within: 2h, calendar: office, timezone_from: customer_tz}
      - {within: 8h, calendar: office, timezone_from: customer_tz}
  - name: resolution
    start_when: event == "created" or event == "reopened"
    stop_when: status == "resolved"
    pause_when: status == "waiting_on_customer"
    reset_when: event == "reclassified"
    goals:
      - {when: priority == "P1", within: 1bd, calendar: office, timezone_from: customer_tz}
      - {within: 3bd, calendar: office, timezone_from: customer_tz}
escalations:
  - {name: lead, target: resolution, at: 50%, repeat: {every: 4h, times: 2}, do: [{notify: [lead]}]}
)";
  const std::vector<std::string> zones = {
      "America/New_York", "Asia/Tokyo",       "Europe/London",   "Australia/Lord_Howe", "Asia/Kolkata",
      "America/St_Johns", "Pacific/Chatham",  "Asia/Kathmandu",  "America/Sao_Paulo",   "Africa/Casablanca",
      "Europe/Dublin",    "Pacific/Auckland", "Mars/Olympus",    "UTC",                 ""};
  const auto all = make_tickets(320, 2024, 6, 7, zones);
  const instant as_of = at_year(2031);

  const duly::policy reference = compile(text);
  std::array<std::string, thread_count> expected_share;
  for (int i = 0; i < thread_count; ++i)
    expected_share[static_cast<std::size_t>(i)] = dump(duly::evaluate(reference, share_of(all, i), as_of));
  const std::string expected_all = dump(duly::evaluate(reference, all, as_of));
  const auto probe_zones = [&](const duly::policy& p, int i) {
    std::string out;
    const auto& goals = p.targets()[1].goals;
    for (std::size_t z = 0; z < zones.size(); ++z) {
      const auto& zone = zones[(z + static_cast<std::size_t>(i)) % zones.size()];
      const duly::calendar c = p.goal_calendar(goals[z % goals.size()], zone);
      out += zone + " " + c.zone().name() + " " + dump(c.add(at_year(2026 + i % 3), seconds{10 * 3600})) + " " +
             dump(c.add_business_days(at_year(2025) + seconds{86400 * 40}, 2)) + "\n";
    }
    return out;
  };
  std::array<std::string, thread_count> expected_probe;
  for (int i = 0; i < thread_count; ++i) expected_probe[static_cast<std::size_t>(i)] = probe_zones(reference, i);

  const duly::policy shared = compile(text);
  std::array<std::string, thread_count> got_share, got_all, got_probe;
  run_together([&](int i) {
    const auto k = static_cast<std::size_t>(i);
    // Half the threads start with goal_calendar(), half with evaluate().
    if (i % 2 == 0) got_probe[k] = probe_zones(shared, i);
    got_share[k] = dump(duly::evaluate(shared, share_of(all, i), as_of));
    if (i % 2 == 1) got_probe[k] = probe_zones(shared, i);
    got_all[k] = dump(duly::evaluate(shared, all, as_of));
  });
  for (std::size_t k = 0; k < thread_count; ++k) {
    EXPECT_EQ(got_share[k], expected_share[k]) << "thread " << k;
    EXPECT_EQ(got_all[k], expected_all) << "thread " << k;
    EXPECT_EQ(got_probe[k], expected_probe[k]) << "thread " << k;
  }
}

// Zones looked up for the first time by many threads at once (the process-wide
// zone cache), then used at once.
TEST(Threads, ZonesLocatedConcurrently) {
  const std::vector<std::string> names = {"America/Denver", "Asia/Singapore", "Europe/Paris", "Australia/Sydney",
                                          "America/Anchorage", "Asia/Tehran", "Pacific/Kiritimati", "Europe/Moscow",
                                          "No/Such_Zone", "America/Argentina/Buenos_Aires"};
  std::array<std::string, thread_count> got;
  run_together([&](int i) {
    for (std::size_t n = 0; n < names.size(); ++n) {
      const auto& name = names[(n + static_cast<std::size_t>(i)) % names.size()];
      const auto z = duly::time_zone::locate(name);
      got[static_cast<std::size_t>(i)] += name + "=" + (z ? std::to_string(z->offset(at_year(2026)).count()) : "unknown") + ";";
    }
  });
  std::string expected;
  for (int i = 0; i < thread_count; ++i) {
    std::string mine;
    for (std::size_t n = 0; n < names.size(); ++n) {
      const auto& name = names[(n + static_cast<std::size_t>(i)) % names.size()];
      const auto z = duly::time_zone::locate(name);
      mine += name + "=" + (z ? std::to_string(z->offset(at_year(2026)).count()) : "unknown") + ";";
    }
    EXPECT_EQ(got[static_cast<std::size_t>(i)], mine) << "thread " << i;
  }
}

}  // namespace
