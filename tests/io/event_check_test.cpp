// Tests of the one validator of events (duly::event_check in duly/event.hpp):
// its rules and wording, and that the JSON Lines and CSV readers give the same
// reason for the same problem because both go through it.
#include <duly/event.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using duly::event;
using duly::event_check;
using duly::owned_value;
using duly::value;
using field = event_check::field;

TEST(EventCheck, CompleteRowMakesTheEvent) {
  event e;
  event_check c;
  c.start(e);
  c.id("T-1");
  c.at("2026-11-23T15:30:00+01:00");
  c.name("created");
  c.attribute("priority", owned_value(value::string("P1")));
  c.attribute("gone", owned_value());
  ASSERT_TRUE(c.finish()) << c.reason();
  EXPECT_EQ(e.id, "T-1");
  EXPECT_EQ(duly::format_instant(e.at), "2026-11-23T14:30:00Z");
  EXPECT_EQ(e.name, "created");
  ASSERT_EQ(e.updates.size(), 2u);
  EXPECT_EQ(e.updates[0].name, "priority");
  EXPECT_TRUE(e.updates[1].value.view().is_null());
}

TEST(EventCheck, ProblemsInTheOrderFoundThenMissingFields) {
  event e;
  event_check c;
  c.start(e);
  c.attribute("", owned_value(value::number(1)));
  c.at("2026-13-01");
  c.attribute("x", owned_value(value::number(1)));
  c.attribute("x", owned_value(value::number(2)));
  c.attribute_problem("tags", event_check::nested());
  c.id("");
  EXPECT_FALSE(c.finish());
  EXPECT_EQ(c.reason(),
            "attribute '': the name is empty; at: not an ISO-8601 instant: '2026-13-01' (month 13 does not "
            "exist); attribute 'x': appears twice; "
            "attribute 'tags': objects are not supported (a value is text, a number, a bool, null, or a list of text, numbers and bools); id: empty; event: missing");
}

TEST(EventCheck, EachRequiredFieldOnce) {
  event e;
  event_check c;
  c.start(e);
  c.id("A");
  c.id("B");
  c.missing(field::at);
  c.name("x");
  c.wrong_type(field::event, "5");
  EXPECT_FALSE(c.finish());
  EXPECT_EQ(c.reason(), "id: appears twice; at: missing; event: appears twice");
}

TEST(EventCheck, StartClearsTheRow) {
  event e;
  event_check c;
  c.start(e);
  c.id("");
  EXPECT_FALSE(c.finish());
  c.start(e);
  c.id("A");
  c.at(duly::parse_instant("2026-01-01T00:00:00Z").value());
  c.name("x");
  EXPECT_TRUE(c.finish()) << c.reason();
}

TEST(EventCheck, SupportedYears) {
  using duly::instant;
  using duly::seconds;
  EXPECT_EQ(event_check::at_problem(instant{seconds{0}}), "");
  EXPECT_EQ(event_check::at_problem(instant{seconds{-1}}),
            "at: instant 1969-12-31T23:59:59Z is outside the supported years 1970 to 2199");
  EXPECT_EQ(event_check::at_problem(duly::max_supported_instant),
            "at: instant 2200-01-01T00:00:00Z is outside the supported years 1970 to 2199");
  // Beyond what ISO-8601 text can hold, the seconds.
  EXPECT_EQ(event_check::at_problem(instant{seconds{3093527980800}}),
            "at: instant 3093527980800s is outside the supported years 1970 to 2199");
  const auto r = event_check::read_at("2300-01-01T00:00:00Z");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "at: instant 2300-01-01T00:00:00Z is outside the supported years 1970 to 2199");
  EXPECT_EQ(event_check::read_at("2026-11-23T15:30:00Z").value(), duly::parse_instant("2026-11-23T15:30:00Z").value());
}

TEST(EventCheck, Wording) {
  using shape = event_check::shape;
  EXPECT_EQ(event_check::missing_text(field::event), "event: missing");
  EXPECT_EQ(event_check::text_problem(field::id, ""), "id: empty");
  EXPECT_EQ(event_check::text_problem(field::id, "A"), "");
  EXPECT_EQ(event_check::wrong_type_text(field::id, event_check::describe(shape::number, "1.5")),
            "id: expected a string or an integer, got 1.5");
  EXPECT_EQ(event_check::wrong_type_text(field::at, event_check::describe(shape::null), "an aware datetime"),
            "at: expected an ISO-8601 instant as a string or an aware datetime, got null");
  EXPECT_EQ(event_check::wrong_type_text(field::event, event_check::describe(shape::list)),
            "event: expected a string, got a list");
  EXPECT_EQ(event_check::describe(shape::object), "an object");
  EXPECT_EQ(event_check::describe(shape::string), "a string");
  EXPECT_EQ(event_check::describe(shape::other, "a datetime.date"), "a datetime.date");
  EXPECT_EQ(event_check::unreadable_text(field::at, "not valid Unicode text"), "at: not valid Unicode text");
  EXPECT_EQ(event_check::attribute_text("n", event_check::not_a_number("inf")), "attribute 'n': 'inf' is not a number");
  EXPECT_EQ(event_check::attribute_name_problem(""), "attribute '': the name is empty");
  EXPECT_EQ(event_check::attribute_name_problem("n"), "");
  EXPECT_EQ(event_check::join({"a", "b", "c"}), "a; b; c");
  EXPECT_EQ(event_check::join({}), "");
}

TEST(EventCheck, ManyAttributesStillFindDuplicates) {
  event e;
  event_check c;
  c.start(e);
  for (int i = 0; i < 40; ++i) c.attribute("a" + std::to_string(i), owned_value(value::number(i)));
  c.attribute("a3", owned_value());
  c.attribute("a39", owned_value());
  c.attribute("b", owned_value());
  c.id("A");
  c.at("2026-01-01T00:00:00Z");
  c.name("x");
  EXPECT_FALSE(c.finish());
  EXPECT_EQ(c.reason(), "attribute 'a3': appears twice; attribute 'a39': appears twice");
  EXPECT_EQ(e.updates.size(), 41u);
}

// The same row problems, as JSON Lines and as CSV: the same reasons.
TEST(EventCheck, JsonLinesAndCsvWordProblemsAlike) {
  struct row {
    const char* jsonl;
    const char* csv;  // header id,at,event,n:number,b:bool
  };
  const row rows[] = {
      {R"({"at":"2026-01-01T00:00:00Z","event":"x"})", ",2026-01-01T00:00:00Z,x,,"},
      {R"({"id":"A","at":"2026-13-01","event":"x"})", "A,2026-13-01,x,,"},
      {R"({"id":"A","at":"2300-01-01T00:00:00Z","event":"x"})", "A,2300-01-01T00:00:00Z,x,,"},
      {R"({"id":"A","at":"1969-12-31T23:59:59Z"})", "A,1969-12-31T23:59:59Z,,,"},
      {R"({"id":"A","at":"2026-01-01T00:00:00Z","event":"x","n":null})", "A,2026-01-01T00:00:00Z,x,null,"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.jsonl);
    const auto j = duly::read_events_jsonl(std::string(r.jsonl) + "\n");
    const auto c = duly::read_events_csv(std::string("id,at,event,n:number,b:bool\n") + r.csv + "\n");
    ASSERT_TRUE(c) << c.error().message();
    ASSERT_EQ(j.rejected.size(), c->rejected.size());
    if (!j.rejected.empty()) {
      EXPECT_EQ(j.rejected[0].reason, c->rejected[0].reason);
    }
  }
}

}  // namespace
