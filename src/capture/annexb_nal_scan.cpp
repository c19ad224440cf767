#include "capture/annexb_nal_scan.hpp"

#include "h264/access_unit.hpp"

namespace picortc::capture {
namespace {

// Position of the next 00 00 01 at or after `from`, or size.
size_t find_start_code(const uint8_t* p, size_t size, size_t from) {
  for (size_t i = from; i + 2 < size; ++i) {
    if (p[i + 2] > 1) {
      i += 2;  // none of the next three bytes can begin a start code ending here
      continue;
    }
    if (p[i] == 0 && p[i + 1] == 0 && p[i + 2] == 1) return i;
  }
  return size;
}

void append_with_start_code(std::vector<uint8_t>& out, BytesView nal) {
  static constexpr uint8_t kStartCode[4] = {0, 0, 0, 1};
  out.insert(out.end(), kStartCode, kStartCode + 4);
  out.insert(out.end(), nal.begin(), nal.end());
}

}  // namespace

void for_each_nal(BytesView annexb, const std::function<void(BytesView nal)>& fn) {
  const uint8_t* p = annexb.data();
  const size_t size = annexb.size();
  size_t start = find_start_code(p, size, 0);
  while (start < size) {
    size_t begin = start + 3;
    size_t next = find_start_code(p, size, begin);
    size_t end = next;
    while (end > begin && p[end - 1] == 0)
      --end;  // trailing_zero_8bits / zero_byte
    if (end > begin) fn(BytesView(p + begin, end - begin));
    start = next;
  }
}

bool access_unit_has_idr(BytesView annexb) {
  bool idr = false;
  for_each_nal(annexb, [&](BytesView nal) {
    if (h264::nal_type_of(nal[0]) == h264::kNalIdr) idr = true;
  });
  return idr;
}

bool ParameterSetRepeater::process(std::vector<uint8_t>& au) {
  bool idr = false, has_sps = false, has_pps = false;
  for_each_nal(BytesView(au), [&](BytesView nal) {
    switch (h264::nal_type_of(nal[0])) {
      case h264::kNalSps:
        has_sps = true;
        sps_ = nal.to_vector();
        break;
      case h264::kNalPps:
        has_pps = true;
        pps_ = nal.to_vector();
        break;
      case h264::kNalIdr:
        idr = true;
        break;
      default:
        break;
    }
  });
  if (!idr || (has_sps && has_pps) || !has_parameter_sets()) return idr;
  scratch_.clear();
  if (!has_sps) append_with_start_code(scratch_, BytesView(sps_));
  if (!has_pps) append_with_start_code(scratch_, BytesView(pps_));
  // In front of the first NAL unit's start code (bytes before it, if any,
  // stay where they are), or after an access unit delimiter, which must stay
  // first (H.264 7.4.1.2.3).
  size_t insert_at = 0;
  bool first = true;
  bool after_aud = false;
  for_each_nal(BytesView(au), [&](BytesView nal) {
    if (!first) return;
    first = false;
    const size_t start = static_cast<size_t>(nal.data() - au.data());
    after_aud = h264::nal_type_of(nal[0]) == h264::kNalAud;
    insert_at = after_aud ? start + nal.size() : start - 3;
  });
  // In front of the first start code's zero_byte / leading zeros as well.
  while (!after_aud && insert_at > 0 && au[insert_at - 1] == 0)
    --insert_at;
  au.insert(au.begin() + static_cast<std::ptrdiff_t>(insert_at), scratch_.begin(), scratch_.end());
  ++repeated_;
  return idr;
}

}  // namespace picortc::capture
