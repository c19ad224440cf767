// `picortc serve` fan-out cost (issue 4): the real serve binary, fed 720p30
// ~2 Mbit/s H.264 by `picortc feed`, sends to N receivers (our own
// receive-only PeerConnections over loopback, in this process). Measured
// on the serve process from /proc: CPU seconds per viewer-second, CPU per
// sent packet, peak RSS; for N = 1, 8, 32. For scale, the same program
// measures one srtp_protect (GCM, as browsers and our receivers negotiate)
// plus one sendmsg of a 1200-byte packet to a loopback UDP socket.
//
// On loopback a sender also pays for waking a receiver that sleeps in
// epoll (the kernel delivers in the sender's system call); a remote viewer
// never costs the board that. With `spin`, the receivers poll without
// sleeping (one core busy), so serve's numbers compare with the idle-sink
// baseline.
//
//   bench_serve_fanout [BUILD_DIR] [SECONDS_PER_STEP] [spin]
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dirent.h>
#include <sys/epoll.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/event_loop.hpp"
#include "dtls/certificate.hpp"
#include "srtp/srtp_session.hpp"
#include "support/free_port.hpp"
#include "webrtc/peer_connection.hpp"

using namespace picortc;

namespace {

// CPU time of every thread of the process, in nanoseconds from
// /proc/PID/task/TID/schedstat (tick-based /proc/PID/stat is 10 ms coarse).
double process_cpu_seconds(pid_t pid) {
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = opendir(tasks.c_str());
  if (dir == nullptr) return 0;
  double total = 0;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream in(tasks + "/" + entry->d_name + "/schedstat");
    double on_cpu_ns = 0;
    if (in >> on_cpu_ns) total += on_cpu_ns / 1e9;
  }
  closedir(dir);
  return total;
}

long status_kb(pid_t pid, const char* key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stol(line.substr(std::string(key).size()));
  }
  return -1;
}

// A counter of the `cam` stream from serve's /metrics.
uint64_t metric(uint16_t port, const std::string& name) {
  httplib::Client client("127.0.0.1", port);
  auto response = client.Get("/metrics");
  if (!response) return 0;
  std::istringstream lines(response->body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(name + "{", 0) == 0) return std::stoull(line.substr(line.rfind(' ') + 1));
  }
  return 0;
}

double thread_cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// One srtp_protect (GCM) + one sendto of a 1200-byte RTP payload, alone.
// With `waiting_receiver`, a thread blocks in epoll_wait on the sink and
// reads what arrives, as each of the fan-out's receivers does: on loopback
// the sender's sendto then also pays for waking that receiver, which an
// idle sink does not cost (and a remote viewer never costs the board).
double protect_and_send_us(bool waiting_receiver) {
  srtp::SrtpSessionConfig config;
  config.profile = dtls::SrtpProfile::kAeadAes128Gcm;
  config.master_key.assign(16, 0x11);
  config.master_salt.assign(12, 0x22);
  auto session = srtp::SrtpSession::create(srtp::SrtpDirection::kOutbound, config);
  if (!session.ok()) return -1;
  int sink = socket(AF_INET, SOCK_DGRAM, 0);
  int sender = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(sink, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(sink, reinterpret_cast<sockaddr*>(&address), &length);
  int big = 8 << 20;
  setsockopt(sink, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  constexpr int kPackets = 20000;
  std::atomic<bool> done{false};
  std::thread receiver;
  if (waiting_receiver) {
    receiver = std::thread([sink, &done] {
      EventLoop loop;
      Status watched = loop.add_fd(sink, EPOLLIN, [sink](uint32_t) {
        char drain[2048];
        while (recv(sink, drain, sizeof drain, MSG_DONTWAIT) > 0) {
        }
      });
      if (!watched.ok()) return;
      while (!done.load())
        loop.run_once(milliseconds(20));
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::vector<uint8_t> packet(1212 + 16 + 16, 0x5a);
  double start = thread_cpu_now();
  for (int i = 0; i < kPackets; ++i) {
    packet[0] = 0x80;
    packet[1] = 102;
    packet[2] = static_cast<uint8_t>(i >> 8);
    packet[3] = static_cast<uint8_t>(i);
    auto protected_size = (*session)->protect_rtp(packet.data(), 1212, packet.size());
    if (protected_size.ok()) {
      sendto(sender, packet.data(), *protected_size, 0, reinterpret_cast<sockaddr*>(&address),
             sizeof address);
    }
    if (waiting_receiver) {
      // ~30 packets per ms, like the fan-out's bursts: let the receiver sleep again.
      if (i % 32 == 31) std::this_thread::sleep_for(std::chrono::microseconds(500));
    } else if (i % 64 == 63) {  // keep the sink's buffer from filling
      char drain[2048];
      while (recv(sink, drain, sizeof drain, MSG_DONTWAIT) > 0) {
      }
    }
  }
  double elapsed = thread_cpu_now() - start;
  done = true;
  if (receiver.joinable()) receiver.join();
  close(sink);
  close(sender);
  return elapsed / kPackets * 1e6;
}

bool g_spin = false;  // receivers poll instead of sleeping in epoll

bool run_until(EventLoop& loop, const std::function<bool()>& done, Duration limit) {
  TimePoint end = Clock::now() + limit;
  while (!done() && Clock::now() < end)
    loop.run_once(g_spin ? Duration::zero() : milliseconds(5));
  return done();
}

}  // namespace

int main(int argc, char** argv) {
  std::string build = argc > 1 ? argv[1] : "build/ci";
  int step_seconds = argc > 2 ? std::atoi(argv[2]) : 10;
  g_spin = argc > 3 && std::string(argv[3]) == "spin";
  std::string picortc = build + "/apps/picortc/picortc";
  char dir_template[] = "/tmp/picortc-fanout-XXXXXX";
  std::string dir = mkdtemp(dir_template);
  std::string clip = dir + "/720p.h264";
  std::string socket_path = dir + "/cam.sock";
  std::string make_clip =
      "ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=1280x720:rate=30 -t 10 "
      "-c:v libx264 -profile:v baseline -preset veryfast -b:v 2M -maxrate 2M -bufsize 1M "
      "-g 60 -pix_fmt yuv420p -f h264 " +
      clip;
  if (std::system(make_clip.c_str()) != 0) {
    std::fprintf(stderr, "ffmpeg failed\n");
    return 1;
  }
  std::string config_path = dir + "/serve.conf";
  const uint16_t port = test::free_tcp_port();
  std::ofstream(config_path) << "stream = cam=" << socket_path << "\nhttp = 127.0.0.1:" << port
                             << "\nice_server = none\nmax_viewers = 64\nmax_viewers_per_stream = 64\n"
                             << "log_level = warn\n";

  pid_t serve = fork();
  if (serve == 0) {
    execl(picortc.c_str(), picortc.c_str(), "serve", "--config", config_path.c_str(), nullptr);
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  pid_t feed = fork();
  if (feed == 0) {
    execl(picortc.c_str(), picortc.c_str(), "--log-level", "warn", "feed", clip.c_str(), "--socket",
          socket_path.c_str(), "--loop", "--duration", "600", "--ignore-keyframe-requests", nullptr);
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));

  // The cheapest of five runs: "alone" means undisturbed by the rest of the
  // machine (the other processes of this benchmark included).
  double baseline_us = 1e9;
  double baseline_waking_us = 1e9;
  for (int run = 0; run < 5; ++run) {
    baseline_us = std::min(baseline_us, protect_and_send_us(false));
    baseline_waking_us = std::min(baseline_waking_us, protect_and_send_us(true));
  }
  set_log_level(LogLevel::kWarn);
  EventLoop loop;
  auto certificate = dtls::Certificate::process_default();
  std::vector<std::unique_ptr<webrtc::PeerConnection>> viewers;
  std::vector<uint64_t> frames;
  std::printf(
      "serve fan-out, 720p30 ~2 Mbit/s, %d s per step, receivers %s\n"
      "one protect(GCM) + sendto alone: %.2f us/packet to an idle sink, %.2f us/packet to a receiver "
      "waiting in epoll (loopback wake-up included, as for the receivers below)\n",
      step_seconds, g_spin ? "polling (never asleep)" : "sleeping in epoll", baseline_us, baseline_waking_us);
  // RSS is split as /proc reports it: anonymous (the process's own heap and
  // stacks) and file-backed (pages of the binary and of the shared
  // libraries: libcrypto, libc, libstdc++, and the NSS that Debian's
  // libsrtp2 is built with).
  std::printf("%8s %14s %14s %9s %9s %10s %10s %10s %12s %10s %8s\n", "viewers", "cpu_s/view_s",
              "cpu_us/packet", "vs_idle", "vs_wake", "rss_kb", "anon_kb", "file_kb", "peak_rss_kb", "packets",
              "plis/rtx");
  std::printf("%8d %14s %14s %9s %9s %10ld %10ld %10ld %12ld\n", 0, "-", "-", "-", "-",
              status_kb(serve, "VmRSS:"), status_kb(serve, "RssAnon:"), status_kb(serve, "RssFile:"),
              status_kb(serve, "VmHWM:"));
  // CPU per second and packets per second of each step, for the marginal
  // cost of a viewer (what the fixed per-access-unit work does not blur).
  std::vector<double> step_cpu_per_s;
  std::vector<double> step_packets_per_s;
  for (size_t target : {1u, 8u, 32u}) {
    while (viewers.size() < target) {
      webrtc::PeerConnectionConfig config;
      config.certificate = *certificate;
      config.direction = webrtc::MediaDirection::kRecvOnly;
      config.ice.interfaces.include_loopback = true;
      config.ice.interfaces.include_ipv6 = false;
      config.ice.interfaces.only_interfaces = {"lo"};
      auto pc = std::make_unique<webrtc::PeerConnection>(loop, config);
      frames.push_back(0);
      size_t index = frames.size() - 1;
      webrtc::PeerConnectionCallbacks callbacks;
      callbacks.on_access_unit = [&frames, index](h264::AccessUnit&&) { ++frames[index]; };
      pc->set_callbacks(callbacks);
      auto offer = pc->create_offer();
      if (!offer.ok()) return 1;
      std::string sdp = *offer;
      auto future = std::async(std::launch::async, [port, sdp] {
        httplib::Client client("127.0.0.1", port);
        auto response = client.Post("/whep/cam", sdp, "application/sdp");
        return response && response->status == 201 ? response->body : std::string();
      });
      run_until(
          loop, [&] { return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready; },
          seconds(10));
      std::string answer = future.get();
      if (answer.empty() || !pc->set_remote_answer(answer).ok()) {
        std::fprintf(stderr, "viewer %zu: no answer\n", viewers.size());
        return 1;
      }
      webrtc::PeerConnection* raw = pc.get();
      viewers.push_back(std::move(pc));
      run_until(
          loop, [&] { return raw->state() == webrtc::PeerConnectionState::kConnected; }, seconds(10));
    }
    run_until(
        loop, [] { return false; }, seconds(2));  // settle
    double cpu0 = process_cpu_seconds(serve);
    uint64_t packets0 = metric(port, "picortc_sent_packets_total");
    uint64_t plis0 = metric(port, "picortc_plis_received_total");
    uint64_t retransmits0 = metric(port, "picortc_retransmitted_packets_total");
    run_until(
        loop, [] { return false; }, seconds(step_seconds));
    double cpu = process_cpu_seconds(serve) - cpu0;
    uint64_t packets = metric(port, "picortc_sent_packets_total") - packets0;
    uint64_t plis = metric(port, "picortc_plis_received_total") - plis0;
    uint64_t retransmits = metric(port, "picortc_retransmitted_packets_total") - retransmits0;
    double per_packet_us = packets > 0 ? cpu / static_cast<double>(packets) * 1e6 : 0;
    std::printf("%8zu %14.5f %14.2f %8.2fx %8.2fx %10ld %10ld %10ld %12ld %10llu %6llu/%llu\n", target,
                cpu / (static_cast<double>(target) * step_seconds), per_packet_us,
                per_packet_us / baseline_us, per_packet_us / baseline_waking_us, status_kb(serve, "VmRSS:"),
                status_kb(serve, "RssAnon:"), status_kb(serve, "RssFile:"), status_kb(serve, "VmHWM:"),
                static_cast<unsigned long long>(packets), static_cast<unsigned long long>(plis),
                static_cast<unsigned long long>(retransmits));
    std::fflush(stdout);
    step_cpu_per_s.push_back(cpu / step_seconds);
    step_packets_per_s.push_back(static_cast<double>(packets) / step_seconds);
  }
  if (step_packets_per_s.size() == 3 && step_packets_per_s[2] > step_packets_per_s[1]) {
    // From 8 to 32 viewers: what each further viewer-packet costs.
    double marginal_us =
        (step_cpu_per_s[2] - step_cpu_per_s[1]) / (step_packets_per_s[2] - step_packets_per_s[1]) * 1e6;
    std::printf("marginal, 8 -> 32 viewers: %.2f us per viewer-packet, %.2fx idle, %.2fx wake\n", marginal_us,
                marginal_us / baseline_us, marginal_us / baseline_waking_us);
  }
  size_t receiving = 0;
  for (uint64_t f : frames)
    receiving += f > 0;
  std::printf("viewers receiving frames: %zu of %zu\n", receiving, frames.size());
  for (auto& pc : viewers)
    pc->close();
  kill(feed, SIGTERM);
  kill(serve, SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::system(("rm -rf " + dir).c_str());
  return receiving == frames.size() ? 0 : 1;
}
