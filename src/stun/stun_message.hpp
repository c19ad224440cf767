#pragma once
// A STUN message (RFC 8489 §5): header, transaction id and the attributes in
// wire order. Parsing is strict about framing and hands back the raw
// attributes; the typed views of their values live in stun_attributes.hpp,
// building (with MESSAGE-INTEGRITY and FINGERPRINT) in stun_builder.hpp, and
// checking those two in stun_integrity.hpp.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |0 0|     STUN Message Type     |         Message Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                         Magic Cookie                          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                     Transaction ID (96 bits)                  |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "stun/stun_address.hpp"
#include "stun/stun_attributes.hpp"
#include "stun/stun_transaction_id.hpp"

namespace picortc::stun {

inline constexpr size_t kHeaderSize = 20;
inline constexpr size_t kAttributeHeaderSize = 4;
// The Message Length field is 16 bits and counts the attribute bytes only.
inline constexpr size_t kMaxAttributeBytes = 0xFFFC;

// RFC 8489 §5: the two class bits C1 C0.
enum class StunClass : uint8_t {
  kRequest = 0b00,
  kIndication = 0b01,
  kSuccessResponse = 0b10,
  kErrorResponse = 0b11,
};
const char* to_string(StunClass message_class);

// 12-bit methods: RFC 8489 §18.2 (Binding) and RFC 8656 §17 (TURN).
inline constexpr uint16_t kMethodBinding = 0x001;
inline constexpr uint16_t kMethodAllocate = 0x003;
inline constexpr uint16_t kMethodRefresh = 0x004;
inline constexpr uint16_t kMethodSend = 0x006;
inline constexpr uint16_t kMethodData = 0x007;
inline constexpr uint16_t kMethodCreatePermission = 0x008;
inline constexpr uint16_t kMethodChannelBind = 0x009;
inline constexpr uint16_t kMaxMethod = 0xFFF;
const char* method_name(uint16_t method);  // "Binding", ..., "unknown"

// RFC 8489 §5: the method bits M11..M0 and class bits C1 C0 interleave in the
// 14-bit type as M11-M7 C1 M6-M4 C0 M3-M0.
constexpr uint16_t encode_message_type(uint16_t method, StunClass message_class) {
  return static_cast<uint16_t>((method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) |
                               ((static_cast<uint16_t>(message_class) & 0x1) << 4) |
                               ((static_cast<uint16_t>(message_class) & 0x2) << 7));
}
constexpr uint16_t method_of_type(uint16_t type) {
  return static_cast<uint16_t>((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
}
constexpr StunClass class_of_type(uint16_t type) {
  return static_cast<StunClass>(((type >> 4) & 0x1) | ((type >> 7) & 0x2));
}

// Parse errors (compare by code).
inline constexpr std::string_view kErrHeaderTooShort = "stun: message shorter than the 20-byte header";
inline constexpr std::string_view kErrNotStun = "stun: first two bits of the message are not zero";
inline constexpr std::string_view kErrBadMagicCookie = "stun: magic cookie is not 0x2112A442";
inline constexpr std::string_view kErrLengthNotMultipleOf4 = "stun: message length is not a multiple of 4";
inline constexpr std::string_view kErrLengthMismatch =
    "stun: message length does not match the bytes received";
inline constexpr std::string_view kErrAttributePastEnd =
    "stun: attribute (with padding) runs past the message end";
inline constexpr std::string_view kErrFingerprintNotLast = "stun: attribute after FINGERPRINT";
inline constexpr std::string_view kErrBadFingerprintLength = "stun: FINGERPRINT value is not 4 bytes";
inline constexpr std::string_view kErrBadIntegrityLength = "stun: MESSAGE-INTEGRITY value is not 20 bytes";
inline constexpr std::string_view kErrBadIntegritySha256Length =
    "stun: MESSAGE-INTEGRITY-SHA256 value is not 16..32 bytes in steps of 4";
// Typed attribute access.
inline constexpr std::string_view kErrAttributeMissing = "stun: attribute not present";

// RFC 7983 §7 demultiplexing (first byte 0..3) plus the magic cookie: enough
// to route a datagram to the STUN code, not a validation.
bool looks_like_stun(BytesView bytes);

// For stream transports (TURN over TCP/TLS, RFC 8489 §6.2.2): the size of the
// whole message announced by a header at the start of `bytes` (20 + Message
// Length), or 0 when fewer than 20 bytes are there or they are no STUN header.
size_t stun_message_size(BytesView bytes);

// One attribute as found on the wire; `value` excludes the padding and points
// into the message that produced it (valid while that message lives and is
// not modified).
struct StunAttribute {
  uint16_t type = 0;
  BytesView value;
};

class StunMessage {
 public:
  StunMessage() = default;
  StunMessage(uint16_t method, StunClass message_class, const TransactionId& transaction_id);

  // Strict parse of one whole message: `bytes` must be exactly the message
  // (header + Message Length bytes), as a UDP datagram or a framed TCP
  // message is. Unknown attributes are kept; comprehension-required ones
  // (0x0000-0x7FFF) are also listed in unknown_comprehension_required().
  static Result<StunMessage> parse(BytesView bytes);

  uint16_t message_type() const { return encode_message_type(method_, class_); }
  uint16_t method() const { return method_; }
  StunClass message_class() const { return class_; }
  bool is_request() const { return class_ == StunClass::kRequest; }
  bool is_indication() const { return class_ == StunClass::kIndication; }
  bool is_success_response() const { return class_ == StunClass::kSuccessResponse; }
  bool is_error_response() const { return class_ == StunClass::kErrorResponse; }
  bool is_response() const { return is_success_response() || is_error_response(); }
  const TransactionId& transaction_id() const { return transaction_id_; }

  // Every attribute in wire order, including ignored ones (see find()).
  size_t attribute_count() const { return index_.size(); }
  StunAttribute attribute(size_t i) const;

  // The first occurrence of `type` among the attributes a receiver processes
  // (RFC 8489 §14: "only the first occurrence needs to be processed";
  // §14.5/§14.6: attributes after MESSAGE-INTEGRITY other than
  // MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, and after
  // MESSAGE-INTEGRITY-SHA256 other than FINGERPRINT, are ignored).
  bool find(uint16_t type, StunAttribute& out) const;
  bool has(uint16_t type) const {
    StunAttribute unused;
    return find(type, unused);
  }
  // Processed comprehension-required attribute types that is_known_attribute()
  // does not know, in wire order, each once: a server answers a request that
  // has any with 420 and UNKNOWN-ATTRIBUTES (RFC 8489 §6.3.1.1).
  const std::vector<uint16_t>& unknown_comprehension_required() const { return unknown_required_; }

  // Typed getters: kErrAttributeMissing when absent, the decoder's error when
  // malformed (stun_attributes.hpp).
  Result<TransportAddress> mapped_address() const;
  Result<TransportAddress> xor_mapped_address() const;
  Result<TransportAddress> xor_peer_address() const;
  Result<TransportAddress> xor_relayed_address() const;
  Result<std::string_view> username() const;
  Result<std::string_view> realm() const;
  Result<std::string_view> nonce() const;
  Result<std::string_view> software() const;
  Result<ErrorCode> error_code() const;
  Result<std::vector<uint16_t>> unknown_attributes() const;
  Result<uint32_t> priority() const;
  Result<uint64_t> ice_controlled() const;
  Result<uint64_t> ice_controlling() const;
  bool use_candidate() const { return has(kAttrUseCandidate); }
  Result<uint32_t> lifetime() const;
  Result<uint8_t> requested_transport() const;
  Result<uint16_t> channel_number() const;
  Result<BytesView> data() const;
  bool dont_fragment() const { return has(kAttrDontFragment); }
  Result<bool> even_port() const;
  Result<BytesView> reservation_token() const;

  // Appends an attribute with zero padding. For tests and re-marshalling;
  // new messages with integrity go through StunMessageBuilder.
  void add_attribute(uint16_t type, BytesView value);

  // Re-marshals exactly what was parsed (padding bytes included, so a parsed
  // message marshals back to its input).
  size_t marshal_size() const { return kHeaderSize + attribute_bytes_.size(); }
  size_t marshal_to(uint8_t* out, size_t capacity) const;  // 0 if it does not fit
  std::vector<uint8_t> marshal() const;

  friend bool operator==(const StunMessage& a, const StunMessage& b);
  friend bool operator!=(const StunMessage& a, const StunMessage& b) { return !(a == b); }

 private:
  struct IndexEntry {
    uint16_t type;
    uint16_t length;
    uint32_t value_offset;  // into attribute_bytes_
    bool ignored;           // after MESSAGE-INTEGRITY (RFC 8489 §14.5)
  };
  Result<BytesView> required(uint16_t type) const;
  Result<TransportAddress> xor_address(uint16_t type) const;

  uint16_t method_ = kMethodBinding;
  StunClass class_ = StunClass::kRequest;
  TransactionId transaction_id_{};
  std::vector<uint8_t> attribute_bytes_;  // TLVs with their padding, as on the wire
  std::vector<IndexEntry> index_;
  std::vector<uint16_t> unknown_required_;
};

}  // namespace picortc::stun
