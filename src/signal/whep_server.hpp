#pragma once
// The HTTP(S) front end of `picortc serve` (docs/serve.md):
//
//   GET  /                      viewer page (embedded, web_assets.hpp)
//   POST /whep/<stream>         WHEP offer -> 201, SDP answer, Location, Link
//   PATCH  /whep/<stream>/<id>  trickle ICE (application/trickle-ice-sdpfrag) -> 204
//   DELETE /whep/<stream>/<id>  ends the session -> 200
//   OPTIONS *                   CORS preflight
//   GET  /api/streams  /api/sessions  (JSON)   GET /metrics (Prometheus)
//
// WHEP is draft-ietf-wish-whep, which takes the HTTP rules of WHIP (RFC 9725):
// "the WHEP endpoint ... MUST return a "201 Created" response with the SDP
// answer in the body and a Location header field pointing to the newly
// created WHEP session", PATCH with an sdpfrag answers 204, DELETE ends the
// session and answers 200.
//
// Threading: the server runs its own HTTP threads (cpp-httplib's pool). Each
// request that needs the streamer is posted to the EventLoop, where the
// WhepSessionHandler is called; the HTTP thread waits for the answer at most
// `loop_timeout` (then 503). start() and stop() are called from the thread
// that owns the server (usually the loop thread before run() / after it, or
// any thread in tests); stop() waits for the HTTP threads to finish, and
// requests still waiting on the loop get 503 at once.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/event_loop.hpp"
#include "core/result.hpp"
#include "ice/ice_server_url.hpp"
#include "signal/ice_server_links.hpp"
#include "signal/serve_config.hpp"
#include "signal/serve_metrics.hpp"
#include "signal/whep_session_handler.hpp"

namespace picortc::signal {

struct WhepServerOptions {
  std::string bind_address = "0.0.0.0";
  uint16_t port = 8080;  // 0: any free port (tests); port() tells which
  // Both set: HTTPS with this PEM certificate (chain) and private key.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Not empty: WHEP, /api and /metrics need `Authorization: Bearer <token>`.
  std::string token;
  std::vector<ice::IceServerUrl> ice_servers;  // announced in Link headers
  TurnRestConfig turn_rest;
  std::string cors_origin = "*";  // Access-Control-Allow-Origin
  size_t max_body_bytes = 64 * 1024;
  Duration loop_timeout = seconds(5);
  // Requests waiting for the loop at once; more get 503 at once.
  uint32_t max_waiting_requests = 16;
  uint32_t http_threads = 4;
};

// The server options a resolved ServeConfig asks for (listen address, TLS,
// token, ICE servers, TURN REST, CORS, threads).
WhepServerOptions whep_server_options(const ServeConfig& config);

class WhepServer {
 public:
  // `loop` and `handler` must outlive the server; destroy the handler on the
  // loop thread or after the loop stopped (work posted by a request that
  // timed out may still be running there).
  WhepServer(EventLoop& loop, WhepSessionHandler& handler, WhepServerOptions options);
  ~WhepServer();
  WhepServer(const WhepServer&) = delete;
  WhepServer& operator=(const WhepServer&) = delete;

  // Loads the TLS files, binds and starts serving. kErrTlsSetup, kErrListen.
  Status start();
  // Idempotent. May be called on the loop thread (e.g. from the SIGTERM
  // callback): requests waiting for the loop get 503 at once instead of
  // waiting for it. Never from inside a WhepSessionHandler method.
  void stop();

  uint16_t port() const;
  bool tls() const;
  // Thread-safe snapshot.
  HttpCounters http_counters() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace picortc::signal
