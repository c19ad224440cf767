// Annex-B splitter + access unit assembler. The first input byte chooses the
// chunk size (1..256) the rest of the input is pushed in. Checks:
// - chunking does not change the NAL units (compared with one whole push);
// - every NAL unit is non-empty and has no trailing zero byte;
// - pending memory stays within the NAL size limit;
// - the access units hold exactly the NAL units, and re-splitting their
//   Annex-B form gives the same access units (re-marshal rule).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/log.hpp"
#include "h264/access_unit_assembler.hpp"
#include "h264/annexb_splitter.hpp"

using picortc::BytesView;
using picortc::h264::AccessUnit;
using picortc::h264::AccessUnitAssembler;
using picortc::h264::AnnexBSplitter;

namespace {

// A small limit so the oversized-NAL path is reached by short inputs.
constexpr size_t kMaxNalSize = 2048;

void check(bool condition) {
  if (!condition) std::abort();
}

std::vector<std::vector<uint8_t>> split(BytesView stream, size_t chunk_size) {
  std::vector<std::vector<uint8_t>> nals;
  AnnexBSplitter splitter(kMaxNalSize);
  auto on_nal = [&nals](BytesView nal) {
    check(!nal.empty() && nal[nal.size() - 1] != 0 && nal.size() <= kMaxNalSize);
    nals.push_back(nal.to_vector());
  };
  for (size_t offset = 0; offset < stream.size(); offset += chunk_size) {
    splitter.push(stream.subview(offset, chunk_size), on_nal);
    check(splitter.pending_size() <= kMaxNalSize + 4);
  }
  splitter.flush(on_nal);
  check(splitter.nal_count() == nals.size());
  return nals;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bool quiet = [] {
    picortc::set_log_level(picortc::LogLevel::kOff);
    return true;
  }();
  (void)quiet;
  if (size == 0) return 0;
  size_t chunk_size = size_t{data[0]} + 1;
  BytesView stream(data + 1, size - 1);

  auto whole = split(stream, stream.size() + 1);
  auto chunked = split(stream, chunk_size);
  check(whole == chunked);

  AccessUnitAssembler assembler;
  std::vector<AccessUnit> units;
  auto on_au = [&units](AccessUnit&& au) { units.push_back(std::move(au)); };
  int64_t timestamp = 0;
  for (const auto& nal : chunked)
    assembler.push_nal(nal, timestamp++, on_au);
  assembler.flush(on_au);

  size_t nal_total = 0;
  std::vector<uint8_t> joined;
  for (const AccessUnit& au : units) {
    check(!au.empty());
    nal_total += au.nal_count();
    joined.insert(joined.end(), au.annexb().begin(), au.annexb().end());
  }
  check(nal_total + assembler.dropped_nal_count() == chunked.size());
  if (assembler.dropped_nal_count() == 0) {
    // The access units' own Annex-B form re-splits into the same units.
    check(picortc::h264::split_access_units(joined) == units);
  }
  return 0;
}
