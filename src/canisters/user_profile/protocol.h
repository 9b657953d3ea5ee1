// The hub <-> shard protocol (SPEC.md "user_profile", "staking_hub"): the shard's init, the constants the hub
// passes down, claim_user, sync_shard and withdraw, plus the calls to learning_content. Shared by both canisters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cdk/candid.h"
#include "cdk/runtime.h"
#include "ic/principal.h"

namespace suite {

using ic::Principal;
using Blob = std::vector<uint8_t>;

constexpr uint64_t kToken = 100'000'000;  // 1 token in e8s
constexpr uint64_t kSecondNs = 1'000'000'000;
constexpr uint64_t kDayNs = 86'400 * kSecondNs;

// One entry of the content routing table: units whose id starts with `prefix` + "/" (the subject) are graded by
// `canister`; the entry with prefix "" serves every other subject.
struct ContentRoute {
  std::string prefix;
  Principal canister;
  friend bool operator==(const ContentRoute&, const ContentRoute&) = default;
};
CDK_RECORD(ContentRoute, prefix, canister)

// Every shard-side constant (SPEC.md "Constants"); amounts in e8s, intervals in seconds.
struct ShardConstants {
  uint64_t shard_hard_limit = 100'000;
  uint64_t reward_per_pass = kToken;
  uint32_t daily_attempts = 5;
  uint64_t allowance_low = 500 * kToken;
  uint64_t allowance_chunk = 1'000 * kToken;
  uint64_t allowance_high = 3'000 * kToken;
  uint64_t sync_interval = 5;
  uint64_t min_unstake = 100'000;
  friend bool operator==(const ShardConstants&, const ShardConstants&) = default;
};
CDK_RECORD(ShardConstants, shard_hard_limit, reward_per_pass, daily_attempts, allowance_low, allowance_chunk,
           allowance_high, sync_interval, min_unstake)

// user_profile's init argument, built by the hub.
struct ShardInit {
  Principal hub;
  std::vector<ContentRoute> learning_content;
  uint32_t shard_index = 0;
  ShardConstants constants;
  Blob wasm_sha256;  // the module the hub installed (reported in get_shard_stats)
};
CDK_RECORD(ShardInit, hub, learning_content, shard_index, constants, wasm_sha256)

// claim_user : (principal) -> (variant { Ok; Err : ClaimError })
using ClaimError = cdk::Variant<cdk::Alt<"NotAShard">, cdk::Alt<"OtherShard", Principal>, cdk::Alt<"ShardFull">>;
using ClaimResult = cdk::Result<cdk::Null, ClaimError>;

// sync_shard : (SyncArgs) -> (variant { Ok : SyncReply; Err : text }). Deltas are since the previous seq.
struct SyncArgs {
  uint64_t seq = 0;
  uint64_t rewards_credited_delta = 0;
  uint64_t unstaked_delta = 0;
  uint64_t credited_back_delta = 0;
  uint64_t user_count = 0;
  uint64_t request = 0;
  uint64_t give_back = 0;
  friend bool operator==(const SyncArgs&, const SyncArgs&) = default;
};
CDK_RECORD(SyncArgs, seq, rewards_credited_delta, unstaked_delta, credited_back_delta, user_count, request, give_back)

struct SyncReply {
  uint64_t seq = 0;
  uint64_t granted = 0;         // granted by this seq
  uint64_t granted_total = 0;   // the hub's books for this shard after it
  uint64_t returned_total = 0;
  uint64_t cap_remaining = 0;   // hard_cap - total_allocated + total_returned after it
  friend bool operator==(const SyncReply&, const SyncReply&) = default;
};
CDK_RECORD(SyncReply, seq, granted, granted_total, returned_total, cap_remaining)
using SyncResult = cdk::Result<SyncReply, std::string>;

// withdraw : (user : principal, amount : nat64, op_id : nat64, created_at_time : nat64)
//   -> (variant { Ok : nat; Err : WithdrawError })
// Refused and LedgerRejected are definite (nothing was minted: the shard credits the user back); Retry is
// ambiguous (the shard keeps the operation pending and retries it with the same op_id and time).
using WithdrawError = cdk::Variant<cdk::Alt<"NotAShard">, cdk::Alt<"Refused", std::string>,
                                   cdk::Alt<"LedgerRejected", std::string>, cdk::Alt<"Retry", std::string>>;
using WithdrawResult = cdk::Result<unsigned __int128, WithdrawError>;

// learning_content (helper canA): register_shard and verify_quiz.
using RegisterShardResult = cdk::Result<cdk::Null, std::string>;
struct QuizVerdict {
  bool passed = false;
  uint32_t correct = 0;
  uint32_t total = 0;
};
CDK_RECORD(QuizVerdict, passed, correct, total)
using VerifyResult = cdk::Result<QuizVerdict, std::string>;

// The content canister that grades `unit_id` ("subject/unit"): the route whose prefix is the subject, else "".
inline std::optional<Principal> route_unit(const std::vector<ContentRoute>& routes, const std::string& unit_id) {
  size_t slash = unit_id.find('/');
  std::string subject = slash == std::string::npos ? std::string() : unit_id.substr(0, slash);
  const ContentRoute* fallback = nullptr;
  for (const auto& r : routes) {
    std::string p = r.prefix;
    if (!p.empty() && p.back() == '/') p.pop_back();
    if (p.empty()) fallback = &r;
    else if (!subject.empty() && p == subject) return r.canister;
  }
  if (fallback) return fallback->canister;
  return std::nullopt;
}

// Checked arithmetic (SPEC.md: an overflow traps, never wraps).
[[noreturn]] inline void overflow_trap(const char* what) {
  cdk::trap(std::string("arithmetic overflow in ") + what + ": refusing to wrap");
}
inline uint64_t add(uint64_t a, uint64_t b, const char* what) {
  uint64_t r;
  if (__builtin_add_overflow(a, b, &r)) overflow_trap(what);
  return r;
}
inline uint64_t sub(uint64_t a, uint64_t b, const char* what) {
  uint64_t r;
  if (__builtin_sub_overflow(a, b, &r)) overflow_trap(what);
  return r;
}

}  // namespace suite
