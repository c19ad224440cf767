// SDP costs per viewer: parsing a browser offer, answering it, writing it.
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>
#include <string>

#include "sdp/negotiation.hpp"
#include "sdp/session_description.hpp"

namespace {

std::string load(const char* name) {
  std::ifstream in(std::string(PICORTC_SOURCE_DIR) + "/tests/vectors/sdp/" + name, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

picortc::sdp::AnswerOptions sender_options() {
  picortc::sdp::AnswerOptions o;
  o.profile_level_id = "42e01f";
  o.transport.ice_ufrag = "pcrt";
  o.transport.ice_pwd = "0123456789abcdefghijklmn";
  o.transport.fingerprint = {"sha-256", "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"};
  o.transport.candidates.push_back(
      *picortc::sdp::parse_candidate("1 1 udp 2130706431 127.0.0.1 40000 typ host"));
  o.track.ssrc = 1234;
  o.track.cname = "cam";
  return o;
}

void BM_ParseChromeOffer(benchmark::State& state) {
  const std::string text = load("chrome_sendrecv_offer.sdp");
  for (auto _ : state) {
    auto sd = picortc::sdp::parse_session_description(text);
    benchmark::DoNotOptimize(sd);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ParseChromeOffer);

void BM_WriteChromeOffer(benchmark::State& state) {
  const auto sd = picortc::sdp::parse_session_description(load("chrome_sendrecv_offer.sdp"));
  for (auto _ : state) {
    std::string text = picortc::sdp::to_string(*sd);
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(BM_WriteChromeOffer);

void BM_AnswerChromeOffer(benchmark::State& state) {
  const std::string text = load("chrome_sendrecv_offer.sdp");
  const auto options = sender_options();
  for (auto _ : state) {
    auto offer = picortc::sdp::parse_session_description(text);
    auto answer = picortc::sdp::build_answer(*offer, options);
    std::string out = picortc::sdp::to_string(answer->description);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_AnswerChromeOffer);

}  // namespace

BENCHMARK_MAIN();
