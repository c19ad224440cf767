#include "ice/turn_relay.hpp"

#include "core/log.hpp"
#include "ice/address_resolver.hpp"
#include "turn/turn_client.hpp"
#include "turn/udp_turn_transport.hpp"

namespace picortc::ice {
namespace {

// What one allocation needs, shared by the attempt and the transport it
// becomes. Destroyed through the loop (post) so that neither the TURN client
// nor its socket is freed while one of their own callbacks is running.
struct TurnSession {
  EventLoop* loop = nullptr;
  stun::TransportAddress server;
  std::unique_ptr<turn::UdpTurnTransport> transport;
  std::unique_ptr<turn::TurnClient> client;
  RelayTransport::ReceiveCallback receive;
  RelayDone done;  // empty once called
};

void destroy_later(std::shared_ptr<TurnSession> session) {
  if (!session) return;
  EventLoop* loop = session->loop;
  session->done = nullptr;
  session->receive = nullptr;
  loop->post([session]() mutable { session.reset(); });
}

class TurnRelayTransport : public RelayTransport {
 public:
  explicit TurnRelayTransport(std::shared_ptr<TurnSession> session) : session_(std::move(session)) {}
  ~TurnRelayTransport() override {
    close();
    destroy_later(std::move(session_));
  }

  stun::TransportAddress relayed_address() const override { return session_->client->relayed_address(); }
  std::optional<stun::TransportAddress> mapped_address() const override {
    return session_->client->mapped_address();
  }
  stun::TransportAddress server_address() const override { return session_->server; }

  void create_permission(const stun::TransportAddress& peer) override {
    if (closed_) return;
    Status s = session_->client->create_permission(peer);
    if (!s)
      LOG_WARN("ice", "TURN permission for %s: %s", peer.to_string().c_str(), s.error().message().c_str());
  }
  bool send_to(const stun::TransportAddress& peer, BytesView data) override {
    return !closed_ && session_->client->send_to_peer(peer, data).ok();
  }
  void set_receive_callback(ReceiveCallback callback) override { session_->receive = std::move(callback); }
  void close() override {
    if (closed_) return;
    closed_ = true;
    session_->receive = nullptr;
    session_->client->release();
  }

 private:
  std::shared_ptr<TurnSession> session_;
  bool closed_ = false;
};

class TurnAllocationAttempt : public RelayAllocation {
 public:
  TurnAllocationAttempt(EventLoop& loop, const IceServerUrl& server, RelayDone done)
      : loop_(loop), url_(server), resolver_(loop), session_(std::make_shared<TurnSession>()) {
    session_->loop = &loop;
    session_->done = std::move(done);
  }
  ~TurnAllocationAttempt() override {
    resolver_.cancel_all();
    if (!handed_over_) destroy_later(std::move(session_));
  }

  void start() {
    if (url_.scheme != IceServerScheme::kTurn || url_.transport != IceServerTransport::kUdp) {
      std::string url = url_.to_redacted_string();
      auto session = session_;
      // Asynchronous like every other outcome.
      loop_.post([session, url]() {
        if (session->done) {
          RelayDone done = std::move(session->done);
          session->done = nullptr;
          done(make_error(kErrTurnTransportUnsupported, url));
        }
      });
      return;
    }
    resolver_.resolve(url_.host, url_.port, [this](Result<std::vector<stun::TransportAddress>> result) {
      on_resolved(std::move(result));
    });
  }

 private:
  void finish(Result<std::unique_ptr<RelayTransport>> result) {
    if (!session_->done) return;
    RelayDone done = std::move(session_->done);
    session_->done = nullptr;
    done(std::move(result));  // may destroy this attempt: touch nothing after
  }

  void on_resolved(Result<std::vector<stun::TransportAddress>> result) {
    if (!result) {
      finish(result.error());
      return;
    }
    // The first address: TURN over UDP to one server is enough for a relayed candidate.
    session_->server = result->front();
    TurnSession* session = session_.get();
    auto transport = turn::UdpTurnTransport::open(loop_, session_->server, [session](BytesView message) {
      if (session->client) session->client->handle_server_message(message);
    });
    if (!transport) {
      finish(transport.error());
      return;
    }
    session_->transport = std::move(*transport);
    turn::TurnClientConfig config;
    config.username = url_.username;
    config.password = url_.password;
    turn::TurnClientCallbacks callbacks;
    // `this` is used only while session->done is set: the attempt's
    // destructor clears it, so a late callback never reaches a dead attempt.
    callbacks.on_allocated = [this, session](const stun::TransportAddress&, const stun::TransportAddress&) {
      if (!session->done) return;
      handed_over_ = true;
      finish(std::unique_ptr<RelayTransport>(new TurnRelayTransport(session_)));
    };
    callbacks.on_allocation_failed = [this, session](const Error& error) {
      if (session->done) {
        finish(error);
      } else {
        LOG_WARN("ice", "TURN allocation lost: %s", error.message().c_str());
      }
    };
    callbacks.on_peer_data = [session](const stun::TransportAddress& peer, BytesView data) {
      if (session->receive) session->receive(peer, data);
    };
    session_->client = std::make_unique<turn::TurnClient>(loop_, *session_->transport, std::move(config),
                                                          std::move(callbacks));
    session_->client->allocate();
  }

  EventLoop& loop_;
  IceServerUrl url_;
  AddressResolver resolver_;
  std::shared_ptr<TurnSession> session_;
  bool handed_over_ = false;
};

}  // namespace

RelayFactory make_turn_relay_factory() {
  return [](EventLoop& loop, const IceServerUrl& server, RelayDone done) -> std::unique_ptr<RelayAllocation> {
    auto attempt = std::make_unique<TurnAllocationAttempt>(loop, server, std::move(done));
    attempt->start();
    return attempt;
  };
}

}  // namespace picortc::ice
