#include "serve_command.hpp"

#include <signal.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "dtls/certificate.hpp"
#include "ice/turn_relay.hpp"
#include "signal/serve_config.hpp"
#include "signal/turn_rest_credentials.hpp"
#include "signal/whep_server.hpp"
#include "streamer/streamer.hpp"

namespace picortc::app {
namespace {

struct ServeArgs {
  std::string config_path;
  signal::ServeOverrides overrides;
  uint32_t max_viewers = 0;
};

// Our own ICE agents use the configured servers; TURN REST servers get a
// credential minted from the shared secret, like the ones the page gets.
std::vector<ice::IceServerUrl> agent_ice_servers(const signal::ServeConfig& config) {
  std::vector<ice::IceServerUrl> servers = config.effective_ice_servers();
  if (config.turn_rest.enabled()) {
    int64_t expiry = static_cast<int64_t>(std::time(nullptr)) + config.turn_rest.ttl_seconds;
    signal::TurnRestCredential credential =
        signal::make_turn_rest_credential(config.turn_rest.secret, config.turn_rest.user, expiry);
    for (ice::IceServerUrl url : config.turn_rest.urls) {
      url.username = credential.username;
      url.password = credential.credential;
      servers.push_back(url);
    }
  }
  return servers;
}

int run_serve(const ServeArgs& args) {
  signal::ServeOverrides overrides = args.overrides;
  if (args.max_viewers > 0) overrides.max_viewers = args.max_viewers;
  std::optional<std::string> config_path;
  if (!args.config_path.empty()) config_path = args.config_path;
  Result<signal::ServeConfig> resolved = signal::resolve_serve_config(config_path, overrides);
  if (!resolved.ok()) {
    std::fprintf(stderr, "picortc serve: %s\n", resolved.error().message().c_str());
    return 2;
  }
  const signal::ServeConfig& config = *resolved;
  if (config.log_level != log_level()) set_log_level(config.log_level);

  EventLoop loop;
  // Before any thread starts, so that only the loop takes these signals.
  ::signal(SIGPIPE, SIG_IGN);
  for (int number : {SIGINT, SIGTERM}) {
    Status handled = loop.on_signal(number, [&loop](int) {
      LOG_INFO("serve", "stopping");
      loop.stop();
    });
    if (!handled.ok()) {
      std::fprintf(stderr, "picortc serve: %s\n", handled.error().message().c_str());
      return 1;
    }
  }

  Result<dtls::Certificate> certificate = dtls::Certificate::process_default();
  if (!certificate.ok()) {
    std::fprintf(stderr, "picortc serve: %s\n", certificate.error().message().c_str());
    return 1;
  }

  streamer::StreamerOptions options;
  options.peer.certificate = *certificate;
  options.peer.ice.servers = agent_ice_servers(config);
  for (const ice::IceServerUrl& url : options.peer.ice.servers) {
    if (url.is_turn()) options.peer.ice.relay_factory = ice::make_turn_relay_factory();
  }
  // Browsers on this same host (and the tests) reach us over loopback.
  options.peer.ice.interfaces.include_loopback = true;
  // Browsers offer actpass: answering passive makes us the DTLS server, so
  // we choose the SRTP profile, and we prefer AES-GCM. As client we got
  // Chromium's choice, AES-CM + HMAC-SHA1, about five times the CPU per
  // packet (docs/dtls-srtp.md) on a board with one core.
  options.peer.setup_for_actpass = sdp::SetupRole::kPassive;
  options.limits = config.limits;
  options.session_setup_timeout = seconds(config.session_idle_timeout_seconds);
  options.gop_cache_bytes = static_cast<size_t>(config.gop_cache_bytes);
  options.retransmission_store_bytes = static_cast<size_t>(config.retransmission_store_bytes);
  options.adapt_bitrate = config.adapt_bitrate;
  options.bitrate.min_kbps = config.min_bitrate_kbps;
  options.bitrate.max_kbps = config.max_bitrate_kbps;

  streamer::Streamer streamer(loop, options);
  for (const signal::StreamConfig& stream : config.streams) {
    Status added = streamer.add_stream(stream.name, stream.socket_path);
    if (!added.ok()) {
      std::fprintf(stderr, "picortc serve: %s\n", added.error().message().c_str());
      return 2;
    }
  }
  Status started = streamer.start();
  if (!started.ok()) {
    std::fprintf(stderr, "picortc serve: %s\n", started.error().message().c_str());
    return 1;
  }

  signal::WhepServer server(loop, streamer, signal::whep_server_options(config));
  Status listening = server.start();
  if (!listening.ok()) {
    std::fprintf(stderr, "picortc serve: %s\n", listening.error().message().c_str());
    streamer.stop();
    return 1;
  }
  std::string host =
      config.http_address == "0.0.0.0" || config.http_address.empty() ? "127.0.0.1" : config.http_address;
  const char* scheme = server.tls() ? "https" : "http";
  for (const signal::StreamConfig& stream : config.streams) {
    std::printf("picortc serve: stream '%s' at %s://%s:%u/?stream=%s (ingest socket %s)\n",
                stream.name.c_str(), scheme, host.c_str(), server.port(), stream.name.c_str(),
                stream.socket_path.c_str());
  }
  std::fflush(stdout);

  loop.run();
  server.stop();
  streamer.stop();
  return 0;
}

}  // namespace

void register_serve_command(CLI::App& root, std::function<int()>& run) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* sub =
      root.add_subcommand("serve", "Serve the camera's streams to browsers and devices over WebRTC (WHEP)");
  sub->add_option("--config", args->config_path, "Config file (key = value lines; docs/serve.md)");
  sub->add_option("--stream", args->overrides.streams,
                  "NAME=SOCKET_PATH: a stream and its ingest socket (repeatable)");
  sub->add_option("--http", args->overrides.http, "ADDR:PORT to listen on (default 0.0.0.0:8080)");
  sub->add_option("--tls-cert", args->overrides.tls_cert, "PEM certificate (chain) for HTTPS");
  sub->add_option("--tls-key", args->overrides.tls_key, "PEM private key for HTTPS");
  sub->add_option("--token", args->overrides.token,
                  "Require 'Authorization: Bearer TOKEN' for WHEP and the API");
  sub->add_option("--ice-server", args->overrides.ice_servers,
                  "stun:HOST[:PORT], turn:USER:PASS@HOST[:PORT][?transport=udp|tcp], or none (repeatable)");
  sub->add_option("--max-viewers", args->max_viewers, "Maximum viewers in total");
  sub->footer(
      "Without --config and --stream, nothing is served. Ctrl-C (SIGINT) or SIGTERM stops cleanly:\n"
      "sessions get DTLS close_notify and RTCP BYE, ingest socket files are removed.");
  sub->callback([args, &run] { run = [args] { return run_serve(*args); }; });
}

}  // namespace picortc::app
