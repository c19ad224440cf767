// STUN costs an ICE agent pays per connectivity check (and consent check
// every few seconds per pair): parse, verify MESSAGE-INTEGRITY and
// FINGERPRINT, build a request with both.
#include <benchmark/benchmark.h>

#include "stun/stun_builder.hpp"
#include "stun/stun_integrity.hpp"
#include "stun/stun_message.hpp"

namespace {

using namespace picortc;
using namespace picortc::stun;

std::vector<uint8_t> ice_request(const std::vector<uint8_t>& key) {
  StunMessageBuilder b(kMethodBinding, StunClass::kRequest, random_transaction_id());
  b.add_username("abcd:efgh");
  b.add_priority(1853824767);
  b.add_ice_controlling(0x0123456789abcdef);
  b.add_use_candidate();
  b.add_message_integrity(key);
  b.add_fingerprint();
  return std::move(b).finish();
}

void BM_StunParse(benchmark::State& state) {
  const auto bytes = ice_request(short_term_key("password-of-22-chars!!"));
  for (auto _ : state) {
    auto parsed = StunMessage::parse(bytes);
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_StunParse);

void BM_StunCheckIntegrity(benchmark::State& state) {
  const auto key = short_term_key("password-of-22-chars!!");
  const auto bytes = ice_request(key);
  for (auto _ : state)
    benchmark::DoNotOptimize(check_integrity(bytes, key));
}
BENCHMARK(BM_StunCheckIntegrity);

void BM_StunCheckFingerprint(benchmark::State& state) {
  const auto bytes = ice_request(short_term_key("password-of-22-chars!!"));
  for (auto _ : state)
    benchmark::DoNotOptimize(check_fingerprint(bytes));
}
BENCHMARK(BM_StunCheckFingerprint);

void BM_StunBuildIceRequest(benchmark::State& state) {
  const auto key = short_term_key("password-of-22-chars!!");
  for (auto _ : state)
    benchmark::DoNotOptimize(ice_request(key));
}
BENCHMARK(BM_StunBuildIceRequest);

}  // namespace

BENCHMARK_MAIN();
