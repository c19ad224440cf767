/*
 * Producer side of the framed ingest protocol (picortc_ingest.h,
 * docs/ingest-protocol.md), in plain C so that any capture program can link
 * it without a C++ runtime.
 *
 * Header, 20 bytes, little-endian:
 *   0 magic "PRTC" | 4 version | 5 type | 6 flags u16 | 8 timestamp_us i64 |
 *   16 payload_size u32 | 20 payload
 */
#define _GNU_SOURCE
#include "picortc_ingest.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum {
  kHeaderSize = 20,
  kVersion = 1,
  kTypeAccessUnit = 0x01,
  kTypeKeyframeRequest = 0x81,
  kTypeBitrateRequest = 0x82,
  kFlagKeyframe = 0x0001,
  kMaxControlPayload = 4096,
  kMaxKeptPayload = 4, /* the largest known control payload: a u32 bitrate */
  kControlReadsPerPoll = 64,
};

static const uint8_t kMagic[4] = {'P', 'R', 'T', 'C'};

struct picortc_ingest {
  int fd;
  int lost_errno; /* non-zero once the connection is lost */

  /* The unsent tail of at most one access unit message. */
  uint8_t* pending;
  size_t pending_size;
  size_t pending_sent;
  size_t pending_capacity;

  /* The control message being read: header, then the payload bytes we keep,
   * then the payload bytes we skip (unknown or longer than we know). */
  uint8_t rx_header[kHeaderSize];
  size_t rx_header_size;
  int rx_type;
  uint8_t rx_payload[kMaxKeptPayload];
  size_t rx_keep;
  size_t rx_kept;
  uint32_t rx_skip;

  picortc_ingest_stats stats;
};

static void store_le16(uint8_t* p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

static void store_le32(uint8_t* p, uint32_t v) {
  int i;
  for (i = 0; i < 4; ++i)
    p[i] = (uint8_t)(v >> (8 * i));
}

static void store_le64(uint8_t* p, uint64_t v) {
  int i;
  for (i = 0; i < 8; ++i)
    p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t load_le32(const uint8_t* p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static int64_t monotonic_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static int mark_lost(picortc_ingest* conn, int error) {
  if (conn->lost_errno == 0) conn->lost_errno = error != 0 ? error : ECONNRESET;
  errno = conn->lost_errno;
  return PICORTC_INGEST_ERROR;
}

/* Waits until the socket is writable or the deadline (monotonic ms, negative:
 * none) passes. 1 when it may be written, 0 on timeout. */
static int wait_writable(const picortc_ingest* conn, int64_t deadline_ms) {
  for (;;) {
    struct pollfd pfd;
    int timeout = -1;
    int ready;
    if (deadline_ms >= 0) {
      int64_t left = deadline_ms - monotonic_ms();
      if (left <= 0) return 0;
      timeout = left > 60000 ? 60000 : (int)left;
    }
    pfd.fd = conn->fd;
    pfd.events = POLLOUT;
    pfd.revents = 0;
    ready = poll(&pfd, 1, timeout);
    if (ready > 0) return 1; /* writable, or an error the next send reports */
    if (ready < 0 && errno != EINTR) return 1;
  }
}

picortc_ingest* picortc_ingest_connect(const char* socket_path) {
  struct sockaddr_un address;
  picortc_ingest* conn;
  int fd;
  size_t length;

  if (socket_path == NULL) {
    errno = EINVAL;
    return NULL;
  }
  length = strlen(socket_path);
  memset(&address, 0, sizeof address);
  address.sun_family = AF_UNIX;
  if (length == 0 || length >= sizeof address.sun_path) {
    errno = ENAMETOOLONG;
    return NULL;
  }
  memcpy(address.sun_path, socket_path, length + 1);

  /* Non-blocking from the start: a Unix connect never waits for the server
   * to accept, but a full backlog would block a blocking connect. */
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return NULL;
  for (;;) {
    if (connect(fd, (const struct sockaddr*)&address, sizeof address) == 0) break;
    if (errno == EINTR) continue;
    {
      int saved = errno;
      close(fd);
      errno = saved;
      return NULL;
    }
  }
  conn = (picortc_ingest*)calloc(1, sizeof *conn);
  if (conn == NULL) {
    close(fd);
    errno = ENOMEM;
    return NULL;
  }
  conn->fd = fd;
  return conn;
}

/* 0: nothing left, 1: bytes remain (socket full), -1: lost. */
static int flush_pending(picortc_ingest* conn) {
  while (conn->pending_sent < conn->pending_size) {
    ssize_t n = send(conn->fd, conn->pending + conn->pending_sent, conn->pending_size - conn->pending_sent,
                     MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      conn->pending_sent += (size_t)n;
      conn->stats.bytes_sent += (uint64_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 1;
    mark_lost(conn, n < 0 ? errno : EPIPE);
    return -1;
  }
  if (conn->pending_size > 0) {
    conn->pending_size = 0;
    conn->pending_sent = 0;
    conn->stats.access_units_sent++;
  }
  return 0;
}

static int drop(picortc_ingest* conn, int error) {
  conn->stats.access_units_dropped++;
  errno = error;
  return PICORTC_INGEST_DROPPED;
}

static int send_access_unit(picortc_ingest* conn, const uint8_t* annexb, size_t size, int64_t capture_time_us,
                            int keyframe, int64_t deadline_ms, int may_wait) {
  uint8_t header[kHeaderSize];
  size_t total;
  size_t offset = 0;
  int flushed;

  if (conn == NULL) {
    errno = EINVAL;
    return PICORTC_INGEST_ERROR;
  }
  if (conn->lost_errno != 0) return mark_lost(conn, conn->lost_errno);

  flushed = flush_pending(conn);
  while (flushed == 1 && may_wait && wait_writable(conn, deadline_ms))
    flushed = flush_pending(conn);
  if (flushed < 0) return PICORTC_INGEST_ERROR;
  if (flushed == 1) return drop(conn, EAGAIN); /* one partial access unit at most */

  if (annexb == NULL || size == 0) return drop(conn, EINVAL);
  if (size > PICORTC_INGEST_MAX_AU_SIZE) return drop(conn, EMSGSIZE);

  memcpy(header, kMagic, 4);
  header[4] = kVersion;
  header[5] = kTypeAccessUnit;
  store_le16(header + 6, keyframe ? kFlagKeyframe : 0);
  store_le64(header + 8, (uint64_t)capture_time_us);
  store_le32(header + 16, (uint32_t)size);
  total = kHeaderSize + size;

  while (offset < total) {
    struct iovec iov[2];
    struct msghdr message;
    int iov_count = 0;
    ssize_t n;
    if (offset < kHeaderSize) {
      iov[iov_count].iov_base = header + offset;
      iov[iov_count].iov_len = kHeaderSize - offset;
      ++iov_count;
      iov[iov_count].iov_base = (void*)annexb;
      iov[iov_count].iov_len = size;
      ++iov_count;
    } else {
      iov[iov_count].iov_base = (void*)(annexb + (offset - kHeaderSize));
      iov[iov_count].iov_len = total - offset;
      ++iov_count;
    }
    memset(&message, 0, sizeof message);
    message.msg_iov = iov;
    message.msg_iovlen = (size_t)iov_count;
    n = sendmsg(conn->fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      offset += (size_t)n;
      conn->stats.bytes_sent += (uint64_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (may_wait && wait_writable(conn, deadline_ms)) continue;
      break;
    }
    return mark_lost(conn, n < 0 ? errno : EPIPE);
  }

  if (offset == total) {
    conn->stats.access_units_sent++;
    return PICORTC_INGEST_OK;
  }
  if (offset == 0) return drop(conn, EAGAIN);

  /* Part of the message is in the socket: the rest must follow, or the
   * stream loses its framing. Keep it (the one partial access unit). */
  {
    size_t rest = total - offset;
    if (rest > conn->pending_capacity) {
      uint8_t* bigger = (uint8_t*)realloc(conn->pending, rest);
      if (bigger == NULL) return mark_lost(conn, ENOMEM); /* framing can no longer be kept */
      conn->pending = bigger;
      conn->pending_capacity = rest;
    }
    if (offset < kHeaderSize) {
      memcpy(conn->pending, header + offset, kHeaderSize - offset);
      memcpy(conn->pending + (kHeaderSize - offset), annexb, size);
    } else {
      memcpy(conn->pending, annexb + (offset - kHeaderSize), rest);
    }
    conn->pending_size = rest;
    conn->pending_sent = 0;
  }
  return PICORTC_INGEST_OK;
}

int picortc_ingest_send_au(picortc_ingest* conn, const uint8_t* annexb, size_t size, int64_t capture_time_us,
                           int keyframe) {
  return send_access_unit(conn, annexb, size, capture_time_us, keyframe, 0, 0);
}

int picortc_ingest_send_au_blocking(picortc_ingest* conn, const uint8_t* annexb, size_t size,
                                    int64_t capture_time_us, int keyframe, int timeout_ms) {
  int64_t deadline_ms = timeout_ms < 0 ? -1 : monotonic_ms() + timeout_ms;
  return send_access_unit(conn, annexb, size, capture_time_us, keyframe, deadline_ms, 1);
}

int picortc_ingest_flush(picortc_ingest* conn) {
  if (conn == NULL) {
    errno = EINVAL;
    return -1;
  }
  if (conn->lost_errno != 0) return mark_lost(conn, conn->lost_errno);
  return flush_pending(conn);
}

/* The header of a server message is complete: check it and plan the payload. */
static int accept_control_header(picortc_ingest* conn) {
  const uint8_t* h = conn->rx_header;
  uint32_t payload_size;
  if (memcmp(h, kMagic, 4) != 0 || h[4] != kVersion) return mark_lost(conn, EPROTO);
  payload_size = load_le32(h + 16);
  if (payload_size > kMaxControlPayload) return mark_lost(conn, EPROTO);
  conn->rx_type = h[5];
  conn->rx_keep = 0;
  if (conn->rx_type == kTypeBitrateRequest) {
    if (payload_size < 4) return mark_lost(conn, EPROTO);
    conn->rx_keep = 4;
  }
  conn->rx_kept = 0;
  conn->rx_skip = payload_size - (uint32_t)conn->rx_keep; /* extra bytes: a later version's fields */
  return 0;
}

int picortc_ingest_poll_control(picortc_ingest* conn, picortc_ingest_control* out) {
  int round;
  if (conn == NULL || out == NULL) {
    errno = EINVAL;
    return -1;
  }
  if (conn->lost_errno != 0) return mark_lost(conn, conn->lost_errno);

  /* Reads exactly what the message in progress still needs, so nothing of
   * the next message has to be buffered. Bounded: a server flooding unknown
   * messages gets the producer's attention back after a few rounds. */
  for (round = 0; round < kControlReadsPerPoll; ++round) {
    uint8_t scratch[256];
    uint8_t* target;
    size_t want;
    ssize_t n;

    if (conn->rx_header_size == kHeaderSize && conn->rx_kept == conn->rx_keep && conn->rx_skip == 0) {
      int type = conn->rx_type;
      conn->rx_header_size = 0;
      if (type == kTypeKeyframeRequest) {
        out->type = PICORTC_CONTROL_KEYFRAME;
        out->bitrate_kbps = 0;
        return 1;
      }
      if (type == kTypeBitrateRequest) {
        out->type = PICORTC_CONTROL_BITRATE;
        out->bitrate_kbps = load_le32(conn->rx_payload);
        return 1;
      }
      continue; /* unknown to this version: skipped */
    }

    if (conn->rx_header_size < kHeaderSize) {
      target = conn->rx_header + conn->rx_header_size;
      want = kHeaderSize - conn->rx_header_size;
    } else if (conn->rx_kept < conn->rx_keep) {
      target = conn->rx_payload + conn->rx_kept;
      want = conn->rx_keep - conn->rx_kept;
    } else {
      target = scratch;
      want = conn->rx_skip < sizeof scratch ? conn->rx_skip : sizeof scratch;
    }

    n = recv(conn->fd, target, want, MSG_DONTWAIT);
    if (n == 0) return mark_lost(conn, ECONNRESET);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      return mark_lost(conn, errno);
    }
    if (conn->rx_header_size < kHeaderSize) {
      conn->rx_header_size += (size_t)n;
      if (conn->rx_header_size == kHeaderSize && accept_control_header(conn) < 0) return -1;
    } else if (conn->rx_kept < conn->rx_keep) {
      conn->rx_kept += (size_t)n;
    } else {
      conn->rx_skip -= (uint32_t)n;
    }
  }
  return 0;
}

int picortc_ingest_fd(const picortc_ingest* conn) {
  return conn != NULL ? conn->fd : -1;
}

void picortc_ingest_get_stats(const picortc_ingest* conn, picortc_ingest_stats* out) {
  if (out == NULL) return;
  if (conn == NULL) {
    memset(out, 0, sizeof *out);
    return;
  }
  *out = conn->stats;
}

void picortc_ingest_close(picortc_ingest* conn) {
  if (conn == NULL) return;
  close(conn->fd);
  free(conn->pending);
  free(conn);
}
