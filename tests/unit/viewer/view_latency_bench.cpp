// view_latency_bench: how long an access unit takes from the sender's
// ingest socket to `picortc view`'s output, on loopback, with the real
// binaries (bench/view_latency.sh runs it; docs/view.md has results).
//
//   this program (producer) --framed ingest--> picortc serve --WebRTC-->
//   picortc view --out unix:OUT --framed--> this program (consumer)
//
// Each access unit of the clip gets an SEI NAL unit (user data
// unregistered, RFC-free: ITU-T H.264 D.1.6) carrying its index as hex
// text, so the consumer can match what it reads with the moment it was
// written, on the same monotonic clock. Also measures view's CPU time
// (utime + stime from /proc) over the measured span.
//
// Usage: view_latency_bench PICORTC_BINARY CLIP.h264 [FRAMES] [FPS]
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "h264/access_unit_assembler.hpp"
#include "ipc/ingest_protocol.hpp"
#include "support/child_process.hpp"
#include "support/ffmpeg_clip.hpp"
#include "support/free_port.hpp"
#include "support/temp_dir.hpp"

using namespace picortc;

namespace {

constexpr uint8_t kUuid[16] = {'p', 'i', 'c', 'o', 'r', 't', 'c', '-',
                               'l', 'a', 't', 'e', 'n', 'c', 'y', '!'};

std::vector<uint8_t> index_sei(uint64_t index) {
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(index));
  std::vector<uint8_t> sei = {0x06, 0x05, 32};  // SEI, user_data_unregistered, 32 bytes
  sei.insert(sei.end(), kUuid, kUuid + 16);
  sei.insert(sei.end(), hex, hex + 16);
  sei.push_back(0x80);  // rbsp_trailing_bits
  return sei;
}

bool find_index(BytesView annexb, uint64_t& index) {
  const uint8_t* at = std::search(annexb.begin(), annexb.end(), kUuid, kUuid + 16);
  if (at == annexb.end() || annexb.end() - at < 32) return false;
  std::string hex(reinterpret_cast<const char*>(at + 16), 16);
  index = std::strtoull(hex.c_str(), nullptr, 16);
  return true;
}

using picortc::test::free_tcp_port;

sockaddr_un unix_address(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  return address;
}

bool write_all(int fd, const std::vector<uint8_t>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

bool read_all(int fd, uint8_t* out, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::recv(fd, out + done, size - done, 0);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// utime + stime of a process, in seconds.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close_paren = text.rfind(')');
  if (close_paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(close_paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s PICORTC_BINARY CLIP.h264 [FRAMES] [FPS]\n", argv[0]);
    return 2;
  }
  const std::string picortc = argv[1];
  const size_t frames = argc > 3 ? std::stoul(argv[3]) : 1200;
  const double fps = argc > 4 ? std::stod(argv[4]) : 30.0;
  std::vector<h264::AccessUnit> clip = h264::split_access_units(BytesView(test::read_file_bytes(argv[2])));
  if (clip.empty() || !clip[0].is_keyframe()) {
    std::fprintf(stderr, "clip must start with an IDR\n");
    return 2;
  }
  size_t clip_bytes = 0;
  for (const auto& au : clip)
    clip_bytes += au.size();
  const double clip_kbps =
      static_cast<double>(clip_bytes) * 8.0 * fps / static_cast<double>(clip.size()) / 1000.0;

  test::TempDir dir;
  const std::string ingest = dir.file("cam.sock");
  const std::string out = dir.file("out.sock");
  const uint16_t port = free_tcp_port();
  test::ChildProcess serve({picortc, "--log-level", "warn", "serve", "--stream", "cam=" + ingest, "--http",
                            "127.0.0.1:" + std::to_string(port), "--ice-server", "none"});

  // Consumer socket for view.
  int listener = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un out_address = unix_address(out);
  if (bind(listener, reinterpret_cast<sockaddr*>(&out_address), sizeof(out_address)) != 0 ||
      listen(listener, 1) != 0) {
    std::perror("consumer socket");
    return 1;
  }

  // Producer: connect to serve's ingest socket (it may take a moment).
  int producer = -1;
  sockaddr_un ingest_address = unix_address(ingest);
  for (int i = 0; i < 500 && producer < 0; ++i) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(fd, reinterpret_cast<sockaddr*>(&ingest_address), sizeof(ingest_address)) == 0) {
      producer = fd;
    } else {
      close(fd);
      usleep(10000);
    }
  }
  if (producer < 0) {
    std::fprintf(stderr, "serve's ingest socket never came up\n");
    return 1;
  }

  const size_t total = frames + static_cast<size_t>(fps * 8);  // + joining time
  std::vector<int64_t> sent_us(total + 1, 0);
  std::mutex sent_mutex;
  std::atomic<bool> stop{false};
  std::thread produce([&] {
    const int64_t start = monotonic_us();
    for (size_t i = 0; i < total && !stop; ++i) {
      const int64_t due = start + static_cast<int64_t>(static_cast<double>(i) * 1e6 / fps);
      int64_t now = monotonic_us();
      if (due > now) usleep(static_cast<useconds_t>(due - now));
      const h264::AccessUnit& source = clip[i % clip.size()];
      h264::AccessUnit au;
      bool inserted = false;
      for (size_t k = 0; k < source.nal_count(); ++k) {
        const uint8_t type = source.nal_type(k);
        if (!inserted && type != h264::kNalAud && type != h264::kNalSps && type != h264::kNalPps) {
          std::vector<uint8_t> sei = index_sei(i);
          au.append_nal(BytesView(sei));
          inserted = true;
        }
        au.append_nal(source.nal(k));
      }
      auto message = ipc::marshal_access_unit_message(au.annexb(), monotonic_us(), au.is_keyframe());
      {
        std::lock_guard<std::mutex> lock(sent_mutex);
        sent_us[i] = monotonic_us();
      }
      if (!write_all(producer, message)) break;
    }
  });

  usleep(300000);  // serve has an SPS: WHEP offers are accepted
  const double view_duration = static_cast<double>(total) / fps + 2.0;
  test::ChildProcess view({picortc, "--log-level", "warn", "view",
                           "http://127.0.0.1:" + std::to_string(port) + "/whep/cam", "--ice-server", "none",
                           "--out", "unix:" + out, "--framed", "--duration", std::to_string(view_duration)});
  int consumer = accept(listener, nullptr, nullptr);
  std::vector<double> latencies_ms;
  double cpu_start = 0, cpu_end = 0;
  int64_t measure_start_us = 0, measure_end_us = 0;
  uint64_t payload_bytes = 0;
  std::vector<uint8_t> payload;
  for (;;) {
    uint8_t header_bytes[ipc::kIngestHeaderSize];
    if (!read_all(consumer, header_bytes, sizeof(header_bytes))) break;
    auto header = ipc::IngestFrameHeader::parse(BytesView(header_bytes, sizeof(header_bytes)));
    if (!header.ok()) break;
    payload.resize(header->payload_size);
    if (!read_all(consumer, payload.data(), payload.size())) break;
    const int64_t now = monotonic_us();
    uint64_t index = 0;
    if (!find_index(BytesView(payload), index) || index >= total) continue;
    int64_t sent = 0;
    {
      std::lock_guard<std::mutex> lock(sent_mutex);
      sent = sent_us[index];
    }
    if (latencies_ms.empty()) {
      cpu_start = cpu_seconds(view.pid());
      measure_start_us = now;
    }
    latencies_ms.push_back(static_cast<double>(now - sent) / 1000.0);
    payload_bytes += payload.size();
    if (latencies_ms.size() == frames) {
      cpu_end = cpu_seconds(view.pid());
      measure_end_us = now;
      break;
    }
  }
  stop = true;
  produce.join();
  view.signal(SIGINT);
  view.wait_exit(nullptr, seconds(5));
  close(consumer);
  close(listener);
  close(producer);

  if (latencies_ms.size() < frames) {
    std::fprintf(stderr, "only %zu of %zu frames measured\n", latencies_ms.size(), frames);
    return 1;
  }
  // The first frames come from serve's GOP cache (sent at once on join,
  // long after they were written): the steady state starts after them.
  std::vector<double> steady(latencies_ms.begin() + 60, latencies_ms.end());
  std::sort(steady.begin(), steady.end());
  auto pct = [&](double q) {
    return steady[std::min(steady.size() - 1, static_cast<size_t>(q * steady.size()))];
  };
  const double wall_s = static_cast<double>(measure_end_us - measure_start_us) / 1e6;
  const double kbps = static_cast<double>(payload_bytes) * 8.0 / wall_s / 1000.0;
  const double cpu_fraction = (cpu_end - cpu_start) / wall_s;
  std::printf(
      "view latency, ingest socket -> view output, loopback, %zu frames at %.0f fps (clip %.0f kbit/s)\n",
      steady.size(), fps, clip_kbps);
  std::printf("  p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms\n", pct(0.5), pct(0.9), pct(0.99),
              steady.back());
  std::printf("  view CPU: %.2f %% of a core at %.0f kbit/s = %.2f %% per 2 Mbit/s\n", cpu_fraction * 100,
              kbps, cpu_fraction * 100 * 2000.0 / kbps);
  return 0;
}
