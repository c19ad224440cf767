// The media path without the network: an ffmpeg-made H.264 clip goes
// through the real `picortc feed` binary into an IngestServer, each access
// unit is packetized (RFC 6184), the packets are reordered and duplicated as
// a network might, and the depacketizer must give back every access unit
// byte-identical and in order, with the timestamps the producer sent.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/event_loop.hpp"
#include "h264/access_unit_assembler.hpp"
#include "h264/sps.hpp"
#include "ipc/ingest_server.hpp"
#include "rtp/h264_depacketizer.hpp"
#include "rtp/h264_packetizer.hpp"
#include "rtp/rtp_packet.hpp"
#include "support/child_process.hpp"
#include "support/ffmpeg_clip.hpp"
#include "support/temp_dir.hpp"

namespace picortc {
namespace {

struct ClipSpec {
  const char* name;
  const char* ffmpeg_args;
  int width;
  int height;
  uint8_t profile_idc;  // what the SPS must say, so the case tests what it claims
  bool constrained;     // constraint_set1_flag (constrained baseline)
};

// Four slices per frame everywhere: several NAL units per access unit, and
// at 1080p IDR slices far larger than one packet (FU-A).
const ClipSpec kClips[] = {
    {"cbp_360p",
     "-f lavfi -i testsrc2=size=640x360:rate=30 -frames:v 45 -c:v libx264 -profile:v baseline "
     "-preset veryfast -g 15 -x264-params slices=4 -pix_fmt yuv420p",
     640, 360, 66, true},
    {"cbp_1080p",
     "-f lavfi -i testsrc2=size=1920x1080:rate=30 -frames:v 30 -c:v libx264 -profile:v baseline "
     "-preset veryfast -g 15 -x264-params slices=4 -pix_fmt yuv420p",
     1920, 1080, 66, true},
    {"high_360p",
     "-f lavfi -i testsrc2=size=640x360:rate=30 -frames:v 45 -c:v libx264 -profile:v high "
     "-preset veryfast -g 15 -bf 0 -x264-params slices=4 -pix_fmt yuv420p",
     640, 360, 100, false},
    {"high_1080p",
     "-f lavfi -i testsrc2=size=1920x1080:rate=30 -frames:v 30 -c:v libx264 -profile:v high "
     "-preset veryfast -g 15 -bf 0 -x264-params slices=4 -pix_fmt yuv420p",
     1920, 1080, 100, false},
};

// What the packetizer sends: every NAL unit but access unit delimiters
// (docs/rtp.md: RTP's marker bit delimits access units).
h264::AccessUnit without_delimiters(const h264::AccessUnit& au) {
  h264::AccessUnit out;
  for (size_t i = 0; i < au.nal_count(); ++i) {
    if (au.nal_type(i) != h264::kNalAud) out.append_nal(au.nal(i));
  }
  out.timestamp_us = au.timestamp_us;
  return out;
}

// A network between packetizer and depacketizer: packets are released in a
// random order within a sliding window of `reorder_window`, and some are
// delivered twice.
class ShufflingLink {
 public:
  ShufflingLink(uint32_t seed, size_t reorder_window, double duplicate_probability)
      : rng_(seed), window_(reorder_window), duplicate_(duplicate_probability) {}

  void send(std::vector<uint8_t> packet, std::vector<std::vector<uint8_t>>& delivered) {
    held_.push_back(std::move(packet));
    if (held_.size() >= window_) release_one(delivered);
  }
  void drain(std::vector<std::vector<uint8_t>>& delivered) {
    while (!held_.empty())
      release_one(delivered);
  }
  uint64_t reordered() const { return reordered_; }
  uint64_t duplicated() const { return duplicated_; }

 private:
  void release_one(std::vector<std::vector<uint8_t>>& delivered) {
    std::uniform_int_distribution<size_t> pick(0, held_.size() - 1);
    size_t index = pick(rng_);
    if (index != 0) ++reordered_;
    delivered.push_back(held_[index]);
    if (std::bernoulli_distribution(duplicate_)(rng_)) {
      delivered.push_back(held_[index]);
      ++duplicated_;
    }
    held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(index));
  }

  std::mt19937 rng_;
  size_t window_;
  double duplicate_;
  std::vector<std::vector<uint8_t>> held_;
  uint64_t reordered_ = 0;
  uint64_t duplicated_ = 0;
};

class MediaPipelineTest : public ::testing::TestWithParam<std::tuple<ClipSpec, bool>> {};

TEST_P(MediaPipelineTest, EveryAccessUnitArrivesByteIdenticalAndInOrder) {
  const ClipSpec& spec = std::get<0>(GetParam());
  const bool raw = std::get<1>(GetParam());
  std::string clip = test::ffmpeg_h264_clip(spec.name, spec.ffmpeg_args);
  if (clip.empty()) GTEST_SKIP() << "ffmpeg with libx264 is needed to make the clip";

  const std::vector<uint8_t> file = test::read_file_bytes(clip);
  const std::vector<h264::AccessUnit> file_aus = h264::split_access_units(BytesView(file));
  ASSERT_GT(file_aus.size(), 20u);

  // The clip is what the case says it is.
  ASSERT_TRUE(file_aus[0].has_nal_type(h264::kNalSps));
  for (size_t i = 0; i < file_aus[0].nal_count(); ++i) {
    if (file_aus[0].nal_type(i) != h264::kNalSps) continue;
    auto sps = h264::parse_sps(file_aus[0].nal(i));
    ASSERT_TRUE(sps.ok()) << sps.error().message();
    EXPECT_EQ(sps->width, static_cast<uint32_t>(spec.width));
    EXPECT_EQ(sps->height, static_cast<uint32_t>(spec.height));
    EXPECT_EQ(sps->profile_idc, spec.profile_idc);
    EXPECT_EQ((sps->constraint_flags & 0x40) != 0, spec.constrained);
  }
  size_t multi_slice_aus = 0;
  for (const auto& au : file_aus) {
    size_t slices = 0;
    for (size_t i = 0; i < au.nal_count(); ++i)
      slices += (au.nal_type(i) == h264::kNalSlice || au.nal_type(i) == h264::kNalIdr);
    if (slices >= 4) ++multi_slice_aus;
  }
  EXPECT_EQ(multi_slice_aus, file_aus.size()) << "every frame should have four slices";

  // Ingest: the real server and the real `picortc feed` binary.
  test::TempDir dir;
  EventLoop loop;
  ipc::IngestServerConfig config;
  config.socket_path = dir.file("ingest.sock");
  ipc::IngestServer server(loop, config);
  std::vector<h264::AccessUnit> ingested;
  server.set_access_unit_callback([&](h264::AccessUnit&& au) { ingested.push_back(std::move(au)); });
  Status started = server.start();
  ASSERT_TRUE(started.ok()) << started.error().message();

  std::vector<std::string> argv = {test::built_binary("apps/picortc/picortc"),
                                   "feed",
                                   clip,
                                   "--socket",
                                   config.socket_path,
                                   "--fps",
                                   "120",
                                   "--ignore-keyframe-requests"};
  if (raw) argv.push_back("--raw");
  test::ChildProcess feed(argv);
  ASSERT_TRUE(feed.started());
  ASSERT_TRUE(feed.wait_exit(&loop, seconds(60))) << "feed did not finish";
  EXPECT_EQ(feed.exit_code(), 0);
  // Let the server read what is still in the socket (bounded).
  TimePoint until = Clock::now() + seconds(10);
  while (ingested.size() < file_aus.size() && Clock::now() < until)
    loop.run_once(milliseconds(10));
  ASSERT_EQ(ingested.size(), file_aus.size());

  // Packetize each access unit, send through the shuffling link.
  rtp::H264Packetizer packetizer;
  ShufflingLink link(/*seed=*/static_cast<uint32_t>(file.size()), /*reorder_window=*/24, /*duplicate=*/0.05);
  std::vector<std::vector<uint8_t>> delivered;
  uint16_t seq = 65400;  // wraps around during every clip
  uint8_t packet[1500];
  size_t fu_a_packets = 0, stap_a_packets = 0;
  for (const auto& au : ingested) {
    ASSERT_TRUE(packetizer.packetize(au).ok());
    for (size_t i = 0; i < packetizer.payload_count(); ++i) {
      rtp::RtpHeader header;
      header.payload_type = 102;
      header.sequence_number = seq++;
      header.timestamp = us_to_rtp90k(au.timestamp_us);
      header.ssrc = 0x1234abcd;
      auto written = rtp::write_h264_rtp_packet(packetizer, i, header, packet, sizeof packet);
      ASSERT_TRUE(written.ok()) << written.error().message();
      ASSERT_LE(*written, 12u + packetizer.config().max_payload_size);
      uint8_t type = h264::nal_type_of(packetizer.payload(i).bytes[0]);
      fu_a_packets += type == h264::kNalFuA;
      stap_a_packets += type == h264::kNalStapA;
      link.send(std::vector<uint8_t>(packet, packet + *written), delivered);
    }
  }
  link.drain(delivered);
  EXPECT_GT(fu_a_packets, 0u);
  EXPECT_GT(stap_a_packets, 0u);
  EXPECT_GT(link.reordered(), 0u);
  EXPECT_GT(link.duplicated(), 0u);

  std::vector<h264::AccessUnit> received;
  size_t losses = 0;
  rtp::H264Depacketizer depacketizer(
      rtp::H264DepacketizerConfig{}, [&](h264::AccessUnit& au) { received.push_back(std::move(au)); },
      [&](const rtp::H264LostRange&) { ++losses; });
  for (const auto& bytes : delivered) {
    auto parsed = rtp::RtpPacketView::parse(BytesView(bytes));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message();
    depacketizer.push(*parsed);
  }
  depacketizer.flush();

  EXPECT_EQ(losses, 0u);
  ASSERT_EQ(received.size(), file_aus.size());
  for (size_t i = 0; i < file_aus.size(); ++i) {
    h264::AccessUnit expected = without_delimiters(file_aus[i]);
    ASSERT_TRUE(received[i] == expected) << "access unit " << i << " differs";
    EXPECT_EQ(received[i].annexb(), expected.annexb()) << "access unit " << i;
    EXPECT_EQ(received[i].rtp_timestamp, us_to_rtp90k(ingested[i].timestamp_us)) << "access unit " << i;
  }
  if (!raw) {
    // Framed ingest carries the feeder's timestamps: strictly increasing.
    for (size_t i = 1; i < ingested.size(); ++i)
      EXPECT_GT(ingested[i].timestamp_us, ingested[i - 1].timestamp_us);
  }
}

std::string case_name(const ::testing::TestParamInfo<std::tuple<ClipSpec, bool>>& info) {
  return std::string(std::get<0>(info.param).name) + (std::get<1>(info.param) ? "_raw" : "_framed");
}

INSTANTIATE_TEST_SUITE_P(Clips, MediaPipelineTest,
                         ::testing::Combine(::testing::ValuesIn(kClips), ::testing::Bool()), case_name);

}  // namespace
}  // namespace picortc
