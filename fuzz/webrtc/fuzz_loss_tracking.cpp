// The sequence-number bookkeeping of a peer fed with arbitrary arrival
// orders: the receiver's NackRequester and ReceiveStatistics, and the
// sender's RetransmissionBuffer and PacketStore. Input: 3-byte records (op,
// seq hi, seq lo). Invariants: nothing crashes, tracked state stays bounded,
// the buffer and the store answer exactly what was stored, or nothing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "webrtc/nack_requester.hpp"
#include "webrtc/packet_store.hpp"
#include "webrtc/receive_statistics.hpp"
#include "webrtc/retransmission_buffer.hpp"

using namespace picortc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  webrtc::NackConfig config;
  config.max_missing = 64;
  config.max_requests = 3;
  webrtc::NackRequester nack(config);
  webrtc::ReceiveStatistics stats;
  webrtc::RetransmissionBuffer buffer(16);
  webrtc::PacketStore store(64, 12);
  TimePoint now{};
  uint16_t send_seq = 0;
  std::vector<uint16_t> due;
  for (size_t i = 0; i + 3 <= size; i += 3) {
    uint8_t op = data[i];
    uint16_t seq = static_cast<uint16_t>((data[i + 1] << 8) | data[i + 2]);
    switch (op % 4) {
      case 0:
        nack.on_packet(seq, now);
        stats.on_packet(seq, static_cast<uint32_t>(seq) * 3000u, now);
        break;
      case 1: {
        due.clear();
        now += milliseconds(op);
        nack.collect_due(now, milliseconds(seq % 200), due);
        if (due.size() > config.max_missing) std::abort();
        break;
      }
      case 2: {
        // The sender stores in order, sometimes skipping numbers; payloads
        // of 3..12 bytes that name their sequence number.
        send_seq = static_cast<uint16_t>(send_seq + 1 + (seq % 3));
        uint8_t payload[12] = {static_cast<uint8_t>(send_seq >> 8), static_cast<uint8_t>(send_seq), op};
        size_t payload_size = 3 + op % 10;
        uint64_t id = store.append(BytesView(payload, payload_size));
        if (id == webrtc::PacketStore::kNoId) std::abort();
        if (!buffer.store(send_seq, webrtc::SentPacket{id, send_seq, (op & 1) != 0})) std::abort();
        auto found = buffer.find(send_seq);
        if (!found || found->payload_id != id || store.find(id).size() != payload_size) std::abort();
        break;
      }
      case 3: {
        auto found = buffer.find(seq);
        if (found) {
          if (found->rtp_timestamp != seq) std::abort();
          BytesView payload = store.find(found->payload_id);
          if (!payload.empty() && (payload[0] != (seq >> 8) || payload[1] != (seq & 0xff))) std::abort();
        }
        (void)stats.make_report_block(1, now);
        break;
      }
    }
    if (nack.missing_count() > config.max_missing) std::abort();
  }
  return 0;
}
