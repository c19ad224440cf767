#pragma once
// SRTP protection profiles negotiated by the DTLS use_srtp extension and the
// keying material exported after the handshake (RFC 5764 §4.2). Pure: the
// OpenSSL export itself lives in dtls_transport.cpp; the srtp module consumes
// SrtpKeyingMaterial to set up libsrtp.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace picortc::dtls {

// Values are the two-byte SRTPProtectionProfile identifiers on the wire
// (RFC 5764 §4.1.2, RFC 7714 §14.2).
enum class SrtpProfile : uint16_t {
  kAes128CmHmacSha1_80 = 0x0001,
  kAeadAes128Gcm = 0x0007,
};

// Name as OpenSSL's SSL_CTX_set_tlsext_use_srtp spells it.
constexpr std::string_view srtp_profile_name(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes128Gcm ? "SRTP_AEAD_AES_128_GCM" : "SRTP_AES128_CM_SHA1_80";
}
// RFC 5764 §4.1.2: SRTP_AES128_CM_HMAC_SHA1_80 has a 128-bit master key and a
// 112-bit master salt; RFC 7714 §12: AEAD_AES_128_GCM a 128-bit key, 96-bit salt.
constexpr size_t srtp_master_key_size(SrtpProfile) {
  return 16;
}
constexpr size_t srtp_master_salt_size(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes128Gcm ? 12 : 14;
}
// RFC 5764 §4.2: the exporter output is 2 * (key + salt) bytes.
constexpr size_t srtp_exported_keying_material_size(SrtpProfile profile) {
  return 2 * (srtp_master_key_size(profile) + srtp_master_salt_size(profile));
}

// RFC 5764 §4.2: the exporter label.
inline constexpr std::string_view kDtlsSrtpExporterLabel = "EXTRACTOR-dtls_srtp";

inline constexpr std::string_view kErrKeyingMaterialSize =
    "dtls: exported keying material has the wrong size";

// Keys for one peer, already oriented: `local_*` protects what we send,
// `remote_*` unprotects what we receive.
struct SrtpKeyingMaterial {
  SrtpProfile profile = SrtpProfile::kAeadAes128Gcm;
  std::vector<uint8_t> local_key;
  std::vector<uint8_t> local_salt;
  std::vector<uint8_t> remote_key;
  std::vector<uint8_t> remote_salt;

  friend bool operator==(const SrtpKeyingMaterial& a, const SrtpKeyingMaterial& b) {
    return a.profile == b.profile && a.local_key == b.local_key && a.local_salt == b.local_salt &&
           a.remote_key == b.remote_key && a.remote_salt == b.remote_salt;
  }
};

// Splits exporter output into oriented keys. RFC 5764 §4.2:
//   client_write_SRTP_master_key[SRTPSecurityParams.master_key_len];
//   server_write_SRTP_master_key[SRTPSecurityParams.master_key_len];
//   client_write_SRTP_master_salt[SRTPSecurityParams.master_salt_len];
//   server_write_SRTP_master_salt[SRTPSecurityParams.master_salt_len];
// The client writes with the client keys, so a client's local keys are the
// client_write ones and a server's local keys are the server_write ones.
Result<SrtpKeyingMaterial> split_keying_material(SrtpProfile profile, BytesView exported, bool is_client);

}  // namespace picortc::dtls
