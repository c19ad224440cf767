#pragma once
// TURN client (RFC 8656) over any TurnServerTransport: one allocation with
// long-term credentials (RFC 8489 §9.2: the first Allocate is sent without
// them, the 401 answer brings REALM and NONCE, the request is repeated with
// USERNAME, REALM, NONCE and MESSAGE-INTEGRITY; 438 Stale Nonce repeats it
// with the new nonce), then permissions, channels and data to peers.
//
// Timers on the EventLoop keep everything alive while the client exists:
// the allocation is refreshed before its LIFETIME runs out, permissions
// every 4 minutes (they last 5, §9), channel bindings every 9 (they last 10,
// §12). Requests are retransmitted over UDP (RFC 8489 §6.2.1: RTO doubling
// from 500 ms, 7 sends) and time out after 39.5 s over streams.
//
// Threading: every method and every callback runs on the loop thread.
// Callbacks may call any method of the client, but must not destroy it.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "stun/stun_builder.hpp"
#include "stun/stun_message.hpp"
#include "turn/channel_data.hpp"
#include "turn/turn_transport.hpp"

namespace picortc::turn {

inline constexpr std::string_view kErrTurnTimeout = "turn: request timed out";
inline constexpr std::string_view kErrTurnErrorResponse = "turn: server answered with an error";
inline constexpr std::string_view kErrTurnBadResponse = "turn: success response lacks a required attribute";
inline constexpr std::string_view kErrTurnNotAllocated = "turn: no allocation";
inline constexpr std::string_view kErrTurnNoChannels = "turn: all 4096 channel numbers are in use";
inline constexpr std::string_view kErrTurnReleased = "turn: client released";

struct TurnClientConfig {
  std::string username;
  std::string password;
  std::string software = "picortc";
  // Asked for in Allocate and Refresh; the server decides (RFC 8656 §7.2).
  uint32_t requested_lifetime_s = 600;
  // Refresh this long before the allocation expires (at half the lifetime
  // when that is shorter).
  Duration refresh_margin = seconds(60);
  Duration permission_refresh_interval = seconds(240);
  Duration channel_refresh_interval = seconds(540);
  // RFC 8489 §6.2.1 defaults: RTO 500 ms, Rc = 7, Rm = 16; §6.2.2: 39.5 s.
  Duration initial_rto = milliseconds(500);
  int max_udp_sends = 7;
  Duration stream_request_timeout = milliseconds(39500);
};

struct TurnClientCallbacks {
  // The allocation exists (first success only; refreshes are silent).
  std::function<void(const stun::TransportAddress& relayed, const stun::TransportAddress& mapped)>
      on_allocated;
  // Allocation failed, or a refresh failed and the allocation is gone.
  std::function<void(const Error& error)> on_allocation_failed;
  // CreatePermission / ChannelBind outcome (first install and failures).
  std::function<void(const stun::TransportAddress& peer, const Status& result)> on_permission;
  std::function<void(const stun::TransportAddress& peer, uint16_t channel, const Status& result)>
      on_channel_bound;
  // Data from a peer, by Data indication or ChannelData. `data` is valid
  // during the call only.
  std::function<void(const stun::TransportAddress& peer, BytesView data)> on_peer_data;
};

class TurnClient {
 public:
  enum class State { kIdle, kAllocating, kAllocated, kFailed, kReleased };

  TurnClient(EventLoop& loop, TurnServerTransport& transport, TurnClientConfig config,
             TurnClientCallbacks callbacks);
  ~TurnClient();
  TurnClient(const TurnClient&) = delete;
  TurnClient& operator=(const TurnClient&) = delete;

  // Starts the Allocate exchange (RFC 8656 §7.1), REQUESTED-TRANSPORT UDP.
  void allocate();
  // Installs (and keeps refreshing) a permission for the peer's IP address
  // (§9: permissions ignore the port).
  Status create_permission(const stun::TransportAddress& peer);
  // Binds the next free channel to the peer (§11) and keeps it bound; data
  // to that peer then goes as ChannelData. Returns the channel number.
  Result<uint16_t> bind_channel(const stun::TransportAddress& peer);
  // Sends to a peer through the relay: ChannelData when a channel is bound
  // and confirmed, a Send indication otherwise (§10, §12). The server drops
  // it unless a permission for the peer exists.
  Status send_to_peer(const stun::TransportAddress& peer, BytesView data);
  // Refreshes now (also done by the timer).
  void refresh();
  // Deletes the allocation (Refresh with LIFETIME 0, §7.1) and stops timers.
  void release();

  // Every whole message from the server: one STUN message or one ChannelData.
  void handle_server_message(BytesView message);
  // The owner reports a dead stream transport (TcpTurnTransport's on_closed):
  // over TCP/TLS the allocation dies with the connection (RFC 8656 §3.1), so
  // pending requests are dropped and on_allocation_failed is called.
  void transport_closed(const Error& reason);

  State state() const { return state_; }
  const stun::TransportAddress& relayed_address() const { return relayed_; }
  const stun::TransportAddress& mapped_address() const { return mapped_; }
  uint32_t lifetime_s() const { return lifetime_s_; }
  uint64_t refreshes_succeeded() const { return refreshes_succeeded_; }
  uint64_t messages_dropped() const { return dropped_.count(); }

 private:
  using AddAttributes = std::function<void(stun::StunMessageBuilder&)>;
  using OnSuccess = std::function<void(const stun::StunMessage&)>;
  using OnError = std::function<void(const Error&)>;
  struct Request {
    uint16_t method;
    AddAttributes add_attributes;
    OnSuccess on_success;
    OnError on_error;
    std::vector<uint8_t> bytes;
    bool authenticated = false;  // sent with MESSAGE-INTEGRITY
    int auth_retries = 0;        // 401/438 answered by re-sending
    int sends = 0;
    Duration rto{};
    EventLoop::TimerId timer = 0;
  };
  struct Channel {
    stun::TransportAddress peer;
    bool confirmed = false;
    EventLoop::TimerId refresh_timer = 0;
  };
  struct Permission {
    stun::TransportAddress peer;  // as first asked for; §9.1: the server ignores the port
    bool confirmed = false;
    EventLoop::TimerId refresh_timer = 0;
  };

  void send_request(uint16_t method, AddAttributes add_attributes, OnSuccess on_success, OnError on_error);
  void transmit(Request request);
  void on_request_timer(const stun::TransactionId& id);
  void handle_response(const stun::StunMessage& message, BytesView bytes);
  void handle_data_indication(const stun::StunMessage& message);
  void handle_channel_data(BytesView message);

  void send_permission_request(const stun::TransportAddress& key);
  void send_channel_bind(uint16_t channel);
  void on_allocate_success(const stun::StunMessage& response);
  void schedule_refresh();
  void fail_allocation(const Error& error);
  void cancel_all_timers();
  static stun::TransportAddress permission_key(const stun::TransportAddress& peer);

  EventLoop& loop_;
  TurnServerTransport& transport_;
  TurnClientConfig config_;
  TurnClientCallbacks callbacks_;
  State state_ = State::kIdle;

  // Long-term credential state learnt from the 401 (RFC 8489 §9.2.3).
  std::string realm_;
  std::string nonce_;
  std::vector<uint8_t> key_;

  stun::TransportAddress relayed_;
  stun::TransportAddress mapped_;
  uint32_t lifetime_s_ = 0;
  uint64_t refreshes_succeeded_ = 0;
  EventLoop::TimerId refresh_timer_ = 0;

  std::map<stun::TransactionId, Request> pending_;
  std::map<stun::TransportAddress, Permission> permissions_;  // keyed by IP, port 0
  std::map<uint16_t, Channel> channels_;
  std::map<stun::TransportAddress, uint16_t> channel_by_peer_;
  uint16_t next_channel_ = kMinChannelNumber;

  std::vector<uint8_t> send_buffer_;
  DropCounter dropped_{"turn", "messages from the TURN server dropped"};
};

}  // namespace picortc::turn
