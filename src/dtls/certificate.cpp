// OpenSSL adapter for certificate generation and fingerprints.
#include "dtls/certificate.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <mutex>

#include "dtls/openssl_error.hpp"

namespace picortc::dtls {
namespace {

struct X509Deleter {
  void operator()(X509* p) const { X509_free(p); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BnDeleter {
  void operator()(BIGNUM* p) const { BN_free(p); }
};

const EVP_MD* digest_for(HashFunction hash) {
  switch (hash) {
    case HashFunction::kSha1:
      return EVP_sha1();
    case HashFunction::kSha256:
      return EVP_sha256();
    case HashFunction::kSha384:
      return EVP_sha384();
    case HashFunction::kSha512:
      return EVP_sha512();
  }
  return EVP_sha256();
}

long seconds_of(Duration d) {
  return static_cast<long>(std::chrono::duration_cast<seconds>(d).count());
}

}  // namespace

Result<Fingerprint> compute_fingerprint(BytesView certificate_der, HashFunction hash) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (EVP_Digest(certificate_der.data(), certificate_der.size(), digest, &digest_size, digest_for(hash),
                 nullptr) != 1) {
    return make_error(kErrCertificateDecode, "digest: " + openssl_error_text());
  }
  Fingerprint out;
  out.hash = hash;
  out.digest.assign(digest, digest + digest_size);
  return out;
}

Result<Certificate> Certificate::generate(const CertificateOptions& options) {
  auto fail = [](const char* step) {
    return make_error(kErrCertificateGeneration, std::string(step) + ": " + openssl_error_text());
  };

  // ECDSA P-256: what browsers generate themselves and accept everywhere.
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(EVP_EC_gen("P-256"));
  if (!key) return fail("EVP_EC_gen");

  std::unique_ptr<X509, X509Deleter> cert(X509_new());
  if (!cert) return fail("X509_new");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) return fail("X509_set_version");

  // RFC 5280 §4.1.2.2: a positive serial of at most 20 bytes; 63 random bits.
  std::unique_ptr<BIGNUM, BnDeleter> serial(BN_new());
  if (!serial || BN_rand(serial.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return fail("serial");
  }
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -seconds_of(options.not_before_slack)) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), seconds_of(options.lifetime)) == nullptr) {
    return fail("validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(options.common_name.c_str()), -1, -1,
                                 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1) {
    return fail("name");
  }
  if (X509_set_pubkey(cert.get(), key.get()) != 1) return fail("X509_set_pubkey");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) return fail("X509_sign");

  Certificate out;
  int cert_size = i2d_X509(cert.get(), nullptr);
  if (cert_size <= 0) return fail("i2d_X509");
  out.certificate_der_.resize(static_cast<size_t>(cert_size));
  unsigned char* cursor = out.certificate_der_.data();
  if (i2d_X509(cert.get(), &cursor) != cert_size) return fail("i2d_X509");

  std::unique_ptr<PKCS8_PRIV_KEY_INFO, decltype(&PKCS8_PRIV_KEY_INFO_free)> pkcs8(EVP_PKEY2PKCS8(key.get()),
                                                                                  &PKCS8_PRIV_KEY_INFO_free);
  if (!pkcs8) return fail("EVP_PKEY2PKCS8");
  int key_size = i2d_PKCS8_PRIV_KEY_INFO(pkcs8.get(), nullptr);
  if (key_size <= 0) return fail("i2d_PKCS8_PRIV_KEY_INFO");
  out.private_key_der_.resize(static_cast<size_t>(key_size));
  cursor = out.private_key_der_.data();
  if (i2d_PKCS8_PRIV_KEY_INFO(pkcs8.get(), &cursor) != key_size) return fail("i2d_PKCS8_PRIV_KEY_INFO");

  Result<Fingerprint> fingerprint = compute_fingerprint(out.certificate_der(), HashFunction::kSha256);
  if (!fingerprint) return fingerprint.error();
  out.sha256_fingerprint_ = std::move(*fingerprint);
  return out;
}

Result<Certificate> Certificate::process_default() {
  static std::mutex mutex;
  static Certificate cached;
  std::lock_guard<std::mutex> lock(mutex);
  if (cached.empty()) {
    Result<Certificate> generated = generate();
    if (!generated) return generated.error();
    cached = std::move(*generated);
  }
  return cached;
}

}  // namespace picortc::dtls
