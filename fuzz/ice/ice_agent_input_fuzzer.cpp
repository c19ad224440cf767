// Fuzz target `ice_agent_input`: every input is one datagram sent over
// loopback to a live IceAgent (fixed credentials, so seeds can carry
// correctly signed checks). Whatever arrives must never crash the agent or
// break its bookkeeping; the agent answers on the same socket, which is
// drained each time.
//
// Local credentials: ufrag "fzla", password "fuzzlocalpasswordfuzz123";
// remote: "fzre" / "fuzzremotepasswordfuzz12" (see fuzz/corpus/ice_agent_input/).
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "ice/ice_agent.hpp"
#include "ice/udp_socket.hpp"

using namespace picortc;
using namespace picortc::ice;

namespace {

struct Harness {
  Harness() {
    set_log_level(LogLevel::kError);
    IceAgentConfig config;
    config.role = IceRole::kControlled;
    config.interfaces.include_loopback = true;
    config.interfaces.include_ipv6 = false;
    config.interfaces.only_interfaces = {"lo"};
    config.local_credentials = IceCredentials{"fzla", "fuzzlocalpasswordfuzz123"};
    config.check_pacing = milliseconds(1);
    config.check_rto_min = milliseconds(5);
    config.connect_timeout = seconds(3600);
    agent = std::make_unique<IceAgent>(loop, config);
    IceAgentCallbacks callbacks;
    callbacks.on_data = [this](BytesView data) { delivered += data.size(); };
    agent->set_callbacks(callbacks);
    if (!agent->gather().ok()) std::abort();
    agent->set_remote_credentials("fzre", "fuzzremotepasswordfuzz12");
    target = agent->socket_addresses().at(0);
    auto socket = UdpSocket::bind(*TransportAddress::from_ip_string("127.0.0.1", 0));
    if (!socket.ok()) std::abort();
    sender = std::make_unique<UdpSocket>(std::move(*socket));
  }

  EventLoop loop;
  std::unique_ptr<IceAgent> agent;
  std::unique_ptr<UdpSocket> sender;
  TransportAddress target;
  uint64_t delivered = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness harness;
  if (size > 65000) return 0;
  uint64_t before = harness.agent->stats().data_bytes_received;
  harness.sender->send_to(harness.target, BytesView(data, size));
  // Loopback delivery is immediate: one iteration sees the datagram.
  harness.loop.run_once(milliseconds(0));
  uint8_t buffer[2048];
  TransportAddress from;
  for (int i = 0; i < 64 && harness.sender->receive_from(buffer, sizeof buffer, from) >= 0; ++i) {
  }
  const IceAgentStats& stats = harness.agent->stats();
  if (stats.data_bytes_received - before != 0 && stats.data_bytes_received - before != size) std::abort();
  if (harness.delivered != stats.data_bytes_received) std::abort();
  if (harness.agent->remote_candidates().size() > 64) std::abort();
  return 0;
}
