#include "stun/stun_attributes.hpp"

#include <cassert>
#include <cstdio>

namespace picortc::stun {

bool is_known_attribute(uint16_t type) {
  switch (type) {
    case kAttrMappedAddress:
    case kAttrUsername:
    case kAttrMessageIntegrity:
    case kAttrErrorCode:
    case kAttrUnknownAttributes:
    case kAttrChannelNumber:
    case kAttrLifetime:
    case kAttrXorPeerAddress:
    case kAttrData:
    case kAttrRealm:
    case kAttrNonce:
    case kAttrXorRelayedAddress:
    case kAttrRequestedAddressFamily:
    case kAttrEvenPort:
    case kAttrRequestedTransport:
    case kAttrDontFragment:
    case kAttrMessageIntegritySha256:
    case kAttrXorMappedAddress:
    case kAttrReservationToken:
    case kAttrPriority:
    case kAttrUseCandidate:
    case kAttrPasswordAlgorithms:
    case kAttrAlternateDomain:
    case kAttrSoftware:
    case kAttrAlternateServer:
    case kAttrFingerprint:
    case kAttrIceControlled:
    case kAttrIceControlling:
      return true;
    default:
      return false;
  }
}

std::string attribute_name(uint16_t type) {
  switch (type) {
    case kAttrMappedAddress:
      return "MAPPED-ADDRESS";
    case kAttrUsername:
      return "USERNAME";
    case kAttrMessageIntegrity:
      return "MESSAGE-INTEGRITY";
    case kAttrErrorCode:
      return "ERROR-CODE";
    case kAttrUnknownAttributes:
      return "UNKNOWN-ATTRIBUTES";
    case kAttrChannelNumber:
      return "CHANNEL-NUMBER";
    case kAttrLifetime:
      return "LIFETIME";
    case kAttrXorPeerAddress:
      return "XOR-PEER-ADDRESS";
    case kAttrData:
      return "DATA";
    case kAttrRealm:
      return "REALM";
    case kAttrNonce:
      return "NONCE";
    case kAttrXorRelayedAddress:
      return "XOR-RELAYED-ADDRESS";
    case kAttrRequestedAddressFamily:
      return "REQUESTED-ADDRESS-FAMILY";
    case kAttrEvenPort:
      return "EVEN-PORT";
    case kAttrRequestedTransport:
      return "REQUESTED-TRANSPORT";
    case kAttrDontFragment:
      return "DONT-FRAGMENT";
    case kAttrMessageIntegritySha256:
      return "MESSAGE-INTEGRITY-SHA256";
    case kAttrPasswordAlgorithm:
      return "PASSWORD-ALGORITHM";
    case kAttrUserhash:
      return "USERHASH";
    case kAttrXorMappedAddress:
      return "XOR-MAPPED-ADDRESS";
    case kAttrReservationToken:
      return "RESERVATION-TOKEN";
    case kAttrPriority:
      return "PRIORITY";
    case kAttrUseCandidate:
      return "USE-CANDIDATE";
    case kAttrPasswordAlgorithms:
      return "PASSWORD-ALGORITHMS";
    case kAttrAlternateDomain:
      return "ALTERNATE-DOMAIN";
    case kAttrSoftware:
      return "SOFTWARE";
    case kAttrAlternateServer:
      return "ALTERNATE-SERVER";
    case kAttrFingerprint:
      return "FINGERPRINT";
    case kAttrIceControlled:
      return "ICE-CONTROLLED";
    case kAttrIceControlling:
      return "ICE-CONTROLLING";
    default: {
      char text[8];
      std::snprintf(text, sizeof text, "0x%04x", type);
      return text;
    }
  }
}

const char* default_reason_phrase(int code) {
  switch (code) {
    case kErrorTryAlternate:
      return "Try Alternate";
    case kErrorBadRequest:
      return "Bad Request";
    case kErrorUnauthorized:
      return "Unauthorized";
    case kErrorForbidden:
      return "Forbidden";
    case kErrorUnknownAttribute:
      return "Unknown Attribute";
    case kErrorAllocationMismatch:
      return "Allocation Mismatch";
    case kErrorStaleNonce:
      return "Stale Nonce";
    case kErrorAddressFamilyNotSupported:
      return "Address Family not Supported";
    case kErrorWrongCredentials:
      return "Wrong Credentials";
    case kErrorUnsupportedTransport:
      return "Unsupported Transport Protocol";
    case kErrorPeerAddressFamilyMismatch:
      return "Peer Address Family Mismatch";
    case kErrorAllocationQuotaReached:
      return "Allocation Quota Reached";
    case kErrorRoleConflict:
      return "Role Conflict";
    case kErrorServerError:
      return "Server Error";
    case kErrorInsufficientCapacity:
      return "Insufficient Capacity";
    default:
      return "";
  }
}

namespace {

// The XOR key of the address bytes: cookie, then the transaction id
// (RFC 8489 §14.2; IPv4 uses only the cookie part).
std::array<uint8_t, 16> xor_key(const TransactionId& transaction_id) {
  std::array<uint8_t, 16> key{};
  key[0] = static_cast<uint8_t>(kMagicCookie >> 24);
  key[1] = static_cast<uint8_t>(kMagicCookie >> 16);
  key[2] = static_cast<uint8_t>(kMagicCookie >> 8);
  key[3] = static_cast<uint8_t>(kMagicCookie);
  for (size_t i = 0; i < transaction_id.size(); ++i)
    key[4 + i] = transaction_id[i];
  return key;
}

Result<TransportAddress> decode_address_bytes(BytesView value, const std::array<uint8_t, 16>* key) {
  ByteReader reader(value);
  uint8_t reserved = 0, family = 0;
  uint16_t port = 0;
  if (!reader.read_u8(reserved) || !reader.read_u8(family) || !reader.read_u16(port)) {
    return make_error(kErrBadAddressLength, "length " + std::to_string(value.size()));
  }
  // The first byte is reserved; RFC 8489 asks receivers to ignore it.
  if (key) port ^= static_cast<uint16_t>(kMagicCookie >> 16);
  if (family == static_cast<uint8_t>(AddressFamily::kIPv4)) {
    if (value.size() != 8)
      return make_error(kErrBadAddressLength, "IPv4 length " + std::to_string(value.size()));
    uint8_t ip[4];
    for (size_t i = 0; i < 4; ++i)
      ip[i] = static_cast<uint8_t>(value[4 + i] ^ (key ? (*key)[i] : 0));
    return TransportAddress::ipv4(ip[0], ip[1], ip[2], ip[3], port);
  }
  if (family == static_cast<uint8_t>(AddressFamily::kIPv6)) {
    if (value.size() != 20)
      return make_error(kErrBadAddressLength, "IPv6 length " + std::to_string(value.size()));
    std::array<uint8_t, 16> ip{};
    for (size_t i = 0; i < 16; ++i)
      ip[i] = static_cast<uint8_t>(value[4 + i] ^ (key ? (*key)[i] : 0));
    return TransportAddress::ipv6(ip, port);
  }
  return make_error(kErrBadAddressFamily, "family " + std::to_string(family));
}

void write_address_bytes(ByteWriter& out, const TransportAddress& address,
                         const std::array<uint8_t, 16>* key) {
  out.write_u8(0);
  out.write_u8(static_cast<uint8_t>(address.family()));
  uint16_t port = address.port();
  if (key) port ^= static_cast<uint16_t>(kMagicCookie >> 16);
  out.write_u16(port);
  for (size_t i = 0; i < address.address_size(); ++i) {
    out.write_u8(static_cast<uint8_t>(address.address_bytes()[i] ^ (key ? (*key)[i] : 0)));
  }
}

}  // namespace

Result<TransportAddress> decode_address(BytesView value) {
  return decode_address_bytes(value, nullptr);
}

void write_address(ByteWriter& out, const TransportAddress& address) {
  write_address_bytes(out, address, nullptr);
}

Result<TransportAddress> decode_xor_address(BytesView value, const TransactionId& transaction_id) {
  const auto key = xor_key(transaction_id);
  return decode_address_bytes(value, &key);
}

void write_xor_address(ByteWriter& out, const TransportAddress& address,
                       const TransactionId& transaction_id) {
  const auto key = xor_key(transaction_id);
  write_address_bytes(out, address, &key);
}

Result<ErrorCode> decode_error_code(BytesView value) {
  ByteReader reader(value);
  uint32_t head = 0;
  if (!reader.read_u32(head))
    return make_error(kErrErrorCodeTooShort, "length " + std::to_string(value.size()));
  const int error_class = static_cast<int>((head >> 8) & 0x7);
  const int number = static_cast<int>(head & 0xFF);
  // §14.8: "The class represents the hundreds digit of the error code. The
  // value MUST be between 3 and 6. The number represents the binary encoding
  // of the error code modulo 100, and its value MUST be between 0 and 99."
  if (error_class < 3 || error_class > 6 || number > 99) {
    return make_error(kErrErrorCodeOutOfRange,
                      "class " + std::to_string(error_class) + " number " + std::to_string(number));
  }
  auto reason = decode_text(reader.rest(), kMaxTextBytes);
  if (!reason) return reason.error();
  return ErrorCode{error_class * 100 + number, std::string(*reason)};
}

void write_error_code(ByteWriter& out, const ErrorCode& error) {
  assert(error.code >= 300 && error.code <= 699);
  out.write_u16(0);
  out.write_u8(static_cast<uint8_t>(error.code / 100));
  out.write_u8(static_cast<uint8_t>(error.code % 100));
  out.write_bytes(BytesView(error.reason));
}

Result<std::vector<uint16_t>> decode_unknown_attributes(BytesView value) {
  if (value.size() % 2 != 0)
    return make_error(kErrOddUnknownAttributes, "length " + std::to_string(value.size()));
  std::vector<uint16_t> types;
  ByteReader reader(value);
  uint16_t type = 0;
  while (reader.read_u16(type))
    types.push_back(type);
  return types;
}

Result<std::string_view> decode_text(BytesView value, size_t max_bytes) {
  if (value.size() > max_bytes) {
    return make_error(kErrTextTooLong, std::to_string(value.size()) + " > " + std::to_string(max_bytes));
  }
  return value.as_string_view();
}

Result<uint32_t> decode_u32(BytesView value) {
  ByteReader reader(value);
  uint32_t v = 0;
  if (value.size() != 4 || !reader.read_u32(v)) {
    return make_error(kErrBadAttributeLength, "want 4, got " + std::to_string(value.size()));
  }
  return v;
}

Result<uint64_t> decode_u64(BytesView value) {
  ByteReader reader(value);
  uint64_t v = 0;
  if (value.size() != 8 || !reader.read_u64(v)) {
    return make_error(kErrBadAttributeLength, "want 8, got " + std::to_string(value.size()));
  }
  return v;
}

Result<uint8_t> decode_requested_transport(BytesView value) {
  if (value.size() != 4)
    return make_error(kErrBadAttributeLength, "want 4, got " + std::to_string(value.size()));
  return value[0];
}

Result<uint16_t> decode_channel_number(BytesView value) {
  if (value.size() != 4)
    return make_error(kErrBadAttributeLength, "want 4, got " + std::to_string(value.size()));
  return static_cast<uint16_t>((value[0] << 8) | value[1]);
}

Result<bool> decode_even_port(BytesView value) {
  if (value.size() != 1)
    return make_error(kErrBadAttributeLength, "want 1, got " + std::to_string(value.size()));
  return (value[0] & 0x80) != 0;
}

}  // namespace picortc::stun
