#include "feed_command.hpp"

#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "core/log.hpp"
#include "ipc/feeder.hpp"

namespace picortc::app {
namespace {

std::atomic<bool> g_stop{false};

void request_stop(int) {
  g_stop.store(true);
}

struct FeedArguments {
  ipc::FeedOptions options;
};

int run_feed(const FeedArguments& args) {
  auto opened = ipc::Feeder::open(args.options);
  if (!opened) {
    std::fprintf(stderr, "picortc: %s\n", opened.error().message().c_str());
    return 2;
  }
  std::unique_ptr<ipc::Feeder> feeder = std::move(opened).value();
  LOG_INFO("feed", "%s: %zu access units at %.3f fps (%s)", args.options.file_path.c_str(),
           feeder->access_units().size(), feeder->fps(),
           args.options.fps > 0 ? "--fps" : (feeder->fps_from_sps() ? "from the SPS" : "default"));

  // No SA_RESTART: a signal interrupts the feeder's poll() at once.
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto result = feeder->run(g_stop);
  if (!result) {
    std::fprintf(stderr, "picortc: %s\n", result.error().message().c_str());
    return 1;
  }
  const ipc::FeedSummary& summary = *result;
  LOG_INFO(
      "feed",
      "done: %llu access units sent (%llu bytes), %llu dropped, %llu connections, %llu keyframe requests, "
      "%llu bitrate requests, %llu loops",
      static_cast<unsigned long long>(summary.access_units_sent),
      static_cast<unsigned long long>(summary.bytes_sent),
      static_cast<unsigned long long>(summary.access_units_dropped),
      static_cast<unsigned long long>(summary.connections),
      static_cast<unsigned long long>(summary.keyframe_requests),
      static_cast<unsigned long long>(summary.bitrate_requests),
      static_cast<unsigned long long>(summary.loops));
  return 0;
}

}  // namespace

void register_feed_command(CLI::App& root, std::function<int()>& run) {
  auto args = std::make_shared<FeedArguments>();
  CLI::App* feed = root.add_subcommand("feed", "Write an H.264 file into an ingest socket at real-time pace");
  feed->footer(
      "One access unit per frame interval, framed (keyframe flags, capture timestamps) unless --raw.\n"
      "Reconnects with backoff if the socket is missing or goes away, and resumes at the next IDR.\n"
      "A keyframe request from the server skips ahead to the next IDR. Exit: 0 ok, 2 bad usage or\n"
      "file, 1 nothing could be delivered. Protocol: docs/ingest-protocol.md");
  feed->add_option("FILE", args->options.file_path, "H.264 Annex-B file (e.g. ffmpeg -f h264)")->required();
  feed->add_option("--socket", args->options.socket_path, "Ingest socket of `picortc serve`")->required();
  feed->add_option("--fps", args->options.fps, "Frames per second (default: from the SPS, else 30)")
      ->check(CLI::Range(0.001, 1000.0));
  feed->add_flag("--loop", args->options.loop, "Start again at the end of the file");
  feed->add_flag("--raw", args->options.raw, "Write plain Annex-B bytes instead of the framed protocol");
  feed->add_option("--count", args->options.max_access_units, "Stop after N access units were sent")
      ->check(CLI::PositiveNumber);
  feed->add_option("--duration", args->options.max_duration_s, "Stop after S seconds")
      ->check(CLI::PositiveNumber);
  feed->add_flag("--ignore-keyframe-requests", args->options.ignore_keyframe_requests,
                 "Log keyframe requests but do not skip ahead to the next IDR");
  feed->callback([args, &run] { run = [args] { return run_feed(*args); }; });
}

}  // namespace picortc::app
