// Tests of the event readers (duly/event.hpp): JSON Lines and CSV.
#include <duly/event.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

namespace {

using duly::event;
using duly::event_batch;

// One line of text per event, so that a case states the whole result:
// "T-1 2026-11-23T15:30:00Z opened {a="x", n=3} #0 @1".
std::string show(const event& e) {
  std::string out = e.id + " " + duly::format_instant(e.at) + " " + e.name + " {";
  for (std::size_t i = 0; i < e.updates.size(); ++i) {
    if (i) out += ", ";
    out += e.updates[i].name + "=" + e.updates[i].value.view().to_json();
  }
  out += "} #" + std::to_string(e.sequence) + " @" + std::to_string(e.line);
  return out;
}

std::vector<std::string> show(const event_batch& b) {
  std::vector<std::string> out;
  for (const auto& e : b.events) out.push_back(show(e));
  for (const auto& r : b.rejected) out.push_back("rejected @" + std::to_string(r.line) + ": " + r.reason);
  return out;
}

void expect_accounted(const event_batch& b) {
  EXPECT_EQ(b.rows, b.events.size() + b.rejected.size());
}

// --- JSON Lines: one line, accepted ----------------------------------------

struct accepted_case {
  const char* line;
  const char* expected;
};

TEST(EventIoJsonl, AcceptsLine) {
  const accepted_case cases[] = {
      {R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"opened"})",
       "T-1 2026-11-23T15:30:00Z opened {} #0 @1"},
      // Every other key is an attribute update, in the order written.
      {R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"opened","priority":"P1","count":3,"vip":true,"owner":null})",
       R"(T-1 2026-11-23T15:30:00Z opened {priority="P1", count=3, vip=true, owner=null} #0 @1)"},
      // Keys in any order.
      {R"({"event":"opened","priority":"P2","at":"2026-11-23T15:30:00Z","id":"T-1"})",
       R"(T-1 2026-11-23T15:30:00Z opened {priority="P2"} #0 @1)"},
      // An integer id becomes its decimal text.
      {R"({"id":42,"at":"2026-11-23T15:30:00Z","event":"opened"})", "42 2026-11-23T15:30:00Z opened {} #0 @1"},
      {R"({"id":-7,"at":"2026-11-23T15:30:00Z","event":"opened"})", "-7 2026-11-23T15:30:00Z opened {} #0 @1"},
      {R"({"id":18446744073709551615,"at":"2026-11-23T15:30:00Z","event":"opened"})",
       "18446744073709551615 2026-11-23T15:30:00Z opened {} #0 @1"},
      // Offsets are converted to UTC; fractions of a second are floored.
      {R"({"id":"T-1","at":"2026-11-23T08:30:00-07:00","event":"opened"})",
       "T-1 2026-11-23T15:30:00Z opened {} #0 @1"},
      {R"({"id":"T-1","at":"2026-11-23T15:30:59.999Z","event":"opened"})",
       "T-1 2026-11-23T15:30:59Z opened {} #0 @1"},
      // Numbers of every JSON form.
      {R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","a":2.5,"b":1e3,"c":-0.25})",
       "T-1 2026-11-23T15:30:00Z e {a=2.5, b=1000, c=-0.25} #0 @1"},
      // Escapes are decoded, UTF-8 kept.
      {R"({"id":"T-\u00e9","at":"2026-11-23T15:30:00Z","event":"note","text":"a \"b\"\n\tc","city":"Zürich"})",
       "T-é 2026-11-23T15:30:00Z note {text=\"a \\\"b\\\"\\n\\tc\", city=\"Zürich\"} #0 @1"},
      // Whitespace around and inside the object.
      {"  { \"id\" : \"T-1\" , \"at\" : \"2026-11-23T15:30:00Z\" , \"event\" : \"opened\" }\t ",
       "T-1 2026-11-23T15:30:00Z opened {} #0 @1"},
      // Names of our own fields are ordinary attributes.
      {R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","sequence":9,"line":"x"})",
       R"(T-1 2026-11-23T15:30:00Z e {sequence=9, line="x"} #0 @1)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    const event_batch b = duly::read_events_jsonl(std::string_view(c.line));
    EXPECT_EQ(b.rows, 1u);
    ASSERT_EQ(b.events.size(), 1u) << (b.rejected.empty() ? "" : b.rejected[0].reason);
    EXPECT_EQ(show(b.events[0]), c.expected);
  }
}

// --- JSON Lines: one line, rejected (the whole reason) ---------------------

struct rejected_case {
  const char* line;
  const char* reason;
};

TEST(EventIoJsonl, RejectsLineWithReason) {
  const rejected_case cases[] = {
      {R"({"id":"T-1","at":"2026-13-01","event":"opened"})",
       "at: not an ISO-8601 instant: '2026-13-01' (month 13 does not exist)"},
      {R"({"id":"T-1","at":"2026-11-23T15:30:00","event":"opened"})",
       "at: instant '2026-11-23T15:30:00' has no UTC offset: add Z or an offset such as +01:00, or name a time "
       "zone for it"},
      {R"({"id":"T-1","at":"2026-02-30T10:00Z","event":"opened"})",
       "at: not an ISO-8601 instant: '2026-02-30T10:00Z' (day 30 does not exist in February 2026)"},
      {R"({"id":"T-1","at":"yesterday","event":"opened"})",
       "at: not an ISO-8601 instant: 'yesterday' (expected YYYY-MM-DDTHH:MM:SS followed by Z or an offset such as "
       "+01:00)"},
      {R"({"id":"T-1","at":1764000000,"event":"opened"})",
       "at: expected an ISO-8601 instant as a string, got 1764000000"},
      {R"({"at":"2026-11-23T15:30:00Z","event":"opened"})", "id: missing"},
      {R"({"id":"T-1","event":"opened"})", "at: missing"},
      {R"({"id":"T-1","at":"2026-11-23T15:30:00Z"})", "event: missing"},
      {R"({})", "id: missing; at: missing; event: missing"},
      {R"({"id":"","at":"2026-11-23T15:30:00Z","event":"opened"})", "id: empty"},
      {R"({"id":1.5,"at":"2026-11-23T15:30:00Z","event":"opened"})",
       "id: expected a string or an integer, got 1.5"},
      {R"({"id":null,"at":"2026-11-23T15:30:00Z","event":"opened"})",
       "id: expected a string or an integer, got null"},
      {R"({"id":true,"at":"2026-11-23T15:30:00Z","event":"opened"})",
       "id: expected a string or an integer, got true"},
      {R"({"id":["T-1"],"at":"2026-11-23T15:30:00Z","event":"opened"})",
       "id: expected a string or an integer, got a list"},
      {R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":""})", "event: empty"},
      {R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":{"name":"x"}})",
       "event: expected a string, got an object"},
      {R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"opened","tags":["a",["b"]]})",
       "attribute 'tags': item 2 of the list is a list: a list holds only text, numbers and bools (no null, no "
       "lists, no objects)"},
      {R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"opened","tags":["a",{"b":1}]})",
       "attribute 'tags': item 2 of the list is an object: a list holds only text, numbers and bools (no null, no "
       "lists, no objects)"},
      {R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"opened","tags":[null]})",
       "attribute 'tags': item 1 of the list is null: a list holds only text, numbers and bools (no null, no "
       "lists, no objects)"},
      {R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"opened","n":[1,9007199254740993]})",
       "attribute 'n': item 2 of the list: 9007199254740993 is an integer beyond 2^53, which a number cannot hold "
       "exactly; write it as a string (\"9007199254740993\")"},
      {R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"opened","owner":{"name":"x","team":[1]}})",
       "attribute 'owner': objects are not supported (a value is text, a number, a bool, null, or a list of text, numbers and bools)"},
      {R"({"id":"T-1","id":"T-2","at":"2026-11-23T15:30:00Z","event":"opened"})", "id: appears twice"},
      {R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"opened","p":1,"p":2})", "attribute 'p': appears twice"},
      {R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"opened","":1})", "attribute '': the name is empty"},
      // Every problem of the line, in the order written, then what is missing.
      {R"({"at":"2026-13-01","id":"T-1","x":{}})",
       "at: not an ISO-8601 instant: '2026-13-01' (month 13 does not exist); attribute 'x': objects are not "
       "supported (a value is text, a number, a bool, null, or a list of text, numbers and bools); event: missing"},
      // Not an object.
      {R"([{"id":"T-1"}])", "not a JSON object"},
      {R"("T-1")", "not a JSON object"},
      {"42", "not a JSON object"},
      {"null", "not a JSON object"},
      // Not JSON: the column and nlohmann's account of it.
      {R"({"id":"T-1")", "invalid JSON: column 12: unexpected end of input; expected '}'"},
      {R"({"id":"T-1",})", "invalid JSON: column 13: unexpected '}'; expected string literal"},
      {R"({'id':'T-1'})", "invalid JSON: column 2: invalid literal; last read: '{''; expected string literal"},
      {R"({"id":"T-1"} {})", "invalid JSON: column 14: unexpected '{'; expected end of input"},
      {"id,at,event", "invalid JSON: column 1: invalid literal; last read: 'i'"},
      {"{\"id\":\"T\x01\"}", "invalid JSON: column 9: invalid string: control character U+0001 (SOH) must be "
                             "escaped to \\u0001; last read: '\"T<U+0001>'"},
      {R"({"id":"T-1","n":1e999})", "invalid JSON: column 21: number overflow parsing '1e999'"},
      {R"({"id":"T-1","at":tomorrow})", "invalid JSON: column 19: invalid literal; last read: '\"at\":to'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    const event_batch b = duly::read_events_jsonl(std::string_view(c.line));
    EXPECT_EQ(b.rows, 1u);
    EXPECT_TRUE(b.events.empty());
    ASSERT_EQ(b.rejected.size(), 1u);
    EXPECT_EQ(b.rejected[0].line, 1u);
    EXPECT_EQ(b.rejected[0].reason, c.reason);
  }
}

TEST(EventIoJsonl, ParseEventJsonGivesEventOrReason) {
  auto e = duly::parse_event_json(R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"opened","p":"P1"})");
  ASSERT_TRUE(e) << e.error().message();
  EXPECT_EQ(show(*e), R"(T-1 2026-11-23T15:30:00Z opened {p="P1"} #0 @0)");

  auto bad = duly::parse_event_json(R"({"id":"T-1","event":"opened"})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), duly::errc::invalid_argument);
  EXPECT_EQ(bad.error().message(), "at: missing");

  auto broken = duly::parse_event_json(R"({"id":)");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code(), duly::errc::parse_error);
  EXPECT_EQ(broken.error().message(),
            "invalid JSON: column 7: unexpected end of input; expected '[', '{', or a literal");

  auto list = duly::parse_event_json("[]");
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().code(), duly::errc::parse_error);
  EXPECT_EQ(list.error().message(), "not a JSON object");
}

// The reader takes a fast path for plain lines and hands anything else to
// nlohmann; parse_event_json always goes through nlohmann. Both must agree on
// every line: the same event, or the same reason.
std::string verdict(const event_batch& b) {
  if (b.rows != 1) return "rows " + std::to_string(b.rows);
  if (!b.rejected.empty()) return "rejected: " + b.rejected[0].reason;
  const event& e = b.events[0];
  std::string out = show(e);
  for (const auto& u : e.updates)  // the sign of zero, which to_json may hide
    if (u.value.kind() == duly::value_kind::number && std::signbit(u.value.view().as_number())) out += " -" + u.name;
  return out;
}

std::string verdict(const duly::result<event>& r) {
  if (!r) return "rejected: " + r.error().message();
  event e = *r;
  e.line = 1;
  event_batch b;
  b.rows = 1;
  b.events.push_back(e);
  return verdict(b);
}

TEST(EventIoJsonl, FastPathAgreesWithNlohmann) {
  std::vector<std::string> lines = {
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"opened","p":"P1","n":3,"v":true,"x":null})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","a":-0,"b":-0.0,"c":0e0,"d":1E+2,"e":1e-2})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","a":9223372036854775807,"b":9223372036854775808})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","a":18446744073709551615,"b":18446744073709551616})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","a":-9223372036854775809,"b":0.1,"c":1e308})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","a":1e309,"b":1e-400})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","a":01})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","a":1.})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","a":.5})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","a":+1})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","a":"\/\b\f\n\r\t\"\\","b":"\u00e9\ud83c\udfab"})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","a":"\x"})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","a":"\ud800"})",
      "{\"id\":\"T-1\",\"at\":\"2026-11-23T15:30:00Z\",\"event\":\"e\",\"a\":\"Z\xc3\xbcrich \xe6\x9d\xb1 \xf0\x9f\x8e\xab\"}",
      "{\"id\":\"T-1\",\"at\":\"2026-11-23T15:30:00Z\",\"event\":\"e\",\"a\":\"\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\"}",
      "{\"id\":\"T-1\",\"at\":\"2026-11-23T15:30:00Z\",\"event\":\"e\",\"a\":\"tab\there\"}",
      "\xEF\xBB\xBF{\"id\":\"T-1\",\"at\":\"2026-11-23T15:30:00Z\",\"event\":\"e\"}",
      " \t{ \"id\" :\"T-1\" ,\"at\": \"2026-11-23T15:30:00+01:00\",\"event\":\"e\" } \t",
      R"({"id":"T-1","at":" 2026-11-23T15:30:00Z ","event":"e"})",
      R"({"id":7,"at":"2026-11-23T15:30:00Z","event":"e"})",
      R"({"id":-0,"at":"2026-11-23T15:30:00Z","event":"e"})",
      R"({"id":1e2,"at":"2026-11-23T15:30:00Z","event":"e"})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","a":1,"a":2})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","":2})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","a":[1],"b":{}})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e"}x)",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e",})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e"} )",
      R"({"i\u0064":"T-1","at":"2026-11-23T15:30:00Z","event":"e"})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","a":tru})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","a":nul})",
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","a":truex})",
  };
  {
    std::string many = R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e")";
    for (int i = 0; i < 40; ++i) many += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
    lines.push_back(many + "}");
    lines.push_back(many + ",\"k3\":0}");
  }
  // Random edits of the lines above, reproducibly.
  const std::string palette = "{}[]\":,.-+eE0123456789 \t\\/untrfalsebxyz\x01\xc3\xbc\xff";
  std::mt19937 rng(20261123);
  const std::size_t seeds = lines.size();
  // Values to put in place of another: numbers at the edges of int64, uint64
  // and double, escapes, UTF-8 and not quite UTF-8.
  const std::vector<std::string> values = {
      "0", "-0", "-1", "42", "1.5", "-2.25e3", "1e-7", "123456789012345678901234567890", "9007199254740993",
      "-9223372036854775808", "18446744073709551615", "4.9e-324", "1.7976931348623157e308", "true", "false",
      "null", R"("")", R"("x")", R"("2026-11-23T15:30:00Z")", R"("a\"b")", R"("\u0041")",
      "\"\xe2\x82\xac\"", "\"\xe2\x82\"", R"("\/")", R"([])", R"({})", "1e", "-", "0x10", "\"\x7f\""};
  for (int n = 0; n < 20000; ++n) {
    std::string line = lines[rng() % seeds];
    if (rng() % 2 == 0) {
      // Swap the value after a random ':' for another.
      const std::size_t colon = line.find(':', rng() % line.size());
      if (colon != std::string::npos) {
        std::size_t end = colon + 1;
        if (end < line.size() && line[end] == '"') end = line.find('"', end + 1) + 1;
        else end = line.find_first_of(",}", end);
        if (end != std::string::npos && end > colon)
          line.replace(colon + 1, end - colon - 1, values[rng() % values.size()]);
      }
      lines.push_back(std::move(line));
      continue;
    }
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < edits && !line.empty(); ++k) {
      const std::size_t at = rng() % line.size();
      const char c = palette[rng() % palette.size()];
      switch (rng() % 3) {
        case 0: line[at] = c; break;
        case 1: line.insert(line.begin() + static_cast<std::ptrdiff_t>(at), c); break;
        case 2: line.erase(at, 1); break;
      }
    }
    lines.push_back(std::move(line));
  }
  int accepted = 0;
  for (const auto& line : lines) {
    const event_batch b = duly::read_events_jsonl(std::string_view(line));
    if (b.rows == 0) continue;  // blank
    ASSERT_EQ(verdict(b), verdict(duly::parse_event_json(line))) << line;
    accepted += b.events.empty() ? 0 : 1;
  }
  // The edits must leave enough lines valid for the comparison to mean something
  // (about 1,700: the integers beyond 2^53 among the values are rejections).
  EXPECT_GT(accepted, 1500);
}

// --- JSON Lines: whole inputs ------------------------------------------------

constexpr const char* mixed_jsonl =
    "{\"id\":\"A\",\"at\":\"2026-11-23T10:00:00Z\",\"event\":\"opened\"}\n"
    "\n"
    "{\"id\":\"B\",\"at\":\"2026-11-23T10:00:00Z\",\"event\":\"opened\"}\n"
    "   \t\n"
    "{\"id\":\"A\",\"at\":\"2026-11-23T10:00:00\",\"event\":\"assigned\"}\n"
    "{\"id\":\"A\",\"at\":\"2026-11-23T10:00:00Z\",\"event\":\"assigned\"}\n"
    "not json\n"
    "{\"id\":\"A\",\"at\":\"2026-11-23T09:00:00Z\",\"event\":\"early\"}";  // no final newline

const std::vector<std::string> mixed_expected = {
    "A 2026-11-23T10:00:00Z opened {} #0 @1",
    "B 2026-11-23T10:00:00Z opened {} #1 @3",
    "A 2026-11-23T10:00:00Z assigned {} #3 @6",
    "A 2026-11-23T09:00:00Z early {} #5 @8",
    "rejected @5: at: instant '2026-11-23T10:00:00' has no UTC offset: add Z or an offset such as +01:00, or name "
    "a time zone for it",
    "rejected @7: invalid JSON: column 2: invalid literal; last read: 'no'",
};

TEST(EventIoJsonl, AccountsForEveryRowAndKeepsInputOrder) {
  const event_batch b = duly::read_events_jsonl(std::string_view(mixed_jsonl));
  // Blank lines are not rows; rejected rows take a sequence number too, so that
  // events at the same instant keep the order of the input.
  EXPECT_EQ(b.rows, 6u);
  expect_accounted(b);
  EXPECT_EQ(show(b), mixed_expected);
}

TEST(EventIoJsonl, StreamReadsTheSameAsText) {
  std::istringstream in(mixed_jsonl);
  const event_batch b = duly::read_events_jsonl(in);
  EXPECT_EQ(b.rows, 6u);
  EXPECT_EQ(show(b), mixed_expected);
}

TEST(EventIoJsonl, FirstSequenceContinuesAcrossInputs) {
  duly::read_options options;
  options.first_sequence = 100;
  const event_batch b = duly::read_events_jsonl(
      std::string_view("{\"id\":\"A\",\"at\":\"2026-11-23T10:00:00Z\",\"event\":\"x\"}\n"
                       "{\"id\":\"A\",\"at\":\"2026-11-23T10:00:00Z\",\"event\":\"y\"}\n"),
      options);
  EXPECT_EQ(show(b), (std::vector<std::string>{"A 2026-11-23T10:00:00Z x {} #100 @1",
                                               "A 2026-11-23T10:00:00Z y {} #101 @2"}));
}

TEST(EventIoJsonl, HandlesCrlfAndBom) {
  const std::string text =
      "\xEF\xBB\xBF{\"id\":\"A\",\"at\":\"2026-11-23T10:00:00Z\",\"event\":\"opened\",\"note\":\"x\"}\r\n"
      "\r\n"
      "{\"id\":\"A\",\"at\":\"2026-11-23T11:00:00Z\",\"event\":\"closed\"}\r\n";
  const std::vector<std::string> expected = {R"(A 2026-11-23T10:00:00Z opened {note="x"} #0 @1)",
                                             "A 2026-11-23T11:00:00Z closed {} #1 @3"};
  EXPECT_EQ(show(duly::read_events_jsonl(std::string_view(text))), expected);
  std::istringstream in(text);
  EXPECT_EQ(show(duly::read_events_jsonl(in)), expected);
}

TEST(EventIoJsonl, BomAtTheStartOfALaterLineIsTolerated) {
  // As when files that each begin with a BOM are concatenated: nlohmann skips a
  // BOM at the start of a JSON text.
  const std::string text =
      "{\"id\":\"A\",\"at\":\"2026-11-23T10:00:00Z\",\"event\":\"x\"}\n"
      "\xEF\xBB\xBF{\"id\":\"A\",\"at\":\"2026-11-23T10:00:00Z\",\"event\":\"y\"}\n";
  EXPECT_EQ(show(duly::read_events_jsonl(std::string_view(text))),
            (std::vector<std::string>{"A 2026-11-23T10:00:00Z x {} #0 @1", "A 2026-11-23T10:00:00Z y {} #1 @2"}));
}

TEST(EventIoJsonl, ReadsVeryLongLines) {
  // Longer than the stream reader's block, on both sides of a block boundary.
  const std::string big(300000, 'x');
  std::string text;
  for (int i = 0; i < 3; ++i)
    text += "{\"id\":\"A\",\"at\":\"2026-11-23T10:00:00Z\",\"event\":\"e\",\"body\":\"" + big + "\"}\n";
  std::istringstream in(text);
  const event_batch b = duly::read_events_jsonl(in);
  ASSERT_EQ(b.events.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(b.events[i].line, i + 1);
    ASSERT_EQ(b.events[i].updates.size(), 1u);
    EXPECT_EQ(b.events[i].updates[0].value.view().as_string().size(), big.size());
  }
}

TEST(EventIoJsonl, ManyLinesAcrossBlocks) {
  std::string text;
  for (int i = 0; i < 20000; ++i)
    text += "{\"id\":\"R-" + std::to_string(i) + "\",\"at\":\"2026-11-23T10:00:00Z\",\"event\":\"e\",\"n\":" +
            std::to_string(i) + "}\n";
  std::istringstream in(text);
  const event_batch b = duly::read_events_jsonl(in);
  ASSERT_EQ(b.events.size(), 20000u);
  EXPECT_TRUE(b.rejected.empty());
  for (std::size_t i = 0; i < b.events.size(); ++i) {
    ASSERT_EQ(b.events[i].id, "R-" + std::to_string(i));
    ASSERT_EQ(b.events[i].sequence, i);
    ASSERT_EQ(b.events[i].line, i + 1);
  }
}

TEST(EventIoJsonl, EmptyInputHasNoRows) {
  for (const char* text : {"", "\n", "\n  \n\r\n", "\xEF\xBB\xBF"}) {
    const event_batch b = duly::read_events_jsonl(std::string_view(text));
    EXPECT_EQ(b.rows, 0u);
    EXPECT_TRUE(b.events.empty());
    EXPECT_TRUE(b.rejected.empty());
  }
}

// A stream buffer whose device fails: the stream sets badbit.
class failing_buffer : public std::streambuf {
 protected:
  int_type underflow() override { throw std::runtime_error("disk on fire"); }
  std::streamsize xsgetn(char*, std::streamsize) override { throw std::runtime_error("disk on fire"); }
};

TEST(EventIoJsonl, ReadErrorIsARejectedRow) {
  failing_buffer buf;
  std::istream in(&buf);
  const event_batch b = duly::read_events_jsonl(in);
  expect_accounted(b);
  EXPECT_EQ(show(b), (std::vector<std::string>{"rejected @1: input: read error after line 0; the rest was not read"}));
  // A stream that throws on errors reads the same.
  failing_buffer buf2;
  std::istream throwing(&buf2);
  throwing.exceptions(std::ios::badbit);
  EXPECT_EQ(show(duly::read_events_jsonl(throwing)), show(b));
}

// --- CSV ---------------------------------------------------------------------

event_batch csv(std::string_view text) {
  auto r = duly::read_events_csv(text);
  EXPECT_TRUE(r) << r.error().message();
  if (!r) return {};
  expect_accounted(*r);
  return std::move(*r);
}

TEST(EventIoCsv, ReadsRowsWithAttributes) {
  const event_batch b = csv(
      "id,at,event,priority,count:number,vip:bool,note:string\n"
      "T-1,2026-11-23T15:30:00Z,opened,P1,3,true,hello\n"
      "T-1,2026-11-23T16:00:00Z,updated,,,,\n"
      "T-2,2026-11-23T08:30:00-07:00,opened,P2,-2.5,FALSE,007\n");
  EXPECT_EQ(b.rows, 3u);
  EXPECT_EQ(show(b), (std::vector<std::string>{
                         R"(T-1 2026-11-23T15:30:00Z opened {priority="P1", count=3, vip=true, note="hello"} #0 @2)",
                         // An empty cell means "no change".
                         "T-1 2026-11-23T16:00:00Z updated {} #1 @3",
                         // `note` is text: "007" stays "007".
                         R"(T-2 2026-11-23T15:30:00Z opened {priority="P2", count=-2.5, vip=false, note="007"} #2 @4)",
                     }));
}

TEST(EventIoCsv, ColumnsInAnyOrder) {
  const event_batch b = csv(" event , p , at , id \nopened,x,2026-11-23T15:30:00Z,T-1\n");
  EXPECT_EQ(show(b), (std::vector<std::string>{R"(T-1 2026-11-23T15:30:00Z opened {p="x"} #0 @2)"}));
}

TEST(EventIoCsv, QuotedCells) {
  const event_batch b = csv(
      "id,at,event,note\n"
      "\"T,1\",2026-11-23T15:30:00Z,opened,\"she said \"\"hi\"\"\"\n"
      "T-2,2026-11-23T15:30:00Z,opened,\"two\n"
      "lines, and\r\n"
      "three\"\n"
      "T-3,2026-11-23T15:30:00Z,opened,\"\"\n"
      "T-4,2026-11-23T15:30:00Z,opened,a \"quote\" inside\n");
  EXPECT_EQ(show(b), (std::vector<std::string>{
                         R"(T,1 2026-11-23T15:30:00Z opened {note="she said \"hi\""} #0 @2)",
                         // A row that spans lines has the line where it starts.
                         R"(T-2 2026-11-23T15:30:00Z opened {note="two\nlines, and\nthree"} #1 @3)",
                         // The line count goes on after it; a quoted empty cell is empty too.
                         "T-3 2026-11-23T15:30:00Z opened {} #2 @6",
                         R"(T-4 2026-11-23T15:30:00Z opened {note="a \"quote\" inside"} #3 @7)",
                     }));
}

// --- Lists --------------------------------------------------------------------

TEST(EventIoLists, JsonArraysAreListsInCanonicalForm) {
  const event_batch b = duly::read_events_jsonl(std::string_view(
      R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"tagged","tags":[ "vip" , "b\u00e9", 3.0, -0, true ],"none":[]})"
      "\n"));
  expect_accounted(b);
  EXPECT_EQ(show(b), (std::vector<std::string>{
                         R"(T-1 2026-11-23T15:30:00Z tagged {tags=["vip","bé",3,0,true], none=[]} #0 @1)"}));
  ASSERT_EQ(b.events.size(), 1u);
  EXPECT_EQ(b.events[0].updates[0].value.kind(), duly::value_kind::list);
}

TEST(EventIoLists, TheLimitOfItemsIsARejectedRowNotAnError) {
  const auto line = [](std::size_t n) {
    std::string s = R"({"id":"T-1","at":"2026-11-23T15:30:00Z","event":"e","tags":[)";
    for (std::size_t i = 0; i < n; ++i) s += (i ? ",\"t" : "\"t") + std::to_string(i) + "\"";
    return s + "]}\n";
  };
  const std::size_t max = duly::event_check::max_list_items;
  event_batch b = duly::read_events_jsonl(std::string_view(line(max)));
  ASSERT_EQ(b.events.size(), 1u);
  EXPECT_EQ(b.events[0].updates[0].value.view().list_size(), max);
  b = duly::read_events_jsonl(std::string_view(line(200'000)));
  ASSERT_EQ(b.rejected.size(), 1u);
  EXPECT_EQ(b.rejected[0].reason, "attribute 'tags': a list of 200000 items is over the limit of 1000 items");
}

TEST(EventIoLists, CsvListColumnsTakeJsonArrays) {
  const event_batch b = csv(
      "id,at,event,tags:list\n"
      "T-1,2026-11-23T15:30:00Z,e,\"[\"\"vip\"\", \"\"billing\"\"]\"\n"
      "T-2,2026-11-23T15:30:00Z,e,[]\n"
      "T-3,2026-11-23T15:30:00Z,e,null\n"
      "T-4,2026-11-23T15:30:00Z,e,\n"
      "T-5,2026-11-23T15:30:00Z,e,vip;billing\n"
      "T-6,2026-11-23T15:30:00Z,e,\"[\"\"a\"\", [1]]\"\n"
      "T-7,2026-11-23T15:30:00Z,e,\"[1,\"\n");
  EXPECT_EQ(show(b), (std::vector<std::string>{
      R"(T-1 2026-11-23T15:30:00Z e {tags=["vip","billing"]} #0 @2)",
      "T-2 2026-11-23T15:30:00Z e {tags=[]} #1 @3",
      "T-3 2026-11-23T15:30:00Z e {tags=null} #2 @4",  // null clears
      "T-4 2026-11-23T15:30:00Z e {} #3 @5",           // empty: no change
      R"(rejected @6: attribute 'tags': not a JSON array: column 1: invalid literal; last read: 'v' (a list column's cell is a JSON array such as ["vip", "billing"]))",
      R"(rejected @7: attribute 'tags': item 2 of the list is a list: a list holds only text, numbers and bools (no null, no lists, no objects) (a list column's cell is a JSON array such as ["vip", "billing"]))",
      R"(rejected @8: attribute 'tags': not a JSON array: column 4: unexpected end of input; expected '[', '{', or a literal (a list column's cell is a JSON array such as ["vip", "billing"]))",
  }));
}

TEST(EventIoLists, AnUntypedCsvCellThatReadsAsAListIsAmbiguous) {
  const event_batch b = csv(
      "id,at,event,tags,note:string\n"
      "T-1,2026-11-23T15:30:00Z,e,[vip],[kept as text]\n"
      "T-2,2026-11-23T15:30:00Z,e,[draft] printer,x\n");
  EXPECT_EQ(show(b), (std::vector<std::string>{
      R"(T-2 2026-11-23T15:30:00Z e {tags="[draft] printer", note="x"} #1 @3)",
      "rejected @2: attribute 'tags': '[vip]' may be a list or text: name the column 'tags:list' to read JSON arrays "
      "as lists, or 'tags:string' to keep the text",
  }));
}

TEST(EventIoCsv, NullClearsTypedColumns) {
  const event_batch b = csv(
      "id,at,event,n:number,b:bool,s\n"
      "T-1,2026-11-23T15:30:00Z,e,null,null,null\n");
  EXPECT_EQ(show(b), (std::vector<std::string>{R"(T-1 2026-11-23T15:30:00Z e {n=null, b=null, s="null"} #0 @2)"}));
}

TEST(EventIoCsv, HandlesCrlfBomAndBlankLines) {
  const event_batch b = csv(
      "\xEF\xBB\xBF"
      "id,at,event\r\n"
      "\r\n"
      "T-1,2026-11-23T15:30:00Z,opened\r\n"
      "   \r\n"
      "T-1,2026-11-23T16:30:00Z,closed");
  EXPECT_EQ(b.rows, 2u);
  EXPECT_EQ(show(b), (std::vector<std::string>{"T-1 2026-11-23T15:30:00Z opened {} #0 @3",
                                               "T-1 2026-11-23T16:30:00Z closed {} #1 @5"}));
}

TEST(EventIoCsv, RejectsRowWithReason) {
  const rejected_case cases[] = {
      {"T-1,2026-13-01,opened,,", "at: not an ISO-8601 instant: '2026-13-01' (month 13 does not exist)"},
      {"T-1,2026-11-23T15:30:00,opened,,",
       "at: instant '2026-11-23T15:30:00' has no UTC offset: add Z or an offset such as +01:00, or name a time "
       "zone for it"},
      {",2026-11-23T15:30:00Z,opened,,", "id: missing"},
      {"T-1,,opened,,", "at: missing"},
      {"T-1,2026-11-23T15:30:00Z,,,", "event: missing"},
      {",,,,", "id: missing; at: missing; event: missing"},
      {"T-1,2026-11-23T15:30:00Z,opened,many,", "attribute 'count': 'many' is not a number"},
      {"T-1,2026-11-23T15:30:00Z,opened,1.5.2,", "attribute 'count': '1.5.2' is not a number"},
      {"T-1,2026-11-23T15:30:00Z,opened,inf,", "attribute 'count': 'inf' is not a number"},
      {"T-1,2026-11-23T15:30:00Z,opened,,yes", "attribute 'vip': 'yes' is not a bool (expected true or false)"},
      {"T-1,2026-13-01,opened,x,", "at: not an ISO-8601 instant: '2026-13-01' (month 13 does not exist); "
                                   "attribute 'count': 'x' is not a number"},
      {"T-1,2026-11-23T15:30:00Z,opened", "expected 5 cells, got 3"},
      {"T-1,2026-11-23T15:30:00Z,opened,1,true,extra", "expected 5 cells, got 6"},
      {"\"T-1\"x,2026-11-23T15:30:00Z,opened,,", "cell 1: unexpected text after the closing quote"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    const std::string text = std::string("id,at,event,count:number,vip:bool\n") + c.line + "\n";
    const event_batch b = csv(text);
    EXPECT_EQ(b.rows, 1u);
    EXPECT_TRUE(b.events.empty());
    ASSERT_EQ(b.rejected.size(), 1u);
    EXPECT_EQ(b.rejected[0].line, 2u);
    EXPECT_EQ(b.rejected[0].reason, c.reason);
  }
}

TEST(EventIoCsv, UnclosedQuoteTakesTheRestOfTheInput) {
  const event_batch b = csv(
      "id,at,event,note\n"
      "T-1,2026-11-23T15:30:00Z,opened,ok\n"
      "T-2,2026-11-23T15:30:00Z,opened,\"never closed\n"
      "T-3,2026-11-23T15:30:00Z,opened,lost\n");
  EXPECT_EQ(b.rows, 2u);
  EXPECT_EQ(show(b), (std::vector<std::string>{
                         R"(T-1 2026-11-23T15:30:00Z opened {note="ok"} #0 @2)",
                         "rejected @3: cell 4: the quoted cell is not closed before the end of the input",
                     }));
}

TEST(EventIoCsv, SequenceKeepsInputOrderAcrossRejectedRows) {
  duly::read_options options;
  options.first_sequence = 10;
  auto r = duly::read_events_csv(
      "id,at,event\n"
      "A,2026-11-23T10:00:00Z,x\n"
      "A,bad,y\n"
      "A,2026-11-23T10:00:00Z,z\n",
      options);
  ASSERT_TRUE(r);
  EXPECT_EQ(show(*r), (std::vector<std::string>{
                          "A 2026-11-23T10:00:00Z x {} #10 @2",
                          "A 2026-11-23T10:00:00Z z {} #12 @4",
                          "rejected @3: at: not an ISO-8601 instant: 'bad' (expected YYYY-MM-DDTHH:MM:SS followed by "
                          "Z or an offset such as +01:00)",
                      }));
}

TEST(EventIoCsv, StreamReadsTheSameAsText) {
  const std::string text =
      "id,at,event,note\r\n"
      "T-1,2026-11-23T15:30:00Z,opened,\"a\r\nb\"\r\n"
      "T-2,2026-11-23T15:30:00Z,opened,\r\n";
  std::istringstream in(text);
  auto r = duly::read_events_csv(in);
  ASSERT_TRUE(r);
  EXPECT_EQ(show(*r), show(csv(text)));
  EXPECT_EQ(show(*r), (std::vector<std::string>{R"(T-1 2026-11-23T15:30:00Z opened {note="a\nb"} #0 @2)",
                                                "T-2 2026-11-23T15:30:00Z opened {} #1 @4"}));
}

struct header_case {
  const char* text;
  const char* message;
};

TEST(EventIoCsv, RejectsBadHeader) {
  const header_case cases[] = {
      {"id,event\nT-1,x\n", "events.csv:1: the header has no 'at' column (it needs id, at and event)"},
      {"name,value\n",
       "events.csv:1: the header has no 'id' column (it needs id, at and event)\n"
       "events.csv:1: the header has no 'at' column (it needs id, at and event)\n"
       "events.csv:1: the header has no 'event' column (it needs id, at and event)"},
      {"\n\nid,at,event,p,p\n", "events.csv:3: column 'p' appears twice (columns 4 and 5)"},
      {"id,at,event,p:number,p:string\n", "events.csv:1: column 'p' appears twice (columns 4 and 5)"},
      {"id,at,event,due:date\n",
       "events.csv:1: column 4 'due:date': unknown type 'date' (expected number, bool, list or string)"},
      {"id,at:number,event\n", "events.csv:1: column 2 'at:number': id, at and event take no number, bool or list type"},
      {"id,at,event,,x\n", "events.csv:1: column 4 has no name"},
      {"id,at,\"event\n", "events.csv:1: header: cell 3: the quoted cell is not closed before the end of the input"},
  };
  duly::read_options options;
  options.source_name = "events.csv";
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto r = duly::read_events_csv(std::string_view(c.text), options);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), duly::errc::parse_error);
    EXPECT_EQ(r.error().message(), c.message);
  }
}

TEST(EventIoCsv, TypedStringColumnsOnRequiredFields) {
  const event_batch b = csv("id:string,at:string,event:string\nT-1,2026-11-23T15:30:00Z,opened\n");
  EXPECT_EQ(show(b), (std::vector<std::string>{"T-1 2026-11-23T15:30:00Z opened {} #0 @2"}));
}

// An empty export (0 bytes, blank lines, a BOM alone) is zero events, as a
// header alone is: a scheduler's step with nothing new must not fail.
TEST(EventIoCsv, EmptyInputIsZeroEvents) {
  for (const char* text : {"", "\n \n", "\xEF\xBB\xBF", "\r\n"}) {
    SCOPED_TRACE(text);
    const event_batch b = csv(text);
    EXPECT_EQ(b.rows, 0u);
    EXPECT_TRUE(b.events.empty());
    EXPECT_TRUE(b.rejected.empty());
  }
}

TEST(EventIoCsv, HeaderOnlyHasNoRows) {
  const event_batch b = csv("id,at,event\n");
  EXPECT_EQ(b.rows, 0u);
  EXPECT_TRUE(b.events.empty());
}

TEST(EventIoCsv, RandomInputIsAccountedFor) {
  // Whatever the bytes, the reader either refuses the header or accounts for
  // every row, and a stream reads what the text reads.
  const std::string palette = "id,at,event\"\n\r x2026-11-23T15:30:00Z:number";
  std::mt19937 rng(4180);
  for (int n = 0; n < 2000; ++n) {
    std::string text = "id,at,event,n:number\n";
    const std::size_t size = rng() % 200;
    for (std::size_t i = 0; i < size; ++i) text += palette[rng() % palette.size()];
    auto r = duly::read_events_csv(std::string_view(text));
    std::istringstream in(text);
    auto s = duly::read_events_csv(in);
    ASSERT_EQ(bool(r), bool(s));
    if (!r) continue;
    EXPECT_EQ(r->rows, r->events.size() + r->rejected.size());
    EXPECT_EQ(show(*r), show(*s));
  }
}

TEST(EventIoCsv, ReadErrorIsAnIoError) {
  failing_buffer buf;
  std::istream in(&buf);
  duly::read_options options;
  options.source_name = "events.csv";
  auto r = duly::read_events_csv(in, options);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), duly::errc::io_error);
  EXPECT_EQ(r.error().message(), "read error in events.csv after line 0");
}

}  // namespace
