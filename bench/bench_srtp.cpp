// SRTP protect cost per 1200-byte RTP packet for both profiles (the sender's
// per-packet crypto floor, see FACTS.md "Cost floor"). Each iteration copies
// a plain packet into the send buffer and protects it in place, as the
// sender fan-out does per viewer.
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include "srtp/srtp_session.hpp"

namespace {

using picortc::dtls::SrtpProfile;
using namespace picortc::srtp;

constexpr size_t kPacketSize = 1200;

SrtpSessionConfig bench_config(SrtpProfile profile) {
  SrtpSessionConfig config;
  config.profile = profile;
  for (size_t i = 0; i < picortc::dtls::srtp_master_key_size(profile); ++i)
    config.master_key.push_back(uint8_t(i + 1));
  for (size_t i = 0; i < picortc::dtls::srtp_master_salt_size(profile); ++i)
    config.master_salt.push_back(uint8_t(0xa0 + i));
  return config;
}

void BM_SrtpProtect(benchmark::State& state, SrtpProfile profile) {
  auto session = SrtpSession::create(SrtpDirection::kOutbound, bench_config(profile));
  if (!session) {
    state.SkipWithError("srtp session");
    return;
  }
  std::vector<uint8_t> plain(kPacketSize, 0x5a);
  const uint8_t header[12] = {0x80, 96, 0, 0, 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44};
  std::memcpy(plain.data(), header, sizeof header);
  std::vector<uint8_t> buffer(kPacketSize + kMaxRtpOverhead);
  uint16_t seq = 0;
  for (auto _ : state) {
    plain[2] = uint8_t(seq >> 8);
    plain[3] = uint8_t(seq);
    ++seq;
    std::memcpy(buffer.data(), plain.data(), kPacketSize);
    auto len = (*session)->protect_rtp(buffer.data(), kPacketSize, buffer.size());
    if (!len) {
      state.SkipWithError("protect failed");
      break;
    }
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * int64_t{kPacketSize});
}

void BM_SrtpUnprotect(benchmark::State& state, SrtpProfile profile) {
  // Protect a ring of packets up front, then unprotect them in order; the
  // sequence space is large enough that the replay window never rejects.
  auto out = SrtpSession::create(SrtpDirection::kOutbound, bench_config(profile));
  auto in = SrtpSession::create(SrtpDirection::kInbound, bench_config(profile));
  if (!out || !in) {
    state.SkipWithError("srtp session");
    return;
  }
  constexpr size_t kRing = 4096;
  std::vector<std::vector<uint8_t>> ring(kRing);
  std::vector<uint8_t> buffer(kPacketSize + kMaxRtpOverhead);
  size_t index = 0;
  uint32_t seq = 0;
  for (auto _ : state) {
    if (index == 0) {
      state.PauseTiming();
      for (auto& packet : ring) {
        packet.assign(kPacketSize + kMaxRtpOverhead, 0x5a);
        const uint8_t header[12] = {0x80, 96,  uint8_t(seq >> 8), uint8_t(seq), 0, 0, 0, 0, 0x11, 0x22,
                                    0x33, 0x44};
        ++seq;
        std::memcpy(packet.data(), header, sizeof header);
        auto len = (*out)->protect_rtp(packet.data(), kPacketSize, packet.size());
        packet.resize(len.ok() ? *len : 0);
      }
      state.ResumeTiming();
    }
    std::memcpy(buffer.data(), ring[index].data(), ring[index].size());
    auto len = (*in)->unprotect_rtp(buffer.data(), ring[index].size());
    if (!len) {
      state.SkipWithError("unprotect failed");
      break;
    }
    index = (index + 1) % kRing;
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(BM_SrtpProtect, aes_cm_128_hmac_sha1_80, SrtpProfile::kAes128CmHmacSha1_80);
BENCHMARK_CAPTURE(BM_SrtpProtect, aead_aes_128_gcm, SrtpProfile::kAeadAes128Gcm);
BENCHMARK_CAPTURE(BM_SrtpUnprotect, aes_cm_128_hmac_sha1_80, SrtpProfile::kAes128CmHmacSha1_80);
BENCHMARK_CAPTURE(BM_SrtpUnprotect, aead_aes_128_gcm, SrtpProfile::kAeadAes128Gcm);

}  // namespace

BENCHMARK_MAIN();
