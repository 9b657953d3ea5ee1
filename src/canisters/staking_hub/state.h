// staking_hub's stable layout: configuration and embedded shard wasm, global books, per-shard books, the user
// claims, withdrawal records (deduplication) and the fill index that finds the least-filled Active shard.
#pragma once

// Memories: 0 config, 1 user_profile wasm (u64 length + bytes), 2 books, 3 last ensure_capacity result,
// 4 shards (index -> record), 5 shard ids (principal -> index), 6 users (principal -> shard index),
// 7 withdrawals ((shard index, op_id) -> record), 8 fill index ((user_count, index) of Active shards).
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "canisters/staking_hub/types.h"
#include "cdk/btree.h"
#include "cdk/guard.h"
#include "cdk/runtime.h"
#include "cdk/stable.h"
#include "ic/hash_tree.h"

namespace staking_hub {

struct HubBooks {
  uint64_t total_allocated = 0, total_returned = 0, total_withdrawn = 0;
  uint64_t pending_count = 0, pending_amount = 0;
  uint64_t user_count = 0;
  uint64_t shards_created = 0;  // canisters created (the next index)
  uint64_t creating = 0;        // index + 1 of the shard being installed, 0 = none
  uint64_t last_ensure_time = 0;
};

// Lifecycle of a shard: created -> code installed -> registered with every content canister -> Active -> Full.
enum ShardState : uint8_t { kInstalling = 0, kRegistering = 1, kActive = 2, kFull = 3 };

struct ShardRecord {
  uint32_t index = 0;
  Principal id;
  uint64_t created_at = 0;
  uint8_t state = kInstalling;
  uint32_t install_attempts = 0;
  uint64_t user_count = 0;
  uint64_t reported_user_count = 0;
  uint64_t granted_total = 0, returned_total = 0, withdrawn_total = 0, withdraw_pending = 0;
  uint64_t rewards_reported = 0, unstaked_reported = 0, credited_back_reported = 0;
  uint64_t last_sync_seq = 0, last_sync_time = 0;
  suite::SyncReply last_reply;  // returned again for a repeated seq
};
CDK_RECORD(ShardRecord, index, id, created_at, state, install_attempts, user_count, reported_user_count, granted_total,
           returned_total, withdrawn_total, withdraw_pending, rewards_reported, unstaked_reported,
           credited_back_reported, last_sync_seq, last_sync_time, last_reply)

enum WithdrawState : uint8_t { kPending = 0, kDone = 1, kFailed = 2 };
struct WithdrawalRecord {
  Principal user;
  uint64_t amount = 0;
  uint64_t created_at_time = 0;
  uint8_t state = kPending;
  uint32_t attempts = 0;
  u128 block = 0;
  std::string message;
};
CDK_RECORD(WithdrawalRecord, user, amount, created_at_time, state, attempts, block, message)

}  // namespace staking_hub

namespace cdk {
template <>
struct Storable<staking_hub::HubBooks> {
  static constexpr uint32_t kMaxSize = sizeof(staking_hub::HubBooks);
  static constexpr bool kFixed = true;
  static void encode(const staking_hub::HubBooks& v, ic::Bytes& out) {
    const uint8_t* p = reinterpret_cast<const uint8_t*>(&v);
    out.insert(out.end(), p, p + sizeof v);
  }
  static staking_hub::HubBooks decode(ic::ByteView b) {
    staking_hub::HubBooks v{};
    std::memcpy(&v, b.data(), b.size() < sizeof v ? b.size() : sizeof v);
    return v;
  }
};
}  // namespace cdk

namespace staking_hub {

struct Stable {
  cdk::StableCell<Config> config{cdk::Memory(0)};
  cdk::Memory wasm{1};
  cdk::StableCell<HubBooks> books{cdk::Memory(2)};
  cdk::StableCell<std::string> last_ensure{cdk::Memory(3)};
  cdk::StableBTreeMap<uint32_t, ShardRecord, 4, 512> shards{cdk::Memory(4)};
  cdk::StableBTreeMap<Principal, uint32_t> shard_ids{cdk::Memory(5)};
  cdk::StableBTreeMap<Principal, uint32_t> users{cdk::Memory(6)};
  cdk::StableBTreeMap<std::array<uint8_t, 12>, WithdrawalRecord, 12, 256> withdrawals{cdk::Memory(7)};
  cdk::StableBTreeMap<std::array<uint8_t, 12>, uint8_t> fill{cdk::Memory(8)};
};
Stable& stable();

std::array<uint8_t, 12> key12(uint64_t hi, uint32_t lo);  // big-endian hi · lo (order-preserving)
uint32_t key12_low(const std::array<uint8_t, 12>& k);

void write_wasm(const Blob& wasm);
Blob read_wasm();

struct HeapState {
  Config config;
  HubBooks books;
  cdk::LockSet<uint8_t> ensure_lock;                      // one shard creation at a time
  cdk::LockSet<std::array<uint8_t, 12>> withdraw_locks;   // one mint attempt per (shard, op) at a time
  uint32_t topup_cursor = 0;
  ic::HashTree certified;
};
extern cdk::Heap<HeapState> heap;

void save_books();
ShardRecord load_shard(uint32_t index);
// Stores the record and keeps the fill index in step (Active shards only).
void store_shard(const ShardRecord& before, const ShardRecord& after);

}  // namespace staking_hub
