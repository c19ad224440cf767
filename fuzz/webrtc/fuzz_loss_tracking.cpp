// The sequence-number bookkeeping of a peer fed with arbitrary arrival
// orders: the receiver's NackRequester and ReceiveStatistics, and the
// sender's RetransmissionBuffer. Input: 3-byte records (op, seq hi, seq lo).
// Invariants: nothing crashes, tracked state stays bounded, the buffer
// answers exactly what it stored within its capacity.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "webrtc/nack_requester.hpp"
#include "webrtc/receive_statistics.hpp"
#include "webrtc/retransmission_buffer.hpp"

using namespace picortc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  webrtc::NackConfig config;
  config.max_missing = 64;
  config.max_requests = 3;
  webrtc::NackRequester nack(config);
  webrtc::ReceiveStatistics stats;
  webrtc::RetransmissionBuffer buffer(16, 8);
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
        // The sender stores in order, sometimes skipping numbers.
        send_seq = static_cast<uint16_t>(send_seq + 1 + (seq % 3));
        uint8_t packet[8] = {static_cast<uint8_t>(send_seq >> 8), static_cast<uint8_t>(send_seq), op};
        if (!buffer.store(send_seq, BytesView(packet, sizeof packet))) std::abort();
        BytesView found = buffer.find(send_seq);
        if (found.size() != sizeof packet || found[2] != op) std::abort();
        break;
      }
      case 3: {
        BytesView found = buffer.find(seq);
        if (!found.empty() && (found[0] != (seq >> 8) || found[1] != (seq & 0xff))) std::abort();
        (void)stats.make_report_block(1, now);
        break;
      }
    }
    if (nack.missing_count() > config.max_missing) std::abort();
  }
  return 0;
}
