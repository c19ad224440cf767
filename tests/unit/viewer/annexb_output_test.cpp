#include "viewer/annexb_output.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>

#include "h264/access_unit_assembler.hpp"
#include "ipc/ingest_protocol.hpp"
#include "support/ffmpeg_clip.hpp"
#include "support/temp_dir.hpp"

namespace picortc::viewer {
namespace {

h264::AccessUnit frame(bool key, uint8_t tag, size_t payload) {
  h264::AccessUnit au;
  if (key) {
    std::vector<uint8_t> sps = {0x67, 0x42, 0xe0, 0x1f};
    std::vector<uint8_t> pps = {0x68, 0xce, 0x3c, 0x80};
    au.append_nal(BytesView(sps));
    au.append_nal(BytesView(pps));
  }
  std::vector<uint8_t> slice(payload, tag);
  slice[0] = key ? 0x65 : 0x41;
  // first_mb_in_slice = 0 (ue(v) "1"): each frame is an access unit of
  // its own for the splitter; the tag tells the frames apart.
  slice[1] = 0x88;
  slice[2] = tag;
  au.append_nal(BytesView(slice));
  return au;
}

TEST(OutputTargetTest, ParsesEveryForm) {
  auto dash = parse_output_target("-");
  ASSERT_TRUE(dash.ok());
  EXPECT_EQ(dash->kind, OutputKind::kStdout);
  auto file = parse_output_target("out.h264");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->kind, OutputKind::kFile);
  auto connect = parse_output_target("unix:/tmp/a.sock");
  ASSERT_TRUE(connect.ok());
  EXPECT_EQ(connect->kind, OutputKind::kUnixConnect);
  EXPECT_EQ(connect->path, "/tmp/a.sock");
  auto listen = parse_output_target("unix-listen:/tmp/b.sock");
  ASSERT_TRUE(listen.ok());
  EXPECT_EQ(listen->kind, OutputKind::kUnixListen);
}

TEST(OutputTargetTest, BadOutputIsRefused) {
  EXPECT_EQ(parse_output_target("").error().code, kErrBadOutput);
  EXPECT_EQ(parse_output_target("unix:").error().code, kErrBadOutput);
  EXPECT_EQ(parse_output_target("unix-listen:" + std::string(200, 'x')).error().code, kErrBadOutput);
}

TEST(AnnexbOutputTest, FileGetsWholeAccessUnitsStartingAtAKeyframe) {
  test::TempDir dir;
  EventLoop loop;
  OutputOptions options;
  options.target.kind = OutputKind::kFile;
  options.target.path = dir.file("out.h264");
  {
    AnnexbOutput output(loop, options);
    ASSERT_TRUE(output.start().ok());
    output.write(frame(true, 1, 100));
    output.write(frame(false, 2, 50));
    output.close(seconds(1));
    EXPECT_EQ(output.stats().access_units_written, 2u);
  }
  auto aus = h264::split_access_units(BytesView(test::read_file_bytes(options.target.path)));
  ASSERT_EQ(aus.size(), 2u);
  EXPECT_TRUE(aus[0] == frame(true, 1, 100));
  EXPECT_TRUE(aus[1] == frame(false, 2, 50));
}

// A consumer that does not read: the socket buffer and our bounded queue
// fill, further access units are dropped whole, and after the consumer
// drains, the stream resumes at the next keyframe.
TEST(AnnexbOutputTest, FullSocketDropsWholeAccessUnitsAndResumesAtAKeyframe) {
  test::TempDir dir;
  EventLoop loop;
  OutputOptions options;
  options.target.kind = OutputKind::kUnixListen;
  options.target.path = dir.file("view.sock");
  options.max_buffered_bytes = 64 * 1024;
  AnnexbOutput output(loop, options);
  int keyframe_requests = 0;
  output.set_keyframe_request_callback([&] { ++keyframe_requests; });
  ASSERT_TRUE(output.start().ok());

  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  int small = 16 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, options.target.path.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  for (int i = 0; i < 50 && output.consumer_count() == 0; ++i)
    loop.run_once(milliseconds(10));
  ASSERT_EQ(output.consumer_count(), 1u);

  std::vector<h264::AccessUnit> sent;
  uint8_t tag = 1;
  // Keyframe then P frames of 8 KiB until something is dropped (bounded).
  output.write(frame(true, tag, 8000));
  sent.push_back(frame(true, tag++, 8000));
  for (int i = 0; i < 200 && output.stats().access_units_dropped_buffer_full == 0; ++i) {
    output.write(frame(false, tag, 8000));
    sent.push_back(frame(false, tag++, 8000));
    loop.run_once(Duration::zero());
  }
  ASSERT_GT(output.stats().access_units_dropped_buffer_full, 0u);
  EXPECT_GE(keyframe_requests, 1);
  const size_t delivered_before_gap = sent.size() - 1;  // the last one was dropped
  // More P frames while waiting: dropped too; then a keyframe and one P.
  output.write(frame(false, tag++, 100));
  output.write(frame(true, tag, 100));
  h264::AccessUnit resume_key = frame(true, tag++, 100);
  output.write(frame(false, tag, 100));
  h264::AccessUnit resume_p = frame(false, tag++, 100);

  // Drain: read everything while the loop writes.
  std::vector<uint8_t> received;
  for (int i = 0; i < 2000; ++i) {
    loop.run_once(milliseconds(1));
    uint8_t buffer[65536];
    ssize_t n = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (n > 0) received.insert(received.end(), buffer, buffer + n);
    if (n <= 0 && output.buffered_bytes() == 0 && i > 20) break;
  }
  close(fd);
  auto aus = h264::split_access_units(BytesView(received));
  ASSERT_EQ(aus.size(), delivered_before_gap + 2);
  for (size_t i = 0; i < delivered_before_gap; ++i)
    ASSERT_TRUE(aus[i] == sent[i]) << "access unit " << i << " differs (partial write?)";
  EXPECT_TRUE(aus[delivered_before_gap] == resume_key);
  EXPECT_TRUE(aus[delivered_before_gap + 1] == resume_p);
  EXPECT_EQ(output.stats().access_units_written, aus.size());
}

TEST(AnnexbOutputTest, LateConsumerStartsWithTheCachedGop) {
  test::TempDir dir;
  EventLoop loop;
  OutputOptions options;
  options.target.kind = OutputKind::kUnixListen;
  options.target.path = dir.file("view.sock");
  AnnexbOutput output(loop, options);
  ASSERT_TRUE(output.start().ok());
  output.write(frame(false, 1, 100));  // before any keyframe: not cached
  output.write(frame(true, 2, 100));
  output.write(frame(false, 3, 100));
  EXPECT_EQ(output.stats().access_units_dropped_no_consumer, 3u);

  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, options.target.path.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  for (int i = 0; i < 50 && output.consumer_count() == 0; ++i)
    loop.run_once(milliseconds(10));
  output.write(frame(false, 4, 100));
  std::vector<uint8_t> received;
  for (int i = 0; i < 100; ++i) {
    loop.run_once(milliseconds(1));
    uint8_t buffer[4096];
    ssize_t n = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (n > 0) received.insert(received.end(), buffer, buffer + n);
  }
  close(fd);
  auto aus = h264::split_access_units(BytesView(received));
  ASSERT_EQ(aus.size(), 3u);
  EXPECT_TRUE(aus[0] == frame(true, 2, 100));
  EXPECT_TRUE(aus[1] == frame(false, 3, 100));
  EXPECT_TRUE(aus[2] == frame(false, 4, 100));
}

TEST(AnnexbOutputTest, ConnectingOutputDropsWhileAwayAndReconnects) {
  test::TempDir dir;
  EventLoop loop;
  OutputOptions options;
  options.target.kind = OutputKind::kUnixConnect;
  options.target.path = dir.file("consumer.sock");
  options.framed = true;
  options.reconnect_interval = milliseconds(20);
  AnnexbOutput output(loop, options);
  int keyframe_requests = 0;
  output.set_keyframe_request_callback([&] { ++keyframe_requests; });
  ASSERT_TRUE(output.start().ok());  // nobody listens yet
  output.write(frame(true, 1, 100));
  EXPECT_EQ(output.stats().access_units_dropped_no_consumer, 1u);

  int listener = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, options.target.path.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  for (int i = 0; i < 100 && output.consumer_count() == 0; ++i)
    loop.run_once(milliseconds(10));
  ASSERT_EQ(output.consumer_count(), 1u);
  EXPECT_GE(keyframe_requests, 1);
  int fd = accept(listener, nullptr, nullptr);
  ASSERT_GE(fd, 0);
  output.write(frame(false, 2, 100));  // not a keyframe: skipped
  output.write(frame(true, 3, 100));
  loop.run_once(milliseconds(1));
  std::vector<uint8_t> received(4096);
  ssize_t n = recv(fd, received.data(), received.size(), 0);
  ASSERT_GT(n, 0);
  received.resize(static_cast<size_t>(n));
  auto header = ipc::IngestFrameHeader::parse(BytesView(received));
  ASSERT_TRUE(header.ok());
  EXPECT_TRUE(header->keyframe());
  auto expected = frame(true, 3, 100);
  ASSERT_EQ(received.size(), ipc::kIngestHeaderSize + expected.size());
  EXPECT_TRUE(BytesView(received).subview(ipc::kIngestHeaderSize) == expected.annexb());
  // The server asks for a keyframe over the same socket: passed on.
  int before = keyframe_requests;
  auto request = ipc::marshal_keyframe_request(1);
  ASSERT_EQ(send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  for (int i = 0; i < 50 && keyframe_requests == before; ++i)
    loop.run_once(milliseconds(5));
  EXPECT_EQ(keyframe_requests, before + 1);
  // The consumer goes away: dropped and counted, then reconnected.
  close(fd);
  for (int i = 0; i < 50 && output.consumer_count() != 0; ++i) {
    output.write(frame(false, 4, 100));
    loop.run_once(milliseconds(5));
  }
  EXPECT_EQ(output.stats().consumers_lost, 1u);
  for (int i = 0; i < 100 && output.stats().consumers_connected < 2; ++i)
    loop.run_once(milliseconds(10));
  EXPECT_EQ(output.stats().consumers_connected, 2u);
  close(listener);
}

}  // namespace
}  // namespace picortc::viewer
