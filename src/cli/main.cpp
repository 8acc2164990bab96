// duly: the command-line tool.
//
// Each subcommand lives in its own file and registers itself through the
// functions listed in `commands` below; adding a subcommand (check, evaluate,
// explain) is one file and one line here. Exit codes: 0 success, 1 bad input,
// 2 usage error (every CLI11 parse error, whatever code CLI11 gives it).
#include <exception>
#include <iostream>
#include <string>

#include "command.hpp"

namespace {

using register_function = void (*)(duly::cli::registry&);

constexpr register_function commands[] = {
    &duly::cli::register_policy_commands,
    &duly::cli::register_calendar_command,
    &duly::cli::register_store_commands,
    &duly::cli::register_serve_command,
    &duly::cli::register_report_command,
};

// The command the user had reached when parsing stopped: `root` or its
// deepest selected subcommand.
const CLI::App* reached(const CLI::App* root) {
  const CLI::App* app = root;
  while (true) {
    const auto subs = app->get_subcommands();
    if (subs.empty()) return app;
    app = subs.front();
  }
}

// "duly calendar add".
std::string command_path(const CLI::App* app) {
  std::string path = app->get_name();
  for (const CLI::App* p = app->get_parent(); p != nullptr; p = p->get_parent()) {
    path = p->get_name() + " " + path;
  }
  return path;
}

// "duly calendar: <what went wrong>" and where to look for help, on stderr. A
// missing or unknown subcommand lists the ones there are.
std::string usage_message(const CLI::App* root, const CLI::Error& e) {
  const CLI::App* app = reached(root);
  const std::string path = command_path(app);
  std::string out = path + ": ";
  std::string names;
  for (const CLI::App* sub : app->get_subcommands([](const CLI::App*) { return true; })) {
    if (!names.empty()) names += ", ";
    names += sub->get_name();
  }
  const auto extras = app->remaining();
  if (e.get_name() == "RequiredError" && !names.empty() && app->get_subcommands().empty()) {
    if (extras.empty()) {
      out += "a command is required (one of: " + names + ")";
    } else if (extras.front().rfind('-', 0) == 0) {
      out += "unknown option '" + extras.front() + "'";
    } else {
      out += "unknown command '" + extras.front() + "' (one of: " + names + ")";
    }
  } else {
    out += e.what();
  }
  out += "\nRun '" + path + " --help' for more information.\n";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  // Batches of instants on stdin: no need to keep C stdio in step.
  std::ios::sync_with_stdio(false);
  CLI::App app{"duly: customer commitments as deadlines", "duly"};
  app.set_version_flag("--version", std::string("duly ") + duly::version_string);
  app.require_subcommand(1);
  app.failure_message([](const CLI::App* root, const CLI::Error& e) {
    return usage_message(root, e);
  });

  duly::cli::registry registry(app);
  for (const auto reg : commands) reg(registry);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, std::cout, std::cerr);
    // --help and --version come through here as "errors" with code 0.
    return code == static_cast<int>(CLI::ExitCodes::Success) ? duly::cli::exit_ok
                                                              : duly::cli::exit_usage;
  }

  const duly::cli::streams io{std::cin, std::cout, std::cerr};
  const duly::cli::action* run = registry.selected();
  if (run == nullptr) {
    std::cerr << "duly: no command given\nRun with --help for more information.\n";
    return duly::cli::exit_usage;
  }
  try {
    return (*run)(io);
  } catch (const std::exception& e) {
    // Commands report bad input as values; this is a bug or an exhausted machine.
    std::cerr << "duly: internal error: " << e.what() << '\n';
    return 70;  // EX_SOFTWARE
  }
}
