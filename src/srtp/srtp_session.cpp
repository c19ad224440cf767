// libsrtp2 adapter.
#include "srtp/srtp_session.hpp"

#include <srtp2/srtp.h>

#include <climits>
#include <cstring>
#include <mutex>
#include <string>

#include "core/log.hpp"

namespace picortc::srtp {
namespace {

constexpr const char* kTag = "srtp";
constexpr size_t kRtpFixedHeaderSize = 12;  // RFC 3550 §5.1
constexpr size_t kRtcpFixedHeaderSize = 8;  // RFC 3550 §6.4.1: header + SSRC
constexpr size_t kMinReplayWindow = 64;     // libsrtp's bounds (srtp_create checks them)
constexpr size_t kMaxReplayWindow = 0x7fff;

Status ensure_initialized() {
  static std::once_flag once;
  static srtp_err_status_t init_status = srtp_err_status_ok;
  std::call_once(once, [] { init_status = srtp_init(); });
  if (init_status != srtp_err_status_ok) return make_error(kErrInit, srtp_status_name(init_status));
  return {};
}

void set_crypto_policy(SrtpProfile profile, srtp_crypto_policy_t* policy) {
  if (profile == SrtpProfile::kAeadAes128Gcm) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(policy);  // RFC 7714 AEAD_AES_128_GCM
  } else {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(policy);  // RFC 3711 default
  }
}

}  // namespace

const char* srtp_status_name(int status) {
  switch (status) {
    case srtp_err_status_ok:
      return "srtp_err_status_ok";
    case srtp_err_status_fail:
      return "srtp_err_status_fail";
    case srtp_err_status_bad_param:
      return "srtp_err_status_bad_param";
    case srtp_err_status_alloc_fail:
      return "srtp_err_status_alloc_fail";
    case srtp_err_status_dealloc_fail:
      return "srtp_err_status_dealloc_fail";
    case srtp_err_status_init_fail:
      return "srtp_err_status_init_fail";
    case srtp_err_status_terminus:
      return "srtp_err_status_terminus";
    case srtp_err_status_auth_fail:
      return "srtp_err_status_auth_fail";
    case srtp_err_status_cipher_fail:
      return "srtp_err_status_cipher_fail";
    case srtp_err_status_replay_fail:
      return "srtp_err_status_replay_fail";
    case srtp_err_status_replay_old:
      return "srtp_err_status_replay_old";
    case srtp_err_status_algo_fail:
      return "srtp_err_status_algo_fail";
    case srtp_err_status_no_such_op:
      return "srtp_err_status_no_such_op";
    case srtp_err_status_no_ctx:
      return "srtp_err_status_no_ctx";
    case srtp_err_status_cant_check:
      return "srtp_err_status_cant_check";
    case srtp_err_status_key_expired:
      return "srtp_err_status_key_expired";
    case srtp_err_status_socket_err:
      return "srtp_err_status_socket_err";
    case srtp_err_status_signal_err:
      return "srtp_err_status_signal_err";
    case srtp_err_status_nonce_bad:
      return "srtp_err_status_nonce_bad";
    case srtp_err_status_read_fail:
      return "srtp_err_status_read_fail";
    case srtp_err_status_write_fail:
      return "srtp_err_status_write_fail";
    case srtp_err_status_parse_err:
      return "srtp_err_status_parse_err";
    case srtp_err_status_encode_err:
      return "srtp_err_status_encode_err";
    case srtp_err_status_semaphore_err:
      return "srtp_err_status_semaphore_err";
    case srtp_err_status_pfkey_err:
      return "srtp_err_status_pfkey_err";
    case srtp_err_status_bad_mki:
      return "srtp_err_status_bad_mki";
    case srtp_err_status_pkt_idx_old:
      return "srtp_err_status_pkt_idx_old";
    case srtp_err_status_pkt_idx_adv:
      return "srtp_err_status_pkt_idx_adv";
    default:
      return "srtp_err_status_unknown";
  }
}

struct SrtpSession::Impl {
  srtp_t session = nullptr;
  ~Impl() {
    if (session != nullptr) srtp_dealloc(session);
  }
};

Result<std::unique_ptr<SrtpSession>> SrtpSession::create(SrtpDirection direction,
                                                         const SrtpSessionConfig& config) {
  if (config.master_key.size() != dtls::srtp_master_key_size(config.profile) ||
      config.master_salt.size() != dtls::srtp_master_salt_size(config.profile)) {
    return make_error(kErrConfig, "key " + std::to_string(config.master_key.size()) + " + salt " +
                                      std::to_string(config.master_salt.size()) + " bytes do not fit " +
                                      std::string(dtls::srtp_profile_name(config.profile)));
  }
  if (config.replay_window < kMinReplayWindow || config.replay_window > kMaxReplayWindow) {
    return make_error(kErrConfig,
                      "replay window " + std::to_string(config.replay_window) + " outside 64..32767");
  }
  Status init = ensure_initialized();
  if (!init) return init.error();

  // libsrtp wants the master key immediately followed by the master salt.
  std::vector<uint8_t> key_and_salt(config.master_key);
  key_and_salt.insert(key_and_salt.end(), config.master_salt.begin(), config.master_salt.end());

  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof policy);
  set_crypto_policy(config.profile, &policy.rtp);
  set_crypto_policy(config.profile, &policy.rtcp);
  policy.ssrc.type = direction == SrtpDirection::kOutbound ? ssrc_any_outbound : ssrc_any_inbound;
  policy.key = key_and_salt.data();
  policy.window_size = config.replay_window;
  // A NACK resend protects the very same packet (same sequence number, same
  // payload) again; libsrtp would refuse it with replay_fail otherwise.
  policy.allow_repeat_tx = direction == SrtpDirection::kOutbound ? 1 : 0;
  policy.next = nullptr;

  auto impl = std::make_unique<Impl>();
  srtp_err_status_t status = srtp_create(&impl->session, &policy);
  std::memset(key_and_salt.data(), 0, key_and_salt.size());
  if (status != srtp_err_status_ok) {
    impl->session = nullptr;
    return make_error(kErrCreate, srtp_status_name(status));
  }
  return std::unique_ptr<SrtpSession>(new SrtpSession(direction, config.profile, std::move(impl)));
}

SrtpSession::SrtpSession(SrtpDirection direction, SrtpProfile profile, std::unique_ptr<Impl> impl)
    : direction_(direction), profile_(profile), impl_(std::move(impl)) {}

SrtpSession::~SrtpSession() = default;

Error SrtpSession::count_failure(int status, const char* operation) {
  switch (status) {
    case srtp_err_status_auth_fail:
      ++stats_.auth_failures;
      return make_error(kErrAuthFail, operation);
    case srtp_err_status_replay_fail:
      ++stats_.replay_rejects;
      return make_error(kErrReplayFail, operation);
    case srtp_err_status_replay_old:
      ++stats_.replay_rejects;
      return make_error(kErrReplayOld, operation);
    default:
      ++stats_.other_failures;
      return make_error(kErrLibsrtp, std::string(operation) + ": " + srtp_status_name(status));
  }
}

Result<size_t> SrtpSession::protect_rtp(uint8_t* packet, size_t length, size_t capacity) {
  if (direction_ != SrtpDirection::kOutbound) return make_error(kErrWrongDirection, "protect_rtp on inbound");
  if (length < kRtpFixedHeaderSize) return make_error(kErrPacketTooShort, "rtp " + std::to_string(length));
  if (length > INT_MAX - kMaxRtcpOverhead) return make_error(kErrPacketTooLong, std::to_string(length));
  if (capacity < length + srtp_rtp_overhead(profile_)) {
    return make_error(kErrBufferTooSmall, std::to_string(length) + " + " +
                                              std::to_string(srtp_rtp_overhead(profile_)) + " > " +
                                              std::to_string(capacity));
  }
  int len = static_cast<int>(length);
  srtp_err_status_t status = srtp_protect(impl_->session, packet, &len);
  if (status != srtp_err_status_ok) return count_failure(status, "protect_rtp");
  ++stats_.protected_packets;
  return static_cast<size_t>(len);
}

Result<size_t> SrtpSession::protect_rtcp(uint8_t* packet, size_t length, size_t capacity) {
  if (direction_ != SrtpDirection::kOutbound)
    return make_error(kErrWrongDirection, "protect_rtcp on inbound");
  if (length < kRtcpFixedHeaderSize) return make_error(kErrPacketTooShort, "rtcp " + std::to_string(length));
  if (length > INT_MAX - kMaxRtcpOverhead) return make_error(kErrPacketTooLong, std::to_string(length));
  if (capacity < length + srtp_rtcp_overhead(profile_)) {
    return make_error(kErrBufferTooSmall, std::to_string(length) + " + " +
                                              std::to_string(srtp_rtcp_overhead(profile_)) + " > " +
                                              std::to_string(capacity));
  }
  int len = static_cast<int>(length);
  srtp_err_status_t status = srtp_protect_rtcp(impl_->session, packet, &len);
  if (status != srtp_err_status_ok) return count_failure(status, "protect_rtcp");
  ++stats_.protected_packets;
  return static_cast<size_t>(len);
}

Result<size_t> SrtpSession::unprotect_rtp(uint8_t* packet, size_t length) {
  if (direction_ != SrtpDirection::kInbound)
    return make_error(kErrWrongDirection, "unprotect_rtp on outbound");
  if (length < kRtpFixedHeaderSize + srtp_rtp_overhead(profile_)) {
    ++stats_.too_short;
    unprotect_drops_.hit("srtp of %zu bytes: too short", length);
    return make_error(kErrPacketTooShort, "srtp " + std::to_string(length));
  }
  if (length > INT_MAX) return make_error(kErrPacketTooLong, std::to_string(length));
  int len = static_cast<int>(length);
  srtp_err_status_t status = srtp_unprotect(impl_->session, packet, &len);
  if (status != srtp_err_status_ok) {
    Error error = count_failure(status, "unprotect_rtp");
    unprotect_drops_.hit("%s", error.message().c_str());
    return error;
  }
  ++stats_.unprotected_packets;
  return static_cast<size_t>(len);
}

Result<size_t> SrtpSession::unprotect_rtcp(uint8_t* packet, size_t length) {
  if (direction_ != SrtpDirection::kInbound)
    return make_error(kErrWrongDirection, "unprotect_rtcp on outbound");
  if (length < kRtcpFixedHeaderSize + srtp_rtcp_overhead(profile_)) {
    ++stats_.too_short;
    unprotect_drops_.hit("srtcp of %zu bytes: too short", length);
    return make_error(kErrPacketTooShort, "srtcp " + std::to_string(length));
  }
  if (length > INT_MAX) return make_error(kErrPacketTooLong, std::to_string(length));
  int len = static_cast<int>(length);
  srtp_err_status_t status = srtp_unprotect_rtcp(impl_->session, packet, &len);
  if (status != srtp_err_status_ok) {
    Error error = count_failure(status, "unprotect_rtcp");
    unprotect_drops_.hit("%s", error.message().c_str());
    return error;
  }
  ++stats_.unprotected_packets;
  return static_cast<size_t>(len);
}

Result<SrtpSessionPair> SrtpSessionPair::create(const dtls::SrtpKeyingMaterial& keys, size_t replay_window) {
  SrtpSessionConfig local{keys.profile, keys.local_key, keys.local_salt, replay_window};
  SrtpSessionConfig remote{keys.profile, keys.remote_key, keys.remote_salt, replay_window};
  Result<std::unique_ptr<SrtpSession>> outbound = SrtpSession::create(SrtpDirection::kOutbound, local);
  if (!outbound) return outbound.error();
  Result<std::unique_ptr<SrtpSession>> inbound = SrtpSession::create(SrtpDirection::kInbound, remote);
  if (!inbound) return inbound.error();
  SrtpSessionPair pair;
  pair.outbound = std::move(*outbound);
  pair.inbound = std::move(*inbound);
  LOG_DEBUG(kTag, "sessions created: %s", std::string(dtls::srtp_profile_name(keys.profile)).c_str());
  return Result<SrtpSessionPair>(
      std::move(pair));  // explicit: GCC 8 does not move into a converting constructor
}

}  // namespace picortc::srtp
