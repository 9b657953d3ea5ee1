// icrc1_ledger's pure rules (no System API): accounts, ICRC-3 blocks as Values, their representation-
// independent hash, the stable encoding of blocks, the certified tip tree and the ICRC-1 time checks.
// Tested natively without the mock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "canisters/icrc1_ledger/types.h"
#include "ic/bytes.h"
#include "ic/hash_tree.h"
#include "ic/sha2.h"

namespace icrc1_ledger {

constexpr size_t kSubaccountSize = 32;
constexpr size_t kMaxMemo = 32;                               // DFINITY ledgers' default (icrc1:max_memo_length)
constexpr uint64_t kTxWindowNs = 24ull * 3600 * 1'000'000'000;  // ICRC-1 deduplication window (TX_WINDOW)
constexpr uint64_t kPermittedDriftNs = 2ull * 60 * 1'000'000'000;  // PERMITTED_DRIFT
constexpr uint64_t kMaxBlocksPerReply = 1000;                 // icrc3_get_blocks: bounded replies
constexpr uint32_t kAccountKeyMax = 1 + ic::Principal::kMaxLength + kSubaccountSize;

// Checked 128-bit arithmetic: an overflow traps, never wraps.
u128 add(u128 a, u128 b, const char* what);
u128 sub(u128 a, u128 b, const char* what);

// A subaccount must be 32 bytes when given.
bool valid_account(const Account& a);
// Same account, null subaccount = 32 zero bytes (ICRC-1).
bool same_account(const Account& a, const Account& b);
// Order-preserving key of the normalized account: [length][principal][32-byte subaccount].
ic::Bytes account_key(const Account& a);

// ICRC-3 representation-independent hash (ICRC-3 "Value Hash"; ic-protocol.md §2).
ic::Hash256 hash_value(const Value& v);
void write_uleb128(ic::Bytes& out, u128 v);
void write_sleb128(ic::Bytes& out, __int128 v);

enum class BlockKind : uint8_t { Mint = 1, Burn = 2, Transfer = 3 };
const char* btype_of(BlockKind k);  // "1mint", "1burn", "1xfer"
const char* op_of(BlockKind k);     // legacy tx.op: "mint", "burn", "xfer"

// One block as stored. Accounts are kept as the caller gave them (ICRC-3 "Canonical tx Mapping").
struct Block {
  BlockKind kind = BlockKind::Transfer;
  uint64_t timestamp = 0;
  std::optional<ic::Hash256> phash;  // absent in block 0
  std::optional<Account> from;       // burn, transfer
  std::optional<Account> to;         // mint, transfer
  u128 amount = 0;
  std::optional<u128> tx_fee;        // the fee the caller passed (transfers)
  std::optional<u128> fee;           // the fee charged (top-level `fee`, transfers with a non-zero fee)
  std::optional<Blob> memo;
  std::optional<uint64_t> created_at_time;
  friend bool operator==(const Block&, const Block&) = default;
};

// tx = { op, amt, from?, to?, fee?, memo?, ts? }: the transaction as the caller asked for it. Its hash is the
// deduplication key (identical calls within the window are one transaction).
Value tx_value(const Block& b);
// The block: { btype, ts, phash?, fee?, tx }. btype per the brief/ICRC-3 typed blocks; tx.op keeps readers of
// the legacy schema working.
Value block_value(const Block& b);

constexpr uint32_t kBlockMax = 512;  // bound of encode_block (two accounts, memo, amounts)
ic::Bytes encode_block(const Block& b);
std::optional<Block> decode_block(ic::ByteView bytes);

// The certified tip (ICRC-3 "Blocks Verification"): last_block_index (LEB128) and last_block_hash.
ic::HashTree tip_tree(uint64_t last_index, const ic::Hash256& last_hash);

// ICRC-1 created_at_time checks: TooOld before now - window - drift, CreatedInFuture after now + drift.
enum class TimeCheck { Ok, TooOld, InFuture };
TimeCheck check_time(uint64_t created_at_time, uint64_t now);

}  // namespace icrc1_ledger
