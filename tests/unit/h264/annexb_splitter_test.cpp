#include "h264/annexb_splitter.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace picortc::h264 {
namespace {

using test::hex;
using test::read_vector_file;
using NalList = std::vector<std::vector<uint8_t>>;

// Silences the drop warnings of tests that drop on purpose, many times.
class QuietLogs {
 public:
  QuietLogs() : saved_(log_level()) { set_log_level(LogLevel::kError); }
  ~QuietLogs() { set_log_level(saved_); }

 private:
  LogLevel saved_;
};

struct SplitOutcome {
  NalList nals;
  uint64_t garbage = 0;
  size_t max_pending = 0;
};

// Pushes `stream` in chunks of the given sizes (cycled), then flushes.
SplitOutcome split_in_chunks(AnnexBSplitter& splitter, const std::vector<uint8_t>& stream,
                             const std::vector<size_t>& chunk_sizes) {
  SplitOutcome out;
  auto on_nal = [&out](BytesView nal) { out.nals.push_back(nal.to_vector()); };
  size_t offset = 0;
  size_t index = 0;
  while (offset < stream.size()) {
    size_t n = std::min(chunk_sizes[index++ % chunk_sizes.size()], stream.size() - offset);
    splitter.push(BytesView(stream.data() + offset, n), on_nal);
    out.max_pending = std::max(out.max_pending, splitter.pending_size());
    offset += n;
  }
  splitter.flush(on_nal);
  out.garbage = splitter.garbage_bytes();
  return out;
}

SplitOutcome split_in_chunks(const std::vector<uint8_t>& stream, size_t chunk_size) {
  AnnexBSplitter splitter;
  return split_in_chunks(splitter, stream, {chunk_size});
}

// The obvious whole-buffer algorithm of B.2, byte by byte, as the reference.
SplitOutcome reference_split(const std::vector<uint8_t>& s) {
  std::vector<size_t> ones;  // index of the 0x01 of each start code
  for (size_t i = 0; i + 2 < s.size(); ++i) {
    if (s[i] == 0 && s[i + 1] == 0 && s[i + 2] == 1) {
      ones.push_back(i + 2);
      i += 2;
    }
  }
  SplitOutcome out;
  if (ones.empty()) {
    out.garbage = s.size();
    return out;
  }
  size_t zeros = 0;
  while (zeros < ones[0] && s[ones[0] - 1 - zeros] == 0)
    ++zeros;
  out.garbage = ones[0] - zeros;
  for (size_t k = 0; k < ones.size(); ++k) {
    size_t begin = ones[k] + 1;
    size_t end = k + 1 < ones.size() ? ones[k + 1] - 2 : s.size();
    while (end > begin && s[end - 1] == 0)
      --end;
    if (end > begin)
      out.nals.emplace_back(s.begin() + static_cast<long>(begin), s.begin() + static_cast<long>(end));
  }
  return out;
}

// A stream with the edge cases that matter: 3- and 4-byte start codes,
// trailing zeros, empty NAL units, payload bytes 00/01/03 close together.
std::vector<uint8_t> random_stream(std::mt19937& rng, bool with_garbage) {
  std::vector<uint8_t> s;
  std::uniform_int_distribution<int> byte_dist(0, 255);
  std::uniform_int_distribution<int> small(0, 9);
  if (with_garbage) {
    int n = small(rng) * 3;
    for (int i = 0; i < n; ++i)
      s.push_back(static_cast<uint8_t>(i % 5 == 0 ? 0 : byte_dist(rng)));
  }
  int nal_count = 1 + small(rng) * 2;
  for (int k = 0; k < nal_count; ++k) {
    if (small(rng) < 5) s.push_back(0);  // zero_byte of a 4-byte start code
    s.insert(s.end(), {0, 0, 1});
    int length = small(rng) == 0 ? 0 : 1 + static_cast<int>(rng() % 400);
    for (int i = 0; i < length; ++i) {
      int pick = small(rng);
      uint8_t byte = pick < 3 ? 0 : pick == 3 ? 1 : pick == 4 ? 3 : static_cast<uint8_t>(byte_dist(rng));
      // Keep payloads legal (no 00 00 0x with x <= 2 inside a NAL unit).
      size_t n = s.size();
      if (n >= 2 && s[n - 1] == 0 && s[n - 2] == 0 && byte <= 2) s.push_back(3);
      s.push_back(byte);
    }
    if (!s.empty() && s.back() == 0) s.push_back(0x80);  // NAL units end in a non-zero byte
    int trailing = small(rng) < 3 ? small(rng) : 0;      // trailing_zero_8bits
    s.insert(s.end(), static_cast<size_t>(trailing), 0);
  }
  return s;
}

TEST(AnnexBSplitter, SplitsFourAndThreeByteStartCodes) {
  auto stream = hex("00 00 00 01 67 42 c0 1e  00 00 01 68 ce 3c 80  00 00 00 01 65 88 84");
  auto out = split_in_chunks(stream, 1000);
  ASSERT_EQ(out.nals.size(), 3u);
  EXPECT_EQ(out.nals[0], hex("67 42 c0 1e"));
  EXPECT_EQ(out.nals[1], hex("68 ce 3c 80"));
  EXPECT_EQ(out.nals[2], hex("65 88 84"));
  EXPECT_EQ(out.garbage, 0u);
}

TEST(AnnexBSplitter, StripsTrailingZeroBytes) {
  // B.2 trailing_zero_8bits after a NAL unit, then a 4-byte start code.
  auto stream = hex("00 00 01 09 f0 00 00 00 00 00 00 00 01 67 64 00 00");
  auto out = split_in_chunks(stream, 1000);
  ASSERT_EQ(out.nals.size(), 2u);
  EXPECT_EQ(out.nals[0], hex("09 f0"));
  EXPECT_EQ(out.nals[1], hex("67 64"));
}

TEST(AnnexBSplitter, KeepsEmulationPreventionBytes) {
  // 00 00 03 inside a NAL unit is not a start code; the NAL unit is passed
  // as it came (the RBSP reader removes the 03).
  auto stream = hex("00 00 00 01 06 05 00 00 03 01 00 00 03 00 80");
  auto out = split_in_chunks(stream, 3);
  ASSERT_EQ(out.nals.size(), 1u);
  EXPECT_EQ(out.nals[0], hex("06 05 00 00 03 01 00 00 03 00 80"));
}

TEST(AnnexBSplitter, IgnoresEmptyNalUnits) {
  auto stream = hex("00 00 01 00 00 01 00 00 00 01 09 10 00 00 01 00 00 00 00 01");
  auto out = split_in_chunks(stream, 1000);
  ASSERT_EQ(out.nals.size(), 1u);
  EXPECT_EQ(out.nals[0], hex("09 10"));
}

TEST(AnnexBSplitter, CountsGarbageBeforeFirstStartCode) {
  // 5 garbage bytes (one of them a zero, and a 01 not preceded by two zeros),
  // then leading_zero_8bits which are not garbage.
  auto stream = hex("ab 00 cd 01 ef  00 00 00 00 01 09 10  00 00 01 41 9a");
  for (size_t chunk : {1u, 2u, 3u, 7u, 1000u}) {
    AnnexBSplitter splitter;
    auto out = split_in_chunks(splitter, stream, {chunk});
    EXPECT_EQ(out.garbage, 5u) << "chunk " << chunk;
    ASSERT_EQ(out.nals.size(), 2u) << "chunk " << chunk;
    EXPECT_EQ(out.nals[0], hex("09 10"));
    EXPECT_EQ(splitter.nal_count(), 2u);
  }
}

TEST(AnnexBSplitter, StreamWithoutStartCodeIsAllGarbage) {
  auto stream = hex("12 34 00 00 02 56 00 01");
  AnnexBSplitter splitter;
  auto out = split_in_chunks(splitter, stream, {3});
  EXPECT_TRUE(out.nals.empty());
  EXPECT_EQ(out.garbage, stream.size());
  EXPECT_EQ(splitter.nal_count(), 0u);
}

TEST(AnnexBSplitter, FlushEmitsTruncatedLastNalUnit) {
  auto stream = hex("00 00 00 01 67 42 00 1f 00 00 01 65 88 80 40");
  // Cut the stream at every length: no crash, and the last NAL unit seen is
  // whatever of it arrived.
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    std::vector<uint8_t> prefix(stream.begin(), stream.begin() + static_cast<long>(cut));
    auto out = split_in_chunks(prefix, 2);
    auto expected = reference_split(prefix);
    EXPECT_EQ(out.nals, expected.nals) << "cut " << cut;
  }
  auto out = split_in_chunks(std::vector<uint8_t>(stream.begin(), stream.end() - 2), 1);
  ASSERT_EQ(out.nals.size(), 2u);
  EXPECT_EQ(out.nals[1], hex("65 88"));
}

TEST(AnnexBSplitter, FlushStartsANewStream) {
  AnnexBSplitter splitter;
  NalList nals;
  auto on_nal = [&nals](BytesView nal) { nals.push_back(nal.to_vector()); };
  auto first = hex("00 00 01 09 10");
  auto second = hex("ff 00 00 01 09 30");
  splitter.push(first, on_nal);
  splitter.flush(on_nal);
  splitter.push(second, on_nal);
  splitter.flush(on_nal);
  ASSERT_EQ(nals.size(), 2u);
  EXPECT_EQ(nals[1], hex("09 30"));
  EXPECT_EQ(splitter.garbage_bytes(), 1u);  // the ff before the second stream's start code
  EXPECT_EQ(splitter.nal_count(), 2u);
  splitter.reset();
  EXPECT_EQ(splitter.garbage_bytes(), 0u);
  EXPECT_EQ(splitter.nal_count(), 0u);
}

TEST(AnnexBSplitter, ResetDropsPendingNalUnit) {
  AnnexBSplitter splitter;
  NalList nals;
  auto on_nal = [&nals](BytesView nal) { nals.push_back(nal.to_vector()); };
  splitter.push(hex("00 00 01 65 11 22"), on_nal);
  EXPECT_GT(splitter.pending_size(), 0u);
  splitter.reset();
  EXPECT_EQ(splitter.pending_size(), 0u);
  splitter.push(hex("33 00 00 01 09 10"), on_nal);
  splitter.flush(on_nal);
  ASSERT_EQ(nals.size(), 1u);
  EXPECT_EQ(nals[0], hex("09 10"));
  EXPECT_EQ(splitter.garbage_bytes(), 1u);
}

TEST(AnnexBSplitter, StartCodeSplitAcrossChunksAtEveryPosition) {
  auto stream = hex("00 00 00 01 41 aa 00 00 00 01 41 bb 00 00 01 41 cc");
  for (size_t first = 1; first < stream.size(); ++first) {
    for (size_t second = 1; first + second < stream.size(); ++second) {
      AnnexBSplitter splitter;
      auto out = split_in_chunks(splitter, stream, {first, second, 1000});
      ASSERT_EQ(out.nals.size(), 3u) << first << "+" << second;
      EXPECT_EQ(out.nals[0], hex("41 aa"));
      EXPECT_EQ(out.nals[1], hex("41 bb"));
      EXPECT_EQ(out.nals[2], hex("41 cc"));
    }
  }
}

TEST(AnnexBSplitter, FixtureGivesSameNalUnitsForEveryChunking) {
  auto stream = read_vector_file("high_1920x1080_slices4.h264");
  ASSERT_FALSE(stream.empty());
  auto expected = reference_split(stream);
  // SPS, PPS, SEI + 10 frames of 4 slices.
  ASSERT_EQ(expected.nals.size(), 43u);
  EXPECT_EQ(expected.nals[0][0] & 0x1f, 7);
  for (size_t chunk : {1u, 2u, 3u, 7u, 1000u}) {
    auto out = split_in_chunks(stream, chunk);
    EXPECT_EQ(out.nals, expected.nals) << "chunk " << chunk;
    EXPECT_EQ(out.garbage, 0u);
  }
  std::mt19937 rng(1234);
  for (int round = 0; round < 20; ++round) {
    std::vector<size_t> sizes;
    for (int i = 0; i < 16; ++i)
      sizes.push_back(1 + rng() % 3000);
    AnnexBSplitter splitter;
    auto out = split_in_chunks(splitter, stream, sizes);
    EXPECT_EQ(out.nals, expected.nals) << "round " << round;
    EXPECT_EQ(splitter.nal_count(), expected.nals.size());
  }
}

TEST(AnnexBSplitter, RandomStreamsMatchReferenceForRandomChunkings) {
  QuietLogs quiet;  // half of the streams start with garbage: one warning each
  std::mt19937 rng(42);
  for (int round = 0; round < 300; ++round) {
    auto stream = random_stream(rng, round % 2 == 0);
    auto expected = reference_split(stream);
    std::vector<size_t> sizes;
    for (int i = 0; i < 8; ++i)
      sizes.push_back(1 + rng() % (i % 2 ? 5 : 200));
    AnnexBSplitter splitter;
    auto out = split_in_chunks(splitter, stream, sizes);
    ASSERT_EQ(out.nals, expected.nals) << "round " << round << " stream " << to_hex(stream);
    ASSERT_EQ(out.garbage, expected.garbage) << "round " << round << " stream " << to_hex(stream);
    for (const auto& nal : out.nals) {
      ASSERT_FALSE(nal.empty());
      ASSERT_NE(nal.back(), 0);
    }
  }
}

TEST(AnnexBSplitter, OversizedNalUnitIsDroppedAndSplitterResyncs) {
  std::vector<uint8_t> stream = hex("00 00 00 01 09 10");
  stream.insert(stream.end(), {0, 0, 0, 1, 0x65});
  for (int i = 0; i < 5000; ++i)
    stream.push_back(static_cast<uint8_t>(0x80 | (i & 0x7f)));
  auto tail = hex("00 00 00 01 41 9a 00 00 01 41 9b");
  stream.insert(stream.end(), tail.begin(), tail.end());

  for (size_t chunk : {1u, 7u, 1000u, 100000u}) {
    AnnexBSplitter splitter(1024);
    auto out = split_in_chunks(splitter, stream, {chunk});
    ASSERT_EQ(out.nals.size(), 3u) << "chunk " << chunk;
    EXPECT_EQ(out.nals[0], hex("09 10"));
    EXPECT_EQ(out.nals[1], hex("41 9a"));
    EXPECT_EQ(out.nals[2], hex("41 9b"));
    EXPECT_EQ(splitter.oversized_nal_count(), 1u);
    EXPECT_LE(out.max_pending, 1024u + 4u) << "chunk " << chunk;
  }
}

TEST(AnnexBSplitter, NalUnitOfExactlyMaxSizeIsKept) {
  std::vector<uint8_t> stream = {0, 0, 0, 1};
  for (int i = 0; i < 64; ++i)
    stream.push_back(0x41);
  stream.insert(stream.end(), {0, 0, 0, 1, 0x09, 0x10});
  for (size_t chunk : {1u, 5u, 1000u}) {
    AnnexBSplitter splitter(64);
    auto out = split_in_chunks(splitter, stream, {chunk});
    ASSERT_EQ(out.nals.size(), 2u) << "chunk " << chunk;
    EXPECT_EQ(out.nals[0].size(), 64u);
    EXPECT_EQ(splitter.oversized_nal_count(), 0u);
  }
}

// A limit of SIZE_MAX means "no limit": the slack added to it for a start
// code straddling chunks must not wrap around and make every NAL unit that
// spans two chunks "oversized".
TEST(AnnexBSplitter, NoLimitKeepsNalUnitsSpanningChunks) {
  auto stream = hex("00 00 00 01 65 88 84 00 21 ff 00 00 00 01 41 9a 02 03");
  for (size_t chunk : {1u, 3u, 7u}) {
    AnnexBSplitter splitter(SIZE_MAX);
    auto out = split_in_chunks(splitter, stream, {chunk});
    ASSERT_EQ(out.nals.size(), 2u) << "chunk " << chunk;
    EXPECT_EQ(out.nals[0], hex("65 88 84 00 21 ff"));
    EXPECT_EQ(out.nals[1], hex("41 9a 02 03"));
    EXPECT_EQ(splitter.oversized_nal_count(), 0u) << "chunk " << chunk;
  }
}

TEST(AnnexBSplitter, OversizedLastNalUnitIsDroppedAtFlush) {
  std::vector<uint8_t> stream = {0, 0, 1};
  for (int i = 0; i < 100; ++i)
    stream.push_back(0x41);
  AnnexBSplitter splitter(50);
  auto out = split_in_chunks(splitter, stream, {1000});
  EXPECT_TRUE(out.nals.empty());
  EXPECT_EQ(splitter.oversized_nal_count(), 1u);
}

TEST(AnnexBSplitter, NalUnitInsideOneChunkIsNotCopied) {
  auto stream = hex("00 00 00 01 09 10 00 00 00 01 41 9a");
  AnnexBSplitter splitter;
  std::vector<const uint8_t*> seen;
  splitter.push(stream, [&seen](BytesView nal) { seen.push_back(nal.data()); });
  ASSERT_EQ(seen.size(), 1u);  // the second one may continue in the next chunk
  EXPECT_EQ(seen[0], stream.data() + 4);
}

}  // namespace
}  // namespace picortc::h264
