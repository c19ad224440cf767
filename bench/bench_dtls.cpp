// DTLS costs per viewer: creating a transport (SSL_CTX + SSL with our
// certificate) and a whole DTLS-SRTP handshake between two of our transports
// in memory (ECDHE X25519, ECDSA P-256 both ways, key export), CPU time for
// both sides together.
#include <benchmark/benchmark.h>

#include "../tests/unit/dtls/dtls_test_link.hpp"
#include "core/log.hpp"

namespace {

using namespace picortc::dtls;
using namespace picortc::dtls::testing;

void BM_DtlsTransportCreate(benchmark::State& state) {
  DtlsConfig config = make_config(DtlsRole::kServer, test_certificate(0), test_certificate(1));
  for (auto _ : state) {
    auto transport = DtlsTransport::create(config, nullptr, nullptr);
    if (!transport) {
      state.SkipWithError("create failed");
      break;
    }
    benchmark::DoNotOptimize(transport);
  }
}

void BM_DtlsHandshake(benchmark::State& state) {
  picortc::set_log_level(picortc::LogLevel::kWarn);
  for (auto _ : state) {
    DtlsTestLink link(make_config(DtlsRole::kClient, test_certificate(0), test_certificate(1)),
                      make_config(DtlsRole::kServer, test_certificate(1), test_certificate(0)));
    if (!link.handshake() || !link.client.connected() || !link.server.connected()) {
      state.SkipWithError("handshake failed");
      break;
    }
  }
}

void BM_CertificateGenerate(benchmark::State& state) {
  for (auto _ : state) {
    auto cert = Certificate::generate();
    benchmark::DoNotOptimize(cert);
  }
}

BENCHMARK(BM_DtlsTransportCreate)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DtlsHandshake)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CertificateGenerate)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
