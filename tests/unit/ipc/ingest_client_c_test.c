/*
 * The producer client as a C program sees it: compiled as C and linked
 * against picortc_ingest_client alone (no C++ runtime), it plays the server
 * with a bare socket and checks the bytes on the wire against the layout of
 * docs/ingest-protocol.md, then the control messages coming back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "picortc_ingest.h"

static int failures = 0;

#define CHECK(condition)                                                            \
  do {                                                                              \
    if (!(condition)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #condition); \
      ++failures;                                                                   \
    }                                                                               \
  } while (0)

static int read_exactly(int fd, uint8_t* out, size_t size) {
  size_t have = 0;
  while (have < size) {
    ssize_t n = recv(fd, out + have, size - have, 0);
    if (n <= 0) return -1;
    have += (size_t)n;
  }
  return 0;
}

int main(void) {
  char dir_template[] = "/tmp/picortc-ingest-c-XXXXXX";
  char path[128];
  struct sockaddr_un address;
  int listener;
  int server_side;
  picortc_ingest* conn;
  picortc_ingest_control control;
  picortc_ingest_stats stats;
  uint8_t wire[64];
  /* One IDR NAL unit; capture time 1 s; keyframe. */
  static const uint8_t payload[] = {0x00, 0x00, 0x00, 0x01, 0x65, 0x88};
  /* docs/ingest-protocol.md, "Example: an access unit". */
  static const uint8_t expected[] = {0x50, 0x52, 0x54, 0x43, /* magic "PRTC" */
                                     0x01,                   /* version 1 */
                                     0x01,                   /* type: access unit */
                                     0x01, 0x00,             /* flags: keyframe */
                                     0x40, 0x42, 0x0f, 0x00, 0x00, 0x00,
                                     0x00, 0x00,                          /* timestamp_us 1000000 */
                                     0x06, 0x00, 0x00, 0x00,              /* payload_size 6 */
                                     0x00, 0x00, 0x00, 0x01, 0x65, 0x88}; /* payload */
  /* A keyframe request, a bitrate request (2500 kbps), an unknown type with
   * a payload the client must skip, then another keyframe request. */
  static const uint8_t control_bytes[] = {
      0x50, 0x52, 0x54, 0x43, 0x01, 0x81, 0x00, 0x00, 0,    0,    0,    0,    0,    0,    0,
      0,    0x00, 0x00, 0x00, 0x00, 0x50, 0x52, 0x54, 0x43, 0x01, 0x82, 0x00, 0x00, 0,    0,
      0,    0,    0,    0,    0,    0,    0x04, 0x00, 0x00, 0x00, 0xc4, 0x09, 0x00, 0x00, 0x50,
      0x52, 0x54, 0x43, 0x01, 0xee, 0x00, 0x00, 0,    0,    0,    0,    0,    0,    0,    0,
      0x03, 0x00, 0x00, 0x00, 0xaa, 0xbb, 0xcc, 0x50, 0x52, 0x54, 0x43, 0x01, 0x81, 0x00, 0x00,
      0,    0,    0,    0,    0,    0,    0,    0,    0x00, 0x00, 0x00, 0x00};

  if (mkdtemp(dir_template) == NULL) {
    perror("mkdtemp");
    return 1;
  }
  snprintf(path, sizeof path, "%s/ingest.sock", dir_template);

  errno = 0;
  CHECK(picortc_ingest_connect(path) == NULL);
  CHECK(errno == ENOENT);

  listener = socket(AF_UNIX, SOCK_STREAM, 0);
  memset(&address, 0, sizeof address);
  address.sun_family = AF_UNIX;
  strcpy(address.sun_path, path);
  if (bind(listener, (struct sockaddr*)&address, sizeof address) != 0 || listen(listener, 1) != 0) {
    perror("bind/listen");
    return 1;
  }

  conn = picortc_ingest_connect(path);
  CHECK(conn != NULL);
  if (conn == NULL) return 1;
  CHECK(picortc_ingest_fd(conn) >= 0);
  server_side = accept(listener, NULL, NULL);
  CHECK(server_side >= 0);

  CHECK(picortc_ingest_send_au(conn, payload, sizeof payload, 1000000, 1) == PICORTC_INGEST_OK);
  CHECK(read_exactly(server_side, wire, sizeof expected) == 0);
  CHECK(memcmp(wire, expected, sizeof expected) == 0);

  /* Not an access unit: nothing sent, counted as dropped. */
  CHECK(picortc_ingest_send_au(conn, payload, 0, 0, 0) == PICORTC_INGEST_DROPPED);
  /* Over the protocol limit: refused before a byte is read or written. */
  errno = 0;
  CHECK(picortc_ingest_send_au(conn, payload, PICORTC_INGEST_MAX_AU_SIZE + 1u, 0, 0) ==
        PICORTC_INGEST_DROPPED);
  CHECK(errno == EMSGSIZE);

  CHECK(picortc_ingest_poll_control(conn, &control) == 0);
  CHECK(send(server_side, control_bytes, sizeof control_bytes, 0) == (ssize_t)sizeof control_bytes);
  CHECK(picortc_ingest_poll_control(conn, &control) == 1);
  CHECK(control.type == PICORTC_CONTROL_KEYFRAME);
  CHECK(picortc_ingest_poll_control(conn, &control) == 1);
  CHECK(control.type == PICORTC_CONTROL_BITRATE);
  CHECK(control.bitrate_kbps == 2500);
  CHECK(picortc_ingest_poll_control(conn, &control) == 1);
  CHECK(control.type == PICORTC_CONTROL_KEYFRAME);
  CHECK(picortc_ingest_poll_control(conn, &control) == 0);

  picortc_ingest_get_stats(conn, &stats);
  CHECK(stats.access_units_sent == 1);
  CHECK(stats.access_units_dropped == 2);
  CHECK(stats.bytes_sent == sizeof expected);

  /* The server goes away: the client says so. */
  close(server_side);
  CHECK(picortc_ingest_poll_control(conn, &control) == -1);
  CHECK(picortc_ingest_send_au(conn, payload, sizeof payload, 2, 0) == PICORTC_INGEST_ERROR);
  CHECK(picortc_ingest_flush(conn) == -1);

  picortc_ingest_close(conn);
  picortc_ingest_close(NULL);
  close(listener);
  unlink(path);
  rmdir(dir_template);

  if (failures != 0) {
    fprintf(stderr, "%d checks failed\n", failures);
    return 1;
  }
  printf("ingest client C test: all checks passed\n");
  return 0;
}
