// BLS12-381 benchmarks: certificate-style verification (cached and uncached key), signing,
// hash-to-G1, pairing pieces, point decoding, field multiplication. Results: notes/bls-bench.md.
#include <benchmark/benchmark.h>

#include "bls/bls.h"
#include "bls/pairing.h"

namespace {

using namespace bls;

struct Fixture {
  SecretKey sk = SecretKey::generate(ic::Bytes(32, 0x11)).value();
  PublicKey pk = public_key(sk);
  ic::Bytes msg;  // the shape of a certificate message: 0x0d "ic-state-root" ‖ 32-byte root hash
  Signature sig;
  Fixture() {
    msg = ic::to_bytes("\x0Dic-state-root");
    for (int i = 0; i < 32; ++i) msg.push_back(static_cast<uint8_t>(i * 7));
    sig = sign(sk, msg);
  }
};
const Fixture& fx() {
  static const Fixture f;
  return f;
}

void BM_VerifyCachedKey(benchmark::State& s) {
  const auto& f = fx();
  for (auto _ : s) benchmark::DoNotOptimize(verify(f.sig, f.msg, f.pk));
}
BENCHMARK(BM_VerifyCachedKey)->Unit(benchmark::kMillisecond);

void BM_VerifyKeyBytes(benchmark::State& s) {  // decode + subgroup check + line precomputation + verify
  const auto& f = fx();
  for (auto _ : s) benchmark::DoNotOptimize(verify(f.sig, f.msg, f.pk.bytes()));
}
BENCHMARK(BM_VerifyKeyBytes)->Unit(benchmark::kMillisecond);

void BM_PublicKeyCacheHit(benchmark::State& s) {
  const auto& f = fx();
  PublicKeyCache cache;
  (void)cache.get(f.pk.bytes());
  for (auto _ : s) benchmark::DoNotOptimize(cache.get(f.pk.bytes()));
}
BENCHMARK(BM_PublicKeyCacheHit)->Unit(benchmark::kMicrosecond);

void BM_Sign(benchmark::State& s) {
  const auto& f = fx();
  for (auto _ : s) benchmark::DoNotOptimize(sign(f.sk, f.msg));
}
BENCHMARK(BM_Sign)->Unit(benchmark::kMillisecond);

void BM_HashToG1(benchmark::State& s) {
  const auto& f = fx();
  for (auto _ : s) benchmark::DoNotOptimize(hash_to_g1(f.msg, ic::as_view(kSignatureDst)));
}
BENCHMARK(BM_HashToG1)->Unit(benchmark::kMicrosecond);

void BM_MillerLoop2(benchmark::State& s) {
  G1Affine p = to_affine(g1_generator());
  G2Prepared q = prepare(to_affine(g2_generator()));
  PairingTerm terms[2] = {{&p, &q}, {&p, &q}};
  for (auto _ : s) benchmark::DoNotOptimize(miller_loop(terms, 2));
}
BENCHMARK(BM_MillerLoop2)->Unit(benchmark::kMicrosecond);

void BM_FinalExponentiation(benchmark::State& s) {
  G1Affine p = to_affine(g1_generator());
  G2Prepared q = prepare(to_affine(g2_generator()));
  PairingTerm term{&p, &q};
  Fp12 f = miller_loop(&term, 1);
  for (auto _ : s) benchmark::DoNotOptimize(final_exponentiation(f));
}
BENCHMARK(BM_FinalExponentiation)->Unit(benchmark::kMicrosecond);

void BM_DecompressG1(benchmark::State& s) {  // with the subgroup check
  const auto& f = fx();
  for (auto _ : s) benchmark::DoNotOptimize(decompress_g1(f.sig));
}
BENCHMARK(BM_DecompressG1)->Unit(benchmark::kMicrosecond);

void BM_DecompressG2(benchmark::State& s) {
  const auto& f = fx();
  for (auto _ : s) benchmark::DoNotOptimize(decompress_g2(f.pk.bytes()));
}
BENCHMARK(BM_DecompressG2)->Unit(benchmark::kMicrosecond);

void BM_FpMul(benchmark::State& s) {
  Fp a = Fp::from_u64(0x1234567), b = Fp::from_u64(0x89abcdef);
  for (auto _ : s) {
    a = a * b;
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_FpMul)->Unit(benchmark::kNanosecond);

}  // namespace

BENCHMARK_MAIN();
