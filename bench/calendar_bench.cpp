// Calendar arithmetic against a floor: one std::upper_bound over 5,000 sorted
// integers. The calendar is a US support calendar (America/New_York, Mon-Fri
// 08:00-12:00 and 13:00-17:00, US federal holidays as rules); starts are random
// instants over ten years, durations random from 1 to 40 hours. The same add
// and elapsed run on a versioned calendar (three versions, two zones) and on
// one whose holidays are 500 all-day events of an iCalendar file.
//
// Run: build/bench/duly_bench   (see docs/performance.md)
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <duly/duly.hpp>

namespace {

constexpr const char* support_calendar = R"(
timezone: America/New_York
hours:
  mon-fri: ["08:00-12:00", "13:00-17:00"]
holidays:
  - {name: New Year's Day, month: 1, day: 1, observed: nearest_weekday}
  - {name: Martin Luther King Jr. Day, month: 1, weekday: mon, nth: 3}
  - {name: Presidents' Day, month: 2, weekday: mon, nth: 3}
  - {name: Memorial Day, month: 5, weekday: mon, nth: -1}
  - {name: Juneteenth, month: 6, day: 19, observed: nearest_weekday}
  - {name: Independence Day, month: 7, day: 4, observed: nearest_weekday}
  - {name: Labor Day, month: 9, weekday: mon, nth: 1}
  - {name: Columbus Day, month: 10, weekday: mon, nth: 2}
  - {name: Veterans Day, month: 11, day: 11, observed: nearest_weekday}
  - {name: Thanksgiving, month: 11, weekday: thu, nth: 4}
  - {name: Christmas, month: 12, day: 25, observed: nearest_weekday}
)";

// The support calendar's hours in three versions: longer hours from 2022, and
// from 2025 the desk in London.
constexpr const char* versioned_calendar = R"(
versions:
  - from: 2018-01-01
    timezone: America/New_York
    hours: {mon-fri: ["08:00-12:00", "13:00-17:00"]}
    holidays:
      - {name: New Year's Day, month: 1, day: 1, observed: nearest_weekday}
      - {name: Thanksgiving, month: 11, weekday: thu, nth: 4}
      - {name: Christmas, month: 12, day: 25, observed: nearest_weekday}
  - from: 2022-03-01
    timezone: America/New_York
    hours: {mon-fri: ["07:00-12:00", "13:00-19:00"]}
    holidays:
      - {name: Juneteenth, month: 6, day: 19, observed: nearest_weekday, since: 2021}
      - {name: Christmas, month: 12, day: 25, observed: nearest_weekday}
  - from: 2025-06-02
    timezone: Europe/London
    hours: {mon-fri: ["09:00-12:30", "13:30-17:30"]}
    holidays:
      - {name: Christmas Day, month: 12, day: 25, observed: substitute}
      - {name: Boxing Day, month: 12, day: 26, observed: substitute}
)";

// An iCalendar file of 500 all-day holidays on random weekdays of 2019-2031,
// written to the temporary directory; the calendar's holidays are that file.
duly::calendar ics_calendar() {
  const auto path = std::filesystem::temp_directory_path() / "duly_bench_500.ics";
  std::ofstream out(path, std::ios::binary);
  out << "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//duly bench//EN\r\n";
  std::mt19937_64 rng(500);
  const auto first = std::chrono::sys_days{std::chrono::year{2019} / 1 / 1};
  std::uniform_int_distribution<int> day(0, 13 * 365);
  for (int i = 0; i < 500; ++i) {
    const std::chrono::year_month_day d{first + std::chrono::days{day(rng)}};
    char text[16];
    std::snprintf(text, sizeof text, "%04d%02u%02u", int{d.year()}, unsigned{d.month()}, unsigned{d.day()});
    out << "BEGIN:VEVENT\r\nUID:h" << i << "@bench\r\nSUMMARY:Holiday " << i << "\r\nDTSTART;VALUE=DATE:" << text
        << "\r\nEND:VEVENT\r\n";
  }
  out << "END:VCALENDAR\r\n";
  out.close();
  return duly::parse_calendar("timezone: America/New_York\nhours: {mon-fri: [\"08:00-12:00\", \"13:00-17:00\"]}\n"
                              "holidays: [{ics: " + path.string() + "}]\n")
      .value();
}

constexpr std::size_t case_count = 1 << 14;  // a power of two for cheap wrapping

struct fixture {
  duly::calendar cal;
  duly::calendar versioned;
  duly::calendar ics500;
  std::vector<duly::instant> starts;
  std::vector<duly::instant> ends;
  std::vector<duly::seconds> durations;
  std::vector<std::int64_t> floor_keys;
  std::vector<std::int64_t> floor_probes;

  fixture()
      : cal(duly::parse_calendar(support_calendar).value()),
        versioned(duly::parse_calendar(versioned_calendar).value()),
        ics500(ics_calendar()) {
    std::mt19937_64 rng(20261123);
    const std::int64_t from = duly::parse_instant("2020-01-01T00:00:00Z")->time_since_epoch().count();
    const std::int64_t span = std::int64_t{3652} * 86400;
    std::uniform_int_distribution<std::int64_t> start(from, from + span);
    std::uniform_int_distribution<std::int64_t> dur(3600, 40 * 3600);
    for (std::size_t i = 0; i < case_count; ++i) {
      starts.emplace_back(duly::seconds{start(rng)});
      durations.emplace_back(dur(rng));
      ends.push_back(starts.back() + duly::seconds{dur(rng)});
    }
    // Build every year's table before timing.
    for (const auto* c : {&cal, &versioned, &ics500})
      (void)c->elapsed(duly::instant{duly::seconds{from}}, duly::instant{duly::seconds{from + span + 86400 * 30}});
    std::uniform_int_distribution<std::int64_t> key(0, std::int64_t{1} << 40);
    for (int i = 0; i < 5000; ++i) floor_keys.push_back(key(rng));
    std::sort(floor_keys.begin(), floor_keys.end());
    for (std::size_t i = 0; i < case_count; ++i) floor_probes.push_back(key(rng));
  }
};

const fixture& data() {
  static const fixture f;
  return f;
}

void floor_upper_bound_5000(benchmark::State& state) {
  const auto& f = data();
  std::size_t i = 0;
  for (auto _ : state) {
    const auto it = std::upper_bound(f.floor_keys.begin(), f.floor_keys.end(), f.floor_probes[i]);
    benchmark::DoNotOptimize(it);
    i = (i + 1) & (case_count - 1);
  }
}
BENCHMARK(floor_upper_bound_5000);

void calendar_add(benchmark::State& state) {
  const auto& f = data();
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = f.cal.add(f.starts[i], f.durations[i]);
    benchmark::DoNotOptimize(r);
    i = (i + 1) & (case_count - 1);
  }
}
BENCHMARK(calendar_add);

void calendar_elapsed(benchmark::State& state) {
  const auto& f = data();
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = f.cal.elapsed(f.starts[i], f.ends[i]);
    benchmark::DoNotOptimize(r);
    i = (i + 1) & (case_count - 1);
  }
}
BENCHMARK(calendar_elapsed);

void calendar_add_versioned(benchmark::State& state) {
  const auto& f = data();
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = f.versioned.add(f.starts[i], f.durations[i]);
    benchmark::DoNotOptimize(r);
    i = (i + 1) & (case_count - 1);
  }
}
BENCHMARK(calendar_add_versioned);

void calendar_elapsed_versioned(benchmark::State& state) {
  const auto& f = data();
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = f.versioned.elapsed(f.starts[i], f.ends[i]);
    benchmark::DoNotOptimize(r);
    i = (i + 1) & (case_count - 1);
  }
}
BENCHMARK(calendar_elapsed_versioned);

void calendar_add_ics500(benchmark::State& state) {
  const auto& f = data();
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = f.ics500.add(f.starts[i], f.durations[i]);
    benchmark::DoNotOptimize(r);
    i = (i + 1) & (case_count - 1);
  }
}
BENCHMARK(calendar_add_ics500);

void calendar_elapsed_ics500(benchmark::State& state) {
  const auto& f = data();
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = f.ics500.elapsed(f.starts[i], f.ends[i]);
    benchmark::DoNotOptimize(r);
    i = (i + 1) & (case_count - 1);
  }
}
BENCHMARK(calendar_elapsed_ics500);

void calendar_subtract(benchmark::State& state) {
  const auto& f = data();
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = f.cal.subtract(f.ends[i], f.durations[i]);
    benchmark::DoNotOptimize(r);
    i = (i + 1) & (case_count - 1);
  }
}
BENCHMARK(calendar_subtract);

void calendar_is_open(benchmark::State& state) {
  const auto& f = data();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.cal.is_open(f.starts[i]));
    i = (i + 1) & (case_count - 1);
  }
}
BENCHMARK(calendar_is_open);

void calendar_add_business_days(benchmark::State& state) {
  const auto& f = data();
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = f.cal.add_business_days(f.starts[i], 5);
    benchmark::DoNotOptimize(r);
    i = (i + 1) & (case_count - 1);
  }
}
BENCHMARK(calendar_add_business_days);

// Building one year's table from scratch (a fresh calendar each time).
void calendar_build_year(benchmark::State& state) {
  const auto spec = duly::parse_calendar_spec(support_calendar).value();
  const auto t = *duly::parse_instant("2026-06-01T00:00:00Z");
  for (auto _ : state) {
    auto cal = duly::calendar::make(spec).value();
    benchmark::DoNotOptimize(cal.is_open(t));
  }
}
BENCHMARK(calendar_build_year);

// Reading the 500-event iCalendar file and building the calendar (no tables yet).
void calendar_parse_ics500(benchmark::State& state) {
  (void)data();  // writes the file
  const auto path = std::filesystem::temp_directory_path() / "duly_bench_500.ics";
  const std::string text = "holidays: [{ics: " + path.string() + "}]\n";
  for (auto _ : state) benchmark::DoNotOptimize(duly::parse_calendar(text));
}
BENCHMARK(calendar_parse_ics500);

}  // namespace

BENCHMARK_MAIN();
