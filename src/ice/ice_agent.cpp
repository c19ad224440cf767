#include "ice/ice_agent.hpp"

#include <algorithm>
#include <cinttypes>

#include "stun/stun_builder.hpp"
#include "stun/stun_crypto.hpp"
#include "stun/stun_integrity.hpp"

namespace picortc::ice {
namespace {

constexpr size_t kMaxPairs = 100;            // RFC 8445 §6.1.2.5 asks for a limit; 100 is its example
constexpr size_t kMaxRemoteCandidates = 64;  // prflx learning is driven by the network: bound it
constexpr size_t kReceiveBufferSize = 65536;
constexpr size_t kMaxDatagramsPerWakeup = 64;
constexpr size_t kMaxRedundantKept = 16;

uint64_t random_u64() {
  uint8_t bytes[8];
  stun::crypto::random_bytes(bytes, sizeof bytes);
  uint64_t value = 0;
  for (uint8_t b : bytes)
    value = (value << 8) | b;
  return value;
}

std::string random_ice_chars(size_t count) {
  // RFC 8445 §5.3 / RFC 8839 §5.4: ice-chars, 64 of them, so a byte's low 6 bits pick one evenly.
  static const char kIceChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<uint8_t> bytes(count);
  stun::crypto::random_bytes(bytes.data(), bytes.size());
  std::string out;
  for (uint8_t b : bytes)
    out += kIceChars[b & 63];
  return out;
}

template <typename Rep, typename Period>
long long to_ms(std::chrono::duration<Rep, Period> d) {
  return static_cast<long long>(std::chrono::duration_cast<milliseconds>(d).count());
}

}  // namespace

const char* to_string(IceRole role) {
  return role == IceRole::kControlling ? "controlling" : "controlled";
}

const char* to_string(IceState state) {
  switch (state) {
    case IceState::kNew:
      return "new";
    case IceState::kChecking:
      return "checking";
    case IceState::kConnected:
      return "connected";
    case IceState::kCompleted:
      return "completed";
    case IceState::kDisconnected:
      return "disconnected";
    case IceState::kFailed:
      return "failed";
    case IceState::kClosed:
      return "closed";
  }
  return "?";
}

const char* to_string(PairState state) {
  switch (state) {
    case PairState::kFrozen:
      return "frozen";
    case PairState::kWaiting:
      return "waiting";
    case PairState::kInProgress:
      return "in-progress";
    case PairState::kSucceeded:
      return "succeeded";
    case PairState::kFailed:
      return "failed";
  }
  return "?";
}

IceCredentials random_credentials() {
  return IceCredentials{random_ice_chars(8), random_ice_chars(24)};
}

IceAgent::IceAgent(EventLoop& loop, IceAgentConfig config)
    : loop_(loop), config_(std::move(config)), resolver_(loop), role_(config_.role) {
  local_credentials_ = config_.local_credentials;
  if (local_credentials_.ufrag.empty() || local_credentials_.password.empty()) {
    local_credentials_ = random_credentials();
  }
  tie_breaker_ = random_u64();
}

IceAgent::~IceAgent() {
  close();
}

// ---------------------------------------------------------------------------
// Gathering (RFC 8445 §5.1.1)

Status IceAgent::gather() {
  if (gathering_state_ != GatheringState::kNew || state_ == IceState::kClosed) return {};
  gathering_state_ = GatheringState::kGathering;
  bool relay_only = config_.policy == IceTransportPolicy::kRelay;
  if (relay_only) {
    bool any_turn = false;
    for (const auto& server : config_.servers)
      any_turn = any_turn || server.is_turn();
    if (!any_turn || !config_.relay_factory) {
      gathering_state_ = GatheringState::kComplete;
      return make_error(kErrNoRelay, any_turn ? "no relay_factory" : "no turn: server");
    }
  }
  if (!relay_only) add_host_candidates();
  if (bases_.empty() && !relay_only) {
    gathering_state_ = GatheringState::kComplete;
    return make_error(kErrNoSockets, config_.interfaces.include_loopback ? "" : "(loopback excluded)");
  }
  // Host candidates go out before anything slower (trickle, RFC 8838).
  for (size_t i = 0; i < local_.size() && !stopped(); ++i) {
    if (callbacks_.on_local_candidate) callbacks_.on_local_candidate(local_[i].candidate);
  }
  if (stopped()) return {};
  if (!relay_only) start_server_queries();
  start_relays();
  maybe_finish_gathering();
  maybe_start_checks();
  return {};
}

void IceAgent::add_host_candidates() {
  std::vector<LocalInterfaceAddress> addresses = list_local_addresses(config_.interfaces);
  for (size_t i = 0; i < addresses.size(); ++i) {
    const LocalInterfaceAddress& entry = addresses[i];
    auto socket = UdpSocket::bind(entry.address, config_.port_min, config_.port_max, entry.scope_id);
    if (!socket) {
      LOG_WARN("ice", "no host candidate on %s (%s): %s", entry.address.ip_string().c_str(),
               entry.interface_name.c_str(), socket.error().message().c_str());
      continue;
    }
    size_t base_index = bases_.size();
    Base base;
    base.socket = std::make_unique<UdpSocket>(std::move(*socket));
    base.address = base.socket->local_address();
    base.loopback = entry.loopback;
    Status watched = loop_.add_fd(base.socket->fd(), EPOLLIN,
                                  [this, base_index](uint32_t) { on_socket_readable(base_index); });
    if (!watched) {
      LOG_WARN("ice", "cannot watch socket: %s", watched.error().message().c_str());
      continue;
    }
    bases_.push_back(std::move(base));

    IceCandidate c;
    c.type = CandidateType::kHost;
    c.address = bases_[base_index].address;
    c.priority = candidate_priority(CandidateType::kHost, host_local_preference(c.address, i));
    c.foundation = compute_foundation(CandidateType::kHost, c.address, std::nullopt);
    c.ufrag = local_credentials_.ufrag;
    add_local_candidate(std::move(c), base_index, /*announce=*/false);
  }
}

size_t IceAgent::add_local_candidate(IceCandidate candidate, size_t base, bool announce) {
  size_t index = local_.size();
  local_.push_back(LocalCandidate{std::move(candidate), base});
  const IceCandidate& c = local_.back().candidate;
  LOG_INFO("ice", "local candidate %s", c.to_attribute_value().c_str());
  if (c.type == CandidateType::kHost || c.type == CandidateType::kRelayed) pair_new_local(index);
  if (announce && callbacks_.on_local_candidate) callbacks_.on_local_candidate(local_[index].candidate);
  return index;
}

void IceAgent::start_server_queries() {
  std::vector<IceServerUrl> stun_servers;
  for (const auto& server : config_.servers) {
    if (server.scheme == IceServerScheme::kStun) stun_servers.push_back(server);
    if (server.scheme == IceServerScheme::kStuns) {
      LOG_WARN("ice", "stuns: server %s ignored (STUN over TLS is not implemented)",
               server.to_redacted_string().c_str());
    }
  }
  if (stun_servers.empty()) return;
  server_phase_done_ = false;
  pending_server_queries_ = stun_servers.size();
  gather_timer_ = loop_.add_timer(config_.gather_timeout, [this]() {
    gather_timer_ = 0;
    if (server_phase_done_) return;
    LOG_INFO("ice", "server-reflexive gathering timed out after %lld ms", to_ms(config_.gather_timeout));
    // Late answers would come after end-of-candidates (RFC 8838): stop asking.
    for (auto it = transactions_.begin(); it != transactions_.end();) {
      if (it->second.kind == TransactionKind::kServerBinding) {
        loop_.cancel_timer(it->second.timer);
        it = transactions_.erase(it);
      } else {
        ++it;
      }
    }
    pending_server_queries_ = 0;
    server_phase_done_ = true;
    maybe_finish_gathering();
  });
  for (const auto& server : stun_servers) {
    resolver_.resolve(server.host, server.port, [this, server](Result<std::vector<TransportAddress>> result) {
      on_server_resolved(server, std::move(result));
    });
  }
}

void IceAgent::on_server_resolved(const IceServerUrl& server, Result<std::vector<TransportAddress>> result) {
  if (server_phase_done_ || stopped()) return;
  if (!result) {
    LOG_WARN("ice", "STUN server %s: %s", server.host.c_str(), result.error().message().c_str());
    server_query_done();
    return;
  }
  size_t started = 0;
  for (const auto& address : *result) {
    for (size_t b = 0; b < bases_.size(); ++b) {
      const Base& base = bases_[b];
      if (!base.socket || base.address.family() != address.family()) continue;
      // A loopback socket cannot reach a server elsewhere.
      if (base.loopback && !is_loopback(address)) continue;
      ++pending_server_queries_;
      ++started;
      send_server_binding(b, address);
    }
  }
  if (started == 0)
    LOG_INFO("ice", "STUN server %s: no local socket of its address family", server.host.c_str());
  server_query_done();  // the resolution itself
}

void IceAgent::send_server_binding(size_t base, const TransportAddress& server) {
  stun::TransactionId id = stun::random_transaction_id();
  stun::StunMessageBuilder builder(stun::kMethodBinding, stun::StunClass::kRequest, id);
  builder.add_fingerprint();
  Transaction t;
  t.kind = TransactionKind::kServerBinding;
  t.base = base;
  t.destination = server;
  t.request = std::move(builder).finish();
  t.rto = config_.server_rto;
  start_transaction(std::move(t), id);
}

void IceAgent::handle_server_response(const Transaction& t, const stun::StunMessage& message) {
  if (!message.is_success_response()) {
    auto error = message.error_code();
    LOG_WARN("ice", "STUN server %s answered an error (%d)", t.destination.to_string().c_str(),
             error ? error->code : 0);
    server_query_done();
    return;
  }
  auto mapped = message.xor_mapped_address();
  if (!mapped) mapped = message.mapped_address();
  if (!mapped) {
    stats_.bad_stun_dropped++;
    bad_stun_.hit("Binding response without a mapped address from %s", t.destination.to_string().c_str());
    server_query_done();
    return;
  }
  stats_.srflx_discovered++;
  size_t host = base_candidate_of(t.base);
  IceCandidate c;
  c.type = CandidateType::kServerReflexive;
  c.address = *mapped;
  c.related_address = bases_[t.base].address;
  c.priority =
      candidate_priority(CandidateType::kServerReflexive, (local_[host].candidate.priority >> 8) & 0xffff);
  c.foundation = compute_foundation(CandidateType::kServerReflexive, bases_[t.base].address, t.destination);
  c.ufrag = local_credentials_.ufrag;
  // RFC 8445 §5.1.3: a candidate is redundant if its transport address and
  // base equal those of another candidate (on loopback or without NAT the
  // server-reflexive address is the host address itself).
  bool redundant = false;
  for (const auto& l : local_)
    redundant = redundant || (l.base == t.base && l.candidate.address == *mapped);
  if (redundant) {
    stats_.redundant_candidates++;
    LOG_INFO("ice", "server-reflexive %s equals a local candidate: redundant, dropped",
             mapped->to_string().c_str());
    if (redundant_.size() < kMaxRedundantKept) redundant_.push_back(std::move(c));
  } else {
    add_local_candidate(std::move(c), t.base, /*announce=*/true);
    if (stopped()) return;
  }
  server_query_done();
}

void IceAgent::server_query_done() {
  if (server_phase_done_) return;
  if (pending_server_queries_ > 0) --pending_server_queries_;
  if (pending_server_queries_ == 0) {
    server_phase_done_ = true;
    if (gather_timer_ != 0) loop_.cancel_timer(gather_timer_);
    gather_timer_ = 0;
    maybe_finish_gathering();
  }
}

void IceAgent::start_relays() {
  std::vector<IceServerUrl> turn_servers;
  for (const auto& server : config_.servers) {
    if (server.is_turn()) turn_servers.push_back(server);
  }
  if (turn_servers.empty()) return;
  if (!config_.relay_factory) {
    LOG_WARN("ice", "%zu TURN server(s) configured but no relay implementation: no relayed candidates",
             turn_servers.size());
    return;
  }
  relay_phase_done_ = false;
  pending_relays_ = turn_servers.size();
  relay_timer_ = loop_.add_timer(config_.relay_gather_timeout, [this]() {
    relay_timer_ = 0;
    if (relay_phase_done_) return;
    LOG_INFO("ice", "relayed gathering timed out after %lld ms", to_ms(config_.relay_gather_timeout));
    relay_allocations_.clear();  // cancels the attempts still running
    pending_relays_ = 0;
    relay_phase_done_ = true;
    maybe_finish_gathering();
  });
  for (const auto& server : turn_servers) {
    auto handle = config_.relay_factory(
        loop_, server,
        [this, server](Result<std::unique_ptr<RelayTransport>> r) { on_relay_ready(server, std::move(r)); });
    if (handle) relay_allocations_.push_back(std::move(handle));
    if (stopped()) return;
  }
}

void IceAgent::on_relay_ready(const IceServerUrl& server, Result<std::unique_ptr<RelayTransport>> result) {
  if (relay_phase_done_ || stopped()) {
    if (result) (*result)->close();
    return;
  }
  if (!result) {
    LOG_WARN("ice", "TURN server %s: %s", server.to_redacted_string().c_str(),
             result.error().message().c_str());
    relay_query_done();
    return;
  }
  size_t base_index = bases_.size();
  Base base;
  base.relay = std::move(*result);
  base.address = base.relay->relayed_address();
  base.relay->set_receive_callback([this, base_index](const TransportAddress& peer, BytesView data) {
    if (state_ != IceState::kClosed) handle_datagram(base_index, peer, data);
  });
  IceCandidate c;
  c.type = CandidateType::kRelayed;
  c.address = base.address;
  c.related_address = base.relay->mapped_address();
  c.priority = candidate_priority(CandidateType::kRelayed, 65535 - static_cast<uint32_t>(base_index % 1000));
  c.foundation = compute_foundation(CandidateType::kRelayed, base.address, base.relay->server_address());
  c.ufrag = local_credentials_.ufrag;
  bases_.push_back(std::move(base));
  add_local_candidate(std::move(c), base_index, /*announce=*/true);
  if (stopped()) return;
  relay_query_done();
}

void IceAgent::relay_query_done() {
  if (relay_phase_done_) return;
  if (pending_relays_ > 0) --pending_relays_;
  if (pending_relays_ == 0) {
    relay_phase_done_ = true;
    if (relay_timer_ != 0) loop_.cancel_timer(relay_timer_);
    relay_timer_ = 0;
    maybe_finish_gathering();
  }
}

void IceAgent::maybe_finish_gathering() {
  if (gathering_state_ == GatheringState::kGathering && server_phase_done_ && relay_phase_done_) {
    finish_gathering();
  }
}

void IceAgent::finish_gathering() {
  gathering_state_ = GatheringState::kComplete;
  LOG_INFO("ice", "gathering complete: %zu local candidate(s)", local_.size());
  if (callbacks_.on_gathering_complete) callbacks_.on_gathering_complete();
  if (!stopped()) check_all_failed();
}

std::vector<IceCandidate> IceAgent::local_candidates() const {
  std::vector<IceCandidate> out;
  for (const auto& l : local_) {
    // Local peer-reflexive candidates are learnt, never signalled (RFC 8445 §7.2.5.3.1).
    if (l.candidate.type != CandidateType::kPeerReflexive) out.push_back(l.candidate);
  }
  return out;
}

std::vector<TransportAddress> IceAgent::socket_addresses() const {
  std::vector<TransportAddress> out;
  for (const auto& b : bases_) {
    if (b.socket) out.push_back(b.address);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Remote side

void IceAgent::set_remote_credentials(const std::string& ufrag, const std::string& password) {
  remote_credentials_ = IceCredentials{ufrag, password};
  remote_credentials_known_ = true;
  for (auto& r : remote_) {
    if (r.type == CandidateType::kPeerReflexive && r.ufrag.empty()) r.ufrag = ufrag;
  }
  maybe_start_checks();
}

Status IceAgent::add_remote_candidate(const IceCandidate& candidate) {
  if (state_ == IceState::kClosed) return {};
  if (!candidate.is_udp() || candidate.component != kComponentRtp) {
    LOG_INFO("ice", "remote candidate ignored (transport %s, component %u)", candidate.transport.c_str(),
             candidate.component);
    return {};
  }
  if (!candidate.ufrag.empty() && remote_credentials_known_ && candidate.ufrag != remote_credentials_.ufrag) {
    return make_error(kErrWrongUfrag, candidate.ufrag + " != " + remote_credentials_.ufrag);
  }
  if (candidate.is_resolved()) {
    if (auto existing = find_remote(candidate.address)) {
      IceCandidate& r = remote_[*existing];
      // A trickled candidate we already learnt as peer-reflexive: the
      // signalled one (Trickle ICE, RFC 8838) brings its real type,
      // priority and foundation.
      if (r.type == CandidateType::kPeerReflexive && candidate.type != CandidateType::kPeerReflexive) {
        r = candidate;
        for (auto& p : pairs_) {
          if (p.remote == *existing) p.foundation = local_[p.local].candidate.foundation + ":" + r.foundation;
        }
        recompute_pair_priorities();
        update_selected();
      }
      return {};
    }
  }
  if (remote_.size() >= kMaxRemoteCandidates) return make_error(kErrTooManyCandidates);
  remote_.push_back(candidate);
  if (!candidate.is_resolved()) {
    LOG_INFO("ice",
             "remote candidate %s kept unresolved (mDNS is not resolved; expecting a peer-reflexive check)",
             candidate.hostname.c_str());
    return {};
  }
  pair_new_remote(remote_.size() - 1);
  return {};
}

void IceAgent::set_remote_end_of_candidates() {
  remote_end_of_candidates_ = true;
  check_all_failed();
}

std::vector<IceCandidate> IceAgent::remote_candidates() const {
  return remote_;
}

// ---------------------------------------------------------------------------
// Check list (RFC 8445 §6.1.2)

size_t IceAgent::base_candidate_of(size_t base) const {
  for (size_t i = 0; i < local_.size(); ++i) {
    if (local_[i].base == base && (local_[i].candidate.type == CandidateType::kHost ||
                                   local_[i].candidate.type == CandidateType::kRelayed)) {
      return i;
    }
  }
  return 0;  // every base gets its host or relayed candidate when created
}

std::optional<size_t> IceAgent::find_remote(const TransportAddress& address) const {
  for (size_t i = 0; i < remote_.size(); ++i) {
    if (remote_[i].is_resolved() && remote_[i].address == address) return i;
  }
  return std::nullopt;
}

std::optional<size_t> IceAgent::find_pair(size_t base, const TransportAddress& remote_address) const {
  for (size_t i = 0; i < pairs_.size(); ++i) {
    if (local_[pairs_[i].local].base == base && remote_[pairs_[i].remote].address == remote_address) return i;
  }
  return std::nullopt;
}

void IceAgent::pair_new_local(size_t local) {
  for (size_t r = 0; r < remote_.size(); ++r) {
    if (remote_[r].is_resolved() && remote_[r].address.family() == local_[local].candidate.address.family()) {
      add_pair(local, r);
    }
  }
}

void IceAgent::pair_new_remote(size_t remote) {
  // §6.1.2.4: a server-reflexive local candidate is replaced by its base,
  // which is the host candidate already paired here: pairs use host and
  // relayed candidates only.
  for (size_t l = 0; l < local_.size(); ++l) {
    CandidateType type = local_[l].candidate.type;
    if (type != CandidateType::kHost && type != CandidateType::kRelayed) continue;
    if (local_[l].candidate.address.family() != remote_[remote].address.family()) continue;
    add_pair(l, remote);
  }
}

uint32_t IceAgent::controlling_priority(const Pair& pair) const {
  return role_ == IceRole::kControlling ? local_[pair.local].candidate.priority
                                        : remote_[pair.remote].priority;
}

void IceAgent::recompute_pair_priorities() {
  for (auto& p : pairs_) {
    uint32_t local = local_[p.local].candidate.priority;
    uint32_t remote = remote_[p.remote].priority;
    p.priority = role_ == IceRole::kControlling ? pair_priority(local, remote) : pair_priority(remote, local);
  }
}

size_t IceAgent::add_pair(size_t local, size_t remote) {
  size_t base = local_[local].base;
  if (auto existing = find_pair(base, remote_[remote].address)) return *existing;
  if (pairs_.size() >= kMaxPairs) return SIZE_MAX;
  Pair p;
  p.local = local;
  p.remote = remote;
  p.valid_local = local;
  p.foundation = local_[local].candidate.foundation + ":" + remote_[remote].foundation;
  uint32_t lp = local_[local].candidate.priority;
  uint32_t rp = remote_[remote].priority;
  p.priority = role_ == IceRole::kControlling ? pair_priority(lp, rp) : pair_priority(rp, lp);
  // §6.1.2.6: one pair per foundation starts Waiting, the others Frozen.
  bool foundation_active = false;
  for (const auto& other : pairs_) {
    foundation_active =
        foundation_active || (other.foundation == p.foundation &&
                              (other.state == PairState::kWaiting || other.state == PairState::kInProgress));
  }
  p.state = foundation_active ? PairState::kFrozen : PairState::kWaiting;
  pairs_.push_back(p);
  if (bases_[base].relay) bases_[base].relay->create_permission(remote_[remote].address);
  ensure_check_timer();
  return pairs_.size() - 1;
}

void IceAgent::maybe_start_checks() {
  if (checks_started_ || stopped() || !remote_credentials_known_ || gathering_state_ == GatheringState::kNew)
    return;
  checks_started_ = true;
  if (state_ == IceState::kNew) set_state(IceState::kChecking);
  if (stopped()) return;
  connect_timer_ = loop_.add_timer(config_.connect_timeout, [this]() {
    connect_timer_ = 0;
    bool any_valid = false;
    for (const auto& p : pairs_)
      any_valid = any_valid || p.valid;
    if (!any_valid)
      fail("no candidate pair succeeded within " + std::to_string(to_ms(config_.connect_timeout)) + " ms");
  });
  ensure_check_timer();
}

void IceAgent::ensure_check_timer() {
  if (check_timer_ != 0 || !checks_started_ || stopped()) return;
  check_timer_ = loop_.add_periodic(config_.check_pacing, [this]() { on_check_tick(); });
}

void IceAgent::unfreeze_foundation(const std::string& foundation) {
  for (auto& p : pairs_) {
    if (p.state == PairState::kFrozen && p.foundation == foundation) p.state = PairState::kWaiting;
  }
}

// RFC 8445 §6.1.4.2: every Ta, a triggered check if one is queued, else the
// highest-priority Waiting pair, else unfreeze a Frozen one.
void IceAgent::on_check_tick() {
  if (stopped()) return;
  while (!triggered_.empty()) {
    Triggered t = triggered_.front();
    triggered_.pop_front();
    Pair& p = pairs_[t.pair];
    if (!t.use_candidate && (p.state == PairState::kSucceeded || p.state == PairState::kInProgress)) continue;
    send_check(t.pair, t.use_candidate);
    return;
  }
  bool nominated = false;
  for (const auto& p : pairs_)
    nominated = nominated || p.nominated;
  if (!nominated) {
    std::optional<size_t> best;
    for (size_t i = 0; i < pairs_.size(); ++i) {
      if (pairs_[i].state == PairState::kWaiting && (!best || pairs_[i].priority > pairs_[*best].priority))
        best = i;
    }
    if (!best) {
      for (size_t i = 0; i < pairs_.size(); ++i) {
        if (pairs_[i].state != PairState::kFrozen) continue;
        bool foundation_busy = false;
        for (const auto& other : pairs_) {
          foundation_busy = foundation_busy ||
                            (other.foundation == pairs_[i].foundation &&
                             (other.state == PairState::kWaiting || other.state == PairState::kInProgress));
        }
        if (!foundation_busy && (!best || pairs_[i].priority > pairs_[*best].priority)) best = i;
      }
    }
    if (best) {
      send_check(*best, false);
      return;
    }
  }
  // Nothing to send this Ta.
  bool busy = false;
  bool any_valid = false;
  for (const auto& p : pairs_) {
    busy = busy || p.state == PairState::kInProgress || p.state == PairState::kFrozen ||
           p.state == PairState::kWaiting;
    any_valid = any_valid || p.valid;
  }
  if (role_ == IceRole::kControlling && !nominated && !busy && any_valid) nominate();
  if (stopped()) return;
  if (triggered_.empty()) {
    bool waiting = false;
    for (const auto& p : pairs_)
      waiting = waiting || (!nominated && (p.state == PairState::kWaiting || p.state == PairState::kFrozen));
    if (!waiting) {
      loop_.cancel_timer(check_timer_);
      check_timer_ = 0;
    }
  }
}

Duration IceAgent::check_rto() const {
  size_t active = 0;
  for (const auto& p : pairs_)
    active += (p.state == PairState::kWaiting || p.state == PairState::kInProgress) ? 1 : 0;
  Duration rto = config_.check_pacing * static_cast<int>(active);
  // Clamped to the max too, so that retransmissions never come sooner than the first.
  return std::min<Duration>(std::max<Duration>(rto, config_.check_rto_min), config_.check_rto_max);
}

std::vector<uint8_t> IceAgent::build_check(const stun::TransactionId& id, size_t pair, bool use_candidate,
                                           uint32_t& priority_sent) const {
  const Pair& p = pairs_[pair];
  // §7.1.1: PRIORITY is what a peer-reflexive candidate learnt from this
  // check would get: the prflx type preference with our local preference.
  priority_sent =
      candidate_priority(CandidateType::kPeerReflexive, (local_[p.local].candidate.priority >> 8) & 0xffff);
  stun::StunMessageBuilder b(stun::kMethodBinding, stun::StunClass::kRequest, id);
  // §7.2.2: USERNAME is "remote ufrag:local ufrag".
  b.add_username(remote_credentials_.ufrag + ":" + local_credentials_.ufrag);
  b.add_priority(priority_sent);
  if (role_ == IceRole::kControlling) {
    b.add_ice_controlling(tie_breaker_);
    if (use_candidate) b.add_use_candidate();
  } else {
    b.add_ice_controlled(tie_breaker_);
  }
  b.add_message_integrity(stun::short_term_key(remote_credentials_.password));
  b.add_fingerprint();
  return std::move(b).finish();
}

bool IceAgent::send_check(size_t pair, bool use_candidate) {
  Pair& p = pairs_[pair];
  stun::TransactionId id = stun::random_transaction_id();
  Transaction t;
  t.kind = TransactionKind::kCheck;
  t.base = local_[p.local].base;
  t.destination = remote_[p.remote].address;
  t.pair = pair;
  t.use_candidate = use_candidate && role_ == IceRole::kControlling;
  t.role = role_;
  t.request = build_check(id, pair, t.use_candidate, t.priority_sent);
  t.rto = check_rto();
  if (p.state != PairState::kSucceeded) p.state = PairState::kInProgress;
  if (t.use_candidate) p.nomination_in_flight = true;
  start_transaction(std::move(t), id);
  return true;
}

// ---------------------------------------------------------------------------
// STUN transactions (RFC 8489 §6.2.1 retransmission)

void IceAgent::start_transaction(Transaction t, const stun::TransactionId& id) {
  t.transmissions = 0;
  auto inserted = transactions_.emplace(id, std::move(t));
  Transaction& stored = inserted.first->second;
  transmit(stored);
  Duration wait = stored.kind == TransactionKind::kConsent ? config_.consent_timeout : stored.rto;
  stored.timer = loop_.add_timer(wait, [this, id]() { on_transaction_timer(id); });
}

void IceAgent::transmit(Transaction& t) {
  t.transmissions++;
  t.sent_at = Clock::now();
  if (t.kind == TransactionKind::kCheck) stats_.checks_sent++;
  if (t.kind == TransactionKind::kConsent) stats_.consent_requests_sent++;
  send_from_base(t.base, t.destination, BytesView(t.request));
}

void IceAgent::on_transaction_timer(const stun::TransactionId& id) {
  auto it = transactions_.find(id);
  if (it == transactions_.end()) return;
  Transaction& t = it->second;
  unsigned max_transmissions = t.kind == TransactionKind::kServerBinding ? config_.server_max_transmissions
                               : t.kind == TransactionKind::kCheck       ? config_.max_check_transmissions
                                                                         : 1;
  if (t.transmissions < max_transmissions && !stopped()) {
    t.rto =
        t.kind == TransactionKind::kCheck ? std::min<Duration>(t.rto * 2, config_.check_rto_max) : t.rto * 2;
    transmit(t);
    t.timer = loop_.add_timer(t.rto, [this, id]() { on_transaction_timer(id); });
    return;
  }
  Transaction done = std::move(t);
  transactions_.erase(it);
  switch (done.kind) {
    case TransactionKind::kServerBinding:
      LOG_INFO("ice", "STUN server %s did not answer", done.destination.to_string().c_str());
      server_query_done();
      break;
    case TransactionKind::kCheck: {
      Pair& p = pairs_[done.pair];
      if (done.use_candidate) p.nomination_in_flight = false;
      // Another transaction for the same pair may still be running.
      bool other_running = false;
      for (const auto& entry : transactions_) {
        other_running =
            other_running || (entry.second.kind == TransactionKind::kCheck && entry.second.pair == done.pair);
      }
      if (p.state == PairState::kInProgress && !other_running) {
        LOG_INFO("ice", "check %s -> %s timed out", bases_[done.base].address.to_string().c_str(),
                 done.destination.to_string().c_str());
        on_pair_failed(done.pair);
      } else if (done.use_candidate && !stopped()) {
        nominate();  // the nominating check got no answer: try again
      }
      break;
    }
    case TransactionKind::kConsent:
      break;
  }
}

bool IceAgent::send_from_base(size_t base, const TransportAddress& destination, BytesView data) {
  if (base >= bases_.size()) return false;
  Base& b = bases_[base];
  if (b.socket) return b.socket->send_to(destination, data);
  if (b.relay) return b.relay->send_to(destination, data);
  return false;
}

// ---------------------------------------------------------------------------
// Input

void IceAgent::on_socket_readable(size_t base) {
  // One buffer per thread, shared by every agent of that loop: reads do not
  // nest (callbacks never read sockets), and 64 KiB per viewer would add up.
  thread_local std::vector<uint8_t> buffer(kReceiveBufferSize);
  for (size_t i = 0; i < kMaxDatagramsPerWakeup && state_ != IceState::kClosed; ++i) {
    TransportAddress source;
    ssize_t n = bases_[base].socket->receive_from(buffer.data(), buffer.size(), source);
    if (n < 0) return;
    if (static_cast<size_t>(n) > buffer.size()) {
      stats_.unknown_source_dropped++;
      unknown_source_.hit("datagram of %zd bytes truncated", n);
      continue;
    }
    handle_datagram(base, source, BytesView(buffer.data(), static_cast<size_t>(n)));
  }
}

void IceAgent::handle_datagram(size_t base, const TransportAddress& source, BytesView data) {
  if (stopped()) return;
  // RFC 7983 §7: a first byte of 0..3 is STUN.
  if (!data.empty() && data[0] <= 3) {
    handle_stun(base, source, data);
  } else {
    handle_data(base, source, data);
  }
}

void IceAgent::handle_stun(size_t base, const TransportAddress& source, BytesView data) {
  if (!stun::looks_like_stun(data)) {
    stats_.bad_stun_dropped++;
    bad_stun_.hit("%zu bytes from %s: no STUN header", data.size(), source.to_string().c_str());
    return;
  }
  auto message = stun::StunMessage::parse(data);
  if (!message) {
    stats_.bad_stun_dropped++;
    bad_stun_.hit("from %s: %s", source.to_string().c_str(), message.error().message().c_str());
    return;
  }
  if (message->has(stun::kAttrFingerprint) && stun::check_fingerprint(data) != stun::IntegrityCheck::kOk) {
    stats_.bad_stun_dropped++;
    bad_stun_.hit("from %s: bad FINGERPRINT", source.to_string().c_str());
    return;
  }
  if (message->method() != stun::kMethodBinding) {
    stats_.bad_stun_dropped++;
    bad_stun_.hit("from %s: method %s is not Binding", source.to_string().c_str(),
                  stun::method_name(message->method()));
    return;
  }
  if (message->is_request()) {
    handle_request(base, source, data, *message);
  } else if (message->is_response()) {
    handle_response(base, source, data, *message);
  }
  // Binding indications are keepalives (RFC 8445 §11): nothing to do.
}

void IceAgent::send_error_response(size_t base, const TransportAddress& destination,
                                   const stun::StunMessage& request, int code, bool with_integrity) {
  stun::StunMessageBuilder b(stun::kMethodBinding, stun::StunClass::kErrorResponse, request.transaction_id());
  b.add_error_code(code);
  if (with_integrity) b.add_message_integrity(stun::short_term_key(local_credentials_.password));
  b.add_fingerprint();
  send_from_base(base, destination, b.bytes());
}

// RFC 8445 §7.3: answering a connectivity check.
void IceAgent::handle_request(size_t base, const TransportAddress& source, BytesView data,
                              const stun::StunMessage& m) {
  auto username = m.username();
  if (!username || !m.has(stun::kAttrMessageIntegrity)) {
    // RFC 8489 §9.1.3: no USERNAME or MESSAGE-INTEGRITY -> 400.
    stats_.bad_requests++;
    send_error_response(base, source, m, stun::kErrorBadRequest, false);
    return;
  }
  std::string_view name = *username;
  size_t colon = name.find(':');
  std::string_view to_ufrag = name.substr(0, colon);
  std::string_view from_ufrag = colon == std::string_view::npos ? std::string_view() : name.substr(colon + 1);
  if (to_ufrag != local_credentials_.ufrag ||
      stun::check_integrity(data, stun::short_term_key(local_credentials_.password)) !=
          stun::IntegrityCheck::kOk) {
    // RFC 8489 §9.1.3: unknown username or wrong integrity -> 401, without integrity.
    stats_.unauthorized_checks++;
    unauthorized_.hit("from %s, USERNAME '%.*s'", source.to_string().c_str(), static_cast<int>(name.size()),
                      name.data());
    send_error_response(base, source, m, stun::kErrorUnauthorized, false);
    return;
  }
  auto priority = m.priority();
  if (!priority) {
    stats_.bad_requests++;
    send_error_response(base, source, m, stun::kErrorBadRequest, true);
    return;
  }

  // §7.3.1.1 role conflict.
  auto controlling = m.ice_controlling();
  auto controlled = m.ice_controlled();
  if (role_ == IceRole::kControlling && controlling.ok()) {
    stats_.role_conflicts++;
    if (tie_breaker_ >= *controlling) {
      send_error_response(base, source, m, stun::kErrorRoleConflict, true);
      return;
    }
    switch_role(IceRole::kControlled);
  } else if (role_ == IceRole::kControlled && controlled.ok()) {
    stats_.role_conflicts++;
    if (tie_breaker_ >= *controlled) {
      switch_role(IceRole::kControlling);
    } else {
      send_error_response(base, source, m, stun::kErrorRoleConflict, true);
      return;
    }
  }

  // §7.3.1.2: the success response.
  stun::StunMessageBuilder b(stun::kMethodBinding, stun::StunClass::kSuccessResponse, m.transaction_id());
  b.add_xor_mapped_address(source);
  b.add_message_integrity(stun::short_term_key(local_credentials_.password));
  b.add_fingerprint();
  send_from_base(base, source, b.bytes());
  stats_.checks_received++;

  // §7.3.1.3: a check from an address we do not know teaches us a
  // peer-reflexive remote candidate (the browser on loopback or behind
  // mDNS arrives this way).
  std::optional<size_t> remote = find_remote(source);
  if (!remote) {
    if (remote_.size() >= kMaxRemoteCandidates) return;
    IceCandidate c;
    c.type = CandidateType::kPeerReflexive;
    c.address = source;
    c.priority = *priority;
    c.foundation = "prflx" + std::to_string(next_prflx_foundation_++);
    c.ufrag = std::string(from_ufrag);
    remote_.push_back(c);
    remote = remote_.size() - 1;
    stats_.prflx_remote_learned++;
    LOG_INFO("ice", "peer-reflexive remote candidate %s learnt from a check", source.to_string().c_str());
  }
  std::optional<size_t> pair = find_pair(base, source);
  if (!pair) {
    size_t added = add_pair(base_candidate_of(base), *remote);
    if (added == SIZE_MAX) return;
    pair = added;
  }
  Pair& p = pairs_[*pair];
  p.remote_authenticated = true;

  // §7.3.1.4 triggered check.
  if (p.state == PairState::kWaiting || p.state == PairState::kFrozen || p.state == PairState::kFailed) {
    p.state = PairState::kWaiting;
    bool queued = false;
    for (const auto& t : triggered_)
      queued = queued || (t.pair == *pair && !t.use_candidate);
    if (!queued) triggered_.push_back(Triggered{*pair, false});
  }
  // §7.3.1.5 nomination by the controlling peer.
  if (role_ == IceRole::kControlled && m.use_candidate()) {
    if (p.state == PairState::kSucceeded) {
      if (!p.nominated) set_nominated(*pair);
    } else {
      p.nominate_on_success = true;
    }
  }
  ensure_check_timer();
}

void IceAgent::handle_response(size_t base, const TransportAddress& source, BytesView data,
                               const stun::StunMessage& m) {
  auto it = transactions_.find(m.transaction_id());
  if (it == transactions_.end()) {
    // Late retransmission answers, or a stranger: harmless either way.
    return;
  }
  Transaction& t = it->second;
  if (t.kind == TransactionKind::kServerBinding) {
    if (source != t.destination || base != t.base) return;
    Transaction done = std::move(t);
    loop_.cancel_timer(done.timer);
    transactions_.erase(it);
    handle_server_response(done, m);
    return;
  }
  // Check and consent responses carry MESSAGE-INTEGRITY with the password we
  // used (the peer's); 400 and 401 answers cannot (§7.3, RFC 8489 §9.1.3).
  bool authenticated = stun::check_integrity(data, stun::short_term_key(remote_credentials_.password)) ==
                       stun::IntegrityCheck::kOk;
  int error = 0;
  if (m.is_error_response()) {
    auto code = m.error_code();
    error = code ? code->code : stun::kErrorBadRequest;
  }
  if (!authenticated && error != stun::kErrorUnauthorized && error != stun::kErrorBadRequest) {
    stats_.bad_stun_dropped++;
    bad_stun_.hit("response from %s fails MESSAGE-INTEGRITY", source.to_string().c_str());
    return;
  }
  Transaction done = std::move(t);
  loop_.cancel_timer(done.timer);
  transactions_.erase(it);
  if (done.kind == TransactionKind::kConsent) {
    if (!m.is_success_response()) return;
    handle_consent_response(done, source);
    return;
  }
  if (base != done.base || source != done.destination) {
    // §7.2.5.2.1: the addresses must be symmetric.
    LOG_INFO("ice", "check response from %s, sent to %s: not symmetric", source.to_string().c_str(),
             done.destination.to_string().c_str());
    if (done.use_candidate) pairs_[done.pair].nomination_in_flight = false;
    on_pair_failed(done.pair);
    return;
  }
  handle_check_response(done, base, source, m);
}

void IceAgent::handle_check_response(const Transaction& t, size_t base, const TransportAddress& source,
                                     const stun::StunMessage& m) {
  (void)source;
  Pair& p = pairs_[t.pair];
  if (t.use_candidate) p.nomination_in_flight = false;
  if (m.is_error_response()) {
    auto code = m.error_code();
    int error = code ? code->code : 0;
    if (error == stun::kErrorRoleConflict) {
      // §7.2.5.1: take the role opposite to the one the check claimed, and retry.
      stats_.role_conflicts++;
      IceRole wanted = t.role == IceRole::kControlling ? IceRole::kControlled : IceRole::kControlling;
      if (role_ != wanted) switch_role(wanted);
      if (p.state != PairState::kSucceeded) p.state = PairState::kWaiting;
      triggered_.push_back(Triggered{t.pair, false});
      ensure_check_timer();
      return;
    }
    if (error == stun::kErrorUnauthorized) stats_.unauthorized_responses++;
    LOG_INFO("ice", "check to %s answered %d", t.destination.to_string().c_str(), error);
    on_pair_failed(t.pair);
    return;
  }
  auto mapped = m.xor_mapped_address();
  if (!mapped) {
    stats_.bad_stun_dropped++;
    bad_stun_.hit("check response without XOR-MAPPED-ADDRESS from %s", t.destination.to_string().c_str());
    on_pair_failed(t.pair);
    return;
  }
  stats_.check_successes++;
  // §7.2.5.3.1: the mapped address names the local candidate of the valid
  // pair; an unknown one is a local peer-reflexive candidate.
  std::optional<size_t> valid_local;
  for (size_t i = 0; i < local_.size(); ++i) {
    if (local_[i].base == base && local_[i].candidate.address == *mapped) valid_local = i;
  }
  if (!valid_local) {
    IceCandidate c;
    c.type = CandidateType::kPeerReflexive;
    c.address = *mapped;
    c.related_address = bases_[base].address;
    c.priority = t.priority_sent;
    c.foundation = compute_foundation(CandidateType::kPeerReflexive, bases_[base].address, std::nullopt);
    c.ufrag = local_credentials_.ufrag;
    valid_local = add_local_candidate(std::move(c), base, /*announce=*/false);
    stats_.prflx_local_learned++;
  }
  Pair& pair = pairs_[t.pair];
  pair.valid_local = *valid_local;
  pair.state = PairState::kSucceeded;
  pair.valid = true;
  if (selected_ && *selected_ == t.pair) last_consent_ = Clock::now();
  if (t.use_candidate || (role_ == IceRole::kControlled && pair.nominate_on_success)) {
    set_nominated(t.pair);
    if (stopped()) return;
  }
  on_pair_succeeded(t.pair);
}

void IceAgent::handle_consent_response(const Transaction& t, const TransportAddress& source) {
  if (!selected_) return;
  const Pair& p = pairs_[*selected_];
  if (local_[p.local].base != t.base || remote_[p.remote].address != source) return;
  stats_.consent_responses++;
  last_consent_ = Clock::now();
  if (state_ == IceState::kDisconnected) set_state(p.nominated ? IceState::kCompleted : IceState::kConnected);
}

void IceAgent::handle_data(size_t base, const TransportAddress& source, BytesView data) {
  bool known = false;
  if (selected_) {
    const Pair& s = pairs_[*selected_];
    known = local_[s.local].base == base && remote_[s.remote].address == source;
  }
  if (!known) {
    // Accepted from any pair the peer proved to own: valid (our check
    // succeeded) or authenticated (its check reached us with our password).
    for (const auto& p : pairs_) {
      if ((p.valid || p.remote_authenticated) && local_[p.local].base == base &&
          remote_[p.remote].address == source) {
        known = true;
        break;
      }
    }
  }
  if (!known) {
    stats_.unknown_source_dropped++;
    unknown_source_.hit("%zu bytes from %s", data.size(), source.to_string().c_str());
    return;
  }
  stats_.data_packets_received++;
  stats_.data_bytes_received += data.size();
  if (callbacks_.on_data) callbacks_.on_data(data);
}

// ---------------------------------------------------------------------------
// Success, failure, nomination (RFC 8445 §7.2.5.3, §8)

void IceAgent::on_pair_succeeded(size_t pair) {
  // §7.2.5.3.3: unfreeze the pairs that share the foundation.
  unfreeze_foundation(pairs_[pair].foundation);
  update_selected();
  if (stopped()) return;
  if (role_ == IceRole::kControlling && !nomination_started_) {
    nomination_started_ = true;
    nomination_timer_ = loop_.add_timer(config_.nomination_delay, [this]() {
      nomination_timer_ = 0;
      nominate();
    });
  }
  ensure_check_timer();
}

void IceAgent::on_pair_failed(size_t pair) {
  Pair& p = pairs_[pair];
  if (p.state != PairState::kSucceeded) p.state = PairState::kFailed;
  bool was_nominating = p.nomination_in_flight;
  p.nomination_in_flight = false;
  if (selected_ && *selected_ == pair && !p.nominated) {
    // A pair that stopped answering is no longer a candidate for selection.
    p.valid = false;
    selected_.reset();
    update_selected();
    if (stopped()) return;
  }
  if (was_nominating) nominate();
  check_all_failed();
}

void IceAgent::nominate() {
  if (stopped() || role_ != IceRole::kControlling) return;
  std::optional<size_t> best;
  for (size_t i = 0; i < pairs_.size(); ++i) {
    const Pair& p = pairs_[i];
    if (p.nominated || p.nomination_in_flight) return;  // done or under way
    if (p.valid && p.state == PairState::kSucceeded && (!best || p.priority > pairs_[*best].priority))
      best = i;
  }
  if (!best) return;
  LOG_INFO("ice", "nominating %s -> %s",
           local_[pairs_[*best].valid_local].candidate.address.to_string().c_str(),
           remote_[pairs_[*best].remote].address.to_string().c_str());
  pairs_[*best].nomination_in_flight = true;
  triggered_.push_front(Triggered{*best, true});
  ensure_check_timer();
}

void IceAgent::set_nominated(size_t pair) {
  Pair& p = pairs_[pair];
  p.nominated = true;
  p.nominate_on_success = false;
  LOG_INFO("ice", "pair nominated (%s): %s -> %s", to_string(role_),
           local_[p.valid_local].candidate.address.to_string().c_str(),
           remote_[p.remote].address.to_string().c_str());
  // §8.1.2: stop checking the rest (triggered checks still answer the peer).
  if (nomination_timer_ != 0) loop_.cancel_timer(nomination_timer_);
  nomination_timer_ = 0;
  if (connect_timer_ != 0) loop_.cancel_timer(connect_timer_);
  connect_timer_ = 0;
  select_pair(pair);
  if (stopped()) return;
  if (state_ != IceState::kDisconnected) set_state(IceState::kCompleted);
}

void IceAgent::update_selected() {
  if (selected_ && pairs_[*selected_].nominated) return;
  std::optional<size_t> best;
  for (size_t i = 0; i < pairs_.size(); ++i) {
    const Pair& p = pairs_[i];
    if (p.nominated) {
      best = i;
      break;
    }
    if (p.valid && (!best || p.priority > pairs_[*best].priority)) best = i;
  }
  if (!best) return;
  select_pair(*best);
  if (stopped()) return;
  if (state_ == IceState::kNew || state_ == IceState::kChecking) set_state(IceState::kConnected);
}

void IceAgent::select_pair(size_t pair) {
  if (selected_ && *selected_ == pair) return;
  bool first = !selected_;
  selected_ = pair;
  last_consent_ = Clock::now();
  IcePairInfo info = pair_info(pair);
  LOG_INFO("ice", "selected pair %s %s -> %s %s", std::string(candidate_type_name(info.local.type)).c_str(),
           info.local.address.to_string().c_str(), std::string(candidate_type_name(info.remote.type)).c_str(),
           info.remote.address.to_string().c_str());
  if (first) schedule_consent();
  if (callbacks_.on_selected_pair) callbacks_.on_selected_pair(info);
}

IcePairInfo IceAgent::pair_info(size_t pair) const {
  const Pair& p = pairs_[pair];
  IcePairInfo info;
  info.local = local_[p.valid_local].candidate;
  info.remote = remote_[p.remote];
  info.nominated = p.nominated;
  return info;
}

std::optional<IcePairInfo> IceAgent::selected_pair() const {
  if (!selected_) return std::nullopt;
  return pair_info(*selected_);
}

std::vector<IcePairSnapshot> IceAgent::check_list() const {
  std::vector<IcePairSnapshot> out;
  for (const auto& p : pairs_) {
    IcePairSnapshot s;
    s.local = local_[p.valid_local].candidate;
    s.remote = remote_[p.remote];
    s.state = p.state;
    s.priority = p.priority;
    s.valid = p.valid;
    s.nominated = p.nominated;
    out.push_back(s);
  }
  std::sort(out.begin(), out.end(),
            [](const IcePairSnapshot& a, const IcePairSnapshot& b) { return a.priority > b.priority; });
  return out;
}

void IceAgent::check_all_failed() {
  if (stopped() || !checks_started_ || !remote_end_of_candidates_ ||
      gathering_state_ != GatheringState::kComplete || pairs_.empty() || !triggered_.empty()) {
    return;
  }
  for (const auto& p : pairs_) {
    if (p.valid || p.state != PairState::kFailed) return;
  }
  fail("all " + std::to_string(pairs_.size()) + " candidate pairs failed");
}

void IceAgent::switch_role(IceRole role) {
  if (role_ == role) return;
  LOG_INFO("ice", "role conflict: switching to %s", to_string(role));
  role_ = role;
  recompute_pair_priorities();
  if (role_ == IceRole::kControlled) {
    if (nomination_timer_ != 0) loop_.cancel_timer(nomination_timer_);
    nomination_timer_ = 0;
    nomination_started_ = false;
    for (auto& p : pairs_)
      p.nomination_in_flight = false;
  } else {
    bool any_valid = false;
    for (const auto& p : pairs_)
      any_valid = any_valid || p.valid;
    if (any_valid && !nomination_started_) {
      nomination_started_ = true;
      nomination_timer_ = loop_.add_timer(config_.nomination_delay, [this]() {
        nomination_timer_ = 0;
        nominate();
      });
    }
  }
}

// ---------------------------------------------------------------------------
// Consent freshness (RFC 7675)

void IceAgent::schedule_consent() {
  if (consent_timer_ != 0 || stopped()) return;
  // RFC 7675 §5.1: randomised interval, 0.8-1.2 times the base.
  uint8_t jitter = 0;
  stun::crypto::random_bytes(&jitter, 1);
  Duration next = config_.consent_interval * 4 / 5 + config_.consent_interval * 2 / 5 * jitter / 255;
  // Never sleep past the expiry deadline: it must be noticed on time.
  Duration until_expiry = last_consent_ + config_.consent_timeout - Clock::now();
  if (until_expiry > Duration::zero() && until_expiry < next) next = until_expiry + milliseconds(1);
  consent_timer_ = loop_.add_timer(next, [this]() {
    consent_timer_ = 0;
    on_consent_tick();
  });
}

void IceAgent::on_consent_tick() {
  if (stopped() || !selected_) return;
  Duration silence = Clock::now() - last_consent_;
  if (silence >= config_.consent_timeout) {
    fail("consent expired: no response for " + std::to_string(to_ms(silence)) + " ms");
    return;
  }
  if (silence >= config_.disconnected_timeout && state_ != IceState::kDisconnected) {
    set_state(IceState::kDisconnected, "no consent response for " + std::to_string(to_ms(silence)) + " ms");
    if (stopped()) return;
  }
  // A new transaction each time (RFC 7675 §5.1). Not retransmitted: the
  // next interval's request is the retry.
  stun::TransactionId id = stun::random_transaction_id();
  Transaction t;
  t.kind = TransactionKind::kConsent;
  const Pair& p = pairs_[*selected_];
  t.base = local_[p.local].base;
  t.destination = remote_[p.remote].address;
  t.pair = *selected_;
  t.role = role_;
  t.request = build_check(id, *selected_, false, t.priority_sent);
  start_transaction(std::move(t), id);
  schedule_consent();
}

// ---------------------------------------------------------------------------
// Output and lifecycle

bool IceAgent::send(BytesView data) {
  if (!selected_ || stopped()) return false;
  const Pair& p = pairs_[*selected_];
  if (!send_from_base(local_[p.local].base, remote_[p.remote].address, data)) return false;
  stats_.data_packets_sent++;
  stats_.data_bytes_sent += data.size();
  return true;
}

size_t IceAgent::send_batch(const BytesView* datagrams, size_t count) {
  if (!selected_ || stopped() || count == 0) return 0;
  const Pair& p = pairs_[*selected_];
  const size_t base = local_[p.local].base;
  if (base >= bases_.size()) return 0;
  const TransportAddress& destination = remote_[p.remote].address;
  size_t sent = 0;
  uint64_t bytes = 0;
  if (bases_[base].socket) {
    sent = bases_[base].socket->send_batch_to(destination, datagrams, count, bytes);
  } else {
    // A relay wraps each datagram (ChannelData / Send indication) itself.
    for (size_t i = 0; i < count; ++i) {
      if (!send_from_base(base, destination, datagrams[i])) continue;
      ++sent;
      bytes += datagrams[i].size();
    }
  }
  stats_.data_packets_sent += sent;
  stats_.data_bytes_sent += bytes;
  return sent;
}

void IceAgent::set_state(IceState state, const std::string& reason) {
  if (state_ == state || state_ == IceState::kClosed) return;
  LOG_INFO("ice", "state %s -> %s%s%s", to_string(state_), to_string(state), reason.empty() ? "" : ": ",
           reason.c_str());
  state_ = state;
  if (callbacks_.on_state_change) callbacks_.on_state_change(state, reason);
}

void IceAgent::fail(const std::string& reason) {
  if (stopped()) return;
  failure_reason_ = reason;
  for (EventLoop::TimerId* timer : {&check_timer_, &connect_timer_, &nomination_timer_, &consent_timer_}) {
    if (*timer != 0) loop_.cancel_timer(*timer);
    *timer = 0;
  }
  for (auto it = transactions_.begin(); it != transactions_.end();) {
    // Gathering may go on (the candidates are still worth reporting); checks stop.
    if (it->second.kind != TransactionKind::kServerBinding) {
      loop_.cancel_timer(it->second.timer);
      it = transactions_.erase(it);
    } else {
      ++it;
    }
  }
  triggered_.clear();
  set_state(IceState::kFailed, reason);
}

void IceAgent::close() {
  if (state_ == IceState::kClosed) return;
  state_ = IceState::kClosed;
  for (EventLoop::TimerId* timer :
       {&check_timer_, &gather_timer_, &relay_timer_, &connect_timer_, &nomination_timer_, &consent_timer_}) {
    if (*timer != 0) loop_.cancel_timer(*timer);
    *timer = 0;
  }
  for (auto& entry : transactions_)
    loop_.cancel_timer(entry.second.timer);
  transactions_.clear();
  triggered_.clear();
  resolver_.cancel_all();
  relay_allocations_.clear();
  for (auto& b : bases_) {
    if (b.socket && b.socket->is_open()) {
      loop_.remove_fd(b.socket->fd());
      b.socket->close();
    }
    if (b.relay) {
      b.relay->set_receive_callback(nullptr);
      b.relay->close();
    }
  }
  selected_.reset();
}

}  // namespace picortc::ice
