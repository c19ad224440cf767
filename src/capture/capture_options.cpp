#include "capture/capture_options.hpp"

#include <cstdlib>
#include <sstream>

#include "capture/capture_errors.hpp"
#include "capture/file_sink.hpp"
#include "capture/file_source.hpp"
#include "capture/test_pattern_source.hpp"
#include "capture/v4l2_device.hpp"
#include "capture/v4l2_source.hpp"
#include "capture/x264_encoder.hpp"
#ifdef PICORTC_HAVE_INGEST_CLIENT
#include "capture/ingest_sink.hpp"
#endif
#ifdef PICORTC_HAVE_RKMPI
#include "capture/rkmpi_encoder.hpp"
#endif

namespace picortc::capture {
namespace {

bool starts_with(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

bool parse_int(const std::string& text, int& out) {
  if (text.empty() || text.size() > 6) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  out = std::atoi(text.c_str());
  return true;
}

}  // namespace

Result<SourceSpec> parse_source_spec(const std::string& text) {
  SourceSpec spec;
  if (text == "testpattern") return spec;
  if (starts_with(text, "v4l2:")) {
    spec.kind = SourceSpec::Kind::kV4l2;
    spec.path = text.substr(5);
    if (spec.path.empty()) return make_error(kErrBadSourceSpec, "v4l2: needs a device path");
    return spec;
  }
  if (starts_with(text, "file:")) {
    spec.kind = SourceSpec::Kind::kFile;
    spec.path = text.substr(5);
    if (spec.path.empty()) return make_error(kErrBadSourceSpec, "file: needs a path");
    return spec;
  }
  if (text == "rkmpi" || starts_with(text, "rkmpi:")) {
    spec.kind = SourceSpec::Kind::kRkmpi;
    spec.path = text.size() > 6 ? text.substr(6) : "";
    return spec;
  }
  return make_error(kErrBadSourceSpec, "'" + text + "' (testpattern | v4l2:/dev/videoN | file:PATH | rkmpi)");
}

Result<PictureSize> parse_size(const std::string& text) {
  size_t x = text.find_first_of("xX");
  PictureSize size;
  if (x == std::string::npos || !parse_int(text.substr(0, x), size.width) ||
      !parse_int(text.substr(x + 1), size.height)) {
    return make_error(kErrBadSize, "'" + text + "'");
  }
  if (size.width < 16 || size.height < 16 || size.width > 8192 || size.height > 8192 || (size.width & 1) ||
      (size.height & 1)) {
    return make_error(kErrBadSize, "'" + text + "': both sides even, 16..8192");
  }
  return size;
}

Result<H264Profile> parse_profile(const std::string& text) {
  if (text == "baseline" || text == "constrained-baseline") return H264Profile::kConstrainedBaseline;
  if (text == "high") return H264Profile::kHigh;
  return make_error(kErrBadOption, "--profile '" + text + "' (baseline | high)");
}

Result<std::unique_ptr<CaptureProducer>> build_capture_producer(const CaptureOptions& o) {
  auto spec = parse_source_spec(o.source);
  if (!spec) return spec.error();
  auto size = parse_size(o.size);
  if (!size) return size.error();
  auto profile = parse_profile(o.profile);
  if (!profile) return profile.error();
  if (o.fps < 1 || o.fps > 240)
    return make_error(kErrBadOption, "--fps " + std::to_string(o.fps) + " (1..240)");
  if (o.bitrate_kbps < 10 || o.bitrate_kbps > 200000) {
    return make_error(kErrBadOption, "--bitrate " + std::to_string(o.bitrate_kbps) + " (10..200000 kbps)");
  }
  if (o.gop_frames < 0) return make_error(kErrBadOption, "--gop " + std::to_string(o.gop_frames));

  ProducerConfig config;
  config.encoder.width = size->width;
  config.encoder.height = size->height;
  config.encoder.fps = o.fps;
  config.encoder.bitrate_kbps = o.bitrate_kbps;
  config.encoder.gop_frames = o.gop_frames > 0 ? o.gop_frames : 2 * o.fps;
  config.encoder.profile = *profile;
  config.encoder.preset = o.preset;
  config.encoder.access_unit_delimiters = o.access_unit_delimiters;
  config.max_frames = o.max_frames;
  config.max_duration_s = o.max_duration_s;
  if (o.stats_interval_s > 0) {
    config.stats_interval =
        std::chrono::duration_cast<Duration>(std::chrono::duration<double>(o.stats_interval_s));
  }

  std::unique_ptr<FrameSource> source;
  switch (spec->kind) {
    case SourceSpec::Kind::kTestPattern: {
      TestPatternConfig c;
      c.width = size->width;
      c.height = size->height;
      c.fps = o.fps;
      c.paced = !o.unpaced;
      if (c.width < TestPatternSource::kMinWidth || c.height < TestPatternSource::kMinHeight) {
        return make_error(kErrBadSize, "the test pattern needs at least 176x144");
      }
      source = std::make_unique<TestPatternSource>(c);
      break;
    }
    case SourceSpec::Kind::kV4l2: {
      static SystemV4l2Device system_device;  // stateless: one for the process
      V4l2Config c;
      c.path = spec->path;
      c.width = size->width;
      c.height = size->height;
      c.fps = o.fps;
      if (!o.v4l2_formats.empty()) {
        c.preferred_formats.clear();
        std::stringstream list(o.v4l2_formats);
        std::string name;
        while (std::getline(list, name, ',')) {
          uint32_t fourcc = fourcc_from_name(name);
          if (fourcc == 0) return make_error(kErrBadOption, "--v4l2-formats: unknown '" + name + "'");
          c.preferred_formats.push_back(fourcc);
        }
      }
      source = std::make_unique<V4l2Source>(system_device, c);
      break;
    }
    case SourceSpec::Kind::kFile: {
      FileSourceConfig c;
      c.path = spec->path;
      c.width = size->width;
      c.height = size->height;
      c.fps = o.fps;
      c.loop = o.loop;
      c.paced = !o.unpaced;
      if (o.file_format == "auto")
        c.kind = FileKind::kAuto;
      else if (o.file_format == "i420")
        c.kind = FileKind::kI420;
      else if (o.file_format == "nv12")
        c.kind = FileKind::kNv12;
      else if (o.file_format == "h264")
        c.kind = FileKind::kH264;
      else
        return make_error(kErrBadOption, "--file-format '" + o.file_format + "' (auto|i420|nv12|h264)");
      source = std::make_unique<FileSource>(c);
      break;
    }
    case SourceSpec::Kind::kRkmpi: {
#ifdef PICORTC_HAVE_RKMPI
      RkmpiConfig c;
      c.width = size->width;
      c.height = size->height;
      c.fps = o.fps;
      c.bitrate_kbps = o.bitrate_kbps;
      c.gop_frames = config.encoder.gop_frames;
      c.profile = *profile;
      if (!spec->path.empty() && !parse_int(spec->path, c.vi_channel)) {
        return make_error(kErrBadSourceSpec, "rkmpi:CHANNEL wants a number");
      }
      source = std::make_unique<RkmpiVencSource>(c);
      break;
#else
      return make_error(kErrBadSourceSpec, "rkmpi: this build has no Rockchip support (PICORTC_RKMPI=OFF)");
#endif
    }
  }

  std::unique_ptr<AccessUnitSink> sink;
  if (!o.output_path.empty()) {
    auto file = FileSink::open(o.output_path);
    if (!file) return file.error();
    sink = std::move(*file);
  } else {
#ifdef PICORTC_HAVE_INGEST_CLIENT
    // sockaddr_un::sun_path holds 108 bytes with the terminating NUL.
    if (o.socket_path.empty() || o.socket_path.size() >= 108) {
      return make_error(kErrBadOption, "--socket path empty or longer than 107 bytes");
    }
    sink = std::make_unique<IngestSink>(o.socket_path);
#else
    return make_error(kErrBadOption, "this build has no ingest client: use --output FILE");
#endif
  }

  EncoderFactory factory = [](const EncoderConfig& c) -> Result<std::unique_ptr<VideoEncoder>> {
    auto encoder = X264Encoder::create(c);
    if (!encoder) return encoder.error();
    return std::unique_ptr<VideoEncoder>(std::move(*encoder));
  };
  return std::make_unique<CaptureProducer>(std::move(config), std::move(source), std::move(factory),
                                           std::move(sink));
}

}  // namespace picortc::capture
