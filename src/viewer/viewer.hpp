#pragma once
// `picortc view`'s engine (docs/view.md): one receive-only PeerConnection
// signalled by WHEP, the KeyframeGate, and the AnnexbOutput; re-established
// with backoff whenever the sender goes away.
//
//   WhepClient (worker thread) --posts--> Viewer (loop) --> PeerConnection
//   PeerConnection::on_access_unit --> KeyframeGate --> AnnexbOutput
//
// A session ends, and the next one is tried after the backoff (0.5 s
// doubling to 5 s, +-20 % jitter; reset once media flows), when: the POST
// gets no response, 5xx, 408 or 429; the answer is unusable; the
// PeerConnection fails or closes (ICE, DTLS, BYE); it does not connect
// within connect_timeout; or nothing (no RTP, no RTCP) arrives for
// media_timeout while connected (a sender killed without goodbye). Other
// 4xx (401 wrong token, 404 no such stream) end the viewer: on_fatal.
//
// Across sessions the output never sees a partial access unit, and the
// first one after a gap is an IDR with SPS/PPS (KeyframeGate).
//
// Threading: everything on the loop thread; callbacks too.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/event_loop.hpp"
#include "viewer/annexb_output.hpp"
#include "viewer/keyframe_gate.hpp"
#include "viewer/viewer_stats.hpp"
#include "viewer/whep_client.hpp"
#include "webrtc/peer_connection.hpp"

namespace picortc::viewer {

struct ViewerOptions {
  WhepUrl url;
  WhepClientOptions http;
  // Certificate, ICE servers and interfaces; direction is set to kRecvOnly,
  // and the depacketizer/NACK timing comes from `jitter` (apply_jitter_budget).
  webrtc::PeerConnectionConfig peer;
  // How long a missing packet may hold up the stream before its access unit
  // is given up (docs/view.md: the jitter budget). Nothing waits when
  // nothing is missing.
  Duration jitter = milliseconds(150);
  Duration initial_backoff = milliseconds(500);
  Duration max_backoff = seconds(5);
  Duration connect_timeout = seconds(15);
  Duration media_timeout = seconds(3);
  // While the output waits for a keyframe, ask again this often.
  Duration keyframe_retry = seconds(1);
};

// Maps the jitter budget onto the receive chain: NACKs go out 5 ms after a
// gap is seen and are repeated every jitter/6 (10..100 ms), as many times as
// fit in the budget (at least 3); the depacketizer declares an access unit
// lost when the newest packet's RTP time is `jitter` + 1 s past it (the
// extra second covers a sender's join burst, docs/view.md).
void apply_jitter_budget(Duration jitter, webrtc::PeerConnectionConfig& peer);

class Viewer {
 public:
  Viewer(EventLoop& loop, ViewerOptions options, AnnexbOutput& output);
  ~Viewer();
  Viewer(const Viewer&) = delete;
  Viewer& operator=(const Viewer&) = delete;

  // Not retried: a 4xx other than 408/429, or the offer cannot be made.
  void set_fatal_callback(std::function<void(const std::string&)> callback) {
    on_fatal_ = std::move(callback);
  }

  void start();
  // Polite end: DELETE (bounded by `limit`), RTCP BYE + close_notify.
  // Call after the loop stopped.
  void stop(Duration limit);

  ViewerStats stats() const;
  bool connected() const;

 private:
  void attempt();
  void on_answer(uint64_t attempt_id, const WhepResponse& response);
  void on_state(uint64_t attempt_id, webrtc::PeerConnectionState state, const std::string& reason);
  void on_local_candidate(const std::string& candidate);
  void send_trickle(std::vector<std::string> candidates, bool end_of_candidates);
  void on_access_unit(h264::AccessUnit&& au);
  void on_watchdog();
  // Ends the current session (DELETE in the background) and schedules the
  // next attempt.
  void retry(const std::string& why);
  void end_session(bool polite);
  void fatal(const std::string& why);

  EventLoop& loop_;
  ViewerOptions options_;
  AnnexbOutput& output_;
  WhepClient whep_;
  KeyframeGate gate_;
  std::function<void(const std::string&)> on_fatal_;

  std::unique_ptr<webrtc::PeerConnection> pc_;
  std::vector<std::unique_ptr<webrtc::PeerConnection>> retired_;
  uint64_t attempt_id_ = 0;
  std::string location_;
  std::vector<std::string> pending_candidates_;
  bool pending_end_of_candidates_ = false;
  std::string ice_ufrag_, ice_pwd_, media_line_, mid_;
  TimePoint attempt_started_{};
  bool session_connected_ = false;
  bool media_flowing_ = false;
  uint64_t last_activity_count_ = 0;
  TimePoint last_activity_{};
  uint64_t session_lost_seen_ = 0;
  TimePoint last_keyframe_request_{};
  bool stopped_ = false;

  Duration next_backoff_;
  EventLoop::TimerId retry_timer_ = 0;
  EventLoop::TimerId watchdog_timer_ = 0;
  std::minstd_rand jitter_random_;

  ViewerTotals totals_;  // finished sessions
  uint64_t totals_sessions_ = 0;
  uint64_t totals_reconnects_ = 0;
  uint64_t trickle_patches_sent_ = 0;
  uint64_t trickle_patches_accepted_ = 0;
  uint64_t trickle_candidates_sent_ = 0;
  std::optional<webrtc::PeerConnectionStats> final_stats_;  // the last session, at stop()
  LatencyRecorder latency_;                                 // receive hold time per access unit
  TimePoint started_{};
};

}  // namespace picortc::viewer
