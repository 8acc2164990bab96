// Fuzzes the policy reader (duly/policy.hpp): parse_policy on YAML or JSON
// bytes. A failed parse must render its diagnostics (positions, source line,
// caret); a compiled policy is then run on a small fixed event stream that sets
// the attributes the policy reads, with the checks of fuzz_engine.hpp
// (evaluate, an evaluator in another order, explain), and its goal calendars
// are asked for in a few zones (timezone_from).
#include <duly/evaluate.hpp>
#include <duly/policy.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.hpp"
#include "fuzz_engine.hpp"

namespace {

// Fixed bytes for the event stream: a base week, then events every few minutes
// to hours setting the policy's attributes.
constexpr std::uint8_t stream[] = {
    0,  11,                                      // base: 2026-11-23; 1 + 11 events
    0x00, 5,  0, 2, 0, 0x20, 1, 0x48,            // A created, two updates
    0x01, 10, 0, 3, 2, 0x28, 3, 0x61, 4, 0x7c,   // B created, three updates
    0x60, 2,  2, 1, 0, 0x10,                     // A +2h updated
    0x21, 30, 1, 2, 1, 0x18, 5, 0x03,            // B +30m replied
    0x40, 1,  3, 1, 2, 0x31,                     // A +1d reopened
    0xa0, 0,  4, 1, 6, 0x09,                     // A same instant reclassified
    0x02, 45, 7, 2, 0, 0x50, 7, 0x22,            // C +45m page
    0xc1, 3,  2, 1, 3, 0x00,                     // B -30m updated (late)
    0x03, 60, 8, 1, 8, 0x19,                     // HD-1 +1h alarm
    0x00, 15, 5, 1, 2, 0x2c,                     // A +15m resolved
    0x62, 30, 1, 0,                              // C +30h replied
    0x01, 90, 6, 1, 9, 0x01,                     // B +90m note
    49,                                          // as_of: the last event + 49m
    1,                                           // evaluator order: reversed
    16, 0,                                       // other as_of: 8h earlier; explain the first id
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto p = duly::parse_policy(text, "fuzz.yaml");
  if (!p) {
    for (const auto& d : p.error().diagnostics()) {
      DULY_FUZZ_CHECK(!d.message.empty(), "a diagnostic without a message");
      DULY_FUZZ_CHECK(d.line >= 0 && d.column >= 0, "negative position " << d.line << ":" << d.column);
    }
    (void)p.error().render();
    return 0;
  }

  // Events that set the attributes this policy reads (and the usual ones).
  duly_fuzz::vocabulary words;
  for (const auto& name : p->slots().names())
    if (words.attributes.size() < 24) words.attributes.push_back(name);
  duly_fuzz::bytes in(stream, sizeof stream);
  duly::instant last;
  const std::vector<duly::event> events = duly_fuzz::decode_events(in, words, 24, last);
  const std::uint8_t a = in.u8();
  duly_fuzz::check_engine(*p, events, last + duly::seconds{std::int64_t{a} * 60}, in);

  // Goal calendars in other zones, twice (the second time from the cache).
  for (int round = 0; round < 2; ++round)
    for (const auto& t : p->targets())
      for (const auto& g : t.goals)
        for (const char* zone : {"", "UTC", "Asia/Tokyo", "Mars/Olympus"}) {
          const duly::calendar c = p->goal_calendar(g, zone);
          (void)c.is_open(last);
        }
  return 0;
}
