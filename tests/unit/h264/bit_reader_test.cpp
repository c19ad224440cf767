#include "h264/bit_reader.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "bit_writer.hpp"
#include "test_util.hpp"

namespace picortc::h264 {
namespace {

using test::BitWriter;
using test::hex;

TEST(BitReader, ReadsFixedWidthFieldsAcrossByteBoundaries) {
  // 1010 1100 | 0101 0011 | 1111 0000
  auto bytes = hex("ac 53 f0");
  BitReader reader(bytes);
  uint32_t value = 0;
  ASSERT_TRUE(reader.read_bits(3, value));
  EXPECT_EQ(value, 0b101u);
  ASSERT_TRUE(reader.read_bits(9, value));  // 0 1100 0101
  EXPECT_EQ(value, 0b011000101u);
  ASSERT_TRUE(reader.read_bits(0, value));
  EXPECT_EQ(value, 0u);
  ASSERT_TRUE(reader.read_bits(12, value));  // 0011 1111 0000
  EXPECT_EQ(value, 0x3f0u);
  EXPECT_EQ(reader.bits_read(), 24u);
}

TEST(BitReader, Reads32BitField) {
  auto bytes = hex("de ad be ef 80");
  BitReader reader(bytes);
  uint32_t value = 0;
  ASSERT_TRUE(reader.read_bits(32, value));
  EXPECT_EQ(value, 0xdeadbeefu);
}

TEST(BitReader, UnsignedExpGolombTable9_2) {
  // §9.1 Table 9-2 bit strings: 1 -> 0, 010 -> 1, 011 -> 2, 00100 -> 3,
  // 00111 -> 6, 0001000 -> 7. Concatenated: 1 010 011 00100 00111 0001000
  // = 1010 0110 0100 0011 1000 1000 -> a6 43 88
  auto bytes = hex("a6 43 88");
  BitReader reader(bytes);
  for (uint32_t expected : {0u, 1u, 2u, 3u, 6u, 7u}) {
    uint32_t value = 99;
    ASSERT_TRUE(reader.read_ue(value)) << expected;
    EXPECT_EQ(value, expected);
  }
}

TEST(BitReader, SignedExpGolombTable9_3) {
  BitWriter writer;
  for (uint32_t code : {0u, 1u, 2u, 3u, 4u, 5u})
    writer.ue(code);
  writer.align_zero();
  BitReader reader(writer.rbsp());
  for (int32_t expected : {0, 1, -1, 2, -2, 3}) {
    int32_t value = 99;
    ASSERT_TRUE(reader.read_se(value));
    EXPECT_EQ(value, expected);
  }
}

TEST(BitReader, LargestUnsignedExpGolombFits) {
  // 31 leading zeros: codeNum = 2^31 - 1 + (2^31 - 1) = 0xfffffffe.
  BitWriter writer;
  writer.ue(0xfffffffeull).align_zero();
  BitReader reader(writer.rbsp());
  uint32_t value = 0;
  ASSERT_TRUE(reader.read_ue(value));
  EXPECT_EQ(value, 0xfffffffeu);
  EXPECT_FALSE(reader.exp_golomb_overflow());
}

TEST(BitReader, ExpGolombWith32LeadingZerosOverflows) {
  auto bytes = hex("00 00 00 00 ff ff ff ff ff");
  BitReader reader(bytes);
  uint32_t value = 0;
  EXPECT_FALSE(reader.read_ue(value));
  EXPECT_TRUE(reader.exp_golomb_overflow());
  EXPECT_TRUE(reader.failed());
}

TEST(BitReader, SkipsEmulationPreventionBytes) {
  // NAL bytes 00 00 03 01 00 00 03 00 -> RBSP 00 00 01 00 00 00
  auto bytes = hex("00 00 03 01 00 00 03 00");
  BitReader reader(bytes);
  uint32_t value = 0;
  ASSERT_TRUE(reader.read_bits(24, value));
  EXPECT_EQ(value, 0x000001u);
  ASSERT_TRUE(reader.read_bits(24, value));
  EXPECT_EQ(value, 0u);
  EXPECT_FALSE(reader.read_bits(1, value));
}

TEST(BitReader, ThreeAfterEmulationPreventionIsData) {
  // 00 00 03 03: the first 03 is emulation prevention, the second is data.
  auto bytes = hex("00 00 03 03");
  BitReader reader(bytes);
  uint32_t value = 0;
  ASSERT_TRUE(reader.read_bits(24, value));
  EXPECT_EQ(value, 0x000003u);
  EXPECT_FALSE(reader.read_bits(1, value));
}

TEST(BitReader, ExpGolombSpanningEmulationPrevention) {
  // RBSP 00 00 01 80 00 00 00: 23 leading zeros, the 1 (last bit of 0x01),
  // then the 23-bit suffix 1000 0000 0000 0000 0000 000 = 0x400000. A reader
  // that kept the 0x03 would see only 22 leading zeros.
  auto bytes = hex("00 00 03 01 80 00 00 03 00");
  BitReader reader(bytes);
  uint32_t value = 0;
  ASSERT_TRUE(reader.read_ue(value));
  EXPECT_EQ(value, (1u << 23) - 1 + 0x400000u);
}

TEST(BitReader, OverrunFailsAndStaysFailed) {
  // Exactly-sized heap buffer so a read past the end would trip ASan.
  std::unique_ptr<uint8_t[]> buffer(new uint8_t[2]{0xff, 0x00});
  BitReader reader(BytesView(buffer.get(), 2));
  uint32_t value = 0;
  ASSERT_TRUE(reader.read_bits(12, value));
  EXPECT_FALSE(reader.read_bits(5, value));
  EXPECT_TRUE(reader.failed());
  EXPECT_FALSE(reader.exp_golomb_overflow());
  // Even a read that would fit had the first one not failed now fails.
  EXPECT_FALSE(reader.read_bits(1, value));
}

TEST(BitReader, TruncatedExpGolombFails) {
  auto bytes = hex("00 01");  // 15 zeros, the 1, then no suffix bits
  BitReader reader(bytes);
  uint32_t value = 0;
  EXPECT_FALSE(reader.read_ue(value));
  EXPECT_FALSE(reader.exp_golomb_overflow());
}

TEST(BitReader, EmptyInputFailsEveryRead) {
  BitReader reader{BytesView()};
  uint32_t value = 0;
  bool flag = false;
  int32_t signed_value = 0;
  EXPECT_FALSE(reader.read_flag(flag));
  EXPECT_FALSE(reader.read_ue(value));
  EXPECT_FALSE(reader.read_se(signed_value));
  EXPECT_FALSE(reader.more_rbsp_data());
}

TEST(BitReader, RejectsFieldWiderThan32Bits) {
  auto bytes = hex("ff ff ff ff ff");
  BitReader reader(bytes);
  uint32_t value = 0;
  EXPECT_FALSE(reader.read_bits(33, value));
  EXPECT_TRUE(reader.failed());
}

TEST(BitReader, MoreRbspDataStopsAtTrailingBits) {
  // Fields 101, then rbsp_trailing_bits 1 0000 -> 1011 0000 = b0.
  auto bytes = hex("b0");
  BitReader reader(bytes);
  EXPECT_TRUE(reader.more_rbsp_data());
  ASSERT_TRUE(reader.skip_bits(3));
  EXPECT_FALSE(reader.more_rbsp_data());
  EXPECT_EQ(reader.bits_read(), 3u);  // probing consumed nothing
}

TEST(BitReader, EbspToRbspRemovesEveryEmulationPreventionByte) {
  EXPECT_EQ(ebsp_to_rbsp(hex("67 00 00 03 00 00 03 01 00 03")), hex("67 00 00 00 00 01 00 03"));
  EXPECT_EQ(ebsp_to_rbsp(hex("00 00 03")), hex("00 00"));
  EXPECT_TRUE(ebsp_to_rbsp(BytesView()).empty());
}

}  // namespace
}  // namespace picortc::h264
