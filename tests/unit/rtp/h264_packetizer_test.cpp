#include "rtp/h264_packetizer.hpp"

#include <gtest/gtest.h>

#include "h264_rtp_test_util.hpp"

namespace picortc::rtp {
namespace {

using test::make_au;
using test::make_nal;

TEST(H264Packetizer, StapAThenFuAForAnIdr) {
  const auto sps = make_nal(0x67, 12);  // NRI 3
  const auto pps = make_nal(0x68, 4);   // NRI 3
  const auto aud = make_nal(0x09, 2);   // NRI 0
  const auto idr = make_nal(0x65, 3000);
  H264Packetizer packetizer;  // 1200-byte budget
  ASSERT_TRUE(packetizer.packetize(make_au({aud, sps, pps, idr})).ok());
  // AUD dropped; STAP-A(SPS, PPS); IDR in ceil(2999 / 1198) = 3 FU-A.
  ASSERT_EQ(packetizer.payload_count(), 4u);

  const BytesView stap = packetizer.payload(0).bytes;
  EXPECT_FALSE(packetizer.payload(0).marker);
  ASSERT_EQ(stap.size(), 1 + 2 + 12 + 2 + 4);
  EXPECT_EQ(stap[0], 0x78);  // F=0, NRI=3 (max of SPS, PPS), type 24
  EXPECT_EQ(stap[1], 0x00);
  EXPECT_EQ(stap[2], 12);
  EXPECT_EQ(stap.subview(3, 12), BytesView(sps));
  EXPECT_EQ(stap[15], 0x00);
  EXPECT_EQ(stap[16], 4);
  EXPECT_EQ(stap.subview(17, 4), BytesView(pps));

  std::vector<uint8_t> rebuilt = {0x65};
  size_t largest = 0, smallest = SIZE_MAX;
  for (size_t i = 1; i < 4; ++i) {
    const H264Payload fu = packetizer.payload(i);
    EXPECT_LE(fu.bytes.size(), 1200u);
    EXPECT_EQ(fu.bytes[0], 0x7c);  // F=0, NRI=3 from the IDR, type 28
    const uint8_t header = fu.bytes[1];
    EXPECT_EQ(header & 0x1f, 5);              // original type
    EXPECT_EQ((header & 0x80) != 0, i == 1);  // S
    EXPECT_EQ((header & 0x40) != 0, i == 3);  // E
    EXPECT_EQ(header & 0x20, 0);              // R
    EXPECT_EQ(fu.marker, i == 3);
    rebuilt.insert(rebuilt.end(), fu.bytes.begin() + 2, fu.bytes.end());
    largest = std::max(largest, fu.bytes.size());
    smallest = std::min(smallest, fu.bytes.size());
  }
  EXPECT_EQ(rebuilt, idr);
  EXPECT_LE(largest - smallest, 1u);  // near-equal fragments
}

TEST(H264Packetizer, SingleNalPacketsForSlicesThatFit) {
  const auto slice1 = make_nal(0x41, 1200);  // exactly the budget
  const auto slice2 = make_nal(0x41, 10);
  H264Packetizer packetizer;
  ASSERT_TRUE(packetizer.packetize(make_au({slice1, slice2})).ok());
  ASSERT_EQ(packetizer.payload_count(), 2u);
  EXPECT_EQ(packetizer.payload(0).bytes, BytesView(slice1));
  EXPECT_FALSE(packetizer.payload(0).marker);
  EXPECT_EQ(packetizer.payload(1).bytes, BytesView(slice2));
  EXPECT_TRUE(packetizer.payload(1).marker);
}

TEST(H264Packetizer, LoneParameterSetIsASingleNalPacket) {
  const auto sei = make_nal(0x06, 20);
  const auto slice = make_nal(0x41, 100);
  H264Packetizer packetizer;
  ASSERT_TRUE(packetizer.packetize(make_au({sei, slice})).ok());
  ASSERT_EQ(packetizer.payload_count(), 2u);
  EXPECT_EQ(packetizer.payload(0).bytes, BytesView(sei));
}

TEST(H264Packetizer, ParameterSetsThatDoNotFitTogetherAreSplit) {
  H264PacketizerConfig config;
  config.max_payload_size = 100;
  const auto sps = make_nal(0x67, 60);
  const auto pps = make_nal(0x68, 30);
  const auto sei = make_nal(0x06, 30);
  H264Packetizer packetizer(config);
  ASSERT_TRUE(packetizer.packetize(make_au({sps, pps, sei, make_nal(0x65, 50)})).ok());
  // STAP-A(SPS, PPS) = 1+62+32 = 95; SEI alone; IDR alone.
  ASSERT_EQ(packetizer.payload_count(), 3u);
  EXPECT_EQ(packetizer.payload(0).bytes.size(), 95u);
  EXPECT_EQ(packetizer.payload(1).bytes, BytesView(sei));
}

TEST(H264Packetizer, AudKeptWhenConfigured) {
  H264PacketizerConfig config;
  config.drop_access_unit_delimiters = false;
  H264Packetizer packetizer(config);
  const auto aud = make_nal(0x09, 2);
  ASSERT_TRUE(packetizer.packetize(make_au({aud, make_nal(0x41, 50)})).ok());
  ASSERT_EQ(packetizer.payload_count(), 2u);
  // Alone before the slice: a single NAL unit packet, not a STAP-A of one.
  EXPECT_EQ(packetizer.payload(0).bytes, BytesView(aud));
  ASSERT_TRUE(
      packetizer.packetize(make_au({aud, make_nal(0x67, 8), make_nal(0x68, 4), make_nal(0x65, 50)})).ok());
  ASSERT_EQ(packetizer.payload_count(), 2u);
  EXPECT_EQ(packetizer.payload(0).bytes[0] & 0x1f, 24);  // STAP-A(AUD, SPS, PPS)
  EXPECT_EQ(packetizer.payload(0).bytes.size(), 1u + 4 + 10 + 6);
}

TEST(H264Packetizer, AudOnlyAccessUnitYieldsNothing) {
  H264Packetizer packetizer;
  ASSERT_TRUE(packetizer.packetize(make_au({make_nal(0x09, 2)})).ok());
  EXPECT_EQ(packetizer.payload_count(), 0u);
}

TEST(H264Packetizer, ErrPayloadBudgetTooSmall) {
  H264PacketizerConfig config;
  config.max_payload_size = 2;
  H264Packetizer packetizer(config);
  auto status = packetizer.packetize(make_au({make_nal(0x41, 50)}));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, kErrPayloadBudgetTooSmall);
}

TEST(H264Packetizer, TinyBudgetStillRoundTrips) {
  H264PacketizerConfig config;
  config.max_payload_size = 3;  // one data byte per FU-A
  H264Packetizer packetizer(config);
  const auto slice = make_nal(0x41, 10);
  ASSERT_TRUE(packetizer.packetize(make_au({slice})).ok());
  EXPECT_EQ(packetizer.payload_count(), 9u);
}

TEST(H264Packetizer, WritesRtpPacketsPerViewer) {
  H264Packetizer packetizer;
  ASSERT_TRUE(packetizer.packetize(make_au({make_nal(0x41, 2000)})).ok());
  ASSERT_EQ(packetizer.payload_count(), 2u);
  uint8_t buffer[1500];
  for (uint32_t viewer = 0; viewer < 2; ++viewer) {
    RtpHeader header;
    header.payload_type = static_cast<uint8_t>(96 + viewer);
    header.ssrc = 100 + viewer;
    header.timestamp = 9000;
    for (size_t i = 0; i < packetizer.payload_count(); ++i) {
      header.sequence_number = static_cast<uint16_t>(1000 * viewer + i);
      auto size = write_h264_rtp_packet(packetizer, i, header, buffer, sizeof(buffer));
      ASSERT_TRUE(size.ok());
      auto view = RtpPacketView::parse(BytesView(buffer, *size));
      ASSERT_TRUE(view.ok());
      EXPECT_EQ(view->header.ssrc, 100 + viewer);
      EXPECT_EQ(view->header.payload_type, 96 + viewer);
      EXPECT_EQ(view->header.marker, i + 1 == packetizer.payload_count());
      EXPECT_EQ(view->payload, packetizer.payload(i).bytes);
    }
  }
}

TEST(H264Packetizer, ReusesItsBuffersInSteadyState) {
  H264Packetizer packetizer;
  const auto big = make_au({make_nal(0x65, 60000)});
  const auto small = make_au({make_nal(0x41, 8000)});
  ASSERT_TRUE(packetizer.packetize(big).ok());
  const uint8_t* storage = packetizer.payload(0).bytes.data();
  ASSERT_TRUE(packetizer.packetize(small).ok());
  ASSERT_TRUE(packetizer.packetize(big).ok());
  // Same storage: the buffer kept its capacity, nothing was reallocated.
  EXPECT_EQ(packetizer.payload(0).bytes.data(), storage);
}

}  // namespace
}  // namespace picortc::rtp
