// The timer engine replaying events through a compiled two-target policy with a
// few conditions each (the helpdesk shape): first response and resolution, with
// pauses, priority-dependent goals on a business calendar and 24x7 goals.
//
// engine_commitments: the same tickets under a policy that uses every per-record
// key: calendar_from (one of three customer calendars), within_from (contract
// hours as text or seconds, some unreadable), due_from (a promised instant on
// some tickets), a 30cd goal, is_open in a condition and an escalation, and a
// tags list (set on the first event, changed on some later ones) read by a goal
// (`"vip" in tags`), escalations (has_any, has_all) and a reset_when
// (changed(tags) with a whole-list ==), a deliver_in on one escalation, and an
// attributes: section declaring every name it reads (the engine's batch call
// does not check values: that is the readers' work, so the unreadable contract
// hours still reach it).
//
// engine_long_record: one record of 1,000 to 16,000 events under the
// commitments policy, its clocks pausing and resuming every hour or so: the
// time per event should not grow with the record's length.
//
// Run: build/bench/duly_engine_bench   (see docs/performance.md)
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <duly/duly.hpp>

namespace {

constexpr const char* policy_text = R"(
duly: 1
calendars:
  support:
    timezone: America/New_York
    hours: {mon-fri: ["08:00-12:00", "13:00-17:00"]}
    holidays:
      - {name: Thanksgiving, month: 11, weekday: thu, nth: 4}
      - {name: Christmas, month: 12, day: 25, observed: nearest_weekday}
targets:
  - name: first_response
    applies_when: channel != "internal"
    start_when: event == "created"
    stop_when: event == "replied" and actor == "agent"
    cancel_when: status == "cancelled"
    goals:
      - {when: priority == "P1", within: 1h}
      - {when: priority == "P2", within: 4h, calendar: support}
      - {within: 8h, calendar: support}
  - name: resolution
    start_when: event == "created" or event == "reopened"
    stop_when: status == "resolved"
    pause_when: status in ["waiting_on_customer", "waiting_on_vendor"]
    cancel_when: status == "cancelled"
    goals:
      - {when: priority == "P1", within: 4h}
      - {when: priority == "P2", within: 2bd, calendar: support}
      - {within: 5bd, calendar: support}
)";

constexpr const char* commitments_text = R"(
duly: 1
calendars:
  support:
    timezone: America/New_York
    hours: {mon-fri: ["08:00-12:00", "13:00-17:00"]}
  acme: {timezone: America/Chicago, hours: {mon-fri: "07:00-19:00"}}
  globex: {timezone: Europe/Berlin, hours: {mon-fri: "08:00-16:00"}}
  initech: {timezone: Asia/Tokyo, hours: {mon-sat: "09:00-18:00"}}
attributes:
  channel: {type: text}
  actor: {type: text, values: [agent, customer]}
  status: {type: text, values: [new, open, waiting_on_customer, waiting_on_vendor, resolved, cancelled]}
  priority: {type: text, values: [P1, P2, P3]}
  tier: {type: text}
  customer_calendar: {type: text}
  contract_hours: {type: duration}
  promised: {type: instant}
  tags: {type: list}
targets:
  - name: first_response
    applies_when: channel != "internal"
    start_when: event == "created"
    stop_when: event == "replied" and actor == "agent"
    cancel_when: status == "cancelled"
    goals:
      - {when: promised != null, due_from: promised, calendar_from: customer_calendar, calendar: support}
      - {when: '"vip" in tags', within: 2h, calendar_from: customer_calendar, calendar: support}
      - {when: tier == "contract", within_from: contract_hours, calendar_from: customer_calendar, calendar: support}
      - {within: 8h, calendar_from: customer_calendar, calendar: support}
  - name: resolution
    start_when: event == "created" or event == "reopened"
    stop_when: status == "resolved"
    pause_when: status in ["waiting_on_customer", "waiting_on_vendor"] or not is_open("support")
    cancel_when: status == "cancelled"
    reset_when: changed(tags) and tags == ["vip", "escalated"]
    goals:
      - {when: priority == "P1", within_from: contract_hours, within: 4h}
      - {when: priority == "P2", within: 2bd, calendar_from: customer_calendar, calendar: support}
      - {within: 30cd, calendar: support}
escalations:
  - {name: lead, target: first_response, at: 75%, when: is_open("support"), do: [{notify: [lead]}]}
  - {name: late, target: resolution, at: due, deliver_in: support, do: [{notify: [manager]}]}
  - {name: billing, target: resolution, at: 50%, when: 'has_any(tags, ["billing", "refund"])', do: [{notify: [finance]}]}
  - {name: vip_late, target: first_response, at: due, when: 'has_all(tags, ["vip", "escalated"])', do: [{notify: [director]}]}
)";

duly::event make(const std::string& id, std::int64_t at, const char* name,
                 std::initializer_list<std::pair<const char*, const char*>> attrs) {
  duly::event e;
  e.id = id;
  e.at = duly::instant{duly::seconds{at}};
  e.name = name;
  for (const auto& [k, v] : attrs) e.updates.push_back({k, duly::owned_value(duly::value::string(v))});
  return e;
}

// A year of tickets: each opened, worked (status changes, waits), replied and
// resolved, some reopened; about 8 events a ticket.
std::vector<duly::event> make_events(std::size_t tickets) {
  std::mt19937_64 rng(7);
  std::vector<duly::event> out;
  const std::int64_t year = duly::parse_instant("2026-01-01T00:00:00Z")->time_since_epoch().count();
  std::uniform_int_distribution<std::int64_t> open_at(year, year + 365 * 86400);
  std::uniform_int_distribution<std::int64_t> gap(600, 6 * 3600);
  const char* priorities[] = {"P1", "P2", "P3", "P3"};
  for (std::size_t i = 0; i < tickets; ++i) {
    const std::string id = "T-" + std::to_string(i);
    std::int64_t t = open_at(rng);
    out.push_back(make(id, t, "created", {{"priority", priorities[i % 4]}, {"channel", "email"}, {"status", "new"}}));
    out.push_back(make(id, t += gap(rng), "assigned", {{"status", "open"}, {"assignee", "agent-7"}}));
    out.push_back(make(id, t += gap(rng), "replied", {{"actor", "agent"}}));
    out.push_back(make(id, t += gap(rng), "updated", {{"status", "waiting_on_customer"}}));
    out.push_back(make(id, t += gap(rng), "replied", {{"actor", "customer"}, {"status", "open"}}));
    out.push_back(make(id, t += gap(rng), "updated", {{"status", "waiting_on_vendor"}}));
    out.push_back(make(id, t += gap(rng), "updated", {{"status", "open"}}));
    out.push_back(make(id, t += gap(rng), "updated", {{"status", "resolved"}}));
  }
  return out;
}

duly::owned_value tag_list(std::initializer_list<const char*> tags) {
  duly::list_builder b;
  for (const char* t : tags) b.add(duly::value::string(t));
  return duly::owned_value(duly::value::list(b.text()));
}

// The same tickets with the per-record attributes on their first event, and
// tags: a list on every other ticket's first event, changed by some tickets'
// fourth event (one in six escalated, which resets its resolution clock).
std::vector<duly::event> make_commitment_events(std::size_t tickets) {
  auto out = make_events(tickets);
  const char* calendars[] = {"acme", "globex", "initech", "unknown"};
  for (std::size_t i = 0; i < out.size(); i += 8) {
    const std::size_t k = i / 8;
    auto& u = out[i].updates;
    if (k % 4 == 0) u.push_back({"tags", tag_list({"vip"})});
    else if (k % 4 == 1) u.push_back({"tags", tag_list({"billing", "eu"})});
    else if (k % 4 == 2) u.push_back({"tags", tag_list({})});
    if (k % 6 == 0) out[i + 3].updates.push_back({"tags", tag_list({"vip", "escalated"})});
    else if (k % 6 == 3) out[i + 3].updates.push_back({"tags", tag_list({"refund"})});
    u.push_back({"customer_calendar", duly::owned_value(duly::value::string(calendars[k % 4]))});
    if (k % 3 == 0) u.push_back({"tier", duly::owned_value(duly::value::string("contract"))});
    if (k % 5 == 0) u.push_back({"contract_hours", duly::owned_value(duly::value::string("6h"))});
    else if (k % 5 == 1) u.push_back({"contract_hours", duly::owned_value(duly::value::number(7200))});
    else if (k % 5 == 2) u.push_back({"contract_hours", duly::owned_value(duly::value::string("soon"))});
    if (k % 7 == 0) {
      const auto promised = out[i].at + duly::seconds{2 * 86400};
      u.push_back({"promised", duly::owned_value(duly::value::string(duly::format_instant(promised)))});
    }
  }
  return out;
}

void engine_commitments(benchmark::State& state) {
  const auto policy = duly::parse_policy(commitments_text).value();
  const auto events = make_commitment_events(static_cast<std::size_t>(state.range(0)));
  const auto as_of = *duly::parse_instant("2027-02-01T00:00:00Z");
  for (auto _ : state) {
    auto r = duly::evaluate(policy, events, as_of);
    benchmark::DoNotOptimize(r.timers.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(events.size()));
  state.counters["events"] = static_cast<double>(events.size());
}
BENCHMARK(engine_commitments)->Arg(25000)->Unit(benchmark::kMillisecond);

void engine_evaluate(benchmark::State& state) {
  const auto policy = duly::parse_policy(policy_text).value();
  const auto events = make_events(static_cast<std::size_t>(state.range(0)));
  const auto as_of = *duly::parse_instant("2027-02-01T00:00:00Z");
  for (auto _ : state) {
    auto r = duly::evaluate(policy, events, as_of);
    benchmark::DoNotOptimize(r.timers.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(events.size()));
  state.counters["events"] = static_cast<double>(events.size());
}
BENCHMARK(engine_evaluate)->Arg(25000)->Unit(benchmark::kMillisecond);

// One long-lived record: a ticket open for years whose status moves between
// open and waiting every hour or so (a pause each time), with the commitments
// policy's escalations. The time per event should not grow with the record's
// length (engine_long_record/1000 against /16000).
std::vector<duly::event> make_long_record(std::size_t events) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<std::int64_t> gap(600, 2 * 3600);
  std::vector<duly::event> out;
  std::int64_t t = duly::parse_instant("2026-01-05T09:00:00Z")->time_since_epoch().count();
  out.push_back(make("LONG-1", t, "created", {{"priority", "P2"}, {"channel", "email"}, {"status", "new"}}));
  out.back().updates.push_back({"tags", tag_list({"billing"})});
  for (std::size_t k = 1; k < events; ++k)
    out.push_back(make("LONG-1", t += gap(rng), "updated", {{"status", k % 2 ? "waiting_on_customer" : "open"}}));
  return out;
}

void engine_long_record(benchmark::State& state) {
  const auto policy = duly::parse_policy(commitments_text).value();
  const auto events = make_long_record(static_cast<std::size_t>(state.range(0)));
  const auto as_of = duly::instant{events.back().at + duly::seconds{3600}};
  for (auto _ : state) {
    auto r = duly::evaluate(policy, events, as_of);
    benchmark::DoNotOptimize(r.timers.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(events.size()));
}
BENCHMARK(engine_long_record)->Arg(1000)->Arg(4000)->Arg(16000)->Unit(benchmark::kMillisecond);

void engine_incremental(benchmark::State& state) {
  const auto policy = duly::parse_policy(policy_text).value();
  const auto events = make_events(static_cast<std::size_t>(state.range(0)));
  const auto as_of = *duly::parse_instant("2027-02-01T00:00:00Z");
  for (auto _ : state) {
    duly::evaluator ev(policy);
    for (const auto& e : events) ev.add(e);
    auto r = ev.results(as_of);
    benchmark::DoNotOptimize(r.timers.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(events.size()));
}
BENCHMARK(engine_incremental)->Arg(25000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
