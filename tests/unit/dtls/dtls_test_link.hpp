#pragma once
// Two DtlsTransports joined by an in-memory link, for tests: datagrams queue
// up per direction, a filter may drop or inject, and run_until() pumps the
// link and the retransmission timers (real time, short timeouts) until a
// condition holds or a time limit passes.
#include <algorithm>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "dtls/certificate.hpp"
#include "dtls/dtls_transport.hpp"

namespace picortc::dtls::testing {

// Generated once per test binary: key generation is the slow part.
inline const Certificate& test_certificate(int index) {
  static const Certificate certs[3] = {*Certificate::generate(), *Certificate::generate(),
                                       *Certificate::generate()};
  return certs[index];
}

inline DtlsConfig make_config(DtlsRole role, const Certificate& own, const Certificate& peer) {
  DtlsConfig config;
  config.role = role;
  config.certificate = own;
  config.remote_fingerprint = peer.fingerprint();
  // Short timers so that lost flights come back quickly in tests.
  config.initial_retransmit_timeout = milliseconds(40);
  config.max_retransmit_timeout = milliseconds(200);
  config.handshake_timeout = seconds(5);
  return config;
}

struct TestPeer {
  std::unique_ptr<DtlsTransport> transport;
  std::vector<DtlsState> states;
  std::string last_reason;
  std::deque<std::vector<uint8_t>> outbox;
  std::vector<std::vector<uint8_t>> sent;  // every datagram, in order

  bool connected() const { return transport->state() == DtlsState::kConnected; }
  bool finished() const {
    DtlsState s = transport->state();
    return s == DtlsState::kConnected || s == DtlsState::kFailed || s == DtlsState::kClosed;
  }
};

class DtlsTestLink {
 public:
  // Returns true to drop the datagram. `index` counts datagrams from that side.
  using Filter = std::function<bool(bool from_client, size_t index, const std::vector<uint8_t>& datagram)>;

  DtlsTestLink(DtlsConfig client_config, DtlsConfig server_config) {
    client_config.role = DtlsRole::kClient;
    server_config.role = DtlsRole::kServer;
    attach(client, std::move(client_config));
    attach(server, std::move(server_config));
  }
  bool ok() const { return client.transport && server.transport; }

  void start() {
    server.transport->start();
    client.transport->start();
  }

  // Pumps until done() or `limit`. Bounded in iterations too.
  bool run_until(const std::function<bool()>& done, Duration limit = seconds(5)) {
    TimePoint deadline = Clock::now() + limit;
    for (int iteration = 0; iteration < 100000; ++iteration) {
      if (done()) return true;
      if (Clock::now() > deadline) return false;
      bool moved = deliver(client, server, true) | deliver(server, client, false);
      if (moved) continue;
      Duration wait = milliseconds(10);
      for (TestPeer* peer : {&client, &server}) {
        auto next = peer->transport->next_timeout();
        if (next) wait = std::min(wait, *next);
      }
      if (wait > Duration::zero()) std::this_thread::sleep_for(wait);
      for (TestPeer* peer : {&client, &server}) {
        auto next = peer->transport->next_timeout();
        if (next && *next <= Duration::zero()) peer->transport->handle_timeout();
      }
    }
    return done();
  }

  bool handshake(Duration limit = seconds(5)) {
    start();
    return run_until([this] { return client.finished() && server.finished(); }, limit);
  }

  TestPeer client;
  TestPeer server;
  Filter filter;
  size_t dropped = 0;
  std::string create_error;  // set when a transport could not be created

 private:
  void attach(TestPeer& peer, DtlsConfig config) {
    TestPeer* p = &peer;
    auto created = DtlsTransport::create(
        std::move(config),
        [p](BytesView datagram) {
          p->outbox.push_back(datagram.to_vector());
          p->sent.push_back(datagram.to_vector());
        },
        [p](DtlsState state, const std::string& reason) {
          p->states.push_back(state);
          p->last_reason = reason;
        });
    if (created) {
      peer.transport = std::move(*created);
    } else {
      create_error = created.error().message();
    }
  }

  bool deliver(TestPeer& from, TestPeer& to, bool from_client) {
    bool moved = false;
    while (!from.outbox.empty()) {
      std::vector<uint8_t> datagram = std::move(from.outbox.front());
      from.outbox.pop_front();
      size_t index = from_client ? client_index_++ : server_index_++;
      moved = true;
      if (filter && filter(from_client, index, datagram)) {
        ++dropped;
        continue;
      }
      to.transport->handle_datagram(BytesView(datagram));
    }
    return moved;
  }

  size_t client_index_ = 0;
  size_t server_index_ = 0;
};

}  // namespace picortc::dtls::testing
