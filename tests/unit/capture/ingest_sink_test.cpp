// picortc-capture against a stand-in for `picortc serve`: a plain Unix
// socket server written here from docs/ingest-protocol.md (20-byte
// little-endian header: "PRTC", version 1, type, flags, timestamp_us,
// payload_size), so the wire format is checked independently of src/ipc.
#include "capture/ingest_sink.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "capture/annexb_nal_scan.hpp"
#include "capture/capture_producer.hpp"
#include "capture/test_pattern_source.hpp"
#include "capture/x264_encoder.hpp"
#include "capture_test_util.hpp"
#include "core/bytes.hpp"

namespace picortc::capture {
namespace {

using testing::TempDir;

struct Message {
  uint8_t type = 0;
  uint16_t flags = 0;
  int64_t timestamp_us = 0;
  std::vector<uint8_t> payload;
  bool keyframe() const { return (flags & 1) != 0; }
};

class TestIngestServer {
 public:
  explicit TestIngestServer(std::string path) : path_(std::move(path)) {
    ::unlink(path_.c_str());
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listen_fd_, 4), 0);
  }
  ~TestIngestServer() { shut_down(); }

  // Closes everything, as a streamer that exits does.
  void shut_down() {
    if (client_fd_ >= 0) ::close(client_fd_);
    if (listen_fd_ >= 0) ::close(listen_fd_);
    client_fd_ = listen_fd_ = -1;
    ::unlink(path_.c_str());
  }

  bool accept_client(int timeout_ms = 5000) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return false;
    client_fd_ = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    return client_fd_ >= 0;
  }

  bool read_exact(uint8_t* out, size_t n, int timeout_ms) {
    size_t got = 0;
    const TimePoint deadline = Clock::now() + milliseconds(timeout_ms);
    while (got < n) {
      int left = static_cast<int>(std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count());
      if (left <= 0) return false;
      pollfd p{client_fd_, POLLIN, 0};
      if (::poll(&p, 1, left) != 1) return false;
      ssize_t r = ::read(client_fd_, out + got, n - got);
      if (r <= 0) return false;
      got += static_cast<size_t>(r);
    }
    return true;
  }

  bool read_message(Message& m, int timeout_ms = 5000) {
    uint8_t header[20];
    if (!read_exact(header, sizeof header, timeout_ms)) return false;
    EXPECT_EQ(std::memcmp(header, "PRTC", 4), 0);
    EXPECT_EQ(header[4], 1);
    m.type = header[5];
    m.flags = load_le16(header + 6);
    m.timestamp_us = static_cast<int64_t>(load_le64(header + 8));
    uint32_t size = load_le32(header + 16);
    if (size > 8 * 1024 * 1024) return false;
    m.payload.resize(size);
    return read_exact(m.payload.data(), size, timeout_ms);
  }

  void send_control(uint8_t type, const std::vector<uint8_t>& payload = {}) {
    uint8_t header[20] = {'P', 'R', 'T', 'C', 1, type, 0, 0};
    store_le64(header + 8, static_cast<uint64_t>(monotonic_us()));
    store_le32(header + 16, static_cast<uint32_t>(payload.size()));
    std::vector<uint8_t> bytes(header, header + 20);
    bytes.insert(bytes.end(), payload.begin(), payload.end());
    ASSERT_EQ(::write(client_fd_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }

 private:
  std::string path_;
  int listen_fd_ = -1;
  int client_fd_ = -1;
};

// The producer on its own thread, stopped and joined at the end.
class ProducerThread {
 public:
  ProducerThread(const std::string& socket_path, bool paced, uint64_t max_frames = 0, int width = 320,
                 int height = 240, uint32_t kbps = 500) {
    TestPatternConfig pattern;
    pattern.width = width;
    pattern.height = height;
    pattern.paced = paced;
    ProducerConfig config;
    config.encoder.gop_frames = 1000;
    config.encoder.bitrate_kbps = kbps;
    config.encoder.preset = "ultrafast";
    config.max_frames = max_frames;
    config.max_duration_s = 30;  // safety bound
    EncoderFactory factory = [](const EncoderConfig& c) -> Result<std::unique_ptr<VideoEncoder>> {
      auto e = X264Encoder::create(c);
      if (!e) return e.error();
      return std::unique_ptr<VideoEncoder>(std::move(*e));
    };
    producer_ = std::make_unique<CaptureProducer>(
        config, std::make_unique<TestPatternSource>(pattern), factory,
        std::make_unique<IngestSink>(socket_path, Backoff(milliseconds(10), milliseconds(80))));
    thread_ = std::thread([this] { EXPECT_TRUE(producer_->run().ok()); });
  }
  ~ProducerThread() { stop(); }
  void stop() {
    if (producer_ != nullptr) producer_->request_stop();
    if (thread_.joinable()) thread_.join();
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  // Only after stop()/join().
  const ProducerStats& stats() const { return producer_->stats(); }
  void destroy() {
    stop();
    producer_.reset();
  }

 private:
  std::unique_ptr<CaptureProducer> producer_;
  std::thread thread_;
};

TEST(IngestSink, AccessUnitsCarryCaptureTimesAndKeyframeRequestsAreObeyedWithinOneFrame) {
  TempDir dir;
  TestIngestServer server(dir.file("ingest.sock"));
  const int64_t started_us = monotonic_us();
  ProducerThread producer(dir.file("ingest.sock"), true);
  ASSERT_TRUE(server.accept_client());
  Message m;
  ASSERT_TRUE(server.read_message(m));
  EXPECT_EQ(m.type, 0x01);
  EXPECT_TRUE(m.keyframe());
  EXPECT_TRUE(access_unit_has_idr(BytesView(m.payload)));
  EXPECT_GE(m.timestamp_us, started_us);
  EXPECT_LE(m.timestamp_us, monotonic_us());
  int64_t previous = m.timestamp_us;
  for (int i = 0; i < 9; ++i) {
    ASSERT_TRUE(server.read_message(m));
    EXPECT_FALSE(m.keyframe());
    EXPECT_GT(m.timestamp_us, previous);
    previous = m.timestamp_us;
  }
  server.send_control(0x81);
  // At most one access unit was already on its way when the request landed.
  int until_idr = 0;
  for (; until_idr < 3; ++until_idr) {
    ASSERT_TRUE(server.read_message(m));
    EXPECT_EQ(m.keyframe(), access_unit_has_idr(BytesView(m.payload)));
    if (m.keyframe()) break;
  }
  EXPECT_LE(until_idr, 1) << "access units before the requested IDR";
  server.send_control(0x82, {0xFA, 0x00, 0x00, 0x00});  // 250 kbit/s
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(server.read_message(m));
  producer.stop();
  EXPECT_EQ(producer.stats().keyframe_requests, 1u);
  EXPECT_EQ(producer.stats().bitrate_requests, 1u);
  EXPECT_EQ(producer.stats().bitrate_kbps, 250u);
}

TEST(IngestSink, StreamerRestartIsSurvivedAndTheNewConnectionStartsWithAnIdr) {
  TempDir dir;
  const std::string path = dir.file("ingest.sock");
  auto server = std::make_unique<TestIngestServer>(path);
  ProducerThread producer(path, true);
  ASSERT_TRUE(server->accept_client());
  Message m;
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(server->read_message(m));
  server.reset();  // the streamer exits
  std::this_thread::sleep_for(milliseconds(300));
  server = std::make_unique<TestIngestServer>(path);  // and comes back
  ASSERT_TRUE(server->accept_client());
  ASSERT_TRUE(server->read_message(m));
  EXPECT_TRUE(m.keyframe());
  EXPECT_TRUE(access_unit_has_idr(BytesView(m.payload)));
  ASSERT_TRUE(server->read_message(m));
  EXPECT_FALSE(m.keyframe());
  producer.stop();
  EXPECT_GT(producer.stats().dropped_disconnected, 0u);
  EXPECT_GE(producer.stats().sink_reconnects, 1u);
}

TEST(IngestSink, ProducerStartedBeforeTheStreamerConnectsWhenItAppears) {
  TempDir dir;
  const std::string path = dir.file("ingest.sock");
  ProducerThread producer(path, true);
  std::this_thread::sleep_for(milliseconds(200));
  TestIngestServer server(path);
  ASSERT_TRUE(server.accept_client());
  Message m;
  ASSERT_TRUE(server.read_message(m));
  EXPECT_TRUE(m.keyframe());
  producer.stop();
  EXPECT_GT(producer.stats().dropped_disconnected, 0u);
  EXPECT_GT(producer.stats().frames_captured, producer.stats().access_units_sent);
}

TEST(IngestSink, SlowStreamerGetsDropsButAlwaysADecodableStream) {
  TempDir dir;
  const std::string path = dir.file("ingest.sock");
  TestIngestServer server(path);
  // Unpaced and large: the socket fills while the server is not reading.
  ProducerThread producer(path, false, 200, 640, 480, 8000);
  ASSERT_TRUE(server.accept_client());
  producer.join();  // all 200 pictures captured while nobody reads
  const ProducerStats stats = producer.stats();
  producer.destroy();  // closes the connection: the server reads to the end
  EXPECT_GT(stats.dropped_socket_full, 0u);
  std::vector<uint8_t> stream;
  size_t received = 0;
  Message m;
  for (int i = 0; i < 400 && server.read_message(m, 2000); ++i) {
    stream.insert(stream.end(), m.payload.begin(), m.payload.end());
    ++received;
  }
  EXPECT_GT(received, 0u);
  EXPECT_LE(received, stats.access_units_sent);
  // Whatever got through decodes without a single error.
  FILE* f = std::fopen(dir.file("received.h264").c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fwrite(stream.data(), 1, stream.size(), f);
  std::fclose(f);
  int status = -1;
  std::string errors =
      testing::run_command("ffmpeg -v error -i '" + dir.file("received.h264") + "' -f null - 2>&1", &status);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(errors, "");
  EXPECT_EQ(testing::ffprobe_field(dir.file("received.h264"), "nb_read_frames", true),
            std::to_string(received));
}

}  // namespace
}  // namespace picortc::capture
