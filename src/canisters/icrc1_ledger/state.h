// icrc1_ledger's stable layout: configuration, books, balances, the block log and the deduplication index
// live in stable structures (an upgrade keeps them without pre_upgrade work); the heap mirrors config and books.
#pragma once

// Memories: 0 configuration, 1 books, 2 balances, 3 blocks, 4 deduplication (tx hash -> block),
// 5 deduplication expiry (created_at_time, block -> tx hash).
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "canisters/icrc1_ledger/logic.h"
#include "canisters/icrc1_ledger/types.h"
#include "cdk/btree.h"
#include "cdk/runtime.h"
#include "cdk/stable.h"

namespace icrc1_ledger {

struct LedgerConfig {
  Account minting_account;
  std::string token_name;
  std::string token_symbol;
  uint8_t decimals = 8;
  u128 transfer_fee = 0;
  u128 min_burn_amount = 0;
};
CDK_RECORD(LedgerConfig, minting_account, token_name, token_symbol, decimals, transfer_fee, min_burn_amount)

// Running totals. total_supply = minted - burned - fees (fees are burned, ICRC-1 "minting account").
struct Books {
  uint64_t block_count = 0;
  u128 total_supply = 0;
  u128 minted = 0;
  u128 burned = 0;
  u128 fees = 0;
  ic::Hash256 last_hash{};
};

}  // namespace icrc1_ledger

namespace cdk {
// Amounts as 16 big-endian bytes.
template <>
struct Storable<unsigned __int128> {
  static constexpr uint32_t kMaxSize = 16;
  static constexpr bool kFixed = true;
  static void encode(const unsigned __int128& v, ic::Bytes& out) {
    for (int i = 15; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  static unsigned __int128 decode(ic::ByteView b) {
    unsigned __int128 v = 0;
    for (size_t i = 0; i < 16 && i < b.size(); ++i) v = (v << 8) | b[i];
    return v;
  }
};
template <>
struct Storable<icrc1_ledger::Books> {
  static constexpr uint32_t kMaxSize = 8 + 4 * 16 + 32;
  static constexpr bool kFixed = true;
  static void encode(const icrc1_ledger::Books& v, ic::Bytes& out);
  static icrc1_ledger::Books decode(ic::ByteView b);
};
}  // namespace cdk

namespace icrc1_ledger {

using DedupKey = std::array<uint8_t, 32>;
using ExpiryKey = std::array<uint8_t, 16>;  // created_at_time (BE) ‖ block index (BE)

struct Stable {
  cdk::StableCell<LedgerConfig> config{cdk::Memory(0)};
  cdk::StableCell<Books> books{cdk::Memory(1)};
  cdk::StableBTreeMap<ic::Bytes, u128, kAccountKeyMax> balances{cdk::Memory(2)};
  cdk::StableBTreeMap<uint64_t, ic::Bytes, 8, kBlockMax> blocks{cdk::Memory(3)};
  cdk::StableBTreeMap<DedupKey, uint64_t> dedup{cdk::Memory(4)};
  cdk::StableBTreeMap<ExpiryKey, DedupKey> expiry{cdk::Memory(5)};
};
Stable& stable();

ExpiryKey expiry_key(uint64_t created_at_time, uint64_t block);
uint64_t expiry_time(const ExpiryKey& k);

struct HeapState {
  LedgerConfig config;
  Books books;
};
extern cdk::Heap<HeapState> heap;

}  // namespace icrc1_ledger
