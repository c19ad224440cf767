#pragma once
// Helpers for ICE tests: agents on loopback only, with short timers, and a
// bounded "run the loop until" helper.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/event_loop.hpp"
#include "ice/ice_agent.hpp"

namespace picortc::ice::testing {

// Loopback only (tests never leave 127.0.0.1 / ::1), short timers.
inline IceAgentConfig loopback_config(IceRole role) {
  IceAgentConfig config;
  config.role = role;
  config.interfaces.include_loopback = true;
  config.interfaces.only_interfaces = {"lo"};
  config.check_pacing = milliseconds(10);
  config.check_rto_min = milliseconds(50);
  config.check_rto_max = milliseconds(200);
  config.max_check_transmissions = 5;
  config.nomination_delay = milliseconds(50);
  config.connect_timeout = seconds(3);
  config.consent_interval = milliseconds(100);
  config.consent_timeout = milliseconds(1000);
  config.disconnected_timeout = milliseconds(400);
  config.gather_timeout = milliseconds(300);
  return config;
}

// One agent and what its callbacks reported.
struct TestPeer {
  TestPeer(EventLoop& loop, IceAgentConfig config) : agent(loop, std::move(config)) {
    IceAgentCallbacks callbacks;
    callbacks.on_local_candidate = [this](const IceCandidate& c) {
      trickled.push_back(c);
      if (on_candidate) on_candidate(c);
    };
    callbacks.on_gathering_complete = [this]() { gathering_complete = true; };
    callbacks.on_state_change = [this](IceState s, const std::string& reason) {
      states.push_back(s);
      last_reason = reason;
    };
    callbacks.on_selected_pair = [this](const IcePairInfo& info) { selected.push_back(info); };
    callbacks.on_data = [this](BytesView data) { received.push_back(data.to_vector()); };
    agent.set_callbacks(std::move(callbacks));
  }

  bool reached(IceState s) const {
    for (IceState seen : states)
      if (seen == s) return true;
    return false;
  }
  bool received_bytes(const std::vector<uint8_t>& bytes) const {
    for (const auto& r : received)
      if (r == bytes) return true;
    return false;
  }

  IceAgent agent;
  std::vector<IceCandidate> trickled;
  std::function<void(const IceCandidate&)> on_candidate;
  bool gathering_complete = false;
  std::vector<IceState> states;
  std::string last_reason;
  std::vector<IcePairInfo> selected;
  std::vector<std::vector<uint8_t>> received;
};

// Runs the loop until `done` or `limit`; true if done.
inline bool run_until(EventLoop& loop, const std::function<bool()>& done, Duration limit = seconds(5)) {
  TimePoint end = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() >= end) return false;
    loop.run_once(milliseconds(5));
  }
  return true;
}

}  // namespace picortc::ice::testing

// ---------------------------------------------------------------------------
// coturn (Debian `turnserver`) on 127.0.0.1, started and stopped by the test.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "ice/udp_socket.hpp"
#include "stun/stun_builder.hpp"
#include "stun/stun_message.hpp"

namespace picortc::ice::testing {

inline bool turnserver_installed() {
  return access("/usr/bin/turnserver", X_OK) == 0;
}

// A free UDP port on 127.0.0.1 (the kernel's pick; closed again at once).
inline uint16_t free_udp_port() {
  auto probe = UdpSocket::bind(*stun::TransportAddress::from_ip_string("127.0.0.1", 0));
  return probe.ok() ? probe->local_address().port() : 0;
}

class Coturn {
 public:
  // extra: more turnserver options ("--stun-only", "--user=u:p", ...).
  bool start(const std::vector<std::string>& extra) {
    char dir_template[] = "/tmp/picortc-ice-coturn-XXXXXX";
    if (mkdtemp(dir_template) == nullptr) return false;
    dir_ = dir_template;
    port_ = free_udp_port();
    std::vector<std::string> args = {"/usr/bin/turnserver",
                                     "--listening-ip=127.0.0.1",
                                     "--relay-ip=127.0.0.1",
                                     "--listening-port=" + std::to_string(port_),
                                     "--no-tls",
                                     "--no-dtls",
                                     "--no-tcp",
                                     "--no-cli",
                                     "--no-rfc5780",
                                     "--log-file=" + dir_ + "/turn.log",
                                     "--pidfile=" + dir_ + "/turn.pid",
                                     "--db=" + dir_ + "/turndb",
                                     "--simple-log"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      freopen("/dev/null", "w", stdout);
      freopen("/dev/null", "w", stderr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    return wait_ready();
  }

  ~Coturn() { stop(); }

  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      for (int i = 0; i < 100 && waitpid(pid_, &status, WNOHANG) == 0; ++i)
        usleep(20000);
      if (waitpid(pid_, &status, WNOHANG) == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
      pid_ = -1;
    }
    if (!dir_.empty()) {
      std::string command = "rm -rf '" + dir_ + "'";
      int rc = std::system(command.c_str());
      (void)rc;
      dir_.clear();
    }
  }

  uint16_t port() const { return port_; }
  stun::TransportAddress address() const {
    return *stun::TransportAddress::from_ip_string("127.0.0.1", port_);
  }

 private:
  // Ready when it answers a Binding request (bounded: 50 tries, 100 ms apart).
  bool wait_ready() {
    auto probe = UdpSocket::bind(*stun::TransportAddress::from_ip_string("127.0.0.1", 0));
    if (!probe.ok()) return false;
    for (int attempt = 0; attempt < 50; ++attempt) {
      stun::StunMessageBuilder request(stun::kMethodBinding, stun::StunClass::kRequest,
                                       stun::random_transaction_id());
      probe->send_to(address(), request.bytes());
      usleep(100000);
      uint8_t buffer[1500];
      stun::TransportAddress from;
      if (probe->receive_from(buffer, sizeof buffer, from) > 0) return true;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
    }
    return false;
  }

  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string dir_;
};

}  // namespace picortc::ice::testing
