#pragma once
// Helpers shared by the ipc tests: temporary directories (Unix socket paths
// must stay under 108 bytes, so they live in /tmp), synthetic H.264 access
// units, an ffmpeg-made clip, and a bounded event-loop wait.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "core/event_loop.hpp"
#include "h264/access_unit.hpp"
#include "support/ffmpeg_clip.hpp"
#include "support/temp_dir.hpp"

namespace picortc::ipc::test {

using picortc::test::TempDir;

// NAL unit bytes without zeros, so that no start code can appear inside.
inline std::vector<uint8_t> nal_bytes(uint8_t header, uint8_t first_payload_byte, size_t size, uint8_t seed) {
  std::vector<uint8_t> nal{header, first_payload_byte};
  uint32_t state = 0x9e3779b9u ^ seed;
  while (nal.size() < size) {
    state = state * 1664525u + 1013904223u;
    uint8_t byte = static_cast<uint8_t>(state >> 24);
    nal.push_back(byte == 0 ? 0x5a : byte);
  }
  return nal;
}

// A synthetic stream: an IDR access unit (SPS, PPS, two slices) every
// `gop` access units, P access units (one slice) between; sizes vary, some
// large enough to span many socket reads. first_mb_in_slice is ue(v): a
// payload byte 0x88 (bit 1) reads 0, 0x50 (bits 010) reads 1.
inline std::vector<h264::AccessUnit> make_access_units(size_t count, size_t gop = 5,
                                                       size_t big_size = 70000) {
  std::vector<h264::AccessUnit> out;
  for (size_t i = 0; i < count; ++i) {
    h264::AccessUnit au;
    uint8_t seed = static_cast<uint8_t>(i);
    if (i % gop == 0) {
      au.append_nal(BytesView(nal_bytes(0x67, 0x42, 12, seed)));
      au.append_nal(BytesView(nal_bytes(0x68, 0xce, 5, seed)));
      au.append_nal(BytesView(nal_bytes(0x65, 0x88, i == 0 ? big_size : 3000, seed)));
      au.append_nal(BytesView(nal_bytes(0x65, 0x50, 2000, seed)));
    } else {
      au.append_nal(BytesView(nal_bytes(0x41, 0x9a, 200 + 977 * (i % 7), seed)));
    }
    au.timestamp_us = 1000000 + static_cast<int64_t>(i) * 33333;
    out.push_back(std::move(au));
  }
  return out;
}

inline std::vector<uint8_t> concat_annexb(const std::vector<h264::AccessUnit>& aus) {
  std::vector<uint8_t> out;
  for (const auto& au : aus)
    out.insert(out.end(), au.annexb().begin(), au.annexb().end());
  return out;
}

// Runs the loop until `done()` or `limit` passes; returns done().
inline bool run_until(EventLoop& loop, const std::function<bool()>& done, Duration limit = seconds(10)) {
  TimePoint end = Clock::now() + limit;
  while (!done() && Clock::now() < end)
    loop.run_once(milliseconds(10));
  return done();
}

using picortc::test::have_ffmpeg;
using picortc::test::read_file_bytes;

// A small H.264 clip made by ffmpeg (testsrc2, libx264, B-frames, an IDR
// every 10 frames, 25 fps in the SPS VUI). Empty when ffmpeg is not available.
inline std::string ffmpeg_clip() {
  static const std::string path = picortc::test::ffmpeg_h264_clip(
      "feed_clip_25fps",
      "-f lavfi -i testsrc2=size=192x108:rate=25 -frames:v 40 -c:v libx264 -preset veryfast -g 10 -bf 2 "
      "-pix_fmt yuv420p");
  return path;
}

}  // namespace picortc::ipc::test
