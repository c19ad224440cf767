// The TURN client against a real coturn (Debian's `turnserver`) on
// 127.0.0.1, over UDP and over TCP: allocate with long-term credentials (401 challenge), create a
// permission, relay data to a local UDP peer by Send indication and by
// ChannelData, get its replies back, refresh on a timer, release.
// Skipped when turnserver is not installed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "core/event_loop.hpp"
#include "stun/stun_builder.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"
#include "turn/tcp_turn_transport.hpp"
#include "turn/turn_client.hpp"
#include "turn/udp_turn_transport.hpp"

namespace picortc::turn {
namespace {

using stun::TransportAddress;

constexpr const char* kTurnServer = "/usr/bin/turnserver";
constexpr const char* kUser = "alice";
constexpr const char* kPassword = "s3cret-pass";
constexpr const char* kRealm = "picortc.test";

uint16_t free_udp_port() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// A UDP socket on 127.0.0.1 bound to an ephemeral port.
struct UdpSocket {
  int fd = -1;
  TransportAddress address;
  UdpSocket() {
    fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in bound{};
    bound.sin_family = AF_INET;
    bound.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&bound), sizeof bound);
    socklen_t length = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
    address = *TransportAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&bound));
  }
  ~UdpSocket() { ::close(fd); }
  void send_to(const TransportAddress& to, BytesView data) const {
    sockaddr_storage storage;
    const unsigned length = to.to_sockaddr(storage);
    ::sendto(fd, data.data(), data.size(), 0, reinterpret_cast<const sockaddr*>(&storage), length);
  }
};

class Coturn {
 public:
  bool start(const std::string& directory, const std::string& extra_config) {
    port_ = free_udp_port();
    const std::string config_path = directory + "/turnserver.conf";
    std::ofstream config(config_path);
    config << "listening-ip=127.0.0.1\n"
           << "relay-ip=127.0.0.1\n"
           << "listening-port=" << port_ << "\n"
           << "lt-cred-mech\n"
           << "user=" << kUser << ":" << kPassword << "\n"
           << "realm=" << kRealm << "\n"
           << "allow-loopback-peers\n"
           << "no-tls\nno-dtls\nno-cli\n"
           << "no-multicast-peers\n"
           << "fingerprint\n"
           << "userdb=" << directory << "/turndb\n"
           << "pidfile=" << directory << "/turnserver.pid\n"
           << "log-file=stdout\nsimple-log\n"
           << extra_config;
    config.close();
    log_path_ = directory + "/turnserver.log";
    // Through sh only to send coturn's output to the log file.
    process_ = std::make_unique<test::ChildProcess>(std::vector<std::string>{
        "/bin/sh", "-c",
        std::string("exec ") + kTurnServer + " -c '" + config_path + "' >'" + log_path_ + "' 2>&1"});
    return process_->started();
  }
  ~Coturn() {
    if (process_ == nullptr) return;
    // SIGTERM first so coturn exits cleanly; ChildProcess kills it otherwise.
    process_->signal(SIGTERM);
    process_->wait_exit(nullptr, seconds(5));
  }
  TransportAddress address() const { return TransportAddress::ipv4(127, 0, 0, 1, port_); }
  std::string log() const {
    std::ifstream in(log_path_);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  // Waits (bounded) until a Binding request gets an answer.
  bool wait_ready() const {
    UdpSocket probe;
    for (int attempt = 0; attempt < 50; ++attempt) {
      stun::StunMessageBuilder b(stun::kMethodBinding, stun::StunClass::kRequest,
                                 stun::random_transaction_id());
      probe.send_to(address(), b.bytes());
      ::usleep(100 * 1000);
      uint8_t buffer[1500];
      if (::recv(probe.fd, buffer, sizeof buffer, 0) > 0) return true;
    }
    return false;
  }

 private:
  std::unique_ptr<test::ChildProcess> process_;
  uint16_t port_ = 0;
  std::string log_path_;
};

class TurnCoturnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kTurnServer, X_OK) != 0) GTEST_SKIP() << "turnserver not installed";
    ASSERT_FALSE(directory_.path().empty());
    coturn_ = std::make_unique<Coturn>();
    ASSERT_TRUE(coturn_->start(directory_.path(), extra_config()));
    ASSERT_TRUE(coturn_->wait_ready()) << coturn_->log();
  }
  virtual std::string extra_config() const { return {}; }
  void full_flow(TurnTransportKind kind);
  void TearDown() override { coturn_.reset(); }

  // Runs the loop until `done` or the time limit; true if done.
  bool run_until(EventLoop& loop, const std::function<bool()>& done, Duration limit = seconds(10)) {
    const TimePoint deadline = Clock::now() + limit;
    while (!done() && Clock::now() < deadline)
      loop.run_once(milliseconds(20));
    return done();
  }

  test::TempDir directory_;
  std::unique_ptr<Coturn> coturn_;
};

// The whole client life against coturn, over UDP or TCP.
void TurnCoturnTest::full_flow(TurnTransportKind kind) {
  EventLoop loop;
  TurnClient* client_ptr = nullptr;
  auto on_message = [&](BytesView message) { client_ptr->handle_server_message(message); };
  std::string transport_closed;
  std::unique_ptr<TurnServerTransport> transport;
  TransportAddress local_address;
  if (kind == TurnTransportKind::kUdp) {
    auto udp = UdpTurnTransport::open(loop, coturn_->address(), on_message);
    ASSERT_TRUE(udp.ok()) << udp.error().message();
    local_address = (*udp)->local_address();
    transport = std::move(*udp);
  } else {
    auto tcp = TcpTurnTransport::connect(loop, coturn_->address(), on_message, [&](const Error& e) {
      transport_closed = e.message();
      client_ptr->transport_closed(e);
    });
    ASSERT_TRUE(tcp.ok()) << tcp.error().message();
    transport = std::move(*tcp);
  }

  bool allocated = false;
  bool permitted = false;
  bool channel_ok = false;
  std::string failure;
  std::vector<std::pair<TransportAddress, std::string>> from_peer;
  TurnClientConfig config;
  config.username = kUser;
  config.password = kPassword;
  config.refresh_margin = seconds(3600);  // so the first refresh comes at half the lifetime
  TurnClientCallbacks callbacks;
  callbacks.on_allocated = [&](const TransportAddress&, const TransportAddress&) { allocated = true; };
  callbacks.on_allocation_failed = [&](const Error& e) { failure = e.message(); };
  callbacks.on_permission = [&](const TransportAddress&, const Status& s) {
    permitted = s.ok();
    if (!s.ok()) failure = s.error().message();
  };
  callbacks.on_channel_bound = [&](const TransportAddress&, uint16_t, const Status& s) {
    channel_ok = s.ok();
    if (!s.ok()) failure = s.error().message();
  };
  callbacks.on_peer_data = [&](const TransportAddress& peer, BytesView data) {
    from_peer.emplace_back(peer, std::string(data.as_string_view()));
  };
  TurnClient client(loop, *transport, config, callbacks);
  client_ptr = &client;

  client.allocate();
  ASSERT_TRUE(run_until(loop, [&] { return allocated || !failure.empty(); })) << coturn_->log();
  ASSERT_TRUE(allocated) << failure << "\n" << coturn_->log();
  EXPECT_EQ(client.state(), TurnClient::State::kAllocated);
  EXPECT_EQ(client.relayed_address().ip_string(), "127.0.0.1");
  EXPECT_NE(client.relayed_address().port(), 0);
  if (kind == TurnTransportKind::kUdp) {
    EXPECT_EQ(client.mapped_address(), local_address);
  }
  EXPECT_EQ(client.mapped_address().ip_string(), "127.0.0.1");
  EXPECT_GT(client.lifetime_s(), 0u);

  // The peer: a plain UDP socket that answers "pong:<payload>".
  UdpSocket peer;
  std::vector<std::pair<TransportAddress, std::string>> at_peer;
  ASSERT_TRUE(loop.add_fd(peer.fd, EPOLLIN,
                          [&](uint32_t) {
                            uint8_t buffer[2048];
                            sockaddr_storage from;
                            socklen_t length = sizeof from;
                            const ssize_t n = ::recvfrom(peer.fd, buffer, sizeof buffer, 0,
                                                         reinterpret_cast<sockaddr*>(&from), &length);
                            if (n <= 0) return;
                            const auto sender =
                                *TransportAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&from));
                            const std::string text(reinterpret_cast<const char*>(buffer),
                                                   static_cast<size_t>(n));
                            at_peer.emplace_back(sender, text);
                            const std::string reply = "pong:" + text;
                            peer.send_to(sender, BytesView(std::string_view(reply)));
                          })
                  .ok());

  ASSERT_TRUE(client.create_permission(peer.address).ok());
  ASSERT_TRUE(run_until(loop, [&] { return permitted || !failure.empty(); }));
  ASSERT_TRUE(permitted) << failure << "\n" << coturn_->log();

  // Send indication out, Data indication back.
  ASSERT_TRUE(client.send_to_peer(peer.address, BytesView(std::string_view("ping-1"))).ok());
  ASSERT_TRUE(run_until(loop, [&] { return !from_peer.empty(); })) << coturn_->log();
  ASSERT_EQ(at_peer.size(), 1u);
  EXPECT_EQ(at_peer[0].first, client.relayed_address());  // the peer sees the relay
  EXPECT_EQ(at_peer[0].second, "ping-1");
  EXPECT_EQ(from_peer[0].first, peer.address);
  EXPECT_EQ(from_peer[0].second, "pong:ping-1");

  // ChannelBind, then ChannelData both ways.
  auto channel = client.bind_channel(peer.address);
  ASSERT_TRUE(channel.ok());
  EXPECT_EQ(*channel, kMinChannelNumber);
  ASSERT_TRUE(run_until(loop, [&] { return channel_ok || !failure.empty(); }));
  ASSERT_TRUE(channel_ok) << failure << "\n" << coturn_->log();
  ASSERT_TRUE(client.send_to_peer(peer.address, BytesView(std::string_view("ping-2 over channel"))).ok());
  ASSERT_TRUE(run_until(loop, [&] { return from_peer.size() >= 2; })) << coturn_->log();
  EXPECT_EQ(at_peer.back().second, "ping-2 over channel");
  EXPECT_EQ(from_peer[1].first, peer.address);
  EXPECT_EQ(from_peer[1].second, "pong:ping-2 over channel");

  // An explicit refresh succeeds (the server checks the credentials again).
  client.refresh();
  ASSERT_TRUE(run_until(loop, [&] { return client.refreshes_succeeded() >= 1 || !failure.empty(); }));
  EXPECT_EQ(client.refreshes_succeeded(), 1u) << failure;
  EXPECT_EQ(client.messages_dropped(), 0u);

  EXPECT_EQ(transport_closed, "");  // the stream stayed up through everything above
  client.release();
  EXPECT_EQ(client.state(), TurnClient::State::kReleased);
  EXPECT_FALSE(client.send_to_peer(peer.address, BytesView(std::string_view("late"))).ok());
  loop.run_once(milliseconds(50));
  loop.remove_fd(peer.fd);
}

TEST_F(TurnCoturnTest, UdpAllocatePermissionSendIndicationChannelDataRefreshRelease) {
  full_flow(TurnTransportKind::kUdp);
}

TEST_F(TurnCoturnTest, TcpAllocatePermissionSendIndicationChannelDataRefreshRelease) {
  full_flow(TurnTransportKind::kTcp);
}

TEST_F(TurnCoturnTest, WrongPasswordFailsAllocation) {
  EventLoop loop;
  TurnClient* client_ptr = nullptr;
  auto transport = UdpTurnTransport::open(
      loop, coturn_->address(), [&](BytesView message) { client_ptr->handle_server_message(message); });
  ASSERT_TRUE(transport.ok());
  std::string failure;
  TurnClientConfig config;
  config.username = kUser;
  config.password = "not-the-password";
  TurnClientCallbacks callbacks;
  callbacks.on_allocation_failed = [&](const Error& e) { failure = e.message(); };
  TurnClient client(loop, **transport, config, callbacks);
  client_ptr = &client;
  client.allocate();
  ASSERT_TRUE(run_until(loop, [&] { return !failure.empty(); }));
  EXPECT_NE(failure.find("401"), std::string::npos) << failure;
  EXPECT_EQ(client.state(), TurnClient::State::kFailed);
}

// coturn capped to 4-second allocations: the client's refresh timer (at half
// the lifetime, since the margin exceeds it) must keep the allocation alive.
class TurnCoturnShortLifetimeTest : public TurnCoturnTest {
 protected:
  std::string extra_config() const override { return "max-allocate-lifetime=4\n"; }
};

TEST_F(TurnCoturnShortLifetimeTest, RefreshTimerFiresFromTheEventLoop) {
  EventLoop loop;
  TurnClient* client_ptr = nullptr;
  auto transport = UdpTurnTransport::open(
      loop, coturn_->address(), [&](BytesView message) { client_ptr->handle_server_message(message); });
  ASSERT_TRUE(transport.ok());
  bool allocated = false;
  std::string failure;
  TurnClientConfig config;
  config.username = kUser;
  config.password = kPassword;
  TurnClientCallbacks callbacks;
  callbacks.on_allocated = [&](const TransportAddress&, const TransportAddress&) { allocated = true; };
  callbacks.on_allocation_failed = [&](const Error& e) { failure = e.message(); };
  TurnClient client(loop, **transport, config, callbacks);
  client_ptr = &client;
  client.allocate();
  ASSERT_TRUE(run_until(loop, [&] { return allocated || !failure.empty(); })) << coturn_->log();
  ASSERT_TRUE(allocated) << failure;
  ASSERT_EQ(client.lifetime_s(), 4u) << coturn_->log();
  // Two refreshes in ~4 s come only from the timer; the allocation never lapses.
  ASSERT_TRUE(run_until(
      loop, [&] { return client.refreshes_succeeded() >= 2 || !failure.empty(); }, seconds(8)));
  EXPECT_TRUE(failure.empty()) << failure;
  EXPECT_EQ(client.state(), TurnClient::State::kAllocated);
}

}  // namespace
}  // namespace picortc::turn
