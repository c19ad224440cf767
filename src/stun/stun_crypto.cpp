// OpenSSL 3 adapter for stun_crypto.hpp: EVP_MAC for HMAC, EVP_Digest for
// MD5, RAND_bytes for transaction ids.
#include "stun/stun_crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

namespace picortc::stun::crypto {
namespace {

[[noreturn]] void fatal(const char* what) {
  std::fprintf(stderr, "stun: OpenSSL %s failed\n", what);
  std::abort();
}

// The HMAC implementation is fetched once (fetching is the costly part).
EVP_MAC* hmac_algorithm() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) fatal("EVP_MAC_fetch(HMAC)");
  return mac;
}

template <size_t N>
std::array<uint8_t, N> hmac(const char* digest, BytesView key, std::initializer_list<BytesView> parts) {
  std::array<uint8_t, N> out{};
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(hmac_algorithm());
  if (ctx == nullptr) fatal("EVP_MAC_CTX_new");
  OSSL_PARAM params[2];
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest), 0);
  params[1] = OSSL_PARAM_construct_end();
  // An empty key is legal for HMAC (RFC 2104 pads it with zeros); OpenSSL
  // wants a non-null pointer for it.
  static const uint8_t kEmptyKey[1] = {0};
  const uint8_t* key_data = key.empty() ? kEmptyKey : key.data();
  size_t written = 0;
  bool ok = EVP_MAC_init(ctx, key_data, key.size(), params) == 1;
  for (BytesView part : parts) {
    if (ok && !part.empty()) ok = EVP_MAC_update(ctx, part.data(), part.size()) == 1;
  }
  ok = ok && EVP_MAC_final(ctx, out.data(), &written, out.size()) == 1 && written == N;
  EVP_MAC_CTX_free(ctx);
  if (!ok) fatal("HMAC");
  return out;
}

}  // namespace

Sha1Digest hmac_sha1(BytesView key, std::initializer_list<BytesView> parts) {
  return hmac<20>("SHA1", key, parts);
}

Sha256Digest hmac_sha256(BytesView key, std::initializer_list<BytesView> parts) {
  return hmac<32>("SHA256", key, parts);
}

Md5Digest md5(std::initializer_list<BytesView> parts) {
  Md5Digest out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) fatal("EVP_MD_CTX_new");
  unsigned written = 0;
  bool ok = EVP_DigestInit_ex(ctx, EVP_md5(), nullptr) == 1;
  for (BytesView part : parts) {
    if (ok && !part.empty()) ok = EVP_DigestUpdate(ctx, part.data(), part.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(ctx, out.data(), &written) == 1 && written == out.size();
  EVP_MD_CTX_free(ctx);
  if (!ok) fatal("MD5");
  return out;
}

void random_bytes(uint8_t* out, size_t size) {
  if (size > 0 && RAND_bytes(out, static_cast<int>(size)) != 1) fatal("RAND_bytes");
}

}  // namespace picortc::stun::crypto
