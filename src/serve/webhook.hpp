// Webhook delivery for `duly serve --webhook URL`: the delivery thread's loop,
// which POSTs every outbox line to the receiver one at a time in cursor order,
// signed with HMAC-SHA256 when there is a secret, retried with exponential
// backoff and jitter until it answers 2xx; and the delivery position (the
// last cursor delivered), kept in the store so that a restarted service
// resumes after it.
//
// The service (service.cpp) owns the threads and the store: delivery reads
// the outbox and hands the writes of its position to the writer through the
// two functions it is given, and stops when the service's `stopping` flag is
// set (wake() then ends its waits at once).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <duly/store.hpp>

#include "serve/log.hpp"
#include "serve/metrics.hpp"

namespace httplib {
class Client;
}

namespace duly::serve {

struct webhook_target {
  std::string origin;  // scheme://host[:port]
  std::string path;    // "/..." (at least "/")
};

// The origin and path of an http:// or https:// URL; nullopt for anything else.
[[nodiscard]] std::optional<webhook_target> parse_webhook(const std::string& url);

// Thread-safety: run() on the delivery thread alone; outbox_grew(), wake()
// and delivered() from any thread; resume() and keep_position() with the
// writer's store, on the thread that may write to it.
class webhook_delivery {
 public:
  // Reads the outbox (through a read-only store of the service's pool).
  using outbox_reader = std::function<result<std::vector<outbox_entry>>(const outbox_options&)>;
  // Queues a write for the service's writer thread; false when it is full.
  using write_submitter = std::function<bool(std::function<void(store&)>)>;

  webhook_delivery(webhook_target target, std::optional<std::string> secret, double retry_min_seconds,
                   double retry_max_seconds, const std::atomic<bool>& stopping, outbox_reader read_outbox,
                   write_submitter submit, metrics& m, logger& log)
      : target_(std::move(target)),
        secret_(std::move(secret)),
        retry_min_seconds_(retry_min_seconds),
        retry_max_seconds_(retry_max_seconds),
        stopping_(stopping),
        read_outbox_(std::move(read_outbox)),
        submit_(std::move(submit)),
        metrics_(m),
        log_(log) {}

  [[nodiscard]] const webhook_target& target() const noexcept { return target_; }

  // Starts from the position kept in `s` (0 when nothing was delivered).
  [[nodiscard]] result<void> resume(store& s);
  // The delivery thread: until `stopping`, delivers what the outbox has after
  // the position, polling it every second.
  void run();
  // Wakes run() for new outbox lines (a run made firings).
  void outbox_grew();
  // Ends the waits of run() now (after `stopping` was set). The lock is taken
  // first, so that a wait that has just found `stopping` unset is already
  // waiting when the notice comes (it would otherwise miss it and sleep on).
  void wake() {
    { std::lock_guard lock(m_); }
    cv_.notify_all();
  }

  // The last cursor delivered, and the last one kept in the store.
  [[nodiscard]] std::int64_t delivered() const noexcept { return delivered_.load(); }
  [[nodiscard]] std::int64_t delivered_saved() const noexcept { return delivered_saved_.load(); }
  // Keeps the last cursor delivered in `s` when it is beyond the one kept.
  [[nodiscard]] result<void> keep_position(store& s);

 private:
  // Delivers `e` until the receiver answers 2xx (true) or the service stops (false).
  bool deliver(httplib::Client& client, const outbox_entry& e);
  void wait(std::chrono::milliseconds d) {
    std::unique_lock lock(m_);
    cv_.wait_for(lock, d, [&] { return stopping_.load() || outbox_grew_; });
    outbox_grew_ = false;
  }

  const webhook_target target_;
  const std::optional<std::string> secret_;
  const double retry_min_seconds_;
  const double retry_max_seconds_;
  const std::atomic<bool>& stopping_;
  const outbox_reader read_outbox_;
  const write_submitter submit_;
  metrics& metrics_;
  logger& log_;

  std::mutex m_;
  std::condition_variable cv_;
  bool outbox_grew_ = false;
  std::atomic<std::int64_t> delivered_{0};        // the last cursor delivered
  std::atomic<std::int64_t> delivered_saved_{0};  // the last one kept in the store
};

}  // namespace duly::serve
