#pragma once
// `picortc view URL [--out -|FILE|unix:PATH|unix-listen:PATH] [--framed]
// [--token TOKEN] [--ice-server URL]... [--duration SECONDS]
// [--stats-json FILE] [--jitter-ms MS] [--insecure]`: the options, wired to
// picortc::viewer::Viewer and AnnexbOutput (docs/view.md).
#include <CLI/CLI.hpp>

#include <functional>

namespace picortc::app {

void register_view_command(CLI::App& root, std::function<int()>& run);

}  // namespace picortc::app
