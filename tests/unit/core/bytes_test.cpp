#include "core/bytes.hpp"

#include <gtest/gtest.h>

namespace picortc {
namespace {

TEST(ByteReader, ReadsBigEndianIntegers) {
  const std::vector<uint8_t> bytes = {
      0xab,                                            // u8
      0x12, 0x34,                                      // u16
      0x01, 0x02, 0x03,                                // u24
      0xde, 0xad, 0xbe, 0xef,                          // u32
      0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // u64
  };
  ByteReader r{BytesView(bytes)};
  uint8_t u8 = 0;
  uint16_t u16 = 0;
  uint32_t u24 = 0, u32 = 0;
  uint64_t u64 = 0;
  ASSERT_TRUE(r.read_u8(u8));
  ASSERT_TRUE(r.read_u16(u16));
  ASSERT_TRUE(r.read_u24(u24));
  ASSERT_TRUE(r.read_u32(u32));
  ASSERT_TRUE(r.read_u64(u64));
  EXPECT_EQ(u8, 0xab);
  EXPECT_EQ(u16, 0x1234);
  EXPECT_EQ(u24, 0x010203u);
  EXPECT_EQ(u32, 0xdeadbeefu);
  EXPECT_EQ(u64, 0x0102030405060708ull);
  EXPECT_TRUE(r.empty());
}

TEST(ByteReader, ReadPastEndFailsAndConsumesNothing) {
  const std::vector<uint8_t> bytes = {0x01, 0x02, 0x03};
  ByteReader r{BytesView(bytes)};
  uint32_t u32 = 0x55;
  EXPECT_FALSE(r.read_u32(u32));
  EXPECT_EQ(u32, 0x55u);
  EXPECT_EQ(r.position(), 0u);
  BytesView run;
  EXPECT_FALSE(r.read_bytes(4, run));
  EXPECT_TRUE(r.read_bytes(3, run));
  EXPECT_EQ(run.size(), 3u);
  uint8_t u8 = 0;
  EXPECT_FALSE(r.read_u8(u8));
  EXPECT_FALSE(r.skip(1));
  EXPECT_FALSE(r.peek_u8(u8));
}

TEST(ByteWriter, WritesBigEndianAndPatches) {
  uint8_t buf[16] = {};
  ByteWriter w(buf, sizeof buf);
  w.write_u8(0x80);
  w.write_u16(0);  // length, patched below
  w.write_u24(0x0a0b0c);
  w.write_u32(0x11223344);
  w.patch_u16(1, 0xbeef);
  ASSERT_TRUE(w.ok());
  const std::vector<uint8_t> expected = {0x80, 0xbe, 0xef, 0x0a, 0x0b, 0x0c, 0x11, 0x22, 0x33, 0x44};
  EXPECT_EQ(BytesView(buf, w.size()), BytesView(expected));
}

TEST(ByteWriter, OverflowIsStickyAndWritesNothingMore) {
  uint8_t buf[3] = {0xee, 0xee, 0xee};
  ByteWriter w(buf, sizeof buf);
  w.write_u16(0x0102);
  w.write_u16(0x0304);  // does not fit
  EXPECT_FALSE(w.ok());
  w.write_u8(0x05);  // would fit, but the writer has failed
  EXPECT_EQ(w.size(), 2u);
  EXPECT_EQ(buf[2], 0xee);
}

TEST(BytesView, SubviewIsClamped) {
  const std::vector<uint8_t> bytes = {1, 2, 3, 4};
  BytesView v(bytes);
  EXPECT_EQ(v.subview(1, 2).size(), 2u);
  EXPECT_EQ(v.subview(3, 10).size(), 1u);
  EXPECT_TRUE(v.subview(5).empty());
}

TEST(Hex, RoundTripAndRejectsBadDigits) {
  const std::vector<uint8_t> bytes = {0x00, 0xab, 0xff};
  EXPECT_EQ(to_hex(BytesView(bytes)), "00abff");
  EXPECT_EQ(to_hex(BytesView(bytes), ':'), "00:ab:ff");
  std::vector<uint8_t> parsed;
  ASSERT_TRUE(from_hex("00:AB ff", parsed));
  EXPECT_EQ(parsed, bytes);
  EXPECT_FALSE(from_hex("0g", parsed));
  EXPECT_FALSE(from_hex("abc", parsed));  // odd digit count
}

TEST(LittleEndian, LoadStore) {
  uint8_t buf[8];
  store_le32(buf, 0x11223344);
  EXPECT_EQ(buf[0], 0x44);
  EXPECT_EQ(load_le32(buf), 0x11223344u);
  store_le64(buf, 0x0102030405060708ull);
  EXPECT_EQ(buf[0], 0x08);
  EXPECT_EQ(load_le64(buf), 0x0102030405060708ull);
  store_le16(buf, 0xabcd);
  EXPECT_EQ(load_le16(buf), 0xabcd);
}

}  // namespace
}  // namespace picortc
