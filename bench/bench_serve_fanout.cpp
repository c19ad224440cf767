// `picortc serve` fan-out cost (issue 4): the real serve binary, fed 720p30
// ~2 Mbit/s H.264 by `picortc feed`, sends to N receivers (our own
// receive-only PeerConnections over loopback, in this process). Measured
// on the serve process from /proc: CPU seconds per viewer-second, CPU per
// sent packet, peak RSS (split into the process's own memory and the
// file-backed pages of its binary and libraries); for N = 1, 8, 32.
//
// For scale, the same program measures one srtp_protect (GCM, as browsers
// and our receivers negotiate) plus one sendto of an RTP packet to a
// loopback UDP socket nobody waits on, from serve's CPU:
//   - back to back, 20000 times (warm caches: the floor);
//   - paced as serve sends: the clip's own packets, per access unit N
//     times over, one access unit every 1/30 s. Between bursts the core
//     idles and caches cool, and serve pays that too; this is the "alone"
//     that the fan-out's CPU per viewer-packet is compared with.
//
// Placement: serve runs on CPU 0; feed, the receivers and the rest of this
// program on CPU 1. A remote viewer never runs on the board: a receiver
// woken on serve's core would preempt it, a context switch per wake-up
// that the board never pays. The receivers poll without sleeping, so
// serve's sends wake nobody, like the baseline's (`sleep` makes them wait
// in epoll: serve then also pays a loopback wake-up per burst and viewer).
//
//   bench_serve_fanout [BUILD_DIR] [SECONDS_PER_STEP] [sleep]
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dirent.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/event_loop.hpp"
#include "dtls/certificate.hpp"
#include "h264/access_unit_assembler.hpp"
#include "h264/annexb_splitter.hpp"
#include "rtp/h264_packetizer.hpp"
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

// serve runs on kServeCpu; feed, the receivers and everything else of the
// benchmark on kViewerCpu. A remote viewer never takes the board's CPU:
// here a receiver woken on serve's core would preempt serve (a context
// switch per wake-up that the board never pays), so the two are kept apart.
constexpr int kServeCpu = 0;
constexpr int kViewerCpu = 1;
bool g_pinned = false;

bool pin_thread_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof set, &set) == 0;
}

double thread_cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// The RTP packet sizes (12-byte header + payload) of each access unit of
// an Annex-B clip, as serve's packetizer cuts them.
std::vector<std::vector<size_t>> packet_sizes_per_access_unit(const std::string& clip_path) {
  std::ifstream in(clip_path, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  h264::AnnexBSplitter splitter;
  h264::AccessUnitAssembler assembler;
  rtp::H264Packetizer packetizer;
  std::vector<std::vector<size_t>> sizes;
  auto on_au = [&](h264::AccessUnit&& au) {
    if (!packetizer.packetize(au).ok()) return;
    std::vector<size_t> packets;
    for (size_t i = 0; i < packetizer.payload_count(); ++i)
      packets.push_back(12 + packetizer.payload(i).bytes.size());
    sizes.push_back(std::move(packets));
  };
  auto on_nal = [&](BytesView nal) { assembler.push_nal(nal, 0, on_au); };
  splitter.push(BytesView(bytes.data(), bytes.size()), on_nal);
  splitter.flush(on_nal);
  assembler.flush(on_au);
  return sizes;
}

// CPU microseconds per packet of one srtp_protect (GCM) + one sendto, on
// serve's CPU, to a loopback sink nobody waits on. `frames` == 0: 20000
// 1212-byte packets back to back. Otherwise `frames` access units of
// `clip` (in order, from the start, looping), each sent `copies` times
// (as to that many viewers), one access unit every 1/30 s; only the bursts
// are timed.
double protect_and_send_us(const std::vector<std::vector<size_t>>& clip, size_t copies, int frames) {
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
  auto drain = [sink] {
    char scratch[2048];
    while (recv(sink, scratch, sizeof scratch, MSG_DONTWAIT) > 0) {
    }
  };
  std::vector<uint8_t> packet(1500 + srtp::kMaxRtpOverhead, 0x5a);
  uint16_t sequence = 0;
  auto protect_and_send = [&](size_t size) {
    packet[0] = 0x80;
    packet[1] = 102;
    packet[2] = static_cast<uint8_t>(sequence >> 8);
    packet[3] = static_cast<uint8_t>(sequence);
    ++sequence;
    auto protected_size = (*session)->protect_rtp(packet.data(), size, packet.size());
    if (protected_size.ok()) {
      sendto(sender, packet.data(), *protected_size, 0, reinterpret_cast<sockaddr*>(&address),
             sizeof address);
    }
  };
  if (g_pinned) pin_thread_to(kServeCpu);  // where serve sends from
  double timed = 0;
  uint64_t sent = 0;
  if (frames == 0) {
    constexpr int kPackets = 20000;
    double start = thread_cpu_now();
    for (int i = 0; i < kPackets; ++i) {
      protect_and_send(1212);
      if (i % 64 == 63) drain();  // keep the sink's buffer from filling
    }
    timed = thread_cpu_now() - start;
    sent = kPackets;
  } else {
    auto next_frame = std::chrono::steady_clock::now();
    for (int frame = 0; frame < frames && !clip.empty(); ++frame) {
      const std::vector<size_t>& packets = clip[static_cast<size_t>(frame) % clip.size()];
      double start = thread_cpu_now();
      for (size_t copy = 0; copy < copies; ++copy) {
        for (size_t size : packets)
          protect_and_send(size);
      }
      timed += thread_cpu_now() - start;
      sent += copies * packets.size();
      drain();
      next_frame += std::chrono::microseconds(33333);
      std::this_thread::sleep_until(next_frame);
    }
  }
  if (g_pinned) pin_thread_to(kViewerCpu);
  close(sink);
  close(sender);
  return sent > 0 ? timed / static_cast<double>(sent) * 1e6 : -1;
}

// The cheapest of `runs`: "alone" means undisturbed by the rest of the
// machine (the other processes of this benchmark included).
double cheapest_of(int runs, const std::function<double()>& measure) {
  double best = 1e9;
  for (int run = 0; run < runs; ++run)
    best = std::min(best, measure());
  return best;
}

// The process's resident pages per mapping (binary, each library, heap),
// largest first, from /proc/PID/smaps.
std::vector<std::pair<long, std::string>> rss_by_mapping(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/smaps");
  std::map<std::string, long> kb;
  std::string line;
  std::string current;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string first;
    fields >> first;
    if (first.find('-') != std::string::npos && first.back() != ':') {  // a mapping's header line
      std::string perms, offset, device, inode, path;
      fields >> perms >> offset >> device >> inode;
      std::getline(fields >> std::ws, path);
      current = path.empty() ? "[anonymous]" : path.substr(path.rfind('/') + 1);
    } else if (first == "Rss:") {
      long value = 0;
      fields >> value;
      kb[current] += value;
    }
  }
  std::vector<std::pair<long, std::string>> sorted;
  for (const auto& [name, value] : kb)
    sorted.emplace_back(value, name);
  std::sort(sorted.rbegin(), sorted.rend());
  return sorted;
}

bool g_spin = true;  // receivers poll instead of sleeping in epoll

bool run_until(EventLoop& loop, const std::function<bool()>& done, Duration limit) {
  TimePoint end = Clock::now() + limit;
  while (!done() && Clock::now() < end)
    loop.run_once(g_spin ? Duration::zero() : milliseconds(5));
  return done();
}

}  // namespace

int main(int argc, char** argv) {
  std::string build = argc > 1 ? argv[1] : "build/ci";
  int step_seconds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 10;
  g_spin = !(argc > 3 && std::string(argv[3]) == "sleep");
  g_pinned = std::thread::hardware_concurrency() >= 2 && pin_thread_to(kViewerCpu);
  const std::vector<size_t> steps = {1, 8, 32};
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
  const std::vector<std::vector<size_t>> clip_packets = packet_sizes_per_access_unit(clip);
  size_t clip_packet_count = 0;
  for (const auto& packets : clip_packets)
    clip_packet_count += packets.size();
  const double back_to_back_us = cheapest_of(5, [] { return protect_and_send_us({}, 0, 0); });
  std::map<size_t, double> paced_us;  // per number of viewers
  for (size_t n : steps)
    paced_us[n] = cheapest_of(5, [&] { return protect_and_send_us(clip_packets, n, 90); });

  std::string config_path = dir + "/serve.conf";
  const uint16_t port = test::free_tcp_port();
  std::ofstream(config_path) << "stream = cam=" << socket_path << "\nhttp = 127.0.0.1:" << port
                             << "\nice_server = none\nmax_viewers = 64\nmax_viewers_per_stream = 64\n"
                             << "log_level = warn\n";

  pid_t serve = fork();
  if (serve == 0) {
    if (g_pinned) pin_thread_to(kServeCpu);
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

  set_log_level(LogLevel::kWarn);
  EventLoop loop;
  auto certificate = dtls::Certificate::process_default();
  std::vector<std::unique_ptr<webrtc::PeerConnection>> viewers;
  std::vector<uint64_t> frames;
  std::printf(
      "serve fan-out, 720p30 ~2 Mbit/s (%zu access units, %.1f packets each), %d s per step,\n"
      "serve on CPU %d, receivers %s%s\n"
      "one protect(GCM) + sendto alone, on serve's CPU, to a sink nobody waits on:\n"
      "  back to back: %.2f us/packet; paced as serve sends (clip's packets x viewers per frame, 30 fps):",
      clip_packets.size(),
      clip_packets.empty()
          ? 0.0
          : static_cast<double>(clip_packet_count) / static_cast<double>(clip_packets.size()),
      step_seconds, kServeCpu, g_spin ? "polling (never asleep)" : "sleeping in epoll",
      g_pinned ? " on CPU 1" : " (not pinned: one CPU)", back_to_back_us);
  for (size_t n : steps)
    std::printf(" %zu: %.2f", n, paced_us[n]);
  std::printf(
      " us/packet\n(each the cheapest of 5 runs; serve's cpu_us/packet is its cheapest of 5 windows per "
      "step)\n");
  // RSS is split as /proc reports it: anonymous (the process's own heap and
  // stacks) and file-backed (pages of the binary and of the shared
  // libraries: libcrypto, libc, libstdc++, and the NSS that Debian's
  // libsrtp2 is built with).
  std::printf("%8s %14s %14s %10s %9s %9s %10s %10s %10s %12s %10s %8s\n", "viewers", "cpu_s/view_s",
              "cpu_us/packet", "paced_us", "vs_paced", "vs_b2b", "rss_kb", "anon_kb", "file_kb",
              "peak_rss_kb", "packets", "plis/rtx");
  std::printf("%8d %14s %14s %10s %9s %9s %10ld %10ld %10ld %12ld\n", 0, "-", "-", "-", "-", "-",
              status_kb(serve, "VmRSS:"), status_kb(serve, "RssAnon:"), status_kb(serve, "RssFile:"),
              status_kb(serve, "VmHWM:"));
  // CPU per second and packets per second of each step, for the marginal
  // cost of a viewer (what the fixed per-access-unit work does not blur).
  std::vector<double> step_cpu_per_s;
  std::vector<double> step_packets_per_s;
  std::vector<std::pair<long, std::string>> rss_at_8;
  for (size_t target : steps) {
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
    // kWindows windows per step; CPU per packet is the cheapest window's,
    // as the baselines are the cheapest of their runs.
    constexpr int kWindows = 5;
    const int window_seconds = std::max(1, step_seconds / kWindows);
    double cpu = 0;
    uint64_t packets = 0;
    double per_packet_us = 1e9;
    uint64_t plis0 = metric(port, "picortc_plis_received_total");
    uint64_t retransmits0 = metric(port, "picortc_retransmitted_packets_total");
    for (int window = 0; window < kWindows; ++window) {
      double cpu0 = process_cpu_seconds(serve);
      uint64_t packets0 = metric(port, "picortc_sent_packets_total");
      run_until(
          loop, [] { return false; }, seconds(window_seconds));
      double window_cpu = process_cpu_seconds(serve) - cpu0;
      uint64_t window_packets = metric(port, "picortc_sent_packets_total") - packets0;
      cpu += window_cpu;
      packets += window_packets;
      if (window_packets > 0)
        per_packet_us = std::min(per_packet_us, window_cpu / static_cast<double>(window_packets) * 1e6);
    }
    const double measured_seconds = static_cast<double>(kWindows * window_seconds);
    uint64_t plis = metric(port, "picortc_plis_received_total") - plis0;
    uint64_t retransmits = metric(port, "picortc_retransmitted_packets_total") - retransmits0;
    std::printf("%8zu %14.5f %14.2f %10.2f %8.2fx %8.2fx %10ld %10ld %10ld %12ld %10llu %6llu/%llu\n", target,
                cpu / (static_cast<double>(target) * measured_seconds), per_packet_us, paced_us[target],
                per_packet_us / paced_us[target], per_packet_us / back_to_back_us, status_kb(serve, "VmRSS:"),
                status_kb(serve, "RssAnon:"), status_kb(serve, "RssFile:"), status_kb(serve, "VmHWM:"),
                static_cast<unsigned long long>(packets), static_cast<unsigned long long>(plis),
                static_cast<unsigned long long>(retransmits));
    std::fflush(stdout);
    if (target == 8) rss_at_8 = rss_by_mapping(serve);
    step_cpu_per_s.push_back(cpu / measured_seconds);
    step_packets_per_s.push_back(static_cast<double>(packets) / measured_seconds);
  }
  if (step_packets_per_s.size() == 3 && step_packets_per_s[2] > step_packets_per_s[1]) {
    // From 8 to 32 viewers: what each further viewer-packet costs.
    double marginal_us =
        (step_cpu_per_s[2] - step_cpu_per_s[1]) / (step_packets_per_s[2] - step_packets_per_s[1]) * 1e6;
    std::printf(
        "marginal, 8 -> 32 viewers: %.2f us per viewer-packet, %.2fx paced (32), %.2fx back to back\n",
        marginal_us, marginal_us / paced_us[32], marginal_us / back_to_back_us);
  }
  // Where the resident pages of 8 viewers are. A library's count is what
  // the kernel mapped, not what serve touched: it maps file pages in runs
  // around each page touched (fault-around, large folios).
  // What the mandatory libraries cost alone: a plain C process that makes a
  // DTLS context and protects one SRTP packet (bench/rss_floor.c).
  std::string floor_line = "not run";
  if (FILE* floor = popen((build + "/bench/rss_floor").c_str(), "r")) {
    char line[256] = {0};
    if (std::fgets(line, sizeof line, floor) != nullptr)
      floor_line = std::string(line, std::strcspn(line, "\n"));
    pclose(floor);
  }
  std::printf("OpenSSL + libsrtp2 alone (DTLS context, one SRTP packet): %s\n", floor_line.c_str());
  std::printf("resident at 8 viewers, kB:");
  for (size_t i = 0; i < rss_at_8.size() && i < 10; ++i)
    std::printf(" %s %ld%s", rss_at_8[i].second.c_str(), rss_at_8[i].first, i + 1 < 10 ? "," : "");
  std::printf("\n");
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
