// Fuzz target `stun`: whatever parses must re-marshal to the same bytes and
// re-parse equal; the typed getters and the integrity/fingerprint checks must
// never crash on anything.
#include <cstdint>
#include <cstdlib>

#include "stun/stun_integrity.hpp"
#include "stun/stun_message.hpp"

using namespace picortc;
using namespace picortc::stun;

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

void touch_getters(const StunMessage& m) {
  (void)m.mapped_address();
  (void)m.xor_mapped_address();
  (void)m.xor_peer_address();
  (void)m.xor_relayed_address();
  (void)m.username();
  (void)m.realm();
  (void)m.nonce();
  (void)m.software();
  (void)m.error_code();
  (void)m.unknown_attributes();
  (void)m.priority();
  (void)m.ice_controlled();
  (void)m.ice_controlling();
  (void)m.use_candidate();
  (void)m.lifetime();
  (void)m.requested_transport();
  (void)m.channel_number();
  (void)m.data();
  (void)m.dont_fragment();
  (void)m.even_port();
  (void)m.reservation_token();
  for (size_t i = 0; i < m.attribute_count(); ++i) {
    const StunAttribute a = m.attribute(i);
    require(a.value.size() <= m.marshal_size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const BytesView input(data, size);
  static const uint8_t kKey[] = {'k', 'e', 'y'};
  const IntegrityCheck integrity = check_integrity(input, BytesView(kKey, sizeof kKey));
  const IntegrityCheck integrity_sha256 = check_integrity_sha256(input, BytesView(kKey, sizeof kKey));
  const IntegrityCheck fingerprint = check_fingerprint(input);
  (void)looks_like_stun(input);
  (void)stun_message_size(input);

  auto parsed = StunMessage::parse(input);
  if (!parsed.ok()) return 0;
  const StunMessage& message = *parsed;
  touch_getters(message);

  // Parsed means well framed, which is all the checks need.
  require(integrity != IntegrityCheck::kMalformed);
  require(integrity_sha256 != IntegrityCheck::kMalformed);
  require(fingerprint != IntegrityCheck::kMalformed);
  if (size > 0 && data[0] <= 3) require(looks_like_stun(input) && stun_message_size(input) == size);

  // Re-marshal gives back the input byte for byte (padding included), and
  // that re-parses to an equal message.
  const std::vector<uint8_t> again = message.marshal();
  require(again.size() == size && BytesView(again) == input);
  auto reparsed = StunMessage::parse(again);
  require(reparsed.ok() && *reparsed == message);
  require(reparsed->unknown_comprehension_required() == message.unknown_comprehension_required());
  return 0;
}
