#pragma once
// picortc-capture's options (DESIGN.md "Command line") as values, their
// parsing, and the assembly of source, encoder and sink into a producer.
// The executable only maps the command line onto CaptureOptions; errors
// returned here are usage errors (exit 2).
#include <cstdint>
#include <memory>
#include <string>

#include "capture/capture_producer.hpp"
#include "capture/video_encoder.hpp"
#include "core/result.hpp"

namespace picortc::capture {

inline constexpr const char* kDefaultSocketPath = "/tmp/picortc-cam.sock";

struct SourceSpec {
  enum class Kind { kTestPattern, kV4l2, kFile, kRkmpi };
  Kind kind = Kind::kTestPattern;
  std::string path;  // device or file; RKMPI: the VI channel as text, may be empty
};

struct PictureSize {
  int width = 0;
  int height = 0;
};

// "testpattern", "v4l2:/dev/videoN", "file:PATH", "rkmpi[:CHANNEL]".
Result<SourceSpec> parse_source_spec(const std::string& text);
// "WxH", e.g. "1280x720"; both even, 16..8192.
Result<PictureSize> parse_size(const std::string& text);
// "baseline" (constrained baseline) or "high".
Result<H264Profile> parse_profile(const std::string& text);

struct CaptureOptions {
  std::string source = "testpattern";
  std::string size = "640x480";
  int fps = 30;
  uint32_t bitrate_kbps = 1000;
  int gop_frames = 0;  // 0: two seconds' worth
  std::string profile = "baseline";
  std::string preset = "veryfast";
  bool access_unit_delimiters = false;
  std::string socket_path = kDefaultSocketPath;
  std::string output_path;  // non-empty: write Annex-B here instead of the socket
  uint64_t max_frames = 0;
  double max_duration_s = 0;
  std::string v4l2_formats;          // comma list in order of preference; empty: default
  std::string file_format = "auto";  // auto|i420|nv12|h264
  bool loop = false;
  bool unpaced = false;  // test pattern / file as fast as possible
  double stats_interval_s = 0;
};

// Checks the options and builds the producer (the sink's connection is
// made by the producer's loop, so a missing streamer is not an error here).
Result<std::unique_ptr<CaptureProducer>> build_capture_producer(const CaptureOptions& options);

}  // namespace picortc::capture
