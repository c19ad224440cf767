#include "webrtc/peer_connection.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <random>
#include <variant>

#include "core/seq.hpp"
#include "dtls/packet_demux.hpp"
#include "ice/turn_relay.hpp"
#include "rtp/rtcp_compound.hpp"
#include "sdp/session_description.hpp"
#include "srtp/srtp_session.hpp"

namespace picortc::webrtc {

namespace {

constexpr const char* kTag = "webrtc";
// How often the receive side looks at NACK and keyframe deadlines.
constexpr Duration kReceiveTick = milliseconds(10);
constexpr size_t kRtcpBufferSize = 1500;
constexpr size_t kInitialReceiveBuffer = 2048;
// Sequence numbers asked for before a first packet that does not start an
// access unit: the loss of more than a few packets in a row is rare.
constexpr size_t kMissingBeforeFirstPacket = 16;
// SRTP/SRTCP held while our DTLS handshake finishes (hold_until_keys): a
// GOP burst of a 2 Mbit/s stream fits.
constexpr size_t kMaxEarlyPackets = 512;
constexpr size_t kMaxEarlyPacketBytes = 512 * 1024;
// Packets handed to ICE in one call (sendmmsg): an access unit of a 2 Mbit/s
// 30 fps stream is ~8 packets; a keyframe goes out in a few batches.
constexpr size_t kSendBatchPackets = 32;

// The send batch: one per thread, shared by every peer of that loop (sends
// do not nest), so that it costs no memory per viewer.
struct SendBatch {
  std::vector<uint8_t> bytes;
  size_t slot_size = 0;
  BytesView packets[kSendBatchPackets];
  size_t count = 0;

  uint8_t* slot(size_t index) { return bytes.data() + index * slot_size; }
};

SendBatch& send_batch_for(size_t slot_size) {
  thread_local SendBatch batch;
  if (batch.slot_size < slot_size) {
    batch.bytes.assign(kSendBatchPackets * slot_size, 0);
    batch.slot_size = slot_size;
  }
  batch.count = 0;
  return batch;
}

uint64_t random_u64() {
  static thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine();
}

std::string random_token(size_t length) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  for (size_t i = 0; i < length; ++i)
    out += kChars[random_u64() % (sizeof(kChars) - 1)];
  return out;
}

// RFC 3550 §6.4.1: "the middle 32 bits out of 64 in the NTP timestamp".
uint32_t ntp_middle32(uint64_t ntp) {
  return static_cast<uint32_t>(ntp >> 16);
}

Result<sdp::Candidate> to_sdp_candidate(const ice::IceCandidate& candidate) {
  return sdp::parse_candidate(candidate.to_attribute_value());
}

Result<ice::IceCandidate> to_ice_candidate(const sdp::Candidate& candidate) {
  return ice::parse_candidate(sdp::write_candidate(candidate));
}

// A send-only peer never depacketizes: the smallest ring, not 512 slots.
rtp::H264DepacketizerConfig depacketizer_config_for(const PeerConnectionConfig& config) {
  rtp::H264DepacketizerConfig depacketizer = config.depacketizer;
  if (config.direction == MediaDirection::kSendOnly) depacketizer.max_packets = 2;
  return depacketizer;
}

}  // namespace

const char* to_string(PeerConnectionState state) {
  switch (state) {
    case PeerConnectionState::kNew:
      return "new";
    case PeerConnectionState::kConnecting:
      return "connecting";
    case PeerConnectionState::kConnected:
      return "connected";
    case PeerConnectionState::kDisconnected:
      return "disconnected";
    case PeerConnectionState::kFailed:
      return "failed";
    case PeerConnectionState::kClosed:
      return "closed";
  }
  return "unknown";
}

PeerConnection::PeerConnection(EventLoop& loop, PeerConnectionConfig config)
    : loop_(loop),
      config_(std::move(config)),
      packetizer_(config_.packetizer),
      retransmission_(config_.direction == MediaDirection::kSendOnly ? config_.retransmission_packets : 0),
      send_buffer_(rtp::kRtpFixedHeaderSize + config_.packetizer.max_payload_size + srtp::kMaxRtpOverhead),
      rtcp_buffer_(kRtcpBufferSize + srtp::kMaxRtcpOverhead),
      receive_buffer_(kInitialReceiveBuffer),
      depacketizer_(
          depacketizer_config_for(config_),
          [this](h264::AccessUnit& au) {
            if (terminal()) return;
            ++stats_.access_units_received;
            if (au.is_keyframe()) {
              keyframe_received_ = true;
              keyframe_wanted_ = false;
            }
            if (callbacks_.on_access_unit) callbacks_.on_access_unit(std::move(au));
          },
          [this](const rtp::H264LostRange& lost) {
            ++stats_.access_units_lost;
            LOG_DEBUG(kTag, "access unit lost: seq %u-%u (%.*s)", lost.first_sequence, lost.last_sequence,
                      static_cast<int>(lost.reason.size()), lost.reason.data());
            // The decoder's reference chain is broken until the next keyframe.
            keyframe_wanted_ = true;
          }),
      nack_(config_.nack),
      remb_(config_.remb) {
  ssrc_ = config_.ssrc;
  while (ssrc_ == 0)
    ssrc_ = static_cast<uint32_t>(random_u64());
  // RFC 7022 §4.2: a random CNAME per session (16 characters of base64-ish).
  cname_ = config_.cname.empty() ? random_token(16) : config_.cname;
  session_id_ = std::to_string(random_u64() >> 2);
  next_sequence_ = static_cast<uint16_t>(random_u64());
  stats_.local_ssrc = ssrc_;
  if (config_.direction == MediaDirection::kSendOnly) {
    packet_store_ = config_.packet_store;
    if (!packet_store_) {
      packet_store_ =
          std::make_shared<PacketStore>(config_.retransmission_packets * config_.packetizer.max_payload_size,
                                        config_.retransmission_packets);
    }
  }
}

PeerConnection::~PeerConnection() {
  // Silent: no callbacks, no packets (ICE is closed before DTLS could send).
  state_ = PeerConnectionState::kClosed;
  if (dtls_timer_) loop_.cancel_timer(dtls_timer_);
  if (report_timer_) loop_.cancel_timer(report_timer_);
  if (receive_timer_) loop_.cancel_timer(receive_timer_);
  if (ice_) ice_->close();
}

// ---------------------------------------------------------------------------
// Descriptions

sdp::LocalTransport PeerConnection::local_transport() const {
  sdp::LocalTransport transport;
  transport.ice_ufrag = ice_->local_credentials().ufrag;
  transport.ice_pwd = ice_->local_credentials().password;
  transport.trickle = true;
  const dtls::Fingerprint& fingerprint = config_.certificate.fingerprint();
  transport.fingerprint = sdp::Fingerprint{std::string(dtls::hash_function_name(fingerprint.hash)),
                                           to_hex(BytesView(fingerprint.digest), ':')};
  for (auto& value : transport.fingerprint.value)
    value = static_cast<char>(std::toupper(static_cast<unsigned char>(value)));
  for (const ice::IceCandidate& candidate : ice_->local_candidates()) {
    auto converted = to_sdp_candidate(candidate);
    if (converted) {
      transport.candidates.push_back(std::move(*converted));
    } else {
      LOG_WARN(kTag, "local candidate not expressible in SDP: %s", converted.error().message().c_str());
    }
  }
  transport.end_of_candidates = ice_->gathering_state() == ice::GatheringState::kComplete;
  return transport;
}

Status PeerConnection::start_ice(ice::IceRole role) {
  if (config_.certificate.empty()) return make_error(kErrBadConfig, "no certificate");
  config_.ice.role = role;
  // turn: servers need the TURN client behind the agent's relay seam.
  if (!config_.ice.relay_factory) {
    for (const ice::IceServerUrl& server : config_.ice.servers)
      if (server.is_turn()) config_.ice.relay_factory = ice::make_turn_relay_factory();
  }
  ice_ = std::make_unique<ice::IceAgent>(loop_, config_.ice);
  ice::IceAgentCallbacks callbacks;
  callbacks.on_local_candidate = [this](const ice::IceCandidate& c) { on_ice_candidate(c); };
  callbacks.on_gathering_complete = [this]() { on_ice_gathering_complete(); };
  callbacks.on_state_change = [this](ice::IceState s, const std::string& reason) { on_ice_state(s, reason); };
  callbacks.on_data = [this](BytesView data) { on_ice_data(data); };
  ice_->set_callbacks(std::move(callbacks));
  describing_ = true;
  Status gathered = ice_->gather();
  describing_ = false;
  if (!gathered) {
    ice_->close();
    ice_.reset();
    return make_error(kErrGatherFailed, gathered.error().message());
  }
  return {};
}

Result<std::string> PeerConnection::set_remote_offer_and_create_answer(std::string_view offer_sdp) {
  if (role_ != Role::kNone || terminal()) return make_error(kErrWrongState, "a description was already set");
  auto offer = sdp::parse_session_description(offer_sdp);
  if (!offer) return offer.error();

  Status started = start_ice(ice::IceRole::kControlled);
  if (!started) return started.error();

  sdp::AnswerOptions options;
  options.direction = config_.direction == MediaDirection::kSendOnly ? sdp::MediaDirection::kSendOnly
                                                                     : sdp::MediaDirection::kRecvOnly;
  options.profile_level_id = config_.profile_level_id;
  options.receive_profile_level_ids = config_.receive_profile_level_ids;
  options.transport = local_transport();
  options.setup_for_actpass = config_.setup_for_actpass;
  options.track.ssrc = ssrc_;
  options.track.cname = cname_;
  options.origin.session_id = session_id_;
  auto answer = sdp::build_answer(*offer, options);
  if (!answer) {
    ice_->close();
    ice_.reset();
    return answer.error();
  }
  role_ = Role::kAnswerer;
  describing_ = true;
  Status applied = apply_negotiated(answer->media);
  describing_ = false;
  if (!applied) {
    ice_->close();
    return applied.error();
  }
  local_description_ = sdp::to_string(answer->description);
  if (callbacks_.on_state_change && state_ != PeerConnectionState::kNew)
    callbacks_.on_state_change(state_, reason_);
  return local_description_;
}

Result<std::string> PeerConnection::create_offer() {
  if (role_ != Role::kNone || terminal()) return make_error(kErrWrongState, "a description was already set");
  if (config_.direction != MediaDirection::kRecvOnly)
    return make_error(kErrWrongDirection, "create_offer() offers to receive; a sender answers");
  Status started = start_ice(ice::IceRole::kControlling);
  if (!started) return started.error();
  sdp::OfferOptions options;
  options.receive_profile_level_ids = config_.receive_profile_level_ids;
  options.transport = local_transport();
  options.origin.session_id = session_id_;
  auto offer = sdp::build_offer(options);
  if (!offer) {
    ice_->close();
    ice_.reset();
    return offer.error();
  }
  role_ = Role::kOfferer;
  local_offer_ = std::move(*offer);
  local_description_ = sdp::to_string(*local_offer_);
  return local_description_;
}

Status PeerConnection::set_remote_answer(std::string_view answer_sdp) {
  if (role_ != Role::kOfferer || remote_description_set_ || terminal())
    return make_error(kErrWrongState, "set_remote_answer() needs our pending offer");
  auto answer = sdp::parse_session_description(answer_sdp);
  if (!answer) return answer.error();
  auto media = sdp::apply_answer(*local_offer_, *answer);
  if (!media) return media.error();
  describing_ = true;
  Status applied = apply_negotiated(*media);
  describing_ = false;
  if (!applied) return applied;
  if (callbacks_.on_state_change && state_ != PeerConnectionState::kNew)
    callbacks_.on_state_change(state_, reason_);
  return {};
}

Status PeerConnection::apply_negotiated(const sdp::NegotiatedMedia& media) {
  // DTLS first: its configuration can still fail without side effects.
  std::optional<dtls::Fingerprint> remote_fingerprint;
  std::string fingerprint_errors;
  for (const sdp::Fingerprint& offered : media.remote_fingerprints) {
    auto parsed = dtls::Fingerprint::parse(offered.hash_function + " " + offered.value);
    if (!parsed) {
      fingerprint_errors += parsed.error().message() + "; ";
      continue;
    }
    // Prefer SHA-256 (what every browser sends); take the first otherwise.
    if (!remote_fingerprint || (parsed->hash == dtls::HashFunction::kSha256 &&
                                remote_fingerprint->hash != dtls::HashFunction::kSha256)) {
      remote_fingerprint = std::move(*parsed);
    }
  }
  if (!remote_fingerprint) return make_error(kErrBadRemoteFingerprint, fingerprint_errors);

  dtls::DtlsConfig dtls_config;
  dtls_config.role =
      media.local_dtls_role == sdp::DtlsRole::kClient ? dtls::DtlsRole::kClient : dtls::DtlsRole::kServer;
  dtls_config.certificate = config_.certificate;
  dtls_config.remote_fingerprint = *remote_fingerprint;
  dtls_config.srtp_profiles = config_.srtp_profiles;
  dtls_config.handshake_timeout = config_.dtls_handshake_timeout;
  auto transport = dtls::DtlsTransport::create(
      std::move(dtls_config),
      [this](BytesView datagram) {
        if (ice_) ice_->send(datagram);
      },
      [this](dtls::DtlsState state, const std::string& reason) { on_dtls_state(state, reason); });
  if (!transport) return transport.error();
  dtls_ = std::move(*transport);

  negotiated_ = media;
  payload_type_ = static_cast<uint8_t>(media.payload_type);
  remb_negotiated_ = std::any_of(media.rtcp_feedback.begin(), media.rtcp_feedback.end(),
                                 [](const sdp::RtcpFeedback& fb) { return fb.type == "goog-remb"; });
  stats_.payload_type = media.payload_type;
  if (!media.remote_ssrcs.empty()) {
    remote_ssrc_ = media.remote_ssrcs.front();
    remote_ssrc_known_ = true;
    stats_.remote_ssrc = remote_ssrc_;
  }
  remote_description_set_ = true;
  set_state(PeerConnectionState::kConnecting);

  ice_->set_remote_credentials(media.remote_ice_ufrag, media.remote_ice_pwd);
  for (const sdp::Candidate& candidate : media.remote_candidates) {
    Status added = add_remote_candidate(candidate);
    if (!added) LOG_WARN(kTag, "remote candidate ignored: %s", added.error().message().c_str());
  }
  for (const sdp::Candidate& candidate : pending_remote_candidates_) {
    Status added = add_remote_candidate(candidate);
    if (!added) LOG_WARN(kTag, "remote candidate ignored: %s", added.error().message().c_str());
  }
  pending_remote_candidates_.clear();
  if (media.remote_end_of_candidates || pending_end_of_candidates_) ice_->set_remote_end_of_candidates();
  return {};
}

// ---------------------------------------------------------------------------
// Trickle

Status PeerConnection::add_remote_candidate(std::string_view candidate_line) {
  if (sdp::is_end_of_candidates(candidate_line)) {
    add_remote_end_of_candidates();
    return {};
  }
  auto candidate = sdp::parse_candidate(candidate_line);
  if (!candidate) return make_error(kErrBadCandidate, candidate.error().message());
  return add_remote_candidate(*candidate);
}

Status PeerConnection::add_remote_candidate(const sdp::Candidate& candidate) {
  if (terminal()) return make_error(kErrWrongState, "closed");
  if (!remote_description_set_) {
    // The remote description carries the credentials the checks need; keep
    // early candidates (bounded: a trickling peer sends a handful).
    if (pending_remote_candidates_.size() >= 64)
      return make_error(kErrBadCandidate, "too many early candidates");
    pending_remote_candidates_.push_back(candidate);
    return {};
  }
  auto converted = to_ice_candidate(candidate);
  if (!converted) return make_error(kErrBadCandidate, converted.error().message());
  Status added = ice_->add_remote_candidate(*converted);
  if (!added) return make_error(kErrBadCandidate, added.error().message());
  return {};
}

void PeerConnection::add_remote_end_of_candidates() {
  if (terminal()) return;
  if (!remote_description_set_) {
    pending_end_of_candidates_ = true;
    return;
  }
  ice_->set_remote_end_of_candidates();
}

bool PeerConnection::gathering_complete() const {
  return ice_ && ice_->gathering_state() == ice::GatheringState::kComplete;
}

// ---------------------------------------------------------------------------
// ICE events

void PeerConnection::on_ice_candidate(const ice::IceCandidate& candidate) {
  // Candidates found inside a description call are in that description;
  // peer-reflexive ones are never signalled (RFC 8445 §7.2.5.3.1).
  if (describing_ || terminal() || candidate.type == ice::CandidateType::kPeerReflexive) return;
  if (callbacks_.on_local_candidate) callbacks_.on_local_candidate(candidate.to_attribute_value());
}

void PeerConnection::on_ice_gathering_complete() {
  if (describing_ || terminal()) return;
  if (callbacks_.on_gathering_complete) callbacks_.on_gathering_complete();
}

void PeerConnection::on_ice_state(ice::IceState state, const std::string& reason) {
  if (terminal()) return;
  switch (state) {
    case ice::IceState::kConnected:
    case ice::IceState::kCompleted:
      ice_usable_ = true;
      if (dtls_ && dtls_->state() == dtls::DtlsState::kNew) start_dtls();
      if (terminal()) return;
      break;
    case ice::IceState::kDisconnected:
      ice_usable_ = false;
      break;
    case ice::IceState::kFailed:
      fail("ice: " + (reason.empty() ? std::string("failed") : reason));
      return;
    case ice::IceState::kNew:
    case ice::IceState::kChecking:
    case ice::IceState::kClosed:
      break;
  }
  update_state();
}

void PeerConnection::on_ice_data(BytesView data) {
  receive_datagram(data);
}

// ---------------------------------------------------------------------------
// DTLS

void PeerConnection::start_dtls() {
  dtls_->start();
  schedule_dtls_timer();
}

void PeerConnection::schedule_dtls_timer() {
  if (dtls_timer_) {
    loop_.cancel_timer(dtls_timer_);
    dtls_timer_ = 0;
  }
  if (!dtls_ || terminal()) return;
  std::optional<Duration> next = dtls_->next_timeout();
  if (!next) return;
  dtls_timer_ = loop_.add_timer(*next, [this]() {
    dtls_timer_ = 0;
    if (!dtls_ || terminal()) return;
    dtls_->handle_timeout();
    schedule_dtls_timer();
  });
}

void PeerConnection::on_dtls_state(dtls::DtlsState state, const std::string& reason) {
  if (terminal()) return;
  switch (state) {
    case dtls::DtlsState::kConnected:
      on_dtls_connected();
      break;
    case dtls::DtlsState::kFailed:
      fail("dtls: " + reason);
      break;
    case dtls::DtlsState::kClosed:
      terminate(PeerConnectionState::kClosed, std::string(kReasonRemoteCloseNotify) + " (" + reason + ")");
      break;
    case dtls::DtlsState::kNew:
    case dtls::DtlsState::kConnecting:
      break;
  }
}

void PeerConnection::on_dtls_connected() {
  const auto& keys = dtls_->srtp_keys();
  if (!keys) {
    fail("dtls: connected without SRTP keys");
    return;
  }
  auto sessions = srtp::SrtpSessionPair::create(*keys);
  if (!sessions) {
    fail("srtp: " + sessions.error().message());
    return;
  }
  srtp_out_ = std::move(sessions->outbound);
  srtp_in_ = std::move(sessions->inbound);
  srtp_profile_name_ = std::string(dtls::srtp_profile_name(keys->profile));
  LOG_INFO(kTag, "DTLS connected (%s), SRTP %s", dtls::dtls_role_name(dtls_->role()),
           srtp_profile_name_.c_str());

  report_timer_ = loop_.add_periodic(config_.rtcp_report_interval, [this]() { on_report_timer(); });
  if (config_.direction == MediaDirection::kRecvOnly) {
    first_media_time_ = Clock::now();  // the keyframe wait counts from here
    receive_timer_ = loop_.add_periodic(kReceiveTick, [this]() { on_receive_tick(); });
  }
  update_state();
  if (!terminal()) release_early_packets();
}

// ---------------------------------------------------------------------------
// State

void PeerConnection::update_state() {
  if (terminal() || !remote_description_set_) return;
  bool media_ready = srtp_out_ && dtls_ && dtls_->state() == dtls::DtlsState::kConnected;
  PeerConnectionState next = PeerConnectionState::kConnecting;
  ice::IceState ice = ice_ ? ice_->state() : ice::IceState::kNew;
  if (ice_usable_ && media_ready) {
    next = PeerConnectionState::kConnected;
  } else if (ice == ice::IceState::kDisconnected &&
             (state_ == PeerConnectionState::kConnected || state_ == PeerConnectionState::kDisconnected)) {
    next = PeerConnectionState::kDisconnected;
  }
  set_state(next);
}

void PeerConnection::set_state(PeerConnectionState state, const std::string& reason) {
  if (state == state_) return;
  state_ = state;
  reason_ = reason;
  if (state == PeerConnectionState::kFailed) {
    LOG_WARN(kTag, "peer connection failed: %s", reason.c_str());
  } else {
    LOG_INFO(kTag, "peer connection %s%s%s", to_string(state), reason.empty() ? "" : ": ", reason.c_str());
  }
  if (!describing_ && callbacks_.on_state_change) callbacks_.on_state_change(state, reason);
}

void PeerConnection::fail(const std::string& reason) {
  terminate(PeerConnectionState::kFailed, reason);
}

void PeerConnection::terminate(PeerConnectionState state, const std::string& reason) {
  if (terminal()) return;
  // Stop first, then tell: the callback sees a peer that is already released
  // (and transports closing below find us terminal and stay quiet).
  state_ = state;
  reason_ = reason;
  shutdown(false);
  if (state == PeerConnectionState::kFailed) {
    LOG_WARN(kTag, "peer connection failed: %s", reason.c_str());
  } else {
    LOG_INFO(kTag, "peer connection %s: %s", to_string(state), reason.c_str());
  }
  if (!describing_ && callbacks_.on_state_change) callbacks_.on_state_change(state, reason);
}

void PeerConnection::close() {
  if (terminal()) return;
  bool polite = srtp_out_ != nullptr;
  state_ = PeerConnectionState::kClosed;
  reason_ = std::string(kReasonClosedLocally);
  shutdown(polite);
  LOG_INFO(kTag, "peer connection closed locally");
}

void PeerConnection::shutdown(bool polite) {
  if (polite) {
    // RFC 3550 §6.6 BYE, then RFC 5246 §7.2.1 close_notify, while ICE still
    // has its pair.
    if (srtp_out_) {
      std::vector<rtp::RtcpPacket> packets;
      packets.emplace_back(rtp::ReceiverReport{ssrc_, {}, {}});
      rtp::Bye bye;
      bye.ssrcs.push_back(ssrc_);
      packets.emplace_back(std::move(bye));
      send_rtcp(packets);
    }
    if (dtls_) dtls_->close();
  }
  if (dtls_timer_) loop_.cancel_timer(dtls_timer_);
  if (report_timer_) loop_.cancel_timer(report_timer_);
  if (receive_timer_) loop_.cancel_timer(receive_timer_);
  dtls_timer_ = report_timer_ = receive_timer_ = 0;
  ice_usable_ = false;
  // Objects stay allocated until destruction: this may run inside one of
  // their callbacks. Closing ICE releases the sockets and stops all traffic.
  if (ice_) ice_->close();
}

ice::IceState PeerConnection::ice_state() const {
  return ice_ ? ice_->state() : ice::IceState::kNew;
}

dtls::DtlsState PeerConnection::dtls_state() const {
  return dtls_ ? dtls_->state() : dtls::DtlsState::kNew;
}

PeerConnectionStats PeerConnection::stats() const {
  PeerConnectionStats out = stats_;
  out.state = state_;
  out.reason = reason_;
  out.ice_state = ice::to_string(ice_state());
  out.dtls_state = dtls::dtls_state_name(dtls_state());
  out.srtp_profile = srtp_profile_name_;
  if (ice_) {
    auto pair = ice_->selected_pair();
    if (pair) {
      SelectedPairStats selected;
      selected.local_type = std::string(ice::candidate_type_name(pair->local.type));
      selected.remote_type = std::string(ice::candidate_type_name(pair->remote.type));
      selected.transport = pair->transport;
      selected.local_address = pair->local.address.to_string();
      selected.remote_address = pair->remote.address.to_string();
      out.selected_pair = std::move(selected);
    }
  }
  if (config_.direction == MediaDirection::kRecvOnly) {
    out.bandwidth_usage = to_string(remb_.state());
    out.incoming_bitrate_bps = remb_.incoming_bitrate_bps(Clock::now());
  }
  out.packets_recovered = nack_.recovered();
  out.packets_given_up = nack_.given_up();
  out.local_fraction_lost = receive_stats_.last_fraction_lost();
  out.local_cumulative_lost = receive_stats_.cumulative_lost();
  out.local_jitter = receive_stats_.jitter();
  out.drops.unknown_packets = unknown_drops_.count();
  out.drops.before_srtp = before_srtp_drops_.count();
  out.drops.srtp_unprotect_failed = srtp_drops_.count();
  out.drops.rtp_malformed = rtp_drops_.count();
  out.drops.rtp_unexpected = unexpected_rtp_drops_.count();
  out.drops.rtcp_malformed = rtcp_drops_.count();
  return out;
}

// ---------------------------------------------------------------------------
// Receive chain

void PeerConnection::receive_datagram(BytesView datagram) {
  if (terminal()) return;
  switch (dtls::classify_packet(datagram)) {
    case dtls::PacketKind::kDtls:
      if (!dtls_) {
        unknown_drops_.hit("DTLS before the remote description");
        return;
      }
      dtls_->handle_datagram(datagram);
      schedule_dtls_timer();
      return;
    case dtls::PacketKind::kRtp:
      handle_rtp(datagram);
      return;
    case dtls::PacketKind::kRtcp:
      handle_rtcp(datagram);
      return;
    case dtls::PacketKind::kStun:
    case dtls::PacketKind::kZrtp:
    case dtls::PacketKind::kTurnChannel:
    case dtls::PacketKind::kUnknown:
      unknown_drops_.hit("first byte %u, %zu bytes", datagram.empty() ? 0u : datagram[0], datagram.size());
      return;
  }
}

void PeerConnection::hold_until_keys(BytesView protected_packet) {
  // DTLS 1.2 race: the server has its keys when it sends its Finished, the
  // client only when that arrives (a lost Finished: a retransmission timer
  // later). A sender that is the DTLS server starts media at once, so hold
  // what comes early (bounded) and unprotect it when the keys are there.
  const bool handshaking =
      dtls_ && (dtls_->state() == dtls::DtlsState::kNew || dtls_->state() == dtls::DtlsState::kConnecting);
  if (!handshaking || early_packets_.size() >= kMaxEarlyPackets ||
      early_packet_bytes_ + protected_packet.size() > kMaxEarlyPacketBytes) {
    before_srtp_drops_.hit();
    return;
  }
  early_packets_.emplace_back(protected_packet.begin(), protected_packet.end());
  early_packet_bytes_ += protected_packet.size();
}

void PeerConnection::release_early_packets() {
  std::vector<std::vector<uint8_t>> held;
  held.swap(early_packets_);
  early_packet_bytes_ = 0;
  for (const std::vector<uint8_t>& packet : held) {
    if (terminal()) return;
    receive_datagram(BytesView(packet));
  }
}

void PeerConnection::handle_rtp(BytesView protected_packet) {
  if (!srtp_in_) {
    hold_until_keys(protected_packet);
    return;
  }
  if (receive_buffer_.size() < protected_packet.size()) receive_buffer_.resize(protected_packet.size());
  std::memcpy(receive_buffer_.data(), protected_packet.data(), protected_packet.size());
  auto plain_size = srtp_in_->unprotect_rtp(receive_buffer_.data(), protected_packet.size());
  if (!plain_size) {
    srtp_drops_.hit("%s", plain_size.error().message().c_str());
    return;
  }
  BytesView plain(receive_buffer_.data(), *plain_size);
  auto packet = rtp::RtpPacketView::parse(plain);
  if (!packet) {
    rtp_drops_.hit("%s", packet.error().message().c_str());
    return;
  }
  const rtp::RtpHeader& header = packet->header;
  if (config_.direction != MediaDirection::kRecvOnly || header.payload_type != payload_type_) {
    unexpected_rtp_drops_.hit("payload type %u", header.payload_type);
    return;
  }
  if (!remote_ssrc_known_) {
    remote_ssrc_ = header.ssrc;
    remote_ssrc_known_ = true;
    stats_.remote_ssrc = remote_ssrc_;
  } else if (header.ssrc != remote_ssrc_) {
    unexpected_rtp_drops_.hit("SSRC %08x, expected %08x", header.ssrc, remote_ssrc_);
    return;
  }
  const bool first_packet = stats_.packets_received == 0;
  ++stats_.packets_received;
  stats_.bytes_received += plain.size();
  TimePoint now = Clock::now();
  receive_stats_.on_packet(header.sequence_number, header.timestamp, now);
  remb_.on_packet(now, header.timestamp, protected_packet.size());
  if (nack_.on_packet(header.sequence_number, now)) keyframe_wanted_ = true;
  // A sender starts us at an access unit (the streamer at its cached IDR
  // with SPS/PPS): a first packet in the middle of one means the packets
  // before it were lost, and no later gap would reveal them.
  if (first_packet && !rtp::payload_starts_access_unit(packet->payload))
    nack_.assume_missing_before_first(kMissingBeforeFirstPacket, now);
  depacketizer_.push(*packet, monotonic_us());
  if (terminal()) return;
  maybe_request_keyframe();
  if (terminal()) return;
  maybe_send_remb(now);
}

void PeerConnection::handle_rtcp(BytesView protected_packet) {
  if (!srtp_in_) {
    hold_until_keys(protected_packet);
    return;
  }
  if (receive_buffer_.size() < protected_packet.size()) receive_buffer_.resize(protected_packet.size());
  std::memcpy(receive_buffer_.data(), protected_packet.data(), protected_packet.size());
  auto plain_size = srtp_in_->unprotect_rtcp(receive_buffer_.data(), protected_packet.size());
  if (!plain_size) {
    srtp_drops_.hit("%s", plain_size.error().message().c_str());
    return;
  }
  auto packets = rtp::parse_rtcp_compound(BytesView(receive_buffer_.data(), *plain_size));
  if (!packets) {
    rtcp_drops_.hit("%s", packets.error().message().c_str());
    return;
  }
  ++stats_.rtcp_packets_received;
  TimePoint now = Clock::now();
  for (const rtp::RtcpPacket& packet : *packets) {
    if (terminal()) return;
    if (const auto* sr = std::get_if<rtp::SenderReport>(&packet)) {
      if (config_.direction == MediaDirection::kRecvOnly && (!remote_ssrc_known_ || sr->ssrc == remote_ssrc_))
        receive_stats_.on_sender_report(sr->ntp_timestamp, now);
      for (const rtp::ReportBlock& block : sr->reports)
        if (block.ssrc == ssrc_) handle_receiver_report_block(block, now);
    } else if (const auto* rr = std::get_if<rtp::ReceiverReport>(&packet)) {
      for (const rtp::ReportBlock& block : rr->reports)
        if (block.ssrc == ssrc_) handle_receiver_report_block(block, now);
    } else if (const auto* nack = std::get_if<rtp::Nack>(&packet)) {
      if (nack->media_ssrc != ssrc_) continue;
      ++stats_.nacks_received;
      handle_nack(nack->lost_sequence_numbers());
    } else if (const auto* pli = std::get_if<rtp::Pli>(&packet)) {
      if (pli->media_ssrc != ssrc_) continue;
      ++stats_.plis_received;
      if (callbacks_.on_keyframe_request) callbacks_.on_keyframe_request(false);
    } else if (const auto* fir = std::get_if<rtp::Fir>(&packet)) {
      // RFC 5104 §4.3.1: the FCI entries name the media sender; the media
      // SSRC field is unused.
      bool for_us = false;
      for (const rtp::FirEntry& entry : fir->entries)
        for_us = for_us || entry.ssrc == ssrc_;
      if (!for_us) continue;
      ++stats_.firs_received;
      if (callbacks_.on_keyframe_request) callbacks_.on_keyframe_request(true);
    } else if (const auto* remb = std::get_if<rtp::Remb>(&packet)) {
      if (config_.direction != MediaDirection::kSendOnly) continue;
      // REMB names the media SSRCs it applies to (draft-alvestrand-rmcat-remb §2.2).
      if (!remb->ssrcs.empty() &&
          std::find(remb->ssrcs.begin(), remb->ssrcs.end(), ssrc_) == remb->ssrcs.end())
        continue;
      ++stats_.rembs_received;
      stats_.remb_bps = remb->bitrate_bps;
      if (callbacks_.on_remb) callbacks_.on_remb(remb->bitrate_bps);
    } else if (std::get_if<rtp::Bye>(&packet)) {
      // One peer per connection (BUNDLE, one track): its BYE ends the session.
      terminate(PeerConnectionState::kClosed, std::string(kReasonRemoteBye));
      return;
    }
  }
}

void PeerConnection::handle_receiver_report_block(const rtp::ReportBlock& block, TimePoint) {
  stats_.remote_fraction_lost = block.fraction_lost;
  stats_.remote_cumulative_lost = block.cumulative_lost;
  stats_.remote_jitter = block.jitter;
  if (block.last_sender_report == 0) return;
  // RFC 3550 §6.4.1: RTT = A - LSR - DLSR, all in 1/65536 s (middle 32 bits
  // of NTP time), A the arrival time of the report.
  uint32_t arrival = ntp_middle32(ntp_now());
  uint32_t rtt = arrival - block.last_sender_report - block.delay_since_last_sender_report;
  // A negative result (clock step, a bogus report) wraps to a huge value.
  if (rtt < 65536u * 60u) stats_.rtt_ms = rtt * 1000.0 / 65536.0;
}

// ---------------------------------------------------------------------------
// Send chain

Status PeerConnection::send_access_unit(const h264::AccessUnit& au, uint32_t rtp_timestamp) {
  if (config_.direction != MediaDirection::kSendOnly)
    return make_error(kErrWrongDirection, "receive-only peer");
  if (!srtp_out_ || terminal()) return make_error(kErrNotConnected, to_string(state_));
  Status packetized = packetizer_.packetize(au);
  if (!packetized) return make_error(kErrPacketize, packetized.error().message());
  return send_payloads(packetizer_, rtp_timestamp, PacketStore::kNoId);
}

Status PeerConnection::send_packetized(const rtp::H264Packetizer& packetized, uint32_t rtp_timestamp,
                                       uint64_t first_payload_id) {
  if (config_.direction != MediaDirection::kSendOnly)
    return make_error(kErrWrongDirection, "receive-only peer");
  if (!srtp_out_ || terminal()) return make_error(kErrNotConnected, to_string(state_));
  return send_payloads(packetized, rtp_timestamp, first_payload_id);
}

Status PeerConnection::send_payloads(const rtp::H264Packetizer& packetized, uint32_t rtp_timestamp,
                                     uint64_t first_payload_id) {
  const size_t count = packetized.payload_count();
  if (count == 0) return {};
  // Payloads not in the store yet (our own packetizer, or a caller without
  // a shared store) go in now, once.
  if (first_payload_id == PacketStore::kNoId) first_payload_id = packet_store_->append_all(packetized);
  SendBatch& batch = send_batch_for(send_slot_size());
  auto flush = [&] {
    if (batch.count == 0) return;
    if (ice_) ice_->send_batch(batch.packets, batch.count);
    batch.count = 0;
  };
  for (size_t i = 0; i < count; ++i) {
    rtp::RtpHeader header;
    header.payload_type = payload_type_;
    header.sequence_number = next_sequence_;
    header.timestamp = rtp_timestamp;
    header.ssrc = ssrc_;
    uint8_t* slot = batch.slot(batch.count);
    auto written =
        rtp::write_h264_rtp_packet(packetized, i, header, slot, send_slot_size() - srtp::kMaxRtpOverhead);
    if (!written) {
      // Only a packetizer configured with a larger payload budget than ours.
      flush();
      return make_error(kErrPacketize, written.error().message() + " (payload " +
                                           std::to_string(packetized.payload(i).bytes.size()) + " bytes)");
    }
    ++next_sequence_;
    // kNoId (a payload larger than the whole store) is remembered as such:
    // a NACK for it is a miss.
    const uint64_t payload_id =
        first_payload_id == PacketStore::kNoId ? PacketStore::kNoId : first_payload_id + i;
    retransmission_.store(header.sequence_number,
                          SentPacket{payload_id, rtp_timestamp, packetized.payload(i).marker});
    ++stats_.packets_sent;
    stats_.bytes_sent += *written;
    payload_bytes_sent_ += *written - rtp::kRtpFixedHeaderSize;
    const size_t protected_size = protect(slot, *written);
    if (protected_size == 0) continue;
    if (config_.drop_outgoing && config_.drop_outgoing(header.sequence_number)) {
      ++stats_.packets_dropped_by_test_hook;
      continue;
    }
    batch.packets[batch.count++] = BytesView(slot, protected_size);
    if (batch.count == kSendBatchPackets) flush();
  }
  flush();
  ++stats_.access_units_sent;
  sent_any_ = true;
  last_rtp_timestamp_ = rtp_timestamp;
  last_rtp_timestamp_time_ = Clock::now();
  return {};
}

size_t PeerConnection::protect(uint8_t* packet, size_t plain_size) {
  if (!srtp_out_) return 0;
  auto protected_size = srtp_out_->protect_rtp(packet, plain_size, send_slot_size());
  if (!protected_size) {
    LOG_WARN(kTag, "SRTP protect failed: %s", protected_size.error().message().c_str());
    return 0;
  }
  return *protected_size;
}

void PeerConnection::handle_nack(const std::vector<uint16_t>& lost) {
  for (uint16_t seq : lost) {
    ++stats_.nacked_packets_received;
    std::optional<SentPacket> sent = retransmission_.find(seq);
    BytesView payload = sent && packet_store_ ? packet_store_->find(sent->payload_id) : BytesView();
    if (payload.empty()) {
      ++stats_.retransmit_misses;
      continue;
    }
    // The same packet again: our header fields, its number, time and marker.
    rtp::RtpHeader header;
    header.payload_type = payload_type_;
    header.sequence_number = seq;
    header.timestamp = sent->rtp_timestamp;
    header.ssrc = ssrc_;
    header.marker = sent->marker;
    auto written = rtp::write_rtp_packet(header, payload, send_buffer_.data(),
                                         send_buffer_.size() - srtp::kMaxRtpOverhead);
    if (!written) {
      ++stats_.retransmit_misses;
      continue;
    }
    const size_t protected_size = protect(send_buffer_.data(), *written);
    if (protected_size != 0 && ice_ && ice_->send(BytesView(send_buffer_.data(), protected_size)))
      ++stats_.retransmits;
  }
}

// ---------------------------------------------------------------------------
// RTCP out

bool PeerConnection::send_rtcp(const std::vector<rtp::RtcpPacket>& packets) {
  if (!srtp_out_ || !ice_) return false;
  auto size = rtp::marshal_rtcp_compound_to(packets, rtcp_buffer_.data(),
                                            rtcp_buffer_.size() - srtp::kMaxRtcpOverhead);
  if (!size) {
    LOG_WARN(kTag, "RTCP not sent: %s", size.error().message().c_str());
    return false;
  }
  auto protected_size = srtp_out_->protect_rtcp(rtcp_buffer_.data(), *size, rtcp_buffer_.size());
  if (!protected_size) {
    LOG_WARN(kTag, "SRTCP protect failed: %s", protected_size.error().message().c_str());
    return false;
  }
  return ice_->send(BytesView(rtcp_buffer_.data(), *protected_size));
}

void PeerConnection::on_report_timer() {
  if (terminal() || !srtp_out_) return;
  TimePoint now = Clock::now();
  std::vector<rtp::RtcpPacket> packets;
  std::vector<rtp::ReportBlock> blocks;
  if (config_.direction == MediaDirection::kRecvOnly && remote_ssrc_known_ && receive_stats_.started()) {
    blocks.push_back(receive_stats_.make_report_block(remote_ssrc_, now));
    // The interval's loss caps the estimate (GCC's loss-based part).
    remb_.on_loss_fraction(blocks.back().fraction_lost / 256.0);
  }
  if (config_.direction == MediaDirection::kSendOnly && sent_any_) {
    // RFC 3550 §6.4.1: the RTP timestamp "corresponds to the same time as the
    // NTP timestamp": the last one sent, advanced by the time since.
    rtp::SenderReport sr;
    sr.ssrc = ssrc_;
    sr.ntp_timestamp = ntp_now();
    int64_t elapsed_us = std::chrono::duration_cast<microseconds>(now - last_rtp_timestamp_time_).count();
    sr.rtp_timestamp = last_rtp_timestamp_ + us_to_rtp90k(elapsed_us);
    sr.packet_count = static_cast<uint32_t>(stats_.packets_sent);
    sr.octet_count = static_cast<uint32_t>(payload_bytes_sent_);
    sr.reports = std::move(blocks);
    packets.emplace_back(std::move(sr));
    ++stats_.sender_reports_sent;
  } else {
    packets.emplace_back(rtp::ReceiverReport{ssrc_, std::move(blocks), {}});
    ++stats_.receiver_reports_sent;
  }
  // RFC 3550 §6.1: every compound carries an SDES CNAME.
  rtp::Sdes sdes;
  rtp::SdesChunk chunk;
  chunk.ssrc = ssrc_;
  rtp::SdesItem item;
  item.type = rtp::kSdesCname;
  item.text.assign(cname_.begin(), cname_.end());
  chunk.items.push_back(std::move(item));
  sdes.chunks.push_back(std::move(chunk));
  packets.emplace_back(std::move(sdes));
  send_rtcp(packets);
}

void PeerConnection::on_receive_tick() {
  if (terminal() || !srtp_out_) return;
  nack_scratch_.clear();
  Duration rtt = stats_.rtt_ms ? microseconds(static_cast<int64_t>(*stats_.rtt_ms * 1000)) : Duration::zero();
  nack_.collect_due(Clock::now(), rtt, nack_scratch_);
  if (!nack_scratch_.empty()) send_nacks(nack_scratch_);
  if (terminal()) return;
  maybe_request_keyframe();
}

void PeerConnection::send_nacks(const std::vector<uint16_t>& seqs) {
  if (!remote_ssrc_known_) return;
  // RFC 4585 §6.1 feedback goes in a compound that starts with a report.
  std::vector<rtp::RtcpPacket> packets;
  packets.emplace_back(rtp::ReceiverReport{ssrc_, {}, {}});
  rtp::Nack nack;
  nack.sender_ssrc = ssrc_;
  nack.media_ssrc = remote_ssrc_;
  nack.pairs = rtp::Nack::pairs_from_lost(seqs);
  packets.emplace_back(std::move(nack));
  if (send_rtcp(packets)) {
    ++stats_.nacks_sent;
    stats_.nacked_packets_requested += seqs.size();
  }
}

bool PeerConnection::send_pli() {
  std::vector<rtp::RtcpPacket> packets;
  packets.emplace_back(rtp::ReceiverReport{ssrc_, {}, {}});
  packets.emplace_back(rtp::Pli{ssrc_, remote_ssrc_});
  if (!send_rtcp(packets)) return false;
  ++stats_.plis_sent;
  last_pli_time_ = Clock::now();
  pli_sent_once_ = true;
  return true;
}

void PeerConnection::maybe_send_remb(TimePoint now) {
  if (!remb_negotiated_ || config_.direction != MediaDirection::kRecvOnly || !remote_ssrc_known_ ||
      !remb_.should_send(now))
    return;
  // RFC 4585 §6.1 feedback goes in a compound that starts with a report.
  std::vector<rtp::RtcpPacket> packets;
  packets.emplace_back(rtp::ReceiverReport{ssrc_, {}, {}});
  rtp::Remb remb;
  remb.sender_ssrc = ssrc_;
  remb.media_ssrc = 0;  // draft-alvestrand-rmcat-remb §2.2: always 0
  remb.bitrate_bps = remb_.estimate_bps();
  remb.ssrcs.push_back(remote_ssrc_);
  packets.emplace_back(std::move(remb));
  // Marked sent even if the send failed: the next one is due in a second.
  remb_.mark_sent(now);
  if (send_rtcp(packets)) {
    ++stats_.rembs_sent;
    stats_.remb_bps = remb_.estimate_bps();
  }
}

bool PeerConnection::request_keyframe() {
  if (config_.direction != MediaDirection::kRecvOnly || !srtp_out_ || terminal() || !remote_ssrc_known_)
    return false;
  if (pli_sent_once_ && Clock::now() - last_pli_time_ < config_.pli_min_interval) {
    keyframe_wanted_ = true;  // sent when the interval allows
    return false;
  }
  keyframe_wanted_ = false;
  return send_pli();
}

void PeerConnection::maybe_request_keyframe() {
  if (config_.direction != MediaDirection::kRecvOnly || !srtp_out_ || !remote_ssrc_known_) return;
  TimePoint now = Clock::now();
  bool rate_ok = !pli_sent_once_ || now - last_pli_time_ >= config_.pli_min_interval;
  if (keyframe_wanted_ && rate_ok) {
    if (send_pli()) keyframe_wanted_ = false;
    return;
  }
  // Nothing decodable yet: ask again every keyframe_wait until a keyframe
  // comes (the sender may have missed the first PLI or wait for its GOP).
  if (!keyframe_received_ && now - first_media_time_ >= config_.keyframe_wait && rate_ok) {
    if (send_pli()) first_media_time_ = now;
  }
}

}  // namespace picortc::webrtc
