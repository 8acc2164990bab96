// The compiled policy's read-only views and its zone-keyed calendar cache
// (duly/policy.hpp, compiled_policy.hpp).
#include "rules/compiled_policy.hpp"

#include <algorithm>

namespace duly {

calendar policy::impl::calendar_for(std::size_t target, std::size_t goal, std::string_view zone_name) const {
  return calendar_for(compiled_targets[target].goals[goal], zone_name);
}

calendar policy::impl::calendar_for(const compiled_goal& g, std::string_view zone_name) const {
  return calendar_in_zone(g.calendar_index, g.timezone_slot < 0 ? std::string_view() : zone_name);
}

int policy::impl::calendar_index(std::string_view name) const noexcept {
  for (std::size_t k = 0; k < calendar_names.size(); ++k)
    if (calendar_names[k] == name) return static_cast<int>(k);
  return -1;
}

calendar policy::impl::calendar_in_zone(int index, std::string_view zone_name) const {
  const calendar& base = index >= 0 ? calendars[static_cast<std::size_t>(index)] : default_calendar;
  if (zone_name.empty() || zone_name == base.zone().name()) return base;
  std::lock_guard lock(zoned_mutex);
  const auto key = std::make_pair(index, std::string(zone_name));
  if (auto it = zoned.find(key); it != zoned.end()) return it->second;
  auto zone = time_zone::locate(zone_name);
  calendar c = zone ? base.with_zone(*zone) : base;  // unknown zone: the calendar's own
  zoned.emplace(key, c);
  return c;
}

instant policy::impl::deliver_at(std::size_t escalation, instant fired_at) const {
  const int cal = compiled_escalations[escalation].deliver_calendar;
  if (cal < 0) return fired_at;
  // never_open and out_of_range: handed over at once rather than never.
  return calendars[static_cast<std::size_t>(cal)].next_open(fired_at).value_or(fired_at);
}

const std::vector<target>& policy::targets() const noexcept { return impl_->targets; }
const std::vector<escalation>& policy::escalations() const noexcept { return impl_->escalations; }
const std::vector<std::string>& policy::calendar_names() const noexcept { return impl_->calendar_names; }
const std::vector<calendar>& policy::calendars() const noexcept { return impl_->calendars; }
const slot_table& policy::slots() const noexcept { return impl_->slots; }
const std::string& policy::fingerprint() const noexcept { return impl_->fingerprint; }
const std::string& policy::source() const noexcept { return impl_->source; }
const policy_spec& policy::spec() const noexcept { return impl_->spec; }
const std::vector<diagnostic>& policy::warnings() const noexcept { return impl_->warnings; }
calendar policy::goal_calendar(const goal& g, std::string_view zone_name) const {
  // Resolved from what the goal says, so that a copy of a goal works too.
  compiled_goal resolved;
  if (!g.calendar.empty()) {
    const auto& names = impl_->calendar_names;
    const auto it = std::find(names.begin(), names.end(), g.calendar);
    if (it != names.end()) resolved.calendar_index = static_cast<int>(it - names.begin());
  }
  if (!g.timezone_from.empty()) resolved.timezone_slot = impl_->slots.find(g.timezone_from);
  return impl_->calendar_for(resolved, zone_name);
}

}  // namespace duly
