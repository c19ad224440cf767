/*
 * picortc_ingest.h — producer side of the picortc ingest socket, plain C.
 *
 * A capture program (C or C++, on the board or any Linux host) links
 * libpicortc_ingest_client and writes H.264 access units to `picortc serve`
 * over the framed ingest protocol (docs/ingest-protocol.md). The same
 * connection brings control messages back: keyframe requests and target
 * bitrate changes.
 *
 * The connection is non-blocking: a producer must never stall its capture
 * loop on a slow reader. At most one access unit is held partly sent; while
 * it is, a new one is dropped (and counted) rather than queued.
 *
 * Not thread-safe: one thread uses one connection.
 */
#ifndef PICORTC_INGEST_H
#define PICORTC_INGEST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct picortc_ingest picortc_ingest;

/* Return values of picortc_ingest_send_au. */
#define PICORTC_INGEST_OK 0       /* written, or the tail will be by the next calls */
#define PICORTC_INGEST_DROPPED 1  /* socket full: this access unit was not sent */
#define PICORTC_INGEST_ERROR (-1) /* connection lost (errno set): close and reconnect */

/* The largest access unit the protocol carries (the server drops a producer
 * that sends more). send_au refuses larger ones: DROPPED, errno EMSGSIZE. */
#define PICORTC_INGEST_MAX_AU_SIZE (8u * 1024u * 1024u)

/* Control message types (picortc_ingest_control.type). */
#define PICORTC_CONTROL_KEYFRAME 1 /* send an IDR (with SPS/PPS) as soon as possible */
#define PICORTC_CONTROL_BITRATE 2  /* change the target bitrate to bitrate_kbps */

typedef struct picortc_ingest_control {
  int type;
  uint32_t bitrate_kbps; /* for PICORTC_CONTROL_BITRATE */
} picortc_ingest_control;

typedef struct picortc_ingest_stats {
  uint64_t access_units_sent;
  uint64_t access_units_dropped; /* PICORTC_INGEST_DROPPED returns */
  uint64_t bytes_sent;
} picortc_ingest_stats;

/* Connects to the streamer's socket. NULL on failure, with errno set. */
picortc_ingest* picortc_ingest_connect(const char* socket_path);

/* Sends one access unit: Annex-B bytes (start codes included), capture time
 * in microseconds of CLOCK_MONOTONIC, keyframe non-zero for an IDR access
 * unit. Also flushes what an earlier call left unsent. */
int picortc_ingest_send_au(picortc_ingest* conn, const uint8_t* annexb, size_t size, int64_t capture_time_us,
                           int keyframe);

/* The same, for producers that may wait (file feeders, tests): waits up to
 * timeout_ms (negative: no limit) for the socket to take the whole access
 * unit. DROPPED only when not a byte of it could be written in time; a part
 * written when time runs out is finished by later calls, as above. */
int picortc_ingest_send_au_blocking(picortc_ingest* conn, const uint8_t* annexb, size_t size,
                                    int64_t capture_time_us, int keyframe, int timeout_ms);

/* Flushes a partly sent access unit without sending a new one.
 * Returns 1 while bytes remain, 0 when all is sent, -1 on error. */
int picortc_ingest_flush(picortc_ingest* conn);

/* Reads one control message if one has arrived. Returns 1 and fills *out,
 * 0 when none is waiting, -1 when the connection is lost. Never blocks. */
int picortc_ingest_poll_control(picortc_ingest* conn, picortc_ingest_control* out);

/* The socket, for poll()/epoll in the producer's own loop. */
int picortc_ingest_fd(const picortc_ingest* conn);

void picortc_ingest_get_stats(const picortc_ingest* conn, picortc_ingest_stats* out);

/* Closes the connection and frees it. NULL is allowed. */
void picortc_ingest_close(picortc_ingest* conn);

#ifdef __cplusplus
}
#endif

#endif /* PICORTC_INGEST_H */
