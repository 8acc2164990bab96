// duly/zone.hpp: IANA time zones.
//
// A `time_zone` maps instants to wall-clock (civil) times and back, using the
// system's tz database (/usr/share/zoneinfo). The mapping from civil time to an
// instant follows duly's DST rule: a wall-clock time is taken at the instant a
// clock *first reaches* it, so a time skipped by a spring-forward change is
// reached at the change itself, and a time repeated by a fall-back change is
// reached at its first occurrence.
//
// Thread-safety: a `time_zone` is an immutable handle; copies share the zone and
// may be used from any number of threads.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <duly/error.hpp>
#include <duly/export.hpp>
#include <duly/time.hpp>

namespace duly {

class DULY_EXPORT time_zone {
 public:
  // UTC.
  time_zone();

  // Looks up an IANA name such as "America/Denver" or "UTC". An unknown name is
  // an `errc::unknown_zone` error naming it. Cost: the first lookup of a zone
  // reads its tz file; later lookups of any zone are a map search.
  [[nodiscard]] static result<time_zone> locate(std::string_view name);

  [[nodiscard]] const std::string& name() const noexcept;

  // The wall-clock reading at `t`.
  [[nodiscard]] std::chrono::local_seconds to_local(instant t) const;
  // UTC offset at `t` (local = utc + offset).
  [[nodiscard]] seconds offset(instant t) const;
  // The instant a wall clock first reaches `local` (see above).
  //   New York, 2026-03-08 02:30 (skipped)  -> 2026-03-08T07:00:00Z (03:00 EDT)
  //   New York, 2026-11-01 01:30 (repeated) -> 2026-11-01T05:30:00Z (01:30 EDT)
  [[nodiscard]] instant first_reach(std::chrono::local_seconds local) const;

  friend bool operator==(const time_zone& a, const time_zone& b) noexcept {
    return a.impl_ == b.impl_;
  }

  struct impl;

 private:
  explicit time_zone(std::shared_ptr<const impl> p) : impl_(std::move(p)) {}
  std::shared_ptr<const impl> impl_;
};

}  // namespace duly
