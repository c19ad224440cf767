#pragma once
// Writes a STUN message attribute by attribute, in the order of the calls,
// and ends it with MESSAGE-INTEGRITY (-SHA256) and FINGERPRINT computed over
// exactly what precedes them (RFC 8489 §14.5-§14.7). The usual shape:
//
//   StunMessageBuilder b(kMethodBinding, StunClass::kRequest, random_transaction_id());
//   b.add_username("remote:local");
//   b.add_priority(priority);
//   b.add_ice_controlling(tie_breaker);
//   b.add_message_integrity(short_term_key(remote_password));
//   b.add_fingerprint();
//   std::vector<uint8_t> datagram = std::move(b).finish();
//
// Misuse (an attribute after FINGERPRINT, anything but MESSAGE-INTEGRITY-SHA256
// and FINGERPRINT after MESSAGE-INTEGRITY, more than 64 KiB) asserts: those
// attributes would be ignored or rejected by every receiver.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "stun/stun_address.hpp"
#include "stun/stun_attributes.hpp"
#include "stun/stun_message.hpp"
#include "stun/stun_transaction_id.hpp"

namespace picortc::stun {

class StunMessageBuilder {
 public:
  StunMessageBuilder(uint16_t method, StunClass message_class, const TransactionId& transaction_id);

  // The padding byte after values that are not a multiple of 4 long. RFC 8489
  // §14 wants zeros; RFC 5769's test vectors (written under RFC 5389, where
  // padding "may be any value") pad with spaces (0x20), so tests that rebuild
  // them byte for byte set 0x20 here.
  void set_padding_byte(uint8_t byte) { padding_byte_ = byte; }

  void add_attribute(uint16_t type, BytesView value);
  void add_text(uint16_t type, std::string_view text) { add_attribute(type, BytesView(text)); }

  void add_mapped_address(const TransportAddress& address);
  void add_xor_mapped_address(const TransportAddress& address) {
    add_xor_address(kAttrXorMappedAddress, address);
  }
  void add_xor_peer_address(const TransportAddress& address) {
    add_xor_address(kAttrXorPeerAddress, address);
  }
  void add_xor_relayed_address(const TransportAddress& address) {
    add_xor_address(kAttrXorRelayedAddress, address);
  }
  void add_xor_address(uint16_t type, const TransportAddress& address);
  void add_username(std::string_view username) { add_text(kAttrUsername, username); }
  void add_realm(std::string_view realm) { add_text(kAttrRealm, realm); }
  void add_nonce(std::string_view nonce) { add_text(kAttrNonce, nonce); }
  void add_software(std::string_view software) { add_text(kAttrSoftware, software); }
  // `reason` empty: the RFC's phrase for the code. Asserts 300 <= code <= 699.
  void add_error_code(int code, std::string_view reason = {});
  void add_unknown_attributes(const std::vector<uint16_t>& types);
  void add_priority(uint32_t priority) { add_u32(kAttrPriority, priority); }
  void add_use_candidate() { add_attribute(kAttrUseCandidate, BytesView()); }
  void add_ice_controlled(uint64_t tie_breaker) { add_u64(kAttrIceControlled, tie_breaker); }
  void add_ice_controlling(uint64_t tie_breaker) { add_u64(kAttrIceControlling, tie_breaker); }
  void add_lifetime(uint32_t seconds) { add_u32(kAttrLifetime, seconds); }
  void add_requested_transport(uint8_t protocol = kTransportUdp);
  // RFC 8656 §12: channel numbers 0x4000-0x4FFF (not checked here: a server
  // test may want to send a bad one).
  void add_channel_number(uint16_t channel);
  void add_data(BytesView data) { add_attribute(kAttrData, data); }
  void add_dont_fragment() { add_attribute(kAttrDontFragment, BytesView()); }
  void add_even_port(bool reserve_next) {
    const uint8_t value = reserve_next ? 0x80 : 0x00;
    add_attribute(kAttrEvenPort, BytesView(&value, 1));
  }
  void add_reservation_token(BytesView token) { add_attribute(kAttrReservationToken, token); }
  void add_u32(uint16_t type, uint32_t value);
  void add_u64(uint16_t type, uint64_t value);

  // HMAC-SHA1 over everything written so far (§14.5). `key` from
  // short_term_key() or long_term_key() (stun_integrity.hpp).
  void add_message_integrity(BytesView key);
  // HMAC-SHA256, full 32 bytes (§14.6).
  void add_message_integrity_sha256(BytesView key);
  // CRC-32 of everything so far XOR 0x5354554e (§14.7); must be the last call.
  void add_fingerprint();

  BytesView bytes() const { return BytesView(buffer_); }
  size_t size() const { return buffer_.size(); }
  std::vector<uint8_t> finish() && { return std::move(buffer_); }

 private:
  // Reserves the TLV header and padded value, fixes the Message Length, and
  // returns where the value goes.
  uint8_t* append(uint16_t type, size_t value_size);

  std::vector<uint8_t> buffer_;
  TransactionId transaction_id_;
  uint8_t padding_byte_ = 0;
  bool has_integrity_ = false;
  bool has_integrity_sha256_ = false;
  bool has_fingerprint_ = false;
};

}  // namespace picortc::stun
