// `duly serve`: the HTTP service over a store (src/serve/, docs/serve.md).
//
//   duly serve --policy P --store S [--listen HOST:PORT] [--webhook URL]
//              [--webhook-secret-file F] [--token-file F] [--manual-clock]
//              [--mapping FILE] [--create] [limits and retry options]
//
// This file only reads the command line; the service is serve/service.hpp,
// the one header of another stage the CLI includes.
#include <memory>

#include "command.hpp"
#include "serve/service.hpp"

namespace duly::cli {

void register_serve_command(registry& r) {
  auto* cmd = r.root().add_subcommand("serve", "Run the HTTP service over a store (docs/serve.md)");
  auto o = std::make_shared<serve::service_options>();
  cmd->add_option("-p,--policy", o->policy_file, "Policy file, YAML or JSON")->required()->type_name("FILE");
  cmd->add_option("-s,--store", o->store_file, "The store (an SQLite file), shared with duly run")
      ->required()
      ->type_name("FILE");
  cmd->add_flag("--create", o->create, "Make the store when there is none");
  cmd->add_option("--listen", o->listen, "Address to listen on (default 127.0.0.1:8080; port 0: any free port)")
      ->type_name("HOST:PORT");
  cmd->add_option("--webhook", o->webhook, "POST every firing and withdrawal to this URL until it answers 2xx")
      ->type_name("URL");
  cmd->add_option("--webhook-secret-file", o->webhook_secret_file,
                  "Sign webhook bodies: Duly-Signature: sha256=<HMAC-SHA256 of the body> with this secret")
      ->type_name("FILE");
  cmd->add_option("--token-file", o->token_file, "Require Authorization: Bearer <the token in this file>")
      ->type_name("FILE");
  cmd->add_flag("--manual-clock", o->manual_clock, "The clock stands still until POST /v1/clock moves it");
  cmd->add_option("--mapping", o->mapping_file, "Mapping of native webhook payloads to events (POST /v1/ingest/SOURCE)")
      ->type_name("FILE");
  cmd->add_option("--max-body-bytes", o->limits.max_body_bytes, "Largest request body (default 64 MiB; larger: 413)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 32));
  cmd->add_option("--max-line-bytes", o->limits.max_line_bytes, "Longest line of a body (default 1 MiB; longer: 413)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
  cmd->add_option("--max-rows", o->limits.max_rows, "Most events in one request (default 100000; more: 413)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000'000}));
  cmd->add_option("--retry-min", o->retry_min_seconds, "Webhook backoff: first delay (default 0.5 s)")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.001, 3600.0));
  cmd->add_option("--retry-max", o->retry_max_seconds, "Webhook backoff: longest delay (default 60 s)")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.001, 86400.0));
  cmd->add_option("--threads", o->threads, "HTTP handler threads (default 8)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{2}, std::size_t{256}));
  cmd->add_option("--wait", o->store_wait_seconds,
                  "How long a write waits for another writer of the store, then 503 (default 2 s)")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.0, 3600.0));
  r.on_selected(cmd, [o](const streams& io) { return serve::run_service(*o, io.err); });
}

}  // namespace duly::cli
