// The service's counters and its request-latency histogram, written in the
// Prometheus text format (version 0.0.4) for GET /metrics. Counters are
// atomics: every thread adds to them without a lock.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace duly::serve {

struct metrics {
  std::atomic<std::uint64_t> events_accepted{0};
  std::atomic<std::uint64_t> events_duplicate{0};
  std::atomic<std::uint64_t> events_rejected{0};
  std::atomic<std::uint64_t> firings_made{0};
  std::atomic<std::uint64_t> firings_delivered{0};
  std::atomic<std::uint64_t> delivery_failures{0};
  std::atomic<std::uint64_t> runs{0};
  std::atomic<std::uint64_t> busy{0};  // requests answered 503

  // Request latency, seconds: cumulative buckets as Prometheus expects.
  static constexpr std::array<double, 12> bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                    0.05,   0.1,   0.25,   0.5,   1.0,  5.0};
  std::array<std::atomic<std::uint64_t>, bounds.size() + 1> buckets{};  // the last: +Inf
  std::atomic<std::uint64_t> request_count{0};
  std::atomic<std::uint64_t> request_nanos{0};
  // Responses by class: 2xx, 4xx, 5xx (others are counted in 2xx's place never).
  std::array<std::atomic<std::uint64_t>, 6> responses{};  // index = status / 100

  void observe_request(double seconds, int status);

  // The text of GET /metrics. `records` and `delivery_lag` come from the store
  // at the moment of the scrape (nullopt: not known, left out).
  [[nodiscard]] std::string prometheus(std::optional<std::uint64_t> records, std::optional<std::int64_t> outbox_cursor,
                                       std::optional<std::int64_t> delivered_cursor) const;
};

}  // namespace duly::serve
