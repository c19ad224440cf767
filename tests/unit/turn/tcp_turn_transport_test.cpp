// TcpTurnTransport against a plain loopback TCP listener that plays server.
#include "turn/tcp_turn_transport.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>

#include "stun/stun_builder.hpp"
#include "turn/channel_data.hpp"

namespace picortc::turn {
namespace {

class TcpTurnTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(listener_, 1), 0);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    server_ = stun::TransportAddress::ipv4(127, 0, 0, 1, ntohs(address.sin_port));
    auto transport = TcpTurnTransport::connect(
        loop_, server_, [this](BytesView m) { messages_.push_back(m.to_vector()); },
        [this](const Error& e) { closed_ = e; });
    ASSERT_TRUE(transport.ok()) << transport.error().message();
    transport_ = std::move(*transport);
    peer_ = ::accept(listener_, nullptr, nullptr);  // the kernel completes the handshake
    ASSERT_GE(peer_, 0);
  }
  void TearDown() override {
    transport_.reset();
    if (peer_ >= 0) ::close(peer_);
    ::close(listener_);
  }
  bool run_until(const std::function<bool()>& done) {
    const TimePoint deadline = Clock::now() + seconds(3);
    while (!done() && Clock::now() < deadline)
      loop_.run_once(milliseconds(5));
    return done();
  }

  EventLoop loop_;
  int listener_ = -1;
  int peer_ = -1;
  stun::TransportAddress server_;
  std::unique_ptr<TcpTurnTransport> transport_;
  std::vector<std::vector<uint8_t>> messages_;
  std::optional<Error> closed_;
};

TEST_F(TcpTurnTransportTest, QueuesBeforeConnectThenDeliversBothWays) {
  // Sent right away: queued until the connection is confirmed writable.
  const auto outgoing = marshal_channel_data(0x4000, BytesView(std::string_view("abc")), true);
  ASSERT_TRUE(transport_->send_to_server(outgoing).ok());
  ASSERT_TRUE(run_until([&] { return transport_->connected() && transport_->queued_bytes() == 0; }));
  uint8_t received[64];
  ASSERT_EQ(::recv(peer_, received, sizeof received, 0), static_cast<ssize_t>(outgoing.size()));
  EXPECT_EQ(BytesView(received, outgoing.size()), BytesView(outgoing));

  // A STUN message written in two pieces arrives as one message.
  stun::StunMessageBuilder b(stun::kMethodAllocate, stun::StunClass::kSuccessResponse,
                             stun::random_transaction_id());
  b.add_lifetime(600);
  const auto incoming = b.bytes().to_vector();
  ASSERT_EQ(::send(peer_, incoming.data(), 10, 0), 10);
  loop_.run_once(milliseconds(20));
  EXPECT_TRUE(messages_.empty());
  ASSERT_EQ(::send(peer_, incoming.data() + 10, incoming.size() - 10, 0),
            static_cast<ssize_t>(incoming.size() - 10));
  ASSERT_TRUE(run_until([&] { return !messages_.empty(); }));
  EXPECT_EQ(messages_[0], incoming);

  ::close(peer_);
  peer_ = -1;
  ASSERT_TRUE(run_until([&] { return closed_.has_value(); }));
  EXPECT_EQ(closed_->code, kErrTcpClosed);
  EXPECT_TRUE(transport_->closed());
  EXPECT_EQ(transport_->send_to_server(outgoing).error().code, kErrTcpClosed);
}

TEST_F(TcpTurnTransportTest, GarbageClosesTheConnection) {
  const uint8_t garbage[8] = {0x80, 0x60, 0, 1, 0, 0, 0, 0};
  ASSERT_EQ(::send(peer_, garbage, sizeof garbage, 0), 8);
  ASSERT_TRUE(run_until([&] { return closed_.has_value(); }));
  EXPECT_EQ(closed_->code, kErrStreamNotTurn);
  EXPECT_TRUE(messages_.empty());
}

TEST_F(TcpTurnTransportTest, ConnectRefused) {
  const stun::TransportAddress nowhere = server_;
  ::close(listener_);
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);  // keep TearDown simple
  std::optional<Error> refused;
  auto transport = TcpTurnTransport::connect(
      loop_, nowhere, [](BytesView) {}, [&](const Error& e) { refused = e; });
  if (!transport.ok()) {
    EXPECT_EQ(transport.error().code, kErrTcpSocket);  // refused synchronously
    return;
  }
  ASSERT_TRUE(run_until([&] { return refused.has_value(); }));
  EXPECT_EQ(refused->code, kErrTcpSocket);
}

}  // namespace
}  // namespace picortc::turn
