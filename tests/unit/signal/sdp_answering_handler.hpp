#pragma once
// A WhepSessionHandler for tests of the HTTP front end: it stands in for the
// peer-connection layer only. It negotiates for real (src/sdp build_answer
// with the stream's profile, our 127.0.0.1 host candidate), enforces the
// viewer limits with the real ViewerAdmission, and keeps the sessions it
// created, but opens no sockets: nothing answers ICE checks.
//
// Threading: like any handler, called on the EventLoop thread; the test
// reads its recorded state after the loop has stopped, or through
// snapshot() which takes the mutex.
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/event_loop.hpp"
#include "sdp/negotiation.hpp"
#include "sdp/session_description.hpp"
#include "signal/signal_errors.hpp"
#include "signal/viewer_admission.hpp"
#include "signal/whep_session_handler.hpp"

namespace picortc::signal::test {

class SdpAnsweringHandler : public WhepSessionHandler {
 public:
  SdpAnsweringHandler(std::vector<StreamInfo> streams, ViewerLimits limits)
      : streams_(std::move(streams)), admission_(limits) {}

  Result<CreatedSession> create_session(const SessionRequest& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    offers_.push_back(request.offer_sdp);
    if (refuse_offers_ > 0) {
      --refuse_offers_;
      return make_error(kErrStreamNotReady, "refused by the test");
    }
    const StreamInfo* stream = find_stream(request.stream);
    if (stream == nullptr) return make_error(kErrUnknownStream, request.stream);
    Result<sdp::SessionDescription> offer = sdp::parse_session_description(request.offer_sdp);
    if (!offer) return offer.error();
    Status admitted = admission_.admit(request.stream);
    if (!admitted) return admitted.error();

    sdp::AnswerOptions options;
    options.direction = sdp::MediaDirection::kSendOnly;
    options.profile_match = sdp::ProfileMatch::kSameProfile;
    options.profile_level_id = stream->profile_level_id;
    options.transport.ice_ufrag = request.session_id.substr(0, 8);
    options.transport.ice_pwd = request.session_id;
    options.transport.fingerprint = sdp::Fingerprint{"sha-256", kFingerprint};
    sdp::Candidate host;
    host.foundation = "1";
    host.priority = 2130706431;
    host.address = "127.0.0.1";
    host.port = 9;  // discard: nothing answers
    options.transport.candidates.push_back(host);
    options.transport.end_of_candidates = true;
    options.track.ssrc = 0x1234abcd;
    options.track.cname = "picortc-test";
    Result<sdp::Answer> answer = sdp::build_answer(*offer, options);
    if (!answer) {
      admission_.release(request.stream, true);
      return answer.error();
    }
    Session session;
    session.stream = request.stream;
    session.remote_ufrag = answer->media.remote_ice_ufrag;
    session.user_agent = request.client.user_agent;
    sessions_[request.session_id] = session;
    CreatedSession created;
    created.answer_sdp = sdp::to_string(answer->description);
    created.etag = "\"" + options.transport.ice_ufrag + "\"";
    return created;
  }

  Status add_candidates(const std::string& stream, const std::string& session_id,
                        const sdp::TrickleFragment& fragment) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = sessions_.find(session_id);
    if (it == sessions_.end() || it->second.stream != stream) return make_error(kErrUnknownSession);
    for (const sdp::TrickleMedia& media : fragment.media) {
      const auto ufrag = fragment.ufrag_for(media);
      if (ufrag && *ufrag != it->second.remote_ufrag) return make_error(kErrFragmentForOtherSession, *ufrag);
      it->second.candidates += media.candidates.size();
    }
    return {};
  }

  Status end_session(const std::string& stream, const std::string& session_id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = sessions_.find(session_id);
    if (it == sessions_.end() || it->second.stream != stream) return make_error(kErrUnknownSession);
    sessions_.erase(it);
    admission_.release(stream, true);
    ++ended_;
    return {};
  }

  std::vector<StreamInfo> streams() override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<StreamInfo> out = streams_;
    for (StreamInfo& s : out)
      s.viewers = admission_.viewers(s.name);
    return out;
  }

  std::vector<SessionInfo> sessions() override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<SessionInfo> out;
    for (const auto& [id, session] : sessions_) {
      SessionInfo info;
      info.id = id;
      info.stream = session.stream;
      info.state = "new";
      info.user_agent = session.user_agent;
      out.push_back(info);
    }
    return out;
  }

  // The next n offers get kErrStreamNotReady (503 with Retry-After), as
  // from a stream whose producer has not sent an SPS yet.
  void refuse_next_offers(int n) {
    std::lock_guard<std::mutex> lock(mutex_);
    refuse_offers_ = n;
  }

  // Thread-safe views for the test body.
  std::vector<std::string> offers() {
    std::lock_guard<std::mutex> lock(mutex_);
    return offers_;
  }
  size_t candidates_of(const std::string& session_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = sessions_.find(session_id);
    return it == sessions_.end() ? 0 : it->second.candidates;
  }
  size_t session_count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sessions_.size();
  }
  size_t ended() {
    std::lock_guard<std::mutex> lock(mutex_);
    return ended_;
  }

  static constexpr const char* kFingerprint =
      "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

 private:
  struct Session {
    std::string stream;
    std::string remote_ufrag;
    std::string user_agent;
    size_t candidates = 0;
  };

  const StreamInfo* find_stream(const std::string& name) const {
    for (const StreamInfo& s : streams_) {
      if (s.name == name) return &s;
    }
    return nullptr;
  }

  std::mutex mutex_;  // the handler runs on the loop, the test reads from its own thread
  std::vector<StreamInfo> streams_;
  ViewerAdmission admission_;
  std::map<std::string, Session> sessions_;
  std::vector<std::string> offers_;
  size_t ended_ = 0;
  int refuse_offers_ = 0;
};

// The event loop on its own thread, as in `serve`, for the test's lifetime.
class LoopThread {
 public:
  LoopThread() : thread_([this] { loop_.run(); }) {}
  ~LoopThread() {
    loop_.stop();
    thread_.join();
  }
  EventLoop& loop() { return loop_; }

 private:
  EventLoop loop_;
  std::thread thread_;
};

}  // namespace picortc::signal::test
