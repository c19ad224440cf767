#pragma once
// The local DTLS identity: a self-signed ECDSA P-256 certificate and its key,
// generated at run time (RFC 8827 §6.5: WebRTC endpoints use self-signed
// certificates; the peer authenticates them by the SDP fingerprint only).
//
// Held as DER bytes so that this header needs no OpenSSL; dtls_transport.cpp
// loads them into each SSL object. Copies are cheap enough (a few hundred
// bytes) and share nothing.
#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "dtls/fingerprint.hpp"

namespace picortc::dtls {

inline constexpr std::string_view kErrCertificateGeneration = "dtls: could not generate certificate";
inline constexpr std::string_view kErrCertificateDecode = "dtls: certificate DER does not decode";

struct CertificateOptions {
  std::string common_name = "picortc";
  // Valid from now - not_before_slack (peers with a clock behind ours) to
  // now + lifetime. Browsers do not check validity of DTLS certificates, but
  // other stacks might.
  Duration not_before_slack = std::chrono::hours(24);
  Duration lifetime = std::chrono::hours(24 * 30);
};

class Certificate {
 public:
  Certificate() = default;

  // A fresh key pair and certificate (random 64-bit serial, SHA-256 signature).
  static Result<Certificate> generate(const CertificateOptions& options = {});
  // One certificate per process, generated on first use (thread-safe). A
  // failed generation is retried on the next call.
  static Result<Certificate> process_default();

  bool empty() const { return certificate_der_.empty(); }
  BytesView certificate_der() const { return BytesView(certificate_der_); }
  // PKCS#8 PrivateKeyInfo, DER.
  BytesView private_key_der() const { return BytesView(private_key_der_); }
  // The SHA-256 fingerprint, computed once.
  const Fingerprint& fingerprint() const { return sha256_fingerprint_; }

 private:
  std::vector<uint8_t> certificate_der_;
  std::vector<uint8_t> private_key_der_;
  Fingerprint sha256_fingerprint_;
};

// Digest of a DER certificate with the given hash function (RFC 8122 §5: the
// fingerprint is the hash of the DER form of the certificate).
Result<Fingerprint> compute_fingerprint(BytesView certificate_der, HashFunction hash);

}  // namespace picortc::dtls
