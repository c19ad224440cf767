#include "streamer/streamer.hpp"

#include <algorithm>
#include <utility>

#include "core/log.hpp"
#include "h264/sps.hpp"
#include "signal/serve_config.hpp"
#include "signal/signal_errors.hpp"

namespace picortc::streamer {
namespace {
constexpr const char* kTag = "streamer";

void add_counters(signal::SendCounters& total, const signal::SendCounters& more) {
  total.bytes_sent += more.bytes_sent;
  total.packets_sent += more.packets_sent;
  total.nacks_received += more.nacks_received;
  total.retransmits += more.retransmits;
  total.plis_received += more.plis_received;
  total.firs_received += more.firs_received;
  total.rembs_received += more.rembs_received;
}
}  // namespace

Streamer::Streamer(EventLoop& loop, StreamerOptions options)
    : loop_(loop), options_(std::move(options)), admission_(options_.limits) {
  options_.peer.direction = webrtc::MediaDirection::kSendOnly;
}

Streamer::~Streamer() {
  stop();
}

Status Streamer::add_stream(const std::string& name, const std::string& socket_path) {
  if (streams_.count(name) != 0) return make_error(signal::kErrConfigDuplicateStream, name);
  auto stream = std::make_unique<Stream>(name, options_.gop_cache_bytes, options_.retransmission_store_bytes,
                                         options_.keyframe_request_min_interval, options_.bitrate);
  ipc::IngestServerConfig config;
  config.socket_path = socket_path;
  stream->ingest = std::make_unique<ipc::IngestServer>(loop_, config);
  Stream* raw = stream.get();
  stream->ingest->set_access_unit_callback(
      [this, raw](h264::AccessUnit&& au) { on_access_unit(*raw, std::move(au)); });
  stream->ingest->set_state_callback([this, raw](const ipc::IngestState& state) {
    if (state.mode == ipc::IngestMode::kNoProducer) {
      // The producer went away: what is cached belongs to its stream; the
      // next producer starts with an IDR of its own.
      raw->gop.clear();
      LOG_INFO(kTag, "stream %s: producer disconnected", raw->name.c_str());
    } else if (state.mode == ipc::IngestMode::kFramed || state.mode == ipc::IngestMode::kRaw) {
      LOG_INFO(kTag, "stream %s: %s producer connected", raw->name.c_str(),
               state.mode == ipc::IngestMode::kFramed ? "framed" : "raw");
      // It runs at its own target (e.g. picortc-capture --bitrate), not at
      // what we asked of its predecessor.
      raw->bitrate.forget_requests();
      if (!raw->viewers.empty()) request_keyframe(*raw, "producer connected with viewers waiting");
    }
  });
  streams_.emplace(name, std::move(stream));
  return {};
}

Status Streamer::start() {
  for (auto& entry : streams_) {
    Status started = entry.second->ingest->start();
    if (!started.ok()) return started;
    LOG_INFO(kTag, "stream %s: ingest socket %s", entry.first.c_str(),
             entry.second->ingest->socket_path().c_str());
  }
  return {};
}

void Streamer::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& entry : sessions_) {
    if (entry.second->setup_timer != 0) loop_.cancel_timer(entry.second->setup_timer);
    entry.second->peer->close();
  }
  sessions_.clear();
  for (auto& entry : streams_) {
    entry.second->viewers.clear();
    if (entry.second->deferred_keyframe_timer != 0) loop_.cancel_timer(entry.second->deferred_keyframe_timer);
    if (entry.second->bitrate_timer != 0) loop_.cancel_timer(entry.second->bitrate_timer);
    entry.second->ingest->stop();
  }
}

Streamer::Stream* Streamer::find_stream(const std::string& name) {
  auto it = streams_.find(name);
  return it == streams_.end() ? nullptr : it->second.get();
}

void Streamer::update_stream_format(Stream& stream, const h264::AccessUnit& au) {
  for (size_t i = 0; i < au.nal_count(); ++i) {
    if (au.nal_type(i) != h264::kNalSps) continue;
    auto sps = h264::parse_sps(au.nal(i));
    if (!sps.ok()) {
      LOG_WARN(kTag, "stream %s: unreadable SPS: %s", stream.name.c_str(), sps.error().message().c_str());
      continue;
    }
    std::string profile = h264::profile_level_id(*sps);
    if (stream.have_sps &&
        (profile != stream.profile_level_id || sps->width != stream.width || sps->height != stream.height)) {
      LOG_INFO(kTag, "stream %s: format now %ux%u profile-level-id %s (was %ux%u %s)", stream.name.c_str(),
               sps->width, sps->height, profile.c_str(), stream.width, stream.height,
               stream.profile_level_id.c_str());
    } else if (!stream.have_sps) {
      LOG_INFO(kTag, "stream %s: %ux%u profile-level-id %s", stream.name.c_str(), sps->width, sps->height,
               profile.c_str());
    }
    stream.have_sps = true;
    stream.width = sps->width;
    stream.height = sps->height;
    stream.fps = sps->frame_rate();
    stream.profile_level_id = profile;
  }
}

void Streamer::on_access_unit(Stream& stream, h264::AccessUnit&& au) {
  ++stream.access_units;
  stream.last_access_unit = Clock::now();
  stream.bitrate.on_media(au.size(), stream.last_access_unit);
  if (au.has_nal_type(h264::kNalSps)) update_stream_format(stream, au);

  if (au.is_keyframe()) stream.gop_started = stream.last_access_unit;
  uint64_t overflows_before = stream.gop.overflows();
  const h264::AccessUnit& unit = stream.gop.push(std::move(au));
  if (stream.gop.overflows() != overflows_before) {
    LOG_WARN(kTag, "stream %s: GOP larger than the cache (%zu bytes): dropped, asking for a keyframe",
             stream.name.c_str(), options_.gop_cache_bytes);
    request_keyframe(stream, "GOP cache overflow");
  }
  if (stream.viewers.empty()) return;

  Status packetized = stream.packetizer.packetize(unit);
  if (!packetized.ok()) {
    LOG_WARN(kTag, "stream %s: access unit not sent: %s", stream.name.c_str(),
             packetized.error().message().c_str());
    return;
  }
  const uint32_t rtp_timestamp = us_to_rtp90k(unit.timestamp_us);
  const bool keyframe = unit.is_keyframe();
  // Kept once for every viewer's NACKs (kNoId only with a store smaller than
  // a packet: then the viewers' resends miss, counted as retransmit_misses).
  const uint64_t first_payload_id = stream.sent_payloads->append_all(stream.packetizer);
  for (Session* viewer : stream.viewers) {
    if (viewer->removing || viewer->peer->state() != webrtc::PeerConnectionState::kConnected) continue;
    if (!viewer->live) {
      if (!keyframe) continue;  // P frames are useless before the first IDR
      viewer->live = true;
    }
    Status sent = viewer->peer->send_packetized(stream.packetizer, rtp_timestamp, first_payload_id);
    if (!sent.ok())
      stream.send_failures.hit("session %s: %s", viewer->id.c_str(), sent.error().message().c_str());
  }
}

void Streamer::request_keyframe(Stream& stream, const char* why) {
  TimePoint now = Clock::now();
  switch (stream.keyframes.request(now)) {
    case KeyframeRequestLimiter::Decision::kSendNow:
      LOG_DEBUG(kTag, "stream %s: keyframe request (%s)", stream.name.c_str(), why);
      stream.ingest->request_keyframe();
      break;
    case KeyframeRequestLimiter::Decision::kDeferred: {
      Duration wait = stream.keyframes.deferred_until() - now;
      std::weak_ptr<int> alive = alive_;
      Stream* target = &stream;
      stream.deferred_keyframe_timer = loop_.add_timer(wait, [this, alive, target] {
        if (alive.expired()) return;
        target->deferred_keyframe_timer = 0;
        target->keyframes.sent_deferred(Clock::now());
        target->ingest->request_keyframe();
      });
      break;
    }
    case KeyframeRequestLimiter::Decision::kAlreadyDeferred:
      break;
  }
}

void Streamer::on_remb(Session& session, uint64_t bitrate_bps) {
  if (!options_.adapt_bitrate || session.removing) return;
  Stream& stream = *session.stream;
  apply_bitrate_decision(stream, stream.bitrate.on_estimate(session.id, bitrate_bps, Clock::now()),
                         "viewer estimate");
}

void Streamer::apply_bitrate_decision(Stream& stream, std::optional<uint32_t> kbps, const char* why) {
  TimePoint now = Clock::now();
  if (kbps) {
    LOG_INFO(
        kTag,
        "stream %s: asking the producer for %u kbit/s (%s; weakest viewer %llu kbit/s, stream %llu kbit/s)",
        stream.name.c_str(), *kbps, why,
        static_cast<unsigned long long>(stream.bitrate.min_estimate_bps(now) / 1000),
        static_cast<unsigned long long>(stream.bitrate.stream_rate_bps(now) / 1000));
    stream.ingest->request_bitrate(*kbps);
  }
  std::optional<TimePoint> held = stream.bitrate.held_until();
  if (!held) return;
  if (stream.bitrate_timer != 0) {
    if (stream.bitrate_timer_due <= *held) return;  // already looks again in time
    loop_.cancel_timer(stream.bitrate_timer);
  }
  std::weak_ptr<int> alive = alive_;
  Stream* target = &stream;
  stream.bitrate_timer_due = *held;
  stream.bitrate_timer =
      loop_.add_timer(std::max<Duration>(*held - now, Duration::zero()), [this, alive, target] {
        if (alive.expired()) return;
        target->bitrate_timer = 0;
        apply_bitrate_decision(*target, target->bitrate.evaluate(Clock::now()), "held back");
      });
}

Result<signal::CreatedSession> Streamer::create_session(const signal::SessionRequest& request) {
  if (stopped_) return make_error(signal::kErrShuttingDown);
  Stream* stream = find_stream(request.stream);
  if (stream == nullptr) return make_error(signal::kErrUnknownStream, request.stream);
  // The answer promises the profile we really send: without an SPS there is
  // nothing to promise yet (the page retries).
  if (!stream->have_sps) return make_error(signal::kErrStreamNotReady, request.stream);
  if (sessions_.count(request.session_id) != 0)
    return make_error(signal::kErrSessionSetupFailed, "duplicate id");

  Status admitted = admission_.admit(stream->name);
  if (!admitted.ok()) return admitted.error();

  webrtc::PeerConnectionConfig config = options_.peer;
  config.direction = webrtc::MediaDirection::kSendOnly;
  config.profile_level_id = stream->profile_level_id;
  config.packet_store = stream->sent_payloads;
  auto session = std::make_unique<Session>();
  session->id = request.session_id;
  session->stream = stream;
  session->created = Clock::now();
  session->user_agent = request.client.user_agent;
  session->peer = std::make_unique<webrtc::PeerConnection>(loop_, config);
  Session* raw = session.get();
  webrtc::PeerConnectionCallbacks callbacks;
  callbacks.on_state_change = [this, raw](webrtc::PeerConnectionState state, const std::string& reason) {
    on_session_state(*raw, state, reason);
  };
  callbacks.on_keyframe_request = [this, raw](bool is_fir) {
    request_keyframe(*raw->stream, is_fir ? "viewer FIR" : "viewer PLI");
  };
  callbacks.on_remb = [this, raw](uint64_t bitrate_bps) { on_remb(*raw, bitrate_bps); };
  session->peer->set_callbacks(std::move(callbacks));

  auto answer = session->peer->set_remote_offer_and_create_answer(request.offer_sdp);
  if (!answer.ok()) {
    admission_.release(stream->name, /*was_pending=*/true);
    LOG_INFO(kTag, "stream %s: offer refused: %s", stream->name.c_str(), answer.error().message().c_str());
    return answer.error();
  }
  std::weak_ptr<int> alive = alive_;
  std::string id = session->id;
  session->setup_timer = loop_.add_timer(options_.session_setup_timeout, [this, alive, id] {
    if (alive.expired()) return;
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return;
    it->second->setup_timer = 0;
    if (!it->second->pending) return;
    LOG_INFO(kTag, "session %s: not connected in time, dropped", id.c_str());
    it->second->peer->close();
    destroy_session(id);
  });
  stream->viewers.push_back(raw);
  sessions_.emplace(session->id, std::move(session));
  LOG_INFO(kTag, "stream %s: session %s created (%zu viewers)", stream->name.c_str(), id.c_str(),
           stream->viewers.size());
  return signal::CreatedSession{std::move(answer).value(), {}};
}

void Streamer::on_session_state(Session& session, webrtc::PeerConnectionState state,
                                const std::string& reason) {
  switch (state) {
    case webrtc::PeerConnectionState::kConnected:
      if (session.pending) {
        session.pending = false;
        admission_.mark_connected(session.stream->name);
        if (session.setup_timer != 0) {
          loop_.cancel_timer(session.setup_timer);
          session.setup_timer = 0;
        }
        start_viewer(session);
      }
      break;
    case webrtc::PeerConnectionState::kFailed:
    case webrtc::PeerConnectionState::kClosed:
      LOG_INFO(kTag, "session %s: %s (%s)", session.id.c_str(), webrtc::to_string(state), reason.c_str());
      remove_session_later(session.id);
      break;
    default:
      break;
  }
}

void Streamer::start_viewer(Session& session) {
  Stream& stream = *session.stream;
  LOG_INFO(kTag, "session %s: connected; starting from %zu cached access units", session.id.c_str(),
           stream.gop.units().size());
  // Instant first frame: the GOP since the last IDR, right now.
  if (stream.gop.has_keyframe()) {
    // Packetized with the stream's packetizer (free between access units):
    // a packetizer per viewer would hold a keyframe's worth of bytes each.
    for (const h264::AccessUnit& unit : stream.gop.units()) {
      if (!stream.packetizer.packetize(unit).ok()) continue;
      Status sent = session.peer->send_packetized(stream.packetizer, us_to_rtp90k(unit.timestamp_us));
      if (!sent.ok()) break;
    }
    session.live = true;
  }
  if (!stream.gop.has_keyframe() || Clock::now() - stream.gop_started > options_.fresh_gop_age) {
    request_keyframe(stream, "viewer joined");
  }
}

void Streamer::remove_session_later(const std::string& id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second->removing) return;
  it->second->removing = true;
  std::weak_ptr<int> alive = alive_;
  loop_.post([this, alive, id] {
    if (!alive.expired()) destroy_session(id);
  });
}

void Streamer::destroy_session(const std::string& id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  Session& session = *it->second;
  Stream& stream = *session.stream;
  auto& viewers = stream.viewers;
  viewers.erase(std::remove(viewers.begin(), viewers.end(), &session), viewers.end());
  add_counters(stream.ended_totals, counters_of(session.peer->stats()));
  admission_.release(stream.name, session.pending);
  if (session.setup_timer != 0) loop_.cancel_timer(session.setup_timer);
  LOG_INFO(kTag, "stream %s: session %s ended (%zu viewers)", stream.name.c_str(), id.c_str(),
           viewers.size());
  const std::string ended_id = id;  // `id` may refer into the session erased here
  sessions_.erase(it);
  // Its estimate no longer holds the others back.
  if (options_.adapt_bitrate && !stopped_)
    apply_bitrate_decision(stream, stream.bitrate.remove_viewer(ended_id, Clock::now()), "viewer left");
}

Status Streamer::add_candidates(const std::string& stream, const std::string& session_id,
                                const sdp::TrickleFragment& fragment) {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end() || it->second->stream->name != stream || it->second->removing) {
    return make_error(signal::kErrUnknownSession, session_id);
  }
  webrtc::PeerConnection& peer = *it->second->peer;
  for (const sdp::TrickleMedia& media : fragment.media) {
    for (const sdp::Candidate& candidate : media.candidates) {
      Status added = peer.add_remote_candidate(candidate);
      if (!added.ok()) return added;
    }
    if (media.end_of_candidates) peer.add_remote_end_of_candidates();
  }
  if (fragment.end_of_candidates) peer.add_remote_end_of_candidates();
  return {};
}

Status Streamer::end_session(const std::string& stream, const std::string& session_id) {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end() || it->second->stream->name != stream) {
    return make_error(signal::kErrUnknownSession, session_id);
  }
  it->second->peer->close();
  destroy_session(session_id);
  return {};
}

signal::SendCounters Streamer::counters_of(const webrtc::PeerConnectionStats& stats) {
  signal::SendCounters counters;
  counters.bytes_sent = stats.bytes_sent;
  counters.packets_sent = stats.packets_sent;
  counters.nacks_received = stats.nacks_received;
  counters.retransmits = stats.retransmits;
  counters.plis_received = stats.plis_received;
  counters.firs_received = stats.firs_received;
  counters.rembs_received = stats.rembs_received;
  return counters;
}

std::vector<signal::StreamInfo> Streamer::streams() {
  std::vector<signal::StreamInfo> out;
  TimePoint now = Clock::now();
  for (auto& entry : streams_) {
    Stream& stream = *entry.second;
    signal::StreamInfo info;
    info.name = stream.name;
    info.socket_path = stream.ingest->socket_path();
    ipc::IngestState ingest = stream.ingest->state();
    if (ingest.mode == ipc::IngestMode::kNoProducer) {
      info.ingest = signal::IngestState::kWaiting;
    } else if (stream.access_units > 0 && now - stream.last_access_unit < options_.ingest_stall_after) {
      info.ingest = signal::IngestState::kReceiving;
    } else {
      info.ingest = signal::IngestState::kStalled;
    }
    info.width = stream.width;
    info.height = stream.height;
    info.fps = stream.fps;
    info.profile_level_id = stream.profile_level_id;
    info.viewers = static_cast<uint32_t>(stream.viewers.size());
    info.access_units_received = stream.access_units;
    info.keyframe_requests = stream.keyframes.sent();
    info.bitrate_requests = stream.bitrate.requests();
    info.requested_bitrate_kbps = stream.bitrate.last_request_kbps();
    info.min_viewer_estimate_bps = stream.bitrate.min_estimate_bps(now);
    info.totals = stream.ended_totals;
    for (const Session* viewer : stream.viewers)
      add_counters(info.totals, counters_of(viewer->peer->stats()));
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<signal::SessionInfo> Streamer::sessions() {
  std::vector<signal::SessionInfo> out;
  TimePoint now = Clock::now();
  for (auto& entry : sessions_) {
    const Session& session = *entry.second;
    webrtc::PeerConnectionStats stats = session.peer->stats();
    signal::SessionInfo info;
    info.id = session.id;
    info.stream = session.stream->name;
    info.state = stats.ice_state;
    if (stats.state == webrtc::PeerConnectionState::kConnected) info.state = "connected";
    if (stats.state == webrtc::PeerConnectionState::kFailed) info.state = "failed";
    if (stats.state == webrtc::PeerConnectionState::kClosed) info.state = "closed";
    if (stats.selected_pair) {
      info.local_type = stats.selected_pair->local_type;
      info.remote_type = stats.selected_pair->remote_type;
      info.transport = stats.selected_pair->transport;
      info.remote_address = stats.selected_pair->remote_address;
    }
    info.counters = counters_of(stats);
    info.rtt_ms = stats.rtt_ms;
    info.fraction_lost = stats.remote_fraction_lost / 256.0;
    info.packets_lost = stats.remote_cumulative_lost;
    if (stats.rembs_received > 0) info.estimate_bps = stats.remb_bps;
    info.srtp_profile = stats.srtp_profile;
    info.age_seconds = std::chrono::duration<double>(now - session.created).count();
    info.user_agent = session.user_agent;
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace picortc::streamer
