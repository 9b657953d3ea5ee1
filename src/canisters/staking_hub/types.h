// staking_hub's interface types (candid/staking_hub.did) and the external interfaces it calls: the ICRC-1
// ledger's icrc1_transfer and the management canister's create_canister/install_code/canister_status/deposit_cycles.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "canisters/user_profile/protocol.h"
#include "cdk/candid.h"

namespace staking_hub {

using ic::Principal;
using suite::Blob;
using suite::ContentRoute;
using u128 = unsigned __int128;

// Every constant (SPEC.md "Constants"): amounts in e8s, cycles in cycles, intervals in seconds.
struct Constants {
  uint64_t hard_cap = 4'200'000'000ull * suite::kToken;
  uint64_t shard_soft_limit = 90'000;
  uint64_t shard_hard_limit = 100'000;
  uint64_t auto_scale_interval = 60;
  u128 shard_cycles = u128{2'000'000'000'000ull};
  u128 shard_topup_below = u128{500'000'000'000ull};
  uint64_t reward_per_pass = suite::kToken;
  uint32_t daily_attempts = 5;
  uint64_t allowance_low = 500 * suite::kToken;
  uint64_t allowance_chunk = 1'000 * suite::kToken;
  uint64_t allowance_high = 3'000 * suite::kToken;
  uint64_t sync_interval = 5;
  uint64_t min_unstake = 100'000;
  friend bool operator==(const Constants&, const Constants&) = default;
};
CDK_RECORD(Constants, hard_cap, shard_soft_limit, shard_hard_limit, auto_scale_interval, shard_cycles,
           shard_topup_below, reward_per_pass, daily_attempts, allowance_low, allowance_chunk, allowance_high,
           sync_interval, min_unstake)

// Init overrides: each constant may be set once, at install; there is no method to change them later.
struct Overrides {
  std::optional<uint64_t> hard_cap;
  std::optional<uint64_t> shard_soft_limit;
  std::optional<uint64_t> shard_hard_limit;
  std::optional<uint64_t> auto_scale_interval;
  std::optional<u128> shard_cycles;
  std::optional<u128> shard_topup_below;
  std::optional<uint64_t> reward_per_pass;
  std::optional<uint32_t> daily_attempts;
  std::optional<uint64_t> allowance_low;
  std::optional<uint64_t> allowance_chunk;
  std::optional<uint64_t> allowance_high;
  std::optional<uint64_t> sync_interval;
  std::optional<uint64_t> min_unstake;
};
CDK_RECORD(Overrides, hard_cap, shard_soft_limit, shard_hard_limit, auto_scale_interval, shard_cycles,
           shard_topup_below, reward_per_pass, daily_attempts, allowance_low, allowance_chunk, allowance_high,
           sync_interval, min_unstake)

struct HubInit {
  Principal ledger;
  std::vector<ContentRoute> learning_content;
  Blob user_profile_wasm;
  std::optional<Overrides> overrides;
};
CDK_RECORD(HubInit, ledger, learning_content, user_profile_wasm, overrides)

struct Config {
  Principal ledger;
  std::vector<ContentRoute> learning_content;
  Blob wasm_sha256;
  uint64_t wasm_size = 0;
  Constants constants;
};
CDK_RECORD(Config, ledger, learning_content, wasm_sha256, wasm_size, constants)

using ShardStatus = cdk::Variant<cdk::Alt<"Active">, cdk::Alt<"Full">>;
struct ShardInfo {
  uint32_t index = 0;
  Principal id;
  uint64_t created_at = 0;
  ShardStatus status;
  uint64_t user_count = 0;
  uint64_t reported_user_count = 0;
  uint64_t granted_total = 0;
  uint64_t returned_total = 0;
  uint64_t withdrawn_total = 0;
  uint64_t last_sync_seq = 0;
  uint64_t last_sync_time = 0;
};
CDK_RECORD(ShardInfo, index, id, created_at, status, user_count, reported_user_count, granted_total, returned_total,
           withdrawn_total, last_sync_seq, last_sync_time)

struct EnsureResult {
  std::optional<Principal> created;
  std::string reason;
};
CDK_RECORD(EnsureResult, created, reason)

struct CountAmount {
  uint64_t count = 0;
  uint64_t amount = 0;
  friend bool operator==(const CountAmount&, const CountAmount&) = default;
};
CDK_RECORD(CountAmount, count, amount)
struct TimeResult {
  uint64_t time = 0;
  std::string result;
};
CDK_RECORD(TimeResult, time, result)

struct GlobalStats {
  uint64_t hard_cap = 0;
  uint64_t total_allocated = 0;
  uint64_t total_returned = 0;
  uint64_t total_withdrawn = 0;
  CountAmount pending_withdrawals;
  uint64_t shard_count = 0;
  uint64_t user_count = 0;
  u128 cycles = 0;
  TimeResult last_ensure_capacity;
};
CDK_RECORD(GlobalStats, hard_cap, total_allocated, total_returned, total_withdrawn, pending_withdrawals, shard_count,
           user_count, cycles, last_ensure_capacity)

// --- ICRC-1 (the hub is the minting account: its transfers are mints)
namespace icrc1 {
struct Account {
  Principal owner;
  std::optional<Blob> subaccount;
};
CDK_RECORD(Account, owner, subaccount)
struct TransferArg {
  std::optional<Blob> from_subaccount;
  Account to;
  u128 amount = 0;
  std::optional<u128> fee;
  std::optional<Blob> memo;
  std::optional<uint64_t> created_at_time;
};
CDK_RECORD(TransferArg, from_subaccount, to, amount, fee, memo, created_at_time)
struct ExpectedFee {
  u128 expected_fee = 0;
};
CDK_RECORD(ExpectedFee, expected_fee)
struct MinBurn {
  u128 min_burn_amount = 0;
};
CDK_RECORD(MinBurn, min_burn_amount)
struct Funds {
  u128 balance = 0;
};
CDK_RECORD(Funds, balance)
struct LedgerTime {
  uint64_t ledger_time = 0;
};
CDK_RECORD(LedgerTime, ledger_time)
struct DuplicateOf {
  u128 duplicate_of = 0;
};
CDK_RECORD(DuplicateOf, duplicate_of)
struct Generic {
  u128 error_code = 0;
  std::string message;
};
CDK_RECORD(Generic, error_code, message)
using TransferError =
    cdk::Variant<cdk::Alt<"BadFee", ExpectedFee>, cdk::Alt<"BadBurn", MinBurn>, cdk::Alt<"InsufficientFunds", Funds>,
                 cdk::Alt<"TooOld">, cdk::Alt<"CreatedInFuture", LedgerTime>, cdk::Alt<"TemporarilyUnavailable">,
                 cdk::Alt<"Duplicate", DuplicateOf>, cdk::Alt<"GenericError", Generic>>;
using TransferResult = cdk::Result<u128, TransferError>;
}  // namespace icrc1

// --- management canister (aaaaa-aa), the parts the hub uses
namespace mgmt {
struct CanisterSettings {
  std::optional<std::vector<Principal>> controllers;
};
CDK_RECORD(CanisterSettings, controllers)
struct CreateCanisterArgs {
  std::optional<CanisterSettings> settings;
};
CDK_RECORD(CreateCanisterArgs, settings)
struct CanisterIdRecord {
  Principal canister_id;
};
CDK_RECORD(CanisterIdRecord, canister_id)
using InstallMode = cdk::Variant<cdk::Alt<"install">>;
struct InstallCodeArgs {
  InstallMode mode;
  Principal canister_id;
  Blob wasm_module;
  Blob arg;
};
CDK_RECORD(InstallCodeArgs, mode, canister_id, wasm_module, arg)
// The fields of canister_status the hub reads (the reply has more; they are skipped).
struct CanisterStatus {
  u128 cycles = 0;
  std::optional<Blob> module_hash;
};
CDK_RECORD(CanisterStatus, cycles, module_hash)
}  // namespace mgmt

}  // namespace staking_hub
