// Real encoder output through packetizer and depacketizer: clips are
// encoded with ffmpeg/libx264 into the build directory at test time.
#include <gtest/gtest.h>

#include <string>

#include "h264_rtp_test_util.hpp"
#include "support/ffmpeg_clip.hpp"

namespace picortc::rtp {
namespace {

struct Clip {
  const char* name;
  const char* ffmpeg_args;
};

const Clip kClips[] = {
    {"baseline_640x360", "-s 640x360 -profile:v baseline -x264-params aud=1"},
    {"high_1920x1080", "-s 1920x1080 -profile:v high -x264-params aud=1"},
    {"slices4_1280x720", "-s 1280x720 -profile:v high -x264-params slices=4:aud=1"},
};

std::vector<uint8_t> encode_clip(const Clip& clip) {
  const std::string path = picortc::test::ffmpeg_h264_clip(
      std::string("rtp_test_") + clip.name,
      std::string("-f lavfi -i testsrc2=size=1920x1080:rate=30 -frames:v 60 -pix_fmt yuv420p -c:v libx264 "
                  "-preset veryfast -g 30 ") +
          clip.ffmpeg_args);
  if (path.empty()) return {};
  return picortc::test::read_file_bytes(path);
}

// A tiny Annex-B scan (start codes 00 00 01, trailing zeros stripped),
// cutting access units at each AUD (the clips are encoded with aud=1).
std::vector<h264::AccessUnit> split_at_auds(const std::vector<uint8_t>& stream) {
  std::vector<std::pair<size_t, size_t>> nals;  // [begin, end)
  size_t begin = SIZE_MAX;
  for (size_t i = 0; i + 2 < stream.size(); ++i) {
    if (stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1) {
      if (begin != SIZE_MAX) nals.emplace_back(begin, i);
      begin = i + 3;
      i += 2;
    }
  }
  if (begin != SIZE_MAX) nals.emplace_back(begin, stream.size());
  std::vector<h264::AccessUnit> aus;
  for (auto [b, e] : nals) {
    while (e > b && stream[e - 1] == 0)
      --e;
    if (e == b) continue;
    if (h264::nal_type_of(stream[b]) == h264::kNalAud || aus.empty()) aus.emplace_back();
    aus.back().append_nal(BytesView(stream.data() + b, e - b));
  }
  return aus;
}

class ClipRoundTrip : public ::testing::TestWithParam<Clip> {};

TEST_P(ClipRoundTrip, ShuffledDuplicatedPacketsRebuildEveryAccessUnit) {
  const auto stream = encode_clip(GetParam());
  ASSERT_FALSE(stream.empty()) << "ffmpeg failed to encode " << GetParam().name;
  const auto aus = split_at_auds(stream);
  ASSERT_EQ(aus.size(), 60u);
  ASSERT_TRUE(aus[0].is_keyframe());

  // Start near the end of both number spaces to cross both wrap-arounds.
  auto packets = test::packetize_all(aus, 65000, 0xFFFF0000u, 3000);
  size_t markers = 0;
  for (const auto& p : packets) {
    EXPECT_LE(p.payload.size(), 1200u);
    markers += p.header.marker ? 1 : 0;
  }
  EXPECT_EQ(markers, aus.size());
  const auto shuffled = test::shuffle_and_duplicate(packets, 16, 20, 1234);

  test::Sink sink;
  auto depacketizer = sink.make();
  test::push_all(depacketizer, shuffled);
  depacketizer.flush();
  EXPECT_TRUE(sink.lost.empty());
  ASSERT_EQ(sink.aus.size(), aus.size());
  for (size_t i = 0; i < aus.size(); ++i) {
    EXPECT_EQ(sink.aus[i], test::without_auds(aus[i])) << GetParam().name << " access unit " << i;
    EXPECT_EQ(sink.aus[i].rtp_timestamp, static_cast<uint32_t>(0xFFFF0000u + 3000 * i));
  }
}

TEST_P(ClipRoundTrip, OneLostPacketLosesOneAccessUnit) {
  const auto stream = encode_clip(GetParam());
  ASSERT_FALSE(stream.empty());
  const auto aus = split_at_auds(stream);
  ASSERT_EQ(aus.size(), 60u);
  auto packets = test::packetize_all(aus, 100, 0, 3000);
  // Drop the first packet of access unit 10.
  const uint32_t lost_ts = 10 * 3000;
  uint16_t dropped = 0;
  for (size_t i = 0; i < packets.size(); ++i) {
    if (packets[i].header.timestamp == lost_ts) {
      dropped = packets[i].header.sequence_number;
      packets.erase(packets.begin() + static_cast<long>(i));
      break;
    }
  }
  test::Sink sink;
  auto depacketizer = sink.make();
  test::push_all(depacketizer, test::shuffle_and_duplicate(packets, 8, 0, 99));
  depacketizer.flush();
  ASSERT_EQ(sink.lost.size(), 1u);
  EXPECT_EQ(sink.lost[0].first_sequence, dropped);
  EXPECT_EQ(sink.lost[0].rtp_timestamp, lost_ts);
  ASSERT_EQ(sink.aus.size(), aus.size() - 1);
  for (size_t i = 0, out = 0; i < aus.size(); ++i) {
    if (i == 10) continue;
    EXPECT_EQ(sink.aus[out++], test::without_auds(aus[i])) << "access unit " << i;
  }
}

std::string clip_name(const ::testing::TestParamInfo<Clip>& param) {
  return param.param.name;
}

INSTANTIATE_TEST_SUITE_P(Clips, ClipRoundTrip, ::testing::ValuesIn(kClips), clip_name);

}  // namespace
}  // namespace picortc::rtp
