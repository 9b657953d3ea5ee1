// user_profile's stable layout: every durable fact lives in stable structures (so an upgrade keeps it
// without pre_upgrade work); the heap holds a mirror of the books and what only exists while calls are in flight.
#pragma once

// Memories: 0 init (ShardInit), 1 books, 2 accounts, 3 profile chunks, 4 completed units, 5 transactions,
// 6 pending unstakes, 7 last sync error.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "canisters/user_profile/logic.h"
#include "canisters/user_profile/protocol.h"
#include "canisters/user_profile/types.h"
#include "cdk/btree.h"
#include "cdk/guard.h"
#include "cdk/runtime.h"
#include "cdk/stable.h"
#include "ic/hash_tree.h"

namespace user_profile {

// The shard's counters. Totals only grow; `acked_*` are what the hub has acknowledged (the last applied
// seq); `out_*` is the sync in flight or to be retried with the same seq (0 = none).
struct Books {
  uint64_t user_count = 0;
  uint64_t granted = 0, used = 0, returned = 0;
  uint64_t rewards_credited = 0, unstaked = 0, credited_back = 0;
  uint64_t pending_count = 0, pending_amount = 0;
  uint64_t last_sync_seq = 0, last_sync_time = 0;
  uint64_t next_op_id = 1, next_tx_id = 1;
  uint64_t acked_rewards = 0, acked_unstaked = 0, acked_credited_back = 0;
  uint64_t out_seq = 0, out_rewards = 0, out_unstaked = 0, out_credited_back = 0, out_user_count = 0,
           out_request = 0, out_give_back = 0;
  uint64_t cap_reached = 0;        // the last reply granted less than asked with no cap left
  uint64_t last_sync_attempt = 0;  // time of the last sync call (backoff while the cap is reached)
};

// One registered user (fixed size).
struct Account {
  uint64_t balance = 0;
  uint64_t registered_at = 0;
  uint64_t pending_unstake = 0;
  uint32_t day = 0;
  uint32_t completed = 0;
  uint16_t attempts = 0;
};

// An unstake whose outcome is not known yet (SPEC.md: retried with the same created_at_time and memo).
struct PendingOp {
  Principal user;
  uint64_t amount = 0;
  uint64_t created_at_time = 0;
  uint32_t attempts = 0;
};

}  // namespace user_profile

namespace cdk {
// Trivially copyable records stored as their bytes (little-endian, wasm32 and x86-64 alike).
template <class T>
struct PodStorable {
  static constexpr uint32_t kMaxSize = sizeof(T);
  static constexpr bool kFixed = true;
  static void encode(const T& v, ic::Bytes& out) {
    const uint8_t* p = reinterpret_cast<const uint8_t*>(&v);
    out.insert(out.end(), p, p + sizeof(T));
  }
  static T decode(ic::ByteView b) {
    T v{};
    std::memcpy(&v, b.data(), b.size() < sizeof(T) ? b.size() : sizeof(T));
    return v;
  }
};
template <> struct Storable<user_profile::Books> : PodStorable<user_profile::Books> {};
template <> struct Storable<user_profile::Account> : PodStorable<user_profile::Account> {};
template <>
struct Storable<user_profile::PendingOp> {
  static constexpr uint32_t kMaxSize = 1 + ic::Principal::kMaxLength + 20;
  static constexpr bool kFixed = false;
  static void encode(const user_profile::PendingOp& v, ic::Bytes& out);
  static user_profile::PendingOp decode(ic::ByteView b);
};
}  // namespace cdk

namespace user_profile {

constexpr uint32_t kKeyMax = 1 + Principal::kMaxLength + 8;
constexpr uint32_t kCompletedKeyMax = 1 + Principal::kMaxLength + kMaxUnitId;
constexpr uint32_t kTxValueMax = 1 + 8 + 8 + 8 + 1 + kMaxUnitId;

// Keys that group entries by user: [length][principal bytes][suffix].
ic::Bytes user_key(const Principal& p, ic::ByteView suffix = {});
ic::Bytes be64(uint64_t v);
uint64_t read_be64(ic::ByteView b);

ic::Bytes encode_tx(const Transaction& t);
Transaction decode_tx(uint64_t id, ic::ByteView b);

struct Stable {
  cdk::StableCell<suite::ShardInit> init{cdk::Memory(0)};
  cdk::StableCell<Books> books{cdk::Memory(1)};
  cdk::StableBTreeMap<Principal, Account> accounts{cdk::Memory(2)};
  cdk::StableBTreeMap<ic::Bytes, ic::Bytes, kKeyMax, kProfileChunk> profiles{cdk::Memory(3)};
  cdk::StableBTreeMap<ic::Bytes, uint64_t, kCompletedKeyMax> completed{cdk::Memory(4)};
  cdk::StableBTreeMap<ic::Bytes, ic::Bytes, kKeyMax, kTxValueMax> txs{cdk::Memory(5)};
  cdk::StableBTreeMap<uint64_t, PendingOp> pending{cdk::Memory(6)};
  cdk::StableCell<std::string> last_sync_error{cdk::Memory(7)};
};
Stable& stable();

// Profile chunks of one user.
void put_profile(const Principal& user, const Profile& p);
std::optional<Profile> get_profile(const Principal& user);

// Heap state: a mirror of the init and books (read on init/upgrade, written through), and what exists only
// while calls are in flight: locks, reward reservations, the certified tree.
struct HeapState {
  suite::ShardInit init;
  Books books;
  cdk::LockSet<Principal> registering;           // slot reserved, claim_user in flight
  cdk::LockSet<Principal> submitting;            // one submission per user at a time
  cdk::LockSet<uint64_t> op_locks;               // one withdraw attempt per pending unstake at a time
  cdk::LockSet<uint8_t> sync_lock;               // one sync per shard at a time
  cdk::Reservations<Principal, uint64_t> reward_holds;  // rewards reserved for submissions in flight
  ic::HashTree certified;                        // the tree whose root is certified_data
};
extern cdk::Heap<HeapState> heap;

void save_books();
Allowance allowance();

}  // namespace user_profile
