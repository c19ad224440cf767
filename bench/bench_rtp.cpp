// RTP hot paths of the sender: packetizing an access unit once, then
// writing one RTP packet per payload per viewer; and the receiver's parse
// and depacketize. Sizes are those of 720p30 at ~2 Mbit/s: a 60 KB IDR
// and 8 KB P frames.
#include <benchmark/benchmark.h>

#include <vector>

#include "h264/access_unit.hpp"
#include "rtp/h264_depacketizer.hpp"
#include "rtp/h264_packetizer.hpp"
#include "rtp/rtp_packet.hpp"

using namespace picortc;
using namespace picortc::rtp;

namespace {

std::vector<uint8_t> nal(uint8_t header, size_t size) {
  std::vector<uint8_t> out(size);
  out[0] = header;
  for (size_t i = 1; i < size; ++i)
    out[i] = static_cast<uint8_t>(i * 131 + 7);
  return out;
}

h264::AccessUnit idr_access_unit() {
  h264::AccessUnit au;
  au.append_nal(BytesView(nal(0x09, 2)));
  au.append_nal(BytesView(nal(0x67, 14)));
  au.append_nal(BytesView(nal(0x68, 4)));
  au.append_nal(BytesView(nal(0x65, 60 * 1024)));
  return au;
}

h264::AccessUnit p_access_unit() {
  h264::AccessUnit au;
  au.append_nal(BytesView(nal(0x41, 8 * 1024)));
  return au;
}

void BM_PacketizeIdr60KB(benchmark::State& state) {
  const auto au = idr_access_unit();
  H264Packetizer packetizer;
  for (auto _ : state) {
    Status status = packetizer.packetize(au);
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(packetizer.payload(0).bytes.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * au.size()));
  state.counters["payloads"] = static_cast<double>(packetizer.payload_count());
}
BENCHMARK(BM_PacketizeIdr60KB);

void BM_PacketizeP8KB(benchmark::State& state) {
  const auto au = p_access_unit();
  H264Packetizer packetizer;
  for (auto _ : state) {
    Status status = packetizer.packetize(au);
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(packetizer.payload(0).bytes.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * au.size()));
}
BENCHMARK(BM_PacketizeP8KB);

// One second of 30 fps video: 1 IDR + 29 P frames.
void BM_PacketizeGop30(benchmark::State& state) {
  const auto idr = idr_access_unit();
  const auto p = p_access_unit();
  H264Packetizer packetizer;
  for (auto _ : state) {
    Status status = packetizer.packetize(idr);
    benchmark::DoNotOptimize(status);
    for (int i = 0; i < 29; ++i) {
      status = packetizer.packetize(p);
      benchmark::DoNotOptimize(status);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * (idr.size() + 29 * p.size())));
}
BENCHMARK(BM_PacketizeGop30);

// Per viewer: header + payload copy into a send buffer, for every payload
// of a P frame (what the fan-out does before SRTP).
void BM_WriteRtpPacketsPerViewer(benchmark::State& state) {
  const auto au = p_access_unit();
  H264Packetizer packetizer;
  if (!packetizer.packetize(au)) state.SkipWithError("packetize failed");
  std::vector<uint8_t> send_buffer(1500 * packetizer.payload_count());
  RtpHeader header;
  header.payload_type = 102;
  header.ssrc = 0x12345678;
  uint16_t seq = 0;
  for (auto _ : state) {
    size_t offset = 0;
    for (size_t i = 0; i < packetizer.payload_count(); ++i) {
      header.sequence_number = seq++;
      auto written = write_h264_rtp_packet(packetizer, i, header, send_buffer.data() + offset, 1500);
      offset += written.ok() ? 1500 : 0;
    }
    benchmark::DoNotOptimize(send_buffer.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * packetizer.payload_count()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * packetizer.payload_bytes()));
}
BENCHMARK(BM_WriteRtpPacketsPerViewer);

// The fixed header alone (no payload copy).
void BM_WriteRtpHeaderOnly(benchmark::State& state) {
  uint8_t buffer[12];
  RtpHeader header;
  header.payload_type = 102;
  header.ssrc = 0x12345678;
  for (auto _ : state) {
    ++header.sequence_number;
    auto written = write_rtp_packet(header, BytesView(), buffer, sizeof(buffer));
    benchmark::DoNotOptimize(written);
    benchmark::DoNotOptimize(buffer);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_WriteRtpHeaderOnly);

void BM_ParseRtpPacketView(benchmark::State& state) {
  std::vector<uint8_t> packet(1212);
  RtpHeader header;
  header.payload_type = 102;
  auto written = write_rtp_packet(header, BytesView(nal(0x41, 1200)), packet.data(), packet.size());
  if (!written) state.SkipWithError("write failed");
  for (auto _ : state) {
    auto view = RtpPacketView::parse(BytesView(packet));
    benchmark::DoNotOptimize(view);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseRtpPacketView);

// Receive side: a GOP's packets back into access units, in order.
void BM_DepacketizeGop30(benchmark::State& state) {
  const auto idr = idr_access_unit();
  const auto p = p_access_unit();
  struct Packet {
    RtpHeader header;
    std::vector<uint8_t> payload;
  };
  std::vector<Packet> packets;
  H264Packetizer packetizer;
  uint16_t seq = 0;
  for (int frame = 0; frame < 30; ++frame) {
    if (!packetizer.packetize(frame == 0 ? idr : p)) state.SkipWithError("packetize failed");
    for (size_t i = 0; i < packetizer.payload_count(); ++i) {
      Packet packet;
      packet.header.sequence_number = seq++;
      packet.header.timestamp = static_cast<uint32_t>(frame * 3000);
      packet.header.marker = packetizer.payload(i).marker;
      packet.payload = packetizer.payload(i).bytes.to_vector();
      packets.push_back(std::move(packet));
    }
  }
  size_t bytes = 0;
  for (auto _ : state) {
    H264Depacketizer depacketizer({}, [&](h264::AccessUnit& au) { bytes += au.size(); });
    for (const auto& packet : packets)
      depacketizer.push(packet.header, BytesView(packet.payload));
  }
  benchmark::DoNotOptimize(bytes);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * (idr.size() + 29 * p.size())));
}
BENCHMARK(BM_DepacketizeGop30);

}  // namespace

BENCHMARK_MAIN();
