#include "ipc/ingest_stream_decoder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "ipc_test_util.hpp"

namespace picortc::ipc {
namespace {

using test::concat_annexb;
using test::make_access_units;

std::vector<uint8_t> framed_stream(const std::vector<h264::AccessUnit>& aus) {
  std::vector<uint8_t> out;
  for (const auto& au : aus) {
    std::vector<uint8_t> message =
        marshal_access_unit_message(au.annexb(), au.timestamp_us, au.is_keyframe());
    out.insert(out.end(), message.begin(), message.end());
  }
  return out;
}

struct Collected {
  std::vector<h264::AccessUnit> aus;
  IngestStreamDecoder::AccessUnitCallback callback() {
    return [this](h264::AccessUnit&& au) { aus.push_back(std::move(au)); };
  }
};

// Pushes `bytes` in chunks of `chunk` bytes, the i-th chunk arriving at
// time 1000 * (i + 1).
Status push_in_chunks(IngestStreamDecoder& decoder, const std::vector<uint8_t>& bytes, size_t chunk,
                      Collected& out) {
  auto callback = out.callback();
  int64_t now = 0;
  for (size_t pos = 0; pos < bytes.size(); pos += chunk) {
    now += 1000;
    Status pushed = decoder.push(BytesView(bytes).subview(pos, chunk), now, callback);
    if (!pushed) return pushed;
  }
  return {};
}

void expect_same_access_units(const std::vector<h264::AccessUnit>& got,
                              const std::vector<h264::AccessUnit>& want, bool compare_timestamps) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_TRUE(got[i] == want[i]) << "access unit " << i;
    if (compare_timestamps) {
      EXPECT_EQ(got[i].timestamp_us, want[i].timestamp_us) << "access unit " << i;
    }
    EXPECT_EQ(got[i].annexb(), want[i].annexb()) << "access unit " << i;
  }
}

class FramedChunks : public ::testing::TestWithParam<size_t> {};

TEST_P(FramedChunks, AccessUnitsArriveWithTimestampsWhateverTheChunking) {
  auto aus = make_access_units(12);
  IngestStreamDecoder decoder;
  Collected out;
  ASSERT_TRUE(push_in_chunks(decoder, framed_stream(aus), GetParam(), out).ok());
  // Framed access units are emitted as soon as their payload is complete.
  expect_same_access_units(out.aus, aus, true);
  EXPECT_EQ(decoder.framing(), IngestFraming::kFramed);
  IngestDecoderStats stats = decoder.stats();
  EXPECT_EQ(stats.access_units, aus.size());
  EXPECT_EQ(stats.garbage_bytes, 0u);
  EXPECT_EQ(stats.keyframe_flag_mismatches, 0u);
  decoder.finish(out.callback());
  EXPECT_EQ(decoder.stats().partial_access_units, 0u);
}

INSTANTIATE_TEST_SUITE_P(IngestStreamDecoder, FramedChunks,
                         ::testing::Values(1, 3, 19, 20, 21, 4096, 1 << 20));

class RawChunks : public ::testing::TestWithParam<size_t> {};

TEST_P(RawChunks, AccessUnitsArriveWhateverTheChunkingAndTheLastIsHeldBack) {
  auto aus = make_access_units(12);
  IngestStreamDecoder decoder;
  Collected out;
  ASSERT_TRUE(push_in_chunks(decoder, concat_annexb(aus), GetParam(), out).ok());
  EXPECT_EQ(decoder.framing(), IngestFraming::kRaw);
  // Until the stream ends, the last access unit may still grow.
  decoder.finish(out.callback());
  std::vector<h264::AccessUnit> want(aus.begin(), aus.end() - 1);
  expect_same_access_units(out.aus, want, false);
  IngestDecoderStats stats = decoder.stats();
  EXPECT_EQ(stats.partial_access_units, 1u);
  EXPECT_EQ(stats.garbage_bytes, 0u);
}

INSTANTIATE_TEST_SUITE_P(IngestStreamDecoder, RawChunks, ::testing::Values(1, 2, 3, 5, 1000, 65536, 1 << 20));

TEST(IngestStreamDecoder, RawStreamEndingWithAnAccessUnitDelimiterDeliversTheLastAccessUnit) {
  auto aus = make_access_units(7);
  std::vector<uint8_t> bytes = concat_annexb(aus);
  const uint8_t aud[] = {0, 0, 0, 1, 0x09, 0xf0};
  bytes.insert(bytes.end(), aud, aud + sizeof aud);
  IngestStreamDecoder decoder;
  Collected out;
  ASSERT_TRUE(push_in_chunks(decoder, bytes, 777, out).ok());
  decoder.finish(out.callback());
  expect_same_access_units(out.aus, aus, false);
  EXPECT_EQ(decoder.stats().partial_access_units, 0u);
}

TEST(IngestStreamDecoder, RawTimestampsAreTheArrivalOfTheFirstStartCode) {
  auto aus = make_access_units(4, 5, 500);
  IngestStreamDecoder decoder;
  Collected out;
  auto callback = out.callback();
  // One access unit per chunk, each at its own arrival time.
  for (size_t i = 0; i < aus.size(); ++i) {
    ASSERT_TRUE(decoder.push(aus[i].annexb(), 5000 * static_cast<int64_t>(i + 1), callback).ok());
  }
  // A raw access unit is known complete only once the NAL unit after it is
  // complete too: the splitter needs the next start code, the assembler the
  // next NAL unit. With one NAL unit per access unit that is two behind.
  EXPECT_EQ(out.aus.size(), aus.size() - 2);
  const uint8_t aud[] = {0, 0, 0, 1, 0x09, 0xf0};
  ASSERT_TRUE(decoder.push(BytesView(aud, sizeof aud), 99999, callback).ok());
  decoder.finish(callback);
  ASSERT_EQ(out.aus.size(), aus.size());
  for (size_t i = 0; i < out.aus.size(); ++i) {
    EXPECT_TRUE(out.aus[i] == aus[i]) << "access unit " << i;
    EXPECT_EQ(out.aus[i].timestamp_us, 5000 * static_cast<int64_t>(i + 1)) << "access unit " << i;
  }
}

TEST(IngestStreamDecoder, GarbageBeforeARawStreamIsSkippedAndCounted) {
  auto aus = make_access_units(6);
  // Looks almost like both sync patterns: "PRT" then a wrong byte, zeros
  // without the 01.
  std::vector<uint8_t> garbage = {'h', 'e', 'l', 'l', 'o', 'P', 'R', 'T', 'X', 0, 0, 2, 0, 'P', 0xff};
  std::vector<uint8_t> bytes = garbage;
  std::vector<uint8_t> stream = concat_annexb(aus);
  bytes.insert(bytes.end(), stream.begin(), stream.end());
  for (size_t chunk : {size_t{1}, size_t{4}, size_t{4096}}) {
    IngestStreamDecoder decoder;
    Collected out;
    ASSERT_TRUE(push_in_chunks(decoder, bytes, chunk, out).ok());
    decoder.finish(out.callback());
    EXPECT_EQ(decoder.stats().garbage_bytes, garbage.size()) << "chunk " << chunk;
    std::vector<h264::AccessUnit> want(aus.begin(), aus.end() - 1);
    expect_same_access_units(out.aus, want, false);
  }
}

TEST(IngestStreamDecoder, LeadingZerosBeforeTheFirstStartCodeAreNotGarbage) {
  auto aus = make_access_units(3);
  std::vector<uint8_t> bytes(9, 0);  // leading_zero_8bits, then 00 00 00 01
  std::vector<uint8_t> stream = concat_annexb(aus);
  bytes.insert(bytes.end(), stream.begin(), stream.end());
  IngestStreamDecoder decoder;
  Collected out;
  ASSERT_TRUE(push_in_chunks(decoder, bytes, 2, out).ok());
  EXPECT_EQ(decoder.stats().garbage_bytes, 0u);
  EXPECT_EQ(decoder.framing(), IngestFraming::kRaw);
  ASSERT_GE(out.aus.size(), 1u);
  EXPECT_TRUE(out.aus[0] == aus[0]);
}

TEST(IngestStreamDecoder, GarbageBeforeAFramedStreamIsSkippedAndCounted) {
  auto aus = make_access_units(4);
  std::vector<uint8_t> bytes = {'P', 'P', 'R', 'P', 'R', 'T', 'P', 7};
  std::vector<uint8_t> stream = framed_stream(aus);
  bytes.insert(bytes.end(), stream.begin(), stream.end());
  IngestStreamDecoder decoder;
  Collected out;
  ASSERT_TRUE(push_in_chunks(decoder, bytes, 3, out).ok());
  EXPECT_EQ(decoder.stats().garbage_bytes, 8u);
  expect_same_access_units(out.aus, aus, true);
}

TEST(IngestStreamDecoder, NoSyncPatternRefusesTheStream) {
  IngestStreamDecoder decoder(kIngestMaxPayloadSize, 1000);
  Collected out;
  std::vector<uint8_t> garbage(999, 0x42);
  ASSERT_TRUE(decoder.push(BytesView(garbage), 1, out.callback()).ok());
  Status refused = decoder.push(BytesView(garbage), 2, out.callback());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, kErrNoSync);
  EXPECT_TRUE(decoder.failed());
  // Sticky until reset, even when a valid stream follows.
  auto aus = make_access_units(2);
  Status again = decoder.push(BytesView(framed_stream(aus)), 3, out.callback());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, kErrNoSync);
  EXPECT_TRUE(out.aus.empty());
  EXPECT_EQ(decoder.stats().protocol_errors, 1u);
  decoder.reset();
  EXPECT_TRUE(decoder.push(BytesView(framed_stream(aus)), 4, out.callback()).ok());
  EXPECT_EQ(out.aus.size(), 2u);
}

struct FramedError {
  const char* name;
  size_t byte_index;  // in the second message's header
  uint8_t value;
  std::string_view code;
};

class FramedErrors : public ::testing::TestWithParam<FramedError> {};

TEST_P(FramedErrors, AreFatalAndNothingAfterThemIsEmitted) {
  auto aus = make_access_units(3);
  std::vector<uint8_t> first = marshal_access_unit_message(aus[0].annexb(), 1, true);
  std::vector<uint8_t> second = marshal_access_unit_message(aus[1].annexb(), 2, false);
  second[GetParam().byte_index] = GetParam().value;
  std::vector<uint8_t> third = marshal_access_unit_message(aus[2].annexb(), 3, false);
  std::vector<uint8_t> bytes = first;
  bytes.insert(bytes.end(), second.begin(), second.end());
  bytes.insert(bytes.end(), third.begin(), third.end());

  IngestStreamDecoder decoder;
  Collected out;
  Status pushed = decoder.push(BytesView(bytes), 1, out.callback());
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.error().code, GetParam().code);
  ASSERT_EQ(out.aus.size(), 1u);
  EXPECT_TRUE(out.aus[0] == aus[0]);
  decoder.finish(out.callback());
  EXPECT_EQ(decoder.stats().partial_access_units, 0u);  // refused, not truncated
  EXPECT_EQ(decoder.stats().protocol_errors, 1u);
}

INSTANTIATE_TEST_SUITE_P(IngestStreamDecoder, FramedErrors,
                         ::testing::Values(FramedError{"BadMagic", 1, 'X', kErrBadMagic},
                                           FramedError{"UnsupportedVersion", 4, 2, kErrUnsupportedVersion},
                                           FramedError{"PayloadTooLarge", 19, 0x01, kErrPayloadTooLarge}),
                         [](const ::testing::TestParamInfo<FramedError>& param_info) {
                           return param_info.param.name;
                         });

TEST(IngestStreamDecoder, PayloadLimitIsConfigurable) {
  auto aus = make_access_units(1, 5, 5000);
  IngestStreamDecoder decoder(1000);
  Collected out;
  Status pushed = decoder.push(BytesView(framed_stream(aus)), 1, out.callback());
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.error().code, kErrPayloadTooLarge);
}

// A limit past the 32-bit payload_size field (here 4 GiB) means "whatever
// the header can say": it must not be cut to 32 bits (0) and refuse everything.
TEST(IngestStreamDecoder, PayloadLimitOfFourGigabytesAcceptsAccessUnits) {
  // A 32-bit size_t cannot hold such a limit (its largest value is the
  // field's own maximum), so there is nothing to cut there.
  if (sizeof(size_t) <= sizeof(uint32_t)) GTEST_SKIP() << "size_t is 32 bits";
  auto aus = make_access_units(3);
  IngestStreamDecoder decoder(static_cast<size_t>(uint64_t{1} << 32));
  Collected out;
  Status pushed = push_in_chunks(decoder, framed_stream(aus), 4096, out);
  ASSERT_TRUE(pushed.ok()) << pushed.error().message();
  expect_same_access_units(out.aus, aus, true);
  EXPECT_EQ(decoder.stats().protocol_errors, 0u);
}

TEST(IngestStreamDecoder, FramedStreamTruncatedInThePayloadDiscardsThePartialAccessUnit) {
  auto aus = make_access_units(3);
  std::vector<uint8_t> bytes = framed_stream(aus);
  bytes.resize(bytes.size() - 10);
  IngestStreamDecoder decoder;
  Collected out;
  ASSERT_TRUE(push_in_chunks(decoder, bytes, 1000, out).ok());
  decoder.finish(out.callback());
  expect_same_access_units(out.aus, std::vector<h264::AccessUnit>(aus.begin(), aus.end() - 1), true);
  EXPECT_EQ(decoder.stats().partial_access_units, 1u);
}

TEST(IngestStreamDecoder, FramedStreamTruncatedInTheHeaderDiscardsThePartialAccessUnit) {
  auto aus = make_access_units(2);
  std::vector<uint8_t> bytes = framed_stream(aus);
  bytes.resize(marshal_access_unit_message(aus[0].annexb(), 0, true).size() + 7);
  IngestStreamDecoder decoder;
  Collected out;
  ASSERT_TRUE(decoder.push(BytesView(bytes), 1, out.callback()).ok());
  decoder.finish(out.callback());
  ASSERT_EQ(out.aus.size(), 1u);
  EXPECT_EQ(decoder.stats().partial_access_units, 1u);
}

TEST(IngestStreamDecoder, TruncatedRawStreamDiscardsThePartialAccessUnit) {
  auto aus = make_access_units(5);
  std::vector<uint8_t> bytes = concat_annexb(std::vector<h264::AccessUnit>(aus.begin(), aus.begin() + 3));
  // Half of the fourth access unit's slice.
  bytes.insert(bytes.end(), aus[3].annexb().begin(), aus[3].annexb().begin() + aus[3].size() / 2);
  IngestStreamDecoder decoder;
  Collected out;
  ASSERT_TRUE(push_in_chunks(decoder, bytes, 100, out).ok());
  decoder.finish(out.callback());
  expect_same_access_units(out.aus, std::vector<h264::AccessUnit>(aus.begin(), aus.begin() + 3), false);
  EXPECT_EQ(decoder.stats().partial_access_units, 1u);
}

TEST(IngestStreamDecoder, UnknownMessageTypesAreSkipped) {
  auto aus = make_access_units(2);
  IngestFrameHeader unknown;
  unknown.type = 0x42;
  unknown.payload_size = 5000;
  std::vector<uint8_t> bytes = marshal_access_unit_message(aus[0].annexb(), 10, true);
  std::vector<uint8_t> header = unknown.marshal();
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), unknown.payload_size, 0x00);  // would look like start codes if parsed
  IngestFrameHeader empty_unknown;
  empty_unknown.type = 0x81;  // a server-to-producer type sent the wrong way
  header = empty_unknown.marshal();
  bytes.insert(bytes.end(), header.begin(), header.end());
  std::vector<uint8_t> second = marshal_access_unit_message(aus[1].annexb(), 20, false);
  bytes.insert(bytes.end(), second.begin(), second.end());

  IngestStreamDecoder decoder;
  Collected out;
  ASSERT_TRUE(push_in_chunks(decoder, bytes, 333, out).ok());
  ASSERT_EQ(out.aus.size(), 2u);
  EXPECT_EQ(out.aus[1].timestamp_us, 20);
  EXPECT_EQ(decoder.stats().skipped_messages, 2u);
}

TEST(IngestStreamDecoder, MalformedFramedPayloadsAreDroppedAndTheStreamGoesOn) {
  auto aus = make_access_units(1);
  const uint8_t no_start_code[] = {0x65, 0x88, 0x11};
  const uint8_t only_zeros[] = {0, 0, 0, 0};
  std::vector<uint8_t> bytes = marshal_access_unit_message(BytesView(no_start_code, 3), 1, true);
  std::vector<uint8_t> more = marshal_access_unit_message(BytesView(only_zeros, 4), 2, false);
  bytes.insert(bytes.end(), more.begin(), more.end());
  more = marshal_access_unit_message(BytesView(), 3, false);  // empty payload
  bytes.insert(bytes.end(), more.begin(), more.end());
  more = marshal_access_unit_message(aus[0].annexb(), 4, true);
  bytes.insert(bytes.end(), more.begin(), more.end());

  IngestStreamDecoder decoder;
  Collected out;
  ASSERT_TRUE(decoder.push(BytesView(bytes), 1, out.callback()).ok());
  ASSERT_EQ(out.aus.size(), 1u);
  EXPECT_TRUE(out.aus[0] == aus[0]);
  EXPECT_EQ(decoder.stats().malformed_access_units, 3u);
}

TEST(IngestStreamDecoder, FramedPayloadWithThreeByteStartCodesIsCanonicalised) {
  const uint8_t payload[] = {0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x68, 0xce, 0, 0, 1, 0x65, 0x88, 0x84, 0, 0};
  IngestStreamDecoder decoder;
  Collected out;
  ASSERT_TRUE(decoder
                  .push(BytesView(marshal_access_unit_message(BytesView(payload, sizeof payload), 7, true)),
                        1, out.callback())
                  .ok());
  ASSERT_EQ(out.aus.size(), 1u);
  std::vector<uint8_t> want = {0, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x68, 0xce, 0, 0, 0, 1, 0x65, 0x88, 0x84};
  EXPECT_EQ(out.aus[0].annexb(), BytesView(want));
}

TEST(IngestStreamDecoder, KeyframeFlagMismatchIsCountedButTheAccessUnitIsEmitted) {
  auto aus = make_access_units(2);
  std::vector<uint8_t> bytes = marshal_access_unit_message(aus[0].annexb(), 1, false);  // IDR, flag clear
  std::vector<uint8_t> second = marshal_access_unit_message(aus[1].annexb(), 2, true);  // P, flag set
  bytes.insert(bytes.end(), second.begin(), second.end());
  IngestStreamDecoder decoder;
  Collected out;
  ASSERT_TRUE(decoder.push(BytesView(bytes), 1, out.callback()).ok());
  ASSERT_EQ(out.aus.size(), 2u);
  EXPECT_TRUE(out.aus[0].is_keyframe());
  EXPECT_FALSE(out.aus[1].is_keyframe());
  EXPECT_EQ(decoder.stats().keyframe_flag_mismatches, 2u);
}

TEST(IngestStreamDecoder, OversizedRawAccessUnitsAreDroppedAndCounted) {
  auto aus = make_access_units(6, 5, 70000);  // the first IDR slice is over the limit
  IngestStreamDecoder decoder(20000);
  Collected out;
  ASSERT_TRUE(push_in_chunks(decoder, concat_annexb(aus), 4096, out).ok());
  decoder.finish(out.callback());
  EXPECT_GE(decoder.stats().oversized_drops, 1u);
  for (const auto& au : out.aus)
    EXPECT_LE(au.size(), 20000u);
  // What follows the oversized NAL unit arrives intact.
  std::vector<h264::AccessUnit> want(aus.begin() + 1, aus.end() - 1);
  ASSERT_GE(out.aus.size(), want.size());
  std::vector<h264::AccessUnit> tail(out.aus.end() - static_cast<std::ptrdiff_t>(want.size()), out.aus.end());
  expect_same_access_units(tail, want, false);
  EXPECT_FALSE(out.aus.front() == aus.front());
}

TEST(IngestStreamDecoder, FinishThenANewStreamDetectsItsFramingAgain) {
  auto aus = make_access_units(3);
  IngestStreamDecoder decoder;
  Collected out;
  ASSERT_TRUE(decoder.push(BytesView(framed_stream(aus)), 1, out.callback()).ok());
  EXPECT_EQ(decoder.framing(), IngestFraming::kFramed);
  decoder.finish(out.callback());
  EXPECT_EQ(decoder.framing(), IngestFraming::kUnknown);
  ASSERT_TRUE(decoder.push(BytesView(concat_annexb(aus)), 2, out.callback()).ok());
  EXPECT_EQ(decoder.framing(), IngestFraming::kRaw);
  decoder.finish(out.callback());
  EXPECT_EQ(out.aus.size(), aus.size() + aus.size() - 1);
  EXPECT_EQ(decoder.stats().access_units, out.aus.size());
}

TEST(IngestStreamDecoder, GarbageOnlyStreamIsCountedAtTheEnd) {
  IngestStreamDecoder decoder;
  Collected out;
  std::vector<uint8_t> garbage(100, 0x33);
  ASSERT_TRUE(decoder.push(BytesView(garbage), 1, out.callback()).ok());
  decoder.finish(out.callback());
  EXPECT_EQ(decoder.stats().garbage_bytes, 100u);
  EXPECT_TRUE(out.aus.empty());
}

}  // namespace
}  // namespace picortc::ipc
