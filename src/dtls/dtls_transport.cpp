// OpenSSL adapter: DTLS 1.2 over a custom datagram BIO.
//
// Why a custom BIO instead of BIO_s_mem: a memory BIO concatenates writes, so
// datagram boundaries are lost, and OpenSSL 3.0 has no BIO_s_dgram_mem (3.2+).
// Our BIO hands each record OpenSSL writes to the transport, which packs
// records into datagrams of at most `mtu` bytes (RFC 6347 §4.1.1 allows several
// records per datagram), and feeds exactly one received datagram per read.
#include "dtls/dtls_transport.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "core/log.hpp"
#include "dtls/openssl_error.hpp"

namespace picortc::dtls {
namespace {

constexpr const char* kTag = "dtls";
// RFC 6347 §4.1: type(1) version(2) epoch(2) sequence_number(6) length(2).
constexpr size_t kRecordHeaderSize = 13;
// At most this many SSL_read calls per datagram: a datagram of small records
// ends long before; the bound keeps a misbehaving peer from spinning us.
constexpr int kMaxReadsPerDatagram = 64;
constexpr size_t kMinMtu = 256;

// Explicit nonce + GCM tag of the cipher suites we allow (see the cipher
// list in new_context()).
constexpr uint16_t kMinProtectedRecordLength = 8 + 16;

// RFC 6347 §4.1: every record has a 13-byte header, a DTLS major version
// (0xfe) and a length that fits in the datagram. Anything else is not DTLS;
// we drop it here, counted, rather than hand garbage to OpenSSL.
bool is_well_framed_dtls(BytesView datagram) {
  ByteReader reader(datagram);
  if (reader.empty()) return false;
  while (!reader.empty()) {
    uint8_t content_type = 0, version_major = 0, version_minor = 0;
    uint16_t epoch = 0, length = 0;
    BytesView sequence_number;
    if (!reader.read_u8(content_type) || !reader.read_u8(version_major) || !reader.read_u8(version_minor) ||
        !reader.read_u16(epoch) || !reader.read_bytes(6, sequence_number) || !reader.read_u16(length)) {
      return false;
    }
    // ContentType: change_cipher_spec(20) alert(21) handshake(22)
    // application_data(23) heartbeat(24) tls12_cid(25).
    if (content_type < 20 || content_type > 25) return false;
    if (version_major != 0xfe) return false;
    // A protected record (epoch > 0) under our AES-GCM suites holds at least
    // the 8-byte explicit nonce and the 16-byte tag (RFC 5288 §3). OpenSSL 3
    // treats a shorter one as fatal (and sends an internal_error alert)
    // instead of discarding it as RFC 6347 §4.1.2.7 asks: drop it here.
    if (epoch != 0 && length < kMinProtectedRecordLength) return false;
    if (!reader.skip(length)) return false;
  }
  return true;
}

}  // namespace

struct DtlsTransport::Impl {
  DtlsConfig config;
  SendCallback send;
  StateCallback on_state;

  SSL* ssl = nullptr;
  DtlsState state = DtlsState::kNew;
  std::string reason;
  std::optional<SrtpKeyingMaterial> keys;
  bool handshake_done = false;
  TimePoint handshake_deadline{};

  // The datagram being handed to OpenSSL (valid only inside handle_datagram).
  BytesView incoming;
  bool incoming_pending = false;
  // Records written by OpenSSL, packed until the next one would exceed mtu.
  std::vector<uint8_t> outgoing;

  std::string last_alert_received;  // "fatal: bad certificate"
  bool last_alert_was_close_notify = false;
  bool fingerprint_rejected = false;

  uint64_t datagrams_received = 0;
  uint64_t datagrams_sent = 0;
  uint64_t retransmit_timeouts = 0;
  DropCounter malformed{kTag, "malformed DTLS datagrams dropped"};
  DropCounter after_close{kTag, "DTLS datagrams after close dropped"};
  DropCounter application_data{kTag, "DTLS application data dropped"};

  ~Impl() {
    if (ssl != nullptr) SSL_free(ssl);
  }

  void set_state(DtlsState next, std::string why) {
    if (state == next || state == DtlsState::kFailed || state == DtlsState::kClosed) return;
    state = next;
    reason = std::move(why);
    if (next == DtlsState::kFailed) {
      LOG_WARN(kTag, "%s failed: %s", dtls_role_name(config.role), reason.c_str());
    } else {
      LOG_DEBUG(kTag, "%s %s %s", dtls_role_name(config.role), dtls_state_name(next), reason.c_str());
    }
    if (on_state) on_state(state, reason);
  }
  bool terminal() const { return state == DtlsState::kFailed || state == DtlsState::kClosed; }

  // --- output -------------------------------------------------------------
  void write_record(const uint8_t* data, size_t size) {
    if (!outgoing.empty() && outgoing.size() + size > config.mtu) flush_outgoing();
    outgoing.insert(outgoing.end(), data, data + size);
  }
  void flush_outgoing() {
    if (outgoing.empty()) return;
    ++datagrams_sent;
    if (send) send(BytesView(outgoing));
    outgoing.clear();
  }

  // --- input --------------------------------------------------------------
  int read_datagram(uint8_t* out, size_t capacity) {
    if (!incoming_pending) return -1;
    incoming_pending = false;
    size_t n = std::min(capacity, incoming.size());  // OpenSSL's buffer holds a max-size record
    if (n > 0) std::memcpy(out, incoming.data(), n);
    return static_cast<int>(n);
  }

  std::string describe_failure() {
    if (fingerprint_rejected) {
      ERR_clear_error();
      return std::string(kReasonFingerprintMismatch);
    }
    if (!last_alert_received.empty()) {
      ERR_clear_error();
      return std::string(kReasonAlertReceived) + ": " + last_alert_received;
    }
    return openssl_error_text();
  }

  // Reacts to SSL_do_handshake / SSL_read results other than success.
  void handle_ssl_result(int ret) {
    int error = SSL_get_error(ssl, ret);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
    if (error == SSL_ERROR_ZERO_RETURN || last_alert_was_close_notify) {
      ERR_clear_error();
      set_state(DtlsState::kClosed, std::string(kReasonCloseNotify));
      return;
    }
    set_state(DtlsState::kFailed, describe_failure());
  }

  void drive() {
    if (!handshake_done) {
      ERR_clear_error();
      int ret = SSL_do_handshake(ssl);
      if (ret != 1) {
        handle_ssl_result(ret);
        return;
      }
      handshake_done = true;
      on_handshake_complete();
    }
    if (state == DtlsState::kConnected) read_records();
  }

  // After the handshake: alerts, close_notify, retransmitted flights of the
  // peer (OpenSSL answers those itself) and application data, which DTLS-SRTP
  // without data channels never carries.
  void read_records() {
    uint8_t buffer[2048];
    for (int i = 0; i < kMaxReadsPerDatagram && state == DtlsState::kConnected; ++i) {
      ERR_clear_error();
      int ret = SSL_read(ssl, buffer, sizeof buffer);
      if (ret > 0) {
        application_data.hit("%d bytes", ret);
        continue;
      }
      handle_ssl_result(ret);
      return;
    }
  }

  void on_handshake_complete() {
    // The only authentication of a self-signed certificate (RFC 8122 §5,
    // RFC 8827 §6.5): its digest must equal the fingerprint in the remote SDP.
    X509* peer = SSL_get0_peer_certificate(ssl);
    if (peer == nullptr) {
      set_state(DtlsState::kFailed, std::string(kReasonFingerprintMismatch) + ": no peer certificate");
      return;
    }
    if (config.remote_fingerprint.empty()) {
      set_state(DtlsState::kFailed, std::string(kReasonNoRemoteFingerprint));
      return;
    }
    if (!peer_matches_fingerprint(peer)) {
      set_state(DtlsState::kFailed, std::string(kReasonFingerprintMismatch));
      return;
    }

    const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl);
    if (selected == nullptr) {
      set_state(DtlsState::kFailed, std::string(kReasonNoSrtpProfile));
      return;
    }
    std::optional<SrtpProfile> profile;
    for (SrtpProfile candidate : config.srtp_profiles) {
      if (static_cast<unsigned long>(candidate) == selected->id) profile = candidate;
    }
    if (!profile) {
      set_state(DtlsState::kFailed, std::string(kReasonNoSrtpProfile) + ": peer chose " + selected->name);
      return;
    }

    // RFC 5764 §4.2: no context value.
    std::vector<uint8_t> exported(srtp_exported_keying_material_size(*profile));
    if (SSL_export_keying_material(ssl, exported.data(), exported.size(), kDtlsSrtpExporterLabel.data(),
                                   kDtlsSrtpExporterLabel.size(), nullptr, 0, 0) != 1) {
      set_state(DtlsState::kFailed, "keying material export failed: " + openssl_error_text());
      return;
    }
    Result<SrtpKeyingMaterial> split =
        split_keying_material(*profile, BytesView(exported), config.role == DtlsRole::kClient);
    OPENSSL_cleanse(exported.data(), exported.size());
    if (!split) {
      set_state(DtlsState::kFailed, split.error().message());
      return;
    }
    keys = std::move(*split);
    LOG_INFO(kTag, "%s connected: %s, %s", dtls_role_name(config.role), SSL_get_cipher_name(ssl),
             selected->name);
    set_state(DtlsState::kConnected, {});
  }

  bool peer_matches_fingerprint(X509* cert) const {
    int size = i2d_X509(cert, nullptr);
    if (size <= 0) return false;
    std::vector<uint8_t> der(static_cast<size_t>(size));
    unsigned char* cursor = der.data();
    if (i2d_X509(cert, &cursor) != size) return false;
    Result<Fingerprint> actual = compute_fingerprint(BytesView(der), config.remote_fingerprint.hash);
    return actual.ok() && *actual == config.remote_fingerprint;
  }
};

namespace {

DtlsTransport::Impl* impl_of(const SSL* ssl) {
  return static_cast<DtlsTransport::Impl*>(SSL_get_app_data(ssl));
}

// --- the datagram BIO -------------------------------------------------------
int bio_write(BIO* bio, const char* data, int size) {
  auto* impl = static_cast<DtlsTransport::Impl*>(BIO_get_data(bio));
  if (impl == nullptr || size <= 0) return size <= 0 ? 0 : -1;
  impl->write_record(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(size));
  return size;
}

int bio_read(BIO* bio, char* out, int capacity) {
  BIO_clear_retry_flags(bio);
  auto* impl = static_cast<DtlsTransport::Impl*>(BIO_get_data(bio));
  int n = (impl == nullptr || capacity <= 0)
              ? -1
              : impl->read_datagram(reinterpret_cast<uint8_t*>(out), static_cast<size_t>(capacity));
  if (n < 0) BIO_set_retry_read(bio);
  return n;
}

long bio_ctrl(BIO* bio, int command, long, void*) {
  switch (command) {
    case BIO_CTRL_FLUSH: {
      // OpenSSL flushes at the end of each flight: send what is packed.
      auto* impl = static_cast<DtlsTransport::Impl*>(BIO_get_data(bio));
      if (impl != nullptr) impl->flush_outgoing();
      return 1;
    }
    case BIO_CTRL_PENDING:
    case BIO_CTRL_WPENDING:
      return 0;
    case BIO_CTRL_DGRAM_QUERY_MTU:         // not asked: SSL_OP_NO_QUERY_MTU
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:  // our mtu is the UDP payload already
    case BIO_CTRL_DGRAM_MTU_EXCEEDED:
    default:
      return 0;
  }
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  BIO_set_data(bio, nullptr);
  return 1;
}

int bio_destroy(BIO* bio) {
  BIO_set_data(bio, nullptr);  // the transport owns itself
  return 1;
}

BIO_METHOD* datagram_bio_method() {
  // Created once, lives as long as the process (OpenSSL keeps no list of them).
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "picortc dtls datagram");
    if (m == nullptr) return m;
    BIO_meth_set_write(m, bio_write);
    BIO_meth_set_read(m, bio_read);
    BIO_meth_set_ctrl(m, bio_ctrl);
    BIO_meth_set_create(m, bio_create);
    BIO_meth_set_destroy(m, bio_destroy);
    return m;
  }();
  return method;
}

// --- OpenSSL callbacks -------------------------------------------------------

// Self-signed certificates never chain to a trust anchor: accept whatever the
// chain check says, but reject the leaf right here if its digest does not
// match the SDP fingerprint, so OpenSSL sends bad_certificate to the peer and
// no keys are ever derived. on_handshake_complete() checks again.
int verify_callback(int /*preverify_ok*/, X509_STORE_CTX* store) {
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  DtlsTransport::Impl* impl = ssl != nullptr ? impl_of(ssl) : nullptr;
  if (impl == nullptr) return 0;
  if (X509_STORE_CTX_get_error_depth(store) != 0 || impl->config.remote_fingerprint.empty()) return 1;
  X509* leaf = X509_STORE_CTX_get_current_cert(store);
  if (leaf != nullptr && impl->peer_matches_fingerprint(leaf)) return 1;
  impl->fingerprint_rejected = true;
  X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
  return 0;
}

// RFC 6347 §4.2.4.1: start with the configured timeout, double on each
// expiry, cap. OpenSSL passes 0 when it (re)starts the timer.
unsigned int timer_callback(SSL* ssl, unsigned int previous_us) {
  DtlsTransport::Impl* impl = impl_of(ssl);
  auto to_us = [](Duration d) {
    auto us = std::chrono::duration_cast<microseconds>(d).count();
    return static_cast<unsigned int>(std::clamp<long long>(us, 1000, 60LL * 1000 * 1000));
  };
  unsigned int initial = to_us(impl->config.initial_retransmit_timeout);
  unsigned int cap = std::max(initial, to_us(impl->config.max_retransmit_timeout));
  if (previous_us == 0) return initial;
  return previous_us >= cap / 2 ? cap : previous_us * 2;
}

void info_callback(const SSL* ssl, int where, int value) {
  if ((where & SSL_CB_ALERT) == 0 || (where & SSL_CB_READ) == 0) return;
  DtlsTransport::Impl* impl = impl_of(ssl);
  if (impl == nullptr) return;
  // value: alert level in the high byte, description in the low byte.
  impl->last_alert_received =
      std::string(SSL_alert_type_string_long(value)) + " " + SSL_alert_desc_string_long(value);
  impl->last_alert_was_close_notify = (value & 0xff) == SSL_AD_CLOSE_NOTIFY;
  LOG_DEBUG(kTag, "received alert: %s", impl->last_alert_received.c_str());
}

std::string srtp_profile_list(const std::vector<SrtpProfile>& profiles) {
  std::string out;
  for (SrtpProfile profile : profiles) {
    if (!out.empty()) out += ':';
    out += srtp_profile_name(profile);
  }
  return out;
}

using SslCtxPtr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;

Result<SslCtxPtr> new_context(const Certificate& certificate, const std::string& profiles) {
  auto fail = [](const char* step) {
    return make_error(kErrOpenSsl, std::string(step) + ": " + openssl_error_text());
  };
  ERR_clear_error();
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(DTLS_method()), &SSL_CTX_free);
  if (!ctx) return fail("SSL_CTX_new");
  // DTLS 1.2 only (RFC 8827 §6.5 requires at least 1.2; 1.3 is not in 3.0).
  if (SSL_CTX_set_min_proto_version(ctx.get(), DTLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx.get(), DTLS1_2_VERSION) != 1) {
    return fail("protocol version");
  }
  // ECDHE with our ECDSA key, AEAD only (RFC 8827 §6.5 names
  // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 as the one to support).
  if (SSL_CTX_set_cipher_list(ctx.get(), "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384") !=
      1) {
    return fail("cipher list");
  }
  if (SSL_CTX_set1_groups_list(ctx.get(), "X25519:P-256:P-384") != 1) return fail("groups");
  // No renegotiation, no session tickets (nothing resumes), and our MTU, not
  // one asked of a socket we do not have.
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_callback);
  // Returns 0 on success, unlike most of OpenSSL.
  if (SSL_CTX_set_tlsext_use_srtp(ctx.get(), profiles.c_str()) != 0) return fail("use_srtp");

  BytesView cert_der = certificate.certificate_der();
  const unsigned char* cursor = cert_der.data();
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      d2i_X509(nullptr, &cursor, static_cast<long>(cert_der.size())), &X509_free);
  if (!cert) return fail("certificate DER");
  BytesView key_der = certificate.private_key_der();
  cursor = key_der.data();
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      d2i_AutoPrivateKey(nullptr, &cursor, static_cast<long>(key_der.size())), &EVP_PKEY_free);
  if (!key) return fail("private key DER");
  if (SSL_CTX_use_certificate(ctx.get(), cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1 || SSL_CTX_check_private_key(ctx.get()) != 1) {
    return fail("certificate/key");
  }

  return Result<SslCtxPtr>(std::move(ctx));  // explicit: GCC 8 does not move into a converting constructor
}

// SSL_CTX_new costs most of a transport's creation in OpenSSL 3.0 (provider
// fetches), so transports with the same certificate and profiles share one
// context; per-connection state lives in the SSL object. The last context
// stays cached for the life of the process.
Result<SslCtxPtr> shared_context(const Certificate& certificate, const std::string& profiles) {
  static std::mutex mutex;
  static std::string cached_key;
  static SSL_CTX* cached = nullptr;
  std::string key = profiles;
  key += '\n';
  key.append(certificate.certificate_der().as_string_view());
  key.append(certificate.private_key_der().as_string_view());
  std::lock_guard<std::mutex> lock(mutex);
  if (cached == nullptr || key != cached_key) {
    Result<SslCtxPtr> fresh = new_context(certificate, profiles);
    if (!fresh) return fresh.error();
    if (cached != nullptr) SSL_CTX_free(cached);
    cached = fresh->release();
    cached_key = std::move(key);
  }
  SSL_CTX_up_ref(cached);
  return SslCtxPtr(cached, &SSL_CTX_free);
}

}  // namespace

const char* dtls_role_name(DtlsRole role) {
  return role == DtlsRole::kClient ? "client" : "server";
}

const char* dtls_state_name(DtlsState state) {
  switch (state) {
    case DtlsState::kNew:
      return "new";
    case DtlsState::kConnecting:
      return "connecting";
    case DtlsState::kConnected:
      return "connected";
    case DtlsState::kFailed:
      return "failed";
    case DtlsState::kClosed:
      return "closed";
  }
  return "?";
}

Result<DtlsRole> dtls_role_from_setup(std::string_view setup) {
  if (setup == "active") return DtlsRole::kClient;
  if (setup == "passive") return DtlsRole::kServer;
  return make_error(kErrSetupValue, std::string(setup.substr(0, 16)));
}

Result<std::unique_ptr<DtlsTransport>> DtlsTransport::create(DtlsConfig config, SendCallback send,
                                                             StateCallback on_state) {
  if (config.certificate.empty()) return make_error(kErrConfig, "no certificate");
  if (config.srtp_profiles.empty()) return make_error(kErrConfig, "no SRTP profile");
  if (config.mtu < kMinMtu || config.mtu > 65507) {
    return make_error(kErrConfig, "mtu " + std::to_string(config.mtu) + " outside 256..65507");
  }
  if (config.handshake_timeout <= Duration::zero() || config.initial_retransmit_timeout <= Duration::zero()) {
    return make_error(kErrConfig, "timeouts must be positive");
  }

  auto impl = std::make_unique<Impl>();
  impl->config = std::move(config);
  impl->send = std::move(send);
  impl->on_state = std::move(on_state);
  auto fail = [](const char* step) {
    return make_error(kErrOpenSsl, std::string(step) + ": " + openssl_error_text());
  };

  std::string profiles = srtp_profile_list(impl->config.srtp_profiles);
  Result<SslCtxPtr> ctx = shared_context(impl->config.certificate, profiles);
  if (!ctx) return ctx.error();

  impl->ssl = SSL_new(ctx->get());
  if (impl->ssl == nullptr) return fail("SSL_new");
  SSL_set_app_data(impl->ssl, impl.get());
  // After the handshake DTLS carries nothing but close_notify: let OpenSSL
  // free its record buffers (~33 KB a connection) while they are empty.
  SSL_set_mode(impl->ssl, SSL_MODE_RELEASE_BUFFERS);
  BIO_METHOD* method = datagram_bio_method();
  BIO* bio = method != nullptr ? BIO_new(method) : nullptr;
  if (bio == nullptr) return fail("BIO_new");
  BIO_set_data(bio, impl.get());
  SSL_set_bio(impl->ssl, bio, bio);  // one BIO both ways: SSL owns one reference
  // Returns the MTU it set (0 when below the DTLS minimum).
  if (SSL_set_mtu(impl->ssl, static_cast<long>(impl->config.mtu)) <= 0) return fail("SSL_set_mtu");
  DTLS_set_timer_cb(impl->ssl, timer_callback);
  SSL_set_info_callback(impl->ssl, info_callback);
  if (impl->config.role == DtlsRole::kClient) {
    SSL_set_connect_state(impl->ssl);
  } else {
    SSL_set_accept_state(impl->ssl);
  }
  return std::unique_ptr<DtlsTransport>(new DtlsTransport(std::move(impl)));
}

DtlsTransport::DtlsTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DtlsTransport::~DtlsTransport() = default;

void DtlsTransport::start() {
  Impl& impl = *impl_;
  if (impl.state != DtlsState::kNew) return;
  impl.handshake_deadline = Clock::now() + impl.config.handshake_timeout;
  impl.set_state(DtlsState::kConnecting, {});
  if (impl.config.role == DtlsRole::kClient) impl.drive();
  impl.flush_outgoing();
}

void DtlsTransport::handle_datagram(BytesView datagram) {
  Impl& impl = *impl_;
  if (impl.state == DtlsState::kNew) start();
  ++impl.datagrams_received;
  if (impl.terminal()) {
    impl.after_close.hit("%zu bytes in state %s", datagram.size(), dtls_state_name(impl.state));
    return;
  }
  if (!is_well_framed_dtls(datagram)) {
    impl.malformed.hit("%zu bytes, first byte %u", datagram.size(),
                       datagram.empty() ? 0u : static_cast<unsigned>(datagram[0]));
    return;
  }
  impl.incoming = datagram;
  impl.incoming_pending = true;
  impl.drive();
  impl.incoming_pending = false;  // what OpenSSL did not read is gone with the datagram
  impl.incoming = {};
  impl.flush_outgoing();
}

std::optional<Duration> DtlsTransport::next_timeout() const {
  const Impl& impl = *impl_;
  if (impl.state == DtlsState::kNew || impl.terminal()) return std::nullopt;
  std::optional<Duration> next;
  timeval tv{};
  if (DTLSv1_get_timeout(impl.ssl, &tv) == 1) {
    next = std::chrono::duration_cast<Duration>(seconds(tv.tv_sec) + microseconds(tv.tv_usec));
  }
  if (impl.state == DtlsState::kConnecting) {
    Duration until_deadline = std::max(Duration::zero(), impl.handshake_deadline - Clock::now());
    if (!next || until_deadline < *next) next = until_deadline;
  }
  return next;
}

void DtlsTransport::handle_timeout() {
  Impl& impl = *impl_;
  if (impl.state == DtlsState::kNew || impl.terminal()) return;
  if (impl.state == DtlsState::kConnecting && Clock::now() >= impl.handshake_deadline) {
    impl.set_state(DtlsState::kFailed, std::string(kReasonHandshakeTimeout));
    return;
  }
  ERR_clear_error();
  int ret = DTLSv1_handle_timeout(impl.ssl);
  if (ret > 0) {
    ++impl.retransmit_timeouts;
  } else if (ret < 0) {
    // Too many retransmissions (OpenSSL gives up after 12 on its own).
    impl.set_state(DtlsState::kFailed, std::string(kReasonHandshakeTimeout) + ": " + openssl_error_text());
  }
  impl.flush_outgoing();
}

void DtlsTransport::close() {
  Impl& impl = *impl_;
  if (impl.terminal()) return;
  if (impl.state == DtlsState::kConnected) {
    // RFC 5246 §7.2.1: close_notify. OpenSSL refuses a shutdown mid-handshake,
    // so a connecting transport just stops.
    ERR_clear_error();
    SSL_shutdown(impl.ssl);
    ERR_clear_error();
    impl.flush_outgoing();
  }
  impl.set_state(DtlsState::kClosed, std::string(kReasonClosedLocally));
}

void DtlsTransport::set_remote_fingerprint(Fingerprint fingerprint) {
  impl_->config.remote_fingerprint = std::move(fingerprint);
}

DtlsState DtlsTransport::state() const {
  return impl_->state;
}
DtlsRole DtlsTransport::role() const {
  return impl_->config.role;
}
const std::string& DtlsTransport::reason() const {
  return impl_->reason;
}
const std::optional<SrtpKeyingMaterial>& DtlsTransport::srtp_keys() const {
  return impl_->keys;
}

DtlsStats DtlsTransport::stats() const {
  DtlsStats out;
  out.datagrams_received = impl_->datagrams_received;
  out.datagrams_sent = impl_->datagrams_sent;
  out.malformed_dropped = impl_->malformed.count();
  out.after_close_dropped = impl_->after_close.count();
  out.application_data_dropped = impl_->application_data.count();
  out.retransmit_timeouts = impl_->retransmit_timeouts;
  return out;
}

}  // namespace picortc::dtls
