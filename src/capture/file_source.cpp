#include "capture/file_source.hpp"

#include <cerrno>
#include <cstring>

#include "capture/capture_errors.hpp"
#include "capture/pixel_convert.hpp"
#include "core/clock.hpp"

namespace picortc::capture {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
// An H.264 file whose access units never end (garbage, a huge picture) must
// not hold the whole file in memory: the assembler drops and counts these.
constexpr size_t kMaxAccessUnit = 8 * 1024 * 1024;

bool ends_with(const std::string& s, const char* suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

FileKind kind_from_extension(const std::string& path) {
  if (ends_with(path, ".h264") || ends_with(path, ".264") || ends_with(path, ".avc")) return FileKind::kH264;
  if (ends_with(path, ".yuv") || ends_with(path, ".i420")) return FileKind::kI420;
  if (ends_with(path, ".nv12")) return FileKind::kNv12;
  return FileKind::kAuto;
}

const char* kind_name(FileKind kind) {
  switch (kind) {
    case FileKind::kI420:
      return "I420";
    case FileKind::kNv12:
      return "NV12";
    case FileKind::kH264:
      return "H264";
    default:
      return "auto";
  }
}

}  // namespace

FileSource::FileSource(FileSourceConfig config)
    : config_(std::move(config)), pacer_(config_.fps), assembler_(kMaxAccessUnit) {}

FileSource::~FileSource() {
  close();
}

void FileSource::close() {
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
  pending_.clear();
  splitter_.reset();
  assembler_.reset();
  end_of_file_ = false;
}

Status FileSource::open() {
  close();
  if (config_.fps <= 0) return make_error(kErrBadOption, "fps " + std::to_string(config_.fps));
  file_ = std::fopen(config_.path.c_str(), "rb");
  if (file_ == nullptr) return make_error(kErrFileOpen, config_.path + ": " + std::strerror(errno));
  kind_ = config_.kind != FileKind::kAuto ? config_.kind : kind_from_extension(config_.path);
  if (kind_ == FileKind::kAuto) {
    uint8_t head[4] = {0, 0, 0, 0};
    size_t n = std::fread(head, 1, sizeof head, file_);
    std::rewind(file_);
    bool start_code = (n >= 3 && head[0] == 0 && head[1] == 0 && head[2] == 1) ||
                      (n == 4 && head[0] == 0 && head[1] == 0 && head[2] == 0 && head[3] == 1);
    if (!start_code) {
      close();
      return make_error(kErrFileFormat,
                        config_.path + ": not Annex-B H.264; name raw files .yuv/.i420/.nv12");
    }
    kind_ = FileKind::kH264;
  }
  format_ = SourceFormat{};
  format_.fps = config_.fps;
  format_.pixel_format = kind_name(kind_);
  if (kind_ == FileKind::kH264) {
    format_.encoded_h264 = true;
    format_.width = config_.width;  // unknown until an SPS is parsed; informational only
    format_.height = config_.height;
  } else {
    if (config_.width < 16 || config_.height < 16 || (config_.width & 1) || (config_.height & 1)) {
      close();
      return make_error(kErrFileFormat, config_.path + ": raw YUV needs an even --size, got " +
                                            std::to_string(config_.width) + "x" +
                                            std::to_string(config_.height));
    }
    format_.width = config_.width;
    format_.height = config_.height;
    raw_.resize(I420Frame::byte_size(config_.width, config_.height));  // NV12 has the same size
  }
  pacer_.restart();
  return {};
}

bool FileSource::rewind_for_loop() {
  if (!config_.loop || file_ == nullptr) return false;
  std::rewind(file_);
  splitter_.reset();
  assembler_.reset();
  end_of_file_ = false;
  return true;
}

Status FileSource::read_frame(CapturedFrame& out) {
  if (file_ == nullptr) return make_error(kErrSourceEnded, config_.path + " not open");
  Status status = kind_ == FileKind::kH264 ? read_h264(out) : read_raw(out);
  if (!status) return status;
  if (config_.paced) pacer_.wait_next();
  out.capture_time_us = monotonic_us();
  out.sequence = sequence_++;
  return {};
}

Status FileSource::read_raw(CapturedFrame& out) {
  // Two tries: the second after rewinding, when looping.
  for (int attempt = 0; attempt < 2; ++attempt) {
    size_t n = std::fread(raw_.data(), 1, raw_.size(), file_);
    if (n == raw_.size()) {
      out.encoded = false;
      out.keyframe = false;
      bool ok = kind_ == FileKind::kNv12
                    ? nv12_to_i420(raw_.data(), raw_.size(), format_.width, format_.height, format_.width,
                                   out.picture)
                    : i420_copy(raw_.data(), raw_.size(), format_.width, format_.height, out.picture);
      if (!ok) return make_error(kErrBadFrame, config_.path);
      return {};
    }
    if (attempt == 0 && sequence_ > 0 && rewind_for_loop()) continue;
    break;
  }
  return make_error(kErrSourceEnded, config_.path + " after " + std::to_string(sequence_) + " frames");
}

Status FileSource::read_h264(CapturedFrame& out) {
  auto on_au = [this](h264::AccessUnit&& au) { pending_.push_back(std::move(au)); };
  auto on_nal = [&](BytesView nal) { assembler_.push_nal(nal, 0, on_au); };
  bool rewound = false;
  chunk_.resize(kReadChunk);
  // Bounded: every pass reads a chunk or ends the file; a file with no
  // access unit at all ends after one rewind.
  while (pending_.empty()) {
    if (end_of_file_) {
      if (rewound || !rewind_for_loop()) {
        return make_error(kErrSourceEnded,
                          config_.path + " after " + std::to_string(sequence_) + " access units");
      }
      rewound = true;
      continue;
    }
    size_t n = std::fread(chunk_.data(), 1, chunk_.size(), file_);
    if (n > 0) splitter_.push(BytesView(chunk_.data(), n), on_nal);
    if (n < chunk_.size()) {
      splitter_.flush(on_nal);
      assembler_.flush(on_au);
      end_of_file_ = true;
    }
  }
  h264::AccessUnit au = std::move(pending_.front());
  pending_.pop_front();
  out.encoded = true;
  BytesView bytes = au.annexb();
  out.h264.assign(bytes.begin(), bytes.end());
  out.keyframe = parameter_sets_.process(out.h264);
  return {};
}

std::string FileSource::describe() const {
  std::string d = "file:" + config_.path + " " + kind_name(kind_);
  if (kind_ != FileKind::kH264)
    d += " " + std::to_string(format_.width) + "x" + std::to_string(format_.height);
  return d + "@" + std::to_string(config_.fps) + (config_.loop ? " loop" : "");
}

}  // namespace picortc::capture
