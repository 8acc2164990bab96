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
    &duly::cli::register_calendar_command,
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"duly: customer commitments as deadlines", "duly"};
  app.set_version_flag("--version", std::string("duly ") + duly::version_string);
  app.require_subcommand(1);
  app.failure_message([](const CLI::App* failed, const CLI::Error& e) {
    // "duly: <what went wrong>" and where to look for help, on stderr.
    std::string out = "duly: ";
    out += e.what();
    out += "\nRun with --help for more information.\n";
    (void)failed;
    return out;
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
