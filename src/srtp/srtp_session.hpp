#pragma once
// SRTP/SRTCP protection for one direction of one peer (RFC 3711, RFC 7714),
// on libsrtp2. libsrtp stays in srtp_session.cpp (pimpl).
//
// Buffer API, no allocation per packet: protect works in place in a caller
// buffer with room for the trailer (capacity >= length + overhead); unprotect
// works in place and returns the shorter length.
//
// Threading: a session is used from one thread at a time (the peer's event
// loop); different sessions may run on different threads. srtp_init() is
// done once per process, thread-safely, by the first create().
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/log.hpp"
#include "core/result.hpp"
#include "dtls/srtp_keying.hpp"

namespace picortc::srtp {

using dtls::SrtpProfile;

// Authentication tag: 80-bit HMAC-SHA1 truncation (RFC 3711 §5.2) or the
// 16-byte GCM tag (RFC 7714 §7).
inline constexpr size_t kSha1_80TagSize = 10;
inline constexpr size_t kGcmTagSize = 16;
// SRTCP adds the E flag + 31-bit SRTCP index before the tag (RFC 3711 §3.4).
inline constexpr size_t kSrtcpIndexSize = 4;
// Room to leave after a packet for any profile.
inline constexpr size_t kMaxRtpOverhead = kGcmTagSize;
inline constexpr size_t kMaxRtcpOverhead = kGcmTagSize + kSrtcpIndexSize;

constexpr size_t srtp_rtp_overhead(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes128Gcm ? kGcmTagSize : kSha1_80TagSize;
}
constexpr size_t srtp_rtcp_overhead(SrtpProfile profile) {
  return srtp_rtp_overhead(profile) + kSrtcpIndexSize;
}

// Error codes. Failures reported by libsrtp carry its status name
// ("srtp_err_status_auth_fail") in the code itself for the frequent ones and
// in `detail` for the rest.
inline constexpr std::string_view kErrInit = "srtp: srtp_init failed";
inline constexpr std::string_view kErrConfig = "srtp: invalid session configuration";
inline constexpr std::string_view kErrCreate = "srtp: srtp_create failed";
inline constexpr std::string_view kErrWrongDirection =
    "srtp: operation not valid for this session's direction";
inline constexpr std::string_view kErrBufferTooSmall = "srtp: buffer has no room for the SRTP trailer";
inline constexpr std::string_view kErrPacketTooShort = "srtp: packet shorter than its fixed header";
inline constexpr std::string_view kErrPacketTooLong = "srtp: packet longer than an int";
inline constexpr std::string_view kErrAuthFail = "srtp: srtp_err_status_auth_fail";
inline constexpr std::string_view kErrReplayFail = "srtp: srtp_err_status_replay_fail";
inline constexpr std::string_view kErrReplayOld = "srtp: srtp_err_status_replay_old";
inline constexpr std::string_view kErrLibsrtp = "srtp: libsrtp error";  // detail: status name

// "srtp_err_status_auth_fail" for 7, ...
const char* srtp_status_name(int status);

enum class SrtpDirection { kOutbound, kInbound };

struct SrtpSessionConfig {
  SrtpProfile profile = SrtpProfile::kAeadAes128Gcm;
  std::vector<uint8_t> master_key;   // 16 bytes
  std::vector<uint8_t> master_salt;  // 14 (AES-CM) or 12 (GCM) bytes
  // Receive-side replay window in packets (libsrtp accepts 64..32767). Larger
  // than libsrtp's default 128 so that NACK-repaired packets arriving late
  // are still accepted.
  size_t replay_window = 1024;
};

struct SrtpStats {
  uint64_t protected_packets = 0;
  uint64_t unprotected_packets = 0;
  uint64_t auth_failures = 0;
  uint64_t replay_rejects = 0;  // replay_fail + replay_old
  uint64_t other_failures = 0;
  // Inbound packets too short to hold a header and the authentication tag
  // (dropped before libsrtp sees them).
  uint64_t too_short = 0;
};

class SrtpSession {
 public:
  // Outbound sessions protect any SSRC we send; inbound ones unprotect any
  // SSRC we receive (libsrtp's ssrc_any_outbound / ssrc_any_inbound).
  // Outbound allows protecting the same RTP sequence number twice (NACK
  // resends the stored packet: libsrtp's allow_repeat_tx).
  static Result<std::unique_ptr<SrtpSession>> create(SrtpDirection direction,
                                                     const SrtpSessionConfig& config);
  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  // In place; returns the protected length (length + srtp_rtp_overhead).
  Result<size_t> protect_rtp(uint8_t* packet, size_t length, size_t capacity);
  Result<size_t> protect_rtcp(uint8_t* packet, size_t length, size_t capacity);
  // In place; returns the plain length. Every failure (too short,
  // authentication, replay, other) is counted in stats() and logged, rate
  // limited.
  Result<size_t> unprotect_rtp(uint8_t* packet, size_t length);
  Result<size_t> unprotect_rtcp(uint8_t* packet, size_t length);

  SrtpDirection direction() const { return direction_; }
  SrtpProfile profile() const { return profile_; }
  const SrtpStats& stats() const { return stats_; }

 private:
  struct Impl;
  SrtpSession(SrtpDirection direction, SrtpProfile profile, std::unique_ptr<Impl> impl);
  Error count_failure(int status, const char* operation);

  SrtpDirection direction_;
  SrtpProfile profile_;
  std::unique_ptr<Impl> impl_;
  SrtpStats stats_;
  DropCounter unprotect_drops_{"srtp", "inbound packets dropped"};
};

// Both directions of one peer, from the keys a DTLS handshake exported.
struct SrtpSessionPair {
  std::unique_ptr<SrtpSession> outbound;
  std::unique_ptr<SrtpSession> inbound;

  static Result<SrtpSessionPair> create(const dtls::SrtpKeyingMaterial& keys, size_t replay_window = 1024);
};

}  // namespace picortc::srtp
