// Helpers of the engine fuzz targets (fuzz_policy.cpp, fuzz_evaluate.cpp):
// decoding a small event stream from fuzzer bytes, and checking one policy on
// it every way the API allows:
//  - evaluate() rows are sane (no negative elapsed or paused time, remaining =
//    goal - elapsed, a stop not before its start, a breach with its instant);
//  - an evaluator fed the events in another order gives the same timers,
//    escalations, counts and next_wakeup as evaluate(), at several as_of in a
//    row (so its caches are exercised);
//  - explain() on one record gives that record's timers and firings, its entries
//    in time order.
#pragma once

#include <duly/evaluate.hpp>
#include <duly/io.hpp>
#include <duly/policy.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_common.hpp"

namespace duly_fuzz {

inline std::string dump(const duly::evaluation& r) {
  std::ostringstream out;
  duly::write_evaluation(out, r, duly::output_format::jsonl);
  out << "applied " << r.events_applied << " ignored " << r.events_ignored << " next_wakeup "
      << (r.next_wakeup ? duly::format_instant(*r.next_wakeup) : std::string("-")) << "\n";
  return out.str();
}

inline void check_rows(const duly::evaluation& r) {
  for (const auto& row : r.timers) {
    const std::string where = row.id + "/" + row.target + "/" + std::to_string(row.cycle);
    if (row.elapsed_seconds)
      DULY_FUZZ_CHECK(row.elapsed_seconds->count() >= 0, where << ": elapsed " << row.elapsed_seconds->count());
    if (row.paused_seconds)
      DULY_FUZZ_CHECK(row.paused_seconds->count() >= 0, where << ": paused " << row.paused_seconds->count());
    if (row.goal_seconds && row.elapsed_seconds && row.remaining_seconds)
      DULY_FUZZ_CHECK(*row.remaining_seconds == *row.goal_seconds - *row.elapsed_seconds,
                      where << ": remaining != goal - elapsed");
    if (row.started && row.stopped)
      DULY_FUZZ_CHECK(*row.stopped >= *row.started, where << ": stopped " << show(*row.stopped)
                                                          << " before started " << show(*row.started));
    if (row.state == duly::timer_state::breached)
      DULY_FUZZ_CHECK(row.breached_at.has_value(), where << ": breached without breached_at");
    if (row.state == duly::timer_state::pending) DULY_FUZZ_CHECK(!row.started, where << ": pending but started");
  }
}

// What events may say: names, attributes and values that the fixed policies
// read (and some they do not).
struct vocabulary {
  std::vector<std::string> ids = {"A", "B", "C", "HD-1"};
  std::vector<std::string> events = {"created", "replied", "updated", "reopened", "reclassified",
                                     "resolved", "note",    "page",    "alarm"};
  std::vector<std::string> attributes = {"priority", "channel", "status", "actor", "customer_tz", "tz",
                                         "opened_at", "eta",    "site",   "vip",   "tier"};
  std::vector<std::string> strings = {"P1",    "P2",   "P3",   "email",  "internal", "new",      "resolved",
                                      "waiting_on_customer", "cancelled", "open",   "hold",     "agent",
                                      "customer", "ny", "gold", "America/New_York", "Asia/Tokyo",
                                      "Australia/Lord_Howe", "Asia/Kolkata", "Mars/Olympus", "UTC", ""};
};

// Bases for event instants: an ordinary week, DST changes in New York, a year
// end with holidays, and the edges of the supported range.
inline duly::instant decode_base(std::uint8_t b) {
  static const std::int64_t bases[] = {
      1795420800,  // 2026-11-23T00:00:00Z (Monday)
      1795420800,
      1772755200,  // 2026-03-06T00:00:00Z: New York springs forward on the 8th
      1793232000,  // 2026-10-29T00:00:00Z: New York falls back on 1 November
      1798156800,  // 2026-12-24T00:00:00Z: Christmas, New Year
      1803859200,  // 2027-02-28T00:00:00Z
      3600,        // 1970-01-01T01:00:00Z
      7257513600,  // 2199-12-25T00:00:00Z: deadlines fall after 2200
  };
  return duly::instant{duly::seconds{bases[b % std::size(bases)]}};
}

// A stream of up to `max_events` events; `sequence` is the input position.
inline std::vector<duly::event> decode_events(bytes& in, const vocabulary& v, std::size_t max_events,
                                              duly::instant& last) {
  std::vector<duly::event> out;
  duly::instant t = decode_base(in.u8());
  last = t;
  const std::size_t n = 1 + in.u8() % max_events;
  for (std::size_t k = 0; k < n && !in.empty(); ++k) {
    const std::uint8_t head = in.u8();
    const std::uint8_t step = in.u8();
    // Mostly minutes forward; sometimes hours or days, the same instant, or back.
    switch (head >> 5) {
      case 0: case 1: case 2: t += duly::seconds{std::int64_t{step} * 60}; break;
      case 3: t += duly::seconds{std::int64_t{step} * 3600}; break;
      case 4: t += duly::seconds{std::int64_t{step} * 86400}; break;
      case 5: break;
      case 6: t -= duly::seconds{std::int64_t{step} * 600}; break;
      default: t += duly::seconds{std::int64_t{step} * 7}; break;
    }
    last = std::max(last, t);
    duly::event e;
    e.id = v.ids[head % v.ids.size()];
    e.at = t;
    e.name = v.events[in.u8() % v.events.size()];
    e.sequence = k;
    e.line = k + 1;
    const std::size_t updates = in.u8() % 4;
    for (std::size_t u = 0; u < updates; ++u) {
      const std::string& name = v.attributes[in.u8() % v.attributes.size()];
      const std::uint8_t w = in.u8();
      duly::value val;
      std::string text;
      switch (w % 8) {
        case 0: val = duly::value::null(); break;
        case 1: val = duly::value::boolean(w & 8); break;
        case 2: val = duly::value::number(static_cast<double>(w >> 3)); break;
        case 3: {
          // An instant as text near the event's, in some offset.
          const duly::instant x = t + duly::seconds{(std::int64_t{w >> 3} - 16) * 1800};
          text = duly::format_instant(x);
          if (w & 0x80) text = text.substr(0, 19) + "+00:00";
          val = duly::value::string(text);
          break;
        }
        default: val = duly::value::string(v.strings[(w >> 3) % v.strings.size()]); break;
      }
      e.updates.push_back({name, duly::owned_value(val)});
    }
    out.push_back(std::move(e));
  }
  return out;
}

inline void check_engine(const duly::policy& p, const std::vector<duly::event>& events, duly::instant as_of,
                         bytes& in) {
  const duly::evaluation r = duly::evaluate(p, events, as_of);
  check_rows(r);
  DULY_FUZZ_CHECK(r.events_applied + r.events_ignored == events.size(), "events not accounted for");
  const std::string expected = dump(r);

  // The evaluator, fed in a shuffled order.
  std::vector<std::size_t> order(events.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  const std::uint8_t how = in.u8();
  if (how % 3 == 1) std::reverse(order.begin(), order.end());
  if (how % 3 == 2)
    for (std::size_t k = order.size(); k > 1; --k) std::swap(order[k - 1], order[in.u8() % k]);
  duly::evaluator ev(p);
  for (const std::size_t k : order) ev.add(events[k]);
  const std::string got = dump(ev.results(as_of));
  DULY_FUZZ_CHECK(got == expected, "evaluator (order " << int{how} << ") differs from evaluate at "
                                                       << show(as_of) << "\n--- evaluate:\n"
                                                       << expected << "--- evaluator:\n"
                                                       << got);

  // Other as_of, then the first again: each equals a fresh batch evaluation.
  const duly::instant other = as_of - duly::seconds{std::int64_t{in.u8()} * 1800};
  const std::string at_other = dump(duly::evaluate(p, events, other));
  const std::string got_other = dump(ev.results(other));
  DULY_FUZZ_CHECK(got_other == at_other, "evaluator differs from evaluate at an earlier " << show(other)
                                                                                          << "\n--- evaluate:\n"
                                                                                          << at_other
                                                                                          << "--- evaluator:\n"
                                                                                          << got_other);
  DULY_FUZZ_CHECK(dump(ev.results(as_of)) == expected, "evaluator changes its answer on a second call");

  // explain() on one record.
  if (events.empty()) return;
  const std::string& id = events[in.u8() % events.size()].id;
  const duly::explanation x = duly::explain(p, events, id, as_of);
  std::string mine, theirs;
  for (const auto& row : r.timers)
    if (row.id == id) mine += duly::to_json(row) + "\n";
  for (const auto& row : r.escalations)
    if (row.id == id) mine += duly::to_json(row) + "\n";
  for (const auto& row : x.timers) theirs += duly::to_json(row) + "\n";
  for (const auto& row : x.escalations) theirs += duly::to_json(row) + "\n";
  DULY_FUZZ_CHECK(mine == theirs, "explain(" << id << ") differs from evaluate\n--- evaluate:\n"
                                             << mine << "--- explain:\n"
                                             << theirs);
  for (std::size_t k = 1; k < x.entries.size(); ++k)
    DULY_FUZZ_CHECK(x.entries[k - 1].at <= x.entries[k].at, "explain entries out of order at " << k);
  std::ostringstream table;
  duly::write_explanation(table, x, duly::output_format::table);
  duly::write_explanation(table, x, duly::output_format::jsonl);
}

}  // namespace duly_fuzz
