// user_profile's public interface types (candid/user_profile.did): profiles, quiz results, unstakes,
// transactions, shard statistics. The hub <-> shard types are in protocol.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "canisters/user_profile/protocol.h"
#include "cdk/candid.h"

namespace user_profile {

using ic::Principal;
using suite::Blob;
using u128 = unsigned __int128;

struct Profile {
  std::string email;
  std::string name;
  std::string education;
  std::string gender;
  friend bool operator==(const Profile&, const Profile&) = default;
};
CDK_RECORD(Profile, email, name, education, gender)

using RegisterError =
    cdk::Variant<cdk::Alt<"Anonymous">, cdk::Alt<"InvalidField", std::string>, cdk::Alt<"AlreadyRegistered">,
                 cdk::Alt<"RegisteredElsewhere", Principal>, cdk::Alt<"ShardFull">, cdk::Alt<"Busy">,
                 cdk::Alt<"HubUnavailable", std::string>, cdk::Alt<"Refused", std::string>>;
using RegisterResult = cdk::Result<cdk::Null, RegisterError>;

using UpdateError = cdk::Variant<cdk::Alt<"NotRegistered">, cdk::Alt<"InvalidField", std::string>>;
using UpdateResult = cdk::Result<cdk::Null, UpdateError>;

struct MyProfile {
  Profile profile;
  uint64_t balance = 0;
  uint64_t registered_at = 0;
  uint32_t attempts_today = 0;
  uint32_t completed_units = 0;
  uint64_t pending_unstake = 0;
};
CDK_RECORD(MyProfile, profile, balance, registered_at, attempts_today, completed_units, pending_unstake)

// submit_quiz's success: `correct` only when passed (SPEC.md), so failing attempts teach nothing about answers.
struct QuizResult {
  bool passed = false;
  uint64_t reward = 0;
  std::optional<uint32_t> correct;
};
CDK_RECORD(QuizResult, passed, reward, correct)
struct DailyLimit {
  uint32_t limit = 0;
};
CDK_RECORD(DailyLimit, limit)
using SubmitError =
    cdk::Variant<cdk::Alt<"NotRegistered">, cdk::Alt<"InvalidUnit", std::string>, cdk::Alt<"Busy">,
                 cdk::Alt<"DailyLimitReached", DailyLimit>, cdk::Alt<"CapReached">,
                 cdk::Alt<"HubUnavailable", std::string>, cdk::Alt<"ContentUnavailable", std::string>>;
using SubmitResult = cdk::Result<QuizResult, SubmitError>;

// unstake: Ok with the block index once minted, or pending (ambiguous outcome, retried by the shard).
struct UnstakeOk {
  uint64_t op_id = 0;
  std::optional<u128> block_index;
  bool pending = false;
};
CDK_RECORD(UnstakeOk, op_id, block_index, pending)
struct MinUnstake {
  uint64_t min_unstake = 0;
};
CDK_RECORD(MinUnstake, min_unstake)
struct Balance {
  uint64_t balance = 0;
};
CDK_RECORD(Balance, balance)
using UnstakeError = cdk::Variant<cdk::Alt<"NotRegistered">, cdk::Alt<"BelowMinimum", MinUnstake>,
                                  cdk::Alt<"InsufficientBalance", Balance>, cdk::Alt<"Rejected", std::string>>;
using UnstakeResult = cdk::Result<UnstakeOk, UnstakeError>;

using TxKind = cdk::Variant<cdk::Alt<"QuizReward">, cdk::Alt<"Unstake">, cdk::Alt<"CreditBack">>;
struct Transaction {
  uint64_t id = 0;
  TxKind kind;
  uint64_t amount = 0;
  uint64_t time = 0;
  std::optional<std::string> unit_id;
  std::optional<uint64_t> op_id;
};
CDK_RECORD(Transaction, id, kind, amount, time, unit_id, op_id)

struct CountAmount {
  uint64_t count = 0;
  uint64_t amount = 0;
  friend bool operator==(const CountAmount&, const CountAmount&) = default;
};
CDK_RECORD(CountAmount, count, amount)

// get_shard_stats: every field SPEC.md names (hubctl shards / audit read them).
struct ShardStats {
  uint32_t shard_index = 0;
  Principal hub;
  uint64_t user_count = 0;
  uint64_t hard_limit = 0;
  uint64_t allowance_granted_total = 0;
  uint64_t allowance_used_total = 0;
  uint64_t allowance_reserved = 0;
  uint64_t allowance_remaining = 0;
  uint64_t allowance_returned_total = 0;
  uint64_t rewards_credited_total = 0;
  uint64_t unstaked_total = 0;
  uint64_t credited_back_total = 0;
  CountAmount pending_unstakes;
  uint64_t last_sync_seq = 0;
  uint64_t last_sync_time = 0;
  std::optional<std::string> last_sync_error;
  u128 cycles = 0;
  uint64_t heap_bytes = 0;
  uint64_t stable_bytes = 0;
  Blob wasm_sha256;
  suite::ShardConstants constants;
};
CDK_RECORD(ShardStats, shard_index, hub, user_count, hard_limit, allowance_granted_total, allowance_used_total,
           allowance_reserved, allowance_remaining, allowance_returned_total, rewards_credited_total, unstaked_total,
           credited_back_total, pending_unstakes, last_sync_seq, last_sync_time, last_sync_error, cycles, heap_bytes,
           stable_bytes, wasm_sha256, constants)

struct BalanceSum {
  u128 sum = 0;
  uint64_t count = 0;
};
CDK_RECORD(BalanceSum, sum, count)

}  // namespace user_profile
