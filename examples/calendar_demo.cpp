// calendar_demo: first-response and resolution deadlines for a support desk.
//
// A support desk in New York answers Monday to Friday 08:00-12:00 and
// 13:00-17:00 and Saturday 09:00-13:00, closes on US public holidays, works
// mornings only on Christmas Eve and stays closed on New Year's Eve. Each ticket
// gets a first-response and a resolution deadline by priority, counted in the
// desk's open time:
//
//   priority  response  resolution
//   P1        1h        4h
//   P2        4h        2bd   (the desk's closing time on the 2nd open day after the opening date)
//   P3        8h        5bd
//
// The program builds the calendar with the C++ API, prints a table of tickets
// opened around Thanksgiving and Christmas 2026 (and two around the end of
// daylight saving time), and checks every deadline against values worked out by
// hand below. Given calendar files as arguments (examples/calendars/support.yaml
// and .json), it checks that each gives the same answers. It exits 1 on any
// mismatch, so it runs as a test.
//
//   $ calendar_demo examples/calendars/support.yaml examples/calendars/support.json
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <duly/duly.hpp>

namespace {

using namespace std::chrono_literals;
using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

// ---- the calendar ----------------------------------------------------------

duly::holiday_rule fixed_day(std::string name, unsigned m, unsigned d) {
  duly::holiday_rule h;
  h.type = duly::holiday_rule::kind::fixed_day;
  h.name = std::move(name);
  h.month = m;
  h.day = d;
  // Saturday -> the Friday before, Sunday -> the Monday after.
  h.observed = duly::observed_rule::nearest_weekday;
  return h;
}

duly::holiday_rule nth_weekday(std::string name, unsigned m, std::chrono::weekday wd, int nth) {
  duly::holiday_rule h;
  h.type = duly::holiday_rule::kind::nth_weekday;
  h.name = std::move(name);
  h.month = m;
  h.weekday = wd;
  h.nth = nth;  // -1 = the last one
  return h;
}

duly::holiday_rule on_date(std::string name, year_month_day date) {
  duly::holiday_rule h;
  h.type = duly::holiday_rule::kind::date;
  h.name = std::move(name);
  h.date = date;
  return h;
}

duly::calendar_spec support_calendar_spec() {
  using duly::time_of_day;
  using duly::window;
  duly::calendar_spec spec;
  spec.timezone = "America/New_York";

  const std::vector<window> weekday = {{time_of_day{8, 0}, time_of_day{12, 0}},
                                       {time_of_day{13, 0}, time_of_day{17, 0}}};
  std::array<std::vector<window>, 7> hours;  // [0] = Monday ... [6] = Sunday
  for (std::size_t d = 0; d < 5; ++d) hours[d] = weekday;
  hours[5] = {{time_of_day{9, 0}, time_of_day{13, 0}}};
  spec.hours = hours;

  using std::chrono::Monday;
  using std::chrono::Thursday;
  spec.holidays = {
      fixed_day("New Year's Day", 1, 1),
      nth_weekday("Martin Luther King Jr. Day", 1, Monday, 3),
      nth_weekday("Memorial Day", 5, Monday, -1),
      fixed_day("Independence Day", 7, 4),
      nth_weekday("Labor Day", 9, Monday, 1),
      nth_weekday("Thanksgiving", 11, Thursday, 4),
      // Not "the 4th Friday": that is a week early when November starts on a
      // Friday. So the day after Thanksgiving is listed by date.
      on_date("Day after Thanksgiving", year{2026} / 11 / 27),
      on_date("Day after Thanksgiving", year{2027} / 11 / 26),
      fixed_day("Christmas Day", 12, 25),
  };
  spec.exceptions[std::chrono::sys_days{year{2026} / 12 / 24}] = {
      {time_of_day{8, 0}, time_of_day{12, 0}}};                       // Christmas Eve: mornings
  spec.exceptions[std::chrono::sys_days{year{2026} / 12 / 31}] = {};  // New Year's Eve: closed
  return spec;
}

// ---- the tickets -----------------------------------------------------------

struct priority_terms {
  std::string_view name;
  std::string_view response;    // duration text, see duly::parse_duration
  std::string_view resolution;
};

constexpr std::array<priority_terms, 3> terms = {{
    {"P1", "1h", "4h"},
    {"P2", "4h", "2bd"},
    {"P3", "8h", "5bd"},
}};

struct ticket {
  std::string_view id;
  std::string_view priority;
  std::string_view opened;  // as the customer's portal recorded it, with its UTC offset
  // Worked out by hand (see the notes above `tickets`).
  std::string_view expected_response_due;
  std::string_view expected_resolution_due;
  std::int64_t expected_business_seconds;  // open time from `opened` to `now`
};

// Every deadline below is in the desk's open time. The calendar around them
// (2026: Nov 1 is a Sunday, the night daylight saving time ends; Thanksgiving is
// Thu Nov 26; Christmas is a Friday; 2027-01-01 is a Friday):
//   a normal week  = Mon-Fri 8h + Sat 4h = 44h
//   Nov 23-28      = Mon-Wed 24h, Thu+Fri holidays, Sat 4h = 28h
//   Dec 21-26      = Mon-Wed 24h, Thu 24 (Christmas Eve) 08-12 4h, Fri holiday, Sat 4h = 32h
//   Dec 28-31 noon = Mon-Wed 24h, Thu 31 closed = 24h
// "now" is Thu 2026-12-31 12:00 EST, so from Mon Nov 2 00:00 to now the desk
// is open 6 x 44h (weeks of Nov 2, 9, 16, 30, Dec 7, 14) + 28h + 32h + 24h = 348h,
// and from Mon Nov 30 to now 3 x 44h + 32h + 24h = 188h.
constexpr std::string_view now_text = "2026-12-31T12:00:00-05:00";

constexpr std::int64_t h = 3600;
constexpr std::int64_t m = 60;

constexpr std::array<ticket, 8> tickets = {{
    // Sat Oct 31 12:30 EDT (16:30Z), the day before clocks go back. Open until
    // 13:00 (30m), closed Sunday, Monday opens 08:00 EST = 13:00Z.
    //   response 1h:   30m Sat + 30m Mon -> Mon Nov 2 08:30 EST = 13:30Z
    //   resolution 4h: 30m Sat + 3h30m Mon -> Mon 11:30 EST = 16:30Z
    //   until now:     30m + 348h
    {"T-1001", "P1", "2026-10-31T12:30:00-04:00", "2026-11-02T13:30:00Z", "2026-11-02T16:30:00Z",
     348 * h + 30 * m},
    // Sun Nov 1 01:30 EST (06:30Z): the second pass through the repeated hour.
    // Sunday is closed; Monday opens 08:00 EST.
    //   response 4h:    Mon 08:00-12:00 -> exactly the lunch closing, 12:00 EST = 17:00Z
    //                   (the earliest instant with 4h elapsed, not the 13:00 reopening)
    //   resolution 2bd: open days after Sun Nov 1: Mon 2 (1st), Tue 3 (2nd)
    //                   -> Tue Nov 3 17:00 EST = 22:00Z
    //   until now:      348h
    {"T-1002", "P2", "2026-11-01T01:30:00-05:00", "2026-11-02T17:00:00Z", "2026-11-03T22:00:00Z",
     348 * h},
    // Wed Nov 25 10:15 EST, the day before Thanksgiving.
    //   response 4h:    10:15-12:00 (1h45m) + 13:00-15:15 (2h15m) -> Wed 15:15 EST = 20:15Z
    //   resolution 2bd: Thu 26 and Fri 27 are holidays; open days: Sat 28 (1st),
    //                   Mon 30 (2nd) -> Mon Nov 30 17:00 EST = 22:00Z
    //   until now:      Wed 5h45m + Sat 4h + 188h = 197h45m
    {"T-1003", "P2", "2026-11-25T10:15:00-05:00", "2026-11-25T20:15:00Z", "2026-11-30T22:00:00Z",
     197 * h + 45 * m},
    // Wed Nov 25 16:30 EST: 30m before the long weekend.
    //   response 1h:   30m Wed + Sat 09:00-09:30 -> Sat Nov 28 09:30 EST = 14:30Z
    //   resolution 4h: 30m Wed + Sat 09:00-12:30 -> Sat 12:30 EST = 17:30Z
    //   until now:     30m + 4h + 188h = 192h30m
    {"T-1004", "P1", "2026-11-25T16:30:00-05:00", "2026-11-28T14:30:00Z", "2026-11-28T17:30:00Z",
     192 * h + 30 * m},
    // Thanksgiving Day, 09:00 EST: the desk is closed until Saturday.
    //   response 8h:    Sat 09-13 (4h) + Mon Nov 30 08-12 (4h) -> Mon 12:00 EST = 17:00Z
    //   resolution 5bd: Sat 28, Mon 30, Tue Dec 1, Wed 2, Thu 3 (5th)
    //                   -> Thu Dec 3 17:00 EST = 22:00Z
    //   until now:      4h + 188h = 192h
    {"T-1005", "P3", "2026-11-26T09:00:00-05:00", "2026-11-30T17:00:00Z", "2026-12-03T22:00:00Z",
     192 * h},
    // Wed Dec 23 15:00 EST.
    //   response 4h:    Wed 15-17 (2h) + Christmas Eve 08-10 -> Thu Dec 24 10:00 EST = 15:00Z
    //   resolution 2bd: Thu 24 (1st, a short day is still an open day), Fri 25
    //                   holiday, Sat 26 (2nd) -> Sat Dec 26 13:00 EST = 18:00Z
    //   until now:      Wed 2h + Thu 4h + Sat 4h + 24h = 34h
    {"T-1006", "P2", "2026-12-23T15:00:00-05:00", "2026-12-24T15:00:00Z", "2026-12-26T18:00:00Z",
     34 * h},
    // Christmas Eve 11:30 EST, half an hour before the desk closes for Christmas.
    //   response 8h:    Thu 30m + Sat 4h + Mon Dec 28 08:00-11:30 (3h30m)
    //                   -> Mon 11:30 EST = 16:30Z
    //   resolution 5bd: Sat 26, Mon 28, Tue 29, Wed 30, (Thu 31 closed, Fri Jan 1
    //                   holiday) Sat Jan 2 (5th) -> Sat 2027-01-02 13:00 EST = 18:00Z
    //   until now:      30m + 4h + 24h = 28h30m
    {"T-1007", "P3", "2026-12-24T11:30:00-05:00", "2026-12-28T16:30:00Z", "2027-01-02T18:00:00Z",
     28 * h + 30 * m},
    // Wed Dec 30 16:00 EST, before New Year's Eve (closed) and New Year's Day.
    //   response 4h:    Wed 16-17 (1h) + Sat Jan 2 09:00-12:00 -> Sat 12:00 EST = 17:00Z
    //   resolution 2bd: Sat Jan 2 (1st), Mon Jan 4 (2nd) -> Mon 17:00 EST = 22:00Z
    //   until now:      1h
    {"T-1008", "P2", "2026-12-30T16:00:00-05:00", "2027-01-02T17:00:00Z", "2027-01-04T22:00:00Z",
     1 * h},
}};

// ---- output ----------------------------------------------------------------

// "Sat 2026-10-31 12:30-04:00": the wall-clock reading in `zone`, with its offset.
std::string format_local(duly::instant t, const duly::time_zone& zone) {
  static constexpr std::array<const char*, 7> day_names = {"Sun", "Mon", "Tue", "Wed",
                                                           "Thu", "Fri", "Sat"};
  const auto local = zone.to_local(t);
  const auto local_days = std::chrono::floor<std::chrono::days>(local);
  const year_month_day ymd{local_days};
  const std::chrono::hh_mm_ss<std::chrono::seconds> tod{local - local_days};
  const std::chrono::weekday wd{local_days};
  const auto offset_minutes = zone.offset(t).count() / 60;
  const auto abs_offset = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %04d-%02u-%02u %02d:%02d%c%02lld:%02lld",
                day_names[wd.c_encoding()], static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                offset_minutes < 0 ? '-' : '+', static_cast<long long>(abs_offset / 60),
                static_cast<long long>(abs_offset % 60));
  return buf;
}

// Business time as hours and minutes, "197:45": days of 24 open hours would
// read oddly for a desk open 44 hours a week.
std::string format_hours(duly::seconds s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(s.count() / 3600),
                static_cast<long long>(s.count() % 3600 / 60));
  return buf;
}

std::string pad(std::string_view s, std::size_t width) {
  std::string out(s);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

// ---- the check ---------------------------------------------------------------

struct row {
  std::string response_due;
  std::string resolution_due;
  duly::seconds business{0};
};

const priority_terms* find_terms(std::string_view priority) {
  for (const auto& t : terms)
    if (t.name == priority) return &t;
  return nullptr;
}

// Computes one ticket's row; problems go to `problems`.
row compute(const duly::calendar& cal, const ticket& t, duly::instant now,
            std::vector<std::string>& problems) {
  row r;
  const auto opened = duly::parse_instant(t.opened);
  const auto* p = find_terms(t.priority);
  if (!opened || p == nullptr) {
    problems.push_back(std::string(t.id) + ": bad ticket data");
    return r;
  }
  const auto due = [&](std::string_view text) -> std::string {
    const auto d = duly::parse_duration(text);
    if (!d) return "error: " + d.error().message();
    const auto at = cal.add(*opened, *d);
    if (!at) return "error: " + at.error().message();
    return duly::format_instant(*at);
  };
  r.response_due = due(p->response);
  r.resolution_due = due(p->resolution);
  r.business = cal.elapsed(*opened, now);
  return r;
}

// Compares a computed row with the hand-computed values.
void check(std::string_view source, const ticket& t, const row& r,
           std::vector<std::string>& problems) {
  const auto expect = [&](std::string_view what, std::string_view want, const std::string& got) {
    if (got != want) {
      problems.push_back(std::string(source) + ": " + std::string(t.id) + " " + std::string(what) +
                         ": expected " + std::string(want) + ", got " + got);
    }
  };
  expect("response due", t.expected_response_due, r.response_due);
  expect("resolution due", t.expected_resolution_due, r.resolution_due);
  expect("business time until now", std::to_string(t.expected_business_seconds) + "s",
         std::to_string(r.business.count()) + "s");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> problems;

  auto cal = duly::calendar::make(support_calendar_spec());
  if (!cal) {
    std::cerr << "calendar_demo: " << cal.error().render() << '\n';
    return 1;
  }
  const auto now = duly::parse_instant(now_text);
  if (!now) {
    std::cerr << "calendar_demo: " << now.error().message() << '\n';
    return 1;
  }

  std::cout << "Support desk, " << cal->zone().name() << "; now "
            << format_local(*now, cal->zone()) << " (" << duly::format_instant(*now) << ")\n\n";

  const std::array<std::string_view, 7> header = {
      "ticket", "pri", "opened (local)", "opened (UTC)", "response due", "resolution due",
      "business time"};
  std::vector<std::array<std::string, 7>> lines;
  for (const auto& t : tickets) {
    const row r = compute(*cal, t, *now, problems);
    check("C++ calendar", t, r, problems);
    const auto opened = duly::parse_instant(t.opened);
    lines.push_back({std::string(t.id), std::string(t.priority),
                     opened ? format_local(*opened, cal->zone()) : "?",
                     opened ? duly::format_instant(*opened) : "?", r.response_due,
                     r.resolution_due, format_hours(r.business)});
  }
  std::array<std::size_t, 7> width{};
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& l : lines) width[c] = std::max(width[c], l[c].size());
  }
  const auto print = [&](const auto& cells) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (c > 0) out += "  ";
      // Right-align the business time, a number.
      if (c + 1 == cells.size()) {
        out += std::string(width[c] - std::string_view(cells[c]).size(), ' ');
        out += cells[c];
      } else {
        out += pad(cells[c], width[c]);
      }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    std::cout << out << '\n';
  };
  print(header);
  for (const auto& l : lines) print(l);

  // The same calendar written as documents must give the same answers.
  for (int i = 1; i < argc; ++i) {
    const auto loaded = duly::load_calendar(argv[i]);
    if (!loaded) {
      problems.push_back(loaded.error().render());
      continue;
    }
    for (const auto& t : tickets) check(argv[i], t, compute(*loaded, t, *now, problems), problems);
    std::cout << "\nchecked against " << argv[i] << '\n';
  }

  if (!problems.empty()) {
    std::cerr << "\ncalendar_demo: " << problems.size() << " mismatch(es):\n";
    for (const auto& p : problems) std::cerr << "  " << p << '\n';
    return 1;
  }
  std::cout << "\nall " << tickets.size() << " tickets match the hand-computed deadlines\n";
  return 0;
}
