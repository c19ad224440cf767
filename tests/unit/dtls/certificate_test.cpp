#include "dtls/certificate.hpp"

#include <gtest/gtest.h>
// The test inspects the certificate with OpenSSL; the library's headers do not
// need it.
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>

namespace picortc::dtls {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

std::unique_ptr<X509, X509Free> decode(BytesView der) {
  const unsigned char* cursor = der.data();
  return std::unique_ptr<X509, X509Free>(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
}

TEST(Certificate, GeneratesSelfSignedEcdsaP256) {
  Result<Certificate> cert = Certificate::generate();
  ASSERT_TRUE(cert.ok()) << cert.error().message();
  auto x509 = decode(cert->certificate_der());
  ASSERT_TRUE(x509);

  EVP_PKEY* key = X509_get0_pubkey(x509.get());
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
  char group[64] = {};
  size_t group_len = 0;
  ASSERT_EQ(EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &group_len), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_verify(x509.get(), key), 1) << "self-signed";

  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(x509.get()), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "picortc");
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(x509.get()), X509_get_issuer_name(x509.get())), 0);

  // Valid now, and for about the configured lifetime.
  EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(x509.get())), 0);
  EXPECT_GT(X509_cmp_current_time(X509_get0_notAfter(x509.get())), 0);
  time_t in_29_days = std::time(nullptr) + 29 * 86400;
  time_t in_31_days = std::time(nullptr) + 31 * 86400;
  EXPECT_GT(X509_cmp_time(X509_get0_notAfter(x509.get()), &in_29_days), 0);
  EXPECT_LT(X509_cmp_time(X509_get0_notAfter(x509.get()), &in_31_days), 0);
}

TEST(Certificate, FingerprintIsSha256OfDer) {
  Result<Certificate> cert = Certificate::generate();
  ASSERT_TRUE(cert.ok());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  ASSERT_EQ(EVP_Digest(cert->certificate_der().data(), cert->certificate_der().size(), digest, &size,
                       EVP_sha256(), nullptr),
            1);
  EXPECT_EQ(cert->fingerprint().hash, HashFunction::kSha256);
  EXPECT_EQ(cert->fingerprint().digest, std::vector<uint8_t>(digest, digest + size));
  // The SDP form parses back to the same fingerprint.
  Result<Fingerprint> parsed = Fingerprint::parse(cert->fingerprint().to_sdp());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, cert->fingerprint());
  EXPECT_EQ(cert->fingerprint().to_sdp().substr(0, 8), "sha-256 ");
}

TEST(Certificate, EachGenerationIsDistinct) {
  Result<Certificate> a = Certificate::generate();
  Result<Certificate> b = Certificate::generate();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->certificate_der(), b->certificate_der());
  EXPECT_NE(a->fingerprint(), b->fingerprint());
  auto xa = decode(a->certificate_der());
  auto xb = decode(b->certificate_der());
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(xa.get()), X509_get0_serialNumber(xb.get())), 0);
}

TEST(Certificate, ProcessDefaultIsGeneratedOnce) {
  Result<Certificate> first = Certificate::process_default();
  Result<Certificate> second = Certificate::process_default();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_FALSE(first->empty());
  EXPECT_EQ(first->certificate_der(), second->certificate_der());
}

TEST(Certificate, ComputeFingerprintWithEachHash) {
  Result<Certificate> cert = Certificate::generate();
  ASSERT_TRUE(cert.ok());
  for (HashFunction hash :
       {HashFunction::kSha1, HashFunction::kSha256, HashFunction::kSha384, HashFunction::kSha512}) {
    Result<Fingerprint> fp = compute_fingerprint(cert->certificate_der(), hash);
    ASSERT_TRUE(fp.ok());
    EXPECT_EQ(fp->hash, hash);
    EXPECT_EQ(fp->digest.size(), hash_digest_size(hash));
  }
}

TEST(Certificate, CustomCommonName) {
  CertificateOptions options;
  options.common_name = "camera-7";
  Result<Certificate> cert = Certificate::generate(options);
  ASSERT_TRUE(cert.ok());
  auto x509 = decode(cert->certificate_der());
  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(x509.get()), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "camera-7");
}

}  // namespace
}  // namespace picortc::dtls
