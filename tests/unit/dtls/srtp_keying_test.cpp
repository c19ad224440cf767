#include "dtls/srtp_keying.hpp"

#include <gtest/gtest.h>

namespace picortc::dtls {
namespace {

std::vector<uint8_t> counting_bytes(size_t n) {
  std::vector<uint8_t> out(n);
  for (size_t i = 0; i < n; ++i)
    out[i] = static_cast<uint8_t>(i);
  return out;
}

std::vector<uint8_t> range(uint8_t from, uint8_t count) {
  std::vector<uint8_t> out;
  for (uint8_t i = 0; i < count; ++i)
    out.push_back(static_cast<uint8_t>(from + i));
  return out;
}

// RFC 5764 §4.2 layout for SRTP_AES128_CM_HMAC_SHA1_80 (key 16, salt 14):
//   [0,16) client key  [16,32) server key  [32,46) client salt  [46,60) server salt
TEST(SrtpKeying, SplitsAesCmLayoutByRole) {
  std::vector<uint8_t> exported = counting_bytes(60);
  Result<SrtpKeyingMaterial> client =
      split_keying_material(SrtpProfile::kAes128CmHmacSha1_80, exported, true);
  Result<SrtpKeyingMaterial> server =
      split_keying_material(SrtpProfile::kAes128CmHmacSha1_80, exported, false);
  ASSERT_TRUE(client.ok() && server.ok());
  EXPECT_EQ(client->local_key, range(0, 16));
  EXPECT_EQ(client->remote_key, range(16, 16));
  EXPECT_EQ(client->local_salt, range(32, 14));
  EXPECT_EQ(client->remote_salt, range(46, 14));
  EXPECT_EQ(server->local_key, client->remote_key);
  EXPECT_EQ(server->local_salt, client->remote_salt);
  EXPECT_EQ(server->remote_key, client->local_key);
  EXPECT_EQ(server->remote_salt, client->local_salt);
}

// AEAD_AES_128_GCM (key 16, salt 12):
//   [0,16) client key  [16,32) server key  [32,44) client salt  [44,56) server salt
TEST(SrtpKeying, SplitsGcmLayout) {
  std::vector<uint8_t> exported = counting_bytes(56);
  Result<SrtpKeyingMaterial> client = split_keying_material(SrtpProfile::kAeadAes128Gcm, exported, true);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(client->profile, SrtpProfile::kAeadAes128Gcm);
  EXPECT_EQ(client->local_key, range(0, 16));
  EXPECT_EQ(client->remote_key, range(16, 16));
  EXPECT_EQ(client->local_salt, range(32, 12));
  EXPECT_EQ(client->remote_salt, range(44, 12));
}

TEST(SrtpKeying, WrongSizeIsAnError) {
  std::vector<uint8_t> exported = counting_bytes(60);
  Result<SrtpKeyingMaterial> keys = split_keying_material(SrtpProfile::kAeadAes128Gcm, exported, true);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.error().code, kErrKeyingMaterialSize);
}

TEST(SrtpKeying, ProfileConstants) {
  EXPECT_EQ(srtp_exported_keying_material_size(SrtpProfile::kAes128CmHmacSha1_80), 60u);
  EXPECT_EQ(srtp_exported_keying_material_size(SrtpProfile::kAeadAes128Gcm), 56u);
  EXPECT_EQ(static_cast<uint16_t>(SrtpProfile::kAes128CmHmacSha1_80), 0x0001);
  EXPECT_EQ(static_cast<uint16_t>(SrtpProfile::kAeadAes128Gcm), 0x0007);
  EXPECT_EQ(srtp_profile_name(SrtpProfile::kAeadAes128Gcm), "SRTP_AEAD_AES_128_GCM");
}

}  // namespace
}  // namespace picortc::dtls
