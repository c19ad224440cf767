#include "ice/udp_socket.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <string>
#include <vector>

namespace picortc::ice {
namespace {

using stun::TransportAddress;

std::vector<uint8_t> datagram_of(size_t size, uint8_t tag) {
  return std::vector<uint8_t>(size, tag);
}

// Reads what has arrived on `socket` (each datagram's first byte and size),
// waiting at most 1 s for each.
std::vector<std::pair<uint8_t, size_t>> receive_all(UdpSocket& socket, size_t expected) {
  std::vector<std::pair<uint8_t, size_t>> out;
  std::vector<uint8_t> buffer(70000);
  while (out.size() < expected) {
    pollfd pfd{socket.fd(), POLLIN, 0};
    if (poll(&pfd, 1, 1000) <= 0) break;
    TransportAddress from;
    ssize_t n = socket.receive_from(buffer.data(), buffer.size(), from);
    if (n <= 0) break;
    out.emplace_back(buffer[0], static_cast<size_t>(n));
  }
  return out;
}

TEST(UdpSocket, SendBatchDeliversEveryDatagramInOrder) {
  auto receiver = UdpSocket::bind(*TransportAddress::from_ip_string("127.0.0.1", 0));
  auto sender = UdpSocket::bind(*TransportAddress::from_ip_string("127.0.0.1", 0));
  ASSERT_TRUE(receiver.ok() && sender.ok());
  // More than one sendmmsg call's worth (64), of different sizes.
  std::vector<std::vector<uint8_t>> payloads;
  std::vector<BytesView> views;
  for (size_t i = 0; i < 70; ++i)
    payloads.push_back(datagram_of(100 + i, static_cast<uint8_t>(i)));
  for (const auto& p : payloads)
    views.emplace_back(p);
  uint64_t bytes = 0;
  EXPECT_EQ(sender->send_batch_to(receiver->local_address(), views.data(), views.size(), bytes), 70u);
  uint64_t expected_bytes = 0;
  for (const auto& p : payloads)
    expected_bytes += p.size();
  EXPECT_EQ(bytes, expected_bytes);
  auto received = receive_all(*receiver, 70);
  ASSERT_EQ(received.size(), 70u);
  for (size_t i = 0; i < 70; ++i) {
    EXPECT_EQ(received[i].first, static_cast<uint8_t>(i));
    EXPECT_EQ(received[i].second, 100 + i);
  }
}

TEST(UdpSocket, ARefusedDatagramIsSkippedAndTheRestStillGo) {
  auto receiver = UdpSocket::bind(*TransportAddress::from_ip_string("127.0.0.1", 0));
  auto sender = UdpSocket::bind(*TransportAddress::from_ip_string("127.0.0.1", 0));
  ASSERT_TRUE(receiver.ok() && sender.ok());
  // The second one is larger than any UDP datagram can be: EMSGSIZE.
  auto first = datagram_of(200, 1);
  auto too_large = datagram_of(70000, 2);
  auto third = datagram_of(300, 3);
  std::vector<BytesView> views{BytesView(first), BytesView(too_large), BytesView(third)};
  uint64_t bytes = 0;
  EXPECT_EQ(sender->send_batch_to(receiver->local_address(), views.data(), views.size(), bytes), 2u);
  EXPECT_EQ(bytes, 500u);
  auto received = receive_all(*receiver, 2);
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0], std::make_pair(uint8_t{1}, size_t{200}));
  EXPECT_EQ(received[1], std::make_pair(uint8_t{3}, size_t{300}));
}

}  // namespace
}  // namespace picortc::ice
