#pragma once
// The magic cookie and the 96-bit transaction id of the STUN header
// (RFC 8489 §5, §6): together they key the XOR of the XOR-*-ADDRESS
// attributes, and the id matches responses to requests.
#include <array>
#include <cstdint>

namespace picortc::stun {

inline constexpr uint32_t kMagicCookie = 0x2112A442;

using TransactionId = std::array<uint8_t, 12>;

// RFC 8489 §6: "The transaction ID MUST be uniformly and randomly chosen from
// the interval 0 .. 2**96-1, and MUST be cryptographically random."
TransactionId random_transaction_id();

}  // namespace picortc::stun
