// RTP packets: whatever parses must re-marshal, and the re-marshaled bytes
// must parse to the same packet.
#include <cstdint>
#include <cstdlib>

#include "rtp/rtp_packet.hpp"

using namespace picortc;
using namespace picortc::rtp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const BytesView input(data, size);
  (void)looks_like_rtp(input);
  (void)is_rtcp(input);
  auto view = RtpPacketView::parse(input);
  if (!view) return 0;
  for (uint8_t id = 0; id < 16; ++id) {
    BytesView found;
    (void)view->find_extension(id, found);
  }
  const RtpPacket packet = RtpPacket::from_view(*view);
  auto bytes = packet.marshal();
  if (!bytes) std::abort();  // a parsed packet is always valid to write
  auto again = RtpPacket::parse(BytesView(*bytes));
  if (!again || !(*again == packet)) std::abort();
  return 0;
}
