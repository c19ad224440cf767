// Fuzz target dtls_demux: one UDP payload as it arrives on a peer's socket.
// RFC 7983 demultiplexing first, then the DTLS bytes go to a fresh server-role
// DtlsTransport and RTP/RTCP bytes to fresh SRTP receive sessions with fixed
// keys (both profiles). Nothing may crash, leak or read out of bounds; every
// rejection must come back as a state or an error.
//
// Seeds (fuzz/corpus/dtls_demux/): a ClientHello captured from the DTLS
// tests, SRTP and SRTCP packets protected with the keys below, STUN and TURN
// ChannelData headers, an alert record.
#include <cstdint>
#include <vector>

#include "core/log.hpp"
#include "dtls/dtls_transport.hpp"
#include "dtls/packet_demux.hpp"
#include "srtp/srtp_session.hpp"

namespace {

using namespace picortc;

// The fixed keys the SRTP seeds were protected with: key bytes 1, 2, ...,
// salt bytes 0xa0, 0xa1, ...
srtp::SrtpSessionConfig fixed_srtp_config(dtls::SrtpProfile profile) {
  srtp::SrtpSessionConfig config;
  config.profile = profile;
  for (size_t i = 0; i < dtls::srtp_master_key_size(profile); ++i)
    config.master_key.push_back(uint8_t(1 + i));
  for (size_t i = 0; i < dtls::srtp_master_salt_size(profile); ++i)
    config.master_salt.push_back(uint8_t(0xa0 + i));
  return config;
}

void feed_dtls(const uint8_t* data, size_t size) {
  static const dtls::Certificate certificate = [] {
    set_log_level(LogLevel::kOff);  // millions of drops would flood stderr
    Result<dtls::Certificate> cert = dtls::Certificate::generate();
    return cert ? *cert : dtls::Certificate{};
  }();
  if (certificate.empty()) return;
  dtls::DtlsConfig config;
  config.role = dtls::DtlsRole::kServer;
  config.certificate = certificate;
  config.remote_fingerprint = certificate.fingerprint();
  size_t sent_bytes = 0;
  auto created = dtls::DtlsTransport::create(
      config, [&](BytesView datagram) { sent_bytes += datagram.size(); }, nullptr);
  if (!created) return;
  dtls::DtlsTransport& transport = **created;
  transport.handle_datagram(BytesView(data, size));
  // The same bytes again: a retransmitted ClientHello, or a replayed record.
  transport.handle_datagram(BytesView(data, size));
  (void)transport.next_timeout();
  transport.handle_timeout();
  transport.close();
  (void)sent_bytes;
}

void feed_srtp(const uint8_t* data, size_t size, bool rtcp) {
  for (dtls::SrtpProfile profile :
       {dtls::SrtpProfile::kAes128CmHmacSha1_80, dtls::SrtpProfile::kAeadAes128Gcm}) {
    auto session = srtp::SrtpSession::create(srtp::SrtpDirection::kInbound, fixed_srtp_config(profile));
    if (!session) continue;
    std::vector<uint8_t> packet(data, data + size);  // unprotect works in place
    Result<size_t> plain = rtcp ? (*session)->unprotect_rtcp(packet.data(), packet.size())
                                : (*session)->unprotect_rtp(packet.data(), packet.size());
    if (plain.ok() && *plain > size) __builtin_trap();  // unprotect only ever shrinks
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  switch (dtls::classify_packet(data, size)) {
    case dtls::PacketKind::kDtls:
      feed_dtls(data, size);
      break;
    case dtls::PacketKind::kRtp:
      feed_srtp(data, size, false);
      break;
    case dtls::PacketKind::kRtcp:
      feed_srtp(data, size, true);
      break;
    case dtls::PacketKind::kStun:
    case dtls::PacketKind::kZrtp:
    case dtls::PacketKind::kTurnChannel:
    case dtls::PacketKind::kUnknown:
      break;  // other modules' business, or dropped
  }
  return 0;
}
