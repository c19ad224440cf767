#include "dtls/dtls_transport.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "dtls_test_link.hpp"

namespace picortc::dtls {
namespace {

using testing::DtlsTestLink;
using testing::make_config;
using testing::test_certificate;

const Certificate& client_cert() {
  return test_certificate(0);
}
const Certificate& server_cert() {
  return test_certificate(1);
}
const Certificate& stranger_cert() {
  return test_certificate(2);
}

DtlsTestLink make_link() {
  return DtlsTestLink(make_config(DtlsRole::kClient, client_cert(), server_cert()),
                      make_config(DtlsRole::kServer, server_cert(), client_cert()));
}

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix.data(), prefix.size()) == 0;
}

void expect_crosswise_keys(const DtlsTestLink& link, SrtpProfile profile) {
  ASSERT_TRUE(link.client.transport->srtp_keys().has_value());
  ASSERT_TRUE(link.server.transport->srtp_keys().has_value());
  const SrtpKeyingMaterial& client = *link.client.transport->srtp_keys();
  const SrtpKeyingMaterial& server = *link.server.transport->srtp_keys();
  EXPECT_EQ(client.profile, profile);
  EXPECT_EQ(server.profile, profile);
  EXPECT_EQ(client.local_key.size(), srtp_master_key_size(profile));
  EXPECT_EQ(client.local_salt.size(), srtp_master_salt_size(profile));
  EXPECT_EQ(client.local_key, server.remote_key);
  EXPECT_EQ(client.local_salt, server.remote_salt);
  EXPECT_EQ(client.remote_key, server.local_key);
  EXPECT_EQ(client.remote_salt, server.local_salt);
  EXPECT_NE(client.local_key, client.remote_key);
  EXPECT_NE(client.local_salt, client.remote_salt);
}

TEST(DtlsTransport, HandshakePrefersGcmAndExportsCrosswiseKeys) {
  DtlsTestLink link = make_link();
  ASSERT_TRUE(link.ok()) << link.create_error;
  ASSERT_TRUE(link.handshake());
  EXPECT_EQ(link.client.transport->state(), DtlsState::kConnected) << link.client.last_reason;
  EXPECT_EQ(link.server.transport->state(), DtlsState::kConnected) << link.server.last_reason;
  expect_crosswise_keys(link, SrtpProfile::kAeadAes128Gcm);
  EXPECT_EQ(link.client.states, (std::vector<DtlsState>{DtlsState::kConnecting, DtlsState::kConnected}));
  EXPECT_EQ(link.server.states, (std::vector<DtlsState>{DtlsState::kConnecting, DtlsState::kConnected}));
  EXPECT_EQ(link.client.transport->role(), DtlsRole::kClient);
  EXPECT_EQ(link.server.transport->role(), DtlsRole::kServer);
  EXPECT_EQ(link.client.transport->stats().malformed_dropped, 0u);
}

TEST(DtlsTransport, ServerLimitedToAesCmNegotiatesAesCm) {
  DtlsConfig server = make_config(DtlsRole::kServer, server_cert(), client_cert());
  server.srtp_profiles = {SrtpProfile::kAes128CmHmacSha1_80};
  DtlsTestLink link(make_config(DtlsRole::kClient, client_cert(), server_cert()), server);
  ASSERT_TRUE(link.handshake());
  ASSERT_TRUE(link.client.connected() && link.server.connected());
  expect_crosswise_keys(link, SrtpProfile::kAes128CmHmacSha1_80);
}

TEST(DtlsTransport, ClientOfferingOnlyAesCmGetsAesCm) {
  DtlsConfig client = make_config(DtlsRole::kClient, client_cert(), server_cert());
  client.srtp_profiles = {SrtpProfile::kAes128CmHmacSha1_80};
  DtlsTestLink link(client, make_config(DtlsRole::kServer, server_cert(), client_cert()));
  ASSERT_TRUE(link.handshake());
  ASSERT_TRUE(link.client.connected() && link.server.connected());
  expect_crosswise_keys(link, SrtpProfile::kAes128CmHmacSha1_80);
}

TEST(DtlsTransport, ServerPreferenceOrderDecides) {
  DtlsConfig server = make_config(DtlsRole::kServer, server_cert(), client_cert());
  server.srtp_profiles = {SrtpProfile::kAes128CmHmacSha1_80, SrtpProfile::kAeadAes128Gcm};
  DtlsTestLink link(make_config(DtlsRole::kClient, client_cert(), server_cert()), server);
  ASSERT_TRUE(link.handshake());
  expect_crosswise_keys(link, SrtpProfile::kAes128CmHmacSha1_80);
}

TEST(DtlsTransport, NoCommonSrtpProfileFailsWithoutKeys) {
  DtlsConfig client = make_config(DtlsRole::kClient, client_cert(), server_cert());
  client.srtp_profiles = {SrtpProfile::kAes128CmHmacSha1_80};
  DtlsConfig server = make_config(DtlsRole::kServer, server_cert(), client_cert());
  server.srtp_profiles = {SrtpProfile::kAeadAes128Gcm};
  DtlsTestLink link(client, server);
  ASSERT_TRUE(link.handshake());
  EXPECT_EQ(link.client.transport->state(), DtlsState::kFailed);
  EXPECT_EQ(link.server.transport->state(), DtlsState::kFailed);
  EXPECT_TRUE(starts_with(link.server.transport->reason(), kReasonNoSrtpProfile)) << link.server.last_reason;
  EXPECT_TRUE(starts_with(link.client.transport->reason(), kReasonNoSrtpProfile)) << link.client.last_reason;
  EXPECT_FALSE(link.client.transport->srtp_keys().has_value());
  EXPECT_FALSE(link.server.transport->srtp_keys().has_value());
}

TEST(DtlsTransport, ClientRejectsServerWithWrongFingerprint) {
  DtlsConfig client = make_config(DtlsRole::kClient, client_cert(), stranger_cert());
  DtlsTestLink link(client, make_config(DtlsRole::kServer, server_cert(), client_cert()));
  ASSERT_TRUE(link.handshake());
  EXPECT_EQ(link.client.transport->state(), DtlsState::kFailed);
  EXPECT_EQ(link.client.transport->reason(), kReasonFingerprintMismatch);
  EXPECT_FALSE(link.client.transport->srtp_keys().has_value());
  // The client told the server why (bad_certificate), so it fails too.
  EXPECT_EQ(link.server.transport->state(), DtlsState::kFailed);
  EXPECT_TRUE(starts_with(link.server.transport->reason(), kReasonAlertReceived)) << link.server.last_reason;
  EXPECT_NE(link.server.transport->reason().find("bad certificate"), std::string::npos)
      << link.server.last_reason;
  EXPECT_FALSE(link.server.transport->srtp_keys().has_value());
}

TEST(DtlsTransport, ServerRejectsClientWithWrongFingerprint) {
  DtlsConfig server = make_config(DtlsRole::kServer, server_cert(), stranger_cert());
  DtlsTestLink link(make_config(DtlsRole::kClient, client_cert(), server_cert()), server);
  ASSERT_TRUE(link.handshake());
  EXPECT_EQ(link.server.transport->state(), DtlsState::kFailed);
  EXPECT_EQ(link.server.transport->reason(), kReasonFingerprintMismatch);
  EXPECT_FALSE(link.server.transport->srtp_keys().has_value());
  EXPECT_EQ(link.client.transport->state(), DtlsState::kFailed);
  EXPECT_TRUE(starts_with(link.client.transport->reason(), kReasonAlertReceived)) << link.client.last_reason;
  EXPECT_FALSE(link.client.transport->srtp_keys().has_value());
}

TEST(DtlsTransport, FingerprintDifferingInOneByteIsRejected) {
  Fingerprint almost = server_cert().fingerprint();
  almost.digest.back() ^= 0x01;
  DtlsConfig client = make_config(DtlsRole::kClient, client_cert(), server_cert());
  client.remote_fingerprint = almost;
  DtlsTestLink link(client, make_config(DtlsRole::kServer, server_cert(), client_cert()));
  ASSERT_TRUE(link.handshake());
  EXPECT_EQ(link.client.transport->reason(), kReasonFingerprintMismatch);
  EXPECT_FALSE(link.client.transport->srtp_keys().has_value());
}

TEST(DtlsTransport, Sha512FingerprintAccepted) {
  Result<Fingerprint> sha512 = compute_fingerprint(server_cert().certificate_der(), HashFunction::kSha512);
  ASSERT_TRUE(sha512.ok());
  DtlsConfig client = make_config(DtlsRole::kClient, client_cert(), server_cert());
  client.remote_fingerprint = *sha512;
  DtlsTestLink link(client, make_config(DtlsRole::kServer, server_cert(), client_cert()));
  ASSERT_TRUE(link.handshake());
  EXPECT_TRUE(link.client.connected()) << link.client.last_reason;
  EXPECT_TRUE(link.server.connected()) << link.server.last_reason;
}

TEST(DtlsTransport, MissingRemoteFingerprintFails) {
  DtlsConfig server = make_config(DtlsRole::kServer, server_cert(), client_cert());
  server.remote_fingerprint = Fingerprint{};
  DtlsTestLink link(make_config(DtlsRole::kClient, client_cert(), server_cert()), server);
  ASSERT_TRUE(link.handshake());
  EXPECT_EQ(link.server.transport->state(), DtlsState::kFailed);
  EXPECT_EQ(link.server.transport->reason(), kReasonNoRemoteFingerprint);
  EXPECT_FALSE(link.server.transport->srtp_keys().has_value());
}

TEST(DtlsTransport, RemoteFingerprintSetAfterCreateIsUsed) {
  DtlsConfig server = make_config(DtlsRole::kServer, server_cert(), client_cert());
  server.remote_fingerprint = Fingerprint{};
  DtlsTestLink link(make_config(DtlsRole::kClient, client_cert(), server_cert()), server);
  link.server.transport->set_remote_fingerprint(client_cert().fingerprint());
  ASSERT_TRUE(link.handshake());
  EXPECT_TRUE(link.server.connected()) << link.server.last_reason;
}

TEST(DtlsTransport, LostClientHellosAreRetransmitted) {
  DtlsTestLink link = make_link();
  link.filter = [](bool from_client, size_t index, const std::vector<uint8_t>&) {
    return from_client && index < 2;
  };
  ASSERT_TRUE(link.handshake());
  EXPECT_TRUE(link.client.connected()) << link.client.last_reason;
  EXPECT_TRUE(link.server.connected()) << link.server.last_reason;
  EXPECT_EQ(link.dropped, 2u);
  EXPECT_GE(link.client.transport->stats().retransmit_timeouts, 2u);
  expect_crosswise_keys(link, SrtpProfile::kAeadAes128Gcm);
}

TEST(DtlsTransport, LostServerFlightIsRetransmitted) {
  DtlsTestLink link = make_link();
  // The server's whole first flight (ServerHello .. ServerHelloDone) once.
  size_t first_flight = 0;
  link.filter = [&](bool from_client, size_t index, const std::vector<uint8_t>&) {
    if (from_client) return false;
    if (index == 0) first_flight = link.server.sent.size();
    return index < first_flight;
  };
  ASSERT_TRUE(link.handshake());
  EXPECT_TRUE(link.client.connected()) << link.client.last_reason;
  EXPECT_TRUE(link.server.connected()) << link.server.last_reason;
  EXPECT_GE(link.dropped, 1u);
  expect_crosswise_keys(link, SrtpProfile::kAeadAes128Gcm);
}

TEST(DtlsTransport, LostFinalFlightIsRecovered) {
  DtlsTestLink link = make_link();
  // Drop the server's last flight (ChangeCipherSpec + Finished) once: the
  // client retransmits its Finished flight and the server answers again.
  bool dropped_final = false;
  link.filter = [&](bool from_client, size_t, const std::vector<uint8_t>&) {
    if (from_client || dropped_final || !link.server.connected()) return false;
    dropped_final = true;
    return true;
  };
  ASSERT_TRUE(link.handshake());
  EXPECT_TRUE(dropped_final);
  EXPECT_TRUE(link.client.connected()) << link.client.last_reason;
  EXPECT_TRUE(link.server.connected()) << link.server.last_reason;
  expect_crosswise_keys(link, SrtpProfile::kAeadAes128Gcm);
}

TEST(DtlsTransport, GarbageDatagramsAreCountedAndHandshakeCompletes) {
  DtlsTestLink link = make_link();
  const std::vector<std::vector<uint8_t>> garbage = {
      {},                                                             // empty
      {22},                                                           // first byte only
      {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 1, 2, 3},  // length past the end
      {22, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0x00},     // TLS, not DTLS, version
      {99, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0x00},     // no such content type
      {0x80, 0x60, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef},               // looks like RTP
  };
  size_t injected_client = 0, injected_server = 0;
  link.filter = [&](bool from_client, size_t, const std::vector<uint8_t>&) {
    // Before every real datagram, hand the receiver all garbage first.
    for (const auto& bytes : garbage) {
      if (from_client) {
        link.server.transport->handle_datagram(BytesView(bytes));
        ++injected_server;
      } else {
        link.client.transport->handle_datagram(BytesView(bytes));
        ++injected_client;
      }
    }
    return false;
  };
  ASSERT_TRUE(link.handshake());
  EXPECT_TRUE(link.client.connected()) << link.client.last_reason;
  EXPECT_TRUE(link.server.connected()) << link.server.last_reason;
  EXPECT_GT(injected_server, 0u);
  EXPECT_GT(injected_client, 0u);
  EXPECT_EQ(link.server.transport->stats().malformed_dropped, injected_server);
  EXPECT_EQ(link.client.transport->stats().malformed_dropped, injected_client);
  expect_crosswise_keys(link, SrtpProfile::kAeadAes128Gcm);
}

// Well-framed records OpenSSL cannot use (a future epoch that never
// decrypts, an epoch far ahead) are discarded by OpenSSL itself (RFC 6347
// §4.1.2.7: invalid records are silently dropped) without hurting the
// handshake.
TEST(DtlsTransport, UndecryptableRecordsDoNotBreakTheHandshake) {
  DtlsTestLink link = make_link();
  std::vector<uint8_t> epoch1_application_data = {23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 7, 0, 32};
  for (int i = 0; i < 32; ++i)
    epoch1_application_data.push_back(static_cast<uint8_t>(i * 13));
  std::vector<uint8_t> epoch9_handshake = epoch1_application_data;
  epoch9_handshake[0] = 22;
  epoch9_handshake[4] = 9;
  link.filter = [&](bool from_client, size_t, const std::vector<uint8_t>&) {
    DtlsTransport& receiver = from_client ? *link.server.transport : *link.client.transport;
    receiver.handle_datagram(BytesView(epoch1_application_data));
    receiver.handle_datagram(BytesView(epoch9_handshake));
    return false;
  };
  ASSERT_TRUE(link.handshake());
  EXPECT_TRUE(link.client.connected()) << link.client.last_reason;
  EXPECT_TRUE(link.server.connected()) << link.server.last_reason;
  expect_crosswise_keys(link, SrtpProfile::kAeadAes128Gcm);
  // And once connected: a record whose authentication fails is dropped too.
  link.filter = nullptr;
  link.server.transport->handle_datagram(BytesView(epoch1_application_data));
  EXPECT_EQ(link.server.transport->state(), DtlsState::kConnected) << link.server.last_reason;
  EXPECT_EQ(link.server.transport->stats().application_data_dropped, 0u);
}

TEST(DtlsTransport, CloseNotifyClosesThePeer) {
  DtlsTestLink link = make_link();
  ASSERT_TRUE(link.handshake());
  ASSERT_TRUE(link.client.connected() && link.server.connected());
  size_t sent_before = link.client.sent.size();
  link.client.transport->close();
  EXPECT_EQ(link.client.transport->state(), DtlsState::kClosed);
  EXPECT_EQ(link.client.transport->reason(), kReasonClosedLocally);
  EXPECT_EQ(link.client.sent.size(), sent_before + 1);  // the close_notify alert
  ASSERT_TRUE(link.run_until([&] { return link.server.transport->state() != DtlsState::kConnected; }));
  EXPECT_EQ(link.server.transport->state(), DtlsState::kClosed);
  EXPECT_EQ(link.server.transport->reason(), kReasonCloseNotify);
  // Keys stay readable after close (the media path may still drain).
  EXPECT_TRUE(link.server.transport->srtp_keys().has_value());
}

TEST(DtlsTransport, DatagramsAfterCloseAreCounted) {
  DtlsTestLink link = make_link();
  ASSERT_TRUE(link.handshake());
  link.server.transport->close();
  std::vector<uint8_t> record = link.client.sent.front();
  link.server.transport->handle_datagram(BytesView(record));
  EXPECT_EQ(link.server.transport->stats().after_close_dropped, 1u);
  EXPECT_EQ(link.server.transport->state(), DtlsState::kClosed);
}

// A plaintext epoch-0 alert record (RFC 6347 §4.1, RFC 5246 §7.2):
// fatal(2) handshake_failure(40).
std::vector<uint8_t> plaintext_alert(uint8_t level, uint8_t description) {
  return {21,    0xfe,       0xfd,           // alert, DTLS 1.2
          0,     0,                          // epoch 0
          0,     0,          0,    0, 0, 0,  // sequence number 0
          0,     2,                          // length
          level, description};
}

TEST(DtlsTransport, IncomingFatalAlertDuringHandshakeFails) {
  DtlsTestLink link = make_link();
  link.client.transport->start();
  ASSERT_EQ(link.client.transport->state(), DtlsState::kConnecting);
  ASSERT_FALSE(link.client.sent.empty());  // the ClientHello
  std::vector<uint8_t> alert = plaintext_alert(2, 40);
  link.client.transport->handle_datagram(BytesView(alert));
  EXPECT_EQ(link.client.transport->state(), DtlsState::kFailed);
  EXPECT_TRUE(starts_with(link.client.transport->reason(), kReasonAlertReceived)) << link.client.last_reason;
  EXPECT_NE(link.client.transport->reason().find("handshake failure"), std::string::npos)
      << link.client.last_reason;
  EXPECT_FALSE(link.client.transport->next_timeout().has_value());
}

TEST(DtlsTransport, HandshakeTimesOutWhenPeerNeverAnswers) {
  DtlsConfig config = make_config(DtlsRole::kClient, client_cert(), server_cert());
  config.handshake_timeout = milliseconds(300);
  DtlsTestLink link(config, make_config(DtlsRole::kServer, server_cert(), client_cert()));
  link.filter = [](bool, size_t, const std::vector<uint8_t>&) { return true; };
  link.start();
  ASSERT_TRUE(link.run_until([&] { return link.client.finished(); }, seconds(3)));
  EXPECT_EQ(link.client.transport->state(), DtlsState::kFailed);
  EXPECT_TRUE(starts_with(link.client.transport->reason(), kReasonHandshakeTimeout));
  EXPECT_GE(link.client.transport->stats().retransmit_timeouts, 1u);
  EXPECT_GE(link.client.sent.size(), 2u);  // the ClientHello went out again
  EXPECT_FALSE(link.client.transport->srtp_keys().has_value());
}

TEST(DtlsTransport, RetransmitTimerStartsAtConfiguredValue) {
  DtlsConfig config = make_config(DtlsRole::kClient, client_cert(), server_cert());
  config.initial_retransmit_timeout = milliseconds(700);
  config.max_retransmit_timeout = seconds(5);
  DtlsTestLink link(config, make_config(DtlsRole::kServer, server_cert(), client_cert()));
  link.client.transport->start();
  auto first = link.client.transport->next_timeout();
  ASSERT_TRUE(first.has_value());
  // Not OpenSSL's default of 1 s, and not the 10 s handshake deadline.
  EXPECT_GT(*first, milliseconds(100));
  EXPECT_LE(*first, milliseconds(700));
  EXPECT_FALSE(link.server.transport->next_timeout().has_value());  // not started
}

TEST(DtlsTransport, DatagramsRespectTheMtu) {
  for (size_t mtu : {size_t{1200}, size_t{300}}) {
    DtlsConfig client = make_config(DtlsRole::kClient, client_cert(), server_cert());
    DtlsConfig server = make_config(DtlsRole::kServer, server_cert(), client_cert());
    client.mtu = mtu;
    server.mtu = mtu;
    DtlsTestLink link(client, server);
    ASSERT_TRUE(link.handshake());
    EXPECT_TRUE(link.client.connected()) << mtu << " " << link.client.last_reason;
    EXPECT_TRUE(link.server.connected()) << mtu << " " << link.server.last_reason;
    size_t largest = 0;
    for (const auto& peer : {&link.client, &link.server}) {
      for (const auto& datagram : peer->sent)
        largest = std::max(largest, datagram.size());
    }
    EXPECT_LE(largest, mtu);
    EXPECT_GT(largest, mtu / 2) << "records should be packed up to the MTU";
  }
}

TEST(DtlsTransport, CreateRejectsBadConfiguration) {
  DtlsConfig no_cert = make_config(DtlsRole::kClient, client_cert(), server_cert());
  no_cert.certificate = Certificate{};
  auto created = DtlsTransport::create(no_cert, nullptr, nullptr);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, kErrConfig);

  DtlsConfig no_profiles = make_config(DtlsRole::kClient, client_cert(), server_cert());
  no_profiles.srtp_profiles.clear();
  created = DtlsTransport::create(no_profiles, nullptr, nullptr);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, kErrConfig);

  DtlsConfig tiny_mtu = make_config(DtlsRole::kClient, client_cert(), server_cert());
  tiny_mtu.mtu = 100;
  created = DtlsTransport::create(tiny_mtu, nullptr, nullptr);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, kErrConfig);
}

TEST(DtlsTransport, RoleFromSetupAttribute) {
  EXPECT_EQ(*dtls_role_from_setup("active"), DtlsRole::kClient);
  EXPECT_EQ(*dtls_role_from_setup("passive"), DtlsRole::kServer);
  Result<DtlsRole> actpass = dtls_role_from_setup("actpass");
  ASSERT_FALSE(actpass.ok());
  EXPECT_EQ(actpass.error().code, kErrSetupValue);
}

}  // namespace
}  // namespace picortc::dtls
