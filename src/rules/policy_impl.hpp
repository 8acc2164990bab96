// The compiled policy's insides, shared by the reader and the engine (not installed).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <duly/policy.hpp>

namespace duly {

struct policy::impl {
  std::string source;
  std::string fingerprint;
  slot_table slots;
  std::vector<std::string> calendar_names;
  std::vector<calendar> calendars;
  std::vector<target> targets;
  std::vector<escalation> escalations;
  calendar default_calendar;  // 24x7 UTC, for goals without a calendar

  // The goal's calendar in the zone named by a record attribute (cached).
  [[nodiscard]] calendar calendar_for(const goal& g, std::string_view zone_name) const;

  mutable std::mutex zoned_mutex;
  mutable std::map<std::pair<int, std::string>, calendar> zoned;
};

}  // namespace duly
