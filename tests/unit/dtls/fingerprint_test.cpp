#include "dtls/fingerprint.hpp"

#include <gtest/gtest.h>

namespace picortc::dtls {
namespace {

// A SHA-256 fingerprint as Chromium writes it in its SDP.
constexpr std::string_view kChromeStyle =
    "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3B:D2:AE:3B:8F:2A:C5:9B:3D:6E:1A:F3";

TEST(Fingerprint, ParsesSha256AndFormatsBack) {
  Result<Fingerprint> fp = Fingerprint::parse(kChromeStyle);
  ASSERT_TRUE(fp.ok()) << fp.error().message();
  EXPECT_EQ(fp->hash, HashFunction::kSha256);
  ASSERT_EQ(fp->digest.size(), 32u);
  EXPECT_EQ(fp->digest[0], 0x4a);
  EXPECT_EQ(fp->digest[31], 0xf3);
  EXPECT_EQ(fp->to_sdp(), kChromeStyle);
}

TEST(Fingerprint, HashNameAndHexDigitsAreCaseInsensitive) {
  Result<Fingerprint> upper = Fingerprint::parse(kChromeStyle);
  std::string lower(kChromeStyle);
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string shouting = "SHA-256" + std::string(kChromeStyle.substr(7));
  Result<Fingerprint> from_lower = Fingerprint::parse(lower);
  Result<Fingerprint> from_shouting = Fingerprint::parse(shouting);
  ASSERT_TRUE(upper.ok() && from_lower.ok() && from_shouting.ok());
  EXPECT_EQ(*upper, *from_lower);
  EXPECT_EQ(*upper, *from_shouting);
  // Output is always upper-case hex with the lower-case token.
  EXPECT_EQ(from_lower->to_sdp(), kChromeStyle);
}

TEST(Fingerprint, SurroundingWhitespaceIgnored) {
  Result<Fingerprint> fp = Fingerprint::parse("  " + std::string(kChromeStyle) + "\r\n");
  ASSERT_TRUE(fp.ok());
  EXPECT_EQ(fp->to_sdp(), kChromeStyle);
}

TEST(Fingerprint, OtherHashFunctions) {
  struct Case {
    HashFunction hash;
    size_t size;
  };
  for (Case c :
       {Case{HashFunction::kSha1, 20}, Case{HashFunction::kSha384, 48}, Case{HashFunction::kSha512, 64}}) {
    Fingerprint fp;
    fp.hash = c.hash;
    for (size_t i = 0; i < c.size; ++i)
      fp.digest.push_back(static_cast<uint8_t>(i * 7));
    Result<Fingerprint> parsed = Fingerprint::parse(fp.to_sdp());
    ASSERT_TRUE(parsed.ok()) << fp.to_sdp();
    EXPECT_EQ(*parsed, fp);
    EXPECT_EQ(hash_digest_size(c.hash), c.size);
  }
}

TEST(Fingerprint, SameDigestUnderAnotherHashIsNotEqual) {
  Fingerprint a{HashFunction::kSha256, std::vector<uint8_t>(32, 0xab)};
  Fingerprint b{HashFunction::kSha256, std::vector<uint8_t>(32, 0xab)};
  EXPECT_EQ(a, b);
  b.digest[5] = 0;
  EXPECT_NE(a, b);
  Fingerprint c{HashFunction::kSha384, std::vector<uint8_t>(32, 0xab)};
  EXPECT_NE(a, c);
}

struct BadCase {
  const char* text;
  std::string_view expected;
};

TEST(Fingerprint, RejectsMalformedValues) {
  const BadCase cases[] = {
      {"", kErrFingerprintSyntax},
      {"sha-256", kErrFingerprintSyntax},
      {"4A:AD:B9", kErrFingerprintSyntax},
      {"md5 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B", kErrUnknownHashFunction},
      {"sha256 4A:AD", kErrUnknownHashFunction},
      {"sha-256 4A:AD:B9", kErrFingerprintLength},
      {"sha-256 4AAD:B9", kErrFingerprintSyntax},
      {"sha-256 4A:AD:", kErrFingerprintSyntax},
      {"sha-256 :4A:AD", kErrFingerprintSyntax},
      {"sha-256 4A::AD", kErrFingerprintSyntax},
      {"sha-256 4G:AD", kErrFingerprintSyntax},
      {"sha-256 4A-AD", kErrFingerprintSyntax},
      {"sha-256 4", kErrFingerprintSyntax},
  };
  for (const BadCase& c : cases) {
    Result<Fingerprint> fp = Fingerprint::parse(c.text);
    ASSERT_FALSE(fp.ok()) << c.text;
    EXPECT_EQ(fp.error().code, c.expected) << c.text << ": " << fp.error().message();
  }
}

TEST(Fingerprint, HashFunctionNames) {
  EXPECT_EQ(hash_function_name(HashFunction::kSha1), "sha-1");
  EXPECT_EQ(hash_function_name(HashFunction::kSha512), "sha-512");
  EXPECT_EQ(*parse_hash_function("Sha-384"), HashFunction::kSha384);
  EXPECT_FALSE(parse_hash_function("sha-224").ok());
}

}  // namespace
}  // namespace picortc::dtls
