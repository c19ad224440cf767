#pragma once
// A full ICE agent (RFC 8445) for one component and one data stream (BUNDLE
// with rtcp-mux), with trickle (RFC 8838) and consent freshness (RFC 7675).
// It owns its UDP sockets (one per local address) and any relayed
// transports, and runs on one picortc::EventLoop. See docs/ice.md.
//
// Use:
//   IceAgent agent(loop, config);
//   agent.set_callbacks(...);
//   agent.gather();                    // host candidates at once, srflx/relay later
//   send agent.local_credentials() and agent.local_candidates() to the peer
//   agent.set_remote_credentials(ufrag, pwd);
//   agent.add_remote_candidate(c) ... agent.set_remote_end_of_candidates();
//   on_state_change(kConnected) -> agent.send(bytes), on_data(bytes)
//
// Threading: every method on the loop thread (or before the loop runs).
// Callbacks run on the loop thread, never from inside close() or the
// destructor. A callback may call any method, close() included, but must not
// destroy the agent: post() the destruction to the loop instead.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/clock.hpp"
#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "core/result.hpp"
#include "ice/address_resolver.hpp"
#include "ice/ice_candidate.hpp"
#include "ice/ice_server_url.hpp"
#include "ice/network_interfaces.hpp"
#include "ice/relay_transport.hpp"
#include "ice/udp_socket.hpp"
#include "stun/stun_message.hpp"

namespace picortc::ice {

inline constexpr std::string_view kErrNoSockets = "ice: no local address could be bound";
inline constexpr std::string_view kErrNoRelay = "ice: relay-only policy without a usable TURN server";
inline constexpr std::string_view kErrWrongUfrag = "ice: candidate ufrag differs from the remote ufrag";
inline constexpr std::string_view kErrTooManyCandidates = "ice: too many remote candidates";

enum class IceRole : uint8_t { kControlling, kControlled };
const char* to_string(IceRole role);

// RTCIceConnectionState-like (W3C webrtc-pc §5.6) states of the one component.
enum class IceState : uint8_t {
  kNew,           // nothing checked yet
  kChecking,      // remote credentials known, checks running, no valid pair yet
  kConnected,     // a valid pair is usable (selected), nomination pending
  kCompleted,     // a pair is nominated and selected
  kDisconnected,  // consent responses stopped for disconnected_timeout; may recover
  kFailed,        // no pair succeeded, or consent expired (terminal; reason given)
  kClosed,        // close() was called
};
const char* to_string(IceState state);

enum class GatheringState : uint8_t { kNew, kGathering, kComplete };

// RFC 8445 §6.1.2.6 candidate pair states.
enum class PairState : uint8_t { kFrozen, kWaiting, kInProgress, kSucceeded, kFailed };
const char* to_string(PairState state);

// RFC 8445 §6.1.2.3: pair priority = 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0),
// G the controlling agent's candidate priority, D the controlled agent's.
constexpr uint64_t pair_priority(uint32_t controlling_priority, uint32_t controlled_priority) {
  uint64_t g = controlling_priority;
  uint64_t d = controlled_priority;
  return (uint64_t{1} << 32) * (g < d ? g : d) + 2 * (g > d ? g : d) + (g > d ? 1 : 0);
}

struct IceCredentials {
  std::string ufrag;
  std::string password;
};
// RFC 8445 §5.3: ufrag at least 24 bits (4 ice-chars), password 128 bits
// (22 ice-chars); we use 8 and 24 random ice-chars.
IceCredentials random_credentials();

// W3C RTCIceTransportPolicy: kRelay gathers and uses relayed candidates only.
enum class IceTransportPolicy : uint8_t { kAll, kRelay };

struct IceAgentConfig {
  IceRole role = IceRole::kControlled;
  IceTransportPolicy policy = IceTransportPolicy::kAll;
  // stun: servers give srflx candidates; turn: servers relayed ones through
  // relay_factory (ignored with a warning when no factory is set).
  std::vector<IceServerUrl> servers;
  InterfaceFilter interfaces;  // include_loopback etc.
  // Host candidate ports: 0/0 lets the kernel pick.
  uint16_t port_min = 0;
  uint16_t port_max = 0;
  // Empty: random credentials.
  IceCredentials local_credentials;

  // Server-reflexive gathering ends after this even if servers never answer
  // (DESIGN.md: an unreachable or unresolvable server never blocks).
  Duration gather_timeout = milliseconds(500);
  // RFC 8489 §6.2.1 retransmission towards STUN servers, shortened to fit in
  // gather_timeout: 100, 200, 400 ms...
  Duration server_rto = milliseconds(100);
  unsigned server_max_transmissions = 4;
  // Relayed gathering ends after this.
  Duration relay_gather_timeout = seconds(3);
  RelayFactory relay_factory;

  // Ta (RFC 8445 §14.2): one new check per Ta.
  Duration check_pacing = milliseconds(50);
  // RFC 8445 §14.3: RTO = MAX(check_rto_min, Ta * (Waiting + In-Progress)),
  // doubling per retransmission up to check_rto_max; a pair fails after
  // max_check_transmissions unanswered requests.
  Duration check_rto_min = milliseconds(250);
  Duration check_rto_max = milliseconds(1600);
  unsigned max_check_transmissions = 7;
  // Controlling, regular nomination (RFC 8445 §8.1.1): nominate the best
  // valid pair once no check is pending, or this long after the first
  // success, whichever comes first.
  Duration nomination_delay = milliseconds(300);
  // Failed ("no candidate pair succeeded") when no pair is valid this long
  // after checks started.
  Duration connect_timeout = seconds(20);

  // RFC 7675 consent freshness on the selected pair: a request every
  // interval (randomised 0.8-1.2x, RFC 7675 §5.1 asks 4-6 s for 5 s), failed
  // ("consent expired") after consent_timeout without a response,
  // kDisconnected after disconnected_timeout without one.
  Duration consent_interval = seconds(5);
  Duration consent_timeout = seconds(30);
  Duration disconnected_timeout = seconds(10);
};

// The selected pair as the layer above reports it (DESIGN.md /api/sessions).
struct IcePairInfo {
  IceCandidate local;  // the candidate the peer sees (srflx/prflx when mapped)
  IceCandidate remote;
  bool nominated = false;
  std::string transport = "udp";
};

struct IceAgentStats {
  uint64_t checks_sent = 0;             // connectivity-check requests, retransmissions included
  uint64_t checks_received = 0;         // authenticated Binding requests answered with success
  uint64_t check_successes = 0;         // authenticated success responses to our checks
  uint64_t unauthorized_checks = 0;     // requests answered 401 (bad USERNAME or MESSAGE-INTEGRITY)
  uint64_t bad_requests = 0;            // requests answered 400 (missing attributes)
  uint64_t unauthorized_responses = 0;  // 401 responses received to our checks
  uint64_t role_conflicts = 0;          // 487 sent or received, or role switched
  uint64_t bad_stun_dropped = 0;        // unparsable, bad FINGERPRINT or unauthenticated responses
  uint64_t unknown_source_dropped = 0;  // non-STUN datagrams from an address of no usable pair
  uint64_t prflx_remote_learned = 0;
  uint64_t prflx_local_learned = 0;
  uint64_t srflx_discovered = 0;  // Binding responses from STUN servers
  uint64_t redundant_candidates = 0;
  uint64_t consent_requests_sent = 0;
  uint64_t consent_responses = 0;
  uint64_t data_packets_sent = 0;
  uint64_t data_packets_received = 0;
  uint64_t data_bytes_sent = 0;
  uint64_t data_bytes_received = 0;
};

// One row of the check list, for tests and diagnostics.
struct IcePairSnapshot {
  IceCandidate local;
  IceCandidate remote;
  PairState state = PairState::kFrozen;
  uint64_t priority = 0;
  bool valid = false;
  bool nominated = false;
};

struct IceAgentCallbacks {
  // Trickle: each local candidate once, as found (host ones inside gather()).
  std::function<void(const IceCandidate&)> on_local_candidate;
  // RFC 8838 end-of-candidates: no more local candidates will come.
  std::function<void()> on_gathering_complete;
  // reason: "" or why (for kFailed / kDisconnected).
  std::function<void(IceState, const std::string& reason)> on_state_change;
  std::function<void(const IcePairInfo&)> on_selected_pair;
  // A non-STUN datagram from the peer (DTLS, SRTP, SRTCP: RFC 7983 demux is
  // the caller's). The view is valid during the call only.
  std::function<void(BytesView)> on_data;
};

class IceAgent {
 public:
  IceAgent(EventLoop& loop, IceAgentConfig config);
  ~IceAgent();
  IceAgent(const IceAgent&) = delete;
  IceAgent& operator=(const IceAgent&) = delete;

  void set_callbacks(IceAgentCallbacks callbacks) { callbacks_ = std::move(callbacks); }

  // Binds one UDP socket per local address and emits the host candidates
  // before returning; srflx and relayed candidates follow on the loop.
  // Fails only when no socket could be bound at all.
  Status gather();

  const IceCredentials& local_credentials() const { return local_credentials_; }
  std::vector<IceCandidate> local_candidates() const;
  GatheringState gathering_state() const { return gathering_state_; }
  // Candidates found but eliminated as redundant (RFC 8445 §5.1.3), e.g. a
  // server-reflexive address equal to its host address: never signalled,
  // kept (the first 16) for diagnostics and tests.
  const std::vector<IceCandidate>& redundant_candidates() const { return redundant_; }

  // Checks start once both gather() was called and these are known. Checks
  // that arrive earlier are answered (with our password) and remembered.
  void set_remote_credentials(const std::string& ufrag, const std::string& password);
  // Trickled or signalled. Non-UDP and other-component candidates are
  // ignored (Ok); unresolved names (mDNS) are kept but never paired.
  Status add_remote_candidate(const IceCandidate& candidate);
  // The peer sent end-of-candidates (RFC 8838); lets the agent fail as
  // soon as every pair failed instead of waiting for connect_timeout.
  void set_remote_end_of_candidates();
  std::vector<IceCandidate> remote_candidates() const;

  // Sends on the selected pair; false when there is none (or the kernel
  // refused the datagram).
  bool send(BytesView data);
  // Several datagrams on the selected pair, in order: one system call where
  // the pair's base is a host socket. A refused datagram is lost like with
  // send(); returns how many were sent.
  size_t send_batch(const BytesView* datagrams, size_t count);

  // Stops everything: timers cancelled, sockets closed, relays released.
  // Calls no callback. Idempotent.
  void close();

  IceState state() const { return state_; }
  const std::string& failure_reason() const { return failure_reason_; }
  IceRole role() const { return role_; }
  uint64_t tie_breaker() const { return tie_breaker_; }
  std::optional<IcePairInfo> selected_pair() const;
  std::vector<IcePairSnapshot> check_list() const;
  const IceAgentStats& stats() const { return stats_; }
  // Local addresses the agent's sockets are bound to (host candidate bases).
  std::vector<TransportAddress> socket_addresses() const;

 private:
  struct Base {
    std::unique_ptr<UdpSocket> socket;      // host base
    std::unique_ptr<RelayTransport> relay;  // relayed base
    TransportAddress address;               // bound or relayed address
    bool loopback = false;
  };
  struct LocalCandidate {
    IceCandidate candidate;
    size_t base = 0;
  };
  struct Pair {
    size_t local = 0;  // the host or relayed candidate whose base sends
    size_t remote = 0;
    size_t valid_local = 0;  // §7.2.5.3.2: the local candidate equal to the mapped address
    PairState state = PairState::kFrozen;
    uint64_t priority = 0;
    std::string foundation;
    bool valid = false;
    bool nominated = false;
    bool nominate_on_success = false;   // controlled: USE-CANDIDATE came before our check succeeded
    bool remote_authenticated = false;  // the peer sent an authenticated check on this pair
    bool nomination_in_flight = false;  // controlling: a USE-CANDIDATE check is pending
  };
  enum class TransactionKind : uint8_t { kCheck, kServerBinding, kConsent };
  struct Transaction {
    TransactionKind kind = TransactionKind::kCheck;
    size_t base = 0;
    TransportAddress destination;
    std::vector<uint8_t> request;
    size_t pair = SIZE_MAX;
    bool use_candidate = false;
    IceRole role = IceRole::kControlled;
    uint32_t priority_sent = 0;
    unsigned transmissions = 0;
    Duration rto{};
    EventLoop::TimerId timer = 0;
    TimePoint sent_at{};
  };
  struct Triggered {
    size_t pair;
    bool use_candidate;
  };

  // Gathering.
  void add_host_candidates();
  void start_server_queries();
  void on_server_resolved(const IceServerUrl& server, Result<std::vector<TransportAddress>> result);
  void send_server_binding(size_t base, const TransportAddress& server);
  void handle_server_response(const Transaction& t, const stun::StunMessage& message);
  void start_relays();
  void on_relay_ready(const IceServerUrl& server, Result<std::unique_ptr<RelayTransport>> result);
  void server_query_done();
  void relay_query_done();
  void maybe_finish_gathering();
  void finish_gathering();
  size_t add_local_candidate(IceCandidate candidate, size_t base, bool announce);

  // Check list.
  void pair_new_local(size_t local);
  void pair_new_remote(size_t remote);
  size_t add_pair(size_t local, size_t remote);
  std::optional<size_t> find_pair(size_t base, const TransportAddress& remote_address) const;
  std::optional<size_t> find_remote(const TransportAddress& address) const;
  size_t base_candidate_of(size_t base) const;
  void recompute_pair_priorities();
  uint32_t controlling_priority(const Pair& pair) const;
  void maybe_start_checks();
  void ensure_check_timer();
  void on_check_tick();
  bool send_check(size_t pair, bool use_candidate);
  void unfreeze_foundation(const std::string& foundation);
  Duration check_rto() const;
  std::vector<uint8_t> build_check(const stun::TransactionId& id, size_t pair, bool use_candidate,
                                   uint32_t& priority_sent) const;

  // Transactions.
  void start_transaction(Transaction t, const stun::TransactionId& id);
  void on_transaction_timer(const stun::TransactionId& id);
  void transmit(Transaction& t);
  bool send_from_base(size_t base, const TransportAddress& destination, BytesView data);

  // Input.
  void on_socket_readable(size_t base);
  void handle_datagram(size_t base, const TransportAddress& source, BytesView data);
  void handle_stun(size_t base, const TransportAddress& source, BytesView data);
  void handle_request(size_t base, const TransportAddress& source, BytesView data,
                      const stun::StunMessage& m);
  void handle_response(size_t base, const TransportAddress& source, BytesView data,
                       const stun::StunMessage& m);
  void handle_check_response(const Transaction& t, size_t base, const TransportAddress& source,
                             const stun::StunMessage& m);
  void handle_consent_response(const Transaction& t, const TransportAddress& source);
  void send_error_response(size_t base, const TransportAddress& destination, const stun::StunMessage& request,
                           int code, bool with_integrity);
  void handle_data(size_t base, const TransportAddress& source, BytesView data);

  // Nomination and selection.
  void on_pair_succeeded(size_t pair);
  void on_pair_failed(size_t pair);
  void nominate();
  void set_nominated(size_t pair);
  void update_selected();
  void select_pair(size_t pair);
  IcePairInfo pair_info(size_t pair) const;
  void check_all_failed();
  void switch_role(IceRole role);

  // Consent freshness.
  void schedule_consent();
  void on_consent_tick();

  void set_state(IceState state, const std::string& reason = {});
  void fail(const std::string& reason);
  bool stopped() const { return state_ == IceState::kClosed || state_ == IceState::kFailed; }

  EventLoop& loop_;
  IceAgentConfig config_;
  IceAgentCallbacks callbacks_;
  AddressResolver resolver_;

  IceCredentials local_credentials_;
  IceCredentials remote_credentials_;
  bool remote_credentials_known_ = false;
  bool remote_end_of_candidates_ = false;
  IceRole role_;
  uint64_t tie_breaker_ = 0;
  IceState state_ = IceState::kNew;
  std::string failure_reason_;
  GatheringState gathering_state_ = GatheringState::kNew;

  std::vector<Base> bases_;
  std::vector<LocalCandidate> local_;
  std::vector<IceCandidate> redundant_;
  std::vector<IceCandidate> remote_;
  std::vector<Pair> pairs_;
  std::deque<Triggered> triggered_;
  std::map<stun::TransactionId, Transaction> transactions_;
  uint32_t next_prflx_foundation_ = 1;

  std::optional<size_t> selected_;
  bool checks_started_ = false;
  bool nomination_started_ = false;
  TimePoint last_consent_{};

  size_t pending_server_queries_ = 0;
  size_t pending_relays_ = 0;
  bool server_phase_done_ = true;
  bool relay_phase_done_ = true;
  std::vector<std::unique_ptr<RelayAllocation>> relay_allocations_;

  EventLoop::TimerId check_timer_ = 0;
  EventLoop::TimerId gather_timer_ = 0;
  EventLoop::TimerId relay_timer_ = 0;
  EventLoop::TimerId connect_timer_ = 0;
  EventLoop::TimerId nomination_timer_ = 0;
  EventLoop::TimerId consent_timer_ = 0;

  IceAgentStats stats_;
  DropCounter bad_stun_{"ice", "bad STUN datagrams dropped"};
  DropCounter unknown_source_{"ice", "non-STUN datagrams from unknown addresses dropped"};
  DropCounter unauthorized_{"ice", "connectivity checks rejected with 401"};
};

}  // namespace picortc::ice
