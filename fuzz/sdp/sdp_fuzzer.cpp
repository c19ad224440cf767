// Fuzz target `sdp`: whatever parses must write back and reparse equal.
// The same input also goes through the sdpfrag parser and, when it is a
// description, through answer negotiation (an answer must reparse too).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sdp/negotiation.hpp"
#include "sdp/session_description.hpp"
#include "sdp/trickle_fragment.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

void answer_and_reparse(const picortc::sdp::SessionDescription& offer) {
  using namespace picortc::sdp;
  AnswerOptions options;
  options.transport.ice_ufrag = "fuzz";
  options.transport.ice_pwd = "0123456789abcdefghijklmn";
  options.transport.fingerprint = Fingerprint{"sha-256", "AB:CD:EF:01"};
  options.track.ssrc = 1;
  options.track.cname = "fuzz";
  options.rtp.header_extensions = {"urn:ietf:params:rtp-hdrext:sdes:mid"};
  for (MediaDirection direction : {MediaDirection::kSendOnly, MediaDirection::kRecvOnly}) {
    options.direction = direction;
    auto answer = build_answer(offer, options);
    if (!answer.ok()) continue;
    auto reparsed = parse_session_description(to_string(answer->description));
    check(reparsed.ok());
    check(*reparsed == answer->description);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  auto parsed = picortc::sdp::parse_session_description(input);
  if (parsed.ok()) {
    std::string written = picortc::sdp::to_string(*parsed);
    auto again = picortc::sdp::parse_session_description(written);
    check(again.ok());
    check(*again == *parsed);
    check(picortc::sdp::to_string(*again) == written);
    answer_and_reparse(*parsed);
  }

  auto fragment = picortc::sdp::parse_trickle_fragment(input);
  if (fragment.ok()) {
    auto again = picortc::sdp::parse_trickle_fragment(picortc::sdp::to_string(*fragment));
    check(again.ok());
    check(*again == *fragment);
  }

  auto candidate = picortc::sdp::parse_candidate(input);
  if (candidate.ok()) {
    auto again = picortc::sdp::parse_candidate(picortc::sdp::write_candidate(*candidate));
    check(again.ok());
    check(*again == *candidate);
  }
  return 0;
}
