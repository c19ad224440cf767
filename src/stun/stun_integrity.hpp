#pragma once
// MESSAGE-INTEGRITY (RFC 8489 §14.5), MESSAGE-INTEGRITY-SHA256 (§14.6) and
// FINGERPRINT (§14.7): computing them for the builder and checking them on
// received bytes. Checks work on the bytes as received (the HMAC covers the
// wire bytes, padding included), not on a re-marshalled message.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "stun/stun_crypto.hpp"

namespace picortc::stun {

// RFC 8489 §9.1.1: the short-term key is the password ("key = OpaqueString(password)").
// We treat the password as opaque UTF-8 bytes: no SASLprep/OpaqueString
// normalisation (ICE passwords are ASCII by RFC 8445 §5.3, so it never matters there).
std::vector<uint8_t> short_term_key(std::string_view password);
// RFC 8489 §9.2.2: key = MD5(username ":" OpaqueString(realm) ":" OpaqueString(password)),
// again without normalisation: callers pass what the user configured.
std::vector<uint8_t> long_term_key(std::string_view username, std::string_view realm,
                                   std::string_view password);

enum class IntegrityCheck {
  kOk,
  kMissing,    // no (processed) integrity attribute of that kind
  kMismatch,   // present, but the HMAC differs: wrong key or altered message
  kMalformed,  // the bytes are no well-framed STUN message
};
const char* to_string(IntegrityCheck check);

// Verifies the first processed MESSAGE-INTEGRITY (HMAC-SHA1) of `message`.
IntegrityCheck check_integrity(BytesView message, BytesView key);
// Verifies MESSAGE-INTEGRITY-SHA256, including truncated (16..28 byte) values.
IntegrityCheck check_integrity_sha256(BytesView message, BytesView key);
// Verifies FINGERPRINT; kMalformed also when it is not the last attribute.
IntegrityCheck check_fingerprint(BytesView message);

// The attribute values, computed over `prefix`: the message from its first
// header byte up to (excluding) the attribute being computed. The Message
// Length of the prefix's header is replaced, for the hash, by the length the
// message has once that attribute is appended (§14.5: "adjusted to point to
// the end of the MESSAGE-INTEGRITY attribute"). prefix.size() >= 20.
crypto::Sha1Digest compute_message_integrity(BytesView prefix, BytesView key);
crypto::Sha256Digest compute_message_integrity_sha256(BytesView prefix, BytesView key);
uint32_t compute_fingerprint(BytesView prefix);

// ISO-HDLC CRC-32 (the one of zlib and Ethernet), as FINGERPRINT uses it.
uint32_t crc32(BytesView bytes);
inline constexpr uint32_t kFingerprintXor = 0x5354554E;

}  // namespace picortc::stun
