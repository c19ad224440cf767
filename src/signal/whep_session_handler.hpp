#pragma once
// The seam between the WHEP front end (WhepServer: HTTP, CORS, auth, limits
// on requests) and the streamer that owns the peer connections. The server
// knows nothing about ICE, DTLS or RTP; the handler knows nothing about HTTP.
//
// Threading: every method is called on the EventLoop thread (the server posts
// each request there, docs/threading.md), so an implementation may touch
// loop-owned state freely and must not block: create_session must return the
// answer at once (host candidates only; more arrive by trickle or are learnt
// as peer-reflexive ones).
//
// Errors: return the codes of signal_errors.hpp or the sdp module's; the
// server maps them to HTTP statuses (whep_error_status.hpp). Error::detail is
// sent to the client, so it must not hold secrets.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "sdp/trickle_fragment.hpp"

namespace picortc::signal {

// Who is asking (for logs and /api/sessions).
struct ClientInfo {
  std::string remote_address;  // "127.0.0.1" or "::1"
  uint16_t remote_port = 0;
  std::string user_agent;
};

struct SessionRequest {
  std::string stream;
  // Chosen by the server: 128 random bits in hex, unguessable. The handler
  // keys its session by it.
  std::string session_id;
  std::string offer_sdp;
  ClientInfo client;
};

struct CreatedSession {
  std::string answer_sdp;
  // Optional entity tag of the ICE session (WHEP/WHIP use it for ICE
  // restarts); sent as `ETag` when not empty.
  std::string etag;
};

// Cumulative counters: they only grow, for the Prometheus counters.
struct SendCounters {
  uint64_t bytes_sent = 0;
  uint64_t packets_sent = 0;
  uint64_t nacks_received = 0;
  uint64_t retransmits = 0;
  uint64_t plis_received = 0;
  uint64_t firs_received = 0;
  uint64_t rembs_received = 0;
};

// What the ingest side of a stream is doing.
enum class IngestState { kWaiting, kReceiving, kStalled };
const char* to_string(IngestState state);

struct StreamInfo {
  std::string name;
  std::string socket_path;
  IngestState ingest = IngestState::kWaiting;
  uint32_t width = 0;  // from the stream's SPS; 0 while unknown
  uint32_t height = 0;
  double fps = 0;
  std::string profile_level_id;  // e.g. "42e01f"; empty while unknown
  uint32_t viewers = 0;
  uint64_t access_units_received = 0;
  uint64_t keyframe_requests = 0;  // sent to the producer
  // Bitrate adaptation (streamer/bitrate_adapter.hpp): BITRATE_REQUESTs sent
  // to the producer, the last one (0: none yet), and the weakest viewer
  // estimate (REMB) that still counts (0: none).
  uint64_t bitrate_requests = 0;
  uint32_t requested_bitrate_kbps = 0;
  uint64_t min_viewer_estimate_bps = 0;
  // Totals over every session of the stream, including ended ones.
  SendCounters totals;
};

struct SessionInfo {
  std::string id;
  std::string stream;
  std::string state;  // "new", "checking", "connected", "disconnected", "failed", "closed"
  // The selected candidate pair, empty while none: host|srflx|prflx|relay,
  // transport udp|tcp|tls.
  std::string local_type;
  std::string remote_type;
  std::string transport;
  std::string remote_address;  // "ip:port" of the selected remote candidate
  SendCounters counters;
  std::optional<double> rtt_ms;  // from RTCP RR (DLSR/LSR); nullopt until measured
  // The viewer's own view of its link, from its RTCP: loss from its last
  // receiver report (fraction_lost / 256, RFC 3550 §6.4.1) and in all, and
  // its receive-side bandwidth estimate (REMB); nullopt until it sent one.
  double fraction_lost = 0;
  int64_t packets_lost = 0;
  std::optional<uint64_t> estimate_bps;
  std::string srtp_profile;  // "SRTP_AEAD_AES_128_GCM", ... once connected
  double age_seconds = 0;
  std::string user_agent;
};

class WhepSessionHandler {
 public:
  virtual ~WhepSessionHandler() = default;

  // POST /whep/<stream>: negotiate and start a session. kErrUnknownStream,
  // viewer limits, sdp parse/negotiation errors.
  virtual Result<CreatedSession> create_session(const SessionRequest& request) = 0;
  // PATCH: trickle candidates of the remote (already parsed, RFC 8840).
  virtual Status add_candidates(const std::string& stream, const std::string& session_id,
                                const sdp::TrickleFragment& fragment) = 0;
  // DELETE: ends the session and frees it. kErrUnknownSession if unknown.
  virtual Status end_session(const std::string& stream, const std::string& session_id) = 0;

  virtual std::vector<StreamInfo> streams() = 0;
  virtual std::vector<SessionInfo> sessions() = 0;
};

}  // namespace picortc::signal
