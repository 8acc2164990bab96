// `duly check` and `duly evaluate`: policies and the timer engine from the shell.
//
//   duly check POLICY [--explain-names]
//   duly evaluate --policy P --events FILE|- --as-of INSTANT
//                 [--format jsonl|csv|table] [--events-format jsonl|csv] [--strict] [--zone ZONE]
//   duly explain  (--policy P --events FILE|- [--strict] | --store S [--policy P]) --id ID [--as-of INSTANT]
//                 [--format table|json] [--html FILE]
//
// check prints "POLICY: ok (...)" (with --explain-names, then every attribute
// name the policy reads, sorted, one a line; its warnings, "file:line:column:
// path: warning: message" with a caret, on stderr) and exits 0, or every problem (file:line:column:
// path: message with a caret) on stderr and exits 1. evaluate prints timer,
// escalation and rejected lines (see docs/cli.md) and exits 0; with --strict a
// rejected row is a failure: the rejections go to stderr, nothing to stdout,
// exit 1. explain lists the rejected rows of --events after the timeline, and
// takes --strict as evaluate does. A policy or events file that cannot be read is exit 1; a bad command
// line exit 2.
#include "command.hpp"

#include <algorithm>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <duly/store.hpp>

namespace duly::cli {
namespace {

void register_check(registry& r) {
  auto* cmd = r.root().add_subcommand("check", "Validate a policy file (YAML or JSON)");
  auto path = std::make_shared<std::string>();
  auto names = std::make_shared<bool>(false);
  cmd->add_option("policy", *path, "Policy file")->required()->type_name("POLICY");
  cmd->add_flag("--explain-names", *names,
                "Also list every attribute name the policy reads (a misspelt name or a bare P1 shows up here)");
  r.on_selected(cmd, [path, names](const streams& io) {
    auto p = load_policy_file(io, *path);
    if (!p) return exit_bad_input;
    io.out << *path << ": ok (" << plural(p->targets().size(), "target") << ", "
           << plural(p->escalations().size(), "escalation") << ", "
           << plural(p->calendars().size(), "calendar")
           << (p->spec().attributes.empty() ? std::string()
                                            : ", " + plural(p->spec().attributes.size(), "declared attribute"))
           << (p->warnings().empty() ? std::string() : ", " + plural(p->warnings().size(), "warning")) << ")\n";
    // Warnings do not fail the check: each on stderr, like an error but marked.
    for (diagnostic w : p->warnings()) {
      w.message = "warning: " + w.message;
      io.err << w.render() << '\n';
    }
    if (*names) {
      std::vector<std::string> read = p->slots().names();
      std::sort(read.begin(), read.end());
      io.out << "attributes read (" << read.size() << "):\n";
      for (const auto& n : read) io.out << "  " << n << "\n";
    }
    return exit_ok;
  });
}

struct evaluate_options {
  std::string policy_file;
  std::string events_file;
  std::string as_of;
  std::string format = "jsonl";
  std::string events_format;
  std::string color = "auto";
  std::string zone;  // --zone: events' instants without an offset
  bool strict = false;
  unsigned threads = 0;  // --threads: 0 = one per core
};

int run_evaluate(const streams& io, const evaluate_options& o) {
  auto p = load_policy_file(io, o.policy_file);
  const auto as_of = parse_as_of(io, o.as_of);
  std::optional<time_zone> zone;
  const bool zone_ok = load_input_zone(io, o.zone, zone);
  if (!p || !as_of || !zone_ok) return exit_bad_input;
  auto batch = read_event_file(io, o.events_file, o.events_format, zone ? &*zone : nullptr, p->spec().attributes);
  if (!batch) return exit_bad_input;

  if (o.strict && refuse_rejected(io, *batch, o.events_file, "evaluate", "nothing evaluated")) return exit_bad_input;

  duly::evaluate_options eo;
  eo.threads = o.threads;
  evaluation result = evaluate(*p, batch->events, *as_of, eo);
  result.rejected = std::move(batch->rejected);

  const output_format format = to_output_format(o.format);
  write_options wo;
  wo.color = use_color(io, o.color);
  write_evaluation(io.out, result, format, wo);
  io.out.flush();
  if (!result.rejected.empty() && format == output_format::csv) {
    // CSV holds timers only: say what was left out.
    io.err << "duly: evaluate: " << plural(result.rejected.size(), "row") << " rejected (run with --format jsonl to see them)\n";
  }
  return exit_ok;
}

void register_evaluate(registry& r) {
  auto* cmd = r.root().add_subcommand("evaluate", "Evaluate events against a policy at an instant");
  auto o = std::make_shared<evaluate_options>();
  cmd->add_option("-p,--policy", o->policy_file, "Policy file, YAML or JSON")->required()->type_name("FILE");
  cmd->add_option("-e,--events", o->events_file, "Events, JSON Lines or CSV; - reads stdin")
      ->required()
      ->type_name("FILE");
  cmd->add_option("--as-of", o->as_of, "Evaluate at this instant (ISO-8601 with Z or an offset)")
      ->required()
      ->type_name("INSTANT");
  cmd->add_option("-f,--format", o->format, "Output: jsonl (default), csv or table")
      ->check(CLI::IsMember({"jsonl", "csv", "table"}));
  cmd->add_option("--events-format", o->events_format, "Events input format (default: from the file name)")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  cmd->add_option("--color", o->color, "Colour breached rows in tables: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("--strict", o->strict, "Fail (exit 1, no output) if any input row is rejected");
  add_zone_option(cmd, o->zone);
  cmd->add_option("--threads", o->threads,
                  "Threads to evaluate records on (default: one per core; the output is the same on any number)")
      ->check(CLI::Range(1u, 1024u))
      ->type_name("N");
  r.on_selected(cmd, [o](const streams& io) { return run_evaluate(io, *o); });
}

struct explain_options {
  evaluate_options base;
  std::string id;
  std::string store_file;  // --store: the record's events from a store, instead of --events
  std::string html;  // --html FILE: the record's timeline as a page
};

// explain --store: the record's events and policy from the store (opened
// read-only). --policy, when given, replaces the record's own policy, with a
// warning when they differ. Prints why not and returns nothing on failure.
std::optional<event_batch> record_from_store(const streams& io, const explain_options& o, std::optional<policy>& p,
                                             std::vector<outbox_entry>& withdrawals, int& rc) {
  store_options so;
  so.read_only = true;
  so.create = false;
  auto s = store::open(o.store_file, so);
  if (!s) {
    io.err << "duly: " << s.error().message() << '\n';
    rc = s.error().code() == errc::store_busy ? 3 : 4;
    return std::nullopt;
  }
  auto rec = s->record(o.id);
  if (!rec) {
    io.err << "duly: " << rec.error().message() << '\n';
    rc = 4;
    return std::nullopt;
  }
  if (!*rec) {
    report(io, o.store_file, "no events for record '" + o.id + "' in the store");
    rc = exit_bad_input;
    return std::nullopt;
  }
  if (p && !(*rec)->policy_fingerprint.empty() && (*rec)->policy_fingerprint != p->fingerprint())
    io.err << "duly: explain: warning: --policy " << o.base.policy_file << " (" << p->fingerprint()
           << ") is not the policy record '" << o.id << "' was evaluated with (" << (*rec)->policy_name << ", "
           << (*rec)->policy_fingerprint << "); explaining with --policy\n";
  if (!p && (*rec)->record_policy) p = std::move((*rec)->record_policy);
  if (!p) {
    auto latest = s->latest_policy();
    if (latest && *latest) p = std::move(**latest);
  }
  if (!p) {
    report(io, o.store_file, "record '" + o.id + "' has not been evaluated by a run yet: give --policy");
    rc = exit_bad_input;
    return std::nullopt;
  }
  // The withdrawals the store's runs made for this record: a late event undid a
  // firing already reported (the explanation below no longer reaches it).
  outbox_options oo;
  oo.id = o.id;
  auto box = s->outbox(oo);
  if (!box) {
    io.err << "duly: " << box.error().message() << '\n';
    rc = 4;
    return std::nullopt;
  }
  for (auto& entry : *box)
    if (entry.kind == "withdrawal") withdrawals.push_back(std::move(entry));
  event_batch batch;
  batch.events = std::move((*rec)->events);
  batch.rows = batch.events.size();
  return batch;
}

int run_explain(const streams& io, const explain_options& o) {
  if (o.base.events_file.empty() == o.store_file.empty()) {
    io.err << "duly explain: give --events FILE or --store FILE (one of them)\n"
              "Run 'duly explain --help' for more information.\n";
    return exit_usage;
  }
  if (o.base.strict && !o.store_file.empty()) {
    // The store's events were checked by the runs that stored them: nothing here to refuse.
    io.err << "duly explain: --strict checks the rows of --events; a store holds no rejected rows of a record\n"
              "Run 'duly explain --help' for more information.\n";
    return exit_usage;
  }
  std::optional<policy> p;
  bool ok = true;
  if (!o.base.policy_file.empty()) {
    p = load_policy_file(io, o.base.policy_file);
    ok = p.has_value();
  } else if (o.store_file.empty()) {
    io.err << "duly explain: --policy is required with --events\n"
              "Run 'duly explain --help' for more information.\n";
    return exit_usage;
  }
  std::optional<instant> as_of;
  std::optional<time_zone> zone;
  if (!o.base.as_of.empty()) {
    as_of = parse_as_of(io, o.base.as_of);
    if (!as_of) ok = false;
  }
  if (!load_input_zone(io, o.base.zone, zone)) ok = false;
  if (!ok) return exit_bad_input;
  int rc = exit_bad_input;
  std::vector<outbox_entry> withdrawals;
  auto batch = o.store_file.empty()
                   ? read_event_file(io, o.base.events_file, o.base.events_format, zone ? &*zone : nullptr,
                                     p ? std::span<const attribute_spec>(p->spec().attributes)
                                       : std::span<const attribute_spec>())
                   : record_from_store(io, o, p, withdrawals, rc);
  if (!batch) return rc;
  if (o.base.strict && refuse_rejected(io, *batch, o.base.events_file, "explain", "nothing explained"))
    return exit_bad_input;
  if (!as_of) {
    // Default: the record's latest event, so the whole history shows.
    for (const auto& e : batch->events)
      if (e.id == o.id && (!as_of || e.at > *as_of)) as_of = e.at;
  }
  const std::string where =
      !o.store_file.empty() ? o.store_file : o.base.events_file == "-" ? "<stdin>" : o.base.events_file;
  // A record whose rows were all rejected has no events: the message says so.
  if (!as_of) {
    report(io, where, "no events for record '" + o.id + "'" + rejected_rows_note(o.id, batch->rejected, where));
    return exit_bad_input;
  }
  const explanation e = explain(*p, batch->events, o.id, *as_of);
  if (e.entries.empty()) {
    const bool has_events = std::any_of(batch->events.begin(), batch->events.end(),
                                        [&](const event& x) { return x.id == o.id; });
    report(io, where,
           "no events for record '" + o.id + "' at or before " + format_instant(*as_of) +
               rejected_rows_note(o.id, batch->rejected, where, has_events));
    return exit_bad_input;
  }
  if (!o.html.empty()) {
    // The page: the record's cycles, pauses and firings from its evaluation, and this timeline.
    auto t = make_record_timeline(*p, batch->events, o.id, *as_of);
    if (!t) {
      report(io, where, t.error().diagnostics().front().message);
      return exit_bad_input;
    }
    std::ostringstream page;
    write_timeline_html(page, *t, *as_of, o.base.policy_file);
    bool written = false;
    if (o.html == "-") {
      io.out << page.str();
      io.out.flush();
      written = static_cast<bool>(io.out);
    } else {
      written = write_output_file(io, o.html, "--html", page.str());
    }
    // The page holds one record's timeline: say what was left out, as evaluate --format csv does.
    if (written && !batch->rejected.empty())
      io.err << "duly: explain: " << plural(batch->rejected.size(), "row")
             << " rejected (run without --html to see them)\n";
    return written ? exit_ok : exit_bad_input;
  }
  const output_format format = o.base.format == "json" ? output_format::jsonl : output_format::table;
  write_explanation(io.out, e, format);
  // Then the rows that did not become events (of any record: a bad row may have no id), as evaluate lists them.
  write_rejected(io.out, batch->rejected, format);
  if (!withdrawals.empty()) {
    // explain --store: then the store's withdrawals of this record, as `duly outbox` prints them.
    if (format == output_format::table) io.out << "\nWithdrawn by the store's runs (a late event undid them):\n";
    write_outbox(io.out, withdrawals, format);
  }
  io.out.flush();
  return exit_ok;
}

void register_explain(registry& r) {
  auto* cmd = r.root().add_subcommand("explain", "Show one record's timeline: events, rules, clocks, escalations");
  auto o = std::make_shared<explain_options>();
  o->base.format = "table";
  cmd->add_option("-p,--policy", o->base.policy_file,
                  "Policy file, YAML or JSON (with --store: default the policy the record was evaluated with)")
      ->type_name("FILE");
  cmd->add_option("-e,--events", o->base.events_file, "Events, JSON Lines or CSV; - reads stdin")->type_name("FILE");
  cmd->add_option("-s,--store", o->store_file, "Read the record's events from this store (read-only) instead")
      ->type_name("FILE");
  cmd->add_option("--id", o->id, "The record to explain")->required()->type_name("ID");
  add_zone_option(cmd, o->base.zone);
  cmd->add_option("--as-of", o->base.as_of, "Explain up to this instant (default: the record's latest event)")
      ->type_name("INSTANT");
  cmd->add_option("-f,--format", o->base.format, "Output: table (default) or json (JSON Lines)")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("--events-format", o->base.events_format, "Events input format (default: from the file name)")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  cmd->add_option("--html", o->html, "Write the record's timeline as an HTML page to FILE (- for stdout)")
      ->type_name("FILE");
  cmd->add_flag("--strict", o->base.strict, "Fail (exit 1, no output) if any row of --events is rejected");
  r.on_selected(cmd, [o](const streams& io) { return run_explain(io, *o); });
}

}  // namespace

void register_policy_commands(registry& r) {
  register_check(r);
  register_evaluate(r);
  register_explain(r);
}

}  // namespace duly::cli
