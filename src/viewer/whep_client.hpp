#pragma once
// The WHEP client of `picortc view` (draft-ietf-wish-whep): POST the SDP
// offer, get 201 + Location + the answer; PATCH our trickled candidates
// (application/trickle-ice-sdpfrag, RFC 8840); DELETE the session at the end.
//
// HTTP (cpp-httplib, blocking) never runs on the event loop: requests go to
// one worker thread in order, with bounded connect/read timeouts, and each
// result is posted back to the loop. Callbacks run on the loop thread and
// never after the WhepClient is destroyed. docs/view.md.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "core/clock.hpp"
#include "core/event_loop.hpp"
#include "core/result.hpp"

namespace picortc::viewer {

inline constexpr std::string_view kErrBadUrl = "viewer: URL must be http(s)://HOST[:PORT]/PATH";
inline constexpr std::string_view kErrHttpsUnsupported = "viewer: this build has no HTTPS support";

struct WhepUrl {
  std::string scheme;  // "http" | "https"
  std::string host;    // without brackets for IPv6
  uint16_t port = 0;
  std::string path;  // "/whep/cam"
  // "http://127.0.0.1:8080" (IPv6 hosts in brackets).
  std::string origin() const;
  std::string to_string() const { return origin() + path; }
};

Result<WhepUrl> parse_whep_url(std::string_view text);

// The path a Location header names: relative ("/whep/cam/ID") as it is,
// absolute ("http://host:port/whep/cam/ID") reduced to its path.
std::string location_path(std::string_view location);

struct WhepClientOptions {
  std::string token;        // "Authorization: Bearer TOKEN" when set
  bool verify_peer = true;  // https: check the server certificate
  std::string ca_file;      // https: trust these instead of the system store
  Duration connect_timeout = seconds(3);
  Duration request_timeout = seconds(10);
};

struct WhepResponse {
  bool transport_ok = false;  // false: no HTTP response at all
  std::string transport_error;
  // https: the server's certificate was not trusted, or the --ca-file could
  // not be loaded. Asking again gets the same certificate: not retried.
  bool certificate_rejected = false;
  int status = 0;
  std::string body;
  std::string location;
  std::string retry_after;

  bool is(int code) const { return transport_ok && status == code; }
  // Worth retrying: no response (except a rejected certificate), 5xx, 408,
  // 429. Other 4xx mean the request itself is wrong (401 bad token, 404 no
  // such stream) and stay wrong.
  bool retryable() const;
  std::string describe() const;
};

class WhepClient {
 public:
  using Callback = std::function<void(const WhepResponse&)>;

  WhepClient(EventLoop& loop, WhepUrl url, WhepClientOptions options);
  ~WhepClient();  // joins the worker; requests not yet started are skipped
  WhepClient(const WhepClient&) = delete;
  WhepClient& operator=(const WhepClient&) = delete;

  void post_offer(std::string offer_sdp, Callback done);
  void patch(std::string location, std::string sdpfrag, Callback done);
  void remove(std::string location, Callback done);
  // DELETE from the loop thread at exit, waiting at most `limit` (the loop
  // does not run meanwhile: the request does not need it).
  WhepResponse remove_now(const std::string& location, Duration limit);

  const WhepUrl& url() const { return url_; }

 private:
  struct Job {
    std::function<WhepResponse()> request;
    Callback done;
  };
  void worker_main();
  void enqueue(std::function<WhepResponse()> request, Callback done);
  static WhepResponse perform(const WhepUrl& url, const WhepClientOptions& options, const char* method,
                              const std::string& path, const std::string& body,
                              const std::string& content_type);

  EventLoop& loop_;
  WhepUrl url_;
  WhepClientOptions options_;
  std::shared_ptr<bool> alive_;  // read and written on the loop thread only

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace picortc::viewer
