// Access units from an H.264 camera or file (pass-through) into the NAL
// scanner and the parameter-set repeater. Rules: every NAL unit found lies
// inside the input; the repeater only ever adds whole NAL units (SPS/PPS it
// saw before), so the rewritten access unit holds the original NAL units in
// order, and processing it again changes nothing.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "capture/annexb_nal_scan.hpp"

namespace {

std::vector<std::vector<uint8_t>> nals_of(const std::vector<uint8_t>& au) {
  std::vector<std::vector<uint8_t>> nals;
  picortc::capture::for_each_nal(picortc::BytesView(au), [&](picortc::BytesView nal) {
    assert(nal.data() >= au.data() && nal.end() <= au.data() + au.size());
    assert(!nal.empty());
    nals.push_back(nal.to_vector());
  });
  return nals;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Two access units from one input: byte 0 is the length of the first,
  // which primes the cache.
  if (size == 0) return 0;
  const size_t split = 1 + data[0] % size;
  picortc::capture::ParameterSetRepeater repeater;
  std::vector<uint8_t> first(data + 1, data + split);
  std::vector<uint8_t> second(data + split, data + size);
  repeater.process(first);
  const auto before = nals_of(second);
  const bool idr = repeater.process(second);
  const auto after = nals_of(second);
  assert(idr == picortc::capture::access_unit_has_idr(picortc::BytesView(second)));
  // The original NAL units, in order, are a subsequence of the result.
  size_t j = 0;
  for (const auto& nal : after) {
    if (j < before.size() && nal == before[j]) ++j;
  }
  assert(j == before.size());
  assert(after.size() >= before.size() && after.size() <= before.size() + 2);
  std::vector<uint8_t> again = second;
  repeater.process(again);
  assert(again == second);
  return 0;
}
