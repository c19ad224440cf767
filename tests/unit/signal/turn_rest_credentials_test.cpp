#include "signal/turn_rest_credentials.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace picortc::signal {
namespace {

// The expected credential is computed independently by the openssl command
// line tool, the same way coturn's documentation shows it:
//   echo -n "$username" | openssl dgst -binary -sha1 -hmac "$secret" | openssl base64
std::string openssl_cli_credential(const std::string& secret, const std::string& username) {
  const std::string command = "printf '%s' '" + username + "' | openssl dgst -binary -sha1 -hmac '" + secret +
                              "' | openssl base64 -A";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {};
  std::string out;
  char buffer[256];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    out.append(buffer, n);
  pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return out;
}

TEST(TurnRestCredentials, UsernameIsExpiryColonUser) {
  const TurnRestCredential c = make_turn_rest_credential("north", "viewer", 1700000000);
  EXPECT_EQ(c.username, "1700000000:viewer");
}

TEST(TurnRestCredentials, CredentialMatchesOpensslCommandLine) {
  if (std::system("command -v openssl >/dev/null 2>&1") != 0) GTEST_SKIP() << "no openssl command";
  for (const auto& [secret, user, expiry] :
       {std::make_tuple(std::string("north"), std::string("viewer"), int64_t{1700000000}),
        std::make_tuple(
            std::string("a much longer shared secret than sixty-four bytes, which HMAC hashes first"),
            std::string("picortc"), int64_t{4102444800})}) {
    const TurnRestCredential c = make_turn_rest_credential(secret, user, expiry);
    const std::string expected = openssl_cli_credential(secret, c.username);
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(c.credential, expected) << secret;
  }
}

TEST(TurnRestCredentials, KnownVector) {
  // RFC 2202 test case 2 is HMAC-SHA1("Jefe", "what do ya want for nothing?")
  // = effcdf6ae5eb2fa2d27416d5f184df9c259a7c79; base64 of those 20 bytes:
  const uint8_t digest[] = {0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74,
                            0x16, 0xd5, 0xf1, 0x84, 0xdf, 0x9c, 0x25, 0x9a, 0x7c, 0x79};
  EXPECT_EQ(base64_encode(digest, sizeof(digest)), "7/zfauXrL6LSdBbV8YTfnCWafHk=");
}

TEST(TurnRestCredentials, Base64Padding) {
  const uint8_t bytes[] = {'f', 'o', 'o', 'b', 'a', 'r'};
  EXPECT_EQ(base64_encode(bytes, 0), "");
  EXPECT_EQ(base64_encode(bytes, 1), "Zg==");
  EXPECT_EQ(base64_encode(bytes, 2), "Zm8=");
  EXPECT_EQ(base64_encode(bytes, 3), "Zm9v");
  EXPECT_EQ(base64_encode(bytes, 6), "Zm9vYmFy");
}

}  // namespace
}  // namespace picortc::signal
