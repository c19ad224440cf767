#include "h264/access_unit_assembler.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bit_writer.hpp"
#include "h264/annexb_splitter.hpp"
#include "test_util.hpp"

namespace picortc::h264 {
namespace {

using test::BitWriter;
using test::hex;
using test::read_vector_file;

// A slice NAL unit whose slice header starts with first_mb_in_slice.
std::vector<uint8_t> slice(uint8_t header, uint32_t first_mb) {
  BitWriter writer;
  writer.ue(first_mb).ue(0).ue(0).trailing_bits();  // first_mb, slice_type, pps id
  return writer.nal(header);
}

struct Collected {
  std::vector<AccessUnit> units;
  AccessUnitAssembler::AccessUnitCallback callback() {
    return [this](AccessUnit&& au) { units.push_back(std::move(au)); };
  }
};

std::vector<uint8_t> nal_types(const AccessUnit& au) {
  std::vector<uint8_t> types;
  for (size_t i = 0; i < au.nal_count(); ++i)
    types.push_back(au.nal_type(i));
  return types;
}

TEST(AccessUnitAssembler, ReadsFirstMbInSlice) {
  uint32_t first_mb = 99;
  ASSERT_TRUE(read_first_mb_in_slice(slice(0x65, 0), first_mb));
  EXPECT_EQ(first_mb, 0u);
  ASSERT_TRUE(read_first_mb_in_slice(slice(0x41, 2040), first_mb));
  EXPECT_EQ(first_mb, 2040u);
  EXPECT_FALSE(read_first_mb_in_slice(hex("41"), first_mb));
  EXPECT_FALSE(read_first_mb_in_slice(hex("41 00"), first_mb));  // truncated ue(v)
}

TEST(AccessUnitAssembler, FirstMbInSliceThroughEmulationPrevention) {
  // NAL 41 00 00 03 01 80 ...: RBSP 00 00 01 80 00 00 00 -> ue with 23
  // leading zeros; without removing the 03 a reader would see 22.
  uint32_t first_mb = 0;
  ASSERT_TRUE(read_first_mb_in_slice(hex("41 00 00 03 01 80 00 00 03 00"), first_mb));
  EXPECT_EQ(first_mb, (1u << 23) - 1 + 0x400000u);
}

TEST(AccessUnitAssembler, MultiSliceFramesWithoutAud) {
  AccessUnitAssembler assembler;
  Collected out;
  auto sps = hex("67 42 c0 1e d9 00");
  auto pps = hex("68 ce 3c 80");
  assembler.push_nal(sps, 100, out.callback());
  assembler.push_nal(pps, 101, out.callback());
  for (uint32_t first_mb : {0u, 60u, 120u, 180u})
    assembler.push_nal(slice(0x65, first_mb), 102, out.callback());
  EXPECT_TRUE(out.units.empty());  // the frame is complete only when the next one starts
  for (uint32_t first_mb : {0u, 60u, 120u, 180u})
    assembler.push_nal(slice(0x41, first_mb), 200, out.callback());
  ASSERT_EQ(out.units.size(), 1u);
  assembler.flush(out.callback());
  ASSERT_EQ(out.units.size(), 2u);

  EXPECT_EQ(nal_types(out.units[0]), (std::vector<uint8_t>{7, 8, 5, 5, 5, 5}));
  EXPECT_EQ(out.units[0].timestamp_us, 100);  // the first NAL unit's timestamp
  EXPECT_TRUE(out.units[0].is_keyframe());
  EXPECT_EQ(nal_types(out.units[1]), (std::vector<uint8_t>{1, 1, 1, 1}));
  EXPECT_EQ(out.units[1].timestamp_us, 200);
  EXPECT_FALSE(out.units[1].is_keyframe());
  EXPECT_EQ(assembler.access_unit_count(), 2u);
}

TEST(AccessUnitAssembler, NonVclAfterVclStartsNewAccessUnit) {
  for (uint8_t header : {0x06, 0x67, 0x68, 0x09, 0x0e, 0x0f, 0x10, 0x11, 0x12}) {
    AccessUnitAssembler assembler;
    Collected out;
    assembler.push_nal(slice(0x65, 0), 1, out.callback());
    assembler.push_nal(std::vector<uint8_t>{header, 0x80}, 2, out.callback());
    ASSERT_EQ(out.units.size(), 1u) << "type " << (header & 0x1f);
    assembler.flush(out.callback());
    ASSERT_EQ(out.units.size(), 2u);
    EXPECT_EQ(out.units[1].nal_type(0), header & 0x1f);
    EXPECT_EQ(out.units[1].timestamp_us, 2);
  }
}

TEST(AccessUnitAssembler, OtherNonVclAfterVclStaysInAccessUnit) {
  // Filler (12), SPS extension (13), auxiliary slice (19), reserved (21).
  for (uint8_t header : {0x0c, 0x0d, 0x13, 0x15}) {
    AccessUnitAssembler assembler;
    Collected out;
    assembler.push_nal(slice(0x65, 0), 1, out.callback());
    assembler.push_nal(std::vector<uint8_t>{header, 0x80}, 2, out.callback());
    assembler.flush(out.callback());
    ASSERT_EQ(out.units.size(), 1u) << "type " << (header & 0x1f);
    EXPECT_EQ(out.units[0].nal_count(), 2u);
  }
}

TEST(AccessUnitAssembler, AudClosesAccessUnitWithoutVcl) {
  AccessUnitAssembler assembler;
  Collected out;
  assembler.push_nal(hex("67 42 c0 1e"), 1, out.callback());
  assembler.push_nal(hex("09 10"), 2, out.callback());  // a delimiter is always first
  assembler.push_nal(slice(0x65, 0), 2, out.callback());
  assembler.push_nal(hex("09 30"), 3, out.callback());
  assembler.push_nal(slice(0x41, 0), 3, out.callback());
  assembler.flush(out.callback());
  ASSERT_EQ(out.units.size(), 3u);
  EXPECT_EQ(nal_types(out.units[0]), (std::vector<uint8_t>{7}));
  EXPECT_EQ(nal_types(out.units[1]), (std::vector<uint8_t>{9, 5}));
  EXPECT_EQ(nal_types(out.units[2]), (std::vector<uint8_t>{9, 1}));
}

TEST(AccessUnitAssembler, SecondSliceWithFirstMbZeroStartsNewAccessUnit) {
  AccessUnitAssembler assembler;
  Collected out;
  assembler.push_nal(slice(0x65, 0), 1, out.callback());
  assembler.push_nal(slice(0x65, 0), 2, out.callback());  // next IDR picture
  assembler.push_nal(slice(0x41, 0), 3, out.callback());
  assembler.push_nal(slice(0x41, 5), 3, out.callback());
  assembler.flush(out.callback());
  ASSERT_EQ(out.units.size(), 3u);
  EXPECT_EQ(out.units[2].nal_count(), 2u);
}

TEST(AccessUnitAssembler, EndOfSequenceAndStreamCloseAccessUnitAtOnce) {
  for (uint8_t end_type : {0x0a, 0x0b}) {
    AccessUnitAssembler assembler;
    Collected out;
    assembler.push_nal(slice(0x65, 0), 1, out.callback());
    assembler.push_nal(std::vector<uint8_t>{end_type}, 1, out.callback());
    ASSERT_EQ(out.units.size(), 1u);
    EXPECT_EQ(nal_types(out.units[0]), (std::vector<uint8_t>{5, static_cast<uint8_t>(end_type & 0x1f)}));
    assembler.push_nal(slice(0x65, 0), 2, out.callback());
    assembler.flush(out.callback());
    ASSERT_EQ(out.units.size(), 2u);
  }
}

TEST(AccessUnitAssembler, DropsEmptyAndForbiddenBitNalUnits) {
  AccessUnitAssembler assembler;
  Collected out;
  assembler.push_nal(BytesView(), 1, out.callback());
  assembler.push_nal(hex("e5 88"), 1, out.callback());  // forbidden_zero_bit = 1
  assembler.push_nal(slice(0x65, 0), 1, out.callback());
  assembler.flush(out.callback());
  ASSERT_EQ(out.units.size(), 1u);
  EXPECT_EQ(out.units[0].nal_count(), 1u);
  EXPECT_EQ(assembler.dropped_nal_count(), 2u);
}

TEST(AccessUnitAssembler, TruncatedSliceHeaderContinuesAccessUnit) {
  AccessUnitAssembler assembler;
  Collected out;
  assembler.push_nal(slice(0x65, 0), 1, out.callback());
  assembler.push_nal(hex("41"), 1, out.callback());  // no slice header at all
  assembler.flush(out.callback());
  ASSERT_EQ(out.units.size(), 1u);
  EXPECT_EQ(out.units[0].nal_count(), 2u);
}

TEST(AccessUnitAssembler, OversizedAccessUnitIsDropped) {
  AccessUnitAssembler assembler(64);
  Collected out;
  std::vector<uint8_t> big = slice(0x65, 0);
  big.resize(40, 0x55);
  std::vector<uint8_t> big_next = slice(0x65, 9);
  big_next.resize(40, 0x55);
  assembler.push_nal(big, 1, out.callback());
  assembler.push_nal(big_next, 1, out.callback());  // 88 bytes with start codes: over 64
  assembler.push_nal(slice(0x41, 0), 2, out.callback());
  assembler.flush(out.callback());
  ASSERT_EQ(out.units.size(), 1u);
  EXPECT_EQ(out.units[0].timestamp_us, 2);
  EXPECT_EQ(assembler.oversized_access_unit_count(), 1u);
  EXPECT_EQ(assembler.dropped_nal_count(), 2u);
}

TEST(AccessUnitAssembler, FlushWithNothingEmitsNothing) {
  AccessUnitAssembler assembler;
  Collected out;
  assembler.flush(out.callback());
  EXPECT_TRUE(out.units.empty());
}

struct FixtureCase {
  const char* file;
  size_t frames;  // nb_read_frames from ffprobe -count_frames
  size_t slices_per_frame;
  bool aud;
};

class AccessUnitFixture : public ::testing::TestWithParam<FixtureCase> {};

TEST_P(AccessUnitFixture, OneAccessUnitPerFrame) {
  const FixtureCase& fixture = GetParam();
  auto stream = read_vector_file(fixture.file);
  ASSERT_FALSE(stream.empty());
  auto units = split_access_units(stream);
  ASSERT_EQ(units.size(), fixture.frames);
  EXPECT_TRUE(units[0].is_keyframe());
  EXPECT_TRUE(units[0].has_nal_type(kNalSps));
  EXPECT_TRUE(units[0].has_nal_type(kNalPps));
  size_t total_nals = 0;
  for (const AccessUnit& au : units) {
    size_t slices = 0;
    for (size_t i = 0; i < au.nal_count(); ++i) {
      if (au.nal_type(i) == kNalSlice || au.nal_type(i) == kNalIdr) ++slices;
    }
    EXPECT_EQ(slices, fixture.slices_per_frame);
    if (fixture.aud) {
      EXPECT_EQ(au.nal_type(0), kNalAud);
    }
    total_nals += au.nal_count();
  }
  // Nothing lost: the access units hold every NAL unit of the stream, and
  // re-splitting their concatenation gives the same access units.
  AnnexBSplitter splitter;
  size_t stream_nals = 0;
  splitter.push(stream, [&stream_nals](BytesView) { ++stream_nals; });
  splitter.flush([&stream_nals](BytesView) { ++stream_nals; });
  EXPECT_EQ(total_nals, stream_nals);
  std::vector<uint8_t> joined;
  for (const AccessUnit& au : units)
    joined.insert(joined.end(), au.annexb().begin(), au.annexb().end());
  EXPECT_EQ(split_access_units(joined), units);
}

TEST_P(AccessUnitFixture, ByteAtATimeGivesSameAccessUnits) {
  auto stream = read_vector_file(GetParam().file);
  auto expected = split_access_units(stream);
  AnnexBSplitter splitter;
  AccessUnitAssembler assembler;
  std::vector<AccessUnit> units;
  int64_t now = 0;
  auto on_au = [&units](AccessUnit&& au) { units.push_back(std::move(au)); };
  auto on_nal = [&](BytesView nal) { assembler.push_nal(nal, now, on_au); };
  for (size_t i = 0; i < stream.size(); ++i) {
    now = static_cast<int64_t>(i);
    splitter.push(BytesView(stream.data() + i, 1), on_nal);
  }
  splitter.flush(on_nal);
  assembler.flush(on_au);
  ASSERT_EQ(units, expected);
  for (size_t i = 1; i < units.size(); ++i)
    EXPECT_GT(units[i].timestamp_us, units[i - 1].timestamp_us);
}

// Frame counts and slice counts as ffprobe -count_frames and
// -bsf:v trace_headers report them (tests/vectors/h264/README.md).
INSTANTIATE_TEST_SUITE_P(Vectors, AccessUnitFixture,
                         ::testing::Values(FixtureCase{"cb_640x360_slices4.h264", 10, 4, false},
                                           FixtureCase{"high_1920x1080_slices4.h264", 10, 4, false},
                                           FixtureCase{"high422_10bit_320x180.h264", 3, 1, false},
                                           FixtureCase{"high444_200x120.h264", 3, 1, false},
                                           FixtureCase{"high_mbaff_aud_320x180.h264", 4, 1, true}));

}  // namespace
}  // namespace picortc::h264
