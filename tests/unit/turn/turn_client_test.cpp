// TurnClient against a scripted server: the test reads what the client sends
// and answers by hand, so every step of RFC 8656/8489 is asserted directly.
#include "turn/turn_client.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "stun/stun_integrity.hpp"

namespace picortc::turn {
namespace {

using stun::StunClass;
using stun::StunMessage;
using stun::StunMessageBuilder;
using stun::TransportAddress;

constexpr const char* kUser = "bob";
constexpr const char* kPassword = "pw";
constexpr const char* kRealm = "realm.test";

class FakeTransport : public TurnServerTransport {
 public:
  explicit FakeTransport(TurnTransportKind kind) : kind_(kind) {}
  TurnTransportKind kind() const override { return kind_; }
  Status send_to_server(BytesView message) override {
    sent.push_back(message.to_vector());
    return {};
  }
  std::vector<std::vector<uint8_t>> sent;

 private:
  TurnTransportKind kind_;
};

class TurnClientTest : public ::testing::Test {
 protected:
  void SetUp() override { make_client(TurnTransportKind::kUdp); }

  void make_client(TurnTransportKind kind) {
    client_.reset();
    transport_ = std::make_unique<FakeTransport>(kind);
    config_.username = kUser;
    config_.password = kPassword;
    TurnClientCallbacks callbacks;
    callbacks.on_allocated = [this](const TransportAddress& relayed, const TransportAddress&) {
      allocated_ = relayed;
    };
    callbacks.on_allocation_failed = [this](const Error& e) { failure_ = e; };
    callbacks.on_permission = [this](const TransportAddress& peer, const Status& s) {
      permission_results_.emplace_back(peer, s.ok());
    };
    callbacks.on_channel_bound = [this](const TransportAddress&, uint16_t channel, const Status& s) {
      if (s.ok()) bound_channel_ = channel;
      ++bound_callbacks_;
    };
    callbacks.on_peer_data = [this](const TransportAddress& peer, BytesView data) {
      peer_data_.emplace_back(peer, std::string(data.as_string_view()));
    };
    client_ = std::make_unique<TurnClient>(loop_, *transport_, config_, callbacks);
  }

  StunMessage last_sent() {
    EXPECT_FALSE(transport_->sent.empty());
    auto parsed = StunMessage::parse(transport_->sent.back());
    EXPECT_TRUE(parsed.ok());
    return *parsed;
  }

  std::vector<uint8_t> key() const { return stun::long_term_key(kUser, kRealm, kPassword); }

  void answer_401(const StunMessage& request, const char* nonce = "nonce-1") {
    StunMessageBuilder b(request.method(), StunClass::kErrorResponse, request.transaction_id());
    b.add_error_code(401);
    b.add_realm(kRealm);
    b.add_nonce(nonce);
    client_->handle_server_message(b.bytes());
  }

  void answer_success(const StunMessage& request, const std::function<void(StunMessageBuilder&)>& add = {},
                      BytesView integrity_key = {}) {
    StunMessageBuilder b(request.method(), StunClass::kSuccessResponse, request.transaction_id());
    if (add) add(b);
    const auto k = key();
    b.add_message_integrity(integrity_key.empty() ? BytesView(k) : integrity_key);
    b.add_fingerprint();
    client_->handle_server_message(b.bytes());
  }

  void allocate_ok(uint32_t lifetime = 600) {
    client_->allocate();
    answer_401(last_sent());
    answer_success(last_sent(), [&](StunMessageBuilder& b) {
      b.add_xor_relayed_address(relayed_);
      b.add_xor_mapped_address(mapped_);
      b.add_lifetime(lifetime);
    });
    ASSERT_EQ(client_->state(), TurnClient::State::kAllocated);
  }

  bool run_until(const std::function<bool()>& done, Duration limit = seconds(3)) {
    const TimePoint deadline = Clock::now() + limit;
    while (!done() && Clock::now() < deadline)
      loop_.run_once(milliseconds(5));
    return done();
  }

  EventLoop loop_;
  TurnClientConfig config_;
  std::unique_ptr<FakeTransport> transport_;
  std::unique_ptr<TurnClient> client_;
  const TransportAddress relayed_ = TransportAddress::ipv4(192, 0, 2, 10, 50000);
  const TransportAddress mapped_ = TransportAddress::ipv4(198, 51, 100, 1, 40000);
  const TransportAddress peer_ = TransportAddress::ipv4(203, 0, 113, 5, 7000);
  TransportAddress allocated_;
  std::optional<Error> failure_;
  std::vector<std::pair<TransportAddress, bool>> permission_results_;
  uint16_t bound_channel_ = 0;
  int bound_callbacks_ = 0;
  std::vector<std::pair<TransportAddress, std::string>> peer_data_;
};

TEST_F(TurnClientTest, AllocateAnswersChallengeWithLongTermCredentials) {
  client_->allocate();
  ASSERT_EQ(transport_->sent.size(), 1u);
  const StunMessage first = last_sent();
  EXPECT_EQ(first.method(), stun::kMethodAllocate);
  EXPECT_TRUE(first.is_request());
  EXPECT_EQ(*first.requested_transport(), stun::kTransportUdp);
  EXPECT_FALSE(first.has(stun::kAttrMessageIntegrity));  // first try without credentials
  EXPECT_EQ(stun::check_fingerprint(transport_->sent.back()), stun::IntegrityCheck::kOk);

  answer_401(first);
  ASSERT_EQ(transport_->sent.size(), 2u);
  const StunMessage second = last_sent();
  EXPECT_NE(second.transaction_id(), first.transaction_id());
  EXPECT_EQ(*second.username(), kUser);
  EXPECT_EQ(*second.realm(), kRealm);
  EXPECT_EQ(*second.nonce(), "nonce-1");
  EXPECT_EQ(stun::check_integrity(transport_->sent.back(), key()), stun::IntegrityCheck::kOk);

  answer_success(second, [&](StunMessageBuilder& b) {
    b.add_xor_relayed_address(relayed_);
    b.add_xor_mapped_address(mapped_);
    b.add_lifetime(600);
  });
  EXPECT_EQ(client_->state(), TurnClient::State::kAllocated);
  EXPECT_EQ(allocated_, relayed_);
  EXPECT_EQ(client_->mapped_address(), mapped_);
  EXPECT_EQ(client_->lifetime_s(), 600u);
  EXPECT_FALSE(failure_.has_value());
}

TEST_F(TurnClientTest, SuccessWithBadIntegrityIsDropped) {
  client_->allocate();
  answer_401(last_sent());
  const StunMessage request = last_sent();
  const auto wrong = stun::long_term_key(kUser, kRealm, "other");
  answer_success(
      request, [&](StunMessageBuilder& b) { b.add_xor_relayed_address(relayed_); }, wrong);
  EXPECT_EQ(client_->state(), TurnClient::State::kAllocating);
  EXPECT_EQ(client_->messages_dropped(), 1u);
  // The genuine answer still completes the transaction.
  answer_success(request, [&](StunMessageBuilder& b) { b.add_xor_relayed_address(relayed_); });
  EXPECT_EQ(client_->state(), TurnClient::State::kAllocated);
}

TEST_F(TurnClientTest, StaleNonceIsRetriedWithTheNewNonce) {
  client_->allocate();
  answer_401(last_sent());
  const StunMessage request = last_sent();
  StunMessageBuilder stale(request.method(), StunClass::kErrorResponse, request.transaction_id());
  stale.add_error_code(stun::kErrorStaleNonce);
  stale.add_realm(kRealm);
  stale.add_nonce("nonce-2");
  client_->handle_server_message(stale.bytes());
  ASSERT_EQ(transport_->sent.size(), 3u);
  EXPECT_EQ(*last_sent().nonce(), "nonce-2");
  EXPECT_EQ(stun::check_integrity(transport_->sent.back(), key()), stun::IntegrityCheck::kOk);
}

TEST_F(TurnClientTest, SecondUnauthorizedFailsTheAllocation) {
  client_->allocate();
  answer_401(last_sent());
  answer_401(last_sent());  // credentials refused
  ASSERT_TRUE(failure_.has_value());
  EXPECT_EQ(failure_->code, kErrTurnErrorResponse);
  EXPECT_NE(failure_->detail.find("401"), std::string::npos);
  EXPECT_EQ(client_->state(), TurnClient::State::kFailed);
}

TEST_F(TurnClientTest, MissingRelayedAddressFails) {
  client_->allocate();
  answer_401(last_sent());
  answer_success(last_sent(), [&](StunMessageBuilder& b) { b.add_lifetime(600); });
  ASSERT_TRUE(failure_.has_value());
  EXPECT_EQ(failure_->code, kErrTurnBadResponse);
}

TEST_F(TurnClientTest, UdpRetransmitsThenTimesOut) {
  config_.initial_rto = milliseconds(5);
  config_.max_udp_sends = 3;
  make_client(TurnTransportKind::kUdp);
  client_->allocate();
  ASSERT_TRUE(run_until([&] { return failure_.has_value(); }));
  EXPECT_EQ(failure_->code, kErrTurnTimeout);
  ASSERT_EQ(transport_->sent.size(), 3u);
  EXPECT_EQ(transport_->sent[0], transport_->sent[1]);  // same transaction, same bytes
  EXPECT_EQ(transport_->sent[1], transport_->sent[2]);
}

TEST_F(TurnClientTest, StreamDoesNotRetransmit) {
  config_.initial_rto = milliseconds(5);
  config_.stream_request_timeout = milliseconds(60);
  make_client(TurnTransportKind::kTcp);
  client_->allocate();
  ASSERT_TRUE(run_until([&] { return failure_.has_value(); }));
  EXPECT_EQ(failure_->code, kErrTurnTimeout);
  EXPECT_EQ(transport_->sent.size(), 1u);
}

TEST_F(TurnClientTest, PermissionSendIndicationAndDataIndication) {
  allocate_ok();
  EXPECT_TRUE(client_->create_permission(peer_).ok());
  const StunMessage request = last_sent();
  EXPECT_EQ(request.method(), stun::kMethodCreatePermission);
  EXPECT_EQ(*request.xor_peer_address(), peer_);
  EXPECT_EQ(stun::check_integrity(transport_->sent.back(), key()), stun::IntegrityCheck::kOk);
  answer_success(request);
  ASSERT_EQ(permission_results_.size(), 1u);
  EXPECT_EQ(permission_results_[0].first, peer_);
  EXPECT_TRUE(permission_results_[0].second);
  // Same IP, other port: the permission already covers it (RFC 8656 §9).
  const size_t sent_before = transport_->sent.size();
  TransportAddress same_ip = peer_;
  same_ip.set_port(9999);
  EXPECT_TRUE(client_->create_permission(same_ip).ok());
  EXPECT_EQ(transport_->sent.size(), sent_before);

  ASSERT_TRUE(client_->send_to_peer(peer_, BytesView(std::string_view("hi"))).ok());
  const StunMessage send = last_sent();
  EXPECT_EQ(send.method(), stun::kMethodSend);
  EXPECT_TRUE(send.is_indication());
  EXPECT_EQ(*send.xor_peer_address(), peer_);
  EXPECT_EQ(send.data()->as_string_view(), "hi");

  StunMessageBuilder data(stun::kMethodData, StunClass::kIndication, stun::random_transaction_id());
  data.add_xor_peer_address(peer_);
  data.add_data(BytesView(std::string_view("back")));
  client_->handle_server_message(data.bytes());
  ASSERT_EQ(peer_data_.size(), 1u);
  EXPECT_EQ(peer_data_[0].first, peer_);
  EXPECT_EQ(peer_data_[0].second, "back");
}

TEST_F(TurnClientTest, DataIndicationFromAPeerWithoutPermissionIsDropped) {
  allocate_ok();
  StunMessageBuilder data(stun::kMethodData, StunClass::kIndication, stun::random_transaction_id());
  data.add_xor_peer_address(peer_);
  data.add_data(BytesView(std::string_view("unasked")));
  client_->handle_server_message(data.bytes());
  EXPECT_TRUE(peer_data_.empty());
  EXPECT_EQ(client_->messages_dropped(), 1u);

  // A channel binding to the peer's IP (any port) installs a permission too
  // (RFC 8656 §12), so the same indication is delivered from then on.
  TransportAddress other_port = peer_;
  other_port.set_port(4242);
  ASSERT_TRUE(client_->bind_channel(other_port).ok());
  client_->handle_server_message(data.bytes());
  ASSERT_EQ(peer_data_.size(), 1u);
  EXPECT_EQ(peer_data_[0].first, peer_);
  EXPECT_EQ(client_->messages_dropped(), 1u);
}

TEST_F(TurnClientTest, ChannelBindThenChannelDataBothWays) {
  allocate_ok();
  auto channel = client_->bind_channel(peer_);
  ASSERT_TRUE(channel.ok());
  EXPECT_EQ(*channel, 0x4000);
  const StunMessage request = last_sent();
  EXPECT_EQ(request.method(), stun::kMethodChannelBind);
  EXPECT_EQ(*request.channel_number(), 0x4000);
  EXPECT_EQ(*request.xor_peer_address(), peer_);
  // Until confirmed, data still goes by Send indication.
  ASSERT_TRUE(client_->send_to_peer(peer_, BytesView(std::string_view("early"))).ok());
  EXPECT_TRUE(stun::looks_like_stun(transport_->sent.back()));
  answer_success(request);
  EXPECT_EQ(bound_channel_, 0x4000);
  EXPECT_EQ(*client_->bind_channel(peer_), 0x4000);  // same peer, same channel

  ASSERT_TRUE(client_->send_to_peer(peer_, BytesView(std::string_view("hello"))).ok());
  EXPECT_EQ(to_hex(transport_->sent.back()),
            "40000005"
            "68656c6c6f");  // UDP: unpadded

  client_->handle_server_message(marshal_channel_data(0x4000, BytesView(std::string_view("reply")), false));
  ASSERT_EQ(peer_data_.size(), 1u);
  EXPECT_EQ(peer_data_[0].first, peer_);
  EXPECT_EQ(peer_data_[0].second, "reply");
  client_->handle_server_message(marshal_channel_data(0x4001, BytesView(std::string_view("x")), false));
  EXPECT_EQ(peer_data_.size(), 1u);
  EXPECT_EQ(client_->messages_dropped(), 1u);
}

TEST_F(TurnClientTest, ChannelAndPermissionRefreshTimersRebindQuietly) {
  config_.channel_refresh_interval = milliseconds(20);
  config_.permission_refresh_interval = milliseconds(20);
  make_client(TurnTransportKind::kUdp);
  allocate_ok();
  ASSERT_TRUE(client_->create_permission(peer_).ok());
  answer_success(last_sent());
  ASSERT_TRUE(client_->bind_channel(peer_).ok());
  answer_success(last_sent());
  ASSERT_EQ(bound_callbacks_, 1);
  ASSERT_EQ(permission_results_.size(), 1u);
  // Answer every refresh the timers send until both kinds were seen twice.
  int channel_binds = 0, permissions = 0;
  size_t answered = transport_->sent.size();
  ASSERT_TRUE(run_until([&] {
    while (answered < transport_->sent.size()) {
      auto request = StunMessage::parse(transport_->sent[answered++]);
      if (!request.ok() || !request->is_request()) continue;
      if (request->method() == stun::kMethodChannelBind) ++channel_binds;
      if (request->method() == stun::kMethodCreatePermission) ++permissions;
      answer_success(*request);
    }
    return channel_binds >= 2 && permissions >= 2;
  }));
  EXPECT_EQ(bound_callbacks_, 1);  // refreshes succeed without new callbacks
  EXPECT_EQ(permission_results_.size(), 1u);
  EXPECT_EQ(client_->state(), TurnClient::State::kAllocated);
}

TEST_F(TurnClientTest, ChannelDataPaddedOverStreams) {
  make_client(TurnTransportKind::kTcp);
  allocate_ok();
  ASSERT_TRUE(client_->bind_channel(peer_).ok());
  answer_success(last_sent());
  ASSERT_TRUE(client_->send_to_peer(peer_, BytesView(std::string_view("hello"))).ok());
  EXPECT_EQ(to_hex(transport_->sent.back()),
            "40000005"
            "68656c6c6f000000");
}

TEST_F(TurnClientTest, RefreshTimerRefreshesBeforeExpiry) {
  allocate_ok(/*lifetime=*/1);  // refresh at half of it: 500 ms
  const size_t sent_before = transport_->sent.size();
  ASSERT_TRUE(run_until([&] { return transport_->sent.size() > sent_before; }));
  const StunMessage refresh = last_sent();
  EXPECT_EQ(refresh.method(), stun::kMethodRefresh);
  EXPECT_EQ(*refresh.lifetime(), config_.requested_lifetime_s);
  EXPECT_EQ(stun::check_integrity(transport_->sent.back(), key()), stun::IntegrityCheck::kOk);
  answer_success(refresh, [](StunMessageBuilder& b) { b.add_lifetime(600); });
  EXPECT_EQ(client_->refreshes_succeeded(), 1u);
  EXPECT_EQ(client_->lifetime_s(), 600u);
}

TEST_F(TurnClientTest, RefreshErrorLosesTheAllocation) {
  allocate_ok();
  client_->refresh();
  const StunMessage refresh = last_sent();
  StunMessageBuilder b(refresh.method(), StunClass::kErrorResponse, refresh.transaction_id());
  b.add_error_code(stun::kErrorAllocationMismatch);
  client_->handle_server_message(b.bytes());
  ASSERT_TRUE(failure_.has_value());
  EXPECT_NE(failure_->detail.find("437"), std::string::npos);
  EXPECT_EQ(client_->state(), TurnClient::State::kFailed);
}

TEST_F(TurnClientTest, ReleaseSendsZeroLifetime) {
  allocate_ok();
  client_->release();
  const StunMessage refresh = last_sent();
  EXPECT_EQ(refresh.method(), stun::kMethodRefresh);
  EXPECT_EQ(*refresh.lifetime(), 0u);
  EXPECT_EQ(client_->state(), TurnClient::State::kReleased);
  EXPECT_EQ(client_->send_to_peer(peer_, BytesView()).error().code, kErrTurnNotAllocated);
}

TEST_F(TurnClientTest, TransportClosedEndsTheAllocation) {
  make_client(TurnTransportKind::kTcp);
  allocate_ok();
  client_->refresh();  // pending when the connection dies
  client_->transport_closed(make_error("test: connection reset"));
  ASSERT_TRUE(failure_.has_value());
  EXPECT_EQ(failure_->code, "test: connection reset");
  EXPECT_EQ(client_->state(), TurnClient::State::kFailed);
  // A late answer to the dropped refresh matches nothing.
  answer_success(last_sent());
  EXPECT_EQ(client_->messages_dropped(), 1u);
}

TEST_F(TurnClientTest, NotAllocatedYet) {
  EXPECT_EQ(client_->create_permission(peer_).error().code, kErrTurnNotAllocated);
  EXPECT_EQ(client_->bind_channel(peer_).error().code, kErrTurnNotAllocated);
}

TEST_F(TurnClientTest, GarbageAndUnmatchedResponsesAreCounted) {
  allocate_ok();
  const uint8_t garbage[6] = {0, 1, 2, 3, 4, 5};
  client_->handle_server_message(BytesView(garbage, sizeof garbage));
  StunMessageBuilder orphan(stun::kMethodRefresh, StunClass::kSuccessResponse, stun::random_transaction_id());
  client_->handle_server_message(orphan.bytes());
  EXPECT_EQ(client_->messages_dropped(), 2u);
}

}  // namespace
}  // namespace picortc::turn
