// Whole-certificate verification, the way hubctl checks every certified answer: decode, tree root,
// delegation certificate (its BLS signature and the subnet key lookup), canister range, the BLS
// signature of the tree. Input: the real mainnet v3 read_state certificate ivg37_time.bin (delegated,
// sharded canister ranges). Side by side with @icp-sdk/core: bench/cert_agentjs.mjs.
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>

#include "agent/bls_verifier.h"
#include "agent/certificate.h"
#include "bls/bls.h"
#include "ic/principal.h"

namespace {

ic::Bytes read_cert() {
  std::ifstream f(HUBCTL_TESTDATA "/certificates/ivg37_time.bin", std::ios::binary);
  return ic::Bytes(std::istreambuf_iterator<char>(f), {});
}

const ic::Bytes& cert_bytes() {
  static const ic::Bytes b = read_cert();
  return b;
}

agent::VerifyOptions options(agent::BlsVerifier bls) {
  agent::VerifyOptions o;
  o.canister_id = ic::Principal::from_text("ivg37-qiaaa-aaaab-aaaga-cai").value();
  o.bls = std::move(bls);
  return o;
}

// Keys already validated (hubctl's process-wide cache: the usual case after the first certificate).
void BM_CertificateVerifyCachedKeys(benchmark::State& s) {
  auto opts = options(agent::default_bls_verifier());
  for (auto _ : s) {
    auto cert = agent::Certificate::from_saved(cert_bytes());
    auto r = agent::verify_certificate(cert.value(), opts);
    if (!r) s.SkipWithError(r.error().to_string().c_str());
  }
}
BENCHMARK(BM_CertificateVerifyCachedKeys)->Unit(benchmark::kMillisecond);

// Every key decoded and subgroup-checked again (a fresh process verifying one certificate).
void BM_CertificateVerifyColdKeys(benchmark::State& s) {
  auto opts = options([](ic::ByteView sig, ic::ByteView msg, ic::ByteView der) -> ic::Status {
    auto key = bls::public_key_from_der(der);
    if (!key) return key.error();
    return bls::check_signature(sig, msg, ic::ByteView(key.value().data(), key.value().size()));
  });
  for (auto _ : s) {
    auto cert = agent::Certificate::from_saved(cert_bytes());
    auto r = agent::verify_certificate(cert.value(), opts);
    if (!r) s.SkipWithError(r.error().to_string().c_str());
  }
}
BENCHMARK(BM_CertificateVerifyColdKeys)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
