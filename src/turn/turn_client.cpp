#include "turn/turn_client.hpp"

#include <algorithm>
#include <cassert>
#include <string>

#include "stun/stun_integrity.hpp"

namespace picortc::turn {

using stun::StunClass;
using stun::StunMessage;
using stun::StunMessageBuilder;
using stun::TransportAddress;

TurnClient::TurnClient(EventLoop& loop, TurnServerTransport& transport, TurnClientConfig config,
                       TurnClientCallbacks callbacks)
    : loop_(loop), transport_(transport), config_(std::move(config)), callbacks_(std::move(callbacks)) {}

TurnClient::~TurnClient() {
  cancel_all_timers();
  for (auto& entry : pending_)
    loop_.cancel_timer(entry.second.timer);
}

void TurnClient::cancel_all_timers() {
  loop_.cancel_timer(refresh_timer_);
  refresh_timer_ = 0;
  for (auto& entry : permissions_)
    loop_.cancel_timer(entry.second.refresh_timer);
  for (auto& entry : channels_)
    loop_.cancel_timer(entry.second.refresh_timer);
}

// ---- requests and retransmission ------------------------------------------

void TurnClient::send_request(uint16_t method, AddAttributes add_attributes, OnSuccess on_success,
                              OnError on_error) {
  Request request;
  request.method = method;
  request.add_attributes = std::move(add_attributes);
  request.on_success = std::move(on_success);
  request.on_error = std::move(on_error);
  transmit(std::move(request));
}

void TurnClient::transmit(Request request) {
  // A fresh transaction id for every new request, including the one repeated
  // after a 401/438 (RFC 8489 §9.2.4: it is a new transaction).
  const stun::TransactionId id = stun::random_transaction_id();
  StunMessageBuilder builder(request.method, StunClass::kRequest, id);
  request.add_attributes(builder);
  if (!config_.software.empty()) builder.add_software(config_.software);
  request.authenticated = !key_.empty();
  if (request.authenticated) {
    // RFC 8489 §9.2.4: USERNAME, REALM, NONCE and MESSAGE-INTEGRITY with the long-term key.
    builder.add_username(config_.username);
    builder.add_realm(realm_);
    builder.add_nonce(nonce_);
    builder.add_message_integrity(key_);
  }
  builder.add_fingerprint();
  request.bytes = std::move(builder).finish();
  request.sends = 1;
  request.rto = config_.initial_rto;
  auto sent = transport_.send_to_server(request.bytes);
  if (!sent)
    LOG_WARN("turn", "%s request not sent: %s", stun::method_name(request.method),
             sent.error().message().c_str());
  const Duration wait = transport_.is_stream() ? config_.stream_request_timeout : request.rto;
  request.timer = loop_.add_timer(wait, [this, id] { on_request_timer(id); });
  pending_.emplace(id, std::move(request));
}

void TurnClient::on_request_timer(const stun::TransactionId& id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  Request& request = it->second;
  if (!transport_.is_stream() && request.sends < config_.max_udp_sends) {
    // RFC 8489 §6.2.1: retransmit with the RTO doubled each time; after the
    // last send wait Rm (16) times the initial RTO.
    (void)transport_.send_to_server(request.bytes);
    ++request.sends;
    request.rto *= 2;
    const Duration wait = request.sends == config_.max_udp_sends ? config_.initial_rto * 16 : request.rto;
    request.timer = loop_.add_timer(wait, [this, id] { on_request_timer(id); });
    return;
  }
  Request expired = std::move(request);
  pending_.erase(it);
  expired.on_error(make_error(kErrTurnTimeout, std::string(stun::method_name(expired.method)) + " after " +
                                                   std::to_string(expired.sends) + " sends"));
}

// ---- incoming --------------------------------------------------------------

void TurnClient::handle_server_message(BytesView message) {
  if (looks_like_channel_data(message)) {
    handle_channel_data(message);
    return;
  }
  auto parsed = StunMessage::parse(message);
  if (!parsed) {
    dropped_.hit("%s", parsed.error().message().c_str());
    return;
  }
  if (parsed->is_response()) {
    handle_response(*parsed, message);
  } else if (parsed->is_indication() && parsed->method() == stun::kMethodData) {
    handle_data_indication(*parsed);
  } else {
    dropped_.hit("unexpected %s %s", stun::method_name(parsed->method()),
                 stun::to_string(parsed->message_class()));
  }
}

void TurnClient::transport_closed(const Error& reason) {
  for (auto& entry : pending_)
    loop_.cancel_timer(entry.second.timer);
  pending_.clear();
  if (state_ == State::kAllocating || state_ == State::kAllocated) fail_allocation(reason);
}

void TurnClient::handle_response(const StunMessage& message, BytesView bytes) {
  auto it = pending_.find(message.transaction_id());
  if (it == pending_.end() || it->second.method != message.method()) {
    dropped_.hit("response to no pending request");  // e.g. the answer to a retransmission
    return;
  }
  if (message.is_success_response() && it->second.authenticated) {
    // RFC 8489 §9.2.5: a response to an authenticated request must carry a
    // valid MESSAGE-INTEGRITY; otherwise it is discarded (and the
    // retransmissions continue, as if it had been lost).
    const stun::IntegrityCheck check = stun::check_integrity(bytes, key_);
    if (check != stun::IntegrityCheck::kOk) {
      dropped_.hit("%s response integrity %s", stun::method_name(message.method()), stun::to_string(check));
      return;
    }
  }
  Request request = std::move(it->second);
  loop_.cancel_timer(request.timer);
  pending_.erase(it);

  if (message.is_success_response()) {
    request.on_success(message);
    return;
  }
  auto error = message.error_code();
  const int code = error ? error->code : 0;
  const bool challenge = code == stun::kErrorUnauthorized && !request.authenticated;
  const bool stale_nonce = code == stun::kErrorStaleNonce && request.auth_retries < 3;
  if (challenge || stale_nonce) {
    auto realm = message.realm();
    auto nonce = message.nonce();
    if (realm && nonce) {
      if (challenge || realm_ != *realm) {
        realm_ = std::string(*realm);
        key_ = stun::long_term_key(config_.username, realm_, config_.password);
      }
      nonce_ = std::string(*nonce);
      ++request.auth_retries;
      transmit(std::move(request));
      return;
    }
  }
  std::string detail = std::string(stun::method_name(message.method())) + ": ";
  detail += error ? std::to_string(error->code) + " " + error->reason : error.error().message();
  request.on_error(make_error(kErrTurnErrorResponse, detail));
}

void TurnClient::handle_data_indication(const StunMessage& message) {
  auto peer = message.xor_peer_address();
  auto data = message.data();
  if (!peer || !data) {
    dropped_.hit("Data indication without XOR-PEER-ADDRESS or DATA");
    return;
  }
  // RFC 8656 §10.4: "The client SHOULD also check that the XOR-PEER-ADDRESS
  // attribute value contains an IP address with which the client believes
  // there is an active permission and discard the Data indication otherwise."
  // A channel binding installs a permission too (§12).
  const TransportAddress key = permission_key(*peer);
  const bool permitted = permissions_.count(key) != 0 ||
                         std::any_of(channels_.begin(), channels_.end(), [&key](const auto& entry) {
                           return permission_key(entry.second.peer) == key;
                         });
  if (!permitted) {
    dropped_.hit("Data indication from %s without a permission", peer->to_string().c_str());
    return;
  }
  if (callbacks_.on_peer_data) callbacks_.on_peer_data(*peer, *data);
}

void TurnClient::handle_channel_data(BytesView message) {
  auto parsed = parse_channel_data(message);
  if (!parsed) {
    dropped_.hit("%s", parsed.error().message().c_str());
    return;
  }
  auto it = channels_.find(parsed->channel);
  if (it == channels_.end()) {
    dropped_.hit("ChannelData on unbound channel 0x%04x", parsed->channel);
    return;
  }
  if (callbacks_.on_peer_data) callbacks_.on_peer_data(it->second.peer, parsed->data);
}

// ---- allocation --------------------------------------------------------------

void TurnClient::allocate() {
  assert(state_ == State::kIdle && "allocate() once per client");
  state_ = State::kAllocating;
  const uint32_t lifetime = config_.requested_lifetime_s;
  send_request(
      stun::kMethodAllocate,
      [lifetime](StunMessageBuilder& b) {
        // RFC 8656 §7.1: REQUESTED-TRANSPORT UDP; LIFETIME optional.
        b.add_requested_transport(stun::kTransportUdp);
        b.add_lifetime(lifetime);
      },
      [this](const StunMessage& response) { on_allocate_success(response); },
      [this](const Error& error) { fail_allocation(error); });
}

void TurnClient::on_allocate_success(const StunMessage& response) {
  auto relayed = response.xor_relayed_address();
  if (!relayed) {
    fail_allocation(make_error(kErrTurnBadResponse, "XOR-RELAYED-ADDRESS: " + relayed.error().message()));
    return;
  }
  relayed_ = *relayed;
  auto mapped = response.xor_mapped_address();
  if (mapped) mapped_ = *mapped;
  auto lifetime = response.lifetime();
  lifetime_s_ = lifetime ? *lifetime : config_.requested_lifetime_s;
  state_ = State::kAllocated;
  LOG_INFO("turn", "allocated %s (mapped %s) for %u s", relayed_.to_string().c_str(),
           mapped_.to_string().c_str(), lifetime_s_);
  schedule_refresh();
  if (callbacks_.on_allocated) callbacks_.on_allocated(relayed_, mapped_);
}

void TurnClient::schedule_refresh() {
  loop_.cancel_timer(refresh_timer_);
  const Duration lifetime = seconds(lifetime_s_);
  Duration delay = lifetime - config_.refresh_margin;
  if (delay < lifetime / 2) delay = lifetime / 2;
  refresh_timer_ = loop_.add_timer(delay, [this] {
    refresh_timer_ = 0;
    refresh();
  });
}

void TurnClient::refresh() {
  if (state_ != State::kAllocated) return;
  const uint32_t lifetime = config_.requested_lifetime_s;
  send_request(
      stun::kMethodRefresh, [lifetime](StunMessageBuilder& b) { b.add_lifetime(lifetime); },
      [this](const StunMessage& response) {
        if (state_ != State::kAllocated) return;
        auto granted = response.lifetime();
        lifetime_s_ = granted ? *granted : config_.requested_lifetime_s;
        ++refreshes_succeeded_;
        schedule_refresh();
      },
      [this](const Error& error) {
        if (state_ == State::kAllocated) fail_allocation(error);
      });
}

void TurnClient::release() {
  if (state_ == State::kAllocated) {
    // RFC 8656 §7.2: a Refresh with LIFETIME 0 deletes the allocation.
    send_request(
        stun::kMethodRefresh, [](StunMessageBuilder& b) { b.add_lifetime(0); }, [](const StunMessage&) {},
        [](const Error&) {});
  }
  state_ = State::kReleased;
  cancel_all_timers();
  permissions_.clear();
  channels_.clear();
  channel_by_peer_.clear();
}

void TurnClient::fail_allocation(const Error& error) {
  LOG_WARN("turn", "allocation failed: %s", error.message().c_str());
  state_ = State::kFailed;
  cancel_all_timers();
  permissions_.clear();
  channels_.clear();
  channel_by_peer_.clear();
  if (callbacks_.on_allocation_failed) callbacks_.on_allocation_failed(error);
}

// ---- permissions and channels ----------------------------------------------

TransportAddress TurnClient::permission_key(const TransportAddress& peer) {
  TransportAddress key = peer;
  key.set_port(0);
  return key;
}

Status TurnClient::create_permission(const TransportAddress& peer) {
  if (state_ != State::kAllocated) return make_error(kErrTurnNotAllocated, "create_permission");
  const TransportAddress key = permission_key(peer);
  if (permissions_.count(key) != 0) return {};
  permissions_[key] = Permission{peer, false, 0};
  send_permission_request(key);
  return {};
}

void TurnClient::send_permission_request(const TransportAddress& key) {
  const TransportAddress peer = permissions_.at(key).peer;
  send_request(
      stun::kMethodCreatePermission, [peer](StunMessageBuilder& b) { b.add_xor_peer_address(peer); },
      [this, key](const StunMessage&) {
        auto it = permissions_.find(key);
        if (it == permissions_.end()) return;  // released meanwhile
        const bool first = !it->second.confirmed;
        it->second.confirmed = true;
        // §9: permissions last 300 s and are refreshed by repeating the request.
        it->second.refresh_timer = loop_.add_timer(config_.permission_refresh_interval, [this, key] {
          auto again = permissions_.find(key);
          if (again == permissions_.end()) return;
          again->second.refresh_timer = 0;
          send_permission_request(key);
        });
        // A copy: the callback may release the client and clear the map.
        const TransportAddress confirmed_peer = it->second.peer;
        if (first && callbacks_.on_permission) callbacks_.on_permission(confirmed_peer, Status());
      },
      [this, key, peer](const Error& error) {
        permissions_.erase(key);
        if (callbacks_.on_permission) callbacks_.on_permission(peer, error);
      });
}

Result<uint16_t> TurnClient::bind_channel(const TransportAddress& peer) {
  if (state_ != State::kAllocated) return make_error(kErrTurnNotAllocated, "bind_channel");
  auto existing = channel_by_peer_.find(peer);
  if (existing != channel_by_peer_.end()) return existing->second;
  if (next_channel_ > kMaxChannelNumber) return make_error(kErrTurnNoChannels, peer.to_string());
  const uint16_t channel = next_channel_++;
  channels_[channel] = Channel{peer, false, 0};
  channel_by_peer_[peer] = channel;
  send_channel_bind(channel);
  return channel;
}

void TurnClient::send_channel_bind(uint16_t channel) {
  const TransportAddress peer = channels_.at(channel).peer;
  send_request(
      stun::kMethodChannelBind,
      [channel, peer](StunMessageBuilder& b) {
        b.add_channel_number(channel);
        b.add_xor_peer_address(peer);
      },
      [this, channel](const StunMessage&) {
        auto it = channels_.find(channel);
        if (it == channels_.end()) return;
        const bool first = !it->second.confirmed;
        it->second.confirmed = true;
        // §12: a binding lasts 10 minutes; re-binding refreshes it (and the
        // permission for the peer with it).
        it->second.refresh_timer = loop_.add_timer(config_.channel_refresh_interval, [this, channel] {
          auto again = channels_.find(channel);
          if (again == channels_.end()) return;
          again->second.refresh_timer = 0;
          send_channel_bind(channel);
        });
        const TransportAddress bound_peer = it->second.peer;  // a copy, as above
        if (first && callbacks_.on_channel_bound) callbacks_.on_channel_bound(bound_peer, channel, Status());
      },
      [this, channel](const Error& error) {
        auto it = channels_.find(channel);
        if (it == channels_.end()) return;
        const TransportAddress failed_peer = it->second.peer;
        channel_by_peer_.erase(failed_peer);
        channels_.erase(it);
        if (callbacks_.on_channel_bound) callbacks_.on_channel_bound(failed_peer, channel, error);
      });
}

// ---- data --------------------------------------------------------------------

Status TurnClient::send_to_peer(const TransportAddress& peer, BytesView data) {
  if (state_ != State::kAllocated) return make_error(kErrTurnNotAllocated, "send_to_peer");
  auto bound = channel_by_peer_.find(peer);
  if (bound != channel_by_peer_.end() && channels_.at(bound->second).confirmed) {
    const bool padded = transport_.is_stream();
    send_buffer_.resize(channel_data_size(data.size(), padded));
    marshal_channel_data(bound->second, data, padded, send_buffer_.data(), send_buffer_.size());
    return transport_.send_to_server(BytesView(send_buffer_));
  }
  // RFC 8656 §10.1: Send indication with XOR-PEER-ADDRESS and DATA; no
  // authentication is possible on indications.
  StunMessageBuilder builder(stun::kMethodSend, StunClass::kIndication, stun::random_transaction_id());
  builder.add_xor_peer_address(peer);
  builder.add_data(data);
  return transport_.send_to_server(builder.bytes());
}

}  // namespace picortc::turn
