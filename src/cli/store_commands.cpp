// `duly run` and `duly state`: incremental, crash-safe runs over a store.
//
//   duly run   --policy P --store FILE --events FILE|- --as-of INSTANT [--create]
//              [--format jsonl|csv|table] [--events-format jsonl|csv] [--strict] [--max-rejected N|P%]
//              [--recompute none|open|all] [--quiet-before INSTANT] [--wait SECONDS] [--max-ahead D|none]
//              [--zone ZONE] [-v]
//   duly state --policy P --store FILE --as-of INSTANT [--id ID]
//              [--format jsonl|csv|table] [--recompute none|open|all] [--wait SECONDS]
//   duly outbox --store FILE [--after CURSOR] [--limit N] [--format jsonl|csv|table] [--wait SECONDS]
//
// run adds the new events to the store, evaluates the records that got events
// or whose wake-up has come, and prints the escalation firings no earlier run
// printed (and this input's rejected rows), each with its outbox cursor. outbox
// prints every firing the store's runs reported, in cursor order. state prints every timer as
// `duly evaluate` would over everything the store holds. Exit codes: 0 done,
// 1 bad input, 2 usage, 3 the store is busy (retry later), 4 the store cannot
// be used (not a duly store, damaged, newer format, cannot be written).
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <vector>

#include <signal.h>
#include <unistd.h>

#include <duly/store.hpp>

#include "command.hpp"

namespace duly::cli {
namespace {

inline constexpr int exit_busy = 3;
inline constexpr int exit_store = 4;

struct command_options {
  std::string policy_file;
  std::string store_file;
  std::string events_file;
  std::string events_format;
  std::string as_of;
  std::string format = "jsonl";
  std::string recompute = "none";
  std::string quiet_before;
  std::string color = "auto";
  std::string max_rejected;  // "N" or "P%"; empty: no limit
  std::string max_ahead = "1d";  // a duration, or "none"
  std::string zone;          // --zone: events' instants without an offset
  std::string id;            // state --id: one record
  double wait_seconds = 0;
  bool strict = false;
  bool verbose = false;
  bool create = false;       // run --create: make the store when there is none
};

// The exit code of a store's error: 3 busy, 4 the store cannot be used, 1 the
// request itself (an --as-of before the last run's).
int exit_code(const error& e) {
  switch (e.code()) {
    case errc::store_busy: return exit_busy;
    case errc::store_unusable:
    case errc::io_error: return exit_store;
    default: return exit_bad_input;
  }
}

std::chrono::milliseconds wait_of(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::clamp(seconds, 0.0, 1e6) * 1000));
}

// Opens the store, printing why not. run opens it for writing and makes it
// only under --create (a mistyped path is an error, not a new empty store);
// state and outbox open it read-only (never created, never written).
std::optional<store> open_store(const streams& io, const command_options& o, bool write, int& rc) {
  duly::store_options so;
  so.create = write && o.create;
  so.read_only = !write;
  so.wait = wait_of(o.wait_seconds);
  auto s = store::open(o.store_file, so);
  if (!s) {
    io.err << "duly: " << s.error().message() << '\n';
    rc = exit_code(s.error());
    return std::nullopt;
  }
  return std::move(*s);
}

// --max-rejected: "N" rows or "P%" of the rows read. Nothing (checked by the
// option's validator) otherwise.
struct rejected_limit {
  bool percent = false;
  double value = 0;
};

std::optional<rejected_limit> parse_max_rejected(const std::string& text) {
  if (text.empty()) return std::nullopt;
  rejected_limit l;
  std::string number = text;
  if (number.back() == '%') {
    l.percent = true;
    number.pop_back();
  }
  if (number.empty() || number.find_first_not_of("0123456789.") != std::string::npos ||
      std::count(number.begin(), number.end(), '.') > 1 || (!l.percent && number.find('.') != std::string::npos))
    return std::nullopt;
  l.value = std::stod(number);
  if (l.percent && l.value > 100) return std::nullopt;
  return l;
}

// Under --max-rejected: when too many rows were rejected, prints each with its
// line and why the run stops, and returns true.
bool too_many_rejected(const streams& io, const event_batch& batch, const command_options& o) {
  const auto limit = parse_max_rejected(o.max_rejected);
  if (!limit || batch.rejected.empty()) return false;
  const double rejected = static_cast<double>(batch.rejected.size());
  const double rows = static_cast<double>(std::max<std::uint64_t>(batch.rows, batch.rejected.size()));
  if (limit->percent ? rejected * 100 <= limit->value * rows : rejected <= limit->value) return false;
  const std::string where = o.events_file == "-" ? "<stdin>" : o.events_file;
  for (const auto& r : batch.rejected) report(io, where + ":" + std::to_string(r.line), r.reason);
  io.err << "duly: run: " << batch.rejected.size() << " of " << plural(static_cast<std::uint64_t>(rows), "row")
         << " rejected, more than --max-rejected " << o.max_rejected << ": nothing stored, nothing evaluated\n";
  return true;
}

// The system clock, read here and nowhere else (the library never reads it):
// --max-ahead compares --as-of with it. DULY_TEST_CLOCK (an instant) stands in
// for it in tests that replay a calendar of runs.
instant system_clock_now() {
  if (const char* fake = std::getenv("DULY_TEST_CLOCK"); fake != nullptr && *fake != '\0')
    if (auto t = parse_instant(fake)) return *t;
  return std::chrono::floor<seconds>(std::chrono::system_clock::now());
}

// "none", or a duration without business days.
bool valid_max_ahead(const std::string& text) {
  if (text == "none") return true;
  auto d = parse_duration(text);
  return d && !d->is_business_days();
}

// --max-ahead: an --as-of further past the system clock than this is refused,
// so that a clock jump or a typo (2072 for 2027) does not fire every future
// escalation at once and block every later run (a store only moves forward).
bool too_far_ahead(const streams& io, instant as_of, const std::string& max_ahead) {
  if (max_ahead == "none") return false;
  const auto d = parse_duration(max_ahead);
  if (!d) return false;  // the option's validator refused it already
  const instant now = system_clock_now();
  if (as_of - now <= d->value) return false;
  report(io, "--as-of",
         format_instant(as_of) + " is more than " + max_ahead + " after the system clock (" + format_instant(now) +
             "): refused, since the run would fire everything due until then at once and no later run could go "
             "back; check the clock and --as-of, or give --max-ahead D (or none) if it is meant");
  return true;
}

int run_run(const streams& io, const command_options& o) {
  auto p = load_policy_file(io, o.policy_file);
  const auto as_of = parse_as_of(io, o.as_of);
  std::optional<instant> quiet_before;
  std::optional<time_zone> zone;
  bool ok = p && as_of;
  if (as_of && too_far_ahead(io, *as_of, o.max_ahead)) ok = false;
  if (!load_input_zone(io, o.zone, zone)) ok = false;
  if (!o.quiet_before.empty()) {
    quiet_before = parse_as_of(io, o.quiet_before, "--quiet-before");
    ok = ok && quiet_before;
  }
  if (!ok) return exit_bad_input;
  auto batch = read_event_file(io, o.events_file, o.events_format, zone ? &*zone : nullptr, p->spec().attributes);
  if (!batch) return exit_bad_input;
  if (o.strict && refuse_rejected(io, *batch, o.events_file, "run", "nothing stored, nothing evaluated"))
    return exit_bad_input;
  if (too_many_rejected(io, *batch, o)) return exit_bad_input;

  int rc = exit_ok;
  auto s = open_store(io, o, true, rc);
  if (!s) return rc;
  run_options options;
  options.policy_name = o.policy_file;
  options.rejected = batch->rejected;
  options.recompute = parse_recompute_mode(o.recompute).value_or(recompute_mode::none);
  options.quiet_before = quiet_before;
  const output_format format = to_output_format(o.format);
  bool output_failed = false;
  options.before_commit = [&](const run_result& out) -> result<void> {
    if (format == output_format::jsonl) {
      // Each firing with its outbox cursor, then the withdrawals, then the rejected rows.
      for (const auto& f : out.fired) io.out << to_json(outbox_entry{f.cursor, "escalation", f.key, f.row, out.run, {}}) << '\n';
      for (const auto& w : out.withdrawn) io.out << to_json(w) << '\n';
      for (const auto& r : batch->rejected) io.out << to_json(r) << '\n';
    } else {
      std::vector<escalation_row> rows;
      rows.reserve(out.fired.size());
      for (const auto& f : out.fired) rows.push_back(f.row);
      write_firings(io.out, rows, batch->rejected, format);
    }
    io.out.flush();
    // Test hook: die between printing and committing, the worst moment for a
    // crash (tests/store checks the next run prints these firings again).
    if (const char* hook = std::getenv("DULY_TEST_KILL_BEFORE_COMMIT"); hook != nullptr && *hook == '1')
      ::kill(::getpid(), SIGKILL);
    if (io.out) return {};
    output_failed = true;
    return fail(errc::io_error, o.store_file + ": the output could not be written; the run was rolled back");
  };
  auto outcome = s->run(*p, batch->events, *as_of, options);
  if (!outcome) {
    io.err << "duly: " << outcome.error().message() << '\n';
    return output_failed ? exit_bad_input : exit_code(outcome.error());
  }
  // Test hook: die after the commit, before exiting (tests/store/test_outbox.py
  // checks that the outbox still holds what this run printed).
  if (const char* hook = std::getenv("DULY_TEST_KILL_AFTER_COMMIT"); hook != nullptr && *hook == '1')
    ::kill(::getpid(), SIGKILL);
  if (format != output_format::jsonl && !outcome->withdrawn.empty())
    io.err << "duly: run: " << plural(outcome->withdrawn.size(), "firing")
           << " withdrawn (run with --format jsonl, or see `duly outbox`, for them)\n";
  if (format == output_format::csv && !batch->rejected.empty())
    io.err << "duly: run: " << plural(batch->rejected.size(), "row")
           << " rejected (run with --format jsonl to see them)\n";
  if (outcome->policy_changed && options.recompute == recompute_mode::none && outcome->records_kept_on_old_policy > 0)
    io.err << "duly: run: the policy changed; " << plural(outcome->records_kept_on_old_policy, "record")
           << " in flight stay on the policy they started with (--recompute none); pass --recompute open to "
              "move them\n";
  if (o.verbose) {
    io.err << "duly: run " << outcome->run << " at " << format_instant(*as_of) << ": "
           << plural(outcome->events_new, "new event") << ", " << plural(outcome->events_duplicate, "duplicate")
           << ", " << plural(batch->rejected.size(), "rejected row") << "; "
           << plural(outcome->records_evaluated, "record") << " evaluated; "
           << plural(outcome->fired.size(), "firing") << " printed";
    if (!outcome->withdrawn.empty()) io.err << ", " << outcome->withdrawn.size() << " withdrawn";
    if (outcome->firings_suppressed > 0) io.err << ", " << outcome->firings_suppressed << " recorded quietly";
    if (outcome->firings_held > 0) io.err << ", " << outcome->firings_held << " held until their deliver_at";
    io.err << "; next wake-up "
           << (outcome->next_wakeup ? format_instant(*outcome->next_wakeup) : std::string("none")) << '\n';
  }
  return exit_ok;
}

// A warning when --policy is not the policy (every one of) the store's
// records were evaluated with: the output then mixes policies (or, under
// --recompute all, re-judges history), which a person reading it should know.
void warn_if_policy_differs(const streams& io, store& s, const policy& p, const command_options& o,
                            recompute_mode mode) {
  auto info = s.info();
  if (!info) return;
  std::uint64_t others = 0;
  std::string names;
  for (const auto& [hash, records] : info->record_policies) {
    if (hash == p.fingerprint()) continue;
    others += records;
    names += (names.empty() ? "" : ", ") + hash;
  }
  if (others == 0) return;
  io.err << "duly: state: warning: --policy " << o.policy_file << " (" << p.fingerprint() << ") is not the policy "
         << plural(others, "record") << " of the store were evaluated with (" << names << "); ";
  if (mode == recompute_mode::all)
    io.err << "--recompute all judges every record by " << o.policy_file << '\n';
  else
    io.err << "they keep theirs (--recompute " << to_string(mode) << "); pass --recompute all to judge every record by "
           << o.policy_file << '\n';
}

int run_state(const streams& io, const command_options& o) {
  auto p = load_policy_file(io, o.policy_file);
  const auto as_of = parse_as_of(io, o.as_of);
  if (!p || !as_of) return exit_bad_input;
  int rc = exit_ok;
  auto s = open_store(io, o, false, rc);
  if (!s) return rc;
  state_options options;
  options.recompute = parse_recompute_mode(o.recompute).value_or(recompute_mode::none);
  if (!o.id.empty()) options.id = o.id;
  auto result = s->state(*p, *as_of, options);
  if (!result) {
    io.err << "duly: " << result.error().message() << '\n';
    return exit_code(result.error());
  }
  warn_if_policy_differs(io, *s, *p, o, options.recompute);
  if (!o.id.empty() && result->timers.empty()) {
    report(io, o.store_file, "no record '" + o.id + "' in the store");
    return exit_bad_input;
  }
  write_options wo;
  wo.color = use_color(io, o.color);
  write_evaluation(io.out, *result, to_output_format(o.format), wo);
  io.out.flush();
  return io.out ? exit_ok : exit_bad_input;
}

int run_outbox(const streams& io, const command_options& o, std::int64_t after, std::int64_t limit) {
  int rc = exit_ok;
  auto s = open_store(io, o, false, rc);
  if (!s) return rc;
  outbox_options options;
  options.after = after;
  if (limit >= 0) options.limit = static_cast<std::size_t>(limit);
  auto entries = s->outbox(options);
  if (!entries) {
    io.err << "duly: " << entries.error().message() << '\n';
    return exit_code(entries.error());
  }
  write_outbox(io.out, *entries, to_output_format(o.format));
  io.out.flush();
  return io.out ? exit_ok : exit_bad_input;
}

void add_common(CLI::App* cmd, command_options& o) {
  cmd->add_option("-p,--policy", o.policy_file, "Policy file, YAML or JSON")->required()->type_name("FILE");
  cmd->add_option("-s,--store", o.store_file, "The store (an SQLite file)")->required()->type_name("FILE");
  cmd->add_option("--as-of", o.as_of, "Evaluate at this instant (ISO-8601 with Z or an offset)")
      ->required()
      ->type_name("INSTANT");
  cmd->add_option("-f,--format", o.format, "Output: jsonl (default), csv or table")
      ->check(CLI::IsMember({"jsonl", "csv", "table"}));
  cmd->add_option("--recompute", o.recompute,
                  "Records evaluated with an earlier policy: none (default: they keep it), open (those in "
                  "flight move to this one), all")
      ->check(CLI::IsMember({"none", "open", "all"}));
  cmd->add_option("--wait", o.wait_seconds, "Wait this long for another run to finish (default 0: refuse at once)")
      ->type_name("SECONDS")
      ->check(wait_seconds_validator());
}

void register_run(registry& r) {
  auto* cmd = r.root().add_subcommand("run", "Add new events to a store and print the escalations due");
  auto o = std::make_shared<command_options>();
  add_common(cmd, *o);
  cmd->add_option("-e,--events", o->events_file, "New events, JSON Lines or CSV; - reads stdin")
      ->required()
      ->type_name("FILE");
  cmd->add_option("--events-format", o->events_format, "Events input format (default: from the file name)")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  cmd->add_flag("--strict", o->strict, "Fail (exit 1, store unchanged) if any input row is rejected");
  cmd->add_option("--max-rejected", o->max_rejected,
                  "Fail (exit 1, store unchanged) if more than N rows, or P% of the rows, are rejected")
      ->type_name("N|P%")
      ->check(CLI::Validator(
          [](std::string& v) {
            return parse_max_rejected(v) ? std::string() : "expected a count such as 10 or a share such as 5%, got '" + v + "'";
          },
          "N|P%"));
  cmd->add_option("--quiet-before", o->quiet_before,
                  "Record firings before this instant without printing them (loading history)")
      ->type_name("INSTANT");
  cmd->add_flag("-v,--verbose", o->verbose, "Print a summary of the run on stderr");
  cmd->add_flag("--create", o->create, "Make the store if there is none (without it a missing store is an error)");
  cmd->add_option("--max-ahead", o->max_ahead,
                  "Refuse an --as-of more than this past the system clock (default 1d; none: no limit)")
      ->type_name("D|none")
      ->check(CLI::Validator(
          [](std::string& v) {
            return valid_max_ahead(v) ? std::string()
                                      : "expected a duration such as 1d or 6h, or none, got '" + v + "'";
          },
          "D|none"));
  add_zone_option(cmd, o->zone);
  r.on_selected(cmd, [o](const streams& io) { return run_run(io, *o); });
}

void register_state(registry& r) {
  auto* cmd = r.root().add_subcommand("state", "Print every timer of a store at an instant");
  auto o = std::make_shared<command_options>();
  add_common(cmd, *o);
  cmd->add_option("--color", o->color, "Colour breached rows in tables: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_option("--id", o->id, "Only this record")->type_name("ID");
  r.on_selected(cmd, [o](const streams& io) { return run_state(io, *o); });
}

void register_outbox(registry& r) {
  auto* cmd = r.root().add_subcommand("outbox", "Print the firings a store has reported, in cursor order");
  auto o = std::make_shared<command_options>();
  auto after = std::make_shared<std::int64_t>(0);
  auto limit = std::make_shared<std::int64_t>(-1);
  cmd->add_option("-s,--store", o->store_file, "The store (an SQLite file)")->required()->type_name("FILE");
  cmd->add_option("--after", *after, "Only entries with a cursor above this one (default 0: all)")
      ->type_name("CURSOR")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--limit", *limit, "At most this many entries")->type_name("N")->check(CLI::NonNegativeNumber);
  cmd->add_option("-f,--format", o->format, "Output: jsonl (default), csv or table")
      ->check(CLI::IsMember({"jsonl", "csv", "table"}));
  cmd->add_option("--wait", o->wait_seconds, "Wait this long for a run holding the store (default 0)")
      ->type_name("SECONDS")
      ->check(wait_seconds_validator());
  r.on_selected(cmd, [o, after, limit](const streams& io) { return run_outbox(io, *o, *after, *limit); });
}

}  // namespace

void register_store_commands(registry& r) {
  register_run(r);
  register_state(r);
  register_outbox(r);
}

}  // namespace duly::cli
