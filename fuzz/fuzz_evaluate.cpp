// Fuzzes the timer engine (duly/evaluate.hpp) with fixed policies and random
// small event streams. The first byte picks one of the policies below; the
// rest decodes to up to 24 events over a few records (fuzz_engine.hpp: names,
// attributes and values the policies read, instants around DST changes, year
// ends and the edges of the supported range), an as_of, and the order in which
// an evaluator is fed. Checks (fuzz_engine.hpp): sane rows; evaluator in any
// order == evaluate at several as_of; explain on one id agrees.
#include <duly/evaluate.hpp>
#include <duly/policy.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "fuzz_engine.hpp"

namespace {

// examples/helpdesk/policy.yaml.
constexpr const char* helpdesk = R"(duly: 1
calendars:
  support:
    timezone: America/New_York
    hours:
      mon-fri: ["08:00-12:00", "13:00-17:00"]
    holidays:
      - {name: New Year's Day, month: 1, day: 1, observed: nearest_weekday}
      - {name: Memorial Day, month: 5, weekday: mon, nth: -1}
      - {name: Independence Day, month: 7, day: 4, observed: nearest_weekday}
      - {name: Labor Day, month: 9, weekday: mon, nth: 1}
      - {name: Thanksgiving, month: 11, weekday: thu, nth: 4}
      - {name: Christmas, month: 12, day: 25, observed: nearest_weekday}
    exceptions:
      2026-12-24: ["08:00-12:00"]
targets:
  - name: first_response
    labels: {kind: sla}
    applies_when: channel != "internal"
    start_when: event == "created"
    stop_when: event == "replied" and actor == "agent"
    cancel_when: status == "cancelled"
    goals:
      - {when: priority == "P1", within: 1h}
      - {when: priority == "P2", within: 4h, calendar: support}
      - {within: 8h, calendar: support}
  - name: resolution
    labels: {kind: sla}
    start_when: event == "created" or event == "reopened"
    stop_when: status == "resolved"
    pause_when: status == "waiting_on_customer"
    reset_when: event == "reclassified"
    cancel_when: status == "cancelled"
    goals:
      - {when: priority == "P1", within: 4h}
      - {when: priority == "P2", within: 2bd, calendar: support}
      - {within: 5bd, calendar: support}
escalations:
  - name: team_lead
    target: resolution
    at: 75%
    do: [{notify: [team_lead]}]
  - name: support_manager
    target: resolution
    at: due + 2h
    when: priority in ["P1", "P2"]
    repeat: {every: 4h, times: 2}
    do: [{notify: [support_manager]}, {set: {escalated: true}}]
)";

// Record zones, business days, retroactive starts, early warning, every kind
// of escalation point.
constexpr const char* zoned = R"(duly: 1
calendars:
  office: { timezone: UTC, hours: { mon-fri: "09:00-17:00" }, holidays: [2026-12-25, {easter: -2}] }
  night: { timezone: America/New_York, hours: { daily: "22:00-06:00", sun: [] } }
targets:
  - name: response
    start_when: event == "created"
    stop_when: event == "replied" and actor == "agent"
    pause_when: status == "hold"
    at_risk_when: remaining < 1h or eta > due
    start_at: opened_at
    goals:
      - { when: priority == "P1", within: 2h, calendar: night, timezone_from: customer_tz }
      - { when: priority == "P2", within: 1bd, calendar: office, timezone_from: tz }
      - { within: 30m }
  - name: fix
    start_when: event == "created" or (event == "reopened" and exists(priority))
    stop_when: status == "resolved"
    cancel_when: changed(channel) and channel == "internal"
    goals:
      - { when: vip == true, within: 1h30m, calendar: office, timezone_from: customer_tz }
      - { within: 2d }
escalations:
  - { name: warn, target: response, at: at_risk, do: [{notify: [lead]}] }
  - { name: half, target: response, at: 50%, repeat: {every: 30m, times: 3}, do: [] }
  - { name: late, target: response, at: due - 15m, when: status != "hold", do: [{set: {late: true}}] }
  - { name: page, target: response, at: manual, raise_when: event == "page", repeat: {every: 1h, times: 1}, do: [x] }
  - { name: early, target: fix, at: start + 10m, raise_when: event == "alarm", do: [] }
  - { name: over, target: fix, at: due + 1h, repeat: {every: 2h, times: 3}, do: [] }
)";

// DST: overnight windows in a zone whose clocks move, Lord Howe's half hour,
// exceptions over holidays, resets and cancels, a percent above 100.
constexpr const char* dst = R"(duly: 1
calendars:
  overnight:
    timezone: America/New_York
    hours: { mon-fri: ["00:00-03:00", "22:00-02:30"], sat: "01:30-03:00", sun: "00:00-00:00" }
    holidays: [{month: 11, weekday: thu, nth: 4}, {month: 1, day: 1, observed: next_weekday}]
    exceptions: { 2026-11-26: ["02:00-03:00"], 2026-03-08: ["01:00-04:00"] }
  howe:
    timezone: Australia/Lord_Howe
    hours: { mon-sat: ["01:00-03:00", "09:00-24:00"] }
    holidays: [{month: 12, day: 25, observed: nearest_weekday}, {easter: 1}]
targets:
  - name: a
    start_when: event == "created" or event == "reopened"
    stop_when: status == "resolved"
    pause_when: status == "waiting_on_customer" or status == "hold"
    reset_when: event == "reclassified"
    cancel_when: status == "cancelled"
    goals:
      - { when: priority == "P1", within: 3h, calendar: overnight }
      - { when: priority == "P2", within: 2bd, calendar: howe }
      - { when: priority == "P3", within: 1d2h30m15s, calendar: howe }
  - name: b
    applies_when: channel != "internal"
    start_when: exists(priority)
    stop_when: event == "replied"
    goals:
      - { when: tier == "gold", within: 0s }
      - { within: 45m, calendar: overnight }
escalations:
  - { name: p150, target: a, at: 150%, do: [] }
  - { name: s, target: b, at: start + 1h, repeat: {every: 15m, times: 4}, when: exists(actor), do: [] }
  - { name: d, target: a, at: due, do: [] }
)";

// A calendar open on one date in years (a leap day), one that is never open,
// and business days across them: ten-year scans and never_open.
constexpr const char* sparse = R"(duly: 1
calendars:
  leap: { timezone: Asia/Kolkata, hours: { daily: [] }, exceptions: { 2028-02-29: ["09:00-10:00"], 2032-02-29: ["23:00-01:00"] } }
  never: { hours: { daily: [] } }
  holidays_everywhere: { hours: { mon-fri: "09:00-17:00" }, holidays: [{month: 11, weekday: mon, nth: 4}, {month: 11, weekday: mon, nth: -1}] }
targets:
  - name: rare
    start_when: event == "created"
    stop_when: event == "resolved"
    pause_when: status == "hold"
    goals:
      - { when: priority == "P1", within: 1h, calendar: leap }
      - { when: priority == "P2", within: 1bd, calendar: leap }
      - { when: priority == "P3", within: 1h, calendar: never }
      - { within: 3bd, calendar: holidays_everywhere, timezone_from: tz }
escalations:
  - { name: x, target: rare, at: 1%, repeat: {every: 1s, times: 5}, do: [] }
)";

const std::vector<duly::policy>& policies() {
  static const std::vector<duly::policy> p = [] {
    std::vector<duly::policy> out;
    for (const char* text : {helpdesk, zoned, dst, sparse}) {
      auto compiled = duly::parse_policy(text, "fuzz_evaluate.yaml");
      if (!compiled) {
        std::fprintf(stderr, "fixed policy does not compile:\n%s\n", compiled.error().render().c_str());
        std::abort();
      }
      out.push_back(std::move(*compiled));
    }
    return out;
  }();
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  duly_fuzz::bytes in(data, size);
  const duly::policy& p = policies()[in.u8() % policies().size()];
  static const duly_fuzz::vocabulary words;
  duly::instant last;
  const std::vector<duly::event> events = duly_fuzz::decode_events(in, words, 24, last);
  // as_of: after the last event by up to ~10 days, or before it (some events ignored).
  const std::uint8_t a = in.u8();
  const duly::instant as_of = (a & 0x80) ? last - duly::seconds{std::int64_t{a & 0x7f} * 3600}
                                         : last + duly::seconds{std::int64_t{a} * std::int64_t{a} * 60};
  duly_fuzz::check_engine(p, events, as_of, in);
  return 0;
}
