// Fuzzes the ingest stream decoder (framing detection, framed protocol, raw
// Annex-B path) without sockets. Input: the first byte picks the chunk size
// the stream is cut into (1..256 bytes), the rest is the stream.
//
// Rules checked:
//   - nothing crashes, nothing leaks, memory stays within the limits;
//   - every access unit emitted is non-empty, made of non-empty NAL units;
//   - whatever is emitted re-marshals as a framed message that decodes back
//     to the same access unit with the same timestamp;
//   - a header that parses re-marshals to the same 20 bytes;
//   - the decoder counts exactly what it emitted.
#include <cassert>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/log.hpp"
#include "ipc/ingest_protocol.hpp"
#include "ipc/ingest_stream_decoder.hpp"

using picortc::BytesView;
using picortc::h264::AccessUnit;
using picortc::ipc::IngestFrameHeader;
using picortc::ipc::IngestStreamDecoder;

namespace {

constexpr size_t kMaxAccessUnit = 64 * 1024;  // small, so the fuzzer reaches the limits
constexpr size_t kMaxSyncSearch = 4096;

void check(bool condition) {
  if (!condition) std::abort();
}

void check_remarshal(const AccessUnit& au) {
  std::vector<uint8_t> message =
      picortc::ipc::marshal_access_unit_message(au.annexb(), au.timestamp_us, au.is_keyframe());
  IngestStreamDecoder again(2 * kMaxAccessUnit + 64);
  std::vector<AccessUnit> out;
  auto status =
      again.push(BytesView(message), 0, [&out](AccessUnit&& decoded) { out.push_back(std::move(decoded)); });
  check(status.ok());
  check(out.size() == 1);
  check(out[0] == au);
  check(out[0].timestamp_us == au.timestamp_us);
  check(again.stats().keyframe_flag_mismatches == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Drops are logged at a limited rate; at fuzzing speed that is noise.
  static const bool quiet = (picortc::set_log_level(picortc::LogLevel::kOff), true);
  (void)quiet;
  if (size < 1) return 0;
  const size_t chunk = static_cast<size_t>(data[0]) + 1;
  BytesView stream(data + 1, size - 1);

  auto header = IngestFrameHeader::parse(stream);
  if (header.ok()) {
    std::vector<uint8_t> bytes = header->marshal();
    check(std::memcmp(bytes.data(), stream.data(), bytes.size()) == 0);
  }

  IngestStreamDecoder decoder(kMaxAccessUnit, kMaxSyncSearch);
  uint64_t emitted = 0;
  auto on_au = [&emitted](AccessUnit&& au) {
    ++emitted;
    check(!au.empty());
    // Canonical 4-byte start codes may grow a payload written with 3-byte ones.
    check(au.size() <= 2 * kMaxAccessUnit);
    for (size_t i = 0; i < au.nal_count(); ++i)
      check(!au.nal(i).empty());
    check_remarshal(au);
  };
  int64_t now = 0;
  for (size_t pos = 0; pos < stream.size(); pos += chunk) {
    auto status = decoder.push(stream.subview(pos, chunk), ++now, on_au);
    if (!status.ok()) {
      check(decoder.failed());
      break;
    }
  }
  decoder.finish(on_au);
  check(decoder.stats().access_units == emitted);
  check(!decoder.failed());
  return 0;
}
