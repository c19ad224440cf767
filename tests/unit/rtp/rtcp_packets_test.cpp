// One annotated vector per RTCP packet type: parse, check the fields,
// marshal back to the same bytes; then the named failures of each type.
#include <gtest/gtest.h>

#include <vector>

#include "rtp/rtcp_bye.hpp"
#include "rtp/rtcp_fir.hpp"
#include "rtp/rtcp_nack.hpp"
#include "rtp/rtcp_pli.hpp"
#include "rtp/rtcp_receiver_report.hpp"
#include "rtp/rtcp_remb.hpp"
#include "rtp/rtcp_sdes.hpp"
#include "rtp/rtcp_sender_report.hpp"

namespace picortc::rtp {
namespace {

using Bytes = std::vector<uint8_t>;

// A sender report with one report block (the shape of a capture from
// Chrome, as in pion/rtcp's tests).
const Bytes kSenderReport = {
    0x81, 0xc8, 0x00, 0x0c,                          // V=2 RC=1 | PT=SR | length 12 (52 bytes)
    0x90, 0x2f, 0x9e, 0x2e,                          // SSRC of sender
    0xda, 0x8b, 0xd1, 0xfc, 0xdd, 0xdd, 0xa0, 0x5a,  // NTP timestamp
    0xaa, 0xf4, 0xed, 0xd5,                          // RTP timestamp
    0x00, 0x00, 0x00, 0x01,                          // sender's packet count 1
    0x00, 0x00, 0x00, 0x02,                          // sender's octet count 2
    0xbc, 0x5e, 0x9a, 0x40,                          // block: SSRC
    0x00, 0x00, 0x00, 0x00,                          // fraction lost 0, cumulative 0
    0x00, 0x00, 0x46, 0xe1,                          // extended highest seq 0x46e1
    0x00, 0x00, 0x01, 0x11,                          // jitter 273
    0x09, 0xf3, 0x64, 0x32,                          // LSR
    0x00, 0x02, 0x4a, 0x79,                          // DLSR 150137
};

// A receiver report; cumulative lost is negative (duplicates, RFC 3550 §6.4.1).
const Bytes kReceiverReport = {
    0x81, 0xc9, 0x00, 0x07,  // V=2 RC=1 | PT=RR | length 7 (32 bytes)
    0x00, 0x00, 0x00, 0x01,  // SSRC of packet sender
    0x00, 0x00, 0x00, 0x02,  // block: SSRC
    0x40, 0xff, 0xff, 0xfe,  // fraction lost 64/256 | cumulative lost -2
    0x00, 0x01, 0x00, 0x10,  // extended highest seq: cycle 1, seq 16
    0x00, 0x00, 0x00, 0x20,  // jitter 32
    0x11, 0x22, 0x33, 0x44,  // LSR
    0x00, 0x00, 0x10, 0x00,  // DLSR
};

// SDES with one chunk holding a CNAME; the 16 bytes of SSRC+item are
// already aligned, so 4 null octets end the list.
const Bytes kSdes = {
    0x81, 0xca, 0x00, 0x05,  // V=2 SC=1 | PT=SDES | length 5 (24 bytes)
    0x12, 0x34, 0x56, 0x78,  // SSRC
    0x01, 0x0a,              // CNAME, 10 bytes
    'p',  'i',  'c',  'o',  'r', 't', 'c', '-', 'a', 'b', 0x00, 0x00, 0x00, 0x00,  // end of list + padding
};

// BYE with one SSRC and a reason.
const Bytes kBye = {
    0x81, 0xcb, 0x00, 0x02,  // V=2 SC=1 | PT=BYE | length 2 (12 bytes)
    0x12, 0x34, 0x56, 0x78,  // SSRC
    0x03, 'b',  'y',  'e',   // reason length 3, "bye"
};

// Generic NACK: PID 100, BLP 0b101 -> 100, 101, 103 lost.
const Bytes kNack = {
    0x81, 0xcd, 0x00, 0x03,  // V=2 FMT=1 | PT=RTPFB | length 3
    0x00, 0x00, 0x00, 0x01,  // SSRC of packet sender
    0x00, 0x00, 0x00, 0x02,  // SSRC of media source
    0x00, 0x64, 0x00, 0x05,  // PID 100 | BLP 0x0005
};

const Bytes kPli = {
    0x81, 0xce, 0x00, 0x02,  // V=2 FMT=1 | PT=PSFB | length 2
    0x00, 0x00, 0x00, 0x01,  // SSRC of packet sender
    0x00, 0x00, 0x00, 0x02,  // SSRC of media source
};

const Bytes kFir = {
    0x84, 0xce, 0x00, 0x04,  // V=2 FMT=4 | PT=PSFB | length 4
    0x00, 0x00, 0x00, 0x01,  // SSRC of packet sender
    0x00, 0x00, 0x00, 0x00,  // SSRC of media source: 0 (RFC 5104 §4.3.1.2)
    0x00, 0x00, 0x00, 0x02,  // FCI: SSRC of the media sender asked for a keyframe
    0x05, 0x00, 0x00, 0x00,  // Seq nr. 5 | reserved
};

const Bytes kRemb = {
    0x8f, 0xce, 0x00, 0x05,  // V=2 FMT=15 | PT=PSFB | length 5
    0x00, 0x00, 0x00, 0x01,  // SSRC of packet sender
    0x00, 0x00, 0x00, 0x00,  // SSRC of media source (unused, 0)
    'R',  'E',  'M',  'B',   // unique identifier
    0x01, 0x0b, 0xfb, 0x93,  // Num SSRC 1 | BR Exp 2 | BR Mantissa 0x3fb93 -> 1044044 bps
    0x00, 0x00, 0x00, 0x02,  // SSRC feedback
};

template <typename T>
T parse_ok(const Bytes& bytes) {
  auto parsed = T::parse(BytesView(bytes));
  EXPECT_TRUE(parsed.ok()) << parsed.error().message();
  if (!parsed.ok()) return T{};
  EXPECT_EQ(parsed->marshal_size(), bytes.size());
  auto out = parsed->marshal();
  EXPECT_TRUE(out.ok()) << out.error().message();
  if (out.ok()) {
    EXPECT_EQ(*out, bytes);
  }
  return *parsed;
}

template <typename T>
Error parse_fails(const Bytes& bytes) {
  auto parsed = T::parse(BytesView(bytes));
  EXPECT_FALSE(parsed.ok());
  return parsed.ok() ? Error{} : parsed.error();
}

TEST(RtcpSenderReport, ParseFieldsAndRoundTrip) {
  auto sr = parse_ok<SenderReport>(kSenderReport);
  EXPECT_EQ(sr.ssrc, 0x902f9e2eu);
  EXPECT_EQ(sr.ntp_timestamp, 0xda8bd1fcdddda05aull);
  EXPECT_EQ(sr.rtp_timestamp, 0xaaf4edd5u);
  EXPECT_EQ(sr.packet_count, 1u);
  EXPECT_EQ(sr.octet_count, 2u);
  ASSERT_EQ(sr.reports.size(), 1u);
  EXPECT_EQ(sr.reports[0].ssrc, 0xbc5e9a40u);
  EXPECT_EQ(sr.reports[0].extended_highest_sequence, 0x46e1u);
  EXPECT_EQ(sr.reports[0].jitter, 273u);
  EXPECT_EQ(sr.reports[0].last_sender_report, 0x9f36432u);
  EXPECT_EQ(sr.reports[0].delay_since_last_sender_report, 150137u);
}

TEST(RtcpSenderReport, ErrBodyTooShortForReportCount) {
  Bytes bytes(kSenderReport);
  bytes[0] = 0x82;  // RC=2, one block present
  EXPECT_EQ(parse_fails<SenderReport>(bytes).code, kErrRtcpBodyTooShort);
  const Bytes header_only = {0x80, 0xc8, 0x00, 0x01, 0, 0, 0, 1};
  EXPECT_EQ(parse_fails<SenderReport>(header_only).code, kErrRtcpBodyTooShort);
}

TEST(RtcpSenderReport, ErrTooManyReportBlocksOnMarshal) {
  SenderReport sr;
  sr.reports.resize(32);
  EXPECT_EQ(sr.marshal().error().code, kErrRtcpCountTooLarge);
}

TEST(RtcpReceiverReport, NegativeCumulativeLost) {
  auto rr = parse_ok<ReceiverReport>(kReceiverReport);
  EXPECT_EQ(rr.ssrc, 1u);
  ASSERT_EQ(rr.reports.size(), 1u);
  EXPECT_EQ(rr.reports[0].fraction_lost, 64);
  EXPECT_EQ(rr.reports[0].cumulative_lost, -2);
  EXPECT_EQ(rr.reports[0].extended_highest_sequence, 0x10010u);
}

TEST(RtcpReceiverReport, PaddingIsRemoved) {
  Bytes padded(kReceiverReport);
  padded[0] |= 0x20;  // P=1
  padded[3] = 0x08;   // one more word
  padded.insert(padded.end(), {0x00, 0x00, 0x00, 0x04});
  auto rr = ReceiverReport::parse(BytesView(padded));
  ASSERT_TRUE(rr.ok()) << rr.error().message();
  EXPECT_EQ(*rr, *ReceiverReport::parse(BytesView(kReceiverReport)));
  EXPECT_EQ(*rr->marshal(), kReceiverReport);
}

TEST(RtcpReceiverReport, ErrPaddingInvalid) {
  Bytes padded(kReceiverReport);
  padded[0] |= 0x20;
  padded[3] = 0x08;
  padded.insert(padded.end(), {0x00, 0x00, 0x00, 0x00});  // count 0
  EXPECT_EQ(parse_fails<ReceiverReport>(padded).code, kErrRtcpPaddingInvalid);
  padded.back() = 0xff;  // past the body
  EXPECT_EQ(parse_fails<ReceiverReport>(padded).code, kErrRtcpPaddingInvalid);
  padded.back() = 0x03;  // not whole words
  EXPECT_EQ(parse_fails<ReceiverReport>(padded).code, kErrRtcpPaddingInvalid);
}

TEST(RtcpHeader, NamedFailures) {
  EXPECT_EQ(parse_fails<ReceiverReport>({0x81, 0xc9, 0x00}).code, kErrRtcpTooShort);
  Bytes bad_version(kReceiverReport);
  bad_version[0] = 0x41;
  EXPECT_EQ(parse_fails<ReceiverReport>(bad_version).code, kErrRtcpBadVersion);
  Bytes past(kReceiverReport);
  past[3] = 0x08;  // 36 bytes declared, 32 present
  EXPECT_EQ(parse_fails<ReceiverReport>(past).code, kErrRtcpLengthPastBuffer);
  Bytes trailing(kReceiverReport);
  trailing.insert(trailing.end(), {0, 0, 0, 0});
  EXPECT_EQ(parse_fails<ReceiverReport>(trailing).code, kErrRtcpTrailingBytes);
  EXPECT_EQ(parse_fails<ReceiverReport>(kSenderReport).code, kErrRtcpWrongType);
  EXPECT_EQ(parse_fails<Pli>(kFir).code, kErrRtcpWrongType);
}

TEST(RtcpSdes, CnameChunk) {
  auto sdes = parse_ok<Sdes>(kSdes);
  ASSERT_EQ(sdes.chunks.size(), 1u);
  EXPECT_EQ(sdes.chunks[0].ssrc, 0x12345678u);
  ASSERT_EQ(sdes.chunks[0].items.size(), 1u);
  EXPECT_EQ(sdes.chunks[0].items[0].type, kSdesCname);
  EXPECT_EQ(BytesView(sdes.chunks[0].items[0].text).as_string_view(), "picortc-ab");
}

TEST(RtcpSdes, UnalignedItemsGetOneToFourNulls) {
  Sdes sdes;
  sdes.chunks.push_back(SdesChunk{7, {SdesItem{kSdesCname, {'a'}}}});           // 4+3 -> 1 null
  sdes.chunks.push_back(SdesChunk{8, {SdesItem{kSdesTool, {'a', 'b', 'c'}}}});  // 4+5 -> 3 nulls
  auto bytes = sdes.marshal();
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), 4u + 8 + 12);
  auto back = Sdes::parse(BytesView(*bytes));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, sdes);
}

TEST(RtcpSdes, ErrItemPastEndAndUnterminated) {
  Bytes bytes(kSdes);
  bytes[9] = 0x20;  // CNAME of 32 bytes
  EXPECT_EQ(parse_fails<Sdes>(bytes).code, kErrRtcpBodyTooShort);
  Bytes unterminated = {
      0x81, 0xca, 0x00, 0x02,  // SC=1, 12 bytes
      0x00, 0x00, 0x00, 0x01,  // SSRC
      0x01, 0x02, 'a',  'b',   // CNAME "ab", then no null octet
  };
  EXPECT_EQ(parse_fails<Sdes>(unterminated).code, kErrRtcpBodyTooShort);
  Bytes extra(kSdes);
  extra[3] = 0x06;
  extra.insert(extra.end(), {0, 0, 0, 0});  // a word after the only chunk
  EXPECT_EQ(parse_fails<Sdes>(extra).code, kErrRtcpLengthMismatch);
}

TEST(RtcpBye, SsrcAndReason) {
  auto bye = parse_ok<Bye>(kBye);
  EXPECT_EQ(bye.ssrcs, std::vector<uint32_t>{0x12345678});
  EXPECT_EQ(BytesView(bye.reason).as_string_view(), "bye");
  const Bytes without_reason = {0x82, 0xcb, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
  auto two = parse_ok<Bye>(without_reason);
  EXPECT_EQ(two.ssrcs, (std::vector<uint32_t>{1, 2}));
}

TEST(RtcpBye, ErrReasonPastEnd) {
  Bytes bytes(kBye);
  bytes[8] = 0x09;
  EXPECT_EQ(parse_fails<Bye>(bytes).code, kErrRtcpBodyTooShort);
  Bytes too_many(kBye);
  too_many[0] = 0x83;  // SC=3
  EXPECT_EQ(parse_fails<Bye>(too_many).code, kErrRtcpBodyTooShort);
}

TEST(RtcpNack, PairsAndLostList) {
  auto nack = parse_ok<Nack>(kNack);
  EXPECT_EQ(nack.sender_ssrc, 1u);
  EXPECT_EQ(nack.media_ssrc, 2u);
  ASSERT_EQ(nack.pairs.size(), 1u);
  EXPECT_EQ(nack.lost_sequence_numbers(), (std::vector<uint16_t>{100, 101, 103}));
}

TEST(RtcpNack, BuildFromLostAcrossWrapAround) {
  // Unordered, with a duplicate, across 65535 -> 0.
  const std::vector<uint16_t> lost = {0, 65534, 1, 65535, 0, 20, 36};
  auto pairs = Nack::pairs_from_lost(lost);
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].packet_id, 65534);
  EXPECT_EQ(pairs[0].lost_bitmask, 0b111);  // 65535, 0, 1
  EXPECT_EQ(pairs[1].packet_id, 20);
  EXPECT_EQ(pairs[1].lost_bitmask, 0x8000);  // 36 = 20 + 15 + 1: the last bit
  Nack nack;
  nack.pairs = pairs;
  EXPECT_EQ(nack.lost_sequence_numbers(), (std::vector<uint16_t>{65534, 65535, 0, 1, 20, 36}));
  EXPECT_TRUE(Nack::pairs_from_lost({}).empty());
  // 17 apart: no longer fits the bitmask.
  EXPECT_EQ(Nack::pairs_from_lost({20, 37}).size(), 2u);
}

TEST(RtcpNack, ErrNoRoomForSsrcs) {
  const Bytes bytes = {0x81, 0xcd, 0x00, 0x01, 0, 0, 0, 1};
  EXPECT_EQ(parse_fails<Nack>(bytes).code, kErrRtcpBodyTooShort);
}

TEST(RtcpPli, RoundTripAndErrFci) {
  auto pli = parse_ok<Pli>(kPli);
  EXPECT_EQ(pli.sender_ssrc, 1u);
  EXPECT_EQ(pli.media_ssrc, 2u);
  Bytes with_fci(kPli);
  with_fci[3] = 0x03;
  with_fci.insert(with_fci.end(), {0, 0, 0, 0});
  EXPECT_EQ(parse_fails<Pli>(with_fci).code, kErrRtcpLengthMismatch);
}

TEST(RtcpFir, EntryAndErrHalfEntry) {
  auto fir = parse_ok<Fir>(kFir);
  EXPECT_EQ(fir.sender_ssrc, 1u);
  EXPECT_EQ(fir.media_ssrc, 0u);
  ASSERT_EQ(fir.entries.size(), 1u);
  EXPECT_EQ(fir.entries[0].ssrc, 2u);
  EXPECT_EQ(fir.entries[0].sequence_number, 5);
  Bytes half(kFir.begin(), kFir.end() - 4);
  half[3] = 0x03;
  EXPECT_EQ(parse_fails<Fir>(half).code, kErrRtcpLengthMismatch);
}

TEST(RtcpRemb, BitrateAndSsrcs) {
  auto remb = parse_ok<Remb>(kRemb);
  EXPECT_EQ(remb.sender_ssrc, 1u);
  EXPECT_EQ(remb.bitrate_bps, 0x3fb93ull << 2);
  EXPECT_EQ(remb.ssrcs, std::vector<uint32_t>{2});
}

TEST(RtcpRemb, LargeBitrateRoundTrips) {
  Remb remb;
  remb.bitrate_bps = 0x3ffffull << 40;  // needs the exponent
  remb.ssrcs = {9, 10};
  auto bytes = remb.marshal();
  ASSERT_TRUE(bytes.ok());
  auto back = Remb::parse(BytesView(*bytes));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, remb);
}

TEST(RtcpRemb, NamedFailures) {
  Bytes count_mismatch(kRemb);
  count_mismatch[16] = 0x02;  // 2 SSRCs announced, 1 present
  EXPECT_EQ(parse_fails<Remb>(count_mismatch).code, kErrRtcpLengthMismatch);
  Bytes overflow(kRemb);
  overflow[17] = 0xff;  // exponent 63 with a large mantissa
  EXPECT_EQ(parse_fails<Remb>(overflow).code, kErrRembBitrateOverflow);
  Bytes not_remb(kRemb);
  not_remb[12] = 'X';
  EXPECT_EQ(parse_fails<Remb>(not_remb).code, kErrRtcpWrongType);
  Bytes cut = {0x8f, 0xce, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 0, 'R', 'E', 'M', 'B'};
  EXPECT_EQ(parse_fails<Remb>(cut).code, kErrRtcpBodyTooShort);
}

}  // namespace
}  // namespace picortc::rtp
