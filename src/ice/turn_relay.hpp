#pragma once
// Relayed candidates through picortc::turn: a RelayFactory whose
// allocations are TurnClient allocations over UDP (RFC 8656), resolving the
// server name off the loop thread like STUN servers. turn: URLs with
// ?transport=tcp and turns: URLs fail with kErrTurnTransportUnsupported
// until the TURN module has stream transports.
#include "ice/relay_transport.hpp"

namespace picortc::ice {

inline constexpr std::string_view kErrTurnTransportUnsupported =
    "ice: only turn: over UDP is supported for relayed candidates";

RelayFactory make_turn_relay_factory();

}  // namespace picortc::ice
