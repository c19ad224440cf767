#pragma once
// STUN attribute types and the codecs of their values (RFC 8489 §14,
// RFC 8656 §18 for TURN, RFC 8445 §16.1 for ICE). Decoders take the value
// bytes of one attribute (no TLV header, no padding) and return a named
// error for anything malformed; writers append a value to a ByteWriter.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "stun/stun_address.hpp"
#include "stun/stun_transaction_id.hpp"

namespace picortc::stun {

// RFC 8489 §18.3, comprehension-required range 0x0000-0x7FFF.
inline constexpr uint16_t kAttrMappedAddress = 0x0001;
inline constexpr uint16_t kAttrUsername = 0x0006;
inline constexpr uint16_t kAttrMessageIntegrity = 0x0008;
inline constexpr uint16_t kAttrErrorCode = 0x0009;
inline constexpr uint16_t kAttrUnknownAttributes = 0x000A;
inline constexpr uint16_t kAttrChannelNumber = 0x000C;   // RFC 8656
inline constexpr uint16_t kAttrLifetime = 0x000D;        // RFC 8656
inline constexpr uint16_t kAttrXorPeerAddress = 0x0012;  // RFC 8656
inline constexpr uint16_t kAttrData = 0x0013;            // RFC 8656
inline constexpr uint16_t kAttrRealm = 0x0014;
inline constexpr uint16_t kAttrNonce = 0x0015;
inline constexpr uint16_t kAttrXorRelayedAddress = 0x0016;       // RFC 8656
inline constexpr uint16_t kAttrRequestedAddressFamily = 0x0017;  // RFC 8656
inline constexpr uint16_t kAttrEvenPort = 0x0018;                // RFC 8656
inline constexpr uint16_t kAttrRequestedTransport = 0x0019;      // RFC 8656
inline constexpr uint16_t kAttrDontFragment = 0x001A;            // RFC 8656
inline constexpr uint16_t kAttrMessageIntegritySha256 = 0x001C;
inline constexpr uint16_t kAttrPasswordAlgorithm = 0x001D;
inline constexpr uint16_t kAttrUserhash = 0x001E;
inline constexpr uint16_t kAttrXorMappedAddress = 0x0020;
inline constexpr uint16_t kAttrReservationToken = 0x0022;  // RFC 8656
inline constexpr uint16_t kAttrPriority = 0x0024;          // RFC 8445
inline constexpr uint16_t kAttrUseCandidate = 0x0025;      // RFC 8445
// Comprehension-optional range 0x8000-0xFFFF.
inline constexpr uint16_t kAttrPasswordAlgorithms = 0x8002;
inline constexpr uint16_t kAttrAlternateDomain = 0x8003;
inline constexpr uint16_t kAttrSoftware = 0x8022;
inline constexpr uint16_t kAttrAlternateServer = 0x8023;
inline constexpr uint16_t kAttrFingerprint = 0x8028;
inline constexpr uint16_t kAttrIceControlled = 0x8029;   // RFC 8445
inline constexpr uint16_t kAttrIceControlling = 0x802A;  // RFC 8445

constexpr bool is_comprehension_required(uint16_t type) {
  return type < 0x8000;
}
// Whether this code understands the attribute. PASSWORD-ALGORITHM and
// USERHASH are not implemented, so they count as unknown (a request that
// carries them gets 420, which is what RFC 8489 asks of a server without them).
bool is_known_attribute(uint16_t type);
// "XOR-MAPPED-ADDRESS", ... or "0x1234", for logs.
std::string attribute_name(uint16_t type);

// RFC 8656 §18.4: REQUESTED-TRANSPORT carries an IANA protocol number.
inline constexpr uint8_t kTransportUdp = 17;

// RFC 8489 §14.8 ERROR-CODE: code 300..699 and a UTF-8 reason phrase.
struct ErrorCode {
  int code = 0;
  std::string reason;
  friend bool operator==(const ErrorCode& a, const ErrorCode& b) {
    return a.code == b.code && a.reason == b.reason;
  }
};
inline constexpr int kErrorTryAlternate = 300;
inline constexpr int kErrorBadRequest = 400;
inline constexpr int kErrorUnauthorized = 401;
inline constexpr int kErrorForbidden = 403;
inline constexpr int kErrorUnknownAttribute = 420;
inline constexpr int kErrorAllocationMismatch = 437;  // RFC 8656
inline constexpr int kErrorStaleNonce = 438;
inline constexpr int kErrorAddressFamilyNotSupported = 440;  // RFC 8656
inline constexpr int kErrorWrongCredentials = 441;           // RFC 8656
inline constexpr int kErrorUnsupportedTransport = 442;       // RFC 8656
inline constexpr int kErrorPeerAddressFamilyMismatch = 443;  // RFC 8656
inline constexpr int kErrorAllocationQuotaReached = 486;     // RFC 8656
inline constexpr int kErrorRoleConflict = 487;               // RFC 8445
inline constexpr int kErrorServerError = 500;
inline constexpr int kErrorInsufficientCapacity = 508;  // RFC 8656
// The RFC's suggested reason phrase, or "" for an unlisted code.
const char* default_reason_phrase(int code);

// Value errors (compare by code).
inline constexpr std::string_view kErrBadAddressFamily = "stun: address family is neither 0x01 nor 0x02";
inline constexpr std::string_view kErrBadAddressLength = "stun: address value length does not fit its family";
inline constexpr std::string_view kErrErrorCodeOutOfRange = "stun: ERROR-CODE class or number out of range";
inline constexpr std::string_view kErrErrorCodeTooShort = "stun: ERROR-CODE value shorter than 4 bytes";
inline constexpr std::string_view kErrBadAttributeLength = "stun: attribute value has the wrong length";
inline constexpr std::string_view kErrTextTooLong = "stun: text attribute longer than its RFC 8489 limit";
inline constexpr std::string_view kErrOddUnknownAttributes = "stun: UNKNOWN-ATTRIBUTES length is odd";

// RFC 8489 §14.1 MAPPED-ADDRESS (also the layout of ALTERNATE-SERVER):
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |0 0 0 0 0 0 0 0|    Family     |           Port                |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                 Address (32 bits or 128 bits)                 |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
Result<TransportAddress> decode_address(BytesView value);
void write_address(ByteWriter& out, const TransportAddress& address);
// RFC 8489 §14.2 XOR-MAPPED-ADDRESS (and RFC 8656 XOR-PEER-ADDRESS,
// XOR-RELAYED-ADDRESS): the same layout with X-Port = port ^ (cookie >> 16),
// an IPv4 address XORed with the cookie, an IPv6 address XORed with the
// cookie followed by the transaction id.
Result<TransportAddress> decode_xor_address(BytesView value, const TransactionId& transaction_id);
void write_xor_address(ByteWriter& out, const TransportAddress& address, const TransactionId& transaction_id);
inline size_t address_value_size(const TransportAddress& address) {
  return 4 + address.address_size();
}

// RFC 8489 §14.8 ERROR-CODE: 21 reserved bits, Class (3 bits, 3..6), Number
// (8 bits, 0..99), reason phrase (UTF-8, < 128 characters).
Result<ErrorCode> decode_error_code(BytesView value);
// Asserts 300 <= code <= 699 (an API misuse otherwise).
void write_error_code(ByteWriter& out, const ErrorCode& error);

// RFC 8489 §14.9 UNKNOWN-ATTRIBUTES: a list of 16-bit types.
Result<std::vector<uint16_t>> decode_unknown_attributes(BytesView value);

// USERNAME (< 513 bytes), REALM, NONCE, SOFTWARE (< 128 characters, checked
// as < 763 bytes as the RFC allows). Opaque UTF-8: no SASLprep/OpaqueString
// normalisation is applied (see docs/stun.md).
Result<std::string_view> decode_text(BytesView value, size_t max_bytes);
inline constexpr size_t kMaxUsernameBytes = 512;
inline constexpr size_t kMaxTextBytes = 762;

// Fixed-size integers: PRIORITY, LIFETIME (32 bits), ICE-CONTROLLED/-ING (64).
Result<uint32_t> decode_u32(BytesView value);
Result<uint64_t> decode_u64(BytesView value);
// RFC 8656 §18.4 REQUESTED-TRANSPORT: protocol + 24 bits RFFU.
Result<uint8_t> decode_requested_transport(BytesView value);
// RFC 8656 §18.1 CHANNEL-NUMBER: number + 16 bits RFFU.
Result<uint16_t> decode_channel_number(BytesView value);
// RFC 8656 §18.6 EVEN-PORT: the R bit (reserve the next port too).
Result<bool> decode_even_port(BytesView value);

}  // namespace picortc::stun
