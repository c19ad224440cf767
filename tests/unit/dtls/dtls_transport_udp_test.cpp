// The handshake over real loopback UDP sockets driven by picortc::EventLoop,
// the way a peer connection runs it: socket readable → demux → DTLS, and one
// loop timer following next_timeout().
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "core/event_loop.hpp"
#include "dtls/dtls_transport.hpp"
#include "dtls/packet_demux.hpp"
#include "dtls_test_link.hpp"

namespace picortc::dtls {
namespace {

int bound_udp_socket() {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool connect_to(int fd, int peer_fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(peer_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return false;
  return ::connect(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0;
}

// One endpoint: a socket, a transport and the loop timer for it.
struct UdpEndpoint {
  EventLoop& loop;
  int fd = -1;
  std::unique_ptr<DtlsTransport> transport;
  EventLoop::TimerId timer = 0;
  size_t non_dtls_dropped = 0;

  UdpEndpoint(EventLoop& event_loop, DtlsConfig config) : loop(event_loop) {
    fd = bound_udp_socket();
    auto created = DtlsTransport::create(
        std::move(config),
        [this](BytesView datagram) { (void)::send(fd, datagram.data(), datagram.size(), 0); },
        [this](DtlsState, const std::string&) { loop.post([] {}); });
    if (created) transport = std::move(*created);
  }
  ~UdpEndpoint() {
    if (timer != 0) loop.cancel_timer(timer);
    if (fd >= 0) {
      loop.remove_fd(fd);
      ::close(fd);
    }
  }

  void rearm_timer() {
    if (timer != 0) loop.cancel_timer(timer);
    timer = 0;
    auto next = transport->next_timeout();
    if (!next) return;
    timer = loop.add_timer(*next, [this] {
      timer = 0;
      transport->handle_timeout();
      rearm_timer();
    });
  }

  void on_readable() {
    uint8_t buffer[2048];
    for (int i = 0; i < 64; ++i) {
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n < 0) break;
      BytesView datagram(buffer, static_cast<size_t>(n));
      if (classify_packet(datagram) == PacketKind::kDtls) {
        transport->handle_datagram(datagram);
      } else {
        ++non_dtls_dropped;
      }
    }
    rearm_timer();
  }

  bool watch() {
    return loop.add_fd(fd, EPOLLIN, [this](uint32_t) { on_readable(); }).ok();
  }
};

TEST(DtlsTransportUdp, HandshakeOverLoopbackWithEventLoop) {
  using testing::make_config;
  using testing::test_certificate;
  EventLoop loop;
  UdpEndpoint client(loop, make_config(DtlsRole::kClient, test_certificate(0), test_certificate(1)));
  UdpEndpoint server(loop, make_config(DtlsRole::kServer, test_certificate(1), test_certificate(0)));
  ASSERT_GE(client.fd, 0);
  ASSERT_GE(server.fd, 0);
  ASSERT_TRUE(client.transport && server.transport);
  ASSERT_TRUE(connect_to(client.fd, server.fd));
  ASSERT_TRUE(connect_to(server.fd, client.fd));
  ASSERT_TRUE(client.watch());
  ASSERT_TRUE(server.watch());

  // A STUN-looking datagram first: the demultiplexer keeps it away from DTLS.
  const uint8_t stun_header[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42};
  ASSERT_EQ(::send(client.fd, stun_header, sizeof stun_header, 0), static_cast<ssize_t>(sizeof stun_header));

  server.transport->start();
  client.transport->start();
  client.rearm_timer();
  server.rearm_timer();

  auto done = [&] {
    auto finished = [](const DtlsTransport& t) {
      return t.state() == DtlsState::kConnected || t.state() == DtlsState::kFailed;
    };
    return finished(*client.transport) && finished(*server.transport);
  };
  TimePoint deadline = Clock::now() + seconds(5);
  while (!done() && Clock::now() < deadline)
    loop.run_once(milliseconds(20));

  ASSERT_EQ(client.transport->state(), DtlsState::kConnected) << client.transport->reason();
  ASSERT_EQ(server.transport->state(), DtlsState::kConnected) << server.transport->reason();
  EXPECT_EQ(server.non_dtls_dropped, 1u);
  const SrtpKeyingMaterial& c = *client.transport->srtp_keys();
  const SrtpKeyingMaterial& s = *server.transport->srtp_keys();
  EXPECT_EQ(c.profile, SrtpProfile::kAeadAes128Gcm);
  EXPECT_EQ(c.local_key, s.remote_key);
  EXPECT_EQ(c.local_salt, s.remote_salt);
  EXPECT_EQ(c.remote_key, s.local_key);
  EXPECT_EQ(c.remote_salt, s.local_salt);

  // close_notify across the socket.
  client.transport->close();
  deadline = Clock::now() + seconds(3);
  while (server.transport->state() == DtlsState::kConnected && Clock::now() < deadline) {
    loop.run_once(milliseconds(20));
  }
  EXPECT_EQ(server.transport->state(), DtlsState::kClosed);
  EXPECT_EQ(server.transport->reason(), kReasonCloseNotify);
}

}  // namespace
}  // namespace picortc::dtls
