// Tests of events against a policy's declared attributes (docs/policy.md,
// "Declaring attributes"): a value of the wrong type is a rejected row, worded
// by the one validator (event_check) whatever the input, and CSV reads an
// untyped column in its declared type.
#include <duly/event.hpp>
#include <duly/policy.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

const char* const policy_text = R"(duly: 1
attributes:
  priority: { type: text, values: [P1, P2, P3] }
  promised_at: { type: instant }
  sla: { type: duration }
  count: { type: number }
  vip: { type: bool }
  tags: { type: list }
targets:
  - name: t
    start_when: event == "created"
    goals: [{ when: priority == "P1" and vip == true and count > 1, within_from: sla, within: 1h }, { due_from: promised_at }]
)";

duly::policy declared_policy() {
  auto p = duly::parse_policy(policy_text, "p.yaml");
  EXPECT_TRUE(p) << (p ? "" : p.error().message());
  return std::move(*p);
}

std::vector<std::string> show(const duly::event_batch& b) {
  std::vector<std::string> out;
  for (const auto& e : b.events) {
    std::string s = e.id + " @" + std::to_string(e.line) + " {";
    for (std::size_t i = 0; i < e.updates.size(); ++i)
      s += (i ? ", " : "") + e.updates[i].name + "=" + e.updates[i].value.view().to_json();
    out.push_back(s + "}");
  }
  for (const auto& r : b.rejected) out.push_back("rejected @" + std::to_string(r.line) + ": " + r.reason);
  return out;
}

TEST(DeclaredEvents, JsonLinesRejectsValuesOfTheWrongType) {
  const auto p = declared_policy();
  duly::read_options o;
  o.declared = p.spec().attributes;
  const auto b = duly::read_events_jsonl(
      R"({"id":"a","at":"2026-12-01T09:00:00Z","event":"created","priority":"P4","promised_at":"2026-12-03T17:00:00+01:00","sla":"6h","count":2,"vip":true,"other":1}
{"id":"b","at":"2026-12-01T09:00:00Z","event":"created","promised_at":"tomorrow"}
{"id":"c","at":"2026-12-01T09:00:00Z","event":"created","priority":2,"count":"2","vip":"yes"}
{"id":"d","at":"2026-12-01T09:00:00Z","event":"created","sla":"soon","promised_at":"2026-12-03T17:00:00"}
{"id":"e","at":"2026-12-01T09:00:00Z","event":"created","sla":3600,"priority":null,"promised_at":null}
{"id":"f","at":"2026-12-01T09:00:00Z","event":"created","sla":-1}
)",
      o);
  EXPECT_EQ(show(b), (std::vector<std::string>{
                         R"(a @1 {priority="P4", promised_at="2026-12-03T17:00:00+01:00", sla="6h", count=2, vip=true, other=1})",
                         R"(e @5 {sla=3600, priority=null, promised_at=null})",
                         R"(rejected @2: attribute 'promised_at': declared instant, got "tomorrow")",
                         R"(rejected @3: attribute 'priority': declared text, got 2; attribute 'count': declared number, got "2"; attribute 'vip': declared bool, got "yes")",
                         R"(rejected @4: attribute 'sla': declared duration, got "soon"; attribute 'promised_at': declared instant, got "2026-12-03T17:00:00")",
                         R"(rejected @6: attribute 'sla': declared duration, got -1)",
                     }));
  // Without declarations the same lines are taken as they are.
  const auto plain = duly::read_events_jsonl(R"({"id":"b","at":"2026-12-01T09:00:00Z","event":"created","promised_at":"tomorrow"})");
  EXPECT_EQ(plain.events.size(), 1u);
  EXPECT_TRUE(plain.rejected.empty());
}

TEST(DeclaredEvents, CsvReadsUntypedColumnsInTheirDeclaredType) {
  const auto p = declared_policy();
  duly::read_options o;
  o.declared = p.spec().attributes;
  const auto b = duly::read_events_csv(
      "id,at,event,priority,promised_at,sla,count,vip,note:string\n"
      "a,2026-12-01T09:00:00Z,created,P1,2026-12-03T17:00:00Z,21600,3,true,x\n"
      "b,2026-12-01T09:00:00Z,created,P2,tomorrow,6h,,,\n"
      "c,2026-12-01T09:00:00Z,created,,,soon,many,yes,\n"
      "d,2026-12-01T09:00:00Z,created,2,,,null,null,\n",
      o);
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ(show(*b), (std::vector<std::string>{
                          R"(a @2 {priority="P1", promised_at="2026-12-03T17:00:00Z", sla=21600, count=3, vip=true, note="x"})",
                          // Text stays text: "2" is a text value of priority.
                          R"(d @5 {priority="2", count=null, vip=null})",
                          R"(rejected @3: attribute 'promised_at': declared instant, got "tomorrow")",
                          R"(rejected @4: attribute 'sla': declared duration, got "soon"; attribute 'count': 'many' is not a number; attribute 'vip': 'yes' is not a bool (expected true or false))",
                      }));
  // A type in the header is kept: sla:string reads 21600 as text (a duration
  // text without a unit, which the declaration refuses).
  const auto typed = duly::read_events_csv("id,at,event,sla:string\na,2026-12-01T09:00:00Z,created,21600\n", o);
  ASSERT_TRUE(typed);
  EXPECT_EQ(show(*typed), std::vector<std::string>{R"(rejected @2: attribute 'sla': declared duration, got "21600")"});
}

TEST(DeclaredEvents, EventsBuiltByAHostAreCheckedTheSameWay) {
  const auto p = declared_policy();
  std::vector<duly::event> events(3);
  for (std::size_t i = 0; i < events.size(); ++i) {
    events[i].id = "r" + std::to_string(i);
    events[i].name = "created";
    events[i].line = i + 1;
  }
  events[0].updates.push_back({"promised_at", duly::owned_value(duly::value::string("tomorrow"))});
  events[1].updates.push_back({"priority", duly::owned_value(duly::value::string("P1"))});
  events[2].updates.push_back({"vip", duly::owned_value(duly::value::number(1))});
  events[2].updates.push_back({"count", duly::owned_value(duly::value::boolean(true))});
  std::vector<duly::rejected_row> rejected;
  duly::reject_declared_mismatches(events, p.spec().attributes, rejected);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id, "r1");
  ASSERT_EQ(rejected.size(), 2u);
  EXPECT_EQ(rejected[0].line, 1u);
  EXPECT_EQ(rejected[0].reason, R"(attribute 'promised_at': declared instant, got "tomorrow")");
  EXPECT_EQ(rejected[1].reason, "attribute 'vip': declared bool, got 1; attribute 'count': declared number, got true");
  // Nothing declared: nothing moves.
  std::vector<duly::event> same(events);
  duly::reject_declared_mismatches(same, {}, rejected);
  EXPECT_EQ(same.size(), 1u);
  EXPECT_EQ(rejected.size(), 2u);
}

TEST(DeclaredEvents, ListsAreListsAndNothingElse) {
  const auto p = declared_policy();
  duly::read_options o;
  o.declared = p.spec().attributes;
  const auto b = duly::read_events_jsonl(
      R"({"id":"a","at":"2026-12-01T09:00:00Z","event":"created","tags":["vip",2]}
{"id":"b","at":"2026-12-01T09:00:00Z","event":"created","tags":"vip"}
{"id":"c","at":"2026-12-01T09:00:00Z","event":"created","priority":["P1"]}
)",
      o);
  EXPECT_EQ(show(b), (std::vector<std::string>{
                         R"(a @1 {tags=["vip",2]})",
                         R"(rejected @2: attribute 'tags': declared list, got "vip")",
                         R"(rejected @3: attribute 'priority': declared text, got a list)",
                     }));
  // CSV: a declared list column needs no `:list`, and a declared text column
  // takes a JSON array as text (the declaration settles what an untyped column
  // could not).
  const auto c = duly::read_events_csv(
      "id,at,event,tags,priority\n"
      "a,2026-12-01T09:00:00Z,created,\"[\"\"vip\"\"]\",[P1]\n",
      o);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(show(*c), std::vector<std::string>{R"(a @2 {tags=["vip"], priority="[P1]"})"});
}

TEST(DeclaredEvents, LongTextIsCutInTheReason) {
  duly::attribute_spec a;
  a.name = "promised_at";
  a.type = duly::attribute_type::timestamp;
  const std::string long_text(60, 'x');
  EXPECT_EQ(duly::event_check::declared_problem(a, duly::value::string(long_text)),
            "declared instant, got \"" + std::string(40, 'x') + "...\"");
  EXPECT_EQ(duly::event_check::declared_problem(a, duly::value::null()), "");
}

}  // namespace
