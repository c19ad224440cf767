#pragma once
// The streamer behind `picortc serve`: for each named stream an ingest
// socket, the GOP cache and one packetizer; for each viewer a send-only
// PeerConnection. Implements the WHEP front end's WhepSessionHandler.
//
// Fan-out (docs/serve.md): each access unit from the producer is packetized
// once (rtp::H264Packetizer), its payloads are kept once in the stream's
// PacketStore for NACK resends, and handed to every live viewer's
// PeerConnection::send_packetized, which adds the viewer's RTP header,
// protects and sends (one sendmmsg per viewer) without allocating.
//
// Instant first frame: a viewer whose connection comes up gets the cached
// GOP (from the last IDR, SPS/PPS included) at once, then the live stream;
// joining also asks the producer for a fresh keyframe when the cached GOP is
// older than fresh_gop_age (or missing). Until a viewer has had an IDR it
// gets no P frames.
//
// Keyframe requests to the producer (viewer PLI/FIR, joins, GOP cache
// overflow) go through KeyframeRequestLimiter: one per second per stream at
// most, none lost.
//
// Bitrate: the viewers' REMB estimates go through BitrateAdapter, which
// asks the producer (BITRATE_REQUEST) for what the weakest congested viewer
// can take: one encoder for all viewers.
//
// Threading: everything on the EventLoop thread (the WHEP server posts its
// calls there).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "core/result.hpp"
#include "ipc/ingest_server.hpp"
#include "rtp/h264_packetizer.hpp"
#include "signal/viewer_admission.hpp"
#include "signal/whep_session_handler.hpp"
#include "streamer/bitrate_adapter.hpp"
#include "streamer/gop_cache.hpp"
#include "streamer/keyframe_request_limiter.hpp"
#include "webrtc/peer_connection.hpp"

namespace picortc::streamer {

struct StreamerOptions {
  // The template of every viewer's PeerConnection: certificate, ICE servers
  // and interfaces, timers. Direction and profile are set per stream.
  webrtc::PeerConnectionConfig peer;
  signal::ViewerLimits limits;
  // A viewer that has not connected this long after its offer is dropped.
  Duration session_setup_timeout = seconds(30);
  size_t gop_cache_bytes = 4 * 1024 * 1024;
  // Payloads kept for NACK resends, one store per stream shared by its
  // viewers (webrtc/packet_store.hpp): 1 MiB holds ~4 s of 2 Mbit/s.
  size_t retransmission_store_bytes = 1024 * 1024;
  Duration keyframe_request_min_interval = seconds(1);
  // A joining viewer starts from the cached GOP; the producer is asked for a
  // fresh IDR only when that GOP is older than this (or there is none), so
  // that the next viewer gets a short burst.
  Duration fresh_gop_age = seconds(1);
  // No access unit for this long while a producer is connected: "stalled".
  Duration ingest_stall_after = seconds(2);
  // The viewers' REMB estimates become bitrate requests to the producer
  // (BitrateAdapter). Off: the producer is never asked.
  bool adapt_bitrate = true;
  BitrateAdapterConfig bitrate;
};

class Streamer : public signal::WhepSessionHandler {
 public:
  Streamer(EventLoop& loop, StreamerOptions options);
  ~Streamer() override;
  Streamer(const Streamer&) = delete;
  Streamer& operator=(const Streamer&) = delete;

  // Before start(): one named stream and its ingest socket path.
  Status add_stream(const std::string& name, const std::string& socket_path);
  // Starts listening on every ingest socket.
  Status start();
  // Closes every session (DTLS close_notify, RTCP BYE) and the ingest
  // sockets (their files are removed). Idempotent.
  void stop();

  // WhepSessionHandler.
  Result<signal::CreatedSession> create_session(const signal::SessionRequest& request) override;
  Status add_candidates(const std::string& stream, const std::string& session_id,
                        const sdp::TrickleFragment& fragment) override;
  Status end_session(const std::string& stream, const std::string& session_id) override;
  std::vector<signal::StreamInfo> streams() override;
  std::vector<signal::SessionInfo> sessions() override;

  size_t session_count() const { return sessions_.size(); }

 private:
  struct Stream;
  struct Session {
    std::string id;
    Stream* stream = nullptr;
    std::unique_ptr<webrtc::PeerConnection> peer;
    TimePoint created{};
    bool pending = true;  // counted as pending by the admission until connected
    bool live = false;    // has had its IDR: gets every access unit from now on
    bool removing = false;
    EventLoop::TimerId setup_timer = 0;
    std::string user_agent;
  };
  struct Stream {
    std::string name;
    std::unique_ptr<ipc::IngestServer> ingest;
    GopCache gop;
    rtp::H264Packetizer packetizer;
    std::shared_ptr<webrtc::PacketStore> sent_payloads;
    KeyframeRequestLimiter keyframes;
    EventLoop::TimerId deferred_keyframe_timer = 0;
    BitrateAdapter bitrate;
    EventLoop::TimerId bitrate_timer = 0;  // evaluates a held-back change
    TimePoint bitrate_timer_due{};
    // From the latest SPS.
    bool have_sps = false;
    uint32_t width = 0;
    uint32_t height = 0;
    double fps = 0;
    std::string profile_level_id;
    uint64_t access_units = 0;
    TimePoint last_access_unit{};
    TimePoint gop_started{};            // arrival of the cached GOP's IDR
    signal::SendCounters ended_totals;  // of sessions already gone
    std::vector<Session*> viewers;
    DropCounter send_failures{"streamer", "access units not sent to a viewer"};

    Stream(std::string stream_name, size_t gop_bytes, size_t store_bytes, Duration keyframe_interval,
           const BitrateAdapterConfig& bitrate_config)
        : name(std::move(stream_name)),
          gop(gop_bytes),
          // One entry per 256 bytes of payload: more than a 2 Mbit/s stream's
          // packets in the store, even with its small ones.
          sent_payloads(std::make_shared<webrtc::PacketStore>(store_bytes, store_bytes / 256 + 64)),
          keyframes(keyframe_interval),
          bitrate(bitrate_config) {}
  };

  void on_access_unit(Stream& stream, h264::AccessUnit&& au);
  void update_stream_format(Stream& stream, const h264::AccessUnit& au);
  void on_session_state(Session& session, webrtc::PeerConnectionState state, const std::string& reason);
  void start_viewer(Session& session);
  void request_keyframe(Stream& stream, const char* why);
  void on_remb(Session& session, uint64_t bitrate_bps);
  // Sends the adapter's decision, if any, and arms the timer for a change
  // it held back.
  void apply_bitrate_decision(Stream& stream, std::optional<uint32_t> kbps, const char* why);
  // Ends a session from inside a callback: closed now, destroyed on the loop.
  void remove_session_later(const std::string& id);
  void destroy_session(const std::string& id);
  Stream* find_stream(const std::string& name);
  static signal::SendCounters counters_of(const webrtc::PeerConnectionStats& stats);

  EventLoop& loop_;
  StreamerOptions options_;
  signal::ViewerAdmission admission_;
  std::map<std::string, std::unique_ptr<Stream>> streams_;
  std::map<std::string, std::unique_ptr<Session>> sessions_;
  bool stopped_ = false;
  // Work posted to the loop checks this first: the streamer may be gone.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace picortc::streamer
