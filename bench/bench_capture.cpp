// x264 encode speed with picortc-capture's default settings (veryfast,
// zerolatency, constrained baseline, 1 frame VBV) on test-pattern pictures,
// plus the cost of rendering the pattern and of the camera conversions.
#include <benchmark/benchmark.h>

#include <vector>

#include "capture/pixel_convert.hpp"
#include "capture/test_pattern_source.hpp"
#include "capture/x264_encoder.hpp"

namespace {

using picortc::capture::EncodedFrame;
using picortc::capture::EncoderConfig;
using picortc::capture::I420Frame;
using picortc::capture::TestPatternRenderer;
using picortc::capture::X264Encoder;

// Pre-rendered pictures, so only the encoder is timed.
std::vector<I420Frame> render_pictures(int width, int height, int count) {
  TestPatternRenderer renderer;
  std::vector<I420Frame> pictures(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    pictures[static_cast<size_t>(i)].allocate(width, height);
    renderer.render(pictures[static_cast<size_t>(i)], static_cast<uint64_t>(i), i * 33333);
  }
  return pictures;
}

void BM_X264Encode(benchmark::State& state) {
  EncoderConfig config;
  config.width = static_cast<int>(state.range(0));
  config.height = static_cast<int>(state.range(1));
  config.bitrate_kbps = static_cast<uint32_t>(state.range(2));
  config.threads = static_cast<int>(state.range(3));  // 0: x264 decides
  auto encoder = X264Encoder::create(config);
  if (!encoder) {
    state.SkipWithError(encoder.error().message().c_str());
    return;
  }
  auto pictures = render_pictures(config.width, config.height, 60);
  EncodedFrame out;
  size_t i = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    (void)(*encoder)->encode(pictures[i % pictures.size()], 0, false, out);
    bytes += out.annexb.size();
    ++i;
  }
  state.counters["fps"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["kbit_per_frame"] =
      static_cast<double>(bytes) * 8 / 1000 / static_cast<double>(state.iterations());
}
// width, height, kbit/s, threads
BENCHMARK(BM_X264Encode)
    ->Args({640, 480, 1000, 0})
    ->Args({1280, 720, 2500, 0})
    ->Args({640, 480, 1000, 1})
    ->Args({1280, 720, 2500, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_TestPatternRender(benchmark::State& state) {
  TestPatternRenderer renderer;
  I420Frame picture;
  picture.allocate(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  uint64_t n = 0;
  for (auto _ : state)
    renderer.render(picture, n++, 0);
}
BENCHMARK(BM_TestPatternRender)->Args({640, 480})->Args({1280, 720})->Unit(benchmark::kMillisecond);

void BM_YuyvToI420(benchmark::State& state) {
  const int w = static_cast<int>(state.range(0)), h = static_cast<int>(state.range(1));
  std::vector<uint8_t> yuyv(static_cast<size_t>(w) * h * 2, 0x80);
  I420Frame out;
  for (auto _ : state)
    benchmark::DoNotOptimize(picortc::capture::yuyv_to_i420(yuyv.data(), yuyv.size(), w, h, 2 * w, out));
}
BENCHMARK(BM_YuyvToI420)->Args({1280, 720})->Unit(benchmark::kMillisecond);

}  // namespace
BENCHMARK_MAIN();
