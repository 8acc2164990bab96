// The Prometheus text of the service's metrics (metrics.hpp).
#include "serve/metrics.hpp"

#include <cstdio>
#include <sstream>

namespace duly::serve {

void metrics::observe_request(double seconds, int status) {
  std::size_t i = 0;
  while (i < bounds.size() && seconds > bounds[i]) ++i;
  buckets[i].fetch_add(1, std::memory_order_relaxed);
  request_count.fetch_add(1, std::memory_order_relaxed);
  request_nanos.fetch_add(static_cast<std::uint64_t>(seconds * 1e9), std::memory_order_relaxed);
  const int cls = status / 100;
  if (cls >= 1 && cls <= 5) responses[static_cast<std::size_t>(cls)].fetch_add(1, std::memory_order_relaxed);
}

std::string metrics::prometheus(std::optional<std::uint64_t> records, std::optional<std::int64_t> outbox_cursor,
                                std::optional<std::int64_t> delivered_cursor) const {
  std::ostringstream out;
  const auto counter = [&](const char* name, const char* help, std::uint64_t value) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n" << name << ' ' << value << '\n';
  };
  const auto gauge = [&](const char* name, const char* help, std::int64_t value) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n" << name << ' ' << value << '\n';
  };
  counter("duly_events_accepted_total", "Events accepted and stored (re-deliveries not counted).", events_accepted.load());
  counter("duly_events_duplicate_total", "Events received that the store already held.", events_duplicate.load());
  counter("duly_events_rejected_total", "Input rows rejected, each with its line and reason.", events_rejected.load());
  counter("duly_firings_made_total", "Escalation firings this service's runs put in the outbox.", firings_made.load());
  counter("duly_firings_delivered_total", "Outbox entries the webhook receiver answered with a 2xx.",
          firings_delivered.load());
  counter("duly_delivery_failures_total", "Webhook attempts that failed (no answer, or not a 2xx).",
          delivery_failures.load());
  counter("duly_runs_total", "Store runs made by the scheduler and after ingests.", runs.load());
  counter("duly_busy_total", "Requests answered 503 because the store or the writer was busy.", busy.load());
  if (records) gauge("duly_records", "Records in the store.", static_cast<std::int64_t>(*records));
  if (outbox_cursor) gauge("duly_outbox_cursor", "The outbox's latest cursor.", *outbox_cursor);
  if (delivered_cursor) gauge("duly_delivered_cursor", "The last cursor delivered to the webhook.", *delivered_cursor);

  out << "# HELP duly_requests_total HTTP requests answered, by status class.\n# TYPE duly_requests_total counter\n";
  for (std::size_t c = 1; c <= 5; ++c)
    out << "duly_requests_total{code=\"" << c << "xx\"} " << responses[c].load() << '\n';

  out << "# HELP duly_request_seconds Time from a request's arrival to its answer.\n"
         "# TYPE duly_request_seconds histogram\n";
  std::uint64_t cumulative = 0;
  char le[32];
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    cumulative += buckets[i].load();
    std::snprintf(le, sizeof le, "%g", bounds[i]);
    out << "duly_request_seconds_bucket{le=\"" << le << "\"} " << cumulative << '\n';
  }
  cumulative += buckets[bounds.size()].load();
  out << "duly_request_seconds_bucket{le=\"+Inf\"} " << cumulative << '\n';
  char sum[64];
  std::snprintf(sum, sizeof sum, "%.9f", static_cast<double>(request_nanos.load()) / 1e9);
  out << "duly_request_seconds_sum " << sum << '\n';
  out << "duly_request_seconds_count " << request_count.load() << '\n';
  return std::move(out).str();
}

}  // namespace duly::serve
