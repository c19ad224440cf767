#include "viewer/viewer.hpp"

#include <algorithm>

#include "core/log.hpp"
#include "sdp/candidate.hpp"
#include "sdp/trickle_fragment.hpp"

namespace picortc::viewer {
namespace {

constexpr const char* kTag = "view";
constexpr Duration kWatchdogInterval = milliseconds(250);
constexpr int64_t kBurstAllowanceMs = 1000;

// The value of the first "<prefix>..." line of an SDP text.
std::string first_line_value(const std::string& sdp, const std::string& prefix) {
  size_t at = 0;
  while (at < sdp.size()) {
    size_t end = sdp.find('\n', at);
    if (end == std::string::npos) end = sdp.size();
    std::string line = sdp.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.compare(0, prefix.size(), prefix) == 0) return line.substr(prefix.size());
    at = end + 1;
  }
  return {};
}

}  // namespace

void apply_jitter_budget(Duration jitter, webrtc::PeerConnectionConfig& peer) {
  const int64_t jitter_ms = std::max<int64_t>(10, std::chrono::duration_cast<milliseconds>(jitter).count());
  // The depacketizer's window is in RTP time, and a sender may send a burst
  // spanning up to a second of media at once (serve's GOP cache when a
  // viewer joins): a packet lost in such a burst must still get its NACK
  // round trips, so the window is the budget plus that second. In real-time
  // flow it only matters once a packet is beyond repair, and then the
  // output waits for the next IDR anyway.
  peer.depacketizer.max_delay_ticks = static_cast<uint32_t>((jitter_ms + kBurstAllowanceMs) * 90);
  // A burst can also span more than that second: the GOP plus what arrived
  // while the DTLS handshake was still finishing on our side (held until the
  // SRTP keys came, then released at once). A gap in it gets the same time
  // by the clock as a gap in real-time flow gets by the RTP timestamps.
  peer.depacketizer.min_gap_wait_us = (jitter_ms + kBurstAllowanceMs) * 1000;
  const int64_t retry_ms = std::min<int64_t>(100, std::max<int64_t>(10, jitter_ms / 6));
  peer.nack.initial_delay = milliseconds(5);
  peer.nack.retry_interval = milliseconds(retry_ms);
  // Requests keep going through the whole window (at most 20): at 10 %
  // loss each way a request and its retransmission both get through with
  // p = 0.81, so k requests leave 0.19^k of the lost packets unrepaired;
  // with an access unit of 4 packets and a GOP of 30, 99 % of frames need
  // k >= 5, and a loaded machine delays some of them.
  peer.nack.max_requests = static_cast<unsigned>(
      std::min<int64_t>(20, std::max<int64_t>(5, (jitter_ms + kBurstAllowanceMs - 5) / retry_ms)));
}

Viewer::Viewer(EventLoop& loop, ViewerOptions options, AnnexbOutput& output)
    : loop_(loop),
      options_(std::move(options)),
      output_(output),
      whep_(loop, options_.url, options_.http),
      gate_([this](const h264::AccessUnit& au) {
        const int64_t now = monotonic_us();
        if (au.timestamp_us > 0 && now >= au.timestamp_us) latency_.add(now - au.timestamp_us);
        output_.write(au);
      }),
      next_backoff_(options_.initial_backoff),
      jitter_random_(static_cast<unsigned>(monotonic_us())) {
  options_.peer.direction = webrtc::MediaDirection::kRecvOnly;
  apply_jitter_budget(options_.jitter, options_.peer);
  output_.set_keyframe_request_callback([this] {
    if (pc_) pc_->request_keyframe();
  });
}

Viewer::~Viewer() {
  if (retry_timer_ != 0) loop_.cancel_timer(retry_timer_);
  if (watchdog_timer_ != 0) loop_.cancel_timer(watchdog_timer_);
}

void Viewer::start() {
  started_ = Clock::now();
  watchdog_timer_ = loop_.add_periodic(kWatchdogInterval, [this] { on_watchdog(); });
  attempt();
}

void Viewer::attempt() {
  if (stopped_) return;
  ++attempt_id_;
  if (attempt_id_ > 1) ++totals_reconnects_;
  const uint64_t id = attempt_id_;
  pc_ = std::make_unique<webrtc::PeerConnection>(loop_, options_.peer);
  webrtc::PeerConnectionCallbacks callbacks;
  callbacks.on_state_change = [this, id](webrtc::PeerConnectionState state, const std::string& reason) {
    on_state(id, state, reason);
  };
  callbacks.on_local_candidate = [this](const std::string& candidate) { on_local_candidate(candidate); };
  callbacks.on_gathering_complete = [this] {
    if (location_.empty()) {
      pending_end_of_candidates_ = true;
    } else {
      send_trickle({}, true);
    }
  };
  callbacks.on_access_unit = [this](h264::AccessUnit&& au) { on_access_unit(std::move(au)); };
  pc_->set_callbacks(std::move(callbacks));
  location_.clear();
  pending_candidates_.clear();
  pending_end_of_candidates_ = false;
  session_connected_ = false;
  media_flowing_ = false;
  session_lost_seen_ = 0;
  attempt_started_ = Clock::now();
  last_activity_ = attempt_started_;
  last_activity_count_ = 0;

  Result<std::string> offer = pc_->create_offer();
  if (!offer.ok()) {
    fatal("cannot make an offer: " + offer.error().message());
    return;
  }
  ice_ufrag_ = first_line_value(*offer, "a=ice-ufrag:");
  ice_pwd_ = first_line_value(*offer, "a=ice-pwd:");
  media_line_ = first_line_value(*offer, "m=");
  mid_ = first_line_value(*offer, "a=mid:");
  LOG_INFO(kTag, "offering to %s (attempt %llu)", options_.url.to_string().c_str(),
           static_cast<unsigned long long>(id));
  whep_.post_offer(*offer, [this, id](const WhepResponse& response) { on_answer(id, response); });
}

void Viewer::on_answer(uint64_t attempt_id, const WhepResponse& response) {
  if (attempt_id != attempt_id_ || stopped_ || !pc_) return;
  if (!response.is(201)) {
    if (response.transport_ok && response.status == 200) {
      // Some servers answer 200; WHEP says 201, but the answer is usable.
    } else if (response.retryable()) {
      retry("POST: " + response.describe());
      return;
    } else {
      fatal("POST " + options_.url.to_string() + ": " + response.describe());
      return;
    }
  }
  location_ = response.location;
  if (location_.empty()) LOG_WARN(kTag, "answer without a Location: no trickle, no DELETE");
  Status applied = pc_->set_remote_answer(response.body);
  if (!applied.ok()) {
    retry("answer unusable: " + applied.error().message());
    return;
  }
  if (!location_.empty() && (!pending_candidates_.empty() || pending_end_of_candidates_)) {
    send_trickle(std::move(pending_candidates_), pending_end_of_candidates_);
    pending_candidates_.clear();
    pending_end_of_candidates_ = false;
  }
}

void Viewer::on_local_candidate(const std::string& candidate) {
  if (location_.empty()) {
    pending_candidates_.push_back(candidate);
    return;
  }
  send_trickle({candidate}, false);
}

void Viewer::send_trickle(std::vector<std::string> candidates, bool end_of_candidates) {
  if (location_.empty()) return;
  sdp::TrickleFragment fragment;
  fragment.ice_ufrag = ice_ufrag_;
  fragment.ice_pwd = ice_pwd_;
  sdp::TrickleMedia media;
  media.media_line = media_line_.empty() ? "video 9 UDP/TLS/RTP/SAVPF 96" : media_line_;
  if (!mid_.empty()) media.mid = mid_;
  for (const std::string& line : candidates) {
    auto parsed = sdp::parse_candidate(line);
    if (parsed.ok()) media.candidates.push_back(*parsed);
  }
  media.end_of_candidates = end_of_candidates;
  if (media.candidates.empty() && !end_of_candidates) return;
  fragment.media.push_back(std::move(media));
  ++trickle_patches_sent_;
  trickle_candidates_sent_ += fragment.media.front().candidates.size();
  // The callback runs on the loop and only while whep_ (a member) exists.
  whep_.patch(location_, sdp::to_string(fragment), [this](const WhepResponse& response) {
    if (response.transport_ok && response.status >= 200 && response.status < 300) {
      ++trickle_patches_accepted_;
      return;
    }
    // 405/501: the server does not take trickle; it has our host candidates.
    LOG_DEBUG(kTag, "PATCH: %s", response.describe().c_str());
  });
}

void Viewer::on_state(uint64_t attempt_id, webrtc::PeerConnectionState state, const std::string& reason) {
  if (attempt_id != attempt_id_ || stopped_) return;
  if (state == webrtc::PeerConnectionState::kConnected && !session_connected_) {
    session_connected_ = true;
    ++totals_sessions_;
    LOG_INFO(kTag, "connected to %s", options_.url.to_string().c_str());
  } else if (state == webrtc::PeerConnectionState::kFailed || state == webrtc::PeerConnectionState::kClosed) {
    retry(std::string("peer connection ") + webrtc::to_string(state) + ": " + reason);
  }
}

void Viewer::on_access_unit(h264::AccessUnit&& au) {
  if (!pc_) return;
  if (!media_flowing_) {
    media_flowing_ = true;
    next_backoff_ = options_.initial_backoff;  // the sender is back
  }
  // An access unit the depacketizer gave up on breaks the reference chain:
  // whatever follows waits for the next IDR (the PeerConnection has asked
  // for one already).
  const uint64_t lost = pc_->stats().access_units_lost;
  if (lost != session_lost_seen_) {
    session_lost_seen_ = lost;
    if (!au.is_keyframe()) {
      gate_.discontinuity();
      output_.discontinuity();
    }
  }
  gate_.push(au);
}

void Viewer::on_watchdog() {
  if (stopped_ || !pc_ || retry_timer_ != 0) return;
  const TimePoint now = Clock::now();
  if (!session_connected_) {
    if (now - attempt_started_ > options_.connect_timeout) retry("not connected in time");
    return;
  }
  webrtc::PeerConnectionStats s = pc_->stats();
  const uint64_t activity = s.packets_received + s.rtcp_packets_received;
  if (activity != last_activity_count_) {
    last_activity_count_ = activity;
    last_activity_ = now;
  } else if (now - last_activity_ > options_.media_timeout) {
    retry("nothing received for " +
          std::to_string(std::chrono::duration_cast<milliseconds>(options_.media_timeout).count()) + " ms");
    return;
  }
  // Nothing decodable for a while (e.g. the sender ignored the PLI that
  // followed a loss): ask again.
  if (gate_.waiting_for_keyframe() && media_flowing_ &&
      now - last_keyframe_request_ >= options_.keyframe_retry) {
    last_keyframe_request_ = now;
    pc_->request_keyframe();
  }
}

void Viewer::end_session(bool polite) {
  if (!pc_) return;
  add_session(totals_, pc_->stats());
  if (polite) pc_->close();
  if (!location_.empty()) whep_.remove(location_, [](const WhepResponse&) {});
  location_.clear();
  // We may be inside one of its callbacks: destroy it from the loop.
  retired_.push_back(std::move(pc_));
  loop_.post([this] { retired_.clear(); });
}

void Viewer::retry(const std::string& why) {
  if (stopped_ || retry_timer_ != 0) return;
  end_session(true);
  gate_.discontinuity();
  output_.discontinuity();
  // +-20 % so that many viewers of one restarted sender do not return in step.
  std::uniform_real_distribution<double> spread(0.8, 1.2);
  const Duration delay = std::chrono::duration_cast<Duration>(next_backoff_ * spread(jitter_random_));
  next_backoff_ = std::min(options_.max_backoff, next_backoff_ * 2);
  LOG_WARN(kTag, "%s; retrying in %lld ms", why.c_str(),
           static_cast<long long>(std::chrono::duration_cast<milliseconds>(delay).count()));
  retry_timer_ = loop_.add_timer(delay, [this] {
    retry_timer_ = 0;
    attempt();
  });
}

void Viewer::fatal(const std::string& why) {
  LOG_ERROR(kTag, "%s", why.c_str());
  end_session(false);
  if (on_fatal_) on_fatal_(why);
}

void Viewer::stop(Duration limit) {
  if (stopped_) return;
  stopped_ = true;
  if (retry_timer_ != 0) loop_.cancel_timer(retry_timer_);
  retry_timer_ = 0;
  if (watchdog_timer_ != 0) loop_.cancel_timer(watchdog_timer_);
  watchdog_timer_ = 0;
  if (pc_) {
    final_stats_ = pc_->stats();
    add_session(totals_, *final_stats_);
    pc_->close();
    if (!location_.empty()) {
      WhepResponse response = whep_.remove_now(location_, limit);
      LOG_INFO(kTag, "DELETE session: %s", response.describe().c_str());
    }
  }
}

bool Viewer::connected() const {
  return pc_ && pc_->state() == webrtc::PeerConnectionState::kConnected;
}

ViewerStats Viewer::stats() const {
  ViewerStats out;
  out.url = options_.url.to_string();
  out.uptime_s = std::chrono::duration<double>(Clock::now() - started_).count();
  out.sessions = totals_sessions_;
  out.reconnects = totals_reconnects_;
  out.totals = totals_;
  out.trickle_patches_sent = trickle_patches_sent_;
  out.trickle_patches_accepted = trickle_patches_accepted_;
  out.trickle_candidates_sent = trickle_candidates_sent_;
  out.gate = gate_.stats();
  out.output = output_.stats();
  out.state = stopped_            ? "stopped"
              : retry_timer_ != 0 ? "retrying"
                                  : (connected() ? "connected" : "connecting");
  std::optional<webrtc::PeerConnectionStats> current;
  if (stopped_) {
    current = final_stats_;  // already in totals_
  } else if (pc_) {
    current = pc_->stats();
    add_session(out.totals, *current);
  }
  if (current) {
    out.srtp_profile = current->srtp_profile;
    out.bandwidth_estimate_bps = current->remb_bps;
    out.incoming_bitrate_bps = current->incoming_bitrate_bps;
    out.bandwidth_usage = current->bandwidth_usage;
    if (current->selected_pair) {
      out.local_type = current->selected_pair->local_type;
      out.remote_type = current->selected_pair->remote_type;
      out.transport = current->selected_pair->transport;
      out.local_address = current->selected_pair->local_address;
      out.remote_address = current->selected_pair->remote_address;
    }
  }
  out.receive_delay_samples = latency_.count();
  out.receive_delay_p50_ms = latency_.percentile_ms(0.5);
  out.receive_delay_p99_ms = latency_.percentile_ms(0.99);
  return out;
}

}  // namespace picortc::viewer
