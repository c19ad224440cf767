#pragma once
// Resolves ICE server host names without blocking the loop thread.
//
// getaddrinfo has no timeout and may block for seconds on a dead DNS server,
// so each name is resolved on a short-lived detached std::thread which
// post()s the result back to the loop. Literal IP addresses are answered
// without a thread (still asynchronously, through post()). Destroying the
// resolver (or cancel_all) drops every pending answer: the thread may still
// finish later, but nothing reaches the loop after that. The caller bounds
// how long it waits (the IceAgent's gather_timeout).
//
// Threading: every method on the loop thread; callbacks run on the loop thread.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/event_loop.hpp"
#include "core/result.hpp"
#include "stun/stun_address.hpp"

namespace picortc::ice {

inline constexpr std::string_view kErrResolveFailed = "ice: host name did not resolve";

class AddressResolver {
 public:
  using Callback = std::function<void(Result<std::vector<stun::TransportAddress>>)>;

  explicit AddressResolver(EventLoop& loop);
  ~AddressResolver();
  AddressResolver(const AddressResolver&) = delete;
  AddressResolver& operator=(const AddressResolver&) = delete;

  // UDP addresses of `host` (IPv4 and IPv6), each with `port`.
  void resolve(const std::string& host, uint16_t port, Callback callback);
  void cancel_all();

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
  EventLoop& loop_;
};

}  // namespace picortc::ice
