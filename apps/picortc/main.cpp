// picortc: the command-line front end. Parses the command line, hands the
// selected subcommand to its runner, and maps errors to exit statuses:
// 0 success, 2 bad usage or configuration (one-line reason), 1 runtime failure.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstring>
#include <functional>
#include <string>

#include "core/log.hpp"
#include "feed_command.hpp"
#include "serve_command.hpp"
#include "view_command.hpp"

namespace {

// Every subcommand of DESIGN.md; the ones without a runner yet are refused
// with a clear reason rather than CLI11's generic one.
constexpr const char* kPlannedSubcommands[] = {"announce"};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"picortc: live H.264 from small Linux camera boards to browsers over WebRTC", "picortc"};
  app.require_subcommand(1);
  app.footer(
      "Run `picortc SUBCOMMAND --help` for a subcommand's options.\n"
      "Planned: announce (not in this build yet).");
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "debug|info|warn|error|off")
      ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}));

  std::function<int()> run;
  picortc::app::register_feed_command(app, run);
  picortc::app::register_serve_command(app, run);
  picortc::app::register_view_command(app, run);

  // A first positional argument that names no subcommand: say so plainly.
  for (int i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    if (arg[0] == '-') {
      if (std::strcmp(arg, "--log-level") == 0) ++i;  // skip its value
      continue;
    }
    bool registered = !app.get_subcommands([arg](CLI::App* sub) { return sub->get_name() == arg; }).empty();
    if (registered) break;
    for (const char* planned : kPlannedSubcommands) {
      if (std::strcmp(arg, planned) == 0) {
        std::fprintf(stderr, "picortc: subcommand '%s' is not in this build yet\n", arg);
        return 2;
      }
    }
    std::fprintf(stderr, "picortc: unknown subcommand '%s' (try --help)\n", arg);
    return 2;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);  // --help, --version
    std::fprintf(stderr, "picortc: %s (try --help)\n", error.what());
    return 2;
  }
  picortc::LogLevel level = picortc::LogLevel::kInfo;
  picortc::parse_log_level(log_level.c_str(), level);
  picortc::set_log_level(level);
  if (!run) {
    std::fprintf(stderr, "picortc: no subcommand given (try --help)\n");
    return 2;
  }
  return run();
}
