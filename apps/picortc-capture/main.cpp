// picortc-capture: grabs pictures, encodes H.264 and writes access units to
// the ingest socket of `picortc serve` (or to a file). Everything but the
// command line lives in src/capture/.
#include <csignal>
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "capture/capture_options.hpp"
#include "core/log.hpp"

namespace {

picortc::capture::CaptureProducer* g_producer = nullptr;

extern "C" void on_stop_signal(int) {
  if (g_producer != nullptr) g_producer->request_stop();
}
extern "C" void on_stats_signal(int) {
  if (g_producer != nullptr) g_producer->request_stats();
}

}  // namespace

int main(int argc, char** argv) {
  picortc::capture::CaptureOptions o;
  std::string log_level = "info";
  CLI::App app{"picortc-capture: camera -> H.264 -> picortc ingest socket"};
  app.add_option("--source", o.source, "testpattern | v4l2:/dev/videoN | file:PATH | rkmpi[:CHANNEL]")
      ->capture_default_str();
  app.add_option("--size", o.size, "picture size WxH")->capture_default_str();
  app.add_option("--fps", o.fps, "frames per second")->capture_default_str();
  app.add_option("--bitrate", o.bitrate_kbps, "target bitrate, kbit/s")->capture_default_str();
  app.add_option("--gop", o.gop_frames, "frames between IDRs (default: 2 s)");
  app.add_option("--profile", o.profile, "baseline (constrained) | high")->capture_default_str();
  app.add_option("--socket", o.socket_path, "ingest socket of picortc serve")->capture_default_str();
  app.add_option("--output", o.output_path,
                 "write Annex-B H.264 to FILE (- for stdout) instead of the socket");
  app.add_option("--frames", o.max_frames, "stop after N frames");
  app.add_option("--duration", o.max_duration_s, "stop after S seconds");
  app.add_option("--preset", o.preset, "x264 preset (ultrafast .. veryslow)")->capture_default_str();
  app.add_flag("--aud", o.access_unit_delimiters, "emit access unit delimiters");
  app.add_option("--v4l2-formats", o.v4l2_formats, "V4L2 formats in order of preference, e.g. yuyv,mjpeg");
  app.add_option("--file-format", o.file_format, "auto | i420 | nv12 | h264")->capture_default_str();
  app.add_flag("--loop", o.loop, "start a file source over at its end");
  app.add_flag("--unpaced", o.unpaced, "test pattern / file as fast as possible (no real-time pacing)");
  app.add_option("--stats-interval", o.stats_interval_s, "log statistics every S seconds");
  app.add_option("--log-level", log_level, "debug | info | warn | error | off")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "picortc-capture: %s\n", e.what());
    return 2;
  }
  picortc::LogLevel level;
  if (!picortc::parse_log_level(log_level.c_str(), level)) {
    std::fprintf(stderr, "picortc-capture: bad --log-level '%s'\n", log_level.c_str());
    return 2;
  }
  picortc::set_log_level(level);

  auto producer = picortc::capture::build_capture_producer(o);
  if (!producer) {
    std::fprintf(stderr, "picortc-capture: %s\n", producer.error().message().c_str());
    return 2;
  }
  g_producer = producer->get();
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGUSR1, on_stats_signal);
  picortc::Status status = (*producer)->run();
  g_producer = nullptr;
  if (!status) {
    std::fprintf(stderr, "picortc-capture: %s\n", status.error().message().c_str());
    return 1;
  }
  return 0;
}
