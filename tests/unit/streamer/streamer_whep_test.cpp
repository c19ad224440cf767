// `serve` in one process: the Streamer behind the real WhepServer, fed by
// the real `picortc feed` binary, watched over loopback by our own
// receive-only PeerConnection that signals through HTTP like a WHEP client.
// ICE, DTLS and SRTP are all real; only the interface list is narrowed to
// loopback so that nothing leaves this machine.
#include <httplib.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/event_loop.hpp"
#include "dtls/certificate.hpp"
#include "h264/access_unit_assembler.hpp"
#include "picortc_ingest.h"
#include "signal/whep_server.hpp"
#include "streamer/streamer.hpp"
#include "support/child_process.hpp"
#include "support/ffmpeg_clip.hpp"
#include "support/temp_dir.hpp"
#include "webrtc/peer_connection.hpp"

namespace picortc::streamer {
namespace {

ice::InterfaceFilter loopback_only() {
  ice::InterfaceFilter filter;
  filter.include_loopback = true;
  filter.include_ipv6 = false;
  filter.only_interfaces = {"lo"};
  return filter;
}

// Runs the loop until `done()` or the limit; returns done().
bool run_until(EventLoop& loop, const std::function<bool()>& done, Duration limit) {
  TimePoint end = Clock::now() + limit;
  while (!done() && Clock::now() < end)
    loop.run_once(milliseconds(5));
  return done();
}

// An HTTP request made on another thread while the loop keeps running (the
// server posts every WHEP request to this loop and waits for it).
template <typename Fn>
auto http_while_looping(EventLoop& loop, Fn fn) -> decltype(fn()) {
  auto future = std::async(std::launch::async, fn);
  run_until(
      loop, [&] { return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready; },
      seconds(20));
  return future.get();
}

// A producer speaking the framed protocol through the C client (as
// picortc-capture does), on its own thread: sends the clip at 30 fps,
// looping, for at most 60 s, and keeps the bitrate requests it receives.
class FramedProducer {
 public:
  FramedProducer(std::string socket_path, const std::vector<h264::AccessUnit>& clip)
      : socket_path_(std::move(socket_path)), clip_(clip), thread_([this] { run(); }) {}
  ~FramedProducer() {
    stop_.store(true);
    thread_.join();
  }
  FramedProducer(const FramedProducer&) = delete;
  FramedProducer& operator=(const FramedProducer&) = delete;

  std::vector<uint32_t> bitrate_requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return bitrate_requests_;
  }

 private:
  void run() {
    const TimePoint give_up = Clock::now() + seconds(60);
    picortc_ingest* conn = nullptr;
    size_t next = 0;
    TimePoint next_frame = Clock::now();
    while (!stop_.load() && Clock::now() < give_up) {
      if (conn == nullptr) {
        conn = picortc_ingest_connect(socket_path_.c_str());
        if (conn == nullptr) {
          std::this_thread::sleep_for(milliseconds(50));
          continue;
        }
        next = 0;  // a new connection starts at the clip's first IDR
        next_frame = Clock::now();
      }
      picortc_ingest_control control;
      int polled = 0;
      for (int i = 0; i < 16 && (polled = picortc_ingest_poll_control(conn, &control)) == 1; ++i) {
        if (control.type != PICORTC_CONTROL_BITRATE) continue;  // a file cannot make an IDR
        std::lock_guard<std::mutex> lock(mutex_);
        bitrate_requests_.push_back(control.bitrate_kbps);
      }
      const h264::AccessUnit& au = clip_[next % clip_.size()];
      int sent = polled < 0 ? PICORTC_INGEST_ERROR
                            : picortc_ingest_send_au_blocking(conn, au.annexb().data(), au.size(),
                                                              monotonic_us(), au.is_keyframe() ? 1 : 0, 100);
      if (sent == PICORTC_INGEST_ERROR) {
        picortc_ingest_close(conn);
        conn = nullptr;
        continue;
      }
      ++next;
      next_frame += microseconds(33333);
      if (next_frame < Clock::now() - seconds(1)) next_frame = Clock::now();  // fell behind: no burst
      std::this_thread::sleep_until(next_frame);
    }
    picortc_ingest_close(conn);
  }

  const std::string socket_path_;
  const std::vector<h264::AccessUnit>& clip_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<uint32_t> bitrate_requests_;
  std::thread thread_;  // last: starts once the members above exist
};

class StreamerWhepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clip_ = test::ffmpeg_h264_clip("whep_cbp_360p_gop30",
                                   "-f lavfi -i testsrc2=size=640x360:rate=30 -frames:v 90 -c:v libx264 "
                                   "-profile:v baseline -preset veryfast "
                                   "-g 30 -pix_fmt yuv420p");
    if (clip_.empty()) GTEST_SKIP() << "ffmpeg with libx264 is needed to make the clip";
    file_aus_ = h264::split_access_units(BytesView(test::read_file_bytes(clip_)));
    ASSERT_EQ(file_aus_.size(), 90u);

    auto certificate = dtls::Certificate::process_default();
    ASSERT_TRUE(certificate.ok()) << certificate.error().message();
    certificate_ = *certificate;

    StreamerOptions options;
    options.peer.certificate = certificate_;
    options.peer.ice.interfaces = loopback_only();
    options.session_setup_timeout = seconds(10);
    streamer_ = std::make_unique<Streamer>(loop_, options);
    socket_path_ = dir_.file("cam.sock");
    ASSERT_TRUE(streamer_->add_stream("cam", socket_path_).ok());
    ASSERT_TRUE(streamer_->start().ok());

    signal::WhepServerOptions http;
    http.bind_address = "127.0.0.1";
    http.port = 0;
    server_ = std::make_unique<signal::WhepServer>(loop_, *streamer_, http);
    Status started = server_->start();
    ASSERT_TRUE(started.ok()) << started.error().message();
  }

  void TearDown() override {
    if (viewer_) viewer_->close();
    if (server_) server_->stop();
    if (streamer_) streamer_->stop();
  }

  std::unique_ptr<test::ChildProcess> start_feed() {
    auto feed = std::make_unique<test::ChildProcess>(std::vector<std::string>{
        test::built_binary("apps/picortc/picortc"), "feed", clip_, "--socket", socket_path_, "--fps", "30",
        "--loop", "--duration", "60", "--ignore-keyframe-requests"});
    EXPECT_TRUE(feed->started());
    // The stream is ready once the streamer has seen an SPS.
    EXPECT_TRUE(run_until(
        loop_,
        [&] {
          auto streams = streamer_->streams();
          return !streams.empty() && streams[0].width == 640 && streams[0].access_units_received > 0;
        },
        seconds(20)));
    return feed;
  }

  httplib::Result post_offer(const std::string& sdp) {
    uint16_t port = server_->port();
    return http_while_looping(loop_, [port, sdp] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(10, 0);
      return client.Post("/whep/cam", sdp, "application/sdp");
    });
  }

  // DELETE on the session the viewer got (its Location).
  httplib::Result delete_session() {
    uint16_t port = server_->port();
    std::string location = location_;
    return http_while_looping(loop_, [port, location] {
      httplib::Client client("127.0.0.1", port);
      return client.Delete(location);
    });
  }

  // A WHEP client: recvonly offer, POST, apply the answer. `adjust` may
  // change the viewer's configuration.
  void connect_viewer(const std::function<void(webrtc::PeerConnectionConfig&)>& adjust = {}) {
    webrtc::PeerConnectionConfig config;
    config.certificate = certificate_;
    config.direction = webrtc::MediaDirection::kRecvOnly;
    config.ice.interfaces = loopback_only();
    if (adjust) adjust(config);
    viewer_ = std::make_unique<webrtc::PeerConnection>(loop_, config);
    webrtc::PeerConnectionCallbacks callbacks;
    callbacks.on_access_unit = [this](h264::AccessUnit&& au) { received_.push_back(std::move(au)); };
    viewer_->set_callbacks(callbacks);
    auto offer = viewer_->create_offer();
    ASSERT_TRUE(offer.ok()) << offer.error().message();
    offer_ = *offer;
    auto response = post_offer(offer_);
    ASSERT_TRUE(response) << "no HTTP response";
    ASSERT_EQ(response->status, 201) << response->body;
    location_ = response->get_header_value("Location");
    ASSERT_EQ(location_.rfind("/whep/cam/", 0), 0u) << location_;
    Status applied = viewer_->set_remote_answer(response->body);
    ASSERT_TRUE(applied.ok()) << applied.error().message();
  }

  // The received access units are a run of the (looping) file: each equals
  // the file's next one, starting at a keyframe.
  void expect_contiguous_from_keyframe(size_t first, size_t count) {
    ASSERT_LE(first + count, received_.size());
    ASSERT_TRUE(received_[first].is_keyframe());
    ASSERT_TRUE(received_[first].has_nal_type(h264::kNalSps));
    size_t index = file_aus_.size();
    for (size_t i = 0; i < file_aus_.size(); ++i) {
      if (file_aus_[i] == received_[first]) index = i;
    }
    ASSERT_LT(index, file_aus_.size()) << "first access unit is not one of the file's";
    for (size_t k = 0; k < count; ++k) {
      ASSERT_TRUE(received_[first + k] == file_aus_[(index + k) % file_aus_.size()])
          << "access unit " << first + k << " is not the file's next one";
    }
  }

  test::TempDir dir_;
  EventLoop loop_;
  std::string clip_;
  std::vector<h264::AccessUnit> file_aus_;
  dtls::Certificate certificate_;
  std::string socket_path_;
  std::unique_ptr<Streamer> streamer_;
  std::unique_ptr<signal::WhepServer> server_;
  std::unique_ptr<webrtc::PeerConnection> viewer_;
  std::string offer_;
  std::string location_;
  std::vector<h264::AccessUnit> received_;
};

TEST_F(StreamerWhepTest, ViewerGetsTheStreamByteIdenticalStartingAtAKeyframe) {
  auto feed = start_feed();
  TimePoint offered = Clock::now();
  connect_viewer();
  ASSERT_TRUE(run_until(
      loop_, [&] { return !received_.empty(); }, seconds(10)))
      << "no access unit";
  std::printf("first access unit %.1f ms after the offer\n",
              std::chrono::duration<double, std::milli>(Clock::now() - offered).count());
  ASSERT_TRUE(run_until(
      loop_, [&] { return received_.size() >= 60; }, seconds(20)));
  expect_contiguous_from_keyframe(0, 60);

  // A PLI from the viewer becomes a keyframe request to the producer.
  uint64_t requests_before = streamer_->streams()[0].keyframe_requests;
  loop_.add_timer(milliseconds(1100), [this] { viewer_->request_keyframe(); });  // past the join's request
  ASSERT_TRUE(run_until(
      loop_, [&] { return streamer_->streams()[0].keyframe_requests > requests_before; }, seconds(10)))
      << "the viewer's PLI did not reach the producer";

  auto sessions = streamer_->sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_GE(sessions[0].counters.plis_received, 1u);
  EXPECT_EQ(sessions[0].state, "connected");
  EXPECT_EQ(sessions[0].local_type, "host");
  EXPECT_GT(sessions[0].counters.packets_sent, 0u);

  // DELETE ends the session.
  auto deleted = delete_session();
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 200);
  EXPECT_EQ(streamer_->session_count(), 0u);
}

TEST_F(StreamerWhepTest, ABadOfferIsRefusedWithAReasonAndTheViewerKeepsWatching) {
  auto feed = start_feed();
  connect_viewer();
  ASSERT_TRUE(run_until(
      loop_, [&] { return received_.size() >= 10; }, seconds(15)));

  // The same offer without H.264: refused, says why.
  std::string vp8_only = offer_;
  for (size_t at = vp8_only.find("H264/90000"); at != std::string::npos; at = vp8_only.find("H264/90000"))
    vp8_only.replace(at, 10, "VP8/90000");
  auto refused = post_offer(vp8_only);
  ASSERT_TRUE(refused);
  EXPECT_GE(refused->status, 400);
  EXPECT_LT(refused->status, 500);
  EXPECT_NE(refused->body.find("H.264"), std::string::npos) << refused->body;
  // Garbage as an offer.
  auto garbage = post_offer("this is not SDP\r\n");
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 400) << garbage->body;

  size_t before = received_.size();
  ASSERT_TRUE(run_until(
      loop_, [&] { return received_.size() >= before + 30; }, seconds(15)))
      << "the viewer stopped receiving after a bad offer";
  expect_contiguous_from_keyframe(0, received_.size());
  EXPECT_EQ(streamer_->session_count(), 1u);
}

TEST_F(StreamerWhepTest, ProducerRestartKeepsTheSessionAndVideoResumes) {
  auto feed = start_feed();
  connect_viewer();
  ASSERT_TRUE(run_until(
      loop_, [&] { return received_.size() >= 20; }, seconds(15)));

  feed.reset();  // SIGKILL: the producer dies mid-stream
  run_until(
      loop_, [] { return false; }, milliseconds(500));
  size_t before_restart = received_.size();
  feed = start_feed();
  ASSERT_TRUE(run_until(
      loop_, [&] { return received_.size() >= before_restart + 30; }, seconds(20)))
      << "video did not resume after the producer restarted";
  EXPECT_EQ(viewer_->state(), webrtc::PeerConnectionState::kConnected);
  EXPECT_EQ(streamer_->session_count(), 1u);
  // The new producer starts with an IDR: the part after the restart is a
  // clean run of the file from its first access unit.
  EXPECT_TRUE(received_[before_restart].is_keyframe());
  expect_contiguous_from_keyframe(before_restart, received_.size() - before_restart);
}

// Issue 4: a viewer joining mid-GOP gets its first frame from the GOP cache,
// without waiting for the producer's next IDR. The producer is raw (it
// cannot be asked for a keyframe) and its GOP is 4 s long.
TEST_F(StreamerWhepTest, MidGopJoinStartsFromTheCacheWithoutWaitingForTheNextIdr) {
  const std::string long_gop =
      test::ffmpeg_h264_clip("whep_cbp_360p_gop120",
                             "-f lavfi -i testsrc2=size=640x360:rate=30 -frames:v 150 -c:v libx264 "
                             "-profile:v baseline -preset veryfast "
                             "-g 120 -keyint_min 120 -sc_threshold 0 -pix_fmt yuv420p");
  ASSERT_FALSE(long_gop.empty());
  const std::vector<h264::AccessUnit> clip =
      h264::split_access_units(BytesView(test::read_file_bytes(long_gop)));
  ASSERT_EQ(clip.size(), 150u);
  ASSERT_TRUE(clip[0].is_keyframe());
  for (size_t i = 1; i < 120; ++i)
    ASSERT_FALSE(clip[i].is_keyframe()) << "IDR at " << i;
  ASSERT_TRUE(clip[120].is_keyframe());

  test::ChildProcess feed({test::built_binary("apps/picortc/picortc"), "feed", long_gop, "--socket",
                           socket_path_, "--fps", "30", "--raw", "--duration", "30"});
  ASSERT_TRUE(feed.started());
  // Join about 1.5 s into the GOP.
  ASSERT_TRUE(run_until(
      loop_, [&] { return streamer_->streams()[0].access_units_received >= 45; }, seconds(20)));
  connect_viewer();
  ASSERT_TRUE(run_until(
      loop_, [&] { return !received_.empty(); }, seconds(10)))
      << "no access unit";
  uint64_t ingested_at_first_frame = streamer_->streams()[0].access_units_received;
  EXPECT_LT(ingested_at_first_frame, 120u) << "the first frame waited for the producer's next IDR";
  EXPECT_TRUE(received_[0] == clip[0]) << "the viewer should start at the cached IDR";
  ASSERT_TRUE(run_until(
      loop_, [&] { return received_.size() >= 60; }, seconds(15)));
  for (size_t i = 0; i < 60; ++i)
    ASSERT_TRUE(received_[i] == clip[i]) << "access unit " << i;
}

// Viewers send REMB "so a sender can adapt": the whole chain, REMB from our
// viewer -> serve's PeerConnection -> Streamer (BitrateAdapter) ->
// IngestServer -> BITRATE_REQUEST read by a framed producer. The viewer's
// estimate is capped at 300 kbit/s (as if its link were that narrow); the
// clip carries about 940 kbit/s, so that viewer cannot take it.
TEST_F(StreamerWhepTest, ViewerEstimateBecomesABitrateRequestToTheProducer) {
  FramedProducer producer(socket_path_, file_aus_);
  ASSERT_TRUE(run_until(
      loop_,
      [&] {
        auto streams = streamer_->streams();
        return streams[0].width == 640 && streams[0].access_units_received >= 30;
      },
      seconds(20)))
      << "the framed producer's stream did not arrive";
  constexpr uint64_t kViewerLinkBps = 300'000;
  connect_viewer([](webrtc::PeerConnectionConfig& config) { config.remb.max_bitrate_bps = kViewerLinkBps; });
  ASSERT_TRUE(run_until(
      loop_, [&] { return !producer.bitrate_requests().empty(); }, seconds(20)))
      << "no bitrate request reached the producer (viewer sent " << viewer_->stats().rembs_sent << " REMBs)";

  const std::vector<uint32_t> requests = producer.bitrate_requests();
  // What the viewer can take, not below the default min_bitrate (150).
  EXPECT_LE(requests[0], kViewerLinkBps / 1000);
  EXPECT_GE(requests[0], 150u);
  EXPECT_GE(viewer_->stats().rembs_sent, 1u);
  signal::StreamInfo stream = streamer_->streams()[0];
  EXPECT_GE(stream.bitrate_requests, requests.size());
  EXPECT_GT(stream.min_viewer_estimate_bps, 0u);
  EXPECT_LE(stream.min_viewer_estimate_bps, kViewerLinkBps);

  // /metrics shows it.
  uint16_t port = server_->port();
  auto metrics = http_while_looping(loop_, [port] {
    httplib::Client client("127.0.0.1", port);
    return client.Get("/metrics");
  });
  ASSERT_TRUE(metrics);
  ASSERT_EQ(metrics->status, 200);
  const std::string requested_line =
      "picortc_requested_bitrate_bits_per_second{stream=\"cam\"} " +
      std::to_string(uint64_t{streamer_->streams()[0].requested_bitrate_kbps} * 1000);
  EXPECT_NE(metrics->body.find(requested_line), std::string::npos) << metrics->body;
  EXPECT_NE(metrics->body.find("picortc_bitrate_requests_total{stream=\"cam\"} "), std::string::npos);
  EXPECT_NE(metrics->body.find("picortc_session_estimate_bits_per_second{stream=\"cam\",session=\""),
            std::string::npos)
      << metrics->body;

  // /api/sessions shows each viewer's own estimate, so the weak one can be found.
  auto sessions = http_while_looping(loop_, [port] {
    httplib::Client client("127.0.0.1", port);
    return client.Get("/api/sessions");
  });
  ASSERT_TRUE(sessions);
  auto list = nlohmann::json::parse(sessions->body, nullptr, false);
  ASSERT_TRUE(list.is_array() && list.size() == 1) << sessions->body;
  ASSERT_TRUE(list[0]["estimate_bps"].is_number_unsigned()) << sessions->body;
  EXPECT_GT(list[0]["estimate_bps"].get<uint64_t>(), 0u);
  EXPECT_LE(list[0]["estimate_bps"].get<uint64_t>(), kViewerLinkBps);
  EXPECT_EQ(list[0]["srtp_profile"], "SRTP_AEAD_AES_128_GCM");

  // The viewer leaves: its estimate no longer counts; with nobody left,
  // nothing more is asked.
  auto deleted = delete_session();
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 200);
  const uint64_t requests_before = streamer_->streams()[0].bitrate_requests;
  run_until(
      loop_, [] { return false; }, milliseconds(1500));
  EXPECT_EQ(streamer_->streams()[0].min_viewer_estimate_bps, 0u);
  EXPECT_EQ(streamer_->streams()[0].bitrate_requests, requests_before);
}

TEST_F(StreamerWhepTest, OfferBeforeTheProducerHasSentAnythingIsRefusedAsNotReady) {
  webrtc::PeerConnectionConfig config;
  config.certificate = certificate_;
  config.direction = webrtc::MediaDirection::kRecvOnly;
  config.ice.interfaces = loopback_only();
  webrtc::PeerConnection pc(loop_, config);
  auto offer = pc.create_offer();
  ASSERT_TRUE(offer.ok());
  auto response = post_offer(*offer);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 503) << response->body;
  EXPECT_EQ(streamer_->session_count(), 0u);
  pc.close();
}

}  // namespace
}  // namespace picortc::streamer
