#include "stun/stun_message.hpp"

#include <algorithm>
#include <cassert>

#include "stun/stun_crypto.hpp"

namespace picortc::stun {

const char* to_string(StunClass message_class) {
  switch (message_class) {
    case StunClass::kRequest:
      return "request";
    case StunClass::kIndication:
      return "indication";
    case StunClass::kSuccessResponse:
      return "success response";
    case StunClass::kErrorResponse:
      return "error response";
  }
  return "?";
}

const char* method_name(uint16_t method) {
  switch (method) {
    case kMethodBinding:
      return "Binding";
    case kMethodAllocate:
      return "Allocate";
    case kMethodRefresh:
      return "Refresh";
    case kMethodSend:
      return "Send";
    case kMethodData:
      return "Data";
    case kMethodCreatePermission:
      return "CreatePermission";
    case kMethodChannelBind:
      return "ChannelBind";
    default:
      return "unknown";
  }
}

TransactionId random_transaction_id() {
  TransactionId id;
  crypto::random_bytes(id.data(), id.size());
  return id;
}

namespace {

uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

bool looks_like_stun(BytesView bytes) {
  // RFC 7983 §7: a first byte in 0..3 is STUN (20..63 DTLS, 128..191 RTP/RTCP).
  return bytes.size() >= kHeaderSize && bytes[0] <= 3 && load_be32(bytes.data() + 4) == kMagicCookie;
}

size_t stun_message_size(BytesView bytes) {
  if (!looks_like_stun(bytes)) return 0;
  const size_t length = (size_t{bytes[2]} << 8) | bytes[3];
  return kHeaderSize + length;
}

StunMessage::StunMessage(uint16_t method, StunClass message_class, const TransactionId& transaction_id)
    : method_(method), class_(message_class), transaction_id_(transaction_id) {
  assert(method <= kMaxMethod);
}

Result<StunMessage> StunMessage::parse(BytesView bytes) {
  if (bytes.size() < kHeaderSize)
    return make_error(kErrHeaderTooShort, "size " + std::to_string(bytes.size()));
  ByteReader reader(bytes);
  uint16_t type = 0, length = 0;
  uint32_t cookie = 0;
  BytesView id;
  reader.read_u16(type);
  reader.read_u16(length);
  reader.read_u32(cookie);
  reader.read_bytes(12, id);
  // RFC 8489 §5: "The most significant 2 bits of every STUN message MUST be zeroes."
  if ((type & 0xC000) != 0) return make_error(kErrNotStun, "type 0x" + to_hex(BytesView(bytes.data(), 2)));
  if (cookie != kMagicCookie)
    return make_error(kErrBadMagicCookie, "cookie 0x" + to_hex(bytes.subview(4, 4)));
  // §5: "the message length MUST contain the size of the message in bytes,
  // not including the 20-byte STUN header. Since all STUN attributes are
  // padded to a multiple of 4 bytes, the last 2 bits of this field are always zero."
  if (length % 4 != 0) return make_error(kErrLengthNotMultipleOf4, "length " + std::to_string(length));
  if (length != reader.remaining()) {
    return make_error(kErrLengthMismatch, "length " + std::to_string(length) + ", received " +
                                              std::to_string(reader.remaining()));
  }

  StunMessage message;
  message.method_ = method_of_type(type);
  message.class_ = class_of_type(type);
  std::copy(id.begin(), id.end(), message.transaction_id_.begin());
  message.attribute_bytes_ = reader.rest().to_vector();

  // §14: Type (16) Length (16) Value, padded to a multiple of 4 bytes; the
  // Length excludes the padding.
  ByteReader attributes(message.attribute_bytes_);
  bool seen_integrity = false, seen_integrity_sha256 = false, seen_fingerprint = false;
  while (!attributes.empty()) {
    const size_t offset = attributes.position();
    uint16_t attr_type = 0, attr_length = 0;
    if (!attributes.read_u16(attr_type) || !attributes.read_u16(attr_length)) {
      return make_error(kErrAttributePastEnd, "header at " + std::to_string(offset));
    }
    const size_t padded = (size_t{attr_length} + 3) & ~size_t{3};
    if (!attributes.skip(padded)) {
      return make_error(kErrAttributePastEnd, attribute_name(attr_type) + " at " + std::to_string(offset) +
                                                  " length " + std::to_string(attr_length) + ", " +
                                                  std::to_string(attributes.remaining()) + " bytes left");
    }
    // §14.7: "the FINGERPRINT attribute MUST be the last attribute in the message".
    if (seen_fingerprint)
      return make_error(kErrFingerprintNotLast, attribute_name(attr_type) + " follows it");
    bool ignored = false;
    switch (attr_type) {
      case kAttrFingerprint:
        if (attr_length != 4)
          return make_error(kErrBadFingerprintLength, "length " + std::to_string(attr_length));
        seen_fingerprint = true;
        break;
      case kAttrMessageIntegrity:
        if (attr_length != 20)
          return make_error(kErrBadIntegrityLength, "length " + std::to_string(attr_length));
        ignored = seen_integrity || seen_integrity_sha256;
        seen_integrity = true;
        break;
      case kAttrMessageIntegritySha256:
        // §14.6: at least 16 bytes, at most 32, a multiple of 4.
        if (attr_length < 16 || attr_length > 32 || attr_length % 4 != 0) {
          return make_error(kErrBadIntegritySha256Length, "length " + std::to_string(attr_length));
        }
        ignored = seen_integrity_sha256;
        seen_integrity_sha256 = true;
        break;
      default:
        // §14.5: "agents MUST ignore all other attributes that follow MESSAGE-INTEGRITY"
        // (and §14.6 likewise for MESSAGE-INTEGRITY-SHA256).
        ignored = seen_integrity || seen_integrity_sha256;
        break;
    }
    message.index_.push_back(IndexEntry{attr_type, attr_length, static_cast<uint32_t>(offset + 4), ignored});
    if (!ignored && is_comprehension_required(attr_type) && !is_known_attribute(attr_type) &&
        std::find(message.unknown_required_.begin(), message.unknown_required_.end(), attr_type) ==
            message.unknown_required_.end()) {
      message.unknown_required_.push_back(attr_type);
    }
  }
  return message;
}

StunAttribute StunMessage::attribute(size_t i) const {
  const IndexEntry& entry = index_[i];
  return StunAttribute{entry.type, BytesView(attribute_bytes_.data() + entry.value_offset, entry.length)};
}

bool StunMessage::find(uint16_t type, StunAttribute& out) const {
  for (size_t i = 0; i < index_.size(); ++i) {
    if (index_[i].type == type && !index_[i].ignored) {
      out = attribute(i);
      return true;
    }
  }
  return false;
}

void StunMessage::add_attribute(uint16_t type, BytesView value) {
  const size_t padded = (value.size() + 3) & ~size_t{3};
  assert(attribute_bytes_.size() + 4 + padded <= kMaxAttributeBytes);
  const size_t offset = attribute_bytes_.size();
  attribute_bytes_.resize(offset + 4 + padded, 0);
  ByteWriter writer(attribute_bytes_.data() + offset, 4 + padded);
  writer.write_u16(type);
  writer.write_u16(static_cast<uint16_t>(value.size()));
  writer.write_bytes(value);
  // Mirror parse(): what follows an integrity attribute is ignored.
  bool after_integrity = false;
  for (const IndexEntry& entry : index_) {
    if (entry.type == kAttrMessageIntegrity || entry.type == kAttrMessageIntegritySha256)
      after_integrity = true;
  }
  const bool ignored = after_integrity && type != kAttrFingerprint && type != kAttrMessageIntegritySha256;
  index_.push_back(
      IndexEntry{type, static_cast<uint16_t>(value.size()), static_cast<uint32_t>(offset + 4), ignored});
  if (!ignored && is_comprehension_required(type) && !is_known_attribute(type) &&
      std::find(unknown_required_.begin(), unknown_required_.end(), type) == unknown_required_.end()) {
    unknown_required_.push_back(type);
  }
}

size_t StunMessage::marshal_to(uint8_t* out, size_t capacity) const {
  ByteWriter writer(out, capacity);
  writer.write_u16(message_type());
  writer.write_u16(static_cast<uint16_t>(attribute_bytes_.size()));
  writer.write_u32(kMagicCookie);
  writer.write_bytes(BytesView(transaction_id_.data(), transaction_id_.size()));
  writer.write_bytes(BytesView(attribute_bytes_));
  return writer.ok() ? writer.size() : 0;
}

std::vector<uint8_t> StunMessage::marshal() const {
  std::vector<uint8_t> out(marshal_size());
  const size_t written = marshal_to(out.data(), out.size());
  assert(written == out.size());
  (void)written;
  return out;
}

bool operator==(const StunMessage& a, const StunMessage& b) {
  return a.method_ == b.method_ && a.class_ == b.class_ && a.transaction_id_ == b.transaction_id_ &&
         a.attribute_bytes_ == b.attribute_bytes_;
}

Result<BytesView> StunMessage::required(uint16_t type) const {
  StunAttribute attr;
  if (!find(type, attr)) return make_error(kErrAttributeMissing, attribute_name(type));
  return attr.value;
}

Result<TransportAddress> StunMessage::xor_address(uint16_t type) const {
  auto value = required(type);
  if (!value) return value.error();
  return decode_xor_address(*value, transaction_id_);
}

Result<TransportAddress> StunMessage::mapped_address() const {
  auto value = required(kAttrMappedAddress);
  if (!value) return value.error();
  return decode_address(*value);
}
Result<TransportAddress> StunMessage::xor_mapped_address() const {
  return xor_address(kAttrXorMappedAddress);
}
Result<TransportAddress> StunMessage::xor_peer_address() const {
  return xor_address(kAttrXorPeerAddress);
}
Result<TransportAddress> StunMessage::xor_relayed_address() const {
  return xor_address(kAttrXorRelayedAddress);
}

Result<std::string_view> StunMessage::username() const {
  auto value = required(kAttrUsername);
  if (!value) return value.error();
  return decode_text(*value, kMaxUsernameBytes);
}
Result<std::string_view> StunMessage::realm() const {
  auto value = required(kAttrRealm);
  if (!value) return value.error();
  return decode_text(*value, kMaxTextBytes);
}
Result<std::string_view> StunMessage::nonce() const {
  auto value = required(kAttrNonce);
  if (!value) return value.error();
  return decode_text(*value, kMaxTextBytes);
}
Result<std::string_view> StunMessage::software() const {
  auto value = required(kAttrSoftware);
  if (!value) return value.error();
  return decode_text(*value, kMaxTextBytes);
}
Result<ErrorCode> StunMessage::error_code() const {
  auto value = required(kAttrErrorCode);
  if (!value) return value.error();
  return decode_error_code(*value);
}
Result<std::vector<uint16_t>> StunMessage::unknown_attributes() const {
  auto value = required(kAttrUnknownAttributes);
  if (!value) return value.error();
  return decode_unknown_attributes(*value);
}
Result<uint32_t> StunMessage::priority() const {
  auto value = required(kAttrPriority);
  if (!value) return value.error();
  return decode_u32(*value);
}
Result<uint64_t> StunMessage::ice_controlled() const {
  auto value = required(kAttrIceControlled);
  if (!value) return value.error();
  return decode_u64(*value);
}
Result<uint64_t> StunMessage::ice_controlling() const {
  auto value = required(kAttrIceControlling);
  if (!value) return value.error();
  return decode_u64(*value);
}
Result<uint32_t> StunMessage::lifetime() const {
  auto value = required(kAttrLifetime);
  if (!value) return value.error();
  return decode_u32(*value);
}
Result<uint8_t> StunMessage::requested_transport() const {
  auto value = required(kAttrRequestedTransport);
  if (!value) return value.error();
  return decode_requested_transport(*value);
}
Result<uint16_t> StunMessage::channel_number() const {
  auto value = required(kAttrChannelNumber);
  if (!value) return value.error();
  return decode_channel_number(*value);
}
Result<BytesView> StunMessage::data() const {
  return required(kAttrData);
}
Result<bool> StunMessage::even_port() const {
  auto value = required(kAttrEvenPort);
  if (!value) return value.error();
  return decode_even_port(*value);
}
Result<BytesView> StunMessage::reservation_token() const {
  auto value = required(kAttrReservationToken);
  if (!value) return value.error();
  if (value->size() != 8)
    return make_error(kErrBadAttributeLength, "want 8, got " + std::to_string(value->size()));
  return *value;
}

}  // namespace picortc::stun
