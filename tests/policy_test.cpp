// Tests of the policy as written (duly/policy_spec.hpp, policy::spec()) beside
// the compiled policy's views (duly/policy.hpp).
#include <duly/policy.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

const char* const text = R"(duly: 1
calendars:
  support: { timezone: America/Denver, hours: { mon-fri: "08:00-17:00" } }
targets:
  - name: first_response
    labels: { kind: sla }
    start_when: event == "created"
    stop_when: event == "replied"
    start_at: opened_at
    goals:
      - { when: priority == "P1", within: 1h, calendar: support }
      - { within: 2bd, calendar: support, timezone_from: customer_tz }
  - name: resolution
    start_when: event == "created"
    goals: [ { within: 8h } ]
escalations:
  - name: lead
    target: resolution
    at: 75%
    when: assignee != null
    repeat: { every: 1h, times: 3 }
    do: [ { notify: [team_lead] } ]
  - { name: page, target: first_response, raise_when: event == "alarm" }
)";

TEST(PolicySpec, NamesTextsAndPositionsAsWritten) {
  const auto p = duly::parse_policy(text, "p.yaml");
  ASSERT_TRUE(p) << p.error().message();
  const duly::policy_spec& s = p->spec();
  EXPECT_EQ(s.source_name, "p.yaml");
  ASSERT_EQ(s.calendars.size(), 1u);
  EXPECT_EQ(s.calendars[0].name, "support");
  EXPECT_EQ(s.calendars[0].where.line, 3);
  EXPECT_EQ(s.calendars[0].where.column, 3);

  ASSERT_EQ(s.targets.size(), 2u);
  const duly::target_spec& fr = s.targets[0];
  EXPECT_EQ(fr.name, "first_response");
  EXPECT_EQ(fr.where.file, "p.yaml");
  EXPECT_EQ(fr.where.line, 5);
  EXPECT_EQ(fr.where.column, 5);
  EXPECT_EQ(fr.labels.at("kind"), "sla");
  EXPECT_EQ(fr.start_when.text, R"(event == "created")");
  EXPECT_EQ(fr.start_when.where.line, 7);
  EXPECT_EQ(fr.start_when.where.column, 17);
  ASSERT_TRUE(fr.stop_when);
  EXPECT_EQ(fr.stop_when->where.line, 8);
  EXPECT_FALSE(fr.pause_when);
  EXPECT_EQ(fr.start_at, "opened_at");
  ASSERT_EQ(fr.goals.size(), 2u);
  EXPECT_EQ(fr.goals[0].where.line, 11);
  EXPECT_EQ(fr.goals[0].where.column, 9);
  ASSERT_TRUE(fr.goals[0].when);
  EXPECT_EQ(fr.goals[0].when->text, R"(priority == "P1")");
  EXPECT_EQ(fr.goals[0].within, "1h");
  EXPECT_EQ(fr.goals[1].within, "2bd");
  EXPECT_EQ(fr.goals[1].calendar, "support");
  EXPECT_EQ(fr.goals[1].timezone_from, "customer_tz");
  EXPECT_FALSE(fr.goals[1].when);

  ASSERT_EQ(s.escalations.size(), 2u);
  EXPECT_EQ(s.escalations[0].name, "lead");
  EXPECT_EQ(s.escalations[0].target, "resolution");
  EXPECT_EQ(s.escalations[0].at, "75%");
  EXPECT_EQ(s.escalations[0].where.line, 17);
  EXPECT_EQ(s.escalations[0].repeat_every, "1h");
  EXPECT_EQ(s.escalations[0].repeat_times, 3);
  EXPECT_EQ(s.escalations[0].actions_json, R"([{"notify":["team_lead"]}])");
  ASSERT_TRUE(s.escalations[0].when);
  EXPECT_EQ(s.escalations[0].when->text, "assignee != null");
  EXPECT_EQ(s.escalations[1].at, "manual");
  ASSERT_TRUE(s.escalations[1].raise_when);
  EXPECT_EQ(s.escalations[1].raise_when->text, R"(event == "alarm")");
  EXPECT_EQ(s.escalations[1].where.line, 23);
  EXPECT_EQ(s.escalations[1].actions_json, "[]");
}

TEST(PolicySpec, TextWithoutANameHasNoFile) {
  const auto p = duly::parse_policy(text);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->spec().source_name, "");
  EXPECT_EQ(p->spec().targets[1].where.file, "");
  EXPECT_EQ(p->spec().targets[1].where.line, 13);
}

TEST(PolicyViews, SayWhatThePolicySays) {
  const auto p = duly::parse_policy(text, "p.yaml");
  ASSERT_TRUE(p);
  ASSERT_EQ(p->targets().size(), 2u);
  const duly::target& fr = p->targets()[0];
  EXPECT_EQ(fr.name, "first_response");
  EXPECT_EQ(fr.start_when.text(), R"(event == "created")");
  EXPECT_EQ(fr.goals[1].within_text, "2bd");
  EXPECT_EQ(fr.goals[1].calendar, "support");
  EXPECT_EQ(p->escalations()[0].target, "resolution");
  EXPECT_EQ(p->calendar_names(), std::vector<std::string>{"support"});
}

TEST(PolicyViews, GoalCalendarFromACopyOfTheGoal) {
  const auto p = duly::parse_policy(text, "p.yaml");
  ASSERT_TRUE(p);
  const duly::goal copy = p->targets()[0].goals[1];  // timezone_from: customer_tz
  EXPECT_EQ(p->goal_calendar(copy, "Europe/Paris").zone().name(), "Europe/Paris");
  EXPECT_EQ(p->goal_calendar(copy, "").zone().name(), "America/Denver");
  EXPECT_EQ(p->goal_calendar(copy, "Not/AZone").zone().name(), "America/Denver");
  // A goal without timezone_from keeps its calendar's zone.
  EXPECT_EQ(p->goal_calendar(p->targets()[0].goals[0], "Europe/Paris").zone().name(), "America/Denver");
  // No calendar: 24x7 UTC.
  EXPECT_EQ(p->goal_calendar(p->targets()[1].goals[0], "").zone().name(), "UTC");
}

}  // namespace
