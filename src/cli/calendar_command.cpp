// `duly calendar ...`: calendar arithmetic from the command line.
//
//   duly calendar add        --calendar FILE --at INSTANT --duration DUR   (4h, 1h30m, 2d, 3bd)
//   duly calendar subtract   --calendar FILE --at INSTANT --duration DUR   (no bd)
//   duly calendar elapsed    --calendar FILE --from INSTANT --to INSTANT [--human]
//   duly calendar is-open    --calendar FILE --at INSTANT
//   duly calendar next-open  --calendar FILE --at INSTANT
//   duly calendar next-close --calendar FILE --at INSTANT
//
// An instant given as "-" is read from stdin, one per line (for elapsed with
// both "-", two per line separated by a comma or whitespace); each line gives
// one line of output, in order. Input is checked in full before anything is
// printed: on any problem every one is reported on stderr, nothing goes to
// stdout, and the exit code is 1. Instants print as ISO-8601 UTC ("...Z").
#include "command.hpp"

#include <memory>
#include <ostream>

namespace duly::cli {
namespace {

struct options {
  std::string calendar_file;
  std::string zone;
  std::string at;
  std::string from;
  std::string to;
  std::string duration;
  bool human = false;
};

void add_common_options(CLI::App* cmd, options& o) {
  cmd->add_option("-c,--calendar", o.calendar_file, "Calendar file, YAML or JSON")
      ->required()
      ->type_name("FILE");
  cmd->add_option("--zone", o.zone,
                  "Read instants written without a UTC offset as wall-clock times in this "
                  "IANA zone (default: such instants are an error)")
      ->type_name("ZONE");
}

void add_at_option(CLI::App* cmd, options& o, const std::string& what) {
  cmd->add_option("--at", o.at, what + "; ISO-8601 with Z or an offset, or - to read one per line from stdin")
      ->required()
      ->type_name("INSTANT");
}

// What every calendar subcommand does around its own computation.
struct run_context {
  std::optional<calendar> cal;
  std::optional<time_zone> zone;
  std::vector<std::vector<located_text>> rows;
  std::vector<std::vector<instant>> instants;  // parsed rows
};

// Loads the calendar, the zone and the rows of instants (every problem
// reported). Returns false when any of them failed.
bool prepare(const streams& io, const options& o,
             const std::vector<std::pair<std::string, std::string>>& values, run_context& ctx,
             bool ok) {
  ctx.cal = load_calendar_file(io, o.calendar_file);
  ok = ctx.cal.has_value() && ok;
  const bool zone_ok = load_input_zone(io, o.zone, ctx.zone);
  auto rows = read_rows(io, values);
  // Without the zone, instants would fail for want of one: say it once.
  if (!rows || !zone_ok) return false;
  ctx.rows = std::move(*rows);
  for (const auto& row : ctx.rows) {
    std::vector<instant> parsed;
    for (const auto& field : row) {
      auto t = parse_input_instant(field.text, ctx.zone);
      if (!t) {
        report(io, field.where, t.error());
        ok = false;
        continue;
      }
      parsed.push_back(*t);
    }
    ctx.instants.push_back(std::move(parsed));
  }
  return ok;
}

// Where to report a failed computation on `row`: its stdin line when it has
// one, else the subcommand.
std::string row_where(const std::vector<located_text>& row, std::string_view command) {
  for (const auto& field : row) {
    if (field.where.rfind("<stdin>", 0) == 0) return field.where;
  }
  return "calendar " + std::string(command);
}

// Runs `compute` on every row; prints the results only when all succeeded.
template <class Compute>
int compute_rows(const streams& io, const run_context& ctx, std::string_view command,
                 Compute compute) {
  std::vector<std::string> lines;
  bool ok = true;
  for (std::size_t i = 0; i < ctx.rows.size(); ++i) {
    result<std::string> line = compute(ctx.instants[i]);
    if (!line) {
      report(io, row_where(ctx.rows[i], command), line.error());
      ok = false;
      continue;
    }
    lines.push_back(std::move(*line));
  }
  if (!ok) return exit_bad_input;
  for (const auto& line : lines) io.out << line << '\n';
  io.out.flush();
  return exit_ok;
}

result<std::string> as_text(const result<instant>& t) {
  if (!t) return tl::unexpected(t.error());
  return format_instant(*t);
}

int run_shift(const streams& io, const options& o, bool subtract) {
  bool ok = true;
  auto d = parse_duration(o.duration);
  if (!d) {
    report(io, "--duration", d.error());
    ok = false;
  } else if (subtract && !d->is_seconds()) {
    report(io, "--duration",
           std::string(d->is_business_days() ? "business" : "calendar") + " days ('" + o.duration +
               "') can only be added; subtract takes open time such as 4h or 1h30m");
    ok = false;
  }
  run_context ctx;
  if (!prepare(io, o, {{"--at", o.at}}, ctx, ok)) return exit_bad_input;
  const auto& cal = *ctx.cal;
  const duration_spec spec = *d;
  return compute_rows(io, ctx, subtract ? "subtract" : "add",
                      [&](const std::vector<instant>& t) -> result<std::string> {
                        return as_text(subtract ? cal.subtract(t[0], spec.value)
                                                : cal.add(t[0], spec));
                      });
}

int run_elapsed(const streams& io, const options& o) {
  run_context ctx;
  if (!prepare(io, o, {{"--from", o.from}, {"--to", o.to}}, ctx, true)) return exit_bad_input;
  const auto& cal = *ctx.cal;
  const bool human = o.human;
  return compute_rows(io, ctx, "elapsed",
                      [&](const std::vector<instant>& t) -> result<std::string> {
                        auto s = cal.try_elapsed(t[0], t[1]);
                        if (!s) return tl::unexpected(s.error());
                        return human ? format_duration(*s) : std::to_string(s->count());
                      });
}

enum class probe { is_open, next_open, next_close };

int run_probe(const streams& io, const options& o, probe what) {
  run_context ctx;
  if (!prepare(io, o, {{"--at", o.at}}, ctx, true)) return exit_bad_input;
  const auto& cal = *ctx.cal;
  const char* name = what == probe::is_open     ? "is-open"
                     : what == probe::next_open ? "next-open"
                                                : "next-close";
  return compute_rows(io, ctx, name, [&](const std::vector<instant>& t) -> result<std::string> {
    switch (what) {
      case probe::is_open: return std::string(cal.is_open(t[0]) ? "true" : "false");
      case probe::next_open: return as_text(cal.next_open(t[0]));
      case probe::next_close: return as_text(cal.next_close(t[0]));
    }
    return std::string();
  });
}

}  // namespace

void register_calendar_command(registry& r) {
  CLI::App* calendar_cmd = r.root().add_subcommand(
      "calendar", "Calendar arithmetic: deadlines, open time between instants, opening hours");
  calendar_cmd->require_subcommand(1);

  {
    auto o = std::make_shared<options>();
    auto* cmd = calendar_cmd->add_subcommand(
        "add", "Print the instant when DURATION of open time has run from --at (the deadline)");
    add_common_options(cmd, *o);
    add_at_option(cmd, *o, "Start");
    cmd->add_option("-d,--duration", o->duration,
                    "Open time to add: 45s, 30m, 4h, 1h30m, 2d (48h of open time) or 3bd "
                    "(business days: the last closing time of the 3rd open day after --at's date)")
        ->required()
        ->type_name("DURATION");
    r.on_selected(cmd, [o](const streams& io) { return run_shift(io, *o, false); });
  }
  {
    auto o = std::make_shared<options>();
    auto* cmd = calendar_cmd->add_subcommand(
        "subtract", "Print the latest instant from which DURATION of open time runs until --at");
    add_common_options(cmd, *o);
    add_at_option(cmd, *o, "End");
    cmd->add_option("-d,--duration", o->duration, "Open time to subtract: 45s, 30m, 4h, 1h30m, 2d")
        ->required()
        ->type_name("DURATION");
    r.on_selected(cmd, [o](const streams& io) { return run_shift(io, *o, true); });
  }
  {
    auto o = std::make_shared<options>();
    auto* cmd = calendar_cmd->add_subcommand(
        "elapsed", "Print the open time in [--from, --to), in seconds (negative when --to < --from)");
    add_common_options(cmd, *o);
    cmd->add_option("--from", o->from, "Start; an instant, or - to read from stdin")
        ->required()
        ->type_name("INSTANT");
    cmd->add_option("--to", o->to, "End; an instant, or - to read from stdin")
        ->required()
        ->type_name("INSTANT");
    cmd->add_flag("--human", o->human, "Print a duration such as 1h30m instead of seconds");
    r.on_selected(cmd, [o](const streams& io) { return run_elapsed(io, *o); });
  }
  const struct {
    const char* name;
    const char* help;
    const char* at_help;
    probe what;
  } probes[] = {
      {"is-open", "Print true if the calendar is open at --at, else false", "Instant",
       probe::is_open},
      {"next-open", "Print the earliest open instant at or after --at", "Instant",
       probe::next_open},
      {"next-close", "Print the earliest instant at or after --at that is not open", "Instant",
       probe::next_close},
  };
  for (const auto& p : probes) {
    auto o = std::make_shared<options>();
    auto* cmd = calendar_cmd->add_subcommand(p.name, p.help);
    add_common_options(cmd, *o);
    add_at_option(cmd, *o, p.at_help);
    r.on_selected(cmd, [o, what = p.what](const streams& io) { return run_probe(io, *o, what); });
  }
}

}  // namespace duly::cli
