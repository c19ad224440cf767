#include "ipc/ingest_server.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

#include "core/clock.hpp"
#include "ipc/include/picortc_ingest.h"
#include "ipc_test_util.hpp"

namespace picortc::ipc {
namespace {

using test::concat_annexb;
using test::make_access_units;
using test::run_until;

// A producer socket without the C client, for raw streams and for bytes the
// client would never write.
int connect_raw(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool write_all(int fd, BytesView bytes) {
  size_t offset = 0;
  while (offset < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + offset, bytes.size() - offset, MSG_NOSIGNAL);
    if (n <= 0) return false;
    offset += static_cast<size_t>(n);
  }
  return true;
}

bool is_socket(const std::string& path) {
  struct stat info;
  return lstat(path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode);
}

class IngestServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    config_.socket_path = dir_.file("ingest.sock");
    make_server();
  }

  void make_server() {
    server_ = std::make_unique<IngestServer>(loop_, config_);
    server_->set_access_unit_callback([this](h264::AccessUnit&& au) { received_.push_back(std::move(au)); });
    server_->set_state_callback([this](const IngestState& state) { modes_.push_back(state.mode); });
  }

  bool wait_for_access_units(size_t count) {
    return run_until(loop_, [&] { return received_.size() >= count; });
  }
  // The n-th producer has come and gone.
  bool wait_for_disconnect(uint64_t n) {
    return run_until(loop_, [&] {
      IngestState state = server_->state();
      return state.stats.connections_accepted >= n && state.mode == IngestMode::kNoProducer;
    });
  }
  bool wait_for_mode(IngestMode mode) {
    return run_until(loop_, [&] { return server_->state().mode == mode; });
  }

  test::TempDir dir_;
  EventLoop loop_;
  IngestServerConfig config_;
  std::unique_ptr<IngestServer> server_;
  std::vector<h264::AccessUnit> received_;
  std::vector<IngestMode> modes_;
};

TEST_F(IngestServerTest, StartCreatesTheSocketAndParentDirectoriesAndStopRemovesIt) {
  config_.socket_path = dir_.file("run/picortc/cam.sock");
  make_server();
  ASSERT_TRUE(server_->start().ok());
  EXPECT_TRUE(is_socket(config_.socket_path));
  EXPECT_EQ(server_->state().mode, IngestMode::kNoProducer);
  server_->stop();
  EXPECT_FALSE(is_socket(config_.socket_path));
  server_->stop();  // twice is fine
}

TEST_F(IngestServerTest, AStaleSocketFileIsReplaced) {
  // A socket file nobody listens on, as a crashed server leaves it.
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, config_.socket_path.c_str(), config_.socket_path.size() + 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  close(fd);
  ASSERT_TRUE(is_socket(config_.socket_path));

  Status started = server_->start();
  ASSERT_TRUE(started.ok()) << started.error().message();
  int producer = connect_raw(config_.socket_path);
  EXPECT_GE(producer, 0);
  close(producer);
}

TEST_F(IngestServerTest, ALiveSocketIsNotTakenOver) {
  ASSERT_TRUE(server_->start().ok());
  IngestServer second(loop_, config_);
  Status started = second.start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, kErrSocketInUse);
  EXPECT_TRUE(is_socket(config_.socket_path));
}

TEST_F(IngestServerTest, AFileThatIsNotASocketIsLeftAlone) {
  { std::ofstream(config_.socket_path) << "precious"; }
  Status started = server_->start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, kErrSocketPathNotSocket);
  std::ifstream in(config_.socket_path);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");
}

TEST_F(IngestServerTest, TooLongSocketPathIsRefused) {
  config_.socket_path = "/tmp/" + std::string(200, 'x');
  make_server();
  Status started = server_->start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, kErrSocketPathInvalid);
}

TEST_F(IngestServerTest, FramedAccessUnitsArriveWithTimestampsAndKeyframeFlags) {
  ASSERT_TRUE(server_->start().ok());
  auto aus = make_access_units(15);
  picortc_ingest* client = picortc_ingest_connect(config_.socket_path.c_str());
  ASSERT_NE(client, nullptr) << std::strerror(errno);
  ASSERT_TRUE(wait_for_mode(IngestMode::kDetecting));
  for (const auto& au : aus) {
    ASSERT_EQ(picortc_ingest_send_au_blocking(client, au.annexb().data(), au.size(), au.timestamp_us,
                                              au.is_keyframe() ? 1 : 0, 5000),
              PICORTC_INGEST_OK);
    loop_.run_once(milliseconds(0));
  }
  // All of them, without waiting for anything after the last one.
  ASSERT_TRUE(wait_for_access_units(aus.size()));
  for (size_t i = 0; i < aus.size(); ++i) {
    EXPECT_TRUE(received_[i] == aus[i]) << "access unit " << i;
    EXPECT_EQ(received_[i].timestamp_us, aus[i].timestamp_us) << "access unit " << i;
    EXPECT_EQ(received_[i].is_keyframe(), aus[i].is_keyframe()) << "access unit " << i;
  }
  IngestState state = server_->state();
  EXPECT_EQ(state.mode, IngestMode::kFramed);
  EXPECT_EQ(state.connection_access_units, aus.size());
  EXPECT_GT(state.connected_since_us, 0);
  EXPECT_GT(state.last_access_unit_us, 0);
  EXPECT_EQ(state.stats.decoder.keyframe_flag_mismatches, 0u);
  EXPECT_EQ(state.stats.connections_accepted, 1u);

  picortc_ingest_stats client_stats;
  picortc_ingest_get_stats(client, &client_stats);
  EXPECT_EQ(client_stats.access_units_sent, aus.size());
  EXPECT_EQ(client_stats.access_units_dropped, 0u);
  EXPECT_EQ(client_stats.bytes_sent, state.connection_bytes);

  picortc_ingest_close(client);
  ASSERT_TRUE(wait_for_disconnect(1));
  EXPECT_EQ(server_->state().stats.decoder.partial_access_units, 0u);
  std::vector<IngestMode> want_modes = {IngestMode::kDetecting, IngestMode::kFramed, IngestMode::kNoProducer};
  EXPECT_EQ(modes_, want_modes);
}

TEST_F(IngestServerTest, RawStreamInArbitraryChunksGivesTheSameAccessUnits) {
  ASSERT_TRUE(server_->start().ok());
  auto aus = make_access_units(15);
  std::vector<uint8_t> bytes = concat_annexb(aus);
  const uint8_t aud[] = {0, 0, 0, 1, 0x09, 0xf0};
  bytes.insert(bytes.end(), aud, aud + sizeof aud);
  int producer = connect_raw(config_.socket_path);
  ASSERT_GE(producer, 0);
  const size_t chunk_sizes[] = {1, 7, 3, 1500, 65536, 2, 40000};
  size_t offset = 0;
  for (size_t i = 0; offset < bytes.size(); ++i) {
    size_t n = std::min(chunk_sizes[i % 7], bytes.size() - offset);
    ASSERT_TRUE(write_all(producer, BytesView(bytes).subview(offset, n)));
    offset += n;
    loop_.run_once(milliseconds(0));  // let the server read between writes
  }
  close(producer);
  ASSERT_TRUE(wait_for_disconnect(1));
  ASSERT_EQ(received_.size(), aus.size());
  int64_t previous = 0;
  for (size_t i = 0; i < aus.size(); ++i) {
    EXPECT_TRUE(received_[i] == aus[i]) << "access unit " << i;
    EXPECT_GE(received_[i].timestamp_us, previous) << "arrival times never go back";
    previous = received_[i].timestamp_us;
  }
  EXPECT_GT(previous, 0);
  IngestState state = server_->state();
  EXPECT_EQ(state.stats.decoder.partial_access_units, 0u);
  std::vector<IngestMode> want_modes = {IngestMode::kDetecting, IngestMode::kRaw, IngestMode::kNoProducer};
  EXPECT_EQ(modes_, want_modes);
}

TEST_F(IngestServerTest, GarbageBeforeTheStreamIsSkippedAndCounted) {
  ASSERT_TRUE(server_->start().ok());
  auto aus = make_access_units(4);
  std::string garbage = "#!not h264\n";
  std::vector<uint8_t> bytes(garbage.begin(), garbage.end());
  std::vector<uint8_t> stream = concat_annexb(aus);
  bytes.insert(bytes.end(), stream.begin(), stream.end());
  int producer = connect_raw(config_.socket_path);
  ASSERT_TRUE(write_all(producer, BytesView(bytes)));
  close(producer);
  ASSERT_TRUE(wait_for_disconnect(1));
  EXPECT_EQ(server_->state().stats.decoder.garbage_bytes, garbage.size());
  ASSERT_EQ(received_.size(), aus.size() - 1);  // the last one was never closed
  for (size_t i = 0; i + 1 < aus.size(); ++i)
    EXPECT_TRUE(received_[i] == aus[i]);
  EXPECT_EQ(server_->state().stats.decoder.partial_access_units, 1u);
}

TEST_F(IngestServerTest, ProducerKilledMidAccessUnitLosesOnlyThatAccessUnitAndTheNextProducerWorks) {
  ASSERT_TRUE(server_->start().ok());
  auto aus = make_access_units(6);
  int producer = connect_raw(config_.socket_path);
  std::vector<uint8_t> first = marshal_access_unit_message(aus[0].annexb(), 1, true);
  std::vector<uint8_t> second = marshal_access_unit_message(aus[1].annexb(), 2, false);
  ASSERT_TRUE(write_all(producer, BytesView(first)));
  ASSERT_TRUE(write_all(producer, BytesView(second).subview(0, second.size() / 2)));
  ASSERT_TRUE(wait_for_access_units(1));
  close(producer);  // mid-payload
  ASSERT_TRUE(wait_for_mode(IngestMode::kNoProducer));
  EXPECT_EQ(received_.size(), 1u);
  EXPECT_EQ(server_->state().stats.decoder.partial_access_units, 1u);

  // Reconnect just works.
  picortc_ingest* client = picortc_ingest_connect(config_.socket_path.c_str());
  ASSERT_NE(client, nullptr);
  for (size_t i = 2; i < aus.size(); ++i) {
    ASSERT_EQ(picortc_ingest_send_au_blocking(client, aus[i].annexb().data(), aus[i].size(), 100 + i,
                                              aus[i].is_keyframe(), 5000),
              PICORTC_INGEST_OK);
    loop_.run_once(milliseconds(0));
  }
  ASSERT_TRUE(wait_for_access_units(1 + aus.size() - 2));
  EXPECT_TRUE(received_[0] == aus[0]);
  for (size_t i = 2; i < aus.size(); ++i) {
    EXPECT_TRUE(received_[i - 1] == aus[i]);
    EXPECT_EQ(received_[i - 1].timestamp_us, static_cast<int64_t>(100 + i));
  }
  picortc_ingest_close(client);
}

TEST_F(IngestServerTest, ANewProducerReplacesTheOldOne) {
  ASSERT_TRUE(server_->start().ok());
  auto aus = make_access_units(4);
  picortc_ingest* old_producer = picortc_ingest_connect(config_.socket_path.c_str());
  ASSERT_NE(old_producer, nullptr);
  ASSERT_EQ(picortc_ingest_send_au(old_producer, aus[0].annexb().data(), aus[0].size(), 1, 1),
            PICORTC_INGEST_OK);
  ASSERT_TRUE(wait_for_access_units(1));
  // The old producer is half way through its next access unit: a restarted
  // capture process connects anyway.
  int old_raw = picortc_ingest_fd(old_producer);
  std::vector<uint8_t> partial = marshal_access_unit_message(aus[1].annexb(), 2, false);
  ASSERT_TRUE(write_all(old_raw, BytesView(partial).subview(0, 100)));
  const uint64_t first_message_size = kIngestHeaderSize + aus[0].size();
  ASSERT_TRUE(
      run_until(loop_, [&] { return server_->state().connection_bytes == first_message_size + 100; }));

  picortc_ingest* new_producer = picortc_ingest_connect(config_.socket_path.c_str());
  ASSERT_NE(new_producer, nullptr);
  ASSERT_TRUE(run_until(loop_, [&] { return server_->state().stats.connections_accepted == 2; }));
  EXPECT_EQ(server_->state().stats.producers_replaced, 1u);
  EXPECT_EQ(server_->state().stats.decoder.partial_access_units, 1u);
  ASSERT_EQ(picortc_ingest_send_au(new_producer, aus[2].annexb().data(), aus[2].size(), 3, 1),
            PICORTC_INGEST_OK);
  ASSERT_TRUE(wait_for_access_units(2));
  EXPECT_TRUE(received_[1] == aus[2]);
  EXPECT_EQ(received_[1].timestamp_us, 3);

  // The old connection was closed: its writes fail, nothing of it arrives.
  int old_result = PICORTC_INGEST_OK;
  for (int i = 0; i < 100 && old_result != PICORTC_INGEST_ERROR; ++i) {
    old_result = picortc_ingest_send_au(old_producer, aus[3].annexb().data(), aus[3].size(), 4, 0);
    loop_.run_once(milliseconds(1));
  }
  EXPECT_EQ(old_result, PICORTC_INGEST_ERROR);
  loop_.run_once(milliseconds(20));
  EXPECT_EQ(received_.size(), 2u);
  picortc_ingest_close(old_producer);
  picortc_ingest_close(new_producer);
}

TEST_F(IngestServerTest, ControlMessagesReachAFramedProducer) {
  ASSERT_TRUE(server_->start().ok());
  auto aus = make_access_units(1);
  picortc_ingest* client = picortc_ingest_connect(config_.socket_path.c_str());
  ASSERT_NE(client, nullptr);
  picortc_ingest_control control{};
  EXPECT_EQ(picortc_ingest_poll_control(client, &control), 0);
  ASSERT_EQ(picortc_ingest_send_au(client, aus[0].annexb().data(), aus[0].size(), 1, 1), PICORTC_INGEST_OK);
  ASSERT_TRUE(wait_for_mode(IngestMode::kFramed));

  server_->request_keyframe();
  server_->request_bitrate(2500);
  server_->request_keyframe();
  std::vector<picortc_ingest_control> got;
  ASSERT_TRUE(run_until(loop_, [&] {
    picortc_ingest_control message{};
    while (picortc_ingest_poll_control(client, &message) == 1)
      got.push_back(message);
    return got.size() >= 3;
  }));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].type, PICORTC_CONTROL_KEYFRAME);
  EXPECT_EQ(got[1].type, PICORTC_CONTROL_BITRATE);
  EXPECT_EQ(got[1].bitrate_kbps, 2500u);
  EXPECT_EQ(got[2].type, PICORTC_CONTROL_KEYFRAME);
  EXPECT_EQ(picortc_ingest_poll_control(client, &control), 0);
  EXPECT_EQ(server_->state().stats.control_messages_sent, 3u);
  picortc_ingest_close(client);
}

TEST_F(IngestServerTest, ControlRequestedBeforeTheFramingIsKnownIsSentOnceItIs) {
  ASSERT_TRUE(server_->start().ok());
  auto aus = make_access_units(1);
  picortc_ingest* client = picortc_ingest_connect(config_.socket_path.c_str());
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(wait_for_mode(IngestMode::kDetecting));
  server_->request_bitrate(1000);
  server_->request_bitrate(1200);  // the latest wins
  server_->request_keyframe();
  picortc_ingest_control control{};
  loop_.run_once(milliseconds(10));
  EXPECT_EQ(picortc_ingest_poll_control(client, &control), 0);

  ASSERT_EQ(picortc_ingest_send_au(client, aus[0].annexb().data(), aus[0].size(), 1, 1), PICORTC_INGEST_OK);
  std::vector<picortc_ingest_control> got;
  ASSERT_TRUE(run_until(loop_, [&] {
    picortc_ingest_control message{};
    while (picortc_ingest_poll_control(client, &message) == 1)
      got.push_back(message);
    return got.size() >= 2;
  }));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].type, PICORTC_CONTROL_KEYFRAME);
  EXPECT_EQ(got[1].type, PICORTC_CONTROL_BITRATE);
  EXPECT_EQ(got[1].bitrate_kbps, 1200u);
  picortc_ingest_close(client);
}

TEST_F(IngestServerTest, ControlRequestsToARawProducerAreIgnoredAndCounted) {
  ASSERT_TRUE(server_->start().ok());
  server_->request_keyframe();  // no producer at all
  EXPECT_EQ(server_->state().stats.control_messages_dropped, 1u);
  auto aus = make_access_units(3);
  int producer = connect_raw(config_.socket_path);
  ASSERT_TRUE(write_all(producer, BytesView(concat_annexb(aus))));
  ASSERT_TRUE(wait_for_mode(IngestMode::kRaw));
  server_->request_keyframe();
  server_->request_bitrate(500);
  loop_.run_once(milliseconds(10));
  EXPECT_EQ(server_->state().stats.control_messages_dropped, 3u);
  EXPECT_EQ(server_->state().stats.control_messages_sent, 0u);
  uint8_t byte;
  EXPECT_EQ(recv(producer, &byte, 1, MSG_DONTWAIT), -1) << "a raw producer must get no bytes back";
  EXPECT_EQ(errno, EAGAIN);
  close(producer);
}

TEST_F(IngestServerTest, AProtocolErrorDropsTheProducerAndTheServerKeepsServing) {
  ASSERT_TRUE(server_->start().ok());
  int producer = connect_raw(config_.socket_path);
  IngestFrameHeader header;
  header.type = static_cast<uint8_t>(IngestMessageType::kAccessUnit);
  header.payload_size = kIngestMaxPayloadSize + 1;
  ASSERT_TRUE(write_all(producer, BytesView(header.marshal())));
  ASSERT_TRUE(run_until(loop_, [&] { return server_->state().stats.producers_dropped == 1; }));
  EXPECT_EQ(server_->state().mode, IngestMode::kNoProducer);
  EXPECT_EQ(server_->state().stats.decoder.protocol_errors, 1u);
  uint8_t byte;
  EXPECT_EQ(recv(producer, &byte, 1, 0), 0) << "the server closed the connection";
  close(producer);

  auto aus = make_access_units(2);
  picortc_ingest* client = picortc_ingest_connect(config_.socket_path.c_str());
  ASSERT_NE(client, nullptr);
  ASSERT_EQ(picortc_ingest_send_au(client, aus[0].annexb().data(), aus[0].size(), 5, 1), PICORTC_INGEST_OK);
  ASSERT_TRUE(wait_for_access_units(1));
  EXPECT_TRUE(received_[0] == aus[0]);
  picortc_ingest_close(client);
}

TEST_F(IngestServerTest, ClientDropsAccessUnitsWhileTheServerDoesNotReadAndLosesNothingElse) {
  ASSERT_TRUE(server_->start().ok());
  picortc_ingest* client = picortc_ingest_connect(config_.socket_path.c_str());
  ASSERT_NE(client, nullptr);
  // The loop does not run: nobody reads, the socket buffers fill up.
  std::vector<h264::AccessUnit> sent;
  auto aus = make_access_units(10, 5, 60000);
  int dropped = 0;
  for (int i = 0; i < 2000 && dropped < 3; ++i) {
    const h264::AccessUnit& au = aus[static_cast<size_t>(i) % aus.size()];
    int result = picortc_ingest_send_au(client, au.annexb().data(), au.size(), i, au.is_keyframe());
    ASSERT_NE(result, PICORTC_INGEST_ERROR) << std::strerror(errno);
    if (result == PICORTC_INGEST_DROPPED) {
      ++dropped;
    } else {
      sent.push_back(au);
      sent.back().timestamp_us = i;
    }
  }
  ASSERT_EQ(dropped, 3) << "the socket never filled up";
  picortc_ingest_stats stats;
  picortc_ingest_get_stats(client, &stats);
  EXPECT_EQ(stats.access_units_dropped, 3u);

  // Now the server reads; the client finishes its partial access unit.
  ASSERT_TRUE(run_until(loop_, [&] {
    picortc_ingest_flush(client);
    return received_.size() >= sent.size();
  }));
  EXPECT_EQ(picortc_ingest_flush(client), 0);
  ASSERT_EQ(received_.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_TRUE(received_[i] == sent[i]) << "access unit " << i;
    EXPECT_EQ(received_[i].timestamp_us, sent[i].timestamp_us);
  }
  EXPECT_EQ(server_->state().stats.decoder.malformed_access_units, 0u);
  picortc_ingest_get_stats(client, &stats);
  EXPECT_EQ(stats.access_units_sent, sent.size());
  picortc_ingest_close(client);
}

TEST_F(IngestServerTest, CallbacksMayStopTheServer) {
  ASSERT_TRUE(server_->start().ok());
  auto aus = make_access_units(5);
  server_->set_access_unit_callback([this](h264::AccessUnit&& au) {
    received_.push_back(std::move(au));
    server_->stop();
  });
  picortc_ingest* client = picortc_ingest_connect(config_.socket_path.c_str());
  ASSERT_NE(client, nullptr);
  for (const auto& au : aus) {
    ASSERT_EQ(picortc_ingest_send_au(client, au.annexb().data(), au.size(), 1, au.is_keyframe()),
              PICORTC_INGEST_OK);
  }
  ASSERT_TRUE(wait_for_access_units(1));
  loop_.run_once(milliseconds(10));
  EXPECT_EQ(received_.size(), 1u);  // nothing after stop(), though more was in the same read
  EXPECT_FALSE(server_->running());
  EXPECT_FALSE(is_socket(config_.socket_path));
  picortc_ingest_close(client);
}

TEST_F(IngestServerTest, ClientConnectFailsWithoutAServer) {
  errno = 0;
  EXPECT_EQ(picortc_ingest_connect(config_.socket_path.c_str()), nullptr);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(picortc_ingest_connect(("/tmp/" + std::string(200, 'y')).c_str()), nullptr);
  EXPECT_EQ(errno, ENAMETOOLONG);
}

TEST_F(IngestServerTest, ClientReportsTheServerGoingAway) {
  ASSERT_TRUE(server_->start().ok());
  picortc_ingest* client = picortc_ingest_connect(config_.socket_path.c_str());
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(wait_for_mode(IngestMode::kDetecting));
  server_->disconnect_producer();
  picortc_ingest_control control{};
  EXPECT_EQ(picortc_ingest_poll_control(client, &control), -1);
  auto aus = make_access_units(1);
  EXPECT_EQ(picortc_ingest_send_au(client, aus[0].annexb().data(), aus[0].size(), 1, 1),
            PICORTC_INGEST_ERROR);
  picortc_ingest_close(client);
}

}  // namespace
}  // namespace picortc::ipc
