// Guards duly/report.hpp: which cycles count where (breached resets and
// cancels, no goal, pending), nearest-rank percentiles, the `by` split and its
// errors, the CSV and JSON Lines figures, and that the page escapes what it shows.
#include <duly/report.hpp>

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <duly/event.hpp>
#include <duly/policy.hpp>

namespace {

constexpr std::string_view policy_text = R"(duly: 1
targets:
  - name: fix
    start_when: event == "opened"
    stop_when: event == "fixed"
    cancel_when: event == "dropped"
    reset_when: event == "reopened"
    goals:
      - {when: priority == "P1", within: 1h}
)";

duly::instant at(std::string_view text) { return duly::parse_instant(text).value(); }

duly::event ev(std::string id, std::string_view when, std::string name, std::vector<duly::attribute_update> u = {}) {
  duly::event e;
  e.id = std::move(id);
  e.at = at(when);
  e.name = std::move(name);
  e.updates = std::move(u);
  return e;
}

duly::attribute_update set(std::string name, std::string_view v) {
  return {std::move(name), duly::owned_value(duly::value::string(v))};
}

std::vector<duly::event> events() {
  std::vector<duly::event> out;
  // A: met in 30m. B: breached (2h). C: cancelled after its due: breached. D: no goal (P3), stopped.
  // E: reset before its due, then the new cycle still open. F: never opened: pending.
  out.push_back(ev("A", "2026-01-01T09:00:00Z", "opened", {set("priority", "P1"), set("team", "red")}));
  out.push_back(ev("A", "2026-01-01T09:30:00Z", "fixed"));
  out.push_back(ev("B", "2026-01-01T09:00:00Z", "opened", {set("priority", "P1"), set("team", "blue")}));
  out.push_back(ev("B", "2026-01-01T11:00:00Z", "fixed"));
  out.push_back(ev("C", "2026-01-02T09:00:00Z", "opened", {set("priority", "P1"), set("team", "red")}));
  out.push_back(ev("C", "2026-01-02T12:00:00Z", "dropped"));
  out.push_back(ev("D", "2026-01-02T09:00:00Z", "opened", {set("priority", "P3")}));
  out.push_back(ev("D", "2026-01-02T10:00:00Z", "fixed"));
  out.push_back(ev("E", "2026-01-03T09:00:00Z", "opened", {set("priority", "P1"), set("team", "blue")}));
  out.push_back(ev("E", "2026-01-03T09:10:00Z", "reopened"));
  out.push_back(ev("F", "2026-01-03T09:00:00Z", "noted", {set("team", "red")}));
  for (std::size_t i = 0; i < out.size(); ++i) out[i].sequence = i;
  return out;
}

duly::report make(const std::string& by = {}) {
  const auto p = duly::parse_policy(policy_text).value();
  duly::report_options o;
  o.by = by;
  return duly::make_report(p, events(), at("2026-01-03T09:20:00Z"), o).value();
}

TEST(Report, CountsEachCycleOnce) {
  const duly::report r = make();
  ASSERT_EQ(r.targets.size(), 1u);
  const duly::attainment_row& a = r.targets[0];
  EXPECT_EQ(a.cycles, 6);  // A, B, C, D, E#1, E#2
  EXPECT_EQ(a.met, 1);
  EXPECT_EQ(a.breached, 2);  // B stopped late, C cancelled after its due
  EXPECT_EQ(a.no_goal, 1);
  EXPECT_EQ(a.reset, 1);
  EXPECT_EQ(a.open, 1);
  EXPECT_EQ(a.cancelled, 0);
  EXPECT_EQ(a.pending, 1);
  // Time to stop over A (30m) and B (2h), nearest rank: p50 the 1st, p90 the 2nd.
  EXPECT_EQ(a.p50, duly::seconds(1800));
  EXPECT_EQ(a.p90, duly::seconds(7200));
  EXPECT_EQ(r.breaches_total, 2u);
  EXPECT_EQ(r.breached_records, 2u);
  ASSERT_EQ(r.breaches.size(), 2u);
  EXPECT_EQ(r.breaches[0].id, "C");  // the latest breach first
  EXPECT_EQ(r.breaches[0].state, duly::timer_state::cancelled);
  ASSERT_EQ(r.timelines.size(), 2u);
  EXPECT_EQ(r.timelines[0].id, "C");
  EXPECT_FALSE(r.timelines[0].entries.empty());
}

TEST(Report, SplitsByTheValueAtTheDecidingInstant) {
  const duly::report r = make("team");
  std::vector<std::string> seen;
  for (const auto& a : r.rows) seen.push_back(a.by_value.kind() == duly::value_kind::null
                                                  ? "(none)"
                                                  : std::string(a.by_value.view().as_string()));
  EXPECT_EQ(seen, (std::vector<std::string>{"blue", "red", "(none)"}));  // text in order, unset last
  EXPECT_EQ(r.rows[0].breached, 1);  // B
  EXPECT_EQ(r.rows[1].breached, 1);  // C
  EXPECT_EQ(r.rows[1].met, 1);       // A
  EXPECT_EQ(r.rows[1].pending, 1);   // F
  EXPECT_EQ(r.rows[2].no_goal, 1);   // D has no team
}

TEST(Report, RefusesABadBy) {
  const auto p = duly::parse_policy(policy_text).value();
  duly::report_options o;
  o.by = "teem";
  auto r = duly::make_report(p, events(), at("2026-01-03T09:20:00Z"), o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "by: no event has the attribute 'teem'; the events have: 'priority', 'team'");
  o.by = "met";
  r = duly::make_report(p, events(), at("2026-01-03T09:20:00Z"), o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().diagnostics().front().path, "by");
}

TEST(Report, CsvAndJsonLinesAreExact) {
  std::ostringstream csv, jsonl;
  duly::write_report(csv, make(), duly::output_format::csv);
  duly::write_report(jsonl, make(), duly::output_format::jsonl);
  EXPECT_EQ(csv.str(),
            "target,kind,supports,cycles,met,breached,no_goal,open,cancelled,reset,pending,attainment,p50_seconds,"
            "p90_seconds,running_seconds,running_wall_seconds,paused_seconds\n"
            "fix,,,6,1,2,1,1,0,1,1,0.3333333333333333,1800,7200,24600,24600,0\n");
  EXPECT_EQ(jsonl.str(),
            "{\"kind\":\"attainment\",\"target\":\"fix\",\"target_kind\":null,\"supports\":null,\"cycles\":6,"
            "\"met\":1,\"breached\":2,\"no_goal\":1,\"open\":1,\"cancelled\":0,\"reset\":1,\"pending\":1,"
            "\"attainment\":0.3333333333333333,\"p50_seconds\":1800,\"p90_seconds\":7200,\"running_seconds\":24600,"
            "\"running_wall_seconds\":24600,\"paused_seconds\":0}\n");
}

TEST(ReportPage, EscapesWhatItShows) {
  const auto p = duly::parse_policy(policy_text).value();
  std::vector<duly::event> es;
  es.push_back(ev("<script>x</script>", "2026-01-01T09:00:00Z", "opened",
                  {set("priority", "P1"), set("team", "\"'&<b>\x01\xff")}));
  es.push_back(ev("<script>x</script>", "2026-01-01T12:00:00Z", "fixed"));
  duly::report_options o;
  o.by = "team";
  const auto r = duly::make_report(p, es, at("2026-01-02T00:00:00Z"), o).value();
  std::ostringstream page;
  duly::write_report_html(page, r);
  const std::string html = page.str();
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;x&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&quot;&#39;&amp;&lt;b&gt;\xEF\xBF\xBD\xEF\xBF\xBD"), std::string::npos);
  EXPECT_NE(html.find("href=\"#record-0\""), std::string::npos);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
}

TEST(ReportPage, TimelineOfOneRecord) {
  const auto p = duly::parse_policy(policy_text).value();
  auto t = duly::make_record_timeline(p, events(), "B", at("2026-01-03T00:00:00Z"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->timers.size(), 1u);
  std::ostringstream page;
  duly::write_timeline_html(page, *t, at("2026-01-03T00:00:00Z"), "policy.yaml");
  EXPECT_NE(page.str().find("role=\"img\""), std::string::npos);
  auto none = duly::make_record_timeline(p, events(), "Z", at("2026-01-03T00:00:00Z"));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(), "id: no events for record 'Z' at or before 2026-01-03T00:00:00Z");
}

}  // namespace
