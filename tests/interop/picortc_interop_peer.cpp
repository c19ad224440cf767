// picortc_interop_peer: one picortc PeerConnection against one aiortc peer
// (tests/interop/aiortc_peer.py), over loopback, with the SDP exchanged
// through the Python process's stdin/stdout (one JSON object per line).
// A test program, not an app: aiortc_interop_test runs it (docs/interop.md).
//
//   picortc_interop_peer send --script aiortc_peer.py --clip in.h264 --report r.json
//       aiortc offers recvonly H.264, we answer send-only and send the clip's
//       access units at real-time pace (looping), until aiortc has decoded
//       --min-frames frames or --duration passed.
//   picortc_interop_peer recv --script aiortc_peer.py --out out.h264 --report r.json
//       [--we-answer]
//       we offer recvonly (like `picortc view`) and aiortc answers with its
//       synthetic 640x480 source; or, with --we-answer, aiortc offers sendonly
//       and we answer. Received access units are written as Annex-B from the
//       first keyframe on, until --min-frames were written or --duration passed.
//
// The report (JSON) holds aiortc's result line under "aiortc" and ours under
// "picortc". Exit code 0 when both sides met their goal, 1 otherwise, 2 on
// bad usage.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "h264/access_unit.hpp"
#include "h264/access_unit_assembler.hpp"
#include "h264/sps.hpp"
#include "webrtc/peer_connection.hpp"

extern char** environ;

namespace picortc::interop {
namespace {

constexpr const char* kTag = "interop";
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Bounded waits: descriptions must come quickly (aiortc gathers on loopback
// only), the end of the run is bounded by --duration plus these margins.
const Duration kDescriptionTimeout = seconds(20);
const Duration kConnectTimeout = seconds(20);
const Duration kResultTimeout = seconds(15);
const Duration kChildExitTimeout = seconds(5);

struct Options {
  std::string mode;  // send | recv
  std::string python = "/usr/bin/python3";
  std::string script;
  std::string clip;    // send
  std::string out;     // recv
  std::string report;  // JSON report, optional
  bool we_answer = false;
  double duration_s = 10.0;
  int min_frames = 30;
  int fps = 30;
  bool verbose = false;
};

void usage() {
  std::fprintf(stderr,
               "usage: picortc_interop_peer send|recv --script aiortc_peer.py [--python /usr/bin/python3]\n"
               "         [--clip FILE (send)] [--out FILE (recv)] [--we-answer (recv)] [--report FILE]\n"
               "         [--duration S] [--min-frames N] [--fps N] [--verbose]\n");
}

std::optional<Options> parse_options(int argc, char** argv) {
  if (argc < 2) return std::nullopt;
  Options options;
  options.mode = argv[1];
  if (options.mode != "send" && options.mode != "recv") return std::nullopt;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    std::string number;
    if (arg == "--script") {
      if (!value(options.script)) return std::nullopt;
    } else if (arg == "--python") {
      if (!value(options.python)) return std::nullopt;
    } else if (arg == "--clip") {
      if (!value(options.clip)) return std::nullopt;
    } else if (arg == "--out") {
      if (!value(options.out)) return std::nullopt;
    } else if (arg == "--report") {
      if (!value(options.report)) return std::nullopt;
    } else if (arg == "--we-answer") {
      options.we_answer = true;
    } else if (arg == "--verbose") {
      options.verbose = true;
    } else if (arg == "--duration" || arg == "--min-frames" || arg == "--fps") {
      if (!value(number)) return std::nullopt;
      char* end = nullptr;
      double parsed = std::strtod(number.c_str(), &end);
      if (end == number.c_str() || *end != '\0' || parsed <= 0 || parsed > 3600) return std::nullopt;
      if (arg == "--duration") options.duration_s = parsed;
      if (arg == "--min-frames") options.min_frames = static_cast<int>(parsed);
      if (arg == "--fps") options.fps = static_cast<int>(parsed);
    } else {
      return std::nullopt;
    }
  }
  if (options.script.empty()) return std::nullopt;
  if (options.mode == "send" && options.clip.empty()) return std::nullopt;
  if (options.mode == "recv" && options.out.empty()) return std::nullopt;
  return options;
}

// The aiortc process: its stdin and stdout are pipes to us, its stderr is
// ours (its logs land in the test output). Killed at destruction if still
// running.
class PythonPeer {
 public:
  explicit PythonPeer(const std::vector<std::string>& argv) {
    int to_child[2] = {-1, -1};
    int from_child[2] = {-1, -1};
    if (pipe2(to_child, O_CLOEXEC) != 0) return;
    if (pipe2(from_child, O_CLOEXEC) != 0) {
      close_fd(to_child[0]);
      close_fd(to_child[1]);
      return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // dup2 clears O_CLOEXEC on the child's 0 and 1; every other pipe end
    // closes at exec.
    posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
    std::vector<char*> args;
    for (const auto& arg : argv)
      args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    if (posix_spawnp(&pid_, argv[0].c_str(), &actions, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close_fd(to_child[0]);
    close_fd(from_child[1]);
    stdin_fd_ = to_child[1];
    stdout_fd_ = from_child[0];
    fcntl(stdout_fd_, F_SETFL, fcntl(stdout_fd_, F_GETFL) | O_NONBLOCK);
    if (pid_ < 0) {
      close_fd(stdin_fd_);
      close_fd(stdout_fd_);
    }
  }
  ~PythonPeer() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close_fd(stdin_fd_);
    close_fd(stdout_fd_);
  }
  PythonPeer(const PythonPeer&) = delete;
  PythonPeer& operator=(const PythonPeer&) = delete;

  bool started() const { return pid_ > 0; }
  int stdout_fd() const { return stdout_fd_; }

  // One line to the child's stdin (a pipe: small writes complete or fail).
  bool write_line(const std::string& line) {
    std::string data = line + "\n";
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::write(stdin_fd_, data.data() + done, data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  void close_stdin() { close_fd(stdin_fd_); }

  // Reads what is available; complete lines go to lines(). Call on EPOLLIN.
  void read_available() {
    char chunk[4096];
    for (;;) {
      ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
      if (n > 0) {
        partial_.append(chunk, static_cast<size_t>(n));
        size_t newline;
        while ((newline = partial_.find('\n')) != std::string::npos) {
          lines_.push_back(partial_.substr(0, newline));
          partial_.erase(0, newline + 1);
        }
        continue;
      }
      if (n == 0) eof_ = true;
      if (n < 0 && errno == EINTR) continue;
      return;
    }
  }
  bool eof() const { return eof_; }

  // The oldest unread line, if any.
  std::optional<std::string> take_line() {
    if (lines_.empty()) return std::nullopt;
    std::string line = std::move(lines_.front());
    lines_.erase(lines_.begin());
    return line;
  }

  bool wait_exit(Duration limit) {
    TimePoint end = Clock::now() + limit;
    while (!exited_ && pid_ > 0) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
      if (Clock::now() >= end) break;
      usleep(10000);
    }
    return exited_;
  }
  int exit_code() const { return exit_code_; }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
  std::string partial_;
  std::vector<std::string> lines_;
  bool eof_ = false;
};

// Runs the loop until `done()` or `limit`; false on timeout.
template <typename Predicate>
bool run_until(EventLoop& loop, Duration limit, Predicate done) {
  TimePoint end = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() >= end) return false;
    loop.run_once(milliseconds(10));
  }
  return true;
}

class InteropRun {
 public:
  explicit InteropRun(Options options) : options_(std::move(options)) {}

  int run() {
    std::vector<h264::AccessUnit> clip;
    std::string profile_level_id = "42e01f";
    if (options_.mode == "send" && !load_clip(clip, profile_level_id)) return kExitUsage;
    if (options_.mode == "recv") {
      out_.open(options_.out, std::ios::binary | std::ios::trunc);
      if (!out_) return fail_usage("cannot write " + options_.out);
    }

    auto certificate = dtls::Certificate::process_default();
    if (!certificate) return fail("certificate: " + certificate.error().message());

    webrtc::PeerConnectionConfig config;
    config.certificate = *certificate;
    config.direction =
        options_.mode == "send" ? webrtc::MediaDirection::kSendOnly : webrtc::MediaDirection::kRecvOnly;
    config.profile_level_id = profile_level_id;
    // Loopback only (the test must not touch other networks), IPv4 because
    // aiortc_peer.py offers 127.0.0.1 alone; no STUN/TURN server.
    config.ice.interfaces.include_loopback = true;
    config.ice.interfaces.include_ipv6 = false;
    config.ice.interfaces.only_interfaces = {"lo"};

    // aiortc's role: it offers unless we do (recv without --we-answer).
    bool aiortc_offers = options_.mode == "send" || options_.we_answer;
    std::vector<std::string> argv = {options_.python,
                                     options_.script,
                                     options_.mode == "send" ? "recv" : "send",
                                     "--role",
                                     aiortc_offers ? "offer" : "answer",
                                     "--duration",
                                     std::to_string(options_.duration_s),
                                     "--min-frames",
                                     std::to_string(options_.min_frames)};
    if (options_.verbose) argv.push_back("--verbose");
    PythonPeer python(argv);
    if (!python.started()) return fail("cannot start " + options_.python);

    EventLoop loop;
    Status watched =
        loop.add_fd(python.stdout_fd(), EPOLLIN, [&python](uint32_t) { python.read_available(); });
    if (!watched) return fail("event loop: " + watched.error().message());

    webrtc::PeerConnection pc(loop, config);
    pc_ = &pc;
    webrtc::PeerConnectionCallbacks callbacks;
    callbacks.on_state_change = [this](webrtc::PeerConnectionState state, const std::string& reason) {
      LOG_INFO(kTag, "peer connection: %s %s", webrtc::to_string(state), reason.c_str());
      state_ = state;
      if (!reason.empty()) reason_ = reason;
    };
    callbacks.on_keyframe_request = [this](bool is_fir) {
      ++keyframe_requests_;
      LOG_INFO(kTag, "keyframe request (%s): restarting the clip at its first keyframe",
               is_fir ? "FIR" : "PLI");
      restart_clip_ = true;
    };
    callbacks.on_access_unit = [this](h264::AccessUnit&& au) { on_access_unit(std::move(au)); };
    pc.set_callbacks(std::move(callbacks));

    bool negotiated = aiortc_offers ? answer_aiortc(loop, python, pc) : offer_to_aiortc(loop, python, pc);
    if (negotiated) {
      bool connected = run_until(loop, kConnectTimeout, [&] {
        return state_ == webrtc::PeerConnectionState::kConnected || terminal();
      });
      if (!connected || state_ != webrtc::PeerConnectionState::kConnected) {
        error_ = "not connected: " + std::string(webrtc::to_string(state_)) + " " + reason_;
      } else if (options_.mode == "send") {
        send_clip(loop, python, pc, clip);
      } else {
        receive(loop, python);
      }
    }
    stats_ = pc.stats();
    pc.close();
    pc_ = nullptr;
    // EOF on its stdin: an aiortc still waiting for our description (we
    // failed to make one) gives up at once instead of after its timeout.
    python.close_stdin();

    // aiortc writes its result line on exit (recv: at once when it has its
    // frames, or after --duration; send: when it sees our close).
    run_until(loop, kResultTimeout,
              [&] { return aiortc_result_.has_value() || python.eof() || scan_result(python); });
    scan_result(python);
    loop.remove_fd(python.stdout_fd());
    if (!python.wait_exit(kChildExitTimeout)) LOG_WARN(kTag, "aiortc peer did not exit: killed");
    python_exit_code_ = python.exit_code();
    if (negotiated && options_.mode == "send") judge_send();
    return finish();
  }

 private:
  bool terminal() const {
    return state_ == webrtc::PeerConnectionState::kFailed || state_ == webrtc::PeerConnectionState::kClosed;
  }

  int fail_usage(const std::string& message) {
    std::fprintf(stderr, "picortc_interop_peer: %s\n", message.c_str());
    return kExitUsage;
  }
  int fail(const std::string& message) {
    error_ = message;
    return finish();
  }

  bool load_clip(std::vector<h264::AccessUnit>& clip, std::string& profile_level_id) {
    std::ifstream in(options_.clip, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.empty()) {
      fail_usage("empty or unreadable clip " + options_.clip);
      return false;
    }
    clip = h264::split_access_units(BytesView(bytes));
    if (clip.empty() || !clip.front().is_keyframe()) {
      fail_usage("clip " + options_.clip + " does not start with a keyframe");
      return false;
    }
    // Offer what we really send (RFC 6184 §8.1): profile-level-id from the SPS.
    const h264::AccessUnit& first = clip.front();
    for (size_t i = 0; i < first.nal_count(); ++i) {
      if (first.nal_type(i) != h264::kNalSps) continue;
      auto sps = h264::parse_sps(first.nal(i));
      if (sps) profile_level_id = h264::profile_level_id(*sps);
    }
    LOG_INFO(kTag, "clip: %zu access units, profile-level-id %s", clip.size(), profile_level_id.c_str());
    return true;
  }

  // Takes the next description line of type `type`; sets error_ on garbage.
  std::optional<std::string> take_description(PythonPeer& python, const char* type) {
    auto line = python.take_line();
    if (!line) return std::nullopt;
    auto message = nlohmann::json::parse(*line, nullptr, false);
    if (message.is_discarded() || !message.is_object() || message.value("type", "") != type ||
        !message.contains("sdp") || !message["sdp"].is_string()) {
      if (message.is_object() && message.value("type", "") == "result") aiortc_result_ = message;
      error_ = std::string("expected an ") + type + " from aiortc, got: " + line->substr(0, 200);
      return std::string();
    }
    return message["sdp"].get<std::string>();
  }

  std::optional<std::string> wait_description(EventLoop& loop, PythonPeer& python, const char* type) {
    std::optional<std::string> sdp;
    bool got = run_until(loop, kDescriptionTimeout, [&] {
      sdp = take_description(python, type);
      return sdp.has_value() || python.eof();
    });
    if (!got || !sdp) {
      if (!sdp && !python.eof()) error_ = std::string("no ") + type + " from aiortc in time";
      if (!sdp && python.eof()) error_ = std::string("aiortc exited before its ") + type;
      scan_result(python);
      return std::nullopt;
    }
    if (sdp->empty()) return std::nullopt;
    return sdp;
  }

  bool answer_aiortc(EventLoop& loop, PythonPeer& python, webrtc::PeerConnection& pc) {
    auto offer = wait_description(loop, python, "offer");
    if (!offer) return false;
    auto answer = pc.set_remote_offer_and_create_answer(*offer);
    if (!answer) {
      error_ = "answering aiortc's offer: " + answer.error().message();
      return false;
    }
    nlohmann::json message = {{"type", "answer"}, {"sdp", *answer}};
    if (!python.write_line(message.dump())) {
      error_ = "cannot write the answer to aiortc";
      return false;
    }
    return true;
  }

  bool offer_to_aiortc(EventLoop& loop, PythonPeer& python, webrtc::PeerConnection& pc) {
    auto offer = pc.create_offer();
    if (!offer) {
      error_ = "create_offer: " + offer.error().message();
      return false;
    }
    nlohmann::json message = {{"type", "offer"}, {"sdp", *offer}};
    if (!python.write_line(message.dump())) {
      error_ = "cannot write the offer to aiortc";
      return false;
    }
    auto answer = wait_description(loop, python, "answer");
    if (!answer) return false;
    Status applied = pc.set_remote_answer(*answer);
    if (!applied) {
      error_ = "set_remote_answer: " + applied.error().message();
      return false;
    }
    return true;
  }

  // A result line from aiortc, if one arrived.
  bool scan_result(PythonPeer& python) {
    while (auto line = python.take_line()) {
      auto message = nlohmann::json::parse(*line, nullptr, false);
      if (message.is_object() && message.value("type", "") == "result") aiortc_result_ = message;
    }
    return aiortc_result_.has_value();
  }

  // Real-time pace: access unit k goes out at start + k / fps, with RTP
  // timestamp base + k * 90000 / fps (computed from k, so no drift).
  void send_clip(EventLoop& loop, PythonPeer& python, webrtc::PeerConnection& pc,
                 const std::vector<h264::AccessUnit>& clip) {
    const uint32_t rtp_base = 0x12345678u;
    TimePoint start = Clock::now();
    TimePoint end =
        start + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(options_.duration_s));
    size_t clip_index = 0;
    int64_t frame_number = 0;
    while (Clock::now() < end && !terminal()) {
      if (scan_result(python) || python.eof()) break;  // aiortc has its frames (or gave up)
      TimePoint due = start + microseconds(frame_number * 1000000 / options_.fps);
      if (Clock::now() < due) {
        loop.run_once(std::min<Duration>(due - Clock::now(), milliseconds(10)));
        continue;
      }
      if (restart_clip_) {
        restart_clip_ = false;
        clip_index = 0;
      }
      // RTP timestamps wrap by design (RFC 3550 §5.1): unsigned arithmetic.
      uint32_t rtp_timestamp = rtp_base + static_cast<uint32_t>(frame_number * 90000 / options_.fps);
      Status sent = pc.send_access_unit(clip[clip_index], rtp_timestamp);
      if (sent) {
        ++access_units_sent_;
      } else {
        LOG_WARN(kTag, "send_access_unit: %s", sent.error().message().c_str());
      }
      clip_index = (clip_index + 1) % clip.size();
      ++frame_number;
      loop.run_once(Duration::zero());  // RTCP and ICE even when behind schedule
    }
  }

  // Sending succeeded when aiortc says it decoded enough frames.
  void judge_send() {
    int decoded = aiortc_result_ ? aiortc_result_->value("frames_decoded", 0) : 0;
    ok_ = aiortc_result_.has_value() && aiortc_result_->value("ok", false) && decoded >= options_.min_frames;
    if (!ok_ && error_.empty())
      error_ = aiortc_result_
                   ? "aiortc decoded " + std::to_string(decoded) + " frames, wanted " +
                         std::to_string(options_.min_frames) + ": " + aiortc_result_->value("error", "")
                   : "no result line from aiortc";
  }

  void on_access_unit(h264::AccessUnit&& au) {
    ++access_units_received_;
    // Like `picortc view`: the output starts at a keyframe, so that a
    // decoder never sees slices that reference a picture it does not have.
    if (!seen_keyframe_ && !au.is_keyframe()) {
      ++access_units_before_keyframe_;
      if (pc_ != nullptr) pc_->request_keyframe();
      return;
    }
    seen_keyframe_ = true;
    BytesView bytes = au.annexb();
    out_.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    ++access_units_written_;
    if (au.is_keyframe()) ++keyframes_written_;
  }

  void receive(EventLoop& loop, PythonPeer& python) {
    run_until(loop, std::chrono::duration_cast<Duration>(std::chrono::duration<double>(options_.duration_s)),
              [&] {
                return access_units_written_ >= static_cast<uint64_t>(options_.min_frames) || terminal() ||
                       python.eof();
              });
    out_.flush();
    ok_ = access_units_written_ >= static_cast<uint64_t>(options_.min_frames) && out_.good();
    if (!ok_ && error_.empty())
      error_ = "wrote " + std::to_string(access_units_written_) + " access units, wanted " +
               std::to_string(options_.min_frames);
  }

  int finish() {
    nlohmann::json ours = {
        {"mode", options_.mode},
        {"ok", ok_ && error_.empty()},
        {"error", error_},
        {"state", webrtc::to_string(stats_.state)},
        {"reason", stats_.reason.empty() ? reason_ : stats_.reason},
        {"srtp_profile", stats_.srtp_profile},
        {"payload_type", stats_.payload_type},
        {"packets_sent", stats_.packets_sent},
        {"packets_received", stats_.packets_received},
        {"access_units_sent", access_units_sent_},
        {"access_units_received", access_units_received_},
        {"access_units_before_keyframe", access_units_before_keyframe_},
        {"access_units_written", access_units_written_},
        {"keyframes_written", keyframes_written_},
        {"keyframe_requests", keyframe_requests_},
        {"plis_sent", stats_.plis_sent},
        {"nacks_sent", stats_.nacks_sent},
        {"retransmits", stats_.retransmits},
        {"sender_reports_sent", stats_.sender_reports_sent},
        {"receiver_reports_sent", stats_.receiver_reports_sent},
        {"rtcp_packets_received", stats_.rtcp_packets_received},
        {"drops_srtp_unprotect_failed", stats_.drops.srtp_unprotect_failed},
        {"drops_before_srtp", stats_.drops.before_srtp},
        {"python_exit_code", python_exit_code_},
    };
    if (stats_.selected_pair) {
      ours["selected_pair"] = {{"local", stats_.selected_pair->local_address},
                               {"remote", stats_.selected_pair->remote_address},
                               {"local_type", stats_.selected_pair->local_type},
                               {"remote_type", stats_.selected_pair->remote_type}};
    }
    nlohmann::json report = {{"picortc", ours},
                             {"aiortc", aiortc_result_ ? *aiortc_result_ : nlohmann::json(nullptr)}};
    std::string text = report.dump(2);
    std::printf("%s\n", text.c_str());
    if (!options_.report.empty()) {
      std::ofstream file(options_.report, std::ios::trunc);
      file << text << "\n";
    }
    return ok_ && error_.empty() ? kExitOk : kExitFailure;
  }

  Options options_;
  webrtc::PeerConnection* pc_ = nullptr;
  webrtc::PeerConnectionState state_ = webrtc::PeerConnectionState::kNew;
  std::string reason_;
  webrtc::PeerConnectionStats stats_;
  std::optional<nlohmann::json> aiortc_result_;
  std::ofstream out_;
  bool ok_ = false;
  std::string error_;
  bool restart_clip_ = false;
  bool seen_keyframe_ = false;
  uint64_t keyframe_requests_ = 0;
  uint64_t access_units_sent_ = 0;
  uint64_t access_units_received_ = 0;
  uint64_t access_units_before_keyframe_ = 0;
  uint64_t access_units_written_ = 0;
  uint64_t keyframes_written_ = 0;
  int python_exit_code_ = -1;
};

}  // namespace
}  // namespace picortc::interop

int main(int argc, char** argv) {
  // A peer that exits early must not kill us with SIGPIPE on the next write.
  signal(SIGPIPE, SIG_IGN);
  auto options = picortc::interop::parse_options(argc, argv);
  if (!options) {
    picortc::interop::usage();
    return picortc::interop::kExitUsage;
  }
  picortc::set_log_level(options->verbose ? picortc::LogLevel::kDebug : picortc::LogLevel::kInfo);
  picortc::interop::InteropRun run(std::move(*options));
  return run.run();
}
