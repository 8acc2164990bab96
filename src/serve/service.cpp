// The service (service.hpp): its threads, the store's one writer, the
// scheduler and the HTTP routes; webhook delivery (webhook.cpp) runs on a
// thread of this service. Handlers parse, call the library (the store, the
// readers of events) and render; no rule of the product lives here.
#include "serve/service.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <duly/duly.hpp>
#include <duly/store.hpp>

#include "serve/body.hpp"
#include "serve/crypto.hpp"
#include "serve/log.hpp"
#include "serve/mapping.hpp"
#include "serve/metrics.hpp"
#include "serve/webhook.hpp"

namespace duly::serve {
namespace {

using ojson = nlohmann::ordered_json;
using namespace std::chrono_literals;

constexpr int exit_ok = 0;
constexpr int exit_bad_input = 1;
constexpr int exit_busy = 3;
constexpr int exit_store = 4;
constexpr std::size_t max_queued_writes = 256;

std::string json_text(const ojson& j) { return j.dump(-1, ' ', false, ojson::error_handler_t::replace); }

void send_json(httplib::Response& res, int status, const ojson& body) {
  res.status = status;
  res.set_content(json_text(body) + "\n", "application/json");
}

void send_problem(httplib::Response& res, const problem& p) {
  send_json(res, p.status, ojson{{"code", p.code}, {"message", p.message}});
}

void send_busy(httplib::Response& res, metrics& m, const std::string& message) {
  m.busy.fetch_add(1);
  res.set_header("Retry-After", "1");
  send_problem(res, {503, "busy", message});
}

// The first line of a file, without surrounding whitespace: a token or a secret.
std::optional<std::string> read_secret(const std::string& path, const char* option, std::ostream& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << "duly: " << option << " " << path << ": cannot open the file for reading\n";
    return std::nullopt;
  }
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.erase(0, 1);
  if (line.empty()) {
    err << "duly: " << option << " " << path << ": the file is empty (expected the secret on its first line)\n";
    return std::nullopt;
  }
  return line;
}

int exit_code(const error& e) {
  switch (e.code()) {
    case errc::store_busy: return exit_busy;
    case errc::store_unusable:
    case errc::io_error: return exit_store;
    default: return exit_bad_input;
  }
}

// The service's clock: the system clock, or a manual one that only moves
// forward when told.
class service_clock {
 public:
  explicit service_clock(bool manual, instant start) : manual_(manual), now_(start) {}
  [[nodiscard]] bool manual() const noexcept { return manual_; }
  [[nodiscard]] instant now() const {
    if (!manual_) return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    std::lock_guard lock(m_);
    return now_;
  }
  // Moves the manual clock to `t`; false when `t` is earlier (it never goes back).
  bool set(instant t, instant& was) {
    std::lock_guard lock(m_);
    was = now_;
    if (t < now_) return false;
    now_ = t;
    return true;
  }

 private:
  bool manual_;
  mutable std::mutex m_;
  instant now_;
};

class service {
 public:
  service(const service_options& o, policy p, std::optional<mapping> m, std::optional<std::string> token,
          std::optional<std::string> secret, std::optional<webhook_target> hook, store writer_store, instant clock_start,
          logger& log)
      : o_(o),
        policy_(std::move(p)),
        mapping_(std::move(m)),
        token_(std::move(token)),
        store_(std::move(writer_store)),
        clock_(o.manual_clock, clock_start),
        log_(log) {
    if (hook)
      webhook_.emplace(
          std::move(*hook), std::move(secret), o.retry_min_seconds, o.retry_max_seconds, stopping_,
          [this](const outbox_options& oo) { return read_outbox(oo); },
          [this](std::function<void(store&)> work) { return submit(std::move(work)); }, metrics_, log_);
  }

  int run(const std::string& host, int port);

 private:
  // ---- the writer thread: the only one that writes to the store ----------
  // Queues `work` for the writer; false when too many writes are waiting.
  bool submit(std::function<void(store&)> work) {
    {
      std::lock_guard lock(m_);
      if (jobs_.size() >= max_queued_writes) return false;
      jobs_.push_back(std::move(work));
    }
    cv_.notify_all();
    return true;
  }
  void writer_loop();
  // A run at the clock's instant (never before the store's last run). Returns
  // the number of firings made, or the error.
  result<std::size_t> run_store(store& s);
  void refresh_schedule(store& s);

  // ---- readers -------------------------------------------------------------
  // A read-only store from the pool (opened when the pool is empty).
  result<store> acquire_reader() {
    {
      std::lock_guard lock(readers_m_);
      if (!readers_.empty()) {
        store s = std::move(readers_.back());
        readers_.pop_back();
        return s;
      }
    }
    store_options so;
    so.read_only = true;
    so.wait = std::chrono::milliseconds(static_cast<std::int64_t>(o_.store_wait_seconds * 1000));
    return store::open(o_.store_file, so);
  }
  void release_reader(store s) {
    std::lock_guard lock(readers_m_);
    readers_.push_back(std::move(s));
  }
  template <class F>
  void with_reader(httplib::Response& res, F&& f) {
    auto r = acquire_reader();
    if (!r) return store_failure(res, r.error());
    f(*r);
    release_reader(std::move(*r));
  }
  // The outbox after `oo.after`, for delivery.
  result<std::vector<outbox_entry>> read_outbox(const outbox_options& oo) {
    auto r = acquire_reader();
    if (!r) return tl::unexpected(r.error());
    auto entries = r->outbox(oo);
    release_reader(std::move(*r));
    return entries;
  }
  void store_failure(httplib::Response& res, const error& e) {
    if (e.code() == errc::store_busy) return send_busy(res, metrics_, e.message());
    log_.error("store", {{"message", e.message()}});
    send_problem(res, {503, "store_unavailable", e.message()});
  }

  // ---- routes --------------------------------------------------------------
  void routes(httplib::Server& svr);
  void post_events(const httplib::Request& req, httplib::Response& res);
  void post_ingest(const httplib::Request& req, httplib::Response& res);
  void ingest(const event_batch& batch, httplib::Response& res);
  void post_clock(const httplib::Request& req, httplib::Response& res);
  void get_record(const httplib::Request& req, httplib::Response& res);
  void get_firings(const httplib::Request& req, httplib::Response& res);
  void get_metrics(httplib::Response& res);
  // How bodies are read: with the policy's declared attributes, so that a value
  // of the wrong type is a rejected row here as in `duly run`.
  [[nodiscard]] read_options read_options_() const {
    read_options ro;
    ro.declared = policy_.spec().attributes;
    return ro;
  }

  const service_options& o_;
  const policy policy_;
  const std::optional<mapping> mapping_;
  const std::optional<std::string> token_;
  store store_;  // the writer's; used by the writer thread alone
  service_clock clock_;
  logger& log_;
  metrics metrics_;

  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void(store&)>> jobs_;
  bool writer_stop_ = false;
  bool clock_moved_ = false;

  // Writer thread only.
  bool pending_ = false;
  std::optional<instant> next_wakeup_;
  std::optional<instant> last_as_of_;
  std::chrono::steady_clock::time_point last_refresh_{};
  std::chrono::steady_clock::time_point last_run_{};

  std::mutex readers_m_;
  std::vector<store> readers_;

  std::atomic<bool> stopping_{false};
  std::optional<webhook_delivery> webhook_;  // with --webhook (last: it refers to the members above)
};

void service::refresh_schedule(store& s) {
  auto sched = s.schedule();
  last_refresh_ = std::chrono::steady_clock::now();
  if (!sched) {
    log_.warn("schedule", {{"message", sched.error().message()}});
    return;
  }
  pending_ = pending_ || sched->events_pending;
  next_wakeup_ = sched->next_wakeup;
  last_as_of_ = sched->last_as_of;
}

result<std::size_t> service::run_store(store& s) {
  instant as_of = clock_.now();
  if (last_as_of_ && *last_as_of_ > as_of) as_of = *last_as_of_;  // another writer ran later: never go back
  run_options ro;
  ro.policy_name = o_.policy_file;
  const auto started = std::chrono::steady_clock::now();
  auto r = s.run(policy_, {}, as_of, ro);
  last_run_ = std::chrono::steady_clock::now();
  if (!r) {
    if (r.error().code() == errc::invalid_argument) refresh_schedule(s);  // the store moved on meanwhile
    log_.warn("run failed", {{"as_of", format_instant(as_of)}, {"message", r.error().message()}});
    return tl::unexpected(r.error());
  }
  metrics_.runs.fetch_add(1);
  pending_ = false;
  next_wakeup_ = r->next_wakeup;
  last_as_of_ = as_of;
  if (!r->fired.empty()) {
    metrics_.firings_made.fetch_add(r->fired.size());
    for (const auto& f : r->fired)
      log_.info("firing", {{"key", f.key},
                           {"cursor", f.cursor},
                           {"fired_at", format_instant(f.row.fired_at)},
                           {"deliver_at", format_instant(f.row.delivery())}});
    if (webhook_) webhook_->outbox_grew();
  }
  if (r->records_evaluated > 0 || !r->fired.empty())
    log_.info("run", {{"run", r->run},
                      {"as_of", format_instant(as_of)},
                      {"records_evaluated", r->records_evaluated},
                      {"fired", r->fired.size()},
                      {"next_wakeup", r->next_wakeup ? ojson(format_instant(*r->next_wakeup)) : ojson(nullptr)},
                      {"ms", std::round(std::chrono::duration<double>(last_run_ - started).count() * 1e6) / 1e3}});
  return r->fired.size();
}

void service::writer_loop() {
  refresh_schedule(store_);
  while (true) {
    std::deque<std::function<void(store&)>> work;
    {
      std::unique_lock lock(m_);
      if (jobs_.empty() && !writer_stop_) {
        // Sleep until the earliest wake-up (system clock), a write, a move of
        // the manual clock, or a second (to notice other writers: `duly run`).
        auto wait = std::chrono::milliseconds(1000);
        if (!clock_.manual() && next_wakeup_ && !pending_) {
          const auto until = std::chrono::time_point_cast<std::chrono::milliseconds>(*next_wakeup_) -
                             std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
          wait = std::clamp(until, std::chrono::milliseconds(0), wait);
        }
        if (pending_) wait = std::chrono::milliseconds(0);
        cv_.wait_for(lock, wait, [&] { return !jobs_.empty() || writer_stop_ || clock_moved_; });
      }
      clock_moved_ = false;
      work.swap(jobs_);
      if (work.empty() && writer_stop_) break;
    }
    for (auto& job : work) job(store_);
    if (std::chrono::steady_clock::now() - last_refresh_ >= 1s) refresh_schedule(store_);
    const bool due = next_wakeup_ && *next_wakeup_ <= clock_.now();
    bool more_waiting;
    {
      std::lock_guard lock(m_);
      more_waiting = !jobs_.empty();
    }
    // Under a stream of ingests, evaluate at most every second rather than
    // after each one: the writes are what the clients wait for, and one run
    // over many new records costs less than many small ones.
    const bool may_run = !more_waiting || std::chrono::steady_clock::now() - last_run_ >= 1s;
    if ((pending_ || due) && may_run) {
      if (!run_store(store_)) {
        // Busy or refused: try again shortly, not in a tight loop.
        std::unique_lock lock(m_);
        cv_.wait_for(lock, 200ms, [&] { return writer_stop_; });
      }
    }
  }
}

// ---- routes ------------------------------------------------------------------

void service::ingest(const event_batch& batch, httplib::Response& res) {
  auto done = std::make_shared<std::promise<result<add_result>>>();
  auto answer = done->get_future();
  const bool queued = submit([this, &batch, done](store& s) {
    auto r = s.add(batch.events, batch.rejected);
    if (r && r->events_new > 0) pending_ = true;
    done->set_value(std::move(r));
  });
  if (!queued) return send_busy(res, metrics_, "too many writes are waiting; retry shortly");
  // The writer holds `batch` by reference: wait for it whatever happens.
  auto r = answer.get();
  if (!r) return store_failure(res, r.error());
  metrics_.events_accepted.fetch_add(r->events_new);
  metrics_.events_duplicate.fetch_add(r->events_duplicate);
  metrics_.events_rejected.fetch_add(batch.rejected.size());
  ojson rejected = ojson::array();
  for (const auto& row : batch.rejected) rejected.push_back({{"line", row.line}, {"reason", row.reason}});
  send_json(res, 200, ojson{{"accepted", r->events_new}, {"duplicates", r->events_duplicate}, {"rejected", rejected}});
}

void service::post_events(const httplib::Request& req, httplib::Response& res) {
  auto kind = kind_of(req.get_header_value("Content-Type"), req.body);
  if (!kind) return send_problem(res, kind.error());
  auto batch = read_body(req.body, *kind, o_.limits, read_options_());
  if (!batch) return send_problem(res, batch.error());
  ingest(*batch, res);
}

void service::post_ingest(const httplib::Request& req, httplib::Response& res) {
  const std::string source = req.matches[1];
  if (!mapping_) return send_problem(res, {404, "no_mapping", "the service has no --mapping file: no source '" + source + "'"});
  const auto it = mapping_->sources.find(source);
  if (it == mapping_->sources.end()) {
    std::string known;
    for (const auto& [name, _] : mapping_->sources) known += (known.empty() ? "" : ", ") + name;
    return send_problem(res, {404, "unknown_source", "no source '" + source + "' in the mapping (sources: " + known + ")"});
  }
  if (auto ok = check_size(req.body, o_.limits); !ok) return send_problem(res, ok.error());
  nlohmann::json doc = nlohmann::json::parse(req.body, nullptr, false);
  if (doc.is_discarded() || (!doc.is_object() && !doc.is_array()))
    return send_problem(res, {400, "bad_json", "the body is not a JSON object (or an array of them)"});
  if (doc.is_array() && doc.size() > o_.limits.max_rows)
    return send_problem(res, {413, "too_many_rows", "the array has " + std::to_string(doc.size()) +
                                                        " elements, more than the limit of " +
                                                        std::to_string(o_.limits.max_rows) + " per request"});
  event_batch batch = apply_mapping(it->second, doc, read_options_());
  if (batch.rows > o_.limits.max_rows)
    return send_problem(res, {413, "too_many_rows", "the payload gives " + std::to_string(batch.rows) +
                                                        " events, more than the limit of " +
                                                        std::to_string(o_.limits.max_rows) + " per request"});
  ingest(batch, res);
}

void service::post_clock(const httplib::Request& req, httplib::Response& res) {
  if (!clock_.manual())
    return send_problem(res, {409, "clock_not_manual",
                              "the service runs on the system clock; start it with --manual-clock to set the clock"});
  nlohmann::json doc = nlohmann::json::parse(req.body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("as_of") || !doc["as_of"].is_string())
    return send_problem(res, {400, "bad_clock", "expected {\"as_of\": \"INSTANT\"} (ISO-8601 with Z or an offset)"});
  auto t = parse_instant(doc["as_of"].get<std::string>());
  if (!t) return send_problem(res, {400, "bad_clock", "as_of: " + t.error().message()});
  if (*t < min_supported_instant || *t >= max_supported_instant)
    return send_problem(res, {400, "bad_clock", "as_of: outside the supported years 1970 to 2199"});
  // One move at a time, so that the run that follows is at this instant.
  static std::mutex clock_moves;
  std::lock_guard guard(clock_moves);
  instant was;
  if (!clock_.set(*t, was))
    return send_problem(res, {409, "clock_backwards",
                              "the clock never moves back: it is at " + format_instant(was) + ", asked for " +
                                  format_instant(*t)});
  // Answer after the run at the new instant: its firings are in the outbox.
  auto done = std::make_shared<std::promise<result<std::size_t>>>();
  auto answer = done->get_future();
  if (!submit([this, done](store& s) {
        refresh_schedule(s);
        done->set_value(run_store(s));
      }))
    return send_busy(res, metrics_, "too many writes are waiting; the clock moved, its run follows shortly");
  auto fired = answer.get();
  if (!fired) return store_failure(res, fired.error());
  send_json(res, 200, ojson{{"as_of", format_instant(*t)}, {"fired", *fired}});
}

void service::get_record(const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  const instant now = clock_.now();
  with_reader(res, [&](store& s) {
    state_options so;
    so.id = id;
    auto e = s.state(policy_, now, so);
    if (!e) return store_failure(res, e.error());
    if (e->timers.empty() && e->escalations.empty()) {
      auto known = s.has_record(id);
      if (!known) return store_failure(res, known.error());
      if (!*known) return send_problem(res, {404, "unknown_record", "no record '" + id + "' in the store"});
    }
    std::string body = "{\"id\":" + json_text(ojson(id)) + ",\"as_of\":\"" + format_instant(now) + "\",\"timers\":[";
    for (std::size_t i = 0; i < e->timers.size(); ++i) body += (i ? "," : "") + to_json(e->timers[i]);
    body += "],\"escalations\":[";
    for (std::size_t i = 0; i < e->escalations.size(); ++i) body += (i ? "," : "") + to_json(e->escalations[i]);
    body += "]}\n";
    res.status = 200;
    res.set_content(body, "application/json");
  });
}

// A non-negative integer query parameter, or a problem naming it.
answer<std::int64_t> query_int(const httplib::Request& req, const char* name, std::int64_t fallback, std::int64_t min,
                               std::int64_t max) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  if (text.empty()) return fallback;
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max)
    return tl::unexpected(problem{400, "bad_query", std::string(name) + ": expected an integer from " +
                                                        std::to_string(min) + " to " + std::to_string(max) +
                                                        ", got '" + text + "'"});
  return v;
}

void service::get_firings(const httplib::Request& req, httplib::Response& res) {
  auto after = query_int(req, "after", 0, 0, INT64_MAX);
  if (!after) return send_problem(res, after.error());
  auto limit = query_int(req, "limit", 100, 1, 1000);
  if (!limit) return send_problem(res, limit.error());
  with_reader(res, [&](store& s) {
    outbox_options oo;
    oo.after = *after;
    oo.limit = static_cast<std::size_t>(*limit);
    auto entries = s.outbox(oo);
    if (!entries) return store_failure(res, entries.error());
    std::string body = "{\"firings\":[";
    for (std::size_t i = 0; i < entries->size(); ++i) body += (i ? "," : "") + to_json((*entries)[i]);
    const std::int64_t next = entries->empty() ? *after : entries->back().cursor;
    body += "],\"next_after\":" + std::to_string(next) + "}\n";
    res.status = 200;
    res.set_content(body, "application/json");
  });
}

void service::get_metrics(httplib::Response& res) {
  std::optional<std::uint64_t> records;
  std::optional<std::int64_t> cursor;
  if (auto r = acquire_reader()) {
    if (auto info = r->info()) {
      records = info->records;
      cursor = info->last_cursor;
    }
    release_reader(std::move(*r));
  }
  std::optional<std::int64_t> delivered;
  if (webhook_) delivered = webhook_->delivered();
  res.status = 200;
  res.set_content(metrics_.prometheus(records, cursor, delivered), "text/plain; version=0.0.4; charset=utf-8");
}

thread_local std::chrono::steady_clock::time_point request_start;

void service::routes(httplib::Server& svr) {
  svr.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    request_start = std::chrono::steady_clock::now();
    if (!token_ || req.path == "/healthz") return httplib::Server::HandlerResponse::Unhandled;
    const std::string auth = req.get_header_value("Authorization");
    constexpr std::string_view scheme = "Bearer ";
    if (auth.size() > scheme.size() && std::string_view(auth).substr(0, scheme.size()) == scheme &&
        equal_secrets(std::string_view(auth).substr(scheme.size()), *token_))
      return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("WWW-Authenticate", "Bearer realm=\"duly\"");
    send_problem(res, {401, "unauthorized", "this request needs the header Authorization: Bearer <token>"});
    return httplib::Server::HandlerResponse::Handled;
  });
  svr.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - request_start).count();
    metrics_.observe_request(seconds, res.status);
    log_.info("request", {{"method", req.method},
                          {"path", req.path},
                          {"status", res.status},
                          {"ms", std::round(seconds * 1e6) / 1e3},
                          {"remote", req.remote_addr}});
  });
  svr.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    switch (res.status) {
      case 404: send_problem(res, {404, "not_found", "no such endpoint: " + req.method + " " + req.path}); break;
      case 405: send_problem(res, {405, "method_not_allowed", req.method + " is not allowed on " + req.path}); break;
      case 413: send_problem(res, {413, "body_too_large", "the body is larger than the service takes"}); break;
      default:
        send_problem(res, {res.status, "http_" + std::to_string(res.status), "the request could not be served"});
    }
  });
  svr.set_exception_handler([this](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log_.error("internal error", {{"message", what}});
    send_problem(res, {500, "internal", "internal error: " + what});
  });

  svr.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    auto r = acquire_reader();
    if (!r) return send_json(res, 503, ojson{{"status", "unavailable"}, {"message", r.error().message()}});
    auto sched = r->schedule();
    release_reader(std::move(*r));
    if (!sched) return send_json(res, 503, ojson{{"status", "unavailable"}, {"message", sched.error().message()}});
    send_json(res, 200, ojson{{"status", "ok"}, {"as_of", format_instant(clock_.now())}});
  });
  svr.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) { get_metrics(res); });
  svr.Post("/v1/events", [this](const httplib::Request& req, httplib::Response& res) { post_events(req, res); });
  svr.Post(R"(/v1/ingest/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) { post_ingest(req, res); });
  svr.Get(R"(/v1/records/(.+))", [this](const httplib::Request& req, httplib::Response& res) { get_record(req, res); });
  svr.Get("/v1/firings", [this](const httplib::Request& req, httplib::Response& res) { get_firings(req, res); });
  svr.Post("/v1/clock", [this](const httplib::Request& req, httplib::Response& res) { post_clock(req, res); });
  svr.Get("/v1/clock", [this](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, ojson{{"as_of", format_instant(clock_.now())}, {"manual", clock_.manual()}});
  });
}

int service::run(const std::string& host, int port) {
  // SIGTERM and SIGINT are taken by one thread with sigwait: blocked here,
  // before any thread starts, so that every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up is an error value, not a death

  if (webhook_) {
    if (auto resumed = webhook_->resume(store_); !resumed) {
      log_.error("store", {{"message", resumed.error().message()}});
      return exit_code(resumed.error());
    }
  }

  httplib::Server svr;
  const std::size_t threads = std::max<std::size_t>(o_.threads, 2);
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  svr.set_payload_max_length(o_.limits.max_body_bytes);
  svr.set_tcp_nodelay(true);  // headers and body go out at once: no 40 ms delayed-ACK stall
  svr.set_keep_alive_max_count(10000);
  svr.set_keep_alive_timeout(5);
  svr.set_read_timeout(30, 0);
  svr.set_write_timeout(30, 0);
  routes(svr);

  int bound = port;
  if (port == 0) {
    bound = svr.bind_to_any_port(host);
  } else if (!svr.bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound <= 0) {
    log_.error("cannot listen", {{"listen", host + ":" + std::to_string(port)}});
    return exit_bad_input;
  }

  // Named threads (top -H, /proc/PID/task/*/comm; bench/serve_bench.py reads
  // the writer's CPU time by its name).
  std::thread writer([this] {
    pthread_setname_np(pthread_self(), "duly-writer");
    writer_loop();
  });
  std::thread delivery;
  if (webhook_)
    delivery = std::thread([this] {
      pthread_setname_np(pthread_self(), "duly-delivery");
      webhook_->run();
    });
  std::thread signals([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    log_.info("stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "other"}});
    stopping_.store(true);
    svr.stop();
  });

  log_.info("listening", {{"listen", host + ":" + std::to_string(bound)},
                          {"port", bound},
                          {"store", o_.store_file},
                          {"policy", o_.policy_file},
                          {"clock", clock_.manual() ? "manual" : "system"},
                          {"as_of", format_instant(clock_.now())},
                          {"webhook", webhook_ ? ojson(webhook_->target().origin + webhook_->target().path)
                                               : ojson(nullptr)},
                          {"auth", token_.has_value()}});
  const bool listened = svr.listen_after_bind();  // returns once stopped, after in-flight requests finished
  if (!stopping_.load()) ::kill(::getpid(), SIGTERM);  // wakes the signal thread
  signals.join();
  stopping_.store(true);
  if (webhook_) webhook_->wake();
  if (delivery.joinable()) delivery.join();
  {
    std::lock_guard lock(m_);
    // The last delivery position, even when the queue was full when the
    // delivery thread asked for it to be kept.
    if (webhook_) jobs_.push_back([this](store& s) { (void)webhook_->keep_position(s); });
    writer_stop_ = true;
  }
  cv_.notify_all();
  writer.join();  // runs what was queued (the last delivery position) first
  log_.info("stopped", {{"delivered", webhook_ ? webhook_->delivered_saved() : 0}});
  return listened || stopping_.load() ? exit_ok : exit_bad_input;
}

}  // namespace

int run_service(const service_options& o, std::ostream& err) {
  logger log(err);
  auto p = load_policy(o.policy_file);
  if (!p) {
    err << p.error().render() << '\n';
    return exit_bad_input;
  }
  std::optional<mapping> m;
  if (!o.mapping_file.empty()) {
    auto loaded = load_mapping(o.mapping_file);
    if (!loaded) {
      err << "duly: --mapping: " << loaded.error().message() << '\n';
      return exit_bad_input;
    }
    m = std::move(*loaded);
  }
  std::optional<std::string> token, secret;
  if (!o.token_file.empty() && !(token = read_secret(o.token_file, "--token-file", err))) return exit_bad_input;
  if (!o.webhook_secret_file.empty() && !(secret = read_secret(o.webhook_secret_file, "--webhook-secret-file", err)))
    return exit_bad_input;
  if (secret && o.webhook.empty()) {
    err << "duly: --webhook-secret-file needs --webhook URL\n";
    return exit_bad_input;
  }
  std::optional<webhook_target> hook;
  if (!o.webhook.empty() && !(hook = parse_webhook(o.webhook))) {
    err << "duly: --webhook: expected an http:// or https:// URL, got '" << o.webhook << "'\n";
    return exit_bad_input;
  }
  const auto colon = o.listen.rfind(':');
  int port = -1;
  std::string host;
  if (colon != std::string::npos && colon > 0) {
    host = o.listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    const std::string digits = o.listen.substr(colon + 1);
    if (!digits.empty() && digits.size() <= 5 && digits.find_first_not_of("0123456789") == std::string::npos)
      port = std::stoi(digits);
  }
  if (port < 0 || port > 65535) {
    err << "duly: --listen: expected HOST:PORT (such as 127.0.0.1:8080), got '" << o.listen << "'\n";
    return exit_bad_input;
  }

  store_options so;
  so.create = o.create;
  so.wait = std::chrono::milliseconds(static_cast<std::int64_t>(o.store_wait_seconds * 1000));
  auto s = store::open(o.store_file, so);
  if (!s) {
    err << "duly: " << s.error().message() << (o.create ? "" : " (give --create to make a new store)") << '\n';
    return exit_code(s.error());
  }
  // A new store gets its tables now (an add of nothing), so that the
  // readers, which open it read-only, find a store from the first request.
  if (auto info = s->info(); info && info->format_version == 0) {
    if (auto made = s->add({}); !made) {
      err << "duly: " << made.error().message() << '\n';
      return exit_code(made.error());
    }
  }
  // The manual clock starts where the store's last run left off (the Unix
  // epoch for a new store), so that it never asks the store to go back.
  instant start = min_supported_instant;
  auto sched = s->schedule();
  if (!sched) {
    err << "duly: " << sched.error().message() << '\n';
    return exit_code(sched.error());
  }
  if (sched->last_as_of) start = *sched->last_as_of;
  service svc(o, std::move(*p), std::move(m), std::move(token), std::move(secret), std::move(hook), std::move(*s), start,
              log);
  return svc.run(host, port);
}

}  // namespace duly::serve
