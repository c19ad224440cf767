// The H.264 depacketizer under two kinds of input, chosen by the first
// byte's high bit:
//
// raw: pseudo-packets cut from the input,
//   [len_hi len_lo flags seq_delta ts_delta] then len bytes of payload,
//   flags bit 0 = marker, deltas signed (late, reordered, duplicated).
//   Checks: emitted access units are never empty, the missing list never
//   exceeds the window, counters agree with the callbacks.
//
// structured: access units are synthesized from the input, packetized by
//   H264Packetizer, then dropped / duplicated / swapped as the input says.
//   Checks: every emitted access unit is byte-identical to the one sent at
//   its timestamp, in order; with nothing dropped, all come out.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/seq.hpp"
#include "rtp/h264_depacketizer.hpp"
#include "rtp/h264_packetizer.hpp"

using namespace picortc;
using namespace picortc::rtp;

namespace {

struct Packet {
  RtpHeader header;
  std::vector<uint8_t> payload;
};

void run_raw(ByteReader& reader) {
  H264DepacketizerConfig config;
  config.max_packets = 64;
  config.max_delay_ticks = 9000;
  size_t emitted = 0;
  H264Depacketizer depacketizer(
      config,
      [&](h264::AccessUnit& au) {
        if (au.empty()) std::abort();
        ++emitted;
      },
      [](const H264LostRange&) {});
  RtpHeader header;
  header.sequence_number = 65500;
  header.timestamp = 0xFFFFF000u;
  std::vector<uint16_t> missing;
  for (;;) {
    uint16_t length = 0;
    uint8_t flags = 0, seq_delta = 0, ts_delta = 0;
    BytesView payload;
    if (!reader.read_u16(length) || !reader.read_u8(flags) || !reader.read_u8(seq_delta) ||
        !reader.read_u8(ts_delta)) {
      break;
    }
    if (!reader.read_bytes(length % 2048, payload)) {
      payload = reader.rest();  // the last packet takes what is left
      reader.skip(payload.size());
    }
    header.sequence_number = static_cast<uint16_t>(header.sequence_number + static_cast<int8_t>(seq_delta));
    header.timestamp += static_cast<uint32_t>(static_cast<int8_t>(ts_delta)) * 300u;
    header.marker = (flags & 1) != 0;
    depacketizer.push(header, payload);
    depacketizer.missing_sequence_numbers(missing, 1000);
    if (missing.size() > config.max_packets) std::abort();
  }
  depacketizer.flush();
  if (depacketizer.stats().access_units_emitted != emitted) std::abort();
}

uint8_t next_byte(ByteReader& reader) {
  uint8_t value = 0;
  reader.read_u8(value);  // 0 once the input is used up
  return value;
}

void run_structured(ByteReader& reader) {
  constexpr uint32_t kTicks = 3000;
  const size_t count = 1 + next_byte(reader) % 24;
  std::vector<h264::AccessUnit> aus(count);
  for (size_t i = 0; i < count; ++i) {
    const uint8_t shape = next_byte(reader);
    std::vector<std::vector<uint8_t>> nals;
    if (i == 0 || (shape & 0x80)) {
      nals.push_back({0x67, 0x42, 0xc0, 0x1e});
      nals.push_back({0x68, 0xce, 0x3c, 0x80});
    }
    if (shape & 0x40) nals.push_back({0x06, 0x05, 0x01, 0x80});
    const size_t slices = 1 + (shape & 3);
    for (size_t k = 0; k < slices; ++k) {
      const size_t size = 2 + size_t{next_byte(reader)} * 17;
      std::vector<uint8_t> nal(size, static_cast<uint8_t>(i * 31 + k));
      nal[0] = (nals.empty() || nals.front()[0] != 0x67) ? 0x41 : 0x65;
      nals.push_back(std::move(nal));
    }
    for (const auto& nal : nals)
      aus[i].append_nal(BytesView(nal));
  }
  H264PacketizerConfig packetizer_config;
  packetizer_config.max_payload_size = 20 + next_byte(reader) * 8u;
  H264Packetizer packetizer(packetizer_config);
  std::vector<Packet> packets;
  size_t largest_access_unit = 0;  // in packets
  const uint16_t first_seq = static_cast<uint16_t>(65000 + next_byte(reader) * 2);
  const uint32_t first_ts = 0xFFFFFFFFu - next_byte(reader) * kTicks;
  uint16_t seq = first_seq;
  for (size_t i = 0; i < count; ++i) {
    if (!packetizer.packetize(aus[i])) std::abort();
    largest_access_unit = std::max(largest_access_unit, packetizer.payload_count());
    for (size_t k = 0; k < packetizer.payload_count(); ++k) {
      Packet p;
      p.header.sequence_number = seq++;
      p.header.timestamp = first_ts + static_cast<uint32_t>(i) * kTicks;
      p.header.marker = packetizer.payload(k).marker;
      p.payload = packetizer.payload(k).bytes.to_vector();
      packets.push_back(std::move(p));
    }
  }
  // Mutations, one op byte per packet: drop, duplicate, swap with the next
  // (a packet may be carried forward by several swaps in a row).
  bool dropped = false;
  std::vector<size_t> order(packets.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::vector<size_t> sent;
  for (size_t i = 0; i < order.size(); ++i) {
    const uint8_t op = next_byte(reader);
    if ((op & 0x0F) == 0x0F && i + 1 < order.size()) std::swap(order[i], order[i + 1]);
    if (op >= 0xF0) {
      dropped = true;
      continue;
    }
    if (op >= 0xE0) sent.push_back(order[i]);
    sent.push_back(order[i]);
  }
  // How far behind the newest packet seen the latest one arrives: within
  // the window, nothing may be lost when nothing was dropped.
  size_t lateness = 0;
  size_t newest = 0;
  for (size_t index : sent) {
    newest = std::max(newest, index);
    lateness = std::max(lateness, newest - index);
  }
  H264DepacketizerConfig config;
  config.max_packets = 32 + next_byte(reader);
  int64_t previous = -1;
  size_t emitted = 0;
  H264Depacketizer depacketizer(config, [&](h264::AccessUnit& au) {
    const int64_t index = ts32_diff(first_ts, au.rtp_timestamp) / kTicks;
    if (index <= previous || index >= static_cast<int64_t>(count)) std::abort();
    if (!(au == aus[static_cast<size_t>(index)])) std::abort();
    previous = index;
    ++emitted;
  });
  for (size_t index : sent)
    depacketizer.push(packets[index].header, BytesView(packets[index].payload));
  depacketizer.flush();
  // 8 packets span at most 8 frames: inside the 9-frame delay window. An
  // access unit must fit the ring with room for the reordering.
  if (!dropped && lateness <= 8 && largest_access_unit + 8 < config.max_packets && emitted != count) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ByteReader reader(data + 1, size - 1);
  if (data[0] & 0x80) {
    run_structured(reader);
  } else {
    run_raw(reader);
  }
  return 0;
}
