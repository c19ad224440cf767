#include "rtp/rtcp_compound.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace picortc::rtp {
namespace {

using Bytes = std::vector<uint8_t>;

// RR + SDES + an RTPFB we do not interpret (transport-wide CC, FMT=15) +
// PLI, the shape of a browser's compound feedback.
const Bytes kCompound = {
    // Receiver report, no blocks.
    0x80, 0xc9, 0x00, 0x01,  // V=2 RC=0 | PT=RR | length 1
    0x00, 0x00, 0x00, 0x01,  // SSRC
    // SDES, one chunk with CNAME "ab".
    0x81, 0xca, 0x00, 0x03,  // V=2 SC=1 | PT=SDES | length 3
    0x00, 0x00, 0x00, 0x01,  // SSRC
    0x01, 0x02, 'a', 'b',    // CNAME "ab"
    0x00, 0x00, 0x00, 0x00,  // end of items + padding
    // Transport-wide CC feedback: opaque to this module.
    0x8f, 0xcd, 0x00, 0x04,  // V=2 FMT=15 | PT=RTPFB | length 4
    0x00, 0x00, 0x00, 0x01,  // SSRC of packet sender
    0x00, 0x00, 0x00, 0x02,  // SSRC of media source
    0x00, 0x05, 0x00, 0x01,  // base seq 5, status count 1
    0x00, 0x00, 0x00, 0x00,  // reference time, fb count ...
    // PLI
    0x81, 0xce, 0x00, 0x02,  // V=2 FMT=1 | PT=PSFB | length 2
    0x00, 0x00, 0x00, 0x01,  // SSRC of packet sender
    0x00, 0x00, 0x00, 0x02,  // SSRC of media source
};

TEST(RtcpCompound, ParsesEveryTypeAndKeepsUnknownOpaque) {
  auto packets = parse_rtcp_compound(BytesView(kCompound));
  ASSERT_TRUE(packets.ok()) << packets.error().message();
  ASSERT_EQ(packets->size(), 4u);
  ASSERT_TRUE(std::holds_alternative<ReceiverReport>((*packets)[0]));
  EXPECT_EQ(std::get<ReceiverReport>((*packets)[0]).ssrc, 1u);
  ASSERT_TRUE(std::holds_alternative<Sdes>((*packets)[1]));
  ASSERT_TRUE(std::holds_alternative<RtcpOpaque>((*packets)[2]));
  const auto& opaque = std::get<RtcpOpaque>((*packets)[2]);
  EXPECT_EQ(opaque.type, kRtcpTransportFeedback);
  EXPECT_EQ(opaque.count, 15);
  EXPECT_EQ(opaque.body.size(), 16u);
  ASSERT_TRUE(std::holds_alternative<Pli>((*packets)[3]));
  EXPECT_EQ(std::get<Pli>((*packets)[3]).media_ssrc, 2u);

  EXPECT_EQ(rtcp_compound_marshal_size(*packets), kCompound.size());
  auto out = marshal_rtcp_compound(*packets);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, kCompound);
}

TEST(RtcpCompound, BuildsSenderSideCompound) {
  SenderReport sr;
  sr.ssrc = 0x1234;
  sr.ntp_timestamp = 0x0102030405060708ull;
  sr.rtp_timestamp = 90000;
  sr.packet_count = 10;
  sr.octet_count = 12000;
  Sdes sdes;
  sdes.chunks.push_back(SdesChunk{0x1234, {SdesItem{kSdesCname, {'c', 'a', 'm'}}}});
  Nack nack;
  nack.sender_ssrc = 1;
  nack.media_ssrc = 0x1234;
  nack.pairs = Nack::pairs_from_lost({65535, 0, 2});
  Remb remb;
  remb.bitrate_bps = 2500000;
  remb.ssrcs = {0x1234};
  Fir fir;
  fir.sender_ssrc = 1;
  fir.entries = {FirEntry{0x1234, 7}};
  Bye bye;
  bye.ssrcs = {0x1234};
  std::vector<RtcpPacket> packets = {sr, sdes, nack, remb, fir, bye};
  auto bytes = marshal_rtcp_compound(packets);
  ASSERT_TRUE(bytes.ok());
  auto back = parse_rtcp_compound(BytesView(*bytes));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, packets);
}

TEST(RtcpCompound, PaddingOnTheLastPacket) {
  Bytes padded(kCompound);
  const size_t pli = padded.size() - 12;
  padded[pli] |= 0x20;  // P=1
  padded[pli + 3] = 3;  // length 3: 8 bytes of body + 4 of padding
  padded.insert(padded.end(), {0x00, 0x00, 0x00, 0x04});
  auto packets = parse_rtcp_compound(BytesView(padded));
  ASSERT_TRUE(packets.ok()) << packets.error().message();
  EXPECT_EQ(*packets, *parse_rtcp_compound(BytesView(kCompound)));
}

TEST(RtcpCompound, ErrLengthFieldPastBuffer) {
  Bytes bytes(kCompound);
  bytes[27] = 0x40;  // the opaque packet claims 260 bytes
  auto packets = parse_rtcp_compound(BytesView(bytes));
  ASSERT_FALSE(packets.ok());
  EXPECT_EQ(packets.error().code, kErrRtcpLengthPastBuffer);
  Bytes cut(kCompound.begin(), kCompound.end() - 2);
  EXPECT_EQ(parse_rtcp_compound(BytesView(cut)).error().code, kErrRtcpLengthPastBuffer);
}

TEST(RtcpCompound, ErrTrailingGarbage) {
  Bytes bytes(kCompound);
  bytes.push_back(0x80);  // 1 byte: not even a header
  EXPECT_EQ(parse_rtcp_compound(BytesView(bytes)).error().code, kErrRtcpTooShort);
  Bytes version(kCompound);
  version[8] = 0x01;  // second packet has version 0
  EXPECT_EQ(parse_rtcp_compound(BytesView(version)).error().code, kErrRtcpBadVersion);
}

TEST(RtcpCompound, ErrMalformedKnownTypeFailsTheCompound) {
  Bytes bytes(kCompound);
  bytes[17] = 0x09;  // CNAME length past the SDES packet
  EXPECT_EQ(parse_rtcp_compound(BytesView(bytes)).error().code, kErrRtcpBodyTooShort);
  EXPECT_EQ(parse_rtcp_compound(BytesView()).error().code, kErrRtcpEmpty);
}

}  // namespace
}  // namespace picortc::rtp
