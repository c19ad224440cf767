#pragma once
// Writes the access units as one Annex-B elementary stream (a .h264 file
// ffmpeg, ffprobe and players read), or to stdout for "-".
#include <cstdio>
#include <memory>
#include <string>

#include "capture/access_unit_sink.hpp"
#include "core/result.hpp"

namespace picortc::capture {

class FileSink : public AccessUnitSink {
 public:
  static Result<std::unique_ptr<FileSink>> open(const std::string& path);
  ~FileSink() override;

  bool maintain(TimePoint) override { return false; }
  bool connected() const override { return file_ != nullptr; }
  SendResult send(BytesView annexb, int64_t capture_time_us, bool keyframe) override;
  bool poll_control(ControlMessage&) override { return false; }
  void flush() override;
  std::string describe() const override { return "file " + path_; }

  uint64_t bytes_written() const { return bytes_; }

 private:
  FileSink(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}
  std::string path_;
  std::FILE* file_;
  uint64_t bytes_ = 0;
};

}  // namespace picortc::capture
