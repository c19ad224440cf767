// Ingest decoding cost per access unit: what `picortc serve` spends between
// read() and the packetizer, framed and raw, for a typical 720p P frame
// (~30 KB) read in 64 KiB chunks.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "h264/access_unit.hpp"
#include "ipc/ingest_protocol.hpp"
#include "ipc/ingest_stream_decoder.hpp"

namespace {

using picortc::BytesView;
using picortc::h264::AccessUnit;
using picortc::ipc::IngestStreamDecoder;

// One slice NAL unit of `size` bytes without zero bytes (no start code inside).
AccessUnit make_access_unit(size_t size, uint8_t seed) {
  std::vector<uint8_t> nal{0x41, 0x9a};
  uint32_t state = seed;
  while (nal.size() < size) {
    state = state * 1664525u + 1013904223u;
    uint8_t byte = static_cast<uint8_t>(state >> 24);
    nal.push_back(byte == 0 ? 0x5a : byte);
  }
  AccessUnit au;
  au.append_nal(BytesView(nal));
  return au;
}

std::vector<uint8_t> make_stream(bool framed, size_t count, size_t size) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i < count; ++i) {
    AccessUnit au = make_access_unit(size, static_cast<uint8_t>(i));
    std::vector<uint8_t> bytes =
        framed ? picortc::ipc::marshal_access_unit_message(au.annexb(), 0, false) : au.annexb().to_vector();
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

void decode(benchmark::State& state, bool framed) {
  const size_t kCount = 64;
  const size_t kSize = static_cast<size_t>(state.range(0));
  std::vector<uint8_t> stream = make_stream(framed, kCount, kSize);
  uint64_t emitted = 0;
  for (auto _ : state) {
    IngestStreamDecoder decoder;
    for (size_t pos = 0; pos < stream.size(); pos += 65536) {
      (void)decoder.push(BytesView(stream).subview(pos, 65536), 0, [&emitted](AccessUnit&& au) {
        benchmark::DoNotOptimize(au);
        ++emitted;
      });
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kCount));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * stream.size()));
  benchmark::DoNotOptimize(emitted);
}

void BM_IngestDecodeFramed(benchmark::State& state) {
  decode(state, true);
}
void BM_IngestDecodeRaw(benchmark::State& state) {
  decode(state, false);
}

BENCHMARK(BM_IngestDecodeFramed)->Arg(3000)->Arg(30000)->Arg(300000);
BENCHMARK(BM_IngestDecodeRaw)->Arg(3000)->Arg(30000)->Arg(300000);

}  // namespace

BENCHMARK_MAIN();
