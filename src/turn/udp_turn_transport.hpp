#pragma once
// TURN over UDP: a connected, non-blocking UDP socket to the server, watched
// by the event loop. Every datagram from the server goes to `on_message`
// (one STUN or ChannelData message per datagram).
#include <functional>
#include <memory>

#include "core/event_loop.hpp"
#include "stun/stun_address.hpp"
#include "turn/turn_transport.hpp"

namespace picortc::turn {

inline constexpr std::string_view kErrUdpSocket = "turn: UDP socket setup failed";

class UdpTurnTransport : public TurnServerTransport {
 public:
  using MessageCallback = std::function<void(BytesView message)>;

  // Called on the loop thread; `on_message` runs there too and may use the
  // client freely (but must not destroy this transport from inside).
  static Result<std::unique_ptr<UdpTurnTransport>> open(EventLoop& loop, const stun::TransportAddress& server,
                                                        MessageCallback on_message);
  ~UdpTurnTransport() override;
  UdpTurnTransport(const UdpTurnTransport&) = delete;
  UdpTurnTransport& operator=(const UdpTurnTransport&) = delete;

  TurnTransportKind kind() const override { return TurnTransportKind::kUdp; }
  Status send_to_server(BytesView message) override;

  const stun::TransportAddress& local_address() const { return local_; }
  const stun::TransportAddress& server_address() const { return server_; }

 private:
  UdpTurnTransport(EventLoop& loop, int fd, const stun::TransportAddress& server, MessageCallback on_message);
  void on_readable();

  EventLoop& loop_;
  int fd_;
  stun::TransportAddress server_;
  stun::TransportAddress local_;
  MessageCallback on_message_;
  std::vector<uint8_t> receive_buffer_;
};

}  // namespace picortc::turn
