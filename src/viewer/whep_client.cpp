#include "viewer/whep_client.hpp"

#include <httplib.h>

#include <algorithm>
#include <cstdlib>

#include "core/log.hpp"

namespace picortc::viewer {
namespace {

constexpr const char* kTag = "whep-client";

bool parse_port(std::string_view text, uint16_t& out) {
  if (text.empty() || text.size() > 5) return false;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535) return false;
  out = static_cast<uint16_t>(value);
  return true;
}

}  // namespace

std::string WhepUrl::origin() const {
  std::string out = scheme + "://";
  if (host.find(':') != std::string::npos) {
    out += "[" + host + "]";
  } else {
    out += host;
  }
  return out + ":" + std::to_string(port);
}

Result<WhepUrl> parse_whep_url(std::string_view text) {
  WhepUrl url;
  const size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return make_error(kErrBadUrl, std::string(text));
  url.scheme = std::string(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") return make_error(kErrBadUrl, "scheme " + url.scheme);
  std::string_view rest = text.substr(scheme_end + 3);
  const size_t path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  url.path = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
  if (authority.find('@') != std::string_view::npos) return make_error(kErrBadUrl, "user info not supported");
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return make_error(kErrBadUrl, "unterminated [IPv6] host");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return make_error(kErrBadUrl, std::string(authority));
      port_text = after.substr(1);
      if (port_text.empty()) return make_error(kErrBadUrl, "empty port");
    }
  } else {
    const size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return make_error(kErrBadUrl, "empty port");
    }
  }
  if (url.host.empty()) return make_error(kErrBadUrl, "no host");
  if (!port_text.empty()) {
    if (!parse_port(port_text, url.port)) return make_error(kErrBadUrl, "port " + std::string(port_text));
  } else {
    url.port = url.scheme == "https" ? 443 : 80;
  }
  for (char c : url.path) {
    if (c == ' ' || c == '\r' || c == '\n') return make_error(kErrBadUrl, "whitespace in path");
  }
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
  if (url.scheme == "https") return make_error(kErrHttpsUnsupported);
#endif
  return url;
}

std::string location_path(std::string_view location) {
  const size_t scheme_end = location.find("://");
  if (scheme_end == std::string_view::npos) return std::string(location);
  const size_t path_start = location.find('/', scheme_end + 3);
  return path_start == std::string_view::npos ? std::string("/") : std::string(location.substr(path_start));
}

bool WhepResponse::retryable() const {
  if (!transport_ok) return !certificate_rejected;
  return status >= 500 || status == 408 || status == 429;
}

std::string WhepResponse::describe() const {
  if (!transport_ok) return "no HTTP response: " + transport_error;
  std::string out = "HTTP " + std::to_string(status);
  if (!body.empty() && status >= 400) {
    std::string first_line = body.substr(0, body.find('\n'));
    if (first_line.size() > 200) first_line.resize(200);
    out += ": " + first_line;
  }
  return out;
}

WhepClient::WhepClient(EventLoop& loop, WhepUrl url, WhepClientOptions options)
    : loop_(loop),
      url_(std::move(url)),
      options_(std::move(options)),
      alive_(std::make_shared<bool>(true)),
      worker_([this] { worker_main(); }) {}

WhepClient::~WhepClient() {
  *alive_ = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    jobs_.clear();
  }
  wake_.notify_all();
  worker_.join();
}

void WhepClient::worker_main() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    WhepResponse response = job.request();
    // The loop may outlive this client (or not run any more): the result
    // is dropped unless the client still exists when the loop gets to it.
    std::weak_ptr<bool> alive = alive_;
    loop_.post([alive, response = std::move(response), done = std::move(job.done)] {
      auto still = alive.lock();
      if (still && *still && done) done(response);
    });
  }
}

void WhepClient::enqueue(std::function<WhepResponse()> request, Callback done) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(Job{std::move(request), std::move(done)});
  }
  wake_.notify_one();
}

WhepResponse WhepClient::perform(const WhepUrl& url, const WhepClientOptions& options, const char* method,
                                 const std::string& path, const std::string& body,
                                 const std::string& content_type) {
  WhepResponse out;
  httplib::Client client(url.origin());
  auto to_parts = [](Duration d, time_t& sec, time_t& usec) {
    auto us = std::chrono::duration_cast<microseconds>(d).count();
    sec = static_cast<time_t>(us / 1000000);
    usec = static_cast<time_t>(us % 1000000);
  };
  time_t sec = 0, usec = 0;
  to_parts(options.connect_timeout, sec, usec);
  client.set_connection_timeout(sec, usec);
  to_parts(options.request_timeout, sec, usec);
  client.set_read_timeout(sec, usec);
  client.set_write_timeout(sec, usec);
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
  client.enable_server_certificate_verification(options.verify_peer);
  if (!options.ca_file.empty()) client.set_ca_cert_path(options.ca_file.c_str());
#endif
  httplib::Headers headers;
  if (!options.token.empty()) headers.emplace("Authorization", "Bearer " + options.token);
  httplib::Result result{nullptr, httplib::Error::Unknown};
  const std::string m(method);
  if (m == "POST") {
    result = client.Post(path, headers, body, content_type);
  } else if (m == "PATCH") {
    result = client.Patch(path, headers, body, content_type);
  } else {
    result = client.Delete(path, headers);
  }
  if (!result) {
    out.transport_error = httplib::to_string(result.error());
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
    if (result.error() == httplib::Error::SSLServerVerification) {
      // The handshake went through unverified; httplib then checks the
      // chain and the host name against what we trust.
      const long verify = client.get_openssl_verify_result();
      out.certificate_rejected = true;
      out.transport_error = "server certificate rejected (" +
                            (verify != X509_V_OK ? std::string(X509_verify_cert_error_string(verify))
                                                 : std::string("host name does not match")) +
                            "): trust it with --ca-file PEM, or --insecure";
    } else if (result.error() == httplib::Error::SSLLoadingCerts) {
      out.certificate_rejected = true;
      out.transport_error = options.ca_file.empty() ? "cannot load the system certificate store"
                                                    : "cannot load --ca-file " + options.ca_file;
    }
#endif
    return out;
  }
  out.transport_ok = true;
  out.status = result->status;
  out.body = result->body;
  out.location = result->get_header_value("Location");
  out.retry_after = result->get_header_value("Retry-After");
  return out;
}

void WhepClient::post_offer(std::string offer_sdp, Callback done) {
  enqueue(
      [this, offer_sdp = std::move(offer_sdp)] {
        return perform(url_, options_, "POST", url_.path, offer_sdp, "application/sdp");
      },
      std::move(done));
}

void WhepClient::patch(std::string location, std::string sdpfrag, Callback done) {
  enqueue(
      [this, path = location_path(location), sdpfrag = std::move(sdpfrag)] {
        return perform(url_, options_, "PATCH", path, sdpfrag, "application/trickle-ice-sdpfrag");
      },
      std::move(done));
}

void WhepClient::remove(std::string location, Callback done) {
  enqueue([this, path = location_path(location)] { return perform(url_, options_, "DELETE", path, {}, {}); },
          std::move(done));
}

WhepResponse WhepClient::remove_now(const std::string& location, Duration limit) {
  // Called after the loop stopped (exit): blocking here holds nothing up.
  WhepClientOptions bounded = options_;
  bounded.connect_timeout = std::min(bounded.connect_timeout, limit);
  bounded.request_timeout = std::min(bounded.request_timeout, limit);
  return perform(url_, bounded, "DELETE", location_path(location), {}, {});
}

}  // namespace picortc::viewer
