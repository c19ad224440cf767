#pragma once
// One WebRTC peer: ICE (src/ice) -> RFC 7983 demux -> DTLS (src/dtls) ->
// SRTP (src/srtp) -> RTP/RTCP (src/rtp) for one BUNDLEd H.264 video track,
// in one direction: send-only (the streamer, `picortc serve`) or
// receive-only (the viewer, `picortc view`). docs/webrtc.md.
//
// Answerer (WHEP server, `serve`):
//   PeerConnection pc(loop, config);              // direction kSendOnly
//   pc.set_callbacks(...);
//   auto answer = pc.set_remote_offer_and_create_answer(offer_sdp);
//   if (!answer) -> HTTP 400/406 with answer.error().message()
//   ... on_state_change(kConnected) -> pc.send_access_unit(au, ts) ...
//
// Offerer (WHEP client, `view`):
//   auto offer = pc.create_offer();               // direction kRecvOnly
//   ... POST it, then pc.set_remote_answer(answer_sdp);
//   ... on_access_unit(au)
//
// Trickle: on_local_candidate gives our candidates found after the
// description was produced; add_remote_candidate() takes the peer's.
//
// Threading: a PeerConnection lives on one EventLoop thread. Every method
// must be called on that thread (or before the loop runs), and every
// callback runs on it. Callbacks never run from inside close() or the
// destructor; the description methods report only the kConnecting
// transition (on_state_change, just before they return). A callback may
// call any method of this PeerConnection, close() included, and may send
// (send_access_unit from on_keyframe_request is fine), but must not destroy
// it: post() the destruction to the loop instead. Callbacks must not block.
//
// Bad input from the network never throws and never ends the session by
// itself: each kind is dropped and counted (stats().drops), logged at a
// limited rate. What ends a session: ICE failure (no pair, consent expired),
// a DTLS failure (wrong fingerprint, alert, handshake timeout), RTCP BYE or
// DTLS close_notify from the peer, or close().
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/clock.hpp"
#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "core/result.hpp"
#include "dtls/certificate.hpp"
#include "dtls/dtls_transport.hpp"
#include "dtls/srtp_keying.hpp"
#include "h264/access_unit.hpp"
#include "ice/ice_agent.hpp"
#include "rtp/h264_depacketizer.hpp"
#include "rtp/h264_packetizer.hpp"
#include "rtp/rtcp_compound.hpp"
#include "sdp/candidate.hpp"
#include "sdp/negotiation.hpp"
#include "webrtc/nack_requester.hpp"
#include "webrtc/packet_store.hpp"
#include "webrtc/receive_statistics.hpp"
#include "webrtc/remb_estimator.hpp"
#include "webrtc/retransmission_buffer.hpp"

namespace picortc::srtp {
class SrtpSession;
}

namespace picortc::webrtc {

// Control-plane errors (returned to the caller; SDP negotiation errors are
// the sdp module's kErr... codes, returned as they are).
inline constexpr std::string_view kErrWrongState = "webrtc: call not valid in this state";
inline constexpr std::string_view kErrWrongDirection = "webrtc: call not valid for this direction";
inline constexpr std::string_view kErrBadConfig = "webrtc: invalid PeerConnection config";
inline constexpr std::string_view kErrGatherFailed = "webrtc: could not gather any local candidate";
inline constexpr std::string_view kErrBadRemoteFingerprint = "webrtc: remote fingerprint unusable";
inline constexpr std::string_view kErrBadCandidate = "webrtc: remote candidate unusable";
// send_access_unit / send_packetized when media cannot flow (yet).
inline constexpr std::string_view kErrNotConnected = "webrtc: not connected (no SRTP yet, or closed)";
inline constexpr std::string_view kErrPacketize = "webrtc: access unit could not be packetized";

// W3C RTCPeerConnectionState, with a reason for failed / closed.
enum class PeerConnectionState : uint8_t {
  kNew,           // no remote description yet
  kConnecting,    // ICE checking or DTLS handshaking
  kConnected,     // ICE has a pair and SRTP keys are in place: media flows
  kDisconnected,  // ICE consent responses stopped for a while; may recover
  kFailed,        // terminal: reason() says why
  kClosed,        // terminal: close(), or the peer sent BYE / close_notify
};
const char* to_string(PeerConnectionState state);

enum class MediaDirection : uint8_t { kSendOnly, kRecvOnly };

// Reasons given with kClosed (prefixes; kFailed carries the ICE or DTLS
// reason, e.g. "ice: consent expired", "dtls: fingerprint mismatch").
inline constexpr std::string_view kReasonClosedLocally = "closed locally";
inline constexpr std::string_view kReasonRemoteBye = "remote sent RTCP BYE";
inline constexpr std::string_view kReasonRemoteCloseNotify = "remote sent DTLS close_notify";

struct PeerConnectionConfig {
  // Servers, policy (all/relay), interfaces (include_loopback) and timers
  // (consent_timeout ...). `role` is set by the PeerConnection: the offerer
  // is controlling, the answerer controlled (RFC 8445 §6.1.1). With turn:
  // servers and no relay_factory, ice::make_turn_relay_factory() is used.
  ice::IceAgentConfig ice;
  // Our DTLS identity, shared by all peers of a process
  // (dtls::Certificate::process_default()). Required.
  dtls::Certificate certificate;
  MediaDirection direction = MediaDirection::kSendOnly;

  // Sending: the profile-level-id of the stream we send, from its real SPS
  // (h264::profile_level_id(parse_sps(...))), and how it is packetized.
  std::string profile_level_id = "42e01f";
  rtp::H264PacketizerConfig packetizer;
  // Receiving: the profiles we can decode, in preference order.
  std::vector<std::string> receive_profile_level_ids{"42e01f", "42001f", "4d001f", "640c1f", "64001f"};
  rtp::H264DepacketizerConfig depacketizer;

  // use_srtp profiles in preference order (GCM first: a fifth of the cost
  // of AES-CM + HMAC-SHA1 with Debian's libsrtp2, docs/dtls-srtp.md).
  std::vector<dtls::SrtpProfile> srtp_profiles{dtls::SrtpProfile::kAeadAes128Gcm,
                                               dtls::SrtpProfile::kAes128CmHmacSha1_80};
  // Answering an actpass offer: active (we are the DTLS client) by default.
  sdp::SetupRole setup_for_actpass = sdp::SetupRole::kActive;
  Duration dtls_handshake_timeout = seconds(10);

  // Sent RTP packets remembered for NACK (records allocated up front).
  size_t retransmission_packets = 512;
  // Where their payloads are kept: the store shared by the viewers of one
  // stream (the streamer's, packet_store.hpp). When null, a sending peer
  // makes its own, of retransmission_packets full-size payloads.
  std::shared_ptr<PacketStore> packet_store;
  // RTCP: sender reports (sending) / receiver reports (receiving).
  Duration rtcp_report_interval = seconds(1);
  // Receiving: generic NACK timing, and keyframe requests (PLI): after an
  // access unit is lost, or while nothing decodable (no keyframe) arrived
  // for keyframe_wait; at most one PLI per pli_min_interval.
  NackConfig nack;
  // Receiving: our bandwidth estimate goes to the sender in REMB (RTCP
  // PSFB "goog-remb", when negotiated) so it can adapt its bitrate
  // (docs/bandwidth-estimation.md).
  RembEstimatorConfig remb;
  Duration keyframe_wait = milliseconds(1000);
  Duration pli_min_interval = milliseconds(500);

  // RTCP SDES CNAME (RFC 7022: random per session when empty) and our
  // SSRC (random when 0).
  std::string cname;
  uint32_t ssrc = 0;

  // Test seam for loss injection on the send path: called for each
  // outgoing original RTP packet (not for retransmissions) after it was
  // stored and SRTP-protected; true drops it instead of handing it to ICE.
  std::function<bool(uint16_t seq)> drop_outgoing;
};

struct PeerConnectionCallbacks {
  // Any state change; reason is empty for the non-terminal states.
  std::function<void(PeerConnectionState, const std::string& reason)> on_state_change;
  // A local candidate found after create_offer()/set_remote_offer... returned
  // (srflx, relay): the "candidate:..." attribute value, for trickle.
  // Candidates already in the returned description are not repeated.
  std::function<void(const std::string& candidate)> on_local_candidate;
  // Local gathering ended after the description was returned (if it ended
  // before, the description carries a=end-of-candidates instead).
  std::function<void()> on_gathering_complete;
  // Sending: the peer asked for a keyframe (PLI or FIR). Rate limiting is the
  // caller's (the streamer has one encoder for all viewers).
  std::function<void(bool is_fir)> on_keyframe_request;
  // Sending: the peer's REMB estimate (bits per second), as it arrives.
  std::function<void(uint64_t bitrate_bps)> on_remb;
  // Receiving: one complete access unit, in order (move it out to keep it).
  std::function<void(h264::AccessUnit&&)> on_access_unit;
};

struct SelectedPairStats {
  std::string local_type;      // host|srflx|prflx|relay
  std::string remote_type;     // host|srflx|prflx|relay
  std::string transport;       // udp|tcp|tls
  std::string local_address;   // "ip:port"
  std::string remote_address;  // "ip:port"
};

// Counters of input dropped (DropCounter totals).
struct PeerConnectionDrops {
  uint64_t unknown_packets = 0;        // not STUN/DTLS/RTP/RTCP by RFC 7983
  uint64_t before_srtp = 0;            // RTP/RTCP before keys, not held (no handshake, or too many)
  uint64_t srtp_unprotect_failed = 0;  // auth/replay failures and more
  uint64_t rtp_malformed = 0;
  uint64_t rtp_unexpected = 0;  // wrong payload type, or RTP while send-only
  uint64_t rtcp_malformed = 0;
};

struct PeerConnectionStats {
  PeerConnectionState state = PeerConnectionState::kNew;
  std::string reason;
  std::string ice_state;
  std::string dtls_state;
  std::string srtp_profile;  // "SRTP_AEAD_AES_128_GCM", ... once connected
  std::optional<SelectedPairStats> selected_pair;

  uint32_t local_ssrc = 0;
  uint32_t remote_ssrc = 0;
  int payload_type = 0;

  // Media (RTP payload + header, before SRTP).
  uint64_t packets_sent = 0;
  uint64_t bytes_sent = 0;
  uint64_t packets_received = 0;
  uint64_t bytes_received = 0;
  uint64_t access_units_sent = 0;
  uint64_t access_units_received = 0;
  uint64_t access_units_lost = 0;
  uint64_t packets_dropped_by_test_hook = 0;

  // Loss repair.
  uint64_t nacks_sent = 0;  // NACK packets
  uint64_t nacked_packets_requested = 0;
  uint64_t nacks_received = 0;           // NACK packets
  uint64_t nacked_packets_received = 0;  // sequence numbers asked for
  uint64_t retransmits = 0;              // packets resent
  uint64_t retransmit_misses = 0;        // asked for, no longer (or never) in the buffer
  uint64_t packets_recovered = 0;        // receiving: missing packets that came after all (NACK repair)
  uint64_t packets_given_up = 0;         // receiving: missing packets no longer asked for
  uint64_t plis_sent = 0;
  uint64_t plis_received = 0;
  uint64_t firs_received = 0;

  // RTCP.
  uint64_t sender_reports_sent = 0;
  uint64_t receiver_reports_sent = 0;
  uint64_t rtcp_packets_received = 0;  // compounds
  std::optional<double> rtt_ms;        // from RR LSR/DLSR (sending side)
  uint8_t remote_fraction_lost = 0;    // the peer's last report about us (/256)
  int32_t remote_cumulative_lost = 0;
  uint32_t remote_jitter = 0;       // RTP ticks
  uint8_t local_fraction_lost = 0;  // our last report about the peer (/256)
  int64_t local_cumulative_lost = 0;
  uint32_t local_jitter = 0;
  uint64_t remb_bps = 0;              // sending: the peer's last REMB; receiving: our last sent
  uint64_t rembs_sent = 0;            // receiving
  uint64_t rembs_received = 0;        // sending
  std::string bandwidth_usage;        // receiving: normal|overusing|underusing
  uint64_t incoming_bitrate_bps = 0;  // receiving: over the last second

  PeerConnectionDrops drops;
};

class PeerConnection {
 public:
  PeerConnection(EventLoop& loop, PeerConnectionConfig config);
  // Silent: releases everything without a packet to the peer (call close()
  // first for a polite goodbye). Calls no callback.
  ~PeerConnection();
  PeerConnection(const PeerConnection&) = delete;
  PeerConnection& operator=(const PeerConnection&) = delete;

  void set_callbacks(PeerConnectionCallbacks callbacks) { callbacks_ = std::move(callbacks); }

  // Answerer: negotiates with sdp::build_answer and returns our answer at
  // once, with the host candidates (127.0.0.1 with include_loopback);
  // server-reflexive and relayed ones follow by on_local_candidate.
  // Errors: the sdp module's parse/negotiation errors (kErrNoH264 ...),
  // kErrWrongState when a description was already set, kErrGatherFailed.
  Result<std::string> set_remote_offer_and_create_answer(std::string_view offer_sdp);

  // Offerer: a recvonly H.264 offer (one payload type per profile we
  // decode), with our host candidates.
  Result<std::string> create_offer();
  // Offerer: the peer's answer; connecting starts.
  Status set_remote_answer(std::string_view answer_sdp);

  // Trickle (RFC 8838): "candidate:...", "a=candidate:..." or a parsed one.
  // Candidates the ICE agent cannot use (tcp, mDNS names) are accepted and
  // ignored. Before the remote description they are kept and added then.
  Status add_remote_candidate(std::string_view candidate_line);
  Status add_remote_candidate(const sdp::Candidate& candidate);
  void add_remote_end_of_candidates();

  // Sending (kSendOnly, kConnected): packetizes the access unit with our own
  // packetizer and sends it (see send_packetized).
  Status send_access_unit(const h264::AccessUnit& au, uint32_t rtp_timestamp);
  // Sending, fan-out: the payloads of one access unit packetized once for
  // all viewers. Per payload: RTP header (our SSRC, negotiated PT, next
  // sequence number) + payload written into a send batch, SRTP-protected in
  // place; the batch goes to ICE in one system call. The retransmission
  // buffer remembers where the payload is in the packet store: pass
  // `first_payload_id` when the caller already appended the payloads to the
  // shared config().packet_store (PacketStore::append_all), else they are
  // appended here. No heap allocation in the steady state.
  Status send_packetized(const rtp::H264Packetizer& packetized, uint32_t rtp_timestamp,
                         uint64_t first_payload_id = PacketStore::kNoId);

  // Receiving: asks the sender for a keyframe now (PLI). Within
  // pli_min_interval of the previous PLI it returns false and the PLI goes
  // out as soon as the interval allows.
  bool request_keyframe();

  // Sends DTLS close_notify and RTCP BYE (when connected), releases ICE,
  // DTLS, SRTP and timers; -> kClosed. Idempotent. Calls no callback.
  void close();

  // A datagram as the ICE agent delivers it (RFC 7983 demux onwards); for
  // tests and fuzzing of the receive chain.
  void receive_datagram(BytesView datagram);

  PeerConnectionState state() const { return state_; }
  const std::string& reason() const { return reason_; }
  ice::IceState ice_state() const;
  dtls::DtlsState dtls_state() const;
  bool gathering_complete() const;
  PeerConnectionStats stats() const;
  const std::optional<sdp::NegotiatedMedia>& negotiated() const { return negotiated_; }
  const std::string& local_description() const { return local_description_; }
  uint32_t local_ssrc() const { return ssrc_; }
  const PeerConnectionConfig& config() const { return config_; }

 private:
  enum class Role : uint8_t { kNone, kOfferer, kAnswerer };

  Status start_ice(ice::IceRole role);
  Status apply_negotiated(const sdp::NegotiatedMedia& media);
  sdp::LocalTransport local_transport() const;

  // ICE events.
  void on_ice_state(ice::IceState state, const std::string& reason);
  void on_ice_candidate(const ice::IceCandidate& candidate);
  void on_ice_gathering_complete();
  void on_ice_data(BytesView data);

  // DTLS.
  void start_dtls();
  void on_dtls_state(dtls::DtlsState state, const std::string& reason);
  void schedule_dtls_timer();
  void on_dtls_connected();

  // Media.
  Status send_payloads(const rtp::H264Packetizer& packetized, uint32_t rtp_timestamp,
                       uint64_t first_payload_id);
  // Protects the plain packet of `plain_size` bytes at `packet` (a buffer of
  // send_slot_size()) in place; its protected size, or 0 on failure.
  size_t protect(uint8_t* packet, size_t plain_size);
  size_t send_slot_size() const { return send_buffer_.size(); }
  // SRTP/SRTCP that arrives while our handshake is still finishing is held
  // (bounded) and handled once the keys are there; otherwise dropped.
  void hold_until_keys(BytesView protected_packet);
  void release_early_packets();
  void handle_rtp(BytesView protected_packet);
  void handle_rtcp(BytesView protected_packet);
  void handle_nack(const std::vector<uint16_t>& lost);
  void handle_receiver_report_block(const rtp::ReportBlock& block, TimePoint now);

  // RTCP out.
  void on_report_timer();
  void on_receive_tick();
  bool send_rtcp(const std::vector<rtp::RtcpPacket>& packets);
  void send_nacks(const std::vector<uint16_t>& seqs);
  bool send_pli();
  void maybe_request_keyframe();
  // A REMB with our estimate, when negotiated and due (every second, or at
  // once after a drop: RembEstimator::should_send).
  void maybe_send_remb(TimePoint now);

  void update_state();
  void set_state(PeerConnectionState state, const std::string& reason = {});
  void fail(const std::string& reason);
  // -> kFailed or kClosed: shutdown(false), then the callback.
  void terminate(PeerConnectionState state, const std::string& reason);
  // Stops timers and transports; `polite` sends BYE/close_notify first.
  void shutdown(bool polite);
  bool terminal() const {
    return state_ == PeerConnectionState::kFailed || state_ == PeerConnectionState::kClosed;
  }

  EventLoop& loop_;
  PeerConnectionConfig config_;
  PeerConnectionCallbacks callbacks_;
  Role role_ = Role::kNone;
  PeerConnectionState state_ = PeerConnectionState::kNew;
  std::string reason_;
  uint32_t ssrc_ = 0;
  std::string cname_;
  std::string session_id_;

  std::unique_ptr<ice::IceAgent> ice_;
  bool ice_usable_ = false;  // connected or completed, not failed
  bool describing_ = false;  // inside a description call: callbacks held back
  std::vector<sdp::Candidate> pending_remote_candidates_;
  bool pending_end_of_candidates_ = false;
  bool remote_description_set_ = false;

  std::unique_ptr<dtls::DtlsTransport> dtls_;
  EventLoop::TimerId dtls_timer_ = 0;
  std::unique_ptr<srtp::SrtpSession> srtp_out_;
  std::unique_ptr<srtp::SrtpSession> srtp_in_;
  std::string srtp_profile_name_;

  std::optional<sdp::SessionDescription> local_offer_;  // offerer only
  std::optional<sdp::NegotiatedMedia> negotiated_;
  std::string local_description_;
  uint8_t payload_type_ = 0;

  // Send side.
  rtp::H264Packetizer packetizer_;
  std::shared_ptr<PacketStore> packet_store_;  // config's, or our own (sending only)
  RetransmissionBuffer retransmission_;
  std::vector<uint8_t> send_buffer_;  // one resent packet, reused
  uint16_t next_sequence_ = 0;
  bool sent_any_ = false;
  uint64_t payload_bytes_sent_ = 0;  // RFC 3550 SR octet count
  uint32_t last_rtp_timestamp_ = 0;
  TimePoint last_rtp_timestamp_time_{};
  std::vector<uint8_t> rtcp_buffer_;

  // Receive side.
  std::vector<uint8_t> receive_buffer_;              // one datagram being unprotected
  std::vector<std::vector<uint8_t>> early_packets_;  // before our SRTP keys
  size_t early_packet_bytes_ = 0;
  rtp::H264Depacketizer depacketizer_;
  ReceiveStatistics receive_stats_;
  NackRequester nack_;
  RembEstimator remb_;
  bool remb_negotiated_ = false;
  std::vector<uint16_t> nack_scratch_;
  uint32_t remote_ssrc_ = 0;
  bool remote_ssrc_known_ = false;
  bool keyframe_received_ = false;
  bool keyframe_wanted_ = false;
  TimePoint first_media_time_{};
  TimePoint last_pli_time_{};
  bool pli_sent_once_ = false;

  EventLoop::TimerId report_timer_ = 0;
  EventLoop::TimerId receive_timer_ = 0;

  PeerConnectionStats stats_;
  DropCounter unknown_drops_{"webrtc", "datagrams dropped (not STUN/DTLS/RTP/RTCP)"};
  DropCounter before_srtp_drops_{"webrtc", "RTP/RTCP dropped before SRTP keys"};
  DropCounter srtp_drops_{"webrtc", "SRTP/SRTCP packets dropped (unprotect failed)"};
  DropCounter rtp_drops_{"webrtc", "RTP packets dropped (malformed)"};
  DropCounter unexpected_rtp_drops_{"webrtc", "RTP packets dropped (unexpected payload type or direction)"};
  DropCounter rtcp_drops_{"webrtc", "RTCP packets dropped (malformed)"};
};

}  // namespace picortc::webrtc
