#include "signal/whep_server.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "core/log.hpp"
#include "sdp/trickle_fragment.hpp"
#include "signal/api_json.hpp"
#include "signal/bearer_token.hpp"
#include "signal/serve_config.hpp"
#include "signal/session_id.hpp"
#include "signal/signal_errors.hpp"
#include "signal/web_assets.hpp"
#include "signal/whep_error_status.hpp"

namespace picortc::signal {

namespace {

constexpr const char* kTag = "whep";
constexpr const char* kSdpType = "application/sdp";
constexpr const char* kSdpFragType = "application/trickle-ice-sdpfrag";

// The media type of a Content-Type value, lowercased, parameters dropped
// ("application/SDP; charset=utf-8" -> "application/sdp").
std::string media_type_of(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t'))
    type.pop_back();
  size_t start = 0;
  while (start < type.size() && (type[start] == ' ' || type[start] == '\t'))
    ++start;
  type.erase(0, start);
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type;
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

class WhepServer::Impl {
 public:
  Impl(EventLoop& loop, WhepSessionHandler& handler, WhepServerOptions options)
      : loop_(loop), handler_(handler), options_(std::move(options)) {}

  ~Impl() { stop(); }

  Status start();
  void stop();

  uint16_t port() const { return port_; }
  bool tls() const { return !options_.tls_cert_file.empty(); }
  HttpCounters counters() const {
    std::lock_guard<std::mutex> lock(counters_mutex_);
    return counters_;
  }

 private:
  // Runs fn on the loop thread and waits for its result, at most
  // options_.loop_timeout. fn must only touch loop-owned state.
  template <typename T, typename Fn>
  Result<T> call_on_loop(Fn fn);

  void install_routes();
  bool authorize(const httplib::Request& req, httplib::Response& res);
  void reply_error(httplib::Response& res, const Error& error);

  void handle_offer(const httplib::Request& req, httplib::Response& res);
  void handle_patch(const httplib::Request& req, httplib::Response& res);
  void handle_delete(const httplib::Request& req, httplib::Response& res);
  void handle_preflight(const httplib::Request& req, httplib::Response& res);
  void handle_streams(const httplib::Request& req, httplib::Response& res);
  void handle_sessions(const httplib::Request& req, httplib::Response& res);
  void handle_metrics(const httplib::Request& req, httplib::Response& res);
  void handle_asset(const httplib::Request& req, httplib::Response& res);

  EventLoop& loop_;
  WhepSessionHandler& handler_;
  WhepServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<uint32_t> waiting_{0};
  mutable std::mutex counters_mutex_;
  HttpCounters counters_;
};

template <typename T, typename Fn>
Result<T> WhepServer::Impl::call_on_loop(Fn fn) {
  if (stopping_) return make_error(kErrShuttingDown);
  if (waiting_.fetch_add(1) >= options_.max_waiting_requests) {
    waiting_.fetch_sub(1);
    return make_error(kErrBusy, std::to_string(options_.max_waiting_requests) + " waiting");
  }
  // The posted function may run after we gave up waiting; it then must not
  // call the handler (the request is already answered with 503) and must
  // not touch this frame: everything it needs lives in `call`.
  struct Call {
    std::promise<Result<T>> promise;
    std::atomic<bool> abandoned{false};
  };
  auto call = std::make_shared<Call>();
  std::future<Result<T>> future = call->promise.get_future();
  loop_.post([call, fn]() mutable {
    if (call->abandoned) return;
    call->promise.set_value(fn());
  });
  const TimePoint deadline = Clock::now() + options_.loop_timeout;
  // Wait in short slices so stop() can release every waiting request.
  while (future.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready) {
    if (stopping_ || Clock::now() >= deadline) {
      call->abandoned = true;
      waiting_.fetch_sub(1);
      if (stopping_) return make_error(kErrShuttingDown);
      return make_error(kErrLoopTimeout);
    }
  }
  waiting_.fetch_sub(1);
  return future.get();
}

void WhepServer::Impl::reply_error(httplib::Response& res, const Error& error) {
  res.status = http_status_for(error);
  if (res.status == 401) {
    // RFC 6750 §3: the scheme and, when a token was sent, why it failed.
    res.set_header("WWW-Authenticate", "Bearer realm=\"picortc\"");
  }
  const int retry_after = retry_after_seconds_for(error);
  if (retry_after > 0) res.set_header("Retry-After", std::to_string(retry_after));
  res.set_content(error.message() + "\n", "text/plain; charset=utf-8");
}

bool WhepServer::Impl::authorize(const httplib::Request& req, httplib::Response& res) {
  if (bearer_authorized(req.get_header_value("Authorization"), options_.token)) return true;
  reply_error(res, make_error(kErrUnauthorized));
  return false;
}

void WhepServer::Impl::handle_offer(const httplib::Request& req, httplib::Response& res) {
  if (!authorize(req, res)) return;
  const std::string stream = req.matches[1];
  if (!is_valid_stream_name(stream)) return reply_error(res, make_error(kErrBadStreamName));
  const std::string type = media_type_of(req.get_header_value("Content-Type"));
  if (type != kSdpType) {
    return reply_error(res, make_error(kErrWrongContentType, "expected application/sdp, got '" + type + "'"));
  }

  SessionRequest request;
  request.stream = stream;
  request.session_id = random_session_id();
  request.offer_sdp = req.body;
  request.client.remote_address = req.remote_addr;
  request.client.remote_port = static_cast<uint16_t>(req.remote_port);
  request.client.user_agent = req.get_header_value("User-Agent");

  WhepSessionHandler& handler = handler_;
  Result<CreatedSession> created =
      call_on_loop<CreatedSession>([&handler, request]() { return handler.create_session(request); });
  if (!created) {
    LOG_INFO(kTag, "offer for '%s' from %s refused: %s", stream.c_str(), req.remote_addr.c_str(),
             created.error().message().c_str());
    return reply_error(res, created.error());
  }
  LOG_INFO(kTag, "session %s on '%s' for %s", public_session_label(request.session_id).c_str(),
           stream.c_str(), req.remote_addr.c_str());
  res.status = 201;
  res.set_header("Location", "/whep/" + stream + "/" + request.session_id);
  if (!created->etag.empty()) res.set_header("ETag", created->etag);
  // PATCH with trickle candidates is what this resource takes (RFC 9725 §4.3.1).
  res.set_header("Accept-Patch", kSdpFragType);
  for (const std::string& link : ice_server_link_values(options_.ice_servers, options_.turn_rest, unix_now()))
    res.headers.emplace("Link", link);
  res.set_content(created->answer_sdp, kSdpType);
}

void WhepServer::Impl::handle_patch(const httplib::Request& req, httplib::Response& res) {
  if (!authorize(req, res)) return;
  const std::string stream = req.matches[1];
  const std::string session_id = req.matches[2];
  if (!is_session_id(session_id)) return reply_error(res, make_error(kErrUnknownSession));
  const std::string type = media_type_of(req.get_header_value("Content-Type"));
  if (type != kSdpFragType) {
    return reply_error(res, make_error(kErrWrongContentType,
                                       std::string("expected ") + kSdpFragType + ", got '" + type + "'"));
  }
  Result<sdp::TrickleFragment> fragment = sdp::parse_trickle_fragment(req.body);
  if (!fragment) return reply_error(res, fragment.error());

  WhepSessionHandler& handler = handler_;
  sdp::TrickleFragment parsed = std::move(*fragment);
  Result<bool> added = call_on_loop<bool>([&handler, stream, session_id, parsed]() -> Result<bool> {
    Status status = handler.add_candidates(stream, session_id, parsed);
    if (!status) return status.error();
    return true;
  });
  if (!added) return reply_error(res, added.error());
  res.status = 204;
}

void WhepServer::Impl::handle_delete(const httplib::Request& req, httplib::Response& res) {
  if (!authorize(req, res)) return;
  const std::string stream = req.matches[1];
  const std::string session_id = req.matches[2];
  if (!is_session_id(session_id)) return reply_error(res, make_error(kErrUnknownSession));
  WhepSessionHandler& handler = handler_;
  Result<bool> ended = call_on_loop<bool>([&handler, stream, session_id]() -> Result<bool> {
    Status status = handler.end_session(stream, session_id);
    if (!status) return status.error();
    return true;
  });
  if (!ended) return reply_error(res, ended.error());
  LOG_INFO(kTag, "session %s on '%s' ended by DELETE", public_session_label(session_id).c_str(),
           stream.c_str());
  res.status = 200;
  res.set_content("session ended\n", "text/plain; charset=utf-8");
}

void WhepServer::Impl::handle_preflight(const httplib::Request& req, httplib::Response& res) {
  // CORS preflight (Fetch standard): no auth, since browsers never send
  // credentials with it. The allow-lists themselves are default headers.
  res.status = 204;
  res.set_header("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE, OPTIONS");
  res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match");
  res.set_header("Access-Control-Max-Age", "86400");
  const std::string& path = req.path;
  if (path.rfind("/whep/", 0) == 0) {
    const bool is_session = path.find('/', 6) != std::string::npos;
    if (is_session) {
      res.set_header("Accept-Patch", kSdpFragType);
    } else {
      res.set_header("Accept-Post", kSdpType);
    }
  }
}

void WhepServer::Impl::handle_streams(const httplib::Request& req, httplib::Response& res) {
  if (!authorize(req, res)) return;
  WhepSessionHandler& handler = handler_;
  Result<std::string> body = call_on_loop<std::string>(
      [&handler]() -> Result<std::string> { return streams_json(handler.streams()); });
  if (!body) return reply_error(res, body.error());
  res.set_header("Cache-Control", "no-store");
  res.set_content(*body, "application/json");
}

void WhepServer::Impl::handle_sessions(const httplib::Request& req, httplib::Response& res) {
  if (!authorize(req, res)) return;
  WhepSessionHandler& handler = handler_;
  Result<std::string> body = call_on_loop<std::string>(
      [&handler]() -> Result<std::string> { return sessions_json(handler.sessions()); });
  if (!body) return reply_error(res, body.error());
  res.set_header("Cache-Control", "no-store");
  res.set_content(*body, "application/json");
}

void WhepServer::Impl::handle_metrics(const httplib::Request& req, httplib::Response& res) {
  if (!authorize(req, res)) return;
  WhepSessionHandler& handler = handler_;
  const HttpCounters http = counters();
  Result<std::string> body = call_on_loop<std::string>([&handler, http]() -> Result<std::string> {
    return render_serve_metrics(handler.streams(), handler.sessions(), http);
  });
  if (!body) return reply_error(res, body.error());
  res.set_content(*body, "text/plain; version=0.0.4; charset=utf-8");
}

void WhepServer::Impl::handle_asset(const httplib::Request& req, httplib::Response& res) {
  const WebAsset* asset = find_web_asset(req.path);
  if (asset == nullptr) return reply_error(res, make_error(kErrNotFound, req.path));
  res.set_header("Cache-Control", "no-cache");
  res.set_content(std::string(asset->body), std::string(asset->content_type).c_str());
}

void WhepServer::Impl::install_routes() {
  httplib::Server& svr = *server_;
  svr.set_payload_max_length(options_.max_body_bytes);
  // httplib's default sets SO_REUSEPORT, which would let a second `serve`
  // share the port silently. SO_REUSEADDR alone allows a quick restart.
  svr.set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // Short keep-alive: stop() waits for idle connections to time out.
  svr.set_keep_alive_timeout(2);
  svr.set_read_timeout(5, 0);
  const uint32_t threads = std::max<uint32_t>(1, options_.http_threads);
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };

  // On every response, errors included, so a page on another origin can
  // read statuses and the headers WHEP clients need.
  httplib::Headers cors;
  cors.emplace("Access-Control-Allow-Origin", options_.cors_origin);
  cors.emplace("Access-Control-Expose-Headers",
               "Location, Link, ETag, Accept-Patch, Retry-After, WWW-Authenticate");
  if (options_.cors_origin != "*") cors.emplace("Vary", "Origin");
  svr.set_default_headers(cors);

  svr.Post(R"(/whep/([^/]+))",
           [this](const httplib::Request& req, httplib::Response& res) { handle_offer(req, res); });
  svr.Patch(R"(/whep/([^/]+)/([^/]+))",
            [this](const httplib::Request& req, httplib::Response& res) { handle_patch(req, res); });
  svr.Delete(R"(/whep/([^/]+)/([^/]+))",
             [this](const httplib::Request& req, httplib::Response& res) { handle_delete(req, res); });
  svr.Options(R"(.*)",
              [this](const httplib::Request& req, httplib::Response& res) { handle_preflight(req, res); });
  svr.Get("/api/streams",
          [this](const httplib::Request& req, httplib::Response& res) { handle_streams(req, res); });
  svr.Get("/api/sessions",
          [this](const httplib::Request& req, httplib::Response& res) { handle_sessions(req, res); });
  svr.Get("/metrics",
          [this](const httplib::Request& req, httplib::Response& res) { handle_metrics(req, res); });
  svr.Get(R"(/[A-Za-z0-9_.-]*)",
          [this](const httplib::Request& req, httplib::Response& res) { handle_asset(req, res); });

  // httplib's own errors (413 from the body limit, 404 for unknown paths,
  // 400 for malformed requests) get a reason in the body too.
  svr.set_error_handler(
      httplib::Server::HandlerWithResponse([this](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        if (res.status == 413) {
          reply_error(res, make_error(kErrBodyTooLarge,
                                      "limit " + std::to_string(options_.max_body_bytes) + " bytes"));
        } else if (res.status == 404) {
          reply_error(res, make_error(kErrNotFound, req.method + " " + req.path));
        } else {
          res.set_content("HTTP " + std::to_string(res.status) + "\n", "text/plain; charset=utf-8");
        }
        return httplib::Server::HandlerResponse::Handled;
      }));
  svr.set_logger([this](const httplib::Request&, const httplib::Response& res) {
    std::lock_guard<std::mutex> lock(counters_mutex_);
    ++counters_.responses_by_status[res.status];
  });
}

Status WhepServer::Impl::start() {
  if (server_) return {};
  if (tls()) {
    auto ssl =
        std::make_unique<httplib::SSLServer>(options_.tls_cert_file.c_str(), options_.tls_key_file.c_str());
    if (!ssl->is_valid()) {
      return make_error(kErrTlsSetup, options_.tls_cert_file + ", " + options_.tls_key_file);
    }
    server_ = std::move(ssl);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  install_routes();
  int bound = -1;
  if (options_.port == 0) {
    bound = server_->bind_to_any_port(options_.bind_address);
  } else if (server_->bind_to_port(options_.bind_address, options_.port)) {
    bound = options_.port;
  }
  if (bound <= 0) {
    server_.reset();
    return make_error(kErrListen, options_.bind_address + ":" + std::to_string(options_.port));
  }
  port_ = static_cast<uint16_t>(bound);
  stopping_ = false;
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // httplib's stop() does nothing until the listening thread has marked the
  // server running; a stop() before that would leave the thread in accept()
  // for good. Wait for it (bounded: it is a thread start away).
  for (int i = 0; i < 5000 && !server_->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  LOG_INFO(kTag, "%s on %s:%u", tls() ? "https" : "http", options_.bind_address.c_str(), port_);
  return {};
}

void WhepServer::Impl::stop() {
  if (!server_) return;
  stopping_ = true;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

WhepServerOptions whep_server_options(const ServeConfig& config) {
  WhepServerOptions options;
  options.bind_address = config.http_address;
  options.port = config.http_port;
  options.tls_cert_file = config.tls_cert;
  options.tls_key_file = config.tls_key;
  options.token = config.token;
  options.ice_servers = config.effective_ice_servers();
  options.turn_rest = config.turn_rest;
  options.cors_origin = config.cors_origin;
  options.http_threads = config.http_threads;
  // Requests that may wait on the loop at once: the pending sessions plus
  // room for page and API reads.
  options.max_waiting_requests = config.limits.max_pending_sessions + 8;
  return options;
}

WhepServer::WhepServer(EventLoop& loop, WhepSessionHandler& handler, WhepServerOptions options)
    : impl_(std::make_unique<Impl>(loop, handler, std::move(options))) {}

WhepServer::~WhepServer() = default;

Status WhepServer::start() {
  return impl_->start();
}

void WhepServer::stop() {
  impl_->stop();
}

uint16_t WhepServer::port() const {
  return impl_->port();
}

bool WhepServer::tls() const {
  return impl_->tls();
}

HttpCounters WhepServer::http_counters() const {
  return impl_->counters();
}

}  // namespace picortc::signal
