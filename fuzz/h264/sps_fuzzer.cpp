// SPS parser on arbitrary bytes. A first byte with forbidden_zero_bit set is
// replaced by 0x67 (an SPS header), so half of the inputs reach the syntax.
// Whatever parses must be self-consistent: cropped size within the coded
// size, and the same bytes parse to the same result again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "h264/bit_reader.hpp"
#include "h264/sps.hpp"

namespace {
void check(bool condition) {
  if (!condition) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> nal(data, data + size);
  if (!nal.empty() && (nal[0] & 0x80) != 0) nal[0] = 0x67;

  auto sps = picortc::h264::parse_sps(nal);
  if (sps.ok()) {
    check(sps->width > 0 && sps->width <= sps->coded_width);
    check(sps->height > 0 && sps->height <= sps->coded_height);
    check(sps->seq_parameter_set_id <= 31);
    check(picortc::h264::profile_level_id(*sps).size() == 6);
    check(!picortc::h264::describe_profile(*sps).empty());
    auto again = picortc::h264::parse_sps(nal);
    check(again.ok() && again->width == sps->width && again->height == sps->height &&
          again->frame_rate() == sps->frame_rate());
  } else {
    check(!sps.error().code.empty());
  }

  // The bit reader alone: read ue/se until it fails; it must stop within the
  // data.
  picortc::h264::BitReader reader(picortc::BytesView(data, size));
  uint32_t value = 0;
  int32_t signed_value = 0;
  for (size_t i = 0; i < size * 8 + 1; ++i) {
    bool ok = (i % 2 == 0) ? reader.read_ue(value) : reader.read_se(signed_value);
    if (!ok) break;
  }
  check(reader.bits_read() <= size * 8);
  return 0;
}
