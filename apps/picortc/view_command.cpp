#include "view_command.hpp"

#include <signal.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "dtls/certificate.hpp"
#include "ice/ice_server_url.hpp"
#include "ice/turn_relay.hpp"
#include "viewer/annexb_output.hpp"
#include "viewer/viewer.hpp"
#include "viewer/viewer_stats.hpp"

namespace picortc::app {
namespace {

// DESIGN.md: with no --ice-server, the public STUN server of the original
// description; `--ice-server none` turns that off.
constexpr const char* kDefaultStunServer = "stun:stun.l.google.com:19302";

struct ViewArgs {
  std::string url;
  std::string out = "-";
  bool framed = false;
  std::string token;
  std::vector<std::string> ice_servers;
  double duration_s = 0;
  std::string stats_json;
  int jitter_ms = 150;
  bool insecure = false;
  std::string ca_file;
  bool loopback = true;
};

int usage_error(const std::string& reason) {
  std::fprintf(stderr, "picortc view: %s\n", reason.c_str());
  return 2;
}

int run_view(const ViewArgs& args) {
  Result<viewer::WhepUrl> url = viewer::parse_whep_url(args.url);
  if (!url.ok()) return usage_error(url.error().message());
  Result<viewer::OutputTarget> target = viewer::parse_output_target(args.out);
  if (!target.ok()) return usage_error(target.error().message());
  if (args.jitter_ms < 10 || args.jitter_ms > 5000) return usage_error("--jitter-ms must be 10..5000");

  viewer::ViewerOptions options;
  options.url = *url;
  options.http.token = args.token;
  options.http.verify_peer = !args.insecure;
  options.http.ca_file = args.ca_file;
  options.jitter = milliseconds(args.jitter_ms);
  std::vector<std::string> server_texts = args.ice_servers;
  if (server_texts.empty()) server_texts.push_back(kDefaultStunServer);
  for (const std::string& text : server_texts) {
    if (text == "none") continue;
    Result<ice::IceServerUrl> server = ice::parse_ice_server_url(text);
    if (!server.ok()) return usage_error(server.error().message());
    if (server->is_turn()) options.peer.ice.relay_factory = ice::make_turn_relay_factory();
    options.peer.ice.servers.push_back(*server);
  }
  // A sender on this same host offers its loopback address.
  options.peer.ice.interfaces.include_loopback = args.loopback;

  EventLoop loop;
  // Before any thread starts (the WHEP worker), so only the loop gets them.
  ::signal(SIGPIPE, SIG_IGN);
  for (int number : {SIGINT, SIGTERM}) {
    Status handled = loop.on_signal(number, [&loop](int) {
      LOG_INFO("view", "stopping");
      loop.stop();
    });
    if (!handled.ok()) {
      std::fprintf(stderr, "picortc view: %s\n", handled.error().message().c_str());
      return 1;
    }
  }

  // SIGUSR1 too: signalfd needs it blocked in every thread, so before the
  // WHEP worker starts (the viewer is made later).
  viewer::Viewer* stats_source = nullptr;
  Status usr1 = loop.on_signal(SIGUSR1, [&stats_source](int) {
    if (stats_source != nullptr) LOG_INFO("view", "%s", viewer::to_log_line(stats_source->stats()).c_str());
  });
  if (!usr1.ok()) LOG_WARN("view", "no SIGUSR1 statistics: %s", usr1.error().message().c_str());

  Result<dtls::Certificate> certificate = dtls::Certificate::process_default();
  if (!certificate.ok()) {
    std::fprintf(stderr, "picortc view: %s\n", certificate.error().message().c_str());
    return 1;
  }
  options.peer.certificate = *certificate;

  viewer::OutputOptions output_options;
  output_options.target = *target;
  output_options.framed = args.framed;
  viewer::AnnexbOutput output(loop, output_options);
  int exit_code = 0;
  output.set_failure_callback([&](const std::string& reason) {
    std::fprintf(stderr, "picortc view: %s\n", reason.c_str());
    exit_code = 1;
    loop.stop();
  });
  Status opened = output.start();
  if (!opened.ok()) {
    std::fprintf(stderr, "picortc view: %s\n", opened.error().message().c_str());
    return 1;
  }

  viewer::Viewer view(loop, options, output);
  view.set_fatal_callback([&](const std::string&) {
    exit_code = 1;
    loop.stop();
  });
  stats_source = &view;
  if (args.duration_s > 0) {
    loop.add_timer(microseconds(static_cast<int64_t>(args.duration_s * 1e6)), [&loop] {
      LOG_INFO("view", "duration reached");
      loop.stop();
    });
  }
  view.start();
  loop.run();

  view.stop(seconds(2));
  output.close(seconds(2));
  viewer::ViewerStats stats = view.stats();
  LOG_INFO("view", "%s", viewer::to_log_line(stats).c_str());
  if (!args.stats_json.empty()) {
    std::ofstream json(args.stats_json, std::ios::trunc);
    json << viewer::to_json(stats);
    if (!json) {
      std::fprintf(stderr, "picortc view: cannot write %s\n", args.stats_json.c_str());
      if (exit_code == 0) exit_code = 1;
    }
  }
  return exit_code;
}

}  // namespace

void register_view_command(CLI::App& root, std::function<int()>& run) {
  auto args = std::make_shared<ViewArgs>();
  CLI::App* sub = root.add_subcommand(
      "view", "Watch a picortc sender (WHEP) and write its H.264 stream as Annex-B (or framed ingest)");
  sub->add_option("URL", args->url, "http(s)://HOST:PORT/whep/STREAM")->required();
  sub->add_option("--out", args->out, "-, FILE, unix:PATH (connect) or unix-listen:PATH (default -)");
  sub->add_flag("--framed", args->framed, "Write the framed ingest protocol (feed a second `picortc serve`)");
  sub->add_option("--token", args->token, "Bearer token for the WHEP server");
  sub->add_option("--ice-server", args->ice_servers,
                  "stun:HOST[:PORT], turn:USER:PASS@HOST[:PORT][?transport=udp|tcp], or none (repeatable)");
  sub->add_option("--duration", args->duration_s, "Stop after SECONDS (default: run until SIGINT)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--stats-json", args->stats_json, "Write the session's statistics as JSON on exit");
  sub->add_option("--jitter-ms", args->jitter_ms,
                  "How long a missing packet may hold the stream for NACK repair (default 150)");
  sub->add_flag("--insecure", args->insecure,
                "https: do not verify the server certificate (self-signed devices)");
  sub->add_option("--ca-file", args->ca_file, "https: trust the certificates in this PEM file");
  sub->footer(
      "Output starts at a keyframe (SPS/PPS first) and holds whole access units only; after a loss that\n"
      "cannot be repaired, or a reconnect, it resumes at the next IDR. The sender going away is retried\n"
      "with backoff. SIGUSR1 logs statistics. Exit: 0 duration reached or SIGINT/SIGTERM, 2 bad usage,\n"
      "1 runtime failure (e.g. HTTP 401/404 from the server). docs/view.md");
  sub->callback([args, &run] { run = [args] { return run_view(*args); }; });
}

}  // namespace picortc::app
