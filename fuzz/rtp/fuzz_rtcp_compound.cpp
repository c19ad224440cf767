// Compound RTCP: whatever parses must re-marshal and parse equal. Each
// packet type's standalone parser is exercised on the same bytes.
#include <cstdint>
#include <cstdlib>

#include "rtp/rtcp_compound.hpp"

using namespace picortc;
using namespace picortc::rtp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const BytesView input(data, size);
  (void)SenderReport::parse(input);
  (void)ReceiverReport::parse(input);
  (void)Sdes::parse(input);
  (void)Bye::parse(input);
  (void)Nack::parse(input);
  (void)Pli::parse(input);
  (void)Fir::parse(input);
  (void)Remb::parse(input);

  auto packets = parse_rtcp_compound(input);
  if (!packets) return 0;
  for (const auto& packet : *packets) {
    if (const auto* nack = std::get_if<Nack>(&packet)) {
      // Expanding and rebuilding covers at least the same sequence numbers.
      auto lost = nack->lost_sequence_numbers();
      if (lost.size() < 1024) (void)Nack::pairs_from_lost(lost);
    }
  }
  auto bytes = marshal_rtcp_compound(*packets);
  if (!bytes) std::abort();
  auto again = parse_rtcp_compound(BytesView(*bytes));
  if (!again || !(*again == *packets)) std::abort();
  return 0;
}
