// Cost of the streamer's per-viewer send path: send_packetized() of one
// access unit (RTP header + copy into the retransmission ring + SRTP
// protect in place + one send to a loopback socket per packet), with both
// SRTP profiles. The peers are connected over loopback first; during the
// measurement the loop does not run, so the receiver never reads (the
// kernel drops what overflows its socket buffer, the send still happens).
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "dtls/certificate.hpp"
#include "h264/access_unit.hpp"
#include "rtp/h264_packetizer.hpp"
#include "webrtc/peer_connection.hpp"

namespace {

using namespace picortc;

webrtc::PeerConnectionConfig config_for(webrtc::MediaDirection direction, dtls::SrtpProfile profile) {
  static const dtls::Certificate certificate = *dtls::Certificate::generate();
  webrtc::PeerConnectionConfig config;
  config.direction = direction;
  config.certificate = certificate;
  config.ice.interfaces.include_loopback = true;
  config.ice.interfaces.only_interfaces = {"lo"};
  config.ice.interfaces.include_ipv6 = false;
  config.ice.check_pacing = milliseconds(10);
  config.ice.nomination_delay = milliseconds(50);
  config.srtp_profiles = {profile};
  config.rtcp_report_interval = seconds(3600);
  return config;
}

// A P-frame-sized access unit: one slice of `bytes` bytes.
h264::AccessUnit make_access_unit(size_t bytes) {
  std::vector<uint8_t> nal(bytes);
  nal[0] = 0x41;
  nal[1] = 0x9a;
  for (size_t i = 2; i < bytes; ++i)
    nal[i] = static_cast<uint8_t>(i * 13);
  h264::AccessUnit au;
  au.append_nal(BytesView(nal));
  return au;
}

void BM_SendPacketized(benchmark::State& state) {
  set_log_level(LogLevel::kWarn);
  auto profile =
      state.range(0) == 0 ? dtls::SrtpProfile::kAeadAes128Gcm : dtls::SrtpProfile::kAes128CmHmacSha1_80;
  EventLoop loop;
  webrtc::PeerConnection sender(loop, config_for(webrtc::MediaDirection::kSendOnly, profile));
  webrtc::PeerConnection receiver(loop, config_for(webrtc::MediaDirection::kRecvOnly, profile));
  auto offer = receiver.create_offer();
  auto answer =
      offer ? sender.set_remote_offer_and_create_answer(*offer) : Result<std::string>(offer.error());
  if (!answer || !receiver.set_remote_answer(*answer)) {
    state.SkipWithError("negotiation failed");
    return;
  }
  TimePoint end = Clock::now() + seconds(5);
  while (Clock::now() < end && (sender.state() != webrtc::PeerConnectionState::kConnected ||
                                receiver.state() != webrtc::PeerConnectionState::kConnected))
    loop.run_once(milliseconds(5));
  if (sender.state() != webrtc::PeerConnectionState::kConnected) {
    state.SkipWithError("peers did not connect");
    return;
  }
  rtp::H264Packetizer packetizer;
  if (!packetizer.packetize(make_access_unit(static_cast<size_t>(state.range(1))))) {
    state.SkipWithError("packetize failed");
    return;
  }
  uint32_t ts = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(sender.send_packetized(packetizer, ts));
    ts += 3000;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(packetizer.payload_count()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(packetizer.payload_bytes()));
  state.counters["packets_per_au"] = static_cast<double>(packetizer.payload_count());
  sender.close();
  receiver.close();
}
// Args: profile (0 = AEAD_AES_128_GCM, 1 = AES_CM_128_HMAC_SHA1_80), access unit bytes.
BENCHMARK(BM_SendPacketized)
    ->Args({0, 12000})
    ->Args({1, 12000})
    ->Args({0, 1000})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
