#pragma once
// A file as the camera: raw YUV pictures (I420 or NV12, size from --size)
// or an H.264 Annex-B elementary stream, passed through access unit by
// access unit. Paced at --fps (real time) unless told otherwise, looping at
// the end if asked.
#include <cstdio>
#include <deque>
#include <string>
#include <vector>

#include "capture/annexb_nal_scan.hpp"
#include "capture/frame_pacer.hpp"
#include "capture/frame_source.hpp"
#include "h264/access_unit_assembler.hpp"
#include "h264/annexb_splitter.hpp"

namespace picortc::capture {

enum class FileKind { kAuto, kI420, kNv12, kH264 };

struct FileSourceConfig {
  std::string path;
  FileKind kind = FileKind::kAuto;  // auto: from the extension, else from the first bytes
  int width = 0;                    // raw files only
  int height = 0;
  int fps = 30;
  bool loop = false;
  bool paced = true;
};

class FileSource : public FrameSource {
 public:
  explicit FileSource(FileSourceConfig config);
  ~FileSource() override;

  Status open() override;
  void close() override;
  bool is_open() const override { return file_ != nullptr; }
  SourceFormat format() const override { return format_; }
  Status read_frame(CapturedFrame& out) override;
  std::string describe() const override;

  FileKind kind() const { return kind_; }

 private:
  Status read_raw(CapturedFrame& out);
  Status read_h264(CapturedFrame& out);
  bool rewind_for_loop();

  FileSourceConfig config_;
  FileKind kind_ = FileKind::kAuto;
  std::FILE* file_ = nullptr;
  SourceFormat format_;
  FramePacer pacer_;
  uint64_t sequence_ = 0;
  std::vector<uint8_t> raw_;
  std::vector<uint8_t> chunk_;  // read buffer of the H.264 path
  h264::AnnexBSplitter splitter_;
  h264::AccessUnitAssembler assembler_;
  std::deque<h264::AccessUnit> pending_;
  ParameterSetRepeater parameter_sets_;
  bool end_of_file_ = false;
};

}  // namespace picortc::capture
