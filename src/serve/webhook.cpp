// Webhook delivery (webhook.hpp): the POSTs, their backoff and signatures,
// and the delivery position.
#include "serve/webhook.hpp"

#include <algorithm>
#include <random>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <duly/duly.hpp>

#include "serve/crypto.hpp"

namespace duly::serve {
namespace {

using ojson = nlohmann::ordered_json;
using namespace std::chrono_literals;

constexpr const char* webhook_consumer = "webhook";

}  // namespace

std::optional<webhook_target> parse_webhook(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  const std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return std::nullopt;
  const auto path_start = url.find('/', scheme_end + 3);
  webhook_target t;
  t.origin = url.substr(0, path_start);
  t.path = path_start == std::string::npos ? "/" : url.substr(path_start);
  if (t.origin.size() <= scheme_end + 3) return std::nullopt;
  return t;
}

result<void> webhook_delivery::resume(store& s) {
  auto d = s.delivered(webhook_consumer);
  if (!d) return tl::unexpected(d.error());
  delivered_.store(*d);
  delivered_saved_.store(*d);
  return {};
}

void webhook_delivery::outbox_grew() {
  {
    std::lock_guard lock(m_);
    outbox_grew_ = true;
  }
  cv_.notify_all();
}

result<void> webhook_delivery::keep_position(store& s) {
  const std::int64_t c = delivered_.load();
  if (c <= delivered_saved_.load()) return {};
  auto ok = s.set_delivered(webhook_consumer, c);
  if (ok) delivered_saved_.store(c);
  return ok;
}

bool webhook_delivery::deliver(httplib::Client& client, const outbox_entry& e) {
  const std::string body = to_json(e);
  httplib::Headers headers = {{"Duly-Key", e.key}, {"Duly-Cursor", std::to_string(e.cursor)}};
  if (secret_) headers.emplace("Duly-Signature", "sha256=" + hmac_sha256_hex(*secret_, body));
  std::mt19937_64 rng(std::random_device{}());
  double delay = retry_min_seconds_;
  for (std::uint64_t attempt = 1; !stopping_.load(); ++attempt) {
    auto res = client.Post(target_.path, headers, body, "application/json");
    if (res && res->status >= 200 && res->status < 300) {
      metrics_.firings_delivered.fetch_add(1);
      return true;
    }
    metrics_.delivery_failures.fetch_add(1);
    // Exponential backoff with jitter: half the delay fixed, half random, so
    // that many services behind one receiver do not retry in step.
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    const double wait = delay * jitter(rng);
    log_.warn("delivery failed", {{"key", e.key},
                                  {"cursor", e.cursor},
                                  {"attempt", attempt},
                                  {"status", res ? ojson(res->status) : ojson(nullptr)},
                                  {"error", res ? std::string() : httplib::to_string(res.error())},
                                  {"retry_in_seconds", wait}});
    {
      std::unique_lock lock(m_);
      cv_.wait_for(lock, std::chrono::duration<double>(wait), [&] { return stopping_.load(); });
    }
    delay = std::min(delay * 2, retry_max_seconds_);
  }
  return false;
}

void webhook_delivery::run() {
  httplib::Client client(target_.origin);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(10, 0);
  client.set_write_timeout(10, 0);
  client.set_keep_alive(true);
  while (!stopping_.load()) {
    outbox_options oo;
    oo.after = delivered_.load();
    oo.limit = 100;
    auto entries = read_outbox_(oo);
    if (!entries) {
      log_.warn("delivery", {{"message", entries.error().message()}});
      wait(1000ms);
      continue;
    }
    if (entries->empty()) {
      wait(1000ms);  // woken by a run that made firings; the poll catches other writers
      continue;
    }
    for (const auto& e : *entries) {
      if (!deliver(client, e)) return;  // stopping: the position kept is the last delivered
      delivered_.store(e.cursor);
      log_.info("delivered", {{"key", e.key}, {"cursor", e.cursor}});
      // Keep the position in the store (through the writer; coalesced: one
      // write carries every delivery made before it runs).
      submit_([this](store& s) {
        if (auto ok = keep_position(s); !ok) log_.warn("delivery position", {{"message", ok.error().message()}});
      });
    }
  }
}

}  // namespace duly::serve
