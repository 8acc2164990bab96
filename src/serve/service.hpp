// `duly serve`: the HTTP service over the store (the serve stage's one entry
// point, called by the CLI's `serve` command).
//
// One process: an HTTP server (cpp-httplib) whose handler threads read the
// store concurrently (one read-only connection each, from a pool), one writer
// thread that alone writes to it (ingests, the scheduler's runs, delivery
// positions), a delivery thread for --webhook, and a thread that waits for
// SIGTERM or SIGINT to drain the server. docs/serve.md is the user's guide and
// docs/openapi.yaml the API.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>

#include "serve/body.hpp"

namespace duly::serve {

struct service_options {
  std::string policy_file;
  std::string store_file;
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free one (logged)
  std::string webhook;                    // URL, http:// or https://
  std::string webhook_secret_file;
  std::string token_file;
  std::string mapping_file;
  bool manual_clock = false;
  bool create = false;                    // make the store when there is none
  body_limits limits;
  double retry_min_seconds = 0.5;         // webhook backoff: first delay
  double retry_max_seconds = 60;          // and the largest
  std::size_t threads = 8;                // HTTP handler threads
  double store_wait_seconds = 2;          // how long a write waits for another writer (then 503)
};

// Runs the service until SIGTERM or SIGINT; returns the exit code: 0 after a
// clean drain, 1 bad input (policy, mapping, token or secret file, an address
// that cannot be listened on), 3 the store is busy at start, 4 the store cannot
// be used. Log lines (JSON, one per line) go to `log`.
[[nodiscard]] int run_service(const service_options& options, std::ostream& log);

}  // namespace duly::serve
