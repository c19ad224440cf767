#include "turn/turn_transport.hpp"

namespace picortc::turn {

const char* to_string(TurnTransportKind kind) {
  switch (kind) {
    case TurnTransportKind::kUdp:
      return "udp";
    case TurnTransportKind::kTcp:
      return "tcp";
    case TurnTransportKind::kTls:
      return "tls";
  }
  return "?";
}

}  // namespace picortc::turn
