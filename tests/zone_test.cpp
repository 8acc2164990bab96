// Tests of duly/zone.hpp: IANA zones, offsets, and the "first reaches" rule that
// maps a wall-clock time to an instant across DST gaps and overlaps.
#include <duly/zone.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <date/tz.h>
#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using duly::errc;
using duly::instant;
using std::chrono::local_days;
using std::chrono::local_seconds;
using std::chrono::sys_days;

constexpr instant utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return instant{sys_days{std::chrono::year{y} / std::chrono::month{mo} / std::chrono::day{d}}} +
         std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{s};
}

constexpr local_seconds wall(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return local_seconds{local_days{std::chrono::year{y} / std::chrono::month{mo} / std::chrono::day{d}}} +
         std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{s};
}

duly::time_zone zone(std::string_view name) {
  auto z = duly::time_zone::locate(name);
  EXPECT_TRUE(z.has_value()) << name << ": " << (z ? "" : z.error().message());
  return z ? *z : duly::time_zone{};
}

std::string text(instant t) { return duly::format_instant(t); }

TEST(TimeZone, DefaultIsUtc) {
  const duly::time_zone z;
  EXPECT_EQ(z.name(), "UTC");
  EXPECT_EQ(z.offset(utc(2026, 7, 1)), 0s);
  EXPECT_EQ(z.to_local(utc(2026, 7, 1, 12)), wall(2026, 7, 1, 12));
  EXPECT_EQ(z.first_reach(wall(2026, 7, 1, 12)), utc(2026, 7, 1, 12));
  const auto located = duly::time_zone::locate("UTC");
  ASSERT_TRUE(located.has_value());
  EXPECT_EQ(located->name(), "UTC");
  EXPECT_EQ(*located, z);
}

TEST(TimeZone, LocatesIanaNamesAndReportsOffsets) {
  struct row {
    const char* name;
    instant at;
    duly::seconds offset;
  };
  const row rows[] = {
      {"America/New_York", utc(2026, 1, 15, 12), -5h},
      {"America/New_York", utc(2026, 7, 15, 12), -4h},
      {"America/New_York", utc(2026, 3, 8, 6, 59, 59), -5h},
      {"America/New_York", utc(2026, 3, 8, 7), -4h},
      {"America/New_York", utc(2026, 11, 1, 5, 59, 59), -4h},
      {"America/New_York", utc(2026, 11, 1, 6), -5h},
      {"Europe/London", utc(2026, 1, 15, 12), 0h},
      {"Europe/London", utc(2026, 7, 15, 12), 1h},
      {"Europe/London", utc(2026, 3, 29, 0, 59, 59), 0h},
      {"Europe/London", utc(2026, 3, 29, 1), 1h},
      {"Europe/London", utc(2026, 10, 25, 0, 59, 59), 1h},
      {"Europe/London", utc(2026, 10, 25, 1), 0h},
      {"Australia/Lord_Howe", utc(2026, 1, 15, 12), 11h},
      {"Australia/Lord_Howe", utc(2026, 7, 15, 12), 10h + 30min},
      {"Australia/Lord_Howe", utc(2026, 4, 4, 14, 59, 59), 11h},
      {"Australia/Lord_Howe", utc(2026, 4, 4, 15), 10h + 30min},
      {"Australia/Lord_Howe", utc(2026, 10, 3, 15, 29, 59), 10h + 30min},
      {"Australia/Lord_Howe", utc(2026, 10, 3, 15, 30), 11h},
      {"Asia/Kolkata", utc(2026, 1, 15, 12), 5h + 30min},
      {"Asia/Kolkata", utc(2026, 7, 15, 12), 5h + 30min},
      {"America/Denver", utc(2026, 11, 23, 15, 30), -7h},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string(r.name) + " at " + text(r.at));
    const auto z = zone(r.name);
    EXPECT_EQ(z.name(), r.name);
    EXPECT_EQ(z.offset(r.at), r.offset);
    EXPECT_EQ(z.to_local(r.at), local_seconds{r.at.time_since_epoch() + r.offset});
  }
}

TEST(TimeZone, LocatingTwiceGivesEqualZones) {
  EXPECT_EQ(zone("Europe/London"), zone("Europe/London"));
  EXPECT_FALSE(zone("Europe/London") == zone("Europe/Paris"));
  EXPECT_FALSE(zone("Europe/London") == duly::time_zone{});
}

TEST(TimeZone, UnknownZoneIsAnErrorThatNamesIt) {
  const auto got = duly::time_zone::locate("Mars/Olympus_Mons");
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().code(), errc::unknown_zone);
  EXPECT_EQ(got.error().message(),
            "unknown time zone 'Mars/Olympus_Mons': not in the system tz database (/usr/share/zoneinfo)");
  // Asking again (now perhaps cached as missing) says the same.
  const auto again = duly::time_zone::locate("Mars/Olympus_Mons");
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().message(), got.error().message());

  const auto empty = duly::time_zone::locate("");
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code(), errc::unknown_zone);
  EXPECT_EQ(empty.error().message(), "unknown time zone '': give an IANA name such as America/New_York");

  // Names are case-sensitive, as in the tz database.
  const auto lower = duly::time_zone::locate("america/new_york");
  ASSERT_FALSE(lower.has_value());
  EXPECT_EQ(lower.error().code(), errc::unknown_zone);
  EXPECT_NE(lower.error().message().find("'america/new_york'"), std::string::npos)
      << lower.error().message();
}

TEST(TimeZone, FirstReachTakesGapsAtTheChangeAndOverlapsAtTheFirstOccurrence) {
  struct row {
    const char* zone;
    local_seconds wall;
    instant expected;
    const char* why;
  };
  const row rows[] = {
      // New York spring forward, 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z).
      {"America/New_York", wall(2026, 3, 8, 1, 59), utc(2026, 3, 8, 6, 59), "before the gap"},
      {"America/New_York", wall(2026, 3, 8, 2, 0), utc(2026, 3, 8, 7), "gap start"},
      {"America/New_York", wall(2026, 3, 8, 2, 30), utc(2026, 3, 8, 7), "in the gap: 03:00 EDT"},
      {"America/New_York", wall(2026, 3, 8, 2, 59, 59), utc(2026, 3, 8, 7), "gap end"},
      {"America/New_York", wall(2026, 3, 8, 3, 0), utc(2026, 3, 8, 7), "after the gap"},
      {"America/New_York", wall(2026, 3, 8, 3, 1), utc(2026, 3, 8, 7, 1), "after the gap"},
      // New York fall back, 2026-11-01 02:00 EDT -> 01:00 EST (06:00Z).
      {"America/New_York", wall(2026, 11, 1, 0, 59), utc(2026, 11, 1, 4, 59), "before the overlap"},
      {"America/New_York", wall(2026, 11, 1, 1, 0), utc(2026, 11, 1, 5), "overlap start, EDT"},
      {"America/New_York", wall(2026, 11, 1, 1, 30), utc(2026, 11, 1, 5, 30), "first 01:30 (EDT)"},
      {"America/New_York", wall(2026, 11, 1, 1, 59, 59), utc(2026, 11, 1, 5, 59, 59), "first 01:59:59"},
      {"America/New_York", wall(2026, 11, 1, 2, 0), utc(2026, 11, 1, 7), "02:00 EST"},
      // London, 2026-03-29 01:00 GMT -> 02:00 BST; 2026-10-25 02:00 BST -> 01:00 GMT.
      {"Europe/London", wall(2026, 3, 29, 1, 30), utc(2026, 3, 29, 1), "in the gap"},
      {"Europe/London", wall(2026, 3, 29, 2, 0), utc(2026, 3, 29, 1), "gap end"},
      {"Europe/London", wall(2026, 3, 29, 0, 59), utc(2026, 3, 29, 0, 59), "before the gap"},
      {"Europe/London", wall(2026, 10, 25, 1, 30), utc(2026, 10, 25, 0, 30), "first 01:30 (BST)"},
      {"Europe/London", wall(2026, 10, 25, 2, 0), utc(2026, 10, 25, 2), "02:00 GMT"},
      // Lord Howe shifts by 30 minutes: 2026-10-04 02:00 (+10:30) -> 02:30 (+11),
      // 2026-04-05 02:00 (+11) -> 01:30 (+10:30).
      {"Australia/Lord_Howe", wall(2026, 10, 4, 1, 59), utc(2026, 10, 3, 15, 29), "before the gap"},
      {"Australia/Lord_Howe", wall(2026, 10, 4, 2, 0), utc(2026, 10, 3, 15, 30), "gap start"},
      {"Australia/Lord_Howe", wall(2026, 10, 4, 2, 15), utc(2026, 10, 3, 15, 30), "in the gap"},
      {"Australia/Lord_Howe", wall(2026, 10, 4, 2, 30), utc(2026, 10, 3, 15, 30), "gap end"},
      {"Australia/Lord_Howe", wall(2026, 10, 4, 2, 31), utc(2026, 10, 3, 15, 31), "after the gap"},
      {"Australia/Lord_Howe", wall(2026, 4, 5, 1, 29), utc(2026, 4, 4, 14, 29), "before the overlap"},
      {"Australia/Lord_Howe", wall(2026, 4, 5, 1, 30), utc(2026, 4, 4, 14, 30), "first 01:30 (+11)"},
      {"Australia/Lord_Howe", wall(2026, 4, 5, 1, 45), utc(2026, 4, 4, 14, 45), "first 01:45 (+11)"},
      {"Australia/Lord_Howe", wall(2026, 4, 5, 2, 0), utc(2026, 4, 4, 15, 30), "02:00 (+10:30)"},
      // Kolkata never changes: +05:30.
      {"Asia/Kolkata", wall(2026, 11, 23, 9, 30), utc(2026, 11, 23, 4, 0), "half-hour offset"},
      {"Asia/Kolkata", wall(2026, 1, 1, 0, 0), utc(2025, 12, 31, 18, 30), "across a year end"},
      {"UTC", wall(2028, 2, 29, 12, 0), utc(2028, 2, 29, 12), "UTC"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string(r.zone) + ": " + r.why);
    const auto z = zone(r.zone);
    EXPECT_EQ(text(z.first_reach(r.wall)), text(r.expected));
  }
}

// first_reach(to_local(t)) is t itself, except during the second run of a
// repeated hour, where it is the first run, one shift earlier.
TEST(TimeZone, FirstReachUndoesToLocalOutsideRepeatedHours) {
  for (const char* name : {"America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata"}) {
    SCOPED_TRACE(name);
    const auto z = zone(name);
    int repeated = 0;
    for (instant t = utc(2026, 1, 1); t < utc(2028, 1, 1); t += 7min + 13s) {
      const auto back = z.first_reach(z.to_local(t));
      if (back != t) {
        ++repeated;
        // The earlier occurrence of the same wall time, before a fall back.
        ASSERT_LT(back, t) << text(t);
        ASSERT_LE(t - back, 1h) << text(t);
        ASSERT_EQ(z.to_local(back), z.to_local(t)) << text(t);
        ASSERT_GT(z.offset(back), z.offset(t)) << text(t);
      }
    }
    if (std::string(name) == "Asia/Kolkata") {
      EXPECT_EQ(repeated, 0);
    } else {
      EXPECT_GT(repeated, 0);
    }
  }
}

// duly's offsets are the system tz database's, read through date-tz.
TEST(TimeZone, AgreesWithTheTzDatabase) {
  for (const char* name : {"America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata",
                           "America/Denver", "Pacific/Chatham", "Asia/Kathmandu"}) {
    SCOPED_TRACE(name);
    const auto z = zone(name);
    const auto* tz = date::locate_zone(name);
    for (instant t = utc(1970, 1, 1); t < utc(2199, 12, 31); t += std::chrono::hours{24 * 29 + 7}) {
      const auto info = tz->get_info(date::sys_seconds{t.time_since_epoch()});
      ASSERT_EQ(z.offset(t), info.offset) << text(t);
    }
  }
}

TEST(TimeZone, IsSafeToShareBetweenThreads) {
  const auto z = zone("Australia/Lord_Howe");
  std::vector<std::thread> threads;
  std::vector<int> bad(4, 0);
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (instant t = utc(2026, 1, 1) + std::chrono::minutes{k}; t < utc(2027, 1, 1); t += 37min) {
        auto located = duly::time_zone::locate("Australia/Lord_Howe");
        if (!located || !(*located == z) || z.first_reach(z.to_local(t)) > t) ++bad[k];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int k = 0; k < 4; ++k) EXPECT_EQ(bad[k], 0) << "thread " << k;
}

}  // namespace
