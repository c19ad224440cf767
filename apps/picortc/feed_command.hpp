#pragma once
// `picortc feed FILE --socket PATH [--fps N] [--loop] [--raw] [--count N]
// [--duration S]`: the options, wired to picortc::ipc::Feeder.
#include <CLI/CLI.hpp>

#include <functional>

namespace picortc::app {

// Adds the subcommand to `root`; when it is selected, `run` is set to the
// function that executes it and returns the process exit status.
void register_feed_command(CLI::App& root, std::function<int()>& run);

}  // namespace picortc::app
