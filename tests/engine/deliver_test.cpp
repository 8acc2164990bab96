// Business-hours delivery (`deliver_in: CAL` on an escalation): every firing
// keeps its fired_at and carries deliver_at, the first open instant of CAL at
// or after it (fired_at when CAL is open then, when the escalation has no
// deliver_in, and when CAL has no open time within ten years). Each case is
// worked out by hand; every one runs through the batch call and the
// incremental evaluator, which must agree.
//
// Dates: Monday 2026-11-23 to Monday 2026-11-30; `office` is open Monday to
// Friday 09:00-17:00 UTC, `berlin` Monday to Friday 09:00-17:00 Europe/Berlin
// (UTC+1 in November), `never` has no open hour at all.
#include <duly/duly.hpp>

#include <fstream>
#include <algorithm>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "scenario_events.hpp"

namespace {

using duly::instant;
using duly_test::ev;

instant at(std::string_view text) {
  const auto t = duly::parse_instant(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t ? *t : instant{};
}

duly::policy load(std::string_view text) {
  auto p = duly::parse_policy(text, "policy.yaml");
  EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().message());
  return std::move(*p);
}

constexpr const char* policy_text = R"(duly: 1
calendars:
  office: {hours: {mon-fri: "09:00-17:00"}}
  berlin: {timezone: Europe/Berlin, hours: {mon-fri: "09:00-17:00"}}
  never: {hours: {daily: []}}
targets:
  - name: resolution
    start_when: event == "created"
    stop_when: event == "solved"
    goals: [{within: 4h}]
escalations:
  - {name: early, target: resolution, at: start + 1h, deliver_in: office}
  - {name: late, target: resolution, at: start + 2h, deliver_in: office}
  - {name: plain, target: resolution, at: start + 2h}
  - {name: local, target: resolution, at: start + 2h, deliver_in: berlin}
  - {name: nowhere, target: resolution, at: start + 2h, deliver_in: never}
  - {name: alarm, target: resolution, raise_when: event == "alarm", deliver_in: office}
)";

// The firings at as_of as "escalation fired_at deliver_at" lines, checked
// equal between the batch call and the incremental evaluator.
std::vector<std::string> firings(const std::vector<ev>& list, std::string_view as_of) {
  const duly::policy p = load(policy_text);
  const auto events = duly_test::make_events(list, &at);
  const auto batch = duly::evaluate(p, events, at(as_of));
  duly::evaluator inc(p);
  for (auto it = events.rbegin(); it != events.rend(); ++it) inc.add(*it);  // out of order on purpose
  const auto step = inc.results(at(as_of));
  std::vector<std::string> out, again;
  for (const auto& f : batch.escalations)
    out.push_back(f.escalation + " " + duly::format_instant(f.fired_at) + " " + duly::format_instant(f.delivery()));
  for (const auto& f : step.escalations)
    again.push_back(f.escalation + " " + duly::format_instant(f.fired_at) + " " + duly::format_instant(f.delivery()));
  EXPECT_EQ(out, again) << "batch and incremental differ";
  return out;
}

TEST(Deliver, OpenAtTheFiringDeliversAtOnce) {
  // Created Monday 10:00: early fires at 11:00 and late at 12:00, inside office hours.
  EXPECT_EQ(firings({{"T", "2026-11-23T10:00:00Z", "created"}}, "2026-11-23T12:30:00Z"),
            (std::vector<std::string>{
                "early 2026-11-23T11:00:00Z 2026-11-23T11:00:00Z",
                "late 2026-11-23T12:00:00Z 2026-11-23T12:00:00Z",
                "plain 2026-11-23T12:00:00Z 2026-11-23T12:00:00Z",
                "local 2026-11-23T12:00:00Z 2026-11-23T12:00:00Z",  // 13:00 in Berlin
                "nowhere 2026-11-23T12:00:00Z 2026-11-23T12:00:00Z",
            }));
}

TEST(Deliver, ClosedAtTheFiringWaitsForTheNextOpening) {
  // Created Monday 15:30: early at 16:30 (open), late at 17:30 (closed since
  // 17:00): delivered Tuesday 09:00. Berlin closed at 16:00 UTC: Tuesday 08:00 UTC.
  EXPECT_EQ(firings({{"T", "2026-11-23T15:30:00Z", "created"}}, "2026-11-23T18:00:00Z"),
            (std::vector<std::string>{
                "early 2026-11-23T16:30:00Z 2026-11-23T16:30:00Z",
                "late 2026-11-23T17:30:00Z 2026-11-24T09:00:00Z",
                "plain 2026-11-23T17:30:00Z 2026-11-23T17:30:00Z",
                "local 2026-11-23T17:30:00Z 2026-11-24T08:00:00Z",
                "nowhere 2026-11-23T17:30:00Z 2026-11-23T17:30:00Z",
            }));
}

TEST(Deliver, ClosingAndOpeningInstants) {
  // A window is open from its start up to, not including, its end: a firing at
  // 17:00:00 waits for the next day, one at 09:00:00 goes at once.
  const auto closing = firings({{"T", "2026-11-23T16:00:00Z", "created"}}, "2026-11-23T17:00:00Z");
  ASSERT_EQ(closing.size(), 1u);
  EXPECT_EQ(closing[0], "early 2026-11-23T17:00:00Z 2026-11-24T09:00:00Z");
  const auto opening = firings({{"T", "2026-11-23T08:00:00Z", "created"}}, "2026-11-23T09:00:00Z");
  ASSERT_EQ(opening.size(), 1u);
  EXPECT_EQ(opening[0], "early 2026-11-23T09:00:00Z 2026-11-23T09:00:00Z");
}

TEST(Deliver, AcrossAWeekend) {
  // Created Friday 2026-11-27 16:30: late fires Friday 18:30 and is delivered
  // Monday 2026-11-30 09:00; the alarm raised on Saturday too.
  EXPECT_EQ(firings({{"T", "2026-11-27T16:30:00Z", "created"}, {"T", "2026-11-28T11:15:00Z", "alarm"}},
                    "2026-11-30T12:00:00Z"),
            (std::vector<std::string>{
                "early 2026-11-27T17:30:00Z 2026-11-30T09:00:00Z",
                "late 2026-11-27T18:30:00Z 2026-11-30T09:00:00Z",
                "plain 2026-11-27T18:30:00Z 2026-11-27T18:30:00Z",
                "local 2026-11-27T18:30:00Z 2026-11-30T08:00:00Z",
                "nowhere 2026-11-27T18:30:00Z 2026-11-27T18:30:00Z",
                "alarm 2026-11-28T11:15:00Z 2026-11-30T09:00:00Z",
            }));
}

TEST(Deliver, ANeverOpenCalendarDeliversAtTheFiring) {
  // `never` has no open time within ten years: deliver_at is fired_at (a
  // firing is never held for ever), at once, whatever the day.
  const auto out = firings({{"T", "2026-11-28T10:00:00Z", "created"}}, "2026-11-28T13:00:00Z");
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[4], "nowhere 2026-11-28T12:00:00Z 2026-11-28T12:00:00Z");
}

TEST(Deliver, TheLinesCarryDeliverAt) {
  const duly::policy p = load(policy_text);
  const auto events = duly_test::make_events({{"T", "2026-11-27T16:30:00Z", "created"}}, &at);
  const auto r = duly::evaluate(p, events, at("2026-11-27T20:00:00Z"));
  ASSERT_EQ(r.escalations.size(), 5u);
  EXPECT_EQ(duly::to_json(r.escalations[1]),
            R"({"kind":"escalation","id":"T","target":"resolution","escalation":"late","cycle":1,"point":0,)"
            R"("fired_at":"2026-11-27T18:30:00Z","deliver_at":"2026-11-30T09:00:00Z",)"
            R"("key":"T/resolution/late/20261127T163000Z/0","actions":[]})");
  // CSV: deliver_at after fired_at.
  std::ostringstream csv;
  duly::write_firings(csv, r.escalations, {}, duly::output_format::csv);
  std::istringstream lines(csv.str());
  std::string header, first, second;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_EQ(header, "id,target,escalation,cycle,point,fired_at,deliver_at,key,actions");
  EXPECT_EQ(second, "T,resolution,late,1,0,2026-11-27T18:30:00Z,2026-11-30T09:00:00Z,T/resolution/late/20261127T163000Z/0,[]");
  // The table shows DELIVER when a firing waits, and leaves it out otherwise.
  std::ostringstream table;
  duly::write_firings(table, r.escalations, {}, duly::output_format::table);
  EXPECT_NE(table.str().find("FIRED              DELIVER"), std::string::npos) << table.str();
  EXPECT_NE(table.str().find("2026-11-27 18:30Z  2026-11-30 09:00Z  T"), std::string::npos) << table.str();
  const auto open = duly::evaluate(p, duly_test::make_events({{"T", "2026-11-23T10:00:00Z", "created"}}, &at),
                                   at("2026-11-23T11:00:00Z"));
  std::ostringstream plain;
  duly::write_firings(plain, open.escalations, {}, duly::output_format::table);
  EXPECT_EQ(plain.str().find("DELIVER"), std::string::npos) << plain.str();
}

TEST(Deliver, ExplainSaysWhenAFiringIsHandedOver) {
  const duly::policy p = load(policy_text);
  const auto events = duly_test::make_events({{"T", "2026-11-27T16:30:00Z", "created"}}, &at);
  const auto x = duly::explain(p, events, "T", at("2026-11-27T20:00:00Z"));
  std::vector<std::string> fired;
  for (const auto& e : x.entries)
    if (e.type == duly::explain_entry::kind::escalation) fired.push_back(e.detail);
  EXPECT_EQ(fired, (std::vector<std::string>{
                       "early point 0 fired: []; deliver_in 'office': closed then, delivered at 2026-11-30T09:00:00Z",
                       "late point 0 fired: []; deliver_in 'office': closed then, delivered at 2026-11-30T09:00:00Z",
                       "plain point 0 fired: []",
                       "local point 0 fired: []; deliver_in 'berlin': closed then, delivered at 2026-11-30T08:00:00Z",
                       "nowhere point 0 fired: []; deliver_in 'never': no open time within ten years, delivered at once",
                   }));
  ASSERT_EQ(x.escalations.size(), 5u);
  EXPECT_EQ(x.escalations[1].delivery(), at("2026-11-30T09:00:00Z"));
}

TEST(Deliver, AnUnknownCalendarIsAnErrorAtTheKeyWithTheClosestName) {
  const auto bad = duly::parse_policy(R"(duly: 1
calendars:
  support: {hours: {mon-fri: "09:00-17:00"}}
  eu: {hours: {mon-fri: "08:00-16:00"}}
targets:
  - {name: t, start_when: event == "created", goals: [{within: 4h}]}
escalations:
  - {name: lead, target: t, at: due, deliver_in: suport}
  - {name: boss, target: t, at: due, deliver_in: nowhere_near}
  - {name: list, target: t, at: due, deliver_in: [support]}
)",
                                      "policy.yaml");
  ASSERT_FALSE(bad.has_value());
  const std::string m = bad.error().message();
  EXPECT_NE(m.find("policy.yaml:8:50: escalations[0].deliver_in: unknown calendar 'suport' (defined: support, eu); "
                   "did you mean 'support'?"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("policy.yaml:9:50: escalations[1].deliver_in: unknown calendar 'nowhere_near' (defined: support, "
                   "eu)\n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("policy.yaml:10:50: escalations[2].deliver_in: expected a text value, got a list"), std::string::npos) << m;
  // Without calendars at all.
  const auto none = duly::parse_policy(R"(duly: 1
targets:
  - {name: t, start_when: event == "created", goals: [{within: 4h}]}
escalations:
  - {name: lead, target: t, at: due, deliver_in: office}
)",
                                       "policy.yaml");
  ASSERT_FALSE(none.has_value());
  EXPECT_NE(none.error().message().find("escalations[0].deliver_in: unknown calendar 'office' (the policy defines no "
                                        "calendars)"),
            std::string::npos)
      << none.error().message();
}

TEST(Deliver, ThePolicyKeepsTheNameAsWritten) {
  const duly::policy p = load(policy_text);
  EXPECT_EQ(p.escalations()[0].deliver_in, "office");
  EXPECT_EQ(p.escalations()[2].deliver_in, "");
  EXPECT_EQ(p.spec().escalations[3].deliver_in, "berlin");
}

TEST(Deliver, TheWorkedExampleOfTheDocs) {
  // docs/escalations.md, "deliver_in": the policy, the event and the lines as
  // the page shows them.
  std::ifstream in(std::string(DULY_DOCS_DIR) + "/escalations.md");
  std::ostringstream doc;
  doc << in.rdbuf();
  const std::string page = doc.str();
  const std::string policy = R"(duly: 1
calendars:
  desk: {timezone: Europe/London, hours: {mon-fri: "09:00-17:00"}}
targets:
  - name: resolution
    start_when: event == "created"
    stop_when: event == "solved"
    goals: [{within: 4h}]
escalations:
  - {name: on_call, target: resolution, at: due, do: [{page: [on_call]}]}
  - {name: support_manager, target: resolution, at: due + 1h, deliver_in: desk, do: [{notify: [support_manager]}]}
)";
  const std::string event = R"({"id":"P1-7","at":"2027-02-12T20:00:00Z","event":"created"})";
  ASSERT_NE(page.find("```yaml\n" + policy + "```"), std::string::npos) << "the policy is not on the page as written here";
  ASSERT_NE(page.find("`" + event + "`"), std::string::npos);
  const duly::policy p = load(policy);
  const auto batch = duly::read_events_jsonl(event + "\n");
  ASSERT_EQ(batch.events.size(), 1u);
  const auto r = duly::evaluate(p, batch.events, at("2027-02-15T12:00:00Z"));
  ASSERT_EQ(r.escalations.size(), 2u);
  const std::string lines = duly::to_json(r.escalations[0]) + "\n" + duly::to_json(r.escalations[1]) + "\n";
  EXPECT_NE(page.find("```json\n" + lines + "```"), std::string::npos) << lines;
  const auto x = duly::explain(p, batch.events, "P1-7", at("2027-02-15T12:00:00Z"));
  std::string said;
  for (const auto& e : x.entries)
    if (e.type == duly::explain_entry::kind::escalation && e.detail.find("support_manager") == 0) said = e.detail;
  EXPECT_EQ(said,
            "support_manager point 0 fired: [{\"notify\":[\"support_manager\"]}]; deliver_in 'desk': closed then, "
            "delivered at 2027-02-15T09:00:00Z");
  // The page quotes it across lines: compare with the line breaks as spaces.
  std::string flat = page;
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  EXPECT_NE(flat.find("`" + said + "`"), std::string::npos);
}

}  // namespace
