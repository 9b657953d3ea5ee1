// replica::node — the cycles fee model of the local network, after a 13-node application subnet
// (anchors.md C4); documented in README.md beside this file.
#pragma once

#include <cstdint>

namespace replica::fees {

using Cycles = unsigned __int128;

constexpr Cycles kCanisterCreation = 500'000'000'000ull;       // create_canister (from canisters)
constexpr Cycles kUpdateMessageBase = 5'000'000ull;            // every replicated execution
constexpr Cycles kPerInstruction = 1;                           // per wasm instruction executed
constexpr Cycles kIngressMessageReception = 1'200'000ull;      // per ingress message inducted
constexpr Cycles kIngressByteReception = 2'000ull;             // per byte of method name + arg
constexpr Cycles kXnetCall = 260'000ull;                       // per inter-canister call
constexpr Cycles kXnetByteTransmission = 1'000ull;             // per byte of request / response
constexpr Cycles kStoragePerGiBSecond = 127'000ull;            // memory (heap, stable, wasm, chunks)
constexpr Cycles kComputePercentSecond = 10'000'000ull;        // per % compute allocation per second
constexpr uint64_t kGiB = 1ull << 30;
constexpr uint64_t kSecondNs = 1'000'000'000ull;
constexpr uint64_t kDaySeconds = 86'400;

inline Cycles execution(uint64_t instructions) { return kUpdateMessageBase + Cycles(instructions) * kPerInstruction; }
inline Cycles ingress(uint64_t bytes) { return kIngressMessageReception + Cycles(bytes) * kIngressByteReception; }
inline Cycles call(uint64_t bytes) { return kXnetCall + Cycles(bytes) * kXnetByteTransmission; }

// What a canister of `memory_bytes` (its allocation if larger) with `compute_percent` burns in `ns`
// nanoseconds while idle; the basis of charging and of the freezing threshold.
inline Cycles idle_burn(uint64_t memory_bytes, uint64_t compute_percent, Cycles ns) {
  return Cycles(memory_bytes) * kStoragePerGiBSecond * ns / (Cycles(kGiB) * kSecondNs) +
         Cycles(compute_percent) * kComputePercentSecond * ns / kSecondNs;
}
inline Cycles idle_burn_per_day(uint64_t memory_bytes, uint64_t compute_percent) {
  return idle_burn(memory_bytes, compute_percent, Cycles(kDaySeconds) * kSecondNs);
}
// The freezing reserve: idle burn over the freezing threshold (seconds). A canister whose balance is
// below it is frozen: it executes nothing and calls to it are rejected with SYS_TRANSIENT (IC0207).
inline Cycles freezing_reserve(uint64_t memory_bytes, uint64_t compute_percent, uint64_t threshold_seconds) {
  return idle_burn(memory_bytes, compute_percent, Cycles(threshold_seconds) * kSecondNs);
}

}  // namespace replica::fees
