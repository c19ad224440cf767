#pragma once
// Certificate fingerprints as SDP carries them (RFC 8122 §5):
//
//   fingerprint-attribute  =  "fingerprint" ":" hash-func SP fingerprint
//   hash-func              =  "sha-1" / "sha-224" / "sha-256" /
//                             "sha-384" / "sha-512" / ...
//   fingerprint            =  2UHEX *(":" 2UHEX)
//
// This file formats and parses the attribute value ("sha-256 AB:CD:..."); the
// digest itself is computed in certificate.cpp (OpenSSL).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace picortc::dtls {

enum class HashFunction { kSha1, kSha256, kSha384, kSha512 };

// The SDP token ("sha-256").
std::string_view hash_function_name(HashFunction hash);
size_t hash_digest_size(HashFunction hash);
// Case-insensitive (RFC 8122 §5: "hash-func" tokens compare case-insensitively).
Result<HashFunction> parse_hash_function(std::string_view name);

inline constexpr std::string_view kErrFingerprintSyntax =
    "dtls: fingerprint is not 'hash-func SP hex:hex:...'";
inline constexpr std::string_view kErrUnknownHashFunction = "dtls: unsupported fingerprint hash function";
inline constexpr std::string_view kErrFingerprintLength =
    "dtls: fingerprint length does not match its hash function";

struct Fingerprint {
  HashFunction hash = HashFunction::kSha256;
  std::vector<uint8_t> digest;

  // Parses an a=fingerprint value, e.g. "sha-256 4A:AD:B9:...". Hex digits may
  // be either case (RFC 8122 asks for upper case; browsers send it, others
  // may not), surrounding whitespace is ignored.
  static Result<Fingerprint> parse(std::string_view sdp_value);

  // "sha-256 AB:CD:..." with upper-case hex, as RFC 8122 §5 writes it.
  std::string to_sdp() const;

  bool empty() const { return digest.empty(); }

  // Strict: same hash function and identical digest bytes.
  friend bool operator==(const Fingerprint& a, const Fingerprint& b) {
    return a.hash == b.hash && a.digest == b.digest;
  }
  friend bool operator!=(const Fingerprint& a, const Fingerprint& b) { return !(a == b); }
};

}  // namespace picortc::dtls
