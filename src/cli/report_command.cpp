// `duly report`: attainment per target (and per value of an attribute), as a
// table, CSV, JSON Lines or one self-contained HTML page.
//
//   duly report --policy P --events FILE|- --as-of INSTANT [--by ATTR]
//               [--format table|csv|jsonl|html] [--output FILE] [--html FILE]
//               [--events-format jsonl|csv] [--max-timelines N] [--strict]
//   duly report --store S --as-of INSTANT [--policy P] ...
//
// The figures come from the library's report (duly/report.hpp), the same code
// that writes the page and that the Python `duly.html_report` calls. With
// --store the store is opened read-only; without --policy its latest run's
// policy is used. Exit codes: 0 written, 1 bad input (or a file that cannot be
// written), 2 usage, 3 the store is busy, 4 the store cannot be used.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <duly/report.hpp>
#include <duly/store.hpp>

#include "command.hpp"

namespace duly::cli {

bool write_output_file(const streams& io, const std::string& path, std::string_view option, const std::string& text) {
  // Written beside the target and renamed over it, so that a reader never sees half a page.
  const std::string part = path + ".part";
  {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    if (!out) {
      report(io, option, "cannot write '" + path + "': cannot open '" + part + "' for writing");
      return false;
    }
    out << text;
    out.flush();
    if (!out) {
      report(io, option, "cannot write '" + path + "': writing failed (no space?)");
      std::remove(part.c_str());
      return false;
    }
  }
  if (std::rename(part.c_str(), path.c_str()) != 0) {
    report(io, option, "cannot write '" + path + "': cannot rename '" + part + "' to it");
    std::remove(part.c_str());
    return false;
  }
  return true;
}

namespace {

struct report_command_options {
  std::string policy_file;
  std::string events_file;
  std::string store_file;
  std::string as_of;
  std::string by;
  std::string format = "table";
  std::string output;
  std::string html;
  std::string events_format;
  std::size_t max_timelines = 50;
  double wait_seconds = 0;
  bool strict = false;
};

// The exit code of a store's error (as duly state gives it): 3 busy, 4 unusable.
int store_exit_code(const error& e) {
  switch (e.code()) {
    case errc::store_busy: return 3;
    case errc::store_unusable:
    case errc::io_error: return 4;
    default: return exit_bad_input;
  }
}

void report_error(const streams& io, const error& e) {
  for (const diagnostic& d : e.diagnostics()) report(io, d.path == "by" ? "--by" : "report", d.message);
}

int run_report(const streams& io, const report_command_options& o) {
  std::string format = o.format;
  std::string output = o.output;
  if (!o.html.empty()) {
    if (!o.output.empty() && o.output != o.html) {
      io.err << "duly report: --html FILE is --format html --output FILE: give one of them\n"
                "Run 'duly report --help' for more information.\n";
      return exit_usage;
    }
    format = "html";
    output = o.html;
  }
  if (o.events_file.empty() == o.store_file.empty()) {
    io.err << "duly report: give exactly one of --events and --store\n"
              "Run 'duly report --help' for more information.\n";
    return exit_usage;
  }
  if (!o.events_file.empty() && o.policy_file.empty()) {
    io.err << "duly report: --policy is required with --events\n"
              "Run 'duly report --help' for more information.\n";
    return exit_usage;
  }

  std::optional<policy> p;
  if (!o.policy_file.empty()) {
    p = load_policy_file(io, o.policy_file);
    if (!p) return exit_bad_input;
  }
  const auto as_of = parse_as_of(io, o.as_of);
  if (!as_of) return exit_bad_input;

  report_options ro;
  ro.by = o.by;
  ro.max_timelines = o.max_timelines;
  result<duly::report> r = tl::unexpected(error(errc::invalid_argument, "nothing reported"));
  std::uint64_t rejected = 0;
  if (!o.events_file.empty()) {
    auto batch = read_event_file(io, o.events_file, o.events_format, nullptr, p->spec().attributes);
    if (!batch) return exit_bad_input;
    if (o.strict && refuse_rejected(io, *batch, o.events_file, "report", "nothing reported")) return exit_bad_input;
    rejected = batch->rejected.size();
    ro.title = o.policy_file;
    r = make_report(*p, batch->events, *as_of, ro);
  } else {
    store_options so;
    so.create = false;
    so.read_only = true;
    so.wait = std::chrono::milliseconds(static_cast<std::int64_t>(std::clamp(o.wait_seconds, 0.0, 1e6) * 1000));
    auto s = store::open(o.store_file, so);
    if (!s) {
      io.err << "duly: " << s.error().message() << '\n';
      return store_exit_code(s.error());
    }
    if (!p) {
      auto latest = s->latest_policy();
      if (!latest) {
        io.err << "duly: " << latest.error().message() << '\n';
        return store_exit_code(latest.error());
      }
      if (!*latest) {
        report(io, o.store_file, "the store has no run yet, so no policy: give --policy");
        return exit_bad_input;
      }
      p = std::move(**latest);
    }
    auto groups = s->records(*p);
    if (!groups) {
      io.err << "duly: " << groups.error().message() << '\n';
      return store_exit_code(groups.error());
    }
    std::vector<report_group> parts;
    for (const auto& g : *groups) parts.push_back(report_group{&g.used, g.events});
    ro.title = o.store_file;
    r = make_report(*p, parts, *as_of, ro);
  }
  if (!r) {
    report_error(io, r.error());
    return exit_bad_input;
  }
  r->rejected = rejected;

  std::ostringstream text;
  if (format == "html") write_report_html(text, *r);
  else write_report(text, *r, to_output_format(format));
  if (output.empty() || output == "-") {
    io.out << text.str();
    io.out.flush();
    return io.out ? exit_ok : exit_bad_input;
  }
  return write_output_file(io, output, o.html.empty() ? "--output" : "--html", text.str()) ? exit_ok : exit_bad_input;
}

}  // namespace

void register_report_command(registry& r) {
  auto* cmd = r.root().add_subcommand("report", "Attainment per target: a table, CSV, JSON Lines or an HTML page");
  auto o = std::make_shared<report_command_options>();
  cmd->add_option("-p,--policy", o->policy_file, "Policy file, YAML or JSON (with --store: default the latest run's)")
      ->type_name("FILE");
  cmd->add_option("-e,--events", o->events_file, "Events, JSON Lines or CSV; - reads stdin")->type_name("FILE");
  cmd->add_option("-s,--store", o->store_file, "Report on a store instead (opened read-only)")->type_name("FILE");
  cmd->add_option("--as-of", o->as_of, "Report at this instant (ISO-8601 with Z or an offset)")
      ->required()
      ->type_name("INSTANT");
  cmd->add_option("--by", o->by, "Split the attainment table by this event attribute")->type_name("ATTR");
  cmd->add_option("-f,--format", o->format, "Output: table (default), csv, jsonl or html")
      ->check(CLI::IsMember({"table", "csv", "jsonl", "html"}));
  cmd->add_option("-o,--output", o->output, "Write to this file instead of stdout")->type_name("FILE");
  cmd->add_option("--html", o->html, "Shorthand for --format html --output FILE")->type_name("FILE");
  cmd->add_option("--events-format", o->events_format, "Events input format (default: from the file name)")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  cmd->add_option("--max-timelines", o->max_timelines,
                  "The page shows the timelines of at most N breached records (default 50)")
      ->type_name("N")
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--wait", o->wait_seconds, "With --store: wait this long for a run holding it (default 0)")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.0, 1e6));
  cmd->add_flag("--strict", o->strict, "Fail (exit 1, nothing written) if any input row is rejected");
  r.on_selected(cmd, [o](const streams& io) { return run_report(io, *o); });
}

}  // namespace duly::cli
