// Annex-B splitting throughput (bytes/s via SetBytesProcessed).
//
// Synthetic: a deterministic stream shaped like encoder output (4 slices of
// ~10 KB of random-looking payload per frame, emulation prevention applied,
// 4-byte start codes, SPS/PPS every 30 frames), 32 MiB.
// Real: a 720p x264 clip generated with ffmpeg into /tmp when missing (the
// benchmark is skipped when ffmpeg is not installed).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/log.hpp"
#include "h264/access_unit_assembler.hpp"
#include "h264/annexb_splitter.hpp"

namespace {

using picortc::BytesView;
using picortc::h264::AccessUnit;
using picortc::h264::AccessUnitAssembler;
using picortc::h264::AnnexBSplitter;

void append_nal(std::vector<uint8_t>& out, const std::vector<uint8_t>& rbsp) {
  out.insert(out.end(), {0, 0, 0, 1});
  int zeros = 0;
  for (uint8_t byte : rbsp) {
    if (zeros >= 2 && byte <= 3) {  // emulation prevention, H.264 §7.4.1
      out.push_back(3);
      zeros = 0;
    }
    out.push_back(byte);
    zeros = byte == 0 ? zeros + 1 : 0;
  }
}

const std::vector<uint8_t>& synthetic_stream() {
  static const std::vector<uint8_t> stream = [] {
    std::vector<uint8_t> out;
    out.reserve(34u << 20);
    uint64_t state = 0x9e3779b97f4a7c15ull;
    auto next = [&state] {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      return state;
    };
    int frame = 0;
    while (out.size() < (32u << 20)) {
      if (frame % 30 == 0) {
        append_nal(out, {0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50, 0x05, 0xbb, 0x01, 0x10});
        append_nal(out, {0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0});
      }
      for (int slice = 0; slice < 4; ++slice) {
        std::vector<uint8_t> nal;
        size_t size = 8000 + next() % 4000;
        nal.push_back(frame % 30 == 0 ? 0x65 : 0x41);
        nal.push_back(slice == 0 ? 0x88 : 0x9a);  // first_mb_in_slice 0 / not 0
        for (size_t i = 2; i < size; ++i) {
          uint64_t r = next();
          // Real slice data has more zero bytes than uniform noise.
          nal.push_back((r & 0x3f) == 0 ? 0 : static_cast<uint8_t>(r >> 24));
        }
        nal.push_back(0x80);  // rbsp_stop_one_bit
        append_nal(out, nal);
      }
      ++frame;
    }
    return out;
  }();
  return stream;
}

const std::vector<uint8_t>& real_720p_stream() {
  static const std::vector<uint8_t> stream = [] {
    const char* path = "/tmp/picortc_bench_720p.h264";
    std::ifstream probe(path, std::ios::binary);
    if (!probe.good()) {
      std::string command =
          "command -v ffmpeg >/dev/null 2>&1 && timeout 300 ffmpeg -hide_banner -loglevel error -y -f lavfi "
          "-i testsrc2=size=1280x720:rate=30 -frames:v 600 -c:v libx264 -preset veryfast -b:v 4M "
          "-pix_fmt yuv420p -f h264 " +
          std::string(path);
      if (std::system(command.c_str()) != 0) return std::vector<uint8_t>();
    }
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }();
  return stream;
}

void split_stream(benchmark::State& state, const std::vector<uint8_t>& stream) {
  if (stream.empty()) {
    state.SkipWithError("no stream (ffmpeg missing?)");
    return;
  }
  size_t chunk = state.range(0) > 0 ? static_cast<size_t>(state.range(0)) : stream.size();
  AnnexBSplitter splitter;
  uint64_t nal_bytes = 0;
  auto on_nal = [&nal_bytes](BytesView nal) { nal_bytes += nal.size(); };
  for (auto _ : state) {
    for (size_t offset = 0; offset < stream.size(); offset += chunk) {
      splitter.push(BytesView(stream.data() + offset, std::min(chunk, stream.size() - offset)), on_nal);
    }
    splitter.flush(on_nal);
    benchmark::DoNotOptimize(nal_bytes);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(stream.size()));
  state.counters["nal_units"] =
      static_cast<double>(splitter.nal_count()) / static_cast<double>(state.iterations());
}

void BM_AnnexBSplitSynthetic(benchmark::State& state) {
  split_stream(state, synthetic_stream());
}
// Chunk sizes: a pipe/socket read (64 KiB), a small read (1500), whole buffer (0).
BENCHMARK(BM_AnnexBSplitSynthetic)->Arg(0)->Arg(65536)->Arg(1500)->Unit(benchmark::kMillisecond);

void BM_AnnexBSplitReal720p(benchmark::State& state) {
  split_stream(state, real_720p_stream());
}
BENCHMARK(BM_AnnexBSplitReal720p)->Arg(0)->Arg(65536)->Arg(1500)->Unit(benchmark::kMillisecond);

// Splitter + access unit assembly (one copy of every NAL unit into its
// access unit), as the raw ingest path does.
void BM_AccessUnitsSynthetic(benchmark::State& state) {
  const auto& stream = synthetic_stream();
  const size_t chunk = 65536;
  AnnexBSplitter splitter;
  AccessUnitAssembler assembler;
  uint64_t units = 0;
  auto on_au = [&units](AccessUnit&& au) {
    ++units;
    benchmark::DoNotOptimize(au.size());
  };
  auto on_nal = [&](BytesView nal) { assembler.push_nal(nal, 0, on_au); };
  for (auto _ : state) {
    for (size_t offset = 0; offset < stream.size(); offset += chunk) {
      splitter.push(BytesView(stream.data() + offset, std::min(chunk, stream.size() - offset)), on_nal);
    }
    splitter.flush(on_nal);
    assembler.flush(on_au);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(stream.size()));
  state.counters["access_units"] = static_cast<double>(units) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_AccessUnitsSynthetic)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  picortc::set_log_level(picortc::LogLevel::kError);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
