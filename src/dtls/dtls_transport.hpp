#pragma once
// DTLS 1.2 for DTLS-SRTP (RFC 5764, RFC 8842): a handshake over datagrams that
// the caller moves (no socket here), a peer certificate authenticated only by
// the fingerprint from SDP, and SRTP keys exported at the end.
//
//   DTLS role from SDP a=setup (RFC 8842 §5.2): "active" → client,
//   "passive" → server.
//
// Threading and re-entrancy: single-threaded; call everything on the thread
// that owns the peer (the event loop). Callbacks run synchronously inside
// start(), handle_datagram(), handle_timeout() and close(). The send callback
// must only hand the bytes on (no calls back into the transport). The state
// callback may call read-only methods and close(), but must not destroy the
// transport.
//
// OpenSSL stays in dtls_transport.cpp (pimpl).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "dtls/certificate.hpp"
#include "dtls/fingerprint.hpp"
#include "dtls/srtp_keying.hpp"

namespace picortc::dtls {

enum class DtlsRole { kClient, kServer };
enum class DtlsState { kNew, kConnecting, kConnected, kFailed, kClosed };

const char* dtls_role_name(DtlsRole role);
const char* dtls_state_name(DtlsState state);

inline constexpr std::string_view kErrSetupValue = "dtls: a=setup must be 'active' or 'passive' here";
inline constexpr std::string_view kErrConfig = "dtls: invalid transport configuration";
inline constexpr std::string_view kErrOpenSsl = "dtls: OpenSSL setup failed";

// Our own a=setup value once negotiated (RFC 8842 §5.2). "actpass" is an offer,
// not a role, and is rejected.
Result<DtlsRole> dtls_role_from_setup(std::string_view setup);

// Failure and close reasons handed to the state callback (prefixes; some carry
// details after ": ").
inline constexpr std::string_view kReasonFingerprintMismatch = "fingerprint mismatch";
inline constexpr std::string_view kReasonNoRemoteFingerprint = "no remote fingerprint";
inline constexpr std::string_view kReasonNoSrtpProfile = "no SRTP profile negotiated";
inline constexpr std::string_view kReasonHandshakeTimeout = "handshake timeout";
inline constexpr std::string_view kReasonAlertReceived = "received alert";  // + ": <description>"
inline constexpr std::string_view kReasonCloseNotify = "close_notify received";
inline constexpr std::string_view kReasonClosedLocally = "closed locally";

struct DtlsConfig {
  DtlsRole role = DtlsRole::kServer;
  Certificate certificate;
  // From the remote SDP (a=fingerprint). May also be set later with
  // set_remote_fingerprint(), but must be known before the handshake ends.
  Fingerprint remote_fingerprint;
  // use_srtp profiles in order of preference (RFC 5764 §4.1.1). The server's
  // order decides. GCM first: with Debian's libsrtp2 it costs a fifth of
  // AES-CM + HMAC-SHA1 per packet (docs/dtls-srtp.md).
  std::vector<SrtpProfile> srtp_profiles{SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAes128CmHmacSha1_80};
  // Largest datagram we emit (UDP payload); records are cut to fit.
  size_t mtu = 1200;
  // Retransmission timer (RFC 6347 §4.2.4.1): starts here, doubles per
  // timeout, capped. RFC 6347 suggests 1 s; on the paths we serve (LAN or one
  // NAT hop) a shorter start gets a lost flight back sooner.
  Duration initial_retransmit_timeout = milliseconds(400);
  Duration max_retransmit_timeout = seconds(4);
  // The whole handshake, from start(): then the transport fails.
  Duration handshake_timeout = seconds(10);
};

struct DtlsStats {
  uint64_t datagrams_received = 0;  // handed to handle_datagram()
  uint64_t datagrams_sent = 0;
  uint64_t malformed_dropped = 0;         // not a sequence of well-framed DTLS records
  uint64_t after_close_dropped = 0;       // arrived after failed/closed
  uint64_t application_data_dropped = 0;  // records of application data (we carry none)
  uint64_t retransmit_timeouts = 0;       // timer expiries that resent a flight
};

class DtlsTransport {
 public:
  using SendCallback = std::function<void(BytesView datagram)>;
  using StateCallback = std::function<void(DtlsState state, const std::string& reason)>;

  // Fails on a bad configuration (no certificate, no profile, tiny MTU) or if
  // OpenSSL cannot be set up; the transport starts in kNew.
  static Result<std::unique_ptr<DtlsTransport>> create(DtlsConfig config, SendCallback send,
                                                       StateCallback on_state);
  ~DtlsTransport();
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // → kConnecting; a client sends its ClientHello. Starts the handshake timer.
  // Idempotent. A server also starts on its first datagram.
  void start();
  // One UDP payload that the demultiplexer classified as DTLS.
  void handle_datagram(BytesView datagram);
  // When handle_timeout() should be called next, relative to now; nullopt
  // when no timer runs. Zero means "now".
  std::optional<Duration> next_timeout() const;
  void handle_timeout();
  // Sends close_notify if connected; → kClosed.
  void close();

  void set_remote_fingerprint(Fingerprint fingerprint);

  DtlsState state() const;
  DtlsRole role() const;
  // Why the transport failed or closed; empty otherwise.
  const std::string& reason() const;
  // Set once connected (and only then).
  const std::optional<SrtpKeyingMaterial>& srtp_keys() const;
  DtlsStats stats() const;

  struct Impl;

 private:
  explicit DtlsTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace picortc::dtls
