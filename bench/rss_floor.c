/* The memory floor of any process that sends DTLS-SRTP with the libraries
 * picortc must use (OpenSSL 3, libsrtp2): it makes a DTLS context with a
 * P-256 certificate, as serve does at start, and protects one RTP packet
 * with AES-GCM, as serve does for every viewer; nothing else (no network,
 * no video, no C++ runtime). bench_serve_fanout runs it and prints what it
 * printed, next to serve's own peak RSS.
 *
 * Prints one line: "floor peak_rss_kb=N anon_kb=N file_kb=N"; exit 1 if a
 * step failed. Plain C, so that no library is loaded that the two do not
 * load themselves. */
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <srtp2/srtp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long status_kb(const char* key) {
  FILE* file = fopen("/proc/self/status", "r");
  char line[256];
  long value = -1;
  size_t key_length = strlen(key);
  if (file == NULL) return -1;
  while (fgets(line, sizeof line, file) != NULL) {
    if (strncmp(line, key, key_length) == 0) value = atol(line + key_length);
  }
  fclose(file);
  return value;
}

static int make_dtls_context(void) {
  SSL_CTX* context = SSL_CTX_new(DTLS_method());
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* certificate = X509_new();
  int ok = context != NULL && key != NULL && certificate != NULL && X509_set_pubkey(certificate, key) == 1 &&
           X509_sign(certificate, key, EVP_sha256()) > 0 &&
           SSL_CTX_use_certificate(context, certificate) == 1 && SSL_CTX_use_PrivateKey(context, key) == 1;
  SSL* connection = ok ? SSL_new(context) : NULL;
  ok = ok && connection != NULL;
  SSL_free(connection);
  X509_free(certificate);
  EVP_PKEY_free(key);
  SSL_CTX_free(context);
  return ok;
}

static int protect_one_packet(void) {
  unsigned char master[28]; /* AES-128 key + 12-byte salt (RFC 7714) */
  unsigned char packet[1212 + SRTP_MAX_TRAILER_LEN];
  srtp_policy_t policy;
  srtp_t session = NULL;
  int length = 1212;
  int ok;
  memset(master, 0x11, sizeof master);
  memset(packet, 0x5a, sizeof packet);
  packet[0] = 0x80; /* RTP version 2 */
  packet[1] = 102;
  memset(&policy, 0, sizeof policy);
  srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
  srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
  policy.ssrc.type = ssrc_any_outbound;
  policy.key = master;
  policy.window_size = 128;
  ok = srtp_init() == srtp_err_status_ok && srtp_create(&session, &policy) == srtp_err_status_ok &&
       srtp_protect(session, packet, &length) == srtp_err_status_ok;
  if (session != NULL) srtp_dealloc(session);
  return ok;
}

int main(void) {
  if (!make_dtls_context() || !protect_one_packet()) {
    fprintf(stderr, "rss_floor: OpenSSL or libsrtp2 failed\n");
    return 1;
  }
  printf("floor peak_rss_kb=%ld anon_kb=%ld file_kb=%ld\n", status_kb("VmHWM:"), status_kb("RssAnon:"),
         status_kb("RssFile:"));
  return 0;
}
