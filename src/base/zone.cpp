// Time zones over Howard Hinnant's date-tz, which reads the system tz database.
#include <duly/zone.hpp>

#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

#include <date/tz.h>

namespace duly {

// `tz` is null for UTC, which needs no lookups.
struct time_zone::impl {
  std::string name;
  const date::time_zone* tz = nullptr;
};

namespace {

const std::shared_ptr<const time_zone::impl>& utc_impl() {
  static const auto p = std::make_shared<const time_zone::impl>(time_zone::impl{"UTC", nullptr});
  return p;
}

}  // namespace

time_zone::time_zone() : impl_(utc_impl()) {}

result<time_zone> time_zone::locate(std::string_view name) {
  if (name == "UTC" || name == "Etc/UTC") return time_zone{};
  // One impl per name, so equal zones compare equal and lookups are cached.
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const impl>, std::less<>> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(name); it != cache.end()) return time_zone{it->second};
  if (name.empty()) return fail(errc::unknown_zone, "unknown time zone '': give an IANA name such as America/New_York");
  // Files of the tz directory that are not IANA zones: `localtime` is this
  // machine's setting (another machine reads the same policy differently),
  // posix/ and right/ are variants of the zones, the rest are not zones.
  {
    const bool machine = name == "localtime" || name == "posixrules";
    if (machine || name == "Factory" || name == "leapseconds" || name.starts_with("posix/") || name.starts_with("right/") ||
        name.starts_with('/') || name.find("..") != std::string_view::npos || name.find('.') != std::string_view::npos)
      return fail(errc::unknown_zone,
                  "unknown time zone '" + std::string(name) + "': not an IANA zone name" +
                      (machine ? std::string(" (it is this machine's local setting, which differs between machines)")
                               : std::string()) +
                      "; give a name such as Europe/Amsterdam");
  }
  const date::time_zone* tz = nullptr;
  try {
    tz = date::locate_zone(name);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    // date-tz reports a missing zone as "<name> not found in timezone database".
    if (what.find("not found") != std::string::npos)
      return fail(errc::unknown_zone, "unknown time zone '" + std::string(name) +
                                          "': not in the system tz database (/usr/share/zoneinfo)");
    return fail(errc::unknown_zone,
                "cannot load time zone '" + std::string(name) + "': " + what);
  }
  try {
    // Force the zone's data to load now, so a broken file fails here and not
    // later inside a const query.
    (void)tz->get_info(date::sys_seconds{});
  } catch (const std::exception& e) {
    return fail(errc::unknown_zone, "cannot load time zone '" + std::string(name) + "': " + e.what());
  }
  auto p = std::make_shared<const impl>(impl{std::string(name), tz});
  cache.emplace(std::string(name), p);
  return time_zone{std::move(p)};
}

const std::string& time_zone::name() const noexcept { return impl_->name; }

seconds time_zone::offset(instant t) const {
  if (impl_->tz == nullptr) return seconds{0};
  return impl_->tz->get_info(date::sys_seconds{t.time_since_epoch()}).offset;
}

std::chrono::local_seconds time_zone::to_local(instant t) const {
  return std::chrono::local_seconds{t.time_since_epoch() + offset(t)};
}

instant time_zone::first_reach(std::chrono::local_seconds local) const {
  if (impl_->tz == nullptr) return instant{local.time_since_epoch()};
  const date::local_seconds l{local.time_since_epoch()};
  const auto info = impl_->tz->get_info(l);
  switch (info.result) {
    case date::local_info::nonexistent:
      // Skipped by a change: the clock reaches it at the change itself.
      return instant{info.first.end.time_since_epoch()};
    case date::local_info::ambiguous:
    case date::local_info::unique:
    default:
      // `first` is the earlier of the two offsets when ambiguous.
      return instant{local.time_since_epoch() - info.first.offset};
  }
}

}  // namespace duly
