#pragma once
// `picortc serve [--config FILE] [--stream NAME=SOCKET_PATH]... [--http ADDR:PORT]
// [--tls-cert FILE --tls-key FILE] [--token TOKEN] [--ice-server URL]...
// [--max-viewers N]`: the options, wired to picortc::streamer::Streamer and
// picortc::signal::WhepServer (docs/serve.md).
#include <CLI/CLI.hpp>

#include <functional>

namespace picortc::app {

void register_serve_command(CLI::App& root, std::function<int()>& run);

}  // namespace picortc::app
