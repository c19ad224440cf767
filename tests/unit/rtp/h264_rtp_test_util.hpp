#pragma once
// Helpers shared by the H.264 packetizer/depacketizer tests.
#include <cstdint>
#include <random>
#include <vector>

#include "h264/access_unit.hpp"
#include "rtp/h264_depacketizer.hpp"
#include "rtp/h264_packetizer.hpp"

namespace picortc::rtp::test {

struct TestPacket {
  RtpHeader header;
  std::vector<uint8_t> payload;
};

// A NAL unit: header byte then `size - 1` bytes of a pattern.
inline std::vector<uint8_t> make_nal(uint8_t header, size_t size, uint8_t seed = 0) {
  std::vector<uint8_t> nal(size);
  nal[0] = header;
  for (size_t i = 1; i < size; ++i)
    nal[i] = static_cast<uint8_t>(seed + i * 7);
  if (size > 1 &&
      (h264::nal_type_of(header) == h264::kNalIdr || h264::nal_type_of(header) == h264::kNalSlice)) {
    nal[1] = 0x88;  // first_mb_in_slice = 0
  }
  return nal;
}

inline h264::AccessUnit make_au(const std::vector<std::vector<uint8_t>>& nals) {
  h264::AccessUnit au;
  for (const auto& nal : nals)
    au.append_nal(BytesView(nal));
  return au;
}

// SPS, PPS, IDR of `idr_size`, then `count - 1` P frames of varied sizes.
inline std::vector<h264::AccessUnit> synthetic_stream(size_t count, size_t idr_size = 5000) {
  std::vector<h264::AccessUnit> aus;
  for (size_t i = 0; i < count; ++i) {
    if (i == 0) {
      aus.push_back(make_au({make_nal(0x67, 12, 1), make_nal(0x68, 4, 2), make_nal(0x65, idr_size, 3)}));
    } else {
      aus.push_back(make_au({make_nal(0x41, 300 + (i * 397) % 3000, static_cast<uint8_t>(i))}));
    }
  }
  return aus;
}

inline h264::AccessUnit without_auds(const h264::AccessUnit& au) {
  h264::AccessUnit out;
  for (size_t i = 0; i < au.nal_count(); ++i) {
    if (au.nal_type(i) != h264::kNalAud) out.append_nal(au.nal(i));
  }
  return out;
}

// Packetizes every access unit with consecutive sequence numbers.
inline std::vector<TestPacket> packetize_all(const std::vector<h264::AccessUnit>& aus, uint16_t first_seq,
                                             uint32_t first_ts, uint32_t ts_step,
                                             H264PacketizerConfig config = {}) {
  H264Packetizer packetizer(config);
  std::vector<TestPacket> packets;
  uint16_t seq = first_seq;
  uint32_t ts = first_ts;
  for (const auto& au : aus) {
    Status status = packetizer.packetize(au);
    if (!status) return {};
    for (size_t i = 0; i < packetizer.payload_count(); ++i) {
      const H264Payload payload = packetizer.payload(i);
      TestPacket packet;
      packet.header.marker = payload.marker;
      packet.header.payload_type = 96;
      packet.header.sequence_number = seq++;
      packet.header.timestamp = ts;
      packet.header.ssrc = 0x1234;
      packet.payload = payload.bytes.to_vector();
      packets.push_back(std::move(packet));
    }
    ts += ts_step;
  }
  return packets;
}

// Moves each packet by up to `max_displacement` places and repeats about
// one in `duplicate_every` packets a little later. Deterministic.
inline std::vector<TestPacket> shuffle_and_duplicate(const std::vector<TestPacket>& in,
                                                     size_t max_displacement, size_t duplicate_every,
                                                     uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::pair<double, TestPacket>> keyed;
  std::uniform_real_distribution<double> jitter(0.0, static_cast<double>(max_displacement));
  for (size_t i = 0; i < in.size(); ++i) {
    keyed.emplace_back(static_cast<double>(i) + jitter(rng), in[i]);
    if (duplicate_every > 0 && rng() % duplicate_every == 0) {
      keyed.emplace_back(static_cast<double>(i) + jitter(rng), in[i]);
    }
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<TestPacket> out;
  for (auto& k : keyed)
    out.push_back(std::move(k.second));
  return out;
}

// Collects what a depacketizer emits.
struct Sink {
  std::vector<h264::AccessUnit> aus;
  std::vector<H264LostRange> lost;

  H264Depacketizer make(H264DepacketizerConfig config = {}) {
    return H264Depacketizer(
        config, [this](h264::AccessUnit& au) { aus.push_back(std::move(au)); },
        [this](const H264LostRange& range) { lost.push_back(range); });
  }
};

inline void push_all(H264Depacketizer& depacketizer, const std::vector<TestPacket>& packets) {
  for (const auto& p : packets)
    depacketizer.push(p.header, BytesView(p.payload));
}

}  // namespace picortc::rtp::test
