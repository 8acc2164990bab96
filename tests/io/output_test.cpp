// Tests of the writers (duly/io.hpp): JSON Lines, CSV, the table, durations.
#include <duly/io.hpp>
#include <duly/policy.hpp>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <limits>
#include <sstream>
#include <vector>
#include <string>

namespace {

using namespace std::chrono_literals;
using duly::instant;
using duly::seconds;

instant at(std::string_view text) { return duly::parse_instant(text).value(); }

// The example line of docs/cli.md.
duly::timer_row breached_row() {
  duly::timer_row t;
  t.id = "T-1";
  t.target = "resolution";
  t.cycle = 1;
  t.state = duly::timer_state::breached;
  t.goal_seconds = 28800s;
  t.goal_text = "8h";
  t.zone = "America/New_York";
  t.started = at("2026-11-23T15:30:00Z");
  t.due = at("2026-11-24T23:30:00Z");
  t.breached_at = at("2026-11-24T23:30:00Z");
  t.elapsed_seconds = 30000s;
  t.remaining_seconds = -1200s;
  t.paused_seconds = 3600s;
  t.next_wakeup = at("2026-11-25T16:30:00Z");
  return t;
}

duly::timer_row pending_row() {
  duly::timer_row t;
  t.id = "T-2";
  t.target = "first_response";
  return t;
}

duly::timer_row met_row() {
  duly::timer_row t;
  t.id = "T-10";
  t.target = "first_response";
  t.cycle = 2;
  t.state = duly::timer_state::met;
  t.ended = true;
  t.goal_seconds = 3600s;
  t.goal_text = "1h";
  t.zone = "UTC";
  t.started = at("2026-11-23T09:00:00Z");
  t.stopped = at("2026-11-23T09:45:30Z");
  t.due = at("2026-11-23T10:00:00Z");
  t.elapsed_seconds = 2730s;
  t.remaining_seconds = 870s;
  t.paused_seconds = 0s;
  return t;
}

duly::escalation_row lead_escalation() {
  duly::escalation_row e;
  e.id = "T-1";
  e.target = "resolution";
  e.escalation = "lead";
  e.cycle = 1;
  e.point = 0;
  e.fired_at = at("2026-11-24T21:30:00Z");
  e.actions_json = R"([{"notify":["team_lead"]}])";
  e.cycle_started = at("2026-11-23T15:30:00Z");
  return e;
}

// --- JSON --------------------------------------------------------------------

TEST(OutputJson, TimerRowKeysInSpecOrder) {
  EXPECT_EQ(duly::to_json(breached_row()),
            R"({"kind":"timer","id":"T-1","target":"resolution","cycle":1,"state":"breached",)"
            R"("goal_seconds":28800,"goal":"8h","zone":"America/New_York","started":"2026-11-23T15:30:00Z","stopped":null,)"
            R"("due":"2026-11-24T23:30:00Z","breached_at":"2026-11-24T23:30:00Z",)"
            R"("elapsed_seconds":30000,"remaining_seconds":-1200,"paused_seconds":3600,)"
            R"("next_wakeup":"2026-11-25T16:30:00Z"})");
}

TEST(OutputJson, PendingRowIsMostlyNull) {
  EXPECT_EQ(duly::to_json(pending_row()),
            R"({"kind":"timer","id":"T-2","target":"first_response","cycle":0,"state":"pending",)"
            R"("goal_seconds":null,"goal":null,"zone":null,"started":null,"stopped":null,"due":null,"breached_at":null,)"
            R"("elapsed_seconds":null,"remaining_seconds":null,"paused_seconds":null,"next_wakeup":null})");
}

TEST(OutputJson, EscalationRowInsertsActionsRaw) {
  EXPECT_EQ(duly::to_json(lead_escalation()),
            R"({"kind":"escalation","id":"T-1","target":"resolution","escalation":"lead","cycle":1,"point":0,)"
            R"("fired_at":"2026-11-24T21:30:00Z","deliver_at":"2026-11-24T21:30:00Z","key":"T-1/resolution/lead/20261123T153000Z/0","actions":[{"notify":["team_lead"]}]})");
  auto e = lead_escalation();
  e.actions_json.clear();
  e.point = 2;
  EXPECT_EQ(duly::to_json(e),
            R"({"kind":"escalation","id":"T-1","target":"resolution","escalation":"lead","cycle":1,"point":2,)"
            R"("fired_at":"2026-11-24T21:30:00Z","deliver_at":"2026-11-24T21:30:00Z","key":"T-1/resolution/lead/20261123T153000Z/2","actions":[]})");
}

TEST(OutputJson, RejectedRow) {
  EXPECT_EQ(duly::to_json(duly::rejected_row{7, "at: not an ISO-8601 instant: '2026-13-01'", {}}),
            R"({"kind":"rejected","line":7,"reason":"at: not an ISO-8601 instant: '2026-13-01'"})");
}

struct escape_case {
  std::string text;
  const char* json;
};

TEST(OutputJson, EscapesStrings) {
  const escape_case cases[] = {
      {"plain", R"("plain")"},
      {"say \"hi\"", R"("say \"hi\"")"},
      {"C:\\tickets", R"("C:\\tickets")"},
      // \n \r \t have short escapes; the other control characters (backspace and
      // form feed too) are \u00XX, as the store's canonical lines write them.
      {"a\nb\rc\td\be\ff", R"("a\nb\rc\td\u0008e\u000cf")"},
      {std::string("nul\0x", 5), R"("nul\u0000x")"},
      {"\x01\x1f\x7f", "\"\\u0001\\u001f\x7f\""},
      {"/slash/", R"("/slash/")"},
      // UTF-8 passes through.
      {"Zürich 東京 🎫", "\"Zürich 東京 🎫\""},
      // Bytes that are not UTF-8 become U+FFFD, so the line stays valid JSON.
      {"bad\xff", R"("bad\ufffd")"},
      {"cut \xe2\x82", R"("cut \ufffd\ufffd")"},
      {"overlong \xc0\xaf", R"("overlong \ufffd\ufffd")"},
      {"surrogate \xed\xa0\x80", R"("surrogate \ufffd\ufffd\ufffd")"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.json);
    duly::rejected_row r{1, c.text, {}};
    const std::string json = duly::to_json(r);
    EXPECT_EQ(json, std::string(R"({"kind":"rejected","line":1,"reason":)") + c.json + "}");
    const auto parsed = nlohmann::json::parse(json, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded());
  }
}

// value::to_json as it was written before the one JSON writer: the store keys
// re-delivered events by these bytes, so for valid UTF-8 they must not change.
std::string reference_string_json(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + '"';
}

TEST(OutputJson, ValueTextIsByteIdenticalToBeforeForValidUtf8) {
  std::vector<std::string> texts = {"", "plain", "T-1", "Zürich 東京 🎫", "say \"hi\" C:\\x", "\xF4\x8F\xBF\xBF",
                                    "\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\xF0\x90\x80\x80", "a/b\x7f"};
  std::string all_ascii;
  for (int c = 0; c < 0x80; ++c) {
    texts.emplace_back(1, static_cast<char>(c));
    all_ascii += static_cast<char>(c);
  }
  texts.push_back(all_ascii);
  for (const auto& t : texts) {
    SCOPED_TRACE(t);
    EXPECT_EQ(duly::value::string(t).to_json(), reference_string_json(t));
  }
  EXPECT_EQ(duly::value::null().to_json(), "null");
  EXPECT_EQ(duly::value::boolean(true).to_json(), "true");
  EXPECT_EQ(duly::value::number(42).to_json(), "42");
  EXPECT_EQ(duly::value::number(-3).to_json(), "-3");
  EXPECT_EQ(duly::value::number(0.1).to_json(), "0.10000000000000001");
  EXPECT_EQ(duly::value::number(1e15).to_json(), "1000000000000000");
  EXPECT_EQ(duly::value::number(std::numeric_limits<double>::infinity()).to_json(), "null");
}

TEST(OutputJson, ValueTextReplacesBytesThatAreNotUtf8) {
  // One U+FFFD per byte that is not part of a valid sequence (before, the bytes
  // were copied and the text was not JSON).
  EXPECT_EQ(duly::value::string("bad\xff").to_json(), R"("bad\ufffd")");
  EXPECT_EQ(duly::value::string("cut \xe2\x82").to_json(), R"("cut \ufffd\ufffd")");
  EXPECT_EQ(duly::value::string("\x80x").to_json(), R"("\ufffdx")");
  EXPECT_EQ(duly::value::string("\xf5\x80\x80\x80").to_json(), R"("\ufffd\ufffd\ufffd\ufffd")");
  EXPECT_EQ(duly::value::string("caf\xe9 ok").to_json(), R"("caf\ufffd ok")");
  EXPECT_FALSE(nlohmann::json::parse(duly::value::string("\xc0\xaf\xed\xa0\x80").to_json(), nullptr, false).is_discarded());
}

TEST(OutputJson, EveryWriterEscapesAsValueTextDoes) {
  const std::string texts[] = {"a\bb", "q\"\\", "bad\xff", "Zürich\n", std::string("nul\0", 4)};
  for (const auto& t : texts) {
    SCOPED_TRACE(t);
    const std::string json = duly::value::string(t).to_json();
    EXPECT_EQ(duly::to_json(duly::rejected_row{1, t, {}}), R"({"kind":"rejected","line":1,"reason":)" + json + "}");
    duly::explain_entry x;
    x.type = duly::explain_entry::kind::start;
    x.at = at("2026-11-23T15:30:00Z");
    x.target = "t";
    x.cycle = 1;
    x.detail = t;
    const std::string line = duly::to_json(x, t);
    EXPECT_TRUE(line.starts_with(R"({"kind":"explain","id":)" + json + ",")) << line;
    EXPECT_TRUE(line.ends_with(R"("detail":)" + json + "}")) << line;
  }
}

TEST(OutputJson, PolicyActionsAreWrittenAsJson) {
  const std::string text = R"(duly: 1
targets:
  - { name: res, start_when: event == "created", goals: [ { within: 4h } ] }
escalations:
  - name: lead
    target: res
    at: 50%
    do:
      - { set: { level: +2, ratio: .5, whole: 1., plain: 7, exp: 1e3, text: "a\bb", quoted: '12', "k\"ey": yes } }
)";
  const auto p = duly::parse_policy(text, "p.yaml");
  ASSERT_TRUE(p) << p.error().message();
  const std::string& actions = p->escalations().at(0).actions_json;
  // Numbers YAML reads but JSON does not write are written as JSON writes them;
  // quoted scalars stay strings.
  EXPECT_EQ(actions, R"([{"set":{"level":2,"ratio":0.5,"whole":1,"plain":7,"exp":1e3,"text":"a\u0008b","quoted":"12","k\"ey":"yes"}}])");
  EXPECT_FALSE(nlohmann::json::parse(actions, nullptr, false).is_discarded());
}

TEST(OutputJson, EscapesIdsAndTargets) {
  auto t = pending_row();
  t.id = "T\"1\n";
  t.target = "a\\b";
  const std::string json = duly::to_json(t);
  EXPECT_TRUE(json.starts_with(R"({"kind":"timer","id":"T\"1\n","target":"a\\b","cycle":0,)")) << json;
  const auto parsed = nlohmann::json::parse(json);
  EXPECT_EQ(parsed["id"], "T\"1\n");
  EXPECT_EQ(parsed["target"], "a\\b");
}

// --- write_evaluation --------------------------------------------------------

duly::evaluation sample() {
  duly::evaluation r;
  r.timers = {breached_row(), pending_row(), met_row()};
  r.escalations = {lead_escalation()};
  r.rejected = {duly::rejected_row{7, "at: missing", {}}};
  return r;
}

std::string write(const duly::evaluation& r, duly::output_format f, duly::write_options o = {}) {
  std::ostringstream out;
  duly::write_evaluation(out, r, f, o);
  return out.str();
}

TEST(OutputJsonl, TimersThenEscalationsThenRejected) {
  const auto r = sample();
  const std::string expected = duly::to_json(r.timers[0]) + "\n" + duly::to_json(r.timers[1]) + "\n" +
                               duly::to_json(r.timers[2]) + "\n" + duly::to_json(r.escalations[0]) + "\n" +
                               duly::to_json(r.rejected[0]) + "\n";
  EXPECT_EQ(write(r, duly::output_format::jsonl), expected);
  EXPECT_EQ(write(duly::evaluation{}, duly::output_format::jsonl), "");
}

TEST(OutputCsv, TimerColumnsWithEmptyNulls) {
  auto r = sample();
  r.timers[1].id = "T,\"2\"";
  EXPECT_EQ(write(r, duly::output_format::csv),
            "id,target,cycle,state,goal_seconds,goal,zone,started,stopped,due,breached_at,elapsed_seconds,"
            "remaining_seconds,paused_seconds,next_wakeup\n"
            "T-1,resolution,1,breached,28800,8h,America/New_York,2026-11-23T15:30:00Z,,2026-11-24T23:30:00Z,"
            "2026-11-24T23:30:00Z,30000,-1200,3600,2026-11-25T16:30:00Z\n"
            "\"T,\"\"2\"\"\",first_response,0,pending,,,,,,,,,,,\n"
            "T-10,first_response,2,met,3600,1h,UTC,2026-11-23T09:00:00Z,2026-11-23T09:45:30Z,2026-11-23T10:00:00Z,,"
            "2730,870,0,\n");
}

TEST(OutputCsv, QuotesLineBreaks) {
  duly::evaluation r;
  r.timers = {pending_row()};
  r.timers[0].id = "two\nlines";
  r.timers[0].target = "cr\r";
  const std::string text = write(r, duly::output_format::csv);
  EXPECT_EQ(text.substr(text.find('\n') + 1), "\"two\nlines\",\"cr\r\",0,pending,,,,,,,,,,,\n");
}

// The goal as the policy wrote it, beside the running time it became when they
// read differently.
TEST(OutputTable, GoalAsWrittenBesideItsSeconds) {
  duly::evaluation r;
  r.timers = {met_row(), met_row(), met_row()};
  r.timers[0].goal_text = "2bd";
  r.timers[0].goal_seconds = 81900s;
  r.timers[1].goal_text = "60m";
  const std::string text = write(r, duly::output_format::table);
  EXPECT_NE(text.find("  met    2bd (22h 45m)  "), std::string::npos) << text;
  EXPECT_NE(text.find("  met         60m (1h)  "), std::string::npos) << text;
  EXPECT_NE(text.find("  met               1h  "), std::string::npos) << text;
  EXPECT_NE(duly::to_json(r.timers[0]).find(R"("goal_seconds":81900,"goal":"2bd","zone":"UTC",)"), std::string::npos);
}

TEST(OutputTable, AlignsColumnsAndMarksBreachedRows) {
  EXPECT_EQ(write(sample(), duly::output_format::table),
            "   ID    TARGET          CYCLE  STATE     GOAL  STARTED            DUE                ELAPSED  "
            "REMAINING  PAUSED\n"
            "!  T-1   resolution          1  breached    8h  2026-11-23 15:30Z  2026-11-24 23:30Z   8h 20m  "
            "     -20m      1h\n"
            "   T-2   first_response      0  pending      -  -                  -                        -  "
            "        -       -\n"
            "   T-10  first_response      2  met         1h  2026-11-23 09:00Z  2026-11-23 10:00Z  45m 30s  "
            "  14m 30s      0s\n"
            "3 timers: 1 breached, 1 met, 1 pending\n"
            "\n"
            "1 escalation:\n"
            "FIRED              ID   TARGET      ESCALATION  CYCLE  POINT  ACTIONS\n"
            "2026-11-24 21:30Z  T-1  resolution  lead            1      0  [{\"notify\":[\"team_lead\"]}]\n"
            "\n"
            "1 rejected row:\n"
            "line 7: at: missing\n");
}

TEST(OutputTable, ColourOnlyOnBreachedRows) {
  duly::evaluation r;
  r.timers = {breached_row(), met_row()};
  duly::write_options o;
  o.color = true;
  const std::string text = write(r, duly::output_format::table, o);
  EXPECT_EQ(text,
            "   ID    TARGET          CYCLE  STATE     GOAL  STARTED            DUE                ELAPSED  "
            "REMAINING  PAUSED\n"
            "\x1b[31m!  T-1   resolution          1  breached    8h  2026-11-23 15:30Z  2026-11-24 23:30Z   8h 20m  "
            "     -20m      1h\x1b[0m\n"
            "   T-10  first_response      2  met         1h  2026-11-23 09:00Z  2026-11-23 10:00Z  45m 30s  "
            "  14m 30s      0s\n"
            "2 timers: 1 breached, 1 met\n");
  // Without colour there is no escape at all.
  EXPECT_EQ(write(r, duly::output_format::table).find('\x1b'), std::string::npos);
}

TEST(OutputTable, WideTextAndControlCharacters) {
  duly::evaluation r;
  r.timers = {pending_row(), pending_row()};
  r.timers[0].id = "Zürich";
  r.timers[1].id = "bad\x1b[2J";
  r.timers[1].target = "x";
  EXPECT_EQ(write(r, duly::output_format::table),
            "   ID          TARGET          CYCLE  STATE    GOAL  STARTED  DUE  ELAPSED  REMAINING  PAUSED\n"
            "   Zürich      first_response      0  pending     -  -        -          -          -       -\n"
            "   bad\\x1b[2J  x                   0  pending     -  -        -          -          -       -\n"
            "2 timers: 2 pending\n");
}

TEST(OutputTable, SecondsShownWhenNotZero) {
  duly::evaluation r;
  r.timers = {met_row()};
  r.timers[0].started = at("2026-11-23T09:00:05Z");
  const std::string text = write(r, duly::output_format::table);
  EXPECT_NE(text.find("2026-11-23 09:00:05Z"), std::string::npos) << text;
}

TEST(OutputTable, EmptyEvaluation) {
  EXPECT_EQ(write(duly::evaluation{}, duly::output_format::table), "0 timers\n");
  duly::evaluation r;
  r.rejected = {duly::rejected_row{3, "id: missing", {}}, duly::rejected_row{4, "bad\nline", {}}};
  EXPECT_EQ(write(r, duly::output_format::table),
            "0 timers\n"
            "\n"
            "2 rejected rows:\n"
            "line 3: id: missing\n"
            "line 4: bad\\nline\n");
}

// --- human_duration ----------------------------------------------------------

struct duration_case {
  std::int64_t seconds;
  const char* text;
};

TEST(OutputHumanDuration, TwoLargestNonZeroUnits) {
  const duration_case cases[] = {
      {0, "0s"},
      {45, "45s"},
      {60, "1m"},
      {65, "1m 5s"},
      {3600, "1h"},
      {8100, "2h 15m"},
      {8159, "2h 15m"},        // truncated, not rounded
      {7199, "1h 59m"},
      {3601, "1h 1s"},         // the two largest units that are not zero
      {86400, "1d"},
      {273600, "3d 4h"},
      {86460, "1d 1m"},
      {90061, "1d 1h"},
      {31536000, "365d"},
      {-20 * 60, "-20m"},
      {-3725, "-1h 2m"},
      {-1, "-1s"},
      {INT64_MAX, "106751991167300d 15h"},
      {INT64_MIN, "-106751991167300d 15h"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.seconds);
    EXPECT_EQ(duly::human_duration(seconds{c.seconds}), c.text);
  }
}

}  // namespace
