#pragma once
// TURN over TCP (RFC 8656 §3.1, RFC 8489 §6.2.2): one non-blocking TCP
// connection to the server on the event loop. Outgoing messages are queued
// while the connection is being made or the socket is full; incoming bytes
// are cut into messages by TurnStreamFramer. A TLS transport would wrap the
// same byte stream (not written yet).
#include <functional>
#include <memory>
#include <vector>

#include "core/event_loop.hpp"
#include "stun/stun_address.hpp"
#include "turn/turn_stream_framer.hpp"
#include "turn/turn_transport.hpp"

namespace picortc::turn {

inline constexpr std::string_view kErrTcpSocket = "turn: TCP connection failed";
inline constexpr std::string_view kErrTcpClosed = "turn: TCP connection closed";
inline constexpr std::string_view kErrTcpQueueFull = "turn: TCP send queue full";

class TcpTurnTransport : public TurnServerTransport {
 public:
  using MessageCallback = std::function<void(BytesView message)>;
  using ClosedCallback = std::function<void(const Error& reason)>;

  // Starts connecting; messages sent before the connection is up are queued.
  // Both callbacks run on the loop thread; neither may destroy the transport.
  static Result<std::unique_ptr<TcpTurnTransport>> connect(EventLoop& loop,
                                                           const stun::TransportAddress& server,
                                                           MessageCallback on_message,
                                                           ClosedCallback on_closed);
  ~TcpTurnTransport() override;
  TcpTurnTransport(const TcpTurnTransport&) = delete;
  TcpTurnTransport& operator=(const TcpTurnTransport&) = delete;

  TurnTransportKind kind() const override { return TurnTransportKind::kTcp; }
  Status send_to_server(BytesView message) override;

  bool connected() const { return connected_; }
  bool closed() const { return fd_ < 0; }
  // Bytes accepted by send_to_server but not yet written to the socket.
  size_t queued_bytes() const { return queue_.size() - queue_offset_; }

  // Upper bound of the send queue; beyond it send_to_server fails.
  static constexpr size_t kMaxQueuedBytes = 1 << 20;

 private:
  TcpTurnTransport(EventLoop& loop, int fd, MessageCallback on_message, ClosedCallback on_closed);
  void on_events(uint32_t events);
  bool flush();  // false when the connection broke
  void close_with(const Error& reason);
  void update_interest();

  EventLoop& loop_;
  int fd_;
  bool connected_ = false;
  bool want_write_ = true;  // connect completion shows as writable
  MessageCallback on_message_;
  ClosedCallback on_closed_;
  TurnStreamFramer framer_;
  std::vector<uint8_t> queue_;
  size_t queue_offset_ = 0;
  std::vector<uint8_t> read_buffer_;
};

}  // namespace picortc::turn
