#pragma once
// The seam between the ICE agent and a TURN client (RFC 8656): an
// allocation seen as a transport that sends to and receives from peers
// through the relay. The TURN client (src/turn/) implements it; the agent
// only needs what a relayed candidate needs (RFC 8445 §5.1.1.2, §6.1.2.2):
// the relayed address, permissions for remote candidates, and datagrams in
// both directions. A relayed candidate's base is the relayed address itself,
// so connectivity checks are sent through send_to like any other datagram.
//
// Threading: everything on the agent's loop thread; the receive callback is
// called on that thread.
#include <functional>
#include <memory>
#include <optional>

#include "core/bytes.hpp"
#include "core/event_loop.hpp"
#include "core/result.hpp"
#include "ice/ice_server_url.hpp"
#include "stun/stun_address.hpp"

namespace picortc::ice {

class RelayTransport {
 public:
  using ReceiveCallback = std::function<void(const stun::TransportAddress& peer, BytesView data)>;

  virtual ~RelayTransport() = default;

  // XOR-RELAYED-ADDRESS of the allocation: the relayed candidate's address.
  virtual stun::TransportAddress relayed_address() const = 0;
  // XOR-MAPPED-ADDRESS of the Allocate response (the client's address as the
  // server saw it), used as the related address; nullopt if unknown.
  virtual std::optional<stun::TransportAddress> mapped_address() const = 0;
  // The TURN server's address (for the foundation, RFC 8445 §5.1.1.3).
  virtual stun::TransportAddress server_address() const = 0;
  // Installs (and keeps refreshed) a permission for the peer's IP address
  // (RFC 8656 §9). Asynchronous; sending before it is installed may be lost,
  // which connectivity-check retransmission absorbs.
  virtual void create_permission(const stun::TransportAddress& peer) = 0;
  // Sends one datagram to the peer through the relay (Send indication or
  // ChannelData); false if it could not be sent now.
  virtual bool send_to(const stun::TransportAddress& peer, BytesView data) = 0;
  // Datagrams that peers sent to the relayed address.
  virtual void set_receive_callback(ReceiveCallback callback) = 0;
  // Releases the allocation (Refresh with lifetime 0) and stops all timers.
  virtual void close() = 0;
};

// Creates an allocation on the TURN server `server` (a turn:/turns: URL) and
// calls `done` exactly once on the loop thread with the ready transport or
// the reason it failed. The returned handle cancels the attempt when
// destroyed before `done` ran (done is then never called).
class RelayAllocation {
 public:
  virtual ~RelayAllocation() = default;
};
using RelayDone = std::function<void(Result<std::unique_ptr<RelayTransport>>)>;
using RelayFactory = std::function<std::unique_ptr<RelayAllocation>(
    EventLoop& loop, const IceServerUrl& server, RelayDone done)>;

}  // namespace picortc::ice
