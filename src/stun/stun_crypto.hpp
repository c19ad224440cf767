#pragma once
// The cryptography STUN needs (RFC 8489 §9, §14.5, §14.6): HMAC-SHA1,
// HMAC-SHA256, MD5 for the long-term key, and random transaction ids.
// The only file that includes OpenSSL is stun_crypto.cpp; this header names
// no OpenSSL type. Inputs come as several parts so the message with its
// adjusted length field can be hashed without copying it.
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "core/bytes.hpp"

namespace picortc::stun::crypto {

using Sha1Digest = std::array<uint8_t, 20>;
using Sha256Digest = std::array<uint8_t, 32>;
using Md5Digest = std::array<uint8_t, 16>;

Sha1Digest hmac_sha1(BytesView key, std::initializer_list<BytesView> parts);
Sha256Digest hmac_sha256(BytesView key, std::initializer_list<BytesView> parts);
Md5Digest md5(std::initializer_list<BytesView> parts);
// Cryptographically random; aborts if the system has no entropy (nothing
// sensible could continue).
void random_bytes(uint8_t* out, size_t size);

}  // namespace picortc::stun::crypto
