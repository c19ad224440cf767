#pragma once
// How the TURN client reaches its server. The client produces whole messages
// (one STUN message or one ChannelData message per call); the transport
// delivers them: one datagram each over UDP, appended to the byte stream over
// TCP or TLS (RFC 8656 §3.1). In the other direction the owner of the
// transport hands every whole message from the server to
// TurnClient::handle_server_message(); stream transports cut the stream into
// messages with TurnStreamFramer.
//
// Threading: everything runs on the event-loop thread.
#include "core/bytes.hpp"
#include "core/result.hpp"

namespace picortc::turn {

enum class TurnTransportKind { kUdp, kTcp, kTls };
const char* to_string(TurnTransportKind kind);

class TurnServerTransport {
 public:
  virtual ~TurnServerTransport() = default;
  virtual TurnTransportKind kind() const = 0;
  // Streams need ChannelData padded to 4 and no request retransmissions.
  bool is_stream() const { return kind() != TurnTransportKind::kUdp; }
  // Sends one whole message to the server. Errors are reported, not thrown;
  // over UDP the client's retransmissions cover a lost or refused datagram.
  virtual Status send_to_server(BytesView message) = 0;
};

}  // namespace picortc::turn
