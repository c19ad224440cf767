#pragma once
// Where pictures come from: the test pattern, a V4L2 camera, a file, or the
// Rockchip hardware pipeline. A source delivers either raw I420 pictures (to
// be encoded) or H.264 access units it already has (passed through: H.264
// cameras, .h264 files, the RV1106 hardware encoder).
//
// Threading: a source is used by the one producer thread.
#include <cstdint>
#include <string>
#include <vector>

#include "capture/video_frame.hpp"
#include "core/result.hpp"

namespace picortc::capture {

struct SourceFormat {
  int width = 0;
  int height = 0;
  int fps = 0;                // nominal frame rate
  bool encoded_h264 = false;  // frames are H.264 access units, not I420
  std::string pixel_format;   // what was negotiated ("YUYV", "MJPG", "H264", "I420", ...)
};

struct CapturedFrame {
  bool encoded = false;         // true: `h264` holds one Annex-B access unit
  I420Frame picture;            // when !encoded
  std::vector<uint8_t> h264;    // when encoded
  bool keyframe = false;        // when encoded: an IDR access unit
  int64_t capture_time_us = 0;  // CLOCK_MONOTONIC, microseconds
  uint64_t sequence = 0;        // frames delivered by this source since open()
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;

  // Opens (or reopens after close()) the source and negotiates its format.
  virtual Status open() = 0;
  virtual void close() = 0;
  virtual bool is_open() const = 0;
  // Valid after a successful open().
  virtual SourceFormat format() const = 0;

  // Waits for the next frame and fills `out` (buffers are reused between
  // calls). Errors: kErrSourceTimeout and kErrBadFrame (skip and call again),
  // kErrSourceEnded (no more frames), anything else: the source is closed and
  // may be reopened.
  virtual Status read_frame(CapturedFrame& out) = 0;

  // For encoded sources: ask for an IDR soon / a new target bitrate. False
  // when the source cannot (the producer then waits for the next IDR).
  virtual bool request_keyframe() { return false; }
  virtual bool set_bitrate(uint32_t /*kbps*/) { return false; }

  // For logs: "testpattern 640x480@30", "v4l2:/dev/video0 YUYV 1280x720@30".
  virtual std::string describe() const = 0;
};

}  // namespace picortc::capture
