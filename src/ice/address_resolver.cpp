#include "ice/address_resolver.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <map>
#include <mutex>
#include <thread>

#include "core/log.hpp"

namespace picortc::ice {

struct AddressResolver::Shared {
  std::mutex mutex;
  EventLoop* loop = nullptr;  // null once cancelled: resolver threads post nothing more
  // Loop thread only.
  uint64_t next_id = 1;
  std::map<uint64_t, Callback> pending;
};

AddressResolver::AddressResolver(EventLoop& loop) : shared_(std::make_shared<Shared>()), loop_(loop) {
  shared_->loop = &loop;
}

AddressResolver::~AddressResolver() {
  cancel_all();
  std::lock_guard<std::mutex> lock(shared_->mutex);
  shared_->loop = nullptr;
}

void AddressResolver::cancel_all() {
  shared_->pending.clear();
}

namespace {
Result<std::vector<stun::TransportAddress>> blocking_resolve(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* list = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0) return make_error(kErrResolveFailed, host + ": " + gai_strerror(rc));
  std::vector<stun::TransportAddress> out;
  for (addrinfo* it = list; it != nullptr; it = it->ai_next) {
    auto address = stun::TransportAddress::from_sockaddr(it->ai_addr);
    if (!address) continue;
    address->set_port(port);
    bool duplicate = false;
    for (const auto& existing : out)
      duplicate = duplicate || existing == *address;
    if (!duplicate) out.push_back(*address);
  }
  freeaddrinfo(list);
  if (out.empty()) return make_error(kErrResolveFailed, host + ": no IPv4/IPv6 address");
  return out;
}
}  // namespace

void AddressResolver::resolve(const std::string& host, uint16_t port, Callback callback) {
  uint64_t id = shared_->next_id++;
  shared_->pending[id] = std::move(callback);
  std::shared_ptr<Shared> shared = shared_;
  auto deliver_on_loop = [shared, id](Result<std::vector<stun::TransportAddress>> result) {
    auto it = shared->pending.find(id);
    if (it == shared->pending.end()) return;  // cancelled
    Callback cb = std::move(it->second);
    shared->pending.erase(it);
    cb(std::move(result));
  };

  auto literal = stun::TransportAddress::from_ip_string(host, port);
  if (literal) {
    std::vector<stun::TransportAddress> one{*literal};
    loop_.post([deliver_on_loop, one]() { deliver_on_loop(one); });
    return;
  }
  std::thread([shared, host, port, deliver_on_loop]() {
    auto result = blocking_resolve(host, port);
    std::lock_guard<std::mutex> lock(shared->mutex);
    if (shared->loop == nullptr) return;
    shared->loop->post([deliver_on_loop, result]() { deliver_on_loop(result); });
  }).detach();
}

}  // namespace picortc::ice
