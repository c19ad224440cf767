#include "signal/turn_rest_credentials.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cassert>
#include <vector>

namespace picortc::signal {

std::string base64_encode(const uint8_t* data, size_t size) {
  // EVP_EncodeBlock writes 4 characters per 3 bytes plus a NUL.
  std::vector<unsigned char> out(4 * ((size + 2) / 3) + 1);
  const int written = EVP_EncodeBlock(out.data(), data, static_cast<int>(size));
  assert(written >= 0);
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<size_t>(written));
}

TurnRestCredential make_turn_rest_credential(std::string_view secret, std::string_view user,
                                             int64_t expiry_unix_seconds) {
  TurnRestCredential result;
  result.username = std::to_string(expiry_unix_seconds);
  result.username += ':';
  result.username += user;

  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  const unsigned char* ok = HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
                                 reinterpret_cast<const unsigned char*>(result.username.data()),
                                 result.username.size(), mac, &mac_size);
  // HMAC-SHA1 over memory cannot fail short of an OpenSSL build without SHA-1.
  assert(ok != nullptr);
  (void)ok;
  result.credential = base64_encode(mac, mac_size);
  return result;
}

}  // namespace picortc::signal
