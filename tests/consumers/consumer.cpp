// A program outside duly that compiles against exactly the C++ surface of
// the README, prints a deadline and checks it. Both consumer projects
// (find_package/ and add_subdirectory/) build this file. It also runs the
// store once, so that a static duly's private SQLite reaches the consumer.
#include <duly/duly.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>

int main() {
  // Denver office hours with a lunch break, closed on Thanksgiving.
  const std::string text = R"(
timezone: America/Denver
hours:
  mon-fri: ["08:00-12:00", "13:00-17:00"]
holidays:
  - {name: Thanksgiving, month: 11, weekday: thu, nth: 4}
)";
  // Wed 2026-11-25 15:30 MST (UTC-7).
  const std::chrono::sys_seconds start =
      std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + std::chrono::hours(22) +
      std::chrono::minutes(30);

  // ---- the documented minimal C++ surface, verbatim ----
  // parse a calendar from YAML or JSON text (the schema of section 3)
  duly::result<duly::calendar> cal = duly::parse_calendar(text);
  if (!cal) {
    std::cerr << "parse_calendar failed: " << cal.error().message() << '\n';
    return 1;
  }
  duly::result<std::chrono::sys_seconds> due = cal->add(start, std::chrono::hours(4));
  if (!due) {
    std::cerr << "add failed: " << due.error().message() << '\n';
    return 1;
  }
  duly::result<std::chrono::sys_seconds> from = cal->subtract(due.value(), std::chrono::hours(4));
  std::chrono::seconds used = cal->elapsed(start, due.value());
  bool open = cal->is_open(start);
  // ---- end of the snippet ----

  std::cout << "duly " << duly::version_string << ": opened " << duly::format_instant(start)
            << ", 4h deadline " << duly::format_instant(*due) << '\n';

  // Wed 15:30-17:00 is 1h30m, Thanksgiving is closed, Fri 08:00-10:30 MST is
  // the other 2h30m: due Fri 2026-11-27 10:30 MST = 17:30Z.
  const std::chrono::sys_seconds expected_due =
      std::chrono::sys_days{std::chrono::year{2026} / 11 / 27} + std::chrono::hours(17) +
      std::chrono::minutes(30);
  int failures = 0;
  const auto expect = [&](bool ok, const char* what) {
    if (!ok) {
      std::cerr << "FAILED: " << what << '\n';
      ++failures;
    }
  };
  expect(*due == expected_due, "add(start, 4h) == 2026-11-27T17:30:00Z");
  expect(from.has_value() && *from == start, "subtract(due, 4h) == start");
  expect(used == std::chrono::hours(4), "elapsed(start, due) == 4h");
  expect(open, "is_open(start)");

  // The store: one run over one event, then its state.
  const auto policy = duly::parse_policy(R"(
targets:
  - {name: resolution, start_when: event == "created", stop_when: event == "resolved", goals: [{within: 4h}]}
)");
  expect(policy.has_value(), "parse_policy");
  const auto file = std::filesystem::temp_directory_path() / ("duly-consumer-" + std::to_string(due->time_since_epoch().count()) + ".db");
  std::filesystem::remove(file);
  if (policy) {
    auto store = duly::store::open(file.string());
    expect(store.has_value(), "store::open");
    if (store) {
      auto batch = duly::read_events_jsonl(R"({"id":"T-1","at":"2026-11-25T22:30:00Z","event":"created"})");
      auto run = store->run(*policy, batch.events, *due);
      expect(run.has_value() && run->events_new == 1, "store::run stores the event");
      auto state = store->state(*policy, *due);
      expect(state.has_value() && state->timers.size() == 1 && state->timers[0].state == duly::timer_state::breached,
             "store::state");
    }
  }
  std::filesystem::remove(file);
  return failures == 0 ? 0 : 1;
}
