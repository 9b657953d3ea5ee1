// cdk_btree_bench: StableBTreeMap through the native mock: time of 1 M inserts / lookups / removals and the
// stable bytes each entry takes (numbers for cdk-bench.md). Not a test: timings vary with the machine.
//   cdk_btree_bench [N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cdk/btree.h"
#include "cdk/mock/mock.h"

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
template <class F>
double timed(F&& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return seconds_since(t0);
}
}  // namespace

int main(int argc, char** argv) {
  uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  const uint64_t prime = 1000003;  // keys (i * 7919) mod prime: distinct, in scattered order, for n < prime
  for (int scattered = 0; scattered < 2; ++scattered) {
    auto& env = cdk::mock::fresh();
    cdk::StableBTreeMap<uint64_t, uint64_t> map{cdk::Memory(0)};
    auto key = [&](uint64_t i) { return scattered ? (i * 7919) % prime : i; };
    double insert = timed([&] {
      for (uint64_t i = 0; i < n; ++i) map.insert(key(i), i);
    });
    double lookup = timed([&] {
      for (uint64_t i = 0; i < n; ++i)
        if (map.get(key(i)) != i) std::abort();
    });
    uint64_t bytes = map.allocated_bytes();
    double scan = timed([&] {
      uint64_t c = 0;
      for (auto it = map.begin(); it != map.end(); ++it) ++c;
      if (c != n) std::abort();
    });
    double upgrade = timed([&] { env.upgrade(); });
    double remove = timed([&] {
      for (uint64_t i = 0; i < n; ++i) map.remove(key(i));
    });
    std::printf("%s keys, u64 -> u64, n = %llu\n", scattered ? "scattered" : "ascending",
                static_cast<unsigned long long>(n));
    std::printf("  insert %.2f s (%.2f us/op), lookup %.2f s, full scan %.2f s, upgrade %.4f s, remove all %.2f s\n",
                insert, insert * 1e6 / n, lookup, scan, upgrade, remove);
    std::printf("  B-tree bytes %llu = %.1f bytes/entry (16 B of key + value slots, the rest is node fill and headers); stable memory %llu pages\n",
                static_cast<unsigned long long>(bytes), double(bytes) / n,
                static_cast<unsigned long long>(env.stable_pages()));
  }
}
